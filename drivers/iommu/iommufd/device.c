// SPDX-License-Identifier: GPL-2.0-only
/*
 * Binding devices to an iommufd and attaching them to IOASes and HWPTs,
 * and the ioctls that start from a device: IOMMU_HWPT_ALLOC, which makes
 * a HWPT for it, and IOMMU_GET_HW_INFO, which describes its IOMMU.
 *
 * Lock order: iommufd_ioas.mutex, then iommufd_group.lock, then the
 * io_pagetable's rwsem. iommufd_ctx.groups_lock is taken alone.
 * iommufd_device.fault_lock is taken inside iommufd_group.lock and inside
 * the IOMMU core's fault reporting lock, and comes before the fault queue's
 * lock.
 */
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/iommu.h>
#include <linux/iommufd.h>
#include <linux/irqdomain.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <uapi/linux/iommufd.h>

#include "context.h"
#include "device.h"
#include "dma_fault.h"
#include "fault.h"
#include "hw_pagetable.h"
#include "ioas.h"
#include "ucmd.h"

static bool allow_unsafe_interrupts;
module_param(allow_unsafe_interrupts, bool, 0644);
MODULE_PARM_DESC(allow_unsafe_interrupts,
		 "Let devices whose MSIs are not isolated be bound (unsafe)");

#if IS_ENABLED(CONFIG_IOMMUFD_TEST)
/*
 * Test kernels only: a pause at points where another thread's destroy can
 * interleave, so that tests and the stress lane reach those races often.
 */
static unsigned int test_race_delay_us;
module_param(test_race_delay_us, uint, 0644);
MODULE_PARM_DESC(test_race_delay_us,
		 "Test kernels: pause this long inside attach's race windows");

static void test_race_window(void)
{
	unsigned int us = READ_ONCE(test_race_delay_us);

	if (us)
		usleep_range(us, us + us / 4 + 1);
}
#else
static inline void test_race_window(void)
{
}
#endif

static void group_release(struct kref *ref)
{
	struct iommufd_group *igroup =
		container_of(ref, struct iommufd_group, ref);

	lockdep_assert_held(&igroup->ctx->groups_lock);
	WARN_ON(igroup->hwpt || !list_empty(&igroup->attached));
	xa_erase(&igroup->ctx->groups, iommu_group_id(igroup->group));
	iommu_group_release_dma_owner(igroup->group);
	iommu_group_put(igroup->group);
	mutex_destroy(&igroup->lock);
	kfree(igroup);
}

/*
 * The context's record of @group, made on the first bind of one of its
 * devices: that is when the context claims the group's DMA ownership.
 * Consumes the caller's reference on @group.
 */
static struct iommufd_group *group_get(struct iommufd_ctx *ctx,
				       struct iommu_group *group)
{
	unsigned long index = iommu_group_id(group);
	struct iommufd_group *igroup;
	int rc;

	mutex_lock(&ctx->groups_lock);
	igroup = xa_load(&ctx->groups, index);
	if (igroup) {
		kref_get(&igroup->ref);
		iommu_group_put(group);
		goto out_unlock;
	}

	igroup = kzalloc(sizeof(*igroup), GFP_KERNEL_ACCOUNT);
	if (!igroup) {
		rc = -ENOMEM;
		goto err_group;
	}
	rc = iommu_group_claim_dma_owner(group, ctx);
	if (rc) {
		/* Another context or a VFIO container owns the group. */
		rc = -EBUSY;
		goto err_free;
	}
	kref_init(&igroup->ref);
	igroup->ctx = ctx;
	igroup->group = group;
	mutex_init(&igroup->lock);
	INIT_LIST_HEAD(&igroup->attached);
	rc = xa_err(xa_store(&ctx->groups, index, igroup, GFP_KERNEL_ACCOUNT));
	if (rc) {
		iommu_group_release_dma_owner(group);
		mutex_destroy(&igroup->lock);
		goto err_free;
	}
out_unlock:
	mutex_unlock(&ctx->groups_lock);
	return igroup;

err_free:
	kfree(igroup);
err_group:
	mutex_unlock(&ctx->groups_lock);
	iommu_group_put(group);
	return ERR_PTR(rc);
}

static void group_put(struct iommufd_group *igroup)
{
	struct iommufd_ctx *ctx = igroup->ctx;

	mutex_lock(&ctx->groups_lock);
	kref_put(&igroup->ref, group_release);
	mutex_unlock(&ctx->groups_lock);
}

/**
 * iommufd_device_ctx_init() - Set up the device layer's part of a context
 * @ctx: a new context
 */
void iommufd_device_ctx_init(struct iommufd_ctx *ctx)
{
	mutex_init(&ctx->groups_lock);
	mutex_init(&ctx->vdev_lock);
	xa_init(&ctx->groups);
	xa_init(&ctx->dev_ids);
}

/**
 * iommufd_device_ctx_destroy() - Tear down the device layer's part
 * @ctx: a context whose objects are all destroyed, so no group is left
 */
void iommufd_device_ctx_destroy(struct iommufd_ctx *ctx)
{
	WARN_ON(!xa_empty(&ctx->groups) || !xa_empty(&ctx->dev_ids));
	xa_destroy(&ctx->groups);
	xa_destroy(&ctx->dev_ids);
	mutex_destroy(&ctx->vdev_lock);
	mutex_destroy(&ctx->groups_lock);
}

/**
 * iommufd_device_destroy() - Destroy function of device objects
 * @obj: the device; detached and unbound
 */
void iommufd_device_destroy(struct iommufd_object *obj)
{
	struct iommufd_device *idev =
		container_of(obj, struct iommufd_device, obj);

	xa_erase(&idev->ctx->dev_ids, (unsigned long)idev->dev);
	WARN_ON(!xa_empty(&idev->pasids));
	xa_destroy(&idev->pasids);
	mutex_destroy(&idev->fault_lock);
	group_put(idev->igroup);
}

