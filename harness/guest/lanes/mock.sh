# SPDX-License-Identifier: GPL-2.0
# Mock lane: our selftests against the iommufd mock driver, then the
# conformance suite (Linux 6.12's iommufd selftests, unmodified).  The
# host holds conformance results against harness/conformance-pass.txt.
found=
for t in /tests/iommufd*; do
	[ -x "$t" ] || continue
	found=1
	run_test "$(basename "$t")" "$t"
done
[ -n "$found" ] || no_tests "iommufd selftests are not built yet"
for t in /tests/upstream_*; do
	[ -x "$t" ] || continue
	run_test "$(basename "$t")" "$t"
done
