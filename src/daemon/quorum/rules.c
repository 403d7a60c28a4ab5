/*
 * quorum/rules.c: votequorum's rules (rules.h), step for step those of
 * corosync 3.1.7's exec/votequorum.c, so that a node computes what a
 * corosync node would from the same inputs (reference §4.3).
 */
#include <assert.h>
#include <errno.h>
#include <string.h>

#include "daemon/config/config.h"
#include "daemon/quorum/rules.h"

static uint32_t max_u32(uint32_t a, uint32_t b)
{
	return a > b ? a : b;
}

static bool in_list(const uint32_t *v, size_t n, uint32_t id)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == id)
			return true;
	return false;
}

const struct vq_node *vq_find(const struct vq_rules *r, uint32_t nodeid)
{
	for (size_t i = 0; i < r->n_nodes; i++)
		if (r->nodes[i].nodeid == nodeid)
			return &r->nodes[i];
	return NULL;
}

static struct vq_node *find(struct vq_rules *r, uint32_t nodeid)
{
	return (struct vq_node *)vq_find(r, nodeid);
}

/* Inserts a node in corosync's list order (rules.h); when the table is
 * full, a dead node's slot is reused (its entry leaves the list). */
static struct vq_node *add_node(struct vq_rules *r, uint32_t nodeid)
{
	uint32_t us_id = r->us ? r->us->nodeid : 0;
	size_t pos;

	if (r->n_nodes == VQ_NODES_MAX) {
		size_t dead;

		for (dead = 0; dead < r->n_nodes; dead++)
			if (r->nodes[dead].state == VQ_DEAD)
				break;
		if (dead == r->n_nodes)
			return NULL;
		memmove(&r->nodes[dead], &r->nodes[dead + 1],
		    (r->n_nodes - dead - 1) * sizeof(r->nodes[0]));
		r->n_nodes--;
	}
	for (pos = 0; pos < r->n_nodes; pos++)
		if (nodeid < r->nodes[pos].nodeid)
			break;
	if (pos == r->n_nodes && r->n_nodes > 0)
		pos = r->n_nodes - 1;
	memmove(&r->nodes[pos + 1], &r->nodes[pos],
	    (r->n_nodes - pos) * sizeof(r->nodes[0]));
	r->nodes[pos] = (struct vq_node){ .nodeid = nodeid,
	    .state = VQ_DEAD };
	r->n_nodes++;
	/* The move may have shifted this node's own entry. */
	r->us = us_id ? find(r, us_id) : NULL;
	return find(r, nodeid);
}

/* The votes of the MEMBER nodes and their highest expected votes, summed
 * in 64 bits: every node's votes are at most COHORT_CONFIG_VOTES_MAX
 * (requests and messages beyond are refused), so the sum cannot wrap. */
static void totals(const struct vq_rules *r, uint64_t *total_votes,
    uint32_t *highest_expected)
{
	uint64_t tv = 0;
	uint32_t he = 0;

	for (size_t i = 0; i < r->n_nodes; i++) {
		const struct vq_node *n = &r->nodes[i];

		if (n->state == VQ_MEMBER) {
			tv += n->votes;
			he = max_u32(he, n->expected);
		}
	}
	*total_votes = tv;
	*highest_expected = he;
}

void vq_totals(const struct vq_rules *r, uint32_t *total_votes,
    uint32_t *highest_expected)
{
	uint64_t tv;

	totals(r, &tv, highest_expected);
	*total_votes = tv > UINT32_MAX ? UINT32_MAX : (uint32_t)tv;
}

/* max(floor(expected/2)+1, floor(total/2)+1), never below the current
 * quorum unless a decrease is allowed; 1 for two_node with at most two
 * nodes. `max_expected`, when not 0, replaces the highest expected votes
 * (with allow_downscale and a decrease allowed, not below ev_barrier).
 * Cohort runs no quorum device, so a device never casts its vote. */
