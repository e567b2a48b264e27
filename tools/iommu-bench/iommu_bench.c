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

/*
 * MAP_DMA then UNMAP_DMA of @size, @ops times, timed apart, after one
 * untimed round that builds the IOMMU's upper page-table levels.
 */
static int bench_type1_map_unmap(int container, size_t size, int ops)
{
	double map_us = 0, unmap_us = 0, t;
	int huge, i, ret = 0;
	void *buf;

	buf = bench_alloc(size, 1, &huge);
	if (!buf)
		return -ENOMEM;
	for (i = -1; i < ops && !ret; i++) {
		t = now_us();
		ret = vfio_type1_map(container, buf, BENCH_IOVA, size);
		if (ret)
			break;
		if (i >= 0)
			map_us += now_us() - t;
		t = now_us();
		if (vfio_type1_unmap(container, BENCH_IOVA, size) != (int64_t)size)
			ret = -EIO;
		if (i >= 0)
			unmap_us += now_us() - t;
	}
	munmap(buf, size);
	if (ret)
		return ret;
	row("type1 MAP_DMA", size, huge, ops, map_us);
	row("type1 UNMAP_DMA", size, huge, ops, unmap_us);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * One MAP_DMA of a large buffer, which pins every page and fills the
 * IOPTEs: the median of three runs.
 */
static int bench_type1_pin(int container, size_t size, int want_huge)
{
	double us[3], t;
	int huge, i, ret = 0;
	void *buf;

	buf = bench_alloc(size, want_huge, &huge);
	if (!buf)
		return -ENOMEM;
	for (i = 0; i < 3 && !ret; i++) {
		t = now_us();
		ret = vfio_type1_map(container, buf, BENCH_IOVA, size);
		us[i] = now_us() - t;
		if (!ret &&
		    vfio_type1_unmap(container, BENCH_IOVA, size) != (int64_t)size)
			ret = -EIO;
	}
	munmap(buf, size);
	if (ret)
		return ret;
	qsort(us, 3, sizeof(us[0]), cmp_double);
	printf("  %-22s %8zu MiB %-9s in %.0f ms: %.0f MiB/s (median of 3)\n",
	       "type1 pin+map", size / SZ_1M, huge ? "hugetlb" : "4k pages",
	       us[1] / 1e3, (size / (double)SZ_1M) / (us[1] / 1e6));
	return 0;
}

/* Is [BENCH_IOVA, BENCH_IOVA + size) inside one usable IOVA range? */
static int iova_fits(int container, size_t size)
{
	struct vfio_iova_range r[16];
	int n, i;

	n = vfio_type1_iova_ranges(container, r, 16);
	for (i = 0; i < n && i < 16; i++)
		if (r[i].start <= BENCH_IOVA && BENCH_IOVA + size - 1 <= r[i].end)
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long pin_mib = argc > 1 ? strtoul(argv[1], NULL, 0) : 1024;
	size_t pin_size = pin_mib * SZ_1M;
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
	if (!pin_mib || !iova_fits(vfio.container, pin_size)) {
		printf("iommu_bench: cannot pin %lu MiB at IOVA 0x%llx\n", pin_mib,
		       BENCH_IOVA);
		vfio_type1_close(&vfio);
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
