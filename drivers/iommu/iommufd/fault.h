/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The fault queue object: I/O page faults handed to userspace through a
 * file it reads them from and writes its answers to.
 */
#ifndef __IOMMUFD_FAULT_H
#define __IOMMUFD_FAULT_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/wait.h>
#include <linux/xarray.h>

#include "object.h"

struct device;
struct file;
struct iommu_fault;
struct iommufd_ucmd;

/**
 * struct iommufd_fault - a fault queue (IOMMUFD_OBJ_FAULT)
 * @obj: the object header; each HWPT that reports here and the open file
 *	hold a user reference
 * @ctx: the context, whose file the fault file holds a reference on
 * @filp: the file userspace reads faults from
 * @lock: protects @partial, @ready and @answering, and the groups on them
 * @partial: groups still waiting for their last fault
 * @ready: whole groups userspace has not read yet, oldest first
 * @answering: cookie -> group userspace read and must still answer
 * @next_cookie: where the search for a free cookie starts
 * @wait: woken when a group becomes ready
 *
 * A group is the set of page requests a device sent under one group ID,
 * closed by one marked last. It is answered as a whole, once: by userspace
 * through the file, or with IOMMU_PAGE_RESP_INVALID by the kernel when its
 * device stops using the queue first.
 */
struct iommufd_fault {
	struct iommufd_object obj;
	struct iommufd_ctx *ctx;
	struct file *filp;
	struct mutex lock;	/* see @lock above */
	struct list_head partial;
	struct list_head ready;
	struct xarray answering;
	u32 next_cookie;
	wait_queue_head_t wait;
};

/* Allocation and lookups rely on the header coming first. */
static_assert(offsetof(struct iommufd_fault, obj) == 0);

/**
 * iommufd_get_fault() - Look up a fault queue for the duration of an ioctl
 * @ctx: the context
 * @id: its ID
 *
 * Return: the queue, or ERR_PTR(-ENOENT).
 */
static inline struct iommufd_fault *iommufd_get_fault(struct iommufd_ctx *ctx,
						      u32 id)
{
	return container_of(iommufd_get_object(ctx, id, IOMMUFD_OBJ_FAULT),
			    struct iommufd_fault, obj);
}

int iommufd_fault_alloc_ioctl(struct iommufd_ucmd *ucmd);
void iommufd_fault_destroy(struct iommufd_object *obj);
int iommufd_fault_queue(struct iommufd_fault *fault, struct device *dev,
			u32 dev_id, const struct iommu_fault *evt);
void iommufd_fault_drop_dev(struct iommufd_fault *fault, struct device *dev);

#endif
