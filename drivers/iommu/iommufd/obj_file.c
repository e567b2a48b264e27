// SPDX-License-Identifier: GPL-2.0-only
/*
 * The anonymous files of objects that userspace reads or writes directly.
 *
 * The ioctl that makes such an object reserves a descriptor, reports it,
 * and only then opens the file with iommufd_obj_file_open(): once the file
 * exists nothing may fail, because only its release can drop what opening
 * it took. The caller then installs the descriptor and finalizes the
 * object.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>

#include "context.h"
#include "obj_file.h"

/**
 * iommufd_obj_file_open() - Make the file through which an object is used
 * @ctx: the context the object belongs to
 * @obj: the object, not yet finalized
 * @name: the anonymous inode's name, "[iommufd-...]"
 * @fops: the file's operations; their release must call
 *	iommufd_obj_file_release()
 * @priv: the file's private_data
 * @flags: O_RDONLY or O_RDWR
 *
 * On success the file holds a user reference on @obj, which makes
 * IOMMU_DESTROY of it fail with -EBUSY until the file is closed, and a
 * reference on @ctx's file.
 *
 * Return: the file, for the caller to fd_install(), or an ERR_PTR.
 */
struct file *iommufd_obj_file_open(struct iommufd_ctx *ctx,
				   struct iommufd_object *obj,
				   const char *name,
				   const struct file_operations *fops,
				   void *priv, int flags)
{
	struct file *filp;

	filp = anon_inode_getfile(name, fops, priv, flags);
	if (IS_ERR(filp))
		return filp;
	iommufd_ref_object(obj);
	get_file(ctx->file);
	return filp;
}

/**
 * iommufd_obj_file_release() - Drop what iommufd_obj_file_open() took
 * @ctx: the context
 * @obj: the object, which may be destroyed from now on
 *
 * For the file's release. Dropping the context's file reference may
 * release the context, and with it @obj: neither may be touched after.
 */
void iommufd_obj_file_release(struct iommufd_ctx *ctx,
			      struct iommufd_object *obj)
{
	struct file *ctx_file = ctx->file;

	iommufd_unref_object(obj);
	fput(ctx_file);
}
