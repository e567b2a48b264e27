#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# run-lane.sh LANE: boot the guest for one test lane under QEMU (TCG) with
# a hard time limit, keep the console in build/logs/LANE.log and print one
# PASS/FAIL/SKIP line per result (also saved in build/results/LANE.txt).
#
# Guest lanes: mock vtd scalable amd vmm-vtd vmm-amd smmuv3 smmuv3-nested
# kunit debug stress fuzz, plus run, bench
# and shell
# (the VT-d guest with the demo, the benchmark, or an interactive shell).
# Environment: FAULT=fail|panic|hang injects a failure into the guest,
# SEED=N reproduces a stress or fuzz run, STRESS_SECONDS=N and FUZZ_CALLS=N
# size them, FUZZ_ONLY=TARGET fuzzes one target (all the calls),
# BENCH_ARGS="small 5" passes arguments to iommu_bench and BENCH_IOMMU=amd
# runs it behind AMD-Vi instead of VT-d,
# TIMEOUT=N overrides the lane's time limit in seconds, TEST=NAME runs
# only the test program NAME, LOG_NAME and RESULTS_DIR redirect the log
# and results (the harness self-check keeps its runs apart this way).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

lane=${1:?usage: run-lane.sh LANE}
mkdir -p "$LOG_DIR" "$BUILD_DIR/results"

# QEMU_X86: the machine's QEMU unless a lane needs QEMU 10 (qemu10.sh).
QEMU_X86=(qemu-system-x86_64)
qemu_x86() {
	local kernel=$1
	shift
	QEMU=("${QEMU_X86[@]}" -M q35 -accel tcg -cpu max -smp 2 -m "${MEM:-1G}"
		-nodefaults -display none -no-reboot
		-kernel "$BUILD_DIR/kbuild/$kernel/kernel-image"
		-initrd "$BUILD_DIR/guest/x86_64/${INITRD:-initramfs.cpio.gz}" "$@")
	CONSOLE=ttyS0
}

# QEMU_ARM64: the machine's QEMU unless a lane needs QEMU 10 (qemu10.sh).
QEMU_ARM64=(qemu-system-aarch64)
qemu_arm64() {
	QEMU=("${QEMU_ARM64[@]}" -M virt,gic-version=3,iommu=smmuv3 -accel tcg
		-cpu cortex-a57 -smp 2 -m 1G -nodefaults -display none -no-reboot
		-kernel "$BUILD_DIR/kbuild/arm64/kernel-image"
		-initrd "$BUILD_DIR/guest/arm64/initramfs.cpio.gz" "$@")
	CONSOLE=ttyAMA0
}

VTD=(-device intel-iommu,caching-mode=on,intremap=on -device edu)
# Scalable mode with first-stage tables (QEMU 10), which 6.1 uses for
# every domain then; the emulated IOMMU sets their A/D bits.
VTD_SM=(-device intel-iommu,caching-mode=on,intremap=on,x-scalable-mode=on,x-flts=on
	-device edu)
AMD=(-device amd-iommu,intremap=on -device edu)
# The debug lane's VT-d also caches translations in devices: device-iotlb=on
# and a device with ATS behind a root port (a virtio RNG that only
# vfio-pci ever binds), for vfio_ats_iotlb.
VTD_ATS=(-device intel-iommu,caching-mode=on,intremap=on,device-iotlb=on -device edu
	-device pcie-root-port,id=rp1,bus=pcie.0,chassis=1,slot=1
	-device virtio-rng-pci,bus=rp1,ats=on,disable-legacy=on)
EXTRA=""
case $lane in
mock) qemu_x86 x86_64; limit=600 ;;
vtd) qemu_x86 x86_64 "${VTD[@]}"; limit=300; EXTRA="intel_iommu=on" ;;
scalable) qemu10_env
	QEMU_X86=("$QEMU10_BIN/qemu-system-x86_64" "${QEMU10_FW[@]}")
	qemu_x86 x86_64 "${VTD_SM[@]}"; limit=300; EXTRA="intel_iommu=on,sm_on" ;;
amd) qemu_x86 x86_64 "${AMD[@]}"; limit=300 ;;
smmuv3) qemu_arm64 -device edu; limit=600 ;;
# QEMU 10's SMMUv3 translating both stages, for nested HWPTs.
smmuv3-nested) qemu10_env
	QEMU_ARM64=("$QEMU10_BIN/qemu-system-aarch64" "${QEMU10_FW[@]}")
	qemu_arm64 -global arm-smmuv3.stage=nested -device edu; limit=300 ;;
