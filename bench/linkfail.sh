#!/usr/bin/env bash
# bench/linkfail.sh [ROUNDS]: `make bench-links`. Link failover of Cohort
# and corosync 3.1.7 with knet, three nodes each on two networks (link 0
# and link 1: two bridges in one namespace, every node with eth0 and eth1
# in its own), link_mode passive (the default of both), no encryption.
# Uses bench/cluster.sh's functions (namespaces, daemons, clients).
#
# Two configurations, each with both clusters up for all its rounds:
#   default   no timing keys: each system's defaults (corosync: token
#             3000 ms plus token_coefficient; Cohort: its own)
#   token1000 token: 1000 and token_coefficient: 0 for both
# Each round, the two systems alternate (A B, then B A). A run: every
# node sends 64 B messages at LF_RATE per second (default 1000) for
# LF_SECS seconds (default 25), and every member checks every message
# (nothing lost, duplicated or reordered: cohort-bench member). After
# LF_CUT_AT seconds (default 3) link 0 of node 3 is cut (its port on the
# link 0 bridge set down: nothing passes either way; the same for both
# systems); LF_HOLD seconds (default 8) later it is restored. Measured:
#   gap_cut, gap_back  the longest gap in deliveries at any member
#                      between the cut and the restore, and after the
#                      restore (cohort-bench reports gaps over 20 ms; a
#                      phase without one is reported as 20)
#   route_ms           cut to node 3's traffic to both peers on link 1:
#                      Cohort: `cohortctl status` node.N.links_in_use is
#                      1 for both peers; corosync (knet passive moves
#                      traffic only off a link that is down): link 0
#                      disconnected from both peers in corosync-cfgtool -s
#   down_ms            cut to link 0 disconnected from both peers in the
#                      link view of node 3 (cohortctl links, corosync-cfgtool -s)
#   back_ms            restore to node 3's traffic on link 0 again (the
#                      same tools as route_ms)
#   new_ring           whether the ring was re-formed at any node (the
#                      token lost; the same members may come back, then
#                      CPG members see no configuration change)
#   confchg            whether any member saw a configuration change
#   check              whether every member's check passed
# Writes $BENCH_OUT/linkfail.csv and linkfail.raw (the raw lines), and with
# LF_REPORT=1 (make bench-links) bench/results/<date>-link-failover.md.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
ROUNDS=${1:-${ROUNDS:-3}}
LF_RATE=${LF_RATE:-1000}
LF_SECS=${LF_SECS:-25}
LF_CUT_AT=${LF_CUT_AT:-3}
LF_HOLD=${LF_HOLD:-8}
LF_CONFIGS=${LF_CONFIGS:-default token1000}
GAP_MS=20   # cohort-bench -G: gaps reported with their stamps
# Link failover is knet's: corosync runs with its default transport only.
BENCH_IMPLS=${BENCH_IMPLS:-cohort corosync}
BENCH_CLUSTER_FUNCS=1
. bench/cluster.sh
NET1=10.78.0
V=3   # the node whose link 0 is cut

addr1_of() { if [ "$1" = cohort ]; then echo "$NET1.$2"; else echo "$NET1.$((10 + $2))"; fi; }

# net_link1: the second network, bridge br1, eth1 in every node.
net_link1() {
	local impl i ns
	ip -n "$BR" link add br1 type bridge
	ip -n "$BR" link set br1 up
	for impl in cohort corosync; do
		for i in $(seq 1 $N); do
			ns=$(ns_of "$impl" "$i")
			ip link add "w$ns" netns "$ns" type veth peer name "q$(tag "$impl")$i" netns "$BR"
			ip -n "$ns" link set "w$ns" name eth1
			ip -n "$ns" addr add "$(addr1_of "$impl" "$i")/24" dev eth1
			ip -n "$ns" link set eth1 up
			ip -n "$BR" link set "q$(tag "$impl")$i" master br1 up
		done
	done
}

# write_configs2 CONFIG: both files, two links each.
write_configs2() {
	local impl i
	for impl in cohort corosync; do
		{
			printf 'totem {\n\tversion: 2\n\tcluster_name: links%s\n\ttransport: knet\n' "$impl"
			printf '\tcrypto_cipher: none\n\tcrypto_hash: none\n\tlink_mode: passive\n'
			[ "$1" = token1000 ] && printf '\ttoken: 1000\n\ttoken_coefficient: 0\n'
			echo "}"
			echo "nodelist {"
			for i in $(seq 1 $N); do
				printf '\tnode {\n\t\tring0_addr: %s\n\t\tring1_addr: %s\n\t\tnodeid: %d\n\t\tname: node%d\n\t}\n' \
				    "$(addr_of "$impl" "$i")" "$(addr1_of "$impl" "$i")" "$i" "$i"
			done
			echo "}"
			conf_tail "$impl"
		} >"$T/$impl.conf"
	done
}

