#!/usr/bin/env bash
# bench/cluster.sh: Cohort and corosync 3.1.7 (twice: transport knet and
# transport udpu), three nodes each, every node in its own network
# namespace, all nine on one bridge (in a tenth namespace), all clusters
# up for the whole run; the same cohort-bench built against each library,
# the systems alternating A B C, C B A per scenario over ROUNDS rounds.
# Called by bench/run.sh (`make bench`); runs alone too (as root).
#
# All clusters: token 1000 ms, token_coefficient 0 (consensus 1200 ms),
# no encryption (crypto_cipher and crypto_hash none, as in Debian's
# corosync.conf; udpu has none anyway), every other key at its default.
# Transport: Cohort's own (64 KiB totem datagrams cut into frames of the
# veths' 1500-byte MTU), corosync-knet knet (the same, by kronosnet),
# corosync-udpu udpu (one UDP datagram per totem message, fragmented by
# the kernel).
# COHORT_TOTEM_EXTRA="key: value" adds one line to Cohort's totem section
# (e.g. seqno_unchanged_const: 30, corosync's value, to measure the token
# hold's share of the latency).
#
# Scenarios (each message is checked at every member):
#   tput1 SIZE     node 1 sends flat out, every node delivers
#   tputall SIZE   all three nodes send flat out
#   lat1000 64     node 1 sends 1000 msg/s (a sender thread and a
#                  dispatching thread); latency at every member
#   loop 64        node 1 runs the one-thread loop (send one, poll,
#                  dispatch until it came back, repeat); latency at
#                  every member
#   join           cpg_join to the own JOIN confchg on node 1
#   failover       kill -9 of node 3's (odd rounds) or node 2's daemon to
#                  the NODEDOWN confchg at the slowest survivor; restart
#                  to the survivors' JOIN of a member on the restarted node
# Latency at saturation is that of tput1 64 B.
#
# Output (under $BENCH_OUT): 3-nodes.csv (one line per member and run
# that passed; 3-failed.csv the same of the runs where a member failed:
# nodes,round,impl,scenario,size,node,mode,size,count,seconds,msgs_per_s,
# mb_per_s,p50_us,p90_us,p99_us,max_us), 3-failover.csv
# (impl,round,victim,detect_ms,rejoin_ms,reason), 3-daemons.csv
# (nodes,impl,node,peak_rss_kb,cpu_s), lat/ (latency samples), failures,
# unsettled (runs that started while the daemons were still busy: settle).
set -uo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh

NS=cb$$
BR=${NS}br
NET=10.77.0
N=3

tag() { case $1 in cohort) echo h ;; corosync-udpu) echo u ;; *) echo k ;; esac; }
ns_of() { echo "$NS$(tag "$1")$2"; }    # impl node -> namespace (cb<pid>h1, cb<pid>k2)
addr_of() {
	case $1 in
	cohort) echo "$NET.$2" ;;
	corosync-udpu) echo "$NET.$((20 + $2))" ;;
	*) echo "$NET.$((10 + $2))" ;;
	esac
}

net_create() {
	local impl i ns
	ip netns add "$BR"
	ip -n "$BR" link add br0 type bridge
	ip -n "$BR" link set br0 up
	for impl in $BENCH_IMPLS; do
		for i in $(seq 1 $N); do
			ns=$(ns_of "$impl" "$i")
			ip netns add "$ns"
			ip link add "v$ns" netns "$ns" type veth peer name "p$(tag "$impl")$i" netns "$BR"
			ip -n "$ns" link set "v$ns" name eth0
			ip -n "$ns" addr add "$(addr_of "$impl" "$i")/24" dev eth0
			ip -n "$ns" link set eth0 up
			ip -n "$ns" link set lo up
			ip -n "$BR" link set "p$(tag "$impl")$i" master br0 up
			mkdir -p "$T/$impl$i/run" "$T/$impl$i/lib"
		done
	done
}

net_delete() {
	local impl i
	for impl in $BENCH_IMPLS; do
		for i in $(seq 1 $N); do ip netns del "$(ns_of "$impl" "$i")" 2>/dev/null; done
	done
	ip netns del "$BR" 2>/dev/null
}

