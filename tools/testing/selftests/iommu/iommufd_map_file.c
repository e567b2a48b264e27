// SPDX-License-Identifier: GPL-2.0
/*
 * IOMMU_IOAS_MAP_FILE: memory named by a memfd and an offset instead of a
 * user address (how QEMU 10.1 and later map guest RAM). Checked against
 * the mock IOMMU, whose domain shows the PFN behind each IOVA, and the
 * test interface's emulated device, which reads and writes by IOVA.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <sys/mman.h>
#include <sys/resource.h>

#include "../kselftest_harness.h"
#include "iommufd_core_util.h"

#define NPAGES		8
/* Inside the mock aperture. */
#define FILE_IOVA	0x02000000ULL

FIXTURE(map_file) {
	int fd;
	uint32_t ioas;
	struct mock_dev_ids mock;
	int mfd;
	size_t len;
	uint8_t *va;		/* the memfd, mapped shared */
};

FIXTURE_SETUP(map_file)
{
	size_t i;

	self->fd = open("/dev/iommu", O_RDWR);
	ASSERT_LE(0, self->fd);
	/* Charges show in VmLck (the process mode); set before any object. */
	ASSERT_EQ(0, ifd_option_set(self->fd, IOMMU_OPTION_RLIMIT_MODE, 0, 1));
	ASSERT_EQ(0, ioas_create(self->fd, &self->ioas));
	ASSERT_EQ(0, mock_dev_add(self->fd, self->ioas, &self->mock));
	self->len = NPAGES * page_size;
	self->mfd = memfd_create("map_file", MFD_ALLOW_SEALING);
	ASSERT_LE(0, self->mfd);
	ASSERT_EQ(0, ftruncate(self->mfd, self->len));
	self->va = mmap(NULL, self->len, PROT_READ | PROT_WRITE, MAP_SHARED,
			self->mfd, 0);
	ASSERT_NE(MAP_FAILED, self->va);
	for (i = 0; i < self->len; i++)
		self->va[i] = i * 7 + i / page_size;
}

FIXTURE_TEARDOWN(map_file)
{
	if (self->va && self->va != MAP_FAILED)
		munmap(self->va, self->len);
	close(self->mfd);
	close(self->fd);
}

/* The mock domain maps the file's own pages, from the offset given. */
TEST_F(map_file, maps_the_file_pages)
{
	uint64_t iova = FILE_IOVA, done;

	ASSERT_EQ(0, ioas_map_file(self->fd, self->ioas, self->mfd, page_size,
				   4 * page_size, &iova,
				   MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA));
	EXPECT_EQ(FILE_IOVA, iova);
	EXPECT_EQ(0, mock_check_map(self->fd, self->mock.hwpt, iova,
				    4 * page_size, self->va + page_size));
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas, iova, 4 * page_size,
				&done));
	EXPECT_EQ(4 * page_size, done);
}

/*
 * A kernel-chosen IOVA keeps the offset's place within a page (half a
 * page in: the mock IOMMU's page), and an emulated device reads and
 * writes the file through it.
 */
TEST_F(map_file, unaligned_offset_and_access)
{
	uint64_t iova = 0, off = 2 * page_size + MOCK_IOPG;
	uint8_t got[256], put[256];
	size_t i;
	int afd;

	ASSERT_EQ(0, ioas_map_file(self->fd, self->ioas, self->mfd, off,
				   3 * page_size, &iova, MAP_RW));
	EXPECT_EQ(off % page_size, iova % page_size);
	ASSERT_EQ(0, access_create(self->fd, self->ioas, 0, &afd));
	ASSERT_EQ(0, access_rw(self->fd, afd, iova + page_size - 50, got,
			       sizeof(got), 0));
	EXPECT_EQ(0, memcmp(got, self->va + off + page_size - 50,
			    sizeof(got)));
	for (i = 0; i < sizeof(put); i++)
		put[i] = ~i;
	ASSERT_EQ(0, access_rw(self->fd, afd, iova + 10, put, sizeof(put),
			       MOCK_ACCESS_RW_WRITE));
	EXPECT_EQ(0, memcmp(put, self->va + off + 10, sizeof(put)));
	close(afd);
}

/*
 * Pages are charged once, as for IOMMU_IOAS_MAP (here in VmLck, the
 * process mode), a copy charges nothing more, and the last unmap
 * uncharges them.
 */
