// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for SMMUv3 nested domains: which vSTEs a user may give and
 * the STEs made of them over a nest parent's stage 2. Included at the end
 * of arm-smmu-v3.c for its static helpers.
 */
#include <kunit/test.h>

#define NT_CTXPTR	0x0000000080a40000ULL
#define NT_VTTBR	0x00000000c0de0000ULL
#define NT_VMID		0x2a

static void nt_vste(__le64 *vste, u64 word0, u64 word1)
{
	vste[0] = cpu_to_le64(word0);
	vste[1] = cpu_to_le64(word1);
}

static u64 nt_cfg(unsigned int config)
{
	return STRTAB_STE_0_V | FIELD_PREP(STRTAB_STE_0_CFG, config);
}

/* A vSTE with every field a user may set, translating */
static void nt_full_vste(__le64 *vste)
{
	nt_vste(vste, nt_cfg(STRTAB_STE_0_CFG_S1_TRANS) |
		FIELD_PREP(STRTAB_STE_0_S1FMT, STRTAB_STE_0_S1FMT_64K_L2) |
		NT_CTXPTR | FIELD_PREP(STRTAB_STE_0_S1CDMAX, 8),
		FIELD_PREP(STRTAB_STE_1_S1DSS, STRTAB_STE_1_S1DSS_BYPASS) |
		FIELD_PREP(STRTAB_STE_1_S1CIR, STRTAB_STE_1_S1C_CACHE_WBRA) |
		FIELD_PREP(STRTAB_STE_1_S1COR, STRTAB_STE_1_S1C_CACHE_WT) |
		FIELD_PREP(STRTAB_STE_1_S1CSH, ARM_SMMU_SH_ISH) |
		STRTAB_STE_1_S1STALLD |
		FIELD_PREP(STRTAB_STE_1_EATS, STRTAB_STE_1_EATS_TRANS));
}

static void nested_vste_invalid_aborts(struct kunit *test)
{
	__le64 vste[2];
	bool ats = true;

	/* Without V nothing else is looked at, and it all goes */
	nt_vste(vste, ~STRTAB_STE_0_V, ~0ULL);
	KUNIT_EXPECT_EQ(test, arm_smmu_vste_check(vste, &ats), 0);
	KUNIT_EXPECT_EQ(test, le64_to_cpu(vste[0]), 0ULL);
	KUNIT_EXPECT_EQ(test, le64_to_cpu(vste[1]), 0ULL);
	KUNIT_EXPECT_FALSE(test, ats);
}

static void nested_vste_configs(struct kunit *test)
{
	unsigned int config;
	__le64 vste[2];
	bool ats;

	for (config = 0; config < 8; config++) {
		bool ok = config == STRTAB_STE_0_CFG_ABORT ||
			  config == STRTAB_STE_0_CFG_BYPASS ||
			  config == STRTAB_STE_0_CFG_S1_TRANS;

		nt_vste(vste, nt_cfg(config), 0);
		KUNIT_EXPECT_EQ_MSG(test, arm_smmu_vste_check(vste, &ats),
				    ok ? 0 : -EIO, "Config %u", config);
		KUNIT_EXPECT_FALSE(test, ats);
	}
}

/* Every field a user may set is taken, alone and all together */
static void nested_vste_fields_taken(struct kunit *test)
{
	static const u64 fields0[] = {
		STRTAB_STE_0_S1FMT, STRTAB_STE_0_S1CTXPTR_MASK,
		STRTAB_STE_0_S1CDMAX,
	};
	static const u64 fields1[] = {
		STRTAB_STE_1_S1DSS, STRTAB_STE_1_S1CIR, STRTAB_STE_1_S1COR,
		STRTAB_STE_1_S1CSH, STRTAB_STE_1_S1STALLD,
	};
	u64 base = nt_cfg(STRTAB_STE_0_CFG_S1_TRANS);
	__le64 vste[2];
	unsigned int i;
	bool ats;

	for (i = 0; i < ARRAY_SIZE(fields0); i++) {
		nt_vste(vste, base | fields0[i], 0);
		KUNIT_EXPECT_EQ(test, arm_smmu_vste_check(vste, &ats), 0);
		KUNIT_EXPECT_EQ(test, le64_to_cpu(vste[0]), base | fields0[i]);
	}
	for (i = 0; i < ARRAY_SIZE(fields1); i++) {
		nt_vste(vste, base, fields1[i]);
		KUNIT_EXPECT_EQ(test, arm_smmu_vste_check(vste, &ats), 0);
		KUNIT_EXPECT_EQ(test, le64_to_cpu(vste[1]), fields1[i]);
		KUNIT_EXPECT_FALSE(test, ats);
	}

	nt_full_vste(vste);
	KUNIT_EXPECT_EQ(test, arm_smmu_vste_check(vste, &ats), 0);
	KUNIT_EXPECT_TRUE(test, ats);
	/* EATS is the driver's to set, from whether ATS is enabled */
	KUNIT_EXPECT_EQ(test, le64_to_cpu(vste[1]) & STRTAB_STE_1_EATS, 0ULL);
}

