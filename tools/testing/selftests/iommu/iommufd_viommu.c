// SPDX-License-Identifier: GPL-2.0
/*
 * vIOMMUs, vDEVICEs and vEVENTQs through /dev/iommu, on the mock IOMMU.
 *
 * A mock vIOMMU (IOMMU_VIOMMU_TYPE_SELFTEST) sits on a nest parent HWPT.
 * Each mock device keeps an emulated cache (IOMMU_TEST_OP_DEV_CHECK_CACHE)
 * that IOMMU_HWPT_INVALIDATE on the vIOMMU clears by the device's guest
 * ID, and raises events on demand (IOMMU_TEST_OP_TRIGGER_VEVENT) that
 * come out of the vIOMMU's vEVENTQ naming the device by that guest ID.
 */
#include <poll.h>
#include <stddef.h>
#include <sys/wait.h>

#include "../kselftest_harness.h"
#include "iommufd_core_util.h"

#define IOVA_A 0x01000000ULL
#define BUF_PAGES 8
#define IOTLB_START 0x4321u
#define NO_ID 0x7fffffffu
#define VIRT_A 0x99u
#define VIRT_B 0x1234u
#define V_TYPE IOMMU_VIOMMU_TYPE_SELFTEST
#define Q_TYPE IOMMU_VEVENTQ_TYPE_SELFTEST
#define INV_TYPE IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST
#define HDR sizeof(struct iommufd_vevent_header)

/* What one mock event reads as: its header, then its record. */
struct mock_vevent_rec {
	struct iommufd_vevent_header hdr;
	struct iommu_viommu_event_selftest ev;
};

#define EV sizeof(struct mock_vevent_rec)

FIXTURE(viommu)
{
	int fd;
	uint32_t ioas;
	struct mock_dev_ids dev;
	uint32_t parent;	/* nest parent on ioas */
	uint32_t viommu;	/* mock vIOMMU over parent */
	void *buf;
	size_t len;
};

FIXTURE_SETUP(viommu)
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
	ASSERT_EQ(0, viommu_create(self->fd, self->dev.idev, self->parent,
				   V_TYPE, &self->viommu));
}

FIXTURE_TEARDOWN(viommu)
{
	/* Whatever a test left alive goes with the file. */
	close(self->fd);
	mem_put(self->buf, self->len);
}

/* Every entry of mock device @idev's emulated cache holds @val. */
static int cache_all(int fd, uint32_t idev, uint32_t val)
{
	uint32_t id;
	int rc;

	for (id = 0; id <= MOCK_DEV_CACHE_ID_MAX; id++) {
		rc = mock_cache_is(fd, idev, id, val);
		if (rc)
			return rc;
	}
	return 0;
}

/* Bytes read(), or minus the errno it failed with. */
static ssize_t q_read(int qfd, void *buf, size_t len)
{
	ssize_t got = read(qfd, buf, len);

	return got < 0 ? -errno : got;
}

static short q_poll(int qfd, int timeout_ms)
{
	struct pollfd p = { .fd = qfd, .events = POLLIN };

	if (poll(&p, 1, timeout_ms) < 0)
		return -1;
	return p.revents;
}

/* One invalidation through @viommu; *@done gets the entries handled. */
static int inv_one(int fd, uint32_t viommu, uint32_t flags, uint32_t vdev,
		   uint32_t cache, uint32_t *done)
{
	struct iommu_viommu_invalidate_selftest r = {
		.flags = flags,
		.vdev_id = vdev,
		.cache_id = cache,
	};
	uint32_t num = 1;
	int rc;

	rc = hwpt_invalidate(fd, viommu, INV_TYPE, &r, sizeof(r), &num);
	if (done)
		*done = num;
	return rc;
}

TEST_F(viommu, alloc_refusals)
{
	struct {
		struct iommu_viommu_alloc a;
		uint32_t tail[2];
	} big = {};
	struct iommu_viommu_alloc *a = &big.a;
	uint32_t id, id2, nested;
	struct iommu_hwpt_selftest data = { .iotlb = IOTLB_START };

	/* The argument's shape. */
	*a = (struct iommu_viommu_alloc){
		.size = offsetof(struct iommu_viommu_alloc, out_viommu_id),
		.type = V_TYPE,
		.dev_id = self->dev.idev,
		.hwpt_id = self->parent,
	};
	ASSERT_EQ(EINVAL, raw_ioctl(self->fd, IOMMU_VIOMMU_ALLOC, a));
	a->size = sizeof(big);
	big.tail[1] = 1;
	ASSERT_EQ(E2BIG, raw_ioctl(self->fd, IOMMU_VIOMMU_ALLOC, a));
	big.tail[1] = 0;
	ASSERT_EQ(0, raw_ioctl(self->fd, IOMMU_VIOMMU_ALLOC, a));
	ASSERT_NE(0, a->out_viommu_id);
	ASSERT_EQ(0, obj_destroy(self->fd, a->out_viommu_id));
	a->size = sizeof(*a);
	a->flags = 1;
	ASSERT_EQ(EOPNOTSUPP, raw_ioctl(self->fd, IOMMU_VIOMMU_ALLOC, a));
	a->flags = 0;
	a->__reserved = 1;
	ASSERT_EQ(EOPNOTSUPP, raw_ioctl(self->fd, IOMMU_VIOMMU_ALLOC, a));

	/* Types: DEFAULT is not one; the mock makes only its own. */
	ASSERT_EQ(EOPNOTSUPP, viommu_create(self->fd, self->dev.idev,
					    self->parent,
					    IOMMU_VIOMMU_TYPE_DEFAULT, &id));
	ASSERT_EQ(EOPNOTSUPP, viommu_create(self->fd, self->dev.idev,
					    self->parent,
					    IOMMU_VIOMMU_TYPE_ARM_SMMUV3, &id));
	ASSERT_EQ(EOPNOTSUPP, viommu_create(self->fd, self->dev.idev,
					    self->parent, 0xdead, &id));

	/* Objects that do not exist or are of the wrong kind. */
	ASSERT_EQ(ENOENT, viommu_create(self->fd, NO_ID, self->parent, V_TYPE,
					&id));
	ASSERT_EQ(ENOENT, viommu_create(self->fd, self->ioas, self->parent,
					V_TYPE, &id));
	ASSERT_EQ(ENOENT, viommu_create(self->fd, self->dev.idev, NO_ID,
					V_TYPE, &id));
	ASSERT_EQ(ENOENT, viommu_create(self->fd, self->dev.idev, self->ioas,
					V_TYPE, &id));
	ASSERT_EQ(ENOENT, viommu_create(self->fd, self->dev.idev,
					self->viommu, V_TYPE, &id));
	/* Only a nest parent can be the stage 2 ... */
	ASSERT_EQ(EINVAL, viommu_create(self->fd, self->dev.idev,
					self->dev.hwpt, V_TYPE, &id));
	/* ... and a nested HWPT is no paging HWPT at all. */
	ASSERT_EQ(0, mock_nested_create(self->fd, self->dev.idev, self->parent,
					0, IOTLB_START, &nested));
	ASSERT_EQ(ENOENT, viommu_create(self->fd, self->dev.idev, nested,
					V_TYPE, &id));
	ASSERT_EQ(0, obj_destroy(self->fd, nested));

	/* Two vIOMMUs may share a parent. */
	ASSERT_EQ(0, viommu_create(self->fd, self->dev.idev, self->parent,
				   V_TYPE, &id));
	ASSERT_NE(self->viommu, id);
	ASSERT_EQ(0, obj_destroy(self->fd, id));
	ASSERT_EQ(ENOENT, obj_destroy(self->fd, id));

	/*
	 * A vIOMMU is not a HWPT of the other ioctls; attaching to an object
	 * that is neither an IOAS nor a HWPT is EINVAL, as in Linux 6.12.
	 */
	ASSERT_EQ(ENOENT, hwpt_dirty_set(self->fd, self->viommu, false));
	ASSERT_EQ(EINVAL, mock_dev_replace(self->fd, self->dev.stdev,
					   self->viommu));
	ASSERT_EQ(EINVAL, mock_dev_add(self->fd, self->viommu, NULL));
	ASSERT_EQ(ENOENT, mock_iotlb_is(self->fd, self->viommu, 0, 0));

	/* Nothing that failed holds the parent. */
	ASSERT_EQ(EBUSY, obj_destroy(self->fd, self->parent));
	ASSERT_EQ(0, obj_destroy(self->fd, self->viommu));
	ASSERT_EQ(0, hwpt_create_nested(self->fd, self->dev.idev, self->parent,
					0, 0, IOMMU_HWPT_DATA_SELFTEST, &data,
					sizeof(data), &id2));
	ASSERT_EQ(0, obj_destroy(self->fd, id2));
	ASSERT_EQ(0, obj_destroy(self->fd, self->parent));
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas, IOVA_A, self->len,
				NULL));
	ASSERT_EQ(0, pin_refs_are(self->fd, self->buf, self->len, 0));
}

