// SPDX-License-Identifier: GPL-2.0-only
/*
 * Binding devices to an iommufd and attaching them to IOASes and HWPTs.
 *
 * Lock order: iommufd_ioas.mutex, then iommufd_device.lock, then the
 * io_pagetable's rwsem.
 */
#include <linux/device.h>
#include <linux/iommu.h>
#include <linux/iommufd.h>
#include <linux/irqdomain.h>
#include <linux/module.h>

#include "device.h"
#include "hw_pagetable.h"
#include "ioas.h"

static bool allow_unsafe_interrupts;
module_param(allow_unsafe_interrupts, bool, 0644);
MODULE_PARM_DESC(allow_unsafe_interrupts,
		 "Let devices whose MSIs are not isolated be bound (unsafe)");

/**
 * iommufd_device_destroy() - Destroy function of device objects
 * @obj: the device; detached and unbound
 */
void iommufd_device_destroy(struct iommufd_object *obj)
{
	struct iommufd_device *idev =
		container_of(obj, struct iommufd_device, obj);

	iommu_group_release_dma_owner(idev->group);
	iommu_group_put(idev->group);
	mutex_destroy(&idev->lock);
}

/**
 * iommufd_device_bind() - Bind a device to an iommufd
 * @ctx: the iommufd; the caller keeps it alive until unbind
 * @dev: the device; its IOMMU group must have no other DMA owner
 * @id: out: the device's object ID, for userspace
 *
 * Claims DMA ownership of @dev's group, so the kernel's DMA API domain is
 * replaced by a blocking one until the device is attached.
 *
 * Return: the binding, or ERR_PTR(-ENODEV) when @dev has no IOMMU group,
 * -EPERM when its MSIs are not isolated, -EBUSY when its group already has
 * a DMA owner, -ENOMEM.
 */
struct iommufd_device *iommufd_device_bind(struct iommufd_ctx *ctx,
					   struct device *dev, u32 *id)
{
	struct iommufd_device *idev;
	struct iommu_group *group;
	int rc;

	group = iommu_group_get(dev);
	if (!group)
		return ERR_PTR(-ENODEV);

	if (!device_iommu_capable(dev, IOMMU_CAP_INTR_REMAP) &&
	    !irq_domain_check_msi_remap()) {
		if (!allow_unsafe_interrupts) {
			rc = -EPERM;
			goto err_group;
		}
		dev_warn(dev, "MSIs are not isolated, bound anyway\n");
	}

	rc = iommu_group_claim_dma_owner(group, ctx);
	if (rc) {
		rc = -EBUSY;
		goto err_group;
	}

	idev = iommufd_object_alloc(ctx, idev, IOMMUFD_OBJ_DEVICE);
	if (IS_ERR(idev)) {
		rc = PTR_ERR(idev);
		goto err_owner;
	}
	idev->ctx = ctx;
	idev->dev = dev;
	idev->group = group;
	mutex_init(&idev->lock);
	/* The binding driver is a user until iommufd_device_unbind(). */
	iommufd_ref_object(&idev->obj);
	iommufd_object_finalize(ctx, &idev->obj);
	*id = idev->obj.id;
	return idev;

err_owner:
	iommu_group_release_dma_owner(group);
err_group:
	iommu_group_put(group);
	return ERR_PTR(rc);
}
EXPORT_SYMBOL_NS_GPL(iommufd_device_bind, IOMMUFD);

/**
 * iommufd_device_unbind() - Undo iommufd_device_bind()
 * @idev: the binding; detached first if still attached
 */
void iommufd_device_unbind(struct iommufd_device *idev)
{
	iommufd_device_detach(idev);
	iommufd_unref_object(&idev->obj);
	iommufd_object_destroy_kernel(idev->ctx, &idev->obj);
}
EXPORT_SYMBOL_NS_GPL(iommufd_device_unbind, IOMMUFD);

static int reserve_regions(struct iommufd_device *idev,
			   struct io_pagetable *iopt)
{
	struct iommu_resv_region *resv;
	LIST_HEAD(regions);
	int rc = 0;

	iommu_get_resv_regions(idev->dev, &regions);
	list_for_each_entry(resv, &regions, list) {
		if (resv->type == IOMMU_RESV_DIRECT_RELAXABLE)
			continue;
		rc = iopt_reserve(iopt, resv->start,
				  resv->start + resv->length - 1, idev);
		if (rc)
			break;
	}
	iommu_put_resv_regions(idev->dev, &regions);
	if (rc)
		iopt_unreserve(iopt, idev);
	return rc;
}

