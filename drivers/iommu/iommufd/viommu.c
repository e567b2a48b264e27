// SPDX-License-Identifier: GPL-2.0-only
/*
 * vIOMMUs and vDEVICEs (IOMMU_VIOMMU_ALLOC, IOMMU_VDEVICE_ALLOC).
 *
 * A vIOMMU wraps the IOMMU core's struct iommu_viommu, which the device's
 * IOMMU driver makes over a nest parent HWPT. iommufd only keeps the
 * objects' lifetimes in order and the guest's device IDs unique; what the
 * IDs mean on the hardware is the driver's business, reached through the
 * core's iommu_viommu_*() calls.
 *
 * Lifetimes, all through user references: the vIOMMU holds its parent HWPT
 * (and so the IOAS), and is held by every nested HWPT, vDEVICE and vEVENTQ
 * made on it. A vDEVICE does not hold its device: unbinding the device
 * empties the vDEVICE instead (see struct iommufd_vdevice).
 */
#include <linux/device.h>
#include <linux/iommu.h>
#include <uapi/linux/iommufd.h>

#include "context.h"
#include "device.h"
#include "hw_pagetable.h"
#include "ucmd.h"
#include "viommu.h"

/**
 * iommufd_viommu_destroy() - Destroy function of vIOMMU objects
 * @obj: the vIOMMU; no nested HWPT, vDEVICE or vEVENTQ is left
 */
void iommufd_viommu_destroy(struct iommufd_object *obj)
{
	struct iommufd_viommu *viommu =
		container_of(obj, struct iommufd_viommu, obj);

	WARN_ON(!xa_empty(&viommu->vdevs) || !list_empty(&viommu->queues));
	if (viommu->core)
		iommu_viommu_free(viommu->core);
	if (viommu->parent)
		iommufd_unref_object(&viommu->parent->obj);
	xa_destroy(&viommu->vdevs);
	mutex_destroy(&viommu->queues_mutex);
}

/* The core's vIOMMU over @parent, on the IOMMU of @idev. */
static int viommu_make_core(struct iommufd_viommu *viommu,
			    struct iommufd_device *idev,
			    struct iommufd_hwpt *parent,
			    const struct iommu_viommu_alloc *cmd)
{
	struct iommu_user_arg arg = {
		.type = cmd->type,
		.uptr = u64_to_user_ptr(cmd->data_uptr),
		.len = cmd->data_len,
	};
	struct iommu_viommu *core;

	/* Only a paging HWPT made to be a stage 2, by the same driver. */
	if (!parent->nest_parent || parent->iommu_ops != dev_iommu_ops(idev->dev))
		return -EINVAL;
	core = iommu_viommu_alloc(idev->dev, parent->domain, &arg);
	if (IS_ERR(core))
		return PTR_ERR(core);
	viommu->core = core;
	viommu->iommu_ops = parent->iommu_ops;
	viommu->parent = parent;
	iommufd_ref_object(&parent->obj);
	return 0;
}

/**
 * iommufd_viommu_alloc_ioctl() - IOMMU_VIOMMU_ALLOC
 * @ucmd: the ioctl
 *
 * Return: 0, or -EOPNOTSUPP for non-zero flags or reserved field, the
 * DEFAULT type or a type the device's IOMMU driver does not make; -ENOENT
 * for an unknown device or an ID that is not a paging HWPT; -EINVAL for a
 * HWPT that is not a nest parent or belongs to another IOMMU driver;
 * -EFAULT, -ENOMEM or the driver's error.
 */
