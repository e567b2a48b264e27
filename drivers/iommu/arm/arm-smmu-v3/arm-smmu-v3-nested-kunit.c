// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for SMMUv3 nested domains: which vSTEs a user may give and
 * the STEs made of them over a nest parent's stage 2; and for virtual
 * SMMUs: vSIDs, the guest's invalidations through them and the events
 * they pass on. Included at the end of arm-smmu-v3.c for its static
 * helpers.
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

static int nt_ucmd_queue(struct arm_smmu_ucmd_walk *walk, u64 *cmd,
			 enum arm_smmu_ucmd_target target, u32 guest_sid)
{
	struct nt_ucmd_walk *w = container_of(walk, struct nt_ucmd_walk, walk);

	if (w->queued < ARRAY_SIZE(w->cmds)) {
		w->cmds[w->queued][0] = cmd[0];
		w->cmds[w->queued][1] = cmd[1];
		w->targets[w->queued] = target;
	}
	w->queued++;
	return 0;
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

/*
 * Virtual SMMUs: a made-up SMMU whose masters have two streams each, a
 * nest parent of it and a vSMMU over the parent.
 */
#define VT_NUM_MASTERS	3
#define VT_VSID(i)	(0x800U + (i))
#define VT_SID(i, j)	(0x100U * ((i) + 1) + (j))

struct vt_fixture {
	struct arm_smmu_device smmu;
	struct arm_smmu_domain parent;
	struct arm_smmu_master masters[VT_NUM_MASTERS];
	struct arm_smmu_stream streams[VT_NUM_MASTERS][2];
	struct dev_iommu dev_iommus[VT_NUM_MASTERS];
	struct device devs[VT_NUM_MASTERS];
	struct arm_smmu_vsmmu *vsmmu;
	/* What the event handler was given */
	unsigned int events;
	u32 event_type;
	size_t event_len;
	struct iommu_vevent_arm_smmuv3 event;
};

static int vt_res_init(struct kunit_resource *res, void *context)
{
	res->data = context;
	return 0;
}

/* The vSMMU goes when the test ends, however it ends */
static void vt_res_free(struct kunit_resource *res)
{
	struct vt_fixture *vt = res->data;

	arm_smmu_vsmmu_free(&vt->vsmmu->core);
}

static struct vt_fixture *vt_fixture_make(struct kunit *test)
{
	struct iommu_user_arg arg = { .type = IOMMU_VIOMMU_TYPE_ARM_SMMUV3 };
	struct iommu_viommu *viommu;
	struct vt_fixture *vt;
	unsigned int i, j;

	vt = kunit_kzalloc(test, sizeof(*vt), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, vt);
	vt->smmu.features = ARM_SMMU_FEAT_NESTING;
	vt->smmu.streams = RB_ROOT;
	mutex_init(&vt->smmu.streams_mutex);

	vt->parent.domain.ops = arm_smmu_ops.default_domain_ops;
	vt->parent.smmu = &vt->smmu;
	vt->parent.stage = ARM_SMMU_DOMAIN_S2;
	vt->parent.s2_for_nesting = true;
	vt->parent.s2_cfg.vmid = NT_VMID;

	for (i = 0; i < VT_NUM_MASTERS; i++) {
		struct arm_smmu_master *master = &vt->masters[i];

		master->smmu = &vt->smmu;
		master->dev = &vt->devs[i];
		master->streams = vt->streams[i];
		master->num_streams = ARRAY_SIZE(vt->streams[i]);
		vt->devs[i].iommu = &vt->dev_iommus[i];
		dev_iommu_priv_set(&vt->devs[i], master);
		for (j = 0; j < master->num_streams; j++) {
			master->streams[j].id = VT_SID(i, j);
			master->streams[j].master = master;
			rb_find_add(&master->streams[j].node, &vt->smmu.streams,
				    arm_smmu_streams_cmp_node);
		}
	}

