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
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>

#include "account.h"
#include "iova_alloc.h"
#include "pages.h"

struct iommu_dirty_bitmap;
struct iommu_domain;
struct iommufd_pages;
struct page;

/**
 * struct iopt_area - one mapped IOVA range
 * @node: the IOVA range, in &io_pagetable.areas
 * @next_gone: the next area an unmap in progress removes, so that it finds
 *	them once (under &io_pagetable.rwsem held for write)
 * @pages: the memory behind it, referenced
 * @use: the part of @pages it maps; registered with @pages, and so pinned,
 *	while the table has domains
 * @pages_byte: offset of @node.start's memory from @pages->uaddr
 * @iommu_prot: IOMMU_READ/IOMMU_WRITE/IOMMU_CACHE for every domain
 * @cpu_pinned: &struct iopt_cpu_pin by IOVA: the parts CPU users pinned
 * @cpu_pins: how many iopt_pin() calls that reached into this area are not
 *	yet undone by iopt_unpin(); the area cannot be unmapped meanwhile
 * @draining: an unmap waits for @cpu_pins to drop to zero; new pins fail.
 *	Set until the area is freed, or cleared when the wait gives up.
 *
 * @cpu_pinned, @cpu_pins and @draining are protected by
 * &io_pagetable.rwsem held for write; the other fields never change while
 * the area is in the table.
 */
struct iopt_area {
	struct interval_tree_node node;
	struct iopt_area *next_gone;
	struct iommufd_pages *pages;
	struct iommufd_pages_use use;
	unsigned long pages_byte;
	int iommu_prot;
	struct rb_root_cached cpu_pinned;
	unsigned int cpu_pins;
	bool draining;
};

/**
 * struct iopt_user - something that reads memory by IOVA with the CPU
 * @item: on &io_pagetable.users
 * @align: the IOVA alignment it needs of every area: PAGE_SIZE for users
 *	that pin pages, 1 for users that only copy
 * @unmap: asks the user to undo every pin it holds in [@iova, @iova +
 *	@length - 1]. Called with no lock of the table held; the user must
 *	not return before those pins are gone. May be NULL for users that
 *	never pin.
 *
 * This is how the table reaches the layers above it: an emulated device's
 * access object hands one of these down with iopt_add_user().
 */
