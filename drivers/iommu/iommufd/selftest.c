// SPDX-License-Identifier: GPL-2.0-only
/*
 * The iommufd test interface: IOMMU_TEST_CMD and a mock IOMMU driver.
 *
 * Mock devices live on a bus of their own, "iommufd_mock", whose IOMMU is
 * the mock driver below. A mock domain records each IOPTE in an xarray, one
 * entry per MOCK_IO_PAGE_SIZE of IOVA, so the tests can check exactly what
 * iommufd put into the domain. MOCK_IO_PAGE_SIZE is half a CPU page, so
 * that IOVA alignment finer than PAGE_SIZE is exercised too. Domains for a
 * MOCK_FLAGS_DEVICE_HUGE_IOVA device also map MOCK_HUGE_PAGE_SIZE IOPTEs,
 * each kept as one entry, marked huge, at the index of its first IOVA.
 * Domains track dirty pages, unless their device's IOMMU says it cannot:
 * tests mark IOPTEs dirty with IOMMU_TEST_OP_DIRTY as DMA writes would.
 * A nested mock domain has no table: its stage 1 is a small emulated IOTLB
 * that user invalidations clear and IOMMU_TEST_OP_MD_CHECK_IOTLB reads.
 * A mock vIOMMU maps the guest IDs of its vDEVICEs to mock devices, whose
 * small emulated caches its invalidations clear, and raises events for
 * them on request (IOMMU_TEST_OP_TRIGGER_VEVENT).
 *
 * Test-only: built with CONFIG_IOMMUFD_TEST, never in production kernels.
 */
#include <linux/device.h>
#include <linux/iommu.h>
#include <linux/iommufd.h>
#include <linux/mm.h>
#include <linux/property.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/xarray.h>
#include <uapi/linux/iommufd.h>

#include "device.h"
#include "hw_pagetable.h"
#include "ioas.h"
#include "iommufd_test.h"
#include "pages.h"
#include "selftest.h"
#include "ucmd.h"

#define MOCK_IO_PAGE_SIZE (PAGE_SIZE / 2)
#define MOCK_HUGE_PAGE_SIZE (512 * MOCK_IO_PAGE_SIZE)

/* An entry of &mock_domain.ptes: (phys / MOCK_IO_PAGE_SIZE) << 2 | bits */
#define MOCK_PTE_DIRTY 0x1	/* written since last cleared */
#define MOCK_PTE_HUGE 0x2	/* part of a MOCK_HUGE_PAGE_SIZE IOPTE */
#define MOCK_PTE_SHIFT 2

/**
 * struct mock_domain - a domain of the mock IOMMU
 * @domain: the core's view
 * @ptes: IOVA / MOCK_IO_PAGE_SIZE -> xa_mk_value() of a MOCK_PTE entry;
 *	the xarray's own lock orders concurrent map and unmap calls and
 *	guards each entry's read-modify-write of its dirty bit
 * @enforce_cc: told to block no-snoop DMA (enforce_cache_coherency)
 * @dirty_tracking: recording writes (set_dirty_tracking)
 * @nest_parent: allocated with IOMMU_PAGING_NEST_PARENT
 */
struct mock_domain {
	struct iommu_domain domain;
	struct xarray ptes;
	bool enforce_cc;
	bool dirty_tracking;
	bool nest_parent;
};

/**
 * struct mock_nested - a nested domain of the mock IOMMU
 * @domain: the core's view
 * @parent: the stage 2, which outlives it
 * @iotlb: the emulated IOTLB entries; each starts with the value the
 *	user gave and reads 0 once invalidated. Written and read with
 *	WRITE_ONCE() and READ_ONCE(): each entry is on its own.
 */
struct mock_nested {
	struct iommu_domain domain;
	struct mock_domain *parent;
	u32 iotlb[MOCK_NESTED_DOMAIN_IOTLB_NUM];
};

static void *mock_pte(phys_addr_t phys, unsigned long bits)
{
	return xa_mk_value((phys / MOCK_IO_PAGE_SIZE) << MOCK_PTE_SHIFT | bits);
}

static phys_addr_t mock_pte_phys(void *ent)
{
	return (xa_to_value(ent) >> MOCK_PTE_SHIFT) * MOCK_IO_PAGE_SIZE;
}

static size_t mock_pte_size(void *ent)
{
	return xa_to_value(ent) & MOCK_PTE_HUGE ? MOCK_HUGE_PAGE_SIZE :
						   MOCK_IO_PAGE_SIZE;
}

/* The IOPTE translating @iova, with the IOVA it starts at; or NULL. */
static void *mock_lookup(struct mock_domain *mock, unsigned long iova,
			 unsigned long *start)
{
	void *ent = xa_load(&mock->ptes, iova / MOCK_IO_PAGE_SIZE);

	*start = ALIGN_DOWN(iova, MOCK_IO_PAGE_SIZE);
	if (ent)
		return ent;
	*start = ALIGN_DOWN(iova, MOCK_HUGE_PAGE_SIZE);
	ent = xa_load(&mock->ptes, *start / MOCK_IO_PAGE_SIZE);
	return ent && xa_to_value(ent) & MOCK_PTE_HUGE ? ent : NULL;
}

static struct mock_domain *to_mock(struct iommu_domain *domain)
{
	return container_of(domain, struct mock_domain, domain);
}

struct mock_viommu;

/**
 * struct mock_dev - a device on the mock bus
 * @dev: the device
 * @flags: MOCK_FLAGS_DEVICE_*
 * @cache: the emulated per-device cache a vIOMMU's invalidations clear;
 *	each entry on its own, with READ_ONCE() and WRITE_ONCE()
 * @vlock: protects @vids
 * @vids: the guest IDs mock vIOMMUs gave the device, oldest first, as
 *	&struct mock_vid; its events go to the oldest one's vIOMMU
 * @iopf_on: its page requests are turned on (IOMMU_DEV_FEAT_IOPF); set and
 *	cleared by iommufd under its group lock, read anywhere
 */
struct mock_dev {
	struct device dev;
	u32 flags;
	bool iopf_on;
	u32 cache[MOCK_DEV_CACHE_NUM];
	struct mutex vlock;	/* see @vlock above */
	struct list_head vids;
};

/**
 * struct mock_vid - a mock device's guest ID on one mock vIOMMU
 * @item: on &mock_dev.vids
 * @viommu: the vIOMMU
 * @virt_id: the ID
 */
struct mock_vid {
	struct list_head item;
	struct mock_viommu *viommu;
	u64 virt_id;
};

/**
 * struct mock_viommu - a vIOMMU of the mock IOMMU
 * @core: the IOMMU core's view
 * @devs: guest ID -> &struct mock_dev; the xarray's lock keeps a device
 *	listed here alive while its cache is written
 */
struct mock_viommu {
	struct iommu_viommu core;
	struct xarray devs;
};

static struct mock_dev *to_mock_dev(struct device *dev)
{
	return container_of(dev, struct mock_dev, dev);
}

static struct mock_viommu *to_mock_viommu(struct iommu_viommu *viommu)
{
	return container_of(viommu, struct mock_viommu, core);
}

static struct bus_type mock_bus = {
	.name = "iommufd_mock",
};

