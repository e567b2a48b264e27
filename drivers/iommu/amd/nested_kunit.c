// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for AMD-Vi nested domains and vIOMMUs: which guest DTEs are
 * taken, the host DTE made from one, the gDomID -> hDomID map, the
 * translation of a guest's invalidation commands and of the events handed
 * to the guest. QEMU's AMD-Vi has no guest translation, so these run on
 * no IOMMU at all. Included at the end of drivers/iommu/amd/iommu.c for
 * its static helpers.
 */
#include <kunit/test.h>
#include <linux/kthread.h>

/* A GCR3 table root at this GPA, cut into the three DTE pieces */
#define NT_GCR3		0x123456789000ULL
/* An IOMMU with GT, GIOSup, two GCR3 levels and 5-level guest tables */
#define NT_EFR		(FEATURE_GT | FEATURE_GIOSUP | \
			 FIELD_PREP(FEATURE_GLXVAL_MASK, 1) | \
			 FIELD_PREP(FEATURE_GATS_MASK, FEATURE_GATS_5LEVEL))

/*
 * What a guest driver writes: valid, translation on, IR/IW, GV and GIOV,
 * GLX 1, gDomID 0x42, ATS on, interrupt remapping fields set, and a
 * 5-level guest paging mode.
 */
static void nt_guest_dte(u64 *gdte)
{
	gdte[0] = 0x65c0000000000003ULL;
	gdte[1] = 0x01234001acf10042ULL;
	gdte[2] = 0x05400000deadbee1ULL;
	gdte[3] = 0;
}

static void nt_gdte_taken(struct kunit *test)
{
	u64 gdte[4];

	nt_guest_dte(gdte);
	KUNIT_EXPECT_EQ(test, FIELD_GET(DTE0_GCR3_LOW, gdte[0]),
			(NT_GCR3 >> 12) & 7);
	KUNIT_EXPECT_EQ(test, FIELD_GET(DTE1_GCR3_MID, gdte[1]),
			(NT_GCR3 >> 15) & 0xffff);
	KUNIT_EXPECT_EQ(test, FIELD_GET(DTE1_GCR3_HIGH, gdte[1]),
			NT_GCR3 >> 31);
	KUNIT_EXPECT_EQ(test, amd_gdte_check(gdte, NT_EFR), 0);

	/* Without GIOV, with GLX 0 and a 4-level mode: still fine */
	gdte[0] &= ~(DTE_FLAG_GIOV | DTE0_GLX);
	gdte[2] &= ~DTE2_GPT_MODE;
	KUNIT_EXPECT_EQ(test, amd_gdte_check(gdte, NT_EFR), 0);
}

/* Each field the guest may not set, one at a time */
static void nt_gdte_refused_fields(struct kunit *test)
{
	static const struct {
		int word;
		u64 bits;
	} bad[] = {
		{ 0, BIT_ULL(2) }, { 0, BIT_ULL(6) },		/* reserved */
		{ 0, BIT_ULL(7) }, { 0, BIT_ULL(8) },		/* HAD */
		{ 0, BIT_ULL(9) }, { 0, BIT_ULL(11) },		/* Mode */
		{ 0, BIT_ULL(12) }, { 0, BIT_ULL(51) },	/* host root */
		{ 0, BIT_ULL(53) },				/* GPRP */
		{ 0, BIT_ULL(63) },				/* reserved */
		{ 1, BIT_ULL(33) }, { 1, BIT_ULL(37) },	/* SE, Cache */
		{ 1, BIT_ULL(39) }, { 1, BIT_ULL(41) },	/* EX, SysMgt */
		{ 1, BIT_ULL(42) },				/* reserved */
		{ 2, BIT_ULL(52) }, { 2, BIT_ULL(53) },	/* reserved */
		{ 3, BIT_ULL(0) }, { 3, BIT_ULL(63) },		/* word 3 */
	};
	u64 gdte[4];
	int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		nt_guest_dte(gdte);
		gdte[bad[i].word] |= bad[i].bits;
		KUNIT_EXPECT_EQ_MSG(test, amd_gdte_check(gdte, NT_EFR), -EINVAL,
				    "word %d bits %#llx", bad[i].word,
				    bad[i].bits);
	}
}