/* Who holds whom: each holder must go before what it holds. */
TEST_F(viommu, destroy_order)
{
	uint32_t nested, vdev, qid;
	int qfd;

	ASSERT_EQ(EBUSY, obj_destroy(self->fd, self->parent));
	ASSERT_EQ(0, mock_nested_create(self->fd, self->dev.idev, self->viommu,
					0, IOTLB_START, &nested));
	ASSERT_EQ(0, vdevice_create(self->fd, self->viommu, self->dev.idev,
				    VIRT_A, &vdev));
	ASSERT_EQ(0, veventq_create(self->fd, self->viommu, Q_TYPE, 4, &qid,
				    &qfd));

	/* Each of the three keeps the vIOMMU. */
	ASSERT_EQ(EBUSY, obj_destroy(self->fd, self->viommu));
	ASSERT_EQ(0, obj_destroy(self->fd, nested));
	ASSERT_EQ(EBUSY, obj_destroy(self->fd, self->viommu));
	ASSERT_EQ(0, obj_destroy(self->fd, vdev));
	ASSERT_EQ(ENOENT, obj_destroy(self->fd, vdev));
	ASSERT_EQ(EBUSY, obj_destroy(self->fd, self->viommu));
	/* The queue lives while its file is open. */
	ASSERT_EQ(EBUSY, obj_destroy(self->fd, qid));
	close(qfd);
	ASSERT_EQ(EBUSY, obj_destroy(self->fd, self->viommu));
	ASSERT_EQ(0, obj_destroy(self->fd, qid));
	ASSERT_EQ(EBUSY, obj_destroy(self->fd, self->parent));
	ASSERT_EQ(0, obj_destroy(self->fd, self->viommu));
	ASSERT_EQ(ENOENT, obj_destroy(self->fd, self->viommu));
	ASSERT_EQ(0, obj_destroy(self->fd, self->parent));

	/* The device still works, and no page stayed pinned. */
	ASSERT_EQ(0, mock_check_map(self->fd, self->dev.hwpt, IOVA_A,
				    self->len, self->buf));
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas, IOVA_A, self->len,
				NULL));
	ASSERT_EQ(0, pin_refs_are(self->fd, self->buf, self->len, 0));
}

/* The other order: the objects of a vIOMMU die with the file. */
TEST_F(viommu, close_with_everything)
{
	uint32_t nested, vdev, qid;
	int qfd;

	ASSERT_EQ(0, vdevice_create(self->fd, self->viommu, self->dev.idev,
				    VIRT_A, &vdev));
	ASSERT_EQ(0, mock_nested_create(self->fd, self->dev.idev, self->viommu,
					0, IOTLB_START, &nested));
	ASSERT_EQ(0, mock_dev_replace(self->fd, self->dev.stdev, nested));
	ASSERT_EQ(0, veventq_create(self->fd, self->viommu, Q_TYPE, 2, &qid,
				    &qfd));
	ASSERT_EQ(0, mock_vevent(self->fd, self->dev.idev));
	ASSERT_EQ(0, mock_vevent(self->fd, self->dev.idev));
	ASSERT_EQ(0, mock_vevent(self->fd, self->dev.idev));
	close(qfd);
	close(self->fd);
	self->fd = open("/dev/iommu", O_RDWR);
	ASSERT_LE(0, self->fd);
}

