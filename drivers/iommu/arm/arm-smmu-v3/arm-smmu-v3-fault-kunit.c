// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for reading faults out of SMMUv3's queues: DMA faults from
 * event queue entries, page requests from PRI queue entries, and the
 * PRI_RESP commands that answer those. Included at the end of
 * arm-smmu-v3.c for its static decoders.
 */
#include <kunit/test.h>

/* An event queue entry with the fields the decoder reads */
static void smmu_fault_evt(u64 *evt, u8 id, u32 sid, bool ssv, u32 ssid,
			   u64 flags1, u64 address)
{
	evt[0] = FIELD_PREP(EVTQ_0_ID, id) | FIELD_PREP(EVTQ_0_SID, sid) |
		 FIELD_PREP(EVTQ_0_SSID, ssid) | (ssv ? EVTQ_0_SSV : 0);
	evt[1] = flags1;
	evt[2] = address;
	evt[3] = 0x0000000012345000ULL;
}

static void smmu_fault_write_translation(struct kunit *test)
{
	struct iommu_dma_fault fault;
	u64 evt[EVTQ_ENT_DWORDS];

	smmu_fault_evt(evt, EVT_ID_TRANSLATION_FAULT, 0x8, false, 0,
		       FIELD_PREP(EVTQ_1_CLASS, 2), 0xdead0000ULL);
	KUNIT_ASSERT_TRUE(test, arm_smmu_decode_dma_fault(evt, &fault));
	KUNIT_EXPECT_EQ(test, fault.iova, 0xdead0000ULL);
	KUNIT_EXPECT_EQ(test, fault.flags, IOMMU_DMA_FAULT_WRITE);
	KUNIT_EXPECT_EQ(test, fault.vendor, (u32)IOMMU_HW_INFO_TYPE_ARM_SMMUV3);
	KUNIT_EXPECT_EQ(test, fault.code, (u32)EVT_ID_TRANSLATION_FAULT);
	KUNIT_EXPECT_EQ(test, fault.vendor_flags, upper_32_bits(evt[1]));
	KUNIT_EXPECT_EQ(test, fault.raw[0], evt[0]);
	KUNIT_EXPECT_EQ(test, fault.raw[1], evt[1]);
	KUNIT_EXPECT_EQ(test, fault.raw[2], evt[2]);
	KUNIT_EXPECT_EQ(test, fault.raw[3], evt[3]);
}

static void smmu_fault_read_exec_priv(struct kunit *test)
{
	struct iommu_dma_fault fault;
	u64 evt[EVTQ_ENT_DWORDS];

	smmu_fault_evt(evt, EVT_ID_PERMISSION_FAULT, 0x8, false, 0,
		       EVTQ_1_RnW | EVTQ_1_InD | EVTQ_1_PnU, 0x40001000ULL);
	KUNIT_ASSERT_TRUE(test, arm_smmu_decode_dma_fault(evt, &fault));
	KUNIT_EXPECT_EQ(test, fault.flags,
			IOMMU_DMA_FAULT_EXEC | IOMMU_DMA_FAULT_PRIV);
	KUNIT_EXPECT_EQ(test, fault.vendor_flags,
			upper_32_bits(EVTQ_1_RnW | EVTQ_1_InD | EVTQ_1_PnU));
}

static void smmu_fault_substream(struct kunit *test)
{
	struct iommu_dma_fault fault;
	u64 evt[EVTQ_ENT_DWORDS];

	smmu_fault_evt(evt, EVT_ID_ACCESS_FAULT, 0x10, true, 0xfffff,
		       EVTQ_1_RnW, 0x1000);
	KUNIT_ASSERT_TRUE(test, arm_smmu_decode_dma_fault(evt, &fault));
	KUNIT_EXPECT_EQ(test, fault.flags, IOMMU_DMA_FAULT_PASID_VALID);
	KUNIT_EXPECT_EQ(test, fault.pasid, 0xfffffU);

	/* An SSID without SSV is no PASID */
	smmu_fault_evt(evt, EVT_ID_ACCESS_FAULT, 0x10, false, 0x123,
		       EVTQ_1_RnW, 0x1000);
	KUNIT_ASSERT_TRUE(test, arm_smmu_decode_dma_fault(evt, &fault));
	KUNIT_EXPECT_EQ(test, fault.flags, 0U);
	KUNIT_EXPECT_EQ(test, fault.pasid, 0U);
}

