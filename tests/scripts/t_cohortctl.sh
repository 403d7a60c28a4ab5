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
# Scheduling (cohortd.8): realtime round-robin at the highest priority
# and locked memory by default; a policy set before start is kept; -p
# leaves the daemon as it was started. Without the privilege the daemon
# runs on and says so.
grep -q "^sched.mode  *rr$" <<<"$st" || fail "status: sched.mode is not rr: $st"
policy() { python3 -c 'import os, sys; p = os.sched_getscheduler(int(sys.argv[1])); print({os.SCHED_RR: "rr", os.SCHED_FIFO: "fifo", os.SCHED_OTHER: "other"}.get(p, p), os.sched_getparam(int(sys.argv[1])).sched_priority)' "$1"; }
# side_start NAME COMMAND...: another daemon, with its own socket and
# state in $DIR/NAME, run by COMMAND; side_status NAME: its status.
side_start() {
	local d=$DIR/$1
	shift
	mkdir "$d"
	mkfifo "$d/ready"
	COHORT_SOCKET=$d/sock COHORT_STATE_DIR=$d COHORT_READY_FD=3 "$@" 3>"$d/ready" 2>"$d/log" &
	pids+=($!)
	read -r _ <"$d/ready"
}
side_status() { COHORT_SOCKET=$DIR/$1/sock "$CTL" status; }
field() { awk -v k="$1" '$1 == k { print $2 }'; }
if [ "$(id -u)" = 0 ]; then
	[ "$(policy "$dpid")" = "rr 99" ] || fail "the daemon runs $(policy "$dpid"), not SCHED_RR at 99"
	[ "$(field sched.policy <<<"$st") $(field sched.priority <<<"$st") $(field sched.realtime <<<"$st") $(field sched.kept <<<"$st")" = "rr 99 1 0" ] ||
	    fail "status does not show SCHED_RR at 99: $st"
	if [ -n "${COHORT_SAN:-}" ]; then
		# An AddressSanitizer build cannot lock its shadow memory.
		[ "$(field sched.memory_locked <<<"$st")" = 0 ] || fail "status: memory locked under ASan"
		grep -q "memory not locked: an AddressSanitizer build" "$DIR/log" || fail "no log line for unlocked memory: $(cat "$DIR/log")"
	else
		[ "$(field sched.memory_locked <<<"$st")" = 1 ] || fail "status: memory not locked: $st"
		[ "$(awk '$1 == "VmLck:" { print $2 }' "/proc/$dpid/status")" -gt 0 ] || fail "the kernel shows no locked memory"
	fi
	side_start fifo chrt -f 10 "$B/sbin/cohortd" -f -n 4
	sst=$(side_status fifo)
	[ "$(policy "${pids[-1]}")" = "fifo 10" ] || fail "a daemon started under SCHED_FIFO 10 runs $(policy "${pids[-1]}")"
	[ "$(field sched.policy <<<"$sst") $(field sched.priority <<<"$sst") $(field sched.kept <<<"$sst")" = "fifo 10 1" ] ||
	    fail "status of the SCHED_FIFO daemon: $sst"
	grep -q "scheduling kept as started: policy fifo, priority 10" "$DIR/fifo/log" || fail "no log line for the kept policy: $(cat "$DIR/fifo/log")"
	side_start nort "$B/sbin/cohortd" -f -n 5 -p
	sst=$(side_status nort)
	[ "$(policy "${pids[-1]}")" = "other 0" ] || fail "cohortd -p runs $(policy "${pids[-1]}")"
	[ "$(field sched.mode <<<"$sst") $(field sched.policy <<<"$sst") $(field sched.realtime <<<"$sst")" = "normal other 0" ] ||
	    fail "status of cohortd -p: $sst"
	# The daemon never runs below the priority it was started with.
	[ "$(awk '{print $19}' "/proc/${pids[-1]}/stat")" = "$(awk '{print $19}' /proc/self/stat)" ] || fail "cohortd -p changed its nice value"
else
	grep -q "realtime scheduling not permitted" "$DIR/log" || fail "no log line for the missing privilege: $(cat "$DIR/log")"
	[ "$(field sched.realtime <<<"$st")" = 0 ] || fail "status: realtime without the privilege: $st"
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
# -f over a key of another mode: the new one is 0400 all the same.
chmod 0644 "$DIR/key"
"$CTL" keygen -f "$DIR/key" >/dev/null
[ "$(stat -c '%s %a' "$DIR/key")" = "256 400" ] || fail "keygen -f kept mode $(stat -c %a "$DIR/key")"
ls "$DIR"/key.?????? >/dev/null 2>&1 && fail "keygen -f left a temporary file"

# links: one node has no link to another, so the header alone (the link
# lines are checked on two networks by t_cluster_links.sh); a bad
# argument is a usage error.
[ "$("$CTL" links)" = "Local node ID 3, transport knet" ] || fail "links: $("$CTL" links)"
"$CTL" --json links | json 'assert d["nodeid"] == 3 and d["links"] == [], d'
set +e; "$CTL" links -x >/dev/null 2>&1; rc=$?; set -e
[ $rc -eq 2 ] || fail "links -x exited $rc"

# listen leaves cleanly on SIGTERM.
kill -TERM "$lpid"
wait "$lpid" || fail "listen did not exit 0 on SIGTERM"
echo "cohortctl: all commands checked"