int iommufd_viommu_alloc_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_viommu_alloc *cmd = ucmd->cmd;
	struct iommufd_viommu *viommu;
	struct iommufd_device *idev;
	struct iommufd_hwpt *parent;
	int rc;

	if (cmd->flags || cmd->__reserved ||
	    cmd->type == IOMMU_VIOMMU_TYPE_DEFAULT)
		return -EOPNOTSUPP;

	idev = iommufd_get_device(ucmd->ctx, cmd->dev_id);
	if (IS_ERR(idev))
		return PTR_ERR(idev);
	parent = iommufd_get_hwpt_paging(ucmd->ctx, cmd->hwpt_id);
	if (IS_ERR(parent)) {
		rc = PTR_ERR(parent);
		goto out_dev;
	}

	viommu = iommufd_object_alloc(ucmd->ctx, viommu, IOMMUFD_OBJ_VIOMMU);
	if (IS_ERR(viommu)) {
		rc = PTR_ERR(viommu);
		goto out_parent;
	}
	viommu->ctx = ucmd->ctx;
	xa_init(&viommu->vdevs);
	mutex_init(&viommu->queues_mutex);
	spin_lock_init(&viommu->queues_lock);
	INIT_LIST_HEAD(&viommu->queues);

	rc = viommu_make_core(viommu, idev, parent, cmd);
	if (!rc) {
		cmd->out_viommu_id = viommu->obj.id;
		rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	}
	if (rc)
		iommufd_object_abort_and_destroy(ucmd->ctx, &viommu->obj);
	else
		iommufd_object_finalize(ucmd->ctx, &viommu->obj);
out_parent:
	iommufd_put_object(ucmd->ctx, &parent->obj);
out_dev:
	iommufd_put_object(ucmd->ctx, &idev->obj);
	return rc;
}

/*
 * Make @vdev empty: the driver and the vIOMMU forget the device's guest
 * ID, which another device may then take. Under the context's vdev_lock.
 */
static void vdevice_unlink(struct iommufd_vdevice *vdev)
{
	struct iommufd_viommu *viommu = vdev->viommu;

	lockdep_assert_held(&viommu->ctx->vdev_lock);
	iommu_viommu_vdevice_remove(viommu->core, vdev->idev->dev);
	xa_erase(&viommu->vdevs, vdev->virt_id);
	list_del_init(&vdev->idev_item);
	vdev->idev = NULL;
}

/**
 * iommufd_vdevice_destroy() - Destroy function of vDEVICE objects
 * @obj: the vDEVICE, empty or not
 */
void iommufd_vdevice_destroy(struct iommufd_object *obj)
{
	struct iommufd_vdevice *vdev =
		container_of(obj, struct iommufd_vdevice, obj);
	struct iommufd_viommu *viommu = vdev->viommu;

	mutex_lock(&viommu->ctx->vdev_lock);
	if (vdev->idev)
		vdevice_unlink(vdev);
	mutex_unlock(&viommu->ctx->vdev_lock);
	iommufd_unref_object(&viommu->obj);
}

/*
 * The unbind hook: empty every vDEVICE of @idev, after which no vDEVICE can
 * name it. The vDEVICE objects stay, holding their vIOMMUs, until
 * IOMMU_DESTROY or the context's release. Takes vdev_lock itself.
 */
static void vdevices_unbind(struct iommufd_device *idev)
{
	struct iommufd_vdevice *vdev, *next;

	mutex_lock(&idev->ctx->vdev_lock);
	idev->vdevs_closed = true;
	list_for_each_entry_safe(vdev, next, &idev->vdevs, idev_item)
		vdevice_unlink(vdev);
	mutex_unlock(&idev->ctx->vdev_lock);
}

/* Give @vdev its device, unless something already has the device or ID. */
static int vdevice_link(struct iommufd_vdevice *vdev,
			struct iommufd_device *idev)
{
	struct iommufd_viommu *viommu = vdev->viommu;
	struct iommufd_vdevice *other;
	int rc;

