// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tree of free IOVA ranges ("holes") for iommufd address spaces.
 */
#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/limits.h>
#include <linux/log2.h>
#include <linux/rbtree_augmented.h>
#include <linux/slab.h>

#include "iova_alloc.h"

/**
 * DOC: IOVA hole tree
 *
 * The free part of an I/O address space is kept as a set of holes. A hole
 * is an inclusive interval [start, last]. Holes never overlap and never
 * touch each other: whenever two holes would become neighbours they are
 * merged, so every hole is as large as possible and a given set of free
 * addresses always has exactly one representation.
 *
 * The holes are the nodes of an augmented red-black tree sorted by start.
 * On top of its own interval each node records the largest span found in
 * the subtree below it (the node itself included). The span of a hole is
 * last - start, i.e. its size minus one. Spans are used throughout instead
 * of sizes because a hole covering every unsigned long value has a size that
 * an unsigned long cannot hold, while its span is simply ULONG_MAX.
 *
 * Because holes are disjoint and sorted by start, they are also sorted by
 * last, which lets a single descent find the first hole ending at or after a
 * given address.
 *
 * The per-subtree maximum allows a search to skip every subtree in which no
 * hole is long enough for a request. Among the remaining holes the search
 * walks in address order and checks alignment exactly, so it returns the
 * lowest suitable address whenever one exists anywhere in the tree, no
 * matter where earlier allocations or frees happened.
 */

struct iova_hole {
	struct rb_node node;
	unsigned long start;
	unsigned long last;
	/* Largest (last - start) of any hole in the subtree rooted here */
	unsigned long max_span;
};

static inline unsigned long iova_hole_span(struct iova_hole *hole)
{
	return hole->last - hole->start;
}

RB_DECLARE_CALLBACKS_MAX(static, iova_hole_cb, struct iova_hole, node,
			 unsigned long, max_span, iova_hole_span);

static inline struct iova_hole *iova_hole_of(struct rb_node *rb)
{
	return rb_entry_safe(rb, struct iova_hole, node);
}

/* Refresh the cached maxima after the bounds of @hole were changed in place */
static void iova_hole_resized(struct iova_hole *hole)
{
	iova_hole_cb_propagate(&hole->node, NULL);
}

/* The hole with the highest start that is not above @addr, or NULL */
static struct iova_hole *iova_hole_at_or_below(struct iova_holes *h,
					       unsigned long addr)
{
	struct rb_node *rb = h->root.rb_node;
	struct iova_hole *found = NULL;

	while (rb) {
		struct iova_hole *cur = iova_hole_of(rb);

		if (cur->start <= addr) {
			found = cur;
			rb = rb->rb_right;
		} else {
			rb = rb->rb_left;
		}
	}
	return found;
}

/* The hole with the lowest last that is not below @addr, or NULL */
static struct iova_hole *iova_hole_ending_from(struct iova_holes *h,
					       unsigned long addr)
{
	struct rb_node *rb = h->root.rb_node;
	struct iova_hole *found = NULL;

	while (rb) {
		struct iova_hole *cur = iova_hole_of(rb);

		if (cur->last >= addr) {
			found = cur;
			rb = rb->rb_left;
		} else {
			rb = rb->rb_right;
		}
	}
	return found;
}

static void iova_hole_insert(struct iova_holes *h, struct iova_hole *new)
{
	struct rb_node **link = &h->root.rb_node;
	struct rb_node *parent = NULL;
	unsigned long span = iova_hole_span(new);

	while (*link) {
		struct iova_hole *cur = iova_hole_of(*link);

		/* @new becomes a descendant of @cur, account for it now */
		if (cur->max_span < span)
			cur->max_span = span;
		parent = *link;
		if (new->start < cur->start)
			link = &parent->rb_left;
		else
			link = &parent->rb_right;
	}

	new->max_span = span;
	rb_link_node(&new->node, parent, link);
	rb_insert_augmented(&new->node, &h->root, &iova_hole_cb);
	h->nr++;
}

static void iova_hole_delete(struct iova_holes *h, struct iova_hole *hole)
{
	rb_erase_augmented(&hole->node, &h->root, &iova_hole_cb);
	h->nr--;
	kfree(hole);
}

static struct iova_hole *iova_hole_alloc(unsigned long start,
					 unsigned long last)
{
	struct iova_hole *hole;

	hole = kzalloc(sizeof(*hole), GFP_KERNEL_ACCOUNT);
	if (!hole)
		return NULL;
	hole->start = start;
	hole->last = last;
	return hole;
}

/**
 * iova_holes_init() - Initialise an empty set of holes
 * @h: the set to initialise
 *
 * After this call no IOVA is free. Free ranges are added with
 * iova_holes_add().
 */
void iova_holes_init(struct iova_holes *h)
{
	h->root = RB_ROOT;
	h->nr = 0;
}
EXPORT_SYMBOL_NS_GPL(iova_holes_init, IOMMUFD_INTERNAL);

