/*
 * cpg/sync.c: the CPG service's side of the total order: which ordered
 * messages are applied (cpg/deliver.c) and when, and the synchronisation
 * of a new ring.
 *
 * Every daemon applies the same ordered messages in the same order, so
 * every daemon's group table goes through the same states and every local
 * member is told the same confchgs and messages (group-level virtual
 * synchrony).
 *
 * Configuration changes: at the regular configuration that follows a
 * transitional one, the processes of nodes that did not come along are
 * removed (NODEDOWN, one confchg per group in name order); not at the
 * transitional configuration itself, because what is delivered in it was
 * delivered in the old view by the nodes that left. Then the new ring is
 * synchronised: every node holds its new messages back, and once its
 * earlier ones are delivered multicasts a JOINLIST of its own processes.
 * The messages before it come from the sender's side of a merge and are
 * applied by that side only. When the last JOINLIST arrives (the same
 * point of the order everywhere) stale entries of surviving nodes are
 * removed (PROCDOWN), the processes of new nodes are added (NODEUP, one
 * confchg per group; a group the merge makes larger than the member
 * limit keeps its first members), the totem confchg goes to every
 * connection, and the held messages go out, in the merged view.
 * docs/protocol.md, "The CPG service's synchronisation", says why each
 * rule is there.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <corosync/cpg.h>

#include "common/log.h"
#include "daemon/cpg/cpg_int.h"

static bool in_set(const uint32_t *set, size_t n, uint32_t node)
{
	for (size_t i = 0; i < n; i++)
		if (set[i] == node)
			return true;
	return false;
}

static struct joinlist_rx *jl_slot(struct cpg_svc *svc, uint32_t node)
{
	for (size_t i = 0; i < svc->n_members; i++)
		if (svc->members[i] == node)
			return &svc->jl[i];
	return NULL;
}

static void clear_joinlists(struct cpg_svc *svc)
{
	for (size_t i = 0; i < PROTO_MAX_NODES; i++) {
		free(svc->jl[i].msg);
		svc->jl[i] = (struct joinlist_rx){ 0 };
	}
}

/* Removes, per group in name order, every member for which `gone` says
 * so, with one confchg per group. */
static void remove_members(struct cpg_svc *svc,
    bool (*gone)(struct cpg_svc *, const struct group *,
    const struct member *), uint32_t reason)
{
	size_t ng;
	struct group **v = groups_sorted(&svc->groups, &ng);

	if (!v)
		fatalx("out of memory removing members");
	for (size_t i = 0; i < ng; i++) {
		struct group *g = v[i];
		struct member *left = malloc(g->n * sizeof(*left) + 1);
		size_t n_left = 0, k = 0;

		if (!left)
			fatalx("out of memory removing members");
		for (size_t j = 0; j < g->n; j++) {
			if (gone(svc, g, &g->m[j]))
				left[n_left++] = g->m[j];
			else
				g->m[k++] = g->m[j];
		}
		g->n = k;
		if (n_left)
			cpg_emit_confchg(svc, g, left, n_left, reason, NULL, 0,
			    0, NULL);
		free(left);
		groups_release(&svc->groups, g);
	}
	free(v);
}

static bool not_in_trans(struct cpg_svc *svc, const struct group *g,
    const struct member *m)
{
	return !in_set(svc->trans, svc->n_trans, m->nodeid);
}

/* A member of a surviving node that its own JOINLIST does not list. */
static bool stale(struct cpg_svc *svc, const struct group *g,
    const struct member *m)
{
	struct joinlist_rx *jl = jl_slot(svc, m->nodeid);
	struct cpg_wire w;
	struct rbuf rb;

	if (!jl || !jl->msg || !in_set(svc->trans, svc->n_trans, m->nodeid) ||
	    m->nodeid == svc->nodeid)
		return false;
	if (cpg_wire_get(jl->msg, jl->len, &w) < 0)
		return false;
	rbuf_init(&rb, w.data, w.len);
	for (uint32_t i = 0; i < w.count; i++) {
		struct ipc_name name;
		uint32_t pid;

		if (cpg_wire_joinlist_next(&rb, &name, &pid) < 0)
			return false;
		if (pid == m->pid && ipc_name_cmp(&name, &g->name) == 0)
			return false;
	}
	return true;
}

/* Drops the local connection of a member a merge left out of its group:
 * every node removed the member, so no PROCDOWN follows. */
