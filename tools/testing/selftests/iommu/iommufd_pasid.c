// SPDX-License-Identifier: GPL-2.0
/*
 * PASID attachments of a bound device, on the mock IOMMU: the test ops
 * IOMMU_TEST_OP_PASID_ATTACH, _REPLACE and _DETACH drive the same kAPI
 * VFIO's PASID flag does, and IOMMU_TEST_OP_PASID_CHECK_HWPT reads back
 * which domain the IOMMU core has at a PASID.
 */
#include "../kselftest_harness.h"
#include "iommufd_core_util.h"

#define TEST_PASID 7u
#define IOTLB_START 0x55u

static int pasid_op(int fd, uint32_t op, uint32_t stdev, uint32_t pasid,
		    uint32_t *pt)
{
	struct iommu_test_cmd c = {
		.pasid_attach = { .pasid = pasid, .pt_id = pt ? *pt : 0 },
	};
	int rc = test_op(fd, op, stdev, &c);

	if (!rc && pt)
		*pt = c.pasid_attach.pt_id;
	return rc;
}

static int do_pasid_attach(int fd, uint32_t stdev, uint32_t pasid,
			   uint32_t *pt)
{
	return pasid_op(fd, IOMMU_TEST_OP_PASID_ATTACH, stdev, pasid, pt);
}

static int do_pasid_replace(int fd, uint32_t stdev, uint32_t pasid,
			    uint32_t *pt)
{
	return pasid_op(fd, IOMMU_TEST_OP_PASID_REPLACE, stdev, pasid, pt);
}

static int do_pasid_detach(int fd, uint32_t stdev, uint32_t pasid)
{
	struct iommu_test_cmd c = { .pasid_detach = { .pasid = pasid } };

	return test_op(fd, IOMMU_TEST_OP_PASID_DETACH, stdev, &c);
}

/* 0 when @pasid of the device translates through @hwpt (0: nothing). */
static int pasid_is(int fd, uint32_t stdev, uint32_t pasid, uint32_t hwpt)
{
	struct iommu_test_cmd c = {
		.pasid_check = { .pasid = pasid, .hwpt_id = hwpt },
	};

	return test_op(fd, IOMMU_TEST_OP_PASID_CHECK_HWPT, stdev, &c);
}

FIXTURE(pasid)
{
	int fd;
	uint32_t ioas;
	struct mock_dev_ids dev;	/* PASID-capable, RID on ioas */
	uint32_t hwpt_a;		/* PASID-compatible paging HWPTs on ioas */
	uint32_t hwpt_b;
};

FIXTURE_SETUP(pasid)
{
	self->fd = open("/dev/iommu", O_RDWR);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ioas_create(self->fd, &self->ioas));
	ASSERT_EQ(0, mock_dev_add_flags(self->fd, self->ioas,
					MOCK_FLAGS_DEVICE_PASID, &self->dev));
	ASSERT_EQ(0, hwpt_create(self->fd, self->dev.idev, self->ioas,
				 IOMMU_HWPT_ALLOC_PASID, &self->hwpt_a));
	ASSERT_EQ(0, hwpt_create(self->fd, self->dev.idev, self->ioas,
				 IOMMU_HWPT_ALLOC_PASID, &self->hwpt_b));
}

FIXTURE_TEARDOWN(pasid)
{
	close(self->fd);
}

TEST_F(pasid, hw_info_width)
{
	struct mock_dev_ids plain;
	struct iommu_hw_info info;

	ASSERT_EQ(0, hw_info_get(self->fd, self->dev.idev, 0, 0, NULL, 0,
				 &info));
	EXPECT_EQ(MOCK_PASID_WIDTH, info.out_max_pasid_log2);

	ASSERT_EQ(0, mock_dev_add(self->fd, self->ioas, &plain));
	ASSERT_EQ(0, hw_info_get(self->fd, plain.idev, 0, 0, NULL, 0, &info));
	EXPECT_EQ(0, info.out_max_pasid_log2);
}

