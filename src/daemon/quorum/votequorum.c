/*
 * quorum/votequorum.c: the votequorum service (libvotequorum's requests
 * and events, src/common/ipc_quorum.h) and the provider's side of the
 * total order.
 *
 * After each regular configuration change every member multicasts its
 * node information (votes, expected votes, flags) tagged with the ring's
 * sequence. Every node applies each one as it is delivered (rules.h,
 * corosync's nodeinfo handling), and when the last member's arrives,
 * the same point of the order everywhere, decides and publishes the
 * quorum (vq_sync_activate). setexpected and setvotes are multicast as
 * reconfigurations, applied on delivery; the last-man-standing window is
 * a local timer whose expiry is multicast too, so that every member
 * shrinks the cluster at the same point.
 *
 * Cohort runs no quorum device: the qdevice requests are answered
 * CS_ERR_NOT_SUPPORTED.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <corosync/corotypes.h>

#include "common/ipc_quorum.h"
#include "common/log.h"
#include "daemon/config/config.h"
#include "daemon/frame.h"
#include "daemon/icmap.h"
#include "daemon/ordering.h"
#include "daemon/quorum/quorum_int.h"
#include "daemon/quorum/vq_keys.h"
#include "daemon/statedir.h"

#define EV_TRACKING_FILE "ev_tracking"
#define CANCEL_WFA_KEY "quorum.cancel_wait_for_all"

static bool vq_tracker(struct conn *c)
{
	const struct vq_conn *vc = vq_conn(c);

	return !c->dead && vc && vc->tracking;
}

/* ------------------------------------------------ notifications */

static struct frame *vq_quorum_frame(const struct quorum_svc *q,
    uint64_t context)
{
	const struct vq_rules *r = &q->rules;
	size_t len = IPC_HDR_LEN + 16 + 8 * r->n_nodes;
	struct frame *f = frame_new(len);
	struct wbuf wb;

	if (!f)
		fatalx("out of memory building a votequorum notification");
	wbuf_init(&wb, f->data, len);
	ipc_hdr_put(&wb, VQ_EV_QUORUM, 0, 0);
	wbuf_u64(&wb, context);
	wbuf_u32(&wb, r->quorate);
	wbuf_u32(&wb, (uint32_t)r->n_nodes);
	for (size_t i = 0; i < r->n_nodes; i++) {
		wbuf_u32(&wb, r->nodes[i].nodeid);
		wbuf_u32(&wb, r->nodes[i].state);
	}
	ipc_hdr_finish(&wb);
	f->len = (uint32_t)wb.len;
	return f;
}

static struct frame *vq_nodelist_frame(const struct quorum_svc *q,
    uint64_t context)
{
	const struct vq_rules *r = &q->rules;
	size_t len = IPC_HDR_LEN + 24 + 4 * r->n_members;
	struct frame *f = frame_new(len);
	struct wbuf wb;

	if (!f)
		fatalx("out of memory building a votequorum notification");
	wbuf_init(&wb, f->data, len);
	ipc_hdr_put(&wb, VQ_EV_NODELIST, 0, 0);
	wbuf_u64(&wb, context);
	wbuf_u32(&wb, q->ring.rep);
	wbuf_u64(&wb, q->ring.seq);
	wbuf_u32(&wb, (uint32_t)r->n_members);
	for (size_t i = 0; i < r->n_members; i++)
		wbuf_u32(&wb, r->members[i]);
	ipc_hdr_finish(&wb);
	f->len = (uint32_t)wb.len;
	return f;
}

static struct frame *vq_expected_frame(const struct quorum_svc *q,
    uint64_t context)
{
	size_t len = IPC_HDR_LEN + 12;
	struct frame *f = frame_new(len);
	struct wbuf wb;

	if (!f)
		fatalx("out of memory building a votequorum notification");
	wbuf_init(&wb, f->data, len);
	ipc_hdr_put(&wb, VQ_EV_EXPECTED, 0, 0);
	wbuf_u64(&wb, context);
	wbuf_u32(&wb, q->rules.us->expected);
	ipc_hdr_finish(&wb);
	f->len = (uint32_t)wb.len;
	return f;
}

