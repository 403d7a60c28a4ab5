#!/usr/bin/env bash
# t_cluster_quorumtool.sh BUILD: corosync-quorumtool on a 3-node
# votequorum cluster (names node1..3). On every node ours shows the three
# members with the local mark on its own row and the same ring id; after
# a kill -9 of node 3 the survivors show two members, still quorate; and
# on node 1 Debian's corosync-quorumtool, run on our libraries, prints
# exactly what ours prints (the Date line masked) for the status, the
# list and its variants, and for -m across the kill. A libquorum V1 and
# libvotequorum client (tests/cluster/quorumwatch.c) on node 1 reports
# the kill and node 3's return as the libraries decode them (members,
# joined, left; dead nodes in votequorum's list). The Debian part is
# skipped where the package cannot be had or under the sanitizers.
set -uo pipefail
B=${1:-build}
. tests/cluster/lib.sh
. tests/cluster/quorum.sh
cluster_test_init

# qt I ARGS...: our tool on node I, stdout with the date masked.
qt() {
	local i=$1
	shift
	ip netns exec "$(cl_ns "$i")" env $(cl_env "$i") "$B/bin/corosync-quorumtool" "$@" |
	    sed 's/^Date:             .*/Date:             (masked)/'
}
theirs() {
	local i=$1
	shift
	ip netns exec "$(cl_ns "$i")" env $(cl_env "$i") LD_LIBRARY_PATH="$B/lib" \
	    "$THEIRS" "$@" | sed 's/^Date:             .*/Date:             (masked)/'
}
has() { grep -qxF -- "$2" <<<"$1" || { echo "$1"; fail "$3: no line '$2'"; }; }

cl_votequorum
cluster_create 3
nodes_start 1 2 3
wait_ring 1 2 3 || fail "no ring of 3"
wait_quorum "1 2 3" "1 2 3 3 Quorate" || fail "3 nodes"
ring=
for i in 1 2 3; do
	out=$(qt "$i" -s) || fail "node $i: -s exit $?"
	has "$out" "Nodes:            3" "node $i"
	has "$out" "Node ID:          $i" "node $i"
	has "$out" "Quorum:           2  " "node $i"
	has "$out" "Flags:            Quorate " "node $i"
	has "$out" "$(printf '%10u %10u node%u (local)' "$i" 1 "$i")" "node $i local row"
	[ "$(grep -c ' node[0-9]' <<<"$out")" -eq 3 ] || fail "node $i: not three rows"
	r=$(grep '^Ring ID:' <<<"$out")
	[ -z "$ring" ] || [ "$r" = "$ring" ] || fail "node $i: $r, node 1: $ring"
	ring=$r
done
out=$(qt 1 -l -i)
has "$out" "         2          1 $(cl_addr 2)" "-l -i"

if [ -n "${COHORT_SAN:-}" ]; then
	THEIRS=
elif TOOLS=$(bash tests/scripts/corosync-tools.sh 2>/dev/null); then
	THEIRS=$TOOLS/usr/sbin/corosync-quorumtool
else
	THEIRS=
	echo "Debian's corosync-quorumtool cannot be had: comparison skipped"
fi
compare() {
	[ -n "$THEIRS" ] || return 0
	diff -u <(theirs 1 "$@" 2>&1; echo "exit $?") <(qt 1 "$@" 2>&1; echo "exit $?") ||
	    fail "corosync-quorumtool $*: Debian's (-) and ours (+) differ"
	n=$((n + 1))
}
n=0
for args in "-s" "-l" "-p" "-s -H" "-l -i" "-l -a" "-l -o n" "-l -o i"; do
	# shellcheck disable=SC2086
	compare $args
done

# quorumwatch (tests/cluster/quorumwatch.c) on node 1: libquorum V1 and
# libvotequorum notifications as the libraries decode them.
ip netns exec "$(cl_ns 1)" env $(cl_env 1) "$B/tests/cluster/quorumwatch" \
    >"$CL_DIR/watch" 2>&1 &
