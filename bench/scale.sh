#!/usr/bin/env bash
# scale.sh [BUILD]: how Cohort's ring behaves as the node count grows.
# For each N of SCALE_NODES (default "16 32 64"): N cohortd, one per
# network namespace on one bridge (tests/cluster/lib.sh), with the
# default configuration apart from the nodelist (no token keys, no
# crypto unless SCALE_CRYPTO=1; hires log stamps to read times from), and:
#
#   form     time from the start of the last daemon to the last node's
#            regular configuration of N members (the log stamps), then
#            every node's status checked: one ring of all N
#   idle     CPU per daemon over SCALE_IDLE_S seconds (utime + stime of
#            /proc/PID/stat), mean and highest, and the mean VmRSS
#   stop     SIGSTOP of node N/2: time until node 1 logs a regular
#            configuration of N - 1 members, against the token +
#            consensus timeouts in use; "other changes" counts regular
#            configurations at the survivors besides the one that
#            removed it
#   cont     SIGCONT: time until node 1 logs one of N members again
#   restart  kill -9 of node N/2, its removal, then a restart: time from
#            the restart until node 1 logs a configuration of N again
#   tput     (N in SCALE_TPUT_NODES, default "32 64", empty: none) 64 B from
#            one sender on node 1 for SCALE_SECS s (default 5), delivered
#            and checked at members on nodes 2, N/2 and N
#            (bench/cohort-bench.c member mode)
#   long     (SCALE_LONG_S > 0, default 0) SCALE_LONG_S seconds idle
#            with light traffic (10 msg/s of 64 B from node 1), then the
#            configurations every node counted meanwhile (want 0)
#
# One line of results per N on stdout ("key=value ..."), progress on
# stderr. Waits are on events (log lines, status fields), each bounded
# by SCALE_WAIT s (default 60). Needs root (namespaces). For runs that
# go wrong: CL_KEEP=1 keeps the logs and each node's status,
# SCALE_DEBUG=1 logs at debug level, SCALE_TOTEM adds totem keys;
# SCALE_ARP=1 and SCALE_STATE_DISK=1 undo the two settings of the test
# bed explained below.
set -uo pipefail
B=${1:-build}
cd "$(dirname "$0")/.."

SCALE_NODES=${SCALE_NODES:-16 32 64}
SCALE_TPUT_NODES=${SCALE_TPUT_NODES-32 64}
SCALE_IDLE_S=${SCALE_IDLE_S:-30}
SCALE_SECS=${SCALE_SECS:-5}
SCALE_LONG_S=${SCALE_LONG_S:-0}
SCALE_WAIT=${SCALE_WAIT:-60}

now_ms() { date +%s%3N; }
say() { echo "[$(date +%H:%M:%S.%3N)] $*" >&2; }

# The outer run: one child process per size, each its own cluster (its
# own namespaces, named after its PID).
if [ -z "${SCALE_ONE:-}" ]; then
	[ "$(id -u)" -eq 0 ] || { echo "scale: needs root (namespaces)" >&2; exit 1; }
	BENCH_BIN=$(mktemp /tmp/cohort-scale-bench.XXXXXX)
	trap 'rm -f "$BENCH_BIN"' EXIT
	lib=$(cd "$B/lib" && pwd) || exit 1
	cc -O2 -Wall -Wextra -Wno-unused-parameter -Iinclude -o "$BENCH_BIN" \
	    bench/cohort-bench.c -L"$lib" -Wl,-rpath,"$lib" \
	    -lcpg -lcorosync_common -pthread || exit 1
	echo "# $(nproc) cores, kernel $(uname -r), load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
	rc=0
	for n in $SCALE_NODES; do
		SCALE_ONE=$n SCALE_BENCH=$BENCH_BIN bash "$0" "$B" || rc=1
	done
	echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
	exit $rc
fi

N=$SCALE_ONE
CL_TOKEN=default
CL_WAIT=$SCALE_WAIT
. tests/cluster/lib.sh
cluster_skip_unless_able
# The state directories on tmpfs, as in the earlier runs: 64 daemons on
# one machine share one disk, where each real node has its own. The
# loop no longer waits on it at a new ring (the ring sequence's bound is
# written ahead by a thread, src/daemon/ringseq.h), but every start
# fsyncs the incarnation and the bound. SCALE_STATE_DISK=1 keeps them on
# disk, beside the logs.
if [ -z "${SCALE_STATE_DISK:-}" ]; then
	SHM=$(mktemp -d /dev/shm/cohort-scale.XXXXXX)
	cl_env() {
		mkdir -p "$SHM/n$1"
		echo "COHORT_SOCKET=$CL_DIR/n$1/cohort.sock COHORT_STATE_DIR=$SHM/n$1"
	}
	trap 'cluster_cleanup; rm -rf "$SHM"' EXIT
else
	trap cluster_cleanup EXIT