/* Stage 2 faults are reported too, with S2 among the raw flags */
static void smmu_fault_ids_reported(struct kunit *test)
{
	static const u8 ids[] = {
		EVT_ID_WALK_EABT, EVT_ID_TRANSLATION_FAULT,
		EVT_ID_ADDR_SIZE_FAULT, EVT_ID_ACCESS_FAULT,
		EVT_ID_PERMISSION_FAULT,
	};
	struct iommu_dma_fault fault;
	u64 evt[EVTQ_ENT_DWORDS];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		smmu_fault_evt(evt, ids[i], 0x8, false, 0, EVTQ_1_S2,
			       0x2000);
		KUNIT_EXPECT_TRUE(test, arm_smmu_decode_dma_fault(evt, &fault));
		KUNIT_EXPECT_EQ(test, fault.code, (u32)ids[i]);
		KUNIT_EXPECT_EQ(test, fault.iova, 0x2000ULL);
		KUNIT_EXPECT_TRUE(test, fault.vendor_flags &
				  upper_32_bits(EVTQ_1_S2));
	}
}

/* Stalled faults and events without an input address are not DMA faults */
static void smmu_fault_others_ignored(struct kunit *test)
{
	static const u8 ids[] = { 0x01, 0x02, 0x03, 0x04, 0x06, 0x0a, 0x20 };
	struct iommu_dma_fault fault = { .iova = 0x5a5a };
	u64 evt[EVTQ_ENT_DWORDS];
	unsigned int i;

	smmu_fault_evt(evt, EVT_ID_TRANSLATION_FAULT, 0x8, false, 0,
		       EVTQ_1_STALL | FIELD_PREP(EVTQ_1_STAG, 7), 0x3000);
	KUNIT_EXPECT_FALSE(test, arm_smmu_decode_dma_fault(evt, &fault));

	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		smmu_fault_evt(evt, ids[i], 0x8, false, 0, 0, 0x3000);
		KUNIT_EXPECT_FALSE(test, arm_smmu_decode_dma_fault(evt, &fault));
	}
	KUNIT_EXPECT_EQ(test, fault.iova, 0x5a5aULL);
}

static struct kunit_case smmu_fault_test_cases[] = {
	KUNIT_CASE(smmu_fault_write_translation),
	KUNIT_CASE(smmu_fault_read_exec_priv),
	KUNIT_CASE(smmu_fault_substream),
	KUNIT_CASE(smmu_fault_ids_reported),
	KUNIT_CASE(smmu_fault_others_ignored),
	{}
};

static struct kunit_suite smmu_fault_test_suite = {
	.name = "arm-smmu-v3-dma-fault",
	.test_cases = smmu_fault_test_cases,
};

/* A PRI queue entry as the SMMU writes one */
static void smmu_priq_evt(u64 *evt, u32 sid, bool ssv, u32 ssid, u64 perm,
			  bool last, u16 grpid, u64 address)
{
	evt[0] = FIELD_PREP(PRIQ_0_SID, sid) | FIELD_PREP(PRIQ_0_SSID, ssid) |
		 (ssv ? PRIQ_0_SSID_V : 0) | (last ? PRIQ_0_PRG_LAST : 0) |
		 perm;
	evt[1] = FIELD_PREP(PRIQ_1_PRG_IDX, grpid) | address;
}

static void smmu_priq_pasid_request(struct kunit *test)
{
	struct iommu_fault fault;
	u64 evt[PRIQ_ENT_DWORDS];

	smmu_priq_evt(evt, 0x42, true, 0x1234, PRIQ_0_PERM_PRIV |
		      PRIQ_0_PERM_READ | PRIQ_0_PERM_EXEC, true, 0x1ab,
		      0x0000ffffdeadb000ULL);
	arm_smmu_priq_to_fault(evt, false, &fault);
	KUNIT_EXPECT_EQ(test, fault.type, (u32)IOMMU_FAULT_PAGE_REQ);
	KUNIT_EXPECT_EQ(test, fault.prm.addr, 0x0000ffffdeadb000ULL);
	KUNIT_EXPECT_EQ(test, fault.prm.grpid, 0x1abU);
	KUNIT_EXPECT_EQ(test, fault.prm.pasid, 0x1234U);
	KUNIT_EXPECT_EQ(test, fault.prm.flags,
			(u32)(IOMMU_FAULT_PAGE_REQUEST_PASID_VALID |
			      IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE));
	KUNIT_EXPECT_EQ(test, fault.prm.perm,
			(u32)(IOMMU_FAULT_PERM_PRIV | IOMMU_FAULT_PERM_READ |
			      IOMMU_FAULT_PERM_EXEC));

	/* A device that wants its PASID back in the response */
	arm_smmu_priq_to_fault(evt, true, &fault);
	KUNIT_EXPECT_EQ(test, fault.prm.flags,
			(u32)(IOMMU_FAULT_PAGE_REQUEST_PASID_VALID |
			      IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE |
			      IOMMU_FAULT_PAGE_RESPONSE_NEEDS_PASID));
}