/*
 * The IOMMU core's delivery of a DMA fault of a device attached to the
 * domain of @token, a HWPT, with the device's group mutex held: the HWPT
 * and the device's binding outlive the call.
 */
static void hwpt_dma_fault(struct iommu_domain *domain, struct device *dev,
			   const struct iommu_dma_fault *fault, u32 lost,
			   void *token)
{
	struct iommufd_hwpt *hwpt = token;
	void *id = xa_load(&hwpt->ctx->dev_ids, (unsigned long)dev);

	iommufd_dma_fault_post(&hwpt->ctx->dma_faults, fault, lost,
			       id ? xa_to_value(id) : 0, hwpt->obj.id);
}

/* A new HWPT, before any device uses it, reports DMA faults to its context. */
static struct iommufd_hwpt *hwpt_watch(struct iommufd_hwpt *hwpt)
{
	if (!IS_ERR(hwpt))
		iommu_set_dma_fault_handler(hwpt->domain, hwpt_dma_fault, hwpt);
	return hwpt;
}

/*
 * The IOMMU core's handler of @dev's faults, registered at bind: page
 * requests go to the fault queue of the HWPT the device is attached to.
 * Runs under the core's per-device fault lock and may sleep.
 */
static int device_fault_handler(struct iommu_fault *evt, void *data)
{
	struct iommufd_device *idev = data;
	int rc = -ENODEV;

	mutex_lock(&idev->fault_lock);
	if (idev->fault)
		rc = iommufd_fault_queue(idev->fault, idev->dev, idev->obj.id,
					 evt);
	mutex_unlock(&idev->fault_lock);
	return rc;
}

/*
 * Send @idev's faults to @fault from now on. Requests the old queue holds
 * for the device are answered as invalid, so it does not wait for them.
 * Called under the group's lock, after the domain changed.
 */
static void device_route_faults(struct iommufd_device *idev,
				struct iommufd_fault *fault)
{
	struct iommufd_fault *old;

	mutex_lock(&idev->fault_lock);
	old = idev->fault;
	idev->fault = fault;
	mutex_unlock(&idev->fault_lock);
	if (old && old != fault)
		iommufd_fault_drop_dev(old, idev->dev);
}

/*
 * A device attached to a HWPT with a fault queue has its IOMMU's
 * recoverable faults (PCI PRI, stall) turned on for as long as it stays;
 * the driver refuses a device that cannot fault that way. A VF shares the
 * PRI interface of its PF, which answers a failed request for all of its
 * functions, so it is refused as in Linux 6.12. Called under the group's
 * lock.
 */
static int device_iopf_on(struct iommufd_device *idev,
			  struct iommufd_hwpt *hwpt)
{
	int rc;

	if (!hwpt->fault || idev->iopf_on)
		return 0;
	if (dev_is_pci(idev->dev) && to_pci_dev(idev->dev)->is_virtfn)
		return -EINVAL;
	rc = iommu_dev_enable_feature(idev->dev, IOMMU_DEV_FEAT_IOPF);
	if (rc)
		return rc;
	/* Another handler (SVA of a kernel driver) has the device's faults. */
	if (!idev->fault_handler) {
		iommu_dev_disable_feature(idev->dev, IOMMU_DEV_FEAT_IOPF);
		return -EBUSY;
	}
	idev->iopf_on = true;
	return 0;
}

/* Undo device_iopf_on() once the device no longer uses a fault queue. */
static void device_iopf_off(struct iommufd_device *idev)
{
	if (!idev->iopf_on)
		return;
	iommu_dev_disable_feature(idev->dev, IOMMU_DEV_FEAT_IOPF);
	idev->iopf_on = false;
}

/**
 * iommufd_device_bind() - Bind a device to an iommufd
 * @ctx: the iommufd; the caller keeps it alive until unbind
 * @dev: the device; its IOMMU group must have no DMA owner other than @ctx
 * @id: out: the device's object ID, for userspace
 *
 * The first bind of a device of a group claims DMA ownership of the group
 * for @ctx, so the kernel's DMA API domain is replaced by a blocking one
 * until the group is attached. Further devices of the group join it.
 *
 * Return: the binding, or ERR_PTR(-ENODEV) when @dev has no IOMMU group,
 * -EPERM when its MSIs are not isolated, -EBUSY when its group has another
 * DMA owner, -ENOMEM.
 */
struct iommufd_device *iommufd_device_bind(struct iommufd_ctx *ctx,
					   struct device *dev, u32 *id)
{
	struct iommufd_group *igroup;
	struct iommufd_device *idev;
	struct iommu_group *group;
	int rc;

	group = iommu_group_get(dev);
	if (!group)
		return ERR_PTR(-ENODEV);

	if (!device_iommu_capable(dev, IOMMU_CAP_INTR_REMAP) &&
	    !irq_domain_check_msi_remap()) {
		if (!allow_unsafe_interrupts) {
			iommu_group_put(group);
			return ERR_PTR(-EPERM);
		}
		dev_warn(dev, "MSIs are not isolated, bound anyway\n");
	}

	igroup = group_get(ctx, group);
	if (IS_ERR(igroup))
		return ERR_CAST(igroup);

