// SPDX-License-Identifier: GPL-2.0
/*
 * Dirty tracking through /dev/iommu: IOMMU_HWPT_ALLOC with
 * IOMMU_HWPT_ALLOC_DIRTY_TRACKING, IOMMU_HWPT_SET_DIRTY_TRACKING and
 * IOMMU_HWPT_GET_DIRTY_BITMAP, on mock domains whose IOPTEs the test
 * marks dirty with IOMMU_TEST_OP_DIRTY as a device's writes would.
 *
 * The mock IOMMU's IOPTEs are half a CPU page (MOCK_IOPG); a device made
 * with MOCK_FLAGS_DEVICE_HUGE_IOVA also gets 512-IOPTE huge ones, which
 * report every page they cover.
 */
#include <stddef.h>

#include "../kselftest_harness.h"
#include "iommufd_core_util.h"

#define BUF_PAGES 64
#define IOVA_A 0x01000000ULL
#define MOCK_HUGE (512 * MOCK_IOPG)
/* The kernel fills the user's bitmap a page of bits at a time. */
#define WINDOW_BITS (page_size * 8)

static bool bit_at(const void *bits, uint64_t n)
{
	return ((const uint8_t *)bits)[n / 8] & (1u << (n % 8));
}

static void bit_set(void *bits, uint64_t n)
{
	((uint8_t *)bits)[n / 8] |= 1u << (n % 8);
}

/* Mark the single page @n (of @pgsize bytes from @iova) dirty. */
static int mark_one(int fd, uint32_t hwpt, uint64_t iova, uint64_t pgsize,
		    uint64_t n)
{
	uint8_t one = 1;
	uint64_t nr = 0;
	int rc;

	rc = mock_dirty_mark(fd, hwpt, iova + n * pgsize, pgsize, pgsize, &one,
			     &nr);
	return rc ? rc : nr == 1 ? 0 : -1;
}

/* How many bits of the first @nbits are set. */
static uint64_t bits_set(const void *bits, uint64_t nbits)
{
	uint64_t i, n = 0;

	for (i = 0; i < nbits; i++)
		n += bit_at(bits, i);
	return n;
}

FIXTURE(dirty)
{
	int fd;
	uint32_t ioas;
	struct mock_dev_ids dev;
	uint32_t hwpt;		/* tracking, on ioas */
	void *buf;
	size_t len;
	uint64_t nbits;		/* MOCK_IOPG pages of buf */
	uint8_t *bits;
	size_t bits_len;
};

FIXTURE_SETUP(dirty)
{
	self->fd = open("/dev/iommu", O_RDWR);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ioas_create(self->fd, &self->ioas));
	ASSERT_EQ(0, mock_dev_add(self->fd, self->ioas, &self->dev));
	self->len = BUF_PAGES * page_size;
	self->buf = mem_get(self->len);
	ASSERT_NE(NULL, self->buf);
	ASSERT_EQ(0, ioas_map_at(self->fd, self->ioas, self->buf, self->len,
				 IOVA_A));
	ASSERT_EQ(0, hwpt_create(self->fd, self->dev.idev, self->ioas,
				 IOMMU_HWPT_ALLOC_DIRTY_TRACKING, &self->hwpt));
	self->nbits = self->len / MOCK_IOPG;
	self->bits_len = 2 * page_size;
	self->bits = mem_get(self->bits_len);
	ASSERT_NE(NULL, self->bits);
	memset(self->bits, 0, self->bits_len);
}

FIXTURE_TEARDOWN(dirty)
{
	close(self->fd);
	mem_put(self->buf, self->len);
	mem_put(self->bits, self->bits_len);
}

