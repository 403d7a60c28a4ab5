/*
 * cmap/service.c: the cmap service's side of client requests (cmap.h,
 * common/ipc_cmap.h), with corosync's answers (services-reference
 * §2.2-2.6).
 *
 * Bodies are decoded first (decode.c); a body that does not decode as
 * its type's layout, or carries what no library sends, drops the client
 * with a log line. Everything a library does send gets the error
 * corosync gives.
 *
 * A connection's state is made at its first cmap request: the CPG
 * clients, most of the connections, never need one.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <corosync/corotypes.h>

#include "common/log.h"
#include "daemon/cmap/cmap_int.h"
#include "daemon/config/config.h"
#include "daemon/frame.h"
#include "daemon/ipcs/ipcs.h"

/* The largest body of a reply or event: an event's fixed fields, its key
 * and two values of the largest length (a STRING of ICMAP_VALUE_MAX
 * characters is stored with its NUL). */
#define VALUE_WIRE(len) (8u + (len))
#define OUT_MAX (IPC_HDR_LEN + 20u + 4u + ICMAP_KEY_MAX + \
	2u * VALUE_WIRE(ICMAP_VALUE_MAX + 1u))

/* A notification's bytes of its own: the header, the track handle and
 * the cookie. */
#define NOTIFY_HEAD (IPC_HDR_LEN + 16u)

static void malformed(struct cmap_svc *svc, struct conn *c, const char *what)
{
	log_warnx("client %u (pid %d): malformed cmap %s request", c->id,
	    (int)c->pid, what);
	ipcs_close_conn(svc->ipcs, c, "malformed request");
}

/* The one place a map error becomes the client's cs_error_t. */
static uint32_t cs_of(int rc)
{
	switch (rc) {
	case 0:
		return CS_OK;
	case -EINVAL:
		return CS_ERR_INVALID_PARAM;
	case -ENAMETOOLONG:
		return CS_ERR_NAME_TOO_LONG;
	case -ENOENT:
		return CS_ERR_NOT_EXIST;
	case -ENOSPC:
		return CS_ERR_NO_RESOURCES;
	case -ENOMEM:
		return CS_ERR_NO_MEMORY;
	}
	return CS_ERR_LIBRARY;
}

static void put_str(struct wbuf *wb, const char *s)
{
	size_t len = strlen(s);

	wbuf_u32(wb, (uint32_t)len);
	wbuf_copy(wb, s, len);
}

static void put_value(struct wbuf *wb, const struct icmap_value *v)
{
	wbuf_u32(wb, (uint32_t)v->type);
	wbuf_u32(wb, (uint32_t)v->len);
	if (v->len)
		wbuf_copy(wb, v->data, v->len);
}

/* ------------------------------------------------- handles and slots */

/* The object with `handle`, or NULL. */
static void *slot_find(const struct cmap_slots *s, uint64_t handle)
{
	uint32_t i = (uint32_t)handle;
	uint64_t *obj;

	if (i >= s->cap || !s->p[i])
		return NULL;
	obj = s->p[i];   /* every slot object starts with its handle */
	return *obj == handle ? obj : NULL;
}

/* Slots a table starts with; it doubles when full, up to its max. */
#define SLOTS_FIRST 8u

/* A free slot (growing the table up to its max): its index, or -ENOSPC
 * at the limit, -ENOMEM. */
static int slot_free_index(struct cmap_slots *s)
{
	if (s->used >= s->max)
		return -ENOSPC;
	for (uint32_t i = 0; i < s->cap; i++)
		if (!s->p[i])
			return (int)i;
	uint32_t old = s->cap, cap = old ? old * 2 : SLOTS_FIRST;
	void **p;

	if (cap > s->max)
		cap = s->max;
	p = realloc(s->p, cap * sizeof(*p));
	if (!p)
		return -ENOMEM;
	memset(p + old, 0, (cap - old) * sizeof(*p));
	s->p = p;
	s->cap = cap;
	return (int)old;
}

static uint64_t slot_put(struct cmap_conn *cc, struct cmap_slots *s,
    int i, void *obj)
{
	uint64_t handle = (uint64_t)++cc->gen << 32 | (uint32_t)i;

	s->p[i] = obj;
	s->used++;
	return handle;
}

static void slot_clear(struct cmap_slots *s, uint64_t handle)
{
	s->p[(uint32_t)handle] = NULL;
	s->used--;
}

/* ----------------------------------------------------- the connection */

