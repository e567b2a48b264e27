// SPDX-License-Identifier: GPL-2.0-only
/*
 * Virtual IOMMUs: the part of a physical IOMMU a VMM hands to one guest.
 *
 * A guest that programs an emulated IOMMU names things by its own IDs:
 * the stream or requester ID it sees for a device, the cache tags of its
 * stage-1 tables. A virtual IOMMU is where a driver keeps what those IDs
 * mean on the physical IOMMU, so that nested domains, the guest's cache
 * invalidations and the events sent back to the guest can be translated.
 *
 * This file is the driver-independent half: checks, the common fields of
 * struct iommu_viommu, and the path from a driver's event handler to the
 * vIOMMU's owner. The owner (iommufd) sits above this layer and reaches
 * it only through these calls; events travel up through the handler it
 * registers.
 */
#include <linux/device.h>
#include <linux/err.h>
#include <linux/export.h>
#include <linux/iommu.h>

/*
 * Whether @dev sits behind the physical IOMMU @viommu is a slice of: a
 * driver casts a device's private data to its own type, so a device of
 * another IOMMU must never reach it.
 */
static bool viommu_has_dev(struct iommu_viommu *viommu, struct device *dev)
{
	return dev->iommu && dev->iommu->iommu_dev == viommu->iommu_dev;
}

/**
 * iommu_viommu_alloc() - Make a virtual IOMMU on a device's IOMMU
 * @dev: a device behind the physical IOMMU to slice
 * @parent: the stage 2 of the vIOMMU's nested domains, a paging domain of
 *	the same driver allocated with IOMMU_PAGING_NEST_PARENT; it must
 *	outlive the vIOMMU
 * @arg: the vIOMMU type (@arg->type) and the driver data of that type;
 *	@arg->len may be 0 for a type without data
 *
 * Return: the vIOMMU, or ERR_PTR(-ENODEV) when @dev has no IOMMU,
 * -EOPNOTSUPP when its driver has no vIOMMU of that type, -EINVAL for a
 * @parent it cannot use, or the driver's error.
 */
struct iommu_viommu *iommu_viommu_alloc(struct device *dev,
					struct iommu_domain *parent,
					const struct iommu_user_arg *arg)
{
	const struct iommu_ops *ops;
	struct iommu_viommu *viommu;

	if (!dev->iommu || !dev->iommu->iommu_dev)
		return ERR_PTR(-ENODEV);
	ops = dev_iommu_ops(dev);
	if (!ops->viommu_alloc)
		return ERR_PTR(-EOPNOTSUPP);
	if (parent->type != IOMMU_DOMAIN_UNMANAGED)
		return ERR_PTR(-EINVAL);

	viommu = ops->viommu_alloc(dev, parent, arg);
	if (IS_ERR_OR_NULL(viommu))
		return viommu ?: ERR_PTR(-ENOMEM);
	/* A driver bug; without a free op the vIOMMU can only leak. */
	if (WARN_ON_ONCE(!viommu->ops || !viommu->ops->free))
		return ERR_PTR(-EINVAL);
	viommu->iommu_dev = dev->iommu->iommu_dev;
	viommu->parent = parent;
	viommu->type = arg->type;
	init_rwsem(&viommu->event_lock);
	viommu->event_handler = NULL;
	viommu->event_token = NULL;
	return viommu;
}
EXPORT_SYMBOL_GPL(iommu_viommu_alloc);

/**
 * iommu_viommu_free() - Release a virtual IOMMU
 * @viommu: a vIOMMU with no nested domain, virtual device or event handler
 *	left
 */
void iommu_viommu_free(struct iommu_viommu *viommu)
{
	WARN_ON_ONCE(viommu->event_handler);
	viommu->ops->free(viommu);
}
EXPORT_SYMBOL_GPL(iommu_viommu_free);

/**
 * iommu_viommu_domain_alloc_nested() - A nested domain of a virtual IOMMU
 * @viommu: the vIOMMU, whose parent is the domain's stage 2
 * @dev: the device the domain is for, behind the vIOMMU's physical IOMMU
 * @arg: the driver-specific description of the guest's stage 1
 *
 * Like iommu_nested_domain_alloc(), but the domain shares the vIOMMU's
 * guest IDs. The vIOMMU must outlive it.
 *
 * Return: the domain, or ERR_PTR(-EOPNOTSUPP) when the vIOMMU makes no
 * nested domains or not of @arg's type, -EINVAL when @dev is behind
 * another IOMMU, or the driver's error.
 */
