// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for SMMUv3 PASID attachments: where set_dev_pasid() writes a
 * domain's CD (at the PASID's SSID of the CD table of the device's RID
 * domain), what it refuses, how the CDs follow the RID from one domain to
 * another, and that a changed ASID reaches them. Included at the end of
 * arm-smmu-v3.c for its static functions.
 *
 * The SMMU is made up: real CD and stream tables in memory, and a command
 * queue whose PROD and CONS registers are one word of memory, so that
 * every command counts as consumed the moment it is queued and the tests
 * can read back what the driver issued.
 */
#include <kunit/test.h>
#include <linux/platform_device.h>

#define PT_QUEUE_SHIFT	8
#define PT_STES		16
#define PT_SSID_BITS	4
#define PT_MASTERS	2
#define PT_SID(m)	(8 + (m))

struct pt_fixture {
	struct platform_device *pdev;
	struct arm_smmu_device smmu;
	u32 reg;		/* the command queue's PROD and CONS */
	struct arm_smmu_master masters[PT_MASTERS];
	struct arm_smmu_stream streams[PT_MASTERS];
	struct dev_iommu dev_iommus[PT_MASTERS];
	struct device devs[PT_MASTERS];
	struct iommu_domain *domains[8];
	unsigned int ndomains;
};

static int pt_init(struct kunit *test)
{
	struct iommu_fwspec *fwspec;
	struct arm_smmu_device *smmu;
	struct arm_smmu_queue *q;
	struct pt_fixture *pt;
	unsigned int i;

	pt = kunit_kzalloc(test, sizeof(*pt), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pt);
	test->priv = pt;
	pt->pdev = platform_device_register_simple("arm-smmu-v3-pasid-kunit",
						   PLATFORM_DEVID_AUTO, NULL, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(pt->pdev));

	smmu = &pt->smmu;
	smmu->dev = &pt->pdev->dev;
	smmu->features = ARM_SMMU_FEAT_TRANS_S1 | ARM_SMMU_FEAT_TRANS_S2 |
			 ARM_SMMU_FEAT_COHERENCY;
	smmu->options = ARM_SMMU_OPT_SKIP_PREFETCH;
	smmu->asid_bits = 16;
	smmu->vmid_bits = 16;
	smmu->ssid_bits = PT_SSID_BITS;
	smmu->ias = 48;
	smmu->oas = 48;
	smmu->pgsize_bitmap = SZ_4K | SZ_2M | SZ_1G;
	smmu->streams = RB_ROOT;
	mutex_init(&smmu->streams_mutex);

	q = &smmu->cmdq.q;
	q->llq.max_n_shift = PT_QUEUE_SHIFT;
	q->ent_dwords = CMDQ_ENT_DWORDS;
	q->base = kunit_kcalloc(test, (1 << PT_QUEUE_SHIFT) * CMDQ_ENT_DWORDS,
				sizeof(__le64), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q->base);
	q->prod_reg = (u32 __iomem __force *)&pt->reg;
	q->cons_reg = (u32 __iomem __force *)&pt->reg;
	smmu->cmdq.valid_map = kunit_kcalloc(test,
					     BITS_TO_LONGS(1 << PT_QUEUE_SHIFT),
					     sizeof(long), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, smmu->cmdq.valid_map);

	smmu->strtab_cfg.num_l1_ents = PT_STES;
	smmu->strtab_cfg.strtab = kunit_kcalloc(test,
						PT_STES * STRTAB_STE_DWORDS,
						sizeof(__le64), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, smmu->strtab_cfg.strtab);

	for (i = 0; i < PT_MASTERS; i++) {
		struct arm_smmu_master *master = &pt->masters[i];

		master->smmu = smmu;
		master->dev = &pt->devs[i];
		master->streams = &pt->streams[i];
		master->num_streams = 1;
		master->ssid_bits = PT_SSID_BITS;
		INIT_LIST_HEAD(&master->bonds);
		xa_init(&master->pasids);
		pt->streams[i].id = PT_SID(i);
		pt->streams[i].master = master;
		pt->devs[i].init_name = "arm-smmu-v3-pasid-kunit-master";
		pt->devs[i].iommu = &pt->dev_iommus[i];
		fwspec = kunit_kzalloc(test, sizeof(*fwspec), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, fwspec);
		pt->dev_iommus[i].fwspec = fwspec;
		dev_iommu_priv_set(&pt->devs[i], master);
	}
	return 0;
}

