/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The device object: a device a kernel driver bound to an iommufd.
 */
#ifndef __IOMMUFD_DEVICE_H
#define __IOMMUFD_DEVICE_H

#include <linux/mutex.h>

#include "object.h"

struct device;
struct iommu_group;
struct iommufd_hwpt;

/**
 * struct iommufd_device - a bound device
 * @obj: the object header; the binding driver holds a user reference, so
 *	userspace cannot destroy it
 * @ctx: the context it is bound to
 * @dev: the device
 * @group: its IOMMU group, whose DMA ownership this binding claimed
 * @lock: protects @hwpt
 * @hwpt: the HWPT it is attached to, with a user reference held, or NULL
 */
struct iommufd_device {
	struct iommufd_object obj;
	struct iommufd_ctx *ctx;
	struct device *dev;
	struct iommu_group *group;
	struct mutex lock;	/* protects hwpt */
	struct iommufd_hwpt *hwpt;
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

void iommufd_device_destroy(struct iommufd_object *obj);

#endif
