/*
 * transport_rx.c: the receive path: datagrams read in batches (recvmmsg,
 * coalesced by UDP_GRO where datagrams are cut), and each frame checked
 * (header, sender, seal, replay window, configuration digest) before the
 * engine sees it; configuration summaries sent and taken.
 */
#include <inttypes.h>
#include <netinet/udp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "daemon/transport/transport_int.h"

/* Logs the replay drops counted since the last report, at most once per
 * TRANSPORT_REPLAY_LOG_MS. */
static void report_replays(struct transport *t, uint32_t sender,
    enum replay_verdict v)
{
	uint64_t now = loop_now(t->loop);
	uint64_t n = t->st.rx_replayed + t->st.rx_old_incarnation;

	if (t->replay_logged_at && now - t->replay_logged_at <
	    TRANSPORT_REPLAY_LOG_MS)
		return;
	log_warnx("transport: %" PRIu64 " replayed or stale frame(s) dropped "
	    "since the last report, the last from node %u's address (%s)",
	    n - t->replay_logged, sender, v == REPLAY_PAST_INCARNATION ?
	    "from a past run of that node" : v == REPLAY_DUPLICATE ?
	    "taken before" : "older than the replay window");
	t->replay_logged_at = now;
	t->replay_logged = n;
}

/* The replay window of the stream the frame with header `h` from peer
 * `pi` belongs to. */
static struct replay_window *stream_window(struct transport *t, size_t pi,
    const struct frame_hdr *h)
{
	return &t->win[pi][h->flags & FLAG_GROUP ? 1 : 0];
}

/* Whether the frame with header `h` from peer `pi` is fresh (replay.h);
 * a stale one is counted and reported. Changes no window: the frame is
 * not authenticated yet. */
static bool frame_fresh(struct transport *t, size_t pi,
    const struct frame_hdr *h)
{
	enum replay_verdict v = replay_check(stream_window(t, pi, h),
	    h->incarnation, h->counter);

	if (replay_fresh(v))
		return true;
	/* With several links, the copy of a frame taken over another one:
	 * expected, not a replay. */
	if (v == REPLAY_DUPLICATE && t->dedup_links) {
		t->st.rx_link_copies++;
		return false;
	}
	if (v == REPLAY_PAST_INCARNATION)
		t->st.rx_old_incarnation++;
	else
		t->st.rx_replayed++;
	report_replays(t, h->sender, v);
	return false;
}

/* Records an authenticated fresh frame in its window. */
static void frame_taken(struct transport *t, size_t pi,
    const struct frame_hdr *h)
{
	struct replay_window *w = stream_window(t, pi, h);

	/* A new run of the peer hears our summary at once. */
	if (h->incarnation != w->incarnation)
		t->summary_sent_at[pi] = 0;
	replay_take(w, h->incarnation, h->counter);
	t->win_moved = true;
}

/* Sends our configuration summary to peer `pi`, unless it was sent less
 * than TRANSPORT_SUMMARY_INTERVAL_MS ago. */
static void send_summary(struct transport *t, size_t pi)
{
	uint64_t now = loop_now(t->loop);

	if (!t->cfg.summary_len || (t->summary_sent_at[pi] &&
	    now - t->summary_sent_at[pi] < TRANSPORT_SUMMARY_INTERVAL_MS))
		return;
	t->summary_sent_at[pi] = now;
	t->tx_flags = FLAG_SUMMARY;
	tr_queue_links(t, pi, t->heartbeats ? links_select(&t->links, pi,
	    tr_now_us()) : 1, t->next_id++, t->cfg.summary, t->cfg.summary_len);
	t->tx_flags = 0;
	t->st.tx_summaries++;
}

/* Whether a fresh frame of peer `pi` carries our configuration digest; a
 * summary is let through all the same. Another digest is counted and
 * answered with our summary. */
static bool config_agrees(struct transport *t, size_t pi,
    const struct frame_hdr *h)
{
	if (tr_digest_ours(t, h->digest)) {
		t->cfg_differs[pi] = false;
		return true;
	}
	t->cfg_differs[pi] = true;
	if (h->flags & FLAG_SUMMARY)
		return true;
	t->st.rx_config_mismatch++;
	send_summary(t, pi);
	return false;
}

/* The previous digest's grace is over: said, and no longer taken. */
void tr_on_digest_due(void *arg)
{
	struct transport *t = arg;

	t->digest_taken_until = 0;
	log_info("transport: configuration digest %08" PRIx32 " alone from "
	    "now on (%08" PRIx32 " no longer taken)", t->cfg.config_digest,
	    t->prev_digest);
}

