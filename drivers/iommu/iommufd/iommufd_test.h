/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The CONFIG_IOMMUFD_TEST interface of /dev/iommu.
 *
 * A test kernel adds one ioctl, IOMMU_TEST_CMD, through which selftests
 * create mock IOMMU domains and devices, look inside them, and act as an
 * in-kernel user of an IOAS.  The interface follows Linux 6.12's test
 * ABI (operation numbers, constants, the layout of struct iommu_test_cmd)
 * so that kernel's selftests build against this header unchanged; it is
 * not a stable ABI and exists only in test kernels.
 *
 * Each operation's arguments are a structure of their own, declared next
 * to the operation; struct iommu_test_cmd carries one of them.
 */
#ifndef _UAPI_IOMMUFD_TEST_H
#define _UAPI_IOMMUFD_TEST_H

#include <linux/iommufd.h>
#include <linux/types.h>

/* --- The mock IOMMU: what its domains and devices look like --- */

enum {
	/* Mock domains translate IOVAs 16 MiB .. 2 GiB - 1. */
	MOCK_APERTURE_START = 0x01000000,
	MOCK_APERTURE_LAST = 0x7fffffff,
	/* Nested mock domains emulate IOTLB entries 0 .. 3. */
	MOCK_NESTED_DOMAIN_IOTLB_NUM = 4,
	MOCK_NESTED_DOMAIN_IOTLB_ID_MAX = MOCK_NESTED_DOMAIN_IOTLB_NUM - 1,
};

/* Properties a mock device can be created with (dev_flags). */
enum {
	MOCK_FLAGS_DEVICE_NO_DIRTY = 0x1,	/* its IOMMU cannot track dirty */
	MOCK_FLAGS_DEVICE_HUGE_IOVA = 0x2,	/* 1 MiB IOVA granule */
	MOCK_FLAGS_DEVICE_PASID = 0x4,		/* supports PASIDs */
	/*
	 * Our extension (a bit Linux has not used): its IOMMU cannot make
	 * every DMA snoop (no IOMMU_CAP_ENFORCE_CACHE_COHERENCY), like a
	 * VT-d unit without snoop control.
	 */
	MOCK_FLAGS_DEVICE_NO_SNOOP_CONTROL = 0x1000000,
	/*
	 * Our extension: its domains translate MOCK_APERTURE_START up to
	 * MOCK_WIDE_APERTURE_LAST, room for benchmarks of many GiB.
	 */
	MOCK_FLAGS_DEVICE_WIDE_APERTURE = 0x2000000,
	/*
	 * Our extension: it cannot send page requests (a PCI device without
	 * PRI), so it cannot use a HWPT with a fault queue.
	 */
	MOCK_FLAGS_DEVICE_NO_IOPF = 0x4000000,
};

/* The last IOVA of a MOCK_FLAGS_DEVICE_WIDE_APERTURE device's domains. */
#define MOCK_WIDE_APERTURE_LAST ((1ULL << 48) - 1)

/* PASID width, in bits, of a mock device created with PASID support. */
#define MOCK_PASID_WIDTH 20

/* --- Operations; each one's arguments follow it --- */

/* IOMMU_TEST_OP_ADD_RESERVED: reserve an IOVA range in the IOAS "id". */
#define IOMMU_TEST_OP_ADD_RESERVED 1
struct iommu_test_reserve_args {
	__aligned_u64 start;
	__aligned_u64 length;
};

/*
 * IOMMU_TEST_OP_MOCK_DOMAIN: create a mock device attached to the IOAS or
 * HWPT "id"; IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS does the same with
 * MOCK_FLAGS_DEVICE_* in dev_flags.  Both return the selftest device
 * object, the HWPT it got and its iommufd device.
 */
#define IOMMU_TEST_OP_MOCK_DOMAIN 2
#define IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS 12
struct iommu_test_mock_dev_args {
	__u32 out_stdev_id;
	__u32 out_hwpt_id;
	__u32 out_idev_id;
};

struct iommu_test_mock_dev_flags_args {
	__u32 out_stdev_id;
	__u32 out_hwpt_id;
	__u32 out_idev_id;
	__u32 dev_flags;
};

/* IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE: move mock device "id" to pt_id. */
#define IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE 10
struct iommu_test_replace_args {
	__u32 pt_id;
};

