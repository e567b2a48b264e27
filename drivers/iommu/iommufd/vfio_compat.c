// SPDX-License-Identifier: GPL-2.0-only
/*
 * VFIO type1 compatibility: which IOAS a VFIO container maps into.
 */
#include <uapi/linux/iommufd.h>

#include "ioas.h"
#include "ucmd.h"
#include "vfio_compat.h"

static int vfio_ioas_set(struct iommufd_ctx *ctx, u32 id)
{
	struct iommufd_ioas *ioas;

	ioas = iommufd_get_ioas(ctx, id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	xa_lock(&ctx->objects);
	ctx->vfio_ioas_id = id;
	xa_unlock(&ctx->objects);
	iommufd_put_object(ctx, &ioas->obj);
	return 0;
}

/**
 * iommufd_vfio_ioas() - IOMMU_VFIO_IOAS: get, set or clear the compat IOAS
 * @ucmd: the ioctl
 *
 * Return: 0, -ENODEV when getting and there is none, -ENOENT when setting
 * an ID that is not an IOAS, -EOPNOTSUPP for unknown ops.
 */
int iommufd_vfio_ioas(struct iommufd_ucmd *ucmd)
{
	struct iommu_vfio_ioas *cmd = ucmd->cmd;
	struct iommufd_ctx *ctx = ucmd->ctx;
	struct iommufd_object *obj;

	if (cmd->__reserved)
		return -EOPNOTSUPP;

	switch (cmd->op) {
	case IOMMU_VFIO_IOAS_GET:
		obj = iommufd_get_object(ctx, READ_ONCE(ctx->vfio_ioas_id),
					 IOMMUFD_OBJ_IOAS);
		if (IS_ERR(obj))
			return -ENODEV;
		cmd->ioas_id = obj->id;
		iommufd_put_object(ctx, obj);
		return iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	case IOMMU_VFIO_IOAS_SET:
		return vfio_ioas_set(ctx, cmd->ioas_id);
	case IOMMU_VFIO_IOAS_CLEAR:
		xa_lock(&ctx->objects);
		ctx->vfio_ioas_id = 0;
		xa_unlock(&ctx->objects);
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}