/* Any bit outside those fields, in either word, is refused */
static void nested_vste_other_bits_refused(struct kunit *test)
{
	u64 base = nt_cfg(STRTAB_STE_0_CFG_S1_TRANS);
	__le64 vste[2];
	unsigned int bit;
	bool ats;

	for (bit = 0; bit < 64; bit++) {
		if (BIT_ULL(bit) & ARM_SMMU_VSTE_0_USER)
			continue;
		nt_vste(vste, base | BIT_ULL(bit), 0);
		KUNIT_EXPECT_EQ_MSG(test, arm_smmu_vste_check(vste, &ats),
				    -EIO, "word 0 bit %u", bit);
	}
	for (bit = 0; bit < 64; bit++) {
		if (BIT_ULL(bit) & ARM_SMMU_VSTE_1_USER)
			continue;
		nt_vste(vste, base, BIT_ULL(bit));
		KUNIT_EXPECT_EQ_MSG(test, arm_smmu_vste_check(vste, &ats),
				    -EIO, "word 1 bit %u", bit);
	}
}

static void nested_vste_eats(struct kunit *test)
{
	__le64 vste[2];
	bool ats;

	/* Only "no ATS" and full ATS translation */
	nt_vste(vste, nt_cfg(STRTAB_STE_0_CFG_S1_TRANS),
		FIELD_PREP(STRTAB_STE_1_EATS, STRTAB_STE_1_EATS_S1CHK));
	KUNIT_EXPECT_EQ(test, arm_smmu_vste_check(vste, &ats), -EIO);
	nt_vste(vste, nt_cfg(STRTAB_STE_0_CFG_S1_TRANS),
		FIELD_PREP(STRTAB_STE_1_EATS, 3));
	KUNIT_EXPECT_EQ(test, arm_smmu_vste_check(vste, &ats), -EIO);

	/* ATS only for a vSTE that translates */
	nt_vste(vste, nt_cfg(STRTAB_STE_0_CFG_BYPASS),
		FIELD_PREP(STRTAB_STE_1_EATS, STRTAB_STE_1_EATS_TRANS));
	KUNIT_EXPECT_EQ(test, arm_smmu_vste_check(vste, &ats), 0);
	KUNIT_EXPECT_FALSE(test, ats);
	KUNIT_EXPECT_EQ(test, le64_to_cpu(vste[1]), 0ULL);
	nt_vste(vste, nt_cfg(STRTAB_STE_0_CFG_S1_TRANS),
		FIELD_PREP(STRTAB_STE_1_EATS, STRTAB_STE_1_EATS_TRANS));
	KUNIT_EXPECT_EQ(test, arm_smmu_vste_check(vste, &ats), 0);
	KUNIT_EXPECT_TRUE(test, ats);
}

/* A nest parent as finalised for some SMMU, and a nested domain over it */
static void nt_domains(struct arm_smmu_domain *parent,
		       struct arm_smmu_nest_domain *nested)
{
	memset(parent, 0, sizeof(*parent));
	parent->stage = ARM_SMMU_DOMAIN_S2;
	parent->s2_for_nesting = true;
	parent->s2_cfg.vmid = NT_VMID;
	parent->s2_cfg.vttbr = NT_VTTBR;
	parent->s2_cfg.vtcr = FIELD_PREP(STRTAB_STE_2_VTCR_S2T0SZ, 24) |
			      FIELD_PREP(STRTAB_STE_2_VTCR_S2SL0, 1) |
			      FIELD_PREP(STRTAB_STE_2_VTCR_S2TG, 0) |
			      FIELD_PREP(STRTAB_STE_2_VTCR_S2PS, 2);
	memset(nested, 0, sizeof(*nested));
	nested->parent = parent;
}

static void nt_expect_s2_words(struct kunit *test,
			       struct arm_smmu_domain *parent, __le64 *ste)
{
	u64 word2 = le64_to_cpu(ste[2]);
	unsigned int i;