typedef struct frame *(*vq_frame_fn)(const struct quorum_svc *q,
    uint64_t context);

/* A notification to one connection, or (c NULL) to every tracker with
 * its own context. */
static void vq_send(struct quorum_svc *q, vq_frame_fn build, struct conn *c,
    uint64_t context)
{
	struct frame *f;

	if (c) {
		f = build(q, context);
		ipcs_event(c, f);
		frame_unref(f);
		return;
	}
	for (c = ipcs_first(q->env.ipcs); c; c = c->next) {
		if (!vq_tracker(c))
			continue;
		f = build(q, vq_conn(c)->context);
		ipcs_event(c, f);
		frame_unref(f);
	}
}

/* ------------------------------------------------ the decision */

static void lms_arm(struct quorum_svc *q)
{
	if (q->rules.lms_armed)
		loop_timer_arm(q->env.loop, &q->lms_timer,
		    q->rules.lms_deadline);
	else
		loop_timer_disarm(q->env.loop, &q->lms_timer);
}

static void update_keys(struct quorum_svc *q)
{
	if (!q->env.map)
		return;
	if (vq_keys_update(q->env.map, &q->rules,
	    q->env.cfg->quorum.device_model != NULL) < 0 && !q->keys_failed) {
		q->keys_failed = true;
		log_warnx("quorum: cannot write runtime.votequorum.* (logged "
		    "once)");
	}
}

/* Looks at how the barrier's write went: a failure is logged once until
 * a write succeeds again; the timer runs while a value is pending. */
static void on_keep_timer(void *arg)
{
	struct quorum_svc *q = arg;
	bool pending;
	int err = statekeep_error(&q->keep, &pending);

	if (err < 0 && !q->keep_warned) {
		errno = -err;
		log_warn("quorum: cannot keep the expected votes barrier (%u) "
		    "in %s, retrying", q->rules.ev_tracking_barrier,
		    q->env.state->dir);
		q->keep_warned = true;
	} else if (err == 0 && !pending && q->keep_warned) {
		log_info("quorum: the expected votes barrier (%u) is kept in "
		    "%s again", q->rules.ev_tracking_barrier,
		    q->env.state->dir);
		q->keep_warned = false;
	}
	if (pending || err < 0)
		loop_timer_arm(q->env.loop, &q->keep_timer,
		    loop_now(q->env.loop) + STATEKEEP_RETRY_MS);
}

/* Has the barrier written off the loop (an fsync may take long on a
 * busy disk) and its outcome looked at later. */
static void keep_barrier(struct quorum_svc *q)
{
	statekeep_set(&q->keep, q->rules.ev_tracking_barrier);
	if (!q->keep_timer.armed)
		loop_timer_arm(q->env.loop, &q->keep_timer,
		    loop_now(q->env.loop) + STATEKEEP_RETRY_MS);
}

/* The barrier corosync kept in `dir`: 4 bytes in host order. True if
 * there is one. */
static bool corosync_barrier(const char *dir, uint32_t *v, char *path,
    size_t cap)
{
	ssize_t n;
	int fd;

	if (!dir)
		return false;
	snprintf(path, cap, "%s/%s", dir, EV_TRACKING_FILE);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, v, sizeof(*v));
	close(fd);
	return n == (ssize_t)sizeof(*v);
}

/* The barrier to start from: the higher of this node's state file and
 * corosync's (a node that went back to corosync for a while may have
 * raised it there). A value above the expected votes' limit is not
 * taken; a file that cannot be read is left out; both logged. True if
 * corosync's was taken (it is to be kept in this node's file). */
