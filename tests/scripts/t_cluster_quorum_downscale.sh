#!/usr/bin/env bash
# t_cluster_quorum_downscale.sh BUILD: 3 nodes with votequorum and
# allow_downscale. A clean stop of node 3 (SIGTERM) first tells the
# cluster the node leaves (its node information marked LEAVING, as
# corosync's exit does), so the other two lower their expected votes to
# 2; a kill -9 of node 2 after that does not (it told no one).
set -uo pipefail
B=${1:-build}
. tests/cluster/lib.sh
. tests/cluster/quorum.sh
cluster_test_init

cl_votequorum "allow_downscale: 1"
cluster_create 3
nodes_start 1 2 3
wait_ring 1 2 3 || fail "no ring of 3"
wait_quorum "1 2 3" "1 2 3 3 Quorate AllowDownscale" || fail "3 nodes"
cl_log "SIGTERM to node 3"
kill -TERM "${CL_DPID[3]}"
wait "${CL_DPID[3]}" || fail "node 3 did not stop cleanly"
CL_DPID[3]=
grep -q "quorum: telling the cluster this node leaves" \
    "$CL_DIR/n3/daemon.log" || fail "node 3 did not tell it leaves"
wait_ring 1 2 || fail "no ring of 2"
wait_quorum "1 2" "1 2 2 2 Quorate AllowDownscale" || fail "expected votes not lowered"
cl_log "kill -9 of node 2"
node_kill 2
wait_ring 1 || fail "no ring of 1"
wait_quorum "1" "0 2 1 2 AllowDownscale" || fail "the last node"
echo "PASS"
