// SPDX-License-Identifier: GPL-2.0
/*
 * Seeded multi-threaded stress of /dev/iommu.
 *
 * Many threads share a few iommufd files ("slots") and keep doing random
 * object operations on them: IOASes, maps (a quarter of them after the
 * thread changed its credentials, which replaces the IOAS's cached
 * charging identity under the others), copies, HWPTs, mock devices
 * (attach, replace, detach), dirty tracking (start, stop, read, mark,
 * unmap with the dirty state), emulated-device accesses (pin, copy, move),
 * nested HWPTs and their invalidations, fault queues (page requests the
 * mock devices raise, read and answered through the queue's file while
 * other threads move the devices, close the file and destroy the
 * objects), vIOMMUs with their vDEVICEs and vEVENTQs (events the mock
 * devices raise while their vDEVICEs come and go), the VFIO type1
 * compatibility ioctls and VFIO groups when there are any, and the file
 * itself replaced under the other threads.  The threads share the object
 * IDs of a slot, so they keep destroying what another thread is
 * attaching to, which is where lifetime bugs live; the debug kernel's
 * KASAN, lockdep and kmemleak do the judging, and this program checks what
 * userspace can see:
 *
 *   1 stress_run               every errno was one that makes sense, and no
 *                              thread got stuck in the kernel (a watchdog
 *                              fails the run after STUCK_MS in one op)
 *   2 stress_no_leaked_pins    VmPin and VmLck are back where they started
 *   3 stress_no_objects_left   after destroying every object the threads
 *                              know about, no ID of the file is in use
 *
 * The bookkeeping lock of a slot is never held across an iommufd ioctl:
 * the point is concurrency in the kernel.  The pools may name objects that
 * are gone already; the kernel has to answer those with an errno.
 *
 * Usage: iommufd_stress [--seed N] [--seconds S] [--threads T] [--fds F]
 *                       [--race-delay US]
 * The same seed gives every thread the same sequence of operations (what
 * they find in the shared pools still depends on timing).  --race-delay
 * sets the test kernel's iommufd test_race_delay_us for the run.
 */
#include <assert.h>
#include <dirent.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <time.h>
#include <linux/vfio.h>

#include "iommufd_core_util.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

#define MAX_THREADS	32
#define MAX_OPS		48	/* room in the per-thread counters */
#define MAX_SLOTS	16
#define STUCK_MS	60000	/* one op this long: the kernel is stuck */
#define GRACE_MS	60000	/* after the deadline, for threads to stop */

/* Creation stops at these pool sizes; racing creators may overshoot. */
#define IOAS_MAX	8
#define HWPT_MAX	12
#define DEV_MAX		16
#define ACC_MAX		8
#define NEST_MAX	8
#define FAULT_MAX	4
#define VIOMMU_MAX	4
#define POOL_CAP	(DEV_MAX + MAX_THREADS + 16)
#define RANGES		8	/* mapped ranges remembered per IOAS */
#define PINS		8	/* pins remembered per access */

#define NR_BUFS		8
#define RW_MAX		16384	/* largest access copy */
#define SKIP		(-1)	/* an op that found nothing to work on */

/* ---------------------------------------------------------------- */
/* Pools of object IDs, per slot                                     */

/*
 * Every entry starts with a generation number unique within its slot, so
 * that a thread removes exactly the entry it worked on even when an ID was
 * reused meanwhile and appears in the pool again.
 */
struct range {
	uint64_t iova;
	uint64_t len;
};

struct ioas_ent {
	uint32_t gen;
	uint32_t id;
	unsigned int maps;	/* maps since the last unmap of everything */
	unsigned int nr;	/* valid entries of r[] */
	struct range r[RANGES];
};

struct hwpt_ent {
	uint32_t gen;
	uint32_t id;
	bool autohwpt;		/* seen as a device's HWPT: dies with them */
	bool nest_parent;	/* allocated with IOMMU_HWPT_ALLOC_NEST_PARENT */
};

struct nest_ent {
	uint32_t gen;
	uint32_t id;		/* a nested HWPT */
};

/*
 * A fault queue.  Its file is borrowed (fault_get(), fault_put()) by the
 * threads reading and answering, so that its number is never closed (and
 * handed out again) under one of them.
 */
struct fault_ent {
	uint32_t gen;
	uint32_t id;
	int fd;			/* owned; -1 once closed */
	unsigned int users;	/* threads using @fd now */
	bool closing;		/* the last user closes it */
	bool old;		/* of a file op_reopen replaced: forget it */
};

/* A vIOMMU; its vDEVICEs and vEVENTQs live only within one op. */
struct viommu_ent {
	uint32_t gen;
	uint32_t id;
};

struct dev_ent {
	uint32_t gen;
	uint32_t stdev;		/* destroying it detaches and unbinds */
	uint32_t idev;
};

struct acc_ent {
	uint32_t gen;
	int fd;			/* owned: closing it destroys the access */
	uint32_t ioas;
	unsigned int npins;
	uint32_t pins[PINS];
};

/* A thread's IOMMU_DESTROY in flight on a slot. */
struct dying {
	uint32_t id;
	bool busy;
	bool shared;		/* another thread destroyed the same ID too */
};

struct slot {
	pthread_mutex_t lock;	/* the fields below, never across an ioctl */
	int fd;			/* its number never changes: see op_reopen */
	uint32_t next_gen;
	uint32_t max_id;	/* the largest object ID seen on this file */
	unsigned int unknown;	/* objects a VFIO group may have made */
	unsigned int reopens;	/* op_reopen()s so far */
	unsigned int n_ioas, n_hwpt, n_dev, n_acc, n_nest, n_fault, n_viommu;
	struct ioas_ent ioas[POOL_CAP];
	struct hwpt_ent hwpt[POOL_CAP];
	struct dev_ent dev[POOL_CAP];
	struct acc_ent acc[POOL_CAP];
	struct nest_ent nest[POOL_CAP];
	struct fault_ent fault[POOL_CAP];
	struct viommu_ent viommu[POOL_CAP];
	/* Devices last moved onto a nested HWPT with a queue: a hint. */
	struct dev_ent hot[4];
	unsigned int n_hot, hot_next;
	struct dying dying[MAX_THREADS + 1];
};

/* ---------------------------------------------------------------- */
/* Threads, randomness, results                                      */

struct rng {
	uint64_t s;
};

struct thr {
	pthread_t tid;
	unsigned int idx;
	struct rng seq;		/* which op on which slot: timing-independent */
	struct rng arg;		/* the op's arguments */
	char *rwbuf;
	const char *op;		/* for the watchdog; atomic accesses only */
	uint64_t since;		/* ms the op started, 0 when between ops */
	uint64_t tried[MAX_OPS];
	uint64_t done[MAX_OPS];
};

static unsigned int nthreads = 8, nslots = 3, seconds = 20;
static uint64_t seed;
static struct slot slots[MAX_SLOTS];
static struct thr thrs[MAX_THREADS + 1];	/* the last one is main's */
static char *bufs[NR_BUFS];
static size_t buf_pages, win_pages;
static bool vfio_node_ok;			/* /dev/vfio/vfio is an iommufd */
static int groups[4];
static unsigned int ngroups;
static int stop, cleaning;
static uint64_t deadline_ms;
static const char *race;		/* --race-delay, restored at the end */
static char race_old[32];

/* Page requests read from fault queues, and answers they took. */
static unsigned long recs_read, answers_taken;

/* Unexpected errnos, by operation and errno; the first 20 kinds kept. */
static pthread_mutex_t report_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned int unexpected, nkinds;
static struct {
	const char *what;
	int err;
	unsigned int count;
	unsigned int thread;	/* the first thread that saw it */
} kinds[20];

