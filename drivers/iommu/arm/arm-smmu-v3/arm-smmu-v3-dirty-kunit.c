// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for arm-smmu-v3 dirty tracking, on the driver's side: which
 * SMMUs it is offered on, refusals at allocation and attach, and the
 * dirty ops on a domain with real tables. The SMMUs are made up: nothing
 * here reaches one, which is why attach is only tried where it fails
 * before programming anything. The tables themselves are tested with
 * io-pgtable-arm. Included by arm-smmu-v3.c.
 */
#include <kunit/test.h>

#define SDT_IOVA	0x40000000UL

/* A made-up SMMU and a device behind it */
struct sdt_dev {
	struct arm_smmu_device smmu;
	struct arm_smmu_master master;
	struct iommu_fwspec fwspec;
	struct dev_iommu param;
	struct device dev;
};

struct sdt_ctx {
	struct device smmu_dev;
	struct io_pgtable_ops *ops;
};

static void sdt_tlb_flush_all(void *cookie)
{
}

static void sdt_tlb_flush_walk(unsigned long iova, size_t size,
			       size_t granule, void *cookie)
{
}

static void sdt_tlb_add_page(struct iommu_iotlb_gather *gather,
			     unsigned long iova, size_t granule, void *cookie)
{
}

static const struct iommu_flush_ops sdt_tlb_ops = {
	.tlb_flush_all	= sdt_tlb_flush_all,
	.tlb_flush_walk	= sdt_tlb_flush_walk,
	.tlb_add_page	= sdt_tlb_add_page,
};

static int sdt_init(struct kunit *test)
{
	struct sdt_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	if (!ctx)
		return -ENOMEM;
	ctx->smmu_dev.init_name = "sdt-smmu";
	set_dev_node(&ctx->smmu_dev, NUMA_NO_NODE);
	test->priv = ctx;
	return 0;
}

static void sdt_exit(struct kunit *test)
{
	struct sdt_ctx *ctx = test->priv;

	if (ctx->ops)
		free_io_pgtable_ops(ctx->ops);
}

static struct sdt_dev *sdt_dev(struct kunit *test, u32 features)
{
	struct sdt_ctx *ctx = test->priv;
	struct sdt_dev *d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, d);
	d->smmu.dev = &ctx->smmu_dev;
	d->smmu.features = ARM_SMMU_FEAT_TRANS_S1 | features;
	d->smmu.pgsize_bitmap = SZ_4K | SZ_2M | SZ_1G;
	d->smmu.ias = 48;
	d->smmu.oas = 48;
	d->master.smmu = &d->smmu;
	d->master.dev = &d->dev;
	d->param.fwspec = &d->fwspec;
	d->param.priv = &d->master;
	d->dev.iommu = &d->param;
	d->dev.init_name = "sdt-dev";
	return d;
}

#define SDT_CAN_TRACK	(ARM_SMMU_FEAT_HA | ARM_SMMU_FEAT_HD | \
			 ARM_SMMU_FEAT_COHERENCY)

/* A tracking S1 domain of @smmu with tables, as allocation leaves it */
static struct arm_smmu_domain *sdt_domain(struct kunit *test,
					  struct arm_smmu_device *smmu)
{
	struct sdt_ctx *ctx = test->priv;
	struct arm_smmu_domain *smmu_domain;
	struct io_pgtable_cfg cfg = {
		.quirks		= IO_PGTABLE_QUIRK_ARM_HD,
		.pgsize_bitmap	= smmu->pgsize_bitmap,
		.ias		= 48,
		.oas		= 48,
		.coherent_walk	= true,
		.tlb		= &sdt_tlb_ops,
		.iommu_dev	= &ctx->smmu_dev,
	};

	smmu_domain = kunit_kzalloc(test, sizeof(*smmu_domain), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, smmu_domain);
	mutex_init(&smmu_domain->init_mutex);
	INIT_LIST_HEAD(&smmu_domain->devices);
	spin_lock_init(&smmu_domain->devices_lock);
	INIT_LIST_HEAD(&smmu_domain->mmu_notifiers);
	smmu_domain->smmu = smmu;
	smmu_domain->stage = ARM_SMMU_DOMAIN_S1;
	smmu_domain->domain.type = IOMMU_DOMAIN_UNMANAGED;
	smmu_domain->domain.dirty_ops = &arm_smmu_dirty_ops;

	ctx->ops = alloc_io_pgtable_ops(ARM_64_LPAE_S1, &cfg, smmu_domain);
	KUNIT_ASSERT_NOT_NULL(test, ctx->ops);
	smmu_domain->pgtbl_ops = ctx->ops;
	smmu_domain->domain.pgsize_bitmap = cfg.pgsize_bitmap;
	return smmu_domain;
}