static struct iommu_device mock_iommu;
static struct notifier_block mock_bus_nb;
static DEFINE_IDA(mock_dev_ida);
static const struct iommu_domain_ops mock_domain_ops;
static const struct iommu_domain_ops mock_nested_ops;
static const struct iommu_dirty_ops mock_dirty_ops;

static struct mock_domain *mock_domain_new(void)
{
	struct mock_domain *mock;

	mock = kzalloc(sizeof(*mock), GFP_KERNEL);
	if (!mock)
		return NULL;
	xa_init(&mock->ptes);
	mock->domain.geometry.aperture_start = MOCK_APERTURE_START;
	mock->domain.geometry.aperture_end = MOCK_APERTURE_LAST;
	mock->domain.geometry.force_aperture = true;
	mock->domain.pgsize_bitmap = MOCK_IO_PAGE_SIZE;
	return mock;
}

static struct iommu_domain *mock_domain_alloc(unsigned int type)
{
	struct mock_domain *mock;

	if (type != IOMMU_DOMAIN_UNMANAGED && type != IOMMU_DOMAIN_BLOCKED)
		return NULL;
	mock = mock_domain_new();
	return mock ? &mock->domain : NULL;
}

static struct iommu_domain *mock_domain_alloc_paging_flags(struct device *dev,
							   u32 flags)
{
	struct mock_dev *mdev = container_of(dev, struct mock_dev, dev);
	struct mock_domain *mock;

	if (flags & ~(IOMMU_PAGING_DIRTY_TRACKING | IOMMU_PAGING_NEST_PARENT))
		return ERR_PTR(-EOPNOTSUPP);
	if ((flags & IOMMU_PAGING_DIRTY_TRACKING) &&
	    (mdev->flags & MOCK_FLAGS_DEVICE_NO_DIRTY))
		return ERR_PTR(-EOPNOTSUPP);
	mock = mock_domain_new();
	if (!mock)
		return ERR_PTR(-ENOMEM);
	if (mdev->flags & MOCK_FLAGS_DEVICE_HUGE_IOVA)
		mock->domain.pgsize_bitmap |= MOCK_HUGE_PAGE_SIZE;
	if (mdev->flags & MOCK_FLAGS_DEVICE_WIDE_APERTURE)
		mock->domain.geometry.aperture_end = MOCK_WIDE_APERTURE_LAST;
	if (flags & IOMMU_PAGING_DIRTY_TRACKING)
		mock->domain.dirty_ops = &mock_dirty_ops;
	mock->nest_parent = flags & IOMMU_PAGING_NEST_PARENT;
	return &mock->domain;
}

static struct mock_nested *to_mock_nested(struct iommu_domain *domain)
{
	return container_of(domain, struct mock_nested, domain);
}

static struct iommu_domain *
mock_domain_alloc_nested(struct device *dev, struct iommu_domain *parent,
			 const struct iommu_user_arg *arg)
{
	struct iommu_hwpt_selftest data;
	struct mock_nested *nested;
	unsigned int i;
	int rc;

	if (arg->type != IOMMU_HWPT_DATA_SELFTEST)
		return ERR_PTR(-EOPNOTSUPP);
	if (parent->ops != &mock_domain_ops || !to_mock(parent)->nest_parent)
		return ERR_PTR(-EINVAL);
	rc = iommu_user_arg_copy(&data, sizeof(data),
				 offsetofend(struct iommu_hwpt_selftest, iotlb),
				 arg, IOMMU_HWPT_DATA_SELFTEST);
	if (rc)
		return ERR_PTR(rc);

	nested = kzalloc(sizeof(*nested), GFP_KERNEL);
	if (!nested)
		return ERR_PTR(-ENOMEM);
	nested->domain.ops = &mock_nested_ops;
	nested->parent = to_mock(parent);
	for (i = 0; i != MOCK_NESTED_DOMAIN_IOTLB_NUM; i++)
		nested->iotlb[i] = data.iotlb;
	return &nested->domain;
}

static void mock_nested_free(struct iommu_domain *domain)
{
	kfree(to_mock_nested(domain));
}

/* Stops at the first bad request, as a real IOMMU's command queue would. */
/*
 * Carry out the test-type invalidation array @reqs in order: each entry,
 * @size bytes of which the first @min_size are its first version, is read
 * into @entry and handed to @one with @arg. The first failing entry stops
 * the array, and entry_num becomes the number carried out, as the uAPI
 * asks of every driver.
 */
static int mock_invalidate_each(struct iommu_user_array *reqs, u32 type,
				void *entry, size_t size, size_t min_size,
				int (*one)(void *arg, const void *entry),
				void *arg)
{
	u32 done = 0;
	int rc = 0;

	if (reqs->type != type) {
		rc = -EINVAL;
		goto out;
	}
	for (; done != reqs->entry_num; done++) {
		rc = iommu_user_array_copy(entry, size, min_size, reqs, done);
		if (!rc)
			rc = one(arg, entry);
		if (rc)
			break;
	}
out:
	reqs->entry_num = done;
	return rc;
}

/* One request to a mock nested domain: an IOTLB entry, or all of them. */
static int mock_nested_inv_one(void *arg, const void *entry)
{
	const struct iommu_hwpt_invalidate_selftest *inv = entry;
	struct mock_nested *nested = arg;
	unsigned int id;

	if (inv->flags & ~IOMMU_TEST_INVALIDATE_FLAG_ALL)
		return -EOPNOTSUPP;
	if (inv->flags & IOMMU_TEST_INVALIDATE_FLAG_ALL) {
		for (id = 0; id != MOCK_NESTED_DOMAIN_IOTLB_NUM; id++)
			WRITE_ONCE(nested->iotlb[id], 0);
		return 0;
	}
	if (inv->iotlb_id > MOCK_NESTED_DOMAIN_IOTLB_ID_MAX)
		return -EINVAL;
	WRITE_ONCE(nested->iotlb[inv->iotlb_id], 0);
	return 0;
}

static int mock_nested_invalidate(struct iommu_domain *domain,
				  struct iommu_user_array *reqs)
{
	struct iommu_hwpt_invalidate_selftest inv;

	return mock_invalidate_each(reqs, IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
				    &inv, sizeof(inv),
				    offsetofend(typeof(inv), iotlb_id),
				    mock_nested_inv_one,
				    to_mock_nested(domain));
}

static struct iommu_domain *mock_domain_alloc_paging(struct device *dev)
{
	return mock_domain_alloc_paging_flags(dev, 0);
}

static void mock_domain_free(struct iommu_domain *domain)
{
	struct mock_domain *mock = to_mock(domain);

	WARN_ON(!xa_empty(&mock->ptes));
	xa_destroy(&mock->ptes);
	kfree(mock);
}

static int mock_attach_dev(struct iommu_domain *domain, struct device *dev)
{
	struct mock_dev *mdev = container_of(dev, struct mock_dev, dev);

	/* As VT-d refuses a unit without snoop control a snooping domain. */
	if (to_mock(domain)->enforce_cc &&
	    mdev->flags & MOCK_FLAGS_DEVICE_NO_SNOOP_CONTROL)
		return -EOPNOTSUPP;
	/* As drivers refuse a tracking domain to an IOMMU that cannot. */
	if (domain->dirty_ops && mdev->flags & MOCK_FLAGS_DEVICE_NO_DIRTY)
		return -EINVAL;
	return 0;
}