TEST_F(map_file, accounting)
{
	uint64_t iova = 0, iova2 = 0, done;
	uint32_t ioas2;
	long lck0;

	lck0 = vm_lck_kb();
	ASSERT_LE(0, lck0);
	ASSERT_EQ(0, ioas_create(self->fd, &ioas2));
	/* Without a domain nothing is charged yet. */
	ASSERT_EQ(0, ioas_map_file(self->fd, ioas2, self->mfd, 0, self->len,
				   &iova, MAP_RW));
	EXPECT_EQ(lck0, vm_lck_kb());
	ASSERT_EQ(0, ioas_unmap(self->fd, ioas2, iova, self->len, &done));

	ASSERT_EQ(0, ioas_give_domain(self->fd, ioas2));
	ASSERT_EQ(0, ioas_map_file(self->fd, self->ioas, self->mfd, 0,
				   self->len, &iova, MAP_RW));
	EXPECT_EQ(lck0 + pages_kb(NPAGES), vm_lck_kb());
	ASSERT_EQ(0, ioas_copy(self->fd, ioas2, self->ioas, iova, self->len,
			       &iova2, MAP_RW));
	EXPECT_EQ(lck0 + pages_kb(NPAGES), vm_lck_kb());
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas, iova, self->len, &done));
	EXPECT_EQ(lck0 + pages_kb(NPAGES), vm_lck_kb());
	ASSERT_EQ(0, ioas_unmap(self->fd, ioas2, iova2, self->len, &done));
	EXPECT_EQ(lck0, vm_lck_kb());
}

/*
 * A file that shrinks under the map: the IOAS keeps the pages it took
 * (the device never reaches a freed page; KASAN checks in the debug
 * lane), reads through the IOVA still see the old bytes, and the unmap
 * lets them go.
 */
TEST_F(map_file, truncated_file)
{
	uint8_t before[64], got[64];
	uint64_t iova = 0, done;
	int afd;

	ASSERT_EQ(0, ioas_map_file(self->fd, self->ioas, self->mfd, 0,
				   self->len, &iova, MAP_RW));
	memcpy(before, self->va + 5 * page_size, sizeof(before));
	munmap(self->va, self->len);
	self->va = NULL;
	ASSERT_EQ(0, ftruncate(self->mfd, 0));
	ASSERT_EQ(0, access_create(self->fd, self->ioas, 0, &afd));
	ASSERT_EQ(0, access_rw(self->fd, afd, iova + 5 * page_size, got,
			       sizeof(got), 0));
	EXPECT_EQ(0, memcmp(before, got, sizeof(got)));
	close(afd);
	/* A map of what the file no longer has fails. */
	EXPECT_EQ(EINVAL, ioas_map_file(self->fd, self->ioas, self->mfd, 0,
					page_size, &iova, MAP_RW));
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas, 0, UINT64_MAX, &done));
	EXPECT_EQ(self->len, done);
}

/*
 * Without a domain the pages are taken when first needed: a file that
 * shrank before then fails the attach (and a read through an access) with
 * EINVAL, and leaves nothing taken or charged.
 */
TEST_F(map_file, truncated_before_needed)
{
	uint64_t iova = 0, done;
	struct mock_dev_ids dev;
	uint32_t ioas2;
	uint8_t got[8];
	long lck0;
	int afd;

	lck0 = vm_lck_kb();
	ASSERT_EQ(0, ioas_create(self->fd, &ioas2));
	iova = MOCK_APERTURE_START;
	ASSERT_EQ(0, ioas_map_file(self->fd, ioas2, self->mfd, 0, self->len,
				   &iova, MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA));
	ASSERT_EQ(0, ftruncate(self->mfd, self->len / 2));
	ASSERT_EQ(0, access_create(self->fd, ioas2, 0, &afd));
	EXPECT_EQ(0, access_rw(self->fd, afd, iova, got, sizeof(got), 0));
	EXPECT_EQ(EINVAL, access_rw(self->fd, afd, iova + self->len - 8, got,
				    sizeof(got), 0));
	close(afd);
	EXPECT_EQ(EINVAL, mock_dev_add(self->fd, ioas2, &dev));
	EXPECT_EQ(lck0, vm_lck_kb());
	ASSERT_EQ(0, ioas_unmap(self->fd, ioas2, iova, self->len, &done));
	EXPECT_EQ(0, mock_dev_add(self->fd, ioas2, &dev));
}

/*
 * A writable map holds the file writable: sealing it against writes fails
 * while the map exists, and a write-sealed file maps read-only only.
 */
TEST_F(map_file, write_seal)
{
	uint64_t iova = 0, done;

	munmap(self->va, self->len);
	self->va = NULL;
	ASSERT_EQ(0, ioas_map_file(self->fd, self->ioas, self->mfd, 0,
				   self->len, &iova, MAP_RW));
	EXPECT_EQ(-1, fcntl(self->mfd, F_ADD_SEALS, F_SEAL_WRITE));
	EXPECT_EQ(EBUSY, errno);
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas, iova, self->len, &done));
	ASSERT_EQ(0, fcntl(self->mfd, F_ADD_SEALS, F_SEAL_WRITE));
	EXPECT_EQ(EPERM, ioas_map_file(self->fd, self->ioas, self->mfd, 0,
				       self->len, &iova, MAP_RW));
	EXPECT_EQ(0, ioas_map_file(self->fd, self->ioas, self->mfd, 0,
				   self->len, &iova, IOMMU_IOAS_MAP_READABLE));
}

