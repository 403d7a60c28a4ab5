/*
 * cfg/service.c: the cfg service's requests (common/ipc_cfg.h) and its
 * ordered messages.
 *
 * What concerns only this node is answered at once (the local node id,
 * addresses, link state, the shutdown consultation). What concerns the
 * cluster goes through the ordered stream, SAFE, so that every node acts
 * at the same point of it: KILL (the node named logs who killed it and
 * exits with CFG_EXIT_KILLED), SHUTDOWN (every node logs it; the sender
 * stops, the others fail it in the engine at once) and RELOAD (every node re-reads its own file; the caller is
 * answered when its own node has).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <corosync/cfg.h>

#include "common/ipc_cfg.h"
#include "common/log.h"
#include "daemon/cfg/cfg_int.h"
#include "daemon/config/config.h"
#include "daemon/icmap.h"
#include "daemon/ordering.h"

typedef void (*req_fn)(struct cfg_svc *svc, struct conn *c,
    const struct ipc_hdr *h, const struct cfg_req *r);

static void malformed(struct cfg_svc *svc, struct conn *c, uint16_t type)
{
	log_warnx("client %u (pid %d): malformed cfg request (type %u)",
	    c->id, (int)c->pid, type);
	ipcs_close_conn(svc->env.ipcs, c, "malformed request");
}

int cfg_submit(struct cfg_svc *svc, enum cfg_msg kind, const void *body,
    size_t len)
{
	uint8_t hdr[2] = { WIRE_TAG_CFG, (uint8_t)kind };

	return ordering_submit2(svc->env.ordering, NULL, hdr, sizeof(hdr),
	    body, len, PROTO_SAFE, 0);
}

static void on_exit_timer(void *arg)
{
	struct cfg_svc *svc = arg;

	svc->env.exit(svc->env.arg, svc->exit_status);
}

void cfg_exit(struct cfg_svc *svc, int status)
{
	svc->exit_status = status;
	loop_timer_arm(svc->env.loop, &svc->exit_timer,
	    loop_now(svc->env.loop));
}

/* Nodes that shut down are failed at once, as if their port were known
 * closed: the others form a ring without them instead of waiting for the
 * token timeout (Cohort's protocol has no leave message of its own). */
static void on_leave_timer(void *arg)
{
	struct cfg_svc *svc = arg;

	for (size_t i = 0; i < svc->n_leaving; i++)
		ordering_peer_unreachable(svc->env.ordering, svc->leaving[i]);
	svc->n_leaving = 0;
}

static void node_left(struct cfg_svc *svc, uint32_t nodeid)
{
	if (svc->n_leaving == CFG_LEAVING_MAX)
		return;
	svc->leaving[svc->n_leaving++] = nodeid;
	loop_timer_arm(svc->env.loop, &svc->leave_timer,
	    loop_now(svc->env.loop));
}

static void req_local_get(struct cfg_svc *svc, struct conn *c,
    const struct ipc_hdr *h, const struct cfg_req *r)
{
	uint8_t body[4];
	struct wbuf wb;

	wbuf_init(&wb, body, sizeof(body));
	wbuf_u32(&wb, svc->env.nodeid);
	ipcs_reply(c, h->seq, CS_OK, body, wb.len);
}

static void req_node_addrs(struct cfg_svc *svc, struct conn *c,
    const struct ipc_hdr *h, const struct cfg_req *r)
{
	uint8_t body[CFG_STATUS_REPLY_MAX];
	struct wbuf wb;
	uint32_t err;

	wbuf_init(&wb, body, sizeof(body));
	err = cfg_node_addrs(svc, r->nodeid, &wb);
	ipcs_reply(c, h->seq, err, body, err == CS_OK ? wb.len : 0);
}

static void req_node_status(struct cfg_svc *svc, struct conn *c,
    const struct ipc_hdr *h, const struct cfg_req *r)
{
	uint8_t body[CFG_STATUS_REPLY_MAX];
	struct wbuf wb;
	uint32_t err;

	wbuf_init(&wb, body, sizeof(body));
	err = cfg_node_status(svc, r->nodeid, r->version, &wb);
	ipcs_reply(c, h->seq, err, body, err == CS_OK ? wb.len : 0);
}

