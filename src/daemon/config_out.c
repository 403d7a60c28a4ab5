/*
 * config_out.c: what the rest of the daemon reads out of a configuration:
 * the effective timing, the canonical print-out of `cohortd -t`, and the
 * look-ups of the local node.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <strings.h>

#include "daemon/config_int.h"
#include "proto/proto.h"

/* corosync 3.1.7's defaults (reference §8.8), except the token: corosync
 * waits 3000 ms + 650 ms a node above two before it even starts to form a
 * new ring (7.8 s to a NODEDOWN with 3 nodes, research/corosync-baseline
 * §5.5). Cohort's default, 300 ms + 30 ms a node, reports a dead node of
 * a 3-node cluster in about 0.75 s (token + consensus); a configuration
 * that names token or token_coefficient gets exactly what it names. */
#define DEF_TOKEN 300u
#define DEF_TOKEN_COEFFICIENT 30u
#define DEF_RETRANSMITS 4u
#define DEF_JOIN 50u
#define DEF_MERGE 200u
#define DEF_FAIL_RECV_CONST 2500u
/* corosync: 30 idle rotations before the representative holds the token.
 * Cohort holds after one: an idle token otherwise circulates as fast as
 * the network carries it (20000 rotations/s on 3 nodes in namespaces,
 * with 300 messages/s of traffic), for CPU and nothing else; a member
 * with something to send cancels the hold with one datagram. */
#define DEF_SEQNO_UNCHANGED_CONST 1u
#define DEF_MISS_COUNT_CONST 5u
/* corosync: 17 a visit, a third of the window. Cohort lets one visit use
 * the whole window: a lone sender (the others idle) then numbers 50
 * datagrams per rotation instead of 17, and busy senders still share the
 * window in proportion to their backlogs (3 nodes, one sender, 1 MiB
 * messages: 55 MB/s with 17, 71 with 50, docs/compatibility.md). */
#define DEF_MAX_MESSAGES 50u
#define DEF_WINDOW_SIZE 50u
/* The coefficient counts nodes above this many. */
#define COEFFICIENT_BASE_NODES 2u
/* corosync's clock tick, taken off the hold time. */
#define TICK_MS 10.0

static uint32_t or_default(uint32_t v, uint32_t def)
{
	return v ? v : def;
}

/* A double that corosync would truncate to int, as a uint32_t (negative
 * results become 0: they fail the minimum checks either way). */
static uint32_t trunc_ms(double v)
{
	if (!(v > 0))
		return 0;
	if (v >= (double)UINT32_MAX)
		return UINT32_MAX;
	return (uint32_t)v;
}

void cfg_effective(const struct cohort_config *cfg, struct cfg_timing *t)
{
	const struct cohort_totem *c = &cfg->totem;
	uint64_t token = or_default(c->token, DEF_TOKEN);

	t->token_retransmits_before_loss_const =
	    or_default(c->token_retransmits_before_loss_const, DEF_RETRANSMITS);
	t->token_coefficient = c->token_coefficient_set ?
	    c->token_coefficient : DEF_TOKEN_COEFFICIENT;
	if (cfg->n_nodes > COEFFICIENT_BASE_NODES)
		token += (uint64_t)(cfg->n_nodes - COEFFICIENT_BASE_NODES) *
		    t->token_coefficient;
	t->token = token > UINT32_MAX ? UINT32_MAX : (uint32_t)token;
	/* The same floating-point expressions as corosync, so the results
	 * agree to the millisecond. */
	t->token_retransmit = c->token_retransmit ? c->token_retransmit :
	    trunc_ms((double)t->token /
	    (t->token_retransmits_before_loss_const + 0.2));
	t->hold = c->hold ? c->hold :
	    trunc_ms(t->token_retransmit * 0.8 - TICK_MS);
	t->join = or_default(c->join, DEF_JOIN);
	t->consensus = c->consensus ? c->consensus :
	    trunc_ms((float)(1.2 * t->token));
	t->send_join = c->send_join;
	t->merge = or_default(c->merge, DEF_MERGE);
	t->fail_recv_const = or_default(c->fail_recv_const,
	    DEF_FAIL_RECV_CONST);
	t->seqno_unchanged_const = or_default(c->seqno_unchanged_const,
	    DEF_SEQNO_UNCHANGED_CONST);
	t->miss_count_const = or_default(c->miss_count_const,
	    DEF_MISS_COUNT_CONST);
	t->max_messages = or_default(c->max_messages, DEF_MAX_MESSAGES);
	t->window_size = or_default(c->window_size, DEF_WINDOW_SIZE);
}

