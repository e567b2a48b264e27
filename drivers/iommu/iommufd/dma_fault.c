// SPDX-License-Identifier: GPL-2.0-only
/*
 * DMA fault queues: the unrecoverable DMA faults the IOMMU core hands to
 * the domains of an iommufd, as struct iommu_dma_fault_event records that
 * userspace reads from a file (IOMMU_DMA_FAULT_QUEUE_ALLOC, our uAPI).
 *
 * The core delivers each fault from a workqueue; the device layer turns
 * it into IDs and posts it here. Posting never waits for userspace: a full
 * queue drops the event and counts it, and the count goes out with the
 * next event queued.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/iommu.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <uapi/linux/iommufd.h>

#include "context.h"
#include "dma_fault.h"
#include "obj_file.h"
#include "ucmd.h"

#define DMA_FAULT_QUEUE_DEFAULT_DEPTH 256
#define DMA_FAULT_QUEUE_MAX_DEPTH 65536

/**
 * iommufd_dma_faults_init() - Set up a context's DMA fault state
 * @faults: its part of a new context
 */
void iommufd_dma_faults_init(struct iommufd_dma_faults *faults)
{
	mutex_init(&faults->lock);
}

/**
 * iommufd_dma_faults_destroy() - Tear down a context's DMA fault state
 * @faults: its part of a context whose objects are all destroyed
 */
void iommufd_dma_faults_destroy(struct iommufd_dma_faults *faults)
{
	WARN_ON(faults->queue);
	mutex_destroy(&faults->lock);
}

static void event_fill(struct iommu_dma_fault_event *ev,
		       const struct iommu_dma_fault *fault, u32 dev_id,
		       u32 hwpt_id)
{
	memset(ev, 0, sizeof(*ev));
	if (fault->flags & IOMMU_DMA_FAULT_WRITE)
		ev->flags |= IOMMU_DMA_FAULT_EVENT_WRITE;
	if (fault->flags & IOMMU_DMA_FAULT_DIR_UNKNOWN)
		ev->flags |= IOMMU_DMA_FAULT_EVENT_DIR_UNKNOWN;
	if (fault->flags & IOMMU_DMA_FAULT_PASID_VALID) {
		ev->flags |= IOMMU_DMA_FAULT_EVENT_PASID_VALID;
		ev->pasid = fault->pasid;
	}
	if (fault->flags & IOMMU_DMA_FAULT_EXEC)
		ev->flags |= IOMMU_DMA_FAULT_EVENT_EXEC;
	if (fault->flags & IOMMU_DMA_FAULT_PRIV)
		ev->flags |= IOMMU_DMA_FAULT_EVENT_PRIV;
	ev->dev_id = dev_id;
	ev->hwpt_id = hwpt_id;
	ev->iova = fault->iova;
	ev->vendor = fault->vendor;
	ev->code = fault->code;
	ev->vendor_flags = fault->vendor_flags;
	memcpy(ev->raw, fault->raw, sizeof(ev->raw));
}

/**
 * iommufd_dma_fault_post() - Queue a DMA fault for userspace
 * @faults: the context's DMA fault state
 * @fault: the fault as the IOMMU core delivered it
 * @lost: faults the core dropped before it
 * @dev_id: the faulting device's object ID
 * @hwpt_id: the ID of the HWPT it was attached to
 *
 * Without a queue the fault is ignored. May sleep, briefly.
 */
void iommufd_dma_fault_post(struct iommufd_dma_faults *faults,
			    const struct iommu_dma_fault *fault, u32 lost,
			    u32 dev_id, u32 hwpt_id)
{
	struct iommufd_dma_fault_queue *q;
	struct iommu_dma_fault_event *ev;

	mutex_lock(&faults->lock);
	q = faults->queue;
	if (!q)
		goto out_unlock;
	mutex_lock(&q->lock);
	/* The core's drops are anyone's: counted, but not numbered here. */
	q->lost = min_t(u64, (u64)q->lost + lost, U32_MAX);
	if (q->count == q->depth) {
		if (q->lost != U32_MAX)
			q->lost++;
		q->sequence++;
		mutex_unlock(&q->lock);
		goto out_unlock;
	}
	ev = &q->ring[(q->head + q->count) % q->depth];
	event_fill(ev, fault, dev_id, hwpt_id);
	ev->sequence = q->sequence++;
	if (q->lost) {
		ev->flags |= IOMMU_DMA_FAULT_EVENT_LOST;
		ev->lost = q->lost;
		q->lost = 0;
	}
	q->count++;
	mutex_unlock(&q->lock);
	wake_up_interruptible(&q->wait);
out_unlock:
	mutex_unlock(&faults->lock);
}

/* Events one read() copies out at most, through a buffer on the stack. */
#define QUEUE_READ_BATCH 4

/*
 * Whole events, oldest first; 0 when there is none. Events are copied out
 * of the ring under the lock and to userspace without it, so a reader the
 * copy stalls (a userfaultfd page) never holds up posting, which runs with
 * an IOMMU group's mutex held. Readers take turns on @read_lock; only they
 * move @head, so the events they copied are still there to consume.
 */
