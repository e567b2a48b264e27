// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for VT-d nesting: the refusal of each user field the driver
 * cannot or must not take, the exact PASID entry of a nested domain, and
 * the invalidation descriptors user requests turn into. Included by
 * iommu.c, so the static helpers are at hand.
 *
 * No hardware is used: the units are struct intel_iommu values with only
 * their capability registers filled in, and nothing is submitted to an
 * invalidation queue. No user memory either: 6.1's KUnit cannot map any
 * (kunit_vm_mmap() came later, and set_fs() is gone). So the driver checks
 * user structures once they are copied, in nested_s1_check() and
 * nested_inv_check(), which are tested on kernel copies; the array loop
 * takes its entries from a fetch callback, which the tests point at a
 * kernel array; and the real copies are only driven into the errors they
 * give before touching memory (a NULL pointer, a bad length).
 */
#include <kunit/test.h>

/* Capability bits (VT-d spec 11.4.2, 11.4.3) the tests turn on. */
#define NK_CAP_FL5LP	BIT_ULL(60)
#define NK_CAP_MAMV(x)	((u64)(x) << 48)
#define NK_ECAP_NEST	BIT_ULL(26)
#define NK_ECAP_SRS	BIT_ULL(31)
#define NK_ECAP_EAFS	BIT_ULL(34)
#define NK_ECAP_SMTS	BIT_ULL(43)
#define NK_ECAP_SLADS	BIT_ULL(45)
#define NK_ECAP_SLTS	BIT_ULL(46)
#define NK_ECAP_FLTS	BIT_ULL(47)

#define NK_ECAP_NESTING	(NK_ECAP_SMTS | NK_ECAP_NEST | NK_ECAP_SLTS | \
			 NK_ECAP_FLTS)

static struct intel_iommu *nk_unit(struct kunit *test, u64 cap, u64 ecap)
{
	struct intel_iommu *iommu = kunit_kzalloc(test, sizeof(*iommu),
						  GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, iommu);
	iommu->cap = cap;
	iommu->ecap = ecap;
	return iommu;
}

/* A device whose probe put it behind @iommu, as far as the driver looks. */
static struct device *nk_device(struct kunit *test, struct intel_iommu *iommu)
{
	struct device_domain_info *info;
	struct dev_iommu *param;
	struct device *dev;

	dev = kunit_kzalloc(test, sizeof(*dev), GFP_KERNEL);
	param = kunit_kzalloc(test, sizeof(*param), GFP_KERNEL);
	info = kunit_kzalloc(test, sizeof(*info), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, dev);
	KUNIT_ASSERT_NOT_NULL(test, param);
	KUNIT_ASSERT_NOT_NULL(test, info);
	info->iommu = iommu;
	info->dev = dev;
	param->priv = info;
	dev->iommu = param;
	return dev;
}

static int nk_res_init(struct kunit_resource *res, void *context)
{
	res->data = context;
	return 0;
}

static void nk_domain_exit(struct kunit_resource *res)
{
	domain_exit(res->data);
}

/* A second-stage paging domain 48 bits wide, optionally a nest parent. */
static struct dmar_domain *nk_paging(struct kunit *test, bool nest_parent)
{
	struct dmar_domain *d = alloc_domain(IOMMU_DOMAIN_UNMANAGED);

	KUNIT_ASSERT_NOT_NULL(test, d);
	d->flags &= ~DOMAIN_FLAG_USE_FIRST_LEVEL;
	KUNIT_ASSERT_EQ(test, md_domain_init(d, 48), 0);
	KUNIT_ASSERT_NOT_NULL(test, kunit_alloc_resource(test, nk_res_init,
							 nk_domain_exit,
							 GFP_KERNEL, d));
	d->domain.ops = intel_iommu_ops.default_domain_ops;
	d->nested_parent = nest_parent;
	return d;
}

