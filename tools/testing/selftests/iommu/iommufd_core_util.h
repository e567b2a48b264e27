/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small wrappers used by iommufd_core.c.
 *
 * Every wrapper issues one ioctl on a /dev/iommu file and hands back 0 on
 * success or the errno the kernel reported, so a test can state the exact
 * outcome it expects with a single ASSERT_EQ().  Output fields are only
 * written through the pointers when the call succeeded.
 */
#ifndef __SELFTEST_IOMMU_IOMMUFD_CORE_UTIL_H
#define __SELFTEST_IOMMU_IOMMUFD_CORE_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <linux/iommufd.h>

#include "../../../../drivers/iommu/iommufd/iommufd_test.h"

/* CPU page size, filled in before any test runs. */
static size_t page_size;

static void __attribute__((constructor)) core_util_init_page_size(void)
{
	page_size = sysconf(_SC_PAGESIZE);
}

/* The IO page size of the mock IOMMU: half a CPU page. */
#define MOCK_IOPG (page_size / 2)

#define MAP_RW (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)

static inline uint64_t ptr_u64(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* Store @size in the leading u32 of an ioctl argument. */
static inline void arg_set_size(void *arg, uint32_t size)
{
	memcpy(arg, &size, sizeof(size));
}

static inline int errno_of(int rc)
{
	return rc ? errno : 0;
}

static inline int raw_ioctl(int fd, unsigned long req, void *arg)
{
	return errno_of(ioctl(fd, req, arg));
}

/* ---------------------------------------------------------------- */
/* Core objects                                                      */

static inline int obj_destroy(int fd, uint32_t id)
{
	struct iommu_destroy d = { .size = sizeof(d), .id = id };

	return raw_ioctl(fd, IOMMU_DESTROY, &d);
}

static inline int ioas_create(int fd, uint32_t *id)
{
	struct iommu_ioas_alloc a = { .size = sizeof(a) };
	int rc = raw_ioctl(fd, IOMMU_IOAS_ALLOC, &a);

	if (!rc)
		*id = a.out_ioas_id;
	return rc;
}

/*
 * Map @len bytes at @va.  With IOMMU_IOAS_MAP_FIXED_IOVA in @flags *@iova
 * is the IOVA to use, otherwise the kernel's choice is stored there.
 */
static inline int ioas_map_flags(int fd, uint32_t ioas, const void *va,
				 uint64_t len, uint64_t *iova, uint32_t flags)
{
	struct iommu_ioas_map m = {
		.size = sizeof(m),
		.flags = flags,
		.ioas_id = ioas,
		.user_va = ptr_u64(va),
		.length = len,
		.iova = (flags & IOMMU_IOAS_MAP_FIXED_IOVA) ? *iova : 0,
	};
	int rc = raw_ioctl(fd, IOMMU_IOAS_MAP, &m);

	if (!rc && iova)
		*iova = m.iova;
	return rc;
}

static inline int ioas_map_auto(int fd, uint32_t ioas, const void *va,
				uint64_t len, uint64_t *iova)
{
	return ioas_map_flags(fd, ioas, va, len, iova, MAP_RW);
}

static inline int ioas_map_at(int fd, uint32_t ioas, const void *va,
			      uint64_t len, uint64_t iova)
{
	return ioas_map_flags(fd, ioas, va, len, &iova,
			      MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA);
}

/*
 * Map @len bytes of file @mfd from byte @start; *@iova is the IOVA with
 * IOMMU_IOAS_MAP_FIXED_IOVA in @flags, and receives the one used.
 */
static inline int ioas_map_file(int fd, uint32_t ioas, int mfd,
				uint64_t start, uint64_t len, uint64_t *iova,
				uint32_t flags)
{
	struct iommu_ioas_map_file m = {
		.size = sizeof(m),
		.flags = flags,
		.ioas_id = ioas,
		.fd = mfd,
		.start = start,
		.length = len,
		.iova = *iova,
	};
	int rc = raw_ioctl(fd, IOMMU_IOAS_MAP_FILE, &m);

	if (!rc)
		*iova = m.iova;
	return rc;
}

/* Unmap a range; *@done (optional) receives the bytes unmapped. */
static inline int ioas_unmap(int fd, uint32_t ioas, uint64_t iova,
			     uint64_t len, uint64_t *done)
{
	struct iommu_ioas_unmap u = {
		.size = sizeof(u),
		.ioas_id = ioas,
		.iova = iova,
		.length = len,
	};
	int rc = raw_ioctl(fd, IOMMU_IOAS_UNMAP, &u);

	if (!rc && done)
		*done = u.length;
	return rc;
}

static inline int ioas_unmap_everything(int fd, uint32_t ioas, uint64_t *done)
{
	return ioas_unmap(fd, ioas, 0, UINT64_MAX, done);
}

/* IOMMU_IOAS_COPY; *@dst_iova is in/out like ioas_map_flags()'s *@iova. */
static inline int ioas_copy(int fd, uint32_t dst, uint32_t src,
			    uint64_t src_iova, uint64_t len,
			    uint64_t *dst_iova, uint32_t flags)
{
	struct iommu_ioas_copy c = {
		.size = sizeof(c),
		.flags = flags,
		.dst_ioas_id = dst,
		.src_ioas_id = src,
		.length = len,
		.dst_iova = (flags & IOMMU_IOAS_MAP_FIXED_IOVA) ? *dst_iova : 0,
		.src_iova = src_iova,
	};
	int rc = raw_ioctl(fd, IOMMU_IOAS_COPY, &c);

	if (!rc && dst_iova)
		*dst_iova = c.dst_iova;
	return rc;
}

/*
 * IOMMU_IOAS_IOVA_RANGES into @out, which has room for *@num entries.
 * *@num and *@align are updated also on EMSGSIZE, like the kernel does.
 */
static inline int ioas_ranges(int fd, uint32_t ioas,
			      struct iommu_iova_range *out, uint32_t *num,
			      uint64_t *align)
{
	struct iommu_ioas_iova_ranges r = {
		.size = sizeof(r),
		.ioas_id = ioas,
		.num_iovas = *num,
		.allowed_iovas = ptr_u64(out),
	};
	int rc = raw_ioctl(fd, IOMMU_IOAS_IOVA_RANGES, &r);

	if (!rc || rc == EMSGSIZE) {
		*num = r.num_iovas;
		if (align)
			*align = r.out_iova_alignment;
	}
	return rc;
}

static inline int ioas_allow(int fd, uint32_t ioas,
			     const struct iommu_iova_range *ranges,
			     uint32_t num)
{
	struct iommu_ioas_allow_iovas a = {
		.size = sizeof(a),
		.ioas_id = ioas,
		.num_iovas = num,
		.allowed_iovas = ptr_u64(ranges),
	};

	return raw_ioctl(fd, IOMMU_IOAS_ALLOW_IOVAS, &a);
}

/* One allowed range [start, last]. */
static inline int ioas_allow_one(int fd, uint32_t ioas, uint64_t start,
				 uint64_t last)
{
	struct iommu_iova_range r = { .start = start, .last = last };

	return ioas_allow(fd, ioas, &r, 1);
}

/* IOMMU_OPTION with val64 = @in; *@out (optional) receives val64 back. */
static inline int ifd_option(int fd, uint32_t option, uint16_t op,
			     uint32_t object, uint64_t in, uint64_t *out)
{
	struct iommu_option o = {
		.size = sizeof(o),
		.option_id = option,
		.op = op,
		.object_id = object,
		.val64 = in,
	};
	int rc = raw_ioctl(fd, IOMMU_OPTION, &o);

	if (!rc && out)
		*out = o.val64;
	return rc;
}

static inline int ifd_option_set(int fd, uint32_t option, uint32_t object,
				 uint64_t val)
{
	return ifd_option(fd, option, IOMMU_OPTION_OP_SET, object, val, NULL);
}

static inline int ifd_option_get(int fd, uint32_t option, uint32_t object,
				 uint64_t *val)
{
	return ifd_option(fd, option, IOMMU_OPTION_OP_GET, object, 0, val);
}

static inline int ifd_vfio_ioas(int fd, uint16_t op, uint32_t *id)
{
	struct iommu_vfio_ioas v = {
		.size = sizeof(v),
		.ioas_id = id ? *id : 0,
		.op = op,
	};
	int rc = raw_ioctl(fd, IOMMU_VFIO_IOAS, &v);

	if (!rc && id)
		*id = v.ioas_id;
	return rc;
}

static inline int hwpt_create(int fd, uint32_t dev, uint32_t pt,
			      uint32_t flags, uint32_t *out)
{
	struct iommu_hwpt_alloc h = {
		.size = sizeof(h),
		.flags = flags,
		.dev_id = dev,
		.pt_id = pt,
	};
	int rc = raw_ioctl(fd, IOMMU_HWPT_ALLOC, &h);

	if (!rc && out)
		*out = h.out_hwpt_id;
	return rc;
}

/* ---------------------------------------------------------------- */
/* IOMMU_TEST_CMD                                                    */

static inline int test_op(int fd, uint32_t op, uint32_t id,
			  struct iommu_test_cmd *cmd)
{
	cmd->size = sizeof(*cmd);
	cmd->op = op;
	cmd->id = id;
	return raw_ioctl(fd, IOMMU_TEST_CMD, cmd);
}

/* A mock device as IOMMU_TEST_OP_MOCK_DOMAIN reports it. */
struct mock_dev_ids {
	uint32_t stdev;
	uint32_t hwpt;
	uint32_t idev;
};

/*
 * Create a mock device attached to the IOAS or HWPT @pt, with @op
 * IOMMU_TEST_OP_MOCK_DOMAIN or, for MOCK_FLAGS_DEVICE_* @flags,
 * IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS; their answers start alike.
 */
static inline int mock_dev_op(int fd, uint32_t op, uint32_t pt,
			      uint32_t flags, struct mock_dev_ids *ids)
{
	struct iommu_test_cmd c = {
		.mock_domain_flags = { .dev_flags = flags },
	};
	int rc = test_op(fd, op, pt, &c);

	if (!rc && ids) {
		ids->stdev = c.mock_domain_flags.out_stdev_id;
		ids->hwpt = c.mock_domain_flags.out_hwpt_id;
		ids->idev = c.mock_domain_flags.out_idev_id;
	}
	return rc;
}

static inline int mock_dev_add(int fd, uint32_t pt, struct mock_dev_ids *ids)
{
	return mock_dev_op(fd, IOMMU_TEST_OP_MOCK_DOMAIN, pt, 0, ids);
}

/*
 * Give IOAS @ioas a domain, a mock device's that lives as long as @fd, so
 * that what it maps is pinned at once rather than when first needed.
 */
static inline int ioas_give_domain(int fd, uint32_t ioas)
{
	struct mock_dev_ids ids;

	return mock_dev_add(fd, ioas, &ids);
}

static inline int mock_dev_add_flags(int fd, uint32_t pt, uint32_t flags,
				     struct mock_dev_ids *ids)
{
	return mock_dev_op(fd, IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS, pt, flags, ids);
}

/* ---------------------------------------------------------------- */
/* Dirty tracking                                                    */

static inline int hwpt_dirty_set(int fd, uint32_t hwpt, bool on)
{
	struct iommu_hwpt_set_dirty_tracking s = {
		.size = sizeof(s),
		.flags = on ? IOMMU_HWPT_DIRTY_TRACKING_ENABLE : 0,
		.hwpt_id = hwpt,
	};

	return raw_ioctl(fd, IOMMU_HWPT_SET_DIRTY_TRACKING, &s);
}

/* Bit n of @bits for the @pgsize bytes at @iova + n * @pgsize. */
static inline int hwpt_dirty_get(int fd, uint32_t hwpt, uint64_t iova,
				 uint64_t len, uint64_t pgsize, void *bits,
				 uint32_t flags)
{
	struct iommu_hwpt_get_dirty_bitmap g = {
		.size = sizeof(g),
		.hwpt_id = hwpt,
		.flags = flags,
		.iova = iova,
		.length = len,
		.page_size = pgsize,
		.data = ptr_u64(bits),
	};

	return raw_ioctl(fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &g);
}

/* IOMMU_IOAS_UNMAP_DIRTY (our extension); *@done gets the bytes unmapped. */
static inline int ioas_unmap_dirty(int fd, uint32_t hwpt, uint64_t iova,
				   uint64_t len, uint64_t pgsize, void *bits,
				   uint32_t flags, uint64_t *done)
{
	struct iommu_ioas_unmap_dirty u = {
		.size = sizeof(u),
		.hwpt_id = hwpt,
		.flags = flags,
		.iova = iova,
		.length = len,
		.page_size = pgsize,
		.data = ptr_u64(bits),
	};
	int rc = raw_ioctl(fd, IOMMU_IOAS_UNMAP_DIRTY, &u);

	if (!rc && done)
		*done = u.length;
	return rc;
}

/*
 * Mark dirty, as device writes would, the mock IOPTEs of the pages whose
 * bits are set in @bits; *@nr (optional) gets how many had one.
 */
static inline int mock_dirty_mark(int fd, uint32_t hwpt, uint64_t iova,
				  uint64_t len, uint64_t pgsize,
				  const void *bits, uint64_t *nr)
{
	struct iommu_test_cmd c = {
		.dirty = {
			.iova = iova,
			.length = len,
			.page_size = pgsize,
			.uptr = ptr_u64(bits),
		},
	};
	int rc = test_op(fd, IOMMU_TEST_OP_DIRTY, hwpt, &c);

	if (!rc && nr)
		*nr = c.dirty.out_nr_dirty;
	return rc;
}

/*
 * IOMMU_GET_HW_INFO of device @dev: @len bytes of room at @data; @type
 * with IOMMU_HW_INFO_FLAG_INPUT_TYPE in @flags. *@out (optional) gets the
 * answer.
 */
static inline int hw_info_get(int fd, uint32_t dev, uint32_t flags,
			      uint32_t type, void *data, uint32_t len,
			      struct iommu_hw_info *out)
{
	struct iommu_hw_info h = {
		.size = sizeof(h),
		.flags = flags,
		.dev_id = dev,
		.data_len = len,
		.data_uptr = ptr_u64(data),
		.in_data_type = type,
	};
	int rc = raw_ioctl(fd, IOMMU_GET_HW_INFO, &h);

	if (!rc && out)
		*out = h;
	return rc;
}

static inline int reserve_iova(int fd, uint32_t ioas, uint64_t start,
			       uint64_t len)
{
	struct iommu_test_cmd c = {
		.add_reserved = { .start = start, .length = len },
	};

	return test_op(fd, IOMMU_TEST_OP_ADD_RESERVED, ioas, &c);
}

/* 0 iff mock domain @hwpt maps [iova, iova + len) to the memory at @va. */
static inline int mock_check_map(int fd, uint32_t hwpt, uint64_t iova,
				 uint64_t len, const void *va)
{
	struct iommu_test_cmd c = {
		.check_map = { .iova = iova, .length = len, .uptr = ptr_u64(va) },
	};

	return test_op(fd, IOMMU_TEST_OP_MD_CHECK_MAP, hwpt, &c);
}

/* 0 iff each page of [va, va + len) is pinned exactly @refs times. */
static inline int pin_refs_are(int fd, const void *va, uint64_t len,
			       uint32_t refs)
{
	struct iommu_test_cmd c = {
		.check_refs = { .length = len, .uptr = ptr_u64(va), .refs = refs },
	};

	return test_op(fd, IOMMU_TEST_OP_MD_CHECK_REFS, 0, &c);
}

/* ---------------------------------------------------------------- */
/* The test interface's emulated device (an iommufd access)         */

/* Create an access on @ioas; *@afd receives its file descriptor. */
static inline int access_create(int fd, uint32_t ioas, uint32_t flags,
				int *afd)
{
	struct iommu_test_cmd c = { .create_access = { .flags = flags } };
	int rc = test_op(fd, IOMMU_TEST_OP_CREATE_ACCESS, ioas, &c);

	if (!rc)
		*afd = c.create_access.out_access_fd;
	return rc;
}

static inline int access_replace(int fd, int afd, uint32_t ioas)
{
	struct iommu_test_cmd c = { .access_replace_ioas = { .ioas_id = ioas } };

	return test_op(fd, IOMMU_TEST_OP_ACCESS_REPLACE_IOAS, afd, &c);
}

/*
 * Pin [iova, iova + len) through the access; *@pin (optional) receives
 * the pin's number. With @va, the kernel checks that the pages it hands
 * out are the ones mapped at @va.
 */
static inline int access_pin(int fd, int afd, uint64_t iova, uint64_t len,
			     const void *va, uint32_t flags, uint32_t *pin)
{
	struct iommu_test_cmd c = {
		.access_pages = { .flags = flags, .iova = iova, .length = len,
				  .uptr = ptr_u64(va) },
	};
	int rc = test_op(fd, IOMMU_TEST_OP_ACCESS_PAGES, afd, &c);

	if (!rc && pin)
		*pin = c.access_pages.out_access_pages_id;
	return rc;
}

static inline int access_unpin(int fd, int afd, uint32_t pin)
{
	struct iommu_test_cmd c = {
		.destroy_access_pages = { .access_pages_id = pin },
	};

	return test_op(fd, IOMMU_TEST_OP_DESTROY_ACCESS_PAGES, afd, &c);
}

/* Copy @len bytes between @va and IOVA @iova; @flags MOCK_ACCESS_RW_*. */
static inline int access_rw(int fd, int afd, uint64_t iova, void *va,
			    uint64_t len, uint32_t flags)
{
	struct iommu_test_cmd c = {
		.access_rw = { .iova = iova, .length = len, .uptr = ptr_u64(va),
			       .flags = flags },
	};

	return test_op(fd, IOMMU_TEST_OP_ACCESS_RW, afd, &c);
}

static inline int pin_batch_set(int fd, uint32_t pages)
{
	struct iommu_test_cmd c = { .memory_limit = { .limit = pages } };

	return test_op(fd, IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT, 0, &c);
}

/* ---------------------------------------------------------------- */
/* Process state                                                     */

/* The value, in kB, of line "@key:" of /proc/self/status; -1 if absent. */
static inline long status_kb(const char *key)
{
	size_t klen = strlen(key);
	char line[256];
	long val = -1;
	FILE *f;

	f = fopen("/proc/self/status", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, klen) || line[klen] != ':')
			continue;
		val = strtol(line + klen + 1, NULL, 10);
		break;
	}
	fclose(f);
	return val;
}