static void req_ring_status(struct cfg_svc *svc, struct conn *c,
    const struct ipc_hdr *h, const struct cfg_req *r)
{
	uint8_t body[CFG_STATUS_REPLY_MAX];
	struct wbuf wb;
	uint32_t err;

	wbuf_init(&wb, body, sizeof(body));
	err = cfg_ring_status(svc, &wb);
	ipcs_reply(c, h->seq, err, body, err == CS_OK ? wb.len : 0);
}

/* Whether `nodeid` has joined this node's ring: corosync's test,
 * runtime.members.<nodeid>.status is "joined" in the map. */
static bool is_member(const struct cfg_svc *svc, uint32_t nodeid)
{
	char key[64];
	const char *status;

	snprintf(key, sizeof(key), "runtime.members.%" PRIu32 ".status",
	    nodeid);
	return icmap_get_str(svc->env.map, key, &status) == 0 &&
	    strcmp(status, "joined") == 0;
}

static void req_kill_node(struct cfg_svc *svc, struct conn *c,
    const struct ipc_hdr *h, const struct cfg_req *r)
{
	uint32_t nodeid = r->nodeid, len = r->reason_len;
	uint8_t body[8 + CFG_REASON_MAX];
	struct wbuf wb;

	if (!is_member(svc, nodeid)) {
		ipcs_reply(c, h->seq, CS_ERR_NOT_EXIST, NULL, 0);
		return;
	}
	log_info("cfg: client %u (pid %d) kills node %u: %.*s", c->id,
	    (int)c->pid, nodeid, (int)len, (const char *)r->reason);
	wbuf_init(&wb, body, sizeof(body));
	wbuf_u32(&wb, nodeid);
	wbuf_u32(&wb, len);
	wbuf_copy(&wb, r->reason, len);
	ipcs_reply(c, h->seq, cfg_submit(svc, CFG_MSG_KILL, body, wb.len) < 0 ?
	    CS_ERR_NO_MEMORY : CS_OK, NULL, 0);
}

static void req_trackstart(struct cfg_svc *svc, struct conn *c,
    const struct ipc_hdr *h, const struct cfg_req *r)
{
	/* r->flags: none defined, ignored as corosync's. */
	ipcs_reply(c, h->seq, CS_OK, NULL, 0);
	cfg_track_start(svc, c);
}

static void req_trackstop(struct cfg_svc *svc, struct conn *c,
    const struct ipc_hdr *h, const struct cfg_req *r)
{
	ipcs_reply(c, h->seq, CS_OK, NULL, 0);
	cfg_track_stop(svc, c, false);
}

static void req_try_shutdown(struct cfg_svc *svc, struct conn *c,
    const struct ipc_hdr *h, const struct cfg_req *r)
{
	uint32_t flags = r->flags;

	if (flags > COROSYNC_CFG_SHUTDOWN_FLAG_IMMEDIATE) {
		ipcs_reply(c, h->seq, CS_ERR_INVALID_PARAM, NULL, 0);
		return;
	}
	log_info("cfg: client %u (pid %d) asks to shut down (flags %u)",
	    c->id, (int)c->pid, flags);
	cfg_try_shutdown(svc, c, h->seq, flags);
}

static void req_replyto_shutdown(struct cfg_svc *svc, struct conn *c,
    const struct ipc_hdr *h, const struct cfg_req *r)
{
	/* Answered before the query may end: the caller's reply and the
	 * shutdown come after this one. */
	if (cfg_conn(c)->vote != CFG_VOTE_ASKED || !svc->query.caller) {
		ipcs_reply(c, h->seq, CS_ERR_ACCESS, NULL, 0);
		return;
	}
	ipcs_reply(c, h->seq, CS_OK, NULL, 0);
	cfg_query_answer(svc, c, r->flags == COROSYNC_CFG_SHUTDOWN_FLAG_YES);
}

