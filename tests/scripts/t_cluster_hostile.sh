#!/usr/bin/env bash
# t_cluster_hostile.sh BUILD: a hostile network next to a working 3-node
# cluster (namespaces) with a CPG client sending on every node. An
# attacker host on the bridge (not in the nodelist) sends, in turn:
#   1. random bytes of random sizes to every node's port
#      -> stat.net_rx_malformed;
#   2. datagrams captured on node 1's eth0 (ring formation included),
#      replayed duplicated and shuffled from the attacker's own address
#      -> stat.net_rx_unknown_sender;
#   3. the same, spoofed from their original addresses and ports: their
#      seals are valid, and the transport's replay window drops every
#      one before the engine sees it -> stat.net_rx_replayed;
#   4. a flood at line rate of random bytes, then of spoofed replays.
# The ring id, membership and configuration count of every node never
# change, each counter rises by at least what was sent less what the
# node's kernel dropped, and the clients' histories pass evscheck (no
# message lost, reordered or delivered twice). A wrong key and a stolen
# node id are t_cluster_badpeer.sh's.
set -uo pipefail
B=${1:-build}
. tests/cluster/lib.sh
cluster_test_init

NJ=$CL_B/tests/cluster/netjunk
PORT=5405
FLOOD_S=4
[ -n "${COHORT_SAN:-}" ] && FLOOD_S=2
declare -a NJ_PIDS=()
hostile_cleanup() {
	local p
	for p in "${NJ_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	cluster_cleanup_hosts
}
trap hostile_cleanup EXIT

attacker() { ip netns exec "$(host_ns x)" "$NJ" "$@"; }   # netjunk on host x
field() { awk -v k="$1" '$1 == k { print $2; exit }' <<<"$2"; }
# dest_field OUT NODE COL: a "dest" line's column (3 sent, 4 short).
dest_field() {
	awk -v d="$(cl_addr "$2"):$PORT" -v c="$3" '$1 == "dest" && $2 == d { print $c; f = 1 } END { if (!f) print 0 }' <<<"$1"
}

# snap: every node's ring, members, configurations and counters now.
declare -A S0 S1
snap() {  # snap ARRAY
	local -n a=$1
	local i k v
	a=()
	for i in 1 2 3; do
		while read -r k v; do a[$i.$k]=$v; done < <(ctl "$i" status 2>/dev/null |
		    awk '$1 ~ /^(ring_id|members|state|stat\.configurations|stat\.rx_dropped|stat\.net_rx.*)$/ { print }')
		[ -n "${a[$i.state]:-}" ] || fail "node $i: no status"
		a[$i.kdrops]=$(node_kernel_drops "$i")
	done
}
# next_phase: what the last phase ended with is what the next starts from.
next_phase() { local k; S0=(); for k in "${!S1[@]}"; do S0[$k]=${S1[$k]}; done; }
# rose NODE KEY: how much a value grew from S0 to S1.
rose() { echo $(( ${S1[$1.$2]} - ${S0[$1.$2]} )); }

# steady WHAT: no configuration change since the start on any node.
steady() {
	local i
	for i in 1 2 3; do
		[ "${S1[$i.state]}" = operational ] || fail "$1: node $i is ${S1[$i.state]}"
		[ "${S1[$i.ring_id]}" = "$RING" ] || fail "$1: node $i's ring changed: $RING -> ${S1[$i.ring_id]}"
		[ "${S1[$i.members]}" = "1 2 3" ] || fail "$1: node $i's members are ${S1[$i.members]}"
		[ "${S1[$i.stat.configurations]}" = "${CONFS[$i]}" ] ||
		    fail "$1: node $i's configurations ${CONFS[$i]} -> ${S1[$i.stat.configurations]}"
	done
}

# expect_rise WHAT NODE KEY SENT: until KEY of NODE has risen since S0
# by SENT less what the node's kernel dropped meanwhile (the daemon may
# still be reading its queue when the sender is done). Bounded.
expect_rise() {
	local v r kd deadline=$((SECONDS + 30))
	while :; do
		v=$(node_status_field "$2" "$3")
		kd=$(( $(node_kernel_drops "$2") - ${S0[$2.kdrops]} ))
		r=$(( ${v:-0} - ${S0[$2.$3]} ))
		[ "$r" -ge $(( $4 - kd )) ] && break
		[ $SECONDS -lt $deadline ] ||
		    fail "$1: node $2: $3 rose by $r, expected at least $4 - $kd"
		sleep 0.1
	done
	cl_log "$1: node $2: sent $4, $3 +$r, kernel drops +$kd"
}

