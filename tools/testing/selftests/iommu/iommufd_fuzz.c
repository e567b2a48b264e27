// SPDX-License-Identifier: GPL-2.0
/*
 * iommufd_fuzz: seeded random and mutated ioctls on /dev/iommu, on
 * /dev/vfio/vfio when iommufd serves it, and on a VFIO device cdev.
 *
 * Usage: iommufd_fuzz [--seed N] [--calls N] [--only TARGET] [--quiet]
 *
 * Each call is drawn from a PRNG seeded by --seed (printed first), one
 * stream per target, so --only TARGET replays that target's calls of a
 * full run with the same seed, given all of --calls: the
 * command, object IDs (mostly live ones; also 0, small numbers, U32_MAX,
 * another file's), flags, reserved fields, IOVAs and lengths near 0 and
 * ULONG_MAX, counts up to U32_MAX, user pointers (valid, NULL, unmapped,
 * PROT_NONE, read-only, hugetlb, memfd) and the argument's shape (exact,
 * short, below the first version, longer with a zero or nonzero tail,
 * huge, a bad pointer, a read-only page).  After each call it checks that
 * the errno is one errno_table[] allows, or the one the shape demands;
 * that a success is plausible against a model of every file's objects and
 * every IOAS's mappings; and, sampled, that a failed call changed nothing
 * observable (see run()).  Nested HWPTs keep a model of the mock's IOTLB
 * (IOMMU_HWPT_INVALIDATE, TEST_OP_MD_CHECK_IOTLB), and fault queues one of
 * the page requests mock devices raised, read and answered through the
 * queue's own file, which the fuzzer owns and closes now and then; mock
 * vIOMMUs one of their vDEVICEs (guest IDs), vEVENTQs one of the events
 * the devices raise (sequence numbers, lost events) and mock devices one
 * of the cache that invalidations through a vIOMMU clear.  TAP:
 * one test per target, skipped when absent, then fuzz_no_leaked_pins.
 * A watchdog names a call that does not return.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <time.h>
#include <sys/resource.h>
#include <linux/vfio.h>

#include "iommufd_core_util.h"
#include "vfio_cdev_util.h"

#define DEFAULT_CALLS	1000000UL
#define PROGRESS_EVERY	100000UL
#define MAX_REPORTS	20
#define CHECK_ONE_IN	4	/* sample the "changed nothing" checks */
#define PINS_EVERY	64	/* and VmPin/VmLck around every 64th call */
#define SCAN_EVERY	8192	/* look for unknown objects this often, and */
				/* after 1/16 of the sampled failed allocs */
#define WATCHDOG_SECS	60
#define MAX_OBJS	48
#define SOFT_OBJS	32	/* past this, new objects are destroyed again */
#define MAX_AREAS	48
#define MAX_ACC		6
#define MAX_PINS	16
#define MAX_CTX		3
#define ARG_SPACE	(2 * page_size)
#define BIG_ARG		0x100000U
#define ANON_LEN	0x400000UL
#define MEMFD_LEN	0x100000UL
#define HUGE_LEN	0x200000UL
#define SMALL_LEN	0x10000UL
#define DIRTY_BUF	0x10000UL	/* bytes of dirty bitmap: 512 Ki pages */
#define DIRTY_WORK	0x10000U	/* IOPTEs one TEST_OP_DIRTY may mark */
#define MEMLOCK_LIMIT	0x4000000UL
#define NO_UVA		UINT64_MAX	/* a mapping whose user address is unknown */

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/* ------------------------------------------------------------------ */
/* The errno table                                                    */

enum cmd {
	C_DESTROY, C_IOAS_ALLOC, C_ALLOW_IOVAS, C_COPY, C_IOVA_RANGES, C_MAP,
	C_MAP_FILE,
	C_UNMAP, C_OPTION, C_VFIO_IOAS, C_HWPT_ALLOC, C_SET_DIRTY, C_GET_DIRTY,
	C_HW_INFO, C_INVALIDATE, C_FAULT_ALLOC, C_FAULT_READ, C_FAULT_WRITE,
	C_T_RESERVED, C_T_MOCK, C_T_REPLACE, C_T_CHECK_MAP,
	C_T_CHECK_REFS, C_T_ACCESS, C_T_ACCESS_IOAS, C_T_PIN, C_T_UNPIN, C_T_RW,
	C_T_LIMIT, C_T_DIRTY, C_T_CHECK_IOTLB, C_T_IOPF,
	C_VIOMMU_ALLOC, C_VDEVICE_ALLOC, C_VEVENTQ_ALLOC, C_VEVENTQ_READ,
	C_T_DEV_CACHE, C_T_VEVENT,
	C_T_UNKNOWN, C_V_VERSION, C_V_EXTENSION, C_V_SET_IOMMU, C_V_MAP,
	C_V_UNMAP, C_V_INFO, C_BIND, C_ATTACH, C_DETACH, C_SET_CONTAINER,
	C_UNSET_CONTAINER, C_UNKNOWN, C_NR
};

/*
 * ERRNO TABLE: what each command may fail with.  Every command may also
 * fail with ENOMEM, and with EFAULT when the call carried a user pointer
 * that may fault (the argument itself, an embedded pointer, a size past the
 * readable buffer, an argument in a read-only page).  A malformed argument
 * demands one errno exactly (place()): a /dev/iommu size below the first
 * version or a VFIO argsz below the minimum EINVAL, nonzero bytes past the
 * kernel's structure E2BIG, an unreadable argument EFAULT, an ioctl number
 * the file does not have ENOTTY.
 * Sources: include/uapi/linux/iommufd.h, Documentation/userspace-api/
 * iommufd.rst, the cdev ioctls in include/uapi/linux/vfio.h and, for the
 * test-only IOMMU_TEST_CMD, its handlers' kernel-doc.  A nonzero reserved
 * field is EINVAL by the header and EOPNOTSUPP by the rst: both allowed.
 * Memory is pinned when a domain or an access first needs it, so what
 * attaches or fills a domain (a copy into an IOAS with one included), and
 * an access's pins and copies, may fail with EFAULT on memory that cannot
 * be pinned (Linux 6.12 does the same).
 */
static const struct {
	const char *name;
	int errs[10];		/* zero-terminated */
} errno_table[C_NR] = {
	[C_DESTROY] = { "IOMMU_DESTROY", { ENOENT, EBUSY } },
	[C_IOAS_ALLOC] = { "IOMMU_IOAS_ALLOC", { EOPNOTSUPP, EINVAL } },
	[C_ALLOW_IOVAS] = { "IOMMU_IOAS_ALLOW_IOVAS",
		{ EOPNOTSUPP, EINVAL, ENOENT, EOVERFLOW, EADDRINUSE } },
	[C_COPY] = { "IOMMU_IOAS_COPY", { EOPNOTSUPP, EINVAL, ENOENT,
		EOVERFLOW, EEXIST, ENOSPC, EPERM, EFAULT } },
	[C_IOVA_RANGES] = { "IOMMU_IOAS_IOVA_RANGES",
		{ EOPNOTSUPP, EINVAL, ENOENT, EMSGSIZE } },
	[C_MAP] = { "IOMMU_IOAS_MAP",
		{ EOPNOTSUPP, EINVAL, ENOENT, EOVERFLOW, EEXIST, ENOSPC } },
	/* EBADF, EPERM: the fd; EINVAL also for a file not shmem, past EOF */
	[C_MAP_FILE] = { "IOMMU_IOAS_MAP_FILE", { EOPNOTSUPP, EINVAL, ENOENT,
		EOVERFLOW, EEXIST, ENOSPC, EBADF, EPERM } },
	[C_UNMAP] = { "IOMMU_IOAS_UNMAP", { EINVAL, ENOENT, EOVERFLOW } },
	[C_OPTION] = { "IOMMU_OPTION",
		{ EOPNOTSUPP, EINVAL, ENOENT, EPERM, EBUSY, EADDRINUSE } },
	[C_VFIO_IOAS] = { "IOMMU_VFIO_IOAS",
		{ EOPNOTSUPP, EINVAL, ENOENT, ENODEV } },
	[C_HWPT_ALLOC] = { "IOMMU_HWPT_ALLOC",
		{ EOPNOTSUPP, EINVAL, ENOENT, EADDRINUSE, EFAULT } },
	/*
	 * The HWPT's dirty ioctls (kernel-doc in hw_pagetable_dirty.c, the
	 * header): EOPNOTSUPP for stray flags, a reserved field, a HWPT that
	 * cannot track; ENOENT for an ID not a HWPT, a range not all mapped;
	 * EINVAL for a bad length, page size, alignment, or tracking off;
	 * EOVERFLOW for a range that wraps; EINTR for a fatal signal.  EFAULT
	 * (a bitmap not both readable and writable) only with a pointer that
	 * may fault.
	 */
	[C_SET_DIRTY] = { "IOMMU_HWPT_SET_DIRTY_TRACKING",
		{ EOPNOTSUPP, ENOENT } },
	[C_GET_DIRTY] = { "IOMMU_HWPT_GET_DIRTY_BITMAP",
		{ EOPNOTSUPP, ENOENT, EINVAL, EOVERFLOW, EINTR } },
	/* iommufd_get_hw_info_ioctl(): ENOENT not a device, EOPNOTSUPP */
	[C_HW_INFO] = { "IOMMU_GET_HW_INFO", { ENOENT, EOPNOTSUPP } },
	/*
	 * iommufd_hwpt_invalidate_ioctl(): EOPNOTSUPP reserved field, EINVAL
	 * no array or entry size, ENOENT not a nested HWPT; the mock's entries
	 * (mock_nested_invalidate, iommu_user_array_copy()): EINVAL type,
	 * entry size, IOTLB ID; EOPNOTSUPP entry flags.
	 */
	[C_INVALIDATE] = { "IOMMU_HWPT_INVALIDATE",
		{ EOPNOTSUPP, EINVAL, ENOENT } },
	/* iommufd_fault_alloc_ioctl(): EOPNOTSUPP flags, EMFILE */
	[C_FAULT_ALLOC] = { "IOMMU_FAULT_QUEUE_ALLOC", { EOPNOTSUPP, EMFILE } },
	/*
	 * The fault queue's file (fault.c): ESPIPE for an offset or a count
	 * not a multiple of the record, EINVAL when the first group does not
	 * fit; a write EINVAL for a bad code or a cookie not handed out.
	 */
	[C_FAULT_READ] = { "fault queue read", { ESPIPE, EINVAL } },
	[C_FAULT_WRITE] = { "fault queue write", { ESPIPE, EINVAL } },
	[C_T_RESERVED] = { "TEST_OP_ADD_RESERVED",
		{ EINVAL, EOVERFLOW, ENOENT, EADDRINUSE } },
	/*
	 * ENODEV: a device made with MOCK_FLAGS_DEVICE_NO_IOPF put on a HWPT
	 * with a fault queue.
	 */
	[C_T_MOCK] = { "TEST_OP_MOCK_DOMAIN",
		{ EINVAL, ENOENT, EBUSY, EADDRINUSE, EFAULT, ENODEV } },
	[C_T_REPLACE] = { "TEST_OP_MOCK_DOMAIN_REPLACE",
		{ EINVAL, ENOENT, EADDRINUSE, EFAULT, ENODEV } },
	[C_T_CHECK_MAP] = { "TEST_OP_MD_CHECK_MAP", { EINVAL, ENOENT } },
	[C_T_CHECK_REFS] = { "TEST_OP_MD_CHECK_REFS", { EINVAL, EIO } },
	[C_T_ACCESS] = { "TEST_OP_CREATE_ACCESS",
		{ EOPNOTSUPP, EINVAL, ENOENT, EADDRINUSE, EMFILE } },
	[C_T_ACCESS_IOAS] = { "TEST_OP_ACCESS_REPLACE_IOAS",
		{ EBADF, EBADFD, EINVAL, ENOENT, EADDRINUSE } },
	[C_T_PIN] = { "TEST_OP_ACCESS_PAGES", { EOPNOTSUPP, EBADF, EBADFD,
		EINVAL, ENOENT, EOVERFLOW, EPERM, EFAULT } },
	[C_T_UNPIN] = { "TEST_OP_DESTROY_ACCESS_PAGES",
		{ EBADF, EBADFD, ENOENT } },
	[C_T_RW] = { "TEST_OP_ACCESS_RW", { EOPNOTSUPP, EBADF, EBADFD, EINVAL,
		ENOENT, EOVERFLOW, EPERM, EFAULT } },
	[C_T_LIMIT] = { "TEST_OP_SET_TEMP_MEMORY_LIMIT", { 0 } },
	/*
	 * test_dirty() in selftest.c: EINVAL for a zero page size, length or
	 * pointer, a page size not a multiple of the mock page, a range not
	 * aligned to it, tracking off, a HWPT not a mock domain; EOVERFLOW
	 * past 16 MiB of bitmap; ENOENT for an ID not a HWPT.  It only reads
	 * the bitmap: EFAULT only with a pointer that may fault.
	 */
	[C_T_DIRTY] = { "TEST_OP_DIRTY", { EINVAL, EOVERFLOW, ENOENT } },
	/*
	 * test_check_iotlb(): ENOENT not a HWPT; EINVAL not a nested mock
	 * domain, an IOTLB ID past the last, another value.  test_trigger_iopf()
	 * and the IOMMU core's report: ENOENT not a device, EINVAL not a mock
	 * device, ENODEV its HWPT has no fault queue, ENOSPC the queue is full.
	 */
	[C_T_CHECK_IOTLB] = { "TEST_OP_MD_CHECK_IOTLB", { ENOENT, EINVAL } },
	[C_T_IOPF] = { "TEST_OP_TRIGGER_IOPF",
		{ ENOENT, EINVAL, ENODEV, ENOSPC } },
	/*
	 * vIOMMUs, vDEVICEs, vEVENTQs (the header): EOPNOTSUPP for a type,
	 * flag or reserved field, EINVAL for a parent that is no nest parent
	 * or depth 0, ENOENT for an ID of the wrong kind, EEXIST for a
	 * second vDEVICE of a device or guest ID, or queue of a type.  The
	 * queue's file: ESPIPE for an offset, EINVAL when the first event
	 * does not fit (and for a write, which it does not have).
	 */
	[C_VIOMMU_ALLOC] = { "IOMMU_VIOMMU_ALLOC",
		{ EOPNOTSUPP, EINVAL, ENOENT } },
	[C_VDEVICE_ALLOC] = { "IOMMU_VDEVICE_ALLOC",
		{ EINVAL, ENOENT, EEXIST } },
	[C_VEVENTQ_ALLOC] = { "IOMMU_VEVENTQ_ALLOC",
		{ EOPNOTSUPP, EINVAL, ENOENT, EEXIST, EMFILE } },
	/* A write: EBADF (a read-only file) or EINVAL (no write op). */
	[C_VEVENTQ_READ] = { "vEVENTQ read", { ESPIPE, EINVAL, EBADF } },
	/*
	 * The mock vIOMMU's test ops (iommufd_test.h): ENOENT not a device,
	 * EINVAL not a mock device, a cache entry past the last, another
	 * value; an event of a device without a vDEVICE or whose vIOMMU has
	 * no queue: the header does not say, ENOENT, EINVAL, ENODEV or
	 * EOPNOTSUPP allowed.
	 */
	[C_T_DEV_CACHE] = { "TEST_OP_DEV_CHECK_CACHE", { ENOENT, EINVAL } },
	[C_T_VEVENT] = { "TEST_OP_TRIGGER_VEVENT",
		{ ENOENT, EINVAL, ENODEV, EOPNOTSUPP } },
	[C_T_UNKNOWN] = { "TEST_OP unknown", { EOPNOTSUPP } },
	[C_V_VERSION] = { "VFIO_GET_API_VERSION", { 0 } },
	[C_V_EXTENSION] = { "VFIO_CHECK_EXTENSION", { 0 } },
	[C_V_SET_IOMMU] = { "VFIO_SET_IOMMU",
		{ EINVAL, ENODEV, EADDRINUSE, EFAULT } },
	[C_V_MAP] = { "VFIO_IOMMU_MAP_DMA",
		{ EINVAL, ENODEV, EEXIST, EOVERFLOW } },
	[C_V_UNMAP] = { "VFIO_IOMMU_UNMAP_DMA", { EINVAL, ENODEV, ENOENT } },
	[C_V_INFO] = { "VFIO_IOMMU_GET_INFO", { EINVAL, ENODEV } },
	/* EPERM (MSIs not isolated), ENODEV: iommufd_device_bind() */
	[C_BIND] = { "VFIO_DEVICE_BIND_IOMMUFD",
		{ EINVAL, EBADF, EBADFD, EBUSY, EPERM, ENODEV } },
	/*
	 * EMEDIUMTYPE, ENXIO: a 6.1 driver refusing a domain (device.c);
	 * EOPNOTSUPP: VFIO_DEVICE_ATTACH_PASID (flag bit 0) on a device
	 * without PASIDs, or (detach too) an emulated one.
	 */
	[C_ATTACH] = { "VFIO_DEVICE_ATTACH_IOMMUFD_PT",
		{ EINVAL, ENOENT, EBUSY, EADDRINUSE, EMEDIUMTYPE, ENXIO,
		  EFAULT, EOPNOTSUPP } },
	[C_DETACH] = { "VFIO_DEVICE_DETACH_IOMMUFD_PT",
		{ EINVAL, EOPNOTSUPP } },
	[C_SET_CONTAINER] = { "VFIO_GROUP_SET_CONTAINER",
		{ EBADF, EINVAL, EBUSY, ENODEV, EOPNOTSUPP, EFAULT } },
	[C_UNSET_CONTAINER] = { "VFIO_GROUP_UNSET_CONTAINER",
		{ EINVAL, EBUSY } },
	[C_UNKNOWN] = { "unknown ioctl", { 0 } },
};

/* ------------------------------------------------------------------ */
/* State                                                              */

enum {
	O_ANY, O_IOAS, O_HWPT, O_IDEV, O_STDEV, O_FAULT, O_VIOMMU, O_VDEV,
	O_VEVENTQ
};

/* What a HWPT's dirty tracking is: not known, cannot track, off, on. */
enum { TRK_UNKNOWN, TRK_NONE, TRK_OFF, TRK_ON };
static const char *const otype_name[] = {
	"object", "IOAS", "HWPT", "device", "selftest device", "fault queue",
	"vIOMMU", "vDEVICE", "vEVENTQ"
};

#define NR_TLB		MOCK_NESTED_DOMAIN_IOTLB_NUM
#define MAX_PEND	32	/* page requests a queue's model follows */
#define MAX_FFD		3	/* open fault queue files per iommufd */
#define REC		sizeof(struct iommu_hwpt_pgfault)
#define RESP		sizeof(struct iommu_hwpt_page_response)
#define NO_Q		UINT32_MAX	/* where a device's faults go: unknown */

/* A page request a mock device raised; its cookie once read. */
struct pend {
	uint32_t dev, pasid, grpid, perm, cookie;
	uint64_t addr;
};

struct area {			/* one mapping of an IOAS */
	uint64_t iova, len, uva;
};

/* A live object of one file, learned from a successful call. */
struct obj {
	uint32_t id;
	uint8_t type;
	bool autohwpt;		/* made by an attach: dies with its devices */
	bool exact;		/* IOAS: areas[] is every mapping it has */
	uint32_t link;		/* a selftest device's iommufd device, */
				/* a vDEVICE's (0 once unbound) */
	uint32_t ioas;		/* a HWPT's IOAS, when known */
	uint8_t track;		/* a HWPT's dirty tracking: TRK_* */
	unsigned int nareas;
	struct area areas[MAX_AREAS];
	bool nest_parent;	/* a paging HWPT made with NEST_PARENT */
	uint32_t parent;	/* a nested HWPT's parent HWPT or vIOMMU, */
				/* a vIOMMU's parent, a vDEVICE's or */
				/* vEVENTQ's vIOMMU, else 0 */
	uint32_t fault;		/* a nested HWPT's fault queue, or 0 */
	bool mock;		/* a HWPT of the mock IOMMU */
	bool tlb_known;		/* a nested HWPT: tlb[] is what the mock has */
	uint32_t tlb[NR_TLB];
	uint32_t at;		/* a selftest device's HWPT, 0 when unknown */
	int ffd;		/* a fault queue's file, -1 once closed */
	bool qexact;		/* a fault queue: q[] and ans[] are exact */
	bool wrote0;		/* a fault queue was answered with cookie 0 */
	unsigned int nq, nans, nraised;
	struct pend q[MAX_PEND];	/* raised, not read; oldest first */
	struct pend ans[MAX_PEND];	/* read, not answered */
	uint64_t virt;		/* a vDEVICE's guest ID */
	bool cache_known;	/* a selftest device: cache[] is the mock's */
	uint32_t cache[MOCK_DEV_CACHE_NUM];
	bool vexact;		/* a vEVENTQ: what follows is exact */
	bool lost;		/* events dropped since the last queued */
	uint32_t depth, seq, nvev;	/* seq: the next event's number */
	uint32_t vev_virt[MAX_PEND], vev_seq[MAX_PEND];	/* unread */
};

/* One open iommufd (/dev/iommu or /dev/vfio/vfio) and its model. */
struct ctx {
	int fd;
	const char *path;
	struct obj obj[MAX_OBJS];
	unsigned int nobj;
	int acc[MAX_ACC];	/* test access fds */
	unsigned int nacc;
	struct { int afd; uint32_t id; } pins[MAX_PINS];
	unsigned int npins;
	uint32_t compat;	/* the VFIO compat IOAS, when compat_known */
	bool compat_known;
	bool v1;		/* VFIO_SET_IOMMU chose type1 v1 */
};

/* One TAP test: the files it fuzzes and, for the device target, a device. */
struct target {
	const char *name;
	unsigned int col;	/* its column of op weights */
	unsigned int share;	/* its part of --calls */
	const char *skip;
	struct ctx ctx[MAX_CTX];
	unsigned int nctx;
	unsigned long violations;
	int cdev, group;	/* the device's cdev and group node, or -1 */
	char cdev_path[64], group_path[32];
	bool bound, group_set;
	uint32_t devid;		/* the cdev's device object, when bound */
	struct ctx *bctx, *gctx;	/* what they are bound/set to, if ours */
};

/* One fuzzed ioctl. */
struct call {
	enum cmd cmd;
	struct ctx *ctx;
	int fd;
	unsigned long req, arg;
	void *out;		/* its answer, aligned: ans[] */
	char *uout;		/* where the kernel writes it, or NULL */
	size_t ksize;
	int expect;		/* the errno its shape demands, or -1 */
	bool may_fault;		/* a user pointer in it may fault */
	bool out_ro;		/* its answer goes to a read-only page */
	uint32_t ioas;		/* the IOAS it acts on, for the checks */
	uint64_t probe;		/* an IOVA it names, for the mapping check */
	unsigned long no;
	unsigned char snap[64];	/* the argument as sent, for reports */
	unsigned int snap_len;
	long rc;
	int err;
	uint64_t ans[32];
};

enum { K_PINS = 1, K_MAPS = 2, K_RANGES = 4, K_ALLOC = 8 };

static struct {
	struct target *t;
	bool test;		/* IOMMU_TEST_CMD works */
	bool valid;		/* draw well-formed arguments (sequences) */
	uint32_t want_id;	/* pick_id() returns this when set */
	bool quiet;
	unsigned long calls;
	bool pins_known;	/* pin, lck are VmPin, VmLck now */
	long pin, lck;
	int status_fd;
	uint64_t seed, rng;
	/* How often the nested and fault queue checks were exact. */
	unsigned long inv_exact, tlb_exact, iopf_queued, recs_matched,
		      answers_exact, vevents_matched, cache_exact;
} fz;

static struct target targets[3];

/* The call in flight and its number, for the watchdog (atomics). */
static struct call *wd_cl;
static unsigned long wd_no;

/* ------------------------------------------------------------------ */
/* PRNG (splitmix64) and value generators                             */

