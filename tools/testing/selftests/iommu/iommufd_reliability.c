// SPDX-License-Identifier: GPL-2.0
/*
 * Regression tests for defects found by reviewing object lifetimes,
 * hostile sizes and the VFIO type1 compatibility of /dev/iommu: each test
 * names the defect it pins down. Races are made to happen every time by
 * the pause test kernels can put inside attach's race windows
 * (iommufd.test_race_delay_us), not by luck.
 *
 * Needs a kernel with CONFIG_IOMMUFD_TEST (the mock driver).
 */
#include <pthread.h>
#include <sys/resource.h>
#include <linux/vfio.h>

#include "../kselftest_harness.h"
#include "iommufd_core_util.h"

#define RACE_PARAM "/sys/module/iommufd/parameters/test_race_delay_us"
/* How long attach pauses at each HWPT of the IOAS; the destroy lands in it. */
#define RACE_PAUSE_US 300000
#define DESTROY_AFTER_US 100000

static int race_pause_set(unsigned int us)
{
	char val[16];
	int fd, len, ok;

	fd = open(RACE_PARAM, O_WRONLY);
	if (fd < 0)
		return errno;
	len = snprintf(val, sizeof(val), "%u", us);
	ok = write(fd, val, len) == len;
	close(fd);
	return ok ? 0 : EIO;
}

FIXTURE(objs)
{
	int fd;
	uint32_t ioas;
	void *buf;
	uint64_t iova;
};

FIXTURE_SETUP(objs)
{
	self->fd = open("/dev/iommu", O_RDWR);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ioas_create(self->fd, &self->ioas));
	self->buf = mem_get(page_size);
	ASSERT_NE(NULL, self->buf);
	self->iova = MOCK_APERTURE_START;
	ASSERT_EQ(0, ioas_map_at(self->fd, self->ioas, self->buf, page_size,
				 self->iova));
}

FIXTURE_TEARDOWN(objs)
{
	race_pause_set(0);
	close(self->fd);
	mem_put(self->buf, page_size);
}

struct attacher {
	int fd;
	uint32_t ioas;
	uint32_t flags;		/* MOCK_FLAGS_DEVICE_* of the device */
	int rc;
	struct mock_dev_ids ids;
};

static void *attach_fn(void *arg)
{
	struct attacher *a = arg;

	a->rc = a->flags ? mock_dev_op(a->fd, IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS,
				       a->ioas, a->flags, &a->ids) :
			   mock_dev_add(a->fd, a->ioas, &a->ids);
	return NULL;
}

/*
 * Defect 1: attach walked the IOAS's HWPT list and took a reference on a
 * HWPT whose destroy had already dropped its last user, then attached the
 * device to a domain that was freed under it. @destroy_id goes while a
 * second device's attach pauses on that HWPT; the attach must pass it by.
 */
static void attach_against_destroy(struct __test_metadata *_metadata,
				   struct _test_data_objs *self,
				   uint32_t dying_hwpt, uint32_t destroy_id)
{
	struct attacher a = { .fd = self->fd, .ioas = self->ioas };
	pthread_t thread;

	ASSERT_EQ(0, race_pause_set(RACE_PAUSE_US))
		TH_LOG("no %s: not a test kernel with the race pause",
		       RACE_PARAM);
	ASSERT_EQ(0, pthread_create(&thread, NULL, attach_fn, &a));
	usleep(DESTROY_AFTER_US);
	/* Waits for the attach to leave the IOAS, then finishes. */
	ASSERT_EQ(0, obj_destroy(self->fd, destroy_id));
	ASSERT_EQ(0, pthread_join(thread, NULL));
	ASSERT_EQ(0, race_pause_set(0));

	ASSERT_EQ(0, a.rc);
	EXPECT_NE(dying_hwpt, a.ids.hwpt)
		TH_LOG("the device joined HWPT %u while it was destroyed",
		       dying_hwpt);
	EXPECT_EQ(ENOENT, obj_destroy(self->fd, dying_hwpt));
	/* The new device works through a domain of its own. */
	EXPECT_EQ(0, mock_check_map(self->fd, a.ids.hwpt, self->iova,
				    page_size, self->buf));
	EXPECT_EQ(0, obj_destroy(self->fd, a.ids.stdev));
	/* Its automatic HWPT died with it, and nothing else is left. */
	EXPECT_EQ(ENOENT, obj_destroy(self->fd, a.ids.hwpt));
	EXPECT_EQ(0, obj_destroy(self->fd, self->ioas));
}

