/**
 * guest_memfd under a KVM Userfault memslot, with the bitmap read as James
 * Houghton's v3 04/15 posted it (https://lore.kernel.org/r/aFMWQ5_zMXGTCE98@linux.dev: Oliver Upton's
 * review, 18 Jun 2025).
 *
 * What it shows: a memory-ordering bug no single-threaded test can see. The
 * vCPU exits on a page whose bit is set; the VMM fills the page (UFFDIO_COPY
 * through this type) and clears the bit with a store-release, as the series'
 * documentation asks. But v3's kvm_do_userfault() reads the bitmap word with a
 * plain __get_user() and test_bit(), so nothing stops the guest's later load of
 * the page from being satisfied before the bitmap load: on arm64 the vCPU can
 * find the bit clear and still read the page as it was before the fill. Oliver
 * asked for a load-acquire on KVM's side.
 * - The planned scenario kvm_userfault_fill_then_clear passes when run in
 *   order; exploreInterleavings over kvmUserfaultPrograms (src/run/sim) finds
 *   the schedule that reads the stale page, with no rule's help.
 * - `uffdkit check` exits 1 with R59 (the plain bitmap load).
 * The type itself is gmem.uffd.ts; the fixed pairing is kvm-userfault-acquire.uffd.ts.
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
  // Shared-ness is per page and decided when the page is served.
  guard: { shared: "kvm_gmem_is_shared_mem", granularity: "page", at: "fault" },
  // __do_userfault() in __do_fault() raises MISSING/MINOR before ->fault.
  fault: { handler: "kvm_gmem_fault_user_mapping", raise: "core" },
  run: { kernelKind: "guest_memfd", gmemFlags: ["mmap", "init_shared"] },
  // KVM Userfault v3 04/15: kvm_do_userfault() reads the bitmap word with a plain __get_user().
  kvmUserfault: { bitmapLoad: "plain", userspaceStore: "release" },
  series: {
    title: "mm, kvm: allow uffd support in guest_memfd",
    blurb:
      "Let guest_memfd support userfaultfd MISSING and MINOR faults through struct vm_uffd_ops, " +
      "so that post-copy live migration of guest_memfd-backed VMs can resolve the pages KVM Userfault " +
      "makes the vCPUs exit on: UFFDIO_COPY fills the page, then the VMM clears its bit in the memslot's bitmap.",
    version: 5,
    coDevelopedBy: [{ name: "Nikita Kalyazin", email: "kalyazin@amazon.com" }],
  },
});
