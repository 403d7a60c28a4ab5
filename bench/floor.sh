#!/usr/bin/env bash
# bench/floor.sh [ROUNDS]: the latency floor of a daemon-per-node design
# on this machine (bench/relay.c: a relay per node that forwards each
# frame and does nothing else), in the shapes make bench measures Cohort
# and corosync in: one node and three nodes (a network namespace each,
# one bridge, as bench/cluster.sh), a sender thread and a dispatching
# thread at 1000 msg/s (lat1000) and the one-thread loop (loop), at
# every member. Relays run as cohortd does (SCHED_RR, highest priority);
# FLOOR_NORMAL=1 runs them with the scheduling they were started with.
# FLOOR_NODES=1 or 3 runs one part only. Needs root (namespaces, realtime). Prints CSV on stdout:
#   nodes,round,scenario,node,count,p50_us,p90_us,p99_us,max_us,lost
# (lost: frames of the sender that never came; the relays do not
# retransmit, so a run with losses is not a floor).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
SECS=${SECONDS_PER_RUN:-3}
NODES=${FLOOR_NODES:-all}   # 1, 3 or all
W=$(mktemp -d /tmp/cohort-floor.XXXXXX)
NS=fl$$
PIDS=()
cleanup() {
	local p i
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	for i in 1 2 3 br; do ip netns del "$NS$i" 2>/dev/null || true; done
	rm -rf "$W"
}
trap cleanup EXIT
cc -O2 -Wall -pthread -o "$W/relay" bench/relay.c
[ -n "${FLOOR_NORMAL:-}" ] && export RELAY_NORMAL=1

# relay_up NAME NETNS PORT PEERS...: a relay on $W/NAME.sock (PORT 0: any).
relay_up() {
	local name=$1 ns=$2 port=$3
	shift 3
	mkfifo "$W/$name.ready"
	if [ -n "$ns" ]; then
		ip netns exec "$ns" "$W/relay" serve "$W/$name.sock" "$port" "$@" >"$W/$name.ready" &
	else
		"$W/relay" serve "$W/$name.sock" "$port" "$@" >"$W/$name.ready" &
	fi
	PIDS+=($!)
	read -r _ <"$W/$name.ready"
}

relay_up one "" 0
ip netns add "${NS}br"
ip -n "${NS}br" link add br0 type bridge
ip -n "${NS}br" link set br0 up
for i in 1 2 3; do
	ip netns add "$NS$i"
	ip link add "v$NS$i" netns "$NS$i" type veth peer name "p$i" netns "${NS}br"
	ip -n "$NS$i" link set "v$NS$i" name eth0
	ip -n "$NS$i" addr add "10.78.0.$i/24" dev eth0
	ip -n "$NS$i" link set eth0 up
	ip -n "$NS$i" link set lo up
	ip -n "${NS}br" link set "p$i" master br0 up
done
for i in 1 2 3; do
	relay_up "n$i" "$NS$i" 5405 $(for j in 1 2 3; do [ "$j" = "$i" ] || echo "10.78.0.$j"; done)
done

for r in $(seq "$ROUNDS"); do
	if [ "$NODES" != 3 ]; then
		echo "1,$r,lat1000,1,$("$W/relay" latency "$W/one.sock" "$SECS" 1000 | cut -d, -f2-)"
		echo "1,$r,loop,1,$("$W/relay" loop "$W/one.sock" "$SECS" | cut -d, -f2-)"
	fi
	[ "$NODES" = 1 ] && continue
	for sc in lat1000 loop; do
		rp=()
		for i in 2 3; do "$W/relay" recv "$W/n$i.sock" "$SECS" >"$W/out$i" & rp+=($!); done
		if [ "$sc" = lat1000 ]; then
			"$W/relay" latency "$W/n1.sock" "$SECS" 1000 >"$W/out1"
		else
			"$W/relay" loop "$W/n1.sock" "$SECS" >"$W/out1"
		fi
		wait "${rp[@]}"
		for i in 1 2 3; do echo "3,$r,$sc,$i,$(cut -d, -f2- "$W/out$i")"; done
	done
done
