/*
 * transport.h: UDP between the daemons of a cluster.
 *
 * Unicast to every node of the nodelist (corosync's udpu/knet role), or,
 * with a multicast group (corosync's udp transport), what goes to every
 * node sent once to the group and only what goes to one node unicast;
 * sends batched per loop iteration (sendmmsg) and receives batched per
 * wake-up (recvmmsg). Multicast leaves from the node's own address and
 * port (so the sender checks below apply to it unchanged), time to live
 * 1, without loopback, and arrives on a second socket bound to the
 * group and port, joined on the interface of the node's address.
 *
 * Every frame on the wire carries a 36-byte header (network byte order):
 *
 *    0 u32 magic "COHT"
 *    4 u8  version 2
 *    5 u8  flags: 1 sealed, 2 fragment, 4 sent to the multicast group,
 *              8 configuration summary, 16 heartbeat (links.h)
 *    6 u16 0
 *    8 u32 cluster id
 *   12 u32 sender node id
 *   16 u64 incarnation: the sender's, above that of every earlier run
 *   24 u64 counter: 1, 2, ... per incarnation and stream (the frames to
 *          one peer, or to the group)
 *   32 u32 configuration digest (cfgcheck.h) of the sender
 *
 * The receiver takes a frame once: its incarnation and counter are
 * checked against a window per sender and stream (replay.h) before the
 * frame reaches the engine or refreshes the sender's link, so a frame
 * replayed, duplicated (a multicast and a unicast copy) or from a past
 * run of its sender is counted and dropped. A frame whose digest is not
 * the receiver's is counted and dropped too; each side then sends the
 * other, at most once per TRANSPORT_SUMMARY_INTERVAL_MS, its
 * configuration summary (flag 8: the payload is the summary's text),
 * which is taken despite the digest, so that both can say which values
 * differ. Without a key none of this is authenticated: it stops stale
 * and duplicate frames of an honest network, not an attacker.
 *
 * With a key, the payload is sealed with XChaCha20-Poly1305 (libsodium),
 * a random 24-byte nonce after the header, the header as associated data.
 *
 * A datagram larger than one frame (frame_max, knet's role: the engine's
 * 64 KiB datagrams over a 1500-byte link) is cut into fragments, each
 * sealed on its own, whose payload starts with a 16-byte fragment header:
 *
 *   u32 datagram id, u32 datagram length, u32 chunk, u16 index, u16 count
 *
 * (fragment i holds the datagram's bytes from i * chunk, chunk of them
 * but for the last)
 *
 * and is reassembled per sender in TRANSPORT_REASM_SLOTS bounded slots:
 * a lost fragment loses its datagram (the engine retransmits), and an
 * incomplete datagram is evicted by newer ones, never held for a timeout
 * (the kernel's IP reassembly would hold it 30 s in 4 MiB it shares).
 *
 * A frame that fails any check (magic, version, cluster, a sender that
 * is not in the nodelist or not at its address, authentication, plain
 * text while a key is configured, a replay, a configuration digest that
 * differs, a fragment header out of range) is counted and dropped
 * before the protocol engine sees it. A peer whose crypto setting
 * differs from this node's (plain text where a key is required, sealed
 * frames without a key here, a seal that fails: another key) is named in
 * a warning, at most once per TRANSPORT_WARN_MS per peer and kind.
 *
 * Links: a socket on each local link address (ringN_addr, link N's
 * port). Heartbeats (flag 16, a ping carrying the sender's clock and
 * the pong that echoes it, on one link) run on every link to every
 * peer and keep links.h's state; each datagram to a peer goes over the
 * links links_select() picks for it. A frame sent over several links is
 * built once, so its copies share one counter: with a key the replay
 * window drops the second (counted in rx_link_copies); without one, a
 * table of the frames taken lately (DEDUP_SLOTS per peer and stream)
 * drops exact copies only, so that a forged frame cannot stop real
 * ones. A frame on link N is taken only from its sender's address on
 * link N. Multicast stays on link 0 (transport udp has one link).
 *
 * An ICMP port unreachable about a peer (the socket's error queue) is
 * passed to the unreachable callback only when unreach.h's rule believes
 * it; the others are counted and dropped.
 */
