# lib.sh: a cluster of cohortd nodes in network namespaces, for the
# cluster tests (tests/scripts/t_cluster_*.sh source it).
#
# Node i (1..N) is a network namespace coh<run>n<i> with address
# 10.<net>.0.<i>/24 on a veth whose other end is a port of a bridge in
# the namespace coh<run>br. Each node runs one cohortd (its own
# COHORT_SOCKET and state directory, the same corosync.conf-syntax
# configuration with crypto on) and CPG clients (tests/cluster/cpgload)
# whose histories are checked at the end by tests/evs/evscheck.
#
# Faults: kill -9 / restart of a daemon, SIGSTOP / SIGCONT, a partition
# by moving ports to a second bridge, one-way loss with nftables in the
# receiving node, random loss with nftables `numgen random`.
#
# Everything a test creates is removed by cluster_cleanup (an EXIT trap).
# Where namespaces cannot be made the test exits 77 (SKIP) with the reason.

CL_B=${B:-build}
CL_RUN=$$
CL_NET=$(( (CL_RUN % 200) + 20 ))
CL_DIR=$(mktemp -d /tmp/cohort-cluster.XXXXXX)
CL_BR=coh${CL_RUN}br
CL_N=0
# The totem token timeout in ms the configuration names; "default" names
# none (and no token_coefficient), so the daemons run the product's
# default timing.
CL_TOKEN=${CL_TOKEN:-1000}
# CL_QUORUM: a quorum section for the configuration (e.g. "quorum {
# provider: corosync_votequorum }"); none when empty.
CL_QUORUM=${CL_QUORUM:-}
# CL_CONF[i]: node i's configuration file, when not the cluster's.
declare -a CL_DPID CL_CLIENTS CL_CONF
CL_NEXT_CLIENT=0

cl_log() { echo "[$(date +%H:%M:%S.%N | cut -c1-12)] $*"; }

cl_ns() { echo "coh${CL_RUN}n$1"; }
cl_addr() { echo "10.$CL_NET.0.$1"; }

cluster_skip_unless_able() {
	[ "$(id -u)" -eq 0 ] || { echo "SKIP: network namespaces need root"; exit 77; }
	command -v ip >/dev/null || { echo "SKIP: iproute2 is not installed"; exit 77; }
	command -v nft >/dev/null || { echo "SKIP: nftables is not installed"; exit 77; }
	if ! ip netns add "coh${CL_RUN}probe" 2>/dev/null; then
		echo "SKIP: cannot create a network namespace here"; exit 77
	fi
	ip netns del "coh${CL_RUN}probe"
}

# cluster_create N: namespaces, bridge, addresses, configuration, key.
cluster_create() {
	local n=$1 i
	CL_N=$n
	ip netns add "$CL_BR"
	ip -n "$CL_BR" link add br0 type bridge
	ip -n "$CL_BR" link add br1 type bridge
	ip -n "$CL_BR" link set br0 up
	ip -n "$CL_BR" link set br1 up
	for i in $(seq 1 "$n"); do
		ip netns add "$(cl_ns "$i")"
		ip link add "c${CL_RUN}n${i}" netns "$(cl_ns "$i")" type veth \
		    peer name "p$i" netns "$CL_BR"
		ip -n "$(cl_ns "$i")" link set "c${CL_RUN}n${i}" name eth0
		ip -n "$(cl_ns "$i")" addr add "$(cl_addr "$i")/24" dev eth0
		ip -n "$(cl_ns "$i")" link set eth0 up
		ip -n "$(cl_ns "$i")" link set lo up
		ip -n "$CL_BR" link set "p$i" master br0 up
		mkdir -p "$CL_DIR/n$i"
	done
	{
		echo "totem {"
		echo "    version: 2"
		echo "    cluster_name: cohort-test"
		echo "    transport: udpu"
		echo "    crypto_cipher: aes256"
		echo "    crypto_hash: sha256"
		echo "    keyfile: $CL_DIR/authkey"
		if [ "$CL_TOKEN" != default ]; then
			echo "    token: $CL_TOKEN"
			echo "    token_coefficient: 0"
		fi
		echo "}"
		echo "nodelist {"
		for i in $(seq 1 "$n"); do
			echo "    node {"
			echo "        ring0_addr: $(cl_addr "$i")"
			echo "        nodeid: $i"
			echo "        name: node$i"
			echo "    }"
		done
		echo "}"
		echo "logging {"
		echo "    to_stderr: yes"
		echo "}"
		[ -z "$CL_QUORUM" ] || printf '%s\n' "$CL_QUORUM"
	} >"$CL_DIR/cluster.conf"
	"$CL_B/bin/cohortctl" keygen "$CL_DIR/authkey" >/dev/null
}

