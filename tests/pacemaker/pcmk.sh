#!/usr/bin/env bash
# tests/pacemaker/pcmk.sh BUILD IMPL [REPORT]: Debian's own Pacemaker,
# unmodified, on three nodes of IMPL (cohort: Cohort's cohortd and
# libraries from BUILD; corosync: Debian's corosync 3.1.7, the reference),
# in the same harness. Prints each step and its time; with REPORT, also
# appends "impl,step,seconds" lines to that file.
#
# A node looks like its own host to Pacemaker: a network namespace
# (10.<net>.0.<i> on a bridge), its own hostname (UTS namespace) and a
# mount namespace with a private /run (Debian's /var/run is a link to it),
# /dev/shm, /etc/corosync, /var/lib/corosync, /var/lib/pacemaker and
# /var/log/pacemaker. A holder process owns the namespaces; every command
# of a node runs in them through nsenter, so a node's daemons can be
# killed and restarted on the same disk. For IMPL=cohort, Cohort's
# libraries are bound over corosync's in the node's mount namespace (as
# installing Cohort's package replaces them), so Pacemaker's binaries load
# them unchanged.
#
# Steps, each waiting for an event with a generous deadline:
#   start      3 nodes online with a DC, in every node's crm_mon
#   resource   stonith off, no-quorum-policy=stop, a Dummy started
#   failover   kill -9 of the cluster daemon of the Dummy's node: the
#              others see it offline and start the Dummy on one of them
#   rejoin     that node's stack restarted: 3 online again
#   partition  one node cut off: the two keep quorum and the Dummy, the
#              one loses quorum and runs nothing
#   heal       3 online, one DC, in every node's view
#   nodes      crm_node -l, -q and crm_mon's names and ids match the
#              nodelist
#
# Environment: PCMK_WAIT, each step's deadline in seconds (120);
# PCMK_DC_DEADTIME, Pacemaker's dc-deadtime (how long a starting node
# waits for a DC before it calls an election) in a CIB seeded on every
# node, Pacemaker's default (20 s) when unset;
# PCMK_KEEP=1 keeps the work directory (each node's daemon.log and
# logpcmk/pacemaker.log). Sourced with PCMK_LIB=1, it defines its
# functions only (tests/pacemaker/migrate.sh, dlm.sh).
set -euo pipefail
B=$(cd "${1:?build dir}" && pwd)
IMPL=${2:?cohort or corosync}
REPORT=${3:-}
HERE=$(cd "$(dirname "$0")" && pwd)
N=3
RUN=$$
NET=$(( (RUN % 200) + 20 ))
BR=pm${RUN}br
DIR=
WAIT=${PCMK_WAIT:-120}
DC_DEADTIME=${PCMK_DC_DEADTIME:-}
declare -a HOLDER

# The Dummy agent's state file while it runs: $HA_VARRUN/Dummy-<id>.state,
# HA_VARRUN being /var/run (ocf-directories), a link to the node's /run.
DUMMY_STATE=/run/Dummy-dummy.state

log() { echo "[$(date +%H:%M:%S)] $*"; }
fail() { log "FAIL: $*"; dump; exit 1; }
ns() { echo "pm${RUN}n$1"; }
addr() { echo "10.$NET.0.$1"; }

skip_unless_able() {
	[ "$(id -u)" -eq 0 ] || { echo "needs root (namespaces)"; exit 77; }
	for c in pacemakerd crm_mon crm_node crm_attribute cibadmin nsenter unshare ip; do
		command -v "$c" >/dev/null || { echo "$c is not installed (Debian's pacemaker and pacemaker-cli-utils)"; exit 77; }
	done
	if [ "$IMPL" = corosync ]; then
		command -v corosync >/dev/null || { echo "Debian's corosync is not installed"; exit 77; }
	fi
	[ -e /usr/lib/ocf/resource.d/pacemaker/Dummy ] || { echo "no ocf:pacemaker:Dummy agent"; exit 77; }
}

# The system paths of corosync's libraries, for the bind mounts.
# (awk reads to the end: ldconfig must not die of SIGPIPE under pipefail.)
syslib() { ldconfig -p | awk -v l="$1" '$1 == l && !f {f = $NF} END {if (f) print f}'; }

write_conf() {
	{
		echo "totem {"
		echo "	version: 2"
		echo "	cluster_name: pcmktest"
		# corosync's default transport, for both: Cohort runs on the
		# file an operator of corosync has.
		echo "	transport: knet"
		echo "	crypto_cipher: none"
		echo "	crypto_hash: none"
		echo "}"
		echo "nodelist {"
		for i in $(seq 1 $N); do
			echo "	node {"
			echo "		ring0_addr: $(addr "$i")"
			echo "		nodeid: $i"
			echo "		name: node$i"
			echo "	}"
		done
		echo "}"
		echo "quorum {"
		echo "	provider: corosync_votequorum"
		echo "}"
		echo "logging {"
		echo "	to_stderr: yes"
		echo "	to_syslog: no"
		echo "	to_logfile: no"
		echo "}"
	} >"$DIR/corosync.conf"
}