static void drop_evicted(struct cpg_svc *svc, const struct member *m)
{
	struct conn *c = m->conn;

	if (m->nodeid != svc->nodeid || !c || c->dead)
		return;
	cpg_conn(c)->state = CONN_UNJOINED;
	ipcs_close_conn(svc->ipcs, c, "its group has more than the "
	    "member limit after a merge, and it is not among the first");
}

/*
 * Tells one group, after the processes of new nodes were added, who came
 * (NODEUP). A group that the merge made larger than
 * COHORT_GROUP_MEMBERS_MAX keeps its first members in (node id, pid)
 * order: every node has the same table now (stale entries are gone), so
 * every node keeps the same ones. The members this node knew that are
 * left out leave with PROCDOWN in the same confchg; those of new nodes
 * are simply not added.
 */
static void tell_new_members(struct cpg_svc *svc, struct group *g)
{
	struct member *joined = malloc(2 * g->n * sizeof(*joined) + 1);
	struct member *left = joined + g->n;
	size_t n_joined = 0, n_left = 0, k = 0, before = g->n;

	if (!joined)
		fatalx("out of memory listing new members");
	for (size_t j = 0; j < before; j++) {
		struct member m = g->m[j];
		bool is_new = !in_set(svc->trans, svc->n_trans, m.nodeid);

		if (j >= COHORT_GROUP_MEMBERS_MAX) {
			if (!is_new)
				left[n_left++] = m;
			continue;
		}
		g->m[k++] = m;
		if (is_new)
			joined[n_joined++] = m;
	}
	g->n = k;
	if (k < before)
		log_warnx("a group had %zu members after the merge into ring "
		    "%x.%llx, more than %u: the last %zu in (node id, pid) "
		    "order are dropped", before, svc->ring.rep,
		    (unsigned long long)svc->ring.seq,
		    (unsigned)COHORT_GROUP_MEMBERS_MAX, before - k);
	if (n_joined || n_left)
		cpg_emit_confchg(svc, g, left, n_left, CPG_REASON_PROCDOWN,
		    joined, n_joined, CPG_REASON_NODEUP, NULL);
	for (size_t j = 0; j < n_left; j++)
		drop_evicted(svc, &left[j]);
	free(joined);
}

/* Adds the processes of nodes that are new to this ring: NODEUP. */
static void add_new_nodes(struct cpg_svc *svc)
{
	size_t ng;
	struct group **v;

	/* First add everybody, remembering per group who came. */
	for (size_t i = 0; i < svc->n_members; i++) {
		struct joinlist_rx *jl = &svc->jl[i];
		struct cpg_wire w;
		struct rbuf rb;

		if (!jl->msg || in_set(svc->trans, svc->n_trans, jl->node) ||
		    cpg_wire_get(jl->msg, jl->len, &w) < 0)
			continue;
		rbuf_init(&rb, w.data, w.len);
		for (uint32_t k = 0; k < w.count; k++) {
			struct ipc_name name;
			uint32_t pid;
			struct group *g;

			if (cpg_wire_joinlist_next(&rb, &name, &pid) < 0)
				break;
			g = groups_get(&svc->groups, &name);
			if (!g)
				fatalx("out of memory adding a group");
			(void)group_add(g, jl->node, pid, NULL);
		}
	}
	/* Then tell, group by group, who joined from the new nodes. */
	v = groups_sorted(&svc->groups, &ng);
	if (!v)
		fatalx("out of memory listing groups");
	for (size_t i = 0; i < ng; i++)
		tell_new_members(svc, v[i]);
	free(v);
}

/* Whether our group table holds the processes of `node`. */
static bool known(const struct cpg_svc *svc, uint32_t node)
{
	return node == svc->nodeid || in_set(svc->known, svc->n_known, node);
}

/* Ends the synchronisation of the ring: complete (every member's
 * JOINLIST delivered) or cut short (the ring ended first). Either way the
 * messages held back go to the engine: in the merged view if complete,
 * or, cut short, ahead of the next ring's JOINLIST, whose
 * synchronisation holds what comes after them again. */
