// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for VT-d PASID attachments: which devices and PASIDs
 * set_dev_pasid() takes, the PASID table entry it writes at a PASID other
 * than RID2PASID for each kind of domain, and the bookkeeping that makes
 * the domain's flushes reach that PASID and that removal undoes.
 * Included by iommu.c, so the static helpers are at hand.
 *
 * The unit is a struct intel_iommu with its capability registers filled
 * in and no invalidation queue: the tests stay on paths that submit no
 * descriptor (a not-present entry made present needs none outside caching
 * mode). The device is a bare PCI device whose PASID table is real memory
 * the tests read back.
 */
#include <kunit/test.h>

#define PK_ECAP_C	BIT_ULL(0)
#define PK_ECAP_NEST	BIT_ULL(26)
#define PK_ECAP_SRS	BIT_ULL(31)
#define PK_ECAP_PASID	BIT_ULL(40)
#define PK_ECAP_SMTS	BIT_ULL(43)
#define PK_ECAP_SLTS	BIT_ULL(46)
#define PK_ECAP_FLTS	BIT_ULL(47)
#define PK_ECAP_SMPWC	BIT_ULL(48)

#define PK_ECAP_ALL	(PK_ECAP_C | PK_ECAP_NEST | PK_ECAP_SRS | \
			 PK_ECAP_PASID | PK_ECAP_SMTS | PK_ECAP_SLTS | \
			 PK_ECAP_FLTS | PK_ECAP_SMPWC)

/* PASID entry fields (VT-d spec 9.6) the tests look at. */
#define PK_P		BIT_ULL(0)
#define PK_FPD		BIT_ULL(1)
#define PK_AW(x)	((u64)(x) << 2)
#define PK_PGTT(x)	((u64)(x) << 6)
#define PK_SSADE	BIT_ULL(9)
#define PK_PWSNP	BIT_ULL(23)	/* in val[1] */
#define PK_PGSNP	BIT_ULL(24)	/* in val[1] */
#define PK_SRE		BIT_ULL(0)	/* in val[2] */
#define PK_NXE		BIT_ULL(5)	/* in val[2] */

static int pk_res_init(struct kunit_resource *res, void *context)
{
	res->data = context;
	return 0;
}

struct pk_saved_sm {
	int sm;
};

static void pk_sm_restore(struct kunit_resource *res)
{
	intel_iommu_sm = ((struct pk_saved_sm *)res->data)->sm;
}

/* Scalable mode on for the test's duration (it is a boot choice). */
static void pk_scalable(struct kunit *test)
{
	struct pk_saved_sm *saved = kunit_kzalloc(test, sizeof(*saved),
						  GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, saved);
	saved->sm = intel_iommu_sm;
	KUNIT_ASSERT_NOT_NULL(test, kunit_alloc_resource(test, pk_res_init,
							 pk_sm_restore,
							 GFP_KERNEL, saved));
	intel_iommu_sm = 1;
}

/* A unit with 256 domain IDs, 0 and 1 taken as the driver takes them. */
static struct intel_iommu *pk_iommu(struct kunit *test, u64 ecap)
{
	struct intel_iommu *iommu = kunit_kzalloc(test, sizeof(*iommu),
						  GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, iommu);
	iommu->cap = 2;		/* ND: 2^8 domains */
	iommu->ecap = ecap;
	iommu->agaw = 2;	/* 48 bits, 4 levels */
	iommu->seq_id = 5;
	spin_lock_init(&iommu->lock);
	iommu->domain_ids = kunit_kzalloc(test,
					  BITS_TO_LONGS(cap_ndoms(2)) *
					  sizeof(long), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, iommu->domain_ids);
	set_bit(0, iommu->domain_ids);
	set_bit(FLPT_DEFAULT_DID, iommu->domain_ids);
	return iommu;
}

struct pk_dev {
	struct pci_dev pdev;
	struct pci_bus bus;
	u8 sysdata[256];
	struct dev_iommu param;
	struct device_domain_info info;
	struct pasid_table table;
};

static void pk_table_free(struct kunit_resource *res)
{
	struct pasid_table *table = res->data;
	struct pasid_dir_entry *dir = table->table;
	int i;

	for (i = 0; i < table->max_pasid >> PASID_PDE_SHIFT; i++)
		free_pgtable_page(get_pasid_table_from_pde(&dir[i]));
	free_pgtable_page(table->table);
}

