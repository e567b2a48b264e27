// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reaching an I/O page table's memory with the CPU.
 *
 * Emulated and mediated devices have no IOMMU of their own: their driver
 * reads and writes the guest's memory by IOVA on the device's behalf. It
 * either copies through iopt_rw(), or it pins the pages behind an IOVA
 * range with iopt_pin() to use them for longer (to map them into a GPU's
 * own page table, say).
 *
 * Memory is pinned on demand (see pages.c): iopt_pin() registers each part
 * it pins as a use of the area's pages, shared by every iopt_pin() of
 * exactly that part, and counts the pin on the area, which keeps it from
 * being unmapped until iopt_unpin() (unmap_range() asks the users to let
 * go first). iopt_rw() pins the parts it copies only while it copies.
 */
#include <linux/highmem.h>
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "io_pagetable.h"
#include "pages.h"

/**
 * struct iopt_cpu_pin - a part of an area that CPU users pinned
 * @node: the IOVA range, in &iopt_area.cpu_pinned
 * @use: its pages, registered with the area's pages
 * @count: the iopt_pin() calls for exactly this range not yet undone
 */
struct iopt_cpu_pin {
	struct interval_tree_node node;
	struct iommufd_pages_use use;
	unsigned int count;
};

/*
 * The page that holds the byte at @iova, which @area maps; a use of the
 * caller's covers it.
 */
static struct page *area_page(struct iopt_area *area, unsigned long iova)
{
	unsigned long byte = area->pages_byte + (iova - area->node.start);

	return iommufd_pages_page(area->pages, byte >> PAGE_SHIFT);
}

/* Register [from, to] of @area as a use of its pages: they are pinned. */
static int area_use(struct iopt_area *area, struct iommufd_pages_use *use,
		    unsigned long from, unsigned long to)
{
	return iommufd_pages_use(area->pages, use,
				 area->pages_byte + (from - area->node.start),
				 to - from + 1);
}

/* The pin record of exactly [from, to] in @area, or NULL. */
static struct iopt_cpu_pin *find_pin(struct iopt_area *area,
				     unsigned long from, unsigned long to)
{
	struct interval_tree_node *n;

	for (n = interval_tree_iter_first(&area->cpu_pinned, from, to); n;
	     n = interval_tree_iter_next(n, from, to))
		if (n->start == from && n->last == to)
			return container_of(n, struct iopt_cpu_pin, node);
	return NULL;
}

/* What a span may be used for, and what iopt_pin() fills in. */
struct span_use {
	bool write;
	bool pin;
	unsigned long first_pfn;	/* IOVA page of out[0] */
	struct page **out;
	unsigned long failed_at;	/* where pin_part() failed */
};

static int check_part(struct iopt_area *area, unsigned long from,
		      unsigned long to, void *arg)
{
	struct span_use *use = arg;

	/* An unmap is waiting for the pins here to go. */
	if (area->draining)
		return -EINVAL;
	if (use->write && !(area->iommu_prot & IOMMU_WRITE))
		return -EPERM;
	/* Pages are handed out whole: IOVA and memory must share offsets. */
	if (use->pin && ((area->node.start ^ area->pages_byte) & ~PAGE_MASK))
		return -EINVAL;
	return 0;
}

static int pin_part(struct iopt_area *area, unsigned long from,
		    unsigned long to, void *arg)
{
	struct span_use *use = arg;
	struct iopt_cpu_pin *pin;
	unsigned long pos = from;
	int rc;

	pin = find_pin(area, from, to);
	if (!pin) {
		use->failed_at = from;
		pin = kzalloc(sizeof(*pin), GFP_KERNEL_ACCOUNT);
		if (!pin)
			return -ENOMEM;
		rc = area_use(area, &pin->use, from, to);
		if (rc) {
			kfree(pin);
			return rc;
		}
		pin->node.start = from;
		pin->node.last = to;
		interval_tree_insert(&pin->node, &area->cpu_pinned);
	}
	pin->count++;
	for (;;) {
		use->out[(pos >> PAGE_SHIFT) - use->first_pfn] =
			area_page(area, pos);
		if ((pos | ~PAGE_MASK) >= to)
			break;
		pos = (pos | ~PAGE_MASK) + 1;
	}
	area->cpu_pins++;
	return 0;
}

/* Undo one pin_part() of @pin's range. */
static void unpin_part_locked(struct iopt_area *area, struct iopt_cpu_pin *pin)
{
	area->cpu_pins--;
	if (--pin->count)
		return;
	interval_tree_remove(&pin->node, &area->cpu_pinned);
	iommufd_pages_unuse(area->pages, &pin->use);
	kfree(pin);
}

static int unpin_part(struct iopt_area *area, unsigned long from,
		      unsigned long to, void *arg)
{
	struct iopt_cpu_pin *pin = find_pin(area, from, to);

	if (WARN_ON(!area->cpu_pins || !pin))
		return -EINVAL;
	unpin_part_locked(area, pin);
	return 0;
}

