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
 * Memory named by a shmem file and an offset (IOMMU_IOAS_MAP_FILE) is taken
 * from the file's page cache instead, holding a page reference rather than
 * a GUP pin: the pages outlive a truncation of the file, which only drops
 * them from the page cache.
 *
 * Whoever maps a part of the pages registers it as a use; a page no use
 * covers any more is unpinned and uncharged right away.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/shmem_fs.h>
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

/* Let go of @n entries from @first: a GUP pin, or a file page's reference. */
static void pages_let_go(struct iommufd_pages *pages, unsigned long first,
			 unsigned long n)
{
	struct page **p = pages->pages + first;
	unsigned long i;

	if (!pages->file) {
		unpin_user_pages_dirty_lock(p, n, pages->writable);
		return;
	}
	for (i = 0; i < n; i++) {
		if (pages->writable)
			set_page_dirty_lock(p[i]);
		put_page(p[i]);
	}
}

/* Unpin and uncharge pages [first, last] and forget them. */
static void unpin_range(struct iommufd_pages *pages, unsigned long first,
			unsigned long last)
{
	unsigned long n = last - first + 1;

	pages_let_go(pages, first, n);
	memset(pages->pages + first, 0, n * sizeof(*pages->pages));
	pages->npinned -= n;
	iommufd_acct_uncharge(&pages->acct, n);
}

/*
 * A run of @length bytes from @addr (a user address or a file offset),
 * charged to @mode's limit, with an empty page array: or an ERR_PTR.
 */
static struct iommufd_pages *pages_alloc(unsigned long addr,
					 unsigned long length, bool writable,
					 enum iommufd_acct_mode mode)
{
	struct iommufd_pages *pages;
	unsigned long end;
	int rc;

	if (!length)
		return ERR_PTR(-EINVAL);
	if (check_add_overflow(addr, length, &end) ||
	    end > ULONG_MAX - PAGE_SIZE)
		return ERR_PTR(-EOVERFLOW);

	pages = kzalloc(sizeof(*pages), GFP_KERNEL_ACCOUNT);
	if (!pages)
		return ERR_PTR(-ENOMEM);
	kref_init(&pages->kref);
	pages->uaddr = addr & PAGE_MASK;
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
	if (pages->pages)
		return pages;
	rc = -ENOMEM;
	iommufd_acct_uncharge(&pages->acct, pages->npages);
err_acct:
	iommufd_acct_release(&pages->acct);
	kfree(pages);
	return ERR_PTR(rc);
}

/* Undo pages_alloc() once @done entries of the array hold pages. */
static void pages_abort(struct iommufd_pages *pages, unsigned long done)
{
	pages_let_go(pages, 0, done);
	if (pages->file) {
		if (pages->writable)
			mapping_unmap_writable(pages->file->f_mapping);
		fput(pages->file);
	}
	kvfree(pages->pages);
	iommufd_acct_uncharge(&pages->acct, pages->npages);
	iommufd_acct_release(&pages->acct);
	kfree(pages);
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
	unsigned long done;
	int rc;

	pages = pages_alloc(uptr, length, writable, mode);
	if (IS_ERR(pages))
		return pages;

	for (done = 0; done < pages->npages;) {
		unsigned long n = min(pages->npages - done,
				      READ_ONCE(pin_batch));
		long got;

		n = min_t(unsigned long, n, INT_MAX);
		got = pin_user_pages_fast(pages->uaddr + done * PAGE_SIZE, n,
					  gup_flags, pages->pages + done);
		if (got <= 0) {
			rc = got ? got : -EFAULT;
			pages_abort(pages, done);
			return ERR_PTR(rc);
		}
		done += got;
		cond_resched();
	}
	pages->npinned = pages->npages;
	return pages;
}

/**
 * iommufd_pages_pin_file() - Take and charge a range of a shmem file
 * @file: a memfd or another shmem file, open for reading
 * @start: byte offset in the file, not necessarily page aligned
 * @length: bytes, at least 1
 * @writable: devices will write; @file must be open for writing and not
 *	write-sealed
 * @mode: whose limit to charge
 *
 * Holes in the file get pages, as a write through a mapping would give
 * them. Each page is held by a reference until it is unpinned; the @file
 * is held as long as the pages are, and write-sealing it fails meanwhile
 * when @writable.
 *
 * Return: as iommufd_pages_pin(), or -EINVAL for a file that is not shmem
 * or a range past its end, -EPERM for a file not open for the access.
 */
struct iommufd_pages *iommufd_pages_pin_file(struct file *file,
					     unsigned long start,
					     unsigned long length,
					     bool writable,
					     enum iommufd_acct_mode mode)
{
	struct address_space *mapping = file->f_mapping;
	struct iommufd_pages *pages;
	unsigned long i;
	struct page *page;
	int rc;

	if (!shmem_file(file))
		return ERR_PTR(-EINVAL);
	if (!(file->f_mode & FMODE_READ) ||
	    (writable && !(file->f_mode & FMODE_WRITE)))
		return ERR_PTR(-EPERM);

	pages = pages_alloc(start, length, writable, mode);
	if (IS_ERR(pages))
		return pages;
	if (writable) {
		rc = mapping_map_writable(mapping);
		if (rc) {
			pages_abort(pages, 0);
			return ERR_PTR(rc);
		}
	}
	pages->file = get_file(file);

	for (i = 0; i < pages->npages; i++) {
		page = shmem_read_mapping_page_gfp(mapping,
						   (pages->uaddr >> PAGE_SHIFT) + i,
						   mapping_gfp_mask(mapping));
		if (IS_ERR(page)) {
			rc = PTR_ERR(page);
			/* Past the end of the file, or of what files may be. */
			if (rc == -EFBIG)
				rc = -EINVAL;
			pages_abort(pages, i);
			return ERR_PTR(rc);
		}
		pages->pages[i] = page;
		if (!((i + 1) % READ_ONCE(pin_batch)))
			cond_resched();
	}
	pages->npinned = pages->npages;
	return pages;
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
	if (pages->file) {
		if (pages->writable)
			mapping_unmap_writable(pages->file->f_mapping);
		fput(pages->file);
	}
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
