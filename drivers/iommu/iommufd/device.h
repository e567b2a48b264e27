/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The device object: a device a kernel driver bound to an iommufd.
 */
#ifndef __IOMMUFD_DEVICE_H
#define __IOMMUFD_DEVICE_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/xarray.h>

#include "object.h"

struct device;
struct iommu_group;
struct iommufd_hwpt;
struct iommufd_ucmd;

/**
 * struct iommufd_group - an IOMMU group, as one context uses it
 * @ref: one per bound device of the group
 * @ctx: the context; it claimed the group's DMA ownership for as long as
 *	this record lives
 * @group: the IOMMU group
 * @lock: protects @hwpt, @attached and the @hwpt of each device on it
 * @hwpt: the HWPT whose domain the whole group is in, or NULL (blocked)
 * @attached: the group's attached devices, by iommufd_device.group_item
 *
 * An IOMMU group is the unit of isolation, so all its devices bound to one
 * context share one domain: the first attach moves the group, later ones
 * only join, and the last detach moves it back to blocking DMA.
 */
struct iommufd_group {
	struct kref ref;
	struct iommufd_ctx *ctx;
	struct iommu_group *group;
	struct mutex lock;	/* protects hwpt, attached */
	struct iommufd_hwpt *hwpt;
	struct list_head attached;
};

/**
 * struct iommufd_device - a bound device
 * @obj: the object header; the binding driver holds a user reference, so
 *	userspace cannot destroy it
 * @ctx: the context it is bound to
 * @dev: the device
 * @igroup: its group's record in @ctx
 * @hwpt: the HWPT it is attached to, with a user reference held, or NULL;
 *	protected by @igroup's lock
 * @group_item: on @igroup's attached list while @hwpt is set
 * @fault_lock: protects @fault; taken inside the IOMMU core's per-device
 *	fault reporting lock, and inside @igroup's lock by attach and detach
 * @fault: the fault queue of @hwpt, where the device's I/O page faults go,
 *	or NULL; follows @hwpt
 * @fault_handler: the IOMMU core calls us with the device's faults; set
 *	from bind to unbind when the core let us register
 * @iopf_on: the IOMMU driver has the device's recoverable faults
 *	(IOMMU_DEV_FEAT_IOPF) on, because @hwpt has a fault queue; under
 *	@igroup's lock
 * @vdevs: the device's vDEVICEs, at most one per vIOMMU, by
 *	iommufd_vdevice.idev_item; under the context's vdev_lock
 * @vdevs_closed: unbind has begun: no new vDEVICE may name the device;
 *	under the context's vdev_lock
 * @pasids: by PASID, the HWPT each PASID of the device is attached to, with
 *	a user reference held on it. Written only with @igroup's lock held
 *	(which nests outside the IOMMU core's group mutex), so that looking a
 *	PASID up and changing it happen in one step; a PASID that is being
 *	attached has a reserved (NULL) slot until the IOMMU core took it.
 */
struct iommufd_device {
	struct iommufd_object obj;
	struct iommufd_ctx *ctx;
	struct device *dev;
	struct iommufd_group *igroup;
	struct iommufd_hwpt *hwpt;
	struct list_head group_item;
	struct mutex fault_lock;	/* see @fault_lock above */
	struct iommufd_fault *fault;
	bool fault_handler;
	bool iopf_on;
	struct list_head vdevs;
	bool vdevs_closed;
	struct xarray pasids;
};

/* Allocation and lookups rely on the header coming first. */
static_assert(offsetof(struct iommufd_device, obj) == 0);

/**
 * iommufd_get_device() - Look up a device for the duration of an ioctl
 * @ctx: the context
 * @id: its ID
 *
 * Return: the device, or ERR_PTR(-ENOENT).
 */
static inline struct iommufd_device *
iommufd_get_device(struct iommufd_ctx *ctx, u32 id)
{
	return container_of(iommufd_get_object(ctx, id, IOMMUFD_OBJ_DEVICE),
			    struct iommufd_device, obj);
}

void iommufd_device_ctx_init(struct iommufd_ctx *ctx);
void iommufd_device_ctx_destroy(struct iommufd_ctx *ctx);
void iommufd_device_destroy(struct iommufd_object *obj);
int iommufd_hwpt_alloc_ioctl(struct iommufd_ucmd *ucmd);
int iommufd_get_hw_info_ioctl(struct iommufd_ucmd *ucmd);

#endif
