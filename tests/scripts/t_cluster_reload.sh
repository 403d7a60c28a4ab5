#!/usr/bin/env bash
# t_cluster_reload.sh BUILD: corosync-cfgtool -R across three nodes
# (namespaces, crypto on) under CPG traffic, every history checked at the
# end (tests/evs).
#   1. The token timeout raised in the file, -R on node 1: every node
#      applies it at the RELOAD (runtime.config.totem.token and the
#      engine's token_ms), the configuration digest switches after its
#      grace on every node, and the ring does not change: no
#      configuration change, no frame refused for its digest, nothing
#      lost.
#   2. A file that does not load: -R fails with CS_ERR_INVALID_PARAM,
#      every node logs the refusal, the token stays.
#   3. A node added to the nodelist: refused the same way (the nodelist
#      is taken only at start), nothing changes.
set -uo pipefail
B=${1:-build}
. tests/cluster/lib.sh
cluster_test_init

TOKEN_BEFORE=500
TOKEN_AFTER=1000
export CL_TOKEN=$TOKEN_BEFORE

cfgtool() {  # cfgtool NODE ARGS...: our corosync-cfgtool against NODE
	env $(cl_env "$1") "$CL_B/bin/corosync-cfgtool" "${@:2}"
}
map_token() {  # map_token NODE: runtime.config.totem.token in NODE's map
	env $(cl_env "$1") "$CL_B/bin/corosync-cmapctl" -g runtime.config.totem.token 2>&1
}
# wait_line NODE TEXT: until NODE's daemon log has TEXT (bounded).
wait_line() {
	local deadline=$((SECONDS + 30))
	until grep -qF "$2" "$CL_DIR/n$1/daemon.log"; do
		[ $SECONDS -lt $deadline ] || fail "node $1 did not log '$2'"
		sleep 0.1
	done
}
check_token() {  # check_token MS: every node runs MS, map and engine
	local i
	for i in 1 2 3; do
		[ "$(map_token "$i")" = "runtime.config.totem.token (u32) = $1" ] ||
		    fail "node $i's map: $(map_token "$i")"
		[ "$(node_status_field "$i" token_ms)" = "$1" ] ||
		    fail "node $i's engine runs token $(node_status_field "$i" token_ms) ms, not $1"
	done
}

cluster_up 3 3 -r 100
check_token $TOKEN_BEFORE
declare -A mismatch
for i in 1 2 3; do mismatch[$i]=$(node_status_field "$i" stat.net_rx_config_mismatch); done
ring_note 1 2 3

cl_log "1. the token timeout raised"
sed -i "s/token: $TOKEN_BEFORE\$/token: $TOKEN_AFTER/" "$CL_DIR/cluster.conf"
cfgtool 1 -R >"$CL_DIR/r1.out" 2>&1 || fail "-R exited $?: $(cat "$CL_DIR/r1.out")"
for i in 1 2 3; do wait_line "$i" "timing applied: token $TOKEN_AFTER ms (was $TOKEN_BEFORE)"; done
check_token $TOKEN_AFTER
# Every node sends the new digest alone once its grace is over.
for i in 1 2 3; do wait_line "$i" "alone from now on"; done
client_start 1 -r 100   # traffic and a join after the switch
wait_all_joined || fail "join after the reload"
ring_steady "after the reload" "1 2 3" 1 2 3
for i in 1 2 3; do
	v=$(node_status_field "$i" stat.net_rx_config_mismatch)
	[ "$v" = "${mismatch[$i]}" ] ||
	    fail "node $i refused frames for their digest: ${mismatch[$i]} -> $v"
done

cl_log "2. a file that does not load"
cp "$CL_DIR/cluster.conf" "$CL_DIR/good.conf"
sed -i "s/token: $TOKEN_AFTER\$/token: abc/" "$CL_DIR/cluster.conf"
cfgtool 2 -R >"$CL_DIR/r2.out" 2>&1 && fail "-R of a bad file succeeded"
grep -qF "Could not reload configuration. Error CS_ERR_INVALID_PARAM" "$CL_DIR/r2.out" ||
    fail "-R of a bad file: $(cat "$CL_DIR/r2.out")"
for i in 1 2 3; do wait_line "$i" "reload refused, nothing changed"; done

cl_log "3. a node added to the nodelist"
sed "s/^nodelist {\$/nodelist {\n    node {\n        ring0_addr: $(cl_addr 4)\n        nodeid: 4\n    }/" \
    "$CL_DIR/good.conf" >"$CL_DIR/cluster.conf"
grep -q "nodeid: 4" "$CL_DIR/cluster.conf" || fail "the test could not add node 4"
cfgtool 3 -R >"$CL_DIR/r3.out" 2>&1 && fail "-R of a new nodelist succeeded"
for i in 1 2 3; do wait_line "$i" "nodelist are not applied at run time"; done
check_token $TOKEN_AFTER
ring_steady "after the refusals" "1 2 3" 1 2 3
finish_and_check || fail "histories"
cl_log "PASS"
