// SPDX-License-Identifier: GPL-2.0
/*
 * guest_memfd's own functions that gmem.uffd.ts names: the per-page
 * shared-ness predicate (guard.shared) and the inode-info accessor the
 * shared-policy allocator reads (copy.alloc.policy.info).  uffdkit compiles
 * this file with the emitted callbacks and runs it under its contract model;
 * in the kernel they live in virt/kvm/guest_memfd.c, as the in-place
 * conversion series has them:
 *
 * - "guest_memfd: In-place conversion support" v8 (Ackerley Tng, Sean
 *   Christopherson et al.), 01/46 "KVM: guest_memfd: Introduce per-gmem
 *   attributes, use to guard user mappings",
 *   <20260618-gmem-inplace-conversion-v8-1-9d2959357853@google.com>:
 *   struct gmem_inode gains a maple tree of attributes with an entry for
 *   every index of the inode, written as value entries, guarded by the
 *   mapping's invalidate lock (mt_set_external_lock()) and read under RCU
 *   (MT_FLAGS_USE_RCU) with mtree_load();
 * - 13/46 "KVM: guest_memfd: Add base support for KVM_SET_MEMORY_ATTRIBUTES2",
 *   <20260618-gmem-inplace-conversion-v8-13-9d2959357853@google.com>:
 *   a conversion stores the new attributes with the invalidate lock held for
 *   write.
 *
 * The model keeps the tree's contents as the simulator's per-page
 * shared/private state, which its conversion changes; so the answer below
 * comes from running this C, not from a scenario.
 */
#include <linux/fs.h>
#include <linux/kvm_host.h>
#include <linux/maple_tree.h>
#include <linux/mempolicy.h>

/*
 * The inode's private part.  Only the members the uffd code reaches are
 * here: the NUMA shared policy alloc_folio() reads, the VFS inode it wraps,
 * the creation flags and the attribute tree.  The series' struct also holds
 * the list of gmem files bound to the inode.
 */
struct gmem_inode {
	struct shared_policy policy;
	struct inode vfs_inode;
	u64 flags;
	struct maple_tree attributes;
};

static __always_inline struct gmem_inode *GMEM_I(struct inode *inode)
{
	return container_of(inode, struct gmem_inode, vfs_inode);
}

/*
 * May user space map the page at @index?  Only if it is not private.
 *
 * The tree covers every index below i_size from creation on, so an absent
 * entry is a bug worth a warning.
 *
 * The answer is only as fresh as the lock held around it: a caller that acts
 * on it (takes or adds the page's folio) must hold the invalidate lock, at
 * least shared, from the check to the reference, or a conversion to private
 * slips in between (Sean Christopherson, <aN3KfrWERpXsj3ld@google.com>).
 */
bool kvm_gmem_is_shared_mem(struct inode *inode, pgoff_t index)
{
	void *entry = mtree_load(&GMEM_I(inode)->attributes, index);

	/* xa_to_value(NULL) is 0: no attributes, as 01/46 reads a missing entry. */
	WARN_ON_ONCE(!entry);
	return !(xa_to_value(entry) & KVM_MEMORY_ATTRIBUTE_PRIVATE);
}
