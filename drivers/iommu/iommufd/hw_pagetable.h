/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The HWPT object: an iommu_domain that mirrors one IOAS (a paging HWPT),
 * or one whose stage 1 userspace owns, nested on a paging HWPT.
 */
#ifndef __IOMMUFD_HW_PAGETABLE_H
#define __IOMMUFD_HW_PAGETABLE_H

#include <linux/list.h>

#include "object.h"

struct device;
struct iommu_domain;
struct iommu_ops;
struct iommu_user_arg;
struct iommufd_fault;
struct iommufd_ioas;
struct iommu_viommu;

/**
 * struct iommufd_hwpt - a hardware page table
 * @obj: the object header; each attached device and each HWPT nested on
 *	it holds a user reference
 * @ctx: the context it belongs to
 * @ioas: the IOAS the domain mirrors, with a user reference held; for a
 *	nested HWPT, its parent's (whose reserved regions it shares)
 * @domain: the domain; a paging one is filled with every area of @ioas
 * @parent: a nested HWPT's stage 2, with a user reference held; NULL for
 *	a paging HWPT
 * @viommu_obj: the object of the vIOMMU a nested HWPT was made on, with
 *	a user reference held, or NULL; its parent is @parent. Only the
 *	object layer's view is kept: the vIOMMU layer sits above this one.
 * @viommu_core: the core vIOMMU of @viommu_obj, which outlives the HWPT
 *	through that reference; NULL when @viommu_obj is
 * @fault: the queue its I/O page faults go to, with a user reference
 *	held, or NULL
 * @iommu_ops: the ops of the IOMMU driver that made @domain; only devices
 *	behind the same driver may use it
 * @auto_domain: created for a device attached to @ioas directly; destroyed
 *	when its last device detaches
 * @enforce_cc: every DMA through the domain snoops CPU caches, whatever
 *	the device asks (no-snoop blocked); fixed at creation
 * @nest_parent: paging, allocated with IOMMU_HWPT_ALLOC_NEST_PARENT
 * @dirty_tracking: the last IOMMU_HWPT_SET_DIRTY_TRACKING that succeeded
 *	started tracking; written under @ioas' mutex together with the
 *	driver's state, read with READ_ONCE()
 * @pasid_compat: may serve PASIDs (IOMMU_HWPT_ALLOC_PASID, or an automatic
 *	HWPT of an IOMMU with PASIDs); fixed at creation
 * @ioas_item: entry in &iommufd_ioas.hwpt_list, under its mutex; paging
 *	HWPTs only
 */
struct iommufd_hwpt {
	struct iommufd_object obj;
	struct iommufd_ctx *ctx;
	struct iommufd_ioas *ioas;
	struct iommu_domain *domain;
	struct iommufd_hwpt *parent;
	struct iommufd_object *viommu_obj;
	struct iommu_viommu *viommu_core;
	struct iommufd_fault *fault;
	const struct iommu_ops *iommu_ops;
	bool auto_domain;
	bool enforce_cc;
	bool nest_parent;
	bool dirty_tracking;
	bool pasid_compat;
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

/**
 * iommufd_get_hwpt_paging() - Look up a paging HWPT for an ioctl
 * @ctx: the context
 * @id: its ID
 *
 * Return: the HWPT, or ERR_PTR(-ENOENT) for an ID that is not one,
 * nested HWPTs included.
 */
static inline struct iommufd_hwpt *
iommufd_get_hwpt_paging(struct iommufd_ctx *ctx, u32 id)
{
	struct iommufd_hwpt *hwpt = iommufd_get_hwpt(ctx, id);

	if (!IS_ERR(hwpt) && hwpt->parent) {
		iommufd_put_object(ctx, &hwpt->obj);
		return ERR_PTR(-ENOENT);
	}
	return hwpt;
}

struct iommufd_hwpt *iommufd_hwpt_create(struct iommufd_ctx *ctx,
					 struct iommufd_ioas *ioas,
					 struct device *dev, u32 paging_flags,
					 bool auto_domain);
struct iommufd_hwpt *iommufd_hwpt_nested_create(struct iommufd_ctx *ctx,
						struct iommufd_hwpt *parent,
						struct iommufd_object *viommu_obj,
						struct iommu_viommu *viommu_core,
						struct device *dev,
						const struct iommu_user_arg *arg);
void iommufd_hwpt_destroy(struct iommufd_object *obj);

struct iommufd_ucmd;
int iommufd_hwpt_set_dirty_tracking(struct iommufd_ucmd *ucmd);
int iommufd_hwpt_get_dirty_bitmap(struct iommufd_ucmd *ucmd);
int iommufd_ioas_unmap_dirty(struct iommufd_ucmd *ucmd);
int iommufd_hwpt_invalidate_ioctl(struct iommufd_ucmd *ucmd);

#endif
