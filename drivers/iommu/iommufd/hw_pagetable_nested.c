// SPDX-License-Identifier: GPL-2.0-only
/*
 * Nested HWPTs: a stage 1 userspace owns (a guest's I/O page table, in the
 * IOMMU's own format) over a paging HWPT as stage 2, directly or through a
 * vIOMMU, and the invalidations userspace passes on when it changes that
 * stage 1.
 */
#include <linux/device.h>
#include <linux/iommu.h>
#include <uapi/linux/iommufd.h>

#include "context.h"
#include "hw_pagetable.h"
#include "ioas.h"
#include "ucmd.h"

/**
 * iommufd_hwpt_nested_create() - Make a nested HWPT, not yet finalized
 * @ctx: the context
 * @parent: a paging HWPT allocated as a nest parent; it becomes the stage 2
 * @viommu_obj: NULL, or the object of a vIOMMU whose parent is @parent
 * @viommu_core: the core vIOMMU of @viommu_obj (NULL with it): the driver
 *	makes the domain through it, so that the domain uses the vIOMMU's
 *	guest IDs
 * @dev: a device whose IOMMU will translate through the domain
 * @arg: the stage 1, in the driver's format
 *
 * The nested HWPT is not on any IOAS list: mappings reach it through its
 * parent's domain. It shares the parent's IOAS for reserved regions and
 * its cache coherency, and holds @viommu_obj. The caller finalizes or aborts
 * it.
 *
 * Return: the HWPT, or ERR_PTR(-EINVAL) when @parent is not a nest parent
 * or belongs to another IOMMU driver, or the IOMMU driver's error.
 */
struct iommufd_hwpt *iommufd_hwpt_nested_create(struct iommufd_ctx *ctx,
						struct iommufd_hwpt *parent,
						struct iommufd_object *viommu_obj,
						struct iommu_viommu *viommu_core,
						struct device *dev,
						const struct iommu_user_arg *arg)
{
	struct iommufd_hwpt *hwpt;
	int rc;

	if (!parent->nest_parent || parent->iommu_ops != dev_iommu_ops(dev))
		return ERR_PTR(-EINVAL);

	hwpt = iommufd_object_alloc(ctx, hwpt, IOMMUFD_OBJ_HWPT);
	if (IS_ERR(hwpt))
		return hwpt;
	INIT_LIST_HEAD(&hwpt->ioas_item);
	hwpt->ctx = ctx;
	hwpt->ioas = parent->ioas;
	iommufd_ref_object(&hwpt->ioas->obj);
	hwpt->parent = parent;
	iommufd_ref_object(&parent->obj);
	hwpt->iommu_ops = parent->iommu_ops;
	hwpt->enforce_cc = parent->enforce_cc;

	if (viommu_obj) {
		hwpt->viommu_obj = viommu_obj;
		hwpt->viommu_core = viommu_core;
		iommufd_ref_object(viommu_obj);
		hwpt->domain = iommu_viommu_domain_alloc_nested(viommu_core,
								dev, arg);
	} else {
		hwpt->domain = iommu_nested_domain_alloc(dev, parent->domain,
							 arg);
	}
	if (IS_ERR(hwpt->domain)) {
		rc = PTR_ERR(hwpt->domain);
		hwpt->domain = NULL;
		iommufd_object_abort_and_destroy(ctx, &hwpt->obj);
		return ERR_PTR(rc);
	}
	return hwpt;
}

/*
 * Hand @reqs to the nested HWPT's domain or to the vIOMMU @obj is.
 * Return: as iommufd_hwpt_invalidate_ioctl(), with @reqs->entry_num set.
 */
static int invalidate_on(struct iommufd_ctx *ctx, struct iommufd_object *obj,
			 struct iommu_user_array *reqs)
{
	struct iommufd_hwpt *hwpt;

	switch (obj->type) {
	case IOMMUFD_OBJ_HWPT:
		hwpt = container_of(obj, struct iommufd_hwpt, obj);
		if (!hwpt->parent || !hwpt->domain->ops->cache_invalidate_user)
			break;
		return hwpt->domain->ops->cache_invalidate_user(hwpt->domain,
								reqs);
	case IOMMUFD_OBJ_VIOMMU:
		return ctx->viommu_hooks->invalidate(obj, reqs);
	default:
		break;
	}
	reqs->entry_num = 0;
	return -ENOENT;
}

/**
 * iommufd_hwpt_invalidate_ioctl() - IOMMU_HWPT_INVALIDATE
 * @ucmd: the ioctl
 *
 * Hands an array of invalidation requests in the IOMMU driver's format to
 * the nested HWPT's domain, or to the vIOMMU, whose requests name the
 * guest's IDs; either carries them out in order and stops at the first it
 * cannot. entry_num comes back as the number handled, on failure too. With
 * entry_num 0 only the data type is checked.
 *
 * Return: 0, or -EOPNOTSUPP for a non-zero reserved field or a vIOMMU that
 * takes no invalidations, -EINVAL for a missing array or entry size when
 * entry_num is not 0, -ENOENT for an ID that is neither a nested HWPT nor
 * a vIOMMU, or the driver's error for the failing entry (-EINVAL for a
 * data type it does not take).
 */
int iommufd_hwpt_invalidate_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_hwpt_invalidate *cmd = ucmd->cmd;
	struct iommu_user_array reqs = {
		.type = cmd->data_type,
		.uptr = u64_to_user_ptr(cmd->data_uptr),
		.entry_len = cmd->entry_len,
		.entry_num = cmd->entry_num,
	};
	struct iommufd_object *obj;
	int rc;

	if (cmd->__reserved) {
		rc = -EOPNOTSUPP;
		goto out_done;
	}
	if (cmd->entry_num && (!cmd->data_uptr || !cmd->entry_len)) {
		rc = -EINVAL;
		goto out_done;
	}
	obj = iommufd_get_object(ucmd->ctx, cmd->hwpt_id, IOMMUFD_OBJ_ANY);
	if (IS_ERR(obj)) {
		rc = PTR_ERR(obj);
		goto out_done;
	}
	rc = invalidate_on(ucmd->ctx, obj, &reqs);
	iommufd_put_object(ucmd->ctx, obj);
	if (WARN_ON_ONCE(reqs.entry_num > cmd->entry_num))
		reqs.entry_num = cmd->entry_num;
	cmd->entry_num = reqs.entry_num;
	goto out_respond;

out_done:
	cmd->entry_num = 0;
out_respond:
	/* The count is reported on failure too; its own failure wins. */
	return iommufd_ucmd_respond(ucmd, sizeof(*cmd)) ?: rc;
}
