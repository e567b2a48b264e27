// SPDX-License-Identifier: GPL-2.0-only
/*
 * IOMMU_IOAS_*: building an I/O address space out of user memory.
 */
#include <linux/file.h>
#include <linux/iommu.h>
#include <linux/slab.h>
#include <uapi/linux/iommufd.h>

#include "context.h"
#include "ioas.h"
#include "ucmd.h"

/**
 * iommufd_ioas_destroy() - Destroy function of IOAS objects
 * @obj: the IOAS; no HWPT uses it any more
 */
void iommufd_ioas_destroy(struct iommufd_object *obj)
{
	struct iommufd_ioas *ioas = container_of(obj, struct iommufd_ioas, obj);

	WARN_ON(!list_empty(&ioas->hwpt_list));
	iopt_destroy(&ioas->iopt);
	mutex_destroy(&ioas->mutex);
}

/**
 * iommufd_ioas_create() - Make an empty IOAS
 * @ctx: the context
 *
 * Return: the IOAS, not yet finalized, or an ERR_PTR.
 */
struct iommufd_ioas *iommufd_ioas_create(struct iommufd_ctx *ctx)
{
	struct iommufd_ioas *ioas;

	ioas = iommufd_object_alloc(ctx, ioas, IOMMUFD_OBJ_IOAS);
	if (IS_ERR(ioas))
		return ioas;
	iopt_init(&ioas->iopt);
	mutex_init(&ioas->mutex);
	INIT_LIST_HEAD(&ioas->hwpt_list);
	return ioas;
}

/**
 * iommufd_ioas_alloc_ioctl() - IOMMU_IOAS_ALLOC
 * @ucmd: the ioctl
 *
 * Return: 0 or a negative errno.
 */
int iommufd_ioas_alloc_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_alloc *cmd = ucmd->cmd;
	struct iommufd_ioas *ioas;
	int rc;

	if (cmd->flags)
		return -EOPNOTSUPP;

	ioas = iommufd_ioas_create(ucmd->ctx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	cmd->out_ioas_id = ioas->obj.id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc) {
		iommufd_object_abort_and_destroy(ucmd->ctx, &ioas->obj);
		return rc;
	}
	iommufd_object_finalize(ucmd->ctx, &ioas->obj);
	return 0;
}

struct ranges_out {
	struct iommu_iova_range __user *uranges;
	u32 max;
	u32 count;
};

static int put_range(void *arg, unsigned long start, unsigned long last)
{
	struct ranges_out *out = arg;
	struct iommu_iova_range range = { .start = start, .last = last };

	if (out->count < out->max &&
	    copy_to_user(&out->uranges[out->count], &range, sizeof(range)))
		return -EFAULT;
	out->count++;
	return 0;
}

/**
 * iommufd_ioas_iova_ranges() - IOMMU_IOAS_IOVA_RANGES
 * @ucmd: the ioctl
 *
 * Reports the IOVA ranges that are not reserved and the alignment mappings
 * need. The count is always reported; when the user's array is too small
 * the ranges that fit are written and the call fails with -EMSGSIZE.
 *
 * Return: 0 or a negative errno.
 */