void cohort_config_timing(const struct cohort_config *cfg,
    struct proto_timing *t)
{
	struct cfg_timing e;

	cfg_effective(cfg, &e);
	memset(t, 0, sizeof(*t));
	t->token_ms = e.token;
	t->token_coefficient_ms = e.token_coefficient;
	t->token_retransmit_ms = e.token_retransmit;
	t->token_retransmits_before_loss_const =
	    e.token_retransmits_before_loss_const;
	t->hold_ms = e.hold;
	t->consensus_ms = e.consensus;
	t->join_ms = e.join;
	t->send_join_ms = e.send_join;
	t->merge_ms = e.merge;
	t->fail_recv_const = e.fail_recv_const;
	t->seqno_unchanged_const = e.seqno_unchanged_const;
	t->miss_count_const = e.miss_count_const;
	t->max_messages = e.max_messages;
	t->window_size = e.window_size;
}

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

static void print_totem(const struct cohort_config *cfg, FILE *out)
{
	const struct cohort_interface *i = &cfg->interface;
	struct cfg_timing e;

	cfg_effective(cfg, &e);
	fprintf(out, "totem {\n\tversion: 2\n\tcluster_name: %s\n"
	    "\ttransport: %s\n\tnetmtu: %u\n\tcrypto_cipher: %s\n"
	    "\tcrypto_hash: %s\n", cfg->cluster_name,
	    cohort_transport_name(cfg->transport), cfg->netmtu,
	    cohort_cipher_name(cfg->crypto_cipher),
	    cohort_hash_name(cfg->crypto_hash));
	if (cfg->transport == COHORT_TRANSPORT_KNET)
		fprintf(out, "\t# frames of at most knet_mtu bytes (0: %u)\n"
		    "\tknet_mtu: %u\n", COHORT_CONFIG_DEFAULT_KNET_MTU,
		    cfg->knet_mtu);
	if (cfg->keyfile)
		fprintf(out, "\tkeyfile: %s\n", cfg->keyfile);
	if (cfg->n_nodes > COEFFICIENT_BASE_NODES)
		fprintf(out, "\t# token: %u + (%zu - %u) * token_coefficient\n",
		    or_default(cfg->totem.token, DEF_TOKEN), cfg->n_nodes,
		    COEFFICIENT_BASE_NODES);
	fprintf(out, "\ttoken: %u\n\ttoken_coefficient: %u\n"
	    "\ttoken_retransmits_before_loss_const: %u\n"
	    "\ttoken_retransmit: %u\n\thold: %u\n\tjoin: %u\n"
	    "\tsend_join: %u\n\tconsensus: %u\n\tmerge: %u\n"
	    "\tfail_recv_const: %u\n\tseqno_unchanged_const: %u\n"
	    "\tmiss_count_const: %u\n\tmax_messages: %u\n\twindow_size: %u\n",
	    e.token, e.token_coefficient,
	    e.token_retransmits_before_loss_const, e.token_retransmit, e.hold,
	    e.join, e.send_join, e.consensus, e.merge, e.fail_recv_const,
	    e.seqno_unchanged_const, e.miss_count_const, e.max_messages,
	    e.window_size);
	fprintf(out, "\tfail_on_port_unreachable: %s\n",
	    yes_no(cfg->fail_on_port_unreachable));
	fprintf(out, "\tinterface {\n\t\tlinknumber: 0\n");
	if (i->bindnetaddr)
		fprintf(out, "\t\tbindnetaddr: %s\n", i->bindnetaddr);
	if (i->mcastaddr)
		fprintf(out, "\t\tmcastaddr: %s\n", i->mcastaddr);
	fprintf(out, "\t\tmcastport: %u\n\t}\n}\n", i->mcastport);
}

