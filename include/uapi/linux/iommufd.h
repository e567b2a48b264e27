/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * /dev/iommu: userspace control of I/O address spaces.
 *
 * The ioctl numbers, structure layouts, flags and error codes here are the
 * ABI of Linux 6.12's iommufd (plus the later struct iommu_hw_info input
 * type), so programs written against that kernel run unchanged.
 */
#ifndef _UAPI_IOMMUFD_H
#define _UAPI_IOMMUFD_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define IOMMUFD_TYPE (';')

/*
 * Calling convention shared by every ioctl below.
 *
 * The argument is a pointer to a structure whose first __u32, "size", is
 * the number of bytes userspace supplies.  The kernel reads min(size, its
 * own structure size) bytes: a shorter structure (an older program) gets
 * the missing tail treated as zero, a longer one (a newer program) is
 * accepted only if every byte past the kernel's structure is zero, else
 * E2BIG.  A size below the structure's first extension point fails with
 * EINVAL.
 *
 * Common errors: ENOTTY for an unknown ioctl, EOPNOTSUPP for a flag, type
 * or option the kernel does not implement and for a reserved field that
 * is not zero, ENOENT for an object ID that does not exist or is of
 * the wrong kind, EOVERFLOW when a value does not fit the kernel's types,
 * EFAULT for an unreadable or unwritable user pointer.
 *
 * Fields named out_* are written by the kernel; all others are read.
 */
enum {
	IOMMUFD_CMD_BASE = 0x80,
	IOMMUFD_CMD_DESTROY = IOMMUFD_CMD_BASE,
	IOMMUFD_CMD_IOAS_ALLOC = 0x81,
	IOMMUFD_CMD_IOAS_ALLOW_IOVAS = 0x82,
	IOMMUFD_CMD_IOAS_COPY = 0x83,
	IOMMUFD_CMD_IOAS_IOVA_RANGES = 0x84,
	IOMMUFD_CMD_IOAS_MAP = 0x85,
	IOMMUFD_CMD_IOAS_UNMAP = 0x86,
	IOMMUFD_CMD_OPTION = 0x87,
	IOMMUFD_CMD_VFIO_IOAS = 0x88,
	IOMMUFD_CMD_HWPT_ALLOC = 0x89,
	IOMMUFD_CMD_GET_HW_INFO = 0x8a,
	IOMMUFD_CMD_HWPT_SET_DIRTY_TRACKING = 0x8b,
	IOMMUFD_CMD_HWPT_GET_DIRTY_BITMAP = 0x8c,
	IOMMUFD_CMD_HWPT_INVALIDATE = 0x8d,
	IOMMUFD_CMD_FAULT_QUEUE_ALLOC = 0x8e,
	IOMMUFD_CMD_IOAS_MAP_FILE = 0x8f,
	IOMMUFD_CMD_VIOMMU_ALLOC = 0x90,
	IOMMUFD_CMD_VDEVICE_ALLOC = 0x91,
	IOMMUFD_CMD_VEVENTQ_ALLOC = 0x93,
};

/**
 * struct iommu_destroy - ioctl(IOMMU_DESTROY)
 * @size: sizeof(struct iommu_destroy)
 * @id: ID of the object to free
 *
 * Frees any object this file owns, by ID.  Fails with EBUSY while another
 * object still depends on it (an IOAS with an attached HWPT, a HWPT a
 * device is attached to, ...), and with ENOENT for an unknown ID.
 */
struct iommu_destroy {
	__u32 size;
	__u32 id;
};

#define IOMMU_DESTROY _IO(IOMMUFD_TYPE, IOMMUFD_CMD_DESTROY)

/**
 * struct iommu_ioas_alloc - ioctl(IOMMU_IOAS_ALLOC)
 * @size: sizeof(struct iommu_ioas_alloc)
 * @flags: Must be 0
 * @out_ioas_id: ID of the new IOAS
 *
 * Creates an empty I/O address space.  An IOAS maps IOVAs to user memory;
 * every HWPT attached to it mirrors those mappings into an IOMMU page
 * table, so a device attached through it sees exactly what is mapped.
 */
struct iommu_ioas_alloc {
	__u32 size;
	__u32 flags;
	__u32 out_ioas_id;
};

#define IOMMU_IOAS_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_ALLOC)

/**
 * struct iommu_iova_range - one inclusive range of IOVA
 * @start: First IOVA of the range
 * @last: Last IOVA of the range (inclusive, so a range may end at ~0)
 */
struct iommu_iova_range {
	__aligned_u64 start;
	__aligned_u64 last;
};

/**
 * struct iommu_ioas_iova_ranges - ioctl(IOMMU_IOAS_IOVA_RANGES)
 * @size: sizeof(struct iommu_ioas_iova_ranges)
 * @ioas_id: IOAS to query
 * @num_iovas: In: entries available at @allowed_iovas.  Out: entries the
 *             IOAS has
 * @__reserved: Must be 0
 * @allowed_iovas: User pointer to an array of struct iommu_iova_range
 * @out_iova_alignment: Smallest alignment, in bytes, an IOVA and a length
 *                      must have for IOMMU_IOAS_MAP and IOMMU_IOAS_COPY
 *
 * Reports the IOVA ranges that may be mapped right now: the aperture of
 * every attached domain, minus reserved regions of attached devices (MSI
 * windows and the like).  Ranges set with IOMMU_IOAS_ALLOW_IOVAS only
 * steer the kernel's own choice of IOVA and are not subtracted.  The
 * ranges are sorted and do not touch.
 *
 * When @num_iovas is too small the kernel fills what fits, sets
 * @num_iovas to the full count and fails with EMSGSIZE.  The answer may
 * change whenever a device is attached or detached.
 */
struct iommu_ioas_iova_ranges {
	__u32 size;
	__u32 ioas_id;
	__u32 num_iovas;
	__u32 __reserved;
	__aligned_u64 allowed_iovas;
	__aligned_u64 out_iova_alignment;
};

#define IOMMU_IOAS_IOVA_RANGES _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_IOVA_RANGES)

/**
 * struct iommu_ioas_allow_iovas - ioctl(IOMMU_IOAS_ALLOW_IOVAS)
 * @size: sizeof(struct iommu_ioas_allow_iovas)
 * @ioas_id: IOAS to restrict
 * @num_iovas: Number of entries at @allowed_iovas
 * @__reserved: Must be 0
 * @allowed_iovas: User pointer to an array of struct iommu_iova_range
 *
 * Replaces the IOAS's list of allowed ranges with these, and promises
 * they stay usable: IOMMU_IOAS_IOVA_RANGES will always cover them.  So
 * the call fails with EADDRINUSE while a reserved region of an attached
 * device intersects one of them, and attaching such a device later
 * fails.  While the list is not empty, IOVAs the kernel picks for
 * IOMMU_IOAS_MAP and IOMMU_IOAS_COPY come only from it.  The ranges may
 * be given in any order but must not overlap (EINVAL).  An empty list
 * lifts the restriction.
 */
struct iommu_ioas_allow_iovas {
	__u32 size;
	__u32 ioas_id;
	__u32 num_iovas;
	__u32 __reserved;
	__aligned_u64 allowed_iovas;
};

