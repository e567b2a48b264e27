// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for VT-d page requests: the IOMMU core's record of a page
 * request descriptor and the page group response built from an answer,
 * for requests with a PASID and for requests of the RID alone (which an
 * iommufd HWPT with a fault queue takes). No QEMU device issues page
 * requests, so these run on no IOMMU at all. Included at the end of
 * drivers/iommu/intel/svm.c for its static helpers.
 */
#include <kunit/test.h>

#define PRQ_T_ADDR	0x7f1234567000ULL
#define PRQ_T_RID	0x0208
#define PRQ_T_PASID	0x4321
#define PRQ_T_GRP	0x1a5

static void prq_t_desc(struct page_req_dsc *d, bool pasid, bool write,
		       bool last)
{
	memset(d, 0, sizeof(*d));
	d->rid = PRQ_T_RID;
	d->pasid_present = pasid;
	d->pasid = pasid ? PRQ_T_PASID : 0;
	d->rd_req = 1;
	d->wr_req = write;
	d->lpig = last;
	d->prg_index = PRQ_T_GRP;
	d->addr = PRQ_T_ADDR >> VTD_PAGE_SHIFT;
}

/* A write with a PASID, not its group's last page, with private data */
static void prq_t_desc_priv(struct page_req_dsc *d)
{
	prq_t_desc(d, true, true, false);
	d->priv_data_present = 1;
	d->priv_data[0] = 0x1111;
	d->priv_data[1] = 0x2222;
}

/* A request of the RID: no PASID in the record, none needed back */
static void prq_t_fault_of_rid(struct kunit *test)
{
	struct iommu_fault_event ev;
	struct page_req_dsc d;

	prq_t_desc(&d, false, false, true);
	prq_to_fault(&d, &ev);
	KUNIT_EXPECT_EQ(test, ev.fault.type, (u32)IOMMU_FAULT_PAGE_REQ);
	KUNIT_EXPECT_EQ(test, ev.fault.prm.addr, PRQ_T_ADDR);
	KUNIT_EXPECT_EQ(test, ev.fault.prm.grpid, (u32)PRQ_T_GRP);
	KUNIT_EXPECT_EQ(test, ev.fault.prm.perm, (u32)IOMMU_FAULT_PERM_READ);
	KUNIT_EXPECT_EQ(test, ev.fault.prm.pasid, 0U);
	KUNIT_EXPECT_EQ(test, ev.fault.prm.flags,
			(u32)IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE);
}

/* With a PASID, a write, and private data that makes it a last page */
static void prq_t_fault_of_pasid(struct kunit *test)
{
	struct iommu_fault_event ev;
	struct page_req_dsc d;

	prq_t_desc_priv(&d);
	prq_to_fault(&d, &ev);
	KUNIT_EXPECT_EQ(test, ev.fault.prm.pasid, (u32)PRQ_T_PASID);
	KUNIT_EXPECT_EQ(test, ev.fault.prm.perm,
			(u32)(IOMMU_FAULT_PERM_READ | IOMMU_FAULT_PERM_WRITE));
	KUNIT_EXPECT_EQ(test, ev.fault.prm.flags,
			(u32)(IOMMU_FAULT_PAGE_REQUEST_PASID_VALID |
			      IOMMU_FAULT_PAGE_RESPONSE_NEEDS_PASID |
			      IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE |
			      IOMMU_FAULT_PAGE_REQUEST_PRIV_DATA));
	KUNIT_EXPECT_EQ(test, ev.fault.prm.private_data[0], 0x1111ULL);
	KUNIT_EXPECT_EQ(test, ev.fault.prm.private_data[1], 0x2222ULL);
}

/* The answer to a request of the RID carries no PASID */
static void prq_t_response_of_rid(struct kunit *test)
{
	struct iommu_fault_event ev;
	struct page_req_dsc d;
	struct qi_desc q;

	prq_t_desc(&d, false, false, true);
	prq_to_fault(&d, &ev);
	KUNIT_ASSERT_TRUE(test, prq_response_desc(&ev.fault.prm, PRQ_T_RID,
						  IOMMU_PAGE_RESP_SUCCESS,
						  &q));
	KUNIT_EXPECT_EQ(test, q.qw0, QI_PGRP_DID(PRQ_T_RID) |
			QI_PGRP_RESP_CODE(IOMMU_PAGE_RESP_SUCCESS) |
			QI_PGRP_RESP_TYPE);
	KUNIT_EXPECT_EQ(test, q.qw1, QI_PGRP_IDX(PRQ_T_GRP) | QI_PGRP_LPIG(1));
	KUNIT_EXPECT_EQ(test, q.qw2, 0ULL);
	KUNIT_EXPECT_EQ(test, q.qw3, 0ULL);
}

/* With a PASID and private data, both go back; not the last: no answer */
static void prq_t_response_of_pasid(struct kunit *test)
{
	struct iommu_fault_event ev;
	struct page_req_dsc d;
	struct qi_desc q;

	prq_t_desc_priv(&d);
	prq_to_fault(&d, &ev);
	KUNIT_ASSERT_TRUE(test, prq_response_desc(&ev.fault.prm, PRQ_T_RID,
						  IOMMU_PAGE_RESP_INVALID,
						  &q));
	KUNIT_EXPECT_EQ(test, q.qw0, QI_PGRP_PASID(PRQ_T_PASID) |
			QI_PGRP_DID(PRQ_T_RID) | QI_PGRP_PASID_P(1) |
			QI_PGRP_PDP(1) |
			QI_PGRP_RESP_CODE(IOMMU_PAGE_RESP_INVALID) |
			QI_PGRP_RESP_TYPE);
	KUNIT_EXPECT_EQ(test, q.qw1, QI_PGRP_IDX(PRQ_T_GRP) | QI_PGRP_LPIG(1));
	KUNIT_EXPECT_EQ(test, q.qw2, 0x1111ULL);
	KUNIT_EXPECT_EQ(test, q.qw3, 0x2222ULL);

	prq_t_desc(&d, true, false, false);
	prq_to_fault(&d, &ev);
	KUNIT_EXPECT_FALSE(test, prq_response_desc(&ev.fault.prm, PRQ_T_RID,
						   IOMMU_PAGE_RESP_SUCCESS,
						   &q));
}

static struct kunit_case prq_kunit_cases[] = {
	KUNIT_CASE(prq_t_fault_of_rid),
	KUNIT_CASE(prq_t_fault_of_pasid),
	KUNIT_CASE(prq_t_response_of_rid),
	KUNIT_CASE(prq_t_response_of_pasid),
	{}
};

static struct kunit_suite prq_kunit_suite = {
	.name = "intel-iommu-prq",
	.test_cases = prq_kunit_cases,
};

kunit_test_suite(prq_kunit_suite);