static inline long vm_pin_kb(void)
{
	return status_kb("VmPin");
}

static inline long vm_lck_kb(void)
{
	return status_kb("VmLck");
}

/* kB taken by @pages CPU pages, as /proc/self/status counts them. */
static inline long pages_kb(size_t pages)
{
	return (long)(pages * (page_size / 1024));
}

/*
 * Remove CAP_IPC_LOCK from the effective and permitted sets, so the
 * locked-memory limit applies to this process.  Returns 0 or an errno.
 */
static inline int give_up_ipc_lock(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct caps[_LINUX_CAPABILITY_U32S_3];
	unsigned int slot = CAP_TO_INDEX(CAP_IPC_LOCK);
	uint32_t bit = CAP_TO_MASK(CAP_IPC_LOCK);

	memset(caps, 0, sizeof(caps));
	if (syscall(SYS_capget, &hdr, caps))
		return errno;
	caps[slot].effective &= ~bit;
	caps[slot].permitted &= ~bit;
	caps[slot].inheritable &= ~bit;
	if (syscall(SYS_capset, &hdr, caps))
		return errno;
	return 0;
}

/* ---------------------------------------------------------------- */
/* User memory                                                       */

/*
 * Anonymous read/write memory backed by small pages, every page already
 * faulted in.  NULL on failure.
 */