#define IOMMU_IOAS_ALLOW_IOVAS _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_ALLOW_IOVAS)

/**
 * enum iommufd_ioas_map_flags - flags for IOMMU_IOAS_MAP and IOMMU_IOAS_COPY
 * @IOMMU_IOAS_MAP_FIXED_IOVA: Use the IOVA given by the caller rather than
 *                             letting the kernel choose one
 * @IOMMU_IOAS_MAP_WRITEABLE: Devices may write through the mapping
 * @IOMMU_IOAS_MAP_READABLE: Devices may read through the mapping
 */
enum iommufd_ioas_map_flags {
	IOMMU_IOAS_MAP_FIXED_IOVA = 1 << 0,
	IOMMU_IOAS_MAP_WRITEABLE = 1 << 1,
	IOMMU_IOAS_MAP_READABLE = 1 << 2,
};

/**
 * struct iommu_ioas_map - ioctl(IOMMU_IOAS_MAP)
 * @size: sizeof(struct iommu_ioas_map)
 * @flags: Combination of enum iommufd_ioas_map_flags
 * @ioas_id: IOAS to map into
 * @__reserved: Must be 0
 * @user_va: Start of the user memory to map
 * @length: Bytes to map
 * @iova: With IOMMU_IOAS_MAP_FIXED_IOVA, the IOVA to map at; otherwise
 *        set by the kernel to the IOVA it chose
 *
 * Pins the user memory and makes it reachable at the IOVA through every
 * domain attached to the IOAS.  Pages are charged against the locked
 * memory limit once, however many IOAS or domains map them.  @length and
 * a fixed @iova must be multiples of the IOAS's IOVA alignment.
 *
 * A fixed IOVA that overlaps an existing mapping fails with EEXIST, one
 * in a reserved region fails too.  When the kernel chooses,
 * it picks a hole at least as aligned as @user_va allows (up to the
 * largest IOMMU page size), so huge pages can map as huge IOPTEs, and
 * fails with ENOSPC only when no hole of the needed size exists.
 */
struct iommu_ioas_map {
	__u32 size;
	__u32 flags;
	__u32 ioas_id;
	__u32 __reserved;
	__aligned_u64 user_va;
	__aligned_u64 length;
	__aligned_u64 iova;
};

#define IOMMU_IOAS_MAP _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_MAP)

/**
 * struct iommu_ioas_map_file - ioctl(IOMMU_IOAS_MAP_FILE)
 * @size: sizeof(struct iommu_ioas_map_file)
 * @flags: Combination of enum iommufd_ioas_map_flags
 * @ioas_id: IOAS to map into
 * @fd: A memfd, or another shmem (tmpfs) file
 * @start: Byte offset in the file of the memory to map
 * @length: Bytes to map
 * @iova: With IOMMU_IOAS_MAP_FIXED_IOVA, the IOVA to map at; otherwise
 *        set by the kernel to the IOVA it chose
 *
 * As IOMMU_IOAS_MAP, for memory named by a file and an offset rather than
 * by a user address: no mapping of the file in the caller is needed.  The
 * file's pages are taken (allocated where the file has holes) and charged
 * once; they stay with the IOAS until unmapped, even if the file shrinks
 * meanwhile.  The file must be open for reading, and for writing when
 * devices may write (EPERM otherwise, also for a write-sealed memfd).  A
 * range past the end of the file fails with EINVAL, as does a file that
 * is not shmem, a bad @fd with EBADF.
 */
struct iommu_ioas_map_file {
	__u32 size;
	__u32 flags;
	__u32 ioas_id;
	__s32 fd;
	__aligned_u64 start;
	__aligned_u64 length;
	__aligned_u64 iova;
};

#define IOMMU_IOAS_MAP_FILE _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_MAP_FILE)

/**
 * struct iommu_ioas_copy - ioctl(IOMMU_IOAS_COPY)
 * @size: sizeof(struct iommu_ioas_copy)
 * @flags: Combination of enum iommufd_ioas_map_flags
 * @dst_ioas_id: IOAS to map into
 * @src_ioas_id: IOAS whose existing mapping supplies the pages
 * @length: Bytes to copy
 * @dst_iova: IOVA in @dst_ioas_id, chosen by the kernel unless
 *            IOMMU_IOAS_MAP_FIXED_IOVA is set
 * @src_iova: IOVA in @src_ioas_id where the pages are mapped
 *
 * Maps into @dst_ioas_id the very pages that back @src_iova..+@length in
 * @src_ioas_id, without pinning or charging them again.  The source range
 * must be fully mapped (else ENOENT).  The copy stays valid after the
 * source is unmapped; it is a mapping of its own.
 */
struct iommu_ioas_copy {
	__u32 size;
	__u32 flags;
	__u32 dst_ioas_id;
	__u32 src_ioas_id;
	__aligned_u64 length;
	__aligned_u64 dst_iova;
	__aligned_u64 src_iova;
};

#define IOMMU_IOAS_COPY _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_COPY)

/**
 * struct iommu_ioas_unmap - ioctl(IOMMU_IOAS_UNMAP)
 * @size: sizeof(struct iommu_ioas_unmap)
 * @ioas_id: IOAS to unmap from
 * @iova: First IOVA to unmap
 * @length: Bytes to unmap; set by the kernel to the bytes actually
 *          unmapped
 *
 * Removes every mapping that lies entirely inside the range; a mapping
 * that only partly overlaps it fails the call with ENOENT and nothing is
 * unmapped.  @iova 0 with @length U64_MAX unmaps everything.  When the
 * call returns, no device can reach the pages through this IOAS any more.
 */
struct iommu_ioas_unmap {
	__u32 size;
	__u32 ioas_id;
	__aligned_u64 iova;
	__aligned_u64 length;
};

#define IOMMU_IOAS_UNMAP _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_UNMAP)

/**
 * enum iommufd_option - what IOMMU_OPTION sets or gets
 * @IOMMU_OPTION_RLIMIT_MODE: Per file (object_id 0).  0 (default): charge
 *                            pinned pages to the user's RLIMIT_MEMLOCK;
 *                            1: charge them to the process's.  Changing it
 *                            needs CAP_SYS_RESOURCE and a file that owns
 *                            no objects yet.
 * @IOMMU_OPTION_HUGE_PAGES: Per IOAS (object_id is the IOAS).  1 (default):
 *                           contiguous pages may be mapped with huge
 *                           IOPTEs; 0: map everything with PAGE_SIZE
 *                           entries, e.g. for benchmarking
 */
enum iommufd_option {
	IOMMU_OPTION_RLIMIT_MODE = 0,
	IOMMU_OPTION_HUGE_PAGES = 1,
};

/**
 * enum iommufd_option_ops - IOMMU_OPTION operations
 * @IOMMU_OPTION_OP_SET: Store val64
 * @IOMMU_OPTION_OP_GET: Return the current value in val64
 */
enum iommufd_option_ops {
	IOMMU_OPTION_OP_SET = 0,
	IOMMU_OPTION_OP_GET = 1,
};

