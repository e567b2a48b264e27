// SPDX-License-Identifier: GPL-2.0-only
/*
 * Pinning user memory for DMA, on demand.
 *
 * A mapping request only records which memory it names: an address range of
 * the caller's mm, or a range of a shmem file (IOMMU_IOAS_MAP_FILE). Pages
 * are pinned when something needs them (a table with a domain to fill, a
 * CPU user that pins or copies) and unpinned when the last such need goes.
 * A VMM may therefore map all of its guest's memory, or more than the
 * machine has, before any device is attached, and pay nothing for it.
 *
 * Each need is a use: a page index range registered in the run's interval
 * tree. A use pins, in batches and after charging RLIMIT_MEMLOCK, the pages
 * of its range that no other use covers; removing a use unpins the pages
 * that no use covers any more. The pinned pages live in an xarray by index,
 * so the memory spent on bookkeeping follows what is pinned.
 *
 * User memory is pinned with FOLL_LONGTERM from the mm that mapped it, also
 * when another process fills the domain; once that mm is gone, memory that
 * is not pinned yet cannot be any more. File memory is taken from the
 * file's page cache holding a page reference: the pages outlive a
 * truncation of the file, which only drops them from the page cache.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>

#include "pages.h"

/*
 * Pinned pages are kept in chunks of up to PIN_CHUNK pointers, one chunk
 * per PIN_CHUNK pages of the run, allocated when their first page is
 * pinned and freed with their last; the chunks are in an xarray by chunk
 * number. A full chunk, its count included, is exactly one page. GUP
 * writes straight into a chunk, and a physically contiguous run is read
 * off one array, so a large pin costs one xarray operation per chunk, not
 * per page; a run shorter than a chunk gets a chunk sized for it. A run
 * of at most PIN_SMALL pages has its one chunk allocated with it
 * (&iommufd_pages.small), so that pinning a few pages allocates nothing.
 */
#define PIN_CHUNK	\
	((unsigned long)(PAGE_SIZE - sizeof(unsigned long)) / sizeof(void *))
#define PIN_SMALL	16

/**
 * struct pin_chunk - pinned pages of PIN_CHUNK consecutive indexes
 * @used: entries holding a page
 * @pages: the pages; NULL where none is pinned
 */
struct pin_chunk {
	unsigned long used;
	struct page *pages[];
};

/* Which chunk holds page @index of a run, and where in it. */
static unsigned long chunk_of(unsigned long index)
{
	return index / PIN_CHUNK;
}

static unsigned long chunk_off(unsigned long index)
{
	return index % PIN_CHUNK;
}

/*
 * Pages pinned per GUP call, at most PIN_CHUNK. The test interface lowers
 * it to push the batch boundaries through every code path.
 */
static unsigned long pin_batch = PIN_CHUNK;

/**
 * iommufd_pages_set_batch() - Set the number of pages pinned per call
 * @npages: at least 1; more than PIN_CHUNK counts as PIN_CHUNK
 */
void iommufd_pages_set_batch(unsigned long npages)
{
	WRITE_ONCE(pin_batch, clamp_t(unsigned long, npages, 1, PIN_CHUNK));
}

/* Entries of chunk @c: PIN_CHUNK, or what is left of the run. */
static unsigned long chunk_cap(struct iommufd_pages *pages, unsigned long c)
{
	return min_t(unsigned long, PIN_CHUNK, pages->npages - c * PIN_CHUNK);
}

