#!/usr/bin/env bash
# t_cluster_asym.sh BUILD: 3 nodes; node 1 stops hearing node 2 while
# node 2 still hears node 1 (nftables, one way). The cluster must settle
# in some consistent configuration without losing or reordering a
# message, and merge back once the filter is removed.
set -uo pipefail
B=${1:-build}
. tests/cluster/lib.sh
cluster_test_init

cluster_up 3 3 -r 100
sleep 1
cl_log "node 1 stops hearing node 2"
drop_from 1 2
sleep 5   # the asymmetric period: membership does what it must
cl_log "filter removed"
clear_filters
wait_ring 1 2 3 || fail "no ring of 3 after the filter went"
sleep 1
finish_and_check || fail "histories"
echo "PASS"