static bool prev_taken(const struct transport *t)
{
	return loop_now(t->loop) < t->digest_taken_until;
}

uint32_t tr_digest_out(const struct transport *t)
{
	return loop_now(t->loop) < t->digest_sent_until ? t->prev_digest :
	    t->cfg.config_digest;
}

bool tr_digest_ours(const struct transport *t, uint32_t digest)
{
	return digest == t->cfg.config_digest ||
	    (prev_taken(t) && digest == t->prev_digest);
}

void transport_set_config(struct transport *t, uint32_t digest,
    const uint8_t *summary, size_t len, uint32_t grace_ms)
{
	uint64_t now = loop_now(t->loop);

	if (digest != t->cfg.config_digest) {
		t->prev_digest = tr_digest_out(t);
		t->digest_sent_until = now + grace_ms;
		t->digest_taken_until = now + 2 * (uint64_t)grace_ms;
		loop_timer_arm(t->loop, &t->digest_timer,
		    t->digest_taken_until);
	}
	t->cfg.config_digest = digest;
	t->cfg.summary = summary;
	t->cfg.summary_len = len;
}

void tr_take_summary(struct transport *t, size_t pi, uint32_t digest,
    const uint8_t *m, size_t len)
{
	uint8_t *copy;

	t->st.rx_summaries++;
	if (tr_digest_ours(t, digest))
		return;   /* it agrees with us now */
	if (len > TRANSPORT_SUMMARY_MAX)
		len = TRANSPORT_SUMMARY_MAX;
	copy = realloc(t->peer_summary[pi], len ? len : 1);
	if (!copy)
		return;
	memcpy(copy, m, len);
	t->peer_summary[pi] = copy;
	t->peer_summary_len[pi] = len;
	if (t->cfg.config_differs)
		t->cfg.config_differs(t->arg, t->cfg.peers[pi].nodeid, copy, len);
	/* It may not hear us otherwise (a nodelist without us). */
	send_summary(t, pi);
}

/* The checks on a header before anything else: counts and returns NULL
 * for a malformed or foreign frame or one from a sender that is not the
 * node at its address on link `link`, else returns that peer. */
static const struct transport_peer *frame_sender(struct transport *t,
    const struct frame_hdr *h, bool whole,
    const struct sockaddr_storage *from, unsigned link)
{
	const struct transport_peer *p;
	size_t pi;

	if (!whole || h->magic != TRANSPORT_MAGIC ||
	    h->version != TRANSPORT_VERSION || (h->flags & ~FLAGS_ALL) ||
	    h->zero) {
		t->st.rx_malformed++;
		return NULL;
	}
	if (h->cluster_id != t->cfg.cluster_id) {
		t->st.rx_foreign++;
		return NULL;
	}
	p = tr_peer_by_id(t, h->sender);
	if (!p || h->sender == t->cfg.local_nodeid) {
		t->st.rx_unknown_sender++;
		return NULL;
	}
	pi = (size_t)(p - t->cfg.peers);
	if (!tr_same_addr(&tr_link_peer(t, pi, link)->addr, from)) {
		t->st.rx_unknown_sender++;
		t->st.rx_wrong_link_addr++;
		if (pi < t->links.n_peers)
			t->links.peer[pi].link[link].rx_wrong_addr++;
		return NULL;
	}
	return p;
}

/* Without a key: whether the frame with header `h` from peer `pi` was
 * taken already (its copy over another link); records it if not. Only
 * exact copies are caught: a forged frame overwrites one slot and stops
 * no real frame, unlike a window it could move (transport.h). */
static bool dedup_seen(struct transport *t, size_t pi,
    const struct frame_hdr *h)
{
	size_t stream = h->flags & FLAG_GROUP ? 1 : 0;
	struct dedup_slot *d = &t->dedup[(pi * 2 + stream) * DEDUP_SLOTS +
	    h->counter % DEDUP_SLOTS];

	if (d->incarnation == h->incarnation && d->counter == h->counter) {
		t->st.rx_link_copies++;
		return true;
	}
	d->incarnation = h->incarnation;
	d->counter = h->counter;
	return false;
}

