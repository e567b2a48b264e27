// SPDX-License-Identifier: GPL-2.0-only
/*
 * Accesses: emulated and mediated devices reading an IOAS with the CPU.
 *
 * A device without an IOMMU of its own (a mediated vGPU, a VFIO mdev, the
 * test driver) still needs the guest's memory by IOVA. Its driver creates
 * an access, attaches it to an IOAS and then copies through it or pins the
 * pages behind a range. Pins hold off unmaps of that range: the IOAS asks
 * the driver, through its unmap callback, to drop them first.
 *
 * Lock order: iommufd_access.attach_lock, then io_pagetable.users_lock,
 * then the driver's own locks (its unmap callback runs there), then
 * iommufd_access.ioas_lock, then the io_pagetable's rwsem.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/iommufd.h>
#include <linux/slab.h>

#include "access.h"
#include "context.h"
#include "ioas.h"

/**
 * struct access_hook - an access's entry in one IOAS's list of CPU users
 * @user: what the page table sees
 * @access: the access
 *
 * A new one is made per attachment, so that an access moving between two
 * IOASes can be on both lists at once.
 */
struct access_hook {
	struct iopt_user user;
	struct iommufd_access *access;
};

static void hook_unmap(struct iopt_user *user, unsigned long iova,
		       unsigned long length)
{
	struct access_hook *hook = container_of(user, struct access_hook, user);
	struct iommufd_access *access = hook->access;

	access->ops->unmap(access->data, iova, length);
}

/*
 * Move @access from its IOAS to @to (either may be NULL). The driver is
 * asked to drop every pin in the old IOAS; between leaving it and joining
 * @to, pins and copies fail with -ENOENT.
 */
static int access_move(struct iommufd_access *access, struct iommufd_ioas *to)
{
	struct iommufd_ioas *from = access->ioas;
	struct access_hook *hook = NULL;
	int rc;

	lockdep_assert_held(&access->attach_lock);
	if (from == to)
		return 0;

	if (to) {
		hook = kzalloc(sizeof(*hook), GFP_KERNEL_ACCOUNT);
		if (!hook)
			return -ENOMEM;
		hook->access = access;
		hook->user.align = access->ops->needs_pin_pages ? PAGE_SIZE : 1;
		if (access->ops->unmap)
			hook->user.unmap = hook_unmap;
		rc = iopt_add_user(&to->iopt, &hook->user);
		if (rc) {
			kfree(hook);
			return rc;
		}
		iommufd_ref_object(&to->obj);
	}

	if (from) {
		mutex_lock(&access->ioas_lock);
		access->moving = true;
		mutex_unlock(&access->ioas_lock);
		if (access->ops->unmap)
			access->ops->unmap(access->data, 0, ULONG_MAX);
		/*
		 * A pin kept now stays counted in @from for good; forget it
		 * here so that a late unpin cannot land in @to.
		 */
		mutex_lock(&access->ioas_lock);
		if (WARN_ON(access->pins))
			access->pins = 0;
		mutex_unlock(&access->ioas_lock);
		iopt_remove_user(&from->iopt, &access->hook->user);
		kfree(access->hook);
	}

	mutex_lock(&access->ioas_lock);
	access->ioas = to;
	access->moving = false;
	mutex_unlock(&access->ioas_lock);
	access->hook = hook;
	if (from)
		iommufd_unref_object(&from->obj);
	return 0;
}

