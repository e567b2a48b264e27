// SPDX-License-Identifier: GPL-2.0-only
/*
 * Pinning user memory for DMA.
 *
 * A mapping request pins its whole range up front, in batches, with
 * FOLL_LONGTERM, after charging it to RLIMIT_MEMLOCK. Pinning eagerly keeps
 * every later step (filling a new domain, copying into another IOAS, an
 * emulated device reading through the IOAS) free of faults and of failure
 * on user memory that changed meanwhile, at the cost of pinning memory that
 * no domain maps yet. A VMM maps guest RAM that its devices will use anyway.
 *
 * Whoever maps a part of the pages registers it as a use; a page no use
 * covers any more is unpinned and uncharged right away.
 */
#include <linux/mm.h>
#include <linux/slab.h>

#include "pages.h"

/*
 * Pages pinned per pin_user_pages_fast() call. The test interface lowers it
 * to push the batch boundaries through every code path.
 */
static unsigned long pin_batch = 65536;

/**
 * iommufd_pages_set_batch() - Set the number of pages pinned per call
 * @npages: at least 1
 */
void iommufd_pages_set_batch(unsigned long npages)
{
	WRITE_ONCE(pin_batch, max(npages, 1UL));
}

/* Unpin and uncharge pages [first, last] and forget them. */
static void unpin_range(struct iommufd_pages *pages, unsigned long first,
			unsigned long last)
{
	unsigned long n = last - first + 1;

	unpin_user_pages_dirty_lock(pages->pages + first, n, pages->writable);
	memset(pages->pages + first, 0, n * sizeof(*pages->pages));
	pages->npinned -= n;
	iommufd_acct_uncharge(&pages->acct, n);
}

/**
 * iommufd_pages_pin() - Pin and charge a range of current's memory
 * @uptr: user address, not necessarily page aligned
 * @length: bytes, at least 1
 * @writable: pin for writing
 * @mode: whose limit to charge
 *
 * The caller registers what it maps with iommufd_pages_use() and then
 * drops the reference it got here.
 *
 * Return: the pinned memory with one reference, or an ERR_PTR: -EOVERFLOW
 * when the range wraps, -ENOMEM over the limit or out of memory, -EFAULT
 * (or what GUP returns) when part of the range cannot be pinned. Nothing
 * stays pinned or charged on error.
 */
struct iommufd_pages *iommufd_pages_pin(unsigned long uptr,
					unsigned long length, bool writable,
					enum iommufd_acct_mode mode)
{
	unsigned int gup_flags = FOLL_LONGTERM | (writable ? FOLL_WRITE : 0);
	struct iommufd_pages *pages;
	unsigned long end, done;
	int rc;

	if (!length)
		return ERR_PTR(-EINVAL);
	if (check_add_overflow(uptr, length, &end) ||
	    end > ULONG_MAX - PAGE_SIZE)
		return ERR_PTR(-EOVERFLOW);

	pages = kzalloc(sizeof(*pages), GFP_KERNEL_ACCOUNT);
	if (!pages)
		return ERR_PTR(-ENOMEM);
	kref_init(&pages->kref);
	pages->uaddr = uptr & PAGE_MASK;
	pages->npages = (PAGE_ALIGN(end) - pages->uaddr) >> PAGE_SHIFT;
	pages->writable = writable;
	mutex_init(&pages->lock);
	pages->uses = RB_ROOT_CACHED;

	/*
	 * Charge before allocating anything sized by the request, so that a
	 * caller over its limit costs nothing; a request whose page array
	 * alone is too big for kvmalloc() fails quietly with -ENOMEM.
	 */
	iommufd_acct_init(&pages->acct, mode);
	rc = iommufd_acct_charge(&pages->acct, pages->npages);
	if (rc)
		goto err_acct;
	pages->pages = kvcalloc(pages->npages, sizeof(*pages->pages),
				GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!pages->pages) {
		rc = -ENOMEM;
		goto err_uncharge;
	}

	for (done = 0; done < pages->npages;) {
		unsigned long n = min(pages->npages - done,
				      READ_ONCE(pin_batch));
		long got;

		n = min_t(unsigned long, n, INT_MAX);
		got = pin_user_pages_fast(pages->uaddr + done * PAGE_SIZE, n,
					  gup_flags, pages->pages + done);
		if (got <= 0) {
			rc = got ? got : -EFAULT;
			goto err_unpin;
		}
		done += got;
		cond_resched();
	}
	pages->npinned = pages->npages;
	return pages;

err_unpin:
	unpin_user_pages_dirty_lock(pages->pages, done, writable);
	kvfree(pages->pages);
err_uncharge:
	iommufd_acct_uncharge(&pages->acct, pages->npages);
err_acct:
	iommufd_acct_release(&pages->acct);
	kfree(pages);
	return ERR_PTR(rc);
}

