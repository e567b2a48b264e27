// SPDX-License-Identifier: GPL-2.0
/*
 * Emulated-device accesses to an IOAS: copying and pinning memory by IOVA,
 * the unmap callback that takes pins back, moving an access between
 * IOASes, and the errors of each step.  The emulated device is the test
 * interface's (IOMMU_TEST_OP_CREATE_ACCESS and friends), which drives the
 * same kernel API a mediated-device driver uses.
 *
 * Every test frees what it creates; the harness runs each test in its own
 * child process.  The tests expect to run as root.
 */
#include <dirent.h>

#include "../kselftest_harness.h"
#include "iommufd_core_util.h"

#define BUF_PAGES 16
#define IOVA_A 0x01000000ULL
#define IOVA_B 0x02000000ULL

#define PAGES(n) ((uint64_t)(n) * page_size)

static int dev_open(void)
{
	return open("/dev/iommu", O_RDWR);
}

/* How many descriptors the process has open. */
static int fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* the directory's own descriptor */
}

/* Fill @p with a pattern that depends on @seed and the position. */
static void fill(void *p, size_t len, unsigned int seed)
{
	unsigned char *c = p;
	size_t i;

	for (i = 0; i < len; i++)
		c[i] = (unsigned char)(seed * 31 + i * 7 + (i >> 8));
}

FIXTURE(access)
{
	int fd;
	uint32_t ioas_id;
	void *buf;
	size_t buf_len;
};

FIXTURE_SETUP(access)
{
	self->fd = dev_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ioas_create(self->fd, &self->ioas_id));
	self->buf_len = PAGES(BUF_PAGES);
	self->buf = mem_get(self->buf_len);
	ASSERT_NE(NULL, self->buf);
	ASSERT_EQ(0, ioas_map_at(self->fd, self->ioas_id, self->buf,
				 self->buf_len, IOVA_A));
}

FIXTURE_TEARDOWN(access)
{
	obj_destroy(self->fd, self->ioas_id);
	close(self->fd);
	mem_put(self->buf, self->buf_len);
}

TEST_F(access, create_errors)
{
	struct mock_dev_ids dev;
	int before = fd_count();
	int afd;

	ASSERT_EQ(EOPNOTSUPP, access_create(self->fd, self->ioas_id, 0x80,
					    &afd));
	ASSERT_EQ(ENOENT, access_create(self->fd, 0x7fffffff, 0, &afd));
	ASSERT_EQ(0, mock_dev_add(self->fd, self->ioas_id, &dev));
	/* Only an IOAS will do: not a HWPT, not a device. */
	ASSERT_EQ(ENOENT, access_create(self->fd, dev.hwpt, 0, &afd));
	ASSERT_EQ(ENOENT, access_create(self->fd, dev.idev, 0, &afd));
	ASSERT_EQ(0, obj_destroy(self->fd, dev.stdev));
	/* The failures left no descriptor behind. */
	ASSERT_EQ(before, fd_count());

	ASSERT_EQ(0, access_create(self->fd, self->ioas_id, 0, &afd));
	ASSERT_EQ(before + 1, fd_count());
	ASSERT_EQ(0, close(afd));
}

TEST_F(access, not_an_access_fd)
{
	char b[8];

	ASSERT_EQ(EBADF, access_rw(self->fd, 9999, IOVA_A, b, sizeof(b), 0));
	ASSERT_EQ(EBADFD, access_rw(self->fd, self->fd, IOVA_A, b, sizeof(b),
				    0));
	ASSERT_EQ(EBADFD, access_pin(self->fd, self->fd, IOVA_A, page_size,
				     NULL, 0, NULL));
	ASSERT_EQ(EBADFD, access_unpin(self->fd, self->fd, 0));
	ASSERT_EQ(EBADFD, access_replace(self->fd, self->fd, self->ioas_id));
}

TEST_F(access, ioas_busy_while_attached)
{
	int afd;

	ASSERT_EQ(0, access_create(self->fd, self->ioas_id, 0, &afd));
	ASSERT_EQ(EBUSY, obj_destroy(self->fd, self->ioas_id));
	ASSERT_EQ(0, close(afd));
	/* Closing the access released its hold. */
	ASSERT_EQ(0, obj_destroy(self->fd, self->ioas_id));
	ASSERT_EQ(0, ioas_create(self->fd, &self->ioas_id));
}