/* Defect 1, by the last detach of an automatic HWPT. */
TEST_F(objs, attach_vs_last_detach_of_auto_hwpt)
{
	struct mock_dev_ids first;

	ASSERT_EQ(0, mock_dev_add(self->fd, self->ioas, &first));
	attach_against_destroy(_metadata, self, first.hwpt, first.stdev);
}

/*
 * Defect 1, by IOMMU_DESTROY of a HWPT made with IOMMU_HWPT_ALLOC. An
 * attach to an IOAS passes such HWPTs by now in any case (it only joins
 * the ones attaches made, as Linux 6.12 does); the test keeps it so.
 */
TEST_F(objs, attach_vs_destroy_of_allocated_hwpt)
{
	struct mock_dev_ids first;
	uint32_t hwpt, other;

	/* A device on another IOAS lends its idev to IOMMU_HWPT_ALLOC. */
	ASSERT_EQ(0, ioas_create(self->fd, &other));
	ASSERT_EQ(0, mock_dev_add(self->fd, other, &first));
	ASSERT_EQ(0, hwpt_create(self->fd, first.idev, self->ioas, 0, &hwpt));
	attach_against_destroy(_metadata, self, hwpt, hwpt);
	EXPECT_EQ(0, obj_destroy(self->fd, first.stdev));
	EXPECT_EQ(0, obj_destroy(self->fd, other));
}

/*
 * Defect 10: an attach to an IOAS holds each automatic HWPT it tries while
 * it tries it. When the HWPT's last device left meanwhile, that detach
 * only dropped its reference (the attach held one), and the attach, which
 * could not use the HWPT, dropped its own without destroying it: a HWPT
 * nobody used stayed behind, keeping its IOAS busy. A device its IOMMU
 * cannot make snoop does not fit the first device's HWPT; the first
 * device goes while the attach pauses on it.
 */
TEST_F(objs, attach_tries_auto_hwpt_whose_last_device_leaves)
{
	struct attacher a = { .fd = self->fd, .ioas = self->ioas };
	struct mock_dev_ids first;
	pthread_t thread;

	ASSERT_EQ(0, mock_dev_add(self->fd, self->ioas, &first));
	ASSERT_EQ(0, race_pause_set(RACE_PAUSE_US))
		TH_LOG("no %s: not a test kernel with the race pause",
		       RACE_PARAM);
	a.flags = MOCK_FLAGS_DEVICE_NO_SNOOP_CONTROL;
	ASSERT_EQ(0, pthread_create(&thread, NULL, attach_fn, &a));
	/* One pause before the HWPT is taken, one after: leave in that. */
	usleep(RACE_PAUSE_US + RACE_PAUSE_US / 2);
	ASSERT_EQ(0, obj_destroy(self->fd, first.stdev));
	ASSERT_EQ(0, pthread_join(thread, NULL));
	ASSERT_EQ(0, race_pause_set(0));

	ASSERT_EQ(0, a.rc);
	EXPECT_NE(first.hwpt, a.ids.hwpt);
	EXPECT_EQ(ENOENT, obj_destroy(self->fd, first.hwpt))
		TH_LOG("HWPT %u outlived its last device", first.hwpt);
	EXPECT_EQ(0, obj_destroy(self->fd, a.ids.stdev));
	EXPECT_EQ(0, obj_destroy(self->fd, self->ioas));
}

/*
 * Defect 2: the compat IOAS ID outlived its IOAS, so an IOAS that later got
 * the same ID silently became the compat IOAS (and VFIO's group attach
 * spun forever looking for it: vfio_cdev_dma covers that half).
 */
