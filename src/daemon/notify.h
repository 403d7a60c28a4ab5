/*
 * notify.h: the service manager's readiness protocol (systemd's
 * sd_notify(3)), written by hand so that cohortd needs no libsystemd:
 * one datagram "READY=1" or "STOPPING=1" to the unix socket that
 * $NOTIFY_SOCKET names, a path ("/run/...") or an abstract name
 * ("@name", whose '@' stands for the leading NUL byte).
 */
#ifndef COHORT_DAEMON_NOTIFY_H
#define COHORT_DAEMON_NOTIFY_H

/* The longest $NOTIFY_SOCKET: what fits in sockaddr_un.sun_path (the
 * terminating NUL of a path included). */
#define NOTIFY_SOCKET_MAX 107

/*
 * Sends `state` to the socket `where` names (the value of
 * $NOTIFY_SOCKET). NULL or "" means no service manager listens: nothing
 * is sent and 0 returned. Otherwise 0 or a negative errno: -EINVAL
 * (neither a path nor an abstract name), -ENAMETOOLONG (over
 * NOTIFY_SOCKET_MAX), or the error of socket(2) or sendto(2) (-ENOENT,
 * -ECONNREFUSED: nobody listens there). Does not log.
 */
int notify_send(const char *where, const char *state);

#endif /* COHORT_DAEMON_NOTIFY_H */