TEST_F(dirty, capability_and_alloc)
{
	struct mock_dev_ids nod, other;
	struct iommu_hw_info out;
	uint32_t ioas2, hwpt2, id;

	ASSERT_EQ(0, hw_info_get(self->fd, self->dev.idev, 0, 0, NULL, 0,
				 &out));
	EXPECT_EQ(IOMMU_HW_CAP_DIRTY_TRACKING, out.out_capabilities);

	/* An IOMMU that cannot track: no capability, no tracking HWPT. */
	ASSERT_EQ(0, mock_dev_add_flags(self->fd, self->ioas,
					MOCK_FLAGS_DEVICE_NO_DIRTY, &nod));
	ASSERT_EQ(0, hw_info_get(self->fd, nod.idev, 0, 0, NULL, 0, &out));
	EXPECT_EQ(0, out.out_capabilities);
	EXPECT_EQ(EOPNOTSUPP, hwpt_create(self->fd, nod.idev, self->ioas,
					  IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
					  &id));
	/* It cannot be attached to a tracking HWPT... */
	EXPECT_EQ(EINVAL, mock_dev_add_flags(self->fd, self->hwpt,
					     MOCK_FLAGS_DEVICE_NO_DIRTY,
					     &other));
	/* ...and on an IOAS that has only one, it gets one of its own. */
	ASSERT_EQ(0, ioas_create(self->fd, &ioas2));
	ASSERT_EQ(0, hwpt_create(self->fd, self->dev.idev, ioas2,
				 IOMMU_HWPT_ALLOC_DIRTY_TRACKING, &hwpt2));
	ASSERT_EQ(0, mock_dev_add_flags(self->fd, ioas2,
					MOCK_FLAGS_DEVICE_NO_DIRTY, &other));
	EXPECT_NE(hwpt2, other.hwpt);
	ASSERT_EQ(0, obj_destroy(self->fd, other.stdev));
	ASSERT_EQ(0, obj_destroy(self->fd, hwpt2));

	/* A device that can is attached to it. */
	ASSERT_EQ(0, mock_dev_add(self->fd, self->hwpt, &other));
	EXPECT_EQ(self->hwpt, other.hwpt);
	EXPECT_EQ(EBUSY, obj_destroy(self->fd, self->hwpt));
	ASSERT_EQ(0, obj_destroy(self->fd, other.stdev));

	/* Unknown flags, a flag of a feature not here. */
	EXPECT_EQ(EOPNOTSUPP, hwpt_create(self->fd, self->dev.idev, self->ioas,
					  1u << 7, &id));
}

TEST_F(dirty, set_tracking_errors)
{
	struct iommu_hwpt_set_dirty_tracking s = {
		.size = sizeof(s),
		.hwpt_id = self->hwpt,
	};

	s.flags = 2;
	EXPECT_EQ(EOPNOTSUPP, raw_ioctl(self->fd, IOMMU_HWPT_SET_DIRTY_TRACKING,
					&s));
	s.flags = IOMMU_HWPT_DIRTY_TRACKING_ENABLE;
	s.__reserved = 1;
	EXPECT_EQ(EOPNOTSUPP, raw_ioctl(self->fd, IOMMU_HWPT_SET_DIRTY_TRACKING,
					&s));
	s.__reserved = 0;
	s.size = offsetof(struct iommu_hwpt_set_dirty_tracking, hwpt_id);
	EXPECT_EQ(EINVAL, raw_ioctl(self->fd, IOMMU_HWPT_SET_DIRTY_TRACKING,
				    &s));

	EXPECT_EQ(ENOENT, hwpt_dirty_set(self->fd, 0, true));
	EXPECT_EQ(ENOENT, hwpt_dirty_set(self->fd, self->ioas, true));
	EXPECT_EQ(ENOENT, hwpt_dirty_set(self->fd, self->dev.idev, true));
	/* The device's own HWPT was not allocated to track. */
	EXPECT_EQ(EOPNOTSUPP, hwpt_dirty_set(self->fd, self->dev.hwpt, true));

	/* Either state may be asked for twice. */
	EXPECT_EQ(0, hwpt_dirty_set(self->fd, self->hwpt, true));
	EXPECT_EQ(0, hwpt_dirty_set(self->fd, self->hwpt, true));
	EXPECT_EQ(0, hwpt_dirty_set(self->fd, self->hwpt, false));
	EXPECT_EQ(0, hwpt_dirty_set(self->fd, self->hwpt, false));
}