TEST_F(viommu, vdevice_alloc)
{
	struct {
		struct iommu_vdevice_alloc a;
		uint32_t tail[2];
	} big = {};
	struct iommu_vdevice_alloc *a = &big.a;
	struct mock_dev_ids dev2;
	uint32_t vdev, vdev2, id, nested;

	ASSERT_EQ(0, mock_dev_add(self->fd, self->ioas, &dev2));
	ASSERT_EQ(0, mock_nested_create(self->fd, self->dev.idev, self->viommu,
					0, IOTLB_START, &nested));

	/* The argument's shape. */
	*a = (struct iommu_vdevice_alloc){
		.size = offsetof(struct iommu_vdevice_alloc, virt_id),
		.viommu_id = self->viommu,
		.dev_id = self->dev.idev,
		.virt_id = VIRT_A,
	};
	ASSERT_EQ(EINVAL, raw_ioctl(self->fd, IOMMU_VDEVICE_ALLOC, a));
	a->size = sizeof(big);
	big.tail[0] = 1;
	ASSERT_EQ(E2BIG, raw_ioctl(self->fd, IOMMU_VDEVICE_ALLOC, a));
	big.tail[0] = 0;
	ASSERT_EQ(0, raw_ioctl(self->fd, IOMMU_VDEVICE_ALLOC, a));
	ASSERT_EQ(0, obj_destroy(self->fd, a->out_vdevice_id));

	/* Objects that do not exist or are of the wrong kind. */
	ASSERT_EQ(ENOENT, vdevice_create(self->fd, NO_ID, self->dev.idev,
					 VIRT_A, &id));
	ASSERT_EQ(ENOENT, vdevice_create(self->fd, self->parent,
					 self->dev.idev, VIRT_A, &id));
	ASSERT_EQ(ENOENT, vdevice_create(self->fd, nested, self->dev.idev,
					 VIRT_A, &id));
	ASSERT_EQ(ENOENT, vdevice_create(self->fd, self->ioas, self->dev.idev,
					 VIRT_A, &id));
	ASSERT_EQ(ENOENT, vdevice_create(self->fd, self->viommu, NO_ID,
					 VIRT_A, &id));
	ASSERT_EQ(ENOENT, vdevice_create(self->fd, self->viommu,
					 self->dev.stdev, VIRT_A, &id));
	ASSERT_EQ(ENOENT, vdevice_create(self->fd, self->viommu, self->ioas,
					 VIRT_A, &id));

	/* One vDEVICE per device, one device per guest ID. */
	ASSERT_EQ(0, vdevice_create(self->fd, self->viommu, self->dev.idev,
				    VIRT_A, &vdev));
	ASSERT_EQ(EEXIST, vdevice_create(self->fd, self->viommu,
					 self->dev.idev, VIRT_A, &id));
	ASSERT_EQ(EEXIST, vdevice_create(self->fd, self->viommu,
					 self->dev.idev, VIRT_B, &id));
	ASSERT_EQ(EEXIST, vdevice_create(self->fd, self->viommu, dev2.idev,
					 VIRT_A, &id));
	ASSERT_EQ(0, vdevice_create(self->fd, self->viommu, dev2.idev, VIRT_B,
				    &vdev2));
	ASSERT_NE(vdev, vdev2);
	/* A vDEVICE is no pt_id (EINVAL, as any object of the wrong kind). */
	ASSERT_EQ(EINVAL, mock_nested_create(self->fd, self->dev.idev, vdev, 0,
					     IOTLB_START, &id));
	ASSERT_EQ(ENOENT, viommu_create(self->fd, self->dev.idev, vdev, V_TYPE,
					&id));

	/* Destroyed, both its device and its guest ID are free again. */
	ASSERT_EQ(0, obj_destroy(self->fd, vdev));
	ASSERT_EQ(0, obj_destroy(self->fd, vdev2));
	ASSERT_EQ(0, vdevice_create(self->fd, self->viommu, dev2.idev, VIRT_A,
				    &vdev2));
	ASSERT_EQ(0, vdevice_create(self->fd, self->viommu, self->dev.idev,
				    VIRT_B, &vdev));
	ASSERT_EQ(0, obj_destroy(self->fd, vdev));
	ASSERT_EQ(0, obj_destroy(self->fd, vdev2));
	ASSERT_EQ(0, obj_destroy(self->fd, nested));
	ASSERT_EQ(0, obj_destroy(self->fd, self->viommu));
}

/* A second vIOMMU keeps guest IDs of its own. */
TEST_F(viommu, vdevice_two_viommus)
{
	uint32_t viommu2, v1, v2, done;

	ASSERT_EQ(0, viommu_create(self->fd, self->dev.idev, self->parent,
				   V_TYPE, &viommu2));
	ASSERT_EQ(0, vdevice_create(self->fd, self->viommu, self->dev.idev,
				    VIRT_A, &v1));
	/* Unknown to the second, as its invalidations tell. */
	ASSERT_EQ(EINVAL, inv_one(self->fd, viommu2, 0, VIRT_A, 0, &done));
	ASSERT_EQ(0, done);
	ASSERT_EQ(0, cache_all(self->fd, self->dev.idev,
			       IOMMU_TEST_DEV_CACHE_DEFAULT));
	ASSERT_EQ(0, obj_destroy(self->fd, v1));
	ASSERT_EQ(0, vdevice_create(self->fd, viommu2, self->dev.idev, VIRT_B,
				    &v2));
	ASSERT_EQ(0, inv_one(self->fd, viommu2, 0, VIRT_B, 2, &done));
	ASSERT_EQ(1, done);
	ASSERT_EQ(0, mock_cache_is(self->fd, self->dev.idev, 2, 0));
	ASSERT_EQ(EBUSY, obj_destroy(self->fd, viommu2));
	ASSERT_EQ(0, obj_destroy(self->fd, self->viommu));
	ASSERT_EQ(0, obj_destroy(self->fd, v2));
	ASSERT_EQ(0, obj_destroy(self->fd, viommu2));
}

/* The device goes first: its vDEVICE stays, empty, until destroyed. */
TEST_F(viommu, vdevice_outlives_device)
{
	struct mock_dev_ids dev2, dev3;
	uint32_t vdev, nested, done, qid, id;
	struct mock_vevent_rec rec[2];
	int qfd;

	ASSERT_EQ(0, mock_dev_add(self->fd, self->ioas, &dev2));
	ASSERT_EQ(0, vdevice_create(self->fd, self->viommu, dev2.idev, VIRT_A,
				    &vdev));
	ASSERT_EQ(0, mock_nested_create(self->fd, dev2.idev, self->viommu, 0,
					IOTLB_START, &nested));
	ASSERT_EQ(0, mock_dev_replace(self->fd, dev2.stdev, nested));
	ASSERT_EQ(0, veventq_create(self->fd, self->viommu, Q_TYPE, 8, &qid,
				    &qfd));
	ASSERT_EQ(0, mock_vevent(self->fd, dev2.idev));
	ASSERT_EQ(0, inv_one(self->fd, self->viommu, 0, VIRT_A, 1, &done));
	ASSERT_EQ(0, mock_cache_is(self->fd, dev2.idev, 1, 0));

	/* Unbind the device (destroying the mock device does). */
	ASSERT_EQ(0, obj_destroy(self->fd, dev2.stdev));
	ASSERT_EQ(ENOENT, mock_vevent(self->fd, dev2.idev));
	ASSERT_EQ(ENOENT, mock_cache_is(self->fd, dev2.idev, 0, 0));
	/* The guest ID names no device now. */
	ASSERT_EQ(EINVAL, inv_one(self->fd, self->viommu, 0, VIRT_A, 0,
				  &done));
	ASSERT_EQ(0, done);
	ASSERT_EQ(ENOENT, vdevice_create(self->fd, self->viommu, dev2.idev,
					 VIRT_B, &id));
	/* What was queued before is still there. */
	ASSERT_EQ(EV, q_read(qfd, rec, sizeof(rec)));
	ASSERT_EQ(VIRT_A, rec[0].ev.virt_id);
	ASSERT_EQ(0, rec[0].hdr.sequence);

	/* The empty vDEVICE still holds its vIOMMU, then goes. */
	ASSERT_EQ(0, obj_destroy(self->fd, nested));
	close(qfd);
	ASSERT_EQ(0, obj_destroy(self->fd, qid));
	ASSERT_EQ(EBUSY, obj_destroy(self->fd, self->viommu));
	ASSERT_EQ(0, obj_destroy(self->fd, vdev));
	ASSERT_EQ(ENOENT, obj_destroy(self->fd, vdev));

	/* Its guest ID is free for another device. */
	ASSERT_EQ(0, mock_dev_add(self->fd, self->ioas, &dev3));
	ASSERT_EQ(0, vdevice_create(self->fd, self->viommu, dev3.idev, VIRT_A,
				    &vdev));
	ASSERT_EQ(0, inv_one(self->fd, self->viommu, 0, VIRT_A, 3, &done));
	ASSERT_EQ(1, done);
	ASSERT_EQ(0, mock_cache_is(self->fd, dev3.idev, 3, 0));
	ASSERT_EQ(0, mock_cache_is(self->fd, dev3.idev, 1,
				   IOMMU_TEST_DEV_CACHE_DEFAULT));
	/* The file's close takes the last vDEVICE with the device alive. */
}

