/**
 * guest_memfd under a KVM Userfault memslot, with the bitmap read the way Oliver
 * Upton asked in his review of James Houghton's v3 04/15, 18 Jun 2025
 * (https://lore.kernel.org/r/aFMWQ5_zMXGTCE98@linux.dev): a load-acquire of the bitmap word in
 * kvm_do_userfault(), pairing with the VMM's store-release when it clears a bit.
 *
 * What it shows: the same program as kvm-userfault-v3.uffd.ts (the vCPU exits,
 * the VMM fills the page with UFFDIO_COPY and clears the bit, the vCPU reads
 * the page again), but now a vCPU that sees the bit clear also sees every store
 * the VMM made before clearing it. exploreInterleavings over
 * kvmUserfaultPrograms (src/run/sim) enumerates the visibility orders and
 * finds no stale read; the guest either exits again or reads the filled page.
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
  // Shared-ness is per page and decided when the page is served.
  guard: { shared: "kvm_gmem_is_shared_mem", granularity: "page", at: "fault" },
  // __do_userfault() in __do_fault() raises MISSING/MINOR before ->fault.
  fault: { handler: "kvm_gmem_fault_user_mapping", raise: "core" },
  run: { kernelKind: "guest_memfd", gmemFlags: ["mmap", "init_shared"] },
  // KVM Userfault as Oliver Upton asked: a load-acquire of the bitmap word in kvm_do_userfault().
  kvmUserfault: { bitmapLoad: "acquire", userspaceStore: "release" },
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
