/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The CONFIG_IOMMUFD_TEST interface: one extra ioctl on /dev/iommu that
 * lets selftests create mock IOMMU domains and devices, inspect what was
 * mapped into them, and drive in-kernel "access" users.  Names, numbers
 * and layouts match Linux 6.12's, so its selftests build against this
 * header unmodified.  Not a stable ABI: test kernels only.
 */
#ifndef _UAPI_IOMMUFD_TEST_H
#define _UAPI_IOMMUFD_TEST_H

#include <linux/iommufd.h>
#include <linux/types.h>

/* Operations of IOMMU_TEST_CMD, in struct iommu_test_cmd::op. */
enum {
	/* Reserve [start, start + length) in the IOAS @id. */
	IOMMU_TEST_OP_ADD_RESERVED = 1,
	/* Add a mock device attached to the IOAS or HWPT @id. */
	IOMMU_TEST_OP_MOCK_DOMAIN,
	/* Check that an IOVA range maps to the given user memory. */
	IOMMU_TEST_OP_MD_CHECK_MAP,
	/* Check the pin count of every page of a user range. */
	IOMMU_TEST_OP_MD_CHECK_REFS,
	/* Create an emulated-device access on the IOAS @id; returns an fd. */
	IOMMU_TEST_OP_CREATE_ACCESS,
	/* Unpin pages pinned through the access fd @id. */
	IOMMU_TEST_OP_DESTROY_ACCESS_PAGES,
	/* Pin an IOVA range through the access fd @id. */
	IOMMU_TEST_OP_ACCESS_PAGES,
	/* Read or write an IOVA range through the access fd @id. */
	IOMMU_TEST_OP_ACCESS_RW,
	/* Lower the page limit of one pinning batch, to test batching. */
	IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT,
	/* Move the mock device @id to another IOAS or HWPT. */
	IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE,
	/* Move the access fd @id to another IOAS. */
	IOMMU_TEST_OP_ACCESS_REPLACE_IOAS,
	/* As IOMMU_TEST_OP_MOCK_DOMAIN, with device flags. */
	IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS,
	/* Mark pages of the mock domain @id dirty, as DMA writes would. */
	IOMMU_TEST_OP_DIRTY,
	/* Check one IOTLB entry of the nested mock domain @id. */
	IOMMU_TEST_OP_MD_CHECK_IOTLB,
	/* Inject an I/O page fault on a mock device. */
	IOMMU_TEST_OP_TRIGGER_IOPF,
};

/* IOVA window of mock domains. */
enum {
	MOCK_APERTURE_START = 1UL << 24,
	MOCK_APERTURE_LAST = (1UL << 31) - 1,
};

/* create_access.flags */
enum {
	MOCK_FLAGS_ACCESS_WRITE = 1 << 0,
	MOCK_FLAGS_ACCESS_SYZ = 1 << 16,
};

/* access_rw.flags */
enum {
	MOCK_ACCESS_RW_WRITE = 1 << 0,
	MOCK_ACCESS_RW_SLOW_PATH = 1 << 2,
};

/* create_access.flags: the access wants to pin pages (not only copy). */
enum {
	MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES = 1 << 0,
};

/* mock_domain_flags.dev_flags */
enum {
	MOCK_FLAGS_DEVICE_NO_DIRTY = 1 << 0,
	MOCK_FLAGS_DEVICE_HUGE_IOVA = 1 << 1,
	MOCK_FLAGS_DEVICE_PASID = 1 << 2,
};

/* IOTLB entries a nested mock domain emulates, for invalidation tests. */
enum {
	MOCK_NESTED_DOMAIN_IOTLB_ID_MAX = 3,
	MOCK_NESTED_DOMAIN_IOTLB_NUM = 4,
};

/*
 * struct iommu_test_cmd - argument of IOMMU_TEST_CMD.  @size is
 * sizeof(struct iommu_test_cmd), @op an IOMMU_TEST_OP_*, @id the object
 * the operation works on; the union holds each operation's arguments and
 * results (out_* are written by the kernel).  @last must stay the final
 * member: the ioctl's minimum size runs up to it.
 */
struct iommu_test_cmd {
	__u32 size;
	__u32 op;
	__u32 id;
	__u32 __reserved;
	union {
		struct {
			__aligned_u64 start;
			__aligned_u64 length;
		} add_reserved;
		struct {
			__u32 out_stdev_id;
			__u32 out_hwpt_id;
			/* ID of the mock device's iommufd_device */
			__u32 out_idev_id;
		} mock_domain;
		struct {
			__u32 out_stdev_id;
			__u32 out_hwpt_id;
			__u32 out_idev_id;
			/* MOCK_FLAGS_DEVICE_* */
			__u32 dev_flags;
		} mock_domain_flags;
		struct {
			__u32 pt_id;
		} mock_domain_replace;
		struct {
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 uptr;
		} check_map;
		struct {
			__aligned_u64 length;
			__aligned_u64 uptr;
			__u32 refs;
		} check_refs;
		struct {
			__u32 out_access_fd;
			__u32 flags;
		} create_access;
		struct {
			__u32 access_pages_id;
		} destroy_access_pages;
		struct {
			__u32 flags;
			__u32 out_access_pages_id;
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 uptr;
		} access_pages;
		struct {
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 uptr;
			__u32 flags;
		} access_rw;
		struct {
			/* pages per pinning batch */
			__u32 limit;
		} memory_limit;
		struct {
			__u32 ioas_id;
		} access_replace_ioas;
		struct {
			__u32 flags;
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 page_size;
			/* bitmap of the pages to mark dirty */
			__aligned_u64 uptr;
			__aligned_u64 out_nr_dirty;
		} dirty;
		struct {
			__u32 id;
			__u32 iotlb;
		} check_iotlb;
		struct {
			__u32 dev_id;
			__u32 pasid;
			__u32 grpid;
			__u32 perm;
			__u64 addr;
		} trigger_iopf;
	};
	__u32 last;
};

#define IOMMU_TEST_CMD _IO(IOMMUFD_TYPE, IOMMUFD_CMD_BASE + 32)

/* PASID width, in bits, of mock devices created with the PASID flag. */
#define MOCK_PASID_WIDTH 20

/* What IOMMU_GET_HW_INFO reports for a mock device. */
#define IOMMU_HW_INFO_TYPE_SELFTEST	0xfeedbeef
#define IOMMU_HW_INFO_SELFTEST_REGVAL	0xdeadbeef

struct iommu_test_hw_info {
	__u32 flags;
	__u32 test_reg;
};

/* IOMMU_HWPT_ALLOC data for a nested mock domain. */
#define IOMMU_HWPT_DATA_SELFTEST 0xdead
#define IOMMU_TEST_IOTLB_DEFAULT 0xbadbeef

struct iommu_hwpt_selftest {
	/* initial value of every emulated IOTLB entry */
	__u32 iotlb;
};

/* IOMMU_HWPT_INVALIDATE entries for a nested mock domain. */
#define IOMMU_HWPT_INVALIDATE_DATA_SELFTEST 0xdeadbeef
#define IOMMU_HWPT_INVALIDATE_DATA_SELFTEST_INVALID 0xdadbeef
#define IOMMU_TEST_INVALIDATE_FLAG_ALL	0x1

struct iommu_hwpt_invalidate_selftest {
	/* IOMMU_TEST_INVALIDATE_FLAG_ALL: every entry, ignore @iotlb_id */
	__u32 flags;
	__u32 iotlb_id;
};

#endif