/* Nested HWPTs with a vIOMMU as their pt_id. */
TEST_F(viommu, nested_hwpt)
{
	struct iommu_hwpt_selftest data = { .iotlb = IOTLB_START };
	struct iommu_hwpt_invalidate_selftest req = { .iotlb_id = 2 };
	struct mock_dev_ids dev2;
	uint32_t n1, n2, id, vdev, fid, num;
	int ffd;

	/* Refusals, as on a parent HWPT. */
	ASSERT_EQ(EOPNOTSUPP, hwpt_create_nested(self->fd, self->dev.idev,
						 self->viommu, 0, 0,
						 IOMMU_HWPT_DATA_NONE, NULL, 0,
						 &id));
	ASSERT_EQ(EOPNOTSUPP, hwpt_create_nested(self->fd, self->dev.idev,
						 self->viommu,
						 IOMMU_HWPT_ALLOC_NEST_PARENT,
						 0, IOMMU_HWPT_DATA_SELFTEST,
						 &data, sizeof(data), &id));
	ASSERT_EQ(EOPNOTSUPP, hwpt_create_nested(self->fd, self->dev.idev,
						 self->viommu,
						 IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
						 0, IOMMU_HWPT_DATA_SELFTEST,
						 &data, sizeof(data), &id));
	ASSERT_EQ(EOPNOTSUPP, hwpt_create_nested(self->fd, self->dev.idev,
						 self->viommu, 0, 0,
						 IOMMU_HWPT_DATA_VTD_S1, &data,
						 sizeof(data), &id));
	ASSERT_EQ(EINVAL, hwpt_create_nested(self->fd, self->dev.idev,
					     self->viommu, 0, 0,
					     IOMMU_HWPT_DATA_SELFTEST, &data,
					     sizeof(data) - 1, &id));
	ASSERT_EQ(ENOENT, mock_nested_create(self->fd, NO_ID, self->viommu, 0,
					     IOTLB_START, &id));
	ASSERT_EQ(ENOENT, mock_nested_create(self->fd, self->dev.idev,
					     self->viommu, NO_ID, IOTLB_START,
					     &id));

	ASSERT_EQ(0, mock_nested_create(self->fd, self->dev.idev, self->viommu,
					0, IOTLB_START, &n1));
	ASSERT_EQ(0, mock_iotlb_is(self->fd, n1, 0, IOTLB_START));
	ASSERT_EQ(0, mock_iotlb_is(self->fd, n1, MOCK_NESTED_DOMAIN_IOTLB_ID_MAX,
				   IOTLB_START));
	/* A nested HWPT is no parent of another. */
	ASSERT_EQ(EINVAL, mock_nested_create(self->fd, self->dev.idev, n1, 0,
					     IOTLB_START, &id));
	ASSERT_EQ(ENOENT, viommu_create(self->fd, self->dev.idev, n1, V_TYPE,
					&id));
	/* Its own invalidations still reach its IOTLB. */
	num = 1;
	ASSERT_EQ(0, hwpt_invalidate(self->fd, n1,
				     IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, &req,
				     sizeof(req), &num));
	ASSERT_EQ(1, num);
	ASSERT_EQ(0, mock_iotlb_is(self->fd, n1, 2, 0));
	ASSERT_EQ(0, mock_iotlb_is(self->fd, n1, 1, IOTLB_START));

	/* With a fault queue too. */
	ASSERT_EQ(0, fault_queue_create(self->fd, &fid, &ffd));
	ASSERT_EQ(0, mock_nested_create(self->fd, self->dev.idev, self->viommu,
					fid, 0, &n2));
	ASSERT_EQ(0, mock_iotlb_is(self->fd, n2, 3, 0));

	/* Attach (the guest knows the device first), replace, detach. */
	ASSERT_EQ(0, vdevice_create(self->fd, self->viommu, self->dev.idev,
				    VIRT_A, &vdev));
	ASSERT_EQ(0, mock_dev_replace(self->fd, self->dev.stdev, n1));
	ASSERT_EQ(EBUSY, obj_destroy(self->fd, n1));
	ASSERT_EQ(0, mock_dev_replace(self->fd, self->dev.stdev, n2));
	ASSERT_EQ(0, obj_destroy(self->fd, n1));
	ASSERT_EQ(0, mock_dev_replace(self->fd, self->dev.stdev, self->parent));
	ASSERT_EQ(0, mock_dev_replace(self->fd, self->dev.stdev, n2));
	ASSERT_EQ(0, mock_dev_replace(self->fd, self->dev.stdev, self->ioas));
	ASSERT_EQ(0, mock_dev_replace(self->fd, self->dev.stdev, n2));
	/* The stage 2 mirrors the IOAS for a second device on the parent. */
	ASSERT_EQ(0, mock_dev_add(self->fd, self->parent, &dev2));
	ASSERT_EQ(0, mock_check_map(self->fd, self->parent, IOVA_A, self->len,
				    self->buf));
	ASSERT_EQ(0, obj_destroy(self->fd, dev2.stdev));

	ASSERT_EQ(EBUSY, obj_destroy(self->fd, self->viommu));
	ASSERT_EQ(0, mock_dev_replace(self->fd, self->dev.stdev, self->ioas));
	ASSERT_EQ(0, obj_destroy(self->fd, n2));
	close(ffd);
	ASSERT_EQ(0, obj_destroy(self->fd, fid));
	ASSERT_EQ(0, obj_destroy(self->fd, vdev));
	ASSERT_EQ(0, obj_destroy(self->fd, self->viommu));
	ASSERT_EQ(0, obj_destroy(self->fd, self->parent));
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas, IOVA_A, self->len,
				NULL));
	ASSERT_EQ(0, pin_refs_are(self->fd, self->buf, self->len, 0));
}

