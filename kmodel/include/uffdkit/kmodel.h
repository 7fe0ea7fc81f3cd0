/* SPDX-License-Identifier: GPL-2.0 */
/*
 * uffdkit's contract model of the kernel, C side.
 *
 * The emitted callbacks of a declared memory type are compiled against this
 * header (clang --target=wasm32) and run inside the simulator.  Types carry
 * only the fields the callbacks read; every mm helper they may call is a
 * macro that forwards to an import implemented by the simulator
 * (src/run/c/contracts.ts), passing the caller's function and line so a
 * broken contract is reported at the C line that broke it.
 *
 * Pure arithmetic (IS_ERR, linear_page_index, DIV_ROUND_UP, ...) is written
 * here as the kernel defines it; everything with state goes to the host.
 * Written for uffdkit; the names and prototypes follow the kernel's
 * (include/linux/{mm,pagemap,err,userfaultfd_k}.h) so the emitted file
 * compiles unchanged.
 */
#ifndef UFFDKIT_KMODEL_H
#define UFFDKIT_KMODEL_H

#define CONFIG_USERFAULTFD 1
#define CONFIG_NUMA 1

#define NULL ((void *)0)
#define true 1
#define false 0
typedef _Bool bool;
typedef unsigned char u8;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef long long s64;
typedef unsigned long size_t;
typedef long long loff_t;
typedef long long qsize_t;
typedef unsigned long pgoff_t;
typedef unsigned long vm_flags_t;
typedef unsigned int gfp_t;
typedef unsigned int vm_fault_t;
typedef unsigned int uffd_flags_t;
typedef struct { unsigned long pmd; } pmd_t;

#define __user
#define __always_inline inline
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define BIT(n) (1UL << (n))
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))
#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)

/* include/linux/err.h */
#define MAX_ERRNO 4095
#define IS_ERR_VALUE(x) unlikely((unsigned long)(void *)(x) >= (unsigned long)-MAX_ERRNO)
static inline void *ERR_PTR(long error) { return (void *)error; }
static inline long PTR_ERR(const void *ptr) { return (long)ptr; }
static inline bool IS_ERR(const void *ptr) { return IS_ERR_VALUE((unsigned long)ptr); }
static inline bool IS_ERR_OR_NULL(const void *ptr) { return unlikely(!ptr) || IS_ERR_VALUE((unsigned long)ptr); }

/* errno values (include/uapi/asm-generic/errno-base.h, errno.h) */
#define ENOENT 2
#define EIO 5
#define ENOMEM 12
#define EACCES 13
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define EINVAL 22
#define ENOSPC 28
#define EAGAIN 11
#define EDQUOT 122

/* gfp flags: values only need to be distinct here. */
#define __GFP_WRITE 0x1000u
#define GFP_KERNEL 0x0cc0u
#define GFP_HIGHUSER_MOVABLE 0x1cdau
#define GFP_NOWAIT 0x0800u

/* VM_SHARED and VM_UFFD_* come from the prelude the harness writes (src/run/c/harness.ts). */

/* enum vm_fault_reason (include/linux/mm_types.h) */
#define VM_FAULT_SIGBUS 0x000002u
#define VM_FAULT_RETRY 0x000400u

/* _UFFDIO_* come from the prelude too (src/kernel/uapi.ts UFFDIO_NR). */

/* enum mfill_atomic_mode (include/linux/userfaultfd_k.h) */
enum mfill_atomic_mode {
	MFILL_ATOMIC_COPY,
	MFILL_ATOMIC_ZEROPAGE,
	MFILL_ATOMIC_CONTINUE,
	MFILL_ATOMIC_POISON,
	NR_MFILL_ATOMIC_MODES,
};
#define MFILL_ATOMIC_MODE_MASK 0x7u
static inline bool uffd_flags_mode_is(uffd_flags_t flags, enum mfill_atomic_mode expected)
{
	return (flags & MFILL_ATOMIC_MODE_MASK) == (uffd_flags_t)expected;
}

