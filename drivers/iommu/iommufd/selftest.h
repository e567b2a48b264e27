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

#if IS_ENABLED(CONFIG_IOMMUFD_TEST)
int iommufd_test_cmd(struct iommufd_ucmd *ucmd);
void iommufd_test_obj_destroy(struct iommufd_object *obj);
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
