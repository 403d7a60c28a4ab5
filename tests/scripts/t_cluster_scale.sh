#!/usr/bin/env bash
# t_cluster_scale.sh BUILD: a larger ring with the default timing and
# transport (knet, no token keys): 16 nodes (8 under the sanitizers)
# form one ring; a daemon stopped (SIGSTOP) leaves it with no other
# change at the survivors, is back after SIGCONT, and after a kill and
# a restart. A CPG client on every node sends throughout; every history
# is checked. bench/scale.sh measures the same at 32 and 64 nodes.
set -uo pipefail
B=${1:-build}
N=16
[ -n "${COHORT_SAN:-}" ] && N=8
CL_TOKEN=default
. tests/cluster/lib.sh
cluster_test_init

cluster_create "$N"
sed -i '/transport: udpu/d' "$CL_DIR/cluster.conf"
ALL=$(seq -s ' ' 1 "$N")
for i in $ALL; do node_start "$i" || fail "start of node $i"; done
wait_ring $ALL || fail "no ring of $N"
for i in $ALL; do client_start "$i" -r 20; done
wait_all_joined || fail "join"

v=$((N / 2))
without=$(for i in $ALL; do [ "$i" != "$v" ] && echo "$i"; done | tr '\n' ' ')
# The survivors' regular configurations before the stop: exactly one
# more each once node v is out (its removal, nothing else).
declare -A regs
count_regs() { grep -c "regular configuration" "$CL_DIR/n$1/daemon.log"; }
for i in $without; do regs[$i]=$(count_regs "$i"); done
cl_log "SIGSTOP of node $v"
node_stop_signal "$v"
wait_ring $without || fail "the others did not form a ring without node $v"
for i in $without; do
	[ "$(count_regs "$i")" = $((regs[$i] + 1)) ] ||
	    fail "node $i: $(( $(count_regs "$i") - regs[$i] )) regular configurations for one node stopped"
done
cl_log "SIGCONT of node $v"
node_cont_signal "$v"
wait_ring $ALL || fail "node $v did not come back after SIGCONT"

cl_log "kill and restart of node $v"
node_kill "$v"
wait_clients_exit_on "$v"
wait_ring $without || fail "the others did not form a ring without node $v"
node_start "$v" || fail "restart of node $v"
wait_ring $ALL || fail "node $v did not come back after its restart"
client_start "$v" -r 20
wait_all_joined || fail "join after the restart"
finish_and_check || fail "histories"
echo "PASS"
