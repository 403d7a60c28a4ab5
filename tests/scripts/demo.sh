#!/usr/bin/env bash
# demo.sh [BUILD]: the one-node demo behind `make demo`.
#
# Starts cohortd (no configuration: a one-node cluster) on a private
# socket, runs two listening clients in the group "demo", has them and a
# third process exchange messages, shows a leave and a killed process, and
# cleans up everything it started.
set -euo pipefail

B=${1:-build}
CTL=$B/bin/cohortctl
DIR=$(mktemp -d /tmp/cohort-demo.XXXXXX)
export COHORT_SOCKET=$DIR/cohort.sock COHORT_STATE_DIR=$DIR
pids=()

cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$DIR"
}
trap cleanup EXIT

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# Waits until FILE has a line matching PATTERN (the clients print events
# as they happen; this follows them, no fixed sleeps).
wait_for() {
	local file=$1 pattern=$2 tp rc=0
	[ -p "$DIR/follow" ] || mkfifo "$DIR/follow"
	tail -n +1 -f "$file" >"$DIR/follow" 2>/dev/null &
	tp=$!
	timeout 10 grep -q -m1 -- "$pattern" <"$DIR/follow" || rc=$?
	kill "$tp" 2>/dev/null || true
	wait "$tp" 2>/dev/null || true
	if [ $rc -ne 0 ]; then
		echo "demo: timed out waiting for '$pattern' in $file" >&2
		return 1
	fi
}

say "starting cohortd (one node, node id 1) on $COHORT_SOCKET"
mkfifo "$DIR/ready"
COHORT_READY_FD=3 "$B/sbin/cohortd" -f 3>"$DIR/ready" 2>"$DIR/cohortd.log" &
pids+=($!)
read -r line <"$DIR/ready"
echo "cohortd says: $line"
"$CTL" status

say "two clients (alice and bob) join group 'demo'"
"$CTL" listen demo >"$DIR/alice.out" 2>&1 &
alice=$!; pids+=($alice)
wait_for "$DIR/alice.out" "joined"
"$CTL" listen demo >"$DIR/bob.out" 2>&1 &
bob=$!; pids+=($bob)
wait_for "$DIR/bob.out" "joined"
"$CTL" members demo

say "a third process sends two messages to the group"
"$CTL" send demo "hello from carol"
"$CTL" send demo "second message"
wait_for "$DIR/bob.out" "second message"

say "bob is killed with SIGKILL: alice sees him leave (procdown)"
kill -9 "$bob"
wait "$bob" 2>/dev/null || true
wait_for "$DIR/alice.out" "procdown"
"$CTL" members demo

say "what alice saw (the same order bob saw, up to his death)"
cat "$DIR/alice.out"
say "what bob saw"
cat "$DIR/bob.out"

say "stopping"
kill "$alice"; wait "$alice" 2>/dev/null || true
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true
pids=()
echo "done: nothing left running"
