// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fault queues: I/O page faults of devices attached to HWPTs allocated
 * with IOMMU_HWPT_FAULT_ID_VALID, for userspace to resolve.
 *
 * The device layer hands each page request of a device routed here to
 * iommufd_fault_queue(). Requests gather into groups, one per device and
 * group ID, until the one marked last arrives; then the group is ready.
 * read() hands out ready groups whole, one struct iommu_hwpt_pgfault per
 * request, each carrying the group's cookie; write() takes one struct
 * iommu_hwpt_page_response per group and passes the answer to the IOMMU.
 *
 * Lock order: the device layer's routing lock, then iommufd_fault.lock,
 * then the IOMMU core's per-device fault lock (iommu_page_response()).
 */
#include <linux/device.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/iommu.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <uapi/linux/iommufd.h>

#include "context.h"
#include "fault.h"
#include "obj_file.h"
#include "ucmd.h"

/* Requests a queue holds at most, so a device cannot exhaust memory. */
#define FAULT_QUEUE_MAX_REQUESTS 4096

/**
 * struct fault_group - page requests of one device under one group ID
 * @item: on &iommufd_fault.partial or .ready; empty once read
 * @dev: the device; valid while the group is queued, see
 *	iommufd_fault_drop_dev()
 * @dev_id: the device's object ID, for the records
 * @cookie: the ID userspace answers with, once read
 * @nr: requests in @reqs
 * @reqs: the requests, in arrival order; the last one closes the group
 */
struct fault_group {
	struct list_head item;
	struct device *dev;
	u32 dev_id;
	u32 cookie;
	unsigned int nr;
	struct iommu_fault_page_request *reqs;
};

static unsigned int queued_requests(struct iommufd_fault *fault)
{
	struct fault_group *group;
	unsigned long cookie;
	unsigned int n = 0;

	list_for_each_entry(group, &fault->partial, item)
		n += group->nr;
	list_for_each_entry(group, &fault->ready, item)
		n += group->nr;
	xa_for_each(&fault->answering, cookie, group)
		n += group->nr;
	return n;
}

static void group_free(struct fault_group *group)
{
	kfree(group->reqs);
	kfree(group);
}

/* The request the device waits on; PASID and group ID come from it. */
static const struct iommu_fault_page_request *
last_req(const struct fault_group *group)
{
	return &group->reqs[group->nr - 1];
}

/* Answer a whole group to its device. Called with the queue's lock held. */
static void group_answer(struct iommufd_fault *fault,
			 struct fault_group *group,
			 enum iommu_page_response_code code)
{
	const struct iommu_fault_page_request *req = last_req(group);
	struct iommu_page_response msg = {
		.argsz = sizeof(msg),
		.version = IOMMU_PAGE_RESP_VERSION_1,
		.pasid = req->pasid,
		.grpid = req->grpid,
		.code = code,
	};

	lockdep_assert_held(&fault->lock);
	if (req->flags & IOMMU_FAULT_PAGE_REQUEST_PASID_VALID)
		msg.flags = IOMMU_PAGE_RESP_PASID_VALID;
	/* Fails only when the IOMMU no longer waits for it: nothing to do. */
	iommu_page_response(group->dev, &msg);
}

static struct fault_group *partial_group(struct iommufd_fault *fault,
					 struct device *dev, u32 grpid)
{
	struct fault_group *group;

	list_for_each_entry(group, &fault->partial, item)
		if (group->dev == dev && group->reqs[0].grpid == grpid)
			return group;
	return NULL;
}

/**
 * iommufd_fault_queue() - Queue a page request of a device
 * @fault: the queue the device's HWPT reports to
 * @dev: the device; the caller keeps it routed to @fault until
 *	iommufd_fault_drop_dev()
 * @dev_id: its object ID
 * @evt: the fault the IOMMU reported
 *
 * May sleep.
 *
 * Return: 0, or -EOPNOTSUPP for a fault that is not a page request,
 * -ENOSPC when the queue is full, -ENOMEM.
 */
int iommufd_fault_queue(struct iommufd_fault *fault, struct device *dev,
			u32 dev_id, const struct iommu_fault *evt)
{
	const struct iommu_fault_page_request *req = &evt->prm;
	struct iommu_fault_page_request *reqs;
	struct fault_group *group;
	int rc = 0;

	if (evt->type != IOMMU_FAULT_PAGE_REQ)
		return -EOPNOTSUPP;

	mutex_lock(&fault->lock);
	group = partial_group(fault, dev, req->grpid);
	if (queued_requests(fault) >= FAULT_QUEUE_MAX_REQUESTS) {
		rc = -ENOSPC;
		goto err_drop;
	}
	if (!group) {
		group = kzalloc(sizeof(*group), GFP_KERNEL_ACCOUNT);
		if (!group) {
			rc = -ENOMEM;
			goto out_unlock;
		}
		group->dev = dev;
		group->dev_id = dev_id;
		list_add_tail(&group->item, &fault->partial);
	}
	reqs = krealloc_array(group->reqs, group->nr + 1, sizeof(*reqs),
			      GFP_KERNEL_ACCOUNT);
	if (!reqs) {
		rc = -ENOMEM;
		goto err_drop;
	}
	group->reqs = reqs;
	group->reqs[group->nr++] = *req;
	if (req->flags & IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE) {
		list_move_tail(&group->item, &fault->ready);
		wake_up_interruptible(&fault->wait);
	}
	goto out_unlock;

err_drop:
	/*
	 * A refused last request ends its group as far as the device is
	 * concerned: the requests gathered before it must not join a later
	 * group with the same ID.
	 */
	if (group && (!group->nr ||
		      req->flags & IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE)) {
		list_del(&group->item);
		group_free(group);
	}
out_unlock:
	mutex_unlock(&fault->lock);
	return rc;
}