static bool start_barrier(struct quorum_svc *q, struct vq_settings *s)
{
	char path[4200];
	uint32_t cv;
	uint64_t v = 0;
	int rc = statedir_read(q->env.state, EV_TRACKING_FILE, &v);

	if (rc < 0) {
		errno = -rc;
		log_warn("quorum: cannot read the expected votes barrier in "
		    "%s; not taken", q->env.state->dir);
		v = 0;
	} else if (v > COHORT_CONFIG_EXPECTED_MAX) {
		log_warnx("quorum: expected votes barrier %llu in %s is above "
		    "the limit (%u); not taken", (unsigned long long)v,
		    q->env.state->dir, COHORT_CONFIG_EXPECTED_MAX);
		v = 0;
	}
	s->ev_tracking_barrier = (uint32_t)v;
	if (!corosync_barrier(q->env.corosync_dir, &cv, path, sizeof(path)) ||
	    cv <= v)
		return false;
	if (cv > COHORT_CONFIG_EXPECTED_MAX) {
		log_warnx("quorum: expected votes barrier %u in %s is above "
		    "the limit (%u); not taken", cv, path,
		    COHORT_CONFIG_EXPECTED_MAX);
		return false;
	}
	s->ev_tracking_barrier = cv;
	log_info("quorum: expected votes barrier %u taken from %s "
	    "(corosync's)", cv, path);
	return true;
}

/* What the rules' last steps call for: notifications, the state file,
 * the timer, the runtime keys. */
static void publish(struct quorum_svc *q)
{
	struct vq_rules *r = &q->rules;
	unsigned out = vq_take_out(r);

	update_keys(q);

	if (out & VQ_OUT_EV_TRACKING)
		keep_barrier(q);
	if (out & VQ_OUT_LMS_TIMER)
		lms_arm(q);
	if (out & VQ_OUT_EXPECTED)
		vq_send(q, vq_expected_frame, NULL, 0);
	if (!(out & VQ_OUT_QUORUM))
		return;
	if (r->quorate != q->quorate || !q->announced) {
		uint32_t total, highest;

		vq_totals(r, &total, &highest);
		log_info("quorum: %s (quorum %u, total votes %u, expected "
		    "votes %u)%s", r->quorate ? "this node is in a quorate "
		    "partition" : q->announced ? "this node has lost quorum" :
		    "this node is not quorate", r->quorum, total,
		    r->us->expected, !r->quorate && r->wfa_status ?
		    ": waiting for all the expected votes (wait_for_all)" : "");
	}
	q->quorate = r->quorate;
	q->announced = true;
	quorum_notify_quorum(q);
	vq_send(q, vq_quorum_frame, NULL, 0);
}

static int submit(struct quorum_svc *q, uint8_t type, const uint8_t *body,
    size_t len, bool sync)
{
	uint8_t buf[VQ_WIRE_MAX];
	struct wbuf wb;

	wbuf_init(&wb, buf, sizeof(buf));
	wbuf_u8(&wb, WIRE_TAG_VOTEQUORUM);
	wbuf_u8(&wb, VQ_WIRE_VERSION);
	wbuf_u8(&wb, type);
	wbuf_copy(&wb, body, len);
	if (sync)
		return ordering_submit_sync(q->env.ordering, buf, wb.len);
	return ordering_submit(q->env.ordering, NULL, buf, wb.len,
	    PROTO_AGREED, 0);
}

/* This node's information: in a synchronisation (`sync`), or after the
 * messages queued before it. */
static void send_nodeinfo(struct quorum_svc *q, bool sync)
{
	struct vq_nodeinfo ni = vq_my_info(&q->rules);
	uint8_t body[24];
	struct wbuf wb;

	wbuf_init(&wb, body, sizeof(body));
	wbuf_u64(&wb, q->ring.seq);
	wbuf_u32(&wb, ni.nodeid);
	wbuf_u32(&wb, ni.votes);
	wbuf_u32(&wb, ni.expected);
	wbuf_u32(&wb, ni.flags);
	if (submit(q, VQ_MSG_NODEINFO, body, wb.len, sync) < 0)
		fatalx("out of memory sending the node information");
}

static int send_reconfig(struct quorum_svc *q, uint8_t param,
    uint32_t nodeid, uint32_t value)
{
	uint8_t body[9];
	struct wbuf wb;

	wbuf_init(&wb, body, sizeof(body));
	wbuf_u8(&wb, param);
	wbuf_u32(&wb, nodeid);
	wbuf_u32(&wb, value);
	return submit(q, VQ_MSG_RECONFIG, body, wb.len, false);
}

