# SPDX-License-Identifier: GPL-2.0
# Device lanes (vtd, amd, smmuv3): the edu device behind an emulated
# IOMMU, handed to vfio-pci, then the end-to-end DMA tests.
edu=$(find_pci 0x1234 0x11e8)
tap_check "${lane}_edu_bound_to_vfio_pci" bind_vfio "$edu"
run_test vfio_type1_dma /tests/vfio_type1_dma