/* Scalable mode is a boot choice; the tests that need it set it briefly. */
struct nk_sm {
	int saved;
};

static void nk_sm_restore(struct kunit_resource *res)
{
	intel_iommu_sm = ((struct nk_sm *)res->data)->saved;
}

static void nk_sm_on(struct kunit *test)
{
	struct nk_sm *sm = kunit_kzalloc(test, sizeof(*sm), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, sm);
	sm->saved = intel_iommu_sm;
	KUNIT_ASSERT_NOT_NULL(test, kunit_alloc_resource(test, nk_res_init,
							 nk_sm_restore,
							 GFP_KERNEL, sm));
	intel_iommu_sm = 1;
}

/* What a careful VMM passes: a 4-level table at a page boundary. */
static struct iommu_hwpt_vtd_s1 nk_s1(void)
{
	return (struct iommu_hwpt_vtd_s1){
		.pgtbl_addr = 0x7654000,
		.addr_width = ADDR_WIDTH_4LEVEL,
	};
}

static void nk_s1_accepted(struct kunit *test)
{
	struct intel_iommu *plain = nk_unit(test, 0, NK_ECAP_NESTING);
	struct intel_iommu *rich = nk_unit(test, NK_CAP_FL5LP,
					   NK_ECAP_NESTING | NK_ECAP_SRS |
					   NK_ECAP_EAFS);
	struct dmar_domain *parent = nk_paging(test, true);
	struct iommu_hwpt_vtd_s1 s1 = nk_s1();

	KUNIT_EXPECT_EQ(test, nested_s1_check(plain, parent, &s1), 0);
	/* WPE alone is meaningless (it guards supervisor writes), not bad. */
	s1.flags = IOMMU_VTD_S1_WPE;
	KUNIT_EXPECT_EQ(test, nested_s1_check(plain, parent, &s1), 0);

	s1.flags = IOMMU_VTD_S1_SRE | IOMMU_VTD_S1_EAFE | IOMMU_VTD_S1_WPE;
	s1.addr_width = ADDR_WIDTH_5LEVEL;
	KUNIT_EXPECT_EQ(test, nested_s1_check(rich, parent, &s1), 0);

	/* The last page the parent translates may hold the table. */
	s1.pgtbl_addr = (1ULL << 48) - VTD_PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, nested_s1_check(rich, parent, &s1), 0);
}

struct nk_s1_case {
	const char *what;
	u64 flags;
	u64 pgtbl_addr;		/* 0: the good one */
	bool set_width;		/* else 48 bits */
	u32 addr_width;
	u32 reserved;
	bool plain_unit;	/* no FL5LP, SRS, EAFS */
	int err;
};

static const struct nk_s1_case nk_s1_refused[] = {
	{ "unknown flag", .flags = BIT_ULL(3), .err = -EOPNOTSUPP },
	{ "top flag", .flags = BIT_ULL(63), .err = -EOPNOTSUPP },
	{ "__reserved", .reserved = 1, .err = -EOPNOTSUPP },
	{ "table not page aligned", .pgtbl_addr = 0x7654008, .err = -EINVAL },
	{ "table half a page in", .pgtbl_addr = 0x7654800, .err = -EINVAL },
	{ "table beyond the parent", .pgtbl_addr = 1ULL << 48,
	  .err = -EINVAL },
	{ "table at the top", .pgtbl_addr = ~0xfffULL, .err = -EINVAL },
	{ "width 0", .set_width = true, .addr_width = 0, .err = -EINVAL },
	{ "width 39", .set_width = true, .addr_width = 39, .err = -EINVAL },
	{ "width 64", .set_width = true, .addr_width = 64, .err = -EINVAL },
	{ "width 57 without FL5LP", .set_width = true,
	  .addr_width = ADDR_WIDTH_5LEVEL, .plain_unit = true,
	  .err = -EINVAL },
	{ "SRE without SRS", .flags = IOMMU_VTD_S1_SRE, .plain_unit = true,
	  .err = -EINVAL },
	{ "EAFE without EAFS", .flags = IOMMU_VTD_S1_EAFE, .plain_unit = true,
	  .err = -EINVAL },
};