TEST_F(objs, vfio_ioas_forgotten_when_destroyed)
{
	uint32_t id = self->ioas, again, got = 0;

	ASSERT_EQ(0, ifd_vfio_ioas(self->fd, IOMMU_VFIO_IOAS_SET, &id));
	ASSERT_EQ(0, ioas_unmap_everything(self->fd, self->ioas, NULL));
	ASSERT_EQ(0, obj_destroy(self->fd, self->ioas));
	ASSERT_EQ(ENODEV, ifd_vfio_ioas(self->fd, IOMMU_VFIO_IOAS_GET, &got));
	ASSERT_EQ(0, ioas_create(self->fd, &again));
	ASSERT_EQ(self->ioas, again) TH_LOG("IDs are reused lowest first");
	EXPECT_EQ(ENODEV, ifd_vfio_ioas(self->fd, IOMMU_VFIO_IOAS_GET, &got))
		TH_LOG("IOAS %u became the compat IOAS by its number", got);
	/* Type1 calls have no IOAS to work on either. */
	EXPECT_EQ(ENODEV, errno_of(ioctl(self->fd, VFIO_SET_IOMMU,
					 VFIO_TYPE1v2_IOMMU)));
}

/*
 * Defect 3: a map's page array was allocated before RLIMIT_MEMLOCK was
 * checked, and above about 1 TiB kvmalloc() warned. Now a map with no
 * domain records the range and nothing else: a map of 2 TiB of address
 * space (PROT_NONE, never touched) succeeds. The attach that pins a map
 * (one the mock's 2 GiB aperture holds) fails, having pinned nothing.
 */
TEST(map_beyond_memory_pins_at_attach)
{
	size_t len = 2ULL << 40, in_aperture = 1ULL << 30;
	const uint64_t far = 1ULL << 44;
	struct mock_dev_ids dev;
	long pin0 = vm_pin_kb();
	uint64_t done = 0;
	uint32_t ioas;
	void *va;
	int fd;

	va = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
		  MAP_NORESERVE, -1, 0);
	if (va == MAP_FAILED)
		SKIP(return, "no 2 TiB of address space");
	fd = open("/dev/iommu", O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioas_create(fd, &ioas));
	ASSERT_EQ(0, ioas_map_at(fd, ioas, va, len, far));
	EXPECT_EQ(pin0, vm_pin_kb());
	EXPECT_EQ(0, ioas_unmap(fd, ioas, far, len, &done));
	EXPECT_EQ(len, done);

	ASSERT_EQ(0, ioas_map_at(fd, ioas, va, in_aperture,
				 MOCK_APERTURE_START));
	/* Root is not limited: GUP finds no page to pin. */
	EXPECT_EQ(EFAULT, mock_dev_add(fd, ioas, &dev));
	EXPECT_EQ(pin0, vm_pin_kb());
	EXPECT_EQ(0, ioas_unmap(fd, ioas, MOCK_APERTURE_START, in_aperture,
				&done));
	EXPECT_EQ(in_aperture, done);
	/* The IOAS is whole: a device attaches once the map is gone. */
	EXPECT_EQ(0, mock_dev_add(fd, ioas, &dev));
	close(fd);
	munmap(va, len);
}

/*
 * Defect 3, as a user without CAP_IPC_LOCK: a map far over the limit
 * succeeds with no domain, charging nothing; the attach fails on the limit
 * before pinning a page, and so does one whose maps run over the limit
 * only in their second area. Exits with the number of the failed step.
 */