write_configs() {
	local impl i
	for impl in $BENCH_IMPLS; do
		{
			echo "totem {"
			echo "	version: 2"
			echo "	cluster_name: bench3$impl"
			echo "	transport: $(transport_of "$impl")"
			echo "	crypto_cipher: none"
			echo "	crypto_hash: none"
			echo "	token: 1000"
			echo "	token_coefficient: 0"
			[ "$impl" = cohort ] && [ -n "${COHORT_TOTEM_EXTRA:-}" ] && printf "\t%s\n" "$COHORT_TOTEM_EXTRA"
			echo "}"
			echo "nodelist {"
			for i in $(seq 1 $N); do
				printf '\tnode {\n\t\tring0_addr: %s\n\t\tnodeid: %d\n\t\tname: node%d\n\t}\n' \
				    "$(addr_of "$impl" "$i")" "$i" "$i"
			done
			echo "}"
			conf_tail "$impl"
		} >"$T/$impl.conf"
	done
}

# conf_tail IMPL: the sections after the nodelist (quorum for corosync,
# logging).
conf_tail() {
	[ "$1" != cohort ] && printf 'quorum {\n\tprovider: corosync_votequorum\n}\n'
	printf 'logging {\n\tto_stderr: yes\n\tto_syslog: no\n\tto_logfile: no\n\ttimestamp: hires\n}\n'
}

# on IMPL I CMD...: execs CMD as a client of node I's daemon (its
# namespace; for Cohort also its socket; libqb's abstract sockets are per
# namespace). Run it with & (then $! is CMD's pid) or in ( ).
on() {
	local impl=$1 i=$2
	shift 2
	exec ip netns exec "$(ns_of "$impl" "$i")" env COHORT_SOCKET="$T/$impl$i/cohort.sock" "$@"
}

declare -A DPID DRSS DCPU   # [impl$i]: daemon pid; peak RSS and CPU of killed ones

# daemon_start IMPL I: starts node I's daemon and waits until it serves.
daemon_start() {
	local impl=$1 i=$2 d=$T/$1$2 t=0
	if [ "$impl" = cohort ]; then
		rm -f "$d/cohort.sock"
		ip netns exec "$(ns_of "$impl" "$i")" env COHORT_SOCKET="$d/cohort.sock" COHORT_STATE_DIR="$d" \
		    "$T/cohort/sbin/cohortd" -f -c "$T/cohort.conf" -n "$i" >>"$d/daemon.log" 2>&1 &
	else
		# corosync has a fixed lock file (/run/corosync.pid) and ring id
		# directory (/var/lib/corosync): a private mount namespace each.
		: >"$d/daemon.log"
		ip netns exec "$(ns_of "$impl" "$i")" unshare -m --propagation private sh -c \
		    "mount --bind $d/run /run && mount --bind $d/lib /var/lib/corosync && exec corosync -f -c $T/$impl.conf" \
		    >>"$d/daemon.log" 2>&1 &
	fi
	DPID[$impl$i]=$!
	BENCH_PIDS+=($!)
	while :; do
		if [ "$impl" = cohort ]; then [ -S "$d/cohort.sock" ] && break
		else grep -q "ready to provide service" "$d/daemon.log" && break; fi
		sleep 0.05; t=$((t + 1))
		if [ $t -gt 600 ] || ! kill -0 "${DPID[$impl$i]}" 2>/dev/null; then
			echo "bench: $impl node $i did not start; its log:" >&2
			tail -20 "$d/daemon.log" >&2
			return 1
		fi
	done
}

# daemon_kill IMPL I: kill -9, after keeping its statistics.
daemon_kill() {
	local k=$1$2 rss cpu
	read -r rss cpu < <(proc_stats "${DPID[$k]}")
	[ "${DRSS[$k]:-0}" -lt "$rss" ] && DRSS[$k]=$rss
	DCPU[$k]=$(awk -v a="${DCPU[$k]:-0}" -v b="$cpu" 'BEGIN {printf "%.1f", a + b}')
	kill -9 "${DPID[$k]}"
	wait "${DPID[$k]}" 2>/dev/null
}