static void nk_s1_refusals(struct kunit *test)
{
	struct intel_iommu *plain = nk_unit(test, 0, NK_ECAP_NESTING);
	struct intel_iommu *rich = nk_unit(test, NK_CAP_FL5LP,
					   NK_ECAP_NESTING | NK_ECAP_SRS |
					   NK_ECAP_EAFS);
	struct dmar_domain *parent = nk_paging(test, true);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(nk_s1_refused); i++) {
		const struct nk_s1_case *c = &nk_s1_refused[i];
		struct iommu_hwpt_vtd_s1 s1 = nk_s1();

		s1.flags = c->flags;
		s1.__reserved = c->reserved;
		if (c->pgtbl_addr)
			s1.pgtbl_addr = c->pgtbl_addr;
		if (c->set_width)
			s1.addr_width = c->addr_width;
		KUNIT_EXPECT_EQ_MSG(test,
				    nested_s1_check(c->plain_unit ? plain :
						    rich, parent, &s1),
				    c->err, "%s", c->what);
	}
}

/* The errno of a refused allocation (these tests expect no domain). */
static long nk_nested_err(struct device *dev, struct iommu_domain *parent,
			  const struct iommu_user_arg *arg)
{
	return PTR_ERR(intel_iommu_domain_alloc_nested(dev, parent, arg));
}

static long nk_paging_err(struct device *dev, u32 flags)
{
	return PTR_ERR(intel_iommu_domain_alloc_paging_flags(dev, flags));
}

/*
 * domain_alloc_nested() up to the copy from user memory: each refusal
 * that comes before it, and the copy's own length and pointer checks.
 */
static void nk_alloc_refusals(struct kunit *test)
{
	struct intel_iommu *unit = nk_unit(test, 0, NK_ECAP_NESTING);
	struct intel_iommu *flat = nk_unit(test, 0, NK_ECAP_SMTS |
					   NK_ECAP_SLTS | NK_ECAP_FLTS);
	struct dmar_domain *parent = nk_paging(test, true);
	struct dmar_domain *plain = nk_paging(test, false);
	struct dmar_domain *alien = nk_paging(test, true);
	struct iommu_user_arg arg = {
		.type = IOMMU_HWPT_DATA_VTD_S1,
		.len = sizeof(struct iommu_hwpt_vtd_s1),
	};
	struct iommu_domain_ops other_ops = {};
	struct device *dev = nk_device(test, unit);
	struct iommu_domain *p = &parent->domain;

	nk_sm_on(test);
	alien->domain.ops = &other_ops;

	/* A unit that cannot nest, whatever is asked. */
	KUNIT_EXPECT_EQ(test, nk_nested_err(nk_device(test, flat), p, &arg),
			-EOPNOTSUPP);
	arg.type = IOMMU_HWPT_DATA_NONE;
	KUNIT_EXPECT_EQ(test, nk_nested_err(dev, p, &arg), -EOPNOTSUPP);
	arg.type = 0x1000;
	KUNIT_EXPECT_EQ(test, nk_nested_err(dev, p, &arg), -EOPNOTSUPP);
	arg.type = IOMMU_HWPT_DATA_VTD_S1;
	KUNIT_EXPECT_EQ(test, nk_nested_err(dev, &plain->domain, &arg),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, nk_nested_err(dev, &alien->domain, &arg),
			-EINVAL);

	/* Up to the copy: nowhere to copy from. */
	KUNIT_EXPECT_EQ(test, nk_nested_err(dev, p, &arg), -EFAULT);
	/* Shorter than the first version, longer than the kernel knows. */
	arg.len = offsetof(struct iommu_hwpt_vtd_s1, __reserved);
	KUNIT_EXPECT_EQ(test, nk_nested_err(dev, p, &arg), -EINVAL);
	arg.len = sizeof(struct iommu_hwpt_vtd_s1) + 8;
	KUNIT_EXPECT_EQ(test, nk_nested_err(dev, p, &arg), -EINVAL);
}

