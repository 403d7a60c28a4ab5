#!/usr/bin/env bash
# corosync-tools.sh: prints the directory that holds Debian's own
# corosync-cmapctl, corosync-quorumtool, corosync-cfgtool and
# corosync-cpgtool (usr/sbin under it), taken out of the corosync package
# without installing it, so that no corosync daemon or unit is ever
# started by the tests. Tests run those binaries with Cohort's libraries
# first on LD_LIBRARY_PATH, to show that they work on Cohort and print
# what Cohort's own tools print.
#
# The package is downloaded once into $COHORT_COROSYNC_CACHE (default
# /var/cache/cohort-tests). Exit 77 (skip) with the reason when it cannot
# be had.
set -euo pipefail
CACHE=${COHORT_COROSYNC_CACHE:-/var/cache/cohort-tests}
DIR=$CACHE/corosync
if [ -x "$DIR/usr/sbin/corosync-cmapctl" ]; then
	echo "$DIR"
	exit 0
fi
mkdir -p "$CACHE" 2>/dev/null || { echo "cannot create $CACHE" >&2; exit 77; }
tmp=$(mktemp -d "$CACHE/dl.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
if ! (cd "$tmp" && apt-get download corosync >/dev/null 2>&1); then
	(apt-get update -qq >/dev/null 2>&1 || true)
	(cd "$tmp" && apt-get download corosync >/dev/null 2>&1) ||
	    { echo "cannot download Debian's corosync package (apt-get download corosync)" >&2; exit 77; }
fi
mkdir -p "$tmp/x"
dpkg-deb -x "$tmp"/corosync_*.deb "$tmp/x"
rm -rf "$DIR"
mv "$tmp/x" "$DIR"
echo "$DIR"