/**
 * struct iommu_option - ioctl(IOMMU_OPTION)
 * @size: sizeof(struct iommu_option)
 * @option_id: One of enum iommufd_option
 * @op: One of enum iommufd_option_ops
 * @__reserved: Must be 0
 * @object_id: Object the option applies to, 0 for per-file options
 * @val64: Value to set, or the value read back
 */
struct iommu_option {
	__u32 size;
	__u32 option_id;
	__u16 op;
	__u16 __reserved;
	__u32 object_id;
	__aligned_u64 val64;
};

#define IOMMU_OPTION _IO(IOMMUFD_TYPE, IOMMUFD_CMD_OPTION)

/**
 * enum iommufd_vfio_ioas_op - IOMMU_VFIO_IOAS operations
 * @IOMMU_VFIO_IOAS_GET: Return in ioas_id the IOAS the VFIO container
 *                       compatibility layer uses; ENODEV when there is
 *                       none (setting a VFIO group's container creates
 *                       one)
 * @IOMMU_VFIO_IOAS_SET: Make ioas_id that IOAS
 * @IOMMU_VFIO_IOAS_CLEAR: Leave the compatibility layer without an IOAS
 */
enum iommufd_vfio_ioas_op {
	IOMMU_VFIO_IOAS_GET = 0,
	IOMMU_VFIO_IOAS_SET = 1,
	IOMMU_VFIO_IOAS_CLEAR = 2,
};

/**
 * struct iommu_vfio_ioas - ioctl(IOMMU_VFIO_IOAS)
 * @size: sizeof(struct iommu_vfio_ioas)
 * @ioas_id: For IOMMU_VFIO_IOAS_SET, the IOAS to use; for
 *           IOMMU_VFIO_IOAS_GET, set by the kernel
 * @op: One of enum iommufd_vfio_ioas_op
 * @__reserved: Must be 0
 *
 * When /dev/vfio/vfio is served by iommufd, the legacy container ioctls
 * act on one IOAS of the file.  This picks or reports which, so a program
 * can mix type1 calls with native iommufd calls on the same mappings.
 */
struct iommu_vfio_ioas {
	__u32 size;
	__u32 ioas_id;
	__u16 op;
	__u16 __reserved;
};

#define IOMMU_VFIO_IOAS _IO(IOMMUFD_TYPE, IOMMUFD_CMD_VFIO_IOAS)

/**
 * enum iommufd_hwpt_alloc_flags - flags for IOMMU_HWPT_ALLOC
 * @IOMMU_HWPT_ALLOC_NEST_PARENT: The domain will be the stage-2 parent of
 *                                nested (user-managed stage-1) domains
 * @IOMMU_HWPT_ALLOC_DIRTY_TRACKING: The domain must support dirty
 *                                   tracking; fails with EOPNOTSUPP when
 *                                   the IOMMU cannot do it for the device
 * @IOMMU_HWPT_FAULT_ID_VALID: fault_id names a fault queue that receives
 *                             the domain's I/O page faults
 * @IOMMU_HWPT_ALLOC_PASID: The domain may be attached to PASIDs of a
 *                          device (newer Linux's value). A PASID takes
 *                          only such a HWPT, and only while the device's
 *                          RID is on one too (or on none); the RID of a
 *                          device with PASIDs attached takes only such a
 *                          HWPT. Others fail with EINVAL. Automatic HWPTs
 *                          of an IOAS are PASID-compatible where the IOMMU
 *                          has PASIDs. EOPNOTSUPP where it has none.
 */
enum iommufd_hwpt_alloc_flags {
	IOMMU_HWPT_ALLOC_NEST_PARENT = 1 << 0,
	IOMMU_HWPT_ALLOC_DIRTY_TRACKING = 1 << 1,
	IOMMU_HWPT_FAULT_ID_VALID = 1 << 2,
	IOMMU_HWPT_ALLOC_PASID = 1 << 3,
};

/**
 * enum iommu_hwpt_vtd_s1_flags - flags of a VT-d stage-1 page table
 * @IOMMU_VTD_S1_SRE: Supervisor requests are allowed
 * @IOMMU_VTD_S1_EAFE: Extended access flag is enabled
 * @IOMMU_VTD_S1_WPE: Write protect is enforced for supervisor requests
 */
enum iommu_hwpt_vtd_s1_flags {
	IOMMU_VTD_S1_SRE = 1 << 0,
	IOMMU_VTD_S1_EAFE = 1 << 1,
	IOMMU_VTD_S1_WPE = 1 << 2,
};

/**
 * struct iommu_hwpt_vtd_s1 - a guest-owned VT-d stage-1 page table
 *                            (IOMMU_HWPT_DATA_VTD_S1)
 * @flags: Combination of enum iommu_hwpt_vtd_s1_flags
 * @pgtbl_addr: Guest physical address of the first-level table
 * @addr_width: Input address width of the table, in bits
 * @__reserved: Must be 0
 */
struct iommu_hwpt_vtd_s1 {
	__aligned_u64 flags;
	__aligned_u64 pgtbl_addr;
	__u32 addr_width;
	__u32 __reserved;
};

/**
 * struct iommu_hwpt_arm_smmuv3 - a guest-owned SMMUv3 stage 1, as the
 *                                guest's STE (IOMMU_HWPT_DATA_ARM_SMMUV3)
 * @ste: Words 0 and 1 of the guest's stream table entry, little-endian.
 *       Only V, Config (abort, bypass or stage-1 translate), S1Fmt,
 *       S1ContextPtr, S1CDMax, S1DSS, S1CIR, S1COR, S1CSH, S1STALLD and
 *       EATS (0 or 1) may be set, else allocation fails with EIO. An STE
 *       without V aborts DMA. The stage 2 comes from the nest parent.
 */
struct iommu_hwpt_arm_smmuv3 {
	__aligned_le64 ste[2];
};

/**
 * struct iommu_hwpt_amd_guest - a guest-owned AMD-Vi stage 1, as the
 *                               guest's device table entry
 *                               (IOMMU_HWPT_DATA_AMD_GUEST)
 * @dte: The four 64-bit words of the guest's DTE for the device, as the
 *       guest wrote them to its emulated IOMMU's device table.  The
 *       guest's GCR3 table root, GLX, GV, guest paging mode and domain ID
 *       are taken; the host's own page table is the stage 2.
 */
struct iommu_hwpt_amd_guest {
	__aligned_u64 dte[4];
};

/**
 * enum iommu_hwpt_data_type - what IOMMU_HWPT_ALLOC's data_uptr holds
 * @IOMMU_HWPT_DATA_NONE: No data: a kernel-managed domain, filled from an
 *                        IOAS
 * @IOMMU_HWPT_DATA_VTD_S1: struct iommu_hwpt_vtd_s1, a nested domain
 * @IOMMU_HWPT_DATA_ARM_SMMUV3: struct iommu_hwpt_arm_smmuv3, a nested domain
 * @IOMMU_HWPT_DATA_AMD_GUEST: struct iommu_hwpt_amd_guest, a nested domain
 */
enum iommu_hwpt_data_type {
	IOMMU_HWPT_DATA_NONE = 0,
	IOMMU_HWPT_DATA_VTD_S1 = 1,
	IOMMU_HWPT_DATA_ARM_SMMUV3 = 2,
	IOMMU_HWPT_DATA_AMD_GUEST = 3,
};