	KUNIT_EXPECT_EQ(test, FIELD_GET(STRTAB_STE_2_S2VMID, word2),
			(u64)NT_VMID);
	KUNIT_EXPECT_EQ(test, FIELD_GET(STRTAB_STE_2_VTCR, word2),
			parent->s2_cfg.vtcr);
	KUNIT_EXPECT_TRUE(test, word2 & STRTAB_STE_2_S2AA64);
	KUNIT_EXPECT_TRUE(test, word2 & STRTAB_STE_2_S2R);
	KUNIT_EXPECT_TRUE(test, word2 & STRTAB_STE_2_S2PTW);
	KUNIT_EXPECT_EQ(test, !!(word2 & STRTAB_STE_2_S2HD),
			!!parent->domain.dirty_ops);
	KUNIT_EXPECT_EQ(test, le64_to_cpu(ste[3]), NT_VTTBR);
	for (i = 4; i < STRTAB_STE_DWORDS; i++)
		KUNIT_EXPECT_EQ(test, le64_to_cpu(ste[i]), 0ULL);
}

static void nested_ste_translate(struct kunit *test)
{
	struct arm_smmu_nest_domain nested;
	struct arm_smmu_domain parent;
	__le64 ste[STRTAB_STE_DWORDS];
	u64 user0, user1;
	bool ats;

	nt_domains(&parent, &nested);
	nt_full_vste(nested.vste);
	KUNIT_ASSERT_EQ(test, arm_smmu_vste_check(nested.vste, &ats), 0);
	user0 = le64_to_cpu(nested.vste[0]) & ~STRTAB_STE_0_CFG;
	user1 = le64_to_cpu(nested.vste[1]);

	arm_smmu_nested_ste(&nested, false, ste);
	KUNIT_EXPECT_EQ(test, le64_to_cpu(ste[0]),
			user0 | nt_cfg(STRTAB_STE_0_CFG_NESTED));
	KUNIT_EXPECT_EQ(test, le64_to_cpu(ste[1]), user1 |
			FIELD_PREP(STRTAB_STE_1_SHCFG,
				   STRTAB_STE_1_SHCFG_INCOMING));
	KUNIT_EXPECT_EQ(test, FIELD_GET(STRTAB_STE_1_STRW,
					le64_to_cpu(ste[1])),
			(u64)STRTAB_STE_1_STRW_NSEL1);
	nt_expect_s2_words(test, &parent, ste);

	/* ATS in use: EATS says full translation */
	arm_smmu_nested_ste(&nested, true, ste);
	KUNIT_EXPECT_EQ(test, FIELD_GET(STRTAB_STE_1_EATS,
					le64_to_cpu(ste[1])),
			(u64)STRTAB_STE_1_EATS_TRANS);

	/* A parent that tracks dirty pages has the SMMU update them */
	parent.domain.dirty_ops = &arm_smmu_dirty_ops;
	arm_smmu_nested_ste(&nested, false, ste);
	KUNIT_EXPECT_TRUE(test, le64_to_cpu(ste[2]) & STRTAB_STE_2_S2HA);
	nt_expect_s2_words(test, &parent, ste);
}

static void nested_ste_bypass(struct kunit *test)
{
	struct arm_smmu_nest_domain nested;
	struct arm_smmu_domain parent;
	__le64 ste[STRTAB_STE_DWORDS];
	bool ats;

	nt_domains(&parent, &nested);
	nt_vste(nested.vste, nt_cfg(STRTAB_STE_0_CFG_BYPASS), 0);
	KUNIT_ASSERT_EQ(test, arm_smmu_vste_check(nested.vste, &ats), 0);
	arm_smmu_nested_ste(&nested, false, ste);

	/* The guest's bypass is the parent's stage 2 alone */
	KUNIT_EXPECT_EQ(test, le64_to_cpu(ste[0]),
			nt_cfg(STRTAB_STE_0_CFG_S2_TRANS));
	KUNIT_EXPECT_EQ(test, le64_to_cpu(ste[1]),
			FIELD_PREP(STRTAB_STE_1_SHCFG,
				   STRTAB_STE_1_SHCFG_INCOMING));
	nt_expect_s2_words(test, &parent, ste);
}

static void nested_ste_abort(struct kunit *test)
{
	struct arm_smmu_nest_domain nested;
	struct arm_smmu_domain parent;
	__le64 ste[STRTAB_STE_DWORDS];
	unsigned int i, v;
	bool ats;

	/* An aborting vSTE, and one without V */
	for (v = 0; v < 2; v++) {
		nt_domains(&parent, &nested);
		nt_vste(nested.vste, v ? nt_cfg(STRTAB_STE_0_CFG_ABORT) :
			FIELD_PREP(STRTAB_STE_0_CFG, STRTAB_STE_0_CFG_S1_TRANS) |
			NT_CTXPTR, 0);
		KUNIT_ASSERT_EQ(test, arm_smmu_vste_check(nested.vste, &ats),
				0);
		arm_smmu_nested_ste(&nested, true, ste);
		KUNIT_EXPECT_EQ(test, le64_to_cpu(ste[0]),
				nt_cfg(STRTAB_STE_0_CFG_ABORT));
		KUNIT_EXPECT_EQ(test, le64_to_cpu(ste[1]) & STRTAB_STE_1_EATS,
				0ULL);
		/* Nothing of the parent: no VMID, no stage-2 table */
		for (i = 2; i < STRTAB_STE_DWORDS; i++)
			KUNIT_EXPECT_EQ(test, le64_to_cpu(ste[i]), 0ULL);
	}
}