	idev = iommufd_object_alloc(ctx, idev, IOMMUFD_OBJ_DEVICE);
	if (IS_ERR(idev)) {
		group_put(igroup);
		return idev;
	}
	rc = xa_err(xa_store(&ctx->dev_ids, (unsigned long)dev,
			     xa_mk_value(idev->obj.id), GFP_KERNEL_ACCOUNT));
	if (rc) {
		iommufd_object_abort(ctx, &idev->obj);
		group_put(igroup);
		return ERR_PTR(rc);
	}
	idev->ctx = ctx;
	idev->dev = dev;
	idev->igroup = igroup;
	INIT_LIST_HEAD(&idev->group_item);
	INIT_LIST_HEAD(&idev->vdevs);
	xa_init(&idev->pasids);
	mutex_init(&idev->fault_lock);
	/*
	 * Only one handler per device, and only where the IOMMU can take
	 * answers (so that every request can be answered before unbind):
	 * without it, the device cannot use a HWPT with a fault queue.
	 */
	if (dev_iommu_ops(dev)->page_response)
		idev->fault_handler = !iommu_register_device_fault_handler(dev,
				device_fault_handler, idev);
	/* The binding driver is a user until iommufd_device_unbind(). */
	iommufd_ref_object(&idev->obj);
	iommufd_object_finalize(ctx, &idev->obj);
	*id = idev->obj.id;
	return idev;
}
EXPORT_SYMBOL_NS_GPL(iommufd_device_bind, IOMMUFD);

/**
 * iommufd_device_unbind() - Undo iommufd_device_bind()
 * @idev: the binding; detached first if still attached
 *
 * Its vDEVICEs are emptied first: their vIOMMUs forget the device's guest
 * IDs, and the objects stay until userspace destroys them. Then every
 * PASID still attached is detached, and the RID last. When the last
 * bound device of its group goes, the group's DMA ownership returns to the
 * kernel.
 */
void iommufd_device_unbind(struct iommufd_device *idev)
{
	unsigned long pasid;
	void *hwpt;

	idev->ctx->viommu_hooks->unbind(idev);
	xa_for_each(&idev->pasids, pasid, hwpt)
		iommufd_device_pasid_detach(idev, pasid);
	iommufd_device_detach(idev);
	/* Detaching answered every request still waiting: none is pending. */
	if (idev->fault_handler)
		WARN_ON(iommu_unregister_device_fault_handler(idev->dev));
	iommufd_object_destroy_kernel(idev->ctx, &idev->obj);
}
EXPORT_SYMBOL_NS_GPL(iommufd_device_unbind, IOMMUFD);

static int reserve_regions(struct iommufd_device *idev,
			   struct io_pagetable *iopt)
{
	struct iommu_resv_region *resv;
	LIST_HEAD(regions);
	int rc = 0;

	iommu_get_resv_regions(idev->dev, &regions);
	list_for_each_entry(resv, &regions, list) {
		if (resv->type == IOMMU_RESV_DIRECT_RELAXABLE)
			continue;
		rc = iopt_reserve(iopt, resv->start,
				  resv->start + resv->length - 1, idev);
		if (rc)
			break;
	}
	iommu_put_resv_regions(idev->dev, &regions);
	if (rc)
		iopt_unreserve(iopt, idev);
	return rc;
}

/* Drop a device's reference on a HWPT; an automatic one dies with its last. */
static void hwpt_unref(struct iommufd_ctx *ctx, struct iommufd_hwpt *hwpt)
{
	if (hwpt->auto_domain)
		iommufd_object_unref_destroy(ctx, &hwpt->obj);
	else
		iommufd_unref_object(&hwpt->obj);
}

/*
 * References a replace took off the old HWPT: dropped by pt_step() once no
 * IOAS mutex is held, since the last one destroys an automatic HWPT, which
 * takes its own IOAS's mutex. @pasid is the PASID the PASID steps work on
 * (IOMMU_NO_PASID for the RID's).
 */
struct hwpt_drop {
	struct iommufd_hwpt *hwpt;
	unsigned int refs;
	ioasid_t pasid;
};

/*
 * A domain is for the IOMMU driver that made it: 6.1's drivers take any
 * domain in attach_dev() and read it as their own. And a device whose
 * IOMMU can make all its DMA snoop only goes where it does (so VFIO may
 * tell KVM so), while one whose IOMMU cannot is refused such a domain
 * by the driver anyway.
 */
static bool hwpt_fits(struct iommufd_device *idev, struct iommufd_hwpt *hwpt)
{
	return dev_iommu_ops(idev->dev) == hwpt->iommu_ops &&
	       hwpt->enforce_cc ==
		       device_iommu_capable(idev->dev,
					    IOMMU_CAP_ENFORCE_CACHE_COHERENCY);
}

/* Whether @dev's IOMMU can translate PASIDs at all. */
static bool iommu_has_pasids(struct device *dev)
{
	return dev->iommu && dev->iommu->iommu_dev &&
	       dev->iommu->iommu_dev->max_pasids > 1;
}

/*
 * Newer Linux's rule for IOMMU_HWPT_ALLOC_PASID: a PASID (@pasid not
 * IOMMU_NO_PASID) takes only a PASID-compatible HWPT, and only while the
 * RID's HWPT is one too; the RID takes another HWPT only while no PASID is
 * attached. Under the group's lock.
 */
static bool pasid_compat_fits(struct iommufd_device *idev,
			      struct iommufd_hwpt *hwpt, ioasid_t pasid)
{
	lockdep_assert_held(&idev->igroup->lock);
	if (pasid == IOMMU_NO_PASID)
		return hwpt->pasid_compat || xa_empty(&idev->pasids);
	return hwpt->pasid_compat && (!idev->hwpt || idev->hwpt->pasid_compat);
}

/* Put @idev in @hwpt; the first device of the group moves the group. */
static int group_join(struct iommufd_device *idev, struct iommufd_hwpt *hwpt,
		      struct hwpt_drop *drop)
{
	struct iommufd_group *igroup = idev->igroup;
	int rc;