static uint64_t rnd64(void)
{
	uint64_t z = (fz.rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n). */
static uint32_t rnd(uint32_t n)
{
	return (uint32_t)(((rnd64() >> 32) * n) >> 32);
}

static bool chance(unsigned int pct)
{
	return rnd(100) < pct;
}

static const char *ename(int e)
{
	return strerrorname_np(e) ?: "E?";
}

static uint64_t edge_u64(void)
{
	const uint64_t v[] = {
		0, 1, 2048, page_size - 1, page_size, 1ULL << 31,
		(1ULL << 32) - page_size, 1ULL << 32, 1ULL << 47, 1ULL << 48,
		1ULL << 63, MOCK_APERTURE_LAST + 1ULL, ULONG_MAX - page_size + 1,
		ULONG_MAX - 1, ULONG_MAX, rnd64(),
	};

	return v[rnd(ARRAY_SIZE(v))];
}

/* Flags: mostly @common, else bits of @valid, stray bits or noise. */
static uint32_t pick_flags(uint32_t common, uint32_t valid)
{
	unsigned int r = fz.valid ? 0 : rnd(100);

	if (r < 60)
		return common;
	if (r < 78)
		return (uint32_t)rnd64() & valid;
	return r < 90 ? common | 1U << rnd(32) : (uint32_t)rnd64();
}

/* A reserved field: zero, sometimes not. */
static uint32_t pick_rsv(void)
{
	return fz.valid || chance(94) ? 0 : 1U << rnd(32);
}

/* Counts of array entries: small, sometimes huge. */
static uint32_t pick_count(void)
{
	const uint32_t huge[] = { 256, 4096, 1U << 20, 1U << 28, UINT32_MAX };
	unsigned int r = rnd(100);

	if (r < 45)
		return r < 15 ? 0 : 1;
	return r < 90 ? 2 + rnd(7) : huge[rnd(ARRAY_SIZE(huge))];
}

/* Lengths: mostly a few pages, sometimes odd, huge or near ULONG_MAX. */
static uint64_t pick_len(void)
{
	unsigned int r = rnd(100);

	if (r < 50)
		return (uint64_t)page_size << rnd(5);
	if (r < 65)
		return (uint64_t)(1 + rnd(16)) * page_size;
	if (r < 71)
		return 2048ULL * (1 + rnd(8));
	if (r < 75)
		return chance(50) ? HUGE_LEN : MEMFD_LEN;
	if (r < 83)
		return 1 + rnd(3 * page_size);
	return r < 86 ? 1ULL << 40 : edge_u64();
}

/* ------------------------------------------------------------------ */
/* User memory                                                        */

enum { R_ANON, R_MEMFD, R_HUGE, R_RO, R_NONE, R_GONE, R_NR };
static struct region {
	char *p;
	size_t len;
	bool rd, wr;
} reg[R_NR];

static char *arg_end;		/* ARG_SPACE bytes end here, a guard follows */
static char *list_end;		/* one page for arrays, then a guard */
static char *big_arg;		/* BIG_ARG bytes of zeroes */
static char *ro_arg, *ro_arg_rw;	/* a page read-only, and writable */
static int file_fd = -1;	/* the memfd behind R_MEMFD, for MAP_FILE */
/*
 * Dirty bitmaps, which GET_DIRTY_BITMAP reads and writes back: DIRTY_BUF
 * bytes of their own, then a guard page; and what they held before a call.
 */
static unsigned char *dirty_buf;
static unsigned char dirty_old[DIRTY_BUF];

static void *map_anon(size_t len, int prot, int flags)
{
	void *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | flags,
		       -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static int mem_setup(void)
{
	size_t pg = page_size;
	int mfd = memfd_create("iommufd_fuzz", 0);
	char *a = map_anon(5 * pg, PROT_READ | PROT_WRITE, 0);

	big_arg = map_anon(BIG_ARG, PROT_READ | PROT_WRITE, 0);
	dirty_buf = map_anon(DIRTY_BUF + pg, PROT_READ | PROT_WRITE, 0);
	if (!a || !big_arg || !dirty_buf || mfd < 0 ||
	    ftruncate(mfd, MEMFD_LEN + pg) ||
	    mprotect(dirty_buf + DIRTY_BUF, pg, PROT_NONE))
		return -1;
	mprotect(a + 2 * pg, pg, PROT_NONE);
	mprotect(a + 4 * pg, pg, PROT_NONE);
	arg_end = a + 2 * pg;
	list_end = a + 4 * pg;
	reg[R_ANON] = (struct region){ mem_get(ANON_LEN), ANON_LEN, 1, 1 };
	reg[R_MEMFD] = (struct region){ mmap(NULL, MEMFD_LEN, PROT_READ |
		PROT_WRITE, MAP_SHARED, mfd, 0), MEMFD_LEN, 1, 1 };
	ro_arg_rw = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, mfd,
			 MEMFD_LEN);
	ro_arg = mmap(NULL, pg, PROT_READ, MAP_SHARED, mfd, MEMFD_LEN);
	file_fd = mfd;
	if (!reg[R_ANON].p || reg[R_MEMFD].p == MAP_FAILED ||
	    ro_arg_rw == MAP_FAILED || ro_arg == MAP_FAILED)
		return -1;
	memset(reg[R_MEMFD].p, 0x6b, MEMFD_LEN);
	/* Huge pages only when some are reserved. */
	reg[R_HUGE] = (struct region){ map_anon(HUGE_LEN, PROT_READ |
		PROT_WRITE, MAP_HUGETLB), HUGE_LEN, 1, 1 };
	if (reg[R_HUGE].p)
		memset(reg[R_HUGE].p, 0x3c, HUGE_LEN);
	reg[R_RO] = (struct region){ mem_get(SMALL_LEN), SMALL_LEN, 1, 0 };
	reg[R_NONE] = (struct region){ map_anon(SMALL_LEN, PROT_NONE, 0),
		SMALL_LEN, 0, 0 };
	/*
	 * Unmapped memory: 64 GiB below the buffers, which mappings made
	 * from now on (top down) do not reach; mincore() says it is a hole.
	 */
	reg[R_GONE].p = (char *)((uintptr_t)(reg[R_ANON].p - (64UL << 30)) &
				 ~(SMALL_LEN - 1));
	reg[R_GONE].len = SMALL_LEN;
	if (!reg[R_RO].p || mprotect(reg[R_RO].p, SMALL_LEN, PROT_READ) ||
	    !reg[R_NONE].p || !mincore(reg[R_GONE].p, pg, (void *)a))
		return -1;
	return 0;
}

/* Whether all of [uva, uva + len) is readable (and writable if @wr). */
static bool uva_ok(uint64_t uva, uint64_t len, bool wr)
{
	unsigned int i;
	uint64_t p;

	for (i = 0; i < R_NR; i++) {
		p = ptr_u64(reg[i].p);
		if (reg[i].p && reg[i].rd && (!wr || reg[i].wr) && uva >= p &&
		    len <= reg[i].len && uva - p <= reg[i].len - len)
			return true;
	}
	return false;
}

/* An address for @len bytes; *@ok: all of them pin (for writing if @wr). */
static uint64_t pick_uva(uint64_t len, bool wr, bool *ok)
{
	const uint64_t odd[] = { 0, 16, 1ULL << 47, ULONG_MAX - page_size + 1,
				 1ULL << 63 };
	unsigned int r = rnd(100);
	struct region *g;
	uint64_t off;

	*ok = false;
	if (r < 5)
		return odd[rnd(ARRAY_SIZE(odd))];
	g = &reg[r < 55 ? R_ANON : r < 70 ? R_MEMFD : r < 80 ? R_HUGE :
		 r < 89 ? R_RO : r < 95 ? R_NONE : R_GONE];
	if (!g->p)
		g = &reg[R_ANON];
	if (len < g->len && chance(85))
		off = (uint64_t)rnd((g->len - len) / page_size + 1) * page_size;
	else
		off = rnd(g->len);
	if (chance(8) && off + len + page_size <= g->len)
		off += 1 + rnd(page_size - 1);
	*ok = uva_ok(ptr_u64(g->p) + off, len, wr);
	return ptr_u64(g->p) + off;
}

static unsigned long bad_ptr(void)
{
	const unsigned long v[] = {
		0, 16, (unsigned long)reg[R_GONE].p,
		(unsigned long)reg[R_NONE].p, (unsigned long)arg_end,
		ULONG_MAX - 7, 1UL << 63,
	};

	return v[rnd(ARRAY_SIZE(v))];
}

/*
 * Room for @n entries of @sz bytes ending at a guard page, so the kernel
 * faults if it goes past what it was given; *@may_fault is set when the
 * pointer is bad or there is room for fewer than @n.
 */
static uint64_t pick_array(uint32_t n, size_t sz, bool *may_fault)
{
	uint32_t fit = page_size / sz;

	if (!fz.valid && chance(5)) {
		*may_fault = true;
		return bad_ptr();
	}
	*may_fault |= n > fit;
	return ptr_u64(list_end - (size_t)(n < fit ? n : fit) * sz);
}

/* ------------------------------------------------------------------ */
/* The model: objects and mappings                                    */

static struct obj *find(struct ctx *c, uint32_t id, int type)
{
	unsigned int i;

	for (i = 0; c && i < c->nobj; i++)
		if (c->obj[i].id == id && (!type || c->obj[i].type == type))
			return &c->obj[i];
	return NULL;
}

/* A random object of @type (of any type when none has it). */
static struct obj *pool_pick(struct ctx *c, int type)
{
	unsigned int i, n = c->nobj, start = rnd(n);

	for (i = 0; i < n; i++)
		if (!type || c->obj[(start + i) % n].type == type)
			return &c->obj[(start + i) % n];
	return n ? &c->obj[start] : NULL;
}

/*
 * Record a new object.  IDs are unique among live objects, so what the
 * pool held under this one is gone (a HWPT that died with its last device,
 * say); a HWPT learned again keeps what the pool knew of it.
 */
static struct obj *pool_add(struct ctx *c, uint32_t id, int type)
{
	struct obj *o = find(c, id, O_ANY);

	if (o && o->type == type && type == O_HWPT)
		return o;
	if (!o && c->nobj == MAX_OBJS)
		return NULL;
	if (!o)
		o = &c->obj[c->nobj++];
	memset(o, 0, sizeof(*o));
	o->id = id;
	o->type = type;
	o->exact = true;
	o->ffd = -1;
	o->qexact = true;
	o->vexact = true;
	return o;
}

static void pool_del(struct ctx *c, uint32_t id)
{
	struct obj *o = find(c, id, O_ANY);

	if (o)
		*o = c->obj[--c->nobj];
}

static struct obj *ioas_of(struct ctx *c, uint32_t id)
{
	return find(c, id, O_IOAS);
}

/* An ID: mostly a live one of @type, else 0, small, U32_MAX, another's. */
static uint32_t pick_id(struct ctx *c, int type)
{
	struct target *t = fz.t;
	unsigned int r = rnd(100);
	struct obj *o;

	if (fz.want_id)
		return fz.want_id;
	o = r < 70 ? pool_pick(c, r < 62 ? type : O_ANY) : NULL;
	if (o)
		return o->id;
	if (r < 86)
		return r < 76 ? 0 : rnd(64);
	if (r < 90)
		return UINT32_MAX;
	o = r < 96 ? pool_pick(&t->ctx[rnd(t->nctx)], type) : NULL;
	if (o)
		return o->id;
	return (uint32_t)rnd64();
}

/* The first modelled mapping of @o that meets [iova, last]. */
static struct area *overlap(struct obj *o, uint64_t iova, uint64_t last)
{
	unsigned int i;

	for (i = 0; i < o->nareas; i++)
		if (o->areas[i].iova <= last &&
		    o->areas[i].iova + o->areas[i].len - 1 >= iova)
			return &o->areas[i];
	return NULL;
}

static struct area *pick_area(struct obj *o)
{
	return o && o->nareas ? &o->areas[rnd(o->nareas)] : NULL;
}

static void model_add(struct obj *o, uint64_t iova, uint64_t len,
		      uint64_t uva)
{
	if (o->nareas == MAX_AREAS)
		o->exact = false;
	else
		o->areas[o->nareas++] = (struct area){ iova, len, uva };
}

/* Whether [iova, iova + len) is wholly mapped in the model. */
static bool model_covers(struct obj *o, uint64_t iova, uint64_t len)
{
	uint64_t pos = iova, last = iova + len - 1;
	struct area *a;

	for (; (a = overlap(o, pos, pos)); pos = a->iova + a->len)
		if (a->iova + a->len - 1 >= last)
			return true;
	return false;
}

/*
 * Take [iova, last] out of the model, cutting areas when @split (type1
 * v1), and add up what went.  False when it would cut without @split.
 */
static bool model_unmap(struct obj *o, uint64_t iova, uint64_t last,
			bool split, uint64_t *sum)
{
	unsigned int i = 0;

	*sum = 0;
	while (i < o->nareas) {
		struct area *a = &o->areas[i];
		uint64_t start = a->iova, end = start + a->len - 1, uva = a->uva;

		if (start > last || end < iova) {
			i++;
			continue;
		}
		if ((start < iova || end > last) && !split)
			return false;
		*sum += (end < last ? end : last) - (start > iova ? start : iova) + 1;
		if (start < iova) {
			a->len = iova - start;
			i++;
		} else {
			*a = o->areas[--o->nareas];
		}
		if (end > last)		/* the part after the range stays */
			model_add(o, last + 1, end - last, uva == NO_UVA ?
				  NO_UVA : uva + (last + 1 - start));
	}
	return true;
}

/* An IOVA for @o: near its mappings, in the mock aperture, or odd. */
static uint64_t pick_iova(struct obj *o)
{
	struct area *a = pick_area(o);
	unsigned int r = rnd(100);

	if (a && r < 40) {
		const uint64_t v[] = { a->iova, a->iova, a->iova + a->len,
				       a->iova + page_size, a->iova - page_size };

		return v[rnd(ARRAY_SIZE(v))];
	}
	if (r < 72)
		return MOCK_APERTURE_START + (uint64_t)rnd(1U << 15) * page_size;
	return r < 78 ? MOCK_APERTURE_START + rnd(1U << 27) : edge_u64();
}

/* ------------------------------------------------------------------ */
/* Reports                                                            */

static void describe(const struct call *cl, char *buf, size_t len)
{
	unsigned int i;
	size_t n;
	uint32_t w;

	n = snprintf(buf, len, "%s on fd %d (%s) req 0x%lx -> %s %ld; arg 0x%lx:",
		     errno_table[cl->cmd].name, cl->fd,
		     cl->ctx ? cl->ctx->path : "device", cl->req,
		     cl->err ? ename(cl->err) : "rc", cl->rc, cl->arg);
	for (i = 0; i + 4 <= cl->snap_len && n < len; i += 4) {
		memcpy(&w, cl->snap + i, 4);
		n += snprintf(buf + n, len - n, " %x", w);
	}
}

/* Count a violation; print the first MAX_REPORTS of each test. */
static void
violate(const struct call *cl, const char *fmt, ...)
{
	char why[200], what[400];
	va_list ap;

	if (++fz.t->violations > MAX_REPORTS)
		return;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	printf("# VIOLATION %s call %lu: %s\n", fz.t->name,
	       cl ? cl->no : fz.calls, why);
	if (cl) {
		describe(cl, what, sizeof(what));
		printf("#   %s\n", what);
	}
}

/* A call that does not return is named before the harness gives up. */
static void *watchdog(void *unused)
{
	unsigned long seen = 0, no;
	unsigned int secs = 0;
	char what[400];

	for (;;) {
		sleep(1);
		no = __atomic_load_n(&wd_no, __ATOMIC_ACQUIRE);
		if (!no || no != seen) {
			seen = no;
			secs = 0;
			continue;
		}
		if (++secs != WATCHDOG_SECS)
			continue;
		describe(__atomic_load_n(&wd_cl, __ATOMIC_RELAXED), what,
			 sizeof(what));
		printf("# WATCHDOG %s: call %lu has not returned in %u s\n#   %s\n",
		       fz.t->name, no, secs, what);
		printf("Bail out! call %lu hangs in the kernel\n", no);
		fflush(stdout);
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Calls and the checks around them                                   */

static void call_init(struct call *cl, struct ctx *c, enum cmd cmd, int fd,
		      unsigned long req)
{
	memset(cl, 0, sizeof(*cl));
	cl->cmd = cmd;
	cl->ctx = c;
	cl->fd = fd;
	cl->req = req;
	cl->expect = -1;
}

static void call_int(struct call *cl, unsigned long val)
{
	cl->arg = val;
	memcpy(cl->snap, &val, sizeof(val));
	cl->snap_len = sizeof(val);
}

enum {
	SH_EXACT, SH_SHORT, SH_SMALL, SH_TAIL0, SH_TAIL1, SH_HUGE, SH_BAD, SH_RO
};

/*
 * Lay out @t, the command's structure (@ksize bytes in the kernel's layout,
 * @minsz of them its first version), in user memory with a random shape,
 * ending at a guard page so that an over-read faults.  @sized: a
 * /dev/iommu "size"; else a VFIO "argsz", which bounds nothing the kernel
 * reads.  Sets the size field, what to expect, and where to read answers.
 */
static void place(struct call *cl, void *t, size_t ksize, size_t minsz,
		  bool sized)
{
	unsigned int r = fz.valid ? 0 : rnd(100), sh = SH_EXACT;
	uint32_t size = ksize;
	char *p = arg_end - ksize;

	if (r >= 66)
		sh = r < 72 ? (sized && minsz < ksize ? SH_SHORT : SH_EXACT) :
		     r < 78 ? SH_SMALL : r < 85 ? SH_TAIL0 :
		     r < 90 ? (sized ? SH_TAIL1 : SH_TAIL0) :
		     r < 93 ? (sized ? SH_HUGE : SH_TAIL0) :
		     r < 97 ? SH_BAD : SH_RO;
	if (sh == SH_SHORT) {
		size = minsz + rnd(ksize - minsz);
	} else if (sh == SH_SMALL) {
		size = rnd(minsz);
		cl->expect = EINVAL;
	} else if (sh == SH_TAIL0 || sh == SH_TAIL1) {
		size = ksize + 1 + rnd(chance(80) ? 64 : ARG_SPACE - ksize - 1);
		p = arg_end - size;
		memset(p + ksize, 0, size - ksize);
		if (sh == SH_TAIL1) {
			p[ksize + rnd(size - ksize)] = 1 + rnd(255);
			cl->expect = E2BIG;
		}
	} else if (sh == SH_HUGE && chance(50)) {
		size = BIG_ARG;
		p = big_arg;
		memset(p, 0, page_size);
	} else if (sh == SH_HUGE) {
		/* The tail starts on the guard page. */
		size = chance(50) ? 1U << 20 : UINT32_MAX;
		cl->expect = EFAULT;
	}
	memcpy(t, &size, sizeof(size));
	cl->snap_len = ksize < sizeof(cl->snap) ? ksize : sizeof(cl->snap);
	memcpy(cl->snap, t, cl->snap_len);
	/* Answers are copied out to ans[]: p may be unaligned. */
	cl->out = cl->ans;
	cl->ksize = ksize;
	if (sh == SH_BAD) {
		cl->arg = bad_ptr();
		cl->expect = EFAULT;
		return;
	}
	if (sh == SH_RO) {
		memcpy(ro_arg_rw + page_size - ksize, t, ksize);
		p = ro_arg + page_size - ksize;
		cl->may_fault = true;
		cl->out_ro = true;
	} else {
		memcpy(p, t, ksize);
		if (sh == SH_SHORT)
			memset(p + size, 0, ksize - size);
	}
	cl->uout = p;
	cl->arg = (unsigned long)p;
}

static void do_call(struct call *cl)
{
	cl->no = ++fz.calls;
	__atomic_store_n(&wd_cl, cl, __ATOMIC_RELAXED);
	__atomic_store_n(&wd_no, cl->no, __ATOMIC_RELEASE);
	cl->rc = ioctl(cl->fd, cl->req, cl->arg);
	cl->err = cl->rc < 0 ? errno : 0;
	__atomic_store_n(&wd_no, 0, __ATOMIC_RELEASE);
	if (cl->uout)
		memcpy(cl->ans, cl->uout, cl->ksize);
	if (!(fz.calls % PROGRESS_EVERY) && !fz.quiet)
		printf("# %lu calls, %s: %lu violations\n", fz.calls,
		       fz.t->name, fz.t->violations);
}

static void check_errno(const struct call *cl)
{
	const int *e;

	if (cl->expect >= 0) {
		if (cl->err != cl->expect)
			violate(cl, "the argument's shape demands %s",
				ename(cl->expect));
		return;
	}
	if (!cl->err || cl->err == ENOMEM || (cl->err == EFAULT && cl->may_fault))
		return;
	for (e = errno_table[cl->cmd].errs; *e; e++)
		if (*e == cl->err)
			return;
	violate(cl, "%s is not an errno the uAPI documents for %s",
		ename(cl->err), errno_table[cl->cmd].name);
}

/* VmPin and VmLck, in kB. */
static bool pins_read(long *pin, long *lck)
{
	char buf[4096], *s;
	ssize_t n = pread(fz.status_fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return false;
	buf[n] = 0;
	s = strstr(buf, "\nVmLck:");
	*lck = s ? strtol(s + 7, NULL, 10) : 0;
	s = strstr(buf, "\nVmPin:");
	*pin = s ? strtol(s + 7, NULL, 10) : 0;
	return true;
}

/* 1: @o is live, 0: it is gone, -1: cannot tell without changing it. */
static int resolve(struct ctx *c, struct obj *o)
{
	uint64_t v;
	int rc;

	switch (o->type) {
	case O_IOAS:
		rc = ifd_option_get(c->fd, IOMMU_OPTION_HUGE_PAGES, o->id, &v);
		return !rc ? 1 : rc == ENOENT ? 0 : -1;
	case O_HWPT:	/* zero length: 0, or EINVAL when not a mock domain */
		rc = fz.test ? mock_check_map(c->fd, o->id, 0, 0, NULL) : -1;
		return !rc || rc == EINVAL ? 1 : rc == ENOENT ? 0 : -1;
	case O_IDEV:	/* its driver holds it: destroying it is EBUSY */
		rc = obj_destroy(c->fd, o->id);
		return rc == EBUSY ? 1 : rc == ENOENT ? 0 : -1;
	case O_FAULT:	/* its open file holds it: EBUSY too */
	case O_VEVENTQ:
		if (o->ffd < 0)
			return -1;
		rc = obj_destroy(c->fd, o->id);
		if (!rc)
			violate(NULL, "destroyed %s %u, whose file is open",
				otype_name[o->type], o->id);
		return rc == EBUSY || !rc ? 1 : rc == ENOENT ? 0 : -1;
	case O_VIOMMU: {	/* no entries: only the type is checked */
		uint32_t num = 0;

		rc = hwpt_invalidate(c->fd, o->id,
				     IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST,
				     NULL, 0, &num);
		return !rc ? 1 : rc == ENOENT ? 0 : -1;
	}
	}
	return -1;
}

/*
 * No IOAS or HWPT is live that the model does not know: report them, or
 * with @report false learn them quietly (after a call whose effect cannot
 * be known).  A new object gets the lowest free ID, so looking a little
 * past the highest known one finds it.
 */
static void scan(const struct call *cl, struct ctx *c, bool report)
{
	uint32_t id, last = 8;
	struct obj *o;
	unsigned int i;
	uint64_t v;
	int rc;

	for (i = 0; i < c->nobj; i++)
		if (c->obj[i].id < 512 && c->obj[i].id + 8 > last)
			last = c->obj[i].id + 8;

	for (id = 1; id <= last && id < 512; id++) {
		o = find(c, id, O_ANY);
		if ((!o || o->type != O_IOAS) &&
		    !ifd_option_get(c->fd, IOMMU_OPTION_HUGE_PAGES, id, &v)) {
			if (report)
				violate(cl, "IOAS %u is live, no call made it", id);
			o = pool_add(c, id, O_IOAS);
			if (o)
				o->exact = false;
			continue;
		}
		if (!fz.test || (o && o->type == O_HWPT) ||
		    (o && o->type >= O_VIOMMU))
			continue;
		rc = mock_check_map(c->fd, id, 0, 0, NULL);
		if (rc && rc != EINVAL)
			continue;
		if (report)
			violate(cl, "HWPT %u is live, no call made it", id);
		o = pool_add(c, id, O_HWPT);
		if (o)
			o->autohwpt = true;
	}
}

/*
 * The model of the IOAS a failed call named still holds: one of its
 * mappings is readable, and the call's IOVA is readable exactly when the
 * model maps it.  A copy-only test access made for the check reads them.
 * Memory is pinned when first needed, so a mapping of memory that cannot
 * be pinned (a guard page, a range gone since) reads as EFAULT, never as
 * unmapped.
 */
static void map_check(const struct call *cl, struct ctx *c)
{
	struct obj *o = ioas_of(c, cl->ioas);
	struct area *a = pick_area(o);
	int afd, rc;
	bool mapped;
	char byte;

	if (!fz.test || !o || !o->exact || access_create(c->fd, o->id, 0, &afd))
		return;
	if (a) {
		uint64_t at = a->iova + rnd(a->len);

		rc = access_rw(c->fd, afd, at, &byte, 1, 0);
		if (rc && rc != EFAULT)
			violate(cl, "IOVA 0x%llx of IOAS %u was mapped, now %s",
				(unsigned long long)at, o->id, ename(rc));
	}
	if (cl->probe < ULONG_MAX) {
		mapped = overlap(o, cl->probe, cl->probe);
		rc = access_rw(c->fd, afd, cl->probe, &byte, 1, 0);
		if ((!rc || rc == ENOENT) && mapped != !rc)
			violate(cl, "IOVA 0x%llx of IOAS %u is %smapped, the model says %smapped",
				(unsigned long long)cl->probe, o->id,
				rc ? "un" : "", mapped ? "" : "un");
	}
	close(afd);
}

/*
 * Run @cl with the checks its kinds and the sampling ask for; true when it
 * succeeded (the caller learns from the answer).  After a failure, sampled:
 * VmPin/VmLck (K_PINS, and every PINS_EVERY calls), the IOAS's IOVA ranges
 * (K_RANGES), its mappings (K_MAPS), that a known object still resolves,
 * and that no unknown IOAS or HWPT appeared (K_ALLOC).
 */
static bool run(struct call *cl, unsigned int kinds)
{
	struct iommu_iova_range r0[16], r1[16];
	uint32_t n0 = 16, n1 = 16;
	uint64_t a0 = 0, a1 = 0;
	struct ctx *c = cl->ctx;
	bool chk = !fz.valid && !rnd(CHECK_ONE_IN);
	bool pins = (chk && (kinds & K_PINS)) || !((fz.calls + 1) % PINS_EVERY);
	bool ranges = chk && (kinds & K_RANGES) && ioas_of(c, cl->ioas);
	int rc0 = 0, rc1;
	struct obj *o;
	long pin, lck;

	if (pins && !fz.pins_known)
		fz.pins_known = pins_read(&fz.pin, &fz.lck);
	if (ranges)
		rc0 = ioas_ranges(c->fd, cl->ioas, r0, &n0, &a0);
	do_call(cl);
	check_errno(cl);
	if (!cl->err) {
		fz.pins_known = false;
		return true;
	}
	if (cl->out_ro && cl->err == EFAULT) {
		/* The answer could not be written after the effect: forget. */
		fz.pins_known = false;
		o = ioas_of(c, cl->ioas);
		if (o)
			o->exact = false;
		if (c) {
			c->compat_known = false;
			scan(cl, c, false);
		}
		return false;
	}
	if (pins && fz.pins_known && pins_read(&pin, &lck) &&
	    (pin != fz.pin || lck != fz.lck)) {
		violate(cl, "failed call moved VmPin %ld -> %ld kB, VmLck %ld -> %ld kB",
			fz.pin, pin, fz.lck, lck);
		fz.pin = pin;
		fz.lck = lck;
	}
	if (ranges) {
		rc1 = ioas_ranges(c->fd, cl->ioas, r1, &n1, &a1);
		if (rc0 != rc1 || n0 != n1 || a0 != a1 ||
		    memcmp(r0, r1, sizeof(r0[0]) * (n0 < 16 ? n0 : 16)))
			violate(cl, "IOAS %u's ranges went %u -> %u, alignment 0x%llx -> 0x%llx",
				cl->ioas, n0, n1, (unsigned long long)a0,
				(unsigned long long)a1);
	}
	if (!chk || !c)
		return false;
	if (kinds & K_MAPS)
		map_check(cl, c);
	o = pool_pick(c, O_ANY);
	if (o && !o->autohwpt && !resolve(c, o))
		violate(cl, "%s %u is gone after a failed call",
			otype_name[o->type], o->id);
	if ((kinds & K_ALLOC) && !rnd(16))
		scan(cl, c, true);
	return false;
}

/* ------------------------------------------------------------------ */
/* Learning from successful calls                                     */

/* Record a new object; beyond the soft limit destroy it again instead. */
static struct obj *learn(struct ctx *c, uint32_t id, int type)
{
	struct obj *o;

	if (c->nobj >= SOFT_OBJS && type != O_IDEV && !obj_destroy(c->fd, id))
		return NULL;
	o = pool_add(c, id, type);
	if (!o)
		violate(NULL, "model full: %s %u not recorded", otype_name[type],
			id);
	return o;
}

/* The HWPT an attach to @ioas returned: one it made, or one it joined. */
static void learn_attach(struct ctx *c, uint32_t id, uint32_t ioas)
{
	bool known = find(c, id, O_HWPT);
	struct obj *o = learn(c, id, O_HWPT);

	if (o && !known) {
		o->autohwpt = true;
		o->ioas = ioas;
	}
}

/* The IOAS the VFIO compat layer maps into, asked when not known. */
static struct obj *compat_ioas(struct ctx *c)
{
	uint32_t id = 0;
	struct obj *o;

	if (!c->compat_known) {
		if (ifd_vfio_ioas(c->fd, IOMMU_VFIO_IOAS_GET, &id))
			id = 0;
		c->compat = id;
		c->compat_known = true;
		o = id && !ioas_of(c, id) ? pool_add(c, id, O_IOAS) : NULL;
		if (o)
			o->exact = false;
	}
	return ioas_of(c, c->compat);
}

/* How much of a user address's alignment a chosen IOVA keeps for @len. */
static uint64_t keep_align(uint64_t len)
{
	uint64_t a = 1;

	while (a < len && a < page_size)
		a <<= 1;
	return a;
}

/* A successful map of [iova, iova + len) at @uva: plausible?  Record it. */
static void note_map(const struct call *cl, struct obj *o, uint64_t iova,
		     uint64_t len, uint64_t uva, bool fixed, uint64_t want)
{
	if (fixed && iova != want)
		violate(cl, "fixed IOVA 0x%llx came back as 0x%llx",
			(unsigned long long)want, (unsigned long long)iova);
	/*
	 * rst: a chosen IOVA is never 0 and keeps the user address's offset
	 * within the alignment the length can use, at most a page.
	 */
	if (!fixed && (!iova || (uva != NO_UVA &&
				 ((iova ^ uva) & (keep_align(len) - 1)))))
		violate(cl, "chosen IOVA 0x%llx for user address 0x%llx",
			(unsigned long long)iova, (unsigned long long)uva);
	if (!o)
		return;
	if (o->exact && overlap(o, iova, iova + len - 1))
		violate(cl, "new mapping 0x%llx+0x%llx overlaps one of IOAS %u",
			(unsigned long long)iova, (unsigned long long)len,
			o->id);
	model_add(o, iova, len, uva);
}

/* A successful unmap of [iova, last] (or of all) that reported @done. */
static void note_unmap(const struct call *cl, struct obj *o, bool all,
		       uint64_t iova, uint64_t last, bool split, uint64_t done)
{
	uint64_t sum = 0;
	unsigned int i;

	if (!o)
		return;
	for (i = 0; all && i < o->nareas; i++)
		sum += o->areas[i].len;
	if (all) {
		o->nareas = 0;
	} else if (!model_unmap(o, iova, last, split, &sum)) {
		if (o->exact)
			violate(cl, "unmap of 0x%llx-0x%llx succeeded, it cuts a mapping",
				(unsigned long long)iova,
				(unsigned long long)last);
		o->exact = false;
		return;
	}
	if (o->exact && sum != done)
		violate(cl, "unmapped 0x%llx bytes, the model has 0x%llx there",
			(unsigned long long)done, (unsigned long long)sum);
	o->exact |= all;
}

/* ------------------------------------------------------------------ */
/* Nested HWPTs, fault queues and the devices raising page requests    */

/* Where faults of a device on HWPT @id go: a queue, 0 for none, NO_Q. */
static uint32_t queue_of(struct ctx *c, uint32_t id)
{
	struct obj *h = id ? find(c, id, O_HWPT) : NULL;

	if (!h)
		return NO_Q;
	return h->parent ? h->fault : 0;
}

/* How many modelled objects name @id as their @what. */
static unsigned int users_of(struct ctx *c, uint32_t id, int what)
{
	unsigned int i, n = 0;
	struct obj *o;

	for (i = 0; i < c->nobj; i++) {
		o = &c->obj[i];
		n += what == O_FAULT ? o->type == O_HWPT && o->fault == id :
		     what == O_HWPT ? (o->type == O_HWPT ||
				       o->type == O_VIOMMU) && o->parent == id :
		     what == O_VIOMMU ? (o->type == O_HWPT ||
					 o->type == O_VDEV ||
					 o->type == O_VEVENTQ) &&
					o->parent == id :
		     o->type == O_STDEV && o->at == id;
	}
	return n;
}

/* Take device @dev's requests out of queue @q's model. */
static bool q_drop_dev(struct obj *q, uint32_t dev)
{
	unsigned int i, n = 0;
	bool had = false;

	for (i = 0; i < q->nq; i++)
		if (q->q[i].dev != dev)
			q->q[n++] = q->q[i];
	had |= n != q->nq;
	q->nq = n;
	for (i = n = 0; i < q->nans; i++)
		if (q->ans[i].dev != dev)
			q->ans[n++] = q->ans[i];
	had |= n != q->nans;
	q->nans = n;
	return had;
}

/*
 * Selftest device @sd now uses HWPT @to (0: it is gone, NO_Q: not
 * known).  The kernel answered its requests in a queue it left as
 * invalid: they leave that queue's model, read or not.  Where the model
 * cannot tell whether the device left, the queue stops being exact.
 */
static void dev_moved(struct ctx *c, struct obj *sd, uint32_t to)
{
	uint32_t from = sd->at ? queue_of(c, sd->at) : NO_Q;
	uint32_t into = to == NO_Q ? NO_Q : to ? queue_of(c, to) : 0;
	unsigned int i;
	struct obj *q;

	for (i = 0; i < c->nobj; i++) {
		q = &c->obj[i];
		if (q->type != O_FAULT || (from != NO_Q && q->id != from) ||
		    (from != NO_Q && from == into))
			continue;
		if (q_drop_dev(q, sd->link) && (into == NO_Q || q->id == into))
			q->qexact = false;
	}
	sd->at = to == NO_Q ? 0 : to;
}

/* Every queue of @c stops being exact: a request went who knows where. */
static void queues_unknown(struct ctx *c)
{
	unsigned int i;

	for (i = 0; i < c->nobj; i++)
		if (c->obj[i].type == O_FAULT)
			c->obj[i].qexact = false;
}

/* Device @idev went: its vDEVICEs stay, naming no device. */
static void vdevs_unbound(struct ctx *c, uint32_t idev)
{
	unsigned int i;

	for (i = 0; idev && i < c->nobj; i++)
		if (c->obj[i].type == O_VDEV && c->obj[i].link == idev)
			c->obj[i].link = 0;
}

/*
 * A successful IOMMU_DESTROY of modelled object @o: nothing the model
 * knows held it.  A refused one of a fault queue: something did.
 */
static void destroy_check(const struct call *cl, struct ctx *c,
			  struct obj *o)
{
	unsigned int n;

	if (cl->err) {
		if (cl->err == EBUSY && o->type == O_FAULT && o->ffd < 0 &&
		    !users_of(c, o->id, O_FAULT) && c->nobj < MAX_OBJS)
			violate(cl, "fault queue %u is busy: its file is closed, no HWPT uses it",
				o->id);
		if (cl->err == EBUSY && o->type == O_VEVENTQ && o->ffd < 0)
			violate(cl, "vEVENTQ %u is busy: its file is closed",
				o->id);
		return;
	}
	if (o->type == O_VEVENTQ && o->ffd >= 0)
		violate(cl, "destroyed vEVENTQ %u, whose file is open", o->id);
	n = o->type == O_VIOMMU ? users_of(c, o->id, O_VIOMMU) : 0;
	if (n)
		violate(cl, "destroyed vIOMMU %u, which %u object(s) use",
			o->id, n);
	if (o->type == O_FAULT && o->ffd >= 0)
		violate(cl, "destroyed fault queue %u, whose file is open",
			o->id);
	n = users_of(c, o->id, o->type == O_FAULT ? O_FAULT : O_HWPT);
	if (n && (o->type == O_FAULT || o->type == O_HWPT))
		violate(cl, "destroyed %s %u, which %u nested HWPT(s) use",
			otype_name[o->type], o->id, n);
	n = o->type == O_HWPT ? users_of(c, o->id, O_STDEV) : 0;
	if (n)
		violate(cl, "destroyed HWPT %u, %u mock device(s) are on it",
			o->id, n);
	if (o->type == O_STDEV)
		dev_moved(c, o, 0);
}

/* ------------------------------------------------------------------ */
/* IOMMU_* commands                                                   */

static void op_destroy(struct ctx *c)
{
	struct iommu_destroy t = { .id = pick_id(c, O_ANY) };
	struct call cl;
	struct obj *o;
	bool ok;

	call_init(&cl, c, C_DESTROY, c->fd, IOMMU_DESTROY);
	place(&cl, &t, sizeof(t), sizeof(t), true);
	ok = run(&cl, K_PINS);
	o = find(c, t.id, O_ANY);
	if (o && cl.expect < 0)
		destroy_check(&cl, c, o);
	if (!o || !ok)
		return;
	if (o->type == O_IDEV)
		violate(&cl, "destroyed device %u, which its driver holds", t.id);
	if (o->type == O_STDEV) {
		vdevs_unbound(c, o->link);
		pool_del(c, o->link);
	}
	if (o->type == O_VEVENTQ && o->ffd >= 0)
		close(o->ffd);
	if (o->type == O_IOAS)
		c->compat_known = false;
	pool_del(c, t.id);
}

static void op_ioas_alloc(struct ctx *c)
{
	struct iommu_ioas_alloc t = { .flags = pick_flags(0, 0) }, *out;
	struct call cl;
	struct obj *o;

	call_init(&cl, c, C_IOAS_ALLOC, c->fd, IOMMU_IOAS_ALLOC);
	place(&cl, &t, sizeof(t), sizeof(t), true);
	out = cl.out;
	if (!run(&cl, K_ALLOC))
		return;
	o = find(c, out->out_ioas_id, O_ANY);
	if (!out->out_ioas_id || (o && o->type != O_HWPT))
		violate(&cl, "new IOAS got ID %u, which is 0 or taken",
			out->out_ioas_id);
	learn(c, out->out_ioas_id, O_IOAS);
}

static void op_allow_iovas(struct ctx *c)
{
	struct iommu_ioas_allow_iovas t = {
		.ioas_id = pick_id(c, O_IOAS), .num_iovas = pick_count(),
		.__reserved = pick_rsv(),
	};
	struct iommu_iova_range *r = (void *)(list_end - page_size);
	struct call cl;
	uint32_t i;

	call_init(&cl, c, C_ALLOW_IOVAS, c->fd, IOMMU_IOAS_ALLOW_IOVAS);
	t.allowed_iovas = pick_array(t.num_iovas, sizeof(*r), &cl.may_fault);
	for (i = 0; i < page_size / sizeof(*r); i++) {
		r[i].start = pick_iova(NULL);
		r[i].last = chance(80) ? r[i].start + pick_len() - 1 :
					 edge_u64();
	}
	cl.ioas = t.ioas_id;
	place(&cl, &t, sizeof(t), sizeof(t), true);
	run(&cl, K_RANGES);
}

/* Usable ranges are sorted, apart, and hold every mapping. */
static void check_ranges(const struct call *cl, struct ctx *c,
			 const struct iommu_ioas_iova_ranges *out,
			 uint32_t room, const struct iommu_iova_range *r)
{
	uint32_t i, j, n = out->num_iovas < room ? out->num_iovas : room;
	struct obj *o = ioas_of(c, out->ioas_id);
	uint64_t align = out->out_iova_alignment;
	bool big = out->num_iovas > room, msgsize = cl->err == EMSGSIZE;

	if (!align || (align & (align - 1)))
		violate(cl, "IOVA alignment 0x%llx", (unsigned long long)align);
	if (big != msgsize)
		violate(cl, "%u ranges for room for %u", out->num_iovas, room);
	for (i = 0; i < n; i++)
		if (r[i].start > r[i].last ||
		    (i && r[i].start <= r[i - 1].last + 1))
			violate(cl, "range %u, 0x%llx-0x%llx, unsorted or touching",
				i, (unsigned long long)r[i].start,
				(unsigned long long)r[i].last);
	for (i = 0; o && o->exact && n == out->num_iovas && i < o->nareas; i++) {
		for (j = 0; j < n; j++)
			if (r[j].start <= o->areas[i].iova && r[j].last >=
			    o->areas[i].iova + o->areas[i].len - 1)
				break;
		if (j == n)
			violate(cl, "mapping at 0x%llx is outside the usable ranges",
				(unsigned long long)o->areas[i].iova);
	}
}

static void op_iova_ranges(struct ctx *c)
{
	struct iommu_ioas_iova_ranges t = {
		.ioas_id = pick_id(c, O_IOAS), .num_iovas = pick_count(),
		.__reserved = pick_rsv(),
	};
	bool bad = false;
	struct call cl;

	call_init(&cl, c, C_IOVA_RANGES, c->fd, IOMMU_IOAS_IOVA_RANGES);
	t.allowed_iovas = pick_array(t.num_iovas, sizeof(struct iommu_iova_range),
				     &bad);
	/* It writes only the entries it has: a short array is fine. */
	cl.may_fault = t.num_iovas &&
		       (t.allowed_iovas < ptr_u64(list_end - page_size) ||
			t.allowed_iovas > ptr_u64(list_end));
	place(&cl, &t, sizeof(t), sizeof(t), true);
	if ((run(&cl, 0) || cl.err == EMSGSIZE) && cl.out && !cl.may_fault &&
	    cl.expect < 0)
		check_ranges(&cl, c, cl.out, t.num_iovas,
			     (void *)(uintptr_t)t.allowed_iovas);
}

static void op_ioas_map(struct ctx *c)
{
	struct iommu_ioas_map t = {
		.ioas_id = pick_id(c, O_IOAS), .length = pick_len(),
		.flags = pick_flags(MAP_RW | (chance(50) ?
				    IOMMU_IOAS_MAP_FIXED_IOVA : 0), 7),
		.__reserved = pick_rsv(),
	}, *out;
	struct call cl;
	bool ok;

	call_init(&cl, c, C_MAP, c->fd, IOMMU_IOAS_MAP);
	t.user_va = pick_uva(t.length, t.flags & IOMMU_IOAS_MAP_WRITEABLE, &ok);
	t.iova = chance(85) ? pick_iova(ioas_of(c, t.ioas_id)) : 0;
	cl.may_fault = !ok;
	cl.ioas = t.ioas_id;
	cl.probe = t.iova;
	place(&cl, &t, sizeof(t), sizeof(t), true);
	out = cl.out;
	if (run(&cl, K_PINS | K_MAPS))
		note_map(&cl, ioas_of(c, t.ioas_id), out->iova, t.length,
			 t.user_va, t.flags & IOMMU_IOAS_MAP_FIXED_IOVA, t.iova);
}

/*
 * IOMMU_IOAS_MAP_FILE: mostly the memfd at page offsets in it and past
 * its end, else /dev/iommu itself (not shmem), a closed or no descriptor.
 */
static void op_ioas_map_file(struct ctx *c)
{
	struct iommu_ioas_map_file t = {
		.ioas_id = pick_id(c, O_IOAS), .length = pick_len(),
		.flags = pick_flags(MAP_RW | (chance(50) ?
				    IOMMU_IOAS_MAP_FIXED_IOVA : 0), 7),
	}, *out;
	unsigned int r = rnd(100);
	struct call cl;
	bool fixed;

	call_init(&cl, c, C_MAP_FILE, c->fd, IOMMU_IOAS_MAP_FILE);
	t.fd = r < 85 ? file_fd : r < 92 ? c->fd : r < 96 ? -1 : 999;
	t.start = chance(85) ? rnd(2 * MEMFD_LEN / page_size) * page_size :
		  chance(50) ? rnd(MEMFD_LEN) : UINT64_MAX - rnd(3) * page_size;
	t.iova = chance(85) ? pick_iova(ioas_of(c, t.ioas_id)) : 0;
	cl.ioas = t.ioas_id;
	cl.probe = t.iova;
	place(&cl, &t, sizeof(t), sizeof(t), true);
	out = cl.out;
	if (!run(&cl, K_PINS | K_MAPS))
		return;
	fixed = t.flags & IOMMU_IOAS_MAP_FIXED_IOVA;
	/* A chosen IOVA follows the file offset as it would an address. */
	if (!fixed && ((out->iova ^ t.start) & (keep_align(t.length) - 1)))
		violate(&cl, "chosen IOVA 0x%llx for file offset 0x%llx",
			(unsigned long long)out->iova,
			(unsigned long long)t.start);
	note_map(&cl, ioas_of(c, t.ioas_id), out->iova, t.length, NO_UVA,
		 fixed, t.iova);
}

static void op_ioas_copy(struct ctx *c)
{
	struct iommu_ioas_copy t = {
		.dst_ioas_id = pick_id(c, O_IOAS),
		.src_ioas_id = pick_id(c, O_IOAS),
		.flags = pick_flags(MAP_RW | (chance(50) ?
				    IOMMU_IOAS_MAP_FIXED_IOVA : 0), 7),
	}, *out;
	struct obj *src = ioas_of(c, t.src_ioas_id), *dst;
	struct area *a = pick_area(src);
	uint64_t uva = NO_UVA, from, to;
	unsigned int i, n;
	struct call cl;

	t.src_iova = a && chance(70) ? a->iova : pick_iova(src);
	t.length = a && chance(70) ? a->len : pick_len();
	t.dst_iova = pick_iova(ioas_of(c, t.dst_ioas_id));
	call_init(&cl, c, C_COPY, c->fd, IOMMU_IOAS_COPY);
	cl.ioas = t.dst_ioas_id;
	cl.probe = t.dst_iova;
	place(&cl, &t, sizeof(t), sizeof(t), true);
	out = cl.out;
	if (!run(&cl, K_PINS | K_MAPS))
		return;
	src = ioas_of(c, t.src_ioas_id);
	dst = ioas_of(c, t.dst_ioas_id);
	if (src && src->exact && !model_covers(src, t.src_iova, t.length))
		violate(&cl, "copied 0x%llx+0x%llx, which IOAS %u does not map",
			(unsigned long long)t.src_iova,
			(unsigned long long)t.length, t.src_ioas_id);
	a = src ? overlap(src, t.src_iova, t.src_iova) : NULL;
	if (a && a->uva != NO_UVA)
		uva = a->uva + (t.src_iova - a->iova);
	note_map(&cl, NULL, out->dst_iova, t.length, uva,
		 t.flags & IOMMU_IOAS_MAP_FIXED_IOVA, t.dst_iova);
	if (!dst)
		return;
	if (!src || !src->exact) {
		dst->exact = false;
		return;
	}
	if (dst->exact && overlap(dst, out->dst_iova, out->dst_iova + t.length - 1))
		violate(&cl, "copy to 0x%llx overlaps a mapping of IOAS %u",
			(unsigned long long)out->dst_iova, dst->id);
	/* The copy is one area per source area it takes pages from. */
	for (i = 0, n = src->nareas; i < n; i++) {
		a = &src->areas[i];
		from = a->iova > t.src_iova ? a->iova : t.src_iova;
		to = a->iova + a->len - 1;
		if (to > t.src_iova + t.length - 1)
			to = t.src_iova + t.length - 1;
		if (from <= to)
			model_add(dst, out->dst_iova + (from - t.src_iova),
				  to - from + 1, a->uva == NO_UVA ? NO_UVA :
				  a->uva + (from - a->iova));
	}
}

static void op_ioas_unmap(struct ctx *c)
{
	struct iommu_ioas_unmap t = { .ioas_id = pick_id(c, O_IOAS) }, *out;
	struct obj *o = ioas_of(c, t.ioas_id);
	struct area *a = pick_area(o);
	unsigned int r = rnd(100);
	struct call cl;

	if (r < 15) {
		t.length = UINT64_MAX;
	} else if (r < 60 && a) {
		t.iova = a->iova;
		t.length = chance(80) ? a->len : pick_len();
	} else {
		t.iova = pick_iova(o);
		t.length = pick_len();
	}
	call_init(&cl, c, C_UNMAP, c->fd, IOMMU_IOAS_UNMAP);
	cl.ioas = t.ioas_id;
	cl.probe = t.iova;
	place(&cl, &t, sizeof(t), sizeof(t), true);
	out = cl.out;
	if (run(&cl, K_PINS | K_MAPS))
		note_unmap(&cl, ioas_of(c, t.ioas_id),
			   !t.iova && t.length == UINT64_MAX, t.iova,
			   t.iova + t.length - 1, false, out->length);
}

static void op_option(struct ctx *c)
{
	unsigned int r = rnd(100);
	struct iommu_option t = {
		.option_id = r < 50 ? IOMMU_OPTION_HUGE_PAGES :
			     r < 85 ? IOMMU_OPTION_RLIMIT_MODE : edge_u64(),
		.op = chance(90) ? rnd(2) : (uint16_t)rnd64(),
		.__reserved = pick_rsv(),
		.val64 = chance(70) ? rnd(2) : edge_u64(),
	}, *out;
	struct call cl;

	t.object_id = t.option_id == IOMMU_OPTION_RLIMIT_MODE && chance(80) ?
		      0 : pick_id(c, O_IOAS);
	call_init(&cl, c, C_OPTION, c->fd, IOMMU_OPTION);
	place(&cl, &t, sizeof(t), sizeof(t), true);
	out = cl.out;
	if (run(&cl, K_PINS) && t.op == IOMMU_OPTION_OP_GET && out->val64 > 1)
		violate(&cl, "option %u reads %llu", t.option_id,
			(unsigned long long)out->val64);
}

static void op_vfio_ioas(struct ctx *c)
{
	unsigned int r = rnd(100);
	struct iommu_vfio_ioas t = {
		.op = r < 35 ? IOMMU_VFIO_IOAS_GET : r < 70 ?
		      IOMMU_VFIO_IOAS_SET : r < 90 ? IOMMU_VFIO_IOAS_CLEAR :
		      (uint16_t)rnd64(),
		.__reserved = pick_rsv(),
	}, *out;
	struct call cl;

	t.ioas_id = t.op == IOMMU_VFIO_IOAS_SET || chance(50) ?
		    pick_id(c, O_IOAS) : 0;
	call_init(&cl, c, C_VFIO_IOAS, c->fd, IOMMU_VFIO_IOAS);
	place(&cl, &t, sizeof(t), sizeof(t), true);
	out = cl.out;
	if (!run(&cl, 0)) {
		if (cl.err != ENODEV || t.op != IOMMU_VFIO_IOAS_GET ||
		    cl.expect >= 0)
			return;
		if (c->compat_known && c->compat)
			violate(&cl, "GET finds no compat IOAS, IOAS %u was set",
				c->compat);
		c->compat = 0;
		c->compat_known = true;
	} else if (t.op == IOMMU_VFIO_IOAS_GET) {
		if (c->compat_known && c->compat && out->ioas_id != c->compat)
			violate(&cl, "GET says IOAS %u, IOAS %u was set",
				out->ioas_id, c->compat);
		c->compat_known = false;
		compat_ioas(c);
	} else if (t.op == IOMMU_VFIO_IOAS_SET ||
		   t.op == IOMMU_VFIO_IOAS_CLEAR) {
		c->compat = t.op == IOMMU_VFIO_IOAS_SET ? t.ioas_id : 0;
		c->compat_known = true;
	}
}

/* The selftest device of @c whose iommufd device is @idev, or NULL. */
static struct obj *stdev_of(struct ctx *c, uint32_t idev)
{
	unsigned int i;

	for (i = 0; idev && i < c->nobj; i++)
		if (c->obj[i].type == O_STDEV && c->obj[i].link == idev)
			return &c->obj[i];
	return NULL;
}

enum { H_PARENT, H_NESTED, H_FAULTING };

/* A modelled HWPT: a mock nest parent, a nested one, one with a queue. */
static struct obj *pick_hwpt_kind(struct ctx *c, int kind)
{
	unsigned int i, n = c->nobj, start = rnd(n + 1);
	struct obj *o;

	for (i = 0; i < n; i++) {
		o = &c->obj[(start + i) % n];
		if (o->type == O_HWPT &&
		    (kind == H_PARENT ? o->nest_parent && o->mock :
		     kind == H_NESTED ? o->parent != 0 : o->parent && o->fault))
			return o;
	}
	return NULL;
}

/* A modelled fault queue, one whose file is open when @open. */
static struct obj *pick_queue(struct ctx *c, bool open)
{
	unsigned int i, n = c->nobj, start = rnd(n + 1);
	struct obj *o;

	for (i = 0; i < n; i++) {
		o = &c->obj[(start + i) % n];
		if (o->type == O_FAULT && (!open || o->ffd >= 0))
			return o;
	}
	return NULL;
}

/* What IOMMU_HWPT_ALLOC carried as driver data. */
struct hwpt_data {
	uint32_t iotlb;		/* the mock stage 1's IOTLB value */
	bool good;		/* one whole struct iommu_hwpt_selftest */
};

/*
 * Driver data for a nested HWPT (none for a paging one, when @none):
 * mostly a mock stage 1 that ends at a guard page, else another type, a
 * length short or long, a pointer that faults.
 */
static void pick_hwpt_data(struct iommu_hwpt_alloc *t, struct call *cl,
			   bool none, struct hwpt_data *d)
{
	const uint32_t types[] = { IOMMU_HWPT_DATA_NONE, IOMMU_HWPT_DATA_VTD_S1,
				   IOMMU_HWPT_DATA_SELFTEST + 1 };
	unsigned int r = fz.valid ? 0 : rnd(100);
	struct iommu_hwpt_selftest st;
	uint32_t len = sizeof(st);
	size_t room;
	char *p;

	d->iotlb = chance(50) ? IOMMU_TEST_IOTLB_DEFAULT : (uint32_t)rnd64();
	d->good = false;
	if (none)
		return;
	t->data_type = r < 88 ? IOMMU_HWPT_DATA_SELFTEST : r < 96 ?
		       types[rnd(ARRAY_SIZE(types))] : (uint32_t)rnd64();
	r = fz.valid ? 0 : rnd(100);
	if (r >= 80)
		len = r < 86 ? 0 : r < 91 ? rnd(sizeof(st)) :
		      r < 96 ? sizeof(st) + 1 + rnd(64) : rnd(2 * page_size);
	t->data_len = len;
	room = len < page_size ? len : page_size;
	p = list_end - room;
	memset(p, 0, room);
	st.iotlb = d->iotlb;
	if (len >= sizeof(st))
		memcpy(p, &st, sizeof(st));
	t->data_uptr = ptr_u64(p);
	cl->may_fault |= len > page_size;
	if (!fz.valid && chance(4)) {
		t->data_uptr = chance(30) ? 0 : bad_ptr();
		cl->may_fault = true;
	}
	d->good = t->data_type == IOMMU_HWPT_DATA_SELFTEST &&
		  len == sizeof(st) && t->data_uptr == ptr_u64(p);
}

/*
 * IOMMU_HWPT_ALLOC for @dev_id on @pt_id: on an IOAS a paging HWPT, on a
 * nest parent HWPT a nested one (with driver data, reporting to fault
 * queue @fault with IOMMU_HWPT_FAULT_ID_VALID).  Its model, or NULL.
 */
static struct obj *hwpt_alloc(struct ctx *c, uint32_t flags, uint32_t dev_id,
			      uint32_t pt_id, uint32_t fault)
{
	struct iommu_hwpt_alloc t = {
		.flags = flags, .dev_id = dev_id, .pt_id = pt_id,
		.fault_id = fault, .__reserved = pick_rsv(),
	}, *out;
	struct obj *p = find(c, pt_id, O_HWPT), *f = find(c, fault, O_ANY), *o;
	struct obj *v = find(c, pt_id, O_VIOMMU);
	struct obj *s2 = v ? find(c, v->parent, O_HWPT) : p;
	bool nested, want;
	struct hwpt_data d;
	struct call cl;
	unsigned int i;

	call_init(&cl, c, C_HWPT_ALLOC, c->fd, IOMMU_HWPT_ALLOC);
	/* Paging HWPTs take no driver data: now and then some anyway. */
	nested = p || v || (!ioas_of(c, pt_id) && chance(50));
	pick_hwpt_data(&t, &cl, !nested && (fz.valid || chance(85)), &d);
	t.__reserved2 = pick_rsv();
	cl.ioas = t.pt_id;
	place(&cl, &t, sizeof(t),
	      offsetof(struct iommu_hwpt_alloc, data_type), true);
	out = cl.out;
	/* An older, shorter structure: the kernel reads zeroes past it. */
	if (t.size < sizeof(t)) {
		memset((char *)&t + t.size, 0, sizeof(t) - t.size);
		flags = t.flags;
		fault = t.fault_id;
		d.good = false;
	}
	/*
	 * A mock stage 1 on a mock nest parent or vIOMMU for a mock device:
	 * it works.
	 */
	want = ((p && p->nest_parent && p->mock) || (v && v->mock)) &&
	       stdev_of(c, dev_id) &&
	       d.good && !t.__reserved && !t.__reserved2 &&
	       !(flags & ~IOMMU_HWPT_FAULT_ID_VALID) && t.size >= sizeof(t) &&
	       (!(flags & IOMMU_HWPT_FAULT_ID_VALID) ||
		(f && f->type == O_FAULT));
	if (!run(&cl, K_PINS | K_RANGES | K_ALLOC)) {
		if (want && cl.expect < 0 && !cl.out_ro && cl.err != ENOMEM)
			violate(&cl, "a mock stage 1 on %s %u refused",
				v ? "vIOMMU" : "nest parent", pt_id);
		return NULL;
	}
	/* Only a nested HWPT takes driver data, and needs it. */
	nested = t.data_len;
	if (nested && p && (!p->nest_parent || p->parent))
		violate(&cl, "nested HWPT on HWPT %u, which is no nest parent",
			pt_id);
	if (nested && (t.data_type != IOMMU_HWPT_DATA_SELFTEST ||
		       t.data_len != sizeof(struct iommu_hwpt_selftest) ||
		       flags & ~(IOMMU_HWPT_FAULT_ID_VALID |
				 IOMMU_HWPT_ALLOC_PASID)))
		violate(&cl, "nested HWPT from data type 0x%x, %u bytes, flags 0x%x",
			t.data_type, t.data_len, flags);
	if (nested && flags & IOMMU_HWPT_FAULT_ID_VALID && f &&
	    f->type != O_FAULT)
		violate(&cl, "nested HWPT reports to %s %u",
			otype_name[f->type], fault);
	if (!nested && (t.data_type || v || (p && !p->autohwpt)))
		violate(&cl, "paging HWPT on %s %u with data type 0x%x",
			p ? "HWPT" : "object", pt_id, t.data_type);
	o = learn(c, out->out_hwpt_id, O_HWPT);
	if (!o)
		return NULL;
	/* A new HWPT, even under an ID the pool knew. */
	o->autohwpt = false;
	o->parent = nested ? pt_id : 0;
	o->fault = nested && flags & IOMMU_HWPT_FAULT_ID_VALID ? fault : 0;
	o->ioas = !nested ? pt_id : s2 ? s2->ioas : 0;
	o->nest_parent = !nested && flags & IOMMU_HWPT_ALLOC_NEST_PARENT;
	o->mock = nested ? (p && p->mock) || (v && v->mock) :
		  !!stdev_of(c, dev_id);
	o->track = !nested && flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING ?
		   TRK_OFF : TRK_NONE;
	o->tlb_known = nested && d.good;
	for (i = 0; i < NR_TLB; i++)
		o->tlb[i] = d.iotlb;
	return o;
}

/* Mostly plain, dirty-tracking or nest parent HWPTs on an IOAS. */
static void op_hwpt_alloc(struct ctx *c)
{
	unsigned int r = rnd(100);
	uint32_t flags = pick_flags(r < 35 ? IOMMU_HWPT_ALLOC_DIRTY_TRACKING :
				    r < 60 ? IOMMU_HWPT_ALLOC_NEST_PARENT : 0,
				    7);
	uint32_t dev_id = pick_id(c, O_IDEV);

	hwpt_alloc(c, flags, dev_id, pick_id(c, chance(80) ? O_IOAS : O_HWPT),
		   0);
}

/*
 * Nested HWPTs: mostly on a mock nest parent for a mock device, often
 * reporting to a fault queue; else any parent, device, queue or flags.
 */
static void op_nested_alloc(struct ctx *c)
{
	struct obj *p = pick_hwpt_kind(c, chance(90) ? H_PARENT : H_NESTED);
	struct obj *f = pick_queue(c, false), *sd = pool_pick(c, O_STDEV);
	uint32_t flags = pick_flags(chance(60) ? IOMMU_HWPT_FAULT_ID_VALID : 0,
				    7);
	uint32_t fault = f && chance(85) ? f->id : pick_id(c, O_ANY);
	uint32_t dev = sd && sd->type == O_STDEV && chance(85) ? sd->link :
		       pick_id(c, O_IDEV);
	struct obj *v = pool_pick(c, O_VIOMMU);
	uint32_t pt = p && chance(85) ? p->id : pick_id(c, O_HWPT);

	/* Now and then on a vIOMMU, which stands for its parent. */
	if (v && v->type == O_VIOMMU && chance(30))
		pt = v->id;
	/* Without the flag the ID is not looked at. */
	if (!(flags & IOMMU_HWPT_FAULT_ID_VALID) && chance(60))
		fault = 0;
	hwpt_alloc(c, flags, dev, pt, fault);
}

/*
 * IOMMU_HWPT_INVALIDATE of HWPT @id: mock entries (all, or one IOTLB ID)
 * ending at a guard page; else another type, entry size, odd flags and
 * IDs, counts past the page.  Where the model knows the HWPT the outcome
 * is worked out: which entry fails with what, and the IOTLB after.
 */
static void invalidate(struct ctx *c, uint32_t id)
{
	struct iommu_hwpt_invalidate t = {
		.hwpt_id = id, .__reserved = pick_rsv(),
	}, *out;
	struct iommu_hwpt_invalidate_selftest e, ent[MAX_PEND];
	struct obj *h = find(c, id, O_HWPT);
	unsigned int r = fz.valid ? 0 : rnd(100), i, k = 0, fit;
	uint32_t want_n = 0, n;
	int want = -1;
	struct call cl;
	char *base;

	call_init(&cl, c, C_INVALIDATE, c->fd, IOMMU_HWPT_INVALIDATE);
	t.data_type = r < 85 ? IOMMU_HWPT_INVALIDATE_DATA_SELFTEST :
		      r < 92 ? IOMMU_HWPT_INVALIDATE_DATA_SELFTEST_INVALID :
		      (uint32_t)rnd64();
	r = fz.valid ? 0 : rnd(100);
	t.entry_len = r < 85 ? sizeof(e) : r < 89 ? 0 : r < 95 ?
		      rnd(sizeof(e)) : sizeof(e) + 1 + rnd(32);
	t.entry_num = fz.valid ? 1 + rnd(6) : pick_count();
	fit = t.entry_len ? page_size / t.entry_len : 0;
	k = t.entry_num < fit ? t.entry_num : fit;
	base = list_end - (size_t)k * t.entry_len;
	memset(base, 0, (size_t)k * t.entry_len);
	for (i = 0; i < k; i++) {
		e.flags = fz.valid || chance(92) ?
			  (chance(15) ? IOMMU_TEST_INVALIDATE_FLAG_ALL : 0) :
			  (uint32_t)rnd64();
		e.iotlb_id = chance(92) ? rnd(NR_TLB) : chance(50) ? NR_TLB :
			     (uint32_t)rnd64();
		memcpy(base + (size_t)i * t.entry_len, &e,
		       t.entry_len < sizeof(e) ? t.entry_len : sizeof(e));
		if (i < MAX_PEND)
			ent[i] = e;
	}
	t.data_uptr = ptr_u64(base);
	cl.may_fault = t.entry_num > k;
	if (!fz.valid && chance(5)) {
		t.data_uptr = chance(30) ? 0 : bad_ptr();
		cl.may_fault = true;
	}
	place(&cl, &t, sizeof(t), sizeof(t), true);
	out = cl.out;

	/* The kernel's order: the command, the HWPT, then entry by entry. */
	if (t.__reserved) {
		want = EOPNOTSUPP;
	} else if (t.entry_num && (!t.data_uptr || !t.entry_len)) {
		want = EINVAL;
	} else if (!h || (h->parent && !h->mock)) {
		want = -1;
	} else if (!h->parent) {
		want = ENOENT;
	} else if (t.data_type != IOMMU_HWPT_INVALIDATE_DATA_SELFTEST) {
		want = EINVAL;
	} else {
		for (want = 0; !want && want_n < t.entry_num; want_n++) {
			if (t.entry_len != sizeof(e))
				want = EINVAL;
			else if (t.data_uptr != ptr_u64(base) || want_n >= k)
				want = EFAULT;
			else if (want_n >= MAX_PEND)
				want = -1;
			else if (ent[want_n].flags & ~IOMMU_TEST_INVALIDATE_FLAG_ALL)
				want = EOPNOTSUPP;
			else if (!ent[want_n].flags &&
				 ent[want_n].iotlb_id >= NR_TLB)
				want = EINVAL;
		}
		want_n -= !!want;
	}
	run(&cl, 0);
	if (cl.expect >= 0)
		return;
	h = find(c, id, O_HWPT);
	if (cl.out_ro && cl.err == EFAULT) {	/* the count is not told */
		if (h)
			h->tlb_known = false;
		return;
	}
	n = out->entry_num;
	if (cl.err ? t.entry_num ? n >= t.entry_num : n : n != t.entry_num)
		violate(&cl, "%s with %u of %u entries handled",
			cl.err ? "failed" : "succeeded", n, t.entry_num);
	fz.inv_exact += want >= 0;
	if (want >= 0 && cl.err != ENOMEM &&
	    (cl.err != want || (want_n != n && n <= t.entry_num)))
		violate(&cl, "the model says %s after %u entries",
			want ? ename(want) : "success", want_n);
	if (!h || !h->parent || !h->tlb_known)
		return;
	if (n > k || n > MAX_PEND) {
		h->tlb_known = false;
		return;
	}
	for (i = 0; i < n; i++) {
		if (ent[i].flags & IOMMU_TEST_INVALIDATE_FLAG_ALL)
			memset(h->tlb, 0, sizeof(h->tlb));
		else if (ent[i].iotlb_id < NR_TLB)
			h->tlb[ent[i].iotlb_id] = 0;
	}
}

/* Mostly a nested HWPT; any HWPT or ID else. */
static uint32_t pick_nested_id(struct ctx *c)
{
	struct obj *h = chance(80) ? pick_hwpt_kind(c, H_NESTED) : NULL;

	return h ? h->id : pick_id(c, chance(70) ? O_HWPT : O_ANY);
}

static void op_invalidate(struct ctx *c)
{
	invalidate(c, pick_nested_id(c));
}

/* TEST_OP_MD_CHECK_IOTLB: what the model says of a nested HWPT's IOTLB. */
static void check_iotlb(struct ctx *c, uint32_t id)
{
	struct iommu_test_cmd t = {
		.op = IOMMU_TEST_OP_MD_CHECK_IOTLB, .id = id,
		.__reserved = pick_rsv(),
	};
	struct obj *h = find(c, id, O_HWPT);
	bool known = h && h->parent && h->mock && h->tlb_known;
	uint32_t e = chance(90) ? rnd(NR_TLB) : chance(50) ? NR_TLB : rnd64();
	struct call cl;
	int want;

	t.check_iotlb.id = e;
	t.check_iotlb.iotlb = known && e < NR_TLB && chance(60) ? h->tlb[e] :
			      chance(30) ? 0 : chance(50) ?
			      IOMMU_TEST_IOTLB_DEFAULT : (uint32_t)rnd64();
	want = e < NR_TLB && known && h->tlb[e] == t.check_iotlb.iotlb ?
	       0 : EINVAL;
	call_init(&cl, c, C_T_CHECK_IOTLB, c->fd, IOMMU_TEST_CMD);
	place(&cl, &t, sizeof(t),
	      offsetof(struct iommu_test_cmd, last) + sizeof(t.last), true);
	run(&cl, 0);
	fz.tlb_exact += known && cl.expect < 0 && t.size >= sizeof(t);
	if (known && cl.expect < 0 && t.size >= sizeof(t) &&
	    cl.err != want && cl.err != ENOMEM)
		violate(&cl, "IOTLB entry %u of HWPT %u: the model has 0x%x",
			e, id, e < NR_TLB ? h->tlb[e] : 0);
}

/* A device to raise page requests: mostly one on a HWPT with a queue. */
static uint32_t pick_iopf_dev(struct ctx *c)
{
	unsigned int i, n = c->nobj, start = rnd(n + 1);
	struct obj *o, *any = NULL;

	for (i = 0; i < n; i++) {
		o = &c->obj[(start + i) % n];
		if (o->type != O_STDEV)
			continue;
		any = any ?: o;
		if (queue_of(c, o->at) && queue_of(c, o->at) != NO_Q &&
		    chance(85))
			return o->link;
	}
	return any && chance(80) ? any->link : pick_id(c, O_IDEV);
}

/*
 * TEST_OP_TRIGGER_IOPF on iommufd device @dev_id: it succeeds exactly
 * when the device's HWPT has a fault queue (not full), which holds the
 * request from then on.
 */
static void iopf(struct ctx *c, uint32_t dev_id)
{
	struct iommu_test_cmd t = {
		.op = IOMMU_TEST_OP_TRIGGER_IOPF, .__reserved = pick_rsv(),
	};
	struct iommu_test_iopf_args *a = &t.trigger_iopf;
	struct obj *sd = stdev_of(c, dev_id), *q = NULL;
	uint32_t qid = sd && sd->at ? queue_of(c, sd->at) : NO_Q;
	struct call cl;
	bool ok;

	a->dev_id = dev_id;
	a->pasid = chance(70) ? 0 : chance(70) ? 1 + rnd(16) : rnd64();
	a->grpid = chance(85) ? rnd(8) : rnd64();
	a->perm = chance(85) ? 1 + rnd(3) : rnd64();
	a->addr = chance(85) ? MOCK_APERTURE_START + rnd(1U << 15) * page_size :
		  rnd64();
	if (qid && qid != NO_Q)
		q = find(c, qid, O_FAULT);
	call_init(&cl, c, C_T_IOPF, c->fd, IOMMU_TEST_CMD);
	place(&cl, &t, sizeof(t),
	      offsetof(struct iommu_test_cmd, last) + sizeof(t.last), true);
	ok = run(&cl, 0);
	if (cl.expect >= 0)
		return;
	if (t.size < sizeof(t)) {	/* it read zeroes for some of it */
		if (ok)
			queues_unknown(c);
		return;
	}
	if (!ok) {
		if (q && cl.err != ENOMEM && (cl.err != ENOSPC || q->qexact))
			violate(&cl, "device %u on HWPT %u, fault queue %u: refused",
				dev_id, sd->at, qid);
		else if (sd && !qid && cl.err != ENODEV)
			violate(&cl, "device %u on HWPT %u without a fault queue: not ENODEV",
				dev_id, sd->at);
		return;
	}
	if (sd && !qid)
		violate(&cl, "device %u raised a page request, its HWPT %u has no fault queue",
			dev_id, sd->at);
	if (!q) {
		queues_unknown(c);
		return;
	}
	if (q->nq == MAX_PEND) {
		q->qexact = false;
		return;
	}
	q->q[q->nq++] = (struct pend){ dev_id, a->pasid, a->grpid, a->perm,
				       0, a->addr };
	fz.iopf_queued++;
}

/* Our descriptors, which nothing may hand out again while open. */
static bool fd_is_ours(int fd)
{
	struct target *t;
	struct ctx *c;
	unsigned int i, j, k;

	if (fd <= 2 || fd == fz.status_fd || fd == file_fd)
		return true;
	for (i = 0; i < ARRAY_SIZE(targets); i++) {
		t = &targets[i];
		if (fd == t->cdev || fd == t->group)
			return true;
		for (j = 0; j < t->nctx; j++) {
			c = &t->ctx[j];
			if (fd == c->fd)
				return true;
			for (k = 0; k < c->nacc; k++)
				if (fd == c->acc[k])
					return true;
			for (k = 0; k < c->nobj; k++)
				if ((c->obj[k].type == O_FAULT ||
				     c->obj[k].type == O_VEVENTQ) &&
				    c->obj[k].ffd == fd)
					return true;
		}
	}
	return false;
}

/* Whether @fd is a fault queue's file. */
static bool is_fault_file(int fd)
{
	char path[64], link[128];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = 0;
	return strstr(link, "iommufd-pgfault");
}

/* The descriptor the next open() gets. */
static int next_fd(void)
{
	int fd = open("/dev/null", O_RDONLY);

	if (fd >= 0)
		close(fd);
	return fd;
}

static unsigned int open_queues(struct ctx *c)
{
	unsigned int i, n = 0;

	for (i = 0; i < c->nobj; i++)
		n += c->obj[i].type == O_FAULT && c->obj[i].ffd >= 0;
	return n;
}

/*
 * IOMMU_FAULT_QUEUE_ALLOC: a new object and a new descriptor of ours,
 * which a failed call does not leave behind.  Past MAX_FFD open ones (or
 * the soft limit) the new one is closed and destroyed at once, which
 * must work: nothing else holds it.
 */
static struct obj *fault_alloc(struct ctx *c)
{
	struct iommu_fault_alloc t = { .flags = pick_flags(0, 0) }, *out;
	int fd, before = next_fd(), rc;
	struct call cl;
	struct obj *o;

	call_init(&cl, c, C_FAULT_ALLOC, c->fd, IOMMU_FAULT_QUEUE_ALLOC);
	place(&cl, &t, sizeof(t), sizeof(t), true);
	out = cl.out;
	if (!run(&cl, K_ALLOC)) {
		if (next_fd() != before)
			violate(&cl, "a failed alloc left descriptor %d open",
				before);
		return NULL;
	}
	if (t.flags)
		violate(&cl, "took flags 0x%x", t.flags);
	fd = out->out_fault_fd;
	o = find(c, out->out_fault_id, O_ANY);
	if (!out->out_fault_id || (o && o->type != O_HWPT))
		violate(&cl, "new fault queue got ID %u, which is 0 or taken",
			out->out_fault_id);
	if (fd_is_ours(fd) || !is_fault_file(fd)) {
		violate(&cl, "new fault queue's descriptor %d is not a new fault file",
			fd);
		return NULL;
	}
	if (open_queues(c) >= MAX_FFD || c->nobj >= SOFT_OBJS) {
		close(fd);
		rc = obj_destroy(c->fd, out->out_fault_id);
		if (rc)
			violate(&cl, "fault queue %u with its file closed: destroy says %s",
				out->out_fault_id, ename(rc));
		return NULL;
	}
	o = pool_add(c, out->out_fault_id, O_FAULT);
	if (!o) {
		violate(NULL, "model full: fault queue %u not recorded",
			out->out_fault_id);
		close(fd);
		return NULL;
	}
	o->ffd = fd;
	return o;
}

static void op_fault_alloc(struct ctx *c)
{
	fault_alloc(c);
}

/* A read(), pread() or write() on a fault queue's file, as a call. */
static void file_call(struct call *cl, int how, void *buf, size_t count)
{
	cl->no = ++fz.calls;
	cl->req = count;
	cl->arg = (unsigned long)buf;
	__atomic_store_n(&wd_cl, cl, __ATOMIC_RELAXED);
	__atomic_store_n(&wd_no, cl->no, __ATOMIC_RELEASE);
	cl->rc = how == 0 ? read(cl->fd, buf, count) :
		 how == 1 ? pread(cl->fd, buf, count, 1 + rnd(4096)) :
		 how == 2 ? write(cl->fd, buf, count) :
		 pwrite(cl->fd, buf, count, 1 + rnd(4096));
	cl->err = cl->rc < 0 ? errno : 0;
	__atomic_store_n(&wd_no, 0, __ATOMIC_RELEASE);
	check_errno(cl);
}

/* IOMMU_DESTROY of @id through the fuzzed path (with its checks). */
static void destroy(struct ctx *c, uint32_t id)
{
	fz.want_id = id;
	op_destroy(c);
	fz.want_id = 0;
}

/* A page request record: well-formed, and the one the model has. */
static void check_record(const struct call *cl, struct obj *q,
			 const struct iommu_hwpt_pgfault *rec,
			 const struct pend *p)
{
	unsigned int i;

	if (!(rec->flags & IOMMU_PGFAULT_FLAGS_LAST_PAGE) ||
	    rec->flags & ~(IOMMU_PGFAULT_FLAGS_LAST_PAGE |
			   IOMMU_PGFAULT_FLAGS_PASID_VALID) ||
	    rec->__reserved || rec->length != page_size ||
	    rec->perm & ~0xfU)
		violate(cl, "record: flags 0x%x, length %u, perm 0x%x",
			rec->flags, rec->length, rec->perm);
	/* Cookies come from 1 (XA_FLAGS_ALLOC1): 0 names no group. */
	if (!rec->cookie)
		violate(cl, "cookie 0 handed out%s", q->wrote0 ?
			", after an answer named cookie 0 (EINVAL) freed it" :
			"");
	for (i = 0; q->qexact && i < q->nans; i++)
		if (q->ans[i].cookie == rec->cookie)
			violate(cl, "cookie %u handed out twice", rec->cookie);
	if (!p)
		return;
	fz.recs_matched++;
	if (rec->dev_id != p->dev || rec->pasid != p->pasid ||
	    rec->grpid != p->grpid || rec->addr != p->addr ||
	    rec->perm != (p->perm & 0xf) ||
	    !(rec->flags & IOMMU_PGFAULT_FLAGS_PASID_VALID) != !p->pasid)
		violate(cl, "record of device %u group %u at 0x%llx; model: %u %u 0x%llx",
			rec->dev_id, rec->grpid,
			(unsigned long long)rec->addr, p->dev, p->grpid,
			(unsigned long long)p->addr);
}

/*
 * Read whole groups (one request each from the mock) from queue @q: they
 * come oldest first, as many as fit; none fitting is EINVAL, a count not
 * of whole records or an offset ESPIPE.  Read ones wait for an answer.
 */
static void fault_read(struct ctx *c, struct obj *q)
{
	unsigned int r = fz.valid ? 0 : rnd(100), k, n, i;
	struct iommu_hwpt_pgfault rec;
	bool pos = false, good = true;
	int how = 0, want = -1;
	size_t count;
	struct call cl;
	char *buf;

	k = chance(75) ? 1 + rnd(8) : chance(40) ? 0 : 64;
	count = k * REC;
	if (r >= 86) {
		if (r < 93)
			count += 1 + rnd(REC - 1);
		else
			pos = true;
	}
	how = pos;
	buf = list_end - count;
	memset(buf, 0xa5, count);
	if (!fz.valid && chance(4)) {
		buf = (char *)bad_ptr();
		good = false;
	}
	call_init(&cl, c, C_FAULT_READ, q->ffd, 0);
	/* A bad buffer may fail before the file sees the call. */
	cl.may_fault = !good;
	if (!good)
		want = -1;
	else if (count % REC || pos)
		want = ESPIPE;
	else if (q->qexact)
		want = q->nq && !k ? EINVAL : 0;
	file_call(&cl, how, buf, count);
	if (want >= 0 && cl.err != want && cl.err != ENOMEM)
		violate(&cl, "read of %zu bytes: the model says %s", count,
			want ? ename(want) : "success");
	if (cl.rc <= 0)
		return;
	n = cl.rc / REC;
	if (cl.rc % REC || cl.rc > (ssize_t)count)
		violate(&cl, "read %ld bytes of %zu", cl.rc, count);
	if (q->qexact && n != (k < q->nq ? k : q->nq))
		violate(&cl, "read %u groups, the model has %u waiting", n,
			q->nq);
	for (i = 0; i < n && (i + 1) * REC <= count; i++) {
		memcpy(&rec, buf + i * REC, REC);
		check_record(&cl, q, &rec, q->qexact && i < q->nq ?
			     &q->q[i] : NULL);
		if (q->nans == MAX_PEND) {
			q->qexact = false;
			continue;
		}
		q->ans[q->nans++] = (struct pend){ rec.dev_id, rec.pasid,
			rec.grpid, rec.perm, rec.cookie, rec.addr };
	}
	if (n > q->nq) {
		q->qexact = false;
		n = q->nq;
	}
	memmove(q->q, q->q + n, (q->nq - n) * sizeof(q->q[0]));
	q->nq -= n;
}

/*
 * Answer groups of queue @q: mostly cookies it handed out, with a good
 * code; else made-up cookies and codes.  The kernel takes them in order
 * up to the first bad one; the model says which that is.
 */
static void fault_write(struct ctx *c, struct obj *q)
{
	struct iommu_hwpt_page_response resp[4];
	unsigned int n = fz.valid ? 1 + rnd(4) : rnd(5), i, j, done = 0;
	bool taken[MAX_PEND] = { 0 }, good = true, pos = false;
	int want = 0, how = 2;
	size_t count = n * RESP;
	struct call cl;
	char *buf;

	for (i = 0; i < n; i++) {
		resp[i].cookie = chance(80) && q->nans ?
				 q->ans[rnd(q->nans)].cookie :
				 chance(50) ? (uint32_t)rnd(64) :
				 chance(50) ? 0 : (uint32_t)rnd64();
		resp[i].code = fz.valid || chance(92) ?
			       (chance(70) ? IOMMUFD_PAGE_RESP_SUCCESS :
				IOMMUFD_PAGE_RESP_INVALID) :
			       chance(50) ? 2 : (uint32_t)rnd64();
	}
	/* Which answers the kernel takes: up to the first bad one. */
	for (i = 0; i < n && !want; i++) {
		q->wrote0 |= !resp[i].cookie &&
			     resp[i].code <= IOMMUFD_PAGE_RESP_INVALID;
		for (j = 0; j < q->nans; j++)
			if (!taken[j] && q->ans[j].cookie == resp[i].cookie)
				break;
		if (resp[i].code != IOMMUFD_PAGE_RESP_SUCCESS &&
		    resp[i].code != IOMMUFD_PAGE_RESP_INVALID)
			want = EINVAL;
		else if (j == q->nans)
			want = EINVAL;
		else
			taken[j] = true;
		done += !want;
	}
	if (!fz.valid && chance(8)) {
		if (chance(50))
			count += 1 + rnd(RESP - 1);
		else
			pos = true;
	}
	how += pos;
	buf = list_end - count;
	memcpy(buf, resp, n * RESP);
	if (!fz.valid && chance(4)) {
		buf = (char *)bad_ptr();
		good = false;
	}
	call_init(&cl, c, C_FAULT_WRITE, q->ffd, 0);
	cl.may_fault = !good;
	file_call(&cl, how, buf, count);
	if (count % RESP || pos)
		want = ESPIPE;
	else if (done)
		want = 0;
	fz.answers_exact += q->qexact && good;
	if (q->qexact && good && cl.err != ENOMEM &&
	    (cl.err != want || (!want && cl.rc != (ssize_t)(done * RESP))))
		violate(&cl, "answers took %ld bytes, %s; the model says %u answers, %s",
			cl.rc, cl.err ? ename(cl.err) : "success", done,
			want ? ename(want) : "success");
	if (cl.rc <= 0)
		return;
	/* The answered groups are gone: their cookies are free again. */
	for (i = 0; i < cl.rc / RESP && i < n; i++) {
		for (j = 0; j < q->nans; j++)
			if (q->ans[j].cookie == resp[i].cookie)
				break;
		if (j < q->nans)
			q->ans[j] = q->ans[--q->nans];
		else
			q->qexact = false;
	}
}

/* poll(): readable exactly when a group waits, always writable. */
static void fault_poll(struct ctx *c, struct obj *q)
{
	struct pollfd p = { .fd = q->ffd, .events = POLLIN | POLLOUT };
	int rc = poll(&p, 1, 0);

	if (rc != 1 || !(p.revents & POLLOUT) ||
	    p.revents & ~(POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM) ||
	    (q->qexact && !(p.revents & POLLIN) != !q->nq))
		violate(NULL, "poll of fault queue %u: %d, revents 0x%x, %u groups waiting",
			q->id, rc, p.revents, q->nq);
}

/* Close @q's file; unused, the queue can go now or some time later. */
static void fault_close(struct ctx *c, struct obj *q)
{
	close(q->ffd);
	q->ffd = -1;
	if (!users_of(c, q->id, O_FAULT) && chance(50))
		destroy(c, q->id);
}

/*
 * A fault queue's file: read, answer, poll, or close it (the queue lives
 * on while HWPTs use it; closed, it can be destroyed).
 */
static void op_fault_fd(struct ctx *c)
{
	struct obj *q = pick_queue(c, true);
	unsigned int r = rnd(100);

	if (!q)
		return;
	if (r < 45)
		fault_read(c, q);
	else if (r < 80)
		fault_write(c, q);
	else if (r < 90)
		fault_poll(c, q);
	else
		fault_close(c, q);
}

/*
 * TEST_OP_MOCK_DOMAIN_REPLACE of selftest device @stdev onto @pt: the
 * model follows the device (and what its old queue dropped).
 */
static void replaced(struct ctx *c, const struct call *cl, uint32_t stdev,
		     uint32_t pt, uint32_t got)
{
	struct obj *sd = find(c, stdev, O_STDEV);

	if (cl->err) {
		/* The answer was not written: it may have moved. */
		if (sd && cl->out_ro && cl->err == EFAULT)
			dev_moved(c, sd, NO_Q);
		return;
	}
	if (got != pt)
		learn_attach(c, got, pt);
	sd = find(c, stdev, O_STDEV);
	if (sd)
		dev_moved(c, sd, got);
}

static void dev_replace(struct ctx *c, uint32_t stdev, uint32_t pt)
{
	struct iommu_test_cmd t = {
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE, .id = stdev,
		.__reserved = pick_rsv(),
	}, *out;
	struct call cl;
	bool ok;

	t.mock_domain_replace.pt_id = pt;
	call_init(&cl, c, C_T_REPLACE, c->fd, IOMMU_TEST_CMD);
	cl.ioas = pt;
	place(&cl, &t, sizeof(t),
	      offsetof(struct iommu_test_cmd, last) + sizeof(t.last), true);
	out = cl.out;
	ok = run(&cl, K_PINS | K_RANGES | K_ALLOC);
	replaced(c, &cl, stdev, pt, ok ? out->mock_domain_replace.pt_id : 0);
}

/*
 * Well-formed steps from a nest parent to answered page requests: a
 * nest parent, a fault queue, a nested HWPT reporting to it, a mock device
 * replaced onto it, requests raised, read and answered, invalidations;
 * then, in odd orders, the device moved away (its requests dropped), the
 * file closed and the objects destroyed (EBUSY while used).
 */
static void op_nested_sequence(struct ctx *c)
{
	struct obj *sd = pool_pick(c, O_STDEV), *io = pool_pick(c, O_IOAS);
	uint32_t stdev, idev, pid, fid, hid, back, ioas;
	struct obj *p, *f, *h;
	unsigned int i, r;

	if (!fz.test || !sd || sd->type != O_STDEV)
		return;
	stdev = sd->id;
	idev = sd->link;
	back = sd->at;
	ioas = io && io->type == O_IOAS ? io->id : 0;
	fz.valid = true;
	p = pick_hwpt_kind(c, H_PARENT);
	if ((!p || chance(10)) && ioas)
		p = hwpt_alloc(c, IOMMU_HWPT_ALLOC_NEST_PARENT, idev, ioas, 0);
	if (!p)
		goto out;
	pid = p->id;
	f = chance(80) ? pick_queue(c, true) : NULL;
	f = f ?: fault_alloc(c);
	f = f ?: pick_queue(c, true);
	fid = f ? f->id : 0;
	h = chance(50) ? pick_hwpt_kind(c, H_FAULTING) : NULL;
	if (!h || h->parent != pid || h->fault != fid)
		h = hwpt_alloc(c, fid && chance(90) ?
			       IOMMU_HWPT_FAULT_ID_VALID : 0, idev, pid, fid);
	if (!h)
		goto out;
	hid = h->id;
	dev_replace(c, stdev, hid);
	for (i = rnd(4); i < 5; i++)
		iopf(c, idev);
	f = find(c, fid, O_FAULT);
	if (f && f->ffd >= 0) {
		fault_poll(c, f);
		fault_read(c, f);
		if (chance(70))
			fault_write(c, f);
	}
	invalidate(c, hid);
	check_iotlb(c, hid);
	/* Tear some of it down, in an order of chance. */
	for (i = 0; i < 3; i++) {
		r = rnd(100);
		f = find(c, fid, O_FAULT);
		if (r < 30)
			dev_replace(c, stdev, chance(50) && back ? back :
				    chance(50) || !ioas ? pid : ioas);
		else if (r < 50)
			destroy(c, hid);
		else if (r < 60)
			destroy(c, pid);
		else if (r < 75 && f && f->ffd >= 0)
			op_fault_fd(c);
		else if (r < 85)
			destroy(c, fid);
		else
			iopf(c, idev);
	}
out:
	fz.valid = false;
}

/*
 * IOMMU_GET_HW_INFO: a device (mostly), its own type or one asked for,
 * data of any length into a buffer that ends at a guard page.
 */
static void op_hw_info(struct ctx *c)
{
	struct iommu_hw_info t = {
		.flags = pick_flags(0, IOMMU_HW_INFO_FLAG_INPUT_TYPE),
		.dev_id = pick_id(c, O_IDEV),
	};
	uint32_t len = chance(70) ? rnd(64) : chance(50) ? page_size :
		       (uint32_t)rnd64();
	struct call cl;

	t.in_data_type = chance(50) ? IOMMU_HW_INFO_TYPE_SELFTEST :
			 chance(50) ? rnd(4) : (uint32_t)rnd64();
	t.__reserved[rnd(3)] = !fz.valid && chance(6);
	t.data_len = len;
	t.data_uptr = ptr_u64(list_end - (len < page_size ? len : page_size));
	call_init(&cl, c, C_HW_INFO, c->fd, IOMMU_GET_HW_INFO);
	cl.may_fault = len > page_size;
	if (chance(5)) {
		t.data_uptr = bad_ptr();
		cl.may_fault = true;
	}
	place(&cl, &t, sizeof(t),
	      offsetof(struct iommu_hw_info, out_capabilities), true);
	run(&cl, 0);
}

/*
 * Ioctl numbers an iommufd does not have: ENOTTY, exactly.  VFIO_TYPE is
 * IOMMUFD_TYPE too; an iommufd serves the VFIO container numbers.
 */
static void op_unknown_nr(struct ctx *c)
{
	unsigned int nr, v;
	struct call cl;

	call_init(&cl, c, C_UNKNOWN, c->fd, 0);
	do {
		nr = rnd(256);
		v = nr - VFIO_BASE;
	} while ((nr >= IOMMUFD_CMD_BASE && nr <= IOMMUFD_CMD_IOAS_MAP_FILE) ||
		 nr == IOMMUFD_CMD_VIOMMU_ALLOC ||
		 nr == IOMMUFD_CMD_VDEVICE_ALLOC ||
		 nr == IOMMUFD_CMD_VEVENTQ_ALLOC ||
		 nr == IOMMUFD_CMD_BASE + 32 ||
		 nr == IOMMUFD_CMD_IOAS_UNMAP_DIRTY ||
#ifdef IOMMU_DMA_FAULT_QUEUE_ALLOC
		 nr == IOMMUFD_CMD_DMA_FAULT_QUEUE_ALLOC ||
#endif
		 v <= 2 ||
		 (v >= 12 && v <= 14) || v == 17);
	cl.req = _IO(IOMMUFD_TYPE, nr);
	/* Or a known command with direction and size bits. */
	if (chance(25))
		cl.req = _IOC(1 + rnd(3), IOMMUFD_TYPE, IOMMUFD_CMD_BASE + rnd(15),
			      1 + rnd(_IOC_SIZEMASK));
	cl.expect = ENOTTY;
	call_int(&cl, (unsigned long)(arg_end - page_size));
	run(&cl, 0);
}

/* ------------------------------------------------------------------ */
/* IOMMU_TEST_CMD                                                     */

/* An access fd: mostly this file's, else another file's, or not one. */
static int pick_afd(struct ctx *c)
{
	struct ctx *o = &fz.t->ctx[rnd(fz.t->nctx)];
	unsigned int r = rnd(100);

	if (r < 75 && c->nacc)
		return c->acc[rnd(c->nacc)];
	if (r < 85 && o->nacc)
		return o->acc[rnd(o->nacc)];
	return r < 90 ? c->fd : r < 95 ? -1 : (int)rnd(48);
}

static void op_test_cmd(struct ctx *c)
{
	struct obj *o = ioas_of(c, pick_id(c, O_IOAS));
	struct area *a = pick_area(o);
	struct iommu_test_cmd t = { .__reserved = pick_rsv() }, *out;
	uint32_t id = o ? o->id : pick_id(c, O_IOAS);
	unsigned int r = rnd(100), kinds = 0, i;
	enum cmd cmd = C_T_UNKNOWN;
	bool ok = true;
	struct call cl;

	/* Most operations work on an IOAS, near one of its mappings. */
	uint64_t iova = a && chance(70) ? a->iova : pick_iova(o);
	uint64_t len = a && chance(70) ? a->len : pick_len();
	uint64_t uva = a && a->uva != NO_UVA && chance(80) ? a->uva :
		       pick_uva(len, false, &ok);

	/* The nested domain's IOTLB and page requests have their own. */
	if (r >= 82 && r < 90) {
		if (r < 86)
			check_iotlb(c, pick_nested_id(c));
		else
			iopf(c, pick_iopf_dev(c));
		return;
	}
	if (r < 14) {
		cmd = r < 10 ? C_T_MOCK : C_T_REPLACE;
		t.op = r < 7 ? IOMMU_TEST_OP_MOCK_DOMAIN : r < 10 ?
		       IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS :
		       IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE;
		t.id = r < 10 ? pick_id(c, chance(70) ? O_IOAS : O_HWPT) :
		       pick_id(c, O_STDEV);
		t.mock_domain_flags.dev_flags = pick_flags(0, 7);
		if (r >= 10) {
			id = pick_id(c, chance(50) ? O_IOAS : O_HWPT);
			t.mock_domain_replace.pt_id = id;
		}
		kinds = K_PINS | K_RANGES | K_ALLOC;
		ok = true;
	} else if (r < 22) {
		cmd = C_T_RESERVED;
		t.op = IOMMU_TEST_OP_ADD_RESERVED;
		t.id = id;
		t.add_reserved.start = pick_iova(o);
		t.add_reserved.length = pick_len();
		kinds = K_RANGES;
		ok = true;
	} else if (r < 34) {
		cmd = r < 30 ? C_T_CHECK_MAP : C_T_CHECK_REFS;
		t.op = r < 30 ? IOMMU_TEST_OP_MD_CHECK_MAP :
		       IOMMU_TEST_OP_MD_CHECK_REFS;
		t.id = pick_id(c, O_HWPT);
		t.check_map = (struct iommu_test_check_map_args){ iova, len, uva };
		if (r >= 30)
			t.check_refs = (struct iommu_test_check_refs_args){
				len, uva, rnd(3) };
		ok = uva_ok(uva, len, false);
	} else if (r < 48) {
		cmd = r < 42 ? C_T_ACCESS : C_T_ACCESS_IOAS;
		t.op = r < 42 ? IOMMU_TEST_OP_CREATE_ACCESS :
		       IOMMU_TEST_OP_ACCESS_REPLACE_IOAS;
		t.id = r < 42 ? id : (uint32_t)pick_afd(c);
		t.create_access.flags = pick_flags(rnd(2), 1);
		if (r >= 42)
			t.access_replace_ioas.ioas_id = id;
		kinds = K_RANGES;
		ok = true;
	} else if (r < 64) {
		cmd = r < 58 ? C_T_PIN : C_T_UNPIN;
		t.op = r < 58 ? IOMMU_TEST_OP_ACCESS_PAGES :
		       IOMMU_TEST_OP_DESTROY_ACCESS_PAGES;
		t.id = pick_afd(c);
		t.access_pages = (struct iommu_test_pin_args){
			pick_flags(rnd(2), 1), 0, iova, len, chance(50) ? uva : 0 };
		ok = !t.access_pages.uptr;	/* pages around it are read */
		i = rnd(c->npins + 1);
		if (r >= 58 && i < c->npins) {
			t.id = c->pins[i].afd;
			t.destroy_access_pages.access_pages_id = c->pins[i].id;
		}
		kinds = K_PINS;
	} else if (r < 80) {
		cmd = C_T_RW;
		t.op = IOMMU_TEST_OP_ACCESS_RW;
		t.id = pick_afd(c);
		t.access_rw.flags = pick_flags(rnd(2) | (chance(20) ? 4 : 0), 5);
		t.access_rw.iova = a ? a->iova + rnd(a->len) : iova;
		t.access_rw.length = chance(80) ? 1 + rnd(2 * page_size) :
			chance(50) ? (16U << 20) + rnd(2) : edge_u64();
		t.access_rw.uptr = pick_uva(t.access_rw.length,
					    !(t.access_rw.flags & 1), &ok);
	} else if (r < 82) {
		cmd = C_T_LIMIT;
		t.op = IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT;
		t.memory_limit.limit = chance(50) ? 1 + rnd(64) : edge_u64();
	} else {
		cmd = C_T_UNKNOWN;
		t.op = chance(30) ? 0 : IOMMU_TEST_OP_PASID_CHECK_HWPT + 1 +
		       rnd(1000);
		t.id = pick_id(c, O_ANY);
		t.dirty.uptr = ptr_u64(list_end - page_size);
		t.dirty.length = len;
		t.dirty.page_size = page_size;
		ok = false;
	}
	call_init(&cl, c, cmd, c->fd, IOMMU_TEST_CMD);
	cl.may_fault = !ok;
	cl.ioas = kinds ? (cmd == C_T_MOCK ? t.id : id) : 0;
	/* The command's first version ends at "last", before any padding. */
	place(&cl, &t, sizeof(t),
	      offsetof(struct iommu_test_cmd, last) + sizeof(t.last), true);
	out = cl.out;
	ok = run(&cl, kinds);
	if (cmd == C_T_REPLACE) {
		replaced(c, &cl, t.id, id,
			 ok ? out->mock_domain_replace.pt_id : 0);
		return;
	}
	if (!ok)
		return;
	o = cmd == C_T_MOCK ? learn(c, out->mock_domain.out_stdev_id, O_STDEV) :
	    cmd == C_T_RESERVED ? ioas_of(c, t.id) : NULL;
	if (cmd == C_T_MOCK && o) {
		o->link = out->mock_domain.out_idev_id;
		o->cache_known = true;
		for (i = 0; i < MOCK_DEV_CACHE_NUM; i++)
			o->cache[i] = IOMMU_TEST_DEV_CACHE_DEFAULT;
		learn(c, out->mock_domain.out_idev_id, O_IDEV);
		if (out->mock_domain.out_hwpt_id != t.id)
			learn_attach(c, out->mock_domain.out_hwpt_id, t.id);
		o->at = out->mock_domain.out_hwpt_id;
	} else if (cmd == C_T_RESERVED && o && o->exact &&
		   overlap(o, t.add_reserved.start, t.add_reserved.start +
			   t.add_reserved.length - 1)) {
		violate(&cl, "reserved IOVA over a mapping of IOAS %u", t.id);
	} else if (cmd == C_T_ACCESS && out->create_access.out_access_fd > 2) {
		if (c->nacc == MAX_ACC) {
			close(c->acc[0]);
			c->acc[0] = c->acc[--c->nacc];
		}
		c->acc[c->nacc++] = out->create_access.out_access_fd;
	} else if (cmd == C_T_PIN) {
		i = c->npins < MAX_PINS ? c->npins++ : rnd(MAX_PINS);
		c->pins[i].afd = t.id;
		c->pins[i].id = out->access_pages.out_access_pages_id;
	}
}

/* ------------------------------------------------------------------ */
/* vIOMMUs, vDEVICEs and vEVENTQs                                      */

#define VHDR		sizeof(struct iommufd_vevent_header)
#define VEV		(VHDR + sizeof(struct iommu_viommu_event_selftest))
#define VBUF		((MAX_PEND + 2) * VEV)

/*
 * A vDEVICE's device, 0 once unbound; @viommu 0 for any vIOMMU.  The one
 * modelled vDEVICE of device @idev, NULL when it has none or several.
 */
static struct obj *vdev_of(struct ctx *c, uint32_t idev, uint32_t viommu,
			   unsigned int *n)
{
	struct obj *o, *one = NULL;
	unsigned int i;

	*n = 0;
	for (i = 0; idev && i < c->nobj; i++) {
		o = &c->obj[i];
		if (o->type != O_VDEV || o->link != idev ||
		    (viommu && o->parent != viommu))
			continue;
		one = o;
		++*n;
	}
	return *n == 1 ? one : NULL;
}

/*
 * The vDEVICE of vIOMMU @viommu with guest ID @virt: one with a device,
 * else one left empty by its device, else NULL.
 */
static struct obj *vdev_by_virt(struct ctx *c, uint32_t viommu, uint64_t virt)
{
	struct obj *empty = NULL;
	unsigned int i;

	for (i = 0; i < c->nobj; i++) {
		if (c->obj[i].type != O_VDEV || c->obj[i].parent != viommu ||
		    c->obj[i].virt != virt)
			continue;
		if (c->obj[i].link)
			return &c->obj[i];
		empty = &c->obj[i];
	}
	return empty;
}

/* The modelled vEVENTQ of vIOMMU @viommu (the mock has one type). */
static struct obj *veventq_of(struct ctx *c, uint32_t viommu)
{
	unsigned int i;

	for (i = 0; viommu && i < c->nobj; i++)
		if (c->obj[i].type == O_VEVENTQ && c->obj[i].parent == viommu)
			return &c->obj[i];
	return NULL;
}

/* Every vEVENTQ of @c stops being exact: an event went who knows where. */
static void vevents_unknown(struct ctx *c)
{
	unsigned int i;

	for (i = 0; i < c->nobj; i++)
		if (c->obj[i].type == O_VEVENTQ)
			c->obj[i].vexact = false;
}

static unsigned int open_vqueues(struct ctx *c)
{
	unsigned int i, n = 0;

	for (i = 0; i < c->nobj; i++)
		n += c->obj[i].type == O_VEVENTQ && c->obj[i].ffd >= 0;
	return n;
}

/* A modelled object of @type, or any ID. */
static uint32_t pick_typed(struct ctx *c, int type, unsigned int pct)
{
	struct obj *o = chance(pct) ? pool_pick(c, type) : NULL;

	return o && o->type == type ? o->id : pick_id(c, O_ANY);
}

/* A mock device's iommufd device ID: mostly one the model knows. */
static uint32_t pick_mock_idev(struct ctx *c)
{
	struct obj *sd = pool_pick(c, O_STDEV);

	return sd && sd->type == O_STDEV && chance(85) ? sd->link :
	       pick_id(c, O_IDEV);
}

/* ENOENT when @id is a modelled object not of @type, else -1. */
static int wrong_kind(struct ctx *c, uint32_t id, int type)
{
	struct obj *o = find(c, id, O_ANY);

	return o && o->type != type ? ENOENT : -1;
}

/*
 * IOMMU_VIOMMU_ALLOC of device @dev over HWPT @hwpt: a mock vIOMMU over a
 * mock nest parent for a mock device works, as does a shorter structure
 * (the rest reads as zero); a bad type, flag or reserved field is
 * EOPNOTSUPP, a paging HWPT that is no nest parent EINVAL, an ID of
 * another kind ENOENT.
 */
static struct obj *viommu_alloc(struct ctx *c, uint32_t dev, uint32_t hwpt)
{
	const uint32_t types[] = { IOMMU_VIOMMU_TYPE_DEFAULT,
				   IOMMU_VIOMMU_TYPE_ARM_SMMUV3,
				   IOMMU_VIOMMU_TYPE_AMD,
				   IOMMU_VIOMMU_TYPE_SELFTEST + 1 };
	struct iommu_viommu_alloc t = {
		.flags = pick_flags(0, 0), .dev_id = dev, .hwpt_id = hwpt,
		.__reserved = pick_rsv(),
	}, *out;
	struct obj *p = find(c, hwpt, O_HWPT), *o;
	bool good_ids, want;
	struct call cl;
	int err = -1;

	t.type = fz.valid || chance(88) ? IOMMU_VIOMMU_TYPE_SELFTEST :
		 chance(70) ? types[rnd(ARRAY_SIZE(types))] : (uint32_t)rnd64();
	if (!fz.valid && chance(4)) {
		t.data_len = 1 + rnd(64);
		t.data_uptr = ptr_u64(list_end - t.data_len);
	}
	call_init(&cl, c, C_VIOMMU_ALLOC, c->fd, IOMMU_VIOMMU_ALLOC);
	place(&cl, &t, sizeof(t),
	      offsetof(struct iommu_viommu_alloc, out_viommu_id) + 4, true);
	out = cl.out;
	if (t.size < sizeof(t))
		memset((char *)&t + t.size, 0, sizeof(t) - t.size);
	good_ids = stdev_of(c, dev) && p && p->mock && !p->parent;
	want = good_ids && p->nest_parent && !t.flags && !t.__reserved &&
	       t.type == IOMMU_VIOMMU_TYPE_SELFTEST && !t.data_len;
	if (good_ids && p->nest_parent &&
	    (t.flags || t.__reserved ||
	     (t.type != IOMMU_VIOMMU_TYPE_SELFTEST && !t.data_len)))
		err = EOPNOTSUPP;
	else if (good_ids && !p->nest_parent && !p->autohwpt && !t.flags &&
		 !t.__reserved && t.type == IOMMU_VIOMMU_TYPE_SELFTEST &&
		 !t.data_len)
		err = EINVAL;
	else if (stdev_of(c, dev) && !t.flags && !t.__reserved &&
		 t.type == IOMMU_VIOMMU_TYPE_SELFTEST && !t.data_len)
		err = wrong_kind(c, hwpt, O_HWPT) >= 0 ? ENOENT :
		      p && p->parent ? ENOENT : -1;
	if (!run(&cl, K_PINS | K_ALLOC)) {
		if (cl.expect >= 0 || cl.out_ro || cl.err == ENOMEM)
			return NULL;
		if (want)
			violate(&cl, "a mock vIOMMU on nest parent %u refused",
				hwpt);
		else if (err >= 0 && cl.err != err)
			violate(&cl, "the model says %s", ename(err));
		return NULL;
	}
	if (!want && (err >= 0 || !p || !p->nest_parent || t.flags ||
		      t.__reserved || t.type != IOMMU_VIOMMU_TYPE_SELFTEST))
		violate(&cl, "vIOMMU of type 0x%x, flags 0x%x, on %s %u",
			t.type, t.flags, p ? "HWPT" : "object", hwpt);
	o = find(c, out->out_viommu_id, O_ANY);
	if (!out->out_viommu_id || (o && o->type != O_HWPT))
		violate(&cl, "new vIOMMU got ID %u, which is 0 or taken",
			out->out_viommu_id);
	o = learn(c, out->out_viommu_id, O_VIOMMU);
	if (!o)
		return NULL;
	o->parent = hwpt;
	o->link = dev;
	o->mock = true;
	return o;
}

static void op_viommu_alloc(struct ctx *c)
{
	struct obj *p = pick_hwpt_kind(c, chance(85) ? H_PARENT : H_NESTED);

	if (fz.test)
		viommu_alloc(c, pick_mock_idev(c),
			     p && chance(85) ? p->id : pick_id(c, O_HWPT));
}

/*
 * IOMMU_VDEVICE_ALLOC: guest ID @virt for device @dev on vIOMMU @viommu.
 * A second vDEVICE of the device, or a guest ID taken, is EEXIST.
 */
static struct obj *vdevice_alloc(struct ctx *c, uint32_t viommu, uint32_t dev,
				 uint64_t virt)
{
	struct iommu_vdevice_alloc t = {
		.viommu_id = viommu, .dev_id = dev, .virt_id = virt,
	}, *out;
	struct obj *v = find(c, viommu, O_VIOMMU), *o, *taken;
	unsigned int mine = 0, any = 0;
	struct call cl;
	int err = -1;

	call_init(&cl, c, C_VDEVICE_ALLOC, c->fd, IOMMU_VDEVICE_ALLOC);
	place(&cl, &t, sizeof(t), sizeof(t), true);
	out = cl.out;
	vdev_of(c, dev, viommu, &mine);
	vdev_of(c, dev, 0, &any);
	/*
	 * Predicted where one thing decides: small IDs, vDEVICEs known.  An
	 * empty vDEVICE's guest ID may or may not be free.
	 */
	taken = vdev_by_virt(c, viommu, virt);
	if (v && stdev_of(c, dev) && virt < 64 && c->nobj < SOFT_OBJS)
		err = mine || (taken && taken->link) ? EEXIST :
		      any || taken ? -1 : 0;
	else if (stdev_of(c, dev) && wrong_kind(c, viommu, O_VIOMMU) >= 0)
		err = ENOENT;
	else if (v && wrong_kind(c, dev, O_IDEV) >= 0)
		err = ENOENT;
	if (!run(&cl, K_ALLOC)) {
		if (cl.expect < 0 && !cl.out_ro && cl.err != ENOMEM &&
		    err >= 0 && cl.err != err)
			violate(&cl, "the model says %s",
				err ? ename(err) : "success");
		return NULL;
	}
	if (err > 0 || !v)
		violate(&cl, "vDEVICE on %s %u for %u, guest ID 0x%llx",
			v ? "vIOMMU" : "object", viommu, dev,
			(unsigned long long)virt);
	o = learn(c, out->out_vdevice_id, O_VDEV);
	if (!o)
		return NULL;
	o->parent = viommu;
	o->link = dev;
	o->virt = virt;
	return o;
}

static void op_vdevice_alloc(struct ctx *c)
{
	uint64_t virt = chance(90) ? rnd(16) : edge_u64();

	if (fz.test)
		vdevice_alloc(c, pick_typed(c, O_VIOMMU, 85),
			      pick_mock_idev(c), virt);
}

/* Whether @fd is a descriptor the kernel just handed out as a file. */
static bool new_anon_file(int fd)
{
	char path[64], link[128];
	ssize_t n;

	if (fd_is_ours(fd))
		return false;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = 0;
	return strstr(link, "anon_inode:");
}

/*
 * IOMMU_VEVENTQ_ALLOC on vIOMMU @viommu: one queue of the mock's type per
 * vIOMMU (EEXIST), depth 0 EINVAL, an unknown type, a flag or reserved
 * field EOPNOTSUPP; its descriptor is new, and a failed call leaves none.
 * The header does not say whether a vIOMMU of the mock takes a queue of
 * another driver's type, nor how deep a queue may be: such a queue is not
 * modelled.
 */
static struct obj *veventq_alloc(struct ctx *c, uint32_t viommu)
{
	struct iommu_veventq_alloc t = {
		.flags = pick_flags(0, 0), .viommu_id = viommu,
		.__reserved = pick_rsv(),
	}, *out;
	struct obj *v = find(c, viommu, O_VIOMMU), *o;
	int fd, before = next_fd(), err = -1, rc;
	bool good, other;
	struct call cl;

	t.type = fz.valid || chance(90) ? IOMMU_VEVENTQ_TYPE_SELFTEST :
		 chance(50) ? rnd(4) : (uint32_t)rnd64();
	t.veventq_depth = fz.valid || chance(90) ? 1 + rnd(8) :
			  chance(50) ? 0 : (uint32_t)edge_u64();
	call_init(&cl, c, C_VEVENTQ_ALLOC, c->fd, IOMMU_VEVENTQ_ALLOC);
	place(&cl, &t, sizeof(t),
	      offsetof(struct iommu_veventq_alloc, out_veventq_fd) + 4, true);
	out = cl.out;
	if (t.size < sizeof(t))
		memset((char *)&t + t.size, 0, sizeof(t) - t.size);
	other = t.type == IOMMU_VEVENTQ_TYPE_ARM_SMMUV3 ||
		t.type == IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV ||
		t.type == IOMMU_VEVENTQ_TYPE_AMD ||
		t.veventq_depth > 65536;
	good = !t.flags && !t.__reserved &&
	       t.type == IOMMU_VEVENTQ_TYPE_SELFTEST;
	if (v && !good && (t.flags || t.__reserved || !other))
		err = EOPNOTSUPP;
	else if (v && good && !t.veventq_depth)
		err = EINVAL;
	else if (v && !other)
		err = veventq_of(c, viommu) ? EEXIST :
		      c->nobj < SOFT_OBJS ? 0 : -1;
	else if (good && t.veventq_depth && !other)
		err = wrong_kind(c, viommu, O_VIOMMU);
	if (!run(&cl, K_ALLOC)) {
		if (next_fd() != before)
			violate(&cl, "a failed alloc left descriptor %d open",
				before);
		if (cl.expect < 0 && !cl.out_ro && cl.err != ENOMEM &&
		    err >= 0 && cl.err != err)
			violate(&cl, "the model says %s",
				err ? ename(err) : "success");
		return NULL;
	}
	fd = out->out_veventq_fd;
	if (err > 0 || !v)
		violate(&cl, "vEVENTQ of type 0x%x, depth %u, on %s %u",
			t.type, t.veventq_depth, v ? "vIOMMU" : "object",
			viommu);
	o = find(c, out->out_veventq_id, O_ANY);
	if (!out->out_veventq_id || (o && o->type != O_HWPT))
		violate(&cl, "new vEVENTQ got ID %u, which is 0 or taken",
			out->out_veventq_id);
	if (!new_anon_file(fd)) {
		violate(&cl, "new vEVENTQ's descriptor %d is not a new file",
			fd);
		return NULL;
	}
	if (open_vqueues(c) >= MAX_FFD || c->nobj >= SOFT_OBJS || other) {
		close(fd);
		rc = obj_destroy(c->fd, out->out_veventq_id);
		if (rc)
			violate(&cl, "vEVENTQ %u with its file closed: destroy says %s",
				out->out_veventq_id, ename(rc));
		return NULL;
	}
	o = pool_add(c, out->out_veventq_id, O_VEVENTQ);
	if (!o) {
		violate(NULL, "model full: vEVENTQ %u not recorded",
			out->out_veventq_id);
		close(fd);
		return NULL;
	}
	o->ffd = fd;
	o->parent = viommu;
	o->depth = t.veventq_depth;
	return o;
}

static void op_veventq_alloc(struct ctx *c)
{
	if (fz.test)
		veventq_alloc(c, pick_typed(c, O_VIOMMU, 85));
}

/*
 * TEST_OP_TRIGGER_VEVENT of device @dev: with one vDEVICE, on a vIOMMU
 * with a queue, it succeeds and the queue holds the event (or counts it
 * lost when full); with none, no queue gets anything.
 */
static void vevent(struct ctx *c, uint32_t dev)
{
	struct iommu_test_cmd t = {
		.op = IOMMU_TEST_OP_TRIGGER_VEVENT, .__reserved = pick_rsv(),
	};
	struct obj *sd = stdev_of(c, dev), *vd, *q = NULL;
	unsigned int n = 0;
	struct call cl;
	bool ok;

	t.trigger_vevent.dev_id = dev;
	vd = vdev_of(c, dev, 0, &n);
	if (vd)
		q = veventq_of(c, vd->parent);
	call_init(&cl, c, C_T_VEVENT, c->fd, IOMMU_TEST_CMD);
	place(&cl, &t, sizeof(t),
	      offsetof(struct iommu_test_cmd, last) + sizeof(t.last), true);
	ok = run(&cl, 0);
	if (cl.expect >= 0)
		return;
	if (t.size < sizeof(t) || t.__reserved || n > 1) {
		if (ok)
			vevents_unknown(c);
		return;
	}
	if (!ok) {
		if (q && cl.err != ENOMEM)
			violate(&cl, "device %u with guest ID 0x%llx, vEVENTQ %u: refused",
				dev, (unsigned long long)vd->virt, q->id);
		else if (!sd && wrong_kind(c, dev, O_IDEV) >= 0 &&
			 cl.err != ENOENT)
			violate(&cl, "no device %u: not ENOENT", dev);
		return;
	}
	if (!sd && find(c, dev, O_ANY))
		violate(&cl, "%s %u raised an event",
			otype_name[find(c, dev, O_ANY)->type], dev);
	if (!sd) {
		vevents_unknown(c);
		return;
	}
	if (!q)
		return;
	/* Queued, or dropped and counted when the queue is full. */
	if (q->nvev >= q->depth) {
		q->lost = true;
	} else if (q->nvev == MAX_PEND) {
		q->vexact = false;
	} else {
		q->vev_virt[q->nvev] = vd->virt;
		q->vev_seq[q->nvev++] = q->seq;
		q->lost = false;
	}
	q->seq = (q->seq + 1) & INT_MAX;
}

static void op_vevent(struct ctx *c)
{
	struct obj *vd = pool_pick(c, O_VDEV);

	if (fz.test)
		vevent(c, vd && vd->type == O_VDEV && vd->link && chance(80) ?
			  vd->link : pick_mock_idev(c));
}

/* TEST_OP_DEV_CHECK_CACHE: what the model says of a device's cache. */
static void check_dev_cache(struct ctx *c, uint32_t dev)
{
	struct iommu_test_cmd t = {
		.op = IOMMU_TEST_OP_DEV_CHECK_CACHE, .id = dev,
		.__reserved = pick_rsv(),
	};
	uint32_t e = chance(90) ? rnd(MOCK_DEV_CACHE_NUM) : chance(50) ?
		     MOCK_DEV_CACHE_NUM : rnd64();
	struct obj *sd = stdev_of(c, dev);
	bool known = sd && sd->cache_known;
	struct call cl;
	int want;

	t.check_dev_cache.id = e;
	t.check_dev_cache.cache = known && e < MOCK_DEV_CACHE_NUM &&
				  chance(60) ? sd->cache[e] : chance(40) ? 0 :
				  chance(60) ? IOMMU_TEST_DEV_CACHE_DEFAULT :
				  (uint32_t)rnd64();
	want = e < MOCK_DEV_CACHE_NUM && known &&
	       sd->cache[e] == t.check_dev_cache.cache ? 0 : EINVAL;
	call_init(&cl, c, C_T_DEV_CACHE, c->fd, IOMMU_TEST_CMD);
	place(&cl, &t, sizeof(t),
	      offsetof(struct iommu_test_cmd, last) + sizeof(t.last), true);
	run(&cl, 0);
	if (cl.expect >= 0 || t.size < sizeof(t) || t.__reserved ||
	    cl.err == ENOMEM)
		return;
	fz.cache_exact += known;
	if ((known || (sd && e >= MOCK_DEV_CACHE_NUM)) && cl.err != want)
		violate(&cl, "cache entry %u of device %u: the model has 0x%x",
			e, dev, e < MOCK_DEV_CACHE_NUM ? sd->cache[e] : 0);
	else if (!sd && wrong_kind(c, dev, O_IDEV) >= 0 && cl.err != ENOENT)
		violate(&cl, "cache of %s %u: not ENOENT",
			otype_name[find(c, dev, O_ANY)->type], dev);
}

static void op_dev_cache(struct ctx *c)
{
	if (fz.test)
		check_dev_cache(c, pick_mock_idev(c));
}

/*
 * What entry @e of an invalidation through vIOMMU @v does: 0 and the
 * device it clears, an errno, or -1 when the model cannot tell.
 */
static int vinv_entry(struct ctx *c, struct obj *v,
		      const struct iommu_viommu_invalidate_selftest *e,
		      struct obj **sd)
{
	struct obj *vd = vdev_by_virt(c, v->id, e->vdev_id);
	int err = 0;

	*sd = vd && vd->link ? stdev_of(c, vd->link) : NULL;
	if (e->flags & ~IOMMU_TEST_INVALIDATE_FLAG_ALL)
		err = EOPNOTSUPP;
	else if (e->cache_id > MOCK_DEV_CACHE_ID_MAX)
		err = e->flags ? -1 : EINVAL;
	else if (!vd || !vd->link)
		err = EINVAL;
	else if (!*sd)
		err = -1;
	return err;
}

/*
 * IOMMU_HWPT_INVALIDATE through vIOMMU @id: mock entries naming guest IDs
 * (mostly ones its vDEVICEs have), else another type, entry size, odd
 * flags and IDs.  Where the model knows the vIOMMU, which entry fails
 * with what is worked out, and the devices' caches after.
 */
static void viommu_invalidate(struct ctx *c, uint32_t id)
{
	struct iommu_hwpt_invalidate t = {
		.hwpt_id = id, .__reserved = pick_rsv(),
	}, *out;
	struct iommu_viommu_invalidate_selftest e, ent[MAX_PEND];
	struct obj *v = find(c, id, O_VIOMMU), *vd, *sd;
	unsigned int r = fz.valid ? 0 : rnd(100), i, k, fit;
	uint32_t want_n = 0, n;
	int want = -1;
	struct call cl;
	char *base;

	call_init(&cl, c, C_INVALIDATE, c->fd, IOMMU_HWPT_INVALIDATE);
	t.data_type = r < 85 ? IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST :
		      r < 92 ? IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST_INVALID :
		      (uint32_t)rnd64();
	r = fz.valid ? 0 : rnd(100);
	t.entry_len = r < 85 ? sizeof(e) : r < 89 ? 0 : r < 95 ?
		      rnd(sizeof(e)) : sizeof(e) + 1 + rnd(32);
	t.entry_num = fz.valid ? 1 + rnd(4) : pick_count();
	fit = t.entry_len ? page_size / t.entry_len : 0;
	k = t.entry_num < fit ? t.entry_num : fit;
	base = list_end - (size_t)k * t.entry_len;
	memset(base, 0, (size_t)k * t.entry_len);
	for (i = 0; i < k; i++) {
		vd = pool_pick(c, O_VDEV);
		e.flags = fz.valid || chance(92) ?
			  (chance(15) ? IOMMU_TEST_INVALIDATE_FLAG_ALL : 0) :
			  (uint32_t)rnd64();
		e.vdev_id = vd && vd->type == O_VDEV && chance(85) ?
			    (uint32_t)vd->virt : chance(50) ? rnd(16) :
			    (uint32_t)rnd64();
		e.cache_id = chance(92) ? rnd(MOCK_DEV_CACHE_NUM) :
			     chance(50) ? MOCK_DEV_CACHE_NUM : (uint32_t)rnd64();
		memcpy(base + (size_t)i * t.entry_len, &e,
		       t.entry_len < sizeof(e) ? t.entry_len : sizeof(e));
		if (i < MAX_PEND)
			ent[i] = e;
	}
	t.data_uptr = ptr_u64(base);
	cl.may_fault = t.entry_num > k;
	if (!fz.valid && chance(5)) {
		t.data_uptr = chance(30) ? 0 : bad_ptr();
		cl.may_fault = true;
	}
	place(&cl, &t, sizeof(t), sizeof(t), true);
	out = cl.out;

	if (t.__reserved) {
		want = EOPNOTSUPP;
	} else if (t.entry_num && (!t.data_uptr || !t.entry_len)) {
		want = EINVAL;
	} else if (!v) {
		want = wrong_kind(c, id, O_VIOMMU);
		if (find(c, id, O_HWPT) && find(c, id, O_HWPT)->parent)
			want = -1;
	} else if (t.data_type != IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST) {
		want = EINVAL;
	} else {
		for (want = 0; !want && want_n < t.entry_num; want_n++) {
			if (t.entry_len != sizeof(e))
				want = EINVAL;
			else if (t.data_uptr != ptr_u64(base) || want_n >= k)
				want = EFAULT;
			else if (want_n >= MAX_PEND)
				want = -1;
			else
				want = vinv_entry(c, v, &ent[want_n], &sd);
		}
		if (want)
			want_n--;
	}
	run(&cl, 0);
	if (cl.expect >= 0)
		return;
	if (cl.out_ro && cl.err == EFAULT) {	/* the count is not told */
		for (i = 0; i < c->nobj; i++)
			c->obj[i].cache_known &= c->obj[i].type != O_STDEV;
		return;
	}
	n = out->entry_num;
	if (cl.err ? t.entry_num ? n >= t.entry_num : n : n != t.entry_num)
		violate(&cl, "%s with %u of %u entries handled",
			cl.err ? "failed" : "succeeded", n, t.entry_num);
	fz.inv_exact += want >= 0;
	if (want >= 0 && cl.err != ENOMEM &&
	    (cl.err != want || (want_n != n && n <= t.entry_num)))
		violate(&cl, "the model says %s after %u entries",
			want ? ename(want) : "success", want_n);
	if (!v || !n)
		return;
	for (i = 0; i < n; i++) {
		if (i >= k || i >= MAX_PEND || vinv_entry(c, v, &ent[i], &sd)) {
			/* Which device it cleared is not known. */
			for (i = 0; i < c->nobj; i++)
				c->obj[i].cache_known &=
					c->obj[i].type != O_STDEV;
			return;
		}
		if (ent[i].flags & IOMMU_TEST_INVALIDATE_FLAG_ALL)
			memset(sd->cache, 0, sizeof(sd->cache));
		else
			sd->cache[ent[i].cache_id] = 0;
	}
}

static void op_viommu_invalidate(struct ctx *c)
{
	if (fz.test)
		viommu_invalidate(c, pick_typed(c, O_VIOMMU, 85));
}

/*
 * Read from vEVENTQ @q: whole events, oldest first, as many as fit, then
 * the LOST_EVENTS header with the next sequence number when events were
 * dropped since the last one queued; none fitting is EINVAL, an offset
 * ESPIPE.  Where the model is exact, each header and record is checked.
 */
static void veventq_read(struct ctx *c, struct obj *q)
{
	static unsigned char buf[VBUF];
	struct iommufd_vevent_header h;
	struct iommu_viommu_event_selftest ev;
	size_t count = chance(60) ? VBUF : chance(50) ? rnd(3 * VEV) :
		       VEV * (1 + rnd(3)) + rnd(VEV);
	size_t at = 0, want = 0;
	unsigned int i = 0, got_ev = 0;
	bool how = chance(5), lost_read = false;
	uint32_t last_seq = 0;
	struct call cl;

	call_init(&cl, c, C_VEVENTQ_READ, q->ffd, 0);
	file_call(&cl, how, buf, count);
	if (how) {
		if (cl.err != ESPIPE)
			violate(&cl, "pread of vEVENTQ %u: %s", q->id,
				cl.err ? ename(cl.err) : "read");
		return;
	}
	if (q->vexact) {
		for (i = 0; i < q->nvev && want + VEV <= count; i++)
			want += VEV;
		if (i == q->nvev && q->lost && want + VHDR <= count)
			want += VHDR;
		if (!want && (q->nvev || q->lost)) {
			if (cl.err != EINVAL)
				violate(&cl, "vEVENTQ %u: no EINVAL for %zu bytes",
					q->id, count);
			return;
		}
		if (cl.err != ENOMEM && (size_t)cl.rc != want)
			violate(&cl, "vEVENTQ %u: read %ld, model %zu (%u events%s)",
				q->id, cl.rc, want, q->nvev,
				q->lost ? ", lost" : "");
	}
	if (cl.rc <= 0)
		return;
	/* Whole events, the model's while it is exact. */
	for (i = 0; at + VHDR <= (size_t)cl.rc; i++) {
		memcpy(&h, buf + at, VHDR);
		at += VHDR;
		last_seq = h.sequence;
		if (h.flags & IOMMU_VEVENTQ_FLAG_LOST_EVENTS) {
			if (h.flags != IOMMU_VEVENTQ_FLAG_LOST_EVENTS ||
			    at != (size_t)cl.rc || (q->vexact &&
			    (i != q->nvev || !q->lost || h.sequence != q->seq)))
				violate(&cl, "vEVENTQ %u: lost header %u: 0x%x, %u; model %u",
					q->id, i, h.flags, h.sequence, q->seq);
			lost_read = true;
			continue;
		}
		if (at + sizeof(ev) > (size_t)cl.rc) {
			violate(&cl, "vEVENTQ %u: a header without its event",
				q->id);
			break;
		}
		memcpy(&ev, buf + at, sizeof(ev));
		at += sizeof(ev);
		got_ev++;
		fz.vevents_matched += q->vexact;
		if (h.flags ||
		    (q->vexact && (i >= q->nvev || h.sequence != q->vev_seq[i] ||
				   ev.virt_id != q->vev_virt[i])))
			violate(&cl, "vEVENTQ %u: event %u: 0x%x, %u, ID 0x%x; model %u, 0x%x",
				q->id, i, h.flags, h.sequence, ev.virt_id,
				i < q->nvev ? q->vev_seq[i] : 0,
				i < q->nvev ? q->vev_virt[i] : 0);
	}
	if (at != (size_t)cl.rc)
		violate(&cl, "vEVENTQ %u: %zu bytes of %ld are no whole event",
			q->id, (size_t)cl.rc - at, cl.rc);
	if (q->vexact) {
		q->nvev -= got_ev;
		memmove(q->vev_virt, q->vev_virt + got_ev,
			q->nvev * sizeof(q->vev_virt[0]));
		memmove(q->vev_seq, q->vev_seq + got_ev,
			q->nvev * sizeof(q->vev_seq[0]));
		q->lost &= !lost_read;
	} else if (count == VBUF && (size_t)cl.rc < VBUF - VEV) {
		/* All of it was read: known again. */
		q->vexact = true;
		q->nvev = 0;
		q->lost = false;
		q->seq = lost_read ? last_seq : (last_seq + 1) & INT_MAX;
	}
}

/* poll(): POLLIN exactly when an event or a lost-events header waits. */
static void veventq_poll(struct ctx *c, struct obj *q)
{
	struct pollfd p = { .fd = q->ffd, .events = POLLIN };
	int rc = poll(&p, 1, 0);

	if (rc < 0 || p.revents & ~(POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM) ||
	    (q->vexact && !(p.revents & POLLIN) != !(q->nvev || q->lost)))
		violate(NULL, "poll of vEVENTQ %u: %d, revents 0x%x, %u events waiting",
			q->id, rc, p.revents, q->nvev);
}

/*
 * A vEVENTQ's file: read, poll, a write that must fail, or close it (then
 * nothing holds the queue: destroying it works).
 */
static void op_veventq_fd(struct ctx *c)
{
	struct obj *q = NULL;
	unsigned int r = rnd(100), i, n = c->nobj, start = rnd(n + 1);
	struct call cl;
	char byte = 0;

	for (i = 0; i < n && !q; i++) {
		q = &c->obj[(start + i) % n];
		if (q->type != O_VEVENTQ || q->ffd < 0)
			q = NULL;
	}
	if (!q)
		return;
	if (r < 60) {
		veventq_read(c, q);
	} else if (r < 80) {
		veventq_poll(c, q);
	} else if (r < 85) {
		call_init(&cl, c, C_VEVENTQ_READ, q->ffd, 0);
		file_call(&cl, 2, &byte, 1);
		if (!cl.err)
			violate(&cl, "wrote to vEVENTQ %u", q->id);
	} else {
		close(q->ffd);
		q->ffd = -1;
		q->nvev = 0;
		q->lost = false;
		if (chance(60))
			destroy(c, q->id);
	}
}

/*
 * Well-formed steps of a guest's vIOMMU: a nest parent, a vIOMMU on it,
 * a vDEVICE for a mock device, a vEVENTQ, a nested HWPT on the vIOMMU
 * with the device moved onto it, events raised and read, invalidations
 * by guest ID and the caches read back; then, in odd orders, the device
 * moved away or destroyed, the queue's file closed, the objects
 * destroyed (EBUSY while used).
 */
static void op_viommu_sequence(struct ctx *c)
{
	struct obj *sd = pool_pick(c, O_STDEV), *io = pool_pick(c, O_IOAS);
	uint32_t stdev, idev, pid, vid, did = 0, qid = 0, hid = 0, ioas;
	struct obj *p, *v, *d, *q, *h;
	unsigned int i, r;

	if (!fz.test || !sd || sd->type != O_STDEV)
		return;
	stdev = sd->id;
	idev = sd->link;
	ioas = io && io->type == O_IOAS ? io->id : 0;
	fz.valid = true;
	p = pick_hwpt_kind(c, H_PARENT);
	if ((!p || chance(10)) && ioas)
		p = hwpt_alloc(c, IOMMU_HWPT_ALLOC_NEST_PARENT, idev, ioas, 0);
	if (!p)
		goto out;
	pid = p->id;
	v = viommu_alloc(c, idev, pid);
	if (!v)
		goto out;
	vid = v->id;
	d = vdevice_alloc(c, vid, idev, rnd(16));
	did = d ? d->id : 0;
	q = veventq_alloc(c, vid);
	qid = q ? q->id : 0;
	h = hwpt_alloc(c, 0, idev, vid, 0);
	hid = h ? h->id : 0;
	if (hid && chance(80))
		dev_replace(c, stdev, hid);
	for (i = rnd(4); i < 6; i++)
		vevent(c, idev);
	q = find(c, qid, O_VEVENTQ);
	if (q && q->ffd >= 0) {
		veventq_poll(c, q);
		veventq_read(c, q);
	}
	viommu_invalidate(c, vid);
	check_dev_cache(c, idev);
	if (hid)
		invalidate(c, hid);
	/* Tear some of it down, in an order of chance. */
	for (i = 0; i < 4; i++) {
		r = rnd(100);
		if (r < 15)
			dev_replace(c, stdev, chance(50) && ioas ? ioas : pid);
		else if (r < 25)
			destroy(c, stdev);
		else if (r < 40 && did)
			destroy(c, did);
		else if (r < 50 && hid)
			destroy(c, hid);
		else if (r < 60)
			destroy(c, vid);
		else if (r < 70 && qid)
			destroy(c, qid);
		else if (r < 85)
			op_veventq_fd(c);
		else
			vevent(c, idev);
	}
out:
	fz.valid = false;
}

/* ------------------------------------------------------------------ */
/* Dirty tracking: SET_DIRTY_TRACKING, GET_DIRTY_BITMAP, TEST_OP_DIRTY */

/*
 * A HWPT for the dirty commands: often one the model knows can track
 * (tracking when @on), else any ID.  *@hp: its model, if it has one.
 */
static uint32_t pick_dirty_hwpt(struct ctx *c, bool on, struct obj **hp)
{
	unsigned int i, n = c->nobj, start = rnd(n + 1);
	bool look = !fz.want_id && chance(60);
	struct obj *o = NULL;
	uint32_t id;

	for (i = 0; look && i < n; i++, o = NULL) {
		o = &c->obj[(start + i) % n];
		if (o->type == O_HWPT &&
		    (o->track == TRK_ON || (!on && o->track == TRK_OFF)))
			break;
	}
	id = o ? o->id : pick_id(c, O_HWPT);
	*hp = find(c, id, O_HWPT);
	return id;
}

/* Bytes of IOVA per bit: mock and CPU pages, a huge page, or odd. */
static uint64_t pick_dirty_pgsize(void)
{
	const uint64_t v[] = { MOCK_IOPG, MOCK_IOPG, page_size, page_size,
			       1ULL << 21, 0, 3 };
	unsigned int r = rnd(100);

	if (fz.valid)
		return r < 50 ? MOCK_IOPG : page_size;
	if (r < 84)
		return v[rnd(ARRAY_SIZE(v))];
	if (r < 92)
		return 1ULL << rnd(64);
	return r < 96 ? 3 * MOCK_IOPG : edge_u64();
}

/*
 * An IOVA range for HWPT @h in @ps-byte pages: mostly a mapping of its
 * IOAS, or whole pages of one; else anywhere.
 */
static void pick_dirty_range(struct ctx *c, struct obj *h, uint64_t ps,
			     __u64 *iova, __u64 *len)
{
	struct obj *io = h ? ioas_of(c, h->ioas) : NULL;
	struct area *a = pick_area(io);
	uint64_t skip, n, k;

	if (!a || (!fz.valid && chance(25))) {
		*iova = pick_iova(io);
		*len = pick_len();
		return;
	}
	*iova = a->iova;
	*len = a->len;
	if (!ps || (ps & (ps - 1)) || chance(40))
		return;
	skip = (ps - (a->iova & (ps - 1))) & (ps - 1);
	n = skip < a->len ? (a->len - skip) / ps : 0;
	if (!n)
		return;
	k = rnd(n < INT32_MAX ? n : INT32_MAX);
	*iova = a->iova + skip + k * ps;
	n -= k;
	*len = (1 + (chance(30) ? 0 : rnd(n < INT32_MAX ? n : INT32_MAX))) * ps;
}

/*
 * Where a bitmap of @nbytes goes: mostly in dirty_buf at any byte, often
 * against its guard page; else NULL, read-only (when @wr) or bad.  *@ok:
 * all of it is readable (and writable if @wr); *@off: its offset in
 * dirty_buf, for the checks.
 */
static uint64_t pick_bitmap(uint64_t nbytes, bool wr, bool *ok, size_t *off)
{
	unsigned int r = fz.valid ? rnd(92) : rnd(100);

	*off = 0;
	*ok = false;
	if (r >= 92)
		return r < 94 ? 0 : r < 96 && wr ? ptr_u64(reg[R_RO].p) :
		       bad_ptr();
	if (nbytes > DIRTY_BUF)		/* it runs into the guard */
		return ptr_u64(dirty_buf);
	*ok = true;
	*off = r < 25 ? DIRTY_BUF - nbytes : rnd(DIRTY_BUF - nbytes + 1);
	return ptr_u64(dirty_buf + *off);
}

static uint64_t bits_in(uint64_t len, uint64_t ps)
{
	return ps ? len / ps : 0;
}

static bool bit_at(const unsigned char *p, uint64_t i)
{
	return p[i / 8] >> (i % 8) & 1;
}

static void dirty_set(struct ctx *c, uint32_t id, uint32_t flags)
{
	struct iommu_hwpt_set_dirty_tracking t = {
		.flags = flags, .hwpt_id = id, .__reserved = pick_rsv(),
	};
	struct call cl;
	struct obj *h;

	call_init(&cl, c, C_SET_DIRTY, c->fd, IOMMU_HWPT_SET_DIRTY_TRACKING);
	place(&cl, &t, sizeof(t), sizeof(t), true);
	if (!run(&cl, K_PINS) || cl.expect >= 0)
		return;
	if (t.flags & ~IOMMU_HWPT_DIRTY_TRACKING_ENABLE || t.__reserved)
		violate(&cl, "took flags 0x%x, reserved 0x%x", t.flags,
			t.__reserved);
	h = find(c, t.hwpt_id, O_HWPT);
	if (h && h->track == TRK_NONE)
		violate(&cl, "HWPT %u was allocated without dirty tracking",
			t.hwpt_id);
	if (h)
		h->track = t.flags & IOMMU_HWPT_DIRTY_TRACKING_ENABLE ? TRK_ON :
			   TRK_OFF;
}

/* Tracking on (mostly) or off; stray flags, reserved bits, odd IDs. */
static void op_set_dirty(struct ctx *c)
{
	uint32_t flags = pick_flags(chance(65) ?
				    IOMMU_HWPT_DIRTY_TRACKING_ENABLE : 0,
				    IOMMU_HWPT_DIRTY_TRACKING_ENABLE);
	struct obj *h;

	dirty_set(c, pick_dirty_hwpt(c, false, &h), flags);
}

/*
 * A successful read of @nbits bits at dirty_buf + @off: it set bits of
 * those, cleared none, and left the rest of the bytes around them as
 * they were.
 */
static void check_bitmap(const struct call *cl, size_t off, uint64_t nbits)
{
	size_t lo = off > 16 ? off - 16 : 0, full = nbits / 8, i;
	size_t hi = off + full + 17 < DIRTY_BUF ? off + full + 17 : DIRTY_BUF;
	unsigned char may;

	for (i = lo; i < hi; i++) {
		may = i >= off && i - off < full ? 0xff :
		      i - off == full && i >= off ? (1U << (nbits % 8)) - 1 : 0;
		if ((dirty_buf[i] & dirty_old[i]) != dirty_old[i] ||
		    (dirty_buf[i] & ~may) != (dirty_old[i] & ~may)) {
			violate(cl, "bitmap byte %zd of %llu bits went 0x%x -> 0x%x",
				(ssize_t)(i - off), (unsigned long long)nbits,
				dirty_old[i], dirty_buf[i]);
			return;
		}
	}
}

/*
 * Read the dirty bits of what @t names again, into a cleared bitmap at
 * dirty_buf + @off; 0 or the errno.
 */
static int dirty_reread(struct ctx *c,
			const struct iommu_hwpt_get_dirty_bitmap *t,
			uint32_t flags, size_t off, uint64_t nbits)
{
	struct iommu_hwpt_get_dirty_bitmap u = *t;

	u.size = sizeof(u);
	u.flags = flags;
	u.data = ptr_u64(dirty_buf + off);
	memset(dirty_buf + off, 0, (nbits + 7) / 8);
	return raw_ioctl(c->fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &u);
}

static void op_get_dirty(struct ctx *c)
{
	struct iommu_hwpt_get_dirty_bitmap t = {
		.flags = pick_flags(chance(35) ?
				    IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR : 0,
				    IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR),
		.__reserved = pick_rsv(), .page_size = pick_dirty_pgsize(),
	};
	uint64_t nbits, nbytes, i;
	unsigned char fill;
	struct call cl;
	struct obj *h;
	size_t off;
	bool ok;
	int rc;

	t.hwpt_id = pick_dirty_hwpt(c, true, &h);
	pick_dirty_range(c, h, t.page_size, &t.iova, &t.length);
	nbits = bits_in(t.length, t.page_size);
	nbytes = nbits / 8 + !!(nbits % 8);
	t.data = pick_bitmap(nbytes, true, &ok, &off);
	/* Bits the call must keep, around and in the bitmap. */
	if (nbytes < DIRTY_BUF) {
		fill = chance(30) ? 0 : rnd(256);
		memset(dirty_buf + off, fill, nbytes);
		for (i = 0; i < 8 && i < nbytes; i++)
			dirty_buf[off + rnd(nbytes)] = rnd(256);
	}
	memcpy(dirty_old, dirty_buf, DIRTY_BUF);
	call_init(&cl, c, C_GET_DIRTY, c->fd, IOMMU_HWPT_GET_DIRTY_BITMAP);
	cl.may_fault = !ok;
	place(&cl, &t, sizeof(t), sizeof(t), true);
	if (!run(&cl, K_PINS) || cl.expect >= 0)
		return;
	if (t.flags & ~IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR || t.__reserved ||
	    !nbits || (t.page_size & (t.page_size - 1)) ||
	    ((t.iova | t.length) & (t.page_size - 1)) || !ok) {
		violate(&cl, "read 0x%llx+0x%llx in 0x%llx pages into 0x%llx",
			(unsigned long long)t.iova,
			(unsigned long long)t.length,
			(unsigned long long)t.page_size,
			(unsigned long long)t.data);
		return;
	}
	h = find(c, t.hwpt_id, O_HWPT);
	if (h && (h->track == TRK_NONE || h->track == TRK_OFF))
		violate(&cl, "read dirty bits of HWPT %u, which is not tracking",
			t.hwpt_id);
	check_bitmap(&cl, off, nbits);
	/* Nothing writes between two reads: a clearing one leaves none. */
	if (t.flags || !chance(30))
		return;
	rc = dirty_reread(c, &t, 0, off, nbits);
	if (rc && rc != ENOMEM)
		violate(&cl, "the same read again: %s", ename(rc));
	for (i = 0; !rc && i < nbits; i++)
		if (bit_at(dirty_buf + off, i)) {
			violate(&cl, "page %llu is dirty again, nothing wrote it",
				(unsigned long long)i);
			break;
		}
}

/*
 * Bits for TEST_OP_DIRTY to mark, at dirty_buf + @off: each costs @ps /
 * MOCK_IOPG IOPTE lookups, DIRTY_WORK in all at most.
 */
static void dirty_marks(size_t off, uint64_t nbits, uint64_t ps)
{
	uint64_t cost = ps / MOCK_IOPG ?: 1, budget = DIRTY_WORK / cost;
	uint64_t nbytes = nbits / 8 + !!(nbits % 8), i;

	memset(dirty_buf + off, 0, nbytes);
	if (nbits <= budget) {
		for (i = 0; i < nbytes; i++)
			dirty_buf[off + i] = chance(50) ? rnd(256) : 0;
		return;
	}
	for (i = 0; i < budget && i < 64; i++) {
		uint64_t b = rnd64() % nbits;

		dirty_buf[off + b / 8] |= 1U << (b % 8);
	}
}

static void op_test_dirty(struct ctx *c)
{
	struct iommu_test_cmd t = {
		.op = IOMMU_TEST_OP_DIRTY, .__reserved = pick_rsv(),
	}, *out;
	struct iommu_hwpt_get_dirty_bitmap g = { 0 };
	uint64_t nbits, nbytes, set = 0, seen = 0, i;
	struct iommu_test_dirty_args *d = &t.dirty;
	struct call cl;
	struct obj *h;
	size_t off;
	bool ok;
	int rc;

	t.id = pick_dirty_hwpt(c, true, &h);
	d->flags = fz.valid || chance(90) ? 0 : (uint32_t)rnd64();
	d->page_size = pick_dirty_pgsize();
	pick_dirty_range(c, h, d->page_size, &d->iova, &d->length);
	nbits = bits_in(d->length, d->page_size);
	nbytes = nbits / 8 + !!(nbits % 8);
	d->uptr = pick_bitmap(nbytes, false, &ok, &off);
	if (ok)
		dirty_marks(off, nbits, d->page_size);
	call_init(&cl, c, C_T_DIRTY, c->fd, IOMMU_TEST_CMD);
	cl.may_fault = !ok;
	place(&cl, &t, sizeof(t),
	      offsetof(struct iommu_test_cmd, last) + sizeof(t.last), true);
	out = cl.out;
	if (!run(&cl, K_PINS) || cl.expect >= 0)
		return;
	h = find(c, t.id, O_HWPT);
	if (h && (h->track == TRK_NONE || h->track == TRK_OFF))
		violate(&cl, "marked pages of HWPT %u, which is not tracking",
			t.id);
	if (!ok || !nbits || nbits > (16ULL << 23)) {
		violate(&cl, "marked 0x%llx+0x%llx in 0x%llx pages from 0x%llx",
			(unsigned long long)d->iova,
			(unsigned long long)d->length,
			(unsigned long long)d->page_size,
			(unsigned long long)d->uptr);
		return;
	}
	for (i = 0; i < nbits; i++)
		set += bit_at(dirty_buf + off, i);
	if (out->dirty.out_nr_dirty > set)
		violate(&cl, "%llu pages marked dirty of %llu asked",
			(unsigned long long)out->dirty.out_nr_dirty,
			(unsigned long long)set);
	/* A read that leaves them dirty finds every page it marked. */
	if (!out->dirty.out_nr_dirty || (d->page_size & (d->page_size - 1)) ||
	    chance(50))
		return;
	memcpy(dirty_old + off, dirty_buf + off, nbytes);
	g.hwpt_id = t.id;
	g.iova = d->iova;
	g.length = d->length;
	g.page_size = d->page_size;
	rc = dirty_reread(c, &g, IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR, off,
			  nbits);
	for (i = 0; !rc && i < nbits; i++)
		seen += bit_at(dirty_old + off, i) && bit_at(dirty_buf + off, i);
	if (!rc && seen < out->dirty.out_nr_dirty)
		violate(&cl, "a read finds %llu of the %llu pages marked dirty",
			(unsigned long long)seen,
			(unsigned long long)out->dirty.out_nr_dirty);
}

/*
 * Well-formed steps, so that reads find dirty pages: a HWPT that can track
 * (allocated on a device of the pool when none is known), a mapping in its
 * IOAS when it has none, tracking on, mock pages marked, reads of them.
 */
static void op_dirty_sequence(struct ctx *c)
{
	struct obj *h = NULL, *dev, *io;
	uint32_t id = 0;
	unsigned int i;

	fz.valid = true;
	for (i = 0; i < c->nobj && !id; i++)
		if (c->obj[i].type == O_HWPT && c->obj[i].track >= TRK_OFF &&
		    ioas_of(c, c->obj[i].ioas))
			id = c->obj[i].id;
	dev = pool_pick(c, O_IDEV);
	io = pool_pick(c, O_IOAS);
	if (!id && dev && dev->type == O_IDEV && io && io->type == O_IOAS)
		h = hwpt_alloc(c, IOMMU_HWPT_ALLOC_DIRTY_TRACKING, dev->id,
			       io->id, 0);
	id = h ? h->id : id;
	h = find(c, id, O_HWPT);
	io = h ? ioas_of(c, h->ioas) : NULL;
	if (io && (!io->nareas || chance(20))) {
		fz.want_id = io->id;
		op_ioas_map(c);
	}
	if (h) {
		fz.want_id = id;
		dirty_set(c, id, IOMMU_HWPT_DIRTY_TRACKING_ENABLE);
		for (i = rnd(3); fz.test && i < 2; i++)
			op_test_dirty(c);
		op_get_dirty(c);
		op_get_dirty(c);
	}
	fz.want_id = 0;
	fz.valid = false;
}

/* Toggle tracking, read bitmaps, and (test kernels) dirty mock pages. */
static void op_dirty(struct ctx *c)
{
	unsigned int r = rnd(100);

	if (r < 30)
		op_set_dirty(c);
	else if (r < 70 || !fz.test)
		op_get_dirty(c);
	else
		op_test_dirty(c);
}

/* ------------------------------------------------------------------ */
/* VFIO container ioctls on an iommufd                                */

static void vfio_info(struct ctx *c)
{
	const uint32_t sizes[] = { 24, 16, 8, 0, 64, 256, 1024, 4096, 65536,
				   UINT32_MAX };
	uint32_t argsz = sizes[rnd(ARRAY_SIZE(sizes))];
	size_t room = argsz < 24 ? 24 : argsz > ARG_SPACE ? 24 : argsz;
	struct vfio_iommu_type1_info *info = (void *)(arg_end - room);
	struct call cl;

	call_init(&cl, c, C_V_INFO, c->fd, VFIO_IOMMU_GET_INFO);
	memset(info, 0, room);
	info->argsz = argsz;
	call_int(&cl, (unsigned long)info);
	memcpy(cl.snap, info, 16);
	cl.snap_len = 16;
	cl.may_fault = argsz > room;
	if (argsz < 16)
		cl.expect = EINVAL;
	if (chance(4)) {
		cl.arg = bad_ptr();
		cl.expect = EFAULT;
	}
	if (!run(&cl, 0) || cl.arg != (unsigned long)info)
		return;
	if (!(info->flags & VFIO_IOMMU_INFO_PGSIZES) || !info->iova_pgsizes)
		violate(&cl, "no IOVA page sizes (flags 0x%x)", info->flags);
	if (argsz >= 24 && info->cap_offset &&
	    (info->cap_offset < 24 || info->cap_offset >= argsz))
		violate(&cl, "capability at %u for argsz %u", info->cap_offset,
			argsz);
}

static void op_vfio_container(struct ctx *c)
{
	const unsigned long ext[] = { VFIO_TYPE1_IOMMU, VFIO_TYPE1v2_IOMMU,
				      VFIO_UNMAP_ALL, 0, 2, 4, 5, 6, 7, 8, 10 };
	struct obj *o = compat_ioas(c);	/* what the call maps into */
	struct vfio_iommu_type1_dma_unmap u = { 0 }, *uo;
	struct vfio_iommu_type1_dma_map m = { 0 };
	struct area *a = pick_area(o);
	unsigned int r = rnd(100);
	struct call cl;
	bool ok;

	if (r < 6) {
		call_init(&cl, c, C_V_VERSION, c->fd, VFIO_GET_API_VERSION);
		if (run(&cl, 0) && cl.rc != VFIO_API_VERSION)
			violate(&cl, "API version %ld", cl.rc);
	} else if (r < 14) {
		call_init(&cl, c, C_V_EXTENSION, c->fd, VFIO_CHECK_EXTENSION);
		call_int(&cl, chance(90) ? ext[rnd(ARRAY_SIZE(ext))] : rnd64());
		if (run(&cl, 0) && cl.rc != (cl.arg == VFIO_TYPE1_IOMMU ||
					     cl.arg == VFIO_TYPE1v2_IOMMU ||
					     cl.arg == VFIO_UNMAP_ALL))
			violate(&cl, "extension %lu: %ld", cl.arg, cl.rc);
	} else if (r < 24) {
		call_init(&cl, c, C_V_SET_IOMMU, c->fd, VFIO_SET_IOMMU);
		call_int(&cl, chance(45) ? VFIO_TYPE1v2_IOMMU : chance(45) ?
			 VFIO_TYPE1_IOMMU : chance(80) ? rnd(12) : rnd64());
		cl.ioas = o ? o->id : 0;
		if (!run(&cl, K_RANGES))
			return;
		if (cl.arg != VFIO_TYPE1_IOMMU && cl.arg != VFIO_TYPE1v2_IOMMU)
			violate(&cl, "SET_IOMMU took type %lu", cl.arg);
		c->v1 = cl.arg == VFIO_TYPE1_IOMMU;
	} else if (r < 54) {
		m.flags = pick_flags(VFIO_DMA_MAP_FLAG_READ |
				     VFIO_DMA_MAP_FLAG_WRITE, 7);
		m.size = pick_len();
		m.vaddr = pick_uva(m.size, m.flags & VFIO_DMA_MAP_FLAG_WRITE, &ok);
		m.iova = pick_iova(o) & ~(uint64_t)(chance(80) ? page_size - 1 : 0);
		call_init(&cl, c, C_V_MAP, c->fd, VFIO_IOMMU_MAP_DMA);
		cl.may_fault = !ok;
		cl.ioas = o ? o->id : 0;
		cl.probe = m.iova;
		place(&cl, &m, sizeof(m), sizeof(m), false);
		if (run(&cl, K_PINS | K_MAPS))
			note_map(&cl, compat_ioas(c), m.iova, m.size, m.vaddr,
				 true, m.iova);
	} else if (r < 82) {
		u.flags = chance(85) ? 0 : chance(50) ? VFIO_DMA_UNMAP_FLAG_ALL :
			  pick_flags(0, 7);
		if (a && chance(50)) {
			u.iova = a->iova;
			u.size = chance(70) ? a->len : pick_len();
		} else if (!(u.flags & VFIO_DMA_UNMAP_FLAG_ALL) || chance(20)) {
			u.iova = pick_iova(o);
			u.size = pick_len();
		}
		call_init(&cl, c, C_V_UNMAP, c->fd, VFIO_IOMMU_UNMAP_DMA);
		cl.ioas = o ? o->id : 0;
		cl.probe = u.iova;
		place(&cl, &u, sizeof(u), sizeof(u), false);
		uo = cl.out;
		if (run(&cl, K_PINS | K_MAPS))
			note_unmap(&cl, compat_ioas(c),
				   u.flags & VFIO_DMA_UNMAP_FLAG_ALL, u.iova,
				   u.iova + u.size - 1, c->v1, uo->size);
	} else {
		vfio_info(c);
	}
}

/* ------------------------------------------------------------------ */
/* The VFIO device cdev and its group                                 */

/* Our file behind @fd, if any. */
static struct ctx *ctx_of_fd(int fd)
{
	unsigned int i;

	for (i = 0; i < fz.t->nctx; i++)
		if (fz.t->ctx[i].fd == fd)
			return &fz.t->ctx[i];
	return NULL;
}

/* A descriptor for BIND or SET_CONTAINER: mostly one of our iommufds. */
static int pick_fd(void)
{
	struct target *t = fz.t;
	unsigned int r = fz.valid ? 0 : rnd(100);

	if (r < 75)
		return t->ctx[rnd(t->nctx)].fd;
	if (r < 88)
		return r < 80 ? -1 : (int)rnd(48);
	return r < 92 ? t->cdev : r < 96 ? t->group : INT_MAX;
}

static void cdev_reopen(struct target *t)
{
	if (t->cdev >= 0)
		close(t->cdev);
	if (t->bctx)		/* closing it unbinds: its device object goes */
		pool_del(t->bctx, t->devid);
	t->bound = false;
	t->bctx = NULL;
	t->cdev = open(t->cdev_path, O_RDWR);
	fz.pins_known = false;
}

static void op_cdev(struct ctx *c)
{
	struct vfio_device_bind_iommufd b = { .flags = pick_flags(0, 0) }, *bo;
	struct vfio_device_detach_iommufd_pt d = { .flags = pick_flags(0, 0) };
	struct vfio_device_attach_iommufd_pt at = { .flags = d.flags }, *ao;
	struct target *t = fz.t;
	unsigned int r = rnd(100);
	struct ctx *pc = t->bctx ? t->bctx : c;
	struct call cl;

	if (t->cdev < 0 || r < 8) {
		cdev_reopen(t);
	} else if (r < 44) {
		b.iommufd = pick_fd();
		call_init(&cl, ctx_of_fd(b.iommufd), C_BIND, t->cdev,
			  VFIO_DEVICE_BIND_IOMMUFD);
		place(&cl, &b, sizeof(b), sizeof(b), false);
		bo = cl.out;
		if (!run(&cl, K_PINS))
			return;
		if (t->bound)
			violate(&cl, "a second bind of the device succeeded");
		t->bound = true;
		t->devid = bo->out_devid;
		t->bctx = ctx_of_fd(b.iommufd);
		if (t->bctx)
			learn(t->bctx, t->devid, O_IDEV);
	} else if (r < 82) {
		at.pt_id = pick_id(pc, chance(65) ? O_IOAS : O_HWPT);
		call_init(&cl, pc, C_ATTACH, t->cdev,
			  VFIO_DEVICE_ATTACH_IOMMUFD_PT);
		cl.ioas = at.pt_id;
		/* The pasid after pt_id is read only with its flag. */
		place(&cl, &at, sizeof(at),
		      offsetof(struct vfio_device_attach_iommufd_pt, pasid),
		      false);
		if (!t->bound)	/* checked before the argument is read */
			cl.expect = EINVAL;
		ao = cl.out;
		if (!run(&cl, K_PINS | K_RANGES | K_ALLOC))
			return;
		if (!t->bound)
			violate(&cl, "attach of an unbound device succeeded");
		if (t->bctx && ao->pt_id != at.pt_id)
			learn_attach(t->bctx, ao->pt_id, at.pt_id);
	} else {
		call_init(&cl, t->bctx, C_DETACH, t->cdev,
			  VFIO_DEVICE_DETACH_IOMMUFD_PT);
		place(&cl, &d, sizeof(d),
		      offsetof(struct vfio_device_detach_iommufd_pt, pasid),
		      false);
		if (!t->bound)
			cl.expect = EINVAL;
		if (run(&cl, K_PINS) && !t->bound)
			violate(&cl, "detach of an unbound device succeeded");
	}
}

/* VFIO_GROUP_SET_CONTAINER to @fd, or to a random descriptor when < -1. */
static void group_set(int fd)
{
	struct target *t = fz.t;
	int *p = (int *)(arg_end - sizeof(int));
	struct call cl;
	struct ctx *gc;

	*p = fd < -1 ? pick_fd() : fd;
	gc = ctx_of_fd(*p);
	call_init(&cl, gc, C_SET_CONTAINER, t->group, VFIO_GROUP_SET_CONTAINER);
	call_int(&cl, (unsigned long)p);
	memcpy(cl.snap, p, sizeof(int));
	cl.snap_len = sizeof(int);
	if (!fz.valid && chance(4)) {
		cl.arg = bad_ptr();
		cl.expect = EFAULT;
	}
	if (!run(&cl, K_PINS | K_ALLOC))
		return;
	if (t->group_set)
		violate(&cl, "the group's container was set twice");
	t->group_set = true;
	t->gctx = gc;
	if (gc) {		/* it makes a compat IOAS when there is none */
		gc->compat_known = false;
		compat_ioas(gc);
	}
}

static void group_unset(void)
{
	struct target *t = fz.t;
	struct call cl;

	call_init(&cl, t->gctx, C_UNSET_CONTAINER, t->group,
		  VFIO_GROUP_UNSET_CONTAINER);
	if (!run(&cl, K_PINS))
		return;
	if (!t->group_set)
		violate(&cl, "unset a container that was not set");
	t->group_set = false;
	t->gctx = NULL;
}

static void op_group(struct ctx *c)
{
	if (fz.t->group < 0)
		op_vfio_ioas(c);
	else if (chance(55))
		group_set(-2);
	else
		group_unset();
}

/*
 * The sequence that once made the kernel loop: make an IOAS the compat
 * IOAS, destroy it, then set the group's container to that iommufd.  Each
 * step is an ordinary fuzzed call, with well-formed arguments.
 */
static void op_compat_sequence(struct ctx *c)
{
	struct target *t = fz.t;
	struct obj *o;
	int tries;

	fz.valid = true;
	o = pool_pick(c, O_IOAS);
	if (chance(50) || !o || o->type != O_IOAS)
		op_ioas_alloc(c);
	o = pool_pick(c, O_IOAS);
	if (o && o->type == O_IOAS) {
		fz.want_id = o->id;
		for (tries = 0; tries < 4; tries++) {
			if (c->compat_known && c->compat == fz.want_id)
				break;
			op_vfio_ioas(c);
		}
		op_destroy(c);
		fz.want_id = 0;
	}
	if (t->group >= 0 && t->group_set && chance(70))
		group_unset();
	if (t->bound && chance(70))
		cdev_reopen(t);
	if (t->group >= 0 && !t->group_set)
		group_set(c->fd);
	fz.valid = false;
}

/* ------------------------------------------------------------------ */
/* Targets                                                            */

static bool ctx_open(struct ctx *c, const char *path)
{
	struct mock_dev_ids ids;
	unsigned int i;
	struct obj *o;
	uint32_t id;

	memset(c, 0, sizeof(*c));
	c->path = path;
	c->compat_known = true;
	c->fd = open(path, O_RDWR);
	if (c->fd < 0)
		return false;
	/* Something to work on: two IOASes, a mock device on the first. */
	if (!ioas_create(c->fd, &id))
		pool_add(c, id, O_IOAS);
	if (!ioas_create(c->fd, &id))
		pool_add(c, id, O_IOAS);
	if (!fz.test || !c->nobj || mock_dev_add(c->fd, c->obj[0].id, &ids))
		return true;
	o = pool_add(c, ids.stdev, O_STDEV);
	o->link = ids.idev;
	o->at = ids.hwpt;
	o->cache_known = true;
	for (i = 0; i < MOCK_DEV_CACHE_NUM; i++)
		o->cache[i] = IOMMU_TEST_DEV_CACHE_DEFAULT;
	pool_add(c, ids.idev, O_IDEV);
	o = pool_add(c, ids.hwpt, O_HWPT);
	o->autohwpt = true;
	o->mock = true;
	o->ioas = c->obj[0].id;
	return true;
}

static void ctx_close(struct ctx *c)
{
	unsigned int i;

	for (i = 0; i < c->nacc; i++)
		close(c->acc[i]);
	/* A queue's file holds the iommufd open: close them too. */
	for (i = 0; i < c->nobj; i++)
		if ((c->obj[i].type == O_FAULT ||
		     c->obj[i].type == O_VEVENTQ) && c->obj[i].ffd >= 0)
			close(c->obj[i].ffd);
	c->nobj = 0;
	if (c->fd >= 0)
		close(c->fd);
	c->nacc = 0;
	c->fd = -1;
	fz.pins_known = false;
}

/* Close a file and open it again: all its objects go at once. */
static void op_reopen(struct ctx *c)
{
	if (fz.t->bctx == c)
		fz.t->bctx = NULL;
	if (fz.t->gctx == c)
		fz.t->gctx = NULL;
	ctx_close(c);
	ctx_open(c, c->path);
}

static const struct {
	void (*fn)(struct ctx *c);
	unsigned int w[3];	/* weight per target: iommufd, vfio, cdev */
} ops[] = {
	{ op_destroy,		{ 8, 4, 8 } },
	{ op_ioas_alloc,	{ 5, 4, 5 } },
	{ op_allow_iovas,	{ 3, 1, 1 } },
	{ op_iova_ranges,	{ 4, 2, 2 } },
	{ op_ioas_map,		{ 14, 6, 6 } },
	{ op_ioas_map_file,	{ 3, 1, 1 } },
	{ op_ioas_copy,		{ 5, 2, 1 } },
	{ op_ioas_unmap,	{ 10, 4, 4 } },
	{ op_option,		{ 3, 2, 2 } },
	{ op_vfio_ioas,		{ 4, 6, 10 } },
	{ op_hwpt_alloc,	{ 4, 1, 4 } },
	{ op_dirty,		{ 4, 1, 2 } },
	{ op_dirty_sequence,	{ 1, 1, 1 } },
	{ op_hw_info,		{ 1, 1, 1 } },
	{ op_nested_alloc,	{ 5, 2, 2 } },
	{ op_invalidate,	{ 4, 1, 1 } },
	{ op_fault_alloc,	{ 2, 1, 1 } },
	{ op_fault_fd,		{ 5, 2, 2 } },
	{ op_nested_sequence,	{ 2, 1, 1 } },
	{ op_viommu_alloc,	{ 3, 1, 1 } },
	{ op_vdevice_alloc,	{ 3, 1, 1 } },
	{ op_veventq_alloc,	{ 2, 1, 1 } },
	{ op_vevent,		{ 4, 1, 1 } },
	{ op_veventq_fd,	{ 4, 1, 1 } },
	{ op_dev_cache,		{ 2, 1, 1 } },
	{ op_viommu_invalidate,	{ 3, 1, 1 } },
	{ op_viommu_sequence,	{ 2, 1, 1 } },
	{ op_unknown_nr,	{ 2, 2, 1 } },
	{ op_test_cmd,		{ 24, 4, 4 } },	/* first: needs the test cmd */
	{ op_vfio_container,	{ 4, 50, 8 } },
	{ op_cdev,		{ 0, 0, 26 } },
	{ op_group,		{ 0, 0, 12 } },
	{ op_compat_sequence,	{ 0, 0, 1 } },
	{ op_reopen,		{ 1, 1, 1 } },
};

static unsigned int op_weight(const struct target *t, unsigned int i)
{
	return ops[i].fn == op_test_cmd && !fz.test ? 0 : ops[i].w[t->col];
}

/* The first device bound to vfio-pci: its cdev and its group's node. */
static const char *find_device(struct target *t)
{
	const char *dir = "/sys/bus/pci/drivers/vfio-pci";
	char bdf[32], path[128], link[128], *g;
	struct dirent *de;
	ssize_t n;
	DIR *d = opendir(dir);

	if (!d)
		return "no vfio-pci driver";
	while ((de = readdir(d))) {
		snprintf(bdf, sizeof(bdf), "%.31s", de->d_name);
		if (strchr(bdf, ':') &&
		    !vfio_cdev_path(bdf, t->cdev_path, sizeof(t->cdev_path)))
			break;
	}
	closedir(d);
	if (!de)
		return "no vfio-pci device with a VFIO cdev";
	snprintf(path, sizeof(path), "%s/%s/iommu_group", dir, bdf);
	n = readlink(path, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = 0;
	g = strrchr(link, '/');
	if (g)
		snprintf(t->group_path, sizeof(t->group_path), "/dev/vfio/%lu",
			 strtoul(g + 1, NULL, 10));
	return NULL;
}

/* Open what @t fuzzes; a reason to skip it, or NULL. */
static const char *target_open(struct target *t)
{
	unsigned int i, files = t->col == 2 ? 3 : 2;
	const char *path;
	struct ctx *c;
	uint32_t id;

	for (i = 0; i < files; i++) {
		path = t->col == 1 || i == 2 ? "/dev/vfio/vfio" : "/dev/iommu";
		c = &t->ctx[t->nctx];
		if (!ctx_open(c, path)) {
			if (i < 2)
				return "cannot open /dev/iommu or /dev/vfio/vfio";
			continue;
		}
		/* IOMMU_IOAS_ALLOC is ENOTTY where VFIO's container serves. */
		if (!c->nobj && ioas_create(c->fd, &id) == ENOTTY) {
			ctx_close(c);
			if (i < 2)
				return "/dev/vfio/vfio is not served by iommufd";
			continue;
		}
		t->nctx++;
	}
	/* Give the type1 ioctls somewhere to map from the start. */
	for (i = 0; t->col == 1 && i < t->nctx; i++) {
		c = &t->ctx[i];
		if (c->nobj &&
		    !ifd_vfio_ioas(c->fd, IOMMU_VFIO_IOAS_SET, &c->obj[0].id))
			c->compat = c->obj[0].id;
	}
	if (t->col != 2)
		return NULL;
	t->cdev = open(t->cdev_path, O_RDWR);
	if (t->cdev < 0)
		return "cannot open the VFIO cdev";
	if (t->group_path[0])
		t->group = open(t->group_path, O_RDWR);
	if (t->group < 0 && !fz.quiet)
		printf("# %s: cannot open group %s, no group ioctls\n", t->name,
		       t->group_path);
	return NULL;
}

static void target_close(struct target *t)
{
	unsigned int i;

	if (t->cdev >= 0)
		close(t->cdev);
	if (t->group >= 0)
		close(t->group);
	for (i = 0; i < t->nctx; i++)
		ctx_close(&t->ctx[i]);
	t->cdev = -1;
	t->group = -1;
}

/* Fuzz target @index for @calls calls; print its TAP line. */
static bool target_run(struct target *t, unsigned int index,
		       unsigned long calls)
{
	unsigned int total = 0, i, w;
	unsigned long end = fz.calls + calls, loops;
	const char *skip;

	fz.t = t;
	t->cdev = -1;
	t->group = -1;
	/* Each target draws from its own stream: a skip changes no other. */
	fz.rng = fz.seed ^ (0x5851f42d4c957f2dULL * (index + 1));
	skip = t->skip ? t->skip : target_open(t);
	for (i = 0; i < ARRAY_SIZE(ops); i++)
		total += op_weight(t, i);
	if (skip || !total) {
		target_close(t);
		printf("ok %u %s # SKIP %s\n", index + 1, t->name,
		       skip ?: "nothing to run");
		return true;
	}
	if (!fz.quiet)
		printf("# %s: %lu calls on %u files %s\n", t->name, calls,
		       t->nctx, t->cdev >= 0 ? t->cdev_path : "");
	for (loops = 0; fz.calls < end && loops < 4 * calls; loops++) {
		for (w = rnd(total), i = 0; w >= op_weight(t, i); i++)
			w -= op_weight(t, i);
		ops[i].fn(&t->ctx[rnd(t->nctx)]);
		if (!(loops % SCAN_EVERY))
			scan(NULL, &t->ctx[rnd(t->nctx)], true);
	}
	target_close(t);
	if (t->violations > MAX_REPORTS)
		printf("# %s: %lu violations, the first %u shown\n", t->name,
		       t->violations, MAX_REPORTS);
	printf("%sok %u %s\n", t->violations ? "not " : "", index + 1, t->name);
	return !t->violations;
}

static struct target targets[] = {
	/*
	 * Shares of --calls. A device cdev call (bind, attach: real domains
	 * on emulated VT-d) costs ten times an iommufd call on the debug
	 * kernel under TCG, so it gets a small share of many calls.
	 */
	{ .name = "fuzz_iommufd", .col = 0, .share = 80 },
	{ .name = "fuzz_vfio_container", .col = 1, .share = 16 },
	{ .name = "fuzz_device_cdev", .col = 2, .share = 4 },
};

/* IOMMU_TEST_CMD exists when an unknown op is EOPNOTSUPP, not ENOTTY. */
static bool test_cmd_works(void)
{
	struct iommu_test_cmd cmd = { .size = sizeof(cmd) };
	int fd = open("/dev/iommu", O_RDWR), rc;

	if (fd < 0)
		return false;
	rc = raw_ioctl(fd, IOMMU_TEST_CMD, &cmd);
	close(fd);
	return rc != ENOTTY;
}

int main(int argc, char **argv)
{
	struct rlimit lim = { MEMLOCK_LIMIT, MEMLOCK_LIMIT };
	unsigned long calls = DEFAULT_CALLS, share = 0;
	const char *only = NULL;
	long pin0 = 0, lck0 = 0, pin = 0, lck = 0;
	unsigned int i, n = ARRAY_SIZE(targets);
	bool ok = true;
	pthread_t wd;
	int a, fd;

	fz.seed = time(NULL);
	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--quiet"))
			fz.quiet = true;
		else if (!strcmp(argv[a], "--seed") && a + 1 < argc)
			fz.seed = strtoull(argv[++a], NULL, 0);
		else if (!strcmp(argv[a], "--calls") && a + 1 < argc)
			calls = strtoul(argv[++a], NULL, 0);
		else if (!strcmp(argv[a], "--only") && a + 1 < argc)
			only = argv[++a];
		else
			break;
	}
	if (a < argc) {
		fprintf(stderr,
			"usage: %s [--seed N] [--calls N] [--only TARGET] [--quiet]\n",
			argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("# seed %llu\n1..%u\n", (unsigned long long)fz.seed, n + 1);
	/* RLIMIT_MEMLOCK bounds what the fuzzer pins: root must not bypass it. */
	setrlimit(RLIMIT_MEMLOCK, &lim);
	give_up_ipc_lock();
	fz.status_fd = open("/proc/self/status", O_RDONLY);
	if (mem_setup() || !pins_read(&pin0, &lck0)) {
		printf("Bail out! no memory to fuzz with, or no /proc/self/status\n");
		return 1;
	}
	fz.test = test_cmd_works();
	fz.t = &targets[0];
	pthread_create(&wd, NULL, watchdog, NULL);

	for (i = 0; i < n; i++) {
		if (access("/dev/iommu", F_OK))
			targets[i].skip = "no /dev/iommu";
		else if (i == 0 && !fz.test)
			targets[i].skip = "no IOMMU_TEST_CMD (needs CONFIG_IOMMUFD_TEST)";
		else if (i == 1 && access("/dev/vfio/vfio", F_OK))
			targets[i].skip = "no /dev/vfio/vfio";
		else if (i == 2)
			targets[i].skip = find_device(&targets[i]);
		/*
		 * One target alone draws the same stream as in a full run
		 * (each has its own), so its calls repeat from the start.
		 */
		if (only && strcmp(only, targets[i].name) && !targets[i].skip)
			targets[i].skip = "not the --only target";
		share += targets[i].skip ? 0 : targets[i].share;
	}
	for (i = 0; i < n; i++)
		ok &= target_run(&targets[i], i, share ? calls *
				 targets[i].share / share : 0);
	/* The test interface's pinning batch back to the kernel's default. */
	fd = open("/dev/iommu", O_RDWR);
	if (fz.test && fd >= 0)
		pin_batch_set(fd, 65536);
	if (fd >= 0)
		close(fd);

	/* Every file is closed: whatever was pinned must be unpinned. */
	if (!pins_read(&pin, &lck) || pin != pin0 || lck != lck0) {
		printf("# VmPin %ld -> %ld kB, VmLck %ld -> %ld kB\n", pin0, pin,
		       lck0, lck);
		ok = false;
	}
	printf("%sok %u fuzz_no_leaked_pins\n", pin != pin0 || lck != lck0 ?
	       "not " : "", n + 1);
	if (!fz.quiet)
		printf("# %lu calls, seed %llu\n"
		       "# exact: %lu invalidations, %lu IOTLB reads, %lu requests, %lu records, %lu answers\n"
		       "# exact: %lu vEVENTQ events, %lu device cache reads\n",
		       fz.calls, (unsigned long long)fz.seed, fz.inv_exact,
		       fz.tlb_exact, fz.iopf_queued, fz.recs_matched,
		       fz.answers_exact, fz.vevents_matched, fz.cache_exact);
	return ok ? 0 : 1;
}
