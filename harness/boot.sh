#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# boot.sh run|bench|shell: set up, build the x86_64 kernel and guest, and
# boot the VT-d guest with the demo ("make run"), the benchmark ("make
# bench", whose 4 KiB rows then run behind AMD-Vi too) or an interactive shell ("make shell"), saying which stage it
# is in and how long each took.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

what=${1:?usage: boot.sh run|bench|shell}
case $what in run | bench | shell) ;; *) die "usage: boot.sh run|bench|shell" ;; esac
stage deps "$HARNESS_DIR/deps.sh" || die "package installation failed"
stage tree "$HARNESS_DIR/prepare-tree.sh" || die "kernel tree assembly failed"
stage "kernel x86_64" "$HARNESS_DIR/build-kernel.sh" x86_64 || exit 1
stage "guest x86_64" "$HARNESS_DIR/build-guest.sh" x86_64 || exit 1
if [ "$what" = shell ]; then
	exec "$HARNESS_DIR/run-lane.sh" shell
fi
stage "$what in the VT-d guest" "$HARNESS_DIR/run-lane.sh" "$what" || exit 1
# The 4 KiB type1 : iommufd rows again behind AMD-Vi, five rounds in one
# boot (the issue's targets are for both IOMMUs).
if [ "$what" = bench ]; then
	BENCH_IOMMU=amd BENCH_ARGS="small 5" LOG_NAME=bench-amd \
		stage "bench 4 KiB rounds in the AMD-Vi guest" \
		"$HARNESS_DIR/run-lane.sh" bench
fi
