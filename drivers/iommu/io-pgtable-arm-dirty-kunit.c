// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the dirty state of AArch64 LPAE tables allocated with
 * IO_PGTABLE_QUIRK_ARM_HD, with which arm-smmu-v3 tracks DMA writes: real
 * stage-1 and stage-2 tables, leaves made writable-dirty as an SMMU with
 * HTTU makes them on a write, and read back with read_and_clear_dirty()
 * or unmap_read_dirty(). No SMMU is needed. Included by io-pgtable-arm.c.
 */
#include <kunit/test.h>

#define DT_IOVA		0x40000000UL
#define DT_PHYS		0x80000000UL
#define DT_PGSHIFT	12

struct dt_fmt {
	enum io_pgtable_fmt fmt;
	unsigned int ias;
	const char *name;
};

static const struct dt_fmt dt_fmts[] = {
	{ ARM_64_LPAE_S1, 48, "stage-1" },
	/* 40 bits at stage 2: a level-1 PGD of two concatenated pages */
	{ ARM_64_LPAE_S2, 40, "stage-2" },
};

static void dt_fmt_desc(const struct dt_fmt *f, char *desc)
{
	strscpy(desc, f->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(dt_fmt, dt_fmts, dt_fmt_desc);

/* One test's table, freed by dt_exit() even when the test is aborted */
struct dt_ctx {
	struct device dev;
	struct io_pgtable_ops *ops;
	/* Invalidations asked for by the table code */
	unsigned int flush_walks;
	unsigned int add_pages;
};

/*
 * Nothing to invalidate: no walker ever sees these tables. Count what is
 * asked for, though.
 */
static void dt_tlb_flush_all(void *cookie)
{
}

static void dt_tlb_flush_walk(unsigned long iova, size_t size, size_t granule,
			      void *cookie)
{
	struct dt_ctx *ctx = cookie;

	ctx->flush_walks++;
}

static void dt_tlb_add_page(struct iommu_iotlb_gather *gather,
			    unsigned long iova, size_t granule, void *cookie)
{
	struct dt_ctx *ctx = cookie;

	ctx->add_pages++;
}

static const struct iommu_flush_ops dt_tlb_ops = {
	.tlb_flush_all	= dt_tlb_flush_all,
	.tlb_flush_walk	= dt_tlb_flush_walk,
	.tlb_add_page	= dt_tlb_add_page,
};

static struct io_pgtable_cfg dt_cfg(struct dt_ctx *ctx, unsigned int ias,
				    unsigned long quirks)
{
	return (struct io_pgtable_cfg) {
		.quirks		= quirks,
		.pgsize_bitmap	= SZ_4K | SZ_2M | SZ_1G,
		.ias		= ias,
		.oas		= 48,
		.coherent_walk	= true,
		.tlb		= &dt_tlb_ops,
		.iommu_dev	= &ctx->dev,
	};
}

static int dt_init(struct kunit *test)
{
	struct dt_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	if (!ctx)
		return -ENOMEM;
	/* __arm_lpae_alloc_pages() only asks the device for its node */
	set_dev_node(&ctx->dev, NUMA_NO_NODE);
	test->priv = ctx;
	return 0;
}

static void dt_exit(struct kunit *test)
{
	struct dt_ctx *ctx = test->priv;

	if (ctx->ops)
		free_io_pgtable_ops(ctx->ops);
}

static struct io_pgtable_ops *dt_alloc_quirks(struct kunit *test,
					      unsigned long quirks)
{
	const struct dt_fmt *f = test->param_value;
	struct dt_ctx *ctx = test->priv;
	struct io_pgtable_cfg cfg = dt_cfg(ctx, f->ias, quirks);

	ctx->ops = alloc_io_pgtable_ops(f->fmt, &cfg, ctx);
	KUNIT_ASSERT_NOT_NULL(test, ctx->ops);
	return ctx->ops;
}

static struct io_pgtable_ops *dt_alloc(struct kunit *test)
{
	return dt_alloc_quirks(test, IO_PGTABLE_QUIRK_ARM_HD);
}

static void dt_map(struct kunit *test, struct io_pgtable_ops *ops,
		   unsigned long iova, size_t pgsize, size_t pgcount, int prot)
{
	size_t mapped = 0;

	KUNIT_ASSERT_EQ(test, ops->map_pages(ops, iova, DT_PHYS + iova,
					     pgsize, pgcount, prot, GFP_KERNEL,
					     &mapped), 0);
	KUNIT_ASSERT_EQ(test, mapped, pgsize * pgcount);
}

static void dt_map_rw(struct kunit *test, struct io_pgtable_ops *ops,
		      unsigned long iova, size_t pgsize, size_t pgcount)
{
	dt_map(test, ops, iova, pgsize, pgcount, IOMMU_READ | IOMMU_WRITE);
}

/* The leaf translating @iova, found by walking the table, and its size */
static arm_lpae_iopte *dt_leaf(struct kunit *test, struct io_pgtable_ops *ops,
			       unsigned long iova, size_t *size)
{
	struct arm_lpae_io_pgtable *data = io_pgtable_ops_to_data(ops);
	arm_lpae_iopte *ptep = data->pgd;
	int lvl;

	for (lvl = data->start_level; lvl < ARM_LPAE_MAX_LEVELS; lvl++) {
		arm_lpae_iopte pte;

		ptep += ARM_LPAE_LVL_IDX(iova, lvl, data);
		pte = READ_ONCE(*ptep);
		KUNIT_ASSERT_TRUE_MSG(test, pte & ARM_LPAE_PTE_VALID,
				      "nothing maps 0x%lx", iova);
		if (iopte_leaf(pte, lvl, data->iop.fmt)) {
			if (size)
				*size = ARM_LPAE_BLOCK_SIZE(lvl, data);
			return ptep;
		}
		ptep = iopte_deref(pte, data);
	}
	KUNIT_ASSERT_TRUE_MSG(test, false, "no leaf maps 0x%lx", iova);
	return NULL;
}

static bool dt_stage2(struct kunit *test)
{
	const struct dt_fmt *f = test->param_value;

	return f->fmt == ARM_64_LPAE_S2;
}

/* Can DMA write through the leaf now, without the walker updating it? */
static bool dt_write_granted(struct kunit *test, arm_lpae_iopte pte)
{
	if (dt_stage2(test))
		return pte & ARM_LPAE_PTE_HAP_WRITE;
	return !(pte & ARM_LPAE_PTE_AP_RDONLY);
}

static bool dt_dirty(struct kunit *test, struct io_pgtable_ops *ops,
		     unsigned long iova)
{
	arm_lpae_iopte pte = READ_ONCE(*dt_leaf(test, ops, iova, NULL));

	return (pte & ARM_LPAE_PTE_DBM) && dt_write_granted(test, pte);
}

/* Writable, but the first write will have the walker mark it dirty */
static bool dt_writable_clean(struct kunit *test, struct io_pgtable_ops *ops,
			      unsigned long iova)
{
	arm_lpae_iopte pte = READ_ONCE(*dt_leaf(test, ops, iova, NULL));

	return (pte & ARM_LPAE_PTE_DBM) && !dt_write_granted(test, pte);
}

/* What an SMMU with HTTU dirty state updates does on a write to @iova */
static void dt_dma_write(struct kunit *test, struct io_pgtable_ops *ops,
			 unsigned long iova)
{
	arm_lpae_iopte *ptep = dt_leaf(test, ops, iova, NULL);
	arm_lpae_iopte pte = READ_ONCE(*ptep);

	/* Without DBM and write permission the write would fault */
	KUNIT_ASSERT_TRUE(test, pte & ARM_LPAE_PTE_DBM);
	if (dt_stage2(test))
		pte |= ARM_LPAE_PTE_HAP_WRITE;
	else
		pte &= ~ARM_LPAE_PTE_AP_RDONLY;
	WRITE_ONCE(*ptep, pte);
}

/* Read @nbits bits of (1 << @pgshift) bytes from @iova into @bits */
static int dt_read_shift(struct io_pgtable_ops *ops, unsigned long iova,
			 unsigned int pgshift, unsigned long nbits,
			 unsigned long flags, unsigned long *bits,
			 struct iommu_iotlb_gather *gather)
{
	struct iommu_dirty_bitmap dirty = {
		.bits = bits,
		.iova = iova,
		.pgshift = pgshift,
		.nbits = nbits,
		.gather = gather,
	};

	if (bits)
		bitmap_zero(bits, nbits);
	return ops->read_and_clear_dirty(ops, iova, nbits << pgshift, flags,
					 &dirty);
}

static int dt_read(struct io_pgtable_ops *ops, unsigned long iova,
		   unsigned long nbits, unsigned long flags,
		   unsigned long *bits, struct iommu_iotlb_gather *gather)
{
	return dt_read_shift(ops, iova, DT_PGSHIFT, nbits, flags, bits,
			     gather);
}

/* Unmap @size bytes at @iova, reporting a bit a page from @iova in @bits */
static size_t dt_unmap(struct io_pgtable_ops *ops, unsigned long iova,
		       size_t size, unsigned long *bits,
		       struct iommu_iotlb_gather *gather)
{
	struct iommu_dirty_bitmap dirty = {
		.bits = bits,
		.iova = iova,
		.pgshift = DT_PGSHIFT,
		.nbits = size >> DT_PGSHIFT,
		.gather = gather,
	};

	bitmap_zero(bits, dirty.nbits);
	return ops->unmap_read_dirty(ops, iova, size, &dirty);
}

/* Does nothing translate any page of @size bytes at @iova? */
static bool dt_unmapped(struct io_pgtable_ops *ops, unsigned long iova,
			size_t size)
{
	unsigned long end = iova + size;

	for (; iova < end; iova += SZ_4K)
		if (ops->iova_to_phys(ops, iova))
			return false;
	return true;
}

/* Writable leaves are mapped clean and with DBM; read-only ones without */
static void dt_map_clean(struct kunit *test)
{
	struct io_pgtable_ops *ops = dt_alloc(test);
	DECLARE_BITMAP(bits, 1024);
	arm_lpae_iopte pte;

	dt_map_rw(test, ops, DT_IOVA, SZ_4K, 64);
	dt_map_rw(test, ops, DT_IOVA + SZ_2M, SZ_2M, 1);
	dt_map(test, ops, DT_IOVA + SZ_1M, SZ_4K, 1, IOMMU_READ);

	KUNIT_EXPECT_TRUE(test, dt_writable_clean(test, ops, DT_IOVA));
	KUNIT_EXPECT_TRUE(test, dt_writable_clean(test, ops,
						  DT_IOVA + 63 * SZ_4K));
	KUNIT_EXPECT_TRUE(test, dt_writable_clean(test, ops, DT_IOVA + SZ_2M));

	pte = READ_ONCE(*dt_leaf(test, ops, DT_IOVA + SZ_1M, NULL));
	KUNIT_EXPECT_FALSE(test, pte & ARM_LPAE_PTE_DBM);
	KUNIT_EXPECT_FALSE(test, dt_write_granted(test, pte));

	/* The translations are those asked for */
	KUNIT_EXPECT_EQ(test, ops->iova_to_phys(ops, DT_IOVA + SZ_2M + 42),
			(phys_addr_t)(DT_PHYS + DT_IOVA + SZ_2M + 42));

	KUNIT_ASSERT_EQ(test, dt_read(ops, DT_IOVA, 1024, 0, bits, NULL), 0);
	KUNIT_EXPECT_TRUE(test, bitmap_empty(bits, 1024));
}

/* A read reports exactly the pages written, and cleans them unless told */
static void dt_read_and_clear(struct kunit *test)
{
	struct io_pgtable_ops *ops = dt_alloc(test);
	struct iommu_iotlb_gather gather;
	DECLARE_BITMAP(bits, 64);

	dt_map_rw(test, ops, DT_IOVA, SZ_4K, 64);
	dt_dma_write(test, ops, DT_IOVA + 3 * SZ_4K);
	dt_dma_write(test, ops, DT_IOVA + 63 * SZ_4K);

	/* NO_CLEAR reports them and leaves them dirty, as often as asked */
	KUNIT_ASSERT_EQ(test, dt_read(ops, DT_IOVA, 64, IOMMU_DIRTY_NO_CLEAR,
				      bits, NULL), 0);
	KUNIT_EXPECT_EQ(test, bitmap_weight(bits, 64), 2);
	KUNIT_EXPECT_TRUE(test, test_bit(3, bits));
	KUNIT_EXPECT_TRUE(test, test_bit(63, bits));
	KUNIT_EXPECT_TRUE(test, dt_dirty(test, ops, DT_IOVA + 3 * SZ_4K));
	KUNIT_ASSERT_EQ(test, dt_read(ops, DT_IOVA, 64, IOMMU_DIRTY_NO_CLEAR,
				      bits, NULL), 0);
	KUNIT_EXPECT_EQ(test, bitmap_weight(bits, 64), 2);

	/* A read reports them, cleans them and gathers them for one flush */
	iommu_iotlb_gather_init(&gather);
	KUNIT_ASSERT_EQ(test, dt_read(ops, DT_IOVA, 64, 0, bits, &gather), 0);
	KUNIT_EXPECT_EQ(test, bitmap_weight(bits, 64), 2);
	KUNIT_EXPECT_TRUE(test, test_bit(3, bits));
	KUNIT_EXPECT_TRUE(test, test_bit(63, bits));
	KUNIT_EXPECT_EQ(test, gather.start, DT_IOVA + 3 * SZ_4K);
	KUNIT_EXPECT_EQ(test, gather.end, DT_IOVA + 64 * SZ_4K - 1);
	/* Clean again is writable-clean: DBM stays for the next write */
	KUNIT_EXPECT_TRUE(test, dt_writable_clean(test, ops,
						  DT_IOVA + 3 * SZ_4K));
	KUNIT_EXPECT_TRUE(test, dt_writable_clean(test, ops,
						  DT_IOVA + 63 * SZ_4K));

	/* Nothing is left to report or to flush */
	iommu_iotlb_gather_init(&gather);
	KUNIT_ASSERT_EQ(test, dt_read(ops, DT_IOVA, 64, 0, bits, &gather), 0);
	KUNIT_EXPECT_TRUE(test, bitmap_empty(bits, 64));
	KUNIT_EXPECT_EQ(test, gather.start, ULONG_MAX);
	KUNIT_EXPECT_EQ(test, gather.end, 0UL);

	/* The next write is seen again; a clean-only pass needs no bitmap */
	dt_dma_write(test, ops, DT_IOVA + 3 * SZ_4K);
	KUNIT_ASSERT_EQ(test, dt_read(ops, DT_IOVA, 64, 0, NULL, NULL), 0);
	KUNIT_EXPECT_TRUE(test, dt_writable_clean(test, ops,
						  DT_IOVA + 3 * SZ_4K));
}

/* A 2 MiB leaf is reported whole, also to windows that hold part of it */
static void dt_block(struct kunit *test)
{
	struct io_pgtable_ops *ops = dt_alloc(test);
	struct iommu_dirty_bitmap dirty = {};
	struct iommu_iotlb_gather gather;
	DECLARE_BITMAP(bits, 1024);
	size_t size;

	dt_map_rw(test, ops, DT_IOVA, SZ_2M, 2);
	dt_leaf(test, ops, DT_IOVA + SZ_2M, &size);
	KUNIT_ASSERT_EQ(test, size, (size_t)SZ_2M);

	dt_dma_write(test, ops, DT_IOVA + SZ_2M + 5 * SZ_4K);
	KUNIT_ASSERT_EQ(test, dt_read(ops, DT_IOVA, 1024, IOMMU_DIRTY_NO_CLEAR,
				      bits, NULL), 0);
	KUNIT_EXPECT_EQ(test, bitmap_weight(bits, 1024), 512);
	KUNIT_EXPECT_EQ(test, find_first_bit(bits, 1024), 512UL);

	/* A window on the second half of the leaf: the whole is cleaned */
	iommu_iotlb_gather_init(&gather);
	bitmap_zero(bits, 1024);
	dirty.bits = bits;
	dirty.iova = DT_IOVA + SZ_2M + SZ_1M;
	dirty.pgshift = DT_PGSHIFT;
	dirty.nbits = 256;
	dirty.gather = &gather;
	KUNIT_ASSERT_EQ(test, ops->read_and_clear_dirty(ops, dirty.iova, SZ_1M,
							0, &dirty), 0);
	KUNIT_EXPECT_EQ(test, bitmap_weight(bits, 256), 256);
	KUNIT_EXPECT_EQ(test, dirty.carry_last, 0UL);
	KUNIT_EXPECT_EQ(test, gather.start, DT_IOVA + SZ_2M);
	KUNIT_EXPECT_EQ(test, gather.end, DT_IOVA + SZ_4M - 1);
	KUNIT_EXPECT_TRUE(test, dt_writable_clean(test, ops, DT_IOVA + SZ_2M));

	/* A window ending inside the leaf learns where the leaf ends */
	dt_dma_write(test, ops, DT_IOVA + SZ_4M - SZ_4K);
	bitmap_zero(bits, 1024);
	dirty.iova = DT_IOVA + SZ_1M;
	dirty.nbits = 512;
	dirty.carry_last = 0;
	dirty.gather = NULL;
	KUNIT_ASSERT_EQ(test, ops->read_and_clear_dirty(ops, dirty.iova, SZ_2M,
							0, &dirty), 0);
	KUNIT_EXPECT_EQ(test, bitmap_weight(bits, 512), 256);
	KUNIT_EXPECT_EQ(test, find_first_bit(bits, 512), 256UL);
	KUNIT_EXPECT_EQ(test, dirty.carry_last, DT_IOVA + SZ_4M - 1);
	KUNIT_EXPECT_FALSE(test, dt_dirty(test, ops, DT_IOVA + SZ_2M));
}

/* Unmapped IOVA, and the tables it would take, are skipped */
static void dt_holes(struct kunit *test)
{
	struct io_pgtable_ops *ops = dt_alloc(test);
	unsigned long far = 600UL * SZ_1G;	/* past 512 GiB */
	struct iommu_iotlb_gather gather;
	DECLARE_BITMAP(bits, 1024);

	dt_map_rw(test, ops, DT_IOVA, SZ_4K, 1);
	dt_map_rw(test, ops, DT_IOVA + SZ_1G - SZ_4K, SZ_4K, 1);
	dt_map_rw(test, ops, far, SZ_2M, 1);
	dt_dma_write(test, ops, DT_IOVA);
	dt_dma_write(test, ops, DT_IOVA + SZ_1G - SZ_4K);
	dt_dma_write(test, ops, far + SZ_1M);

	/* Nothing mapped in a range: nothing reported, no error */
	KUNIT_ASSERT_EQ(test, dt_read(ops, 4UL * SZ_1G, 1024, 0, bits, NULL),
			0);
	KUNIT_EXPECT_TRUE(test, bitmap_empty(bits, 1024));

	/* The first TiB, a bit a GiB */
	iommu_iotlb_gather_init(&gather);
	KUNIT_ASSERT_EQ(test, dt_read_shift(ops, 0, 30, 1024, 0, bits, &gather),
			0);
	KUNIT_EXPECT_EQ(test, bitmap_weight(bits, 1024), 2);
	KUNIT_EXPECT_TRUE(test, test_bit(1, bits));
	KUNIT_EXPECT_TRUE(test, test_bit(600, bits));
	KUNIT_EXPECT_EQ(test, gather.start, DT_IOVA);
	KUNIT_EXPECT_EQ(test, gather.end, far + SZ_2M - 1);
	KUNIT_EXPECT_FALSE(test, dt_dirty(test, ops, DT_IOVA + SZ_1G - SZ_4K));
	KUNIT_EXPECT_FALSE(test, dt_dirty(test, ops, far));
}

/* A block split by a partial unmap passes DBM and dirty state to its pages */
static void dt_split(struct kunit *test)
{
	struct io_pgtable_ops *ops = dt_alloc(test);
	DECLARE_BITMAP(bits, 1024);
	size_t size;

	dt_map_rw(test, ops, DT_IOVA, SZ_2M, 2);
	dt_dma_write(test, ops, DT_IOVA + SZ_2M);

	KUNIT_ASSERT_EQ(test, ops->unmap_pages(ops, DT_IOVA + 7 * SZ_4K, SZ_4K,
					       1, NULL), (size_t)SZ_4K);
	KUNIT_ASSERT_EQ(test, ops->unmap_pages(ops, DT_IOVA + SZ_2M + SZ_4K,
					       SZ_4K, 1, NULL), (size_t)SZ_4K);
	dt_leaf(test, ops, DT_IOVA, &size);
	KUNIT_ASSERT_EQ(test, size, (size_t)SZ_4K);
	KUNIT_EXPECT_TRUE(test, dt_writable_clean(test, ops, DT_IOVA));
	KUNIT_EXPECT_TRUE(test, dt_writable_clean(test, ops,
						  DT_IOVA + SZ_2M - SZ_4K));

	KUNIT_ASSERT_EQ(test, dt_read(ops, DT_IOVA, 1024, 0, bits, NULL), 0);
	KUNIT_EXPECT_EQ(test, bitmap_weight(bits, 1024), 511);
	KUNIT_EXPECT_EQ(test, find_first_bit(bits, 1024), 512UL);
	KUNIT_EXPECT_FALSE(test, test_bit(513, bits));
	KUNIT_EXPECT_TRUE(test, dt_writable_clean(test, ops,
						  DT_IOVA + SZ_2M + SZ_1M));
}

/*
 * An unmap that reads the dirty state reports exactly the dirty leaves it
 * removes, a 2 MiB one whole, and leaves nothing behind it in the range.
 */
static void dt_unmap_read_dirty(struct kunit *test)
{
	struct io_pgtable_ops *ops = dt_alloc(test);
	struct dt_ctx *ctx = test->priv;
	/* 64 pages up to a 2 MiB boundary, then two 2 MiB leaves */
	unsigned long iova = DT_IOVA + SZ_2M - 64 * SZ_4K;
	size_t len = 64 * SZ_4K + 2 * SZ_2M;
	struct iommu_iotlb_gather gather;
	DECLARE_BITMAP(bits, 64 + 1024);

	dt_map_rw(test, ops, iova - SZ_4K, SZ_4K, 64);
	dt_map(test, ops, iova + 63 * SZ_4K, SZ_4K, 1, IOMMU_READ);
	dt_map_rw(test, ops, DT_IOVA + SZ_2M, SZ_2M, 2);
	dt_map_rw(test, ops, iova + len, SZ_4K, 1);
	dt_dma_write(test, ops, iova + 3 * SZ_4K);
	dt_dma_write(test, ops, iova + 62 * SZ_4K);
	dt_dma_write(test, ops, DT_IOVA + SZ_4M + 5 * SZ_4K);
	/* Outside the range: neither reported nor unmapped */
	dt_dma_write(test, ops, iova - SZ_4K);
	dt_dma_write(test, ops, iova + len);

	iommu_iotlb_gather_init(&gather);
	KUNIT_ASSERT_EQ(test, dt_unmap(ops, iova, len, bits, &gather), len);
	KUNIT_EXPECT_EQ(test, bitmap_weight(bits, 64 + 1024), 2 + 512);
	KUNIT_EXPECT_TRUE(test, test_bit(3, bits));
	KUNIT_EXPECT_TRUE(test, test_bit(62, bits));
	/* The clean 2 MiB leaf is not reported, the dirty one is, whole */
	KUNIT_EXPECT_EQ(test, find_next_bit(bits, 64 + 1024, 63), 64UL + 512);
	KUNIT_EXPECT_TRUE(test, dt_unmapped(ops, iova, len));

	/* Left to the caller to invalidate: nothing page by page */
	KUNIT_EXPECT_EQ(test, ctx->add_pages, 0U);
	KUNIT_EXPECT_EQ(test, gather.pgsize, 0UL);
	KUNIT_EXPECT_EQ(test, gather.start, iova + 3 * SZ_4K);
	KUNIT_EXPECT_EQ(test, gather.end, iova + len - 1);

	KUNIT_EXPECT_TRUE(test, dt_dirty(test, ops, iova - SZ_4K));
	KUNIT_EXPECT_TRUE(test, dt_dirty(test, ops, iova + len));
}

/* A table unmapped whole is freed, with the dirty leaves in it reported */
static void dt_unmap_read_dirty_table(struct kunit *test)
{
	struct io_pgtable_ops *ops = dt_alloc(test);
	struct dt_ctx *ctx = test->priv;
	DECLARE_BITMAP(bits, 1024);

	/* Two last-level tables, each filled by one call */
	dt_map_rw(test, ops, DT_IOVA, SZ_4K, 512);
	dt_map_rw(test, ops, DT_IOVA + SZ_2M, SZ_4K, 512);
	dt_dma_write(test, ops, DT_IOVA);
	dt_dma_write(test, ops, DT_IOVA + SZ_1M);
	dt_dma_write(test, ops, DT_IOVA + SZ_4M - SZ_4K);

	KUNIT_ASSERT_EQ(test, dt_unmap(ops, DT_IOVA, SZ_4M, bits, NULL),
			(size_t)SZ_4M);
	KUNIT_EXPECT_EQ(test, bitmap_weight(bits, 1024), 3);
	KUNIT_EXPECT_TRUE(test, test_bit(0, bits));
	KUNIT_EXPECT_TRUE(test, test_bit(256, bits));
	KUNIT_EXPECT_TRUE(test, test_bit(1023, bits));
	KUNIT_EXPECT_TRUE(test, dt_unmapped(ops, DT_IOVA, SZ_4M));
	/* Both last-level tables went, each after a walk cache flush */
	KUNIT_EXPECT_EQ(test, ctx->flush_walks, 2U);
	KUNIT_EXPECT_EQ(test, ctx->add_pages, 0U);

	/* A 2 MiB leaf fits there again */
	dt_map_rw(test, ops, DT_IOVA, SZ_2M, 1);
}

/* Part of a block: what is unmapped was dirty if the block was */
static void dt_unmap_read_dirty_split(struct kunit *test)
{
	struct io_pgtable_ops *ops = dt_alloc(test);
	DECLARE_BITMAP(bits, 512);

	dt_map_rw(test, ops, DT_IOVA, SZ_2M, 2);
	dt_dma_write(test, ops, DT_IOVA + SZ_2M + SZ_1M);

	KUNIT_ASSERT_EQ(test, dt_unmap(ops, DT_IOVA + 7 * SZ_4K, SZ_4K, bits,
				       NULL), (size_t)SZ_4K);
	KUNIT_EXPECT_TRUE(test, bitmap_empty(bits, 1));
	KUNIT_ASSERT_EQ(test, dt_unmap(ops, DT_IOVA + SZ_2M + SZ_4K, SZ_8K,
				       bits, NULL), (size_t)SZ_8K);
	KUNIT_EXPECT_EQ(test, bitmap_weight(bits, 2), 2);

	KUNIT_EXPECT_TRUE(test, dt_unmapped(ops, DT_IOVA + 7 * SZ_4K, SZ_4K));
	KUNIT_EXPECT_TRUE(test, dt_unmapped(ops, DT_IOVA + SZ_2M + SZ_4K,
					    SZ_8K));
	/* The rest stays mapped, the pages keeping the block's state */
	KUNIT_EXPECT_TRUE(test, dt_writable_clean(test, ops, DT_IOVA));
	KUNIT_EXPECT_TRUE(test, dt_writable_clean(test, ops,
						  DT_IOVA + 8 * SZ_4K));
	KUNIT_EXPECT_TRUE(test, dt_dirty(test, ops, DT_IOVA + SZ_2M));
	KUNIT_EXPECT_TRUE(test, dt_dirty(test, ops, DT_IOVA + SZ_4M - SZ_4K));
	KUNIT_EXPECT_EQ(test, ops->iova_to_phys(ops, DT_IOVA + SZ_2M + SZ_8K +
						SZ_4K),
			(phys_addr_t)(DT_PHYS + DT_IOVA + SZ_2M + 3 * SZ_4K));

	/* The rest of the dirty block, now pages, in one go */
	KUNIT_ASSERT_EQ(test, dt_unmap(ops, DT_IOVA + SZ_2M + 3 * SZ_4K,
				       SZ_2M - 3 * SZ_4K, bits, NULL),
			(size_t)(SZ_2M - 3 * SZ_4K));
	KUNIT_EXPECT_EQ(test, bitmap_weight(bits, 512 - 3), 512 - 3);
	KUNIT_EXPECT_TRUE(test, dt_unmapped(ops, DT_IOVA + SZ_2M + SZ_4K,
					    SZ_2M - SZ_4K));
	KUNIT_EXPECT_TRUE(test, dt_dirty(test, ops, DT_IOVA + SZ_2M));
}

/* Ranges that cannot be unmapped unmap nothing */
static void dt_unmap_read_dirty_bad(struct kunit *test)
{
	const struct dt_fmt *f = test->param_value;
	struct io_pgtable_ops *ops = dt_alloc(test);
	unsigned long top = (1UL << f->ias) - SZ_4K;
	struct iommu_dirty_bitmap dirty = {};

	dt_map_rw(test, ops, DT_IOVA, SZ_4K, 2);
	dt_dma_write(test, ops, DT_IOVA);
	KUNIT_EXPECT_EQ(test, ops->unmap_read_dirty(ops, DT_IOVA, 0, &dirty),
			0);
	KUNIT_EXPECT_EQ(test, ops->unmap_read_dirty(ops, DT_IOVA + 1, SZ_4K,
						    &dirty), 0);
	KUNIT_EXPECT_EQ(test, ops->unmap_read_dirty(ops, DT_IOVA, SZ_4K + 1,
						    &dirty), 0);
	KUNIT_EXPECT_EQ(test, ops->unmap_read_dirty(ops, top, SZ_8K, &dirty),
			0);
	KUNIT_EXPECT_TRUE(test, dt_dirty(test, ops, DT_IOVA));
	KUNIT_EXPECT_TRUE(test, dt_writable_clean(test, ops,
						  DT_IOVA + SZ_4K));
}

/* Without the quirk writable leaves are writable, and there is no reading */
static void dt_no_quirk(struct kunit *test)
{
	struct io_pgtable_ops *ops = dt_alloc_quirks(test, 0);
	DECLARE_BITMAP(bits, 64);
	arm_lpae_iopte pte;

	dt_map_rw(test, ops, DT_IOVA, SZ_4K, 1);
	pte = READ_ONCE(*dt_leaf(test, ops, DT_IOVA, NULL));
	KUNIT_EXPECT_FALSE(test, pte & ARM_LPAE_PTE_DBM);
	KUNIT_EXPECT_TRUE(test, dt_write_granted(test, pte));
	KUNIT_EXPECT_EQ(test, dt_read(ops, DT_IOVA, 64, 0, bits, NULL),
			-EINVAL);
	/* An unmap that reads the dirty state finds nothing, but unmaps */
	KUNIT_EXPECT_EQ(test, dt_unmap(ops, DT_IOVA, SZ_4K, bits, NULL),
			(size_t)SZ_4K);
	KUNIT_EXPECT_TRUE(test, bitmap_empty(bits, 1));
	KUNIT_EXPECT_EQ(test, ops->iova_to_phys(ops, DT_IOVA), 0);
}

/* Ranges the table cannot hold are refused */
static void dt_bad_range(struct kunit *test)
{
	const struct dt_fmt *f = test->param_value;
	struct io_pgtable_ops *ops = dt_alloc(test);
	unsigned long top = (1UL << f->ias) - SZ_4K;
	unsigned long wrap = ULONG_MAX - SZ_4K + 1;
	struct iommu_dirty_bitmap dirty = {};

	KUNIT_EXPECT_EQ(test, ops->read_and_clear_dirty(ops, DT_IOVA, 0, 0,
							&dirty), -EINVAL);
	/* Past the input size, or past the end of the address space */
	KUNIT_EXPECT_EQ(test, ops->read_and_clear_dirty(ops, top, SZ_8K, 0,
							&dirty), -EINVAL);
	KUNIT_EXPECT_EQ(test, ops->read_and_clear_dirty(ops, wrap, SZ_8K, 0,
							&dirty), -EINVAL);
}

/* The quirk needs a coherent walker and an AArch64 format */
static void dt_quirk_refused(struct kunit *test)
{
	struct dt_ctx *ctx = test->priv;
	struct io_pgtable_cfg cfg = dt_cfg(ctx, 48, IO_PGTABLE_QUIRK_ARM_HD);

	cfg.coherent_walk = false;
	KUNIT_EXPECT_NULL(test, alloc_io_pgtable_ops(ARM_64_LPAE_S1, &cfg,
						     ctx));
	cfg = dt_cfg(ctx, 32, IO_PGTABLE_QUIRK_ARM_HD);
	KUNIT_EXPECT_NULL(test, alloc_io_pgtable_ops(ARM_32_LPAE_S1, &cfg,
						     ctx));
	cfg = dt_cfg(ctx, 40, IO_PGTABLE_QUIRK_ARM_HD);
	cfg.oas = 40;
	KUNIT_EXPECT_NULL(test, alloc_io_pgtable_ops(ARM_32_LPAE_S2, &cfg,
						     ctx));
}

static struct kunit_case dt_cases[] = {
	KUNIT_CASE_PARAM(dt_map_clean, dt_fmt_gen_params),
	KUNIT_CASE_PARAM(dt_read_and_clear, dt_fmt_gen_params),
	KUNIT_CASE_PARAM(dt_block, dt_fmt_gen_params),
	KUNIT_CASE_PARAM(dt_holes, dt_fmt_gen_params),
	KUNIT_CASE_PARAM(dt_split, dt_fmt_gen_params),
	KUNIT_CASE_PARAM(dt_unmap_read_dirty, dt_fmt_gen_params),
	KUNIT_CASE_PARAM(dt_unmap_read_dirty_table, dt_fmt_gen_params),
	KUNIT_CASE_PARAM(dt_unmap_read_dirty_split, dt_fmt_gen_params),
	KUNIT_CASE_PARAM(dt_unmap_read_dirty_bad, dt_fmt_gen_params),
	KUNIT_CASE_PARAM(dt_no_quirk, dt_fmt_gen_params),
	KUNIT_CASE_PARAM(dt_bad_range, dt_fmt_gen_params),
	KUNIT_CASE(dt_quirk_refused),
	{}
};

static struct kunit_suite dt_suite = {
	.name = "io-pgtable-arm-dirty",
	.init = dt_init,
	.exit = dt_exit,
	.test_cases = dt_cases,
};

kunit_test_suite(dt_suite);