static void nt_gdte_refused_states(struct kunit *test)
{
	u64 gdte[4];

	nt_guest_dte(gdte);
	gdte[0] &= ~DTE_FLAG_V;
	KUNIT_EXPECT_EQ(test, amd_gdte_check(gdte, NT_EFR), -EINVAL);

	nt_guest_dte(gdte);
	gdte[0] &= ~DTE_FLAG_GV;
	KUNIT_EXPECT_EQ(test, amd_gdte_check(gdte, NT_EFR), -EINVAL);

	/* No GCR3 table root */
	nt_guest_dte(gdte);
	gdte[0] &= ~DTE0_GCR3_LOW;
	gdte[1] &= ~(DTE1_GCR3_MID | DTE1_GCR3_HIGH);
	KUNIT_EXPECT_EQ(test, amd_gdte_check(gdte, NT_EFR), -EINVAL);

	/* GLX 3 and paging modes 2 and 3 are reserved */
	nt_guest_dte(gdte);
	gdte[0] |= DTE0_GLX;
	KUNIT_EXPECT_EQ(test, amd_gdte_check(gdte, ~0ULL), -EINVAL);
	nt_guest_dte(gdte);
	gdte[2] = (gdte[2] & ~DTE2_GPT_MODE) | FIELD_PREP(DTE2_GPT_MODE, 2);
	KUNIT_EXPECT_EQ(test, amd_gdte_check(gdte, NT_EFR), -EINVAL);
	gdte[2] |= DTE2_GPT_MODE;
	KUNIT_EXPECT_EQ(test, amd_gdte_check(gdte, NT_EFR), -EINVAL);

	/* Page requests have no path to the guest */
	nt_guest_dte(gdte);
	gdte[0] |= DTE0_PPR;
	KUNIT_EXPECT_EQ(test, amd_gdte_check(gdte, NT_EFR), -EOPNOTSUPP);
}

/* What the IOMMU lacks is -EOPNOTSUPP */
static void nt_gdte_iommu_limits(struct kunit *test)
{
	u64 gdte[4];

	nt_guest_dte(gdte);
	gdte[0] = (gdte[0] & ~DTE0_GLX) | FIELD_PREP(DTE0_GLX, 2);
	KUNIT_EXPECT_EQ(test, amd_gdte_check(gdte, NT_EFR), -EOPNOTSUPP);

	nt_guest_dte(gdte);
	KUNIT_EXPECT_EQ(test,
			amd_gdte_check(gdte, NT_EFR & ~FEATURE_GATS_MASK),
			-EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, amd_gdte_check(gdte, NT_EFR & ~FEATURE_GIOSUP),
			-EOPNOTSUPP);
	gdte[0] &= ~DTE_FLAG_GIOV;
	KUNIT_EXPECT_EQ(test, amd_gdte_check(gdte, NT_EFR & ~FEATURE_GIOSUP),
			0);
}

/* The host DTE of a nested domain, bit for bit */
static void nt_host_dte(struct kunit *test)
{
	u64 gdte[4], w[3];

	nt_guest_dte(gdte);
	/* v1 root, 4 levels, IR/IW/V/TV, PPR from an iommu_v2 device */
	w[0] = 0x60100000abcde803ULL;
	/* SysMgt from the IVRS, ATS, a stale GCR3 piece, domain 7 */
	w[1] = 0x00000101ffff0007ULL;
	w[2] = ~0ULL;
	amd_nested_dte_merge(gdte, 0x1234, w);
	KUNIT_EXPECT_EQ(test, w[0], 0x65c00000abcde803ULL);
	KUNIT_EXPECT_EQ(test, w[1], 0x01234100acf11234ULL);
	KUNIT_EXPECT_EQ(test, w[2], 0x0040000000000000ULL);

	/* GIOV off and a 4-level mode come through as such */
	gdte[0] &= ~DTE_FLAG_GIOV;
	gdte[2] &= ~DTE2_GPT_MODE;
	w[0] = 0x60100000abcde803ULL;
	w[1] = 0;
	amd_nested_dte_merge(gdte, 1, w);
	KUNIT_EXPECT_EQ(test, w[0], 0x65800000abcde803ULL);
	KUNIT_EXPECT_EQ(test, w[1], 0x01234000acf10001ULL);
	KUNIT_EXPECT_EQ(test, w[2], 0ULL);
}