TEST_F(dirty, get_bitmap_errors)
{
	uint64_t ps = MOCK_IOPG, len = self->len;
	void *ro;

	/* Tracking is off. */
	EXPECT_EQ(EINVAL, hwpt_dirty_get(self->fd, self->hwpt, IOVA_A, len, ps,
					 self->bits, 0));
	EXPECT_EQ(EINVAL, mark_one(self->fd, self->hwpt, IOVA_A, ps, 0));
	ASSERT_EQ(0, hwpt_dirty_set(self->fd, self->hwpt, true));

	EXPECT_EQ(EOPNOTSUPP, hwpt_dirty_get(self->fd, self->hwpt, IOVA_A, len, ps,
					     self->bits, 2));
	EXPECT_EQ(ENOENT, hwpt_dirty_get(self->fd, 0, IOVA_A, len, ps,
					 self->bits, 0));
	EXPECT_EQ(ENOENT, hwpt_dirty_get(self->fd, self->ioas, IOVA_A, len, ps,
					 self->bits, 0));
	EXPECT_EQ(EOPNOTSUPP, hwpt_dirty_get(self->fd, self->dev.hwpt, IOVA_A, len,
					     ps, self->bits, 0));
	EXPECT_EQ(EINVAL, hwpt_dirty_get(self->fd, self->hwpt, IOVA_A, 0, ps,
					 self->bits, 0));
	EXPECT_EQ(EOVERFLOW, hwpt_dirty_get(self->fd, self->hwpt, -2 * ps, 4 * ps,
					    ps, self->bits, 0));
	EXPECT_EQ(EINVAL, hwpt_dirty_get(self->fd, self->hwpt, IOVA_A, len, 0,
					 self->bits, 0));
	EXPECT_EQ(EINVAL, hwpt_dirty_get(self->fd, self->hwpt, IOVA_A, len, 3 * ps,
					 self->bits, 0));
	/* Not aligned to page_size, then not to the IOAS's IOVA alignment. */
	EXPECT_EQ(EINVAL, hwpt_dirty_get(self->fd, self->hwpt, IOVA_A + ps,
					 len - 2 * ps, 2 * ps, self->bits, 0));
	EXPECT_EQ(EINVAL, hwpt_dirty_get(self->fd, self->hwpt, IOVA_A + ps / 2,
					 ps, ps / 2, self->bits, 0));
	/* Partly and wholly unmapped. */
	EXPECT_EQ(ENOENT, hwpt_dirty_get(self->fd, self->hwpt, IOVA_A, len + ps,
					 ps, self->bits, 0));
	EXPECT_EQ(ENOENT, hwpt_dirty_get(self->fd, self->hwpt, IOVA_A - ps, 2 * ps,
					 ps, self->bits, 0));
	EXPECT_EQ(ENOENT, hwpt_dirty_get(self->fd, self->hwpt, IOVA_A + 2 * len,
					 ps, ps, self->bits, 0));

	/*
	 * A bitmap that cannot be written fails before anything is
	 * cleared: the dirty page is still there for a good bitmap.
	 */
	ASSERT_EQ(0, mark_one(self->fd, self->hwpt, IOVA_A, ps, 7));
	EXPECT_EQ(EFAULT, hwpt_dirty_get(self->fd, self->hwpt, IOVA_A, len, ps,
					 NULL, 0));
	ro = mmap(NULL, page_size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
		  -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	EXPECT_EQ(EFAULT, hwpt_dirty_get(self->fd, self->hwpt, IOVA_A, len, ps,
					 ro, 0));
	munmap(ro, page_size);
	ASSERT_EQ(0, hwpt_dirty_get(self->fd, self->hwpt, IOVA_A, len, ps,
				    self->bits, 0));
	EXPECT_EQ(1, bits_set(self->bits, self->nbits));
	EXPECT_TRUE(bit_at(self->bits, 7));

	/* Nothing else changed: the IOAS still maps and unmaps. */
	EXPECT_EQ(0, ioas_unmap(self->fd, self->ioas, IOVA_A, len, NULL));
}

TEST_F(dirty, read_clears_unless_asked)
{
	uint64_t ps = MOCK_IOPG, nr = 0, i;
	uint8_t mark[16] = {};

	ASSERT_EQ(0, hwpt_dirty_set(self->fd, self->hwpt, true));
	bit_set(mark, 0);
	bit_set(mark, 5);
	bit_set(mark, 63);
	bit_set(mark, 127);
	ASSERT_EQ(0, mock_dirty_mark(self->fd, self->hwpt, IOVA_A, self->len, ps,
				     mark, &nr));
	EXPECT_EQ(4, nr);

	/* NO_CLEAR reports and keeps them, as often as asked. */
	for (i = 0; i < 2; i++) {
		memset(self->bits, 0, self->bits_len);
		ASSERT_EQ(0, hwpt_dirty_get(self->fd, self->hwpt, IOVA_A, self->len,
					    ps, self->bits,
					    IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR));
		EXPECT_EQ(4, bits_set(self->bits, self->nbits));
	}
	memset(self->bits, 0, self->bits_len);
	ASSERT_EQ(0, hwpt_dirty_get(self->fd, self->hwpt, IOVA_A, self->len, ps,
				    self->bits, 0));
	EXPECT_EQ(4, bits_set(self->bits, self->nbits));
	EXPECT_TRUE(bit_at(self->bits, 0));
	EXPECT_TRUE(bit_at(self->bits, 5));
	EXPECT_TRUE(bit_at(self->bits, 63));
	EXPECT_TRUE(bit_at(self->bits, 127));

	/* Read and cleared: nothing new. */
	memset(self->bits, 0, self->bits_len);
	ASSERT_EQ(0, hwpt_dirty_get(self->fd, self->hwpt, IOVA_A, self->len, ps,
				    self->bits, 0));
	EXPECT_EQ(0, bits_set(self->bits, self->nbits));
}

TEST_F(dirty, bits_are_only_set)
{
	uint64_t ps = MOCK_IOPG;

	ASSERT_EQ(0, hwpt_dirty_set(self->fd, self->hwpt, true));
	ASSERT_EQ(0, mark_one(self->fd, self->hwpt, IOVA_A, ps, 3));
	/* The user's own bits, inside and right past the range, stay. */
	memset(self->bits, 0, self->bits_len);
	bit_set(self->bits, 1);
	bit_set(self->bits, self->nbits);
	ASSERT_EQ(0, hwpt_dirty_get(self->fd, self->hwpt, IOVA_A, self->len, ps,
				    self->bits, 0));
	EXPECT_TRUE(bit_at(self->bits, 1));
	EXPECT_TRUE(bit_at(self->bits, 3));
	EXPECT_TRUE(bit_at(self->bits, self->nbits));
	EXPECT_EQ(3, bits_set(self->bits, self->nbits + 8));
}

TEST_F(dirty, page_size_coarse_and_fine)
{
	uint64_t ps = MOCK_IOPG;

	ASSERT_EQ(0, hwpt_dirty_set(self->fd, self->hwpt, true));
	/* IOPTE 3 lies in the second 4-IOPTE page. */
	ASSERT_EQ(0, mark_one(self->fd, self->hwpt, IOVA_A, ps, 3));
	ASSERT_EQ(0, hwpt_dirty_get(self->fd, self->hwpt, IOVA_A, self->len, 2 * ps,
				    self->bits, IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR));
	EXPECT_EQ(1, bits_set(self->bits, self->nbits / 2));
	EXPECT_TRUE(bit_at(self->bits, 1));

	/* With pages of half an IOPTE, both halves are dirty. */
	memset(self->bits, 0, self->bits_len);
	ASSERT_EQ(0, hwpt_dirty_get(self->fd, self->hwpt, IOVA_A, self->len / 2,
				    ps / 2, self->bits, 0));
	EXPECT_EQ(2, bits_set(self->bits, self->nbits));
	EXPECT_TRUE(bit_at(self->bits, 6));
	EXPECT_TRUE(bit_at(self->bits, 7));
}

TEST_F(dirty, start_forgets_what_came_before)
{
	uint64_t ps = MOCK_IOPG;

	ASSERT_EQ(0, hwpt_dirty_set(self->fd, self->hwpt, true));
	ASSERT_EQ(0, mark_one(self->fd, self->hwpt, IOVA_A, ps, 9));
	ASSERT_EQ(0, hwpt_dirty_set(self->fd, self->hwpt, false));
	ASSERT_EQ(0, hwpt_dirty_set(self->fd, self->hwpt, true));
	ASSERT_EQ(0, hwpt_dirty_get(self->fd, self->hwpt, IOVA_A, self->len, ps,
				    self->bits, 0));
	EXPECT_EQ(0, bits_set(self->bits, self->nbits));

	/* A remapped range starts clean too. */
	ASSERT_EQ(0, mark_one(self->fd, self->hwpt, IOVA_A, ps, 9));
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas, IOVA_A, self->len, NULL));
	ASSERT_EQ(0, ioas_map_at(self->fd, self->ioas, self->buf, self->len,
				 IOVA_A));
	ASSERT_EQ(0, hwpt_dirty_get(self->fd, self->hwpt, IOVA_A, self->len, ps,
				    self->bits, 0));
	EXPECT_EQ(0, bits_set(self->bits, self->nbits));
}

