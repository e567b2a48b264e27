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
#include <linux/xarray.h>

#include "account.h"

struct pin_chunk;

/**
 * struct iommufd_pages_use - a part of an iommufd_pages somebody needs pinned
 * @node: the page indexes needed, in &iommufd_pages.uses
 *
 * Embedded in whatever needs the memory: an area while its table has
 * domains, a CPU user's pin, a copy in progress.
 */
struct iommufd_pages_use {
	struct interval_tree_node node;
};

/**
 * struct iommufd_pages - a run of user memory, pinned on demand, charged once
 * @kref: one reference per area (or other holder) that maps the run
 * @uaddr: page-aligned user address of page 0 of the run, in @acct->mm; for
 *	file memory, its offset in @file
 * @npages: number of pages in the run
 * @writable: pinned for write; only then may an area map it writable
 * @file: the shmem file the pages are taken from, or NULL for user memory;
 *	its pages are held by a page reference, not a GUP pin
 * @acct: where pins are charged, referenced and maybe shared with other
 *	runs; @acct->mm is also the memory's mm
 * @lock: protects @uses, @npinned and the entries of @pinned. Taken under
 *	the I/O page table's lock, and before the mm's mmap_lock.
 * @uses: &struct iommufd_pages_use by page index; may overlap
 * @npinned: pages pinned and charged
 * @small: for a run of a few pages, its one chunk, allocated with it
 * @extra: bytes the creator asked to have allocated with the run, pointer
 *	aligned; they live as long as the run and the pages layer never
 *	touches them. NULL when none were asked for.
 * @pinned: the pinned pages, in chunks of consecutive indexes (pages.c).
 *	Exactly the pages some use covers are present; an entry, and the
 *	chunk holding it, are stable while a use covers it, so that use's
 *	holder reads it without @lock.
 *
 * Nothing is pinned when the run is created: a use pins the pages that no
 * other use covers yet, and the last use to let go of a page unpins it.
 * A page is pinned and charged once however many areas, copies and CPU
 * users need it, and the bookkeeping grows with what is pinned, not with
 * the size of the run.
 */
struct iommufd_pages {
	struct kref kref;
	unsigned long uaddr;
	unsigned long npages;
	bool writable;
	struct file *file;
	struct iommufd_acct *acct;
	struct mutex lock;	/* see @lock above */
	struct rb_root_cached uses;
	unsigned long npinned;
	struct pin_chunk *small;
	void *extra;
	struct xarray pinned;
};

struct iommufd_pages *iommufd_pages_create(unsigned long uptr,
					   unsigned long length, bool writable,
					   struct iommufd_acct *acct,
					   size_t extra);
struct iommufd_pages *iommufd_pages_create_file(struct file *file,
						unsigned long start,
						unsigned long length,
						bool writable,
						struct iommufd_acct *acct,
						size_t extra);
void iommufd_pages_put(struct iommufd_pages *pages);

/**
 * iommufd_pages_get() - Take another reference on a run
 * @pages: the run, already referenced by the caller
 */
static inline void iommufd_pages_get(struct iommufd_pages *pages)
{
	kref_get(&pages->kref);
}

int iommufd_pages_use(struct iommufd_pages *pages,
		      struct iommufd_pages_use *use, unsigned long byte,
		      unsigned long length);
void iommufd_pages_shrink_use(struct iommufd_pages *pages,
			      struct iommufd_pages_use *use,
			      unsigned long byte, unsigned long length);
void iommufd_pages_unuse(struct iommufd_pages *pages,
			 struct iommufd_pages_use *use);
unsigned long iommufd_pages_contig(struct iommufd_pages *pages,
				   unsigned long index, unsigned long max,
				   phys_addr_t *phys);

struct page *iommufd_pages_page(struct iommufd_pages *pages,
				unsigned long index);

void iommufd_pages_set_batch(unsigned long npages);

#endif