watch=$!
wait_line() {  # wait_line FILE REGEX: until a line of FILE matches
	local t=0
	until grep -qE -- "$2" "$1" 2>/dev/null; do
		t=$((t + 1))
		[ $t -le 400 ] || { cat "$1"; fail "no line /$2/ in $1"; }
		sleep 0.05
	done
}
wait_line "$CL_DIR/watch" '^tracking$'

# -m on node 1 (ours, and Debian's when it can be had) prints a status
# block now and another one at the membership change.
ip netns exec "$(cl_ns 1)" env $(cl_env 1) "$B/bin/corosync-quorumtool" -m \
    >"$CL_DIR/monitor.ours" 2>&1 &
mon_ours=$!
mon_theirs=
if [ -n "$THEIRS" ]; then
	# corosync's tool does not flush stdout between blocks: line
	# buffering lets the test see each block as it comes.
	ip netns exec "$(cl_ns 1)" env $(cl_env 1) LD_LIBRARY_PATH="$B/lib" stdbuf -oL "$THEIRS" -m \
	    >"$CL_DIR/monitor.theirs" 2>&1 &
	mon_theirs=$!
fi
wait_monitors() {  # wait_monitors PATTERN: each monitor printed it
	local f t=0
	for f in "$CL_DIR/monitor.ours" ${mon_theirs:+"$CL_DIR/monitor.theirs"}; do
		until grep -qx -- "$1" "$f" 2>/dev/null; do
			t=$((t + 1))
			[ $t -le 400 ] || { cat "$f"; fail "-m: no '$1' in $f"; }
			sleep 0.05
		done
	done
}
wait_monitors "Nodes:            3"

cl_log "kill -9 of node 3"
node_kill 3
wait_ring 1 2 || fail "no ring of 2"
wait_quorum "1 2" "1 2 2 3 Quorate" || fail "2 of 3 nodes"
out=$(qt 2 -s) || fail "node 2: -s exit $?"
has "$out" "Nodes:            2" "after the kill"
has "$out" "Total votes:      2" "after the kill"
has "$out" "Quorate:          Yes" "after the kill"
compare -s
compare -p
wait_monitors "Nodes:            2"
kill $mon_ours $mon_theirs
wait $mon_ours $mon_theirs 2>/dev/null
if [ -n "$THEIRS" ]; then
	diff -u <(sed 's/^Date: .*//' "$CL_DIR/monitor.theirs") <(sed 's/^Date: .*//' "$CL_DIR/monitor.ours") ||
	    fail "-m: Debian's (-) and ours (+) differ"
	n=$((n + 1))
fi

# What the libraries decoded of the change: V1 node list (node 3 left),
# then the quorum; votequorum's node list, and its quorum list keeping
# node 3 as dead (state 2).
wait_line "$CL_DIR/watch" '^quorum 1 [0-9a-f]+\.[0-9a-f]+ members=1 2$'
grep -qE '^nodelist [0-9a-f]+\.[0-9a-f]+ members=1 2 joined= left=3$' "$CL_DIR/watch" ||
    { cat "$CL_DIR/watch"; fail "V1 node list of the kill"; }
[ "$(grep -nE '^nodelist .* left=3$' "$CL_DIR/watch" | cut -d: -f1)" -lt \
  "$(grep -nE '^quorum 1 .* members=1 2$' "$CL_DIR/watch" | cut -d: -f1)" ] ||
    fail "the V1 node list came after the quorum notification"
wait_line "$CL_DIR/watch" '^vq-nodelist [0-9a-f]+\.[0-9a-f]+ nodes=1 2$'
wait_line "$CL_DIR/watch" '^vq-quorum 1 nodes=.*3/2'
cl_log "node 3 back"
nodes_start 3
wait_ring 1 2 3 || fail "no ring of 3 again"
wait_line "$CL_DIR/watch" '^nodelist [0-9a-f]+\.[0-9a-f]+ members=1 2 3 joined=3 left=$'
wait_line "$CL_DIR/watch" '^vq-quorum 1 nodes=.*3/1'
kill "$watch"
wait "$watch" 2>/dev/null
[ -n "$THEIRS" ] && echo "Debian's corosync-quorumtool on node 1: $n runs identical to ours"
echo "PASS"
