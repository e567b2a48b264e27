// SPDX-License-Identifier: GPL-2.0
/*
 * SMMUv3 nesting end to end: this program plays the VMM of a guest that
 * owns an SMMUv3 stage 1.  The "guest memory" is one buffer mapped into
 * an IOAS at IPA_BASE, the IOAS's IOVAs being the guest's physical
 * addresses (IPAs); a nest parent HWPT on it is the stage 2.  In that
 * memory the program writes what a guest driver would: a context
 * descriptor (CD) and a VMSAv8-64 stage-1 table whose descriptors hold
 * IPAs.  A nested HWPT made from the guest's STE words points the SMMU at
 * the CD, and QEMU's edu device, attached to it, then DMAs to stage-1
 * addresses (VAs) that the SMMU translates through both stages.
 *
 * Needs an SMMU that translates both stages: QEMU 10's arm-smmuv3 with
 * stage=nested (the smmuv3-nested lane), and edu bound to vfio-pci.
 *
 * Every test runs twice.  In the "hwpt" variant nested HWPTs are made on
 * the parent HWPT and the guest's invalidations go to the nested HWPT,
 * which ignores the StreamIDs in them.  In the "viommu" variant the VMM
 * first makes a vIOMMU over the parent and tells it edu's vSID, the
 * StreamID the guest knows edu by; nested HWPTs are made on the vIOMMU,
 * the guest's invalidations go to the vIOMMU and name edu by its vSID.
 * Without a vEVENTQ the vIOMMU's faults still reach the DMA fault queue,
 * so the shared tests hold in both; the viommu_* tests, of the "viommu"
 * variant only, read the guest's events from a vEVENTQ.
 */
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>

#include "../kselftest_harness.h"
#include "edu_dev.h"
#include "smmuv3_desc.h"
#include "vfio_cdev_util.h"

#define PG		SMMU_GRANULE
/* Guest memory: its pages, at IPA_BASE + page * PG in the IOAS. */
#define IPA_BASE	0x400000ULL
enum {
	P_CD,		/* the CD table, one CD */
	P_L1, P_L2, P_L3,	/* the stage-1 tables, levels 1 to 3 */
	P_A, P_B, P_C,	/* data */
	P_L1_ALT, P_L2_ALT, P_L3_ALT,	/* another set of tables */
	P_L3_MSI,	/* the level-3 table of the MSI window */
	NPAGES
};

/* An IPA the IOAS does not map: stage 2 faults on it. */
#define IPA_NOWHERE	0x900000ULL

/* 39-bit stage-1 input: walks start at level 1. */
#define S1_T0SZ		25
#define S1_ASID		0x5a
/*
 * Stage-1 addresses; none of them is an IPA the IOAS maps, so DMA only
 * reaches memory through the stage-1 table.  VA_SRC maps P_A, VA_DST
 * P_B (or P_C), VA_HOLE nothing, VA_S2_HOLE the unmapped IPA.
 */
#define VA_SRC		0x2345000ULL
#define VA_DST		0x2346000ULL
#define VA_HOLE		0x2347000ULL
#define VA_S2_HOLE	0x2348000ULL

#define XFER		256
/* QEMU's SMMUv3 logs one event for each 4 bytes of a faulting DMA. */
#define FAULT_LEN	4
/* The StreamID a guest's CFGI_CD names on a nested HWPT: ignored there. */
#define GUEST_SID	0x7
/* edu's vSID on the vIOMMU, unlike any StreamID of QEMU's PCI bus 0. */
#define VSID		0x4242
/* Events a vEVENTQ holds: more than any test makes. */
#define VQ_DEPTH	16

FIXTURE(nest) {
	char bdf[64];
	char path[128];
	struct vfio_cdev v;
	struct edu_dev edu;
	uint8_t *mem;		/* NPAGES, the guest memory */
	uint32_t parent;	/* the stage-2 (nest parent) HWPT */
	uint32_t nest_pt;	/* what nested HWPTs are allocated on */
	uint32_t nested;	/* the attached nested HWPT, 0 for none */
	uint32_t viommu;	/* the vIOMMU, 0 in the "hwpt" variant */
	uint32_t vdev;		/* edu's vDEVICE on it */
	uint32_t sid;		/* the StreamID of edu in the guest's commands */
	uint32_t psid;		/* edu's physical StreamID */
	int qfd;		/* the DMA fault queue's file */
	uint32_t vq;		/* a vEVENTQ, 0 for none */
	int vqfd;		/* its file */
	uint32_t idr0;
};

FIXTURE_VARIANT(nest) {
	bool viommu;	/* through a vIOMMU and vSIDs */
};

FIXTURE_VARIANT_ADD(nest, hwpt) {
	.viommu = false,
};

FIXTURE_VARIANT_ADD(nest, viommu) {
	.viommu = true,
};

/* The StreamID of PCI function @bdf: its requester ID, on QEMU's SMMU. */
static uint32_t pci_sid(const char *bdf)
{
	unsigned int dom, bus, dev, fn;

	if (sscanf(bdf, "%x:%x:%x.%x", &dom, &bus, &dev, &fn) != 4)
		return ~0U;
	return bus << 8 | dev << 3 | fn;
}

FIXTURE_SETUP(nest)
{
	struct iommu_hw_info_arm_smmuv3 smmu = {};
	struct iommu_hw_info info;
	uint32_t qid;
	int ret;

	vfio_cdev_init(&self->v);
	self->qfd = -1;
	self->vqfd = -1;
	if (edu_find(self->bdf, sizeof(self->bdf)))
		SKIP(return, "no edu device in this guest");
	ret = vfio_cdev_path(self->bdf, self->path, sizeof(self->path));
	ASSERT_EQ(0, ret) TH_LOG("no VFIO cdev for %s: %s", self->bdf,
				 strerror(-ret));

	ret = ifd_open();
	ASSERT_LE(0, ret);
	self->v.iommufd = ret;
	ret = vfio_cdev_open(self->path);
	ASSERT_LE(0, ret) TH_LOG("open %s: %s", self->path, strerror(-ret));
	self->v.device = ret;
	ASSERT_EQ(0, vfio_cdev_bind(self->v.device, self->v.iommufd,
				    &self->v.devid));

	ASSERT_EQ(0, hw_info_get(self->v.iommufd, self->v.devid, 0, 0, &smmu,
				 sizeof(smmu), &info));
	if (info.out_data_type != IOMMU_HW_INFO_TYPE_ARM_SMMUV3)
		SKIP(return, "edu is not behind an SMMUv3");
	self->idr0 = smmu.idr[0];
	if ((self->idr0 & (SMMU_IDR0_S1P | SMMU_IDR0_S2P)) !=
	    (SMMU_IDR0_S1P | SMMU_IDR0_S2P))
		SKIP(return, "SMMU without both stages (IDR0 0x%x)",
		     self->idr0);

	self->mem = mmap(NULL, NPAGES * PG, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->mem);
	memset(self->mem, 0, NPAGES * PG);
	ASSERT_EQ(0, ifd_ioas_alloc(self->v.iommufd, &self->v.ioas));
	ASSERT_EQ(0, ifd_ioas_map_fixed(self->v.iommufd, self->v.ioas,
					self->mem, NPAGES * PG, IPA_BASE));
	ASSERT_EQ(0, hwpt_create(self->v.iommufd, self->v.devid, self->v.ioas,
				 IOMMU_HWPT_ALLOC_NEST_PARENT, &self->parent));
	self->nest_pt = self->parent;
	self->sid = GUEST_SID;
	self->psid = pci_sid(self->bdf);
	if (variant->viommu) {
		ASSERT_NE(VSID, self->psid);
		ASSERT_EQ(0, viommu_create(self->v.iommufd, self->v.devid,
					   self->parent,
					   IOMMU_VIOMMU_TYPE_ARM_SMMUV3,
					   &self->viommu));
		ASSERT_EQ(0, vdevice_create(self->v.iommufd, self->viommu,
					    self->v.devid, VSID, &self->vdev));
		self->nest_pt = self->viommu;
		self->sid = VSID;
	}

	ASSERT_EQ(0, dma_fault_queue_create(self->v.iommufd, 0, &qid,
					    &self->qfd));
	ret = edu_open(&self->edu, self->v.device);
	ASSERT_EQ(0, ret) TH_LOG("edu BAR0/config: %s", strerror(-ret));
}

