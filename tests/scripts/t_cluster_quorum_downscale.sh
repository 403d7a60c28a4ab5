#!/usr/bin/env bash
# t_cluster_quorum_downscale.sh BUILD: 3 nodes with votequorum and
# allow_downscale. A clean stop of node 3 (SIGTERM) first tells the
# cluster the node leaves (its node information marked LEAVING, as
# corosync's exit does), so the other two lower their expected votes to
# 2; a shutdown of node 2 through the cfg service (corosync-cfgtool -H)
# does the same: node 1 alone has expected votes 1.
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
cl_log "corosync-cfgtool -H on node 2"
env $(cl_env 2) "$CL_B/bin/corosync-cfgtool" -H >/dev/null 2>&1 ||
    fail "corosync-cfgtool -H"
wait "${CL_DPID[2]}" || fail "node 2 did not stop cleanly"
CL_DPID[2]=
grep -q "quorum: telling the cluster this node leaves" \
    "$CL_DIR/n2/daemon.log" || fail "node 2 did not tell it leaves"
wait_ring 1 || fail "no ring of 1"
# Node 1's expected votes (the fourth field) went down to its own.
deadline=$((SECONDS + ${CL_WAIT:-60}))
until [ "$(quorum_of 1 | awk '{print $4}')" = 1 ]; do
	[ $SECONDS -lt $deadline ] ||
	    fail "expected votes not lowered to 1: $(quorum_of 1)"
	sleep 0.1
done
echo "PASS"
