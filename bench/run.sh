#!/usr/bin/env bash
# bench/run.sh: `make bench`. Cohort and corosync 3.1.7 side by side on
# this machine, one node each, the same cohort-bench program built against
# each library through pkg-config, rounds alternating A B A B.
#
# Prints a table (median and range of the rounds, ratio Cohort/corosync),
# daemon peak RSS and CPU seconds, and writes it with the machine
# description and the raw CSV to bench/results/.
#
# Environment: ROUNDS (default 3), SECONDS_PER_RUN (default 3).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
SECS=${SECONDS_PER_RUN:-3}
SIZES="64 1024 16384 65536 1048576"
[ "$(id -u)" -eq 0 ] || { echo "bench: needs root (corosync runs as root)"; exit 1; }
for p in corosync libcpg-dev libcorosync-common-dev; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
	    { echo "bench: installing $p" >&2; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$p" >&2; }
done
if pgrep -x corosync >/dev/null; then
	echo "bench: a corosync is already running on this machine; stop it first" >&2
	exit 1
fi

T=$(mktemp -d /tmp/cohort-bench.XXXXXX)
cpids=()
cleanup() {
	for p in "${cpids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
	rm -rf "$T"
}
trap cleanup EXIT

make -s install PREFIX="$T/cohort" >/dev/null
PKG_CONFIG_PATH="$T/cohort/lib/pkgconfig" cc -O2 -Wall -Wextra -Wno-unused-parameter -o "$T/bench-cohort" bench/cohort-bench.c \
    $(PKG_CONFIG_PATH="$T/cohort/lib/pkgconfig" pkg-config --cflags --libs libcpg libcorosync_common) \
    -Wl,-rpath,"$T/cohort/lib" -pthread
cc -O2 -Wall -Wextra -Wno-unused-parameter -o "$T/bench-corosync" bench/cohort-bench.c $(pkg-config --cflags --libs libcpg) -lcorosync_common -pthread

# Cohort, one node, on a private socket.
export COHORT_SOCKET=$T/cohort.sock COHORT_STATE_DIR=$T
mkfifo "$T/ready"
COHORT_READY_FD=3 "$T/cohort/sbin/cohortd" -f 3>"$T/ready" 2>"$T/cohortd.log" &
cohort_pid=$!; cpids+=($cohort_pid)
read -r _ <"$T/ready"

# corosync, one node (knet, crypto off, token 3000: Debian's defaults).
cat >"$T/corosync.conf" <<CONF
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
coro_pid=$!; cpids+=($coro_pid)
exec 5<"$T/corosync.out"
while read -r line <&5; do
	echo "$line" >>"$T/corosync.log"
	case $line in *"ready to provide service"*) break ;; esac
done
# Keep draining corosync's output so it never blocks on a full pipe.
cat <&5 >>"$T/corosync.log" &
cpids+=($!)

run() {  # impl, args... (a failed check is recorded, not fatal)
	local impl=$1 rc=0; shift
	"$T/bench-$impl" -l "$impl" "$@" || rc=$?
	[ $rc -eq 0 ] && return 0
	[ $rc -eq 2 ] || { echo "bench: $impl $* failed ($rc)" >&2; exit 1; }
	echo "$impl $*: messages lost or damaged" >>"$T/failures"
}

csv=$T/results.csv
for r in $(seq 1 "$ROUNDS"); do
	echo "round $r/$ROUNDS" >&2
	# A B in odd rounds, B A in even ones.
	order="corosync cohort"
	[ $((r % 2)) -eq 0 ] && order="cohort corosync"
	for s in $SIZES; do
		for impl in $order; do run "$impl" throughput "$s" "$SECS" >>"$csv"; done
	done
	for impl in $order; do run "$impl" latency 64 "$SECS" 1000 >>"$csv"; done
	for impl in $order; do run "$impl" join 200 >>"$csv"; done
done

proc_stats() {  # pid -> "peak_rss_kb cpu_s"
	local hwm cpu tck
	hwm=$(awk '/VmHWM/ {print $2}' "/proc/$1/status")
	tck=$(getconf CLK_TCK)
	cpu=$(awk -v t="$tck" '{printf "%.1f", ($14 + $15) / t}' "/proc/$1/stat")
	echo "$hwm $cpu"
}
read -r cohort_rss cohort_cpu < <(proc_stats "$cohort_pid")
read -r coro_rss coro_cpu < <(proc_stats "$coro_pid")

mkdir -p bench/results
export BENCH_FAILURES=$(cat "$T/failures" 2>/dev/null || true)
out=bench/results/$(date -u +%Y-%m-%d)-one-node.md
python3 - "$csv" "$ROUNDS" "$SECS" "$coro_rss" "$coro_cpu" "$cohort_rss" "$cohort_cpu" >"$out" <<'PY'
import csv, statistics, sys, platform, os, subprocess
path, rounds, secs, crss, ccpu, hrss, hcpu = sys.argv[1:]
rows = list(csv.reader(open(path)))
def cpu_model():
    for l in open('/proc/cpuinfo'):
        if l.startswith('model name'):
            return l.split(':', 1)[1].strip()
    return 'unknown'
data = {}
for r in rows:
    impl, mode, size = r[0], r[1], int(r[2])
    key = (mode, size)
    if mode == 'throughput':
        vals = {'msg/s': float(r[5]), 'MB/s': float(r[6])}
    elif mode == 'latency':
        vals = {'p50 us': float(r[7]), 'p99 us': float(r[9])}
    else:
        vals = {'join p50 us': float(r[7])}
    for k, v in vals.items():
        data.setdefault((key, k), {}).setdefault(impl, []).append(v)
print('# Cohort vs corosync 3.1.7, one node\n')
print('Machine: %d cores, %s, kernel %s. %s rounds of %s s per run, '
      'the two systems alternating (A B, then B A). Command: `make bench`.\n'
      % (os.cpu_count(), cpu_model(), platform.release(), rounds, secs))
print('| scenario | metric | corosync median (range) | Cohort median (range) | Cohort/corosync |')
print('|---|---|---|---|---|')
def fmt(v):
    return '%.0f (%.0f–%.0f)' % (statistics.median(v), min(v), max(v)) if v else '-'
for (key, metric), d in sorted(data.items(), key=lambda x: (x[0][0][0], x[0][0][1], x[0][1])):
    mode, size = key
    c, h = d.get('corosync', []), d.get('cohort', [])
    ratio = statistics.median(h) / statistics.median(c) if c and h and statistics.median(c) else 0
    scen = '%s %s B' % (mode, size) if mode != 'join' else 'join'
    if mode == 'latency':
        scen = 'latency 64 B at 1000 msg/s'
    print('| %s | %s | %s | %s | %.2f |' % (scen, metric, fmt(c), fmt(h), ratio))
print('\n| daemon | peak RSS (kB) | CPU seconds over the run |')
print('|---|---|---|')
print('| corosync | %s | %s |' % (crss, ccpu))
print('| cohortd | %s | %s |' % (hrss, hcpu))
fails = os.environ.get('BENCH_FAILURES', '')
if fails:
    print('\nChecks that failed (messages lost, reordered or damaged):\n')
    for l in fails.strip().split('\n'):
        print('- ' + l)
print('\nRaw results (label,mode,size,count,seconds,msgs_per_s,mb_per_s,p50_us,p90_us,p99_us,max_us):\n')
print('```')
for r in rows:
    print(','.join(r))
print('```')
PY
cat "$out"
echo "written to $out" >&2
