// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for reading DMA faults out of AMD-Vi event log entries.
 * Included at the end of drivers/iommu/amd/iommu.c for its static decoder.
 */
#include <kunit/test.h>

/* An event log entry laid out as the IOMMU writes one */
static void amd_fault_entry(u32 *event, u32 type, u16 devid, u32 evflags,
			    u32 pasid_or_domid, u64 address)
{
	event[0] = devid | (pasid_or_domid & EVENT_DOMID_MASK_HI);
	event[1] = type << EVENT_TYPE_SHIFT |
		   (evflags & EVENT_FLAGS_MASK) << EVENT_FLAGS_SHIFT |
		   (pasid_or_domid & EVENT_DOMID_MASK_LO);
	event[2] = lower_32_bits(address);
	event[3] = upper_32_bits(address);
}

static void amd_fault_read_present(struct kunit *test)
{
	struct iommu_dma_fault fault;
	u32 event[4];

	amd_fault_entry(event, EVENT_TYPE_IO_FAULT, 0x0010, EVENT_FLAG_PR,
			0x0007, 0x0000123456789000ULL);
	KUNIT_ASSERT_TRUE(test, amd_iommu_decode_io_fault(event, &fault));
	KUNIT_EXPECT_EQ(test, fault.iova, 0x0000123456789000ULL);
	KUNIT_EXPECT_EQ(test, fault.flags, 0U);
	KUNIT_EXPECT_EQ(test, fault.pasid, 0U);
	KUNIT_EXPECT_EQ(test, fault.vendor, (u32)IOMMU_HW_INFO_TYPE_AMD);
	KUNIT_EXPECT_EQ(test, fault.code, (u32)EVENT_TYPE_IO_FAULT);
	KUNIT_EXPECT_EQ(test, fault.vendor_flags, (u32)EVENT_FLAG_PR);
	KUNIT_EXPECT_EQ(test, fault.raw[0], (u64)event[1] << 32 | event[0]);
	KUNIT_EXPECT_EQ(test, fault.raw[1], 0x0000123456789000ULL);
	KUNIT_EXPECT_EQ(test, fault.raw[2], 0ULL);
	KUNIT_EXPECT_EQ(test, fault.raw[3], 0ULL);
}

/* A write to a read-only page: the case the direction matters most for */
static void amd_fault_write_present(struct kunit *test)
{
	struct iommu_dma_fault fault;
	u32 event[4];

	amd_fault_entry(event, EVENT_TYPE_IO_FAULT, 0x0010,
			EVENT_FLAG_PR | EVENT_FLAG_RW, 0x0007, 0xfffff000ULL);
	KUNIT_ASSERT_TRUE(test, amd_iommu_decode_io_fault(event, &fault));
	KUNIT_EXPECT_EQ(test, fault.iova, 0xfffff000ULL);
	KUNIT_EXPECT_EQ(test, fault.flags, IOMMU_DMA_FAULT_WRITE);
	KUNIT_EXPECT_EQ(test, fault.vendor_flags,
			(u32)(EVENT_FLAG_PR | EVENT_FLAG_RW));
}

/* RW means nothing for a page that is not present, nor for an interrupt */
static void amd_fault_direction_unknown(struct kunit *test)
{
	struct iommu_dma_fault fault;
	u32 event[4];

	amd_fault_entry(event, EVENT_TYPE_IO_FAULT, 0x0010, EVENT_FLAG_RW,
			0x0007, 0x2000);
	KUNIT_ASSERT_TRUE(test, amd_iommu_decode_io_fault(event, &fault));
	KUNIT_EXPECT_EQ(test, fault.flags, IOMMU_DMA_FAULT_DIR_UNKNOWN);
	KUNIT_EXPECT_EQ(test, fault.vendor_flags, (u32)EVENT_FLAG_RW);

	amd_fault_entry(event, EVENT_TYPE_IO_FAULT, 0x0010,
			EVENT_FLAG_I | EVENT_FLAG_PR, 0x0007, 0xfee00000ULL);
	KUNIT_ASSERT_TRUE(test, amd_iommu_decode_io_fault(event, &fault));
	KUNIT_EXPECT_EQ(test, fault.flags, IOMMU_DMA_FAULT_DIR_UNKNOWN);
}

