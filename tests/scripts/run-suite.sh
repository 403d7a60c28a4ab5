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
#
# Unit and API tests (each its own process, with its own daemon on a
# private socket) run COHORT_TEST_JOBS at a time (default 2); the scripts,
# whose clusters and timing checks want the machine to themselves, run
# one at a time. The exception: a script with the line
#   # run-suite: beside-batch
# starts no cluster and checks no timing (computation, files, at most a
# private daemon like an API test's), so it runs while the unit and API
# tests do, one such script after another at the lowest CPU priority
# (nice 19): it takes the cycles the batch leaves idle while its tests
# wait on their daemons. The other scripts start once all that is done.
set -uo pipefail

TIMEOUT=${COHORT_TEST_TIMEOUT:-600}
JOBS=${COHORT_TEST_JOBS:-2}
pass=0 fail=0 skip=0
failed=()
logdir=$(mktemp -d /tmp/cohort-tests.XXXXXX)

# Runs one test; its verdict goes to LOG.rc and LOG.dur.
run_test() {  # log, command...
	local log=$1; shift
	local start=$SECONDS
	timeout --kill-after=10 "$TIMEOUT" "$@" >"$log" 2>&1 </dev/null
	echo $? >"$log.rc"
	echo $((SECONDS - start)) >"$log.dur"
}

log_of() { echo "$logdir/$(echo "$1" | tr '/ ' '__').log"; }

# Reports (and counts) the verdict run_test left for test `name`.
report() {  # name
	local name=$1 log rc dur
	log=$(log_of "$name")
	rc=$(cat "$log.rc") dur=$(cat "$log.dur")
	if [ "$rc" -eq 0 ]; then
		pass=$((pass + 1)); echo "PASS  $name (${dur}s)"
	elif [ "$rc" -eq 77 ]; then
		skip=$((skip + 1)); echo "SKIP  $name: $(tail -n 1 "$log")"
	else
		fail=$((fail + 1)); failed+=("$name")
		[ "$rc" -eq 124 ] && echo "(timed out after ${TIMEOUT}s)" >>"$log"
		echo "FAIL  $name (exit $rc, ${dur}s); last lines of $log:"
		tail -n 40 "$log" | sed 's/^/    | /'
	fi
}

run_one() {  # name, command...
	local name=$1; shift
	run_test "$(log_of "$name")" "$@"
	report "$name"
}

# Runs tests JOBS at a time, starting the next as soon as any one ends,
# and reports them in the order given.
run_parallel() {  # name=command pairs as two arrays: names, commands
	local -n names=$1 cmds=$2
	local i done_pid next_report=0 pids=()
	local -A live=()
	for i in "${!names[@]}"; do
		while [ ${#live[@]} -ge "$JOBS" ]; do
			done_pid=
			wait -n -p done_pid "${!live[@]}"
			[ -n "$done_pid" ] && unset "live[$done_pid]"
		done
		run_test "$(log_of "${names[$i]}")" ${cmds[$i]} &
		pids+=($!); live[$!]=1
		while [ -z "${live[${pids[$next_report]}]:-}" ]; do
			report "${names[$next_report]}"
			next_report=$((next_report + 1))
		done
	done
	for ((; next_report < ${#names[@]}; next_report++)); do
		[ -n "${live[${pids[$next_report]}]:-}" ] && wait "${pids[$next_report]}"
		report "${names[$next_report]}"
	done
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
	tnames=() tcmds=()
	for t in "$b"/tests/unit/* "$b"/tests/api/*; do
		[ -f "$t" ] && [ -x "$t" ] || continue
		tnames+=("$b:${t#"$b"/tests/}") tcmds+=("$t")
	done
	beside=() alone=()
	for s in tests/scripts/t_*.sh; do
		[ -f "$s" ] || continue
		if grep -qx '# run-suite: beside-batch' "$s"; then
			beside+=("$s")
		else
			alone+=("$s")
		fi
	done
	for s in "${beside[@]}"; do
		run_test "$(log_of "$b:$(basename "$s")")" nice -n 19 bash "$s" "$b"
	done &
	beside_pid=$!
	run_parallel tnames tcmds
	wait "$beside_pid"
	for s in "${beside[@]}"; do
		report "$b:$(basename "$s")"
	done
	for s in "${alone[@]}"; do
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