/**
 * iova_holes_destroy() - Release every hole of a set
 * @h: the set to empty
 *
 * Frees all nodes. On return @h is empty again and may be reused without
 * another call to iova_holes_init().
 */
void iova_holes_destroy(struct iova_holes *h)
{
	struct iova_hole *hole, *tmp;

	rbtree_postorder_for_each_entry_safe(hole, tmp, &h->root, node)
		kfree(hole);
	iova_holes_init(h);
}
EXPORT_SYMBOL_NS_GPL(iova_holes_destroy, IOMMUFD_INTERNAL);

/**
 * iova_holes_add() - Mark a range of IOVA as free
 * @h: the set of holes
 * @start: first address of the range
 * @last: last address of the range, inclusive
 *
 * No part of [@start, @last] may already be free. A hole that ends at
 * @start - 1 or begins at @last + 1 is merged with the new range, so at most
 * one node is allocated and that only when no merge is possible.
 *
 * Return: 0 on success, -EINVAL (with a warning) if @start > @last or the
 * range overlaps a hole, -ENOMEM if a node could not be allocated. On error
 * the set is left unchanged.
 */
int iova_holes_add(struct iova_holes *h, unsigned long start,
		   unsigned long last)
{
	struct iova_hole *prev, *next, *hole;

	if (WARN_ON(start > last))
		return -EINVAL;

	/* Every hole starting after @last is clear of the new range */
	prev = iova_hole_at_or_below(h, last);
	if (WARN_ON(prev && prev->last >= start))
		return -EINVAL;

	if (prev)
		next = iova_hole_of(rb_next(&prev->node));
	else
		next = iova_hole_of(rb_first(&h->root));

	/* prev->last < start, so adding one to it cannot wrap */
	if (prev && prev->last + 1 != start)
		prev = NULL;
	/* next->start > last, so subtracting one from it cannot wrap */
	if (next && next->start - 1 != last)
		next = NULL;

	if (prev && next) {
		unsigned long new_last = next->last;

		/* Delete first so the tree is consistent before resizing */
		iova_hole_delete(h, next);
		prev->last = new_last;
		iova_hole_resized(prev);
	} else if (prev) {
		prev->last = last;
		iova_hole_resized(prev);
	} else if (next) {
		/* The order of the keys is unaffected, nothing lies between */
		next->start = start;
		iova_hole_resized(next);
	} else {
		hole = iova_hole_alloc(start, last);
		if (!hole)
			return -ENOMEM;
		iova_hole_insert(h, hole);
	}
	return 0;
}
EXPORT_SYMBOL_NS_GPL(iova_holes_add, IOMMUFD_INTERNAL);

/**
 * iova_holes_remove() - Mark a range of IOVA as used
 * @h: the set of holes
 * @start: first address of the range
 * @last: last address of the range, inclusive
 *
 * Takes [@start, @last] out of the free set. The range does not need to be
 * free: it may overlap no hole, part of one hole or any number of holes.
 * Holes lying fully inside the range are deleted, holes crossing one of its
 * ends are trimmed, and a hole reaching past both ends is split in two.
 *
 * Return: 0 on success, -EINVAL (with a warning) if @start > @last, or
 * -ENOMEM if a hole had to be split and the second node could not be
 * allocated. On error the set is left unchanged.
 */
int iova_holes_remove(struct iova_holes *h, unsigned long start,
		      unsigned long last)
{
	struct iova_hole *hole, *next;

	if (WARN_ON(start > last))
		return -EINVAL;

	hole = iova_hole_ending_from(h, start);
	if (!hole || hole->start > last)
		return 0;

	if (hole->start < start && hole->last > last) {
		struct iova_hole *upper;

		/* Neither bound can wrap: the hole extends beyond both */
		upper = iova_hole_alloc(last + 1, hole->last);
		if (!upper)
			return -ENOMEM;
		hole->last = start - 1;
		iova_hole_resized(hole);
		iova_hole_insert(h, upper);
		return 0;
	}

	/*
	 * From here on nothing is allocated. Only the first hole can begin
	 * below @start and only the last one can end above @last.
	 */
	while (hole && hole->start <= last) {
		next = iova_hole_of(rb_next(&hole->node));

		if (hole->start < start) {
			hole->last = start - 1;
			iova_hole_resized(hole);
		} else if (hole->last > last) {
			/* Holes after this one all start beyond @last */
			hole->start = last + 1;
			iova_hole_resized(hole);
			next = NULL;
		} else {
			iova_hole_delete(h, hole);
		}
		hole = next;
	}
	return 0;
}
EXPORT_SYMBOL_NS_GPL(iova_holes_remove, IOMMUFD_INTERNAL);

/*
 * Check whether @hole holds (@need + 1) addresses beginning at a multiple of
 * @align. If so store the lowest such beginning in @iova.
 */
