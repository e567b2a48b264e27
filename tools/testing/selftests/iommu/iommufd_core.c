// SPDX-License-Identifier: GPL-2.0
/*
 * Core behaviour of /dev/iommu (iommufd): the ioctl calling convention,
 * object lifetimes, IOAS mapping, unmapping and copying, IOVA allocation,
 * options and pinned-memory accounting.  Devices and IOMMU domains come
 * from the mock driver behind IOMMU_TEST_CMD (CONFIG_IOMMUFD_TEST).
 *
 * Every test frees what it creates; the harness runs each test in its own
 * child process.  The tests expect to run as root.
 */
#include <stddef.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "../kselftest_harness.h"
#include "iommufd_core_util.h"

#define BUF_PAGES 64

/* IOVAs the tests place fixed mappings at, all inside the mock aperture. */
#define IOVA_A 0x01000000ULL
#define IOVA_B 0x02000000ULL
#define IOVA_C 0x10000000ULL
#define IOVA_D 0x40000000ULL

#define PAGES(n) ((uint64_t)(n) * page_size)

static int dev_open(void)
{
	return open("/dev/iommu", O_RDWR);
}

/* True when [a, a + alen) and [b, b + blen) share an address. */
static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

/* ================================================================== */
/* Tests that need a file of their own                                */

TEST(objects_are_per_file)
{
	int a = dev_open(), b = dev_open();
	uint32_t id;

	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	ASSERT_EQ(0, ioas_create(a, &id));
	ASSERT_NE(0, id);
	/* b has no objects at all: a's ID means nothing there. */
	ASSERT_EQ(ENOENT, obj_destroy(b, id));
	ASSERT_EQ(0, obj_destroy(a, id));
	ASSERT_EQ(ENOENT, obj_destroy(a, id));
	close(b);
	close(a);
}

TEST(unknown_ioctls)
{
	uint64_t arg[16] = {};
	int fd = dev_open();

	ASSERT_LE(0, fd);
	arg_set_size(arg, sizeof(arg));
	ASSERT_EQ(ENOTTY, raw_ioctl(fd, _IO(IOMMUFD_TYPE, 0x7f), arg));
	ASSERT_EQ(ENOTTY, raw_ioctl(fd, _IO(IOMMUFD_TYPE, 0x97), arg));
	ASSERT_EQ(ENOTTY, raw_ioctl(fd, _IO(IOMMUFD_TYPE, 0x9f), arg));
	ASSERT_EQ(ENOTTY, raw_ioctl(fd, _IO(IOMMUFD_TYPE, 0xa1), arg));
	ASSERT_EQ(ENOTTY, raw_ioctl(fd, _IO(IOMMUFD_TYPE, 0xff), arg));
	/* A known number with the wrong type letter or direction bits. */
	ASSERT_EQ(ENOTTY, raw_ioctl(fd, _IO('x', IOMMUFD_CMD_IOAS_ALLOC), arg));
	ASSERT_EQ(ENOTTY, raw_ioctl(fd, _IOWR(IOMMUFD_TYPE,
					      IOMMUFD_CMD_IOAS_ALLOC,
					      struct iommu_ioas_alloc), arg));
	close(fd);
}

TEST(rlimit_mode_option)
{
	uint64_t val = 99;
	uint32_t ioas;
	int fd = dev_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ifd_option_get(fd, IOMMU_OPTION_RLIMIT_MODE, 0, &val));
	ASSERT_EQ(0, val);
	/* The option belongs to the file: no object ID allowed. */
	ASSERT_EQ(EOPNOTSUPP,
		  ifd_option_get(fd, IOMMU_OPTION_RLIMIT_MODE, 1, &val));
	ASSERT_EQ(EOPNOTSUPP,
		  ifd_option_set(fd, IOMMU_OPTION_RLIMIT_MODE, 1, 1));
	ASSERT_EQ(EOPNOTSUPP,
		  ifd_option(fd, IOMMU_OPTION_RLIMIT_MODE, 5, 0, 0, &val));
	ASSERT_EQ(EINVAL, ifd_option_set(fd, IOMMU_OPTION_RLIMIT_MODE, 0, 2));

	ASSERT_EQ(0, ifd_option_set(fd, IOMMU_OPTION_RLIMIT_MODE, 0, 1));
	ASSERT_EQ(0, ifd_option_get(fd, IOMMU_OPTION_RLIMIT_MODE, 0, &val));
	ASSERT_EQ(1, val);
	ASSERT_EQ(0, ifd_option_set(fd, IOMMU_OPTION_RLIMIT_MODE, 0, 0));
	ASSERT_EQ(0, ifd_option_get(fd, IOMMU_OPTION_RLIMIT_MODE, 0, &val));
	ASSERT_EQ(0, val);

	/* Frozen while the file owns objects, free again without them. */
	ASSERT_EQ(0, ioas_create(fd, &ioas));
	ASSERT_EQ(EBUSY, ifd_option_set(fd, IOMMU_OPTION_RLIMIT_MODE, 0, 1));
	ASSERT_EQ(0, ifd_option_get(fd, IOMMU_OPTION_RLIMIT_MODE, 0, &val));
	ASSERT_EQ(0, val);
	ASSERT_EQ(0, obj_destroy(fd, ioas));
	ASSERT_EQ(0, ifd_option_set(fd, IOMMU_OPTION_RLIMIT_MODE, 0, 1));
	ASSERT_EQ(0, ifd_option_get(fd, IOMMU_OPTION_RLIMIT_MODE, 0, &val));
	ASSERT_EQ(1, val);
	close(fd);
}

/* In per-process mode the pins show up as VmLck, not VmPin. */
TEST(rlimit_mode_process_charges_vmlck)
{
	size_t len = PAGES(16);
	long pin0, lck0;
	uint64_t iova, done;
	uint32_t ioas;
	void *buf;
	int fd = dev_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ifd_option_set(fd, IOMMU_OPTION_RLIMIT_MODE, 0, 1));
	ASSERT_EQ(0, ioas_create(fd, &ioas));
	ASSERT_EQ(0, ioas_give_domain(fd, ioas));
	buf = mem_get(len);
	ASSERT_NE(NULL, buf);

	pin0 = vm_pin_kb();
	lck0 = vm_lck_kb();
	ASSERT_LE(0, pin0);
	ASSERT_LE(0, lck0);
	ASSERT_EQ(0, ioas_map_auto(fd, ioas, buf, len, &iova));
	ASSERT_EQ(lck0 + pages_kb(16), vm_lck_kb());
	ASSERT_EQ(pin0, vm_pin_kb());
	ASSERT_EQ(0, ioas_unmap(fd, ioas, iova, len, &done));
	ASSERT_EQ(len, done);
	ASSERT_EQ(lck0, vm_lck_kb());
	ASSERT_EQ(pin0, vm_pin_kb());

	close(fd);
	mem_put(buf, len);
}

/*
 * Per-user mode with RLIMIT_MEMLOCK at zero: without CAP_IPC_LOCK no page
 * can be pinned, however much the user has locked elsewhere.
 */
TEST(rlimit_user_mode_enomem)
{
	size_t len = PAGES(16);
	struct rlimit rl;
	uint64_t iova;
	uint32_t ioas;
	long pin0;
	void *buf;
	int fd = dev_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioas_create(fd, &ioas));
	ASSERT_EQ(0, ioas_give_domain(fd, ioas));
	buf = mem_get(len);
	ASSERT_NE(NULL, buf);

	/* This test runs in a child of its own, so this does not leak. */
	if (give_up_ipc_lock()) {
		close(fd);
		mem_put(buf, len);
		SKIP(return, "cannot drop CAP_IPC_LOCK");
	}
	ASSERT_EQ(0, getrlimit(RLIMIT_MEMLOCK, &rl));
	rl.rlim_cur = 0;
	ASSERT_EQ(0, setrlimit(RLIMIT_MEMLOCK, &rl));

	pin0 = vm_pin_kb();
	ASSERT_EQ(ENOMEM, ioas_map_auto(fd, ioas, buf, len, &iova));
	ASSERT_EQ(ENOMEM, ioas_map_auto(fd, ioas, buf, page_size, &iova));
	ASSERT_EQ(pin0, vm_pin_kb());
	ASSERT_EQ(0, pin_refs_are(fd, buf, len, 0));

	close(fd);
	mem_put(buf, len);
}

/* Per-process mode: the limit is exact, counted in the process's VmLck. */
TEST(rlimit_process_mode_enomem)
{
	size_t len = PAGES(16);
	uint64_t iova1, iova2, done;
	struct rlimit rl;
	uint32_t ioas;
	long lck0;
	void *buf;
	int fd = dev_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ifd_option_set(fd, IOMMU_OPTION_RLIMIT_MODE, 0, 1));
	ASSERT_EQ(0, ioas_create(fd, &ioas));
	ASSERT_EQ(0, ioas_give_domain(fd, ioas));
	buf = mem_get(len);
	ASSERT_NE(NULL, buf);

	if (give_up_ipc_lock()) {
		close(fd);
		mem_put(buf, len);
		SKIP(return, "cannot drop CAP_IPC_LOCK");
	}
	lck0 = vm_lck_kb();
	ASSERT_LE(0, lck0);
	/* Room for exactly 8 more pages. */
	ASSERT_EQ(0, getrlimit(RLIMIT_MEMLOCK, &rl));
	rl.rlim_cur = (rlim_t)lck0 * 1024 + PAGES(8);
	ASSERT_EQ(0, setrlimit(RLIMIT_MEMLOCK, &rl));

	ASSERT_EQ(ENOMEM, ioas_map_auto(fd, ioas, buf, len, &iova1));
	ASSERT_EQ(lck0, vm_lck_kb());
	ASSERT_EQ(0, pin_refs_are(fd, buf, len, 0));

	ASSERT_EQ(0, ioas_map_auto(fd, ioas, buf, PAGES(6), &iova1));
	ASSERT_EQ(0, ioas_map_auto(fd, ioas, (char *)buf + PAGES(6), PAGES(2),
				   &iova2));
	ASSERT_EQ(lck0 + pages_kb(8), vm_lck_kb());
	ASSERT_EQ(ENOMEM, ioas_map_auto(fd, ioas, (char *)buf + PAGES(8),
					page_size, &iova2));
	ASSERT_EQ(0, pin_refs_are(fd, (char *)buf + PAGES(8), PAGES(8), 0));
	ASSERT_EQ(0, pin_refs_are(fd, buf, PAGES(8), 1));

	ASSERT_EQ(0, ioas_unmap_everything(fd, ioas, &done));
	ASSERT_EQ(PAGES(8), done);
	ASSERT_EQ(lck0, vm_lck_kb());

	close(fd);
	mem_put(buf, len);
}

/*
 * The charging identity a map records is shared by the maps that follow
 * from the same process with the same credentials; new credentials mean a
 * new identity.  Here the first page is mapped holding CAP_IPC_LOCK with a
 * limit of zero, and after the capability is dropped the next map of the
 * same IOAS must meet the limit.
 */
TEST(acct_identity_follows_credentials)
{
	size_t len = PAGES(2);
	struct rlimit rl;
	uint64_t iova, done;
	uint32_t ioas;
	long pin0;
	void *buf;
	int fd = dev_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioas_create(fd, &ioas));
	ASSERT_EQ(0, ioas_give_domain(fd, ioas));
	buf = mem_get(len);
	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, getrlimit(RLIMIT_MEMLOCK, &rl));
	rl.rlim_cur = 0;
	ASSERT_EQ(0, setrlimit(RLIMIT_MEMLOCK, &rl));
	pin0 = vm_pin_kb();

	/* Root holds CAP_IPC_LOCK: the limit does not apply. */
	ASSERT_EQ(0, ioas_map_auto(fd, ioas, buf, page_size, &iova));
	ASSERT_EQ(0, ioas_map_auto(fd, ioas, buf, page_size, &iova));
	ASSERT_EQ(pin0 + pages_kb(2), vm_pin_kb());

	if (give_up_ipc_lock()) {
		close(fd);
		mem_put(buf, len);
		SKIP(return, "cannot drop CAP_IPC_LOCK");
	}
	/* Each map is charged: now the limit holds, for any memory. */
	ASSERT_EQ(ENOMEM, ioas_map_auto(fd, ioas, buf, page_size, &iova));
	ASSERT_EQ(ENOMEM, ioas_map_auto(fd, ioas, (char *)buf + page_size,
					page_size, &iova));
	ASSERT_EQ(pin0 + pages_kb(2), vm_pin_kb());
	ASSERT_EQ(0, pin_refs_are(fd, (char *)buf + page_size, page_size, 0));

	ASSERT_EQ(0, ioas_unmap_everything(fd, ioas, &done));
	ASSERT_EQ(PAGES(2), done);
	ASSERT_EQ(pin0, vm_pin_kb());
	ASSERT_EQ(0, pin_refs_are(fd, buf, len, 0));
	close(fd);
	mem_put(buf, len);
}

/*
 * A child sharing the file maps its own copy of a page the parent mapped
 * first: the child's page is pinned and charged to the child, not the
 * parent's page to the parent, though the parent's map came just before.
 */
TEST(acct_identity_per_process)
{
	struct mock_dev_ids d;
	uint64_t iova, done;
	uint32_t ioas;
	int status;
	long pin0;
	pid_t pid;
	char *buf;
	int fd = dev_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioas_create(fd, &ioas));
	ASSERT_EQ(0, mock_dev_add(fd, ioas, &d));
	buf = mem_get(page_size);
	ASSERT_NE(NULL, buf);
	buf[0] = 'p';
	pin0 = vm_pin_kb();
	ASSERT_EQ(0, ioas_map_auto(fd, ioas, buf, page_size, &iova));
	ASSERT_EQ(pin0 + pages_kb(1), vm_pin_kb());
	ASSERT_EQ(0, ioas_unmap_everything(fd, ioas, &done));
	ASSERT_EQ(pin0, vm_pin_kb());

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		long cpin0 = vm_pin_kb();

		buf[0] = 'c';	/* the child's own page from here on */
		if (ioas_map_at(fd, ioas, buf, page_size, IOVA_A))
			_exit(1);
		if (vm_pin_kb() != cpin0 + pages_kb(1))
			_exit(2);
		if (pin_refs_are(fd, buf, page_size, 1))
			_exit(3);
		/* The domain maps the child's page, not the parent's. */
		if (mock_check_map(fd, d.hwpt, IOVA_A, page_size, buf))
			_exit(4);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));

	/* The parent's page was never pinned by the child's map. */
	ASSERT_EQ(0, pin_refs_are(fd, buf, page_size, 0));
	ASSERT_EQ(pin0, vm_pin_kb());
	ASSERT_EQ(0, ioas_unmap_everything(fd, ioas, &done));
	ASSERT_EQ(PAGES(1), done);
	close(fd);
	mem_put(buf, page_size);
}

