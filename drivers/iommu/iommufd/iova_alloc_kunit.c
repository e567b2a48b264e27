// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the iommufd free IOVA tree.
 */
#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/bitops.h>
#include <linux/errno.h>
#include <linux/limits.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/rbtree.h>
#include <linux/sizes.h>
#include <linux/types.h>

#include "iova_alloc.h"

/* Highest power of two an unsigned long can hold */
#define TOP_BIT (1UL << (BITS_PER_LONG - 1))

static int iova_test_init(struct kunit *test)
{
	struct iova_holes *h;

	h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);
	if (!h)
		return -ENOMEM;
	iova_holes_init(h);
	test->priv = h;
	return 0;
}

static void iova_test_exit(struct kunit *test)
{
	/* exit also runs when init failed */
	if (test->priv)
		iova_holes_destroy(test->priv);
}

static struct iova_holes *holes_of(struct kunit *test)
{
	return test->priv;
}

static void expect_found(struct kunit *test, unsigned long length,
			 unsigned long align, unsigned long want)
{
	unsigned long iova = 0;

	KUNIT_EXPECT_EQ_MSG(test,
			    iova_holes_find(holes_of(test), length, align,
					    &iova),
			    0, "length %#lx align %#lx", length, align);
	KUNIT_EXPECT_EQ_MSG(test, iova, want, "length %#lx align %#lx",
			    length, align);
}

static void expect_no_space(struct kunit *test, unsigned long length,
			    unsigned long align)
{
	unsigned long iova = 0x5a5a;

	KUNIT_EXPECT_EQ_MSG(test,
			    iova_holes_find(holes_of(test), length, align,
					    &iova),
			    -ENOSPC, "length %#lx align %#lx", length, align);
	/* Not written on failure */
	KUNIT_EXPECT_EQ(test, iova, 0x5a5aUL);
}

static void add_ok(struct kunit *test, unsigned long start, unsigned long last)
{
	KUNIT_ASSERT_EQ(test, iova_holes_add(holes_of(test), start, last), 0);
}

static void remove_ok(struct kunit *test, unsigned long start,
		      unsigned long last)
{
	KUNIT_ASSERT_EQ(test, iova_holes_remove(holes_of(test), start, last),
			0);
}

static bool contains(struct kunit *test, unsigned long start,
		     unsigned long last)
{
	return iova_holes_contains(holes_of(test), start, last);
}

/* find() followed by remove(), as an allocator would do it */
static unsigned long alloc_ok(struct kunit *test, unsigned long length,
			      unsigned long align)
{
	unsigned long iova = 0;

	KUNIT_ASSERT_EQ_MSG(test,
			    iova_holes_find(holes_of(test), length, align,
					    &iova),
			    0, "length %#lx align %#lx", length, align);
	remove_ok(test, iova, iova + length - 1);
	return iova;
}

static void iova_test_empty(struct kunit *test)
{
	struct iova_holes *h = holes_of(test);

	expect_no_space(test, 1, 1);
	expect_no_space(test, ULONG_MAX, 1);
	KUNIT_EXPECT_FALSE(test, contains(test, 0, 0));
	KUNIT_EXPECT_FALSE(test, contains(test, 0, ULONG_MAX));
	remove_ok(test, 0, ULONG_MAX);
	remove_ok(test, 17, 17);
	KUNIT_EXPECT_EQ(test, h->nr, 0UL);
	KUNIT_EXPECT_TRUE(test, RB_EMPTY_ROOT(&h->root));
}