	mutex_lock(&idev->ctx->vdev_lock);
	if (idev->vdevs_closed) {
		/* The device is going away under this ioctl. */
		rc = -ENOENT;
		goto out_unlock;
	}
	list_for_each_entry(other, &idev->vdevs, idev_item) {
		if (other->viommu == viommu) {
			rc = -EEXIST;
			goto out_unlock;
		}
	}
	rc = xa_insert(&viommu->vdevs, vdev->virt_id, vdev, GFP_KERNEL_ACCOUNT);
	if (rc) {
		if (rc == -EBUSY)
			rc = -EEXIST;
		goto out_unlock;
	}
	rc = iommu_viommu_vdevice_add(viommu->core, idev->dev, vdev->virt_id);
	if (rc) {
		xa_erase(&viommu->vdevs, vdev->virt_id);
		goto out_unlock;
	}
	vdev->idev = idev;
	list_add_tail(&vdev->idev_item, &idev->vdevs);
out_unlock:
	mutex_unlock(&idev->ctx->vdev_lock);
	return rc;
}

/**
 * iommufd_vdevice_alloc_ioctl() - IOMMU_VDEVICE_ALLOC
 * @ucmd: the ioctl
 *
 * Return: 0, or -ENOENT for an unknown vIOMMU or device; -EINVAL for a
 * device behind another IOMMU driver or a virt_id the driver cannot take;
 * -EEXIST when the device has a vDEVICE on the vIOMMU or another device has
 * the virt_id there; -EFAULT, -ENOMEM or the driver's error.
 */
int iommufd_vdevice_alloc_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_vdevice_alloc *cmd = ucmd->cmd;
	struct iommufd_vdevice *vdev;
	struct iommufd_viommu *viommu;
	struct iommufd_device *idev;
	int rc;

	viommu = iommufd_get_viommu(ucmd->ctx, cmd->viommu_id);
	if (IS_ERR(viommu))
		return PTR_ERR(viommu);
	idev = iommufd_get_device(ucmd->ctx, cmd->dev_id);
	if (IS_ERR(idev)) {
		rc = PTR_ERR(idev);
		goto out_viommu;
	}
	if (dev_iommu_ops(idev->dev) != viommu->iommu_ops ||
	    cmd->virt_id > ULONG_MAX) {
		rc = -EINVAL;
		goto out_dev;
	}

	vdev = iommufd_object_alloc(ucmd->ctx, vdev, IOMMUFD_OBJ_VDEVICE);
	if (IS_ERR(vdev)) {
		rc = PTR_ERR(vdev);
		goto out_dev;
	}
	INIT_LIST_HEAD(&vdev->idev_item);
	vdev->viommu = viommu;
	vdev->virt_id = cmd->virt_id;
	iommufd_ref_object(&viommu->obj);

	rc = vdevice_link(vdev, idev);
	if (!rc) {
		cmd->out_vdevice_id = vdev->obj.id;
		rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	}
	if (rc)
		iommufd_object_abort_and_destroy(ucmd->ctx, &vdev->obj);
	else
		iommufd_object_finalize(ucmd->ctx, &vdev->obj);
out_dev:
	iommufd_put_object(ucmd->ctx, &idev->obj);
out_viommu:
	iommufd_put_object(ucmd->ctx, &viommu->obj);
	return rc;
}

/* The nest_on hook: a nested HWPT on a vIOMMU is built on its parent. */
static struct iommufd_hwpt *viommu_nest_on(struct iommufd_object *obj,
					   struct iommu_viommu **core)
{
	struct iommufd_viommu *viommu =
		container_of(obj, struct iommufd_viommu, obj);

	*core = viommu->core;
	return viommu->parent;
}

/* The invalidate hook: the driver reads the guest's IDs in @reqs. */
static int viommu_invalidate(struct iommufd_object *obj,
			     struct iommu_user_array *reqs)
{
	struct iommufd_viommu *viommu =
		container_of(obj, struct iommufd_viommu, obj);

	return iommu_viommu_cache_invalidate(viommu->core, reqs);
}

/* Handed to every context at open, for the layers below this one. */
const struct iommufd_viommu_hooks iommufd_viommu_hooks = {
	.nest_on = viommu_nest_on,
	.invalidate = viommu_invalidate,
	.unbind = vdevices_unbind,
};