/* IOMMU_PAGING_NEST_PARENT on units that cannot give one. */
static void nk_parent_refusals(struct kunit *test)
{
	struct intel_iommu *flat = nk_unit(test, 0, NK_ECAP_SMTS |
					   NK_ECAP_SLTS | NK_ECAP_FLTS |
					   NK_ECAP_SLADS);
	struct intel_iommu *no_ad = nk_unit(test, 0, NK_ECAP_NESTING);
	struct intel_iommu *no_ss = nk_unit(test, 0, NK_ECAP_SMTS |
					    NK_ECAP_NEST | NK_ECAP_FLTS);
	const u32 nest = IOMMU_PAGING_NEST_PARENT;

	nk_sm_on(test);
	KUNIT_EXPECT_EQ(test, nk_paging_err(nk_device(test, flat), nest),
			-EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, nk_paging_err(nk_device(test, no_ss), nest),
			-EOPNOTSUPP);
	/* A nest parent's dirty bits are second-stage ones: SLADS. */
	KUNIT_EXPECT_EQ(test, nk_paging_err(nk_device(test, no_ad),
					    nest | IOMMU_PAGING_DIRTY_TRACKING),
			-EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, nk_paging_err(nk_device(test, no_ad), BIT(7)),
			-EOPNOTSUPP);

	/* Without scalable mode there is no nesting at all. */
	intel_iommu_sm = 0;
	KUNIT_EXPECT_EQ(test, nk_paging_err(nk_device(test, no_ad), nest),
			-EOPNOTSUPP);
}

/*
 * The scalable-mode PASID table entry (VT-d spec 9.6), bit by bit:
 *   0 P, 1 FPD, 4:2 AW, 8:6 PGTT, 9 SSADE, 63:12 SSPTPTR,
 *   79:64 DID, 87 PWSNP, 88 PGSNP,
 *   128 SRE, 131:130 FSPM, 132 WPE, 133 NXE, 135 EAFE, 191:140 FSPTPTR.
 */
static void nk_entry_full(struct kunit *test)
{
	struct pasid_nested_cfg cfg = {
		.s1_root = 0x12345000,
		.s2_root = 0xabcde000,
		.s1_flags = IOMMU_VTD_S1_SRE | IOMMU_VTD_S1_WPE |
			    IOMMU_VTD_S1_EAFE,
		.s1_width = ADDR_WIDTH_5LEVEL,
		.did = 0x2a,
		.s2_agaw = 2,
		.pwsnp = true,
		.pgsnp = true,
		.ssade = true,
	};
	struct pasid_entry pe;
	int i;

	memset(&pe, 0xa5, sizeof(pe));
	pasid_entry_build_nested(&pe, &cfg);

	KUNIT_EXPECT_EQ(test, pe.val[0],
			0xabcde000ULL | BIT_ULL(9) | (3ULL << 6) |
			(2ULL << 2) | BIT_ULL(0));
	KUNIT_EXPECT_EQ(test, pe.val[1], 0x2aULL | BIT_ULL(23) | BIT_ULL(24));
	KUNIT_EXPECT_EQ(test, pe.val[2],
			0x12345000ULL | BIT_ULL(7) | BIT_ULL(4) |
			(1ULL << 2) | BIT_ULL(0));
	for (i = 3; i < 8; i++)
		KUNIT_EXPECT_EQ_MSG(test, pe.val[i], 0ULL, "val[%d]", i);

	/* The fields as the driver's own accessors read them. */
	KUNIT_EXPECT_TRUE(test, pasid_pte_is_present(&pe));
	KUNIT_EXPECT_EQ(test, pasid_pte_get_pgtt(&pe),
			(u16)PASID_ENTRY_PGTT_NESTED);
}

