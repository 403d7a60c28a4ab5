#!/usr/bin/env bash
# t_cluster_replay.sh BUILD: replayed datagrams of a node that is down,
# then of its past run (namespaces, crypto on, a CPG client per node).
# Node 3's traffic is captured on its eth0 while the ring forms and the
# clients send; node 3 is killed and the ring {1,2} forms. Then, from a
# host on the bridge outside the nodelist, spoofing the original source
# addresses and ports, every captured datagram is sent again:
#   1. with node 3 down: nodes 1 and 2 drop each one in the transport
#      (stat.net_rx_replayed: counters their windows already passed),
#      make no configuration change, and node 3's link stays down in
#      `cohortctl --json status`;
#   2. after node 3 restarted and rejoined (one configuration change,
#      expected): nodes 1 and 2 drop node 3's old datagrams as a past
#      incarnation (stat.net_rx_old_incarnation), the new node 3 drops
#      what 1 and 2 sent its past run (stat.net_rx_replayed), and no
#      node changes its configuration;
#   3. node 3 killed again, then node 1 killed and restarted (it kept
#      its replay windows in its state directory): node 1 drops node 3's
#      old datagrams too, and neither node 1 nor node 2 changes
#      configuration.
# The clients' histories are checked at the end.
set -uo pipefail
B=${1:-build}
. tests/cluster/lib.sh
cluster_test_init

NJ=$CL_B/tests/cluster/netjunk
PORT=5405
declare -a NJ_PIDS=()
replay_cleanup() {
	local p
	for p in "${NJ_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	cluster_cleanup_hosts
}
trap replay_cleanup EXIT

attacker() { ip netns exec "$(host_ns x)" "$NJ" "$@"; }
# dest_sent OUT NODE: how many datagrams netjunk's replay sent to NODE.
dest_sent() {
	awk -v d="$(cl_addr "$2"):$PORT" '$1 == "dest" && $2 == d { print $3; f = 1 } END { if (!f) print 0 }' <<<"$1"
}
json_field() { ctl "$1" --json status | jq -r --arg k "$2" '.[$k] // empty'; }

# Counters of every live node before a replay.
declare -A B0
snap() {
	local i k
	B0=()
	for i in "$@"; do
		for k in ring_id stat.configurations stat.net_rx_replayed \
		    stat.net_rx_old_incarnation; do
			B0[$i.$k]=$(node_status_field "$i" "$k")
		done
		B0[$i.kdrops]=$(node_kernel_drops "$i")
	done
}
# expect_rise NODE KEY SENT: until KEY of NODE rose since snap by SENT
# less what the node's kernel dropped meanwhile. Bounded.
expect_rise() {
	local v r kd deadline=$((SECONDS + 30))
	while :; do
		v=$(node_status_field "$1" "$2")
		kd=$(( $(node_kernel_drops "$1") - ${B0[$1.kdrops]} ))
		r=$(( ${v:-0} - ${B0[$1.$2]} ))
		[ "$r" -ge $(( $3 - kd )) ] && break
		[ $SECONDS -lt $deadline ] || fail "node $1: $2 rose by $r, expected at least $3 - $kd"
		sleep 0.1
	done
	cl_log "node $1: sent $3, $2 +$r, kernel drops +$kd"
}
# unchanged NODES...: no configuration change and the same ring since snap.
unchanged() {
	local i
	for i in "$@"; do
		[ "$(node_status_field "$i" stat.configurations)" = "${B0[$i.stat.configurations]}" ] ||
		    fail "node $i: configurations ${B0[$i.stat.configurations]} -> $(node_status_field "$i" stat.configurations)"
		[ "$(node_status_field "$i" ring_id)" = "${B0[$i.ring_id]}" ] ||
		    fail "node $i: ring ${B0[$i.ring_id]} -> $(node_status_field "$i" ring_id)"
	done
}

cluster_create 3
host_add x 99
N_CAP=1500
[ -n "${COHORT_SAN:-}" ] && N_CAP=600
cl_log "capturing on node 3's eth0 while the ring forms and clients send"
ip netns exec "$(cl_ns 3)" "$NJ" capture eth0 $PORT "$CL_DIR/cap" -n $N_CAP -t 30 \
    >"$CL_DIR/cap.out" 2>&1 &