	viommu = arm_smmu_viommu_alloc(&vt->devs[0], &vt->parent.domain, &arg);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(viommu));
	/* What iommu_viommu_alloc() does around the driver */
	viommu->parent = &vt->parent.domain;
	viommu->type = arg.type;
	init_rwsem(&viommu->event_lock);
	vt->vsmmu = to_arm_smmu_vsmmu(viommu);
	KUNIT_ASSERT_NOT_NULL(test, kunit_alloc_resource(test, vt_res_init,
							 vt_res_free,
							 GFP_KERNEL, vt));
	return vt;
}

static void viommu_alloc_refusals(struct kunit *test)
{
	struct vt_fixture *vt = vt_fixture_make(test);
	struct nt_dev *other = nt_dev_alloc(test, ARM_SMMU_FEAT_NESTING);
	struct iommu_user_arg arg = { .type = IOMMU_VIOMMU_TYPE_ARM_SMMUV3 };
	struct arm_smmu_nest_domain nested;
	struct iommu_viommu *viommu;
	struct device *dev = &vt->devs[0];

	/* The good one the fixture made: over the parent, on its SMMU */
	KUNIT_EXPECT_PTR_EQ(test, vt->vsmmu->smmu, &vt->smmu);
	KUNIT_EXPECT_PTR_EQ(test, vt->vsmmu->s2, &vt->parent);

	/* Only the SMMUv3 type */
	arg.type = IOMMU_VIOMMU_TYPE_DEFAULT;
	viommu = arm_smmu_viommu_alloc(dev, &vt->parent.domain, &arg);
	KUNIT_EXPECT_EQ(test, PTR_ERR(viommu), (long)-EOPNOTSUPP);
	arg.type = IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV;
	viommu = arm_smmu_viommu_alloc(dev, &vt->parent.domain, &arg);
	KUNIT_EXPECT_EQ(test, PTR_ERR(viommu), (long)-EOPNOTSUPP);
	arg.type = IOMMU_VIOMMU_TYPE_ARM_SMMUV3;

	/* A device of another SMMU than the parent's */
	viommu = arm_smmu_viommu_alloc(&other->dev, &vt->parent.domain, &arg);
	KUNIT_EXPECT_EQ(test, PTR_ERR(viommu), (long)-EINVAL);

	/* A stage 2 that is no nest parent */
	vt->parent.s2_for_nesting = false;
	viommu = arm_smmu_viommu_alloc(dev, &vt->parent.domain, &arg);
	KUNIT_EXPECT_EQ(test, PTR_ERR(viommu), (long)-EINVAL);
	vt->parent.s2_for_nesting = true;

	/* A nested domain as the parent */
	memset(&nested, 0, sizeof(nested));
	nested.domain.ops = &arm_smmu_nest_domain_ops;
	viommu = arm_smmu_viommu_alloc(dev, &nested.domain, &arg);
	KUNIT_EXPECT_EQ(test, PTR_ERR(viommu), (long)-EINVAL);
}

static void viommu_nested_alloc_refusals(struct kunit *test)
{
	struct vt_fixture *vt = vt_fixture_make(test);
	struct nt_dev *other = nt_dev_alloc(test, ARM_SMMU_FEAT_NESTING);
	struct iommu_viommu *viommu = &vt->vsmmu->core;
	struct iommu_user_arg arg = {
		.type = IOMMU_HWPT_DATA_VTD_S1,
		.len = sizeof(struct iommu_hwpt_arm_smmuv3),
	};
	struct iommu_domain *domain;

	domain = arm_smmu_vsmmu_domain_alloc_nested(viommu, &vt->devs[1],
						    &arg);
	KUNIT_EXPECT_EQ(test, PTR_ERR(domain), (long)-EOPNOTSUPP);

	arg.type = IOMMU_HWPT_DATA_ARM_SMMUV3;
	domain = arm_smmu_vsmmu_domain_alloc_nested(viommu, &other->dev, &arg);
	KUNIT_EXPECT_EQ(test, PTR_ERR(domain), (long)-EINVAL);

	/* Past the checks, the vSTE is read from (here no) user memory */
	domain = arm_smmu_vsmmu_domain_alloc_nested(viommu, &vt->devs[1],
						    &arg);
	KUNIT_EXPECT_EQ(test, PTR_ERR(domain), (long)-EFAULT);
}

