// SPDX-License-Identifier: GPL-2.0
/*
 * iommu_bench: how long mapping and unmapping user memory for DMA takes.
 * Prints a table, never judges: numbers from a TCG guest compare
 * interfaces on the same kernel and emulated IOMMU, not hardware.  Used
 * by "make bench".
 *
 * The VFIO type1 container comes first (VFIO_CONTAINER_PATH, else
 * /dev/vfio/vfio): MAP_DMA then UNMAP_DMA of 4 KiB and 2 MiB, and one
 * MAP_DMA that pins a large buffer.  Argument: MiB to pin in 4 KiB pages
 * (default 1024); 256 MiB are also pinned from hugetlbfs.
 *
 * Then iommufd, through /dev/iommu, on an IOAS with no domain ("no
 * domain": pinning and IOVA bookkeeping only) and again on an IOAS with
 * one mock domain made by CONFIG_IOMMUFD_TEST's IOMMU_TEST_CMD ("mock
 * domain": filling a domain's page table is added):
 *  - IOAS_MAP then IOAS_UNMAP at a fixed IOVA, timed apart: 4 KiB, and
 *    2 MiB both from 4 KiB pages and from hugetlbfs;
 *  - one IOAS_MAP pinning the same buffers as type1's pin rows;
 *  - a map of 64 TiB of address space (no domain only): nothing is
 *    pinned before a domain or an access needs it, so it costs what a
 *    small one does;
 *  - IOMMU_HWPT_GET_DIRTY_BITMAP on a tracking mock domain: 1 GiB and
 *    64 GiB of IOVA, one 2 MiB buffer mapped over and over, read with a
 *    bit per 4 KiB with none, 1% and all of the IOPTEs marked dirty by
 *    IOMMU_TEST_OP_DIRTY; with 2 KiB IOPTEs (4 KiB pages) and with the
 *    mock's 1 MiB ones (hugetlbfs), median of 3 reads each;
 *  - IOVA allocation (no domain only): one page mapped 100000 times at
 *    IOVAs the kernel picks.  The average of the first and of the last
 *    1000 maps shows how a map's cost grows with the number of areas.
 *    Then every second area is unmapped, 1000 more maps go into the
 *    one-page holes that leaves, and one IOAS_UNMAP of the whole IOVA
 *    space removes the rest.  Every map pins the page again and may be
 *    charged on its own: up to 400 MiB of RLIMIT_MEMLOCK for a single
 *    physical page, which is fine as the benchmark runs as root and
 *    CAP_IPC_LOCK lifts the limit.
 *
 * Last the device rows, the type1 : iommufd comparison with a real
 * IOMMU domain: the same MAP then UNMAP loop over the same memory, 4 KiB
 * and 2 MiB (hugetlbfs when there are pages), first with edu's group in
 * the legacy type1 container (/dev/vfio/legacy-container, or
 * /dev/vfio/vfio when there is none), then on an IOAS edu is attached to
 * through its VFIO cdev, then (when VFIO's own container has moved to
 * the legacy path) in iommufd's compat container at /dev/vfio/vfio; a
 * line per size gives iommufd's and the compat container's time per op
 * divided by type1's.  With the device attached each side also pins and
 * maps the pin buffer in one call, and edu is attached to an IOAS that
 * already maps it, which is when iommufd pins it.  Where the kernel has
 * a function_graph tracer, a profile of the 4 KiB MAP+UNMAP of each side
 * follows, once all sides are timed (switching the tracer patches the
 * kernel's code, which QEMU then translates again): the functions below
 * the ioctl that take its time.
 *
 * "iommu_bench small ROUNDS [type1|iommufd|compat|all [OPS]]" times only
 * the 4 KiB device rows, ROUNDS times in one boot, and prints the range
 * of the ratios (run_small()); naming a side runs only that one, and OPS
 * (default 2000) sets the operations of a round, for profiling a side
 * from outside the guest.
 *
 * Without an edu device bound to vfio-pci the type1 and device rows are
 * left out and the exit status is 1, as it always was; without /dev/iommu
 * the iommufd rows are left out, and without IOMMU_TEST_CMD the
 * mock-domain rows, each with a line saying so.
 */
#include <sys/mman.h>

#include "../testing/selftests/iommu/edu_dev.h"
#include "../testing/selftests/iommu/tracefs_util.h"
#include "../testing/selftests/iommu/vfio_type1_util.h"
#include "../testing/selftests/iommu/vfio_cdev_util.h"
#include "../../drivers/iommu/iommufd/iommufd_test.h"

#define SZ_4K		0x1000UL
#define SZ_2M		0x200000UL
#define SZ_1M		0x100000UL
#define BENCH_IOVA	0x1000000ULL
#define LEGACY_CONTAINER "/dev/vfio/legacy-container"

/* The IOVA allocation rows: areas mapped, and maps timed at each end. */
#define IOVA_AREAS	100000
#define IOVA_BATCH	1000

/* Width of the first column; the iommufd table's labels are longer. */
static int label_w = 22;

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

/* "4 KiB", "2 MiB": @size for the tables. */
static const char *size_str(size_t size, char *buf, size_t len)
{
	if (size >= SZ_1M)
		snprintf(buf, len, "%zu MiB", size / SZ_1M);
	else
		snprintf(buf, len, "%zu KiB", size / 1024);
	return buf;
}

static void row(const char *what, size_t size, int huge, int ops,
		double us)
{
	char sz[32];

	size_str(size, sz, sizeof(sz));
	printf("  %-*s %8s %-9s %6d %12.1f\n", label_w, what, sz,
	       huge ? "hugetlb" : "4k pages", ops, us / ops);
}

/* An unmap that did not remove exactly @len bytes, as an errno. */
static int unmap_err(int64_t got, uint64_t len)
{
	if (got == (int64_t)len)
		return 0;
	return got < 0 ? (int)got : -EIO;
}

/*
 * One interface's way to map @size bytes of @buf at BENCH_IOVA (0 or a
 * negative errno) and to unmap them again (bytes unmapped or a negative
 * errno), so that every interface is timed by the same loop.
 */
struct map_ops {
	int (*map)(void *ctx, void *buf, size_t size);
	int64_t (*unmap)(void *ctx, size_t size);
	void *ctx;
};

/*
 * Map then unmap @size at BENCH_IOVA, @ops times, timed apart, after one
 * untimed round that builds the IOMMU's upper page-table levels.  The
 * totals are added to *@map_us and *@unmap_us.
 */
static int time_map_unmap(const struct map_ops *o, void *buf, size_t size,
			  int ops, double *map_us, double *unmap_us)
{
	int i, ret = 0;
	int64_t got;
	double t;

	for (i = -1; i < ops && !ret; i++) {
		t = now_us();
		ret = o->map(o->ctx, buf, size);
		if (ret)
			break;
		if (i >= 0)
			*map_us += now_us() - t;
		t = now_us();
		got = o->unmap(o->ctx, size);
		if (i >= 0)
			*unmap_us += now_us() - t;
		ret = unmap_err(got, size);
	}
	return ret;
}

static int type1_map_cb(void *ctx, void *buf, size_t size)
{
	return vfio_type1_map(*(int *)ctx, buf, BENCH_IOVA, size);
}

static int64_t type1_unmap_cb(void *ctx, size_t size)
{
	return vfio_type1_unmap(*(int *)ctx, BENCH_IOVA, size);
}

