#!/usr/bin/env bash
# t_cluster_quorum_lms.sh BUILD: 3 nodes with votequorum and
# last_man_standing (window 500 ms). After a kill -9 of node 3 the two
# survivors keep quorum, and once the window has passed (its expiry
# multicast and applied by both) their expected votes drop to 2; a lone
# survivor after that has no quorum (the last two need the tie
# breaker); node 2 back restores it, node 2 keeping its configured
# expected votes (it learnt none from a quorate node), as corosync's.
set -uo pipefail
B=${1:-build}
. tests/cluster/lib.sh
. tests/cluster/quorum.sh
cluster_test_init

cl_votequorum "last_man_standing: 1" "last_man_standing_window: 500"
cluster_create 3
nodes_start 1 2 3
wait_ring 1 2 3 || fail "no ring of 3"
wait_quorum "1 2 3" "1 2 3 3 Quorate LastManStanding" || fail "3 nodes"
cl_log "kill -9 of node 3"
node_kill 3
wait_ring 1 2 || fail "no ring of 2"
wait_quorum "1 2" "1 2 2 2 Quorate LastManStanding" ||
    fail "the window passed: expected votes 2"
cl_log "kill -9 of node 2"
node_kill 2
wait_ring 1 || fail "no ring of 1"
wait_quorum "1" "0 2 1 2 LastManStanding" || fail "the last node"
nodes_start 2
wait_ring 1 2 || fail "no ring of 2 again"
wait_quorum "1" "1 2 2 2 Quorate LastManStanding" || fail "node 1 again"
wait_quorum "2" "1 2 2 3 Quorate LastManStanding" || fail "node 2 back"
echo "PASS"