/*
 * Releasing DMA ownership of a group without a default domain (mock groups
 * have none) detaches it from every domain.
 */
static void mock_detach_dev(struct iommu_domain *domain, struct device *dev)
{
}

/*
 * A PASID takes what the RID would. Taking IOMMU_TEST_PASID_RESERVED over
 * from another domain fails, as a driver's might, to test the unwinding.
 */
static int mock_set_dev_pasid(struct iommu_domain *domain, struct device *dev,
			      ioasid_t pasid, struct iommu_domain *old)
{
	if (old && pasid == IOMMU_TEST_PASID_RESERVED)
		return -EIO;
	return mock_attach_dev(domain, dev);
}

/* Mock PASID entries live only in the IOMMU core's record of them. */
static void mock_remove_dev_pasid(struct device *dev, ioasid_t pasid,
				  struct iommu_domain *domain)
{
}

static int mock_map_pages(struct iommu_domain *domain, unsigned long iova,
			  phys_addr_t paddr, size_t pgsize, size_t pgcount,
			  int prot, gfp_t gfp, size_t *mapped)
{
	struct mock_domain *mock = to_mock(domain);
	size_t total = pgsize * pgcount, done, step = MOCK_IO_PAGE_SIZE;
	unsigned long bits = 0;
	int rc;

	if (pgsize == MOCK_HUGE_PAGE_SIZE) {
		bits = MOCK_PTE_HUGE;
		step = MOCK_HUGE_PAGE_SIZE;
	}
	for (done = 0; done < total; done += step) {
		void *old;

		old = xa_cmpxchg(&mock->ptes, (iova + done) / MOCK_IO_PAGE_SIZE,
				 NULL, mock_pte(paddr + done, bits), gfp);
		if (xa_is_err(old)) {
			rc = xa_err(old);
			goto err_undo;
		}
		/* iommufd must never map over an existing IOPTE. */
		if (WARN_ON(old)) {
			rc = -EEXIST;
			goto err_undo;
		}
	}
	*mapped = total;
	return 0;

err_undo:
	while (done) {
		done -= step;
		xa_erase(&mock->ptes, (iova + done) / MOCK_IO_PAGE_SIZE);
	}
	return rc;
}

static size_t mock_unmap_pages(struct iommu_domain *domain, unsigned long iova,
			       size_t pgsize, size_t pgcount,
			       struct iommu_iotlb_gather *gather)
{
	struct mock_domain *mock = to_mock(domain);
	size_t total = pgsize * pgcount, done;

	for (done = 0; done < total; ) {
		void *old;

		old = xa_erase(&mock->ptes, (iova + done) / MOCK_IO_PAGE_SIZE);
		/* iommufd must only unmap what it mapped. */
		if (WARN_ON(!old))
			break;
		done += mock_pte_size(old);
	}
	return done;
}

static phys_addr_t mock_iova_to_phys(struct iommu_domain *domain,
				     dma_addr_t iova)
{
	struct mock_domain *mock = to_mock(domain);
	unsigned long start;
	void *ent;

	ent = mock_lookup(mock, iova, &start);
	if (!ent)
		return 0;
	return mock_pte_phys(ent) + iova - start;
}

static int mock_set_dirty_tracking(struct iommu_domain *domain, bool enable)
{
	to_mock(domain)->dirty_tracking = enable;
	return 0;
}

/*
 * Each dirty IOPTE overlapping [iova, iova + size - 1] is reported whole;
 * a huge one's entry may lie before @iova.
 */
static int mock_read_and_clear_dirty(struct iommu_domain *domain,
				     unsigned long iova, size_t size,
				     unsigned long flags,
				     struct iommu_dirty_bitmap *dirty)
{
	struct mock_domain *mock = to_mock(domain);
	unsigned long index, first, last;
	void *ent;

	/* Clearing alone is allowed while off (before tracking starts). */
	if (!mock->dirty_tracking && dirty->bits)
		return -EINVAL;
	first = ALIGN_DOWN(iova, MOCK_HUGE_PAGE_SIZE) / MOCK_IO_PAGE_SIZE;
	last = (iova + size - 1) / MOCK_IO_PAGE_SIZE;
	xa_lock(&mock->ptes);
	xa_for_each_range(&mock->ptes, index, ent, first, last) {
		unsigned long v = xa_to_value(ent);
		unsigned long pte_iova = index * MOCK_IO_PAGE_SIZE;

		if (!(v & MOCK_PTE_DIRTY))
			continue;
		if (!(v & MOCK_PTE_HUGE) && pte_iova < iova)
			continue;
		iommu_dirty_bitmap_record(dirty, pte_iova, mock_pte_size(ent));
		if (!(flags & IOMMU_DIRTY_NO_CLEAR))
			__xa_store(&mock->ptes, index,
				   xa_mk_value(v & ~MOCK_PTE_DIRTY), GFP_ATOMIC);
	}
	xa_unlock(&mock->ptes);
	return 0;
}

/* Take each entry out under the xarray lock, reporting dirty IOPTEs. */
static size_t mock_unmap_read_dirty(struct iommu_domain *domain,
				    unsigned long iova, size_t size,
				    struct iommu_dirty_bitmap *dirty)
{
	struct mock_domain *mock = to_mock(domain);
	size_t done;

	xa_lock(&mock->ptes);
	for (done = 0; done < size; ) {
		void *old = __xa_erase(&mock->ptes,
				       (iova + done) / MOCK_IO_PAGE_SIZE);

		if (WARN_ON(!old))
			break;
		if (xa_to_value(old) & MOCK_PTE_DIRTY)
			iommu_dirty_bitmap_record(dirty, iova + done,
						  mock_pte_size(old));
		done += mock_pte_size(old);
	}
	xa_unlock(&mock->ptes);
	if (dirty->gather && done)
		iommu_iotlb_gather_add_range(dirty->gather, iova, done);
	return done;
}

static const struct iommu_dirty_ops mock_dirty_ops = {
	.set_dirty_tracking = mock_set_dirty_tracking,
	.read_and_clear_dirty = mock_read_and_clear_dirty,
	.unmap_read_dirty = mock_unmap_read_dirty,
};

static bool mock_capable(struct device *dev, enum iommu_cap cap)
{
	struct mock_dev *mdev = container_of(dev, struct mock_dev, dev);

	if (cap == IOMMU_CAP_ENFORCE_CACHE_COHERENCY)
		return !(mdev->flags & MOCK_FLAGS_DEVICE_NO_SNOOP_CONTROL);
	if (cap == IOMMU_CAP_DIRTY_TRACKING)
		return !(mdev->flags & MOCK_FLAGS_DEVICE_NO_DIRTY);
	return cap == IOMMU_CAP_CACHE_COHERENCY || cap == IOMMU_CAP_INTR_REMAP;
}

/* Like VT-d: only an empty domain may start forcing snoops. */
static bool mock_enforce_cache_coherency(struct iommu_domain *domain)
{
	struct mock_domain *mock = to_mock(domain);

	if (!xa_empty(&mock->ptes))
		return false;
	mock->enforce_cc = true;
	return true;
}

