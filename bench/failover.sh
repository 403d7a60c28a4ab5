#!/usr/bin/env bash
# failover.sh [BUILD] [ROUNDS]: failover of a 3-node Cohort cluster in
# network namespaces (tests/cluster/lib.sh), token 1000 ms (CL_TOKEN), or
# Cohort's default timing with FO_DEFAULTS=1 (token 330 ms for 3 nodes).
#
# Each round: a CPG listener on every node in group "fo"; kill -9 of one
# daemon (victims 3, 2, 3, 2, ...); "detect" is the time from the kill
# to the NODEDOWN confchg at the survivors' listener (slowest survivor);
# then the daemon is restarted with a new listener, and "rejoin" is the
# time from the restart to the listener's JOIN confchg at a survivor.
# Prints every round and the medians. Needs root (namespaces).
set -uo pipefail
B=${1:-build}
ROUNDS=${2:-5}
cd "$(dirname "$0")/.."
. tests/cluster/lib.sh
cluster_skip_unless_able
trap cluster_cleanup EXIT

now_ns() { date +%s%N; }

# listen I OUT: a stamped `cohortctl listen fo` on node I.
listen() {
	ip netns exec "$(cl_ns "$1")" env $(cl_env "$1") "$CL_B/bin/cohortctl" listen fo 2>/dev/null |
	    while IFS= read -r line; do echo "$(now_ns) $line"; done >>"$2" &
}

# stamp_of FILE PATTERN: the stamp of the first line after offset matching.
wait_stamp() {  # FILE PATTERN FROM_LINE
	local deadline=$((SECONDS + 30)) s
	while [ $SECONDS -lt $deadline ]; do
		s=$(tail -n +"$3" "$1" 2>/dev/null | grep -m1 -- "$2" | cut -d' ' -f1)
		[ -n "$s" ] && { echo "$s"; return 0; }
		sleep 0.01
	done
	return 1
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

cluster_create 3
# FO_DEFAULTS=1: Cohort's default timing (no token keys in the file).
if [ -n "${FO_DEFAULTS:-}" ]; then
	sed -i '/token/d' "$CL_DIR/cluster.conf"
	CL_TOKEN=default
fi
for i in 1 2 3; do node_start "$i" || exit 1; done
wait_ring 1 2 3 || exit 1
for i in 1 2 3; do listen "$i" "$CL_DIR/l$i"; done
for i in 1 2 3; do wait_stamp "$CL_DIR/l$i" "members=\[1/[0-9]*, 2/[0-9]*, 3/[0-9]*\]" 1 >/dev/null || exit 1; done
printf 'round victim detect_ms rejoin_ms\n'
det=() rej=()
for r in $(seq 1 "$ROUNDS"); do
	v=$(( r % 2 ? 3 : 2 ))
	survivors=$(for i in 1 2 3; do [ "$i" != "$v" ] && echo "$i"; done)
	declare -A from
	for i in $survivors; do from[$i]=$(( $(wc -l <"$CL_DIR/l$i") + 1 )); done
	t0=$(now_ns)
	node_kill "$v"
	worst=0
	for i in $survivors; do
		s=$(wait_stamp "$CL_DIR/l$i" "$v/[0-9]* nodedown" "${from[$i]}") || { echo "no NODEDOWN at node $i"; exit 1; }
		[ "$s" -gt "$worst" ] && worst=$s
	done
	d=$(( (worst - t0) / 1000000 ))
	for i in $survivors; do from[$i]=$(( $(wc -l <"$CL_DIR/l$i") + 1 )); done
	t2=$(now_ns)
	node_start "$v" || exit 1
	listen "$v" "$CL_DIR/l$v"
	worst=0
	for i in $survivors; do
		s=$(wait_stamp "$CL_DIR/l$i" "joined=\[$v/[0-9]* join\]" "${from[$i]}") || { echo "no JOIN at node $i"; exit 1; }
		[ "$s" -gt "$worst" ] && worst=$s
	done
	j=$(( (worst - t2) / 1000000 ))
	printf '%d %d %d %d\n' "$r" "$v" "$d" "$j"
	det+=("$d") rej+=("$j")
	wait_ring 1 2 3 || exit 1
done
tok=$(node_status_field 1 token_ms)
printf 'median detect %s ms (token %s ms, consensus %s ms), median rejoin %s ms, %d rounds\n' \
    "$(printf '%s\n' "${det[@]}" | median)" "$tok" "$((tok * 12 / 10))" \
    "$(printf '%s\n' "${rej[@]}" | median)" "$ROUNDS"
