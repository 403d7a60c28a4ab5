/*
 * transport_icmp.c: the socket's error queue and the closed-port fast
 * path: an ICMP port unreachable about a peer, believed only as unreach.h
 * rules, fails that peer at once.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <linux/errqueue.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <string.h>

#include "daemon/transport/transport_int.h"

/* Remembers a frame to a peer for the closed-port check (unreach.h):
 * the bytes after its header, which start with the random nonce of a
 * sealed frame. Multicast frames draw no ICMP error. */
void tr_note_sent(struct transport *t, const struct transport_peer *peer,
    const uint8_t *d, size_t len)
{
	if (!t->cfg.unreachable || peer == &t->group)
		return;
	unreach_sent(&t->unreach, (size_t)(peer - t->cfg.peers),
	    d + TRANSPORT_HDR_LEN, len - TRANSPORT_HDR_LEN, loop_now(t->loop));
}

/* What became of an ICMP port unreachable about peer `pi` (from
 * `origin`, or NULL for a deferred one): the peer failed, or the report
 * counted and dropped. */
static void icmp_verdict(struct transport *t, size_t pi,
    enum unreach_verdict v, const struct sockaddr_storage *origin)
{
	const struct transport_peer *p = &t->cfg.peers[pi];
	char a[INET6_ADDRSTRLEN + 8], o[INET6_ADDRSTRLEN + 8];
	uint64_t due, held;
	bool foreign;

	switch (v) {
	case UNREACH_FAIL:
		log_info("transport: node %u's port is closed (an ICMP port "
		    "unreachable from its address quotes a datagram sent "
		    "there, and nothing came from it for %" PRIu32 " ms or "
		    "more): failing it", p->nodeid,
		    t->cfg.unreachable_quiet_ms);
		t->cfg.unreachable(t->arg, p->nodeid);
		break;
	case UNREACH_DEFER:
		due = unreach_due(&t->unreach, t->cfg.n_peers);
		if (due && (!t->unreach_timer.armed ||
		    t->unreach_timer.when_ms > due))
			loop_timer_arm(t->loop, &t->unreach_timer, due);
		break;
	case UNREACH_UNMATCHED:
		t->st.icmp_unmatched++;
		foreign = !origin || !tr_same_host(origin, &p->addr);
		if (tr_may_warn(t, pi, foreign ? WARN_ICMP_ORIGIN : WARN_ICMP_QUOTE,
		    &held))
			log_warnx("transport: ICMP port unreachable about node "
			    "%u (%s) from %s ignored: %s (%" PRIu64 " more "
			    "such since the last warning)", p->nodeid,
			    tr_addr_str(&p->addr, a, sizeof(a)),
			    origin ? tr_addr_str(origin, o, sizeof(o)) : "?",
			    foreign ? "not from the node's address" :
			    "it quotes no datagram recently sent there", held);
		break;
	case UNREACH_ALIVE:
		t->st.icmp_peer_alive++;
		if (tr_may_warn(t, pi, WARN_ICMP_ALIVE, &held))
			log_warnx("transport: ICMP port unreachable about node "
			    "%u ignored: it spoke within %" PRIu32 " ms (%"
			    PRIu64 " more such since the last warning)",
			    p->nodeid, t->cfg.unreachable_quiet_ms, held);
		break;
	case UNREACH_LIMITED:
		t->st.icmp_ignored++;
		break;
	}
}

/* The quiet time of a deferred report is over: the peer failed, or it
 * spoke meanwhile. */
void tr_on_unreach_due(void *arg)
{
	struct transport *t = arg;
	uint64_t now = loop_now(t->loop), due;

	for (size_t i = 0; i < t->cfg.n_peers; i++) {
		enum unreach_verdict v = unreach_recheck(&t->unreach, i,
		    t->last_rx[i], now);

		if (v != UNREACH_DEFER)
			icmp_verdict(t, i, v, NULL);
	}
	due = unreach_due(&t->unreach, t->cfg.n_peers);
	if (due)
		loop_timer_arm(t->loop, &t->unreach_timer, due);
}

