#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# build-kernel.sh FLAVOR: configure and build one guest kernel out of tree
# in build/kbuild/FLAVOR, from allnoconfig plus committed fragments.
#   x86_64        common + x86_64                (mock, vtd, amd, kunit)
#   arm64         common + arm64                 (smmuv3, kunit)
#   x86_64-debug  common + x86_64 + debug        (debug)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

flavor=${1:?usage: build-kernel.sh x86_64|arm64|x86_64-debug}
K=$HARNESS_DIR/kconfig
case $flavor in
x86_64) arch=x86 frags="$K/common.config $K/x86_64.config" image=bzImage
	cross= ;;
x86_64-debug) arch=x86 frags="$K/common.config $K/x86_64.config $K/debug.config"
	image=bzImage cross= ;;
arm64) arch=arm64 frags="$K/common.config $K/arm64.config" image=Image
	cross=aarch64-linux-gnu- ;;
*) die "unknown kernel flavor '$flavor'" ;;
esac

out=$BUILD_DIR/kbuild/$flavor
mkdir -p "$out"
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
# Paths below the build folder hash as relative ones, so a fresh clone
# elsewhere (as CI makes) still hits the cache.
export CCACHE_BASEDIR=$BUILD_DIR
export KBUILD_BUILD_TIMESTAMP="2026-01-01" KBUILD_BUILD_USER=harness
export KBUILD_BUILD_HOST=iommufd
kmake() {
	make -C "$TREE_DIR" O="$out" ARCH=$arch CROSS_COMPILE=$cross \
		CC="ccache ${cross}gcc" -j"${JOBS:-3}" "$@"
}

# Regenerate the config only when the fragments change, so an edit to a
# C file costs one incremental build.
# shellcheck disable=SC2086
sum=$(cat $frags | sha1sum | cut -d' ' -f1)
if [ "$(cat "$out/.fragments" 2>/dev/null)" != "$sum" ] || [ ! -f "$out/.config" ]; then
	# shellcheck disable=SC2086
	cat $frags >"$out/all.config"
	kmake KCONFIG_ALLCONFIG="$out/all.config" allnoconfig >"$LOG_DIR/kconfig-$flavor.log" 2>&1 ||
		{ cat "$LOG_DIR/kconfig-$flavor.log"; die "kconfig failed for $flavor"; }
	bad=0
	while IFS= read -r line; do
		case "$line" in CONFIG_*=*) ;; *) continue ;; esac
		sym=${line%%=*} val=${line#*=}
		if [ "$val" = n ]; then
			grep -qx "$sym=.*" "$out/.config" || continue
		else
			grep -qxF "$line" "$out/.config" && continue
		fi
		echo "kconfig: $flavor wants $line, got: $(grep -E "^$sym=|^# $sym is" "$out/.config" || echo unset)" >&2
		bad=1
	done <"$out/all.config"
	((bad == 0)) || die "a fragment asks for an option kconfig did not take (unmet dependency?)"
	echo "$sum" >"$out/.fragments"
fi

with_ticker "kernel $flavor" "$LOG_DIR/kbuild-$flavor.log" kmake $image ||
	die "kernel build failed for $flavor (log: $LOG_DIR/kbuild-$flavor.log)"
ln -sf "arch/$arch/boot/$image" "$out/kernel-image"
echo "kernel $flavor: $(du -h "$out/arch/$arch/boot/$image" | cut -f1)," \
	"ccache $(ccache -s 2>/dev/null | awk '/Hits:/ {print $2 "/" $4 " hits"; exit}')"
