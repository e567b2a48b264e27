/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * iommufd kernel API for drivers that hand devices to userspace (VFIO,
 * the iommufd test driver): find the iommufd behind a file, bind a device
 * to it, attach it to an IOAS or HWPT, replace that, detach and unbind.
 */
#ifndef __LINUX_IOMMUFD_H
#define __LINUX_IOMMUFD_H

#include <linux/err.h>
#include <linux/types.h>

struct device;
struct file;
struct iommufd_ctx;
struct iommufd_device;

#if IS_ENABLED(CONFIG_IOMMUFD)
struct iommufd_ctx *iommufd_ctx_from_file(struct file *file);
struct iommufd_ctx *iommufd_ctx_from_fd(int fd);
void iommufd_ctx_put(struct iommufd_ctx *ctx);

struct iommufd_device *iommufd_device_bind(struct iommufd_ctx *ctx,
					   struct device *dev, u32 *id);
void iommufd_device_unbind(struct iommufd_device *idev);
int iommufd_device_attach(struct iommufd_device *idev, u32 *pt_id);
int iommufd_device_replace(struct iommufd_device *idev, u32 *pt_id);
void iommufd_device_detach(struct iommufd_device *idev);

int iommufd_vfio_compat_ioas(struct iommufd_ctx *ctx, u32 *ioas_id);
#else
static inline struct iommufd_ctx *iommufd_ctx_from_file(struct file *file)
{
	return ERR_PTR(-EBADFD);
}

static inline struct iommufd_ctx *iommufd_ctx_from_fd(int fd)
{
	return ERR_PTR(-EBADFD);
}

static inline void iommufd_ctx_put(struct iommufd_ctx *ctx)
{
}

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

static inline int iommufd_device_replace(struct iommufd_device *idev,
					 u32 *pt_id)
{
	return -EOPNOTSUPP;
}

static inline void iommufd_device_detach(struct iommufd_device *idev)
{
}

static inline int iommufd_vfio_compat_ioas(struct iommufd_ctx *ctx,
					   u32 *ioas_id)
{
	return -EOPNOTSUPP;
}
#endif

#endif
