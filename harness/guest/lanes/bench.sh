# SPDX-License-Identifier: GPL-2.0
# "make bench": the map/unmap benchmark in the VT-d (or AMD-Vi) guest.
# 2 MiB huge pages are reserved on the kernel command line; $bench_args
# come from harness.bench=.
edu=$(find_pci 0x1234 0x11e8)
bind_vfio "$edu" || echo "could not bind $edu to vfio-pci"
run_plain iommu_bench /tests/iommu_bench $bench_args