#ifndef COHORT_TRANSPORT_H
#define COHORT_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "daemon/loop.h"
#include "daemon/transport/links.h"
#include "proto/proto.h"

#define TRANSPORT_HDR_LEN 36u
#define TRANSPORT_NONCE_LEN 24u
#define TRANSPORT_TAG_LEN 16u
#define TRANSPORT_KEY_LEN 32u
/* Bytes a datagram carries besides the engine's payload. */
#define TRANSPORT_OVERHEAD (TRANSPORT_HDR_LEN + TRANSPORT_NONCE_LEN + \
    TRANSPORT_TAG_LEN)
#define TRANSPORT_FRAG_HDR_LEN 16u
/* Fragments of one datagram at most, and incomplete datagrams kept per
 * sender (one per receiving socket, and one spare for reordering). */
#define TRANSPORT_MAX_FRAGS 256u
#define TRANSPORT_REASM_SLOTS 3u
/* The smallest frame: the header, nonce and tag, the fragment header
 * and 64 bytes of payload. */
#define TRANSPORT_FRAME_MIN (TRANSPORT_OVERHEAD + TRANSPORT_FRAG_HDR_LEN + 64u)
/* The least interval between two warnings about one peer's bad input of
 * one kind (crypto mismatch, an ICMP error not believed). */
#define TRANSPORT_WARN_MS 10000u
/* A peer's configuration summary is kept up to this many bytes; ours is
 * sent to a peer whose digest differs at most once per interval. */
#define TRANSPORT_SUMMARY_MAX 8192u
#define TRANSPORT_SUMMARY_INTERVAL_MS 5000u
/* Drops of replayed frames are logged at most once per interval. */
#define TRANSPORT_REPLAY_LOG_MS 10000u

struct transport;

struct transport_peer {
	uint32_t nodeid;
	struct sockaddr_storage addr;   /* its address and port */
	socklen_t addr_len;
};

struct transport_config {
	uint32_t local_nodeid;
	uint32_t cluster_id;
	size_t n_peers;                  /* the nodelist, local node included */
	struct transport_peer peers[PROTO_MAX_NODES];
	size_t max_payload;              /* the engine's mtu */
	/* The largest UDP payload of one frame; 0, or at least
	 * max_payload + TRANSPORT_OVERHEAD: datagrams are never cut.
	 * Otherwise at least TRANSPORT_FRAME_MIN, and max_payload must fit
	 * in TRANSPORT_MAX_FRAGS fragments (else transport_new: -EINVAL). */
	size_t frame_max;
	const uint8_t *key;              /* TRANSPORT_KEY_LEN bytes, or NULL */
	/* The multicast group and port (the local node's address family);
	 * mcast_len 0: unicast to every node. */
	struct sockaddr_storage mcast;
	socklen_t mcast_len;
	/* Called (if set: the closed-port fast path is on) when an ICMP
	 * port unreachable about a peer is believed (unreach.h): no daemon
	 * listens at its address. Believed only after the peer has been
	 * silent for unreachable_quiet_ms, and only when it quotes a frame
	 * sent to the peer within unreachable_age_ms. */
	void (*unreachable)(void *arg, uint32_t nodeid);
	uint32_t unreachable_quiet_ms, unreachable_age_ms;
	/* This run's incarnation: above every earlier run's (0: -EINVAL). */
	uint64_t incarnation;
	/* The configuration every node must share (cfgcheck.h): its digest
	 * and its summary, `summary_len` (at most max_payload) bytes owned
	 * by the caller, valid until transport_free. */
	uint32_t config_digest;
	const uint8_t *summary;
	size_t summary_len;
	/* Called (if set) with a peer's summary when it differs from ours
	 * (the bytes are valid during the call). */
	void (*config_differs)(void *arg, uint32_t nodeid,
	    const uint8_t *summary, size_t len);
	/* The links (links.h). link_addr[i][l]: node peers[i]'s address and
	 * port on link l, addr_len 0 where it has none; link 0's is
	 * peers[i].addr (link_addr[i][0] is not read). The local node
	 * sends and listens on each link it has an address on. Heartbeats
	 * run on every link to every peer when link_timing[0]'s
	 * ping_interval_ms is not 0; otherwise link 0 alone carries
	 * traffic, with no heartbeats (link_timing[l] of the other links
	 * is then not read, and they must have no address). */
	enum links_mode link_mode;
	struct links_timing link_timing[LINKS_MAX];
	struct transport_peer link_addr[PROTO_MAX_NODES][LINKS_MAX];
};

