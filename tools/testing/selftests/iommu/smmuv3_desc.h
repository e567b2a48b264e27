/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a VMM puts in guest memory and in IOMMU_HWPT_ALLOC/INVALIDATE for
 * an SMMUv3 stage 1 the guest owns: the two words of its STE (the vSTE),
 * a 64-byte context descriptor, the descriptors of an AArch64 VMSAv8-64
 * translation table with a 4 KiB granule, and the 128-bit commands of
 * its command queue that invalidate what an SMMU cached of them.
 *
 * Field positions follow the Arm SMMUv3 and Armv8-A architecture
 * specifications.  The builders return CPU-endian words; smmu_le()
 * turns them into what the SMMU and the uAPI read (little-endian).
 */
#ifndef __SELFTEST_IOMMU_SMMUV3_DESC_H
#define __SELFTEST_IOMMU_SMMUV3_DESC_H

#include <endian.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <linux/iommufd.h>

/* @width bits of @val placed at bit @lo of a 64-bit word. */
static inline uint64_t smmu_bits(uint64_t val, unsigned int lo,
				 unsigned int width)
{
	uint64_t mask = width == 64 ? ~0ULL : (1ULL << width) - 1;

	return (val & mask) << lo;
}

/* Bits @hi..@lo of @addr, kept where they are. */
static inline uint64_t smmu_addr_bits(uint64_t addr, unsigned int hi,
				      unsigned int lo)
{
	return addr & smmu_bits(~0ULL, lo, hi - lo + 1);
}

static inline uint64_t smmu_le(uint64_t v)
{
	return htole64(v);
}

/* ---------------------------------------------------------------- */
/* Stream table entry, words 0 and 1 (the part a guest owns)        */

#define SMMU_STE_CFG_ABORT	0x0
#define SMMU_STE_CFG_BYPASS	0x4
#define SMMU_STE_CFG_S1		0x5
#define SMMU_STE_CFG_S2		0x6
#define SMMU_STE_CFG_S1_S2	0x7

/* Cacheability of table walks (S1CIR, S1COR) and their shareability. */
#define SMMU_WALK_WBRA		0x1
#define SMMU_WALK_ISH		0x3

/*
 * Word 0: V (bit 0), Config (3:1), S1Fmt (5:4), S1ContextPtr (51:6),
 * S1CDMax (63:59).  With S1Fmt 0 and S1CDMax 0 the pointer is one CD.
 */
static inline uint64_t smmu_vste0(bool valid, unsigned int config,
				  uint64_t cd_addr, unsigned int cdmax)
{
	return smmu_bits(valid, 0, 1) | smmu_bits(config, 1, 3) |
	       smmu_addr_bits(cd_addr, 51, 6) | smmu_bits(cdmax, 59, 5);
}

/* Word 1: S1DSS (1:0), S1CIR (3:2), S1COR (5:4), S1CSH (7:6). */
static inline uint64_t smmu_vste1_walk(unsigned int cir, unsigned int cor,
				       unsigned int csh)
{
	return smmu_bits(cir, 2, 2) | smmu_bits(cor, 4, 2) |
	       smmu_bits(csh, 6, 2);
}

/* More of word 1, for tests of what a vSTE may not hold. */
#define SMMU_STE1_EATS_SHIFT	28	/* 2 bits */
#define SMMU_STE1_STRW_SHIFT	30	/* 2 bits: the host's to choose */

static inline void smmu_vste_fill(struct iommu_hwpt_arm_smmuv3 *v,
				  uint64_t w0, uint64_t w1)
{
	memset(v, 0, sizeof(*v));
	v->ste[0] = smmu_le(w0);
	v->ste[1] = smmu_le(w1);
}

/* ---------------------------------------------------------------- */
/* Context descriptor: 8 doublewords, of which 0, 1 and 3 are used  */

#define SMMU_CD_DWORDS		8
/* IPS encodings of the intermediate (here: output) address size */
#define SMMU_IPS_40BIT		0x2
#define SMMU_IPS_44BIT		0x4

