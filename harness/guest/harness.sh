# SPDX-License-Identifier: GPL-2.0
# Functions the lane scripts use to run tests and mark their output for
# the host-side parser (harness/parse-results.awk).

# $only (harness.test=NAME, set by /init) limits a lane to one program.
ran_only=

# run_prog KIND NAME CMD...: run one program between the markers the
# host parses.  KIND: tap (kselftest TAP), ktap (a KUnit suite's KTAP),
# plain (no TAP; the exit status is the result).
run_prog() {
	local kind=$1 name=$2 rc
	shift 2
	[ -z "${only:-}" ] || [ "$only" = "$name" ] || return 0
	ran_only=1
	echo "HARNESS-PROG-BEGIN $name kind=$kind"
	"$@"
	rc=$?
	# Leading newline: the program's last line may lack one.
	printf '\nHARNESS-PROG-END %s rc=%s\n' "$name" "$rc"
}

run_test() { run_prog tap "$@"; }
run_plain() { run_prog plain "$@"; }
run_ktap() { run_prog ktap "$1" cat "$2"; }

# no_tests WHY: say plainly that this lane has nothing to run yet.
no_tests() {
	echo "HARNESS-NOTESTS $*"
}

# tap_check NAME CMD...: a one-test TAP program made of a shell command.
tap_check() {
	local name=$1
	shift
	echo "HARNESS-PROG-BEGIN $name kind=tap"
	echo "1..1"
	if "$@"; then
		echo "ok 1 $name"
	else
		echo "not ok 1 $name"
	fi
	echo "HARNESS-PROG-END $name rc=0"
}

# check_only_ran: with harness.test=NAME, fail when no program had NAME.
check_only_ran() {
	[ -z "${only:-}" ] || [ -n "$ran_only" ] ||
		tap_check "harness_test_${only}_exists_in_lane" false
}

# The deliberately broken test that harness.fault=fail injects.
harness_broken_test() {
	tap_check harness_injected_failure false
}

# bind_vfio BDF: hand a PCI device to vfio-pci.
bind_vfio() {
	local dev=/sys/bus/pci/devices/$1
	[ -e "$dev/driver" ] && echo "$1" >"$dev/driver/unbind"
	echo vfio-pci >"$dev/driver_override"
	echo "$1" >/sys/bus/pci/drivers_probe
	[ "$(basename "$(readlink "$dev/driver")")" = vfio-pci ]
}

# find_pci VENDOR DEVICE: print the address of the first matching device.
find_pci() {
	local d
	for d in /sys/bus/pci/devices/*; do
		if [ "$(cat "$d/vendor")" = "$1" ] && [ "$(cat "$d/device")" = "$2" ]; then
			basename "$d"
			return 0
		fi
	done
	return 1
}