/* The objects, with only the fields callbacks read.  uk_id ties each to the simulator's. */
struct page { int uk_pad; };
struct inode;
struct address_space { struct inode *host; gfp_t gfp_mask; int uk_id; };
struct inode { struct address_space *i_mapping; struct address_space i_data; loff_t i_size; int uk_id; };
struct file { struct address_space *f_mapping; struct inode *f_inode; };
struct mm_struct { int uk_id; };
struct vm_operations_struct;
struct vm_area_struct {
	unsigned long vm_start;
	unsigned long vm_end;
	pgoff_t vm_pgoff;
	vm_flags_t vm_flags;
	struct file *vm_file;
	struct mm_struct *vm_mm;
	int uk_id;
};
struct folio { struct page page; struct address_space *mapping; pgoff_t index; int uk_id; };
struct vm_fault { struct vm_area_struct *vma; pgoff_t pgoff; unsigned long address; unsigned int flags; };
struct mempolicy { int uk_id; };
struct shared_policy { int uk_id; };
struct task_struct;
#define current ((struct task_struct *)0)

/* include/linux/container_of.h */
#define container_of(ptr, type, member) ((type *)((char *)(ptr) - __builtin_offsetof(type, member)))

/* include/linux/xarray.h: an integer stored as a tagged pointer (a value entry). */
static inline void *xa_mk_value(unsigned long v) { return (void *)((v << 1) | 1); }
static inline unsigned long xa_to_value(const void *entry) { return (unsigned long)entry >> 1; }

/*
 * include/uapi/linux/kvm.h: the PRIVATE memory attribute.  guest_memfd keeps
 * one value entry of attributes per page of the inode in a maple tree
 * (struct gmem_inode.attributes), from the in-place conversion series:
 * v8 01/46 <20260618-gmem-inplace-conversion-v8-1-9d2959357853@google.com>.
 */
#define KVM_MEMORY_ATTRIBUTE_PRIVATE (1ULL << 3)

/*
 * include/linux/maple_tree.h.  The model keeps no tree: mtree_load() on a
 * tree that lives in a type's inode info (next to the inode, as struct
 * gmem_inode's attributes do) answers from the simulator's per-page
 * shared/private state, which the simulated conversion updates under the
 * invalidate lock held for write.
 */
struct maple_tree { unsigned int ma_flags; void *ma_root; };

/* enum sgp_type (mm/shmem.c): only the getter mode the emitted C uses. */
enum sgp_type { SGP_READ, SGP_NOALLOC, SGP_CACHE, SGP_WRITE, SGP_FALLOC };

static inline struct inode *file_inode(const struct file *f) { return f->f_inode; }
static inline unsigned long vma_pages(const struct vm_area_struct *vma)
{
	return (vma->vm_end - vma->vm_start) >> PAGE_SHIFT;
}
static inline pgoff_t linear_page_index(const struct vm_area_struct *vma, unsigned long address)
{
	return ((address - vma->vm_start) >> PAGE_SHIFT) + vma->vm_pgoff;
}
static inline gfp_t mapping_gfp_mask(const struct address_space *mapping) { return mapping->gfp_mask; }
static inline bool xa_is_value(const void *entry) { return (unsigned long)entry & 1; }
static inline size_t folio_size(const struct folio *folio) { return PAGE_SIZE; }
static inline struct folio *page_folio(struct page *page) { return (struct folio *)page; }
#define folio_page(folio, n) (&(folio)->page)
static inline struct inode *folio_inode(const struct folio *folio) { return folio->mapping->host; }
static inline bool userfaultfd_missing(const struct vm_area_struct *vma) { return vma->vm_flags & VM_UFFD_MISSING; }
static inline bool userfaultfd_minor(const struct vm_area_struct *vma) { return vma->vm_flags & VM_UFFD_MINOR; }
static inline bool userfaultfd_armed(const struct vm_area_struct *vma) { return vma->vm_flags & __VM_UFFD_FLAGS; }
static inline int numa_node_id(void) { return 0; }
#define kunmap_local(addr) ((void)(addr))

/*
 * Helpers with state: imports answered by the simulator, each checking the
 * kernel's contract for it.  UK_AT appends the caller's function and line.
 */