	mutex_lock(&igroup->lock);
	if (idev->hwpt) {
		rc = -EBUSY;
		goto out_unlock;
	}
	if ((igroup->hwpt && igroup->hwpt != hwpt) || !hwpt_fits(idev, hwpt) ||
	    !pasid_compat_fits(idev, hwpt, IOMMU_NO_PASID)) {
		/* A group has one domain: its devices cannot diverge. */
		rc = -EINVAL;
		goto out_unlock;
	}
	rc = device_iopf_on(idev, hwpt);
	if (rc)
		goto out_unlock;
	rc = reserve_regions(idev, &hwpt->ioas->iopt);
	if (rc)
		goto err_iopf;
	if (!igroup->hwpt) {
		rc = iommu_attach_group(hwpt->domain, igroup->group);
		if (rc) {
			iopt_unreserve(&hwpt->ioas->iopt, idev);
			goto err_iopf;
		}
		igroup->hwpt = hwpt;
	}
	iommufd_ref_object(&hwpt->obj);
	idev->hwpt = hwpt;
	list_add_tail(&idev->group_item, &igroup->attached);
	device_route_faults(idev, hwpt->fault);
	mutex_unlock(&igroup->lock);
	return 0;

err_iopf:
	device_iopf_off(idev);
out_unlock:
	mutex_unlock(&igroup->lock);
	return rc;
}

/*
 * Move @idev's whole group to @new without a window of blocked DMA. The
 * reserved regions of every attached device must first fit in @new's IOAS.
 */
static int group_replace(struct iommufd_device *idev,
			 struct iommufd_hwpt *new, struct hwpt_drop *drop)
{
	struct iommufd_group *igroup = idev->igroup;
	struct iommufd_device *cur = NULL, *undo;
	struct iommufd_hwpt *old;
	unsigned int moved = 0;
	bool same_ioas;
	int rc = 0;

	mutex_lock(&igroup->lock);
	old = igroup->hwpt;
	if (!idev->hwpt) {
		rc = -EINVAL;
		goto out_unlock;
	}
	if (old == new)
		goto out_unlock;
	if (!hwpt_fits(idev, new) ||
	    !pasid_compat_fits(idev, new, IOMMU_NO_PASID)) {
		rc = -EINVAL;
		goto out_unlock;
	}
	list_for_each_entry(cur, &igroup->attached, group_item) {
		rc = device_iopf_on(cur, new);
		if (rc)
			goto err_iopf;
	}

	same_ioas = old->ioas == new->ioas;
	if (!same_ioas) {
		list_for_each_entry(cur, &igroup->attached, group_item) {
			rc = reserve_regions(cur, &new->ioas->iopt);
			if (rc)
				goto err_unreserve;
		}
	}
	rc = iommu_group_replace_domain(igroup->group, new->domain);
	if (rc)
		goto err_unreserve;

	list_for_each_entry(cur, &igroup->attached, group_item) {
		if (!same_ioas)
			iopt_unreserve(&old->ioas->iopt, cur);
		iommufd_ref_object(&new->obj);
		cur->hwpt = new;
		device_route_faults(cur, new->fault);
		if (!new->fault)
			device_iopf_off(cur);
		moved++;
	}
	igroup->hwpt = new;
	mutex_unlock(&igroup->lock);

	drop->hwpt = old;
	drop->refs = moved;
	return 0;

err_unreserve:
	list_for_each_entry(undo, &igroup->attached, group_item) {
		if (same_ioas || undo == cur)
			break;
		iopt_unreserve(&new->ioas->iopt, undo);
	}
err_iopf:
	/* Devices already on a fault queue keep their faults on. */
	if (!old->fault)
		list_for_each_entry(undo, &igroup->attached, group_item)
			device_iopf_off(undo);
out_unlock:
	mutex_unlock(&igroup->lock);
	return rc;
}

typedef int (*hwpt_step_fn)(struct iommufd_device *idev,
			    struct iommufd_hwpt *hwpt, struct hwpt_drop *drop);

/*
 * 6.1 drivers report a domain of the wrong kind with -EINVAL or
 * -EMEDIUMTYPE, and arm-smmu-v3 one of another SMMU instance with -ENXIO.
 */
static bool incompatible(int rc)
{
	return rc == -EINVAL || rc == -EMEDIUMTYPE || rc == -ENXIO;
}

/*
 * Join (or replace into) the first automatic HWPT of @ioas whose domain the
 * group can use, else a new one that dies with its last device. A HWPT
 * userspace allocated is only ever used when named, as in Linux 6.12.
 */
static struct iommufd_hwpt *ioas_step(struct iommufd_device *idev,
				      struct iommufd_ioas *ioas,
				      hwpt_step_fn step,
				      struct hwpt_drop *drop)
{
	struct iommufd_hwpt *hwpt;
	int rc;

again:
	mutex_lock(&ioas->mutex);
	list_for_each_entry(hwpt, &ioas->hwpt_list, ioas_item) {
		/*
		 * A HWPT whose last user is gone stays listed until its
		 * destroy function gets this mutex: it must not be joined.
		 */
		test_race_window();
		if (!hwpt->auto_domain || !iommufd_tryget_object(&hwpt->obj))
			continue;
		/* Its devices may leave while this reference keeps it. */
		test_race_window();
		rc = step(idev, hwpt, drop);
		if (!rc) {
			/* The device holds it now. */
			iommufd_unref_object(&hwpt->obj);
			goto out_unlock;
		}
		if (!iommufd_object_unref_unless_last(idev->ctx, &hwpt->obj)) {
			/*
			 * Its devices left while we held it, and it lives
			 * only while used: destroying it takes this mutex.
			 */
			mutex_unlock(&ioas->mutex);
			iommufd_object_unref_destroy(idev->ctx, &hwpt->obj);
			if (incompatible(rc))
				goto again;
			return ERR_PTR(rc);
		}
		if (!incompatible(rc))
			goto out_err;
	}