FIXTURE_TEARDOWN(nest)
{
	edu_close(&self->edu);
	if (self->qfd >= 0)
		close(self->qfd);
	if (self->vqfd >= 0)
		close(self->vqfd);
	vfio_cdev_close(&self->v);
	if (self->mem && self->mem != MAP_FAILED)
		munmap(self->mem, NPAGES * PG);
}

/*
 * The helpers take FIXTURE_DATA(nest) spelled out as the struct it names,
 * so that checkpatch does not read the '*' as a multiplication.
 */

static uint64_t ipa_of(unsigned int page)
{
	return IPA_BASE + page * PG;
}

static uint8_t *page_va(struct _test_data_nest *self, unsigned int page)
{
	return self->mem + page * PG;
}

/*
 * Store one descriptor as the SMMU reads it: a single 64-bit store,
 * ordered after everything written before it.
 */
static void desc_store(struct _test_data_nest *self, unsigned int page,
		       unsigned int idx, uint64_t val)
{
	uint64_t *table = (uint64_t *)page_va(self, page);

	__atomic_store_n(&table[idx], smmu_le(val), __ATOMIC_SEQ_CST);
}

/* The level-3 entry of @va in the level-3 table @l3 maps @page. */
static void s1_map(struct _test_data_nest *self, unsigned int l3,
		   uint64_t va, unsigned int page, bool writable)
{
	desc_store(self, l3, smmu_pt_index(va, 3),
		   smmu_pte_page(ipa_of(page), writable));
}

static void s1_map_ipa(struct _test_data_nest *self, unsigned int l3,
		       uint64_t va, uint64_t ipa)
{
	desc_store(self, l3, smmu_pt_index(va, 3), smmu_pte_page(ipa, true));
}

static void s1_unmap(struct _test_data_nest *self, unsigned int l3,
		     uint64_t va)
{
	desc_store(self, l3, smmu_pt_index(va, 3), 0);
}

/*
 * Tables @l1 -> @l2 -> @l3 for the 2 MiB the VAs live in, mapping VA_SRC
 * to P_A and VA_DST to @dst.
 */
static void s1_tables(struct _test_data_nest *self, unsigned int l1,
		      unsigned int l2, unsigned int l3, unsigned int dst)
{
	memset(page_va(self, l1), 0, PG);
	memset(page_va(self, l2), 0, PG);
	memset(page_va(self, l3), 0, PG);
	s1_map(self, l3, VA_SRC, P_A, true);
	s1_map(self, l3, VA_DST, dst, true);
	desc_store(self, l2, smmu_pt_index(VA_SRC, 2),
		   smmu_pte_table(ipa_of(l3)));
	desc_store(self, l1, smmu_pt_index(VA_SRC, 1),
		   smmu_pte_table(ipa_of(l2)));
}

