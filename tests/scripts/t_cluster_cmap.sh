#!/usr/bin/env bash
# t_cluster_cmap.sh BUILD: the cmap service across nodes (namespaces,
# crypto on), read with corosync-cmapctl through libcmap.
#   1. Nodes 1 and 2 (totem.config_version 2) form a ring: on each,
#      runtime.members.<1,2>.{ip, join_count, status, config_version}
#      are "r(0) ip(ADDR) ", 1, joined, 2.
#   2. Node 3 with config_version 1 joins: its version is older than the
#      others', it logs corosync's line and exits; nodes 1 and 2 keep
#      runtime.members.3.* with status left.
#   3. Node 2 is killed: node 1 shows it left; restarted, it is joined
#      again with join_count 2.
set -uo pipefail
B=${1:-build}
. tests/cluster/lib.sh
cluster_test_init

cmapget() {  # cmapget NODE KEY: the value corosync-cmapctl -g prints
	env $(cl_env "$1") "$CL_B/bin/corosync-cmapctl" -g "$2" 2>/dev/null |
	    sed -n 's/^[^ ]* ([a-z0-9]*) = //p'
}
# wait_key NODE KEY VALUE: until KEY reads VALUE on NODE.
wait_key() {
	local deadline=$((SECONDS + 30))
	until [ "$(cmapget "$1" "$2")" = "$3" ]; do
		[ $SECONDS -lt $deadline ] || fail "node $1: $2 is '$(cmapget "$1" "$2")', not '$3'"
		sleep 0.1
	done
}
with_version() {  # with_version V: the cluster's file with config_version V
	sed "s/^    cluster_name: .*/&\n    config_version: $1/" "$CL_DIR/cluster.conf" \
	    >"$CL_DIR/v$1.conf"
	echo "$CL_DIR/v$1.conf"
}

cluster_create 3
CL_CONF[1]=$(with_version 2)
CL_CONF[2]=$CL_DIR/v2.conf
CL_CONF[3]=$(with_version 1)
grep -q "config_version: 1" "${CL_CONF[3]}" || fail "no config_version in ${CL_CONF[3]}"

cl_log "1. nodes 1 and 2, config_version 2"
for i in 1 2; do node_start "$i" || fail "start of node $i"; done
wait_ring 1 2 || fail "no ring of 1 and 2"
for i in 1 2; do
	for j in 1 2; do
		wait_key "$i" "runtime.members.$j.status" joined
		wait_key "$i" "runtime.members.$j.config_version" 2
		[ "$(cmapget "$i" "runtime.members.$j.ip")" = "r(0) ip($(cl_addr "$j")) " ] ||
		    fail "node $i: runtime.members.$j.ip is '$(cmapget "$i" "runtime.members.$j.ip")'"
		[ "$(cmapget "$i" "runtime.members.$j.join_count")" = 1 ] ||
		    fail "node $i: runtime.members.$j.join_count is '$(cmapget "$i" "runtime.members.$j.join_count")'"
	done
	[ "$(cmapget "$i" nodelist.local_node_pos)" = $((i - 1)) ] ||
	    fail "node $i: nodelist.local_node_pos is '$(cmapget "$i" nodelist.local_node_pos)'"
done

cl_log "2. node 3 with config_version 1 joins and leaves"
# Not node_start: the daemon may be gone before its socket is seen.
ip netns exec "$(cl_ns 3)" env $(cl_env 3) "$CL_B/sbin/cohortd" -f \
    -c "${CL_CONF[3]}" -n 3 >>"$CL_DIR/n3/daemon.log" 2>&1 &
CL_DPID[3]=$!
deadline=$((SECONDS + 30))
while kill -0 "${CL_DPID[3]}" 2>/dev/null; do
	[ $SECONDS -lt $deadline ] || fail "node 3 did not exit"
	sleep 0.1
done
grep -qF "Received config version (2) is different than my config version (1)! Exiting" \
    "$CL_DIR/n3/daemon.log" || fail "node 3 did not log the version check"
for i in 1 2; do
	wait_key "$i" runtime.members.3.status left
	wait_key "$i" runtime.members.3.config_version 1
done
wait_ring 1 2 || fail "1 and 2 lost their ring"

cl_log "3. node 2 killed and restarted"
node_kill 2
wait_key 1 runtime.members.2.status left
node_start 2 || fail "restart of node 2"
wait_ring 1 2 || fail "no ring of 1 and 2 again"
wait_key 1 runtime.members.2.status joined
wait_key 1 runtime.members.2.join_count 2
wait_key 2 runtime.members.1.join_count 1
cl_log "PASS"