/* IOMMU_GET_HW_INFO of a mock device: a register with a known value. */
static void *mock_hw_info(struct device *dev, u32 *length, u32 *type)
{
	struct iommu_test_hw_info *info;

	if (*type != IOMMU_HW_INFO_TYPE_DEFAULT &&
	    *type != IOMMU_HW_INFO_TYPE_SELFTEST)
		return ERR_PTR(-EOPNOTSUPP);
	info = kzalloc(sizeof(*info), GFP_KERNEL);
	if (!info)
		return ERR_PTR(-ENOMEM);
	info->test_reg = IOMMU_HW_INFO_SELFTEST_REGVAL;
	*length = sizeof(*info);
	*type = IOMMU_HW_INFO_TYPE_SELFTEST;
	return info;
}

static struct iommu_device *mock_probe_device(struct device *dev)
{
	if (dev->bus != &mock_bus)
		return ERR_PTR(-ENODEV);
	return &mock_iommu;
}

static const struct iommu_domain_ops mock_domain_ops = {
	.attach_dev = mock_attach_dev,
	.detach_dev = mock_detach_dev,
	.set_dev_pasid = mock_set_dev_pasid,
	.map_pages = mock_map_pages,
	.unmap_pages = mock_unmap_pages,
	.iova_to_phys = mock_iova_to_phys,
	.enforce_cache_coherency = mock_enforce_cache_coherency,
	.free = mock_domain_free,
};

/* A nested domain goes wherever its parent may. */
static int mock_nested_attach_dev(struct iommu_domain *domain,
				  struct device *dev)
{
	return mock_attach_dev(&to_mock_nested(domain)->parent->domain, dev);
}

static int mock_nested_set_dev_pasid(struct iommu_domain *domain,
				     struct device *dev, ioasid_t pasid,
				     struct iommu_domain *old)
{
	if (old && pasid == IOMMU_TEST_PASID_RESERVED)
		return -EIO;
	return mock_nested_attach_dev(domain, dev);
}

static const struct iommu_domain_ops mock_nested_ops = {
	.attach_dev = mock_nested_attach_dev,
	.detach_dev = mock_detach_dev,
	.set_dev_pasid = mock_nested_set_dev_pasid,
	.cache_invalidate_user = mock_nested_invalidate,
	.free = mock_nested_free,
};

/* Nested domains of a mock vIOMMU are the plain mock nested ones. */
static struct iommu_domain *
mock_viommu_alloc_nested(struct iommu_viommu *viommu, struct device *dev,
			 const struct iommu_user_arg *arg)
{
	return mock_domain_alloc_nested(dev, viommu->parent, arg);
}

/* Clear the cache entries of the device @entry names, under the devs lock. */
static int mock_viommu_inv_one(void *arg, const void *entry)
{
	const struct iommu_viommu_invalidate_selftest *inv = entry;
	struct mock_viommu *mv = arg;
	struct mock_dev *mdev;
	unsigned int i;
	int rc = 0;

	if (inv->flags & ~IOMMU_TEST_INVALIDATE_FLAG_ALL)
		return -EOPNOTSUPP;
	/* As newer mainline's mock: a bad cache_id fails even with ALL. */
	if (inv->cache_id > MOCK_DEV_CACHE_ID_MAX)
		return -EINVAL;
	xa_lock(&mv->devs);
	mdev = xa_load(&mv->devs, inv->vdev_id);
	if (!mdev) {
		rc = -EINVAL;
	} else if (inv->flags & IOMMU_TEST_INVALIDATE_FLAG_ALL) {
		for (i = 0; i != MOCK_DEV_CACHE_NUM; i++)
			WRITE_ONCE(mdev->cache[i], 0);
	} else {
		WRITE_ONCE(mdev->cache[inv->cache_id], 0);
	}
	xa_unlock(&mv->devs);
	return rc;
}

/* Requests name devices by guest ID; stops at the first bad one. */
static int mock_viommu_invalidate(struct iommu_viommu *viommu,
				  struct iommu_user_array *reqs)
{
	struct iommu_viommu_invalidate_selftest inv;

	return mock_invalidate_each(reqs, IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST,
				    &inv, sizeof(inv),
				    offsetofend(typeof(inv), cache_id),
				    mock_viommu_inv_one, to_mock_viommu(viommu));
}

static int mock_viommu_vdevice_add(struct iommu_viommu *viommu,
				   struct device *dev, u64 virt_id)
{
	struct mock_viommu *mv = to_mock_viommu(viommu);
	struct mock_dev *mdev = to_mock_dev(dev);
	struct mock_vid *vid;
	int rc;

	if (virt_id > ULONG_MAX)
		return -EINVAL;
	vid = kzalloc(sizeof(*vid), GFP_KERNEL);
	if (!vid)
		return -ENOMEM;
	vid->viommu = mv;
	vid->virt_id = virt_id;
	rc = xa_insert(&mv->devs, virt_id, mdev, GFP_KERNEL);
	if (rc) {
		kfree(vid);
		return rc == -EBUSY ? -EEXIST : rc;
	}
	mutex_lock(&mdev->vlock);
	list_add_tail(&vid->item, &mdev->vids);
	mutex_unlock(&mdev->vlock);
	return 0;
}

static void mock_viommu_vdevice_remove(struct iommu_viommu *viommu,
				       struct device *dev)
{
	struct mock_viommu *mv = to_mock_viommu(viommu);
	struct mock_dev *mdev = to_mock_dev(dev);
	struct mock_vid *vid, *found = NULL;

	mutex_lock(&mdev->vlock);
	list_for_each_entry(vid, &mdev->vids, item) {
		if (vid->viommu == mv) {
			list_del(&vid->item);
			found = vid;
			break;
		}
	}
	mutex_unlock(&mdev->vlock);
	if (found)
		xa_erase(&mv->devs, found->virt_id);
	kfree(found);
}

static void mock_viommu_free(struct iommu_viommu *viommu)
{
	struct mock_viommu *mv = to_mock_viommu(viommu);

	WARN_ON(!xa_empty(&mv->devs));
	xa_destroy(&mv->devs);
	kfree(mv);
}

static const struct iommu_viommu_ops mock_viommu_ops = {
	.domain_alloc_nested = mock_viommu_alloc_nested,
	.cache_invalidate_user = mock_viommu_invalidate,
	.vdevice_add = mock_viommu_vdevice_add,
	.vdevice_remove = mock_viommu_vdevice_remove,
	.free = mock_viommu_free,
};

/* IOMMU_VIOMMU_TYPE_SELFTEST, which takes no data, over a mock nest parent */
static struct iommu_viommu *mock_viommu_alloc(struct device *dev,
					      struct iommu_domain *parent,
					      const struct iommu_user_arg *arg)
{
	struct mock_viommu *mv;

	if (arg->type != IOMMU_VIOMMU_TYPE_SELFTEST)
		return ERR_PTR(-EOPNOTSUPP);
	if (parent->ops != &mock_domain_ops || !to_mock(parent)->nest_parent)
		return ERR_PTR(-EINVAL);
	mv = kzalloc(sizeof(*mv), GFP_KERNEL);
	if (!mv)
		return ERR_PTR(-ENOMEM);
	mv->core.ops = &mock_viommu_ops;
	xa_init(&mv->devs);
	return &mv->core;
}

