#!/bin/bash
# bench/pair.sh A B [ROUNDS]: Cohort against Cohort, two built trees
# (directories with build/sbin/cohortd and build/lib), one node, paired.
# Both daemons run at once, each on a private socket with no
# configuration; every scenario of bench/run.sh's Cohort part runs
# against the two back to back (A then B in odd rounds, B then A in even
# ones), so a machine that others load gives both the same conditions.
# cohort-bench is this tree's, built against each tree's libcpg.
# Prints one CSV line per run on stdout:
#   round,tree(A|B),scenario,size,<cohort-bench's line without its label>
# A run whose checks fail (a message lost or damaged) stops the script.
set -eu
[ $# -ge 2 ] || { echo "usage: bench/pair.sh TREE_A TREE_B [ROUNDS]" >&2; exit 2; }
ROUNDS=${3:-4}
SIZES=${BENCH_SIZES:-64 1024 16384 65536 1048576}
SECS=${SECONDS_PER_RUN:-3}
W=$(mktemp -d /tmp/cohort-pair.XXXXXX)
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$W"
}
trap cleanup EXIT
start() {  # name tree
	local d=$W/$1 t
	t=$(cd "$2" && pwd)
	mkdir -p "$d"
	cc -O2 -Wall -o "$d/bench" bench/cohort-bench.c -I"$t/include" \
	    -L"$t/build/lib" -lcpg -lcorosync_common -Wl,-rpath,"$t/build/lib" -pthread
	mkfifo "$d/ready"
	COHORT_SOCKET=$d/sock COHORT_STATE_DIR=$d COHORT_READY_FD=3 \
	    "$t/build/sbin/cohortd" -f 3>"$d/ready" 2>"$d/log" &
	PIDS+=($!)
	read -r _ <"$d/ready"
}
start A "$1"
start B "$2"
run() {  # round tree scenario size args...
	local r=$1 v=$2 sc=$3 sz=$4 line
	shift 4
	line=$(COHORT_SOCKET=$W/$v/sock "$W/$v/bench" -l "$v" "$@")
	echo "$r,$v,$sc,$sz,${line#*,}"
}
echo "pair: load at start $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for r in $(seq "$ROUNDS"); do
	if [ $((r % 2)) = 1 ]; then ord="A B"; else ord="B A"; fi
	for s in $SIZES; do
		for v in $ord; do run "$r" "$v" tput1 "$s" throughput "$s" "$SECS"; done
	done
	for v in $ord; do run "$r" "$v" lat1000 64 latency 64 "$SECS" 1000; done
	for v in $ord; do run "$r" "$v" join 0 join 200; done
	echo "pair: round $r done, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
done
