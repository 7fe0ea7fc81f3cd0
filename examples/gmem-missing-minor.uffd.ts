/**
 * guest_memfd MISSING+MINOR with COPY/ZEROPAGE, Nikita Kalyazin's follow-up
 * draft on Peter Xu's v1 (26 Jun 2025, thread https://lore.kernel.org/r/20250620190342.1780170-1-peterx@redhat.com), and
 * Peter's review of it (27 Jun 2025).
 *
 * What it shows: the two things Peter spotted, and what the API review said
 * about uffd_copy. `uffdkit check` exits 1:
 * - R43 error: kvm_gmem_fault() decides MISSING with filemap_get_entry() and
 *   returns early without dropping the reference it got ("Likely a possible
 *   refcount leak when folio != NULL here");
 * - R40 error: only "!folio" counts as missing; Peter: MISSING should capture
 *   both "!folio" and "folio && !uptodate";
 * - R35 error: handle_userfault() from a module;
 * - R45 warning: the draft's uffd_copy (kvm_gmem_mfill_atomic_pte) does not
 *   check the offset against i_size itself (not a leak: core's install
 *   re-checks i_size under the page table lock and the add is undone);
 * - R48 warning: uffd_copy() takes the destination pmd.
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
  // .uffd_features = VM_UFFD_MISSING | VM_UFFD_MINOR
  features: ["missing", "minor"],
  ioctls: ["copy", "zeropage", "continue"],
  // The fault-time presence check: filemap_get_entry(), no folio_put() on the
  // early return, and a present-but-not-uptodate folio counts as present.
  getFolio: {
    strategy: "lookup",
    lookup: "filemap_get_entry",
    putOnEarlyReturn: false,
    notUptodate: "present",
  },
  // uffd_copy: fill a folio from kvm_gmem_get_folio(), mark it prepared, install the PTE.
  copy: {
    alloc: { strategy: "helper", helper: "kvm_gmem_get_folio", eofCheck: false },
  },
  fault: { handler: "kvm_gmem_fault", raise: "handle_userfault" },
  run: { kernelKind: "guest_memfd", gmemFlags: ["mmap", "init_shared"] },
});
