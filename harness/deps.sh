#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages the build and the test lanes need.  Skips
# what is already present; pins linux-source-6.1 to the recorded version
# and falls back to the newest 6.1.y the archive serves, saying so.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PKGS="linux-source-6.1 linux-source-6.12 qemu-system-x86 qemu-system-arm gcc-aarch64-linux-gnu
libc6-dev-arm64-cross sparse busybox-static bc bison flex libelf-dev
libssl-dev cpio ccache xz-utils rsync perl python3 python3-ply python3-git git
make gcc libc6-dev dpkg-dev kmod linux-config-6.1"

want=$(cat "$HARNESS_DIR/base-version")
# The arm64 guest's busybox comes from the arm64 busybox-static .deb.
need_update=
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	[ "$(id -u)" = 0 ] || die "run as root once: dpkg --add-architecture arm64"
	dpkg --add-architecture arm64
	need_update=1
fi
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
have=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || true)

if [ -z "$missing$need_update" ]; then
	[ "$have" = "$want" ] || echo "warning: using linux-source-6.1 $have," \
		"not the recorded $want (harness/base-version)" >&2
	echo "all packages present (linux-source-6.1 $have)"
	exit 0
fi

[ "$(id -u)" = 0 ] || die "missing packages:$missing; run as root or install them"
export DEBIAN_FRONTEND=noninteractive
mkdir -p "$LOG_DIR"
apt-get update -qq
if [ -z "$have" ]; then
	if apt-cache madison linux-source-6.1 | awk '{print $3}' | grep -qx "$want"; then
		pinned=""
		for p in $missing; do
			[ "$p" = linux-source-6.1 ] && p=linux-source-6.1=$want
			pinned="$pinned $p"
		done
		missing=$pinned
	else
		echo "warning: linux-source-6.1 $want (recorded in harness/base-version)" \
			"is no longer served; using the newest 6.1.y instead" >&2
	fi
fi
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends --allow-downgrades $missing \
	>"$LOG_DIR/apt.log" 2>&1 || { tail -20 "$LOG_DIR/apt.log"; die "apt-get install failed"; }
echo "installed:$missing"
echo "linux-source-6.1 $(dpkg-query -W -f='${Version}' linux-source-6.1)"