static void on_lms_timer(void *arg)
{
	struct quorum_svc *q = arg;
	uint8_t body[8];
	struct wbuf wb;

	if (!vq_lms_due(&q->rules, loop_now(q->env.loop)))
		return;
	vq_take_out(&q->rules);
	wbuf_init(&wb, body, sizeof(body));
	wbuf_u64(&wb, q->ring.seq);
	if (submit(q, VQ_MSG_LMS, body, wb.len, false) < 0)
		log_warnx("quorum: cannot send the last man standing expiry");
}

/* quorum.cancel_wait_for_all was set: a tracker may not change the map,
 * so the key is reset and the cancel multicast from the loop. */
static void on_cancel_wfa(void *arg)
{
	struct quorum_svc *q = arg;

	icmap_set_u8(q->env.map, CANCEL_WFA_KEY, 0);
	if (send_reconfig(q, VQ_RECONFIG_CANCEL_WFA, q->env.nodeid, 0) < 0)
		log_warnx("quorum: cannot send the cancel of wait_for_all");
}

static void cancel_wfa_changed(void *arg, struct icmap_track *t, int event,
    const char *key, const struct icmap_value *nv,
    const struct icmap_value *ov)
{
	struct quorum_svc *q = arg;
	const uint8_t *b = nv->data;
	bool set = false;

	/* Any integer type, any non-zero value. */
	for (size_t i = 0; b && nv->type != ICMAP_STRING && i < nv->len; i++)
		set |= b[i] != 0;
	if (set)
		loop_timer_arm(q->env.loop, &q->cancel_timer,
		    loop_now(q->env.loop));
}

static void vq_confchg(void *svc, const struct proto_conf *conf)
{
	struct quorum_svc *q = svc;
	size_t n = conf->n_members;

	if (!q->provider || conf->type != PROTO_CONF_REGULAR)
		return;
	if (n > PROTO_MAX_NODES)
		n = PROTO_MAX_NODES;
	vq_sync_init(&q->rules, conf->members, n, loop_now(q->env.loop));
	q->syncing = true;
	memcpy(q->waiting, conf->members, n * sizeof(uint32_t));
	q->n_waiting = n;
	vq_send(q, vq_nodelist_frame, NULL, 0);
	publish(q);
	/* Last: a one-node ring may deliver it at once. */
	send_nodeinfo(q, true);
}

/* The stop waited for this node's leaving (quorum_svc_leave): it goes
 * on. */
static void leave_finish(struct quorum_svc *q)
{
	void (*done)(void *) = q->leave_done;

	if (!done)
		return;
	q->leave_done = NULL;
	loop_timer_disarm(q->env.loop, &q->leave_timer);
	done(q->leave_arg);
}

static void on_leave_timer(void *arg)
{
	struct quorum_svc *q = arg;

	log_warnx("quorum: this node's leaving was not delivered within %u ms; "
	    "stopping without it", QUORUM_LEAVE_WAIT_MS);
	leave_finish(q);
}

bool quorum_svc_leave(struct quorum_svc *q, void (*done)(void *arg),
    void *arg)
{
	if (!q || !q->provider || !q->rules.set.allow_downscale ||
	    !q->synced_once || q->leave_done || !done ||
	    (q->rules.us->flags & VQ_NF_LEAVING))
		return false;
	log_info("quorum: telling the cluster this node leaves "
	    "(allow_downscale)");
	q->rules.us->flags |= VQ_NF_LEAVING;
	q->leave_done = done;
	q->leave_arg = arg;
	q->leave_timer = (struct loop_timer){ .fn = on_leave_timer, .arg = q };
	loop_timer_arm(q->env.loop, &q->leave_timer,
	    loop_now(q->env.loop) + QUORUM_LEAVE_WAIT_MS);
	send_nodeinfo(q, false);
	return true;
}

