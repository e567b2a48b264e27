// SPDX-License-Identifier: GPL-2.0-only
/*
 * IOMMU_HWPT_SET_DIRTY_TRACKING and IOMMU_HWPT_GET_DIRTY_BITMAP: which
 * pages DMA through a HWPT wrote, for the live migration of a VM with an
 * assigned device; and IOMMU_IOAS_UNMAP_DIRTY, our extension, which
 * unmaps and reads that in one step.
 *
 * The user's bitmap is filled a window at a time, through a page-sized
 * kernel bitmap: the window's bytes are read from the user and written
 * back unchanged before the domain is asked to clear anything, so that a
 * bitmap the user cannot write fails with -EFAULT before any dirty state
 * is lost. Bits are only ever set.
 */
#include <linux/bitops.h>
#include <linux/gfp.h>
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/swab.h>
#include <uapi/linux/iommufd.h>

#include "hw_pagetable.h"
#include "io_pagetable.h"
#include "ioas.h"
#include "ucmd.h"

/* Bits in one window: one page of bitmap. */
#define DIRTY_WINDOW_BITS (PAGE_SIZE * BITS_PER_BYTE)

/**
 * iommufd_hwpt_set_dirty_tracking() - IOMMU_HWPT_SET_DIRTY_TRACKING
 * @ucmd: the ioctl
 *
 * Starting clears what the domain recorded before; starting or stopping
 * twice is no error.
 *
 * Return: 0, or -EOPNOTSUPP for unknown flags, a non-zero reserved field
 * or a HWPT allocated without IOMMU_HWPT_ALLOC_DIRTY_TRACKING, -ENOENT
 * for an ID that is not a paging HWPT, or the driver's error.
 */
int iommufd_hwpt_set_dirty_tracking(struct iommufd_ucmd *ucmd)
{
	struct iommu_hwpt_set_dirty_tracking *cmd = ucmd->cmd;
	struct iommufd_hwpt *hwpt;
	int rc;

	if (cmd->flags & ~IOMMU_HWPT_DIRTY_TRACKING_ENABLE || cmd->__reserved)
		return -EOPNOTSUPP;
	hwpt = iommufd_get_hwpt_paging(ucmd->ctx, cmd->hwpt_id);
	if (IS_ERR(hwpt))
		return PTR_ERR(hwpt);
	/* One change at a time, so that the flag says what the driver did. */
	mutex_lock(&hwpt->ioas->mutex);
	rc = iopt_set_dirty_tracking(&hwpt->ioas->iopt, hwpt->domain,
				     cmd->flags &
				     IOMMU_HWPT_DIRTY_TRACKING_ENABLE);
	if (!rc)
		WRITE_ONCE(hwpt->dirty_tracking,
			   cmd->flags & IOMMU_HWPT_DIRTY_TRACKING_ENABLE);
	mutex_unlock(&hwpt->ioas->mutex);
	iommufd_put_object(ucmd->ctx, &hwpt->obj);
	return rc;
}

/*
 * The user's bitmap is bytes, bit n being bit n % 8 of byte n / 8; the
 * IOMMU core records into native unsigned longs. The same on little-endian
 * hosts; on big-endian ones each word of @nbytes bytes is swapped, both
 * ways (a byte swap is its own inverse).
 */
static void dirty_bits_swap(unsigned long *bits, size_t nbytes)
{
#ifdef __BIG_ENDIAN
	size_t i;

	for (i = 0; i < DIV_ROUND_UP(nbytes, sizeof(long)); i++)
		bits[i] = BITS_PER_LONG == 64 ? swab64(bits[i]) :
						swab32(bits[i]);
#endif
}

/*
 * Fill @nbits bits of the user bitmap from byte @ubits on, for the IOVA
 * window that starts at @dirty->iova. *@carry_last is the last IOVA of an
 * IOPTE the window before reported and cleared, 0 for none; updated for
 * the next window.
 */