/* Everything off again, whatever a test left behind. */
static void pt_exit(struct kunit *test)
{
	struct pt_fixture *pt = test->priv;
	struct arm_smmu_pasid *pasid;
	unsigned long ssid;
	unsigned int i;

	if (!pt || IS_ERR_OR_NULL(pt->pdev))
		return;
	for (i = 0; i < PT_MASTERS; i++) {
		xa_for_each(&pt->masters[i].pasids, ssid, pasid)
			arm_smmu_remove_dev_pasid(&pt->devs[i], ssid,
						  &pasid->domain->domain);
		arm_smmu_detach_dev(&pt->masters[i]);
		xa_destroy(&pt->masters[i].pasids);
	}
	for (i = 0; i < pt->ndomains; i++)
		arm_smmu_domain_free(pt->domains[i]);
	platform_device_unregister(pt->pdev);
}

/* A domain finalised for master @m, freed when the test ends. */
static struct arm_smmu_domain *pt_domain(struct kunit *test, unsigned int m,
					 u32 flags)
{
	struct pt_fixture *pt = test->priv;
	struct iommu_domain *domain;

	KUNIT_ASSERT_LT(test, pt->ndomains, ARRAY_SIZE(pt->domains));
	domain = __arm_smmu_domain_alloc_paging(&pt->devs[m], flags);
	KUNIT_ASSERT_FALSE(test, IS_ERR(domain));
	pt->domains[pt->ndomains++] = domain;
	return to_smmu_domain(domain);
}

static int pt_attach(struct kunit *test, struct arm_smmu_domain *domain,
		     unsigned int m)
{
	struct pt_fixture *pt = test->priv;

	return arm_smmu_attach_dev(&domain->domain, &pt->devs[m]);
}

static int pt_set(struct kunit *test, struct arm_smmu_domain *domain,
		  unsigned int m, ioasid_t ssid, struct arm_smmu_domain *old)
{
	struct pt_fixture *pt = test->priv;

	return arm_smmu_set_dev_pasid(&domain->domain, &pt->devs[m], ssid,
				      old ? &old->domain : NULL);
}

static void pt_remove(struct kunit *test, struct arm_smmu_domain *domain,
		      unsigned int m, ioasid_t ssid)
{
	struct pt_fixture *pt = test->priv;

	arm_smmu_remove_dev_pasid(&pt->devs[m], ssid, &domain->domain);
}

static u64 pt_cd_word(struct arm_smmu_domain *rid, u32 ssid, unsigned int w)
{
	return le64_to_cpu(rid->s1_cfg.cdcfg.cdtab[ssid * CTXDESC_CD_DWORDS +
						   w]);
}

/* CD @ssid of @rid's table is @domain's: valid, its ASID and table. */
static void pt_expect_cd(struct kunit *test, struct arm_smmu_domain *rid,
			 u32 ssid, struct arm_smmu_domain *domain)
{
	struct arm_smmu_ctx_desc *cd = &domain->s1_cfg.cd;
	u64 w0 = pt_cd_word(rid, ssid, 0);
	u64 asid = FIELD_GET(CTXDESC_CD_0_ASID, w0);
	u64 ttb0 = pt_cd_word(rid, ssid, 1);
	u64 mair = pt_cd_word(rid, ssid, 3);
	bool valid = w0 & CTXDESC_CD_0_V;

	KUNIT_EXPECT_TRUE_MSG(test, valid, "SSID %u", ssid);
	KUNIT_EXPECT_EQ_MSG(test, asid, (u64)cd->asid, "SSID %u", ssid);
	KUNIT_EXPECT_EQ_MSG(test, ttb0, cd->ttbr & CTXDESC_CD_1_TTB0_MASK,
			    "SSID %u", ssid);
	KUNIT_EXPECT_EQ_MSG(test, mair, cd->mair, "SSID %u", ssid);
}