#define UK_AT __func__, __LINE__
#define UK_IMPORT(name) __attribute__((import_module("kmodel"), import_name(#name)))

UK_IMPORT(folio_lock) void uk_folio_lock(struct folio *f, const char *fn, int line);
UK_IMPORT(folio_unlock) void uk_folio_unlock(struct folio *f, const char *fn, int line);
UK_IMPORT(folio_get) void uk_folio_get(struct folio *f, const char *fn, int line);
UK_IMPORT(folio_put) void uk_folio_put(struct folio *f, const char *fn, int line);
UK_IMPORT(folio_test_uptodate) bool uk_folio_test_uptodate(struct folio *f, const char *fn, int line);
UK_IMPORT(folio_test_locked) bool uk_folio_test_locked(struct folio *f, const char *fn, int line);
UK_IMPORT(folio_mark_uptodate) void uk_folio_mark_uptodate(struct folio *f, int atomic, const char *fn, int line);
UK_IMPORT(folio_zero_range) void uk_folio_zero_range(struct folio *f, size_t off, size_t len, const char *fn, int line);
UK_IMPORT(flush_dcache_folio) void uk_flush_dcache_folio(struct folio *f, const char *fn, int line);
UK_IMPORT(folio_set_locked) void uk_folio_set_locked(struct folio *f, int set, const char *fn, int line);
UK_IMPORT(folio_set_swapbacked) void uk_folio_set_swapbacked(struct folio *f, const char *fn, int line);
UK_IMPORT(folio_add_lru) void uk_folio_add_lru(struct folio *f, const char *fn, int line);
UK_IMPORT(filemap_lock_folio) struct folio *uk_filemap_lock_folio(struct address_space *m, pgoff_t index, const char *fn, int line);
UK_IMPORT(filemap_get_folio) struct folio *uk_filemap_get_folio(struct address_space *m, pgoff_t index, const char *fn, int line);
UK_IMPORT(filemap_get_entry) void *uk_filemap_get_entry(struct address_space *m, pgoff_t index, const char *fn, int line);
UK_IMPORT(filemap_alloc_folio) struct folio *uk_filemap_alloc_folio(gfp_t gfp, unsigned int order, struct mempolicy *mpol, const char *fn, int line);
UK_IMPORT(filemap_add_folio) int uk_filemap_add_folio(struct address_space *m, struct folio *f, pgoff_t index, gfp_t gfp, const char *fn, int line);
UK_IMPORT(filemap_remove_folio) void uk_filemap_remove_folio(struct folio *f, const char *fn, int line);
UK_IMPORT(mem_cgroup_charge) int uk_mem_cgroup_charge(struct folio *f, struct mm_struct *mm, gfp_t gfp, const char *fn, int line);
UK_IMPORT(vma_alloc_folio) struct folio *uk_vma_alloc_folio(gfp_t gfp, int order, struct vm_area_struct *vma, unsigned long addr, const char *fn, int line);
UK_IMPORT(folio_alloc_mpol) struct folio *uk_folio_alloc_mpol(gfp_t gfp, unsigned int order, struct mempolicy *mpol, pgoff_t ilx, int nid, const char *fn, int line);
UK_IMPORT(get_vma_policy) struct mempolicy *uk_get_vma_policy(struct vm_area_struct *vma, unsigned long addr, int order, pgoff_t *ilx, const char *fn, int line);
UK_IMPORT(mpol_shared_policy_lookup) struct mempolicy *uk_mpol_shared_policy_lookup(struct shared_policy *sp, pgoff_t idx, const char *fn, int line);
UK_IMPORT(mpol_cond_put) void uk_mpol_cond_put(struct mempolicy *mpol, const char *fn, int line);
UK_IMPORT(get_task_policy) struct mempolicy *uk_get_task_policy(struct task_struct *p, const char *fn, int line);
UK_IMPORT(shmem_get_folio) int uk_shmem_get_folio(struct inode *inode, pgoff_t index, loff_t write_end, struct folio **foliop, enum sgp_type sgp, const char *fn, int line);
UK_IMPORT(i_size_read) long uk_i_size_read(const struct inode *inode, const char *fn, int line);
UK_IMPORT(kmap_local_folio) void *uk_kmap_local_folio(struct folio *f, size_t off, const char *fn, int line);
UK_IMPORT(copy_from_user) unsigned long uk_copy_from_user(void *to, const void __user *from, unsigned long n, const char *fn, int line);
UK_IMPORT(clear_user_highpage) void uk_clear_user_highpage(struct page *page, unsigned long vaddr, const char *fn, int line);
UK_IMPORT(pagefault_disable) void uk_pagefault_disable(int disable, const char *fn, int line);
UK_IMPORT(mfill_atomic_install_pte) int uk_mfill_atomic_install_pte(pmd_t *dst_pmd, struct vm_area_struct *dst_vma, unsigned long dst_addr, struct page *page, bool newly_allocated, uffd_flags_t flags, const char *fn, int line);
UK_IMPORT(set_direct_map) int uk_set_direct_map(struct page *page, int valid, const char *fn, int line);
UK_IMPORT(folio_address) void *uk_folio_address(const struct folio *f, const char *fn, int line);
UK_IMPORT(flush_tlb_kernel_range) void uk_flush_tlb_kernel_range(unsigned long start, unsigned long end);
UK_IMPORT(account_locked_vm) int uk_account_locked_vm(struct mm_struct *mm, unsigned long pages, int inc, const char *fn, int line);
UK_IMPORT(handle_userfault) vm_fault_t uk_handle_userfault(struct vm_fault *vmf, unsigned long reason, const char *fn, int line);
UK_IMPORT(filemap_invalidate_lock) void uk_filemap_invalidate_lock(struct address_space *m, int shared, int lock, const char *fn, int line);
UK_IMPORT(inode_bytes) void uk_inode_bytes(struct inode *inode, loff_t bytes, int add, const char *fn, int line);
UK_IMPORT(dquot_block) int uk_dquot_block(struct inode *inode, qsize_t nr, int alloc, const char *fn, int line);
UK_IMPORT(vm_commit) int uk_vm_commit(struct mm_struct *mm, long pages, int charge, const char *fn, int line);
UK_IMPORT(note_call) void uk_note_call(const char *fn, int line);
UK_IMPORT(mtree_load) void *uk_mtree_load(struct maple_tree *mt, unsigned long index, const char *fn, int line);
UK_IMPORT(warn_on) int uk_warn_on(int cond, const char *what, const char *fn, int line);

