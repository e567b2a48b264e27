// SPDX-License-Identifier: GPL-2.0
/*
 * An emulated (mediated) VFIO device on iommufd: the mtty sample's mdev,
 * bound through its /dev/vfio/devices/vfioN node or opened through its
 * group on the iommufd-served /dev/vfio/vfio.  Such a device has no IOMMU;
 * iommufd binds it as an access, which attaches to IOASes only.
 *
 * Needs a kernel with the mtty sample built in (CONFIG_SAMPLE_VFIO_MDEV_MTTY)
 * and iommufd serving /dev/vfio/vfio; skips otherwise.  Run as root.
 */
#include <glob.h>
#include <limits.h>
#include <sys/mman.h>

#include "../kselftest_harness.h"
#include "vfio_cdev_util.h"
#include "vfio_type1_util.h"

#define MTTY_UUID "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001"
#define MDEV_DIR "/sys/bus/mdev/devices/" MTTY_UUID

/* Make the mtty mdev; 0, or -ENODEV when the kernel has no mtty. */
static int mtty_create(void)
{
	glob_t g;
	int ret;

	if (!access(MDEV_DIR, F_OK))
		return 0;
	if (glob("/sys/class/mdev_bus/*/mdev_supported_types/mtty-1/create",
		 0, NULL, &g))
		return -ENODEV;
	ret = sysfs_write(g.gl_pathv[0], MTTY_UUID);
	globfree(&g);
	return ret;
}

static void mtty_remove(void)
{
	sysfs_write(MDEV_DIR "/remove", "1");
}

/* /dev/vfio/devices/vfioN of the mdev. */
static int mtty_cdev_path(char *path, size_t len)
{
	glob_t g;
	int ret = -ENOENT;

	if (glob(MDEV_DIR "/vfio-dev/vfio*", 0, NULL, &g))
		return ret;
	if ((size_t)snprintf(path, len, "/dev/vfio/devices/%s",
			     strrchr(g.gl_pathv[0], '/') + 1) < len)
		ret = 0;
	globfree(&g);
	return ret;
}

/* The mdev's IOMMU group number. */
static int mtty_group(void)
{
	char link[PATH_MAX];
	ssize_t n;

	n = readlink(MDEV_DIR "/iommu_group", link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	return atoi(strrchr(link, '/') + 1);
}

FIXTURE(mdev)
{
	int iommufd;
	int device;
	uint32_t ioas;
};

FIXTURE_SETUP(mdev)
{
	char path[128];
	int ret;

	self->iommufd = -1;
	self->device = -1;
	ret = mtty_create();
	if (ret == -ENODEV)
		SKIP(return, "no mtty mediated device in this kernel");
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, mtty_cdev_path(path, sizeof(path)));
	self->device = vfio_cdev_open(path);
	ASSERT_LE(0, self->device);
	self->iommufd = ifd_open();
	ASSERT_LE(0, self->iommufd);
	ASSERT_EQ(0, ifd_ioas_alloc(self->iommufd, &self->ioas));
}

FIXTURE_TEARDOWN(mdev)
{
	if (self->device >= 0)
		close(self->device);
	if (self->iommufd >= 0)
		close(self->iommufd);
	mtty_remove();
}

/* Whether the device answers a plain VFIO ioctl, i.e. is open and usable. */
static int device_info(int device)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };

	return ioctl(device, VFIO_DEVICE_GET_INFO, &info) ? -errno :
							      (int)info.num_regions;
}

TEST_F(mdev, bind_attach_detach)
{
	uint32_t devid = 0, pt;

	/* SKIP in the fixture setup does not stop the test. */
	if (_metadata->skip)
		return;

	/* Unbound, only BIND is answered. */
	ASSERT_EQ(-EINVAL, device_info(self->device));
	ASSERT_EQ(0, vfio_cdev_bind(self->device, self->iommufd, &devid));
	ASSERT_NE(0, devid);
	ASSERT_LT(0, device_info(self->device));

	/* The driver holds the access: userspace cannot destroy it. */
	ASSERT_EQ(-EBUSY, ifd_destroy(self->iommufd, devid));

	/* An emulated device attaches to an IOAS, reported back as is. */
	pt = self->ioas;
	ASSERT_EQ(0, vfio_cdev_attach(self->device, pt, &pt));
	ASSERT_EQ(self->ioas, pt);
	ASSERT_EQ(-EBUSY, ifd_destroy(self->iommufd, self->ioas));
	ASSERT_EQ(0, vfio_cdev_detach(self->device));
	ASSERT_EQ(0, ifd_destroy(self->iommufd, self->ioas));
	ASSERT_EQ(0, ifd_ioas_alloc(self->iommufd, &self->ioas));
}