int iommufd_ioas_iova_ranges(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_iova_ranges *cmd = ucmd->cmd;
	struct ranges_out out = {};
	struct iommufd_ioas *ioas;
	int rc;

	if (cmd->__reserved)
		return -EOPNOTSUPP;

	ioas = iommufd_get_ioas(ucmd->ctx, cmd->ioas_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	out.uranges = u64_to_user_ptr(cmd->allowed_iovas);
	out.max = cmd->num_iovas;
	rc = iopt_walk_usable(&ioas->iopt, put_range, &out);
	if (rc)
		goto out_put;

	cmd->num_iovas = out.count;
	cmd->out_iova_alignment = READ_ONCE(ioas->iopt.iova_alignment);
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (!rc && out.count > out.max)
		rc = -EMSGSIZE;
out_put:
	iommufd_put_object(ucmd->ctx, &ioas->obj);
	return rc;
}

/**
 * iommufd_ioas_allow_iovas() - IOMMU_IOAS_ALLOW_IOVAS
 * @ucmd: the ioctl
 *
 * Return: 0 or a negative errno.
 */
int iommufd_ioas_allow_iovas(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_allow_iovas *cmd = ucmd->cmd;
	struct iommu_iova_range __user *uranges;
	struct rb_root_cached set = RB_ROOT_CACHED;
	struct iommufd_ioas *ioas;
	u32 i;
	int rc = 0;

	if (cmd->__reserved)
		return -EOPNOTSUPP;

	ioas = iommufd_get_ioas(ucmd->ctx, cmd->ioas_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	/* Read as we go: nothing is allocated for ranges not given. */
	uranges = u64_to_user_ptr(cmd->allowed_iovas);
	for (i = 0; i < cmd->num_iovas && !rc; i++) {
		struct iommu_iova_range range;

		if (copy_from_user(&range, &uranges[i], sizeof(range)))
			rc = -EFAULT;
		else if (range.start > ULONG_MAX || range.last > ULONG_MAX)
			rc = -EOVERFLOW;
		else
			rc = iopt_allowed_add(&set, range.start, range.last);
		if (!rc && fatal_signal_pending(current))
			rc = -EINTR;
		cond_resched();
	}
	if (!rc)
		rc = iopt_set_allowed(&ioas->iopt, &set);
	iopt_allowed_free(&set);
	iommufd_put_object(ucmd->ctx, &ioas->obj);
	return rc;
}

/*
 * IOMMU_IOAS_MAP_* flags as IOMMU_* prot: -EOPNOTSUPP for unknown flags,
 * -EINVAL for neither readable nor writeable. Userspace has no way to
 * flush CPU caches for DMA, so every mapping asks for cache-coherent DMA.
 */
static int map_prot(u32 flags, int *prot)
{
	if (flags & ~(IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_WRITEABLE |
		      IOMMU_IOAS_MAP_READABLE))
		return -EOPNOTSUPP;
	if (!(flags & (IOMMU_IOAS_MAP_WRITEABLE | IOMMU_IOAS_MAP_READABLE)))
		return -EINVAL;
	*prot = IOMMU_CACHE;
	if (flags & IOMMU_IOAS_MAP_WRITEABLE)
		*prot |= IOMMU_WRITE;
	if (flags & IOMMU_IOAS_MAP_READABLE)
		*prot |= IOMMU_READ;
	return 0;
}

static unsigned int iopt_flags(u32 flags)
{
	return (flags & IOMMU_IOAS_MAP_FIXED_IOVA) ? IOPT_MAP_FIXED : 0;
}

/*
 * Tell the caller the IOVA its map or copy got: a mapping it cannot learn
 * of (the answer could not be written) is undone.
 */
static int answer_map(struct iommufd_ucmd *ucmd, struct io_pagetable *iopt,
		      __u64 *out, unsigned long iova, unsigned long length)
{
	int rc;

	*out = iova;
	rc = iommufd_ucmd_answer_u64(ucmd, out);
	if (rc)
		iopt_unmap(iopt, iova, length, NULL);
	return rc;
}

/**
 * iommufd_ioas_map() - IOMMU_IOAS_MAP
 * @ucmd: the ioctl
 *
 * Return: 0 or a negative errno.
 */
int iommufd_ioas_map(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_map *cmd = ucmd->cmd;
	struct iommufd_ioas *ioas;
	unsigned long iova;
	int prot, rc;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	rc = map_prot(cmd->flags, &prot);
	if (rc)
		return rc;
	if (cmd->iova >= ULONG_MAX || cmd->length >= ULONG_MAX ||
	    cmd->user_va >= ULONG_MAX)
		return -EOVERFLOW;

	ioas = iommufd_get_ioas(ucmd->ctx, cmd->ioas_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	iova = cmd->iova;
	rc = iopt_map_user(&ioas->iopt, &iova, cmd->user_va, cmd->length,
			   prot, iopt_flags(cmd->flags),
			   READ_ONCE(ucmd->ctx->acct_mode));
	if (!rc)
		rc = answer_map(ucmd, &ioas->iopt, &cmd->iova, iova,
				cmd->length);
	iommufd_put_object(ucmd->ctx, &ioas->obj);
	return rc;
}

/**
 * iommufd_ioas_map_file() - IOMMU_IOAS_MAP_FILE
 * @ucmd: the ioctl
 *
 * Return: 0 or a negative errno.
 */
int iommufd_ioas_map_file(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_map_file *cmd = ucmd->cmd;
	struct iommufd_ioas *ioas;
	unsigned long iova;
	struct file *file;
	int prot, rc;

	rc = map_prot(cmd->flags, &prot);
	if (rc)
		return rc;
	if (cmd->iova >= ULONG_MAX || cmd->length >= ULONG_MAX ||
	    cmd->start >= ULONG_MAX)
		return -EOVERFLOW;

	ioas = iommufd_get_ioas(ucmd->ctx, cmd->ioas_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	file = fget(cmd->fd);
	if (!file) {
		rc = -EBADF;
		goto out_put;
	}

	iova = cmd->iova;
	rc = iopt_map_file(&ioas->iopt, &iova, file, cmd->start, cmd->length,
			   prot, iopt_flags(cmd->flags),
			   READ_ONCE(ucmd->ctx->acct_mode));
	fput(file);
	if (!rc)
		rc = answer_map(ucmd, &ioas->iopt, &cmd->iova, iova,
				cmd->length);
out_put:
	iommufd_put_object(ucmd->ctx, &ioas->obj);
	return rc;
}

/**
 * iommufd_ioas_copy() - IOMMU_IOAS_COPY
 * @ucmd: the ioctl
 *
 * Return: 0 or a negative errno.
 */
int iommufd_ioas_copy(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_copy *cmd = ucmd->cmd;
	struct iommufd_ioas *src, *dst;
	unsigned long iova;
	int prot, rc;

	rc = map_prot(cmd->flags, &prot);
	if (rc)
		return rc;
	if (cmd->length >= ULONG_MAX || cmd->src_iova >= ULONG_MAX ||
	    cmd->dst_iova >= ULONG_MAX)
		return -EOVERFLOW;

	src = iommufd_get_ioas(ucmd->ctx, cmd->src_ioas_id);
	if (IS_ERR(src))
		return PTR_ERR(src);
	dst = iommufd_get_ioas(ucmd->ctx, cmd->dst_ioas_id);
	if (IS_ERR(dst)) {
		rc = PTR_ERR(dst);
		goto out_src;
	}

	iova = cmd->dst_iova;
	rc = iopt_copy(&dst->iopt, &iova, &src->iopt, cmd->src_iova,
		       cmd->length, prot, iopt_flags(cmd->flags));
	if (!rc)
		rc = answer_map(ucmd, &dst->iopt, &cmd->dst_iova,
				iova, cmd->length);
	iommufd_put_object(ucmd->ctx, &dst->obj);
out_src:
	iommufd_put_object(ucmd->ctx, &src->obj);
	return rc;
}

/**
 * iommufd_ioas_unmap() - IOMMU_IOAS_UNMAP
 * @ucmd: the ioctl
 *
 * IOVA 0 with length U64_MAX unmaps everything and succeeds even when
 * nothing was mapped. The length unmapped is reported back.
 *
 * Return: 0 or a negative errno.
 */
int iommufd_ioas_unmap(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_unmap *cmd = ucmd->cmd;
	unsigned long unmapped = 0;
	struct iommufd_ioas *ioas;
	int rc;

	ioas = iommufd_get_ioas(ucmd->ctx, cmd->ioas_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	if (cmd->iova == 0 && cmd->length == U64_MAX) {
		rc = iopt_unmap_all(&ioas->iopt, &unmapped);
	} else if (cmd->iova >= ULONG_MAX || cmd->length >= ULONG_MAX) {
		rc = -EOVERFLOW;
	} else {
		rc = iopt_unmap(&ioas->iopt, cmd->iova, cmd->length,
				&unmapped);
	}
	if (rc)
		goto out_put;

	cmd->length = unmapped;
	rc = iommufd_ucmd_answer_u64(ucmd, &cmd->length);
out_put:
	iommufd_put_object(ucmd->ctx, &ioas->obj);
	return rc;
}

/**
 * iommufd_ioas_option() - IOMMU_OPTION for options of one IOAS
 * @ucmd: the ioctl; its option_id is IOMMU_OPTION_HUGE_PAGES
 *
 * Return: 0 or a negative errno.
 */
int iommufd_ioas_option(struct iommufd_ucmd *ucmd)
{
	struct iommu_option *cmd = ucmd->cmd;
	struct iommufd_ioas *ioas;
	int rc = 0;

	ioas = iommufd_get_ioas(ucmd->ctx, cmd->object_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	switch (cmd->op) {
	case IOMMU_OPTION_OP_GET:
		cmd->val64 = !READ_ONCE(ioas->iopt.disable_large_pages);
		break;
	case IOMMU_OPTION_OP_SET:
		if (cmd->val64 > 1)
			rc = -EINVAL;
		else
			rc = iopt_set_large_pages(&ioas->iopt, cmd->val64);
		break;
	default:
		rc = -EOPNOTSUPP;
	}
	iommufd_put_object(ucmd->ctx, &ioas->obj);
	return rc;
}