	hwpt = hwpt_watch(iommufd_hwpt_create(idev->ctx, ioas, idev->dev, 0,
					      true));
	if (IS_ERR(hwpt))
		goto out_unlock;
	/* Our drivers put any paging domain on a PASID. */
	hwpt->pasid_compat = iommu_has_pasids(idev->dev);
	rc = step(idev, hwpt, drop);
	if (rc) {
		iommufd_object_abort_and_destroy(idev->ctx, &hwpt->obj);
		goto out_err;
	}
	list_add_tail(&hwpt->ioas_item, &ioas->hwpt_list);
	iommufd_object_finalize(idev->ctx, &hwpt->obj);
out_unlock:
	mutex_unlock(&ioas->mutex);
	return hwpt;
out_err:
	mutex_unlock(&ioas->mutex);
	return ERR_PTR(rc);
}

static int pt_step(struct iommufd_device *idev, ioasid_t pasid, u32 *pt_id,
		   hwpt_step_fn step)
{
	struct hwpt_drop drop = { .pasid = pasid };
	struct iommufd_object *obj;
	struct iommufd_hwpt *hwpt;
	int rc = 0;

	obj = iommufd_get_object(idev->ctx, *pt_id, IOMMUFD_OBJ_ANY);
	if (IS_ERR(obj))
		return PTR_ERR(obj);

	switch (obj->type) {
	case IOMMUFD_OBJ_HWPT:
		hwpt = container_of(obj, struct iommufd_hwpt, obj);
		rc = step(idev, hwpt, &drop);
		break;
	case IOMMUFD_OBJ_IOAS:
		hwpt = ioas_step(idev,
				 container_of(obj, struct iommufd_ioas, obj),
				 step, &drop);
		if (IS_ERR(hwpt))
			rc = PTR_ERR(hwpt);
		break;
	default:
		rc = -EINVAL;
	}
	if (!rc)
		*pt_id = hwpt->obj.id;
	iommufd_put_object(idev->ctx, obj);
	while (drop.refs--)
		hwpt_unref(idev->ctx, drop.hwpt);
	return rc;
}

/**
 * iommufd_device_attach() - Attach a bound device to an IOAS or a HWPT
 * @idev: the binding; not attached
 * @pt_id: in: an IOAS or HWPT ID; out: the HWPT the device now uses
 *
 * Given an IOAS, the device joins the first of its automatic HWPTs whose
 * domain it can use, or gets a new domain of its own that lives until its
 * last device detaches; a HWPT made with IOMMU_HWPT_ALLOC is only used
 * when named. Devices of one IOMMU group always share one HWPT. The
 * device's reserved regions (the MSI window, say) become reserved IOVA in
 * the IOAS.
 *
 * Return: 0, or -ENOENT for an unknown ID, -EINVAL for an ID that is
 * neither IOAS nor HWPT, a domain the device cannot use, or a HWPT other
 * than the one its group is in, -EBUSY when already attached, -EADDRINUSE
 * when a reserved region of the device is mapped in the IOAS, -EINVAL
 * too for a HWPT not fit for PASIDs (IOMMU_HWPT_ALLOC_PASID) while PASIDs
 * of the device are attached, or the IOMMU driver's error, which is also
 * what a HWPT with a fault queue gets for a device that cannot fault
 * recoverably (-ENODEV from VT-d and AMD-Vi, -EINVAL from SMMUv3; -EINVAL
 * for a PCI VF).
 */
int iommufd_device_attach(struct iommufd_device *idev, u32 *pt_id)
{
	return pt_step(idev, IOMMU_NO_PASID, pt_id, group_join);
}
EXPORT_SYMBOL_NS_GPL(iommufd_device_attach, IOMMUFD);

/**
 * iommufd_device_replace() - Move an attached device to another IOAS or HWPT
 * @idev: the binding; attached
 * @pt_id: in: an IOAS or HWPT ID; out: the HWPT the device now uses
 *
 * The device's whole group moves, and DMA is never blocked on the way: each
 * transfer is translated either by the old domain or by the new one.
 *
 * Return: 0, or as iommufd_device_attach(), except -EINVAL (not -EBUSY)
 * when the device is not attached.
 */
int iommufd_device_replace(struct iommufd_device *idev, u32 *pt_id)
{
	return pt_step(idev, IOMMU_NO_PASID, pt_id, group_replace);
}
EXPORT_SYMBOL_NS_GPL(iommufd_device_replace, IOMMUFD);

/**
 * iommufd_device_detach() - Detach a device from its HWPT
 * @idev: the binding; nothing happens if it is not attached
 *
 * When the last attached device of its group detaches, the group's DMA is
 * blocked again before this returns.
 */
void iommufd_device_detach(struct iommufd_device *idev)
{
	struct iommufd_group *igroup = idev->igroup;
	struct iommufd_hwpt *hwpt;

	mutex_lock(&igroup->lock);
	hwpt = idev->hwpt;
	if (!hwpt) {
		mutex_unlock(&igroup->lock);
		return;
	}
	list_del_init(&idev->group_item);
	idev->hwpt = NULL;
	if (list_empty(&igroup->attached)) {
		iommu_detach_group(hwpt->domain, igroup->group);
		igroup->hwpt = NULL;
	}
	device_route_faults(idev, NULL);
	device_iopf_off(idev);
	iopt_unreserve(&hwpt->ioas->iopt, idev);
	mutex_unlock(&igroup->lock);

	hwpt_unref(idev->ctx, hwpt);
}
EXPORT_SYMBOL_NS_GPL(iommufd_device_detach, IOMMUFD);

/*
 * What a PASID may be attached to: as for the RID, except that page
 * requests are routed per device, by the RID's HWPT, so a HWPT with a
 * fault queue cannot serve a PASID.
 */
static bool pasid_fits(struct iommufd_device *idev, struct iommufd_hwpt *hwpt)
{
	return !hwpt->fault && hwpt_fits(idev, hwpt);
}

