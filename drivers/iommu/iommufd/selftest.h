/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Entry points of the test interface (CONFIG_IOMMUFD_TEST) for the
 * dispatch layer.
 */
#ifndef __IOMMUFD_SELFTEST_H
#define __IOMMUFD_SELFTEST_H

struct iommufd_object;
struct iommufd_ucmd;

int iommufd_test_cmd(struct iommufd_ucmd *ucmd);
void iommufd_test_obj_destroy(struct iommufd_object *obj);
int iommufd_test_init(void);
void iommufd_test_exit(void);

#endif
