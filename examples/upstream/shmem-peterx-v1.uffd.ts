/**
 * shmem on Peter Xu's "mm/userfaultfd: modulize memory types" v1, patch 2/4
 * "mm/shmem: Support vm_uffd_ops API" (<20250620190342.1780170-3-peterx@redhat.com>).
 *
 * In v1, shmem's uffd_copy is shmem_mfill_atomic_pte() and uffd_get_folio is
 * shmem_get_folio(SGP_NOALLOC). Same as upstream: uffd_get_folio; uffd_copy
 * refuses past EOF with -EFAULT (7.1 returns -ENOMEM there: alloc_folio's NULL),
 * copies from user space with page faults disabled and flushes the dcache,
 * keeps the folio in *foliop and returns -ENOENT when the copy faults (core's
 * retry), charges memcg, locks, sets swap-backed, adds with
 * shmem_add_to_page_cache(), installs the PTE as newly allocated (the install
 * puts it on the LRU in this generation), recalculates the inode and unlocks;
 * on an install failure it removes the folio from the cache.
 *
 * Deliberately different: v1 accounts the block first, before allocating;
 * uffdkit's add accounts after the page-cache add, as 7.1 does, and undoes the
 * add when that fails. The EOF check comes first, not after the copy.
 */
import { defineMemoryType } from "uffdkit";

export default defineMemoryType({
  name: "shmem",
  subsystem: "mm/shmem",
  file: "mm/shmem.c",
  vmOps: "shmem_vm_ops",
  backing: "pagecache",
  api: "peterx-v1",
  features: ["missing", "minor", "wp"],
  ioctls: ["copy", "zeropage", "continue", "writeprotect", "poison"],
  wpMarkers: true,
  getFolio: { strategy: "lookup", lookup: "shmem_get_folio", notUptodate: "zero-fill" },
  copy: {
    alloc: { strategy: "helper", helper: "shmem_alloc_folio", info: "SHMEM_I", eofCheck: true, chargeMemcg: true },
    filemapAdd: "type",
    typeAdd: { add: "shmem_add_to_page_cache", swapbacked: true, accountBlocks: "shmem_inode_acct_blocks", recalc: "shmem_recalc_inode" },
    filemapRemove: "filemap_remove_folio",
  },
  fault: { handler: "shmem_fault", raise: "handle_userfault", eofFirst: true },
  run: { kernelKind: "shmem" },
});