CAP_PID=$!
NJ_PIDS+=($CAP_PID)
until [ -e "$CL_DIR/cap" ]; do sleep 0.05; kill -0 "$CAP_PID" 2>/dev/null || fail "capture: $(cat "$CL_DIR/cap.out")"; done
for i in 1 2 3; do node_start "$i" || fail "start of node $i"; done
wait_ring 1 2 3 || fail "no ring of 3"
for i in 1 2 3; do client_start "$i" -r 50; done
wait_all_joined || fail "join"
wait "$CAP_PID" || fail "capture: $(cat "$CL_DIR/cap.out")"
cl_log "capture: $(tr '\n' ' ' <"$CL_DIR/cap.out")"

cl_log "kill -9 of node 3; the ring {1,2} forms"
node_kill 3
wait_clients_exit_on 3
wait_ring 1 2 || fail "no ring of 1 and 2"
for i in 1 2; do
	deadline=$((SECONDS + 30))
	until [ "$(json_field "$i" node.3.link)" = down ]; do
		[ $SECONDS -lt $deadline ] || fail "node $i: node 3's link is '$(json_field "$i" node.3.link)', not down"
		sleep 0.1
	done
done

cl_log "1. node 3's captured datagrams replayed from its address while it is down"
snap 1 2
out=$(attacker replay "$CL_DIR/cap" -S -r 2000) || fail "netjunk replay"
cl_log "replay: $(tr '\n' ' ' <<<"$out")"
for i in 1 2; do
	sent=$(dest_sent "$out" "$i")
	[ "$sent" -gt 10 ] || fail "only $sent of node 3's datagrams to node $i were captured"
	expect_rise "$i" stat.net_rx_replayed "$sent"
done
unchanged 1 2
for i in 1 2; do
	[ "$(json_field "$i" node.3.link)" = down ] || fail "node $i: node 3's link is '$(json_field "$i" node.3.link)' after the replay"
done

cl_log "node 3 restarts and rejoins"
confs1=$(node_status_field 1 stat.configurations)
node_start 3 || fail "restart of node 3"
wait_ring 1 2 3 || fail "node 3 did not rejoin"
[ "$(node_status_field 1 stat.configurations)" -gt "$confs1" ] || fail "node 1 did not change configuration for node 3's return"
client_start 3 -r 50
wait_all_joined || fail "join after restart"

cl_log "2. the same capture replayed after node 3's restart"
snap 1 2 3
out=$(attacker replay "$CL_DIR/cap" -S -r 2000) || fail "netjunk replay"
cl_log "replay: $(tr '\n' ' ' <<<"$out")"
for i in 1 2; do expect_rise "$i" stat.net_rx_old_incarnation "$(dest_sent "$out" "$i")"; done
expect_rise 3 stat.net_rx_replayed "$(dest_sent "$out" 3)"
unchanged 1 2 3
for i in 1 2 3; do [ "$(node_status_field "$i" members)" = "1 2 3" ] || fail "node $i: members $(node_status_field "$i" members)"; done

cl_log "3. node 3 down again, node 1 restarted, the capture replayed"
node_kill 3
wait_clients_exit_on 3
wait_ring 1 2 || fail "no ring of 1 and 2"
# Node 1 keeps its windows every second while they move (node 2's
# traffic moves them): wait for a save after node 3's last datagram.
touch "$CL_DIR/mark"
until [ "$CL_DIR/n1/replay_1" -nt "$CL_DIR/mark" ]; do sleep 0.1; done
for k in $(clients_of_node 1); do client_kill "$k"; done
node_kill 1
node_start 1 || fail "restart of node 1"
wait_ring 1 2 || fail "node 1 did not rejoin node 2"
snap 1 2
out=$(attacker replay "$CL_DIR/cap" -S -r 2000) || fail "netjunk replay"
cl_log "replay: $(tr '\n' ' ' <<<"$out")"
expect_rise 1 stat.net_rx_old_incarnation "$(dest_sent "$out" 1)"
expect_rise 2 stat.net_rx_old_incarnation "$(dest_sent "$out" 2)"
unchanged 1 2

finish_and_check || fail "histories"
echo "PASS"
