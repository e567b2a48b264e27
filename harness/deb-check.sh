#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The "deb" lane: make deb's packaging, tested on the quick guest flavor
# (harness/deb.sh guest): the linux-image package is installed with dpkg
# into a scratch root (its own dpkg database; maintainer scripts run
# without chroot and find no hook scripts, KDEB_HOOKDIR pointing nowhere),
# and must put the kernel, System.map, config and modules in place, with
# a modules.dep that depmod writes without complaint and that has vfio-pci
# depend on iommufd.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

res=$BUILD_DIR/results/deb.txt
mkdir -p "$BUILD_DIR/results"
: >"$res"
say() { echo "$*" | tee -a "$res"; }
# check NAME CMD...: PASS when CMD succeeds, else FAIL with its output.
check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		say "PASS deb: $name"
	else
		say "FAIL deb: $name"
		sed 's/^/      | /' <<<"$out" | tail -20 | tee -a "$res"
	fi
}

out=$BUILD_DIR/deb/guest
check packages_build env KDEB_HOOKDIR=/nonexistent-kernel-hooks \
	"$HARNESS_DIR/deb.sh" guest
image=$(ls "$out"/linux-image-*-iommufd_*.deb 2>/dev/null | head -1)
[ -n "$image" ] || { say "FAIL deb: no linux-image package"; exit 1; }
ver=$(dpkg-deb -f "$image" Package | sed 's/^linux-image-//')
root=$out/root
rm -rf "$root"
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
touch "$root/var/lib/dpkg/status"
check dpkg_installs_image dpkg --root="$root" --force-script-chrootless \
	--no-triggers -i "$image"
files_in_place() {
	local f
	for f in boot/vmlinuz-$ver boot/System.map-$ver boot/config-$ver \
		lib/modules/$ver/kernel/drivers/vfio/pci/vfio-pci.ko \
		lib/modules/$ver/kernel/drivers/iommu/iommufd/iommufd.ko; do
		[ -s "$root/$f" ] || { echo "missing: /$f"; return 1; }
	done
	grep -qx "CONFIG_IOMMUFD=m" "$root/boot/config-$ver" ||
		{ echo "config without CONFIG_IOMMUFD=m"; return 1; }
}
check files_in_place files_in_place
modules_dep_sane() {
	local dep=$root/lib/modules/$ver/modules.dep out
	out=$(depmod -b "$root" -e -F "$root/boot/System.map-$ver" "$ver" 2>&1)
	[ -z "$out" ] || { echo "$out"; return 1; }
	grep -E '^kernel/drivers/vfio/pci/vfio-pci.ko:.*iommufd/iommufd.ko' "$dep" ||
		{ echo "vfio-pci does not depend on iommufd in $dep"; return 1; }
}
check modules_dep_sane modules_dep_sane
! grep -q '^FAIL' "$res"