static inline void *mem_get(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	madvise(p, len, MADV_NOHUGEPAGE);
	memset(p, 0x5a, len);
	return p;
}

static inline void mem_put(void *p, size_t len)
{
	if (p)
		munmap(p, len);
}

/* Memory whose address is a multiple of @align but not of 2 * @align. */
struct exact_mem {
	void *ptr;		/* the aligned start */
	void *map;		/* what to munmap */
	size_t map_len;
};

static inline int exact_mem_get(struct exact_mem *m, size_t len, size_t align)
{
	uintptr_t first;

	m->map_len = len + 3 * align;
	m->map = mmap(NULL, m->map_len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m->map == MAP_FAILED) {
		m->map = NULL;
		return -1;
	}
	madvise(m->map, m->map_len, MADV_NOHUGEPAGE);
	first = ((uintptr_t)m->map + 2 * align - 1) & ~(uintptr_t)(2 * align - 1);
	m->ptr = (void *)(first + align);
	memset(m->ptr, 0x3c, len);
	return 0;
}

static inline void exact_mem_put(struct exact_mem *m)
{
	if (m->map)
		munmap(m->map, m->map_len);
	m->map = NULL;
}

/* ---------------------------------------------------------------- */
/* Nesting and fault queues                                          */

static inline int mock_dev_replace(int fd, uint32_t stdev, uint32_t pt)
{
	struct iommu_test_cmd c = { .mock_domain_replace = { .pt_id = pt } };

	return test_op(fd, IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE, stdev, &c);
}