cl_env() {  # node: the environment of node i's daemon and clients
	echo "COHORT_SOCKET=$CL_DIR/n$1/cohort.sock COHORT_STATE_DIR=$CL_DIR/n$1"
}

# node_start I: starts node I's daemon and waits until its IPC answers.
node_start() {
	local i=$1 t=0
	rm -f "$CL_DIR/n$i/cohort.sock"
	ip netns exec "$(cl_ns "$i")" env $(cl_env "$i") \
	    "$CL_B/sbin/cohortd" -f -c "${CL_CONF[$i]:-$CL_DIR/cluster.conf}" -n "$i" \
	    >>"$CL_DIR/n$i/daemon.log" 2>&1 &
	CL_DPID[$i]=$!
	until [ -S "$CL_DIR/n$i/cohort.sock" ]; do
		sleep 0.05; t=$((t + 1))
		if [ $t -gt 400 ] || ! kill -0 "${CL_DPID[$i]}" 2>/dev/null; then
			echo "node $i's daemon did not start; its log:"; tail -20 "$CL_DIR/n$i/daemon.log"
			return 1
		fi
	done
}

node_kill() {  # kill -9 of node I's daemon; its clients are told "crash node"
	kill -9 "${CL_DPID[$1]}" 2>/dev/null || true
	wait "${CL_DPID[$1]}" 2>/dev/null || true
	CL_DPID[$1]=
}

node_stop_signal() { kill -STOP "${CL_DPID[$1]}"; }
node_cont_signal() { kill -CONT "${CL_DPID[$1]}"; }

ctl() {  # ctl I ARGS...: cohortctl against node I
	env $(cl_env "$1") "$CL_B/bin/cohortctl" "${@:2}"
}

# node_status_field I KEY: one value of `cohortctl status`.
node_status_field() {
	ctl "$1" status 2>/dev/null | awk -v k="$2" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }'
}

# ring_note NODES...: remembers each listed node's ring id and
# configuration count, for ring_steady.
declare -A CL_SEEN
ring_note() {
	local i
	for i in "$@"; do
		CL_SEEN[$i.ring]=$(node_status_field "$i" ring_id)
		CL_SEEN[$i.confs]=$(node_status_field "$i" stat.configurations)
	done
}

# ring_steady WHAT "MEMBERS" NODES...: fails the test unless every listed
# node is still in the ring ring_note saw, with these members, and has
# had no configuration change since.
ring_steady() {
	local what=$1 members=$2 i v
	shift 2
	for i in "$@"; do
		v=$(node_status_field "$i" ring_id)
		[ "$v" = "${CL_SEEN[$i.ring]}" ] ||
		    fail "$what: node $i's ring changed: ${CL_SEEN[$i.ring]} -> $v"
		v=$(node_status_field "$i" members)
		[ "$v" = "$members" ] || fail "$what: node $i's members are $v"
		v=$(node_status_field "$i" stat.configurations)
		[ "$v" = "${CL_SEEN[$i.confs]}" ] ||
		    fail "$what: node $i's configurations ${CL_SEEN[$i.confs]} -> $v"
	done
}

# wait_ring NODES...: until every listed node is operational in one ring
# whose members are exactly the listed nodes. Bounded (CL_WAIT s).
wait_ring() {
	local want="$*" deadline=$((SECONDS + ${CL_WAIT:-60})) i ok ring first
	while [ $SECONDS -lt $deadline ]; do
		ok=1 first=
		for i in "$@"; do
			st=$(ctl "$i" status 2>/dev/null) || { ok=0; break; }
			[ "$(awk '$1=="state"{print $2}' <<<"$st")" = operational ] || { ok=0; break; }
			[ "$(awk '$1=="members"{$1="";sub(/^ /,"");print}' <<<"$st")" = "$want" ] || { ok=0; break; }
			ring=$(awk '$1=="ring_id"{print $2}' <<<"$st")
			[ -z "$first" ] && first=$ring
			[ "$ring" = "$first" ] || { ok=0; break; }
		done
		[ $ok = 1 ] && return 0
		sleep 0.1
	done
	echo "nodes $want did not form one ring within ${CL_WAIT:-60}s:"
	for i in "$@"; do echo "  node $i: $(ctl "$i" status 2>&1 | awk '$1=="state"||$1=="ring_id"||$1=="members"' | tr '\n' ' ')"; done
	return 1
}

