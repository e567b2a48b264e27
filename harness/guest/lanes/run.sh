# SPDX-License-Identifier: GPL-2.0
# "make run": bind edu to vfio-pci and run the demo program.
edu=$(find_pci 0x1234 0x11e8)
bind_vfio "$edu" || echo "could not bind $edu to vfio-pci"
run_plain iommu_demo /tests/iommu_demo
