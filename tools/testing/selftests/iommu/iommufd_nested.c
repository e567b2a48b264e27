// SPDX-License-Identifier: GPL-2.0
/*
 * Nested HWPTs, IOMMU_HWPT_INVALIDATE, fault queues and DMA fault queues
 * through /dev/iommu, on the mock IOMMU: its nested domains keep an
 * emulated IOTLB the test reads back, and its devices raise page requests
 * (IOMMU_TEST_OP_TRIGGER_IOPF) and unrecoverable DMA faults
 * (IOMMU_TEST_OP_DMA_FAULT) on demand.
 */
#include <poll.h>
#include <stddef.h>

#include "../kselftest_harness.h"
#include "iommufd_core_util.h"

#define IOVA_A 0x01000000ULL
#define BUF_PAGES 16
#define IOTLB_START 0x1234u
#define INV_TYPE IOMMU_HWPT_INVALIDATE_DATA_SELFTEST
#define PERM_RW (IOMMU_PGFAULT_PERM_READ | IOMMU_PGFAULT_PERM_WRITE)

FIXTURE(nested)
{
	int fd;
	uint32_t ioas;
	struct mock_dev_ids dev;
	uint32_t parent;	/* nest parent on ioas */
	void *buf;
	size_t len;
};

FIXTURE_SETUP(nested)
{
	self->fd = open("/dev/iommu", O_RDWR);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ioas_create(self->fd, &self->ioas));
	ASSERT_EQ(0, mock_dev_add(self->fd, self->ioas, &self->dev));
	ASSERT_EQ(0, hwpt_create(self->fd, self->dev.idev, self->ioas,
				 IOMMU_HWPT_ALLOC_NEST_PARENT, &self->parent));
	self->len = BUF_PAGES * page_size;
	self->buf = mem_get(self->len);
	ASSERT_NE(NULL, self->buf);
	ASSERT_EQ(0, ioas_map_at(self->fd, self->ioas, self->buf, self->len,
				 IOVA_A));
}

FIXTURE_TEARDOWN(nested)
{
	close(self->fd);
	mem_put(self->buf, self->len);
}

/* Every emulated IOTLB entry of @hwpt holds @val. */
static int iotlb_all(int fd, uint32_t hwpt, uint32_t val)
{
	uint32_t id;
	int rc;

	for (id = 0; id <= MOCK_NESTED_DOMAIN_IOTLB_ID_MAX; id++) {
		rc = mock_iotlb_is(fd, hwpt, id, val);
		if (rc)
			return rc;
	}
	return 0;
}