#define folio_lock(f) uk_folio_lock((f), UK_AT)
#define folio_unlock(f) uk_folio_unlock((f), UK_AT)
#define folio_get(f) uk_folio_get((f), UK_AT)
#define folio_put(f) uk_folio_put((f), UK_AT)
#define folio_test_uptodate(f) uk_folio_test_uptodate((f), UK_AT)
#define folio_test_locked(f) uk_folio_test_locked((f), UK_AT)
#define folio_mark_uptodate(f) uk_folio_mark_uptodate((f), 1, UK_AT)
#define __folio_mark_uptodate(f) uk_folio_mark_uptodate((f), 0, UK_AT)
#define folio_zero_range(f, off, len) uk_folio_zero_range((f), (off), (len), UK_AT)
#define flush_dcache_folio(f) uk_flush_dcache_folio((f), UK_AT)
#define __folio_set_locked(f) uk_folio_set_locked((f), 1, UK_AT)
#define __folio_clear_locked(f) uk_folio_set_locked((f), 0, UK_AT)
#define __folio_set_swapbacked(f) uk_folio_set_swapbacked((f), UK_AT)
#define folio_set_swapbacked(f) uk_folio_set_swapbacked((f), UK_AT)
#define folio_add_lru(f) uk_folio_add_lru((f), UK_AT)
#define filemap_lock_folio(m, i) uk_filemap_lock_folio((m), (i), UK_AT)
#define filemap_get_folio(m, i) uk_filemap_get_folio((m), (i), UK_AT)
#define filemap_get_entry(m, i) ((struct folio *)uk_filemap_get_entry((m), (i), UK_AT))
#define filemap_add_folio(m, f, i, g) uk_filemap_add_folio((m), (f), (i), (g), UK_AT)
#define filemap_remove_folio(f) uk_filemap_remove_folio((f), UK_AT)
#define mem_cgroup_charge(f, mm, g) uk_mem_cgroup_charge((f), (mm), (g), UK_AT)
#define vma_alloc_folio(g, o, v, a) uk_vma_alloc_folio((g), (o), (v), (a), UK_AT)
#define folio_alloc_mpol(g, o, p, i, n) uk_folio_alloc_mpol((g), (o), (p), (i), (n), UK_AT)
#define get_vma_policy(v, a, o, i) uk_get_vma_policy((v), (a), (o), (i), UK_AT)
#define mpol_shared_policy_lookup(sp, i) uk_mpol_shared_policy_lookup((sp), (i), UK_AT)
#define mpol_cond_put(p) uk_mpol_cond_put((p), UK_AT)
#define get_task_policy(p) uk_get_task_policy((p), UK_AT)
#define shmem_get_folio(i, x, w, f, s) uk_shmem_get_folio((i), (x), (w), (f), (s), UK_AT)
#define i_size_read(inode) ((loff_t)uk_i_size_read((inode), UK_AT))
#define kmap_local_folio(f, off) uk_kmap_local_folio((f), (off), UK_AT)
#define copy_from_user(to, from, n) uk_copy_from_user((to), (from), (n), UK_AT)
#define clear_user_highpage(p, va) uk_clear_user_highpage((p), (va), UK_AT)
#define pagefault_disable() uk_pagefault_disable(1, UK_AT)
#define pagefault_enable() uk_pagefault_disable(0, UK_AT)
#define mfill_atomic_install_pte(pmd, v, a, p, n, fl) uk_mfill_atomic_install_pte((pmd), (v), (a), (p), (n), (fl), UK_AT)
#define handle_userfault(vmf, reason) uk_handle_userfault((vmf), (reason), UK_AT)
/* include/linux/set_memory.h: take a page out of the kernel's direct map, and put it back. */
#define set_direct_map_invalid_noflush(p) uk_set_direct_map((p), 0, UK_AT)
#define set_direct_map_default_noflush(p) uk_set_direct_map((p), 1, UK_AT)
/* include/linux/mm.h: the folio's address in the direct map. */
#define folio_address(f) uk_folio_address((f), UK_AT)
/* asm/tlbflush.h: drop the kernel TLB entries of [start, end) on every CPU. */
#define flush_tlb_kernel_range(s, e) uk_flush_tlb_kernel_range((s), (e))
/* mm/util.c: charge (inc) or uncharge pages to the mm's locked_vm, checked against RLIMIT_MEMLOCK. */
#define account_locked_vm(mm, pages, inc) uk_account_locked_vm((mm), (pages), (inc), UK_AT)
/* include/linux/fs.h: the mapping's invalidate_lock, an rw_semaphore. */
#define filemap_invalidate_lock_shared(m) uk_filemap_invalidate_lock((m), 1, 1, UK_AT)
#define filemap_invalidate_unlock_shared(m) uk_filemap_invalidate_lock((m), 1, 0, UK_AT)
#define filemap_invalidate_lock(m) uk_filemap_invalidate_lock((m), 0, 1, UK_AT)
#define filemap_invalidate_unlock(m) uk_filemap_invalidate_lock((m), 0, 0, UK_AT)
/*
 * Per-inode and per-user accounting, charged and uncharged in pairs
 * (src/run/c/accounting.ts): fs/stat.c inode_add_bytes()/inode_sub_bytes();
 * include/linux/quotaops.h dquot_{alloc,free}_block{,_nodirty}(), which charge
 * the user's quota and the inode's bytes (nr << i_blkbits; i_blkbits is
 * PAGE_SHIFT here, as for tmpfs); mm/util.c __vm_enough_memory() behind
 * security_vm_enough_memory_mm(), and include/linux/mman.h vm_unacct_memory().
 */