/* IDR0.HTTU, or the IORT's override of it, in features */
static void sdt_httu(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, arm_smmu_httu_features(0), 0U);
	KUNIT_EXPECT_EQ(test, arm_smmu_httu_features(IDR0_HTTU_ACCESS),
			(u32)ARM_SMMU_FEAT_HA);
	KUNIT_EXPECT_EQ(test, arm_smmu_httu_features(IDR0_HTTU_ACCESS_DIRTY),
			(u32)(ARM_SMMU_FEAT_HA | ARM_SMMU_FEAT_HD));
	KUNIT_EXPECT_EQ(test, arm_smmu_httu_features(3),
			(u32)(ARM_SMMU_FEAT_HA | ARM_SMMU_FEAT_HD));
}

static bool sdt_capable_with(struct kunit *test, u32 features)
{
	struct sdt_dev *d = sdt_dev(test, features);

	return arm_smmu_capable(&d->dev, IOMMU_CAP_DIRTY_TRACKING);
}

/* Offered where the SMMU updates dirty state and walks coherently */
static void sdt_capable(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, sdt_capable_with(test, SDT_CAN_TRACK));
	/* Access flag updates alone */
	KUNIT_EXPECT_FALSE(test, sdt_capable_with(test, ARM_SMMU_FEAT_HA |
						  ARM_SMMU_FEAT_COHERENCY));
	/* Dirty state updates the CPU would not see */
	KUNIT_EXPECT_FALSE(test, sdt_capable_with(test, ARM_SMMU_FEAT_HA |
						  ARM_SMMU_FEAT_HD));
	KUNIT_EXPECT_FALSE(test, sdt_capable_with(test, 0));
}

/* Demands the SMMU cannot meet fail before anything is allocated */
static void sdt_alloc_refused(struct kunit *test)
{
	struct sdt_dev *cannot = sdt_dev(test, ARM_SMMU_FEAT_HA |
					       ARM_SMMU_FEAT_COHERENCY);
	struct sdt_dev *can = sdt_dev(test, SDT_CAN_TRACK);
	struct iommu_domain *domain;

	domain = arm_smmu_domain_alloc_paging_flags(&cannot->dev,
						    IOMMU_PAGING_DIRTY_TRACKING);
	KUNIT_EXPECT_EQ(test, PTR_ERR(domain), -EOPNOTSUPP);
	/* Unknown demands, even beside one the SMMU could meet */
	domain = arm_smmu_domain_alloc_paging_flags(&can->dev, BIT(31));
	KUNIT_EXPECT_EQ(test, PTR_ERR(domain), -EOPNOTSUPP);
	domain = arm_smmu_domain_alloc_paging_flags(&can->dev,
						    IOMMU_PAGING_DIRTY_TRACKING |
						    BIT(31));
	KUNIT_EXPECT_EQ(test, PTR_ERR(domain), -EOPNOTSUPP);
}

/* A device of an SMMU that cannot track is refused a tracking domain */
static void sdt_attach_refused(struct kunit *test)
{
	struct sdt_dev *can = sdt_dev(test, SDT_CAN_TRACK);
	struct sdt_dev *cannot = sdt_dev(test, ARM_SMMU_FEAT_COHERENCY);
	struct arm_smmu_domain *smmu_domain = sdt_domain(test, &can->smmu);

	KUNIT_EXPECT_EQ(test, arm_smmu_attach_dev(&smmu_domain->domain,
						  &cannot->dev), -EINVAL);
	KUNIT_EXPECT_NULL(test, cannot->master.domain);
	KUNIT_EXPECT_TRUE(test, list_empty(&smmu_domain->devices));
	/* Nor can such an SMMU finalise one */
	smmu_domain->smmu = &cannot->smmu;
	KUNIT_EXPECT_EQ(test, arm_smmu_domain_finalise(&smmu_domain->domain,
						       &cannot->master),
			-EINVAL);
}

static int sdt_read(struct arm_smmu_domain *smmu_domain, unsigned long *bits,
		    unsigned long nbits)
{
	struct iommu_dirty_bitmap dirty = {
		.bits = bits,
		.iova = SDT_IOVA,
		.pgshift = 12,
		.nbits = nbits,
	};

	if (bits)
		bitmap_zero(bits, nbits);
	return arm_smmu_dirty_ops.read_and_clear_dirty(&smmu_domain->domain,
						       SDT_IOVA, nbits << 12,
						       0, &dirty);
}

