#!/usr/bin/env bash
# t_cluster_quorum2.sh BUILD: two_node with two nodes (wait_for_all on by
# two_node). Node 1 alone at start waits for all (inquorate though its
# quorum is 1); with node 2 both are quorate; after a kill -9 of node 2
# node 1 keeps quorum alone.
set -uo pipefail
B=${1:-build}
. tests/cluster/lib.sh
. tests/cluster/quorum.sh
cluster_test_init

cl_votequorum "two_node: 1"
cluster_create 2
nodes_start 1
wait_ring 1 || fail "no ring of 1"
wait_quorum "1" "0 1 1 2 2Node WaitForAll" || fail "node 1 alone at start"
nodes_start 2
wait_ring 1 2 || fail "no ring of 2"
wait_quorum "1 2" "1 1 2 2 2Node Quorate WaitForAll" || fail "2 nodes"
cl_log "kill -9 of node 2"
node_kill 2
wait_ring 1 || fail "no ring of 1 after the kill"
wait_quorum "1" "1 1 1 2 2Node Quorate WaitForAll" || fail "survivor"
echo "PASS"