/*
 * A vIOMMU with no IOMMU behind it, for the maps. Domain IDs come from
 * the driver's bitmap; on a machine without AMD-Vi there is none, so the
 * test lends one.
 */
struct nt_ctx {
	struct amd_viommu v;
	unsigned long *lent_bitmap;
};

static int nt_init(struct kunit *test)
{
	struct nt_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	if (!ctx)
		return -ENOMEM;
	mutex_init(&ctx->v.lock);
	xa_init(&ctx->v.gdoms);
	xa_init(&ctx->v.vdevs);
	spin_lock(&pd_bitmap_lock);
	if (!amd_iommu_pd_alloc_bitmap) {
		ctx->lent_bitmap = bitmap_zalloc(MAX_DOMAIN_ID, GFP_ATOMIC);
		if (ctx->lent_bitmap) {
			__set_bit(0, ctx->lent_bitmap);
			amd_iommu_pd_alloc_bitmap = ctx->lent_bitmap;
		}
	}
	spin_unlock(&pd_bitmap_lock);
	if (!amd_iommu_pd_alloc_bitmap)
		return -ENOMEM;
	test->priv = ctx;
	return 0;
}

static void nt_exit(struct kunit *test)
{
	struct nt_ctx *ctx = test->priv;

	xa_destroy(&ctx->v.gdoms);
	xa_destroy(&ctx->v.vdevs);
	if (ctx->lent_bitmap) {
		spin_lock(&pd_bitmap_lock);
		amd_iommu_pd_alloc_bitmap = NULL;
		spin_unlock(&pd_bitmap_lock);
		bitmap_free(ctx->lent_bitmap);
	}
}

static bool nt_id_in_use(u16 id)
{
	return test_bit(id, amd_iommu_pd_alloc_bitmap);
}

static void nt_gdom_sharing(struct kunit *test)
{
	struct nt_ctx *ctx = test->priv;
	struct amd_viommu *v = &ctx->v;
	struct amd_gdom *a1, *a2, *b;
	u16 ha, hb;

	mutex_lock(&v->lock);
	a1 = amd_viommu_gdom_get(v, 5);
	KUNIT_ASSERT_FALSE(test, IS_ERR(a1));
	a2 = amd_viommu_gdom_get(v, 5);
	b = amd_viommu_gdom_get(v, 6);
	KUNIT_ASSERT_FALSE(test, IS_ERR(b));

	/* One hDomID per gDomID, shared by its users */
	KUNIT_EXPECT_PTR_EQ(test, a1, a2);
	KUNIT_EXPECT_EQ(test, a1->users, 2U);
	KUNIT_EXPECT_EQ(test, b->users, 1U);
	ha = a1->hdom_id;
	hb = b->hdom_id;
	KUNIT_EXPECT_NE(test, (int)ha, 0);
	KUNIT_EXPECT_NE(test, (int)ha, (int)hb);
	KUNIT_EXPECT_TRUE(test, nt_id_in_use(ha));

	/* The first put keeps the ID, the last gives it back */
	amd_viommu_gdom_put(v, 5, a1);
	KUNIT_EXPECT_PTR_EQ(test, xa_load(&v->gdoms, 5), (void *)a2);
	KUNIT_EXPECT_TRUE(test, nt_id_in_use(ha));
	amd_viommu_gdom_put(v, 5, a2);
	KUNIT_EXPECT_NULL(test, xa_load(&v->gdoms, 5));
	KUNIT_EXPECT_FALSE(test, nt_id_in_use(ha));

	/* gDomID 5 again: a fresh mapping */
	a1 = amd_viommu_gdom_get(v, 5);
	KUNIT_ASSERT_FALSE(test, IS_ERR(a1));
	KUNIT_EXPECT_EQ(test, a1->users, 1U);
	amd_viommu_gdom_put(v, 5, a1);
	amd_viommu_gdom_put(v, 6, b);
	KUNIT_EXPECT_FALSE(test, nt_id_in_use(hb));
	KUNIT_EXPECT_TRUE(test, xa_empty(&v->gdoms));
	mutex_unlock(&v->lock);
}