static int over_rlimit_child(void *va, size_t len, void *mem, size_t mlen)
{
	struct rlimit lim = { 1 << 20, 1 << 20 };
	struct mock_dev_ids dev;
	long pin0 = vm_pin_kb();
	uint32_t ioas, ioas2;
	int fd;

	fd = open("/dev/iommu", O_RDWR);
	if (fd < 0 || ioas_create(fd, &ioas) || ioas_create(fd, &ioas2) ||
	    setrlimit(RLIMIT_MEMLOCK, &lim) || give_up_ipc_lock())
		return 2;
	if (ioas_map_at(fd, ioas, va, len, 1ULL << 44))
		return 3;
	if (vm_pin_kb() != pin0 ||
	    ioas_unmap(fd, ioas, 1ULL << 44, len, NULL))
		return 4;
	/* A map the aperture holds: 1 GiB, still 1024 times the limit. */
	if (ioas_map_at(fd, ioas, va, 1ULL << 30, MOCK_APERTURE_START) ||
	    mock_dev_add(fd, ioas, &dev) != ENOMEM || vm_pin_kb() != pin0)
		return 5;
	/* 768 KiB fits, 1.5 MiB does not: the first area is let go again. */
	if (ioas_map_at(fd, ioas2, mem, mlen / 2, MOCK_APERTURE_START) ||
	    ioas_map_at(fd, ioas2, (char *)mem + mlen / 2, mlen / 2,
			MOCK_APERTURE_START + mlen))
		return 6;
	if (mock_dev_add(fd, ioas2, &dev) != ENOMEM || vm_pin_kb() != pin0 ||
	    pin_refs_are(fd, mem, mlen, 0))
		return 7;
	return 0;
}

TEST(map_over_rlimit_charges_at_attach)
{
	size_t len = 1ULL << 40, mlen = 3 << 19;
	void *va, *mem;
	pid_t pid;
	int st;

	va = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
		  MAP_NORESERVE, -1, 0);
	if (va == MAP_FAILED)
		SKIP(return, "no 1 TiB of address space");
	mem = mem_get(mlen);
	ASSERT_NE(NULL, mem);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(over_rlimit_child(va, len, mem, mlen));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFEXITED(st));
	EXPECT_EQ(0, WEXITSTATUS(st));
	munmap(va, len);
	mem_put(mem, mlen);
}

/*
 * Defect 3: IOMMU_IOAS_ALLOW_IOVAS allocated num_iovas entries up front,
 * whatever the user actually supplied. Now ranges are read one by one: a
 * huge count over a short array faults at the first range missing.
 */
TEST_F(objs, allow_iovas_huge_count)
{
	struct iommu_iova_range *r;
	struct iommu_ioas_allow_iovas a = {
		.size = sizeof(a),
		.ioas_id = self->ioas,
		.num_iovas = UINT32_MAX,
	};
	uint64_t iova;

	/* One valid range, then an unmapped page. */
	r = mmap(NULL, 2 * page_size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, r);
	ASSERT_EQ(0, munmap((char *)r + page_size, page_size));
	memset(r, 0, page_size);
	for (size_t i = 0; i < page_size / sizeof(*r); i++) {
		r[i].start = MOCK_APERTURE_START + (i * 2 + 2) * page_size;
		r[i].last = r[i].start + page_size - 1;
	}
	a.allowed_iovas = ptr_u64(r);
	EXPECT_EQ(EFAULT, raw_ioctl(self->fd, IOMMU_IOAS_ALLOW_IOVAS, &a));
	/* Nothing changed: automatic IOVAs still come from anywhere. */
	a.num_iovas = 1;
	ASSERT_EQ(0, raw_ioctl(self->fd, IOMMU_IOAS_ALLOW_IOVAS, &a));
	ASSERT_EQ(0, ioas_map_auto(self->fd, self->ioas, self->buf, page_size,
				   &iova));
	EXPECT_EQ(r[0].start, iova);
	munmap(r, page_size);
}

/*
 * Defect 6: a copied slice kept the whole pinned run of its source alive,
 * so a one-page copy of a large map kept all of it pinned after the
 * source was unmapped. Now exactly the pages something maps stay pinned.
 */
