/**
 * shmem's userfaultfd support as merged for Linux 7.1 (mm/shmem.c shmem_uffd_ops).
 *
 * Source: Mike Rapoport, "mm, kvm: allow uffd support in guest_memfd" v2, patches
 * 07/15, 08/15 and 10/15 (<20260306171815.3160826-8/-9/-11-rppt@kernel.org>),
 * merged for 7.1 as 0f48947c4232, dfc4d771820a and f74991b4e383.
 *
 * Same as upstream, callback by callback: can_userfault accepts every mode;
 * get_folio_noalloc is shmem_get_folio(SGP_NOALLOC) (swap-in, zero-fill, no
 * allocation); alloc_folio refuses past EOF, allocates with shmem_alloc_folio()
 * and charges memcg; filemap_add locks, sets swap-backed, adds with
 * shmem_add_to_page_cache(), accounts the block (undoing the add on failure),
 * adds to the LRU and recalculates the inode; filemap_remove removes, recalcs
 * (0, 0) and unlocks.
 *
 * Deliberately different: 7.1 raises MISSING/MINOR inside shmem_get_folio_gfp();
 * uffdkit writes that as ->fault glue at the top of shmem_fault(), with the same
 * order (EOF first, then MINOR for a cached page, MISSING for a hole).
 */
import { defineMemoryType } from "uffdkit";

export default defineMemoryType({
  name: "shmem",
  subsystem: "mm/shmem",
  file: "mm/shmem.c",
  vmOps: "shmem_vm_ops",
  backing: "pagecache",
  api: "linux-7.1",
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