static void iova_test_full_range(struct kunit *test)
{
	struct iova_holes *h = holes_of(test);

	add_ok(test, 0, ULONG_MAX);
	KUNIT_EXPECT_EQ(test, h->nr, 1UL);
	KUNIT_EXPECT_TRUE(test, contains(test, 0, ULONG_MAX));
	expect_found(test, ULONG_MAX, 1, 0);
	expect_found(test, ULONG_MAX, TOP_BIT, 0);
	expect_found(test, 1, TOP_BIT, 0);

	/* [1, ULONG_MAX] */
	remove_ok(test, 0, 0);
	KUNIT_EXPECT_EQ(test, h->nr, 1UL);
	KUNIT_EXPECT_FALSE(test, contains(test, 0, ULONG_MAX));
	KUNIT_EXPECT_TRUE(test, contains(test, 1, ULONG_MAX));
	expect_found(test, ULONG_MAX, 1, 1);
	expect_no_space(test, ULONG_MAX, 2);
	expect_found(test, ULONG_MAX - 1, 2, 2);
	expect_found(test, 1, TOP_BIT, TOP_BIT);
	expect_found(test, TOP_BIT, TOP_BIT, TOP_BIT);
	expect_no_space(test, TOP_BIT + 1, TOP_BIT);
	expect_found(test, TOP_BIT + 1, 1, 1);

	/* [0, ULONG_MAX - 1] still holds ULONG_MAX addresses */
	iova_holes_destroy(h);
	add_ok(test, 0, ULONG_MAX - 1);
	expect_found(test, ULONG_MAX, TOP_BIT, 0);
	/* [1, ULONG_MAX - 1] does not */
	remove_ok(test, 0, 0);
	expect_no_space(test, ULONG_MAX, 1);
	expect_found(test, ULONG_MAX - 1, 1, 1);
	expect_no_space(test, ULONG_MAX - 1, 2);
	/* Merging at the very bottom and at the very top */
	add_ok(test, 0, 0);
	add_ok(test, ULONG_MAX, ULONG_MAX);
	KUNIT_EXPECT_EQ(test, h->nr, 1UL);
	KUNIT_EXPECT_TRUE(test, contains(test, 0, ULONG_MAX));

	/* Only the last 11 addresses: aligning up must not wrap to 0 */
	iova_holes_destroy(h);
	add_ok(test, ULONG_MAX - 10, ULONG_MAX);
	expect_no_space(test, 1, 16);
	expect_no_space(test, 1, TOP_BIT);
	expect_found(test, 1, 2, ULONG_MAX - 9);
	expect_found(test, 1, 8, ULONG_MAX - 7);
	expect_found(test, 11, 1, ULONG_MAX - 10);
	expect_no_space(test, 12, 1);
	expect_no_space(test, ULONG_MAX, 1);

	add_ok(test, 0, 0);
	KUNIT_EXPECT_EQ(test, h->nr, 2UL);
	expect_found(test, 1, TOP_BIT, 0);
	expect_found(test, 2, 1, ULONG_MAX - 10);
	/* Fill the gap, merging on both sides */
	add_ok(test, 1, ULONG_MAX - 11);
	KUNIT_EXPECT_EQ(test, h->nr, 1UL);
	KUNIT_EXPECT_TRUE(test, contains(test, 0, ULONG_MAX));

	/* Exact fit of the top 16 addresses */
	iova_holes_destroy(h);
	add_ok(test, ULONG_MAX - 15, ULONG_MAX);
	expect_found(test, 16, 16, ULONG_MAX - 15);
	expect_no_space(test, 16, 32);
	remove_ok(test, ULONG_MAX, ULONG_MAX);
	expect_no_space(test, 16, 1);
	expect_found(test, 15, 16, ULONG_MAX - 15);

	remove_ok(test, 0, ULONG_MAX);
	KUNIT_EXPECT_EQ(test, h->nr, 0UL);
}