/* Closing the file tears everything down, whatever state it is in. */
TEST(close_with_live_objects)
{
	struct mock_dev_ids d1, d2, d3;
	size_t len = PAGES(16);
	uint64_t iova, dst;
	uint32_t ioas1, ioas2, hwpt;
	long pin0;
	void *buf;
	int fd;

	buf = mem_get(len);
	ASSERT_NE(NULL, buf);
	pin0 = vm_pin_kb();
	ASSERT_LE(0, pin0);

	fd = dev_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioas_create(fd, &ioas1));
	ASSERT_EQ(0, ioas_create(fd, &ioas2));
	ASSERT_EQ(0, mock_dev_add(fd, ioas1, &d1));
	ASSERT_EQ(0, ioas_map_auto(fd, ioas1, buf, len, &iova));
	ASSERT_EQ(0, hwpt_create(fd, d1.idev, ioas1, 0, &hwpt));
	ASSERT_EQ(0, mock_dev_add(fd, hwpt, &d2));
	ASSERT_EQ(0, mock_dev_add(fd, ioas2, &d3));
	ASSERT_EQ(0, ioas_copy(fd, ioas2, ioas1, iova, len, &dst, MAP_RW));
	ASSERT_EQ(0, ioas_map_at(fd, ioas1, buf, PAGES(4), IOVA_D));
	ASSERT_EQ(0, mock_check_map(fd, hwpt, iova, len, buf));
	ASSERT_EQ(0, mock_check_map(fd, d3.hwpt, dst, len, buf));
	ASSERT_EQ(pin0 + pages_kb(20), vm_pin_kb());
	ASSERT_EQ(0, close(fd));

	ASSERT_EQ(pin0, vm_pin_kb());
	fd = dev_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pin_refs_are(fd, buf, len, 0));
	close(fd);
	mem_put(buf, len);
}

/* ================================================================== */
/* One file with one IOAS                                             */

/*
 * Pinning on demand: memory is pinned and charged once, whatever needs it
 * (two domains of one IOAS, a copy in another IOAS with its own domain, an
 * emulated device's pin), and let go by the last of them; what nothing
 * needs is not pinned, also while it stays mapped.
 */
TEST(pins_shared_once_until_the_last_user)
{
	size_t len = PAGES(16);
	struct mock_dev_ids d1, d3;
	uint64_t iova = IOVA_A, dst;
	uint32_t a, b, pin, hwpt2;
	long pin0;
	char *buf;
	int fd, afd;

	fd = dev_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioas_create(fd, &a));
	ASSERT_EQ(0, ioas_create(fd, &b));
	buf = mem_get(len);
	ASSERT_NE(NULL, buf);
	pin0 = vm_pin_kb();

	/* Mapped with no domain: nothing pinned. */
	ASSERT_EQ(0, ioas_map_at(fd, a, buf, len, iova));
	ASSERT_EQ(pin0, vm_pin_kb());
	ASSERT_EQ(0, pin_refs_are(fd, buf, len, 0));

	/* The first domain pins it all, a second one nothing more. */
	ASSERT_EQ(0, mock_dev_add(fd, a, &d1));
	ASSERT_EQ(pin0 + pages_kb(16), vm_pin_kb());
	ASSERT_EQ(0, hwpt_create(fd, d1.idev, a, 0, &hwpt2));
	ASSERT_EQ(pin0 + pages_kb(16), vm_pin_kb());
	ASSERT_EQ(0, pin_refs_are(fd, buf, len, 1));

	/* A copy into an IOAS with a domain of its own shares the pins. */
	ASSERT_EQ(0, mock_dev_add(fd, b, &d3));
	ASSERT_EQ(0, ioas_copy(fd, b, a, iova + PAGES(4), PAGES(4), &dst,
			       MAP_RW));
	ASSERT_EQ(pin0 + pages_kb(16), vm_pin_kb());
	ASSERT_EQ(0, pin_refs_are(fd, buf, len, 1));

	/* So does an emulated device's pin. */
	ASSERT_EQ(0, access_create(fd, a,
				   MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES,
				   &afd));
	ASSERT_EQ(0, access_pin(fd, afd, iova, PAGES(2), buf, 0, &pin));
	ASSERT_EQ(pin0 + pages_kb(16), vm_pin_kb());
	ASSERT_EQ(0, pin_refs_are(fd, buf, len, 1));

	/*
	 * The last domain of the IOAS goes: only what the copy and the access
	 * still need stays pinned.
	 */
	ASSERT_EQ(0, obj_destroy(fd, hwpt2));
	ASSERT_EQ(pin0 + pages_kb(16), vm_pin_kb());
	ASSERT_EQ(0, obj_destroy(fd, d1.stdev));
	ASSERT_EQ(pin0 + pages_kb(6), vm_pin_kb());
	ASSERT_EQ(0, pin_refs_are(fd, buf, PAGES(2), 1));
	ASSERT_EQ(0, pin_refs_are(fd, buf + PAGES(2), PAGES(2), 0));
	ASSERT_EQ(0, pin_refs_are(fd, buf + PAGES(4), PAGES(4), 1));
	ASSERT_EQ(0, pin_refs_are(fd, buf + PAGES(8), PAGES(8), 0));

	ASSERT_EQ(0, access_unpin(fd, afd, pin));
	ASSERT_EQ(pin0 + pages_kb(4), vm_pin_kb());
	/* A copy through the access pins only while it copies. */
	ASSERT_EQ(0, access_rw(fd, afd, iova + PAGES(10), buf, 64, 0));
	ASSERT_EQ(pin0 + pages_kb(4), vm_pin_kb());
	ASSERT_EQ(0, close(afd));

	ASSERT_EQ(0, ioas_unmap(fd, b, dst, PAGES(4), NULL));
	ASSERT_EQ(pin0, vm_pin_kb());
	ASSERT_EQ(0, pin_refs_are(fd, buf, len, 0));

	/* A domain attached again pins again, and close lets go of all. */
	ASSERT_EQ(0, mock_dev_add(fd, a, &d1));
	ASSERT_EQ(pin0 + pages_kb(16), vm_pin_kb());
	ASSERT_EQ(0, close(fd));
	ASSERT_EQ(pin0, vm_pin_kb());
	mem_put(buf, len);
}

FIXTURE(ioas)
{
	int fd;
	uint32_t ioas_id;
	void *buf;
	size_t buf_len;
};

FIXTURE_SETUP(ioas)
{
	self->fd = dev_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ioas_create(self->fd, &self->ioas_id));
	ASSERT_NE(0, self->ioas_id);
	self->buf_len = PAGES(BUF_PAGES);
	self->buf = mem_get(self->buf_len);
	ASSERT_NE(NULL, self->buf);
}

FIXTURE_TEARDOWN(ioas)
{
	if (self->ioas_id)
		obj_destroy(self->fd, self->ioas_id);
	close(self->fd);
	mem_put(self->buf, self->buf_len);
}

/* Each ioctl with its first-version size and the kernel's struct size. */
struct ioctl_sizes {
	const char *name;
	unsigned long req;
	uint32_t min;
	uint32_t full;
};

/* _min: the size of the command's first version, up to its last field. */
#define SIZES(_req, _type, _min) { #_req, _req, _min, sizeof(_type) }

static const struct ioctl_sizes all_sizes[] = {
	SIZES(IOMMU_DESTROY, struct iommu_destroy,
	      sizeof(struct iommu_destroy)),
	SIZES(IOMMU_IOAS_ALLOC, struct iommu_ioas_alloc,
	      sizeof(struct iommu_ioas_alloc)),
	SIZES(IOMMU_IOAS_ALLOW_IOVAS, struct iommu_ioas_allow_iovas,
	      sizeof(struct iommu_ioas_allow_iovas)),
	SIZES(IOMMU_IOAS_COPY, struct iommu_ioas_copy,
	      sizeof(struct iommu_ioas_copy)),
	SIZES(IOMMU_IOAS_IOVA_RANGES, struct iommu_ioas_iova_ranges,
	      sizeof(struct iommu_ioas_iova_ranges)),
	SIZES(IOMMU_IOAS_MAP, struct iommu_ioas_map,
	      sizeof(struct iommu_ioas_map)),
	SIZES(IOMMU_IOAS_UNMAP, struct iommu_ioas_unmap,
	      sizeof(struct iommu_ioas_unmap)),
	SIZES(IOMMU_OPTION, struct iommu_option,
	      sizeof(struct iommu_option)),
	SIZES(IOMMU_VFIO_IOAS, struct iommu_vfio_ioas,
	      sizeof(struct iommu_vfio_ioas)),
	SIZES(IOMMU_HWPT_ALLOC, struct iommu_hwpt_alloc,
	      offsetof(struct iommu_hwpt_alloc, data_type)),
	SIZES(IOMMU_TEST_CMD, struct iommu_test_cmd,
	      offsetof(struct iommu_test_cmd, last) + sizeof(__u32)),
};

TEST_F(ioas, size_below_minimum)
{
	uint64_t arg[32];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(all_sizes); i++) {
		const struct ioctl_sizes *s = &all_sizes[i];
		uint32_t sizes[] = { 0, 4, s->min - 1 };
		unsigned int j;

		for (j = 0; j < 3; j++) {
			int rc;

			if (sizes[j] >= s->min)
				continue;
			memset(arg, 0, sizeof(arg));
			arg_set_size(arg, sizes[j]);
			rc = raw_ioctl(self->fd, s->req, arg);
			if (rc != EINVAL)
				TH_LOG("%s with size %u gave %d", s->name,
				       sizes[j], rc);
			ASSERT_EQ(EINVAL, rc);
		}
	}
}

TEST_F(ioas, size_above_with_garbage)
{
	uint64_t arg[32];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(all_sizes); i++) {
		const struct ioctl_sizes *s = &all_sizes[i];
		uint32_t extra[] = { 0, 7, 40 };
		unsigned int j;

		ASSERT_GE(sizeof(arg), s->full + 48);
		for (j = 0; j < 3; j++) {
			int rc;

			memset(arg, 0, sizeof(arg));
			arg_set_size(arg, s->full + 48);
			((uint8_t *)arg)[s->full + extra[j]] = 0x01;
			rc = raw_ioctl(self->fd, s->req, arg);
			if (rc != E2BIG)
				TH_LOG("%s with a dirty byte at %u gave %d",
				       s->name, s->full + extra[j], rc);
			ASSERT_EQ(E2BIG, rc);
		}
	}
}

TEST_F(ioas, size_above_with_zeroes)
{
	union {
		struct iommu_ioas_alloc alloc;
		struct iommu_option opt;
		struct iommu_ioas_map map;
		struct iommu_destroy destroy;
		uint64_t raw[16];
	} arg;
	uint64_t done;
	uint32_t id;

	memset(&arg, 0, sizeof(arg));
	arg.alloc.size = sizeof(arg.alloc) + 20;
	ASSERT_EQ(0, raw_ioctl(self->fd, IOMMU_IOAS_ALLOC, &arg));
	id = arg.alloc.out_ioas_id;
	ASSERT_NE(0, id);
	ASSERT_NE(self->ioas_id, id);

	memset(&arg, 0, sizeof(arg));
	arg.opt.size = sizeof(arg.opt) + 32;
	arg.opt.option_id = IOMMU_OPTION_HUGE_PAGES;
	arg.opt.op = IOMMU_OPTION_OP_GET;
	arg.opt.object_id = id;
	ASSERT_EQ(0, raw_ioctl(self->fd, IOMMU_OPTION, &arg));
	ASSERT_EQ(1, arg.opt.val64);

	memset(&arg, 0, sizeof(arg));
	arg.map.size = sizeof(arg.map) + 8;
	arg.map.flags = MAP_RW;
	arg.map.ioas_id = id;
	arg.map.user_va = ptr_u64(self->buf);
	arg.map.length = PAGES(2);
	ASSERT_EQ(0, raw_ioctl(self->fd, IOMMU_IOAS_MAP, &arg));
	ASSERT_NE(0, arg.map.iova);
	ASSERT_EQ(0, ioas_unmap(self->fd, id, arg.map.iova, PAGES(2), &done));
	ASSERT_EQ(PAGES(2), done);

	memset(&arg, 0, sizeof(arg));
	arg.destroy.size = sizeof(arg.destroy) + 16;
	arg.destroy.id = id;
	ASSERT_EQ(0, raw_ioctl(self->fd, IOMMU_DESTROY, &arg));
	ASSERT_EQ(ENOENT, obj_destroy(self->fd, id));
}

TEST_F(ioas, bad_user_pointers)
{
	struct iommu_ioas_map *tail;
	struct iommu_ioas_alloc *ro;
	uint32_t num = 1;
	char *pg;

	ASSERT_EQ(EFAULT, raw_ioctl(self->fd, IOMMU_IOAS_ALLOC, NULL));
	ASSERT_EQ(EFAULT, raw_ioctl(self->fd, IOMMU_DESTROY, NULL));

	/* Two pages: a readable one followed by an inaccessible one. */
	pg = mmap(NULL, PAGES(2), PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, pg);
	memset(pg, 0, PAGES(2));
	ASSERT_EQ(0, mprotect(pg + page_size, page_size, PROT_NONE));

	ASSERT_EQ(EFAULT, raw_ioctl(self->fd, IOMMU_IOAS_MAP, pg + page_size));

	/* The size is readable, the rest of the struct is not. */
	tail = (struct iommu_ioas_map *)(pg + page_size - 8);
	tail->size = sizeof(*tail);
	ASSERT_EQ(EFAULT, raw_ioctl(self->fd, IOMMU_IOAS_MAP, tail));

	/* Arrays the kernel reads or fills. */
	ASSERT_EQ(EFAULT, ioas_ranges(self->fd, self->ioas_id,
				      (void *)(pg + page_size), &num, NULL));
	ASSERT_EQ(EFAULT, ioas_allow(self->fd, self->ioas_id,
				     (void *)(pg + page_size), 1));

	/* Readable but not writable: the reply cannot be stored. */
	ro = (struct iommu_ioas_alloc *)pg;
	ro->size = sizeof(*ro);
	ro->flags = 0;
	ASSERT_EQ(0, mprotect(pg, page_size, PROT_READ));
	ASSERT_EQ(EFAULT, raw_ioctl(self->fd, IOMMU_IOAS_ALLOC, ro));

	munmap(pg, PAGES(2));
}