static void viommu_vdevice_ids(struct kunit *test)
{
	struct vt_fixture *vt = vt_fixture_make(test);
	struct nt_dev *other = nt_dev_alloc(test, ARM_SMMU_FEAT_NESTING);
	struct iommu_viommu *viommu = &vt->vsmmu->core;
	struct arm_smmu_vsmmu *vsmmu = vt->vsmmu;
	u32 vsid;

	KUNIT_EXPECT_EQ(test, arm_smmu_vsmmu_vdevice_add(viommu, &vt->devs[0],
							 VT_VSID(0)), 0);
	/* Any 32-bit vSID, whatever the SMMU's own SID width */
	KUNIT_EXPECT_EQ(test, arm_smmu_vsmmu_vdevice_add(viommu, &vt->devs[1],
							 U32_MAX), 0);
	KUNIT_EXPECT_EQ(test, arm_smmu_vsmmu_vdevice_add(viommu, &vt->devs[2],
							 (u64)U32_MAX + 1),
			-EINVAL);
	/* One device per vSID, one vSID per device */
	KUNIT_EXPECT_EQ(test, arm_smmu_vsmmu_vdevice_add(viommu, &vt->devs[2],
							 VT_VSID(0)), -EEXIST);
	KUNIT_EXPECT_EQ(test, arm_smmu_vsmmu_vdevice_add(viommu, &vt->devs[0],
							 VT_VSID(2)), -EBUSY);
	/* Not behind this SMMU */
	KUNIT_EXPECT_EQ(test, arm_smmu_vsmmu_vdevice_add(viommu, &other->dev,
							 VT_VSID(2)), -EINVAL);

	KUNIT_EXPECT_TRUE(test, arm_smmu_vsmmu_vsid_of(vsmmu, &vt->masters[1],
						       &vsid));
	KUNIT_EXPECT_EQ(test, vsid, U32_MAX);
	KUNIT_EXPECT_FALSE(test, arm_smmu_vsmmu_vsid_of(vsmmu, &vt->masters[2],
							&vsid));

	/* Once removed, both the vSID and the device are free again */
	arm_smmu_vsmmu_vdevice_remove(viommu, &vt->devs[0]);
	KUNIT_EXPECT_FALSE(test, arm_smmu_vsmmu_vsid_of(vsmmu, &vt->masters[0],
							&vsid));
	KUNIT_EXPECT_EQ(test, arm_smmu_vsmmu_vdevice_add(viommu, &vt->devs[2],
							 VT_VSID(0)), 0);
	KUNIT_EXPECT_EQ(test, arm_smmu_vsmmu_vdevice_add(viommu, &vt->devs[0],
							 VT_VSID(1)), 0);
	mutex_lock(&vsmmu->vsid_lock);
	KUNIT_EXPECT_PTR_EQ(test, arm_smmu_vsmmu_master(vsmmu, VT_VSID(0)),
			    &vt->masters[2]);
	KUNIT_EXPECT_PTR_EQ(test, arm_smmu_vsmmu_master(vsmmu, VT_VSID(1)),
			    &vt->masters[0]);
	KUNIT_EXPECT_NULL(test, arm_smmu_vsmmu_master(vsmmu, VT_VSID(2)));
	mutex_unlock(&vsmmu->vsid_lock);
}

/* A vSMMU run over made-up entries; what it queues lands in uw.batch */
struct vt_walk {
	struct arm_smmu_ucmd_user_walk uw;
	__le64 (*entries)[2];
};

static int vt_fetch(struct arm_smmu_ucmd_walk *walk, u32 i,
		    struct iommu_viommu_arm_smmuv3_invalidate *ucmd)
{
	struct vt_walk *vw = container_of(walk, struct vt_walk, uw.walk);

	ucmd->cmd[0] = vw->entries[i][0];
	ucmd->cmd[1] = vw->entries[i][1];
	return 0;
}