TEST_F(pasid, attach_check_detach)
{
	uint32_t pt = self->hwpt_a;

	EXPECT_EQ(0, pasid_is(self->fd, self->dev.stdev, TEST_PASID, 0));
	ASSERT_EQ(0, do_pasid_attach(self->fd, self->dev.stdev, TEST_PASID, &pt));
	EXPECT_EQ(self->hwpt_a, pt);
	EXPECT_EQ(0, pasid_is(self->fd, self->dev.stdev, TEST_PASID,
			      self->hwpt_a));
	EXPECT_EQ(EINVAL, pasid_is(self->fd, self->dev.stdev, TEST_PASID, 0));
	EXPECT_EQ(EINVAL, pasid_is(self->fd, self->dev.stdev, TEST_PASID,
				   self->hwpt_b));
	/* Other PASIDs and the RID are untouched. */
	EXPECT_EQ(0, pasid_is(self->fd, self->dev.stdev, TEST_PASID + 1, 0));
	EXPECT_EQ(0, mock_dev_replace(self->fd, self->dev.stdev, self->ioas));

	ASSERT_EQ(0, do_pasid_detach(self->fd, self->dev.stdev, TEST_PASID));
	EXPECT_EQ(0, pasid_is(self->fd, self->dev.stdev, TEST_PASID, 0));
	/* Detaching a free PASID does nothing; the PASID attaches again. */
	EXPECT_EQ(0, do_pasid_detach(self->fd, self->dev.stdev, TEST_PASID));
	pt = self->hwpt_b;
	ASSERT_EQ(0, do_pasid_attach(self->fd, self->dev.stdev, TEST_PASID, &pt));
	EXPECT_EQ(0, pasid_is(self->fd, self->dev.stdev, TEST_PASID,
			      self->hwpt_b));
}

TEST_F(pasid, attach_refusals)
{
	struct mock_dev_ids plain;
	uint32_t pt;

	/* A device without PASIDs. */
	ASSERT_EQ(0, mock_dev_add(self->fd, self->ioas, &plain));
	pt = self->hwpt_a;
	EXPECT_EQ(EOPNOTSUPP, do_pasid_attach(self->fd, plain.stdev, 1, &pt));
	EXPECT_EQ(EOPNOTSUPP, do_pasid_replace(self->fd, plain.stdev, 1, &pt));

	/* PASID 0 is the RID; the width bounds the rest. */
	EXPECT_EQ(EINVAL, do_pasid_attach(self->fd, self->dev.stdev, 0, &pt));
	EXPECT_EQ(EINVAL, do_pasid_attach(self->fd, self->dev.stdev,
					  1u << MOCK_PASID_WIDTH, &pt));
	EXPECT_EQ(EINVAL, do_pasid_attach(self->fd, self->dev.stdev, ~0u, &pt));
	pt = self->hwpt_a;
	EXPECT_EQ(0, do_pasid_attach(self->fd, self->dev.stdev,
				     (1u << MOCK_PASID_WIDTH) - 1, &pt));

	/* Objects that are not a page table, or not there. */
	pt = self->dev.idev;
	EXPECT_EQ(EINVAL, do_pasid_attach(self->fd, self->dev.stdev, 1, &pt));
	pt = 0xfffff;
	EXPECT_EQ(ENOENT, do_pasid_attach(self->fd, self->dev.stdev, 1, &pt));
	pt = self->hwpt_a;
	EXPECT_EQ(ENOENT, do_pasid_attach(self->fd, self->ioas, 1, &pt));

	/* A used PASID. */
	ASSERT_EQ(0, do_pasid_attach(self->fd, self->dev.stdev, 1, &pt));
	pt = self->hwpt_b;
	EXPECT_EQ(EBUSY, do_pasid_attach(self->fd, self->dev.stdev, 1, &pt));
	pt = self->hwpt_a;
	EXPECT_EQ(EBUSY, do_pasid_attach(self->fd, self->dev.stdev, 1, &pt));
	EXPECT_EQ(0, pasid_is(self->fd, self->dev.stdev, 1, self->hwpt_a));
}

