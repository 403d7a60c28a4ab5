/*
 * quorum/quorum.c: the quorum service (libquorum's requests and events,
 * src/common/ipc_quorum.h), and the object both quorum services share.
 *
 * Without a provider the node is always quorate (QUORUM_FREE) and each
 * regular configuration change notifies the trackers at once. With
 * votequorum the V1 nodelist notification goes out at the configuration
 * change and the quorum notification when votequorum has decided
 * (votequorum.c), as corosync orders them (reference §6.2).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <corosync/corotypes.h>
#include <corosync/quorum.h>

#include "common/ipc_quorum.h"
#include "common/log.h"
#include "daemon/config/config.h"
#include "daemon/frame.h"
#include "daemon/icmap.h"
#include "daemon/quorum/quorum_int.h"

static bool in_set(const uint32_t *v, size_t n, uint32_t id)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == id)
			return true;
	return false;
}

/* Whether the node is quorate as last published: in the middle of a
 * synchronisation the rules may count a quorum not decided yet, which
 * libquorum and the status must not tell before its notification
 * (corosync answers from what it last announced). */
static bool quorate_now(const struct quorum_svc *q)
{
	return q->provider ? q->quorate : true;
}

/* The quorum notification as a frame (one for every tracker). */
static struct frame *quorum_frame(const struct quorum_svc *q)
{
	size_t len = IPC_HDR_LEN + 20 + 4 * q->n_members;
	struct frame *f = frame_new(len);
	struct wbuf wb;

	if (!f)
		fatalx("out of memory building a quorum notification");
	wbuf_init(&wb, f->data, len);
	ipc_hdr_put(&wb, QUORUM_EV_QUORUM, 0, 0);
	wbuf_u32(&wb, quorate_now(q));
	wbuf_u32(&wb, q->ring.rep);
	wbuf_u64(&wb, q->ring.seq);
	wbuf_u32(&wb, (uint32_t)q->n_members);
	for (size_t i = 0; i < q->n_members; i++)
		wbuf_u32(&wb, q->members[i]);
	ipc_hdr_finish(&wb);
	f->len = (uint32_t)wb.len;
	return f;
}

/* The V1 nodelist: the members, and (unless `snapshot`, which a
 * trackstart gets) who joined and who left with the last change. */
static struct frame *nodelist_frame(const struct quorum_svc *q, bool snapshot)
{
	uint32_t joined[PROTO_MAX_NODES], left[PROTO_MAX_NODES];
	size_t nj = 0, nl = 0, len;
	struct frame *f;
	struct wbuf wb;

	for (size_t i = 0; !snapshot && i < q->n_prev; i++)
		if (!in_set(q->trans, q->n_trans, q->prev[i]) ||
		    !in_set(q->members, q->n_members, q->prev[i]))
			left[nl++] = q->prev[i];
	for (size_t i = 0; !snapshot && i < q->n_members; i++)
		if (!in_set(q->prev, q->n_prev, q->members[i]) ||
		    in_set(left, nl, q->members[i]))
			joined[nj++] = q->members[i];
	len = IPC_HDR_LEN + 24 + 4 * (q->n_members + nj + nl);
	if (!(f = frame_new(len)))
		fatalx("out of memory building a nodelist notification");
	wbuf_init(&wb, f->data, len);
	ipc_hdr_put(&wb, QUORUM_EV_NODELIST, 0, 0);
	wbuf_u32(&wb, q->ring.rep);
	wbuf_u64(&wb, q->ring.seq);
	wbuf_u32(&wb, (uint32_t)q->n_members);
	wbuf_u32(&wb, (uint32_t)nj);
	wbuf_u32(&wb, (uint32_t)nl);
	for (size_t i = 0; i < q->n_members; i++)
		wbuf_u32(&wb, q->members[i]);
	for (size_t i = 0; i < nj; i++)
		wbuf_u32(&wb, joined[i]);
	for (size_t i = 0; i < nl; i++)
		wbuf_u32(&wb, left[i]);
	ipc_hdr_finish(&wb);
	f->len = (uint32_t)wb.len;
	return f;
}

