/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal VFIO type1 container plumbing for the device tests: open a
 * container and group, select TYPE1v2, get the device fd, read the usable
 * IOVA ranges and map/unmap user memory.  Returns 0 or a negative errno.
 *
 * vfio_type1_open() uses the container node named by the environment
 * variable VFIO_CONTAINER_PATH, or /dev/vfio/vfio when it is not set, so
 * one test binary can run against either container implementation.
 */
#ifndef __SELFTEST_IOMMU_VFIO_TYPE1_UTIL_H
#define __SELFTEST_IOMMU_VFIO_TYPE1_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/vfio.h>

struct vfio_type1 {
	int container;
	int group;
	int device;
};

static inline void vfio_type1_close(struct vfio_type1 *v)
{
	if (v->device >= 0)
		close(v->device);
	if (v->group >= 0)
		close(v->group);
	if (v->container >= 0)
		close(v->container);
	v->device = -1;
	v->group = -1;
	v->container = -1;
}

#define VFIO_CONTAINER_DEFAULT	"/dev/vfio/vfio"

/* The container node vfio_type1_open() uses. */
static inline const char *vfio_type1_container_path(void)
{
	const char *path = getenv("VFIO_CONTAINER_PATH");

	return path && *path ? path : VFIO_CONTAINER_DEFAULT;
}

/* Open @container_path, put group @group_id in it and get @bdf's fd. */
static inline int vfio_type1_open_path(struct vfio_type1 *v,
				       const char *container_path,
				       int group_id, const char *bdf)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char path[64];
	int ret;

	v->group = -1;
	v->device = -1;
	v->container = open(container_path, O_RDWR);
	if (v->container < 0)
		return -errno;
	ret = -EPROTO;
	if (ioctl(v->container, VFIO_GET_API_VERSION) != VFIO_API_VERSION)
		goto err;
	ret = -EOPNOTSUPP;
	if (ioctl(v->container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) != 1)
		goto err;

	snprintf(path, sizeof(path), "/dev/vfio/%d", group_id);
	v->group = open(path, O_RDWR);
	if (v->group < 0)
		goto err_errno;
	if (ioctl(v->group, VFIO_GROUP_GET_STATUS, &status))
		goto err_errno;
	ret = -EBUSY;
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE))
		goto err;
	if (ioctl(v->group, VFIO_GROUP_SET_CONTAINER, &v->container) ||
	    ioctl(v->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		goto err_errno;
	v->device = ioctl(v->group, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (v->device < 0)
		goto err_errno;
	return 0;

err_errno:
	ret = -errno;
err:
	vfio_type1_close(v);
	return ret;
}

static inline int vfio_type1_open(struct vfio_type1 *v, int group_id,
				  const char *bdf)
{
	return vfio_type1_open_path(v, vfio_type1_container_path(), group_id,
				    bdf);
}

/*
 * Copy up to @max usable IOVA ranges into @out; returns how many the
 * kernel reports (possibly more than @max) or a negative errno.
 */
static inline int vfio_type1_iova_ranges(int container,
					 struct vfio_iova_range *out, int max)
{
	struct vfio_iommu_type1_info *info;
	struct vfio_iommu_type1_info_cap_iova_range *cap;
	struct vfio_info_cap_header *hdr;
	uint32_t argsz = sizeof(*info);
	int i, ret = -ENOENT;

	/* The kernel raises argsz when the capability chain does not fit. */
	for (;;) {
		info = calloc(1, argsz);
		if (!info)
			return -ENOMEM;
		info->argsz = argsz;
		if (ioctl(container, VFIO_IOMMU_GET_INFO, info))
			goto out_errno;
		if (info->argsz <= argsz)
			break;
		argsz = info->argsz;
		free(info);
	}
	if (!(info->flags & VFIO_IOMMU_INFO_CAPS) || !info->cap_offset)
		goto out;
	hdr = (void *)((char *)info + info->cap_offset);
	while (hdr->id != VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE) {
		if (!hdr->next)
			goto out;
		hdr = (void *)((char *)info + hdr->next);
	}
	cap = (void *)hdr;
	for (i = 0; i < (int)cap->nr_iovas && i < max; i++)
		out[i] = cap->iova_ranges[i];
	ret = cap->nr_iovas;
	goto out;
out_errno:
	ret = -errno;
out:
	free(info);
	return ret;
}

static inline int vfio_type1_map(int container, void *vaddr, uint64_t iova,
				 uint64_t size)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)vaddr,
		.iova = iova,
		.size = size,
	};

	return ioctl(container, VFIO_IOMMU_MAP_DMA, &map) ? -errno : 0;
}

/* Returns the number of bytes unmapped, or a negative errno. */
static inline int64_t vfio_type1_unmap(int container, uint64_t iova,
				       uint64_t size)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = iova,
		.size = size,
	};

	if (ioctl(container, VFIO_IOMMU_UNMAP_DMA, &unmap))
		return -errno;
	return unmap.size;
}

#endif /* __SELFTEST_IOMMU_VFIO_TYPE1_UTIL_H */