static void nt_cmd(u32 *c, u32 w0, u32 w1, u32 w2, u32 w3)
{
	c[0] = w0;
	c[1] = w1;
	c[2] = w2;
	c[3] = w3;
}

static void nt_xlate_iommu_pages(struct kunit *test)
{
	struct nt_ctx *ctx = test->priv;
	struct amd_viommu *v = &ctx->v;
	struct iommu_dev_data *dd;
	struct iommu_cmd out;
	struct amd_gdom *g;
	u32 in[4];

	mutex_lock(&v->lock);
	g = amd_viommu_gdom_get(v, 0x42);
	KUNIT_ASSERT_FALSE(test, IS_ERR(g));

	/* PASID 0x1234, gDomID 0x42, GN PDE S and an address */
	nt_cmd(in, 0x00001234, 0x30000042, 0x89abc007, 0x00000012);
	KUNIT_EXPECT_EQ(test, amd_viommu_xlate_cmd(v, in, &out, &dd), 0);
	KUNIT_EXPECT_EQ(test, out.data[0], 0x00001234U);
	KUNIT_EXPECT_EQ(test, out.data[1], 0x30000000U | g->hdom_id);
	KUNIT_EXPECT_EQ(test, out.data[2], 0x89abc007U);
	KUNIT_EXPECT_EQ(test, out.data[3], 0x00000012U);
	KUNIT_EXPECT_NULL(test, dd);

	/* An unknown gDomID, reserved bits in each word */
	in[1] = 0x30000043;
	KUNIT_EXPECT_EQ(test, amd_viommu_xlate_cmd(v, in, &out, &dd), -EIO);
	nt_cmd(in, 0x00101234, 0x30000042, 0, 0);
	KUNIT_EXPECT_EQ(test, amd_viommu_xlate_cmd(v, in, &out, &dd), -EIO);
	nt_cmd(in, 0, 0x30010042, 0, 0);
	KUNIT_EXPECT_EQ(test, amd_viommu_xlate_cmd(v, in, &out, &dd), -EIO);
	nt_cmd(in, 0, 0x30000042, 0x00000008, 0);
	KUNIT_EXPECT_EQ(test, amd_viommu_xlate_cmd(v, in, &out, &dd), -EIO);

	amd_viommu_gdom_put(v, 0x42, g);
	/* Gone with its last nested domain */
	nt_cmd(in, 0, 0x30000042, 0, 0);
	KUNIT_EXPECT_EQ(test, amd_viommu_xlate_cmd(v, in, &out, &dd), -EIO);
	mutex_unlock(&v->lock);
}

