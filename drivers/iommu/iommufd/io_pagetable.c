// SPDX-License-Identifier: GPL-2.0-only
/*
 * The I/O page table.
 *
 * An io_pagetable is the software truth of one I/O address space: a set of
 * non-overlapping areas, each mapping a slice of some pinned user memory
 * (struct iommufd_pages) at an IOVA. Every iommu_domain attached to it holds
 * the same translation at all times: an area enters every domain before it
 * becomes visible, and leaves every domain, IOTLB included, before its
 * memory can be unpinned.
 *
 * Reserved ranges (device MSI windows, the parts of the IOVA space a domain
 * cannot translate) block mapping; allowed ranges only steer automatic IOVA
 * allocation. The free space that automatic allocation uses is kept in an
 * iova_holes tree, updated on every change and rebuilt from the interval
 * trees when an update could not allocate memory.
 */
#include <linux/iommu.h>
#include <linux/lockdep.h>
#include <linux/log2.h>
#include <linux/overflow.h>
#include <linux/slab.h>

#include "io_pagetable.h"
#include "pages.h"

/**
 * struct iopt_reserved - IOVA no area may use
 * @node: the range, in &io_pagetable.reserved; ranges may overlap
 * @owner: who reserved it, to remove it again
 */
struct iopt_reserved {
	struct interval_tree_node node;
	void *owner;
};

/**
 * struct iopt_allowed - IOVA automatic allocation may use
 * @node: the range, in &io_pagetable.allowed; ranges never overlap
 */
struct iopt_allowed {
	struct interval_tree_node node;
};

/*
 * A slice of memory that becomes one area; holds a reference on its pages.
 * @area, when set, is the memory for that area, allocated with the pages;
 * the area then takes over the slice's reference once it is in the table,
 * and the slice must be the only one of its insert_slices() call.
 */
struct iopt_slice {
	struct iommufd_pages *pages;
	unsigned long pages_byte;
	unsigned long length;
	struct iopt_area *area;
};

#define to_reserved(n) container_of(n, struct iopt_reserved, node)

/**
 * iopt_init() - Set up an empty I/O page table
 * @iopt: the table
 */
void iopt_init(struct io_pagetable *iopt)
{
	init_rwsem(&iopt->rwsem);
	iopt->areas = RB_ROOT_CACHED;
	iopt->reserved = RB_ROOT_CACHED;
	iopt->allowed = RB_ROOT_CACHED;
	iova_holes_init(&iopt->holes);
	iopt->holes_stale = true;
	iopt->domains = NULL;
	iopt->ndomains = 0;
	iopt->iova_alignment = 1;
	iopt->disable_large_pages = false;
	mutex_init(&iopt->users_lock);
	INIT_LIST_HEAD(&iopt->users);
	iommufd_acct_cache_init(&iopt->acct_cache);
}

/*
 * The free space, rebuilt from scratch: the allowed ranges (or all of the
 * IOVA space) less areas, reserved ranges and IOVA 0, which is never handed
 * out because too many users treat it as "no address".
 */
static int holes_add_free(struct io_pagetable *iopt, unsigned long pos,
			  unsigned long last)
{
	while (pos <= last) {
		struct interval_tree_node *a, *r, *b;
		int rc;

		a = interval_tree_iter_first(&iopt->areas, pos, last);
		r = interval_tree_iter_first(&iopt->reserved, pos, last);
		b = (!a || (r && r->start < a->start)) ? r : a;
		if (!b)
			return iova_holes_add(&iopt->holes, pos, last);
		if (b->start > pos) {
			rc = iova_holes_add(&iopt->holes, pos, b->start - 1);
			if (rc)
				return rc;
		}
		if (b->last >= last)
			break;
		pos = b->last + 1;
	}
	return 0;
}

static int holes_rebuild(struct io_pagetable *iopt)
{
	struct interval_tree_node *n;
	int rc = 0;

	iova_holes_destroy(&iopt->holes);
	iova_holes_init(&iopt->holes);
	if (RB_EMPTY_ROOT(&iopt->allowed.rb_root))
		return holes_add_free(iopt, 1, ULONG_MAX);

	for (n = interval_tree_iter_first(&iopt->allowed, 0, ULONG_MAX);
	     n && !rc; n = interval_tree_iter_next(n, 0, ULONG_MAX))
		rc = holes_add_free(iopt, max(n->start, 1UL), n->last);
	return rc;
}

static int holes_get(struct io_pagetable *iopt)
{
	int rc;

	lockdep_assert_held_write(&iopt->rwsem);
	if (!iopt->holes_stale)
		return 0;
	rc = holes_rebuild(iopt);
	iopt->holes_stale = rc != 0;
	return rc;
}

/* [start, last] was taken by an area or a reservation. */
static void holes_take(struct io_pagetable *iopt, unsigned long start,
		       unsigned long last)
{
	if (!iopt->holes_stale &&
	    iova_holes_remove(&iopt->holes, start, last))
		iopt->holes_stale = true;
}

/* An area at [start, last] went away: its allowed part is free again. */
static void holes_give(struct io_pagetable *iopt, unsigned long start,
		       unsigned long last)
{
	struct interval_tree_node *n;

	if (iopt->holes_stale)
		return;
	if (!start) {
		if (!last)
			return;
		start = 1;
	}
	if (RB_EMPTY_ROOT(&iopt->allowed.rb_root)) {
		if (iova_holes_add(&iopt->holes, start, last))
			iopt->holes_stale = true;
		return;
	}
	for (n = interval_tree_iter_first(&iopt->allowed, start, last); n;
	     n = interval_tree_iter_next(n, start, last)) {
		if (iova_holes_add(&iopt->holes, max(n->start, start),
				   min(n->last, last))) {
			iopt->holes_stale = true;
			return;
		}
	}
}

/*
 * Choose an IOVA for @length bytes of memory at @uptr. The preferred
 * alignment keeps as much of the user address's alignment as the length can
 * use, so that transparent huge pages and hugetlbfs pages become large
 * IOPTEs; if no hole fits that, any hole that fits the required alignment is
 * used. The IOVA keeps the user address's offset within its page.
 */
