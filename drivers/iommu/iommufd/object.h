/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The per-file object table of /dev/iommu.
 *
 * Every object userspace can name (IOAS, HWPT, device, access, fault
 * queue, vIOMMU, vDEVICE, vEVENTQ, test objects) embeds a struct
 * iommufd_object and lives in its context's table under a u32 ID. This
 * layer knows nothing about what the objects are: each type's destroy
 * function reaches it through the ops table that the dispatch layer hands
 * to iommufd_objects_init().
 */
#ifndef __IOMMUFD_OBJECT_H
#define __IOMMUFD_OBJECT_H

#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/xarray.h>

enum iommufd_object_type {
	IOMMUFD_OBJ_NONE,
	IOMMUFD_OBJ_ANY = IOMMUFD_OBJ_NONE,
	IOMMUFD_OBJ_DEVICE,
	IOMMUFD_OBJ_HWPT,
	IOMMUFD_OBJ_IOAS,
	IOMMUFD_OBJ_ACCESS,
	IOMMUFD_OBJ_FAULT,
	IOMMUFD_OBJ_DMA_FAULT_QUEUE,
	IOMMUFD_OBJ_VIOMMU,
	IOMMUFD_OBJ_VDEVICE,
	IOMMUFD_OBJ_VEVENTQ,
	IOMMUFD_OBJ_SELFTEST,
	IOMMUFD_OBJ_MAX,
};

/**
 * struct iommufd_object - the part every object shares
 * @users: long-term references: one held by the table while the object is
 *	in it, one per object or kernel user that depends on it. IOMMU_DESTROY
 *	succeeds only while the table's is the only one.
 * @shortterm: references held for the duration of one ioctl, plus one held
 *	by the table. Destruction waits for the others to drain.
 * @type: what the object is
 * @id: its ID in the table
 */
struct iommufd_object {
	refcount_t users;
	refcount_t shortterm;
	enum iommufd_object_type type;
	u32 id;
};

struct iommufd_ctx;

/**
 * struct iommufd_object_ops - what the table needs to know about a type
 * @forget: optional; tells the layers above that the object is going, so
 *	that they drop whatever they remember of it by ID. Runs first, while
 *	the ID is still taken, so no new object can have it yet.
 * @destroy: release everything the object holds, except its own memory.
 *	Runs once the object is hidden from lookups and nobody uses it.
 */
struct iommufd_object_ops {
	void (*forget)(struct iommufd_ctx *ctx, struct iommufd_object *obj);
	void (*destroy)(struct iommufd_object *obj);
};

/**
 * struct iommufd_objects - the object table of one open /dev/iommu
 * @xa: ID -> object. An entry is XA_ZERO_ENTRY while its object is being
 *	created and NULL while it is being destroyed (the ID stays taken);
 *	its xa_lock orders lookups against destruction.
 * @destroy_wait: woken when a short-term reference is dropped
 * @ops: destroy functions per &enum iommufd_object_type
 *
 * The first member of &struct iommufd_ctx (context.h). This layer reaches a
 * context's table through iommufd_objects() and sees nothing else of the
 * context: the state of the layers above lives there, not here.
 */
struct iommufd_objects {
	struct xarray xa;
	wait_queue_head_t destroy_wait;
	const struct iommufd_object_ops *ops;
};

/**
 * iommufd_objects() - The object table of a context
 * @ctx: the context; its table is its first member
 *
 * Return: the table.
 */
static inline struct iommufd_objects *iommufd_objects(struct iommufd_ctx *ctx)
{
	return (struct iommufd_objects *)ctx;
}

void iommufd_objects_init(struct iommufd_objects *table,
			  const struct iommufd_object_ops *ops);
void iommufd_objects_destroy_all(struct iommufd_ctx *ctx);

void *iommufd_object_alloc_size(struct iommufd_ctx *ctx, size_t size,
				enum iommufd_object_type type);
/*
 * Allocate the object "ptr" points to, typed by the assignment; its struct
 * must embed "struct iommufd_object obj" as the first member.
 */
#define iommufd_object_alloc(ctx, ptr, type)                                \
	iommufd_object_alloc_size(ctx, sizeof(*(ptr)), type)
void iommufd_object_finalize(struct iommufd_ctx *ctx,
			     struct iommufd_object *obj);
void iommufd_object_abort(struct iommufd_ctx *ctx, struct iommufd_object *obj);
void iommufd_object_abort_and_destroy(struct iommufd_ctx *ctx,
				      struct iommufd_object *obj);

struct iommufd_object *iommufd_get_object(struct iommufd_ctx *ctx, u32 id,
					  enum iommufd_object_type type);
void iommufd_put_object(struct iommufd_ctx *ctx, struct iommufd_object *obj);

int iommufd_object_destroy_user(struct iommufd_ctx *ctx, u32 id);
int iommufd_object_destroy_kernel(struct iommufd_ctx *ctx,
				  struct iommufd_object *obj);

void iommufd_object_unref_destroy(struct iommufd_ctx *ctx,
				  struct iommufd_object *obj);
bool iommufd_object_unref_unless_last(struct iommufd_ctx *ctx,
				      struct iommufd_object *obj);

/**
 * iommufd_ref_object() - Take a long-term reference
 * @obj: an object the caller already holds some reference on
 */
static inline void iommufd_ref_object(struct iommufd_object *obj)
{
	refcount_inc(&obj->users);
}

/**
 * iommufd_tryget_object() - Take a long-term reference unless it is dying
 * @obj: an object reached through a list rather than a reference, which
 *	its destruction may already have emptied of users
 *
 * Return: true with a reference taken, false when the object is being
 * destroyed and must be treated as gone.
 */
static inline bool iommufd_tryget_object(struct iommufd_object *obj)
{
	return refcount_inc_not_zero(&obj->users);
}

/**
 * iommufd_unref_object() - Drop a reference from iommufd_ref_object() or
 *	iommufd_tryget_object()
 * @obj: the object; the table still holds its own reference
 */
static inline void iommufd_unref_object(struct iommufd_object *obj)
{
	refcount_dec(&obj->users);
}

#endif
