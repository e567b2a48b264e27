// SPDX-License-Identifier: GPL-2.0
/*
 * End-to-end DMA through the legacy VFIO type1 container: the edu device
 * copies user memory into its buffer and back through whichever IOMMU the
 * guest has (VT-d, AMD-Vi, SMMUv3).  This is the baseline the iommufd
 * device tests are held to, and it proves the device lanes of the harness.
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

TEST_HARNESS_MAIN
