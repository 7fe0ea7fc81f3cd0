/**
 * guest_memfd userfaultfd support: THE DEFAULT EXAMPLE (`npm run gen:example`).
 *
 * The pending series "mm, kvm: allow uffd support in guest_memfd" (Mike
 * Rapoport, Nikita Kalyazin) on top of struct vm_uffd_ops as merged for 7.1,
 * with the review of v4 13/15 addressed:
 * - https://lkml.iu.edu/hypermail/linux/kernel/2605.1/15714.html, Sean Christopherson: no INIT_SHARED check in
 *   can_userfault(); decide per page, at fault time, in alloc_folio and
 *   get_folio_noalloc, with kvm_gmem_is_shared_mem() (guard below, R39);
 * - https://lore.kernel.org/r/20250620190342.1780170-1-peterx@redhat.com (thread), Peter Xu: a folio that is not up to date
 *   must never be mapped stale; it is zero-filled and marked up to date by the
 *   lookup, as shmem's does, so every fault on it stays resolvable (R40), and
 *   a lookup drops every reference it takes (filemap_lock_folio, R43);
 * - alloc_folio keeps the NUMA policy: the inode's shared policy, else the
 *   task's, into filemap_alloc_folio(gfp, 0, mpol), as v2 13/15 does;
 * - filemap_remove_folio() is exported to KVM with EXPORT_SYMBOL_FOR_KVM (R46, R47).
 * `uffdkit check` passes with no findings.
 */
import { defineMemoryType } from "uffdkit";

export default defineMemoryType({
  name: "kvm_gmem",
  subsystem: "KVM: guest_memfd",
  file: "virt/kvm/guest_memfd.c",
  vmOps: "kvm_gmem_vm_ops",
  backing: "pagecache",
  modular: true,
  api: "linux-7.1+gmem",
  features: ["missing", "minor"],
  ioctls: ["copy", "zeropage", "continue"],
  // get_folio_noalloc: find, never create; locked and referenced; a folio that
  // is not up to date is cleared and marked up to date (never mapped stale).
  getFolio: { strategy: "lookup", lookup: "filemap_lock_folio", notUptodate: "zero-fill" },
  copy: {
    // alloc_folio: order-0 with the inode's shared NUMA policy, NULL beyond EOF.
    alloc: { strategy: "shared-policy", policy: { info: "GMEM_I", field: "policy" }, eofCheck: true },
    filemapAdd: "filemap_add_folio",
    filemapRemove: "filemap_remove_folio",
    // mm/filemap.c gains EXPORT_SYMBOL_FOR_KVM(filemap_remove_folio).
    export: "EXPORT_SYMBOL_FOR_KVM",
  },
  // Shared-ness is per page and decided when the page is served. filemap_add
  // checks it again under the mapping's invalidate lock, taken shared before the
  // folio lock as the fault path does; conversion to private takes it for write,
  // so a page cannot turn private between the check and the page-cache add
  // (the window uffdkit explore found after alloc_folio). A refused COPY or
  // ZEROPAGE returns -EACCES, which a monitor can tell from -ENOMEM.
  guard: {
    shared: "kvm_gmem_is_shared_mem",
    granularity: "page",
    at: "fault",
    recheck: { at: "filemap_add", lock: "invalidate_lock", order: "lock-then-add" },
  },
  // __do_userfault() in __do_fault() raises MISSING/MINOR before ->fault.
  fault: { handler: "kvm_gmem_fault_user_mapping", raise: "core" },
  run: { kernelKind: "guest_memfd", gmemFlags: ["mmap", "init_shared"] },
  series: {
    title: "mm, kvm: allow uffd support in guest_memfd",
    blurb:
      "Let guest_memfd support userfaultfd MISSING and MINOR faults through struct vm_uffd_ops, " +
      "so that post-copy live migration of guest_memfd-backed VMs can trap the first touch of a page " +
      "(MISSING, resolved with UFFDIO_COPY or UFFDIO_ZEROPAGE) and accesses to pages already in the " +
      "page cache (MINOR, resolved with UFFDIO_CONTINUE). Since v4 the shared-ness check moved out of " +
      "can_userfault() into alloc_folio(), get_folio_noalloc() and the fault path, per page, with " +
      "kvm_gmem_is_shared_mem(), and filemap_remove_folio() is exported with EXPORT_SYMBOL_FOR_KVM().",
    version: 5,
    coDevelopedBy: [{ name: "Nikita Kalyazin", email: "kalyazin@amazon.com" }],
    changelog: [
      {
        version: 2,
        changes: [
          "replace the VM_FAULT_UFFD_MINOR/MISSING return codes with __do_userfault() called from __do_fault()",
          "export filemap_remove_folio() to the kvm module only",
          "rebase on v7.0-rc1",
        ],
        link: "https://lore.kernel.org/all/20260306171815.3160826-1-rppt@kernel.org/",
      },
      {
        version: 3,
        changes: ["detect VMA replacement after the UFFDIO_COPY retry in mfill_copy_folio_retry()"],
        link: "https://lkml.iu.edu/hypermail/linux/kernel/2603.3/13175.html",
      },
      {
        version: 4,
        changes: ["fold the fixes from the mm tree into the 15-patch stack"],
        link: "https://lkml.iu.edu/hypermail/linux/kernel/2605.1/15714.html",
      },
    ],
  },
});
