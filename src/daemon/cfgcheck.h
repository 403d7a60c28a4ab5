/*
 * cfgcheck.h: the configuration values every node of a cluster must
 * share, as a summary, its digest and a comparison.
 *
 * The summary is text, one "key=value" line each, in this order:
 *
 *   cluster_name  as configured
 *   transport     udpu, udp or knet
 *   mcast         the multicast group and port (udp), else "none"
 *   netmtu        the largest datagram
 *   crypto        "on" (datagrams sealed with the cluster key) or "off"
 *   token         the effective token timeout in ms (token_coefficient
 *                 included)
 *   quorum        the quorum provider: "votequorum" or "none" (every
 *                 member of a ring must send its node information, or
 *                 the provider's nodes never decide)
 *   nodes         how many nodes the nodelist has
 *   nodelist      16 hex digits: a digest of the node lines below
 *   node.ID       the node's resolved address and port, one per node,
 *                 by node id
 *
 * Why these: a node that differs in any of them cannot take part in
 * the ring without disturbing it (a ring both sides agree on needs one
 * nodelist; the transport, group, mtu and crypto decide whether a
 * datagram arrives whole; a rep holding the token for longer than
 * another member's token timeout makes that member lose the token on an
 * idle ring). Timing values that only change how fast one node acts
 * (consensus, join, merge, retransmission, hold, window) may differ.
 *
 * The digest covers the whole summary and travels in every frame's
 * header (transport.h): frames whose digest is not the receiver's are
 * dropped there, and the two nodes exchange summaries so each can name
 * the keys that differ. A summary is cut to what one datagram holds:
 * node lines that do not fit are left out, and "more=N" says how many;
 * the nodelist digest still tells the nodelists apart.
 */
#ifndef COHORT_CFGCHECK_H
#define COHORT_CFGCHECK_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/config/config.h"
#include "daemon/transport/transport.h"

/* Bytes of a summary at most (64 IPv6 nodes fit). */
#define CFGCHECK_SUMMARY_MAX TRANSPORT_SUMMARY_MAX
/* Differences reported at most per comparison. */
#define CFGCHECK_DIFF_MAX 16u

struct cfgcheck {
	char text[CFGCHECK_SUMMARY_MAX];
	size_t len;              /* the summary as sent (cut to a datagram) */
	uint32_t digest;         /* of the whole summary, before any cut */
};

/* Builds this node's summary from the configuration, the transport's
 * resolved peers and group, and the effective token timeout; `room` is
 * the most a datagram carries. 0, or -ENOSPC when even the lines before
 * the nodes do not fit in `room`. */
int cfgcheck_build(struct cfgcheck *c, const struct cohort_config *cfg,
    const struct transport_config *tc, uint32_t token_ms, size_t room);

/* The 32-bit digest of a summary (BLAKE2b, truncated). */
uint32_t cfgcheck_digest(const char *text, size_t len);

/* One key whose values differ; the pointers point into the two summaries
 * compared (a key one side lacks has the value "(none)"). */
struct cfgcheck_diff {
	const char *key;
	size_t key_len;
	const char *ours, *theirs;
	size_t ours_len, theirs_len;
};

/* Compares two summaries, key by key. Node lines one side lacks count
 * only when neither side left lines out ("more="). Fills up to `max`
 * differences; returns how many there are (possibly more than `max`). */
size_t cfgcheck_compare(const char *ours, size_t ours_len, const char *theirs,
    size_t theirs_len, struct cfgcheck_diff *out, size_t max);

#endif /* COHORT_CFGCHECK_H */