/*
 * A PCI device behind @iommu with PASID enabled and a one-page PASID
 * directory (32768 PASIDs), as probe and the first attach leave it.
 */
static struct device *pk_device(struct kunit *test, struct intel_iommu *iommu)
{
	struct pk_dev *pd = kunit_kzalloc(test, sizeof(*pd), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, pd);
	pd->table.table = alloc_pgtable_page(NUMA_NO_NODE);
	KUNIT_ASSERT_NOT_NULL(test, pd->table.table);
	pd->table.max_pasid = 1 << (PAGE_SHIFT + 3);
	KUNIT_ASSERT_NOT_NULL(test, kunit_alloc_resource(test, pk_res_init,
							 pk_table_free,
							 GFP_KERNEL,
							 &pd->table));
	pd->bus.sysdata = pd->sysdata;
	pd->pdev.bus = &pd->bus;
	pd->pdev.dev.bus = &pci_bus_type;
	pd->info.dev = &pd->pdev.dev;
	pd->info.iommu = iommu;
	pd->info.bus = 3;
	pd->info.devfn = 0x10;
	pd->info.pasid_supported = 1;
	pd->info.pasid_enabled = 1;
	pd->info.pasid_table = &pd->table;
	pd->param.priv = &pd->info;
	pd->pdev.dev.iommu = &pd->param;
	return &pd->pdev.dev;
}

/* The entry at @pasid of @dev, or NULL when its leaf table is absent. */
static struct pasid_entry *pk_entry(struct device *dev, u32 pasid)
{
	struct device_domain_info *info = dev_iommu_priv_get(dev);
	struct pasid_dir_entry *dir = info->pasid_table->table;
	struct pasid_entry *leaf;

	leaf = get_pasid_table_from_pde(&dir[pasid >> PASID_PDE_SHIFT]);
	return leaf ? &leaf[pasid & PASID_PTE_MASK] : NULL;
}

static void pk_domain_free(struct kunit_resource *res)
{
	domain_exit(res->data);
}

/* A 48-bit paging domain: first-stage or second-stage. */
static struct dmar_domain *pk_paging(struct kunit *test, bool first_stage)
{
	struct dmar_domain *d = alloc_domain(IOMMU_DOMAIN_UNMANAGED);

	KUNIT_ASSERT_NOT_NULL(test, d);
	if (first_stage)
		d->flags |= DOMAIN_FLAG_USE_FIRST_LEVEL;
	else
		d->flags &= ~DOMAIN_FLAG_USE_FIRST_LEVEL;
	KUNIT_ASSERT_EQ(test, md_domain_init(d, 48), 0);
	KUNIT_ASSERT_NOT_NULL(test, kunit_alloc_resource(test, pk_res_init,
							 pk_domain_free,
							 GFP_KERNEL, d));
	d->domain.ops = intel_iommu_ops.default_domain_ops;
	d->domain.type = IOMMU_DOMAIN_UNMANAGED;
	return d;
}

static void pk_nested_free(struct kunit_resource *res)
{
	struct dmar_domain *s1 = res->data;

	xa_destroy(&s1->iommu_array);
	kfree(s1);
}

/* A nested domain over @parent, as intel_iommu_domain_alloc_nested(). */
static struct dmar_domain *pk_nested(struct kunit *test,
				     struct dmar_domain *parent)
{
	struct dmar_domain *s1 = kzalloc(sizeof(*s1), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, s1);
	INIT_LIST_HEAD(&s1->devices);
	INIT_LIST_HEAD(&s1->dev_pasids);
	INIT_LIST_HEAD(&s1->nested_domains);
	spin_lock_init(&s1->lock);
	spin_lock_init(&s1->nested_lock);
	xa_init(&s1->iommu_array);
	KUNIT_ASSERT_NOT_NULL(test, kunit_alloc_resource(test, pk_res_init,
							 pk_nested_free,
							 GFP_KERNEL, s1));
	s1->nid = NUMA_NO_NODE;
	s1->parent = parent;
	s1->s1_root = 0x5000;
	s1->s1_width = ADDR_WIDTH_4LEVEL;
	s1->domain.ops = &intel_nested_domain_ops;
	s1->domain.type = IOMMU_DOMAIN_NESTED;
	return s1;
}