static int dirty_window(struct iommufd_hwpt *hwpt, u8 __user *ubits,
			unsigned long nbits, unsigned long iommu_flags,
			struct iommu_dirty_bitmap *dirty,
			unsigned long *carry_last)
{
	size_t nbytes = DIV_ROUND_UP(nbits, BITS_PER_BYTE);
	int rc;

	/* Bits of the last byte beyond @nbits are the user's: keep them. */
	if (copy_from_user(dirty->bits, ubits, nbytes) ||
	    copy_to_user(ubits, dirty->bits, nbytes))
		return -EFAULT;
	dirty_bits_swap(dirty->bits, nbytes);
	dirty->nbits = nbits;
	dirty->carry_last = 0;
	if (*carry_last >= dirty->iova)
		iommu_dirty_bitmap_record(dirty, dirty->iova,
					  *carry_last - dirty->iova + 1);
	rc = iopt_read_dirty(&hwpt->ioas->iopt, hwpt->domain, iommu_flags,
			     dirty);
	*carry_last = dirty->carry_last;
	dirty_bits_swap(dirty->bits, nbytes);
	if (copy_to_user(ubits, dirty->bits, nbytes))
		return -EFAULT;
	return rc;
}

/*
 * A range a bitmap can describe: not empty, not wrapping, whole pages of
 * a power-of-two page_size. -EINVAL or -EOVERFLOW otherwise.
 */
static int dirty_range_valid(u64 iova, u64 length, u64 page_size)
{
	u64 last;

	if (!length)
		return -EINVAL;
	if (check_add_overflow(iova, length - 1, &last) || last > ULONG_MAX)
		return -EOVERFLOW;
	if (!is_power_of_2(page_size) || (iova | length) & (page_size - 1))
		return -EINVAL;
	return 0;
}

/**
 * iommufd_hwpt_get_dirty_bitmap() - IOMMU_HWPT_GET_DIRTY_BITMAP
 * @ucmd: the ioctl
 *
 * Sets bit n of the user's bitmap (bit n % 8 of byte n / 8; any byte
 * address) when DMA wrote the page_size bytes at iova + n * page_size, and,
 * without IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR, makes them clean. An IOPTE
 * larger than page_size sets the bits of every page it covers. Other bits
 * are left as they are.
 *
 * Return: 0, or -EOPNOTSUPP for unknown flags, a non-zero reserved field or
 * a HWPT that cannot track, -ENOENT for an ID that is not a paging HWPT
 * or a range not wholly mapped, -EINVAL for a zero length, a page_size that is
 * not a power of two, a range not aligned to it or to the IOAS, or
 * tracking that is off, -EOVERFLOW when the range wraps, -EFAULT for a
 * bitmap the user cannot read and write, -ENOMEM, -EINTR.
 */
int iommufd_hwpt_get_dirty_bitmap(struct iommufd_ucmd *ucmd)
{
	struct iommu_hwpt_get_dirty_bitmap *cmd = ucmd->cmd;
	u8 __user *ubits = u64_to_user_ptr(cmd->data);
	unsigned long iommu_flags = 0, carry_last = 0;
	struct iommu_dirty_bitmap dirty = {};
	struct iommufd_hwpt *hwpt;
	u64 nbits, done;
	int rc;

	if (cmd->flags & ~IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR ||
	    cmd->__reserved)
		return -EOPNOTSUPP;
	if (cmd->flags & IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR)
		iommu_flags = IOMMU_DIRTY_NO_CLEAR;
	hwpt = iommufd_get_hwpt_paging(ucmd->ctx, cmd->hwpt_id);
	if (IS_ERR(hwpt))
		return PTR_ERR(hwpt);

	rc = dirty_range_valid(cmd->iova, cmd->length, cmd->page_size);
	if (rc)
		goto out_put;
	rc = iopt_check_dirty_range(&hwpt->ioas->iopt, hwpt->domain,
				    cmd->iova, cmd->length);
	if (rc)
		goto out_put;

	dirty.bits = (unsigned long *)__get_free_page(GFP_KERNEL_ACCOUNT);
	if (!dirty.bits) {
		rc = -ENOMEM;
		goto out_put;
	}
	dirty.pgshift = __ffs64(cmd->page_size);
	nbits = cmd->length >> dirty.pgshift;
	for (done = 0; done < nbits; done += DIRTY_WINDOW_BITS) {
		dirty.iova = cmd->iova + (done << dirty.pgshift);
		rc = dirty_window(hwpt, ubits + done / BITS_PER_BYTE,
				  min_t(u64, nbits - done, DIRTY_WINDOW_BITS),
				  iommu_flags, &dirty, &carry_last);
		if (rc)
			break;
		if (fatal_signal_pending(current)) {
			rc = -EINTR;
			break;
		}
		cond_resched();
	}
	free_page((unsigned long)dirty.bits);
out_put:
	iommufd_put_object(ucmd->ctx, &hwpt->obj);
	return rc;
}