TEST_F(pasid, replace)
{
	uint32_t pt = self->hwpt_a;

	/* Nothing to replace yet. */
	EXPECT_EQ(EINVAL, do_pasid_replace(self->fd, self->dev.stdev,
					   TEST_PASID, &pt));
	ASSERT_EQ(0, do_pasid_attach(self->fd, self->dev.stdev, TEST_PASID, &pt));

	/* To the same HWPT: nothing changes. */
	EXPECT_EQ(0, do_pasid_replace(self->fd, self->dev.stdev, TEST_PASID, &pt));
	EXPECT_EQ(self->hwpt_a, pt);
	EXPECT_EQ(0, pasid_is(self->fd, self->dev.stdev, TEST_PASID,
			      self->hwpt_a));

	pt = self->hwpt_b;
	ASSERT_EQ(0, do_pasid_replace(self->fd, self->dev.stdev, TEST_PASID, &pt));
	EXPECT_EQ(self->hwpt_b, pt);
	EXPECT_EQ(0, pasid_is(self->fd, self->dev.stdev, TEST_PASID,
			      self->hwpt_b));
	/* The old HWPT lost the PASID's reference, the new one has it. */
	EXPECT_EQ(0, obj_destroy(self->fd, self->hwpt_a));
	EXPECT_EQ(EBUSY, obj_destroy(self->fd, self->hwpt_b));

	pt = 0;
	EXPECT_EQ(EINVAL, do_pasid_replace(self->fd, self->dev.stdev, 0, &pt));
	ASSERT_EQ(0, do_pasid_detach(self->fd, self->dev.stdev, TEST_PASID));
	EXPECT_EQ(0, obj_destroy(self->fd, self->hwpt_b));
}

/* A driver that fails a replace leaves the old HWPT in place. */
TEST_F(pasid, replace_failure_keeps_old)
{
	uint32_t pt = self->hwpt_a;

	ASSERT_EQ(0, do_pasid_attach(self->fd, self->dev.stdev,
				     IOMMU_TEST_PASID_RESERVED, &pt));
	pt = self->hwpt_b;
	EXPECT_EQ(EIO, do_pasid_replace(self->fd, self->dev.stdev,
					IOMMU_TEST_PASID_RESERVED, &pt));
	EXPECT_EQ(0, pasid_is(self->fd, self->dev.stdev,
			      IOMMU_TEST_PASID_RESERVED, self->hwpt_a));
	EXPECT_EQ(EBUSY, obj_destroy(self->fd, self->hwpt_a));
	EXPECT_EQ(0, obj_destroy(self->fd, self->hwpt_b));
}

TEST_F(pasid, hwpt_busy_while_used)
{
	uint32_t pt = self->hwpt_b;

	ASSERT_EQ(0, do_pasid_attach(self->fd, self->dev.stdev, 2, &pt));
	ASSERT_EQ(0, do_pasid_attach(self->fd, self->dev.stdev, 3, &pt));
	EXPECT_EQ(EBUSY, obj_destroy(self->fd, self->hwpt_b));
	ASSERT_EQ(0, do_pasid_detach(self->fd, self->dev.stdev, 2));
	EXPECT_EQ(EBUSY, obj_destroy(self->fd, self->hwpt_b));
	ASSERT_EQ(0, do_pasid_detach(self->fd, self->dev.stdev, 3));
	EXPECT_EQ(0, obj_destroy(self->fd, self->hwpt_b));
	/* The IOAS is held by its HWPTs and the RID's attachment. */
	EXPECT_EQ(EBUSY, obj_destroy(self->fd, self->ioas));
}

/* An IOAS gets an automatic HWPT, which goes with its last PASID. */
TEST_F(pasid, ioas_auto_hwpt)
{
	struct mock_dev_ids plain;
	uint32_t ioas2, pt, pt2;

	ASSERT_EQ(0, ioas_create(self->fd, &ioas2));
	pt = ioas2;
	ASSERT_EQ(0, do_pasid_attach(self->fd, self->dev.stdev, 1, &pt));
	EXPECT_NE(ioas2, pt);
	EXPECT_NE(self->dev.hwpt, pt);
	EXPECT_EQ(0, pasid_is(self->fd, self->dev.stdev, 1, pt));
	/* A second PASID on the same IOAS shares the automatic HWPT. */
	pt2 = ioas2;
	ASSERT_EQ(0, do_pasid_attach(self->fd, self->dev.stdev, 2, &pt2));
	EXPECT_EQ(pt, pt2);
	EXPECT_EQ(EBUSY, obj_destroy(self->fd, ioas2));

	/* The RID's IOAS: its automatic HWPT is the RID's. */
	pt2 = self->ioas;
	ASSERT_EQ(0, do_pasid_replace(self->fd, self->dev.stdev, 2, &pt2));
	EXPECT_EQ(self->dev.hwpt, pt2);

	ASSERT_EQ(0, do_pasid_detach(self->fd, self->dev.stdev, 1));
	/* Its last user gone, the automatic HWPT is gone too. */
	EXPECT_EQ(ENOENT, obj_destroy(self->fd, pt));
	EXPECT_EQ(0, obj_destroy(self->fd, ioas2));

	/* A device without PASIDs still joins the RID's HWPT afterwards. */
	ASSERT_EQ(0, mock_dev_add(self->fd, self->ioas, &plain));
	EXPECT_EQ(self->dev.hwpt, plain.hwpt);
}

