// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for PASID attachments in the IOMMU core: what
 * iommu_attach_device_pasid(), iommu_replace_device_pasid() and
 * iommu_detach_device_pasid() refuse, what they ask of the driver, and
 * what the group's PASID records then block. Included at the end of
 * drivers/iommu/iommu.c for the group's internals.
 *
 * A root device in a group of its own stands for the device; its
 * dev->iommu points at a fake IOMMU whose driver ops only record calls.
 */
#include <kunit/test.h>

struct ipt_call {
	struct iommu_domain *domain;
	struct iommu_domain *old;
	ioasid_t pasid;
};

struct ipt_ctx {
	struct iommu_ops ops;
	struct iommu_domain_ops dom_ops;
	struct iommu_domain_ops bare_ops;	/* no set_dev_pasid */
	struct iommu_device iommu;
	struct dev_iommu param;
	struct device *dev;
	struct device *other;			/* a second group member */
	struct iommu_group *group;
	struct iommu_domain dom_a, dom_b, dom_nested, dom_ident, dom_bare;
	unsigned int sets, removes;
	struct ipt_call last_set, last_remove;
	int set_err;				/* set_dev_pasid() returns it */
};

/* One test at a time: the fake driver finds its context here. */
static struct ipt_ctx *ipt_cur;

static int ipt_set_dev_pasid(struct iommu_domain *domain, struct device *dev,
			     ioasid_t pasid, struct iommu_domain *old)
{
	struct ipt_ctx *ctx = ipt_cur;

	ctx->sets++;
	ctx->last_set = (struct ipt_call){ domain, old, pasid };
	return ctx->set_err;
}

static void ipt_remove_dev_pasid(struct device *dev, ioasid_t pasid,
				 struct iommu_domain *domain)
{
	struct ipt_ctx *ctx = ipt_cur;

	ctx->removes++;
	ctx->last_remove = (struct ipt_call){ domain, NULL, pasid };
}

static int ipt_init(struct kunit *test)
{
	struct ipt_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->dom_ops.set_dev_pasid = ipt_set_dev_pasid;
	ctx->ops.remove_dev_pasid = ipt_remove_dev_pasid;
	ctx->iommu.ops = &ctx->ops;
	ctx->param.iommu_dev = &ctx->iommu;
	ctx->param.max_pasids = 64;

	ctx->dom_a.type = IOMMU_DOMAIN_UNMANAGED;
	ctx->dom_b.type = IOMMU_DOMAIN_DMA;
	ctx->dom_nested.type = IOMMU_DOMAIN_NESTED;
	ctx->dom_ident.type = IOMMU_DOMAIN_IDENTITY;
	ctx->dom_bare.type = IOMMU_DOMAIN_UNMANAGED;
	ctx->dom_a.ops = &ctx->dom_ops;
	ctx->dom_b.ops = &ctx->dom_ops;
	ctx->dom_nested.ops = &ctx->dom_ops;
	ctx->dom_ident.ops = &ctx->dom_ops;
	ctx->dom_bare.ops = &ctx->bare_ops;

	ctx->dev = root_device_register("iommu-pasid-kunit");
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
	ctx->dev->iommu = &ctx->param;
	ipt_cur = ctx;
	test->priv = ctx;
	return 0;
}

static void ipt_exit(struct kunit *test)
{
	struct ipt_ctx *ctx = test->priv;

	/* What a test left attached goes, as when the device is released. */
	iommu_release_device_pasids(ctx->dev);
	xa_destroy(&ctx->group->pasid_array);
	if (ctx->other) {
		iommu_group_remove_device(ctx->other);
		root_device_unregister(ctx->other);
	}
	ctx->dev->iommu = NULL;
	iommu_group_remove_device(ctx->dev);
	iommu_group_put(ctx->group);
	root_device_unregister(ctx->dev);
	ipt_cur = NULL;
}