TEST_F(nested, alloc_refusals)
{
	struct iommu_hwpt_selftest data = { .iotlb = IOTLB_START };
	struct {
		struct iommu_hwpt_selftest d;
		uint32_t more;
	} longer = { .d = data };
	struct iommu_hwpt_alloc h = {
		.size = sizeof(h),
		.dev_id = self->dev.idev,
		.pt_id = self->parent,
		.data_type = IOMMU_HWPT_DATA_SELFTEST,
		.data_len = sizeof(data),
		.data_uptr = ptr_u64(&data),
		.__reserved = 1,
	};
	uint32_t nested, id, fid;
	int ffd;

	/* Only a nest parent can be a stage 2. */
	ASSERT_EQ(EINVAL, mock_nested_create(self->fd, self->dev.idev,
					     self->dev.hwpt, 0, IOTLB_START,
					     &id));
	/* Data and its length go together. */
	ASSERT_EQ(EOPNOTSUPP, hwpt_create_nested(self->fd, self->dev.idev,
						 self->parent, 0, 0,
						 IOMMU_HWPT_DATA_NONE, NULL, 0,
						 &id));
	ASSERT_EQ(EINVAL, hwpt_create_nested(self->fd, self->dev.idev,
					     self->parent, 0, 0,
					     IOMMU_HWPT_DATA_NONE, &data,
					     sizeof(data), &id));
	ASSERT_EQ(EFAULT, hwpt_create_nested(self->fd, self->dev.idev,
					     self->parent, 0, 0,
					     IOMMU_HWPT_DATA_SELFTEST, NULL,
					     sizeof(data), &id));
	ASSERT_EQ(EINVAL, hwpt_create_nested(self->fd, self->dev.idev,
					     self->parent, 0, 0,
					     IOMMU_HWPT_DATA_SELFTEST, &data,
					     sizeof(data) - 1, &id));
	ASSERT_EQ(EINVAL, hwpt_create_nested(self->fd, self->dev.idev,
					     self->parent, 0, 0,
					     IOMMU_HWPT_DATA_SELFTEST, &longer,
					     sizeof(longer), &id));
	ASSERT_EQ(EOPNOTSUPP, hwpt_create_nested(self->fd, self->dev.idev,
						 self->parent, 0, 0,
						 IOMMU_HWPT_DATA_VTD_S1, &data,
						 sizeof(data), &id));
	/* Paging flags do not apply to a nested HWPT. */
	ASSERT_EQ(EOPNOTSUPP, hwpt_create_nested(self->fd, self->dev.idev,
						 self->parent,
						 IOMMU_HWPT_ALLOC_NEST_PARENT,
						 0, IOMMU_HWPT_DATA_SELFTEST,
						 &data, sizeof(data), &id));
	ASSERT_EQ(EOPNOTSUPP, hwpt_create_nested(self->fd, self->dev.idev,
						 self->parent,
						 IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
						 0, IOMMU_HWPT_DATA_SELFTEST,
						 &data, sizeof(data), &id));
	ASSERT_EQ(EOPNOTSUPP, raw_ioctl(self->fd, IOMMU_HWPT_ALLOC, &h));
	/* Unknown device, parent and fault queue. */
	ASSERT_EQ(ENOENT, mock_nested_create(self->fd, 0x7fffffff,
					     self->parent, 0, IOTLB_START,
					     &id));
	ASSERT_EQ(ENOENT, mock_nested_create(self->fd, self->dev.idev,
					     0x7fffffff, 0, IOTLB_START, &id));
	ASSERT_EQ(ENOENT, mock_nested_create(self->fd, self->dev.idev,
					     self->parent, 0x7fffffff,
					     IOTLB_START, &id));
	ASSERT_EQ(ENOENT, mock_nested_create(self->fd, self->dev.idev,
					     self->parent, self->ioas,
					     IOTLB_START, &id));
	/* Driver data on an IOAS: a paging HWPT takes none. */
	ASSERT_EQ(EOPNOTSUPP, hwpt_create_nested(self->fd, self->dev.idev,
						 self->ioas, 0, 0,
						 IOMMU_HWPT_DATA_SELFTEST,
						 &data, sizeof(data), &id));
	/* A fault queue is for nested HWPTs. */
	ASSERT_EQ(0, fault_queue_create(self->fd, &fid, &ffd));
	ASSERT_EQ(EOPNOTSUPP, hwpt_create(self->fd, self->dev.idev, self->ioas,
					  IOMMU_HWPT_FAULT_ID_VALID, &id));

	/* A shorter, older data struct is fine; then no nesting on it. */
	ASSERT_EQ(0, hwpt_create_nested(self->fd, self->dev.idev,
					self->parent, 0, 0,
					IOMMU_HWPT_DATA_SELFTEST, &data,
					offsetof(struct iommu_hwpt_selftest,
						 iotlb) + 4, &nested));
	ASSERT_EQ(0, iotlb_all(self->fd, nested, IOTLB_START));
	ASSERT_EQ(EINVAL, mock_nested_create(self->fd, self->dev.idev, nested,
					     0, IOTLB_START, &id));
	/* Nested HWPTs do not track dirty pages or map. */
	ASSERT_EQ(ENOENT, hwpt_dirty_set(self->fd, nested, true));
	ASSERT_EQ(EINVAL, mock_iotlb_is(self->fd, self->parent, 0, 0));
	ASSERT_EQ(EINVAL, mock_iotlb_is(self->fd, nested,
					MOCK_NESTED_DOMAIN_IOTLB_ID_MAX + 1,
					IOTLB_START));

	/* The parent and the fault queue are held by what uses them. */
	ASSERT_EQ(EBUSY, obj_destroy(self->fd, self->parent));
	ASSERT_EQ(0, obj_destroy(self->fd, nested));
	ASSERT_EQ(0, obj_destroy(self->fd, self->parent));
	ASSERT_EQ(EBUSY, obj_destroy(self->fd, fid));
	close(ffd);
	ASSERT_EQ(0, obj_destroy(self->fd, fid));
	/* Nothing failed above left a pin behind. */
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas, IOVA_A, self->len,
				NULL));
	ASSERT_EQ(0, pin_refs_are(self->fd, self->buf, self->len, 0));
}