static uint32_t calculate(const struct vq_rules *r, bool allow_decrease,
    uint32_t max_expected, uint32_t *ret_total)
{
	uint64_t total, q;
	uint32_t highest, nodes = 0;

	if (r->set.allow_downscale && allow_decrease && max_expected)
		max_expected = max_u32(r->ev_barrier, max_expected);
	totals(r, &total, &highest);
	for (size_t i = 0; i < r->n_nodes; i++)
		nodes += r->nodes[i].state == VQ_MEMBER;
	if (max_expected)
		highest = max_expected;
	q = ((uint64_t)highest + 2) / 2;
	if ((total + 2) / 2 > q)
		q = (total + 2) / 2;
	if (!allow_decrease && r->quorum > q)
		q = r->quorum;
	if (r->set.two_node && nodes <= 2)
		q = 1;
	if (ret_total)
		*ret_total = total > UINT32_MAX ? UINT32_MAX : (uint32_t)total;
	return q > UINT32_MAX ? UINT32_MAX : (uint32_t)q;
}

static void set_wfa(struct vq_rules *r, bool on)
{
	r->wfa_status = on;
	if (on)
		r->us->flags |= VQ_NF_WFASTATUS;
	else
		r->us->flags &= ~(uint32_t)VQ_NF_WFASTATUS;
}

static void member_extremes(struct vq_rules *r)
{
	r->lowest = r->highest = r->us->nodeid;
	for (size_t i = 0; i < r->n_nodes; i++) {
		const struct vq_node *n = &r->nodes[i];

		if (n->state != VQ_MEMBER)
			continue;
		if (n->nodeid < r->lowest)
			r->lowest = n->nodeid;
		if (n->nodeid > r->highest)
			r->highest = n->nodeid;
	}
}

static bool member_present(const struct vq_rules *r, uint32_t id)
{
	const struct vq_node *n = vq_find(r, id);

	return n && n->state == VQ_MEMBER;
}

/* The tie breaker: LOWEST / HIGHEST, the node last seen lowest / highest
 * in a quorate partition is here; LIST, the first list entry in this
 * ring has no earlier entry that was in the previous ring (that one may
 * be in the other half). */
static bool atb_wins(const struct vq_rules *r)
{
	const struct vq_settings *s = &r->set;

	if (s->atb == VQ_ATB_LOWEST)
		return member_present(r, r->lowest);
	if (s->atb == VQ_ATB_HIGHEST)
		return member_present(r, r->highest);
	for (size_t i = 0; i < s->n_atb; i++) {
		if (!in_list(r->members, r->n_members, s->atb_nodes[i]))
			continue;
		for (size_t j = 0; j < i; j++)
			if (in_list(r->prev_members, r->n_prev,
			    s->atb_nodes[j]))
				return false;
		return true;
	}
	return false;
}

static void are_we_quorate(struct vq_rules *r, uint32_t total)
{
	bool quorate;

	if (r->set.wait_for_all && r->wfa_status) {
		if (total != r->us->expected) {
			assert(!r->quorate);
			return;
		}
		set_wfa(r, false);
	}
	quorate = r->quorum <= total;
	if (quorate)
		member_extremes(r);
	if (r->set.atb != VQ_ATB_NONE && total == r->us->expected / 2 &&
	    r->n_prev < r->n_members + r->quorum && atb_wins(r))
		quorate = true;
	if (quorate != r->quorate && !r->syncing)
		r->out |= VQ_OUT_QUORUM;
	r->quorate = quorate;
	if (quorate)
		r->us->flags |= VQ_NF_QUORATE;
	else
		r->us->flags &= ~(uint32_t)VQ_NF_QUORATE;
	if (r->set.wait_for_all)
		set_wfa(r, !quorate);
}

/* Expected votes follow the total upwards; the quorum is recalculated;
 * `by_current_nodes` (LMS, a leaving node) makes the members' count the
 * expected votes of every member. */