TEST_F(ioas, reserved_fields)
{
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = MAP_RW,
		.ioas_id = self->ioas_id,
		.__reserved = 1,
		.user_va = ptr_u64(self->buf),
		.length = page_size,
	};
	struct iommu_iova_range range;
	struct iommu_ioas_iova_ranges ranges = {
		.size = sizeof(ranges),
		.ioas_id = self->ioas_id,
		.num_iovas = 1,
		.__reserved = 1,
		.allowed_iovas = ptr_u64(&range),
	};
	struct iommu_ioas_allow_iovas allow = {
		.size = sizeof(allow),
		.ioas_id = self->ioas_id,
		.__reserved = 1,
	};
	struct iommu_option opt = {
		.size = sizeof(opt),
		.option_id = IOMMU_OPTION_HUGE_PAGES,
		.op = IOMMU_OPTION_OP_GET,
		.__reserved = 1,
		.object_id = self->ioas_id,
	};
	struct iommu_vfio_ioas vfio = {
		.size = sizeof(vfio),
		.ioas_id = self->ioas_id,
		.op = IOMMU_VFIO_IOAS_SET,
		.__reserved = 1,
	};
	struct iommu_hwpt_alloc hwpt = {
		.size = sizeof(hwpt),
		.pt_id = self->ioas_id,
		.__reserved = 1,
	};

	ASSERT_EQ(EOPNOTSUPP, raw_ioctl(self->fd, IOMMU_IOAS_MAP, &map));
	ASSERT_EQ(EOPNOTSUPP, raw_ioctl(self->fd, IOMMU_IOAS_IOVA_RANGES,
					&ranges));
	ASSERT_EQ(EOPNOTSUPP, raw_ioctl(self->fd, IOMMU_IOAS_ALLOW_IOVAS,
					&allow));
	ASSERT_EQ(EOPNOTSUPP, raw_ioctl(self->fd, IOMMU_OPTION, &opt));
	ASSERT_EQ(EOPNOTSUPP, raw_ioctl(self->fd, IOMMU_VFIO_IOAS, &vfio));
	ASSERT_EQ(EOPNOTSUPP, raw_ioctl(self->fd, IOMMU_HWPT_ALLOC, &hwpt));
	/* None of them did anything. */
	ASSERT_EQ(ENODEV, ifd_vfio_ioas(self->fd, IOMMU_VFIO_IOAS_GET, NULL));
	ASSERT_EQ(ENOENT, ioas_unmap(self->fd, self->ioas_id, 0, UINT64_MAX - 1,
				     NULL));
}

TEST_F(ioas, destroy_errors)
{
	uint32_t other;

	ASSERT_EQ(ENOENT, obj_destroy(self->fd, 0));
	ASSERT_EQ(ENOENT, obj_destroy(self->fd, 0x7fffffff));
	ASSERT_EQ(ENOENT, obj_destroy(self->fd, UINT32_MAX));
	ASSERT_EQ(0, ioas_create(self->fd, &other));
	ASSERT_EQ(0, obj_destroy(self->fd, other));
	ASSERT_EQ(ENOENT, obj_destroy(self->fd, other));
	/* An IOAS with mappings can go: it owns them. */
	ASSERT_EQ(0, ioas_create(self->fd, &other));
	ASSERT_EQ(0, ioas_map_at(self->fd, other, self->buf, PAGES(4), IOVA_A));
	ASSERT_EQ(0, obj_destroy(self->fd, other));
	ASSERT_EQ(0, pin_refs_are(self->fd, self->buf, PAGES(4), 0));
}

TEST_F(ioas, ioas_alloc_flags)
{
	struct iommu_ioas_alloc a = { .size = sizeof(a), .flags = 1 };
	uint32_t ids[3];
	unsigned int i;

	ASSERT_EQ(EOPNOTSUPP, raw_ioctl(self->fd, IOMMU_IOAS_ALLOC, &a));
	a.flags = 1U << 31;
	ASSERT_EQ(EOPNOTSUPP, raw_ioctl(self->fd, IOMMU_IOAS_ALLOC, &a));

	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, ioas_create(self->fd, &ids[i]));
		ASSERT_NE(0, ids[i]);
		ASSERT_NE(self->ioas_id, ids[i]);
	}
	ASSERT_NE(ids[0], ids[1]);
	ASSERT_NE(ids[1], ids[2]);
	ASSERT_NE(ids[0], ids[2]);
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, obj_destroy(self->fd, ids[i]));
}

TEST_F(ioas, map_flag_validation)
{
	uint64_t iova, done;

	ASSERT_EQ(EINVAL, ioas_map_flags(self->fd, self->ioas_id, self->buf,
					 page_size, &iova, 0));
	iova = IOVA_A;
	ASSERT_EQ(EINVAL, ioas_map_flags(self->fd, self->ioas_id, self->buf,
					 page_size, &iova,
					 IOMMU_IOAS_MAP_FIXED_IOVA));
	ASSERT_EQ(EOPNOTSUPP, ioas_map_flags(self->fd, self->ioas_id,
					     self->buf, page_size, &iova,
					     MAP_RW | (1U << 3)));
	ASSERT_EQ(EOPNOTSUPP, ioas_map_flags(self->fd, self->ioas_id,
					     self->buf, page_size, &iova,
					     MAP_RW | (1U << 31)));

	ASSERT_EQ(0, ioas_map_flags(self->fd, self->ioas_id, self->buf,
				    page_size, &iova,
				    IOMMU_IOAS_MAP_READABLE));
	ASSERT_EQ(0, ioas_map_flags(self->fd, self->ioas_id, self->buf,
				    page_size, &iova,
				    IOMMU_IOAS_MAP_WRITEABLE));
	ASSERT_EQ(0, ioas_unmap_everything(self->fd, self->ioas_id, &done));
	ASSERT_EQ(PAGES(2), done);
	/* Unknown IOAS. */
	ASSERT_EQ(ENOENT, ioas_map_auto(self->fd, 0x7fffffff, self->buf,
					page_size, &iova));
}

TEST_F(ioas, map_zero_length)
{
	uint64_t iova = IOVA_A;

	ASSERT_EQ(EINVAL, ioas_map_auto(self->fd, self->ioas_id, self->buf, 0,
					&iova));
	ASSERT_EQ(EINVAL, ioas_map_at(self->fd, self->ioas_id, self->buf, 0,
				      IOVA_A));
}

TEST_F(ioas, map_overflow)
{
	const void *top = (const void *)(uintptr_t)(UINT64_MAX - page_size + 1);
	uint64_t iova = 0;

	ASSERT_EQ(EOVERFLOW, ioas_map_auto(self->fd, self->ioas_id, self->buf,
					   UINT64_MAX, &iova));
	ASSERT_EQ(EOVERFLOW, ioas_map_at(self->fd, self->ioas_id, self->buf,
					 page_size, UINT64_MAX));
	ASSERT_EQ(EOVERFLOW, ioas_map_auto(self->fd, self->ioas_id,
					   (const void *)(uintptr_t)UINT64_MAX,
					   page_size, &iova));
	/* Ranges that wrap around the top of the address space. */
	ASSERT_EQ(EOVERFLOW, ioas_map_auto(self->fd, self->ioas_id, top,
					   PAGES(2), &iova));
	ASSERT_EQ(EOVERFLOW, ioas_map_at(self->fd, self->ioas_id, self->buf,
					 PAGES(2),
					 UINT64_MAX - page_size + 1));
	ASSERT_EQ(0, pin_refs_are(self->fd, self->buf, PAGES(2), 0));
}

TEST_F(ioas, map_fixed_overlap)
{
	uint64_t done;

	ASSERT_EQ(0, ioas_map_at(self->fd, self->ioas_id, self->buf, PAGES(4),
				 IOVA_A));
	ASSERT_EQ(EEXIST, ioas_map_at(self->fd, self->ioas_id, self->buf,
				      PAGES(4), IOVA_A));
	ASSERT_EQ(EEXIST, ioas_map_at(self->fd, self->ioas_id, self->buf,
				      page_size, IOVA_A + PAGES(3)));
	ASSERT_EQ(EEXIST, ioas_map_at(self->fd, self->ioas_id, self->buf,
				      PAGES(2), IOVA_A - page_size));
	ASSERT_EQ(EEXIST, ioas_map_at(self->fd, self->ioas_id, self->buf,
				      PAGES(8), IOVA_A - PAGES(2)));
	/* Touching on either side is fine. */
	ASSERT_EQ(0, ioas_map_at(self->fd, self->ioas_id, self->buf, PAGES(2),
				 IOVA_A - PAGES(2)));
	ASSERT_EQ(0, ioas_map_at(self->fd, self->ioas_id, self->buf, PAGES(2),
				 IOVA_A + PAGES(4)));
	ASSERT_EQ(0, ioas_unmap_everything(self->fd, self->ioas_id, &done));
	ASSERT_EQ(PAGES(8), done);
}

TEST_F(ioas, map_fixed_reserved)
{
	uint64_t r = IOVA_B, done;

	ASSERT_EQ(EINVAL, reserve_iova(self->fd, self->ioas_id, r, 0));
	ASSERT_EQ(ENOENT, reserve_iova(self->fd, 0x7fffffff, r, page_size));
	ASSERT_EQ(0, reserve_iova(self->fd, self->ioas_id, r, PAGES(4)));

	ASSERT_EQ(EINVAL, ioas_map_at(self->fd, self->ioas_id, self->buf,
				      page_size, r));
	ASSERT_EQ(EINVAL, ioas_map_at(self->fd, self->ioas_id, self->buf,
				      PAGES(2), r - page_size));
	ASSERT_EQ(EINVAL, ioas_map_at(self->fd, self->ioas_id, self->buf,
				      PAGES(2), r + PAGES(3)));
	ASSERT_EQ(0, pin_refs_are(self->fd, self->buf, PAGES(2), 0));

	ASSERT_EQ(0, ioas_map_at(self->fd, self->ioas_id, self->buf, page_size,
				 r - page_size));
	ASSERT_EQ(0, ioas_map_at(self->fd, self->ioas_id, self->buf, page_size,
				 r + PAGES(4)));
	/* A mapped range cannot become reserved. */
	ASSERT_EQ(EADDRINUSE, reserve_iova(self->fd, self->ioas_id,
					   r + PAGES(4), page_size));
	ASSERT_EQ(0, ioas_unmap_everything(self->fd, self->ioas_id, &done));
	ASSERT_EQ(PAGES(2), done);
}

TEST_F(ioas, map_unbacked_memory)
{
	uint64_t iova = 0;
	long pin0 = vm_pin_kb();
	char *none, *gone, *half;

	ASSERT_LE(0, pin0);
	ASSERT_EQ(0, ioas_give_domain(self->fd, self->ioas_id));
	none = mmap(NULL, PAGES(4), PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		    -1, 0);
	ASSERT_NE(MAP_FAILED, none);
	ASSERT_EQ(EFAULT, ioas_map_auto(self->fd, self->ioas_id, none,
					PAGES(4), &iova));
	ASSERT_EQ(EFAULT, ioas_map_at(self->fd, self->ioas_id, none, PAGES(4),
				      IOVA_A));
	munmap(none, PAGES(4));

	gone = mmap(NULL, PAGES(4), PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, gone);
	munmap(gone, PAGES(4));
	ASSERT_EQ(EFAULT, ioas_map_auto(self->fd, self->ioas_id, gone,
					PAGES(4), &iova));

	/* The first half can be pinned, the second cannot. */
	half = mem_get(PAGES(8));
	ASSERT_NE(NULL, half);
	ASSERT_EQ(0, mprotect(half + PAGES(4), PAGES(4), PROT_NONE));
	ASSERT_EQ(EFAULT, ioas_map_auto(self->fd, self->ioas_id, half,
					PAGES(8), &iova));
	ASSERT_EQ(0, pin_refs_are(self->fd, half, PAGES(4), 0));
	mem_put(half, PAGES(8));

	ASSERT_EQ(pin0, vm_pin_kb());
	ASSERT_EQ(0, ioas_unmap_everything(self->fd, self->ioas_id, &iova));
	ASSERT_EQ(0, iova);
}

TEST_F(ioas, map_readonly_memory)
{
	uint64_t iova = 0, done;
	long pin0 = vm_pin_kb();
	char *ro;
	int rc;

	ASSERT_EQ(0, ioas_give_domain(self->fd, self->ioas_id));
	ro = mem_get(PAGES(4));
	ASSERT_NE(NULL, ro);
	ASSERT_EQ(0, mprotect(ro, PAGES(4), PROT_READ));

	rc = ioas_map_flags(self->fd, self->ioas_id, ro, PAGES(4), &iova,
			    IOMMU_IOAS_MAP_WRITEABLE);
	ASSERT_TRUE(rc == EFAULT || rc == EPERM);
	rc = ioas_map_auto(self->fd, self->ioas_id, ro, PAGES(4), &iova);
	ASSERT_TRUE(rc == EFAULT || rc == EPERM);
	ASSERT_EQ(pin0, vm_pin_kb());

	ASSERT_EQ(0, ioas_map_flags(self->fd, self->ioas_id, ro, PAGES(4),
				    &iova, IOMMU_IOAS_MAP_READABLE));
	ASSERT_EQ(pin0 + pages_kb(4), vm_pin_kb());
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, iova, PAGES(4),
				&done));
	ASSERT_EQ(PAGES(4), done);
	ASSERT_EQ(pin0, vm_pin_kb());
	mem_put(ro, PAGES(4));
}

TEST_F(ioas, auto_iova_basic)
{
	uint64_t iova[8], done;
	unsigned int i, j;

	for (i = 0; i < 8; i++) {
		ASSERT_EQ(0, ioas_map_auto(self->fd, self->ioas_id,
					   (char *)self->buf + PAGES(4 * i),
					   PAGES(4), &iova[i]));
		ASSERT_NE(0, iova[i]);
		ASSERT_EQ(0, iova[i] % page_size);
		for (j = 0; j < i; j++)
			ASSERT_FALSE(overlaps(iova[i], PAGES(4), iova[j],
					      PAGES(4)));
	}
	/* The same memory again gets an IOVA of its own. */
	ASSERT_EQ(0, ioas_map_auto(self->fd, self->ioas_id, self->buf,
				   PAGES(4), &iova[0]));
	for (j = 1; j < 8; j++)
		ASSERT_FALSE(overlaps(iova[0], PAGES(4), iova[j], PAGES(4)));
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, iova[0], PAGES(4),
				&done));
	ASSERT_EQ(PAGES(4), done);

	for (i = 1; i < 8; i++) {
		ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, iova[i],
					PAGES(4), &done));
		ASSERT_EQ(PAGES(4), done);
	}
	ASSERT_EQ(0, ioas_unmap_everything(self->fd, self->ioas_id, &done));
	ASSERT_EQ(PAGES(4), done);
}

TEST_F(ioas, auto_iova_alignment)
{
	static const unsigned int lens[] = { 1, 2, 4, 8, 16, 32 };
	const uint64_t align = PAGES(16);
	struct exact_mem mem;
	uint64_t iova, done, total = 0;
	unsigned int i;

	ASSERT_EQ(0, exact_mem_get(&mem, PAGES(32), align));
	ASSERT_EQ(align, low_bit(ptr_u64(mem.ptr)));

	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		uint64_t len = PAGES(lens[i]);
		uint64_t want = len < align ? len : align;

		ASSERT_EQ(0, ioas_map_auto(self->fd, self->ioas_id, mem.ptr,
					   len, &iova));
		ASSERT_NE(0, iova);
		if (iova % want)
			TH_LOG("len %#llx got iova %#llx",
			       (unsigned long long)len,
			       (unsigned long long)iova);
		ASSERT_EQ(0, iova % want);
		total += len;
	}

	/* Memory only 2-page aligned gets at most 2-page alignment. */
	ASSERT_EQ(PAGES(2), low_bit(ptr_u64(mem.ptr) + PAGES(2)));
	ASSERT_EQ(0, ioas_map_auto(self->fd, self->ioas_id,
				   (char *)mem.ptr + PAGES(2), PAGES(8),
				   &iova));
	ASSERT_EQ(0, iova % PAGES(2));
	total += PAGES(8);

	ASSERT_EQ(0, ioas_unmap_everything(self->fd, self->ioas_id, &done));
	ASSERT_EQ(total, done);
	exact_mem_put(&mem);
}