/*
 * A range of more than one window of bits, built from many maps of one
 * buffer, read into an unaligned bitmap: the bits at and around each
 * window edge land where they should.
 */
TEST_F(dirty, across_windows)
{
	uint64_t ps = MOCK_IOPG, span = self->len, nr = 0;
	uint64_t nbits, len, iova, i, want[6];
	size_t blen;
	uint8_t *bits, *mark;

	len = (WINDOW_BITS * ps + 2 * span) & ~(span - 1);
	nbits = len / ps;
	want[0] = 0;
	want[1] = WINDOW_BITS - 1;
	want[2] = WINDOW_BITS;
	want[3] = WINDOW_BITS + 1;
	want[4] = 2 * WINDOW_BITS - 1 < nbits ? 2 * WINDOW_BITS - 1 : 17;
	want[5] = nbits - 1;

	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas, IOVA_A, self->len, NULL));
	for (iova = IOVA_A; iova < IOVA_A + len; iova += span)
		ASSERT_EQ(0, ioas_map_at(self->fd, self->ioas, self->buf,
					 span, iova));
	ASSERT_EQ(0, hwpt_dirty_set(self->fd, self->hwpt, true));

	blen = nbits / 8 + page_size;
	mark = calloc(1, blen);
	bits = mmap(NULL, blen + page_size, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(NULL, mark);
	ASSERT_NE(MAP_FAILED, bits);
	for (i = 0; i < 6; i++)
		bit_set(mark, want[i]);
	ASSERT_EQ(0, mock_dirty_mark(self->fd, self->hwpt, IOVA_A, len, ps, mark,
				     &nr));
	EXPECT_EQ(6, nr);

	ASSERT_EQ(0, hwpt_dirty_get(self->fd, self->hwpt, IOVA_A, len, ps,
				    bits + 0xff1, 0));
	EXPECT_EQ(6, bits_set(bits + 0xff1, nbits));
	for (i = 0; i < 6; i++)
		EXPECT_TRUE(bit_at(bits + 0xff1, want[i]));
	munmap(bits, blen + page_size);
	free(mark);
}

