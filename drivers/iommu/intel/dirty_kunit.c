// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for VT-d dirty tracking: page tables built by the driver's
 * own mapping code, dirty bits set in them as the hardware sets them on a
 * DMA write, and read back through intel_dirty_ops. No unit is needed:
 * nothing here flushes or programs hardware. Included by iommu.c.
 */
#include <kunit/test.h>

#define DT_IOVA		0x40000000UL
#define DT_PHYS		0x80000000UL

/* A tracking domain with first- or second-stage tables, tracking on. */
static struct dmar_domain *dt_domain(struct kunit *test, bool first_level,
				     int superpage)
{
	struct dmar_domain *d = alloc_domain(IOMMU_DOMAIN_UNMANAGED);

	KUNIT_ASSERT_NOT_NULL(test, d);
	if (first_level)
		d->flags |= DOMAIN_FLAG_USE_FIRST_LEVEL;
	else
		d->flags &= ~DOMAIN_FLAG_USE_FIRST_LEVEL;
	KUNIT_ASSERT_EQ(test, md_domain_init(d, 48), 0);
	d->iommu_superpage = superpage;
	d->domain.dirty_ops = &intel_dirty_ops;
	d->dirty_tracking = true;
	return d;
}

static void dt_map(struct kunit *test, struct dmar_domain *d,
		   unsigned long iova, size_t size)
{
	KUNIT_ASSERT_EQ(test, intel_iommu_map(&d->domain, iova,
					      DT_PHYS + iova - DT_IOVA, size,
					      IOMMU_READ | IOMMU_WRITE,
					      GFP_KERNEL), 0);
}

/* The leaf translating @iova and its size in bytes. */
static struct dma_pte *dt_leaf(struct kunit *test, struct dmar_domain *d,
			       unsigned long iova, size_t *size)
{
	struct dma_pte *pte;
	int level = 0;

	pte = pfn_to_dma_pte(d, iova >> VTD_PAGE_SHIFT, &level);
	KUNIT_ASSERT_NOT_NULL(test, pte);
	KUNIT_ASSERT_TRUE(test, dma_pte_present(pte));
	if (size)
		*size = lvl_to_nr_pages(level) << VTD_PAGE_SHIFT;
	return pte;
}

static int dt_bit(struct dmar_domain *d)
{
	return domain_use_first_level(d) ? DMA_FL_PTE_DIRTY_BIT :
					   DMA_SL_PTE_DIRTY_BIT;
}

/* What the hardware does when DMA writes through @iova. */
static void dt_dma_write(struct kunit *test, struct dmar_domain *d,
			 unsigned long iova)
{
	set_bit(dt_bit(d), (unsigned long *)&dt_leaf(test, d, iova, NULL)->val);
}

static bool dt_leaf_dirty(struct kunit *test, struct dmar_domain *d,
			  unsigned long iova)
{
	return dt_leaf(test, d, iova, NULL)->val & BIT_ULL(dt_bit(d));
}

/* Read @nbits 4 KiB pages from @iova into @bits, cleared first. */
static int dt_read(struct dmar_domain *d, unsigned long iova,
		   unsigned long nbits, unsigned long flags,
		   unsigned long *bits, struct iommu_iotlb_gather *gather)
{
	struct iommu_dirty_bitmap dirty = {
		.bits = bits,
		.iova = iova,
		.pgshift = VTD_PAGE_SHIFT,
		.nbits = nbits,
		.gather = gather,
	};

	bitmap_zero(bits, nbits);
	return intel_dirty_ops.read_and_clear_dirty(&d->domain, iova,
						    nbits << VTD_PAGE_SHIFT,
						    flags, &dirty);
}