/* Undo pin_part() for the parts of [iova, last] that end before @stop. */
static int unpin_until(struct iopt_area *area, unsigned long from,
		       unsigned long to, void *arg)
{
	unsigned long stop = *(unsigned long *)arg;

	if (to >= stop)
		return 1;
	unpin_part_locked(area, find_pin(area, from, to));
	return 0;
}

static int check_span(unsigned long iova, unsigned long length,
		      unsigned long *last)
{
	if (!length)
		return -EINVAL;
	if (check_add_overflow(iova, length - 1, last))
		return -EOVERFLOW;
	return 0;
}

/**
 * iopt_pin() - Pin the pages behind an IOVA range and hand them out
 * @iopt: the table
 * @iova: first IOVA
 * @length: bytes
 * @write: the caller will write to the pages
 * @out: one entry per page the range touches, filled in order
 *
 * The pages stay valid until the same range is passed to iopt_unpin().
 * Pins are counted, not recorded per caller: undo each call with exactly
 * its own @iova and @length.
 *
 * Return: 0, or -EINVAL for zero length, a range that an unmap is
 * draining, or an area whose IOVA and memory differ in page offset;
 * -EOVERFLOW; -EPERM to write memory mapped read-only; -ENOENT when part of
 * the range is not mapped; -ENOMEM or -EFAULT when the memory cannot be
 * pinned (see iommufd_pages_use()). Nothing stays pinned on error.
 */
int iopt_pin(struct io_pagetable *iopt, unsigned long iova,
	     unsigned long length, bool write, struct page **out)
{
	struct span_use use = {
		.write = write,
		.pin = true,
		.first_pfn = iova >> PAGE_SHIFT,
		.out = out,
	};
	unsigned long last;
	int rc;

	rc = check_span(iova, length, &last);
	if (rc)
		return rc;

	down_write(&iopt->rwsem);
	rc = iopt_walk_span(iopt, iova, last, check_part, &use);
	if (!rc) {
		rc = iopt_walk_span(iopt, iova, last, pin_part, &use);
		/* check_part() saw the whole span: only pinning can fail. */
		if (rc)
			iopt_walk_span(iopt, iova, last, unpin_until,
				       &use.failed_at);
	}
	up_write(&iopt->rwsem);
	return rc;
}

/**
 * iopt_unpin() - Undo one iopt_pin()
 * @iopt: the table
 * @iova: the @iova given to iopt_pin()
 * @length: the @length given to iopt_pin()
 */
void iopt_unpin(struct io_pagetable *iopt, unsigned long iova,
		unsigned long length)
{
	unsigned long last;

	if (WARN_ON(check_span(iova, length, &last)))
		return;
	down_write(&iopt->rwsem);
	WARN_ON(iopt_walk_span(iopt, iova, last, unpin_part, NULL));
	up_write(&iopt->rwsem);
}

/* Where the next byte of an iopt_rw() goes or comes from. */
struct rw_cursor {
	char *buf;
	bool write;
};

static int copy_part(struct iopt_area *area, unsigned long from,
		     unsigned long to, void *arg)
{
	struct rw_cursor *cur = arg;
	struct iommufd_pages_use use;
	unsigned long pos = from;
	int rc;

	/* Pinned only while copying, unless somebody else pins it anyway. */
	rc = area_use(area, &use, from, to);
	if (rc)
		return rc;
	for (;;) {
		unsigned long byte = area->pages_byte + (pos - area->node.start);
		unsigned long n = min(PAGE_SIZE - (byte & ~PAGE_MASK),
				      to - pos + 1);
		char *va = kmap_local_page(area_page(area, pos));

		if (cur->write)
			memcpy(va + (byte & ~PAGE_MASK), cur->buf, n);
		else
			memcpy(cur->buf, va + (byte & ~PAGE_MASK), n);
		kunmap_local(va);
		cur->buf += n;
		if (to - pos + 1 == n)
			break;
		pos += n;
	}
	iommufd_pages_unuse(area->pages, &use);
	return 0;
}

/**
 * iopt_rw() - Copy between a kernel buffer and memory by IOVA
 * @iopt: the table
 * @iova: first IOVA
 * @buf: the kernel buffer, @length bytes
 * @length: bytes
 * @write: copy from @buf into the IOVA range, else the other way
 *
 * Nothing is copied unless the whole range is mapped with the access asked
 * for. Memory not pinned yet is pinned while it is copied, one area at a
 * time; when that fails the areas before were copied already.
 *
 * Return: 0, or -EINVAL for zero length or a range an unmap is draining,
 * -EOVERFLOW, -EPERM to write memory mapped read-only, -ENOENT when part
 * of the range is not mapped, or as iommufd_pages_use().
 */
int iopt_rw(struct io_pagetable *iopt, unsigned long iova, void *buf,
	    unsigned long length, bool write)
{
	struct span_use use = { .write = write };
	struct rw_cursor cur = { .buf = buf, .write = write };
	unsigned long last;
	int rc;

	rc = check_span(iova, length, &last);
	if (rc)
		return rc;

	down_read(&iopt->rwsem);
	rc = iopt_walk_span(iopt, iova, last, check_part, &use);
	if (!rc)
		rc = iopt_walk_span(iopt, iova, last, copy_part, &cur);
	up_read(&iopt->rwsem);
	return rc;
}