TEST_F(ioas, auto_iova_subpage_offset)
{
	long pin0 = vm_pin_kb();
	uint64_t iova, done;
	char *va;

	/* Without a domain nothing is pinned, however the map is cut. */
	va = (char *)self->buf + 100;
	ASSERT_EQ(0, ioas_map_auto(self->fd, self->ioas_id, va, 200, &iova));
	ASSERT_EQ(100, iova % page_size);
	ASSERT_EQ(pin0, vm_pin_kb());
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, iova, 200, &done));
	ASSERT_EQ(200, done);

	va = (char *)self->buf + PAGES(3) - 8;
	ASSERT_EQ(0, ioas_map_auto(self->fd, self->ioas_id, va, 16, &iova));
	ASSERT_EQ(page_size - 8, iova % page_size);
	ASSERT_EQ(pin0, vm_pin_kb());
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, iova, 16, &done));
	ASSERT_EQ(16, done);
	ASSERT_EQ(pin0, vm_pin_kb());
}

TEST_F(ioas, auto_iova_avoids_reserved)
{
	const uint64_t lo = 256ULL << 20, gap = PAGES(8), hi = 1ULL << 30;
	struct iommu_iova_range r[4];
	uint32_t num = 4;
	uint64_t iova[6], done, align;
	unsigned int i;

	ASSERT_EQ(0, reserve_iova(self->fd, self->ioas_id, 0, lo));
	ASSERT_EQ(0, reserve_iova(self->fd, self->ioas_id, lo + gap,
				  hi - lo - gap));
	ASSERT_EQ(0, ioas_ranges(self->fd, self->ioas_id, r, &num, &align));
	ASSERT_EQ(2, num);
	ASSERT_EQ(lo, r[0].start);
	ASSERT_EQ(lo + gap - 1, r[0].last);
	ASSERT_EQ(hi, r[1].start);
	ASSERT_EQ(UINT64_MAX, r[1].last);

	for (i = 0; i < 6; i++) {
		ASSERT_EQ(0, ioas_map_auto(self->fd, self->ioas_id,
					   (char *)self->buf + PAGES(4 * i),
					   PAGES(4), &iova[i]));
		ASSERT_FALSE(overlaps(iova[i], PAGES(4), 0, lo));
		ASSERT_FALSE(overlaps(iova[i], PAGES(4), lo + gap,
				      hi - lo - gap));
	}
	ASSERT_EQ(0, ioas_unmap_everything(self->fd, self->ioas_id, &done));
	ASSERT_EQ(PAGES(24), done);
}

TEST_F(ioas, pin_accounting)
{
	uint32_t other;
	uint64_t iova, dst, done;
	long pin0 = vm_pin_kb();

	ASSERT_LE(0, pin0);
	ASSERT_EQ(0, ioas_create(self->fd, &other));
	ASSERT_EQ(0, ioas_give_domain(self->fd, self->ioas_id));
	ASSERT_EQ(0, ioas_give_domain(self->fd, other));
	ASSERT_EQ(0, ioas_map_auto(self->fd, self->ioas_id, self->buf,
				   PAGES(16), &iova));
	ASSERT_EQ(pin0 + pages_kb(16), vm_pin_kb());

	/* A copy shares the pinned pages: no new charge. */
	ASSERT_EQ(0, ioas_copy(self->fd, other, self->ioas_id, iova,
			       PAGES(16), &dst, MAP_RW));
	ASSERT_EQ(pin0 + pages_kb(16), vm_pin_kb());
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, iova, PAGES(16),
				&done));
	ASSERT_EQ(pin0 + pages_kb(16), vm_pin_kb());
	ASSERT_EQ(0, ioas_unmap(self->fd, other, dst, PAGES(16), &done));
	ASSERT_EQ(pin0, vm_pin_kb());

	/*
	 * An IOAS a device is attached to cannot be destroyed; unmapping
	 * everything releases the pins.
	 */
	ASSERT_EQ(0, ioas_map_auto(self->fd, other, self->buf, PAGES(16),
				   &iova));
	ASSERT_EQ(pin0 + pages_kb(16), vm_pin_kb());
	ASSERT_EQ(EBUSY, obj_destroy(self->fd, other));
	ASSERT_EQ(0, ioas_unmap_everything(self->fd, other, &done));
	ASSERT_EQ(pin0, vm_pin_kb());
}

TEST_F(ioas, unmap_all)
{
	uint64_t iova, done = 1234;

	ASSERT_EQ(0, ioas_unmap_everything(self->fd, self->ioas_id, &done));
	ASSERT_EQ(0, done);

	ASSERT_EQ(0, ioas_map_auto(self->fd, self->ioas_id, self->buf,
				   page_size, &iova));
	ASSERT_EQ(0, ioas_map_auto(self->fd, self->ioas_id, self->buf,
				   PAGES(2), &iova));
	ASSERT_EQ(0, ioas_map_at(self->fd, self->ioas_id, self->buf, PAGES(4),
				 IOVA_D));
	ASSERT_EQ(0, ioas_unmap_everything(self->fd, self->ioas_id, &done));
	ASSERT_EQ(PAGES(7), done);
	ASSERT_EQ(0, pin_refs_are(self->fd, self->buf, PAGES(4), 0));

	ASSERT_EQ(0, ioas_unmap_everything(self->fd, self->ioas_id, &done));
	ASSERT_EQ(0, done);
}

TEST_F(ioas, unmap_cut_area)
{
	const uint64_t x = IOVA_B;
	uint64_t done;

	ASSERT_EQ(0, ioas_give_domain(self->fd, self->ioas_id));
	ASSERT_EQ(0, ioas_map_at(self->fd, self->ioas_id, self->buf, PAGES(4),
				 x));
	ASSERT_EQ(ENOENT, ioas_unmap(self->fd, self->ioas_id, x, page_size,
				     NULL));
	ASSERT_EQ(ENOENT, ioas_unmap(self->fd, self->ioas_id, x + page_size,
				     PAGES(3), NULL));
	ASSERT_EQ(ENOENT, ioas_unmap(self->fd, self->ioas_id, x - page_size,
				     PAGES(2), NULL));
	ASSERT_EQ(ENOENT, ioas_unmap(self->fd, self->ioas_id, x + PAGES(3),
				     PAGES(2), NULL));

	/* One whole area and one cut one: nothing at all is unmapped. */
	ASSERT_EQ(0, ioas_map_at(self->fd, self->ioas_id, self->buf, PAGES(4),
				 x + PAGES(8)));
	ASSERT_EQ(ENOENT, ioas_unmap(self->fd, self->ioas_id, x, PAGES(10),
				     NULL));
	ASSERT_EQ(EEXIST, ioas_map_at(self->fd, self->ioas_id, self->buf,
				      page_size, x));
	ASSERT_EQ(0, pin_refs_are(self->fd, self->buf, PAGES(4), 2));

	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, x, PAGES(12), &done));
	ASSERT_EQ(PAGES(8), done);
	ASSERT_EQ(0, pin_refs_are(self->fd, self->buf, PAGES(4), 0));
}

TEST_F(ioas, unmap_errors)
{
	ASSERT_EQ(ENOENT, ioas_unmap(self->fd, self->ioas_id, IOVA_C,
				     page_size, NULL));
	ASSERT_EQ(0, ioas_map_at(self->fd, self->ioas_id, self->buf, page_size,
				 IOVA_C));
	ASSERT_EQ(ENOENT, ioas_unmap(self->fd, self->ioas_id,
				     IOVA_C + page_size, PAGES(8), NULL));
	ASSERT_EQ(EINVAL, ioas_unmap(self->fd, self->ioas_id, IOVA_C, 0, NULL));
	ASSERT_EQ(EOVERFLOW, ioas_unmap(self->fd, self->ioas_id, UINT64_MAX,
					1, NULL));
	ASSERT_EQ(EOVERFLOW, ioas_unmap(self->fd, self->ioas_id, 1,
					UINT64_MAX, NULL));
	ASSERT_EQ(EOVERFLOW, ioas_unmap(self->fd, self->ioas_id,
					UINT64_MAX - page_size + 1, PAGES(2),
					NULL));
	ASSERT_EQ(ENOENT, ioas_unmap(self->fd, 0x7fffffff, IOVA_C, page_size,
				     NULL));
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, IOVA_C, page_size,
				NULL));
}

TEST_F(ioas, unmap_several_areas)
{
	const uint64_t x = IOVA_B;
	uint64_t done;

	ASSERT_EQ(0, ioas_map_at(self->fd, self->ioas_id, self->buf, PAGES(2),
				 x));
	ASSERT_EQ(0, ioas_map_at(self->fd, self->ioas_id, self->buf, PAGES(1),
				 x + PAGES(4)));
	ASSERT_EQ(0, ioas_map_at(self->fd, self->ioas_id, self->buf, PAGES(3),
				 x + PAGES(8)));
	/* An area outside the range stays. */
	ASSERT_EQ(0, ioas_map_at(self->fd, self->ioas_id, self->buf, PAGES(1),
				 x + PAGES(20)));

	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, x - PAGES(4),
				PAGES(20), &done));
	ASSERT_EQ(PAGES(6), done);
	ASSERT_EQ(ENOENT, ioas_unmap(self->fd, self->ioas_id, x - PAGES(4),
				     PAGES(20), NULL));
	ASSERT_EQ(0, ioas_unmap_everything(self->fd, self->ioas_id, &done));
	ASSERT_EQ(PAGES(1), done);
}

TEST_F(ioas, copy_basic)
{
	uint64_t iova, dst, same, done;
	uint32_t other;

	ASSERT_EQ(0, ioas_create(self->fd, &other));
	ASSERT_EQ(0, ioas_give_domain(self->fd, self->ioas_id));
	ASSERT_EQ(0, ioas_give_domain(self->fd, other));
	ASSERT_EQ(0, ioas_map_auto(self->fd, self->ioas_id, self->buf,
				   PAGES(8), &iova));
	ASSERT_EQ(0, ioas_copy(self->fd, other, self->ioas_id, iova, PAGES(8),
			       &dst, MAP_RW));
	ASSERT_NE(0, dst);
	/* Copying within one IOAS is allowed too. */
	ASSERT_EQ(0, ioas_copy(self->fd, self->ioas_id, self->ioas_id, iova,
			       PAGES(8), &same, IOMMU_IOAS_MAP_READABLE));
	ASSERT_FALSE(overlaps(iova, PAGES(8), same, PAGES(8)));
	ASSERT_EQ(0, pin_refs_are(self->fd, self->buf, PAGES(8), 1));

	/* The copies outlive the source. */
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, iova, PAGES(8),
				&done));
	ASSERT_EQ(0, pin_refs_are(self->fd, self->buf, PAGES(8), 1));
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, same, PAGES(8),
				&done));
	ASSERT_EQ(0, pin_refs_are(self->fd, self->buf, PAGES(8), 1));
	ASSERT_EQ(0, ioas_unmap(self->fd, other, dst, PAGES(8), &done));
	ASSERT_EQ(PAGES(8), done);
	ASSERT_EQ(0, pin_refs_are(self->fd, self->buf, PAGES(8), 0));
}

TEST_F(ioas, copy_span_and_subrange)
{
	const uint64_t x = IOVA_A, y = IOVA_B;
	struct mock_dev_ids dev;
	uint64_t dst, done;
	uint32_t other;
	char *buf = self->buf;

	ASSERT_EQ(0, ioas_create(self->fd, &other));
	ASSERT_EQ(0, mock_dev_add(self->fd, other, &dev));

	/* Two adjacent areas, copied across their boundary. */
	ASSERT_EQ(0, ioas_map_at(self->fd, self->ioas_id, buf, PAGES(4), x));
	ASSERT_EQ(0, ioas_map_at(self->fd, self->ioas_id, buf + PAGES(4),
				 PAGES(4), x + PAGES(4)));
	dst = y;
	ASSERT_EQ(0, ioas_copy(self->fd, other, self->ioas_id, x + PAGES(2),
			       PAGES(4), &dst,
			       MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA));
	ASSERT_EQ(y, dst);
	ASSERT_EQ(0, mock_check_map(self->fd, dev.hwpt, y, PAGES(4),
				    buf + PAGES(2)));
	/* The copy keeps the source's area boundary. */
	ASSERT_EQ(ENOENT, ioas_unmap(self->fd, other, y, page_size, NULL));
	ASSERT_EQ(0, ioas_unmap(self->fd, other, y, PAGES(2), &done));
	ASSERT_EQ(PAGES(2), done);
	ASSERT_EQ(0, ioas_unmap(self->fd, other, y + PAGES(2), PAGES(2),
				&done));
	ASSERT_EQ(PAGES(2), done);

	/* One page out of the middle of an area, at an IOVA of the kernel's. */
	ASSERT_EQ(0, ioas_copy(self->fd, other, self->ioas_id, x + PAGES(5),
			       page_size, &dst, MAP_RW));
	ASSERT_EQ(0, mock_check_map(self->fd, dev.hwpt, dst, page_size,
				    buf + PAGES(5)));
	ASSERT_EQ(0, ioas_unmap_everything(self->fd, other, &done));
	ASSERT_EQ(page_size, done);

	ASSERT_EQ(0, obj_destroy(self->fd, dev.stdev));
	ASSERT_EQ(0, obj_destroy(self->fd, other));
}