static bool tracker(struct conn *c)
{
	const struct quorum_conn *qc = quorum_conn(c);

	return !c->dead && qc && qc->tracking;
}

void quorum_notify_quorum(struct quorum_svc *q)
{
	struct frame *f = NULL;

	for (struct conn *c = ipcs_first(q->env.ipcs); c; c = c->next) {
		if (!tracker(c))
			continue;
		if (!f)
			f = quorum_frame(q);
		ipcs_event(c, f);
	}
	frame_unref(f);
}

void quorum_notify_nodelist(struct quorum_svc *q)
{
	struct frame *f = NULL;

	for (struct conn *c = ipcs_first(q->env.ipcs); c; c = c->next) {
		if (!tracker(c) || quorum_conn(c)->model != QUORUM_MODEL_V1)
			continue;
		if (!f)
			f = nodelist_frame(q, false);
		ipcs_event(c, f);
	}
	frame_unref(f);
}

void quorum_confchg(void *svc, const struct proto_conf *conf)
{
	struct quorum_svc *q = svc;
	size_t n = conf->n_members;

	if (n > PROTO_MAX_NODES)
		n = PROTO_MAX_NODES;
	if (conf->type == PROTO_CONF_TRANSITIONAL) {
		memcpy(q->trans, conf->members, n * sizeof(uint32_t));
		q->n_trans = n;
		return;
	}
	memcpy(q->prev, q->members, q->n_members * sizeof(uint32_t));
	q->n_prev = q->n_members;
	memcpy(q->members, conf->members, n * sizeof(uint32_t));
	q->n_members = n;
	q->ring = conf->ring_id;
	quorum_notify_nodelist(q);
	/* Until the next transitional configuration says otherwise, every
	 * member came along. */
	memcpy(q->trans, q->members, n * sizeof(uint32_t));
	q->n_trans = n;
	if (!q->provider)
		quorum_notify_quorum(q);
}

static void malformed(struct quorum_svc *q, struct conn *c, const char *what)
{
	log_warnx("client %u (pid %d): malformed %s request", c->id,
	    (int)c->pid, what);
	ipcs_close_conn(q->env.ipcs, c, "malformed request");
}

static void reply_u32(struct conn *c, uint32_t seq, uint32_t v)
{
	uint8_t body[4];
	struct wbuf wb;

	wbuf_init(&wb, body, sizeof(body));
	wbuf_u32(&wb, v);
	ipcs_reply(c, seq, CS_OK, body, wb.len);
}

static void trackstart(struct quorum_svc *q, struct conn *c,
    const struct ipc_hdr *h, uint32_t flags)
{
	struct quorum_conn *qc = quorum_conn(c);
	struct frame *f;

	/* The snapshot comes before the EXIST check: a second trackstart
	 * fails and still gets one (corosync does so). */
	if (flags & (CS_TRACK_CURRENT | CS_TRACK_CHANGES)) {
		if (qc->model == QUORUM_MODEL_V1) {
			f = nodelist_frame(q, true);
			ipcs_event(c, f);
			frame_unref(f);
		}
		f = quorum_frame(q);
		ipcs_event(c, f);
		frame_unref(f);
	}
	if (qc->tracking) {
		ipcs_reply(c, h->seq, CS_ERR_EXIST, NULL, 0);
		return;
	}
	if (flags & (CS_TRACK_CHANGES | CS_TRACK_CHANGES_ONLY)) {
		qc->tracking = true;
		qc->track_flags = flags;
	}
	ipcs_reply(c, h->seq, CS_OK, NULL, 0);
}

static void quorum_request(void *svc, struct conn *c, const struct ipc_hdr *h,
    struct rbuf *rb)
{
	struct quorum_svc *q = svc;
	struct quorum_conn *qc = quorum_conn(c);
	uint32_t v;