static int alloc_iova(struct io_pagetable *iopt, unsigned long uptr,
		      unsigned long length, unsigned long *iova)
{
	unsigned long offset = uptr & ~PAGE_MASK;
	unsigned long need = iopt->iova_alignment;
	unsigned long want, span, found;
	int rc;

	if (length > ULONG_MAX / 4)
		return -EOVERFLOW;
	rc = holes_get(iopt);
	if (rc)
		return rc;

	span = length + offset;
	/*
	 * The IOVA keeps the user address's offset within its page, so even
	 * the fallback needs page alignment (or, for less than a page, the
	 * alignment the length can use).
	 */
	need = max(need, offset ? PAGE_SIZE :
		   min_t(unsigned long, PAGE_SIZE, roundup_pow_of_two(span)));
	want = roundup_pow_of_two(span);
	if (uptr & PAGE_MASK)
		want = min(want, 1UL << __ffs(uptr & PAGE_MASK));
	want = min_t(unsigned long, want, SZ_1G);
	want = max(want, need);

	rc = -ENOSPC;
	if (want > need)
		rc = iova_holes_find(&iopt->holes, span, want, &found);
	if (rc)
		rc = iova_holes_find(&iopt->holes, span, need, &found);
	if (rc)
		return rc;
	*iova = found + offset;
	return 0;
}

/* A caller-chosen IOVA range must avoid reserved ranges and areas. */
static int check_fixed(struct io_pagetable *iopt, unsigned long iova,
		       unsigned long last)
{
	if (interval_tree_iter_first(&iopt->reserved, iova, last))
		return -EINVAL;
	if (interval_tree_iter_first(&iopt->areas, iova, last))
		return -EEXIST;
	return 0;
}

/* Whether areas must hold their pages pinned: while there are domains. */
static bool iopt_pins_areas(struct io_pagetable *iopt)
{
	return iopt->ndomains;
}

/*
 * Map @area into @domain, one physically contiguous run at a time (a page
 * at a time without large pages); all or nothing. The area's pages are
 * pinned.
 */
static int area_map_domain(struct io_pagetable *iopt, struct iopt_area *area,
			   struct iommu_domain *domain)
{
	unsigned long iova = area->node.start;
	unsigned long byte = area->pages_byte;
	unsigned long left = iopt_area_length(area);
	int rc;

	while (left) {
		unsigned long off = byte & ~PAGE_MASK;
		unsigned long span = DIV_ROUND_UP(off + left, PAGE_SIZE);
		unsigned long run;
		phys_addr_t phys;

		if (iopt->disable_large_pages)
			span = 1;
		span = iommufd_pages_contig(area->pages, byte >> PAGE_SHIFT,
					    span, &phys);
		run = min(span * PAGE_SIZE - off, left);
		rc = iommu_map(domain, iova, phys + off, run, area->iommu_prot);
		if (rc) {
			if (iova != area->node.start)
				iommu_unmap(domain, area->node.start,
					    iova - area->node.start);
			return rc;
		}
		iova += run;
		byte += run;
		left -= run;
		if (left)
			cond_resched();
	}
	return 0;
}

static void area_unmap_domain(struct iopt_area *area,
			      struct iommu_domain *domain)
{
	size_t done = iommu_unmap(domain, area->node.start, iopt_area_length(area));

	WARN_ON(done != iopt_area_length(area));
}

/* Put @area into every domain, or into none. */
static int area_map_all(struct io_pagetable *iopt, struct iopt_area *area)
{
	unsigned int i;
	int rc;

	for (i = 0; i < iopt->ndomains; i++) {
		rc = area_map_domain(iopt, area, iopt->domains[i]);
		if (rc)
			goto err_undo;
	}
	return 0;

err_undo:
	while (i--)
		area_unmap_domain(area, iopt->domains[i]);
	return rc;
}

/*
 * The area a map made lives in its pages' allocation (map_pages()) and
 * goes with them; any other area was allocated on its own.
 */
static bool area_in_pages(struct iopt_area *area)
{
	return area == area->pages->extra;
}

/* Drop @area's reference on its pages and free it; it is in no tree. */
static void area_release(struct iopt_area *area)
{
	struct iommufd_pages *pages = area->pages;

	if (!area_in_pages(area))
		kfree(area);
	iommufd_pages_put(pages);
}

/*
 * Forget an area that no domain maps any more (iommu_unmap() has flushed
 * each IOTLB before it returned), and let go of its pages.
 */
static void area_free(struct io_pagetable *iopt, struct iopt_area *area)
{
	WARN_ON(area->cpu_pins);
	interval_tree_remove(&area->node, &iopt->areas);
	holes_give(iopt, area->node.start, area->node.last);
	if (iopt_pins_areas(iopt))
		iommufd_pages_unuse(area->pages, &area->use);
	area_release(area);
}

/* Pin the memory of @area for the domains. */
static int area_pin(struct iopt_area *area)
{
	return iommufd_pages_use(area->pages, &area->use, area->pages_byte,
				 iopt_area_length(area));
}

static void area_remove(struct io_pagetable *iopt, struct iopt_area *area)
{
	unsigned int i;

	for (i = 0; i < iopt->ndomains; i++)
		area_unmap_domain(area, iopt->domains[i]);
	area_free(iopt, area);
}

/*
 * Unmap the areas of the list @gone (linked by &iopt_area.next_gone) from
 * every domain with one IOTLB flush per domain, rather than one per area
 * and domain. @dirty_domain, when given, reports the dirty leaves it takes
 * out into @dirty.
 */
static void areas_unmap_domains(struct io_pagetable *iopt,
				struct iopt_area *gone,
				struct iommu_domain *dirty_domain,
				struct iommu_dirty_bitmap *dirty)
{
	struct iopt_area *area;
	unsigned int i;

	for (i = 0; i < iopt->ndomains; i++) {
		struct iommu_domain *domain = iopt->domains[i];
		struct iommu_iotlb_gather gather;

		iommu_iotlb_gather_init(&gather);
		if (domain == dirty_domain)
			dirty->gather = &gather;
		for (area = gone; area; area = area->next_gone) {
			size_t done;

			if (domain == dirty_domain)
				done = domain->dirty_ops->unmap_read_dirty(domain,
						area->node.start,
						iopt_area_length(area), dirty);
			else
				done = iommu_unmap_fast(domain, area->node.start,
							iopt_area_length(area),
							&gather);

			WARN_ON(done != iopt_area_length(area));
			if (area->next_gone)
				cond_resched();
		}
		iommu_iotlb_sync(domain, &gather);
		if (domain == dirty_domain)
			dirty->gather = NULL;
	}
}

/*
 * Whether memory at @pages_byte can be mapped at @iova for @length bytes
 * with IOPTEs of @align bytes: the IOVA, the length and the memory's
 * offset within its page must all be multiples of it.
 */
static bool map_aligned(unsigned long align, unsigned long iova,
			unsigned long length, unsigned long pages_byte)
{
	unsigned long mask = align - 1;

	return !(iova & mask) && !(length & mask) &&
	       !(pages_byte & ~PAGE_MASK & mask);
}

