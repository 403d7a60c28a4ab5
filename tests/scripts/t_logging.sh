#!/usr/bin/env bash
# t_logging.sh BUILD: the logging section applied by a running cohortd:
# lines reach the log file in its layout, per-subsystem settings hold
# (TOTEM debug on, CPG kept out of the file), `cohortctl reopen-log`
# after a rename (what logrotate does) sends new lines to a new file, a
# reopen that fails keeps the old file and says so; a log file that
# cannot be opened stops the start with a clear error; syslog(3) lines
# carry the facility and priority asked for (read from a /dev/log of our
# own, in a private mount namespace: skipped without one).
set -euo pipefail
B=$(cd "${1:-build}" && pwd)
CTL=$B/bin/cohortctl
. "$(dirname "$0")/private_daemon.sh" logging
# count PATTERN FILE: lines matching (0 when the file is missing).
count() { grep -c -- "$1" "$2" 2>/dev/null || true; }

LOG=$DIR/cohort.log
cat >"$DIR/cohort.conf" <<CONF
logging {
	to_stderr: yes
	to_syslog: no
	to_logfile: yes
	logfile: $LOG
	timestamp: on
	logger_subsys {
		subsys: TOTEM
		debug: on
	}
	logger_subsys {
		subsys: CPG
		to_logfile: no
	}
}
CONF

# A log file that cannot be opened: a clear error, exit 1, no daemon.
sed "s|^\tlogfile: .*|\tlogfile: $DIR/no/such/dir/cohort.log|" "$DIR/cohort.conf" >"$DIR/bad.conf"
set +e
"$B/sbin/cohortd" -f -p -n 1 -c "$DIR/bad.conf" 2>"$DIR/bad.err"
rc=$?
set -e
[ $rc -eq 1 ] || fail "unopenable log file: exit $rc"
grep -q "^cohortd: cannot open log file $DIR/no/such/dir/cohort.log: No such file or directory$" "$DIR/bad.err" ||
    fail "unopenable log file: $(cat "$DIR/bad.err")"
echo "ok: a log file that cannot be opened stops the start"

mkfifo "$DIR/ready"
COHORT_READY_FD=3 "$B/sbin/cohortd" -f -p -n 1 -c "$DIR/cohort.conf" \
    3>"$DIR/ready" 2>"$DIR/stderr" &
dpid=$!
pids+=($dpid)
read -r _ <"$DIR/ready"

# The file's layout: stamp, [pid] host ident, priority, [subsystem].
stamp='[A-Z][a-z][a-z] [0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]'
grep -q "^$stamp \[$dpid\] $(hostname) cohortd info    \[MAIN  \] ready: node 1, IPC at $COHORT_SOCKET$" "$LOG" ||
    fail "no ready line in the log file's layout: $(cat "$LOG")"
[ "$(count 'debug   \[TOTEM \] totem: ' "$LOG")" -gt 0 ] ||
    fail "TOTEM's debug lines are not in the file"
[ "$(count '\[CPG   \]' "$LOG")" -eq 0 ] || fail "CPG's lines reached the file"
[ "$(count 'info    \[CPG   \] ring .* in service' "$DIR/stderr")" -eq 1 ] ||
    fail "CPG's lines are not on stderr: $(cat "$DIR/stderr")"
[ "$(count 'debug   \[MAIN  \]' "$LOG")" -eq 0 ] || fail "MAIN debug lines without debug"
echo "ok: lines reach the log file, per-subsystem settings hold"

# logrotate: rename, then reopen. The reopen's own line goes to the old
# file (it is written before the reopen), the next one to the new file.
mv "$LOG" "$LOG.1"
"$CTL" reopen-log >"$DIR/out" 2>&1 || fail "reopen-log: $(cat "$DIR/out")"
[ ! -s "$DIR/out" ] || fail "reopen-log printed: $(cat "$DIR/out")"
[ -f "$LOG" ] || fail "no new log file after reopen-log"
"$CTL" reopen-log || fail "second reopen-log"
[ "$(count 'reopening the log file' "$LOG.1")" -eq 1 ] ||
    fail "old file: $(grep reopening "$LOG.1")"
[ "$(count 'reopening the log file' "$LOG")" -eq 1 ] ||
    fail "new file: $(cat "$LOG")"
[ "$(stat -c %a "$LOG")" = 600 ] || fail "new log file mode $(stat -c %a "$LOG")"
echo "ok: reopen-log after a rename writes to a new file"

# A reopen that fails: the old file goes on, the operator and the other
# outputs are told.
mv "$LOG" "$LOG.2"
mkdir "$LOG"
set +e
"$CTL" reopen-log 2>"$DIR/out"
rc=$?
set -e
[ $rc -eq 1 ] || fail "failed reopen: cohortctl exit $rc"
grep -q "cohortd cannot reopen its log file: Is a directory (it keeps writing to the file it had)" "$DIR/out" ||
    fail "failed reopen: $(cat "$DIR/out")"
