// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the queue of unrecoverable DMA faults in the IOMMU core.
 * Included at the end of drivers/iommu/iommu.c, so that a test can run its
 * own small queue and drain it synchronously instead of waiting for
 * dma_fault_wq.  A root device in a group of its own stands in for a
 * device; the test sets group->domain itself, as an attach would.
 */
#include <kunit/test.h>

#define DFT_SLOTS	4

struct dft_seen {
	unsigned int calls;
	unsigned int legacy_calls;
	struct iommu_domain *domain;
	struct device *dev;
	u64 iova;
	u32 lost;
	u32 total_lost;
	int legacy_flags;
};

struct dft_ctx {
	struct dma_fault_entry slots[DFT_SLOTS];
	struct dma_fault_queue q;
	struct device *dev;
	struct iommu_group *group;
	struct iommu_domain dom_a;
	struct iommu_domain dom_b;
	struct dft_seen seen;
};

static void dft_handler(struct iommu_domain *domain, struct device *dev,
			const struct iommu_dma_fault *fault, u32 lost,
			void *token)
{
	struct dft_seen *seen = token;

	seen->calls++;
	seen->domain = domain;
	seen->dev = dev;
	seen->iova = fault->iova;
	seen->lost = lost;
	seen->total_lost += lost;
}

static int dft_legacy_handler(struct iommu_domain *domain, struct device *dev,
			      unsigned long iova, int flags, void *token)
{
	struct dft_seen *seen = token;

	seen->legacy_calls++;
	seen->domain = domain;
	seen->iova = iova;
	seen->legacy_flags = flags;
	return 0;
}

/* Make @domain the group's domain, as an attach would; NULL detaches. */
static void dft_attach(struct dft_ctx *ctx, struct iommu_domain *domain)
{
	mutex_lock(&ctx->group->mutex);
	ctx->group->domain = domain;
	mutex_unlock(&ctx->group->mutex);
}

static bool dft_push(struct dft_ctx *ctx, u64 iova, u32 flags)
{
	struct iommu_dma_fault fault = {
		.iova = iova,
		.flags = flags,
	};

	return dma_fault_push(&ctx->q, ctx->dev, 0, 0, &fault);
}

static int dft_init(struct kunit *test)
{
	struct dft_ctx *ctx;
	int ret;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	raw_spin_lock_init(&ctx->q.lock);
	ctx->q.slots = ctx->slots;
	ctx->q.nr_slots = DFT_SLOTS;
	ctx->dom_a.type = IOMMU_DOMAIN_UNMANAGED;
	ctx->dom_b.type = IOMMU_DOMAIN_UNMANAGED;
	iommu_set_dma_fault_handler(&ctx->dom_a, dft_handler, &ctx->seen);
	iommu_set_dma_fault_handler(&ctx->dom_b, dft_handler, &ctx->seen);

	ctx->dev = root_device_register("iommu-dma-fault-kunit");
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(ctx->dev));
	ctx->group = iommu_group_alloc();
	if (IS_ERR(ctx->group)) {
		root_device_unregister(ctx->dev);
		KUNIT_ASSERT_FALSE(test, IS_ERR(ctx->group));
	}
	ret = iommu_group_add_device(ctx->group, ctx->dev);
	if (ret) {
		iommu_group_put(ctx->group);
		root_device_unregister(ctx->dev);
		KUNIT_ASSERT_EQ(test, ret, 0);
	}
	test->priv = ctx;
	return 0;
}

static void dft_exit(struct kunit *test)
{
	struct dft_ctx *ctx = test->priv;

	/* Whatever a test left queued gives its device references back */
	dft_attach(ctx, NULL);
	dma_fault_drain(&ctx->q);
	iommu_group_remove_device(ctx->dev);
	iommu_group_put(ctx->group);
	root_device_unregister(ctx->dev);
}

static void dft_delivers_to_attached_domain(struct kunit *test)
{
	struct dft_ctx *ctx = test->priv;

	dft_attach(ctx, &ctx->dom_a);
	KUNIT_ASSERT_TRUE(test, dft_push(ctx, 0x1000, IOMMU_DMA_FAULT_WRITE));
	dma_fault_drain(&ctx->q);
	KUNIT_EXPECT_EQ(test, ctx->seen.calls, 1U);
	KUNIT_EXPECT_PTR_EQ(test, ctx->seen.domain, &ctx->dom_a);
	KUNIT_EXPECT_PTR_EQ(test, ctx->seen.dev, ctx->dev);
	KUNIT_EXPECT_EQ(test, ctx->seen.iova, 0x1000ULL);
	KUNIT_EXPECT_EQ(test, ctx->seen.lost, 0U);
}

