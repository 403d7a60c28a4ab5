/*
 * transport_int.h: what the files of the transport share (transport.h is
 * its interface).
 *
 *   transport.c         sockets, set-up and tear-down, the getters, the
 *                       replay windows kept across a restart
 *   transport_frame.c   the frame header and sealing: building a frame,
 *                       checking and opening a received one
 *   transport_frag.c    cutting datagrams into fragments, reassembly
 *   transport_rx.c      the receive path: batches, replay and
 *                       configuration checks, summaries
 *   transport_tx.c      send batching and segmentation offload
 *   transport_icmp.c    the socket's error queue and the closed-port
 *                       fast path (unreach.h)
 *   transport_links.c   heartbeats on every link (links.h keeps the
 *                       state and picks each peer's links)
 */
#ifndef COHORT_TRANSPORT_INT_H
#define COHORT_TRANSPORT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "common/buf.h"
#include "common/log.h"
#include "daemon/transport/replay.h"
#include "daemon/transport/transport.h"
#include "daemon/transport/unreach.h"

#define TRANSPORT_MAGIC 0x434f4854u   /* "COHT" */
#define TRANSPORT_VERSION 2u
#define FLAG_SEALED 1u
#define FLAG_FRAG 2u
#define FLAG_GROUP 4u                 /* sent to the multicast group */
#define FLAG_SUMMARY 8u               /* a configuration summary */
#define FLAG_HEARTBEAT 16u            /* a ping or pong on one link */
#define FLAGS_ALL (FLAG_SEALED | FLAG_FRAG | FLAG_GROUP | FLAG_SUMMARY | \
    FLAG_HEARTBEAT)
/* A heartbeat's payload: u8 kind (HB_PING, HB_PONG), u8 link, u16 0,
 * u64 the ping's send time (the pinging node's clock, microseconds),
 * which the pong echoes. */
#define HB_LEN 12u
#define HB_PING 1u
#define HB_PONG 2u
/* Frames remembered per peer and stream to drop the second copy of one
 * that came over two links, without a key (transport_rx.c). */
#define DEDUP_SLOTS 1024u
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

/* The frame header (transport.h), decoded. */
struct frame_hdr {
	uint32_t magic;
	uint8_t version, flags;
	uint16_t zero;
	uint32_t cluster_id, sender;
	uint64_t incarnation, counter;
	uint32_t digest;
};