/**
 * iommufd_fault_drop_dev() - Forget a device's requests
 * @fault: a queue the device was routed to
 * @dev: the device, no longer routed to @fault
 *
 * Every whole group of @dev, read or not, is answered as invalid so the
 * device stops waiting, and groups still missing their last request are
 * discarded. Answers userspace writes later for them fail with -EINVAL.
 */
void iommufd_fault_drop_dev(struct iommufd_fault *fault, struct device *dev)
{
	struct fault_group *group, *next;
	unsigned long cookie;

	mutex_lock(&fault->lock);
	list_for_each_entry_safe(group, next, &fault->partial, item) {
		if (group->dev != dev)
			continue;
		list_del(&group->item);
		group_free(group);
	}
	list_for_each_entry_safe(group, next, &fault->ready, item) {
		if (group->dev != dev)
			continue;
		list_del(&group->item);
		group_answer(fault, group, IOMMU_PAGE_RESP_INVALID);
		group_free(group);
	}
	xa_for_each(&fault->answering, cookie, group) {
		if (group->dev != dev)
			continue;
		xa_erase(&fault->answering, cookie);
		group_answer(fault, group, IOMMU_PAGE_RESP_INVALID);
		group_free(group);
	}
	mutex_unlock(&fault->lock);
}

static void fill_record(struct iommu_hwpt_pgfault *rec,
			const struct fault_group *group,
			const struct iommu_fault_page_request *req)
{
	memset(rec, 0, sizeof(*rec));
	if (req->flags & IOMMU_FAULT_PAGE_REQUEST_PASID_VALID)
		rec->flags |= IOMMU_PGFAULT_FLAGS_PASID_VALID;
	if (req->flags & IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE)
		rec->flags |= IOMMU_PGFAULT_FLAGS_LAST_PAGE;
	rec->dev_id = group->dev_id;
	rec->pasid = req->pasid;
	rec->grpid = req->grpid;
	/* The core's permission bits are the uAPI's, bit for bit. */
	rec->perm = req->perm & (IOMMU_PGFAULT_PERM_READ |
				 IOMMU_PGFAULT_PERM_WRITE |
				 IOMMU_PGFAULT_PERM_EXEC |
				 IOMMU_PGFAULT_PERM_PRIV);
	rec->addr = req->addr;
	rec->length = PAGE_SIZE;
	rec->cookie = group->cookie;
}

static int copy_group(char __user *buf, const struct fault_group *group)
{
	struct iommu_hwpt_pgfault rec;
	unsigned int i;

	for (i = 0; i != group->nr; i++) {
		fill_record(&rec, group, &group->reqs[i]);
		if (copy_to_user(buf + i * sizeof(rec), &rec, sizeof(rec)))
			return -EFAULT;
	}
	return 0;
}

/*
 * Whole ready groups, as many as fit; 0 when none is ready, -EINVAL when
 * the first one does not fit in @count.
 */
static ssize_t fault_read(struct file *filp, char __user *buf, size_t count,
			  loff_t *ppos)
{
	const size_t rec_size = sizeof(struct iommu_hwpt_pgfault);
	struct iommufd_fault *fault = filp->private_data;
	struct fault_group *group;
	size_t done = 0;
	int rc = 0;

	if (*ppos || count % rec_size)
		return -ESPIPE;

	mutex_lock(&fault->lock);
	while ((group = list_first_entry_or_null(&fault->ready,
						 struct fault_group, item))) {
		if (group->nr * rec_size > count - done) {
			if (!done)
				rc = -EINVAL;
			break;
		}
		/* Cyclic: a late answer to a dropped group finds no new one. */
		rc = xa_alloc_cyclic(&fault->answering, &group->cookie, group,
				     xa_limit_32b, &fault->next_cookie,
				     GFP_KERNEL_ACCOUNT);
		if (rc < 0)
			break;
		rc = 0;
		rc = copy_group(buf + done, group);
		if (rc) {
			xa_erase(&fault->answering, group->cookie);
			break;
		}
		list_del_init(&group->item);
		done += group->nr * rec_size;
	}
	mutex_unlock(&fault->lock);
	return done ? done : rc;
}