static ssize_t queue_read(struct file *filp, char __user *buf, size_t count,
			  loff_t *ppos)
{
	const size_t ev_size = sizeof(struct iommu_dma_fault_event);
	struct iommufd_dma_fault_queue *q = filp->private_data;
	struct iommu_dma_fault_event batch[QUEUE_READ_BATCH];
	unsigned int n, i;
	size_t done = 0;
	int rc = 0;

	if (*ppos)
		return -ESPIPE;
	if (count < ev_size)
		return -EINVAL;

	mutex_lock(&q->read_lock);
	while (count - done >= ev_size) {
		mutex_lock(&q->lock);
		n = min_t(size_t, (count - done) / ev_size, QUEUE_READ_BATCH);
		n = min(n, q->count);
		for (i = 0; i != n; i++)
			batch[i] = q->ring[(q->head + i) % q->depth];
		mutex_unlock(&q->lock);
		if (!n)
			break;
		if (copy_to_user(buf + done, batch, n * ev_size)) {
			rc = -EFAULT;
			break;
		}
		mutex_lock(&q->lock);
		q->head = (q->head + n) % q->depth;
		q->count -= n;
		mutex_unlock(&q->lock);
		done += n * ev_size;
	}
	mutex_unlock(&q->read_lock);
	return done ? done : rc;
}

static __poll_t queue_poll(struct file *filp, struct poll_table_struct *wait)
{
	struct iommufd_dma_fault_queue *q = filp->private_data;
	__poll_t mask = 0;

	poll_wait(filp, &q->wait, wait);
	mutex_lock(&q->lock);
	if (q->count)
		mask = EPOLLIN | EPOLLRDNORM;
	mutex_unlock(&q->lock);
	return mask;
}

static int queue_release(struct inode *inode, struct file *filp)
{
	struct iommufd_dma_fault_queue *q = filp->private_data;

	iommufd_obj_file_release(q->ctx, &q->obj);
	return 0;
}

static const struct file_operations queue_fops = {
	.owner = THIS_MODULE,
	.read = queue_read,
	.poll = queue_poll,
	.release = queue_release,
	.llseek = no_llseek,
};

/**
 * iommufd_dma_fault_queue_destroy() - Destroy function of DMA fault queues
 * @obj: the queue; its file is closed
 */
void iommufd_dma_fault_queue_destroy(struct iommufd_object *obj)
{
	struct iommufd_dma_fault_queue *q =
		container_of(obj, struct iommufd_dma_fault_queue, obj);
	struct iommufd_dma_faults *faults = &q->ctx->dma_faults;

	mutex_lock(&faults->lock);
	if (faults->queue == q)
		faults->queue = NULL;
	mutex_unlock(&faults->lock);
	kvfree(q->ring);
	mutex_destroy(&q->read_lock);
	mutex_destroy(&q->lock);
}

/**
 * iommufd_dma_fault_queue_alloc_ioctl() - IOMMU_DMA_FAULT_QUEUE_ALLOC
 * @ucmd: the ioctl
 *
 * Return: 0, or -EOPNOTSUPP for non-zero flags or reserved field, -EINVAL
 * for a depth over the maximum, -EEXIST when the context has a queue,
 * -EMFILE, -ENOMEM, -EFAULT.
 */
int iommufd_dma_fault_queue_alloc_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_dma_fault_queue_alloc *cmd = ucmd->cmd;
	struct iommufd_dma_faults *faults = &ucmd->ctx->dma_faults;
	struct iommufd_dma_fault_queue *q;
	struct file *filp;
	int fdno, rc;

	if (cmd->flags || cmd->__reserved)
		return -EOPNOTSUPP;
	if (cmd->depth > DMA_FAULT_QUEUE_MAX_DEPTH)
		return -EINVAL;

	q = iommufd_object_alloc(ucmd->ctx, q, IOMMUFD_OBJ_DMA_FAULT_QUEUE);
	if (IS_ERR(q))
		return PTR_ERR(q);
	q->ctx = ucmd->ctx;
	mutex_init(&q->lock);
	mutex_init(&q->read_lock);
	init_waitqueue_head(&q->wait);
	q->depth = cmd->depth ?: DMA_FAULT_QUEUE_DEFAULT_DEPTH;
	q->ring = kvcalloc(q->depth, sizeof(*q->ring), GFP_KERNEL_ACCOUNT);
	if (!q->ring) {
		rc = -ENOMEM;
		goto err_destroy;
	}

	fdno = get_unused_fd_flags(O_CLOEXEC);
	if (fdno < 0) {
		rc = fdno;
		goto err_destroy;
	}
	cmd->out_queue_id = q->obj.id;
	cmd->out_queue_fd = fdno;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto err_fd;

	mutex_lock(&faults->lock);
	if (faults->queue) {
		mutex_unlock(&faults->lock);
		rc = -EEXIST;
		goto err_fd;
	}
	filp = iommufd_obj_file_open(ucmd->ctx, &q->obj, "[iommufd-dma-fault]",
				     &queue_fops, q, O_RDONLY);
	if (IS_ERR(filp)) {
		mutex_unlock(&faults->lock);
		rc = PTR_ERR(filp);
		goto err_fd;
	}
	faults->queue = q;
	mutex_unlock(&faults->lock);
	fd_install(fdno, filp);
	iommufd_object_finalize(ucmd->ctx, &q->obj);
	return 0;

err_fd:
	put_unused_fd(fdno);
err_destroy:
	iommufd_object_abort_and_destroy(ucmd->ctx, &q->obj);
	return rc;
}
