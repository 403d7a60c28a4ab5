#!/usr/bin/env bash
# t_man.sh: every page in man/ renders with man(1) without a warning.
# Pages are rendered from a man tree (man3/, man5/, man8/) so that the
# .so links between pages resolve as they do once installed.
# run-suite: beside-batch
set -euo pipefail
[ -n "${COHORT_SAN:-}" ] && { echo "man pages are checked in the normal pass"; exit 77; }
command -v man >/dev/null || { echo "man is not installed (tests/scripts/deps.sh installs man-db)"; exit 77; }
root=$(pwd)
tree=$(mktemp -d /tmp/cohort-man.XXXXXX)
trap 'rm -rf "$tree"' EXIT
for s in 3 5 8; do
	mkdir -p "$tree/man$s"
	cp "$root"/man/*."$s" "$tree/man$s/" 2>/dev/null || true
done
bad=0 n=0
cd "$tree"
for f in man?/*; do
	n=$((n + 1))
	out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$f" 2>&1 >/dev/null || echo "man failed")
	if [ -n "$out" ]; then
		echo "$f: $out"
		bad=1
	fi
done
[ $bad -eq 0 ] && echo "$n man pages render without warnings"
exit $bad
