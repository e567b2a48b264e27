/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The HWPT object: an iommu_domain that mirrors one IOAS.
 */
#ifndef __IOMMUFD_HW_PAGETABLE_H
#define __IOMMUFD_HW_PAGETABLE_H

#include <linux/list.h>

#include "object.h"

struct device;
struct iommu_domain;
struct iommu_ops;
struct iommufd_ioas;

/**
 * struct iommufd_hwpt - a hardware page table
 * @obj: the object header; each attached device holds a user reference
 * @ioas: the IOAS the domain mirrors, with a user reference held
 * @domain: the domain, filled with every area of @ioas
 * @iommu_ops: the ops of the IOMMU driver that made @domain; only devices
 *	behind the same driver may use it
 * @auto_domain: created for a device attached to @ioas directly; destroyed
 *	when its last device detaches
 * @enforce_cc: every DMA through the domain snoops CPU caches, whatever
 *	the device asks (no-snoop blocked); fixed at creation
 * @dirty_tracking: the last IOMMU_HWPT_SET_DIRTY_TRACKING that succeeded
 *	started tracking; written under @ioas' mutex together with the
 *	driver's state, read with READ_ONCE()
 * @ioas_item: entry in &iommufd_ioas.hwpt_list, under its mutex
 */
struct iommufd_hwpt {
	struct iommufd_object obj;
	struct iommufd_ioas *ioas;
	struct iommu_domain *domain;
	const struct iommu_ops *iommu_ops;
	bool auto_domain;
	bool enforce_cc;
	bool dirty_tracking;
	struct list_head ioas_item;
};

/* Allocation and lookups rely on the header coming first. */
static_assert(offsetof(struct iommufd_hwpt, obj) == 0);

/**
 * iommufd_get_hwpt() - Look up a HWPT for the duration of an ioctl
 * @ctx: the context
 * @id: its ID
 *
 * Return: the HWPT, or ERR_PTR(-ENOENT).
 */
static inline struct iommufd_hwpt *iommufd_get_hwpt(struct iommufd_ctx *ctx,
						    u32 id)
{
	return container_of(iommufd_get_object(ctx, id, IOMMUFD_OBJ_HWPT),
			    struct iommufd_hwpt, obj);
}

struct iommufd_hwpt *iommufd_hwpt_create(struct iommufd_ctx *ctx,
					 struct iommufd_ioas *ioas,
					 struct device *dev, u32 paging_flags,
					 bool auto_domain);
void iommufd_hwpt_destroy(struct iommufd_object *obj);

struct iommufd_ucmd;
int iommufd_hwpt_set_dirty_tracking(struct iommufd_ucmd *ucmd);
int iommufd_hwpt_get_dirty_bitmap(struct iommufd_ucmd *ucmd);
int iommufd_ioas_unmap_dirty(struct iommufd_ucmd *ucmd);

#endif
