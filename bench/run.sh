#!/usr/bin/env bash
# bench/run.sh: `make bench`. Cohort against corosync 3.1.7 (Debian's
# packages, installed here when missing) on this machine: one node each,
# then three nodes each in network namespaces (bench/cluster.sh). The same
# bench/cohort-bench.c is built against each library through pkg-config;
# the two systems alternate scenario by scenario (A B in odd rounds, B A
# in even ones).
#
# Prints one table (median and range of the rounds, ratio Cohort/corosync,
# daemon peak RSS and CPU seconds) and writes it per part with the machine
# description and the raw CSV to bench/results/<date>-one-node.md and
# <date>-3-nodes.md, with gnuplot PNGs of throughput by size and of the
# latency distributions.
#
# Environment: ROUNDS (default 3), SECONDS_PER_RUN (default 3),
# BENCH_NODES (1: one node only, 3: three nodes only; default both),
# BENCH_BUILD (Cohort's build directory, default build), BENCH_SIZES,
# BENCH_OUT (scratch results, default bench/results/tmp).
set -euo pipefail
# A command that stops the run says where (set -e alone is silent).
set -E
trap 'echo "bench/run.sh: line $LINENO: \"$BASH_COMMAND\" failed ($?)" >&2' ERR
cd "$(dirname "$0")/.."
. bench/common.sh
BENCH_NODES=${BENCH_NODES:-all}
DATE=$(date -u +%Y-%m-%d)
mkdir -p "$BENCH_OUT"
rm -f "$BENCH_OUT/failures"

one_node() {
	rm -f "$BENCH_OUT/1-node.csv" "$BENCH_OUT/1-daemons.csv" "$BENCH_OUT"/lat/1-*
	if pgrep -x corosync >/dev/null; then
		echo "bench: a corosync is already running on this machine; stop it first" >&2
		exit 1
	fi
	bench_prepare
	trap bench_cleanup EXIT
	bench_machine >"$BENCH_OUT/1-machine"

	# Cohort, one node, on a private socket.
	export COHORT_SOCKET=$T/cohort.sock COHORT_STATE_DIR=$T
	mkfifo "$T/ready"
	COHORT_READY_FD=3 "$T/cohort/sbin/cohortd" -f 3>"$T/ready" 2>"$T/cohortd.log" &
	cohort_pid=$!; BENCH_PIDS+=($cohort_pid)
	read -r _ <"$T/ready"

	# corosync, one node (knet, crypto off, token 3000: Debian's defaults).
	cat >"$T/corosync.conf" <<-CONF
	totem {
		version: 2
		cluster_name: bench
		transport: knet
		crypto_cipher: none
		crypto_hash: none
	}
	nodelist {
		node {
			ring0_addr: 127.0.0.1
			nodeid: 1
			name: bench1
		}
	}
	logging {
		to_stderr: yes
		to_syslog: no
		to_logfile: no
	}
	CONF
	mkfifo "$T/corosync.out"
	corosync -f -c "$T/corosync.conf" >"$T/corosync.out" 2>&1 &
	coro_pid=$!; BENCH_PIDS+=($coro_pid)
	exec 5<"$T/corosync.out"
	while read -r line <&5; do
		echo "$line" >>"$T/corosync.log"
		case $line in *"ready to provide service"*) break ;; esac
	done
	# Keep draining corosync's output so it never blocks on a full pipe.
	cat <&5 >>"$T/corosync.log" &
	BENCH_PIDS+=($!)

	run() {  # impl round scenario size args... (a failed check is recorded, not fatal)
		local impl=$1 r=$2 scen=$3 size=$4 rc=0 o=()
		shift 4
		[ "$scen" = lat1000 ] || { [ "$scen" = tput1 ] && [ "$size" -eq 64 ]; } &&
		    o=(-o "$BENCH_OUT/lat/1-$impl-$scen-$size-r$r-n1.txt")
		"$T/bench-$impl" -l "$impl" "${o[@]}" "$@" >"$T/out" || rc=$?
		[ -s "$T/out" ] && echo "1,$r,$impl,$scen,$size,1,$(cut -d, -f2- "$T/out")" >>"$BENCH_OUT/1-node.csv"
		[ $rc -eq 0 ] && return 0
		[ $rc -eq 2 ] || { echo "bench: $impl $* failed ($rc)" >&2; exit 1; }
		echo "1 node, $impl, round $r: cohort-bench $*: messages lost or damaged" >>"$BENCH_OUT/failures"
	}

	for r in $(seq 1 "$ROUNDS"); do
		bench_log "1 node: round $r/$ROUNDS"
		for s in $SIZES; do
			for impl in $(order "$r"); do run "$impl" "$r" tput1 "$s" throughput "$s" "$SECS"; done
		done
		for impl in $(order "$r"); do run "$impl" "$r" lat1000 64 latency 64 "$SECS" 1000; done
		for impl in $(order "$r"); do run "$impl" "$r" join 0 join 200; done
	done

	read -r rss cpu < <(proc_stats "$cohort_pid")
	echo "1,cohort,1,$rss,$cpu" >>"$BENCH_OUT/1-daemons.csv"
	read -r rss cpu < <(proc_stats "$coro_pid")
	echo "1,corosync,1,$rss,$cpu" >>"$BENCH_OUT/1-daemons.csv"
}

case $BENCH_NODES in
all | 1) (one_node) ;;
esac
case $BENCH_NODES in
all | 3) bash bench/cluster.sh ;;
esac
bench_need_packages
mkdir -p bench/results
[ "$BENCH_NODES" = 3 ] && rm -f "$BENCH_OUT/1-node.csv" "$BENCH_OUT/1-daemons.csv" "$BENCH_OUT"/lat/1-*
[ "$BENCH_NODES" = 1 ] && rm -f "$BENCH_OUT/3-nodes.csv" "$BENCH_OUT/3-failover.csv" "$BENCH_OUT/3-daemons.csv" "$BENCH_OUT"/lat/3-*
python3 bench/report.py "$BENCH_OUT" bench/results "$DATE" "$ROUNDS" "$SECS"
bench_log "written to bench/results/$DATE-*"
