// SPDX-License-Identifier: GPL-2.0
/*
 * A device with ATS enabled keeps translations in its own IOTLB, so every
 * unmap from the domain it is in must invalidate that IOTLB as well as the
 * IOMMU's. VT-d sends a device-IOTLB invalidation only for domains that
 * know they hold such a device; its in-place move between domains (the
 * replace iommufd uses) once left the new domain unaware, so unmaps after a
 * replace left stale translations in the device.
 *
 * The guest needs QEMU's VT-d with device-iotlb=on and a device with ATS
 * bound to vfio-pci (a virtio device with ats=on behind a PCIe root port),
 * and the intel_iommu:qi_submit trace event, which records every queued
 * invalidation descriptor: type 3 in the low bits of its first quadword is
 * a device-IOTLB one, bits 32-47 the device's source ID.
 */
#include <dirent.h>
#include <sys/mman.h>

#include "../kselftest_harness.h"
#include "tracefs_util.h"
#include "vfio_cdev_util.h"

#define PCI_EXT_CAP_ATS		0x0f
#define QI_DEV_TLB_TYPE		3
#define MAP_IOVA		0x100000ULL
#define MAP_LEN			(4 * 4096UL)

/* Offset of @bdf's ATS capability in its config space, or 0. */
static unsigned int ats_cap(const char *bdf)
{
	unsigned char cfg[4096];
	unsigned int pos = 0x100, hops = 0;
	char path[128];
	uint32_t hdr;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", bdf);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = pread(fd, cfg, sizeof(cfg), 0);
	close(fd);
	while (n == sizeof(cfg) && pos >= 0x100 && pos < 4093 && hops++ < 64) {
		memcpy(&hdr, cfg + pos, sizeof(hdr));
		if (!hdr)
			return 0;
		if ((hdr & 0xffff) == PCI_EXT_CAP_ATS)
			return pos;
		pos = hdr >> 20;
	}
	return 0;
}

/* The first device bound to vfio-pci that has ATS: its BDF in @bdf. */
static int ats_device_find(char *bdf, size_t len)
{
	DIR *dir = opendir("/sys/bus/pci/devices");
	char path[300], link[256];
	struct dirent *de;
	int ret = -ENODEV;
	ssize_t n;

	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.' || strlen(de->d_name) >= len)
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver",
			 de->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n < 0)
			continue;
		link[n] = '\0';
		if (strcmp(strrchr(link, '/') ? strrchr(link, '/') + 1 : link,
			   "vfio-pci") || !ats_cap(de->d_name))
			continue;
		strcpy(bdf, de->d_name);
		ret = 0;
		break;
	}
	closedir(dir);
	return ret;
}

/* bus << 8 | devfn of a "dddd:bb:dd.f" address. */
static unsigned int bdf_sid(const char *bdf)
{
	unsigned int dom, bus, dev, fn;

	if (sscanf(bdf, "%x:%x:%x.%x", &dom, &bus, &dev, &fn) != 4)
		return ~0U;
	return bus << 8 | dev << 3 | fn;
}

struct dev_tlb_count {
	unsigned int sid;
	int n;
};

static void count_dev_tlb(const char *line, void *arg)
{
	struct dev_tlb_count *c = arg;
	const char *p = strstr(line, "dev_tlb_inv ");
	unsigned long long qw0;

	p = p ? strstr(p, ": 0x") : NULL;
	if (!p || sscanf(p + 2, "%llx", &qw0) != 1)
		return;
	if ((qw0 & 0xf) == QI_DEV_TLB_TYPE &&
	    ((qw0 >> 32) & 0xffff) == c->sid)
		c->n++;
}

FIXTURE(ats) {
	char bdf[64];
	struct vfio_cdev v;
	uint8_t *buf;
	uint32_t ioas2;
};

FIXTURE_SETUP(ats)
{
	char path[128];
	size_t i;
	int ret;

	vfio_cdev_init(&self->v);
	self->buf = MAP_FAILED;
	if (ats_device_find(self->bdf, sizeof(self->bdf)))
		SKIP(return, "no device with ATS bound to vfio-pci");
	if (tracefs_trace_event("intel_iommu/qi_submit"))
		SKIP(return, "no intel_iommu:qi_submit trace event");
	ASSERT_EQ(0, vfio_cdev_path(self->bdf, path, sizeof(path)));
	ret = vfio_cdev_setup(&self->v, path);
	ASSERT_EQ(0, ret) TH_LOG("bind+attach %s: %s", path, strerror(-ret));
	self->buf = mmap(NULL, MAP_LEN, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	ASSERT_NE(MAP_FAILED, self->buf);
	ASSERT_EQ(0, ifd_ioas_alloc(self->v.iommufd, &self->ioas2));
	/* A page per mapping: an unmap never splits one. */
	for (i = 0; i < MAP_LEN; i += 4096) {
		ASSERT_EQ(0, ifd_ioas_map_fixed(self->v.iommufd, self->v.ioas,
						self->buf + i, 4096,
						MAP_IOVA + i));
		ASSERT_EQ(0, ifd_ioas_map_fixed(self->v.iommufd, self->ioas2,
						self->buf + i, 4096,
						MAP_IOVA + i));
	}
}

FIXTURE_TEARDOWN(ats)
{
	tracefs_stop();
	vfio_cdev_close(&self->v);
	if (self->buf != MAP_FAILED)
		munmap(self->buf, MAP_LEN);
}

/*
 * Unmap one page of @ioas at @iova, with the trace buffer cleared first:
 * how many device-IOTLB invalidations for the device did it send?
 */
static int unmap_dev_tlb_invs(struct __test_metadata *_metadata,
			      struct _test_data_ats *self, uint32_t ioas,
			      uint64_t iova)
{
	struct dev_tlb_count c = { .sid = bdf_sid(self->bdf) };

	tracefs_write("trace", "");
	EXPECT_EQ(4096, ifd_ioas_unmap(self->v.iommufd, ioas, iova, 4096));
	EXPECT_LE(0, tracefs_grep("qi_submit", count_dev_tlb, &c));
	return c.n;
}

/* Attached the usual way, the device's IOTLB is invalidated on unmap. */
TEST_F(ats, unmap_invalidates_device_iotlb)
{
	if (_metadata->skip)
		return;
	EXPECT_LE(1, unmap_dev_tlb_invs(_metadata, self, self->v.ioas,
					MAP_IOVA));
}

/*
 * After a replace into another domain (moved in place, without a blocked
 * window), unmaps from the new domain invalidate the device's IOTLB, and
 * unmaps from the old one no longer need to; and so on the way back.
 */
TEST_F(ats, replace_keeps_device_iotlb_invalidated)
{
	if (_metadata->skip)
		return;
	ASSERT_EQ(0, vfio_cdev_attach(self->v.device, self->ioas2, NULL));
	EXPECT_LE(1, unmap_dev_tlb_invs(_metadata, self, self->ioas2,
					MAP_IOVA))
		TH_LOG("an unmap after the replace left the device's IOTLB alone");
	EXPECT_EQ(0, unmap_dev_tlb_invs(_metadata, self, self->v.ioas,
					MAP_IOVA));

	ASSERT_EQ(0, vfio_cdev_attach(self->v.device, self->v.ioas, NULL));
	EXPECT_LE(1, unmap_dev_tlb_invs(_metadata, self, self->v.ioas,
					MAP_IOVA + 4096))
		TH_LOG("an unmap after moving back left the device's IOTLB alone");
	EXPECT_EQ(0, unmap_dev_tlb_invs(_metadata, self, self->ioas2,
					MAP_IOVA + 4096));
}

TEST_HARNESS_MAIN
