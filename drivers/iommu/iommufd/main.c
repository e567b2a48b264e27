// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/iommu: the character device and its ioctl dispatch.
 *
 * The top of iommufd. Every ioctl argument starts with its size in a u32:
 * a shorter struct than the command's first version is -EINVAL, a longer
 * one is accepted when the bytes the kernel does not know are zero (else
 * -E2BIG), so old and new userspace and kernels interoperate.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/iommufd.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/nospec.h>
#include <linux/slab.h>
#include <uapi/linux/iommufd.h>
#include <uapi/linux/vfio.h>

#include "access.h"
#include "context.h"
#include "device.h"
#include "dma_fault.h"
#include "fault.h"
#include "hw_pagetable.h"
#include "ioas.h"
#include "selftest.h"
#include "ucmd.h"
#include "veventq.h"
#include "vfio_compat.h"
#include "viommu.h"
#include "iommufd_test.h"

static const struct iommufd_object_ops object_ops[IOMMUFD_OBJ_MAX] = {
	[IOMMUFD_OBJ_DEVICE] = { .destroy = iommufd_device_destroy },
	[IOMMUFD_OBJ_HWPT] = { .destroy = iommufd_hwpt_destroy },
	[IOMMUFD_OBJ_IOAS] = { .forget = iommufd_vfio_compat_forget,
			       .destroy = iommufd_ioas_destroy },
	[IOMMUFD_OBJ_ACCESS] = { .destroy = iommufd_access_destroy_object },
	[IOMMUFD_OBJ_FAULT] = { .destroy = iommufd_fault_destroy },
	[IOMMUFD_OBJ_DMA_FAULT_QUEUE] = {
		.destroy = iommufd_dma_fault_queue_destroy },
	[IOMMUFD_OBJ_VIOMMU] = { .destroy = iommufd_viommu_destroy },
	[IOMMUFD_OBJ_VDEVICE] = { .destroy = iommufd_vdevice_destroy },
	[IOMMUFD_OBJ_VEVENTQ] = { .destroy = iommufd_veventq_destroy },
#if IS_ENABLED(CONFIG_IOMMUFD_TEST)
	[IOMMUFD_OBJ_SELFTEST] = { .destroy = iommufd_test_obj_destroy },
#endif
};

static struct miscdevice vfio_container_cdev;

static int iommufd_open(struct inode *inode, struct file *filp)
{
	struct iommufd_ctx *ctx;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);
	if (!ctx)
		return -ENOMEM;
	iommufd_objects_init(&ctx->objects, object_ops);
	iommufd_device_ctx_init(ctx);
	iommufd_dma_faults_init(&ctx->dma_faults);
	ctx->file = filp;
	ctx->viommu_hooks = &iommufd_viommu_hooks;
	ctx->acct_mode = IOMMUFD_ACCT_USER;
	/* The misc core points private_data at the node that was opened. */
	if (filp->private_data == &vfio_container_cdev) {
		/* Type1 charged pins to locked_vm; its programs expect that. */
		ctx->acct_mode = IOMMUFD_ACCT_MM;
	}
	filp->private_data = ctx;
	return 0;
}

static int iommufd_release(struct inode *inode, struct file *filp)
{
	struct iommufd_ctx *ctx = filp->private_data;

	iommufd_objects_destroy_all(ctx);
	iommufd_dma_faults_destroy(&ctx->dma_faults);
	iommufd_device_ctx_destroy(ctx);
	kfree(ctx);
	return 0;
}

static int iommufd_destroy(struct iommufd_ucmd *ucmd)
{
	struct iommu_destroy *cmd = ucmd->cmd;

	return iommufd_object_destroy_user(ucmd->ctx, cmd->id);
}

static int option_rlimit_mode(struct iommufd_ucmd *ucmd)
{
	struct iommu_option *cmd = ucmd->cmd;
	struct iommufd_ctx *ctx = ucmd->ctx;
	int rc = 0;

	if (cmd->object_id)
		return -EOPNOTSUPP;
	switch (cmd->op) {
	case IOMMU_OPTION_OP_GET:
		cmd->val64 = READ_ONCE(ctx->acct_mode) == IOMMUFD_ACCT_MM;
		return 0;
	case IOMMU_OPTION_OP_SET:
		break;
	default:
		return -EOPNOTSUPP;
	}

	if (!capable(CAP_SYS_RESOURCE))
		return -EPERM;
	if (cmd->val64 > 1)
		return -EINVAL;
	/* Charges already made must be undone the way they were made. */
	xa_lock(&ctx->objects.xa);
	if (xa_empty(&ctx->objects.xa))
		WRITE_ONCE(ctx->acct_mode, cmd->val64 ? IOMMUFD_ACCT_MM :
							IOMMUFD_ACCT_USER);
	else
		rc = -EBUSY;
	xa_unlock(&ctx->objects.xa);
	return rc;
}