/* MAP_DMA then UNMAP_DMA of @size, @ops times: time_map_unmap(). */
static int bench_type1_map_unmap(int container, size_t size, int ops)
{
	struct map_ops o = { type1_map_cb, type1_unmap_cb, &container };
	double map_us = 0, unmap_us = 0;
	int huge, ret;
	void *buf;

	buf = bench_alloc(size, 1, &huge);
	if (!buf)
		return -ENOMEM;
	ret = time_map_unmap(&o, buf, size, ops, &map_us, &unmap_us);
	munmap(buf, size);
	if (ret)
		return ret;
	row("type1 MAP_DMA", size, huge, ops, map_us);
	row("type1 UNMAP_DMA", size, huge, ops, unmap_us);
	return 0;
}

static void pin_row(const char *what, size_t size, int huge, double us)
{
	printf("  %-*s %8zu MiB %-9s in %.0f ms: %.0f MiB/s (median of 3)\n",
	       label_w, what, size / SZ_1M, huge ? "hugetlb" : "4k pages",
	       us / 1e3, (size / (double)SZ_1M) / (us / 1e6));
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
	pin_row("type1 pin+map", size, huge, us[1]);
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

/* The type1 rows; 1 when they could not all run, as a failure. */
static int run_type1(unsigned long pin_mib)
{
	size_t pin_size = pin_mib * SZ_1M;
	struct vfio_type1 vfio;
	char bdf[64];
	int group, ret;

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
	printf("iommu_bench: map/unmap cost through the VFIO type1 container (%s)\n",
	       vfio_type1_container_path());
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

/*
 * One /dev/iommu file holding one IOAS, with or without a mock domain.
 * Closing the file destroys the IOAS, the mock device and its domain,
 * and unpins whatever is still mapped.
 */
struct bench_ioas {
	int fd;
	uint32_t ioas;
	const char *kind;	/* for the labels: "no domain", "mock domain" */
};

static int bench_ioas_open(struct bench_ioas *s, int mock)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN,
	};
	int ret;

	s->kind = mock ? "mock domain" : "no domain";
	s->fd = open("/dev/iommu", O_RDWR);
	if (s->fd < 0)
		return -errno;
	if (ioctl(s->fd, IOMMU_IOAS_ALLOC, &alloc))
		goto err;
	s->ioas = alloc.out_ioas_id;
	cmd.id = s->ioas;
	if (mock && ioctl(s->fd, IOMMU_TEST_CMD, &cmd))
		goto err;
	return 0;
err:
	ret = -errno;
	close(s->fd);
	s->fd = -1;
	return ret;
}

static void bench_ioas_close(struct bench_ioas *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

/*
 * IOAS_MAP of @len bytes at @buf: at *@iova when @fixed, else where the
 * kernel chooses, which is then stored in *@iova.  0 or a negative errno.
 */
static int bench_map(struct bench_ioas *s, void *buf, uint64_t len,
		     uint64_t *iova, int fixed)
{
	return -ioas_map_flags(s->fd, s->ioas, buf, len, iova,
			       MAP_RW | (fixed ? IOMMU_IOAS_MAP_FIXED_IOVA : 0));
}

/* Returns the number of bytes unmapped, or a negative errno. */
static int64_t bench_unmap(struct bench_ioas *s, uint64_t iova, uint64_t len)
{
	return ifd_ioas_unmap(s->fd, s->ioas, iova, len);
}

static int ioas_map_cb(void *ctx, void *buf, size_t size)
{
	uint64_t iova = BENCH_IOVA;

	return bench_map(ctx, buf, size, &iova, 1);
}

static int64_t ioas_unmap_cb(void *ctx, size_t size)
{
	return bench_unmap(ctx, BENCH_IOVA, size);
}

/* Is [BENCH_IOVA, BENCH_IOVA + size) inside one usable range of the IOAS? */
static int ioas_fits(struct bench_ioas *s, size_t size)
{
	struct iommu_iova_range r[16];
	struct iommu_ioas_iova_ranges q = {
		.size = sizeof(q),
		.ioas_id = s->ioas,
		.num_iovas = 16,
		.allowed_iovas = (uintptr_t)r,
	};
	unsigned int i;

	/* EMSGSIZE still fills the 16 entries there is room for. */
	if (ioctl(s->fd, IOMMU_IOAS_IOVA_RANGES, &q) && errno != EMSGSIZE)
		return 0;
	for (i = 0; i < q.num_iovas && i < 16; i++)
		if (r[i].start <= BENCH_IOVA && BENCH_IOVA + size - 1 <= r[i].last)
			return 1;
	return 0;
}

static int row_failed(const char *what, int err)
{
	printf("iommu_bench: %s failed: %s\n", what, strerror(-err));
	return err;
}

/*
 * Memory for an iommufd row, or NULL with *ret set: -ENOMEM, or 0 when
 * hugetlbfs pages were wanted but none were left (the row is skipped).
 */
static void *ioas_alloc(size_t size, int want_huge, int *huge, int *ret)
{
	void *buf = bench_alloc(size, want_huge, huge);

	*ret = buf ? 0 : -ENOMEM;
	if (buf && want_huge && !*huge) {
		printf("  (no hugetlbfs pages for %zu KiB: hugetlb row skipped)\n",
		       size / 1024);
		munmap(buf, size);
		buf = NULL;
	}
	return buf;
}

/*
 * IOAS_MAP then IOAS_UNMAP of @size at BENCH_IOVA, @ops times, timed
 * apart, after one untimed round, as bench_type1_map_unmap() does.
 */
static int bench_ioas_map_unmap(struct bench_ioas *s, size_t size,
				int want_huge, int ops)
{
	struct map_ops o = { ioas_map_cb, ioas_unmap_cb, s };
	double map_us = 0, unmap_us = 0;
	int huge, ret;
	char what[64];
	void *buf;

	buf = ioas_alloc(size, want_huge, &huge, &ret);
	if (!buf)
		return ret;
	ret = time_map_unmap(&o, buf, size, ops, &map_us, &unmap_us);
	if (ret)
		bench_unmap(s, 0, UINT64_MAX);
	munmap(buf, size);
	if (ret) {
		snprintf(what, sizeof(what), "iommufd IOAS_MAP/UNMAP %zu KiB (%s)",
			 size / 1024, s->kind);
		return row_failed(what, ret);
	}
	snprintf(what, sizeof(what), "iommufd IOAS_MAP (%s)", s->kind);
	row(what, size, huge, ops, map_us);
	snprintf(what, sizeof(what), "iommufd IOAS_UNMAP (%s)", s->kind);
	row(what, size, huge, ops, unmap_us);
	return 0;
}

/* One IOAS_MAP pinning a large buffer at BENCH_IOVA: median of three. */
static int bench_ioas_pin(struct bench_ioas *s, size_t size, int want_huge)
{
	double us[3], t;
	int huge, i, ret;
	char what[64];
	uint64_t iova;
	void *buf;

	if (!size || !ioas_fits(s, size)) {
		printf("  (%zu MiB do not fit at IOVA 0x%llx (%s): row skipped)\n",
		       size / SZ_1M, BENCH_IOVA, s->kind);
		return 0;
	}
	buf = ioas_alloc(size, want_huge, &huge, &ret);
	if (!buf)
		return ret;
	for (i = 0; i < 3 && !ret; i++) {
		iova = BENCH_IOVA;
		t = now_us();
		ret = bench_map(s, buf, size, &iova, 1);
		us[i] = now_us() - t;
		if (!ret)
			ret = unmap_err(bench_unmap(s, BENCH_IOVA, size), size);
	}
	if (ret)
		bench_unmap(s, 0, UINT64_MAX);
	munmap(buf, size);
	snprintf(what, sizeof(what), "iommufd pin+map (%s)", s->kind);
	if (ret)
		return row_failed(what, ret);
	qsort(us, 3, sizeof(us[0]), cmp_double);
	/* With no domain nothing needs the pages: the map pins nothing. */
	if (!strcmp(s->kind, "no domain"))
		printf("  %-*s %8zu MiB %-9s in %.1f us: nothing pinned (median of 3)\n",
		       label_w, "iommufd map (no domain)", size / SZ_1M,
		       huge ? "hugetlb" : "4k pages", us[1]);
	else
		pin_row(what, size, huge, us[1]);
	return 0;
}

/*
 * A map far larger than memory with no domain: nothing is pinned until a
 * domain or an access needs it, so IOAS_MAP and IOAS_UNMAP of 64 TiB of
 * address space (PROT_NONE, never touched) cost what a 4 KiB one does.
 * Median of three, each timed apart.
 */
static int bench_huge_map(void)
{
	const uint64_t iova = 1ULL << 47;
	double map_us[3], unmap_us[3], t;
	struct bench_ioas s;
	size_t len = 64ULL << 40;
	int i, ret;
	void *va;

	va = mmap(NULL, len, PROT_NONE,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (va == MAP_FAILED) {
		printf("  (no 64 TiB of address space: huge map row skipped)\n");
		return 0;
	}
	ret = bench_ioas_open(&s, 0);
	for (i = 0; i < 3 && !ret; i++) {
		uint64_t at = iova;

		t = now_us();
		ret = bench_map(&s, va, len, &at, 1);
		map_us[i] = now_us() - t;
		if (ret)
			break;
		t = now_us();
		ret = unmap_err(bench_unmap(&s, iova, len), len);
		unmap_us[i] = now_us() - t;
	}
	bench_ioas_close(&s);
	munmap(va, len);
	if (ret)
		return row_failed("iommufd IOAS_MAP of 64 TiB (no domain)", ret);
	qsort(map_us, 3, sizeof(map_us[0]), cmp_double);
	qsort(unmap_us, 3, sizeof(unmap_us[0]), cmp_double);
	printf("  %-*s %8s %-9s in %.1f us, IOAS_UNMAP in %.1f us (median of 3)\n",
	       label_w, "iommufd IOAS_MAP (no domain)", "64 TiB", "unbacked",
	       map_us[1], unmap_us[1]);
	return 0;
}

/* A tracking mock HWPT with an IOAS of its own, for the dirty rows. */
struct bench_dirty {
	int fd;
	uint32_t ioas;
	uint32_t hwpt;
};

#define DIRTY_IOVA	0x100000000ULL

static int bench_dirty_open(struct bench_dirty *d, int huge)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS,
		.mock_domain_flags.dev_flags = MOCK_FLAGS_DEVICE_WIDE_APERTURE |
			(huge ? MOCK_FLAGS_DEVICE_HUGE_IOVA : 0),
	};
	struct iommu_hwpt_set_dirty_tracking on = {
		.size = sizeof(on),
		.flags = IOMMU_HWPT_DIRTY_TRACKING_ENABLE,
	};
	int ret;

	d->fd = open("/dev/iommu", O_RDWR);
	if (d->fd < 0)
		return -errno;
	ret = -ioas_create(d->fd, &d->ioas);
	cmd.id = d->ioas;
	if (!ret && ioctl(d->fd, IOMMU_TEST_CMD, &cmd))
		ret = -errno;
	if (!ret)
		ret = -hwpt_create(d->fd, cmd.mock_domain_flags.out_idev_id,
				   d->ioas, IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
				   &d->hwpt);
	on.hwpt_id = d->hwpt;
	if (!ret && ioctl(d->fd, IOMMU_HWPT_SET_DIRTY_TRACKING, &on))
		ret = -errno;
	if (ret)
		close(d->fd);
	return ret;
}

