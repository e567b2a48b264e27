# SPDX-License-Identifier: GPL-2.0
# Stress lane (debug kernel, VT-d + edu): threads interleave every object
# operation over a few iommufds for harness.seconds, with edu's VFIO group
# there for the type1 container paths; then a kmemleak scan. Reports in the
# kernel log fail the lane on the host.
edu=$(find_pci 0x1234 0x11e8)
tap_check "${lane}_edu_bound_to_vfio_pci" bind_vfio "$edu"
# Widen attach's race windows a little (test kernels only).
p=/sys/module/iommufd/parameters/test_race_delay_us
[ -w $p ] && echo 200 >$p
run_test iommufd_stress /tests/iommufd_stress ${seed:+--seed $seed} \
	--seconds "${seconds:-60}"
[ -w $p ] && echo 0 >$p
. /lanes/kmemleak.sh