/* The node information of `sender` for the ring `seq` was delivered. */
static void got_nodeinfo(struct quorum_svc *q, uint32_t sender, uint64_t seq,
    const struct vq_nodeinfo *ni)
{
	int rc = vq_nodeinfo(&q->rules, ni);

	if (sender == q->env.nodeid && (ni->flags & VQ_NF_LEAVING))
		leave_finish(q);

	if (rc == -ERANGE)
		log_warnx("quorum: node %u sent %u votes, more than %u: "
		    "its information ignored", ni->nodeid, ni->votes,
		    COHORT_CONFIG_VOTES_MAX);
	else if (rc < 0)
		log_warnx("quorum: more than %u nodes seen, node %u ignored",
		    VQ_NODES_MAX, ni->nodeid);
	if (q->syncing && seq == q->ring.seq) {
		for (size_t i = 0; i < q->n_waiting; i++) {
			if (q->waiting[i] != sender)
				continue;
			q->waiting[i] = q->waiting[--q->n_waiting];
			break;
		}
		if (q->n_waiting == 0) {
			bool first = !q->synced_once;

			vq_sync_activate(&q->rules);
			q->syncing = false;
			q->synced_once = true;
			if (first && q->env.host.synced)
				q->env.host.synced(q->env.host.arg);
		}
	}
	publish(q);
}

static bool member(const struct quorum_svc *q, uint32_t nodeid)
{
	for (size_t i = 0; i < q->n_members; i++)
		if (q->members[i] == nodeid)
			return true;
	return false;
}

static void bad_message(struct quorum_svc *q, uint32_t sender)
{
	if (q->bad_messages++ == 0)
		log_warnx("quorum: undecodable message from node %u dropped "
		    "(logged once)", sender);
}

static void vq_deliver(void *svc, uint32_t sender, const uint8_t *msg,
    size_t len, enum proto_guarantee g)
{
	struct quorum_svc *q = svc;
	struct vq_msg m;

	if (!q->provider)
		return;
	if (vq_msg_decode(msg, len, &m) < 0) {
		bad_message(q, sender);
		return;
	}
	if (m.type == VQ_MSG_NODEINFO) {
		if (m.ni.nodeid != sender)
			bad_message(q, sender);
		else if (!member(q, sender))
			/* Virtual synchrony delivers a message in the
			 * configuration it was sent in: a sender that is not
			 * a member is a bug to hear of, not a node to count. */
			log_warnx("quorum: node information from node %u, not "
			    "a member, ignored", sender);
		else
			got_nodeinfo(q, sender, m.seq, &m.ni);
		return;
	}
	if (m.type == VQ_MSG_RECONFIG) {
		if (m.param == VQ_RECONFIG_EXPECTED) {
			if (vq_set_expected(&q->rules, m.value) < 0)
				bad_message(q, sender);
		} else if (m.param == VQ_RECONFIG_VOTES) {
			if (vq_set_votes(&q->rules, m.nodeid, m.value) < 0)
				bad_message(q, sender);
		} else if (m.param == VQ_RECONFIG_CANCEL_WFA) {
			log_info("quorum: wait_for_all cancelled from node %u",
			    sender);
			vq_cancel_wfa(&q->rules);
		}
		else
			bad_message(q, sender);
		publish(q);
		return;
	}
	/* VQ_MSG_LMS: the only type left. */
	if (m.seq == q->ring.seq && !q->syncing) {
		vq_lms_apply(&q->rules);
		publish(q);
	}
}

/* ------------------------------------------------ requests */

static void getinfo(struct quorum_svc *q, struct conn *c, uint32_t seq,
    uint32_t nodeid)
{
	const struct vq_rules *r = &q->rules;
	const struct vq_node *n = vq_find(r, nodeid ? nodeid : r->us->nodeid);
	uint8_t body[64];
	uint32_t total, highest;
	struct wbuf wb;

	if (!n) {
		ipcs_reply(c, seq, CS_ERR_NOT_EXIST, NULL, 0);
		return;
	}
	vq_totals(r, &total, &highest);
	wbuf_init(&wb, body, sizeof(body));
	wbuf_u32(&wb, n->nodeid);
	wbuf_u32(&wb, n->state);
	wbuf_u32(&wb, n->votes);
	wbuf_u32(&wb, n->expected);
	wbuf_u32(&wb, highest);
	wbuf_u32(&wb, total);
	wbuf_u32(&wb, r->quorum);
	wbuf_u32(&wb, vq_info_flags(r));
	wbuf_u32(&wb, r->set.device_votes);
	wbuf_u32(&wb, 0);   /* qdevice_name: none registered */
	ipcs_reply(c, seq, CS_OK, body, wb.len);
}