# seed_cib FILE: a node's first CIB, empty but for dc-deadtime. The
# controller reads it before it starts waiting for a DC, so a cluster
# whose nodes start together elects one after DC_DEADTIME instead of
# Pacemaker's default 20 s; nothing else of the steps changes.
seed_cib() {
	cat >"$1" <<-EOF
	<cib validate-with="pacemaker-3.0" epoch="1" num_updates="0" admin_epoch="0">
	  <configuration>
	    <crm_config>
	      <cluster_property_set id="cib-bootstrap-options">
	        <nvpair id="cib-bootstrap-options-dc-deadtime" name="dc-deadtime" value="$DC_DEADTIME"/>
	      </cluster_property_set>
	    </crm_config>
	    <nodes/>
	    <resources/>
	    <constraints/>
	  </configuration>
	  <status/>
	</cib>
	EOF
	chown hacluster:haclient "$1"; chmod 600 "$1"
}

create() {
	local i d
	ip netns add "$BR"
	ip -n "$BR" link add br0 type bridge
	ip -n "$BR" link add br1 type bridge
	ip -n "$BR" link set br0 up
	ip -n "$BR" link set br1 up
	write_conf
	for i in $(seq 1 $N); do
		ip netns add "$(ns "$i")"
		ip link add "pm${RUN}v$i" netns "$(ns "$i")" type veth peer name "p$i" netns "$BR"
		ip -n "$(ns "$i")" link set "pm${RUN}v$i" name eth0
		# Fixed MACs and permanent neighbours: no ARP between the nodes.
		ip -n "$(ns "$i")" link set eth0 address "02:00:0a:$(printf %02x $NET):00:0$i"
		ip -n "$(ns "$i")" addr add "$(addr "$i")/24" dev eth0
		ip -n "$(ns "$i")" link set eth0 up
		ip -n "$(ns "$i")" link set lo up
		ip -n "$BR" link set "p$i" master br0 up
		d=$DIR/n$i
		mkdir -p "$d/etc" "$d/libcoro" "$d/libpcmk" "$d/logpcmk" "$d/state"
		cp "$DIR/corosync.conf" "$d/etc/corosync.conf"
		for sub in blackbox cib cores pengine; do
			install -d -o hacluster -g haclient -m 750 "$d/libpcmk/$sub"
		done
		[ -n "$DC_DEADTIME" ] && seed_cib "$d/libpcmk/cib/cib.xml"
		chown hacluster:haclient "$d/logpcmk"; chmod 770 "$d/logpcmk"
	done
	for i in $(seq 1 $N); do
		local j
		for j in $(seq 1 $N); do
			[ "$i" = "$j" ] && continue
			ip -n "$(ns "$i")" neigh replace "$(addr "$j")" dev eth0 \
			    lladdr "02:00:0a:$(printf %02x $NET):00:0$j" nud permanent
		done
		start_holder "$i"
	done
}

# The holder: a process in the node's network, UTS and mount namespaces
# that sets up the private directories and then sleeps.
start_holder() {
	local i=$1 d=$DIR/n$1
	mkfifo "$d/up"
	ip netns exec "$(ns "$i")" unshare --uts --mount --propagation private bash -c "
		set -e
		hostname node$i
		mount -t tmpfs -o mode=755 tmpfs /run
		install -d -m 1755 /run/resource-agents
		install -d -m 1777 /run/lock
		mount -t tmpfs -o mode=1777 tmpfs /dev/shm
		mkdir -p /etc/corosync /var/lib/corosync /var/lib/pacemaker /var/log/pacemaker
		mount --bind $d/etc /etc/corosync
		mount --bind $d/libcoro /var/lib/corosync
		mount --bind $d/libpcmk /var/lib/pacemaker
		mount --bind $d/logpcmk /var/log/pacemaker
		echo up >$d/up
		exec sleep infinity
	" </dev/null >"$d/holder.log" 2>&1 &
	HOLDER[$i]=$!
	read -r _ <"$d/up" || fail "node $i: namespaces not set up: $(cat "$d/holder.log")"
	[ "$IMPL" = cohort ] && cohort_libs "$i" on
	return 0
}

# cohort_libs I on|off: Cohort's libraries bound over corosync's in node
# I's mount namespace (as installing Cohort's package replaces them), or
# those bindings undone (corosync's libraries back).
cohort_libs() {
	local i=$1 so sys
	for so in "$B"/lib/lib*.so.[0-9]*; do
		sys=$(syslib "$(basename "$so")")
		[ -n "$sys" ] || continue
		if [ "$2" = on ]; then
			on "$i" mount --bind "$so" "$sys"
		else
			on "$i" umount "$sys"
		fi
	done
}