static void nk_entry_plain(struct kunit *test)
{
	struct pasid_nested_cfg cfg = {
		/* Low bits are not the table's: they never reach the entry. */
		.s1_root = 0xfedcb000ULL | 0xfff,
		.s2_root = 0x1234567000ULL,
		/* WPE without SRE: no supervisor requests to protect. */
		.s1_flags = IOMMU_VTD_S1_WPE,
		.s1_width = ADDR_WIDTH_4LEVEL,
		.did = 0xffff,
		.s2_agaw = 3,
	};
	struct pasid_entry pe;

	pasid_entry_build_nested(&pe, &cfg);

	/* FPD clear: faults are reported. No SSADE, no snooping asked. */
	KUNIT_EXPECT_EQ(test, pe.val[0],
			0x1234567000ULL | (3ULL << 6) | (3ULL << 2) |
			BIT_ULL(0));
	KUNIT_EXPECT_EQ(test, pe.val[1], 0xffffULL);
	/* FSPM 0 (4-level), no SRE/WPE/EAFE, and no NXE in either case. */
	KUNIT_EXPECT_EQ(test, pe.val[2], 0xfedcb000ULL);
}

/* The unit's domain ID for @d, as domain_attach_iommu() would record it. */
static void nk_give_did(struct kunit *test, struct dmar_domain *d,
			struct intel_iommu *iommu, u16 did)
{
	struct iommu_domain_info *di = kunit_kzalloc(test, sizeof(*di),
						     GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, di);
	di->iommu = iommu;
	di->did = did;
	di->refcnt = 1;
	KUNIT_ASSERT_EQ(test, xa_err(xa_store(&d->iommu_array, iommu->seq_id,
					      di, GFP_KERNEL)), 0);
}

static void nk_xa_destroy(struct kunit_resource *res)
{
	xa_destroy(res->data);
}

/*
 * The entry of a nested domain over a real second-stage parent: its
 * table's address and AGAW, the parent's snooping and dirty tracking,
 * the nested domain's own domain ID (not the parent's).
 */
static void nk_entry_over_parent(struct kunit *test)
{
	struct intel_iommu *unit = nk_unit(test, 0, NK_ECAP_NESTING |
					   BIT_ULL(48) /* SMPWC */);
	struct dmar_domain *parent = nk_paging(test, true);
	struct dmar_domain *s1 = kunit_kzalloc(test, sizeof(*s1), GFP_KERNEL);
	struct pasid_nested_cfg cfg;
	struct pasid_entry pe;

	KUNIT_ASSERT_NOT_NULL(test, s1);
	xa_init(&s1->iommu_array);
	KUNIT_ASSERT_NOT_NULL(test, kunit_alloc_resource(test, nk_res_init,
							 nk_xa_destroy,
							 GFP_KERNEL,
							 &s1->iommu_array));
	s1->parent = parent;
	s1->s1_root = 0x3000;
	s1->s1_width = ADDR_WIDTH_4LEVEL;
	s1->s1_flags = IOMMU_VTD_S1_SRE;
	unit->agaw = parent->agaw;
	unit->seq_id = 3;
	nk_give_did(test, s1, unit, 0x77);
	parent->force_snooping = true;
	parent->dirty_tracking = true;

	KUNIT_ASSERT_EQ(test, nested_entry_cfg(unit, s1, &cfg), 0);
	pasid_entry_build_nested(&pe, &cfg);
	KUNIT_EXPECT_EQ(test, pe.val[0],
			(u64)virt_to_phys(parent->pgd) | BIT_ULL(9) |
			(3ULL << 6) | ((u64)parent->agaw << 2) | BIT_ULL(0));
	KUNIT_EXPECT_EQ(test, pe.val[1], 0x77ULL | BIT_ULL(23) | BIT_ULL(24));
	KUNIT_EXPECT_EQ(test, pe.val[2], 0x3000ULL | BIT_ULL(0));

	/* A unit with fewer levels skips the parent's empty top: refused. */
	unit->agaw = parent->agaw - 1;
	KUNIT_EXPECT_EQ(test, nested_entry_cfg(unit, s1, &cfg), -EINVAL);
}

