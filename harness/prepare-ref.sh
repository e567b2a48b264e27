#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Extract the parts of Debian's linux-source-6.12 that serve as the ABI
# reference into build/ref-6.12: the uAPI headers (for the static lane's
# ABI check) and the iommu selftests with their test header (the
# conformance suite).  Read at build time only; nothing of it is
# committed to this repository.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

TARBALL=/usr/src/linux-source-6.12.tar.xz
REF_DIR=$BUILD_DIR/ref-6.12
[ -f "$TARBALL" ] || die "$TARBALL missing: run 'make deps' first"
used=$(dpkg-query -W -f='${Version}' linux-source-6.12)
[ "$(cat "$REF_DIR/.version" 2>/dev/null)" = "$used" ] && exit 0

rm -rf "$REF_DIR"
mkdir -p "$REF_DIR"
tar -xf "$TARBALL" -C "$REF_DIR" --strip-components=1 \
	linux-source-6.12/include/uapi \
	linux-source-6.12/drivers/iommu/iommufd/iommufd_test.h \
	linux-source-6.12/tools/testing/selftests/iommu \
	linux-source-6.12/tools/testing/selftests/kselftest.h \
	linux-source-6.12/tools/testing/selftests/kselftest_harness.h
echo "$used" >"$REF_DIR/.version"
echo "reference: linux-source-6.12 $used in $REF_DIR"
