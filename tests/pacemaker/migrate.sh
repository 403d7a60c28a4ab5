#!/usr/bin/env bash
# tests/pacemaker/migrate.sh BUILD: docs/migration.md's all-at-once swap,
# done on a running Pacemaker cluster in the harness of pcmk.sh: three
# nodes on Debian's corosync 3.1.7, crypto on with the key in corosync's
# default place (/etc/corosync/authkey, no keyfile line), run Pacemaker
# and a Dummy resource; the cluster is put in maintenance mode,
# Pacemaker and then corosync are stopped on every node, Cohort replaces
# corosync (its daemon, and its libraries bound over corosync's in each
# node, as its package does), the same corosync.conf and key are kept;
# Cohort and then Pacemaker are started, the nodes come back online with
# the Dummy found running where it was, and maintenance mode is left.
# Then the same swap back to corosync. Checks, on events: every node
# online with a DC and quorum after each swap, on the right daemon and
# libraries, the Dummy running on the same node all along and never
# restarted (its state file in that node's /run is the one its start
# created), and crm_node -l naming the same nodes and ids on both stacks.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
PCMK_LIB=1 . "$HERE/pcmk.sh" "${1:?build dir}" corosync

# The Dummy's state file on node I: "inode mtime", or nothing.
dummy_stamp() {
	on "$1" stat -c '%i %y' "$DUMMY_STATE" 2>/dev/null || true
}

# on_libs I IMPL: node I's CIB manager (pacemaker-based) has IMPL's
# libcpg mapped (the inode it maps is, or is not, Cohort's build).
on_libs() {
	local p inode mine
	for p in $(node_pids "$1"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = pacemaker-based ] || continue
		inode=$(awk '/libcpg\.so/ {print $5; exit}' "/proc/$p/maps")
		mine=$(stat -L -c %i "$B/lib/libcpg.so.4")
		if [ "$2" = cohort ]; then [ "$inode" = "$mine" ]; else [ -n "$inode" ] && [ "$inode" != "$mine" ]; fi
		return
	done
	return 1
}

# maintenance true|false, and wait until node 1's CIB says so.
maintenance() {
	local t0=$SECONDS
	on 1 crm_attribute --type crm_config --name maintenance-mode --update "$1"
	until [ "$(on 1 crm_attribute --type crm_config --name maintenance-mode --query --quiet 2>/dev/null)" = "$1" ]; do
		[ $((SECONDS - t0)) -lt "$WAIT" ] || fail "maintenance-mode is not $1"
		sleep 0.5
	done
}

# stop_stack I: Pacemaker first (SIGTERM to pacemakerd, as its unit's
# stop does), then the cluster daemon (SIGTERM), each waited for.
stop_stack() {
	local i=$1 p t0=$SECONDS
	for p in $(node_pids "$i"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = pacemakerd ] && kill -TERM "$p"
	done
	while node_pids "$i" | while read -r p; do cat "/proc/$p/comm" 2>/dev/null; done | grep -q '^pacemaker'; do
		[ $((SECONDS - t0)) -lt "$WAIT" ] || fail "node$i: Pacemaker does not stop"
		sleep 0.2
	done
	p=$(daemon_pid "$i")
	[ -n "$p" ] || fail "node$i: the cluster daemon died with Pacemaker's stop"
	kill -TERM "$p"
	while [ -n "$(node_pids "$i")" ]; do
		[ $((SECONDS - t0)) -lt "$WAIT" ] || fail "node$i: $IMPL does not stop"
		sleep 0.2
	done
}

# all_online STEP: 3 online with a DC and quorum, in every node's view.
all_online() {
	local i
	for i in $(seq 1 $N); do
		wait_view "$1" "$i" "len(online) == 3 and dc != '' and quorum"
	done
}

# swap_to NEW: the all-at-once swap of docs/migration.md, to NEW.
swap_to() {
	local new=$1 i t
	t=$(now)
	maintenance true
	for i in $(seq 1 $N); do stop_stack "$i"; done
	for i in $(seq 1 $N); do
		if [ "$new" = cohort ]; then cohort_libs "$i" on; else cohort_libs "$i" off; fi
	done
	IMPL=$new
	for i in $(seq 1 $N); do start_cluster_daemon "$i"; done
	for i in $(seq 1 $N); do start_pacemaker "$i"; done
	all_online "swap to $new"
	wait_view "swap to $new" 1 "dummy == ['node$where']"
	maintenance false
	wait_view "swap to $new" 1 "dummy == ['node$where']"
	[ "$(dummy_stamp "$where")" = "$stamp" ] || fail "the Dummy was restarted on node$where"
	for i in $(seq 1 $N); do
		[ "$i" = "$where" ] || [ -z "$(dummy_stamp "$i")" ] || fail "node$i runs the Dummy too"
	done
	for i in $(seq 1 $N); do
		on_libs "$i" "$new" || fail "node$i: Pacemaker does not run on $new's libcpg"
		[ "$(cat "/proc/$(daemon_pid "$i")/comm")" = "$([ "$new" = cohort ] && echo cohortd || echo corosync)" ] ||
		    fail "node$i: the cluster daemon is not $new's"
	done
	[ "$(on 1 crm_node -l | awk '{print $1, $2}' | sort)" = "$nodes" ] ||
	    fail "crm_node -l on $new: $(on 1 crm_node -l)"
	report "swap-to-$new" "$(took "$t")"
}

begin
# Crypto on, with the key where corosync keeps it by default
# (/etc/corosync/authkey, no keyfile line): both implementations must
# find it there.
head -c 256 /dev/urandom >"$DIR/authkey"
for i in $(seq 1 $N); do
	sed -i 's/crypto_cipher: none/crypto_cipher: aes256/; s/crypto_hash: none/crypto_hash: sha256/' \
	    "$DIR/n$i/etc/corosync.conf"
	install -m 400 "$DIR/authkey" "$DIR/n$i/etc/authkey"
done
log "migrate: 3 nodes on corosync, Pacemaker $(pacemakerd --version | sed -n 1p)"
for i in $(seq 1 $N); do start_node "$i"; done
all_online start
on 1 crm_attribute --type crm_config --name stonith-enabled --update false
on 1 crm_attribute --type crm_config --name no-quorum-policy --update stop
on 1 cibadmin --create --scope resources \
    --xml-text '<primitive id="dummy" class="ocf" provider="pacemaker" type="Dummy"/>'
wait_view resource 1 "len(dummy) == 1"
for i in $(seq 1 $N); do on_libs "$i" corosync || fail "node$i: Pacemaker does not run on corosync's libcpg"; done
where=$(view 1 | sed 's/.*dummy=node\([0-9]*\).*/\1/')
stamp=$(dummy_stamp "$where")
[ -n "$stamp" ] || fail "no Dummy state file on node$where"
nodes=$(on 1 crm_node -l | awk '{print $1, $2}' | sort)
log "migrate: the Dummy runs on node$where"

swap_to cohort
swap_to corosync
log "migrate: corosync -> Cohort -> corosync under Pacemaker's maintenance mode: every node back online each time, the Dummy kept running on node$where, never restarted"
