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

#include "account.h"

/**
 * iommufd_acct_init() - Capture current's identity for later charges
 * @acct: the record to fill
 * @mode: which counter the charges go to
 *
 * Must run in the context of the task whose memory will be pinned.
 */
void iommufd_acct_init(struct iommufd_acct *acct, enum iommufd_acct_mode mode)
{
	acct->mode = mode;
	acct->user = get_uid(current_user());
	acct->mm = current->mm;
	mmgrab(acct->mm);
	acct->bypass = capable(CAP_IPC_LOCK);
}

/**
 * iommufd_acct_release() - Drop the references iommufd_acct_init() took
 * @acct: the record; every charge must have been undone
 */
void iommufd_acct_release(struct iommufd_acct *acct)
{
	mmdrop(acct->mm);
	free_uid(acct->user);
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
 * @acct: where to charge, from iommufd_acct_init()
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
