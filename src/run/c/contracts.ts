/**
 * The contract model of the kernel helpers the emitted C may call: each import
 * of kmodel.h is implemented here on the simulator's folios and page cache,
 * and checks what the kernel would (VM_BUG_ON_FOLIO, WARN_ON, might_fault,
 * lockdep). A broken precondition is a finding naming the C file, line,
 * function and helper; the helper then does what the kernel's would.
 *
 * Sources, for each contract: Debian's linux-source-6.12 unless noted.
 */
import { FOLIO_IN_CACHE, FOLIO_LOCKED, FOLIO_UPTODATE, type SimFile, type Vma } from "../sim/state.js";
import type { Machine } from "../sim/machine.js";
import { ERRNO } from "../../kernel/uapi.js";

/** Folio flags this model adds to the simulator's FolioTable bits. */
export const FOLIO_LRU = 16;
export const FOLIO_MEMCG = 32;
export const FOLIO_SWAPBACKED = 64;
export const FOLIO_KMAP_DIRTY = 128;

/** Where a contract is written down in the kernel; every finding cites one. */
export const CONTRACT_SOURCE = {
  folio_unlock: "mm/filemap.c folio_unlock(): VM_BUG_ON_FOLIO(!folio_test_locked(folio))",
  folio_lock: "mm/filemap.c __folio_lock(): sleeps until the lock is free; the holder waiting on itself never wakes",
  folio_put: "include/linux/mm.h folio_put(): the last reference frees the folio; one more put is a use after free",
  folio_get: "include/linux/mm.h folio_get(): VM_BUG_ON_FOLIO(folio_ref_zero_or_close_to_overflow(folio))",
  set_locked: "include/linux/page-flags.h __folio_set_locked(): a non-atomic set, only for a folio nobody else can see",
  filemap_add_folio:
    "mm/filemap.c filemap_add_folio(): charges memcg itself, sets the lock (__folio_set_locked), clears it again on failure, and adds to the LRU on success",
  filemap_remove_folio: "mm/filemap.c filemap_remove_folio(): BUG_ON(!folio_test_locked(folio))",
  mem_cgroup_charge: "mm/memcontrol.c commit_charge(): VM_BUG_ON_FOLIO(folio_memcg_charged(folio)) (a second charge)",
  folio_add_lru: "mm/swap.c folio_add_lru(): VM_BUG_ON_FOLIO(folio_test_lru(folio))",
  copy_from_user:
    "include/linux/uaccess.h might_fault(): a user copy may fault and take the mmap lock; under the mmap lock it must run with page faults disabled (mm/shmem.c shmem_mfill_atomic_pte())",
  flush_dcache_folio:
    "mm/shmem.c shmem_mfill_atomic_pte() calls flush_dcache_folio() after writing the folio through a kernel mapping (cache aliasing architectures)",
  pagefault_enable: "include/linux/uaccess.h pagefault_enable(): balances a pagefault_disable()",
  no_alloc: "struct vm_uffd_ops get_folio_noalloc (7.1): must not allocate (v2 08/15)",
  mpol_cond_put: "include/linux/mempolicy.h mpol_cond_put(): drops the reference mpol_shared_policy_lookup() took",
  set_direct_map: "include/linux/set_memory.h set_direct_map_invalid_noflush() / set_direct_map_default_noflush(): int fn(struct page *)",
  direct_map:
    "include/linux/set_memory.h set_direct_map_invalid_noflush(): a page out of the direct map must be put back (set_direct_map_default_noflush()) before it is freed or reused; guest_memfd's NO_DIRECT_MAP series does it in ->free_folio (mm/filemap.c filemap_free_folio()), so a folio that never entered the cache must be restored by the caller",
  direct_map_twice:
    "mm/filemap.c filemap_remove_folio() -> filemap_free_folio() calls a_ops->free_folio, which puts the page back in the direct map (mm/secretmem.c secretmem_free_folio(), guest_memfd's kvm_gmem_free_folio() in the NO_DIRECT_MAP series); the caller's own restore after that undoes prepare a second time, on a folio that is already back",
  direct_map_flush:
    "mm/secretmem.c secretmem_fault() (6.12): set_direct_map_invalid_noflush() then flush_tlb_kernel_range(addr, addr + PAGE_SIZE) before the page is handed out; guest_memfd's kvm_gmem_folio_zap_direct_map() in the NO_DIRECT_MAP series flushes the same way right after the removal (flush_tlb_kernel_range(addr, addr + folio_size(folio)); v7 05/12 <20250924152214.7292-2-roypat@amazon.co.uk>): the *_noflush variants leave stale kernel TLB entries that still reach the page",
  account_locked_vm:
    "mm/util.c account_locked_vm(): takes mmap_write_lock(mm) itself; __account_locked_vm() returns -ENOMEM past RLIMIT_MEMLOCK and WARN_ON_ONCE()s an uncharge of more than locked_vm holds",
  accounting:
    "fs/stat.c inode_add_bytes()/inode_sub_bytes(); include/linux/quotaops.h dquot_alloc_block()/dquot_free_block() (fs/quota/dquot.c __dquot_alloc_space()); mm/util.c __vm_enough_memory() and include/linux/mman.h vm_unacct_memory(); mm/shmem.c shmem_inode_acct_blocks()/shmem_inode_unacct_blocks(), undone on each failure of shmem_mfill_atomic_pte() and by shmem_recalc_inode() once the page left the mapping",
  percpu_counter: "include/linux/percpu_counter.h percpu_counter_limited_add() (lib/percpu_counter.c __percpu_counter_limited_add(): adds only within the limit) / percpu_counter_sub()",
  inode_bytes: "fs/stat.c inode_add_bytes()/inode_sub_bytes(): int fn(struct inode *, loff_t)",
  dquot_block: "include/linux/quotaops.h dquot_alloc_block(): dquot_alloc_space(inode, nr << inode->i_blkbits)",
  direct_map_touch: "arch/x86/mm/pat/set_memory.c: a page removed from the direct map has no kernel mapping; kmap_local_folio() is page_address() on 64-bit (include/linux/highmem-internal.h)",
  filemap_invalidate_lock:
    "include/linux/fs.h filemap_invalidate_lock{,_shared}(): down_write/down_read of mapping->invalidate_lock; mm/filemap.c lock ordering: ->mmap_lock, then ->invalidate_lock (filemap_fault), then ->lock_page",
  gmem_attributes:
    "guest_memfd's per-page attributes live in a maple tree guarded by the mapping's invalidate lock (in-place conversion v8 01/46, <20260618-gmem-inplace-conversion-v8-1-9d2959357853@google.com>: mt_set_external_lock(&gi->attributes, &inode->i_mapping->invalidate_lock)); a conversion stores under filemap_invalidate_lock() held for write (v8 13/46, <20260618-gmem-inplace-conversion-v8-13-9d2959357853@google.com>); an answer read under RCU alone can be stale as soon as it is read, so the caller must hold the invalidate lock while it acts on it (v8 kvm_gmem_is_private_gfn(); Sean Christopherson on the TOCTOU in the user fault path, <aN3KfrWERpXsj3ld@google.com>)",
  mtree_load:
    "include/linux/maple_tree.h mtree_load(): a load from a tree made with MT_FLAGS_USE_RCU takes rcu_read_lock() itself (guest_memfd: mt_init_flags(&gi->attributes, MT_FLAGS_LOCK_EXTERN | MT_FLAGS_USE_RCU) in kvm_gmem_alloc_inode(), v8 01/46); a tree the model cannot place in an inode's info is a wild pointer",
  warn_on: "include/asm-generic/bug.h WARN_ON_ONCE(): a kernel warning with a backtrace; panic_on_warn makes it fatal",
} as const;

