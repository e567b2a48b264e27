// SPDX-License-Identifier: GPL-2.0
/*
 * End-to-end DMA through the legacy VFIO type1 container: the edu device
 * copies user memory into its buffer and back through whichever IOMMU the
 * guest has (VT-d, AMD-Vi, SMMUv3).  This is the baseline the iommufd
 * device tests are held to, and it proves the device lanes of the harness.
 * Also type1's dirty page tracking, which reports every page mapped (type1
 * cannot see what a device behind an IOMMU wrote): the same tests run on
 * VFIO's own container and on iommufd's compat one.
 */
#include <sys/mman.h>

#include "../kselftest_harness.h"
#include "edu_dev.h"
#include "vfio_type1_util.h"

#define BUF_SIZE	(4 * 4096)
#define XFER		EDU_MAX_XFER
/* Inside every IOVA range the emulated IOMMUs report, below edu's limit. */
#define TEST_IOVA	0x400000ULL

FIXTURE(type1) {
	struct vfio_type1 vfio;
	struct edu_dev edu;
	char bdf[64];
	uint8_t *buf;
};

FIXTURE_SETUP(type1)
{
	int group, ret;

	self->vfio.container = -1;
	self->vfio.group = -1;
	self->vfio.device = -1;
	self->buf = MAP_FAILED;
	if (edu_find(self->bdf, sizeof(self->bdf)))
		SKIP(return, "no edu device in this guest");
	group = edu_iommu_group(self->bdf);
	ASSERT_LE(0, group) TH_LOG("%s has no IOMMU group", self->bdf);

	ret = vfio_type1_open(&self->vfio, group, self->bdf);
	ASSERT_EQ(0, ret) TH_LOG("VFIO type1 open of %s: %s", self->bdf,
				 strerror(-ret));
	ret = edu_open(&self->edu, self->vfio.device);
	ASSERT_EQ(0, ret) TH_LOG("edu BAR0/config: %s", strerror(-ret));

	self->buf = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->buf);
	memset(self->buf, 0, BUF_SIZE);
	ASSERT_EQ(0, vfio_type1_map(self->vfio.container, self->buf,
				    TEST_IOVA, BUF_SIZE));
}

FIXTURE_TEARDOWN(type1)
{
	if (self->vfio.container >= 0)
		vfio_type1_unmap(self->vfio.container, TEST_IOVA, BUF_SIZE);
	edu_close(&self->edu);
	vfio_type1_close(&self->vfio);
	if (self->buf != MAP_FAILED)
		munmap(self->buf, BUF_SIZE);
}

/* The kernel reports sorted, disjoint ranges and our IOVA is usable. */
TEST_F(type1, iova_ranges)
{
	struct vfio_iova_range r[16];
	bool covered = false;
	int n, i;

	n = vfio_type1_iova_ranges(self->vfio.container, r, 16);
	ASSERT_LT(0, n);
	ASSERT_GE(16, n);
	for (i = 0; i < n; i++) {
		ASSERT_LE(r[i].start, r[i].end);
		if (i)
			ASSERT_LT(r[i - 1].end, r[i].start);
		if (r[i].start <= TEST_IOVA &&
		    TEST_IOVA + BUF_SIZE - 1 <= r[i].end)
			covered = true;
	}
	ASSERT_TRUE(covered);
}

/* Memory -> device -> memory, twice with different data. */
TEST_F(type1, dma_round_trip)
{
	uint8_t *src = self->buf, *dst = self->buf + 2 * 4096;
	unsigned int seed;

	for (seed = 1; seed <= 2; seed++) {
		edu_pattern(src, XFER, seed);
		memset(dst, 0xa5, XFER);
		ASSERT_NE(0, memcmp(src, dst, XFER));
		ASSERT_EQ(0, edu_dma(&self->edu, TEST_IOVA, XFER, false));
		ASSERT_EQ(0, edu_dma(&self->edu, TEST_IOVA + 2 * 4096, XFER,
				     true));
		ASSERT_EQ(0, memcmp(src, dst, XFER));
	}
}

/* A transfer that crosses a page boundary inside the mapping. */
TEST_F(type1, dma_crosses_page)
{
	uint8_t *src = self->buf + 4096 - 100, *dst = self->buf + 3 * 4096 - 64;

	edu_pattern(src, XFER, 3);
	memset(dst, 0, XFER);
	ASSERT_EQ(0, edu_dma(&self->edu, TEST_IOVA + 4096 - 100, XFER, false));
	ASSERT_EQ(0, edu_dma(&self->edu, TEST_IOVA + 3 * 4096 - 64, XFER, true));
	ASSERT_EQ(0, memcmp(src, dst, XFER));
}