TEST_F(nested, invalidate)
{
	struct iommu_hwpt_invalidate_selftest reqs[3] = {};
	struct {
		struct iommu_hwpt_invalidate_selftest r;
		uint32_t more;
	} longer[2] = {};
	struct iommu_hwpt_invalidate inv = {
		.size = sizeof(inv),
		.data_uptr = ptr_u64(reqs),
		.data_type = INV_TYPE,
		.entry_len = sizeof(reqs[0]),
		.entry_num = 1,
		.__reserved = 1,
	};
	uint32_t nested, num;

	ASSERT_EQ(0, mock_nested_create(self->fd, self->dev.idev, self->parent,
					0, IOTLB_START, &nested));
	inv.hwpt_id = nested;

	/* Only nested HWPTs; the count says none was handled. */
	num = 1;
	ASSERT_EQ(ENOENT, hwpt_invalidate(self->fd, self->parent, INV_TYPE,
					  reqs, sizeof(reqs[0]), &num));
	ASSERT_EQ(0, num);
	num = 1;
	ASSERT_EQ(ENOENT, hwpt_invalidate(self->fd, self->ioas, INV_TYPE, reqs,
					  sizeof(reqs[0]), &num));
	ASSERT_EQ(0, num);
	ASSERT_EQ(EOPNOTSUPP, raw_ioctl(self->fd, IOMMU_HWPT_INVALIDATE, &inv));
	ASSERT_EQ(0, inv.entry_num);
	/* An empty array checks the type only. */
	num = 0;
	ASSERT_EQ(0, hwpt_invalidate(self->fd, nested, INV_TYPE, NULL, 0,
				     &num));
	ASSERT_EQ(EINVAL, hwpt_invalidate(self->fd, nested,
					  IOMMU_HWPT_INVALIDATE_DATA_SELFTEST_INVALID,
					  NULL, 0, &num));
	/* Entries need an array and a size the driver knows. */
	num = 1;
	ASSERT_EQ(EINVAL, hwpt_invalidate(self->fd, nested, INV_TYPE, NULL,
					  sizeof(reqs[0]), &num));
	ASSERT_EQ(0, num);
	num = 1;
	ASSERT_EQ(EINVAL, hwpt_invalidate(self->fd, nested, INV_TYPE, reqs, 0,
					  &num));
	num = 1;
	ASSERT_EQ(EINVAL, hwpt_invalidate(self->fd, nested, INV_TYPE, reqs, 4,
					  &num));
	ASSERT_EQ(0, num);
	num = 1;
	ASSERT_EQ(EINVAL, hwpt_invalidate(self->fd, nested, INV_TYPE, longer,
					  sizeof(longer[0]), &num));
	ASSERT_EQ(0, num);
	num = 1;
	ASSERT_EQ(EFAULT, hwpt_invalidate(self->fd, nested, INV_TYPE,
					  (void *)8, sizeof(reqs[0]), &num));
	ASSERT_EQ(0, num);
	ASSERT_EQ(0, iotlb_all(self->fd, nested, IOTLB_START));

	/* Partial completion: the first two are done, the third fails. */
	reqs[0].iotlb_id = 3;
	reqs[1].iotlb_id = 1;
	reqs[2].iotlb_id = MOCK_NESTED_DOMAIN_IOTLB_ID_MAX + 1;
	num = 3;
	ASSERT_EQ(EINVAL, hwpt_invalidate(self->fd, nested, INV_TYPE, reqs,
					  sizeof(reqs[0]), &num));
	ASSERT_EQ(2, num);
	ASSERT_EQ(0, mock_iotlb_is(self->fd, nested, 0, IOTLB_START));
	ASSERT_EQ(0, mock_iotlb_is(self->fd, nested, 1, 0));
	ASSERT_EQ(0, mock_iotlb_is(self->fd, nested, 2, IOTLB_START));
	ASSERT_EQ(0, mock_iotlb_is(self->fd, nested, 3, 0));
	/* An unknown flag stops the array at its entry. */
	reqs[0].iotlb_id = 2;
	reqs[1].flags = 0x80;
	num = 2;
	ASSERT_EQ(EOPNOTSUPP, hwpt_invalidate(self->fd, nested, INV_TYPE, reqs,
					      sizeof(reqs[0]), &num));
	ASSERT_EQ(1, num);
	ASSERT_EQ(0, mock_iotlb_is(self->fd, nested, 2, 0));
	ASSERT_EQ(0, mock_iotlb_is(self->fd, nested, 0, IOTLB_START));
	/* Everything at once. */
	reqs[0].flags = IOMMU_TEST_INVALIDATE_FLAG_ALL;
	reqs[0].iotlb_id = 0xffff;
	num = 1;
	ASSERT_EQ(0, hwpt_invalidate(self->fd, nested, INV_TYPE, reqs,
				     sizeof(reqs[0]), &num));
	ASSERT_EQ(1, num);
	ASSERT_EQ(0, iotlb_all(self->fd, nested, 0));
}