static void dt_read_and_clear(struct kunit *test, bool first_level)
{
	struct dmar_domain *d = dt_domain(test, first_level, 0);
	struct iommu_iotlb_gather gather;
	DECLARE_BITMAP(bits, 64);

	dt_map(test, d, DT_IOVA, 64 * VTD_PAGE_SIZE);
	/* Mapping never marks a tracking domain's leaves dirty. */
	KUNIT_EXPECT_FALSE(test, dt_leaf_dirty(test, d, DT_IOVA));
	KUNIT_ASSERT_EQ(test, dt_read(d, DT_IOVA, 64, 0, bits, NULL), 0);
	KUNIT_EXPECT_TRUE(test, bitmap_empty(bits, 64));

	dt_dma_write(test, d, DT_IOVA + 3 * VTD_PAGE_SIZE);
	dt_dma_write(test, d, DT_IOVA + 63 * VTD_PAGE_SIZE);

	/* NO_CLEAR reports and leaves the leaves dirty. */
	KUNIT_ASSERT_EQ(test, dt_read(d, DT_IOVA, 64, IOMMU_DIRTY_NO_CLEAR,
				      bits, NULL), 0);
	KUNIT_EXPECT_EQ(test, bitmap_weight(bits, 64), 2);
	KUNIT_EXPECT_TRUE(test, dt_leaf_dirty(test, d,
					      DT_IOVA + 3 * VTD_PAGE_SIZE));

	iommu_iotlb_gather_init(&gather);
	KUNIT_ASSERT_EQ(test, dt_read(d, DT_IOVA, 64, 0, bits, &gather), 0);
	KUNIT_EXPECT_EQ(test, bitmap_weight(bits, 64), 2);
	KUNIT_EXPECT_TRUE(test, test_bit(3, bits));
	KUNIT_EXPECT_TRUE(test, test_bit(63, bits));
	/* What was cleaned is gathered for the caller's one flush. */
	KUNIT_EXPECT_EQ(test, gather.start, DT_IOVA + 3 * VTD_PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, gather.end, DT_IOVA + 64 * VTD_PAGE_SIZE - 1);
	KUNIT_EXPECT_FALSE(test, dt_leaf_dirty(test, d,
					       DT_IOVA + 3 * VTD_PAGE_SIZE));

	KUNIT_ASSERT_EQ(test, dt_read(d, DT_IOVA, 64, 0, bits, NULL), 0);
	KUNIT_EXPECT_TRUE(test, bitmap_empty(bits, 64));

	/* Off: a read fails, a clean-only pass (no bits) is allowed. */
	d->dirty_tracking = false;
	KUNIT_EXPECT_EQ(test, dt_read(d, DT_IOVA, 64, 0, bits, NULL), -EINVAL);
	domain_exit(d);
}

static void dt_first_stage(struct kunit *test)
{
	dt_read_and_clear(test, true);
}

static void dt_second_stage(struct kunit *test)
{
	dt_read_and_clear(test, false);
}

/* A 2 MiB leaf reports all of its 512 pages, also from a partial read. */
static void dt_large_page(struct kunit *test, bool first_level)
{
	struct dmar_domain *d = dt_domain(test, first_level, 1);
	struct iommu_dirty_bitmap dirty = {};
	unsigned long *bits;
	size_t size;
	int rc;

	bits = kunit_kzalloc(test, BITS_TO_LONGS(1024) * sizeof(long),
			     GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bits);
	dt_map(test, d, DT_IOVA, SZ_4M);
	dt_leaf(test, d, DT_IOVA + SZ_2M, &size);
	KUNIT_ASSERT_EQ(test, size, (size_t)SZ_2M);

	dt_dma_write(test, d, DT_IOVA + SZ_2M + 5 * VTD_PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, dt_read(d, DT_IOVA, 1024, IOMMU_DIRTY_NO_CLEAR,
				      bits, NULL), 0);
	KUNIT_EXPECT_EQ(test, bitmap_weight(bits, 1024), 512);
	KUNIT_EXPECT_EQ(test, find_first_bit(bits, 1024), 512UL);

	/*
	 * A window from the middle of the leaf to past it: the bits it has
	 * are set, and nothing reaches past its end.
	 */
	bitmap_zero(bits, 1024);
	dirty.bits = bits;
	dirty.iova = DT_IOVA + SZ_2M + SZ_1M;
	dirty.pgshift = VTD_PAGE_SHIFT;
	dirty.nbits = 512;
	rc = intel_dirty_ops.read_and_clear_dirty(&d->domain, dirty.iova,
						  SZ_1M, 0, &dirty);
	KUNIT_ASSERT_EQ(test, rc, 0);
	KUNIT_EXPECT_EQ(test, bitmap_weight(bits, 512), 256);
	KUNIT_EXPECT_EQ(test, dirty.carry_last, 0UL);
	/* A window ending inside the leaf learns where it ends. */
	dt_dma_write(test, d, DT_IOVA + SZ_2M);
	bitmap_zero(bits, 1024);
	dirty.iova = DT_IOVA + SZ_1M;
	dirty.carry_last = 0;
	rc = intel_dirty_ops.read_and_clear_dirty(&d->domain, dirty.iova,
						  SZ_2M, 0, &dirty);
	KUNIT_ASSERT_EQ(test, rc, 0);
	KUNIT_EXPECT_EQ(test, bitmap_weight(bits, 512), 256);
	KUNIT_EXPECT_EQ(test, dirty.carry_last, DT_IOVA + SZ_4M - 1);
	KUNIT_EXPECT_FALSE(test, dt_leaf_dirty(test, d, DT_IOVA + SZ_2M));
	domain_exit(d);
}

static void dt_large_first_stage(struct kunit *test)
{
	dt_large_page(test, true);
}

static void dt_large_second_stage(struct kunit *test)
{
	dt_large_page(test, false);
}

