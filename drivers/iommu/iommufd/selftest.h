/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Entry points of the test interface (CONFIG_IOMMUFD_TEST) for the
 * dispatch layer.
 */
#ifndef __IOMMUFD_SELFTEST_H
#define __IOMMUFD_SELFTEST_H

#include <linux/kconfig.h>

struct iommufd_object;
struct iommufd_ucmd;
struct page;

#if IS_ENABLED(CONFIG_IOMMUFD_TEST)
int iommufd_test_cmd(struct iommufd_ucmd *ucmd);
void iommufd_test_obj_destroy(struct iommufd_object *obj);
struct page *iommufd_test_user_page(unsigned long uaddr);
int iommufd_test_create_access(struct iommufd_ucmd *ucmd);
int iommufd_test_access_replace_ioas(struct iommufd_ucmd *ucmd);
int iommufd_test_access_pages(struct iommufd_ucmd *ucmd);
int iommufd_test_destroy_access_pages(struct iommufd_ucmd *ucmd);
int iommufd_test_access_rw(struct iommufd_ucmd *ucmd);
int iommufd_test_init(void);
void iommufd_test_exit(void);
#else
static inline int iommufd_test_init(void)
{
	return 0;
}

static inline void iommufd_test_exit(void)
{
}
#endif

#endif
