#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""vfio-cdev-abi.py VFIO_H OUT_H

Cuts the VFIO device-cdev part of a linux/vfio.h (the three structs and
ioctl numbers of VFIO_DEVICE_{BIND_IOMMUFD,ATTACH_IOMMUFD_PT,
DETACH_IOMMUFD_PT}) into a stand-alone header, so abi-check.py can hold
ours to the reference kernel's without comparing the rest of vfio.h,
which 6.1 and 6.12 legitimately differ in.  Exits 1 if a piece is missing.
"""
import re
import sys

STRUCTS = ("vfio_device_bind_iommufd", "vfio_device_attach_iommufd_pt",
           "vfio_device_detach_iommufd_pt")
IOCTLS = ("VFIO_DEVICE_BIND_IOMMUFD", "VFIO_DEVICE_ATTACH_IOMMUFD_PT",
          "VFIO_DEVICE_DETACH_IOMMUFD_PT")

text = open(sys.argv[1]).read()
out = ["#include <linux/types.h>", "#include <linux/ioctl.h>"]
for name in ("VFIO_TYPE", "VFIO_BASE"):
    m = re.search(r"^#define\s+%s\b.*$" % name, text, re.M)
    if not m:
        sys.exit("%s: no %s" % (sys.argv[1], name))
    out.append(m.group(0))
for name in STRUCTS:
    m = re.search(r"^struct %s \{.*?^\};" % name, text, re.M | re.S)
    if not m:
        sys.exit("%s: no struct %s" % (sys.argv[1], name))
    out.append(m.group(0))
for name in IOCTLS:
    m = re.search(r"^#define\s+%s\s.*$" % name, text, re.M)
    if not m:
        sys.exit("%s: no %s" % (sys.argv[1], name))
    out.append(m.group(0))
with open(sys.argv[2], "w") as f:
    f.write("\n".join(out) + "\n")
