#!/usr/bin/env bash
# t_cluster_pause.sh BUILD: 3 nodes; one daemon stopped (SIGSTOP) beyond
# the token timeout, so the others form a ring without it, then resumed
# (SIGCONT): it finds itself out of the ring, rejoins, and its clients
# come back through NODEDOWN / NODEUP. Every history is checked.
set -uo pipefail
B=${1:-build}
. tests/cluster/lib.sh
cluster_test_init

cluster_up 3 3 -r 100
sleep 1
cl_log "SIGSTOP of node 2's daemon"
node_stop_signal 2
wait_ring 1 3 || fail "the others did not form a ring without node 2"
cl_log "SIGCONT of node 2's daemon"
node_cont_signal 2
wait_ring 1 2 3 || fail "node 2 did not come back"
sleep 1
finish_and_check || fail "histories"
echo "PASS"