/*
 * IOMMU_TEST_OP_MD_CHECK_MAP: every mock domain of the IOAS "id" maps the
 * IOVA range to the user memory at uptr.  IOMMU_TEST_OP_MD_CHECK_REFS:
 * every page of the user range is pinned "refs" times.
 */
#define IOMMU_TEST_OP_MD_CHECK_MAP 3
#define IOMMU_TEST_OP_MD_CHECK_REFS 4
struct iommu_test_check_map_args {
	__aligned_u64 iova;
	__aligned_u64 length;
	__aligned_u64 uptr;
};

struct iommu_test_check_refs_args {
	__aligned_u64 length;
	__aligned_u64 uptr;
	__u32 refs;
};

/*
 * IOMMU_TEST_OP_CREATE_ACCESS: make an emulated-device user of the IOAS
 * "id", returned as a file descriptor that the access operations below
 * take in "id".
 */
#define IOMMU_TEST_OP_CREATE_ACCESS 5
enum {
	/* create_access.flags: the access pins pages, not only copies */
	MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES = 0x1,
	/*
	 * Our extension (a bit Linux has not used): a broken driver whose
	 * unmap callback keeps its pins, except when the access is detached.
	 * An IOMMU_IOAS_UNMAP over them fails with EDEADLOCK.
	 */
	MOCK_FLAGS_ACCESS_CREATE_KEEP_PINS = 0x1000000,
};

struct iommu_test_access_args {
	__u32 out_access_fd;
	__u32 flags;
};

/* IOMMU_TEST_OP_ACCESS_REPLACE_IOAS: move the access to another IOAS. */
#define IOMMU_TEST_OP_ACCESS_REPLACE_IOAS 11
struct iommu_test_access_ioas_args {
	__u32 ioas_id;
};

/*
 * IOMMU_TEST_OP_ACCESS_PAGES pins an IOVA range through the access and
 * returns an ID for the pinned set; IOMMU_TEST_OP_DESTROY_ACCESS_PAGES
 * unpins that set.
 */
#define IOMMU_TEST_OP_ACCESS_PAGES 7
#define IOMMU_TEST_OP_DESTROY_ACCESS_PAGES 6
enum {
	/* access_pages.flags */
	MOCK_FLAGS_ACCESS_WRITE = 0x1,
	MOCK_FLAGS_ACCESS_SYZ = 0x10000,	/* iova is a syzkaller cookie */
};

struct iommu_test_pin_args {
	__u32 flags;
	__u32 out_access_pages_id;
	__aligned_u64 iova;
	__aligned_u64 length;
	__aligned_u64 uptr;
};

struct iommu_test_unpin_args {
	__u32 access_pages_id;
};

/* IOMMU_TEST_OP_ACCESS_RW: copy between user memory and IOVAs. */
#define IOMMU_TEST_OP_ACCESS_RW 8
enum {
	/* access_rw.flags */
	MOCK_ACCESS_RW_WRITE = 0x1,
	MOCK_ACCESS_RW_SLOW_PATH = 0x4,		/* force the page-walk path */
};

struct iommu_test_rw_args {
	__aligned_u64 iova;
	__aligned_u64 length;
	__aligned_u64 uptr;
	__u32 flags;
};

/* IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT: pages per pinning batch. */
#define IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT 9
struct iommu_test_batch_args {
	__u32 limit;
};

/*
 * IOMMU_TEST_OP_DIRTY: mark the pages set in the bitmap at uptr dirty in
 * the mock domain "id", as device writes would; returns how many were.
 */
#define IOMMU_TEST_OP_DIRTY 13
struct iommu_test_dirty_args {
	__u32 flags;
	__aligned_u64 iova;
	__aligned_u64 length;
	__aligned_u64 page_size;
	__aligned_u64 uptr;
	__aligned_u64 out_nr_dirty;
};

/* IOMMU_TEST_OP_MD_CHECK_IOTLB: IOTLB entry "id" holds value "iotlb". */
#define IOMMU_TEST_OP_MD_CHECK_IOTLB 14
struct iommu_test_iotlb_args {
	__u32 id;
	__u32 iotlb;
};