/* The domain attached when the fault is delivered gets it, not the one before */
static void dft_delivers_to_domain_at_delivery(struct kunit *test)
{
	struct dft_ctx *ctx = test->priv;

	dft_attach(ctx, &ctx->dom_a);
	KUNIT_ASSERT_TRUE(test, dft_push(ctx, 0x2000, 0));
	dft_attach(ctx, &ctx->dom_b);
	dma_fault_drain(&ctx->q);
	KUNIT_EXPECT_EQ(test, ctx->seen.calls, 1U);
	KUNIT_EXPECT_PTR_EQ(test, ctx->seen.domain, &ctx->dom_b);
	KUNIT_EXPECT_EQ(test, ctx->seen.iova, 0x2000ULL);
}

static void dft_keeps_order(struct kunit *test)
{
	struct dft_ctx *ctx = test->priv;
	unsigned int i;

	dft_attach(ctx, &ctx->dom_a);
	/* Go round the ring more than once */
	for (i = 0; i < 3 * DFT_SLOTS; i++) {
		KUNIT_ASSERT_TRUE(test, dft_push(ctx, 0x1000 * (i + 1), 0));
		if (i % 3 == 2) {
			dma_fault_drain(&ctx->q);
			KUNIT_EXPECT_EQ(test, ctx->seen.iova, 0x1000ULL * (i + 1));
		}
	}
	dma_fault_drain(&ctx->q);
	KUNIT_EXPECT_EQ(test, ctx->seen.calls, 3U * DFT_SLOTS);
	KUNIT_EXPECT_EQ(test, ctx->seen.total_lost, 0U);
}

/* Drops are counted and the count comes with the next fault delivered */
static void dft_overflow_reported(struct kunit *test)
{
	struct dft_ctx *ctx = test->priv;
	unsigned int i;

	dft_attach(ctx, &ctx->dom_a);
	for (i = 0; i < DFT_SLOTS; i++)
		KUNIT_EXPECT_TRUE(test, dft_push(ctx, 0x1000 * (i + 1), 0));
	KUNIT_EXPECT_FALSE(test, dft_push(ctx, 0xdead000, 0));
	KUNIT_EXPECT_FALSE(test, dft_push(ctx, 0xdead000, 0));
	KUNIT_EXPECT_FALSE(test, dft_push(ctx, 0xdead000, 0));

	dma_fault_drain(&ctx->q);
	KUNIT_EXPECT_EQ(test, ctx->seen.calls, DFT_SLOTS);
	KUNIT_EXPECT_EQ(test, ctx->seen.total_lost, 0U);
	KUNIT_EXPECT_EQ(test, ctx->seen.iova, 0x1000ULL * DFT_SLOTS);

	KUNIT_ASSERT_TRUE(test, dft_push(ctx, 0x9000, 0));
	dma_fault_drain(&ctx->q);
	KUNIT_EXPECT_EQ(test, ctx->seen.calls, DFT_SLOTS + 1);
	KUNIT_EXPECT_EQ(test, ctx->seen.iova, 0x9000ULL);
	KUNIT_EXPECT_EQ(test, ctx->seen.lost, 3U);

	/* Reported once only */
	KUNIT_ASSERT_TRUE(test, dft_push(ctx, 0xa000, 0));
	dma_fault_drain(&ctx->q);
	KUNIT_EXPECT_EQ(test, ctx->seen.lost, 0U);
	KUNIT_EXPECT_EQ(test, ctx->seen.total_lost, 3U);
}

/* Faults an IOMMU lost add to the core's drops */
static void dft_iommu_lost_reported(struct kunit *test)
{
	struct dft_ctx *ctx = test->priv;

	dft_attach(ctx, &ctx->dom_a);
	dma_fault_count_lost(&ctx->q, 1);
	dma_fault_count_lost(&ctx->q, 5);
	KUNIT_ASSERT_TRUE(test, dft_push(ctx, 0xc000, 0));
	dma_fault_drain(&ctx->q);
	KUNIT_EXPECT_EQ(test, ctx->seen.calls, 1U);
	KUNIT_EXPECT_EQ(test, ctx->seen.lost, 6U);

	/* The count saturates rather than wrapping to a small number */
	dma_fault_count_lost(&ctx->q, U32_MAX - 1);
	dma_fault_count_lost(&ctx->q, 7);
	KUNIT_ASSERT_TRUE(test, dft_push(ctx, 0xd000, 0));
	dma_fault_drain(&ctx->q);
	KUNIT_EXPECT_EQ(test, ctx->seen.lost, U32_MAX);
}

/*
 * A fault of a device with no domain reaches nobody, and the drops it
 * carried wait for the next fault a handler receives.
 */
static void dft_no_domain_dropped(struct kunit *test)
{
	struct dft_ctx *ctx = test->priv;
	unsigned int i;

	for (i = 0; i < DFT_SLOTS; i++)
		KUNIT_EXPECT_TRUE(test, dft_push(ctx, 0x1000, 0));
	KUNIT_EXPECT_FALSE(test, dft_push(ctx, 0x1000, 0));
	dma_fault_drain(&ctx->q);
	KUNIT_ASSERT_TRUE(test, dft_push(ctx, 0x3000, 0));
	dma_fault_drain(&ctx->q);
	KUNIT_EXPECT_EQ(test, ctx->seen.calls, 0U);
	KUNIT_EXPECT_EQ(test, ctx->q.unreported, 1U);

	dft_attach(ctx, &ctx->dom_a);
	KUNIT_ASSERT_TRUE(test, dft_push(ctx, 0x4000, 0));
	dma_fault_drain(&ctx->q);
	KUNIT_EXPECT_EQ(test, ctx->seen.calls, 1U);
	KUNIT_EXPECT_EQ(test, ctx->seen.iova, 0x4000ULL);
	KUNIT_EXPECT_EQ(test, ctx->seen.lost, 1U);
	KUNIT_EXPECT_EQ(test, ctx->q.unreported, 0U);
}

