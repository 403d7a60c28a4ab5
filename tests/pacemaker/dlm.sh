#!/usr/bin/env bash
# tests/pacemaker/dlm.sh BUILD IMPL: Debian's dlm_controld, unmodified,
# on the three nodes of pcmk.sh's harness (IMPL cohort or corosync, the
# same corosync.conf and namespaces), without Pacemaker.
#
# dlm_controld drives the kernel's DLM: it needs the DLM's misc devices
# (/proc/misc: dlm-control, dlm-monitor, dlm_plock) and configfs
# (/sys/kernel/config/dlm). Where the kernel has them, they are one per
# kernel, not per network namespace: three dlm_controld on one kernel
# would write the same /sys/kernel/config/dlm/cluster, so `dlm_tool
# status` showing the three nodes, their addresses and a node leaving
# needs a kernel per node (virtual machines), which this harness does
# not have. What it does on one machine: every node's dlm_controld
# starts on IMPL, connects to the cluster daemon through the node's
# libraries, logs its node id (from cfg) and the nodelist's ids (from
# cmap) as the daemon gives them and, when the kernel has no DLM, stops
# with its own diagnosis. And dlmwatch.c, built here against Debian's
# headers, makes dlm_controld's membership calls (libquorum V1 tracking
# changes, libcfg's node addresses) on every node: each sees the three
# nodes with their nodelist addresses, and after kill -9 of node 3's
# daemon nodes 1 and 2 see it leave. Both print the same lines on both
# implementations (run the script with each and compare). It then exits
# 77 naming what could not be checked.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
PCMK_LIB=1 . "$HERE/pcmk.sh" "${1:?build dir}" "${2:?cohort or corosync}"

command -v dlm_controld >/dev/null && command -v dlm_tool >/dev/null ||
    { echo "Debian's dlm-controld is not installed"; exit 77; }

# kill_and_watch: node 3's daemon killed; nodes 1 and 2 see it leave in
# their dlmwatch views, with the survivors' addresses.
kill_and_watch() {
	[ "$watch" = 1 ] || return 0
	local i t0
	kill -KILL "$(daemon_pid 3)"
	for i in 1 2; do
		t0=$SECONDS
		until grep -qx "nodelist members=1 2 joined= left=3" "$DIR/n$i/watch.log" &&
		    grep -qx "quorum 1 members=1 2 addrs= 1:$(addr 1) 2:$(addr 2)" "$DIR/n$i/watch.log"; do
			[ $((SECONDS - t0)) -lt "$WAIT" ] || fail "node$i: dlmwatch saw: $(cat "$DIR/n$i/watch.log")"
			sleep 0.2
		done
		sed "s/^/node$i: /" "$DIR/n$i/watch.log"
	done
	log "$IMPL: after kill -9 of node 3's daemon, nodes 1 and 2 see it leave"
}

begin
log "$IMPL: 3 nodes, dlm_controld $(dlm_controld -V 2>&1 | sed -n 1p)"
for i in $(seq 1 $N); do start_cluster_daemon "$i"; done
# The cluster formed: every node's daemon quorate, seen through the
# node's libraries by Debian's corosync-quorumtool.
for i in $(seq 1 $N); do
	t0=$SECONDS
	until on "$i" corosync-quorumtool -s 2>/dev/null | grep -q '^Quorate: *Yes'; do
		[ $((SECONDS - t0)) -lt "$WAIT" ] || fail "node$i: not quorate"
		sleep 0.2
	done
done

# dlm_controld's membership calls, without the kernel (dlmwatch.c, built
# against Debian's headers and libraries, bound over by Cohort's in
# Cohort's nodes): every node's view names the three nodes with their
# nodelist addresses.
watch=0
if command -v cc >/dev/null && [ -f /usr/include/corosync/quorum.h ] && [ -f /usr/include/corosync/cfg.h ]; then
	cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-unused-parameter \
	    -o "$DIR/dlmwatch" "$HERE/dlmwatch.c" -lquorum -lcfg
	watch=1
	all="addrs= 1:$(addr 1) 2:$(addr 2) 3:$(addr 3)"
	for i in $(seq 1 $N); do
		on "$i" "$DIR/dlmwatch" >"$DIR/n$i/watch.log" 2>&1 &
	done
	for i in $(seq 1 $N); do
		t0=$SECONDS
		until grep -qx "local $i" "$DIR/n$i/watch.log" &&
		    grep -qx "nodelist members=1 2 3 joined= left=" "$DIR/n$i/watch.log" &&
		    grep -qx "quorum 1 members=1 2 3 $all" "$DIR/n$i/watch.log"; do
			[ $((SECONDS - t0)) -lt "$WAIT" ] || fail "node$i: dlmwatch saw: $(cat "$DIR/n$i/watch.log")"
			sleep 0.2
		done
	done
	log "$IMPL: every node's quorum (V1) and cfg show the 3 nodes with their addresses"
else
	log "$IMPL: no cc or Debian's libquorum-dev/libcfg-dev: dlmwatch not run"
fi

kernel_dlm=1
grep -qw dlm-control /proc/misc && [ -d /sys/kernel/config ] || kernel_dlm=0
for i in $(seq 1 $N); do
	on "$i" dlm_controld --foreground 1 --daemon_debug 1 --enable_fencing 0 \
	    >"$DIR/n$i/dlm.log" 2>&1 &
	echo $! >"$DIR/n$i/dlm.pid"
done
for i in $(seq 1 $N); do
	t0=$SECONDS
	until grep -q "our_nodeid $i\$" "$DIR/n$i/dlm.log"; do
		[ $((SECONDS - t0)) -lt "$WAIT" ] || fail "node$i: dlm_controld did not report node id $i: $(cat "$DIR/n$i/dlm.log")"
		sleep 0.2
	done
done
log "$IMPL: every node's dlm_controld connected and reports its node id"

if [ "$kernel_dlm" = 0 ]; then
	for i in $(seq 1 $N); do
		t0=$SECONDS
		until grep -q 'No /sys/kernel/config, is configfs loaded?' "$DIR/n$i/dlm.log" &&
		    ! kill -0 "$(cat "$DIR/n$i/dlm.pid")" 2>/dev/null; do
			[ $((SECONDS - t0)) -lt "$WAIT" ] || fail "node$i: dlm_controld did not stop at the kernel check: $(cat "$DIR/n$i/dlm.log")"
			sleep 0.2
		done
		# Its lines without the pid, for comparison across implementations.
		sed 's/^[0-9]* //' "$DIR/n$i/dlm.log" | sed "s/^/node$i: /"
	done
	log "$IMPL: dlm_controld stopped at its kernel check on every node (this kernel has no DLM: no dlm-control in /proc/misc, no configfs)"
	kill_and_watch
	echo "not checked: dlm_controld's own view (dlm_tool status: 3 nodes, addresses, a node leaving): the kernel's DLM, absent here, is one per kernel; it needs a machine per node"
	exit 77
fi
kill_and_watch
echo "not checked: dlm_controld's own view (dlm_tool status with 3 nodes): the kernel's DLM configfs is one per kernel, shared by the 3 namespaces; it needs a machine per node"
exit 77