/* Once unmapped, a device write to the old IOVA must not reach the pages. */
TEST_F(type1, dma_after_unmap_is_blocked)
{
	uint8_t expect[XFER];

	edu_pattern(self->buf, XFER, 4);
	ASSERT_EQ(0, edu_dma(&self->edu, TEST_IOVA, XFER, false));
	ASSERT_EQ(BUF_SIZE, vfio_type1_unmap(self->vfio.container, TEST_IOVA,
					     BUF_SIZE));
	memset(self->buf, 0x3c, BUF_SIZE);
	memset(expect, 0x3c, XFER);
	ASSERT_EQ(0, edu_dma(&self->edu, TEST_IOVA, XFER, true));
	ASSERT_EQ(0, memcmp(expect, self->buf, XFER));
}

TEST_F(type1, unmap_reports_size)
{
	ASSERT_EQ(BUF_SIZE, vfio_type1_unmap(self->vfio.container, TEST_IOVA,
					     BUF_SIZE));
	ASSERT_EQ(0, vfio_type1_unmap(self->vfio.container, TEST_IOVA,
				      BUF_SIZE));
}

TEST_F(type1, overlapping_map_fails)
{
	ASSERT_EQ(-EEXIST, vfio_type1_map(self->vfio.container, self->buf,
					  TEST_IOVA + 4096, 4096));
}

/* VFIO_IOMMU_DIRTY_PAGES with @flags; for GET_BITMAP, of @range. */
static int dirty_pages(int container, uint32_t flags,
		       const struct vfio_iommu_type1_dirty_bitmap_get *range)
{
	struct {
		struct vfio_iommu_type1_dirty_bitmap d;
		struct vfio_iommu_type1_dirty_bitmap_get r;
	} a = {
		.d.argsz = sizeof(a.d) + (range ? sizeof(a.r) : 0),
		.d.flags = flags,
	};

	if (range)
		a.r = *range;
	return ioctl(container, VFIO_IOMMU_DIRTY_PAGES, &a) ? errno : 0;
}

static int get_bitmap(int container, uint64_t iova, uint64_t size,
		      uint64_t pgsize, void *bits, uint64_t bits_size)
{
	struct vfio_iommu_type1_dirty_bitmap_get r = {
		.iova = iova,
		.size = size,
		.bitmap = {
			.pgsize = pgsize,
			.size = bits_size,
			.data = bits,
		},
	};

	return dirty_pages(container, VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP,
			   &r);
}

/* VFIO_IOMMU_UNMAP_DMA with a dirty bitmap; 0 or an errno. */
static int unmap_bitmap(int container, uint64_t iova, uint64_t size,
			uint32_t flags, uint64_t pgsize, void *bits,
			uint64_t bits_size, uint64_t *unmapped)
{
	struct {
		struct vfio_iommu_type1_dma_unmap u;
		struct vfio_bitmap b;
	} a = {
		.u = {
			.argsz = sizeof(a),
			.flags = VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP | flags,
			.iova = iova,
			.size = size,
		},
		.b = { .pgsize = pgsize, .size = bits_size, .data = bits },
	};

	if (ioctl(container, VFIO_IOMMU_UNMAP_DMA, &a))
		return errno;
	if (unmapped)
		*unmapped = a.u.size;
	return 0;
}

/* The migration capability of VFIO_IOMMU_GET_INFO, or -1 without one. */
static int migration_cap(int container,
			 struct vfio_iommu_type1_info_cap_migration *out)
{
	struct vfio_iommu_type1_info_cap_migration *cap;
	struct vfio_iommu_type1_info *info;
	struct vfio_info_cap_header *hdr;
	char buf[4096] = {};

	info = (void *)buf;
	info->argsz = sizeof(buf);
	if (ioctl(container, VFIO_IOMMU_GET_INFO, info) ||
	    info->argsz > sizeof(buf) || !info->cap_offset)
		return -1;
	hdr = (void *)(buf + info->cap_offset);
	while (hdr->id != VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION) {
		if (!hdr->next)
			return -1;
		hdr = (void *)(buf + hdr->next);
	}
	cap = (void *)hdr;
	*out = *cap;
	return 0;
}

#define DIRTY_B		(TEST_IOVA + 0x100000ULL)	/* a second mapping */

/*
 * Type1 dirty tracking: the migration capability, START/STOP, and a
 * bitmap that has every page mapped in the range set (type1 cannot tell
 * which the device wrote), and holes clear, read after read.
 */