/*
 * Map @n slices back to back from *@iova (chosen here unless
 * IOPT_MAP_FIXED), each as its own area, all or nothing. Each area takes a
 * reference on its slice's pages (or the slice's own, see struct
 * iopt_slice), and pins them if there are domains.
 */
static int insert_slices(struct io_pagetable *iopt, unsigned long *iova,
			 unsigned long uptr, struct iopt_slice *slices,
			 unsigned int n, unsigned long length, int iommu_prot,
			 unsigned int flags)
{
	struct iopt_area *one = NULL, **areas = &one;
	unsigned long pos, last;
	unsigned int i, done;
	int rc;

	/* A map is one slice: no array to allocate for it. */
	if (n > 1)
		areas = kvcalloc(n, sizeof(*areas), GFP_KERNEL_ACCOUNT);
	if (!areas)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		areas[i] = slices[i].area ?:
			   kmalloc(sizeof(*areas[i]), GFP_KERNEL_ACCOUNT);
		if (!areas[i]) {
			rc = -ENOMEM;
			goto out_free;
		}
	}

	down_write(&iopt->rwsem);
	if (flags & IOPT_MAP_FIXED) {
		if (check_add_overflow(*iova, length - 1, &last)) {
			rc = -EOVERFLOW;
			goto out_unlock;
		}
		rc = check_fixed(iopt, *iova, last);
	} else {
		rc = alloc_iova(iopt, uptr, length, iova);
	}
	if (rc)
		goto out_unlock;

	pos = *iova;
	for (i = 0; i < n; pos += slices[i].length, i++) {
		if (!map_aligned(iopt->iova_alignment, pos, slices[i].length,
				 slices[i].pages_byte)) {
			rc = -EINVAL;
			goto out_unlock;
		}
		if ((iommu_prot & IOMMU_WRITE) && !slices[i].pages->writable) {
			rc = -EPERM;
			goto out_unlock;
		}
	}

	pos = *iova;
	for (done = 0; done < n; done++) {
		struct iopt_area *area = areas[done];

		*area = (struct iopt_area){
			.node.start = pos,
			.node.last = pos + slices[done].length - 1,
			.pages = slices[done].pages,
			.pages_byte = slices[done].pages_byte,
			.iommu_prot = iommu_prot,
			.cpu_pinned = RB_ROOT_CACHED,
		};
		if (iopt_pins_areas(iopt)) {
			rc = area_pin(area);
			if (rc)
				goto err_undo;
			rc = area_map_all(iopt, area);
			if (rc) {
				iommufd_pages_unuse(area->pages, &area->use);
				goto err_undo;
			}
		}
		/* An area in its pages' allocation takes the caller's reference. */
		if (!slices[done].area)
			iommufd_pages_get(area->pages);
		interval_tree_insert(&area->node, &iopt->areas);
		areas[done] = NULL;
		pos += slices[done].length;
	}
	holes_take(iopt, *iova, *iova + length - 1);
	rc = 0;
	goto out_unlock;

err_undo:
	/* The range was never taken from the holes: rebuild them later. */
	iopt->holes_stale = true;
	for (i = 0; i < done; i++) {
		struct interval_tree_node *node;

		node = interval_tree_iter_first(&iopt->areas, *iova,
						*iova + length - 1);
		area_remove(iopt, iopt_to_area(node));
	}
out_unlock:
	up_write(&iopt->rwsem);
out_free:
	for (i = 0; i < n; i++)
		if (areas[i] != slices[i].area)
			kfree(areas[i]);
	if (areas != &one)
		kvfree(areas);
	return rc;
}

/*
 * Refuse a map of @length bytes from @addr that wraps, before its memory
 * is looked at; where it goes is checked when it is inserted.
 */
static int check_map(unsigned long iova, unsigned long addr,
		     unsigned long length, unsigned int flags)
{
	unsigned long last;

	if (!length)
		return -EINVAL;
	if (check_add_overflow(addr, length - 1, &last))
		return -EOVERFLOW;
	if ((flags & IOPT_MAP_FIXED) &&
	    check_add_overflow(iova, length - 1, &last))
		return -EOVERFLOW;
	return 0;
}

/*
 * Map @length bytes of @pages from @addr, the address (or file offset) of
 * its first byte. @pages was made with room for its area
 * (&iommufd_pages.extra), which takes over the caller's reference on
 * success; on failure the reference is dropped.
 */
static int map_pages(struct io_pagetable *iopt, unsigned long *iova,
		     struct iommufd_pages *pages, unsigned long addr,
		     unsigned long length, int iommu_prot, unsigned int flags)
{
	struct iopt_slice slice = {
		.pages = pages,
		.pages_byte = addr - pages->uaddr,
		.length = length,
		.area = pages->extra,
	};
	int rc;

	rc = insert_slices(iopt, iova, addr, &slice, 1, length, iommu_prot,
			   flags);
	if (rc)
		iommufd_pages_put(pages);
	return rc;
}

/**
 * iopt_map_user() - Map user memory at an IOVA
 * @iopt: the table
 * @iova: in: the IOVA with %IOPT_MAP_FIXED; out: the IOVA used
 * @uptr: user address of the memory, in current's mm
 * @length: bytes
 * @iommu_prot: IOMMU_READ, IOMMU_WRITE, IOMMU_CACHE
 * @flags: %IOPT_MAP_FIXED or 0
 * @acct_mode: whose RLIMIT_MEMLOCK pays for the pins
 *
 * With domains attached the memory is pinned, charged and put into every
 * one of them before the call returns; without, it is only recorded, and
 * pinned when a domain or a CPU user first needs it.
 *
 * Return: 0, or -EINVAL (zero length, misaligned for a domain, a fixed IOVA
 * in a reserved range), -EEXIST (a fixed IOVA overlaps an area),
 * -EOVERFLOW, -ENOSPC (no hole fits), -ENOMEM (RLIMIT_MEMLOCK or memory),
 * -EFAULT, or a domain's error; the last three only with domains.
 */
int iopt_map_user(struct io_pagetable *iopt, unsigned long *iova,
		  unsigned long uptr, unsigned long length, int iommu_prot,
		  unsigned int flags, enum iommufd_acct_mode acct_mode)
{
	struct iommufd_pages *pages;
	struct iommufd_acct *acct;
	int rc;

	rc = check_map(*iova, uptr, length, flags);
	if (rc)
		return rc;
	acct = iommufd_acct_get(&iopt->acct_cache, acct_mode);
	if (!acct)
		return -ENOMEM;
	pages = iommufd_pages_create(uptr, length, iommu_prot & IOMMU_WRITE,
				     acct, sizeof(struct iopt_area));
	if (IS_ERR(pages))
		return PTR_ERR(pages);
	return map_pages(iopt, iova, pages, uptr, length, iommu_prot, flags);
}