TEST_F(pasid, unbind_with_pasids)
{
	struct mock_dev_ids d;
	uint32_t ioas2, pt;

	ASSERT_EQ(0, ioas_create(self->fd, &ioas2));
	ASSERT_EQ(0, mock_dev_add_flags(self->fd, self->ioas,
					MOCK_FLAGS_DEVICE_PASID, &d));
	pt = self->hwpt_a;
	ASSERT_EQ(0, do_pasid_attach(self->fd, d.stdev, 1, &pt));
	pt = ioas2;
	ASSERT_EQ(0, do_pasid_attach(self->fd, d.stdev, 2, &pt));
	EXPECT_EQ(EBUSY, obj_destroy(self->fd, self->hwpt_a));

	/* Unbinding detaches every PASID and releases its HWPTs. */
	ASSERT_EQ(0, obj_destroy(self->fd, d.stdev));
	EXPECT_EQ(0, obj_destroy(self->fd, self->hwpt_a));
	EXPECT_EQ(ENOENT, obj_destroy(self->fd, pt));
	EXPECT_EQ(0, obj_destroy(self->fd, ioas2));
}

TEST_F(pasid, nested_hwpt)
{
	struct iommu_hwpt_selftest data = { .iotlb = IOTLB_START };
	uint32_t parent, nested, pt;

	ASSERT_EQ(0, hwpt_create(self->fd, self->dev.idev, self->ioas,
				 IOMMU_HWPT_ALLOC_NEST_PARENT |
				 IOMMU_HWPT_ALLOC_PASID, &parent));
	ASSERT_EQ(0, hwpt_create_nested(self->fd, self->dev.idev, parent,
					IOMMU_HWPT_ALLOC_PASID, 0,
					IOMMU_HWPT_DATA_SELFTEST, &data,
					sizeof(data), &nested));
	pt = nested;
	ASSERT_EQ(0, do_pasid_attach(self->fd, self->dev.stdev, TEST_PASID, &pt));
	EXPECT_EQ(nested, pt);
	EXPECT_EQ(0, pasid_is(self->fd, self->dev.stdev, TEST_PASID, nested));
	EXPECT_EQ(EBUSY, obj_destroy(self->fd, nested));
	EXPECT_EQ(EBUSY, obj_destroy(self->fd, parent));

	/* Back to the parent, a paging HWPT, and detached. */
	pt = parent;
	ASSERT_EQ(0, do_pasid_replace(self->fd, self->dev.stdev, TEST_PASID, &pt));
	EXPECT_EQ(0, pasid_is(self->fd, self->dev.stdev, TEST_PASID, parent));
	EXPECT_EQ(0, obj_destroy(self->fd, nested));
	EXPECT_EQ(EBUSY, obj_destroy(self->fd, parent));
	ASSERT_EQ(0, do_pasid_detach(self->fd, self->dev.stdev, TEST_PASID));
	EXPECT_EQ(0, obj_destroy(self->fd, parent));
}

