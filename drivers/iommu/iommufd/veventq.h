/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The vEVENTQ object: one kind of a vIOMMU's events, read by the VMM
 * from a file and passed on to the guest.
 */
#ifndef __IOMMUFD_VEVENTQ_H
#define __IOMMUFD_VEVENTQ_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/wait.h>

#include "object.h"

struct iommufd_ucmd;
struct iommufd_viommu;

/**
 * struct iommufd_veventq - IOMMUFD_OBJ_VEVENTQ
 * @obj: the object header; its open file holds a user reference
 * @ctx: the context, whose file the queue's file holds a reference on
 * @viommu: the vIOMMU, with a user reference held
 * @viommu_item: on the vIOMMU's queues list from creation to destruction
 * @type: the enum iommu_veventq_type of the events it takes
 * @depth: how many events it holds before it drops new ones
 * @read_mutex: serialises readers, the only ones to take events off
 *	@events; a reader copies to userspace holding only this
 * @lock: protects @events, @count, @sequence and @lost; a spinlock, taken
 *	by the event handler inside the vIOMMU's queues_lock
 * @events: the unread events, oldest first
 * @count: how many are on @events
 * @sequence: the sequence number of the next event, dropped ones counted;
 *	wraps from INT_MAX to 0
 * @lost: events were dropped and none was queued since; the reader then
 *	ends with a header flagged IOMMU_VEVENTQ_FLAG_LOST_EVENTS
 * @wait: woken when there is something to read
 */
struct iommufd_veventq {
	struct iommufd_object obj;
	struct iommufd_ctx *ctx;
	struct iommufd_viommu *viommu;
	struct list_head viommu_item;
	u32 type;
	u32 depth;
	struct mutex read_mutex;	/* see @read_mutex above */
	spinlock_t lock;		/* see @lock above */
	struct list_head events;
	u32 count;
	u32 sequence;
	bool lost;
	wait_queue_head_t wait;
};

/* Allocation and lookups rely on the header coming first. */
static_assert(offsetof(struct iommufd_veventq, obj) == 0);

int iommufd_veventq_alloc_ioctl(struct iommufd_ucmd *ucmd);
void iommufd_veventq_destroy(struct iommufd_object *obj);

#endif
