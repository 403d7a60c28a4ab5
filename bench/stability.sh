#!/usr/bin/env bash
# stability.sh [BUILD] [SECONDS]: false membership changes with Cohort's
# default timing (token 300 ms + 30 ms a node above two) while both cores
# are busy.
#
# A 3-node cluster in network namespaces (tests/cluster/lib.sh) with the
# token keys taken out of its configuration, a cpgload client on every
# node sending 200 messages/s, and one busy loop per core (same priority
# as the daemons) for SECONDS (default 600). Nothing fails and nothing
# restarts, so every configuration change in that time is a false one.
# At the end: the ring id of every node (it must not have moved), the
# configuration changes the daemons logged, the clients' histories
# checked, the CPU the burners got. Needs root (namespaces).
# STABILITY_PULSE=BUSY:IDLE makes the busy loops run BUSY seconds and
# pause IDLE seconds in turn, so that the load keeps arriving and going
# (tests/scripts/t_cluster_cpuhog.sh does the same in short, at nice -15).
set -uo pipefail
B=${1:-build}
DURATION=${2:-600}
PULSE=${STABILITY_PULSE:-}   # BUSY:IDLE seconds, e.g. 3:11; empty: always busy
cd "$(dirname "$0")/.."
. tests/cluster/lib.sh
cluster_test_init
burners=()
stop_burners() {
	local p
	for p in "${burners[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	burners=()
}
trap 'stop_burners; cluster_cleanup' EXIT

cluster_create 3
sed -i '/token/d' "$CL_DIR/cluster.conf"   # Cohort's defaults
for i in 1 2 3; do node_start "$i" || fail "start of node $i"; done
wait_ring 1 2 3 || fail "no ring of 3"
for i in 1 2 3; do client_start "$i" -r 200 -s 256; done
wait_all_joined || fail "join"

ring0=$(node_status_field 1 ring_id)
token=$(node_status_field 1 token_ms)
confs0=$(cat "$CL_DIR"/n*/daemon.log | grep -c 'regular configuration')
cl_log "ring $ring0, token $token ms; $(nproc) busy loops for ${DURATION}s"
for _ in $(seq 1 "$(nproc)"); do
	if [ -n "$PULSE" ]; then
		# Load that comes and goes.
		( while :; do timeout "${PULSE%:*}" sh -c 'while :; do :; done'
		  sleep "${PULSE#*:}"; done ) &
	else
		( while :; do :; done ) &
	fi
	burners+=($!)
done
t_end=$((SECONDS + DURATION))
changed=0
while [ $SECONDS -lt $t_end ]; do
	sleep 1
	for i in 1 2 3; do
		r=$(node_status_field "$i" ring_id)
		if [ "$r" != "$ring0" ]; then
			cl_log "node $i: ring $r (was $ring0)"
			changed=1
		fi
	done
	[ $changed = 1 ] && break
done
policies=""
for i in 1 2 3; do policies+=" $(node_status_field "$i" sched.policy)"; done
burn_cpu=0
for p in "${burners[@]}"; do
	burn_cpu=$((burn_cpu + $(awk '{print $14 + $15 + $16 + $17}' "/proc/$p/stat")))
done
stop_burners
confs=$(( $(cat "$CL_DIR"/n*/daemon.log | grep -c 'regular configuration') - confs0 ))
cpu=""
for i in 1 2 3; do
	cpu+=" $(awk -v t="$(getconf CLK_TCK)" '{printf "%.1f", ($14 + $15) / t}' "/proc/${CL_DPID[$i]}/stat")"
done
finish_and_check || fail "histories"
echo "stability: ${DURATION}s with $(nproc) busy loops (they got $((burn_cpu / $(getconf CLK_TCK))) CPU s)," \
    "token ${token} ms: $confs configuration changes logged, ring ${ring0} -> $(node_status_field 1 ring_id);" \
    "daemon CPU s:$cpu; scheduling policies:$policies"
[ $changed = 0 ] && [ "$confs" = 0 ] || { echo "FAIL: false membership change"; exit 1; }