static struct cmap_conn *conn_state(struct conn *c)
{
	struct cmap_conn *cc = c->svc[SERVICE_CMAP];

	if (cc)
		return cc;
	cc = calloc(1, sizeof(*cc));
	if (!cc)
		return NULL;
	cc->c = c;
	cc->iters.max = CMAP_CONN_ITERS_MAX;
	cc->tracks.max = CMAP_CONN_TRACKS_MAX;
	c->svc[SERVICE_CMAP] = cc;
	return cc;
}

static struct icmap *map_of(struct cmap_svc *svc, const struct cmap_conn *cc)
{
	return cc->map == CMAP_MAP_ID_STATS ? svc->stats : svc->map;
}

/* Whether the connection may set (`is_set`), delete or adjust `key` of
 * its map: CS_OK, or the error corosync gives before anything else is
 * checked. In the STATS map only stats.clear.* keys may be written, and
 * only set names an action. */
static uint32_t write_rule(struct cmap_svc *svc, const struct cmap_conn *cc,
    const char *key, bool is_set)
{
	if (cc->map != CMAP_MAP_ID_STATS)
		return icmap_ipc_ro(key, svc->votequorum) ? CS_ERR_ACCESS :
		    CS_OK;
	if (strncmp(key, "stats.clear.", strlen("stats.clear.")) != 0)
		return CS_ERR_ACCESS;
	return is_set ? CS_OK : CS_ERR_NOT_SUPPORTED;
}

/* ----------------------------------------------------------- requests */

/* The object `r->handle` names, or NULL after answering BAD_HANDLE. */
static void *handle_arg(struct cmap_conn *cc, const struct ipc_hdr *h,
    const struct cmap_req *r, const struct cmap_slots *s)
{
	void *obj = slot_find(s, r->handle);

	if (!obj)
		ipcs_reply(cc->c, h->seq, CS_ERR_BAD_HANDLE, NULL, 0);
	return obj;
}

/* CS_OK with a body of one u64. */
static void reply_u64(struct conn *c, const struct ipc_hdr *h, uint64_t v)
{
	uint8_t body[8];
	struct wbuf wb;

	wbuf_init(&wb, body, sizeof(body));
	wbuf_u64(&wb, v);
	ipcs_reply(c, h->seq, CS_OK, body, wb.len);
}

typedef void (*req_fn)(struct cmap_svc *svc, struct cmap_conn *cc,
    const struct ipc_hdr *h, const struct cmap_req *r);

static void req_set_map(struct cmap_svc *svc, struct cmap_conn *cc,
    const struct ipc_hdr *h, const struct cmap_req *r)
{
	uint32_t err = CS_OK;

	if (r->map != CMAP_MAP_ID_ICMAP && r->map != CMAP_MAP_ID_STATS)
		err = CS_ERR_NOT_EXIST;
	else if (cc->iters.used || cc->tracks.used)
		err = CS_ERR_BUSY;
	else
		cc->map = r->map;
	ipcs_reply(cc->c, h->seq, err, NULL, 0);
}

static void req_set(struct cmap_svc *svc, struct cmap_conn *cc,
    const struct ipc_hdr *h, const struct cmap_req *r)
{
	uint32_t err = write_rule(svc, cc, r->key, true);

	if (err == CS_OK && cc->map == CMAP_MAP_ID_STATS)
		err = cmap_stats_clear(svc, r->key);
	else if (err == CS_OK)
		err = cs_of(cmap_quota_set_room(svc, r->key, r->len));
	if (err == CS_OK && cc->map != CMAP_MAP_ID_STATS)
		err = cs_of(icmap_set(svc->map, r->key, (enum icmap_type)r->type,
		    r->value, r->len));
	ipcs_reply(cc->c, h->seq, err, NULL, 0);
}

static void req_delete(struct cmap_svc *svc, struct cmap_conn *cc,
    const struct ipc_hdr *h, const struct cmap_req *r)
{
	uint32_t err = write_rule(svc, cc, r->key, false);

	if (err == CS_OK)
		err = cs_of(icmap_delete(svc->map, r->key));
	ipcs_reply(cc->c, h->seq, err, NULL, 0);
}

static void req_adjust(struct cmap_svc *svc, struct cmap_conn *cc,
    const struct ipc_hdr *h, const struct cmap_req *r)
{
	uint32_t err = write_rule(svc, cc, r->key, false);

	if (err == CS_OK)
		err = cs_of(icmap_adjust(svc->map, r->key, r->step));
	ipcs_reply(cc->c, h->seq, err, NULL, 0);
}