# link0_connected IMPL: how many peers node V's link view shows connected
# on link 0 (corosync-cfgtool -s; cohortctl links prints the same layout).
link0_connected() {
	local out
	if [ "$1" = cohort ]; then
		out=$(COHORT_SOCKET="$T/cohort$V/cohort.sock" "$T/cohort/bin/cohortctl" links 2>/dev/null)
	else
		out=$(ip netns exec "$(ns_of corosync "$V")" corosync-cfgtool -s 2>/dev/null)
	fi
	awk '/^LINK ID/ { l = $3 } l == "0" && /nodeid/ && /[ \t]connected/ { n++ } END { print n + 0 }' <<<"$out"
}

link0_down() { [ "$(link0_connected "$1")" = 0 ]; }

# on_link IMPL L: node V's traffic to both peers takes link L (Cohort:
# links_in_use; corosync: link 0 connected to both peers for L = 0, to
# none for L = 1).
on_link() {
	local st p ok=1
	if [ "$1" = cohort ]; then
		st=$(COHORT_SOCKET="$T/cohort$V/cohort.sock" "$T/cohort/bin/cohortctl" status 2>/dev/null)
		for p in $(seq 1 $N); do
			[ "$p" = "$V" ] && continue
			[ "$(awk -v k="node.$p.links_in_use" '$1 == k { print $2 }' <<<"$st")" = "$2" ] || ok=0
		done
		[ $ok = 1 ]
	elif [ "$2" = 0 ]; then
		[ "$(link0_connected corosync)" = $((N - 1)) ]
	else
		[ "$(link0_connected corosync)" = 0 ]
	fi
}

# ring_mark IMPL: what changes with every new ring at any node (Cohort:
# ring_id and stat.configurations; corosync: its "A new membership" lines).
ring_mark() {
	local i
	for i in $(seq 1 $N); do
		if [ "$1" = cohort ]; then
			COHORT_SOCKET="$T/cohort$i/cohort.sock" "$T/cohort/bin/cohortctl" status 2>/dev/null |
			    awk '$1 == "ring_id" || $1 == "stat.configurations" { printf "%s ", $2 }'
		else
			grep -c "A new membership" "$T/corosync$i/daemon.log"
		fi
	done
}

# until_ms FROM_NS LIMIT_S CMD...: polls CMD; prints ms from FROM_NS to
# the first success, or "-" after LIMIT_S seconds.
until_ms() {
	local t0=$1 limit=$2 deadline
	shift 2
	deadline=$((SECONDS + limit))
	while [ $SECONDS -lt $deadline ]; do
		"$@" && { echo $(( ($(date +%s%N) - t0) / 1000000 )); return 0; }
		sleep 0.01
	done
	echo -
}

# sleep_until NS: waits until the CLOCK_REALTIME stamp NS.
sleep_until() {
	local d=$(( $1 - $(date +%s%N) ))
	[ $d -gt 0 ] && sleep "$(awk -v d=$d 'BEGIN { printf "%.3f", d / 1e9 }')"
}

# max_gap FROM_NS TO_NS: the longest gap reported at any member that
# ended in [FROM, TO), in ms (20: none over the report threshold).
max_gap() {
	cat "$T"/lf-err* | awk -v a="$1" -v b="$2" -v g="$GAP_MS" '
	    / gap [0-9.]+ ms ending at / { s = $NF; if (s >= a && s < b && $(NF - 4) > m) m = $(NF - 4) }
	    END { printf "%.0f", (m > g ? m : g) }'
}

