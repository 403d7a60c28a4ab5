#!/usr/bin/env bash
# t_cluster_config.sh BUILD: a node whose configuration differs where
# nodes must agree (namespaces, crypto on).
#   1. Node 1's nodelist is {1,2}, nodes 2 and 3 have {1,2,3}: nodes 2
#      and 3 form a ring and keep it while node 1's datagrams keep
#      arriving (each dropped: stat.net_rx_config_mismatch); node 1
#      stays alone; nodes 1 and 2 log which values differ, with both
#      values, and node 2's `cohortctl --json status` shows them.
#   2. Node 1 with the full nodelist but another token timeout: the
#      same, the difference named "token".
#   3. Node 1 with the cluster's configuration: it joins, and the
#      difference is gone from the status.
set -uo pipefail
B=${1:-build}
. tests/cluster/lib.sh
cluster_test_init

json() { ctl "$1" --json status | jq -r --arg k "$2" '.[$k] // empty'; }
# wait_log NODE TEXT: until NODE's daemon log has a line containing TEXT.
wait_log() {
	local deadline=$((SECONDS + 30))
	until grep -qF -- "$2" "$CL_DIR/n$1/daemon.log"; do
		[ $SECONDS -lt $deadline ] || fail "node $1 never logged: $2"
		sleep 0.1
	done
	cl_log "node $1: $(grep -F -- "$2" "$CL_DIR/n$1/daemon.log" | tail -1)"
}
# wait_json NODE KEY VALUE: until NODE's status --json has KEY = VALUE.
wait_json() {
	local deadline=$((SECONDS + 30))
	until [ "$(json "$1" "$2")" = "$3" ]; do
		[ $SECONDS -lt $deadline ] || fail "node $1: $2 is '$(json "$1" "$2")', not '$3'"
		sleep 0.1
	done
}
# stable_while_dropping: nodes 2 and 3 keep their ring while node 2
# drops MISMATCHES more of node 1's datagrams for the configuration.
stable_while_dropping() {
	local ring confs2 confs3 m0 deadline=$((SECONDS + 60))
	ring=$(node_status_field 2 ring_id)
	confs2=$(node_status_field 2 stat.configurations)
	confs3=$(node_status_field 3 stat.configurations)
	m0=$(node_status_field 2 stat.net_rx_config_mismatch)
	until [ "$(node_status_field 2 stat.net_rx_config_mismatch)" -ge $((m0 + MISMATCHES)) ]; do
		[ $SECONDS -lt $deadline ] || fail "node 2 dropped only $(( $(node_status_field 2 stat.net_rx_config_mismatch) - m0 )) of node 1's datagrams"
		sleep 0.2
	done
	for i in 2 3; do
		[ "$(node_status_field "$i" ring_id)" = "$ring" ] || fail "node $i: ring $ring -> $(node_status_field "$i" ring_id)"
		[ "$(node_status_field "$i" members)" = "2 3" ] || fail "node $i: members $(node_status_field "$i" members)"
	done
	[ "$(node_status_field 2 stat.configurations)" = "$confs2" ] || fail "node 2: configurations $confs2 -> $(node_status_field 2 stat.configurations)"
	[ "$(node_status_field 3 stat.configurations)" = "$confs3" ] || fail "node 3: configurations $confs3 -> $(node_status_field 3 stat.configurations)"
	[ "$(node_status_field 1 members)" = 1 ] || fail "node 1: members $(node_status_field 1 members)"
	cl_log "nodes 2 and 3 kept ring $ring while node 2 dropped $MISMATCHES of node 1's datagrams"
}
MISMATCHES=40
[ -n "${COHORT_SAN:-}" ] && MISMATCHES=20

cluster_create 3
# Node 1's file: the cluster's without node 3's entry.
awk '
	/node \{/ { buf = $0; inblk = 1; next }
	inblk { buf = buf "\n" $0; if ($0 ~ /nodeid: 3$/) drop = 1; if ($0 ~ /^    }/) { if (!drop) print buf; inblk = 0; drop = 0 } ; next }
	{ print }' "$CL_DIR/cluster.conf" >"$CL_DIR/two.conf"
grep -q "nodeid: 3" "$CL_DIR/two.conf" && fail "two.conf still has node 3"
cl_log "1. node 1 with the nodelist {1,2}, nodes 2 and 3 with {1,2,3}, started together"
CL_CONF[1]=$CL_DIR/two.conf
for i in 1 2 3; do node_start "$i" || fail "start of node $i"; done
wait_ring 2 3 || fail "no ring of 2 and 3"
wait_log 2 "node 1: nodes is '3' here, '2' there"
wait_log 2 "node 1: node.3 is '$(cl_addr 3):5405' here, '(none)' there"
wait_log 1 "node 2: nodes is '2' here, '3' there"
wait_json 2 node.1.config differs
wait_json 2 node.1.config.nodes.here 3
wait_json 2 node.1.config.nodes.there 2
[ "$(json 2 node.1.config_keys)" = "nodes nodelist node.3" ] || fail "node 2: keys '$(json 2 node.1.config_keys)'"
wait_json 1 node.2.config differs
stable_while_dropping
node_kill 1

cl_log "2. node 1 with the full nodelist and token 3000 (the others: $CL_TOKEN)"
sed "s/token: $CL_TOKEN\$/token: 3000/" "$CL_DIR/cluster.conf" >"$CL_DIR/token.conf"
grep -q "token: 3000" "$CL_DIR/token.conf" || fail "token.conf"
CL_CONF[1]=$CL_DIR/token.conf
node_start 1 || fail "restart of node 1"
wait_log 2 "node 1: token is '$CL_TOKEN' here, '3000' there"
wait_log 3 "node 1: token is '$CL_TOKEN' here, '3000' there"
wait_log 1 "node 2: token is '3000' here, '$CL_TOKEN' there"
wait_json 3 node.1.config_keys token
wait_json 3 node.1.config.token.there 3000
stable_while_dropping
node_kill 1

cl_log "3. node 1 with the cluster's configuration joins"
CL_CONF[1]=
node_start 1 || fail "restart of node 1"
wait_ring 1 2 3 || fail "node 1 did not join"
for i in 2 3; do
	[ -z "$(json "$i" node.1.config)" ] || fail "node $i still shows node 1's configuration as '$(json "$i" node.1.config)'"
done
echo "PASS"
