/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The IOAS object: an I/O page table userspace builds with IOMMU_IOAS_*.
 */
#ifndef __IOMMUFD_IOAS_H
#define __IOMMUFD_IOAS_H

#include <linux/list.h>
#include <linux/mutex.h>

#include "io_pagetable.h"
#include "object.h"

struct iommufd_ucmd;

/**
 * struct iommufd_ioas - an IOAS
 * @obj: the object header
 * @iopt: the I/O page table
 * @mutex: protects @hwpt_list; also serialises changes of the dirty
 *	tracking of those HWPTs (&iommufd_hwpt.dirty_tracking)
 * @hwpt_list: HWPTs whose domain mirrors @iopt (&iommufd_hwpt.ioas_item),
 *	the automatic ones candidates for devices attached to the IOAS
 *	directly
 */
struct iommufd_ioas {
	struct iommufd_object obj;
	struct io_pagetable iopt;
	struct mutex mutex;	/* see @mutex above */
	struct list_head hwpt_list;
};

/* Allocation and lookups rely on the header coming first. */
static_assert(offsetof(struct iommufd_ioas, obj) == 0);

/**
 * iommufd_get_ioas() - Look up an IOAS for the duration of an ioctl
 * @ctx: the context
 * @id: its ID
 *
 * Return: the IOAS, or ERR_PTR(-ENOENT). Release with iommufd_put_object().
 */
static inline struct iommufd_ioas *iommufd_get_ioas(struct iommufd_ctx *ctx,
						    u32 id)
{
	return container_of(iommufd_get_object(ctx, id, IOMMUFD_OBJ_IOAS),
			    struct iommufd_ioas, obj);
}

struct iommufd_ioas *iommufd_ioas_create(struct iommufd_ctx *ctx);
void iommufd_ioas_destroy(struct iommufd_object *obj);

int iommufd_ioas_alloc_ioctl(struct iommufd_ucmd *ucmd);
int iommufd_ioas_iova_ranges(struct iommufd_ucmd *ucmd);
int iommufd_ioas_allow_iovas(struct iommufd_ucmd *ucmd);
int iommufd_ioas_map(struct iommufd_ucmd *ucmd);
int iommufd_ioas_map_file(struct iommufd_ucmd *ucmd);
int iommufd_ioas_copy(struct iommufd_ucmd *ucmd);
int iommufd_ioas_unmap(struct iommufd_ucmd *ucmd);
int iommufd_ioas_option(struct iommufd_ucmd *ucmd);

#endif
