/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VFIO device cdev + iommufd plumbing shared by the device tests, the demo
 * and the benchmark: find a device's /dev/vfio/devices/vfioN node, bind it
 * to a /dev/iommu file, attach it to an IOAS or HWPT, and the few
 * /dev/iommu ioctls needed to give the device memory to DMA to.
 *
 * Like edu_dev.h and vfio_type1_util.h every helper returns 0 (or a count)
 * on success and a negative errno on failure, and prints nothing.
 */
#ifndef __SELFTEST_IOMMU_VFIO_CDEV_UTIL_H
#define __SELFTEST_IOMMU_VFIO_CDEV_UTIL_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/iommufd.h>
#include <linux/vfio.h>

#define IFD_MAP_RW	(IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)

/* ---------------------------------------------------------------- */
/* /dev/iommu                                                        */

static inline int ifd_open(void)
{
	int fd = open("/dev/iommu", O_RDWR);

	return fd < 0 ? -errno : fd;
}

static inline int ifd_destroy(int fd, uint32_t id)
{
	struct iommu_destroy d = { .size = sizeof(d), .id = id };

	return ioctl(fd, IOMMU_DESTROY, &d) ? -errno : 0;
}

static inline int ifd_ioas_alloc(int fd, uint32_t *ioas)
{
	struct iommu_ioas_alloc a = { .size = sizeof(a) };

	if (ioctl(fd, IOMMU_IOAS_ALLOC, &a))
		return -errno;
	*ioas = a.out_ioas_id;
	return 0;
}

/*
 * IOMMU_IOAS_MAP of @len bytes at @va, readable and writeable by devices.
 * With IOMMU_IOAS_MAP_FIXED_IOVA in @flags *@iova is where to map,
 * otherwise the kernel picks the IOVA and it is stored in *@iova.
 */
static inline int ifd_ioas_map_flags(int fd, uint32_t ioas, const void *va,
				     uint64_t len, uint64_t *iova,
				     uint32_t flags)
{
	struct iommu_ioas_map m = {
		.size = sizeof(m),
		.flags = flags | IFD_MAP_RW,
		.ioas_id = ioas,
		.user_va = (uintptr_t)va,
		.length = len,
		.iova = (flags & IOMMU_IOAS_MAP_FIXED_IOVA) ? *iova : 0,
	};

	if (ioctl(fd, IOMMU_IOAS_MAP, &m))
		return -errno;
	*iova = m.iova;
	return 0;
}

static inline int ifd_ioas_map_fixed(int fd, uint32_t ioas, const void *va,
				     uint64_t len, uint64_t iova)
{
	return ifd_ioas_map_flags(fd, ioas, va, len, &iova,
				  IOMMU_IOAS_MAP_FIXED_IOVA);
}

static inline int ifd_ioas_map_auto(int fd, uint32_t ioas, const void *va,
				    uint64_t len, uint64_t *iova)
{
	return ifd_ioas_map_flags(fd, ioas, va, len, iova, 0);
}

/* Returns the number of bytes unmapped, or a negative errno. */
static inline int64_t ifd_ioas_unmap(int fd, uint32_t ioas, uint64_t iova,
				     uint64_t len)
{
	struct iommu_ioas_unmap u = {
		.size = sizeof(u),
		.ioas_id = ioas,
		.iova = iova,
		.length = len,
	};

	if (ioctl(fd, IOMMU_IOAS_UNMAP, &u))
		return -errno;
	return u.length;
}

/*
 * Copy up to @max usable IOVA ranges of @ioas into @out; returns how many
 * there are (possibly more than @max) or a negative errno.
 */
static inline int ifd_ioas_ranges(int fd, uint32_t ioas,
				  struct iommu_iova_range *out, uint32_t max)
{
	struct iommu_ioas_iova_ranges r = {
		.size = sizeof(r),
		.ioas_id = ioas,
		.num_iovas = max,
		.allowed_iovas = (uintptr_t)out,
	};

	/* EMSGSIZE: @out holds the first @max, num_iovas the full count. */
	if (ioctl(fd, IOMMU_IOAS_IOVA_RANGES, &r) && errno != EMSGSIZE)
		return -errno;
	return r.num_iovas;
}

static inline int ifd_ioas_allow(int fd, uint32_t ioas,
				 const struct iommu_iova_range *ranges,
				 uint32_t num)
{
	struct iommu_ioas_allow_iovas a = {
		.size = sizeof(a),
		.ioas_id = ioas,
		.num_iovas = num,
		.allowed_iovas = (uintptr_t)ranges,
	};

	return ioctl(fd, IOMMU_IOAS_ALLOW_IOVAS, &a) ? -errno : 0;
}

/* A kernel-managed HWPT for device @dev_id, mirroring IOAS @ioas. */
static inline int ifd_hwpt_alloc(int fd, uint32_t dev_id, uint32_t ioas,
				 uint32_t *hwpt)
{
	struct iommu_hwpt_alloc h = {
		.size = sizeof(h),
		.dev_id = dev_id,
		.pt_id = ioas,
		.data_type = IOMMU_HWPT_DATA_NONE,
	};

	if (ioctl(fd, IOMMU_HWPT_ALLOC, &h))
		return -errno;
	*hwpt = h.out_hwpt_id;
	return 0;
}

