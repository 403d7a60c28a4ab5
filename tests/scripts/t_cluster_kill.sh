#!/usr/bin/env bash
# t_cluster_kill.sh BUILD: 3 nodes in network namespaces, a CPG client
# sending on every node; kill -9 of one daemon (the others see it leave
# with NODEDOWN, failing it on its closed port), its restart (it comes back in the ring and the group),
# then every history is checked (tests/evs, invariants 1-4 and 9-12).
set -uo pipefail
B=${1:-build}
. tests/cluster/lib.sh
cluster_test_init

cluster_up 3 3 -r 100
sleep 1   # traffic before the fault (a workload period, not a wait for an event)
cl_log "kill -9 of node 3's daemon"
node_kill 3
wait_clients_exit_on 3
wait_ring 1 2 || fail "survivors did not form a ring"
# Node 3's host is up, its port closed: the survivors' datagrams to it came
# back as port unreachable, and they failed it on that (cohortd.8).
for i in 1 2; do
	n=$(node_status_field "$i" stat.peers_failed_unreachable)
	[ "${n:-0}" -ge 1 ] || fail "node $i did not fail node 3 on its closed port (stat.peers_failed_unreachable=$n, net_port_unreachable=$(node_status_field "$i" stat.net_port_unreachable))"
done
cl_log "restart of node 3"
node_start 3 || fail "restart"
wait_ring 1 2 3 || fail "node 3 did not rejoin"
client_start 3 -r 100
wait_all_joined || fail "join after restart"
sleep 1
finish_and_check || fail "histories"
echo "PASS"