static void recalculate(struct vq_rules *r, bool allow_decrease,
    bool by_current_nodes)
{
	uint32_t total = 0, members = 0;

	for (size_t i = 0; i < r->n_nodes; i++) {
		if (r->nodes[i].state == VQ_MEMBER) {
			members++;
			total += r->nodes[i].votes;
		}
	}
	if (r->set.device_votes) {
		total += r->set.device_votes;
		members++;
	}
	if (!by_current_nodes)
		members = 0;
	if (total > r->us->expected) {
		r->us->expected = total;
		r->out |= VQ_OUT_EXPECTED;
	}
	if (r->set.ev_tracking && r->us->expected > r->ev_tracking_barrier) {
		r->ev_tracking_barrier = r->us->expected;
		r->out |= VQ_OUT_EV_TRACKING;
	}
	r->quorum = calculate(r, allow_decrease, members, &total);
	if (members)
		for (size_t i = 0; i < r->n_nodes; i++)
			if (r->nodes[i].state == VQ_MEMBER)
				r->nodes[i].expected = members;
	are_we_quorate(r, total);
}

void vq_init(struct vq_rules *r, const struct vq_settings *s)
{
	memset(r, 0, sizeof(*r));
	r->set = *s;
	if (r->set.n_atb > VQ_ATB_MAX)
		r->set.n_atb = VQ_ATB_MAX;
	r->us = add_node(r, s->nodeid);
	r->us->state = VQ_MEMBER;
	r->us->votes = s->votes;
	r->us->flags = VQ_NF_FIRST;
	r->us->expected = s->expected_votes;
	r->ev_tracking_barrier = s->ev_tracking_barrier;
	if (s->ev_tracking && s->ev_tracking_barrier)
		r->us->expected = s->ev_tracking_barrier;
	r->ev_barrier = r->us->expected;
	if (s->wait_for_all)
		set_wfa(r, true);
	r->members[r->n_members++] = s->nodeid;
	recalculate(r, false, false);
}

void vq_sync_init(struct vq_rules *r, const uint32_t *members, size_t n,
    uint64_t now)
{
	bool left = false;

	if (n > VQ_NODES_MAX)
		n = VQ_NODES_MAX;
	r->syncing = true;
	if (n > 1)
		r->us->flags &= ~(uint32_t)VQ_NF_FIRST;
	for (size_t i = 0; i < r->n_members; i++) {
		struct vq_node *node;

		if (in_list(members, n, r->members[i]))
			continue;
		left = true;
		if ((node = find(r, r->members[i])))
			node->state = VQ_DEAD;
	}
	if (r->set.last_man_standing &&
	    ((n >= r->quorum && left) || (n <= r->quorum &&
	    r->set.atb != VQ_ATB_NONE && member_present(r, r->lowest)))) {
		r->lms_armed = true;
		r->lms_deadline = now + r->set.lms_window_ms;
		r->out |= VQ_OUT_LMS_TIMER;
	}
	memcpy(r->prev_members, r->members, r->n_members * sizeof(uint32_t));
	r->n_prev = r->n_members;
	memcpy(r->members, members, n * sizeof(uint32_t));
	r->n_members = n;
}

void vq_sync_activate(struct vq_rules *r)
{
	recalculate(r, false, false);
	r->syncing = false;
	r->out |= VQ_OUT_QUORUM;
}

struct vq_nodeinfo vq_my_info(const struct vq_rules *r)
{
	return (struct vq_nodeinfo){ r->us->nodeid, r->us->votes,
	    r->us->expected, r->us->flags };
}

int vq_nodeinfo(struct vq_rules *r, const struct vq_nodeinfo *ni)
{
	struct vq_node *node = find(r, ni->nodeid), old;
	bool is_new = !node, allow_decrease = false, by_node = false;

	if (ni->votes > COHORT_CONFIG_VOTES_MAX)
		return -ERANGE;
	if (!node && !(node = add_node(r, ni->nodeid)))
		return -ENOSPC;
	old = *node;
	if (is_new)
		old = (struct vq_node){ .state = VQ_DEAD };
	node->flags = ni->flags;
	node->votes = ni->votes;
	node->state = VQ_MEMBER;
	if (node->flags & VQ_NF_LEAVING) {
		node->state = VQ_LEAVING;
		allow_decrease = by_node = true;
	}
	/* An inquorate node takes the expected votes of a quorate one. */
	if (!r->quorate && (node->flags & VQ_NF_QUORATE)) {
		allow_decrease = true;
		r->us->expected = ni->expected;
	}
	if ((node->flags & VQ_NF_QUORATE) || r->set.ev_tracking)
		node->expected = ni->expected;
	else
		node->expected = r->us->expected;
	if (r->set.last_man_standing && node->votes > 1) {
		/* LMS supposes one vote per node. */
		r->set.last_man_standing = false;
		if (r->lms_armed) {
			r->lms_armed = false;
			r->out |= VQ_OUT_LMS_TIMER;
		}
	}
	if (is_new || node == r->us || (node->flags & VQ_NF_FIRST) ||
	    old.votes != node->votes || old.expected != node->expected ||
	    old.flags != node->flags || old.state != node->state)
		recalculate(r, allow_decrease, by_node);
	if (r->set.wait_for_all && !(node->flags & VQ_NF_WFASTATUS) &&
	    (node->flags & VQ_NF_QUORATE))
		set_wfa(r, false);
	return 0;
}