TEST_F(viommu, invalidate)
{
	struct iommu_viommu_invalidate_selftest reqs[3] = {};
	struct {
		struct iommu_viommu_invalidate_selftest r;
		uint32_t more;
	} longer[1] = {};
	struct iommu_hwpt_invalidate inv = {
		.size = sizeof(inv),
		.hwpt_id = self->viommu,
		.data_uptr = ptr_u64(reqs),
		.data_type = INV_TYPE,
		.entry_len = sizeof(reqs[0]),
		.entry_num = 1,
		.__reserved = 1,
	};
	struct mock_dev_ids dev2;
	uint32_t vdev, vdev2, qid, num;
	int qfd;

	ASSERT_EQ(0, mock_dev_add(self->fd, self->ioas, &dev2));
	ASSERT_EQ(0, vdevice_create(self->fd, self->viommu, self->dev.idev,
				    VIRT_A, &vdev));
	ASSERT_EQ(0, vdevice_create(self->fd, self->viommu, dev2.idev, VIRT_B,
				    &vdev2));
	ASSERT_EQ(0, cache_all(self->fd, self->dev.idev,
			       IOMMU_TEST_DEV_CACHE_DEFAULT));
	ASSERT_EQ(0, cache_all(self->fd, dev2.idev,
			       IOMMU_TEST_DEV_CACHE_DEFAULT));
	/* The test op itself. */
	ASSERT_EQ(EINVAL, mock_cache_is(self->fd, self->dev.idev,
					MOCK_DEV_CACHE_ID_MAX + 1,
					IOMMU_TEST_DEV_CACHE_DEFAULT));
	ASSERT_EQ(EINVAL, mock_cache_is(self->fd, self->dev.idev, 0, 0));
	ASSERT_EQ(ENOENT, mock_cache_is(self->fd, NO_ID, 0, 0));

	/* hwpt_id: only a vIOMMU or a nested HWPT. */
	ASSERT_EQ(0, veventq_create(self->fd, self->viommu, Q_TYPE, 1, &qid,
				    &qfd));
	num = 1;
	ASSERT_EQ(ENOENT, hwpt_invalidate(self->fd, self->parent, INV_TYPE,
					  reqs, sizeof(reqs[0]), &num));
	ASSERT_EQ(0, num);
	num = 1;
	ASSERT_EQ(ENOENT, hwpt_invalidate(self->fd, vdev, INV_TYPE, reqs,
					  sizeof(reqs[0]), &num));
	ASSERT_EQ(0, num);
	num = 1;
	ASSERT_EQ(ENOENT, hwpt_invalidate(self->fd, qid, INV_TYPE, reqs,
					  sizeof(reqs[0]), &num));
	ASSERT_EQ(0, num);
	num = 1;
	ASSERT_EQ(ENOENT, hwpt_invalidate(self->fd, NO_ID, INV_TYPE, reqs,
					  sizeof(reqs[0]), &num));
	ASSERT_EQ(0, num);
	ASSERT_EQ(EOPNOTSUPP, raw_ioctl(self->fd, IOMMU_HWPT_INVALIDATE, &inv));
	ASSERT_EQ(0, inv.entry_num);

	/* An empty array checks the type only. */
	num = 0;
	ASSERT_EQ(0, hwpt_invalidate(self->fd, self->viommu, INV_TYPE, NULL, 0,
				     &num));
	ASSERT_EQ(0, num);
	ASSERT_EQ(EINVAL, hwpt_invalidate(self->fd, self->viommu,
					  IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST_INVALID,
					  NULL, 0, &num));
	num = 1;
	ASSERT_EQ(EINVAL, hwpt_invalidate(self->fd, self->viommu,
					  IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST_INVALID,
					  reqs, sizeof(reqs[0]), &num));
	ASSERT_EQ(0, num);
	/* The array's shape. */
	reqs[0].vdev_id = VIRT_A;
	num = 1;
	ASSERT_EQ(EINVAL, hwpt_invalidate(self->fd, self->viommu, INV_TYPE,
					  NULL, sizeof(reqs[0]), &num));
	ASSERT_EQ(0, num);
	num = 1;
	ASSERT_EQ(EINVAL, hwpt_invalidate(self->fd, self->viommu, INV_TYPE,
					  reqs, 0, &num));
	ASSERT_EQ(0, num);
	num = 1;
	ASSERT_EQ(EINVAL, hwpt_invalidate(self->fd, self->viommu, INV_TYPE,
					  reqs, 4, &num));
	ASSERT_EQ(0, num);
	longer[0].r.vdev_id = VIRT_A;
	longer[0].more = 1;
	num = 1;
	ASSERT_NE(0, hwpt_invalidate(self->fd, self->viommu, INV_TYPE, longer,
				     sizeof(longer[0]), &num));
	ASSERT_EQ(0, num);
	num = 1;
	ASSERT_EQ(EFAULT, hwpt_invalidate(self->fd, self->viommu, INV_TYPE,
					  (void *)8, sizeof(reqs[0]), &num));
	ASSERT_EQ(0, num);
	ASSERT_EQ(0, cache_all(self->fd, self->dev.idev,
			       IOMMU_TEST_DEV_CACHE_DEFAULT));

	/* One bad entry: flags, cache_id, a guest ID nobody has. */
	ASSERT_EQ(EOPNOTSUPP, inv_one(self->fd, self->viommu, 0x80, VIRT_A, 0,
				      &num));
	ASSERT_EQ(0, num);
	ASSERT_EQ(EINVAL, inv_one(self->fd, self->viommu, 0, VIRT_A,
				  MOCK_DEV_CACHE_ID_MAX + 1, &num));
	ASSERT_EQ(0, num);
	ASSERT_EQ(EINVAL, inv_one(self->fd, self->viommu, 0, 0x9, 0, &num));
	ASSERT_EQ(0, num);
	ASSERT_EQ(EINVAL, inv_one(self->fd, self->viommu,
				  IOMMU_TEST_INVALIDATE_FLAG_ALL, 0x9, 0, &num));
	ASSERT_EQ(0, num);
	ASSERT_EQ(0, cache_all(self->fd, self->dev.idev,
			       IOMMU_TEST_DEV_CACHE_DEFAULT));
	ASSERT_EQ(0, cache_all(self->fd, dev2.idev,
			       IOMMU_TEST_DEV_CACHE_DEFAULT));

	/* Partial completion: the entries before the bad one are done. */
	memset(reqs, 0, sizeof(reqs));
	reqs[0].vdev_id = VIRT_A;
	reqs[0].cache_id = 0;
	reqs[1].vdev_id = VIRT_B;
	reqs[1].cache_id = 3;
	reqs[2].vdev_id = VIRT_A;
	reqs[2].flags = 0x2;
	num = 3;
	ASSERT_EQ(EOPNOTSUPP, hwpt_invalidate(self->fd, self->viommu, INV_TYPE,
					      reqs, sizeof(reqs[0]), &num));
	ASSERT_EQ(2, num);
	ASSERT_EQ(0, mock_cache_is(self->fd, self->dev.idev, 0, 0));
	ASSERT_EQ(0, mock_cache_is(self->fd, self->dev.idev, 1,
				   IOMMU_TEST_DEV_CACHE_DEFAULT));
	ASSERT_EQ(0, mock_cache_is(self->fd, dev2.idev, 3, 0));
	ASSERT_EQ(0, mock_cache_is(self->fd, dev2.idev, 0,
				   IOMMU_TEST_DEV_CACHE_DEFAULT));
	reqs[0].cache_id = 2;
	reqs[1].vdev_id = VIRT_A;
	reqs[1].cache_id = MOCK_DEV_CACHE_ID_MAX + 1;
	num = 3;
	ASSERT_EQ(EINVAL, hwpt_invalidate(self->fd, self->viommu, INV_TYPE,
					  reqs, sizeof(reqs[0]), &num));
	ASSERT_EQ(1, num);
	ASSERT_EQ(0, mock_cache_is(self->fd, self->dev.idev, 2, 0));
	ASSERT_EQ(0, mock_cache_is(self->fd, self->dev.idev, 3,
				   IOMMU_TEST_DEV_CACHE_DEFAULT));

	/* Everything of one device, then the rest of the other's. */
	memset(reqs, 0, sizeof(reqs));
	reqs[0].flags = IOMMU_TEST_INVALIDATE_FLAG_ALL;
	reqs[0].vdev_id = VIRT_A;
	reqs[0].cache_id = MOCK_DEV_CACHE_ID_MAX;
	num = 1;
	ASSERT_EQ(0, hwpt_invalidate(self->fd, self->viommu, INV_TYPE, reqs,
				     sizeof(reqs[0]), &num));
	ASSERT_EQ(1, num);
	ASSERT_EQ(0, cache_all(self->fd, self->dev.idev, 0));
	ASSERT_EQ(0, mock_cache_is(self->fd, dev2.idev, 1,
				   IOMMU_TEST_DEV_CACHE_DEFAULT));
	reqs[0].flags = 0;
	reqs[0].vdev_id = VIRT_B;
	reqs[0].cache_id = 0;
	reqs[1].vdev_id = VIRT_B;
	reqs[1].cache_id = 1;
	reqs[2].vdev_id = VIRT_B;
	reqs[2].cache_id = 2;
	num = 3;
	ASSERT_EQ(0, hwpt_invalidate(self->fd, self->viommu, INV_TYPE, reqs,
				     sizeof(reqs[0]), &num));
	ASSERT_EQ(3, num);
	ASSERT_EQ(0, cache_all(self->fd, dev2.idev, 0));

	/* A destroyed vDEVICE's guest ID is unknown again. */
	ASSERT_EQ(0, obj_destroy(self->fd, vdev2));
	ASSERT_EQ(EINVAL, inv_one(self->fd, self->viommu, 0, VIRT_B, 0, &num));
	ASSERT_EQ(0, num);
	close(qfd);
}

