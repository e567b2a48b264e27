// SPDX-License-Identifier: GPL-2.0-only
/*
 * VFIO type1's dirty page tracking on iommufd's compat container:
 * VFIO_IOMMU_DIRTY_PAGES, the dirty bitmap of VFIO_IOMMU_UNMAP_DMA, and the
 * migration capability of VFIO_IOMMU_GET_INFO.
 *
 * Type1 cannot see which pages a device behind an IOMMU wrote: while its
 * tracking is on it reports every page mapped in the range dirty, on every
 * read, and VMMs that migrate through a type1 container expect no more.
 * This does the same over the compat IOAS, so they migrate over iommufd
 * too. Bits are only set; pages nothing maps keep the user's bits.
 */
#include <linux/bitmap.h>
#include <linux/gfp.h>
#include <linux/uaccess.h>
#include <uapi/linux/vfio.h>

#include "context.h"
#include "ioas.h"
#include "vfio_compat.h"

/* Type1's limits: at most INT_MAX pages per bitmap, in whole u64 words. */
#define COMPAT_DIRTY_PAGES_MAX ((u64)INT_MAX)
#define COMPAT_DIRTY_BYTES(n) (ALIGN((u64)(n), 64) / BITS_PER_BYTE)
#define COMPAT_DIRTY_SIZE_MAX COMPAT_DIRTY_BYTES(COMPAT_DIRTY_PAGES_MAX)

/* Bits in one read-modify-write of the user's bitmap: a page of them. */
#define COMPAT_DIRTY_CHUNK_BITS (PAGE_SIZE * BITS_PER_BYTE)

/**
 * struct compat_dirty - filling a type1 dirty bitmap
 * @ubits: the user's bitmap; bit n for @iova + n << @pgshift
 * @iova: the first IOVA of the range asked for
 * @last: its last IOVA
 * @pgshift: log2 of the bytes a bit stands for
 * @buf: a page of kernel bitmap, one chunk of the user's at a time; NULL
 *	while only looking for a cut mapping
 * @cut: a mapping reaches across an end of the range
 */
struct compat_dirty {
	u8 __user *ubits;
	unsigned long iova;
	unsigned long last;
	unsigned int pgshift;
	unsigned long *buf;
	bool cut;
};

/* Set bits [first, last] of the user's bitmap, a chunk at a time. */
static int compat_dirty_set(struct compat_dirty *d, u64 first, u64 last)
{
	while (first <= last) {
		u64 chunk = first / COMPAT_DIRTY_CHUNK_BITS;
		u64 base = chunk * COMPAT_DIRTY_CHUNK_BITS;
		u64 end = min(last, base + COMPAT_DIRTY_CHUNK_BITS - 1);
		size_t bytes = DIV_ROUND_UP(end - base + 1, BITS_PER_BYTE);
		u8 __user *ub = d->ubits + base / BITS_PER_BYTE;

		if (copy_from_user(d->buf, ub, bytes))
			return -EFAULT;
		bitmap_set(d->buf, first - base, end - first + 1);
		if (copy_to_user(ub, d->buf, bytes))
			return -EFAULT;
		first = end + 1;
	}
	return 0;
}

/* iopt_walk_areas() callback: one mapping that meets the range. */
static int compat_dirty_area(void *arg, unsigned long start,
			     unsigned long last)
{
	struct compat_dirty *d = arg;

	if (start < d->iova || last > d->last) {
		d->cut = true;
		return -EINVAL;
	}
	if (!d->buf)
		return 0;
	return compat_dirty_set(d, (start - d->iova) >> d->pgshift,
				(last - d->iova) >> d->pgshift);
}

/*
 * Report every page mapped in [iova, iova + size - 1] dirty in the user's
 * bitmap at @ubits, a bit per 1 << @pgshift bytes. -EINVAL when a mapping
 * reaches across an end of the range (nothing is set then, unless a map
 * made meanwhile cuts it), -EFAULT, -ENOMEM. The table's lock is not held
 * from here to the unmap of a dirty-reporting unmap: a page mapped in
 * between is unmapped unreported, as one mapped after the call would be.
 */
static int compat_dirty_fill(struct iommufd_ioas *ioas, unsigned long iova,
			     unsigned long size, unsigned int pgshift,
			     u8 __user *ubits)
{
	struct compat_dirty d = {
		.ubits = ubits,
		.iova = iova,
		.last = iova + size - 1,
		.pgshift = pgshift,
	};
	int rc;

	/* First make sure no mapping is cut, then set the bits. */
	rc = iopt_walk_areas(&ioas->iopt, d.iova, d.last, compat_dirty_area,
			     &d);
	if (d.cut)
		return -EINVAL;
	d.buf = (unsigned long *)__get_free_page(GFP_KERNEL_ACCOUNT);
	if (!d.buf)
		return -ENOMEM;
	rc = iopt_walk_areas(&ioas->iopt, d.iova, d.last, compat_dirty_area,
			     &d);
	free_page((unsigned long)d.buf);
	return d.cut ? -EINVAL : rc;
}

/* The user's bitmap of a struct vfio_bitmap (a plain pointer in the uAPI). */
static void __user *vfio_bitmap_ptr(const struct vfio_bitmap *bitmap)
{
	return (void __user *)(uintptr_t)bitmap->data;
}

/* Type1's check of a bitmap: pages and bytes both, within its limits. */
static int compat_bitmap_ok(u64 npages, u64 bytes)
{
	if (!npages || !bytes || bytes > COMPAT_DIRTY_SIZE_MAX ||
	    npages > COMPAT_DIRTY_PAGES_MAX ||
	    bytes < COMPAT_DIRTY_BYTES(npages))
		return -EINVAL;
	return 0;
}

