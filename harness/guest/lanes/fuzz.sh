# SPDX-License-Identifier: GPL-2.0
# Fuzz lane (debug kernel, VT-d + edu): harness.calls seeded random and
# mutated ioctls on /dev/iommu, /dev/vfio/vfio and edu's device cdev and
# group; then a kmemleak scan. Reports in the kernel log fail the lane.
edu=$(find_pci 0x1234 0x11e8)
tap_check "${lane}_edu_bound_to_vfio_pci" bind_vfio "$edu"
run_test iommufd_fuzz /tests/iommufd_fuzz ${seed:+--seed $seed} \
	${only:+--only $only} --calls "${calls:-100000}"
. /lanes/kmemleak.sh