/* Every errno of the command; none leaves anything mapped or charged. */
TEST_F(map_file, errors)
{
	struct iommu_iova_range r[4];
	uint64_t iova = 0;
	uint32_t n = 4;
	char path[64];
	long lck0;
	int ro, fd2;

	lck0 = vm_lck_kb();
	EXPECT_EQ(EBADF, ioas_map_file(self->fd, self->ioas, -1, 0,
				       page_size, &iova, MAP_RW));
	/* Not shmem: /dev/iommu itself, a hugetlb memfd. */
	EXPECT_EQ(EINVAL, ioas_map_file(self->fd, self->ioas, self->fd, 0,
					page_size, &iova, MAP_RW));
	fd2 = memfd_create("map_file_huge", MFD_HUGETLB);
	if (fd2 >= 0) {
		EXPECT_EQ(EINVAL, ioas_map_file(self->fd, self->ioas, fd2, 0,
						page_size, &iova, MAP_RW));
		close(fd2);
	}
	EXPECT_EQ(EINVAL, ioas_map_file(self->fd, self->ioas, self->mfd, 0,
					0, &iova, MAP_RW));
	/* Past the end of the file, or straddling it. */
	EXPECT_EQ(EINVAL, ioas_map_file(self->fd, self->ioas, self->mfd,
					self->len, page_size, &iova, MAP_RW));
	EXPECT_EQ(EINVAL, ioas_map_file(self->fd, self->ioas, self->mfd,
					self->len - page_size, 2 * page_size,
					&iova, MAP_RW));
	EXPECT_EQ(EOVERFLOW, ioas_map_file(self->fd, self->ioas, self->mfd,
					   UINT64_MAX - page_size, 2 * page_size,
					   &iova, MAP_RW));
	EXPECT_EQ(EOPNOTSUPP, ioas_map_file(self->fd, self->ioas, self->mfd, 0,
					    page_size, &iova, MAP_RW | 1U << 8));
	EXPECT_EQ(EINVAL, ioas_map_file(self->fd, self->ioas, self->mfd, 0,
					page_size, &iova, 0));
	EXPECT_EQ(ENOENT, ioas_map_file(self->fd, self->mock.hwpt, self->mfd,
					0, page_size, &iova, MAP_RW));
	/* Outside the mock aperture: reserved. */
	iova = 0;
	EXPECT_EQ(EINVAL, ioas_map_file(self->fd, self->ioas, self->mfd, 0,
					page_size, &iova,
					MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA));
	/* Open for reading only: no writable map, a readable one is fine. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", self->mfd);
	ro = open(path, O_RDONLY);
	ASSERT_LE(0, ro);
	EXPECT_EQ(EPERM, ioas_map_file(self->fd, self->ioas, ro, 0, page_size,
				       &iova, MAP_RW));
	EXPECT_EQ(0, ioas_map_file(self->fd, self->ioas, ro, 0, page_size,
				   &iova, IOMMU_IOAS_MAP_READABLE));
	close(ro);
	EXPECT_EQ(lck0 + pages_kb(1), vm_lck_kb());
	EXPECT_EQ(0, ioas_unmap(self->fd, self->ioas, 0, UINT64_MAX, NULL));
	EXPECT_EQ(lck0, vm_lck_kb());
	/* Nothing stayed mapped: the aperture is one free range again. */
	ASSERT_EQ(0, ioas_ranges(self->fd, self->ioas, r, &n, NULL));
	EXPECT_EQ(1, n);
}

/* Over RLIMIT_MEMLOCK: ENOMEM, nothing taken. */
TEST_F(map_file, over_the_limit)
{
	struct rlimit rl;
	uint64_t iova = 0;
	long lck0;

	if (give_up_ipc_lock())
		SKIP(return, "cannot drop CAP_IPC_LOCK");
	ASSERT_EQ(0, getrlimit(RLIMIT_MEMLOCK, &rl));
	lck0 = vm_lck_kb();
	rl.rlim_cur = lck0 * 1024 + page_size;
	ASSERT_EQ(0, setrlimit(RLIMIT_MEMLOCK, &rl));
	EXPECT_EQ(ENOMEM, ioas_map_file(self->fd, self->ioas, self->mfd, 0,
					self->len, &iova, MAP_RW));
	EXPECT_EQ(lck0, vm_lck_kb());
	EXPECT_EQ(0, ioas_map_file(self->fd, self->ioas, self->mfd, 0,
				   page_size, &iova, MAP_RW));
}

TEST_HARNESS_MAIN
