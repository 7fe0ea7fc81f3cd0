/**
 * shmem, as Peter Xu converted it in "mm/userfaultfd: modulize memory types" v1
 * (seed 003_78411c67f1c0bd4e.txt, cover letter of 20 Jun 2025).
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
  // shmem_uffd_get_folio(): a page-cache lookup (SGP_NOALLOC), locked and referenced.
  getFolio: { strategy: "lookup", lookup: "filemap_lock_folio", notUptodate: "zero-fill" },
  // uffd_copy = shmem_mfill_atomic_pte(): shared mempolicy allocation, memcg
  // charge, i_size check, then the page cache.
  copy: {
    alloc: { strategy: "shared-policy", eofCheck: true, chargeMemcg: true },
    filemapAdd: "filemap_add_folio",
    filemapRemove: "filemap_remove_folio",
    // filemap_remove undoes the accounting with shmem_recalc_inode(inode, 0, 0)
    // (Peter, <aZYzDhi7mvgucP9V@x1.local>); the hook takes only the inode, so
    // name a one-line wrapper that makes that call.
    unaccount: "shmem_uffd_unaccount",
  },
  // File-backed WP relies on uffd-wp PTE markers (R09).
  wpMarkers: true,
  // shmem raises MISSING/MINOR itself, from shmem_get_folio_gfp().
  fault: { handler: "shmem_fault", raise: "handle_userfault" },
  run: { kernelKind: "shmem" },
});