static void trackstart(struct quorum_svc *q, struct conn *c, uint32_t seq,
    uint64_t context, uint32_t flags)
{
	struct vq_conn *vc = vq_conn(c);

	/* The snapshot before the EXIST check, as corosync. */
	if (flags & (CS_TRACK_CURRENT | CS_TRACK_CHANGES)) {
		vq_send(q, vq_nodelist_frame, c, context);
		vq_send(q, vq_quorum_frame, c, context);
	}
	if (vc->tracking) {
		ipcs_reply(c, seq, CS_ERR_EXIST, NULL, 0);
		return;
	}
	if (flags & (CS_TRACK_CHANGES | CS_TRACK_CHANGES_ONLY)) {
		vc->tracking = true;
		vc->context = context;
	}
	ipcs_reply(c, seq, CS_OK, NULL, 0);
}

static uint32_t reconfig_error(int rc)
{
	return rc == -ENOENT ? CS_ERR_NAME_NOT_FOUND :
	    rc == -EINVAL ? CS_ERR_INVALID_PARAM : CS_ERR_NO_RESOURCES;
}

static void vq_request(void *svc, struct conn *c, const struct ipc_hdr *h,
    struct rbuf *rb)
{
	struct quorum_svc *q = svc;
	struct vq_req r;
	uint32_t a, b;
	int rc = vq_req_decode(h->type, rb->p, rb->left, &r);

	if (rc == -ENOTSUP) {
		/* The quorum device's requests: Cohort runs none. */
		ipcs_reply(c, h->seq, CS_ERR_NOT_SUPPORTED, NULL, 0);
		return;
	}
	if (rc < 0) {
		log_warnx("client %u (pid %d): malformed votequorum request",
		    c->id, (int)c->pid);
		ipcs_close_conn(q->env.ipcs, c, "malformed request");
		return;
	}
	if (!q->provider) {
		ipcs_reply(c, h->seq, CS_ERR_NOT_SUPPORTED, NULL, 0);
		return;
	}
	a = r.a;
	b = r.b;
	switch (h->type) {
	case VQ_REQ_OPEN:
		ipcs_reply(c, h->seq, CS_OK, NULL, 0);
		return;
	case VQ_REQ_GETINFO:
		getinfo(q, c, h->seq, a);
		return;
	case VQ_REQ_SETEXPECTED:
		if ((rc = vq_check_expected(&q->rules, a)) == 0)
			rc = send_reconfig(q, VQ_RECONFIG_EXPECTED, 0, a);
		ipcs_reply(c, h->seq, rc ? reconfig_error(rc) : CS_OK,
		    NULL, 0);
		return;
	case VQ_REQ_SETVOTES:
		if ((rc = vq_check_votes(&q->rules, a, b)) == 0)
			rc = send_reconfig(q, VQ_RECONFIG_VOTES, a, b);
		ipcs_reply(c, h->seq, rc ? reconfig_error(rc) : CS_OK,
		    NULL, 0);
		return;
	case VQ_REQ_TRACKSTART:
		trackstart(q, c, h->seq, r.context, a);
		return;
	case VQ_REQ_TRACKSTOP:
		ipcs_reply(c, h->seq, vq_conn(c)->tracking ? CS_OK :
		    CS_ERR_NOT_EXIST, NULL, 0);
		vq_conn(c)->tracking = false;
		return;
	}
}

static int vq_conn_open(void *svc, struct conn *c, void **state)
{
	if (!(*state = calloc(1, sizeof(struct vq_conn))))
		return -ENOMEM;
	return 0;
}

/* New connections wait for the first decision, as corosync's wait for
 * its first synchronisation. */
static bool vq_ready(const void *svc)
{
	const struct quorum_svc *q = svc;

	return !q->provider || q->synced_once;
}

static const uint16_t vq_types[] = {
	VQ_REQ_OPEN, VQ_REQ_GETINFO, VQ_REQ_SETEXPECTED, VQ_REQ_SETVOTES,
	VQ_REQ_TRACKSTART, VQ_REQ_TRACKSTOP, VQ_REQ_QDEVICE_REGISTER,
	VQ_REQ_QDEVICE_UNREGISTER, VQ_REQ_QDEVICE_UPDATE, VQ_REQ_QDEVICE_POLL,
	VQ_REQ_QDEVICE_MASTER_WINS,
};

