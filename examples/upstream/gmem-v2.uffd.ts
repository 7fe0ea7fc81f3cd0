/**
 * guest_memfd's userfaultfd support as posted in v2 13/15 (virt/kvm/guest_memfd.c
 * kvm_gmem_uffd_ops), on 7.1 plus the pending __do_userfault() (v2 12/15).
 *
 * Source: Nikita Kalyazin / Mike Rapoport, "[PATCH v2 13/15] KVM: guest_memfd:
 * implement userfaultfd operations" <20260306171815.3160826-14-rppt@kernel.org>.
 *
 * Same as upstream: alloc_folio refuses past EOF and allocates order 0 with the
 * inode's shared NUMA policy (mpol_shared_policy_lookup(), else the task's) via
 * the three-argument filemap_alloc_folio(), then mpol_cond_put(); filemap_add is
 * filemap_add_folio() (which charges memcg and adds to the LRU); filemap_remove
 * is filemap_remove_folio() then unlock; filemap_remove_folio() is exported to
 * "kvm" with EXPORT_SYMBOL_FOR_MODULES, as the patch does (R47 suggests the
 * EXPORT_SYMBOL_FOR_KVM spelling).
 *
 * Fixed here, where upstream has a bug uffdkit's contracts catch:
 * - v2's filemap_add calls __folio_set_locked() before filemap_add_folio() and
 *   folio_unlock() after it fails; filemap_add_folio() sets the lock itself and
 *   clears it on failure, so that unlock is of an unlocked folio. uffdkit
 *   returns filemap_add_folio()'s result as is.
 * - v2's get_folio_noalloc returns a folio that is not up to date as present,
 *   so CONTINUE could map contents nobody wrote (R40); uffdkit zero-fills it.
 * - v2 checks INIT_SHARED once, in can_userfault; Sean Christopherson asked on
 *   v4 13/15 for the check at use (R39, https://lkml.iu.edu/hypermail/linux/kernel/2605.1/15714.html). uffdkit checks per page in
 *   every fault-time callback (->fault, get_folio_noalloc, alloc_folio), which
 *   refuses every page of an inode without INIT_SHARED as well.
 * Also different: get_folio_noalloc uses filemap_lock_folio() (FGP_LOCK), where
 * v2 passes FGP_LOCK | FGP_ACCESSED to __filemap_get_folio().
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
    export: "EXPORT_SYMBOL_FOR_MODULES",
  },
  guard: { shared: "kvm_gmem_is_shared_mem", granularity: "page", at: "fault" },
  fault: { handler: "kvm_gmem_fault_user_mapping", raise: "core" },
  run: { kernelKind: "guest_memfd", gmemFlags: ["mmap", "init_shared"] },
});
