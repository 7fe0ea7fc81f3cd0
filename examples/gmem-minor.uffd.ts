/**
 * guest_memfd MINOR-only, Nikita Kalyazin's first draft on Peter Xu's v1
 * (25 Jun 2025, thread https://lore.kernel.org/r/20250620190342.1780170-1-peterx@redhat.com).
 *
 * What it shows: what reviewers later asked to change. `uffdkit check` exits 1:
 * - R42 error: uffd_get_folio is kvm_gmem_get_folio(), which creates the folio
 *   (FGP_CREAT), so the lookup allocates;
 * - R35 error: kvm_gmem_fault() calls handle_userfault(), which KVM, a module,
 *   cannot link against;
 * - R36 warning: MINOR-only cannot trap the first touch of a page (Nikita,
 *   Dec 2025: MISSING is needed);
 * - R40 warning: a folio that is not up to date is zeroed and marked prepared
 *   in the lookup (kvm_gmem_mark_prepared).
 */
import { defineMemoryType } from "uffdkit";

export default defineMemoryType({
  name: "kvm_gmem",
  subsystem: "KVM: guest_memfd",
  file: "virt/kvm/guest_memfd.c",
  vmOps: "kvm_gmem_vm_ops",
  backing: "pagecache",
  modular: true,
  api: "peterx-v1",
  // .uffd_features = VM_UFFD_MINOR, .uffd_ioctls = BIT(_UFFDIO_CONTINUE)
  features: ["minor"],
  ioctls: ["continue"],
  getFolio: {
    strategy: "lookup-or-create",
    helper: "kvm_gmem_get_folio",
    notUptodate: "zero-fill",
  },
  // The draft raised MINOR from kvm_gmem_fault() with handle_userfault().
  fault: { handler: "kvm_gmem_fault", raise: "handle_userfault" },
  run: { kernelKind: "guest_memfd", gmemFlags: ["mmap", "init_shared"] },
});