TEST_F(nested, attach_and_replace)
{
	struct mock_dev_ids second;
	uint32_t n1, n2;

	ASSERT_EQ(0, mock_nested_create(self->fd, self->dev.idev, self->parent,
					0, IOTLB_START, &n1));
	ASSERT_EQ(0, mock_nested_create(self->fd, self->dev.idev, self->parent,
					0, IOTLB_START, &n2));
	/* Paging to nested, nested to nested, back to the parent. */
	ASSERT_EQ(0, mock_dev_replace(self->fd, self->dev.stdev, n1));
	ASSERT_EQ(EBUSY, obj_destroy(self->fd, n1));
	ASSERT_EQ(0, mock_dev_replace(self->fd, self->dev.stdev, n2));
	ASSERT_EQ(0, obj_destroy(self->fd, n1));
	/* A new device can be attached to a nested HWPT directly. */
	ASSERT_EQ(0, mock_dev_add(self->fd, n2, &second));
	ASSERT_EQ(n2, second.hwpt);
	/* The stage 2 keeps mirroring the IOAS underneath. */
	ASSERT_EQ(0, mock_check_map(self->fd, self->parent, IOVA_A, self->len,
				    self->buf));
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas, IOVA_A, self->len,
				NULL));
	ASSERT_EQ(EINVAL, mock_check_map(self->fd, self->parent, IOVA_A,
					 page_size, self->buf));
	ASSERT_EQ(0, ioas_map_at(self->fd, self->ioas, self->buf, self->len,
				 IOVA_A));
	ASSERT_EQ(0, mock_check_map(self->fd, self->parent, IOVA_A, self->len,
				    self->buf));
	ASSERT_EQ(0, obj_destroy(self->fd, second.stdev));
	ASSERT_EQ(0, mock_dev_replace(self->fd, self->dev.stdev, self->parent));
	ASSERT_EQ(0, obj_destroy(self->fd, n2));
	ASSERT_EQ(0, mock_dev_replace(self->fd, self->dev.stdev, self->ioas));
	ASSERT_EQ(0, obj_destroy(self->fd, self->parent));
}

/* Read exactly @n records; returns 0 or the errno of read(). */
static int fault_read(int ffd, struct iommu_hwpt_pgfault *recs, size_t n)
{
	ssize_t got = read(ffd, recs, n * sizeof(*recs));

	if (got < 0)
		return errno;
	return got == (ssize_t)(n * sizeof(*recs)) ? 0 : EIO;
}

static short poll_events(int ffd)
{
	struct pollfd p = { .fd = ffd, .events = POLLIN | POLLOUT };

	if (poll(&p, 1, 0) < 0)
		return -1;
	return p.revents;
}