static int vt_run(struct kunit *test, struct vt_fixture *vt,
		  __le64 (*entries)[2], u32 *num, struct vt_walk **out)
{
	struct vt_walk *vw = kunit_kzalloc(test, sizeof(*vw), GFP_KERNEL);
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, vw);
	vw->entries = entries;
	vw->uw.walk.fetch = vt_fetch;
	vw->uw.walk.queue = arm_smmu_vsmmu_ucmd_queue;
	vw->uw.walk.vmid = vt->vsmmu->s2->s2_cfg.vmid;
	vw->uw.vsmmu = vt->vsmmu;
	ret = arm_smmu_ucmd_run(&vw->uw.walk, num);
	*out = vw;
	return ret;
}

static u64 vt_queued(struct vt_walk *vw, int n, int word)
{
	return vw->uw.batch.cmds[n * CMDQ_ENT_DWORDS + word];
}

/* TLBIs get the parent's VMID, per-stream commands the vSID's streams */
static void viommu_invalidate_vsids(struct kunit *test)
{
	struct vt_fixture *vt = vt_fixture_make(test);
	struct iommu_viommu *viommu = &vt->vsmmu->core;
	u64 cfgi_cd = nt_op(CMDQ_OP_CFGI_CD) |
		      FIELD_PREP(CMDQ_CFGI_0_SSID, 3);
	u64 atc = nt_op(CMDQ_OP_ATC_INV) | CMDQ_ATC_0_GLOBAL;
	__le64 entries[5][2];
	struct vt_walk *vw;
	u32 num;

	KUNIT_ASSERT_EQ(test, arm_smmu_vsmmu_vdevice_add(viommu, &vt->devs[1],
							 VT_VSID(1)), 0);
	KUNIT_ASSERT_EQ(test, arm_smmu_vsmmu_vdevice_add(viommu, &vt->devs[2],
							 VT_VSID(2)), 0);
	vt->masters[2].ats_enabled = true;

	nt_ucmd(entries[0], nt_op(CMDQ_OP_TLBI_NH_VAA) |
		FIELD_PREP(CMDQ_TLBI_0_VMID, NT_GUEST_VMID), 0x5000);
	nt_ucmd(entries[1], cfgi_cd |
		FIELD_PREP(CMDQ_CFGI_0_SID, VT_VSID(1)), CMDQ_CFGI_1_LEAF);
	/* Device 1 does not use ATS: nothing to send it */
	nt_ucmd(entries[2], atc | FIELD_PREP(CMDQ_ATC_0_SID, VT_VSID(1)), 0);
	nt_ucmd(entries[3], atc | FIELD_PREP(CMDQ_ATC_0_SID, VT_VSID(2)), 0);
	nt_ucmd(entries[4], nt_op(CMDQ_OP_TLBI_NSNH_ALL), 0);

	num = ARRAY_SIZE(entries);
	KUNIT_EXPECT_EQ(test, vt_run(test, vt, entries, &num, &vw), 0);
	KUNIT_EXPECT_EQ(test, num, (u32)ARRAY_SIZE(entries));
	KUNIT_ASSERT_EQ(test, vw->uw.batch.num, 6);

	KUNIT_EXPECT_EQ(test, vt_queued(vw, 0, 0), nt_op(CMDQ_OP_TLBI_NH_VAA) |
			FIELD_PREP(CMDQ_TLBI_0_VMID, NT_VMID));
	KUNIT_EXPECT_EQ(test, vt_queued(vw, 0, 1), 0x5000ULL);
	KUNIT_EXPECT_EQ(test, vt_queued(vw, 1, 0), cfgi_cd |
			FIELD_PREP(CMDQ_CFGI_0_SID, VT_SID(1, 0)));
	KUNIT_EXPECT_EQ(test, vt_queued(vw, 1, 1), (u64)CMDQ_CFGI_1_LEAF);
	KUNIT_EXPECT_EQ(test, vt_queued(vw, 2, 0), cfgi_cd |
			FIELD_PREP(CMDQ_CFGI_0_SID, VT_SID(1, 1)));
	KUNIT_EXPECT_EQ(test, vt_queued(vw, 3, 0), atc |
			FIELD_PREP(CMDQ_ATC_0_SID, VT_SID(2, 0)));
	KUNIT_EXPECT_EQ(test, vt_queued(vw, 4, 0), atc |
			FIELD_PREP(CMDQ_ATC_0_SID, VT_SID(2, 1)));
	KUNIT_EXPECT_EQ(test, vt_queued(vw, 5, 0), nt_op(CMDQ_OP_TLBI_NH_ALL) |
			FIELD_PREP(CMDQ_TLBI_0_VMID, NT_VMID));
}