/* IOMMU_HWPT_ALLOC on HWPT @parent with driver data; @fault 0 for none. */
static inline int hwpt_create_nested(int fd, uint32_t dev, uint32_t parent,
				     uint32_t flags, uint32_t fault,
				     uint32_t type, const void *data,
				     uint32_t len, uint32_t *out)
{
	struct iommu_hwpt_alloc h = {
		.size = sizeof(h),
		.flags = flags | (fault ? IOMMU_HWPT_FAULT_ID_VALID : 0),
		.dev_id = dev,
		.pt_id = parent,
		.data_type = type,
		.data_len = len,
		.data_uptr = ptr_u64(data),
		.fault_id = fault,
	};
	int rc = raw_ioctl(fd, IOMMU_HWPT_ALLOC, &h);

	if (!rc && out)
		*out = h.out_hwpt_id;
	return rc;
}

/* A nested mock HWPT whose emulated IOTLB entries all start as @iotlb. */
static inline int mock_nested_create(int fd, uint32_t dev, uint32_t parent,
				     uint32_t fault, uint32_t iotlb,
				     uint32_t *out)
{
	struct iommu_hwpt_selftest data = { .iotlb = iotlb };

	return hwpt_create_nested(fd, dev, parent, 0, fault,
				  IOMMU_HWPT_DATA_SELFTEST, &data,
				  sizeof(data), out);
}

