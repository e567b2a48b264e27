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

static void unpin_range(struct iommufd_pages *pages, unsigned long n)
{
	unpin_user_pages_dirty_lock(pages->pages, n, pages->writable);
}

/**
 * iommufd_pages_pin() - Pin and charge a range of current's memory
 * @uptr: user address, not necessarily page aligned
 * @length: bytes, at least 1
 * @writable: pin for writing
 * @mode: whose limit to charge
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
	return pages;

err_unpin:
	unpin_range(pages, done);
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

	unpin_range(pages, pages->npages);
	iommufd_acct_uncharge(&pages->acct, pages->npages);
	iommufd_acct_release(&pages->acct);
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