/* Answers to page requests end here: the mock device has no PRI queue. */
static int mock_page_response(struct device *dev,
			      struct iommu_fault_event *evt,
			      struct iommu_page_response *msg)
{
	return 0;
}

/*
 * The mock device sends page requests once they are on, as a PCI device
 * does after its PRI capability is enabled. iommufd turns them on once per
 * stay on a HWPT with a fault queue; a second enable or a disable of what
 * is off would be an iommufd bug.
 */
static int mock_dev_enable_feat(struct device *dev,
				enum iommu_dev_features feat)
{
	struct mock_dev *mdev = to_mock_dev(dev);

	if (feat != IOMMU_DEV_FEAT_IOPF)
		return -EOPNOTSUPP;
	if (mdev->flags & MOCK_FLAGS_DEVICE_NO_IOPF)
		return -ENODEV;
	if (WARN_ON(mdev->iopf_on))
		return -EBUSY;
	WRITE_ONCE(mdev->iopf_on, true);
	return 0;
}

static int mock_dev_disable_feat(struct device *dev,
				 enum iommu_dev_features feat)
{
	struct mock_dev *mdev = to_mock_dev(dev);

	if (feat != IOMMU_DEV_FEAT_IOPF || WARN_ON(!mdev->iopf_on))
		return -EINVAL;
	WRITE_ONCE(mdev->iopf_on, false);
	return 0;
}

static const struct iommu_ops mock_ops = {
	.owner = THIS_MODULE,
	.pgsize_bitmap = MOCK_IO_PAGE_SIZE,
	.capable = mock_capable,
	.hw_info = mock_hw_info,
	.domain_alloc = mock_domain_alloc,
	.domain_alloc_paging = mock_domain_alloc_paging,
	.domain_alloc_paging_flags = mock_domain_alloc_paging_flags,
	.domain_alloc_nested = mock_domain_alloc_nested,
	.viommu_alloc = mock_viommu_alloc,
	.page_response = mock_page_response,
	.dev_enable_feat = mock_dev_enable_feat,
	.dev_disable_feat = mock_dev_disable_feat,
	.remove_dev_pasid = mock_remove_dev_pasid,
	.probe_device = mock_probe_device,
	.device_group = generic_device_group,
	.default_domain_ops = &mock_domain_ops,
};

static void mock_dev_release(struct device *dev)
{
	struct mock_dev *mdev = container_of(dev, struct mock_dev, dev);

	WARN_ON(mdev->iopf_on);
	ida_free(&mock_dev_ida, dev->id);
	mutex_destroy(&mdev->vlock);
	kfree(mdev);
}

static struct mock_dev *mock_dev_create(u32 flags)
{
	struct mock_dev *mdev;
	int rc, id, i;

	if (flags & ~(MOCK_FLAGS_DEVICE_NO_DIRTY | MOCK_FLAGS_DEVICE_HUGE_IOVA |
		      MOCK_FLAGS_DEVICE_PASID |
		      MOCK_FLAGS_DEVICE_NO_SNOOP_CONTROL |
		      MOCK_FLAGS_DEVICE_WIDE_APERTURE |
		      MOCK_FLAGS_DEVICE_NO_IOPF))
		return ERR_PTR(-EINVAL);

	mdev = kzalloc(sizeof(*mdev), GFP_KERNEL);
	if (!mdev)
		return ERR_PTR(-ENOMEM);
	id = ida_alloc(&mock_dev_ida, GFP_KERNEL);
	if (id < 0) {
		kfree(mdev);
		return ERR_PTR(id);
	}
	mdev->flags = flags;
	mutex_init(&mdev->vlock);
	INIT_LIST_HEAD(&mdev->vids);
	for (i = 0; i != MOCK_DEV_CACHE_NUM; i++)
		mdev->cache[i] = IOMMU_TEST_DEV_CACHE_DEFAULT;
	device_initialize(&mdev->dev);
	mdev->dev.id = id;
	mdev->dev.bus = &mock_bus;
	mdev->dev.release = mock_dev_release;
	rc = dev_set_name(&mdev->dev, "iommufd_mock%d", id);
	/* A PASID-capable mock device says so as firmware would. */
	if (!rc && (flags & MOCK_FLAGS_DEVICE_PASID)) {
		const struct property_entry props[] = {
			PROPERTY_ENTRY_U32("pasid-num-bits", MOCK_PASID_WIDTH),
			{}
		};

		rc = device_create_managed_software_node(&mdev->dev, props,
							 NULL);
	}
	if (!rc)
		rc = device_add(&mdev->dev);
	if (rc) {
		put_device(&mdev->dev);
		return ERR_PTR(rc);
	}
	return mdev;
}

static void mock_dev_destroy(struct mock_dev *mdev)
{
	device_unregister(&mdev->dev);
}

/**
 * struct selftest_obj - IOMMUFD_OBJ_SELFTEST: a mock device bound and
 *	attached on behalf of the test
 * @obj: the object header
 * @mdev: the mock device
 * @idev: its binding to the context
 */
struct selftest_obj {
	struct iommufd_object obj;
	struct mock_dev *mdev;
	struct iommufd_device *idev;
};

/* Allocation and lookups rely on the header coming first. */
static_assert(offsetof(struct selftest_obj, obj) == 0);

/**
 * iommufd_test_obj_destroy() - Destroy function of IOMMUFD_OBJ_SELFTEST
 * @obj: the object
 */
void iommufd_test_obj_destroy(struct iommufd_object *obj)
{
	struct selftest_obj *sobj = container_of(obj, struct selftest_obj, obj);

	if (sobj->idev)
		iommufd_device_unbind(sobj->idev);
	if (sobj->mdev)
		mock_dev_destroy(sobj->mdev);
}

static int test_mock_domain(struct iommufd_ucmd *ucmd, u32 flags)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;
	struct selftest_obj *sobj;
	u32 pt_id = cmd->id, idev_id;
	int rc;

	sobj = iommufd_object_alloc(ucmd->ctx, sobj, IOMMUFD_OBJ_SELFTEST);
	if (IS_ERR(sobj))
		return PTR_ERR(sobj);

	sobj->mdev = mock_dev_create(flags);
	if (IS_ERR(sobj->mdev)) {
		rc = PTR_ERR(sobj->mdev);
		sobj->mdev = NULL;
		goto err_destroy;
	}
	sobj->idev = iommufd_device_bind(ucmd->ctx, &sobj->mdev->dev, &idev_id);
	if (IS_ERR(sobj->idev)) {
		rc = PTR_ERR(sobj->idev);
		sobj->idev = NULL;
		goto err_destroy;
	}
	rc = iommufd_device_attach(sobj->idev, &pt_id);
	if (rc)
		goto err_destroy;

	/* Both forms share the first three output fields. */
	cmd->mock_domain.out_stdev_id = sobj->obj.id;
	cmd->mock_domain.out_hwpt_id = pt_id;
	cmd->mock_domain.out_idev_id = idev_id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto err_destroy;
	iommufd_object_finalize(ucmd->ctx, &sobj->obj);
	return 0;