/* Which devices and PASIDs the driver takes a domain at. */
static void pk_check_refusals(struct kunit *test)
{
	struct intel_iommu *iommu, *legacy, *no_pasid;
	struct device_domain_info *info;
	struct device *dev;

	pk_scalable(test);
	iommu = pk_iommu(test, PK_ECAP_ALL);
	legacy = pk_iommu(test, PK_ECAP_ALL & ~PK_ECAP_SMTS);
	no_pasid = pk_iommu(test, PK_ECAP_ALL & ~PK_ECAP_PASID);
	dev = pk_device(test, iommu);
	info = dev_iommu_priv_get(dev);

	KUNIT_EXPECT_EQ(test, dev_pasid_check(dev, 1), 0);
	KUNIT_EXPECT_EQ(test, dev_pasid_check(dev, 32767), 0);
	/* RID2PASID is the RID's; the table ends at 32768. */
	KUNIT_EXPECT_EQ(test, dev_pasid_check(dev, PASID_RID2PASID), -EINVAL);
	KUNIT_EXPECT_EQ(test, dev_pasid_check(dev, 32768), -EINVAL);
	KUNIT_EXPECT_EQ(test, dev_pasid_check(dev, PASID_MAX), -EINVAL);

	info->pasid_enabled = 0;
	KUNIT_EXPECT_EQ(test, dev_pasid_check(dev, 1), -EOPNOTSUPP);
	info->pasid_enabled = 1;

	info->iommu = legacy;
	KUNIT_EXPECT_EQ(test, dev_pasid_check(dev, 1), -EOPNOTSUPP);
	info->iommu = no_pasid;
	KUNIT_EXPECT_EQ(test, dev_pasid_check(dev, 1), -EOPNOTSUPP);
	info->iommu = iommu;

	intel_iommu_sm = 0;
	KUNIT_EXPECT_EQ(test, dev_pasid_check(dev, 1), -EOPNOTSUPP);
}

/*
 * First stage at PASID 9: the domain's table and ID, 4-level, no
 * supervisor requests even though the unit has SRS, NXE, page-walk snoop
 * from SMPWC, and nothing at RID2PASID.
 */
static void pk_entry_first_stage(struct kunit *test)
{
	struct intel_iommu *iommu;
	struct dmar_domain *d;
	struct pasid_entry *pe;
	struct device *dev;

	pk_scalable(test);
	iommu = pk_iommu(test, PK_ECAP_ALL);
	dev = pk_device(test, iommu);
	d = pk_paging(test, true);
	d->force_snooping = true;
	KUNIT_ASSERT_EQ(test, domain_attach_iommu(d, iommu), 0);

	KUNIT_ASSERT_EQ(test, dev_pasid_setup_entry(d, dev, 9), 0);
	pe = pk_entry(dev, 9);
	KUNIT_ASSERT_NOT_NULL(test, pe);
	KUNIT_EXPECT_EQ(test, pe->val[0],
			PK_AW(2) | PK_PGTT(PASID_ENTRY_PGTT_FL_ONLY) | PK_P);
	KUNIT_EXPECT_EQ(test, pe->val[1],
			(u64)domain_id_iommu(d, iommu) | PK_PWSNP | PK_PGSNP);
	KUNIT_EXPECT_EQ(test, pe->val[2], (u64)virt_to_phys(d->pgd) | PK_NXE);
	KUNIT_EXPECT_FALSE(test, pe->val[2] & PK_SRE);
	KUNIT_EXPECT_FALSE(test, pasid_pte_is_present(pk_entry(dev, 0)));

	/* A present entry is never overwritten. */
	KUNIT_EXPECT_EQ(test, dev_pasid_setup_entry(d, dev, 9), -EBUSY);
	domain_detach_iommu(d, iommu);
}

/*
 * Second stage at PASID 100 (another leaf table): the table, AGAW, fault
 * reporting on, and SSADE exactly when the domain tracks dirty pages, as
 * on the RID's entry.
 */
