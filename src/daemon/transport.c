/*
 * transport.c: batched UDP with optional authenticated encryption.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <inttypes.h>
#include <net/if.h>
#include <linux/errqueue.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <netinet/udp.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <sodium.h>

#include "common/log.h"
#include "daemon/replay.h"
#include "daemon/transport.h"
#include "daemon/unreach.h"

#define TRANSPORT_MAGIC 0x434f4854u   /* "COHT" */
#define TRANSPORT_VERSION 2u
#define FLAG_SEALED 1u
#define FLAG_FRAG 2u
#define FLAG_GROUP 4u                 /* sent to the multicast group */
#define FLAG_SUMMARY 8u               /* a configuration summary */
#define FLAGS_ALL (FLAG_SEALED | FLAG_FRAG | FLAG_GROUP | FLAG_SUMMARY)
/* Header offsets of the fields after the sender (transport.h). */
#define HDR_INCARNATION 16
#define HDR_COUNTER 24
#define HDR_DIGEST 32
/* Streams of frames a sender numbers: one per peer (its index in the
 * nodelist), and the multicast group's. */
#define STREAM_GROUP PROTO_MAX_NODES
#define STREAMS (PROTO_MAX_NODES + 1)
#define BATCH 64                      /* frames per sendmmsg/recvmmsg */
/* Segmentation offload (UDP_SEGMENT): consecutive frames of one size to
 * one address leave in one send, at most this many and this many bytes
 * (below the 64 KiB of an IP packet; older kernels take 64 segments). */
#define GSO_FRAMES 64
#define GSO_BYTES 65000
/* Receive offload (UDP_GRO): frames coalesced by the kernel arrive as one
 * buffer of up to 64 KiB, fewer to a batch: 16 of them is 1 MiB a read,
 * and a megabyte less resident than 32. */
#define GRO_BATCH 16
#define GRO_SLOT 65536
#define KEYFILE_MIN 128u
#define KEYFILE_MAX 4096u

/* What a peer's bad input may be warned about (each at its own rate). */
enum warn_kind {
	WARN_PLAIN,        /* plain text, a key is required here */
	WARN_UNKEYED,      /* sealed frames, no key here */
	WARN_SEAL,         /* a seal that fails: another key */
	WARN_ICMP_ORIGIN,  /* an ICMP error about it from another address */
	WARN_ICMP_QUOTE,   /* one quoting nothing recently sent there */
	WARN_ICMP_ALIVE,   /* one about it while it speaks */
	WARN_KINDS
};

/* One datagram being rebuilt from a sender's fragments. */
struct reasm {
	bool busy;
	uint32_t id, total, chunk;   /* as the fragment header says */
	uint16_t count, have;        /* fragments expected, received */
	bool summary;                /* of a configuration summary */
	uint64_t stamp;              /* t->reasm_clock when last touched */
	uint64_t seen[TRANSPORT_MAX_FRAGS / 64];
	uint8_t *buf;                /* max_payload bytes, allocated at need */
};

struct transport {
	struct loop *loop;
	int fd;
	struct loop_reg *reg;
	int mfd;                     /* bound to the multicast group, or -1 */
	struct loop_reg *mreg;
	struct transport_peer group; /* where multicast goes */
	struct transport_config cfg;
	/* TRANSPORT_KEY_LEN bytes from sodium_malloc (locked in memory,
	 * wiped when freed), or NULL. */
	uint8_t *key;
	bool sealed;
	transport_rx_fn rx;
	void *arg;
	size_t slot;                 /* bytes per frame buffer */
	size_t frame;                /* the largest frame sent */
	size_t chunk;                /* datagram bytes per fragment */
	uint32_t next_id;            /* of the next fragmented datagram */
	/* Outgoing batch. */
	uint8_t *tx_buf;
	struct iovec tx_iov[BATCH];                  /* one per frame */
	const struct transport_peer *tx_to[BATCH];
	unsigned int tx_n;                           /* frames */
	struct mmsghdr tx_msg[BATCH];                /* one per send */
	unsigned int tx_m;                           /* sends */
	bool tx_open;                  /* the last send may take a frame */
	bool gso;                      /* UDP_SEGMENT works */
	union {
		struct cmsghdr h;
		uint8_t b[CMSG_SPACE(sizeof(uint16_t))];
	} tx_ctl[BATCH];
	/* Incoming batch. */
	uint8_t *rx_buf;
	size_t rx_slot;                /* bytes per receive buffer */
	unsigned int rx_batch;
	struct mmsghdr rx_msg[BATCH];
	struct iovec rx_iov[BATCH];
	struct sockaddr_storage rx_addr[BATCH];
	union {
		struct cmsghdr h;
		uint8_t b[CMSG_SPACE(sizeof(int))];
	} rx_ctl[BATCH];
	struct transport_stats st;
	/* Per peer (index in cfg.peers): loop time of the last datagram
	 * that passed every check, 0 = none yet. */
	uint64_t last_rx[PROTO_MAX_NODES];
	/* Per peer: its datagrams being reassembled. */
	struct reasm reasm[PROTO_MAX_NODES][TRANSPORT_REASM_SLOTS];
	uint64_t reasm_clock;
	/* The closed-port fast path: frames sent per peer, reports
	 * deferred until the peer has been quiet (unreach.h). */
	struct unreach unreach;
	struct loop_timer unreach_timer;
	/* Per peer and kind: the rate of warnings about its bad input. */
	struct log_gate warn[PROTO_MAX_NODES][WARN_KINDS];
	/* Replay protection: counters of the frames sent per stream, and per
	 * peer and stream (unicast to us, or to the group) the window of
	 * those taken. */
	uint64_t tx_counter[STREAMS];
	struct replay_window win[PROTO_MAX_NODES][2];
	bool win_moved;              /* since transport_windows_save */
	uint8_t tx_flags;            /* added to the frames queued now */
	uint64_t replay_logged_at;   /* loop time of the last report */
	uint64_t replay_logged;      /* drops counted at that report */
	/* Per peer: whether its frames carry another configuration digest,
	 * when we last sent it our summary, and its summary. */
	bool cfg_differs[PROTO_MAX_NODES];
	uint64_t summary_sent_at[PROTO_MAX_NODES];
	uint8_t *peer_summary[PROTO_MAX_NODES];
	size_t peer_summary_len[PROTO_MAX_NODES];
};

