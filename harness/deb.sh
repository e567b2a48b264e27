#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# deb.sh [debian|guest]: linux-image and linux-headers packages of Debian's
# linux-source-6.1 with our patch series and overlay (build/tree), with the
# version suffix -iommufd so that they install beside Debian's kernel.
# Packages land in build/deb/FLAVOR/.
#
#   debian  (make deb) Debian's own config for this machine's architecture
#           (package linux-config-6.1) plus IOMMUFD (module), the VFIO
#           device cdev and iommufd's /dev/vfio/vfio; without debug info,
#           and without Debian's signing certificates, which only Debian has.
#   guest   (the deb lane of make check) the x86_64 guest's config with
#           modules, VFIO and iommufd as modules (kconfig/deb-guest.config):
#           the same packaging, built in minutes.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

flavor=${1:-debian}
out=$BUILD_DIR/deb/$flavor
obj=$out/obj
mkdir -p "$obj" "$LOG_DIR"
log=$LOG_DIR/deb-$flavor.log
K=$HARNESS_DIR/kconfig
debarch=$(dpkg --print-architecture)
case $debarch in
amd64) karch=x86 ;;
arm64) karch=arm64 ;;
*) die "no kernel architecture known for $debarch" ;;
esac
# LOCALVERSION set (empty) keeps the "+" of a git tree out of the version.
kmake() {
	make -C "$TREE_DIR" O="$obj" ARCH=$karch CC="ccache gcc" LOCALVERSION= \
		-j"${JOBS:-3}" "$@"
}
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}

case $flavor in
debian)
	cfg=/usr/src/linux-config-6.1/config.${debarch}_none_${debarch}.xz
	[ -f "$cfg" ] || die "no $cfg: install linux-config-6.1"
	xz -dc "$cfg" >"$obj/.config"
	sc=("$TREE_DIR/scripts/config" --file "$obj/.config")
	"${sc[@]}" --module IOMMUFD --enable VFIO_DEVICE_CDEV \
		--enable IOMMUFD_VFIO_CONTAINER --disable IOMMUFD_TEST \
		--disable DEBUG_INFO --disable DEBUG_INFO_BTF \
		--enable DEBUG_INFO_NONE --disable DEBUG_INFO_DWARF5 \
		--disable DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT \
		--set-str SYSTEM_TRUSTED_KEYS "" \
		--set-str SYSTEM_REVOCATION_KEYS "" \
		--set-str LOCALVERSION "-iommufd" --disable LOCALVERSION_AUTO
	;;
guest)
	[ "$debarch" = amd64 ] || die "the guest flavor is x86_64 only"
	cat "$K/common.config" "$K/x86_64.config" "$K/deb-guest.config" \
		>"$obj/all.config"
	kmake KCONFIG_ALLCONFIG="$obj/all.config" allnoconfig >"$log" 2>&1 ||
		{ tail -20 "$log"; die "kconfig failed"; }
	;;
*) die "unknown flavor '$flavor' (debian guest)" ;;
esac
kmake olddefconfig >>"$log" 2>&1 || { tail -20 "$log"; die "kconfig failed"; }
for opt in IOMMUFD VFIO_DEVICE_CDEV IOMMUFD_VFIO_CONTAINER; do
	grep -Eq "^CONFIG_$opt=(y|m)" "$obj/.config" ||
		die "CONFIG_$opt did not stay on (unmet dependency?)"
done

# bindeb-pkg as root without fakeroot, without checking Build-Depends
# (deps.sh installs what the build needs); packages go to $obj/..
rm -f "$out"/*.deb
start=$(date +%s)
with_ticker "deb $flavor" "$log.build" kmake KBUILD_PKG_ROOTCMD= \
	DPKG_FLAGS=-d ${KDEB_HOOKDIR:+KDEB_HOOKDIR=$KDEB_HOOKDIR} bindeb-pkg ||
	{ tail -30 "$log.build"; die "bindeb-pkg failed (log: $log.build)"; }
echo "deb $flavor: $(cd "$out" && ls ./*.deb | sed 's|^\./||' | tr '\n' ' ')" \
	"in $(($(date +%s) - start))s"