static void pk_entry_second_stage(struct kunit *test)
{
	struct intel_iommu *iommu;
	struct dmar_domain *d;
	struct pasid_entry *pe;
	struct device *dev;
	u64 head;

	pk_scalable(test);
	iommu = pk_iommu(test, PK_ECAP_ALL & ~PK_ECAP_SRS);
	dev = pk_device(test, iommu);
	d = pk_paging(test, false);
	KUNIT_ASSERT_EQ(test, domain_attach_iommu(d, iommu), 0);
	head = (u64)virt_to_phys(d->pgd) | PK_AW(2) |
	       PK_PGTT(PASID_ENTRY_PGTT_SL_ONLY) | PK_P;

	KUNIT_ASSERT_EQ(test, dev_pasid_setup_entry(d, dev, 100), 0);
	pe = pk_entry(dev, 100);
	KUNIT_ASSERT_NOT_NULL(test, pe);
	KUNIT_EXPECT_EQ(test, pe->val[0], head);
	KUNIT_EXPECT_FALSE(test, pe->val[0] & PK_FPD);
	KUNIT_EXPECT_EQ(test, pe->val[1],
			(u64)domain_id_iommu(d, iommu) | PK_PWSNP);
	KUNIT_EXPECT_EQ(test, pe->val[2], 0ULL);

	d->dirty_tracking = true;
	KUNIT_ASSERT_EQ(test, dev_pasid_setup_entry(d, dev, 101), 0);
	KUNIT_EXPECT_EQ(test, pk_entry(dev, 101)->val[0], head | PK_SSADE);
	domain_detach_iommu(d, iommu);
}

/*
 * Nested at PASID 7: the user's first stage, the parent's table and the
 * nested domain's own ID, the parent's dirty tracking in SSADE.
 */
static void pk_entry_nested(struct kunit *test)
{
	struct dmar_domain *parent, *s1;
	struct intel_iommu *iommu;
	struct pasid_entry *pe;
	struct device *dev;
	u16 did;

	pk_scalable(test);
	iommu = pk_iommu(test, PK_ECAP_ALL);
	dev = pk_device(test, iommu);
	parent = pk_paging(test, false);
	parent->nested_parent = true;
	parent->dirty_tracking = true;
	s1 = pk_nested(test, parent);
	KUNIT_ASSERT_EQ(test, domain_attach_iommu(s1, iommu), 0);
	did = domain_id_iommu(s1, iommu);

	KUNIT_ASSERT_EQ(test, dev_pasid_setup_entry(s1, dev, 7), 0);
	pe = pk_entry(dev, 7);
	KUNIT_ASSERT_NOT_NULL(test, pe);
	KUNIT_EXPECT_EQ(test, pe->val[0],
			(u64)virt_to_phys(parent->pgd) | PK_SSADE | PK_AW(2) |
			PK_PGTT(PASID_ENTRY_PGTT_NESTED) | PK_P);
	KUNIT_EXPECT_EQ(test, pe->val[1], (u64)did | PK_PWSNP);
	KUNIT_EXPECT_EQ(test, pe->val[2], 0x5000ULL);
	KUNIT_EXPECT_FALSE(test, pasid_pte_is_present(pk_entry(dev, 0)));
	domain_detach_iommu(s1, iommu);
}

static bool pk_tracked(struct dmar_domain *d, struct device *dev, u32 pasid)
{
	struct device_domain_info *info = dev_iommu_priv_get(dev);
	struct dev_pasid_attach *dpa;

	list_for_each_entry(dpa, &d->dev_pasids, link)
		if (dpa->info == info && dpa->pasid == pasid)
			return true;
	return false;
}

static unsigned int pk_count(struct dmar_domain *d)
{
	struct dev_pasid_attach *dpa;
	unsigned int n = 0;

	list_for_each_entry(dpa, &d->dev_pasids, link)
		n++;
	return n;
}

/*
 * An attach takes a domain ID on the unit (the domain was attached
 * nowhere), lists the PASID for the domain's flushes, counts it on the
 * device and lets the domain flush device-TLBs; removal's bookkeeping
 * gives all of that back.
 */