#define inode_add_bytes(inode, bytes) uk_inode_bytes((inode), (bytes), 1, UK_AT)
#define inode_sub_bytes(inode, bytes) uk_inode_bytes((inode), (bytes), 0, UK_AT)
#define dquot_alloc_block(inode, nr) uk_dquot_block((inode), (nr), 1, UK_AT)
#define dquot_alloc_block_nodirty(inode, nr) uk_dquot_block((inode), (nr), 1, UK_AT)
#define dquot_free_block(inode, nr) ((void)uk_dquot_block((inode), (nr), 0, UK_AT))
#define dquot_free_block_nodirty(inode, nr) ((void)uk_dquot_block((inode), (nr), 0, UK_AT))
#define security_vm_enough_memory_mm(mm, pages) uk_vm_commit((mm), (pages), 1, UK_AT)
#define vm_unacct_memory(pages) ((void)uk_vm_commit(NULL, (pages), 0, UK_AT))
/*
 * include/linux/percpu_counter.h: a counter used for accounting (tmpfs's
 * sbinfo->used_blocks) is charged by percpu_counter_limited_add(), which adds
 * only within the limit (lib/percpu_counter.c __percpu_counter_limited_add()),
 * and given back by percpu_counter_sub().  The model pairs them on a counter
 * that has been limited-added; any other counter is only counted.
 */