static void req_get(struct cmap_svc *svc, struct cmap_conn *cc,
    const struct ipc_hdr *h, const struct cmap_req *r)
{
	struct icmap_value v;
	struct wbuf wb;
	int rc;

	if (cc->map == CMAP_MAP_ID_STATS)
		cmap_stats_refresh(svc, r->key);
	rc = icmap_get(map_of(svc, cc), r->key, &v);
	if (rc < 0) {
		ipcs_reply(cc->c, h->seq, cs_of(rc), NULL, 0);
		return;
	}
	if (r->want && v.len > r->room) {
		ipcs_reply(cc->c, h->seq, CS_ERR_INVALID_PARAM, NULL, 0);
		return;
	}
	wbuf_init(&wb, svc->out, svc->out_cap);
	wbuf_u32(&wb, (uint32_t)v.type);
	wbuf_u32(&wb, (uint32_t)v.len);
	if (r->want)
		wbuf_copy(&wb, v.data, v.len);
	ipcs_reply(cc->c, h->seq, CS_OK, wb.p, wb.len);
}

static void iter_free(struct cmap_svc *svc, struct cmap_iter *it)
{
	svc->n_iters--;
	free(it->last);
	free(it);
}

static void req_iter_init(struct cmap_svc *svc, struct cmap_conn *cc,
    const struct ipc_hdr *h, const struct cmap_req *r)
{
	size_t len = strlen(r->key);
	struct cmap_iter *it;
	int i = slot_free_index(&cc->iters);

	if (i == -ENOSPC)
		log_warnx("client %u (pid %d): refused an iterator: %u open, "
		    "the most a connection may have", cc->c->id,
		    (int)cc->c->pid, CMAP_CONN_ITERS_MAX);
	else if (i >= 0 && svc->n_iters >= CMAP_ITERS_MAX) {
		log_warnx("client %u (pid %d): refused an iterator: %u open "
		    "in all, the most the daemon keeps", cc->c->id,
		    (int)cc->c->pid, CMAP_ITERS_MAX);
		i = -ENOSPC;
	}
	it = i >= 0 ? calloc(1, sizeof(*it) + len + 1) : NULL;
	if (!it) {
		ipcs_reply(cc->c, h->seq, i == -ENOSPC ?
		    CS_ERR_NO_RESOURCES : CS_ERR_NO_MEMORY, NULL, 0);
		return;
	}
	svc->n_iters++;
	memcpy(it->prefix, r->key, len + 1);
	it->map = map_of(svc, cc);
	if (it->map == svc->stats)
		cmap_stats_refresh(svc, r->key);
	it->handle = slot_put(cc, &cc->iters, i, it);
	reply_u64(cc->c, h, it->handle);
}

static void req_iter_next(struct cmap_svc *svc, struct cmap_conn *cc,
    const struct ipc_hdr *h, const struct cmap_req *r)
{
	struct cmap_iter *it = handle_arg(cc, h, r, &cc->iters);
	struct icmap_value v;
	const char *key;
	char *last;
	struct wbuf wb;

	if (!it)
		return;
	key = icmap_next(it->map, it->prefix, it->last, &v);
	if (!key) {
		ipcs_reply(cc->c, h->seq, CS_ERR_NO_SECTIONS, NULL, 0);
		return;
	}
	if (!(last = strdup(key))) {
		ipcs_reply(cc->c, h->seq, CS_ERR_NO_MEMORY, NULL, 0);
		return;
	}
	free(it->last);
	it->last = last;
	/* corosync tells a STATS string's length only through get. */
	if (it->map == svc->stats && v.type == ICMAP_STRING)
		v.len = 0;
	wbuf_init(&wb, svc->out, svc->out_cap);
	put_str(&wb, key);
	wbuf_u32(&wb, (uint32_t)v.type);
	wbuf_u32(&wb, (uint32_t)v.len);
	ipcs_reply(cc->c, h->seq, CS_OK, wb.p, wb.len);
}

static void req_iter_finalize(struct cmap_svc *svc, struct cmap_conn *cc,
    const struct ipc_hdr *h, const struct cmap_req *r)
{
	struct cmap_iter *it = handle_arg(cc, h, r, &cc->iters);

	if (!it)
		return;
	slot_clear(&cc->iters, it->handle);
	iter_free(svc, it);
	ipcs_reply(cc->c, h->seq, CS_OK, NULL, 0);
}

