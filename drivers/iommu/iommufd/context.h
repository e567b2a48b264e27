/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One open /dev/iommu (or /dev/vfio/vfio), as every layer sees it.
 *
 * Each layer keeps its per-file state here, in a part of its own, and is
 * the only one to touch that part. The object table comes first so that
 * the object layer can reach it without knowing the rest.
 */
#ifndef __IOMMUFD_CONTEXT_H
#define __IOMMUFD_CONTEXT_H

#include <linux/mutex.h>
#include <linux/stddef.h>
#include <linux/xarray.h>

#include "account.h"
#include "dma_fault.h"
#include "object.h"

struct iommu_user_array;
struct iommu_viommu;
struct iommufd_device;
struct iommufd_hwpt;

/**
 * struct iommufd_viommu_hooks - how lower layers reach the vIOMMU layer
 * @nest_on: for an IOMMUFD_OBJ_VIOMMU given as the pt_id of IOMMU_HWPT_ALLOC,
 *	return the nest parent HWPT to build on and set @core to the core
 *	vIOMMU the driver makes the domain through; the caller holds @obj
 * @invalidate: carry out IOMMU_HWPT_INVALIDATE requests on the vIOMMU @obj,
 *	setting &iommu_user_array.entry_num to the number handled
 * @unbind: empty every vDEVICE of a device being unbound; takes the
 *	context's vdev_lock itself, so the caller must not hold it
 */
struct iommufd_viommu_hooks {
	struct iommufd_hwpt *(*nest_on)(struct iommufd_object *obj,
					struct iommu_viommu **core);
	int (*invalidate)(struct iommufd_object *obj,
			  struct iommu_user_array *reqs);
	void (*unbind)(struct iommufd_device *idev);
};

/**
 * struct iommufd_ctx - one open /dev/iommu
 * @objects: the object table (object.c)
 * @file: the file, not referenced: the context lives exactly as long
 * @acct_mode: how new pins are charged (IOMMU_OPTION_RLIMIT_MODE, main.c);
 *	changed only under the table's xa_lock while the table is empty
 * @groups_lock: serialises device binds and unbinds; protects @groups
 *	(device.c)
 * @groups: IOMMU group ID -> the device layer's &struct iommufd_group
 * @vdev_lock: protects the links between devices and their vDEVICEs:
 *	every &iommufd_device.vdevs list, &iommufd_device.vdevs_closed and
 *	&iommufd_vdevice.idev (viommu.c); taken alone or inside nothing but
 *	the binding driver's own locks
 * @dev_ids: struct device pointer -> xa_mk_value() of its device object's
 *	ID, for every bound device (device.c); read locklessly when a DMA
 *	fault of the device is delivered
 * @vfio_ioas_id: the IOAS the VFIO type1 ioctls map into, 0 for none
 *	(vfio_compat.c); written under the table's xa_lock, cleared when that
 *	IOAS is destroyed
 * @vfio_type1_v1: VFIO_SET_IOMMU chose VFIO_TYPE1_IOMMU, whose unmaps may
 *	cut mappings (vfio_compat.c)
 * @vfio_dirty: VFIO_IOMMU_DIRTY_PAGES started tracking (vfio_compat_dirty.c)
 * @dma_faults: where DMA faults of the context's devices go (dma_fault.c)
 * @viommu_hooks: set by main.c at open and never changed: the vIOMMU
 *	layer's entry points for the device and HWPT layers below it
 */
struct iommufd_ctx {
	struct iommufd_objects objects;
	struct file *file;
	enum iommufd_acct_mode acct_mode;
	struct mutex groups_lock;	/* see @groups_lock above */
	struct xarray groups;
	struct mutex vdev_lock;		/* see @vdev_lock above */
	struct xarray dev_ids;
	u32 vfio_ioas_id;
	bool vfio_type1_v1;
	bool vfio_dirty;
	struct iommufd_dma_faults dma_faults;
	const struct iommufd_viommu_hooks *viommu_hooks;
};

static_assert(offsetof(struct iommufd_ctx, objects) == 0);

#endif
