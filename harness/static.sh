#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The "static" lane: checkpatch --strict over our files and patches,
# kernel-doc over our kernel sources and headers, sparse (C=2) over the
# kernel objects we add, the ABI of our uAPI headers against Linux 6.12's,
# and a warning-free build of the selftests.  Every
# warning fails.  Needs the assembled tree and the x86_64 kernel build.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

res=$BUILD_DIR/results/static.txt
mkdir -p "$BUILD_DIR/results"
: >"$res"
say() { echo "$*" | tee -a "$res"; }
# report NAME OUTPUT: PASS when OUTPUT is empty, else FAIL with it.
report() {
	if [ -z "$2" ]; then
		say "PASS static: $1"
	else
		say "FAIL static: $1"
		sed 's/^/      | /' <<<"$2" | head -40 | tee -a "$res"
	fi
}

cd "$REPO_DIR"
files=$(git ls-files --cached --others --exclude-standard -- \
	drivers include tools Documentation arch lib mm)
cfiles=$(grep -E '\.[ch]$' <<<"$files" || true)
kfiles=$(grep -vE '^tools/' <<<"$cfiles" || true)
patches=$(awk '!/^[[:space:]]*(#|$)/ { print $1 }' patches/series)

# checkpatch runs spdxcheck.py with whatever python3 is first in PATH:
# make it Debian's, which has python3-ply and python3-git.
export PATH=/usr/bin:$PATH
cd "$TREE_DIR"
for f in $cfiles; do
	report "checkpatch $f" "$(perl scripts/checkpatch.pl --strict --no-summary \
		--terse --show-types -f "$f" 2>&1)"
done
for p in $patches; do
	report "checkpatch patches/$p" "$(perl scripts/checkpatch.pl --strict \
		--no-summary --terse --show-types "$REPO_DIR/patches/$p" 2>&1)"
done
[ -n "$cfiles$patches" ] || say "SKIP static: checkpatch: no C files or patches yet"

for f in $kfiles $(grep -E '\.rst$' <<<"$files" || true); do
	case $f in *.rst) continue ;; esac
	report "kernel-doc $f" "$(perl scripts/kernel-doc -none "$f" 2>&1)"
done
[ -n "$kfiles" ] || say "SKIP static: kernel-doc: no kernel sources of ours yet"

# sparse on every directory holding a kernel .c file we add.
kdirs=$(grep -E '\.c$' <<<"$kfiles" | xargs -r -n1 dirname | sort -u)
if [ -z "$kdirs" ]; then
	say "SKIP static: sparse: no kernel C files of ours yet"
fi
for d in $kdirs; do
	out=$(make -C "$TREE_DIR" O="$BUILD_DIR/kbuild/x86_64" C=2 \
		CC="ccache gcc" -j"${JOBS:-3}" "$d/" 2>&1)
	n=$(grep -c '^  CHECK ' <<<"$out")
	if ((n == 0)); then
		report "sparse $d/" "sparse checked no file: is it enabled in harness/kconfig?"
	else
		# In a directory of the base tree (drivers/vfio/), only
		# reports about our files count; 6.1's own are not ours.
		mine=$(grep -E '\.c$' <<<"$kfiles" | grep "^$d/[^/]*$" |
			sed 's|^|/|')
		report "sparse $d/ ($n files)" "$(grep -E 'warning:|error:' <<<"$out" |
			grep -F "$mine" || true)"
	fi
done

# abi_check REF OURS HEADER: run abi-check.py; a crash is a failure too.
abi_check() {
	local out rc
	out=$(/usr/bin/python3 "$HARNESS_DIR/abi-check.py" "$@" 2>&1)
	rc=$?
	if ((rc > 1)) || ! grep -qE '^(PASS|FAIL) static: ABI' <<<"$out"; then
		report "ABI check of $3 ran" "$out"
	else
		tee -a "$res" <<<"$out"
	fi
}

# Our uAPI headers keep the ABI of 6.12's wherever 6.12 has the header.
"$HARNESS_DIR/prepare-ref.sh" >/dev/null || say "FAIL static: extract linux-source-6.12"
ref=$BUILD_DIR/ref-6.12/include/uapi
uapi=$(grep -E '^include/uapi/.*\.h$' <<<"$files" | sed 's|^include/uapi/||' || true)
checked=
for h in $uapi; do
	[ -f "$ref/$h" ] || continue
	checked=1
	abi_check "$ref" "$REPO_DIR/include/uapi" "$h"
done
# The test interface header too: 6.12's selftests are built against it.
th=drivers/iommu/iommufd/iommufd_test.h
if [ -f "$REPO_DIR/$th" ] && [ -f "$BUILD_DIR/ref-6.12/$th" ]; then
	checked=1
	ABI_INCLUDE=$REPO_DIR/include/uapi abi_check "$BUILD_DIR/ref-6.12" "$REPO_DIR" "$th"
fi
[ -n "$checked" ] || say "SKIP static: ABI check: no header of ours exists in 6.12"

# The VFIO device-cdev ioctls our patches add to linux/vfio.h, against
# 6.12's; the rest of vfio.h is 6.1's and not ours to compare.
vc=$BUILD_DIR/vfio-cdev-abi
rm -rf "$vc" && mkdir -p "$vc/ref/linux" "$vc/ours/linux"
if /usr/bin/python3 "$HARNESS_DIR/vfio-cdev-abi.py" "$ref/linux/vfio.h" \
	"$vc/ref/linux/vfio_cdev.h" 2>"$vc/err" &&
	/usr/bin/python3 "$HARNESS_DIR/vfio-cdev-abi.py" \
		"$TREE_DIR/include/uapi/linux/vfio.h" \
		"$vc/ours/linux/vfio_cdev.h" 2>>"$vc/err"; then
	abi_check "$vc/ref" "$vc/ours" linux/vfio_cdev.h
else
	report "ABI check of the VFIO cdev ioctls ran" "$(cat "$vc/err")"
fi

# Linux 6.12's iommufd selftests must compile, unmodified and without
# warnings, against our headers (built by build-guest.sh).
log=$LOG_DIR/conformance-build.log
if [ -f "$log" ]; then
	report "6.12 iommufd selftests compile unmodified against our headers" \
		"$(grep -E 'warning:|error:|build failed' "$log")"
else
	say "FAIL static: 6.12 iommufd selftests were not built (see build-guest.sh)"
fi

# Test programs must build without warnings on both arches.
for a in x86_64 arm64; do
	log=$LOG_DIR/selftests-$a.log
	[ -f "$log" ] || continue
	report "selftests build without warnings ($a)" "$(grep -E 'warning:' "$log")"
done
! grep -q '^FAIL' "$res"