err_destroy:
	iommufd_object_abort_and_destroy(ucmd->ctx, &sobj->obj);
	return rc;
}

/* Move a mock device to another IOAS or HWPT, as VFIO's attach does. */
static int test_mock_domain_replace(struct iommufd_ucmd *ucmd)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;
	u32 pt_id = cmd->mock_domain_replace.pt_id;
	struct iommufd_object *obj;
	struct selftest_obj *sobj;
	int rc;

	obj = iommufd_get_object(ucmd->ctx, cmd->id, IOMMUFD_OBJ_SELFTEST);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	sobj = container_of(obj, struct selftest_obj, obj);
	rc = iommufd_device_replace(sobj->idev, &pt_id);
	if (!rc) {
		cmd->mock_domain_replace.pt_id = pt_id;
		rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	}
	iommufd_put_object(ucmd->ctx, obj);
	return rc;
}

/* The bound device of a selftest object, with the object held. */
static struct selftest_obj *get_selftest(struct iommufd_ucmd *ucmd, u32 id)
{
	struct iommufd_object *obj;

	obj = iommufd_get_object(ucmd->ctx, id, IOMMUFD_OBJ_SELFTEST);
	if (IS_ERR(obj))
		return ERR_CAST(obj);
	return container_of(obj, struct selftest_obj, obj);
}

/*
 * IOMMU_TEST_OP_PASID_ATTACH, _REPLACE and _DETACH: what VFIO's PASID
 * flavour of ATTACH and DETACH does, on a mock device.
 */
static int test_pasid_op(struct iommufd_ucmd *ucmd)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;
	struct iommu_test_pasid_attach_args *args = &cmd->pasid_attach;
	struct selftest_obj *sobj;
	u32 pt_id = args->pt_id;
	int rc = 0;

	sobj = get_selftest(ucmd, cmd->id);
	if (IS_ERR(sobj))
		return PTR_ERR(sobj);
	switch (cmd->op) {
	case IOMMU_TEST_OP_PASID_ATTACH:
		rc = iommufd_device_pasid_attach(sobj->idev, args->pasid,
						 &pt_id);
		break;
	case IOMMU_TEST_OP_PASID_REPLACE:
		rc = iommufd_device_pasid_replace(sobj->idev, args->pasid,
						  &pt_id);
		break;
	default:
		iommufd_device_pasid_detach(sobj->idev,
					    cmd->pasid_detach.pasid);
		goto out_put;
	}
	if (!rc) {
		args->pt_id = pt_id;
		rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	}
out_put:
	iommufd_put_object(ucmd->ctx, &sobj->obj);
	return rc;
}

/* IOMMU_TEST_OP_PASID_CHECK_HWPT: what the IOMMU core has at a PASID */
static int test_pasid_check(struct iommufd_ucmd *ucmd)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;
	struct iommu_domain *want = NULL;
	struct iommufd_hwpt *hwpt = NULL;
	struct selftest_obj *sobj;
	int rc = 0;

	sobj = get_selftest(ucmd, cmd->id);
	if (IS_ERR(sobj))
		return PTR_ERR(sobj);
	if (cmd->pasid_check.hwpt_id) {
		hwpt = iommufd_get_hwpt(ucmd->ctx, cmd->pasid_check.hwpt_id);
		if (IS_ERR(hwpt)) {
			rc = PTR_ERR(hwpt);
			goto out_put;
		}
		want = hwpt->domain;
	}
	if (iommu_get_domain_for_dev_pasid(&sobj->mdev->dev,
					   cmd->pasid_check.pasid) != want)
		rc = -EINVAL;
	if (hwpt)
		iommufd_put_object(ucmd->ctx, &hwpt->obj);
out_put:
	iommufd_put_object(ucmd->ctx, &sobj->obj);
	return rc;
}

static int test_add_reserved(struct iommufd_ucmd *ucmd)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;
	struct iommufd_ioas *ioas;
	u64 last;
	int rc;

	if (!cmd->add_reserved.length)
		return -EINVAL;
	if (check_add_overflow(cmd->add_reserved.start,
			       cmd->add_reserved.length - 1, &last) ||
	    last > ULONG_MAX)
		return -EOVERFLOW;

	ioas = iommufd_get_ioas(ucmd->ctx, cmd->id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	rc = iopt_reserve(&ioas->iopt, cmd->add_reserved.start, last, NULL);
	iommufd_put_object(ucmd->ctx, &ioas->obj);
	return rc;
}

/* The mock domain behind a HWPT ID, with the HWPT held. */
static struct mock_domain *get_mock_domain(struct iommufd_ucmd *ucmd, u32 id,
					   struct iommufd_hwpt **hwpt)
{
	*hwpt = iommufd_get_hwpt(ucmd->ctx, id);
	if (IS_ERR(*hwpt))
		return ERR_CAST(*hwpt);
	if ((*hwpt)->domain->ops != &mock_domain_ops) {
		iommufd_put_object(ucmd->ctx, &(*hwpt)->obj);
		return ERR_PTR(-EINVAL);
	}
	return to_mock((*hwpt)->domain);
}

/**
 * iommufd_test_user_page() - The page behind a user address, referenced
 * @uaddr: an address in current's mm
 *
 * Return: the page with a reference to drop with put_page(), or an ERR_PTR.
 */
struct page *iommufd_test_user_page(unsigned long uaddr)
{
	struct page *page;
	long n;

	n = get_user_pages_fast(uaddr & PAGE_MASK, 1, 0, &page);
	if (n < 0)
		return ERR_PTR(n);
	if (n != 1)
		return ERR_PTR(-EFAULT);
	return page;
}

/* The physical address of a user byte, found without pinning it. */
static int user_phys(unsigned long uaddr, phys_addr_t *phys)
{
	struct page *page = iommufd_test_user_page(uaddr);

	if (IS_ERR(page))
		return PTR_ERR(page);
	*phys = page_to_phys(page) + (uaddr & ~PAGE_MASK);
	put_page(page);
	return 0;
}

static int test_check_map(struct iommufd_ucmd *ucmd)
{
	struct iommu_test_check_map_args *args = &((struct iommu_test_cmd *)
						    ucmd->cmd)->check_map;
	unsigned long iova = args->iova, uptr = args->uptr, left, end;
	struct iommufd_hwpt *hwpt;
	struct mock_domain *mock;
	int rc = 0;

	if ((iova | args->length | uptr) % MOCK_IO_PAGE_SIZE ||
	    args->length > ULONG_MAX || args->iova > ULONG_MAX ||
	    check_add_overflow(uptr, (unsigned long)args->length, &end))
		return -EINVAL;

	mock = get_mock_domain(ucmd, ((struct iommu_test_cmd *)ucmd->cmd)->id,
			       &hwpt);
	if (IS_ERR(mock))
		return PTR_ERR(mock);

	for (left = args->length; left; left -= MOCK_IO_PAGE_SIZE) {
		phys_addr_t want;
		void *ent;

		rc = user_phys(uptr, &want);
		if (rc)
			break;
		unsigned long start;

		ent = mock_lookup(mock, iova, &start);
		if (!ent || mock_pte_phys(ent) + iova - start != want) {
			rc = -EINVAL;
			break;
		}
		iova += MOCK_IO_PAGE_SIZE;
		uptr += MOCK_IO_PAGE_SIZE;
		cond_resched();
	}
	iommufd_put_object(ucmd->ctx, &hwpt->obj);
	return rc;
}