/* Let go of @n pages taken by fetch(): a GUP pin, or a file page's reference. */
static void let_go(struct iommufd_pages *pages, struct page **p,
		   unsigned long n)
{
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

/* Take up to @n file pages from @index: how many, or a negative errno. */
static long fetch_file(struct iommufd_pages *pages, unsigned long index,
		       unsigned long n, struct page **out)
{
	struct address_space *mapping = pages->file->f_mapping;
	pgoff_t first = (pages->uaddr >> PAGE_SHIFT) + index;
	struct page *page;
	unsigned long i;

	for (i = 0; i < n; i++) {
		page = shmem_read_mapping_page_gfp(mapping, first + i,
						   mapping_gfp_mask(mapping));
		if (IS_ERR(page)) {
			if (i)
				break;
			/* Past the end of the file, or of what files may be. */
			if (PTR_ERR(page) == -EFBIG)
				return -EINVAL;
			return PTR_ERR(page);
		}
		out[i] = page;
	}
	return i;
}

/*
 * Pin up to @n pages of user memory from @index: how many, or a negative
 * errno. The mm that mapped the memory is used, whoever asks.
 */
static long fetch_user(struct iommufd_pages *pages, unsigned long index,
		       unsigned long n, struct page **out)
{
	unsigned int flags = FOLL_LONGTERM | (pages->writable ? FOLL_WRITE : 0);
	unsigned long addr = pages->uaddr + index * PAGE_SIZE;
	struct mm_struct *mm = pages->acct->mm;
	long got;

	if (mm == current->mm) {
		got = pin_user_pages_fast(addr, n, flags, out);
	} else {
		/* The mapping process may have exited meanwhile. */
		if (!mmget_not_zero(mm))
			return -EFAULT;
		mmap_read_lock(mm);
		got = pin_user_pages_remote(mm, addr, n, flags, out, NULL, NULL);
		mmap_read_unlock(mm);
		mmput(mm);
	}
	return got ? got : -EFAULT;
}

/* The chunk for page @index, or NULL while it has none. */
static struct pin_chunk *chunk_find(struct iommufd_pages *pages,
				    unsigned long index)
{
	if (pages->small)
		return pages->small;
	return xa_load(&pages->pinned, chunk_of(index));
}

/* The chunk for page @index, made if there is none yet; or an ERR_PTR. */
static struct pin_chunk *chunk_get(struct iommufd_pages *pages,
				   unsigned long index)
{
	unsigned long c = chunk_of(index);
	struct pin_chunk *chunk = chunk_find(pages, index);
	int rc;

	if (chunk)
		return chunk;
	chunk = kzalloc(struct_size(chunk, pages, chunk_cap(pages, c)),
			GFP_KERNEL_ACCOUNT);
	if (!chunk)
		return ERR_PTR(-ENOMEM);
	rc = xa_err(xa_store(&pages->pinned, c, chunk, GFP_KERNEL_ACCOUNT));
	if (rc) {
		kfree(chunk);
		return ERR_PTR(rc);
	}
	return chunk;
}

static void chunk_put_if_empty(struct iommufd_pages *pages,
			       unsigned long index, struct pin_chunk *chunk)
{
	if (chunk->used || chunk == pages->small)
		return;
	xa_erase(&pages->pinned, chunk_of(index));
	kfree(chunk);
}

/*
 * Remove the pages of [first, last], all of them pinned, and let go of
 * them; return how many there were.
 */
static unsigned long drop(struct iommufd_pages *pages, unsigned long first,
			  unsigned long last)
{
	unsigned long index = first, total = 0;

	while (index <= last) {
		unsigned long off = chunk_off(index);
		unsigned long n = min(last - index + 1,
				      chunk_cap(pages, chunk_of(index)) -
				      off);
		struct pin_chunk *chunk = chunk_find(pages, index);

		if (WARN_ON(!chunk))
			break;
		let_go(pages, chunk->pages + off, n);
		memset(chunk->pages + off, 0, n * sizeof(*chunk->pages));
		chunk->used -= n;
		chunk_put_if_empty(pages, index, chunk);
		total += n;
		index += n;
		if (index <= last)
			cond_resched();
	}
	return total;
}

/* Unpin and uncharge every page of [first, last]; all are pinned. */
static void unpin_range(struct iommufd_pages *pages, unsigned long first,
			unsigned long last)
{
	unsigned long n = drop(pages, first, last);

	WARN_ON(n != last - first + 1);
	pages->npinned -= n;
	iommufd_acct_uncharge(pages->acct, n);
}

/*
 * Charge and pin [first, last], where no page is pinned yet: all of it, or
 * nothing. Under the lock.
 */
static int pin_range(struct iommufd_pages *pages, unsigned long first,
		     unsigned long last)
{
	unsigned long n = last - first + 1, done = 0;
	int rc;

	lockdep_assert_held(&pages->lock);
	rc = iommufd_acct_charge(pages->acct, n);
	if (rc)
		return rc;

	while (done < n) {
		unsigned long index = first + done;
		unsigned long off = chunk_off(index);
		unsigned long want = min3(n - done, READ_ONCE(pin_batch),
					  chunk_cap(pages, chunk_of(index)) -
					  off);
		struct pin_chunk *chunk = chunk_get(pages, index);
		long got;

		if (IS_ERR(chunk)) {
			rc = PTR_ERR(chunk);
			break;
		}
		if (pages->file)
			got = fetch_file(pages, index, want, chunk->pages + off);
		else
			got = fetch_user(pages, index, want, chunk->pages + off);
		if (got < 0) {
			chunk_put_if_empty(pages, index, chunk);
			rc = got;
			break;
		}
		chunk->used += got;
		done += got;
		if (done < n)
			cond_resched();
	}
	if (!rc) {
		pages->npinned += n;
		return 0;
	}
	if (done)
		drop(pages, first, first + done - 1);
	iommufd_acct_uncharge(pages->acct, n);
	return rc;
}

/* Bytes of a run's allocation before the creator's extra bytes. */
static size_t pages_size(unsigned long npages)
{
	size_t size = sizeof(struct iommufd_pages);

	if (npages <= PIN_SMALL)
		size += struct_size((struct pin_chunk *)NULL, pages, npages);
	return ALIGN(size, sizeof(void *));
}

/*
 * An empty run of @length bytes from @addr (a user address or a file
 * offset), allocated with @extra bytes for its creator after it, or an
 * ERR_PTR. Takes over the caller's reference to @acct, which the pins to
 * come are charged to, also on failure.
 *
 * Fields are set one by one rather than by zeroing the allocation: a map
 * creates a run every time, and the small chunk is cleared only for the
 * pages it has.
 */
static struct iommufd_pages *pages_alloc(unsigned long addr,
					 unsigned long length, bool writable,
					 struct iommufd_acct *acct, size_t extra)
{
	struct iommufd_pages *pages = ERR_PTR(-EINVAL);
	struct pin_chunk *small = NULL;
	unsigned long end, npages;
	size_t head;

	if (!length)
		goto err_put;
	pages = ERR_PTR(-EOVERFLOW);
	if (check_add_overflow(addr, length, &end) ||
	    end > ULONG_MAX - PAGE_SIZE)
		goto err_put;

	npages = (PAGE_ALIGN(end) - (addr & PAGE_MASK)) >> PAGE_SHIFT;
	head = pages_size(npages);
	pages = kmalloc(head + extra, GFP_KERNEL_ACCOUNT);
	if (!pages) {
		pages = ERR_PTR(-ENOMEM);
		goto err_put;
	}
	if (npages <= PIN_SMALL) {
		small = (struct pin_chunk *)(pages + 1);
		small->used = 0;
		memset(small->pages, 0, npages * sizeof(*small->pages));
	}
	*pages = (struct iommufd_pages){
		.uaddr = addr & PAGE_MASK,
		.npages = npages,
		.writable = writable,
		.acct = acct,
		.uses = RB_ROOT_CACHED,
		.small = small,
		.extra = extra ? (char *)pages + head : NULL,
	};
	kref_init(&pages->kref);
	mutex_init(&pages->lock);
	xa_init(&pages->pinned);
	return pages;

err_put:
	iommufd_acct_put(acct);
	return pages;
}

static void pages_free(struct iommufd_pages *pages)
{
	if (pages->file) {
		if (pages->writable)
			mapping_unmap_writable(pages->file->f_mapping);
		fput(pages->file);
	}
	iommufd_acct_put(pages->acct);
	/* Chunks go with their last page: nothing is left to destroy. */
	WARN_ON(!xa_empty(&pages->pinned));
	mutex_destroy(&pages->lock);
	kfree(pages);
}

/**
 * iommufd_pages_create() - Name a range of current's memory for pinning
 * @uptr: user address, not necessarily page aligned
 * @length: bytes, at least 1
 * @writable: pin for writing
 * @acct: current's charging identity (iommufd_acct_get()); the run takes
 *	over the caller's reference, also on failure
 * @extra: bytes the caller wants allocated with the run and freed with it
 *	(&iommufd_pages.extra), or 0; saves a map a second allocation
 *
 * Nothing is pinned or charged here, and the memory is not looked at: a
 * range that cannot be pinned fails when a use first needs it. The pins
 * will come from current's mm, whichever task asks for them.
 *
 * Return: the run with one reference, or an ERR_PTR: -EINVAL for zero
 * length, -EOVERFLOW when the range wraps, -ENOMEM.
 */
struct iommufd_pages *iommufd_pages_create(unsigned long uptr,
					   unsigned long length, bool writable,
					   struct iommufd_acct *acct,
					   size_t extra)
{
	return pages_alloc(uptr, length, writable, acct, extra);
}

/**
 * iommufd_pages_create_file() - Name a range of a shmem file for pinning
 * @file: a memfd or another shmem file, open for reading
 * @start: byte offset in the file, not necessarily page aligned
 * @length: bytes, at least 1
 * @writable: devices will write; @file must be open for writing and not
 *	write-sealed
 * @acct: as for iommufd_pages_create()
 * @extra: as for iommufd_pages_create()
 *
 * The range must lie inside the file now; holes in it get pages when they
 * are pinned, as a write through a mapping would give them. The @file is
 * held as long as the run is, and write-sealing it fails meanwhile when
 * @writable.
 *
 * Return: as iommufd_pages_create(), or -EINVAL for a file that is not
 * shmem or a range past its end, -EPERM for a file not open for the
 * access or, when @writable, write-sealed.
 */
struct iommufd_pages *iommufd_pages_create_file(struct file *file,
						unsigned long start,
						unsigned long length,
						bool writable,
						struct iommufd_acct *acct,
						size_t extra)
{
	struct iommufd_pages *pages;
	int rc;

	if (!shmem_file(file) || !(file->f_mode & FMODE_READ) ||
	    (writable && !(file->f_mode & FMODE_WRITE))) {
		iommufd_acct_put(acct);
		return ERR_PTR(shmem_file(file) ? -EPERM : -EINVAL);
	}

	pages = iommufd_pages_create(start, length, writable, acct, extra);
	if (IS_ERR(pages))
		return pages;
	if (start + length > i_size_read(file_inode(file))) {
		rc = -EINVAL;
		goto err_free;
	}
	if (writable) {
		rc = mapping_map_writable(file->f_mapping);
		if (rc)
			goto err_free;
	}
	pages->file = get_file(file);
	return pages;

err_free:
	pages_free(pages);
	return ERR_PTR(rc);
}

static void pages_release(struct kref *kref)
{
	struct iommufd_pages *pages =
		container_of(kref, struct iommufd_pages, kref);

	WARN_ON(!RB_EMPTY_ROOT(&pages->uses.rb_root) || pages->npinned);
	pages_free(pages);
}

/**
 * iommufd_pages_put() - Drop a reference; the last one frees the run
 * @pages: the run; the last reference may only go once no use is left
 */
void iommufd_pages_put(struct iommufd_pages *pages)
{
	kref_put(&pages->kref, pages_release);
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

/*
 * Pin every page of [first, last] that no use covers; on error, unpin what
 * this call pinned. Under the lock, with the new use not yet inserted.
 */
static int fill(struct iommufd_pages *pages, unsigned long first,
		unsigned long last)
{
	struct interval_tree_node *n;
	unsigned long pos = first;
	int rc = 0;

	lockdep_assert_held(&pages->lock);
	while (pos <= last) {
		n = interval_tree_iter_first(&pages->uses, pos, last);
		if (!n) {
			rc = pin_range(pages, pos, last);
			if (!rc)
				return 0;
			break;
		}
		if (n->start > pos) {
			rc = pin_range(pages, pos, n->start - 1);
			if (rc)
				break;
		}
		if (n->last >= last)
			return 0;
		pos = max(pos, n->last + 1);
	}
	/* Every page from first to pos is pinned now, or was already. */
	if (pos > first)
		trim(pages, first, pos - 1);
	return rc;
}

/**
 * iommufd_pages_use() - Pin a part of a run for as long as it is needed
 * @pages: the run
 * @use: the caller's record, in whatever needs the part
 * @byte: offset of the part from @pages->uaddr
 * @length: bytes, at least 1, inside the run
 *
 * Pages of the part that no other use covers are charged and pinned now.
 * Until iommufd_pages_unuse(), iommufd_pages_page() and
 * iommufd_pages_contig() answer for the part. Takes no reference.
 *
 * Return: 0, or -ENOMEM (RLIMIT_MEMLOCK or memory), -EFAULT (the memory
 * is not mapped, or its mm is gone), -EINVAL (past the end of a file), or
 * what GUP returns. Nothing changes on error.
 */
int iommufd_pages_use(struct iommufd_pages *pages,
		      struct iommufd_pages_use *use, unsigned long byte,
		      unsigned long length)
{
	int rc;

	use->node.start = byte >> PAGE_SHIFT;
	use->node.last = (byte + length - 1) >> PAGE_SHIFT;
	mutex_lock(&pages->lock);
	rc = fill(pages, use->node.start, use->node.last);
	if (!rc)
		interval_tree_insert(&use->node, &pages->uses);
	mutex_unlock(&pages->lock);
	return rc;
}

/**
 * iommufd_pages_shrink_use() - Make a use cover less
 * @pages: the run
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
 * @pages: the run
 * @use: the use; no IOPTE or IOTLB entry may point into it any more
 *
 * Unpins and uncharges the pages of the use that no other use covers.
 */
void iommufd_pages_unuse(struct iommufd_pages *pages,
			 struct iommufd_pages_use *use)
{
	mutex_lock(&pages->lock);
	interval_tree_remove(&use->node, &pages->uses);
	trim(pages, use->node.start, use->node.last);
	mutex_unlock(&pages->lock);
}

/**
 * iommufd_pages_page() - A pinned page of a run
 * @pages: the run
 * @index: page index in the run; a use of the caller's must cover it
 *
 * Return: the page.
 */
struct page *iommufd_pages_page(struct iommufd_pages *pages,
				unsigned long index)
{
	struct pin_chunk *chunk = chunk_find(pages, index);

	return chunk->pages[chunk_off(index)];
}

/**
 * iommufd_pages_contig() - Measure a physically contiguous run of pages
 * @pages: the run
 * @index: the first page; a use of the caller's covers it and the next
 *	@max - 1 pages
 * @max: at least 1
 * @phys: out: physical address of page @index
 *
 * Return: how many pages from @index, at least 1 and at most @max, follow
 * each other in physical memory.
 */
unsigned long iommufd_pages_contig(struct iommufd_pages *pages,
				   unsigned long index, unsigned long max,
				   phys_addr_t *phys)
{
	unsigned long pfn = page_to_pfn(iommufd_pages_page(pages, index));
	unsigned long n = 1;

	*phys = PFN_PHYS(pfn);
	while (n < max) {
		struct pin_chunk *chunk;
		unsigned long off, end;

		index++;
		off = chunk_off(index);
		chunk = chunk_find(pages, index);
		end = min(chunk_cap(pages, chunk_of(index)),
			  off + (max - n));
		for (; off < end; off++, n++, index++)
			if (page_to_pfn(chunk->pages[off]) != pfn + n)
				return n;
		index--;
	}
	return n;
}