/* Reads with a bitmap only while tracking; cleaning at any time */
static void sdt_dirty_ops(struct kunit *test)
{
	struct sdt_dev *can = sdt_dev(test, SDT_CAN_TRACK);
	struct arm_smmu_domain *smmu_domain = sdt_domain(test, &can->smmu);
	struct iommu_domain *domain = &smmu_domain->domain;
	DECLARE_BITMAP(bits, 64);
	size_t mapped = 0;

	KUNIT_ASSERT_EQ(test, arm_smmu_map_pages(domain, SDT_IOVA, SZ_1G,
						 SZ_4K, 64,
						 IOMMU_READ | IOMMU_WRITE,
						 GFP_KERNEL, &mapped), 0);

	KUNIT_EXPECT_EQ(test, sdt_read(smmu_domain, bits, 64), -EINVAL);
	KUNIT_EXPECT_EQ(test, sdt_read(smmu_domain, NULL, 64), 0);

	/* Either state may be set again */
	KUNIT_EXPECT_EQ(test, arm_smmu_set_dirty_tracking(domain, true), 0);
	KUNIT_EXPECT_EQ(test, arm_smmu_set_dirty_tracking(domain, true), 0);
	/* Mapped writable-clean: nothing is dirty before DMA writes */
	KUNIT_EXPECT_EQ(test, sdt_read(smmu_domain, bits, 64), 0);
	KUNIT_EXPECT_TRUE(test, bitmap_empty(bits, 64));

	KUNIT_EXPECT_EQ(test, arm_smmu_set_dirty_tracking(domain, false), 0);
	KUNIT_EXPECT_EQ(test, arm_smmu_set_dirty_tracking(domain, false), 0);
	KUNIT_EXPECT_EQ(test, sdt_read(smmu_domain, bits, 64), -EINVAL);
}

/*
 * An unmap that reads the dirty state gathers the whole range without a
 * page size, for one invalidation with no level hint by the caller.
 */
static void sdt_unmap_read_dirty(struct kunit *test)
{
	struct sdt_dev *can = sdt_dev(test, SDT_CAN_TRACK);
	struct arm_smmu_domain *smmu_domain = sdt_domain(test, &can->smmu);
	struct iommu_domain *domain = &smmu_domain->domain;
	struct iommu_iotlb_gather gather;
	DECLARE_BITMAP(bits, 1024);
	struct iommu_dirty_bitmap dirty = {
		.bits = bits,
		.iova = SDT_IOVA,
		.pgshift = 12,
		.nbits = 1024,
		.gather = &gather,
	};
	typeof(arm_smmu_dirty_ops.unmap_read_dirty) unmap =
		arm_smmu_dirty_ops.unmap_read_dirty;
	size_t mapped = 0;

	KUNIT_ASSERT_EQ(test, arm_smmu_map_pages(domain, SDT_IOVA, SZ_1G,
						 SZ_4K, 64,
						 IOMMU_READ | IOMMU_WRITE,
						 GFP_KERNEL, &mapped), 0);
	KUNIT_ASSERT_EQ(test, arm_smmu_map_pages(domain, SDT_IOVA + SZ_2M,
						 SZ_1G + SZ_2M, SZ_2M, 1,
						 IOMMU_READ | IOMMU_WRITE,
						 GFP_KERNEL, &mapped), 0);
	KUNIT_EXPECT_EQ(test, arm_smmu_set_dirty_tracking(domain, true), 0);
	bitmap_zero(bits, 1024);
	iommu_iotlb_gather_init(&gather);

	KUNIT_EXPECT_EQ(test, unmap(domain, SDT_IOVA, 64 * SZ_4K, &dirty),
			(size_t)(64 * SZ_4K));
	KUNIT_EXPECT_EQ(test, gather.start, SDT_IOVA);
	KUNIT_EXPECT_EQ(test, gather.end, SDT_IOVA + 64 * SZ_4K - 1);
	KUNIT_EXPECT_EQ(test, unmap(domain, SDT_IOVA + SZ_2M, SZ_2M, &dirty),
			(size_t)SZ_2M);
	KUNIT_EXPECT_EQ(test, gather.start, SDT_IOVA);
	KUNIT_EXPECT_EQ(test, gather.end, SDT_IOVA + SZ_4M - 1);
	KUNIT_EXPECT_EQ(test, gather.pgsize, 0UL);

	/* Mapped writable-clean and never written: nothing to report */
	KUNIT_EXPECT_TRUE(test, bitmap_empty(bits, 1024));
	KUNIT_EXPECT_EQ(test, arm_smmu_iova_to_phys(domain, SDT_IOVA), 0);
	KUNIT_EXPECT_EQ(test, arm_smmu_iova_to_phys(domain, SDT_IOVA + SZ_2M),
			0);
}

static struct kunit_case sdt_cases[] = {
	KUNIT_CASE(sdt_httu),
	KUNIT_CASE(sdt_capable),
	KUNIT_CASE(sdt_alloc_refused),
	KUNIT_CASE(sdt_attach_refused),
	KUNIT_CASE(sdt_dirty_ops),
	KUNIT_CASE(sdt_unmap_read_dirty),
	{}
};

static struct kunit_suite sdt_suite = {
	.name = "arm-smmu-v3-dirty",
	.init = sdt_init,
	.exit = sdt_exit,
	.test_cases = sdt_cases,
};

kunit_test_suite(sdt_suite);