TEST_F(objs, copy_keeps_only_its_slice_pinned)
{
	const size_t npages = 64, at = 5;
	uint64_t src_iova = MOCK_APERTURE_START + (1 << 20), dst_iova;
	uint32_t dst;
	char *big;
	long base;

	big = mem_get(npages * page_size);
	ASSERT_NE(NULL, big);
	ASSERT_EQ(0, ioas_create(self->fd, &dst));
	ASSERT_EQ(0, ioas_give_domain(self->fd, self->ioas));
	ASSERT_EQ(0, ioas_give_domain(self->fd, dst));
	base = vm_pin_kb();
	ASSERT_EQ(0, ioas_map_at(self->fd, self->ioas, big,
				 npages * page_size, src_iova));
	EXPECT_EQ(base + pages_kb(npages), vm_pin_kb());
	ASSERT_EQ(0, ioas_copy(self->fd, dst, self->ioas,
			       src_iova + at * page_size, page_size,
			       &dst_iova, MAP_RW));
	EXPECT_EQ(base + pages_kb(npages), vm_pin_kb());

	/* The source goes: only the copied page stays pinned, once. */
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas, src_iova,
				npages * page_size, NULL));
	EXPECT_EQ(base + pages_kb(1), vm_pin_kb());
	EXPECT_EQ(0, pin_refs_are(self->fd, big + at * page_size, page_size,
				  1));
	EXPECT_EQ(0, pin_refs_are(self->fd, big, at * page_size, 0));
	EXPECT_EQ(0, pin_refs_are(self->fd, big + (at + 1) * page_size,
				  (npages - at - 1) * page_size, 0));

	/* The copy still reaches the right page. */
	big[at * page_size] = 0x5a;
	EXPECT_EQ(0, ioas_unmap(self->fd, dst, dst_iova, page_size, NULL));
	EXPECT_EQ(base, vm_pin_kb());
	mem_put(big, npages * page_size);
}

/*
 * Defect 4, iommufd's half: a HWPT blocks no-snoop DMA where the device's
 * IOMMU can (IOMMU_CAP_ENFORCE_CACHE_COHERENCY), and a device goes only to
 * HWPTs that match what its IOMMU can do, so whether its DMA snoops is a
 * property of the device that VFIO can report to KVM.
 */
TEST_F(objs, snooping_and_non_snooping_devices_do_not_share)
{
	const uint32_t nosnoop = MOCK_FLAGS_DEVICE_NO_SNOOP_CONTROL;
	struct mock_dev_ids plain, snoop, plain2, snoop2;
	struct iommu_test_cmd c = {};
	uint32_t hwpt;

	ASSERT_EQ(0, mock_dev_add_flags(self->fd, self->ioas, nosnoop, &plain));
	ASSERT_EQ(0, mock_dev_add_flags(self->fd, self->ioas, 0, &snoop));
	EXPECT_NE(plain.hwpt, snoop.hwpt);
	/* Each kind joins its own kind's HWPT. */
	ASSERT_EQ(0, mock_dev_add_flags(self->fd, self->ioas, nosnoop, &plain2));
	EXPECT_EQ(plain.hwpt, plain2.hwpt);
	ASSERT_EQ(0, mock_dev_add_flags(self->fd, self->ioas, 0, &snoop2));
	EXPECT_EQ(snoop.hwpt, snoop2.hwpt);
	/* Both domains map the IOAS. */
	EXPECT_EQ(0, mock_check_map(self->fd, plain.hwpt, self->iova,
				    page_size, self->buf));
	EXPECT_EQ(0, mock_check_map(self->fd, snoop.hwpt, self->iova,
				    page_size, self->buf));

	/* Named explicitly, the other kind's HWPT is refused. */
	c.mock_domain_replace.pt_id = snoop.hwpt;
	EXPECT_EQ(EINVAL, test_op(self->fd, IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE,
				  plain2.stdev, &c));
	EXPECT_EQ(EINVAL, mock_dev_add_flags(self->fd, plain.hwpt, 0, &snoop2));
	/* IOMMU_HWPT_ALLOC follows the device it is made for. */
	ASSERT_EQ(0, hwpt_create(self->fd, plain.idev, self->ioas, 0, &hwpt));
	c.mock_domain_replace.pt_id = hwpt;
	EXPECT_EQ(EINVAL, test_op(self->fd, IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE,
				  snoop.stdev, &c));
	EXPECT_EQ(0, test_op(self->fd, IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE,
			     plain2.stdev, &c));

	EXPECT_EQ(0, obj_destroy(self->fd, plain.stdev));
	EXPECT_EQ(0, obj_destroy(self->fd, plain2.stdev));
	EXPECT_EQ(0, obj_destroy(self->fd, snoop.stdev));
	EXPECT_EQ(0, obj_destroy(self->fd, snoop2.stdev));
	EXPECT_EQ(0, obj_destroy(self->fd, hwpt));
}