/* A device of a made-up SMMU with @features, for the allocation checks */
struct nt_dev {
	struct arm_smmu_device smmu;
	struct arm_smmu_master master;
	struct dev_iommu dev_iommu;
	struct device dev;
};

static struct nt_dev *nt_dev_alloc(struct kunit *test, u32 features)
{
	struct nt_dev *nd = kunit_kzalloc(test, sizeof(*nd), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, nd);
	nd->smmu.features = features;
	nd->master.smmu = &nd->smmu;
	nd->master.dev = &nd->dev;
	nd->dev.iommu = &nd->dev_iommu;
	dev_iommu_priv_set(&nd->dev, &nd->master);
	return nd;
}

static void nested_parent_needs_nesting(struct kunit *test)
{
	struct nt_dev *nd = nt_dev_alloc(test, ARM_SMMU_FEAT_TRANS_S1 |
					 ARM_SMMU_FEAT_TRANS_S2);
	struct iommu_domain *domain;

	/* Both stages but FEAT_NESTING cleared (errata): no nest parent */
	domain = arm_smmu_domain_alloc_paging_flags(&nd->dev,
						    IOMMU_PAGING_NEST_PARENT);
	KUNIT_EXPECT_EQ(test, PTR_ERR(domain), (long)-EOPNOTSUPP);
	domain = arm_smmu_domain_alloc_paging_flags(&nd->dev, BIT(31));
	KUNIT_EXPECT_EQ(test, PTR_ERR(domain), (long)-EOPNOTSUPP);
}

static void nested_alloc_refusals(struct kunit *test)
{
	struct nt_dev *nd = nt_dev_alloc(test, ARM_SMMU_FEAT_NESTING);
	struct nt_dev *other = nt_dev_alloc(test, ARM_SMMU_FEAT_NESTING);
	struct iommu_hwpt_arm_smmuv3 data = {};
	struct arm_smmu_nest_domain nested;
	struct arm_smmu_domain parent;
	struct iommu_user_arg arg = {
		.type = IOMMU_HWPT_DATA_ARM_SMMUV3,
		.uptr = (void __user *)&data,
		.len = sizeof(data),
	};
	struct iommu_domain *domain;

	nt_domains(&parent, &nested);
	parent.domain.ops = arm_smmu_ops.default_domain_ops;
	parent.smmu = &nd->smmu;

	arg.type = IOMMU_HWPT_DATA_VTD_S1;
	domain = arm_smmu_domain_alloc_nested(&nd->dev, &parent.domain, &arg);
	KUNIT_EXPECT_EQ(test, PTR_ERR(domain), (long)-EOPNOTSUPP);
	arg.type = IOMMU_HWPT_DATA_ARM_SMMUV3;

	/* A parent of another SMMU */
	domain = arm_smmu_domain_alloc_nested(&other->dev, &parent.domain,
					      &arg);
	KUNIT_EXPECT_EQ(test, PTR_ERR(domain), (long)-EINVAL);

	/* A stage 2 allocated without IOMMU_PAGING_NEST_PARENT */
	parent.s2_for_nesting = false;
	domain = arm_smmu_domain_alloc_nested(&nd->dev, &parent.domain, &arg);
	KUNIT_EXPECT_EQ(test, PTR_ERR(domain), (long)-EINVAL);
	parent.s2_for_nesting = true;

	/* A domain of another driver */
	parent.domain.ops = &arm_smmu_nest_domain_ops;
	domain = arm_smmu_domain_alloc_nested(&nd->dev, &parent.domain, &arg);
	KUNIT_EXPECT_EQ(test, PTR_ERR(domain), (long)-EINVAL);
}

/* Guest commands: a StreamID and VMID of the guest's own, never used */
#define NT_GUEST_SID	0x77U
#define NT_GUEST_VMID	0x1234U

static void nt_ucmd(__le64 *ucmd, u64 word0, u64 word1)
{
	ucmd[0] = cpu_to_le64(word0);
	ucmd[1] = cpu_to_le64(word1);
}