grep -q "warning \[MAIN  \] cannot reopen log file $LOG, still writing to the one opened before: Is a directory" "$DIR/stderr" ||
    fail "failed reopen not on stderr: $(tail -3 "$DIR/stderr")"
[ "$(count 'cannot reopen log file' "$LOG.2")" -eq 1 ] || fail "failed reopen not in the old file"
rmdir "$LOG"
"$CTL" reopen-log || fail "reopen-log after the failure"
[ "$(count 'reopening the log file' "$LOG")" -eq 0 ] && [ -f "$LOG" ] ||
    fail "the file after a failed reopen"
echo "ok: a failed reopen keeps the old file and says so"

kill -TERM "$dpid"
wait "$dpid" || fail "cohortd exited $?"
grep -q "info    \[MAIN  \] stopped$" "$LOG" || fail "no stop line in the new file"

# A daemon without a log file: nothing to reopen, said on stderr.
mkfifo "$DIR/ready2"
COHORT_READY_FD=3 "$B/sbin/cohortd" -f -p -n 1 3>"$DIR/ready2" 2>"$DIR/stderr2" &
dpid=$!
pids+=($dpid)
read -r _ <"$DIR/ready2"
"$CTL" reopen-log 2>"$DIR/out" || fail "reopen-log without a file: $(cat "$DIR/out")"
grep -q "cohortd has no log file (logging.to_logfile): nothing to reopen" "$DIR/out" ||
    fail "reopen-log without a file: $(cat "$DIR/out")"
kill -TERM "$dpid"
wait "$dpid" || fail "cohortd exited $?"
echo "ok: reopen-log without a log file"

# syslog: our own /dev/log in a private mount namespace (a tmpfs over
# /dev, /dev/null bound back), a listener there, a daemon logging to
# syslog with facility local3 and priority warning: the warning about an
# unknown key arrives as <156> (local3 * 8 + warning), its info lines do
# not.
if [ "$(id -u)" -ne 0 ] || ! unshare -m true 2>/dev/null; then
	echo "syslog part skipped: needs root and unshare -m"
	exit 0
fi
cat >"$DIR/syslog.conf" <<CONF
logging {
	to_stderr: no
	to_syslog: yes
	syslog_facility: local3
	syslog_priority: warning
	frobnicate: yes
}
CONF
mkfifo "$DIR/sys-bound" "$DIR/sys-ready" "$DIR/sys-events"
unshare -m --propagation private bash -s "$B" "$DIR" <<'NS' &
trap 'exit 1' TERM
set -euo pipefail
B=$1 DIR=$2
mkdir "$DIR/realdev"
mount --bind /dev "$DIR/realdev"
mount -t tmpfs none /dev
touch /dev/null
mount --bind "$DIR/realdev/null" /dev/null
python3 - "$DIR/sys-bound" "$DIR/sys-events" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
s.settimeout(120)
open(sys.argv[1], "w").write("bound\n")
with open(sys.argv[2], "w", buffering=1) as out:
    try:
        while True:
            msg = s.recv(4096).decode(errors="replace")
            out.write(msg + "\n")
            if msg == "END":
                break
    except socket.timeout:
        out.write("timeout\n")
PY
lpid=$! cpid=
# Stopped by the test's clean-up, it stops what it started.
trap 'kill $lpid $cpid 2>/dev/null' EXIT
read -r _ <"$DIR/sys-bound"
COHORT_READY_FD=3 "$B/sbin/cohortd" -f -p -n 1 -c "$DIR/syslog.conf" \
    3>"$DIR/sys-ready" 2>"$DIR/stderr3" &
cpid=$!
wait "$cpid" || echo "cohortd exited $?" >>"$DIR/stderr3"
python3 -c 'import socket; socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b"END", "/dev/log")'
wait "$lpid" || true
NS
pids+=($!)
exec 4<"$DIR/sys-events"
read -r _ <"$DIR/sys-ready"
read -r line <&4
grep -Eq "^<156>[A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8} cohortd\[[0-9]+\]:   \[MAIN  \] $DIR/syslog.conf:6: unknown key 'logging.frobnicate' ignored$" <<<"$line" ||
    fail "syslog line: '$line'"
dpid=$(sed 's/^[^[]*\[\([0-9]*\)\].*/\1/' <<<"$line")
kill -TERM "$dpid"
# Up to the end mark: the other warning, no info line.
while read -r line <&4; do
	case $line in
	END) break ;;
	timeout) fail "syslog: no end mark" ;;
	"<156>"*"this node alone forms the cluster") ;;
	*) fail "syslog: unexpected line '$line'" ;;
	esac
done
exec 4<&-
[ ! -s "$DIR/stderr3" ] || fail "syslog daemon: $(cat "$DIR/stderr3")"
echo "ok: syslog lines with facility local3, priority warning and above"
