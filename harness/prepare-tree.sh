#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Assemble the kernel tree in build/tree: Debian's linux-source-6.1,
# our patch series applied as git commits on top of a "base" tag, and our
# new files copied in at their kernel paths.
#
# The tree is a git repository so that edits to base files can be turned
# back into patches (make refresh-patches).  Overlay files are listed in
# .git/info/exclude: they belong to this repo, not to the series.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

TARBALL=/usr/src/linux-source-6.1.tar.xz
SERIES_DIR=$REPO_DIR/patches
OVERLAY_DIRS="drivers include tools Documentation arch lib mm"

[ -f "$TARBALL" ] || die "$TARBALL missing: run 'make deps' first"
mkdir -p "$BUILD_DIR" "$LOG_DIR"
used=$(dpkg-query -W -f='${Version}' linux-source-6.1)

# refuse_to_drop_work: stop if build/tree holds commits or edits that are
# not in patches/ yet (FORCE=1 overrides).
refuse_to_drop_work() {
	[ -d "$TREE_DIR/.git" ] && [ -z "${FORCE:-}" ] || return 0
	if git -C "$TREE_DIR" rev-parse -q --verify series >/dev/null &&
		{ [ "$(git -C "$TREE_DIR" rev-parse HEAD)" != \
			"$(git -C "$TREE_DIR" rev-parse series)" ] ||
			! git -C "$TREE_DIR" diff --quiet HEAD --; }; then
		die "build/tree has edits or commits not in patches/ and must be" \
			"rebuilt ($1): run 'make refresh-patches' first, or FORCE=1 to drop them"
	fi
}

# 1. Extract once per source package version.
if [ "$(cat "$BUILD_DIR/tree.version" 2>/dev/null)" != "$used" ]; then
	refuse_to_drop_work "linux-source-6.1 is now $used"
	echo "extracting linux-source-6.1 $used"
	rm -rf "$TREE_DIR" "$BUILD_DIR/tree.tmp" "$BUILD_DIR/tree.series"
	mkdir -p "$BUILD_DIR/tree.tmp"
	tar -xf "$TARBALL" -C "$BUILD_DIR/tree.tmp" --strip-components=1
	(
		cd "$BUILD_DIR/tree.tmp"
		git init -q
		git config core.autocrlf false
		git add -f -A .
		git -c user.name=debian -c user.email=debian@localhost commit -q -m "Debian linux-source-6.1 $used"
		git tag base
	)
	mv "$BUILD_DIR/tree.tmp" "$TREE_DIR"
	echo "$used" >"$BUILD_DIR/tree.version"
fi
if [ "$used" != "$(cat "$HARNESS_DIR/base-version")" ]; then
	echo "warning: building on linux-source-6.1 $used, not the recorded" \
		"$(cat "$HARNESS_DIR/base-version")" >&2
fi

# Commits made in build/tree become patches: author them as the developer
# of this checkout.
name=$(git -C "$REPO_DIR" config user.name || true)
email=$(git -C "$REPO_DIR" config user.email || true)
git -C "$TREE_DIR" config user.name "${name:-iommufd developer}"
git -C "$TREE_DIR" config user.email "${email:-developer@localhost}"

# 2. Apply the series when it differs from what the tree carries.
series_sum=$(series_sum)
if [ "$(cat "$BUILD_DIR/tree.series" 2>/dev/null)" != "$series_sum" ]; then
	refuse_to_drop_work "patches/ changed"
	cd "$TREE_DIR"
	git am --abort >/dev/null 2>&1 || true
	git reset -q --hard base
	n=0
	for p in $(series_list); do
		[ -f "$SERIES_DIR/$p" ] || die "patches/series names $p, which does not exist"
		if ! git am -q --keep-cr "$SERIES_DIR/$p" >"$LOG_DIR/git-am.log" 2>&1; then
			cat "$LOG_DIR/git-am.log" >&2
			git am --abort >/dev/null 2>&1 || true
			# What applied so far is no unrefreshed work of anyone's.
			git tag -f series >/dev/null
			die "patch patches/$p does not apply on linux-source-6.1 $used"
		fi
		n=$((n + 1))
	done
	git tag -f series >/dev/null
	echo "$series_sum" >"$BUILD_DIR/tree.series"
	echo "applied $n patch(es) from patches/series"
	cd - >/dev/null
fi

# 3. Overlay our new files.  A file that exists in the base tree must be
# changed through a patch, never copied over.
cd "$REPO_DIR"
overlay=$(git ls-files --cached --others --exclude-standard -- $OVERLAY_DIRS)
for f in $overlay; do
	if git -C "$TREE_DIR" cat-file -e "base:$f" 2>/dev/null; then
		die "$f exists in linux-source-6.1: change it with a patch in patches/, not an overlay copy"
	fi
done
printf '%s\n' $overlay >"$TREE_DIR/.git/info/exclude"
# Unchanged files keep their mtime (--checksum skips them); changed ones get
# the current time, so kbuild always sees them as newer than their objects.
printf '%s\n' $overlay | rsync -rlp --checksum --files-from=- "$REPO_DIR/" "$TREE_DIR/"
# Drop files that left the overlay since the last run.
if [ -f "$BUILD_DIR/tree.overlay" ]; then
	comm -23 <(sort "$BUILD_DIR/tree.overlay") <(printf '%s\n' $overlay | sort) |
		while read -r gone; do
			if [ -n "$gone" ]; then rm -f "$TREE_DIR/$gone"; fi
		done
fi
printf '%s\n' $overlay >"$BUILD_DIR/tree.overlay"
echo "tree ready: $(printf '%s\n' $overlay | grep -c . || true) overlay file(s)," \
	"$(git -C "$TREE_DIR" rev-list --count base..series) patch(es)"
