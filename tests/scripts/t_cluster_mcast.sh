#!/usr/bin/env bash
# t_cluster_mcast.sh BUILD: 3 nodes in network namespaces on corosync's
# udp transport (IP multicast, the group derived from the cluster name),
# a CPG client sending on every node. Checks that multicast really
# carries the traffic (an nftables counter of datagrams to 224.0.0.0/4
# leaving node 1), that `cohortctl status` shows each link up, then down
# for a node killed with -9 (while the survivors go on), and up again
# once it is back; every history is checked (tests/evs).
set -uo pipefail
B=${1:-build}
# The transport's sanitized code runs in every other cluster test of the
# sanitizer pass; multicast adds socket options, not memory handling.
[ "${COHORT_SAN:-}" = 1 ] && { echo "multicast runs in the normal pass only (time budget of make check)"; exit 77; }
. tests/cluster/lib.sh
cluster_test_init

# link_is I J STATE: until node I reports node J's link in STATE.
link_is() {
	local deadline=$((SECONDS + ${CL_WAIT:-60})) got
	while [ $SECONDS -lt $deadline ]; do
		got=$(node_status_field "$1" "node.$2.link")
		[ "$got" = "$3" ] && return 0
		sleep 0.1
	done
	fail "node $1 reports node $2's link '$got', want '$3'"
}

mcast_out() {  # datagrams node 1 sent to multicast groups so far
	ip netns exec "$(cl_ns 1)" nft list table inet cohmcast |
	    awk '/counter/ { for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1) }'
}

cluster_create 3
sed -i 's/transport: udpu/transport: udp/' "$CL_DIR/cluster.conf"
grep -q 'transport: udp$' "$CL_DIR/cluster.conf" || fail "no udp transport in the test configuration"
ip netns exec "$(cl_ns 1)" nft add table inet cohmcast
ip netns exec "$(cl_ns 1)" nft "add chain inet cohmcast out { type filter hook output priority 0; }"
ip netns exec "$(cl_ns 1)" nft add rule inet cohmcast out ip daddr 224.0.0.0/4 udp dport 5405 counter
for i in 1 2 3; do node_start "$i" || fail "start of node $i"; done
wait_ring 1 2 3 || fail "no ring of 3 over multicast"
for i in 1 2 3; do client_start "$i" -r 100; done
wait_all_joined || fail "join"
for i in 1 2 3; do for j in 1 2 3; do
	[ "$i" = "$j" ] && want=local || want=up
	link_is "$i" "$j" "$want"
done; done
m0=$(mcast_out)
sleep 1   # traffic (a workload period, not a wait for an event)
m1=$(mcast_out)
cl_log "node 1 sent $((m1 - m0)) multicast datagrams in 1 s ($m1 in all)"
[ "$((m1 - m0))" -gt 50 ] || fail "node 1 sent only $((m1 - m0)) multicast datagrams in 1 s of traffic"
tx=$(node_status_field 1 stat.net_tx)
cl_log "node 1: stat.net_tx $tx"

cl_log "kill -9 of node 3's daemon"
node_kill 3
wait_clients_exit_on 3
wait_ring 1 2 || fail "survivors did not form a ring"
link_is 1 3 down
link_is 2 3 down
link_is 1 2 up
cl_log "restart of node 3"
node_start 3 || fail "restart"
wait_ring 1 2 3 || fail "node 3 did not rejoin"
link_is 1 3 up
link_is 3 1 up
client_start 3 -r 100
wait_all_joined || fail "join after restart"
sleep 1
finish_and_check || fail "histories"
echo "PASS"
