// SPDX-License-Identifier: GPL-2.0
/*
 * iommu_demo: show, in readable steps, a device doing DMA through the
 * IOMMU on behalf of a userspace program.  Used by "make run".
 */
#include <stdarg.h>
#include <sys/mman.h>

#include "../testing/selftests/iommu/edu_dev.h"
#include "../testing/selftests/iommu/vfio_type1_util.h"

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
	struct vfio_iova_range r[8];
	struct vfio_type1 vfio;
	struct edu_dev edu = { 0 };
	uint8_t *buf, *src, *dst;
	char bdf[64], path[256], drv[256];
	int group, ret, n, i;

	setvbuf(stdout, NULL, _IOLBF, 0);
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

	ret = vfio_type1_open(&vfio, group, bdf);
	if (ret) {
		printf("  VFIO type1 open failed: %s\n", strerror(-ret));
		return 1;
	}
	step("container", "/dev/vfio/vfio, VFIO_TYPE1v2_IOMMU, group /dev/vfio/%d",
	     group);
	n = vfio_type1_iova_ranges(vfio.container, r, 8);
	for (i = 0; i < n && i < 8; i++)
		step(i ? "" : "IOVA ranges", "0x%016llx - 0x%016llx",
		     (unsigned long long)r[i].start,
		     (unsigned long long)r[i].end);
	ret = edu_open(&edu, vfio.device);
	if (ret) {
		printf("  edu BAR0 setup failed: %s\n", strerror(-ret));
		return 1;
	}
	step("edu ident", "0x%08x", edu_read32(&edu, EDU_REG_IDENT));

	buf = mmap(NULL, DEMO_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return 1;
	src = buf;
	dst = buf + 2 * 4096;
	edu_pattern(src, DEMO_XFER, 42);
	memset(dst, 0, DEMO_XFER);
	ret = vfio_type1_map(vfio.container, buf, DEMO_IOVA, DEMO_SIZE);
	check("map", !ret, "16 KiB of user memory at IOVA 0x400000");
	hex16("source", src);
	hex16("destination", dst);
	ret = edu_dma(&edu, DEMO_IOVA, DEMO_XFER, false);
	check("DMA to device", !ret, "64 bytes read by edu from IOVA 0x400000");
	ret = edu_dma(&edu, DEMO_IOVA + 2 * 4096, DEMO_XFER, true);
	check("DMA to memory", !ret, "64 bytes written by edu to IOVA 0x402000");
	hex16("destination", dst);
	check("compare", !memcmp(src, dst, DEMO_XFER), "destination equals source");

	memset(dst, 0, DEMO_XFER);
	check("unmap", vfio_type1_unmap(vfio.container, DEMO_IOVA, DEMO_SIZE) ==
	      DEMO_SIZE, "IOVA 0x400000-0x403fff removed from the IOMMU");
	edu_dma(&edu, DEMO_IOVA + 2 * 4096, DEMO_XFER, true);
	check("DMA blocked", !dst[0] && !memcmp(dst, dst + 1, DEMO_XFER - 1),
	      "edu writes to the unmapped IOVA; memory stays zero");

	edu_close(&edu);
	vfio_type1_close(&vfio);
	printf("iommu demo: %s\n", failed ? "FAILED" : "all steps ok");
	return failed;
}
