// SPDX-License-Identifier: GPL-2.0
/*
 * guest_memfd's own functions that gmem-nodirectmap.uffd.ts names: the
 * NO_DIRECT_MAP step of UFFDIO_COPY, its undo, and ->free_folio.  uffdkit
 * compiles this file with the emitted callbacks and runs it under its
 * contract model; in the kernel they live in virt/kvm/guest_memfd.c.
 */
#include <linux/pagemap.h>
#include <linux/set_memory.h>
#include <asm/tlbflush.h>

/*
 * Take a filled folio out of the direct map before it enters the page cache.
 * Splitting a large direct-map page can fail: the errno goes to the caller.
 *
 * The _noflush removal leaves the kernel's TLB entries for the page in place,
 * so the page stays reachable through them until the range is flushed.  The
 * kernel flushes right after such a removal: mm/secretmem.c secretmem_fault()
 * (flush_tlb_kernel_range() over the page), and guest_memfd's own
 * kvm_gmem_folio_zap_direct_map() in the NO_DIRECT_MAP series (v7 05/12,
 * <20250924152214.7292-2-roypat@amazon.co.uk>: over folio_size()).
 */
int kvm_gmem_folio_zap_direct_map(struct inode *inode, struct folio *folio)
{
	unsigned long addr = (unsigned long)folio_address(folio);
	int err;

	err = set_direct_map_invalid_noflush(folio_page(folio, 0));
	if (err)
		return err;

	flush_tlb_kernel_range(addr, addr + folio_size(folio));
	return 0;
}

/* Put a folio that never entered the page cache back into the direct map. */
void kvm_gmem_folio_restore_direct_map(struct inode *inode, struct folio *folio)
{
	set_direct_map_default_noflush(folio_page(folio, 0));
}

/* ->free_folio: the page cache let go of the folio; give the kernel its page back. */
void kvm_gmem_free_folio(struct folio *folio)
{
	set_direct_map_default_noflush(folio_page(folio, 0));
}
