#!/usr/bin/env bash
# t_config_check.sh BUILD: `cohortd -t -c FILE` against the golden files
# of tests/config: a good file prints exactly NAME.out (warnings on
# stderr, exit 0); a bad one prints its NAME.err line and exits 1.
# run-suite: beside-batch
set -euo pipefail
B=$(cd "${1:-build}" && pwd)
cd tests/config
n=0
for conf in *.conf; do
	name=${conf%.conf}
	if [ -f "$name.out" ]; then
		out=$("$B/sbin/cohortd" -t -c "$conf" 2>/dev/null) ||
		    { echo "$conf: cohortd -t failed"; exit 1; }
		diff -u "$name.out" <(printf '%s\n' "$out") ||
		    { echo "$conf: output differs from $name.out"; exit 1; }
	elif [ -f "$name.err" ]; then
		set +e
		err=$("$B/sbin/cohortd" -t -c "$conf" 2>&1 >/dev/null)
		rc=$?
		set -e
		[ $rc -eq 1 ] || { echo "$conf: exit $rc, want 1"; exit 1; }
		grep -qF "$(cat "$name.err")" <<<"$err" ||
		    { echo "$conf: error '$err', want '$(cat "$name.err")'"; exit 1; }
	else
		continue
	fi
	n=$((n + 1))
done
echo "cohortd -t: $n golden files match"
