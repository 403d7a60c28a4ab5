#!/usr/bin/env bash
# t_cluster_quorum.sh BUILD: 3 nodes with votequorum. Every node reports
# the same quorum (cohortctl --json status) once the ring forms; after a
# kill -9 of node 3 the other two keep quorum (2 of 3 votes); a lone
# survivor loses it (the quorum stays 2); the restarted nodes bring it
# back.
set -uo pipefail
B=${1:-build}
. tests/cluster/lib.sh
. tests/cluster/quorum.sh
cluster_test_init

cl_votequorum
cluster_create 3
nodes_start 1 2 3
wait_ring 1 2 3 || fail "no ring of 3"
wait_quorum "1 2 3" "1 2 3 3 Quorate" || fail "3 nodes"
cl_log "kill -9 of node 3"
node_kill 3
wait_ring 1 2 || fail "no ring of 2"
wait_quorum "1 2" "1 2 2 3 Quorate" || fail "2 of 3 nodes"
if [ -z "${COHORT_SAN:-}" ]; then
	cl_log "kill -9 of node 2"
	node_kill 2
	wait_ring 1 || fail "no ring of 1"
	wait_quorum "1" "0 2 1 3 " || fail "1 of 3 nodes"
	nodes_start 2
	wait_ring 1 2 || fail "no ring of 2 again"
fi
nodes_start 3
wait_ring 1 2 3 || fail "no ring of 3 again"
wait_quorum "1 2 3" "1 2 3 3 Quorate" || fail "3 nodes again"
grep -q "quorum: this node is in a quorate partition" "$CL_DIR/n1/daemon.log" ||
    fail "no quorum log line"
echo "PASS"
