// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for reading faults out of AMD-Vi's logs: DMA faults from
 * event log entries, page requests from PPR log entries, and the commands
 * that answer those. Included at the end of drivers/iommu/amd/iommu.c for
 * its static decoders.
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

/* A PPR log entry of a page request, laid out as the IOMMU writes one */
static void amd_ppr_entry(u64 *raw, u64 type, u16 devid, u32 pasid, u64 tag,
			  u64 flags, u64 address)
{
	raw[0] = devid | (u64)(pasid & 0xffff) << 16 | (tag & 0x3ff) << 32 |
		 (u64)(pasid >> 16 & 0xf) << 42 | (flags & 0xfff) << 48 |
		 type << 60;
	raw[1] = address;
}

/* Without GN: the RID's request; no PASID, no execute or privilege. */
static void amd_ppr_rid_request(struct kunit *test)
{
	struct iommu_fault fault;
	u64 raw[2];

	amd_ppr_entry(raw, PPR_REQ_FAULT, 0x0010, 0, PPR_TAG_LAST | 5,
		      PPR_FAULT_READ | PPR_FAULT_WRITE | PPR_FAULT_EXEC,
		      0x12345678);
	KUNIT_ASSERT_TRUE(test, amd_ppr_to_fault(raw, true, &fault));
	KUNIT_EXPECT_EQ(test, fault.type, (u32)IOMMU_FAULT_PAGE_REQ);
	KUNIT_EXPECT_EQ(test, fault.prm.addr, 0x12345000ULL);
	KUNIT_EXPECT_EQ(test, fault.prm.grpid, 5U);
	KUNIT_EXPECT_EQ(test, fault.prm.flags,
			(u32)IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE);
	KUNIT_EXPECT_EQ(test, fault.prm.pasid, 0U);
	KUNIT_EXPECT_EQ(test, fault.prm.perm,
			(u32)(IOMMU_FAULT_PERM_READ | IOMMU_FAULT_PERM_WRITE));

	/* Not the last of its group, read only. */
	amd_ppr_entry(raw, PPR_REQ_FAULT, 0x0010, 0, 0x1ff, PPR_FAULT_READ,
		      0x7000);
	KUNIT_ASSERT_TRUE(test, amd_ppr_to_fault(raw, false, &fault));
	KUNIT_EXPECT_EQ(test, fault.prm.grpid, 0x1ffU);
	KUNIT_EXPECT_EQ(test, fault.prm.flags, 0U);
	KUNIT_EXPECT_EQ(test, fault.prm.perm, (u32)IOMMU_FAULT_PERM_READ);
}

/* With GN: a 20-bit PASID split over two fields, and its answer rule */
static void amd_ppr_pasid_request(struct kunit *test)
{
	struct iommu_fault fault;
	u64 raw[2];

	amd_ppr_entry(raw, PPR_REQ_FAULT, 0x0108, 0xabcde, 3,
		      PPR_FAULT_GN | PPR_FAULT_EXEC | PPR_FAULT_READ,
		      0xffff800000001000ULL);
	KUNIT_ASSERT_TRUE(test, amd_ppr_to_fault(raw, false, &fault));
	KUNIT_EXPECT_EQ(test, fault.prm.pasid, 0xabcdeU);
	KUNIT_EXPECT_EQ(test, fault.prm.grpid, 3U);
	KUNIT_EXPECT_EQ(test, fault.prm.addr, 0xffff800000001000ULL);
	KUNIT_EXPECT_EQ(test, fault.prm.flags,
			(u32)IOMMU_FAULT_PAGE_REQUEST_PASID_VALID);
	/* US clear: a supervisor request */
	KUNIT_EXPECT_EQ(test, fault.prm.perm,
			(u32)(IOMMU_FAULT_PERM_READ | IOMMU_FAULT_PERM_EXEC |
			      IOMMU_FAULT_PERM_PRIV));

	amd_ppr_entry(raw, PPR_REQ_FAULT, 0x0108, 0xabcde, PPR_TAG_LAST | 3,
		      PPR_FAULT_GN | PPR_FAULT_USER | PPR_FAULT_WRITE, 0x2000);
	KUNIT_ASSERT_TRUE(test, amd_ppr_to_fault(raw, true, &fault));
	KUNIT_EXPECT_EQ(test, fault.prm.flags,
			(u32)(IOMMU_FAULT_PAGE_REQUEST_PASID_VALID |
			      IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE |
			      IOMMU_FAULT_PAGE_RESPONSE_NEEDS_PASID));
	KUNIT_EXPECT_EQ(test, fault.prm.perm, (u32)IOMMU_FAULT_PERM_WRITE);
}

