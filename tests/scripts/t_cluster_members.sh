#!/usr/bin/env bash
# t_cluster_members.sh BUILD: the member limit of a group across nodes
# (cpg_join(3)). 3 nodes in network namespaces. First, 44 processes on
# each node join one group at the same moment, so that joins of several
# nodes are in flight at once: exactly 128 join, the other 4 get
# CS_ERR_NO_SPACE, no confchg lists more than 128, every node lists 128
# members. Then a partition {1} | {2,3} in which 66 processes on node 1
# and 66 on node 2 join another group, each side's group legal, and the
# merge: every node keeps 128, node 1's 66 and node 2's first 62, and
# node 2 disconnects its other 4.
set -uo pipefail
B=${1:-build}
. tests/cluster/lib.sh
cluster_test_init

LIMIT=128
declare -A J_PID

# joiners_start I GROUP COUNT: COUNT processes on node I, connected and
# waiting for joiners_go; their counts go to $CL_DIR/j.I.GROUP.
joiners_start() {
	local k=$CL_NEXT_CLIENT
	CL_NEXT_CLIENT=$((k + 1))
	ip netns exec "$(cl_ns "$1")" env $(cl_env "$1") \
	    "$CL_B/tests/cluster/joiners" -g "$2" -n "$3" \
	    -o "$CL_DIR/j.$1.$2" 2>>"$CL_DIR/clients.log" &
	J_PID[$1.$2]=$!
	CL_CLIENTS[$k]="$! $1"   # killed by cluster_cleanup
}
joiners_go() { kill -USR1 "${J_PID[$1.$2]}"; }
joiners_stop() { kill -TERM "${J_PID[$1.$2]}"; wait "${J_PID[$1.$2]}"; }
jval() { awk -v k="$3" '$1 == k { print $2 }' "$CL_DIR/j.$1.$2" 2>/dev/null; }

# wait_jval I GROUP KEY VALUE: until that count is VALUE (bounded).
wait_jval() {
	local deadline=$((SECONDS + ${CL_WAIT:-60}))
	until [ "$(jval "$1" "$2" "$3")" = "$4" ]; do
		[ $SECONDS -lt $deadline ] || fail "node $1, $2: $3 is $(jval "$1" "$2" "$3"), not $4 ($(tr '\n' ' ' <"$CL_DIR/j.$1.$2" 2>/dev/null))"
		sleep 0.05
	done
}

# wait_members I GROUP N: until node I lists N members of GROUP.
wait_members() {
	local deadline=$((SECONDS + ${CL_WAIT:-60})) got
	while :; do
		got=$(ctl "$1" members "$2" 2>&1 | awk 'NR == 1 { print $(NF - 1) }')
		[ "$got" = "$3" ] && return 0
		[ $SECONDS -lt $deadline ] || fail "node $1 lists $got members of $2, not $3"
		sleep 0.1
	done
}

answered() { echo $(( $(jval "$1" "$2" joined) + $(jval "$1" "$2" refused) + $(jval "$1" "$2" other) )); }

cluster_create 3
for i in 1 2 3; do node_start "$i" || fail "start of node $i"; done
wait_ring 1 2 3 || fail "no ring of 3"

cl_log "132 joins of one group, 44 from each node at once"
for i in 1 2 3; do joiners_start "$i" limit 44; done
for i in 1 2 3; do wait_jval "$i" limit ready 44; done
for i in 1 2 3; do joiners_go "$i" limit; done
joined=0 refused=0
for i in 1 2 3; do
	deadline=$((SECONDS + ${CL_WAIT:-60}))
	until [ "$(answered "$i" limit 2>/dev/null)" = 44 ]; do
		[ $SECONDS -lt $deadline ] || fail "node $i: not every join was answered"
		sleep 0.05
	done
	[ "$(jval "$i" limit other)" = 0 ] || fail "node $i: a join failed otherwise"
	joined=$((joined + $(jval "$i" limit joined)))
	refused=$((refused + $(jval "$i" limit refused)))
done
cl_log "joined $joined, refused $refused"
[ "$joined" = $LIMIT ] && [ "$refused" = 4 ] || fail "$joined joined and $refused refused, not $LIMIT and 4"
for i in 1 2 3; do wait_members "$i" limit $LIMIT; done
for i in 1 2 3; do
	[ "$(jval "$i" limit max)" -le $LIMIT ] || fail "node $i: a confchg listed $(jval "$i" limit max) members"
	joiners_stop "$i" limit
done

cl_log "partition {1} | {2,3}; 66 join on each side"
partition 1
wait_ring 1 || fail "node 1 alone"
wait_ring 2 3 || fail "nodes 2 and 3"
for i in 1 2; do joiners_start "$i" merged 66; done
for i in 1 2; do wait_jval "$i" merged ready 66; done
for i in 1 2; do joiners_go "$i" merged; done
for i in 1 2; do wait_jval "$i" merged joined 66; done
wait_members 3 merged 66
cl_log "merge"
heal
wait_ring 1 2 3 || fail "no ring of 3 after the merge"
wait_jval 2 merged evicted 4
for i in 1 2 3; do wait_members "$i" merged $LIMIT; done
[ "$(jval 1 merged evicted)" = 0 ] || fail "node 1's members were dropped"
for i in 1 2; do
	[ "$(jval "$i" merged max)" -le $LIMIT ] || fail "node $i: a confchg listed $(jval "$i" merged max) members"
done
grep -q "more than $LIMIT" "$CL_DIR/n2/daemon.log" || fail "node 2 did not log why it dropped members"
for i in 1 2; do joiners_stop "$i" merged; done
echo "PASS"