/* How many FOLL_PIN pins hold @page, as far as it can be told. */
static unsigned int page_pins(struct page *page)
{
	struct folio *folio = page_folio(page);

	/* Large folios count pins for the whole folio, not per page. */
	if (folio_test_large(folio))
		return folio_maybe_dma_pinned(folio) ? 1 : 0;
	/* Less the reference the lookup itself took. */
	return (folio_ref_count(folio) - 1) / GUP_PIN_COUNTING_BIAS;
}

static int test_check_refs(struct iommufd_ucmd *ucmd)
{
	struct iommu_test_check_refs_args *args = &((struct iommu_test_cmd *)
						     ucmd->cmd)->check_refs;
	unsigned long uptr = args->uptr, end;

	if (uptr % PAGE_SIZE || args->length % PAGE_SIZE ||
	    args->length > ULONG_MAX ||
	    check_add_overflow(uptr, (unsigned long)args->length, &end))
		return -EINVAL;

	for (; uptr != end; uptr += PAGE_SIZE) {
		struct page *page = iommufd_test_user_page(uptr);
		unsigned int pins;

		if (IS_ERR(page))
			return PTR_ERR(page);
		pins = page_pins(page);
		put_page(page);
		if (pins != args->refs)
			return -EIO;
		cond_resched();
	}
	return 0;
}

/*
 * Mark the IOPTE that translates @iova dirty. Return the IOVA after it, or
 * 0 when there is none.
 */
static unsigned long mock_mark_dirty(struct mock_domain *mock,
				     unsigned long iova)
{
	unsigned long start, v;
	void *ent;

	xa_lock(&mock->ptes);
	ent = mock_lookup(mock, iova, &start);
	if (ent) {
		v = xa_to_value(ent) | MOCK_PTE_DIRTY;
		__xa_store(&mock->ptes, start / MOCK_IO_PAGE_SIZE,
			   xa_mk_value(v), GFP_ATOMIC);
	}
	xa_unlock(&mock->ptes);
	return ent ? start + mock_pte_size(ent) : 0;
}

/* The most bits IOMMU_TEST_OP_DIRTY takes: a 16 MiB bitmap. */
#define MOCK_DIRTY_MAX_BITS (SZ_16M * BITS_PER_BYTE)

/*
 * IOMMU_TEST_OP_DIRTY: for each bit set in the user's bitmap, mark the
 * IOPTEs of that page_size page dirty; count the pages that had any.
 */
static int test_dirty(struct iommufd_ucmd *ucmd)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;
	struct iommu_test_dirty_args *args = &cmd->dirty;
	unsigned long nbits, i, count = 0;
	struct iommufd_hwpt *hwpt;
	struct mock_domain *mock;
	u64 *bitmap;
	int rc;

	if (!args->page_size || !args->length || !args->uptr ||
	    args->iova % args->page_size || args->length % args->page_size ||
	    args->page_size % MOCK_IO_PAGE_SIZE)
		return -EINVAL;
	if (args->length / args->page_size > MOCK_DIRTY_MAX_BITS)
		return -EOVERFLOW;
	nbits = args->length / args->page_size;

	mock = get_mock_domain(ucmd, cmd->id, &hwpt);
	if (IS_ERR(mock))
		return PTR_ERR(mock);
	rc = -EINVAL;
	if (!mock->dirty_tracking)
		goto out_put;
	rc = -ENOMEM;
	bitmap = kvcalloc(DIV_ROUND_UP(nbits, 64), sizeof(u64), GFP_KERNEL);
	if (!bitmap)
		goto out_put;
	rc = -EFAULT;
	if (copy_from_user(bitmap, u64_to_user_ptr(args->uptr),
			   DIV_ROUND_UP(nbits, BITS_PER_BYTE)))
		goto out_free;

	for (i = 0; i < nbits; i++) {
		unsigned long iova = args->iova + i * args->page_size;
		unsigned long end = iova + args->page_size, next;
		bool any = false;

		if (!(bitmap[i / 64] & BIT_ULL(i % 64)))
			continue;
		/* Each IOPTE of the page once, however large it is. */
		while (iova < end) {
			next = mock_mark_dirty(mock, iova);
			any |= next;
			iova = next ?: iova + MOCK_IO_PAGE_SIZE;
			cond_resched();
		}
		count += any;
		cond_resched();
	}
	args->out_nr_dirty = count;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
out_free:
	kvfree(bitmap);
out_put:
	iommufd_put_object(ucmd->ctx, &hwpt->obj);
	return rc;
}

/* IOMMU_TEST_OP_MD_CHECK_IOTLB: one emulated IOTLB entry of a nested HWPT */
static int test_check_iotlb(struct iommufd_ucmd *ucmd)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;
	struct iommufd_hwpt *hwpt;
	int rc = 0;

	hwpt = iommufd_get_hwpt(ucmd->ctx, cmd->id);
	if (IS_ERR(hwpt))
		return PTR_ERR(hwpt);
	if (hwpt->domain->ops != &mock_nested_ops ||
	    cmd->check_iotlb.id > MOCK_NESTED_DOMAIN_IOTLB_ID_MAX ||
	    READ_ONCE(to_mock_nested(hwpt->domain)->iotlb[cmd->check_iotlb.id]) !=
		    cmd->check_iotlb.iotlb)
		rc = -EINVAL;
	iommufd_put_object(ucmd->ctx, &hwpt->obj);
	return rc;
}

/* A bound mock device by its object ID, held for the ioctl. */
static struct iommufd_device *get_mock_idev(struct iommufd_ucmd *ucmd, u32 id)
{
	struct iommufd_device *idev = iommufd_get_device(ucmd->ctx, id);

	if (!IS_ERR(idev) && idev->dev->bus != &mock_bus) {
		iommufd_put_object(ucmd->ctx, &idev->obj);
		return ERR_PTR(-EINVAL);
	}
	return idev;
}

/*
 * IOMMU_TEST_OP_TRIGGER_IOPF: the device sends one page request, the last
 * of its group, as a PCI device with PRI would; -ENODEV while its page
 * requests are off (it is on no HWPT with a fault queue).
 */
static int test_trigger_iopf(struct iommufd_ucmd *ucmd)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;
	struct iommu_test_iopf_args *args = &cmd->trigger_iopf;
	struct iommu_fault_event evt = {
		.fault = {
			.type = IOMMU_FAULT_PAGE_REQ,
			.prm = {
				.flags = IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE,
				.pasid = args->pasid,
				.grpid = args->grpid,
				.perm = args->perm,
				.addr = args->addr,
			},
		},
	};
	struct iommufd_device *idev;
	int rc;

	if (args->pasid)
		evt.fault.prm.flags |= IOMMU_FAULT_PAGE_REQUEST_PASID_VALID;
	idev = get_mock_idev(ucmd, args->dev_id);
	if (IS_ERR(idev))
		return PTR_ERR(idev);
	if (READ_ONCE(to_mock_dev(idev->dev)->iopf_on))
		rc = iommu_report_device_fault(idev->dev, &evt);
	else
		rc = -ENODEV;
	iommufd_put_object(ucmd->ctx, &idev->obj);
	return rc;
}