/**
 * iopt_map_file() - Take pages of a shmem file and map them at an IOVA
 * @iopt: the table
 * @iova: in: the IOVA with %IOPT_MAP_FIXED; out: the IOVA used
 * @file: a memfd or another shmem file
 * @start: byte offset in @file
 * @length: bytes
 * @iommu_prot: IOMMU_READ, IOMMU_WRITE, IOMMU_CACHE
 * @flags: %IOPT_MAP_FIXED or 0
 * @acct_mode: whose RLIMIT_MEMLOCK pays for the pages
 *
 * As iopt_map_user(), with the pages of @file from @start; the IOVA chosen
 * keeps @start's alignment as it would a user address's.
 *
 * Return: as iopt_map_user(), or as iommufd_pages_create_file().
 */
int iopt_map_file(struct io_pagetable *iopt, unsigned long *iova,
		  struct file *file, unsigned long start, unsigned long length,
		  int iommu_prot, unsigned int flags,
		  enum iommufd_acct_mode acct_mode)
{
	struct iommufd_pages *pages;
	struct iommufd_acct *acct;
	int rc;

	rc = check_map(*iova, start, length, flags);
	if (rc)
		return rc;
	acct = iommufd_acct_get(&iopt->acct_cache, acct_mode);
	if (!acct)
		return -ENOMEM;
	pages = iommufd_pages_create_file(file, start, length,
					  iommu_prot & IOMMU_WRITE, acct,
					  sizeof(struct iopt_area));
	if (IS_ERR(pages))
		return PTR_ERR(pages);
	return map_pages(iopt, iova, pages, start, length, iommu_prot, flags);
}

/**
 * iopt_copy() - Map memory that is already mapped in another table
 * @dst: the table to map into
 * @dst_iova: in: the IOVA with %IOPT_MAP_FIXED; out: the IOVA used
 * @src: the table the memory is mapped in now, may be @dst
 * @src_iova: where in @src
 * @length: bytes; [@src_iova, @src_iova + @length) must be fully mapped
 * @iommu_prot: protection of the new mapping
 * @flags: %IOPT_MAP_FIXED or 0
 *
 * The new areas share the pinned memory of the old: nothing is pinned or
 * charged again.
 *
 * Return: 0, or -ENOENT when part of the source range is not mapped, -EPERM
 * when asking to write memory pinned read-only, or as iopt_map_user().
 */
int iopt_copy(struct io_pagetable *dst, unsigned long *dst_iova,
	      struct io_pagetable *src, unsigned long src_iova,
	      unsigned long length, int iommu_prot, unsigned int flags)
{
	struct iopt_slice *slices = NULL;
	unsigned long last, pos, uptr = 0;
	struct iopt_area *area;
	unsigned int n = 0, i;
	int rc;

	if (!length)
		return -EINVAL;
	if (check_add_overflow(src_iova, length - 1, &last))
		return -EOVERFLOW;

	down_read(&src->rwsem);
	pos = src_iova;
	for (area = iopt_area_first(src, src_iova, last); area;
	     area = iopt_area_next(area, src_iova, last)) {
		if (area->node.start > pos)
			break;
		n++;
		pos = area->node.last + 1;
		if (area->node.last >= last)
			break;
	}
	rc = -ENOENT;
	if (!n || pos - 1 < last)
		goto out_unlock;
	rc = -ENOMEM;
	slices = kvcalloc(n, sizeof(*slices), GFP_KERNEL_ACCOUNT);
	if (!slices)
		goto out_unlock;

	i = 0;
	for (area = iopt_area_first(src, src_iova, last); area;
	     area = iopt_area_next(area, src_iova, last)) {
		unsigned long from = max(area->node.start, src_iova);
		unsigned long to = min(area->node.last, last);

		if (i == n)
			break;
		slices[i].pages = area->pages;
		slices[i].pages_byte =
			area->pages_byte + (from - area->node.start);
		slices[i].length = to - from + 1;
		/* Keeps the memory named, should the source go meanwhile. */
		iommufd_pages_get(area->pages);
		i++;
	}
	uptr = slices[0].pages->uaddr + slices[0].pages_byte;
	rc = 0;
out_unlock:
	up_read(&src->rwsem);
	if (rc)
		return rc;

	rc = insert_slices(dst, dst_iova, uptr, slices, n, length, iommu_prot,
			   flags);
	for (i = 0; i < n; i++)
		iommufd_pages_put(slices[i].pages);
	kvfree(slices);
	return rc;
}

/*
 * How often one pinned area is handed to the CPU users before the unmap
 * gives up. A user must unpin before its unmap callback returns, so a
 * second round only happens when one of them is broken.
 */
#define IOPT_UNPIN_ROUNDS 3

/* Ask every CPU user to drop its pins in [iova, iova + length - 1]. */
static void users_unpin(struct io_pagetable *iopt, unsigned long iova,
			unsigned long length)
{
	struct iopt_user *user;

	mutex_lock(&iopt->users_lock);
	list_for_each_entry(user, &iopt->users, item)
		if (user->unmap)
			user->unmap(user, iova, length);
	mutex_unlock(&iopt->users_lock);
}

/*
 * Mark every area of the list @gone that CPU users pin as draining, so no
 * new pin starts there, and return the first of them. The marks stay until
 * the areas are freed, or until the unmap gives up (undrain()).
 */
static struct iopt_area *drain_pinned(struct iopt_area *gone)
{
	struct iopt_area *area, *first = NULL;

	for (area = gone; area; area = area->next_gone) {
		if (!area->cpu_pins)
			continue;
		area->draining = true;
		if (!first)
			first = area;
	}
	return first;
}

/*
 * An unmap that gives up lets pins start again in every area it marked,
 * not only the one it was stuck on. Another unmap still waiting on one of
 * them marks it again under the lock before it next looks.
 */
static void undrain(struct io_pagetable *iopt, unsigned long start,
		    unsigned long last)
{
	struct iopt_area *area;

	for (area = iopt_area_first(iopt, start, last); area;
	     area = iopt_area_next(area, start, last))
		area->draining = false;
}