static void nt_xlate_iotlb_pages(struct kunit *test)
{
	struct nt_ctx *ctx = test->priv;
	struct amd_viommu *v = &ctx->v;
	struct iommu_dev_data *dev, *dd;
	struct iommu_cmd out;
	u32 in[4];

	dev = kunit_kzalloc(test, sizeof(*dev), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, dev);
	dev->devid = 0x0310;
	dev->ats.qdep = 0x20;
	KUNIT_ASSERT_EQ(test, xa_insert(&v->vdevs, 0x0008, dev, GFP_KERNEL),
			0);

	mutex_lock(&v->lock);
	/* MaxPend 0xff, PASID 0xab12, guest DeviceID 8, QueueID 8, GN S */
	nt_cmd(in, 0xffab0008, 0x40120008, 0x45678005, 0x00000001);
	KUNIT_EXPECT_EQ(test, amd_viommu_xlate_cmd(v, in, &out, &dd), 0);
	KUNIT_EXPECT_EQ(test, out.data[0], 0x20ab0310U);
	KUNIT_EXPECT_EQ(test, out.data[1], 0x40120310U);
	KUNIT_EXPECT_EQ(test, out.data[2], 0x45678005U);
	KUNIT_EXPECT_EQ(test, out.data[3], 0x00000001U);
	KUNIT_EXPECT_PTR_EQ(test, dd, dev);

	/* An unknown DeviceID, reserved bits */
	in[0] = 0xffab0009;
	KUNIT_EXPECT_EQ(test, amd_viommu_xlate_cmd(v, in, &out, &dd), -EIO);
	nt_cmd(in, 0x00000008, 0x41000008, 0, 0);
	KUNIT_EXPECT_EQ(test, amd_viommu_xlate_cmd(v, in, &out, &dd), -EIO);
	nt_cmd(in, 0x00000008, 0x40000008, 0x00000002, 0);
	KUNIT_EXPECT_EQ(test, amd_viommu_xlate_cmd(v, in, &out, &dd), -EIO);
	mutex_unlock(&v->lock);
}

/* The guest's other commands are the VMM's to emulate */
static void nt_xlate_other_opcodes(struct kunit *test)
{
	struct nt_ctx *ctx = test->priv;
	static const u32 ops[] = {
		0, CMD_COMPL_WAIT, CMD_INV_DEV_ENTRY, CMD_INV_IRT,
		CMD_COMPLETE_PPR, CMD_INV_ALL, 0xf,
	};
	struct iommu_dev_data *dd;
	struct iommu_cmd out;
	u32 in[4];
	int i;

	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		nt_cmd(in, 0, ops[i] << 28, 0, 0);
		KUNIT_EXPECT_EQ_MSG(test,
				    amd_viommu_xlate_cmd(&ctx->v, in, &out, &dd),
				    -EIO, "opcode %#x", ops[i]);
	}
}

/* Refusals made before any command reaches an IOMMU */
static void nt_invalidate_array(struct kunit *test)
{
	struct nt_ctx *ctx = test->priv;
	struct iommu_user_array reqs = {
		.type = IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3,
		.entry_len = sizeof(struct iommu_viommu_amd_invalidate),
		.entry_num = 3,
	};
	struct device dev = {};

	KUNIT_EXPECT_EQ(test, amd_viommu_cache_invalidate(&ctx->v.core, &reqs),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, reqs.entry_num, 0U);

	/* No entries: only the type is checked */
	reqs.type = IOMMU_VIOMMU_INVALIDATE_DATA_AMD_CMD;
	KUNIT_EXPECT_EQ(test, amd_viommu_cache_invalidate(&ctx->v.core, &reqs),
			0);
	KUNIT_EXPECT_EQ(test, reqs.entry_num, 0U);

	/* Guest device IDs are 16-bit, and the device must be AMD-Vi's */
	KUNIT_EXPECT_EQ(test, amd_viommu_vdevice_add(&ctx->v.core, &dev,
						     0x10000), -EINVAL);
	KUNIT_EXPECT_EQ(test, amd_viommu_vdevice_add(&ctx->v.core, &dev, 1),
			-EINVAL);
	KUNIT_EXPECT_TRUE(test, xa_empty(&ctx->v.vdevs));
}

/*
 * IO_PAGE_FAULTs of device 0x0810, host domain 7 or PASID 0x5abc (GN),
 * a write to a present page, at 0x12_89abc000
 */