/* IOMMU_TEST_OP_DMA_FAULT: as an IOMMU driver reports a fault it logged. */
static int test_dma_fault(struct iommufd_ucmd *ucmd)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;
	struct iommu_test_dma_fault_args *args = &cmd->dma_fault;
	struct iommu_dma_fault fault = {
		.iova = args->iova,
		.flags = args->flags,
		.pasid = args->pasid,
		.vendor = IOMMU_HW_INFO_TYPE_SELFTEST,
		.code = args->code,
		.raw = { args->iova, args->code },
	};
	struct iommufd_device *idev;
	int rc;

	idev = get_mock_idev(ucmd, args->dev_id);
	if (IS_ERR(idev))
		return PTR_ERR(idev);
	rc = iommu_report_dma_fault(idev->dev, &fault);
	iommufd_put_object(ucmd->ctx, &idev->obj);
	return rc;
}

/* IOMMU_TEST_OP_DEV_CHECK_CACHE: one emulated cache entry of a device */
static int test_check_dev_cache(struct iommufd_ucmd *ucmd)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;
	struct iommu_test_dev_cache_args *args = &cmd->check_dev_cache;
	struct iommufd_device *idev;
	int rc = 0;

	idev = get_mock_idev(ucmd, cmd->id);
	if (IS_ERR(idev))
		return PTR_ERR(idev);
	if (args->id > MOCK_DEV_CACHE_ID_MAX ||
	    READ_ONCE(to_mock_dev(idev->dev)->cache[args->id]) != args->cache)
		rc = -EINVAL;
	iommufd_put_object(ucmd->ctx, &idev->obj);
	return rc;
}

/*
 * IOMMU_TEST_OP_TRIGGER_VEVENT: the device's vIOMMU reports an event naming
 * it by its guest ID, as a driver's event thread would.
 */
static int test_trigger_vevent(struct iommufd_ucmd *ucmd)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;
	struct iommu_viommu_event_selftest evt = {};
	struct iommufd_device *idev;
	struct mock_dev *mdev;
	struct mock_vid *vid;
	int rc = -ENOENT;

	idev = get_mock_idev(ucmd, cmd->trigger_vevent.dev_id);
	if (IS_ERR(idev))
		return PTR_ERR(idev);
	mdev = to_mock_dev(idev->dev);
	/* Held across the report, so the vIOMMU cannot lose the device. */
	mutex_lock(&mdev->vlock);
	vid = list_first_entry_or_null(&mdev->vids, struct mock_vid, item);
	if (vid) {
		evt.virt_id = vid->virt_id;
		rc = iommu_viommu_report_event(&vid->viommu->core,
					       IOMMU_VEVENTQ_TYPE_SELFTEST,
					       &evt, sizeof(evt));
	}
	mutex_unlock(&mdev->vlock);
	iommufd_put_object(ucmd->ctx, &idev->obj);
	return rc;
}

/**
 * iommufd_test_cmd() - IOMMU_TEST_CMD
 * @ucmd: the ioctl
 *
 * Operations of features that have not landed yet fail with -EOPNOTSUPP.
 *
 * Return: 0 or a negative errno.
 */
int iommufd_test_cmd(struct iommufd_ucmd *ucmd)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;

	switch (cmd->op) {
	case IOMMU_TEST_OP_ADD_RESERVED:
		return test_add_reserved(ucmd);
	case IOMMU_TEST_OP_MOCK_DOMAIN:
		return test_mock_domain(ucmd, 0);
	case IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS:
		return test_mock_domain(ucmd, cmd->mock_domain_flags.dev_flags);
	case IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE:
		return test_mock_domain_replace(ucmd);
	case IOMMU_TEST_OP_MD_CHECK_MAP:
		return test_check_map(ucmd);
	case IOMMU_TEST_OP_MD_CHECK_REFS:
		return test_check_refs(ucmd);
	case IOMMU_TEST_OP_CREATE_ACCESS:
		return iommufd_test_create_access(ucmd);
	case IOMMU_TEST_OP_ACCESS_REPLACE_IOAS:
		return iommufd_test_access_replace_ioas(ucmd);
	case IOMMU_TEST_OP_ACCESS_PAGES:
		return iommufd_test_access_pages(ucmd);
	case IOMMU_TEST_OP_DESTROY_ACCESS_PAGES:
		return iommufd_test_destroy_access_pages(ucmd);
	case IOMMU_TEST_OP_ACCESS_RW:
		return iommufd_test_access_rw(ucmd);
	case IOMMU_TEST_OP_DIRTY:
		return test_dirty(ucmd);
	case IOMMU_TEST_OP_MD_CHECK_IOTLB:
		return test_check_iotlb(ucmd);
	case IOMMU_TEST_OP_TRIGGER_IOPF:
		return test_trigger_iopf(ucmd);
	case IOMMU_TEST_OP_DMA_FAULT:
		return test_dma_fault(ucmd);
	case IOMMU_TEST_OP_DEV_CHECK_CACHE:
		return test_check_dev_cache(ucmd);
	case IOMMU_TEST_OP_TRIGGER_VEVENT:
		return test_trigger_vevent(ucmd);
	case IOMMU_TEST_OP_PASID_ATTACH:
	case IOMMU_TEST_OP_PASID_REPLACE:
	case IOMMU_TEST_OP_PASID_DETACH:
		return test_pasid_op(ucmd);
	case IOMMU_TEST_OP_PASID_CHECK_HWPT:
		return test_pasid_check(ucmd);
	case IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT:
		iommufd_pages_set_batch(cmd->memory_limit.limit);
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

/**
 * iommufd_test_init() - Register the mock bus and its IOMMU
 *
 * Return: 0 or a negative errno.
 */
int iommufd_test_init(void)
{
	int rc;

	rc = bus_register(&mock_bus);
	if (rc)
		return rc;
	/* Probing links every device to its IOMMU's sysfs node. */
	rc = iommu_device_sysfs_add(&mock_iommu, NULL, NULL, "%s",
				    "iommufd_mock");
	if (rc)
		goto err_bus;
	mock_iommu.max_pasids = 1U << MOCK_PASID_WIDTH;
	rc = iommu_device_register_bus(&mock_iommu, &mock_ops, &mock_bus,
				       &mock_bus_nb);
	if (rc)
		goto err_sysfs;
	return 0;

err_sysfs:
	iommu_device_sysfs_remove(&mock_iommu);
err_bus:
	bus_unregister(&mock_bus);
	return rc;
}

/**
 * iommufd_test_exit() - Undo iommufd_test_init()
 */
void iommufd_test_exit(void)
{
	iommu_device_unregister_bus(&mock_iommu, &mock_bus, &mock_bus_nb);
	iommu_device_sysfs_remove(&mock_iommu);
	bus_unregister(&mock_bus);
}