/* A vSID no device has stops the array with EIO, after what came before */
static void viommu_invalidate_unknown_vsid(struct kunit *test)
{
	struct vt_fixture *vt = vt_fixture_make(test);
	struct iommu_viommu *viommu = &vt->vsmmu->core;
	__le64 entries[3][2];
	struct vt_walk *vw;
	u32 num;

	KUNIT_ASSERT_EQ(test, arm_smmu_vsmmu_vdevice_add(viommu, &vt->devs[0],
							 VT_VSID(0)), 0);
	nt_ucmd(entries[0], nt_op(CMDQ_OP_CFGI_CD_ALL) |
		FIELD_PREP(CMDQ_CFGI_0_SID, VT_VSID(0)), 0);
	/* Device 1's physical StreamID is no vSID either */
	nt_ucmd(entries[1], nt_op(CMDQ_OP_CFGI_CD_ALL) |
		FIELD_PREP(CMDQ_CFGI_0_SID, VT_SID(1, 0)), 0);
	nt_ucmd(entries[2], nt_op(CMDQ_OP_TLBI_NH_ALL), 0);

	num = ARRAY_SIZE(entries);
	KUNIT_EXPECT_EQ(test, vt_run(test, vt, entries, &num, &vw), -EIO);
	KUNIT_EXPECT_EQ(test, num, 1U);
	KUNIT_EXPECT_EQ(test, vw->uw.batch.num, 2);

	/* First thing in the array: nothing handled, nothing queued */
	num = 2;
	KUNIT_EXPECT_EQ(test, vt_run(test, vt, &entries[1], &num, &vw), -EIO);
	KUNIT_EXPECT_EQ(test, num, 0U);
	KUNIT_EXPECT_EQ(test, vw->uw.batch.num, 0);

	/* A removed vDEVICE's vSID is unknown from then on */
	arm_smmu_vsmmu_vdevice_remove(viommu, &vt->devs[0]);
	num = 1;
	KUNIT_EXPECT_EQ(test, vt_run(test, vt, entries, &num, &vw), -EIO);
	KUNIT_EXPECT_EQ(test, num, 0U);
}

static void viommu_invalidate_user_op(struct kunit *test)
{
	struct vt_fixture *vt = vt_fixture_make(test);
	struct iommu_viommu *viommu = &vt->vsmmu->core;
	struct iommu_user_array reqs = {
		.type = IOMMU_HWPT_INVALIDATE_DATA_VTD_S1,
		.entry_len = sizeof(struct iommu_viommu_arm_smmuv3_invalidate),
		.entry_num = 2,
	};

	KUNIT_EXPECT_EQ(test,
			arm_smmu_vsmmu_cache_invalidate_user(viommu, &reqs),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, reqs.entry_num, 0U);

	reqs.type = IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3;
	KUNIT_EXPECT_EQ(test,
			arm_smmu_vsmmu_cache_invalidate_user(viommu, &reqs),
			0);
	KUNIT_EXPECT_EQ(test, reqs.entry_num, 0U);

	/* A bad user pointer: the first entry cannot be read */
	reqs.entry_num = 2;
	KUNIT_EXPECT_EQ(test,
			arm_smmu_vsmmu_cache_invalidate_user(viommu, &reqs),
			-EFAULT);
	KUNIT_EXPECT_EQ(test, reqs.entry_num, 0U);
}

static void vt_evt(u64 *evt, u8 id, u32 sid, u64 word1)
{
	evt[0] = FIELD_PREP(EVTQ_0_ID, id) | FIELD_PREP(EVTQ_0_SID, sid) |
		 EVTQ_0_SSV | FIELD_PREP(EVTQ_0_SSID, 0x1234);
	evt[1] = word1;
	evt[2] = 0xffff800012345000ULL;
	evt[3] = 0x0000000087654000ULL;
}

