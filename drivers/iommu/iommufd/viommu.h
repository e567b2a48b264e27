/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vIOMMU and vDEVICE objects: the IOMMU a VMM emulates for a guest, on
 * one physical IOMMU, and the guest's IDs of the devices behind it.
 */
#ifndef __IOMMUFD_VIOMMU_H
#define __IOMMUFD_VIOMMU_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/xarray.h>

#include "object.h"

struct iommu_ops;
struct iommu_viommu;
struct iommufd_device;
struct iommufd_hwpt;
struct iommufd_ucmd;

/**
 * struct iommufd_viommu - IOMMUFD_OBJ_VIOMMU
 * @obj: the object header; each nested HWPT, vDEVICE and vEVENTQ made on
 *	the vIOMMU holds a user reference, so it outlives them all
 * @ctx: the context
 * @parent: the nest parent HWPT every nested HWPT of the vIOMMU uses as
 *	stage 2, with a user reference held (so it and its IOAS stay)
 * @core: the IOMMU core's vIOMMU, freed by the destroy function
 * @iommu_ops: the driver of @core; devices behind another are refused
 * @vdevs: virt_id -> &struct iommufd_vdevice, the vDEVICEs that still
 *	name a device; changed only under the context's vdev_lock, read under
 *	the xarray's own lock
 * @queues_mutex: serialises adding and removing vEVENTQs, and so the
 *	registration of the event handler, which lasts while @queues is not
 *	empty; never taken by the handler
 * @queues_lock: protects @queues; the event handler takes it, and inside
 *	it each queue's lock
 * @queues: the vEVENTQs, by &iommufd_veventq.viommu_item
 */
struct iommufd_viommu {
	struct iommufd_object obj;
	struct iommufd_ctx *ctx;
	struct iommufd_hwpt *parent;
	struct iommu_viommu *core;
	const struct iommu_ops *iommu_ops;
	struct xarray vdevs;
	struct mutex queues_mutex;	/* see @queues_mutex above */
	spinlock_t queues_lock;		/* see @queues_lock above */
	struct list_head queues;
};

/* Allocation and lookups rely on the header coming first. */
static_assert(offsetof(struct iommufd_viommu, obj) == 0);

/**
 * struct iommufd_vdevice - IOMMUFD_OBJ_VDEVICE
 * @obj: the object header; nothing else references it
 * @viommu: the vIOMMU, with a user reference held until destruction
 * @idev: the device, or NULL once it was unbound (an empty vDEVICE, only
 *	good for IOMMU_DESTROY). Holds no reference: unbind empties the
 *	vDEVICE first. Protected by the context's vdev_lock.
 * @idev_item: on @idev's vdevs list while @idev is set
 * @virt_id: the guest's ID of the device; a key of @viommu's vdevs only
 *	while @idev is set
 *
 * The device and the vDEVICE may go in either order: IOMMU_DESTROY of the
 * vDEVICE tells the driver the ID is gone, and so does an unbind of the
 * device, which leaves the vDEVICE empty. Both run under the context's
 * vdev_lock, so exactly one of them does it.
 */
struct iommufd_vdevice {
	struct iommufd_object obj;
	struct iommufd_viommu *viommu;
	struct iommufd_device *idev;
	struct list_head idev_item;
	u64 virt_id;
};

/* Allocation and lookups rely on the header coming first. */
static_assert(offsetof(struct iommufd_vdevice, obj) == 0);

/**
 * iommufd_get_viommu() - Look up a vIOMMU for the duration of an ioctl
 * @ctx: the context
 * @id: its ID
 *
 * Return: the vIOMMU, or ERR_PTR(-ENOENT).
 */
static inline struct iommufd_viommu *
iommufd_get_viommu(struct iommufd_ctx *ctx, u32 id)
{
	return container_of(iommufd_get_object(ctx, id, IOMMUFD_OBJ_VIOMMU),
			    struct iommufd_viommu, obj);
}

int iommufd_viommu_alloc_ioctl(struct iommufd_ucmd *ucmd);
void iommufd_viommu_destroy(struct iommufd_object *obj);
int iommufd_vdevice_alloc_ioctl(struct iommufd_ucmd *ucmd);
void iommufd_vdevice_destroy(struct iommufd_object *obj);

extern const struct iommufd_viommu_hooks iommufd_viommu_hooks;

#endif
