/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The access object: an emulated or mediated device's way into an IOAS.
 */
#ifndef __IOMMUFD_ACCESS_H
#define __IOMMUFD_ACCESS_H

#include <linux/mutex.h>

#include "object.h"

struct access_hook;
struct iommufd_access_ops;
struct iommufd_ioas;

/**
 * struct iommufd_access - a driver that reaches an IOAS with the CPU
 * @obj: the object header; the driver holds a user reference, so userspace
 *	cannot destroy it
 * @ctx: the context, whose file it holds a reference on
 * @ops: the driver's callbacks
 * @data: the driver's cookie for @ops
 * @attach_lock: serialises attach, replace and detach; protects @hook.
 *	Taken before @ioas_lock and before the IOAS's locks.
 * @ioas_lock: protects @ioas, @moving and @pins
 * @ioas: the IOAS it is attached to, with a user reference, or NULL
 * @moving: the access is leaving @ioas: no new pins or copies start, while
 *	the pins it holds there can still be dropped
 * @pins: pins the driver holds in @ioas; zero before the access moves, or
 *	the driver broke its promise to drop them
 * @hook: how @ioas' page table reaches the driver (its iopt_user)
 */
struct iommufd_access {
	struct iommufd_object obj;
	struct iommufd_ctx *ctx;
	const struct iommufd_access_ops *ops;
	void *data;
	struct mutex attach_lock;	/* see @attach_lock above */
	struct mutex ioas_lock;		/* protects ioas, moving, pins */
	struct iommufd_ioas *ioas;
	bool moving;
	unsigned long pins;
	struct access_hook *hook;
};

/* Allocation and lookups rely on the header coming first. */
static_assert(offsetof(struct iommufd_access, obj) == 0);

void iommufd_access_destroy_object(struct iommufd_object *obj);

#endif
