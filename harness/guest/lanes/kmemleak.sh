# SPDX-License-Identifier: GPL-2.0
# Sourced at the end of the debug, stress and fuzz lanes: a kmemleak scan
# after the tests, as one TAP result.
kmemleak_clean() {
	local f=/sys/kernel/debug/kmemleak
	[ -w $f ] || { echo "# kmemleak is not enabled"; return 1; }
	# Objects younger than 5 s are never reported: let the last test's
	# allocations age first.  debugfs files have no size: read them.
	sleep 6
	echo scan >$f && echo scan >$f
	report=$(cat $f)
	if [ -n "$report" ]; then
		echo "$report" | sed 's/^/# /'
		return 1
	fi
}
tap_check kmemleak_after_tests kmemleak_clean