static void pk_attach_and_release(struct kunit *test)
{
	struct device_domain_info *info;
	struct intel_iommu *iommu;
	struct dmar_domain *d;
	struct device *dev;
	u16 did;

	pk_scalable(test);
	iommu = pk_iommu(test, PK_ECAP_ALL);
	dev = pk_device(test, iommu);
	info = dev_iommu_priv_get(dev);
	info->ats_enabled = 1;
	d = pk_paging(test, true);
	KUNIT_ASSERT_NULL(test, xa_load(&d->iommu_array, iommu->seq_id));

	KUNIT_ASSERT_EQ(test, dev_pasid_attach(d, dev, 33, NULL), 0);
	KUNIT_ASSERT_NOT_NULL(test, xa_load(&d->iommu_array, iommu->seq_id));
	did = domain_id_iommu(d, iommu);
	KUNIT_EXPECT_TRUE(test, test_bit(did, iommu->domain_ids));
	KUNIT_EXPECT_TRUE(test, pk_tracked(d, dev, 33));
	KUNIT_EXPECT_EQ(test, info->nr_dev_pasids, 1U);
	KUNIT_EXPECT_TRUE(test, d->has_iotlb_device);
	KUNIT_EXPECT_TRUE(test, pasid_pte_is_present(pk_entry(dev, 33)));
	KUNIT_EXPECT_EQ(test, pk_entry(dev, 33)->val[1] & 0xffff, (u64)did);

	/* A second PASID shares the domain ID. */
	KUNIT_ASSERT_EQ(test, dev_pasid_attach(d, dev, 34, NULL), 0);
	KUNIT_EXPECT_EQ(test, domain_id_iommu(d, iommu), did);
	KUNIT_EXPECT_EQ(test, info->nr_dev_pasids, 2U);
	/* A PASID in use is refused, and nothing more is tracked. */
	KUNIT_EXPECT_EQ(test, dev_pasid_attach(d, dev, 34, NULL), -EBUSY);
	KUNIT_EXPECT_EQ(test, info->nr_dev_pasids, 2U);
	KUNIT_EXPECT_EQ(test, pk_count(d), 2U);

	dev_pasid_release(d, dev, 33);
	KUNIT_EXPECT_FALSE(test, pk_tracked(d, dev, 33));
	KUNIT_EXPECT_TRUE(test, pk_tracked(d, dev, 34));
	KUNIT_EXPECT_TRUE(test, test_bit(did, iommu->domain_ids));
	/* Releasing what is not there changes nothing. */
	dev_pasid_release(d, dev, 33);
	KUNIT_EXPECT_EQ(test, info->nr_dev_pasids, 1U);

	dev_pasid_release(d, dev, 34);
	KUNIT_EXPECT_TRUE(test, list_empty(&d->dev_pasids));
	KUNIT_EXPECT_EQ(test, info->nr_dev_pasids, 0U);
	KUNIT_EXPECT_FALSE(test, d->has_iotlb_device);
	KUNIT_EXPECT_FALSE(test, test_bit(did, iommu->domain_ids));
	KUNIT_EXPECT_NULL(test, xa_load(&d->iommu_array, iommu->seq_id));
}

/* While PASIDs are attached, a RID change leaves PASID and ATS on. */
static void pk_caps_stay(struct kunit *test)
{
	struct device_domain_info *info;
	struct intel_iommu *iommu;
	struct device *dev;

	pk_scalable(test);
	iommu = pk_iommu(test, PK_ECAP_ALL);
	dev = pk_device(test, iommu);
	info = dev_iommu_priv_get(dev);
	info->ats_enabled = 1;
	info->nr_dev_pasids = 1;

	iommu_disable_dev_iotlb(info);
	KUNIT_EXPECT_TRUE(test, info->pasid_enabled);
	KUNIT_EXPECT_TRUE(test, info->ats_enabled);
}

static struct kunit_case pasid_kunit_cases[] = {
	KUNIT_CASE(pk_check_refusals),
	KUNIT_CASE(pk_entry_first_stage),
	KUNIT_CASE(pk_entry_second_stage),
	KUNIT_CASE(pk_entry_nested),
	KUNIT_CASE(pk_attach_and_release),
	KUNIT_CASE(pk_caps_stay),
	{}
};

static struct kunit_suite pasid_kunit_suite = {
	.name = "intel-iommu-pasid",
	.test_cases = pasid_kunit_cases,
};

kunit_test_suite(pasid_kunit_suite);
