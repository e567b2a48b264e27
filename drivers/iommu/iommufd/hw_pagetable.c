// SPDX-License-Identifier: GPL-2.0-only
/*
 * HWPTs: iommu_domains that carry an IOAS to hardware.
 */
#include <linux/device.h>
#include <linux/iommu.h>

#include "fault.h"
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
		if (!hwpt->parent)
			iopt_remove_domain(&ioas->iopt, hwpt->domain);
		/* A nested domain goes before the stage 2 it uses. */
		iommu_domain_free(hwpt->domain);
	}
	if (hwpt->fault)
		iommufd_unref_object(&hwpt->fault->obj);
	/* The vIOMMU's driver state went with the domain; it may go too. */
	if (hwpt->viommu_obj)
		iommufd_unref_object(hwpt->viommu_obj);
	if (hwpt->parent)
		iommufd_unref_object(&hwpt->parent->obj);
	iommufd_unref_object(&ioas->obj);
}

/*
 * An IOMMU that remaps MSIs in software (SMMUv3 in front of a GIC ITS)
 * reports an IOMMU_RESV_SW_MSI window: the doorbell gets mapped there, in
 * the domain the device is attached to, when its MSIs are set up. That
 * needs an MSI cookie on the domain. The window is reserved in the IOAS by
 * every attach, so no area can take its IOVA.
 */
static int hwpt_msi_cookie(struct iommu_domain *domain, struct device *dev)
{
	struct iommu_resv_region *resv;
	LIST_HEAD(regions);
	int rc = 0;

	iommu_get_resv_regions(dev, &regions);
	list_for_each_entry(resv, &regions, list) {
		if (resv->type != IOMMU_RESV_SW_MSI)
			continue;
		rc = iommu_get_msi_cookie(domain, resv->start);
		break;
	}
	iommu_put_resv_regions(dev, &regions);
	return rc;
}

/**
 * iommufd_hwpt_create() - Make a HWPT for an IOAS, not yet finalized
 * @ctx: the context
 * @ioas: the IOAS to mirror
 * @dev: a device whose IOMMU will translate through the domain
 * @paging_flags: IOMMU_PAGING_* demands on the domain
 * @auto_domain: destroy it when its last device detaches
 *
 * Allocates an unmanaged domain from @dev's IOMMU, blocking no-snoop DMA
 * if that IOMMU can and ready to translate MSIs if it does so in software,
 * and fills it with every area of @ioas. The caller puts it on @ioas'
 * hwpt_list, under the IOAS mutex, once it is ready for devices to share,
 * and then finalizes it or aborts it with
 * iommufd_object_abort_and_destroy().
 *
 * Return: the HWPT or an ERR_PTR.
 */
struct iommufd_hwpt *iommufd_hwpt_create(struct iommufd_ctx *ctx,
					 struct iommufd_ioas *ioas,
					 struct device *dev, u32 paging_flags,
					 bool auto_domain)
{
	struct iommufd_hwpt *hwpt;
	int rc;

	hwpt = iommufd_object_alloc(ctx, hwpt, IOMMUFD_OBJ_HWPT);
	if (IS_ERR(hwpt))
		return hwpt;
	INIT_LIST_HEAD(&hwpt->ioas_item);
	hwpt->ctx = ctx;
	hwpt->ioas = ioas;
	hwpt->auto_domain = auto_domain;
	iommufd_ref_object(&ioas->obj);

	hwpt->domain = iommu_paging_domain_alloc_flags(dev, paging_flags);
	if (IS_ERR(hwpt->domain)) {
		rc = PTR_ERR(hwpt->domain);
		hwpt->domain = NULL;
		goto err_abort;
	}
	hwpt->iommu_ops = dev_iommu_ops(dev);
	hwpt->nest_parent = paging_flags & IOMMU_PAGING_NEST_PARENT;
	/*
	 * Where the device's IOMMU can, make every DMA snoop, so that KVM
	 * may trust the guest's caches; only an empty domain can be told.
	 */
	if (device_iommu_capable(dev, IOMMU_CAP_ENFORCE_CACHE_COHERENCY)) {
		hwpt->enforce_cc = hwpt->domain->ops->enforce_cache_coherency &&
			hwpt->domain->ops->enforce_cache_coherency(hwpt->domain);
		if (!hwpt->enforce_cc) {
			rc = -EINVAL;
			goto err_domain;
		}
	}
	rc = hwpt_msi_cookie(hwpt->domain, dev);
	if (!rc)
		rc = iopt_add_domain(&ioas->iopt, hwpt->domain);
	if (rc)
		goto err_domain;
	return hwpt;

err_domain:
	iommu_domain_free(hwpt->domain);
	hwpt->domain = NULL;
err_abort:
	iommufd_object_abort_and_destroy(ctx, &hwpt->obj);
	return ERR_PTR(rc);
}
