#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Regenerate patches/ from the commits on top of the "base" tag in
# build/tree, in order, and rewrite patches/series to match.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ -d "$TREE_DIR/.git" ] || die "no assembled tree: run 'make tree' first"
cd "$TREE_DIR"
if ! git diff --quiet HEAD -- || ! git diff --cached --quiet; then
	die "build/tree has uncommitted edits to base files: commit them first"
fi
n=$(git rev-list --count base..HEAD)
series=$REPO_DIR/patches/series
tmp=$(mktemp -d)
git format-patch -q -N --no-signature --zero-commit -o "$tmp" base..HEAD
rm -f "$REPO_DIR"/patches/*.patch
{
	grep '^#' "$series" 2>/dev/null || true
	for p in "$tmp"/*.patch; do
		[ -e "$p" ] || continue
		cp "$p" "$REPO_DIR/patches/"
		basename "$p"
	done
} >"$tmp/series"
mv "$tmp/series" "$series"
rm -rf "$tmp"
git tag -f series >/dev/null
series_sum >"$BUILD_DIR/tree.series"
echo "patches/: $n patch(es) from build/tree base..HEAD; review with git diff"