struct smmu_cd_cfg {
	uint64_t ttb0;		/* the first-level table */
	unsigned int t0sz;	/* input size is 64 - t0sz bits */
	unsigned int ips;
	uint16_t asid;
	uint64_t mair;
	bool record;		/* R: log faults in the event queue */
};

/*
 * Doubleword 0: T0SZ (5:0), TG0 (7:6, 0 for 4 KiB), IR0 (9:8), OR0
 * (11:10), SH0 (13:12), EPD0 (14), ENDI (15), T1SZ..EPD1 (30:16, only
 * EPD1 at 30 set: no TTB1 walks), V (31), IPS (34:32), AFFD (35), WXN,
 * UWXN, TBI, PAN (40:36), AA64 (41), HD (42), HA (43), S (44), R (45),
 * A (46, abort rather than stall), ASET (47), ASID (63:48).
 * Doubleword 1: TTB0 (51:4).  Doubleword 3: MAIR0.
 */
static inline void smmu_cd_build(uint64_t *cd, const struct smmu_cd_cfg *c)
{
	uint64_t w0;

	w0 = smmu_bits(c->t0sz, 0, 6) | smmu_bits(0, 6, 2) |
	     smmu_bits(SMMU_WALK_WBRA, 8, 2) |
	     smmu_bits(SMMU_WALK_WBRA, 10, 2) |
	     smmu_bits(SMMU_WALK_ISH, 12, 2) |
	     smmu_bits(1, 30, 1) |		/* EPD1 */
	     smmu_bits(1, 31, 1) |		/* V */
	     smmu_bits(c->ips, 32, 3) |
	     smmu_bits(1, 41, 1) |		/* AA64 */
	     smmu_bits(c->record, 45, 1) |
	     smmu_bits(1, 46, 1) |		/* A */
	     smmu_bits(c->asid, 48, 16);
	memset(cd, 0, SMMU_CD_DWORDS * sizeof(*cd));
	cd[0] = smmu_le(w0);
	cd[1] = smmu_le(smmu_addr_bits(c->ttb0, 51, 4));
	cd[3] = smmu_le(c->mair);
}

/* ---------------------------------------------------------------- */
/* VMSAv8-64 descriptors, 4 KiB granule                              */

#define SMMU_GRANULE		4096ULL
#define SMMU_PTES_PER_TABLE	512
/* Normal memory, write-back in and out, in MAIR attribute slot 0. */
#define SMMU_MAIR_SLOT0_WB	0xffULL

/* Index of @va in the table of @level (0..3) of a 4 KiB granule walk. */
static inline unsigned int smmu_pt_index(uint64_t va, unsigned int level)
{
	return (va >> (12 + 9 * (3 - level))) & (SMMU_PTES_PER_TABLE - 1);
}

/* Bits 1:0 of a table descriptor (levels 0-2) or a page (level 3). */
#define SMMU_PTE_VALID		0x1ULL
#define SMMU_PTE_NEXT		0x2ULL

/* The next level's table at @table_addr. */
static inline uint64_t smmu_pte_table(uint64_t table_addr)
{
	return smmu_addr_bits(table_addr, 47, 12) | SMMU_PTE_NEXT |
	       SMMU_PTE_VALID;
}

/*
 * A level-3 page at @out_addr: AttrIndx (4:2) slot 0, AP (7:6) 0b01
 * (read-write) or 0b11 (read-only), SH (9:8) inner shareable, AF (10).
 */
static inline uint64_t smmu_pte_page(uint64_t out_addr, bool writable)
{
	return smmu_addr_bits(out_addr, 47, 12) |
	       smmu_bits(writable ? 0x1 : 0x3, 6, 2) |
	       smmu_bits(SMMU_WALK_ISH, 8, 2) | smmu_bits(1, 10, 1) |
	       SMMU_PTE_NEXT | SMMU_PTE_VALID;
}

/* ---------------------------------------------------------------- */
/* Command queue entries                                             */

