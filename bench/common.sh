# bench/common.sh: what bench/run.sh (one node) and bench/cluster.sh
# (three nodes) share: settings, the Debian packages, Cohort installed
# from $BENCH_BUILD into a private prefix, cohort-bench built against each
# library through pkg-config, and daemon statistics.
#
# After bench_prepare: $T is a private directory (removed by the EXIT trap
# the caller sets up with bench_cleanup), $T/cohort the Cohort prefix,
# $T/bench-cohort and $T/bench-corosync the two builds of cohort-bench
# ($T/bench-corosync-knet and -udpu name the latter: one per system
# measured, a system being Cohort or corosync with one transport).
# Results accumulate under $BENCH_OUT (default bench/results/tmp).

ROUNDS=${ROUNDS:-3}
SECS=${SECONDS_PER_RUN:-3}
SIZES=${BENCH_SIZES:-64 1024 16384 65536 1048576}
BENCH_BUILD=${BENCH_BUILD:-build}
BENCH_OUT=${BENCH_OUT:-bench/results/tmp}
BENCH_CC_FLAGS="-O2 -Wall -Wextra -Wno-unused-parameter"
declare -a BENCH_PIDS

bench_log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

bench_need_packages() {
	local p
	for p in corosync libcpg-dev libcorosync-common-dev gnuplot-nox; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" && continue
		bench_log "installing $p"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$p" >&2
	done
}

bench_prepare() {
	[ "$(id -u)" -eq 0 ] || { echo "bench: needs root (corosync, namespaces)" >&2; exit 1; }
	bench_need_packages
	T=$(mktemp -d /tmp/cohort-bench.XXXXXX)
	mkdir -p "$BENCH_OUT/lat"
	make -s B="$BENCH_BUILD" install PREFIX="$T/cohort" DEFAULTDIR="$T/cohort/etc/default" >/dev/null
	# shellcheck disable=SC2046
	cc $BENCH_CC_FLAGS -o "$T/bench-cohort" bench/cohort-bench.c \
	    $(PKG_CONFIG_PATH="$T/cohort/lib/pkgconfig" pkg-config --cflags --libs libcpg libcorosync_common) \
	    -Wl,-rpath,"$T/cohort/lib" -pthread
	# shellcheck disable=SC2046
	cc $BENCH_CC_FLAGS -o "$T/bench-corosync" bench/cohort-bench.c \
	    $(pkg-config --cflags --libs libcpg) -lcorosync_common -pthread
	ln -s bench-corosync "$T/bench-corosync-knet"
	ln -s bench-corosync "$T/bench-corosync-udpu"
}

# transport_of IMPL: corosync's transport (corosync alone: knet, the
# default; Cohort: knet, its only one).
transport_of() { case $1 in corosync-udpu) echo udpu ;; *) echo knet ;; esac; }

# Every process the benchmark starts is in BENCH_PIDS; only those are
# stopped, by PID.
bench_cleanup() {
	local p
	for p in "${BENCH_PIDS[@]}"; do
		# A process may be gone already (the drainer of a killed
		# daemon): not a failure of the run.
		[ -n "$p" ] && { kill -9 "$p" 2>/dev/null || true; }
	done
	wait 2>/dev/null
	[ -n "${BENCH_CLEANUP_MORE:-}" ] && $BENCH_CLEANUP_MORE
	# BENCH_KEEP=1: the daemons' logs and files stay, for a failed run.
	if [ "${BENCH_KEEP:-}" = 1 ]; then echo "kept: $T" >&2; else rm -rf "$T"; fi
}

proc_stats() {  # pid -> "peak_rss_kb cpu_s"
	local hwm cpu tck
	hwm=$(awk '/VmHWM/ {print $2}' "/proc/$1/status")
	tck=$(getconf CLK_TCK)
	cpu=$(awk -v t="$tck" '{printf "%.1f", ($14 + $15) / t}' "/proc/$1/stat")
	echo "$hwm $cpu"
}

# order ROUND: the systems in the order of this round (A B C, then C B A).
# BENCH_IMPLS: the systems measured (default all three: Cohort and
# corosync with each of its transports; "cohort" alone is for working on
# Cohort, never for a published table).
BENCH_IMPLS=${BENCH_IMPLS:-cohort corosync-knet corosync-udpu}
# BENCH_SCENARIOS: the scenarios run (default all: tput1 tputall lat1000
# loop join failover).
BENCH_SCENARIOS=${BENCH_SCENARIOS:-tput1 tputall lat1000 loop join failover}
scen_on() { case " $BENCH_SCENARIOS " in *" $1 "*) return 0 ;; esac; return 1; }
order() {
	if [ $(($1 % 2)) -eq 1 ]; then printf '%s\n' $BENCH_IMPLS
	else printf '%s\n' $BENCH_IMPLS | tac; fi
}

# bench_quiet: before a part, waits up to BENCH_QUIET_S seconds (default
# 180) for the 1-minute load average to fall to 0.25 per core, so that a
# part does not start in the load of the part before it (the load average
# decays over minutes). A machine that others keep busy does not settle:
# the part then starts anyway and its report says the machine was loaded.
bench_quiet() {
	local waited=0 limit=${BENCH_QUIET_S:-180}
	while awk -v c="$(nproc)" '{exit !($1 > 0.25 * c)}' /proc/loadavg &&
	    [ "$waited" -lt "$limit" ]; do
		sleep 5; waited=$((waited + 5))
	done
	[ "$waited" -gt 0 ] && bench_log "waited ${waited} s for the load to settle: $(cut -d' ' -f1-3 /proc/loadavg)"
	return 0
}

bench_machine() {
	printf '%s cores, %s, kernel %s; load average before the run: %s' "$(nproc)" \
	    "$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)" "$(uname -r)" \
	    "$(cut -d' ' -f1-3 /proc/loadavg)"
}

# bench_load FILE start|end: appends "start|end CORES LOAD1 LOAD5 LOAD15"
# (the report marks a loaded machine from these).
bench_load() {
	echo "$2 $(nproc) $(cut -d' ' -f1-3 /proc/loadavg)" >>"$1"
}