# linkrun IMPL CONFIG ROUND
linkrun() {
	local impl=$1 cfg=$2 r=$3 i pids=() rc t_start t_cut t_back route down back gc gb conf=no check=ok
	local mark ring=no
	RUN=$((RUN + 1))
	mark=$(ring_mark "$impl")
	rm -f "$T"/lf-err*
	for i in $(seq 1 $N); do
		on "$impl" "$i" timeout -s KILL $((LF_SECS + 120)) "$T/bench-$impl" -l "$impl" -g "lf$$x$RUN" -G "$GAP_MS" \
		    member send 64 "$LF_SECS" "$LF_RATE" $N $N >"$T/lf-out$i" 2>"$T/lf-err$i" &
		pids+=($!)
	done
	for i in $(seq 1 $N); do
		until_ms 0 60 grep -qs "members, sending" "$T/lf-err$i" >/dev/null
	done
	t_start=$(date +%s%N)
	sleep_until $((t_start + LF_CUT_AT * 1000000000))
	t_cut=$(date +%s%N)
	ip -n "$BR" link set "p$(tag "$impl")$V" down
	route=$(until_ms "$t_cut" 15 on_link "$impl" 1)
	down=$(until_ms "$t_cut" 15 link0_down "$impl")
	sleep_until $((t_cut + LF_HOLD * 1000000000))
	t_back=$(date +%s%N)
	ip -n "$BR" link set "p$(tag "$impl")$V" up
	back=$(until_ms "$t_back" 30 on_link "$impl" 0)
	[ $(( ($(date +%s%N) - t_start) / 1000000000 )) -lt "$LF_SECS" ] ||
	    fail_note "links, $impl, $cfg, round $r: the switch back ended after the traffic"
	for i in $(seq 1 $N); do
		wait "${pids[$((i - 1))]}"; rc=$?
		[ $rc -eq 0 ] || check="exit$rc@node$i"
		grep -q "the group changed during the run" "$T/lf-err$i" && conf=yes
		sed "s/^/$impl $cfg r$r node$i: /" "$T/lf-err$i" >>"$BENCH_OUT/linkfail.raw"
	done
	[ "$(ring_mark "$impl")" = "$mark" ] || ring=yes
	gc=$(max_gap "$t_cut" "$t_back")
	gb=$(max_gap "$t_back" 99999999999999999999)
	echo "$cfg,$impl,$r,$gc,$route,$down,$gb,$back,$ring,$conf,$check" >>"$BENCH_OUT/linkfail.csv"
	bench_log "$cfg $impl round $r: gap_cut ${gc} ms, route ${route} ms, down ${down} ms, gap_back ${gb} ms, back ${back} ms, new ring $ring, confchg $conf, check $check"
	for i in $(seq 1 $N); do
		kill -0 "${DPID[$impl$i]}" 2>/dev/null || { fail_note "links, $impl node $i's daemon died"; return 1; }
	done
	wait_ring "$impl" || fail_note "links, $impl, $cfg, round $r: no ring of $N after the run"
}

# timing_note CONFIG: the effective timing of node 1 of each system
# (corosync-cmapctl's runtime values; cohortd -t), to linkfail-timing.
timing_note() {
	local impl
	for impl in $BENCH_IMPLS; do
		printf '%s, %s: ' "$1" "$impl"
		if [ "$impl" = cohort ]; then
			"$T/cohort/sbin/cohortd" -t -c "$T/cohort.conf" -n 1 2>/dev/null |
			    awk '$1 ~ /^(token|consensus|knet_ping_interval|knet_ping_timeout|knet_pong_count):$/ && !seen[$1]++ { printf "%s %s ", $1, $2 }'
		else
			ip netns exec "$(ns_of corosync 1)" corosync-cmapctl 2>/dev/null |
			    awk '$1 ~ /^runtime\.config\.totem\.(token|consensus|interface\.0\.knet_ping_interval|interface\.0\.knet_ping_timeout|interface\.0\.knet_pong_count)$/ {
			        k = $1; sub(/.*\./, "", k); printf "%s: %s ", k, $NF }'
		fi
		echo
	done >>"$BENCH_OUT/linkfail-timing"
}

# stop_all: every daemon of the configuration, by PID.
stop_all() {
	local impl i
	for impl in $BENCH_IMPLS; do
		for i in $(seq 1 $N); do daemon_kill "$impl" "$i"; done
	done
}

bench_prepare
BENCH_CLEANUP_MORE=net_delete
trap bench_cleanup EXIT
rm -f "$BENCH_OUT/linkfail.csv" "$BENCH_OUT/linkfail.raw" "$BENCH_OUT/linkfail-timing" "$BENCH_OUT/failures"
bench_machine >"$BENCH_OUT/linkfail-machine"
net_create
net_link1
echo "config,impl,round,gap_cut_ms,route_ms,down_ms,gap_back_ms,back_ms,new_ring,confchg,check" >"$BENCH_OUT/linkfail.csv"
for cfg in $LF_CONFIGS; do
	write_configs2 "$cfg"
	cp "$T/cohort.conf" "$BENCH_OUT/linkfail-$cfg-cohort.conf"
	cp "$T/corosync.conf" "$BENCH_OUT/linkfail-$cfg-corosync.conf"
	for impl in $BENCH_IMPLS; do
		for i in $(seq 1 $N); do daemon_start "$impl" "$i" || exit 1; done
	done
	for impl in $BENCH_IMPLS; do
		wait_group "$impl" || { echo "bench: $impl: no group of $N members within 60 s" >&2; exit 1; }
		until_ms 0 60 on_link "$impl" 0 >/dev/null
	done
	timing_note "$cfg"
	bench_log "links, $cfg: 3 nodes up: $BENCH_IMPLS"
	for r in $(seq 1 "$ROUNDS"); do
		for impl in $(order "$r"); do linkrun "$impl" "$cfg" "$r"; done
	done
	stop_all
done
if [ "${LF_REPORT:-}" = 1 ]; then
	python3 bench/linkreport.py "$BENCH_OUT" bench/results "$(date -u +%Y-%m-%d)" \
	    "$ROUNDS" "$LF_RATE" "$LF_SECS" "$LF_CUT_AT" "$LF_HOLD"
fi
bench_log "links: done"
