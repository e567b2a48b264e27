// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for AMD-Vi dirty tracking: v1 page tables built by the
 * driver's own mapping code, D bits set in them as the IOMMU sets them on
 * a DMA write through a DTE with HAD, and read back with
 * amd_iommu_v1_read_and_clear_dirty(). The domain is attached to no
 * device, so nothing reaches hardware. Included by io_pgtable.c.
 */
#include <kunit/test.h>

#define AT_IOVA		0x40000000UL
#define AT_PHYS		0x80000000UL

struct at_domain {
	struct protection_domain *pd;
	struct io_pgtable_ops *ops;
};

static void at_domain_init(struct kunit *test, struct at_domain *d)
{
	u64 *root;

	d->pd = kunit_kzalloc(test, sizeof(*d->pd), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, d->pd);
	spin_lock_init(&d->pd->lock);
	INIT_LIST_HEAD(&d->pd->dev_list);
	root = (u64 *)get_zeroed_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, root);
	amd_iommu_domain_set_pgtable(d->pd, root, PAGE_MODE_3_LEVEL);
	d->ops = alloc_io_pgtable_ops(AMD_IOMMU_V1, &d->pd->iop.pgtbl_cfg,
				      d->pd);
	KUNIT_ASSERT_NOT_NULL(test, d->ops);
}

static void at_domain_exit(struct at_domain *d)
{
	free_io_pgtable_ops(d->ops);
}

static void at_map(struct kunit *test, struct at_domain *d,
		   unsigned long iova, size_t pgsize, size_t count)
{
	size_t mapped = 0;

	KUNIT_ASSERT_EQ(test, d->ops->map_pages(d->ops, iova,
						AT_PHYS + iova - AT_IOVA,
						pgsize, count,
						IOMMU_PROT_IR | IOMMU_PROT_IW,
						GFP_KERNEL, &mapped), 0);
	KUNIT_ASSERT_EQ(test, mapped, pgsize * count);
}

/*
 * The PTE the IOMMU uses for @iova: for a leaf of replicated PTEs, the
 * replica that covers @iova.
 */
static u64 *at_pte(struct kunit *test, struct at_domain *d,
		   unsigned long iova)
{
	struct amd_io_pgtable *pgtable = io_pgtable_ops_to_data(d->ops);
	unsigned long pgsize, count;
	u64 *pte;

	pte = fetch_pte(pgtable, iova, &pgsize);
	KUNIT_ASSERT_NOT_NULL(test, pte);
	KUNIT_ASSERT_TRUE(test, IOMMU_PTE_PRESENT(*pte));
	count = PAGE_SIZE_PTE_COUNT(pgsize);
	return pte + ((iova & (pgsize - 1)) / (pgsize / count));
}

static void at_dma_write(struct kunit *test, struct at_domain *d,
			 unsigned long iova)
{
	set_bit(IOMMU_PTE_HD_BIT, (unsigned long *)at_pte(test, d, iova));
}

static int at_read(struct at_domain *d, unsigned long iova,
		   unsigned long nbits, unsigned long flags,
		   unsigned long *bits, struct iommu_iotlb_gather *gather)
{
	struct iommu_dirty_bitmap dirty = {
		.bits = bits,
		.iova = iova,
		.pgshift = PAGE_SHIFT,
		.nbits = nbits,
		.gather = gather,
	};

	bitmap_zero(bits, nbits);
	return amd_iommu_v1_read_and_clear_dirty(d->ops, iova,
						 nbits << PAGE_SHIFT, flags,
						 &dirty);
}