int vq_check_expected(const struct vq_rules *r, uint32_t expected)
{
	struct vq_rules probe = *r;
	uint32_t q, total;

	if (expected > COHORT_CONFIG_EXPECTED_MAX)
		return -EINVAL;
	probe.set.allow_downscale = false;
	q = calculate(&probe, true, expected, &total);
	if (expected < total || (r->quorate && q > total))
		return -EINVAL;
	return 0;
}

int vq_check_votes(const struct vq_rules *r, uint32_t nodeid, uint32_t votes)
{
	struct vq_rules probe = *r;
	struct vq_node *n = find(&probe, nodeid);
	uint32_t q, total;

	if (!n)
		return -ENOENT;
	if (votes > COHORT_CONFIG_VOTES_MAX)
		return -EINVAL;
	n->votes = votes;
	q = calculate(&probe, true, 0, &total);
	if (q < total / 2 || q > total)
		return -EINVAL;
	return 0;
}

int vq_set_expected(struct vq_rules *r, uint32_t expected)
{
	if (expected > COHORT_CONFIG_EXPECTED_MAX)
		return -ERANGE;
	if (expected)
		for (size_t i = 0; i < r->n_nodes; i++)
			if (r->nodes[i].state == VQ_MEMBER)
				r->nodes[i].expected = expected;
	r->out |= VQ_OUT_EXPECTED;
	r->ev_barrier = expected;
	if (r->set.ev_tracking)
		r->us->expected = max_u32(r->us->expected,
		    r->ev_tracking_barrier);
	recalculate(r, true, false);
	return 0;
}

int vq_set_votes(struct vq_rules *r, uint32_t nodeid, uint32_t votes)
{
	struct vq_node *n = find(r, nodeid);

	if (votes > COHORT_CONFIG_VOTES_MAX)
		return -ERANGE;
	if (!n)
		return 0;
	n->votes = votes;
	recalculate(r, true, false);
	return 0;
}

void vq_cancel_wfa(struct vq_rules *r)
{
	set_wfa(r, false);
	recalculate(r, false, false);
}

bool vq_lms_due(struct vq_rules *r, uint64_t now)
{
	if (!r->lms_armed || now < r->lms_deadline)
		return false;
	r->lms_armed = false;
	r->out |= VQ_OUT_LMS_TIMER;
	return true;
}

void vq_lms_apply(struct vq_rules *r)
{
	if (r->set.last_man_standing && r->quorate)
		recalculate(r, true, true);
}

uint32_t vq_info_flags(const struct vq_rules *r)
{
	uint32_t f = 0;

	if (r->set.two_node)
		f |= VQ_INFO_TWONODE;
	if (r->quorate)
		f |= VQ_INFO_QUORATE;
	if (r->set.wait_for_all)
		f |= VQ_INFO_WAIT_FOR_ALL;
	if (r->set.last_man_standing)
		f |= VQ_INFO_LAST_MAN_STANDING;
	if (r->set.atb != VQ_ATB_NONE)
		f |= VQ_INFO_AUTO_TIE_BREAKER;
	if (r->set.allow_downscale)
		f |= VQ_INFO_ALLOW_DOWNSCALE;
	return f;
}

unsigned vq_take_out(struct vq_rules *r)
{
	unsigned out = r->out;

	r->out = 0;
	return out;
}
