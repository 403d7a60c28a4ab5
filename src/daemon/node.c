/*
 * node.c: the protocol engine's glue.
 *
 * Owns the engine, its timer, the persisted ring sequence and the
 * submission queue: messages the engine has no room for yet wait here, in
 * order, and their senders get their credit back when they are handed
 * over. The queue is bounded by the connections' credit windows plus the
 * daemon's own messages (one JOINLIST per ring, one PROCDOWN per closing
 * connection).
 *
 * While the CPG service synchronises a new ring it holds the queue
 * (node_hold): what is submitted then waits, behind what was queued
 * before, until the synchronisation ends; only its JOINLIST goes ahead
 * (node_submit_sync). See cpg/sync.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "daemon/cfgcheck.h"
#include "daemon/daemon.h"
#include "daemon/transport.h"

/* A configuration that differs from a node's is logged when it is new
 * or changed, and again at most once per this interval while it lasts. */
#define CONFIG_LOG_INTERVAL_MS 60000u
/* How often the replay windows are written to the state directory when
 * they moved: frames taken in the last interval before a crash of the
 * daemon could be taken once more after its restart. */
#define REPLAY_SAVE_MS 1000u

struct subq_entry {
	struct subq_entry *next;
	struct conn *owner;      /* NULL: the daemon's own, or owner gone */
	uint64_t cost;
	enum proto_guarantee g;
	bool held;               /* submitted while the queue was held */
	size_t len;
	uint8_t msg[];
};

struct submitq {
	struct subq_entry *head, **tail;
	size_t n;
	bool hold;               /* new messages wait (node_hold) */
};

static void rearm(struct daemon *d)
{
	uint64_t next = proto_next_timeout(d->proto);

	if (next == UINT64_MAX)
		loop_timer_disarm(d->loop, &d->proto_timer);
	else
		loop_timer_arm(d->loop, &d->proto_timer, next);
}

/* Hands queued messages to the engine while it has room. */
static void pump(struct daemon *d)
{
	struct submitq *q = d->subq;

	while (q->head && !q->head->held) {
		struct subq_entry *e = q->head;
		int rc = proto_submit(d->proto, loop_now(d->loop), e->msg, e->len,
		    e->g);

		if (rc == -EAGAIN)
			break;
		/* The CPG service's sizes are within the engine's, so only
		 * memory can fail here; dropping the message would lose it and
		 * stall the synchronisation that waits for it (cpg/sync.c). */
		if (rc < 0)
			fatalx("message of %zu bytes refused by the protocol "
			    "engine: %s", e->len, strerror(-rc));
		q->head = e->next;
		if (!q->head)
			q->tail = &q->head;
		q->n--;
		if (e->owner)
			ipcs_credit(e->owner, e->cost);
		free(e);
	}
}

void node_after_io(struct daemon *d)
{
	if (!d->in_proto) {
		d->in_proto = true;
		pump(d);
		d->in_proto = false;
	}
	rearm(d);
}

bool node_set_congested(struct daemon *d, bool on)
{
	if (d->congested == on || d->in_proto)
		return false;
	d->congested = on;
	log_debug("a local client is %s: new messages of the cluster %s",
	    on ? "behind on its events" : "caught up",
	    on ? "wait" : "go on");
	d->in_proto = true;
	proto_set_congested(d->proto, loop_now(d->loop), on);
	d->in_proto = false;
	node_after_io(d);
	return true;
}

/* Hands a message straight to the engine: 0, -EAGAIN (no room) or
 * another -errno (refused). */
static int submit_now(struct daemon *d, const uint8_t *hdr, size_t hlen,
    const uint8_t *payload, size_t plen, enum proto_guarantee g)
{
	struct iovec iov[2] = { { (void *)hdr, hlen }, { (void *)payload, plen } };
	bool outer = !d->in_proto;
	int rc;

	d->in_proto = true;
	rc = proto_submitv(d->proto, loop_now(d->loop), iov, 2, g);
	d->in_proto = !outer;
	if (rc == 0 && outer)
		rearm(d);
	return rc;
}