static bool domain_in(struct io_pagetable *iopt, struct iommu_domain *domain)
{
	unsigned int i;

	for (i = 0; i < iopt->ndomains; i++)
		if (iopt->domains[i] == domain)
			return true;
	return false;
}

static int unmap_range(struct io_pagetable *iopt, unsigned long start,
		       unsigned long last, bool all, unsigned long *unmapped,
		       struct iommu_domain *dirty_domain,
		       struct iommu_dirty_bitmap *dirty)
{
	struct iopt_area *area, *next, *gone, **tail;
	unsigned long asked = 0, length;
	unsigned int rounds = 0;
	unsigned long done = 0;
	int rc = 0;

again:
	gone = NULL;
	tail = &gone;
	down_write(&iopt->rwsem);
	if (dirty_domain && !domain_in(iopt, dirty_domain)) {
		rc = -EINVAL;
		goto out_unlock;
	}
	for (area = iopt_area_first(iopt, start, last); area;
	     area = iopt_area_next(area, start, last)) {
		if (area->node.start < start || area->node.last > last) {
			rc = -ENOENT;
			/*
			 * A map cut into the range while the CPU users were
			 * asked to let go: nothing is unmapped, so pins may
			 * start again where this call stopped them.
			 */
			if (rounds)
				undrain(iopt, start, last);
			goto out_unlock;
		}
		/* The areas to remove, so that no later pass searches again. */
		area->next_gone = NULL;
		*tail = area;
		tail = &area->next_gone;
	}

	/*
	 * Emulated devices may hold pins inside the range: they must let go
	 * before the memory can be unpinned, and they must be asked without
	 * the lock, since unpinning takes it.
	 */
	area = drain_pinned(gone);
	if (area) {
		rounds = area->node.start == asked ? rounds + 1 : 1;
		if (rounds > IOPT_UNPIN_ROUNDS) {
			/* A driver bug, not the caller's: name it and fail. */
			pr_warn_ratelimited("iommufd: a CPU user keeps pins in IOVA 0x%lx-0x%lx after being asked to unpin\n",
					    area->node.start, area->node.last);
			undrain(iopt, start, last);
			rc = -EDEADLOCK;
			goto out_unlock;
		}
		asked = area->node.start;
		length = iopt_area_length(area);
		up_write(&iopt->rwsem);
		users_unpin(iopt, asked, length);
		goto again;
	}

	areas_unmap_domains(iopt, gone, dirty_domain, dirty);
	/* No device reaches the pages now: they may be unpinned. */
	for (area = gone; area; area = next) {
		next = area->next_gone;
		done += iopt_area_length(area);
		area_free(iopt, area);
		if (next)
			cond_resched();
	}
	if (!done && !all)
		rc = -ENOENT;
out_unlock:
	up_write(&iopt->rwsem);
	if (unmapped)
		*unmapped = done;
	return rc;
}

/**
 * iopt_unmap() - Unmap every area inside an IOVA range
 * @iopt: the table
 * @iova: start of the range
 * @length: bytes
 * @unmapped: out: bytes unmapped, optional
 *
 * Areas are never split: an area that is only partly inside the range makes
 * the whole call fail before anything is unmapped. CPU users that pin
 * memory in the range are asked to unpin first (&iopt_user.unmap).
 *
 * Return: 0, or -EINVAL for zero length, -EOVERFLOW, -ENOENT when the
 * range cuts an area or holds none, -EDEADLOCK when a CPU user keeps its
 * pins after being asked to drop them.
 */
int iopt_unmap(struct io_pagetable *iopt, unsigned long iova,
	       unsigned long length, unsigned long *unmapped)
{
	unsigned long last;

	if (!length)
		return -EINVAL;
	if (check_add_overflow(iova, length - 1, &last))
		return -EOVERFLOW;
	return unmap_range(iopt, iova, last, false, unmapped, NULL, NULL);
}

/**
 * iopt_unmap_dirty() - Unmap areas and read a domain's dirty state of them
 * @iopt: the table
 * @iova: start of the range
 * @length: bytes
 * @domain: a domain of @iopt whose dirty_ops have unmap_read_dirty()
 * @dirty: where @domain reports the dirty leaves it takes out
 * @unmapped: out: bytes unmapped, optional
 *
 * As iopt_unmap(), except that @domain reports each dirty leaf as it is
 * removed, so that no DMA write slips between reading and unmapping.
 *
 * Return: as iopt_unmap(); -EINVAL when @domain is not one of @iopt's.
 */
int iopt_unmap_dirty(struct io_pagetable *iopt, unsigned long iova,
		     unsigned long length, struct iommu_domain *domain,
		     struct iommu_dirty_bitmap *dirty, unsigned long *unmapped)
{
	unsigned long last;

	if (!length)
		return -EINVAL;
	if (check_add_overflow(iova, length - 1, &last))
		return -EOVERFLOW;
	return unmap_range(iopt, iova, last, false, unmapped, domain, dirty);
}

/**
 * iopt_unmap_all() - Unmap every area
 * @iopt: the table
 * @unmapped: out: bytes unmapped, optional
 *
 * Return: 0, even when nothing was mapped, or -EDEADLOCK as iopt_unmap().
 */
int iopt_unmap_all(struct io_pagetable *iopt, unsigned long *unmapped)
{
	return unmap_range(iopt, 0, ULONG_MAX, true, unmapped, NULL, NULL);
}

/**
 * iopt_destroy() - Free an I/O page table
 * @iopt: the table; every domain and every CPU user must have been removed
 */
void iopt_destroy(struct io_pagetable *iopt)
{
	struct interval_tree_node *n;

	WARN_ON(!list_empty(&iopt->users));
	WARN_ON(iopt_unmap_all(iopt, NULL));
	WARN_ON(iopt->ndomains);
	while ((n = interval_tree_iter_first(&iopt->reserved, 0, ULONG_MAX))) {
		interval_tree_remove(n, &iopt->reserved);
		kfree(to_reserved(n));
	}
	iopt_allowed_free(&iopt->allowed);
	iova_holes_destroy(&iopt->holes);
	kfree(iopt->domains);
	mutex_destroy(&iopt->users_lock);
	iommufd_acct_cache_destroy(&iopt->acct_cache);
}

static int reserve_locked(struct io_pagetable *iopt, unsigned long start,
			  unsigned long last, void *owner)
{
	struct iopt_reserved *res;

	if (start > last)
		return -EINVAL;
	if (interval_tree_iter_first(&iopt->areas, start, last) ||
	    interval_tree_iter_first(&iopt->allowed, start, last))
		return -EADDRINUSE;
	res = kzalloc(sizeof(*res), GFP_KERNEL_ACCOUNT);
	if (!res)
		return -ENOMEM;
	res->node.start = start;
	res->node.last = last;
	res->owner = owner;
	interval_tree_insert(&res->node, &iopt->reserved);
	holes_take(iopt, start, last);
	return 0;
}

