/*
 * status.c: the status text (status.h), from the getters of the engine's
 * glue, the transport, the IPC server, the CPG service and the
 * scheduler, and the service that serves it to `cohortctl status`.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include <corosync/corotypes.h>

#include "common/log.h"
#include "daemon/cfgcheck.h"
#include "daemon/cpg/cpg.h"
#include "daemon/ipcs/ipcs.h"
#include "daemon/loop.h"
#include "daemon/ordering.h"
#include "daemon/quorum/quorum.h"
#include "daemon/sched.h"
#include "daemon/status.h"
#include "daemon/transport/transport.h"

struct text {
	char *buf;
	size_t len, cap;
	bool err;
};

__attribute__((format(printf, 2, 3)))
static void text_add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->err)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			t->err = true;
			return;
		}
		if ((size_t)n < t->cap - t->len)
			break;
		t->cap = (t->cap + (size_t)n + 1) * 2;
		char *grown = realloc(t->buf, t->cap);
		if (!grown) {
			t->err = true;
			return;
		}
		t->buf = grown;
	}
	t->len += (size_t)n;
}

/* The link to a node: "local", "up" (a good datagram within the token
 * timeout), "down" (none since), or "never"; and how long ago. */
static void status_link(const struct status_config *sc, struct text *t,
    uint32_t id, uint32_t token_ms)
{
	uint64_t last, now = loop_now(sc->loop);

	if (id == sc->nodeid || !sc->transport) {
		text_add(t, "node.%" PRIu32 ".link=local\n", id);
		return;
	}
	last = transport_last_rx(sc->transport, id);
	if (!last) {
		text_add(t, "node.%" PRIu32 ".link=never\n", id);
		return;
	}
	text_add(t, "node.%" PRIu32 ".link=%s\nnode.%" PRIu32 ".heard_ms_ago=%"
	    PRIu64 "\n", id, now - last <= token_ms ? "up" : "down", id,
	    now - last);
}

/* The address `a` without its port, "" for none. */
static const char *host_str(const struct sockaddr_storage *a, char *buf,
    size_t len)
{
	const void *ip = a->ss_family == AF_INET ?
	    (const void *)&((const struct sockaddr_in *)(const void *)a)->sin_addr :
	    (const void *)&((const struct sockaddr_in6 *)(const void *)a)->sin6_addr;

	buf[0] = '\0';
	if (a->ss_family == AF_INET || a->ss_family == AF_INET6)
		inet_ntop(a->ss_family, ip, buf, (socklen_t)len);
	return buf;
}

/* Each link to a node (transport_link_status): "node.N.link.L.KEY" for
 * the links it has an address on, and "node.N.links_in_use", the links
 * its traffic takes now. */
static void status_links(const struct status_config *sc, struct text *t,
    uint32_t id)
{
	struct transport_link_status ls;
	char a[INET6_ADDRSTRLEN];
	bool any = false;

	if (!sc->transport)
		return;
	for (unsigned l = 0; l < LINKS_MAX; l++) {
		if (transport_link_status(sc->transport, id, l, &ls) < 0 ||
		    !ls.dst.ss_family)
			continue;
		text_add(t, "node.%" PRIu32 ".link.%u.addr=%s\n", id, l,
		    host_str(&ls.dst, a, sizeof(a)));
		if (!ls.enabled)
			continue;
		text_add(t, "node.%" PRIu32 ".link.%u.state=%s\n", id, l,
		    id == sc->nodeid ? "local" : ls.connected ? "up" : "down");
		text_add(t, "node.%" PRIu32 ".link.%u.enabled=1\n"
		    "node.%" PRIu32 ".link.%u.in_use=%d\n"
		    "node.%" PRIu32 ".link.%u.settled=%d\n"
		    "node.%" PRIu32 ".link.%u.suspect=%d\n"
		    "node.%" PRIu32 ".link.%u.latency_us=%" PRIu32 "\n",
		    id, l, id, l, ls.in_use ? 1 : 0, id, l, ls.settled ? 1 : 0,
		    id, l, ls.suspect ? 1 : 0, id, l, ls.latency_us);
		text_add(t, "node.%" PRIu32 ".link.%u.tx=%" PRIu64 "\n"
		    "node.%" PRIu32 ".link.%u.rx=%" PRIu64 "\n"
		    "node.%" PRIu32 ".link.%u.rx_wrong_addr=%" PRIu64 "\n"
		    "node.%" PRIu32 ".link.%u.pings_tx=%" PRIu64 "\n"
		    "node.%" PRIu32 ".link.%u.pongs_rx=%" PRIu64 "\n"
		    "node.%" PRIu32 ".link.%u.pongs_late=%" PRIu64 "\n"
		    "node.%" PRIu32 ".link.%u.downs=%" PRIu64 "\n",
		    id, l, ls.tx, id, l, ls.rx, id, l, ls.rx_wrong_addr, id, l,
		    ls.pings_tx, id, l, ls.pongs_rx, id, l, ls.pongs_late, id,
		    l, ls.downs);
	}
	if (id == sc->nodeid)
		return;
	text_add(t, "node.%" PRIu32 ".links_in_use=", id);
	for (unsigned l = 0; l < LINKS_MAX; l++)
		if (transport_link_status(sc->transport, id, l, &ls) == 0 &&
		    ls.in_use) {
			text_add(t, "%s%u", any ? "," : "", l);
			any = true;
		}
	text_add(t, "\n");
}

