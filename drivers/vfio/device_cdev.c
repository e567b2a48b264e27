// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/vfio/devices/vfioN: a VFIO device opened on its own, without a group
 * or a container, and bound to an iommufd by VFIO_DEVICE_BIND_IOMMUFD.
 *
 * A file starts unbound and refuses everything but the bind. Binding opens
 * the device (open_device()) and makes the file a full device file; the
 * last close closes and unbinds it. A device is opened through at most one
 * such file and never at the same time through its group: both would share
 * one open_device() with different owners of its DMA.
 */
#include <linux/cdev.h>
#include <linux/fs.h>
#include <linux/iommufd.h>
#include <linux/slab.h>
#include <linux/vfio.h>

#include "vfio.h"

/**
 * struct vfio_cdev_file - one open of a device character device
 * @device: the device, with a registration reference held
 * @ictx: the iommufd it is bound to; set before @bound
 * @bound: set once by a successful bind, read without a lock
 * @kvm_lock: protects @kvm
 * @kvm: the VM the kvm-vfio device linked this file to, or NULL; the
 *	device gets it at bind, as a group's devices get the group's at open
 */
struct vfio_cdev_file {
	struct vfio_device *device;
	struct iommufd_ctx *ictx;
	bool bound;
	spinlock_t kvm_lock;	/* protects @kvm */
	struct kvm *kvm;
};

static int vfio_cdev_open(struct inode *inode, struct file *filep)
{
	struct vfio_device *device =
		container_of(inode->i_cdev, struct vfio_device, cdev);
	struct vfio_cdev_file *cf;

	if (!vfio_device_try_get_registration(device))
		return -ENODEV;
	cf = kzalloc(sizeof(*cf), GFP_KERNEL_ACCOUNT);
	if (!cf) {
		vfio_device_put_registration(device);
		return -ENOMEM;
	}
	cf->device = device;
	spin_lock_init(&cf->kvm_lock);
	filep->private_data = cf;
	return 0;
}

static void vfio_cdev_close_device(struct vfio_cdev_file *cf)
{
	struct vfio_device *device = cf->device;

	mutex_lock(&device->dev_set->lock);
	if (device->ops->close_device)
		device->ops->close_device(device);
	vfio_iommufd_unbind(device);
	device->open_count = 0;
	device->cdev_opened = false;
	device->kvm = NULL;
	mutex_unlock(&device->dev_set->lock);
	module_put(device->dev->driver->owner);
}

static int vfio_cdev_release(struct inode *inode, struct file *filep)
{
	struct vfio_cdev_file *cf = filep->private_data;

	if (cf->bound) {
		vfio_cdev_close_device(cf);
		iommufd_ctx_put(cf->ictx);
	}
	vfio_device_put_registration(cf->device);
	kfree(cf);
	return 0;
}

static long vfio_cdev_bind(struct vfio_cdev_file *cf, void __user *arg)
{
	size_t minsz = offsetofend(struct vfio_device_bind_iommufd, out_devid);
	struct vfio_device *device = cf->device;
	struct vfio_device_bind_iommufd bind;
	struct iommufd_ctx *ictx;
	u32 devid;
	int ret;

	if (copy_from_user(&bind, arg, minsz))
		return -EFAULT;
	if (bind.argsz < minsz || bind.flags)
		return -EINVAL;

	ictx = iommufd_ctx_from_fd(bind.iommufd);
	if (IS_ERR(ictx))
		return PTR_ERR(ictx);

	mutex_lock(&device->dev_set->lock);
	/* Bound already, here or through another file: EINVAL. */
	if (cf->bound || device->cdev_opened) {
		ret = -EINVAL;
		goto err_unlock;
	}
	/* Open through its group, whose container owns the DMA: EBUSY. */
	if (device->open_count) {
		ret = -EBUSY;
		goto err_unlock;
	}
	if (!try_module_get(device->dev->driver->owner)) {
		ret = -ENODEV;
		goto err_unlock;
	}
	ret = vfio_iommufd_bind(device, ictx, &devid);
	if (ret)
		goto err_module;
	device->open_count = 1;
	device->cdev_opened = true;
	/* As for a group: the driver takes its own reference in open. */
	spin_lock(&cf->kvm_lock);
	device->kvm = cf->kvm;
	spin_unlock(&cf->kvm_lock);
	if (device->ops->open_device) {
		ret = device->ops->open_device(device);
		if (ret)
			goto err_unbind;
	}
	mutex_unlock(&device->dev_set->lock);

	if (put_user(devid, &((struct vfio_device_bind_iommufd __user *)
			      arg)->out_devid)) {
		vfio_cdev_close_device(cf);
		iommufd_ctx_put(ictx);
		return -EFAULT;
	}
	cf->ictx = ictx;
	/* Pairs with the acquire in every other file operation. */
	smp_store_release(&cf->bound, true);
	return 0;

err_unbind:
	vfio_iommufd_unbind(device);
	device->open_count = 0;
	device->cdev_opened = false;
	device->kvm = NULL;
err_module:
	module_put(device->dev->driver->owner);
err_unlock:
	mutex_unlock(&device->dev_set->lock);
	iommufd_ctx_put(ictx);
	return ret;
}

