// SPDX-License-Identifier: GPL-2.0-only
/*
 * Object IDs, lookups and lifetimes.
 *
 * An object is born reserved (its ID taken but invisible), becomes visible
 * with iommufd_object_finalize() and dies in two steps: hidden again, so
 * lookups fail, then destroyed once every short-term reference is gone.
 * Long-term references ("users") block destruction with -EBUSY instead of
 * being waited for, because userspace holds them and may never let go.
 */
#include <linux/err.h>
#include <linux/slab.h>

#include "object.h"

/**
 * iommufd_objects_init() - Set up the object table of a new /dev/iommu file
 * @table: the table to initialise
 * @ops: the destroy functions, indexed by &enum iommufd_object_type
 */
void iommufd_objects_init(struct iommufd_objects *table,
			  const struct iommufd_object_ops *ops)
{
	xa_init_flags(&table->xa, XA_FLAGS_ALLOC1 | XA_FLAGS_ACCOUNT);
	init_waitqueue_head(&table->destroy_wait);
	table->ops = ops;
}

/*
 * Run the type's functions while the ID is still taken (hidden or
 * reserved), so that whatever the layers above remember by ID (the VFIO
 * compat IOAS, say) is forgotten before a new object can get the same ID.
 */
static void object_teardown(struct iommufd_ctx *ctx,
			    struct iommufd_object *obj)
{
	const struct iommufd_object_ops *ops =
		&iommufd_objects(ctx)->ops[obj->type];

	if (ops->forget)
		ops->forget(ctx, obj);
	ops->destroy(obj);
}

static void object_free(struct iommufd_ctx *ctx, struct iommufd_object *obj)
{
	object_teardown(ctx, obj);
	xa_erase(&iommufd_objects(ctx)->xa, obj->id);
	kfree(obj);
}

/**
 * iommufd_objects_destroy_all() - Destroy every object, dependents first
 * @ctx: a context whose file is being released
 *
 * Objects depend on each other through their users counts (a device on its
 * HWPT, a HWPT on its IOAS), so each pass destroys the objects nobody else
 * uses, until none are left.
 */
void iommufd_objects_destroy_all(struct iommufd_ctx *ctx)
{
	struct iommufd_objects *table = iommufd_objects(ctx);

	while (!xa_empty(&table->xa)) {
		struct iommufd_object *obj;
		unsigned long id;
		bool progress = false;

		xa_for_each(&table->xa, id, obj) {
			if (!refcount_dec_if_one(&obj->users))
				continue;
			object_free(ctx, obj);
			progress = true;
		}
		if (WARN_ON(!progress))
			break;
	}
	xa_destroy(&table->xa);
}

/**
 * iommufd_object_alloc_size() - Allocate an object and reserve its ID
 * @ctx: the context
 * @size: size of the containing structure
 * @type: its type
 *
 * The ID is reserved but lookups do not find the object until
 * iommufd_object_finalize(); on failure call iommufd_object_abort().
 *
 * Return: the zeroed containing structure, or ERR_PTR(-ENOMEM) or ERR_PTR(-EBUSY) when no
 * ID is left.
 */
void *iommufd_object_alloc_size(struct iommufd_ctx *ctx, size_t size,
				enum iommufd_object_type type)
{
	struct iommufd_object *obj;
	int rc;

	obj = kzalloc(size, GFP_KERNEL_ACCOUNT);
	if (!obj)
		return ERR_PTR(-ENOMEM);
	obj->type = type;
	refcount_set(&obj->users, 1);
	refcount_set(&obj->shortterm, 1);
	rc = xa_alloc(&iommufd_objects(ctx)->xa, &obj->id, XA_ZERO_ENTRY,
		      xa_limit_31b, GFP_KERNEL_ACCOUNT);
	if (rc) {
		kfree(obj);
		return ERR_PTR(rc);
	}
	return obj;
}

/**
 * iommufd_object_finalize() - Make a new object visible to lookups
 * @ctx: the context
 * @obj: from iommufd_object_alloc_size(), fully set up
 */
void iommufd_object_finalize(struct iommufd_ctx *ctx,
			     struct iommufd_object *obj)
{
	void *old;

	old = xa_store(&iommufd_objects(ctx)->xa, obj->id, obj, GFP_KERNEL);
	/* The reserved slot already has its memory, so this cannot fail. */
	WARN_ON(old);
}

/**
 * iommufd_object_abort() - Free an object that was never finalized
 * @ctx: the context
 * @obj: from iommufd_object_alloc_size(), holding nothing that needs
 *	its type's destroy function
 */
void iommufd_object_abort(struct iommufd_ctx *ctx, struct iommufd_object *obj)
{
	xa_erase(&iommufd_objects(ctx)->xa, obj->id);
	kfree(obj);
}

/**
 * iommufd_object_abort_and_destroy() - Tear down an unfinalized object
 * @ctx: the context
 * @obj: set up far enough that its type's destroy function can run
 */
void iommufd_object_abort_and_destroy(struct iommufd_ctx *ctx,
				      struct iommufd_object *obj)
{
	object_teardown(ctx, obj);
	iommufd_object_abort(ctx, obj);
}

/**
 * iommufd_get_object() - Look up an object for the duration of an ioctl
 * @ctx: the context
 * @id: the ID userspace gave
 * @type: the required type, or %IOMMUFD_OBJ_ANY
 *
 * Return: the object with a short-term reference, to be dropped with
 * iommufd_put_object(), or ERR_PTR(-ENOENT) when no object of that type has
 * the ID (or it is being created or destroyed).
 */
struct iommufd_object *iommufd_get_object(struct iommufd_ctx *ctx, u32 id,
					  enum iommufd_object_type type)
{
	struct xarray *xa = &iommufd_objects(ctx)->xa;
	struct iommufd_object *obj;