export interface CallContext {
  /** The ops member running, for contracts that depend on it (no allocation in get_folio_noalloc). */
  role: string;
  /** Core holds the mmap lock (mfill paths, faults) while the callback runs. */
  mmapLocked: boolean;
  /** What a user copy reads: the byte UFFDIO_COPY's source holds. */
  copyByte: number;
  /** The VMA the callback was called for (install_pte, handle_userfault). */
  vma: Vma | null;
  /** The fault's page, for handle_userfault. */
  page: number;
  /** handle_userfault()'s simulator result, when the glue raised a fault. */
  raised: number | null;
  /** The simulator's handle_userfault() for the fault in progress (the faulting thread bound in). */
  raise: ((reasonBits: number) => number) | null;
}

export interface Location {
  readonly file: string;
  readonly fn: string;
  readonly line: number;
}

export interface ContractViolation extends Location {
  readonly helper: string;
  readonly message: string;
  readonly source: string;
}

/** Things only the simulated core can do, handed in by it (no import cycle). */
export interface CoreHooks {
  installPte(m: Machine, vma: Vma, page: number, folio: number, inCache: boolean, wp: boolean): number;
  /** Is this page of the file shared (may it be mapped to user space)? */
  pageIsShared(file: SimFile, pgoff: number | null): boolean;
}

export const KMAP_BASE = 0x80000000;

/** The key of a page's attribute read (DeclaredC.unlockedAttrReads): file id and page index in one number. */
export function attrKey(file: SimFile, index: number): number {
  return file.id * 0x100000 + index;
}

export function errPtr(errno: number): number {
  return (0x100000000 - errno) >>> 0;
}

export { ERRNO, FOLIO_IN_CACHE, FOLIO_LOCKED, FOLIO_UPTODATE };
