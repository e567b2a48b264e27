// SPDX-License-Identifier: GPL-2.0-only
/*
 * VFIO devices whose DMA is managed by iommufd rather than by a VFIO IOMMU
 * driver: binding, attaching and detaching through the iommufd kAPI. Both
 * a group set to an iommufd and the device character devices use these.
 *
 * A device behind an IOMMU is bound as an iommufd_device. An emulated
 * (mediated) device, whose driver reaches memory with the CPU through
 * vfio_pin_pages() and vfio_dma_rw(), is bound as an iommufd_access
 * instead, and attaches to IOASes only.
 *
 * All of it runs under the device set's lock, which also protects the
 * iommufd fields of struct vfio_device.
 */
#include <linux/iommu.h>
#include <linux/iommufd.h>
#include <linux/sched.h>
#include <linux/vfio.h>

#include "vfio.h"

MODULE_IMPORT_NS(IOMMUFD);

/* The IOAS is unmapping [iova, iova + length): the driver must unpin. */
static void emulated_unmap(void *data, unsigned long iova,
			   unsigned long length)
{
	struct vfio_device *device = data;

	if (device->ops->dma_unmap)
		device->ops->dma_unmap(device, iova, length);
}

static const struct iommufd_access_ops emulated_access_ops = {
	.needs_pin_pages = 1,
	.unmap = emulated_unmap,
};

static int emulated_bind(struct vfio_device *device, struct iommufd_ctx *ictx,
			 u32 *devid)
{
	struct iommufd_access *access;

	access = iommufd_access_create(ictx, &emulated_access_ops, device,
				       devid);
	if (IS_ERR(access))
		return PTR_ERR(access);
	device->iommufd_access = access;
	return 0;
}

/**
 * vfio_iommufd_bind() - Bind a device to an iommufd
 * @device: the device; not bound
 * @ictx: the iommufd
 * @devid: out: the device's ID in @ictx
 *
 * Return: 0, -EOPNOTSUPP for a no-IOMMU device, or the error of
 * iommufd_device_bind() or iommufd_access_create().
 */
int vfio_iommufd_bind(struct vfio_device *device, struct iommufd_ctx *ictx,
		      u32 *devid)
{
	struct iommufd_device *idev;

	lockdep_assert_held(&device->dev_set->lock);
	if (WARN_ON(device->iommufd_device || device->iommufd_access))
		return -EBUSY;
	if (device->group->type == VFIO_EMULATED_IOMMU)
		return emulated_bind(device, ictx, devid);
	/* No-IOMMU devices have no DMA for iommufd to steer. */
	if (device->group->type != VFIO_IOMMU)
		return -EOPNOTSUPP;

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
	if (device->iommufd_access) {
		/* Detaching makes the driver drop its pins (dma_unmap). */
		iommufd_access_destroy(device->iommufd_access);
		device->iommufd_access = NULL;
	}
	if (device->iommufd_device) {
		iommufd_device_unbind(device->iommufd_device);
		device->iommufd_device = NULL;
	}
	device->iommufd_attached = false;
}

/**
 * vfio_iommufd_attach() - Attach a bound device, or move it
 * @device: the device; bound
 * @pt_id: in: an IOAS or HWPT ID; out: the HWPT the device now uses (an
 *	emulated device takes an IOAS only, and @pt_id stays that IOAS)
 *
 * An attached device is moved with iommufd_device_replace(), so its DMA is
 * never blocked on the way; an emulated one is asked to drop its pins in
 * the old IOAS first.
 *
 * Return: 0 or the iommufd error.
 */
int vfio_iommufd_attach(struct vfio_device *device, u32 *pt_id)
{
	int ret;

	lockdep_assert_held(&device->dev_set->lock);
	if (device->iommufd_access && device->iommufd_attached)
		return iommufd_access_replace(device->iommufd_access, *pt_id);
	if (!device->iommufd_access && WARN_ON(!device->iommufd_device))
		return -EINVAL;
	if (!device->iommufd_access && device->iommufd_attached)
		return iommufd_device_replace(device->iommufd_device, pt_id);

	if (device->iommufd_access)
		ret = iommufd_access_attach(device->iommufd_access, *pt_id);
	else
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
	if (device->iommufd_access)
		iommufd_access_detach(device->iommufd_access);
	else
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

/**
 * vfio_iommufd_pin_pages() - vfio_pin_pages() for a device on an access
 * @device: an emulated device bound to an iommufd
 * @iova: an IOVA in the first page; the offset within it is ignored, as
 *	type1 does
 * @npage: pages to pin
 * @prot: IOMMU_READ, IOMMU_WRITE
 * @pages: out: the pages
 *
 * Return: @npage, or -EINVAL for a driver that cannot be asked to unpin
 * (no dma_unmap op), or a negative errno of iommufd_access_pin_pages().
 */
int vfio_iommufd_pin_pages(struct vfio_device *device, dma_addr_t iova,
			   int npage, int prot, struct page **pages)
{
	int ret;

	if (!device->ops->dma_unmap || iova > ULONG_MAX)
		return -EINVAL;
	iova = ALIGN_DOWN(iova, PAGE_SIZE);
	ret = iommufd_access_pin_pages(device->iommufd_access, iova,
				       npage * PAGE_SIZE, pages,
				       (prot & IOMMU_WRITE) ?
					       IOMMUFD_ACCESS_RW_WRITE : 0);
	return ret ? ret : npage;
}

/**
 * vfio_iommufd_unpin_pages() - vfio_unpin_pages() for a device on an access
 * @device: an emulated device bound to an iommufd
 * @iova: as pinned (the offset within the page is ignored)
 * @npage: as pinned
 */
void vfio_iommufd_unpin_pages(struct vfio_device *device, dma_addr_t iova,
			      int npage)
{
	if (!WARN_ON(iova > ULONG_MAX))
		iommufd_access_unpin_pages(device->iommufd_access,
					   ALIGN_DOWN(iova, PAGE_SIZE),
					   npage * PAGE_SIZE);
}

/**
 * vfio_iommufd_dma_rw() - vfio_dma_rw() for a device on an access
 * @device: an emulated device bound to an iommufd
 * @iova: first IOVA
 * @data: kernel buffer
 * @len: bytes
 * @write: copy into the IOVA range
 *
 * Return: 0 or a negative errno of iommufd_access_rw().
 */
int vfio_iommufd_dma_rw(struct vfio_device *device, dma_addr_t iova,
			void *data, size_t len, bool write)
{
	unsigned int flags = write ? IOMMUFD_ACCESS_RW_WRITE : 0;

	if (iova > ULONG_MAX)
		return -EINVAL;
	if (!current->mm)
		flags |= IOMMUFD_ACCESS_RW_KTHREAD;
	return iommufd_access_rw(device->iommufd_access, iova, data, len,
				 flags);
}
