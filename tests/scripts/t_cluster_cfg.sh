#!/usr/bin/env bash
# t_cluster_cfg.sh BUILD: the cfg service across three nodes (namespaces,
# knet, crypto on), through corosync-cfgtool.
#   1. All up: -s on node 1 shows every node connected on link 0 (-sb
#      "n33"), -n lists nodes 2 and 3 reachable; Debian's corosync-cfgtool
#      on our libraries prints the same (skipped alone when the package
#      cannot be had, and under sanitizers).
#   2. Node 1 kills node 3 (-k 3): node 3 logs who killed it and exits
#      255; 1 and 2 form a ring; -sb on node 1 then shows node 3 down.
#   3. -H on node 2 (nobody tracks): node 2 exits 0; node 1 logs "Node 2
#      was shut down by sysadmin" and goes on alone, having failed node 2
#      at once, without losing the token: ICMP from node 2 is dropped on
#      node 1, so the closed port cannot tell it.
set -uo pipefail
B=${1:-build}
. tests/cluster/lib.sh
cluster_test_init

cfgtool() {  # cfgtool NODE ARGS...: our corosync-cfgtool against NODE
	env $(cl_env "$1") "$CL_B/bin/corosync-cfgtool" "${@:2}"
}
theirs=
if [ -z "${COHORT_SAN:-}" ] && cdir=$(bash tests/scripts/corosync-tools.sh); then
	theirs=$cdir/usr/sbin/corosync-cfgtool
fi
# same NODE ARGS...: Debian's tool prints what ours prints (if there).
same() {
	[ -n "$theirs" ] || return 0
	diff -u <(env $(cl_env "$1") LD_LIBRARY_PATH="$CL_B/lib" "$theirs" "${@:2}" 2>&1) \
	    <(cfgtool "$@" 2>&1) || fail "corosync-cfgtool ${*:2} differs from Debian's (theirs first)"
}
# wait_line NODE TEXT: until NODE's daemon log has TEXT (bounded).
wait_line() {
	local deadline=$((SECONDS + 30))
	until grep -qF "$2" "$CL_DIR/n$1/daemon.log"; do
		[ $SECONDS -lt $deadline ] || fail "node $1 did not log '$2'"
		sleep 0.1
	done
}
# wait_brief STATUS [NODE]: until -sb on NODE (default 1) shows STATUS on link 0
# (bounded: a link is up again or down after the token timeout).
wait_brief() {
	local deadline=$((SECONDS + 30)) n=${2:-1}
	until cfgtool "$n" -sb 2>/dev/null | grep -qx $'\tstatus\t= '"$1"; do
		[ $SECONDS -lt $deadline ] || fail "node $n's -sb is not $1: $(cfgtool "$n" -sb 2>&1 | tr '\n' '|')"
		sleep 0.1
	done
}

cluster_create 3
sed 's/transport: udpu/transport: knet/' "$CL_DIR/cluster.conf" >"$CL_DIR/knet.conf"
for i in 1 2 3; do
	CL_CONF[$i]=$CL_DIR/knet.conf
	node_start "$i" || fail "start of node $i"
done
wait_ring 1 2 3 || fail "no ring of 3"

cl_log "1. link status"
# Every link up in every view (heartbeats answered), not only node 1's.
wait_brief n33
wait_brief 3n3 2
wait_brief 33n 3
T=$'\t'
cfgtool 1 -s >"$CL_DIR/s.out" || fail "-s exited $?"
diff -u - "$CL_DIR/s.out" <<OUT || fail "unexpected -s"
Local node ID 1, transport knet
LINK ID 0 udp
${T}addr${T}= $(cl_addr 1)
${T}status:
${T}${T}nodeid:          1:${T}localhost
${T}${T}nodeid:          2:${T}connected
${T}${T}nodeid:          3:${T}connected
OUT
same 1 -s
same 1 -sb
cfgtool 2 -n >"$CL_DIR/n.out" || fail "-n exited $?"
diff -u - "$CL_DIR/n.out" <<OUT || fail "unexpected -n"
Local node ID 2, transport knet
nodeid: 1 reachable
   LINK: 0 udp ($(cl_addr 2)->$(cl_addr 1)) enabled connected mtu: 1452

nodeid: 3 reachable
   LINK: 0 udp ($(cl_addr 2)->$(cl_addr 3)) enabled connected mtu: 1452

OUT
same 2 -n
same 3 -a 1

cl_log "2. node 1 kills node 3"
cfgtool 1 -k 3 >"$CL_DIR/k.out" 2>&1 || fail "-k 3 exited $?: $(cat "$CL_DIR/k.out")"
wait "${CL_DPID[3]}"
rc=$?
CL_DPID[3]=
[ $rc = 255 ] || fail "node 3 exited with status $rc, not 255"
grep -qF "Killed by node 1 : Killed by corosync-cfgtool" "$CL_DIR/n3/daemon.log" ||
    fail "node 3 did not log who killed it"
wait_ring 1 2 || fail "no ring of 1 and 2"
wait_brief n31
cfgtool 1 -k 3 >"$CL_DIR/k.out" 2>&1 && fail "-k of a node that left succeeded"
grep -qF "Could not kill node (error = CS_ERR_NOT_EXIST)" "$CL_DIR/k.out" ||
    fail "-k of a node that left: $(cat "$CL_DIR/k.out")"

cl_log "3. node 2 shut down"
ns1=$(cl_ns 1)
ip netns exec "$ns1" nft add table inet cohtest
ip netns exec "$ns1" nft "add chain inet cohtest in { type filter hook input priority 0; }"
ip netns exec "$ns1" nft add rule inet cohtest in ip saddr "$(cl_addr 2)" meta l4proto icmp drop
lines=$(wc -l <"$CL_DIR/n1/daemon.log")
cfgtool 2 -H >"$CL_DIR/h.out" 2>&1 || fail "-H exited $?"
grep -qx "Shutting down corosync" "$CL_DIR/h.out" || fail "-H printed $(cat "$CL_DIR/h.out")"
wait "${CL_DPID[2]}"
rc=$?
CL_DPID[2]=
[ $rc = 0 ] || fail "node 2 exited with status $rc after -H"
wait_line 1 "Node 2 was shut down by sysadmin"
wait_line 2 "Node 2 was shut down by sysadmin"
wait_ring 1 || fail "node 1 is not alone in its ring"
tail -n +"$((lines + 1))" "$CL_DIR/n1/daemon.log" >"$CL_DIR/after.log"
grep -qF "node 2's port is closed: it failed" "$CL_DIR/after.log" ||
    fail "node 1 did not fail node 2 at its shutdown"
grep -q "token lost" "$CL_DIR/after.log" && fail "node 1 lost the token at node 2's shutdown"
grep -q "transport: node 2's port is closed" "$CL_DIR/after.log" &&
    fail "node 1 heard of the closed port (the ICMP filter did not hold)"
cl_log "PASS"