/* Whether datagrams are cut into fragments (knet): then frames may also
 * arrive coalesced (UDP_GRO). */
static bool cuts(const struct transport *t)
{
	return t->chunk < t->cfg.max_payload;
}

static void put_be32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | b[3];
}

static void put_be16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static uint16_t get_be16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

static void put_be64(uint8_t *b, uint64_t v)
{
	put_be32(b, (uint32_t)(v >> 32));
	put_be32(b + 4, (uint32_t)v);
}

static uint64_t get_be64(const uint8_t *b)
{
	return (uint64_t)get_be32(b) << 32 | get_be32(b + 4);
}

static const struct transport_peer *peer_by_id(const struct transport *t,
    uint32_t id)
{
	for (size_t i = 0; i < t->cfg.n_peers; i++)
		if (t->cfg.peers[i].nodeid == id)
			return &t->cfg.peers[i];
	return NULL;
}

static bool same_addr(const struct sockaddr_storage *a,
    const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;

		return x->sin_port == y->sin_port &&
		    x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;

		return x->sin6_port == y->sin6_port &&
		    memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr)) == 0;
	}
	return false;
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

void transport_flush(struct transport *t)
{
	unsigned int done = 0, refused = 0;

	while (done < t->tx_m) {
		struct msghdr *h = &t->tx_msg[done].msg_hdr;
		int n = sendmmsg(t->fd, t->tx_msg + done, t->tx_m - done, 0);

		if (n < 0) {
			/* A peer's ICMP error (IP_RECVERR) fails one call once;
			 * the report itself is on the error queue. */
			if (errno == EINTR || ((errno == ECONNREFUSED ||
			    errno == EHOSTUNREACH || errno == ENETUNREACH) &&
			    ++refused <= 4))
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
			/* EAGAIN (socket buffer full) or an unreachable peer:
			 * UDP may lose datagrams; the protocol retransmits. */
			for (; done < t->tx_m; done++)
				t->st.tx_errors += t->tx_msg[done].msg_hdr.msg_iovlen;
			break;
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

/* Puts frame tx_n (built, `len` bytes, to `peer`) into the batch: into
 * the last send when offload allows (the same address, its frames all of
 * this one's size or larger only for the last), else a send of its own. */
static void add_frame(struct transport *t, const struct transport_peer *peer,
    size_t len)
{
	unsigned int f = t->tx_n++;
	struct mmsghdr *m = t->tx_m ? &t->tx_msg[t->tx_m - 1] : NULL;
	size_t seg = m ? m->msg_hdr.msg_iov[0].iov_len : 0;
	size_t k = m ? m->msg_hdr.msg_iovlen : 0;

	t->tx_iov[f].iov_len = len;
	t->tx_to[f] = peer;
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

/* `a` as text, "192.0.2.1:5405" or "[2001:db8::1]:5405". */
static const char *addr_str(const struct sockaddr_storage *a, char *buf,
    size_t len)
{
	char ip[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;

	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a;

		inet_ntop(AF_INET, &x->sin_addr, ip, sizeof(ip));
		port = ntohs(x->sin_port);
		snprintf(buf, len, "%s:%u", ip, port);
	} else if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a;

		inet_ntop(AF_INET6, &x->sin6_addr, ip, sizeof(ip));
		port = ntohs(x->sin6_port);
		snprintf(buf, len, "[%s]:%u", ip, port);
	} else {
		snprintf(buf, len, "?");
	}
	return buf;
}

/* Whether `a` and `b` are the same host address (ports aside). */
static bool same_host(const struct sockaddr_storage *a,
    const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)(const void *)a)->sin_addr.s_addr ==
		    ((const struct sockaddr_in *)(const void *)b)->sin_addr.s_addr;
	return a->ss_family == AF_INET6 && memcmp(
	    &((const struct sockaddr_in6 *)(const void *)a)->sin6_addr,
	    &((const struct sockaddr_in6 *)(const void *)b)->sin6_addr,
	    sizeof(struct in6_addr)) == 0;
}

/* Whether a warning of `kind` about peer `pi` may be logged now; *held
 * is then how many were held back since the last one. */
static bool may_warn(struct transport *t, size_t pi, enum warn_kind kind,
    uint64_t *held)
{
	return log_gate_pass(&t->warn[pi][kind], loop_now(t->loop),
	    TRANSPORT_WARN_MS, held);
}

/* A frame from peer `p` that is not sealed as this node seals: another
 * crypto setting or another key there. Counted, and named in a warning
 * at a bounded rate. */
static void auth_failed(struct transport *t, const struct transport_peer *p,
    enum warn_kind kind)
{
	static const char *const why[] = {
		[WARN_PLAIN] = "sends plain text, but this node requires crypto "
		    "(crypto_cipher/crypto_hash set here, not there?)",
		[WARN_UNKEYED] = "sends sealed frames, but this node has no key "
		    "(crypto_cipher and crypto_hash are none here)",
		[WARN_SEAL] = "sends frames that fail authentication: its key "
		    "differs from this node's (another key file)",
	};
	size_t pi = (size_t)(p - t->cfg.peers);
	uint64_t held;
	char a[INET6_ADDRSTRLEN + 8];

	t->st.rx_auth_failed++;
	if (may_warn(t, pi, kind, &held))
		log_warnx("transport: node %u at %s %s; its frames are dropped "
		    "(%" PRIu64 " more dropped since the last warning)", p->nodeid,
		    addr_str(&p->addr, a, sizeof(a)), why[kind], held);
}

/* Remembers a frame to a peer for the closed-port check (unreach.h):
 * the bytes after its header, which start with the random nonce of a
 * sealed frame. Multicast frames draw no ICMP error. */
static void note_sent(struct transport *t, const struct transport_peer *peer,
    const uint8_t *d, size_t len)
{
	if (!t->cfg.unreachable || peer == &t->group)
		return;
	unreach_sent(&t->unreach, (size_t)(peer - t->cfg.peers),
	    d + TRANSPORT_HDR_LEN, len - TRANSPORT_HDR_LEN, loop_now(t->loop));
}

static void on_unreach_due(void *arg);

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
		foreign = !origin || !same_host(origin, &p->addr);
		if (may_warn(t, pi, foreign ? WARN_ICMP_ORIGIN : WARN_ICMP_QUOTE,
		    &held))
			log_warnx("transport: ICMP port unreachable about node "
			    "%u (%s) from %s ignored: %s (%" PRIu64 " more "
			    "such since the last warning)", p->nodeid,
			    addr_str(&p->addr, a, sizeof(a)),
			    origin ? addr_str(origin, o, sizeof(o)) : "?",
			    foreign ? "not from the node's address" :
			    "it quotes no datagram recently sent there", held);
		break;
	case UNREACH_ALIVE:
		t->st.icmp_peer_alive++;
		if (may_warn(t, pi, WARN_ICMP_ALIVE, &held))
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
static void on_unreach_due(void *arg)
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

		if (p->nodeid == t->cfg.local_nodeid || !same_addr(&p->addr, to))
			continue;
		t->st.port_unreachable++;
		if (!t->cfg.unreachable) {
			t->st.icmp_ignored++;
			return;
		}
		if (same_host(origin, &p->addr) && qlen >= TRANSPORT_HDR_LEN)
			v = unreach_judge(&t->unreach, i, quote +
			    TRANSPORT_HDR_LEN, qlen - TRANSPORT_HDR_LEN,
			    t->last_rx[i], loop_now(t->loop));
		icmp_verdict(t, i, v, origin);
		return;
	}
}

