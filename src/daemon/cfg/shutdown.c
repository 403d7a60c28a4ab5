/*
 * cfg/shutdown.c: the consultation before this node shuts down
 * (corosync_cfg_try_shutdown, services-reference §5.3).
 *
 * One query at a time. Every tracker connection of this node but the
 * caller's gets a CFG_EV_SHUTDOWN event and answers yes or no
 * (REPLYTO_SHUTDOWN); a tracker that stops tracking or closes counts as
 * yes, one that starts tracking during the query is asked too. When all
 * have answered, or when cfg.shutdown_timeout has passed (the
 * missing answers then count as no and those trackers are told again,
 * with CS_ERR_TIMEOUT in the event's header), the caller's request is
 * answered: CS_OK when nobody said no or the flags say REGARDLESS, and
 * then the shutdown is multicast; CS_ERR_BUSY otherwise. A caller that
 * goes away abandons its query.
 */
#include <corosync/cfg.h>

#include "common/ipc_cfg.h"
#include "common/log.h"
#include "daemon/cfg/cfg_int.h"
#include "daemon/frame.h"
#include "daemon/icmap.h"

static void ask(struct conn *c, uint32_t flags, uint32_t error)
{
	struct frame *f = frame_new(IPC_HDR_LEN + 4);
	struct wbuf wb;

	if (!f)
		fatalx("out of memory asking a shutdown tracker");
	wbuf_init(&wb, f->data, IPC_HDR_LEN + 4);
	ipc_hdr_put(&wb, CFG_EV_SHUTDOWN, 0, error);
	wbuf_u32(&wb, flags);
	ipc_hdr_finish(&wb);
	f->len = (uint32_t)wb.len;
	ipcs_event(c, f);
	frame_unref(f);
}

/* Every connection back to "not asked". */
static void query_clear(struct cfg_svc *svc)
{
	for (struct conn *c = ipcs_first(svc->env.ipcs); c; c = c->next)
		if (cfg_conn(c))
			cfg_conn(c)->vote = CFG_VOTE_NONE;
	loop_timer_disarm(svc->env.loop, &svc->query.timer);
	svc->query.caller = NULL;
	svc->query.asked = svc->query.answered = svc->query.no = 0;
}

/* This node goes: every node hears of it in the ordered stream, and this
 * one stops when its own message comes back. */
static void shutdown_go(void *arg)
{
	struct cfg_svc *svc = arg;

	if (cfg_submit(svc, CFG_MSG_SHUTDOWN, NULL, 0) < 0)
		log_warnx("cfg: cannot multicast the shutdown: stopping now");
	else
		return;
	cfg_exit(svc, 0);
}

/* The others drop this node when its SHUTDOWN is delivered: what they
 * must hear from it first (votequorum's leaving, with allow_downscale)
 * goes before it. */
static void shutdown_now(struct cfg_svc *svc)
{
	if (svc->env.leaving)
		svc->env.leaving(svc->env.arg, shutdown_go, svc);
	else
		shutdown_go(svc);
}

static void query_end(struct cfg_svc *svc)
{
	struct cfg_query *q = &svc->query;
	bool go = q->no == 0 ||
	    q->flags == COROSYNC_CFG_SHUTDOWN_FLAG_REGARDLESS;

	log_info("cfg: shutdown query of client %u: %zu asked, %zu answered, "
	    "%zu no: %s", q->caller->id, q->asked, q->answered, q->no,
	    go ? "shutting down" : "refused");
	ipcs_reply(q->caller, q->seq, go ? CS_OK : CS_ERR_BUSY, NULL, 0);
	query_clear(svc);
	if (go)
		shutdown_now(svc);
}

static void maybe_end(struct cfg_svc *svc)
{
	if (svc->query.caller && svc->query.answered == svc->query.asked)
		query_end(svc);
}

static void on_timeout(void *arg)
{
	struct cfg_svc *svc = arg;
	struct cfg_query *q = &svc->query;

	if (!q->caller)
		return;
	for (struct conn *c = ipcs_first(svc->env.ipcs); c; c = c->next) {
		struct cfg_conn *cc = cfg_conn(c);

		if (c->dead || !cc || cc->vote != CFG_VOTE_ASKED)
			continue;
		cc->vote = CFG_VOTE_NO;
		q->answered++;
		q->no++;
		ask(c, q->flags, CS_ERR_TIMEOUT);
	}
	query_end(svc);
}

void cfg_query_init(struct cfg_svc *svc)
{
	svc->query = (struct cfg_query){ .timer = { .fn = on_timeout,
	    .arg = svc } };
}

/* cfg.shutdown_timeout in the map (milliseconds, a u32 as corosync
 * reads it), else CFG_SHUTDOWN_TIMEOUT_MS. */
static uint32_t shutdown_timeout(const struct cfg_svc *svc)
{
	uint32_t ms;

	if (icmap_get_u32(svc->env.map, "cfg.shutdown_timeout", &ms) == 0)
		return ms;
	return CFG_SHUTDOWN_TIMEOUT_MS;
}

static void ask_one(struct cfg_svc *svc, struct conn *c)
{
	cfg_conn(c)->vote = CFG_VOTE_ASKED;
	svc->query.asked++;
	ask(c, svc->query.flags, CS_OK);
}

void cfg_try_shutdown(struct cfg_svc *svc, struct conn *caller, uint32_t seq,
    uint32_t flags)
{
	struct cfg_query *q = &svc->query;

	if (flags == COROSYNC_CFG_SHUTDOWN_FLAG_IMMEDIATE) {
		ipcs_reply(caller, seq, CS_OK, NULL, 0);
		shutdown_now(svc);
		return;
	}
	if (q->caller) {
		ipcs_reply(caller, seq, CS_ERR_EXIST, NULL, 0);
		return;
	}
	q->caller = caller;
	q->seq = seq;
	q->flags = flags;
	for (struct conn *c = ipcs_first(svc->env.ipcs); c; c = c->next)
		if (c != caller && !c->dead && cfg_conn(c) &&
		    cfg_conn(c)->tracker)
			ask_one(svc, c);
	if (q->asked == 0) {
		query_end(svc);
		return;
	}
	loop_timer_arm(svc->env.loop, &q->timer,
	    loop_now(svc->env.loop) + shutdown_timeout(svc));
}

int cfg_query_answer(struct cfg_svc *svc, struct conn *c, bool yes)
{
	struct cfg_conn *cc = cfg_conn(c);

	if (!svc->query.caller || cc->vote != CFG_VOTE_ASKED)
		return -EACCES;
	cc->vote = yes ? CFG_VOTE_YES : CFG_VOTE_NO;
	svc->query.answered++;
	if (!yes)
		svc->query.no++;
	maybe_end(svc);
	return 0;
}

void cfg_track_start(struct cfg_svc *svc, struct conn *c)
{
	struct cfg_conn *cc = cfg_conn(c);

	cc->tracker = true;
	if (svc->query.caller && svc->query.caller != c &&
	    cc->vote == CFG_VOTE_NONE)
		ask_one(svc, c);
}

void cfg_track_stop(struct cfg_svc *svc, struct conn *c, bool closing)
{
	struct cfg_conn *cc = cfg_conn(c);

	cc->tracker = false;
	if (!svc->query.caller)
		return;
	if (closing && svc->query.caller == c) {
		log_info("cfg: client %u went away: its shutdown query is "
		    "abandoned", c->id);
		query_clear(svc);
		return;
	}
	if (cc->vote == CFG_VOTE_ASKED) {
		cc->vote = CFG_VOTE_YES;
		svc->query.answered++;
		maybe_end(svc);
	}
}