static u64 nt_op(unsigned int op)
{
	return FIELD_PREP(CMDQ_0_OP, op);
}

/* TLBIs of the guest's stage 1 keep their fields and get the parent's VMID */
static void nested_ucmd_tlbi(struct kunit *test)
{
	const struct {
		unsigned int op;
		u64 word0, word1;
	} tlbis[] = {
		{ CMDQ_OP_TLBI_NH_ALL, 0, 0 },
		{ CMDQ_OP_TLBI_NH_ASID, FIELD_PREP(CMDQ_TLBI_0_ASID, 0xbeef), 0 },
		{ CMDQ_OP_TLBI_NH_VA,
		  FIELD_PREP(CMDQ_TLBI_0_ASID, 7) |
		  FIELD_PREP(CMDQ_TLBI_0_NUM, 3) |
		  FIELD_PREP(CMDQ_TLBI_0_SCALE, 2),
		  0xffff123456789000ULL | CMDQ_TLBI_1_LEAF |
		  FIELD_PREP(CMDQ_TLBI_1_TTL, 3) |
		  FIELD_PREP(CMDQ_TLBI_1_TG, 1) },
		{ CMDQ_OP_TLBI_NH_VAA, FIELD_PREP(CMDQ_TLBI_0_NUM, 31),
		  0x40000000ULL | FIELD_PREP(CMDQ_TLBI_1_TG, 2) },
	};
	__le64 ucmd[2];
	u64 cmd[2];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(tlbis); i++) {
		u64 word0 = nt_op(tlbis[i].op) | tlbis[i].word0;

		nt_ucmd(ucmd, word0 | FIELD_PREP(CMDQ_TLBI_0_VMID,
						 NT_GUEST_VMID),
			tlbis[i].word1);
		KUNIT_EXPECT_EQ_MSG(test, arm_smmu_ucmd_convert(NT_VMID, ucmd,
								cmd),
				    (int)ARM_SMMU_UCMD_ONCE, "op %#x",
				    tlbis[i].op);
		KUNIT_EXPECT_EQ(test, cmd[0], word0 |
				FIELD_PREP(CMDQ_TLBI_0_VMID, NT_VMID));
		KUNIT_EXPECT_EQ(test, cmd[1], tlbis[i].word1);

		/* A guest that left the VMID 0 gets it all the same */
		nt_ucmd(ucmd, word0, tlbis[i].word1);
		KUNIT_EXPECT_EQ(test, arm_smmu_ucmd_convert(NT_VMID, ucmd,
							    cmd),
				(int)ARM_SMMU_UCMD_ONCE);
		KUNIT_EXPECT_EQ(test, FIELD_GET(CMDQ_TLBI_0_VMID, cmd[0]),
				(u64)NT_VMID);
	}

	/* Everything non-secure and non-hyp, for a guest: its VMID's NH */
	nt_ucmd(ucmd, nt_op(CMDQ_OP_TLBI_NSNH_ALL), 0);
	KUNIT_EXPECT_EQ(test, arm_smmu_ucmd_convert(NT_VMID, ucmd, cmd),
			(int)ARM_SMMU_UCMD_ONCE);
	KUNIT_EXPECT_EQ(test, cmd[0], nt_op(CMDQ_OP_TLBI_NH_ALL) |
			FIELD_PREP(CMDQ_TLBI_0_VMID, NT_VMID));
	KUNIT_EXPECT_EQ(test, cmd[1], 0ULL);
}