TEST_F(viommu, veventq_alloc)
{
	struct {
		struct iommu_veventq_alloc a;
		uint32_t tail[2];
	} big = {};
	struct iommu_veventq_alloc *a = &big.a;
	uint32_t qid, qid2, viommu2, vdev;
	int qfd, qfd2;

	/* The argument's shape. */
	*a = (struct iommu_veventq_alloc){
		.size = offsetof(struct iommu_veventq_alloc, out_veventq_id),
		.viommu_id = self->viommu,
		.type = Q_TYPE,
		.veventq_depth = 4,
	};
	ASSERT_EQ(EINVAL, raw_ioctl(self->fd, IOMMU_VEVENTQ_ALLOC, a));
	a->size = sizeof(big);
	big.tail[1] = 7;
	ASSERT_EQ(E2BIG, raw_ioctl(self->fd, IOMMU_VEVENTQ_ALLOC, a));
	big.tail[1] = 0;
	ASSERT_EQ(0, raw_ioctl(self->fd, IOMMU_VEVENTQ_ALLOC, a));
	ASSERT_LE(0, (int)a->out_veventq_fd);
	ASSERT_EQ(EEXIST, veventq_create(self->fd, self->viommu, Q_TYPE, 4,
					 &qid, &qfd));
	close(a->out_veventq_fd);
	ASSERT_EQ(0, obj_destroy(self->fd, a->out_veventq_id));

	a->size = sizeof(*a);
	a->flags = 1;
	ASSERT_EQ(EOPNOTSUPP, raw_ioctl(self->fd, IOMMU_VEVENTQ_ALLOC, a));
	a->flags = 0;
	a->__reserved = 1;
	ASSERT_EQ(EOPNOTSUPP, raw_ioctl(self->fd, IOMMU_VEVENTQ_ALLOC, a));
	a->__reserved = 0;
	a->veventq_depth = 0;
	ASSERT_EQ(EINVAL, raw_ioctl(self->fd, IOMMU_VEVENTQ_ALLOC, a));
	ASSERT_EQ(EOPNOTSUPP, veventq_create(self->fd, self->viommu,
					     IOMMU_VEVENTQ_TYPE_DEFAULT, 4,
					     &qid, &qfd));
	ASSERT_EQ(EOPNOTSUPP, veventq_create(self->fd, self->viommu, 0x7777, 4,
					     &qid, &qfd));
	/* No driver of ours reports Tegra241 events, AMD-Vi's one does */
	ASSERT_EQ(EOPNOTSUPP, veventq_create(self->fd, self->viommu,
					     IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV,
					     4, &qid, &qfd));
	ASSERT_EQ(0, veventq_create(self->fd, self->viommu,
				    IOMMU_VEVENTQ_TYPE_AMD, 4, &qid, &qfd));
	close(qfd);
	ASSERT_EQ(0, obj_destroy(self->fd, qid));
	ASSERT_EQ(ENOENT, veventq_create(self->fd, NO_ID, Q_TYPE, 4, &qid,
					 &qfd));
	ASSERT_EQ(ENOENT, veventq_create(self->fd, self->parent, Q_TYPE, 4,
					 &qid, &qfd));
	ASSERT_EQ(ENOENT, veventq_create(self->fd, self->ioas, Q_TYPE, 4, &qid,
					 &qfd));
	ASSERT_EQ(0, vdevice_create(self->fd, self->viommu, self->dev.idev,
				    VIRT_A, &vdev));
	ASSERT_EQ(ENOENT, veventq_create(self->fd, vdev, Q_TYPE, 4, &qid,
					 &qfd));

	/* One queue of a type per vIOMMU; another vIOMMU has its own. */
	ASSERT_EQ(0, veventq_create(self->fd, self->viommu, Q_TYPE, 1, &qid,
				    &qfd));
	ASSERT_EQ(EEXIST, veventq_create(self->fd, self->viommu, Q_TYPE, 1,
					 &qid2, &qfd2));
	ASSERT_EQ(0, viommu_create(self->fd, self->dev.idev, self->parent,
				   V_TYPE, &viommu2));
	ASSERT_EQ(0, veventq_create(self->fd, viommu2, Q_TYPE, 1, &qid2,
				    &qfd2));
	ASSERT_NE(qfd, qfd2);
	/* A queue is not an ID the other ioctls take. */
	ASSERT_EQ(ENOENT, vdevice_create(self->fd, qid, self->dev.idev, VIRT_B,
					 &vdev));
	ASSERT_EQ(EINVAL, mock_nested_create(self->fd, self->dev.idev, qid, 0,
					     IOTLB_START, &vdev));
	/* Nor is it a fault queue. */
	ASSERT_EQ(ENOENT, mock_nested_create(self->fd, self->dev.idev,
					     self->parent, qid, IOTLB_START,
					     &vdev));
	close(qfd2);
	ASSERT_EQ(0, obj_destroy(self->fd, qid2));
	ASSERT_EQ(0, obj_destroy(self->fd, viommu2));
	/* Closed and destroyed, the type is free again. */
	close(qfd);
	ASSERT_EQ(EEXIST, veventq_create(self->fd, self->viommu, Q_TYPE, 1,
					 &qid2, &qfd2));
	ASSERT_EQ(0, obj_destroy(self->fd, qid));
	ASSERT_EQ(0, veventq_create(self->fd, self->viommu, Q_TYPE, 1, &qid,
				    &qfd));
	close(qfd);
}

