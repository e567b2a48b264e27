// SPDX-License-Identifier: GPL-2.0-only
/*
 * VFIO devices whose DMA is managed by iommufd rather than by a VFIO IOMMU
 * driver: binding, attaching and detaching through the iommufd kAPI. Both
 * a group set to an iommufd and the device character devices use these.
 *
 * All of it runs under the device set's lock, which also protects the
 * iommufd fields of struct vfio_device.
 */
#include <linux/iommufd.h>
#include <linux/vfio.h>

#include "vfio.h"

MODULE_IMPORT_NS(IOMMUFD);

/**
 * vfio_iommufd_bind() - Bind a device to an iommufd
 * @device: the device; not bound
 * @ictx: the iommufd
 * @devid: out: the device's ID in @ictx
 *
 * Return: 0, -EOPNOTSUPP for a device without a real IOMMU group, or the
 * error of iommufd_device_bind().
 */
int vfio_iommufd_bind(struct vfio_device *device, struct iommufd_ctx *ictx,
		      u32 *devid)
{
	struct iommufd_device *idev;

	lockdep_assert_held(&device->dev_set->lock);
	/* Emulated and no-IOMMU devices have no DMA for iommufd to steer. */
	if (device->group->type != VFIO_IOMMU)
		return -EOPNOTSUPP;
	if (WARN_ON(device->iommufd_device))
		return -EBUSY;

	idev = iommufd_device_bind(ictx, device->dev, devid);
	if (IS_ERR(idev))
		return PTR_ERR(idev);
	device->iommufd_device = idev;
	return 0;
}

/**
 * vfio_iommufd_unbind() - Undo vfio_iommufd_bind(), detaching first
 * @device: the device; nothing happens when it is not bound
 */
void vfio_iommufd_unbind(struct vfio_device *device)
{
	lockdep_assert_held(&device->dev_set->lock);
	if (!device->iommufd_device)
		return;
	iommufd_device_unbind(device->iommufd_device);
	device->iommufd_device = NULL;
	device->iommufd_attached = false;
}

/**
 * vfio_iommufd_attach() - Attach a bound device, or move it
 * @device: the device; bound
 * @pt_id: in: an IOAS or HWPT ID; out: the HWPT the device now uses
 *
 * An attached device is moved with iommufd_device_replace(), so its DMA is
 * never blocked on the way.
 *
 * Return: 0 or the iommufd error.
 */
int vfio_iommufd_attach(struct vfio_device *device, u32 *pt_id)
{
	int ret;

	lockdep_assert_held(&device->dev_set->lock);
	if (WARN_ON(!device->iommufd_device))
		return -EINVAL;
	if (device->iommufd_attached)
		return iommufd_device_replace(device->iommufd_device, pt_id);
	ret = iommufd_device_attach(device->iommufd_device, pt_id);
	if (!ret)
		device->iommufd_attached = true;
	return ret;
}

/**
 * vfio_iommufd_detach() - Block a bound device's DMA again
 * @device: the device; nothing happens when it is not attached
 */
void vfio_iommufd_detach(struct vfio_device *device)
{
	lockdep_assert_held(&device->dev_set->lock);
	if (!device->iommufd_attached)
		return;
	iommufd_device_detach(device->iommufd_device);
	device->iommufd_attached = false;
}

/**
 * vfio_iommufd_group_bind() - Bind a device opened through its group
 * @device: the device, being opened for the first time
 * @ictx: the iommufd the group was set to
 *
 * The group path has no attach ioctl: the device goes straight into the
 * iommufd's VFIO compat IOAS, where the type1 ioctls map memory.
 *
 * Return: 0 or a negative errno, with nothing left bound.
 */
int vfio_iommufd_group_bind(struct vfio_device *device,
			    struct iommufd_ctx *ictx)
{
	u32 devid, ioas_id;
	int ret;

	ret = vfio_iommufd_bind(device, ictx, &devid);
	if (ret)
		return ret;
	ret = iommufd_vfio_compat_ioas(ictx, &ioas_id);
	if (!ret)
		ret = vfio_iommufd_attach(device, &ioas_id);
	if (ret)
		vfio_iommufd_unbind(device);
	return ret;
}