#define SMMU_OP_CFGI_STE	0x03
#define SMMU_OP_CFGI_CD		0x05
#define SMMU_OP_CFGI_CD_ALL	0x06
#define SMMU_OP_TLBI_NH_ALL	0x10
#define SMMU_OP_TLBI_NH_ASID	0x11
#define SMMU_OP_TLBI_NH_VA	0x12
#define SMMU_OP_TLBI_S12_VMALL	0x28
#define SMMU_OP_TLBI_NSNH_ALL	0x30
#define SMMU_OP_ATC_INV		0x40
#define SMMU_OP_CMD_SYNC	0x46

static inline void smmu_cmd_fill(struct iommu_viommu_arm_smmuv3_invalidate *c,
				 uint64_t w0, uint64_t w1)
{
	c->cmd[0] = smmu_le(w0);
	c->cmd[1] = smmu_le(w1);
}

/* TLBI_NH_ALL, TLBI_NSNH_ALL, TLBI_NH_ASID: VMID (47:32), ASID (63:48). */
static inline void smmu_cmd_tlbi(struct iommu_viommu_arm_smmuv3_invalidate *c,
				 unsigned int op, uint16_t vmid, uint16_t asid)
{
	smmu_cmd_fill(c, smmu_bits(op, 0, 8) | smmu_bits(vmid, 32, 16) |
		      smmu_bits(asid, 48, 16), 0);
}

/*
 * TLBI_NH_VA of one page: as above with Leaf (bit 0 of the second
 * doubleword) and the address (63:12); no range (TG 0).
 */
static inline void
smmu_cmd_tlbi_va(struct iommu_viommu_arm_smmuv3_invalidate *c, uint16_t vmid,
		 uint16_t asid, uint64_t va, bool leaf)
{
	smmu_cmd_fill(c, smmu_bits(SMMU_OP_TLBI_NH_VA, 0, 8) |
		      smmu_bits(vmid, 32, 16) | smmu_bits(asid, 48, 16),
		      smmu_addr_bits(va, 63, 12) | smmu_bits(leaf, 0, 1));
}

/* CFGI_CD: SSID (31:12), StreamID (63:32), Leaf (bit 0 of word 1). */
static inline void smmu_cmd_cfgi_cd(struct iommu_viommu_arm_smmuv3_invalidate *c,
				    uint32_t sid, uint32_t ssid, bool leaf)
{
	smmu_cmd_fill(c, smmu_bits(SMMU_OP_CFGI_CD, 0, 8) |
		      smmu_bits(ssid, 12, 20) | smmu_bits(sid, 32, 32),
		      smmu_bits(leaf, 0, 1));
}

/* ---------------------------------------------------------------- */
/* Event queue records                                               */

/* The event ID of a stage-1 or stage-2 walk that found no mapping. */
#define SMMU_EVT_F_TRANSLATION	0x10
/* A walk that found a mapping the access was not allowed. */
#define SMMU_EVT_F_PERMISSION	0x13
/*
 * Doubleword 1 of a translation or permission fault: the stage that
 * faulted was stage 2 (bit 39).  Doubleword 2 holds the input address,
 * doubleword 3 the IPA of a stage-2 fault (51:12).
 */
#define SMMU_EVT1_S2		0x8000000000ULL	/* bit 39 */
#define SMMU_EVT3_IPA_MASK	smmu_bits(~0ULL, 12, 40)
/* Doubleword 1 again: the access was a read (RnW, bit 35). */
#define SMMU_EVT1_RNW		0x800000000ULL

/* Doubleword 0 of any record: event ID (7:0) and StreamID (63:32). */
static inline unsigned int smmu_evt_id(uint64_t w0)
{
	return w0 & 0xff;
}

static inline uint32_t smmu_evt_sid(uint64_t w0)
{
	return w0 >> 32;
}

/* IDR0: the SMMU can translate stage 2 (bit 0) and stage 1 (bit 1). */
#define SMMU_IDR0_S2P		0x1U
#define SMMU_IDR0_S1P		0x2U

#endif /* __SELFTEST_IOMMU_SMMUV3_DESC_H */