# client_start I [ARGS...]: a cpgload on node I; prints its index.
client_start() {
	local i=$1 k=$CL_NEXT_CLIENT
	CL_NEXT_CLIENT=$((k + 1))
	ip netns exec "$(cl_ns "$i")" env $(cl_env "$i") \
	    "$CL_B/tests/cluster/cpgload" -g "${CL_GROUP:-load}" -o "$CL_DIR/h$k" \
	    "${@:2}" 2>>"$CL_DIR/clients.log" &
	CL_CLIENTS[$k]="$! $i"
}

client_pid() { echo "${CL_CLIENTS[$1]}" | cut -d' ' -f1; }
client_node() { echo "${CL_CLIENTS[$1]}" | cut -d' ' -f2; }

# client_kill K: kill -9 of client K; its history gets "crash".
client_kill() {
	local p; p=$(client_pid "$1")
	kill -9 "$p" 2>/dev/null || true
	wait "$p" 2>/dev/null || true
	echo crash >>"$CL_DIR/h$1"
	CL_CLIENTS[$1]=
}

# clients_of_node I: the indexes of the live clients on node I.
clients_of_node() {
	local k
	for k in "${!CL_CLIENTS[@]}"; do
		[ -n "${CL_CLIENTS[$k]}" ] && [ "$(client_node "$k")" = "$1" ] && echo "$k"
	done
}

# clients_forget_dead: clients whose daemon died exit by themselves.
clients_reap() {
	local k p
	for k in "${!CL_CLIENTS[@]}"; do
		[ -n "${CL_CLIENTS[$k]}" ] || continue
		p=$(client_pid "$k")
		if ! kill -0 "$p" 2>/dev/null; then
			wait "$p" 2>/dev/null || true
			CL_CLIENTS[$k]=
		fi
	done
}

# wait_clients_dead_on I: clients on node I notice their daemon is gone.
wait_clients_exit_on() {
	local deadline=$((SECONDS + 30)) k p
	for k in $(clients_of_node "$1"); do
		p=$(client_pid "$k")
		while kill -0 "$p" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.05; done
	done
	clients_reap
}

# wait_history_line K TEXT: until client K's history has a line TEXT.
wait_history_line() {
	local deadline=$((SECONDS + ${CL_WAIT:-60}))
	until grep -qxF "$2" "$CL_DIR/h$1" 2>/dev/null; do
		[ $SECONDS -lt $deadline ] || { echo "client $1 never wrote '$2'"; return 1; }
		sleep 0.05
	done
}

# wait_all_joined: every live client has seen its own join.
wait_all_joined() {
	local k
	for k in "${!CL_CLIENTS[@]}"; do
		[ -n "${CL_CLIENTS[$k]}" ] || continue
		local deadline=$((SECONDS + ${CL_WAIT:-60}))
		until grep -q '^gconf ' "$CL_DIR/h$k" 2>/dev/null; do
			[ $SECONDS -lt $deadline ] || { echo "client $k never joined"; return 1; }
			sleep 0.05
		done
	done
}

# finish_and_check: the end of every test. Stops sending, waits until
# every live client delivered all it sent and all live clients share one
# group view, stops recording, checks the histories.
finish_and_check() {
	local k live=() ok
	clients_reap
	for k in "${!CL_CLIENTS[@]}"; do
		[ -n "${CL_CLIENTS[$k]}" ] && live+=("$k")
	done
	for k in "${live[@]}"; do kill -USR2 "$(client_pid "$k")"; done
	for k in "${live[@]}"; do wait_history_line "$k" "# drained" || return 1; done
	# Every live client's last view is the whole live set.
	local deadline=$((SECONDS + ${CL_WAIT:-60})) want got
	want=$(for k in "${live[@]}"; do head -1 "$CL_DIR/h$k" | awk '{print $2}'; done | sort | tr '\n' ',')
	while :; do
		ok=1
		for k in "${live[@]}"; do
			got=$(grep '^gconf ' "$CL_DIR/h$k" | tail -1 | sed 's/.* M=\([^ ]*\) .*/\1/' | tr ',' '\n' | sort | tr '\n' ',')
			[ "$got" = "$want" ] || { ok=0; break; }
		done
		[ $ok = 1 ] && break
		[ $SECONDS -lt $deadline ] || { echo "the clients' final views did not converge to $want"; break; }
		sleep 0.1
	done
	for k in "${live[@]}"; do kill -USR1 "$(client_pid "$k")"; done
	for k in "${live[@]}"; do wait_history_line "$k" "# stopped" || return 1; done
	for k in "${live[@]}"; do kill -TERM "$(client_pid "$k")"; wait "$(client_pid "$k")" 2>/dev/null; CL_CLIENTS[$k]=; done
	local files=() sent=0 dl=0
	for k in $(seq 0 $((CL_NEXT_CLIENT - 1))); do
		[ -f "$CL_DIR/h$k" ] && files+=("$CL_DIR/h$k")
	done
	sent=$(cat "${files[@]}" | grep -c '^send ' || true)
	dl=$(cat "${files[@]}" | grep -c '^deliver ' || true)
	cl_log "histories: ${#files[@]} clients, $sent messages sent, $dl deliveries; checking"
	"$CL_B/tests/evs/evscheck" --final "${files[@]}"
}