static void finish_sync(struct cpg_svc *svc, bool complete)
{
	/* Cut short, the JOINLISTs that did arrive are not applied: the
	 * other side of a split may hold different ones. Each node goes on
	 * with what it knows (`known` stays the nodes that came with it),
	 * and the next ring's synchronisation merges. */
	if (complete) {
		/* Stale entries go first, so that they take no place of the
		 * member limit when new nodes' processes are added. */
		remove_members(svc, stale, CPG_REASON_PROCDOWN);
		add_new_nodes(svc);
		svc->synced_ring = svc->ring;
		svc->n_synced = svc->n_members;
		memcpy(svc->synced, svc->members, svc->n_members * sizeof(uint32_t));
		memcpy(svc->known, svc->members, svc->n_members * sizeof(uint32_t));
		svc->n_known = svc->n_members;
		cpg_emit_totem(svc, NULL);
		log_info("ring %x.%llx in service with %zu node(s)",
		    svc->ring.rep, (unsigned long long)svc->ring.seq,
		    svc->n_members);
	} else {
		log_info("ring %x.%llx ended before its synchronisation "
		    "completed", svc->ring.rep,
		    (unsigned long long)svc->ring.seq);
	}
	svc->syncing = false;
	clear_joinlists(svc);
	ordering_hold(svc->ord, false);
	if (complete && !svc->ready) {
		svc->ready = true;
		svc->host.synced(svc->host.arg);
	}
}

static void on_joinlist(struct cpg_svc *svc, uint32_t sender,
    const uint8_t *msg, size_t len)
{
	struct joinlist_rx *jl = jl_slot(svc, sender);
	struct cpg_wire w;

	if (cpg_wire_get(msg, len, &w) < 0 || w.ring_seq != svc->ring.seq ||
	    w.ring_rep != svc->ring.rep || !jl || jl->msg)
		return;   /* stale, foreign or repeated */
	jl->msg = malloc(len);
	if (!jl->msg)
		fatalx("out of memory storing a joinlist");
	memcpy(jl->msg, msg, len);
	jl->len = len;
	for (size_t i = 0; i < svc->n_members; i++)
		if (!svc->jl[i].msg)
			return;
	finish_sync(svc, true);
}

/* Multicasts this node's JOINLIST for the current ring: the processes of
 * this node in our table, which holds the effect of every message of
 * ours ordered before it (they have all been delivered). */
static void send_joinlist(struct cpg_svc *svc)
{
	size_t ng, count = 0, cap = 32;
	struct group **v = groups_sorted(&svc->groups, &ng);
	uint8_t *buf;
	struct wbuf wb;

	if (!v)
		fatalx("out of memory listing groups");
	for (size_t i = 0; i < ng; i++)
		for (size_t j = 0; j < v[i]->n; j++)
			if (v[i]->m[j].nodeid == svc->nodeid)
				cap += 8 + IPC_NAME_MAX;
	buf = cpg_scratch(svc, cap);
	if (!buf)
		fatalx("out of memory building a joinlist");
	wbuf_init(&wb, buf, cap);
	cpg_wire_put_hdr(&wb, CPG_MSG_JOINLIST);
	wbuf_u32(&wb, svc->ring.rep);
	wbuf_u64(&wb, svc->ring.seq);
	wbuf_u32(&wb, 0);   /* count, patched below */
	for (size_t i = 0; i < ng; i++)
		for (size_t j = 0; j < v[i]->n; j++)
			if (v[i]->m[j].nodeid == svc->nodeid) {
				ipc_name_put(&wb, &v[i]->name);
				wbuf_u32(&wb, v[i]->m[j].pid);
				count++;
			}
	free(v);
	put_u32(buf + CPG_WIRE_HDR + 12, (uint32_t)count);
	if (wb.err || ordering_submit_sync(svc->ord, buf, wb.len) < 0)
		fatalx("cannot queue the joinlist");
	svc->own_sent++;
	svc->jl_sent = true;
}

/* Our JOINLIST goes once every message of ours submitted before the ring
 * was installed has been delivered. */
static void joinlist_when_due(struct cpg_svc *svc)
{
	if (svc->syncing && !svc->jl_sent && svc->own_delivered >= svc->jl_after)
		send_joinlist(svc);
}

/*
 * A message of the ring being synchronised, before it completes here.
 * Nodes hold their own new messages during a synchronisation, so each
 * one's messages before its JOINLIST were sent in the view of its side of
 * the merge: they are applied now by the nodes of that side (which know
 * the sender) and dropped by the others, whose tables get their effect
 * from the JOINLIST. A message from a node after its JOINLIST was sent
 * once that node completed the synchronisation, so it belongs to the
 * merged view: ordered after the last JOINLIST, which this node then
 * never delivers (the ring broke, and that JOINLIST is lost on our side
 * of it). It is dropped too: delivered here, it would be applied in a view its
 * sender's side never had.
 */