static uint64_t rng_next(struct rng *r)
{
	/* splitmix64 */
	uint64_t z = r->s += 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A number in [0, n), n > 0, from the argument stream. */
static uint64_t rnd(struct thr *t, uint64_t n)
{
	return rng_next(&t->arg) % n;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Which errnos an ioctl may give under the stress: 0-terminated. */
static const int E_NONE[] = { 0 };
static const int E_DESTROY[] = { ENOENT, EBUSY, 0 };
static const int E_MAP[] = { ENOENT, EEXIST, EINVAL, ENOSPC, 0 };
static const int E_UNMAP[] = { ENOENT, 0 };
static const int E_COPY[] = { ENOENT, EEXIST, EINVAL, ENOSPC, EPERM, 0 };
static const int E_ALLOW[] = { ENOENT, EINVAL, EADDRINUSE, 0 };
static const int E_RANGES[] = { ENOENT, EMSGSIZE, 0 };
static const int E_OPTION[] = { ENOENT, EINVAL, EBUSY, EADDRINUSE, 0 };
/*
 * On an IOAS ID that a HWPT has now, IOMMU_HWPT_ALLOC makes a nested HWPT
 * out of no driver data: EOPNOTSUPP, or EINVAL when it is nested itself
 * or no HWPT at all (a fault queue).
 */
static const int E_HWPT[] = { ENOENT, EADDRINUSE, EINVAL, EOPNOTSUPP, 0 };
/* A HWPT may not track (EOPNOTSUPP), tracking be off or a range cut. */
static const int E_DIRTY[] = { ENOENT, EINVAL, EOPNOTSUPP, 0 };
static const int E_ATTACH[] = { ENOENT, EINVAL, EADDRINUSE, 0 };
static const int E_ACC_NEW[] = { ENOENT, EADDRINUSE, 0 };
static const int E_ACC_PIN[] = { EBADF, EBADFD, ENOENT, EINVAL, EPERM,
				 EOPNOTSUPP, 0 };
static const int E_ACC_UNPIN[] = { EBADF, EBADFD, ENOENT, 0 };
static const int E_ACC_RW[] = { EBADF, EBADFD, ENOENT, EINVAL, EPERM, 0 };
static const int E_ACC_MOVE[] = { EBADF, EBADFD, ENOENT, EINVAL,
				  EADDRINUSE, 0 };
static const int E_COMPAT[] = { ENODEV, ENOENT, 0 };
static const int E_T1_IOMMU[] = { ENODEV, EINVAL, EADDRINUSE, 0 };
static const int E_T1_MAP[] = { ENODEV, EEXIST, EINVAL, 0 };
static const int E_T1_UNMAP[] = { ENODEV, ENOENT, EINVAL, EBUSY, 0 };
static const int E_GROUP[] = { EINVAL, EBUSY, ENODEV, EOPNOTSUPP, EPERM,
			       EBADF, EBADFD, 0 };
/*
 * A parent gone or its ID reused: ENOENT, EINVAL (not a nest parent),
 * EOPNOTSUPP (an IOAS now: no driver data there).
 */
static const int E_NESTED[] = { ENOENT, EINVAL, EOPNOTSUPP, 0 };
/* Not a nested HWPT (any more), or a bad entry the op sent on purpose. */
static const int E_INV[] = { ENOENT, EINVAL, EOPNOTSUPP, 0 };
static const int E_IOTLB[] = { ENOENT, EINVAL, 0 };
/* No such device, no fault queue where it is, the queue full. */
static const int E_IOPF[] = { ENOENT, EINVAL, ENODEV, ENOSPC, 0 };
/* A group another thread's replace or detach answered first. */
static const int E_ANSWER[] = { EINVAL, 0 };

/*
 * Count @rc against @ok; ENOMEM is always acceptable, since every one of
 * these ioctls allocates.  Returns @rc.
 */
static int expect(struct thr *t, const char *what, int rc, const int *ok)
{
	const int *e;
	unsigned int i;

	if (!rc || rc == ENOMEM)
		return rc;
	for (e = ok; *e; e++)
		if (*e == rc)
			return rc;
	pthread_mutex_lock(&report_lock);
	unexpected++;
	for (i = 0; i < nkinds; i++)
		if (kinds[i].err == rc && !strcmp(kinds[i].what, what))
			break;
	if (i == nkinds && nkinds < ARRAY_SIZE(kinds)) {
		kinds[nkinds].what = what;
		kinds[nkinds].thread = t->idx;
		kinds[nkinds++].err = rc;
	}
	if (i < nkinds)
		kinds[i].count++;
	pthread_mutex_unlock(&report_lock);
	return rc;
}

/* ---------------------------------------------------------------- */
/* Pool helpers; all called with the slot's lock held                */

enum pool_kind {
	P_IOAS, P_HWPT, P_DEV, P_ACC, P_NEST, P_FAULT, P_VIOMMU, P_NONE
};

/* One pool of a slot: entries begin with their generation. */
struct pool {
	void *arr;
	unsigned int *n;
	size_t size;
};

static struct pool pool_of(struct slot *s, enum pool_kind k)
{
	switch (k) {
	case P_IOAS:
		return (struct pool){ s->ioas, &s->n_ioas, sizeof(s->ioas[0]) };
	case P_HWPT:
		return (struct pool){ s->hwpt, &s->n_hwpt, sizeof(s->hwpt[0]) };
	case P_DEV:
		return (struct pool){ s->dev, &s->n_dev, sizeof(s->dev[0]) };
	case P_ACC:
		return (struct pool){ s->acc, &s->n_acc, sizeof(s->acc[0]) };
	case P_NEST:
		return (struct pool){ s->nest, &s->n_nest, sizeof(s->nest[0]) };
	case P_FAULT:
		return (struct pool){ s->fault, &s->n_fault,
				      sizeof(s->fault[0]) };
	case P_VIOMMU:
		return (struct pool){ s->viommu, &s->n_viommu,
				      sizeof(s->viommu[0]) };
	default:
		return (struct pool){ NULL, NULL, 0 };
	}
}

static void *ent_at(struct pool p, unsigned int i)
{
	return (char *)p.arr + i * p.size;
}

static void *pool_find(struct pool p, uint32_t gen)
{
	unsigned int i;

	for (i = 0; p.arr && i < *p.n; i++)
		if (*(uint32_t *)ent_at(p, i) == gen)
			return ent_at(p, i);
	return NULL;
}

static void pool_del(struct pool p, uint32_t gen)
{
	void *e = pool_find(p, gen);

	if (e)
		memmove(e, ent_at(p, --*p.n), p.size);
}

/* Copy a random entry to @out; false when the pool is empty. */
static bool pick(struct thr *t, struct slot *s, enum pool_kind k, void *out)
{
	struct pool p = pool_of(s, k);
	bool found;

	pthread_mutex_lock(&s->lock);
	found = *p.n;
	if (found)
		memcpy(out, ent_at(p, rnd(t, *p.n)), p.size);
	pthread_mutex_unlock(&s->lock);
	return found;
}

/* A pool's size (or another counter of the slot): a hint once read. */
static unsigned int count(struct slot *s, const unsigned int *n)
{
	unsigned int v;

	pthread_mutex_lock(&s->lock);
	v = *n;
	pthread_mutex_unlock(&s->lock);
	return v;
}

/*
 * Append @ent, giving it a generation, and note the object ID @id.  Called
 * with the lock held.  With the caps above a pool cannot fill up; should
 * one, the object counts as one the final check may find unknown.
 */
static void pool_add(struct slot *s, enum pool_kind k, void *ent, uint32_t id)
{
	struct pool p = pool_of(s, k);

	if (id > s->max_id)
		s->max_id = id;
	if (*p.n >= POOL_CAP) {
		s->unknown++;
		return;
	}
	*(uint32_t *)ent = ++s->next_gen;
	memcpy(ent_at(p, (*p.n)++), ent, p.size);
}

static void add_ioas(struct slot *s, uint32_t id)
{
	struct ioas_ent e = { .id = id };

	pthread_mutex_lock(&s->lock);
	pool_add(s, P_IOAS, &e, id);
	pthread_mutex_unlock(&s->lock);
}

/*
 * Add a HWPT.  One that IOMMU_HWPT_ALLOC made (@autohwpt false) is always
 * added; one a device reported only when its ID is new and there is room,
 * since it is the automatic HWPT of the device, or one known already.
 */
static void add_hwpt(struct slot *s, uint32_t id, bool autohwpt)
{
	struct hwpt_ent e = { .id = id, .autohwpt = autohwpt };
	bool known = false;
	unsigned int i;

	pthread_mutex_lock(&s->lock);
	for (i = 0; i < s->n_hwpt; i++)
		known |= s->hwpt[i].id == id;
	/* A device on a nested HWPT reports that one: it has its pool. */
	for (i = 0; autohwpt && i < s->n_nest; i++)
		known |= s->nest[i].id == id;
	if (!autohwpt || (!known && s->n_hwpt < HWPT_MAX))
		pool_add(s, P_HWPT, &e, id);
	pthread_mutex_unlock(&s->lock);
}

static void add_dev(struct slot *s, const struct mock_dev_ids *ids)
{
	struct dev_ent e = { .stdev = ids->stdev, .idev = ids->idev };

	pthread_mutex_lock(&s->lock);
	pool_add(s, P_DEV, &e, ids->stdev > ids->idev ? ids->stdev : ids->idev);
	pthread_mutex_unlock(&s->lock);
	add_hwpt(s, ids->hwpt, true);
}

/* Remember a mapped range of an IOAS entry, the oldest making room. */
static void note_range(struct slot *s, uint32_t gen, uint64_t iova,
		       uint64_t len)
{
	struct ioas_ent *e;

	pthread_mutex_lock(&s->lock);
	e = pool_find(pool_of(s, P_IOAS), gen);
	if (e) {
		e->r[e->nr < RANGES ? e->nr++ : e->maps % RANGES] =
			(struct range){ .iova = iova, .len = len };
		e->maps++;
	}
	pthread_mutex_unlock(&s->lock);
}

/* A range recently mapped in an IOAS with ID @id, if any is known. */
static bool range_of(struct thr *t, struct slot *s, uint32_t id,
		     struct range *out)
{
	bool found = false;
	unsigned int i;

	pthread_mutex_lock(&s->lock);
	for (i = 0; i < s->n_ioas && !found; i++) {
		if (s->ioas[i].id != id || !s->ioas[i].nr)
			continue;
		*out = s->ioas[i].r[rnd(t, s->ioas[i].nr)];
		found = true;
	}
	pthread_mutex_unlock(&s->lock);
	return found;
}

/*
 * IOMMU_DESTROY of @id; on success, or on ENOENT that proves the object
 * gone, the entry @gen of the pool @k is dropped.  ENOENT
 * proves it only when no other thread destroyed the same ID meanwhile: a
 * destroy that ends in EBUSY hides the object for a while first, and a
 * lookup in that window says ENOENT too.
 */
static int destroy_id(struct thr *t, struct slot *s, uint32_t id,
		      enum pool_kind k, uint32_t gen)
{
	struct dying *me = &s->dying[t->idx];
	unsigned int i;
	int rc;

	pthread_mutex_lock(&s->lock);
	me->id = id;
	me->busy = true;
	me->shared = false;
	for (i = 0; i < ARRAY_SIZE(s->dying); i++) {
		if (&s->dying[i] == me || !s->dying[i].busy ||
		    s->dying[i].id != id)
			continue;
		s->dying[i].shared = true;
		me->shared = true;
	}
	pthread_mutex_unlock(&s->lock);

	rc = obj_destroy(s->fd, id);

	pthread_mutex_lock(&s->lock);
	me->busy = false;
	if (!rc || (rc == ENOENT && !me->shared))
		pool_del(pool_of(s, k), gen);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

/*
 * IOMMU_DESTROY of a queue whose file this thread has just closed, which
 * nothing else depends on: EBUSY only while another thread's call on a
 * stale descriptor of the same number (an access's, closed meanwhile)
 * holds the file for a moment. Tried again then, or the queue would stay.
 */
static int destroy_closed(struct thr *t, struct slot *s, uint32_t id)
{
	const struct timespec pause = { .tv_nsec = 1000 * 1000 };
	unsigned int tries = 0;
	int rc;

	while ((rc = destroy_id(t, s, id, P_NONE, 0)) == EBUSY &&
	       ++tries < 100)
		nanosleep(&pause, NULL);
	return rc;
}

/* Creation is throttled so that a few objects per slot are shared a lot. */
static bool crowded(struct thr *t, unsigned int n, unsigned int max)
{
	return n >= max || rnd(t, max) < n;
}

/* ---------------------------------------------------------------- */
/* Memory and IOVA choices                                           */

static uint64_t pages(uint64_t n)
{
	return n * page_size;
}

/* 1..64 pages of a shared buffer, page aligned. */
static char *pick_mem(struct thr *t, uint64_t *len)
{
	uint64_t n = 1 + rnd(t, buf_pages < 64 ? buf_pages : 64);
	char *b = bufs[rnd(t, NR_BUFS)];

	*len = pages(n);
	return b + pages(rnd(t, buf_pages - n + 1));
}

/*
 * A fixed IOVA for @len bytes: mostly in a 16 MiB window at the start of
 * the mock aperture, so that threads collide; now and then below the
 * aperture, which a mock domain refuses and which blocks attaching one.
 */
static uint64_t pick_iova(struct thr *t, uint64_t len)
{
	if (!rnd(t, 32))
		return pages(1 + rnd(t, 16));
	return MOCK_APERTURE_START + pages(rnd(t, win_pages - len / page_size));
}

/* ---------------------------------------------------------------- */
/* IOAS operations                                                   */

static int op_ioas_alloc(struct thr *t, struct slot *s)
{
	uint32_t id = 0;
	int rc;

	if (crowded(t, count(s, &s->n_ioas), IOAS_MAX))
		return SKIP;
	rc = expect(t, "ioas_alloc", ioas_create(s->fd, &id), E_NONE);
	if (rc)
		return rc;
	/* Automatic IOVAs inside the mock aperture, so devices can attach. */
	if (rnd(t, 8))
		expect(t, "ioas_alloc/allow",
		       ioas_allow_one(s->fd, id, MOCK_APERTURE_START,
				      rnd(t, 2) ? MOCK_APERTURE_LAST :
				      MOCK_APERTURE_START + pages(win_pages) - 1),
		       E_ALLOW);
	add_ioas(s, id);
	return 0;
}

static int op_ioas_destroy(struct thr *t, struct slot *s)
{
	struct ioas_ent e;

	if (!pick(t, s, P_IOAS, &e))
		return SKIP;
	return expect(t, "ioas_destroy", destroy_id(t, s, e.id, P_IOAS, e.gen),
		      E_DESTROY);
}

static int unmap_all(struct thr *t, struct slot *s, const struct ioas_ent *e)
{
	struct ioas_ent *cur;
	int rc;

	rc = expect(t, "ioas_unmap_all", ioas_unmap_everything(s->fd, e->id,
							       NULL), E_UNMAP);
	pthread_mutex_lock(&s->lock);
	cur = pool_find(pool_of(s, P_IOAS), e->gen);
	if (cur && !rc) {
		cur->nr = 0;
		cur->maps = 0;
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

static int op_ioas_map(struct thr *t, struct slot *s)
{
	uint32_t flags = IOMMU_IOAS_MAP_READABLE;
	struct ioas_ent e;
	uint64_t len, iova = 0;
	char *va;
	int rc;

	if (!pick(t, s, P_IOAS, &e))
		return SKIP;
	/* Keep the number of areas bounded. */
	if (e.maps > 48) {
		unmap_all(t, s, &e);
		return SKIP;
	}
	va = pick_mem(t, &len);
	if (rnd(t, 8))
		flags |= IOMMU_IOAS_MAP_WRITEABLE;
	/*
	 * Now and then with other credentials (this thread's effective
	 * group only): the IOAS's cached charging identity is replaced
	 * while other threads map with it.
	 */
	if (!rnd(t, 4))
		syscall(SYS_setresgid, -1, (gid_t)rnd(t, 2), -1);
	if (rnd(t, 2)) {
		flags |= IOMMU_IOAS_MAP_FIXED_IOVA;
		iova = pick_iova(t, len);
	}
	rc = expect(t, "ioas_map",
		    ioas_map_flags(s->fd, e.id, va, len, &iova, flags), E_MAP);
	if (!rc)
		note_range(s, e.gen, iova, len);
	return rc;
}

static int op_ioas_unmap(struct thr *t, struct slot *s)
{
	struct ioas_ent e;
	struct range r;
	unsigned int how = rnd(t, 8);

	if (!pick(t, s, P_IOAS, &e))
		return SKIP;
	if (!how)
		return unmap_all(t, s, &e);
	if (how < 6 && e.nr) {
		/* Something mapped: may be gone already, or cut by now. */
		r = e.r[rnd(t, e.nr)];
	} else {
		r.len = pages(1 + rnd(t, 128));
		r.iova = pick_iova(t, r.len);
	}
	return expect(t, "ioas_unmap", ioas_unmap(s->fd, e.id, r.iova, r.len,
						  NULL), E_UNMAP);
}

static int op_ioas_copy(struct thr *t, struct slot *s)
{
	uint32_t flags = MAP_RW;
	struct ioas_ent src, dst;
	uint64_t off, dst_iova = 0;
	struct range r;
	int rc;

	if (!pick(t, s, P_IOAS, &src) || !src.nr || !pick(t, s, P_IOAS, &dst))
		return SKIP;
	r = src.r[rnd(t, src.nr)];
	/* A page-aligned part of the range, or all of it. */
	if (rnd(t, 2) && r.len > page_size) {
		off = pages(rnd(t, r.len / page_size));
		r.iova += off;
		r.len = pages(1 + rnd(t, (r.len - off) / page_size));
	}
	if (rnd(t, 2)) {
		flags |= IOMMU_IOAS_MAP_FIXED_IOVA;
		dst_iova = pick_iova(t, r.len);
	}
	rc = expect(t, "ioas_copy", ioas_copy(s->fd, dst.id, src.id, r.iova,
					      r.len, &dst_iova, flags), E_COPY);
	if (!rc)
		note_range(s, dst.gen, dst_iova, r.len);
	return rc;
}

static int op_ioas_allow(struct thr *t, struct slot *s)
{
	uint64_t third = (MOCK_APERTURE_LAST - MOCK_APERTURE_START + 1) / 3;
	struct iommu_iova_range r[3];
	unsigned int how = rnd(t, 16), n = 1, i;
	struct ioas_ent e;

	if (!pick(t, s, P_IOAS, &e))
		return SKIP;
	r[0].start = MOCK_APERTURE_START;
	r[0].last = MOCK_APERTURE_START + pages(win_pages) - 1;
	if (!how) {
		n = 0;				/* everything again */
	} else if (how < 6) {
		r[0].last = MOCK_APERTURE_LAST;
	} else if (how < 9) {
		/* Up to three disjoint ranges, one in each third. */
		n = 1 + rnd(t, 3);
		for (i = 0; i < n; i++) {
			r[i].start = MOCK_APERTURE_START + i * third +
				     pages(rnd(t, 1024));
			r[i].last = r[i].start + pages(1 + rnd(t, 4096)) - 1;
		}
	} else if (how == 9) {
		n = 2;				/* overlapping: EINVAL */
		r[1] = r[0];
	}
	return expect(t, "ioas_allow", ioas_allow(s->fd, e.id, r, n), E_ALLOW);
}

static int op_ioas_ranges(struct thr *t, struct slot *s)
{
	struct iommu_iova_range r[4];
	uint32_t num = rnd(t, 5);
	struct ioas_ent e;

	if (!pick(t, s, P_IOAS, &e))
		return SKIP;
	return expect(t, "ioas_ranges", ioas_ranges(s->fd, e.id, r, &num, NULL),
		      E_RANGES);
}

/* IOMMU_OPTION: huge pages of an IOAS, or the accounting of the file. */
static int op_option(struct thr *t, struct slot *s)
{
	struct ioas_ent e;
	uint64_t val;

	if (rnd(t, 4)) {
		if (!pick(t, s, P_IOAS, &e))
			return SKIP;
		if (rnd(t, 2))
			return expect(t, "option/huge_pages",
				      ifd_option_get(s->fd,
						     IOMMU_OPTION_HUGE_PAGES,
						     e.id, &val), E_OPTION);
		return expect(t, "option/huge_pages",
			      ifd_option_set(s->fd, IOMMU_OPTION_HUGE_PAGES,
					     e.id, rnd(t, 2)), E_OPTION);
	}
	if (rnd(t, 2))
		return expect(t, "option/rlimit_mode",
			      ifd_option_get(s->fd, IOMMU_OPTION_RLIMIT_MODE, 0,
					     &val), E_OPTION);
	/* Only an empty file may switch; with objects around, EBUSY. */
	return expect(t, "option/rlimit_mode",
		      ifd_option_set(s->fd, IOMMU_OPTION_RLIMIT_MODE, 0,
				     rnd(t, 2)), E_OPTION);
}

/* ---------------------------------------------------------------- */
/* HWPTs and mock devices                                            */

/*
 * IOMMU_HWPT_ALLOC for a known device on a known IOAS: tracking dirty
 * pages, a nest parent, both or neither.
 */
static int hwpt_alloc(struct thr *t, struct slot *s, const char *what,
		      uint32_t *id)
{
	uint32_t flags = rnd(t, 4);
	struct hwpt_ent *e;
	struct ioas_ent ioas;
	struct dev_ent dev;
	int rc;

	if (!pick(t, s, P_DEV, &dev) || !pick(t, s, P_IOAS, &ioas))
		return SKIP;
	rc = expect(t, what, hwpt_create(s->fd, dev.idev, ioas.id, flags, id),
		    E_HWPT);
	if (rc)
		return rc;
	add_hwpt(s, *id, false);
	pthread_mutex_lock(&s->lock);
	for (e = s->hwpt; e != s->hwpt + s->n_hwpt; e++)
		if (e->id == *id && !e->autohwpt)
			e->nest_parent = flags & IOMMU_HWPT_ALLOC_NEST_PARENT;
	pthread_mutex_unlock(&s->lock);
	return 0;
}

static int op_hwpt_alloc(struct thr *t, struct slot *s)
{
	uint32_t id;

	if (crowded(t, count(s, &s->n_hwpt), HWPT_MAX))
		return SKIP;
	return hwpt_alloc(t, s, "hwpt_alloc", &id);
}

static int op_hwpt_destroy(struct thr *t, struct slot *s)
{
	struct hwpt_ent e;

	if (!pick(t, s, P_HWPT, &e))
		return SKIP;
	return expect(t, "hwpt_destroy", destroy_id(t, s, e.id, P_HWPT, e.gen),
		      E_DESTROY);
}

/*
 * A HWPT that lives only briefly: made, then destroyed at once, while
 * other threads attach devices to its IOAS (which pass it by: attaches
 * only join the HWPTs attaches made) or replace into it.
 */
static int op_hwpt_churn(struct thr *t, struct slot *s)
{
	struct hwpt_ent *e;
	uint32_t id, gen = 0;
	int rc;

	rc = hwpt_alloc(t, s, "hwpt_churn", &id);
	if (rc)
		return rc;
	pthread_mutex_lock(&s->lock);
	for (e = s->hwpt; e != s->hwpt + s->n_hwpt; e++)
		if (e->id == id && !e->autohwpt)
			gen = e->gen;
	pthread_mutex_unlock(&s->lock);
	return expect(t, "hwpt_churn/destroy", destroy_id(t, s, id, P_HWPT, gen),
		      E_DESTROY);
}

/*
 * Dirty tracking on a HWPT of the slot while other threads map, unmap,
 * attach and destroy: start or stop it, read a range some IOAS mapped
 * (maybe not this HWPT's), mark pages dirty, or unmap with the dirty
 * state. Reads hold the table's lock shared, against unmaps that take it
 * exclusively; the HWPT or its IOAS may go at any point.
 */
static int op_dirty(struct thr *t, struct slot *s)
{
	uint64_t ps = rnd(t, 2) ? page_size : page_size / 2, bits[8] = {};
	struct ioas_ent ioas;
	struct hwpt_ent hwpt;
	struct range r;

	if (!pick(t, s, P_HWPT, &hwpt))
		return SKIP;
	if (!rnd(t, 4))
		return expect(t, "dirty/set",
			      hwpt_dirty_set(s->fd, hwpt.id, rnd(t, 4)),
			      E_DIRTY);
	if (!pick(t, s, P_IOAS, &ioas) || !ioas.nr)
		return SKIP;
	r = ioas.r[rnd(t, ioas.nr)];
	/* A bit per half page (the mock's IOPTE) of the range fits bits[]. */
	if (r.len > sizeof(bits) * 8 * (page_size / 2))
		r.len = sizeof(bits) * 8 * (page_size / 2);
	bits[0] = rnd(t, 1 << 16);
	switch (rnd(t, 3)) {
	case 0:
		return expect(t, "dirty/mark",
			      mock_dirty_mark(s->fd, hwpt.id, r.iova, r.len,
					      page_size / 2, bits, NULL),
			      E_DIRTY);
	case 1:
		return expect(t, "dirty/get",
			      hwpt_dirty_get(s->fd, hwpt.id, r.iova, r.len, ps,
					     bits, rnd(t, 2) ?
					     IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR :
					     0),
			      E_DIRTY);
	default:
		return expect(t, "dirty/unmap",
			      ioas_unmap_dirty(s->fd, hwpt.id, r.iova, r.len,
					       ps, bits, 0, NULL),
			      E_DIRTY);
	}
}

/* An IOAS (mostly), a HWPT or a nested HWPT to attach to; 0 for none. */
static uint32_t pick_pt(struct thr *t, struct slot *s)
{
	struct ioas_ent ioas;
	struct hwpt_ent hwpt;
	struct nest_ent nest;

	if (rnd(t, 4) && pick(t, s, P_IOAS, &ioas))
		return ioas.id;
	if (rnd(t, 2) && pick(t, s, P_NEST, &nest))
		return nest.id;
	if (pick(t, s, P_HWPT, &hwpt))
		return hwpt.id;
	return pick(t, s, P_IOAS, &ioas) ? ioas.id : 0;
}

static int dev_add(struct thr *t, struct slot *s, const char *what,
		   uint32_t pt, struct mock_dev_ids *ids)
{
	int rc;

	rc = expect(t, what, mock_dev_add(s->fd, pt, ids), E_ATTACH);
	if (!rc)
		add_dev(s, ids);
	return rc;
}

static int op_dev_add(struct thr *t, struct slot *s)
{
	struct mock_dev_ids ids;
	uint32_t pt;

	if (crowded(t, count(s, &s->n_dev), DEV_MAX))
		return SKIP;
	pt = pick_pt(t, s);
	if (!pt)
		return SKIP;
	return dev_add(t, s, "dev_add", pt, &ids);
}

static int op_dev_replace(struct thr *t, struct slot *s)
{
	struct iommu_test_cmd c = {};
	struct dev_ent e;
	uint32_t pt;
	int rc;

	if (!pick(t, s, P_DEV, &e))
		return SKIP;
	pt = pick_pt(t, s);
	if (!pt)
		return SKIP;
	c.mock_domain_replace.pt_id = pt;
	rc = expect(t, "dev_replace",
		    test_op(s->fd, IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE, e.stdev,
			    &c), E_ATTACH);
	if (!rc)
		add_hwpt(s, c.mock_domain_replace.pt_id, true);
	return rc;
}

static int op_dev_destroy(struct thr *t, struct slot *s)
{
	struct dev_ent e;

	if (!pick(t, s, P_DEV, &e))
		return SKIP;
	return expect(t, "dev_destroy", destroy_id(t, s, e.stdev, P_DEV, e.gen),
		      E_DESTROY);
}

/*
 * A device attached to an IOAS and destroyed at once: the last detach
 * destroys an automatic HWPT while other threads attach to the same IOAS.
 */
static int op_dev_churn(struct thr *t, struct slot *s)
{
	struct mock_dev_ids ids;
	struct ioas_ent ioas;
	struct dev_ent *e;
	uint32_t gen = 0;
	int rc;

	if (!pick(t, s, P_IOAS, &ioas))
		return SKIP;
	rc = dev_add(t, s, "dev_churn", ioas.id, &ids);
	if (rc)
		return rc;
	pthread_mutex_lock(&s->lock);
	for (e = s->dev; e != s->dev + s->n_dev; e++)
		if (e->stdev == ids.stdev)
			gen = e->gen;
	pthread_mutex_unlock(&s->lock);
	return expect(t, "dev_churn/destroy",
		      destroy_id(t, s, ids.stdev, P_DEV, gen), E_DESTROY);
}

/* Destroy an ID nobody chose: any object of the slot, or none. */
static int op_destroy_any(struct thr *t, struct slot *s)
{
	uint32_t id = 1 + rnd(t, count(s, &s->max_id) + 2);

	return expect(t, "destroy_any",
		      destroy_id(t, s, id, P_NONE, 0), E_DESTROY);
}

/* ---------------------------------------------------------------- */
/* Nested HWPTs, invalidations and fault queues                      */

/* A HWPT allocated as a nest parent, if the pool has one. */
static bool pick_parent(struct thr *t, struct slot *s, struct hwpt_ent *out)
{
	unsigned int i, n, start;
	bool found = false;

	pthread_mutex_lock(&s->lock);
	n = s->n_hwpt;
	start = n ? rnd(t, n) : 0;
	for (i = 0; i < n && !found; i++) {
		if (!s->hwpt[(start + i) % n].nest_parent)
			continue;
		*out = s->hwpt[(start + i) % n];
		found = true;
	}
	pthread_mutex_unlock(&s->lock);
	return found;
}

static void add_nest(struct slot *s, uint32_t id)
{
	struct nest_ent e = { .id = id };

	pthread_mutex_lock(&s->lock);
	pool_add(s, P_NEST, &e, id);
	pthread_mutex_unlock(&s->lock);
}

/* A nested mock HWPT on a nest parent, reporting to a queue or not. */
static int nested_alloc(struct thr *t, struct slot *s, const char *what,
			uint32_t fault, const struct dev_ent *dev,
			uint32_t *id)
{
	struct viommu_ent viommu;
	struct hwpt_ent parent;
	uint32_t pt;
	int rc;

	/* Now and then on a vIOMMU, which stands for its parent. */
	if (!rnd(t, 4) && pick(t, s, P_VIOMMU, &viommu))
		pt = viommu.id;
	else if (pick_parent(t, s, &parent))
		pt = parent.id;
	else
		return SKIP;
	rc = expect(t, what, mock_nested_create(s->fd, dev->idev, pt, fault,
						IOMMU_TEST_IOTLB_DEFAULT, id),
		    E_NESTED);
	if (!rc)
		add_nest(s, *id);
	return rc;
}

static int op_nested_alloc(struct thr *t, struct slot *s)
{
	struct fault_ent f;
	struct dev_ent dev;
	uint32_t id;

	if (crowded(t, count(s, &s->n_nest), NEST_MAX) ||
	    !pick(t, s, P_DEV, &dev))
		return SKIP;
	/* Any queue: one whose file is closed, or of the file before. */
	if (!rnd(t, 4) || !pick(t, s, P_FAULT, &f))
		f.id = 0;
	return nested_alloc(t, s, "nested_alloc", f.id, &dev, &id);
}

static int op_nested_destroy(struct thr *t, struct slot *s)
{
	struct nest_ent e;

	if (!pick(t, s, P_NEST, &e))
		return SKIP;
	return expect(t, "nested_destroy",
		      destroy_id(t, s, e.id, P_NEST, e.gen), E_DESTROY);
}

/*
 * Invalidate IOTLB entries of a nested HWPT (now and then an entry it
 * must refuse), and check that what it handled is below what was asked
 * exactly when it failed.
 */
static int op_invalidate(struct thr *t, struct slot *s)
{
	struct iommu_hwpt_invalidate_selftest inv[4];
	uint32_t n = 1 + rnd(t, 4), num = n, i;
	struct nest_ent e;
	int rc;

	if (!pick(t, s, P_NEST, &e))
		return SKIP;
	for (i = 0; i < n; i++) {
		inv[i].flags = rnd(t, 4) ? 0 : IOMMU_TEST_INVALIDATE_FLAG_ALL;
		inv[i].iotlb_id = rnd(t, 32) ? rnd(t, MOCK_NESTED_DOMAIN_IOTLB_NUM) :
			MOCK_NESTED_DOMAIN_IOTLB_NUM;
	}
	rc = expect(t, "invalidate",
		    hwpt_invalidate(s->fd, e.id,
				    IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, inv,
				    sizeof(inv[0]), &num), E_INV);
	if (rc ? num >= n : num != n)
		expect(t, "invalidate/entry_num is wrong", ERANGE, E_NONE);
	if (!rc && !rnd(t, 4))
		expect(t, "invalidate/check_iotlb",
		       mock_iotlb_is(s->fd, e.id, rnd(t, 4), 0), E_IOTLB);
	return rc;
}

/* A new fault queue in the pool, or closed and destroyed when full. */
static int fault_alloc(struct thr *t, struct slot *s, const char *what,
		       struct fault_ent *out)
{
	struct fault_ent e = { .fd = -1 };
	bool kept = false, stale;
	unsigned int reopens;
	int rc;

	pthread_mutex_lock(&s->lock);
	reopens = s->reopens;
	pthread_mutex_unlock(&s->lock);
	rc = expect(t, what, fault_queue_create(s->fd, &e.id, &e.fd), E_NONE);
	if (rc)
		return rc;
	pthread_mutex_lock(&s->lock);
	/*
	 * A reopen in between: the queue may be the replaced iommufd's, and
	 * its ID another object's in the new one. Only its file is ours to
	 * close; if it is the new iommufd's, the final check may find it.
	 */
	stale = s->reopens != reopens;
	if (stale) {
		s->unknown++;
	} else if (s->n_fault < POOL_CAP) {
		pool_add(s, P_FAULT, &e, e.id);
		*out = s->fault[s->n_fault - 1];
		kept = true;
	}
	pthread_mutex_unlock(&s->lock);
	if (!kept) {
		close(e.fd);
		if (!stale)
			expect(t, "queue_alloc/destroy",
			       destroy_id(t, s, e.id, P_NONE, 0), E_DESTROY);
		return SKIP;
	}
	return 0;
}

static int op_fault_alloc(struct thr *t, struct slot *s)
{
	struct fault_ent e;

	if (crowded(t, count(s, &s->n_fault), FAULT_MAX))
		return SKIP;
	return fault_alloc(t, s, "fault_alloc", &e);
}

/* Borrow the open file of a queue: it stays open until fault_put(). */
static bool fault_get(struct thr *t, struct slot *s, struct fault_ent *out)
{
	unsigned int i, n, start;
	struct fault_ent *e;
	bool found = false;

	pthread_mutex_lock(&s->lock);
	n = s->n_fault;
	start = n ? rnd(t, n) : 0;
	for (i = 0; i < n && !found; i++) {
		e = &s->fault[(start + i) % n];
		if (e->fd < 0 || e->closing)
			continue;
		e->users++;
		*out = *e;
		found = true;
	}
	pthread_mutex_unlock(&s->lock);
	return found;
}

/*
 * Close the file of entry @e (the lock held): now, or by its last user.
 * Returns the descriptor for the caller to close after unlocking, or -1.
 */
static int fault_retire(struct slot *s, struct fault_ent *e)
{
	int fd = -1;

	if (e->users) {
		e->closing = true;
		return -1;
	}
	fd = e->fd;
	e->fd = -1;
	e->closing = false;
	/* A queue of a replaced file is gone with it. */
	if (e->old)
		pool_del(pool_of(s, P_FAULT), e->gen);
	return fd;
}

static void fault_put(struct slot *s, uint32_t gen)
{
	struct fault_ent *e;
	int fd = -1;

	pthread_mutex_lock(&s->lock);
	e = pool_find(pool_of(s, P_FAULT), gen);
	if (e && !--e->users && e->closing)
		fd = fault_retire(s, e);
	pthread_mutex_unlock(&s->lock);
	if (fd >= 0)
		close(fd);
}

/*
 * IOMMU_DESTROY of queue @id (entry @gen): EBUSY while its file is open
 * or a HWPT uses it.  The entry goes with the queue, and only once its
 * file is closed, so that no open file is ever lost.
 */
static int fault_destroy(struct thr *t, struct slot *s, const char *what,
			 uint32_t id, uint32_t gen)
{
	struct fault_ent *cur;
	bool open_file = false;
	int rc;

	rc = destroy_id(t, s, id, P_NONE, 0);
	pthread_mutex_lock(&s->lock);
	cur = pool_find(pool_of(s, P_FAULT), gen);
	if (cur && (!rc || rc == ENOENT)) {
		open_file = !rc && cur->fd >= 0 && !cur->old;
		if (cur->fd < 0 && !cur->users)
			pool_del(pool_of(s, P_FAULT), gen);
	}
	pthread_mutex_unlock(&s->lock);
	if (open_file)
		expect(t, "fault queue destroyed with its file open",
		       ENOTRECOVERABLE, E_NONE);
	return expect(t, what, rc, E_DESTROY);
}

/* Close a queue's file; with no HWPT on it, it can be destroyed then. */
static int op_fault_close(struct thr *t, struct slot *s)
{
	uint32_t id = 0, gen = 0;
	struct fault_ent *e;
	int fd = -1;

	pthread_mutex_lock(&s->lock);
	if (s->n_fault) {
		e = &s->fault[rnd(t, s->n_fault)];
		if (e->fd >= 0 && !e->closing && !e->old) {
			id = e->id;
			gen = e->gen;
			fd = fault_retire(s, e);
		}
	}
	pthread_mutex_unlock(&s->lock);
	if (!gen)
		return SKIP;
	if (fd >= 0 && close(fd))
		return expect(t, "fault_close", errno, E_NONE);
	if (rnd(t, 2))
		return 0;
	return fault_destroy(t, s, "fault_close/destroy", id, gen);
}

/* IOMMU_DESTROY of a queue, whatever its file's state. */
static int op_fault_destroy(struct thr *t, struct slot *s)
{
	struct fault_ent e;

	if (!pick(t, s, P_FAULT, &e) || e.old)
		return SKIP;
	return fault_destroy(t, s, "fault_destroy", e.id, e.gen);
}

/* DMA fault queue alloc (another thread's queue: EEXIST); a fault: ENOENT */
static const int E_DMA_QUEUE[] = { EEXIST, 0 };
static const int E_DMA_FAULT[] = { ENOENT, 0 };

/*
 * The file's DMA fault queue: made, fed faults of random devices while
 * other threads move and destroy them (the IOMMU core delivers them from
 * its workqueue, racing all of it), read, closed and destroyed.
 */
static int op_dma_fault_churn(struct thr *t, struct slot *s)
{
	struct iommu_dma_fault_event ev[4];
	struct dev_ent dev;
	uint32_t qid = 0;
	int qfd = -1, rc, i;

	rc = dma_fault_queue_create(s->fd, 1 + rnd(t, 8), &qid, &qfd);
	expect(t, "dma_queue_alloc", rc, E_DMA_QUEUE);
	for (i = 0; i < 4; i++) {
		if (!pick(t, s, P_DEV, &dev))
			break;
		expect(t, "dma_fault",
		       mock_dma_fault(s->fd, dev.idev, rnd(t, 2), 0, i,
				      MOCK_APERTURE_START + pages(rnd(t, 16))),
		       E_DMA_FAULT);
	}
	if (rc)
		return 0;
	if (read(qfd, ev, sizeof(ev)) < 0)
		expect(t, "dma_queue_read", errno, E_DMA_FAULT);
	close(qfd);
	return expect(t, "dma_queue_destroy", destroy_closed(t, s, qid),
		      E_DESTROY);
}

/* Remember @dev as one whose page requests likely reach a queue. */
static void hot_add(struct slot *s, const struct dev_ent *dev)
{
	pthread_mutex_lock(&s->lock);
	s->hot[s->hot_next++ % ARRAY_SIZE(s->hot)] = *dev;
	if (s->n_hot < ARRAY_SIZE(s->hot))
		s->n_hot++;
	pthread_mutex_unlock(&s->lock);
}

/* A device, mostly one that was moved onto a nested HWPT with a queue. */
static bool pick_hot(struct thr *t, struct slot *s, struct dev_ent *out)
{
	bool found = false;

	pthread_mutex_lock(&s->lock);
	if (s->n_hot && rnd(t, 4)) {
		*out = s->hot[rnd(t, s->n_hot)];
		found = true;
	}
	pthread_mutex_unlock(&s->lock);
	return found || pick(t, s, P_DEV, out);
}

/* A mock device raises a page request, wherever its faults go. */
static int op_iopf(struct thr *t, struct slot *s)
{
	struct dev_ent dev;

	if (!pick_hot(t, s, &dev))
		return SKIP;
	return expect(t, "iopf",
		      mock_iopf(s->fd, dev.idev, rnd(t, 4) ? 0 : 1 + rnd(t, 8),
				rnd(t, 16), 1 + rnd(t, 3),
				MOCK_APERTURE_START + pages(rnd(t, 256))),
		      E_IOPF);
}

/*
 * Read what a queue has (whole records, each the last of its group, with
 * a cookie), answer most of it and now and then a made-up cookie, while
 * other threads raise more, move the devices (which answers their groups
 * first) and close the file.
 */
static int op_fault_rw(struct thr *t, struct slot *s)
{
	struct iommu_hwpt_page_response resp[17];
	struct iommu_hwpt_pgfault rec[16];
	unsigned int i, nr, nresp = 0;
	struct fault_ent f;
	struct pollfd p;
	ssize_t n;
	int rc = 0;

	if (!fault_get(t, s, &f))
		return SKIP;
	if (!rnd(t, 4)) {
		p = (struct pollfd){ .fd = f.fd, .events = POLLIN };
		if (poll(&p, 1, 0) < 0)
			expect(t, "fault_poll", errno, E_NONE);
	}
	n = read(f.fd, rec, sizeof(rec[0]) * (1 + rnd(t, 16)));
	if (n < 0)
		rc = expect(t, "fault_read", errno, E_NONE);
	else if (n % sizeof(rec[0]))
		rc = expect(t, "fault_read: part of a record", EMSGSIZE,
			    E_NONE);
	nr = n > 0 ? n / sizeof(rec[0]) : 0;
	__atomic_add_fetch(&recs_read, nr, __ATOMIC_RELAXED);
	for (i = 0; i < nr; i++) {
		if (!rec[i].cookie || rec[i].length != page_size ||
		    !(rec[i].flags & IOMMU_PGFAULT_FLAGS_LAST_PAGE))
			expect(t, "fault_read: bad record", EBADMSG, E_NONE);
		/* Most are answered; the rest wait for a move or a close. */
		if (rnd(t, 8))
			resp[nresp++] = (struct iommu_hwpt_page_response){
				.cookie = rec[i].cookie,
				.code = rnd(t, 2) ? IOMMUFD_PAGE_RESP_SUCCESS :
					IOMMUFD_PAGE_RESP_INVALID,
			};
	}
	if (!rnd(t, 8))
		resp[nresp++] = (struct iommu_hwpt_page_response){
			.cookie = (uint32_t)rng_next(&t->arg),
		};
	if (nresp) {
		n = write(f.fd, resp, nresp * sizeof(resp[0]));
		if (n > 0)
			__atomic_add_fetch(&answers_taken, n / sizeof(resp[0]),
					   __ATOMIC_RELAXED);
		if (n < 0)
			expect(t, "fault_answer", errno, E_ANSWER);
		else if (n % sizeof(resp[0]))
			expect(t, "fault_answer: part of an answer", EMSGSIZE,
			       E_NONE);
	}
	fault_put(s, f.gen);
	return rc;
}

/*
 * The race at the heart of it: a nested HWPT reporting to a queue, a
 * device moved onto it, page requests raised, then the device moved away
 * or the nested HWPT destroyed at once (EBUSY while the device is on it)
 * while other threads read, answer, close and destroy.
 */
static int op_nest_churn(struct thr *t, struct slot *s)
{
	struct iommu_test_cmd c = {};
	struct nest_ent *e;
	struct fault_ent f;
	struct dev_ent dev;
	uint32_t id, gen = 0, pt;
	unsigned int i;
	int rc;

	if (!pick(t, s, P_DEV, &dev))
		return SKIP;
	/* A queue someone reads, mostly. */
	if (fault_get(t, s, &f))
		fault_put(s, f.gen);
	else if (!pick(t, s, P_FAULT, &f))
		return SKIP;
	rc = nested_alloc(t, s, "nest_churn", f.id, &dev, &id);
	if (rc)
		return rc;
	c.mock_domain_replace.pt_id = id;
	if (!expect(t, "nest_churn/replace",
		    test_op(s->fd, IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE,
			    dev.stdev, &c), E_ATTACH))
		hot_add(s, &dev);
	for (i = rnd(t, 4); i < 4; i++)
		expect(t, "nest_churn/iopf",
		       mock_iopf(s->fd, dev.idev, 0, rnd(t, 4), 1,
				 MOCK_APERTURE_START), E_IOPF);
	if (rnd(t, 2)) {
		pt = pick_pt(t, s);
		c.mock_domain_replace.pt_id = pt;
		if (pt && !expect(t, "nest_churn/away",
				  test_op(s->fd,
					  IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE,
					  dev.stdev, &c), E_ATTACH))
			add_hwpt(s, c.mock_domain_replace.pt_id, true);
	}
	pthread_mutex_lock(&s->lock);
	for (e = s->nest; e != s->nest + s->n_nest; e++)
		if (e->id == id)
			gen = e->gen;
	pthread_mutex_unlock(&s->lock);
	return expect(t, "nest_churn/destroy", destroy_id(t, s, id, P_NEST, gen),
		      E_DESTROY);
}

/*
 * A queue made and used at once: a nested HWPT on it, a device there,
 * requests raised, then its file closed with requests waiting (read and
 * unanswered, or unread), and the queue destroyed (EBUSY while the nested
 * HWPT is there).
 */
static int op_fault_churn(struct thr *t, struct slot *s)
{
	struct iommu_hwpt_pgfault rec[4];
	struct iommu_test_cmd c = {};
	struct fault_ent f, *cur;
	struct dev_ent dev;
	int rc, fd = -1;
	uint32_t id;

	if (crowded(t, count(s, &s->n_fault), 2 * FAULT_MAX) ||
	    !pick(t, s, P_DEV, &dev))
		return SKIP;
	rc = fault_alloc(t, s, "fault_churn", &f);
	if (rc)
		return rc;
	if (!nested_alloc(t, s, "fault_churn/nested", f.id, &dev, &id)) {
		c.mock_domain_replace.pt_id = id;
		if (!expect(t, "fault_churn/replace",
			    test_op(s->fd, IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE,
				    dev.stdev, &c), E_ATTACH))
			hot_add(s, &dev);
		expect(t, "fault_churn/iopf",
		       mock_iopf(s->fd, dev.idev, 0, 1, 2, MOCK_APERTURE_START),
		       E_IOPF);
	}
	/* Borrowed, as other threads may have it; then closed. */
	pthread_mutex_lock(&s->lock);
	cur = pool_find(pool_of(s, P_FAULT), f.gen);
	if (cur && cur->fd >= 0 && !cur->closing) {
		cur->users++;
		fd = cur->fd;
	}
	pthread_mutex_unlock(&s->lock);
	if (fd >= 0 && rnd(t, 2) && read(fd, rec, sizeof(rec)) < 0)
		expect(t, "fault_churn/read", errno, E_NONE);
	if (fd >= 0) {
		pthread_mutex_lock(&s->lock);
		cur = pool_find(pool_of(s, P_FAULT), f.gen);
		fd = -1;
		if (cur) {
			cur->users--;
			fd = cur->fd >= 0 ? fault_retire(s, cur) : -1;
		}
		pthread_mutex_unlock(&s->lock);
	}
	if (fd >= 0)
		close(fd);
	return fault_destroy(t, s, "fault_churn/destroy", f.id, f.gen);
}

/* ---------------------------------------------------------------- */
/* vIOMMUs, vDEVICEs and vEVENTQs                                    */

/* A parent gone or its ID reused (ENOENT; EINVAL: no nest parent). */
static const int E_VIOMMU[] = { ENOENT, EINVAL, 0 };
/* The vIOMMU or device gone; the device or the guest ID taken. */
static const int E_VDEV[] = { ENOENT, EEXIST, 0 };
/* The vIOMMU gone, or another thread's queue on it. */
static const int E_VEVENTQ[] = { ENOENT, EEXIST, 0 };
/*
 * TEST_OP_TRIGGER_VEVENT: no such device, none of its vDEVICEs left, no
 * queue to take the event (the uAPI does not say which errno).
 */
static const int E_VEVENT[] = { ENOENT, EINVAL, ENODEV, EOPNOTSUPP, 0 };
/* A buffer too small for the first event. */
static const int E_VEVENT_READ[] = { EINVAL, 0 };
/* The vIOMMU gone, a guest ID nobody has now, a bad entry on purpose. */
static const int E_VINV[] = { ENOENT, EINVAL, EOPNOTSUPP, 0 };
static const int E_CACHE[] = { ENOENT, EINVAL, 0 };

/* Note an object kept in no pool, for the final probe of IDs. */
static void note_id(struct slot *s, uint32_t id)
{
	pthread_mutex_lock(&s->lock);
	if (id > s->max_id)
		s->max_id = id;
	pthread_mutex_unlock(&s->lock);
}

static int op_viommu_alloc(struct thr *t, struct slot *s)
{
	struct viommu_ent e = {};
	struct hwpt_ent parent;
	struct dev_ent dev;
	int rc;

	if (crowded(t, count(s, &s->n_viommu), VIOMMU_MAX) ||
	    !pick_parent(t, s, &parent) || !pick(t, s, P_DEV, &dev))
		return SKIP;
	rc = expect(t, "viommu_alloc",
		    viommu_create(s->fd, dev.idev, parent.id,
				  IOMMU_VIOMMU_TYPE_SELFTEST, &e.id),
		    E_VIOMMU);
	if (!rc) {
		pthread_mutex_lock(&s->lock);
		pool_add(s, P_VIOMMU, &e, e.id);
		pthread_mutex_unlock(&s->lock);
	}
	return rc;
}

/* EBUSY while a nested HWPT, a vDEVICE or a vEVENTQ is on it. */
static int op_viommu_destroy(struct thr *t, struct slot *s)
{
	struct viommu_ent e;

	if (!pick(t, s, P_VIOMMU, &e))
		return SKIP;
	return expect(t, "viommu_destroy",
		      destroy_id(t, s, e.id, P_VIOMMU, e.gen), E_DESTROY);
}

/*
 * A vDEVICE for a device other threads attach, unbind and destroy: events
 * and invalidations by its guest ID, now and then its device destroyed
 * first (the vDEVICE stays, empty), then the vDEVICE destroyed.
 */
static int op_vdev_churn(struct thr *t, struct slot *s)
{
	struct iommu_viommu_invalidate_selftest inv[2];
	uint32_t virt = rnd(t, 8), vdev = 0, num, i;
	struct viommu_ent v;
	struct dev_ent dev;
	int rc;

	if (!pick(t, s, P_VIOMMU, &v) || !pick(t, s, P_DEV, &dev))
		return SKIP;
	rc = expect(t, "vdev_alloc",
		    vdevice_create(s->fd, v.id, dev.idev, virt, &vdev), E_VDEV);
	if (rc)
		return rc;
	note_id(s, vdev);
	for (i = rnd(t, 3); i < 3; i++)
		expect(t, "vdev_churn/vevent", mock_vevent(s->fd, dev.idev),
		       E_VEVENT);
	for (i = 0; i < 2; i++) {
		inv[i].flags = rnd(t, 4) ? 0 : IOMMU_TEST_INVALIDATE_FLAG_ALL;
		inv[i].vdev_id = rnd(t, 4) ? virt : rnd(t, 8);
		inv[i].cache_id = rnd(t, 16) ? rnd(t, MOCK_DEV_CACHE_NUM) :
			MOCK_DEV_CACHE_NUM;
	}
	num = 2;
	rc = expect(t, "vdev_churn/invalidate",
		    hwpt_invalidate(s->fd, v.id,
				    IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST, inv,
				    sizeof(inv[0]), &num), E_VINV);
	if (rc ? num >= 2 : num != 2)
		expect(t, "vdev_churn/entry_num is wrong", ERANGE, E_NONE);
	if (!rnd(t, 4))
		expect(t, "vdev_churn/check_cache",
		       mock_cache_is(s->fd, dev.idev,
				     rnd(t, MOCK_DEV_CACHE_NUM), 0), E_CACHE);
	if (!rnd(t, 4)) {
		expect(t, "vdev_churn/dev_destroy",
		       destroy_id(t, s, dev.stdev, P_DEV, dev.gen), E_DESTROY);
		expect(t, "vdev_churn/vevent_unbound",
		       mock_vevent(s->fd, dev.idev), E_VEVENT);
	}
	return expect(t, "vdev_churn/destroy",
		      destroy_id(t, s, vdev, P_NONE, 0), E_DESTROY);
}

/* Whole events only, each a header with known flags (and its record). */
static bool vevents_ok(const unsigned char *buf, size_t len)
{
	struct iommufd_vevent_header h;
	size_t at = 0;

	while (at < len) {
		if (len - at < sizeof(h))
			return false;
		memcpy(&h, buf + at, sizeof(h));
		at += sizeof(h);
		if (h.flags & ~IOMMU_VEVENTQ_FLAG_LOST_EVENTS)
			return false;
		if (!h.flags)
			at += sizeof(struct iommu_viommu_event_selftest);
	}
	return at == len;
}

/*
 * A vEVENTQ made and used at once while other threads raise events, move
 * and destroy devices and try to destroy the vIOMMU: mostly a vDEVICE of
 * its own so that events do arrive, events raised, read (or not), then
 * the file closed and the queue destroyed (EBUSY before).
 */
static int op_veventq_churn(struct thr *t, struct slot *s)
{
	unsigned char buf[6 * (sizeof(struct iommufd_vevent_header) +
			       sizeof(struct iommu_viommu_event_selftest))];
	uint32_t qid = 0, vdev = 0, mine = 0, i;
	struct viommu_ent v;
	struct dev_ent dev;
	int qfd = -1, rc;
	bool have = false;
	ssize_t got;

	if (!pick(t, s, P_VIOMMU, &v))
		return SKIP;
	rc = expect(t, "veventq_alloc",
		    veventq_create(s->fd, v.id, IOMMU_VEVENTQ_TYPE_SELFTEST,
				   1 + rnd(t, 4), &qid, &qfd), E_VEVENTQ);
	if (rc)
		return rc;
	note_id(s, qid);
	if (rnd(t, 4) && pick(t, s, P_DEV, &dev)) {
		have = !expect(t, "veventq_churn/vdev",
			       vdevice_create(s->fd, v.id, dev.idev,
					      8 + rnd(t, 8), &vdev), E_VDEV);
		if (have)
			note_id(s, vdev);
		mine = dev.idev;
	}
	for (i = rnd(t, 6); i < 6; i++)
		if (have && rnd(t, 2))
			expect(t, "veventq_churn/vevent",
			       mock_vevent(s->fd, mine), E_VEVENT);
		else if (pick(t, s, P_DEV, &dev))
			expect(t, "veventq_churn/vevent",
			       mock_vevent(s->fd, dev.idev), E_VEVENT);
	if (rnd(t, 4)) {
		got = read(qfd, buf, 1 + rnd(t, sizeof(buf)));
		if (got < 0)
			expect(t, "veventq_churn/read", errno, E_VEVENT_READ);
		else if (!vevents_ok(buf, got))
			expect(t, "veventq_churn/read: not whole events",
			       EBADMSG, E_NONE);
	}
	if (have)
		expect(t, "veventq_churn/vdev_destroy",
		       destroy_id(t, s, vdev, P_NONE, 0), E_DESTROY);
	if (!rnd(t, 4))
		expect(t, "veventq_churn/destroy_open",
		       destroy_id(t, s, qid, P_NONE, 0), E_DESTROY);
	close(qfd);
	return expect(t, "veventq_churn/destroy", destroy_closed(t, s, qid),
		      E_DESTROY);
}

/* A mock device raises an event, whatever vIOMMU it has a vDEVICE on. */
static int op_vevent(struct thr *t, struct slot *s)
{
	struct dev_ent dev;

	if (!pick(t, s, P_DEV, &dev))
		return SKIP;
	return expect(t, "vevent", mock_vevent(s->fd, dev.idev), E_VEVENT);
}

/* ---------------------------------------------------------------- */
/* Accesses: the test driver's emulated device                       */

static int op_acc_create(struct thr *t, struct slot *s)
{
	uint32_t flags = rnd(t, 4) ? MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES : 0;
	struct acc_ent e = {};
	struct ioas_ent ioas;
	int rc, afd = -1;

	if (crowded(t, count(s, &s->n_acc), ACC_MAX) || !pick(t, s, P_IOAS, &ioas))
		return SKIP;
	rc = expect(t, "acc_create", access_create(s->fd, ioas.id, flags, &afd),
		    E_ACC_NEW);
	if (rc)
		return rc;
	pthread_mutex_lock(&s->lock);
	if (s->n_acc < POOL_CAP) {
		e.fd = afd;
		e.ioas = ioas.id;
		pool_add(s, P_ACC, &e, 0);
		afd = -1;
	}
	pthread_mutex_unlock(&s->lock);
	if (afd >= 0)
		close(afd);
	return 0;
}

/* Where an access reads or pins: a mapped range of its IOAS, or a guess. */
static struct range acc_range(struct thr *t, struct slot *s,
			      const struct acc_ent *e)
{
	struct range r;

	if (!range_of(t, s, e->ioas, &r)) {
		r.len = pages(1 + rnd(t, 16));
		r.iova = pick_iova(t, r.len);
	}
	return r;
}

static int op_acc_pin(struct thr *t, struct slot *s)
{
	uint32_t flags = rnd(t, 2) ? MOCK_FLAGS_ACCESS_WRITE : 0;
	struct acc_ent e, *cur;
	uint64_t off, len;
	uint32_t pin = 0;
	bool kept = false;
	struct range r;
	int rc;

	if (!pick(t, s, P_ACC, &e) || e.npins >= PINS)
		return SKIP;
	r = acc_range(t, s, &e);
	off = pages(rnd(t, r.len / page_size));
	len = pages(1 + rnd(t, (r.len - off) / page_size));
	rc = expect(t, "acc_pin", access_pin(s->fd, e.fd, r.iova + off, len,
					     NULL, flags, &pin), E_ACC_PIN);
	if (rc)
		return rc;
	pthread_mutex_lock(&s->lock);
	cur = pool_find(pool_of(s, P_ACC), e.gen);
	if (cur && cur->npins < PINS) {
		cur->pins[cur->npins++] = pin;
		kept = true;
	}
	pthread_mutex_unlock(&s->lock);
	/* No room to remember it: give it back now. */
	if (!kept)
		expect(t, "acc_pin/unpin", access_unpin(s->fd, e.fd, pin),
		       E_ACC_UNPIN);
	return 0;
}

static int op_acc_unpin(struct thr *t, struct slot *s)
{
	uint32_t pin = UINT32_MAX;
	struct acc_ent *e;
	unsigned int i;
	int afd = -1;

	pthread_mutex_lock(&s->lock);
	if (s->n_acc) {
		e = &s->acc[rnd(t, s->n_acc)];
		if (e->npins) {
			i = rnd(t, e->npins);
			pin = e->pins[i];
			e->pins[i] = e->pins[--e->npins];
			afd = e->fd;
		}
	}
	pthread_mutex_unlock(&s->lock);
	if (afd < 0)
		return SKIP;
	/* ENOENT when an unmap or a move took the pin back already. */
	return expect(t, "acc_unpin", access_unpin(s->fd, afd, pin),
		      E_ACC_UNPIN);
}

static int op_acc_rw(struct thr *t, struct slot *s)
{
	uint32_t flags = rnd(t, 2) ? MOCK_ACCESS_RW_WRITE : 0;
	struct acc_ent e;
	uint64_t off, len;
	struct range r;

	if (!pick(t, s, P_ACC, &e))
		return SKIP;
	if (!rnd(t, 4))
		flags |= MOCK_ACCESS_RW_SLOW_PATH;
	r = acc_range(t, s, &e);
	/* Any bytes of the range; now and then running past its end. */
	off = rnd(t, r.len);
	len = 1 + rnd(t, RW_MAX);
	if (len > r.len - off && rnd(t, 8))
		len = r.len - off;
	return expect(t, "acc_rw", access_rw(s->fd, e.fd, r.iova + off,
					     t->rwbuf, len, flags), E_ACC_RW);
}

static int op_acc_replace(struct thr *t, struct slot *s)
{
	struct acc_ent e, *cur;
	struct ioas_ent ioas;
	int rc;

	if (!pick(t, s, P_ACC, &e) || !pick(t, s, P_IOAS, &ioas))
		return SKIP;
	rc = expect(t, "acc_replace", access_replace(s->fd, e.fd, ioas.id),
		    E_ACC_MOVE);
	if (rc)
		return rc;
	/* The move dropped every pin in the old IOAS. */
	pthread_mutex_lock(&s->lock);
	cur = pool_find(pool_of(s, P_ACC), e.gen);
	if (cur) {
		cur->ioas = ioas.id;
		cur->npins = 0;
	}
	pthread_mutex_unlock(&s->lock);
	return 0;
}

/* Closing the access's file destroys it, and its pins with it. */
static int op_acc_close(struct thr *t, struct slot *s)
{
	struct acc_ent *e;
	int afd = -1;

	pthread_mutex_lock(&s->lock);
	if (s->n_acc) {
		e = &s->acc[rnd(t, s->n_acc)];
		afd = e->fd;
		pool_del(pool_of(s, P_ACC), e->gen);
	}
	pthread_mutex_unlock(&s->lock);
	if (afd < 0)
		return SKIP;
	return close(afd) ? errno : 0;
}

/* ---------------------------------------------------------------- */
/* VFIO compatibility                                                */

/* Put IOAS @id in the pool unless it is there already. */
static void pool_ioas_once(struct slot *s, uint32_t id)
{
	struct ioas_ent e = { .id = id };
	bool known = false;
	unsigned int i;

	pthread_mutex_lock(&s->lock);
	for (i = 0; i < s->n_ioas; i++)
		known |= s->ioas[i].id == id;
	if (!known)
		pool_add(s, P_IOAS, &e, id);
	pthread_mutex_unlock(&s->lock);
}

/* Make sure the compat IOAS is in the pool, whoever made it. */
static int adopt_compat_ioas(struct slot *s)
{
	uint32_t id = 0;
	int rc;

	rc = ifd_vfio_ioas(s->fd, IOMMU_VFIO_IOAS_GET, &id);
	if (!rc)
		pool_ioas_once(s, id);
	return rc;
}

/* IOMMU_VFIO_IOAS and the type1 container ioctls on the slot's file. */
static int op_vfio_compat(struct thr *t, struct slot *s)
{
	struct vfio_iommu_type1_dma_unmap unmap = { .argsz = sizeof(unmap) };
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map) };
	union {
		struct vfio_iommu_type1_info info;
		char room[1024];	/* for the capability chain */
	} info = { .info.argsz = sizeof(info) };
	struct ioas_ent e;
	unsigned long ext;
	uint64_t len;
	uint32_t id;
	int rc;

	switch (rnd(t, 10)) {
	case 0:
		/* ENODEV when unset, or when its IOAS is gone */
		return expect(t, "vfio_ioas_get", adopt_compat_ioas(s),
			      E_COMPAT);
	case 1:
	case 2:
		if (!pick(t, s, P_IOAS, &e))
			return SKIP;
		id = e.id;
		return expect(t, "vfio_ioas_set",
			      ifd_vfio_ioas(s->fd, IOMMU_VFIO_IOAS_SET, &id),
			      E_COMPAT);
	case 3:
		return expect(t, "vfio_ioas_clear",
			      ifd_vfio_ioas(s->fd, IOMMU_VFIO_IOAS_CLEAR, NULL),
			      E_NONE);
	case 4:
		ext = rnd(t, 2) ? VFIO_TYPE1v2_IOMMU : VFIO_TYPE1_IOMMU;
		if (rnd(t, 2)) {
			rc = ioctl(s->fd, VFIO_CHECK_EXTENSION, ext);
			return expect(t, "vfio_check_extension",
				      rc < 0 ? errno : 0, E_NONE);
		}
		rc = ioctl(s->fd, VFIO_SET_IOMMU, ext);
		return expect(t, "vfio_set_iommu", rc ? errno : 0, E_T1_IOMMU);
	case 5:
	case 6:
		map.vaddr = (uintptr_t)pick_mem(t, &len);
		map.size = len;
		map.iova = pick_iova(t, len);
		map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
		rc = ioctl(s->fd, VFIO_IOMMU_MAP_DMA, &map);
		return expect(t, "vfio_map_dma", rc ? errno : 0, E_T1_MAP);
	case 7:
	case 8:
		if (rnd(t, 4)) {
			unmap.size = pages(1 + rnd(t, 64));
			unmap.iova = pick_iova(t, unmap.size);
		} else {
			unmap.flags = VFIO_DMA_UNMAP_FLAG_ALL;
		}
		rc = ioctl(s->fd, VFIO_IOMMU_UNMAP_DMA, &unmap);
		return expect(t, "vfio_unmap_dma", rc ? errno : 0, E_T1_UNMAP);
	default:
		rc = ioctl(s->fd, VFIO_IOMMU_GET_INFO, &info);
		return expect(t, "vfio_get_info", rc ? errno : 0, E_COMPAT);
	}
}

/*
 * Set a VFIO group's container to the slot's iommufd, or unset it.  The
 * group uses the compat IOAS, making one when there is none (or when the
 * one userspace chose was destroyed).
 */
static int op_vfio_group(struct thr *t, struct slot *s)
{
	int g, rc;

	if (!ngroups)
		return SKIP;
	g = groups[rnd(t, ngroups)];
	if (rnd(t, 2)) {
		rc = ioctl(g, VFIO_GROUP_UNSET_CONTAINER);
		return expect(t, "vfio_group_unset", rc ? errno : 0, E_GROUP);
	}
	rc = ioctl(g, VFIO_GROUP_SET_CONTAINER, &s->fd);
	rc = expect(t, "vfio_group_set", rc ? errno : 0, E_GROUP);
	if (!rc && adopt_compat_ioas(s)) {
		/* Its IOAS may be gone already, or may be unknown to us. */
		pthread_mutex_lock(&s->lock);
		s->unknown++;
		pthread_mutex_unlock(&s->lock);
	}
	return rc;
}

/*
 * A compat IOAS's whole life in one go, among the other threads: an IOAS
 * becomes the compat IOAS and is destroyed, then a VFIO group is set to
 * the file, which must make a new compat IOAS (a stale ID used to make it
 * spin in the kernel for ever), and is unset again.
 */
static int op_compat_churn(struct thr *t, struct slot *s)
{
	uint32_t id;
	int g, rc;

	if (!ngroups)
		return SKIP;
	rc = ioas_create(s->fd, &id);
	if (rc)
		return expect(t, "compat_churn_alloc", rc, E_NONE);
	rc = expect(t, "compat_churn_set",
		    ifd_vfio_ioas(s->fd, IOMMU_VFIO_IOAS_SET, &id), E_COMPAT);
	if (!rc)
		rc = expect(t, "compat_churn_destroy",
			    destroy_id(t, s, id, P_NONE, 0),
			    E_DESTROY);
	/* Something uses it (through a stale ID of a pool): pooled, then. */
	if (rc == EBUSY)
		pool_ioas_once(s, id);
	if (rc)
		return rc;
	g = groups[rnd(t, ngroups)];
	rc = ioctl(g, VFIO_GROUP_SET_CONTAINER, &s->fd);
	rc = expect(t, "compat_churn_group", rc ? errno : 0, E_GROUP);
	if (rc)
		return rc;
	if (adopt_compat_ioas(s)) {
		pthread_mutex_lock(&s->lock);
		s->unknown++;
		pthread_mutex_unlock(&s->lock);
	}
	ioctl(g, VFIO_GROUP_UNSET_CONTAINER);
	return 0;
}

/* ---------------------------------------------------------------- */
/* The file under the other threads                                  */

static int open_ifd(bool vfio)
{
	return open(vfio ? "/dev/vfio/vfio" : "/dev/iommu", O_RDWR | O_CLOEXEC);
}

/*
 * Put a fresh iommufd behind the slot's descriptor.  dup2() swaps the file
 * atomically: ioctls in flight finish on the old file, later ones reach the
 * new one, and the number never names anything else meanwhile.  The pools
 * are reset in the same critical section, so that every object recorded
 * after it was made on the new file or names nothing there.
 */
static int op_reopen(struct thr *t, struct slot *s)
{
	int nfd, old, afds[2 * POOL_CAP], n = 0, rc = 0, fd;
	unsigned int i;
	bool vfio = vfio_node_ok && !rnd(t, 4);

	nfd = open_ifd(vfio);
	if (nfd < 0)
		return expect(t, "reopen", errno, E_NONE);
	/* Keeps the old file, so its release runs below, without the lock. */
	old = dup(s->fd);

	pthread_mutex_lock(&s->lock);
	if (dup2(nfd, s->fd) < 0)
		rc = errno;
	while (s->n_acc)
		afds[n++] = s->acc[--s->n_acc].fd;
	/*
	 * Fault queue files hold the old file: closed now, or by the thread
	 * that has one borrowed.  Backwards: retiring one may move the last.
	 */
	for (i = s->n_fault; i--;) {
		s->fault[i].old = true;
		if (s->fault[i].fd < 0) {
			pool_del(pool_of(s, P_FAULT), s->fault[i].gen);
			continue;
		}
		fd = s->fault[i].closing ? -1 : fault_retire(s, &s->fault[i]);
		if (fd >= 0)
			afds[n++] = fd;
	}
	s->n_ioas = 0;
	s->n_hwpt = 0;
	s->n_nest = 0;
	s->n_viommu = 0;
	s->n_dev = 0;
	s->n_hot = 0;
	s->max_id = 0;
	s->unknown = 0;
	s->reopens++;
	pthread_mutex_unlock(&s->lock);

	close(nfd);
	while (n)
		close(afds[--n]);
	if (old >= 0)
		close(old);
	expect(t, "reopen", rc, E_NONE);
	/* Pins of the new file charged to locked_vm (VmLck) instead. */
	if (!rc && !rnd(t, 2))
		expect(t, "reopen/rlimit_mode",
		       ifd_option_set(s->fd, IOMMU_OPTION_RLIMIT_MODE, 0, 1),
		       E_OPTION);
	return rc;
}

/* ---------------------------------------------------------------- */
/* The op table and the threads                                      */

struct op {
	const char *name;
	unsigned int weight;
	int (*fn)(struct thr *t, struct slot *s);
};

/*
 * Weights favour the races that matter: attaching to an IOAS while its
 * HWPTs die (hwpt_churn, dev_churn against dev_add and dev_replace).
 */
static const struct op ops[] = {
	{ "ioas_alloc",		20, op_ioas_alloc },
	{ "ioas_destroy",	14, op_ioas_destroy },
	{ "ioas_map",		40, op_ioas_map },
	{ "ioas_unmap",		24, op_ioas_unmap },
	{ "ioas_copy",		12, op_ioas_copy },
	{ "ioas_allow",		8, op_ioas_allow },
	{ "ioas_ranges",	8, op_ioas_ranges },
	{ "option",		4, op_option },
	{ "hwpt_alloc",		16, op_hwpt_alloc },
	{ "hwpt_destroy",	16, op_hwpt_destroy },
	{ "hwpt_churn",		24, op_hwpt_churn },
	{ "dirty",		24, op_dirty },
	{ "dev_add",		32, op_dev_add },
	{ "dev_replace",	32, op_dev_replace },
	{ "dev_destroy",	24, op_dev_destroy },
	{ "dev_churn",		24, op_dev_churn },
	{ "destroy_any",	4, op_destroy_any },
	{ "nested_alloc",	12, op_nested_alloc },
	{ "nested_destroy",	8, op_nested_destroy },
	{ "invalidate",		12, op_invalidate },
	{ "fault_alloc",	6, op_fault_alloc },
	{ "fault_close",	6, op_fault_close },
	{ "fault_destroy",	4, op_fault_destroy },
	{ "iopf",		24, op_iopf },
	{ "fault_rw",		24, op_fault_rw },
	{ "nest_churn",		12, op_nest_churn },
	{ "fault_churn",	8, op_fault_churn },
	{ "dma_fault_churn",	6, op_dma_fault_churn },
	{ "viommu_alloc",	6, op_viommu_alloc },
	{ "viommu_destroy",	4, op_viommu_destroy },
	{ "vdev_churn",		12, op_vdev_churn },
	{ "veventq_churn",	10, op_veventq_churn },
	{ "vevent",		8, op_vevent },
	{ "acc_create",		12, op_acc_create },
	{ "acc_pin",		16, op_acc_pin },
	{ "acc_unpin",		12, op_acc_unpin },
	{ "acc_rw",		16, op_acc_rw },
	{ "acc_replace",	8, op_acc_replace },
	{ "acc_close",		8, op_acc_close },
	{ "vfio_compat",	20, op_vfio_compat },
	{ "vfio_group",		2, op_vfio_group },
	{ "compat_churn",	4, op_compat_churn },
	{ "reopen",		1, op_reopen },
};

static_assert(ARRAY_SIZE(ops) <= MAX_OPS, "too many ops for the counters");

static unsigned int total_weight;

static void set_op(struct thr *t, const char *name)
{
	__atomic_store_n(&t->op, name, __ATOMIC_RELAXED);
	__atomic_store_n(&t->since, name ? now_ms() : 0, __ATOMIC_RELEASE);
}

static void *worker(void *arg)
{
	struct thr *t = arg;

	while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
		uint64_t w = rng_next(&t->seq) % total_weight;
		struct slot *s = &slots[rng_next(&t->seq) % nslots];
		unsigned int i;
		int rc;

		for (i = 0; w >= ops[i].weight; i++)
			w -= ops[i].weight;
		set_op(t, ops[i].name);
		rc = ops[i].fn(t, s);
		set_op(t, NULL);
		if (rc == SKIP)
			continue;
		t->tried[i]++;
		if (!rc)
			t->done[i]++;
	}
	return NULL;
}

static const char race_param[] =
	"/sys/module/iommufd/parameters/test_race_delay_us";

/* Write @val to the race delay parameter; the old value to @old. */
static bool race_delay_set(const char *val, char *old, size_t len)
{
	FILE *f = fopen(race_param, "r+");

	if (!f) {
		printf("# %s: %s, --race-delay ignored\n", race_param,
		       strerror(errno));
		return false;
	}
	if (old && !fgets(old, len, f))
		old[0] = 0;
	rewind(f);
	fputs(val, f);
	fclose(f);
	return true;
}

static void race_delay_restore(void)
{
	if (race)
		race_delay_set(race_old[0] ? race_old : "0", NULL, 0);
}

/*
 * A thread that does not come back from the kernel would hang the run
 * silently: report what every thread is doing, fail and leave.
 */
static void *watchdog(void *arg)
{
	const struct timespec tick = { .tv_nsec = 200 * 1000 * 1000 };
	unsigned int i;

	for (;;) {
		uint64_t now, since, worst = 0;
		bool over;

		nanosleep(&tick, NULL);
		now = now_ms();
		for (i = 0; i <= nthreads; i++) {
			since = __atomic_load_n(&thrs[i].since,
						__ATOMIC_ACQUIRE);
			/* An op may start after @now was read. */
			if (since && now > since && now - since > worst)
				worst = now - since;
		}
		over = !__atomic_load_n(&cleaning, __ATOMIC_ACQUIRE) &&
		       now > deadline_ms + GRACE_MS;
		if (worst <= STUCK_MS && !over)
			continue;
		for (i = 0; i <= nthreads; i++) {
			const char *op = __atomic_load_n(&thrs[i].op,
							 __ATOMIC_RELAXED);

			since = __atomic_load_n(&thrs[i].since,
						__ATOMIC_ACQUIRE);
			if (since && op)
				printf("# %s %u: in %s for %llu ms\n",
				       i == nthreads ? "main" : "thread", i, op,
				       (unsigned long long)(now > since ?
							    now - since : 0));
		}
		race_delay_restore();
		printf("not ok 1 stress_run # %s\n", over ?
		       "threads did not stop in time" :
		       "a thread is stuck in the kernel");
		printf("not ok 2 stress_no_leaked_pins # not checked\n");
		printf("not ok 3 stress_no_objects_left # not checked\n");
		fflush(stdout);
		_exit(1);
	}
	return NULL;
}

/* ---------------------------------------------------------------- */
/* The end                                                           */

/*
 * What the final checks found, printed just before the result it explains
 * (the harness shows the lines before a failed result, not earlier ones).
 */
#define REPORT_LINES	20
static char report[REPORT_LINES][160];
static unsigned int n_report, n_unreported;

static void report_add(const char *fmt, ...)
{
	va_list ap;

	if (n_report == REPORT_LINES) {
		n_unreported++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(report[n_report++], sizeof(report[0]), fmt, ap);
	va_end(ap);
}

static void report_print(void)
{
	unsigned int i;

	for (i = 0; i < n_report; i++)
		printf("# %s\n", report[i]);
	if (n_unreported)
		printf("# ... and %u more\n", n_unreported);
	n_report = 0;
	n_unreported = 0;
}

/* One pass of IOMMU_DESTROY over IDs; how many objects went. */
static unsigned int sweep(struct slot *s, const uint32_t *ids, unsigned int n,
			  uint32_t upto)
{
	unsigned int i, gone = 0;

	for (i = 0; i < (ids ? n : upto); i++)
		gone += !obj_destroy(s->fd, ids ? ids[i] : i + 1);
	return gone;
}

/*
 * What @id is in the pools of @s, for the report of an object left behind:
 * the final sweep leaves the entries of objects it could not destroy.
 */
static const char *id_kind(const struct slot *s, uint32_t id)
{
	unsigned int i;

	for (i = 0; i < s->n_ioas; i++)
		if (s->ioas[i].id == id)
			return "an IOAS";
	for (i = 0; i < s->n_hwpt; i++)
		if (s->hwpt[i].id == id)
			return s->hwpt[i].autohwpt ? "a device's HWPT" :
			       s->hwpt[i].nest_parent ? "a nest parent" :
			       "a HWPT";
	for (i = 0; i < s->n_dev; i++)
		if (s->dev[i].stdev == id || s->dev[i].idev == id)
			return s->dev[i].stdev == id ? "a mock device" :
			       "a bound device";
	for (i = 0; i < s->n_nest; i++)
		if (s->nest[i].id == id)
			return "a nested HWPT";
	for (i = 0; i < s->n_fault; i++)
		if (s->fault[i].id == id)
			return "a fault queue";
	for (i = 0; i < s->n_viommu; i++)
		if (s->viommu[i].id == id)
			return "a vIOMMU";
	return "in no pool";
}

/*
 * What kind of object an ID the pools do not know is, for the report:
 * each probe fails with ENOENT for any other kind. Only at the end, as
 * the HWPT probe turns dirty tracking off.
 */
static const char *probe_kind(int fd, uint32_t id)
{
	struct iommu_iova_range range;
	uint32_t num = 0;

	if (ioas_ranges(fd, id, &range, &num, NULL) != ENOENT)
		return "an IOAS";
	if (hwpt_dirty_set(fd, id, false) != ENOENT)
		return "a paging HWPT";
	num = 0;
	if (hwpt_invalidate(fd, id, IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, NULL,
			    0, &num) != ENOENT)
		return "a nested HWPT or a vIOMMU";
	return "a device, an access, a queue or a vDEVICE";
}

/*
 * With every thread gone: close the accesses, destroy every object the
 * pools know (devices, then HWPTs, then IOASes, as long as that makes
 * progress; automatic HWPTs must go with their devices), then every ID the
 * file may have used must be free.  An object nobody knew about is a leak,
 * unless a VFIO group may have made it (its compat IOAS); an object that
 * cannot be destroyed is one.  Returns the number of objects left.
 */
static unsigned int slot_finish(struct slot *s)
{
	unsigned int i, n = 0, left = 0, unknown = 0;
	uint32_t id, limit, *ids;
	int rc;

	set_op(&thrs[nthreads], "final: destroy known objects");
	for (i = 0; i < s->n_acc; i++)
		close(s->acc[i].fd);
	/* Nobody borrows a queue's file now. */
	for (i = 0; i < s->n_fault; i++)
		if (s->fault[i].fd >= 0)
			close(s->fault[i].fd);
	adopt_compat_ioas(s);
	ids = calloc(6 * POOL_CAP, sizeof(*ids));
	for (i = 0; ids && i < s->n_dev; i++)
		ids[n++] = s->dev[i].stdev;
	for (i = 0; ids && i < s->n_nest; i++)
		ids[n++] = s->nest[i].id;
	for (i = 0; ids && i < s->n_viommu; i++)
		ids[n++] = s->viommu[i].id;
	for (i = 0; ids && i < s->n_hwpt; i++)
		if (!s->hwpt[i].autohwpt)
			ids[n++] = s->hwpt[i].id;
	for (i = 0; ids && i < s->n_fault; i++)
		if (!s->fault[i].old)
			ids[n++] = s->fault[i].id;
	for (i = 0; ids && i < s->n_ioas; i++)
		ids[n++] = s->ioas[i].id;
	while (ids && sweep(s, ids, n, 0))
		;
	free(ids);

	/* IDs are handed out lowest-free, so none can be far above these. */
	set_op(&thrs[nthreads], "final: probe IDs");
	limit = s->max_id + 128;
	for (id = 1; id <= limit; id++) {
		const char *kind = n_report < REPORT_LINES ?
				   probe_kind(s->fd, id) : NULL;

		if (obj_destroy(s->fd, id))
			continue;
		unknown++;
		report_add("fd %d: object %u (%s) was left, unknown to the test",
			   s->fd, id, kind ?: "not probed");
	}
	/* Gone now, what depended on those may go too. */
	while (sweep(s, NULL, 0, limit))
		;
	for (id = 1; id <= limit; id++) {
		rc = obj_destroy(s->fd, id);
		if (rc == ENOENT)
			continue;
		left++;
		report_add("fd %d: object %u (%s) cannot be destroyed: %s",
			   s->fd, id, id_kind(s, id), strerror(rc));
	}
	if (unknown && unknown <= s->unknown) {
		report_add("fd %d: the %u unknown object(s) may be compat IOASes of a VFIO group",
			   s->fd, unknown);
		unknown = 0;
	}
	set_op(&thrs[nthreads], NULL);
	return left + unknown;
}

/* VmPin and VmLck may settle a little after the last close. */
static bool pins_back(long pin0, long lck0, char *why, size_t len)
{
	const struct timespec wait = { .tv_nsec = 100 * 1000 * 1000 };
	long pin, lck;
	int i;

	for (i = 0; i < 30; i++) {
		pin = vm_pin_kb();
		lck = vm_lck_kb();
		if (pin == pin0 && lck == lck0)
			return true;
		nanosleep(&wait, NULL);
	}
	snprintf(why, len, "VmPin %ld kB (was %ld), VmLck %ld kB (was %ld)",
		 pin, pin0, lck, lck0);
	return false;
}

/* ---------------------------------------------------------------- */
/* Setup                                                             */

/* Open the VFIO groups there are, for the vfio_group op. */
static void find_groups(void)
{
	DIR *d = opendir("/dev/vfio");
	struct dirent *ent;
	char path[300];
	int fd;

	while (d && (ent = readdir(d)) && ngroups < ARRAY_SIZE(groups)) {
		if (ent->d_name[0] < '0' || ent->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/dev/vfio/%s", ent->d_name);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd >= 0)
			groups[ngroups++] = fd;
	}
	if (d)
		closedir(d);
}

/*
 * 0 when /dev/iommu has the test interface (IOMMU_TEST_CMD), else why not:
 * the run would then be nothing but errors.
 */
static const char *no_test_interface(void)
{
	int fd = open_ifd(false), rc;
	char byte;

	if (fd < 0)
		return "no /dev/iommu";
	/* No access has descriptor -1: EBADF when the operation exists. */
	rc = access_rw(fd, -1, 0, &byte, 1, 0);
	close(fd);
	return rc == EBADF ? NULL : "no CONFIG_IOMMUFD_TEST";
}

/* Whether /dev/vfio/vfio is served by iommufd here. */
static bool vfio_node_is_iommufd(void)
{
	int fd = open_ifd(true);
	uint32_t id;
	bool yes;

	if (fd < 0)
		return false;
	yes = !ioas_create(fd, &id);
	close(fd);
	return yes;
}

static void print_usage(const char *argv0)
{
	fprintf(stderr,
		"usage: %s [--seed N] [--seconds S] [--threads T (1-%d)] [--fds F (1-%d)] [--race-delay US]\n",
		argv0, MAX_THREADS, MAX_SLOTS);
	exit(2);
}

static void parse_args(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "seconds", required_argument, NULL, 'S' },
		{ "threads", required_argument, NULL, 't' },
		{ "fds", required_argument, NULL, 'f' },
		{ "race-delay", required_argument, NULL, 'r' },
		{ }
	};
	struct timespec ts;
	int c;

	clock_gettime(CLOCK_REALTIME, &ts);
	seed = (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'S':
			seconds = strtoul(optarg, NULL, 0);
			break;
		case 't':
			nthreads = strtoul(optarg, NULL, 0);
			break;
		case 'f':
			nslots = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			race = optarg;
			break;
		default:
			print_usage(argv[0]);
		}
	}
	if (optind != argc || !nthreads || nthreads > MAX_THREADS ||
	    !nslots || nslots > MAX_SLOTS)
		print_usage(argv[0]);
}

int main(int argc, char **argv)
{
	const struct timespec tick = { .tv_nsec = 100 * 1000 * 1000 };
	unsigned int i, j, left = 0;
	char pins_why[128] = "";
	const char *why;
	pthread_t wd;
	long pin0, lck0;
	bool run_ok, pins_ok;

	parse_args(argc, argv);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("# seed %llu\n", (unsigned long long)seed);
	printf("# threads %u, fds %u, seconds %u\n", nthreads, nslots, seconds);
	why = no_test_interface();
	if (why) {
		printf("1..0 # SKIP %s\n", why);
		return 4;	/* KSFT_SKIP */
	}

	buf_pages = 262144 / page_size > 4 ? 262144 / page_size : 4;
	win_pages = 16777216 / page_size;
	for (i = 0; i < NR_BUFS; i++) {
		bufs[i] = mem_get(pages(buf_pages));
		if (!bufs[i]) {
			printf("Bail out! no memory for the buffers\n");
			return 1;
		}
	}
	vfio_node_ok = vfio_node_is_iommufd();
	find_groups();
	printf("# /dev/vfio/vfio %s, %u VFIO group(s)\n",
	       vfio_node_ok ? "is an iommufd" : "not used", ngroups);
	if (race && !race_delay_set(race, race_old, sizeof(race_old)))
		race = NULL;

	pin0 = vm_pin_kb();
	lck0 = vm_lck_kb();
	for (i = 0; i < nslots; i++) {
		pthread_mutex_init(&slots[i].lock, NULL);
		/* The last of several files starts as a type1 container. */
		slots[i].fd = open_ifd(vfio_node_ok && nslots > 1 &&
				       i == nslots - 1);
		if (slots[i].fd < 0) {
			printf("Bail out! open /dev/iommu: %s\n",
			       strerror(errno));
			return 1;
		}
	}
	for (i = 0; i < ARRAY_SIZE(ops); i++)
		total_weight += ops[i].weight;

	printf("1..3\n");
	deadline_ms = now_ms() + seconds * 1000ULL;
	for (i = 0; i <= nthreads; i++) {
		thrs[i].idx = i;
		thrs[i].seq.s = seed ^ (0x51ed270b27a5f3c1ULL * (i + 1));
		thrs[i].arg.s = seed ^ (0x2545f4914f6cdd1dULL * (i + 1));
		thrs[i].rwbuf = calloc(1, RW_MAX);
		if (!thrs[i].rwbuf) {
			printf("Bail out! no memory\n");
			return 1;
		}
	}
	pthread_create(&wd, NULL, watchdog, NULL);
	for (i = 0; i < nthreads; i++)
		pthread_create(&thrs[i].tid, NULL, worker, &thrs[i]);
	while (now_ms() < deadline_ms)
		nanosleep(&tick, NULL);
	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < nthreads; i++)
		pthread_join(thrs[i].tid, NULL);
	__atomic_store_n(&cleaning, 1, __ATOMIC_RELEASE);

	/* Groups first: they hold their iommufd and its compat IOAS. */
	set_op(&thrs[nthreads], "final: release VFIO groups");
	for (i = 0; i < ngroups; i++) {
		ioctl(groups[i], VFIO_GROUP_UNSET_CONTAINER);
		close(groups[i]);
	}
	for (i = 0; i < nslots; i++)
		left += slot_finish(&slots[i]);
	set_op(&thrs[nthreads], "final: close files");
	for (i = 0; i < nslots; i++)
		close(slots[i].fd);
	set_op(&thrs[nthreads], NULL);
	pins_ok = pins_back(pin0, lck0, pins_why, sizeof(pins_why));
	race_delay_restore();

	printf("# %-22s %10s %10s\n", "op", "attempted", "succeeded");
	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		unsigned long long tried = 0, done = 0;

		for (j = 0; j < nthreads; j++) {
			tried += thrs[j].tried[i];
			done += thrs[j].done[i];
		}
		printf("# %-22s %10llu %10llu\n", ops[i].name, tried, done);
	}
	printf("# fault queues: %lu page requests read, %lu answers taken\n",
	       recs_read, answers_taken);
	for (i = 0; i < nkinds; i++)
		printf("# unexpected errno from %s: %d (%s), %u time(s), first in thread %u\n",
		       kinds[i].what, kinds[i].err, strerror(kinds[i].err),
		       kinds[i].count, kinds[i].thread);
	if (unexpected)
		printf("# %u unexpected errno(s)\n", unexpected);

	/* Threads late to stop or stuck made the watchdog fail the run. */
	run_ok = !unexpected;
	if (!run_ok)
		printf("# seed %llu\n", (unsigned long long)seed);
	printf("%s 1 stress_run\n", run_ok ? "ok" : "not ok");
	if (!pins_ok)
		printf("# %s\n", pins_why);
	printf("%s 2 stress_no_leaked_pins\n", pins_ok ? "ok" : "not ok");
	report_print();
	if (left)
		printf("# seed %llu\n", (unsigned long long)seed);
	printf("%s 3 stress_no_objects_left\n", !left ? "ok" : "not ok");
	return run_ok && pins_ok && !left ? 0 : 1;
}