static void ipt_refusals(struct kunit *test)
{
	struct ipt_ctx *ctx = test->priv;
	struct device *dev = ctx->dev;

	/* The RID's own PASID, and PASIDs beyond what the device has. */
	KUNIT_EXPECT_EQ(test, iommu_attach_device_pasid(&ctx->dom_a, dev,
							IOMMU_NO_PASID),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, iommu_attach_device_pasid(&ctx->dom_a, dev, 64),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, iommu_attach_device_pasid(&ctx->dom_a, dev,
							INVALID_IOASID),
			-EINVAL);
	ctx->param.max_pasids = 0;
	KUNIT_EXPECT_EQ(test, iommu_attach_device_pasid(&ctx->dom_a, dev, 1),
			-EINVAL);
	ctx->param.max_pasids = 64;

	/* Neither paging nor nested. */
	KUNIT_EXPECT_EQ(test, iommu_attach_device_pasid(&ctx->dom_ident, dev,
							1),
			-EINVAL);
	/* No driver support, on the domain's side or the device's. */
	KUNIT_EXPECT_EQ(test, iommu_attach_device_pasid(&ctx->dom_bare, dev, 1),
			-EOPNOTSUPP);
	ctx->ops.remove_dev_pasid = NULL;
	KUNIT_EXPECT_EQ(test, iommu_attach_device_pasid(&ctx->dom_a, dev, 1),
			-EOPNOTSUPP);
	ctx->ops.remove_dev_pasid = ipt_remove_dev_pasid;

	KUNIT_EXPECT_EQ(test, ctx->sets, 0U);
	KUNIT_EXPECT_TRUE(test, xa_empty(&ctx->group->pasid_array));
}

/* Another device in the group could emit the same PASID: refused. */
static void ipt_singleton_only(struct kunit *test)
{
	struct ipt_ctx *ctx = test->priv;

	ctx->other = root_device_register("iommu-pasid-kunit-2");
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(ctx->other));
	if (iommu_group_add_device(ctx->group, ctx->other)) {
		root_device_unregister(ctx->other);
		ctx->other = NULL;
		KUNIT_FAIL(test, "no second device");
		return;
	}
	KUNIT_EXPECT_EQ(test, iommu_attach_device_pasid(&ctx->dom_a, ctx->dev,
							1),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, ctx->sets, 0U);

	iommu_group_remove_device(ctx->other);
	root_device_unregister(ctx->other);
	ctx->other = NULL;
	KUNIT_EXPECT_EQ(test, iommu_attach_device_pasid(&ctx->dom_a, ctx->dev,
							1), 0);
}

static void ipt_attach_busy_detach(struct kunit *test)
{
	struct ipt_ctx *ctx = test->priv;
	struct device *dev = ctx->dev;

	KUNIT_ASSERT_EQ(test, iommu_attach_device_pasid(&ctx->dom_a, dev, 63),
			0);
	KUNIT_EXPECT_EQ(test, ctx->sets, 1U);
	KUNIT_EXPECT_PTR_EQ(test, ctx->last_set.domain, &ctx->dom_a);
	KUNIT_EXPECT_NULL(test, ctx->last_set.old);
	KUNIT_EXPECT_EQ(test, ctx->last_set.pasid, 63U);
	KUNIT_EXPECT_PTR_EQ(test, iommu_get_domain_for_dev_pasid(dev, 63),
			    &ctx->dom_a);
	KUNIT_EXPECT_NULL(test, iommu_get_domain_for_dev_pasid(dev, 62));

	/* Taken: by the same domain or another. */
	KUNIT_EXPECT_EQ(test, iommu_attach_device_pasid(&ctx->dom_a, dev, 63),
			-EBUSY);
	KUNIT_EXPECT_EQ(test, iommu_attach_device_pasid(&ctx->dom_b, dev, 63),
			-EBUSY);
	KUNIT_EXPECT_EQ(test, ctx->sets, 1U);

	/* Other PASIDs are free, for the same domain too; nested is fine. */
	KUNIT_EXPECT_EQ(test, iommu_attach_device_pasid(&ctx->dom_a, dev, 2),
			0);
	KUNIT_EXPECT_EQ(test, iommu_attach_device_pasid(&ctx->dom_nested, dev,
							3), 0);

	/* Detaching the wrong domain, or a free PASID, does nothing. */
	iommu_detach_device_pasid(&ctx->dom_b, dev, 63);
	iommu_detach_device_pasid(&ctx->dom_a, dev, 5);
	KUNIT_EXPECT_EQ(test, ctx->removes, 0U);

	iommu_detach_device_pasid(&ctx->dom_a, dev, 63);
	KUNIT_EXPECT_EQ(test, ctx->removes, 1U);
	KUNIT_EXPECT_PTR_EQ(test, ctx->last_remove.domain, &ctx->dom_a);
	KUNIT_EXPECT_EQ(test, ctx->last_remove.pasid, 63U);
	KUNIT_EXPECT_NULL(test, iommu_get_domain_for_dev_pasid(dev, 63));
	/* Free again. */
	KUNIT_EXPECT_EQ(test, iommu_attach_device_pasid(&ctx->dom_b, dev, 63),
			0);
}

