/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The DMA fault queue object: the unrecoverable DMA faults of an
 * iommufd's devices, as events userspace reads from a file.
 */
#ifndef __IOMMUFD_DMA_FAULT_H
#define __IOMMUFD_DMA_FAULT_H

#include <linux/mutex.h>
#include <linux/wait.h>

#include "object.h"

struct iommu_dma_fault;
struct iommu_dma_fault_event;
struct iommufd_ucmd;

/**
 * struct iommufd_dma_faults - a context's DMA fault state (its part of
 *	&struct iommufd_ctx)
 * @lock: protects @queue; taken with an IOMMU group's mutex held, by the
 *	IOMMU core's delivery of a fault
 * @queue: the context's queue, or NULL
 */
struct iommufd_dma_faults {
	struct mutex lock;	/* see @lock above */
	struct iommufd_dma_fault_queue *queue;
};

/**
 * struct iommufd_dma_fault_queue - IOMMUFD_OBJ_DMA_FAULT_QUEUE
 * @obj: the object header; its open file holds a user reference
 * @ctx: the context, whose file the queue's file holds a reference on
 * @read_lock: serialises readers, the only ones to move @head; taken
 *	before @lock
 * @lock: protects everything below; held only briefly, never across a
 *	copy to userspace
 * @ring: @depth events; @count of them from @head on are unread
 * @depth: the ring's size
 * @head: the oldest unread event
 * @count: unread events
 * @sequence: the sequence number of the next event; events this queue
 *	dropped took theirs
 * @lost: events dropped since the last one queued
 * @wait: woken when an event is queued
 */
struct iommufd_dma_fault_queue {
	struct iommufd_object obj;
	struct iommufd_ctx *ctx;
	struct mutex read_lock;	/* see @read_lock above */
	struct mutex lock;	/* see @lock above */
	struct iommu_dma_fault_event *ring;
	u32 depth;
	u32 head;
	u32 count;
	u64 sequence;
	u32 lost;
	wait_queue_head_t wait;
};

/* Allocation and lookups rely on the header coming first. */
static_assert(offsetof(struct iommufd_dma_fault_queue, obj) == 0);

void iommufd_dma_faults_init(struct iommufd_dma_faults *faults);
void iommufd_dma_faults_destroy(struct iommufd_dma_faults *faults);
int iommufd_dma_fault_queue_alloc_ioctl(struct iommufd_ucmd *ucmd);
void iommufd_dma_fault_queue_destroy(struct iommufd_object *obj);
void iommufd_dma_fault_post(struct iommufd_dma_faults *faults,
			    const struct iommu_dma_fault *fault, u32 lost,
			    u32 dev_id, u32 hwpt_id);

#endif
