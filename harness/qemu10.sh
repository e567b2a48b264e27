#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# qemu10.sh: Debian's QEMU 10.0 from bookworm-backports, unpacked into
# build/qemu10/root beside the machine's own QEMU, which stays as it is.
#
# The machine's apt configuration is not touched: a private source list
# and private lists and archive directories under build/qemu10/apt serve
# "apt-get update" and "apt-get download", and "dpkg -x" unpacks the
# packages. Their Depends are bookworm libraries, which the machine's
# QEMU 7.2 already pulled in; any that are missing are installed from the
# machine's own (bookworm) sources. Run the binaries with qemu10_env of
# lib.sh, which points QEMU at the unpacked modules and gives the -L
# options for the unpacked firmware (the backported SeaBIOS among it).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

VER="1:10.0.2+ds-2+deb13u1~bpo12+1"
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
Q=$BUILD_DIR/qemu10
PKGS="qemu-system-x86 qemu-system-arm qemu-system-common qemu-system-data"

if [ "$(cat "$Q/.version" 2>/dev/null)" = "$VER" ] &&
	[ -x "$Q/root/usr/bin/qemu-system-x86_64" ]; then
	echo "QEMU 10 present ($VER, build/qemu10)"
	exit 0
fi

mkdir -p "$Q/apt/lists/partial" "$Q/apt/archives/partial" "$Q/debs" "$LOG_DIR"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $MIRROR bookworm-backports main" \
	>"$Q/apt/sources.list"
APT=(-o "Dir::Etc::sourcelist=$Q/apt/sources.list" -o Dir::Etc::sourceparts=-
	-o "Dir::State::Lists=$Q/apt/lists" -o "Dir::Cache::archives=$Q/apt/archives"
	-o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=
	-o APT::Get::List-Cleanup=0)
log=$LOG_DIR/qemu10.log
apt-get "${APT[@]}" update >"$log" 2>&1 ||
	{ tail -5 "$log"; die "apt-get update of bookworm-backports failed"; }
want=""
for p in $PKGS; do
	want="$want $p=$VER"
done
# The backported SeaBIOS too: QEMU 10 asks for a newer one than bookworm's.
rm -f "$Q"/debs/*.deb
# shellcheck disable=SC2086
(cd "$Q/debs" && apt-get "${APT[@]}" download $want seabios >>"$log" 2>&1) ||
	{ tail -5 "$log"; die "apt-get download of QEMU $VER failed"; }

# Shared libraries the binaries need, from the machine's bookworm sources.
libs=$(for d in "$Q"/debs/qemu-system-{x86,arm}_*.deb; do
	dpkg-deb -f "$d" Depends
done | tr ',' '\n' | sed 's/[ (].*//; s/^ *//' | grep -E '^lib|^zlib' | sort -u)
missing=""
for l in $libs; do
	dpkg-query -W -f='${Status}' "$l" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $l"
done
if [ -n "$missing" ]; then
	[ "$(id -u)" = 0 ] || die "QEMU 10 needs$missing: run as root or install them"
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends $missing >>"$log" 2>&1 ||
		{ tail -5 "$log"; die "apt-get install of$missing failed"; }
	echo "installed for QEMU 10:$missing"
fi

rm -rf "$Q/root"
for d in "$Q"/debs/*.deb; do
	dpkg -x "$d" "$Q/root"
done
qemu10_env
"$Q/root/usr/bin/qemu-system-x86_64" --version | head -1 ||
	die "the unpacked QEMU 10 does not run"
echo "$VER" >"$Q/.version"
echo "QEMU 10 unpacked in build/qemu10 ($VER)"