/* A driver that fails leaves the PASID as it was. */
static void ipt_driver_errors(struct kunit *test)
{
	struct ipt_ctx *ctx = test->priv;
	struct device *dev = ctx->dev;

	ctx->set_err = -ENOSPC;
	KUNIT_EXPECT_EQ(test, iommu_attach_device_pasid(&ctx->dom_a, dev, 4),
			-ENOSPC);
	KUNIT_EXPECT_NULL(test, iommu_get_domain_for_dev_pasid(dev, 4));
	KUNIT_EXPECT_TRUE(test, xa_empty(&ctx->group->pasid_array));

	ctx->set_err = 0;
	KUNIT_ASSERT_EQ(test, iommu_attach_device_pasid(&ctx->dom_a, dev, 4),
			0);
	ctx->set_err = -EIO;
	KUNIT_EXPECT_EQ(test, iommu_replace_device_pasid(&ctx->dom_b, dev, 4),
			-EIO);
	KUNIT_EXPECT_PTR_EQ(test, iommu_get_domain_for_dev_pasid(dev, 4),
			    &ctx->dom_a);
	KUNIT_EXPECT_EQ(test, ctx->removes, 0U);
}

static void ipt_replace(struct kunit *test)
{
	struct ipt_ctx *ctx = test->priv;
	struct device *dev = ctx->dev;

	/* Nothing to replace. */
	KUNIT_EXPECT_EQ(test, iommu_replace_device_pasid(&ctx->dom_b, dev, 8),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, ctx->sets, 0U);
	/* The same range checks as an attach. */
	KUNIT_EXPECT_EQ(test, iommu_replace_device_pasid(&ctx->dom_b, dev,
							 IOMMU_NO_PASID),
			-EINVAL);

	KUNIT_ASSERT_EQ(test, iommu_attach_device_pasid(&ctx->dom_a, dev, 8),
			0);
	KUNIT_ASSERT_EQ(test, iommu_replace_device_pasid(&ctx->dom_b, dev, 8),
			0);
	KUNIT_EXPECT_EQ(test, ctx->sets, 2U);
	KUNIT_EXPECT_PTR_EQ(test, ctx->last_set.domain, &ctx->dom_b);
	KUNIT_EXPECT_PTR_EQ(test, ctx->last_set.old, &ctx->dom_a);
	KUNIT_EXPECT_EQ(test, ctx->last_set.pasid, 8U);
	/* No detach in between: the driver swaps. */
	KUNIT_EXPECT_EQ(test, ctx->removes, 0U);
	KUNIT_EXPECT_PTR_EQ(test, iommu_get_domain_for_dev_pasid(dev, 8),
			    &ctx->dom_b);

	/* By itself: nothing asked of the driver. */
	KUNIT_EXPECT_EQ(test, iommu_replace_device_pasid(&ctx->dom_b, dev, 8),
			0);
	KUNIT_EXPECT_EQ(test, ctx->sets, 2U);

	/* The old domain no longer owns the PASID. */
	iommu_detach_device_pasid(&ctx->dom_a, dev, 8);
	KUNIT_EXPECT_EQ(test, ctx->removes, 0U);
	iommu_detach_device_pasid(&ctx->dom_b, dev, 8);
	KUNIT_EXPECT_EQ(test, ctx->removes, 1U);
}