static void req_reload(struct cfg_svc *svc, struct conn *c,
    const struct ipc_hdr *h, const struct cfg_req *r)
{
	struct cfg_conn *cc = cfg_conn(c);
	uint8_t body[8];
	struct wbuf wb;

	/* Pending before the submission: a ring of one may deliver the
	 * message before ordering_submit2 returns. */
	cc->reload_token = ++svc->next_token;
	cc->reload_pending = true;
	cc->reload_seq = h->seq;
	wbuf_init(&wb, body, sizeof(body));
	wbuf_u64(&wb, cc->reload_token);
	if (cfg_submit(svc, CFG_MSG_RELOAD, body, wb.len) < 0) {
		cc->reload_pending = false;
		ipcs_reply(c, h->seq, CS_ERR_NO_MEMORY, NULL, 0);
	}
}

/* The log file of the logging section opened again (logrotate); with
 * none, nothing to do. */
static void req_reopen_logs(struct cfg_svc *svc, struct conn *c,
    const struct ipc_hdr *h, const struct cfg_req *r)
{
	int rc = log_reopen();

	if (rc < 0)
		log_warnx("cfg: client %u (pid %d): the log file cannot be "
		    "reopened: %s", c->id, (int)c->pid, strerror(-rc));
	else
		log_info("cfg: client %u (pid %d): log file %s reopened",
		    c->id, (int)c->pid, log_file() ? log_file() : "(none)");
	ipcs_reply(c, h->seq, rc < 0 ? CS_ERR_LIBRARY : CS_OK, NULL, 0);
}

static const req_fn handlers[] = {
	[CFG_REQ_LOCAL_GET - CFG_REQ_LOCAL_GET] = req_local_get,
	[CFG_REQ_NODE_ADDRS - CFG_REQ_LOCAL_GET] = req_node_addrs,
	[CFG_REQ_NODE_STATUS - CFG_REQ_LOCAL_GET] = req_node_status,
	[CFG_REQ_RING_STATUS - CFG_REQ_LOCAL_GET] = req_ring_status,
	[CFG_REQ_KILL_NODE - CFG_REQ_LOCAL_GET] = req_kill_node,
	[CFG_REQ_TRACKSTART - CFG_REQ_LOCAL_GET] = req_trackstart,
	[CFG_REQ_TRACKSTOP - CFG_REQ_LOCAL_GET] = req_trackstop,
	[CFG_REQ_TRY_SHUTDOWN - CFG_REQ_LOCAL_GET] = req_try_shutdown,
	[CFG_REQ_REPLYTO_SHUTDOWN - CFG_REQ_LOCAL_GET] = req_replyto_shutdown,
	[CFG_REQ_RELOAD_CONFIG - CFG_REQ_LOCAL_GET] = req_reload,
	[CFG_REQ_REOPEN_LOG_FILES - CFG_REQ_LOCAL_GET] = req_reopen_logs,
};

static const uint16_t cfg_types[] = {
	CFG_REQ_LOCAL_GET, CFG_REQ_NODE_ADDRS, CFG_REQ_NODE_STATUS,
	CFG_REQ_RING_STATUS, CFG_REQ_KILL_NODE, CFG_REQ_TRACKSTART,
	CFG_REQ_TRACKSTOP, CFG_REQ_TRY_SHUTDOWN, CFG_REQ_REPLYTO_SHUTDOWN,
	CFG_REQ_RELOAD_CONFIG, CFG_REQ_REOPEN_LOG_FILES,
};

static void op_request(void *arg, struct conn *c, const struct ipc_hdr *h,
    struct rbuf *body)
{
	struct cfg_svc *svc = arg;
	size_t i = (size_t)h->type - CFG_REQ_LOCAL_GET;
	struct cfg_req r;

	if (h->type < CFG_REQ_LOCAL_GET ||
	    i >= sizeof(handlers) / sizeof(handlers[0]) || !handlers[i] ||
	    cfg_req_decode(h->type, body->p, body->left, &r) < 0) {
		malformed(svc, c, h->type);
		return;
	}
	handlers[i](svc, c, h, &r);
}

