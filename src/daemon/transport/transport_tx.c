/*
 * transport_tx.c: sending, batched per loop iteration (sendmmsg), with
 * segmentation offload (UDP_SEGMENT) where the kernel and path take it.
 */
#include <errno.h>
#include <netinet/udp.h>
#include <string.h>

#include "daemon/transport/transport_int.h"

/* The index in cfg.peers of the peer whose address on some link is
 * `peer`. */
static size_t peer_index(const struct transport *t,
    const struct transport_peer *peer)
{
	const struct transport_peer *base = &t->cfg.link_addr[0][0];

	if (peer >= t->cfg.peers && peer < t->cfg.peers + PROTO_MAX_NODES)
		return (size_t)(peer - t->cfg.peers);
	return (size_t)(peer - base) / LINKS_MAX;
}

/* Sends from frame `f` on go one frame per send, without offload. */
static void split_sends(struct transport *t, unsigned int m, unsigned int f)
{
	for (t->tx_m = m; f < t->tx_n; f++)
		t->tx_msg[t->tx_m++] = (struct mmsghdr){ .msg_hdr = {
			.msg_name = (void *)&t->tx_to[f]->addr,
			.msg_namelen = t->tx_to[f]->addr_len,
			.msg_iov = &t->tx_iov[f],
			.msg_iovlen = 1,
		} };
}

/* The sends from `done` on that leave over the link of send `done`: how
 * many of them. */
static unsigned int link_run(const struct transport *t, unsigned int done,
    unsigned int *link)
{
	unsigned int e = done;

	*link = t->tx_link[t->tx_msg[done].msg_hdr.msg_iov - t->tx_iov];
	while (e < t->tx_m &&
	    t->tx_link[t->tx_msg[e].msg_hdr.msg_iov - t->tx_iov] == *link)
		e++;
	return e - done;
}

void transport_flush(struct transport *t)
{
	unsigned int done = 0, refused = 0;

	while (done < t->tx_m) {
		struct msghdr *h = &t->tx_msg[done].msg_hdr;
		unsigned int link, run = link_run(t, done, &link);
		int n = sendmmsg(t->lfd[link], t->tx_msg + done, run, 0);

		if (n < 0) {
			/* A peer's ICMP error (IP_RECVERR) fails one call once;
			 * the report itself is on the error queue. A node
			 * that starts before most of a large nodelist gets one
			 * for every peer not started yet, so as many as there
			 * are sends in the batch are taken, and more. */
			if (errno == EINTR || ((errno == ECONNREFUSED ||
			    errno == EHOSTUNREACH || errno == ENETUNREACH) &&
			    ++refused <= t->tx_m + 4))
				continue;
			/* The path cannot offload segmentation (a device
			 * without checksum offload, IPsec): from now on one
			 * frame per send. */
			if ((errno == EIO || errno == EINVAL ||
			    errno == ENOPROTOOPT) && h->msg_control) {
				log_warnx("transport: segmentation offload "
				    "refused (%s); sending frame by frame",
				    strerror(errno));
				t->gso = false;
				split_sends(t, done, (unsigned int)(h->msg_iov -
				    t->tx_iov));
				continue;
			}
			/* EAGAIN (socket buffer full), ENOBUFS (a device queue
			 * full: with IP_RECVERR the kernel reports what it
			 * dropped) or an unreachable peer (a link that is
			 * down): this send is lost, and UDP may lose datagrams
			 * (the protocol retransmits). The sends after it go
			 * on: a queue drains between two sends, and a JOIN to
			 * every node of a large nodelist must not be lost to
			 * all the peers after the first refused. */
			t->st.tx_errors += h->msg_iovlen;
			done++;
			continue;
		}
		for (int i = 0; i < n; i++, done++) {
			size_t k = t->tx_msg[done].msg_hdr.msg_iovlen;

			t->st.tx += k;
			if (k > 1)
				t->st.tx_offloaded += k;
		}
	}
	t->tx_n = 0;
	t->tx_m = 0;
	t->tx_open = false;
}

/* Into the last send when offload allows (the same address, its frames
 * all of this one's size or larger only for the last), else a send of its
 * own. */
void tr_add_frame(struct transport *t, const struct transport_peer *peer,
    unsigned link, size_t len)
{
	unsigned int f = t->tx_n++;
	struct mmsghdr *m = t->tx_m ? &t->tx_msg[t->tx_m - 1] : NULL;
	size_t seg = m ? m->msg_hdr.msg_iov[0].iov_len : 0;
	size_t k = m ? m->msg_hdr.msg_iovlen : 0;

	t->tx_iov[f].iov_len = len;
	t->tx_to[f] = peer;
	t->tx_link[f] = (uint8_t)link;
	if (peer != &t->group && t->links.n_peers)
		t->links.peer[peer_index(t, peer)].link[link].tx++;
	if (m && t->tx_open && t->tx_to[f - 1] == peer && len <= seg &&
	    k < GSO_FRAMES && seg * k + len <= GSO_BYTES) {
		struct cmsghdr *c = &t->tx_ctl[t->tx_m - 1].h;
		uint16_t v = (uint16_t)seg;

		m->msg_hdr.msg_iovlen = k + 1;
		if (k == 1) {
			m->msg_hdr.msg_control = t->tx_ctl[t->tx_m - 1].b;
			m->msg_hdr.msg_controllen = CMSG_SPACE(sizeof(v));
			c->cmsg_level = SOL_UDP;
			c->cmsg_type = UDP_SEGMENT;
			c->cmsg_len = CMSG_LEN(sizeof(v));
			memcpy(CMSG_DATA(c), &v, sizeof(v));
		}
		/* A shorter frame ends the send. */
		t->tx_open = len == seg;
		return;
	}
	t->tx_msg[t->tx_m++] = (struct mmsghdr){ .msg_hdr = {
		.msg_name = (void *)&peer->addr,
		.msg_namelen = peer->addr_len,
		.msg_iov = &t->tx_iov[f],
		.msg_iovlen = 1,
	} };
	t->tx_open = t->gso;
}

void tr_queue_links(struct transport *t, size_t pi, uint8_t mask, uint32_t id,
    const uint8_t *buf, size_t len)
{
	t->tx_mask = mask;
	tr_queue_datagram(t, &t->cfg.peers[pi], id, buf, len);
	t->tx_mask = 0;
}

/* The links a datagram to peer `pi` takes now: link 0 without
 * heartbeats. */
static uint8_t route(struct transport *t, size_t pi)
{
	return t->heartbeats ? links_select(&t->links, pi, tr_now_us()) : 1;
}

void transport_send(struct transport *t, uint32_t to, const uint8_t *buf,
    size_t len)
{
	uint32_t id = t->next_id++;

	if (len > t->cfg.max_payload) {
		log_warnx("transport: datagram of %zu bytes above the mtu, "
		    "not sent", len);
		t->st.tx_errors++;
		return;
	}
	if (to != 0) {
		const struct transport_peer *p = tr_peer_by_id(t, to);
		size_t pi = p ? (size_t)(p - t->cfg.peers) : 0;

		if (p && to != t->cfg.local_nodeid)
			tr_queue_links(t, pi, route(t, pi), id, buf, len);
		return;
	}
	if (t->mfd >= 0) {
		tr_queue_datagram(t, &t->group, id, buf, len);
		return;
	}
	for (size_t i = 0; i < t->cfg.n_peers; i++)
		if (t->cfg.peers[i].nodeid != t->cfg.local_nodeid)
			tr_queue_links(t, i, route(t, i), id, buf, len);
}