fi
OUT="nodes=$N"
note() { OUT="$OUT $*"; }

# The stamp (ms since the epoch) of the first line of FILE after line
# FROM that matches PATTERN, from the daemon's hires log stamp.
log_stamp() {
	local line
	line=$(tail -n +"$3" "$1" | grep -m1 -- "$2") || return 1
	date -d "$(cut -c1-19 <<<"$line")" +%s%3N
}

# wait_logs PATTERN FROM NODES...: until every listed node's log has a
# line matching PATTERN after its line FROM[i]; prints the latest stamp.
declare -A FROM
mark_logs() {
	local i
	for i in $(seq 1 "$N"); do FROM[$i]=$(( $(cat "$CL_DIR/n$i/daemon.log" 2>/dev/null | wc -l) + 1 )); done
}
wait_logs() {
	local pat=$1 deadline=$((SECONDS + SCALE_WAIT)) i left latest=0 s
	shift
	left=("$@")
	while [ ${#left[@]} -gt 0 ]; do
		local still=()
		for i in "${left[@]}"; do
			tail -n +"${FROM[$i]}" "$CL_DIR/n$i/daemon.log" | grep -q -- "$pat" || still+=("$i")
		done
		left=("${still[@]}")
		[ ${#left[@]} -eq 0 ] && break
		[ $SECONDS -lt $deadline ] || { say "no '$pat' at nodes ${left[*]}"; return 1; }
		sleep 0.1
	done
	for i in "$@"; do
		s=$(log_stamp "$CL_DIR/n$i/daemon.log" "$pat" "${FROM[$i]}") || return 1
		[ "$s" -gt "$latest" ] && latest=$s
	done
	echo "$latest"
}

cpu_ticks() {  # the daemons' utime + stime, one a line
	local i
	for i in $(seq 1 "$N"); do awk '{ print $14 + $15 }' "/proc/${CL_DPID[$i]}/stat"; done
}

regulars_since() {  # NODES...: regular configurations logged since mark_logs
	local i t=0 c
	for i in "$@"; do
		c=$(tail -n +"${FROM[$i]}" "$CL_DIR/n$i/daemon.log" | grep -c "regular configuration")
		t=$((t + c))
	done
	echo "$t"
}

cluster_create "$N"
# Every node knows every other's MAC address from the start: on one
# machine the 64 namespaces' ARP requests, each flooded to every port
# of the bridge, overflow the kernel's per-CPU backlog
# (net.core.netdev_max_backlog) and their replies are lost, so nodes
# that start late never resolve their peers (sends fail with ENOBUFS).
# Separate hosts on a switch do not share that queue. SCALE_ARP=1 leaves
# ARP to the kernel, as the cluster tests do.
if [ -z "${SCALE_ARP:-}" ]; then
	declare -a MAC
	for i in $(seq 1 "$N"); do
		MAC[$i]=$(ip -n "$(cl_ns "$i")" -o link show eth0 | sed 's/.*link\/ether \([^ ]*\).*/\1/')
	done
	for i in $(seq 1 "$N"); do
		for k in $(seq 1 "$N"); do
			[ "$k" = "$i" ] || echo "neigh replace $(cl_addr "$k") lladdr ${MAC[$k]} dev eth0 nud permanent"
		done | ip -n "$(cl_ns "$i")" -batch - || exit 1
	done
fi
# The default transport (knet), not the tests' udpu.
sed -i "/transport: udpu/d" "$CL_DIR/cluster.conf"
if [ -z "${SCALE_CRYPTO:-}" ]; then
	sed -i '/crypto_cipher\|crypto_hash\|keyfile/d' "$CL_DIR/cluster.conf"
fi
sed -i 's/^    to_stderr: yes$/&\n    timestamp: hires/' "$CL_DIR/cluster.conf"
# SCALE_DEBUG=1: the daemons log at debug level (the protocol's state
# changes), for a run that went wrong.
[ -z "${SCALE_DEBUG:-}" ] || sed -i 's/^    to_stderr: yes$/&\n    debug: on/' "$CL_DIR/cluster.conf"
# SCALE_TOTEM: extra totem keys, one "key: value" a line (experiments
# with the timing; the published runs name none).
if [ -n "${SCALE_TOTEM:-}" ]; then
	printf '%s\n' "$SCALE_TOTEM" | sed 's/^/    /' >"$CL_DIR/totem.add"
	sed -i "/^    cluster_name:/r $CL_DIR/totem.add" "$CL_DIR/cluster.conf"
fi
ALL=$(seq -s ' ' 1 "$N")

# ---- form
say "$N nodes: starting"
for i in $(seq 1 $((N - 1))); do node_start "$i" || exit 1; done
mark_logs
t0=$(now_ms)
node_start "$N" || exit 1
# On a failure the run ends; each node's status goes to its directory
# first (CL_KEEP=1 keeps them, with the logs).
give_up() {
	local i
	for i in $ALL; do ctl "$i" status >"$CL_DIR/n$i/status.txt" 2>&1; done
	echo "$OUT"
	exit 1
}
formed=$(wait_logs "regular configuration .* with $N member" $ALL) || { note "form=none"; give_up; }
note "form_ms=$((formed - t0))"
wait_ring $ALL || give_up
tok=$(node_status_field 1 token_ms)
note "token_ms=$tok consensus_ms=$((tok * 12 / 10))"
say "$N nodes: one ring after $((formed - t0)) ms"

# ---- idle
mapfile -t c0 < <(cpu_ticks)
sleep "$SCALE_IDLE_S"   # the measurement window, not a wait for an event
mapfile -t c1 < <(cpu_ticks)
tck=$(getconf CLK_TCK)
idle=$(for i in $(seq 0 $((N - 1))); do echo $(( c1[i] - c0[i] )); done |
    awk -v t="$tck" -v w="$SCALE_IDLE_S" '{ p = 100 * $1 / t / w; s += p; if (p > m) m = p }
	END { printf "idle_cpu_mean_pct=%.2f idle_cpu_max_pct=%.2f", s / NR, m }')
rss=$(for i in $ALL; do awk '/VmRSS/ { print $2 }' "/proc/${CL_DPID[$i]}/status"; done |
    awk '{ s += $1 } END { printf "rss_mean_kb=%d", s / NR }')
note "$idle $rss"

# ---- stop / cont
v=$((N / 2))
survivors=$(for i in $ALL; do [ "$i" != "$v" ] && echo "$i"; done | tr '\n' ' ')
without=$(tr -s ' ' <<<"$survivors" | sed 's/ $//')
# Each time is node 1's log stamp of the regular configuration that
# shows the change, less the time of the signal or the start.
mark_logs
t0=$(now_ms)
node_stop_signal "$v"
t1=$(wait_logs "regular configuration .* with $((N - 1)) member" 1) || give_up
wait_ring $without || give_up
note "stop_removed_ms=$((t1 - t0)) stop_other_changes=$(( $(regulars_since $without) - (N - 1) ))"
mark_logs
t0=$(now_ms)
node_cont_signal "$v"
t1=$(wait_logs "regular configuration .* with $N member" 1) || give_up
note "cont_back_ms=$((t1 - t0))"
wait_ring $ALL || give_up

# ---- kill and restart
mark_logs
node_kill "$v"
wait_logs "regular configuration .* with $((N - 1)) member" 1 >/dev/null || give_up
mark_logs
t0=$(now_ms)
node_start "$v" || exit 1
t1=$(wait_logs "regular configuration .* with $N member" 1) || give_up
note "restart_back_ms=$((t1 - t0))"
wait_ring $ALL || give_up

# ---- throughput, one sender
bench_on() {  # I ARGS...: cohort-bench on node I
	ip netns exec "$(cl_ns "$1")" env $(cl_env "$1") "$SCALE_BENCH" "${@:2}"
}
if [[ " $SCALE_TPUT_NODES " == *" $N "* ]]; then
	g=tput$N
	pids=()
	for i in 2 "$v" "$N"; do
		bench_on "$i" -g "$g" member recv 64 "$SCALE_SECS" 0 4 1 >"$CL_DIR/tput$i" 2>>"$CL_DIR/bench.log" &
		pids+=($!)
	done
	bench_on 1 -g "$g" member send 64 "$SCALE_SECS" 0 4 1 >"$CL_DIR/tput1" 2>>"$CL_DIR/bench.log" &
	pids+=($!)
	rc=0
	for p in "${pids[@]}"; do wait "$p" || rc=1; done
	[ $rc = 0 ] || { say "throughput run failed:"; tail -5 "$CL_DIR/bench.log" >&2; }
	# msgs_per_s is the 6th CSV column; the slowest of the receivers.
	note "tput64_msgs_per_s=$(cat "$CL_DIR"/tput{2,$v,$N} | cut -d, -f6 | sort -n | head -1)"
fi

# ---- long idle with light traffic
if [ "$SCALE_LONG_S" -gt 0 ]; then
	mark_logs
	declare -A conf0
	for i in $ALL; do conf0[$i]=$(node_status_field "$i" stat.configurations); done
	bench_on "$N" -g light member recv 64 "$SCALE_LONG_S" 10 2 1 >/dev/null 2>>"$CL_DIR/bench.log" & p1=$!
	bench_on 1 -g light member send 64 "$SCALE_LONG_S" 10 2 1 >/dev/null 2>>"$CL_DIR/bench.log" & p2=$!
	wait $p1 $p2
	changes=0
	for i in $ALL; do
		changes=$((changes + $(node_status_field "$i" stat.configurations) - conf0[$i]))
	done
	note "long_s=$SCALE_LONG_S long_config_changes=$changes"
fi
echo "$OUT"
