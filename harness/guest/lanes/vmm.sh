# SPDX-License-Identifier: GPL-2.0
# vmm lane: Debian's QEMU 10 (unmodified, in /opt/qemu10 of this guest)
# as a VMM that assigns edu to an L2 machine, whose firmware
# (/opt/l2-edu.bin, tools/iommu-vmm) copies bytes through the device and
# then has it write where nothing is mapped. Through /dev/iommu
# (-object iommufd: GET_HW_INFO, the device cdev, IOAS maps of guest RAM)
# and through the legacy container (/dev/vfio/vfio, served by iommufd).
edu=$(find_pci 0x1234 0x11e8)
tap_check "${lane}_edu_bound_to_vfio_pci" bind_vfio "$edu"

Q=/opt/qemu10
AS_USER=
# l2 NAME ARGS...: boot L2 with edu assigned as ARGS say; it must print
# its three lines and end with isa-debug-exit status 0 (QEMU's exit 1).
l2() {
	local name=$1 out rc
	shift
	out=$(LD_LIBRARY_PATH=$Q/lib timeout 300 $AS_USER $Q/qemu-system-x86_64 \
		-M q35 -accel tcg -m 48M -nodefaults -display none -no-reboot \
		-bios /opt/l2-edu.bin -device isa-debug-exit,iobase=0xf4,iosize=1 \
		-serial stdio "$@" 2>&1)
	rc=$?
	echo "$out" | sed 's/^/# /'
	[ "$rc" = 1 ] && echo "$out" | grep -q '^L2-EDU copy ok' &&
		echo "$out" | grep -q '^L2-EDU wild write done'
}

# The write past L2's RAM must not get through: VT-d logs a fault for it
# (QEMU's AMD-Vi logs none for an unmapped IOVA, so only VT-d is held to
# it).
wild_write_faulted() {
	[ -d /sys/class/iommu/dmar0 ] || return 0
	dmesg | grep -q 'fault addr 0x3f00000'
}

tap_check vmm_iommufd_cdev l2 iommufd \
	-object iommufd,id=fd0 -device vfio-pci,host="$edu",iommufd=fd0,rombar=0
tap_check vmm_iommufd_wild_write_blocked wild_write_faulted
dmesg -C
tap_check vmm_legacy_container l2 container \
	-device vfio-pci,host="$edu",rombar=0
tap_check vmm_container_wild_write_blocked wild_write_faulted

# wait_line TEXT FILE: until a line of FILE starts with TEXT (2 min).
wait_line() {
	local i
	for i in $(seq 1 120); do
		grep -q "^$1" "$2" 2>/dev/null && return 0
		sleep 1
	done
	return 1
}

# QEMU (as $AS_USER) killed with SIGKILL while L2 sits halted after its
# work (no isa-debug-exit: the exit write goes nowhere): the device must
# come back for the next VMM, through either path.
l2_killed() {
	local log=/tmp/l2-killed.log pid
	rm -f $log
	LD_LIBRARY_PATH=$Q/lib $AS_USER $Q/qemu-system-x86_64 \
		-M q35 -accel tcg -m 48M -nodefaults -display none -no-reboot \
		-bios /opt/l2-edu.bin -serial file:$log \
		-object iommufd,id=fd0 -device vfio-pci,host="$edu",iommufd=fd0,rombar=0 \
		>/dev/null 2>&1 &
	pid=$!
	wait_line 'L2-EDU wild write done' $log
	# While it runs, L2's RAM is pinned in QEMU (VmPin, kB).
	grep VmPin /proc/$pid/status | sed 's/^/# QEMU /'
	kill -9 $pid
	wait $pid 2>/dev/null
	sed 's/^/# /' $log
	grep -q '^L2-EDU copy ok' $log
}
tap_check vmm_sigkill_mid_assignment l2_killed
tap_check vmm_iommufd_after_sigkill l2 iommufd \
	-object iommufd,id=fd0 -device vfio-pci,host="$edu",iommufd=fd0,rombar=0
tap_check vmm_container_after_sigkill l2 container \
	-device vfio-pci,host="$edu",rombar=0

# Hot-unplug through the monitor (an i440fx L2, whose ACPI PCI hotplug its
# firmware answers): QEMU lets go of the device while it keeps running,
# another VMM gets the device at once, and the first then quits normally.
l2_unplug() {
	local log=/tmp/l2-unplug.log mon=/tmp/mon pid cat_pid rc=0
	rm -f $log $mon.in $mon.out
	mkfifo $mon.in $mon.out
	cat $mon.out >/tmp/mon.log &
	cat_pid=$!
	LD_LIBRARY_PATH=$Q/lib $Q/qemu-system-x86_64 \
		-M pc -accel tcg -m 48M -nodefaults -display none -no-reboot \
		-bios /opt/l2-edu.bin -serial file:$log -monitor pipe:$mon \
		"$@" >/dev/null 2>&1 &
	pid=$!
	wait_line 'L2-EDU wild write done' $log || rc=1
	echo "device_del dev0" >$mon.in
	wait_line 'L2-EDU ejected' $log || rc=1
	sed 's/^/# first VMM: /' $log
	l2 second -object iommufd,id=fd1 \
		-device vfio-pci,host="$edu",iommufd=fd1,rombar=0 || rc=1
	echo quit >$mon.in
	wait $pid || rc=1
	kill $cat_pid 2>/dev/null
	return $rc
}
tap_check vmm_hot_unplug_iommufd l2_unplug \
	-object iommufd,id=fd0 -device vfio-pci,id=dev0,host="$edu",iommufd=fd0,rombar=0
tap_check vmm_hot_unplug_container l2_unplug \
	-device vfio-pci,id=dev0,host="$edu",rombar=0

# The same as an unprivileged user (no CAP_IPC_LOCK) whose RLIMIT_MEMLOCK
# (64 MiB) holds L2's 48 MiB of RAM once: iommufd charges the user while
# QEMU runs, so every run after the first fits only if the one before,
# ended normally or by SIGKILL, gave all of it back.
chmod 0666 /dev/iommu /dev/vfio/vfio /dev/vfio/devices/* \
	"/dev/vfio/$(basename "$(readlink /sys/bus/pci/devices/$edu/iommu_group)")"
AS_USER="/opt/as-user 1000 65536"
for round in 1 2; do
	tap_check vmm_user_iommufd_$round l2 iommufd \
		-object iommufd,id=fd0 -device vfio-pci,host="$edu",iommufd=fd0,rombar=0
	tap_check vmm_user_container_$round l2 container \
		-device vfio-pci,host="$edu",rombar=0
done
tap_check vmm_user_sigkill l2_killed
tap_check vmm_user_iommufd_after_sigkill l2 iommufd \
	-object iommufd,id=fd0 -device vfio-pci,host="$edu",iommufd=fd0,rombar=0
# And the limit does bind: 16 MiB cannot hold L2's RAM, so that VMM fails.
AS_USER="/opt/as-user 1000 16384"
tap_check vmm_user_over_memlock_limit_fails eval '! l2 iommufd \
	-object iommufd,id=fd0 -device vfio-pci,host="$edu",iommufd=fd0,rombar=0'