/* A node whose configuration differs from ours: "node.N.config=differs",
 * the keys that differ, and each one's value here and there (once its
 * summary came). */
static void status_peer_config(const struct status_config *sc,
    struct text *t, uint32_t id)
{
	struct cfgcheck_diff df[CFGCHECK_DIFF_MAX];
	const uint8_t *sum;
	size_t len, n;

	if (!sc->transport || !sc->cfgsum ||
	    !transport_peer_config(sc->transport, id, &sum, &len))
		return;
	text_add(t, "node.%" PRIu32 ".config=differs\nnode.%" PRIu32
	    ".config_keys=", id, id);
	n = sum ? cfgcheck_compare(sc->cfgsum->text, sc->cfgsum->len,
	    (const char *)sum, len, df, CFGCHECK_DIFF_MAX) : 0;
	if (n > CFGCHECK_DIFF_MAX)
		n = CFGCHECK_DIFF_MAX;
	for (size_t k = 0; k < n; k++)
		text_add(t, "%s%.*s", k ? " " : "", (int)df[k].key_len,
		    df[k].key);
	text_add(t, "\n");
	for (size_t k = 0; k < n; k++)
		text_add(t, "node.%" PRIu32 ".config.%.*s.here=%.*s\n"
		    "node.%" PRIu32 ".config.%.*s.there=%.*s\n", id,
		    (int)df[k].key_len, df[k].key, (int)df[k].ours_len,
		    df[k].ours, id, (int)df[k].key_len, df[k].key,
		    (int)df[k].theirs_len, df[k].theirs);
}

static void status_sched(const struct status_config *sc, struct text *t)
{
	struct sched_state ss;

	sched_now(sc->sched, &ss);
	text_add(t, "sched.mode=%s\nsched.policy=%s\nsched.priority=%d"
	    "\nsched.realtime=%d\nsched.kept=%d\nsched.memory_locked=%d"
	    "\n", ss.mode, ss.policy, ss.priority, ss.realtime ? 1 : 0,
	    ss.kept ? 1 : 0, ss.memory_locked ? 1 : 0);
}

/* Each node of the configuration: address, link, configuration. */
static void status_nodes(const struct status_config *sc, struct text *t,
    uint32_t token_ms)
{
	for (size_t i = 0; i < sc->n_nodes; i++) {
		text_add(t, "node.%" PRIu32 ".addr=%s\n", sc->node_ids[i],
		    sc->node_addrs[i] ? sc->node_addrs[i] : "");
		status_link(sc, t, sc->node_ids[i], token_ms);
		status_links(sc, t, sc->node_ids[i]);
		status_peer_config(sc, t, sc->node_ids[i]);
		if (sc->node_names[i])
			text_add(t, "node.%" PRIu32 ".name=%s\n", sc->node_ids[i],
			    sc->node_names[i]);
	}
}