/* IOMMU_TEST_OP_TRIGGER_IOPF: raise an I/O page fault on a mock device. */
#define IOMMU_TEST_OP_TRIGGER_IOPF 15
struct iommu_test_iopf_args {
	__u32 dev_id;
	__u32 pasid;
	__u32 grpid;
	__u32 perm;
	__u64 addr;
};

/*
 * IOMMU_TEST_OP_DEV_CHECK_CACHE (newer mainline's number): entry "id" of
 * the emulated cache of the bound mock device the command's id names
 * holds "cache".  Each device has MOCK_DEV_CACHE_NUM entries, which start
 * as IOMMU_TEST_DEV_CACHE_DEFAULT and which the vIOMMU's invalidations
 * (struct iommu_viommu_invalidate_selftest) set to 0.
 */
#define IOMMU_TEST_OP_DEV_CHECK_CACHE 16
struct iommu_test_dev_cache_args {
	__u32 id;
	__u32 cache;
};

/*
 * IOMMU_TEST_OP_TRIGGER_VEVENT (newer mainline's number): the mock device
 * "dev_id" raises an event of its vIOMMU, a struct
 * iommu_viommu_event_selftest naming the device by its vDEVICE's virt_id.
 */
#define IOMMU_TEST_OP_TRIGGER_VEVENT 17
struct iommu_test_vevent_args {
	__u32 dev_id;
};

/*
 * PASID attachments of a mock device (newer mainline's numbers); the
 * command's id is the selftest object of a MOCK_FLAGS_DEVICE_PASID device.
 * IOMMU_TEST_OP_PASID_ATTACH and _REPLACE put "pasid" on the IOAS or HWPT
 * "pt_id" and return the HWPT used in it; _DETACH blocks "pasid" again.
 * IOMMU_TEST_OP_PASID_CHECK_HWPT fails with EINVAL unless "pasid" of the
 * device translates through the domain of HWPT "hwpt_id" (0: through
 * nothing).
 */
#define IOMMU_TEST_OP_PASID_ATTACH 18
#define IOMMU_TEST_OP_PASID_REPLACE 19
#define IOMMU_TEST_OP_PASID_DETACH 20
#define IOMMU_TEST_OP_PASID_CHECK_HWPT 21
struct iommu_test_pasid_attach_args {
	__u32 pasid;
	__u32 pt_id;
};

struct iommu_test_pasid_detach_args {
	__u32 pasid;
};

struct iommu_test_pasid_check_args {
	__u32 pasid;
	__u32 hwpt_id;
};

/*
 * A mock domain refuses to take over IOMMU_TEST_PASID_RESERVED from
 * another domain (replace fails with EIO), so that tests see a failed
 * replace leave the old HWPT in place.
 */
#define IOMMU_TEST_PASID_RESERVED 1024

/*
 * IOMMU_TEST_OP_DMA_FAULT (ours, not in Linux 6.12): the bound mock device
 * "dev_id" hits an unrecoverable DMA fault at "iova"; "flags" are the
 * IOMMU core's IOMMU_DMA_FAULT_* bits, "code" the vendor code reported.
 * The IOMMU core delivers it later, from its workqueue.
 */
#define IOMMU_TEST_OP_DMA_FAULT 0x1000
struct iommu_test_dma_fault_args {
	__u32 dev_id;
	__u32 flags;
	__u32 pasid;
	__u32 code;
	__u64 iova;
};

/* --- The command --- */

/*
 * struct iommu_test_cmd - argument of IOMMU_TEST_CMD: @size is its size,
 * @op an IOMMU_TEST_OP_*, @id the object the operation works on.  The
 * union carries the operation's arguments (out_* fields are results).
 * @last ends the structure; the minimum size the kernel accepts runs to it.
 */