/* Attach @hwpt at the free PASID drop->pasid of @idev. */
static int pasid_join(struct iommufd_device *idev, struct iommufd_hwpt *hwpt,
		      struct hwpt_drop *drop)
{
	struct iommufd_group *igroup = idev->igroup;
	ioasid_t pasid = drop->pasid;
	int rc;

	if (!pasid_fits(idev, hwpt))
		return -EINVAL;
	mutex_lock(&igroup->lock);
	if (xa_load(&idev->pasids, pasid)) {
		rc = -EBUSY;
		goto out_unlock;
	}
	if (!pasid_compat_fits(idev, hwpt, pasid)) {
		rc = -EINVAL;
		goto out_unlock;
	}
	/* With the slot taken first, recording the HWPT cannot fail. */
	rc = xa_reserve(&idev->pasids, pasid, GFP_KERNEL_ACCOUNT);
	if (rc)
		goto out_unlock;
	rc = iommu_attach_device_pasid(hwpt->domain, idev->dev, pasid);
	if (rc) {
		xa_release(&idev->pasids, pasid);
		goto out_unlock;
	}
	iommufd_ref_object(&hwpt->obj);
	xa_store(&idev->pasids, pasid, hwpt, GFP_KERNEL_ACCOUNT);
out_unlock:
	mutex_unlock(&igroup->lock);
	return rc;
}

/* Move the attached PASID drop->pasid of @idev to @hwpt. */
static int pasid_replace(struct iommufd_device *idev,
			 struct iommufd_hwpt *hwpt, struct hwpt_drop *drop)
{
	struct iommufd_group *igroup = idev->igroup;
	ioasid_t pasid = drop->pasid;
	struct iommufd_hwpt *old;
	int rc = 0;

	mutex_lock(&igroup->lock);
	old = xa_load(&idev->pasids, pasid);
	if (!old) {
		rc = -EINVAL;
		goto out_unlock;
	}
	if (old == hwpt)
		goto out_unlock;
	if (!pasid_fits(idev, hwpt) || !pasid_compat_fits(idev, hwpt, pasid)) {
		rc = -EINVAL;
		goto out_unlock;
	}
	rc = iommu_replace_device_pasid(hwpt->domain, idev->dev, pasid);
	if (rc)
		goto out_unlock;
	iommufd_ref_object(&hwpt->obj);
	/* Overwrites a present entry: no allocation, no failure. */
	xa_store(&idev->pasids, pasid, hwpt, GFP_KERNEL_ACCOUNT);
	drop->hwpt = old;
	drop->refs = 1;
out_unlock:
	mutex_unlock(&igroup->lock);
	return rc;
}

/*
 * A PASID the device cannot emit is refused before any HWPT is looked at
 * (or, for an IOAS, made).
 */
static int pasid_check(struct iommufd_device *idev, ioasid_t pasid)
{
	u32 max_pasids = idev->dev->iommu ? idev->dev->iommu->max_pasids : 0;

	if (!max_pasids)
		return -EOPNOTSUPP;
	if (pasid == IOMMU_NO_PASID || pasid >= max_pasids)
		return -EINVAL;
	return 0;
}

/**
 * iommufd_device_pasid_attach() - Attach a PASID of a device to a HWPT
 * @idev: the binding; its device must be alone in its IOMMU group
 * @pasid: the PASID, from 1 up to the device's number of PASIDs - 1
 * @pt_id: in: an IOAS or HWPT (paging or nested) ID; out: the HWPT the
 *	PASID now uses
 *
 * DMA the device tags with @pasid is translated through the HWPT, apart
 * from the RID's own attachment, which this neither needs nor changes.
 * Given an IOAS, an automatic HWPT of it is used or made, as by
 * iommufd_device_attach(). The HWPT cannot be destroyed while the PASID
 * uses it.
 *
 * Return: 0, or -EOPNOTSUPP for a device without PASIDs or an IOMMU
 * driver that cannot attach them, -EINVAL for PASID 0, a PASID out of
 * range, a device that shares its group, an ID that is neither IOAS nor
 * HWPT, a HWPT with a fault queue or one the device cannot use, a HWPT
 * not allocated with IOMMU_HWPT_ALLOC_PASID or a RID on such a HWPT, -EBUSY
 * when the PASID is already attached (or used by SVA), -ENOENT for an
 * unknown ID, or the IOMMU driver's error.
 */
int iommufd_device_pasid_attach(struct iommufd_device *idev, u32 pasid,
				u32 *pt_id)
{
	int rc = pasid_check(idev, pasid);

	return rc ? rc : pt_step(idev, pasid, pt_id, pasid_join);
}
EXPORT_SYMBOL_NS_GPL(iommufd_device_pasid_attach, IOMMUFD);

/**
 * iommufd_device_pasid_replace() - Move an attached PASID to another HWPT
 * @idev: the binding
 * @pasid: a PASID attached by iommufd_device_pasid_attach()
 * @pt_id: in: an IOAS or HWPT ID; out: the HWPT the PASID now uses
 *
 * The IOMMU driver may block the PASID's DMA for a moment on the way; on
 * failure the PASID still uses its old HWPT. Replacing a HWPT by itself
 * does nothing.
 *
 * Return: 0, or as iommufd_device_pasid_attach(), except -EINVAL (not
 * -EBUSY) when nothing is attached to @pasid.
 */
int iommufd_device_pasid_replace(struct iommufd_device *idev, u32 pasid,
				 u32 *pt_id)
{
	int rc = pasid_check(idev, pasid);

	return rc ? rc : pt_step(idev, pasid, pt_id, pasid_replace);
}
EXPORT_SYMBOL_NS_GPL(iommufd_device_pasid_replace, IOMMUFD);

