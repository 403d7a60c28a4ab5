/*
 * admin.h: the daemon's administrative queries, for cohortctl only.
 *
 * These live in the client code (libclient.a) but are not exported by
 * libcpg.so (see libcpg.versions); cohortctl links them statically.
 */
#ifndef COHORT_ADMIN_H
#define COHORT_ADMIN_H

#include <stdbool.h>

/*
 * Asks the daemon at $COHORT_SOCKET (or the default path) for its status.
 * On success returns 0 and sets *text to a malloc'd, NUL-terminated block
 * of "key=value" lines that the caller frees. Keys (one per line, in this
 * order; more keys may be added later, so ignore unknown ones):
 *
 *   version=0.1.0
 *   nodeid=1                      local node id
 *   cluster_name=cohort
 *   state=operational             protocol state (gather, commit, ...)
 *   ring_id=1.5                   representative node id . seq, both hex
 *   members=1 2 3                 node ids of the current ring, ascending
 *   node.N.addr=127.0.0.1         one line per node of the nodelist, with
 *                                 its addresses separated by spaces
 *   node.N.name=alpha             when the nodelist names it
 *   clients=2                     IPC connections
 *   groups=1                      groups with at least one member
 *   uptime_ms=12345
 *   stat.NAME=VALUE               counters (rx_datagrams, tx_datagrams,
 *                                 rx_dropped, delivered, retransmits,
 *                                 token_losses, configurations,
 *                                 ipc_frames_in, ipc_frames_out,
 *                                 ipc_dropped_clients, ipc_evicted_clients)
 *
 * Returns a negative errno: -ECONNREFUSED (no daemon, or it could not be
 * reached or refused the connection for another reason), -EACCES (not
 * permitted), -EAGAIN (daemon still forming its first ring), -EIO (the
 * daemon refused the query), another -errno when the connection broke,
 * -ENOMEM.
 */
int cohort_admin_status(char **text);

/*
 * Asks the daemon to reopen its log file (after logrotate renamed it).
 * Returns what cohort_admin_status() returns for the connection; on 0,
 * *result is 0 when the file was reopened (or there is none) or the
 * negative errno of the failed open (the daemon then keeps writing to
 * the file it had), and *has_file says whether the daemon has a log file.
 * -EPROTO when the reply is not as ipc.h says.
 */
int cohort_admin_reopen_log(int *result, bool *has_file);

#endif /* COHORT_ADMIN_H */