/* The fragment header (transport.h), decoded. */
struct frag_hdr {
	uint32_t id, total, chunk;
	uint16_t index, count;
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

/* A frame taken from a peer without a key: slot counter % DEDUP_SLOTS. */
struct dedup_slot {
	uint64_t incarnation, counter;
};

struct transport {
	struct loop *loop;
	int fd;                      /* link 0's socket: lfd[0] */
	struct loop_reg *reg;
	/* Per link: the socket bound to the local node's address on it, or
	 * -1 where it has none. */
	int lfd[LINKS_MAX];
	struct loop_reg *lreg[LINKS_MAX];
	/* Link health and selection per peer (index in cfg.peers); the
	 * heartbeat timer; whether heartbeats run. */
	struct links links;
	struct loop_timer hb_timer;
	bool heartbeats;
	/* The local node has several links: a frame may come twice. */
	bool dedup_links;
	/* Links the frames queued now take (0: link 0). */
	uint8_t tx_mask;
	/* Without a key and with several links: per peer and stream, the
	 * frames taken lately (DEDUP_SLOTS each), NULL otherwise. */
	struct dedup_slot *dedup;
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
	uint8_t tx_link[BATCH];                      /* per frame */
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
	/* The digest before the last transport_set_config: sent until loop
	 * time digest_sent_until, and taken beside the new one until
	 * digest_taken_until (0: no longer). */
	uint32_t prev_digest;
	uint64_t digest_sent_until, digest_taken_until;
	struct loop_timer digest_timer;
	uint64_t summary_sent_at[PROTO_MAX_NODES];
	uint8_t *peer_summary[PROTO_MAX_NODES];
	size_t peer_summary_len[PROTO_MAX_NODES];
};

/* transport.c */
/* The monotonic clock in microseconds (heartbeat times). */
uint64_t tr_now_us(void);
/* The address of peer `pi` on link `l` (addr_len 0: none). */
const struct transport_peer *tr_link_peer(const struct transport *t,
    size_t pi, unsigned l);
/* Whether datagrams are cut into fragments (knet): then frames may also
 * arrive coalesced (UDP_GRO). */
bool tr_cuts(const struct transport *t);
const struct transport_peer *tr_peer_by_id(const struct transport *t,
    uint32_t id);
/* Whether `a` and `b` are the same address and port. */
bool tr_same_addr(const struct sockaddr_storage *a,
    const struct sockaddr_storage *b);
/* Whether `a` and `b` are the same host address (ports aside). */
bool tr_same_host(const struct sockaddr_storage *a,
    const struct sockaddr_storage *b);
/* `a` as text, "192.0.2.1:5405" or "[2001:db8::1]:5405", in `buf`. */
const char *tr_addr_str(const struct sockaddr_storage *a, char *buf,
    size_t len);
/* Whether a warning of `kind` about peer `pi` may be logged now; *held
 * is then how many were held back since the last one. */
bool tr_may_warn(struct transport *t, size_t pi, enum warn_kind kind,
    uint64_t *held);

/* transport_frame.c */
/* Decodes a frame header from `rb`; rb->err says whether it was there
 * whole. */
void tr_frame_hdr_get(struct rbuf *rb, struct frame_hdr *h);
/* Builds one frame for `peer` in the next batch slot: `frag` (a fragment
 * header, or NULL) then `len` bytes of `buf` as its payload. */
void tr_queue_one(struct transport *t, const struct transport_peer *peer,
    const struct frag_hdr *frag, const uint8_t *buf, size_t len);
/* Opens the payload of a frame from peer `p` (`len` bytes at `d`, whose
 * header `h` passed the checks before authentication, its sealing flag
 * as this node's among them): on success sets *m and *mlen to the plain
 * text, inside the frame. false, counted and warned about, when the seal
 * fails. */
bool tr_open_frame(struct transport *t, const struct transport_peer *p,
    const struct frame_hdr *h, uint8_t *d, size_t len, uint8_t **m,
    size_t *mlen);
/* A frame from peer `p` that is not sealed as this node seals: counted,
 * and named in a warning at a bounded rate. */
void tr_auth_failed(struct transport *t, const struct transport_peer *p,
    enum warn_kind kind);

/* transport_frag.c */
/* Queues a datagram to one destination: as one frame, or cut into
 * fragments of t->chunk bytes under datagram id `id`. */
void tr_queue_datagram(struct transport *t, const struct transport_peer *peer,
    uint32_t id, const uint8_t *buf, size_t len);
/* One fragment (its payload `m`, `len` bytes) from peer `pi`, sent under
 * `digest`: into its slot; the datagram goes on when whole. */
void tr_accept_frag(struct transport *t, size_t pi, uint32_t sender,
    const uint8_t *m, size_t len, bool summary, uint32_t digest);

/* transport_rx.c */
void tr_on_readable(void *arg, int fd, uint32_t events);
/* The configuration digest our frames carry now. */
uint32_t tr_digest_out(const struct transport *t);
/* Whether a frame's digest is ours (or the previous one, in its grace). */
bool tr_digest_ours(const struct transport *t, uint32_t digest);
/* The digest_timer: the previous digest's grace is over. */
void tr_on_digest_due(void *arg);
/* Peer `pi`'s configuration summary, sent under `digest`. */
void tr_take_summary(struct transport *t, size_t pi, uint32_t digest,
    const uint8_t *m, size_t len);

/* transport_tx.c */
/* Puts frame tx_n (built, `len` bytes, to `peer` on link `link`) into the
 * batch. */
void tr_add_frame(struct transport *t, const struct transport_peer *peer,
    unsigned link, size_t len);
/* Queues to peer `pi` the datagram `buf` over the links in `mask`. */
void tr_queue_links(struct transport *t, size_t pi, uint8_t mask, uint32_t id,
    const uint8_t *buf, size_t len);

/* transport_links.c */
/* Starts the heartbeats (cfg.link_timing) and the peers' links. */
void tr_links_start(struct transport *t);
/* A heartbeat (payload `m`, `len` bytes) from peer `pi` on link `link`. */
void tr_take_heartbeat(struct transport *t, size_t pi, unsigned link,
    const uint8_t *m, size_t len);

/* transport_icmp.c */
/* Remembers a frame (`len` bytes at `d`) to a peer for the closed-port
 * check. */
void tr_note_sent(struct transport *t, const struct transport_peer *peer,
    const uint8_t *d, size_t len);
/* Reads the socket's error queue. */
void tr_read_errors(struct transport *t, int fd);
/* The unreach timer: deferred reports whose quiet time is over. */
void tr_on_unreach_due(void *arg);

#endif /* COHORT_TRANSPORT_INT_H */
