#!/usr/bin/env bash
# t_bench_verify.sh BUILD: bench/cohort-bench checks every message it
# delivers. Built against BUILD's libcpg and run briefly against a private
# daemon: each client shape passes a clean run (exit 0), and each damage
# its test-only -x hook does (a gap, a duplicate, a short message, a
# changed payload byte, a forged sender) fails the run with exit 2 and
# the check named, at the sender and at another member; so does a sender
# more than the run has.
set -euo pipefail
[ "${COHORT_SAN:-}" = 1 ] && { echo "the benchmark's checks are tested in the normal pass only (time budget of make check)"; exit 77; }
B=$(cd "${1:-build}" && pwd)
cd "$(dirname "$0")/../.."
. tests/scripts/private_daemon.sh bench-verify
SECS=0.3
cc -O1 -g -Wall -Wextra -Werror -Wno-unused-parameter -Iinclude \
    -o "$DIR/cb" bench/cohort-bench.c -L"$B/lib" -lcpg -lcorosync_common \
    -Wl,-rpath,"$B/lib" -pthread

mkfifo "$DIR/ready"
COHORT_READY_FD=3 "$B/sbin/cohortd" -f 3>"$DIR/ready" 2>"$DIR/log" &
pids+=($!)
read -r _ <"$DIR/ready"

# expect RC CHECK-TEXT ARGS...: cohort-bench ARGS exits RC, and with RC 2
# its stderr has CHECK-TEXT.
n=0
expect() {
	local want=$1 text=$2 rc=0
	shift 2
	n=$((n + 1))
	"$DIR/cb" -g "v$n" "$@" >"$DIR/out" 2>"$DIR/err" || rc=$?
	[ $rc -eq "$want" ] || fail "cohort-bench $*: exit $rc, expected $want: $(cat "$DIR/err")"
	if [ "$want" -eq 0 ]; then
		[ "$(cut -d, -f4 "$DIR/out")" -gt 0 ] || fail "cohort-bench $*: nothing delivered: $(cat "$DIR/out")"
	else
		grep -q "CHECK: .*$text" "$DIR/err" || fail "cohort-bench $*: no '$text' check: $(cat "$DIR/err")"
		grep -q "CHECK FAILED" "$DIR/err" || fail "cohort-bench $*: no CHECK FAILED line"
	fi
}

# Every shape, clean.
expect 0 "" throughput 64 $SECS
expect 0 "" throughput 70000 $SECS
expect 0 "" latency 64 $SECS 1000
expect 0 "" loop 64 $SECS
expect 0 "" flood 1024 $SECS

# Every damage, in every shape that sends.
for shape in "throughput 64 $SECS" "loop 64 $SECS" "flood 1024 $SECS"; do
	# shellcheck disable=SC2086
	{
		expect 2 "sequence 11, expected 10" -x skip:10 $shape
		expect 2 "sequence 10, expected 11" -x dup:10 $shape
		expect 2 "length 63, expected 64" -x short:10 throughput 64 $SECS
		expect 2 "the payload of message 10 differs" -x corrupt:10 $shape
		expect 2 "the header names sender" -x forge:10 $shape
	}
done

# Another member checks too: a damaged message from a sender on the same
# group fails the receiver's run as well as the sender's.
for fault in skip:5 corrupt:5 forge:5; do
	n=$((n + 1))
	"$DIR/cb" -g "m$n" member recv 64 $SECS 0 2 1 >/dev/null 2>"$DIR/recv" & r=$!
	rc=0
	"$DIR/cb" -g "m$n" -x "$fault" member loop 64 $SECS 0 2 1 >/dev/null 2>"$DIR/send" || rc=$?
	[ $rc -eq 2 ] || fail "member loop -x $fault: exit $rc: $(cat "$DIR/send")"
	rc=0; wait $r || rc=$?
	[ $rc -eq 2 ] || fail "member recv beside -x $fault: exit $rc: $(cat "$DIR/recv")"
	grep -q "CHECK: " "$DIR/recv" || fail "member recv beside -x $fault: no check named"
done

# A clean run across two members passes at both.
"$DIR/cb" -g clean member recv 64 $SECS 0 2 1 >/dev/null 2>"$DIR/recv" & r=$!
"$DIR/cb" -g clean member flood 64 $SECS 0 2 1 >/dev/null 2>"$DIR/send" || fail "member flood: $(cat "$DIR/send")"
wait $r || fail "member recv: $(cat "$DIR/recv")"

# A sender more than the run has (two senders, SENDERS 1) fails both.
"$DIR/cb" -g two member send 64 $SECS 0 2 1 >/dev/null 2>"$DIR/a" & a=$!
rc=0
"$DIR/cb" -g two member send 64 $SECS 0 2 1 >/dev/null 2>"$DIR/b" || rc=$?
[ $rc -eq 2 ] || fail "second sender: exit $rc: $(cat "$DIR/b")"
rc=0; wait $a || rc=$?
[ $rc -eq 2 ] || fail "first sender: exit $rc: $(cat "$DIR/a")"
grep -q "a sender more than the 1 of the run" "$DIR/a" || fail "no foreign-sender check: $(cat "$DIR/a")"
echo "ok: cohort-bench's checks pass the clean runs and fail every damaged or foreign one"