/* Writes the header of the next frame to `peer` at `d`: the flags, ids,
 * incarnation, the stream's next counter and our configuration digest. */
static void put_header(struct transport *t, uint8_t *d,
    const struct transport_peer *peer, bool frag)
{
	bool group = peer == &t->group;
	size_t stream = group ? STREAM_GROUP : (size_t)(peer - t->cfg.peers);

	put_be32(d, TRANSPORT_MAGIC);
	d[4] = TRANSPORT_VERSION;
	d[5] = (uint8_t)((t->sealed ? FLAG_SEALED : 0) | (frag ? FLAG_FRAG : 0) |
	    (group ? FLAG_GROUP : 0) | t->tx_flags);
	d[6] = d[7] = 0;
	put_be32(d + 8, t->cfg.cluster_id);
	put_be32(d + 12, t->cfg.local_nodeid);
	put_be64(d + HDR_INCARNATION, t->cfg.incarnation);
	put_be64(d + HDR_COUNTER, ++t->tx_counter[stream]);
	put_be32(d + HDR_DIGEST, t->cfg.config_digest);
}

/* Builds one frame for `peer` in the next batch slot: `frag` (a fragment
 * header, or NULL) then `len` bytes of `buf` as its payload. */
static void queue_one(struct transport *t, const struct transport_peer *peer,
    const uint8_t *frag, const uint8_t *buf, size_t len)
{
	uint8_t *d, *m;
	size_t out = TRANSPORT_HDR_LEN;
	unsigned long long clen;

	if (t->tx_n == BATCH)
		transport_flush(t);
	d = t->tx_buf + (size_t)t->tx_n * t->slot;
	put_header(t, d, peer, frag != NULL);
	m = d + out + (t->sealed ? TRANSPORT_NONCE_LEN : 0);
	if (frag) {
		/* The payload in one piece where it goes; sealed in place. */
		memcpy(m, frag, TRANSPORT_FRAG_HDR_LEN);
		memcpy(m + TRANSPORT_FRAG_HDR_LEN, buf, len);
		buf = m;
		len += TRANSPORT_FRAG_HDR_LEN;
	}
	if (t->sealed) {
		randombytes_buf(d + out, TRANSPORT_NONCE_LEN);
		crypto_aead_xchacha20poly1305_ietf_encrypt(m, &clen, buf, len,
		    d, TRANSPORT_HDR_LEN, NULL, d + out, t->key);
		out += TRANSPORT_NONCE_LEN + (size_t)clen;
	} else {
		if (buf != m)
			memcpy(m, buf, len);
		out += len;
	}
	t->tx_iov[t->tx_n].iov_base = d;
	note_sent(t, peer, d, out);
	add_frame(t, peer, out);
}

