/**
 * guest_memfd as posted in v4 13/15 (https://lkml.iu.edu/hypermail/linux/kernel/2605.1/15714.html: Sean Christopherson, quoted by
 * Ackerley Tng on 15 May 2026).
 *
 * What it shows: the review objection uffdkit turns into a rule. The v4
 * kvm_gmem_can_userfault() returns false unless the inode has INIT_SHARED, so
 * shared-ness is decided once, for the whole file, at UFFDIO_REGISTER. Sean
 * Christopherson: "My objection to an early, global can_userfault() check is
 * that it's guaranteed to cause TOCTOU issues". `uffdkit check` exits 1:
 * - R39 error: the guard runs only at registration;
 * - R47 warning: EXPORT_SYMBOL_FOR_MODULES(filemap_remove_folio, "kvm") is
 *   open-coded (the v2 form);
 * - R50 note: the guard is per inode, in-place conversion makes it per page.
 * The fixed version is gmem.uffd.ts.
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
  getFolio: { strategy: "lookup", lookup: "filemap_lock_folio", notUptodate: "zero-fill" },
  copy: {
    alloc: { strategy: "mapping-gfp", eofCheck: true },
    export: "EXPORT_SYMBOL_FOR_MODULES",
  },
  // v4 open-codes the INIT_SHARED flag test in can_userfault(); the predicate
  // name stands for that test.
  guard: { shared: "kvm_gmem_is_init_shared", granularity: "inode", at: "register" },
  fault: { handler: "kvm_gmem_fault_user_mapping", raise: "core" },
  run: { kernelKind: "guest_memfd", gmemFlags: ["mmap", "init_shared"] },
  series: { title: "mm, kvm: allow uffd support in guest_memfd", version: 4 },
});