const struct service_ops votequorum_service_ops = {
	.name = "votequorum",
	.types = vq_types,
	.n_types = sizeof(vq_types) / sizeof(vq_types[0]),
	.request = vq_request,
	.conn_open = vq_conn_open,
	.conn_free = quorum_conn_state_free,
	.ready = vq_ready,
	.wire_tag = WIRE_TAG_VOTEQUORUM,
	.deliver = vq_deliver,
	.confchg = vq_confchg,
};

/* ------------------------------------------------ start */

static void settings(const struct quorum_svc *q,
    const struct cohort_config *cfg, struct vq_settings *s)
{
	const struct cohort_quorum *cq = &cfg->quorum;

	memset(s, 0, sizeof(*s));
	s->nodeid = q->env.nodeid;
	s->votes = cq->votes;
	for (size_t i = 0; i < cfg->n_nodes; i++)
		if (cfg->nodes[i].nodeid == q->env.nodeid)
			s->votes = cfg->nodes[i].quorum_votes;
	s->expected_votes = cq->expected_votes;
	s->device_votes = cq->device_model ? cq->device_votes : 0;
	s->two_node = cq->two_node;
	s->wait_for_all = cq->wait_for_all;
	s->last_man_standing = cq->last_man_standing;
	s->allow_downscale = cq->allow_downscale;
	s->ev_tracking = cq->expected_votes_tracking;
	s->lms_window_ms = cq->last_man_standing_window;
	s->atb = (enum vq_atb)cq->auto_tie_breaker;
	s->n_atb = cq->n_atb_nodes < VQ_ATB_MAX ? cq->n_atb_nodes : VQ_ATB_MAX;
	memcpy(s->atb_nodes, cq->atb_nodes, s->n_atb * sizeof(uint32_t));
}

int vq_svc_init(struct quorum_svc *q)
{
	struct vq_settings s;
	bool carried = false;

	settings(q, q->env.cfg, &s);
	q->keep_timer = (struct loop_timer){ .fn = on_keep_timer, .arg = q };
	if (s.ev_tracking) {
		int rc;

		carried = start_barrier(q, &s);
		if ((rc = statekeep_open(&q->keep, q->env.state,
		    EV_TRACKING_FILE, true)) < 0)
			return rc;
		q->keep_open = true;
	}
	vq_init(&q->rules, &s);
	q->quorate = q->rules.quorate;
	q->lms_timer = (struct loop_timer){ .fn = on_lms_timer, .arg = q };
	if ((vq_take_out(&q->rules) & VQ_OUT_EV_TRACKING) || carried)
		keep_barrier(q);
	q->cancel_timer = (struct loop_timer){ .fn = on_cancel_wfa, .arg = q };
	update_keys(q);
	if (q->env.map && icmap_track_add(q->env.map, CANCEL_WFA_KEY,
	    ICMAP_TRACK_ADD | ICMAP_TRACK_MODIFY, cancel_wfa_changed, q,
	    &q->cancel_track) < 0)
		return -ENOMEM;
	log_info("quorum: votequorum, this node's votes %u, expected votes %u",
	    s.votes, q->rules.us->expected);
	return 0;
}

void quorum_svc_reload(struct quorum_svc *q, const struct cohort_config *fresh)
{
	struct vq_rules *r = &q->rules;
	struct vq_settings s;

	if (!q->provider)
		return;
	settings(q, fresh, &s);
	if (s.two_node != r->set.two_node) {
		log_info("quorum: reload: two_node %s", s.two_node ? "on" :
		    "off");
		r->set.two_node = s.two_node;
		vq_set_votes(r, q->env.nodeid, r->us->votes);   /* recalculates */
	}
	if (s.votes != r->us->votes) {
		log_info("quorum: reload: this node's votes %u (were %u)",
		    s.votes, r->us->votes);
		vq_set_votes(r, q->env.nodeid, s.votes);
	}
	if (s.expected_votes != r->us->expected) {
		log_info("quorum: reload: expected votes %u (were %u)",
		    s.expected_votes, r->us->expected);
		vq_set_expected(r, s.expected_votes);
	}
	publish(q);
}