TEST_F(access, rw_round_trip)
{
	size_t len = PAGES(3) + 77;
	uint64_t off = page_size - 13;
	char *in = malloc(len), *out = malloc(len);
	int afd;

	ASSERT_NE(NULL, in);
	ASSERT_NE(NULL, out);
	ASSERT_EQ(0, access_create(self->fd, self->ioas_id, 0, &afd));

	/* Writes land in the user memory behind the IOVA. */
	fill(in, len, 1);
	ASSERT_EQ(0, access_rw(self->fd, afd, IOVA_A + off, in, len,
			       MOCK_ACCESS_RW_WRITE));
	ASSERT_EQ(0, memcmp((char *)self->buf + off, in, len));

	/* Reads see what userspace wrote there. */
	fill((char *)self->buf + off, len, 2);
	memset(out, 0, len);
	ASSERT_EQ(0, access_rw(self->fd, afd, IOVA_A + off, out, len, 0));
	ASSERT_EQ(0, memcmp((char *)self->buf + off, out, len));

	/* The page-walk variant gives the same bytes. */
	memset(out, 0, len);
	ASSERT_EQ(0, access_rw(self->fd, afd, IOVA_A + off, out, len,
			       MOCK_ACCESS_RW_SLOW_PATH));
	ASSERT_EQ(0, memcmp((char *)self->buf + off, out, len));

	ASSERT_EQ(0, close(afd));
	free(in);
	free(out);
}

TEST_F(access, rw_across_areas)
{
	void *second = mem_get(PAGES(2));
	uint64_t end_a = IOVA_A + self->buf_len;
	char in[64], out[64];
	int afd;

	ASSERT_NE(NULL, second);
	/* A second area right after the first. */
	ASSERT_EQ(0, ioas_map_at(self->fd, self->ioas_id, second, PAGES(2),
				 end_a));
	ASSERT_EQ(0, access_create(self->fd, self->ioas_id, 0, &afd));
	fill(in, sizeof(in), 3);
	ASSERT_EQ(0, access_rw(self->fd, afd, end_a - 32, in, sizeof(in),
			       MOCK_ACCESS_RW_WRITE));
	ASSERT_EQ(0, memcmp((char *)self->buf + self->buf_len - 32, in, 32));
	ASSERT_EQ(0, memcmp(second, in + 32, 32));
	ASSERT_EQ(0, access_rw(self->fd, afd, end_a - 32, out, sizeof(out),
			       0));
	ASSERT_EQ(0, memcmp(in, out, sizeof(in)));
	ASSERT_EQ(0, close(afd));
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, end_a, PAGES(2),
				NULL));
	mem_put(second, PAGES(2));
}

TEST_F(access, rw_errors)
{
	void *ro = mem_get(PAGES(1));
	uint64_t end_a = IOVA_A + self->buf_len;
	char b[64], keep[64];
	int afd;

	ASSERT_NE(NULL, ro);
	ASSERT_EQ(0, access_create(self->fd, self->ioas_id, 0, &afd));

	ASSERT_EQ(EINVAL, access_rw(self->fd, afd, IOVA_A, b, 0, 0));
	ASSERT_EQ(EOVERFLOW, access_rw(self->fd, afd, UINT64_MAX - 7, b,
				       sizeof(b), 0));
	ASSERT_EQ(ENOENT, access_rw(self->fd, afd, IOVA_B, b, sizeof(b), 0));
	ASSERT_EQ(EOPNOTSUPP, access_rw(self->fd, afd, IOVA_A, b, sizeof(b),
					0x100));
	ASSERT_EQ(ENOMEM, access_rw(self->fd, afd, IOVA_A, b, 1ULL << 40, 0));
	ASSERT_EQ(EFAULT, access_rw(self->fd, afd, IOVA_A, NULL, sizeof(b),
				    0));

	/* Running off the end of the area copies nothing at all. */
	memcpy(keep, (char *)self->buf + self->buf_len - 32, 32);
	fill(b, sizeof(b), 4);
	ASSERT_EQ(ENOENT, access_rw(self->fd, afd, end_a - 32, b, sizeof(b),
				    MOCK_ACCESS_RW_WRITE));
	ASSERT_EQ(0, memcmp(keep, (char *)self->buf + self->buf_len - 32, 32));

	/* Read-only mappings can be read, not written. */
	ASSERT_EQ(0, ioas_map_flags(self->fd, self->ioas_id, ro, PAGES(1),
				    &(uint64_t){ IOVA_B },
				    IOMMU_IOAS_MAP_READABLE |
				    IOMMU_IOAS_MAP_FIXED_IOVA));
	ASSERT_EQ(0, access_rw(self->fd, afd, IOVA_B, b, sizeof(b), 0));
	ASSERT_EQ(EPERM, access_rw(self->fd, afd, IOVA_B, b, sizeof(b),
				   MOCK_ACCESS_RW_WRITE));
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, IOVA_B, PAGES(1),
				NULL));

	ASSERT_EQ(0, close(afd));
	mem_put(ro, PAGES(1));
}

