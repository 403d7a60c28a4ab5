#!/usr/bin/env bash
# t_quorumtool.sh BUILD: corosync-quorumtool on Cohort.
#  1. Ours against one-node daemons (votequorum quorate, votequorum not
#     quorate, no quorum provider): the layouts of -s, -l, -p, -H, -i, -a,
#     -o, the exit codes (0 quorate, 2 not quorate, 1 error), -v and -e
#     changing votes and expected votes, the validation messages.
#  2. Debian's own corosync-quorumtool (tests/scripts/corosync-tools.sh),
#     run on Cohort's libraries against the same daemons, prints exactly
#     what ours prints (stdout with the Date line masked, stderr, exit
#     status) for -s, -l, -p, -e, -v and more. Only this part is skipped:
#     with 77 when Debian's package cannot be had, and under the
#     sanitizers (Debian's binary cannot load the ASan build's libraries).
# The daemons run in a private network namespace (unshare -n), so that
# their nodelist address does not meet other tests' daemons.
set -euo pipefail
B=$(cd "${1:-build}" && pwd)
if [ -z "${T_QUORUMTOOL_NETNS:-}" ]; then
	[ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null ||
	    { echo "needs root and unshare(1) for a private network namespace"; exit 77; }
	exec env T_QUORUMTOOL_NETNS=1 unshare -n -- bash "$0" "$@"
fi
ip link set lo up
QT=$B/bin/corosync-quorumtool
DIR=$(mktemp -d /tmp/cohort-quorumtool.XXXXXX)
dpid=
stop_daemon() {
	if [ -n "$dpid" ]; then
		kill "$dpid" 2>/dev/null || true
		wait "$dpid" 2>/dev/null || true
		dpid=
	fi
}
cleanup() { stop_daemon; rm -rf "$DIR"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; [ -f "$DIR/cohortd.log" ] && tail -n 20 "$DIR/cohortd.log"; exit 1; }

# start_daemon QUORUM_SECTION: one node, node1 at 127.0.0.1.
start_daemon() {
	stop_daemon
	cat >"$DIR/cohort.conf" <<EOF
totem {
	version: 2
	cluster_name: qt
}
nodelist {
	node {
		nodeid: 1
		name: node1
		ring0_addr: 127.0.0.1
	}
}
$1
EOF
	rm -f "$DIR/ready" "$DIR/cohort.sock"
	mkfifo "$DIR/ready"
	COHORT_SOCKET=$DIR/cohort.sock COHORT_STATE_DIR=$DIR COHORT_READY_FD=3 \
	    "$B/sbin/cohortd" -f -c "$DIR/cohort.conf" 3>"$DIR/ready" 2>"$DIR/cohortd.log" &
	dpid=$!
	read -r line <"$DIR/ready" || true
	[ "$line" = READY ] || fail "daemon not ready"
	# With votequorum, clients are refused (TRY_AGAIN) until the first
	# quorum decision, a moment after READY.
	local t=0
	until "$QT" -l >/dev/null 2>&1; do
		t=$((t + 1))
		[ $t -le 200 ] || fail "the daemon takes no clients"
		sleep 0.05
	done
}
export COHORT_SOCKET=$DIR/cohort.sock

# run TOOL ARGS...: stdout (Date masked) in $DIR/out, stderr in $DIR/err,
# the exit status in $rc.
run() {
	local tool=$1
	shift
	rc=0
	"$tool" "$@" >"$DIR/out.raw" 2>"$DIR/err" || rc=$?
	sed 's/^Date:             .*/Date:             (masked)/' "$DIR/out.raw" >"$DIR/out"
}
expect_rc() { [ "$rc" -eq "$1" ] || fail "$2: exit $rc, want $1 (stderr: $(cat "$DIR/err"))"; }
has() { grep -qxF -- "$1" "$DIR/out" || { cat "$DIR/out"; fail "$2: no line '$1'"; }; }

VQ='quorum {
	provider: corosync_votequorum
}'
INQ='quorum {
	provider: corosync_votequorum
	expected_votes: 3
}'

# ---- 1. ours ----
start_daemon "$VQ"
run "$QT" -s
expect_rc 0 "-s quorate"
has "Quorum information" "-s"
has "Quorum provider:  corosync_votequorum" "-s"
has "Nodes:            1" "-s"
has "Node ID:          1" "-s"
has "Quorate:          Yes" "-s"
has "Expected votes:   1" "-s"
has "Quorum:           1  " "-s (two trailing spaces when quorate)"
has "Flags:            Quorate " "-s"
has "    Nodeid      Votes Name" "-s"
has "         1          1 node1 (local)" "-s"
grep -q '^Ring ID:          1\.[0-9a-f]*$' "$DIR/out" || fail "-s: Ring ID"
run "$QT"
expect_rc 0 "no option (= -s)"
run "$QT" -l
expect_rc 0 "-l"
[ "$(head -n 1 "$DIR/out")" = "" ] || fail "-l starts with an empty line"
has "Membership information" "-l"
has "         1          1 node1 (local)" "-l"
run "$QT" -p
has "    Nodeid      Votes    Qdevice Name" "-p"
has "         1          1         NR node1 (local)" "-p"
run "$QT" -s -H
has "Node ID:          0x00000001" "-H"
has "0x00000001          1 node1 (local)" "-H"
run "$QT" -l -i
has "         1          1 127.0.0.1 (local)" "-i"
run "$QT" -l -a -o i
has "         1          1 node1 (local)" "-a -o i"
run "$QT" -v 1 -n 1
expect_rc 0 "-v 1 -n 1"
run "$QT" -e 1
expect_rc 0 "-e 1"
run "$QT" -e 2
expect_rc 1 "-e 2 (quorum 2 above the one vote)"
grep -qx "Unable to set expected votes: CS_ERR_INVALID_PARAM" "$DIR/err" || fail "-e 2: $(cat "$DIR/err")"
run "$QT" -v 1 -n 7
expect_rc 1 "-v on an unknown node"
grep -qx "Unable to set votes 1 for nodeid: 7: CS_ERR_NAME_NOT_FOUND" "$DIR/err" ||
    fail "-v unknown node: $(cat "$DIR/err")"
