/**
 * shmem, as Peter Xu converted it in "mm/userfaultfd: modulize memory types" v1
 * (cover letter of 20 Jun 2025, https://lore.kernel.org/r/20250620190342.1780170-1-peterx@redhat.com).
 *
 * What it shows: the peterx-v1 generation with every member in use. shmem
 * declares all three modes and COPY|ZEROPAGE|WRITEPROTECT|CONTINUE|POISON,
 * resolves CONTINUE with uffd_get_folio (a lookup that never allocates) and
 * COPY/ZEROPAGE with uffd_copy. It lives in mm/, so handle_userfault() from its
 * own fault path is fine. `uffdkit check` passes with one warning (R48): the
 * uffd_copy() member hands a pmd to the type, which is why v3 dropped it.
 */
import { defineMemoryType } from "uffdkit";

export default defineMemoryType({
  name: "shmem",
  subsystem: "mm/shmem",
  file: "mm/shmem.c",
  vmOps: "shmem_vm_ops",
  backing: "pagecache",
  api: "peterx-v1",
  // .uffd_features = __VM_UFFD_FLAGS
  features: ["missing", "minor", "wp"],
  ioctls: ["copy", "zeropage", "writeprotect", "continue", "poison"],
  // shmem_uffd_get_folio(): shmem_get_folio(SGP_NOALLOC), locked and referenced;
  // it swaps in and zero-fills, and never allocates.
  getFolio: { strategy: "lookup", lookup: "shmem_get_folio", notUptodate: "zero-fill" },
  // uffd_copy = shmem_mfill_atomic_pte(): shared mempolicy allocation, memcg
  // charge, i_size check, then shmem's own page-cache add with its block
  // accounting; filemap_remove undoes it with shmem_recalc_inode(inode, 0, 0)
  // (Peter, <aZYzDhi7mvgucP9V@x1.local>). examples/upstream/shmem-peterx-v1
  // holds the same conversion to upstream's calls, callback by callback.
  copy: {
    alloc: { strategy: "shared-policy", eofCheck: true, chargeMemcg: true },
    filemapAdd: "type",
    typeAdd: { add: "shmem_add_to_page_cache", swapbacked: true, accountBlocks: "shmem_inode_acct_blocks", recalc: "shmem_recalc_inode" },
    filemapRemove: "filemap_remove_folio",
  },
  // File-backed WP relies on uffd-wp PTE markers (R09).
  wpMarkers: true,
  // shmem raises MISSING/MINOR itself, from shmem_get_folio_gfp().
  fault: { handler: "shmem_fault", raise: "handle_userfault" },
  run: { kernelKind: "shmem" },
});