TEST_F(access, pin_hands_out_the_mapped_pages)
{
	uint32_t pin1, pin2;
	int afd;

	ASSERT_EQ(0, access_create(self->fd, self->ioas_id,
				   MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES,
				   &afd));
	/* The kernel compares the pages with those mapped at the pointer. */
	ASSERT_EQ(0, access_pin(self->fd, afd, IOVA_A + PAGES(1), PAGES(4),
				(char *)self->buf + PAGES(1),
				MOCK_FLAGS_ACCESS_WRITE, &pin1));
	ASSERT_EQ(EINVAL, access_pin(self->fd, afd, IOVA_A, PAGES(1),
				     (char *)self->buf + PAGES(2), 0, NULL));
	/* A sub-page range hands out the page that holds it. */
	ASSERT_EQ(0, access_pin(self->fd, afd, IOVA_A + PAGES(2) + 5, 10,
				(char *)self->buf + PAGES(2), 0, &pin2));
	ASSERT_NE(pin1, pin2);

	/*
	 * With no domain only what the access pins is pinned, and once,
	 * however many of its pins cover a page.
	 */
	ASSERT_EQ(0, pin_refs_are(self->fd, self->buf, PAGES(1), 0));
	ASSERT_EQ(0, pin_refs_are(self->fd, (char *)self->buf + PAGES(1),
				  PAGES(4), 1));
	ASSERT_EQ(0, pin_refs_are(self->fd, (char *)self->buf + PAGES(5),
				  self->buf_len - PAGES(5), 0));

	ASSERT_EQ(0, access_unpin(self->fd, afd, pin1));
	ASSERT_EQ(ENOENT, access_unpin(self->fd, afd, pin1));
	/* The second pin still holds its page, and only that one. */
	ASSERT_EQ(0, pin_refs_are(self->fd, self->buf, PAGES(2), 0));
	ASSERT_EQ(0, pin_refs_are(self->fd, (char *)self->buf + PAGES(2),
				  PAGES(1), 1));
	ASSERT_EQ(0, pin_refs_are(self->fd, (char *)self->buf + PAGES(3),
				  self->buf_len - PAGES(3), 0));
	ASSERT_EQ(0, access_unpin(self->fd, afd, pin2));
	ASSERT_EQ(0, close(afd));
	ASSERT_EQ(0, pin_refs_are(self->fd, self->buf, self->buf_len, 0));
}

TEST_F(access, pin_errors)
{
	void *ro = mem_get(PAGES(1));
	int copier, pinner;

	ASSERT_NE(NULL, ro);
	ASSERT_EQ(0, access_create(self->fd, self->ioas_id, 0, &copier));
	ASSERT_EQ(0, access_create(self->fd, self->ioas_id,
				   MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES,
				   &pinner));

	/* An access made for copying cannot pin. */
	ASSERT_EQ(EOPNOTSUPP, access_pin(self->fd, copier, IOVA_A, PAGES(1),
					 NULL, 0, NULL));
	ASSERT_EQ(EOPNOTSUPP, access_pin(self->fd, pinner, IOVA_A, PAGES(1),
					 NULL, 0x2, NULL));
	ASSERT_EQ(EINVAL, access_pin(self->fd, pinner, IOVA_A, 0, NULL, 0,
				     NULL));
	ASSERT_EQ(EINVAL, access_pin(self->fd, pinner, UINT64_MAX - 7, 16,
				     NULL, 0, NULL));
	ASSERT_EQ(ENOMEM, access_pin(self->fd, pinner, IOVA_A, 1ULL << 40,
				     NULL, 0, NULL));
	ASSERT_EQ(ENOENT, access_pin(self->fd, pinner, IOVA_B, PAGES(1), NULL,
				     0, NULL));
	ASSERT_EQ(ENOENT, access_pin(self->fd, pinner,
				     IOVA_A + self->buf_len - page_size,
				     PAGES(2), NULL, 0, NULL));
	ASSERT_EQ(ENOENT, access_unpin(self->fd, pinner, 12345));

	ASSERT_EQ(0, ioas_map_flags(self->fd, self->ioas_id, ro, PAGES(1),
				    &(uint64_t){ IOVA_B },
				    IOMMU_IOAS_MAP_READABLE |
				    IOMMU_IOAS_MAP_FIXED_IOVA));
	ASSERT_EQ(EPERM, access_pin(self->fd, pinner, IOVA_B, PAGES(1), NULL,
				    MOCK_FLAGS_ACCESS_WRITE, NULL));
	ASSERT_EQ(0, access_pin(self->fd, pinner, IOVA_B, PAGES(1), ro, 0,
				NULL));

	/* None of the failures left a pin that blocks the unmap. */
	ASSERT_EQ(0, close(pinner));
	ASSERT_EQ(0, ioas_unmap_everything(self->fd, self->ioas_id, NULL));
	ASSERT_EQ(0, pin_refs_are(self->fd, self->buf, self->buf_len, 0));
	ASSERT_EQ(0, pin_refs_are(self->fd, ro, PAGES(1), 0));
	ASSERT_EQ(0, close(copier));
	mem_put(ro, PAGES(1));
}

