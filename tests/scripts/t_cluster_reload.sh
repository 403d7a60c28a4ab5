#!/usr/bin/env bash
# t_cluster_reload.sh BUILD: corosync-cfgtool -R across three nodes
# (namespaces, crypto on, votequorum) under CPG traffic, every history
# checked at the end (tests/evs).
#   1. The token timeout raised in the file, -R on node 1: every node
#      applies it at the RELOAD (runtime.config.totem.token and the
#      engine's token_ms), the configuration digest switches after its
#      grace on every node, and the ring does not change: no
#      configuration change, no frame refused for its digest, nothing
#      lost.
#   2. A file that does not load: -R fails with CS_ERR_INVALID_PARAM,
#      every node logs the refusal, the token stays.
#   3. A member removed from the nodelist: refused the same way.
#   4. A 4th node added to every node's file, -R: each node adds it
#      (nodelist.node.3.nodeid in the map) and quorum's expected votes
#      become 4; node 4 is then started with that file, joins the ring
#      and its client the group.
#   5. Node 4 stopped and removed from the files, -R: each node removes
#      it, expected votes back to 3.
set -uo pipefail
B=${1:-build}
. tests/cluster/lib.sh
. tests/cluster/quorum.sh
cluster_test_init

TOKEN_BEFORE=500
TOKEN_AFTER=1000
export CL_TOKEN=$TOKEN_BEFORE
cl_votequorum

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

# "quorate quorum total expected" as node I reports them.
votes_of() { quorum_of "$1" | cut -d' ' -f1-4; }
wait_votes() {  # wait_votes "NODES" "QUORATE QUORUM TOTAL EXPECTED"
	local deadline=$((SECONDS + 30)) i
	for i in $1; do
		until [ "$(votes_of "$i")" = "$2" ]; do
			[ $SECONDS -lt $deadline ] || fail "node $i's quorum is $(votes_of "$i"), not $2"
			sleep 0.1
		done
	done
}

# A nodelist of four, nodes 1-3 running with a file that names three
# (node 4's section cut out): the file every reload reads.
cluster_create 4
awk '/^    node \{$/ { blk = $0; getline; blk = blk "\n" $0
	if ($0 ~ /'"$(cl_addr 4)"'$/) { for (k = 0; k < 3; k++) getline; next }
	print blk; next } { print }' "$CL_DIR/cluster.conf" >"$CL_DIR/three.conf"
grep -q "nodeid: 4" "$CL_DIR/three.conf" && fail "the test could not cut node 4 out"
mv "$CL_DIR/cluster.conf" "$CL_DIR/four.conf"
cp "$CL_DIR/three.conf" "$CL_DIR/cluster.conf"
for i in 1 2 3; do node_start "$i" || fail "start of node $i"; done
wait_ring 1 2 3 || fail "no ring of 3"
for i in 1 2 3; do client_start "$i" -r 100; done
wait_all_joined || fail "join"
wait_votes "1 2 3" "1 2 3 3"
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

cl_log "3. a member removed from the nodelist"
awk '/^    node \{$/ { blk = $0; getline; blk = blk "\n" $0
	if ($0 ~ /'"$(cl_addr 3)"'$/) { for (k = 0; k < 3; k++) getline; next }
	print blk; next } { print }' "$CL_DIR/good.conf" >"$CL_DIR/cluster.conf"
grep -q "nodeid: 3" "$CL_DIR/cluster.conf" && fail "the test could not cut node 3 out"
cfgtool 3 -R >"$CL_DIR/r3.out" 2>&1 && fail "-R of a nodelist without node 3 succeeded"
for i in 1 2; do wait_line "$i" "node 3 is a member of the ring: it cannot be removed"; done
wait_line 3 "this node (node 3) is no longer in the nodelist"
check_token $TOKEN_AFTER
ring_steady "after the refusals" "1 2 3" 1 2 3

cl_log "4. a 4th node added"
sed "s/token: $TOKEN_BEFORE\$/token: $TOKEN_AFTER/" "$CL_DIR/four.conf" >"$CL_DIR/cluster.conf"
cfgtool 2 -R >"$CL_DIR/r4.out" 2>&1 || fail "-R adding node 4 exited $?: $(cat "$CL_DIR/r4.out")"
for i in 1 2 3; do wait_line "$i" "node 4 added to the transport"; done
for i in 1 2 3; do
	v=$(env $(cl_env "$i") "$CL_B/bin/corosync-cmapctl" -g nodelist.node.3.nodeid 2>&1)
	[ "$v" = "nodelist.node.3.nodeid (u32) = 4" ] || fail "node $i's map: $v"
done
wait_votes "1 2 3" "1 3 3 4"
node_start 4 || fail "start of node 4"
wait_ring 1 2 3 4 || fail "node 4 did not join"
wait_votes "1 2 3 4" "1 3 4 4"
client_start 4 -r 100
wait_all_joined || fail "join of node 4's client"

cl_log "5. node 4 stopped and removed"
kill -TERM "${CL_DPID[4]}"
wait "${CL_DPID[4]}" || fail "node 4 exited $?"
CL_DPID[4]=
wait_clients_exit_on 4
wait_ring 1 2 3 || fail "no ring of 3 after node 4 stopped"
sed "s/token: $TOKEN_BEFORE\$/token: $TOKEN_AFTER/" "$CL_DIR/three.conf" >"$CL_DIR/cluster.conf"
cfgtool 1 -R >"$CL_DIR/r5.out" 2>&1 || fail "-R removing node 4 exited $?: $(cat "$CL_DIR/r5.out")"
for i in 1 2 3; do wait_line "$i" "node 4 removed from the transport"; done
wait_votes "1 2 3" "1 2 3 3"
finish_and_check || fail "histories"
cl_log "PASS"