static int attach_hwpt(struct iommufd_device *idev, struct iommufd_hwpt *hwpt)
{
	struct io_pagetable *iopt = &hwpt->ioas->iopt;
	int rc;

	mutex_lock(&idev->lock);
	if (idev->hwpt) {
		rc = -EBUSY;
		goto out_unlock;
	}
	rc = reserve_regions(idev, iopt);
	if (rc)
		goto out_unlock;
	rc = iommu_attach_group(hwpt->domain, idev->group);
	if (rc) {
		iopt_unreserve(iopt, idev);
		goto out_unlock;
	}
	iommufd_ref_object(&hwpt->obj);
	idev->hwpt = hwpt;
out_unlock:
	mutex_unlock(&idev->lock);
	return rc;
}

/* 6.1 drivers report a domain of the wrong kind with either errno. */
static bool incompatible(int rc)
{
	return rc == -EINVAL || rc == -EMEDIUMTYPE;
}

static struct iommufd_hwpt *attach_ioas(struct iommufd_device *idev,
					struct iommufd_ioas *ioas)
{
	struct iommufd_hwpt *hwpt;
	int rc;

	mutex_lock(&ioas->mutex);
	list_for_each_entry(hwpt, &ioas->hwpt_list, ioas_item) {
		rc = attach_hwpt(idev, hwpt);
		if (!rc)
			goto out_unlock;
		if (!incompatible(rc))
			goto out_err;
	}

	hwpt = iommufd_hwpt_create(idev->ctx, ioas, idev->dev, true);
	if (IS_ERR(hwpt))
		goto out_unlock;
	rc = attach_hwpt(idev, hwpt);
	if (rc) {
		iommufd_object_abort_and_destroy(idev->ctx, &hwpt->obj);
		goto out_err;
	}
	list_add_tail(&hwpt->ioas_item, &ioas->hwpt_list);
	iommufd_object_finalize(idev->ctx, &hwpt->obj);
out_unlock:
	mutex_unlock(&ioas->mutex);
	return hwpt;
out_err:
	mutex_unlock(&ioas->mutex);
	return ERR_PTR(rc);
}

/**
 * iommufd_device_attach() - Attach a bound device to an IOAS or a HWPT
 * @idev: the binding
 * @pt_id: in: an IOAS or HWPT ID; out: the HWPT the device now uses
 *
 * Given an IOAS, the device joins the first of its HWPTs whose domain it
 * can use, or gets a new domain of its own that lives until its last
 * device detaches. The device's reserved regions become reserved IOVA in
 * the IOAS.
 *
 * Return: 0, or -ENOENT for an unknown ID, -EINVAL for an ID that is
 * neither IOAS nor HWPT or a domain the device cannot use, -EBUSY when
 * already attached, -EADDRINUSE when a reserved region of the device is
 * mapped in the IOAS, or the IOMMU driver's error.
 */
int iommufd_device_attach(struct iommufd_device *idev, u32 *pt_id)
{
	struct iommufd_object *obj;
	struct iommufd_hwpt *hwpt;
	int rc = 0;

	obj = iommufd_get_object(idev->ctx, *pt_id, IOMMUFD_OBJ_ANY);
	if (IS_ERR(obj))
		return PTR_ERR(obj);

	switch (obj->type) {
	case IOMMUFD_OBJ_HWPT:
		hwpt = container_of(obj, struct iommufd_hwpt, obj);
		rc = attach_hwpt(idev, hwpt);
		break;
	case IOMMUFD_OBJ_IOAS:
		hwpt = attach_ioas(idev,
				   container_of(obj, struct iommufd_ioas, obj));
		if (IS_ERR(hwpt))
			rc = PTR_ERR(hwpt);
		break;
	default:
		rc = -EINVAL;
	}
	if (!rc)
		*pt_id = hwpt->obj.id;
	iommufd_put_object(idev->ctx, obj);
	return rc;
}
EXPORT_SYMBOL_NS_GPL(iommufd_device_attach, IOMMUFD);

/**
 * iommufd_device_detach() - Detach a device from its HWPT
 * @idev: the binding; nothing happens if it is not attached
 *
 * DMA from the device is blocked again when this returns.
 */
void iommufd_device_detach(struct iommufd_device *idev)
{
	struct iommufd_hwpt *hwpt;

	mutex_lock(&idev->lock);
	hwpt = idev->hwpt;
	if (!hwpt) {
		mutex_unlock(&idev->lock);
		return;
	}
	iommu_detach_group(hwpt->domain, idev->group);
	iopt_unreserve(&hwpt->ioas->iopt, idev);
	idev->hwpt = NULL;
	mutex_unlock(&idev->lock);

	if (hwpt->auto_domain)
		iommufd_object_unref_destroy(idev->ctx, &hwpt->obj);
	else
		iommufd_unref_object(&hwpt->obj);
}
EXPORT_SYMBOL_NS_GPL(iommufd_device_detach, IOMMUFD);