# wait_ring IMPL: every daemon is in one ring of all N nodes (Cohort:
# cohortctl status; corosync: its latest membership line).
wait_ring() {
	local impl=$1 i ok deadline=$((SECONDS + 60)) st
	while [ $SECONDS -lt $deadline ]; do
		ok=1
		for i in $(seq 1 $N); do
			if [ "$impl" = cohort ]; then
				st=$(COHORT_SOCKET="$T/cohort$i/cohort.sock" "$T/cohort/bin/cohortctl" status 2>/dev/null)
				grep -qx "state *operational" <<<"$st" && grep -qx "members *$(seq -s ' ' 1 $N)" <<<"$st" || ok=0
			else
				[ "$(grep -o 'QUORUM\] Members\[[0-9]*\]' "$T/$impl$i/daemon.log" | tail -1)" = "QUORUM] Members[$N]" ] || ok=0
			fi
		done
		[ $ok = 1 ] && return 0
		sleep 0.1
	done
	return 1
}

# wait_group IMPL: a member on every node sees all N in one group (the
# ring first; then up to three tries, each in a new group).
wait_group() {
	local impl=$1 i pids rcs g try
	wait_ring "$impl" || fail_note "3 nodes, $impl: no ring of $N nodes within 60 s"
	for try in 1 2 3; do
		g=ready$RANDOM pids=()
		# One group for all: the members must meet in it.
		for i in $(seq 1 $N); do
			on "$impl" "$i" timeout 20 "$T/bench-$impl" -g "$g" watch $N >"$T/ready-$impl$i" 2>>"$T/clients.log" &
			pids+=($!)
		done
		rcs=()
		for i in "${pids[@]}"; do wait "$i"; rcs+=($?); done
		[ "${rcs[*]}" = "$(printf '0 %.0s' $(seq 1 $N) | sed 's/ $//')" ] && return 0
		fail_note "3 nodes, $impl: members of group $g did not all see $N members within 20 s (try $try; exit statuses ${rcs[*]}); what they saw: $(for i in $(seq 1 $N); do echo "node $i: $(tr '\n' ';' <"$T/ready-$impl$i")"; done)"
	done
	return 1
}

# The group names of the runs are new every time: no member of an
# earlier run can be in the view a run starts from.
RUN=0
fail_note() { echo "$*" >>"$BENCH_OUT/failures"; bench_log "FAILED: $*"; }

# daemon_ticks: the CPU ticks (user + system) of every daemon running.
daemon_ticks() {
	local k s=0 t
	for k in "${!DPID[@]}"; do
		t=$(awk '{print $14 + $15}' "/proc/${DPID[$k]}/stat" 2>/dev/null) || t=0
		s=$((s + ${t:-0}))
	done
	echo "$s"
}

# settle WHAT: waits until the daemons of all systems are quiet (at most
# SETTLE_TICKS CPU ticks together over 0.2 s, default 4: less than a
# tenth of a CPU), at most 30 s, so that a system a run left busy (a
# corosync still retransmitting after its clients were killed) does not
# take the CPU from the next run; a run that starts unsettled is noted.
settle() {
	local deadline=$((SECONDS + 30)) a b
	while [ $SECONDS -lt $deadline ]; do
		a=$(daemon_ticks); sleep 0.2; b=$(daemon_ticks)
		[ $((b - a)) -le "${SETTLE_TICKS:-4}" ] && return 0
	done
	echo "$1: started with the daemons still busy after 30 s ($((b - a)) ticks in 0.2 s)" >>"$BENCH_OUT/unsettled"
	bench_log "$1: the daemons are still busy after 30 s; starting anyway"
}