/* A PASID an SVA bond holds is taken for attach and replace alike. */
static void ipt_sva_shares_space(struct kunit *test)
{
	struct ipt_ctx *ctx = test->priv;
	struct device *dev = ctx->dev;

	mutex_lock(&ctx->group->mutex);
	KUNIT_ASSERT_EQ(test, sva_pasid_count(ctx->group, 9, 1), 0);
	KUNIT_ASSERT_EQ(test, sva_pasid_count(ctx->group, 9, 1), 0);
	mutex_unlock(&ctx->group->mutex);

	KUNIT_EXPECT_EQ(test, iommu_attach_device_pasid(&ctx->dom_a, dev, 9),
			-EBUSY);
	KUNIT_EXPECT_EQ(test, iommu_replace_device_pasid(&ctx->dom_a, dev, 9),
			-EBUSY);
	KUNIT_EXPECT_NULL(test, iommu_get_domain_for_dev_pasid(dev, 9));
	KUNIT_EXPECT_EQ(test, ctx->sets, 0U);

	/* Two bonds, two unbinds. */
	mutex_lock(&ctx->group->mutex);
	sva_pasid_count(ctx->group, 9, -1);
	mutex_unlock(&ctx->group->mutex);
	KUNIT_EXPECT_EQ(test, iommu_attach_device_pasid(&ctx->dom_a, dev, 9),
			-EBUSY);
	mutex_lock(&ctx->group->mutex);
	sva_pasid_count(ctx->group, 9, -1);
	mutex_unlock(&ctx->group->mutex);
	KUNIT_EXPECT_EQ(test, iommu_attach_device_pasid(&ctx->dom_a, dev, 9),
			0);

	/* And a bond cannot count itself onto an attached PASID. */
	mutex_lock(&ctx->group->mutex);
	KUNIT_EXPECT_EQ(test, sva_pasid_count(ctx->group, 9, 1), -EBUSY);
	mutex_unlock(&ctx->group->mutex);
}

/*
 * With a PASID attached the group's DMA cannot change hands: no new
 * owner, no kernel driver taking the default domain.
 */
static void ipt_ownership_blocked(struct kunit *test)
{
	struct ipt_ctx *ctx = test->priv;
	struct device *dev = ctx->dev;

	KUNIT_ASSERT_EQ(test, iommu_attach_device_pasid(&ctx->dom_a, dev, 1),
			0);
	KUNIT_EXPECT_EQ(test, iommu_group_claim_dma_owner(ctx->group, ctx),
			-EBUSY);

	mutex_lock(&ctx->group->mutex);
	ctx->group->owner_cnt = 1;
	mutex_unlock(&ctx->group->mutex);
	KUNIT_EXPECT_EQ(test, iommu_device_use_default_domain(dev), -EBUSY);
	mutex_lock(&ctx->group->mutex);
	KUNIT_EXPECT_EQ(test, ctx->group->owner_cnt, 1U);
	ctx->group->owner_cnt = 0;
	mutex_unlock(&ctx->group->mutex);
}

/* An owner that goes away takes its PASIDs' domains with it. */
static void ipt_owner_release_drops(struct kunit *test)
{
	struct ipt_ctx *ctx = test->priv;
	struct device *dev = ctx->dev;

	KUNIT_ASSERT_EQ(test, iommu_attach_device_pasid(&ctx->dom_a, dev, 1),
			0);
	KUNIT_ASSERT_EQ(test, iommu_attach_device_pasid(&ctx->dom_b, dev, 2),
			0);
	mutex_lock(&ctx->group->mutex);
	KUNIT_ASSERT_EQ(test, sva_pasid_count(ctx->group, 3, 1), 0);
	/* Owned as after a claim, its domain already the default (none). */
	ctx->group->owner = ctx;
	ctx->group->owner_cnt = 1;
	mutex_unlock(&ctx->group->mutex);

	iommu_group_release_dma_owner(ctx->group);
	KUNIT_EXPECT_EQ(test, ctx->removes, 2U);
	KUNIT_EXPECT_NULL(test, iommu_get_domain_for_dev_pasid(dev, 1));
	KUNIT_EXPECT_NULL(test, iommu_get_domain_for_dev_pasid(dev, 2));
	/* The SVA bond is its holder's to end. */
	KUNIT_EXPECT_TRUE(test, xa_is_value(xa_load(&ctx->group->pasid_array,
						    3)));
}

static struct kunit_case ipt_cases[] = {
	KUNIT_CASE(ipt_refusals),
	KUNIT_CASE(ipt_singleton_only),
	KUNIT_CASE(ipt_attach_busy_detach),
	KUNIT_CASE(ipt_driver_errors),
	KUNIT_CASE(ipt_replace),
	KUNIT_CASE(ipt_sva_shares_space),
	KUNIT_CASE(ipt_ownership_blocked),
	KUNIT_CASE(ipt_owner_release_drops),
	{}
};

static struct kunit_suite ipt_suite = {
	.name = "iommu-pasid",
	.init = ipt_init,
	.exit = ipt_exit,
	.test_cases = ipt_cases,
};

kunit_test_suite(ipt_suite);