struct iopt_user {
	struct list_head item;
	unsigned long align;
	void (*unmap)(struct iopt_user *user, unsigned long iova,
		      unsigned long length);
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
 * @domains: the attached iommu_domains, each holding every area; an array,
 *	as a table has few and every map walks them
 * @ndomains: how many @domains holds
 * @iova_alignment: the largest minimum page size of @domains (1 without
 *	domains); areas must be aligned to it
 * @disable_large_pages: fill domains with PAGE_SIZE IOPTEs only
 * @users_lock: protects @users against change; held while they are asked
 *	to unpin, so a user being removed is never called afterwards.
 *	Taken before @rwsem.
 * @users: &struct iopt_user, linked by item; changed under both locks
 * @acct_cache: the charging identity of the last map, for the next one;
 *	has its own lock, not under @rwsem
 */
struct io_pagetable {
	struct rw_semaphore rwsem;
	struct rb_root_cached areas;
	struct rb_root_cached reserved;
	struct rb_root_cached allowed;
	struct iova_holes holes;
	bool holes_stale;
	struct iommu_domain **domains;
	unsigned int ndomains;
	unsigned long iova_alignment;
	bool disable_large_pages;
	struct mutex users_lock;	/* see @users_lock above */
	struct list_head users;
	struct iommufd_acct_cache acct_cache;
};

#define iopt_to_area(n) container_of(n, struct iopt_area, node)

/* The first area that overlaps [start, last], or NULL. */
static inline struct iopt_area *iopt_area_first(struct io_pagetable *iopt,
						unsigned long start,
						unsigned long last)
{
	struct interval_tree_node *n;

	n = interval_tree_iter_first(&iopt->areas, start, last);
	return n ? iopt_to_area(n) : NULL;
}

/* The area after @area that overlaps [start, last], or NULL. */
static inline struct iopt_area *iopt_area_next(struct iopt_area *area,
					       unsigned long start,
					       unsigned long last)
{
	struct interval_tree_node *n;

	n = interval_tree_iter_next(&area->node, start, last);
	return n ? iopt_to_area(n) : NULL;
}

static inline unsigned long iopt_area_length(struct iopt_area *area)
{
	return area->node.last - area->node.start + 1;
}

/* Flags for iopt_map_user(), iopt_map_file() and iopt_copy() */
enum {
	IOPT_MAP_FIXED = 1 << 0,
};

void iopt_init(struct io_pagetable *iopt);
void iopt_destroy(struct io_pagetable *iopt);

int iopt_map_user(struct io_pagetable *iopt, unsigned long *iova,
		  unsigned long uptr, unsigned long length, int iommu_prot,
		  unsigned int flags, enum iommufd_acct_mode acct_mode);
int iopt_map_file(struct io_pagetable *iopt, unsigned long *iova,
		  struct file *file, unsigned long start, unsigned long length,
		  int iommu_prot, unsigned int flags,
		  enum iommufd_acct_mode acct_mode);
int iopt_copy(struct io_pagetable *dst, unsigned long *dst_iova,
	      struct io_pagetable *src, unsigned long src_iova,
	      unsigned long length, int iommu_prot, unsigned int flags);
int iopt_unmap(struct io_pagetable *iopt, unsigned long iova,
	       unsigned long length, unsigned long *unmapped);
int iopt_unmap_all(struct io_pagetable *iopt, unsigned long *unmapped);
int iopt_unmap_dirty(struct io_pagetable *iopt, unsigned long iova,
		     unsigned long length, struct iommu_domain *domain,
		     struct iommu_dirty_bitmap *dirty, unsigned long *unmapped);
bool iopt_range_mapped(struct io_pagetable *iopt, unsigned long start,
		       unsigned long last);

int iopt_reserve(struct io_pagetable *iopt, unsigned long start,
		 unsigned long last, void *owner);
void iopt_unreserve(struct io_pagetable *iopt, void *owner);
int iopt_allowed_add(struct rb_root_cached *set, unsigned long start,
		     unsigned long last);
void iopt_allowed_free(struct rb_root_cached *set);
int iopt_set_allowed(struct io_pagetable *iopt, struct rb_root_cached *set);
/* Called with one IOVA range [start, last]; non-zero stops a walk. */
typedef int (*iopt_range_fn)(void *arg, unsigned long start,
			     unsigned long last);
int iopt_walk_usable(struct io_pagetable *iopt, iopt_range_fn fn, void *arg);
/* Called for the part [from, to] of @area inside a span; non-zero stops. */
typedef int (*iopt_span_fn)(struct iopt_area *area, unsigned long from,
			    unsigned long to, void *arg);
int iopt_walk_span(struct io_pagetable *iopt, unsigned long iova,
		   unsigned long last, iopt_span_fn fn, void *arg);
int iopt_walk_areas(struct io_pagetable *iopt, unsigned long start,
		    unsigned long last, iopt_range_fn fn, void *arg);

int iopt_add_domain(struct io_pagetable *iopt, struct iommu_domain *domain);
void iopt_remove_domain(struct io_pagetable *iopt,
			struct iommu_domain *domain);
int iopt_set_large_pages(struct io_pagetable *iopt, bool enable);
int iopt_split_at(struct io_pagetable *iopt, unsigned long iova);

int iopt_set_dirty_tracking(struct io_pagetable *iopt,
			    struct iommu_domain *domain, bool enable);
int iopt_check_dirty_range(struct io_pagetable *iopt,
			   struct iommu_domain *domain, unsigned long iova,
			   unsigned long length);
int iopt_read_dirty(struct io_pagetable *iopt, struct iommu_domain *domain,
		    unsigned long flags, struct iommu_dirty_bitmap *dirty);

int iopt_add_user(struct io_pagetable *iopt, struct iopt_user *user);
void iopt_remove_user(struct io_pagetable *iopt, struct iopt_user *user);
int iopt_pin(struct io_pagetable *iopt, unsigned long iova,
	     unsigned long length, bool write, struct page **out);
void iopt_unpin(struct io_pagetable *iopt, unsigned long iova,
		unsigned long length);
int iopt_rw(struct io_pagetable *iopt, unsigned long iova, void *buf,
	    unsigned long length, bool write);

#endif
