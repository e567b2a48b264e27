// SPDX-License-Identifier: GPL-2.0-only
/*
 * vEVENTQs (IOMMU_VEVENTQ_ALLOC): a vIOMMU's events, in the format of the
 * guest's IOMMU and naming the guest's IDs, read by the VMM from a file.
 *
 * The IOMMU driver hands each event to the IOMMU core, which calls the one
 * handler iommufd registers per vIOMMU for as long as it has a queue. The
 * handler runs in the driver's event thread: it never sleeps nor waits for
 * userspace. A record that cannot be allocated, or that a full queue has
 * no room for, is dropped; its sequence number is used up all the same, so
 * the gap tells the reader how many went, and until the next event is
 * queued a read ends with a header flagged IOMMU_VEVENTQ_FLAG_LOST_EVENTS.
 */
#include <linux/bits.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/iommu.h>
#include <linux/overflow.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <uapi/linux/iommufd.h>

#include "context.h"
#include "iommufd_test.h"
#include "obj_file.h"
#include "ucmd.h"
#include "veventq.h"
#include "viommu.h"

/* The deepest queue userspace may ask for, as newer mainline allows. */
#define VEVENTQ_MAX_DEPTH BIT(19)
/* The largest event a driver may report; a bigger one counts as lost. */
#define VEVENT_MAX_LEN 256

/*
 * One queued event: the header userspace reads and, right after it, the
 * driver's data; both go out in one copy.
 */
struct vevent_rec {
	struct list_head node;
	u32 len;
	struct iommufd_vevent_header hdr;
	u8 data[];
};

/* Use up the next sequence number, wrapping from INT_MAX to 0. */
static u32 next_sequence(struct iommufd_veventq *q)
{
	u32 seq = q->sequence;

	q->sequence = (seq + 1) & INT_MAX;
	return seq;
}

/*
 * Queue @rec on @q, or count it lost when it is NULL or @q is full.
 * Return: the record when @q did not take it, for the caller to free.
 */
static struct vevent_rec *veventq_push(struct iommufd_veventq *q,
				       struct vevent_rec *rec)
{
	spin_lock(&q->lock);
	if (!rec || q->count >= q->depth) {
		next_sequence(q);
		q->lost = true;
		spin_unlock(&q->lock);
		wake_up_interruptible(&q->wait);
		return rec;
	}
	rec->hdr.flags = 0;
	rec->hdr.sequence = next_sequence(q);
	list_add_tail(&rec->node, &q->events);
	q->count++;
	/* The gap in the numbers now says what was lost. */
	q->lost = false;
	spin_unlock(&q->lock);
	wake_up_interruptible(&q->wait);
	return NULL;
}

/*
 * The handler iommufd registers with the IOMMU core for a vIOMMU (@token)
 * that has a queue: routes the event to the queue of its type. An event
 * the queue drops (full, or no memory) is still taken: it is counted.
 */
static int veventq_handler(struct iommu_viommu *core, u32 type,
			   const void *data, size_t len, void *token)
{
	struct iommufd_viommu *viommu = token;
	struct iommufd_veventq *q;
	struct vevent_rec *rec = NULL;
	int rc = -EOPNOTSUPP;

	if (len <= VEVENT_MAX_LEN) {
		rec = kmalloc(struct_size(rec, data, len),
			      GFP_NOWAIT | __GFP_NOWARN);
		if (rec) {
			rec->len = len;
			memcpy(rec->data, data, len);
		}
	}

	spin_lock(&viommu->queues_lock);
	list_for_each_entry(q, &viommu->queues, viommu_item) {
		if (q->type == type) {
			rec = veventq_push(q, rec);
			rc = 0;
			break;
		}
	}
	spin_unlock(&viommu->queues_lock);
	kfree(rec);
	return rc;
}

/*
 * Whole events, oldest first, then the lost-events header if it is due;
 * 0 when there is nothing. Readers take turns on read_mutex and are the
 * only ones to take events off the list, so the first event stays put
 * while it is copied out without the spinlock.
 */
