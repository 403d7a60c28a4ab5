#!/usr/bin/env bash
# t_cluster_knet.sh BUILD: 3 nodes in network namespaces on transport
# knet (corosync's default: 64 KiB totem datagrams, which Cohort's
# transport cuts into frames that fit the veths' 1500-byte MTU), a CPG
# client on every node sending 30000-byte messages. Checks that the
# datagrams really travel as fragments (stat.net_tx_frags and
# stat.net_rx_reassembled grow) and that no IP fragment reaches node 2
# (the kernel never fragments: an nftables counter ahead of its
# defragmentation). Nodes 1 and 3 send through an interface that takes
# one segment at a time (gso_max_segs 1: the kernel cuts their offloaded
# sends into frames in software, as a NIC does), node 2's whole sends
# pass the veths and arrive coalesced. Then the test drops 2% of the
# frames
# every node receives (one lost frame loses its whole datagram, ~45
# frames) for a while: the ring must hold, the incomplete datagrams are
# given up (stat.net_rx_frag_evicted), traffic goes on at once when the
# loss stops, and every client history passes the checker (tests/evs).
set -uo pipefail
B=${1:-build}
# The transport's fragment code runs sanitized in its unit test.
[ "${COHORT_SAN:-}" = 1 ] && { echo "knet runs in the normal pass only (time budget of make check)"; exit 77; }
. tests/cluster/lib.sh
cluster_test_init

ip_frags() {  # IP fragments node 2 received so far
	ip netns exec "$(cl_ns 2)" nft list table ip cohknet |
	    awk '/counter/ { for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1) }'
}

# grows NODE KEY MIN: until counter KEY of NODE is above MIN (bounded).
grows() {
	local deadline=$((SECONDS + 30)) v
	while [ $SECONDS -lt $deadline ]; do
		v=$(node_status_field "$1" "$2")
		[ -n "$v" ] && [ "$v" -gt "$3" ] && return 0
		sleep 0.1
	done
	fail "node $1: $2 stayed at '${v:-}' (want above $3)"
}

cluster_create 3
for i in 1 3; do ip -n "$(cl_ns "$i")" link set eth0 gso_max_segs 1; done
sed -i 's/transport: udpu/transport: knet/' "$CL_DIR/cluster.conf"
grep -q 'transport: knet$' "$CL_DIR/cluster.conf" || fail "no knet transport in the test configuration"
ip netns exec "$(cl_ns 2)" nft add table ip cohknet
ip netns exec "$(cl_ns 2)" nft "add chain ip cohknet pre { type filter hook prerouting priority -500; }"
ip netns exec "$(cl_ns 2)" nft add rule ip cohknet pre "ip frag-off & 0x3fff != 0" counter
for i in 1 2 3; do node_start "$i" || fail "start of node $i"; done
wait_ring 1 2 3 || fail "no ring of 3 on knet"
for i in 1 2 3; do client_start "$i" -r 50 -s 30000; done
wait_all_joined || fail "join"
grows 1 stat.net_tx_frags 1000
grows 2 stat.net_rx_reassembled 100
[ "$(ip_frags)" = 0 ] || fail "node 2 received $(ip_frags) IP fragments"
cl_log "node 1: $(node_status_field 1 stat.net_tx_frags) fragments sent; node 2: $(node_status_field 2 stat.net_rx_reassembled) datagrams rebuilt"

ring0=$(node_status_field 1 ring_id)
cl_log "2% of the frames lost at every node, ring $ring0"
random_loss 2
sleep 3   # traffic under loss (a workload period, not a wait for an event)
clear_filters
ev=0
for i in 1 2 3; do ev=$((ev + $(node_status_field "$i" stat.net_rx_frag_evicted))); done
cl_log "incomplete datagrams given up: $ev"
[ "$ev" -gt 0 ] || fail "2% frame loss gave up no datagram"
ring1=$(node_status_field 1 ring_id)
[ "$ring0" = "$ring1" ] || fail "the ring changed under 2% frame loss ($ring0 -> $ring1)"
# Traffic goes on: no reassembly state to time out.
r=$(node_status_field 3 stat.net_rx_reassembled)
grows 3 stat.net_rx_reassembled $((r + 100))
[ "$(ip_frags)" = 0 ] || fail "node 2 received $(ip_frags) IP fragments"
finish_and_check || fail "histories"
echo "PASS"
