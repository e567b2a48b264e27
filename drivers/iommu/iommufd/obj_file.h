/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Objects userspace reaches through a file of their own: fault queues, DMA
 * fault queues and vEVENTQs. The file holds a user reference on its object
 * and a reference on the iommufd's file, so the object lives while the
 * file is open and the context lives while either does.
 */
#ifndef __IOMMUFD_OBJ_FILE_H
#define __IOMMUFD_OBJ_FILE_H

#include <linux/fs.h>

struct iommufd_ctx;
struct iommufd_object;

struct file *iommufd_obj_file_open(struct iommufd_ctx *ctx,
				   struct iommufd_object *obj,
				   const char *name,
				   const struct file_operations *fops,
				   void *priv, int flags);
void iommufd_obj_file_release(struct iommufd_ctx *ctx,
			      struct iommufd_object *obj);

#endif