/* CD and ATC invalidations go to the domain's own streams, not the guest's */
static void nested_ucmd_streams(struct kunit *test)
{
	u64 sid = FIELD_PREP(CMDQ_CFGI_0_SID, NT_GUEST_SID);
	u64 cfgi_cd = nt_op(CMDQ_OP_CFGI_CD) |
		      FIELD_PREP(CMDQ_CFGI_0_SSID, 0xabcde);
	u64 atc = nt_op(CMDQ_OP_ATC_INV) | CMDQ_0_SSV |
		  FIELD_PREP(CMDQ_ATC_0_SSID, 5);
	u64 atc1 = 0x7fff0000ULL | FIELD_PREP(CMDQ_ATC_1_SIZE, 4);
	__le64 ucmd[2];
	u64 cmd[2];

	nt_ucmd(ucmd, cfgi_cd | sid, CMDQ_CFGI_1_LEAF);
	KUNIT_EXPECT_EQ(test, arm_smmu_ucmd_convert(NT_VMID, ucmd, cmd),
			(int)ARM_SMMU_UCMD_EACH_SID);
	KUNIT_EXPECT_EQ(test, cmd[0], cfgi_cd);
	KUNIT_EXPECT_EQ(test, cmd[1], (u64)CMDQ_CFGI_1_LEAF);
	arm_smmu_ucmd_set_sid(cmd, 0x10203);
	KUNIT_EXPECT_EQ(test, cmd[0], cfgi_cd |
			FIELD_PREP(CMDQ_CFGI_0_SID, 0x10203));
	arm_smmu_ucmd_set_sid(cmd, 9);
	KUNIT_EXPECT_EQ(test, cmd[0], cfgi_cd | FIELD_PREP(CMDQ_CFGI_0_SID, 9));

	nt_ucmd(ucmd, nt_op(CMDQ_OP_CFGI_CD_ALL) | sid, 0);
	KUNIT_EXPECT_EQ(test, arm_smmu_ucmd_convert(NT_VMID, ucmd, cmd),
			(int)ARM_SMMU_UCMD_EACH_SID);
	KUNIT_EXPECT_EQ(test, cmd[0], nt_op(CMDQ_OP_CFGI_CD_ALL));
	KUNIT_EXPECT_EQ(test, cmd[1], 0ULL);

	nt_ucmd(ucmd, atc | sid, atc1);
	KUNIT_EXPECT_EQ(test, arm_smmu_ucmd_convert(NT_VMID, ucmd, cmd),
			(int)ARM_SMMU_UCMD_EACH_ATS_SID);
	KUNIT_EXPECT_EQ(test, cmd[0], atc);
	KUNIT_EXPECT_EQ(test, cmd[1], atc1);
	nt_ucmd(ucmd, nt_op(CMDQ_OP_ATC_INV) | CMDQ_ATC_0_GLOBAL, 0);
	KUNIT_EXPECT_EQ(test, arm_smmu_ucmd_convert(NT_VMID, ucmd, cmd),
			(int)ARM_SMMU_UCMD_EACH_ATS_SID);
}

static bool nt_op_taken(unsigned int op)
{
	switch (op) {
	case CMDQ_OP_TLBI_NH_ALL:
	case CMDQ_OP_TLBI_NH_ASID:
	case CMDQ_OP_TLBI_NH_VA:
	case CMDQ_OP_TLBI_NH_VAA:
	case CMDQ_OP_TLBI_NSNH_ALL:
	case CMDQ_OP_CFGI_CD:
	case CMDQ_OP_CFGI_CD_ALL:
	case CMDQ_OP_ATC_INV:
		return true;
	}
	return false;
}

/* STEs, stage 2, EL2, PRI, resume, sync, prefetch: not the guest's to send */
static void nested_ucmd_opcodes_refused(struct kunit *test)
{
	__le64 ucmd[2];
	u64 cmd[2];
	unsigned int op;

	for (op = 0; op < 256; op++) {
		if (nt_op_taken(op))
			continue;
		nt_ucmd(ucmd, nt_op(op), 0);
		KUNIT_EXPECT_EQ_MSG(test, arm_smmu_ucmd_convert(NT_VMID, ucmd,
								cmd),
				    -EIO, "op %#x", op);
	}
}

/* Each opcode takes bits in the fields it has and in no other place */
static void nested_ucmd_reserved_bits(struct kunit *test)
{
	static const struct {
		unsigned int op;
		u64 fields0, fields1;
	} ops[] = {
		{ CMDQ_OP_TLBI_NSNH_ALL, 0, 0 },
		{ CMDQ_OP_TLBI_NH_ALL, CMDQ_TLBI_0_VMID, 0 },
		{ CMDQ_OP_TLBI_NH_ASID, CMDQ_TLBI_0_VMID | CMDQ_TLBI_0_ASID, 0 },
		{ CMDQ_OP_TLBI_NH_VA,
		  CMDQ_TLBI_0_NUM | CMDQ_TLBI_0_SCALE | CMDQ_TLBI_0_VMID |
		  CMDQ_TLBI_0_ASID,
		  CMDQ_TLBI_1_LEAF | CMDQ_TLBI_1_TTL | CMDQ_TLBI_1_TG |
		  CMDQ_TLBI_1_VA_MASK },
		{ CMDQ_OP_TLBI_NH_VAA,
		  CMDQ_TLBI_0_NUM | CMDQ_TLBI_0_SCALE | CMDQ_TLBI_0_VMID,
		  CMDQ_TLBI_1_LEAF | CMDQ_TLBI_1_TTL | CMDQ_TLBI_1_TG |
		  CMDQ_TLBI_1_VA_MASK },
		/* SSec (bit 10) is refused: the guest is non-secure */
		{ CMDQ_OP_CFGI_CD, CMDQ_CFGI_0_SSID | CMDQ_CFGI_0_SID,
		  CMDQ_CFGI_1_LEAF },
		{ CMDQ_OP_CFGI_CD_ALL, CMDQ_CFGI_0_SID, 0 },
		{ CMDQ_OP_ATC_INV,
		  CMDQ_ATC_0_GLOBAL | CMDQ_0_SSV | CMDQ_ATC_0_SSID |
		  CMDQ_ATC_0_SID,
		  CMDQ_ATC_1_SIZE | CMDQ_ATC_1_ADDR_MASK },
	};
	unsigned int i, bit;
	__le64 ucmd[2];
	u64 cmd[2];

	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		u64 op = nt_op(ops[i].op);

		for (bit = 8; bit < 64; bit++) {
			bool ok = BIT_ULL(bit) & ops[i].fields0;

			nt_ucmd(ucmd, op | BIT_ULL(bit), 0);
			KUNIT_EXPECT_EQ_MSG(test,
					    arm_smmu_ucmd_convert(NT_VMID,
								  ucmd, cmd) < 0,
					    !ok, "op %#x word 0 bit %u",
					    ops[i].op, bit);
		}
		for (bit = 0; bit < 64; bit++) {
			bool ok = BIT_ULL(bit) & ops[i].fields1;

			nt_ucmd(ucmd, op, BIT_ULL(bit));
			KUNIT_EXPECT_EQ_MSG(test,
					    arm_smmu_ucmd_convert(NT_VMID,
								  ucmd, cmd) < 0,
					    !ok, "op %#x word 1 bit %u",
					    ops[i].op, bit);
		}
	}
}