/* An ICMP port unreachable from `origin` says a datagram to `to` found no
 * socket there; `quote` is the start of that datagram, as the reporting
 * host quoted it (`qlen` bytes). */
static void port_closed(struct transport *t, const struct sockaddr_storage *to,
    const struct sockaddr_storage *origin, const uint8_t *quote, size_t qlen)
{
	for (size_t i = 0; i < t->cfg.n_peers; i++) {
		const struct transport_peer *p = &t->cfg.peers[i];
		enum unreach_verdict v = UNREACH_UNMATCHED;

		if (p->nodeid == t->cfg.local_nodeid || !tr_same_addr(&p->addr, to))
			continue;
		t->st.port_unreachable++;
		if (!t->cfg.unreachable) {
			t->st.icmp_ignored++;
			return;
		}
		if (tr_same_host(origin, &p->addr) && qlen >= TRANSPORT_HDR_LEN)
			v = unreach_judge(&t->unreach, i, quote +
			    TRANSPORT_HDR_LEN, qlen - TRANSPORT_HDR_LEN,
			    t->last_rx[i], loop_now(t->loop));
		icmp_verdict(t, i, v, origin);
		return;
	}
}

/* Reads the socket's error queue: an ICMP port unreachable names the
 * peer address a datagram of ours went to, the host that sent the ICMP
 * (SO_EE_OFFENDER) and, as the payload, the start of that datagram as the
 * ICMP quotes it. The kernel writes the queue, from ICMP that anyone may
 * send. */
void tr_read_errors(struct transport *t, int fd)
{
	for (int k = 0; k < BATCH; k++) {
		struct sockaddr_storage to;
		union {
			struct cmsghdr h;
			uint8_t buf[CMSG_SPACE(sizeof(struct sock_extended_err) +
			    sizeof(struct sockaddr_in6))];
		} ctl;
		uint8_t quote[TRANSPORT_HDR_LEN + UNREACH_MATCH_LEN];
		struct iovec iov = { quote, sizeof(quote) };
		struct msghdr mh = { .msg_name = &to, .msg_namelen = sizeof(to),
		    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
		    .msg_controllen = sizeof(ctl.buf) };
		ssize_t n = recvmsg(fd, &mh, MSG_ERRQUEUE | MSG_DONTWAIT);

		if (n < 0)
			return;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c;
		    c = CMSG_NXTHDR(&mh, c)) {
			struct sock_extended_err ee;
			struct sockaddr_storage origin = { 0 };
			size_t olen;
			bool v4 = c->cmsg_level == SOL_IP &&
			    c->cmsg_type == IP_RECVERR;
			bool v6 = c->cmsg_level == SOL_IPV6 &&
			    c->cmsg_type == IPV6_RECVERR;

			if ((!v4 && !v6) ||
			    c->cmsg_len < CMSG_LEN(sizeof(ee)))
				continue;
			memcpy(&ee, CMSG_DATA(c), sizeof(ee));
			/* The offender's address follows the error. */
			olen = c->cmsg_len - CMSG_LEN(sizeof(ee));
			memcpy(&origin, CMSG_DATA(c) + sizeof(ee),
			    olen < sizeof(origin) ? olen : sizeof(origin));
			if ((v4 && ee.ee_origin == SO_EE_ORIGIN_ICMP &&
			    ee.ee_type == ICMP_DEST_UNREACH &&
			    ee.ee_code == ICMP_PORT_UNREACH) ||
			    (v6 && ee.ee_origin == SO_EE_ORIGIN_ICMP6 &&
			    ee.ee_type == ICMP6_DST_UNREACH &&
			    ee.ee_code == ICMP6_DST_UNREACH_NOPORT))
				port_closed(t, &to, &origin, quote, (size_t)n);
		}
	}
}