static void at_pages(struct kunit *test)
{
	struct iommu_iotlb_gather gather;
	DECLARE_BITMAP(bits, 64);
	struct at_domain d;

	at_domain_init(test, &d);
	at_map(test, &d, AT_IOVA, SZ_4K, 64);
	KUNIT_ASSERT_EQ(test, at_read(&d, AT_IOVA, 64, 0, bits, NULL), 0);
	KUNIT_EXPECT_TRUE(test, bitmap_empty(bits, 64));

	at_dma_write(test, &d, AT_IOVA + 2 * SZ_4K);
	at_dma_write(test, &d, AT_IOVA + 40 * SZ_4K);
	KUNIT_ASSERT_EQ(test, at_read(&d, AT_IOVA, 64, IOMMU_DIRTY_NO_CLEAR,
				      bits, NULL), 0);
	KUNIT_EXPECT_EQ(test, bitmap_weight(bits, 64), 2);
	KUNIT_EXPECT_TRUE(test, test_bit(IOMMU_PTE_HD_BIT, (unsigned long *)
					 at_pte(test, &d, AT_IOVA + 2 * SZ_4K)));

	iommu_iotlb_gather_init(&gather);
	KUNIT_ASSERT_EQ(test, at_read(&d, AT_IOVA, 64, 0, bits, &gather), 0);
	KUNIT_EXPECT_EQ(test, bitmap_weight(bits, 64), 2);
	KUNIT_EXPECT_TRUE(test, test_bit(2, bits));
	KUNIT_EXPECT_TRUE(test, test_bit(40, bits));
	KUNIT_EXPECT_EQ(test, gather.start, AT_IOVA + 2 * SZ_4K);
	KUNIT_EXPECT_EQ(test, gather.end, AT_IOVA + 41 * SZ_4K - 1);
	KUNIT_EXPECT_FALSE(test, test_bit(IOMMU_PTE_HD_BIT, (unsigned long *)
					  at_pte(test, &d, AT_IOVA + 2 * SZ_4K)));
	KUNIT_ASSERT_EQ(test, at_read(&d, AT_IOVA, 64, 0, bits, NULL), 0);
	KUNIT_EXPECT_TRUE(test, bitmap_empty(bits, 64));
	at_domain_exit(&d);
}

/*
 * A 32 KiB leaf is eight replicated PTEs; the IOMMU marks the one it
 * used. The whole leaf is reported and every replica cleaned.
 */
static void at_replicated(struct kunit *test)
{
	DECLARE_BITMAP(bits, 16);
	struct at_domain d;
	unsigned int i;

	at_domain_init(test, &d);
	at_map(test, &d, AT_IOVA, SZ_32K, 2);
	at_dma_write(test, &d, AT_IOVA + SZ_32K + 5 * SZ_4K);
	KUNIT_ASSERT_EQ(test, at_read(&d, AT_IOVA, 16, 0, bits, NULL), 0);
	KUNIT_EXPECT_EQ(test, bitmap_weight(bits, 16), 8);
	KUNIT_EXPECT_EQ(test, find_first_bit(bits, 16), 8UL);
	for (i = 0; i < 8; i++) {
		u64 *pte = at_pte(test, &d, AT_IOVA + SZ_32K + i * SZ_4K);

		KUNIT_EXPECT_FALSE(test, *pte & BIT_ULL(IOMMU_PTE_HD_BIT));
	}
	KUNIT_ASSERT_EQ(test, at_read(&d, AT_IOVA, 16, 0, bits, NULL), 0);
	KUNIT_EXPECT_TRUE(test, bitmap_empty(bits, 16));
	at_domain_exit(&d);
}

/* A 2 MiB leaf, read from its middle: the window's part of it is set. */
static void at_large(struct kunit *test)
{
	struct iommu_dirty_bitmap dirty = {};
	unsigned long *bits;
	struct at_domain d;
	int rc;

	bits = kunit_kzalloc(test, BITS_TO_LONGS(1024) * sizeof(long),
			     GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bits);
	at_domain_init(test, &d);
	at_map(test, &d, AT_IOVA, SZ_2M, 2);
	at_dma_write(test, &d, AT_IOVA + SZ_2M + SZ_4K);
	KUNIT_ASSERT_EQ(test, at_read(&d, AT_IOVA, 1024, IOMMU_DIRTY_NO_CLEAR,
				      bits, NULL), 0);
	KUNIT_EXPECT_EQ(test, bitmap_weight(bits, 1024), 512);
	KUNIT_EXPECT_EQ(test, find_first_bit(bits, 1024), 512UL);

	bitmap_zero(bits, 1024);
	dirty.bits = bits;
	dirty.iova = AT_IOVA + SZ_1M;
	dirty.pgshift = PAGE_SHIFT;
	dirty.nbits = 512;
	rc = amd_iommu_v1_read_and_clear_dirty(d.ops, dirty.iova, SZ_2M, 0,
					       &dirty);
	KUNIT_ASSERT_EQ(test, rc, 0);
	KUNIT_EXPECT_EQ(test, bitmap_weight(bits, 512), 256);
	KUNIT_EXPECT_EQ(test, dirty.carry_last, AT_IOVA + SZ_4M - 1);
	at_domain_exit(&d);
}