/**
 * struct iommu_hwpt_alloc - ioctl(IOMMU_HWPT_ALLOC)
 * @size: sizeof(struct iommu_hwpt_alloc)
 * @flags: Combination of enum iommufd_hwpt_alloc_flags
 * @dev_id: Device the domain is made for (its IOMMU decides the format)
 * @pt_id: An IOAS, for a kernel-managed domain; or a HWPT allocated with
 *         IOMMU_HWPT_ALLOC_NEST_PARENT, for a nested domain
 * @out_hwpt_id: ID of the new HWPT
 * @__reserved: Must be 0
 * @data_type: One of enum iommu_hwpt_data_type
 * @data_len: Bytes at @data_uptr
 * @data_uptr: User pointer to the driver-specific data of @data_type
 * @fault_id: Fault queue object, read with IOMMU_HWPT_FAULT_ID_VALID
 * @__reserved2: Must be 0
 *
 * Allocates an IOMMU domain explicitly, where attaching a device to an
 * IOAS would pick or create one implicitly.  A kernel-managed domain
 * (@data_type IOMMU_HWPT_DATA_NONE) is attached to the IOAS @pt_id and
 * keeps mirroring its mappings.  A nested domain takes its stage-1 table
 * from @data_uptr and translates through the parent HWPT @pt_id.
 */
struct iommu_hwpt_alloc {
	__u32 size;
	__u32 flags;
	__u32 dev_id;
	__u32 pt_id;
	__u32 out_hwpt_id;
	__u32 __reserved;
	__u32 data_type;
	__u32 data_len;
	__aligned_u64 data_uptr;
	__u32 fault_id;
	__u32 __reserved2;
};

#define IOMMU_HWPT_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_HWPT_ALLOC)

/**
 * enum iommu_hw_info_vtd_flags - properties of a VT-d unit
 * @IOMMU_HW_INFO_VTD_ERRATA_772415_SPR17: The unit needs stage-1 IOTLB
 *                                         invalidation after a read-only
 *                                         to read-write PTE change
 */
enum iommu_hw_info_vtd_flags {
	IOMMU_HW_INFO_VTD_ERRATA_772415_SPR17 = 1 << 0,
};

/**
 * struct iommu_hw_info_vtd - VT-d data of IOMMU_GET_HW_INFO
 *                            (IOMMU_HW_INFO_TYPE_INTEL_VTD)
 * @flags: Combination of enum iommu_hw_info_vtd_flags
 * @__reserved: Must be 0
 * @cap_reg: The unit's Capability Register
 * @ecap_reg: The unit's Extended Capability Register
 */
struct iommu_hw_info_vtd {
	__u32 flags;
	__u32 __reserved;
	__aligned_u64 cap_reg;
	__aligned_u64 ecap_reg;
};

/**
 * struct iommu_hw_info_arm_smmuv3 - SMMUv3 data of IOMMU_GET_HW_INFO
 *                                   (IOMMU_HW_INFO_TYPE_ARM_SMMUV3)
 * @flags: Must be 0
 * @__reserved: Must be 0
 * @idr: The SMMU's ID registers IDR0 to IDR5
 * @iidr: Its implementation ID register
 * @aidr: Its architecture version register
 *
 * The registers as the SMMU presents them; a VMM keeps to what both they
 * and its own emulation support.
 */
struct iommu_hw_info_arm_smmuv3 {
	__u32 flags;
	__u32 __reserved;
	__u32 idr[6];
	__u32 iidr;
	__u32 aidr;
};

/**
 * struct iommu_hw_info_amd - AMD-Vi data of IOMMU_GET_HW_INFO
 *                            (IOMMU_HW_INFO_TYPE_AMD)
 * @efr: The Extended Feature Register of the IOMMU behind the device
 * @efr2: Its Extended Feature 2 Register
 */
struct iommu_hw_info_amd {
	__aligned_u64 efr;
	__aligned_u64 efr2;
};

/**
 * enum iommu_hw_info_type - the kind of data IOMMU_GET_HW_INFO returns
 * @IOMMU_HW_INFO_TYPE_NONE: The driver reports no data
 * @IOMMU_HW_INFO_TYPE_DEFAULT: As input: whatever type the driver reports
 *                              by default (the same value as NONE)
 * @IOMMU_HW_INFO_TYPE_INTEL_VTD: struct iommu_hw_info_vtd
 * @IOMMU_HW_INFO_TYPE_ARM_SMMUV3: struct iommu_hw_info_arm_smmuv3
 * @IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV: NVIDIA Tegra241 CMDQV, an SMMUv3
 *                                     extension; newer mainline kernels'
 *                                     value, which no driver here reports
 * @IOMMU_HW_INFO_TYPE_AMD: struct iommu_hw_info_amd (the value and layout
 *                          of newer mainline kernels)
 */
enum iommu_hw_info_type {
	IOMMU_HW_INFO_TYPE_NONE = 0,
	IOMMU_HW_INFO_TYPE_DEFAULT = 0,
	IOMMU_HW_INFO_TYPE_INTEL_VTD = 1,
	IOMMU_HW_INFO_TYPE_ARM_SMMUV3 = 2,
	IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV = 3,
	IOMMU_HW_INFO_TYPE_AMD = 4,
};

/**
 * enum iommufd_hw_capabilities - generic capabilities of a device's IOMMU
 * @IOMMU_HW_CAP_DIRTY_TRACKING: Domains can track DMA writes
 *                               (IOMMU_HWPT_ALLOC_DIRTY_TRACKING works)
 * @IOMMU_HW_CAP_PCI_PASID_EXEC: The device's PASID capability allows
 *                               execute requests
 * @IOMMU_HW_CAP_PCI_PASID_PRIV: The device's PASID capability allows
 *                               privileged-mode requests
 */
enum iommufd_hw_capabilities {
	IOMMU_HW_CAP_DIRTY_TRACKING = 1 << 0,
	IOMMU_HW_CAP_PCI_PASID_EXEC = 1 << 1,
	IOMMU_HW_CAP_PCI_PASID_PRIV = 1 << 2,
};

/**
 * enum iommufd_hw_info_flags - flags for IOMMU_GET_HW_INFO
 * @IOMMU_HW_INFO_FLAG_INPUT_TYPE: in_data_type names the data type wanted;
 *                                 without it the driver's default is used
 */
enum iommufd_hw_info_flags {
	IOMMU_HW_INFO_FLAG_INPUT_TYPE = 1 << 0,
};

/**
 * struct iommu_hw_info - ioctl(IOMMU_GET_HW_INFO)
 * @size: sizeof(struct iommu_hw_info)
 * @flags: Combination of enum iommufd_hw_info_flags
 * @dev_id: Device to report on
 * @data_len: In: bytes available at @data_uptr.  Out: bytes the kernel
 *            has for this type (it writes at most the input amount and
 *            zero-fills the rest of the user buffer)
 * @data_uptr: User buffer for the driver-specific data
 * @in_data_type: With IOMMU_HW_INFO_FLAG_INPUT_TYPE, the enum
 *                iommu_hw_info_type wanted; shares its slot with
 *                @out_data_type
 * @out_data_type: The enum iommu_hw_info_type of the data returned
 * @out_max_pasid_log2: Width of the PASIDs the device supports, in bits;
 *                      0 when it supports none
 * @__reserved: Must be 0
 * @out_capabilities: Combination of enum iommufd_hw_capabilities
 *
 * Tells userspace, typically a VMM building a virtual IOMMU, what the
 * IOMMU behind a bound device can do.
 */