# cluster_up N RUNNING [CLIENT_ARGS...]: a nodelist of N nodes, daemons
# 1..RUNNING started in one ring, a cpgload on each, every one joined.
cluster_up() {
	local n=$1 r=$2 i nodes
	shift 2
	nodes=$(seq -s ' ' 1 "$r")
	cluster_create "$n"
	for i in $nodes; do node_start "$i" || fail "start of node $i"; done
	wait_ring $nodes || fail "no ring of $r"
	for i in $nodes; do client_start "$i" "$@"; done
	wait_all_joined || fail "join"
}

# cluster_test_init: what every cluster test starts with: SKIP where
# namespaces cannot be made, cleanup on exit, and fail() that reports.
cluster_test_init() {
	cluster_skip_unless_able
	trap cluster_cleanup EXIT
}
fail() { echo "FAIL: $*"; cluster_dump; exit 1; }

cluster_cleanup() {
	local k i
	for k in "${!CL_CLIENTS[@]}"; do
		[ -n "${CL_CLIENTS[$k]}" ] && kill -9 "$(client_pid "$k")" 2>/dev/null
	done
	for i in "${!CL_DPID[@]}"; do
		[ -n "${CL_DPID[$i]}" ] && { kill -CONT "${CL_DPID[$i]}"; kill -9 "${CL_DPID[$i]}"; } 2>/dev/null
	done
	wait 2>/dev/null
	for i in $(seq 1 "$CL_N"); do ip netns del "$(cl_ns "$i")" 2>/dev/null; done
	ip netns del "$CL_BR" 2>/dev/null
	if [ "${CL_KEEP:-}" ]; then echo "kept $CL_DIR"; else rm -rf "$CL_DIR"; fi
}

# On failure: the daemons' logs, for the report.
cluster_dump() {
	local i
	for i in $(seq 1 "$CL_N"); do
		echo "--- node $i daemon log (last lines)"
		tail -15 "$CL_DIR/n$i/daemon.log" 2>/dev/null
	done
	[ -s "$CL_DIR/clients.log" ] && { echo "--- clients"; tail -20 "$CL_DIR/clients.log"; }
}

# ---------------------------------------------------------------- faults

# partition "A B ..." : the listed nodes go to the second bridge.
partition() {
	local i
	for i in $1; do ip -n "$CL_BR" link set "p$i" master br1; done
}
heal() {
	local i
	for i in $(seq 1 "$CL_N"); do ip -n "$CL_BR" link set "p$i" master br0; done
}

# drop_from TO FROM: node TO stops hearing node FROM (one way).
drop_from() {
	ip netns exec "$(cl_ns "$1")" nft add table inet cohtest 2>/dev/null || true
	ip netns exec "$(cl_ns "$1")" nft "add chain inet cohtest in { type filter hook input priority 0; }" 2>/dev/null || true
	ip netns exec "$(cl_ns "$1")" nft add rule inet cohtest in ip saddr "$(cl_addr "$2")" drop
}

# random_loss PERCENT: every node drops that share of what it receives.
random_loss() {
	local i
	for i in $(seq 1 "$CL_N"); do
		ip netns exec "$(cl_ns "$i")" nft add table inet cohtest 2>/dev/null || true
		ip netns exec "$(cl_ns "$i")" nft "add chain inet cohtest in { type filter hook input priority 0; }" 2>/dev/null || true
		ip netns exec "$(cl_ns "$i")" nft add rule inet cohtest in udp dport 5405 numgen random mod 100 "<" "$1" drop
	done
}