/* The transport's counters and socket buffers (none for one node). */
static void status_net(const struct status_config *sc, struct text *t)
{
	struct transport_stats ts;

	if (!sc->transport)
		return;
	transport_stats(sc->transport, &ts);
	text_add(t, "stat.net_tx=%" PRIu64 "\nstat.net_rx=%" PRIu64
	    "\nstat.net_tx_errors=%" PRIu64 "\nstat.net_rx_malformed=%"
	    PRIu64 "\nstat.net_rx_foreign=%" PRIu64
	    "\nstat.net_rx_unknown_sender=%" PRIu64
	    "\nstat.net_rx_auth_failed=%" PRIu64
	    "\nstat.net_rx_wrong_link_addr=%" PRIu64
	    "\nstat.net_rx_replayed=%" PRIu64
	    "\nstat.net_rx_link_copies=%" PRIu64
	    "\nstat.net_rx_old_incarnation=%" PRIu64
	    "\nstat.net_rx_config_mismatch=%" PRIu64
	    "\nstat.net_tx_summaries=%" PRIu64
	    "\nstat.net_rx_summaries=%" PRIu64
	    "\nstat.net_port_unreachable=%" PRIu64
	    "\nstat.net_icmp_unmatched=%" PRIu64
	    "\nstat.net_icmp_peer_alive=%" PRIu64
	    "\nstat.net_icmp_ignored=%" PRIu64
	    "\nstat.net_tx_frags=%" PRIu64 "\nstat.net_rx_frags=%" PRIu64
	    "\nstat.net_rx_reassembled=%" PRIu64
	    "\nstat.net_rx_frag_evicted=%" PRIu64
	    "\nstat.net_tx_offloaded=%" PRIu64
	    "\nstat.net_rx_coalesced=%" PRIu64
	    "\nnet.rcvbuf=%" PRIu64 "\nnet.sndbuf=%" PRIu64 "\n",
	    ts.tx, ts.rx,
	    ts.tx_errors, ts.rx_malformed, ts.rx_foreign,
	    ts.rx_unknown_sender, ts.rx_auth_failed, ts.rx_wrong_link_addr,
	    ts.rx_replayed, ts.rx_link_copies, ts.rx_old_incarnation, ts.rx_config_mismatch,
	    ts.tx_summaries, ts.rx_summaries,
	    ts.port_unreachable, ts.icmp_unmatched, ts.icmp_peer_alive,
	    ts.icmp_ignored, ts.tx_frags, ts.rx_frags,
	    ts.rx_reassembled, ts.rx_frag_evicted, ts.tx_offloaded,
	    ts.rx_coalesced, ts.rcvbuf, ts.sndbuf);
}

/* The quorum as the quorum services last decided it: the provider, the
 * quorate flag, the votes (votequorum's getinfo of this node) and the
 * flags as corosync-quorumtool names them. */
static void status_quorum(const struct status_config *sc, struct text *t)
{
	static const char *const names[] = { "2Node", "Quorate", "WaitForAll",
	    "LastManStanding", "AutoTieBreaker", "AllowDownscale" };
	struct quorum_status qs;
	bool any = false;

	if (!sc->quorum)
		return;
	quorum_svc_status(sc->quorum, &qs);
	text_add(t, "quorum.provider=%s\nquorum.quorate=%d\n"
	    "quorum.ring_seq=%" PRIu64 "\n", qs.provider ? "votequorum" :
	    "none", qs.quorate ? 1 : 0, qs.ring_seq);
	if (!qs.provider)
		return;
	text_add(t, "quorum.quorum=%" PRIu32 "\nquorum.total_votes=%" PRIu32
	    "\nquorum.expected_votes=%" PRIu32 "\nquorum.flags=", qs.quorum,
	    qs.total_votes, qs.expected_votes);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (qs.flags & (1u << i)) {
			text_add(t, "%s%s", any ? " " : "", names[i]);
			any = true;
		}
	}
	text_add(t, "\n");
}