TEST_F(viommu, veventq_read)
{
	struct mock_vevent_rec rec[4];
	unsigned char raw[3 * EV];
	uint32_t vdev, qid, i;
	char byte = 0;
	int qfd;

	ASSERT_EQ(0, veventq_create(self->fd, self->viommu, Q_TYPE, 8, &qid,
				    &qfd));
	/* Nothing queued: nothing to read, nothing to poll. */
	ASSERT_EQ(0, q_read(qfd, rec, sizeof(rec)));
	ASSERT_EQ(0, q_poll(qfd, 0) & POLLIN);
	ASSERT_EQ(-1, write(qfd, &byte, 1));
	/* A device the vIOMMU does not know has no events for it. */
	mock_vevent(self->fd, self->dev.idev);
	ASSERT_EQ(0, q_read(qfd, rec, sizeof(rec)));
	ASSERT_EQ(ENOENT, mock_vevent(self->fd, NO_ID));

	ASSERT_EQ(0, vdevice_create(self->fd, self->viommu, self->dev.idev,
				    VIRT_A, &vdev));
	ASSERT_EQ(0, mock_vevent(self->fd, self->dev.idev));
	ASSERT_EQ(POLLIN, q_poll(qfd, 1000) & POLLIN);
	/* Too small for the first event: it stays. */
	ASSERT_EQ(-EINVAL, q_read(qfd, rec, HDR));
	ASSERT_EQ(-EINVAL, q_read(qfd, rec, EV - 1));
	memset(rec, 0xff, sizeof(rec));
	ASSERT_EQ(EV, q_read(qfd, rec, sizeof(rec)));
	ASSERT_EQ(0, rec[0].hdr.flags);
	ASSERT_EQ(0, rec[0].hdr.sequence);
	ASSERT_EQ(VIRT_A, rec[0].ev.virt_id);
	ASSERT_EQ(0, q_read(qfd, rec, sizeof(rec)));
	ASSERT_EQ(0, q_poll(qfd, 0) & POLLIN);

	/* Several in one read, whole events only, in order. */
	for (i = 0; i != 3; i++)
		ASSERT_EQ(0, mock_vevent(self->fd, self->dev.idev));
	ASSERT_EQ(2 * EV, q_read(qfd, raw, 2 * EV + EV / 2));
	memcpy(rec, raw, 2 * EV);
	ASSERT_EQ(1, rec[0].hdr.sequence);
	ASSERT_EQ(2, rec[1].hdr.sequence);
	ASSERT_EQ(VIRT_A, rec[1].ev.virt_id);
	ASSERT_EQ(0, rec[1].hdr.flags);
	ASSERT_EQ(-1, pread(qfd, rec, sizeof(rec), 8));
	ASSERT_EQ(ESPIPE, errno);
	ASSERT_EQ(EV, q_read(qfd, rec, sizeof(rec)));
	ASSERT_EQ(3, rec[0].hdr.sequence);

	/* A new guest ID shows in the events after it. */
	ASSERT_EQ(0, obj_destroy(self->fd, vdev));
	ASSERT_NE(0, mock_vevent(self->fd, self->dev.idev));
	ASSERT_EQ(0, q_read(qfd, rec, sizeof(rec)));
	ASSERT_EQ(0, vdevice_create(self->fd, self->viommu, self->dev.idev,
				    VIRT_B, &vdev));
	ASSERT_EQ(0, mock_vevent(self->fd, self->dev.idev));
	ASSERT_EQ(EV, q_read(qfd, rec, sizeof(rec)));
	ASSERT_EQ(VIRT_B, rec[0].ev.virt_id);
	ASSERT_EQ(4, rec[0].hdr.sequence);

	/* Unread events go with the queue; a new queue counts from 0. */
	ASSERT_EQ(0, mock_vevent(self->fd, self->dev.idev));
	close(qfd);
	ASSERT_EQ(0, obj_destroy(self->fd, qid));
	ASSERT_EQ(0, veventq_create(self->fd, self->viommu, Q_TYPE, 8, &qid,
				    &qfd));
	ASSERT_EQ(0, q_read(qfd, rec, sizeof(rec)));
	ASSERT_EQ(0, mock_vevent(self->fd, self->dev.idev));
	ASSERT_EQ(EV, q_read(qfd, rec, sizeof(rec)));
	ASSERT_EQ(0, rec[0].hdr.sequence);
	close(qfd);
}