/* The part of a change's CMAP_EV_NOTIFY that every tracker's event
 * carries alike (the event, the key, the values), built once per change
 * and shared by the events' frames (their tail). The STATS map's events
 * carry the one value they know as both the new and the old
 * (corosync's). NULL on -ENOMEM. */
static struct frame *shared_part(struct cmap_svc *svc,
    const struct cmap_track *tr, int event, const char *key,
    const struct icmap_value *now, const struct icmap_value *old)
{
	uint64_t seq = icmap_change_seq(tr->map);
	struct wbuf wb;

	if (svc->shared && svc->shared_map == tr->map &&
	    svc->shared_seq == seq)
		return svc->shared;
	frame_unref(svc->shared);
	svc->shared = NULL;
	if (tr->stats && event == ICMAP_TRACK_DELETE)
		now = old;
	else if (tr->stats)
		old = now;
	wbuf_init(&wb, svc->out, svc->out_cap);
	wbuf_u32(&wb, (uint32_t)event);
	put_str(&wb, key);
	put_value(&wb, now);
	put_value(&wb, old);
	if (wb.err || !(svc->shared = frame_new(wb.len)))
		return NULL;
	memcpy(svc->shared->data, wb.p, wb.len);
	svc->shared_map = tr->map;
	svc->shared_seq = seq;
	return svc->shared;
}

/* A tracker's function: one event to its connection, its own bytes (the
 * header, the track handle and cookie) followed by the change's shared
 * part. A connection whose event queue is above its high watermark gets
 * none: a change told to many trackers costs each connection at most a
 * queue's worth of small frames (the shared part is one per change), and
 * the IPC server's policy closes a connection that stops reading. */
static void on_change(void *arg, struct icmap_track *t, int event,
    const char *key, const struct icmap_value *now,
    const struct icmap_value *old)
{
	struct cmap_track *tr = arg;
	struct cmap_conn *cc = tr->cc;
	struct conn *c = cc->c;
	struct cmap_svc *svc = tr->svc;
	struct frame *f = NULL, *tail;
	struct wbuf wb;

	if (c->dead)
		return;
	if (c->fc_evq) {
		if (cc->dropped++ == 0)
			log_warnx("client %u (pid %d): its event queue is above "
			    "the high watermark: tracking events dropped until "
			    "it reads (logged once per connection)", c->id,
			    (int)c->pid);
		return;
	}
	tail = shared_part(svc, tr, event, key, now, old);
	if (tail)
		f = frame_new(NOTIFY_HEAD);
	if (!f) {
		ipcs_close_conn(svc->ipcs, c, "out of memory for an event");
		return;
	}
	wbuf_init(&wb, f->data, NOTIFY_HEAD);
	ipc_hdr_put(&wb, CMAP_EV_NOTIFY, 0, 0);
	wbuf_u64(&wb, tr->handle);
	wbuf_u64(&wb, tr->cookie);
	put_u32(f->data, (uint32_t)(NOTIFY_HEAD + tail->len));
	frame_set_tail(f, tail);
	ipcs_event(c, f);
	frame_unref(f);
}