/* The link `l` to a node as transport_link_status reports it. */
struct transport_link_status {
	/* Both ends have an address on the link; up: heartbeats answered
	 * (links.h), and for the local node every link it has; in use:
	 * selected for the node's traffic now; settled: up and past its
	 * settling time; suspect: up, the answer to its latest heartbeat
	 * overdue (links.h). */
	bool enabled, connected, in_use, settled, suspect;
	uint32_t latency_us;        /* mean round trip; 0 before an answer */
	uint32_t mtu;               /* the largest frame (UDP payload) sent */
	/* The local node's address on the link and the node's (ports
	 * included); family 0 where there is none. */
	struct sockaddr_storage src, dst;
	/* Heartbeats sent, answered, answered too late, received; times the
	 * link went down; frames sent and received over it; frames on it
	 * from another address than the node's on it (dropped). */
	uint64_t pings_tx, pongs_rx, pongs_late, pings_rx, downs;
	uint64_t tx, rx, rx_wrong_addr;
};

struct transport_stats {
	uint64_t tx, rx, tx_errors;
	uint64_t port_unreachable;       /* ICMP reports about peers */
	/* Of those, dropped: from another address than the peer's or
	 * quoting no recent frame to it (what a forger sends); the peer
	 * spoke within the quiet time; not acted on (the fast path is off,
	 * or a report about the peer was acted on within the quiet time). */
	uint64_t icmp_unmatched, icmp_peer_alive, icmp_ignored;
	uint64_t rx_malformed, rx_foreign, rx_unknown_sender, rx_auth_failed;
	/* Of rx_unknown_sender: from a node's id, on a link, but not from
	 * its address on that link. */
	uint64_t rx_wrong_link_addr;
	/* Frames taken before (duplicates), behind the window, or of a past
	 * incarnation of their sender. */
	uint64_t rx_replayed, rx_old_incarnation;
	/* With several links: copies of a frame already taken over another
	 * link (dropped, not counted as replays). */
	uint64_t rx_link_copies;
	uint64_t rx_config_mismatch;     /* another digest than ours */
	uint64_t tx_summaries, rx_summaries;
	uint64_t tx_frags, rx_frags;     /* fragments sent, received good */
	uint64_t rx_reassembled;         /* datagrams rebuilt from fragments */
	uint64_t rx_frag_evicted;        /* incomplete ones given up */
	/* Frames sent several to a send (UDP_SEGMENT), received several
	 * to a buffer (UDP_GRO). */
	uint64_t tx_offloaded, rx_coalesced;
	/* The unicast socket's buffers as the kernel set them (bytes, its
	 * bookkeeping included: twice what was asked). */
	uint64_t rcvbuf, sndbuf;
};

/* Called for each datagram that passed every check (a fragmented one
 * once, when it is whole). */
typedef void (*transport_rx_fn)(void *arg, uint32_t from, const uint8_t *buf,
    size_t len);

/* Binds the local node's address (and the multicast group, joined) and
 * registers with the loop. 0 or -errno (e.g. -EADDRNOTAVAIL when the
 * address is not on this host, -EINVAL for a group that is not a
 * multicast address of the node's family or a frame_max out of range). */
int transport_new(struct loop *l, const struct transport_config *cfg,
    transport_rx_fn rx, void *arg, struct transport **out);
void transport_free(struct transport *t);
/* Whether `a` is an IPv4 or IPv6 multicast address. */
bool transport_is_multicast(const struct sockaddr_storage *a);

/* Queues a datagram to `to` (0: every other node). Sent by the next
 * transport_flush(), or at once when the batch is full. */
void transport_send(struct transport *t, uint32_t to, const uint8_t *buf,
    size_t len);
