// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for reading DMA faults out of SMMUv3 event queue entries.
 * Included at the end of arm-smmu-v3.c for its static decoder.
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

kunit_test_suite(smmu_fault_test_suite);
