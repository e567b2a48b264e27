#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# check.sh [LANE...]: build what the chosen lanes need, run them, and end
# with one line "N passed, N failed, N skipped".  Exits non-zero on any
# failure.  Lanes: static mock vtd scalable amd vmm kunit harness smmuv3
# smmuv3-nested deb debug stress fuzz (all by default).  A lane whose kernel fails to build is reported as failed and
# the other lanes still run.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

ALL="static mock vtd scalable amd vmm kunit harness smmuv3 smmuv3-nested deb debug stress fuzz"
lanes=${*:-$ALL}
# Whatever stops this script early still ends with the closing line.
summarized=
trap '[ -n "$summarized" ] || echo "0 passed, 1 failed, 0 skipped"' EXIT
for l in $lanes; do
	[[ " $ALL " == *" $l "* ]] || die "unknown lane '$l' (lanes: $ALL)"
done
want() { [[ " $lanes " == *" $1 "* ]]; }
t0=$(date +%s)
mkdir -p "$BUILD_DIR/results" "$LOG_DIR"
# Nothing from an earlier run may be judged as this run's.
rm -f "$BUILD_DIR"/results/*.txt "$LOG_DIR"/selftests-*.log \
	"$LOG_DIR/conformance-build.log"
declare -A took

# lane NAME CMD...: run one lane (or half of kunit), timed.  A lane that
# exits non-zero without reporting a failure failed all the same.
lane() {
	local name=$1 s rc
	shift
	s=$(date +%s)
	stage "lane $name" "$@"
	rc=$?
	took[$name]=$(($(date +%s) - s + ${took[$name]:-0}))
	if ((rc != 0)) && ! cat "$BUILD_DIR/results/$name"*.txt 2>/dev/null |
		grep -q "^FAIL $name:"; then
		echo "FAIL $name: lane script exited with status $rc" |
			tee "$BUILD_DIR/results/$name-exit-$rc.txt"
	fi
}

# broken LANE WHAT: record that LANE could not run because WHAT failed.
broken() {
	echo "FAIL $1: $2 failed, lane not run (see build/logs)" |
		tee "$BUILD_DIR/results/$1-broken.txt"
}

stage deps "$HARNESS_DIR/deps.sh" || die "package installation failed"
if want scalable || want vmm || want smmuv3-nested; then
	stage qemu10 "$HARNESS_DIR/qemu10.sh" || die "QEMU 10 could not be unpacked"
fi
stage tree "$HARNESS_DIR/prepare-tree.sh" || die "kernel tree assembly failed"

x86_ok=0 arm_ok=0
if want mock || want vtd || want scalable || want amd || want vmm || want kunit ||
	want harness || want static; then
	stage "kernel x86_64" "$HARNESS_DIR/build-kernel.sh" x86_64 &&
		stage "guest x86_64" "$HARNESS_DIR/build-guest.sh" x86_64 && x86_ok=1
	for l in mock vtd scalable amd; do
		want $l || continue
		if ((x86_ok)); then lane $l "$HARNESS_DIR/run-lane.sh" $l; else broken $l "x86_64 build"; fi
	done
	# QEMU 10 as a VMM inside the guest, on VT-d and on AMD-Vi (L0 is the
	# machine's QEMU 7.2 for both).
	if want vmm; then
		for l0 in vtd amd; do
			if ((x86_ok)); then lane vmm "$HARNESS_DIR/run-lane.sh" vmm-$l0; else broken vmm "x86_64 build"; fi
		done
	fi
	if want kunit; then
		if ((x86_ok)); then lane kunit "$HARNESS_DIR/run-lane.sh" kunit-x86_64; else broken kunit "x86_64 build"; fi
	fi
	if want harness; then
		if ((x86_ok)); then
			lane harness bash -c "'$HARNESS_DIR/selfcheck.sh' | tee '$BUILD_DIR/results/harness.txt'"
		else
			broken harness "x86_64 build"
		fi
	fi
fi

if want smmuv3 || want smmuv3-nested || want kunit || want static; then
	stage "kernel arm64" "$HARNESS_DIR/build-kernel.sh" arm64 &&
		stage "guest arm64" "$HARNESS_DIR/build-guest.sh" arm64 && arm_ok=1
	if want smmuv3; then
		if ((arm_ok)); then lane smmuv3 "$HARNESS_DIR/run-lane.sh" smmuv3; else broken smmuv3 "arm64 build"; fi
	fi
	# QEMU 10's SMMUv3 with both stages: nested HWPTs end to end.
	if want smmuv3-nested; then
		if ((arm_ok)); then
			lane smmuv3-nested "$HARNESS_DIR/run-lane.sh" smmuv3-nested
		else
			broken smmuv3-nested "arm64 build"
		fi
	fi
	if want kunit; then
		if ((arm_ok)); then lane kunit "$HARNESS_DIR/run-lane.sh" kunit-arm64; else broken kunit "arm64 build"; fi
	fi
fi

if want static; then
	if ((x86_ok)); then lane static "$HARNESS_DIR/static.sh"; else broken static "x86_64 build"; fi
fi

# make deb's packaging, on the guest flavor: build, install, depmod.
if want deb; then
	lane deb "$HARNESS_DIR/deb-check.sh"
fi

# The debug kernel's lanes: the tests again, the stress run, the fuzzer.
debug_lanes=
for l in debug stress fuzz; do want $l && debug_lanes="$debug_lanes $l"; done
if [ -n "$debug_lanes" ]; then
	if stage "kernel x86_64-debug" "$HARNESS_DIR/build-kernel.sh" x86_64-debug &&
		stage "guest x86_64" "$HARNESS_DIR/build-guest.sh" x86_64; then
		for l in $debug_lanes; do lane $l "$HARNESS_DIR/run-lane.sh" $l; done
	else
		for l in $debug_lanes; do broken $l "x86_64-debug build"; done
	fi
fi

# Summary: a table per lane, the failures again, then the closing line.
res=$BUILD_DIR/results
echo
echo "==== summary ($(($(date +%s) - t0))s in all; logs in build/logs) ===="
printf '  %-13s %5s %5s %5s %7s\n' lane pass fail skip time
for l in $lanes; do
	p=$(cat "$res/$l"*.txt 2>/dev/null | grep -c "^PASS $l:")
	f=$(cat "$res/$l"*.txt 2>/dev/null | grep -c "^FAIL $l:")
	s=$(cat "$res/$l"*.txt 2>/dev/null | grep -c "^SKIP $l:")
	printf '  %-13s %5d %5d %5d %6ss\n' "$l" "$p" "$f" "$s" "${took[$l]:-0}"
	if ((p + f + s == 0)); then
		echo "FAIL $l: lane reported nothing" >"$res/$l-empty.txt"
	fi
done
all=$(cat "$res"/*.txt 2>/dev/null)
if grep -q '^FAIL' <<<"$all"; then
	echo "failures:"
	grep '^FAIL' <<<"$all" | sed 's/^/  /'
fi
if grep -q '^SKIP.*no tests yet' <<<"$all"; then
	echo "nothing to run yet:"
	grep '^SKIP.*no tests yet' <<<"$all" | sed 's/^/  /'
fi
grep -h -E '^    (conformance|newly passing)' "$res"/*.txt 2>/dev/null | sed 's/^    /  /'
pass=$(grep -c '^PASS' <<<"$all")
fail=$(grep -c '^FAIL' <<<"$all")
skip=$(grep -c '^SKIP' <<<"$all")
summarized=1
echo "$pass passed, $fail failed, $skip skipped"
((fail == 0))
