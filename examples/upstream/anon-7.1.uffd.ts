/**
 * Anonymous memory's userfaultfd support as merged for Linux 7.1
 * (mm/userfaultfd.c anon_uffd_ops).
 *
 * Source: Mike Rapoport, v2 07/15 and 09/15 (<20260306171815.3160826-8/-10-rppt@kernel.org>,
 * mainline 0f48947c4232, ad9ac3081332).
 *
 * Anonymous memory has no vm_operations_struct: core picks anon_uffd_ops for
 * every anonymous VMA. can_userfault refuses MINOR; alloc_folio is an order-0
 * vma_alloc_folio(GFP_HIGHUSER_MOVABLE) charged to the mm's memcg, put and NULL
 * when the charge fails. No get_folio_noalloc, filemap_add or filemap_remove.
 *
 * Deliberately different: the functions carry uffdkit's names (anon_uffd_*), and
 * can_userfault refuses every mode it does not declare (WP and MISSING are the
 * declared ones), which for VM_UFFD_* is the same set as "not MINOR".
 */
import { defineMemoryType } from "uffdkit";

export default defineMemoryType({
  name: "anon",
  subsystem: "mm/userfaultfd",
  file: "mm/userfaultfd.c",
  backing: "anon",
  api: "linux-7.1",
  features: ["missing", "wp"],
  ioctls: ["copy", "zeropage", "writeprotect", "poison", "move"],
  copy: {
    alloc: { strategy: "vma", chargeMemcg: true },
    filemapAdd: "none",
    filemapRemove: "none",
  },
  run: { kernelKind: "anon" },
});