# run3 IMPL ROUND SCENARIO SIZE RATE SENDERS
run3() {
	local impl=$1 r=$2 scen=$3 size=$4 rate=$5 senders=$6 i role pids=() rc g o csv
	RUN=$((RUN + 1)); g=r$$x$RUN
	settle "3 nodes, $impl, round $r, $scen $size B"
	for i in $(seq 1 $N); do
		role=recv
		[ "$senders" -eq $N ] || [ "$i" -eq 1 ] && role=send
		[ "$scen" = loop ] && [ "$i" -eq 1 ] && role=loop
		o=()
		[ "$scen" = lat1000 ] || [ "$scen" = loop ] || { [ "$scen" = tput1 ] && [ "$size" -eq 64 ]; } &&
		    o=(-o "$BENCH_OUT/lat/3-$impl-$scen-$size-r$r-n$i.txt")
		on "$impl" "$i" timeout -s KILL $((SECS + 120)) "$T/bench-$impl" -l "$impl" -g "$g" "${o[@]}" \
		    member "$role" "$size" "$SECS" "$rate" $N "$senders" >"$T/out$i" 2>>"$T/clients.log" &
		pids+=($!)
	done
	# A run where any member failed goes to 3-failed.csv, never into
	# the figures.
	csv=3-nodes.csv
	for i in $(seq 1 $N); do
		wait "${pids[$((i - 1))]}"; rc=$?
		[ $rc -eq 0 ] && continue
		csv=3-failed.csv
		fail_note "3 nodes, $impl, round $r, $scen $size B, node $i: exit $rc ($( [ $rc -eq 2 ] && echo 'messages lost or damaged' || echo 'error or timeout'))"
	done
	for i in $(seq 1 $N); do
		[ -s "$T/out$i" ] && echo "3,$r,$impl,$scen,$size,$i,$(cut -d, -f2- "$T/out$i")" >>"$BENCH_OUT/$csv"
		[ "$csv" = 3-failed.csv ] && rm -f "$BENCH_OUT/lat/3-$impl-$scen-$size-r$r-n$i.txt"
	done
	for i in $(seq 1 $N); do
		kill -0 "${DPID[$impl$i]}" 2>/dev/null || { fail_note "3 nodes, $impl node $i's daemon died in $scen $size B"; return 1; }
	done
}

join3() {
	local impl=$1 r=$2
	if (on "$impl" 1 timeout -s KILL 120 "$T/bench-$impl" -l "$impl" -g "j$$" join 100 >"$T/out1" 2>>"$T/clients.log"); then
		echo "3,$r,$impl,join,0,1,$(cut -d, -f2- "$T/out1")" >>"$BENCH_OUT/3-nodes.csv"
	else
		fail_note "3 nodes, $impl, round $r, join: exit $?"
	fi
}

# wait_line FILE EXTENDED-REGEX FROM_LINE: the stamp of the first match.
wait_line() {
	local deadline=$((SECONDS + 60)) s
	while [ $SECONDS -lt $deadline ]; do
		s=$(tail -n +"$3" "$1" 2>/dev/null | grep -m1 -E -- "$2" | cut -d' ' -f1)
		[ -n "$s" ] && { echo "$s"; return 0; }
		sleep 0.01
	done
	return 1
}

declare -A WPID
watch_start() {  # IMPL I: a stamped confchg watcher in group fo on node I
	on "$1" "$2" "$T/bench-$1" -g "fo$$" watch >>"$T/fo-$1$2" 2>>"$T/clients.log" &
	WPID[$1$2]=$!
	BENCH_PIDS+=($!)
}

failover3() {
	local impl=$1 r=$2 v i s worst t0 d j reason from
	v=$(( r % 2 ? 3 : 2 ))
	for i in $(seq 1 $N); do : >"$T/fo-$impl$i"; watch_start "$impl" "$i"; done
	for i in $(seq 1 $N); do
		wait_line "$T/fo-$impl$i" "members=$N " 1 >/dev/null || { fail_note "3 nodes, $impl, round $r, failover: no group of $N"; return 1; }
	done
	declare -A from
	for i in $(seq 1 $N); do from[$i]=$(( $(wc -l <"$T/fo-$impl$i") + 1 )); done
	t0=$(date +%s%N)
	daemon_kill "$impl" "$v"
	worst=0 reason=
	for i in $(seq 1 $N); do
		[ "$i" = "$v" ] && continue
		s=$(wait_line "$T/fo-$impl$i" " left=([^ ]*,)?$v/" "${from[$i]}") ||
		    { fail_note "3 nodes, $impl, round $r, failover: no confchg with node $v leaving at node $i"; return 1; }
		[ "$s" -gt "$worst" ] && worst=$s
		reason=$(tail -n +"${from[$i]}" "$T/fo-$impl$i" | grep -m1 -oE " left=([^ ]*,)?$v/[0-9]+/[0-9]+" | sed 's|.*/||')
		from[$i]=$(( $(wc -l <"$T/fo-$impl$i") + 1 ))
	done
	d=$(( (worst - t0) / 1000000 ))
	kill -9 "${WPID[$impl$v]}" 2>/dev/null; wait "${WPID[$impl$v]}" 2>/dev/null
	t0=$(date +%s%N)
	daemon_start "$impl" "$v" || { fail_note "3 nodes, $impl, round $r: restart of node $v failed"; return 1; }
	: >"$T/fo-$impl$v"; watch_start "$impl" "$v"
	worst=0
	for i in $(seq 1 $N); do
		[ "$i" = "$v" ] && continue
		s=$(wait_line "$T/fo-$impl$i" " joined=([^ ]*,)?$v/" "${from[$i]}") ||
		    { fail_note "3 nodes, $impl, round $r, failover: node $v's member never joined at node $i"; return 1; }
		[ "$s" -gt "$worst" ] && worst=$s
	done
	j=$(( (worst - t0) / 1000000 ))
	echo "$impl,$r,$v,$d,$j,$reason" >>"$BENCH_OUT/3-failover.csv"
	bench_log "$impl failover: node $v, NODEDOWN after $d ms (reason $reason), rejoin after $j ms"
	wait_line "$T/fo-$impl$v" "members=$N " 1 >/dev/null ||
	    fail_note "3 nodes, $impl, round $r, failover: the member on restarted node $v never saw $N members"
	for i in $(seq 1 $N); do kill -9 "${WPID[$impl$i]}" 2>/dev/null; wait "${WPID[$impl$i]}" 2>/dev/null; done
	wait_group "$impl"
}

