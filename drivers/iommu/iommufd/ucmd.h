/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One ioctl call, as the object layers see it.
 */
#ifndef __IOMMUFD_UCMD_H
#define __IOMMUFD_UCMD_H

#include <linux/uaccess.h>

struct iommufd_ctx;

/**
 * struct iommufd_ucmd - an ioctl in flight
 * @ctx: the context it was issued on
 * @ubuffer: the user's argument structure
 * @user_size: its size as the user declared it in its first u32
 * @cmd: the kernel's copy, zero-extended to the kernel's struct size
 */
struct iommufd_ucmd {
	struct iommufd_ctx *ctx;
	void __user *ubuffer;
	u32 user_size;
	void *cmd;
};

/**
 * iommufd_ucmd_respond() - Copy the kernel's copy back to the user
 * @ucmd: the ioctl
 * @len: the kernel's struct size; no more than the user's size is written
 *
 * Return: 0 or -EFAULT.
 */
static inline int iommufd_ucmd_respond(struct iommufd_ucmd *ucmd, size_t len)
{
	if (copy_to_user(ucmd->ubuffer, ucmd->cmd,
			 min_t(size_t, ucmd->user_size, len)))
		return -EFAULT;
	return 0;
}

/**
 * iommufd_ucmd_answer_u64() - Write one output field back to the user
 * @ucmd: the ioctl
 * @field: a __u64 in the kernel's copy (@ucmd->cmd) that lies inside the
 *	command's first version, so inside what the user passed
 *
 * For a command whose only answer is @field: the rest of the user's
 * structure holds what the user wrote and is left alone, which spares
 * copying it back.
 *
 * Return: 0 or -EFAULT.
 */
static inline int iommufd_ucmd_answer_u64(struct iommufd_ucmd *ucmd,
					  const __u64 *field)
{
	size_t off = (const char *)field - (const char *)ucmd->cmd;

	if (put_user(*field, (__u64 __user *)(ucmd->ubuffer + off)))
		return -EFAULT;
	return 0;
}

#endif