struct iommu_hw_info {
	__u32 size;
	__u32 flags;
	__u32 dev_id;
	__u32 data_len;
	__aligned_u64 data_uptr;
	union {
		__u32 in_data_type;
		__u32 out_data_type;
	};
	__u8 out_max_pasid_log2;
	__u8 __reserved[3];
	__aligned_u64 out_capabilities;
};

#define IOMMU_GET_HW_INFO _IO(IOMMUFD_TYPE, IOMMUFD_CMD_GET_HW_INFO)

/**
 * enum iommufd_hwpt_set_dirty_tracking_flags - IOMMU_HWPT_SET_DIRTY_TRACKING
 *                                              flags
 * @IOMMU_HWPT_DIRTY_TRACKING_ENABLE: Start tracking (clear to stop)
 */
enum iommufd_hwpt_set_dirty_tracking_flags {
	IOMMU_HWPT_DIRTY_TRACKING_ENABLE = 1,
};

/**
 * struct iommu_hwpt_set_dirty_tracking - ioctl(IOMMU_HWPT_SET_DIRTY_TRACKING)
 * @size: sizeof(struct iommu_hwpt_set_dirty_tracking)
 * @flags: Combination of enum iommufd_hwpt_set_dirty_tracking_flags
 * @hwpt_id: HWPT allocated with IOMMU_HWPT_ALLOC_DIRTY_TRACKING
 * @__reserved: Must be 0
 *
 * Turns recording of DMA writes in the domain's IOPTEs on or off.
 */
struct iommu_hwpt_set_dirty_tracking {
	__u32 size;
	__u32 flags;
	__u32 hwpt_id;
	__u32 __reserved;
};

#define IOMMU_HWPT_SET_DIRTY_TRACKING _IO(IOMMUFD_TYPE, \
					  IOMMUFD_CMD_HWPT_SET_DIRTY_TRACKING)

/**
 * enum iommufd_hwpt_get_dirty_bitmap_flags - IOMMU_HWPT_GET_DIRTY_BITMAP flags
 * @IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR: Read the dirty state without
 *                                        clearing it (and so without an
 *                                        IOTLB flush)
 */
enum iommufd_hwpt_get_dirty_bitmap_flags {
	IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR = 1,
};

/**
 * struct iommu_hwpt_get_dirty_bitmap - ioctl(IOMMU_HWPT_GET_DIRTY_BITMAP)
 * @size: sizeof(struct iommu_hwpt_get_dirty_bitmap)
 * @hwpt_id: HWPT with dirty tracking enabled
 * @flags: Combination of enum iommufd_hwpt_get_dirty_bitmap_flags
 * @__reserved: Must be 0
 * @iova: First IOVA to report on
 * @length: Bytes of IOVA to report on
 * @page_size: Bytes of IOVA each bit stands for (a power of two)
 * @data: User pointer to the bitmap; bit N covers @iova + N * @page_size
 *
 * Sets the bit of every @page_size unit written by DMA since it was last
 * cleared, and (unless NO_CLEAR) clears the record.  Bits are only ever
 * set, never cleared, in the user bitmap, so several calls can fill one.
 * @iova and @length must be multiples of @page_size.
 */
struct iommu_hwpt_get_dirty_bitmap {
	__u32 size;
	__u32 hwpt_id;
	__u32 flags;
	__u32 __reserved;
	__aligned_u64 iova;
	__aligned_u64 length;
	__aligned_u64 page_size;
	__aligned_u64 data;
};

#define IOMMU_HWPT_GET_DIRTY_BITMAP _IO(IOMMUFD_TYPE, \
					IOMMUFD_CMD_HWPT_GET_DIRTY_BITMAP)

/*
 * Commands of this implementation that Linux does not have, on numbers
 * Linux has not used (its commands count up from 0x80).
 */
enum {
	IOMMUFD_CMD_IOAS_UNMAP_DIRTY = 0xc0,
	IOMMUFD_CMD_DMA_FAULT_QUEUE_ALLOC = 0xc1,
};

/**
 * struct iommu_ioas_unmap_dirty - ioctl(IOMMU_IOAS_UNMAP_DIRTY)
 * @size: sizeof(struct iommu_ioas_unmap_dirty)
 * @hwpt_id: HWPT with dirty tracking enabled; its IOAS is unmapped
 * @flags: Must be 0
 * @__reserved: Must be 0
 * @iova: First IOVA to unmap
 * @length: Bytes to unmap, as for IOMMU_IOAS_UNMAP (whole areas); on
 *          return, the bytes unmapped
 * @page_size: Bytes of IOVA each bit stands for (a power of two)
 * @data: User pointer to the bitmap; bit N covers @iova + N * @page_size
 *
 * IOMMU_IOAS_UNMAP that also sets, as IOMMU_HWPT_GET_DIRTY_BITMAP does,
 * the bit of every page of the range the HWPT's DMA wrote since the dirty
 * state was last cleared, atomically with the unmap: a write either made
 * it into the bitmap or faulted. Every domain of the IOAS is unmapped.
 * The bitmap is read and written back before anything is unmapped: one
 * the caller cannot write fails with EFAULT and unmaps nothing.
 */
struct iommu_ioas_unmap_dirty {
	__u32 size;
	__u32 hwpt_id;
	__u32 flags;
	__u32 __reserved;
	__aligned_u64 iova;
	__aligned_u64 length;
	__aligned_u64 page_size;
	__aligned_u64 data;
};

#define IOMMU_IOAS_UNMAP_DIRTY _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_UNMAP_DIRTY)

/**
 * struct iommu_dma_fault_queue_alloc - ioctl(IOMMU_DMA_FAULT_QUEUE_ALLOC)
 * @size: sizeof(struct iommu_dma_fault_queue_alloc)
 * @flags: Must be 0
 * @depth: Events the queue holds before it drops new ones; 0 for 256,
 *         at most 65536
 * @out_queue_id: ID of the new queue object
 * @out_queue_fd: A file descriptor: read() returns whole struct
 *                iommu_dma_fault_event records, oldest first; poll() says
 *                when one is there
 * @__reserved: Must be 0
 *
 * From now on, every unrecoverable DMA fault an IOMMU logs for a device
 * bound to this iommufd (an access to an IOVA its HWPT does not map, or a
 * write to a read-only one) becomes an event in the queue. One queue per
 * iommufd: a second allocation fails with EEXIST until the first is
 * destroyed (IOMMU_DESTROY, after its fd is closed). Nothing blocks the
 * IOMMU's interrupt handling: events that find the queue full, or the
 * IOMMU core's own buffer full, are counted, and the count is reported
 * with the next event delivered.
 */
struct iommu_dma_fault_queue_alloc {
	__u32 size;
	__u32 flags;
	__u32 depth;
	__u32 out_queue_id;
	__u32 out_queue_fd;
	__u32 __reserved;
};

