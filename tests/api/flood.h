/*
 * flood.h: for the tests of clients that open more sockets to the daemon
 * than it has descriptors.
 */
#ifndef COHORT_FLOOD_H
#define COHORT_FLOOD_H

#include <sys/types.h>

/* Sockets a flood opens beyond the daemon's descriptor limit: held by the
 * daemon, they would lock every other client out. */
#define FLOOD_BEYOND 256

/* Before harness_start: the daemon starts with the soft limit on
 * descriptors a service manager usually gives (or this process's, if
 * lower) and raises it to what it needs, so that a flood from a process
 * of this test may pass it within the same hard limit. */
void flood_daemon_limit(void);
/* The soft limit on descriptors of process `pid`. */
int flood_fd_limit(pid_t pid);
/* Raises this process's descriptor limit to hold `n` sockets, within what
 * it may; returns how many it may hold. */
int flood_fd_room(int n);
/* Clients of this process connect, join `group` and go, `tries` times:
 * none may be refused. */
void flood_clients_get_in(const char *group, int tries);

/* In a forked child: as user and group `uid`, opens `n` sockets to the
 * daemon (or as many as it may) and sends nothing on them, says so with
 * a byte on `ready`, and holds them until it is killed (or the test
 * ends). */
_Noreturn void flood_hold_as(uid_t uid, int ready, int n);

#endif /* COHORT_FLOOD_H */
