#!/usr/bin/env bash
# t_cluster_cpuhog.sh BUILD: 3 nodes with the product's default timing
# and scheduling (no token or sched_rr in the configuration), light CPG
# traffic, and CPU-bound processes at nice -15 next to them: pulses of
# 2 to 6 per CPU lasting under a second, with idle gaps of 1.2 to 2.4 s
# between them (long enough for a daemon that lowers its priority while
# the machine looks idle to do so), and one burst of several seconds.
# The daemons must not lose the token once nor form a new configuration:
# a node that waits for a CPU behind its neighbours' programs is not a
# failed node.
# Every history is checked. CPUHOG_SEED picks another pulse schedule.
set -uo pipefail
B=${1:-build}
. tests/cluster/lib.sh
cluster_test_init

SEED=${CPUHOG_SEED:-19}
CPUS=$(nproc)
if [ -n "${COHORT_SAN:-}" ]; then
	PULSE_S=10 BURST_S=3
else
	PULSE_S=25 BURST_S=6
fi
loadpid=
trap '[ -n "$loadpid" ] && kill "$loadpid" 2>/dev/null; cluster_cleanup' EXIT

CL_TOKEN=default
cluster_up 3 3 -r 50 -s 256

# Counters of every node: token losses, configurations, and the ring.
counters() {
	local i
	for i in 1 2 3; do
		ctl "$i" --json status | python3 -c 'import json, sys
d = json.load(sys.stdin)
print(d["nodeid"], d["stat.token_losses"], d["stat.configurations"], d["ring_id"])'
	done
}
before=$(counters) || fail "status"
cl_log "token $(node_status_field 1 token_ms) ms, scheduling $(node_status_field 1 sched.policy)"

# hog SECONDS: one CPU-bound process for that long.
hog() { timeout "$1" sh -c 'while :; do :; done'; }

# The load, at nice -15 itself, so that its pulses start and stop on
# time whatever the daemons do; its processes inherit the nice value.
load() {
	local end=$((SECONDS + PULSE_S)) burst_at=$((SECONDS + PULSE_S / 2))
	local burst=0 n d k g
	renice -n -15 -p "$BASHPID" >/dev/null || exit 1
	RANDOM=$SEED
	while [ $SECONDS -lt $end ]; do
		if [ $burst = 0 ] && [ $SECONDS -ge $burst_at ]; then
			n=$((4 * CPUS)) d=$BURST_S burst=1
		else
			n=$(((2 + RANDOM % 5) * CPUS)) d=0.$((2 + RANDOM % 8))
		fi
		cl_log "$n processes for ${d}s"
		for ((k = 0; k < n; k++)); do hog "$d" & done
		wait
		g=$((12 + RANDOM % 13))
		sleep "$((g / 10)).$((g % 10))"
	done
}
cl_log "CPU-bound processes at nice -15: ${PULSE_S}s of pulses with a ${BURST_S}s burst (seed $SEED)"
load &
loadpid=$!
wait "$loadpid" || fail "the load did not run (renice -15 needs root)"
loadpid=
cl_log "load over"
after=$(counters) || fail "status"
finish_and_check || fail "histories"

echo "before (node, token losses, configurations, ring):"
echo "$before"
echo "after:"
echo "$after"
[ "$before" = "$after" ] || fail "the load made the ring lose the token or change its configuration"
echo "PASS"