TEST_F(nested, fault_queue)
{
	struct iommu_fault_alloc fa = { .size = sizeof(fa), .flags = 1 };
	struct iommu_hwpt_pgfault recs[2];
	uint32_t fid, iopf, plain;
	char byte;
	int ffd;

	ASSERT_EQ(EOPNOTSUPP, raw_ioctl(self->fd, IOMMU_FAULT_QUEUE_ALLOC,
					&fa));
	ASSERT_EQ(0, fault_queue_create(self->fd, &fid, &ffd));
	ASSERT_EQ(0, mock_nested_create(self->fd, self->dev.idev, self->parent,
					fid, IOTLB_START, &iopf));
	ASSERT_EQ(0, mock_nested_create(self->fd, self->dev.idev, self->parent,
					0, IOTLB_START, &plain));

	/* An answer to cookie 0 fails and cannot make 0 a cookie. */
	ASSERT_EQ(EINVAL, fault_answer(ffd, 0, IOMMUFD_PAGE_RESP_SUCCESS));
	/* Nothing queued: reads give nothing, writes may proceed. */
	ASSERT_EQ(0, read(ffd, recs, sizeof(recs[0])));
	ASSERT_EQ(-1, read(ffd, &byte, 1));
	ASSERT_EQ(ESPIPE, errno);
	ASSERT_EQ(-1, pread(ffd, recs, sizeof(recs[0]), 8));
	ASSERT_EQ(ESPIPE, errno);
	ASSERT_EQ(POLLOUT, poll_events(ffd));

	/* A device whose HWPT has no queue cannot report to it. */
	ASSERT_EQ(0, mock_dev_replace(self->fd, self->dev.stdev, plain));
	ASSERT_NE(0, mock_iopf(self->fd, self->dev.idev, 1, 2, PERM_RW,
			       0x5000));
	ASSERT_EQ(POLLOUT, poll_events(ffd));

	ASSERT_EQ(0, mock_dev_replace(self->fd, self->dev.stdev, iopf));
	ASSERT_EQ(EBUSY, obj_destroy(self->fd, iopf));
	ASSERT_EQ(0, mock_iopf(self->fd, self->dev.idev, 1, 2, PERM_RW,
			       0xdead000));
	ASSERT_EQ(0, mock_iopf(self->fd, self->dev.idev, 0, 3,
			       IOMMU_PGFAULT_PERM_READ, 0xbeef000));
	ASSERT_EQ(POLLIN | POLLOUT, poll_events(ffd));

	/* One group per read here, as the buffer holds one record. */
	memset(recs, 0xff, sizeof(recs));
	ASSERT_EQ(0, fault_read(ffd, recs, 1));
	ASSERT_EQ(IOMMU_PGFAULT_FLAGS_PASID_VALID |
		  IOMMU_PGFAULT_FLAGS_LAST_PAGE, recs[0].flags);
	ASSERT_EQ(self->dev.idev, recs[0].dev_id);
	ASSERT_EQ(1, recs[0].pasid);
	ASSERT_EQ(2, recs[0].grpid);
	ASSERT_EQ(PERM_RW, recs[0].perm);
	ASSERT_EQ(0, recs[0].__reserved);
	ASSERT_EQ(0xdead000, recs[0].addr);
	ASSERT_NE(0, recs[0].cookie);
	ASSERT_EQ(0, fault_read(ffd, recs + 1, 1));
	ASSERT_EQ(IOMMU_PGFAULT_FLAGS_LAST_PAGE, recs[1].flags);
	ASSERT_EQ(3, recs[1].grpid);
	ASSERT_EQ(IOMMU_PGFAULT_PERM_READ, recs[1].perm);
	ASSERT_NE(recs[0].cookie, recs[1].cookie);
	ASSERT_EQ(0, read(ffd, recs, sizeof(recs[0])));
	ASSERT_EQ(POLLOUT, poll_events(ffd));

	/* Answers: a bad code or cookie, a good one, a second one. */
	ASSERT_EQ(EINVAL, fault_answer(ffd, 0, IOMMUFD_PAGE_RESP_SUCCESS));
	ASSERT_EQ(EINVAL, fault_answer(ffd, recs[0].cookie, 7));
	ASSERT_EQ(EINVAL, fault_answer(ffd, recs[0].cookie + 100, 0));
	ASSERT_EQ(-1, write(ffd, &byte, 1));
	ASSERT_EQ(ESPIPE, errno);
	ASSERT_EQ(0, fault_answer(ffd, recs[0].cookie,
				  IOMMUFD_PAGE_RESP_SUCCESS));
	ASSERT_EQ(EINVAL, fault_answer(ffd, recs[0].cookie,
				       IOMMUFD_PAGE_RESP_SUCCESS));

	/* Leaving the queue answers what is left for the device. */
	ASSERT_EQ(0, mock_dev_replace(self->fd, self->dev.stdev, plain));
	ASSERT_EQ(EINVAL, fault_answer(ffd, recs[1].cookie,
				       IOMMUFD_PAGE_RESP_INVALID));
	/* Unread groups go the same way. */
	ASSERT_EQ(0, mock_dev_replace(self->fd, self->dev.stdev, iopf));
	ASSERT_EQ(0, mock_iopf(self->fd, self->dev.idev, 1, 4, PERM_RW,
			       0x1000));
	ASSERT_EQ(0, mock_dev_replace(self->fd, self->dev.stdev, self->ioas));
	ASSERT_EQ(0, read(ffd, recs, sizeof(recs)));

	/* The queue lives while a HWPT or its file holds it. */
	ASSERT_EQ(EBUSY, obj_destroy(self->fd, fid));
	ASSERT_EQ(0, obj_destroy(self->fd, iopf));
	ASSERT_EQ(EBUSY, obj_destroy(self->fd, fid));
	close(ffd);
	ASSERT_EQ(0, obj_destroy(self->fd, fid));
}

TEST_F(nested, fault_queue_full)
{
	const unsigned int max = 4096;
	struct iommu_hwpt_pgfault *recs;
	uint32_t fid, iopf, i;
	int ffd;

	recs = mem_get((max + 1) * sizeof(*recs));
	ASSERT_NE(NULL, recs);
	ASSERT_EQ(0, fault_queue_create(self->fd, &fid, &ffd));
	ASSERT_EQ(0, mock_nested_create(self->fd, self->dev.idev, self->parent,
					fid, IOTLB_START, &iopf));
	ASSERT_EQ(0, mock_dev_replace(self->fd, self->dev.stdev, iopf));
	for (i = 0; i != max; i++)
		ASSERT_EQ(0, mock_iopf(self->fd, self->dev.idev, 0, i, PERM_RW,
				       (uint64_t)i << 12));
	ASSERT_EQ(ENOSPC, mock_iopf(self->fd, self->dev.idev, 0, max, PERM_RW,
				    0));
	/* Read ones still count until answered. */
	ASSERT_EQ(max * sizeof(*recs),
		  read(ffd, recs, (max + 1) * sizeof(*recs)));
	for (i = 0; i != max; i++)
		ASSERT_EQ(i, recs[i].grpid);
	ASSERT_EQ(ENOSPC, mock_iopf(self->fd, self->dev.idev, 0, max, PERM_RW,
				    0));
	ASSERT_EQ(0, fault_answer(ffd, recs[7].cookie,
				  IOMMUFD_PAGE_RESP_SUCCESS));
	ASSERT_EQ(0, mock_iopf(self->fd, self->dev.idev, 0, max, PERM_RW, 0));
	/* Closing with groups unanswered: detach answers them. */
	close(ffd);
	mem_put(recs, (max + 1) * sizeof(*recs));
}

