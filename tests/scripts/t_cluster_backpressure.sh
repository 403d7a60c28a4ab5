#!/usr/bin/env bash
# t_cluster_backpressure.sh BUILD: a slow reader on one node holds back
# the senders of every node instead of being disconnected. 3 nodes in
# network namespaces; node 1's client sends 30000-byte messages at 2000
# a second (60 MB/s), nodes 2 and 3 send a few. Node 2's client is
# stopped (SIGSTOP) for 3 s: at that rate its unread events would pass
# the 48 MiB hard limit in under a second without back-pressure. Checks
# that node 2 held the ring back for it (stat.ring_held_for_readers,
# `congested` while it is stopped), that node 1's sending slowed to what
# node 2 can take (far fewer messages than 3 s at full rate), that no
# client was disconnected, that the ring never changed, and, once the
# client runs again, that every history passes the checker (tests/evs).
set -uo pipefail
B=${1:-build}
. tests/cluster/lib.sh
cluster_test_init

# congested_is NODE VALUE: until node NODE's `congested` is VALUE.
congested_is() {
	local deadline=$((SECONDS + 30)) v
	while [ $SECONDS -lt $deadline ]; do
		v=$(node_status_field "$1" congested)
		[ "$v" = "$2" ] && return 0
		sleep 0.1
	done
	fail "node $1: congested stayed '${v:-}' (want $2)"
}

cluster_create 3
for i in 1 2 3; do node_start "$i" || fail "start of node $i"; done
wait_ring 1 2 3 || fail "no ring of 3"
client_start 1 -r 2000 -s 30000
client_start 2 -r 10
client_start 3 -r 10
wait_all_joined || fail "join"
ring0=$(node_status_field 1 ring_id)
reader=$(client_pid 1)   # client index 1: node 2's
cl_log "node 2's client (pid $reader) stops reading for 3 s"
kill -STOP "$reader"
congested_is 2 1
o0=$(node_status_field 1 stat.originated)
sleep 3   # the reader stays stopped (a workload period, not a wait)
o1=$(node_status_field 1 stat.originated)
held=$(node_status_field 2 stat.ring_held_for_readers)
cl_log "node 1 numbered $((o1 - o0)) datagrams in 3 s while node 2 held the ring ($held times)"
kill -CONT "$reader"
congested_is 2 0
# 3 s at 60 MB/s is about 2750 datagrams of 64 KiB: held back, node 1
# numbers at most what node 2's queue takes before the watermark.
[ "$((o1 - o0))" -lt 1000 ] || fail "node 1 numbered $((o1 - o0)) datagrams in 3 s while node 2's reader was stopped"
[ "${held:-0}" -gt 0 ] || fail "node 2 never held the ring back"
for i in 1 2 3; do
	ev=$(node_status_field "$i" stat.ipc_evicted_clients)
	[ "$ev" = 0 ] || fail "node $i disconnected $ev clients"
done
[ "$(node_status_field 1 ring_id)" = "$ring0" ] || fail "the ring changed"
finish_and_check || fail "histories"
echo "PASS"