/* The CD at P_CD: stage 1 from the level-1 table @l1, faults logged. */
static void cd_write_rec(struct _test_data_nest *self, unsigned int l1,
			 bool record)
{
	struct smmu_cd_cfg cfg = {
		.ttb0 = ipa_of(l1),
		.t0sz = S1_T0SZ,
		.ips = SMMU_IPS_40BIT,
		.asid = S1_ASID,
		.mair = SMMU_MAIR_SLOT0_WB,
		.record = record,
	};
	uint64_t cd[SMMU_CD_DWORDS];

	smmu_cd_build(cd, &cfg);
	memcpy(page_va(self, P_CD), cd, sizeof(cd));
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static void cd_write(struct _test_data_nest *self, unsigned int l1)
{
	cd_write_rec(self, l1, true);
}

/* Only the CD's TTB0 (doubleword 1) changes: one 64-bit store. */
static void cd_switch_tables(struct _test_data_nest *self, unsigned int l1)
{
	desc_store(self, P_CD, 1, smmu_addr_bits(ipa_of(l1), 51, 4));
}

/* ---------------------------------------------------------------- */
/* The HWPT and IOMMU ioctls of nesting                              */

/* A nested HWPT from the vSTE words @w0 and @w1; 0 or the errno. */
static int nest_alloc(struct _test_data_nest *self, uint64_t w0, uint64_t w1,
		      uint32_t *id)
{
	struct iommu_hwpt_arm_smmuv3 vste;

	smmu_vste_fill(&vste, w0, w1);
	return hwpt_create_nested(self->v.iommufd, self->v.devid,
				  self->nest_pt, 0, 0,
				  IOMMU_HWPT_DATA_ARM_SMMUV3, &vste,
				  sizeof(vste), id);
}

/* The vSTE of a guest that translates through the CD at P_CD. */
static int nest_alloc_s1(struct _test_data_nest *self, uint32_t *id)
{
	return nest_alloc(self, smmu_vste0(true, SMMU_STE_CFG_S1,
					   ipa_of(P_CD), 0),
			  smmu_vste1_walk(SMMU_WALK_WBRA, SMMU_WALK_WBRA,
					  SMMU_WALK_ISH), id);
}

/*
 * The commands @cmds given to IOMMU_HWPT_INVALIDATE on object @id; *@done
 * (optional) gets how many the kernel took.  0 or the errno.
 */
static int inv_on(struct _test_data_nest *self, uint32_t id,
		  const struct iommu_viommu_arm_smmuv3_invalidate *cmds,
		  uint32_t n, uint32_t *done)
{
	uint32_t num = n;
	int rc;

	rc = hwpt_invalidate(self->v.iommufd, id,
			     IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, cmds,
			     sizeof(*cmds), &num);
	if (done)
		*done = num;
	return rc;
}

/*
 * Where the VMM passes the guest's commands on: to the vIOMMU if there
 * is one, else to the attached nested HWPT.
 */
static uint32_t inv_target(struct _test_data_nest *self)
{
	return self->viommu ? self->viommu : self->nested;
}

static int
guest_inv(struct _test_data_nest *self,
	  const struct iommu_viommu_arm_smmuv3_invalidate *cmds, uint32_t n,
	  uint32_t *done)
{
	return inv_on(self, inv_target(self), cmds, n, done);
}

/* One command: 0 or the errno. */
static int guest_inv1(struct _test_data_nest *self,
		      const struct iommu_viommu_arm_smmuv3_invalidate *cmd)
{
	return guest_inv(self, cmd, 1, NULL);
}

/*
 * The whole guest set up: tables mapping VA_DST to P_B, the CD, a nested
 * HWPT from a translating vSTE, and edu attached to it.
 */
static void nest_up(struct __test_metadata *_metadata,
		    struct _test_data_nest *self)
{
	uint32_t got = 0;

	s1_tables(self, P_L1, P_L2, P_L3, P_B);
	cd_write(self, P_L1);
	ASSERT_EQ(0, nest_alloc_s1(self, &self->nested));
	ASSERT_EQ(0, vfio_cdev_attach(self->v.device, self->nested, &got));
	ASSERT_EQ(self->nested, got);
}

/* ---------------------------------------------------------------- */
/* DMA and where it went                                             */

#define FILL_B		0xb1
#define FILL_C		0xc3

/*
 * Pattern @seed in P_A, P_B and P_C cleared to their fill bytes; edu
 * reads XFER bytes at @src and writes them to @dst.  Returns the page
 * that holds the pattern afterwards (P_B or P_C), -1 for neither, -2 for
 * both.
 */
static int copy_lands(struct __test_metadata *_metadata,
		      struct _test_data_nest *self, uint64_t src, uint64_t dst,
		      unsigned int seed)
{
	uint8_t *a = page_va(self, P_A), *b = page_va(self, P_B);
	uint8_t *c = page_va(self, P_C);
	bool in_b, in_c;

	edu_pattern(a, XFER, seed);
	memset(b, FILL_B, XFER);
	memset(c, FILL_C, XFER);
	EXPECT_EQ(0, edu_dma(&self->edu, src, XFER, false));
	EXPECT_EQ(0, edu_dma(&self->edu, dst, XFER, true));
	in_b = !memcmp(a, b, XFER);
	in_c = !memcmp(a, c, XFER);
	if (in_b && in_c)
		return -2;
	return in_b ? P_B : in_c ? P_C : -1;
}

/* The page of the guest's pattern when edu copies VA_SRC to VA_DST. */
static int s1_copy(struct __test_metadata *_metadata,
		   struct _test_data_nest *self, unsigned int seed)
{
	return copy_lands(_metadata, self, VA_SRC, VA_DST, seed);
}

/* Whether P_B and P_C still hold only their fill bytes. */
static bool untouched(struct _test_data_nest *self)
{
	for (unsigned int i = 0; i < XFER; i++)
		if (page_va(self, P_B)[i] != FILL_B ||
		    page_va(self, P_C)[i] != FILL_C)
			return false;
	return true;
}

/* Events that arrive within @ms, up to @max of them. */
static int events(struct _test_data_nest *self,
		  struct iommu_dma_fault_event *ev, int max, int ms)
{
	struct pollfd p = { .fd = self->qfd, .events = POLLIN };
	ssize_t got;
	int n = 0;

	while (n < max && poll(&p, 1, ms) == 1) {
		got = read(self->qfd, ev + n, (max - n) * sizeof(*ev));
		if (got <= 0)
			break;
		n += got / sizeof(*ev);
	}
	return n;
}

/* Exactly one event for the last faulting DMA, into *@ev. */
static void one_event(struct __test_metadata *_metadata,
		      struct _test_data_nest *self,
		      struct iommu_dma_fault_event *ev)
{
	struct iommu_dma_fault_event got[8];
	int n;

	/*
	 * The first may take its time; late duplicates would show up within
	 * a short while after it.
	 */
	n = events(self, got, 1, 2000);
	if (n)
		n += events(self, got + n, 8 - n, 300);
	for (int i = 0; n != 1 && i < n; i++)
		TH_LOG("event %d: flags 0x%x iova 0x%llx code 0x%x", i,
		       got[i].flags, (unsigned long long)got[i].iova,
		       got[i].code);
	ASSERT_EQ(1, n);
	*ev = got[0];
}

/* ---------------------------------------------------------------- */
/* Tests                                                             */

/*
 * The 6.1 harness runs a test's body even when the fixture setup
 * SKIPped, so every test starts by returning when _metadata->skip is set.
 */

/*
 * Edu reads a stage-1 VA and writes another: both go VA -> IPA -> memory,
 * through tables and a CD that are themselves at IPAs.
 */
TEST_F(nest, dma_through_both_stages)
{
	struct iommu_dma_fault_event ev;

	if (_metadata->skip)
		return;
	nest_up(_metadata, self);
	ASSERT_EQ(P_B, s1_copy(_metadata, self, 1));
	/* And again, now that the SMMU has the walk cached. */
	ASSERT_EQ(P_B, s1_copy(_metadata, self, 2));
	ASSERT_EQ(0, events(self, &ev, 1, 200));

	/* An IPA is no VA: stage 1 does not map it, and says so. */
	memset(page_va(self, P_C), FILL_C, XFER);
	ASSERT_EQ(0, edu_dma(&self->edu, ipa_of(P_C), FAULT_LEN, true));
	one_event(_metadata, self, &ev);
	ASSERT_EQ(ipa_of(P_C), ev.iova & ~(PG - 1));
	ASSERT_EQ(0, ev.raw[1] & SMMU_EVT1_S2);
	ASSERT_EQ(FILL_C, page_va(self, P_C)[0]);
}

/*
 * A guest moves VA_DST to another page: the SMMU keeps the translation it
 * cached until the guest's TLBI, passed on by IOMMU_HWPT_INVALIDATE, and
 * every kind of stage-1 TLBI drops it.
 */
TEST_F(nest, pte_change_and_tlbi)
{
	static const struct {
		const char *name;
		unsigned int op;
	} kinds[] = {
		{ "TLBI_NH_VA", SMMU_OP_TLBI_NH_VA },
		{ "TLBI_NH_ASID", SMMU_OP_TLBI_NH_ASID },
		{ "TLBI_NH_ALL", SMMU_OP_TLBI_NH_ALL },
		{ "TLBI_NSNH_ALL", SMMU_OP_TLBI_NSNH_ALL },
	};
	unsigned int cur = P_B, next, i;
	struct iommu_viommu_arm_smmuv3_invalidate cmd;
	int lands;

	if (_metadata->skip)
		return;
	nest_up(_metadata, self);
	ASSERT_EQ(P_B, s1_copy(_metadata, self, 10));

	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		next = cur == P_B ? P_C : P_B;
		s1_map(self, P_L3, VA_DST, next, true);
		lands = s1_copy(_metadata, self, 20 + i);
		/*
		 * The guest's VMID is not the host's: any will do.  Only the
		 * fields of each opcode may be set (no ASID in the ALLs, no
		 * VMID in NSNH_ALL).
		 */
		switch (kinds[i].op) {
		case SMMU_OP_TLBI_NH_VA:
			smmu_cmd_tlbi_va(&cmd, 0x3, S1_ASID, VA_DST, true);
			break;
		case SMMU_OP_TLBI_NH_ASID:
			smmu_cmd_tlbi(&cmd, kinds[i].op, 0x3, S1_ASID);
			break;
		case SMMU_OP_TLBI_NH_ALL:
			smmu_cmd_tlbi(&cmd, kinds[i].op, 0x3, 0);
			break;
		default:
			smmu_cmd_tlbi(&cmd, kinds[i].op, 0, 0);
		}
		ASSERT_EQ(0, guest_inv1(self, &cmd))
			TH_LOG("%s refused", kinds[i].name);
		EXPECT_EQ(cur, lands)
			TH_LOG("%s: before it, DMA went to %d, not the cached page %u",
			       kinds[i].name, lands, cur);
		ASSERT_EQ(next, s1_copy(_metadata, self, 30 + i))
			TH_LOG("%s did not drop the old translation",
			       kinds[i].name);
		cur = next;
	}
}

/*
 * A guest points its CD at other tables: the SMMU goes on with the CD it
 * read until CFGI_CD (a TLBI alone does not do), whose StreamID, the
 * guest's, the kernel replaces with the device's.  Several commands in
 * one call are all carried out.
 */
TEST_F(nest, cd_change_and_cfgi_cd)
{
	struct iommu_viommu_arm_smmuv3_invalidate cmds[2];
	uint32_t done;
	int lands;

	if (_metadata->skip)
		return;
	nest_up(_metadata, self);
	ASSERT_EQ(P_B, s1_copy(_metadata, self, 40));

	s1_tables(self, P_L1_ALT, P_L2_ALT, P_L3_ALT, P_C);
	cd_switch_tables(self, P_L1_ALT);
	smmu_cmd_tlbi(&cmds[0], SMMU_OP_TLBI_NH_ASID, 0, S1_ASID);
	ASSERT_EQ(0, guest_inv1(self, &cmds[0]));
	lands = s1_copy(_metadata, self, 41);
	EXPECT_EQ(P_B, lands)
		TH_LOG("without CFGI_CD DMA went to %d, not by the cached CD",
		       lands);

	smmu_cmd_cfgi_cd(&cmds[0], self->sid, 0, true);
	smmu_cmd_tlbi(&cmds[1], SMMU_OP_TLBI_NH_ASID, 0, S1_ASID);
	ASSERT_EQ(0, guest_inv(self, cmds, 2, &done));
	ASSERT_EQ(2, done);
	ASSERT_EQ(P_C, s1_copy(_metadata, self, 42));

	/* Back to the first tables, with CFGI_CD_ALL this time. */
	cd_switch_tables(self, P_L1);
	smmu_cmd_fill(&cmds[0], SMMU_OP_CFGI_CD_ALL |
		      smmu_bits(self->sid, 32, 32), 0);
	ASSERT_EQ(0, guest_inv(self, cmds, 2, &done));
	ASSERT_EQ(2, done);
	ASSERT_EQ(P_B, s1_copy(_metadata, self, 43));
}

/*
 * A stage-1 translation fault, a stage-1 permission fault, in both
 * directions, each arrive as one event naming the device, the nested
 * HWPT and the VA; no data moves, and the device keeps working.
 */