/*
 * Attach a PASID of the device, or move it when an earlier ATTACH put it on
 * a page table already, as ATTACH does for the RID. *@fresh says which, so
 * that a failure to report the result can undo a fresh attach. An emulated
 * device has no PASIDs.
 */
static int vfio_cdev_pasid_attach(struct vfio_device *device, u32 pasid,
				  u32 *pt_id, bool *fresh)
{
	struct iommufd_device *idev = device->iommufd_device;
	int ret;

	lockdep_assert_held(&device->dev_set->lock);
	if (!idev)
		return -EOPNOTSUPP;
	*fresh = true;
	ret = iommufd_device_pasid_attach(idev, pasid, pt_id);
	if (ret != -EBUSY)
		return ret;
	/*
	 * The PASID is in use. When this binding has it, that is a replace;
	 * otherwise (an SVA bond) the replace finds nothing of ours there,
	 * and the answer stays -EBUSY.
	 */
	*fresh = false;
	ret = iommufd_device_pasid_replace(idev, pasid, pt_id);
	return ret == -EINVAL ? -EBUSY : ret;
}

/*
 * Read what VFIO_DEVICE_ATTACH_IOMMUFD_PT and _DETACH_IOMMUFD_PT take past
 * their first @minsz bytes: with @want_pasid, the PASID at @offset, which
 * argsz must then cover.
 */
static int vfio_cdev_get_pasid(void __user *arg, u32 argsz, size_t offset,
			       bool want_pasid, u32 *pasid)
{
	if (!want_pasid)
		return 0;
	if (argsz < offset + sizeof(*pasid))
		return -EINVAL;
	if (copy_from_user(pasid, arg + offset, sizeof(*pasid)))
		return -EFAULT;
	return 0;
}

static long vfio_cdev_attach(struct vfio_cdev_file *cf, void __user *arg)
{
	size_t minsz = offsetofend(struct vfio_device_attach_iommufd_pt, pt_id);
	struct vfio_device_attach_iommufd_pt attach;
	struct vfio_device *device = cf->device;
	bool was_attached, on_pasid, fresh;
	int ret;

	if (copy_from_user(&attach, arg, minsz))
		return -EFAULT;
	if (attach.argsz < minsz || attach.flags & ~VFIO_DEVICE_ATTACH_PASID)
		return -EINVAL;
	on_pasid = attach.flags & VFIO_DEVICE_ATTACH_PASID;
	/* Set at bind, before the file counts as bound. */
	if (on_pasid && !device->iommufd_device)
		return -EOPNOTSUPP;
	ret = vfio_cdev_get_pasid(arg, attach.argsz,
				  offsetof(struct vfio_device_attach_iommufd_pt,
					   pasid),
				  on_pasid, &attach.pasid);
	if (ret)
		return ret;

	mutex_lock(&device->dev_set->lock);
	was_attached = device->iommufd_attached;
	if (on_pasid)
		ret = vfio_cdev_pasid_attach(device, attach.pasid,
					     &attach.pt_id, &fresh);
	else
		ret = vfio_iommufd_attach(device, &attach.pt_id);
	if (ret)
		goto out_unlock;
	if (copy_to_user(arg + offsetof(struct vfio_device_attach_iommufd_pt,
					pt_id),
			 &attach.pt_id, sizeof(attach.pt_id))) {
		/* A fresh attach can be undone; a replacement cannot. */
		if (on_pasid && fresh)
			iommufd_device_pasid_detach(device->iommufd_device,
						    attach.pasid);
		else if (!on_pasid && !was_attached)
			vfio_iommufd_detach(device);
		ret = -EFAULT;
	}
out_unlock:
	mutex_unlock(&device->dev_set->lock);
	return ret;
}

