/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * iommufd kernel API for drivers that hand devices to userspace (VFIO,
 * the iommufd test driver): bind a device to an open /dev/iommu, attach it
 * to an IOAS or HWPT, detach and unbind.
 */
#ifndef __LINUX_IOMMUFD_H
#define __LINUX_IOMMUFD_H

#include <linux/err.h>
#include <linux/types.h>

struct device;
struct iommufd_ctx;
struct iommufd_device;

#if IS_ENABLED(CONFIG_IOMMUFD)
struct iommufd_device *iommufd_device_bind(struct iommufd_ctx *ctx,
					   struct device *dev, u32 *id);
void iommufd_device_unbind(struct iommufd_device *idev);
int iommufd_device_attach(struct iommufd_device *idev, u32 *pt_id);
void iommufd_device_detach(struct iommufd_device *idev);
#else
static inline struct iommufd_device *
iommufd_device_bind(struct iommufd_ctx *ctx, struct device *dev, u32 *id)
{
	return ERR_PTR(-EOPNOTSUPP);
}

static inline void iommufd_device_unbind(struct iommufd_device *idev)
{
}

static inline int iommufd_device_attach(struct iommufd_device *idev,
					u32 *pt_id)
{
	return -EOPNOTSUPP;
}

static inline void iommufd_device_detach(struct iommufd_device *idev)
{
}
#endif

#endif