static void iova_test_merge(struct kunit *test)
{
	struct iova_holes *h = holes_of(test);

	add_ok(test, 100, 199);
	add_ok(test, 300, 399);
	KUNIT_EXPECT_EQ(test, h->nr, 2UL);
	KUNIT_EXPECT_FALSE(test, contains(test, 100, 399));

	/* Both neighbours */
	add_ok(test, 200, 299);
	KUNIT_EXPECT_EQ(test, h->nr, 1UL);
	KUNIT_EXPECT_TRUE(test, contains(test, 100, 399));
	KUNIT_EXPECT_FALSE(test, contains(test, 99, 399));
	KUNIT_EXPECT_FALSE(test, contains(test, 100, 400));

	/* Only the upper neighbour */
	add_ok(test, 50, 99);
	KUNIT_EXPECT_EQ(test, h->nr, 1UL);
	KUNIT_EXPECT_TRUE(test, contains(test, 50, 399));

	/* Only the lower neighbour */
	add_ok(test, 400, 450);
	KUNIT_EXPECT_EQ(test, h->nr, 1UL);
	KUNIT_EXPECT_TRUE(test, contains(test, 50, 450));

	/* A one address gap is not adjacent */
	add_ok(test, 452, 460);
	KUNIT_EXPECT_EQ(test, h->nr, 2UL);
	add_ok(test, 451, 451);
	KUNIT_EXPECT_EQ(test, h->nr, 1UL);
	KUNIT_EXPECT_TRUE(test, contains(test, 50, 460));

	add_ok(test, 0, 10);
	add_ok(test, 20, 30);
	KUNIT_EXPECT_EQ(test, h->nr, 3UL);
	add_ok(test, 11, 19);
	KUNIT_EXPECT_EQ(test, h->nr, 2UL);
	KUNIT_EXPECT_TRUE(test, contains(test, 0, 30));
	KUNIT_EXPECT_FALSE(test, contains(test, 0, 31));
	add_ok(test, 31, 49);
	KUNIT_EXPECT_EQ(test, h->nr, 1UL);
	KUNIT_EXPECT_TRUE(test, contains(test, 0, 460));
	expect_found(test, 461, 1, 0);
	expect_no_space(test, 462, 1);
}

static void iova_test_remove(struct kunit *test)
{
	struct iova_holes *h = holes_of(test);
	unsigned long i;

	add_ok(test, 0, 999);

	/* Split in the middle */
	remove_ok(test, 400, 499);
	KUNIT_EXPECT_EQ(test, h->nr, 2UL);
	KUNIT_EXPECT_TRUE(test, contains(test, 0, 399));
	KUNIT_EXPECT_TRUE(test, contains(test, 500, 999));
	KUNIT_EXPECT_FALSE(test, contains(test, 399, 400));
	KUNIT_EXPECT_FALSE(test, contains(test, 400, 400));
	KUNIT_EXPECT_FALSE(test, contains(test, 499, 499));

	/* Trim the start of one hole and the end of the other */
	remove_ok(test, 0, 9);
	KUNIT_EXPECT_TRUE(test, contains(test, 10, 399));
	KUNIT_EXPECT_FALSE(test, contains(test, 9, 9));
	remove_ok(test, 990, 2000);
	KUNIT_EXPECT_TRUE(test, contains(test, 500, 989));
	KUNIT_EXPECT_FALSE(test, contains(test, 990, 990));
	KUNIT_EXPECT_EQ(test, h->nr, 2UL);

	/* Ranges that touch no hole */
	remove_ok(test, 400, 499);
	remove_ok(test, 2000, 3000);
	remove_ok(test, ULONG_MAX, ULONG_MAX);
	KUNIT_EXPECT_EQ(test, h->nr, 2UL);
	KUNIT_EXPECT_TRUE(test, contains(test, 10, 399));
	KUNIT_EXPECT_TRUE(test, contains(test, 500, 989));

	/* Exactly one hole, and part of one hole spilling into used space */
	remove_ok(test, 10, 399);
	KUNIT_EXPECT_EQ(test, h->nr, 1UL);
	remove_ok(test, 300, 600);
	KUNIT_EXPECT_EQ(test, h->nr, 1UL);
	KUNIT_EXPECT_TRUE(test, contains(test, 601, 989));
	KUNIT_EXPECT_FALSE(test, contains(test, 600, 600));

	/* Across many holes: [i * 100, i * 100 + 49] for i = 0..9 */
	iova_holes_destroy(h);
	for (i = 0; i < 10; i++)
		add_ok(test, i * 100, i * 100 + 49);
	KUNIT_EXPECT_EQ(test, h->nr, 10UL);
	remove_ok(test, 25, 925);
	KUNIT_EXPECT_EQ(test, h->nr, 2UL);
	KUNIT_EXPECT_TRUE(test, contains(test, 0, 24));
	KUNIT_EXPECT_TRUE(test, contains(test, 926, 949));
	KUNIT_EXPECT_FALSE(test, contains(test, 25, 25));
	KUNIT_EXPECT_FALSE(test, contains(test, 925, 925));
	expect_found(test, 25, 1, 0);
	expect_no_space(test, 26, 1);
	/* [1, 24] and [926, 949] */
	remove_ok(test, 0, 0);
	expect_found(test, 24, 1, 1);
	expect_found(test, 23, 2, 2);
	expect_found(test, 24, 2, 926);
	expect_no_space(test, 25, 1);

	/* Across whole holes only, ending exactly on hole bounds */
	iova_holes_destroy(h);
	for (i = 0; i < 10; i++)
		add_ok(test, i * 100, i * 100 + 49);
	remove_ok(test, 100, 849);
	KUNIT_EXPECT_EQ(test, h->nr, 2UL);
	KUNIT_EXPECT_TRUE(test, contains(test, 0, 49));
	KUNIT_EXPECT_TRUE(test, contains(test, 900, 949));

	remove_ok(test, 0, ULONG_MAX);
	KUNIT_EXPECT_EQ(test, h->nr, 0UL);
	expect_no_space(test, 1, 1);
}