/*
 * A device sends page requests only while it is on a HWPT with a fault
 * queue (iommufd turns its IOPF on and off), and one that cannot send them
 * is refused such a HWPT, staying where it was.
 */
TEST_F(nested, fault_queue_needs_iopf)
{
	struct mock_dev_ids nopri;
	uint32_t fid, q1, q2, plain;
	int ffd;

	ASSERT_EQ(0, fault_queue_create(self->fd, &fid, &ffd));
	ASSERT_EQ(0, mock_nested_create(self->fd, self->dev.idev, self->parent,
					fid, IOTLB_START, &q1));
	ASSERT_EQ(0, mock_nested_create(self->fd, self->dev.idev, self->parent,
					fid, IOTLB_START, &q2));
	ASSERT_EQ(0, mock_nested_create(self->fd, self->dev.idev, self->parent,
					0, IOTLB_START, &plain));

	/* Off on a paging HWPT, on with the queue, across queues, off again. */
	ASSERT_EQ(ENODEV, mock_iopf(self->fd, self->dev.idev, 0, 1, PERM_RW,
				    0x1000));
	ASSERT_EQ(0, mock_dev_replace(self->fd, self->dev.stdev, q1));
	ASSERT_EQ(0, mock_iopf(self->fd, self->dev.idev, 0, 1, PERM_RW,
			       0x1000));
	ASSERT_EQ(0, mock_dev_replace(self->fd, self->dev.stdev, q2));
	ASSERT_EQ(0, mock_iopf(self->fd, self->dev.idev, 0, 2, PERM_RW,
			       0x1000));
	ASSERT_EQ(0, mock_dev_replace(self->fd, self->dev.stdev, plain));
	ASSERT_EQ(ENODEV, mock_iopf(self->fd, self->dev.idev, 0, 3, PERM_RW,
				    0x1000));
	ASSERT_EQ(0, mock_dev_replace(self->fd, self->dev.stdev, q1));
	ASSERT_EQ(0, mock_dev_replace(self->fd, self->dev.stdev, self->ioas));
	ASSERT_EQ(ENODEV, mock_iopf(self->fd, self->dev.idev, 0, 4, PERM_RW,
				    0x1000));

	/* Without PRI: refused on attach and on replace, nothing moved. */
	ASSERT_EQ(ENODEV, mock_dev_add_flags(self->fd, q1,
					     MOCK_FLAGS_DEVICE_NO_IOPF,
					     &nopri));
	ASSERT_EQ(0, mock_dev_add_flags(self->fd, self->parent,
					MOCK_FLAGS_DEVICE_NO_IOPF, &nopri));
	ASSERT_EQ(self->parent, nopri.hwpt);
	ASSERT_EQ(ENODEV, mock_dev_replace(self->fd, nopri.stdev, q1));
	ASSERT_EQ(ENODEV, mock_iopf(self->fd, nopri.idev, 0, 5, PERM_RW,
				    0x1000));
	ASSERT_EQ(0, mock_dev_replace(self->fd, nopri.stdev, plain));
	ASSERT_EQ(EBUSY, obj_destroy(self->fd, plain));
	ASSERT_EQ(0, obj_destroy(self->fd, q1));
	ASSERT_EQ(0, obj_destroy(self->fd, q2));
	ASSERT_EQ(0, obj_destroy(self->fd, nopri.stdev));
	ASSERT_EQ(0, obj_destroy(self->fd, plain));

	/* A device unbound while on the queue has its IOPF turned off. */
	ASSERT_EQ(0, mock_nested_create(self->fd, self->dev.idev, self->parent,
					fid, IOTLB_START, &q1));
	ASSERT_EQ(0, mock_dev_add(self->fd, q1, &nopri));
	ASSERT_EQ(0, mock_iopf(self->fd, nopri.idev, 0, 6, PERM_RW, 0x1000));
	ASSERT_EQ(0, obj_destroy(self->fd, nopri.stdev));
	ASSERT_EQ(0, obj_destroy(self->fd, q1));
	close(ffd);
	ASSERT_EQ(0, obj_destroy(self->fd, fid));
}

