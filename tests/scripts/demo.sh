#!/usr/bin/env bash
# demo.sh [BUILD]: the demo behind `make demo`: a three-node cluster on
# this host's loopback.
#
# Writes a configuration for nodes 1-3 at 127.0.0.1-3 (one UDP port each
# address, authenticated encryption with a fresh key), starts three
# cohortd's with their own COHORT_SOCKETs, runs a chat listener on every
# node, sends from several nodes (every listener prints the same order),
# kills node 3's daemon (the others see its member leave with NODEDOWN),
# restarts it, pauses node 2's daemon beyond the token timeout (NODEDOWN,
# then NODEUP when it resumes), and stops and removes everything.
set -euo pipefail

B=${1:-build}
CTL=$B/bin/cohortctl
DIR=$(mktemp -d /tmp/cohort-demo.XXXXXX)
declare -A dpid
pids=()

cleanup() {
	for p in "${dpid[@]}" "${pids[@]}"; do kill -CONT "$p" 2>/dev/null; kill "$p" 2>/dev/null; done || true
	wait 2>/dev/null || true
	[ -n "${DEMO_KEEP:-}" ] && echo "kept $DIR" || rm -rf "$DIR"
}
trap cleanup EXIT

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
on() { local n=$1; shift; COHORT_SOCKET=$DIR/n$n.sock "$@"; }

# Waits until FILE has a line matching PATTERN (the listeners print
# events as they happen; this follows them, no fixed sleeps).
wait_for() {
	local file=$1 pattern=$2 i
	for i in $(seq 1 200); do
		grep -q -- "$pattern" "$file" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "demo: timed out waiting for '$pattern' in $file" >&2
	return 1
}

# Waits until node N reports an operational ring with members MEMBERS.
wait_ring() {
	local n=$1 want=$2 i
	for i in $(seq 1 200); do
		[ "$(on "$n" "$CTL" status 2>/dev/null | awk '$1=="members"{$1="";sub(/^ /,"");print}')" = "$want" ] && return 0
		sleep 0.05
	done
	echo "demo: node $n never had members '$want'" >&2
	return 1
}

start_node() {
	local n=$1
	mkdir -p "$DIR/state$n"
	COHORT_SOCKET=$DIR/n$n.sock COHORT_STATE_DIR=$DIR/state$n \
	    "$B/sbin/cohortd" -f ${DEMO_DEBUG:+-d} -c "$DIR/cluster.conf" -n "$n" 2>>"$DIR/cohortd$n.log" &
	dpid[$n]=$!
}

cat >"$DIR/cluster.conf" <<EOF
totem {
    version: 2
    cluster_name: demo
    transport: udpu
    crypto_cipher: aes256
    crypto_hash: sha256
    keyfile: $DIR/authkey
    token: 1000
}
nodelist {
    node {
        ring0_addr: 127.0.0.1
        nodeid: 1
        name: node1
    }
    node {
        ring0_addr: 127.0.0.2
        nodeid: 2
        name: node2
    }
    node {
        ring0_addr: 127.0.0.3
        nodeid: 3
        name: node3
    }
}
quorum {
    provider: corosync_votequorum
}
EOF
"$CTL" keygen "$DIR/authkey" >/dev/null

say "three nodes on loopback: 127.0.0.1-3, one cohortd each"
for n in 1 2 3; do start_node "$n"; done
for n in 1 2 3; do wait_ring "$n" "1 2 3"; done
on 1 "$CTL" status | sed -n '1,6p'

say "corosync's own tools read the same cluster: quorum, links, the map"
# The links are up once their heartbeats are answered.
for i in $(seq 1 200); do
	on 1 "$CTL" links -b 2>/dev/null | grep -q "= n33" && break
	sleep 0.05
done
on 1 "$B/bin/corosync-quorumtool" -s
on 1 "$B/bin/corosync-cfgtool" -s
on 1 "$B/bin/corosync-cmapctl" runtime.members.

say "a chat listener on every node joins group 'chat'"
for n in 1 2 3; do
	on "$n" "$CTL" listen chat >"$DIR/chat$n.out" 2>&1 &
	pids+=($!)
	wait_for "$DIR/chat$n.out" "joined="
done
wait_for "$DIR/chat1.out" "members=\[1/[0-9]*, 2/[0-9]*, 3/[0-9]*\]"
on 1 "$CTL" cpgtool

say "messages from nodes 1, 2 and 3 (every listener prints the same order)"
on 1 "$CTL" send chat "alice on node 1: hello"
on 2 "$CTL" send chat "bob on node 2: hi alice"
on 3 "$CTL" send chat "carol on node 3: hello both"
on 1 "$CTL" send chat "alice on node 1: bye"
for n in 1 2 3; do wait_for "$DIR/chat$n.out" "alice on node 1: bye"; done
for n in 1 2 3; do
	echo "node $n saw:"
	grep '^message' "$DIR/chat$n.out" | sed 's/^message chat from [^ ]* ([0-9]* bytes): /    /'
done
order1=$(grep '^message' "$DIR/chat1.out" | sed 's/ from [^ ]*//')
for n in 2 3; do
	[ "$(grep '^message' "$DIR/chat$n.out" | sed 's/ from [^ ]*//')" = "$order1" ] ||
	    { echo "demo: node $n saw another order" >&2; exit 1; }
done
echo "same order on all three nodes"

say "node 3's cohortd is killed (kill -9): nodes 1 and 2 see NODEDOWN"
kill -9 "${dpid[3]}"; wait "${dpid[3]}" 2>/dev/null || true
wait_for "$DIR/chat1.out" "nodedown"
wait_ring 1 "1 2"
grep nodedown "$DIR/chat1.out"

say "node 3 restarts and a new listener joins there"
start_node 3
wait_ring 1 "1 2 3"
on 3 "$CTL" listen chat >"$DIR/chat3b.out" 2>&1 &
pids+=($!)
wait_for "$DIR/chat3b.out" "joined="
wait_for "$DIR/chat1.out" "members=\[1/[0-9]*, 2/[0-9]*, 3/[0-9]*\]"
tail -n 2 "$DIR/chat1.out"

say "node 2's cohortd is paused (SIGSTOP) beyond the token timeout"
kill -STOP "${dpid[2]}"
wait_ring 1 "1 3"
wait_for "$DIR/chat1.out" "2/[0-9]* nodedown"
say "and resumed (SIGCONT): its listener is back with NODEUP"
kill -CONT "${dpid[2]}"
wait_ring 1 "1 2 3"
wait_for "$DIR/chat1.out" "nodeup"
grep -E "nodedown|nodeup" "$DIR/chat1.out" | tail -n 2
on 2 "$CTL" send chat "bob on node 2: I am back"
wait_for "$DIR/chat3b.out" "I am back"
grep "I am back" "$DIR/chat3b.out"
on 1 "$CTL" status | sed -n '4,6p'

say "stopping"
for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
pids=()
for n in 1 2 3; do kill "${dpid[$n]}"; wait "${dpid[$n]}" 2>/dev/null || true; done
dpid=()
echo "done: nothing left running"
