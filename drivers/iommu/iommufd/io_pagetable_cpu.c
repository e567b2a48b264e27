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
 * The memory of every area is pinned from the moment it is mapped (see
 * pages.c), so neither needs to fault anything in: iopt_pin() only counts
 * the pin on the areas it covers, which keeps them from being unmapped
 * until iopt_unpin() (unmap_range() asks the users to let go first).
 */
#include <linux/highmem.h>
#include <linux/iommu.h>
#include <linux/mm.h>

#include "io_pagetable.h"
#include "pages.h"

/* Called for the part [from, to] of @area inside a span; non-zero stops. */
typedef int (*span_fn)(struct iopt_area *area, unsigned long from,
		       unsigned long to, void *arg);

/*
 * Call @fn for each area part of [iova, last] in order. Return -ENOENT when
 * areas do not cover the whole span; @fn may have been called for the parts
 * before the gap.
 */
static int walk_span(struct io_pagetable *iopt, unsigned long iova,
		     unsigned long last, span_fn fn, void *arg)
{
	unsigned long pos = iova;
	struct iopt_area *area;
	int rc;

	for (area = iopt_area_first(iopt, iova, last); area;
	     area = iopt_area_next(area, iova, last)) {
		if (area->node.start > pos)
			return -ENOENT;
		rc = fn(area, pos, min(area->node.last, last), arg);
		if (rc)
			return rc;
		if (area->node.last >= last)
			return 0;
		pos = area->node.last + 1;
	}
	return -ENOENT;
}

/* The page that holds the byte at @iova, which @area maps. */
static struct page *area_page(struct iopt_area *area, unsigned long iova)
{
	unsigned long byte = area->pages_byte + (iova - area->node.start);

	return area->pages->pages[byte >> PAGE_SHIFT];
}

/* What a span may be used for, and what iopt_pin() fills in. */
struct span_use {
	bool write;
	bool pin;
	unsigned long first_pfn;	/* IOVA page of out[0] */
	struct page **out;
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
	unsigned long pos = from;

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

static int unpin_part(struct iopt_area *area, unsigned long from,
		      unsigned long to, void *arg)
{
	if (WARN_ON(!area->cpu_pins))
		return -EINVAL;
	area->cpu_pins--;
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
 * iopt_pin() - Hand out the pages behind an IOVA range
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
 * the range is not mapped.
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
	rc = walk_span(iopt, iova, last, check_part, &use);
	if (!rc)
		rc = walk_span(iopt, iova, last, pin_part, &use);
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
	WARN_ON(walk_span(iopt, iova, last, unpin_part, NULL));
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
	unsigned long pos = from;

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
 * Nothing is copied unless the whole range may be.
 *
 * Return: 0, or -EINVAL for zero length or a range an unmap is draining,
 * -EOVERFLOW, -EPERM to write memory mapped read-only, -ENOENT when part
 * of the range is not mapped.
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
	rc = walk_span(iopt, iova, last, check_part, &use);
	if (!rc)
		rc = walk_span(iopt, iova, last, copy_part, &cur);
	up_read(&iopt->rwsem);
	return rc;
}
