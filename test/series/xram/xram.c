// SPDX-License-Identifier: GPL-2.0
/*
 * xram: a character device whose memory lives in the page cache of the
 * device node's inode.  mmap() it with MAP_SHARED and every page reads as
 * zero until written; all openers of the node share the pages.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pagemap.h>

#define XRAM_SIZE	(16UL << 20)

static vm_fault_t xram_fault(struct vm_fault *vmf)
{
	struct inode *inode = file_inode(vmf->vma->vm_file);
	struct folio *folio;

	if (vmf->pgoff >= XRAM_SIZE >> PAGE_SHIFT)
		return VM_FAULT_SIGBUS;

	folio = filemap_grab_folio(inode->i_mapping, vmf->pgoff);
	if (IS_ERR(folio))
		return vmf_error(PTR_ERR(folio));

	if (!folio_test_uptodate(folio)) {
		folio_zero_range(folio, 0, folio_size(folio));
		folio_mark_uptodate(folio);
	}

	vmf->page = folio_file_page(folio, vmf->pgoff);
	return VM_FAULT_LOCKED;
}

static const struct vm_operations_struct xram_vm_ops = {
	.fault		= xram_fault,
};

static int xram_open(struct inode *inode, struct file *file)
{
	/* The size is what the fault path and userfaultfd check against. */
	inode_lock(inode);
	if (i_size_read(inode) != XRAM_SIZE)
		i_size_write(inode, XRAM_SIZE);
	inode_unlock(inode);
	return 0;
}

static int xram_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;

	vma->vm_ops = &xram_vm_ops;
	return 0;
}

static const struct file_operations xram_fops = {
	.owner		= THIS_MODULE,
	.open		= xram_open,
	.mmap		= xram_mmap,
};

static struct miscdevice xram_dev = {
	.minor		= MISC_DYNAMIC_MINOR,
	.name		= "xram",
	.fops		= &xram_fops,
	.mode		= 0600,
};

module_misc_device(xram_dev);

MODULE_DESCRIPTION("RAM character device backed by the page cache");
MODULE_LICENSE("GPL");