static int op_conn_open(void *svc, struct conn *c, void **state)
{
	*state = calloc(1, sizeof(struct cfg_conn));
	return *state ? 0 : -ENOMEM;
}

static void op_conn_closed(void *arg, struct conn *c)
{
	struct cfg_svc *svc = arg;
	struct cfg_conn *cc = cfg_conn(c);

	cc->reload_pending = false;
	cfg_track_stop(svc, c, true);
}

static void op_conn_free(void *svc, void *state)
{
	free(state);
}

static void deliver_kill(struct cfg_svc *svc, uint32_t sender,
    const struct cfg_delivery *d)
{
	if (d->nodeid != svc->env.nodeid)
		return;
	log_warnx("Killed by node %u : %.*s", sender, (int)d->reason_len,
	    (const char *)d->reason);
	cfg_exit(svc, CFG_EXIT_KILLED);
}

static void deliver_reload(struct cfg_svc *svc, uint32_t sender,
    const struct cfg_delivery *d)
{
	uint32_t err;

	log_info("cfg: node %u asks every node to reload its configuration",
	    sender);
	err = cfg_reload(svc);
	if (sender != svc->env.nodeid)
		return;
	for (struct conn *c = ipcs_first(svc->env.ipcs); c; c = c->next) {
		struct cfg_conn *cc = cfg_conn(c);

		if (!c->dead && cc && cc->reload_pending &&
		    cc->reload_token == d->token) {
			cc->reload_pending = false;
			ipcs_reply(c, cc->reload_seq, err, NULL, 0);
		}
	}
}

static void op_deliver(void *arg, uint32_t sender, const uint8_t *msg,
    size_t len, enum proto_guarantee g)
{
	struct cfg_svc *svc = arg;
	struct cfg_delivery d;
	int rc = cfg_delivery_decode(msg, len, &d);

	if (rc == -EBADMSG) {
		log_warnx("cfg: malformed message %u from node %u dropped",
		    d.kind, sender);
		return;
	}
	switch (d.kind) {
	case CFG_MSG_KILL:
		deliver_kill(svc, sender, &d);
		break;
	case CFG_MSG_SHUTDOWN:
		log_info("Node %u was shut down by sysadmin", sender);
		if (sender == svc->env.nodeid)
			cfg_exit(svc, 0);
		else
			node_left(svc, sender);
		break;
	case CFG_MSG_RELOAD:
		deliver_reload(svc, sender, &d);
		break;
	default:
		log_warnx("cfg: unknown message %u from node %u dropped",
		    d.kind, sender);
	}
}

const struct service_ops cfg_service_ops = {
	.name = "cfg",
	.types = cfg_types,
	.n_types = sizeof(cfg_types) / sizeof(cfg_types[0]),
	.request = op_request,
	.conn_open = op_conn_open,
	.conn_closed = op_conn_closed,
	.conn_free = op_conn_free,
	.wire_tag = WIRE_TAG_CFG,
	.deliver = op_deliver,
};

int cfg_svc_new(const struct cfg_env *env, struct cfg_svc **out)
{
	struct cfg_svc *svc = calloc(1, sizeof(*svc));

	if (!svc)
		return -ENOMEM;
	svc->env = *env;
	cohort_config_timing(env->cfg, &svc->timing);
	svc->exit_timer = (struct loop_timer){ .fn = on_exit_timer,
	    .arg = svc };
	svc->leave_timer = (struct loop_timer){ .fn = on_leave_timer,
	    .arg = svc };
	cfg_query_init(svc);
	*out = svc;
	return 0;
}

void cfg_svc_free(struct cfg_svc *svc)
{
	if (!svc)
		return;
	loop_timer_disarm(svc->env.loop, &svc->query.timer);
	loop_timer_disarm(svc->env.loop, &svc->exit_timer);
	loop_timer_disarm(svc->env.loop, &svc->leave_timer);
	cohort_config_free(svc->nodes_cfg);
	free(svc->nodes_cfg);
	free(svc);
}