static void pages_release(struct kref *kref)
{
	struct iommufd_pages *pages =
		container_of(kref, struct iommufd_pages, kref);
	unsigned long i = 0, end;

	WARN_ON(!RB_EMPTY_ROOT(&pages->uses.rb_root));
	/* Whatever no use ever trimmed: runs of pinned entries. */
	while (pages->npinned) {
		while (!pages->pages[i])
			i++;
		end = i;
		while (end + 1 < pages->npages && pages->pages[end + 1])
			end++;
		unpin_range(pages, i, end);
		i = end + 1;
	}
	iommufd_acct_release(&pages->acct);
	mutex_destroy(&pages->lock);
	kvfree(pages->pages);
	kfree(pages);
}

/**
 * iommufd_pages_put() - Drop a reference; the last one unpins and uncharges
 * @pages: the pinned memory
 *
 * The caller must have removed every IOPTE and IOTLB entry that points into
 * @pages before dropping the reference it held for them.
 */
void iommufd_pages_put(struct iommufd_pages *pages)
{
	kref_put(&pages->kref, pages_release);
}

/**
 * iommufd_pages_use() - Register a part of pinned memory as mapped
 * @pages: the pinned memory; every page of the part must be pinned: inside
 *	another use, or not yet trimmed since iommufd_pages_pin()
 * @use: the caller's record, in whatever maps the part
 * @byte: offset of the part from @pages->uaddr
 * @length: bytes, at least 1
 *
 * Takes a reference on @pages for the use.
 */
void iommufd_pages_use(struct iommufd_pages *pages,
		       struct iommufd_pages_use *use, unsigned long byte,
		       unsigned long length)
{
	kref_get(&pages->kref);
	use->node.start = byte >> PAGE_SHIFT;
	use->node.last = (byte + length - 1) >> PAGE_SHIFT;
	mutex_lock(&pages->lock);
	interval_tree_insert(&use->node, &pages->uses);
	mutex_unlock(&pages->lock);
}

/* Unpin every page of [first, last] that no use covers. Under the lock. */
static void trim(struct iommufd_pages *pages, unsigned long first,
		 unsigned long last)
{
	struct interval_tree_node *n;
	unsigned long pos = first;

	lockdep_assert_held(&pages->lock);
	while (pos <= last) {
		n = interval_tree_iter_first(&pages->uses, pos, last);
		if (!n) {
			unpin_range(pages, pos, last);
			return;
		}
		if (n->start > pos)
			unpin_range(pages, pos, n->start - 1);
		if (n->last >= last)
			return;
		pos = max(pos, n->last + 1);
	}
}

/**
 * iommufd_pages_shrink_use() - Make a use cover less
 * @pages: the pinned memory
 * @use: a use of it
 * @byte: offset of the part still used, inside the old one
 * @length: bytes, at least 1
 *
 * Pages the use no longer covers are unpinned unless another use covers
 * them; register the new user of a part (iommufd_pages_use()) first.
 */
void iommufd_pages_shrink_use(struct iommufd_pages *pages,
			      struct iommufd_pages_use *use,
			      unsigned long byte, unsigned long length)
{
	unsigned long first = use->node.start, last = use->node.last;

	mutex_lock(&pages->lock);
	interval_tree_remove(&use->node, &pages->uses);
	use->node.start = byte >> PAGE_SHIFT;
	use->node.last = (byte + length - 1) >> PAGE_SHIFT;
	interval_tree_insert(&use->node, &pages->uses);
	if (first < use->node.start)
		trim(pages, first, use->node.start - 1);
	if (last > use->node.last)
		trim(pages, use->node.last + 1, last);
	mutex_unlock(&pages->lock);
}

/**
 * iommufd_pages_unuse() - Undo iommufd_pages_use()
 * @pages: the pinned memory
 * @use: the use; no IOPTE or IOTLB entry may point into it any more
 *
 * Unpins the pages of the use that no other use covers, and drops its
 * reference on @pages.
 */
void iommufd_pages_unuse(struct iommufd_pages *pages,
			 struct iommufd_pages_use *use)
{
	mutex_lock(&pages->lock);
	interval_tree_remove(&use->node, &pages->uses);
	trim(pages, use->node.start, use->node.last);
	mutex_unlock(&pages->lock);
	iommufd_pages_put(pages);
}