/* Queues a datagram to one destination: as one frame, or cut into
 * fragments of t->chunk bytes under datagram id `id`. */
static void queue_datagram(struct transport *t,
    const struct transport_peer *peer, uint32_t id, const uint8_t *buf,
    size_t len)
{
	uint8_t fh[TRANSPORT_FRAG_HDR_LEN];
	size_t count, off = 0;

	if (len <= t->chunk + TRANSPORT_FRAG_HDR_LEN) {
		queue_one(t, peer, NULL, buf, len);
		return;
	}
	count = (len + t->chunk - 1) / t->chunk;
	put_be32(fh, id);
	put_be32(fh + 4, (uint32_t)len);
	put_be32(fh + 8, (uint32_t)t->chunk);
	put_be16(fh + 14, (uint16_t)count);
	for (size_t i = 0; i < count; i++, off += t->chunk) {
		size_t n = len - off < t->chunk ? len - off : t->chunk;

		put_be16(fh + 12, (uint16_t)i);
		queue_one(t, peer, fh, buf + off, n);
		t->st.tx_frags++;
	}
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
		const struct transport_peer *p = peer_by_id(t, to);

		if (p && to != t->cfg.local_nodeid)
			queue_datagram(t, p, id, buf, len);
		return;
	}
	if (t->mfd >= 0) {
		queue_datagram(t, &t->group, id, buf, len);
		return;
	}
	for (size_t i = 0; i < t->cfg.n_peers; i++)
		if (t->cfg.peers[i].nodeid != t->cfg.local_nodeid)
			queue_datagram(t, &t->cfg.peers[i], id, buf, len);
}

/* The slot for datagram `id` of peer `pi`: its own, else a free one,
 * else the least recently touched (its datagram given up). */
static struct reasm *reasm_slot(struct transport *t, size_t pi, uint32_t id)
{
	struct reasm *r = t->reasm[pi], *pick = NULL;

	for (unsigned i = 0; i < TRANSPORT_REASM_SLOTS; i++)
		if (r[i].busy && r[i].id == id)
			return &r[i];
	for (unsigned i = 0; i < TRANSPORT_REASM_SLOTS; i++) {
		if (!r[i].busy) {
			pick = &r[i];
			break;
		}
		if (!pick || r[i].stamp < pick->stamp)
			pick = &r[i];
	}
	if (pick->busy)
		t->st.rx_frag_evicted++;
	pick->busy = false;
	return pick;
}

/* One good fragment of peer `pi`: into its slot; the datagram goes to
 * the engine when whole. Fragment i of a datagram of `total` bytes cut
 * into `count` pieces of `chunk` bytes holds bytes i * chunk onwards,
 * `chunk` of them but for the last: a header that breaks this drops the
 * fragment, so the pieces that make a datagram tile it exactly. */
static void take_summary(struct transport *t, size_t pi, uint32_t digest,
    const uint8_t *m, size_t len);

static void accept_frag(struct transport *t, size_t pi, uint32_t sender,
    const uint8_t *m, size_t len, bool summary, uint32_t digest)
{
	uint32_t id, total, chunk, off;
	uint16_t idx, count;
	struct reasm *r;

	if (len <= TRANSPORT_FRAG_HDR_LEN)
		goto bad;
	id = get_be32(m);
	total = get_be32(m + 4);
	chunk = get_be32(m + 8);
	idx = get_be16(m + 12);
	count = get_be16(m + 14);
	len -= TRANSPORT_FRAG_HDR_LEN;
	if (count < 2 || count > TRANSPORT_MAX_FRAGS || idx >= count ||
	    total > t->cfg.max_payload || chunk == 0 ||
	    (total + chunk - 1) / chunk != count)
		goto bad;
	off = idx * chunk;
	if (len != (total - off < chunk ? total - off : chunk))
		goto bad;
	r = reasm_slot(t, pi, id);
	if (r->busy && (r->total != total || r->chunk != chunk ||
	    r->summary != summary))
		goto bad;   /* the same id, another datagram: a forgery */
	if (!r->busy) {
		if (!r->buf && !(r->buf = malloc(t->cfg.max_payload))) {
			t->st.rx_frag_evicted++;
			return;
		}
		memset(r->seen, 0, sizeof(r->seen));
		r->busy = true;
		r->id = id;
		r->total = total;
		r->chunk = chunk;
		r->count = count;
		r->have = 0;
		r->summary = summary;
	}
	r->stamp = ++t->reasm_clock;
	t->st.rx_frags++;
	if (r->seen[idx / 64] & (UINT64_C(1) << (idx % 64)))
		return;     /* a duplicate */
	r->seen[idx / 64] |= UINT64_C(1) << (idx % 64);
	memcpy(r->buf + off, m + TRANSPORT_FRAG_HDR_LEN, len);
	if (++r->have < r->count)
		return;
	r->busy = false;
	t->st.rx_reassembled++;
	if (summary)
		take_summary(t, pi, digest, r->buf, r->total);
	else
		t->rx(t->arg, sender, r->buf, r->total);
	return;
bad:
	t->st.rx_malformed++;
}

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

/* The replay window of the stream the frame with header `d` from peer
 * `pi` belongs to. */
static struct replay_window *stream_window(struct transport *t, size_t pi,
    const uint8_t *d)
{
	return &t->win[pi][d[5] & FLAG_GROUP ? 1 : 0];
}

/* Whether the frame with header `d` from peer `pi` is fresh (replay.h);
 * a stale one is counted and reported. Changes no window: the frame is
 * not authenticated yet. */
