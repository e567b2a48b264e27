// SPDX-License-Identifier: GPL-2.0-only
/*
 * VFIO type1 compatibility: the IOAS a VFIO container maps into, and the
 * container ioctls of type1 programs on top of it.
 */
#include <linux/iommu.h>
#include <linux/iommufd.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <uapi/linux/iommufd.h>
#include <uapi/linux/vfio.h>

#include "context.h"
#include "ioas.h"
#include "ucmd.h"
#include "vfio_compat.h"

/*
 * Publish @id as the compat IOAS. Holding a short-term reference on it
 * keeps its destroy function, which clears the ID again, from running
 * before the store.
 */
static void compat_id_set(struct iommufd_ctx *ctx, u32 id)
{
	xa_lock(&ctx->objects.xa);
	ctx->vfio_ioas_id = id;
	xa_unlock(&ctx->objects.xa);
}

static int vfio_ioas_set(struct iommufd_ctx *ctx, u32 id)
{
	struct iommufd_ioas *ioas;

	ioas = iommufd_get_ioas(ctx, id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	compat_id_set(ctx, id);
	iommufd_put_object(ctx, &ioas->obj);
	return 0;
}

/**
 * iommufd_vfio_compat_forget() - Forget function of IOAS objects
 * @ctx: the context
 * @obj: an IOAS being destroyed; its ID is still taken
 *
 * The dispatch layer hands this to the object table, so that the compat
 * IOAS never names a destroyed IOAS, nor one that later reuses its ID.
 */
void iommufd_vfio_compat_forget(struct iommufd_ctx *ctx,
				struct iommufd_object *obj)
{
	xa_lock(&ctx->objects.xa);
	if (ctx->vfio_ioas_id == obj->id)
		ctx->vfio_ioas_id = 0;
	xa_unlock(&ctx->objects.xa);
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
		compat_id_set(ctx, 0);
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

/* The compat IOAS, with a short-term reference, or ERR_PTR(-ENODEV). */
static struct iommufd_ioas *compat_ioas_get(struct iommufd_ctx *ctx)
{
	struct iommufd_object *obj;

	obj = iommufd_get_object(ctx, READ_ONCE(ctx->vfio_ioas_id),
				 IOMMUFD_OBJ_IOAS);
	if (IS_ERR(obj))
		return ERR_PTR(-ENODEV);
	return container_of(obj, struct iommufd_ioas, obj);
}

/**
 * iommufd_vfio_compat_ioas() - The IOAS a VFIO group uses in @ctx
 * @ctx: the iommufd a VFIO group was set to (VFIO_GROUP_SET_CONTAINER)
 * @ioas_id: out: the IOAS ID
 *
 * Gives the compat IOAS, making one first if userspace has not chosen one
 * with IOMMU_VFIO_IOAS (or destroyed the one it chose), so that the type1
 * ioctls have somewhere to map.
 *
 * Return: 0 or -ENOMEM.
 */
int iommufd_vfio_compat_ioas(struct iommufd_ctx *ctx, u32 *ioas_id)
{
	struct iommufd_ioas *ioas;
	bool raced;

	for (;;) {
		ioas = compat_ioas_get(ctx);
		if (!IS_ERR(ioas)) {
			*ioas_id = ioas->obj.id;
			iommufd_put_object(ctx, &ioas->obj);
			return 0;
		}

		ioas = iommufd_ioas_create(ctx);
		if (IS_ERR(ioas))
			return PTR_ERR(ioas);
		/*
		 * A non-zero ID names an IOAS that another caller just made
		 * (not finalized yet) or one being destroyed, whose destroy
		 * function is about to clear it: either way, look again.
		 */
		xa_lock(&ctx->objects.xa);
		raced = ctx->vfio_ioas_id;
		if (!raced)
			ctx->vfio_ioas_id = ioas->obj.id;
		xa_unlock(&ctx->objects.xa);
		if (!raced) {
			*ioas_id = ioas->obj.id;
			iommufd_object_finalize(ctx, &ioas->obj);
			return 0;
		}
		iommufd_object_abort_and_destroy(ctx, &ioas->obj);
		cond_resched();
	}
}
EXPORT_SYMBOL_NS_GPL(iommufd_vfio_compat_ioas, IOMMUFD);

static int vfio_check_extension(unsigned long type)
{
	switch (type) {
	case VFIO_TYPE1_IOMMU:
	case VFIO_TYPE1v2_IOMMU:
	case VFIO_UNMAP_ALL:
		return 1;
	default:
		/*
		 * No VFIO_DMA_CC_IOMMU: domains do not promise to block
		 * no-snoop. No VFIO_UPDATE_VADDR: areas keep their pages.
		 */
		return 0;
	}
}

static int vfio_set_iommu(struct iommufd_ctx *ctx, unsigned long type)
{
	struct iommufd_ioas *ioas;
	int rc = 0;

	if (type != VFIO_TYPE1_IOMMU && type != VFIO_TYPE1v2_IOMMU)
		return -EINVAL;
	ioas = compat_ioas_get(ctx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	/*
	 * Type1 v1 lets userspace unmap part of what it mapped, so no IOPTE
	 * may cover more than one page: then areas can be split anywhere.
	 */
	if (type == VFIO_TYPE1_IOMMU)
		rc = iopt_set_large_pages(&ioas->iopt, false);
	if (!rc)
		WRITE_ONCE(ctx->vfio_type1_v1, type == VFIO_TYPE1_IOMMU);
	iommufd_put_object(ctx, &ioas->obj);
	return rc;
}

static int vfio_map_dma(struct iommufd_ctx *ctx, void __user *arg)
{
	size_t minsz = offsetofend(struct vfio_iommu_type1_dma_map, size);
	struct vfio_iommu_type1_dma_map map;
	struct iommufd_ioas *ioas;
	unsigned long iova;
	int prot = IOMMU_CACHE;
	int rc;

	if (copy_from_user(&map, arg, minsz))
		return -EFAULT;
	if (map.argsz < minsz ||
	    map.flags & ~(VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE))
		return -EINVAL;
	if (map.flags & VFIO_DMA_MAP_FLAG_READ)
		prot |= IOMMU_READ;
	if (map.flags & VFIO_DMA_MAP_FLAG_WRITE)
		prot |= IOMMU_WRITE;

	ioas = compat_ioas_get(ctx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	/* Type1's rules: some access, whole pages, nothing that wraps. */
	rc = -EINVAL;
	if (!(prot & (IOMMU_READ | IOMMU_WRITE)) || !map.size ||
	    (map.iova | map.size | map.vaddr) & ~PAGE_MASK ||
	    map.iova > ULONG_MAX || map.size > ULONG_MAX ||
	    map.vaddr > ULONG_MAX)
		goto out_put;
	iova = map.iova;
	rc = iopt_map_user(&ioas->iopt, &iova, map.vaddr, map.size, prot,
			   IOPT_MAP_FIXED, READ_ONCE(ctx->acct_mode));
out_put:
	iommufd_put_object(ctx, &ioas->obj);
	return rc;
}

/*
 * The smallest page type1 maps: what the IOAS's domains need, and at least
 * PAGE_SIZE, which is what type1 reports with no domain attached.
 */
unsigned long iommufd_vfio_page_size(struct iommufd_ioas *ioas)
{
	return max_t(unsigned long, READ_ONCE(ioas->iopt.iova_alignment),
		     PAGE_SIZE);
}

/*
 * Unmap [iova, iova + size - 1]. Type1 v1 may cut mappings: split the
 * areas at both ends first. v2 fails on a cut with -ENOENT, as iommufd does.
 */
static int compat_unmap(struct iommufd_ctx *ctx, struct iommufd_ioas *ioas,
			unsigned long iova, unsigned long size,
			unsigned long *unmapped)
{
	int rc;

	if (READ_ONCE(ctx->vfio_type1_v1)) {
		rc = iopt_split_at(&ioas->iopt, iova);
		if (!rc && iova + size)
			rc = iopt_split_at(&ioas->iopt, iova + size);
		if (rc)
			return rc;
	}
	rc = iopt_unmap(&ioas->iopt, iova, size, unmapped);
	/* Type1 unmaps nothing successfully; cutting an area fails. */
	if (rc == -ENOENT &&
	    !iopt_range_mapped(&ioas->iopt, iova, iova + size - 1))
		rc = 0;
	return rc;
}

static int vfio_unmap_dma(struct iommufd_ctx *ctx, void __user *arg)
{
	size_t minsz = offsetofend(struct vfio_iommu_type1_dma_unmap, size);
	struct vfio_iommu_type1_dma_unmap unmap;
	unsigned long unmapped = 0;
	struct iommufd_ioas *ioas;
	int rc;

	if (copy_from_user(&unmap, arg, minsz))
		return -EFAULT;
	if (unmap.argsz < minsz ||
	    unmap.flags & ~(VFIO_DMA_UNMAP_FLAG_ALL |
			    VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP))
		return -EINVAL;

	ioas = compat_ioas_get(ctx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	if (unmap.flags & VFIO_DMA_UNMAP_FLAG_ALL) {
		rc = -EINVAL;
		if (!unmap.iova && !unmap.size &&
		    !(unmap.flags & VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP))
			rc = iopt_unmap_all(&ioas->iopt, &unmapped);
	} else if (!unmap.size || unmap.iova > ULONG_MAX ||
		   unmap.size > ULONG_MAX ||
		   unmap.iova + unmap.size - 1 < unmap.iova ||
		   !IS_ALIGNED(unmap.iova | unmap.size,
			       iommufd_vfio_page_size(ioas))) {
		/* Like type1, whole pages only, even where nothing is mapped. */
		rc = -EINVAL;
	} else {
		rc = 0;
		if (unmap.flags & VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP)
			rc = iommufd_vfio_unmap_dirty(ctx, ioas, arg, &unmap);
		if (!rc)
			rc = compat_unmap(ctx, ioas, unmap.iova, unmap.size,
					  &unmapped);
	}
	iommufd_put_object(ctx, &ioas->obj);
	if (rc)
		return rc;

	/* Only the size is an answer; the rest is what the user wrote. */
	if (put_user((__u64)unmapped,
		     (__u64 __user *)(arg +
				      offsetof(struct vfio_iommu_type1_dma_unmap,
					       size))))
		return -EFAULT;
	return 0;
}

struct iova_ranges {
	struct vfio_iova_range *ranges;
	u32 max;
	u32 count;
};

static int collect_range(void *arg, unsigned long start, unsigned long last)
{
	struct iova_ranges *r = arg;

	if (r->count < r->max) {
		r->ranges[r->count].start = start;
		r->ranges[r->count].end = last;
	}
	r->count++;
	return 0;
}

/*
 * The capability chain type1 gives after struct vfio_iommu_type1_info: the
 * usable IOVA ranges, dirty page tracking (the migration capability), then
 * how many more mappings may be made. Type1 gives
 * all of it or, when @argsz is too small, none of it plus the size needed.
 */
static int vfio_info_caps(struct iommufd_ioas *ioas,
			  struct vfio_iommu_type1_info *info, u32 argsz,
			  void __user *arg)
{
	struct vfio_iommu_type1_info_cap_iova_range *cap_iova;
	struct vfio_iommu_type1_info_cap_migration *cap_mig;
	struct vfio_iommu_type1_info_dma_avail *cap_avail;
	struct iova_ranges r = {};
	size_t iova_len, total;
	void *caps;
	int rc;

	/* Count, then collect; an IOAS that grows in between is cut short. */
	iopt_walk_usable(&ioas->iopt, collect_range, &r);
	r.max = r.count;
	iova_len = struct_size(cap_iova, iova_ranges, r.max);
	total = sizeof(*info) + iova_len + sizeof(*cap_mig) +
		sizeof(*cap_avail);
	info->argsz = total;
	if (argsz < total)
		return 0;

	caps = kzalloc(total - sizeof(*info), GFP_KERNEL_ACCOUNT);
	if (!caps)
		return -ENOMEM;
	cap_iova = caps;
	r.ranges = cap_iova->iova_ranges;
	r.count = 0;
	iopt_walk_usable(&ioas->iopt, collect_range, &r);
	cap_iova->header.id = VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE;
	cap_iova->header.version = 1;
	cap_iova->header.next = sizeof(*info) + iova_len;
	cap_iova->nr_iovas = min(r.count, r.max);
	cap_mig = caps + iova_len;
	iommufd_vfio_dirty_migration_cap(ioas, cap_mig);
	cap_mig->header.next = sizeof(*info) + iova_len + sizeof(*cap_mig);
	cap_avail = caps + iova_len + sizeof(*cap_mig);
	cap_avail->header.id = VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL;
	cap_avail->header.version = 1;
	cap_avail->avail = U16_MAX;

	rc = 0;
	if (copy_to_user(arg + sizeof(*info), caps, total - sizeof(*info)))
		rc = -EFAULT;
	kfree(caps);
	if (!rc)
		info->cap_offset = sizeof(*info);
	return rc;
}

static int vfio_get_info(struct iommufd_ctx *ctx, void __user *arg)
{
	size_t minsz = offsetofend(struct vfio_iommu_type1_info, iova_pgsizes);
	struct vfio_iommu_type1_info info = {};
	struct iommufd_ioas *ioas;
	u32 argsz;
	int rc = 0;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	argsz = info.argsz;
	if (argsz < minsz)
		return -EINVAL;

	ioas = compat_ioas_get(ctx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	info.flags = VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS;
	info.iova_pgsizes = ~((u64)iommufd_vfio_page_size(ioas) - 1);
	if (argsz >= offsetofend(struct vfio_iommu_type1_info, cap_offset))
		rc = vfio_info_caps(ioas, &info, argsz, arg);
	iommufd_put_object(ctx, &ioas->obj);
	if (rc)
		return rc;
	if (copy_to_user(arg, &info, min_t(size_t, argsz, sizeof(info))))
		return -EFAULT;
	return 0;
}

static int vfio_dirty_pages(struct iommufd_ctx *ctx, void __user *arg)
{
	struct iommufd_ioas *ioas;
	int rc;

	ioas = compat_ioas_get(ctx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	rc = iommufd_vfio_dirty_pages(ctx, ioas, arg);
	iommufd_put_object(ctx, &ioas->obj);
	return rc;
}

/**
 * iommufd_vfio_ioctl() - The VFIO container ioctls of a type1 program
 * @ctx: the iommufd (opened as /dev/iommu or as /dev/vfio/vfio)
 * @cmd: a VFIO_TYPE ioctl number
 * @arg: its argument
 *
 * Type1 semantics over the compat IOAS: MAP_DMA maps at a fixed IOVA,
 * UNMAP_DMA of nothing succeeds, GET_INFO reports the usable IOVA ranges,
 * DIRTY_PAGES and the dirty bitmap of UNMAP_DMA report what is mapped.
 * Everything needs a compat IOAS; VFIO makes one when a group is set to
 * this container.
 *
 * Return: as type1, with -ENODEV when there is no compat IOAS and -ENOTTY
 * for ioctls a container does not have.
 */
long iommufd_vfio_ioctl(struct iommufd_ctx *ctx, unsigned int cmd,
			unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case VFIO_GET_API_VERSION:
		return VFIO_API_VERSION;
	case VFIO_CHECK_EXTENSION:
		return vfio_check_extension(arg);
	case VFIO_SET_IOMMU:
		return vfio_set_iommu(ctx, arg);
	case VFIO_IOMMU_MAP_DMA:
		return vfio_map_dma(ctx, uarg);
	case VFIO_IOMMU_UNMAP_DMA:
		return vfio_unmap_dma(ctx, uarg);
	case VFIO_IOMMU_GET_INFO:
		return vfio_get_info(ctx, uarg);
	case VFIO_IOMMU_DIRTY_PAGES:
		return vfio_dirty_pages(ctx, uarg);
	default:
		return -ENOTTY;
	}
}