static void deliver_syncing(struct cpg_svc *svc, uint32_t sender,
    const uint8_t *msg, size_t len)
{
	const struct joinlist_rx *jl = jl_slot(svc, sender);

	if ((jl && jl->msg) || !known(svc, sender)) {
		struct cpg_wire w;
		struct conn *c;

		/* Our own joins are delivered before our JOINLIST; should one
		 * ever be dropped, its joiner must not wait for ever. */
		if (sender == svc->nodeid &&
		    cpg_wire_get(msg, len, &w) == 0 &&
		    w.type == CPG_MSG_PROCJOIN &&
		    (c = cpg_local_joiner(svc, &w)))
			cpg_answer_join(c, CS_ERR_TRY_AGAIN);
		svc->sync_dropped++;
		log_debug("message from node %u outside our view during the "
		    "synchronisation of ring %x.%llx: dropped", sender,
		    svc->ring.rep, (unsigned long long)svc->ring.seq);
		return;
	}
	cpg_apply(svc, sender, msg, len);
}

void cpg_svc_deliver(struct cpg_svc *svc, uint32_t sender, const uint8_t *msg,
    size_t len, enum proto_guarantee g)
{
	if (sender == svc->nodeid)
		svc->own_delivered++;
	if (len >= 2 && msg[1] == CPG_MSG_JOINLIST) {
		if (svc->syncing)
			on_joinlist(svc, sender, msg, len);
	} else if (svc->syncing) {
		deliver_syncing(svc, sender, msg, len);
	} else if (known(svc, sender)) {
		cpg_apply(svc, sender, msg, len);
	}
	joinlist_when_due(svc);
}

/* Those who came with us into the new ring whose processes we know. */
static void came_with_us(struct cpg_svc *svc, const struct proto_conf *conf)
{
	size_t n = 0;

	if (svc->have_trans) {
		for (size_t i = 0; i < svc->n_raw_trans; i++)
			if (known(svc, svc->raw_trans[i]))
				svc->trans[n++] = svc->raw_trans[i];
	} else {
		/* No transitional configuration came first: at the first ring
		 * nobody came with us; otherwise those of the old ring that
		 * are in the new one did. */
		for (size_t i = 0; i < svc->n_members; i++)
			if (in_set(conf->members, conf->n_members,
			    svc->members[i]) && known(svc, svc->members[i]))
				svc->trans[n++] = svc->members[i];
	}
	if (!in_set(svc->trans, n, svc->nodeid))
		svc->trans[n++] = svc->nodeid;
	svc->n_trans = n;
}

/*
 * A transitional configuration only records who came along: the messages
 * it delivers belong to the old ring, whose synchronisation (if it is
 * still going) goes on through them, since every node that moves to the
 * same next ring delivers the same ones. At the regular configuration an
 * unfinished synchronisation is cut short, the processes of nodes that
 * did not come along leave (NODEDOWN; not earlier, because what the
 * transitional configuration delivered was delivered by those nodes in
 * the old view), and the new ring's synchronisation starts: new messages
 * of ours are held, and our JOINLIST goes once the earlier ones are
 * delivered.
 */
void cpg_svc_confchg(struct cpg_svc *svc, const struct proto_conf *conf)
{
	if (conf->n_members > PROTO_MAX_NODES)
		fatalx("configuration larger than PROTO_MAX_NODES");
	if (conf->type == PROTO_CONF_TRANSITIONAL) {
		memcpy(svc->raw_trans, conf->members,
		    conf->n_members * sizeof(uint32_t));
		svc->n_raw_trans = conf->n_members;
		svc->have_trans = true;
		return;
	}
	if (svc->syncing)
		finish_sync(svc, false);
	came_with_us(svc, conf);
	remove_members(svc, not_in_trans, CPG_REASON_NODEDOWN);
	memcpy(svc->known, svc->trans, svc->n_trans * sizeof(uint32_t));
	svc->n_known = svc->n_trans;
	svc->have_trans = false;
	svc->ring = conf->ring_id;
	svc->n_members = conf->n_members;
	memcpy(svc->members, conf->members, conf->n_members * sizeof(uint32_t));
	clear_joinlists(svc);
	for (size_t i = 0; i < svc->n_members; i++)
		svc->jl[i].node = svc->members[i];
	svc->syncing = true;
	svc->jl_sent = false;
	svc->jl_after = svc->own_sent;
	ordering_hold(svc->ord, true);
	joinlist_when_due(svc);
}
