#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# build-guest.sh ARCH: static selftests and demo for ARCH (x86_64|arm64),
# packed with busybox-static and the guest scripts into
# build/guest/ARCH/initramfs.cpio.gz.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

arch=${1:?usage: build-guest.sh x86_64|arm64}
case $arch in
x86_64) karch=x86 cross= busybox=/bin/busybox ;;
arm64) karch=arm64 cross=aarch64-linux-gnu-
	busybox=$BUILD_DIR/guest/arm64/busybox ;;
*) die "unknown guest arch '$arch'" ;;
esac
out=$BUILD_DIR/guest/$arch
hdr=$out/headers
mkdir -p "$out"

# Userspace headers from our assembled tree, so tests see our uAPI.
make -s -C "$TREE_DIR" O="$out/hdr-build" ARCH=$karch \
	INSTALL_HDR_PATH="$hdr" headers_install >"$LOG_DIR/headers-$arch.log" 2>&1 ||
	{ cat "$LOG_DIR/headers-$arch.log"; die "headers_install failed for $arch"; }

# Selftests through the kselftest makefiles, statically linked so the
# initramfs needs no libc.
rm -rf "$out/tests"
mkdir -p "$out/tests"
for dir in iommu; do
	make -s -C "$TREE_DIR/tools/testing/selftests/$dir" OUTPUT="$out/tests" \
		CROSS_COMPILE=$cross KHDR_INCLUDES="-isystem $hdr/include" \
		LDFLAGS=-static >"$LOG_DIR/selftests-$arch.log" 2>&1 ||
		{ cat "$LOG_DIR/selftests-$arch.log"; die "selftests ($dir) failed to build for $arch"; }
done
find "$out/tests" -name '*.o' -delete

# The conformance suite: Linux 6.12's iommufd selftests, unmodified, laid
# out so that their relative include of iommufd_test.h finds ours, and
# built with the flags 6.12's kselftest lib.mk uses.  A compile failure is
# reported by the static lane, not here.
ref=$BUILD_DIR/ref-6.12
conf=$out/conformance
if [ "$arch" = x86_64 ] && "$HARNESS_DIR/prepare-ref.sh" >/dev/null; then
	rm -rf "$conf"
	mkdir -p "$conf/tools/testing/selftests/iommu" "$conf/drivers/iommu/iommufd"
	cp "$ref"/tools/testing/selftests/iommu/*.[ch] "$conf/tools/testing/selftests/iommu/"
	cp "$ref"/tools/testing/selftests/kselftest*.h "$conf/tools/testing/selftests/"
	cp "$TREE_DIR/drivers/iommu/iommufd/iommufd_test.h" "$conf/drivers/iommu/iommufd/" 2>/dev/null || true
	: >"$LOG_DIR/conformance-build.log"
	for t in iommufd iommufd_fail_nth; do
		(cd "$conf/tools/testing/selftests/iommu" &&
			gcc -static -O2 -Wall -Wno-unused-function -D_GNU_SOURCE= \
				-isystem "$hdr/include" -o "$out/tests/upstream_$t" "$t.c") \
			>>"$LOG_DIR/conformance-build.log" 2>&1 ||
			echo "$t: build failed" >>"$LOG_DIR/conformance-build.log"
	done
fi
# The demo (make run) and the benchmark (make bench).
for p in iommu-demo/iommu_demo iommu-bench/iommu_bench; do
	${cross}gcc -static -O2 -Wall -Werror -isystem "$hdr/include" \
		-o "$out/tests/${p#*/}" "$TREE_DIR/tools/$p.c"
done

# Debian ships busybox-static for the host arch only: take the arm64 one
# out of the arm64 .deb.
if [ "$arch" = arm64 ] && [ ! -x "$busybox" ]; then
	tmp=$(mktemp -d)
	(cd "$tmp" && apt-get download -q busybox-static:arm64 >/dev/null) ||
		die "cannot fetch busybox-static:arm64 from the Debian archive"
	dpkg-deb -x "$tmp"/busybox-static_*_arm64.deb "$tmp/x"
	cp "$tmp/x/bin/busybox" "$busybox"
	rm -rf "$tmp"
fi

root=$out/root
rm -rf "$root"
mkdir -p "$root"/{bin,dev,proc,sys,tmp,lib,lanes,tests}
cp "$busybox" "$root/bin/busybox"
cp "$HARNESS_DIR/guest/init" "$root/init"
cp "$HARNESS_DIR/guest/harness.sh" "$root/lib/harness.sh"
cp -P "$HARNESS_DIR"/guest/lanes/*.sh "$root/lanes/"
cp "$out"/tests/* "$root/tests/"
chmod +x "$root/init"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) | gzip -1 \
	>"$out/initramfs.cpio.gz"

# The vmm lane's guest also carries QEMU 10 (binary, its shared libraries
# and the dynamic loader) and the L2 firmware, in an archive of its own
# that run-lane.sh appends to the initramfs (the kernel unpacks both).
if [ "$arch" = x86_64 ] && [ -x "$BUILD_DIR/qemu10/root/usr/bin/qemu-system-x86_64" ]; then
	qemu10_env
	vmm=$out/vmm-root
	rm -rf "$vmm"
	mkdir -p "$vmm/opt/qemu10/lib" "$vmm/lib64"
	make -s -C "$REPO_DIR/tools/iommu-vmm" OUTPUT="$vmm/opt" >/dev/null ||
		die "the L2 firmware (tools/iommu-vmm) failed to build"
	cp "$QEMU10_BIN/qemu-system-x86_64" "$vmm/opt/qemu10/"
	ldd "$QEMU10_BIN/qemu-system-x86_64" | awk '$3 ~ /^\// {print $3}' |
		while read -r l; do cp -L "$l" "$vmm/opt/qemu10/lib/"; done
	cp -L /lib64/ld-linux-x86-64.so.2 "$vmm/lib64/"
	(cd "$vmm" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) | gzip -1 \
		>"$out/vmm.cpio.gz"
	cat "$out/initramfs.cpio.gz" "$out/vmm.cpio.gz" >"$out/initramfs-vmm.cpio.gz"
	echo "guest $arch: vmm archive (QEMU 10, L2 firmware)" \
		"$(du -h "$out/vmm.cpio.gz" | cut -f1)"
fi
echo "guest $arch: $(ls "$root/tests" | wc -l) program(s), initramfs" \
	"$(du -h "$out/initramfs.cpio.gz" | cut -f1)"