/* ---------------------------------------------------------------- */
/* The VFIO device cdev                                              */

/*
 * The cdev of PCI device @bdf: sysfs lists its name as the one entry of
 * /sys/bus/pci/devices/BDF/vfio-dev/.  -ENOENT when the device has none
 * (not bound to vfio-pci, or a kernel without VFIO cdevs).
 */
static inline int vfio_cdev_path(const char *bdf, char *path, size_t len)
{
	struct dirent *de;
	char dir[128];
	int ret = -ENOENT;
	DIR *d;

	snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s/vfio-dev", bdf);
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(path, len, "/dev/vfio/devices/%s",
				     de->d_name) >= len)
			ret = -ENAMETOOLONG;
		else
			ret = 0;
		break;
	}
	closedir(d);
	return ret;
}

static inline int vfio_cdev_open(const char *path)
{
	int fd = open(path, O_RDWR);

	return fd < 0 ? -errno : fd;
}

/* VFIO_DEVICE_BIND_IOMMUFD; *@devid (optional) gets the device object ID. */
static inline int vfio_cdev_bind(int device, int iommufd, uint32_t *devid)
{
	struct vfio_device_bind_iommufd b = {
		.argsz = sizeof(b),
		.iommufd = iommufd,
	};

	if (ioctl(device, VFIO_DEVICE_BIND_IOMMUFD, &b))
		return -errno;
	if (devid)
		*devid = b.out_devid;
	return 0;
}

/*
 * VFIO_DEVICE_ATTACH_IOMMUFD_PT to the IOAS or HWPT @pt_id; a device that
 * is attached already moves over without a gap.  *@out (optional) gets
 * the HWPT the device now uses.
 */
static inline int vfio_cdev_attach(int device, uint32_t pt_id, uint32_t *out)
{
	struct vfio_device_attach_iommufd_pt a = {
		.argsz = sizeof(a),
		.pt_id = pt_id,
	};

	if (ioctl(device, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a))
		return -errno;
	if (out)
		*out = a.pt_id;
	return 0;
}

/* VFIO_DEVICE_DETACH_IOMMUFD_PT: the device is blocked from DMA after. */
static inline int vfio_cdev_detach(int device)
{
	struct vfio_device_detach_iommufd_pt d = { .argsz = sizeof(d) };

	return ioctl(device, VFIO_DEVICE_DETACH_IOMMUFD_PT, &d) ? -errno : 0;
}

/*
 * Everything a program needs to DMA through the cdev: a /dev/iommu file,
 * the device bound to it and attached to a fresh IOAS.
 */
struct vfio_cdev {
	int iommufd;
	int device;
	uint32_t devid;		/* the device object, from the bind */
	uint32_t ioas;
	uint32_t hwpt;		/* what the attach reported */
};

static inline void vfio_cdev_init(struct vfio_cdev *v)
{
	memset(v, 0, sizeof(*v));
	v->iommufd = -1;
	v->device = -1;
}

/*
 * Close the device first: that detaches and unbinds it, then the
 * /dev/iommu file goes with the IOAS and whatever is still mapped.  The
 * caller unmaps any BAR it mapped beforehand, or the device stays open.
 */
static inline void vfio_cdev_close(struct vfio_cdev *v)
{
	if (v->device >= 0)
		close(v->device);
	if (v->iommufd >= 0)
		close(v->iommufd);
	v->device = -1;
	v->iommufd = -1;
}

/* Open /dev/iommu and the cdev at @path, bind, allocate an IOAS, attach. */
static inline int vfio_cdev_setup(struct vfio_cdev *v, const char *path)
{
	int ret;

	vfio_cdev_init(v);
	ret = ifd_open();
	if (ret < 0)
		return ret;
	v->iommufd = ret;
	ret = vfio_cdev_open(path);
	if (ret < 0)
		goto err;
	v->device = ret;
	ret = vfio_cdev_bind(v->device, v->iommufd, &v->devid);
	if (!ret)
		ret = ifd_ioas_alloc(v->iommufd, &v->ioas);
	if (!ret)
		ret = vfio_cdev_attach(v->device, v->ioas, &v->hwpt);
	if (!ret)
		return 0;
err:
	vfio_cdev_close(v);
	return ret;
}

/* ---------------------------------------------------------------- */
/* Process state                                                     */

/* VmPin of /proc/self/status in kB, or a negative errno. */
static inline long proc_vmpin_kb(void)
{
	char line[256];
	long val = -ENOENT;
	FILE *f;

	f = fopen("/proc/self/status", "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "VmPin:", 6)) {
			val = strtol(line + 6, NULL, 10);
			break;
		}
	}
	fclose(f);
	return val;
}

#endif /* __SELFTEST_IOMMU_VFIO_CDEV_UTIL_H */