/* One answer per group read; stops at the first bad one. */
static ssize_t fault_write(struct file *filp, const char __user *buf,
			   size_t count, loff_t *ppos)
{
	const size_t resp_size = sizeof(struct iommu_hwpt_page_response);
	struct iommufd_fault *fault = filp->private_data;
	struct iommu_hwpt_page_response resp;
	struct fault_group *group;
	size_t done = 0;
	int rc = 0;

	if (*ppos || count % resp_size)
		return -ESPIPE;

	while (done < count) {
		if (copy_from_user(&resp, buf + done, resp_size)) {
			rc = -EFAULT;
			break;
		}
		if (resp.code != IOMMUFD_PAGE_RESP_SUCCESS &&
		    resp.code != IOMMUFD_PAGE_RESP_INVALID) {
			rc = -EINVAL;
			break;
		}
		/* Cookies start at 1: erasing 0 would free it for use. */
		if (!resp.cookie) {
			rc = -EINVAL;
			break;
		}
		mutex_lock(&fault->lock);
		group = xa_erase(&fault->answering, resp.cookie);
		if (group)
			group_answer(fault, group,
				     resp.code == IOMMUFD_PAGE_RESP_SUCCESS ?
				     IOMMU_PAGE_RESP_SUCCESS :
				     IOMMU_PAGE_RESP_INVALID);
		mutex_unlock(&fault->lock);
		if (!group) {
			rc = -EINVAL;
			break;
		}
		group_free(group);
		done += resp_size;
	}
	return done ? done : rc;
}

static __poll_t fault_poll(struct file *filp, struct poll_table_struct *wait)
{
	struct iommufd_fault *fault = filp->private_data;
	__poll_t mask = EPOLLOUT | EPOLLWRNORM;

	poll_wait(filp, &fault->wait, wait);
	mutex_lock(&fault->lock);
	if (!list_empty(&fault->ready))
		mask |= EPOLLIN | EPOLLRDNORM;
	mutex_unlock(&fault->lock);
	return mask;
}

static int fault_release(struct inode *inode, struct file *filp)
{
	struct iommufd_fault *fault = filp->private_data;

	iommufd_obj_file_release(fault->ctx, &fault->obj);
	return 0;
}

static const struct file_operations fault_fops = {
	.owner = THIS_MODULE,
	.read = fault_read,
	.write = fault_write,
	.poll = fault_poll,
	.release = fault_release,
	.llseek = no_llseek,
};

/**
 * iommufd_fault_destroy() - Destroy function of fault queues
 * @obj: the queue; its file is closed and no HWPT reports to it, so no
 *	device is routed to it and every group was dropped
 */
void iommufd_fault_destroy(struct iommufd_object *obj)
{
	struct iommufd_fault *fault =
		container_of(obj, struct iommufd_fault, obj);

	WARN_ON(!list_empty(&fault->partial) || !list_empty(&fault->ready) ||
		!xa_empty(&fault->answering));
	xa_destroy(&fault->answering);
	mutex_destroy(&fault->lock);
}

/**
 * iommufd_fault_alloc_ioctl() - IOMMU_FAULT_QUEUE_ALLOC
 * @ucmd: the ioctl
 *
 * Makes a fault queue and the file descriptor to use it through. The file
 * holds the queue, so IOMMU_DESTROY of it fails with -EBUSY until the file
 * is closed, and it holds the iommufd open.
 *
 * Return: 0, or -EOPNOTSUPP for non-zero flags, -EMFILE, -ENOMEM, -EFAULT.
 */
int iommufd_fault_alloc_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_fault_alloc *cmd = ucmd->cmd;
	struct iommufd_fault *fault;
	struct file *filp;
	int fdno, rc;

	if (cmd->flags)
		return -EOPNOTSUPP;

	fault = iommufd_object_alloc(ucmd->ctx, fault, IOMMUFD_OBJ_FAULT);
	if (IS_ERR(fault))
		return PTR_ERR(fault);
	fault->ctx = ucmd->ctx;
	mutex_init(&fault->lock);
	INIT_LIST_HEAD(&fault->partial);
	INIT_LIST_HEAD(&fault->ready);
	xa_init_flags(&fault->answering, XA_FLAGS_ALLOC1);
	init_waitqueue_head(&fault->wait);

	fdno = get_unused_fd_flags(O_CLOEXEC);
	if (fdno < 0) {
		rc = fdno;
		goto err_destroy;
	}
	cmd->out_fault_id = fault->obj.id;
	cmd->out_fault_fd = fdno;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto err_fd;

	filp = iommufd_obj_file_open(ucmd->ctx, &fault->obj,
				     "[iommufd-pgfault]", &fault_fops, fault,
				     O_RDWR);
	if (IS_ERR(filp)) {
		rc = PTR_ERR(filp);
		goto err_fd;
	}
	fault->filp = filp;
	fd_install(fdno, filp);
	iommufd_object_finalize(ucmd->ctx, &fault->obj);
	return 0;

err_fd:
	put_unused_fd(fdno);
err_destroy:
	iommufd_object_abort_and_destroy(ucmd->ctx, &fault->obj);
	return rc;
}