#define NT_EVT_DOMID	{ 0x00000810, 0x20300007, 0x89abc000, 0x00000012 }
#define NT_EVT_PASID	{ 0x00050810, 0x20310abc, 0x89abc000, 0x00000012 }

static void nt_vevent_fill(struct kunit *test)
{
	const u32 by_domid[4] = NT_EVT_DOMID, by_pasid[4] = NT_EVT_PASID;
	struct iommu_vevent_amd vevt;

	/* The guest's device and domain IDs; flags, type and address kept */
	amd_vevent_fill(&vevt, by_domid, 0x1234, 0x42);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(vevt.event[0]), 0x00001234U);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(vevt.event[1]), 0x20300042U);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(vevt.event[2]), 0x89abc000U);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(vevt.event[3]), 0x00000012U);

	/* With GN the field is a PASID, the guest's as the host's */
	amd_vevent_fill(&vevt, by_pasid, 0x1234, 0x42);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(vevt.event[0]), 0x00051234U);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(vevt.event[1]), 0x20310abcU);
}

/* What the vIOMMU's owner was handed, and what it answers */
struct nt_listener {
	unsigned int calls;
	u32 type;
	size_t len;
	struct iommu_vevent_amd vevt;
	int answer;
};

static int nt_listen(struct iommu_viommu *viommu, u32 type, const void *data,
		     size_t len, void *token)
{
	struct nt_listener *l = token;

	l->calls++;
	l->type = type;
	l->len = len;
	if (len == sizeof(l->vevt))
		memcpy(&l->vevt, data, len);
	return l->answer;
}

static void nt_event_to_viommu(struct kunit *test)
{
	const u32 evt[4] = NT_EVT_DOMID;
	struct nt_ctx *ctx = test->priv;
	struct amd_viommu *v = &ctx->v;
	struct amd_nested_domain *nest;
	struct iommu_dev_data *dd;
	struct nt_listener l = {};

	nest = kunit_kzalloc(test, sizeof(*nest), GFP_KERNEL);
	dd = kunit_kzalloc(test, sizeof(*dd), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, nest);
	KUNIT_ASSERT_NOT_NULL(test, dd);
	init_rwsem(&v->core.event_lock);
	nest->viommu = v;
	nest->gdom_id = 0x42;

	/* Not nested: the host's, whoever listens */
	iommu_viommu_set_event_handler(&v->core, nt_listen, &l);
	KUNIT_EXPECT_FALSE(test, amd_event_to_viommu(dd, evt));

	/* Nested but unknown to the guest: the host's too */
	WRITE_ONCE(dd->nested, nest);
	KUNIT_EXPECT_FALSE(test, amd_event_to_viommu(dd, evt));
	KUNIT_EXPECT_EQ(test, l.calls, 0U);

	/* With a guest device ID: the guest's, with its IDs */
	KUNIT_ASSERT_EQ(test, xa_insert(&v->vdevs, 0x1234, dd, GFP_KERNEL), 0);
	KUNIT_EXPECT_TRUE(test, amd_event_to_viommu(dd, evt));
	KUNIT_EXPECT_EQ(test, l.calls, 1U);
	KUNIT_EXPECT_EQ(test, l.type, (u32)IOMMU_VEVENTQ_TYPE_AMD);
	KUNIT_EXPECT_EQ(test, l.len, sizeof(struct iommu_vevent_amd));
	KUNIT_EXPECT_EQ(test, le32_to_cpu(l.vevt.event[0]), 0x00001234U);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(l.vevt.event[1]), 0x20300042U);

	/* Nobody takes the type, or nobody listens: back to the host */
	l.answer = -EOPNOTSUPP;
	KUNIT_EXPECT_FALSE(test, amd_event_to_viommu(dd, evt));
	KUNIT_EXPECT_EQ(test, l.calls, 2U);
	iommu_viommu_set_event_handler(&v->core, NULL, NULL);
	KUNIT_EXPECT_FALSE(test, amd_event_to_viommu(dd, evt));
	KUNIT_EXPECT_EQ(test, l.calls, 2U);
	xa_erase(&v->vdevs, 0x1234);
}

