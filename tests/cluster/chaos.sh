#!/usr/bin/env bash
# chaos.sh [BUILD] [SECONDS] [SEED]: the chaos soak. Five cohortd nodes in
# network namespaces (lib.sh), CPG clients (cpgload) on every node in
# three groups, and for SECONDS (default 120) a seeded random schedule of
# faults and client churn:
#
#   faults   kill -9 of a daemon and its restart; SIGSTOP beyond the token
#            timeout and SIGCONT; a partition of one or two nodes and its
#            heal; one-way loss (node A stops hearing node B); random loss
#            of 2-20% on the input of one or two nodes; and faults of one
#            link (the nodes are on two networks, link 0 and link 1): a
#            node's port on one link down, one-way loss on one link (A
#            stops hearing B there), random loss of 2-20% on one link into
#            one node. The node faults above hit both links.
#   clients  kill -9 of a client, a new client, a client leaving its group
#            (SIGHUP to cpgload) and, at a later SIGHUP, joining it again
#
# The schedule is a sequence of episodes. An episode starts one or two
# faults that touch at most two nodes in all, undoes every fault after a
# random time, and mixes in up to three client actions; after it, the
# script waits (on events, bounded) until the five nodes form one ring
# and every client has joined, then starts the next. The schedule is a
# function of SEED only (printed first; the same seed gives the same
# schedule, though not the same timings). At the end every fault is gone:
# the clients that left join again, all stop sending and drain, every
# history goes through evscheck --final, and a summary line gives the
# figures: faults by kind, client actions, configuration changes,
# messages sent and delivered, each daemon's peak RSS (VmHWM, the largest
# over its restarts) and the duration.
#
# Exit 0 pass, 1 fail (the seed and the command to replay it are printed;
# the run's directory is kept), 77 skip (no namespaces here).
set -uo pipefail
B=${1:-build}
CH_SECONDS=${2:-120}
CH_SEED=${3:-$(( $(date +%s%N) % 1000000000 + 1 ))}
B=$(cd "$B" 2>/dev/null && pwd) || { echo "FAIL: no build directory ${1:-build}"; exit 1; }
cd "$(dirname "$0")/../.." || exit 1
CL_WAIT=${CL_WAIT:-90}
. tests/cluster/lib.sh
cluster_test_init
trap 'exit 1' TERM INT   # through the EXIT trap: everything is removed

CH_NODES="1 2 3 4 5"
CH_GROUPS=3            # groups chaos0 .. chaos2
CH_RATE=20             # messages per second per client
CH_MIN_CLIENTS=6       # below this a client kill becomes a new client
CH_MAX_CLIENTS=16      # above this a new client becomes a client kill
CH_START=$SECONDS

ch_fail() {
	CL_KEEP=1
	fail "$* (seed $CH_SEED; replay: tests/cluster/chaos.sh $B $CH_SECONDS $CH_SEED)"
}

# ------------------------------------------------------------ randomness
# A Lehmer generator (MINSTD) in shell arithmetic: the same on every bash,
# and nothing else draws from it, so the schedule depends on the seed only.
CH_STATE=$(( CH_SEED % 2147483646 + 1 ))
rnd() {  # rnd N: CH_R uniform in 0..N-1
	CH_STATE=$(( CH_STATE * 48271 % 2147483647 ))
	CH_R=$(( CH_STATE % $1 ))
}
rnd_in() {  # rnd_in LO HI: CH_R uniform in LO..HI
	rnd $(( $2 - $1 + 1 ))
	CH_R=$(( CH_R + $1 ))
}

now_ms() { local t=${EPOCHREALTIME/./}; CH_NOW=$(( t / 1000 )); }

