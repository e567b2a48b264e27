// SPDX-License-Identifier: GPL-2.0
/*
 * iommu_bench: how long mapping and unmapping user memory for DMA takes.
 * Prints a table, never judges: numbers from a TCG guest compare
 * interfaces on the same kernel and emulated IOMMU, not hardware.  Used
 * by "make bench".
 *
 * Today it measures the VFIO type1 container, the baseline that the
 * iommufd rows will be compared against.  Argument: MiB to pin in 4 KiB
 * pages (default 1024); 256 MiB are also pinned from hugetlbfs.
 */
#include <sys/mman.h>

#include "../testing/selftests/iommu/edu_dev.h"
#include "../testing/selftests/iommu/vfio_type1_util.h"

#define SZ_4K		0x1000UL
#define SZ_2M		0x200000UL
#define SZ_1M		0x100000UL
#define BENCH_IOVA	0x1000000ULL

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/*
 * Memory for the runs: with @want_huge, 2 MiB pages from hugetlbfs when
 * the size allows and enough are reserved (so a mapping can use 2 MiB
 * IOPTEs), else ordinary anonymous memory.  *huge says which it got.
 */
static void *bench_alloc(size_t size, int want_huge, int *huge)
{
	void *p = MAP_FAILED;

	*huge = 0;
	if (want_huge && !(size % SZ_2M))
		p = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	if (p != MAP_FAILED) {
		*huge = 1;
	} else {
		p = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return NULL;
		/* Keep THP out, so these rows really are 4 KiB pages. */
		madvise(p, size, MADV_NOHUGEPAGE);
	}
	memset(p, 1, size);
	return p;
}

static void row(const char *what, size_t size, int huge, int ops,
		double us)
{
	char sz[32];

	if (size >= SZ_1M)
		snprintf(sz, sizeof(sz), "%zu MiB", size / SZ_1M);
	else
		snprintf(sz, sizeof(sz), "%zu KiB", size / 1024);
	printf("  %-22s %8s %-9s %6d %12.1f\n", what, sz,
	       huge ? "hugetlb" : "4k pages", ops, us / ops);
}

/* MAP_DMA then UNMAP_DMA of @size, @ops times, timed apart. */
static int bench_type1_map_unmap(int container, size_t size, int ops)
{
	double map_us = 0, unmap_us = 0, t;
	int huge, i;
	void *buf;

	buf = bench_alloc(size, 1, &huge);
	if (!buf)
		return -ENOMEM;
	for (i = 0; i < ops; i++) {
		t = now_us();
		if (vfio_type1_map(container, buf, BENCH_IOVA, size))
			return -errno;
		map_us += now_us() - t;
		t = now_us();
		if (vfio_type1_unmap(container, BENCH_IOVA, size) != (int64_t)size)
			return -EIO;
		unmap_us += now_us() - t;
	}
	row("type1 MAP_DMA", size, huge, ops, map_us);
	row("type1 UNMAP_DMA", size, huge, ops, unmap_us);
	munmap(buf, size);
	return 0;
}

/* One MAP_DMA of a large buffer: pinning and IOPTE setup throughput. */
static int bench_type1_pin(int container, size_t size, int want_huge)
{
	double t, us;
	int huge;
	void *buf;

	buf = bench_alloc(size, want_huge, &huge);
	if (!buf)
		return -ENOMEM;
	t = now_us();
	if (vfio_type1_map(container, buf, BENCH_IOVA, size))
		return -errno;
	us = now_us() - t;
	vfio_type1_unmap(container, BENCH_IOVA, size);
	munmap(buf, size);
	printf("  %-22s %8zu MiB %-9s in %.0f ms: %.0f MiB/s\n", "type1 pin+map",
	       size / SZ_1M, huge ? "hugetlb" : "4k pages", us / 1e3,
	       (size / (double)SZ_1M) / (us / 1e6));
	return 0;
}

int main(int argc, char **argv)
{
	size_t pin_size = (argc > 1 ? strtoul(argv[1], NULL, 0) : 1024) * SZ_1M;
	struct vfio_type1 vfio;
	char bdf[64];
	int group, ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (edu_find(bdf, sizeof(bdf))) {
		printf("iommu_bench: no edu device to open a VFIO group with\n");
		return 1;
	}
	group = edu_iommu_group(bdf);
	ret = group < 0 ? group : vfio_type1_open(&vfio, group, bdf);
	if (ret) {
		printf("iommu_bench: VFIO type1 setup failed: %s\n", strerror(-ret));
		return 1;
	}
	printf("iommu_bench: map/unmap cost through the VFIO type1 container\n");
	printf("  %-22s %8s %-9s %6s %12s\n", "operation", "size", "memory",
	       "ops", "us/op");
	ret = bench_type1_map_unmap(vfio.container, SZ_4K, 2000);
	if (!ret)
		ret = bench_type1_map_unmap(vfio.container, SZ_2M, 200);
	if (!ret)
		ret = bench_type1_pin(vfio.container, pin_size, 0);
	if (!ret)
		ret = bench_type1_pin(vfio.container, 256 * SZ_1M, 1);
	vfio_type1_close(&vfio);
	if (ret)
		printf("iommu_bench: failed: %s\n", strerror(-ret));
	return !!ret;
}