static void viommu_event_ids(struct kunit *test)
{
	u64 evt[EVTQ_ENT_DWORDS];
	unsigned int id;

	for (id = 0; id < 256; id++) {
		bool guests = id == 0x04 || id == 0x06 || id == 0x08 ||
			      id == 0x0a || (id >= 0x10 && id <= 0x13);

		vt_evt(evt, id, 1, EVTQ_1_RnW);
		KUNIT_EXPECT_EQ_MSG(test, arm_smmu_event_for_guest(evt), guests,
				    "event %#x", id);
	}

	/* A stalled fault waits for an answer; a stage-2 one is the host's */
	vt_evt(evt, EVT_ID_TRANSLATION_FAULT, 1, EVTQ_1_STALL);
	KUNIT_EXPECT_FALSE(test, arm_smmu_event_for_guest(evt));
	vt_evt(evt, EVT_ID_PERMISSION_FAULT, 1, EVTQ_1_S2 | EVTQ_1_RnW);
	KUNIT_EXPECT_FALSE(test, arm_smmu_event_for_guest(evt));
}

static void viommu_event_vsid(struct kunit *test)
{
	struct iommu_vevent_arm_smmuv3 vevt;
	u64 evt[EVTQ_ENT_DWORDS];
	unsigned int i;

	vt_evt(evt, EVT_ID_ACCESS_FAULT, 0x12345678, EVTQ_1_InD | 0xabcd);
	arm_smmu_vevent_fill(&vevt, evt, 0xfedcba98);
	KUNIT_EXPECT_EQ(test, FIELD_GET(EVTQ_0_SID, le64_to_cpu(vevt.evt[0])),
			0xfedcba98ULL);
	/* Everything else as the SMMU logged it */
	KUNIT_EXPECT_EQ(test, le64_to_cpu(vevt.evt[0]) & ~EVTQ_0_SID,
			evt[0] & ~EVTQ_0_SID);
	for (i = 1; i < EVTQ_ENT_DWORDS; i++)
		KUNIT_EXPECT_EQ(test, le64_to_cpu(vevt.evt[i]), evt[i]);
}

static int vt_event_handler(struct iommu_viommu *viommu, u32 type,
			    const void *data, size_t len, void *token)
{
	struct vt_fixture *vt = token;

	vt->events++;
	vt->event_type = type;
	vt->event_len = len;
	memcpy(&vt->event, data, min(len, sizeof(vt->event)));
	return 0;
}