static ssize_t veventq_read(struct file *filp, char __user *buf,
			    size_t count, loff_t *ppos)
{
	struct iommufd_veventq *q = filp->private_data;
	struct iommufd_vevent_header lost_hdr = {
		.flags = IOMMU_VEVENTQ_FLAG_LOST_EVENTS,
	};
	struct vevent_rec *rec;
	size_t done = 0, need;
	const void *from;
	bool lost;
	int rc = 0;

	if (*ppos)
		return -ESPIPE;

	mutex_lock(&q->read_mutex);
	for (;;) {
		spin_lock(&q->lock);
		rec = list_first_entry_or_null(&q->events, struct vevent_rec,
					       node);
		lost = !rec && q->lost;
		lost_hdr.sequence = q->sequence;
		spin_unlock(&q->lock);
		if (!rec && !lost)
			break;

		if (rec) {
			need = sizeof(rec->hdr) + rec->len;
			from = &rec->hdr;
		} else {
			need = sizeof(lost_hdr);
			from = &lost_hdr;
		}
		if (count - done < need) {
			/* Never part of an event; nothing at all is an error. */
			if (!done)
				rc = -EINVAL;
			break;
		}
		if (copy_to_user(buf + done, from, need)) {
			rc = -EFAULT;
			break;
		}
		done += need;

		spin_lock(&q->lock);
		if (rec) {
			list_del(&rec->node);
			q->count--;
		} else if (q->sequence == lost_hdr.sequence) {
			/* Unless more were dropped meanwhile, it is told. */
			q->lost = false;
		}
		spin_unlock(&q->lock);
		if (!rec)
			break;
		kfree(rec);
	}
	mutex_unlock(&q->read_mutex);
	return done ? done : rc;
}

static __poll_t veventq_poll(struct file *filp, struct poll_table_struct *wait)
{
	struct iommufd_veventq *q = filp->private_data;
	__poll_t mask = 0;

	poll_wait(filp, &q->wait, wait);
	spin_lock(&q->lock);
	if (q->count || q->lost)
		mask = EPOLLIN | EPOLLRDNORM;
	spin_unlock(&q->lock);
	return mask;
}

static int veventq_release(struct inode *inode, struct file *filp)
{
	struct iommufd_veventq *q = filp->private_data;

	iommufd_obj_file_release(q->ctx, &q->obj);
	return 0;
}

static const struct file_operations veventq_fops = {
	.owner = THIS_MODULE,
	.read = veventq_read,
	.poll = veventq_poll,
	.release = veventq_release,
	.llseek = no_llseek,
};

/*
 * Take @q off its vIOMMU's list; the last queue to go unregisters the
 * handler. Once this returns, no handler touches @q.
 */
static void veventq_unlist(struct iommufd_veventq *q)
{
	struct iommufd_viommu *viommu = q->viommu;
	bool last;

	mutex_lock(&viommu->queues_mutex);
	if (!list_empty(&q->viommu_item)) {
		spin_lock(&viommu->queues_lock);
		list_del_init(&q->viommu_item);
		last = list_empty(&viommu->queues);
		spin_unlock(&viommu->queues_lock);
		if (last)
			iommu_viommu_set_event_handler(viommu->core, NULL, NULL);
	}
	mutex_unlock(&viommu->queues_mutex);
}

/**
 * iommufd_veventq_destroy() - Destroy function of vEVENTQ objects
 * @obj: the queue; its file is closed
 */
void iommufd_veventq_destroy(struct iommufd_object *obj)
{
	struct iommufd_veventq *q =
		container_of(obj, struct iommufd_veventq, obj);
	struct vevent_rec *rec, *next;

	veventq_unlist(q);
	list_for_each_entry_safe(rec, next, &q->events, node)
		kfree(rec);
	iommufd_unref_object(&q->viommu->obj);
	mutex_destroy(&q->read_mutex);
}

/*
 * The event types some driver of this kernel reports. A queue of another
 * type could never receive anything, so it is refused like an unknown
 * type elsewhere. A driver that reports a new type adds it here.
 */
static bool veventq_type_known(u32 type)
{
	switch (type) {
	case IOMMU_VEVENTQ_TYPE_ARM_SMMUV3:
	case IOMMU_VEVENTQ_TYPE_AMD:
		return true;
	case IOMMU_VEVENTQ_TYPE_SELFTEST:
		return IS_ENABLED(CONFIG_IOMMUFD_TEST);
	default:
		return false;
	}
}

/* Whether @viommu has a queue of @type; under its queues_mutex. */
static bool viommu_has_queue(struct iommufd_viommu *viommu, u32 type)
{
	struct iommufd_veventq *q;

	lockdep_assert_held(&viommu->queues_mutex);
	list_for_each_entry(q, &viommu->queues, viommu_item)
		if (q->type == type)
			return true;
	return false;
}