/* Queues a message: at the tail, or (`ahead`) in front of the held ones. */
static int enqueue(struct daemon *d, struct conn *owner, const uint8_t *hdr,
    size_t hlen, const uint8_t *payload, size_t plen, enum proto_guarantee g,
    uint64_t cost, bool ahead)
{
	struct submitq *q = d->subq;
	struct subq_entry *e = malloc(sizeof(*e) + hlen + plen), **at;

	if (!e)
		return -ENOMEM;
	*e = (struct subq_entry){ NULL, owner, cost, g, q->hold && !ahead,
	    hlen + plen };
	memcpy(e->msg, hdr, hlen);
	if (plen)
		memcpy(e->msg + hlen, payload, plen);
	at = &q->head;
	if (ahead)
		while (*at && !(*at)->held)
			at = &(*at)->next;
	else
		at = q->tail;
	e->next = *at;
	*at = e;
	if (!e->next)
		q->tail = &e->next;
	q->n++;
	return 0;
}

int node_submit2(struct daemon *d, struct conn *owner, const uint8_t *hdr,
    size_t hlen, const uint8_t *payload, size_t plen, enum proto_guarantee g,
    uint64_t cost)
{
	if (!d->subq->head && !d->subq->hold) {
		int rc = submit_now(d, hdr, hlen, payload, plen, g);

		if (rc == 0 && owner)
			ipcs_credit(owner, cost);
		if (rc != -EAGAIN)
			return rc;
	}
	return enqueue(d, owner, hdr, hlen, payload, plen, g, cost, false);
}

int node_submit_sync(struct daemon *d, const uint8_t *msg, size_t len)
{
	struct submitq *q = d->subq;

	if (!q->head || q->head->held) {
		int rc = submit_now(d, msg, len, NULL, 0, PROTO_AGREED);

		if (rc != -EAGAIN)
			return rc;
	}
	return enqueue(d, NULL, msg, len, NULL, 0, PROTO_AGREED, 0, true);
}

void node_hold(struct daemon *d, bool on)
{
	struct submitq *q = d->subq;

	q->hold = on;
	if (on)
		return;
	for (struct subq_entry *e = q->head; e; e = e->next)
		e->held = false;
	if (!d->in_proto)
		node_after_io(d);   /* inside a callback: after the proto call */
}

int node_submit(struct daemon *d, struct conn *owner, const uint8_t *msg,
    size_t len, enum proto_guarantee g, uint64_t cost)
{
	return node_submit2(d, owner, msg, len, NULL, 0, g, cost);
}

void node_forget_owner(struct daemon *d, struct conn *c)
{
	for (struct subq_entry *e = d->subq->head; e; e = e->next)
		if (e->owner == c)
			e->owner = NULL;
}

/* ------------------------------------------------------ engine callbacks */

static void cb_send(void *ctx, uint32_t to, const uint8_t *buf, size_t len)
{
	struct daemon *d = ctx;

	/* A one-node cluster has no transport: nobody to send to. */
	if (d->transport)
		transport_send(d->transport, to, buf, len);
}

static void cb_deliver(void *ctx, uint32_t sender, const uint8_t *msg,
    size_t len, enum proto_guarantee g)
{
	struct daemon *d = ctx;

	cpg_svc_deliver(d->cpg, sender, msg, len, g);
}

static void cb_confchg(void *ctx, const struct proto_conf *conf)
{
	struct daemon *d = ctx;

	log_info("%s configuration %x.%" PRIx64 " with %zu member(s)",
	    conf->type == PROTO_CONF_REGULAR ? "regular" : "transitional",
	    conf->ring_id.rep, conf->ring_id.seq, conf->n_members);
	cpg_svc_confchg(d->cpg, conf);
}

/* The path of state file `name` (with this node's id) in the state
 * directory. */