static void unreserve_locked(struct io_pagetable *iopt, void *owner)
{
	struct interval_tree_node *n, *next;

	for (n = interval_tree_iter_first(&iopt->reserved, 0, ULONG_MAX); n;
	     n = next) {
		next = interval_tree_iter_next(n, 0, ULONG_MAX);
		if (to_reserved(n)->owner != owner)
			continue;
		interval_tree_remove(n, &iopt->reserved);
		kfree(to_reserved(n));
		/* Other reservations may still cover the range. */
		iopt->holes_stale = true;
	}
}

/**
 * iopt_reserve() - Keep areas out of an IOVA range
 * @iopt: the table
 * @start: first IOVA
 * @last: last IOVA, inclusive
 * @owner: cookie for iopt_unreserve()
 *
 * Return: 0, or -EADDRINUSE when an area or an allowed range is already
 * there, -EINVAL for an empty range, -ENOMEM.
 */
int iopt_reserve(struct io_pagetable *iopt, unsigned long start,
		 unsigned long last, void *owner)
{
	int rc;

	down_write(&iopt->rwsem);
	rc = reserve_locked(iopt, start, last, owner);
	up_write(&iopt->rwsem);
	return rc;
}

/**
 * iopt_unreserve() - Drop every reserved range of one owner
 * @iopt: the table
 * @owner: the cookie given to iopt_reserve()
 */
void iopt_unreserve(struct io_pagetable *iopt, void *owner)
{
	down_write(&iopt->rwsem);
	unreserve_locked(iopt, owner);
	up_write(&iopt->rwsem);
}

static void allowed_remove(struct rb_root_cached *set,
			   struct interval_tree_node *node)
{
	interval_tree_remove(node, set);
	kfree(container_of(node, struct iopt_allowed, node));
}

/**
 * iopt_allowed_add() - Add a range to a set of allowed ranges being built
 * @set: the set, RB_ROOT_CACHED to start with
 * @start: first IOVA
 * @last: last IOVA, inclusive
 *
 * Ranges are added one at a time, as the caller reads them, so the memory
 * used grows with the ranges given and is charged to the caller. A range
 * that touches another merges with it.
 *
 * Return: 0, -EINVAL for a range that does not end after it starts or that
 * overlaps one already in @set, -ENOMEM.
 */
int iopt_allowed_add(struct rb_root_cached *set, unsigned long start,
		     unsigned long last)
{
	struct interval_tree_node *n;
	struct iopt_allowed *allowed;

	if (start >= last || interval_tree_iter_first(set, start, last))
		return -EINVAL;
	n = start ? interval_tree_iter_first(set, start - 1, start - 1) : NULL;
	if (n) {
		start = n->start;
		allowed_remove(set, n);
	}
	n = last != ULONG_MAX ?
		interval_tree_iter_first(set, last + 1, last + 1) : NULL;
	if (n) {
		last = n->last;
		allowed_remove(set, n);
	}
	allowed = kzalloc(sizeof(*allowed), GFP_KERNEL_ACCOUNT);
	if (!allowed)
		return -ENOMEM;
	allowed->node.start = start;
	allowed->node.last = last;
	interval_tree_insert(&allowed->node, set);
	return 0;
}

/**
 * iopt_allowed_free() - Free a set from iopt_allowed_add()
 * @set: the set; empty afterwards
 */
void iopt_allowed_free(struct rb_root_cached *set)
{
	struct interval_tree_node *n;

	while ((n = interval_tree_iter_first(set, 0, ULONG_MAX)))
		allowed_remove(set, n);
}

/**
 * iopt_set_allowed() - Replace the ranges automatic allocation may use
 * @iopt: the table
 * @set: the new ranges, from iopt_allowed_add(); an empty set allows the
 *	whole IOVA space again. On return it holds the old ranges (or, on
 *	failure, the new ones): the caller frees it with iopt_allowed_free().
 *
 * Areas already mapped outside the new ranges stay where they are.
 *
 * Return: 0, or -EADDRINUSE when a range meets a reserved range.
 */
int iopt_set_allowed(struct io_pagetable *iopt, struct rb_root_cached *set)
{
	struct interval_tree_node *n;
	int rc = 0;

	down_write(&iopt->rwsem);
	for (n = interval_tree_iter_first(set, 0, ULONG_MAX); n;
	     n = interval_tree_iter_next(n, 0, ULONG_MAX)) {
		if (interval_tree_iter_first(&iopt->reserved, n->start,
					     n->last)) {
			rc = -EADDRINUSE;
			break;
		}
	}
	if (!rc) {
		swap(*set, iopt->allowed);
		iopt->holes_stale = true;
	}
	up_write(&iopt->rwsem);
	return rc;
}

/**
 * iopt_walk_span() - Visit each area part of an IOVA span, which must be
 *	wholly mapped
 * @iopt: the table; its rwsem held
 * @iova: first IOVA of the span
 * @last: last IOVA of the span
 * @fn: called for each area part, in order, or NULL to only check
 * @arg: passed to @fn
 *
 * Return: 0, what @fn returned when not 0 (the walk stops), or -ENOENT
 * when areas do not cover the whole span; @fn may have been called for
 * the parts before the gap.
 */
int iopt_walk_span(struct io_pagetable *iopt, unsigned long iova,
		   unsigned long last, iopt_span_fn fn, void *arg)
{
	unsigned long pos = iova;
	struct iopt_area *area;
	int rc;

	for (area = iopt_area_first(iopt, iova, last); area;
	     area = iopt_area_next(area, iova, last)) {
		if (area->node.start > pos)
			return -ENOENT;
		rc = fn ? fn(area, pos, min(area->node.last, last), arg) : 0;
		if (rc)
			return rc;
		if (area->node.last >= last)
			return 0;
		pos = area->node.last + 1;
	}
	return -ENOENT;
}

/**
 * iopt_walk_areas() - Report the areas that meet an IOVA range
 * @iopt: the table
 * @start: first IOVA of the range
 * @last: last IOVA of the range
 * @fn: called with each area's whole IOVA range, in ascending order; a
 *	non-zero return stops the walk and is returned
 * @arg: passed to @fn
 *
 * @fn runs under the table's lock for read and may fault on user memory.
 *
 * Return: 0 or what @fn returned.
 */