/* A run over made-up entries, recording what it would queue */
struct nt_ucmd_walk {
	struct arm_smmu_ucmd_walk walk;
	__le64 (*entries)[2];
	u32 fail_fetch_at;
	unsigned int queued;
	u64 cmds[4][2];
	enum arm_smmu_ucmd_target targets[4];
};

static int nt_ucmd_fetch(struct arm_smmu_ucmd_walk *walk, u32 i,
			 struct iommu_viommu_arm_smmuv3_invalidate *ucmd)
{
	struct nt_ucmd_walk *w = container_of(walk, struct nt_ucmd_walk, walk);

	if (i == w->fail_fetch_at)
		return -EFAULT;
	ucmd->cmd[0] = w->entries[i][0];
	ucmd->cmd[1] = w->entries[i][1];
	return 0;
}

static void nt_ucmd_queue(struct arm_smmu_ucmd_walk *walk, u64 *cmd,
			  enum arm_smmu_ucmd_target target)
{
	struct nt_ucmd_walk *w = container_of(walk, struct nt_ucmd_walk, walk);

	if (w->queued < ARRAY_SIZE(w->cmds)) {
		w->cmds[w->queued][0] = cmd[0];
		w->cmds[w->queued][1] = cmd[1];
		w->targets[w->queued] = target;
	}
	w->queued++;
}

static void nt_ucmd_walk_init(struct nt_ucmd_walk *w,
			      __le64 (*entries)[2])
{
	memset(w, 0, sizeof(*w));
	w->walk.fetch = nt_ucmd_fetch;
	w->walk.queue = nt_ucmd_queue;
	w->walk.vmid = NT_VMID;
	w->entries = entries;
	w->fail_fetch_at = U32_MAX;
}