kunit-x86_64) qemu_x86 x86_64; limit=300; EXTRA="kunit.enable=1" ;;
kunit-arm64) qemu_arm64; limit=600; EXTRA="kunit.enable=1" ;;
debug) MEM=2G qemu_x86 x86_64-debug "${VTD_ATS[@]}"; limit=1200
	EXTRA="intel_iommu=on kmemleak=on" ;;
stress) MEM=2G qemu_x86 x86_64-debug "${VTD[@]}"
	limit=$((${STRESS_SECONDS:-60} + 600))
	EXTRA="intel_iommu=on kmemleak=on harness.seconds=${STRESS_SECONDS:-60}" ;;
fuzz) MEM=2G qemu_x86 x86_64-debug "${VTD[@]}"
	# About 350 calls a second on the debug kernel under TCG.
	limit=$((${FUZZ_CALLS:-100000} / 100 + 600))
	EXTRA="intel_iommu=on kmemleak=on harness.calls=${FUZZ_CALLS:-100000}" ;;
vmm-vtd) MEM=2G INITRD=initramfs-vmm.cpio.gz qemu_x86 x86_64 "${VTD[@]}"
	limit=900; EXTRA="intel_iommu=on" ;;
vmm-amd) MEM=2G INITRD=initramfs-vmm.cpio.gz qemu_x86 x86_64 "${AMD[@]}"
	limit=900 ;;
run | shell) qemu_x86 x86_64 "${VTD[@]}"; limit=300; EXTRA="intel_iommu=on" ;;
bench) if [ "${BENCH_IOMMU:-vtd}" = amd ]; then
		MEM=2G qemu_x86 x86_64 "${AMD[@]}"
		EXTRA="hugepagesz=2M hugepages=160"
	else
		MEM=2G qemu_x86 x86_64 "${VTD[@]}"
		EXTRA="intel_iommu=on hugepagesz=2M hugepages=160"
	fi
	limit=900 ;;
*) die "unknown lane '$lane' (mock vtd scalable amd vmm-vtd vmm-amd smmuv3 smmuv3-nested kunit debug stress fuzz run bench shell)" ;;
esac
limit=${TIMEOUT:-$limit}
# vmm-vtd, kunit-arm64...: one guest lane per host-side family.
case $lane in
vmm-* | kunit-*) guest_lane=${lane%%-*} ;;
*) guest_lane=$lane ;;
esac
# A ring buffer big enough that the dump at the end still holds the first
# report after fault injection has logged thousands of failures.
append="console=$CONSOLE panic=-1 log_buf_len=16M harness.lane=$guest_lane $EXTRA"
[ -n "${FAULT:-}" ] && append="$append harness.fault=$FAULT"
[ -n "${TEST:-}" ] && append="$append harness.test=$TEST"
[ -n "${SEED:-}" ] && append="$append harness.seed=$SEED"
[ -n "${FUZZ_ONLY:-}" ] && append="$append harness.only=$FUZZ_ONLY"
[ -n "${BENCH_ARGS:-}" ] && append="$append harness.bench=$(echo "$BENCH_ARGS" | tr ' ' ,)"

if [ "$lane" = shell ]; then
	exec "${QEMU[@]}" -serial mon:stdio -append "$append"
fi
case $lane in run | bench) append="$append quiet" ;; esac

log=$LOG_DIR/${LOG_NAME:-$lane}.log
res=${RESULTS_DIR:-$BUILD_DIR/results}/${LOG_NAME:-$lane}.txt
mkdir -p "$(dirname "$res")"
echo "    booting $lane guest (limit ${limit}s): ${QEMU[0]} ... -append '$append'"
start=$(date +%s)
if [ "$lane" = run ] || [ "$lane" = bench ]; then
	# Show the program's lines as they come; the rest stays in the log.
	timeout -k 10 "$limit" "${QEMU[@]}" -serial stdio -append "$append" \
		</dev/null 2>&1 | tee "$log" | tr -d '\r' |
		sed -n '/^HARNESS-PROG-BEGIN/,/^HARNESS-PROG-END/p' | grep -v '^HARNESS-' |
		sed 's/^qemu-system-[a-z0-9_]*: /  [QEMU IOMMU model] /'
	rc=${PIPESTATUS[0]}
else
	timeout -k 10 "$limit" "${QEMU[@]}" -serial stdio -append "$append" \
		</dev/null >"$log" 2>&1
	rc=$?
fi
awk -v lane="$guest_lane" -v qemu_rc=$rc -v limit="$limit" \
	-f "$HARNESS_DIR/parse-results.awk" "$log" |
	awk -f "$HARNESS_DIR/conformance.awk" "$HARNESS_DIR/conformance-pass.txt" - >"$res"
cat "$res"
echo "    $lane guest: $(($(date +%s) - start))s, console log $log"
! grep -q '^FAIL' "$res"
