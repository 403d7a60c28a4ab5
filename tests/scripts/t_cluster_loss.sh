#!/usr/bin/env bash
# t_cluster_loss.sh BUILD: 5 nodes with 5% random loss on every node's
# input (nftables numgen random) under traffic, and a daemon killed and
# restarted during the loss: nothing lost, nothing reordered.
set -uo pipefail
B=${1:-build}
. tests/cluster/lib.sh
cluster_test_init

cluster_up 5 5 -r 50 -s 1200
cl_log "5% loss"
random_loss 5
sleep 3
cl_log "kill -9 of node 5's daemon under loss"
node_kill 5
wait_clients_exit_on 5
wait_ring 1 2 3 4 || fail "survivors under loss"
node_start 5 || fail "restart"
client_start 5 -r 50 -s 1200
wait_ring 1 2 3 4 5 || fail "node 5 back under loss"
wait_all_joined || fail "join after restart"
sleep 2
cl_log "loss off"
clear_filters
wait_ring 1 2 3 4 5 || fail "ring of 5"
finish_and_check || fail "histories"
echo "PASS"