TEST_F(type1, dirty_pages_report_mapped)
{
	struct vfio_iommu_type1_info_cap_migration cap;
	uint64_t ps = getpagesize(), len = DIRTY_B + 2 * ps - TEST_IOVA;
	uint64_t nbits = len / ps, bits[64], i;

	ASSERT_EQ(0, migration_cap(self->vfio.container, &cap));
	EXPECT_EQ(ps, cap.pgsize_bitmap);
	EXPECT_EQ(256ULL << 20, cap.max_dirty_bitmap_size);
	EXPECT_EQ(0, cap.flags);
	ASSERT_EQ(0, vfio_type1_map(self->vfio.container, self->buf, DIRTY_B,
				    2 * ps));
	ASSERT_LE(nbits, sizeof(bits) * 8);

	/* Not started: EINVAL. Started twice: fine. */
	EXPECT_EQ(EINVAL, get_bitmap(self->vfio.container, TEST_IOVA, len, ps,
				     bits, sizeof(bits)));
	ASSERT_EQ(0, dirty_pages(self->vfio.container,
				 VFIO_IOMMU_DIRTY_PAGES_FLAG_START, NULL));
	ASSERT_EQ(0, dirty_pages(self->vfio.container,
				 VFIO_IOMMU_DIRTY_PAGES_FLAG_START, NULL));
	for (i = 0; i < 2; i++) {
		uint64_t n;

		memset(bits, 0, sizeof(bits));
		ASSERT_EQ(0, get_bitmap(self->vfio.container, TEST_IOVA, len,
					ps, bits, sizeof(bits)));
		for (n = 0; n < nbits; n++)
			EXPECT_EQ(n < BUF_SIZE / ps || n >= nbits - 2,
				  !!(bits[n / 64] & (1ULL << (n % 64))))
				TH_LOG("bit %llu", (unsigned long long)n);
	}

	/* Type1's errors. */
	EXPECT_EQ(EINVAL, dirty_pages(self->vfio.container, 0, NULL));
	EXPECT_EQ(EINVAL, dirty_pages(self->vfio.container,
				      VFIO_IOMMU_DIRTY_PAGES_FLAG_START |
				      VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP, NULL));
	EXPECT_EQ(EINVAL, dirty_pages(self->vfio.container, 1 << 5, NULL));
	EXPECT_EQ(EINVAL, dirty_pages(self->vfio.container,
				      VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP,
				      NULL));
	EXPECT_EQ(EINVAL, get_bitmap(self->vfio.container, TEST_IOVA, len,
				     2 * ps, bits, sizeof(bits)));
	EXPECT_EQ(EINVAL, get_bitmap(self->vfio.container, TEST_IOVA + ps,
				     len - ps, ps, bits, sizeof(bits)));
	EXPECT_EQ(EINVAL, get_bitmap(self->vfio.container, TEST_IOVA, len, ps,
				     bits, 0));
	EXPECT_EQ(EINVAL, get_bitmap(self->vfio.container, TEST_IOVA,
				     1ULL << 50, ps, bits, sizeof(bits)));
	EXPECT_EQ(EINVAL, get_bitmap(self->vfio.container, TEST_IOVA, 0, ps,
				     bits, sizeof(bits)));

	ASSERT_EQ(0, dirty_pages(self->vfio.container,
				 VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP, NULL));
	EXPECT_EQ(EINVAL, get_bitmap(self->vfio.container, TEST_IOVA, len, ps,
				     bits, sizeof(bits)));
	EXPECT_EQ(0, dirty_pages(self->vfio.container,
				 VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP, NULL));
}

/* An unmap with a dirty bitmap reports every page it unmaps. */
TEST_F(type1, dirty_unmap_reports_mapped)
{
	uint64_t ps = getpagesize(), bits[2] = {}, done = 0;

	/* Only while tracking. */
	EXPECT_EQ(EINVAL, unmap_bitmap(self->vfio.container, TEST_IOVA,
				       BUF_SIZE, 0, ps, bits, sizeof(bits),
				       NULL));
	ASSERT_EQ(0, dirty_pages(self->vfio.container,
				 VFIO_IOMMU_DIRTY_PAGES_FLAG_START, NULL));
	EXPECT_EQ(EINVAL, unmap_bitmap(self->vfio.container, 0, 0,
				       VFIO_DMA_UNMAP_FLAG_ALL, ps, bits,
				       sizeof(bits), NULL));
	EXPECT_EQ(EINVAL, unmap_bitmap(self->vfio.container, TEST_IOVA,
				       BUF_SIZE, 0, 2 * ps, bits, sizeof(bits),
				       NULL));
	EXPECT_EQ(EINVAL, unmap_bitmap(self->vfio.container, TEST_IOVA,
				       BUF_SIZE, 0, ps, bits, 0, NULL));
	/* Nothing was unmapped by the failures: DMA still works. */
	ASSERT_EQ(0, edu_dma(&self->edu, TEST_IOVA, XFER, false));

	ASSERT_EQ(0, unmap_bitmap(self->vfio.container, TEST_IOVA, BUF_SIZE,
				  0, ps, bits, sizeof(bits), &done));
	EXPECT_EQ(BUF_SIZE, done);
	EXPECT_EQ((1ULL << (BUF_SIZE / ps)) - 1, bits[0]);
	EXPECT_EQ(0, bits[1]);
	EXPECT_EQ(0, vfio_type1_unmap(self->vfio.container, TEST_IOVA,
				      BUF_SIZE));
}

TEST_HARNESS_MAIN
