#!/usr/bin/env bash
# t_cluster_asym.sh BUILD: 3 nodes (the token goes 1, 2, 3), links that
# fail one way (nftables), every history checked at the end.
#   1. Node 1 stops hearing node 2, off the token's path: node 2's
#      messages reach node 1 through node 3's retransmissions; the ring
#      stays, with no configuration change anywhere, and node 1 goes on
#      delivering node 2's messages.
#   2. That filter goes and node 2 stops hearing node 1, on the token's
#      path: nodes 2 and 3 go on delivering (node 1 is cut off while it
#      lasts).
# Then the filter goes and the three merge back. Nothing lost or
# reordered.
set -uo pipefail
B=${1:-build}
. tests/cluster/lib.sh
cluster_test_init

# wait_delivered K SENDER N: until client K has delivered N messages of
# process SENDER. Bounded (CL_WAIT s).
wait_delivered() {
	local deadline=$((SECONDS + ${CL_WAIT:-60}))
	until [ "$(grep -c "^deliver $2 " "$CL_DIR/h$1")" -ge "$3" ]; do
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.1
	done
}
# delivered K SENDER: how many messages of SENDER client K delivered.
delivered() { grep -c "^deliver $2 " "$CL_DIR/h$1"; }
# proc K: client K's process name in the histories.
proc() { awk 'NR == 1 { print $2 }' "$CL_DIR/h$1"; }

cluster_up 3 3 -r 100
p2=$(proc 1) p3=$(proc 2)
ring_note 1 2 3
cl_log "node 1 stops hearing node 2 (off the token's path)"
drop_from 1 2
n=$(delivered 0 "$p2")
wait_delivered 0 "$p2" $((n + 300)) ||
    fail "node 1 stopped delivering node 2's messages"
ring_steady "node 1 deaf to node 2" "1 2 3" 1 2 3
clear_filters

cl_log "node 2 stops hearing node 1 (on the token's path)"
drop_from 2 1
n=$(delivered 1 "$p3")
wait_delivered 1 "$p3" $((n + 300)) ||
    fail "node 2 stopped delivering node 3's messages"
n=$(delivered 2 "$p2")
wait_delivered 2 "$p2" $((n + 300)) ||
    fail "node 3 stopped delivering node 2's messages"
cl_log "filter removed"
clear_filters
wait_ring 1 2 3 || fail "no ring of 3 after the filter went"
finish_and_check || fail "histories"
echo "PASS"