TEST_F(nest, stage1_fault_events)
{
	struct iommu_dma_fault_event ev;
	struct iommu_viommu_arm_smmuv3_invalidate cmd;

	if (_metadata->skip)
		return;
	nest_up(_metadata, self);
	ASSERT_EQ(P_B, s1_copy(_metadata, self, 50));

	/* A write to a VA the guest unmapped. */
	s1_unmap(self, P_L3, VA_DST);
	smmu_cmd_tlbi_va(&cmd, 0, S1_ASID, VA_DST, true);
	ASSERT_EQ(0, guest_inv1(self, &cmd));
	memset(page_va(self, P_B), FILL_B, XFER);
	memset(page_va(self, P_C), FILL_C, XFER);
	ASSERT_EQ(0, edu_dma(&self->edu, VA_DST, FAULT_LEN, true));
	one_event(_metadata, self, &ev);
	ASSERT_EQ(self->v.devid, ev.dev_id);
	ASSERT_EQ(self->nested, ev.hwpt_id);
	ASSERT_EQ(VA_DST, ev.iova & ~(PG - 1));
	ASSERT_EQ(IOMMU_HW_INFO_TYPE_ARM_SMMUV3, ev.vendor);
	ASSERT_EQ(SMMU_EVT_F_TRANSLATION, ev.code);
	ASSERT_EQ(0, ev.raw[1] & SMMU_EVT1_S2);
	ASSERT_EQ(IOMMU_DMA_FAULT_EVENT_WRITE, ev.flags &
		  (IOMMU_DMA_FAULT_EVENT_WRITE |
		   IOMMU_DMA_FAULT_EVENT_DIR_UNKNOWN));
	ASSERT_TRUE(untouched(self));

	/* A read of a VA the guest never mapped. */
	ASSERT_EQ(0, edu_dma(&self->edu, VA_HOLE, FAULT_LEN, false));
	one_event(_metadata, self, &ev);
	ASSERT_EQ(self->nested, ev.hwpt_id);
	ASSERT_EQ(VA_HOLE, ev.iova & ~(PG - 1));
	ASSERT_EQ(SMMU_EVT_F_TRANSLATION, ev.code);
	ASSERT_EQ(0, ev.flags & (IOMMU_DMA_FAULT_EVENT_WRITE |
				 IOMMU_DMA_FAULT_EVENT_DIR_UNKNOWN));

	/* A write to a page the guest made read-only. */
	s1_map(self, P_L3, VA_DST, P_C, false);
	ASSERT_EQ(0, guest_inv1(self, &cmd));
	ASSERT_EQ(0, edu_dma(&self->edu, VA_DST, FAULT_LEN, true));
	one_event(_metadata, self, &ev);
	ASSERT_EQ(VA_DST, ev.iova & ~(PG - 1));
	ASSERT_EQ(SMMU_EVT_F_PERMISSION, ev.code);
	ASSERT_TRUE(untouched(self));
	/* Which it may still read. */
	ASSERT_EQ(0, edu_dma(&self->edu, VA_DST, FAULT_LEN, false));
	ASSERT_EQ(0, events(self, &ev, 1, 300));

	/* Mapped again: the device works, and makes no event. */
	s1_map(self, P_L3, VA_DST, P_C, true);
	ASSERT_EQ(0, guest_inv1(self, &cmd));
	ASSERT_EQ(P_C, s1_copy(_metadata, self, 51));
	ASSERT_EQ(0, events(self, &ev, 1, 300));
}

/*
 * The guest's stage 1 maps [@start, @start + @len) to the same IPAs
 * through P_L3_MSI, as a guest does with a reserved memory range its
 * VMM describes (an IORT RMR); or, with !@map, no longer.
 */
static void s1_window(struct _test_data_nest *self, uint64_t start,
		      uint64_t len, bool map)
{
	uint64_t va;

	memset(page_va(self, P_L3_MSI), 0, PG);
	for (va = start; map && va < start + len; va += PG)
		s1_map_ipa(self, P_L3_MSI, va, va);
	desc_store(self, P_L2, smmu_pt_index(start, 2),
		   map ? smmu_pte_table(ipa_of(P_L3_MSI)) : 0);
}

/* Raise edu's interrupt @cause; whether its MSI came within @ms. */
static int msi_comes(struct _test_data_nest *self, int efd, uint32_t cause,
		     int ms)
{
	uint64_t count;
	int ret;

	edu_write32(&self->edu, EDU_REG_IRQ_RAISE, cause);
	ret = vfio_irq_wait(efd, ms, &count);
	edu_write32(&self->edu, EDU_REG_IRQ_ACK, cause);
	return ret;
}

/*
 * edu's MSI goes through both stages: the kernel maps the ITS doorbell in
 * the stage 2 (the nest parent) at the SMMU's MSI window and gives the
 * window address to edu, so the MSI arrives when the guest's stage 1 maps
 * the window to itself. Without that mapping the MSI write is a stage-1
 * fault, reported like any other; mapped again, MSIs and DMA work.
 */
TEST_F(nest, msi_through_both_stages)
{
	struct iommu_viommu_arm_smmuv3_invalidate cmd;
	struct iommu_dma_fault_event ev;
	uint64_t start = 0, len = 0;
	int efd, n, ret;

	if (_metadata->skip)
		return;
	ret = edu_iommu_group(self->bdf);
	ASSERT_LE(0, ret) TH_LOG("edu's IOMMU group: %s", strerror(-ret));
	ret = edu_msi_window(ret, &start, &len);
	if (ret == -ENOENT)
		SKIP(return, "no MSI window in edu's reserved regions");
	ASSERT_EQ(0, ret) TH_LOG("reserved regions: %s", strerror(-ret));
	/* One level-3 table of the level-1 table VA_SRC uses must do. */
	ASSERT_EQ(start >> 21, (start + len - 1) >> 21);
	ASSERT_EQ(smmu_pt_index(VA_SRC, 1), smmu_pt_index(start, 1));
	ASSERT_NE(smmu_pt_index(VA_SRC, 2), smmu_pt_index(start, 2));

	nest_up(_metadata, self);
	s1_window(self, start, len, true);
	smmu_cmd_tlbi(&cmd, SMMU_OP_TLBI_NH_ASID, 0, S1_ASID);
	ASSERT_EQ(0, guest_inv1(self, &cmd));

	n = vfio_msi_vectors(self->v.device);
	ASSERT_LE(1, n) TH_LOG("MSI vectors of edu: %d", n);
	edu_write32(&self->edu, EDU_REG_IRQ_ACK, ~0U);
	efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	ASSERT_LE(0, efd);
	ret = vfio_msi_enable(self->v.device, efd);
	ASSERT_EQ(0, ret) TH_LOG("VFIO_DEVICE_SET_IRQS: %s", strerror(-ret));
	ASSERT_EQ(1, msi_comes(self, efd, 0x1, 3000))
		TH_LOG("no MSI through the window at 0x%llx",
		       (unsigned long long)start);
	ASSERT_EQ(0, events(self, &ev, 1, 300));

	/* The guest drops the window: the MSI write faults in stage 1. */
	s1_window(self, start, len, false);
	ASSERT_EQ(0, guest_inv1(self, &cmd));
	ASSERT_EQ(0, msi_comes(self, efd, 0x2, 300));
	one_event(_metadata, self, &ev);
	ASSERT_EQ(self->nested, ev.hwpt_id);
	ASSERT_LE(start, ev.iova);
	ASSERT_GT(start + len, ev.iova);
	ASSERT_EQ(SMMU_EVT_F_TRANSLATION, ev.code);
	ASSERT_EQ(IOMMU_DMA_FAULT_EVENT_WRITE, ev.flags &
		  (IOMMU_DMA_FAULT_EVENT_WRITE |
		   IOMMU_DMA_FAULT_EVENT_DIR_UNKNOWN));

	/* Back: MSIs arrive again, and DMA still lands. */
	s1_window(self, start, len, true);
	ASSERT_EQ(0, guest_inv1(self, &cmd));
	ASSERT_EQ(1, msi_comes(self, efd, 0x4, 3000));
	ASSERT_EQ(P_B, s1_copy(_metadata, self, 70));
	ASSERT_EQ(0, vfio_msi_disable(self->v.device));
	close(efd);
}

/*
 * A guest whose CD does not ask for stage-1 faults to be recorded (R 0)
 * gets no events for them; once it does, and says so with CFGI_CD, it
 * does.
 */