/* IOMMU_HWPT_INVALIDATE; *@num in: entries, out: entries handled. */
static inline int hwpt_invalidate(int fd, uint32_t hwpt, uint32_t type,
				  const void *reqs, uint32_t entry_len,
				  uint32_t *num)
{
	struct iommu_hwpt_invalidate inv = {
		.size = sizeof(inv),
		.hwpt_id = hwpt,
		.data_uptr = ptr_u64(reqs),
		.data_type = type,
		.entry_len = entry_len,
		.entry_num = *num,
	};
	int rc = raw_ioctl(fd, IOMMU_HWPT_INVALIDATE, &inv);

	*num = inv.entry_num;
	return rc;
}

/* Whether emulated IOTLB entry @id of nested mock HWPT @hwpt holds @val. */
static inline int mock_iotlb_is(int fd, uint32_t hwpt, uint32_t id,
				uint32_t val)
{
	struct iommu_test_cmd c = {
		.check_iotlb = { .id = id, .iotlb = val },
	};

	return test_op(fd, IOMMU_TEST_OP_MD_CHECK_IOTLB, hwpt, &c);
}

static inline int fault_queue_create(int fd, uint32_t *id, int *ffd)
{
	struct iommu_fault_alloc a = { .size = sizeof(a) };
	int rc = raw_ioctl(fd, IOMMU_FAULT_QUEUE_ALLOC, &a);

	if (!rc) {
		*id = a.out_fault_id;
		*ffd = a.out_fault_fd;
	}
	return rc;
}