/* Which events go to the vSMMU, and so not to the DMA fault path */
static void viommu_event_choice(struct kunit *test)
{
	struct vt_fixture *vt = vt_fixture_make(test);
	struct iommu_viommu *viommu = &vt->vsmmu->core;
	struct arm_smmu_nest_domain in_vsmmu, no_vsmmu;
	struct arm_smmu_device *smmu = &vt->smmu;
	u64 evt[EVTQ_ENT_DWORDS];

	memset(&in_vsmmu, 0, sizeof(in_vsmmu));
	in_vsmmu.parent = &vt->parent;
	in_vsmmu.vsmmu = vt->vsmmu;
	memset(&no_vsmmu, 0, sizeof(no_vsmmu));
	no_vsmmu.parent = &vt->parent;

	/* Master 0 in the vSMMU's domain with a vSID, 1 without a vSID */
	KUNIT_ASSERT_EQ(test, arm_smmu_vsmmu_vdevice_add(viommu, &vt->devs[0],
							 VT_VSID(0)), 0);
	vt->masters[0].nested = &in_vsmmu;
	vt->masters[1].nested = &in_vsmmu;
	iommu_viommu_set_event_handler(viommu, vt_event_handler, vt);

	/* Either stream of master 0: the vSID in place of the StreamID */
	vt_evt(evt, EVT_ID_TRANSLATION_FAULT, VT_SID(0, 1), EVTQ_1_RnW);
	KUNIT_EXPECT_TRUE(test, arm_smmu_event_to_vsmmu(smmu, evt));
	KUNIT_ASSERT_EQ(test, vt->events, 1U);
	KUNIT_EXPECT_EQ(test, vt->event_type,
			(u32)IOMMU_VEVENTQ_TYPE_ARM_SMMUV3);
	KUNIT_EXPECT_EQ(test, vt->event_len, sizeof(vt->event));
	KUNIT_EXPECT_EQ(test, le64_to_cpu(vt->event.evt[0]),
			u64_replace_bits(evt[0], VT_VSID(0), EVTQ_0_SID));
	KUNIT_EXPECT_EQ(test, le64_to_cpu(vt->event.evt[2]), evt[2]);
	vt_evt(evt, EVT_ID_C_BAD_CD, VT_SID(0, 0), 0);
	KUNIT_EXPECT_TRUE(test, arm_smmu_event_to_vsmmu(smmu, evt));
	KUNIT_EXPECT_EQ(test, vt->events, 2U);

	/* The host's: stage 2, stalled, walk aborts, unknown StreamIDs */
	vt_evt(evt, EVT_ID_TRANSLATION_FAULT, VT_SID(0, 0), EVTQ_1_S2);
	KUNIT_EXPECT_FALSE(test, arm_smmu_event_to_vsmmu(smmu, evt));
	vt_evt(evt, EVT_ID_PERMISSION_FAULT, VT_SID(0, 0), EVTQ_1_STALL);
	KUNIT_EXPECT_FALSE(test, arm_smmu_event_to_vsmmu(smmu, evt));
	vt_evt(evt, EVT_ID_WALK_EABT, VT_SID(0, 0), 0);
	KUNIT_EXPECT_FALSE(test, arm_smmu_event_to_vsmmu(smmu, evt));
	vt_evt(evt, EVT_ID_TRANSLATION_FAULT, 0x7777, 0);
	KUNIT_EXPECT_FALSE(test, arm_smmu_event_to_vsmmu(smmu, evt));

	/* A master without a vSID, or not in a nested domain of a vSMMU */
	vt_evt(evt, EVT_ID_TRANSLATION_FAULT, VT_SID(1, 0), 0);
	KUNIT_EXPECT_FALSE(test, arm_smmu_event_to_vsmmu(smmu, evt));
	vt->masters[0].nested = &no_vsmmu;
	vt_evt(evt, EVT_ID_TRANSLATION_FAULT, VT_SID(0, 0), 0);
	KUNIT_EXPECT_FALSE(test, arm_smmu_event_to_vsmmu(smmu, evt));
	vt->masters[0].nested = NULL;
	KUNIT_EXPECT_FALSE(test, arm_smmu_event_to_vsmmu(smmu, evt));
	KUNIT_EXPECT_EQ(test, vt->events, 2U);

	/* Nobody reading the vSMMU's events: the host's paths take it */
	vt->masters[0].nested = &in_vsmmu;
	iommu_viommu_set_event_handler(viommu, NULL, NULL);
	KUNIT_EXPECT_FALSE(test, arm_smmu_event_to_vsmmu(smmu, evt));
	KUNIT_EXPECT_EQ(test, vt->events, 2U);
}

static struct kunit_case smmu_viommu_test_cases[] = {
	KUNIT_CASE(viommu_alloc_refusals),
	KUNIT_CASE(viommu_nested_alloc_refusals),
	KUNIT_CASE(viommu_vdevice_ids),
	KUNIT_CASE(viommu_invalidate_vsids),
	KUNIT_CASE(viommu_invalidate_unknown_vsid),
	KUNIT_CASE(viommu_invalidate_user_op),
	KUNIT_CASE(viommu_event_ids),
	KUNIT_CASE(viommu_event_vsid),
	KUNIT_CASE(viommu_event_choice),
	{}
};

static struct kunit_suite smmu_viommu_test_suite = {
	.name = "arm-smmu-v3-viommu",
	.test_cases = smmu_viommu_test_cases,
};

kunit_test_suites(&smmu_nested_test_suite, &smmu_viommu_test_suite);
