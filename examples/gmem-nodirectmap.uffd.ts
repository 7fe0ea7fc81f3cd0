/**
 * guest_memfd with NO_DIRECT_MAP, the way Firecracker runs it: its folios
 * leave the kernel's direct map before they are mapped to the guest. Firecracker
 * asked for guest_memfd userfaultfd in Nikita Kalyazin's RFC "KVM: guest_memfd:
 * support for uffd missing" (https://lore.kernel.org/r/20250303133011.44095-1-kalyazin@amazon.com).
 *
 * GUEST_MEMFD_FLAG_NO_DIRECT_MAP comes from the pending series "Direct Map
 * Removal Support for guest_memfd" (Patrick Roy, then Nikita Kalyazin; v9
 * https://lore.kernel.org/r/20260114134510.1835-1-kalyazin@amazon.com, not
 * merged as of May 2026): folios are removed from the direct map
 * after preparation and put back when they are freed (->free_folio).
 *
 * For UFFDIO_COPY that means a step between the fill and the page-cache add:
 * - copy.prepare takes the filled folio out of the direct map; it can fail
 *   (splitting a large direct-map page needs memory) and gets the inode;
 * - copy.unprepare puts it back; the emitted filemap_add calls it when
 *   filemap_add_folio() fails after prepare (-EEXIST: a fault or a second COPY
 *   got there first; -ENOMEM: a memcg limit), so the folio core frees is mapped;
 * - copy.freeFolio is the mapping's ->free_folio, which filemap_remove_folio()
 *   calls (mm/filemap.c filemap_free_folio()): a folio that entered the cache is
 *   put back there, also when the PTE install fails after the add.
 * Their C is in gmem-nodirectmap.uffd.c, beside this file: the simulator runs it.
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
    alloc: { strategy: "shared-policy", policy: { info: "GMEM_I", field: "policy" }, eofCheck: true },
    filemapAdd: "filemap_add_folio",
    filemapRemove: "filemap_remove_folio",
    // The NO_DIRECT_MAP step and its undo (C beside this file).
    prepare: "kvm_gmem_folio_zap_direct_map",
    unprepare: "kvm_gmem_folio_restore_direct_map",
    freeFolio: "kvm_gmem_free_folio",
    export: "EXPORT_SYMBOL_FOR_KVM",
  },
  guard: {
    shared: "kvm_gmem_is_shared_mem",
    granularity: "page",
    at: "fault",
    // As gmem.uffd.ts: re-checked under the invalidate lock around the add (no conversion fits in between).
    recheck: { at: "filemap_add", lock: "invalidate_lock", order: "lock-then-add" },
  },
  fault: { handler: "kvm_gmem_fault_user_mapping", raise: "core" },
  run: { kernelKind: "guest_memfd", gmemFlags: ["mmap", "init_shared"] },
  series: {
    title: "mm, kvm: allow uffd support in guest_memfd without a direct map",
    blurb:
      "Let guest_memfd with GUEST_MEMFD_FLAG_NO_DIRECT_MAP support userfaultfd MISSING and MINOR faults " +
      "through struct vm_uffd_ops. A folio filled by UFFDIO_COPY is taken out of the direct map before it " +
      "enters the page cache, and put back on every failure after that, so no folio goes back to the page " +
      "allocator unmapped.",
    version: 1,
  },
});
