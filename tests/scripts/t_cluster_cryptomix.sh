#!/usr/bin/env bash
# t_cluster_cryptomix.sh BUILD: nodes whose crypto differs (namespaces).
# Nodes 1 and 2 run sealed, with the key keygen wrote (mode 0400, owned by
# the daemon's user: no key file warning). Node 3 of the nodelist then
# starts:
#   1. with crypto off: nodes 1 and 2 warn that node 3 (named by its
#      address) sends plain text where they require crypto, node 3 warns
#      that the ring's representative sends sealed frames and it has no
#      key;
#   2. with another key, in a file readable by all and owned by another
#      user: node 3 warns about the key file (mode, owner), nodes 1 and 2
#      that node 3's frames fail authentication.
# Through both, the sealed ring of 1 and 2 does not change (ring id,
# members, configuration count), the drops are counted
# (stat.net_rx_auth_failed) and the warnings are rate-limited (fewer lines
# than drops).
set -uo pipefail
B=${1:-build}
. tests/cluster/lib.sh
cluster_test_init

# wait_log NODE PATTERN: until node NODE's daemon log has a line matching
# the extended regular expression PATTERN. Bounded.
wait_log() {
	local deadline=$((SECONDS + 30))
	until grep -qE "$2" "$CL_DIR/n$1/daemon.log" 2>/dev/null; do
		[ $SECONDS -lt $deadline ] || fail "node $1 never logged /$2/"
		sleep 0.05
	done
	cl_log "node $1: $(grep -E "$2" "$CL_DIR/n$1/daemon.log" | head -1 | cut -d' ' -f2-)"
}
# node3_with CONF: node 3's daemon on another configuration.
node3_with() {
	rm -f "$CL_DIR/n3/cohort.sock"
	ip netns exec "$(cl_ns 3)" env $(cl_env 3) "$CL_B/sbin/cohortd" -f -c "$1" -n 3 \
	    >>"$CL_DIR/n3/daemon.log" 2>&1 &
	CL_DPID[3]=$!
}
steady() { ring_steady "$1" "1 2" 1 2; }
# bounded_warnings NODE PATTERN: once node 3's JOINs have been dropped
# 20 more times, a warning line for at most every fourth drop (without a
# bound, one per drop).
bounded_warnings() {
	local lines drops want deadline=$((SECONDS + 30))
	want=$(( $(node_status_field "$1" stat.net_rx_auth_failed) + 20 ))
	until [ "$(node_status_field "$1" stat.net_rx_auth_failed)" -ge $want ]; do
		[ $SECONDS -lt $deadline ] || fail "node $1: stat.net_rx_auth_failed did not reach $want"
		sleep 0.1
	done
	lines=$(grep -cE "$2" "$CL_DIR/n$1/daemon.log")
	drops=$(node_status_field "$1" stat.net_rx_auth_failed)
	[ $((lines * 4)) -le "$drops" ] || fail "node $1: $lines warnings for $drops dropped frames"
	cl_log "node $1: $lines warning line(s), stat.net_rx_auth_failed=$drops"
}

cluster_create 3
for i in 1 2; do node_start "$i" || fail "start of node $i"; done
wait_ring 1 2 || fail "no ring of 1 and 2"
ring_note 1 2
for i in 1 2; do
	! grep -q "key file" "$CL_DIR/n$i/daemon.log" ||
	    fail "node $i warned about a private key file: $(grep "key file" "$CL_DIR/n$i/daemon.log")"
done

A3="$(cl_addr 3):5405"
cl_log "1. node 3 with crypto off"
sed -e 's/crypto_cipher: .*/crypto_cipher: none/' -e 's/crypto_hash: .*/crypto_hash: none/' \
    "$CL_DIR/cluster.conf" >"$CL_DIR/plain.conf"
node3_with "$CL_DIR/plain.conf"
for i in 1 2; do wait_log "$i" "frames from node 3's address $A3 are plain text, but this node requires crypto"; done
# What reaches node 3 from the ring of 1 and 2 is its representative's
# MERGE_DETECT (an idle token goes between 1 and 2 only).
wait_log 3 "frames from node [12]'s address 10\.$CL_NET\.0\.[12]:5405 are sealed, but this node has no key"
steady "crypto off on node 3"
for i in 1 2; do bounded_warnings "$i" "frames from node 3's address $A3 are plain text"; done
node_kill 3

cl_log "2. node 3 with another key, readable by all, owned by another user"
"$CL_B/bin/cohortctl" keygen "$CL_DIR/otherkey" >/dev/null
chmod 0644 "$CL_DIR/otherkey"
chown 65534 "$CL_DIR/otherkey"
sed "s|keyfile: .*|keyfile: $CL_DIR/otherkey|" "$CL_DIR/cluster.conf" >"$CL_DIR/otherkey.conf"
node3_with "$CL_DIR/otherkey.conf"
wait_log 3 "key file $CL_DIR/otherkey: permissions 0644 are too open"
wait_log 3 "key file $CL_DIR/otherkey: owned by uid 65534, not by the daemon's user \(uid $(id -u)\)"
for i in 1 2; do wait_log "$i" "frames from node 3's address $A3 fail authentication"; done
steady "another key on node 3"
for i in 1 2; do bounded_warnings "$i" "node 3 at $A3 sends"; done
node_kill 3
steady "end"
echo "PASS"
