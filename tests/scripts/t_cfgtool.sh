#!/usr/bin/env bash
# t_cfgtool.sh BUILD: corosync-cfgtool and corosync-cpgtool against a
# private cohortd, node 1 of a two-node, two-link configuration whose
# node 2 never runs.
#  1. Ours print what corosync's tools print (services-reference §7.3,
#     cpg-reference §6.2): -s, -sb, -n, -a, -k, -R, -L, usage, bad
#     arguments, exit statuses, the group listing; -H shuts the daemon
#     down (exit 0, logged) and, with no daemon, the initialisation error.
#  2. Debian's own tools (tests/scripts/corosync-tools.sh), run on
#     Cohort's libraries with the same arguments, print byte for byte the
#     same (stdout, stderr, exit status). Skipped (alone) when the
#     package cannot be had, and under sanitizers (a binary without them
#     cannot load the ASan build of the libraries).
set -euo pipefail
B=$(cd "${1:-build}" && pwd)
DIR=$(mktemp -d /tmp/cohort-cfgtool.XXXXXX)
dpid= lpid=
cleanup() {
	[ -n "$lpid" ] && kill "$lpid" 2>/dev/null && wait "$lpid" 2>/dev/null
	[ -n "$dpid" ] && kill "$dpid" 2>/dev/null && wait "$dpid" 2>/dev/null
	rm -rf "$DIR"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
WAIT_TENTHS=200   # bound on any wait for an event, in tenths of a second

theirs=
if [ -z "${COHORT_SAN:-}" ]; then
	if cdir=$(bash tests/scripts/corosync-tools.sh); then
		theirs=$cdir/usr/sbin
	else
		echo "Debian's corosync tools are not available: comparing with the reference only"
	fi
fi

port=$((20000 + ($$ % 20000) * 2))
cat >"$DIR/corosync.conf" <<CONF
totem {
	cluster_name: cfgtool
	transport: knet
	interface {
		linknumber: 0
		mcastport: $port
	}
	interface {
		linknumber: 1
		mcastport: $((port + 1))
	}
}
nodelist {
	node {
		nodeid: 1
		ring0_addr: 127.0.0.1
		ring1_addr: 127.0.1.1
	}
	node {
		nodeid: 2
		ring0_addr: 127.0.0.2
		ring1_addr: 127.0.1.2
	}
}
CONF
export COHORT_SOCKET=$DIR/cohort.sock COHORT_STATE_DIR=$DIR
start_daemon() {
	rm -f "$DIR/ready"
	mkfifo "$DIR/ready"
	COHORT_READY_FD=3 "$B/sbin/cohortd" -f -n 1 -c "$DIR/corosync.conf" \
	    3>"$DIR/ready" 2>>"$DIR/cohortd.log" &
	dpid=$!
	read -r line <"$DIR/ready"
	[ "$line" = READY ] || fail "daemon not ready"
}
start_daemon

# tool WHO NAME ARGS...: runs our or Debian's corosync-NAME; output in
# $DIR/WHO.out, .err, .rc.
tool() {
	local who=$1 name=$2 rc=0; shift 2
	if [ "$who" = ours ]; then
		"$B/bin/corosync-$name" "$@" >"$DIR/$who.out" 2>"$DIR/$who.err" || rc=$?
	else
		LD_LIBRARY_PATH="$B/lib" "$theirs/corosync-$name" "$@" \
		    >"$DIR/$who.out" 2>"$DIR/$who.err" || rc=$?
	fi
	echo "$rc" >"$DIR/$who.rc"
}
# both NAME ARGS...: ours, then Debian's; everything must match.
both() {
	tool ours "$@"
	[ -n "$theirs" ] || return 0
	for f in out err rc; do cp "$DIR/ours.$f" "$DIR/keep.$f"; done
	tool theirs "$@"
	for f in out err rc; do
		# getopt's messages start with the program's path.
		sed -e 's|^[^ ]*/corosync-\([a-z]*\): |corosync-\1: |' \
		    "$DIR/theirs.$f" >"$DIR/theirs.$f.cmp"
		sed -e 's|^[^ ]*/corosync-\([a-z]*\): |corosync-\1: |' \
		    "$DIR/keep.$f" >"$DIR/ours.$f.cmp"
		diff -u "$DIR/theirs.$f.cmp" "$DIR/ours.$f.cmp" ||
		    fail "corosync-$* differs from Debian's ($f: theirs first)"
	done
	for f in out err rc; do cp "$DIR/keep.$f" "$DIR/ours.$f"; done
}
# expect FILE TEXT: the file holds exactly TEXT.
expect() { diff -u <(printf '%s\n' "$2") "$1" || fail "unexpected $(basename "$1")"; }
rc_is() { [ "$(cat "$DIR/ours.rc")" = "$1" ] || fail "exit status $(cat "$DIR/ours.rc"), want $1"; }
T=$'\t'

both cfgtool -s
rc_is 0
expect "$DIR/ours.out" "Local node ID 1, transport knet
LINK ID 0 udp
${T}addr${T}= 127.0.0.1
${T}status:
${T}${T}nodeid:          1:${T}localhost
${T}${T}nodeid:          2:${T}disconnected
LINK ID 1 udp
${T}addr${T}= 127.0.1.1
${T}status:
${T}${T}nodeid:          1:${T}localhost
${T}${T}nodeid:          2:${T}disconnected"
both cfgtool -s -b
expect "$DIR/ours.out" "Local node ID 1, transport knet
LINK ID 0 udp
${T}addr${T}= 127.0.0.1
${T}status${T}= n1
LINK ID 1 udp
${T}addr${T}= 127.0.1.1
${T}status${T}= n1"
both cfgtool --if=127.0.0.1 --status --brief
both cfgtool -n
rc_is 0
expect "$DIR/ours.out" "Local node ID 1, transport knet"
both cfgtool -a 1
expect "$DIR/ours.out" "127.0.0.1 127.0.1.1"
both cfgtool -a 2
expect "$DIR/ours.out" "127.0.0.2 127.0.1.2"
both cfgtool -a 3
rc_is 1
expect "$DIR/ours.err" "Could not get node address for nodeid 3"
both cfgtool -a 0
rc_is 1
expect "$DIR/ours.err" "The nodeid was not valid, try a positive number"
both cfgtool -k 2
rc_is 1
expect "$DIR/ours.out" "Killing node 2"
expect "$DIR/ours.err" "Could not kill node (error = CS_ERR_NOT_EXIST)"
both cfgtool -R
rc_is 0
expect "$DIR/ours.out" "Reloading corosync.conf...
Done"
both cfgtool -L
rc_is 0
both cfgtool -h
rc_is 0
grep -q '^corosync-cfgtool \[\[-i <interface ip>\]' "$DIR/ours.out" || fail "no usage"
both cfgtool
both cfgtool -b
both cfgtool -x
rc_is 1
both cfgtool -s -n
expect "$DIR/ours.out" "Local node ID 1, transport knet"

# The group listing, with a member in a group.
"$B/bin/cohortctl" listen cfgtool-group >/dev/null &
lpid=$!
for ((i = 0; i < WAIT_TENTHS; i++)); do
	"$B/bin/corosync-cpgtool" >"$DIR/list" 2>/dev/null || true
	grep -q '^cfgtool-group$' "$DIR/list" && break
	sleep 0.1
done
grep -q '^cfgtool-group$' "$DIR/list" || fail "the listener's group is not listed"
both cpgtool
rc_is 0
expect "$DIR/ours.out" "Group Name${T}       PID${T}   Node ID
cfgtool-group
${T}${T}$(printf '%10u' "$lpid")${T}         1 (127.0.0.1 127.0.1.1)"
both cpgtool -d ,
expect "$DIR/ours.out" "GRP_NAME,PID,NODEID
cfgtool-group,$lpid,1"
both cpgtool -n
expect "$DIR/ours.out" "cfgtool-group"
both cpgtool -h
rc_is 0
kill "$lpid"; wait "$lpid" 2>/dev/null || true; lpid=

# -H: the daemon shuts down (nobody tracks), logs it and exits 0.
tool ours cfgtool -H
rc_is 0
expect "$DIR/ours.out" "Shutting down corosync"
wait "$dpid" || fail "cohortd exited with status $? after -H"
dpid=
grep -q 'Node 1 was shut down by sysadmin' "$DIR/cohortd.log" || fail "no shutdown line"
# No daemon.
both cfgtool -s
rc_is 1
expect "$DIR/ours.err" "Could not initialize corosync configuration API error 2"
both cfgtool -R
rc_is 1
both cpgtool
rc_is 1
# -H exits 0 whatever try_shutdown says, but 1 when it cannot connect.
both cfgtool -H
rc_is 1
# Debian's -H on Cohort shuts it down too.
if [ -n "$theirs" ]; then
	start_daemon
	tool theirs cfgtool -H
	wait "$dpid" || fail "cohortd exited with status $? after Debian's -H"
	dpid=
fi
if [ -n "$theirs" ]; then
	echo "corosync-cfgtool and corosync-cpgtool: ours print what Debian's print"
else
	echo "corosync-cfgtool and corosync-cpgtool: ours print the reference output"
fi
