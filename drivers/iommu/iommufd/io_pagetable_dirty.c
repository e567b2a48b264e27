// SPDX-License-Identifier: GPL-2.0-only
/*
 * Which IOVA of an I/O page table DMA wrote, as a domain's IOPTEs record it.
 *
 * Only domains allocated to track (they have dirty_ops) can say. Holding
 * the table's rwsem for read keeps map and unmap away from the IOPTEs
 * while the driver reads and clears their dirty state, as drivers require;
 * readers may run side by side, since drivers test and clear each IOPTE
 * atomically. The IOTLB is flushed here, once per call, for what the
 * driver cleared: until then the IOMMU may keep writing through cached
 * translations it believes dirty, without marking the IOPTE again.
 */
#include <linux/iommu.h>

#include "io_pagetable.h"

/* Read @dirty's window with @flags and flush what was cleared. */
static int dirty_read_locked(struct iommu_domain *domain, unsigned long iova,
			     unsigned long length, unsigned long flags,
			     struct iommu_dirty_bitmap *dirty)
{
	struct iommu_iotlb_gather gather;
	int rc;

	iommu_iotlb_gather_init(&gather);
	dirty->gather = flags & IOMMU_DIRTY_NO_CLEAR ? NULL : &gather;
	rc = domain->dirty_ops->read_and_clear_dirty(domain, iova, length,
						     flags, dirty);
	dirty->gather = NULL;
	/* Flush even after an error: some IOPTEs may have been cleared. */
	if (gather.end)
		iommu_iotlb_sync(domain, &gather);
	return rc;
}

/**
 * iopt_set_dirty_tracking() - Start or stop a domain's dirty tracking
 * @iopt: the table @domain mirrors
 * @domain: a domain of @iopt
 * @enable: start (true) or stop
 *
 * Starting first clears what the IOPTEs recorded before, so that the first
 * read reports only what DMA wrote from now on, with one IOTLB flush for
 * every area.
 *
 * Return: 0, -EOPNOTSUPP when @domain cannot track, or the driver's error
 * (tracking is then not started).
 */
int iopt_set_dirty_tracking(struct io_pagetable *iopt,
			    struct iommu_domain *domain, bool enable)
{
	struct iommu_iotlb_gather gather;
	struct iommu_dirty_bitmap clear = { .gather = &gather };
	struct iopt_area *area;
	int rc = 0;

	if (!domain->dirty_ops)
		return -EOPNOTSUPP;

	iommu_iotlb_gather_init(&gather);
	down_read(&iopt->rwsem);
	for (area = iopt_area_first(iopt, 0, ULONG_MAX); enable && area && !rc;
	     area = iopt_area_next(area, 0, ULONG_MAX)) {
		rc = domain->dirty_ops->read_and_clear_dirty(domain,
				area->node.start, iopt_area_length(area), 0,
				&clear);
		cond_resched();
	}
	/* Flush even after an error: some IOPTEs may have been cleared. */
	if (gather.end)
		iommu_iotlb_sync(domain, &gather);
	if (!rc)
		rc = domain->dirty_ops->set_dirty_tracking(domain, enable);
	up_read(&iopt->rwsem);
	return rc;
}

/**
 * iopt_check_dirty_range() - Can a domain's dirty state be read over a range
 * @iopt: the table @domain mirrors
 * @domain: a domain of @iopt
 * @iova: the first IOVA
 * @length: bytes, not 0, @iova + @length - 1 not overflowing
 *
 * Return: 0, -EINVAL when @iova or @length is not aligned to the table's
 * IOVA alignment, -EOPNOTSUPP when @domain cannot track, -ENOENT when
 * part of the range is not mapped.
 */
int iopt_check_dirty_range(struct io_pagetable *iopt,
			   struct iommu_domain *domain, unsigned long iova,
			   unsigned long length)
{
	int rc = 0;

	down_read(&iopt->rwsem);
	if ((iova | length) & (iopt->iova_alignment - 1))
		rc = -EINVAL;
	else if (!domain->dirty_ops)
		rc = -EOPNOTSUPP;
	else if (iopt_walk_span(iopt, iova, iova + length - 1, NULL, NULL))
		rc = -ENOENT;
	up_read(&iopt->rwsem);
	return rc;
}

/**
 * iopt_read_dirty() - Read a window of a domain's dirty state
 * @iopt: the table @domain mirrors
 * @domain: a domain of @iopt with dirty_ops
 * @flags: IOMMU_DIRTY_NO_CLEAR to leave the IOPTEs dirty
 * @dirty: the window: @dirty->nbits bits of (1 << @dirty->pgshift) bytes
 *	of IOVA from @dirty->iova, all of it mapped. Bits are only set, never
 *	cleared. @dirty->carry_last tells how far an IOPTE that was cleared
 *	reaches past the window: the caller reports that part in its next
 *	window.
 *
 * Return: 0, -ENOENT when part of the window is no longer mapped, or the
 * driver's error (-EINVAL when tracking is off).
 */
int iopt_read_dirty(struct io_pagetable *iopt, struct iommu_domain *domain,
		    unsigned long flags, struct iommu_dirty_bitmap *dirty)
{
	unsigned long length = dirty->nbits << dirty->pgshift;
	int rc;

	down_read(&iopt->rwsem);
	if (iopt_walk_span(iopt, dirty->iova, dirty->iova + length - 1,
			   NULL, NULL))
		rc = -ENOENT;
	else
		rc = dirty_read_locked(domain, dirty->iova, length, flags,
				       dirty);
	up_read(&iopt->rwsem);
	return rc;
}