/*
 * Make @q's file and put @q on its vIOMMU's list, registering the handler
 * for the first queue. Nothing may fail after the file exists.
 */
static int veventq_open(struct iommufd_veventq *q, struct iommufd_ctx *ctx,
			int fdno)
{
	struct iommufd_viommu *viommu = q->viommu;
	struct file *filp;
	bool first;
	int rc = 0;

	mutex_lock(&viommu->queues_mutex);
	if (viommu_has_queue(viommu, q->type)) {
		rc = -EEXIST;
		goto out_unlock;
	}
	filp = iommufd_obj_file_open(ctx, &q->obj, "[iommufd-vevent]",
				     &veventq_fops, q, O_RDONLY);
	if (IS_ERR(filp)) {
		rc = PTR_ERR(filp);
		goto out_unlock;
	}
	spin_lock(&viommu->queues_lock);
	first = list_empty(&viommu->queues);
	list_add_tail(&q->viommu_item, &viommu->queues);
	spin_unlock(&viommu->queues_lock);
	if (first)
		iommu_viommu_set_event_handler(viommu->core, veventq_handler,
					       viommu);
	fd_install(fdno, filp);
out_unlock:
	mutex_unlock(&viommu->queues_mutex);
	return rc;
}

/**
 * iommufd_veventq_alloc_ioctl() - IOMMU_VEVENTQ_ALLOC
 * @ucmd: the ioctl
 *
 * Makes a queue for the events of one type of a vIOMMU and the file to
 * read them from. The file holds the queue, so IOMMU_DESTROY of it fails
 * with -EBUSY until the file is closed, and it holds the iommufd open; the
 * queue holds the vIOMMU.
 *
 * Return: 0, or -EOPNOTSUPP for non-zero flags or reserved field, the
 * DEFAULT type or a type no driver of this kernel reports; -EINVAL for a
 * depth of 0 or over 1 << 19; -ENOENT for an unknown vIOMMU; -EEXIST when
 * it has a queue of the type; -EMFILE, -ENOMEM, -EFAULT.
 */
int iommufd_veventq_alloc_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_veventq_alloc *cmd = ucmd->cmd;
	struct iommufd_viommu *viommu;
	struct iommufd_veventq *q;
	int fdno, rc;

	if (cmd->flags || cmd->__reserved || !veventq_type_known(cmd->type))
		return -EOPNOTSUPP;
	if (!cmd->veventq_depth || cmd->veventq_depth > VEVENTQ_MAX_DEPTH)
		return -EINVAL;

	viommu = iommufd_get_viommu(ucmd->ctx, cmd->viommu_id);
	if (IS_ERR(viommu))
		return PTR_ERR(viommu);
	/* Refuse a second queue of a type before making anything. */
	mutex_lock(&viommu->queues_mutex);
	rc = viommu_has_queue(viommu, cmd->type) ? -EEXIST : 0;
	mutex_unlock(&viommu->queues_mutex);
	if (rc)
		goto out_viommu;

	q = iommufd_object_alloc(ucmd->ctx, q, IOMMUFD_OBJ_VEVENTQ);
	if (IS_ERR(q)) {
		rc = PTR_ERR(q);
		goto out_viommu;
	}
	q->ctx = ucmd->ctx;
	q->viommu = viommu;
	iommufd_ref_object(&viommu->obj);
	INIT_LIST_HEAD(&q->viommu_item);
	q->type = cmd->type;
	q->depth = cmd->veventq_depth;
	mutex_init(&q->read_mutex);
	spin_lock_init(&q->lock);
	INIT_LIST_HEAD(&q->events);
	init_waitqueue_head(&q->wait);

	fdno = get_unused_fd_flags(O_CLOEXEC);
	if (fdno < 0) {
		rc = fdno;
		goto err_destroy;
	}
	cmd->out_veventq_id = q->obj.id;
	cmd->out_veventq_fd = fdno;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (!rc)
		rc = veventq_open(q, ucmd->ctx, fdno);
	if (rc) {
		put_unused_fd(fdno);
		goto err_destroy;
	}
	iommufd_object_finalize(ucmd->ctx, &q->obj);
	goto out_viommu;

err_destroy:
	iommufd_object_abort_and_destroy(ucmd->ctx, &q->obj);
out_viommu:
	iommufd_put_object(ucmd->ctx, &viommu->obj);
	return rc;
}