/**
 * iommufd_device_pasid_detach() - Detach a PASID of a device
 * @idev: the binding
 * @pasid: the PASID; nothing happens if it is not attached
 *
 * The PASID's DMA is blocked before this returns, and its HWPT loses the
 * reference the attachment held (an automatic HWPT may go with it).
 */
void iommufd_device_pasid_detach(struct iommufd_device *idev, u32 pasid)
{
	struct iommufd_group *igroup = idev->igroup;
	struct iommufd_hwpt *hwpt;

	mutex_lock(&igroup->lock);
	hwpt = xa_load(&idev->pasids, pasid);
	if (hwpt) {
		iommu_detach_device_pasid(hwpt->domain, idev->dev, pasid);
		xa_erase(&idev->pasids, pasid);
	}
	mutex_unlock(&igroup->lock);
	if (hwpt)
		hwpt_unref(idev->ctx, hwpt);
}
EXPORT_SYMBOL_NS_GPL(iommufd_device_pasid_detach, IOMMUFD);

/* A paging HWPT on @ioas, which the caller lists on it once it is ready. */
static struct iommufd_hwpt *alloc_paging(struct iommufd_ucmd *ucmd,
					 struct iommufd_device *idev,
					 struct iommufd_ioas *ioas)
{
	struct iommu_hwpt_alloc *cmd = ucmd->cmd;
	u32 paging_flags = 0;

	if (cmd->flags & ~(IOMMU_HWPT_ALLOC_DIRTY_TRACKING |
			   IOMMU_HWPT_ALLOC_NEST_PARENT |
			   IOMMU_HWPT_ALLOC_PASID))
		return ERR_PTR(-EOPNOTSUPP);
	/* Only the nested domains of a guest report to a fault queue. */
	if (cmd->data_type != IOMMU_HWPT_DATA_NONE)
		return ERR_PTR(-EOPNOTSUPP);
	if (cmd->flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING) {
		if (!device_iommu_capable(idev->dev, IOMMU_CAP_DIRTY_TRACKING))
			return ERR_PTR(-EOPNOTSUPP);
		paging_flags |= IOMMU_PAGING_DIRTY_TRACKING;
	}
	if (cmd->flags & IOMMU_HWPT_ALLOC_NEST_PARENT)
		paging_flags |= IOMMU_PAGING_NEST_PARENT;
	return hwpt_watch(iommufd_hwpt_create(ucmd->ctx, ioas, idev->dev,
					      paging_flags, false));
}

/*
 * A nested HWPT on @parent, or on the vIOMMU @viommu_obj whose core is
 * @viommu_core (and whose parent @parent then is), reporting its page
 * faults if asked to.
 */
static struct iommufd_hwpt *alloc_nested(struct iommufd_ucmd *ucmd,
					 struct iommufd_device *idev,
					 struct iommufd_hwpt *parent,
					 struct iommufd_object *viommu_obj,
					 struct iommu_viommu *viommu_core)
{
	struct iommu_hwpt_alloc *cmd = ucmd->cmd;
	struct iommu_user_arg arg = {
		.type = cmd->data_type,
		.uptr = u64_to_user_ptr(cmd->data_uptr),
		.len = cmd->data_len,
	};
	struct iommufd_fault *fault = NULL;
	struct iommufd_hwpt *hwpt;

	if (parent->parent)
		return ERR_PTR(-EINVAL);
	/* As Linux 6.12: a HWPT without driver data on a HWPT is unknown. */
	if (cmd->flags & ~(IOMMU_HWPT_FAULT_ID_VALID | IOMMU_HWPT_ALLOC_PASID) ||
	    !cmd->data_len)
		return ERR_PTR(-EOPNOTSUPP);
	if (cmd->flags & IOMMU_HWPT_FAULT_ID_VALID) {
		fault = iommufd_get_fault(ucmd->ctx, cmd->fault_id);
		if (IS_ERR(fault))
			return ERR_CAST(fault);
	}
	hwpt = hwpt_watch(iommufd_hwpt_nested_create(ucmd->ctx, parent,
						     viommu_obj, viommu_core,
						     idev->dev, &arg));
	if (fault) {
		if (!IS_ERR(hwpt)) {
			iommufd_ref_object(&fault->obj);
			hwpt->fault = fault;
		}
		iommufd_put_object(ucmd->ctx, &fault->obj);
	}
	return hwpt;
}

/**
 * iommufd_hwpt_alloc_ioctl() - IOMMU_HWPT_ALLOC
 * @ucmd: the ioctl
 *
 * On an IOAS: a paging HWPT that mirrors it, optionally tracking dirty
 * pages (IOMMU_HWPT_ALLOC_DIRTY_TRACKING) and fit to be the stage 2 of
 * nested ones (IOMMU_HWPT_ALLOC_NEST_PARENT). On such a nest parent HWPT:
 * a nested HWPT whose stage 1 the driver data describes, optionally
 * reporting I/O page faults to a fault queue (IOMMU_HWPT_FAULT_ID_VALID).
 * Either may be made fit for PASIDs (IOMMU_HWPT_ALLOC_PASID).
 * On a vIOMMU: the same, over the vIOMMU's parent and through its driver,
 * which gives the domain the vIOMMU's guest IDs; the HWPT holds the vIOMMU.
 *
 * Return: 0, or -EOPNOTSUPP for a non-zero reserved field, flags that do
 * not apply to the kind of HWPT, driver data for a paging HWPT or none
 * for a nested one, dirty tracking the device's IOMMU cannot do, or
 * IOMMU_HWPT_ALLOC_PASID where it has no PASIDs;
 * -EINVAL for driver data without a length or the reverse, a parent that
 * is not a nest parent, or an ID that is neither IOAS, HWPT nor vIOMMU;
 * -ENOENT
 * for an unknown device, IOAS, HWPT or fault queue; -EFAULT; or the IOMMU
 * driver's error.
 */
