# SPDX-License-Identifier: GPL-2.0
# Debug lane: the mock lane and the device tests (the guest has VT-d,
# edu and a device with ATS) on a KASAN/lockdep/kmemleak kernel, then a kmemleak scan.  Reports
# in the kernel log fail the lane on the host.
. /lanes/mock.sh
. /lanes/device.sh
# Device-IOTLB invalidation through replaces: a device with ATS (the
# virtio RNG QEMU gives this lane), seen through the qi_submit trace event.
ats=$(find_pci 0x1af4 0x1044)
tap_check "${lane}_ats_device_bound_to_vfio_pci" bind_vfio "$ats"
run_test vfio_ats_iotlb /tests/vfio_ats_iotlb
. /lanes/kmemleak.sh