/* Holes of unmapped IOVA between two maps are skipped, not misreported. */
static void dt_sparse(struct kunit *test)
{
	struct dmar_domain *d = dt_domain(test, false, 0);
	unsigned long nbits = SZ_1G / VTD_PAGE_SIZE;
	unsigned long *bits;

	bits = kunit_kzalloc(test, BITS_TO_LONGS(nbits) * sizeof(long),
			     GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bits);
	dt_map(test, d, DT_IOVA, VTD_PAGE_SIZE);
	dt_map(test, d, DT_IOVA + SZ_1G - VTD_PAGE_SIZE, VTD_PAGE_SIZE);
	dt_dma_write(test, d, DT_IOVA);
	dt_dma_write(test, d, DT_IOVA + SZ_1G - VTD_PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, dt_read(d, DT_IOVA, nbits, 0, bits, NULL), 0);
	KUNIT_EXPECT_EQ(test, bitmap_weight(bits, nbits), 2);
	KUNIT_EXPECT_TRUE(test, test_bit(0, bits));
	KUNIT_EXPECT_TRUE(test, test_bit(nbits - 1, bits));
	domain_exit(d);
}

/* Outside tracking domains first-stage writable leaves stay preset dirty. */
static void dt_untracked_preset(struct kunit *test)
{
	struct dmar_domain *d = dt_domain(test, true, 0);

	d->domain.dirty_ops = NULL;
	dt_map(test, d, DT_IOVA, VTD_PAGE_SIZE);
	KUNIT_EXPECT_TRUE(test, dt_leaf_dirty(test, d, DT_IOVA));
	domain_exit(d);
}

/*
 * Unmap with dirty state: the dirty leaves are reported, every leaf is
 * gone, and the whole range is gathered for the flush.
 */
static void dt_unmap_read_dirty(struct kunit *test)
{
	struct dmar_domain *d = dt_domain(test, true, 1);
	struct iommu_iotlb_gather gather;
	size_t len = SZ_2M + 16 * VTD_PAGE_SIZE, done;
	struct iommu_dirty_bitmap dirty = {};
	unsigned long *bits;
	struct dma_pte *pte;
	int level = 0;

	bits = kunit_kzalloc(test, BITS_TO_LONGS(1024) * sizeof(long),
			     GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bits);
	dt_map(test, d, DT_IOVA, SZ_2M);
	dt_map(test, d, DT_IOVA + SZ_2M, 16 * VTD_PAGE_SIZE);
	dt_dma_write(test, d, DT_IOVA + SZ_4K);
	dt_dma_write(test, d, DT_IOVA + SZ_2M + 3 * VTD_PAGE_SIZE);

	iommu_iotlb_gather_init(&gather);
	dirty.bits = bits;
	dirty.iova = DT_IOVA;
	dirty.pgshift = VTD_PAGE_SHIFT;
	dirty.nbits = 1024;
	dirty.gather = &gather;
	done = intel_dirty_ops.unmap_read_dirty(&d->domain, DT_IOVA, len,
						&dirty);
	KUNIT_EXPECT_EQ(test, done, len);
	KUNIT_EXPECT_EQ(test, bitmap_weight(bits, 1024), 513);
	KUNIT_EXPECT_TRUE(test, test_bit(512 + 3, bits));
	KUNIT_EXPECT_EQ(test, gather.start, DT_IOVA);
	KUNIT_EXPECT_GE(test, gather.end, DT_IOVA + len - 1);
	pte = pfn_to_dma_pte(d, (DT_IOVA + SZ_2M) >> VTD_PAGE_SHIFT, &level);
	KUNIT_EXPECT_FALSE(test, dma_pte_present(pte));
	KUNIT_EXPECT_EQ(test, intel_iommu_iova_to_phys(&d->domain,
						       DT_IOVA + SZ_4K), 0ULL);
	put_pages_list(&gather.freelist);
	domain_exit(d);
}

/*
 * The IOMMU core's record of an IOPTE that reaches past the window and
 * ends at the very top of the address space: the carry says so, rather
 * than wrapping to "none".
 */
static void dt_record_top(struct kunit *test)
{
	DECLARE_BITMAP(bits, 256);
	struct iommu_dirty_bitmap dirty = {
		.bits = bits,
		.iova = 0UL - SZ_2M,
		.pgshift = VTD_PAGE_SHIFT,
		.nbits = 256,
	};

	bitmap_zero(bits, 256);
	iommu_dirty_bitmap_record(&dirty, 0UL - SZ_2M, SZ_2M);
	KUNIT_EXPECT_EQ(test, bitmap_weight(bits, 256), 256);
	KUNIT_EXPECT_EQ(test, dirty.carry_last, ULONG_MAX);
}

static struct kunit_case intel_dirty_cases[] = {
	KUNIT_CASE(dt_first_stage),
	KUNIT_CASE(dt_second_stage),
	KUNIT_CASE(dt_large_first_stage),
	KUNIT_CASE(dt_large_second_stage),
	KUNIT_CASE(dt_sparse),
	KUNIT_CASE(dt_untracked_preset),
	KUNIT_CASE(dt_unmap_read_dirty),
	KUNIT_CASE(dt_record_top),
	{}
};

static struct kunit_suite intel_dirty_suite = {
	.name = "intel-iommu-dirty",
	.test_cases = intel_dirty_cases,
};

kunit_test_suite(intel_dirty_suite);