TEST_F(nest, stage1_faults_recorded_only_with_cd_r)
{
	struct iommu_viommu_arm_smmuv3_invalidate cmd;
	struct iommu_dma_fault_event ev;

	if (_metadata->skip)
		return;
	nest_up(_metadata, self);
	cd_write_rec(self, P_L1, false);
	smmu_cmd_cfgi_cd(&cmd, self->sid, 0, true);
	ASSERT_EQ(0, guest_inv1(self, &cmd));
	ASSERT_EQ(0, edu_dma(&self->edu, VA_HOLE, FAULT_LEN, true));
	ASSERT_EQ(0, events(self, &ev, 1, 500));
	ASSERT_EQ(P_B, s1_copy(_metadata, self, 55));

	cd_write_rec(self, P_L1, true);
	ASSERT_EQ(0, guest_inv1(self, &cmd));
	ASSERT_EQ(0, edu_dma(&self->edu, VA_HOLE, FAULT_LEN, true));
	one_event(_metadata, self, &ev);
	ASSERT_EQ(VA_HOLE, ev.iova & ~(PG - 1));
}

/*
 * The guest's stage 1 maps an IPA that stage 2 does not: the fault is
 * the host's stage 2's, still reported for the nested HWPT at the VA.
 */
TEST_F(nest, stage2_fault_event)
{
	struct iommu_dma_fault_event ev;

	if (_metadata->skip)
		return;
	nest_up(_metadata, self);
	s1_map_ipa(self, P_L3, VA_S2_HOLE, IPA_NOWHERE);
	ASSERT_EQ(0, edu_dma(&self->edu, VA_S2_HOLE, FAULT_LEN, true));
	one_event(_metadata, self, &ev);
	ASSERT_EQ(self->v.devid, ev.dev_id);
	ASSERT_EQ(self->nested, ev.hwpt_id);
	ASSERT_EQ(VA_S2_HOLE, ev.iova & ~(PG - 1));
	ASSERT_EQ(SMMU_EVT_F_TRANSLATION, ev.code);
	ASSERT_EQ(IOMMU_DMA_FAULT_EVENT_WRITE, ev.flags &
		  (IOMMU_DMA_FAULT_EVENT_WRITE |
		   IOMMU_DMA_FAULT_EVENT_DIR_UNKNOWN));
	/* The record says stage 2 faulted, and on which IPA. */
	ASSERT_EQ(SMMU_EVT1_S2, ev.raw[1] & SMMU_EVT1_S2);
	ASSERT_EQ(IPA_NOWHERE, ev.raw[3] & SMMU_EVT3_IPA_MASK);
	ASSERT_EQ(P_B, s1_copy(_metadata, self, 60));
}

/*
 * The other vSTE configurations: bypass is the stage 2 alone (DMA at
 * IPAs), no V or Config abort block DMA; a device moves between nested
 * HWPTs and back to its parent without detaching.
 */
TEST_F(nest, bypass_abort_and_replace)
{
	struct iommu_dma_fault_event ev[8];
	uint32_t bypass, s1, noval, abort_id;
	int lands;

	if (_metadata->skip)
		return;
	s1_tables(self, P_L1, P_L2, P_L3, P_B);
	cd_write(self, P_L1);
	ASSERT_EQ(0, nest_alloc(self, smmu_vste0(true, SMMU_STE_CFG_BYPASS,
						 0, 0), 0, &bypass));
	ASSERT_EQ(0, nest_alloc_s1(self, &s1));
	ASSERT_EQ(0, nest_alloc(self, 0, 0, &noval));
	ASSERT_EQ(0, nest_alloc(self, smmu_vste0(true, SMMU_STE_CFG_ABORT,
						 0, 0), 0, &abort_id));

	ASSERT_EQ(0, vfio_cdev_attach(self->v.device, bypass, NULL));
	ASSERT_EQ(P_C, copy_lands(_metadata, self, ipa_of(P_A),
				  ipa_of(P_C), 70));

	ASSERT_EQ(0, vfio_cdev_attach(self->v.device, s1, NULL));
	ASSERT_EQ(P_B, s1_copy(_metadata, self, 71));

	ASSERT_EQ(0, vfio_cdev_attach(self->v.device, noval, NULL));
	lands = s1_copy(_metadata, self, 72);
	ASSERT_EQ(-1, lands);
	ASSERT_EQ(-1, copy_lands(_metadata, self, ipa_of(P_A), ipa_of(P_C),
				 73));
	ASSERT_EQ(0, vfio_cdev_attach(self->v.device, abort_id, NULL));
	ASSERT_EQ(-1, copy_lands(_metadata, self, ipa_of(P_A), ipa_of(P_C),
				 74));
	/* Whether an aborting STE logs events is the SMMU's business. */
	TH_LOG("%d event(s) from aborting vSTEs", events(self, ev, 8, 300));

	/* The parent itself: IPAs straight to memory. */
	ASSERT_EQ(0, vfio_cdev_attach(self->v.device, self->parent, NULL));
	ASSERT_EQ(P_B, copy_lands(_metadata, self, ipa_of(P_A),
				  ipa_of(P_B), 75));
	ASSERT_EQ(0, vfio_cdev_attach(self->v.device, s1, NULL));
	ASSERT_EQ(P_B, s1_copy(_metadata, self, 76));

	ASSERT_EQ(0, obj_destroy(self->v.iommufd, bypass));
	ASSERT_EQ(0, obj_destroy(self->v.iommufd, noval));
	ASSERT_EQ(0, obj_destroy(self->v.iommufd, abort_id));
}

/*
 * edu neither stalls nor sends page requests, so SMMUv3 will not turn its
 * IOPF on: a nested HWPT with a fault queue is refused, on replace and on
 * a first attach, and edu keeps translating where it was.
 */
TEST_F(nest, fault_queue_needs_iopf)
{
	struct iommu_hwpt_arm_smmuv3 vste;
	uint32_t s1, iopf, fid;
	int ffd;

	if (_metadata->skip)
		return;
	s1_tables(self, P_L1, P_L2, P_L3, P_B);
	cd_write(self, P_L1);
	ASSERT_EQ(0, nest_alloc_s1(self, &s1));
	ASSERT_EQ(0, fault_queue_create(self->v.iommufd, &fid, &ffd));
	smmu_vste_fill(&vste, smmu_vste0(true, SMMU_STE_CFG_S1, ipa_of(P_CD),
					 0),
		       smmu_vste1_walk(SMMU_WALK_WBRA, SMMU_WALK_WBRA,
				       SMMU_WALK_ISH));
	ASSERT_EQ(0, hwpt_create_nested(self->v.iommufd, self->v.devid,
					self->nest_pt, 0, fid,
					IOMMU_HWPT_DATA_ARM_SMMUV3, &vste,
					sizeof(vste), &iopf));

	ASSERT_EQ(0, vfio_cdev_attach(self->v.device, s1, NULL));
	ASSERT_EQ(-EINVAL, vfio_cdev_attach(self->v.device, iopf, NULL));
	ASSERT_EQ(P_B, s1_copy(_metadata, self, 77));
	ASSERT_EQ(0, vfio_cdev_detach(self->v.device));
	ASSERT_EQ(-EINVAL, vfio_cdev_attach(self->v.device, iopf, NULL));
	ASSERT_EQ(0, vfio_cdev_attach(self->v.device, s1, NULL));
	ASSERT_EQ(P_B, s1_copy(_metadata, self, 78));

	ASSERT_EQ(0, obj_destroy(self->v.iommufd, iopf));
	close(ffd);
	ASSERT_EQ(0, obj_destroy(self->v.iommufd, fid));
}