/*
 * Found by the fuzzer: when no hole fitted the preferred alignment, the
 * fallback took any hole that fitted the domains' alignment (1 without a
 * domain), so a page-aligned buffer could land at an IOVA in the middle
 * of a page. The only hole here is two pages long but starts mid-page.
 */
TEST_F(objs, chosen_iova_keeps_the_page_offset)
{
	uint64_t base = MOCK_APERTURE_START + (16 << 20), iova;
	uint32_t ioas;
	char *buf;

	buf = mem_get(2 * page_size);
	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, ioas_create(self->fd, &ioas));
	ASSERT_EQ(0, ioas_allow_one(self->fd, ioas, base + page_size / 2 + 1,
				    base + page_size / 2 + 2 * page_size));
	EXPECT_EQ(ENOSPC, ioas_map_auto(self->fd, ioas, buf, 2 * page_size,
					&iova))
		TH_LOG("mapped at 0x%llx", (unsigned long long)iova);
	/* A page's worth more room, and it lands on a page boundary. */
	ASSERT_EQ(0, ioas_allow_one(self->fd, ioas, base + page_size / 2 + 1,
				    base + page_size / 2 + 3 * page_size));
	ASSERT_EQ(0, ioas_map_auto(self->fd, ioas, buf, 2 * page_size, &iova));
	EXPECT_EQ(0, iova % page_size);
	EXPECT_EQ(0, obj_destroy(self->fd, ioas));
	mem_put(buf, 2 * page_size);
}

/* ---------------------------------------------------------------- */
/* Defect 8: VFIO type1 compatibility on /dev/iommu                  */

FIXTURE(type1)
{
	int fd;
	uint32_t ioas;
	void *buf;
	size_t len;
};

FIXTURE_VARIANT(type1)
{
	int version;
	bool domain;
};

FIXTURE_VARIANT_ADD(type1, v1_no_domain)
{
	.version = VFIO_TYPE1_IOMMU,
};

FIXTURE_VARIANT_ADD(type1, v1_domain)
{
	.version = VFIO_TYPE1_IOMMU,
	.domain = true,
};

FIXTURE_VARIANT_ADD(type1, v2_domain)
{
	.version = VFIO_TYPE1v2_IOMMU,
	.domain = true,
};

FIXTURE_SETUP(type1)
{
	uint32_t id;

	self->fd = open("/dev/iommu", O_RDWR);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ioas_create(self->fd, &self->ioas));
	id = self->ioas;
	ASSERT_EQ(0, ifd_vfio_ioas(self->fd, IOMMU_VFIO_IOAS_SET, &id));
	self->len = 4 * page_size;
	self->buf = mem_get(self->len);
	ASSERT_NE(NULL, self->buf);
}

FIXTURE_TEARDOWN(type1)
{
	close(self->fd);
	mem_put(self->buf, self->len);
}

static int t1_map(int fd, void *va, uint64_t iova, uint64_t size)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = ptr_u64(va),
		.iova = iova,
		.size = size,
	};

	return raw_ioctl(fd, VFIO_IOMMU_MAP_DMA, &m);
}

static int t1_unmap(int fd, uint64_t iova, uint64_t size, uint64_t *done)
{
	struct vfio_iommu_type1_dma_unmap u = {
		.argsz = sizeof(u),
		.iova = iova,
		.size = size,
	};
	int rc = raw_ioctl(fd, VFIO_IOMMU_UNMAP_DMA, &u);

	if (!rc && done)
		*done = u.size;
	return rc;
}