int cohort_config_print(const struct cohort_config *cfg, FILE *out)
{
	static const char *const debug[] = { "off", "on", "trace" };
	static const char *const stamp[] = { "off", "on", "hires" };
	const struct cohort_logging *l = &cfg->logging;

	fprintf(out, "# cohortd -t: the effective configuration\n");
	if (cfg->local_nodeid)
		fprintf(out, "# local nodeid: %u\n", cfg->local_nodeid);
	print_totem(cfg, out);
	fprintf(out, "\nnodelist {\n");
	for (size_t n = 0; n < cfg->n_nodes; n++) {
		const struct cohort_node *node = &cfg->nodes[n];

		fprintf(out, "\tnode {\n\t\tnodeid: %u\n", node->nodeid);
		if (node->name)
			fprintf(out, "\t\tname: %s\n", node->name);
		fprintf(out, "\t\tring0_addr: %s\n\t}\n", node->ring0_addr);
	}
	fprintf(out, "}\n\nlogging {\n\tto_stderr: %s\n\tto_syslog: %s\n"
	    "\tto_logfile: %s\n", yes_no(l->to_stderr), yes_no(l->to_syslog),
	    yes_no(l->to_logfile));
	if (l->logfile)
		fprintf(out, "\tlogfile: %s\n", l->logfile);
	fprintf(out, "\tdebug: %s\n\ttimestamp: %s\n}\n",
	    (unsigned)l->debug <= COHORT_DEBUG_TRACE ? debug[l->debug] : "?",
	    (unsigned)l->timestamp <= COHORT_TIMESTAMP_HIRES ?
	    stamp[l->timestamp] : "?");
	if (cfg->n_uids || cfg->n_gids) {
		fprintf(out, "\nuidgid {\n");
		for (size_t n = 0; n < cfg->n_uids; n++)
			fprintf(out, "\tuid: %u\n", (unsigned)cfg->uids[n]);
		for (size_t n = 0; n < cfg->n_gids; n++)
			fprintf(out, "\tgid: %u\n", (unsigned)cfg->gids[n]);
		fprintf(out, "}\n");
	}
	if (cfg->state_dir || cfg->sched != COHORT_SCHED_RR) {
		fprintf(out, "\nsystem {\n");
		if (cfg->state_dir)
			fprintf(out, "\tstate_dir: %s\n", cfg->state_dir);
		if (cfg->sched != COHORT_SCHED_RR)
			fprintf(out, "\tsched_rr: no\n");
		fprintf(out, "}\n");
	}
	if (fflush(out) != 0 || ferror(out))
		return -EIO;
	return 0;
}

/* A numeric address as 16 bytes (IPv4 as IPv4-mapped IPv6). */
static bool numeric_addr(const char *s, unsigned char a[16])
{
	static const unsigned char mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff,
	};

	if (inet_pton(AF_INET, s, a + 12) == 1) {
		memcpy(a, mapped, sizeof(mapped));
		return true;
	}
	return inet_pton(AF_INET6, s, a) == 1;
}

static bool same_addr(const char *x, const char *y)
{
	unsigned char a[16], b[16];

	if (numeric_addr(x, a) && numeric_addr(y, b))
		return memcmp(a, b, sizeof(a)) == 0;
	return strcasecmp(x, y) == 0;
}

int cohort_config_find_local(const struct cohort_config *cfg,
    const char *const *local_addrs, size_t n)
{
	int found = -ENOENT;

	for (size_t i = 0; i < cfg->n_nodes; i++) {
		for (size_t j = 0; j < n; j++) {
			const char *a = local_addrs[j];

			if (!a || !same_addr(cfg->nodes[i].ring0_addr, a))
				continue;
			if (found >= 0)
				return -EEXIST;
			found = (int)i;
			break;
		}
	}
	return found;
}