/* What IOMMU_HWPT_ALLOC refuses for a nested SMMUv3 HWPT. */
TEST_F(nest, alloc_errors)
{
	uint64_t w0 = smmu_vste0(true, SMMU_STE_CFG_S1, ipa_of(P_CD), 0);
	struct iommu_hwpt_arm_smmuv3 vste;
	uint32_t plain, id;

	if (_metadata->skip)
		return;
	/* vSTEs with a field the guest may not set, or a stage 2 of its own */
	ASSERT_EQ(EIO, nest_alloc(self, smmu_vste0(true, SMMU_STE_CFG_S2,
						   0, 0), 0, &id));
	ASSERT_EQ(EIO, nest_alloc(self, smmu_vste0(true, SMMU_STE_CFG_S1_S2,
						   ipa_of(P_CD), 0), 0, &id));
	ASSERT_EQ(EIO, nest_alloc(self, w0,
				  smmu_bits(1, SMMU_STE1_STRW_SHIFT, 2), &id));
	ASSERT_EQ(EIO, nest_alloc(self, w0,
				  smmu_bits(2, SMMU_STE1_EATS_SHIFT, 2), &id));
	/* Bit 52 of word 0, reserved, just above S1ContextPtr */
	ASSERT_EQ(EIO, nest_alloc(self, w0 | (1ULL << 52), 0, &id));
	/* Without V nothing else counts: it aborts, and is accepted. */
	ASSERT_EQ(0, nest_alloc(self, (1ULL << 52), ~0ULL, &id));
	ASSERT_EQ(0, obj_destroy(self->v.iommufd, id));

	/* The data: short, of another type, or on something not a parent */
	smmu_vste_fill(&vste, w0, 0);
	ASSERT_EQ(EINVAL, hwpt_create_nested(self->v.iommufd, self->v.devid,
					     self->nest_pt, 0, 0,
					     IOMMU_HWPT_DATA_ARM_SMMUV3, &vste,
					     8, &id));
	ASSERT_EQ(EOPNOTSUPP, hwpt_create_nested(self->v.iommufd,
						 self->v.devid, self->nest_pt,
						 0, 0, IOMMU_HWPT_DATA_VTD_S1,
						 &vste, sizeof(vste), &id));
	ASSERT_EQ(EOPNOTSUPP, hwpt_create_nested(self->v.iommufd,
						 self->v.devid, self->v.ioas,
						 0, 0,
						 IOMMU_HWPT_DATA_ARM_SMMUV3,
						 &vste, sizeof(vste), &id));
	ASSERT_EQ(EOPNOTSUPP, hwpt_create_nested(self->v.iommufd,
						 self->v.devid, self->nest_pt,
						 IOMMU_HWPT_ALLOC_NEST_PARENT,
						 0, IOMMU_HWPT_DATA_ARM_SMMUV3,
						 &vste, sizeof(vste), &id));
	ASSERT_EQ(0, hwpt_create(self->v.iommufd, self->v.devid,
				 self->v.ioas, 0, &plain));
	ASSERT_EQ(EINVAL, hwpt_create_nested(self->v.iommufd, self->v.devid,
					     plain, 0, 0,
					     IOMMU_HWPT_DATA_ARM_SMMUV3, &vste,
					     sizeof(vste), &id));
	ASSERT_EQ(0, obj_destroy(self->v.iommufd, plain));

	/* Nothing nests on a nested HWPT. */
	ASSERT_EQ(0, nest_alloc_s1(self, &id));
	ASSERT_EQ(EINVAL, hwpt_create_nested(self->v.iommufd, self->v.devid,
					     id, 0, 0,
					     IOMMU_HWPT_DATA_ARM_SMMUV3, &vste,
					     sizeof(vste), &plain));
	ASSERT_EQ(0, obj_destroy(self->v.iommufd, id));
}

/*
 * What IOMMU_HWPT_INVALIDATE refuses, how far it got when it did, and
 * which objects stay while others use them; the device works after.
 */
TEST_F(nest, invalidate_and_lifetime_errors)
{
	struct iommu_viommu_arm_smmuv3_invalidate cmds[3];
	uint32_t done;

	if (_metadata->skip)
		return;
	nest_up(_metadata, self);
	smmu_cmd_tlbi(&cmds[0], SMMU_OP_TLBI_NH_ASID, 0, S1_ASID);

	/* A command a guest may not pass on stops the array there. */
	smmu_cmd_fill(&cmds[1], SMMU_OP_CFGI_STE, 0);
	ASSERT_EQ(EIO, guest_inv(self, cmds, 2, &done));
	ASSERT_EQ(1, done);
	smmu_cmd_fill(&cmds[1], SMMU_OP_CMD_SYNC, 0);
	ASSERT_EQ(EIO, guest_inv(self, cmds, 2, &done));
	ASSERT_EQ(1, done);
	smmu_cmd_tlbi(&cmds[1], SMMU_OP_TLBI_S12_VMALL, 0, 0);
	ASSERT_EQ(EIO, guest_inv(self, cmds, 2, &done));
	ASSERT_EQ(1, done);
	/* Or one with a bit outside its opcode's fields (bit 11 of a TLBI). */
	smmu_cmd_tlbi_va(&cmds[1], 0, S1_ASID, VA_DST, true);
	cmds[1].cmd[0] |= smmu_le(1ULL << 11);
	ASSERT_EQ(EIO, guest_inv(self, cmds, 2, &done));
	ASSERT_EQ(1, done);
	smmu_cmd_tlbi(&cmds[1], SMMU_OP_TLBI_NH_ALL, 0, 0);
	cmds[1].cmd[1] = smmu_le(1);
	ASSERT_EQ(EIO, guest_inv(self, &cmds[1], 1, &done));
	ASSERT_EQ(0, done);

	/* Entries of another type or size, or on a HWPT that is no nested one */
	done = 1;
	ASSERT_EQ(EINVAL, hwpt_invalidate(self->v.iommufd, inv_target(self),
					  IOMMU_HWPT_INVALIDATE_DATA_VTD_S1,
					  cmds, sizeof(cmds[0]), &done));
	ASSERT_EQ(0, done);
	done = 1;
	ASSERT_EQ(EINVAL, hwpt_invalidate(self->v.iommufd, inv_target(self),
					  IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3,
					  cmds, 8, &done));
	ASSERT_EQ(0, done);
	ASSERT_EQ(ENOENT, inv_on(self, self->parent, cmds, 1, &done));
	ASSERT_EQ(0, done);
	/* No entries: only the type is checked. */
	ASSERT_EQ(0, guest_inv(self, cmds, 0, &done));
	ASSERT_EQ(0, done);

	/* The parent stays while a nested HWPT uses it, that while attached. */
	ASSERT_EQ(EBUSY, obj_destroy(self->v.iommufd, self->parent));
	ASSERT_EQ(EBUSY, obj_destroy(self->v.iommufd, self->nested));
	ASSERT_EQ(P_B, s1_copy(_metadata, self, 80));

	ASSERT_EQ(0, vfio_cdev_detach(self->v.device));
	ASSERT_EQ(0, obj_destroy(self->v.iommufd, self->nested));
	self->nested = 0;
	if (self->viommu) {
		/* The vIOMMU too holds the parent; its vDEVICE holds it. */
		ASSERT_EQ(EBUSY, obj_destroy(self->v.iommufd, self->parent));
		ASSERT_EQ(0, obj_destroy(self->v.iommufd, self->vdev));
		ASSERT_EQ(0, obj_destroy(self->v.iommufd, self->viommu));
		self->viommu = 0;
	}
	ASSERT_EQ(0, obj_destroy(self->v.iommufd, self->parent));
}

/* ---------------------------------------------------------------- */
/* The vIOMMU's own: its vEVENTQ, vSIDs and objects                  */

/* One record read from a vEVENTQ, its words CPU-endian. */
struct vev {
	uint32_t flags;
	uint32_t seq;
	uint64_t w[4];
};

/*
 * Split @len bytes read from a vEVENTQ into @ev (room for @max): a header
 * with LOST_EVENTS has no record after it.  The number of entries.
 */
static int vev_parse(const uint8_t *buf, size_t len, struct vev *ev, int max)
{
	struct iommufd_vevent_header h;
	struct iommu_vevent_arm_smmuv3 r;
	size_t at = 0;
	int n = 0;

	while (n < max && at + sizeof(h) <= len) {
		memcpy(&h, buf + at, sizeof(h));
		at += sizeof(h);
		memset(&ev[n], 0, sizeof(ev[n]));
		ev[n].flags = h.flags;
		ev[n].seq = h.sequence;
		if (!(h.flags & IOMMU_VEVENTQ_FLAG_LOST_EVENTS)) {
			if (at + sizeof(r) > len)
				break;
			memcpy(&r, buf + at, sizeof(r));
			at += sizeof(r);
			for (int i = 0; i < 4; i++)
				ev[n].w[i] = le64toh(r.evt[i]);
		}
		n++;
	}
	return n;
}