/* IOMMU_OPTION handlers by option_id; each leaves the value in val64. */
static int (*const option_handlers[])(struct iommufd_ucmd *ucmd) = {
	[IOMMU_OPTION_RLIMIT_MODE] = option_rlimit_mode,
	[IOMMU_OPTION_HUGE_PAGES] = iommufd_ioas_option,
};

static int iommufd_option(struct iommufd_ucmd *ucmd)
{
	const size_t n = ARRAY_SIZE(option_handlers);
	struct iommu_option *cmd = ucmd->cmd;
	int (*handler)(struct iommufd_ucmd *ucmd) = NULL;
	int rc;

	if (cmd->option_id < n)
		handler = option_handlers[array_index_nospec(cmd->option_id, n)];
	if (!handler || cmd->__reserved)
		return -EOPNOTSUPP;
	rc = handler(ucmd);
	/* SET reports the value it set, GET the value in force. */
	return rc ? rc : iommufd_ucmd_respond(ucmd, sizeof(*cmd));
}

/* Big enough for the argument of any command. */
union ucmd_buffer {
	struct iommu_destroy destroy;
	struct iommu_dma_fault_queue_alloc dma_fault_queue_alloc;
	struct iommu_fault_alloc fault_alloc;
	struct iommu_hw_info hw_info;
	struct iommu_hwpt_alloc hwpt_alloc;
	struct iommu_hwpt_get_dirty_bitmap get_dirty_bitmap;
	struct iommu_hwpt_invalidate invalidate;
	struct iommu_hwpt_set_dirty_tracking set_dirty_tracking;
	struct iommu_ioas_alloc ioas_alloc;
	struct iommu_ioas_allow_iovas allow_iovas;
	struct iommu_ioas_copy ioas_copy;
	struct iommu_ioas_iova_ranges iova_ranges;
	struct iommu_ioas_map map;
	struct iommu_ioas_map_file map_file;
	struct iommu_ioas_unmap unmap;
	struct iommu_ioas_unmap_dirty unmap_dirty;
	struct iommu_option option;
	struct iommu_vdevice_alloc vdevice_alloc;
	struct iommu_veventq_alloc veventq_alloc;
	struct iommu_vfio_ioas vfio_ioas;
	struct iommu_viommu_alloc viommu_alloc;
#if IS_ENABLED(CONFIG_IOMMUFD_TEST)
	struct iommu_test_cmd test;
#endif
};

/**
 * struct iommufd_ioctl_op - one command
 * @size: the kernel's struct size
 * @min_size: the size of the command's first version
 * @execute: the handler; NULL where the table has no command
 */
struct iommufd_ioctl_op {
	unsigned int size;
	unsigned int min_size;
	int (*execute)(struct iommufd_ucmd *ucmd);
};

/*
 * The table is indexed by command number from IOMMUFD_CMD_BASE, so that
 * finding a command costs the same for every one of them, also for the
 * VFIO type1 commands that share the ioctl type and go on to the compat
 * container. Every command is _IO(IOMMUFD_TYPE, number), so the number
 * alone tells the full ioctl.
 */
#define OP(_ioctl, _fn, _struct, _last)                                      \
	[_IOC_NR(_ioctl) - IOMMUFD_CMD_BASE] = {                             \
		.size = sizeof(_struct) +                                    \
			BUILD_BUG_ON_ZERO(sizeof(union ucmd_buffer) <        \
					  sizeof(_struct)),                  \
		.min_size = offsetofend(_struct, _last),                     \
		.execute = _fn,                                              \
	}