/* The largest bitmap IOMMU_IOAS_UNMAP_DIRTY fills: 2^30 bits, 128 MiB. */
#define UNMAP_DIRTY_MAX_BITS BIT_ULL(30)

/**
 * iommufd_ioas_unmap_dirty() - IOMMU_IOAS_UNMAP_DIRTY
 * @ucmd: the ioctl
 *
 * Unmaps whole areas of the HWPT's IOAS as IOMMU_IOAS_UNMAP does, while
 * the HWPT's domain reports each dirty leaf it takes out into a kernel
 * bitmap, which starts as a copy of the user's (read and written back
 * first, so that a bitmap the user cannot write unmaps nothing) and is
 * copied back after the unmap.
 *
 * Return: 0, or -EOPNOTSUPP for unknown flags, a non-zero reserved field
 * or a HWPT whose domain cannot unmap with its dirty state, -ENOENT for
 * an ID that is not a paging HWPT or a range that cuts an area or holds
 * none, -EINVAL for a zero length, a page_size that is not a power of
 * two, a range not aligned to it, a bitmap of more than 2^30 bits, or
 * tracking that is off, -EOVERFLOW when the range wraps, -EFAULT for a bitmap the
 * user cannot read and write (after the unmap, when it could not be
 * written back: the areas are then gone), -ENOMEM, -EDEADLOCK as
 * IOMMU_IOAS_UNMAP.
 */
int iommufd_ioas_unmap_dirty(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_unmap_dirty *cmd = ucmd->cmd;
	u8 __user *ubits = u64_to_user_ptr(cmd->data);
	struct iommu_dirty_bitmap dirty = {};
	unsigned long unmapped = 0;
	struct iommufd_hwpt *hwpt;
	size_t nbytes;
	u64 nbits;
	int rc;

	if (cmd->flags || cmd->__reserved)
		return -EOPNOTSUPP;
	hwpt = iommufd_get_hwpt_paging(ucmd->ctx, cmd->hwpt_id);
	if (IS_ERR(hwpt))
		return PTR_ERR(hwpt);

	rc = dirty_range_valid(cmd->iova, cmd->length, cmd->page_size);
	if (rc)
		goto out_put;
	rc = -EOPNOTSUPP;
	if (!hwpt->domain->dirty_ops ||
	    !hwpt->domain->dirty_ops->unmap_read_dirty)
		goto out_put;
	rc = -EINVAL;
	dirty.pgshift = __ffs64(cmd->page_size);
	nbits = cmd->length >> dirty.pgshift;
	if (nbits > UNMAP_DIRTY_MAX_BITS || !READ_ONCE(hwpt->dirty_tracking))
		goto out_put;

	nbytes = DIV_ROUND_UP(nbits, BITS_PER_BYTE);
	rc = -ENOMEM;
	dirty.bits = kvzalloc(round_up(nbytes, sizeof(long)),
			      GFP_KERNEL_ACCOUNT);
	if (!dirty.bits)
		goto out_put;
	rc = -EFAULT;
	if (copy_from_user(dirty.bits, ubits, nbytes) ||
	    copy_to_user(ubits, dirty.bits, nbytes))
		goto out_free;
	dirty_bits_swap(dirty.bits, nbytes);
	dirty.iova = cmd->iova;
	dirty.nbits = nbits;

	rc = iopt_unmap_dirty(&hwpt->ioas->iopt, cmd->iova, cmd->length,
			      hwpt->domain, &dirty, &unmapped);
	if (rc)
		goto out_free;
	dirty_bits_swap(dirty.bits, nbytes);
	if (copy_to_user(ubits, dirty.bits, nbytes)) {
		rc = -EFAULT;
		goto out_free;
	}
	cmd->length = unmapped;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
out_free:
	kvfree(dirty.bits);
out_put:
	iommufd_put_object(ucmd->ctx, &hwpt->obj);
	return rc;
}