	xa_lock(xa);
	obj = xa_load(xa, id);
	if (!obj || (type != IOMMUFD_OBJ_ANY && obj->type != type) ||
	    !refcount_inc_not_zero(&obj->shortterm))
		obj = ERR_PTR(-ENOENT);
	xa_unlock(xa);
	return obj;
}

/**
 * iommufd_put_object() - Drop the reference from iommufd_get_object()
 * @ctx: the context
 * @obj: the object
 */
void iommufd_put_object(struct iommufd_ctx *ctx, struct iommufd_object *obj)
{
	if (refcount_dec_and_test(&obj->shortterm))
		wake_up_all(&iommufd_objects(ctx)->destroy_wait);
}

/*
 * Hide @obj from lookups, wait until no ioctl uses it, and destroy it if
 * nothing took a long-term reference meanwhile.
 *
 * Whether it goes or is put back is decided under the table's lock:
 * iommufd_object_unref_destroy() drops a hidden object's reference without
 * destroying it, counting on the one that hid it to do so, so a reference
 * taken and dropped again while it was hidden must be seen here, or the
 * object would come back with nothing using it.
 */
static int destroy_hidden(struct iommufd_ctx *ctx, struct iommufd_object *obj)
{
	struct iommufd_objects *table = iommufd_objects(ctx);
	bool unused;

	if (!refcount_dec_and_test(&obj->shortterm))
		wait_event(table->destroy_wait,
			   refcount_read(&obj->shortterm) == 0);

	xa_lock(&table->xa);
	unused = refcount_dec_if_one(&obj->users);
	if (!unused) {
		refcount_set(&obj->shortterm, 1);
		/* The ID stayed reserved: no memory is needed to put it back. */
		WARN_ON(xa_is_err(__xa_store(&table->xa, obj->id, obj,
					     GFP_ATOMIC)));
	}
	xa_unlock(&table->xa);
	if (!unused)
		return -EBUSY;
	object_free(ctx, obj);
	return 0;
}

/**
 * iommufd_object_destroy_user() - IOMMU_DESTROY: destroy an object by ID
 * @ctx: the context
 * @id: the ID
 *
 * Return: 0, -ENOENT when there is no such object, -EBUSY while another
 * object or a kernel user depends on it.
 */
int iommufd_object_destroy_user(struct iommufd_ctx *ctx, u32 id)
{
	struct xarray *xa = &iommufd_objects(ctx)->xa;
	struct iommufd_object *obj;

	xa_lock(xa);
	obj = xa_load(xa, id);
	if (!obj) {
		xa_unlock(xa);
		return -ENOENT;
	}
	if (refcount_read(&obj->users) != 1) {
		xa_unlock(xa);
		return -EBUSY;
	}
	/* Storing NULL in an allocating xarray keeps the ID reserved. */
	__xa_store(xa, id, NULL, 0);
	xa_unlock(xa);
	return destroy_hidden(ctx, obj);
}

/**
 * iommufd_object_destroy_kernel() - Destroy an object a kernel user owns
 * @ctx: the context
 * @obj: the object; the caller still holds the long-term reference it took
 *	for itself and knows no other object depends on it
 *
 * The object leaves the table and the caller's reference is dropped in one
 * step, so an IOMMU_DESTROY of its ID racing with this cannot see it
 * unowned and free it first.
 *
 * Return: 0, or -EBUSY (with a warning) when something still uses it.
 */
int iommufd_object_destroy_kernel(struct iommufd_ctx *ctx,
				  struct iommufd_object *obj)
{
	struct xarray *xa = &iommufd_objects(ctx)->xa;

	xa_lock(xa);
	__xa_store(xa, obj->id, NULL, 0);
	refcount_dec(&obj->users);
	xa_unlock(xa);
	return WARN_ON(destroy_hidden(ctx, obj));
}

/**
 * iommufd_object_unref_destroy() - Drop a user reference, destroy if unused
 * @ctx: the context
 * @obj: an object the caller holds a user reference on
 *
 * For objects that exist only as long as something uses them, such as the
 * HWPT made automatically for a device attached to an IOAS.
 */
void iommufd_object_unref_destroy(struct iommufd_ctx *ctx,
				  struct iommufd_object *obj)
{
	struct xarray *xa = &iommufd_objects(ctx)->xa;

	xa_lock(xa);
	if (refcount_read(&obj->users) != 2 || xa_load(xa, obj->id) != obj) {
		refcount_dec(&obj->users);
		xa_unlock(xa);
		return;
	}
	__xa_store(xa, obj->id, NULL, 0);
	refcount_dec(&obj->users);
	xa_unlock(xa);
	destroy_hidden(ctx, obj);
}

/**
 * iommufd_object_unref_unless_last() - Drop a user reference unless it is
 *	the last besides the table's
 * @ctx: the context
 * @obj: an object the caller holds a user reference on
 *
 * For a caller that holds a lock the object's destruction takes, so that
 * it cannot call iommufd_object_unref_destroy() where it is. Decided under
 * the table's lock, by the same rule as iommufd_object_unref_destroy(), so
 * that the two cannot both see another reference and both only drop
 * theirs.
 *
 * Return: true when the reference was dropped; false when it is kept, the
 * last one besides the table's, for iommufd_object_unref_destroy() once
 * the caller has let go of its lock.
 */
bool iommufd_object_unref_unless_last(struct iommufd_ctx *ctx,
				      struct iommufd_object *obj)
{
	struct xarray *xa = &iommufd_objects(ctx)->xa;
	bool last;

	xa_lock(xa);
	last = refcount_read(&obj->users) == 2 && xa_load(xa, obj->id) == obj;
	if (!last)
		refcount_dec(&obj->users);
	xa_unlock(xa);
	return !last;
}
