/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Pinned user memory: the bottom layer of the I/O page table.
 */
#ifndef __IOMMUFD_PAGES_H
#define __IOMMUFD_PAGES_H

#include <linux/kref.h>
#include <linux/io.h>
#include <linux/mm.h>

#include "account.h"

/**
 * struct iommufd_pages - a run of user memory, pinned and charged once
 * @kref: one reference per area (in any IOAS) that maps a part of it
 * @uaddr: page-aligned user address of @pages[0]
 * @npages: number of pinned pages
 * @writable: pinned for write; only then may an area map it writable
 * @acct: where the pins are charged
 * @pages: the pinned pages, in user address order
 *
 * Everything is fixed once iommufd_pages_pin() returns: the structure is
 * read without locks by every holder of a reference. IOAS_COPY shares one
 * iommufd_pages between IOASes, so the memory is pinned and charged once
 * however many I/O page tables map it.
 */
struct iommufd_pages {
	struct kref kref;
	unsigned long uaddr;
	unsigned long npages;
	bool writable;
	struct iommufd_acct acct;
	struct page **pages;
};

struct iommufd_pages *iommufd_pages_pin(unsigned long uptr,
					unsigned long length, bool writable,
					enum iommufd_acct_mode mode);
void iommufd_pages_put(struct iommufd_pages *pages);

static inline struct iommufd_pages *
iommufd_pages_get(struct iommufd_pages *pages)
{
	kref_get(&pages->kref);
	return pages;
}

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