TEST_F(ioas, copy_errors)
{
	const uint64_t x = IOVA_B, w = IOVA_D;
	uint64_t dst, done;
	uint32_t other;

	ASSERT_EQ(0, ioas_create(self->fd, &other));
	ASSERT_EQ(0, ioas_map_at(self->fd, self->ioas_id, self->buf, PAGES(4),
				 x));
	ASSERT_EQ(0, ioas_map_at(self->fd, self->ioas_id, self->buf, PAGES(4),
				 x + PAGES(8)));

	/* Source ranges with holes. */
	ASSERT_EQ(ENOENT, ioas_copy(self->fd, other, self->ioas_id, x,
				    PAGES(5), &dst, MAP_RW));
	ASSERT_EQ(ENOENT, ioas_copy(self->fd, other, self->ioas_id,
				    x - page_size, PAGES(2), &dst, MAP_RW));
	ASSERT_EQ(ENOENT, ioas_copy(self->fd, other, self->ioas_id, x,
				    PAGES(12), &dst, MAP_RW));
	ASSERT_EQ(ENOENT, ioas_copy(self->fd, other, self->ioas_id,
				    x + PAGES(5), page_size, &dst, MAP_RW));

	ASSERT_EQ(EINVAL, ioas_copy(self->fd, other, self->ioas_id, x, 0, &dst,
				    MAP_RW));
	ASSERT_EQ(EINVAL, ioas_copy(self->fd, other, self->ioas_id, x,
				    page_size, &dst, 0));
	dst = IOVA_A;
	ASSERT_EQ(EINVAL, ioas_copy(self->fd, other, self->ioas_id, x,
				    page_size, &dst,
				    IOMMU_IOAS_MAP_FIXED_IOVA));
	ASSERT_EQ(EOPNOTSUPP, ioas_copy(self->fd, other, self->ioas_id, x,
					page_size, &dst, MAP_RW | (1U << 5)));
	ASSERT_EQ(ENOENT, ioas_copy(self->fd, other, 0x7fffffff, x, page_size,
				    &dst, MAP_RW));
	ASSERT_EQ(ENOENT, ioas_copy(self->fd, 0x7fffffff, self->ioas_id, x,
				    page_size, &dst, MAP_RW));

	/* Fixed destinations that are taken or reserved. */
	ASSERT_EQ(0, ioas_map_at(self->fd, other, self->buf, page_size,
				 IOVA_A));
	dst = IOVA_A - PAGES(2);
	ASSERT_EQ(EEXIST, ioas_copy(self->fd, other, self->ioas_id, x,
				    PAGES(4), &dst,
				    MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA));
	ASSERT_EQ(0, reserve_iova(self->fd, other, IOVA_C, PAGES(2)));
	dst = IOVA_C - page_size;
	ASSERT_EQ(EINVAL, ioas_copy(self->fd, other, self->ioas_id, x,
				    PAGES(4), &dst,
				    MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA));

	/* Memory pinned read-only cannot be copied writeable. */
	ASSERT_EQ(0, ioas_map_flags(self->fd, self->ioas_id, self->buf,
				    PAGES(2), (uint64_t[]){ w },
				    IOMMU_IOAS_MAP_READABLE |
				    IOMMU_IOAS_MAP_FIXED_IOVA));
	ASSERT_EQ(EPERM, ioas_copy(self->fd, other, self->ioas_id, w,
				   PAGES(2), &dst, MAP_RW));
	ASSERT_EQ(0, ioas_copy(self->fd, other, self->ioas_id, w, PAGES(2),
			       &dst, IOMMU_IOAS_MAP_READABLE));

	ASSERT_EQ(0, ioas_unmap_everything(self->fd, other, &done));
	ASSERT_EQ(PAGES(3), done);
	ASSERT_EQ(0, ioas_unmap_everything(self->fd, self->ioas_id, &done));
	ASSERT_EQ(PAGES(10), done);
	ASSERT_EQ(0, obj_destroy(self->fd, other));
}

TEST_F(ioas, iova_ranges_default)
{
	struct iommu_iova_range r[4];
	uint64_t align = 0, iova;
	uint32_t num = 4;

	memset(r, 0, sizeof(r));
	ASSERT_EQ(0, ioas_ranges(self->fd, self->ioas_id, r, &num, &align));
	ASSERT_EQ(1, num);
	ASSERT_EQ(1, align);
	ASSERT_EQ(0, r[0].start);
	ASSERT_EQ(UINT64_MAX, r[0].last);

	/* Mappings do not change what may be mapped. */
	ASSERT_EQ(0, ioas_map_auto(self->fd, self->ioas_id, self->buf,
				   PAGES(2), &iova));
	num = 4;
	ASSERT_EQ(0, ioas_ranges(self->fd, self->ioas_id, r, &num, &align));
	ASSERT_EQ(1, num);

	num = 0;
	ASSERT_EQ(EMSGSIZE, ioas_ranges(self->fd, self->ioas_id, NULL, &num,
					&align));
	ASSERT_EQ(1, num);
	ASSERT_EQ(1, align);
	num = 1;
	ASSERT_EQ(ENOENT, ioas_ranges(self->fd, 0x7fffffff, r, &num, &align));
}

TEST_F(ioas, iova_ranges_reserved_and_emsgsize)
{
	const uint64_t r1 = 0x100000, r2 = 0x200000;
	struct iommu_iova_range r[4];
	uint64_t align = 0;
	uint32_t num;

	ASSERT_EQ(0, reserve_iova(self->fd, self->ioas_id, r1, 0x1000));
	ASSERT_EQ(0, reserve_iova(self->fd, self->ioas_id, r2, 0x2000));

	memset(r, 0xee, sizeof(r));
	num = 2;
	ASSERT_EQ(EMSGSIZE, ioas_ranges(self->fd, self->ioas_id, r, &num,
					&align));
	ASSERT_EQ(3, num);
	ASSERT_EQ(1, align);
	ASSERT_EQ(0, r[0].start);
	ASSERT_EQ(r1 - 1, r[0].last);
	ASSERT_EQ(r1 + 0x1000, r[1].start);
	ASSERT_EQ(r2 - 1, r[1].last);
	/* Nothing was written past the room given. */
	ASSERT_EQ(0xeeeeeeeeeeeeeeeeULL, r[2].start);
	ASSERT_EQ(0xeeeeeeeeeeeeeeeeULL, r[2].last);

	num = 4;
	ASSERT_EQ(0, ioas_ranges(self->fd, self->ioas_id, r, &num, &align));
	ASSERT_EQ(3, num);
	ASSERT_EQ(r2 + 0x2000, r[2].start);
	ASSERT_EQ(UINT64_MAX, r[2].last);
	ASSERT_EQ(0xeeeeeeeeeeeeeeeeULL, r[3].start);

	/* Overlapping reservations merge in the report. */
	ASSERT_EQ(0, reserve_iova(self->fd, self->ioas_id, r1 + 0x800, 0x1000));
	num = 4;
	ASSERT_EQ(0, ioas_ranges(self->fd, self->ioas_id, r, &num, &align));
	ASSERT_EQ(3, num);
	ASSERT_EQ(r1 + 0x1800, r[1].start);
}

TEST_F(ioas, allow_iovas_errors)
{
	const uint64_t a = IOVA_C;
	struct iommu_iova_range two[2];

	ASSERT_EQ(EINVAL, ioas_allow_one(self->fd, self->ioas_id, a, a));
	ASSERT_EQ(EINVAL, ioas_allow_one(self->fd, self->ioas_id, a + 1, a));

	two[0] = (struct iommu_iova_range){ a, a + 0xfff };
	two[1] = (struct iommu_iova_range){ a + 0x800, a + 0x1fff };
	ASSERT_EQ(EINVAL, ioas_allow(self->fd, self->ioas_id, two, 2));
	two[1] = two[0];
	ASSERT_EQ(EINVAL, ioas_allow(self->fd, self->ioas_id, two, 2));
	/* Touching is not overlapping. */
	two[1] = (struct iommu_iova_range){ a + 0x1000, a + 0x1fff };
	ASSERT_EQ(0, ioas_allow(self->fd, self->ioas_id, two, 2));
	ASSERT_EQ(0, ioas_allow(self->fd, self->ioas_id, NULL, 0));

	ASSERT_EQ(0, reserve_iova(self->fd, self->ioas_id, a + PAGES(4),
				  page_size));
	ASSERT_EQ(EADDRINUSE, ioas_allow_one(self->fd, self->ioas_id, a,
					     a + PAGES(8) - 1));
	ASSERT_EQ(EADDRINUSE, ioas_allow_one(self->fd, self->ioas_id,
					     a + PAGES(4), a + PAGES(5) - 1));
	ASSERT_EQ(0, ioas_allow_one(self->fd, self->ioas_id, a,
				    a + PAGES(4) - 1));
	ASSERT_EQ(0, ioas_allow_one(self->fd, self->ioas_id, a + PAGES(5),
				    a + PAGES(6) - 1));
	ASSERT_EQ(0, ioas_allow(self->fd, self->ioas_id, NULL, 0));
	ASSERT_EQ(ENOENT, ioas_allow_one(self->fd, 0x7fffffff, a, a + 0xfff));
}

TEST_F(ioas, allow_iovas_steers)
{
	const uint64_t a = IOVA_C, b = IOVA_D;
	struct iommu_iova_range two[2];
	uint64_t iova[4], extra, done;
	unsigned int i;

	ASSERT_EQ(0, ioas_allow_one(self->fd, self->ioas_id, a,
				    a + PAGES(16) - 1));
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, ioas_map_auto(self->fd, self->ioas_id,
					   (char *)self->buf + PAGES(4 * i),
					   PAGES(4), &iova[i]));
		ASSERT_LE(a, iova[i]);
		ASSERT_GE(a + PAGES(12), iova[i]);
	}
	ASSERT_EQ(ENOSPC, ioas_map_auto(self->fd, self->ioas_id, self->buf,
					page_size, &extra));
	/* Fixed mappings are not limited to the allowed ranges. */
	ASSERT_EQ(0, ioas_map_at(self->fd, self->ioas_id, self->buf, page_size,
				 b + PAGES(64)));

	/* A freed slot is found again. */
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, iova[2], PAGES(4),
				NULL));
	ASSERT_EQ(0, ioas_map_auto(self->fd, self->ioas_id, self->buf,
				   PAGES(4), &extra));
	ASSERT_EQ(iova[2], extra);

	/* No restriction any more. */
	ASSERT_EQ(0, ioas_allow(self->fd, self->ioas_id, NULL, 0));
	ASSERT_EQ(0, ioas_map_auto(self->fd, self->ioas_id, self->buf,
				   PAGES(4), &extra));
	ASSERT_FALSE(overlaps(extra, PAGES(4), a, PAGES(16)));
	ASSERT_EQ(0, ioas_unmap_everything(self->fd, self->ioas_id, &done));
	ASSERT_EQ(PAGES(21), done);

	/* Two ranges, given highest first: one mapping lands in each. */
	two[0] = (struct iommu_iova_range){ b, b + PAGES(4) - 1 };
	two[1] = (struct iommu_iova_range){ a, a + PAGES(4) - 1 };
	ASSERT_EQ(0, ioas_allow(self->fd, self->ioas_id, two, 2));
	ASSERT_EQ(0, ioas_map_auto(self->fd, self->ioas_id, self->buf,
				   PAGES(4), &iova[0]));
	ASSERT_EQ(0, ioas_map_auto(self->fd, self->ioas_id, self->buf,
				   PAGES(4), &iova[1]));
	ASSERT_TRUE((iova[0] == a && iova[1] == b) ||
		    (iova[0] == b && iova[1] == a));
	ASSERT_EQ(ENOSPC, ioas_map_auto(self->fd, self->ioas_id, self->buf,
					page_size, &extra));
	ASSERT_EQ(0, ioas_unmap_everything(self->fd, self->ioas_id, &done));
	ASSERT_EQ(PAGES(8), done);
}

TEST_F(ioas, allow_iovas_blocks_reserve)
{
	const uint64_t a = IOVA_C;

	ASSERT_EQ(0, ioas_allow_one(self->fd, self->ioas_id, a,
				    a + PAGES(16) - 1));
	ASSERT_EQ(EADDRINUSE, reserve_iova(self->fd, self->ioas_id,
					   a + PAGES(4), page_size));
	ASSERT_EQ(EADDRINUSE, reserve_iova(self->fd, self->ioas_id,
					   a - page_size, PAGES(2)));
	ASSERT_EQ(0, reserve_iova(self->fd, self->ioas_id, a + PAGES(16),
				  page_size));
	ASSERT_EQ(0, reserve_iova(self->fd, self->ioas_id, a - page_size,
				  page_size));
}

/*
 * Fill an allowed window with small mappings, punch holes, and check that
 * a mapping which fits exactly one hole is found there.
 */
TEST_F(ioas, iova_fragmentation)
{
	const uint64_t a = IOVA_D, slot = PAGES(4);
	struct exact_mem mem;
	uint64_t iova[16], big, got[6], done;
	unsigned int i;

	/* Page-aligned only, so no extra alignment is preferred. */
	ASSERT_EQ(0, exact_mem_get(&mem, 3 * slot, page_size));
	ASSERT_EQ(0, ioas_allow_one(self->fd, self->ioas_id, a,
				    a + 16 * slot - 1));

	for (i = 0; i < 16; i++) {
		ASSERT_EQ(0, ioas_map_auto(self->fd, self->ioas_id, mem.ptr,
					   slot, &iova[i]));
		ASSERT_LE(a, iova[i]);
		ASSERT_GE(a + 15 * slot, iova[i]);
	}
	ASSERT_EQ(ENOSPC, ioas_map_auto(self->fd, self->ioas_id, mem.ptr,
					page_size, &big));

	/* The window is tiled exactly; free every other slot. */
	qsort(iova, 16, sizeof(iova[0]), cmp_u64);
	for (i = 0; i < 16; i++)
		ASSERT_EQ(a + i * slot, iova[i]);
	for (i = 1; i < 16; i += 2)
		ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, iova[i], slot,
					NULL));
	ASSERT_EQ(ENOSPC, ioas_map_auto(self->fd, self->ioas_id, mem.ptr,
					2 * slot, &big));

	/* Slots 7..9 become one hole, the only one that fits 3 slots. */
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, iova[8], slot, NULL));
	ASSERT_EQ(0, ioas_map_auto(self->fd, self->ioas_id, mem.ptr, 3 * slot,
				   &big));
	ASSERT_EQ(a + 7 * slot, big);

	/* The six single-slot holes take one mapping each, then no more. */
	for (i = 0; i < 6; i++) {
		unsigned int j;

		ASSERT_EQ(0, ioas_map_auto(self->fd, self->ioas_id, mem.ptr,
					   slot, &got[i]));
		ASSERT_LE(a, got[i]);
		ASSERT_GE(a + 15 * slot, got[i]);
		ASSERT_EQ(slot, (got[i] - a) % (2 * slot));
		ASSERT_FALSE(overlaps(got[i], slot, big, 3 * slot));
		for (j = 0; j < i; j++)
			ASSERT_NE(got[j], got[i]);
	}
	ASSERT_EQ(ENOSPC, ioas_map_auto(self->fd, self->ioas_id, mem.ptr,
					page_size, &big));

	ASSERT_EQ(0, ioas_unmap_everything(self->fd, self->ioas_id, &done));
	ASSERT_EQ(16 * slot, done);
	exact_mem_put(&mem);
}

/*
 * The allocation sequence from the "iova: retry from last rb tree node"
 * report, 1 GiB of IOVA scaled down to 1024 pages: 500 + 12 + 499, free
 * the 12, take 13 (only the tail fits it), then 2 must still be found in
 * the 12-page hole below the most recent allocation.
 */