static void iova_test_align_exact(struct kunit *test)
{
	unsigned long k;

	/* Long enough for 0x1000 addresses, but not at a 0x1000 boundary */
	add_ok(test, 0x1, 0x1000);
	add_ok(test, 0x3000, 0x3fff);
	expect_found(test, 0x1000, 1, 0x1);
	expect_found(test, 0x1000, 0x1000, 0x3000);
	expect_found(test, 0x800, 0x800, 0x800);
	expect_found(test, 0x801, 0x800, 0x800);
	expect_found(test, 0x802, 0x800, 0x3000);

	/*
	 * The hole with the largest span is misaligned. A lower, shorter hole
	 * has the lowest aligned fit and must win.
	 */
	add_ok(test, 0x10001, 0x30000);
	remove_ok(test, 0x3000, 0x3fff);
	expect_found(test, 0x1000, 0x1000, 0x11000);
	add_ok(test, 0x5000, 0x5fff);
	expect_found(test, 0x1000, 0x1000, 0x5000);
	iova_holes_destroy(holes_of(test));

	/* Many candidates long enough, none aligned, before the real fit */
	for (k = 1; k <= 64; k++)
		add_ok(test, k * 0x100 + 1, k * 0x100 + 0x80);
	add_ok(test, 0x10000, 0x1007f);
	KUNIT_EXPECT_EQ(test, holes_of(test)->nr, 65UL);
	expect_found(test, 0x80, 0x80, 0x10000);
	expect_found(test, 0x80, 1, 0x101);
	expect_found(test, 1, 0x80, 0x180);
	expect_found(test, 2, 0x80, 0x10000);
	expect_found(test, 0x80, 0x100, 0x10000);
	expect_no_space(test, 0x81, 1);
	expect_no_space(test, 0x80, 0x20000);
}

/*
 * The sequence from the 2020 "iommu/iova: Retry from last rb tree node"
 * discussion: with 12MiB free in the middle of a 1GiB space, a 2MiB
 * request must still succeed.
 */