static int access_move_id(struct iommufd_access *access, u32 ioas_id)
{
	struct iommufd_ioas *ioas;
	int rc;

	ioas = iommufd_get_ioas(access->ctx, ioas_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	rc = access_move(access, ioas);
	iommufd_put_object(access->ctx, &ioas->obj);
	return rc;
}

/**
 * iommufd_access_destroy_object() - Destroy function of access objects
 * @obj: the access, detached by iommufd_access_destroy()
 */
void iommufd_access_destroy_object(struct iommufd_object *obj)
{
	struct iommufd_access *access =
		container_of(obj, struct iommufd_access, obj);

	WARN_ON(access->ioas);
	mutex_destroy(&access->ioas_lock);
	mutex_destroy(&access->attach_lock);
}

/**
 * iommufd_access_create() - Make an access for an emulated device
 * @ctx: the iommufd; the access holds a reference on it
 * @ops: the driver's callbacks, kept for the access's life
 * @data: passed to @ops
 * @id: out: the access's object ID
 *
 * Return: the access, not attached, or an ERR_PTR: -EINVAL when @ops asks
 * for pinning without an unmap callback, -ENOMEM.
 */
struct iommufd_access *
iommufd_access_create(struct iommufd_ctx *ctx,
		      const struct iommufd_access_ops *ops, void *data, u32 *id)
{
	struct iommufd_access *access;

	if (ops->needs_pin_pages && !ops->unmap)
		return ERR_PTR(-EINVAL);

	access = iommufd_object_alloc(ctx, access, IOMMUFD_OBJ_ACCESS);
	if (IS_ERR(access))
		return access;
	access->ctx = ctx;
	access->ops = ops;
	access->data = data;
	mutex_init(&access->attach_lock);
	mutex_init(&access->ioas_lock);
	get_file(ctx->file);
	/* The driver is a user until iommufd_access_destroy(). */
	iommufd_ref_object(&access->obj);
	iommufd_object_finalize(ctx, &access->obj);
	*id = access->obj.id;
	return access;
}
EXPORT_SYMBOL_NS_GPL(iommufd_access_create, IOMMUFD);

/**
 * iommufd_access_destroy() - Detach and free an access
 * @access: the access; the driver makes no further calls with it
 */
void iommufd_access_destroy(struct iommufd_access *access)
{
	struct iommufd_ctx *ctx = access->ctx;

	mutex_lock(&access->attach_lock);
	WARN_ON(access_move(access, NULL));
	mutex_unlock(&access->attach_lock);
	iommufd_object_destroy_kernel(ctx, &access->obj);
	fput(ctx->file);
}
EXPORT_SYMBOL_NS_GPL(iommufd_access_destroy, IOMMUFD);

/**
 * iommufd_access_attach() - Attach an access to an IOAS
 * @access: an access that is not attached
 * @ioas_id: the IOAS
 *
 * Return: 0, or -EINVAL when already attached, -ENOENT when @ioas_id is
 * not an IOAS, -EADDRINUSE when the access pins pages and the IOAS has
 * mappings that are not PAGE_SIZE aligned, -ENOMEM.
 */
int iommufd_access_attach(struct iommufd_access *access, u32 ioas_id)
{
	int rc = -EINVAL;

	mutex_lock(&access->attach_lock);
	if (!access->ioas)
		rc = access_move_id(access, ioas_id);
	mutex_unlock(&access->attach_lock);
	return rc;
}
EXPORT_SYMBOL_NS_GPL(iommufd_access_attach, IOMMUFD);

/**
 * iommufd_access_replace() - Move an attached access to another IOAS
 * @access: the access
 * @ioas_id: the new IOAS
 *
 * The driver's unmap callback drops every pin in the old IOAS first.
 *
 * Return: 0, or -ENOENT when @access is not attached or @ioas_id is not an
 * IOAS, or as iommufd_access_attach(). The access stays where it was on
 * error.
 */
int iommufd_access_replace(struct iommufd_access *access, u32 ioas_id)
{
	int rc = -ENOENT;

	mutex_lock(&access->attach_lock);
	if (access->ioas)
		rc = access_move_id(access, ioas_id);
	mutex_unlock(&access->attach_lock);
	return rc;
}
EXPORT_SYMBOL_NS_GPL(iommufd_access_replace, IOMMUFD);

/**
 * iommufd_access_detach() - Detach an access from its IOAS
 * @access: the access
 *
 * The driver's unmap callback drops every pin first.
 */
void iommufd_access_detach(struct iommufd_access *access)
{
	mutex_lock(&access->attach_lock);
	WARN_ON(!access->ioas);
	WARN_ON(access_move(access, NULL));
	mutex_unlock(&access->attach_lock);
}
EXPORT_SYMBOL_NS_GPL(iommufd_access_detach, IOMMUFD);

/*
 * The IOAS pins and copies may use now, or NULL while detached or moving.
 * Called with ioas_lock held.
 */
static struct iommufd_ioas *usable_ioas(struct iommufd_access *access)
{
	lockdep_assert_held(&access->ioas_lock);
	return access->moving ? NULL : access->ioas;
}

/**
 * iommufd_access_pin_pages() - Get the pages behind an IOVA range
 * @access: an access whose ops set needs_pin_pages
 * @iova: first IOVA
 * @length: bytes
 * @out_pages: one entry per page the range touches
 * @flags: %IOMMUFD_ACCESS_RW_WRITE when the driver will write to them
 *
 * The pages stay valid until iommufd_access_unpin_pages() with the same
 * @iova and @length, which the driver must call when its unmap callback
 * asks for the range.
 *
 * Return: 0, or -EINVAL for bad arguments or a range being unmapped,
 * -EOVERFLOW, -ENOENT when not attached or part of the range is not
 * mapped, -EPERM to write memory mapped read-only.
 */
int iommufd_access_pin_pages(struct iommufd_access *access,
			     unsigned long iova, unsigned long length,
			     struct page **out_pages, unsigned int flags)
{
	struct iommufd_ioas *ioas;
	int rc = -ENOENT;

	if (WARN_ON(!access->ops->needs_pin_pages))
		return -EINVAL;
	if (flags & ~IOMMUFD_ACCESS_RW_WRITE)
		return -EINVAL;

	mutex_lock(&access->ioas_lock);
	ioas = usable_ioas(access);
	if (ioas)
		rc = iopt_pin(&ioas->iopt, iova, length,
			      flags & IOMMUFD_ACCESS_RW_WRITE, out_pages);
	if (!rc)
		access->pins++;
	mutex_unlock(&access->ioas_lock);
	return rc;
}
EXPORT_SYMBOL_NS_GPL(iommufd_access_pin_pages, IOMMUFD);

/**
 * iommufd_access_unpin_pages() - Undo one iommufd_access_pin_pages()
 * @access: the access
 * @iova: the @iova that was pinned
 * @length: the @length that was pinned
 */
void iommufd_access_unpin_pages(struct iommufd_access *access,
				unsigned long iova, unsigned long length)
{
	mutex_lock(&access->ioas_lock);
	if (!WARN_ON(!access->ioas || !access->pins)) {
		iopt_unpin(&access->ioas->iopt, iova, length);
		access->pins--;
	}
	mutex_unlock(&access->ioas_lock);
}
EXPORT_SYMBOL_NS_GPL(iommufd_access_unpin_pages, IOMMUFD);

/**
 * iommufd_access_rw() - Copy between a kernel buffer and an IOVA range
 * @access: the access
 * @iova: first IOVA
 * @data: the kernel buffer
 * @length: bytes
 * @flags: %IOMMUFD_ACCESS_RW_WRITE to copy into the IOVA range, else out
 *	of it; %IOMMUFD_ACCESS_RW_KTHREAD is accepted
 *
 * Nothing is copied unless all of the range is mapped with the access
 * asked for. Memory not pinned yet is pinned while it is copied, a mapping
 * at a time; should that fail for a later mapping of the range, the parts
 * before it have been copied.
 *
 * Return: 0, or -EINVAL for zero length, unknown flags or a range being
 * unmapped, -EOVERFLOW, -ENOENT when not attached or part of the range is
 * not mapped, -EPERM to write memory mapped read-only, -ENOMEM or -EFAULT
 * when memory cannot be pinned.
 */
int iommufd_access_rw(struct iommufd_access *access, unsigned long iova,
		      void *data, size_t length, unsigned int flags)
{
	struct iommufd_ioas *ioas;
	int rc = -ENOENT;

	if (flags & ~(IOMMUFD_ACCESS_RW_WRITE | IOMMUFD_ACCESS_RW_KTHREAD |
		      __IOMMUFD_ACCESS_RW_SLOW_PATH))
		return -EINVAL;

	mutex_lock(&access->ioas_lock);
	ioas = usable_ioas(access);
	if (ioas)
		rc = iopt_rw(&ioas->iopt, iova, data, length,
			     flags & IOMMUFD_ACCESS_RW_WRITE);
	mutex_unlock(&access->ioas_lock);
	return rc;
}
EXPORT_SYMBOL_NS_GPL(iommufd_access_rw, IOMMUFD);