# bench/linkfail.sh sources this file for the functions above.
[ -n "${BENCH_CLUSTER_FUNCS:-}" ] && return 0

bench_prepare
BENCH_CLEANUP_MORE=net_delete
trap bench_cleanup EXIT
rm -f "$BENCH_OUT"/3-*.csv "$BENCH_OUT"/lat/3-* "$BENCH_OUT"/unsettled
bench_quiet
bench_machine >"$BENCH_OUT/3-machine"
rm -f "$BENCH_OUT/3-load"
bench_load "$BENCH_OUT/3-load" start
net_create
write_configs
for impl in $BENCH_IMPLS; do
	for i in $(seq 1 $N); do daemon_start "$impl" "$i" || exit 1; done
done
for impl in $BENCH_IMPLS; do
	wait_group "$impl" || { echo "bench: $impl: no group of $N members within 60 s" >&2; exit 1; }
done
bench_log "3 nodes up: $BENCH_IMPLS"

for r in $(seq 1 "$ROUNDS"); do
	bench_log "3 nodes: round $r/$ROUNDS"
	for senders in 1 $N; do
		scen=tput1; [ "$senders" -eq $N ] && scen=tputall
		scen_on $scen || continue
		for s in $SIZES; do
			for impl in $(order "$r"); do
				bench_log "3 nodes: $impl $scen $s B"
				run3 "$impl" "$r" "$scen" "$s" 0 "$senders"
			done
		done
	done
	scen_on lat1000 && for impl in $(order "$r"); do run3 "$impl" "$r" lat1000 64 1000 1; done
	scen_on loop && for impl in $(order "$r"); do run3 "$impl" "$r" loop 64 0 1; done
	scen_on join && for impl in $(order "$r"); do join3 "$impl" "$r"; done
	scen_on failover && for impl in $(order "$r"); do failover3 "$impl" "$r"; done
done

for impl in $BENCH_IMPLS; do
	for i in $(seq 1 $N); do
		k=$impl$i
		if kill -0 "${DPID[$k]}" 2>/dev/null; then
			read -r rss cpu < <(proc_stats "${DPID[$k]}")
			[ "${DRSS[$k]:-0}" -lt "$rss" ] && DRSS[$k]=$rss
			DCPU[$k]=$(awk -v a="${DCPU[$k]:-0}" -v b="$cpu" 'BEGIN {printf "%.1f", a + b}')
		fi
		echo "3,$impl,$i,${DRSS[$k]:-0},${DCPU[$k]:-0}" >>"$BENCH_OUT/3-daemons.csv"
	done
done
bench_load "$BENCH_OUT/3-load" end
rm -f "$BENCH_OUT"/*.conf
for impl in $BENCH_IMPLS; do cp "$T/$impl.conf" "$BENCH_OUT/"; done
bench_log "3 nodes: done"