/* Bytes of one event read from an SMMUv3 vEVENTQ. */
#define VEV_BYTES	(sizeof(struct iommufd_vevent_header) + \
			 sizeof(struct iommu_vevent_arm_smmuv3))

/*
 * vEVENTQ entries that arrive within @ms, up to @max of them: no more
 * are read from the queue than that.
 */
static int vevents(struct _test_data_nest *self, struct vev *ev, int max,
		   int ms)
{
	struct pollfd p = { .fd = self->vqfd, .events = POLLIN };
	uint8_t buf[8 * VEV_BYTES];
	ssize_t got;
	int n = 0;

	if (max > 8)
		max = 8;
	while (n < max && poll(&p, 1, ms) == 1) {
		got = read(self->vqfd, buf, (max - n) * VEV_BYTES);
		if (got <= 0)
			break;
		n += vev_parse(buf, got, ev + n, max - n);
	}
	return n;
}

/*
 * Exactly one record on the vEVENTQ for the last faulting DMA, and none
 * on the DMA fault queue: the guest's event is the guest's alone.
 */
static void one_vevent(struct __test_metadata *_metadata,
		       struct _test_data_nest *self, struct vev *ev)
{
	struct iommu_dma_fault_event host;
	struct vev got[8];
	int n;

	n = vevents(self, got, 1, 2000);
	if (n)
		n += vevents(self, got + n, 8 - n, 300);
	for (int i = 0; n != 1 && i < n; i++)
		TH_LOG("vevent %d: flags 0x%x seq %u id 0x%x addr 0x%llx", i,
		       got[i].flags, got[i].seq, smmu_evt_id(got[i].w[0]),
		       (unsigned long long)got[i].w[2]);
	ASSERT_EQ(1, n);
	ASSERT_EQ(0, events(self, &host, 1, 0));
	*ev = got[0];
}

/* A vEVENTQ on the vIOMMU, in self->vq and self->vqfd. */
static int vq_open(struct _test_data_nest *self)
{
	return veventq_create(self->v.iommufd, self->viommu,
			      IOMMU_VEVENTQ_TYPE_ARM_SMMUV3, VQ_DEPTH,
			      &self->vq, &self->vqfd);
}

/* Close its file, then destroy it. */
static int vq_close(struct _test_data_nest *self)
{
	close(self->vqfd);
	self->vqfd = -1;
	return obj_destroy(self->v.iommufd, self->vq);
}

/* The record of a stage-1 fault of edu at @va: event @id, the vSID. */
static void check_s1_vevent(struct __test_metadata *_metadata,
			    const struct vev *ev, unsigned int id,
			    uint64_t va, bool read)
{
	ASSERT_EQ(0, ev->flags);
	ASSERT_EQ(id, smmu_evt_id(ev->w[0]));
	ASSERT_EQ(VSID, smmu_evt_sid(ev->w[0]));
	ASSERT_EQ(va, ev->w[2]);
	ASSERT_EQ(0, ev->w[1] & SMMU_EVT1_S2);
	ASSERT_EQ(read, !!(ev->w[1] & SMMU_EVT1_RNW));
}

/*
 * Stage-1 faults of a device with a vDEVICE reach the vIOMMU's vEVENTQ,
 * one record each, numbered from 0, as the guest's SMMU would log them:
 * the vSID in place of the StreamID, the VA as input address.  A stage-2
 * fault stays the host's.  Without the vEVENTQ they are DMA faults again.
 */
TEST_F(nest, viommu_events)
{
	struct iommu_viommu_arm_smmuv3_invalidate cmd;
	struct iommu_dma_fault_event host;
	struct vev ev;

	if (_metadata->skip)
		return;
	if (!variant->viommu)
		SKIP(return, "needs a vIOMMU");
	nest_up(_metadata, self);
	ASSERT_EQ(0, vq_open(self));
	ASSERT_EQ(P_B, s1_copy(_metadata, self, 90));
	ASSERT_EQ(0, vevents(self, &ev, 1, 200));

	/* A write to a VA the guest unmapped. */
	s1_unmap(self, P_L3, VA_DST);
	smmu_cmd_tlbi_va(&cmd, 0, S1_ASID, VA_DST, true);
	ASSERT_EQ(0, guest_inv1(self, &cmd));
	memset(page_va(self, P_B), FILL_B, XFER);
	memset(page_va(self, P_C), FILL_C, XFER);
	ASSERT_EQ(0, edu_dma(&self->edu, VA_DST, FAULT_LEN, true));
	one_vevent(_metadata, self, &ev);
	ASSERT_EQ(0, ev.seq);
	check_s1_vevent(_metadata, &ev, SMMU_EVT_F_TRANSLATION, VA_DST, false);

	/* A read of a VA the guest never mapped. */
	ASSERT_EQ(0, edu_dma(&self->edu, VA_HOLE, FAULT_LEN, false));
	one_vevent(_metadata, self, &ev);
	ASSERT_EQ(1, ev.seq);
	check_s1_vevent(_metadata, &ev, SMMU_EVT_F_TRANSLATION, VA_HOLE, true);

	/* A write to a page the guest made read-only. */
	s1_map(self, P_L3, VA_DST, P_C, false);
	ASSERT_EQ(0, guest_inv1(self, &cmd));
	ASSERT_EQ(0, edu_dma(&self->edu, VA_DST, FAULT_LEN, true));
	one_vevent(_metadata, self, &ev);
	ASSERT_EQ(2, ev.seq);
	check_s1_vevent(_metadata, &ev, SMMU_EVT_F_PERMISSION, VA_DST, false);
	ASSERT_TRUE(untouched(self));

	/* Stage 2 is the host's: its fault is a DMA fault, not the guest's. */
	s1_map_ipa(self, P_L3, VA_S2_HOLE, IPA_NOWHERE);
	ASSERT_EQ(0, edu_dma(&self->edu, VA_S2_HOLE, FAULT_LEN, true));
	one_event(_metadata, self, &host);
	ASSERT_EQ(self->nested, host.hwpt_id);
	ASSERT_EQ(SMMU_EVT1_S2, host.raw[1] & SMMU_EVT1_S2);
	ASSERT_EQ(0, vevents(self, &ev, 1, 0));

	/* No vEVENTQ, no handler: the DMA fault queue has them again. */
	ASSERT_EQ(0, vq_close(self));
	ASSERT_EQ(0, edu_dma(&self->edu, VA_HOLE, FAULT_LEN, true));
	one_event(_metadata, self, &host);
	ASSERT_EQ(self->nested, host.hwpt_id);
	ASSERT_EQ(VA_HOLE, host.iova & ~(PG - 1));
	ASSERT_EQ(SMMU_EVT_F_TRANSLATION, host.code);

	/* A new vEVENTQ counts from 0; the device still works. */
	ASSERT_EQ(0, vq_open(self));
	ASSERT_EQ(0, edu_dma(&self->edu, VA_HOLE, FAULT_LEN, true));
	one_vevent(_metadata, self, &ev);
	ASSERT_EQ(0, ev.seq);
	check_s1_vevent(_metadata, &ev, SMMU_EVT_F_TRANSLATION, VA_HOLE, false);
	s1_map(self, P_L3, VA_DST, P_C, true);
	ASSERT_EQ(0, guest_inv1(self, &cmd));
	ASSERT_EQ(P_C, s1_copy(_metadata, self, 91));
	ASSERT_EQ(0, vevents(self, &ev, 1, 200));
}

/*
 * The StreamIDs of the guest's commands are vSIDs: one no vDEVICE has,
 * edu's physical StreamID among them, stops the array there with EIO.
 */
