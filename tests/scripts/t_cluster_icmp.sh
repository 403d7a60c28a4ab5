#!/usr/bin/env bash
# t_cluster_icmp.sh BUILD: forged ICMP port unreachables next to a working
# 3-node cluster (namespaces, crypto on, a CPG client sending on every
# node). An attacker host on the bridge, not in the nodelist, sends node 1
# ICMP port unreachables that quote a datagram node1:5405 -> node2:5405
# with a random payload:
#   1. one, from its own address;
#   2. 10 a second for 15 s (5 s under COHORT_SAN), claiming to come from
#      node 2's address.
# None may fail node 2: every node keeps its ring and its configuration
# count, node 1 counts each one in stat.net_icmp_unmatched and warns about
# them at a bounded rate. Then the real fast path: kill -9 of node 2's
# daemon, whose host answers with genuine port unreachables: nodes 1 and 3
# fail it on them (stat.peers_failed_unreachable) and form a ring of two.
# The clients' histories are checked at the end.
set -uo pipefail
B=${1:-build}
. tests/cluster/lib.sh
cluster_test_init
trap cluster_cleanup_hosts EXIT

NJ=$CL_B/tests/cluster/netjunk
PORT=5405
FLOOD_S=15
[ -n "${COHORT_SAN:-}" ] && FLOOD_S=5
RATE=10

attacker() { ip netns exec "$(host_ns x)" "$NJ" "$@"; }
field() { awk -v k="$1" '$1 == k { print $2; exit }' <<<"$2"; }

# steady WHAT: every node still in the ring of 3 it started in, and no
# peer failed on an ICMP error.
declare -a FAILED
steady() {
	local i
	ring_steady "$1" "1 2 3" 1 2 3
	for i in 1 2 3; do
		[ "$(node_status_field "$i" stat.peers_failed_unreachable)" = "${FAILED[$i]}" ] ||
		    fail "$1: node $i failed a peer on an ICMP error"
	done
}

# wait_at_least NODE KEY N: until status counter KEY of NODE reaches N.
wait_at_least() {
	local v deadline=$((SECONDS + 30))
	while :; do
		v=$(node_status_field "$1" "$2")
		[ "${v:-0}" -ge "$3" ] && break
		[ $SECONDS -lt $deadline ] || fail "node $1: $2 is ${v:-none}, expected at least $3"
		sleep 0.1
	done
	cl_log "node $1: $2=$v"
}

cluster_create 3
host_add x 99
for i in 1 2 3; do node_start "$i" || fail "start of node $i"; done
wait_ring 1 2 3 || fail "no ring of 3"
for i in 1 2 3; do client_start "$i" -r 50; done
wait_all_joined || fail "join"
ring_note 1 2 3
for i in 1 2 3; do FAILED[$i]=$(node_status_field "$i" stat.peers_failed_unreachable); done
base=$(node_status_field 1 stat.net_icmp_unmatched)
steady "start"

N1="$(cl_addr 1):$PORT" N2="$(cl_addr 2):$PORT"
cl_log "1. one ICMP port unreachable about node 2, from the attacker's address"
out=$(attacker icmp "$(cl_addr 1)" "$N1" "$N2" -n 1) || fail "netjunk icmp: $out"
[ "$(field sent "$out")" = 1 ] || fail "netjunk icmp: $out"
wait_at_least 1 stat.net_icmp_unmatched $((base + 1))
grep -q "ICMP port unreachable about node 2 .* from $(cl_addr 99):0 ignored: not from the node's address" \
    "$CL_DIR/n1/daemon.log" || fail "node 1 did not warn about the forged ICMP"
steady "one forged ICMP"

cl_log "2. $RATE a second for ${FLOOD_S}s, claiming to come from node 2"
start=$SECONDS
out=$(attacker icmp "$(cl_addr 1)" "$N1" "$N2" -F "$(cl_addr 2)" -r $RATE -n $((RATE * FLOOD_S))) ||
    fail "netjunk icmp -F: $out"
cl_log "flood: $(tr '\n' ' ' <<<"$out")"
sent=$(field sent "$out")
[ "$sent" -ge $((RATE * FLOOD_S)) ] || fail "netjunk icmp -F sent $sent"
wait_at_least 1 stat.net_icmp_unmatched $((base + 1 + sent))
steady "forged ICMP flood"
# The counters as tools read them.
ctl 1 --json status | python3 -c "import json,sys; d=json.load(sys.stdin)
assert d['stat.net_icmp_unmatched'] >= $((base + 1 + sent)) and d['stat.net_icmp_peer_alive'] == 0, d" ||
    fail "cohortctl --json status lacks the ICMP counters"
# Warned about, at most once per 10 s (TRANSPORT_WARN_MS).
lines=$(grep -c "ICMP port unreachable about node 2 " "$CL_DIR/n1/daemon.log")
grep -q "from $(cl_addr 2):0 ignored: it quotes no datagram recently sent there" "$CL_DIR/n1/daemon.log" ||
    fail "node 1 did not warn about the ICMP claiming node 2's address"
[ "$lines" -le $(( (SECONDS - start) / 10 + 2 )) ] ||
    fail "node 1 logged $lines warnings about forged ICMP in $((SECONDS - start)) s"
cl_log "node 1: $lines warning lines for $((sent + 1)) forged ICMP"

cl_log "3. kill -9 of node 2's daemon: genuine port unreachables"
node_kill 2
wait_clients_exit_on 2
wait_ring 1 3 || fail "nodes 1 and 3 did not form a ring"
for i in 1 3; do
	n=$(node_status_field "$i" stat.peers_failed_unreachable)
	[ "$n" -gt "${FAILED[$i]}" ] ||
	    fail "node $i did not fail node 2 on its closed port (port_unreachable=$(node_status_field "$i" stat.net_port_unreachable), peer_alive=$(node_status_field "$i" stat.net_icmp_peer_alive), unmatched=$(node_status_field "$i" stat.net_icmp_unmatched))"
done
finish_and_check || fail "histories"
echo "PASS"