static void nested_ucmd_run_entry_num(struct kunit *test)
{
	__le64 entries[4][2];
	struct nt_ucmd_walk w;
	u32 num;

	nt_ucmd(entries[0], nt_op(CMDQ_OP_TLBI_NH_ASID) |
		FIELD_PREP(CMDQ_TLBI_0_ASID, 3), 0);
	nt_ucmd(entries[1], nt_op(CMDQ_OP_CFGI_CD_ALL) |
		FIELD_PREP(CMDQ_CFGI_0_SID, NT_GUEST_SID), 0);
	/* Refused: CFGI_STE is the host's */
	nt_ucmd(entries[2], nt_op(CMDQ_OP_CFGI_STE), 0);
	nt_ucmd(entries[3], nt_op(CMDQ_OP_TLBI_NH_ALL), 0);

	/* All good: each queued, in order, fixed up */
	nt_ucmd_walk_init(&w, entries);
	num = 2;
	KUNIT_EXPECT_EQ(test, arm_smmu_ucmd_run(&w.walk, &num), 0);
	KUNIT_EXPECT_EQ(test, num, 2U);
	KUNIT_ASSERT_EQ(test, w.queued, 2U);
	KUNIT_EXPECT_EQ(test, w.cmds[0][0], nt_op(CMDQ_OP_TLBI_NH_ASID) |
			FIELD_PREP(CMDQ_TLBI_0_ASID, 3) |
			FIELD_PREP(CMDQ_TLBI_0_VMID, NT_VMID));
	KUNIT_EXPECT_EQ(test, (int)w.targets[0], (int)ARM_SMMU_UCMD_ONCE);
	KUNIT_EXPECT_EQ(test, w.cmds[1][0], nt_op(CMDQ_OP_CFGI_CD_ALL));
	KUNIT_EXPECT_EQ(test, (int)w.targets[1], (int)ARM_SMMU_UCMD_EACH_SID);

	/* The refused third entry stops the run: two handled, none after */
	nt_ucmd_walk_init(&w, entries);
	num = ARRAY_SIZE(entries);
	KUNIT_EXPECT_EQ(test, arm_smmu_ucmd_run(&w.walk, &num), -EIO);
	KUNIT_EXPECT_EQ(test, num, 2U);
	KUNIT_EXPECT_EQ(test, w.queued, 2U);

	/* Reading the second entry faults: one handled */
	nt_ucmd_walk_init(&w, entries);
	w.fail_fetch_at = 1;
	num = ARRAY_SIZE(entries);
	KUNIT_EXPECT_EQ(test, arm_smmu_ucmd_run(&w.walk, &num), -EFAULT);
	KUNIT_EXPECT_EQ(test, num, 1U);
	KUNIT_EXPECT_EQ(test, w.queued, 1U);

	/* A refused first entry: nothing handled */
	nt_ucmd_walk_init(&w, &entries[2]);
	num = 2;
	KUNIT_EXPECT_EQ(test, arm_smmu_ucmd_run(&w.walk, &num), -EIO);
	KUNIT_EXPECT_EQ(test, num, 0U);
	KUNIT_EXPECT_EQ(test, w.queued, 0U);
}

/* The op itself, up to reading user memory, which KUnit has none of */
static void nested_invalidate_user_op(struct kunit *test)
{
	struct arm_smmu_nest_domain nested;
	struct iommu_domain *dom = &nested.domain;
	struct arm_smmu_domain parent;
	struct iommu_user_array reqs = {
		.type = IOMMU_HWPT_INVALIDATE_DATA_VTD_S1,
		.entry_len = sizeof(struct iommu_viommu_arm_smmuv3_invalidate),
		.entry_num = 2,
	};

	nt_domains(&parent, &nested);
	KUNIT_EXPECT_EQ(test, arm_smmu_nest_cache_invalidate_user(dom, &reqs),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, reqs.entry_num, 0U);

	/* No entries: only the type is checked, nothing is issued */
	reqs.type = IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3;
	KUNIT_EXPECT_EQ(test, arm_smmu_nest_cache_invalidate_user(dom, &reqs),
			0);
	KUNIT_EXPECT_EQ(test, reqs.entry_num, 0U);

	/* An entry shorter than both words */
	reqs.entry_num = 2;
	reqs.entry_len = sizeof(__le64);
	KUNIT_EXPECT_EQ(test, arm_smmu_nest_cache_invalidate_user(dom, &reqs),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, reqs.entry_num, 0U);

	/* A bad user pointer */
	reqs.entry_num = 2;
	reqs.entry_len = sizeof(struct iommu_viommu_arm_smmuv3_invalidate);
	KUNIT_EXPECT_EQ(test, arm_smmu_nest_cache_invalidate_user(dom, &reqs),
			-EFAULT);
	KUNIT_EXPECT_EQ(test, reqs.entry_num, 0U);
}

static struct kunit_case smmu_nested_test_cases[] = {
	KUNIT_CASE(nested_vste_invalid_aborts),
	KUNIT_CASE(nested_vste_configs),
	KUNIT_CASE(nested_vste_fields_taken),
	KUNIT_CASE(nested_vste_other_bits_refused),
	KUNIT_CASE(nested_vste_eats),
	KUNIT_CASE(nested_ste_translate),
	KUNIT_CASE(nested_ste_bypass),
	KUNIT_CASE(nested_ste_abort),
	KUNIT_CASE(nested_parent_needs_nesting),
	KUNIT_CASE(nested_alloc_refusals),
	KUNIT_CASE(nested_ucmd_tlbi),
	KUNIT_CASE(nested_ucmd_streams),
	KUNIT_CASE(nested_ucmd_opcodes_refused),
	KUNIT_CASE(nested_ucmd_reserved_bits),
	KUNIT_CASE(nested_ucmd_run_entry_num),
	KUNIT_CASE(nested_invalidate_user_op),
	{}
};

static struct kunit_suite smmu_nested_test_suite = {
	.name = "arm-smmu-v3-nested",
	.test_cases = smmu_nested_test_cases,
};

kunit_test_suite(smmu_nested_test_suite);
