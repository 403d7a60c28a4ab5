#!/usr/bin/env bash
# t_cluster_quorum5.sh BUILD: 5 nodes with votequorum. All report quorum
# 3 of 5 votes; a partition {1,2,3} | {4,5}: the majority keeps quorum
# with 3 votes, the minority loses it (2 votes, quorum still 3); the
# heal brings every node back to quorate with 5 votes.
set -uo pipefail
B=${1:-build}
. tests/cluster/lib.sh
. tests/cluster/quorum.sh
cluster_test_init

cl_votequorum
cluster_create 5
nodes_start 1 2 3 4 5
wait_ring 1 2 3 4 5 || fail "no ring of 5"
wait_quorum "1 2 3 4 5" "1 3 5 5 Quorate" || fail "5 nodes"
cl_log "partition {1,2,3} | {4,5}"
partition "4 5"
wait_ring 1 2 3 || fail "majority side"
wait_ring 4 5 || fail "minority side"
wait_quorum "1 2 3" "1 3 3 5 Quorate" || fail "majority"
wait_quorum "4 5" "0 3 2 5 " || fail "minority"
cl_log "heal"
heal
wait_ring 1 2 3 4 5 || fail "the sides did not merge"
wait_quorum "1 2 3 4 5" "1 3 5 5 Quorate" || fail "after the heal"
echo "PASS"