	if (quorum_req_decode(h->type, rb->p, rb->left, &v) < 0) {
		malformed(q, c, "quorum");
		return;
	}
	switch (h->type) {
	case QUORUM_REQ_GETTYPE:
		if (v != QUORUM_MODEL_V0 && v != QUORUM_MODEL_V1) {
			ipcs_reply(c, h->seq, CS_ERR_INVALID_PARAM, NULL, 0);
			return;
		}
		qc->model = v;
		qc->model_set = true;
		reply_u32(c, h->seq, q->provider ? QUORUM_SET : QUORUM_FREE);
		return;
	case QUORUM_REQ_GETQUORATE:
		reply_u32(c, h->seq, quorate_now(q));
		return;
	case QUORUM_REQ_TRACKSTART:
		trackstart(q, c, h, v);
		return;
	case QUORUM_REQ_TRACKSTOP:
		/* Always CS_OK, tracking or not (corosync's answer). */
		qc->tracking = false;
		ipcs_reply(c, h->seq, CS_OK, NULL, 0);
		return;
	default:
		malformed(q, c, "quorum");
	}
}

static int quorum_conn_open(void *svc, struct conn *c, void **state)
{
	if (!(*state = calloc(1, sizeof(struct quorum_conn))))
		return -ENOMEM;
	return 0;
}

void quorum_conn_state_free(void *svc, void *state)
{
	free(state);
}

static const uint16_t quorum_types[] = {
	QUORUM_REQ_GETTYPE, QUORUM_REQ_GETQUORATE, QUORUM_REQ_TRACKSTART,
	QUORUM_REQ_TRACKSTOP,
};

const struct service_ops quorum_service_ops = {
	.name = "quorum",
	.types = quorum_types,
	.n_types = sizeof(quorum_types) / sizeof(quorum_types[0]),
	.request = quorum_request,
	.conn_open = quorum_conn_open,
	.conn_free = quorum_conn_state_free,
	.confchg = quorum_confchg,
};

int quorum_svc_new(const struct quorum_env *env, struct quorum_svc **out)
{
	struct quorum_svc *q = calloc(1, sizeof(*q));
	int rc;

	if (!q)
		return -ENOMEM;
	q->env = *env;
	q->provider = env->cfg->quorum.provider == COHORT_QUORUM_VOTEQUORUM;
	/* Before the first ring this node alone is the membership, and it
	 * comes along into that ring. */
	q->n_members = q->n_trans = 1;
	q->members[0] = q->trans[0] = env->nodeid;
	if (q->provider && (rc = vq_svc_init(q)) < 0) {
		quorum_svc_free(q);
		return rc;
	}
	*out = q;
	return 0;
}

void quorum_svc_free(struct quorum_svc *q)
{
	if (!q)
		return;
	loop_timer_disarm(q->env.loop, &q->lms_timer);
	loop_timer_disarm(q->env.loop, &q->cancel_timer);
	loop_timer_disarm(q->env.loop, &q->leave_timer);
	loop_timer_disarm(q->env.loop, &q->keep_timer);
	if (q->cancel_track)
		icmap_track_delete(q->env.map, q->cancel_track);
	/* A barrier still to be written is tried once more. */
	if (q->keep_open)
		statekeep_close(&q->keep);
	free(q);
}

void quorum_svc_status(const struct quorum_svc *q, struct quorum_status *st)
{
	uint32_t he;

	memset(st, 0, sizeof(*st));
	st->provider = q->provider;
	st->quorate = quorate_now(q);
	st->ring_seq = q->ring.seq;
	st->n_members = q->n_members;
	if (!q->provider)
		return;
	st->quorum = q->rules.quorum;
	vq_totals(&q->rules, &st->total_votes, &he);
	st->expected_votes = q->rules.us->expected;
	st->flags = vq_info_flags(&q->rules);
}
