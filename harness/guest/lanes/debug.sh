# SPDX-License-Identifier: GPL-2.0
# Debug lane: the mock lane and the device tests (the guest has VT-d,
# edu and a device with ATS) on a KASAN/lockdep/kmemleak kernel, then a kmemleak scan.  Reports
# in the kernel log fail the lane on the host.
# kmemleak scans only when asked, at the end: its automatic scan of all of
# memory takes a vCPU for a while under TCG and KASAN, long enough to push
# a timed upstream test (basic_fail_nth.map_two_domains, 30 s) over.
echo scan=off >/sys/kernel/debug/kmemleak 2>/dev/null
. /lanes/mock.sh
. /lanes/device.sh
# Device-IOTLB invalidation through replaces: a device with ATS (the
# virtio RNG QEMU gives this lane), seen through the qi_submit trace event.
ats=$(find_pci 0x1af4 0x1044)
tap_check "${lane}_ats_device_bound_to_vfio_pci" bind_vfio "$ats"
run_test vfio_ats_iotlb /tests/vfio_ats_iotlb
. /lanes/kmemleak.sh