static bool frame_fresh(struct transport *t, size_t pi, const uint8_t *d)
{
	enum replay_verdict v = replay_check(stream_window(t, pi, d),
	    get_be64(d + HDR_INCARNATION), get_be64(d + HDR_COUNTER));

	if (replay_fresh(v))
		return true;
	if (v == REPLAY_PAST_INCARNATION)
		t->st.rx_old_incarnation++;
	else
		t->st.rx_replayed++;
	report_replays(t, get_be32(d + 12), v);
	return false;
}

/* Records an authenticated fresh frame in its window. */
static void frame_taken(struct transport *t, size_t pi, const uint8_t *d)
{
	struct replay_window *w = stream_window(t, pi, d);
	uint64_t inc = get_be64(d + HDR_INCARNATION);

	/* A new run of the peer hears our summary at once. */
	if (inc != w->incarnation)
		t->summary_sent_at[pi] = 0;
	replay_take(w, inc, get_be64(d + HDR_COUNTER));
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
	queue_datagram(t, &t->cfg.peers[pi], t->next_id++, t->cfg.summary,
	    t->cfg.summary_len);
	t->tx_flags = 0;
	t->st.tx_summaries++;
}

/* Whether a fresh frame of peer `pi` carries our configuration digest; a
 * summary is let through all the same. Another digest is counted and
 * answered with our summary. */
static bool config_agrees(struct transport *t, size_t pi, const uint8_t *d)
{
	if (get_be32(d + HDR_DIGEST) == t->cfg.config_digest) {
		t->cfg_differs[pi] = false;
		return true;
	}
	t->cfg_differs[pi] = true;
	if (d[5] & FLAG_SUMMARY)
		return true;
	t->st.rx_config_mismatch++;
	send_summary(t, pi);
	return false;
}

/* Peer `pi`'s configuration summary, sent under `digest`. */
static void take_summary(struct transport *t, size_t pi, uint32_t digest,
    const uint8_t *m, size_t len)
{
	uint8_t *copy;

	t->st.rx_summaries++;
	if (digest == t->cfg.config_digest)
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

/* Checks one received datagram; calls rx for a good one. */
static void accept_one(struct transport *t, uint8_t *d, size_t len,
    const struct sockaddr_storage *from)
{
	const struct transport_peer *p;
	unsigned long long plen;
	uint32_t sender;
	uint8_t *m;
	bool sealed;

	if (len < TRANSPORT_HDR_LEN || get_be32(d) != TRANSPORT_MAGIC ||
	    d[4] != TRANSPORT_VERSION || (d[5] & ~FLAGS_ALL) ||
	    d[6] || d[7]) {
		t->st.rx_malformed++;
		return;
	}
	if (get_be32(d + 8) != t->cfg.cluster_id) {
		t->st.rx_foreign++;
		return;
	}
	sender = get_be32(d + 12);
	p = peer_by_id(t, sender);
	if (!p || sender == t->cfg.local_nodeid || !same_addr(&p->addr, from)) {
		t->st.rx_unknown_sender++;
		return;
	}
	sealed = d[5] & FLAG_SEALED;
	if (sealed != t->sealed) {
		auth_failed(t, p, sealed ? WARN_UNKEYED : WARN_PLAIN);
		return;
	}
	if (!frame_fresh(t, (size_t)(p - t->cfg.peers), d))
		return;
	if (!sealed) {
		m = d + TRANSPORT_HDR_LEN;
		plen = len - TRANSPORT_HDR_LEN;
	} else if (len < TRANSPORT_OVERHEAD ||
	    crypto_aead_xchacha20poly1305_ietf_decrypt(d + TRANSPORT_OVERHEAD -
	    TRANSPORT_TAG_LEN, &plen, NULL, d + TRANSPORT_HDR_LEN +
	    TRANSPORT_NONCE_LEN, len - TRANSPORT_HDR_LEN - TRANSPORT_NONCE_LEN,
	    d, TRANSPORT_HDR_LEN, d + TRANSPORT_HDR_LEN, t->key) != 0) {
		auth_failed(t, p, WARN_SEAL);
		return;
	} else {
		/* The plain text was written over the front of the cipher
		 * text. */
		m = d + TRANSPORT_OVERHEAD - TRANSPORT_TAG_LEN;
	}
	frame_taken(t, (size_t)(p - t->cfg.peers), d);
	t->last_rx[p - t->cfg.peers] = loop_now(t->loop);
	if (!config_agrees(t, (size_t)(p - t->cfg.peers), d))
		return;
	if (d[5] & FLAG_FRAG)
		accept_frag(t, (size_t)(p - t->cfg.peers), sender, m,
		    (size_t)plen, d[5] & FLAG_SUMMARY, get_be32(d + HDR_DIGEST));
	else if (d[5] & FLAG_SUMMARY)
		take_summary(t, (size_t)(p - t->cfg.peers),
		    get_be32(d + HDR_DIGEST), m, (size_t)plen);
	else
		t->rx(t->arg, sender, m, (size_t)plen);
}

/* Reads the socket's error queue: an ICMP port unreachable names the
 * peer address a datagram of ours went to, the host that sent the ICMP
 * (SO_EE_OFFENDER) and, as the payload, the start of that datagram as the
 * ICMP quotes it. The kernel writes the queue, from ICMP that anyone may
 * send. */
static void read_errors(struct transport *t, int fd)
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

static void on_readable(void *arg, int fd, uint32_t events)
{
	struct transport *t = arg;
	int n;

	if (events & EPOLLERR)
		read_errors(t, fd);

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
		if (cuts(t)) {
			t->rx_msg[i].msg_hdr.msg_control = t->rx_ctl[i].b;
			t->rx_msg[i].msg_hdr.msg_controllen =
			    sizeof(t->rx_ctl[i].b);
		}
	}
	n = recvmmsg(fd, t->rx_msg, t->rx_batch, MSG_DONTWAIT, NULL);
	for (int i = 0; i < n; i++) {
		struct msghdr *h = &t->rx_msg[i].msg_hdr;
		uint8_t *d = t->rx_iov[i].iov_base;
		size_t len = t->rx_msg[i].msg_len, seg = len;

		if (h->msg_flags & MSG_TRUNC) {
			t->st.rx++;
			t->st.rx_malformed++;
			continue;
		}
		/* Frames the kernel coalesced (UDP_GRO): seg bytes each,
		 * the last one possibly shorter. */
		for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c;
		    c = CMSG_NXTHDR(h, c)) {
			int v;

			if (c->cmsg_level != SOL_UDP || c->cmsg_type != UDP_GRO ||
			    c->cmsg_len < CMSG_LEN(sizeof(v)))
				continue;
			memcpy(&v, CMSG_DATA(c), sizeof(v));
			if (v > 0)
				seg = (size_t)v;
		}
		if (seg < len)
			t->st.rx_coalesced += (len + seg - 1) / seg;
		/* At least once: an empty datagram is malformed too. */
		for (size_t off = 0; off == 0 || off < len; off += seg) {
			t->st.rx++;
			accept_one(t, d + off, len - off < seg ? len - off : seg,
			    &t->rx_addr[i]);
			if (seg == 0)
				break;
		}
	}
}

