#!/usr/bin/env bash
# t_cluster_links.sh BUILD: 3 nodes on two networks (link 0 and link 1,
# transport knet, link_mode passive: link 0 first by number), a CPG
# client on every node, histories checked by tests/evs at the end.
#   1. link 0 of node 1 cut under traffic: nodes 2 and 3 reach node 1
#      over link 1 and each other over link 0 still; no configuration
#      change, no token loss, nothing lost (the checker);
#   2. link 0 of node 1 restored: its traffic goes back to link 0 once
#      the link has settled;
#   3. link 1 of node 2 cut while link 0 is up: link 1 is down in the
#      status, traffic stays on link 0, no configuration change;
#   4. node 1 stops hearing node 2 on link 0 (one way): both take link 1
#      for each other, node 1 keeps link 0 for node 3;
#   5. 5% loss on link 0 only: the ring holds;
#   6. both links of node 3 cut: node 3 leaves the ring; repaired, it
#      joins again.
# Waits on status fields (cohortctl status), never on time.
set -uo pipefail
B=${1:-build}
. tests/cluster/lib.sh
cluster_test_init

# links_all_up NODES...: every link between the listed nodes is up.
links_all_up() {
	local i j l
	for i in "$@"; do
		for j in "$@"; do
			[ "$i" = "$j" ] && continue
			for l in 0 1; do
				wait_field "$i" "node.$j.link.$l.state" up || return 1
			done
		done
	done
}

# traffic_flows I [N]: node I delivers N (default 50) more messages than
# it had (bounded).
traffic_flows() {
	local d0 deadline=$((SECONDS + 30)) v n=${2:-50}
	d0=$(node_status_field "$1" stat.delivered)
	while [ $SECONDS -lt $deadline ]; do
		v=$(node_status_field "$1" stat.delivered)
		[ "$v" -gt $((d0 + n)) ] && return 0
		sleep 0.05
	done
	fail "node $1 delivered nothing new ($d0 -> $v)"
}

cluster_create 3
cluster_link1
for i in 1 2 3; do node_start "$i" || fail "start of node $i"; done
wait_ring 1 2 3 || fail "no ring of 3 on two links"
for i in 1 2 3; do client_start "$i" -r 100; done
wait_all_joined || fail "join"
links_all_up 1 2 3 || fail "links not all up"
for i in 1 2 3; do
	v=$(node_status_field "$i" stat.token_losses)
	cl_log "node $i: links up, token losses so far $v"
done

# cohortctl links: corosync-cfgtool -s's layout, exactly.
want=$(printf 'Local node ID 1, transport knet\n'
for l in 0 1; do
	printf 'LINK ID %s udp\n\taddr\t= 10.%s.%s.1\n\tstatus:\n' $l "$CL_NET" $l
	printf '\t\tnodeid: %10u:\t%s\n' 1 localhost 2 connected 3 connected
done)
diff <(ctl 1 links) <(printf '%s\n' "$want") || fail "cohortctl links"
# corosync-cfgtool -s through libcfg (the cfg service reads the same link
# health) prints the same.
diff <(env $(cl_env 1) "$CL_B/bin/corosync-cfgtool" -s) <(printf '%s\n' "$want") ||
    fail "corosync-cfgtool -s"
[ "$(ctl 1 links -b | grep -c $'^\tstatus\t= n33$')" = 2 ] || fail "cohortctl links -b: $(ctl 1 links -b)"
ctl 1 --json links | grep -q '"link":1,"addr":"10\.' || fail "cohortctl --json links: $(ctl 1 --json links)"