static void pt_expect_no_cd(struct kunit *test, struct arm_smmu_domain *rid,
			    u32 ssid)
{
	KUNIT_EXPECT_EQ_MSG(test, pt_cd_word(rid, ssid, 0), 0ULL, "SSID %u",
			    ssid);
}

/* How many commands @op for (@sid, @ssid) the queue holds; then empty it */
static unsigned int pt_cmds(struct kunit *test, u8 op, u32 sid, u32 ssid)
{
	struct pt_fixture *pt = test->priv;
	__le64 *base = pt->smmu.cmdq.q.base;
	unsigned int i, n = 0;

	for (i = 0; i < 1 << PT_QUEUE_SHIFT; i++) {
		u64 w0 = le64_to_cpu(base[i * CMDQ_ENT_DWORDS]);

		n += FIELD_GET(CMDQ_0_OP, w0) == op &&
		     FIELD_GET(CMDQ_CFGI_0_SID, w0) == sid &&
		     FIELD_GET(CMDQ_CFGI_0_SSID, w0) == ssid;
	}
	memset(base, 0, (1 << PT_QUEUE_SHIFT) * CMDQ_ENT_DWORDS *
	       sizeof(__le64));
	return n;
}

static void pasid_attach_remove(struct kunit *test)
{
	struct pt_fixture *pt = test->priv;
	struct arm_smmu_domain *rid = pt_domain(test, 0, 0);
	struct arm_smmu_domain *d1 = pt_domain(test, 0, 0);
	struct arm_smmu_pasid *pasid;

	KUNIT_ASSERT_EQ(test, pt_attach(test, rid, 0), 0);
	pt_cmds(test, 0, 0, 0);

	KUNIT_ASSERT_EQ(test, pt_set(test, d1, 0, 3, NULL), 0);
	pt_expect_cd(test, rid, 3, d1);
	/* CD 0 stays the RID's own; the new CD was made valid with CFGI_CD */
	pt_expect_cd(test, rid, 0, rid);
	KUNIT_EXPECT_GE(test, pt_cmds(test, CMDQ_OP_CFGI_CD, PT_SID(0), 3),
			1U);
	pasid = xa_load(&pt->masters[0].pasids, 3);
	KUNIT_ASSERT_NOT_NULL(test, pasid);
	KUNIT_EXPECT_PTR_EQ(test, pasid->domain, d1);
	KUNIT_EXPECT_TRUE(test, list_is_singular(&d1->pasids));
	KUNIT_EXPECT_TRUE(test, list_empty(&rid->pasids));

	pt_remove(test, d1, 0, 3);
	pt_expect_no_cd(test, rid, 3);
	KUNIT_EXPECT_GE(test, pt_cmds(test, CMDQ_OP_CFGI_CD, PT_SID(0), 3),
			1U);
	KUNIT_EXPECT_TRUE(test, xa_empty(&pt->masters[0].pasids));
	KUNIT_EXPECT_TRUE(test, list_empty(&d1->pasids));
	/* Removing what is not there does nothing */
	pt_remove(test, d1, 0, 3);
	KUNIT_EXPECT_EQ(test, pt_cmds(test, CMDQ_OP_CFGI_CD, PT_SID(0), 3),
			0U);
}