static long vfio_cdev_detach(struct vfio_cdev_file *cf, void __user *arg)
{
	size_t minsz = offsetofend(struct vfio_device_detach_iommufd_pt, flags);
	struct vfio_device_detach_iommufd_pt detach;
	struct vfio_device *device = cf->device;
	bool on_pasid;
	int ret;

	if (copy_from_user(&detach, arg, minsz))
		return -EFAULT;
	if (detach.argsz < minsz || detach.flags & ~VFIO_DEVICE_DETACH_PASID)
		return -EINVAL;
	on_pasid = detach.flags & VFIO_DEVICE_DETACH_PASID;
	if (on_pasid && !device->iommufd_device)
		return -EOPNOTSUPP;
	ret = vfio_cdev_get_pasid(arg, detach.argsz,
				  offsetof(struct vfio_device_detach_iommufd_pt,
					   pasid),
				  on_pasid, &detach.pasid);
	if (ret)
		return ret;

	mutex_lock(&device->dev_set->lock);
	/* A PASID that is not attached is left as it is, as the RID is. */
	if (on_pasid)
		iommufd_device_pasid_detach(device->iommufd_device,
					    detach.pasid);
	else
		vfio_iommufd_detach(device);
	mutex_unlock(&device->dev_set->lock);
	return 0;
}

static bool vfio_cdev_bound(struct file *filep)
{
	struct vfio_cdev_file *cf = filep->private_data;

	/* Pairs with the release in vfio_cdev_bind(): cf->ictx is set. */
	return smp_load_acquire(&cf->bound);
}

static long vfio_cdev_ioctl(struct file *filep, unsigned int cmd,
			    unsigned long arg)
{
	struct vfio_cdev_file *cf = filep->private_data;
	void __user *uarg = (void __user *)arg;

	if (cmd == VFIO_DEVICE_BIND_IOMMUFD)
		return vfio_cdev_bind(cf, uarg);
	if (!vfio_cdev_bound(filep))
		return -EINVAL;

	switch (cmd) {
	case VFIO_DEVICE_ATTACH_IOMMUFD_PT:
		return vfio_cdev_attach(cf, uarg);
	case VFIO_DEVICE_DETACH_IOMMUFD_PT:
		return vfio_cdev_detach(cf, uarg);
	default:
		return vfio_device_ioctl(cf->device, cmd, arg);
	}
}

static ssize_t vfio_cdev_read(struct file *filep, char __user *buf,
			      size_t count, loff_t *ppos)
{
	struct vfio_cdev_file *cf = filep->private_data;

	if (!vfio_cdev_bound(filep) || !cf->device->ops->read)
		return -EINVAL;
	return cf->device->ops->read(cf->device, buf, count, ppos);
}

static ssize_t vfio_cdev_write(struct file *filep, const char __user *buf,
			       size_t count, loff_t *ppos)
{
	struct vfio_cdev_file *cf = filep->private_data;

	if (!vfio_cdev_bound(filep) || !cf->device->ops->write)
		return -EINVAL;
	return cf->device->ops->write(cf->device, buf, count, ppos);
}

static int vfio_cdev_mmap(struct file *filep, struct vm_area_struct *vma)
{
	struct vfio_cdev_file *cf = filep->private_data;

	if (!vfio_cdev_bound(filep) || !cf->device->ops->mmap)
		return -EINVAL;
	return cf->device->ops->mmap(cf->device, vma);
}

const struct file_operations vfio_device_cdev_fops = {
	.owner		= THIS_MODULE,
	.open		= vfio_cdev_open,
	.release	= vfio_cdev_release,
	.read		= vfio_cdev_read,
	.write		= vfio_cdev_write,
	.unlocked_ioctl	= vfio_cdev_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= vfio_cdev_mmap,
};

/**
 * vfio_cdev_file_device - The device behind a device cdev file
 * @file: any file
 *
 * Return: the device, valid while @file is, or NULL when @file is not an
 * open of a /dev/vfio/devices/ node.
 */
struct vfio_device *vfio_cdev_file_device(struct file *file)
{
	struct vfio_cdev_file *cf = file->private_data;

	return file->f_op == &vfio_device_cdev_fops ? cf->device : NULL;
}

/**
 * vfio_cdev_file_set_kvm - Link a device cdev file with a VM
 * @file: a file for which vfio_cdev_file_device() is not NULL
 * @kvm: the VM, or NULL to unlink
 *
 * A device bound afterwards is opened with @kvm in device->kvm; a device
 * bound already keeps what it was opened with, as a group's devices do.
 */
void vfio_cdev_file_set_kvm(struct file *file, struct kvm *kvm)
{
	struct vfio_cdev_file *cf = file->private_data;

	spin_lock(&cf->kvm_lock);
	cf->kvm = kvm;
	spin_unlock(&cf->kvm_lock);
}