/* The fault file keeps the iommufd alive; closing in either order is fine. */
TEST(fault_file_outlives_iommufd)
{
	struct iommu_hwpt_pgfault rec;
	struct mock_dev_ids dev;
	uint32_t ioas, parent, fid, iopf;
	int fd, ffd;

	fd = open("/dev/iommu", O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioas_create(fd, &ioas));
	ASSERT_EQ(0, mock_dev_add(fd, ioas, &dev));
	ASSERT_EQ(0, hwpt_create(fd, dev.idev, ioas,
				 IOMMU_HWPT_ALLOC_NEST_PARENT, &parent));
	ASSERT_EQ(0, fault_queue_create(fd, &fid, &ffd));
	ASSERT_EQ(0, mock_nested_create(fd, dev.idev, parent, fid, 0, &iopf));
	ASSERT_EQ(0, mock_dev_replace(fd, dev.stdev, iopf));
	ASSERT_EQ(0, mock_iopf(fd, dev.idev, 0, 9, PERM_RW, 0x2000));
	close(fd);
	ASSERT_EQ(sizeof(rec), read(ffd, &rec, sizeof(rec)));
	ASSERT_EQ(9, rec.grpid);
	close(ffd);
}

/* The IOMMU core's fault flag bits (include/linux/iommu.h). */
#define CORE_FAULT_WRITE 0x1
#define CORE_FAULT_DIR_UNKNOWN 0x2
#define CORE_FAULT_PASID_VALID 0x4
#define EV_SIZE sizeof(struct iommu_dma_fault_event)

/* Wait up to two seconds for an event; 0 when one is there. */
static int wait_event_ready(int qfd)
{
	struct pollfd p = { .fd = qfd, .events = POLLIN };

	return poll(&p, 1, 2000) == 1 ? 0 : ETIMEDOUT;
}

TEST_F(nested, dma_fault_queue)
{
	struct iommu_dma_fault_queue_alloc a = { .size = sizeof(a) };
	struct iommu_dma_fault_event ev[2];
	uint32_t qid, qid2, nested;
	int qfd, qfd2;

	a.flags = 1;
	ASSERT_EQ(EOPNOTSUPP, raw_ioctl(self->fd, IOMMU_DMA_FAULT_QUEUE_ALLOC,
					&a));
	a.flags = 0;
	a.__reserved = 1;
	ASSERT_EQ(EOPNOTSUPP, raw_ioctl(self->fd, IOMMU_DMA_FAULT_QUEUE_ALLOC,
					&a));
	ASSERT_EQ(EINVAL, dma_fault_queue_create(self->fd, 65537, &qid, &qfd));

	ASSERT_EQ(ENOENT, mock_dma_fault(self->fd, 0x7fffffff, 0, 0, 1, 0));

	ASSERT_EQ(0, dma_fault_queue_create(self->fd, 0, &qid, &qfd));
	ASSERT_EQ(EEXIST, dma_fault_queue_create(self->fd, 0, &qid2, &qfd2));
	ASSERT_EQ(0, read(qfd, ev, EV_SIZE));
	ASSERT_EQ(-1, read(qfd, ev, EV_SIZE - 1));
	ASSERT_EQ(EINVAL, errno);

	ASSERT_EQ(0, mock_dma_fault(self->fd, self->dev.idev, CORE_FAULT_WRITE,
				    0, 0x13, 0x1234000));
	ASSERT_EQ(0, wait_event_ready(qfd));
	memset(ev, 0xff, sizeof(ev));
	ASSERT_EQ(EV_SIZE, read(qfd, ev, sizeof(ev)));
	ASSERT_EQ(IOMMU_DMA_FAULT_EVENT_WRITE, ev[0].flags);
	ASSERT_EQ(self->dev.idev, ev[0].dev_id);
	ASSERT_EQ(self->dev.hwpt, ev[0].hwpt_id);
	ASSERT_EQ(0, ev[0].pasid);
	ASSERT_EQ(0x1234000, ev[0].iova);
	ASSERT_EQ(0, ev[0].sequence);
	ASSERT_EQ(0, ev[0].lost);
	ASSERT_EQ(IOMMU_HW_INFO_TYPE_SELFTEST, ev[0].vendor);
	ASSERT_EQ(0x13, ev[0].code);
	ASSERT_EQ(0x1234000, ev[0].raw[0]);
	ASSERT_EQ(0x13, ev[0].raw[1]);
	ASSERT_EQ(0, read(qfd, ev, EV_SIZE));

	/* Through a nested HWPT, a read with a PASID. */
	ASSERT_EQ(0, mock_nested_create(self->fd, self->dev.idev, self->parent,
					0, IOTLB_START, &nested));
	ASSERT_EQ(0, mock_dev_replace(self->fd, self->dev.stdev, nested));
	ASSERT_EQ(0, mock_dma_fault(self->fd, self->dev.idev,
				    CORE_FAULT_PASID_VALID, 5, 0x10, 0x8000));
	ASSERT_EQ(0, wait_event_ready(qfd));
	ASSERT_EQ(EV_SIZE, read(qfd, ev, sizeof(ev)));
	ASSERT_EQ(IOMMU_DMA_FAULT_EVENT_PASID_VALID, ev[0].flags);
	ASSERT_EQ(5, ev[0].pasid);
	ASSERT_EQ(nested, ev[0].hwpt_id);
	ASSERT_EQ(1, ev[0].sequence);
	ASSERT_EQ(0, mock_dev_replace(self->fd, self->dev.stdev, self->ioas));

	/* The queue lives while its file is open; then a new one may come. */
	ASSERT_EQ(EBUSY, obj_destroy(self->fd, qid));
	close(qfd);
	ASSERT_EQ(0, obj_destroy(self->fd, qid));
	ASSERT_EQ(0, dma_fault_queue_create(self->fd, 0, &qid, &qfd));
	close(qfd);
}