/* With GN the DomainID field holds a 20-bit PASID, split over two dwords */
static void amd_fault_pasid(struct kunit *test)
{
	struct iommu_dma_fault fault;
	u32 event[4];

	amd_fault_entry(event, EVENT_TYPE_IO_FAULT, 0x0108,
			EVENT_FLAG_GN | EVENT_FLAG_PR | EVENT_FLAG_RW, 0xabcde,
			0x7000);
	KUNIT_ASSERT_TRUE(test, amd_iommu_decode_io_fault(event, &fault));
	KUNIT_EXPECT_EQ(test, fault.flags,
			IOMMU_DMA_FAULT_WRITE | IOMMU_DMA_FAULT_PASID_VALID);
	KUNIT_EXPECT_EQ(test, fault.pasid, 0xabcdeU);
	KUNIT_EXPECT_EQ(test, fault.iova, 0x7000ULL);

	/* Without GN the same field is a domain ID, not a PASID */
	amd_fault_entry(event, EVENT_TYPE_IO_FAULT, 0x0108, EVENT_FLAG_PR,
			0x0abcd, 0x7000);
	KUNIT_ASSERT_TRUE(test, amd_iommu_decode_io_fault(event, &fault));
	KUNIT_EXPECT_EQ(test, fault.flags, 0U);
	KUNIT_EXPECT_EQ(test, fault.pasid, 0U);
}

/* All 12 flag bits are passed on, as the IOMMU logged them */
static void amd_fault_raw_flags(struct kunit *test)
{
	struct iommu_dma_fault fault;
	u32 event[4];

	amd_fault_entry(event, EVENT_TYPE_IO_FAULT, 0xffff, 0xfff, 0xfffff,
			~0ULL);
	KUNIT_ASSERT_TRUE(test, amd_iommu_decode_io_fault(event, &fault));
	KUNIT_EXPECT_EQ(test, fault.vendor_flags, 0xfffU);
	KUNIT_EXPECT_EQ(test, fault.iova, ~0ULL);
	KUNIT_EXPECT_EQ(test, fault.pasid, 0xfffffU);
	/* I is set, so the direction is unknown even with PR and RW */
	KUNIT_EXPECT_EQ(test, fault.flags, IOMMU_DMA_FAULT_DIR_UNKNOWN |
			IOMMU_DMA_FAULT_PASID_VALID);
}

static void amd_fault_other_events(struct kunit *test)
{
	static const u32 types[] = {
		0, EVENT_TYPE_ILL_DEV, EVENT_TYPE_DEV_TAB_ERR,
		EVENT_TYPE_PAGE_TAB_ERR, EVENT_TYPE_ILL_CMD,
		EVENT_TYPE_CMD_HARD_ERR, EVENT_TYPE_IOTLB_INV_TO,
		EVENT_TYPE_INV_DEV_REQ, EVENT_TYPE_INV_PPR_REQ,
		EVENT_TYPE_RMP_FAULT, EVENT_TYPE_RMP_HW_ERR, 0xf,
	};
	struct iommu_dma_fault fault = { .iova = 0x5a5a };
	u32 event[4];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		amd_fault_entry(event, types[i], 0x0010,
				EVENT_FLAG_PR | EVENT_FLAG_RW, 0x0007, 0x1000);
		KUNIT_EXPECT_FALSE(test,
				   amd_iommu_decode_io_fault(event, &fault));
	}
	/* and @fault was left alone */
	KUNIT_EXPECT_EQ(test, fault.iova, 0x5a5aULL);
}

static struct kunit_case amd_fault_test_cases[] = {
	KUNIT_CASE(amd_fault_read_present),
	KUNIT_CASE(amd_fault_write_present),
	KUNIT_CASE(amd_fault_direction_unknown),
	KUNIT_CASE(amd_fault_pasid),
	KUNIT_CASE(amd_fault_raw_flags),
	KUNIT_CASE(amd_fault_other_events),
	{}
};

static struct kunit_suite amd_fault_test_suite = {
	.name = "amd-iommu-dma-fault",
	.test_cases = amd_fault_test_cases,
};

kunit_test_suite(amd_fault_test_suite);