/* With no domain, type1 reports every page size from PAGE_SIZE up. */
TEST_F(type1, pgsizes_without_domain)
{
	struct vfio_iommu_type1_info info = { .argsz = sizeof(info) };

	ASSERT_EQ(0, raw_ioctl(self->fd, VFIO_IOMMU_GET_INFO, &info));
	ASSERT_TRUE(info.flags & VFIO_IOMMU_INFO_PGSIZES);
	EXPECT_EQ(~(uint64_t)(page_size - 1), info.iova_pgsizes);
}

/* Type1 refuses a misaligned unmap even where nothing is mapped. */
TEST_F(type1, unaligned_unmap_of_nothing)
{
	uint64_t base = MOCK_APERTURE_START;

	ASSERT_EQ(0, raw_ioctl(self->fd, VFIO_SET_IOMMU, (void *)(long)
			       VFIO_TYPE1v2_IOMMU));
	EXPECT_EQ(0, t1_unmap(self->fd, base, page_size, NULL));
	EXPECT_EQ(EINVAL, t1_unmap(self->fd, base + 1, page_size, NULL));
	EXPECT_EQ(EINVAL, t1_unmap(self->fd, base, page_size + 1, NULL));
	EXPECT_EQ(EINVAL, t1_unmap(self->fd, base, 0, NULL));
}

/* V1 may unmap any page of a mapping; v2 refuses to cut one. */
TEST_F(type1, partial_unmap)
{
	uint64_t base = MOCK_APERTURE_START, done;
	struct mock_dev_ids dev = {};
	char *buf = self->buf;

	ASSERT_EQ(0, raw_ioctl(self->fd, VFIO_SET_IOMMU,
			       (void *)(long)variant->version));
	if (variant->domain)
		ASSERT_EQ(0, mock_dev_add(self->fd, self->ioas, &dev));
	ASSERT_EQ(0, t1_map(self->fd, buf, base, self->len));

	if (variant->version != VFIO_TYPE1_IOMMU) {
		EXPECT_EQ(ENOENT, t1_unmap(self->fd, base + page_size,
					   page_size, NULL));
		EXPECT_EQ(0, t1_unmap(self->fd, base, self->len, &done));
		EXPECT_EQ(self->len, done);
		goto out;
	}
	/* Pages 1 and 3 go; 0 and 2 stay mapped, in the domain too. */
	ASSERT_EQ(0, t1_unmap(self->fd, base + page_size, page_size, &done));
	EXPECT_EQ(page_size, done);
	ASSERT_EQ(0, t1_unmap(self->fd, base + 3 * page_size, page_size,
			      &done));
	EXPECT_EQ(page_size, done);
	if (variant->domain) {
		EXPECT_EQ(0, mock_check_map(self->fd, dev.hwpt, base,
					    page_size, buf));
		EXPECT_EQ(0, mock_check_map(self->fd, dev.hwpt,
					    base + 2 * page_size, page_size,
					    buf + 2 * page_size));
		EXPECT_NE(0, mock_check_map(self->fd, dev.hwpt,
					    base + page_size, page_size,
					    buf + page_size));
	}
	/* The rest unmaps in one go and reports the two pages left. */
	EXPECT_EQ(0, t1_unmap(self->fd, base, self->len, &done));
	EXPECT_EQ(2 * page_size, done);
out:
	if (variant->domain)
		EXPECT_EQ(0, obj_destroy(self->fd, dev.stdev));
	EXPECT_EQ(0, pin_refs_are(self->fd, buf, self->len, 0));
}

/* ---------------------------------------------------------------- */
/* Defect 9: an unmap that gives up must not leave areas unpinnable  */