#define IOMMU_DMA_FAULT_QUEUE_ALLOC _IO(IOMMUFD_TYPE, \
					IOMMUFD_CMD_DMA_FAULT_QUEUE_ALLOC)

/**
 * enum iommu_dma_fault_event_flags - what an IOMMU said about a DMA fault
 * @IOMMU_DMA_FAULT_EVENT_WRITE: The access wrote (else it read)
 * @IOMMU_DMA_FAULT_EVENT_DIR_UNKNOWN: The IOMMU did not say which: ignore
 *                                     IOMMU_DMA_FAULT_EVENT_WRITE
 * @IOMMU_DMA_FAULT_EVENT_PASID_VALID: @pasid holds the access's PASID
 * @IOMMU_DMA_FAULT_EVENT_EXEC: An instruction fetch
 * @IOMMU_DMA_FAULT_EVENT_PRIV: A privileged (supervisor) access
 * @IOMMU_DMA_FAULT_EVENT_LOST: Events were lost before this one; @lost
 *                              says how many
 */
enum iommu_dma_fault_event_flags {
	IOMMU_DMA_FAULT_EVENT_WRITE = 1 << 0,
	IOMMU_DMA_FAULT_EVENT_DIR_UNKNOWN = 1 << 1,
	IOMMU_DMA_FAULT_EVENT_PASID_VALID = 1 << 2,
	IOMMU_DMA_FAULT_EVENT_EXEC = 1 << 3,
	IOMMU_DMA_FAULT_EVENT_PRIV = 1 << 4,
	IOMMU_DMA_FAULT_EVENT_LOST = 1 << 5,
};

/**
 * struct iommu_dma_fault_event - one DMA fault, read from a DMA fault queue
 * @flags: Combination of enum iommu_dma_fault_event_flags
 * @dev_id: The device that faulted
 * @hwpt_id: The HWPT the device was attached to
 * @pasid: With IOMMU_DMA_FAULT_EVENT_PASID_VALID, the PASID of the access
 * @iova: The address the device accessed
 * @sequence: Numbers the events of this queue from 0, those it dropped
 *            because it was full included
 * @lost: Events dropped just before this one, by the queue or the IOMMU
 *        core (then counted for the whole system, not only this iommufd)
 * @vendor: Which IOMMU logged it, an enum iommu_hw_info_type; says how to
 *          read @code, @vendor_flags and @raw
 * @code: The IOMMU's code for the fault: the AMD-Vi event type, the VT-d
 *        fault reason, the SMMUv3 event ID
 * @vendor_flags: The IOMMU's flag bits, as its record has them: AMD-Vi's
 *                12 event flags, bits 127:96 of a VT-d fault record, bits
 *                63:32 of an SMMUv3 event's second doubleword
 * @raw: The whole record as the IOMMU wrote it, in 64-bit words
 */
struct iommu_dma_fault_event {
	__u32 flags;
	__u32 dev_id;
	__u32 hwpt_id;
	__u32 pasid;
	__aligned_u64 iova;
	__aligned_u64 sequence;
	__u32 lost;
	__u32 vendor;
	__u32 code;
	__u32 vendor_flags;
	__aligned_u64 raw[4];
};

/**
 * enum iommu_hwpt_invalidate_data_type - entries IOMMU_HWPT_INVALIDATE takes
 * @IOMMU_HWPT_INVALIDATE_DATA_VTD_S1: struct iommu_hwpt_vtd_s1_invalidate
 * @IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3: struct
 *                                          iommu_viommu_arm_smmuv3_invalidate
 * @IOMMU_VIOMMU_INVALIDATE_DATA_AMD_CMD: struct iommu_viommu_amd_invalidate
 *                                       (our extension; mainline has no
 *                                       AMD-Vi type, so a value far from
 *                                       its numbers)
 */
enum iommu_hwpt_invalidate_data_type {
	IOMMU_HWPT_INVALIDATE_DATA_VTD_S1 = 0,
	IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3 = 1,
	IOMMU_VIOMMU_INVALIDATE_DATA_AMD_CMD = 0x100,
};

/**
 * struct iommu_viommu_amd_invalidate - one AMD-Vi invalidation command
 * @cmd: The four 32-bit words of a 128-bit AMD-Vi command, as a guest
 *       wrote it to its emulated IOMMU's command buffer
 *
 * Taken by IOMMU_HWPT_INVALIDATE on an AMD vIOMMU (our extension; no
 * mainline kernel has it).  Accepted opcodes: INVALIDATE_IOMMU_PAGES,
 * whose guest DomainID is replaced by the host domain ID the vIOMMU gave
 * it (PASID, GN, PDE, S and the address are kept); and
 * INVALIDATE_IOTLB_PAGES, whose guest DeviceID is translated through the
 * vIOMMU's vDEVICEs (the host sets QueueID and MaxPend; PASID, GN, S and
 * the address are kept), which does nothing for a device the host does
 * not use ATS with.  A DomainID no nested HWPT of the vIOMMU uses, an
 * unknown DeviceID, any other opcode, or a reserved bit set fails with
 * EIO.
 */
struct iommu_viommu_amd_invalidate {
	__u32 cmd[4];
};

/**
 * struct iommu_viommu_arm_smmuv3_invalidate - one SMMUv3 invalidation
 * @cmd: A 128-bit SMMUv3 command-queue command, little-endian, as a guest
 *       wrote it to its emulated SMMU's queue
 *
 * Taken by IOMMU_HWPT_INVALIDATE on an SMMUv3 vIOMMU, as mainline does,
 * and (our extension) on an SMMUv3 nested HWPT.  Accepted opcodes:
 * TLBI_NH_ALL, TLBI_NH_ASID, TLBI_NH_VA, TLBI_NH_VAA and TLBI_NSNH_ALL
 * (issued as TLBI_NH_ALL), whose VMID is replaced by the host's; and
 * CFGI_CD, CFGI_CD_ALL and ATC_INV.  On a vIOMMU their StreamID is a vSID,
 * translated through the vIOMMU's vDEVICEs (an unknown vSID fails with
 * EIO); on a nested HWPT it is ignored and they are issued for every
 * stream of every device attached to the HWPT (ATC_INV only for those
 * using ATS).  Any other opcode, or a bit set outside the fields the
 * opcode defines, fails with EIO.
 */
struct iommu_viommu_arm_smmuv3_invalidate {
	__aligned_le64 cmd[2];
};

/**
 * enum iommu_hwpt_vtd_s1_invalidate_flags - flags of a VT-d stage-1
 *                                           invalidation
 * @IOMMU_VTD_INV_FLAGS_LEAF: Only leaf entries changed: paging-structure
 *                            caches need not be dropped
 */
enum iommu_hwpt_vtd_s1_invalidate_flags {
	IOMMU_VTD_INV_FLAGS_LEAF = 1 << 0,
};

/**
 * struct iommu_hwpt_vtd_s1_invalidate - one VT-d stage-1 invalidation
 * @addr: First address to invalidate, 4 KiB aligned
 * @npages: 4 KiB pages to invalidate; U64_MAX with @addr 0 means all
 * @flags: Combination of enum iommu_hwpt_vtd_s1_invalidate_flags
 * @__reserved: Must be 0
 */