TEST_F(ioas, iova_rbtree_retry)
{
	const uint64_t a = IOVA_D, win = PAGES(1024);
	struct exact_mem mem;
	uint64_t m500, m12, m499, m13, m2, m10, extra, done;

	ASSERT_EQ(0, exact_mem_get(&mem, PAGES(500), page_size));
	ASSERT_EQ(0, ioas_allow_one(self->fd, self->ioas_id, a, a + win - 1));

	ASSERT_EQ(0, ioas_map_auto(self->fd, self->ioas_id, mem.ptr,
				   PAGES(500), &m500));
	ASSERT_EQ(0, ioas_map_auto(self->fd, self->ioas_id, mem.ptr,
				   PAGES(12), &m12));
	ASSERT_EQ(0, ioas_map_auto(self->fd, self->ioas_id, mem.ptr,
				   PAGES(499), &m499));
	ASSERT_LE(a, m500);
	ASSERT_LE(a, m12);
	ASSERT_LE(a, m499);
	ASSERT_GE(a + win - PAGES(500), m500);
	ASSERT_GE(a + win - PAGES(12), m12);
	ASSERT_GE(a + win - PAGES(499), m499);

	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, m12, PAGES(12),
				&done));
	ASSERT_EQ(PAGES(12), done);
	ASSERT_EQ(0, ioas_map_auto(self->fd, self->ioas_id, mem.ptr,
				   PAGES(13), &m13));
	ASSERT_FALSE(overlaps(m13, PAGES(13), m12, PAGES(12)));

	/* Only the old 12-page hole is left. */
	ASSERT_EQ(0, ioas_map_auto(self->fd, self->ioas_id, mem.ptr, PAGES(2),
				   &m2));
	ASSERT_LE(m12, m2);
	ASSERT_GE(m12 + PAGES(10), m2);
	ASSERT_EQ(0, ioas_map_auto(self->fd, self->ioas_id, mem.ptr, PAGES(10),
				   &m10));
	ASSERT_LE(m12, m10);
	ASSERT_GE(m12 + PAGES(2), m10);
	ASSERT_EQ(ENOSPC, ioas_map_auto(self->fd, self->ioas_id, mem.ptr,
					page_size, &extra));

	ASSERT_EQ(0, ioas_unmap_everything(self->fd, self->ioas_id, &done));
	ASSERT_EQ(PAGES(500 + 499 + 13 + 2 + 10), done);
	ASSERT_EQ(0, ioas_allow(self->fd, self->ioas_id, NULL, 0));
	exact_mem_put(&mem);
}

TEST_F(ioas, huge_pages_option)
{
	uint64_t val = 99, align, iova, done;
	struct iommu_iova_range r;
	uint32_t num = 1;

	ASSERT_EQ(ENOENT, ifd_option_get(self->fd, IOMMU_OPTION_HUGE_PAGES, 0,
					 &val));
	ASSERT_EQ(ENOENT, ifd_option_get(self->fd, IOMMU_OPTION_HUGE_PAGES,
					 0x7fffffff, &val));
	ASSERT_EQ(0, ifd_option_get(self->fd, IOMMU_OPTION_HUGE_PAGES,
				    self->ioas_id, &val));
	ASSERT_EQ(1, val);
	ASSERT_EQ(EINVAL, ifd_option_set(self->fd, IOMMU_OPTION_HUGE_PAGES,
					 self->ioas_id, 2));
	ASSERT_EQ(EOPNOTSUPP, ifd_option(self->fd, IOMMU_OPTION_HUGE_PAGES, 9,
					 self->ioas_id, 0, &val));
	ASSERT_EQ(EOPNOTSUPP, ifd_option_get(self->fd, 77, self->ioas_id,
					     &val));

	ASSERT_EQ(0, ifd_option_set(self->fd, IOMMU_OPTION_HUGE_PAGES,
				    self->ioas_id, 0));
	ASSERT_EQ(0, ifd_option_get(self->fd, IOMMU_OPTION_HUGE_PAGES,
				    self->ioas_id, &val));
	ASSERT_EQ(0, val);
	ASSERT_EQ(0, ioas_ranges(self->fd, self->ioas_id, &r, &num, &align));
	ASSERT_EQ(page_size, align);

	/* Now everything has to be whole pages. */
	ASSERT_EQ(EINVAL, ioas_map_at(self->fd, self->ioas_id, self->buf,
				      page_size, IOVA_A + page_size / 2));
	ASSERT_EQ(EINVAL, ioas_map_at(self->fd, self->ioas_id, self->buf,
				      page_size / 2, IOVA_A));
	ASSERT_EQ(EINVAL, ioas_map_auto(self->fd, self->ioas_id,
					(char *)self->buf + 64, page_size,
					&iova));
	ASSERT_EQ(0, ioas_map_at(self->fd, self->ioas_id, self->buf, page_size,
				 IOVA_A));

	ASSERT_EQ(0, ifd_option_set(self->fd, IOMMU_OPTION_HUGE_PAGES,
				    self->ioas_id, 1));
	ASSERT_EQ(0, ifd_option_get(self->fd, IOMMU_OPTION_HUGE_PAGES,
				    self->ioas_id, &val));
	ASSERT_EQ(1, val);
	num = 1;
	ASSERT_EQ(0, ioas_ranges(self->fd, self->ioas_id, &r, &num, &align));
	ASSERT_EQ(1, align);
	ASSERT_EQ(0, ioas_unmap_everything(self->fd, self->ioas_id, &done));
	ASSERT_EQ(page_size, done);
}

TEST_F(ioas, huge_pages_misaligned_area)
{
	uint64_t val, iova, done;

	ASSERT_EQ(0, ioas_map_auto(self->fd, self->ioas_id,
				   (char *)self->buf + 100, 200, &iova));
	ASSERT_EQ(EADDRINUSE, ifd_option_set(self->fd, IOMMU_OPTION_HUGE_PAGES,
					     self->ioas_id, 0));
	ASSERT_EQ(0, ifd_option_get(self->fd, IOMMU_OPTION_HUGE_PAGES,
				    self->ioas_id, &val));
	ASSERT_EQ(1, val);
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, iova, 200, &done));
	ASSERT_EQ(0, ifd_option_set(self->fd, IOMMU_OPTION_HUGE_PAGES,
				    self->ioas_id, 0));
	ASSERT_EQ(0, ifd_option_set(self->fd, IOMMU_OPTION_HUGE_PAGES,
				    self->ioas_id, 1));
}

TEST_F(ioas, vfio_ioas)
{
	uint32_t id = 0, other;

	ASSERT_EQ(ENODEV, ifd_vfio_ioas(self->fd, IOMMU_VFIO_IOAS_GET, &id));
	id = 0x7fffffff;
	ASSERT_EQ(ENOENT, ifd_vfio_ioas(self->fd, IOMMU_VFIO_IOAS_SET, &id));
	id = 0;
	ASSERT_EQ(ENOENT, ifd_vfio_ioas(self->fd, IOMMU_VFIO_IOAS_SET, &id));
	ASSERT_EQ(EOPNOTSUPP, ifd_vfio_ioas(self->fd, 3, &id));

	id = self->ioas_id;
	ASSERT_EQ(0, ifd_vfio_ioas(self->fd, IOMMU_VFIO_IOAS_SET, &id));
	id = 0;
	ASSERT_EQ(0, ifd_vfio_ioas(self->fd, IOMMU_VFIO_IOAS_GET, &id));
	ASSERT_EQ(self->ioas_id, id);
	ASSERT_EQ(0, ifd_vfio_ioas(self->fd, IOMMU_VFIO_IOAS_CLEAR, NULL));
	ASSERT_EQ(ENODEV, ifd_vfio_ioas(self->fd, IOMMU_VFIO_IOAS_GET, &id));

	/* The chosen IOAS can be destroyed; then there is none. */
	ASSERT_EQ(0, ioas_create(self->fd, &other));
	id = other;
	ASSERT_EQ(0, ifd_vfio_ioas(self->fd, IOMMU_VFIO_IOAS_SET, &id));
	ASSERT_EQ(0, ifd_vfio_ioas(self->fd, IOMMU_VFIO_IOAS_GET, &id));
	ASSERT_EQ(other, id);
	ASSERT_EQ(0, obj_destroy(self->fd, other));
	ASSERT_EQ(ENODEV, ifd_vfio_ioas(self->fd, IOMMU_VFIO_IOAS_GET, &id));
}

TEST_F(ioas, map_unmap_loop)
{
	long pin0 = vm_pin_kb();
	uint64_t iova, done;
	unsigned int i;

	ASSERT_LE(0, pin0);
	for (i = 0; i < 1000; i++) {
		char *va = (char *)self->buf + PAGES(i % 8);

		if (i % 4 == 3) {
			ASSERT_EQ(0, ioas_map_at(self->fd, self->ioas_id, va,
						 PAGES(4), IOVA_B));
			iova = IOVA_B;
		} else {
			ASSERT_EQ(0, ioas_map_auto(self->fd, self->ioas_id, va,
						   PAGES(4), &iova));
		}
		ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, iova,
					PAGES(4), &done));
		ASSERT_EQ(PAGES(4), done);
	}
	ASSERT_EQ(pin0, vm_pin_kb());
	ASSERT_EQ(0, pin_refs_are(self->fd, self->buf, PAGES(12), 0));
}

TEST_F(ioas, rlimit_mode_busy)
{
	uint64_t val = 5;

	ASSERT_EQ(EBUSY, ifd_option_set(self->fd, IOMMU_OPTION_RLIMIT_MODE, 0,
					1));
	ASSERT_EQ(0, ifd_option_get(self->fd, IOMMU_OPTION_RLIMIT_MODE, 0,
				    &val));
	ASSERT_EQ(0, val);
}

TEST_F(ioas, mock_attach_populates)
{
	struct iommu_iova_range r[2];
	struct mock_dev_ids dev;
	uint64_t align, done;
	uint32_t num = 2;

	ASSERT_EQ(0, ioas_map_at(self->fd, self->ioas_id, self->buf, PAGES(8),
				 MOCK_APERTURE_START));
	ASSERT_EQ(0, mock_dev_add(self->fd, self->ioas_id, &dev));
	ASSERT_NE(0, dev.stdev);
	ASSERT_NE(0, dev.hwpt);
	ASSERT_NE(0, dev.idev);
	ASSERT_EQ(0, mock_check_map(self->fd, dev.hwpt, MOCK_APERTURE_START,
				    PAGES(8), self->buf));
	ASSERT_EQ(0, ioas_ranges(self->fd, self->ioas_id, r, &num, &align));
	ASSERT_EQ(1, num);
	ASSERT_EQ(MOCK_APERTURE_START, r[0].start);
	ASSERT_EQ(MOCK_APERTURE_LAST, r[0].last);

	ASSERT_EQ(0, obj_destroy(self->fd, dev.stdev));
	num = 2;
	ASSERT_EQ(0, ioas_ranges(self->fd, self->ioas_id, r, &num, &align));
	ASSERT_EQ(1, num);
	ASSERT_EQ(0, r[0].start);
	ASSERT_EQ(1, align);
	ASSERT_EQ(0, ioas_unmap_everything(self->fd, self->ioas_id, &done));
	ASSERT_EQ(PAGES(8), done);
}

TEST_F(ioas, mock_attach_conflicts)
{
	struct iommu_iova_range r[2];
	struct mock_dev_ids dev;
	uint64_t iova, align;
	uint32_t num = 2;

	/* A mapping below the mock aperture. */
	ASSERT_EQ(0, ioas_map_at(self->fd, self->ioas_id, self->buf, page_size,
				 PAGES(16)));
	ASSERT_EQ(EADDRINUSE, mock_dev_add(self->fd, self->ioas_id, &dev));
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, PAGES(16), page_size,
				NULL));

	/* A mapping the mock IO page size cannot express. */
	ASSERT_EQ(0, ioas_map_auto(self->fd, self->ioas_id,
				   (char *)self->buf + 100, 200, &iova));
	ASSERT_EQ(EADDRINUSE, mock_dev_add(self->fd, self->ioas_id, &dev));
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, iova, 200, NULL));

	/* An allowed range outside the aperture must stay usable. */
	ASSERT_EQ(0, ioas_allow_one(self->fd, self->ioas_id, PAGES(16),
				    PAGES(32) - 1));
	ASSERT_EQ(EADDRINUSE, mock_dev_add(self->fd, self->ioas_id, &dev));
	ASSERT_EQ(0, ioas_allow(self->fd, self->ioas_id, NULL, 0));

	/* Nothing of the failed attempts remains. */
	ASSERT_EQ(0, ioas_ranges(self->fd, self->ioas_id, r, &num, &align));
	ASSERT_EQ(1, num);
	ASSERT_EQ(0, r[0].start);
	ASSERT_EQ(UINT64_MAX, r[0].last);
	ASSERT_EQ(1, align);

	ASSERT_EQ(0, mock_dev_add(self->fd, self->ioas_id, &dev));
	ASSERT_EQ(0, obj_destroy(self->fd, dev.stdev));
}

TEST_F(ioas, mock_domain_bad_id)
{
	struct mock_dev_ids dev;

	ASSERT_EQ(ENOENT, mock_dev_add(self->fd, 0x7fffffff, &dev));
	ASSERT_EQ(ENOENT, mock_dev_add(self->fd, 0, &dev));
}

/* ================================================================== */
/* One IOAS with one mock device attached                             */

FIXTURE(mock)
{
	int fd;
	uint32_t ioas_id;
	struct mock_dev_ids dev;
	void *buf;
	size_t buf_len;
};

FIXTURE_SETUP(mock)
{
	self->fd = dev_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ioas_create(self->fd, &self->ioas_id));
	ASSERT_EQ(0, mock_dev_add(self->fd, self->ioas_id, &self->dev));
	ASSERT_NE(0, self->dev.stdev);
	ASSERT_NE(0, self->dev.hwpt);
	ASSERT_NE(0, self->dev.idev);
	self->buf_len = PAGES(BUF_PAGES);
	self->buf = mem_get(self->buf_len);
	ASSERT_NE(NULL, self->buf);
}

FIXTURE_TEARDOWN(mock)
{
	if (self->dev.stdev)
		obj_destroy(self->fd, self->dev.stdev);
	obj_destroy(self->fd, self->ioas_id);
	close(self->fd);
	mem_put(self->buf, self->buf_len);
}

static bool in_aperture(uint64_t iova, uint64_t len)
{
	return iova >= MOCK_APERTURE_START &&
	       iova + len - 1 <= MOCK_APERTURE_LAST;
}

TEST_F(mock, iova_ranges)
{
	struct iommu_iova_range r[2];
	uint64_t align = 0;
	uint32_t num = 2;

	ASSERT_EQ(0, ioas_ranges(self->fd, self->ioas_id, r, &num, &align));
	ASSERT_EQ(1, num);
	ASSERT_EQ(MOCK_IOPG, align);
	ASSERT_EQ(MOCK_APERTURE_START, r[0].start);
	ASSERT_EQ(MOCK_APERTURE_LAST, r[0].last);

	num = 0;
	ASSERT_EQ(EMSGSIZE, ioas_ranges(self->fd, self->ioas_id, r, &num,
					&align));
	ASSERT_EQ(1, num);
	ASSERT_EQ(MOCK_IOPG, align);
}