# Under load a fork costs tens of milliseconds (80 ms each on the shared
# 2-core machine at load 17): the hot paths here use builtins only, so
# the schedule's timings stay close to the plan.
ch_log() {
	local t=${EPOCHREALTIME#*.}
	printf '[%(%H:%M:%S)T.%s] chaos: %s\n' -1 "${t:0:3}" "$*"
}
cpid() { CH_P=${CL_CLIENTS[$1]%% *}; }    # client K's pid, in CH_P
cnode() { CH_N=${CL_CLIENTS[$1]##* }; }   # client K's node, in CH_N

# ------------------------------------------------------------ accounting
declare -A CH_COUNT=()
count() { CH_COUNT[$1]=$(( ${CH_COUNT[$1]:-0} + 1 )); }
declare -a CH_HWM CH_DOWN CH_STOPPED CH_GRP CH_SIZE CH_OUT CH_WAS

# hwm_note I: the peak RSS of node I's daemon so far, kept across restarts.
hwm_note() {
	local p=${CL_DPID[$1]:-} kb
	[ -n "$p" ] || return 0
	kb=$(awk '$1 == "VmHWM:" { print $2 }' "/proc/$p/status" 2>/dev/null)
	[ -n "$kb" ] && [ "$kb" -gt "${CH_HWM[$1]:-0}" ] && CH_HWM[$1]=$kb
	return 0
}

# ---------------------------------------------------------------- clients
# ch_client NODE GROUP SIZE: a cpgload on NODE in group chaosGROUP.
ch_client() {
	CL_GROUP=chaos$2 client_start "$1" -r "$CH_RATE" -s "$3"
	local k=$((CL_NEXT_CLIENT - 1))
	CH_GRP[$k]=$2 CH_SIZE[$k]=$3 CH_OUT[$k]=0
}

# CH_ELIG: the live clients that have seen a confchg (their signal
# handlers are in place and their history has begun), optionally only
# those on usable nodes (daemon neither killed nor stopped).
declare -a CH_ELIG CH_SEEN
eligible_clients() {  # [usable]
	local k
	CH_ELIG=()
	for k in "${!CL_CLIENTS[@]}"; do
		[ -n "${CL_CLIENTS[$k]}" ] || continue
		cnode "$k"
		if [ "${1:-}" = usable ] && { [ "${CH_DOWN[$CH_N]:-0}" = 1 ] || [ "${CH_STOPPED[$CH_N]:-0}" = 1 ]; }; then
			continue
		fi
		[ "${CH_SEEN[$k]:-}" ] || { grep -q '^gconf ' "$CL_DIR/h$k" 2>/dev/null && CH_SEEN[$k]=1; }
		[ "${CH_SEEN[$k]:-}" ] && CH_ELIG+=("$k")
	done
}

# ch_reap: lib.sh's clients_reap without a process per client.
ch_reap() {
	local k
	for k in "${!CL_CLIENTS[@]}"; do
		[ -n "${CL_CLIENTS[$k]}" ] || continue
		cpid "$k"
		kill -0 "$CH_P" 2>/dev/null && continue
		wait "$CH_P" 2>/dev/null
		CL_CLIENTS[$k]=
	done
}

live_count() {  # in CH_LIVE
	local k
	CH_LIVE=0
	for k in "${!CL_CLIENTS[@]}"; do [ -n "${CL_CLIENTS[$k]}" ] && CH_LIVE=$((CH_LIVE + 1)); done
}

# The population stays between CH_MIN_CLIENTS and CH_MAX_CLIENTS: a kill
# that would go below becomes a new client, and the other way round.
act_client_kill() {  # R
	local c
	eligible_clients; c=("${CH_ELIG[@]}")
	live_count
	if [ $CH_LIVE -le $CH_MIN_CLIENTS ] || [ ${#c[@]} -eq 0 ]; then
		new_client "$1" $(( $1 % CH_GROUPS )) 200
	else
		kill_client "${c[$(( $1 % ${#c[@]} ))]}"
	fi
}

act_client_new() {  # R GROUP SIZE
	local c
	eligible_clients; c=("${CH_ELIG[@]}")
	live_count
	if [ $CH_LIVE -ge $CH_MAX_CLIENTS ] && [ ${#c[@]} -gt 0 ]; then
		kill_client "${c[$(( $1 % ${#c[@]} ))]}"
	else
		new_client "$@"
	fi
}

kill_client() {  # K
	cnode "$1"
	ch_log "kill -9 of client $1 (node $CH_N)"
	client_kill "$1"
	count client_kill
}

new_client() {  # R GROUP SIZE: on a node whose daemon runs
	local n=() i
	for i in $CH_NODES; do [ "${CH_DOWN[$i]:-0}" = 1 ] || n+=("$i"); done
	i=${n[$(( $1 % ${#n[@]} ))]}
	ch_client "$i" "$2" "$3"
	ch_log "new client $((CL_NEXT_CLIENT - 1)) on node $i in chaos$2, $3 B"
	count client_new
}

act_toggle() {  # R: a member leaves its group, or one that left joins again
	local c k
	eligible_clients usable; c=("${CH_ELIG[@]}")
	[ ${#c[@]} -gt 0 ] || return 0
	k=${c[$(( $1 % ${#c[@]} ))]}
	cpid "$k"
	kill -HUP "$CH_P" 2>/dev/null || return 0
	if [ "${CH_OUT[$k]}" = 0 ]; then
		CH_OUT[$k]=1; count leave
		ch_log "client $k leaves chaos${CH_GRP[$k]}"
	else
		CH_OUT[$k]=0; count rejoin
		ch_log "client $k joins chaos${CH_GRP[$k]} again"
	fi
}

# ----------------------------------------------------------------- faults
# Fault F's nft rules live in a table of their own, chaosF, so undoing one
# fault leaves the others alone.
# nft_in NODE TABLE RULE: RULE in an input chain of its own table on
# NODE, in one nft call.
nft_in() {
	ip netns exec "coh${CL_RUN}n$1" nft -f - <<-EOF
	add table inet $2
	add chain inet $2 in { type filter hook input priority 0; }
	add rule inet $2 in $3
	EOF
}

declare -a CH_FKIND CH_FNODES CH_FARG

# fault_on ID KIND "NODES" ARG
fault_on() {
	local id=$1 kind=$2 nodes=$3 arg=$4 i k
	CH_FKIND[$id]=$kind CH_FNODES[$id]=$nodes CH_FARG[$id]=$arg
	count "$kind"
	case $kind in
	kill)
		i=$nodes
		hwm_note "$i"
		CH_WAS[$i]=
		for k in "${!CL_CLIENTS[@]}"; do
			[ -n "${CL_CLIENTS[$k]}" ] || continue
			cnode "$k"; [ "$CH_N" = "$i" ] && CH_WAS[$i]+="$k "
		done
		ch_log "kill -9 of node $i's daemon"
		node_kill "$i"; CH_DOWN[$i]=1
		wait_clients_exit_on "$i" ;;
	pause)
		ch_log "SIGSTOP of node $nodes's daemon"
		node_stop_signal "$nodes"; CH_STOPPED[$nodes]=1 ;;
	partition)
		ch_log "partition {$nodes} from the rest"
		# Both networks: br1 and br3 are the other side's.
		for i in $nodes; do
			ip -n "$CL_BR" link set "p$i" master br1
			ip -n "$CL_BR" link set "q$i" master br3
		done ;;
	asym)
		set -- $nodes
		ch_log "node $1 stops hearing node $2"
		nft_in "$1" "chaos$id" "ip saddr { $(cl_addr "$2"), $(cl_addr1 "$2") } drop" ||
		    ch_fail "nft (asym)" ;;
	loss)
		ch_log "$arg% random loss into nodes {$nodes}"
		for i in $nodes; do
			nft_in "$i" "chaos$id" "udp dport { 5405, 5406 } numgen random mod 100 < $arg drop" ||
			    ch_fail "nft (loss)"
		done ;;
	linkdown)
		ch_log "link $arg of node $nodes down"
		link_cut "$nodes" "$arg" ;;
	linkasym)
		set -- $nodes
		ch_log "node $1 stops hearing node $2 on link $arg"
		nft_in "$1" "chaos$id" "ip saddr 10.$CL_NET.$arg.$2 drop" || ch_fail "nft (linkasym)" ;;
	linkloss)
		ch_log "${arg#*:}% random loss on link ${arg%%:*} into node $nodes"
		nft_in "$nodes" "chaos$id" "udp dport $((5405 + ${arg%%:*})) numgen random mod 100 < ${arg#*:} drop" ||
		    ch_fail "nft (linkloss)" ;;
	esac
}

fault_off() {  # ID
	local id=$1 nodes=${CH_FNODES[$1]} i k
	case ${CH_FKIND[$id]} in
	kill)
		ch_log "restart of node $nodes"
		node_start "$nodes" || ch_fail "restart of node $nodes"
		CH_DOWN[$nodes]=0
		# The clients that died with it come back, one for one.
		for k in ${CH_WAS[$nodes]}; do ch_client "$nodes" "${CH_GRP[$k]}" "${CH_SIZE[$k]}"; done ;;
	pause)
		ch_log "SIGCONT of node $nodes's daemon"
		node_cont_signal "$nodes"; CH_STOPPED[$nodes]=0 ;;
	partition)
		ch_log "heal of {$nodes}"
		for i in $nodes; do
			ip -n "$CL_BR" link set "p$i" master br0
			ip -n "$CL_BR" link set "q$i" master br2
		done ;;
	linkdown)
		ch_log "link ${CH_FARG[$id]} of node $nodes up"
		link_restore "$nodes" "${CH_FARG[$id]}" ;;
	asym|loss|linkasym|linkloss)
		ch_log "${CH_FKIND[$id]} into {$nodes} off"
		for i in $nodes; do
			case ${CH_FKIND[$id]} in asym|linkasym)
				[ "$i" != "${nodes%% *}" ] && continue ;;
			esac
			ip netns exec "coh${CL_RUN}n$i" nft delete table inet "chaos$id" ||
			    ch_fail "nft delete"
		done ;;
	esac
}

# --------------------------------------------------------------- schedule
# plan_episode: CH_PLAN, the episode's events "MS WHAT ARGS..." in time
# order, drawn from the generator only. Fault ids go on across episodes.
CH_FID=0
plan_episode() {
	local want used=() free ev=() kind n a b dur start t d i nodes arg end=0
	rnd 100; want=$(( CH_R < 40 ? 2 : 1 ))
	start=0
	while [ ${#used[@]} -lt 2 ] && [ "$want" -gt 0 ]; do
		free=()
		for i in $CH_NODES; do [[ " ${used[*]} " == *" $i "* ]] || free+=("$i"); done
		rnd 100
		if [ "$CH_R" -lt 18 ]; then kind=kill
		elif [ "$CH_R" -lt 34 ]; then kind=pause
		elif [ "$CH_R" -lt 50 ]; then kind=partition
		elif [ "$CH_R" -lt 63 ]; then kind=asym
		elif [ "$CH_R" -lt 76 ]; then kind=loss
		elif [ "$CH_R" -lt 85 ]; then kind=linkdown
		elif [ "$CH_R" -lt 93 ]; then kind=linkasym
		else kind=linkloss; fi
		# At most two nodes faulty: a fault on two nodes only if two are free.
		n=1
		case $kind in
		asym|linkasym) n=2 ;;
		partition|loss) rnd 2; n=$((CH_R + 1)) ;;
		esac
		[ $(( ${#used[@]} + n )) -le 2 ] || { kind=loss; n=1; }
		rnd ${#free[@]}; a=${free[$CH_R]}
		unset "free[$CH_R]"; free=("${free[@]}")
		nodes=$a
		if [ $n = 2 ]; then rnd ${#free[@]}; b=${free[$CH_R]}; nodes="$a $b"; fi
		used+=($nodes)
		case $kind in
		kill) rnd_in 1500 8000; dur=$CH_R; arg=- ;;
		pause) rnd_in 1500 6000; dur=$CH_R; arg=- ;;
		partition) rnd_in 2000 10000; dur=$CH_R; arg=- ;;
		asym) rnd_in 2000 8000; dur=$CH_R; arg=- ;;
		loss) rnd_in 3000 10000; dur=$CH_R; rnd_in 2 20; arg=$CH_R ;;
		linkdown|linkasym) rnd_in 1500 8000; dur=$CH_R; rnd 2; arg=$CH_R ;;
		linkloss) rnd_in 3000 10000; dur=$CH_R; rnd 2; a=$CH_R
			rnd_in 2 20; arg=$a:$CH_R ;;
		esac
		CH_FID=$((CH_FID + 1))
		ev+=("$start fault_on $CH_FID $kind ${nodes// /,} $arg" "$((start + dur)) fault_off $CH_FID")
		[ $((start + dur)) -gt $end ] && end=$((start + dur))
		want=$((want - 1))
		rnd_in 0 3000; start=$CH_R
	done
	rnd 4; n=$CH_R
	for ((i = 0; i < n; i++)); do
		rnd "$end"; t=$CH_R
		rnd 1000000; a=$CH_R
		rnd 100
		if [ "$CH_R" -lt 25 ]; then ev+=("$t act_client_kill $a")
		elif [ "$CH_R" -lt 55 ]; then
			rnd $CH_GROUPS; b=$CH_R
			rnd 4; d=$(( (CH_R == 3 ? 3000 : 64 << (CH_R * 2)) ))
			ev+=("$t act_client_new $a $b $d")
		else ev+=("$t act_toggle $a"); fi
	done
	mapfile -t CH_PLAN < <(printf '%s\n' "${ev[@]}" | sort -n -s -k1,1)
}

run_episode() {
	local e t what base d
	now_ms; base=$CH_NOW
	for e in "${CH_PLAN[@]}"; do
		set -- $e
		t=$1 what=$2; shift 2
		now_ms
		if [ $((base + t)) -gt "$CH_NOW" ]; then
			d=$((base + t - CH_NOW))
			printf -v d '%d.%03d' $((d / 1000)) $((d % 1000))
			sleep "$d"
		fi
		case $what in
		fault_on) fault_on "$1" "$2" "${3//,/ }" "$4" ;;
		*) "$what" "$@" ;;
		esac
	done
}

# settle: one ring of five and every client joined, bounded by CL_WAIT;
# CH_SETTLE_MAX is the longest it took (ms), a figure of the summary.
CH_SETTLE_MAX=0
settle() {
	local t0
	now_ms; t0=$CH_NOW
	wait_ring $CH_NODES || ch_fail "no ring of 5 after episode $1"
	wait_all_joined || ch_fail "a client did not join after episode $1"
	now_ms
	[ $((CH_NOW - t0)) -gt $CH_SETTLE_MAX ] && CH_SETTLE_MAX=$((CH_NOW - t0))
	ch_log "settled in $((CH_NOW - t0)) ms"
}

# -------------------------------------------------------------- the end
# rejoined K: client K's history has, after its last "leave", a confchg
# that lists it in J with JOIN (1).
rejoined() {
	awk -v me="$(head -1 "$CL_DIR/h$1" | awk '{ print $2 }')" '
		$1 == "leave" { ok = 0 }
		$1 == "gconf" && index($0, " J=") && ("," substr($0, index($0, " J=") + 3) ",") ~ ("," me ":1,") { ok = 1 }
		END { exit !ok }' "$CL_DIR/h$1"
}

# views_agree K...: every listed client's last view is exactly the listed
# clients of its group (one awk over all the histories: under load a
# process per client and check is slow).
views_agree() {
	local k args=()
	for k in "$@"; do args+=("${CH_GRP[$k]}:$CL_DIR/h$k"); done
	awk '
		BEGIN {
			for (i = 1; i < ARGC; i++) {
				g = substr(ARGV[i], 1, index(ARGV[i], ":") - 1)
				ARGV[i] = substr(ARGV[i], index(ARGV[i], ":") + 1)
				grp[ARGV[i]] = g
			}
		}
		FNR == 1 { name[FILENAME] = $2 }
		$1 == "gconf" { m = $3; sub(/^M=/, "", m); view[FILENAME] = m }
		END {
			for (f in grp) { want[grp[f]] = want[grp[f]] " " name[f] " "; n[grp[f]]++ }
			for (f in grp) {
				c = split(view[f], a, ",")
				if (c != n[grp[f]])
					exit 1
				for (i = 1; i <= c; i++)
					if (!index(want[grp[f]], " " a[i] " "))
						exit 1
			}
		}' "${args[@]}"
}

# finish_groups: finish_and_check for several groups. Each live client's
# last view must be the clients of its group that are members now; a
# history that never began (a client started on a node killed before it
# connected) is left out.
finish_groups() {
	local k live=() files=() deadline
	CH_FILES=()
	clients_reap
	for k in "${!CL_CLIENTS[@]}"; do [ -n "${CL_CLIENTS[$k]}" ] && live+=("$k"); done
	for k in "${live[@]}"; do kill -USR2 "$(client_pid "$k")"; done
	for k in "${live[@]}"; do wait_history_line "$k" "# drained" || return 1; done
	ch_log "${#live[@]} clients drained"
	deadline=$((SECONDS + CL_WAIT))
	until views_agree "${live[@]}"; do
		[ $SECONDS -lt $deadline ] || { echo "the final views did not converge"; return 1; }
		sleep 0.1
	done
	for k in "${live[@]}"; do kill -USR1 "$(client_pid "$k")"; done
	for k in "${live[@]}"; do wait_history_line "$k" "# stopped" || return 1; done
	for k in "${live[@]}"; do kill -TERM "$(client_pid "$k")"; wait "$(client_pid "$k")" 2>/dev/null; CL_CLIENTS[$k]=; done
	for k in $(seq 0 $((CL_NEXT_CLIENT - 1))); do
		grep -q '^proc ' "$CL_DIR/h$k" 2>/dev/null && files+=("$CL_DIR/h$k")
	done
	CH_FILES=("${files[@]}")   # for the summary, printed whatever the check says
	ch_log "checking ${#files[@]} histories"
	"$CL_B/tests/evs/evscheck" --final "${files[@]}"
}

# ------------------------------------------------------------------ run
ch_log "seed $CH_SEED, $CH_SECONDS s, pid $$ (replay: tests/cluster/chaos.sh $B $CH_SECONDS $CH_SEED)"
cluster_create 5
cluster_link1
# Partitions move ports to br1 (link 0) and br3 (link 1).
ip -n "$CL_BR" link add br3 type bridge
ip -n "$CL_BR" link set br3 up
# Datagrams of one frame, as with udpu: loss hits messages, not fragments.
sed -i 's/^\( *\)transport: knet$/&\n\1netmtu: 1500/' "$CL_DIR/cluster.conf"
for i in $CH_NODES; do node_start "$i" || ch_fail "start of node $i"; done
wait_ring $CH_NODES || ch_fail "no first ring of 5"
for i in $CH_NODES; do
	ch_client "$i" $(( i % CH_GROUPS )) 64
	ch_client "$i" $(( (i + 1) % CH_GROUPS )) 1200
done
wait_all_joined || ch_fail "first join"
CH_T0=$SECONDS

ep=0
while [ $((SECONDS - CH_T0)) -lt "$CH_SECONDS" ]; do
	ep=$((ep + 1))
	plan_episode
	ch_log "episode $ep: ${CH_PLAN[*]/#/| }"
	run_episode
	settle "$ep"
	ch_reap
done

ch_log "faults over after $ep episodes; the clients that left join again"
for k in "${!CL_CLIENTS[@]}"; do
	[ -n "${CL_CLIENTS[$k]}" ] && [ "${CH_OUT[$k]}" = 1 ] || continue
	kill -HUP "$(client_pid "$k")"; CH_OUT[$k]=0; count rejoin
done
deadline=$((SECONDS + CL_WAIT))
for k in "${!CL_CLIENTS[@]}"; do
	[ -n "${CL_CLIENTS[$k]}" ] && grep -qx leave "$CL_DIR/h$k" || continue
	until rejoined "$k"; do
		[ $SECONDS -lt $deadline ] || ch_fail "client $k did not join again"
		sleep 0.1
	done
done
wait_ring $CH_NODES || ch_fail "no final ring of 5"
ch_log "every client in; stop sending, drain, check"
for i in $CH_NODES; do hwm_note "$i"; done
finish_groups; rc=$?
[ ${#CH_FILES[@]} -gt 0 ] || ch_fail "the clients did not finish"

h=("${CH_FILES[@]}")
sent=$(cat "${h[@]}" | grep -c '^send ')
dl=$(cat "${h[@]}" | grep -c '^deliver ')
rings=$(cat "${h[@]}" | awk '$1 == "ring" { print $2 }' | sort -u | wc -l)
gconfs=$(cat "${h[@]}" | grep -c '^gconf ')
rss=
for i in $CH_NODES; do rss+=" n$i=${CH_HWM[$i]:-0}kB"; done
cnt() { echo "${CH_COUNT[$1]:-0}"; }
echo "chaos summary: seed $CH_SEED, $((SECONDS - CH_START)) s, $ep episodes;" \
    "faults: kill $(cnt kill), pause $(cnt pause), partition $(cnt partition)," \
    "asym $(cnt asym), loss $(cnt loss), link down $(cnt linkdown)," \
    "link asym $(cnt linkasym), link loss $(cnt linkloss);" \
    "clients: ${#h[@]} histories, $(cnt client_kill) killed, $(cnt client_new) new," \
    "$(cnt leave) leaves, $(cnt rejoin) rejoins;" \
    "confchgs: $rings rings, $gconfs group confchgs;" \
    "messages: $sent sent, $dl deliveries checked;" \
    "longest settle $CH_SETTLE_MAX ms; peak RSS:$rss"
[ $rc = 0 ] || ch_fail "histories"
echo "PASS"