static void smmu_priq_rid_request(struct kunit *test)
{
	struct iommu_fault fault;
	u64 evt[PRIQ_ENT_DWORDS];

	/* No SSV: the SSID field means nothing, the PASID rule neither */
	smmu_priq_evt(evt, 0x42, false, 0x1234, PRIQ_0_PERM_WRITE, false, 7,
		      0x5000);
	arm_smmu_priq_to_fault(evt, true, &fault);
	KUNIT_EXPECT_EQ(test, fault.prm.addr, 0x5000ULL);
	KUNIT_EXPECT_EQ(test, fault.prm.grpid, 7U);
	KUNIT_EXPECT_EQ(test, fault.prm.pasid, 0U);
	KUNIT_EXPECT_EQ(test, fault.prm.flags, 0U);
	KUNIT_EXPECT_EQ(test, fault.prm.perm, (u32)IOMMU_FAULT_PERM_WRITE);
}

/* Each answer as the PRI_RESP command words the SMMU reads */
static void smmu_pri_resp(struct kunit *test)
{
	static const struct {
		u32 code;
		u64 resp;
	} codes[] = {
		{ IOMMU_PAGE_RESP_SUCCESS, PRI_RESP_SUCC },
		{ IOMMU_PAGE_RESP_INVALID, PRI_RESP_DENY },
		{ IOMMU_PAGE_RESP_FAILURE, PRI_RESP_FAIL },
	};
	struct iommu_page_response resp = { .grpid = 0x1ab, .pasid = 0x1234 };
	struct arm_smmu_cmdq_ent ent;
	unsigned int i;
	u64 cmd[CMDQ_ENT_DWORDS];

	for (i = 0; i < ARRAY_SIZE(codes); i++) {
		resp.code = codes[i].code;
		resp.flags = 0;
		KUNIT_ASSERT_EQ(test, arm_smmu_pri_resp_ent(0x42, &resp, &ent),
				0);
		KUNIT_ASSERT_EQ(test, arm_smmu_cmdq_build_cmd(cmd, &ent), 0);
		KUNIT_EXPECT_EQ(test, cmd[0],
				FIELD_PREP(CMDQ_0_OP, CMDQ_OP_PRI_RESP) |
				FIELD_PREP(CMDQ_PRI_0_SID, 0x42));
		KUNIT_EXPECT_EQ(test, cmd[1],
				FIELD_PREP(CMDQ_PRI_1_GRPID, 0x1ab) |
				FIELD_PREP(CMDQ_PRI_1_RESP, codes[i].resp));

		resp.flags = IOMMU_PAGE_RESP_PASID_VALID;
		KUNIT_ASSERT_EQ(test, arm_smmu_pri_resp_ent(0x42, &resp, &ent),
				0);
		KUNIT_ASSERT_EQ(test, arm_smmu_cmdq_build_cmd(cmd, &ent), 0);
		KUNIT_EXPECT_EQ(test, cmd[0],
				FIELD_PREP(CMDQ_0_OP, CMDQ_OP_PRI_RESP) |
				CMDQ_0_SSV | FIELD_PREP(CMDQ_PRI_0_SSID, 0x1234) |
				FIELD_PREP(CMDQ_PRI_0_SID, 0x42));
	}
	resp.code = 7;
	KUNIT_EXPECT_EQ(test, arm_smmu_pri_resp_ent(0x42, &resp, &ent),
			-EINVAL);
}

static struct kunit_case smmu_pri_test_cases[] = {
	KUNIT_CASE(smmu_priq_pasid_request),
	KUNIT_CASE(smmu_priq_rid_request),
	KUNIT_CASE(smmu_pri_resp),
	{}
};

static struct kunit_suite smmu_pri_test_suite = {
	.name = "arm-smmu-v3-pri",
	.test_cases = smmu_pri_test_cases,
};

kunit_test_suites(&smmu_fault_test_suite, &smmu_pri_test_suite);
