/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VFIO device cdev + iommufd plumbing shared by the device tests, the demo
 * and the benchmark: find a device's /dev/vfio/devices/vfioN node, bind it
 * to a /dev/iommu file, attach it to an IOAS or HWPT, the few /dev/iommu
 * ioctls needed to give the device memory to DMA to, and its MSI.
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
#include <poll.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/iommufd.h>
#include <linux/vfio.h>

#include "iommufd_core_util.h"

/* ---------------------------------------------------------------- */
/* /dev/iommu                                                        */

/*
 * The /dev/iommu ioctls themselves are iommufd_core_util.h's; these give
 * them the negative-errno convention of this header.
 */
static inline int ifd_open(void)
{
	int fd = open("/dev/iommu", O_RDWR);

	return fd < 0 ? -errno : fd;
}

static inline int ifd_destroy(int fd, uint32_t id)
{
	return -obj_destroy(fd, id);
}

static inline int ifd_ioas_alloc(int fd, uint32_t *ioas)
{
	return -ioas_create(fd, ioas);
}

/* Readable and writeable by devices, at @iova. */
static inline int ifd_ioas_map_fixed(int fd, uint32_t ioas, const void *va,
				     uint64_t len, uint64_t iova)
{
	return -ioas_map_at(fd, ioas, va, len, iova);
}

/* Readable and writeable by devices; the kernel's IOVA goes to *@iova. */
static inline int ifd_ioas_map_auto(int fd, uint32_t ioas, const void *va,
				    uint64_t len, uint64_t *iova)
{
	return -ioas_map_auto(fd, ioas, va, len, iova);
}

/* Returns the number of bytes unmapped, or a negative errno. */
static inline int64_t ifd_ioas_unmap(int fd, uint32_t ioas, uint64_t iova,
				     uint64_t len)
{
	uint64_t done;
	int rc = ioas_unmap(fd, ioas, iova, len, &done);

	return rc ? -rc : (int64_t)done;
}

/*
 * Copy up to @max usable IOVA ranges of @ioas into @out; returns how many
 * there are (possibly more than @max) or a negative errno.
 */
static inline int ifd_ioas_ranges(int fd, uint32_t ioas,
				  struct iommu_iova_range *out, uint32_t max)
{
	uint32_t num = max;
	int rc = ioas_ranges(fd, ioas, out, &num, NULL);

	return rc && rc != EMSGSIZE ? -rc : (int)num;
}

static inline int ifd_ioas_allow(int fd, uint32_t ioas,
				 const struct iommu_iova_range *ranges,
				 uint32_t num)
{
	return -ioas_allow(fd, ioas, ranges, num);
}

/* A kernel-managed HWPT for device @dev_id, mirroring IOAS @ioas. */
static inline int ifd_hwpt_alloc(int fd, uint32_t dev_id, uint32_t ioas,
				 uint32_t *hwpt)
{
	return -hwpt_create(fd, dev_id, ioas, 0, hwpt);
}

/* Write @val to the sysfs attribute @path: 0 or a negative errno. */
static inline int sysfs_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? -errno : 0;
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
/* MSI through VFIO                                                  */

/* The number of MSI vectors VFIO offers for @device, or a negative errno. */
static inline int vfio_msi_vectors(int device)
{
	struct vfio_irq_info info = {
		.argsz = sizeof(info),
		.index = VFIO_PCI_MSI_IRQ_INDEX,
	};

	if (ioctl(device, VFIO_DEVICE_GET_IRQ_INFO, &info))
		return -errno;
	if (!(info.flags & VFIO_IRQ_INFO_EVENTFD))
		return -EOPNOTSUPP;
	return info.count;
}

/* Turn MSI on with vector 0 signalling the eventfd @efd. */
static inline int vfio_msi_enable(int device, int efd)
{
	union {
		struct vfio_irq_set set;
		uint8_t raw[sizeof(struct vfio_irq_set) + sizeof(int32_t)];
	} u;
	int32_t fd = efd;

	memset(&u, 0, sizeof(u));
	u.set.argsz = sizeof(u.raw);
	u.set.flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	u.set.index = VFIO_PCI_MSI_IRQ_INDEX;
	u.set.count = 1;
	memcpy(u.set.data, &fd, sizeof(fd));
	return ioctl(device, VFIO_DEVICE_SET_IRQS, &u.set) ? -errno : 0;
}

/* Turn MSI off again: no eventfd, zero vectors. */
static inline int vfio_msi_disable(int device)
{
	struct vfio_irq_set set = {
		.argsz = sizeof(set),
		.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER,
		.index = VFIO_PCI_MSI_IRQ_INDEX,
	};

	return ioctl(device, VFIO_DEVICE_SET_IRQS, &set) ? -errno : 0;
}

/*
 * Wait up to @ms for @efd to be signalled: 1 with what the eventfd counted
 * in *@count (which resets it), 0 when nothing came, or a negative errno.
 * A signal interrupting the wait starts it again, for the full time.
 */
static inline int vfio_irq_wait(int efd, int ms, uint64_t *count)
{
	struct pollfd p = { .fd = efd, .events = POLLIN };
	int n;

	*count = 0;
	do {
		n = poll(&p, 1, ms);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (!n)
		return 0;
	if (read(efd, count, sizeof(*count)) != sizeof(*count))
		return -EIO;
	return 1;
}

#endif /* __SELFTEST_IOMMU_VFIO_CDEV_UTIL_H */
