/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Pinned user memory: the bottom layer of the I/O page table.
 */
#ifndef __IOMMUFD_PAGES_H
#define __IOMMUFD_PAGES_H

#include <linux/interval_tree.h>
#include <linux/kref.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/mutex.h>

#include "account.h"

/**
 * struct iommufd_pages_use - a part of an iommufd_pages somebody maps
 * @node: the page indexes used, in &iommufd_pages.uses
 *
 * Embedded in whatever maps the memory (an area, a slice being copied).
 */
struct iommufd_pages_use {
	struct interval_tree_node node;
};

/**
 * struct iommufd_pages - a run of user memory, pinned and charged once
 * @kref: one reference per use, plus the pinner's until it drops it
 * @uaddr: page-aligned user address of @pages[0]; for file memory, its
 *	offset in @file
 * @npages: number of pages in the run
 * @writable: pinned for write; only then may an area map it writable
 * @file: the shmem file the pages were taken from, or NULL for user memory;
 *	its pages are held by a page reference, not a GUP pin
 * @acct: where the pins are charged
 * @lock: protects @uses, @npinned and the entries of @pages that no use
 *	covers
 * @uses: &struct iommufd_pages_use by page index; may overlap
 * @npinned: pages still pinned and charged
 * @pages: the pinned pages, in user address order; NULL where a page was
 *	unpinned because no use covered it any more
 *
 * IOAS_COPY and splits share one iommufd_pages between areas, so memory is
 * pinned and charged once however many I/O page tables map it. A page that
 * no use covers is unpinned at once: a small copy does not keep the rest
 * of a large map pinned after that map is gone. A page some use covers
 * stays put, so its entry is read without the lock by that use's holder.
 */
struct iommufd_pages {
	struct kref kref;
	unsigned long uaddr;
	unsigned long npages;
	bool writable;
	struct file *file;
	struct iommufd_acct acct;
	struct mutex lock;	/* see @lock above */
	struct rb_root_cached uses;
	unsigned long npinned;
	struct page **pages;
};

struct iommufd_pages *iommufd_pages_pin(unsigned long uptr,
					unsigned long length, bool writable,
					enum iommufd_acct_mode mode);
struct iommufd_pages *iommufd_pages_pin_file(struct file *file,
					     unsigned long start,
					     unsigned long length,
					     bool writable,
					     enum iommufd_acct_mode mode);
void iommufd_pages_put(struct iommufd_pages *pages);
void iommufd_pages_use(struct iommufd_pages *pages,
		       struct iommufd_pages_use *use, unsigned long byte,
		       unsigned long length);
void iommufd_pages_shrink_use(struct iommufd_pages *pages,
			      struct iommufd_pages_use *use,
			      unsigned long byte, unsigned long length);
void iommufd_pages_unuse(struct iommufd_pages *pages,
			 struct iommufd_pages_use *use);

/**
 * iommufd_pages_phys() - Physical address of a byte of pinned memory
 * @pages: the pinned memory
 * @byte: offset from @pages->uaddr, below @pages->npages * PAGE_SIZE
 */
static inline phys_addr_t iommufd_pages_phys(struct iommufd_pages *pages,
					     unsigned long byte)
{
	return page_to_phys(pages->pages[byte >> PAGE_SHIFT]) +
	       (byte & ~PAGE_MASK);
}

void iommufd_pages_set_batch(unsigned long npages);

#endif