/* Page requests go by the RID's HWPT: one with a fault queue is refused. */
TEST_F(pasid, fault_queue_hwpt_refused)
{
	struct iommu_hwpt_selftest data = { .iotlb = IOTLB_START };
	uint32_t parent, nested, fault, pt;
	int ffd;

	ASSERT_EQ(0, hwpt_create(self->fd, self->dev.idev, self->ioas,
				 IOMMU_HWPT_ALLOC_NEST_PARENT |
				 IOMMU_HWPT_ALLOC_PASID, &parent));
	ASSERT_EQ(0, fault_queue_create(self->fd, &fault, &ffd));
	ASSERT_EQ(0, hwpt_create_nested(self->fd, self->dev.idev, parent,
					IOMMU_HWPT_FAULT_ID_VALID |
					IOMMU_HWPT_ALLOC_PASID, fault,
					IOMMU_HWPT_DATA_SELFTEST, &data,
					sizeof(data), &nested));
	pt = nested;
	EXPECT_EQ(EINVAL, do_pasid_attach(self->fd, self->dev.stdev, 1, &pt));
	EXPECT_EQ(0, pasid_is(self->fd, self->dev.stdev, 1, 0));
	close(ffd);
}

/*
 * IOMMU_HWPT_ALLOC_PASID, as newer Linux has it: a PASID takes only a
 * HWPT allocated with it, and only while the RID's HWPT is one too; the
 * RID leaves for another kind only once no PASID is attached.
 */
TEST_F(pasid, pasid_compat_hwpts)
{
	struct iommu_hwpt_selftest data = { .iotlb = IOTLB_START };
	uint32_t plain, parent, nested, pt;

	ASSERT_EQ(0, hwpt_create(self->fd, self->dev.idev, self->ioas, 0,
				 &plain));
	ASSERT_EQ(0, hwpt_create(self->fd, self->dev.idev, self->ioas,
				 IOMMU_HWPT_ALLOC_NEST_PARENT, &parent));
	ASSERT_EQ(0, hwpt_create_nested(self->fd, self->dev.idev, parent, 0,
					0, IOMMU_HWPT_DATA_SELFTEST, &data,
					sizeof(data), &nested));

	/* Not flagged: no PASID takes it, by attach or replace. */
	pt = plain;
	EXPECT_EQ(EINVAL, do_pasid_attach(self->fd, self->dev.stdev, 1, &pt));
	pt = nested;
	EXPECT_EQ(EINVAL, do_pasid_attach(self->fd, self->dev.stdev, 1, &pt));
	EXPECT_EQ(0, pasid_is(self->fd, self->dev.stdev, 1, 0));
	pt = self->hwpt_a;
	ASSERT_EQ(0, do_pasid_attach(self->fd, self->dev.stdev, 1, &pt));
	pt = plain;
	EXPECT_EQ(EINVAL, do_pasid_replace(self->fd, self->dev.stdev, 1, &pt));
	EXPECT_EQ(0, pasid_is(self->fd, self->dev.stdev, 1, self->hwpt_a));

	/* With a PASID attached the RID keeps to flagged HWPTs. */
	EXPECT_EQ(EINVAL, mock_dev_replace(self->fd, self->dev.stdev, plain));
	EXPECT_EQ(EINVAL, mock_dev_replace(self->fd, self->dev.stdev, nested));
	EXPECT_EQ(0, mock_dev_replace(self->fd, self->dev.stdev,
				      self->hwpt_b));
	EXPECT_EQ(0, pasid_is(self->fd, self->dev.stdev, 1, self->hwpt_a));

	/* Without, it may go; then no PASID attaches while it is there. */
	ASSERT_EQ(0, do_pasid_detach(self->fd, self->dev.stdev, 1));
	ASSERT_EQ(0, mock_dev_replace(self->fd, self->dev.stdev, plain));
	pt = self->hwpt_a;
	EXPECT_EQ(EINVAL, do_pasid_attach(self->fd, self->dev.stdev, 2, &pt));
	EXPECT_EQ(0, pasid_is(self->fd, self->dev.stdev, 2, 0));
	ASSERT_EQ(0, mock_dev_replace(self->fd, self->dev.stdev, self->ioas));
	EXPECT_EQ(0, do_pasid_attach(self->fd, self->dev.stdev, 2, &pt));

	/* The flag takes no other meaning: unknown flags still fail. */
	EXPECT_EQ(EOPNOTSUPP, hwpt_create(self->fd, self->dev.idev,
					  self->ioas, 1u << 4, &pt));
}

TEST_F(pasid, check_hwpt_refusals)
{
	EXPECT_EQ(ENOENT, pasid_is(self->fd, self->dev.stdev, 1, 0xfffff));
	EXPECT_EQ(ENOENT, pasid_is(self->fd, self->dev.idev, 1, 0));
}

TEST_HARNESS_MAIN