on() {  # on I CMD...: runs CMD in node I's namespaces
	local i=$1; shift
	nsenter -t "${HOLDER[$i]}" -n -u -m -- "$@"
}

# Every process in node I's namespaces but its holder.
node_pids() {
	local want p
	want=$(readlink "/proc/${HOLDER[$1]}/ns/uts")
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		[ "$p" = "${HOLDER[$1]}" ] && continue
		[ "$(readlink "/proc/$p/ns/uts" 2>/dev/null)" = "$want" ] && echo "$p"
	done
}

start_cluster_daemon() {
	local i=$1 d=$DIR/n$1
	if [ "$IMPL" = cohort ]; then
		on "$i" env COHORT_STATE_DIR=/var/lib/corosync "$B/sbin/cohortd" -f \
		    -c /etc/corosync/corosync.conf >>"$d/daemon.log" 2>&1 &
	else
		on "$i" corosync -f >>"$d/daemon.log" 2>&1 &
	fi
	echo $! >"$d/daemon.pid"
}

start_pacemaker() {
	local i=$1 d=$DIR/n$1
	on "$i" pacemakerd >>"$d/pacemakerd.log" 2>&1 &
}

start_node() { start_cluster_daemon "$1"; start_pacemaker "$1"; }

# The cluster daemon's pid in node I (cohortd or corosync).
daemon_pid() {
	local p
	for p in $(node_pids "$1"); do
		case $(cat "/proc/$p/comm" 2>/dev/null) in cohortd|corosync) echo "$p"; return ;; esac
	done
}

stop_node() {  # everything of node I: TERM, then KILL what stays
	local i=$1 t
	kill -TERM $(node_pids "$i") 2>/dev/null || true
	for t in $(seq 1 100); do
		[ -z "$(node_pids "$i")" ] && return 0
		sleep 0.1
	done
	kill -KILL $(node_pids "$i") 2>/dev/null || true
}

mon() { on "$1" crm_mon -1 --output-as=xml 2>/dev/null || true; }

# view I: "online=A,B dc=X quorum=0|1 dummy=NODE|-" from node I's crm_mon.
view() {
	mon "$1" | python3 -c '
import sys, xml.etree.ElementTree as ET
try:
    r = ET.parse(sys.stdin).getroot()
except Exception:
    print("online= dc= quorum=0 dummy=-"); sys.exit(0)
on = sorted(n.get("name") for n in r.iter("node") if n.get("online") == "true" and n.get("name"))
dc = r.find("summary/current_dc")
dcn = dc.get("name", "") if dc is not None and dc.get("present") == "true" else ""
q = "1" if dc is not None and dc.get("with_quorum") == "true" else "0"
where = "-"
for res in r.iter("resource"):
    if res.get("id") == "dummy" and res.get("role") == "Started":
        ns = [n.get("name") for n in res.iter("node")]
        where = ",".join(ns) if ns else "-"
print("online=%s dc=%s quorum=%s dummy=%s" % (",".join(on), dcn, q, where))
'
}

# wait_view WHAT I PYCOND: until node I's view satisfies the condition
# (a python expression over online (list), dc, quorum (bool), dummy).
wait_view() {
	local what=$1 i=$2 cond=$3 t0=$SECONDS v
	while :; do
		v=$(view "$i")
		if python3 -c "
import sys
kv = dict(x.split('=', 1) for x in sys.argv[1].split())
online = [n for n in kv['online'].split(',') if n]
dc = kv['dc']; quorum = kv['quorum'] == '1'
dummy = [n for n in kv['dummy'].split(',') if n and n != '-']
sys.exit(0 if ($cond) else 1)
" "$v"; then
			return 0
		fi
		[ $((SECONDS - t0)) -lt "$WAIT" ] || fail "$what: node $i still sees: $v"
		sleep 0.5
	done
}

now() { date +%s.%N; }
took() { python3 -c "import sys; print('%.1f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$1" "$(now)"; }
report() {  # step seconds
	log "$IMPL: $1 took $2 s"
	[ -n "$REPORT" ] && echo "$IMPL,$1,$2" >>"$REPORT"
	return 0
}

dump() {
	local i
	for i in $(seq 1 $N); do
		[ -n "${HOLDER[$i]:-}" ] || continue
		echo "--- node $i: $(view "$i" 2>/dev/null || true)"
		tail -n 15 "$DIR/n$i/daemon.log" 2>/dev/null | sed 's/^/    daemon | /'
		tail -n 15 "$DIR/n$i/logpcmk/pacemaker.log" 2>/dev/null | sed 's/^/    pcmk   | /'
	done
}