# expect_replays_dropped WHAT OUT: every node's transport dropped every
# spoofed replay netjunk says it sent there, header-only ones included.
expect_replays_dropped() {
	local i
	for i in 1 2 3; do
		expect_rise "$1" "$i" stat.net_rx_replayed "$(dest_field "$2" "$i" 3)"
	done
}

cluster_create 3
host_add x 99
cl_log "capturing on node 1's eth0 while the ring forms and clients send"
ip netns exec "$(cl_ns 1)" "$NJ" capture eth0 $PORT "$CL_DIR/cap" -n 6000 -t 30 \
    >"$CL_DIR/cap.out" 2>&1 &
NJ_PIDS+=($!); CAP_PID=$!
# The capture socket is open once the process has the file.
until [ -e "$CL_DIR/cap" ]; do sleep 0.05; kill -0 "$CAP_PID" 2>/dev/null || fail "capture: $(cat "$CL_DIR/cap.out")"; done
for i in 1 2 3; do node_start "$i" || fail "start of node $i"; done
wait_ring 1 2 3 || fail "no ring of 3"
for i in 1 2 3; do client_start "$i" -r 50; done
wait_all_joined || fail "join"
wait "$CAP_PID" || fail "capture: $(cat "$CL_DIR/cap.out")"
cl_log "capture: $(tr '\n' ' ' <"$CL_DIR/cap.out")"
[ "$(field captured "$(cat "$CL_DIR/cap.out")")" -gt 100 ] || fail "too little captured"

snap S1; next_phase
RING=${S0[1.ring_id]}
declare -a CONFS
for i in 1 2 3; do CONFS[$i]=${S0[$i.stat.configurations]}; done
steady "start"

cl_log "1. random bytes, 0..65507 bytes, 2000 to each node"
declare -A OUT
for i in 1 2 3; do
	OUT[$i]=$(attacker random "$(cl_addr "$i"):$PORT" -n 2000 -r 2000 -s $((RANDOM + i))) || fail "netjunk random"
done
for i in 1 2 3; do expect_rise "random" "$i" stat.net_rx_malformed "$(field sent "${OUT[$i]}")"; done
snap S1; steady "random bytes"

cl_log "2. replay from a foreign address, every datagram twice, shuffled"
next_phase
out=$(attacker replay "$CL_DIR/cap" -k 2 -n 6000 -r 3000) || fail "netjunk replay"
cl_log "replay: $(tr '\n' ' ' <<<"$out")"
for i in 1 2 3; do expect_rise "foreign replay" "$i" stat.net_rx_unknown_sender "$(dest_field "$out" "$i" 3)"; done
snap S1; steady "foreign replay"

cl_log "3. replay spoofed from the original addresses, three times, shuffled"
next_phase
out=$(attacker replay "$CL_DIR/cap" -k 3 -n 9000 -S -r 3000) || fail "netjunk replay -S"
cl_log "spoofed replay: $(tr '\n' ' ' <<<"$out")"
expect_replays_dropped "spoofed replay" "$out"
snap S1; steady "spoofed replay"
for i in 1 2 3; do
	[ "$(rose "$i" stat.net_rx_unknown_sender)" = 0 ] || fail "spoofed replay: node $i took them for foreign"
	[ "$(rose "$i" stat.net_rx_auth_failed)" = 0 ] || fail "spoofed replay: node $i failed valid seals"
done

cl_log "4a. flood of random bytes at line rate to node 1 for ${FLOOD_S}s"
next_phase
out=$(attacker random "$(cl_addr 1):$PORT" -t "$FLOOD_S" -m 1472) || fail "netjunk flood"
cl_log "flood: $(tr '\n' ' ' <<<"$out")"
expect_rise "random flood" 1 stat.net_rx_malformed "$(field sent "$out")"
snap S1; steady "random flood"

cl_log "4b. flood of spoofed replays at line rate for ${FLOOD_S}s"
next_phase
out=$(attacker replay "$CL_DIR/cap" -S -t "$FLOOD_S") || fail "netjunk replay flood"
cl_log "replay flood: $(tr '\n' ' ' <<<"$out")"
expect_replays_dropped "replay flood" "$out"
snap S1; steady "replay flood"

finish_and_check || fail "histories"
snap S1; steady "end"
echo "PASS"