int iopt_walk_areas(struct io_pagetable *iopt, unsigned long start,
		    unsigned long last, iopt_range_fn fn, void *arg)
{
	struct iopt_area *area;
	int rc = 0;

	down_read(&iopt->rwsem);
	for (area = iopt_area_first(iopt, start, last); area && !rc;
	     area = iopt_area_next(area, start, last))
		rc = fn(arg, area->node.start, area->node.last);
	up_read(&iopt->rwsem);
	return rc;
}

/**
 * iopt_walk_usable() - Report the IOVA ranges that are not reserved
 * @iopt: the table
 * @fn: called for each maximal usable range in ascending order; a non-zero
 *	return stops the walk and is returned
 * @arg: passed to @fn
 *
 * @fn runs under the table's lock for read and may fault on user memory.
 *
 * Return: 0 or what @fn returned.
 */
int iopt_walk_usable(struct io_pagetable *iopt, iopt_range_fn fn, void *arg)
{
	unsigned long pos = 0;
	int rc = 0;

	down_read(&iopt->rwsem);
	for (;;) {
		struct interval_tree_node *r;

		r = interval_tree_iter_first(&iopt->reserved, pos, ULONG_MAX);
		if (!r) {
			rc = fn(arg, pos, ULONG_MAX);
			break;
		}
		if (r->start > pos) {
			rc = fn(arg, pos, r->start - 1);
			if (rc)
				break;
		}
		if (r->last == ULONG_MAX)
			break;
		pos = max(pos, r->last + 1);
	}
	up_read(&iopt->rwsem);
	return rc;
}

static unsigned long domain_min_page(struct iommu_domain *domain)
{
	return 1UL << __ffs(domain->pgsize_bitmap);
}

static unsigned long alignment_for(struct io_pagetable *iopt,
				   struct iommu_domain *extra)
{
	struct iopt_user *user;
	unsigned long align = 1;
	unsigned int i;

	for (i = 0; i < iopt->ndomains; i++)
		align = max(align, domain_min_page(iopt->domains[i]));
	list_for_each_entry(user, &iopt->users, item)
		align = max(align, user->align);
	if (extra)
		align = max(align, domain_min_page(extra));
	if (iopt->disable_large_pages)
		align = max(align, PAGE_SIZE);
	return align;
}

static int check_areas_aligned(struct io_pagetable *iopt, unsigned long align)
{
	struct iopt_area *area;

	for (area = iopt_area_first(iopt, 0, ULONG_MAX); area;
	     area = iopt_area_next(area, 0, ULONG_MAX))
		if (!map_aligned(align, area->node.start, iopt_area_length(area),
				 area->pages_byte))
			return -EADDRINUSE;
	return 0;
}

/**
 * iopt_add_domain() - Mirror the table into a domain
 * @iopt: the table
 * @domain: an empty, unattached paging domain
 *
 * Reserves the IOVA the domain cannot translate, raises the table's
 * alignment to the domain's smallest page and maps every area into it. The
 * first domain pins the memory of every area.
 *
 * Return: 0, or -EADDRINUSE when existing areas lie outside the domain's
 * aperture or are not aligned to its smallest page, -ENOMEM (memory or
 * RLIMIT_MEMLOCK), -EFAULT (memory that cannot be pinned any more), or the
 * domain's map error. The table, its pins and charges are unchanged on
 * error.
 */
int iopt_add_domain(struct io_pagetable *iopt, struct iommu_domain *domain)
{
	struct iommu_domain_geometry *geo = &domain->geometry;
	struct iopt_area *area, *undo;
	struct iommu_domain **domains;
	unsigned long align;
	bool first;
	int rc;

	if (WARN_ON(!domain->pgsize_bitmap))
		return -EINVAL;

	down_write(&iopt->rwsem);
	/* Room for the new one first: nothing can fail after the fill. */
	domains = krealloc_array(iopt->domains, iopt->ndomains + 1,
				 sizeof(*domains), GFP_KERNEL_ACCOUNT);
	if (!domains) {
		rc = -ENOMEM;
		goto out_unlock;
	}
	iopt->domains = domains;
	align = alignment_for(iopt, domain);
	rc = check_areas_aligned(iopt, align);
	if (rc)
		goto out_unlock;

	if (geo->force_aperture) {
		if (geo->aperture_start)
			rc = reserve_locked(iopt, 0, geo->aperture_start - 1,
					    domain);
		if (!rc && geo->aperture_end != ULONG_MAX)
			rc = reserve_locked(iopt, geo->aperture_end + 1,
					    ULONG_MAX, domain);
		if (rc)
			goto out_unreserve;
	}

	/* The first domain is what makes the areas pin their memory. */
	first = !iopt_pins_areas(iopt);
	for (area = iopt_area_first(iopt, 0, ULONG_MAX); area;
	     area = iopt_area_next(area, 0, ULONG_MAX)) {
		if (first) {
			rc = area_pin(area);
			if (rc)
				goto out_unmap;
		}
		rc = area_map_domain(iopt, area, domain);
		if (rc) {
			if (first)
				iommufd_pages_unuse(area->pages, &area->use);
			goto out_unmap;
		}
	}

	iopt->domains[iopt->ndomains++] = domain;
	iopt->iova_alignment = align;
	up_write(&iopt->rwsem);
	return 0;

out_unmap:
	for (undo = iopt_area_first(iopt, 0, ULONG_MAX); undo;
	     undo = iopt_area_next(undo, 0, ULONG_MAX)) {
		if (undo == area)
			break;
		area_unmap_domain(undo, domain);
		if (first)
			iommufd_pages_unuse(undo->pages, &undo->use);
		cond_resched();
	}
out_unreserve:
	unreserve_locked(iopt, domain);
out_unlock:
	up_write(&iopt->rwsem);
	return rc;
}

/**
 * iopt_remove_domain() - Stop mirroring the table into a domain
 * @iopt: the table
 * @domain: a domain added with iopt_add_domain(), detached from devices
 *
 * Every area is unmapped from @domain, so it can be freed afterwards.
 * Without domains left, memory no CPU user pins is unpinned.
 */
void iopt_remove_domain(struct io_pagetable *iopt,
			struct iommu_domain *domain)
{
	struct iopt_area *area;
	unsigned int i;

	down_write(&iopt->rwsem);
	for (i = 0; i < iopt->ndomains; i++)
		if (iopt->domains[i] == domain)
			break;
	if (WARN_ON(i == iopt->ndomains))
		goto out_unlock;
	iopt->ndomains--;
	memmove(&iopt->domains[i], &iopt->domains[i + 1],
		(iopt->ndomains - i) * sizeof(*iopt->domains));
	if (!iopt->ndomains) {
		kfree(iopt->domains);
		iopt->domains = NULL;
	}