/* Mock device @idev sends one page request, the last of group @grpid. */
static inline int mock_iopf(int fd, uint32_t idev, uint32_t pasid,
			    uint32_t grpid, uint32_t perm, uint64_t addr)
{
	struct iommu_test_cmd c = {
		.trigger_iopf = {
			.dev_id = idev,
			.pasid = pasid,
			.grpid = grpid,
			.perm = perm,
			.addr = addr,
		},
	};

	return test_op(fd, IOMMU_TEST_OP_TRIGGER_IOPF, 0, &c);
}

/* Answer the group @cookie; returns 0 or the errno of write(). */
static inline int fault_answer(int ffd, uint32_t cookie, uint32_t code)
{
	struct iommu_hwpt_page_response r = { .cookie = cookie, .code = code };
	ssize_t n = write(ffd, &r, sizeof(r));

	if (n == sizeof(r))
		return 0;
	return n < 0 ? errno : EIO;
}

static inline int dma_fault_queue_create(int fd, uint32_t depth,
					 uint32_t *id, int *qfd)
{
	struct iommu_dma_fault_queue_alloc a = {
		.size = sizeof(a),
		.depth = depth,
	};
	int rc = raw_ioctl(fd, IOMMU_DMA_FAULT_QUEUE_ALLOC, &a);

	if (!rc) {
		*id = a.out_queue_id;
		*qfd = a.out_queue_fd;
	}
	return rc;
}