/* A full queue drops events and says so after the last one kept. */
TEST_F(viommu, veventq_overflow)
{
	unsigned char raw[8 * EV];
	struct mock_vevent_rec rec[2];
	struct iommufd_vevent_header lost;
	uint32_t vdev, qid, i;
	int qfd;

	ASSERT_EQ(0, vdevice_create(self->fd, self->viommu, self->dev.idev,
				    VIRT_A, &vdev));
	ASSERT_EQ(0, veventq_create(self->fd, self->viommu, Q_TYPE, 2, &qid,
				    &qfd));
	/* Two kept, three dropped: the device does not notice. */
	for (i = 0; i != 5; i++)
		ASSERT_EQ(0, mock_vevent(self->fd, self->dev.idev));
	ASSERT_EQ(2 * EV + HDR, q_read(qfd, raw, sizeof(raw)));
	memcpy(rec, raw, 2 * EV);
	memcpy(&lost, raw + 2 * EV, HDR);
	ASSERT_EQ(0, rec[0].hdr.flags);
	ASSERT_EQ(0, rec[0].hdr.sequence);
	ASSERT_EQ(1, rec[1].hdr.sequence);
	ASSERT_EQ(VIRT_A, rec[1].ev.virt_id);
	ASSERT_EQ(IOMMU_VEVENTQ_FLAG_LOST_EVENTS, lost.flags);
	ASSERT_EQ(5, lost.sequence);
	ASSERT_EQ(0, q_read(qfd, raw, sizeof(raw)));
	/* The next event has the number the header announced. */
	ASSERT_EQ(0, mock_vevent(self->fd, self->dev.idev));
	ASSERT_EQ(EV, q_read(qfd, raw, sizeof(raw)));
	memcpy(rec, raw, EV);
	ASSERT_EQ(0, rec[0].hdr.flags);
	ASSERT_EQ(5, rec[0].hdr.sequence);

	/* Read a piece at a time: the header comes alone, last. */
	for (i = 0; i != 4; i++)
		ASSERT_EQ(0, mock_vevent(self->fd, self->dev.idev));
	ASSERT_EQ(EV, q_read(qfd, raw, EV + HDR - 1));
	memcpy(rec, raw, EV);
	ASSERT_EQ(6, rec[0].hdr.sequence);
	ASSERT_EQ(EV, q_read(qfd, raw, EV));
	memcpy(rec, raw, EV);
	ASSERT_EQ(7, rec[0].hdr.sequence);
	ASSERT_EQ(POLLIN, q_poll(qfd, 0) & POLLIN);
	ASSERT_EQ(HDR, q_read(qfd, raw, EV));
	memcpy(&lost, raw, HDR);
	ASSERT_EQ(IOMMU_VEVENTQ_FLAG_LOST_EVENTS, lost.flags);
	ASSERT_EQ(10, lost.sequence);
	ASSERT_EQ(0, q_poll(qfd, 0) & POLLIN);

	/* Room again after reading: a drop between kept events. */
	ASSERT_EQ(0, mock_vevent(self->fd, self->dev.idev));
	ASSERT_EQ(0, mock_vevent(self->fd, self->dev.idev));
	ASSERT_EQ(0, mock_vevent(self->fd, self->dev.idev));
	ASSERT_EQ(EV, q_read(qfd, raw, EV));
	ASSERT_EQ(0, mock_vevent(self->fd, self->dev.idev));
	ASSERT_EQ(2 * EV, q_read(qfd, raw, sizeof(raw)));
	memcpy(rec, raw, 2 * EV);
	ASSERT_EQ(11, rec[0].hdr.sequence);
	ASSERT_EQ(0, rec[0].hdr.flags);
	ASSERT_EQ(13, rec[1].hdr.sequence);
	ASSERT_EQ(0, rec[1].hdr.flags);
	close(qfd);
}

/* poll() wakes a sleeper, and a second iommufd sees nothing. */
TEST_F(viommu, veventq_poll_and_isolation)
{
	struct mock_dev_ids dev2;
	struct mock_vevent_rec rec[2];
	uint32_t ioas2, parent2, viommu2, vdev, vdev2, qid, qid2;
	int fd2, qfd, qfd2;
	pid_t pid;
	int status;

	fd2 = open("/dev/iommu", O_RDWR);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, ioas_create(fd2, &ioas2));
	ASSERT_EQ(0, mock_dev_add(fd2, ioas2, &dev2));
	ASSERT_EQ(0, hwpt_create(fd2, dev2.idev, ioas2,
				 IOMMU_HWPT_ALLOC_NEST_PARENT, &parent2));
	ASSERT_EQ(0, viommu_create(fd2, dev2.idev, parent2, V_TYPE, &viommu2));
	ASSERT_EQ(0, vdevice_create(fd2, viommu2, dev2.idev, VIRT_A, &vdev2));
	ASSERT_EQ(0, veventq_create(fd2, viommu2, Q_TYPE, 4, &qid2, &qfd2));
	ASSERT_EQ(0, vdevice_create(self->fd, self->viommu, self->dev.idev,
				    VIRT_A, &vdev));
	ASSERT_EQ(0, veventq_create(self->fd, self->viommu, Q_TYPE, 4, &qid,
				    &qfd));

	/* A child raises the event while this process sleeps in poll(). */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		usleep(200 * 1000);
		_exit(mock_vevent(self->fd, self->dev.idev));
	}
	ASSERT_EQ(POLLIN, q_poll(qfd, 5000) & POLLIN);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(EV, q_read(qfd, rec, sizeof(rec)));
	ASSERT_EQ(0, q_read(qfd2, rec, sizeof(rec)));

	/* The other file's event stays there; IDs do not cross files. */
	ASSERT_EQ(0, mock_vevent(fd2, dev2.idev));
	ASSERT_EQ(0, q_read(qfd, rec, sizeof(rec)));
	ASSERT_EQ(EV, q_read(qfd2, rec, sizeof(rec)));
	ASSERT_EQ(0, rec[0].hdr.sequence);
	ASSERT_EQ(VIRT_A, rec[0].ev.virt_id);

	/* The queue's file keeps its iommufd: close that first. */
	ASSERT_EQ(0, mock_vevent(fd2, dev2.idev));
	close(fd2);
	ASSERT_EQ(EV, q_read(qfd2, rec, sizeof(rec)));
	ASSERT_EQ(1, rec[0].hdr.sequence);
	ASSERT_EQ(0, q_read(qfd2, rec, sizeof(rec)));
	close(qfd2);
	close(qfd);
}

TEST_HARNESS_MAIN