	/* The last domain to go unpins what only the domains needed. */
	for (area = iopt_area_first(iopt, 0, ULONG_MAX); area;
	     area = iopt_area_next(area, 0, ULONG_MAX)) {
		area_unmap_domain(area, domain);
		if (!iopt_pins_areas(iopt))
			iommufd_pages_unuse(area->pages, &area->use);
		cond_resched();
	}
	unreserve_locked(iopt, domain);
	iopt->iova_alignment = alignment_for(iopt, NULL);
out_unlock:
	up_write(&iopt->rwsem);
}

/**
 * iopt_range_mapped() - Whether any area overlaps an IOVA range
 * @iopt: the table
 * @start: first IOVA
 * @last: last IOVA, inclusive
 *
 * Return: true when at least one byte of [@start, @last] is mapped.
 */
bool iopt_range_mapped(struct io_pagetable *iopt, unsigned long start,
		       unsigned long last)
{
	bool mapped;

	down_read(&iopt->rwsem);
	mapped = interval_tree_iter_first(&iopt->areas, start, last);
	up_read(&iopt->rwsem);
	return mapped;
}

/**
 * iopt_split_at() - Make an area boundary at an IOVA
 * @iopt: the table; large pages must be disabled, so that every IOPTE of
 *	every domain is PAGE_SIZE and the halves can be unmapped apart
 * @iova: the first IOVA of the upper half
 *
 * The area that maps both @iova - 1 and @iova becomes two areas sharing its
 * pages. Nothing changes when no area crosses @iova. VFIO type1 v1 lets
 * userspace unmap any part of what it mapped; this is how that is done.
 *
 * Return: 0, -EINVAL when large pages are allowed or @iova is not aligned
 * for the domains, -EBUSY when a CPU user pins the area, -ENOMEM.
 */
int iopt_split_at(struct io_pagetable *iopt, unsigned long iova)
{
	struct iopt_area *area, *upper;
	unsigned long below;
	int rc = 0;

	if (!iova)
		return 0;
	upper = kzalloc(sizeof(*upper), GFP_KERNEL_ACCOUNT);
	if (!upper)
		return -ENOMEM;

	down_write(&iopt->rwsem);
	area = iopt_area_first(iopt, iova - 1, iova);
	if (!area || area->node.start == iova || area->node.last < iova)
		goto out_unlock;
	below = iova - area->node.start;
	rc = -EINVAL;
	if (!iopt->disable_large_pages ||
	    (iova | below) & (iopt->iova_alignment - 1) ||
	    (area->pages_byte + below) & ~PAGE_MASK)
		goto out_unlock;
	rc = -EBUSY;
	if (area->cpu_pins)
		goto out_unlock;

	*upper = *area;
	upper->node.start = iova;
	upper->pages_byte = area->pages_byte + below;
	/* No CPU user pins the area (checked above): nothing to inherit. */
	upper->cpu_pinned = RB_ROOT_CACHED;
	upper->draining = false;
	if (iopt_pins_areas(iopt)) {
		/* Pinned already: only records change. */
		rc = area_pin(upper);
		if (rc)
			goto out_unlock;
		iommufd_pages_shrink_use(area->pages, &area->use,
					 area->pages_byte, below);
	}
	iommufd_pages_get(upper->pages);
	interval_tree_remove(&area->node, &iopt->areas);
	area->node.last = iova - 1;
	interval_tree_insert(&area->node, &iopt->areas);
	interval_tree_insert(&upper->node, &iopt->areas);
	upper = NULL;
	rc = 0;
out_unlock:
	up_write(&iopt->rwsem);
	kfree(upper);
	return rc;
}

/**
 * iopt_set_large_pages() - Allow or forbid IOPTEs larger than PAGE_SIZE
 * @iopt: the table
 * @enable: allow them (the default)
 *
 * Forbidding them also makes PAGE_SIZE the minimum alignment of areas.
 *
 * Return: 0, or -EINVAL when forbidding them while domains already hold
 * areas, -EADDRINUSE when existing areas are not PAGE_SIZE aligned.
 */
int iopt_set_large_pages(struct io_pagetable *iopt, bool enable)
{
	unsigned long align;
	int rc = 0;

	down_write(&iopt->rwsem);
	if (enable) {
		iopt->disable_large_pages = false;
		iopt->iova_alignment = alignment_for(iopt, NULL);
		goto out_unlock;
	}
	if (iopt->disable_large_pages)
		goto out_unlock;
	if (iopt->ndomains &&
	    !RB_EMPTY_ROOT(&iopt->areas.rb_root)) {
		rc = -EINVAL;
		goto out_unlock;
	}
	iopt->disable_large_pages = true;
	align = alignment_for(iopt, NULL);
	rc = check_areas_aligned(iopt, align);
	if (rc)
		iopt->disable_large_pages = false;
	else
		iopt->iova_alignment = align;
out_unlock:
	up_write(&iopt->rwsem);
	return rc;
}

/**
 * iopt_add_user() - Let a CPU user read and pin the table's memory
 * @iopt: the table
 * @user: the user, with @align and @unmap set
 *
 * From now on every area must meet @user->align, and unmaps of ranges it
 * pins call @user->unmap.
 *
 * Return: 0, or -EADDRINUSE when existing areas do not meet @user->align.
 */
int iopt_add_user(struct io_pagetable *iopt, struct iopt_user *user)
{
	unsigned long align;
	int rc;

	mutex_lock(&iopt->users_lock);
	down_write(&iopt->rwsem);
	align = max(alignment_for(iopt, NULL), user->align);
	rc = check_areas_aligned(iopt, align);
	if (!rc) {
		list_add_tail(&user->item, &iopt->users);
		iopt->iova_alignment = align;
	}
	up_write(&iopt->rwsem);
	mutex_unlock(&iopt->users_lock);
	return rc;
}

/**
 * iopt_remove_user() - Undo iopt_add_user()
 * @iopt: the table
 * @user: the user; it must hold no pins any more
 *
 * Once this returns, @user->unmap is not called again.
 */
void iopt_remove_user(struct io_pagetable *iopt, struct iopt_user *user)
{
	mutex_lock(&iopt->users_lock);
	down_write(&iopt->rwsem);
	list_del_init(&user->item);
	iopt->iova_alignment = alignment_for(iopt, NULL);
	up_write(&iopt->rwsem);
	mutex_unlock(&iopt->users_lock);
}
