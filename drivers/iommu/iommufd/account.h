/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Charging pinned memory to RLIMIT_MEMLOCK.
 *
 * The lowest layer of iommufd: it knows about users and mms, nothing about
 * IOVA or objects.
 */
#ifndef __IOMMUFD_ACCOUNT_H
#define __IOMMUFD_ACCOUNT_H

#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/types.h>

struct cred;
struct mm_struct;
struct user_struct;

/*
 * enum iommufd_acct_mode - whose RLIMIT_MEMLOCK a pin is charged to
 * @IOMMUFD_ACCT_USER: the user's locked_vm, shared by all processes of that
 *	user, and the mm's pinned_vm (VmPin); IOMMU_OPTION_RLIMIT_MODE 0, the
 *	default
 * @IOMMUFD_ACCT_MM: the mm's locked_vm (VmLck), the way VFIO type1 charges;
 *	IOMMU_OPTION_RLIMIT_MODE 1
 */
enum iommufd_acct_mode {
	IOMMUFD_ACCT_USER,
	IOMMUFD_ACCT_MM,
};

/**
 * struct iommufd_acct - a charging identity: who pays for pins, and how
 * @users: references: every run of memory charged here, and the cache
 *	that hands it out
 * @mode: the accounting mode chosen when it was captured
 * @user: the charged user, referenced
 * @mm: the mm that mapped the memory, grabbed (not its address space)
 * @cred: the credentials it was captured from, referenced; compared by
 *	address only, to tell whether a later caller is the same identity
 * @bypass: the capturing task had CAP_IPC_LOCK, so the limit is not enforced
 * @rcu: frees the identity after a grace period, as caches look it up
 *	under RCU
 *
 * Captured from current when memory is named for pinning, so that pinning
 * and unpinning from any context (another process closing the last fd)
 * charge and undo exactly the same counters. Never changes once made, so
 * many runs of memory share one.
 */
struct iommufd_acct {
	refcount_t users;
	enum iommufd_acct_mode mode;
	struct user_struct *user;
	struct mm_struct *mm;
	const struct cred *cred;
	bool bypass;
	struct rcu_head rcu;
};

/**
 * struct iommufd_acct_cache - the identity a table of maps charged last
 * @lock: serializes replacing @last; lookups only take the RCU read lock
 * @last: an identity with a reference of the cache's, or NULL
 *
 * A VMM maps and unmaps again and again from one process with unchanged
 * credentials: the identity captured for its first map serves the next
 * ones, and a map costs no user, mm or capability lookup.
 */
struct iommufd_acct_cache {
	spinlock_t lock;	/* see @lock above */
	struct iommufd_acct __rcu *last;
};

void iommufd_acct_cache_init(struct iommufd_acct_cache *cache);
void iommufd_acct_cache_destroy(struct iommufd_acct_cache *cache);
struct iommufd_acct *iommufd_acct_get(struct iommufd_acct_cache *cache,
				      enum iommufd_acct_mode mode);
void iommufd_acct_put(struct iommufd_acct *acct);
int iommufd_acct_charge(struct iommufd_acct *acct, unsigned long npages);
void iommufd_acct_uncharge(struct iommufd_acct *acct, unsigned long npages);

#endif