struct iommu_hwpt_vtd_s1_invalidate {
	__aligned_u64 addr;
	__aligned_u64 npages;
	__u32 flags;
	__u32 __reserved;
};

/**
 * struct iommu_hwpt_invalidate - ioctl(IOMMU_HWPT_INVALIDATE)
 * @size: sizeof(struct iommu_hwpt_invalidate)
 * @hwpt_id: Nested HWPT whose cached translations to invalidate, or a
 *           vIOMMU, whose invalidations name the guest's IDs
 * @data_uptr: User pointer to an array of @entry_num entries
 * @data_type: One of enum iommu_hwpt_invalidate_data_type
 * @entry_len: Bytes of one entry (lets the entry grow compatibly)
 * @entry_num: In: entries at @data_uptr.  Out: entries handled; on an
 *             error, the entries before the one that failed
 * @__reserved: Must be 0
 *
 * Forwards a guest's invalidations of a user-managed stage-1 table to the
 * IOMMU.  @entry_num 0 only checks that @data_type is supported.
 */
struct iommu_hwpt_invalidate {
	__u32 size;
	__u32 hwpt_id;
	__aligned_u64 data_uptr;
	__u32 data_type;
	__u32 entry_len;
	__u32 entry_num;
	__u32 __reserved;
};

#define IOMMU_HWPT_INVALIDATE _IO(IOMMUFD_TYPE, IOMMUFD_CMD_HWPT_INVALIDATE)

/**
 * enum iommu_hwpt_pgfault_flags - flags of a reported I/O page fault
 * @IOMMU_PGFAULT_FLAGS_PASID_VALID: The pasid field is meaningful
 * @IOMMU_PGFAULT_FLAGS_LAST_PAGE: The last fault of its group: the whole
 *                                 group is answered with one response
 */
enum iommu_hwpt_pgfault_flags {
	IOMMU_PGFAULT_FLAGS_PASID_VALID = (1 << 0),
	IOMMU_PGFAULT_FLAGS_LAST_PAGE = (1 << 1),
};

/**
 * enum iommu_hwpt_pgfault_perm - access a faulting request wanted
 * @IOMMU_PGFAULT_PERM_READ: Read
 * @IOMMU_PGFAULT_PERM_WRITE: Write
 * @IOMMU_PGFAULT_PERM_EXEC: Instruction fetch (with PCI PASID execute)
 * @IOMMU_PGFAULT_PERM_PRIV: Privileged mode (with PCI PASID privileged)
 */
enum iommu_hwpt_pgfault_perm {
	IOMMU_PGFAULT_PERM_READ = (1 << 0),
	IOMMU_PGFAULT_PERM_WRITE = (1 << 1),
	IOMMU_PGFAULT_PERM_EXEC = (1 << 2),
	IOMMU_PGFAULT_PERM_PRIV = (1 << 3),
};

/**
 * struct iommu_hwpt_pgfault - one I/O page fault, read from a fault fd
 * @flags: Combination of enum iommu_hwpt_pgfault_flags
 * @dev_id: Device that faulted
 * @pasid: PASID of the request, with IOMMU_PGFAULT_FLAGS_PASID_VALID
 * @grpid: Page request group the fault belongs to
 * @perm: Combination of enum iommu_hwpt_pgfault_perm
 * @__reserved: Must be 0
 * @addr: Faulting address
 * @length: Bytes the fault covers, a hint
 * @cookie: Kernel token naming the group; echo it in the response
 */
struct iommu_hwpt_pgfault {
	__u32 flags;
	__u32 dev_id;
	__u32 pasid;
	__u32 grpid;
	__u32 perm;
	__u32 __reserved;
	__aligned_u64 addr;
	__u32 length;
	__u32 cookie;
};

/**
 * enum iommufd_page_response_code - how userspace answered a fault group
 * @IOMMUFD_PAGE_RESP_SUCCESS: The fault was resolved; retry the access
 * @IOMMUFD_PAGE_RESP_INVALID: The fault cannot be resolved; fail the
 *                             access
 */
enum iommufd_page_response_code {
	IOMMUFD_PAGE_RESP_SUCCESS = 0,
	IOMMUFD_PAGE_RESP_INVALID = 1,
};

/**
 * struct iommu_hwpt_page_response - a response, written to a fault fd
 * @cookie: The cookie of the group's struct iommu_hwpt_pgfault
 * @code: One of enum iommufd_page_response_code
 */
struct iommu_hwpt_page_response {
	__u32 cookie;
	__u32 code;
};

/**
 * struct iommu_fault_alloc - ioctl(IOMMU_FAULT_QUEUE_ALLOC)
 * @size: sizeof(struct iommu_fault_alloc)
 * @flags: Must be 0
 * @out_fault_id: ID of the new fault queue object
 * @out_fault_fd: A file descriptor: read() returns struct
 *                iommu_hwpt_pgfault records, write() takes struct
 *                iommu_hwpt_page_response records, poll() says which
 *                may proceed
 *
 * Creates a queue that HWPTs allocated with IOMMU_HWPT_FAULT_ID_VALID
 * report their I/O page faults to, for userspace to resolve.
 */
struct iommu_fault_alloc {
	__u32 size;
	__u32 flags;
	__u32 out_fault_id;
	__u32 out_fault_fd;
};

#define IOMMU_FAULT_QUEUE_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_FAULT_QUEUE_ALLOC)

/**
 * enum iommu_viommu_type - kinds of virtual IOMMU
 * @IOMMU_VIOMMU_TYPE_DEFAULT: Not a type; refused
 * @IOMMU_VIOMMU_TYPE_ARM_SMMUV3: An SMMUv3 slice: guest StreamIDs (vSIDs)
 *                               and the guest's command-queue commands
 * @IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV: NVIDIA Tegra241 CMDQV; newer mainline
 *                                   kernels' value, which no driver here
 *                                   makes
 * @IOMMU_VIOMMU_TYPE_AMD: An AMD-Vi slice: guest device IDs and guest
 *                        domain IDs
 */
enum iommu_viommu_type {
	IOMMU_VIOMMU_TYPE_DEFAULT = 0,
	IOMMU_VIOMMU_TYPE_ARM_SMMUV3 = 1,
	IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV = 2,
	IOMMU_VIOMMU_TYPE_AMD = 3,
};

/**
 * struct iommu_viommu_alloc - ioctl(IOMMU_VIOMMU_ALLOC)
 * @size: sizeof(struct iommu_viommu_alloc)
 * @flags: Must be 0
 * @type: One of enum iommu_viommu_type
 * @dev_id: A device behind the physical IOMMU the vIOMMU is a slice of
 * @hwpt_id: A HWPT allocated with IOMMU_HWPT_ALLOC_NEST_PARENT: the stage 2
 *           of every nested HWPT of the vIOMMU
 * @out_viommu_id: ID of the new vIOMMU
 * @data_len: Bytes at @data_uptr; 0 for a type that takes no data
 * @__reserved: Must be 0
 * @data_uptr: User pointer to the data of @type, if it has any
 *
 * A virtual IOMMU stands for the IOMMU a VMM emulates for one guest, on
 * one physical IOMMU.  It holds what the guest's own IDs mean: its device
 * IDs (see IOMMU_VDEVICE_ALLOC) and its cache tags.  Its ID may be given
 * as @pt_id of IOMMU_HWPT_ALLOC to make a nested HWPT that shares them,
 * as @hwpt_id of IOMMU_HWPT_INVALIDATE to pass on the guest's
 * invalidations, and to IOMMU_VEVENTQ_ALLOC to read the guest's events.
 * The parent HWPT cannot be destroyed while the vIOMMU lives.
 */
