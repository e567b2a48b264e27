# SPDX-License-Identifier: GPL-2.0
# Helpers shared by the harness scripts: stage banners with timing, and
# failing loudly.  Sourced, never executed.

HARNESS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$HARNESS_DIR/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$REPO_DIR/build}
TREE_DIR=$BUILD_DIR/tree
LOG_DIR=$BUILD_DIR/logs

die() {
	echo "error: $*" >&2
	exit 1
}

# stage NAME CMD...: run CMD with a banner before and a timing line after.
stage() {
	local name=$1 start rc
	shift
	start=$(date +%s)
	echo "==> [$name] started $(date +%H:%M:%S)"
	"$@"
	rc=$?
	echo "<== [$name] $( ((rc == 0)) && echo done || echo FAILED) in $(($(date +%s) - start))s"
	return $rc
}

# with_ticker LABEL LOGFILE CMD...: run CMD with its output in LOGFILE,
# printing a progress line every 30 seconds so a cold build is not silent.
with_ticker() {
	local label=$1 log=$2 pid rc t=0
	shift 2
	mkdir -p "$(dirname "$log")"
	"$@" >"$log" 2>&1 &
	pid=$!
	while kill -0 $pid 2>/dev/null; do
		sleep 5
		t=$((t + 5))
		if ((t % 30 == 0)) && kill -0 $pid 2>/dev/null; then
			echo "    ... $label: ${t}s, $(grep -c -E '^  (CC|AS|LD|AR)' "$log") objects"
		fi
	done
	wait $pid
	rc=$?
	if ((rc != 0)); then
		echo "--- last 30 lines of $log ---"
		tail -n 30 "$log"
		echo "--- ($label failed, full log: $log) ---"
	fi
	return $rc
}

# The patch names in patches/series, in order.
series_list() {
	awk '!/^[[:space:]]*(#|$)/ { print $1 }' "$REPO_DIR/patches/series"
}

# A checksum of the series file and every patch it names: when it changes
# the tree is reset to "base" and the series applied again.
series_sum() {
	(
		cat "$REPO_DIR/patches/series"
		series_list | sed "s|^|$REPO_DIR/patches/|" | xargs -r cat
	) | sha1sum | cut -d' ' -f1
}

# qemu10_env: QEMU 10 unpacked by qemu10.sh: sets QEMU10_BIN (its bin
# directory) and QEMU10_FW (the -L options that find its firmware before
# the machine's), and points it at its own modules.
qemu10_env() {
	local root=$BUILD_DIR/qemu10/root
	QEMU10_BIN=$root/usr/bin
	QEMU10_FW=(-L "$root/usr/share/qemu" -L "$root/usr/share/seabios")
	export QEMU_MODULE_DIR=$root/usr/lib/$(uname -m)-linux-gnu/qemu
}