TEST_F(mock, fixed_outside_aperture)
{
	const uint64_t end = (uint64_t)MOCK_APERTURE_LAST + 1;
	uint64_t done;

	ASSERT_EQ(EINVAL, ioas_map_at(self->fd, self->ioas_id, self->buf,
				      page_size, 0));
	ASSERT_EQ(EINVAL, ioas_map_at(self->fd, self->ioas_id, self->buf,
				      PAGES(2), MOCK_APERTURE_START - page_size));
	ASSERT_EQ(EINVAL, ioas_map_at(self->fd, self->ioas_id, self->buf,
				      PAGES(2), end - page_size));
	ASSERT_EQ(EINVAL, ioas_map_at(self->fd, self->ioas_id, self->buf,
				      page_size, end));
	ASSERT_EQ(0, pin_refs_are(self->fd, self->buf, PAGES(2), 0));

	ASSERT_EQ(0, ioas_map_at(self->fd, self->ioas_id, self->buf, page_size,
				 MOCK_APERTURE_START));
	ASSERT_EQ(0, ioas_map_at(self->fd, self->ioas_id, self->buf, page_size,
				 end - page_size));
	ASSERT_EQ(0, mock_check_map(self->fd, self->dev.hwpt, end - page_size,
				    page_size, self->buf));
	ASSERT_EQ(0, ioas_unmap_everything(self->fd, self->ioas_id, &done));
	ASSERT_EQ(PAGES(2), done);
}

TEST_F(mock, misaligned)
{
	const uint64_t q = page_size / 4;
	uint64_t iova, done;

	ASSERT_EQ(EINVAL, ioas_map_at(self->fd, self->ioas_id, self->buf,
				      page_size, MOCK_APERTURE_START + q));
	ASSERT_EQ(EINVAL, ioas_map_at(self->fd, self->ioas_id, self->buf, q,
				      MOCK_APERTURE_START));
	ASSERT_EQ(EINVAL, ioas_map_auto(self->fd, self->ioas_id, self->buf, q,
					&iova));
	ASSERT_EQ(EINVAL, ioas_map_auto(self->fd, self->ioas_id,
					(char *)self->buf + q, page_size,
					&iova));
	ASSERT_EQ(0, pin_refs_are(self->fd, self->buf, PAGES(2), 0));

	/* Half a CPU page is the mock's granule. */
	ASSERT_EQ(0, ioas_map_at(self->fd, self->ioas_id, self->buf, page_size,
				 MOCK_APERTURE_START + MOCK_IOPG));
	ASSERT_EQ(0, mock_check_map(self->fd, self->dev.hwpt,
				    MOCK_APERTURE_START + MOCK_IOPG, page_size,
				    self->buf));
	ASSERT_EQ(0, ioas_map_at(self->fd, self->ioas_id, self->buf,
				 MOCK_IOPG, MOCK_APERTURE_START));
	ASSERT_EQ(0, ioas_unmap_everything(self->fd, self->ioas_id, &done));
	ASSERT_EQ(page_size + MOCK_IOPG, done);
}

TEST_F(mock, map_check_map)
{
	const uint64_t len = PAGES(16);
	uint64_t iova, done;
	char *buf = self->buf;

	ASSERT_EQ(0, ioas_map_auto(self->fd, self->ioas_id, buf, len, &iova));
	ASSERT_TRUE(in_aperture(iova, len));
	ASSERT_EQ(0, iova % MOCK_IOPG);
	ASSERT_EQ(0, mock_check_map(self->fd, self->dev.hwpt, iova, len, buf));
	ASSERT_EQ(0, mock_check_map(self->fd, self->dev.hwpt,
				    iova + PAGES(3) + MOCK_IOPG, PAGES(2),
				    buf + PAGES(3) + MOCK_IOPG));
	/* Wrong memory, and IOVA beyond the mapping. */
	ASSERT_EQ(EINVAL, mock_check_map(self->fd, self->dev.hwpt, iova,
					 PAGES(2), buf + page_size));
	ASSERT_EQ(EINVAL, mock_check_map(self->fd, self->dev.hwpt,
					 iova + len - page_size, PAGES(2),
					 buf + len - page_size));
	/* Only HWPTs have mock domains. */
	ASSERT_EQ(ENOENT, mock_check_map(self->fd, self->ioas_id, iova, len,
					 buf));

	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, iova, len, &done));
	ASSERT_EQ(len, done);
	ASSERT_EQ(EINVAL, mock_check_map(self->fd, self->dev.hwpt, iova,
					 MOCK_IOPG, buf));
}

TEST_F(mock, map_half_page)
{
	char *va = (char *)self->buf + MOCK_IOPG;
	long pin0 = vm_pin_kb();
	uint64_t iova, done;

	ASSERT_EQ(0, ioas_map_auto(self->fd, self->ioas_id, va, page_size,
				   &iova));
	ASSERT_TRUE(in_aperture(iova, page_size));
	ASSERT_EQ(MOCK_IOPG, iova % page_size);
	ASSERT_EQ(pin0 + pages_kb(2), vm_pin_kb());
	ASSERT_EQ(0, mock_check_map(self->fd, self->dev.hwpt, iova, page_size,
				    va));
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, iova, page_size,
				&done));
	ASSERT_EQ(page_size, done);
	ASSERT_EQ(pin0, vm_pin_kb());
}

TEST_F(mock, destroy_busy)
{
	uint64_t iova;

	ASSERT_EQ(EBUSY, obj_destroy(self->fd, self->ioas_id));
	ASSERT_EQ(EBUSY, obj_destroy(self->fd, self->dev.hwpt));
	ASSERT_EQ(EBUSY, obj_destroy(self->fd, self->dev.idev));
	/* Everything still works. */
	ASSERT_EQ(0, ioas_map_auto(self->fd, self->ioas_id, self->buf,
				   PAGES(4), &iova));
	ASSERT_EQ(0, mock_check_map(self->fd, self->dev.hwpt, iova, PAGES(4),
				    self->buf));
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, iova, PAGES(4), NULL));
}

TEST_F(mock, destroy_device)
{
	struct iommu_iova_range r[2];
	uint64_t iova, align, done;
	uint32_t num = 2;

	ASSERT_EQ(0, ioas_map_auto(self->fd, self->ioas_id, self->buf,
				   PAGES(4), &iova));
	ASSERT_EQ(0, obj_destroy(self->fd, self->dev.stdev));
	ASSERT_EQ(ENOENT, obj_destroy(self->fd, self->dev.hwpt));
	ASSERT_EQ(ENOENT, obj_destroy(self->fd, self->dev.idev));
	ASSERT_EQ(ENOENT, obj_destroy(self->fd, self->dev.stdev));
	ASSERT_EQ(ENOENT, mock_check_map(self->fd, self->dev.hwpt, iova,
					 PAGES(4), self->buf));
	self->dev.stdev = 0;

	/* Back to an IOAS without domains; the mapping is still there. */
	ASSERT_EQ(0, ioas_ranges(self->fd, self->ioas_id, r, &num, &align));
	ASSERT_EQ(1, num);
	ASSERT_EQ(0, r[0].start);
	ASSERT_EQ(UINT64_MAX, r[0].last);
	ASSERT_EQ(1, align);
	/* Nothing needs the memory pinned any more. */
	ASSERT_EQ(0, pin_refs_are(self->fd, self->buf, PAGES(4), 0));
	ASSERT_EQ(0, ioas_unmap_everything(self->fd, self->ioas_id, &done));
	ASSERT_EQ(PAGES(4), done);
}

TEST_F(mock, check_refs)
{
	const uint64_t len = PAGES(16);
	uint64_t iova;

	ASSERT_EQ(0, pin_refs_are(self->fd, self->buf, len, 0));
	ASSERT_EQ(EIO, pin_refs_are(self->fd, self->buf, len, 1));
	ASSERT_EQ(0, ioas_map_auto(self->fd, self->ioas_id, self->buf, len,
				   &iova));
	ASSERT_EQ(0, pin_refs_are(self->fd, self->buf, len, 1));
	ASSERT_EQ(0, pin_refs_are(self->fd, (char *)self->buf + len, len, 0));
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, iova, len, NULL));
	ASSERT_EQ(0, pin_refs_are(self->fd, self->buf, len, 0));

	/* Read-only pins count the same. */
	ASSERT_EQ(0, ioas_map_flags(self->fd, self->ioas_id, self->buf, len,
				    &iova, IOMMU_IOAS_MAP_READABLE));
	ASSERT_EQ(0, pin_refs_are(self->fd, self->buf, len, 1));
	ASSERT_EQ(0, mock_check_map(self->fd, self->dev.hwpt, iova, len,
				    self->buf));
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, iova, len, NULL));
	ASSERT_EQ(0, pin_refs_are(self->fd, self->buf, len, 0));
}

TEST_F(mock, copy_into_domain)
{
	const uint64_t len = PAGES(16);
	struct mock_dev_ids dev2;
	uint64_t iova, dst, done;
	uint32_t other;
	long pin0 = vm_pin_kb();

	ASSERT_EQ(0, ioas_create(self->fd, &other));
	ASSERT_EQ(0, mock_dev_add(self->fd, other, &dev2));
	ASSERT_NE(self->dev.hwpt, dev2.hwpt);

	ASSERT_EQ(0, ioas_map_auto(self->fd, self->ioas_id, self->buf, len,
				   &iova));
	ASSERT_EQ(0, ioas_copy(self->fd, other, self->ioas_id, iova, len, &dst,
			       MAP_RW));
	ASSERT_TRUE(in_aperture(dst, len));
	ASSERT_EQ(0, mock_check_map(self->fd, dev2.hwpt, dst, len, self->buf));
	ASSERT_EQ(0, pin_refs_are(self->fd, self->buf, len, 1));
	ASSERT_EQ(pin0 + pages_kb(16), vm_pin_kb());

	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, iova, len, &done));
	ASSERT_EQ(0, mock_check_map(self->fd, dev2.hwpt, dst, len, self->buf));
	ASSERT_EQ(0, pin_refs_are(self->fd, self->buf, len, 1));
	ASSERT_EQ(0, ioas_unmap(self->fd, other, dst, len, &done));
	ASSERT_EQ(0, pin_refs_are(self->fd, self->buf, len, 0));
	ASSERT_EQ(pin0, vm_pin_kb());

	ASSERT_EQ(0, obj_destroy(self->fd, dev2.stdev));
	ASSERT_EQ(0, obj_destroy(self->fd, other));
}

TEST_F(mock, two_domains_refs)
{
	const uint64_t len = PAGES(16);
	uint64_t iova;
	uint32_t hwpt2;

	ASSERT_EQ(0, hwpt_create(self->fd, self->dev.idev, self->ioas_id, 0,
				 &hwpt2));
	ASSERT_EQ(0, ioas_map_auto(self->fd, self->ioas_id, self->buf, len,
				   &iova));
	ASSERT_EQ(0, mock_check_map(self->fd, self->dev.hwpt, iova, len,
				    self->buf));
	ASSERT_EQ(0, mock_check_map(self->fd, hwpt2, iova, len, self->buf));
	ASSERT_EQ(0, pin_refs_are(self->fd, self->buf, len, 1));

	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, iova, len, NULL));
	ASSERT_EQ(0, pin_refs_are(self->fd, self->buf, len, 0));
	ASSERT_EQ(EINVAL, mock_check_map(self->fd, hwpt2, iova, len,
					 self->buf));
	ASSERT_EQ(EINVAL, mock_check_map(self->fd, self->dev.hwpt, iova, len,
					 self->buf));
	/* No device uses it, so it can go. */
	ASSERT_EQ(0, obj_destroy(self->fd, hwpt2));
}

TEST_F(mock, second_device_shares_hwpt)
{
	struct mock_dev_ids dev2;
	uint64_t iova;

	ASSERT_EQ(0, mock_dev_add(self->fd, self->ioas_id, &dev2));
	ASSERT_EQ(self->dev.hwpt, dev2.hwpt);
	ASSERT_NE(self->dev.stdev, dev2.stdev);
	ASSERT_NE(self->dev.idev, dev2.idev);

	ASSERT_EQ(0, ioas_map_auto(self->fd, self->ioas_id, self->buf,
				   PAGES(4), &iova));
	/* The first device leaving keeps the shared HWPT alive. */
	ASSERT_EQ(0, obj_destroy(self->fd, self->dev.stdev));
	self->dev.stdev = 0;
	ASSERT_EQ(0, mock_check_map(self->fd, dev2.hwpt, iova, PAGES(4),
				    self->buf));
	ASSERT_EQ(EBUSY, obj_destroy(self->fd, dev2.hwpt));
	ASSERT_EQ(0, obj_destroy(self->fd, dev2.stdev));
	ASSERT_EQ(ENOENT, obj_destroy(self->fd, dev2.hwpt));
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, iova, PAGES(4), NULL));
}

TEST_F(mock, non_ioas_ids)
{
	struct iommu_hwpt_alloc h = {
		.size = sizeof(h),
		.dev_id = self->dev.idev,
		.pt_id = self->ioas_id,
		.data_type = IOMMU_HWPT_DATA_VTD_S1,
	};
	uint64_t val, iova;
	uint32_t id;

	/* Only nested HWPTs report to a fault queue. */
	ASSERT_EQ(EOPNOTSUPP, hwpt_create(self->fd, self->dev.idev,
					  self->ioas_id,
					  IOMMU_HWPT_FAULT_ID_VALID, &id));
	ASSERT_EQ(EOPNOTSUPP, hwpt_create(self->fd, self->dev.idev,
					  self->ioas_id, 1U << 30, &id));
	/* A data type needs data, and a paging HWPT takes none. */
	ASSERT_EQ(EINVAL, raw_ioctl(self->fd, IOMMU_HWPT_ALLOC, &h));
	h.data_len = 4;
	ASSERT_EQ(EOPNOTSUPP, raw_ioctl(self->fd, IOMMU_HWPT_ALLOC, &h));
	ASSERT_EQ(ENOENT, hwpt_create(self->fd, 0x7fffffff, self->ioas_id, 0,
				      &id));
	ASSERT_EQ(ENOENT, hwpt_create(self->fd, self->ioas_id, self->ioas_id,
				      0, &id));
	ASSERT_EQ(ENOENT, hwpt_create(self->fd, self->dev.idev, 0x7fffffff, 0,
				      &id));
	/* On a HWPT, only a nested HWPT with driver data can be made. */
	ASSERT_EQ(EOPNOTSUPP, hwpt_create(self->fd, self->dev.idev,
					  self->dev.hwpt, 0, &id));

	/* Other ioctls that want an IOAS. */
	id = self->dev.hwpt;
	ASSERT_EQ(ENOENT, ifd_vfio_ioas(self->fd, IOMMU_VFIO_IOAS_SET, &id));
	ASSERT_EQ(ENOENT, ifd_option_get(self->fd, IOMMU_OPTION_HUGE_PAGES,
					 self->dev.hwpt, &val));
	ASSERT_EQ(ENOENT, ioas_map_auto(self->fd, self->dev.hwpt, self->buf,
					page_size, &iova));
	ASSERT_EQ(ENOENT, ioas_map_auto(self->fd, self->dev.stdev, self->buf,
					page_size, &iova));
	ASSERT_EQ(0, pin_refs_are(self->fd, self->buf, page_size, 0));
}

