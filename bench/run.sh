#!/usr/bin/env bash
# bench/run.sh: `make bench`. Cohort against corosync 3.1.7 (Debian's
# packages, installed here when missing) on this machine, corosync run
# twice, with transport knet and with transport udpu: one node each, then
# three nodes each in network namespaces (bench/cluster.sh). The same
# bench/cohort-bench.c is built against each library through pkg-config;
# the systems alternate scenario by scenario (A B C in odd rounds, C B A
# in even ones).
#
# One node: each system's default configuration (corosync's nodelist of
# 127.0.0.1, its transport, crypto off; Cohort without a file). Each
# corosync runs in its own network and mount namespace (its IPC sockets
# and lock file are fixed names), its clients in that network namespace.
# Scenarios: tput1 (a sender thread floods, a dispatching thread
# delivers), lat1000 (the same two threads at 1000 msg/s), loop (the
# one-thread send, poll, dispatch loop), join.
#
# Prints one table (median and range of the rounds, Cohort against the
# better corosync per figure, the targets, daemon peak RSS and CPU
# seconds) and writes it per part with the machine description, the load
# average at the start and end, and the raw CSV to
# bench/results/<date>-one-node.md and <date>-3-nodes.md, with gnuplot
# PNGs of throughput by size and of the latency distributions.
#
# BENCH_MODE=contention (`make bench-contention`): one node, the
# one-thread 1 KiB flood (send, cpg_dispatch(CS_DISPATCH_ALL), repeat),
# CONTENTION_RUNS (default 10) runs of CONTENTION_SECS (default 2) s per
# system while two CPU-bound processes at nice 0 run beside it (started
# and killed by their PIDs here); writes bench/results/<date>-contention.md.
#
# Environment: ROUNDS (default 3), SECONDS_PER_RUN (default 3),
# BENCH_NODES (1: one node only, 3: three nodes only; default both),
# BENCH_BUILD (Cohort's build directory, default build), BENCH_SIZES,
# BENCH_IMPLS, BENCH_SCENARIOS (common.sh), BENCH_OUT (scratch results,
# default bench/results/tmp).
set -euo pipefail
# A command that stops the run says where (set -e alone is silent).
set -E
trap 'echo "bench/run.sh: line $LINENO: \"$BASH_COMMAND\" failed ($?)" >&2' ERR
cd "$(dirname "$0")/.."
. bench/common.sh
BENCH_NODES=${BENCH_NODES:-all}
DATE=$(date -u +%Y-%m-%d)
mkdir -p "$BENCH_OUT"