/* Checks one datagram received on link `link`; calls rx for a good one. */
static void accept_one(struct transport *t, uint8_t *d, size_t len,
    const struct sockaddr_storage *from, unsigned link)
{
	const struct transport_peer *p;
	struct frame_hdr h;
	struct rbuf rb;
	uint8_t *m;
	size_t pi, mlen;
	bool sealed;

	rbuf_init(&rb, d, len);
	tr_frame_hdr_get(&rb, &h);
	p = frame_sender(t, &h, !rb.err, from, link);
	if (!p)
		return;
	pi = (size_t)(p - t->cfg.peers);
	sealed = h.flags & FLAG_SEALED;
	if (sealed != t->sealed) {
		tr_auth_failed(t, p, sealed ? WARN_UNKEYED : WARN_PLAIN);
		return;
	}
	/* Without a key the incarnation and counter are not authenticated:
	 * a window moved by one forged frame would drop the peer's real
	 * ones (and be kept across restarts), so there is none; the
	 * protocol drops duplicates and stale datagrams by itself, and the
	 * copies of a frame sent over several links are dropped by
	 * dedup_seen. */
	if ((t->sealed && !frame_fresh(t, pi, &h)) ||
	    !tr_open_frame(t, p, &h, d, len, &m, &mlen))
		return;
	if (t->sealed)
		frame_taken(t, pi, &h);
	else if (t->dedup && dedup_seen(t, pi, &h))
		return;
	t->last_rx[pi] = loop_now(t->loop);
	if (pi < t->links.n_peers)
		t->links.peer[pi].link[link].rx++;
	if (h.flags & FLAG_HEARTBEAT) {
		tr_take_heartbeat(t, pi, link, m, mlen);
		return;
	}
	if (!config_agrees(t, pi, &h))
		return;
	if (h.flags & FLAG_FRAG)
		tr_accept_frag(t, pi, h.sender, m, mlen,
		    h.flags & FLAG_SUMMARY, h.digest);
	else if (h.flags & FLAG_SUMMARY)
		tr_take_summary(t, pi, h.digest, m, mlen);
	else
		t->rx(t->arg, h.sender, m, mlen);
}

/* Points the receive batch at its buffers. */
static void rx_prepare(struct transport *t)
{
	for (unsigned int i = 0; i < t->rx_batch; i++) {
		t->rx_iov[i] = (struct iovec){ t->rx_buf + (size_t)i * t->rx_slot,
		    t->rx_slot };
		t->rx_msg[i] = (struct mmsghdr){ .msg_hdr = {
			.msg_name = &t->rx_addr[i],
			.msg_namelen = sizeof(t->rx_addr[i]),
			.msg_iov = &t->rx_iov[i],
			.msg_iovlen = 1,
		} };
		/* Only a socket that cuts has UDP_GRO to report. */
		if (tr_cuts(t)) {
			t->rx_msg[i].msg_hdr.msg_control = t->rx_ctl[i].b;
			t->rx_msg[i].msg_hdr.msg_controllen =
			    sizeof(t->rx_ctl[i].b);
		}
	}
}

/* The size of the frames the kernel coalesced into the buffer of `h`
 * (UDP_GRO), the last one possibly shorter; `len` when it did not. */
static size_t gro_segment(struct msghdr *h, size_t len)
{
	size_t seg = len;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c)) {
		int v;

		if (c->cmsg_level != SOL_UDP || c->cmsg_type != UDP_GRO ||
		    c->cmsg_len < CMSG_LEN(sizeof(v)))
			continue;
		memcpy(&v, CMSG_DATA(c), sizeof(v));
		if (v > 0)
			seg = (size_t)v;
	}
	return seg;
}

void tr_on_readable(void *arg, int fd, uint32_t events)
{
	struct transport *t = arg;
	unsigned link = 0;
	int n;

	/* The group's socket is link 0's. */
	for (unsigned k = 0; k < LINKS_MAX; k++)
		if (t->lfd[k] == fd)
			link = k;
	if (events & EPOLLERR)
		tr_read_errors(t, fd);
	rx_prepare(t);
	n = recvmmsg(fd, t->rx_msg, t->rx_batch, MSG_DONTWAIT, NULL);
	for (int i = 0; i < n; i++) {
		struct msghdr *h = &t->rx_msg[i].msg_hdr;
		uint8_t *d = t->rx_iov[i].iov_base;
		size_t len = t->rx_msg[i].msg_len, seg;

		if (h->msg_flags & MSG_TRUNC) {
			t->st.rx++;
			t->st.rx_malformed++;
			continue;
		}
		seg = gro_segment(h, len);
		if (seg < len)
			t->st.rx_coalesced += (len + seg - 1) / seg;
		/* At least once: an empty datagram is malformed too. */
		for (size_t off = 0; off == 0 || off < len; off += seg) {
			t->st.rx++;
			accept_one(t, d + off, len - off < seg ? len - off : seg,
			    &t->rx_addr[i], link);
			if (seg == 0)
				break;
		}
	}
}
