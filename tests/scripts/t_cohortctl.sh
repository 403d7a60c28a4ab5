#!/usr/bin/env bash
# t_cohortctl.sh BUILD: every cohortctl command against a private daemon,
# text and JSON, with listen and send in parallel, and cpgtool's formats
# including the escaping of binary group names.
set -euo pipefail
B=$(cd "${1:-build}" && pwd)
CTL=$B/bin/cohortctl
DIR=$(mktemp -d /tmp/cohort-ctl.XXXXXX)
export COHORT_SOCKET=$DIR/cohort.sock COHORT_STATE_DIR=$DIR
pids=()
cleanup() {
	for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
		kill "${pids[$i]}" 2>/dev/null || true
		wait "${pids[$i]}" 2>/dev/null || true
	done
	rm -rf "$DIR"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); $1"; }

# No daemon yet: a clear error and exit status 1.
set +e
out=$("$CTL" status 2>&1); rc=$?
set -e
[ $rc -eq 1 ] || fail "status without a daemon exited $rc"
grep -q "cannot reach cohortd" <<<"$out" || fail "no clear error: $out"
set +e
out=$("$CTL" cpgtool 2>"$DIR/err"); rc=$?
set -e
[ $rc -eq 1 ] && [ -z "$out" ] || fail "cpgtool without a daemon: rc $rc, output '$out'"
grep -q "^Could not initialize corosync cpg API error 2$" "$DIR/err" || fail "cpgtool error: $(cat "$DIR/err")"
"$CTL" >/dev/null 2>&1 && fail "no command should be a usage error" || [ $? -eq 2 ] || fail "usage exit"

mkfifo "$DIR/ready"
COHORT_READY_FD=3 "$B/sbin/cohortd" -f -n 3 3>"$DIR/ready" 2>"$DIR/log" &
dpid=$!
pids+=($dpid)
read -r line <"$DIR/ready"

st=$("$CTL" status)
grep -q "^nodeid  *3$" <<<"$st" || fail "status text"
grep -q "^token_ms  *[1-9][0-9]*$" <<<"$st" || fail "status has no token_ms: $st"
grep -q "^cpg.syncing  *0$" <<<"$st" || fail "status: the ring of one is not in service: $st"
# As root, with system.sched_rr auto (the default, cohortd.8): a normal
# process 5 steps of nice below the priority it was started with (below
# its clients: wake-up latency on an idle machine), and SCHED_RR once
# the machine is busy (a busy loop on every CPU).
grep -q "^sched.mode  *auto$" <<<"$st" || fail "status: sched.mode is not auto: $st"
if [ "$(id -u)" = 0 ]; then
	calm=$(( $(awk '{print $19}' /proc/self/stat) + 5 ))
	[ "$calm" -le 19 ] || calm=19
	[ "$(awk '{print $19}' "/proc/$dpid/stat")" = "$calm" ] || fail "the calm daemon does not run at nice $calm"
	burners=()
	for _ in $(seq 1 "$(nproc)"); do
		( while :; do :; done ) &
		burners+=($!)
	done
	policy() { python3 -c 'import os, sys; p = os.sched_getscheduler(int(sys.argv[1])); print("rr" if p == os.SCHED_RR else p)' "$dpid"; }
	deadline=$((SECONDS + 20))
	until [ "$(policy)" = rr ] || [ $SECONDS -ge $deadline ]; do
		"$CTL" status >/dev/null   # a round trip: the daemon is awake
	done
	pol=$(policy)
	kill "${burners[@]}"
	wait "${burners[@]}" 2>/dev/null || true
	[ "$pol" = rr ] || fail "busy machine: the daemon's scheduling policy is $pol, not SCHED_RR"
	"$CTL" status | grep -q "^sched.realtime  *1$" || fail "status: sched.realtime is not 1 under load"
	# Idle again: back to a normal process after a second of calm. The
	# pause between looks keeps this loop from being the load itself.
	deadline=$((SECONDS + 30))
	until [ "$(policy)" != rr ] || [ $SECONDS -ge $deadline ]; do
		sleep 0.2
	done
	[ "$(policy)" = 0 ] || fail "idle machine: the daemon's scheduling policy is $(policy), not SCHED_OTHER"
	[ "$(awk '{print $19}' "/proc/$dpid/stat")" = "$calm" ] || fail "the daemon left realtime at another nice value than $calm"
	sw=$("$CTL" status | awk '$1 == "stat.sched_switches" { print $2 }')
	[ "${sw:-0}" -ge 2 ] || fail "status: $sw policy changes, not at least two"
