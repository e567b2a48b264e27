#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The "harness" lane: prove that a failing test, a panicking guest, a
# hanging guest and a kernel WARNING each fail a lane with a message naming
# it, in time.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

# expect FAULT LIMIT PATTERN: inject FAULT into the mock lane and check the
# lane fails, naming "mock", with PATTERN in its message.
expect() {
	local fault=$1 limit=$2 pattern=$3 out start took
	start=$(date +%s)
	out=$(FAULT=$fault TIMEOUT=$limit LOG_NAME=selfcheck-$fault \
		RESULTS_DIR="$BUILD_DIR/selfcheck" "$HARNESS_DIR/run-lane.sh" mock 2>&1)
	local rc=$?
	took=$(($(date +%s) - start))
	if ((rc != 0)) && grep -qE "^FAIL mock: .*($pattern)" <<<"$out" &&
		((took <= limit + 20)); then
		echo "PASS harness: injected $fault fails the mock lane ($took s)"
	else
		echo "FAIL harness: injected $fault fails the mock lane: rc=$rc after ${took}s, output:"
		sed 's/^/      | /' <<<"$out"
	fi
}

expect fail 120 "harness_injected_failure: test failed"
expect panic 120 "guest panicked|kernel panic"
expect hang 20 "timed out after 20s"
expect warn 120 "kernel log: WARNING: "
