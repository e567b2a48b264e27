# SPDX-License-Identifier: GPL-2.0
# Mock lane: the selftests against the iommufd mock driver.
found=
for t in /tests/iommufd*; do
	[ -x "$t" ] || continue
	found=1
	run_test "$(basename "$t")" "$t"
done
[ -n "$found" ] || no_tests "iommufd selftests are not built yet"
