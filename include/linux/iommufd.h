/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * iommufd kernel API for drivers that hand devices to userspace (VFIO,
 * the iommufd test driver): find the iommufd behind a file, bind a device
 * to it, attach it to an IOAS or HWPT, replace that, detach and unbind.
 *
 * Drivers of emulated and mediated devices, which reach memory with the
 * CPU rather than through an IOMMU, use an access instead of a device:
 * they attach it to an IOAS and read, write or pin memory by IOVA.
 */
#ifndef __LINUX_IOMMUFD_H
#define __LINUX_IOMMUFD_H

#include <linux/err.h>
#include <linux/types.h>

struct device;
struct file;
struct iommufd_access;
struct iommufd_ctx;
struct iommufd_device;
struct page;

/**
 * struct iommufd_access_ops - what iommufd needs from an access's driver
 * @needs_pin_pages: the driver calls iommufd_access_pin_pages(); IOASes it
 *	attaches to then keep every mapping PAGE_SIZE aligned
 * @unmap: drop every pin held in [@iova, @iova + @length - 1] before
 *	returning. Called when userspace unmaps IOVA the driver pins, and
 *	with (0, ULONG_MAX) when the access leaves its IOAS. Required with
 *	@needs_pin_pages. Must not call attach, replace or detach.
 */
struct iommufd_access_ops {
	u8 needs_pin_pages : 1;
	void (*unmap)(void *data, unsigned long iova, unsigned long length);
};

/* Flags of iommufd_access_rw() and iommufd_access_pin_pages() */
enum {
	IOMMUFD_ACCESS_RW_READ = 0,
	IOMMUFD_ACCESS_RW_WRITE = 1 << 0,
	/* The caller is a kthread; accepted, every caller is served alike */
	IOMMUFD_ACCESS_RW_KTHREAD = 1 << 1,
	/* Test interface only: take the page-by-page path */
	__IOMMUFD_ACCESS_RW_SLOW_PATH = 1 << 2,
};

#if IS_ENABLED(CONFIG_IOMMUFD)
struct iommufd_ctx *iommufd_ctx_from_file(struct file *file);
struct iommufd_ctx *iommufd_ctx_from_fd(int fd);
void iommufd_ctx_get(struct iommufd_ctx *ctx);
void iommufd_ctx_put(struct iommufd_ctx *ctx);

struct iommufd_device *iommufd_device_bind(struct iommufd_ctx *ctx,
					   struct device *dev, u32 *id);
void iommufd_device_unbind(struct iommufd_device *idev);
int iommufd_device_attach(struct iommufd_device *idev, u32 *pt_id);
int iommufd_device_replace(struct iommufd_device *idev, u32 *pt_id);
void iommufd_device_detach(struct iommufd_device *idev);
int iommufd_device_pasid_attach(struct iommufd_device *idev, u32 pasid,
				u32 *pt_id);
int iommufd_device_pasid_replace(struct iommufd_device *idev, u32 pasid,
				 u32 *pt_id);
void iommufd_device_pasid_detach(struct iommufd_device *idev, u32 pasid);

int iommufd_vfio_compat_ioas(struct iommufd_ctx *ctx, u32 *ioas_id);

struct iommufd_access *
iommufd_access_create(struct iommufd_ctx *ctx,
		      const struct iommufd_access_ops *ops, void *data, u32 *id);
void iommufd_access_destroy(struct iommufd_access *access);
int iommufd_access_attach(struct iommufd_access *access, u32 ioas_id);
int iommufd_access_replace(struct iommufd_access *access, u32 ioas_id);
void iommufd_access_detach(struct iommufd_access *access);
int iommufd_access_pin_pages(struct iommufd_access *access,
			     unsigned long iova, unsigned long length,
			     struct page **out_pages, unsigned int flags);
void iommufd_access_unpin_pages(struct iommufd_access *access,
				unsigned long iova, unsigned long length);
int iommufd_access_rw(struct iommufd_access *access, unsigned long iova,
		      void *data, size_t length, unsigned int flags);
#else
static inline struct iommufd_ctx *iommufd_ctx_from_file(struct file *file)
{
	return ERR_PTR(-EBADFD);
}

static inline struct iommufd_ctx *iommufd_ctx_from_fd(int fd)
{
	return ERR_PTR(-EBADFD);
}

static inline void iommufd_ctx_get(struct iommufd_ctx *ctx)
{
}

static inline void iommufd_ctx_put(struct iommufd_ctx *ctx)
{
}

static inline struct iommufd_device *
iommufd_device_bind(struct iommufd_ctx *ctx, struct device *dev, u32 *id)
{
	return ERR_PTR(-EOPNOTSUPP);
}

static inline void iommufd_device_unbind(struct iommufd_device *idev)
{
}

static inline int iommufd_device_attach(struct iommufd_device *idev,
					u32 *pt_id)
{
	return -EOPNOTSUPP;
}

static inline int iommufd_device_replace(struct iommufd_device *idev,
					 u32 *pt_id)
{
	return -EOPNOTSUPP;
}

static inline void iommufd_device_detach(struct iommufd_device *idev)
{
}

static inline int iommufd_device_pasid_attach(struct iommufd_device *idev,
					      u32 pasid, u32 *pt_id)
{
	return -EOPNOTSUPP;
}

static inline int iommufd_device_pasid_replace(struct iommufd_device *idev,
					       u32 pasid, u32 *pt_id)
{
	return -EOPNOTSUPP;
}

static inline void iommufd_device_pasid_detach(struct iommufd_device *idev,
					       u32 pasid)
{
}

static inline int iommufd_vfio_compat_ioas(struct iommufd_ctx *ctx,
					   u32 *ioas_id)
{
	return -EOPNOTSUPP;
}

static inline struct iommufd_access *
iommufd_access_create(struct iommufd_ctx *ctx,
		      const struct iommufd_access_ops *ops, void *data, u32 *id)
{
	return ERR_PTR(-EOPNOTSUPP);
}

static inline void iommufd_access_destroy(struct iommufd_access *access)
{
}

static inline int iommufd_access_attach(struct iommufd_access *access,
					u32 ioas_id)
{
	return -EOPNOTSUPP;
}

static inline int iommufd_access_replace(struct iommufd_access *access,
					 u32 ioas_id)
{
	return -EOPNOTSUPP;
}

static inline void iommufd_access_detach(struct iommufd_access *access)
{
}

static inline int iommufd_access_pin_pages(struct iommufd_access *access,
					   unsigned long iova,
					   unsigned long length,
					   struct page **out_pages,
					   unsigned int flags)
{
	return -EOPNOTSUPP;
}

static inline void iommufd_access_unpin_pages(struct iommufd_access *access,
					      unsigned long iova,
					      unsigned long length)
{
}

static inline int iommufd_access_rw(struct iommufd_access *access,
				    unsigned long iova, void *data,
				    size_t length, unsigned int flags)
{
	return -EOPNOTSUPP;
}
#endif

#endif