fi
"$CTL" --json status | json 'assert d["nodeid"]==3 and d["members"]==[3] and d["state"]=="operational", d'

# listen in the background (JSON lines), wait for its join, then send.
mkfifo "$DIR/events"
"$CTL" --json listen ctltest >"$DIR/events" &
lpid=$!; pids+=($lpid)
exec 4<"$DIR/events"
read -r ev <&4
echo "$ev" | json 'assert d["event"]=="confchg" and d["joined"][0]["reason"]=="join", d'
"$CTL" --json members ctltest | json 'assert len(d["members"])==1 and d["members"][0]["nodeid"]==3, d'
"$CTL" --json groups | json 'assert d["groups"]==[{"name":"ctltest","members":1}], d'
"$CTL" --json send ctltest "hello world" | json 'assert d["sent"]==11 and d["delivered"], d'
# The listener sees the sender join, its message, and its leave, in order.
seen=""
while read -r ev <&4; do
	kind=$(echo "$ev" | json 'print(d["event"] if d["event"]!="confchg" else ("join" if d["joined"] else "leave"))')
	seen="$seen $kind"
	[ "$kind" = leave ] && break
done
grep -q "join message leave" <<<"$seen" || fail "listener saw:$seen"
mem=$("$CTL" members ctltest)
grep -q "1 member" <<<"$mem" || fail "members text"

# cpgtool: a group whose name has a 0x01 byte, a 0xff byte and a backslash.
name=$(printf 'g\001\377\\z')
mkfifo "$DIR/odd"
"$CTL" listen "$name" >"$DIR/odd" &
pids+=($!)
exec 5<"$DIR/odd"
read -r ev <&5
grep -q '^confchg' <<<"$ev" || fail "odd listener: $ev"
"$CTL" cpgtool >"$DIR/cpgtool.txt"
grep -qP '^Group Name\t       PID\t   Node ID$' <<<"$(head -1 "$DIR/cpgtool.txt")" || fail "cpgtool header"
grep -qF 'g\x01\xFF\\z' "$DIR/cpgtool.txt" || fail "cpgtool escaping: $(cat -A "$DIR/cpgtool.txt")"
grep -qP "^\t\t +$lpid\t +3 \(127\.0\.0\.1\)$" "$DIR/cpgtool.txt" || fail "cpgtool member line: $(cat -A "$DIR/cpgtool.txt")"
delim=$("$CTL" cpgtool -d ,)
[ "$(echo "$delim" | head -1)" = 'GRP_NAME,PID,NODEID' ] || fail "cpgtool -d header"
grep -qx "ctltest,$lpid,3" <<<"$delim" || fail "cpgtool -d line"
[ "$("$CTL" cpgtool -n | wc -l)" -eq 2 ] || fail "cpgtool -n"
# Names in order of (length, bytes): the 5-byte name first.
[ "$("$CTL" cpgtool -n -d ';')" = 'g\x01\xFF\\z;ctltest;' ] || fail "cpgtool -n -d: $("$CTL" cpgtool -n -d ';')"
raw=$("$CTL" cpgtool -e -n)
grep -qF "$name" <<<"$raw" || fail "cpgtool -e"
usage=$("$CTL" cpgtool -h)
grep -q Usage <<<"$usage" || fail "cpgtool -h"
set +e; "$CTL" cpgtool -x >/dev/null 2>&1; rc=$?; set -e
[ $rc -eq 1 ] || fail "cpgtool unknown option exited $rc"

# keygen: 256 bytes, mode 0400, no silent overwrite, -f replaces.
"$CTL" keygen "$DIR/key" >/dev/null
[ "$(stat -c '%s %a' "$DIR/key")" = "256 400" ] || fail "keygen file"
set +e; "$CTL" keygen "$DIR/key" >/dev/null 2>&1; rc=$?; set -e
[ $rc -eq 1 ] || fail "keygen overwrote an existing key"
cp "$DIR/key" "$DIR/key.old"
"$CTL" keygen -f "$DIR/key" >/dev/null
cmp -s "$DIR/key" "$DIR/key.old" && fail "keygen -f did not write a new key"

# listen leaves cleanly on SIGTERM.
kill -TERM "$lpid"
wait "$lpid" || fail "listen did not exit 0 on SIGTERM"
echo "cohortctl: all commands checked"