int iommufd_hwpt_alloc_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_hwpt_alloc *cmd = ucmd->cmd;
	struct iommufd_ioas *ioas = NULL;
	struct iommu_viommu *core;
	struct iommufd_hwpt *parent;
	struct iommufd_device *idev;
	struct iommufd_object *obj;
	struct iommufd_hwpt *hwpt;
	int rc;

	if (cmd->__reserved || cmd->__reserved2)
		return -EOPNOTSUPP;
	/* Driver data has a type and a length, or neither. */
	if (cmd->data_type == IOMMU_HWPT_DATA_NONE ? cmd->data_len :
						     !cmd->data_len)
		return -EINVAL;

	idev = iommufd_get_device(ucmd->ctx, cmd->dev_id);
	if (IS_ERR(idev))
		return PTR_ERR(idev);
	/* Either kind may be made fit for PASIDs, where the IOMMU has them. */
	if (cmd->flags & IOMMU_HWPT_ALLOC_PASID && !iommu_has_pasids(idev->dev)) {
		rc = -EOPNOTSUPP;
		goto out_dev;
	}
	obj = iommufd_get_object(ucmd->ctx, cmd->pt_id, IOMMUFD_OBJ_ANY);
	if (IS_ERR(obj)) {
		rc = PTR_ERR(obj);
		goto out_dev;
	}
	switch (obj->type) {
	case IOMMUFD_OBJ_IOAS:
		ioas = container_of(obj, struct iommufd_ioas, obj);
		hwpt = alloc_paging(ucmd, idev, ioas);
		break;
	case IOMMUFD_OBJ_HWPT:
		hwpt = alloc_nested(ucmd, idev,
				    container_of(obj, struct iommufd_hwpt,
						 obj), NULL, NULL);
		break;
	case IOMMUFD_OBJ_VIOMMU:
		parent = ucmd->ctx->viommu_hooks->nest_on(obj, &core);
		hwpt = alloc_nested(ucmd, idev, parent, obj, core);
		break;
	default:
		hwpt = ERR_PTR(-EINVAL);
	}
	if (IS_ERR(hwpt)) {
		rc = PTR_ERR(hwpt);
		goto out_obj;
	}
	hwpt->pasid_compat = cmd->flags & IOMMU_HWPT_ALLOC_PASID;
	cmd->out_hwpt_id = hwpt->obj.id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc) {
		iommufd_object_abort_and_destroy(ucmd->ctx, &hwpt->obj);
		goto out_obj;
	}
	if (ioas) {
		mutex_lock(&ioas->mutex);
		list_add_tail(&hwpt->ioas_item, &ioas->hwpt_list);
		mutex_unlock(&ioas->mutex);
	}
	iommufd_object_finalize(ucmd->ctx, &hwpt->obj);
out_obj:
	iommufd_put_object(ucmd->ctx, obj);
out_dev:
	iommufd_put_object(ucmd->ctx, &idev->obj);
	return rc;
}

/*
 * Copy @len bytes of @data to the user's buffer of @ulen bytes and zero
 * what is left of it, so that a newer userspace sees zeroes in fields this
 * kernel does not know.
 */
static int hw_info_copy(void __user *ubuf, u32 ulen, const void *data,
			u32 len)
{
	u32 n = min(ulen, len);

	if (n && copy_to_user(ubuf, data, n))
		return -EFAULT;
	if (ulen > n && clear_user(ubuf + n, ulen - n))
		return -EFAULT;
	return 0;
}

/**
 * iommufd_get_hw_info_ioctl() - IOMMU_GET_HW_INFO
 * @ucmd: the ioctl
 *
 * Reports what the IOMMU driver of a bound device says about its hardware,
 * in the type userspace asks for (IOMMU_HW_INFO_FLAG_INPUT_TYPE) or the
 * driver's own. A driver with nothing to say gives type NONE and no data.
 *
 * Return: 0, or -ENOENT for an ID that is not a device, -EOPNOTSUPP for
 * unknown flags, a non-zero reserved field or a type the driver does not
 * give, -EFAULT, -ENOMEM.
 */
int iommufd_get_hw_info_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_hw_info *cmd = ucmd->cmd;
	struct iommufd_device *idev;
	u32 type = IOMMU_HW_INFO_TYPE_DEFAULT, len = 0;
	u32 max_pasids;
	void *data;
	int rc;

	if (cmd->flags & ~IOMMU_HW_INFO_FLAG_INPUT_TYPE ||
	    memchr_inv(cmd->__reserved, 0, sizeof(cmd->__reserved)))
		return -EOPNOTSUPP;
	if (cmd->flags & IOMMU_HW_INFO_FLAG_INPUT_TYPE)
		type = cmd->in_data_type;

	idev = iommufd_get_device(ucmd->ctx, cmd->dev_id);
	if (IS_ERR(idev))
		return PTR_ERR(idev);
	data = iommu_get_hw_info(idev->dev, &len, &type);
	if (IS_ERR(data)) {
		rc = PTR_ERR(data);
		goto out_put;
	}
	rc = hw_info_copy(u64_to_user_ptr(cmd->data_uptr), cmd->data_len,
			  data, len);
	kfree(data);
	if (rc)
		goto out_put;

	cmd->data_len = len;
	cmd->out_data_type = type;
	/* 0 as well for a device without PASIDs. */
	max_pasids = idev->dev->iommu ? idev->dev->iommu->max_pasids : 0;
	cmd->out_max_pasid_log2 = max_pasids ? ilog2(max_pasids) : 0;
	cmd->out_capabilities = 0;
	if (device_iommu_capable(idev->dev, IOMMU_CAP_DIRTY_TRACKING))
		cmd->out_capabilities |= IOMMU_HW_CAP_DIRTY_TRACKING;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
out_put:
	iommufd_put_object(ucmd->ctx, &idev->obj);
	return rc;
}