static void iova_test_seed_scenario(struct kunit *test)
{
	struct iova_holes *h = holes_of(test);
	unsigned long a, b, c, d;

	add_ok(test, 0, SZ_1G - 1);

	a = alloc_ok(test, 500 * SZ_1M, 1);
	b = alloc_ok(test, 12 * SZ_1M, 1);
	c = alloc_ok(test, 499 * SZ_1M, 1);
	KUNIT_EXPECT_EQ(test, a, 0UL);
	KUNIT_EXPECT_EQ(test, b, 500UL * SZ_1M);
	KUNIT_EXPECT_EQ(test, c, 512UL * SZ_1M);

	add_ok(test, b, b + 12 * SZ_1M - 1);
	d = alloc_ok(test, 13 * SZ_1M, 1);
	KUNIT_EXPECT_EQ(test, d, 1011UL * SZ_1M);
	KUNIT_EXPECT_EQ(test, h->nr, 1UL);

	KUNIT_EXPECT_EQ(test, alloc_ok(test, 2 * SZ_1M, 1), 500UL * SZ_1M);
	KUNIT_EXPECT_EQ(test, alloc_ok(test, 2 * SZ_1M, SZ_2M), 502UL * SZ_1M);
	expect_no_space(test, 9 * SZ_1M, 1);
	KUNIT_EXPECT_EQ(test, alloc_ok(test, 8 * SZ_1M, 8 * SZ_1M),
			504UL * SZ_1M);
	expect_no_space(test, 1, 1);
	KUNIT_EXPECT_EQ(test, h->nr, 0UL);
}

/* Brute force model: one bit per address of a small window, set if free */
#define MODEL_UNITS 4096
#define MODEL_OPS 4000

struct iova_model {
	unsigned long base;
	u64 state;
	DECLARE_BITMAP(free, MODEL_UNITS);
	/* run[i]: number of free units starting at unit i */
	unsigned int run[MODEL_UNITS + 1];
};

/* xorshift64, good enough for picking test inputs */
static u32 model_rand(struct iova_model *m, u32 bound)
{
	u64 x = m->state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	m->state = x;
	return (u32)(x >> 32) % bound;
}

static bool model_find(struct iova_model *m, unsigned long length,
		       unsigned long align, unsigned long *iova)
{
	unsigned int i;

	m->run[MODEL_UNITS] = 0;
	for (i = MODEL_UNITS; i-- > 0;)
		m->run[i] = test_bit(i, m->free) ? m->run[i + 1] + 1 : 0;

	for (i = 0; i < MODEL_UNITS; i++) {
		unsigned long addr = m->base + i;

		if (addr & (align - 1))
			continue;
		if (m->run[i] >= length) {
			*iova = addr;
			return true;
		}
	}
	return false;
}

static bool model_all_free(struct iova_model *m, unsigned int first,
			   unsigned int n)
{
	return find_next_zero_bit(m->free, first + n, first) >= first + n;
}

/* Number of maximal runs of free units, i.e. the expected number of holes */
static unsigned long model_runs(struct iova_model *m)
{
	unsigned long runs = 0;
	unsigned int s, e;

	for (s = find_first_bit(m->free, MODEL_UNITS); s < MODEL_UNITS;
	     s = find_next_bit(m->free, MODEL_UNITS, e)) {
		e = find_next_zero_bit(m->free, MODEL_UNITS, s);
		runs++;
	}
	return runs;
}

/* Compare every maximal run of the model with the tree */
static void model_check(struct kunit *test, struct iova_model *m)
{
	struct iova_holes *h = holes_of(test);
	unsigned long runs = 0;
	unsigned int s, e, i;

	for (s = find_first_bit(m->free, MODEL_UNITS); s < MODEL_UNITS;
	     s = find_next_bit(m->free, MODEL_UNITS, e)) {
		e = find_next_zero_bit(m->free, MODEL_UNITS, s);
		runs++;
		KUNIT_ASSERT_TRUE(test, contains(test, m->base + s,
						 m->base + e - 1));
		if (s)
			KUNIT_ASSERT_FALSE(test, contains(test, m->base + s - 1,
							  m->base + s - 1));
		if (e < MODEL_UNITS)
			KUNIT_ASSERT_FALSE(test, contains(test, m->base + e,
							  m->base + e));
	}
	KUNIT_ASSERT_EQ(test, h->nr, runs);

	for (i = 0; i < MODEL_UNITS; i++)
		KUNIT_ASSERT_EQ(test, contains(test, m->base + i, m->base + i),
				(bool)test_bit(i, m->free));
}