/*
 * A huge IOPTE that straddles two windows of bits is cleared by the first
 * window's read; the second window still reports its half.
 */
TEST(dirty_huge_iopte_across_windows)
{
	uint64_t ps, len, start, first, tot, nr = 0, i;
	struct mock_dev_ids dev;
	uint32_t ioas, hwpt;
	uint8_t *bits, *mark;
	void *buf;
	int fd;

	ps = MOCK_IOPG;
	/* The read starts one IOPTE in; window 2 starts inside huge 64. */
	start = IOVA_A + ps;
	len = (WINDOW_BITS + 2048) * ps;
	first = WINDOW_BITS * ps / MOCK_HUGE * MOCK_HUGE;
	/* Whole 2 MiB hugetlb pages, one huge IOPTE past the range. */
	tot = (len + MOCK_HUGE + (2ULL << 20) - 1) & ~((2ULL << 20) - 1);

	buf = mmap(NULL, tot, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	if (buf == MAP_FAILED)
		SKIP(return, "no hugetlb pages");
	fd = open("/dev/iommu", O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioas_create(fd, &ioas));
	ASSERT_EQ(0, mock_dev_add_flags(fd, ioas, MOCK_FLAGS_DEVICE_HUGE_IOVA,
					&dev));
	ASSERT_EQ(0, ioas_map_at(fd, ioas, buf, tot, IOVA_A));
	ASSERT_EQ(0, hwpt_create(fd, dev.idev, ioas,
				 IOMMU_HWPT_ALLOC_DIRTY_TRACKING, &hwpt));
	ASSERT_EQ(0, hwpt_dirty_set(fd, hwpt, true));

	mark = calloc(1, len / ps / 8 + 8);
	bits = calloc(1, len / ps / 8 + 8);
	ASSERT_NE(NULL, mark);
	ASSERT_NE(NULL, bits);
	/* One IOPTE in the middle of the huge one at IOVA_A + first. */
	bit_set(mark, (first + MOCK_HUGE / 2) / ps);
	ASSERT_EQ(0, mock_dirty_mark(fd, hwpt, IOVA_A, len, ps, mark, &nr));
	ASSERT_EQ(1, nr);

	ASSERT_EQ(0, hwpt_dirty_get(fd, hwpt, start, len, ps, bits, 0));
	EXPECT_EQ(MOCK_HUGE / ps, bits_set(bits, len / ps));
	for (i = 0; i < MOCK_HUGE / ps; i++)
		EXPECT_TRUE(bit_at(bits, (first - ps) / ps + i));

	memset(bits, 0, len / ps / 8 + 8);
	ASSERT_EQ(0, hwpt_dirty_get(fd, hwpt, start, len, ps, bits, 0));
	EXPECT_EQ(0, bits_set(bits, len / ps));

	free(mark);
	free(bits);
	close(fd);
	munmap(buf, tot);
}

/*
 * IOMMU_IOAS_UNMAP_DIRTY: the area goes from every domain of the IOAS and
 * the bitmap gets what the tracking HWPT's DMA wrote, on top of the
 * user's own bits.
 */
TEST_F(dirty, unmap_returns_dirty)
{
	uint64_t ps = MOCK_IOPG, done = 0;
	struct iommu_ioas_unmap u = { .size = sizeof(u) };

	ASSERT_EQ(0, hwpt_dirty_set(self->fd, self->hwpt, true));
	ASSERT_EQ(0, mark_one(self->fd, self->hwpt, IOVA_A, ps, 3));
	ASSERT_EQ(0, mark_one(self->fd, self->hwpt, IOVA_A, ps, 70));
	bit_set(self->bits, 100);
	ASSERT_EQ(0, ioas_unmap_dirty(self->fd, self->hwpt, IOVA_A, self->len, ps,
				      self->bits, 0, &done));
	EXPECT_EQ(self->len, done);
	EXPECT_EQ(3, bits_set(self->bits, self->nbits + 8));
	EXPECT_TRUE(bit_at(self->bits, 3));
	EXPECT_TRUE(bit_at(self->bits, 70));
	EXPECT_TRUE(bit_at(self->bits, 100));

	/* Gone from the IOAS and from the device's own domain too. */
	EXPECT_EQ(ENOENT, hwpt_dirty_get(self->fd, self->hwpt, IOVA_A, self->len,
					 ps, self->bits, 0));
	EXPECT_NE(0, mock_check_map(self->fd, self->dev.hwpt, IOVA_A, ps,
				    self->buf));
	u.ioas_id = self->ioas;
	u.iova = IOVA_A;
	u.length = self->len;
	EXPECT_EQ(ENOENT, raw_ioctl(self->fd, IOMMU_IOAS_UNMAP, &u));

	/* Mapped again, it starts clean. */
	ASSERT_EQ(0, ioas_map_at(self->fd, self->ioas, self->buf, self->len,
				 IOVA_A));
	memset(self->bits, 0, self->bits_len);
	ASSERT_EQ(0, ioas_unmap_dirty(self->fd, self->hwpt, IOVA_A, self->len, ps,
				      self->bits, 0, &done));
	EXPECT_EQ(0, bits_set(self->bits, self->nbits));
}

TEST_F(dirty, unmap_dirty_errors)
{
	uint64_t ps = MOCK_IOPG, len = self->len, done = 0;
	struct iommu_ioas_unmap_dirty u = {
		.size = sizeof(u),
		.hwpt_id = self->hwpt,
		.iova = IOVA_A,
		.length = len,
		.page_size = ps,
		.data = ptr_u64(self->bits),
	};
	void *ro;

	/* Tracking off. */
	EXPECT_EQ(EINVAL, ioas_unmap_dirty(self->fd, self->hwpt, IOVA_A, len, ps,
					   self->bits, 0, NULL));
	ASSERT_EQ(0, hwpt_dirty_set(self->fd, self->hwpt, true));
	ASSERT_EQ(0, mark_one(self->fd, self->hwpt, IOVA_A, ps, 5));

	EXPECT_EQ(EOPNOTSUPP, ioas_unmap_dirty(self->fd, self->hwpt, IOVA_A, len,
					       ps, self->bits, 1, NULL));
	u.__reserved = 1;
	EXPECT_EQ(EOPNOTSUPP, raw_ioctl(self->fd, IOMMU_IOAS_UNMAP_DIRTY, &u));
	u.__reserved = 0;
	u.size = offsetof(struct iommu_ioas_unmap_dirty, data);
	EXPECT_EQ(EINVAL, raw_ioctl(self->fd, IOMMU_IOAS_UNMAP_DIRTY, &u));
	EXPECT_EQ(ENOENT, ioas_unmap_dirty(self->fd, 0, IOVA_A, len, ps,
					   self->bits, 0, NULL));
	EXPECT_EQ(ENOENT, ioas_unmap_dirty(self->fd, self->ioas, IOVA_A, len, ps,
					   self->bits, 0, NULL));
	EXPECT_EQ(EOPNOTSUPP, ioas_unmap_dirty(self->fd, self->dev.hwpt, IOVA_A,
					       len, ps, self->bits, 0, NULL));
	EXPECT_EQ(EINVAL, ioas_unmap_dirty(self->fd, self->hwpt, IOVA_A, 0, ps,
					   self->bits, 0, NULL));
	EXPECT_EQ(EOVERFLOW, ioas_unmap_dirty(self->fd, self->hwpt, -2 * ps,
					      4 * ps, ps, self->bits, 0, NULL));
	EXPECT_EQ(EINVAL, ioas_unmap_dirty(self->fd, self->hwpt, IOVA_A, len,
					   3 * ps, self->bits, 0, NULL));
	EXPECT_EQ(EINVAL, ioas_unmap_dirty(self->fd, self->hwpt, IOVA_A + ps,
					   len - 2 * ps, 2 * ps, self->bits, 0,
					   NULL));
	/* Half an area, or none: nothing is unmapped, no bit is set. */
	EXPECT_EQ(ENOENT, ioas_unmap_dirty(self->fd, self->hwpt, IOVA_A, len / 2,
					   ps, self->bits, 0, NULL));
	EXPECT_EQ(ENOENT, ioas_unmap_dirty(self->fd, self->hwpt, IOVA_A + 2 * len,
					   len, ps, self->bits, 0, NULL));
	EXPECT_EQ(0, bits_set(self->bits, self->nbits));
	/* A bitmap that cannot be written unmaps nothing. */
	EXPECT_EQ(EFAULT, ioas_unmap_dirty(self->fd, self->hwpt, IOVA_A, len, ps,
					   NULL, 0, NULL));
	ro = mmap(NULL, page_size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
		  -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	EXPECT_EQ(EFAULT, ioas_unmap_dirty(self->fd, self->hwpt, IOVA_A, len, ps,
					   ro, 0, NULL));
	munmap(ro, page_size);

	/* All still mapped, the dirty page still dirty. */
	ASSERT_EQ(0, hwpt_dirty_get(self->fd, self->hwpt, IOVA_A, len, ps,
				    self->bits, IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR));
	EXPECT_EQ(1, bits_set(self->bits, self->nbits));
	memset(self->bits, 0, self->bits_len);
	ASSERT_EQ(0, ioas_unmap_dirty(self->fd, self->hwpt, IOVA_A, len, ps,
				      self->bits, 0, &done));
	EXPECT_EQ(len, done);
	EXPECT_TRUE(bit_at(self->bits, 5));
}

TEST_F(dirty, hwpt_lifetime)
{
	/* A tracking HWPT goes with tracking on, then its IOAS. */
	ASSERT_EQ(0, hwpt_dirty_set(self->fd, self->hwpt, true));
	ASSERT_EQ(0, mark_one(self->fd, self->hwpt, IOVA_A, MOCK_IOPG, 1));
	EXPECT_EQ(EBUSY, obj_destroy(self->fd, self->ioas));
	ASSERT_EQ(0, obj_destroy(self->fd, self->hwpt));
	EXPECT_EQ(ENOENT, hwpt_dirty_set(self->fd, self->hwpt, false));
	ASSERT_EQ(0, obj_destroy(self->fd, self->dev.stdev));
	ASSERT_EQ(0, obj_destroy(self->fd, self->ioas));
}

TEST_HARNESS_MAIN