/*
 * A full queue drops and counts. Faults are delivered in order by one
 * worker: a fault of another iommufd's device, seen there, says every
 * earlier one was handled.
 */
TEST_F(nested, dma_fault_queue_overflow)
{
	struct iommu_dma_fault_event ev[8];
	struct mock_dev_ids dev2;
	uint32_t qid, qid2, ioas2, i;
	int qfd, qfd2, fd2;

	fd2 = open("/dev/iommu", O_RDWR);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, ioas_create(fd2, &ioas2));
	ASSERT_EQ(0, mock_dev_add(fd2, ioas2, &dev2));
	ASSERT_EQ(0, dma_fault_queue_create(fd2, 0, &qid2, &qfd2));

	/* Without a queue a fault goes nowhere, harmlessly. */
	ASSERT_EQ(0, mock_dma_fault(self->fd, self->dev.idev, 0, 0, 50, 0));
	ASSERT_EQ(0, mock_dma_fault(fd2, dev2.idev, 0, 0, 98, 0));
	ASSERT_EQ(0, wait_event_ready(qfd2));
	ASSERT_EQ(EV_SIZE, read(qfd2, ev, sizeof(ev)));
	ASSERT_EQ(98, ev[0].code);
	ASSERT_EQ(0, dma_fault_queue_create(self->fd, 4, &qid, &qfd));
	ASSERT_EQ(0, read(qfd, ev, EV_SIZE));

	for (i = 0; i != 6; i++)
		ASSERT_EQ(0, mock_dma_fault(self->fd, self->dev.idev,
					    CORE_FAULT_DIR_UNKNOWN, 0, i,
					    i * 0x1000));
	ASSERT_EQ(0, mock_dma_fault(fd2, dev2.idev, 0, 0, 99, 0));
	ASSERT_EQ(0, wait_event_ready(qfd2));
	ASSERT_EQ(EV_SIZE, read(qfd2, ev, sizeof(ev)));
	ASSERT_EQ(dev2.idev, ev[0].dev_id);
	ASSERT_EQ(99, ev[0].code);

	/* Only this iommufd's four, in order. */
	ASSERT_EQ(4 * EV_SIZE, read(qfd, ev, sizeof(ev)));
	for (i = 0; i != 4; i++) {
		ASSERT_EQ(i, ev[i].code);
		ASSERT_EQ(i, ev[i].sequence);
		ASSERT_EQ(IOMMU_DMA_FAULT_EVENT_DIR_UNKNOWN, ev[i].flags);
	}
	/* The next one says two were lost, and its number counts them. */
	ASSERT_EQ(0, mock_dma_fault(self->fd, self->dev.idev, 0, 0, 7, 0));
	ASSERT_EQ(0, wait_event_ready(qfd));
	ASSERT_EQ(EV_SIZE, read(qfd, ev, sizeof(ev)));
	ASSERT_EQ(IOMMU_DMA_FAULT_EVENT_LOST, ev[0].flags);
	ASSERT_EQ(2, ev[0].lost);
	ASSERT_EQ(6, ev[0].sequence);
	ASSERT_EQ(7, ev[0].code);

	/* Closing the iommufd first: the queue's file keeps it open. */
	close(fd2);
	ASSERT_EQ(0, read(qfd2, ev, EV_SIZE));
	close(qfd2);
	close(qfd);
}

TEST_HARNESS_MAIN
