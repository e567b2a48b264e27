# SPDX-License-Identifier: GPL-2.0
# SMMUv3 nesting lane (QEMU 10's arm-smmuv3 with stage=nested): edu handed
# to vfio-pci, then the test that plays the VMM of a guest owning its
# stage 1 over a nest parent HWPT, directly and through a vIOMMU.
edu=$(find_pci 0x1234 0x11e8)
tap_check smmuv3_nested_edu_bound_to_vfio_pci bind_vfio "$edu"
run_test vfio_smmuv3_nested /tests/vfio_smmuv3_nested
# The kernel's own stage-1 domains on an SMMU that also has stage 2.
run_test vfio_cdev_dma /tests/vfio_cdev_dma
run_test vfio_type1_dma /tests/vfio_type1_dma
