# SPDX-License-Identifier: GPL-2.0
# Mock lane: our selftests against the iommufd mock driver, then the
# conformance suite (Linux 6.12's iommufd selftests, unmodified).  The
# host holds conformance results against harness/conformance-pass.txt.
# The hugepage variants of the suites map MAP_HUGETLB buffers.
echo 64 >/proc/sys/vm/nr_hugepages
found=
for t in /tests/iommufd*; do
	[ -x "$t" ] || continue
	# The stress and fuzz programs have lanes of their own.
	case "$t" in */iommufd_stress | */iommufd_fuzz) continue ;; esac
	found=1
	run_test "$(basename "$t")" "$t"
done
[ -n "$found" ] || no_tests "iommufd selftests are not built yet"
for t in upstream_iommufd upstream_iommufd_fail_nth; do
	if [ -x "/tests/$t" ]; then
		run_test "$t" "/tests/$t"
	else
		tap_check "${t}_is_built" false
	fi
done
