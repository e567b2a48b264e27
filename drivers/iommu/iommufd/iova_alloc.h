/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Free IOVA bookkeeping for an iommufd I/O address space.
 */
#ifndef __IOMMUFD_IOVA_ALLOC_H
#define __IOMMUFD_IOVA_ALLOC_H

#include <linux/rbtree_types.h>
#include <linux/types.h>

struct iova_hole;

/**
 * struct iova_holes - set of free IOVA ranges of one address space
 * @root: augmented rbtree of &struct iova_hole, ordered by start address
 * @nr: number of holes currently in @root
 *
 * The structure has no lock of its own; callers serialise all access.
 */
struct iova_holes {
	struct rb_root root;
	unsigned long nr;
};

void iova_holes_init(struct iova_holes *h);
void iova_holes_destroy(struct iova_holes *h);
int iova_holes_add(struct iova_holes *h, unsigned long start,
		   unsigned long last);
int iova_holes_remove(struct iova_holes *h, unsigned long start,
		      unsigned long last);
int iova_holes_find(struct iova_holes *h, unsigned long length,
		    unsigned long align, unsigned long *iova);
bool iova_holes_contains(struct iova_holes *h, unsigned long start,
			 unsigned long last);

#endif
