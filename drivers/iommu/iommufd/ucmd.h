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

#endif