# one_node_up: cohortd and one corosync per transport measured, each
# serving; client IMPL CMD... runs CMD as a client of IMPL's daemon.
declare -A D1PID
one_node_up() {
	local impl ns d line
	bench_prepare
	BENCH_CLEANUP_MORE=one_node_down
	trap bench_cleanup EXIT
	for impl in $BENCH_IMPLS; do
		if [ "$impl" = cohort ]; then
			# Cohort, one node, on a private socket.
			mkfifo "$T/ready"
			COHORT_SOCKET=$T/cohort.sock COHORT_STATE_DIR=$T COHORT_READY_FD=3 \
			    "$T/cohort/sbin/cohortd" -f 3>"$T/ready" 2>"$T/cohortd.log" &
			D1PID[$impl]=$!; BENCH_PIDS+=($!)
			read -r _ <"$T/ready"
			continue
		fi
		ns=cb$$$impl d=$T/$impl
		mkdir -p "$d/run" "$d/lib"
		ip netns add "$ns"
		ip -n "$ns" link set lo up
		cat >"$d/corosync.conf" <<-CONF
		totem {
			version: 2
			cluster_name: bench
			transport: $(transport_of "$impl")
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
		ip netns exec "$ns" unshare -m --propagation private sh -c \
		    "mount --bind $d/run /run && mount --bind $d/lib /var/lib/corosync && exec corosync -f -c $d/corosync.conf" \
		    >"$d/daemon.log" 2>&1 &
		D1PID[$impl]=$!; BENCH_PIDS+=($!)
		line=0
		until grep -q "ready to provide service" "$d/daemon.log"; do
			line=$((line + 1))
			if [ $line -gt 600 ] || ! kill -0 "${D1PID[$impl]}" 2>/dev/null; then
				echo "bench: $impl did not start; its log:" >&2
				tail -20 "$d/daemon.log" >&2
				exit 1
			fi
			sleep 0.05
		done
	done
}
one_node_down() {
	local impl
	for impl in $BENCH_IMPLS; do
		[ "$impl" = cohort ] || ip netns del "cb$$$impl" 2>/dev/null
	done
}
client() {
	local impl=$1
	shift
	if [ "$impl" = cohort ]; then COHORT_SOCKET=$T/cohort.sock "$@"
	else ip netns exec "cb$$$impl" "$@"; fi
}

one_node() {
	rm -f "$BENCH_OUT/1-node.csv" "$BENCH_OUT/1-failed.csv" "$BENCH_OUT/1-daemons.csv" "$BENCH_OUT/1-load" "$BENCH_OUT"/lat/1-*
	bench_quiet
	bench_machine >"$BENCH_OUT/1-machine"
	bench_load "$BENCH_OUT/1-load" start
	one_node_up

	# A failed check is recorded (its result line goes to 1-failed.csv,
	# never into the figures), not fatal.
	run() {  # impl round scenario size args...
		local impl=$1 r=$2 scen=$3 size=$4 rc=0 o=() csv=1-node.csv
		shift 4
		[ "$scen" = lat1000 ] || [ "$scen" = loop ] || { [ "$scen" = tput1 ] && [ "$size" -eq 64 ]; } &&
		    o=(-o "$BENCH_OUT/lat/1-$impl-$scen-$size-r$r-n1.txt")
		client "$impl" "$T/bench-$impl" -l "$impl" "${o[@]}" "$@" >"$T/out" 2>>"$T/clients.log" || rc=$?
		[ $rc -eq 0 ] || { csv=1-failed.csv; rm -f "${o[1]:-/nonexistent}"; }
		[ -s "$T/out" ] && echo "1,$r,$impl,$scen,$size,1,$(cut -d, -f2- "$T/out")" >>"$BENCH_OUT/$csv"
		[ $rc -eq 0 ] && return 0
		[ $rc -eq 2 ] || { echo "bench: $impl $* failed ($rc); its last words:" >&2; tail -5 "$T/clients.log" >&2; exit 1; }
		echo "1 node, $impl, round $r: cohort-bench $*: messages lost or damaged: $(grep CHECK "$T/clients.log" | tail -3 | tr '\n' ';')" >>"$BENCH_OUT/failures"
		bench_log "FAILED: 1 node, $impl, round $r: cohort-bench $*: messages lost or damaged"
	}

	for r in $(seq 1 "$ROUNDS"); do
		bench_log "1 node: round $r/$ROUNDS"
		scen_on tput1 && for s in $SIZES; do
			for impl in $(order "$r"); do run "$impl" "$r" tput1 "$s" throughput "$s" "$SECS"; done
		done
		scen_on lat1000 && for impl in $(order "$r"); do run "$impl" "$r" lat1000 64 latency 64 "$SECS" 1000; done
		scen_on loop && for impl in $(order "$r"); do run "$impl" "$r" loop 64 loop 64 "$SECS"; done
		scen_on join && for impl in $(order "$r"); do run "$impl" "$r" join 0 join 200; done
	done

	for impl in $BENCH_IMPLS; do
		read -r rss cpu < <(proc_stats "${D1PID[$impl]}")
		echo "1,$impl,1,$rss,$cpu" >>"$BENCH_OUT/1-daemons.csv"
	done
	bench_load "$BENCH_OUT/1-load" end
}

# contention: the one-thread 1 KiB flood beside two CPU-bound processes.
contention() {
	local r impl i rc csv hog=()
	rm -f "$BENCH_OUT/contention.csv" "$BENCH_OUT/c-failed.csv" "$BENCH_OUT/c-load"
	bench_quiet
	bench_machine >"$BENCH_OUT/c-machine"
	bench_load "$BENCH_OUT/c-load" start
	one_node_up
	for i in 1 2; do
		nice -n 0 sh -c 'while :; do :; done' &
		hog+=($!); BENCH_PIDS+=($!)
	done
	echo "two CPU-bound processes (sh busy loops; their nice values: $(ps -o ni= -p "${hog[0]},${hog[1]}" | tr -s " \n" " " | sed "s/^ //; s/ $//"))" >"$BENCH_OUT/c-background"
	for r in $(seq 1 "${CONTENTION_RUNS:-10}"); do
		bench_log "contention: run $r/${CONTENTION_RUNS:-10}"
		for impl in $(order "$r"); do
			rc=0
			client "$impl" "$T/bench-$impl" -l "$impl" flood 1024 "${CONTENTION_SECS:-2}" >"$T/out" 2>>"$T/clients.log" || rc=$?
			csv=contention.csv
			[ $rc -eq 0 ] || csv=c-failed.csv
			[ -s "$T/out" ] && echo "1,$r,$impl,flood,1024,1,$(cut -d, -f2- "$T/out")" >>"$BENCH_OUT/$csv"
			[ $rc -eq 0 ] || echo "contention, $impl, run $r: cohort-bench flood 1024: exit $rc ($( [ $rc -eq 2 ] && echo 'messages lost or damaged' || echo 'error'))" >>"$BENCH_OUT/c-failures"
		done
	done
	for i in "${hog[@]}"; do kill "$i"; done
	bench_load "$BENCH_OUT/c-load" end
}

if [ "${BENCH_MODE:-}" = contention ]; then
	rm -f "$BENCH_OUT/c-failures"
	(contention)
	python3 bench/report.py --contention "$BENCH_OUT" bench/results "$DATE" "${CONTENTION_RUNS:-10}" "${CONTENTION_SECS:-2}"
	bench_log "written to bench/results/$DATE-contention.md"
	exit 0
fi
rm -f "$BENCH_OUT/failures"

case $BENCH_NODES in
all | 1) (one_node) ;;
esac
case $BENCH_NODES in
all | 3) bash bench/cluster.sh ;;
esac
bench_need_packages
mkdir -p bench/results
[ "$BENCH_NODES" = 3 ] && rm -f "$BENCH_OUT"/1-*.csv "$BENCH_OUT/1-load" "$BENCH_OUT"/lat/1-*
[ "$BENCH_NODES" = 1 ] && rm -f "$BENCH_OUT"/3-*.csv "$BENCH_OUT/3-load" "$BENCH_OUT"/lat/3-*
python3 bench/report.py "$BENCH_OUT" bench/results "$DATE" "$ROUNDS" "$SECS"
bench_log "written to bench/results/$DATE-*"
