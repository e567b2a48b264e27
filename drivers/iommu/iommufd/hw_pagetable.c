// SPDX-License-Identifier: GPL-2.0-only
/*
 * HWPTs: iommu_domains that carry an IOAS to hardware.
 */
#include <linux/device.h>
#include <linux/iommu.h>

#include "hw_pagetable.h"
#include "ioas.h"

/**
 * iommufd_hwpt_destroy() - Destroy function of HWPT objects
 * @obj: the HWPT; no device is attached any more
 */
void iommufd_hwpt_destroy(struct iommufd_object *obj)
{
	struct iommufd_hwpt *hwpt = container_of(obj, struct iommufd_hwpt, obj);
	struct iommufd_ioas *ioas = hwpt->ioas;

	if (!list_empty(&hwpt->ioas_item)) {
		mutex_lock(&ioas->mutex);
		list_del(&hwpt->ioas_item);
		mutex_unlock(&ioas->mutex);
	}
	if (hwpt->domain) {
		iopt_remove_domain(&ioas->iopt, hwpt->domain);
		iommu_domain_free(hwpt->domain);
	}
	iommufd_unref_object(&ioas->obj);
}

/**
 * iommufd_hwpt_create() - Make a HWPT for an IOAS, not yet finalized
 * @ctx: the context
 * @ioas: the IOAS to mirror
 * @dev: a device whose IOMMU will translate through the domain
 * @auto_domain: destroy it when its last device detaches
 *
 * Allocates an unmanaged domain from @dev's IOMMU and fills it with every
 * area of @ioas. The caller puts it on @ioas' hwpt_list, under the IOAS
 * mutex, once it is ready for devices to share, and then finalizes it or
 * aborts it with iommufd_object_abort_and_destroy().
 *
 * Return: the HWPT or an ERR_PTR.
 */
struct iommufd_hwpt *iommufd_hwpt_create(struct iommufd_ctx *ctx,
					 struct iommufd_ioas *ioas,
					 struct device *dev, bool auto_domain)
{
	struct iommufd_hwpt *hwpt;
	int rc;

	hwpt = iommufd_object_alloc(ctx, hwpt, IOMMUFD_OBJ_HWPT);
	if (IS_ERR(hwpt))
		return hwpt;
	INIT_LIST_HEAD(&hwpt->ioas_item);
	hwpt->ioas = ioas;
	hwpt->auto_domain = auto_domain;
	iommufd_ref_object(&ioas->obj);

	hwpt->domain = iommu_paging_domain_alloc(dev);
	if (IS_ERR(hwpt->domain)) {
		rc = PTR_ERR(hwpt->domain);
		hwpt->domain = NULL;
		goto err_abort;
	}
	rc = iopt_add_domain(&ioas->iopt, hwpt->domain);
	if (rc) {
		iommu_domain_free(hwpt->domain);
		hwpt->domain = NULL;
		goto err_abort;
	}
	return hwpt;

err_abort:
	iommufd_object_abort_and_destroy(ctx, &hwpt->obj);
	return ERR_PTR(rc);
}