/* Domains published and freed under a reporting thread */
#define NT_RACE_ROUNDS	5000U

/* The event thread's side of the race below: reports until stopped. */
struct nt_reporter {
	struct iommu_dev_data *dd;
	unsigned long rounds;
};

static int nt_report_loop(void *arg)
{
	const u32 evt[4] = NT_EVT_DOMID;
	struct nt_reporter *r = arg;

	while (!kthread_should_stop()) {
		amd_event_to_viommu(r->dd, evt);
		r->rounds++;
		cond_resched();
	}
	return 0;
}

/*
 * Events reported while the device's nested domain is replaced and freed
 * again and again: the reporter must never use a freed domain (KASAN
 * would say so), and every hDomID must be given back.
 */
static void nt_event_vs_domain_free(struct kunit *test)
{
	struct nt_ctx *ctx = test->priv;
	struct amd_viommu *v = &ctx->v;
	struct nt_reporter r = {};
	struct amd_nested_domain *nest;
	struct nt_listener l = {};
	struct task_struct *t;
	struct amd_gdom *gdom;
	unsigned int i;

	r.dd = kunit_kzalloc(test, sizeof(*r.dd), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r.dd);
	init_rwsem(&v->core.event_lock);
	iommu_viommu_set_event_handler(&v->core, nt_listen, &l);
	KUNIT_ASSERT_EQ(test, xa_insert(&v->vdevs, 0x1234, r.dd, GFP_KERNEL),
			0);
	t = kthread_run(nt_report_loop, &r, "nt_report");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));

	for (i = 0; i < NT_RACE_ROUNDS; i++) {
		nest = kzalloc(sizeof(*nest), GFP_KERNEL);
		if (!nest)
			break;
		mutex_lock(&v->lock);
		gdom = amd_viommu_gdom_get(v, 0x42);
		mutex_unlock(&v->lock);
		if (IS_ERR(gdom)) {
			kfree(nest);
			break;
		}
		nest->viommu = v;
		nest->gdom = gdom;
		nest->gdom_id = 0x42;
		/* As an attach and a detach publish and withdraw it */
		WRITE_ONCE(r.dd->nested, nest);
		cond_resched();
		WRITE_ONCE(r.dd->nested, NULL);
		amd_nested_domain_free(&nest->domain);
	}
	kthread_stop(t);
	iommu_viommu_set_event_handler(&v->core, NULL, NULL);
	xa_erase(&v->vdevs, 0x1234);

	KUNIT_EXPECT_EQ(test, i, NT_RACE_ROUNDS);
	KUNIT_EXPECT_GT(test, r.rounds, 0UL);
	KUNIT_EXPECT_TRUE(test, xa_empty(&v->gdoms));
}

static struct kunit_case amd_nested_cases[] = {
	KUNIT_CASE(nt_gdte_taken),
	KUNIT_CASE(nt_gdte_refused_fields),
	KUNIT_CASE(nt_gdte_refused_states),
	KUNIT_CASE(nt_gdte_iommu_limits),
	KUNIT_CASE(nt_host_dte),
	KUNIT_CASE(nt_gdom_sharing),
	KUNIT_CASE(nt_xlate_iommu_pages),
	KUNIT_CASE(nt_xlate_iotlb_pages),
	KUNIT_CASE(nt_xlate_other_opcodes),
	KUNIT_CASE(nt_invalidate_array),
	KUNIT_CASE(nt_vevent_fill),
	KUNIT_CASE(nt_event_to_viommu),
	KUNIT_CASE(nt_event_vs_domain_free),
	{}
};

static struct kunit_suite amd_nested_suite = {
	.name = "amd-iommu-nested",
	.init = nt_init,
	.exit = nt_exit,
	.test_cases = amd_nested_cases,
};

kunit_test_suite(amd_nested_suite);