/* A device that left its group while its fault was queued gets no delivery */
static void dft_removed_device(struct kunit *test)
{
	struct dft_ctx *ctx = test->priv;

	dft_attach(ctx, &ctx->dom_a);
	KUNIT_ASSERT_TRUE(test, dft_push(ctx, 0x5000, 0));
	iommu_group_remove_device(ctx->dev);
	dma_fault_drain(&ctx->q);
	KUNIT_EXPECT_EQ(test, ctx->seen.calls, 0U);
	/* Back in, so that dft_exit() finds it where dft_init() put it */
	dft_attach(ctx, NULL);
	KUNIT_ASSERT_EQ(test, iommu_group_add_device(ctx->group, ctx->dev), 0);
}

/* Without a DMA fault handler, the report_iommu_fault() handler is called */
static void dft_legacy_handler_called(struct kunit *test)
{
	struct dft_ctx *ctx = test->priv;

	iommu_set_dma_fault_handler(&ctx->dom_a, NULL, NULL);
	iommu_set_fault_handler(&ctx->dom_a, dft_legacy_handler, &ctx->seen);
	dft_attach(ctx, &ctx->dom_a);

	KUNIT_ASSERT_TRUE(test, dft_push(ctx, 0x6000, IOMMU_DMA_FAULT_WRITE));
	dma_fault_drain(&ctx->q);
	KUNIT_EXPECT_EQ(test, ctx->seen.legacy_calls, 1U);
	KUNIT_EXPECT_EQ(test, ctx->seen.iova, 0x6000ULL);
	KUNIT_EXPECT_EQ(test, ctx->seen.legacy_flags, IOMMU_FAULT_WRITE);

	KUNIT_ASSERT_TRUE(test, dft_push(ctx, 0x7000, IOMMU_DMA_FAULT_WRITE |
					 IOMMU_DMA_FAULT_DIR_UNKNOWN));
	dma_fault_drain(&ctx->q);
	KUNIT_EXPECT_EQ(test, ctx->seen.legacy_calls, 2U);
	KUNIT_EXPECT_EQ(test, ctx->seen.legacy_flags, IOMMU_FAULT_READ);

	/* The new handler wins when both are set */
	iommu_set_dma_fault_handler(&ctx->dom_a, dft_handler, &ctx->seen);
	KUNIT_ASSERT_TRUE(test, dft_push(ctx, 0x8000, 0));
	dma_fault_drain(&ctx->q);
	KUNIT_EXPECT_EQ(test, ctx->seen.legacy_calls, 2U);
	KUNIT_EXPECT_EQ(test, ctx->seen.calls, 1U);
}

/* The real entry point queues, and the workqueue delivers */
static void dft_report_entry_point(struct kunit *test)
{
	struct dft_ctx *ctx = test->priv;
	struct iommu_dma_fault fault = {
		.iova = 0xb000,
		.flags = IOMMU_DMA_FAULT_WRITE,
	};

	if (!dma_fault_wq)
		kunit_skip(test, "no DMA fault workqueue");
	dft_attach(ctx, &ctx->dom_a);
	KUNIT_ASSERT_EQ(test, iommu_report_dma_fault(ctx->dev, &fault), 0);
	flush_workqueue(dma_fault_wq);
	KUNIT_EXPECT_EQ(test, ctx->seen.calls, 1U);
	KUNIT_EXPECT_EQ(test, ctx->seen.iova, 0xb000ULL);
	/* Nothing else ran into a full queue in this guest */
	KUNIT_EXPECT_EQ(test, ctx->seen.lost, 0U);
}

static struct kunit_case dma_fault_test_cases[] = {
	KUNIT_CASE(dft_delivers_to_attached_domain),
	KUNIT_CASE(dft_delivers_to_domain_at_delivery),
	KUNIT_CASE(dft_keeps_order),
	KUNIT_CASE(dft_overflow_reported),
	KUNIT_CASE(dft_iommu_lost_reported),
	KUNIT_CASE(dft_no_domain_dropped),
	KUNIT_CASE(dft_removed_device),
	KUNIT_CASE(dft_legacy_handler_called),
	KUNIT_CASE(dft_report_entry_point),
	{}
};

static struct kunit_suite dma_fault_test_suite = {
	.name = "iommu-dma-fault",
	.init = dft_init,
	.exit = dft_exit,
	.test_cases = dma_fault_test_cases,
};

kunit_test_suite(dma_fault_test_suite);
