/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Charging pinned memory to RLIMIT_MEMLOCK.
 *
 * The lowest layer of iommufd: it knows about users and mms, nothing about
 * IOVA or objects.
 */
#ifndef __IOMMUFD_ACCOUNT_H
#define __IOMMUFD_ACCOUNT_H

#include <linux/types.h>

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
 * struct iommufd_acct - where one set of pins was charged
 * @mode: the accounting mode chosen when the pins were taken
 * @user: the charged user, referenced
 * @mm: the mm that mapped the memory, grabbed (not its address space)
 * @bypass: the charging task had CAP_IPC_LOCK, so the limit is not enforced
 *
 * Captured once from current when memory is pinned, so that unpinning from
 * any context (another process closing the last fd) undoes exactly the
 * charge that was made.
 */
struct iommufd_acct {
	enum iommufd_acct_mode mode;
	struct user_struct *user;
	struct mm_struct *mm;
	bool bypass;
};

void iommufd_acct_init(struct iommufd_acct *acct, enum iommufd_acct_mode mode);
void iommufd_acct_release(struct iommufd_acct *acct);
int iommufd_acct_charge(struct iommufd_acct *acct, unsigned long npages);
void iommufd_acct_uncharge(struct iommufd_acct *acct, unsigned long npages);

#endif