run "$QT" -e 0
expect_rc 1 "-e 0"
grep -qx "New expected votes value was not valid, try a positive number" "$DIR/err" || fail "-e 0 message"
run "$QT" -o x
expect_rc 1 "-o x"
run "$QT" -V
expect_rc 0 "-V"
has "corosync-quorumtool version: 3.1.7" "-V"
run "$QT" -Z
expect_rc 1 "bad option"
grep -q '^usage: $' "$DIR/out" || fail "bad option: no usage on stdout"
run "$QT" -f
expect_rc 0 "-f without a quorum device"
# Last on this daemon: one node cannot give its second vote back (its
# quorum would exceed its votes), as in corosync.
run "$QT" -v 2
expect_rc 0 "-v 2"
# The tool returns once the change is sent; it applies when delivered.
t=0
until run "$QT" -s && grep -qx "Total votes:      2" "$DIR/out"; do
	t=$((t + 1))
	[ $t -le 200 ] || fail "-v 2 never applied"
	sleep 0.05
done
has "Expected votes:   2" "-v 2 raises expected votes"
has "Total votes:      2" "-v 2"
has "Quorum:           2  " "-v 2"
has "         1          2 node1 (local)" "-v 2"

start_daemon "$INQ"
run "$QT" -s
expect_rc 2 "-s not quorate"
has "Quorate:          No" "-s not quorate"
has "Quorum:           2 Activity blocked" "-s not quorate"
has "Flags:            " "-s not quorate (12 trailing spaces)"
run "$QT" -l
expect_rc 0 "-l not quorate"
# -m prints the status at once (then again at each membership change:
# t_cluster_quorumtool.sh).
"$QT" -m >"$DIR/monitor" 2>&1 &
mpid=$!
wait_file() {  # wait_file PATTERN COUNT: until the monitor printed it COUNT times
	local t=0
	until [ "$(grep -c -- "$1" "$DIR/monitor")" -ge "$2" ]; do
		t=$((t + 1))
		[ $t -le 400 ] || { kill "$mpid"; cat "$DIR/monitor"; fail "-m: '$1' x$2"; }
		sleep 0.05
	done
}
wait_file "^Flags:            $" 1
kill "$mpid"
wait "$mpid" 2>/dev/null || true

start_daemon ""
run "$QT" -v 2
expect_rc 1 "-v without votequorum"
grep -qx "You cannot change node votes, corosync is not using votequorum" "$DIR/err" || fail "-v without votequorum"
run "$QT" -l
expect_rc 0 "-l without votequorum"
has "    Nodeid Name" "-l without votequorum"
has "         1 node1" "-l without votequorum (no local mark: Node ID is 0)"
echo "ours: status, lists, options, exit codes as corosync 3.1.7's"

# ---- 2. Debian's binary on our libraries prints what ours prints ----
stop_daemon
[ -n "${COHORT_SAN:-}" ] &&
    { echo "Debian's binary cannot load the sanitizer build's libraries; compared in the normal pass"; exit 0; }
if ! TOOLS=$(bash "$(dirname "$0")/corosync-tools.sh"); then
	echo "Debian's corosync-quorumtool cannot be had: comparison skipped"
	exit 77
fi
THEIRS=$TOOLS/usr/sbin/corosync-quorumtool
# compare ARGS...: both tools, same arguments, same results.
compare() {
	run "$QT" "$@"
	mv "$DIR/out" "$DIR/ours.out"
	mv "$DIR/err" "$DIR/ours.err"
	local ours_rc=$rc
	LD_LIBRARY_PATH=$B/lib run "$THEIRS" "$@"
	diff -u "$DIR/out" "$DIR/ours.out" || fail "stdout of -$* differs (- Debian's, + ours)"
	diff -u "$DIR/err" "$DIR/ours.err" || fail "stderr of $* differs (- Debian's, + ours)"
	[ "$rc" -eq "$ours_rc" ] || fail "$*: Debian's exits $rc, ours $ours_rc"
	n=$((n + 1))
}
n=0
for conf in "$VQ" "$INQ" ""; do
	start_daemon "$conf"
	for args in "-s" "-l" "-p" "-s -p" "-s -H" "-l -i" "-l -a" "-l -o n" "-l -o i" "-f"; do
		# shellcheck disable=SC2086
		compare $args
	done
	compare -v 1
	compare -v 1 -n 9
	compare -e 0
	compare -v -1
	compare -n 0
	compare -o q
	# Last: it may change the state the runs above depend on (the
	# change applies when delivered, after the tool returns).
	compare -e 1
done
echo "Debian's corosync-quorumtool on Cohort's libraries: $n runs, output and exit status identical"
