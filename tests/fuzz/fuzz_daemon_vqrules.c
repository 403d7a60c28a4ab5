/*
 * Fuzz target: votequorum's ordered messages from other nodes decoded
 * (vq_msg_decode) and applied to the rules (rules.c) as the votequorum
 * service applies them (votequorum.c's delivery): node information only
 * from its sender and only from a member, reconfigurations, the
 * last-man-standing expiry; between them rings of this node with some of
 * nodes 1 to 8, whose synchronisation ends when every member's node
 * information of the ring has been delivered. The rules' assertions are
 * live: a sequence of messages that trips one would stop the daemon.
 *
 * The input: a settings byte (two_node, wait_for_all, last_man_standing,
 * allow_downscale, expected_votes_tracking, the tie breaker), this
 * node's votes and expected votes, then records: an operation byte, then
 * for a ring a bitmask of its other members, for a message its sender
 * and length and that many bytes (the whole message, tag first).
 *
 * FUZZ_SOURCES: src/daemon/quorum/decode.c src/daemon/quorum/rules.c
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/quorum/quorum_int.h"

#define NODES 8u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The service's view of a ring: its members, those whose node
 * information for it is still awaited. */
struct ring {
	uint64_t seq;
	size_t n;
	uint32_t members[NODES];
	size_t n_waiting;
	uint32_t waiting[NODES];
};

static bool in(const uint32_t *v, size_t n, uint32_t id)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == id)
			return true;
	return false;
}

static void new_ring(struct vq_rules *r, struct ring *g, uint8_t mask,
    uint64_t now)
{
	g->seq++;
	g->n = 0;
	for (uint32_t id = 1; id <= NODES; id++)
		if (id == r->set.nodeid || (mask & (1u << (id - 1))))
			g->members[g->n++] = id;
	memcpy(g->waiting, g->members, g->n * sizeof(uint32_t));
	g->n_waiting = g->n;
	vq_sync_init(r, g->members, g->n, now);
}

/* votequorum.c's got_nodeinfo, without the publishing. */
static void got_nodeinfo(struct vq_rules *r, struct ring *g, uint32_t sender,
    uint64_t seq, const struct vq_nodeinfo *ni)
{
	(void)vq_nodeinfo(r, ni);
	if (!r->syncing || seq != g->seq)
		return;
	for (size_t i = 0; i < g->n_waiting; i++) {
		if (g->waiting[i] != sender)
			continue;
		g->waiting[i] = g->waiting[--g->n_waiting];
		if (g->n_waiting == 0)
			vq_sync_activate(r);
		return;
	}
}

/* votequorum.c's delivery of a message from `sender`. */
static void deliver(struct vq_rules *r, struct ring *g, uint32_t sender,
    const uint8_t *msg, size_t len)
{
	struct vq_msg m;

	if (vq_msg_decode(msg, len, &m) < 0)
		return;
	switch (m.type) {
	case VQ_MSG_NODEINFO:
		if (m.ni.nodeid == sender && in(g->members, g->n, sender))
			got_nodeinfo(r, g, sender, m.seq, &m.ni);
		break;
	case VQ_MSG_RECONFIG:
		if (m.param == VQ_RECONFIG_EXPECTED)
			(void)vq_set_expected(r, m.value);
		else if (m.param == VQ_RECONFIG_VOTES)
			(void)vq_set_votes(r, m.nodeid, m.value);
		else if (m.param == VQ_RECONFIG_CANCEL_WFA)
			vq_cancel_wfa(r);
		break;
	case VQ_MSG_LMS:
		if (m.seq == g->seq && !r->syncing)
			vq_lms_apply(r);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vq_rules r;
	struct vq_settings s = { .nodeid = 1, .lms_window_ms = 1000 };
	struct ring g = { 0 };
	uint64_t now = 0;
	size_t off = 3;

	if (size < 3)
		return 0;
	s.two_node = data[0] & 1;
	s.wait_for_all = data[0] & 2;
	s.last_man_standing = data[0] & 4;
	s.allow_downscale = data[0] & 8;
	s.ev_tracking = data[0] & 16;
	s.atb = (enum vq_atb)(data[0] >> 5 & 3);
	if (s.atb == VQ_ATB_LIST) {
		s.n_atb = 3;
		s.atb_nodes[0] = 3;
		s.atb_nodes[1] = 1;
		s.atb_nodes[2] = 5;
	}
	s.votes = 1 + data[1] % 3;
	s.expected_votes = 1 + data[2] % NODES;
	vq_init(&r, &s);
	new_ring(&r, &g, 0, now);
	while (off < size) {
		uint8_t op = data[off++];

		now += 400;
		if (op % 4 == 0 && off < size) {
			new_ring(&r, &g, data[off++], now);
		} else if (op % 4 == 1) {
			/* This node's own information, as send_nodeinfo. */
			struct vq_nodeinfo ni = vq_my_info(&r);

			got_nodeinfo(&r, &g, s.nodeid, g.seq, &ni);
		} else if (op % 4 == 2) {
			if (vq_lms_due(&r, now))
				vq_lms_apply(&r);
		} else if (size - off >= 2) {
			uint32_t sender = 1 + data[off] % NODES;
			size_t len = data[off + 1] % (VQ_WIRE_MAX + 1);

			off += 2;
			if (len > size - off)
				len = size - off;
			deliver(&r, &g, sender, data + off, len);
			off += len;
		} else {
			break;
		}
		(void)vq_take_out(&r);
		if (r.n_nodes > VQ_NODES_MAX || r.us < r.nodes ||
		    r.us >= r.nodes + r.n_nodes)
			abort();
	}
	return 0;
}