TEST_F(access, unmap_takes_pins_back)
{
	uint32_t pin_in, pin_out;
	uint64_t done;
	int afd;

	ASSERT_EQ(0, access_create(self->fd, self->ioas_id,
				   MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES,
				   &afd));
	ASSERT_EQ(0, ioas_map_at(self->fd, self->ioas_id, self->buf, PAGES(1),
				 IOVA_B));
	ASSERT_EQ(0, access_pin(self->fd, afd, IOVA_A, PAGES(2), NULL, 0,
				&pin_in));
	ASSERT_EQ(0, access_pin(self->fd, afd, IOVA_B, PAGES(1), NULL, 0,
				&pin_out));

	/* A cut through the area fails and leaves the pin alone. */
	ASSERT_EQ(ENOENT, ioas_unmap(self->fd, self->ioas_id, IOVA_A,
				     PAGES(1), NULL));

	/* Unmapping asks the device to drop the pins in the range only. */
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, IOVA_A, self->buf_len,
				&done));
	ASSERT_EQ(self->buf_len, done);
	ASSERT_EQ(ENOENT, access_unpin(self->fd, afd, pin_in));
	ASSERT_EQ(0, pin_refs_are(self->fd, (char *)self->buf + PAGES(1),
				  self->buf_len - PAGES(1), 0));
	ASSERT_EQ(0, pin_refs_are(self->fd, self->buf, PAGES(1), 1));

	/* The pin outside the range is still there. */
	ASSERT_EQ(0, access_unpin(self->fd, afd, pin_out));
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, IOVA_B, PAGES(1),
				NULL));
	ASSERT_EQ(0, pin_refs_are(self->fd, self->buf, self->buf_len, 0));
	ASSERT_EQ(0, close(afd));
}

TEST_F(access, pinning_needs_page_aligned_mappings)
{
	uint64_t odd = IOVA_B + 0x100;
	int copier, pinner;

	/* An IOVA that is not page aligned is fine with no pinner around. */
	ASSERT_EQ(0, ioas_map_at(self->fd, self->ioas_id,
				 (char *)self->buf + 0x100, 0x200, odd));
	ASSERT_EQ(EADDRINUSE,
		  access_create(self->fd, self->ioas_id,
				MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES,
				&pinner));
	ASSERT_EQ(0, access_create(self->fd, self->ioas_id, 0, &copier));
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, odd, 0x200, NULL));

	/* With a pinner attached such mappings are refused. */
	ASSERT_EQ(0, access_create(self->fd, self->ioas_id,
				   MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES,
				   &pinner));
	ASSERT_EQ(EINVAL, ioas_map_at(self->fd, self->ioas_id,
				      (char *)self->buf + 0x100, 0x200, odd));
	ASSERT_EQ(0, close(pinner));
	ASSERT_EQ(0, ioas_map_at(self->fd, self->ioas_id,
				 (char *)self->buf + 0x100, 0x200, odd));
	ASSERT_EQ(0, close(copier));
}

