// SPDX-License-Identifier: GPL-2.0
/*
 * iommu_demo: show, in readable steps, a device doing DMA through the
 * IOMMU on behalf of a userspace program.  Used by "make run".
 *
 * The device is driven through its VFIO cdev bound to /dev/iommu: bind,
 * allocate an IOAS, attach the device to it, map user memory, let the
 * device copy it in and back out, then unmap and show that the device's
 * writes no longer reach memory.
 */
#include <stdarg.h>
#include <sys/mman.h>

#include "../testing/selftests/iommu/edu_dev.h"
#include "../testing/selftests/iommu/vfio_cdev_util.h"

#define DEMO_IOVA	0x400000ULL
#define DEMO_SIZE	(4 * 4096)
#define DEMO_XFER	64

static int failed;

static void step(const char *what, const char *fmt, ...)
{
	va_list ap;

	printf("  %-14s ", what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void check(const char *what, int ok, const char *detail)
{
	step(what, "%s  %s", detail, ok ? "[ok]" : "[FAILED]");
	failed |= !ok;
}

/* check() for a helper's 0-or-negative-errno result; true on failure. */
static int check_ret(const char *what, int ret, const char *fmt, ...)
{
	char detail[192];
	size_t n;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	n = strlen(detail);
	if (ret < 0)
		snprintf(detail + n, sizeof(detail) - n, ": %s", strerror(-ret));
	check(what, ret >= 0, detail);
	return ret < 0;
}

static void hex16(const char *what, const uint8_t *p)
{
	char line[64];
	int i;

	for (i = 0; i < 16; i++)
		snprintf(line + 3 * i, sizeof(line) - 3 * i, "%02x ", p[i]);
	step(what, "%s...", line);
}

static void show_iommu(const char *bdf, int group)
{
	char path[256], link[256], members[512] = "";
	struct dirent *de;
	ssize_t n;
	DIR *dir;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = '\0';
	step("IOMMU", "%s", n > 0 ? strrchr(link, '/') + 1 : "(none)");

	snprintf(path, sizeof(path), "/sys/kernel/iommu_groups/%d/devices", group);
	dir = opendir(path);
	while (dir && (de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		strncat(members, " ", sizeof(members) - strlen(members) - 1);
		strncat(members, de->d_name, sizeof(members) - strlen(members) - 1);
	}
	if (dir)
		closedir(dir);
	step("IOMMU group", "%d, members:%s", group, members);
}

int main(void)
{
	struct iommu_iova_range r[8];
	struct edu_dev edu = { 0 };
	struct vfio_cdev v;
	uint8_t *buf, *src, *dst;
	char bdf[64], path[256], drv[256], cdev[128];
	long pin_before;
	int group, ret, n, i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	vfio_cdev_init(&v);
	printf("iommu demo: user memory -> edu device -> user memory, through the IOMMU\n");
	if (edu_find(bdf, sizeof(bdf))) {
		printf("  no edu device (1234:11e8) found\n");
		return 1;
	}
	step("device", "%s  QEMU edu [1234:11e8]", bdf);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", bdf);
	n = readlink(path, drv, sizeof(drv) - 1);
	drv[n > 0 ? n : 0] = '\0';
	step("driver", "%s", n > 0 ? strrchr(drv, '/') + 1 : "(none)");
	group = edu_iommu_group(bdf);
	if (group < 0) {
		printf("  %s has no IOMMU group\n", bdf);
		return 1;
	}
	show_iommu(bdf, group);
	ret = vfio_cdev_path(bdf, cdev, sizeof(cdev));
	if (ret) {
		printf("  %s has no VFIO device cdev: %s\n", bdf, strerror(-ret));
		return 1;
	}
	step("VFIO cdev", "%s", cdev);

	/* The steps vfio_cdev_setup() takes, one at a time to show them. */
	ret = ifd_open();
	if (check_ret("iommufd", ret, "/dev/iommu opened"))
		goto out;
	v.iommufd = ret;
	ret = vfio_cdev_open(cdev);
	if (check_ret("open", ret, "%s opened, not bound yet", cdev))
		goto out;
	v.device = ret;
	ret = vfio_cdev_bind(v.device, v.iommufd, &v.devid);
	/* The IDs the kernel handed out are shown only when there are some. */
	if (check_ret("bind", ret, ret ? "VFIO_DEVICE_BIND_IOMMUFD" :
		      "VFIO_DEVICE_BIND_IOMMUFD: device object %u", v.devid))
		goto out;
	ret = ifd_ioas_alloc(v.iommufd, &v.ioas);
	if (check_ret("IOAS", ret, ret ? "IOMMU_IOAS_ALLOC" :
		      "IOMMU_IOAS_ALLOC: I/O address space %u", v.ioas))
		goto out;
	ret = vfio_cdev_attach(v.device, v.ioas, &v.hwpt);
	if (check_ret("attach", ret, ret ? "VFIO_DEVICE_ATTACH_IOMMUFD_PT" :
		      "VFIO_DEVICE_ATTACH_IOMMUFD_PT: IOAS %u, IOMMU domain (HWPT) %u",
		      v.ioas, v.hwpt))
		goto out;
	n = ifd_ioas_ranges(v.iommufd, v.ioas, r, 8);
	for (i = 0; i < n && i < 8; i++)
		step(i ? "" : "IOVA ranges", "0x%016llx - 0x%016llx",
		     (unsigned long long)r[i].start,
		     (unsigned long long)r[i].last);
	ret = edu_open(&edu, v.device);
	if (ret) {
		printf("  edu BAR0 setup failed: %s\n", strerror(-ret));
		failed = 1;
		goto out;
	}
	step("edu ident", "0x%08x", edu_read32(&edu, EDU_REG_IDENT));

	buf = mmap(NULL, DEMO_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED) {
		failed = 1;
		goto out;
	}
	src = buf;
	dst = buf + 2 * 4096;
	edu_pattern(src, DEMO_XFER, 42);
	memset(dst, 0, DEMO_XFER);
	pin_before = vm_pin_kb();
	ret = ifd_ioas_map_fixed(v.iommufd, v.ioas, buf, DEMO_SIZE, DEMO_IOVA);
	if (check_ret("map", ret,
		      "IOMMU_IOAS_MAP: 16 KiB of user memory at IOVA 0x400000"))
		goto out;
	step("pinned", "VmPin %ld kB (was %ld kB)", vm_pin_kb(), pin_before);
	hex16("source", src);
	hex16("destination", dst);
	ret = edu_dma(&edu, DEMO_IOVA, DEMO_XFER, false);
	check_ret("DMA to device", ret, "64 bytes read by edu from IOVA 0x400000");
	ret = edu_dma(&edu, DEMO_IOVA + 2 * 4096, DEMO_XFER, true);
	check_ret("DMA to memory", ret, "64 bytes written by edu to IOVA 0x402000");
	hex16("destination", dst);
	check("compare", !memcmp(src, dst, DEMO_XFER), "destination equals source");

	memset(dst, 0, DEMO_XFER);
	check("unmap", ifd_ioas_unmap(v.iommufd, v.ioas, DEMO_IOVA, DEMO_SIZE) ==
	      DEMO_SIZE, "IOMMU_IOAS_UNMAP: IOVA 0x400000-0x403fff removed");
	check("unpinned", vm_pin_kb() == pin_before,
	      "VmPin back to where it was");
	ret = edu_dma(&edu, DEMO_IOVA + 2 * 4096, DEMO_XFER, true);
	check_ret("DMA attempt", ret, "edu writes 64 bytes to IOVA 0x402000 again");
	hex16("destination", dst);
	check("DMA blocked", !dst[0] && !memcmp(dst, dst + 1, DEMO_XFER - 1),
	      "the write did not land: memory stays zero");

out:
	/* The BAR mapping keeps the device open: unmap it first. */
	edu_close(&edu);
	vfio_cdev_close(&v);
	printf("iommu demo: %s\n", failed ? "FAILED" : "all steps ok");
	return failed;
}
