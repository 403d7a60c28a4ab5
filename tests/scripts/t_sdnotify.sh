#!/usr/bin/env bash
# t_sdnotify.sh BUILD: cohortd tells a service manager (systemd,
# Type=notify) READY=1 through $NOTIFY_SOCKET once clients can connect,
# and STOPPING=1 when it stops, to a socket path and to an abstract name;
# a NOTIFY_SOCKET nobody listens on is a log line, not a failure; without
# a configuration file, a daemon a service manager runs logs to syslog,
# not to the stderr systemd's unit discards. The
# listener is a small python3 program standing in for systemd: when
# READY=1 arrives, it connects a client (cohortctl status) at once.
set -euo pipefail
B=$(cd "${1:-build}" && pwd)
command -v python3 >/dev/null || { echo "no python3"; exit 77; }
. "$(dirname "$0")/private_daemon.sh" sdnotify

# listen NAME: binds NAME (a path, or @abstract), says "bound" on the
# fifo $DIR/events, then one line there per datagram, and after READY=1
# "status N" with the exit status of a client connecting right then. A
# daemon that never sends is a failure after LISTEN_LIMIT seconds, not a
# hang (the success path never waits on it).
LISTEN_LIMIT=120
listen() {
	python3 - "$1" "$DIR/events" "$B/bin/cohortctl" "$LISTEN_LIMIT" <<'PY' &
import socket, subprocess, sys
name, events, ctl, limit = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + name[1:] if name.startswith("@") else name)
s.settimeout(limit)
with open(events, "w", buffering=1) as out:
    out.write("bound\n")
    while True:
        try:
            msg = s.recv(4096).decode()
        except socket.timeout:
            out.write("timeout\n")
            break
        out.write(msg + "\n")
        if msg == "READY=1":
            rc = subprocess.run([ctl, "status"], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL).returncode
            out.write("status %d\n" % rc)
        if msg == "STOPPING=1":
            break
PY
	pids+=($!)
}

# run_with NAME: a listener on NAME, a daemon told NOTIFY_SOCKET=NAME;
# checks what the listener saw, in order.
run_with() {
	local name=$1 line dpid
	rm -f "$DIR/events"
	mkfifo "$DIR/events"
	listen "$name"
	exec 4<"$DIR/events"
	read -r line <&4
	[ "$line" = bound ] || fail "$name: listener: $line"
	NOTIFY_SOCKET=$name "$B/sbin/cohortd" -f -p -n 1 2>"$DIR/log.$2" &
	dpid=$!
	pids+=($dpid)
	read -r line <&4
	[ "$line" = READY=1 ] || fail "$name: first datagram '$line', want READY=1"
	read -r line <&4
	[ "$line" = "status 0" ] ||
	    fail "$name: a client could not connect at READY=1 ($line)"
	kill -TERM "$dpid"
	read -r line <&4
	[ "$line" = STOPPING=1 ] || fail "$name: after SIGTERM '$line', want STOPPING=1"
	wait "$dpid" || fail "$name: cohortd exited $?"
	exec 4<&-
	# Without a configuration file, under a service manager, the daemon
	# logs to syslog: nothing on the stderr the unit discards.
	[ ! -s "$DIR/log.$2" ] || fail "$name: lines on stderr: $(cat "$DIR/log.$2")"
	echo "ok: $name: READY=1 when a client can connect, STOPPING=1 at the stop"
}

run_with "$DIR/notify" path
run_with "@cohort-sdnotify-$$" abstract

# Nobody listens: the daemon says so (on stderr, as its configuration
# asks) and serves on.
mkfifo "$DIR/ready"
printf 'logging {\n\tto_syslog: no\n}\n' >"$DIR/stderr.conf"
NOTIFY_SOCKET=$DIR/nobody COHORT_READY_FD=3 "$B/sbin/cohortd" -f -p -n 1 \
    -c "$DIR/stderr.conf" 3>"$DIR/ready" 2>"$DIR/log.nobody" &
dpid=$!
pids+=($dpid)
read -r _ <"$DIR/ready"
"$B/bin/cohortctl" status >/dev/null || fail "no listener: status failed"
kill -TERM "$dpid"
wait "$dpid" || fail "no listener: cohortd exited $?"
grep -q "cannot tell the service manager READY=1 through NOTIFY_SOCKET=$DIR/nobody: No such file or directory" \
    "$DIR/log.nobody" || fail "no log line for a missing listener: $(cat "$DIR/log.nobody")"
grep -q "cannot tell the service manager STOPPING=1" "$DIR/log.nobody" ||
    fail "no log line for STOPPING=1 without a listener"
echo "ok: a NOTIFY_SOCKET nobody listens on is logged"