static void req_track_add(struct cmap_svc *svc, struct cmap_conn *cc,
    const struct ipc_hdr *h, const struct cmap_req *r)
{
	const int events = ICMAP_TRACK_ADD | ICMAP_TRACK_DELETE |
	    ICMAP_TRACK_MODIFY;
	uint32_t flags = r->flags, err = CS_OK;
	struct cmap_track *tr = NULL;
	int i, rc;

	if (flags & ~(uint32_t)(events | ICMAP_TRACK_PREFIX))
		err = CS_ERR_INVALID_PARAM;
	else if (cc->map == CMAP_MAP_ID_STATS &&
	    (flags & ICMAP_TRACK_PREFIX) &&
	    (flags & (ICMAP_TRACK_ADD | ICMAP_TRACK_DELETE)) !=
	    (ICMAP_TRACK_ADD | ICMAP_TRACK_DELETE))
		err = CS_ERR_NOT_SUPPORTED;
	if (err != CS_OK)
		goto out;
	i = slot_free_index(&cc->tracks);
	if (i == -ENOSPC)
		log_warnx("client %u (pid %d): refused a tracker: %u open, "
		    "the most a connection may have", cc->c->id,
		    (int)cc->c->pid, CMAP_CONN_TRACKS_MAX);
	if (i < 0) {
		err = cs_of(i);
		goto out;
	}
	rc = cmap_quota_track_take(svc, cc->c->uid);
	if (rc == -ENOSPC)
		log_warnx("client %u (pid %d): refused a tracker: its user "
		    "(uid %u) has %u, the most one user may have", cc->c->id,
		    (int)cc->c->pid, (unsigned)cc->c->uid, CMAP_UID_TRACKS_MAX);
	if (rc < 0) {
		err = cs_of(rc);
		goto out;
	}
	tr = calloc(1, sizeof(*tr));
	if (!tr) {
		cmap_quota_track_give(svc, cc->c->uid);
		err = CS_ERR_NO_MEMORY;
		goto out;
	}
	tr->uid = cc->c->uid;
	tr->cc = cc;
	tr->svc = svc;
	tr->cookie = r->cookie;
	tr->stats = cc->map == CMAP_MAP_ID_STATS;
	tr->map = map_of(svc, cc);
	/* A STATS tracker hears of changes from the values it finds. The
	 * refresh tells this connection's other STATS trackers too, and may
	 * close it (out of memory for an event): a closed connection's
	 * trackers are gone (op_conn_closed) and it gets no new one. */
	if (tr->stats)
		cmap_stats_refresh(svc, r->key);
	if (cc->c->dead) {
		cmap_quota_track_give(svc, tr->uid);
		free(tr);
		return;
	}
	/* A STATS prefix tracker hears of keys coming and going only. */
	if (tr->stats && (flags & ICMAP_TRACK_PREFIX))
		flags &= ~(uint32_t)ICMAP_TRACK_MODIFY;
	rc = icmap_track_add(tr->map, r->key, (int)flags, on_change, tr,
	    &tr->t);
	if (rc < 0) {
		if (rc == -ENOSPC)
			log_warnx("client %u (pid %d): refused a tracker: "
			    "the map has %u, the most it may have", cc->c->id,
			    (int)cc->c->pid, ICMAP_TRACKS_MAX);
		err = cs_of(rc);
		cmap_quota_track_give(svc, tr->uid);
		free(tr);
		goto out;
	}
	tr->handle = slot_put(cc, &cc->tracks, i, tr);
	if (tr->stats)
		cmap_stats_tracked(svc, true);
out:
	if (err != CS_OK)
		ipcs_reply(cc->c, h->seq, err, NULL, 0);
	else
		reply_u64(cc->c, h, tr->handle);
}

static void track_free(struct cmap_conn *cc, struct cmap_track *tr)
{
	if (tr->stats)
		cmap_stats_tracked(tr->svc, false);
	icmap_track_delete(tr->map, tr->t);
	cmap_quota_track_give(tr->svc, tr->uid);
	slot_clear(&cc->tracks, tr->handle);
	free(tr);
}

static void req_track_delete(struct cmap_svc *svc, struct cmap_conn *cc,
    const struct ipc_hdr *h, const struct cmap_req *r)
{
	struct cmap_track *tr = handle_arg(cc, h, r, &cc->tracks);
	uint64_t cookie;

	if (!tr)
		return;
	cookie = tr->cookie;
	track_free(cc, tr);
	reply_u64(cc->c, h, cookie);
}

#define REQ(t) [(t) - CMAP_REQ_SET_MAP]
static const req_fn handlers[] = {
	REQ(CMAP_REQ_SET_MAP) = req_set_map,
	REQ(CMAP_REQ_SET) = req_set,
	REQ(CMAP_REQ_DELETE) = req_delete,
	REQ(CMAP_REQ_GET) = req_get,
	REQ(CMAP_REQ_ADJUST) = req_adjust,
	REQ(CMAP_REQ_ITER_INIT) = req_iter_init,
	REQ(CMAP_REQ_ITER_NEXT) = req_iter_next,
	REQ(CMAP_REQ_ITER_FINALIZE) = req_iter_finalize,
	REQ(CMAP_REQ_TRACK_ADD) = req_track_add,
	REQ(CMAP_REQ_TRACK_DELETE) = req_track_delete,
};
#undef REQ

static const uint16_t request_types[] = {
	CMAP_REQ_SET_MAP, CMAP_REQ_SET, CMAP_REQ_DELETE, CMAP_REQ_GET,
	CMAP_REQ_ADJUST, CMAP_REQ_ITER_INIT, CMAP_REQ_ITER_NEXT,
	CMAP_REQ_ITER_FINALIZE, CMAP_REQ_TRACK_ADD, CMAP_REQ_TRACK_DELETE,
};