/* Unmapped IOVA between and beyond two maps is skipped. */
static void at_sparse(struct kunit *test)
{
	unsigned long nbits = SZ_1G / SZ_4K, *bits;
	struct at_domain d;

	bits = kunit_kzalloc(test, BITS_TO_LONGS(nbits) * sizeof(long),
			     GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bits);
	at_domain_init(test, &d);
	at_map(test, &d, AT_IOVA, SZ_4K, 1);
	at_map(test, &d, AT_IOVA + SZ_1G - SZ_4K, SZ_4K, 1);
	at_dma_write(test, &d, AT_IOVA);
	at_dma_write(test, &d, AT_IOVA + SZ_1G - SZ_4K);
	KUNIT_ASSERT_EQ(test, at_read(&d, AT_IOVA, nbits, 0, bits, NULL), 0);
	KUNIT_EXPECT_EQ(test, bitmap_weight(bits, nbits), 2);
	KUNIT_EXPECT_TRUE(test, test_bit(nbits - 1, bits));
	/* Far beyond what the table's levels reach: nothing, no error. */
	KUNIT_EXPECT_EQ(test, at_read(&d, 1UL << 50, 64, 0, bits, NULL), 0);
	at_domain_exit(&d);
}

/* Unmap with dirty state: dirty leaves reported, every leaf taken out. */
static void at_unmap_read_dirty(struct kunit *test)
{
	struct iommu_dirty_bitmap dirty = {};
	DECLARE_BITMAP(bits, 32);
	struct at_domain d;

	at_domain_init(test, &d);
	at_map(test, &d, AT_IOVA, SZ_4K, 8);
	at_map(test, &d, AT_IOVA + SZ_32K, SZ_32K, 3);
	at_dma_write(test, &d, AT_IOVA + 6 * SZ_4K);
	at_dma_write(test, &d, AT_IOVA + 2 * SZ_32K + 7 * SZ_4K);
	bitmap_zero(bits, 32);
	dirty.bits = bits;
	dirty.iova = AT_IOVA;
	dirty.pgshift = PAGE_SHIFT;
	dirty.nbits = 32;
	KUNIT_EXPECT_EQ(test, amd_iommu_v1_unmap_read_dirty(d.ops, AT_IOVA,
							    4 * SZ_32K,
							    &dirty),
			(size_t)(4 * SZ_32K));
	KUNIT_EXPECT_EQ(test, bitmap_weight(bits, 32), 9);
	KUNIT_EXPECT_TRUE(test, test_bit(6, bits));
	KUNIT_EXPECT_EQ(test, find_next_bit(bits, 32, 7), 16UL);
	KUNIT_EXPECT_EQ(test, d.ops->iova_to_phys(d.ops, AT_IOVA), 0ULL);
	KUNIT_EXPECT_EQ(test, d.ops->iova_to_phys(d.ops,
						  AT_IOVA + 2 * SZ_32K), 0ULL);
	at_domain_exit(&d);
}

static struct kunit_case amd_dirty_cases[] = {
	KUNIT_CASE(at_pages),
	KUNIT_CASE(at_replicated),
	KUNIT_CASE(at_large),
	KUNIT_CASE(at_sparse),
	KUNIT_CASE(at_unmap_read_dirty),
	{}
};

static struct kunit_suite amd_dirty_suite = {
	.name = "amd-iommu-dirty",
	.test_cases = amd_dirty_cases,
};

kunit_test_suite(amd_dirty_suite);
