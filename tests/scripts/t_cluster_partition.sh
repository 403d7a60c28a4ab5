#!/usr/bin/env bash
# t_cluster_partition.sh BUILD: 5 nodes; the network splits {1,2,3} |
# {4,5} (ports moved to another bridge), each side goes on as a ring of
# its own, then the split heals and the rings merge. Every history is
# checked, and every client ends in one view of all of them.
set -uo pipefail
B=${1:-build}
. tests/cluster/lib.sh
cluster_test_init

cluster_up 5 5 -r 50
sleep 1
cl_log "partition {1,2,3} | {4,5}"
partition "4 5"
wait_ring 1 2 3 || fail "majority side"
wait_ring 4 5 || fail "minority side"
sleep 1
cl_log "heal"
heal
wait_ring 1 2 3 4 5 || fail "the sides did not merge"
sleep 1
finish_and_check || fail "histories"
echo "PASS"