void cmap_svc_request(struct cmap_svc *svc, struct conn *c,
    const struct ipc_hdr *h, struct rbuf *rb)
{
	struct cmap_conn *cc;
	struct cmap_req r;

	/* A connection closed inside an earlier request (its event queue
	 * overflowed) does nothing more. */
	if (c->dead)
		return;
	cc = conn_state(c);
	if (!cc) {
		ipcs_close_conn(svc->ipcs, c, "out of memory");
		return;
	}
	if (cmap_req_decode(h->type, rb->p, rb->left, &r) < 0) {
		malformed(svc, c, cmap_req_name(h->type));
		return;
	}
	/* The IPC server hands over only the types the table names. */
	handlers[h->type - CMAP_REQ_SET_MAP](svc, cc, h, &r);
}

/* --------------------------------------------------------- the service */

int cmap_svc_new(const struct cmap_env *env, struct cmap_svc **out)
{
	struct cmap_svc *svc = calloc(1, sizeof(*svc));

	if (!svc)
		return -ENOMEM;
	svc->out_cap = OUT_MAX;
	svc->out = malloc(svc->out_cap);
	if (!svc->out || icmap_new(&svc->stats) < 0) {
		free(svc->out);
		free(svc);
		return -ENOMEM;
	}
	svc->nodeid = env->nodeid;
	svc->map = env->map;
	svc->ipcs = env->ipcs;
	svc->cfg = env->cfg;
	svc->votequorum = env->cfg &&
	    env->cfg->quorum.provider == COHORT_QUORUM_VOTEQUORUM;
	svc->loop = env->loop;
	svc->ordering = env->ordering;
	svc->transport = env->transport;
	svc->poll = (struct loop_timer){ .fn = cmap_stats_poll, .arg = svc };
	if (cmap_version_start(svc) < 0) {
		cmap_svc_free(svc);
		return -ENOMEM;
	}
	*out = svc;
	return 0;
}

void cmap_svc_free(struct cmap_svc *svc)
{
	if (!svc)
		return;
	if (svc->loop)
		loop_timer_disarm(svc->loop, &svc->poll);
	cmap_version_stop(svc);
	frame_unref(svc->shared);
	free(svc->uids);
	icmap_free(svc->stats);
	free(svc->out);
	free(svc);
}

static void op_request(void *svc, struct conn *c, const struct ipc_hdr *h,
    struct rbuf *body)
{
	cmap_svc_request(svc, c, h, body);
}

/* No more events go to the connection: its trackers end now (this may
 * run inside one of them, when there was no memory for an event). */
static void op_conn_closed(void *arg, struct conn *c)
{
	struct cmap_svc *svc = arg;
	struct cmap_conn *cc = c->svc[SERVICE_CMAP];

	svc->closed++;
	if (!cc)
		return;
	for (uint32_t i = 0; i < cc->tracks.cap; i++)
		if (cc->tracks.p[i])
			track_free(cc, cc->tracks.p[i]);
}

/* Whatever the connection still holds: op_conn_closed ended its
 * trackers, but nothing that outlives the connection may stay in the
 * map's tracker list, so any left are ended here too. */
static void op_conn_free(void *svc, void *state)
{
	struct cmap_conn *cc = state;

	for (uint32_t i = 0; i < cc->tracks.cap; i++)
		if (cc->tracks.p[i])
			track_free(cc, cc->tracks.p[i]);
	for (uint32_t i = 0; i < cc->iters.cap; i++)
		if (cc->iters.p[i])
			iter_free(svc, cc->iters.p[i]);
	free(cc->iters.p);
	free(cc->tracks.p);
	free(cc);
}

static void op_confchg(void *svc, const struct proto_conf *conf)
{
	cmap_members_confchg(svc, conf);
	cmap_version_confchg(svc, conf);
}

static void op_deliver(void *svc, uint32_t sender, const uint8_t *msg,
    size_t len, enum proto_guarantee g)
{
	cmap_version_deliver(svc, sender, msg, len);
}

const struct service_ops cmap_service_ops = {
	.name = "cmap",
	.types = request_types,
	.n_types = sizeof(request_types) / sizeof(request_types[0]),
	.request_max = IPC_CMAP_REQUEST_MAX,
	.request = op_request,
	.conn_closed = op_conn_closed,
	.conn_free = op_conn_free,
	.wire_tag = WIRE_TAG_CMAP,
	.deliver = op_deliver,
	.confchg = op_confchg,
};