/* PASID-based IOTLB invalidate descriptor (VT-d spec 6.5.2.4). */
#define NK_PIOTLB_PSI(did)	(0x6ULL | (3ULL << 4) | ((u64)(did) << 16))
#define NK_PIOTLB_ALL(did)	(0x6ULL | (2ULL << 4) | ((u64)(did) << 16))
#define NK_IH			BIT_ULL(6)

static struct qi_desc nk_desc(u16 did, u64 addr, u64 npages, u32 flags,
			      unsigned int max_am)
{
	struct iommu_hwpt_vtd_s1_invalidate inv = {
		.addr = addr, .npages = npages, .flags = flags,
	};
	struct qi_desc desc;

	memset(&desc, 0x5a, sizeof(desc));
	nested_piotlb_desc(&desc, did, &inv, max_am);
	return desc;
}

static void nk_desc_expect(struct kunit *test, struct qi_desc d, u64 qw0,
			   u64 qw1)
{
	KUNIT_EXPECT_EQ(test, d.qw0, qw0);
	KUNIT_EXPECT_EQ(test, d.qw1, qw1);
	KUNIT_EXPECT_EQ(test, d.qw2, 0ULL);
	KUNIT_EXPECT_EQ(test, d.qw3, 0ULL);
}

static void nk_descriptors(struct kunit *test)
{
	/* One page, leaf only: PSI with IH, AM 0. */
	nk_desc_expect(test, nk_desc(5, 0x10000, 1, IOMMU_VTD_INV_FLAGS_LEAF,
				     9),
		       NK_PIOTLB_PSI(5), 0x10000 | NK_IH);
	/* An aligned 2 MiB: AM 9 at its base, paging structures too. */
	nk_desc_expect(test, nk_desc(7, 0x40200000, 512, 0, 9),
		       NK_PIOTLB_PSI(7), 0x40200000 | 9);
	/* Pages 3 and 4 straddle an 8-page boundary: AM 3 from page 0. */
	nk_desc_expect(test, nk_desc(1, 0x3000, 2, 0, 9),
		       NK_PIOTLB_PSI(1), 3);
	/* Three pages from 0x5000: pages 5-7 are in the block of 4 at 4. */
	nk_desc_expect(test, nk_desc(1, 0x5000, 3, 0, 9),
		       NK_PIOTLB_PSI(1), 0x4000 | 2);
	/* Everything: PASID-selective, no address. */
	nk_desc_expect(test, nk_desc(0x1ff, 0, U64_MAX, 0, 9),
		       NK_PIOTLB_ALL(0x1ff), 0);
	/* A block above the unit's mask limit: the whole PASID instead. */
	nk_desc_expect(test, nk_desc(3, 0x100000, 1024, 0, 9),
		       NK_PIOTLB_ALL(3), 0);
	nk_desc_expect(test, nk_desc(3, 0x100000, 1024, 0, 11),
		       NK_PIOTLB_PSI(3), 11);
	/* A range running past the top of the address space. */
	nk_desc_expect(test, nk_desc(3, ~0xfffULL, 2, 0, 63),
		       NK_PIOTLB_ALL(3), 0);
	nk_desc_expect(test, nk_desc(3, ~0xfffULL, 1, IOMMU_VTD_INV_FLAGS_LEAF,
				     0),
		       NK_PIOTLB_PSI(3), ~0xfffULL | NK_IH);
}