TEST_F(access, replace_moves_to_another_ioas)
{
	void *other = mem_get(PAGES(2));
	uint32_t ioas2, pin;
	char b[32];
	int afd;

	ASSERT_NE(NULL, other);
	fill(other, PAGES(2), 5);
	ASSERT_EQ(0, ioas_create(self->fd, &ioas2));
	ASSERT_EQ(0, ioas_map_at(self->fd, ioas2, other, PAGES(2), IOVA_A));
	ASSERT_EQ(0, access_create(self->fd, self->ioas_id,
				   MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES,
				   &afd));
	ASSERT_EQ(0, access_pin(self->fd, afd, IOVA_A, PAGES(1), self->buf, 0,
				&pin));

	/* A failed replace keeps the access and its pins where they were. */
	ASSERT_EQ(ENOENT, access_replace(self->fd, afd, 0x7fffffff));
	ASSERT_EQ(0, access_rw(self->fd, afd, IOVA_A, b, sizeof(b), 0));
	ASSERT_EQ(0, memcmp(b, self->buf, sizeof(b)));

	/* Moving drops the pins held in the old IOAS. */
	ASSERT_EQ(0, access_replace(self->fd, afd, ioas2));
	ASSERT_EQ(ENOENT, access_unpin(self->fd, afd, pin));
	ASSERT_EQ(0, access_rw(self->fd, afd, IOVA_A, b, sizeof(b), 0));
	ASSERT_EQ(0, memcmp(b, other, sizeof(b)));
	ASSERT_EQ(0, access_pin(self->fd, afd, IOVA_A, PAGES(2), other, 0,
				&pin));

	/* The old IOAS is free to go, the new one is held. */
	ASSERT_EQ(EBUSY, obj_destroy(self->fd, ioas2));
	ASSERT_EQ(0, ioas_unmap_everything(self->fd, self->ioas_id, NULL));
	ASSERT_EQ(0, pin_refs_are(self->fd, self->buf, self->buf_len, 0));
	ASSERT_EQ(0, access_replace(self->fd, afd, ioas2));
	ASSERT_EQ(0, access_unpin(self->fd, afd, pin));
	ASSERT_EQ(0, close(afd));
	ASSERT_EQ(0, obj_destroy(self->fd, ioas2));
	ASSERT_EQ(0, pin_refs_are(self->fd, other, PAGES(2), 0));
	mem_put(other, PAGES(2));
}

TEST_F(access, pins_survive_domain_churn)
{
	struct mock_dev_ids dev;
	uint32_t pin;
	int afd;

	ASSERT_EQ(0, access_create(self->fd, self->ioas_id,
				   MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES,
				   &afd));
	ASSERT_EQ(0, access_pin(self->fd, afd, IOVA_A, self->buf_len,
				self->buf, MOCK_FLAGS_ACCESS_WRITE, &pin));
	ASSERT_EQ(0, mock_dev_add(self->fd, self->ioas_id, &dev));
	ASSERT_EQ(0, mock_check_map(self->fd, dev.hwpt, IOVA_A, self->buf_len,
				    self->buf));
	ASSERT_EQ(0, obj_destroy(self->fd, dev.stdev));
	ASSERT_EQ(0, pin_refs_are(self->fd, self->buf, self->buf_len, 1));
	ASSERT_EQ(0, access_unpin(self->fd, afd, pin));
	ASSERT_EQ(0, close(afd));
}

TEST_F(access, close_iommufd_first)
{
	uint32_t pin;
	char b[16];
	int afd, fd2;

	ASSERT_EQ(0, access_create(self->fd, self->ioas_id,
				   MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES,
				   &afd));
	ASSERT_EQ(0, access_pin(self->fd, afd, IOVA_A, PAGES(1), NULL, 0,
				&pin));
	/* The access keeps the iommufd, and so the IOAS, alive. */
	ASSERT_EQ(0, close(self->fd));
	self->fd = dev_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, access_rw(self->fd, afd, IOVA_A, b, sizeof(b), 0));
	ASSERT_EQ(0, pin_refs_are(self->fd, self->buf, PAGES(1), 1));
	ASSERT_EQ(0, pin_refs_are(self->fd, (char *)self->buf + PAGES(1),
				  self->buf_len - PAGES(1), 0));

	/* Closing the access tears everything down: no pin is left. */
	ASSERT_EQ(0, close(afd));
	fd2 = dev_open();
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, pin_refs_are(fd2, self->buf, self->buf_len, 0));
	close(fd2);
	ASSERT_EQ(0, ioas_create(self->fd, &self->ioas_id));
}

TEST_HARNESS_MAIN