struct iommu_viommu_alloc {
	__u32 size;
	__u32 flags;
	__u32 type;
	__u32 dev_id;
	__u32 hwpt_id;
	__u32 out_viommu_id;
	__u32 data_len;
	__u32 __reserved;
	__aligned_u64 data_uptr;
};

#define IOMMU_VIOMMU_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_VIOMMU_ALLOC)

/**
 * struct iommu_vdevice_alloc - ioctl(IOMMU_VDEVICE_ALLOC)
 * @size: sizeof(struct iommu_vdevice_alloc)
 * @viommu_id: The vIOMMU the guest sees the device behind
 * @dev_id: The device, behind the vIOMMU's physical IOMMU
 * @out_vdevice_id: ID of the new vDEVICE
 * @virt_id: The ID the guest's IOMMU knows the device by: the vSID on
 *           SMMUv3, the guest device ID on AMD-Vi
 *
 * Tells the vIOMMU the guest's ID of a device, so that the guest's
 * invalidations naming it reach the device and its events name it.  A
 * device has at most one vDEVICE per vIOMMU (EEXIST) and a @virt_id
 * names at most one device (EEXIST).  When the device is unbound first,
 * the vDEVICE stays an empty object until IOMMU_DESTROY.
 */
struct iommu_vdevice_alloc {
	__u32 size;
	__u32 viommu_id;
	__u32 dev_id;
	__u32 out_vdevice_id;
	__aligned_u64 virt_id;
};

#define IOMMU_VDEVICE_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_VDEVICE_ALLOC)

/**
 * enum iommu_veventq_flag - flags of struct iommufd_vevent_header
 * @IOMMU_VEVENTQ_FLAG_LOST_EVENTS: Events were dropped here because the
 *                                  queue was full; no data follows this
 *                                  header
 */
enum iommu_veventq_flag {
	IOMMU_VEVENTQ_FLAG_LOST_EVENTS = (1U << 0),
};

/**
 * struct iommufd_vevent_header - what precedes each event read from a
 *                                vEVENTQ
 * @flags: Combination of enum iommu_veventq_flag
 * @sequence: Counts the queue's events from 0 and wraps from INT_MAX to
 *            0, dropped events included: a gap of more than one between
 *            two headers is the number of events lost between them
 *
 * A read returns whole events: each header and the type's data after it.
 * When events were dropped and none has come since, the read ends with a
 * header carrying IOMMU_VEVENTQ_FLAG_LOST_EVENTS and the sequence number
 * the next event will have, without data.
 */
struct iommufd_vevent_header {
	__u32 flags;
	__u32 sequence;
};

/**
 * enum iommu_veventq_type - kinds of virtual event queue
 * @IOMMU_VEVENTQ_TYPE_DEFAULT: Not a type; refused
 * @IOMMU_VEVENTQ_TYPE_ARM_SMMUV3: struct iommu_vevent_arm_smmuv3 events
 * @IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV: NVIDIA Tegra241 CMDQV; newer mainline
 *                                    kernels' value, not made here
 * @IOMMU_VEVENTQ_TYPE_AMD: struct iommu_vevent_amd events (our extension;
 *                          mainline has no AMD-Vi type, so a value far
 *                          from its numbers, as for AMD invalidations)
 */
enum iommu_veventq_type {
	IOMMU_VEVENTQ_TYPE_DEFAULT = 0,
	IOMMU_VEVENTQ_TYPE_ARM_SMMUV3 = 1,
	IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV = 2,
	IOMMU_VEVENTQ_TYPE_AMD = 0x100,
};

/**
 * struct iommu_vevent_arm_smmuv3 - an SMMUv3 event for the guest
 *                                  (IOMMU_VEVENTQ_TYPE_ARM_SMMUV3)
 * @evt: The 256-bit event record, little-endian, as the SMMU logged it but
 *       with the StreamID replaced by the device's vSID.  Reported: the
 *       translation, address size, access flag and permission faults
 *       (0x10 to 0x13), C_BAD_STE (0x04), F_STREAM_DISABLED (0x06),
 *       C_BAD_SUBSTREAMID (0x08) and C_BAD_CD (0x0a) of devices with a
 *       vDEVICE on the vIOMMU that are attached to one of its nested
 *       HWPTs.
 */
struct iommu_vevent_arm_smmuv3 {
	__aligned_le64 evt[4];
};

/**
 * struct iommu_vevent_amd - an AMD-Vi event for the guest
 *                           (IOMMU_VEVENTQ_TYPE_AMD)
 * @event: The 128-bit event log entry, as four little-endian 32-bit
 *         words, as the IOMMU logged it but with the guest's IDs: the
 *         DeviceID is the device's guest device ID (its vDEVICE's
 *         virt_id) and, when GN is clear, the DomainID field holds the
 *         guest domain ID of the guest DTE the nested HWPT was made from
 *         (with GN set it holds the PASID and is left alone).
 *
 * Our extension; no mainline kernel has it.  Reported: IO_PAGE_FAULT
 * events of devices with a vDEVICE on the vIOMMU that are attached to one
 * of its nested HWPTs.  An AMD-Vi event does not say which stage of a
 * nested translation failed, so a fault of the host's stage 2 is reported
 * too: it shows the guest an address its own tables map to memory the
 * VMM did not map.  An event a vEVENTQ took is not reported to the
 * iommufd's DMA fault queue as well; without a vEVENTQ of this type it
 * goes there as before.
 */
struct iommu_vevent_amd {
	__le32 event[4];
};

/**
 * struct iommu_veventq_alloc - ioctl(IOMMU_VEVENTQ_ALLOC)
 * @size: sizeof(struct iommu_veventq_alloc)
 * @flags: Must be 0
 * @viommu_id: The vIOMMU whose events to queue
 * @type: One of enum iommu_veventq_type
 * @veventq_depth: Events the queue holds before it drops (at least 1)
 * @out_veventq_id: ID of the new vEVENTQ
 * @out_veventq_fd: A file descriptor: read() returns events (see struct
 *                  iommufd_vevent_header), poll() says when there are
 *                  some; close it after use
 * @__reserved: Must be 0
 *
 * A vIOMMU has at most one queue of each type (EEXIST).  A read with a
 * buffer too small for the first event fails with EINVAL.
 */
struct iommu_veventq_alloc {
	__u32 size;
	__u32 flags;
	__u32 viommu_id;
	__u32 type;
	__u32 veventq_depth;
	__u32 out_veventq_id;
	__u32 out_veventq_fd;
	__u32 __reserved;
};

#define IOMMU_VEVENTQ_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_VEVENTQ_ALLOC)

#endif