/**
 * iommufd_vfio_dirty_migration_cap() - Type1's migration capability
 * @ioas: the compat IOAS
 * @cap: filled in: the page size bitmaps are read in, and their limit
 */
void iommufd_vfio_dirty_migration_cap(struct iommufd_ioas *ioas,
				      struct vfio_iommu_type1_info_cap_migration *cap)
{
	cap->header.id = VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION;
	cap->header.version = 1;
	cap->flags = 0;
	cap->pgsize_bitmap = iommufd_vfio_page_size(ioas);
	cap->max_dirty_bitmap_size = COMPAT_DIRTY_SIZE_MAX;
}

/**
 * iommufd_vfio_unmap_dirty() - Fill the bitmap of a dirty-reporting unmap
 * @ctx: the context
 * @ioas: the compat IOAS
 * @arg: the user's struct vfio_iommu_type1_dma_unmap, whose flags have
 *	VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP and whose fields up to size were
 *	read into @unmap
 * @unmap: the unmap
 *
 * Called before anything is unmapped: every page mapped in the range is
 * reported dirty, as type1 does.
 *
 * Return: 0, or -EINVAL as type1: other flags with it, a bitmap argument
 * missing or too small, tracking off, a page size other than the
 * container's, a mapping cut by the range; -EFAULT, -ENOMEM.
 */
int iommufd_vfio_unmap_dirty(struct iommufd_ctx *ctx,
			     struct iommufd_ioas *ioas, void __user *arg,
			     const struct vfio_iommu_type1_dma_unmap *unmap)
{
	size_t minsz = offsetofend(struct vfio_iommu_type1_dma_unmap, size);
	struct vfio_bitmap bitmap;
	unsigned int pgshift;
	int rc;

	if (unmap->flags & (VFIO_DMA_UNMAP_FLAG_ALL |
			    VFIO_DMA_UNMAP_FLAG_VADDR) ||
	    unmap->argsz < minsz + sizeof(bitmap))
		return -EINVAL;
	if (copy_from_user(&bitmap, arg + minsz, sizeof(bitmap)))
		return -EFAULT;
	if (!bitmap.pgsize ||
	    !access_ok(vfio_bitmap_ptr(&bitmap), bitmap.size))
		return -EINVAL;
	pgshift = __ffs64(bitmap.pgsize);
	rc = compat_bitmap_ok(unmap->size >> pgshift, bitmap.size);
	if (rc)
		return rc;
	if (!READ_ONCE(ctx->vfio_dirty) ||
	    bitmap.pgsize != iommufd_vfio_page_size(ioas))
		return -EINVAL;
	return compat_dirty_fill(ioas, unmap->iova, unmap->size, pgshift,
				 vfio_bitmap_ptr(&bitmap));
}

/**
 * iommufd_vfio_dirty_pages() - VFIO_IOMMU_DIRTY_PAGES
 * @ctx: the context
 * @ioas: the compat IOAS
 * @arg: the user's struct vfio_iommu_type1_dirty_bitmap
 *
 * START and STOP switch tracking on and off (again is no error);
 * GET_BITMAP reports every page mapped in the range dirty, as type1 does
 * for devices behind an IOMMU.
 *
 * Return: 0, or -EACCES in a type1 v1 container, -EINVAL as type1 (not
 * exactly one flag, a short argument, a range that wraps or cuts a
 * mapping, a bitmap too small or too big, a page size other than the
 * container's, tracking off), -EFAULT, -ENOMEM.
 */
int iommufd_vfio_dirty_pages(struct iommufd_ctx *ctx,
			     struct iommufd_ioas *ioas, void __user *arg)
{
	size_t minsz = offsetofend(struct vfio_iommu_type1_dirty_bitmap, flags);
	u32 all = VFIO_IOMMU_DIRTY_PAGES_FLAG_START |
		  VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP |
		  VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP;
	struct vfio_iommu_type1_dirty_bitmap_get range;
	struct vfio_iommu_type1_dirty_bitmap dirty;
	unsigned long psize;
	unsigned int pgshift;
	int rc;

	if (READ_ONCE(ctx->vfio_type1_v1))
		return -EACCES;
	if (copy_from_user(&dirty, arg, minsz))
		return -EFAULT;
	if (dirty.argsz < minsz || dirty.flags & ~all ||
	    hweight32(dirty.flags) != 1)
		return -EINVAL;

	if (dirty.flags != VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP) {
		WRITE_ONCE(ctx->vfio_dirty,
			   dirty.flags == VFIO_IOMMU_DIRTY_PAGES_FLAG_START);
		return 0;
	}

	if (dirty.argsz < minsz + sizeof(range))
		return -EINVAL;
	if (copy_from_user(&range, arg + minsz, sizeof(range)))
		return -EFAULT;
	if (range.iova + range.size < range.iova ||
	    !access_ok(vfio_bitmap_ptr(&range.bitmap), range.bitmap.size) ||
	    !range.bitmap.pgsize)
		return -EINVAL;
	pgshift = __ffs64(range.bitmap.pgsize);
	rc = compat_bitmap_ok(range.size >> pgshift, range.bitmap.size);
	if (rc)
		return rc;
	psize = iommufd_vfio_page_size(ioas);
	if (range.bitmap.pgsize != psize || range.iova & (psize - 1) ||
	    !range.size || range.size & (psize - 1) ||
	    range.iova + range.size - 1 > ULONG_MAX)
		return -EINVAL;
	if (!READ_ONCE(ctx->vfio_dirty))
		return -EINVAL;
	return compat_dirty_fill(ioas, range.iova, range.size, pgshift,
				 vfio_bitmap_ptr(&range.bitmap));
}
