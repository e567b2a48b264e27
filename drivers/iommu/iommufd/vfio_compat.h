/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VFIO type1 compatibility on top of the IOAS objects.
 */
#ifndef __IOMMUFD_VFIO_COMPAT_H
#define __IOMMUFD_VFIO_COMPAT_H

struct iommufd_ctx;
struct iommufd_ioas;
struct iommufd_object;
struct iommufd_ucmd;
struct vfio_iommu_type1_dma_unmap;
struct vfio_iommu_type1_info_cap_migration;

int iommufd_vfio_ioas(struct iommufd_ucmd *ucmd);
void iommufd_vfio_compat_forget(struct iommufd_ctx *ctx,
				struct iommufd_object *obj);
long iommufd_vfio_ioctl(struct iommufd_ctx *ctx, unsigned int cmd,
			unsigned long arg);

/* vfio_compat.c, for vfio_compat_dirty.c */
unsigned long iommufd_vfio_page_size(struct iommufd_ioas *ioas);

/* vfio_compat_dirty.c */
void iommufd_vfio_dirty_migration_cap(struct iommufd_ioas *ioas,
				      struct vfio_iommu_type1_info_cap_migration *cap);
int iommufd_vfio_unmap_dirty(struct iommufd_ctx *ctx,
			     struct iommufd_ioas *ioas, void __user *arg,
			     const struct vfio_iommu_type1_dma_unmap *unmap);
int iommufd_vfio_dirty_pages(struct iommufd_ctx *ctx,
			     struct iommufd_ioas *ioas, void __user *arg);

#endif
