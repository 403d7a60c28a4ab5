#!/usr/bin/env bash
# token-cost.sh [BUILD] [SEQNO...]: what light traffic costs a daemon.
# A 3-node Cohort cluster in network namespaces (tests/cluster/lib.sh) at
# the default token, a cpgload client on every node sending 100 messages/s
# of 256 bytes; over 10 s, the datagrams node 1 sends per second and the
# CPU its daemon uses, for each seqno_unchanged_const given ("default":
# Cohort's, 1; corosync's is 30). Needs root (namespaces).
set -uo pipefail
B=${1:-build}
shift
[ $# -gt 0 ] || set -- 30 default
cd "$(dirname "$0")/.."
for seqno in "$@"; do
	(
	. tests/cluster/lib.sh
	cluster_test_init
	cluster_create 3
	sed -i '/token/d' "$CL_DIR/cluster.conf"
	[ "$seqno" != default ] &&
	    sed -i "s/^totem {/totem {\n    seqno_unchanged_const: $seqno/" "$CL_DIR/cluster.conf"
	for i in 1 2 3; do node_start "$i" || exit 1; done
	wait_ring 1 2 3 || exit 1
	for i in 1 2 3; do client_start "$i" -r 100 -s 256; done
	wait_all_joined || exit 1
	sleep 2   # steady state
	tck=$(getconf CLK_TCK)
	a=$(node_status_field 1 stat.net_tx); c0=$(awk '{print $14 + $15}' "/proc/${CL_DPID[1]}/stat")
	sleep 10  # the measured period
	b=$(node_status_field 1 stat.net_tx); c1=$(awk '{print $14 + $15}' "/proc/${CL_DPID[1]}/stat")
	echo "seqno_unchanged_const $seqno: node 1 sent $(( (b - a) / 10 )) datagrams/s," \
	    "its daemon used $(( (c1 - c0) * 1000 / tck / 10 )) ms of CPU per s"
	finish_and_check >/dev/null || { echo "histories failed"; exit 1; }
	)
done
