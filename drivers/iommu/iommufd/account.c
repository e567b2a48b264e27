// SPDX-License-Identifier: GPL-2.0-only
/*
 * Charging pinned memory to RLIMIT_MEMLOCK, per user or per process.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/user.h>
#include <linux/slab.h>

#include "account.h"

/* A new identity of current's, with one reference; or NULL. */
static struct iommufd_acct *acct_capture(enum iommufd_acct_mode mode)
{
	struct iommufd_acct *acct = kmalloc(sizeof(*acct), GFP_KERNEL_ACCOUNT);

	if (!acct)
		return NULL;
	refcount_set(&acct->users, 1);
	acct->mode = mode;
	acct->cred = get_current_cred();
	acct->user = get_uid(current_user());
	acct->mm = current->mm;
	mmgrab(acct->mm);
	acct->bypass = capable(CAP_IPC_LOCK);
	return acct;
}

/* Is @acct what acct_capture() would make for current now? */
static bool acct_is_current(struct iommufd_acct *acct,
			    enum iommufd_acct_mode mode)
{
	return acct->mode == mode && acct->mm == current->mm &&
	       acct->cred == current_cred();
}

/**
 * iommufd_acct_cache_init() - Start an empty cache
 * @cache: the cache
 */
void iommufd_acct_cache_init(struct iommufd_acct_cache *cache)
{
	spin_lock_init(&cache->lock);
	RCU_INIT_POINTER(cache->last, NULL);
}

/**
 * iommufd_acct_cache_destroy() - Drop the cache's reference
 * @cache: the cache; no iommufd_acct_get() may run on it any more
 */
void iommufd_acct_cache_destroy(struct iommufd_acct_cache *cache)
{
	struct iommufd_acct *acct = rcu_dereference_protected(cache->last, 1);

	if (acct)
		iommufd_acct_put(acct);
	RCU_INIT_POINTER(cache->last, NULL);
}

/**
 * iommufd_acct_get() - The charging identity of current, for new pins
 * @cache: where the identity last used by this caller is kept
 * @mode: which counter the charges go to
 *
 * Must run in the context of the task whose memory will be pinned. Returns
 * the cached identity when current still has the same mm and the same
 * credentials (a changed capability or user means new credentials), else
 * captures a new one and caches it in place of the old.
 *
 * Return: the identity with a reference for the caller, or NULL when
 * memory ran out.
 */
struct iommufd_acct *iommufd_acct_get(struct iommufd_acct_cache *cache,
				      enum iommufd_acct_mode mode)
{
	struct iommufd_acct *acct, *old;

	/*
	 * The cache's reference may be dropped by a concurrent replace: the
	 * identity stays readable until a grace period passes, and a count
	 * that reached zero is not revived.
	 */
	rcu_read_lock();
	acct = rcu_dereference(cache->last);
	if (acct && acct_is_current(acct, mode) &&
	    refcount_inc_not_zero(&acct->users)) {
		rcu_read_unlock();
		return acct;
	}
	rcu_read_unlock();

	acct = acct_capture(mode);
	if (!acct)
		return NULL;
	refcount_inc(&acct->users);
	spin_lock(&cache->lock);
	old = rcu_replace_pointer(cache->last, acct,
				  lockdep_is_held(&cache->lock));
	spin_unlock(&cache->lock);
	if (old)
		iommufd_acct_put(old);
	return acct;
}

/**
 * iommufd_acct_put() - Drop a reference on a charging identity
 * @acct: the identity; the last reference may only go once every charge
 *	made through it has been undone
 */
void iommufd_acct_put(struct iommufd_acct *acct)
{
	if (!refcount_dec_and_test(&acct->users))
		return;
	mmdrop(acct->mm);
	free_uid(acct->user);
	put_cred(acct->cred);
	kfree_rcu(acct, rcu);
}

static int charge_user(struct iommufd_acct *acct, unsigned long npages)
{
	unsigned long limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	unsigned long now;

	now = atomic_long_add_return(npages, &acct->user->locked_vm);
	if (!acct->bypass && now > limit) {
		atomic_long_sub(npages, &acct->user->locked_vm);
		return -ENOMEM;
	}
	atomic64_add(npages, &acct->mm->pinned_vm);
	return 0;
}

/**
 * iommufd_acct_charge() - Charge pinned pages against RLIMIT_MEMLOCK
 * @acct: where to charge, from iommufd_acct_get()
 * @npages: how many pages are about to be pinned
 *
 * The limit is current's RLIMIT_MEMLOCK, unless the task that created @acct
 * had CAP_IPC_LOCK.
 *
 * Return: 0, or -ENOMEM when the pages would exceed the limit.
 */
int iommufd_acct_charge(struct iommufd_acct *acct, unsigned long npages)
{
	if (!npages)
		return 0;
	if (acct->mode == IOMMUFD_ACCT_USER)
		return charge_user(acct, npages);

	/*
	 * account_locked_vm() checks current's limit and capabilities, and
	 * needs the mm's address space to still exist.
	 */
	if (!mmget_not_zero(acct->mm))
		return -EFAULT;
	if (account_locked_vm(acct->mm, npages, true)) {
		mmput(acct->mm);
		return -ENOMEM;
	}
	mmput(acct->mm);
	return 0;
}

/**
 * iommufd_acct_uncharge() - Undo iommufd_acct_charge()
 * @acct: where the pages were charged
 * @npages: how many pages were unpinned
 */
void iommufd_acct_uncharge(struct iommufd_acct *acct, unsigned long npages)
{
	if (!npages)
		return;
	if (acct->mode == IOMMUFD_ACCT_USER) {
		atomic_long_sub(npages, &acct->user->locked_vm);
		atomic64_sub(npages, &acct->mm->pinned_vm);
		return;
	}

	/*
	 * The address space may be gone already (the fd outlived the
	 * process); then there is no VmLck left to lower.
	 */
	if (mmget_not_zero(acct->mm)) {
		account_locked_vm(acct->mm, npages, false);
		mmput(acct->mm);
	}
}