static unsigned long model_length(struct iova_model *m)
{
	switch (model_rand(m, 4)) {
	case 0:
		return 1 + model_rand(m, 4);
	case 1:
		return 1 + model_rand(m, 64);
	case 2:
		return 1 + model_rand(m, 512);
	default:
		return 1 + model_rand(m, MODEL_UNITS + 16);
	}
}

static void model_random_run(struct kunit *test, unsigned long base)
{
	struct iova_holes *h = holes_of(test);
	struct iova_model *m;
	unsigned int op;

	m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, m);
	m->base = base;
	m->state = 0x9e3779b97f4a7c15ULL;

	add_ok(test, base, base + MODEL_UNITS - 1);
	bitmap_fill(m->free, MODEL_UNITS);

	for (op = 0; op < MODEL_OPS; op++) {
		unsigned int i = model_rand(m, MODEL_UNITS);
		unsigned long len = model_length(m);
		unsigned long got, want, align;
		bool found;
		int ret;

		switch (model_rand(m, 8)) {
		case 0:
		case 1:
			/* Free the used run starting at i, up to len units */
			if (test_bit(i, m->free))
				break;
			len = min_t(unsigned long, len, MODEL_UNITS - i);
			len = find_next_bit(m->free, i + len, i) - i;
			add_ok(test, base + i, base + i + len - 1);
			bitmap_set(m->free, i, len);
			break;
		case 2:
			len = min_t(unsigned long, len, MODEL_UNITS - i);
			remove_ok(test, base + i, base + i + len - 1);
			bitmap_clear(m->free, i, len);
			break;
		case 3:
		case 4:
		case 5:
			align = model_rand(m, 16);
			align = align == 15 ? TOP_BIT : 1UL << align;
			found = model_find(m, len, align, &want);
			got = 0;
			ret = iova_holes_find(h, len, align, &got);
			KUNIT_ASSERT_EQ_MSG(test, ret, found ? 0 : -ENOSPC,
					    "op %u length %lu align %#lx", op,
					    len, align);
			if (!found)
				break;
			KUNIT_ASSERT_EQ_MSG(test, got, want,
					    "op %u length %lu align %#lx", op,
					    len, align);
			/* Allocate half of what is found */
			if (op & 1) {
				remove_ok(test, got, got + len - 1);
				bitmap_clear(m->free, got - base, len);
			}
			break;
		case 6:
			len = min_t(unsigned long, len, MODEL_UNITS - i);
			KUNIT_ASSERT_EQ(test,
					contains(test, base + i,
						 base + i + len - 1),
					model_all_free(m, i, len));
			break;
		default:
			KUNIT_ASSERT_EQ(test, h->nr, model_runs(m));
			break;
		}
		if (!(op % 256))
			model_check(test, m);
	}
	model_check(test, m);
}

static void iova_test_random_low(struct kunit *test)
{
	model_random_run(test, 0);
}

static void iova_test_random_high(struct kunit *test)
{
	/* The window ends at ULONG_MAX */
	model_random_run(test, ULONG_MAX - (MODEL_UNITS - 1));
}

static struct kunit_case iova_alloc_test_cases[] = {
	KUNIT_CASE(iova_test_empty),
	KUNIT_CASE(iova_test_full_range),
	KUNIT_CASE(iova_test_merge),
	KUNIT_CASE(iova_test_remove),
	KUNIT_CASE(iova_test_align_exact),
	KUNIT_CASE(iova_test_seed_scenario),
	KUNIT_CASE(iova_test_random_low),
	KUNIT_CASE(iova_test_random_high),
	{}
};

static struct kunit_suite iova_alloc_test_suite = {
	.name = "iommufd-iova-alloc",
	.init = iova_test_init,
	.exit = iova_test_exit,
	.test_cases = iova_alloc_test_cases,
};

kunit_test_suite(iova_alloc_test_suite);

MODULE_DESCRIPTION("KUnit tests for the iommufd IOVA hole tree");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(IOMMUFD_INTERNAL);