TEST_F(mock, hwpt_alloc_second_device)
{
	struct mock_dev_ids dev2;
	uint64_t iova;
	uint32_t hwpt2;

	ASSERT_EQ(0, hwpt_create(self->fd, self->dev.idev, self->ioas_id, 0,
				 &hwpt2));
	ASSERT_NE(0, hwpt2);
	ASSERT_NE(self->dev.hwpt, hwpt2);
	ASSERT_EQ(0, mock_dev_add(self->fd, hwpt2, &dev2));
	ASSERT_EQ(hwpt2, dev2.hwpt);

	ASSERT_EQ(0, ioas_map_auto(self->fd, self->ioas_id, self->buf,
				   PAGES(8), &iova));
	ASSERT_EQ(0, mock_check_map(self->fd, self->dev.hwpt, iova, PAGES(8),
				    self->buf));
	ASSERT_EQ(0, mock_check_map(self->fd, hwpt2, iova, PAGES(8),
				    self->buf));

	ASSERT_EQ(EBUSY, obj_destroy(self->fd, hwpt2));
	ASSERT_EQ(EBUSY, obj_destroy(self->fd, self->ioas_id));
	ASSERT_EQ(0, obj_destroy(self->fd, dev2.stdev));
	/* An allocated HWPT outlives its devices. */
	ASSERT_EQ(0, mock_check_map(self->fd, hwpt2, iova, PAGES(8),
				    self->buf));
	ASSERT_EQ(0, obj_destroy(self->fd, hwpt2));
	ASSERT_EQ(ENOENT, mock_check_map(self->fd, hwpt2, iova, PAGES(8),
					 self->buf));
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, iova, PAGES(8), NULL));
}

/*
 * A HWPT fit to be the stage 2 of nested ones is a paging HWPT like any
 * other until nested HWPTs arrive: it maps the IOAS, takes devices and
 * may track dirty pages too.
 */
TEST_F(mock, hwpt_alloc_nest_parent)
{
	struct mock_dev_ids dev2;
	uint32_t parent, both;
	uint64_t iova;

	ASSERT_EQ(0, ioas_map_auto(self->fd, self->ioas_id, self->buf,
				   PAGES(2), &iova));
	ASSERT_EQ(0, hwpt_create(self->fd, self->dev.idev, self->ioas_id,
				 IOMMU_HWPT_ALLOC_NEST_PARENT, &parent));
	ASSERT_EQ(0, mock_check_map(self->fd, parent, iova, PAGES(2),
				    self->buf));
	ASSERT_EQ(0, hwpt_create(self->fd, self->dev.idev, self->ioas_id,
				 IOMMU_HWPT_ALLOC_NEST_PARENT |
				 IOMMU_HWPT_ALLOC_DIRTY_TRACKING, &both));
	ASSERT_EQ(0, hwpt_dirty_set(self->fd, both, true));
	ASSERT_EQ(0, mock_dev_add(self->fd, parent, &dev2));
	ASSERT_EQ(parent, dev2.hwpt);
	ASSERT_EQ(EBUSY, obj_destroy(self->fd, parent));
	ASSERT_EQ(0, obj_destroy(self->fd, dev2.stdev));
	ASSERT_EQ(0, obj_destroy(self->fd, parent));
	ASSERT_EQ(0, obj_destroy(self->fd, both));
	ASSERT_EQ(EOPNOTSUPP, hwpt_create(self->fd, self->dev.idev,
					  self->ioas_id,
					  IOMMU_HWPT_ALLOC_NEST_PARENT |
					  IOMMU_HWPT_FAULT_ID_VALID, &both));
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, iova, PAGES(2), NULL));
}

TEST_F(mock, hwpt_alloc_short_struct)
{
	struct iommu_hwpt_alloc h = {
		.size = offsetof(struct iommu_hwpt_alloc, data_type),
		.dev_id = self->dev.idev,
		.pt_id = self->ioas_id,
	};

	ASSERT_EQ(0, raw_ioctl(self->fd, IOMMU_HWPT_ALLOC, &h));
	ASSERT_NE(0, h.out_hwpt_id);
	ASSERT_EQ(0, obj_destroy(self->fd, h.out_hwpt_id));
}

TEST_F(mock, hwpt_alloc_existing_maps)
{
	uint64_t iova;
	uint32_t hwpt2;

	ASSERT_EQ(0, ioas_map_auto(self->fd, self->ioas_id, self->buf,
				   PAGES(8), &iova));
	ASSERT_EQ(0, hwpt_create(self->fd, self->dev.idev, self->ioas_id, 0,
				 &hwpt2));
	ASSERT_EQ(0, mock_check_map(self->fd, hwpt2, iova, PAGES(8),
				    self->buf));
	ASSERT_EQ(0, pin_refs_are(self->fd, self->buf, PAGES(8), 1));
	ASSERT_EQ(0, obj_destroy(self->fd, hwpt2));
	ASSERT_EQ(0, mock_check_map(self->fd, self->dev.hwpt, iova, PAGES(8),
				    self->buf));
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, iova, PAGES(8), NULL));
}

TEST_F(mock, huge_pages_alignment)
{
	struct iommu_iova_range r;
	uint64_t align, iova;
	uint32_t num = 1;

	ASSERT_EQ(0, ifd_option_set(self->fd, IOMMU_OPTION_HUGE_PAGES,
				    self->ioas_id, 0));
	ASSERT_EQ(0, ioas_ranges(self->fd, self->ioas_id, &r, &num, &align));
	ASSERT_EQ(page_size, align);
	ASSERT_EQ(EINVAL, ioas_map_at(self->fd, self->ioas_id, self->buf,
				      page_size,
				      MOCK_APERTURE_START + MOCK_IOPG));
	ASSERT_EQ(0, ioas_map_auto(self->fd, self->ioas_id, self->buf,
				   PAGES(4), &iova));
	ASSERT_EQ(0, iova % page_size);
	ASSERT_EQ(0, mock_check_map(self->fd, self->dev.hwpt, iova, PAGES(4),
				    self->buf));

	ASSERT_EQ(0, ifd_option_set(self->fd, IOMMU_OPTION_HUGE_PAGES,
				    self->ioas_id, 1));
	num = 1;
	ASSERT_EQ(0, ioas_ranges(self->fd, self->ioas_id, &r, &num, &align));
	ASSERT_EQ(MOCK_IOPG, align);
	/* With mappings in a domain it cannot be switched off again. */
	ASSERT_EQ(EINVAL, ifd_option_set(self->fd, IOMMU_OPTION_HUGE_PAGES,
					 self->ioas_id, 0));
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, iova, PAGES(4), NULL));
}

/* IOMMU_GET_HW_INFO of a mock device: the selftest type and register. */
TEST_F(mock, hw_info)
{
	struct {
		struct iommu_test_hw_info info;
		uint64_t tail;
	} d;
	struct iommu_hw_info out;

	memset(&d, 0xff, sizeof(d));
	ASSERT_EQ(0, hw_info_get(self->fd, self->dev.idev, 0, 0, &d,
				 sizeof(d), &out));
	EXPECT_EQ(IOMMU_HW_INFO_TYPE_SELFTEST, out.out_data_type);
	EXPECT_EQ(sizeof(d.info), out.data_len);
	EXPECT_EQ(IOMMU_HW_INFO_SELFTEST_REGVAL, d.info.test_reg);
	EXPECT_EQ(0, d.info.flags);
	EXPECT_EQ(0, d.tail);
	EXPECT_EQ(0, out.out_max_pasid_log2);
	/* Mock domains track dirty pages unless the device says not. */
	EXPECT_EQ(IOMMU_HW_CAP_DIRTY_TRACKING, out.out_capabilities);

	/* Asked by type; a short buffer gets what fits, nothing beyond. */
	memset(&d, 0xff, sizeof(d));
	ASSERT_EQ(0, hw_info_get(self->fd, self->dev.idev,
				 IOMMU_HW_INFO_FLAG_INPUT_TYPE,
				 IOMMU_HW_INFO_TYPE_SELFTEST, &d, 4, &out));
	EXPECT_EQ(sizeof(d.info), out.data_len);
	EXPECT_EQ(0, d.info.flags);
	EXPECT_EQ(0xffffffff, d.info.test_reg);
	/* No buffer at all: the size only. */
	ASSERT_EQ(0, hw_info_get(self->fd, self->dev.idev, 0, 0, NULL, 0,
				 &out));
	EXPECT_EQ(sizeof(d.info), out.data_len);
}

TEST_F(mock, hw_info_errors)
{
	struct iommu_hw_info h = {
		.size = sizeof(h),
		.dev_id = self->dev.idev,
	};
	struct iommu_test_hw_info d;

	EXPECT_EQ(EOPNOTSUPP, hw_info_get(self->fd, self->dev.idev,
					  IOMMU_HW_INFO_FLAG_INPUT_TYPE,
					  IOMMU_HW_INFO_TYPE_INTEL_VTD, &d,
					  sizeof(d), NULL));
	EXPECT_EQ(EOPNOTSUPP, hw_info_get(self->fd, self->dev.idev, 2, 0,
					  &d, sizeof(d), NULL));
	h.__reserved[1] = 1;
	EXPECT_EQ(EOPNOTSUPP, raw_ioctl(self->fd, IOMMU_GET_HW_INFO, &h));
	EXPECT_EQ(ENOENT, hw_info_get(self->fd, self->ioas_id, 0, 0, &d,
				      sizeof(d), NULL));
	EXPECT_EQ(ENOENT, hw_info_get(self->fd, self->dev.hwpt, 0, 0, &d,
				      sizeof(d), NULL));
	EXPECT_EQ(ENOENT, hw_info_get(self->fd, 0, 0, 0, &d, sizeof(d),
				      NULL));
	EXPECT_EQ(EFAULT, hw_info_get(self->fd, self->dev.idev, 0, 0,
				      (void *)8, sizeof(d), NULL));
	/* Too short a struct for the command's first version. */
	h.__reserved[1] = 0;
	h.size = offsetof(struct iommu_hw_info, __reserved);
	EXPECT_EQ(EINVAL, raw_ioctl(self->fd, IOMMU_GET_HW_INFO, &h));
}

TEST_F(mock, map_unmap_loop)
{
	long pin0 = vm_pin_kb();
	uint64_t iova, done;
	unsigned int i;

	ASSERT_LE(0, pin0);
	for (i = 0; i < 1000; i++) {
		char *va = (char *)self->buf + PAGES(i % 16);

		ASSERT_EQ(0, ioas_map_auto(self->fd, self->ioas_id, va,
					   PAGES(4), &iova));
		if (i % 50 == 0)
			ASSERT_EQ(0, mock_check_map(self->fd, self->dev.hwpt,
						    iova, PAGES(4), va));
		ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, iova,
					PAGES(4), &done));
		ASSERT_EQ(PAGES(4), done);
	}
	ASSERT_EQ(pin0, vm_pin_kb());
	ASSERT_EQ(0, pin_refs_are(self->fd, self->buf, PAGES(20), 0));
}

/* ================================================================== */
/* Pinning in small batches (IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT)     */

FIXTURE(batch)
{
	int fd;
	uint32_t ioas_id;
	struct mock_dev_ids dev;
	void *buf;
	size_t buf_len;
};

FIXTURE_VARIANT(batch)
{
	uint32_t pages;
};

FIXTURE_VARIANT_ADD(batch, one_page)
{
	.pages = 1,
};

FIXTURE_VARIANT_ADD(batch, three_pages)
{
	.pages = 3,
};

FIXTURE_SETUP(batch)
{
	self->fd = dev_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ioas_create(self->fd, &self->ioas_id));
	ASSERT_EQ(0, mock_dev_add(self->fd, self->ioas_id, &self->dev));
	self->buf_len = PAGES(BUF_PAGES);
	self->buf = mem_get(self->buf_len);
	ASSERT_NE(NULL, self->buf);
	ASSERT_EQ(0, pin_batch_set(self->fd, variant->pages));
}

FIXTURE_TEARDOWN(batch)
{
	pin_batch_set(self->fd, 65536);
	obj_destroy(self->fd, self->dev.stdev);
	obj_destroy(self->fd, self->ioas_id);
	close(self->fd);
	mem_put(self->buf, self->buf_len);
}

TEST_F(batch, map_64_pages)
{
	char *buf = self->buf;
	long pin0 = vm_pin_kb();
	uint64_t iova, done;

	ASSERT_EQ(0, ioas_map_auto(self->fd, self->ioas_id, buf,
				   PAGES(BUF_PAGES), &iova));
	ASSERT_EQ(0, mock_check_map(self->fd, self->dev.hwpt, iova,
				    PAGES(BUF_PAGES), buf));
	ASSERT_EQ(0, pin_refs_are(self->fd, buf, PAGES(BUF_PAGES), 1));
	ASSERT_EQ(pin0 + pages_kb(BUF_PAGES), vm_pin_kb());
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, iova,
				PAGES(BUF_PAGES), &done));
	ASSERT_EQ(PAGES(BUF_PAGES), done);
	ASSERT_EQ(0, pin_refs_are(self->fd, buf, PAGES(BUF_PAGES), 0));

	/* Not starting on a page boundary. */
	ASSERT_EQ(0, ioas_map_auto(self->fd, self->ioas_id, buf + MOCK_IOPG,
				   PAGES(BUF_PAGES - 1), &iova));
	ASSERT_EQ(0, mock_check_map(self->fd, self->dev.hwpt, iova,
				    PAGES(BUF_PAGES - 1), buf + MOCK_IOPG));
	ASSERT_EQ(0, pin_refs_are(self->fd, buf, PAGES(BUF_PAGES), 1));
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, iova,
				PAGES(BUF_PAGES - 1), NULL));
	ASSERT_EQ(pin0, vm_pin_kb());
}

TEST_F(batch, fault_in_last_batch)
{
	char *buf = self->buf;
	long pin0 = vm_pin_kb();
	uint64_t iova;

	/* The last page cannot be pinned: every earlier batch is undone. */
	ASSERT_EQ(0, mprotect(buf + PAGES(BUF_PAGES - 1), page_size,
			      PROT_NONE));
	ASSERT_EQ(EFAULT, ioas_map_auto(self->fd, self->ioas_id, buf,
					PAGES(BUF_PAGES), &iova));
	ASSERT_EQ(0, pin_refs_are(self->fd, buf, PAGES(BUF_PAGES - 1), 0));
	ASSERT_EQ(pin0, vm_pin_kb());
	ASSERT_EQ(0, mprotect(buf + PAGES(BUF_PAGES - 1), page_size,
			      PROT_READ | PROT_WRITE));
	ASSERT_EQ(0, ioas_map_auto(self->fd, self->ioas_id, buf,
				   PAGES(BUF_PAGES), &iova));
	ASSERT_EQ(0, mock_check_map(self->fd, self->dev.hwpt, iova,
				    PAGES(BUF_PAGES), buf));
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, iova,
				PAGES(BUF_PAGES), NULL));
}

TEST_HARNESS_MAIN