static const struct iommufd_ioctl_op ioctl_ops[] = {
	OP(IOMMU_DESTROY, iommufd_destroy, struct iommu_destroy, id),
	OP(IOMMU_IOAS_ALLOC, iommufd_ioas_alloc_ioctl,
	   struct iommu_ioas_alloc, out_ioas_id),
	OP(IOMMU_IOAS_ALLOW_IOVAS, iommufd_ioas_allow_iovas,
	   struct iommu_ioas_allow_iovas, allowed_iovas),
	OP(IOMMU_IOAS_COPY, iommufd_ioas_copy, struct iommu_ioas_copy,
	   src_iova),
	OP(IOMMU_IOAS_IOVA_RANGES, iommufd_ioas_iova_ranges,
	   struct iommu_ioas_iova_ranges, out_iova_alignment),
	OP(IOMMU_IOAS_MAP, iommufd_ioas_map, struct iommu_ioas_map, iova),
	OP(IOMMU_IOAS_MAP_FILE, iommufd_ioas_map_file,
	   struct iommu_ioas_map_file, iova),
	OP(IOMMU_IOAS_UNMAP, iommufd_ioas_unmap, struct iommu_ioas_unmap,
	   length),
	OP(IOMMU_OPTION, iommufd_option, struct iommu_option, val64),
	OP(IOMMU_VFIO_IOAS, iommufd_vfio_ioas, struct iommu_vfio_ioas,
	   __reserved),
	OP(IOMMU_HWPT_ALLOC, iommufd_hwpt_alloc_ioctl,
	   struct iommu_hwpt_alloc, __reserved),
	OP(IOMMU_GET_HW_INFO, iommufd_get_hw_info_ioctl, struct iommu_hw_info,
	   __reserved),
	OP(IOMMU_HWPT_SET_DIRTY_TRACKING, iommufd_hwpt_set_dirty_tracking,
	   struct iommu_hwpt_set_dirty_tracking, __reserved),
	OP(IOMMU_HWPT_GET_DIRTY_BITMAP, iommufd_hwpt_get_dirty_bitmap,
	   struct iommu_hwpt_get_dirty_bitmap, data),
	OP(IOMMU_IOAS_UNMAP_DIRTY, iommufd_ioas_unmap_dirty,
	   struct iommu_ioas_unmap_dirty, data),
	OP(IOMMU_DMA_FAULT_QUEUE_ALLOC, iommufd_dma_fault_queue_alloc_ioctl,
	   struct iommu_dma_fault_queue_alloc, __reserved),
	OP(IOMMU_HWPT_INVALIDATE, iommufd_hwpt_invalidate_ioctl,
	   struct iommu_hwpt_invalidate, __reserved),
	OP(IOMMU_FAULT_QUEUE_ALLOC, iommufd_fault_alloc_ioctl,
	   struct iommu_fault_alloc, out_fault_fd),
	OP(IOMMU_VIOMMU_ALLOC, iommufd_viommu_alloc_ioctl,
	   struct iommu_viommu_alloc, out_viommu_id),
	OP(IOMMU_VDEVICE_ALLOC, iommufd_vdevice_alloc_ioctl,
	   struct iommu_vdevice_alloc, virt_id),
	OP(IOMMU_VEVENTQ_ALLOC, iommufd_veventq_alloc_ioctl,
	   struct iommu_veventq_alloc, out_veventq_fd),
#if IS_ENABLED(CONFIG_IOMMUFD_TEST)
	OP(IOMMU_TEST_CMD, iommufd_test_cmd, struct iommu_test_cmd, last),
#endif
};

static long iommufd_ioctl(struct file *filp, unsigned int cmd,
			  unsigned long arg)
{
	/* Below IOMMUFD_CMD_BASE wraps to past the end of the table. */
	unsigned int nr = _IOC_NR(cmd) - IOMMUFD_CMD_BASE;
	const struct iommufd_ioctl_op *op = NULL;
	struct iommufd_ucmd ucmd = {};
	union ucmd_buffer buf;
	int rc;

	if (nr < ARRAY_SIZE(ioctl_ops) && ioctl_ops[nr].execute &&
	    cmd == _IO(IOMMUFD_TYPE, IOMMUFD_CMD_BASE + nr))
		op = &ioctl_ops[nr];
	if (!op) {
		if (_IOC_TYPE(cmd) == VFIO_TYPE)
			return iommufd_vfio_ioctl(filp->private_data, cmd, arg);
		return -ENOTTY;
	}

	ucmd.ctx = filp->private_data;
	ucmd.ubuffer = (void __user *)arg;
	rc = get_user(ucmd.user_size, (u32 __user *)ucmd.ubuffer);
	if (rc)
		return rc;
	if (ucmd.user_size < op->min_size)
		return -EINVAL;

	ucmd.cmd = &buf;
	rc = copy_struct_from_user(ucmd.cmd, op->size, ucmd.ubuffer,
				   ucmd.user_size);
	if (rc)
		return rc;
	return op->execute(&ucmd);
}