/* Socket buffers: room for 128 of the largest datagrams (two windows; a
 * large datagram arrives as many frames, truesize well above the
 * payload), at least 4 MiB, beyond net.core.rmem_max/wmem_max where the
 * daemon may (CAP_NET_ADMIN, as knet; Debian's default limit is 208 KiB). */
static void set_buffer(const struct transport *t, int fd, int opt,
    int force_opt)
{
	size_t want = (t->cfg.max_payload + TRANSPORT_OVERHEAD) * 128;
	int bytes = 4 << 20;

	if (want > (size_t)bytes)
		bytes = (int)want;
	if (setsockopt(fd, SOL_SOCKET, force_opt, &bytes, sizeof(bytes)) < 0)
		setsockopt(fd, SOL_SOCKET, opt, &bytes, sizeof(bytes));
}

/* The index of the interface that has address `a` (port ignored), 0 if
 * none has it. */
static unsigned int ifindex_of(const struct sockaddr_storage *a)
{
	struct ifaddrs *ifs, *i;
	unsigned int idx = 0;

	if (getifaddrs(&ifs) < 0)
		return 0;
	for (i = ifs; i && !idx; i = i->ifa_next) {
		struct sockaddr_storage x = { 0 };

		if (!i->ifa_addr || i->ifa_addr->sa_family != a->ss_family)
			continue;
		memcpy(&x, i->ifa_addr, a->ss_family == AF_INET ?
		    sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
		/* same_addr compares ports too: give x the port of a. */
		if (a->ss_family == AF_INET)
			((struct sockaddr_in *)&x)->sin_port =
			    ((const struct sockaddr_in *)a)->sin_port;
		else
			((struct sockaddr_in6 *)&x)->sin6_port =
			    ((const struct sockaddr_in6 *)a)->sin6_port;
		if (same_addr(&x, a))
			idx = if_nametoindex(i->ifa_name);
	}
	freeifaddrs(ifs);
	return idx;
}

/* The socket that receives the group's datagrams: bound to the group's
 * address and port, joined with `join` (a membership request of size
 * `len` at IP level `level`, option `opt`). */
static int group_socket(struct transport *t, const struct sockaddr_storage *g,
    socklen_t glen, int level, int opt, const void *join, socklen_t len)
{
	int one = 1;

	t->mfd = socket(g->ss_family, SOCK_DGRAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (t->mfd < 0)
		return -errno;
	setsockopt(t->mfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (cuts(t))
		setsockopt(t->mfd, SOL_UDP, UDP_GRO, &one, sizeof(one));
	set_buffer(t, t->mfd, SO_RCVBUF, SO_RCVBUFFORCE);
	if (bind(t->mfd, (const struct sockaddr *)g, glen) < 0 ||
	    setsockopt(t->mfd, level, opt, join, len) < 0)
		return -errno;
	return 0;
}

bool transport_is_multicast(const struct sockaddr_storage *a)
{
	if (a->ss_family == AF_INET)
		return IN_MULTICAST(ntohl(((const struct sockaddr_in *)(const void *)
		    a)->sin_addr.s_addr));
	return a->ss_family == AF_INET6 && IN6_IS_ADDR_MULTICAST(
	    &((const struct sockaddr_in6 *)(const void *)a)->sin6_addr);
}

/* The multicast side: the sending options of the unicast socket (out
 * through the node's own interface, time to live 1, no loopback) and a
 * second socket bound to the group's address and port, joined there. */
static int open_group(struct transport *t, const struct transport_peer *self)
{
	const struct sockaddr_storage *g = &t->cfg.mcast;
	unsigned int ifindex = ifindex_of(&self->addr);
	int one = 1, zero = 0, rc;

	if (g->ss_family != self->addr.ss_family || !transport_is_multicast(g))
		return -EINVAL;
	if (g->ss_family == AF_INET) {
		const struct sockaddr_in *ga = (const void *)g;
		const struct sockaddr_in *sa = (const void *)&self->addr;
		struct ip_mreqn mr = { .imr_multiaddr = ga->sin_addr,
		    .imr_address = sa->sin_addr, .imr_ifindex = (int)ifindex };

		if (setsockopt(t->fd, IPPROTO_IP, IP_MULTICAST_IF, &mr,
		    sizeof(mr)) < 0 ||
		    setsockopt(t->fd, IPPROTO_IP, IP_MULTICAST_LOOP, &zero,
		    sizeof(zero)) < 0 ||
		    setsockopt(t->fd, IPPROTO_IP, IP_MULTICAST_TTL, &one,
		    sizeof(one)) < 0)
			return -errno;
		rc = group_socket(t, g, sizeof(*ga), IPPROTO_IP,
		    IP_ADD_MEMBERSHIP, &mr, sizeof(mr));
	} else {
		const struct sockaddr_in6 *ga = (const void *)g;
		struct ipv6_mreq mr = { .ipv6mr_multiaddr = ga->sin6_addr,
		    .ipv6mr_interface = ifindex };

		if (setsockopt(t->fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex,
		    sizeof(ifindex)) < 0 ||
		    setsockopt(t->fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &zero,
		    sizeof(zero)) < 0 ||
		    setsockopt(t->fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &one,
		    sizeof(one)) < 0)
			return -errno;
		rc = group_socket(t, g, sizeof(*ga), IPPROTO_IPV6,
		    IPV6_JOIN_GROUP, &mr, sizeof(mr));
	}
	if (rc < 0)
		return rc;
	t->group.addr = *g;
	t->group.addr_len = t->cfg.mcast_len;
	return loop_add_fd(t->loop, t->mfd, EPOLLIN, on_readable, t, &t->mreg);
}

int transport_new(struct loop *l, const struct transport_config *cfg,
    transport_rx_fn rx, void *arg, struct transport **out)
{
	const struct transport_peer *self;
	struct transport *t;
	int rc, one = 1;

	if (sodium_init() < 0)
		return -EIO;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->loop = l;
	t->fd = -1;
	t->mfd = -1;
	t->cfg = *cfg;
	t->rx = rx;
	t->arg = arg;
	t->sealed = cfg->key != NULL;
	t->cfg.key = NULL;   /* the caller's copy: not kept */
	if (t->sealed) {
		t->key = sodium_malloc(TRANSPORT_KEY_LEN);
		if (!t->key) {
			free(t);
			return -ENOMEM;
		}
		memcpy(t->key, cfg->key, TRANSPORT_KEY_LEN);
		/* sodium_malloc locked it if it could: say so when it could
		 * not (RLIMIT_MEMLOCK reached). */
		if (sodium_mlock(t->key, TRANSPORT_KEY_LEN) < 0)
			log_warn("transport: cannot lock the cluster key in "
			    "memory, it may be swapped out");
	}
	unreach_init(&t->unreach, cfg->unreachable_quiet_ms,
	    cfg->unreachable_age_ms);
	t->unreach_timer.fn = on_unreach_due;
	t->unreach_timer.arg = t;
	/* The frame: the whole datagram, or cut to frame_max. */
	t->frame = cfg->max_payload + TRANSPORT_OVERHEAD;
	rc = -EINVAL;
	if (cfg->incarnation == 0)
		goto fail;
	if (cfg->frame_max && cfg->frame_max < t->frame) {
		if (cfg->frame_max < TRANSPORT_FRAME_MIN)
			goto fail;
		t->frame = cfg->frame_max;
		t->chunk = t->frame - TRANSPORT_OVERHEAD - TRANSPORT_FRAG_HDR_LEN;
		if ((cfg->max_payload + t->chunk - 1) / t->chunk >
		    TRANSPORT_MAX_FRAGS)
			goto fail;
	} else {
		/* Never cut: every datagram fits one frame. */
		t->chunk = cfg->max_payload;
	}
	randombytes_buf(&t->next_id, sizeof(t->next_id));
	t->slot = t->frame + 1;
	t->rx_slot = t->slot;
	t->rx_batch = BATCH;
	/* Cut datagrams: their frames may arrive coalesced (UDP_GRO),
	 * up to 64 KiB a read. */
	if (cuts(t)) {
		t->rx_slot = GRO_SLOT;
		t->rx_batch = GRO_BATCH;
	}
	t->tx_buf = malloc(t->slot * BATCH);
	t->rx_buf = malloc(t->rx_slot * t->rx_batch);
	self = peer_by_id(t, cfg->local_nodeid);
	rc = -ENOMEM;
	if (!t->tx_buf || !t->rx_buf)
		goto fail;
	rc = -EINVAL;
	if (!self)
		goto fail;
	t->fd = socket(self->addr.ss_family, SOCK_DGRAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (t->fd < 0) {
		rc = -errno;
		goto fail;
	}
	setsockopt(t->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	set_buffer(t, t->fd, SO_RCVBUF, SO_RCVBUFFORCE);
	set_buffer(t, t->fd, SO_SNDBUF, SO_SNDBUFFORCE);
	/* ICMP errors about our datagrams: a closed port means a dead
	 * daemon, reported at once (cfg->unreachable). */
	if (self->addr.ss_family == AF_INET)
		setsockopt(t->fd, SOL_IP, IP_RECVERR, &one, sizeof(one));
	else
		setsockopt(t->fd, SOL_IPV6, IPV6_RECVERR, &one, sizeof(one));
	/* Cut datagrams: their frames leave in one send each where the
	 * kernel takes UDP_SEGMENT (4.18; an older one would ignore the
	 * control message and send them as one datagram, so it is probed
	 * here and the socket's default left at 0), and may arrive
	 * coalesced (UDP_GRO, 5.0; without it one by one). */
	if (cuts(t)) {
		int seg = (int)t->frame, zero = 0;

		t->gso = setsockopt(t->fd, SOL_UDP, UDP_SEGMENT, &seg,
		    sizeof(seg)) == 0 && setsockopt(t->fd, SOL_UDP, UDP_SEGMENT,
		    &zero, sizeof(zero)) == 0;
		setsockopt(t->fd, SOL_UDP, UDP_GRO, &one, sizeof(one));
	}
	if (bind(t->fd, (const struct sockaddr *)&self->addr,
	    self->addr_len) < 0) {
		rc = -errno;
		goto fail;
	}
	rc = loop_add_fd(l, t->fd, EPOLLIN, on_readable, t, &t->reg);
	if (rc < 0)
		goto fail;
	if (cfg->mcast_len && (rc = open_group(t, self)) < 0) {
		loop_del_fd(l, t->reg);
		goto fail;
	}
	*out = t;
	return 0;
fail:
	if (t->mfd >= 0)
		close(t->mfd);
	if (t->fd >= 0)
		close(t->fd);
	free(t->tx_buf);
	free(t->rx_buf);
	sodium_free(t->key);
	free(t);
	return rc;
}

void transport_free(struct transport *t)
{
	if (!t)
		return;
	transport_flush(t);
	loop_timer_disarm(t->loop, &t->unreach_timer);
	loop_del_fd(t->loop, t->reg);
	close(t->fd);
	if (t->mfd >= 0) {
		loop_del_fd(t->loop, t->mreg);
		close(t->mfd);
	}
	free(t->tx_buf);
	free(t->rx_buf);
	for (size_t i = 0; i < PROTO_MAX_NODES; i++) {
		for (unsigned k = 0; k < TRANSPORT_REASM_SLOTS; k++)
			free(t->reasm[i][k].buf);
		free(t->peer_summary[i]);
	}
	sodium_free(t->key);
	free(t);
}

void transport_stats(const struct transport *t, struct transport_stats *st)
{
	int v = 0;
	socklen_t len = sizeof(v);

	*st = t->st;
	if (getsockopt(t->fd, SOL_SOCKET, SO_RCVBUF, &v, &len) == 0)
		st->rcvbuf = (uint64_t)v;
	len = sizeof(v);
	if (getsockopt(t->fd, SOL_SOCKET, SO_SNDBUF, &v, &len) == 0)
		st->sndbuf = (uint64_t)v;
}

int transport_derive_key(const uint8_t *file, size_t len,
    const char *cluster_name, uint8_t key[TRANSPORT_KEY_LEN])
{
	static const char context[] = "cohort cluster key v1";
	crypto_generichash_state h;

	if (len < KEYFILE_MIN || len > KEYFILE_MAX)
		return -EINVAL;
	if (sodium_init() < 0)
		return -EIO;
	crypto_generichash_init(&h, NULL, 0, TRANSPORT_KEY_LEN);
	crypto_generichash_update(&h, (const uint8_t *)context, sizeof(context));
	crypto_generichash_update(&h, (const uint8_t *)cluster_name,
	    strlen(cluster_name) + 1);
	crypto_generichash_update(&h, file, len);
	crypto_generichash_final(&h, key, TRANSPORT_KEY_LEN);
	/* The state holds what the key was made of. */
	sodium_memzero(&h, sizeof(h));
	return 0;
}

uint64_t transport_last_rx(const struct transport *t, uint32_t nodeid)
{
	for (size_t i = 0; i < t->cfg.n_peers; i++)
		if (t->cfg.peers[i].nodeid == nodeid)
			return t->last_rx[i];
	return 0;
}

bool transport_peer_config(const struct transport *t, uint32_t nodeid,
    const uint8_t **summary, size_t *len)
{
	for (size_t i = 0; i < t->cfg.n_peers; i++)
		if (t->cfg.peers[i].nodeid == nodeid && t->cfg_differs[i]) {
			*summary = t->peer_summary[i];
			*len = t->peer_summary_len[i];
			return true;
		}
	return false;
}

bool transport_windows_changed(const struct transport *t)
{
	return t->win_moved;
}

size_t transport_windows_save(struct transport *t, uint8_t *buf)
{
	size_t n = 0;

	for (size_t i = 0; i < t->cfg.n_peers; i++)
		for (uint8_t k = 0; k < 2; k++) {
			const struct replay_window *w = &t->win[i][k];
			uint8_t *r = buf + n;

			if (!w->incarnation)
				continue;
			put_be32(r, t->cfg.peers[i].nodeid);
			r[4] = k;
			put_be64(r + 5, w->incarnation);
			put_be64(r + 13, w->top);
			n += TRANSPORT_WINDOW_REC;
		}
	t->win_moved = false;
	return n;
}

int transport_windows_load(struct transport *t, const uint8_t *buf,
    size_t len)
{
	if (len % TRANSPORT_WINDOW_REC || len > TRANSPORT_WINDOWS_MAX)
		return -EINVAL;
	for (size_t off = 0; off < len; off += TRANSPORT_WINDOW_REC) {
		const uint8_t *r = buf + off;
		const struct transport_peer *p = peer_by_id(t, get_be32(r));
		uint64_t inc = get_be64(r + 5);

		if (!p || r[4] > 1 || inc == 0 ||
		    p->nodeid == t->cfg.local_nodeid)
			continue;
		replay_restore(&t->win[p - t->cfg.peers][r[4]], inc,
		    get_be64(r + 13));
	}
	return 0;
}