struct nk_inv_case {
	const char *what;
	struct iommu_hwpt_vtd_s1_invalidate inv;
	int err;
};

static const struct nk_inv_case nk_inv_cases[] = {
	{ "one page", { .addr = 0x1000, .npages = 1 }, 0 },
	{ "leaf", { .addr = 0, .npages = 8,
		    .flags = IOMMU_VTD_INV_FLAGS_LEAF }, 0 },
	{ "everything", { .addr = 0, .npages = U64_MAX }, 0 },
	{ "unknown flag", { .addr = 0, .npages = 1, .flags = BIT(1) },
	  -EOPNOTSUPP },
	{ "top flag", { .addr = 0, .npages = 1, .flags = BIT(31) },
	  -EOPNOTSUPP },
	{ "__reserved", { .addr = 0, .npages = 1, .__reserved = 1 },
	  -EOPNOTSUPP },
	{ "address not 4 KiB aligned", { .addr = 0x1800, .npages = 1 },
	  -EINVAL },
	{ "no pages", { .addr = 0x1000, .npages = 0 }, -EINVAL },
	{ "everything from an address", { .addr = 0x1000,
					  .npages = U64_MAX }, -EINVAL },
};

static void nk_inv_checks(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(nk_inv_cases); i++)
		KUNIT_EXPECT_EQ_MSG(test, nested_inv_check(&nk_inv_cases[i].inv),
				    nk_inv_cases[i].err, "%s",
				    nk_inv_cases[i].what);
}

/* An array in kernel memory; the descriptors the flushes would submit. */
struct nk_walk {
	struct nested_inv_walk walk;
	const struct iommu_hwpt_vtd_s1_invalidate *entries;
	u32 fail_fetch_at;		/* U32_MAX: never */
	u32 flushed;
	struct qi_desc descs[8];
};

static int nk_fetch(struct nested_inv_walk *walk, u32 i,
		    struct iommu_hwpt_vtd_s1_invalidate *inv)
{
	struct nk_walk *w = container_of(walk, struct nk_walk, walk);

	if (i == w->fail_fetch_at)
		return -EFAULT;
	*inv = w->entries[i];
	return 0;
}

static void nk_flush(struct nested_inv_walk *walk,
		     const struct iommu_hwpt_vtd_s1_invalidate *inv)
{
	struct nk_walk *w = container_of(walk, struct nk_walk, walk);

	if (w->flushed < ARRAY_SIZE(w->descs))
		nested_piotlb_desc(&w->descs[w->flushed], 9, inv, 9);
	w->flushed++;
}

static void nk_walk_init(struct nk_walk *w,
			 const struct iommu_hwpt_vtd_s1_invalidate *entries)
{
	memset(w, 0, sizeof(*w));
	w->walk.fetch = nk_fetch;
	w->walk.flush = nk_flush;
	w->entries = entries;
	w->fail_fetch_at = U32_MAX;
}