/* Mock device @idev hits an unrecoverable DMA fault (our test op). */
static inline int mock_dma_fault(int fd, uint32_t idev, uint32_t flags,
				 uint32_t pasid, uint32_t code, uint64_t iova)
{
	struct iommu_test_cmd c = {
		.dma_fault = {
			.dev_id = idev,
			.flags = flags,
			.pasid = pasid,
			.code = code,
			.iova = iova,
		},
	};

	return test_op(fd, IOMMU_TEST_OP_DMA_FAULT, 0, &c);
}

/* ---------------------------------------------------------------- */
/* vIOMMUs, vDEVICEs and vEVENTQs                                    */

/* IOMMU_VIOMMU_ALLOC of @type over nest parent @hwpt, without data. */
static inline int viommu_create(int fd, uint32_t dev, uint32_t hwpt,
				uint32_t type, uint32_t *out)
{
	struct iommu_viommu_alloc v = {
		.size = sizeof(v),
		.type = type,
		.dev_id = dev,
		.hwpt_id = hwpt,
	};
	int rc = raw_ioctl(fd, IOMMU_VIOMMU_ALLOC, &v);

	if (!rc && out)
		*out = v.out_viommu_id;
	return rc;
}

/* Give device @dev the guest ID @virt_id on vIOMMU @viommu. */
static inline int vdevice_create(int fd, uint32_t viommu, uint32_t dev,
				 uint64_t virt_id, uint32_t *out)
{
	struct iommu_vdevice_alloc v = {
		.size = sizeof(v),
		.viommu_id = viommu,
		.dev_id = dev,
		.virt_id = virt_id,
	};
	int rc = raw_ioctl(fd, IOMMU_VDEVICE_ALLOC, &v);

	if (!rc && out)
		*out = v.out_vdevice_id;
	return rc;
}

/* A vEVENTQ of @type holding @depth events; *@qfd gets its file. */
static inline int veventq_create(int fd, uint32_t viommu, uint32_t type,
				 uint32_t depth, uint32_t *id, int *qfd)
{
	struct iommu_veventq_alloc a = {
		.size = sizeof(a),
		.viommu_id = viommu,
		.type = type,
		.veventq_depth = depth,
	};
	int rc = raw_ioctl(fd, IOMMU_VEVENTQ_ALLOC, &a);

	if (!rc) {
		*id = a.out_veventq_id;
		*qfd = a.out_veventq_fd;
	}
	return rc;
}

/* 0 iff entry @id of the emulated cache of mock device @idev holds @val. */
static inline int mock_cache_is(int fd, uint32_t idev, uint32_t id,
				uint32_t val)
{
	struct iommu_test_cmd c = {
		.check_dev_cache = { .id = id, .cache = val },
	};

	return test_op(fd, IOMMU_TEST_OP_DEV_CHECK_CACHE, idev, &c);
}

/* Mock device @idev raises one event on the vIOMMU of its vDEVICE. */
static inline int mock_vevent(int fd, uint32_t idev)
{
	struct iommu_test_cmd c = { .trigger_vevent = { .dev_id = idev } };

	return test_op(fd, IOMMU_TEST_OP_TRIGGER_VEVENT, 0, &c);
}

/* Largest power of two dividing @v (0 for 0). */
static inline uint64_t low_bit(uint64_t v)
{
	return v & -v;
}

#endif /* __SELFTEST_IOMMU_IOMMUFD_CORE_UTIL_H */