struct iommu_domain *
iommu_viommu_domain_alloc_nested(struct iommu_viommu *viommu,
				 struct device *dev,
				 const struct iommu_user_arg *arg)
{
	struct iommu_domain *domain;

	if (!viommu_has_dev(viommu, dev))
		return ERR_PTR(-EINVAL);
	if (!viommu->ops->domain_alloc_nested)
		return ERR_PTR(-EOPNOTSUPP);
	domain = viommu->ops->domain_alloc_nested(viommu, dev, arg);
	if (IS_ERR_OR_NULL(domain))
		return domain ?: ERR_PTR(-ENOMEM);
	/* A driver bug; without a free op the domain can only leak. */
	if (WARN_ON_ONCE(!domain->ops || !domain->ops->free))
		return ERR_PTR(-EINVAL);
	domain->type = IOMMU_DOMAIN_NESTED;
	domain->parent = viommu->parent;
	return domain;
}
EXPORT_SYMBOL_GPL(iommu_viommu_domain_alloc_nested);

/**
 * iommu_viommu_cache_invalidate() - Carry out a guest's invalidations
 * @viommu: the vIOMMU whose guest IDs the requests use
 * @reqs: the requests; @reqs->entry_num becomes the number handled
 *
 * Return: 0, -EOPNOTSUPP when the vIOMMU takes no invalidations, -EINVAL
 * when it does not know @reqs' type (nothing handled either way), or the
 * error of the first request that failed.
 */
int iommu_viommu_cache_invalidate(struct iommu_viommu *viommu,
				  struct iommu_user_array *reqs)
{
	if (!viommu->ops->cache_invalidate_user) {
		reqs->entry_num = 0;
		return -EOPNOTSUPP;
	}
	return viommu->ops->cache_invalidate_user(viommu, reqs);
}
EXPORT_SYMBOL_GPL(iommu_viommu_cache_invalidate);

/**
 * iommu_viommu_vdevice_add() - Tell a vIOMMU the guest's ID of a device
 * @viommu: the vIOMMU
 * @dev: a device behind the vIOMMU's physical IOMMU
 * @virt_id: the ID the guest's IOMMU knows @dev by (a vSID on SMMUv3)
 *
 * The caller keeps a device to at most one ID per vIOMMU and an ID to at
 * most one device, and calls iommu_viommu_vdevice_remove() before @dev
 * goes away. A driver that needs no per-device state has no op: then
 * only the checks are made.
 *
 * Return: 0, -EINVAL when @dev is behind another IOMMU or the driver
 * cannot take @virt_id, or the driver's error.
 */
int iommu_viommu_vdevice_add(struct iommu_viommu *viommu, struct device *dev,
			     u64 virt_id)
{
	if (!viommu_has_dev(viommu, dev))
		return -EINVAL;
	if (!viommu->ops->vdevice_add)
		return 0;
	return viommu->ops->vdevice_add(viommu, dev, virt_id);
}
EXPORT_SYMBOL_GPL(iommu_viommu_vdevice_add);

/**
 * iommu_viommu_vdevice_remove() - Forget the guest's ID of a device
 * @viommu: the vIOMMU
 * @dev: a device iommu_viommu_vdevice_add() gave an ID
 */
void iommu_viommu_vdevice_remove(struct iommu_viommu *viommu,
				 struct device *dev)
{
	if (viommu->ops->vdevice_remove)
		viommu->ops->vdevice_remove(viommu, dev);
}
EXPORT_SYMBOL_GPL(iommu_viommu_vdevice_remove);

/**
 * iommu_viommu_set_event_handler() - Choose where a vIOMMU's events go
 * @viommu: the vIOMMU
 * @handler: the receiver, or NULL to drop events from now on
 * @token: @handler's last argument
 *
 * Once this returns, no report is running in the previous handler.
 */
void iommu_viommu_set_event_handler(struct iommu_viommu *viommu,
				    iommu_viommu_event_handler_t handler,
				    void *token)
{
	down_write(&viommu->event_lock);
	viommu->event_handler = handler;
	viommu->event_token = token;
	up_write(&viommu->event_lock);
}
EXPORT_SYMBOL_GPL(iommu_viommu_set_event_handler);

/**
 * iommu_viommu_report_event() - Pass an event on to a vIOMMU's owner
 * @viommu: the vIOMMU of the device or guest ID the event concerns
 * @type: the layout of @data, one of the uAPI's enum iommu_veventq_type
 * @data: the event as the guest's IOMMU would log it: guest IDs in place
 * @len: bytes at @data
 *
 * For drivers, from the thread that reads the IOMMU's event log: it may
 * sleep briefly while a handler is being changed.
 *
 * Return: 0 when the owner took the event, -EOPNOTSUPP when nothing takes
 * events of @type on this vIOMMU (no handler, or the handler's answer).
 */
int iommu_viommu_report_event(struct iommu_viommu *viommu, u32 type,
			      const void *data, size_t len)
{
	int rc = -EOPNOTSUPP;

	might_sleep();
	down_read(&viommu->event_lock);
	if (viommu->event_handler)
		rc = viommu->event_handler(viommu, type, data, len,
					   viommu->event_token);
	up_read(&viommu->event_lock);
	return rc;
}
EXPORT_SYMBOL_GPL(iommu_viommu_report_event);