/* Mark every @every-th IOPTE of @len bytes dirty (@iopte bytes each). */
static int bench_dirty_mark(struct bench_dirty *d, uint64_t len,
			    uint64_t iopte, uint64_t every)
{
	uint64_t nbits = len / iopte, i;
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_DIRTY,
		.id = d->hwpt,
		.dirty = { .iova = DIRTY_IOVA, .length = len,
			   .page_size = iopte },
	};
	uint64_t *bits = calloc((nbits + 63) / 64, 8);
	int ret = 0;

	if (!bits)
		return -ENOMEM;
	for (i = 0; i < nbits; i += every)
		bits[i / 64] |= 1ULL << (i % 64);
	cmd.dirty.uptr = (uintptr_t)bits;
	if (ioctl(d->fd, IOMMU_TEST_CMD, &cmd))
		ret = -errno;
	free(bits);
	return ret;
}

/* One read of @len bytes into @bits, a bit per 4 KiB; its time in us. */
static double bench_dirty_read(struct bench_dirty *d, uint64_t len,
			       void *bits, int *ret)
{
	struct iommu_hwpt_get_dirty_bitmap get = {
		.size = sizeof(get),
		.hwpt_id = d->hwpt,
		.iova = DIRTY_IOVA,
		.length = len,
		.page_size = SZ_4K,
		.data = (uintptr_t)bits,
	};
	double t = now_us();

	if (ioctl(d->fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &get))
		*ret = -errno;
	return now_us() - t;
}

/*
 * GET_DIRTY_BITMAP rows for @len bytes of IOVA, one 2 MiB buffer mapped
 * len / 2 MiB times, at 0%, 1% and 100% of its IOPTEs dirty.
 */
