#!/usr/bin/env bash
# t_cmapctl.sh BUILD: corosync-cmapctl against a private cohortd.
#  1. Ours prints what corosync's tool prints (services-reference §7.1):
#     key lines of every type, binary escaping, -q, the errors and exit
#     codes, -s/-g round trips, -d, -D, -p, and tracking with -T.
#  2. Debian's own corosync-cmapctl (tests/scripts/corosync-tools.sh), run
#     on Cohort's libraries, does the same things with the same arguments
#     and its output, errors and exit codes are diffed against ours. Each
#     tool works on keys named after it (test.ours.*, test.theirs.*) so
#     that both start from the same state; outputs are compared with the
#     name swapped. Skipped (alone) when the package cannot be had, and
#     under sanitizers (a binary without them cannot load the ASan build
#     of the libraries).
set -euo pipefail
B=$(cd "${1:-build}" && pwd)
DIR=$(mktemp -d /tmp/cohort-cmapctl.XXXXXX)
dpid= tpid=
cleanup() {
	[ -n "$tpid" ] && kill "$tpid" 2>/dev/null && wait "$tpid" 2>/dev/null
	[ -n "$dpid" ] && kill "$dpid" 2>/dev/null && wait "$dpid" 2>/dev/null
	rm -rf "$DIR"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
# Bound on any wait for an event, in tenths of a second.
WAIT_TENTHS=200

ours=$B/bin/corosync-cmapctl
theirs=
if [ -z "${COHORT_SAN:-}" ]; then
	if cdir=$(bash tests/scripts/corosync-tools.sh); then
		theirs=$cdir/usr/sbin/corosync-cmapctl
	else
		echo "Debian's corosync-cmapctl is not available: comparing with the reference only"
	fi
fi

export COHORT_SOCKET=$DIR/cohort.sock COHORT_STATE_DIR=$DIR
mkfifo "$DIR/ready"
COHORT_READY_FD=3 "$B/sbin/cohortd" -f 3>"$DIR/ready" 2>"$DIR/cohortd.log" &
dpid=$!
read -r line <"$DIR/ready"
[ "$line" = READY ] || fail "daemon not ready"

# tool WHO ARGS...: runs ours or theirs; output in $DIR/WHO.out, .err, .rc.
tool() {
	local who=$1 rc=0; shift
	if [ "$who" = ours ]; then
		"$ours" "$@" >"$DIR/$who.out" 2>"$DIR/$who.err" || rc=$?
	else
		LD_LIBRARY_PATH="$B/lib" "$theirs" "$@" >"$DIR/$who.out" 2>"$DIR/$who.err" || rc=$?
	fi
	echo "$rc" >"$DIR/$who.rc"
}
# both ARGS...: each tool with ARGS in which @ stands for its name; their
# output, errors and exit codes must match, with the names swapped.
both() {
	tool ours "${@//@/ours}"
	[ -n "$theirs" ] || return 0
	tool theirs "${@//@/theirs}"
	for f in out err rc; do
		# getopt's messages start with the program's path.
		sed -e 's/theirs/ours/g' -e 's|^[^ ]*/corosync-cmapctl: |corosync-cmapctl: |' \
		    "$DIR/theirs.$f" >"$DIR/theirs.$f.cmp"
		sed -e 's|^[^ ]*/corosync-cmapctl: |corosync-cmapctl: |' \
		    "$DIR/ours.$f" >"$DIR/ours.$f.cmp"
		diff -u "$DIR/theirs.$f.cmp" "$DIR/ours.$f.cmp" ||
		    fail "corosync-cmapctl $* differs from Debian's ($f: theirs first)"
	done
}
# expect FILE TEXT: the file holds exactly TEXT.
expect() { diff -u <(printf '%s\n' "$2") "$1" || fail "unexpected $(basename "$1")"; }
# wait_for FILE REGEX: until a line of FILE matches (bounded).
wait_for() {
	local i
	for ((i = 0; i < WAIT_TENTHS; i++)); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	fail "no line matching $2 in $1"
}
rc_is() { [ "$(cat "$DIR/ours.rc")" = "$1" ] || fail "exit code $(cat "$DIR/ours.rc"), want $1"; }

# Usage.
both -h
rc_is 0
grep -q '^usage:  corosync-cmapctl' "$DIR/ours.out" || fail "no usage"

# -s and -g of every type, at its limits.
printf 'A\\B\n' >"$DIR/bin"
printf '\x80\x00 ~\x7f' >"$DIR/bin2"
: >"$DIR/empty"
# getopt takes a negative value for options unless "--" ends them, in
# corosync's tool as in ours.
both -s test.@.i8 i8 -128
expect "$DIR/ours.err" "$ours: invalid option -- '1'"
rc_is 1
set_all() {
	both -s -- test.@.i8 i8 -128
	both -s test.@.u8 u8 255
	both -s -- test.@.i16 i16 -32768
	both -s test.@.u16 u16 65535
	both -s -- test.@.i32 i32 -2147483648
	both -s test.@.u32 u32 4294967295
	both -s -- test.@.i64 i64 -9223372036854775808
	both -s test.@.u64 u64 18446744073709551615
	both -s test.@.flt flt 3.5
	both -s -- test.@.dbl dbl -2.25
	both -s test.@.str str hello world
	both -s test.@.bin bin "$DIR/bin"
	both -s test.@.bin2 bin "$DIR/bin2"
}
set_all
both -g test.@.u32
expect "$DIR/ours.out" "test.ours.u32 (u32) = 4294967295"
both -q -g test.@.i64
expect "$DIR/ours.out" "-9223372036854775808"
both -g test.@.str
expect "$DIR/ours.out" "test.ours.str (str) = hello"
both -b -g test.@.bin test.@.bin2
expect "$DIR/ours.out" 'test.ours.bin (bin) = A\\B\x0A
test.ours.bin2 (bin) = \xFFFFFF80\x00 ~\x7F'
both -g test.@.bin
expect "$DIR/ours.out" "test.ours.bin (bin)"
both -q -b -g test.@.bin
expect "$DIR/ours.out" 'bin) = A\\B\x0A'
both -b test.@.
expect "$DIR/ours.out" 'test.ours.bin (bin) = A\\B\x0A
test.ours.bin2 (bin) = \xFFFFFF80\x00 ~\x7F
test.ours.dbl (dbl) = -2.250000
test.ours.flt (flt) = 3.500000
test.ours.i16 (i16) = -32768
test.ours.i32 (i32) = -2147483648
test.ours.i64 (i64) = -9223372036854775808
test.ours.i8 (i8) = -128
test.ours.str (str) = hello
test.ours.u16 (u16) = 65535
test.ours.u32 (u32) = 4294967295
test.ours.u64 (u64) = 18446744073709551615
test.ours.u8 (u8) = 255'
rc_is 0
# The same listing through the other tool's print path.
both -b test.ours.
# An empty binary value, and a type change by -s.
both -s test.@.bin bin "$DIR/empty"
both -s test.@.u8 str now-a-string
both -b -g test.@.bin test.@.u8

# Errors and exit codes.
both -g test.@.nosuch
expect "$DIR/ours.err" "Can't get key test.ours.nosuch. Error CS_ERR_NOT_EXIST"
rc_is 1
both -s test.@.x u8 256
expect "$DIR/ours.err" "256 is not valid u8 integer"
rc_is 1
both -s -- test.@.x i8 -129
both -s test.@.x u32 abc
expect "$DIR/ours.err" "abc is not valid u32 type value"
both -s test.@.x foo 1
expect "$DIR/ours.err" "Unknown type foo"
both -s test.@.x u32
expect "$DIR/ours.err" "At least 3 parameters are expected for set"
both -s nodelist.@ u32 1
expect "$DIR/ours.err" "Failed to set key nodelist.ours. Error CS_ERR_ACCESS"
rc_is 1
both -s 'test.@ x' u32 1
expect "$DIR/ours.err" "Failed to set key test.ours x. Error CS_ERR_NAME_TOO_LONG"
both -g
expect "$DIR/ours.err" "Expected key after options"
rc_is 1
both -d test.@.nosuch
expect "$DIR/ours.err" "Can't delete key test.ours.nosuch. Error CS_ERR_NOT_EXIST"
rc_is 1
both -m foo
expect "$DIR/ours.err" "invalid map name, must be 'default', 'icmap' or 'stats'"
both -C foo
expect "$DIR/ours.err" "argument to -C should be 'knet', 'totem', 'ipc', 'schedmiss' or 'all'"
rc_is 1
# The STATS map: -C clears (the result is not checked, as in corosync's
# tool); only stats.clear.* keys may be written there.
both -C all
rc_is 0
both -m stats -s test.@.x u8 1
expect "$DIR/ours.err" "Failed to set key test.ours.x. Error CS_ERR_ACCESS"
both -m stats -g test.@.x
expect "$DIR/ours.err" "Can't get key test.ours.x. Error CS_ERR_NOT_EXIST"
# A listing that finds nothing fails; one prefix of two finding nothing
# does not.
both test.@.nothing.
rc_is 1
both test.@.nothing. test.@.u16
rc_is 0

# -d, -D.
both -d test.@.i8 test.@.i16
rc_is 0
both -D test.@.u test.@.nothing.
rc_is 0
both test.@.
expect "$DIR/ours.out" 'test.ours.bin (bin)
test.ours.bin2 (bin)
test.ours.dbl (dbl) = -2.250000
test.ours.flt (flt) = 3.500000
test.ours.i32 (i32) = -2147483648
test.ours.i64 (i64) = -9223372036854775808
test.ours.str (str) = hello'

# -p: set, skip comments and blank lines, delete, delete by prefix.
for who in ours theirs; do
	cat >"$DIR/load.$who" <<EOF
# a comment
test.$who.p.a u32 7

   test.$who.p.s str word
test.$who.p.gone u8 1
^test.$who.p.gone
test.$who.p.pre.x i16 1
test.$who.p.pre.y i16 2
^^test.$who.p.pre.
EOF
done
both -p "$DIR/load.@"
rc_is 0
both test.@.p.
expect "$DIR/ours.out" 'test.ours.p.a (u32) = 7
test.ours.p.s (str) = word'
both -p "$DIR/nonexistent"

# The whole map lists the same (counters of services aside, which the
# listing itself moves).
tool ours
grep -q '^test\.ours\.p\.a (u32) = 7$' "$DIR/ours.out" || fail "full listing misses a key"
if [ -n "$theirs" ]; then
	grep -v '^runtime\.services\.' "$DIR/ours.out" >"$DIR/all.ours"
	tool theirs
	grep -v '^runtime\.services\.' "$DIR/theirs.out" >"$DIR/all.theirs"
	diff -u "$DIR/all.theirs" "$DIR/all.ours" || fail "full listings differ"
fi

# Tracking with -T: events printed as they come; the tool is stopped
# with "q" once the last change has been printed. stdbuf makes the
# tool's stdout line-buffered, as on a terminal, so that the test can
# wait for each line.
track() {  # WHO
	local who=$1
	local -a cmd=("$ours")
	[ "$who" = theirs ] && cmd=(env LD_LIBRARY_PATH="$B/lib" "$theirs")
	rm -f "$DIR/in"; mkfifo "$DIR/in"
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
	    stdbuf -oL "${cmd[@]}" -b -T "test.trk.$who." <"$DIR/in" >"$DIR/trk.$who" 2>&1 &
	tpid=$!
	exec 4>"$DIR/in"
	wait_for "$DIR/trk.$who" '^Type "q" to finish$'
	"$ours" -s "test.trk.$who.x" u32 5
	"$ours" -s "test.trk.$who.x" u32 5
	"$ours" -s "test.trk.$who.x" u32 6
	"$ours" -s "test.trk.$who.x" str abc
	"$ours" -d "test.trk.$who.x"
	"$ours" -s "test.trk.$who.y" i8 3
	"$ours" -s "test.trk.$who.z" bin "$DIR/bin"
	"$ours" -D "test.trk.$who."
	"$ours" -s "test.trk.$who.zend" u8 1
	wait_for "$DIR/trk.$who" 'zend'
	echo q >&4
	exec 4>&-
	wait "$tpid" || fail "tracking $who exited with $?"
	tpid=
}
track ours
expect "$DIR/trk.ours" 'Type "q" to finish
create> test.trk.ours.x (u32) = 5
modify> test.trk.ours.x (u32) = 6
modify> test.trk.ours.x (str) = abc
delete> test.trk.ours.x (str) = abc
create> test.trk.ours.y (i8) = 3
create> test.trk.ours.z (bin) = A\\B\x0A
delete> test.trk.ours.y (i8) = 3
delete> test.trk.ours.z (bin) = A\\B\x0A
create> test.trk.ours.zend (u8) = 1'
if [ -n "$theirs" ]; then
	track theirs
	sed 's/theirs/ours/g' "$DIR/trk.theirs" | diff -u - "$DIR/trk.ours" ||
	    fail "tracking output differs from Debian's (theirs first)"
fi
# With stdin at its end the tool stops at once after its banner.
"$ours" -t test.trk.none </dev/null >"$DIR/trk.eof"
expect "$DIR/trk.eof" 'Type "q" to finish'

kill "$dpid"; wait "$dpid"; dpid=
if [ -n "$theirs" ]; then
	echo "corosync-cmapctl: output, errors and exit codes identical to Debian's and to the reference"
else
	echo "corosync-cmapctl: output, errors and exit codes as the reference gives them (Debian's tool not compared)"
fi