static bool iova_hole_fits(struct iova_hole *hole, unsigned long need,
			   unsigned long align, unsigned long *iova)
{
	unsigned long mask = align - 1;
	unsigned long addr = hole->start;

	if (addr & mask) {
		/* Rounding up would go past ULONG_MAX */
		if ((addr | mask) == ULONG_MAX)
			return false;
		addr = (addr | mask) + 1;
	}
	if (addr > hole->last || hole->last - addr < need)
		return false;
	*iova = addr;
	return true;
}

/*
 * The lowest hole in the subtree at @rb whose span is at least @need, or
 * NULL. Costs one root-to-leaf descent at most.
 */
static struct iova_hole *iova_hole_first_long(struct rb_node *rb,
					      unsigned long need)
{
	if (!rb || iova_hole_of(rb)->max_span < need)
		return NULL;

	while (rb) {
		struct iova_hole *cur = iova_hole_of(rb);
		struct rb_node *left = rb->rb_left;

		if (left && iova_hole_of(left)->max_span >= need) {
			rb = left;
			continue;
		}
		if (iova_hole_span(cur) >= need)
			return cur;
		rb = rb->rb_right;
	}
	/* Only reachable if the cached maxima were wrong */
	WARN_ON_ONCE(1);
	return NULL;
}

/*
 * The next hole after @hole, in address order, whose span is at least
 * @need, or NULL. Climbs towards the root and descends at most once, so
 * this is O(log n).
 */
static struct iova_hole *iova_hole_next_long(struct iova_hole *hole,
					     unsigned long need)
{
	struct rb_node *rb = &hole->node;
	struct rb_node *parent;
	struct iova_hole *found;

	found = iova_hole_first_long(rb->rb_right, need);
	if (found)
		return found;

	/* Everything below @rb is done, go up until we leave a left subtree */
	while ((parent = rb_parent(rb))) {
		if (parent->rb_left == rb) {
			struct iova_hole *cur = iova_hole_of(parent);

			if (iova_hole_span(cur) >= need)
				return cur;
			found = iova_hole_first_long(parent->rb_right, need);
			if (found)
				return found;
		}
		rb = parent;
	}
	return NULL;
}

/**
 * iova_holes_find() - Find the lowest free aligned range of a given length
 * @h: the set of holes
 * @length: number of addresses wanted, at least 1
 * @align: required alignment of the result, a power of two
 * @iova: on success, receives the first address of the range
 *
 * Looks for the lowest address that is a multiple of @align and from which
 * @length addresses lie inside a single hole. The search is exhaustive: if
 * any hole has room for an aligned range, one is found. The set is not
 * modified; the caller normally follows up with iova_holes_remove().
 *
 * Holes shorter than @length are never looked at: whole subtrees are
 * skipped using the cached maximum span. The remaining holes ("candidates")
 * are visited in address order and each one is tested exactly for an
 * aligned fit. Reaching the next candidate costs O(log n), so a search
 * takes O((k + 1) * log n) where n is the number of holes and k the number
 * of candidates that are long enough but cannot hold an aligned range. k is
 * zero when @align is 1, and also whenever the lowest candidate is at least
 * @length + @align - 1 long. In the worst case (many holes that are just
 * long enough but badly aligned) k approaches n.
 *
 * Return: 0 and the address in @iova on success, -ENOSPC if no hole has
 * room, -EINVAL if @length is zero or @align is not a power of two. @iova is
 * only written on success.
 */
int iova_holes_find(struct iova_holes *h, unsigned long length,
		    unsigned long align, unsigned long *iova)
{
	struct iova_hole *hole;
	unsigned long need;

	if (!length || !is_power_of_2(align))
		return -EINVAL;

	/* Span a hole needs to hold @length addresses at all */
	need = length - 1;

	for (hole = iova_hole_first_long(h->root.rb_node, need); hole;
	     hole = iova_hole_next_long(hole, need)) {
		if (iova_hole_fits(hole, need, align, iova))
			return 0;
	}
	return -ENOSPC;
}
EXPORT_SYMBOL_NS_GPL(iova_holes_find, IOMMUFD_INTERNAL);

/**
 * iova_holes_contains() - Check whether a range is entirely free
 * @h: the set of holes
 * @start: first address of the range
 * @last: last address of the range, inclusive
 *
 * Return: true if one hole covers all of [@start, @last], false otherwise
 * (including when @start > @last).
 */
bool iova_holes_contains(struct iova_holes *h, unsigned long start,
			 unsigned long last)
{
	struct iova_hole *hole;

	if (start > last)
		return false;

	hole = iova_hole_ending_from(h, start);
	return hole && hole->start <= start && hole->last >= last;
}
EXPORT_SYMBOL_NS_GPL(iova_holes_contains, IOMMUFD_INTERNAL);
