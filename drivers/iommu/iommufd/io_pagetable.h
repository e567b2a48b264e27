/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The I/O page table: which IOVA maps which pinned user memory, and the
 * iommu_domains that carry it to hardware.
 *
 * Sits above pages.c and iova_alloc.c and below the object layer. It knows
 * nothing about file descriptors or object IDs.
 */
#ifndef __IOMMUFD_IO_PAGETABLE_H
#define __IOMMUFD_IO_PAGETABLE_H

#include <linux/interval_tree.h>
#include <linux/rwsem.h>
#include <linux/xarray.h>

#include "account.h"
#include "iova_alloc.h"

struct iommu_domain;
struct iommufd_pages;

/**
 * struct iopt_area - one mapped IOVA range
 * @node: the IOVA range, in &io_pagetable.areas
 * @pages: the pinned memory behind it, referenced
 * @pages_byte: offset of @node.start's memory from @pages->uaddr
 * @iommu_prot: IOMMU_READ/IOMMU_WRITE/IOMMU_CACHE for every domain
 */
struct iopt_area {
	struct interval_tree_node node;
	struct iommufd_pages *pages;
	unsigned long pages_byte;
	int iommu_prot;
};

/**
 * struct io_pagetable - an IOVA space and the domains that mirror it
 * @rwsem: protects every field below; taken for write by anything that
 *	changes the IOVA map or the domain list, for read by lookups
 * @areas: &struct iopt_area by IOVA, never overlapping
 * @reserved: &struct iopt_reserved by IOVA: no area may be placed there
 * @allowed: &struct iopt_allowed: when not empty, the only IOVA that
 *	automatic allocation hands out
 * @holes: the free IOVA that automatic allocation may use: inside @allowed
 *	(or anywhere if it is empty), outside @areas and @reserved, never 0
 * @holes_stale: @holes lost an update to a failed allocation and must be
 *	rebuilt before it is next used
 * @domains: the attached iommu_domains, each holding every area
 * @iova_alignment: the largest minimum page size of @domains (1 without
 *	domains); areas must be aligned to it
 * @disable_large_pages: fill domains with PAGE_SIZE IOPTEs only
 */
struct io_pagetable {
	struct rw_semaphore rwsem;
	struct rb_root_cached areas;
	struct rb_root_cached reserved;
	struct rb_root_cached allowed;
	struct iova_holes holes;
	bool holes_stale;
	struct xarray domains;
	unsigned long iova_alignment;
	bool disable_large_pages;
};

/* Flags for iopt_map_user() and iopt_copy() */
enum {
	IOPT_MAP_FIXED = 1 << 0,
};

void iopt_init(struct io_pagetable *iopt);
void iopt_destroy(struct io_pagetable *iopt);

int iopt_map_user(struct io_pagetable *iopt, unsigned long *iova,
		  unsigned long uptr, unsigned long length, int iommu_prot,
		  unsigned int flags, enum iommufd_acct_mode acct_mode);
int iopt_copy(struct io_pagetable *dst, unsigned long *dst_iova,
	      struct io_pagetable *src, unsigned long src_iova,
	      unsigned long length, int iommu_prot, unsigned int flags);
int iopt_unmap(struct io_pagetable *iopt, unsigned long iova,
	       unsigned long length, unsigned long *unmapped);
int iopt_unmap_all(struct io_pagetable *iopt, unsigned long *unmapped);
bool iopt_range_mapped(struct io_pagetable *iopt, unsigned long start,
		       unsigned long last);

int iopt_reserve(struct io_pagetable *iopt, unsigned long start,
		 unsigned long last, void *owner);
void iopt_unreserve(struct io_pagetable *iopt, void *owner);
int iopt_set_allowed(struct io_pagetable *iopt, const unsigned long *starts,
		     const unsigned long *lasts, unsigned int n);
/* Called with one IOVA range [start, last]; non-zero stops a walk. */
typedef int (*iopt_range_fn)(void *arg, unsigned long start,
			     unsigned long last);
int iopt_walk_usable(struct io_pagetable *iopt, iopt_range_fn fn, void *arg);

int iopt_add_domain(struct io_pagetable *iopt, struct iommu_domain *domain);
void iopt_remove_domain(struct io_pagetable *iopt,
			struct iommu_domain *domain);
int iopt_set_large_pages(struct io_pagetable *iopt, bool enable);

#endif