static void pasid_replace(struct kunit *test)
{
	struct arm_smmu_domain *rid = pt_domain(test, 0, 0);
	struct arm_smmu_domain *d1 = pt_domain(test, 0, 0);
	struct arm_smmu_domain *d2 = pt_domain(test, 0, 0);

	KUNIT_ASSERT_EQ(test, pt_attach(test, rid, 0), 0);
	KUNIT_ASSERT_EQ(test, pt_set(test, d1, 0, 5, NULL), 0);
	KUNIT_ASSERT_EQ(test, pt_set(test, d2, 0, 5, d1), 0);
	pt_expect_cd(test, rid, 5, d2);
	KUNIT_EXPECT_TRUE(test, list_empty(&d1->pasids));
	KUNIT_EXPECT_TRUE(test, list_is_singular(&d2->pasids));

	/* A PASID may translate through the RID's own domain too */
	KUNIT_ASSERT_EQ(test, pt_set(test, rid, 0, 6, NULL), 0);
	pt_expect_cd(test, rid, 6, rid);
	pt_expect_cd(test, rid, 5, d2);
	pt_remove(test, rid, 0, 6);
	pt_expect_no_cd(test, rid, 6);
	pt_expect_cd(test, rid, 5, d2);
}

static void pasid_refusals(struct kunit *test)
{
	struct pt_fixture *pt = test->priv;
	struct arm_smmu_domain *rid = pt_domain(test, 0, 0);
	struct arm_smmu_domain *rid1 = pt_domain(test, 1, 0);
	struct arm_smmu_domain *d1 = pt_domain(test, 0, 0);
	struct arm_smmu_domain *s2 = pt_domain(test, 0,
					       IOMMU_PAGING_NEST_PARENT);

	/* No RID domain yet, a PASID past the device's width */
	KUNIT_EXPECT_EQ(test, pt_set(test, d1, 0, 3, NULL), -EINVAL);
	KUNIT_ASSERT_EQ(test, pt_attach(test, rid, 0), 0);
	KUNIT_EXPECT_EQ(test, pt_set(test, d1, 0, 1 << PT_SSID_BITS, NULL),
			-EINVAL);
	/* A stage 2 has no CD */
	KUNIT_EXPECT_EQ(test, pt_set(test, s2, 0, 3, NULL), -EINVAL);

	/* The RID's domain serves another master: its table is not ours */
	KUNIT_ASSERT_EQ(test, pt_attach(test, rid, 1), 0);
	KUNIT_EXPECT_EQ(test, pt_set(test, d1, 0, 3, NULL), -EINVAL);
	pt_expect_no_cd(test, rid, 3);
	KUNIT_ASSERT_EQ(test, pt_attach(test, rid1, 1), 0);

	/* With a PASID, no other master may join the RID's domain */
	KUNIT_ASSERT_EQ(test, pt_set(test, d1, 0, 3, NULL), 0);
	KUNIT_EXPECT_EQ(test, pt_attach(test, rid, 1), -EINVAL);
	KUNIT_EXPECT_PTR_EQ(test, pt->masters[1].domain, rid1);

	/* nor may the RID move where its PASIDs cannot follow */
	KUNIT_EXPECT_EQ(test, pt_attach(test, rid1, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, pt_attach(test, s2, 0), -EINVAL);
	KUNIT_EXPECT_PTR_EQ(test, pt->masters[0].domain, rid);
	pt_expect_cd(test, rid, 3, d1);
	pt_expect_no_cd(test, rid1, 3);

	/* A RID on a stage 2 has no CD table for PASIDs */
	KUNIT_ASSERT_EQ(test, pt_attach(test, s2, 1), 0);
	KUNIT_EXPECT_EQ(test, pt_set(test, d1, 1, 3, NULL), -EINVAL);
	KUNIT_EXPECT_TRUE(test, xa_empty(&pt->masters[1].pasids));
}

/* The RID moves to another domain: its PASIDs' CDs move with it */
static void pasid_follows_rid(struct kunit *test)
{
	struct pt_fixture *pt = test->priv;
	struct arm_smmu_domain *rid = pt_domain(test, 0, 0);
	struct arm_smmu_domain *rid2 = pt_domain(test, 0, 0);
	struct arm_smmu_domain *d1 = pt_domain(test, 0, 0);
	__le64 *ste = pt->smmu.strtab_cfg.strtab +
		      PT_SID(0) * STRTAB_STE_DWORDS;
	u64 ctxptr;

	KUNIT_ASSERT_EQ(test, pt_attach(test, rid, 0), 0);
	KUNIT_ASSERT_EQ(test, pt_set(test, d1, 0, 3, NULL), 0);
	KUNIT_ASSERT_EQ(test, pt_set(test, d1, 0, 9, NULL), 0);

	KUNIT_ASSERT_EQ(test, pt_attach(test, rid2, 0), 0);
	ctxptr = le64_to_cpu(ste[0]) & STRTAB_STE_0_S1CTXPTR_MASK;
	KUNIT_EXPECT_EQ(test, ctxptr, rid2->s1_cfg.cdcfg.cdtab_dma &
			STRTAB_STE_0_S1CTXPTR_MASK);
	pt_expect_cd(test, rid2, 0, rid2);
	pt_expect_cd(test, rid2, 3, d1);
	pt_expect_cd(test, rid2, 9, d1);
	pt_expect_no_cd(test, rid, 3);
	pt_expect_no_cd(test, rid, 9);
	pt_expect_cd(test, rid, 0, rid);

	/* and back; the old domain may now serve another master */
	KUNIT_ASSERT_EQ(test, pt_attach(test, rid, 0), 0);
	pt_expect_cd(test, rid, 3, d1);
	pt_expect_no_cd(test, rid2, 3);
	KUNIT_EXPECT_EQ(test, pt_attach(test, rid2, 1), 0);

	/* Removal clears the CD where the RID is now */
	pt_remove(test, d1, 0, 9);
	pt_expect_no_cd(test, rid, 9);
	pt_expect_cd(test, rid, 3, d1);
}

/* SVA took the ASID of a PASID's domain: the CD gets the new one */
static void pasid_asid_refresh(struct kunit *test)
{
	struct arm_smmu_domain *rid = pt_domain(test, 0, 0);
	struct arm_smmu_domain *d1 = pt_domain(test, 0, 0);
	u16 asid = d1->s1_cfg.cd.asid;
	u64 w0;

	KUNIT_ASSERT_EQ(test, pt_attach(test, rid, 0), 0);
	KUNIT_ASSERT_EQ(test, pt_set(test, d1, 0, 3, NULL), 0);

	mutex_lock(&arm_smmu_asid_lock);
	d1->s1_cfg.cd.asid = asid ^ 0x8000;
	arm_smmu_pasids_refresh(d1);
	pt_expect_cd(test, rid, 3, d1);
	w0 = pt_cd_word(rid, 3, 0);
	KUNIT_EXPECT_EQ(test, FIELD_GET(CTXDESC_CD_0_ASID, w0),
			(u64)(asid ^ 0x8000));
	/* The allocator still has the old one: put it back */
	d1->s1_cfg.cd.asid = asid;
	arm_smmu_pasids_refresh(d1);
	mutex_unlock(&arm_smmu_asid_lock);
	pt_expect_cd(test, rid, 3, d1);
}

static struct kunit_case smmu_pasid_test_cases[] = {
	KUNIT_CASE(pasid_attach_remove),
	KUNIT_CASE(pasid_replace),
	KUNIT_CASE(pasid_refusals),
	KUNIT_CASE(pasid_follows_rid),
	KUNIT_CASE(pasid_asid_refresh),
	{}
};

static struct kunit_suite smmu_pasid_test_suite = {
	.name = "arm-smmu-v3-pasid",
	.init = pt_init,
	.exit = pt_exit,
	.test_cases = smmu_pasid_test_cases,
};

kunit_test_suite(smmu_pasid_test_suite);