struct iommu_test_cmd {
	__u32 size;
	__u32 op;
	__u32 id;
	__u32 __reserved;
	union {
		struct iommu_test_reserve_args add_reserved;
		struct iommu_test_mock_dev_args mock_domain;
		struct iommu_test_mock_dev_flags_args mock_domain_flags;
		struct iommu_test_replace_args mock_domain_replace;
		struct iommu_test_check_map_args check_map;
		struct iommu_test_check_refs_args check_refs;
		struct iommu_test_access_args create_access;
		struct iommu_test_unpin_args destroy_access_pages;
		struct iommu_test_pin_args access_pages;
		struct iommu_test_rw_args access_rw;
		struct iommu_test_batch_args memory_limit;
		struct iommu_test_access_ioas_args access_replace_ioas;
		struct iommu_test_dirty_args dirty;
		struct iommu_test_iotlb_args check_iotlb;
		struct iommu_test_iopf_args trigger_iopf;
		struct iommu_test_dma_fault_args dma_fault;
		struct iommu_test_dev_cache_args check_dev_cache;
		struct iommu_test_vevent_args trigger_vevent;
		struct iommu_test_pasid_attach_args pasid_attach;
		struct iommu_test_pasid_attach_args pasid_replace;
		struct iommu_test_pasid_detach_args pasid_detach;
		struct iommu_test_pasid_check_args pasid_check;
	};
	__u32 last;
};

#define IOMMU_TEST_CMD _IO(IOMMUFD_TYPE, IOMMUFD_CMD_BASE + 32)

/* --- Data the mock driver exchanges through the regular ioctls --- */

/* IOMMU_GET_HW_INFO on a mock device returns struct iommu_test_hw_info. */
#define IOMMU_HW_INFO_TYPE_SELFTEST 0xfeedbeef
#define IOMMU_HW_INFO_SELFTEST_REGVAL 0xdeadbeef

struct iommu_test_hw_info {
	__u32 flags;
	__u32 test_reg;		/* IOMMU_HW_INFO_SELFTEST_REGVAL */
};

/*
 * IOMMU_HWPT_ALLOC of a nested mock domain takes struct
 * iommu_hwpt_selftest: the value every emulated IOTLB entry starts with.
 */
#define IOMMU_HWPT_DATA_SELFTEST 0xdead
#define IOMMU_TEST_IOTLB_DEFAULT 0xbadbeef

struct iommu_hwpt_selftest {
	__u32 iotlb;
};

/*
 * IOMMU_HWPT_INVALIDATE of a nested mock domain takes entries of struct
 * iommu_hwpt_invalidate_selftest; the _INVALID type exists to be refused.
 */
#define IOMMU_HWPT_INVALIDATE_DATA_SELFTEST 0xdeadbeef
#define IOMMU_HWPT_INVALIDATE_DATA_SELFTEST_INVALID 0xdadbeef
#define IOMMU_TEST_INVALIDATE_FLAG_ALL 0x1	/* every entry; ignore iotlb_id */

struct iommu_hwpt_invalidate_selftest {
	__u32 flags;
	__u32 iotlb_id;
};

/* --- The mock vIOMMU (the values of newer mainline kernels) --- */

/* IOMMU_VIOMMU_ALLOC's type of the mock driver; it takes no data. */
#define IOMMU_VIOMMU_TYPE_SELFTEST 0xdeadbeef

/* The emulated cache of each mock device, see IOMMU_TEST_OP_DEV_CHECK_CACHE */
#define MOCK_DEV_CACHE_NUM 4
#define MOCK_DEV_CACHE_ID_MAX (MOCK_DEV_CACHE_NUM - 1)
#define IOMMU_TEST_DEV_CACHE_DEFAULT 0xbaddad

/*
 * IOMMU_HWPT_INVALIDATE of a mock vIOMMU takes entries of struct
 * iommu_viommu_invalidate_selftest: the device with vDEVICE virt_id
 * "vdev_id" has its cache entry "cache_id" (every entry with
 * IOMMU_TEST_INVALIDATE_FLAG_ALL) set to 0.  An unknown vdev_id or a
 * cache_id above MOCK_DEV_CACHE_ID_MAX fails with EINVAL, unknown flags
 * with EOPNOTSUPP.  The _INVALID type exists to be refused.
 */
#define IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST 0xdeadbeef
#define IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST_INVALID 0xdadbeef

struct iommu_viommu_invalidate_selftest {
	__u32 flags;
	__u32 vdev_id;
	__u32 cache_id;
};

/* A mock vIOMMU's events: vEVENTQ type and record. */
#define IOMMU_VEVENTQ_TYPE_SELFTEST 0xbeefbeef

struct iommu_viommu_event_selftest {
	__u32 virt_id;
};

#endif