void transport_flush(struct transport *t);

void transport_stats(const struct transport *t, struct transport_stats *st);

/* The link `link` to node `nodeid` (the local node included), filled in
 * `*st`. 0, -ENOENT for a node not in the nodelist, -EINVAL for a link
 * at or above LINKS_MAX. */
int transport_link_status(const struct transport *t, uint32_t nodeid,
    unsigned link, struct transport_link_status *st);
/* How traffic uses the links (totem.link_mode). */
enum links_mode transport_link_mode(const struct transport *t);

/* Loop time (ms) of the last good datagram from `nodeid`; 0: none yet. */
uint64_t transport_last_rx(const struct transport *t, uint32_t nodeid);

/* The configuration every node must share changed (a reload applied
 * at the same point of the total order on every node): `digest` and
 * `summary` (as transport_config's, owned by the caller, valid until
 * transport_free or the next call) replace ours. The nodes do not
 * switch at the same instant, and frames in flight carry the old
 * digest: for `grace_ms` after the switch our frames still carry the
 * previous digest, and for twice that frames with either are taken, so
 * that a node that switched and one that switches up to `grace_ms`
 * later lose nothing to each other; after it, only the new digest
 * counts (logged). */
void transport_set_config(struct transport *t, uint32_t digest,
    const uint8_t *summary, size_t len, uint32_t grace_ms);

/* A node added to the nodelist (a reload): datagrams go to it and are
 * taken from it from now on, its replay windows and link state empty.
 * `peer` is its link 0; `link_addr` (NULL: none) its addresses on the
 * other links, as transport_config's link_addr row (entry 0 not read);
 * it is reached on the links the local node has an address on too.
 * 0, -EINVAL for a 0 or known id or another address family than ours,
 * -ENOSPC with PROTO_MAX_NODES peers, -ENOMEM. */
int transport_add_peer(struct transport *t, const struct transport_peer *peer,
    const struct transport_peer link_addr[LINKS_MAX]);

/* A node removed from the nodelist (a reload): nothing goes to it or is
 * taken from it from now on; its state is forgotten. 0, or -EINVAL for
 * an unknown id or ours. */
int transport_remove_peer(struct transport *t, uint32_t nodeid);

/* Whether `nodeid`'s last frames carried another configuration digest
 * than ours; then *summary and *len are its summary (NULL and 0 until
 * one came), valid until the next call into the transport. */
bool transport_peer_config(const struct transport *t, uint32_t nodeid,
    const uint8_t **summary, size_t *len);

/* The replay windows' positions, kept across a restart of this daemon
 * (statedir.c writes them to the state directory): per peer and stream the
 * incarnation and the highest counter taken, TRANSPORT_WINDOW_REC bytes
 * a record (u32 node id, u8 stream, u64 incarnation, u64 counter, big
 * endian). A daemon that loads them at start takes none of the frames
 * its peers sent before it stopped, replayed. */
#define TRANSPORT_WINDOW_REC 21u
#define TRANSPORT_WINDOWS_MAX (PROTO_MAX_NODES * 2u * TRANSPORT_WINDOW_REC)
/* Whether a window moved since the last transport_windows_save. */
bool transport_windows_changed(const struct transport *t);
/* Writes the records into `buf` (TRANSPORT_WINDOWS_MAX bytes); returns
 * the bytes written. */
size_t transport_windows_save(struct transport *t, uint8_t *buf);
/* Starts the windows where saved: every counter up to the saved one
 * counts as taken. Records of nodes not in the nodelist are skipped.
 * 0, or -EINVAL for a length that is not whole records. */
int transport_windows_load(struct transport *t, const uint8_t *buf,
    size_t len);

/* Derives the 32-byte cluster key from a key file's bytes (corosync's
 * authkey or `cohortctl keygen` output, 128..4096 bytes) and the cluster
 * name. 0, or -EINVAL for a length out of range. */
int transport_derive_key(const uint8_t *file, size_t len,
    const char *cluster_name, uint8_t key[TRANSPORT_KEY_LEN]);

#endif /* COHORT_TRANSPORT_H */