static int bench_dirty_size(uint64_t len, int want_huge)
{
	static const struct { const char *name; uint64_t every; } pct[] = {
		{ "0%", 0 }, { "1%", 100 }, { "100%", 1 },
	};
	uint64_t off, iopte, nbits = len / SZ_4K;
	struct bench_dirty d;
	char label[64], sz[32];
	double us[3];
	void *buf, *bits;
	int huge, ret, i, j;

	buf = bench_alloc(SZ_2M, want_huge, &huge);
	if (!buf)
		return -ENOMEM;
	if (want_huge && !huge) {
		munmap(buf, SZ_2M);
		printf("  (no hugetlb page: 1 MiB IOPTE dirty rows skipped)\n");
		return 0;
	}
	bits = mmap(NULL, nbits / 8, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ret = bits == MAP_FAILED ? -ENOMEM : bench_dirty_open(&d, huge);
	if (ret)
		goto out_buf;
	iopte = huge ? SZ_1M : SZ_4K / 2;
	for (off = 0; off < len && !ret; off += SZ_2M)
		ret = -ioas_map_at(d.fd, d.ioas, buf, SZ_2M, DIRTY_IOVA + off);
	for (i = 0; i < 3 && !ret; i++) {
		for (j = 0; j < 3 && !ret; j++) {
			if (pct[i].every)
				ret = bench_dirty_mark(&d, len, iopte,
						       pct[i].every);
			memset(bits, 0, nbits / 8);
			us[j] = bench_dirty_read(&d, len, bits, &ret);
		}
		if (ret)
			break;
		qsort(us, 3, sizeof(us[0]), cmp_double);
		snprintf(label, sizeof(label), "GET_DIRTY_BITMAP %s IOPTEs, %s",
			 huge ? "1 MiB" : "2 KiB", pct[i].name);
		printf("  %-*s %8s %-9s %6d %12.1f\n", label_w, label,
		       size_str(len, sz, sizeof(sz)),
		       huge ? "hugetlb" : "4k pages", 1, us[1]);
	}
	close(d.fd);
out_buf:
	if (bits != MAP_FAILED)
		munmap(bits, nbits / 8);
	munmap(buf, SZ_2M);
	if (ret)
		row_failed("iommufd GET_DIRTY_BITMAP (mock domain)", ret);
	return ret;
}

static int bench_dirty(void)
{
	int ret;

	ret = bench_dirty_size(1ULL << 30, 0);
	if (!ret)
		ret = bench_dirty_size(1ULL << 30, 1);
	if (!ret)
		ret = bench_dirty_size(64ULL << 30, 1);
	return ret == -ENOTTY ? 0 : ret;
}

/*
 * IOVA allocation with many live areas, on an IOAS with no domain: the
 * same page mapped IOVA_AREAS times where the kernel chooses.  A failed
 * map or unmap ends the row; closing the file cleans up after it.
 */
static int bench_iova_alloc(void)
{
	double first_us = 0, last_us = 0, half_us = 0, holes_us = 0, d, t;
	uint64_t page = sysconf(_SC_PAGESIZE), iova, top = 0;
	int huge, i, ret, in_holes = 0;
	struct bench_ioas s;
	uint64_t *iovas;
	char what[64];
	int64_t got;
	void *buf;

	ret = bench_ioas_open(&s, 0);
	if (ret)
		return row_failed("iommufd IOAS for the IOVA rows", ret);
	iovas = calloc(IOVA_AREAS, sizeof(*iovas));
	buf = bench_alloc(page, 0, &huge);
	if (!iovas || !buf) {
		ret = row_failed("iommufd IOVA rows: allocation", -ENOMEM);
		goto out;
	}

	for (i = 0; i < IOVA_AREAS; i++) {
		iova = 0;
		t = now_us();
		ret = bench_map(&s, buf, page, &iova, 0);
		d = now_us() - t;
		if (ret) {
			snprintf(what, sizeof(what), "iova: auto-IOVA map %d of %d",
				 i + 1, IOVA_AREAS);
			row_failed(what, ret);
			goto out;
		}
		if (i < IOVA_BATCH)
			first_us += d;
		else if (i >= IOVA_AREAS - IOVA_BATCH)
			last_us += d;
		iovas[i] = iova;
		if (iova > top)
			top = iova;
	}
	snprintf(what, sizeof(what), "iova MAP #1-%d (no domain)", IOVA_BATCH);
	row(what, page, huge, IOVA_BATCH, first_us);
	snprintf(what, sizeof(what), "iova MAP #%d-%d (no domain)",
		 IOVA_AREAS - IOVA_BATCH + 1, IOVA_AREAS);
	row(what, page, huge, IOVA_BATCH, last_us);

	/* Every second area goes, leaving one-page holes between the rest. */
	for (i = 0; i < IOVA_AREAS; i += 2) {
		t = now_us();
		got = bench_unmap(&s, iovas[i], page);
		half_us += now_us() - t;
		ret = unmap_err(got, page);
		if (ret) {
			snprintf(what, sizeof(what), "iova: unmap of area %d", i + 1);
			row_failed(what, ret);
			goto out;
		}
	}
	row("iova UNMAP every 2nd (no domain)", page, huge, IOVA_AREAS / 2,
	    half_us);

	for (i = 0; i < IOVA_BATCH; i++) {
		iova = 0;
		t = now_us();
		ret = bench_map(&s, buf, page, &iova, 0);
		holes_us += now_us() - t;
		if (ret) {
			snprintf(what, sizeof(what), "iova: map %d into the holes",
				 i + 1);
			row_failed(what, ret);
			goto out;
		}
		if (iova < top)
			in_holes++;
	}
	row("iova MAP into holes (no domain)", page, huge, IOVA_BATCH,
	    holes_us);
	printf("    (%d of %d of these maps landed in the holes)\n", in_holes,
	       IOVA_BATCH);

	t = now_us();
	got = bench_unmap(&s, 0, UINT64_MAX);
	d = now_us() - t;
	ret = unmap_err(got, (IOVA_AREAS / 2 + IOVA_BATCH) * page);
	if (ret) {
		row_failed("iova: IOAS_UNMAP of everything", ret);
		goto out;
	}
	row("iova UNMAP all (no domain)", page, huge,
	    IOVA_AREAS / 2 + IOVA_BATCH, d);
	printf("    (one IOAS_UNMAP of 0..U64_MAX removed %d areas in %.1f ms)\n",
	       IOVA_AREAS / 2 + IOVA_BATCH, d / 1e3);
out:
	if (buf)
		munmap(buf, page);
	free(iovas);
	bench_ioas_close(&s);
	return ret;
}

/* The iommufd rows; 1 when one of them failed. */
static int run_iommufd(size_t pin_size)
{
	struct bench_ioas s;
	int mock, ret, failed = 0;

	ret = bench_ioas_open(&s, 0);
	if (ret == -ENOENT || ret == -ENODEV || ret == -ENXIO) {
		printf("iommu_bench: no /dev/iommu: iommufd rows skipped\n");
		return 0;
	}
	bench_ioas_close(&s);
	printf("iommu_bench: map/unmap cost through iommufd (/dev/iommu)\n");
	printf("  \"no domain\" is an IOAS alone, \"mock domain\" an IOAS with one\n"
	       "  IOMMU_TEST_CMD mock domain attached\n");
	label_w = 34;
	printf("  %-*s %8s %-9s %6s %12s\n", label_w, "operation", "size",
	       "memory", "ops", "us/op");
	for (mock = 0; mock < 2; mock++) {
		ret = bench_ioas_open(&s, mock);
		if (ret == -ENOTTY && mock) {
			printf("  (no IOMMU_TEST_CMD in this kernel: mock domain rows skipped)\n");
			continue;
		}
		if (ret) {
			row_failed(mock ? "iommufd IOAS with a mock domain" :
				   "iommufd IOAS", ret);
			failed = 1;
			continue;
		}
		ret = bench_ioas_map_unmap(&s, SZ_4K, 0, 2000);
		if (!ret)
			ret = bench_ioas_map_unmap(&s, SZ_2M, 0, 200);
		if (!ret)
			ret = bench_ioas_map_unmap(&s, SZ_2M, 1, 200);
		if (!ret)
			ret = bench_ioas_pin(&s, pin_size, 0);
		if (!ret)
			ret = bench_ioas_pin(&s, 256 * SZ_1M, 1);
		bench_ioas_close(&s);
		if (ret)
			failed = 1;
	}
	if (bench_huge_map())
		failed = 1;
	if (bench_dirty())
		failed = 1;
	if (bench_iova_alloc())
		failed = 1;
	return failed;
}

/*
 * The sides of the device rows: VFIO's own type1 container, an IOAS the
 * device is attached to through its cdev, and iommufd's type1 compat
 * container at /dev/vfio/vfio.
 */
enum { SIDE_TYPE1, SIDE_IOMMUFD, SIDE_COMPAT, SIDES };

/* One size of the device rows: op count and totals per side. */
struct dev_size {
	size_t size;
	int ops;
	void *buf;
	int huge;
	double map_us[SIDES];
	double unmap_us[SIDES];
};

/*
 * One side of the device rows for every size, through @o.  0 or a
 * negative errno.
 */
static int dev_time(const struct map_ops *o, struct dev_size *d, int n,
		    int side)
{
	int i, ret;

	for (i = 0; i < n; i++) {
		ret = time_map_unmap(o, d[i].buf, d[i].size, d[i].ops,
				     &d[i].map_us[side], &d[i].unmap_us[side]);
		if (ret)
			return ret;
	}
	return 0;
}

static double ratio(double iommufd, double type1)
{
	return type1 > 0 ? iommufd / type1 : 0;
}

/*
 * Where a profiled 4 KiB MAP+UNMAP spends its time.  The function_graph
 * tracer slows every traced call down, so a caller's time is inflated by
 * its traced callees.  The profile therefore runs once per depth, with
 * the tracer's max_graph_depth set so that the functions of that depth
 * are the deepest traced: their times carry only their own tracing cost.
 * Each entry is one call path ("a/b/c") and its time at its own pass.
 */
struct prof_ent {
	char path[200];
	int depth;
	double us;
	unsigned long calls;
};

#define PROF_MAX	512
#define PROF_DEPTH	6	/* the ioctl and five levels below it */
#define PROF_OPS	200

static struct prof_ent prof[PROF_MAX];
static int nprof;

struct prof_pass {
	int depth;			/* record entries of this depth */
	char stack[PROF_DEPTH][64];	/* open calls, by depth */
};

/*
 * One line of a function_graph trace: " 0)               |    name() {"
 * opens a call, " 0)   1.234 us    |      name();" is a call with nothing
 * traced below it (a leaf, or the depth limit).  Others are skipped.
 */
static void prof_line(const char *line, void *arg)
{
	struct prof_pass *pass = arg;
	const char *bar = strchr(line, '|'), *p, *end, *us_at;
	char path[200];
	int depth, i, n;

	if (!bar)
		return;
	for (p = bar + 1, depth = 0; *p == ' '; p++)
		depth++;
	depth = (depth - 2) / 2;
	if (depth < 0 || depth >= PROF_DEPTH || *p == '}')
		return;
	for (end = p; *end && *end != '(' && *end != ' ' && *end != '\n';
	     end++)
		;
	if (*end != '(' || end == p || end - p >= 64)
		return;
	if (strstr(end, ") {")) {
		memcpy(pass->stack[depth], p, end - p);
		pass->stack[depth][end - p] = 0;
		return;
	}
	us_at = strstr(line, " us ");
	if (depth != pass->depth || !us_at || us_at > bar)
		return;
	while (us_at > line && (us_at[-1] == '.' ||
				(us_at[-1] >= '0' && us_at[-1] <= '9')))
		us_at--;
	for (i = 0, n = 0; i < depth; i++)
		n += snprintf(path + n, sizeof(path) - n, "%s/",
			      pass->stack[i]);
	snprintf(path + n, sizeof(path) - n, "%.*s", (int)(end - p), p);
	for (i = 0; i < nprof; i++)
		if (!strcmp(prof[i].path, path))
			break;
	if (i == nprof) {
		if (nprof == PROF_MAX)
			return;
		nprof++;
		snprintf(prof[i].path, sizeof(prof[i].path), "%s", path);
		prof[i].depth = depth;
		prof[i].us = 0;
		prof[i].calls = 0;
	}
	prof[i].us += strtod(us_at, NULL);
	prof[i].calls++;
}

/* Print the children of @parent (index, or -1 for the roots), biggest first. */
static void prof_print(int parent, double total)
{
	size_t plen = parent < 0 ? 0 : strlen(prof[parent].path);
	int want = parent < 0 ? 0 : prof[parent].depth + 1;
	char done[PROF_MAX] = { 0 };
	int i, best;

	for (;;) {
		best = -1;
		for (i = 0; i < nprof; i++) {
			if (done[i] || prof[i].depth != want ||
			    (parent >= 0 &&
			     (strncmp(prof[i].path, prof[parent].path, plen) ||
			      prof[i].path[plen] != '/')))
				continue;
			if (best < 0 || prof[i].us > prof[best].us)
				best = i;
		}
		if (best < 0 || prof[best].us < total / 50)
			return;
		done[best] = 1;
		printf("    %*s%-*s %8.2f us %5.1f%%  %5.2f calls\n",
		       2 * want, "", 40 - 2 * want,
		       strrchr(prof[best].path, '/') ?
		       strrchr(prof[best].path, '/') + 1 : prof[best].path,
		       prof[best].us / PROF_OPS, 100 * prof[best].us / total,
		       prof[best].calls / (double)PROF_OPS);
		prof_print(best, total);
	}
}

/*
 * Profile PROF_OPS rounds of 4 KiB MAP then UNMAP through @o below the
 * ioctl entry points, once per depth, and print the call tree down to
 * PROF_DEPTH levels with every function that took at least 2% of the
 * round.  Times are per round and include the tracer's cost for the
 * function itself: compare shares, not absolute times.  Skipped (0)
 * without a function_graph tracer.
 */
static int dev_profile(const char *what, const struct map_ops *o, void *buf)
{
	struct prof_pass pass;
	double total = 0;
	char depth[16];
	int i, ret = 0;

	if (tracefs_ready() || tracefs_write("current_tracer", "nop") ||
	    tracefs_write("set_graph_function",
			  "iommufd_ioctl vfio_fops_unl_ioctl") ||
	    tracefs_write("current_tracer", "function_graph")) {
		tracefs_stop();
		tracefs_write("set_graph_function", "");
		printf("  (no function_graph tracer: %s profile skipped)\n", what);
		return 0;
	}
	tracefs_write("options/funcgraph-irqs", "0");
	tracefs_write("buffer_size_kb", "16384");
	nprof = 0;
	for (pass.depth = 0; pass.depth < PROF_DEPTH && !ret; pass.depth++) {
		snprintf(depth, sizeof(depth), "%d", pass.depth + 1);
		tracefs_write("max_graph_depth", depth);
		tracefs_write("trace", "");
		tracefs_write("tracing_on", "1");
		for (i = 0; i < PROF_OPS && !ret; i++) {
			ret = o->map(o->ctx, buf, SZ_4K);
			if (!ret)
				ret = unmap_err(o->unmap(o->ctx, SZ_4K), SZ_4K);
		}
		tracefs_write("tracing_on", "0");
		memset(pass.stack, 0, sizeof(pass.stack));
		if (!ret)
			tracefs_grep("|", prof_line, &pass);
	}
	tracefs_write("max_graph_depth", "0");
	tracefs_write("set_graph_function", "");
	tracefs_stop();
	if (ret)
		return ret;
	for (i = 0; i < nprof; i++)
		if (!prof[i].depth)
			total += prof[i].us;
	printf("  profile of %s, 4 KiB MAP+UNMAP: function_graph, %d rounds\n"
	       "  per depth; us per round with >= 2%% of the %.1f us a round\n"
	       "  took at depth 0 (tracing included):\n",
	       what, PROF_OPS, total / PROF_OPS);
	prof_print(-1, total);
	return 0;
}

/*
 * Pin and map @size bytes of 4 KiB pages in one call with the device
 * attached, through @o: median of three, in *@us.
 */
static int dev_pin(const struct map_ops *o, void *buf, size_t size,
		   double *us)
{
	double t[3];
	int i, ret = 0;

	for (i = 0; i < 3 && !ret; i++) {
		double start = now_us();

		ret = o->map(o->ctx, buf, size);
		t[i] = now_us() - start;
		if (!ret)
			ret = unmap_err(o->unmap(o->ctx, size), size);
	}
	if (ret)
		return ret;
	qsort(t, 3, sizeof(t[0]), cmp_double);
	*us = t[1];
	return 0;
}

/*
 * The type1 rows of one container with edu's group in it: the map/unmap
 * loop for every size, then one pin of @pin bytes at @pbuf.
 */
static int dev_type1(const char *container, int group, const char *bdf,
		     struct dev_size *d, int n, int side, void *pbuf,
		     size_t pin, double *pin_us)
{
	struct vfio_type1 vfio;
	struct map_ops o;
	int ret;

	ret = vfio_type1_open_path(&vfio, container, group, bdf);
	if (ret)
		return ret;
	o = (struct map_ops){ type1_map_cb, type1_unmap_cb, &vfio.container };
	ret = dev_time(&o, d, n, side);
	if (!ret && pbuf)
		ret = iova_fits(vfio.container, pin) ?
		      dev_pin(&o, pbuf, pin, pin_us) : -ERANGE;
	vfio_type1_close(&vfio);
	return ret;
}

/*
 * The function_graph profile of a 4 KiB MAP+UNMAP on each side: type1 on
 * @container, iommufd through edu's cdev, and type1 on iommufd's compat
 * container when @compat.
 */
static int dev_profiles(const char *container, int compat, int group,
			const char *bdf, const char *cdev, void *buf)
{
	struct vfio_type1 vfio;
	struct bench_ioas s;
	struct vfio_cdev v;
	struct map_ops o;
	char what[160];
	int ret;

	ret = vfio_type1_open_path(&vfio, container, group, bdf);
	if (ret)
		return ret;
	o = (struct map_ops){ type1_map_cb, type1_unmap_cb, &vfio.container };
	snprintf(what, sizeof(what), "type1 on %s", container);
	ret = dev_profile(what, &o, buf);
	vfio_type1_close(&vfio);
	if (ret)
		return ret;

	ret = vfio_cdev_setup(&v, cdev);
	if (ret)
		return ret;
	s = (struct bench_ioas){ v.iommufd, v.ioas, "edu attached" };
	o = (struct map_ops){ ioas_map_cb, ioas_unmap_cb, &s };
	ret = dev_profile("iommufd, edu attached", &o, buf);
	vfio_cdev_close(&v);
	if (ret || !compat)
		return ret;

	ret = vfio_type1_open_path(&vfio, VFIO_CONTAINER_DEFAULT, group, bdf);
	if (ret)
		return ret;
	o = (struct map_ops){ type1_map_cb, type1_unmap_cb, &vfio.container };
	ret = dev_profile("type1 on iommufd's compat container", &o, buf);
	vfio_type1_close(&vfio);
	return ret;
}

/*
 * Attaching edu to an IOAS that already maps @size bytes at @buf: the
 * attach pins them and fills the new domain.  Median of three, each with
 * a fresh bind, in *@us.
 */
static int dev_attach(const char *cdev, void *buf, size_t size, double *us)
{
	struct vfio_cdev v;
	uint64_t iova;
	double t[3];
	int i, ret = 0;

	for (i = 0; i < 3 && !ret; i++) {
		vfio_cdev_init(&v);
		ret = ifd_open();
		if (ret < 0)
			break;
		v.iommufd = ret;
		ret = vfio_cdev_open(cdev);
		if (ret >= 0) {
			v.device = ret;
			ret = vfio_cdev_bind(v.device, v.iommufd, &v.devid);
		}
		if (!ret)
			ret = ifd_ioas_alloc(v.iommufd, &v.ioas);
		iova = BENCH_IOVA;
		if (!ret)
			ret = -ioas_map_flags(v.iommufd, v.ioas, buf, size, &iova,
					      MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA);
		if (!ret) {
			double start = now_us();

			ret = vfio_cdev_attach(v.device, v.ioas, &v.hwpt);
			t[i] = now_us() - start;
		}
		vfio_cdev_close(&v);
	}
	if (ret)
		return ret;
	qsort(t, 3, sizeof(t[0]), cmp_double);
	*us = t[1];
	return 0;
}

/*
 * The device rows: MAP/UNMAP on a type1 container holding edu's group,
 * then on an IOAS edu is attached to through its cdev, same memory and op
 * count.  The group can be in only one of them at a time: the type1 side
 * is closed before the cdev is bound.  1 when the rows could not all run.
 */
static int run_device(size_t pin_size)
{
	struct dev_size d[] = { { .size = SZ_4K, .ops = 2000 },
				{ .size = SZ_2M, .ops = 200 } };
	const int n = 2;
	const char *container = LEGACY_CONTAINER, *kind = "legacy";
	char bdf[64], cdev[128], what[160], sz[32];
	double pin_us[SIDES] = { 0 }, attach_us = 0;
	size_t pin = pin_size;
	struct bench_ioas s;
	struct vfio_cdev v;
	struct map_ops o;
	int group, ret, i, compat = 0;
	void *pbuf = NULL;
	int phuge;

	if (edu_find(bdf, sizeof(bdf))) {
		printf("iommu_bench: no edu device: device rows skipped\n");
		return 1;
	}
	group = edu_iommu_group(bdf);
	ret = group < 0 ? group : vfio_cdev_path(bdf, cdev, sizeof(cdev));
	if (ret) {
		printf("iommu_bench: no VFIO cdev for %s (%s): device rows skipped\n",
		       bdf, strerror(-ret));
		return 1;
	}
	printf("iommu_bench: map/unmap cost with edu (%s) attached, type1 vs iommufd\n",
	       bdf);
	if (access(container, F_OK)) {
		container = VFIO_CONTAINER_DEFAULT;
		kind = "vfio";
		printf("  (no %s: the type1 rows use %s)\n", LEGACY_CONTAINER,
		       container);
	} else {
		/* VFIO's own container moved: /dev/vfio/vfio is iommufd's. */
		compat = !access(VFIO_CONTAINER_DEFAULT, F_OK);
	}
	if (pin) {
		pbuf = bench_alloc(pin, 0, &phuge);
		if (!pbuf)
			pin = 0;
	}
	for (i = 0; i < n; i++) {
		d[i].buf = bench_alloc(d[i].size, d[i].size % SZ_2M == 0,
				       &d[i].huge);
		if (!d[i].buf) {
			ret = row_failed("device rows: allocation", -ENOMEM);
			goto out;
		}
		if (d[i].size % SZ_2M == 0 && !d[i].huge)
			printf("  (no hugetlbfs pages: the %s rows use 4 KiB pages)\n",
			       size_str(d[i].size, sz, sizeof(sz)));
	}
	label_w = 34;
	printf("  %-*s %8s %-9s %6s %12s\n", label_w, "operation", "size",
	       "memory", "ops", "us/op");

	/*
	 * Phase 1: type1, the group in VFIO's own container, then (phase 3
	 * below) in iommufd's compat container.
	 */
	ret = dev_type1(container, group, bdf, d, n, SIDE_TYPE1, pbuf, pin,
			&pin_us[SIDE_TYPE1]);
	if (ret) {
		snprintf(what, sizeof(what), "type1 with edu on %s", container);
		row_failed(what, ret);
		goto out;
	}
	for (i = 0; i < n; i++) {
		snprintf(what, sizeof(what), "type1 MAP_DMA (%s)", kind);
		row(what, d[i].size, d[i].huge, d[i].ops,
		    d[i].map_us[SIDE_TYPE1]);
		snprintf(what, sizeof(what), "type1 UNMAP_DMA (%s)", kind);
		row(what, d[i].size, d[i].huge, d[i].ops,
		    d[i].unmap_us[SIDE_TYPE1]);
	}

	/* Phase 2: iommufd, the device bound through its cdev. */
	ret = vfio_cdev_setup(&v, cdev);
	if (ret) {
		snprintf(what, sizeof(what), "bind+attach of %s", cdev);
		row_failed(what, ret);
		goto out;
	}
	s = (struct bench_ioas){ v.iommufd, v.ioas, "edu attached" };
	o = (struct map_ops){ ioas_map_cb, ioas_unmap_cb, &s };
	ret = ioas_fits(&s, SZ_2M) ? dev_time(&o, d, n, SIDE_IOMMUFD) : -ERANGE;
	if (!ret && pin)
		ret = ioas_fits(&s, pin) ?
		      dev_pin(&o, pbuf, pin, &pin_us[SIDE_IOMMUFD]) : -ERANGE;
	if (ret)
		bench_unmap(&s, 0, UINT64_MAX);
	vfio_cdev_close(&v);
	if (!ret && pin)
		ret = dev_attach(cdev, pbuf, pin, &attach_us);
	if (ret) {
		row_failed("iommufd IOAS_MAP/UNMAP with edu", ret);
		goto out;
	}
	for (i = 0; i < n; i++) {
		row("iommufd IOAS_MAP (edu attached)", d[i].size, d[i].huge,
		    d[i].ops, d[i].map_us[SIDE_IOMMUFD]);
		row("iommufd IOAS_UNMAP (edu attached)", d[i].size, d[i].huge,
		    d[i].ops, d[i].unmap_us[SIDE_IOMMUFD]);
	}

	/* Phase 3: type1 again, on iommufd's compat container. */
	if (compat) {
		ret = dev_type1(VFIO_CONTAINER_DEFAULT, group, bdf, d, n,
				SIDE_COMPAT, pbuf, pin, &pin_us[SIDE_COMPAT]);
		if (ret) {
			row_failed("type1 with edu on iommufd's compat container",
				   ret);
			goto out;
		}
		for (i = 0; i < n; i++) {
			row("type1 MAP_DMA (iommufd compat)", d[i].size,
			    d[i].huge, d[i].ops, d[i].map_us[SIDE_COMPAT]);
			row("type1 UNMAP_DMA (iommufd compat)", d[i].size,
			    d[i].huge, d[i].ops, d[i].unmap_us[SIDE_COMPAT]);
		}
	}
	/*
	 * Phase 4: the profiles, once every side has been timed: switching
	 * the tracer patches every traced function, and QEMU translates the
	 * kernel's code again afterwards, which would slow the side timed
	 * next.
	 */
	ret = dev_profiles(container, compat, group, bdf, cdev, d[0].buf);
	if (ret) {
		row_failed("profiles", ret);
		goto out;
	}

	if (pin) {
		snprintf(what, sizeof(what), "type1 pin+map (%s)", kind);
		pin_row(what, pin, phuge, pin_us[SIDE_TYPE1]);
		pin_row("iommufd pin+map (edu attached)", pin, phuge,
			pin_us[SIDE_IOMMUFD]);
		if (compat)
			pin_row("type1 pin+map (iommufd compat)", pin, phuge,
				pin_us[SIDE_COMPAT]);
		printf("  %-*s %8zu MiB %-9s in %.0f ms (median of 3)\n",
		       label_w, "attach to an IOAS mapping it", pin / SZ_1M,
		       phuge ? "hugetlb" : "4k pages", attach_us / 1e3);
	}

	for (i = 0; i < n; i++) {
		struct dev_size *e = &d[i];

		printf("  iommufd/type1 per op, %s %s: MAP %.2f  UNMAP %.2f  MAP+UNMAP %.2f\n",
		       size_str(e->size, sz, sizeof(sz)),
		       e->huge ? "hugetlb" : "4k pages",
		       ratio(e->map_us[SIDE_IOMMUFD], e->map_us[SIDE_TYPE1]),
		       ratio(e->unmap_us[SIDE_IOMMUFD], e->unmap_us[SIDE_TYPE1]),
		       ratio(e->map_us[SIDE_IOMMUFD] + e->unmap_us[SIDE_IOMMUFD],
			     e->map_us[SIDE_TYPE1] + e->unmap_us[SIDE_TYPE1]));
		if (!compat)
			continue;
		printf("  compat/type1 per op, %s %s: MAP %.2f  UNMAP %.2f  MAP+UNMAP %.2f\n",
		       size_str(e->size, sz, sizeof(sz)),
		       e->huge ? "hugetlb" : "4k pages",
		       ratio(e->map_us[SIDE_COMPAT], e->map_us[SIDE_TYPE1]),
		       ratio(e->unmap_us[SIDE_COMPAT], e->unmap_us[SIDE_TYPE1]),
		       ratio(e->map_us[SIDE_COMPAT] + e->unmap_us[SIDE_COMPAT],
			     e->map_us[SIDE_TYPE1] + e->unmap_us[SIDE_TYPE1]));
	}
out:
	for (i = 0; i < n; i++)
		if (d[i].buf)
			munmap(d[i].buf, d[i].size);
	if (pbuf)
		munmap(pbuf, pin_size);
	return !!ret;
}

/*
 * MAP then UNMAP @ops times after one untimed round, timed as a whole: a
 * clock read costs most of a microsecond in a TCG guest (an HPET read),
 * too much to time each call apart when comparing small operations.  The
 * average time of one MAP+UNMAP goes to *@us.
 */
static int time_pairs(const struct map_ops *o, void *buf, size_t size,
		      int ops, double *us)
{
	int i, ret = 0;
	double t = 0;

	for (i = -1; i < ops && !ret; i++) {
		if (!i)
			t = now_us();
		ret = o->map(o->ctx, buf, size);
		if (!ret)
			ret = unmap_err(o->unmap(o->ctx, size), size);
	}
	*us = (now_us() - t) / ops;
	return ret;
}

/*
 * What a 4 KiB MAP+UNMAP costs before pinning and the IOMMU: a syscall
 * that fails at once (a bad descriptor), an iommufd ioctl that does
 * nothing (IOMMU_OPTION get), and MAP+UNMAP of one page on an IOAS with
 * no domain (recorded, not pinned). Each the average of @n calls or pairs.
 */
static void small_floor(void *buf, int n)
{
	struct iommu_option opt = {
		.size = sizeof(opt),
		.option_id = IOMMU_OPTION_RLIMIT_MODE,
		.op = IOMMU_OPTION_OP_GET,
	};
	double t, bad, nop, pair;
	struct bench_ioas s;
	struct map_ops o;
	int i;

	if (bench_ioas_open(&s, 0)) {
		printf("  (no IOAS: the cost floor is skipped)\n");
		return;
	}
	t = now_us();
	for (i = 0; i < n; i++)
		ioctl(-1, IOMMU_OPTION, &opt);
	bad = (now_us() - t) / n;
	t = now_us();
	for (i = 0; i < n; i++)
		ioctl(s.fd, IOMMU_OPTION, &opt);
	nop = (now_us() - t) / n;
	o = (struct map_ops){ ioas_map_cb, ioas_unmap_cb, &s };
	if (time_pairs(&o, buf, SZ_4K, n, &pair))
		pair = 0;
	bench_ioas_close(&s);
	printf("  floor: bad-fd syscall %.2f us, IOMMU_OPTION get %.2f us, ",
	       bad, nop);
	printf("MAP+UNMAP with no domain %.2f us\n", pair);
}

/*
 * "iommu_bench small ROUNDS": only the 4 KiB device rows, ROUNDS times in
 * one boot, each round timing type1, iommufd and (when there is one) the
 * compat container one after the other over the same page, so that the
 * ratios of a round share the guest's state.  Each side's loop is timed
 * as a whole (time_pairs()), not call by call.  Prints every round and the
 * range of each ratio; used to report the ranges in the README and to
 * compare a change against its base without the long rows.
 */
static int run_small(int rounds, const char *only, int ops)
{
	const char *container = LEGACY_CONTAINER;
	double lo[2] = { 1e9, 1e9 }, hi[2] = { 0, 0 };
	struct dev_size d = { .size = SZ_4K, .ops = 2000 };
	char bdf[64], cdev[128];
	int group, ret = 0, r, compat;
	struct bench_ioas s;
	struct vfio_cdev v;
	struct map_ops o;

	if (edu_find(bdf, sizeof(bdf))) {
		printf("iommu_bench: no edu device: nothing to time\n");
		return 1;
	}
	group = edu_iommu_group(bdf);
	if (group < 0 || vfio_cdev_path(bdf, cdev, sizeof(cdev))) {
		printf("iommu_bench: no VFIO cdev for %s\n", bdf);
		return 1;
	}
	if (access(container, F_OK))
		container = VFIO_CONTAINER_DEFAULT;
	compat = strcmp(container, VFIO_CONTAINER_DEFAULT) &&
		 !access(VFIO_CONTAINER_DEFAULT, F_OK);
	if (ops > 0)
		d.ops = ops;
	d.buf = bench_alloc(SZ_4K, 0, &d.huge);
	if (!d.buf)
		return 1;
	printf("iommu_bench: 4 KiB MAP+UNMAP with edu (%s) attached, %d ops a side, %d rounds\n",
	       bdf, d.ops, rounds);
	printf("  %5s %12s %12s %12s %10s %10s\n", "round", "type1 us",
	       "iommufd us", "compat us", "iommufd:1", "compat:1");
	small_floor(d.buf, 20000);
	for (r = 0; r < rounds && !ret; r++) {
		struct vfio_type1 vfio;
		double t[SIDES];
		int side;

		memset(t, 0, sizeof(t));
		if (!only || !strcmp(only, "type1")) {
			ret = vfio_type1_open_path(&vfio, container, group,
						   bdf);
			if (ret)
				break;
			o = (struct map_ops){ type1_map_cb, type1_unmap_cb,
					      &vfio.container };
			ret = time_pairs(&o, d.buf, SZ_4K, d.ops,
					 &t[SIDE_TYPE1]);
			vfio_type1_close(&vfio);
		}
		if (!ret && (!only || !strcmp(only, "iommufd"))) {
			ret = vfio_cdev_setup(&v, cdev);
			if (ret)
				break;
			s = (struct bench_ioas){ v.iommufd, v.ioas,
						 "edu attached" };
			o = (struct map_ops){ ioas_map_cb, ioas_unmap_cb, &s };
			ret = time_pairs(&o, d.buf, SZ_4K, d.ops,
					 &t[SIDE_IOMMUFD]);
			vfio_cdev_close(&v);
		}
		if (!ret && compat && (!only || !strcmp(only, "compat"))) {
			ret = vfio_type1_open_path(&vfio, VFIO_CONTAINER_DEFAULT,
						   group, bdf);
			if (ret)
				break;
			o = (struct map_ops){ type1_map_cb, type1_unmap_cb,
					      &vfio.container };
			ret = time_pairs(&o, d.buf, SZ_4K, d.ops,
					 &t[SIDE_COMPAT]);
			vfio_type1_close(&vfio);
		}
		if (ret)
			break;
		printf("  %5d %12.2f %12.2f %12.2f %10.2f %10.2f\n", r + 1,
		       t[SIDE_TYPE1], t[SIDE_IOMMUFD], t[SIDE_COMPAT],
		       ratio(t[SIDE_IOMMUFD], t[SIDE_TYPE1]),
		       ratio(t[SIDE_COMPAT], t[SIDE_TYPE1]));
		for (side = 0; side < 2; side++) {
			double x = ratio(t[side ? SIDE_COMPAT : SIDE_IOMMUFD],
					 t[SIDE_TYPE1]);

			lo[side] = x < lo[side] ? x : lo[side];
			hi[side] = x > hi[side] ? x : hi[side];
		}
	}
	munmap(d.buf, SZ_4K);
	if (ret) {
		row_failed("4 KiB rounds", ret);
		return 1;
	}
	printf("  iommufd/type1 4 KiB MAP+UNMAP over %d rounds: %.2f-%.2f\n",
	       rounds, lo[0], hi[0]);
	if (compat)
		printf("  compat/type1 4 KiB MAP+UNMAP over %d rounds: %.2f-%.2f\n",
		       rounds, lo[1], hi[1]);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long pin_mib = argc > 1 ? strtoul(argv[1], NULL, 0) : 1024;
	int ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 2 && !strcmp(argv[1], "small"))
		return run_small(atoi(argv[2]),
				 argc > 3 && strcmp(argv[3], "all") ? argv[3] : NULL,
				 argc > 4 ? atoi(argv[4]) : 0);
	ret = 0;
	/*
	 * With iommufd serving /dev/vfio/vfio, run the type1 rows twice: on
	 * VFIO's own container (the baseline), then on iommufd's compat one.
	 */
	if (!getenv("VFIO_CONTAINER_PATH") && !access(LEGACY_CONTAINER, F_OK)) {
		setenv("VFIO_CONTAINER_PATH", LEGACY_CONTAINER, 1);
		ret = run_type1(pin_mib);
		unsetenv("VFIO_CONTAINER_PATH");
		printf("  (the same rows again on /dev/vfio/vfio, %s)\n",
		       "iommufd's VFIO compat container");
	}
	if (run_type1(pin_mib))
		ret = 1;
	if (run_iommufd(pin_mib * SZ_1M))
		ret = 1;
	if (run_device(pin_mib * SZ_1M))
		ret = 1;
	return ret;
}
