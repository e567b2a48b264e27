/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VFIO type1 compatibility on top of the IOAS objects.
 */
#ifndef __IOMMUFD_VFIO_COMPAT_H
#define __IOMMUFD_VFIO_COMPAT_H

struct iommufd_ctx;
struct iommufd_object;
struct iommufd_ucmd;

int iommufd_vfio_ioas(struct iommufd_ucmd *ucmd);
void iommufd_vfio_compat_forget(struct iommufd_ctx *ctx,
				struct iommufd_object *obj);
long iommufd_vfio_ioctl(struct iommufd_ctx *ctx, unsigned int cmd,
			unsigned long arg);

#endif