TEST_F(mdev, attach_errors)
{
	uint32_t devid = 0, pt;

	/* SKIP in the fixture setup does not stop the test. */
	if (_metadata->skip)
		return;

	ASSERT_EQ(0, vfio_cdev_bind(self->device, self->iommufd, &devid));
	/* Not an IOAS: its own device ID, a free ID. */
	ASSERT_EQ(-ENOENT, vfio_cdev_attach(self->device, devid, &pt));
	ASSERT_EQ(-ENOENT, vfio_cdev_attach(self->device, 0x7fffffff, &pt));
	/* Nothing was attached by the failures. */
	ASSERT_EQ(0, ifd_destroy(self->iommufd, self->ioas));
	ASSERT_EQ(0, ifd_ioas_alloc(self->iommufd, &self->ioas));
	/* A second bind, here or on another iommufd, is refused. */
	ASSERT_EQ(-EINVAL, vfio_cdev_bind(self->device, self->iommufd, NULL));
}

TEST_F(mdev, replace_ioas)
{
	uint32_t ioas2, pt;

	/* SKIP in the fixture setup does not stop the test. */
	if (_metadata->skip)
		return;

	ASSERT_EQ(0, vfio_cdev_bind(self->device, self->iommufd, NULL));
	ASSERT_EQ(0, ifd_ioas_alloc(self->iommufd, &ioas2));
	ASSERT_EQ(0, vfio_cdev_attach(self->device, self->ioas, &pt));
	/* A failed replace leaves the device where it was. */
	ASSERT_EQ(-ENOENT, vfio_cdev_attach(self->device, 0x7fffffff, &pt));
	ASSERT_EQ(-EBUSY, ifd_destroy(self->iommufd, self->ioas));

	pt = ioas2;
	ASSERT_EQ(0, vfio_cdev_attach(self->device, pt, &pt));
	ASSERT_EQ(ioas2, pt);
	/* The old IOAS is free, the new one held. */
	ASSERT_EQ(0, ifd_destroy(self->iommufd, self->ioas));
	ASSERT_EQ(-EBUSY, ifd_destroy(self->iommufd, ioas2));
	ASSERT_EQ(0, ifd_ioas_alloc(self->iommufd, &self->ioas));
}

TEST_F(mdev, close_iommufd_first)
{
	uint32_t devid = 0, pt;

	/* SKIP in the fixture setup does not stop the test. */
	if (_metadata->skip)
		return;

	ASSERT_EQ(0, vfio_cdev_bind(self->device, self->iommufd, &devid));
	ASSERT_EQ(0, vfio_cdev_attach(self->device, self->ioas, &pt));
	/* The bound device keeps the context alive. */
	ASSERT_EQ(0, close(self->iommufd));
	self->iommufd = -1;
	ASSERT_LT(0, device_info(self->device));
	ASSERT_EQ(0, vfio_cdev_detach(self->device));
	ASSERT_EQ(0, vfio_cdev_attach(self->device, self->ioas, &pt));
	ASSERT_EQ(0, close(self->device));
	self->device = -1;
}

TEST_F(mdev, group_on_iommufd_container)
{
	const char *path = vfio_type1_container_path();
	struct vfio_type1 v;
	void *buf;
	int ret;

	/* SKIP in the fixture setup does not stop the test. */
	if (_metadata->skip)
		return;

	/* The cdev is not bound: the group path may open the device. */
	ret = vfio_type1_open_path(&v, path, mtty_group(), MTTY_UUID);
	if (ret == -ENODEV || ret == -ENOENT)
		SKIP(return, "%s: %s", path, strerror(-ret));
	ASSERT_EQ(0, ret);
	ASSERT_LT(0, device_info(v.device));

	/* The type1 ioctls map into the compat IOAS the device uses. */
	buf = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	ASSERT_EQ(0, vfio_type1_map(v.container, buf, 0x100000, 4096));
	ASSERT_EQ(4096, vfio_type1_unmap(v.container, 0x100000, 4096));

	/* Bound through the group, the cdev cannot bind as well. */
	ASSERT_EQ(-EBUSY, vfio_cdev_bind(self->device, self->iommufd, NULL));
	vfio_type1_close(&v);
	munmap(buf, 4096);
}

TEST_HARNESS_MAIN