cleanup() {
	local i
	# The shell's notes about the jobs killed here are noise.
	exec 2>/dev/null
	for i in $(seq 1 $N); do
		[ -n "${HOLDER[$i]:-}" ] || continue
		kill -KILL $(node_pids "$i") 2>/dev/null || true
		kill -KILL "${HOLDER[$i]}" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	for i in $(seq 1 $N); do ip netns del "$(ns "$i")" 2>/dev/null || true; done
	ip netns del "$BR" 2>/dev/null || true
	[ "${PCMK_KEEP:-}" = 1 ] && { echo "kept: $DIR"; return; }
	rm -rf "$DIR"
}

# begin: the checks, then the work directory and the three nodes' network
# and namespaces (removed at exit).
begin() {
	skip_unless_able
	trap cleanup EXIT
	DIR=$(mktemp -d /var/tmp/cohort-pcmk.XXXXXX)
	chmod 755 "$DIR"
	create
}

# Sourced with PCMK_LIB=1: the functions above only.
[ "${PCMK_LIB:-}" = 1 ] && return 0

begin
log "$IMPL: 3 nodes, Pacemaker $(pacemakerd --version | sed -n 1p)"

t=$(now)
for i in $(seq 1 $N); do start_node "$i"; done
for i in $(seq 1 $N); do
	wait_view start "$i" "len(online) == 3 and dc != '' and quorum"
done
report start "$(took "$t")"

t=$(now)
on 1 crm_attribute --type crm_config --name stonith-enabled --update false
on 1 crm_attribute --type crm_config --name no-quorum-policy --update stop
on 1 cibadmin --create --scope resources \
    --xml-text '<primitive id="dummy" class="ocf" provider="pacemaker" type="Dummy"/>'
wait_view resource 1 "len(dummy) == 1"
report resource "$(took "$t")"

victim=$(view 1 | sed 's/.*dummy=node\([0-9]*\).*/\1/')
[ -n "$victim" ] || fail "no node runs the Dummy"
others=$(seq 1 $N | grep -vx "$victim" | tr '\n' ' ')
watcher=${others%% *}
log "$IMPL: kill -9 of the cluster daemon on node$victim, which runs the Dummy"
t=$(now)
kill -KILL "$(daemon_pid "$victim")"
wait_view failover "$watcher" "'node$victim' not in online and len(online) == 2 and quorum and len(dummy) == 1 and dummy[0] != 'node$victim'"
report failover "$(took "$t")"

stop_node "$victim"
t=$(now)
start_node "$victim"
for i in $(seq 1 $N); do
	wait_view rejoin "$i" "len(online) == 3 and dc != '' and quorum"
done
report rejoin "$(took "$t")"

# Cut off a node that does not run the Dummy.
where=$(view "$watcher" | sed 's/.*dummy=node\([0-9]*\).*/\1/')
lone=$(seq 1 $N | grep -vx "$where" | sed -n 1p)
pair=$(seq 1 $N | grep -vx "$lone" | tr '\n' ' ')
log "$IMPL: partition: node$lone alone"
t=$(now)
ip -n "$BR" link set "p$lone" master br1
for i in $pair; do
	wait_view partition "$i" "'node$lone' not in online and len(online) == 2 and quorum and len(dummy) == 1 and dummy[0] != 'node$lone'"
done
wait_view partition "$lone" "not quorum and 'node$lone' not in dummy"
report partition "$(took "$t")"
# The lone node must not run the Dummy: the agent's state file lives in
# the node's own /run.
on "$lone" test -e "$DUMMY_STATE" && fail "node$lone runs the Dummy without quorum"

t=$(now)
ip -n "$BR" link set "p$lone" master br0
for i in $(seq 1 $N); do
	wait_view heal "$i" "len(online) == 3 and dc != '' and quorum and len(dummy) == 1"
done
dcs=$(for i in $(seq 1 $N); do view "$i" | sed 's/.*dc=\([^ ]*\).*/\1/'; done | sort -u | wc -l)
[ "$dcs" -eq 1 ] || fail "heal: the nodes name different DCs"
report heal "$(took "$t")"

for i in $(seq 1 $N); do
	l=$(on "$i" crm_node -l | awk '{print $1, $2}' | sort)
	want=$(for j in $(seq 1 $N); do echo "$j node$j"; done)
	[ "$l" = "$want" ] || fail "crm_node -l on node$i: $l"
	q=$(on "$i" crm_node -q)
	[ "$q" = 1 ] || fail "crm_node -q on node$i: $q"
done
log "$IMPL: Pacemaker on 3 nodes: start, resource, failover, rejoin, partition, heal and node list all as expected"