# 1. Link 0 of node 1 cut.
ring_note 1 2 3
losses=$(node_status_field 2 stat.token_losses)
cl_log "link 0 of node 1 cut"
t0=${EPOCHREALTIME/./}
link_cut 1 0
wait_field 2 node.1.links_in_use 1 || fail "node 2 does not reach node 1 over link 1"
t1=${EPOCHREALTIME/./}
# A figure for the log (status polled every 50 ms), never asserted.
cl_log "node 2 reaches node 1 over link 1 $(( (t1 - t0) / 1000 )) ms after the cut (token $(node_status_field 2 token_ms) ms)"
wait_field 2 node.1.link.0.state down || fail "node 2 did not see link 0 to node 1 go down"
wait_field 1 node.2.links_in_use 1 || fail "node 1 does not reach node 2 over link 1"
wait_field 2 node.3.links_in_use 0 || fail "node 2 does not reach node 3 over link 0"
traffic_flows 1
traffic_flows 3
[ "$(ctl 2 links -b | sed -n 4p)" = $'\tstatus\t= 1n3' ] || fail "cohortctl links -b on node 2: $(ctl 2 links -b)"
[ "$(env $(cl_env 2) "$CL_B/bin/corosync-cfgtool" -sb | sed -n 4p)" = $'\tstatus\t= 1n3' ] ||
    fail "corosync-cfgtool -sb on node 2: $(env $(cl_env 2) "$CL_B/bin/corosync-cfgtool" -sb)"
ring_steady "link 0 of node 1 cut" "1 2 3" 1 2 3
[ "$(node_status_field 2 stat.token_losses)" = "$losses" ] ||
    fail "a token was lost when link 0 of node 1 failed"

# 2. Restored: back to link 0 once settled.
cl_log "link 0 of node 1 restored"
link_restore 1 0
wait_field 2 node.1.link.0.state up || fail "link 0 to node 1 not up again"
wait_field 2 node.1.links_in_use 0 || fail "node 2 did not go back to link 0 for node 1"
wait_field 1 node.2.links_in_use 0 || fail "node 1 did not go back to link 0 for node 2"
traffic_flows 1
ring_steady "link 0 of node 1 restored" "1 2 3" 1 2 3

# 3. Link 1 of node 2 cut while link 0 is up.
cl_log "link 1 of node 2 cut"
link_cut 2 1
wait_field 1 node.2.link.1.state down || fail "node 1 did not see link 1 to node 2 go down"
wait_field 3 node.2.link.1.state down || fail "node 3 did not see link 1 to node 2 go down"
[ "$(node_status_field 1 node.2.links_in_use)" = 0 ] || fail "node 1 left link 0 for node 2"
traffic_flows 2
ring_steady "link 1 of node 2 cut" "1 2 3" 1 2 3
link_restore 2 1
wait_field 1 node.2.link.1.state up || fail "link 1 to node 2 not up again"

# 4. One way: node 1 stops hearing node 2 on link 0 (nftables). Neither
# gets answers on it, so both take link 1 for each other; node 1 keeps
# link 0 for node 3.
cl_log "node 1 stops hearing node 2 on link 0"
drop_from 1 2
wait_field 1 node.2.links_in_use 1 || fail "node 1 does not reach node 2 over link 1"
wait_field 2 node.1.links_in_use 1 || fail "node 2 does not reach node 1 over link 1"
[ "$(node_status_field 1 node.3.links_in_use)" = 0 ] || fail "node 1 left link 0 for node 3"
traffic_flows 2
ring_steady "one-way cut on link 0" "1 2 3" 1 2 3
clear_filters
wait_field 1 node.2.links_in_use 0 || fail "node 1 did not go back to link 0 for node 2"

# 5. 5% loss on link 0 only (its port, at every node): the ring holds.
cl_log "5% loss on link 0"
random_loss 5
# Fewer messages under the sanitizers (slower daemons).
lossy=500
[ "${COHORT_SAN:-}" = 1 ] && lossy=150
for i in 1 2 3; do traffic_flows "$i" "$lossy"; done
ring_steady "5% loss on link 0" "1 2 3" 1 2 3
clear_filters

# 6. Both links of node 3 cut: it leaves, then joins again.
cl_log "both links of node 3 cut"
link_cut 3 0
link_cut 3 1
wait_ring 1 2 || fail "nodes 1 and 2 did not form a ring without node 3"
wait_field 1 node.3.link.0.state down || fail "link 0 to node 3 not down"
wait_field 1 node.3.link.1.state down || fail "link 1 to node 3 not down"
cl_log "node 3's links restored"
link_restore 3 0
link_restore 3 1
wait_ring 1 2 3 || fail "node 3 did not join again"
traffic_flows 3
for i in 1 2 3; do
	cl_log "node $i: $(node_status_field "$i" stat.net_rx_link_copies) copies over two links dropped, $(node_status_field "$i" stat.net_rx_wrong_link_addr) from a wrong address"
done
finish_and_check || fail "histories"
echo "PASS"