struct percpu_counter { s64 count; };
UK_IMPORT(percpu_counter) int uk_percpu_counter(struct percpu_counter *fbc, s64 amount, s64 limit, int limited, s64 count, const char *fn, int line);
static inline bool uk_percpu_counter_add(struct percpu_counter *fbc, s64 amount, s64 limit, int limited, const char *fn, int line)
{
	if (!uk_percpu_counter(fbc, amount, limit, limited, fbc->count, fn, line))
		return false;
	fbc->count += amount;
	return true;
}
#define percpu_counter_limited_add(fbc, limit, amount) uk_percpu_counter_add((fbc), (amount), (limit), 1, UK_AT)
#define percpu_counter_add(fbc, amount) ((void)uk_percpu_counter_add((fbc), (amount), 0, 0, UK_AT))
#define percpu_counter_sub(fbc, amount) ((void)uk_percpu_counter_add((fbc), -(s64)(amount), 0, 0, UK_AT))
#define percpu_counter_inc(fbc) percpu_counter_add((fbc), 1)
#define percpu_counter_dec(fbc) percpu_counter_add((fbc), -1)
static inline s64 percpu_counter_read(struct percpu_counter *fbc) { return fbc->count; }
static inline s64 percpu_counter_sum(struct percpu_counter *fbc) { return fbc->count; }

/* Where the C calls a function of the type's that runs as a stand-in (the harness wraps each in it). */
#define UK_NOTE_CALL() uk_note_call(UK_AT)
/*
 * include/linux/maple_tree.h mtree_load(): the entry at @index, read under
 * RCU (a tree made with MT_FLAGS_USE_RCU needs no lock to load; the caller
 * must hold the lock that orders the answer against writers for as long as
 * it acts on it).
 */
#define mtree_load(mt, i) uk_mtree_load((mt), (i), UK_AT)
/* include/asm-generic/bug.h: a WARN is a kernel splat, and a finding here. */
#define WARN_ON_ONCE(c) uk_warn_on(!!(c), #c, UK_AT)

/*
 * filemap_alloc_folio(): two arguments up to 6.x, three (with a mempolicy)
 * in the 7.x tree the vm_uffd_ops series is based on.  UK_FILEMAP_ALLOC_MPOL
 * is set by the harness from the generation's helper table.
 */
#ifdef UK_FILEMAP_ALLOC_MPOL
#define filemap_alloc_folio(g, o, p) uk_filemap_alloc_folio((g), (o), (p), UK_AT)
#else
#define filemap_alloc_folio(g, o) uk_filemap_alloc_folio((g), (o), NULL, UK_AT)
#endif

/* Exports are no-ops when the code runs in the simulator. */
#define EXPORT_SYMBOL(s)
#define EXPORT_SYMBOL_GPL(s)
#define EXPORT_SYMBOL_FOR_KVM(s)
#define EXPORT_SYMBOL_FOR_MODULES(s, m)

#endif /* UFFDKIT_KMODEL_H */
