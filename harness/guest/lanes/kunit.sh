# SPDX-License-Identifier: GPL-2.0
# KUnit lane: suites ran at boot (kunit.enable=1); report their KTAP.
found=
for r in /sys/kernel/debug/kunit/*/results; do
	[ -f "$r" ] || continue
	found=1
	run_ktap "$(uname -m):$(basename "$(dirname "$r")")" "$r"
done
[ -n "$found" ] || no_tests "no KUnit suites are built into this kernel"