static void nk_array(struct kunit *test)
{
	static const struct iommu_hwpt_vtd_s1_invalidate entries[] = {
		{ .addr = 0x2000, .npages = 1,
		  .flags = IOMMU_VTD_INV_FLAGS_LEAF },
		{ .addr = 0, .npages = U64_MAX },
		{ .addr = 0x4000, .npages = 4, .__reserved = 7 },
		{ .addr = 0x8000, .npages = 1 },
	};
	struct nk_walk w;
	u32 num;

	/* All good: every entry handled, in order. */
	nk_walk_init(&w, entries);
	num = 2;
	KUNIT_EXPECT_EQ(test, nested_inv_run(&w.walk, &num), 0);
	KUNIT_EXPECT_EQ(test, num, 2U);
	KUNIT_ASSERT_EQ(test, w.flushed, 2U);
	nk_desc_expect(test, w.descs[0], NK_PIOTLB_PSI(9), 0x2000 | NK_IH);
	nk_desc_expect(test, w.descs[1], NK_PIOTLB_ALL(9), 0);

	/* The bad third entry stops the array: two done, none after. */
	nk_walk_init(&w, entries);
	num = ARRAY_SIZE(entries);
	KUNIT_EXPECT_EQ(test, nested_inv_run(&w.walk, &num), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, num, 2U);
	KUNIT_EXPECT_EQ(test, w.flushed, 2U);

	/* A fault reading the second entry: one done. */
	nk_walk_init(&w, entries);
	w.fail_fetch_at = 1;
	num = ARRAY_SIZE(entries);
	KUNIT_EXPECT_EQ(test, nested_inv_run(&w.walk, &num), -EFAULT);
	KUNIT_EXPECT_EQ(test, num, 1U);
	KUNIT_EXPECT_EQ(test, w.flushed, 1U);

	/* A bad first entry: nothing done. */
	nk_walk_init(&w, &entries[2]);
	num = 2;
	KUNIT_EXPECT_EQ(test, nested_inv_run(&w.walk, &num), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, num, 0U);
	KUNIT_EXPECT_EQ(test, w.flushed, 0U);

	/* Nothing asked, nothing done. */
	nk_walk_init(&w, entries);
	num = 0;
	KUNIT_EXPECT_EQ(test, nested_inv_run(&w.walk, &num), 0);
	KUNIT_EXPECT_EQ(test, num, 0U);
}

/* The real op up to the copy from user memory, and its type check. */
static void nk_invalidate_user(struct kunit *test)
{
	struct dmar_domain *s1 = kunit_kzalloc(test, sizeof(*s1), GFP_KERNEL);
	struct iommu_user_array reqs = {
		.type = IOMMU_HWPT_INVALIDATE_DATA_VTD_S1,
		.entry_len = sizeof(struct iommu_hwpt_vtd_s1_invalidate),
		.entry_num = 3,
	};

	KUNIT_ASSERT_NOT_NULL(test, s1);
	xa_init(&s1->iommu_array);
	INIT_LIST_HEAD(&s1->devices);
	spin_lock_init(&s1->lock);

	KUNIT_EXPECT_EQ(test, intel_nested_cache_invalidate_user(&s1->domain,
								 &reqs),
			-EFAULT);
	KUNIT_EXPECT_EQ(test, reqs.entry_num, 0U);

	reqs.entry_num = 3;
	reqs.entry_len = offsetof(struct iommu_hwpt_vtd_s1_invalidate,
				  __reserved);
	KUNIT_EXPECT_EQ(test, intel_nested_cache_invalidate_user(&s1->domain,
								 &reqs),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, reqs.entry_num, 0U);

	reqs.entry_num = 3;
	reqs.entry_len = sizeof(struct iommu_hwpt_vtd_s1_invalidate);
	reqs.type = IOMMU_HWPT_INVALIDATE_DATA_VTD_S1 + 1;
	KUNIT_EXPECT_EQ(test, intel_nested_cache_invalidate_user(&s1->domain,
								 &reqs),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, reqs.entry_num, 0U);
}

static struct kunit_case nested_kunit_cases[] = {
	KUNIT_CASE(nk_s1_accepted),
	KUNIT_CASE(nk_s1_refusals),
	KUNIT_CASE(nk_alloc_refusals),
	KUNIT_CASE(nk_parent_refusals),
	KUNIT_CASE(nk_entry_full),
	KUNIT_CASE(nk_entry_plain),
	KUNIT_CASE(nk_entry_over_parent),
	KUNIT_CASE(nk_descriptors),
	KUNIT_CASE(nk_inv_checks),
	KUNIT_CASE(nk_array),
	KUNIT_CASE(nk_invalidate_user),
	{}
};

static struct kunit_suite nested_kunit_suite = {
	.name = "intel-iommu-nested",
	.test_cases = nested_kunit_cases,
};

kunit_test_suite(nested_kunit_suite);
