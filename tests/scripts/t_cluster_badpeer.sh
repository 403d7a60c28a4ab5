#!/usr/bin/env bash
# t_cluster_badpeer.sh BUILD: bad peers next to a working 3-node cluster
# (namespaces). A fourth node of the nodelist with the wrong key, then
# with the wrong cluster name: its datagrams are counted and dropped
# (stat.net_rx_auth_failed, stat.net_rx_foreign) and the cluster's ring
# does not change. A daemon claiming another node's id, one with an id
# outside the nodelist and one on a host whose address is not in the
# nodelist refuse to start with a clear line. The clients' histories are
# checked at the end.
set -uo pipefail
B=${1:-build}
. tests/cluster/lib.sh
cluster_test_init

cluster_up 4 3 -r 50
ring0=$(node_status_field 1 ring_id)

# bad_node4 CONF ARGS...: runs node 4's daemon with another configuration.
bad_node4() {
	local conf=$1; shift
	rm -f "$CL_DIR/n4/cohort.sock"
	ip netns exec "$(cl_ns 4)" env $(cl_env 4) "$CL_B/sbin/cohortd" -f -c "$conf" "$@" \
	    >>"$CL_DIR/n4/daemon.log" 2>&1 &
	CL_DPID[4]=$!
}
# wait_counter NODE KEY: until the status counter KEY of NODE is above 0.
wait_counter() {
	local deadline=$((SECONDS + 30)) v
	while [ $SECONDS -lt $deadline ]; do
		v=$(node_status_field "$1" "$2")
		[ -n "$v" ] && [ "$v" -gt 0 ] && { echo "node $1: $2=$v"; return 0; }
		sleep 0.1
	done
	echo "node $1: $2 stayed at '${v:-}'"; return 1
}

cl_log "node 4 with another key"
"$CL_B/bin/cohortctl" keygen "$CL_DIR/otherkey" >/dev/null
sed "s|keyfile: .*|keyfile: $CL_DIR/otherkey|" "$CL_DIR/cluster.conf" >"$CL_DIR/wrongkey.conf"
bad_node4 "$CL_DIR/wrongkey.conf" -n 4
for i in 1 2 3; do wait_counter $i stat.net_rx_auth_failed || fail "wrong key not counted"; done
node_kill 4

cl_log "node 4 with another cluster name"
sed "s|cluster_name: .*|cluster_name: another-cluster|" "$CL_DIR/cluster.conf" >"$CL_DIR/wrongname.conf"
bad_node4 "$CL_DIR/wrongname.conf" -n 4
for i in 1 2 3; do wait_counter $i stat.net_rx_foreign || fail "wrong cluster not counted"; done
node_kill 4

[ "$(node_status_field 1 ring_id)" = "$ring0" ] || fail "the ring changed: $ring0 -> $(node_status_field 1 ring_id)"
for i in 1 2 3; do [ "$(node_status_field $i members)" = "1 2 3" ] || fail "node $i: members changed"; done

refuses() {  # WHAT PATTERN ARGS...: a daemon in namespace 4 that must refuse
	local what=$1 pat=$2 out rc; shift 2
	out=$(ip netns exec "$(cl_ns 4)" env $(cl_env 4) timeout 10 "$CL_B/sbin/cohortd" -f "$@" 2>&1)
	rc=$?
	[ $rc -ne 0 ] && [ $rc -ne 124 ] && grep -q -- "$pat" <<<"$out" ||
	    fail "$what: exit $rc, output: $out"
	echo "$what: refused: $(grep -- "$pat" <<<"$out" | head -1)"
}
refuses "node 2's id on node 4's host" "cannot bind" -c "$CL_DIR/cluster.conf" -n 2
refuses "an id outside the nodelist" "not in the nodelist" -c "$CL_DIR/cluster.conf" -n 99
grep -v "ring0_addr: $(cl_addr 4)" "$CL_DIR/cluster.conf" | awk '
	/node \{/ { buf = $0; inblk = 1; next }
	inblk { buf = buf "\n" $0; if ($0 ~ /nodeid: 4$/) drop = 1; if ($0 ~ /^    }/) { if (!drop) print buf; inblk = 0; drop = 0 } ; next }
	{ print }' >"$CL_DIR/without4.conf"
refuses "a host not in the nodelist" "none of this host's addresses" -c "$CL_DIR/without4.conf"

[ "$(node_status_field 1 ring_id)" = "$ring0" ] || fail "the ring changed"
ctl 1 status | grep -E '^node\.[0-9]+\.link' || true
finish_and_check || fail "histories"
echo "PASS"
