# SPDX-License-Identifier: GPL-2.0
# Device lanes (vtd, amd, smmuv3): the edu device behind an emulated
# IOMMU, handed to vfio-pci, then the end-to-end DMA tests.
edu=$(find_pci 0x1234 0x11e8)
tap_check "${lane}_edu_bound_to_vfio_pci" bind_vfio "$edu"
run_test vfio_type1_dma /tests/vfio_type1_dma
run_test vfio_cdev_dma /tests/vfio_cdev_dma
# An emulated device (the mtty sample's mdev) bound to iommufd as an access.
run_test vfio_mdev_iommufd /tests/vfio_mdev_iommufd
# The same type1 test against the 6.1 type1 container the kernel keeps
# beside iommufd's compat one.  ash exports an assignment that prefixes a
# function call to the commands the function runs.
if [ -e /dev/vfio/legacy-container ]; then
	VFIO_CONTAINER_PATH=/dev/vfio/legacy-container \
		run_test vfio_type1_legacy /tests/vfio_type1_dma
fi
