/*
 * transport_links.c: heartbeats on every link to every peer, which keep
 * links.h's state of each link to each peer (transport.h).
 */
#include <string.h>

#include "daemon/transport/transport_int.h"

#define US_PER_MS 1000u

/* Queues a heartbeat of `kind` carrying `stamp` to peer `pi` on link `l`. */
static void send_heartbeat(struct transport *t, size_t pi, unsigned l,
    uint8_t kind, uint64_t stamp)
{
	uint8_t b[HB_LEN];
	struct wbuf wb;

	wbuf_init(&wb, b, sizeof(b));
	wbuf_u8(&wb, kind);
	wbuf_u8(&wb, (uint8_t)l);
	wbuf_be16(&wb, 0);
	wbuf_be64(&wb, stamp);
	t->tx_flags = FLAG_HEARTBEAT;
	tr_queue_links(t, pi, (uint8_t)(1u << l), t->next_id++, b, wb.len);
	t->tx_flags = 0;
}

/* The heartbeat timer: links whose answers are overdue go down, the pings
 * due leave, and the timer is set for the next thing due. */
static void on_heartbeat(void *arg)
{
	struct transport *t = arg;
	uint64_t now = tr_now_us(), due;

	links_tick(&t->links, now);
	for (size_t pi = 0; pi < t->links.n_peers; pi++)
		for (unsigned l = 0; l < LINKS_MAX; l++)
			if (links_ping_due(&t->links, pi, l, now))
				send_heartbeat(t, pi, l, HB_PING, now);
	transport_flush(t);
	due = links_next_due(&t->links, now);
	/* The loop's clock is the same monotonic clock, in milliseconds;
	 * the timer fires at or after the time due. */
	if (due != UINT64_MAX)
		loop_timer_arm(t->loop, &t->hb_timer,
		    (due + US_PER_MS - 1) / US_PER_MS);
}

void tr_links_start(struct transport *t)
{
	const struct transport_peer *self = tr_peer_by_id(t,
	    t->cfg.local_nodeid);
	size_t si = (size_t)(self - t->cfg.peers);
	uint64_t now = tr_now_us();

	t->heartbeats = t->cfg.link_timing[0].ping_interval_ms != 0;
	if (!t->heartbeats)
		return;
	links_init(&t->links, t->cfg.link_mode, t->cfg.link_timing);
	for (size_t pi = 0; pi < t->cfg.n_peers; pi++) {
		uint8_t mask = 0;

		for (unsigned l = 0; l < LINKS_MAX && pi != si; l++)
			if (tr_link_peer(t, si, l)->addr_len &&
			    tr_link_peer(t, pi, l)->addr_len)
				mask |= (uint8_t)(1u << l);
		links_add_peer(&t->links, pi, t->cfg.peers[pi].nodeid, mask,
		    now);
	}
	t->hb_timer = (struct loop_timer){ .fn = on_heartbeat, .arg = t };
	loop_timer_arm(t->loop, &t->hb_timer, loop_now(t->loop));
}

void tr_take_heartbeat(struct transport *t, size_t pi, unsigned link,
    const uint8_t *m, size_t len)
{
	struct rbuf rb;
	uint8_t kind, l;
	uint64_t stamp;

	rbuf_init(&rb, m, len);
	kind = rbuf_u8(&rb);
	l = rbuf_u8(&rb);
	(void)rbuf_be16(&rb);
	stamp = rbuf_be64(&rb);
	/* A heartbeat speaks of the link it came over, and only where the
	 * link to its sender exists here. */
	if (rb.err || rb.left || l != link || !t->heartbeats ||
	    pi >= t->links.n_peers || !t->links.peer[pi].link[l].configured ||
	    (kind != HB_PING && kind != HB_PONG)) {
		t->st.rx_malformed++;
		return;
	}
	if (kind == HB_PING) {
		t->links.peer[pi].link[l].pings_rx++;
		send_heartbeat(t, pi, l, HB_PONG, stamp);
		return;
	}
	links_pong(&t->links, pi, l, stamp, tr_now_us());
}