clear_filters() {
	local i
	for i in $(seq 1 "$CL_N"); do
		ip netns exec "$(cl_ns "$i")" nft delete table inet cohtest 2>/dev/null || true
	done
}

# ---------------------------------------------------------------- hosts
# Hosts on the cluster's bridge that are not in the nodelist (an
# attacker, a stranger): namespace coh<run>h<NAME>, address
# 10.<net>.0.SUFFIX. A test that adds hosts sets `trap
# cluster_cleanup_hosts EXIT` after cluster_test_init.
CL_HOSTS=()
host_ns() { echo "coh${CL_RUN}h$1"; }

# host_add NAME SUFFIX: after cluster_create.
host_add() {
	local ns; ns=$(host_ns "$1")
	ip netns add "$ns"
	ip link add "c${CL_RUN}h$1" netns "$ns" type veth peer name "h$1" netns "$CL_BR"
	ip -n "$ns" link set "c${CL_RUN}h$1" name eth0
	ip -n "$ns" addr add "10.$CL_NET.0.$2/24" dev eth0
	ip -n "$ns" link set eth0 up
	ip -n "$ns" link set lo up
	ip -n "$CL_BR" link set "h$1" master br0 up
	CL_HOSTS+=("$1")
}

cluster_cleanup_hosts() {
	local h
	cluster_cleanup
	for h in "${CL_HOSTS[@]}"; do ip netns del "$(host_ns "$h")" 2>/dev/null; done
}

# node_kernel_drops I: datagrams node I's kernel dropped before any
# socket read them (UDP receive errors, buffer overflows included, and
# failed IP reassemblies), for tests that count what a daemon saw.
node_kernel_drops() {
	ip netns exec "$(cl_ns "$1")" awk '
		$1 == "Udp:" && !u { for (i = 2; i <= NF; i++) uk[i] = $i; u = 1; next }
		$1 == "Udp:" { for (i = 2; i <= NF; i++) if (uk[i] == "InErrors") n += $i }
		$1 == "Ip:" && !p { for (i = 2; i <= NF; i++) pk[i] = $i; p = 1; next }
		$1 == "Ip:" { for (i = 2; i <= NF; i++) if (pk[i] == "ReasmFails") n += $i }
		END { print n + 0 }' /proc/net/snmp
}

# ---------------------------------------------------------------- links
# A second network, link 1: node i gets eth1 with address
# 10.<net>.1.<i>/24 on port q<i> of bridge br2 (br1 is the partition's),
# and the configuration becomes transport knet with each node's
# ring1_addr. Call it after cluster_create, before the daemons start.
cl_addr1() { echo "10.$CL_NET.1.$1"; }
cluster_link1() {
	local i
	ip -n "$CL_BR" link add br2 type bridge
	ip -n "$CL_BR" link set br2 up
	for i in $(seq 1 "$CL_N"); do
		ip link add "d${CL_RUN}n${i}" netns "$(cl_ns "$i")" type veth \
		    peer name "q$i" netns "$CL_BR"
		ip -n "$(cl_ns "$i")" link set "d${CL_RUN}n${i}" name eth1
		ip -n "$(cl_ns "$i")" addr add "$(cl_addr1 "$i")/24" dev eth1
		ip -n "$(cl_ns "$i")" link set eth1 up
		ip -n "$CL_BR" link set "q$i" master br2 up
		sed -i "s/^\( *\)ring0_addr: $(cl_addr "$i")\$/&\n\1ring1_addr: $(cl_addr1 "$i")/" \
		    "$CL_DIR/cluster.conf"
	done
	sed -i 's/transport: udpu/transport: knet/' "$CL_DIR/cluster.conf"
}

# link_cut I L, link_restore I L: node I's port on link L's bridge goes
# down (nothing passes either way) or up again.
cl_link_port() { if [ "$2" = 0 ]; then echo "p$1"; else echo "q$1"; fi; }
link_cut() { ip -n "$CL_BR" link set "$(cl_link_port "$1" "$2")" down; }
link_restore() { ip -n "$CL_BR" link set "$(cl_link_port "$1" "$2")" up; }

# wait_field I KEY VALUE: until node I's status has KEY=VALUE (bounded,
# CL_WAIT s).
wait_field() {
	local deadline=$((SECONDS + ${CL_WAIT:-60})) v
	while [ $SECONDS -lt $deadline ]; do
		v=$(node_status_field "$1" "$2")
		[ "$v" = "$3" ] && return 0
		sleep 0.05
	done
	echo "node $1: $2 is '${v:-}', want '$3'"
	return 1
}