static const struct file_operations iommufd_fops = {
	.owner = THIS_MODULE,
	.open = iommufd_open,
	.release = iommufd_release,
	.unlocked_ioctl = iommufd_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

/**
 * iommufd_ctx_from_file() - The iommufd behind an open file
 * @file: a file the caller holds
 *
 * Return: the context with a reference on its file, to be dropped with
 * iommufd_ctx_put(), or ERR_PTR(-EBADFD) when @file is not an iommufd.
 */
struct iommufd_ctx *iommufd_ctx_from_file(struct file *file)
{
	struct iommufd_ctx *ctx;

	if (file->f_op != &iommufd_fops)
		return ERR_PTR(-EBADFD);
	ctx = file->private_data;
	get_file(ctx->file);
	return ctx;
}
EXPORT_SYMBOL_NS_GPL(iommufd_ctx_from_file, IOMMUFD);

/**
 * iommufd_ctx_from_fd() - The iommufd behind a file descriptor
 * @fd: a descriptor of the calling process
 *
 * Return: as iommufd_ctx_from_file(), or ERR_PTR(-EBADF) for a bad @fd.
 */
struct iommufd_ctx *iommufd_ctx_from_fd(int fd)
{
	struct iommufd_ctx *ctx;
	struct file *file;

	file = fget(fd);
	if (!file)
		return ERR_PTR(-EBADF);
	ctx = iommufd_ctx_from_file(file);
	fput(file);
	return ctx;
}
EXPORT_SYMBOL_NS_GPL(iommufd_ctx_from_fd, IOMMUFD);

/**
 * iommufd_ctx_get() - Take one more reference on a context
 * @ctx: a context the caller already holds a reference on
 */
void iommufd_ctx_get(struct iommufd_ctx *ctx)
{
	get_file(ctx->file);
}
EXPORT_SYMBOL_NS_GPL(iommufd_ctx_get, IOMMUFD);

/**
 * iommufd_ctx_put() - Drop a reference from iommufd_ctx_from_file() or
 *	iommufd_ctx_get()
 * @ctx: the context; freed when userspace has closed it too
 */
void iommufd_ctx_put(struct iommufd_ctx *ctx)
{
	fput(ctx->file);
}
EXPORT_SYMBOL_NS_GPL(iommufd_ctx_put, IOMMUFD);

/* Opened by root and by the group a distribution gives its VMMs. */
static struct miscdevice iommufd_cdev = {
	.name = "iommu",
	.nodename = "iommu",
	.minor = MISC_DYNAMIC_MINOR,
	.fops = &iommufd_fops,
	.mode = 0660,
};

/*
 * /dev/vfio/vfio for unmodified type1 programs: the same file type, which
 * charges pins to locked_vm when opened here. VFIO accepts it as a container.
 */
static struct miscdevice vfio_container_cdev = {
	.name = "vfio",
	.nodename = "vfio/vfio",
	.minor = VFIO_MINOR,
	.fops = &iommufd_fops,
	.mode = 0666,
};

/* The character devices, in registration order. */
static struct miscdevice *const char_nodes[] = {
	&iommufd_cdev,
#if IS_ENABLED(CONFIG_IOMMUFD_VFIO_CONTAINER)
	&vfio_container_cdev,
#endif
};

/* Deregister the first @n of char_nodes[], last registered first. */
static void char_nodes_remove(unsigned int n)
{
	while (n)
		misc_deregister(char_nodes[--n]);
}

static int __init iommufd_module_init(void)
{
	unsigned int added;
	int rc = 0;

	for (added = 0; added < ARRAY_SIZE(char_nodes) && !rc; added++)
		rc = misc_register(char_nodes[added]);
	/* On failure @added counts the node that failed too. */
	if (rc) {
		char_nodes_remove(added - 1);
		return rc;
	}
	/* The mock IOMMU of test kernels; a no-op otherwise. */
	rc = iommufd_test_init();
	if (rc)
		char_nodes_remove(added);
	return rc;
}
module_init(iommufd_module_init);

static void __exit iommufd_module_exit(void)
{
	iommufd_test_exit();
	char_nodes_remove(ARRAY_SIZE(char_nodes));
}
module_exit(iommufd_module_exit);

MODULE_DESCRIPTION("I/O address spaces for userspace (/dev/iommu)");
MODULE_LICENSE("GPL");
#if IS_ENABLED(CONFIG_IOMMUFD_VFIO_CONTAINER)
MODULE_ALIAS_MISCDEV(VFIO_MINOR);
MODULE_ALIAS("devname:vfio/vfio");
#endif