char *status_text(const struct status_config *sc, size_t *len)
{
	struct text t = { .cap = 1024 };
	struct proto_status st;
	uint64_t fin, fout, dropped, evicted;

	t.buf = malloc(t.cap);
	if (!t.buf)
		return NULL;
	t.buf[0] = '\0';
	ordering_status(sc->ordering, &st);
	ipcs_stats(sc->ipcs, &fin, &fout, &dropped, &evicted);
	text_add(&t, "version=%s\nnodeid=%" PRIu32 "\ncluster_name=%s\n",
	    COHORT_VERSION, sc->nodeid, sc->cluster_name);
	text_add(&t, "state=%s\nring_id=%x.%" PRIx64 "\nmembers=",
	    st.state_name ? st.state_name : "unknown", st.ring_id.rep,
	    st.ring_id.seq);
	for (size_t i = 0; i < st.n_members; i++)
		text_add(&t, "%s%" PRIu32, i ? " " : "", st.members[i]);
	text_add(&t, "\ntoken_ms=%" PRIu32 "\ntransport=%s\n", st.token_ms,
	    sc->transport_name ? sc->transport_name : "");
	if (sc->transport)
		text_add(&t, "link_mode=%s\n", links_mode_name(
		    transport_link_mode(sc->transport)));
	status_nodes(sc, &t, st.token_ms);
	text_add(&t, "clients=%zu\ngroups=%zu\nuptime_ms=%" PRIu64 "\n",
	    ipcs_count(sc->ipcs), cpg_svc_groups(sc->cpg),
	    loop_now(sc->loop) - sc->started_ms);
	status_sched(sc, &t);
	text_add(&t, "stat.rx_datagrams=%" PRIu64 "\nstat.tx_datagrams=%" PRIu64
	    "\nstat.rx_dropped=%" PRIu64 "\nstat.delivered=%" PRIu64
	    "\nstat.retransmits=%" PRIu64 "\nstat.token_losses=%" PRIu64
	    "\nstat.configurations=%" PRIu64 "\nstat.originated=%" PRIu64
	    "\nstat.peers_failed_unreachable=%" PRIu64
	    "\nstat.ring_held_for_readers=%" PRIu64 "\ncongested=%d\n",
	    st.stats.rx_datagrams, st.stats.tx_datagrams, st.stats.rx_dropped,
	    st.stats.delivered, st.stats.retransmits, st.stats.token_losses,
	    st.stats.configurations, st.stats.originated, st.stats.unreachable,
	    st.stats.congested, ordering_congested(sc->ordering) ? 1 : 0);
	text_add(&t, "stat.send_queue_used=%zu\nstat.send_queue_bytes=%zu\n"
	    "stat.submit_queue=%zu\n", st.send_queue_used, st.send_queue_bytes,
	    ordering_queued(sc->ordering));
	{
		struct cpg_svc_stats cs;

		cpg_svc_stats(sc->cpg, &cs);
		text_add(&t, "cpg.syncing=%d\nstat.cpg_sync_dropped=%" PRIu64
		    "\nstat.cpg_bad_messages=%" PRIu64 "\n", cs.syncing ? 1 : 0,
		    cs.sync_dropped, cs.bad_messages);
	}
	status_quorum(sc, &t);
	status_net(sc, &t);
	text_add(&t, "stat.ipc_frames_in=%" PRIu64 "\nstat.ipc_frames_out=%"
	    PRIu64 "\nstat.ipc_dropped_clients=%" PRIu64
	    "\nstat.ipc_evicted_clients=%" PRIu64 "\n", fin, fout, dropped,
	    evicted);
	if (t.err) {
		free(t.buf);
		return NULL;
	}
	*len = t.len;
	return t.buf;
}

static void status_request(void *svc, struct conn *c, const struct ipc_hdr *h)
{
	const struct status_config *sc = svc;
	size_t len;
	char *text;

	text = status_text(sc, &len);
	ipcs_reply(c, h->seq, text ? CS_OK : CS_ERR_NO_MEMORY, text,
	    text ? len : 0);
	free(text);
}

/* cohortctl reopen-log: the log file reopened, the result in the body
 * (ipc.h), for the operator to read. */
static void log_reopen_request(struct conn *c, const struct ipc_hdr *h)
{
	uint8_t body[8];
	int rc;

	log_info("reopening the log file (cohortctl reopen-log, client %u, "
	    "pid %d)", c->id, (int)c->pid);
	rc = log_reopen();
	put_u32(body, (uint32_t)-rc);
	put_u32(body + 4, log_file() ? 1 : 0);
	ipcs_reply(c, h->seq, CS_OK, body, sizeof(body));
}

static void status_dispatch(void *svc, struct conn *c,
    const struct ipc_hdr *h, struct rbuf *rb)
{
	const struct status_config *sc = svc;

	if (rb->left) {
		log_warnx("client %u (pid %d): malformed %s request", c->id,
		    (int)c->pid, h->type == IPC_STATUS ? "STATUS" : "LOG_REOPEN");
		ipcs_close_conn(sc->ipcs, c, "malformed request");
		return;
	}
	if (h->type == IPC_LOG_REOPEN)
		log_reopen_request(c, h);
	else
		status_request(svc, c, h);
}

static const uint16_t status_types[] = { IPC_STATUS, IPC_LOG_REOPEN };

const struct service_ops status_service_ops = {
	.name = "status",
	.types = status_types,
	.n_types = sizeof(status_types) / sizeof(status_types[0]),
	.request = status_dispatch,
};