TEST_F(objs, deadlocked_unmap_undrains_every_area)
{
	uint64_t second = self->iova + 2 * page_size;
	int good, stuck;
	uint32_t pin, stuck_pin;
	void *buf2;

	buf2 = mem_get(page_size);
	ASSERT_NE(NULL, buf2);
	ASSERT_EQ(0, ioas_map_at(self->fd, self->ioas, buf2, page_size,
				 second));
	ASSERT_EQ(0, access_create(self->fd, self->ioas,
				   MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES,
				   &good));
	ASSERT_EQ(0, access_create(self->fd, self->ioas,
				   MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES |
				   MOCK_FLAGS_ACCESS_CREATE_KEEP_PINS, &stuck));
	/* A well-behaved user pins the first area, a broken one the second. */
	ASSERT_EQ(0, access_pin(self->fd, good, self->iova, page_size, NULL,
				0, &pin));
	ASSERT_EQ(0, access_pin(self->fd, stuck, second, page_size, NULL, 0,
				&stuck_pin));

	EXPECT_EQ(EDEADLOCK, ioas_unmap(self->fd, self->ioas, self->iova,
					3 * page_size, NULL));
	/* Both areas are still mapped and open to new pins. */
	EXPECT_EQ(0, access_pin(self->fd, good, self->iova, page_size, NULL,
				0, &pin));
	EXPECT_EQ(0, access_unpin(self->fd, good, pin));
	EXPECT_EQ(0, access_pin(self->fd, good, second, page_size, NULL, 0,
				&pin));
	EXPECT_EQ(0, access_unpin(self->fd, good, pin));

	/* Once the broken user lets go, the unmap goes through. */
	EXPECT_EQ(0, access_unpin(self->fd, stuck, stuck_pin));
	EXPECT_EQ(0, ioas_unmap(self->fd, self->ioas, self->iova,
				3 * page_size, NULL));
	close(good);
	close(stuck);
	mem_put(buf2, page_size);
}

/*
 * The charging identity an IOAS caches is replaced whenever a map comes
 * with other credentials, while maps of the same IOAS look it up without
 * a lock. Two threads of one process map and unmap their own pages into
 * one IOAS with a domain; one changes its effective group (new
 * credentials, for that thread only) before every map, so the cached
 * identity is replaced and dropped over and over under the other's
 * lookups. Every call must succeed and every pin and charge be undone.
 */
#define ACCT_ROUNDS 3000

struct acct_mapper {
	int fd;
	uint32_t ioas;
	void *buf;
	uint64_t iova;
	bool switch_creds;
	int rc;
};

static void *acct_map_fn(void *arg)
{
	struct acct_mapper *m = arg;
	uint64_t done;
	int i;

	for (i = 0; i < ACCT_ROUNDS && !m->rc; i++) {
		if (m->switch_creds &&
		    syscall(SYS_setresgid, -1, (gid_t)(i & 1), -1)) {
			m->rc = errno;
			break;
		}
		m->rc = ioas_map_at(m->fd, m->ioas, m->buf, page_size,
				    m->iova);
		if (!m->rc)
			m->rc = ioas_unmap(m->fd, m->ioas, m->iova, page_size,
					   &done);
		if (!m->rc && done != page_size)
			m->rc = EIO;
	}
	return NULL;
}

TEST_F(objs, acct_identity_replaced_while_mapping)
{
	struct acct_mapper m[2];
	struct mock_dev_ids d;
	pthread_t thread[2];
	long pin0;
	int i;

	ASSERT_EQ(0, mock_dev_add(self->fd, self->ioas, &d));
	pin0 = vm_pin_kb();
	for (i = 0; i < 2; i++) {
		m[i] = (struct acct_mapper){
			.fd = self->fd,
			.ioas = self->ioas,
			.buf = mem_get(page_size),
			.iova = self->iova + (i + 1) * 0x100000,
			.switch_creds = i,
		};
		ASSERT_NE(NULL, m[i].buf);
	}
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&thread[i], NULL, acct_map_fn,
					    &m[i]));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, pthread_join(thread[i], NULL));
		EXPECT_EQ(0, m[i].rc);
	}
	EXPECT_EQ(pin0, vm_pin_kb());
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(0, pin_refs_are(self->fd, m[i].buf, page_size, 0));
		mem_put(m[i].buf, page_size);
	}
	EXPECT_EQ(0, obj_destroy(self->fd, d.stdev));
}

TEST_HARNESS_MAIN