static int state_file(const struct daemon *d, const char *name, char *path,
    size_t len)
{
	int n = snprintf(path, len, "%s/%s_%" PRIu32, d->state_dir, name,
	    d->nodeid);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* Writes `len` bytes to state file `name` through a temporary file and
 * a rename, so that a reader sees the old or the new whole; `durable`:
 * on disk before the rename (fsync). 0, or -1 with errno set. */
static int state_put(const struct daemon *d, const char *name,
    const void *buf, size_t len, bool durable)
{
	char path[4096], tmp[4200];
	int fd, rc = -1;

	if (state_file(d, name, path, sizeof(path)) < 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (write(fd, buf, len) == (ssize_t)len && (!durable || fsync(fd) == 0))
		rc = 0;
	if (close(fd) < 0 || (rc == 0 && rename(tmp, path) < 0))
		rc = -1;
	return rc;
}

/* Writes a 64-bit value to state file `name` durably. */
static void state_write(const struct daemon *d, const char *name,
    uint64_t v)
{
	uint8_t b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	if (state_put(d, name, b, sizeof(b), true) < 0)
		fatal("cannot persist %s in %s", name, d->state_dir);
}

/* The engine relies on the ring sequence to keep ring ids unique across
 * restarts. */
static void cb_ring_seq(void *ctx, uint64_t seq)
{
	state_write(ctx, "ringid", seq);
}

static void cb_log(void *ctx, int level, const char *line)
{
	(void)ctx;
	log_msg(level <= 0 ? LOG_LVL_ERR : level == 1 ? LOG_LVL_WARN :
	    level == 2 ? LOG_LVL_INFO : LOG_LVL_DEBUG, "totem: %s", line);
}

static const struct proto_ops node_ops = {
	.send = cb_send,
	.deliver = cb_deliver,
	.confchg = cb_confchg,
	.ring_seq = cb_ring_seq,
	.log = cb_log,
};

static void on_proto_timer(void *arg)
{
	struct daemon *d = arg;

	d->in_proto = true;
	proto_tick(d->proto, loop_now(d->loop));
	d->in_proto = false;
	node_after_io(d);
}

void node_receive(struct daemon *d, uint32_t from, const uint8_t *buf,
    size_t len)
{
	d->in_proto = true;
	proto_receive(d->proto, loop_now(d->loop), from, buf, len);
	d->in_proto = false;
	node_after_io(d);
}

void node_peer_unreachable(struct daemon *d, uint32_t nodeid)
{
	log_debug("node %u: port unreachable (no daemon at its address)",
	    nodeid);
	d->in_proto = true;
	proto_peer_unreachable(d->proto, loop_now(d->loop), nodeid);
	d->in_proto = false;
	node_after_io(d);
}

static size_t node_index(const struct daemon *d, uint32_t nodeid)
{
	for (size_t i = 0; i < d->n_nodes; i++)
		if (d->node_ids[i] == nodeid)
			return i;
	return d->n_nodes;
}

void node_config_differs(struct daemon *d, uint32_t nodeid,
    const uint8_t *summary, size_t len)
{
	struct cfgcheck_diff df[CFGCHECK_DIFF_MAX];
	size_t i = node_index(d, nodeid), n;
	uint32_t digest = cfgcheck_digest((const char *)summary, len);
	uint64_t now = loop_now(d->loop);

	if (i == d->n_nodes || !d->cfgsum)
		return;
	if (d->cfg_logged_at[i] && d->cfg_logged_digest[i] == digest &&
	    now - d->cfg_logged_at[i] < CONFIG_LOG_INTERVAL_MS)
		return;
	d->cfg_logged_at[i] = now;
	d->cfg_logged_digest[i] = digest;
	n = cfgcheck_compare(d->cfgsum->text, d->cfgsum->len,
	    (const char *)summary, len, df, CFGCHECK_DIFF_MAX);
	log_warnx("node %u has a configuration that differs from this "
	    "node's in %zu value(s); its datagrams are dropped here until the "
	    "two agree", nodeid, n);
	for (size_t k = 0; k < n && k < CFGCHECK_DIFF_MAX; k++)
		log_warnx("node %u: %.*s is '%.*s' here, '%.*s' there", nodeid,
		    (int)df[k].key_len, df[k].key, (int)df[k].ours_len,
		    df[k].ours, (int)df[k].theirs_len, df[k].theirs);
}

/* Reads state file `name`; a missing or damaged file means 0. */
static int state_read(const struct daemon *d, const char *name, uint64_t *v)
{
	char path[4096];
	uint8_t b[8];
	ssize_t n;
	int fd;

	*v = 0;
	if (state_file(d, name, path, sizeof(path)) < 0)
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	n = read(fd, b, sizeof(b));
	close(fd);
	if (n != (ssize_t)sizeof(b)) {
		log_warnx("%s is damaged; starting %s from 0", path, name);
		return 0;
	}
	for (int i = 7; i >= 0; i--)
		*v = *v << 8 | b[i];
	return 0;
}

int node_incarnation(struct daemon *d, uint64_t *inc)
{
	struct timespec ts;
	uint64_t last, clock_us;
	int rc = state_read(d, "incarnation", &last);

	if (rc < 0)
		return rc;
	clock_gettime(CLOCK_REALTIME, &ts);
	clock_us = (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
	*inc = clock_us > last ? clock_us : last + 1;
	state_write(d, "incarnation", *inc);
	return 0;
}

void node_save_replay(struct daemon *d)
{
	uint8_t buf[TRANSPORT_WINDOWS_MAX];
	size_t n;

	if (!d->transport || !transport_windows_changed(d->transport))
		return;
	n = transport_windows_save(d->transport, buf);
	/* Not fsync'd: it is for a restart of the daemon, and a host that
	 * crashes takes its peers' frames in flight with it. */
	if (state_put(d, "replay", buf, n, false) < 0 && !d->replay_save_failed) {
		log_warn("cannot keep the replay windows in %s", d->state_dir);
		d->replay_save_failed = true;
	}
}

static void on_replay_save(void *arg)
{
	struct daemon *d = arg;

	node_save_replay(d);
	loop_timer_arm(d->loop, &d->replay_save, loop_now(d->loop) +
	    REPLAY_SAVE_MS);
}

/* Starts the transport's replay windows where the last run left them. */
static void load_replay(struct daemon *d)
{
	uint8_t buf[TRANSPORT_WINDOWS_MAX + 1];
	char path[4096];
	ssize_t n;
	int fd;

	if (!d->transport || state_file(d, "replay", path, sizeof(path)) < 0)
		return;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0 || transport_windows_load(d->transport, buf, (size_t)n) < 0)
		log_warnx("%s is damaged; replay windows start empty", path);
}

int node_new(struct daemon *d, const struct proto_config *pc)
{
	struct proto_config cfg = *pc;
	int rc;

	d->subq = calloc(1, sizeof(*d->subq));
	if (!d->subq)
		return -ENOMEM;
	d->subq->tail = &d->subq->head;
	rc = state_read(d, "ringid", &cfg.ring_seq);
	if (rc < 0)
		return rc;
	d->proto_timer = (struct loop_timer){ .fn = on_proto_timer, .arg = d };
	d->replay_save = (struct loop_timer){ .fn = on_replay_save, .arg = d };
	load_replay(d);
	return proto_new(&cfg, &node_ops, d, loop_now(d->loop), &d->proto);
}

int node_start(struct daemon *d)
{
	int rc;

	d->in_proto = true;
	rc = proto_start(d->proto, loop_now(d->loop));
	d->in_proto = false;
	node_after_io(d);
	if (d->transport)
		loop_timer_arm(d->loop, &d->replay_save, loop_now(d->loop) +
		    REPLAY_SAVE_MS);
	return rc;
}

void node_free(struct daemon *d)
{
	if (d->subq) {
		while (d->subq->head) {
			struct subq_entry *e = d->subq->head;

			d->subq->head = e->next;
			free(e);
		}
		free(d->subq);
	}
	if (d->proto)
		proto_free(d->proto);
}

/* ------------------------------------------------------------- status */

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
static void status_link(struct daemon *d, struct text *t, uint32_t id,
    uint32_t token_ms)
{
	uint64_t last, now = loop_now(d->loop);

	if (id == d->nodeid || !d->transport) {
		text_add(t, "node.%" PRIu32 ".link=local\n", id);
		return;
	}
	last = transport_last_rx(d->transport, id);
	if (!last) {
		text_add(t, "node.%" PRIu32 ".link=never\n", id);
		return;
	}
	text_add(t, "node.%" PRIu32 ".link=%s\nnode.%" PRIu32 ".heard_ms_ago=%"
	    PRIu64 "\n", id, now - last <= token_ms ? "up" : "down", id,
	    now - last);
}

/* A node whose configuration differs from ours: "node.N.config=differs",
 * the keys that differ, and each one's value here and there (once its
 * summary came). */
static void status_config(struct daemon *d, struct text *t, uint32_t id)
{
	struct cfgcheck_diff df[CFGCHECK_DIFF_MAX];
	const uint8_t *sum;
	size_t len, n;

	if (!d->transport || !d->cfgsum ||
	    !transport_peer_config(d->transport, id, &sum, &len))
		return;
	text_add(t, "node.%" PRIu32 ".config=differs\nnode.%" PRIu32
	    ".config_keys=", id, id);
	n = sum ? cfgcheck_compare(d->cfgsum->text, d->cfgsum->len,
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

char *node_status_text(struct daemon *d, size_t *len)
{
	struct text t = { .cap = 1024 };
	struct proto_status st;
	uint64_t fin, fout, dropped, evicted;

	t.buf = malloc(t.cap);
	if (!t.buf)
		return NULL;
	t.buf[0] = '\0';
	proto_status(d->proto, &st);
	ipcs_stats(d->ipcs, &fin, &fout, &dropped, &evicted);
	text_add(&t, "version=%s\nnodeid=%" PRIu32 "\ncluster_name=%s\n",
	    COHORT_VERSION, d->nodeid, d->cluster_name);
	text_add(&t, "state=%s\nring_id=%x.%" PRIx64 "\nmembers=",
	    st.state_name ? st.state_name : "unknown", st.ring_id.rep,
	    st.ring_id.seq);
	for (size_t i = 0; i < st.n_members; i++)
		text_add(&t, "%s%" PRIu32, i ? " " : "", st.members[i]);
	text_add(&t, "\ntoken_ms=%" PRIu32 "\n", st.token_ms);
	for (size_t i = 0; i < d->n_nodes; i++) {
		text_add(&t, "node.%" PRIu32 ".addr=%s\n", d->node_ids[i],
		    d->node_addrs[i] ? d->node_addrs[i] : "");
		status_link(d, &t, d->node_ids[i], st.token_ms);
		status_config(d, &t, d->node_ids[i]);
		if (d->node_names[i])
			text_add(&t, "node.%" PRIu32 ".name=%s\n", d->node_ids[i],
			    d->node_names[i]);
	}
	text_add(&t, "clients=%zu\ngroups=%zu\nuptime_ms=%" PRIu64 "\n",
	    ipcs_count(d->ipcs), cpg_svc_groups(d->cpg),
	    loop_now(d->loop) - d->started_ms);
	{
		struct sched_state ss;

		sched_now(&d->sched, &ss);
		text_add(&t, "sched.mode=%s\nsched.policy=%s\nsched.priority=%d"
		    "\nsched.realtime=%d\nsched.kept=%d\nsched.memory_locked=%d"
		    "\n", ss.mode, ss.policy, ss.priority, ss.realtime ? 1 : 0,
		    ss.kept ? 1 : 0, ss.memory_locked ? 1 : 0);
	}
	text_add(&t, "stat.rx_datagrams=%" PRIu64 "\nstat.tx_datagrams=%" PRIu64
	    "\nstat.rx_dropped=%" PRIu64 "\nstat.delivered=%" PRIu64
	    "\nstat.retransmits=%" PRIu64 "\nstat.token_losses=%" PRIu64
	    "\nstat.configurations=%" PRIu64 "\nstat.originated=%" PRIu64
	    "\nstat.peers_failed_unreachable=%" PRIu64
	    "\nstat.ring_held_for_readers=%" PRIu64 "\ncongested=%d\n",
	    st.stats.rx_datagrams, st.stats.tx_datagrams, st.stats.rx_dropped,
	    st.stats.delivered, st.stats.retransmits, st.stats.token_losses,
	    st.stats.configurations, st.stats.originated, st.stats.unreachable,
	    st.stats.congested, d->congested ? 1 : 0);
	text_add(&t, "stat.send_queue_used=%zu\nstat.send_queue_bytes=%zu\n"
	    "stat.submit_queue=%zu\n", st.send_queue_used, st.send_queue_bytes,
	    d->subq->n);
	{
		struct cpg_svc_stats cs;

		cpg_svc_stats(d->cpg, &cs);
		text_add(&t, "cpg.syncing=%d\nstat.cpg_sync_dropped=%" PRIu64
		    "\nstat.cpg_bad_messages=%" PRIu64 "\n", cs.syncing ? 1 : 0,
		    cs.sync_dropped, cs.bad_messages);
	}
	if (d->transport) {
		struct transport_stats ts;

		transport_stats(d->transport, &ts);
		text_add(&t, "stat.net_tx=%" PRIu64 "\nstat.net_rx=%" PRIu64
		    "\nstat.net_tx_errors=%" PRIu64 "\nstat.net_rx_malformed=%"
		    PRIu64 "\nstat.net_rx_foreign=%" PRIu64
		    "\nstat.net_rx_unknown_sender=%" PRIu64
		    "\nstat.net_rx_auth_failed=%" PRIu64
		    "\nstat.net_rx_replayed=%" PRIu64
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
		    ts.rx_unknown_sender, ts.rx_auth_failed, ts.rx_replayed,
		    ts.rx_old_incarnation, ts.rx_config_mismatch,
		    ts.tx_summaries, ts.rx_summaries,
		    ts.port_unreachable, ts.icmp_unmatched, ts.icmp_peer_alive,
		    ts.icmp_ignored, ts.tx_frags, ts.rx_frags,
		    ts.rx_reassembled, ts.rx_frag_evicted, ts.tx_offloaded,
		    ts.rx_coalesced, ts.rcvbuf, ts.sndbuf);
	}
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