TEST_F(nest, viommu_unknown_vsid)
{
	struct iommu_viommu_arm_smmuv3_invalidate cmds[3];
	uint32_t done;

	if (_metadata->skip)
		return;
	if (!variant->viommu)
		SKIP(return, "needs a vIOMMU");
	nest_up(_metadata, self);
	smmu_cmd_tlbi(&cmds[0], SMMU_OP_TLBI_NH_ASID, 0, S1_ASID);
	smmu_cmd_cfgi_cd(&cmds[1], VSID, 0, true);
	smmu_cmd_cfgi_cd(&cmds[2], VSID + 1, 0, true);
	ASSERT_EQ(EIO, guest_inv(self, cmds, 3, &done));
	ASSERT_EQ(2, done);
	smmu_cmd_cfgi_cd(&cmds[2], self->psid, 0, true);
	ASSERT_EQ(EIO, guest_inv(self, cmds, 3, &done));
	ASSERT_EQ(2, done);
	smmu_cmd_fill(&cmds[2], SMMU_OP_CFGI_CD_ALL |
		      smmu_bits(VSID + 1, 32, 32), 0);
	ASSERT_EQ(EIO, guest_inv(self, &cmds[2], 1, &done));
	ASSERT_EQ(0, done);
	/* ATC_INV too names a vSID; for a device without ATS it does nothing. */
	smmu_cmd_fill(&cmds[2], SMMU_OP_ATC_INV | smmu_bits(VSID + 1, 32, 32),
		      0);
	ASSERT_EQ(EIO, guest_inv(self, cmds, 3, &done));
	ASSERT_EQ(2, done);
	smmu_cmd_fill(&cmds[2], SMMU_OP_ATC_INV | smmu_bits(VSID, 32, 32), 0);
	ASSERT_EQ(0, guest_inv(self, cmds, 3, &done));
	ASSERT_EQ(3, done);
	ASSERT_EQ(P_B, s1_copy(_metadata, self, 95));
}

/*
 * What IOMMU_VIOMMU_ALLOC, IOMMU_VDEVICE_ALLOC and IOMMU_VEVENTQ_ALLOC
 * refuse here, and the order objects go in: each stays while another
 * holds it.
 */
TEST_F(nest, viommu_alloc_and_lifetime)
{
	uint32_t plain, other, vdev2, id;
	int fd;

	if (_metadata->skip)
		return;
	if (!variant->viommu)
		SKIP(return, "needs a vIOMMU");
	/* Only over a nest parent, only of the SMMU's own type */
	ASSERT_EQ(0, hwpt_create(self->v.iommufd, self->v.devid,
				 self->v.ioas, 0, &plain));
	ASSERT_EQ(EINVAL, viommu_create(self->v.iommufd, self->v.devid, plain,
					IOMMU_VIOMMU_TYPE_ARM_SMMUV3, &id));
	ASSERT_EQ(0, obj_destroy(self->v.iommufd, plain));
	ASSERT_EQ(EOPNOTSUPP, viommu_create(self->v.iommufd, self->v.devid,
					    self->parent,
					    IOMMU_VIOMMU_TYPE_AMD, &id));
	ASSERT_EQ(EOPNOTSUPP, viommu_create(self->v.iommufd, self->v.devid,
					    self->parent,
					    IOMMU_VIOMMU_TYPE_DEFAULT, &id));

	/* One vDEVICE per device and vIOMMU, whatever its vSID */
	ASSERT_EQ(EEXIST, vdevice_create(self->v.iommufd, self->viommu,
					 self->v.devid, VSID, &id));
	ASSERT_EQ(EEXIST, vdevice_create(self->v.iommufd, self->viommu,
					 self->v.devid, VSID + 1, &id));
	/* vSIDs are per vIOMMU: another one over the same parent may reuse it */
	ASSERT_EQ(0, viommu_create(self->v.iommufd, self->v.devid,
				   self->parent, IOMMU_VIOMMU_TYPE_ARM_SMMUV3,
				   &other));
	ASSERT_EQ(0, vdevice_create(self->v.iommufd, other, self->v.devid,
				    VSID, &vdev2));
	ASSERT_EQ(EBUSY, obj_destroy(self->v.iommufd, other));
	ASSERT_EQ(0, obj_destroy(self->v.iommufd, vdev2));
	ASSERT_EQ(0, obj_destroy(self->v.iommufd, other));

	/* One vEVENTQ of a type, of a type and depth that exist */
	ASSERT_EQ(0, vq_open(self));
	ASSERT_EQ(EEXIST, veventq_create(self->v.iommufd, self->viommu,
					 IOMMU_VEVENTQ_TYPE_ARM_SMMUV3, 1,
					 &id, &fd));
	ASSERT_EQ(EOPNOTSUPP, veventq_create(self->v.iommufd, self->viommu,
					     IOMMU_VEVENTQ_TYPE_DEFAULT, 1,
					     &id, &fd));
	ASSERT_EQ(EINVAL, veventq_create(self->v.iommufd, self->viommu,
					 IOMMU_VEVENTQ_TYPE_ARM_SMMUV3, 0,
					 &id, &fd));

	nest_up(_metadata, self);
	ASSERT_EQ(EBUSY, obj_destroy(self->v.iommufd, self->parent));
	ASSERT_EQ(EBUSY, obj_destroy(self->v.iommufd, self->viommu));
	ASSERT_EQ(EBUSY, obj_destroy(self->v.iommufd, self->nested));
	ASSERT_EQ(0, vfio_cdev_detach(self->v.device));
	ASSERT_EQ(0, obj_destroy(self->v.iommufd, self->nested));
	self->nested = 0;
	/* The vIOMMU, not only its nested HWPTs, holds the parent. */
	ASSERT_EQ(EBUSY, obj_destroy(self->v.iommufd, self->parent));
	ASSERT_EQ(EBUSY, obj_destroy(self->v.iommufd, self->viommu));
	ASSERT_EQ(0, obj_destroy(self->v.iommufd, self->vdev));
	/* The vEVENTQ holds it too, and its open file the vEVENTQ. */
	ASSERT_EQ(EBUSY, obj_destroy(self->v.iommufd, self->viommu));
	ASSERT_EQ(EBUSY, obj_destroy(self->v.iommufd, self->vq));
	ASSERT_EQ(0, vq_close(self));
	ASSERT_EQ(0, obj_destroy(self->v.iommufd, self->viommu));
	self->viommu = 0;
	ASSERT_EQ(0, obj_destroy(self->v.iommufd, self->parent));
}

/*
 * The VMM takes a vDEVICE away while its device stays attached: the
 * guest's commands naming its vSID fail, its events go back to the DMA
 * fault queue, and DMA goes on.  A new vDEVICE brings them back.
 */
TEST_F(nest, viommu_vdevice_gone_while_attached)
{
	struct iommu_viommu_arm_smmuv3_invalidate cmds[2];
	struct iommu_dma_fault_event host;
	struct vev ev;
	uint32_t done;

	if (_metadata->skip)
		return;
	if (!variant->viommu)
		SKIP(return, "needs a vIOMMU");
	nest_up(_metadata, self);
	ASSERT_EQ(0, vq_open(self));
	ASSERT_EQ(0, obj_destroy(self->v.iommufd, self->vdev));
	self->vdev = 0;

	smmu_cmd_tlbi(&cmds[0], SMMU_OP_TLBI_NH_ASID, 0, S1_ASID);
	smmu_cmd_cfgi_cd(&cmds[1], VSID, 0, true);
	ASSERT_EQ(EIO, guest_inv(self, cmds, 2, &done));
	ASSERT_EQ(1, done);
	ASSERT_EQ(EIO, guest_inv(self, &cmds[1], 1, &done));
	ASSERT_EQ(0, done);

	ASSERT_EQ(0, edu_dma(&self->edu, VA_HOLE, FAULT_LEN, true));
	one_event(_metadata, self, &host);
	ASSERT_EQ(self->nested, host.hwpt_id);
	ASSERT_EQ(VA_HOLE, host.iova & ~(PG - 1));
	ASSERT_EQ(0, vevents(self, &ev, 1, 0));
	ASSERT_EQ(P_B, s1_copy(_metadata, self, 97));

	ASSERT_EQ(0, vdevice_create(self->v.iommufd, self->viommu,
				    self->v.devid, VSID, &self->vdev));
	ASSERT_EQ(0, guest_inv(self, cmds, 2, &done));
	ASSERT_EQ(2, done);
	ASSERT_EQ(0, edu_dma(&self->edu, VA_HOLE, FAULT_LEN, true));
	one_vevent(_metadata, self, &ev);
	ASSERT_EQ(0, ev.seq);
	check_s1_vevent(_metadata, &ev, SMMU_EVT_F_TRANSLATION, VA_HOLE, false);
}

TEST_HARNESS_MAIN