/* Entries that are no well-formed page request are not reported */
static void amd_ppr_refused(struct kunit *test)
{
	struct iommu_fault fault;
	u64 raw[2];

	amd_ppr_entry(raw, 0, 0x0010, 0, 1, PPR_FAULT_READ, 0x1000);
	KUNIT_EXPECT_FALSE(test, amd_ppr_to_fault(raw, false, &fault));
	amd_ppr_entry(raw, 0x2, 0x0010, 0, 1, PPR_FAULT_READ, 0x1000);
	KUNIT_EXPECT_FALSE(test, amd_ppr_to_fault(raw, false, &fault));
	amd_ppr_entry(raw, PPR_REQ_FAULT, 0x0010, 0, 1,
		      PPR_FAULT_READ | PPR_FAULT_RSVD, 0x1000);
	KUNIT_EXPECT_FALSE(test, amd_ppr_to_fault(raw, false, &fault));
}

/* COMPLETE_PPR_REQUEST for each answer: status, tag, PASID only if asked */
static void amd_ppr_response(struct kunit *test)
{
	static const struct {
		u32 code;
		u32 status;
	} codes[] = {
		{ IOMMU_PAGE_RESP_SUCCESS, PPR_SUCCESS },
		{ IOMMU_PAGE_RESP_INVALID, PPR_INVALID },
		{ IOMMU_PAGE_RESP_FAILURE, PPR_FAILURE },
	};
	struct iommu_page_response msg = { .grpid = 0x1a5, .pasid = 0x54321 };
	struct iommu_cmd cmd;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(codes); i++) {
		msg.code = codes[i].code;
		msg.flags = 0;
		amd_ppr_response_cmd(&cmd, 0x0310, &msg);
		KUNIT_EXPECT_EQ(test, cmd.data[0], 0x0310U);
		KUNIT_EXPECT_EQ(test, cmd.data[1], (u32)CMD_COMPLETE_PPR << 28);
		KUNIT_EXPECT_EQ(test, cmd.data[2], 0U);
		KUNIT_EXPECT_EQ(test, cmd.data[3],
				0x1a5U | codes[i].status << PPR_STATUS_SHIFT);

		msg.flags = IOMMU_PAGE_RESP_PASID_VALID;
		amd_ppr_response_cmd(&cmd, 0x0310, &msg);
		KUNIT_EXPECT_EQ(test, cmd.data[1],
				0x54321U | (u32)CMD_COMPLETE_PPR << 28);
		KUNIT_EXPECT_EQ(test, cmd.data[2],
				(u32)CMD_INV_IOMMU_PAGES_GN_MASK);
		KUNIT_EXPECT_EQ(test, cmd.data[3],
				0x1a5U | codes[i].status << PPR_STATUS_SHIFT);
	}
}

static struct kunit_case amd_ppr_test_cases[] = {
	KUNIT_CASE(amd_ppr_rid_request),
	KUNIT_CASE(amd_ppr_pasid_request),
	KUNIT_CASE(amd_ppr_refused),
	KUNIT_CASE(amd_ppr_response),
	{}
};

static struct kunit_suite amd_ppr_test_suite = {
	.name = "amd-iommu-ppr",
	.test_cases = amd_ppr_test_cases,
};

kunit_test_suites(&amd_fault_test_suite, &amd_ppr_test_suite);
