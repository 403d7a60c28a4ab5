#!/usr/bin/env bash
# run-suite.sh BUILD_DIR...: runs every test of each build directory, each
# in its own process with a time limit, and ends with the summary line
# "N passed, N failed" (", N skipped" when some were skipped).
#
# Tests:  BUILD/tests/unit/*   cmocka unit tests
#         BUILD/tests/api/*    API tests (each starts its own daemon)
#         tests/scripts/t_*.sh scripts, given BUILD as $1
# Exit status 0 = pass, 77 = skip (the test prints why), anything else = fail.
# For a build dir named build-san the sanitizer options are set and
# COHORT_SAN=1 is exported, so scripts can scale their work down.
set -uo pipefail

TIMEOUT=${COHORT_TEST_TIMEOUT:-600}
pass=0 fail=0 skip=0
failed=()
logdir=$(mktemp -d /tmp/cohort-tests.XXXXXX)

run_one() {  # name, command...
	local name=$1; shift
	local log="$logdir/$(echo "$name" | tr '/ ' '__').log"
	local start=$SECONDS rc
	timeout --kill-after=10 "$TIMEOUT" "$@" >"$log" 2>&1 </dev/null
	rc=$?
	local dur=$((SECONDS - start))
	if [ $rc -eq 0 ]; then
		pass=$((pass + 1)); echo "PASS  $name (${dur}s)"
	elif [ $rc -eq 77 ]; then
		skip=$((skip + 1)); echo "SKIP  $name: $(tail -n 1 "$log")"
	else
		fail=$((fail + 1)); failed+=("$name")
		[ $rc -eq 124 ] && echo "(timed out after ${TIMEOUT}s)" >>"$log"
		echo "FAIL  $name (exit $rc, ${dur}s); last lines of $log:"
		tail -n 40 "$log" | sed 's/^/    | /'
	fi
}

for b in "$@"; do
	if [ "$(basename "$b")" = build-san ]; then
		export COHORT_SAN=1
		# A small quarantine: the tests that bound the daemon's memory
		# measure the daemon, not ASan's pool of freed blocks.
		export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1:quarantine_size_mb=16
		export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
	else
		unset COHORT_SAN ASAN_OPTIONS UBSAN_OPTIONS
	fi
	echo "== $b"
	for t in "$b"/tests/unit/* "$b"/tests/api/*; do
		[ -f "$t" ] && [ -x "$t" ] || continue
		run_one "$b:${t#"$b"/tests/}" "$t"
	done
	for s in tests/scripts/t_*.sh; do
		[ -f "$s" ] || continue
		run_one "$b:$(basename "$s")" bash "$s" "$b"
	done
done

[ ${#failed[@]} -gt 0 ] && printf 'failed: %s\n' "${failed[*]}"
echo "logs: $logdir"
if [ $skip -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ $fail -eq 0 ]
