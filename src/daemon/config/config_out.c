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

#include "daemon/config/config_int.h"
#include "proto/proto.h"

static uint32_t or_default(uint32_t v, uint32_t def)
{
	return v ? v : def;
}

/* The configuration's timing for this nodelist: what it names, and for
 * the rest the engine's defaults (proto.h, proto_timing_fill()), which
 * are the product's. The token is always resolved here: a configuration
 * may name a coefficient of 0, which a struct proto_timing cannot say. */
static void resolve(const struct cohort_config *cfg, struct proto_timing *t)
{
	const struct cohort_totem *c = &cfg->totem;
	uint32_t coefficient = c->token_coefficient_set ?
	    c->token_coefficient : PROTO_DEFAULT_TOKEN_COEFFICIENT_MS;

	*t = (struct proto_timing){
		.token_ms = proto_token_ms(or_default(c->token,
		    PROTO_DEFAULT_TOKEN_MS), coefficient, cfg->n_nodes),
		.token_retransmit_ms = c->token_retransmit,
		.token_retransmits_before_loss_const =
		    c->token_retransmits_before_loss_const,
		.hold_ms = c->hold,
		.consensus_ms = c->consensus,
		.join_ms = c->join,
		.send_join_ms = c->send_join,
		.merge_ms = c->merge,
		.fail_recv_const = c->fail_recv_const,
		.seqno_unchanged_const = c->seqno_unchanged_const,
		.miss_count_const = c->miss_count_const,
		.max_messages = c->max_messages,
		.window_size = c->window_size,
	};
	proto_timing_fill(t, cfg->n_nodes);
	t->token_coefficient_ms = coefficient;
}

void cfg_effective(const struct cohort_config *cfg, struct cfg_timing *t)
{
	struct proto_timing pt;

	resolve(cfg, &pt);
	*t = (struct cfg_timing){
		.token = pt.token_ms,
		.token_coefficient = pt.token_coefficient_ms,
		.token_retransmit = pt.token_retransmit_ms,
		.token_retransmits_before_loss_const =
		    pt.token_retransmits_before_loss_const,
		.hold = pt.hold_ms,
		.consensus = pt.consensus_ms,
		.join = pt.join_ms,
		.send_join = pt.send_join_ms,
		.merge = pt.merge_ms,
		.fail_recv_const = pt.fail_recv_const,
		.seqno_unchanged_const = pt.seqno_unchanged_const,
		.miss_count_const = pt.miss_count_const,
		.max_messages = pt.max_messages,
		.window_size = pt.window_size,
	};
}

void cohort_config_timing(const struct cohort_config *cfg,
    struct proto_timing *t)
{
	resolve(cfg, t);
}

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

/* One interface section; the knet keys with transport knet only. */
static void print_link(const struct cohort_config *cfg,
    const struct cohort_interface *i, FILE *out)
{
	fprintf(out, "\tinterface {\n\t\tlinknumber: %u\n", i->linknumber);
	if (i->bindnetaddr)
		fprintf(out, "\t\tbindnetaddr: %s\n", i->bindnetaddr);
	if (i->mcastaddr)
		fprintf(out, "\t\tmcastaddr: %s\n", i->mcastaddr);
	fprintf(out, "\t\tmcastport: %u\n", i->mcastport);
	if (cfg->transport == COHORT_TRANSPORT_KNET) {
		fprintf(out, "\t\tknet_link_priority: %u\n",
		    i->knet_link_priority);
		if (!i->ping_interval_set)
			fprintf(out, "\t\t# knet_ping_interval: token / "
			    "(knet_pong_count * 2)\n");
		fprintf(out, "\t\tknet_ping_interval: %u\n",
		    i->knet_ping_interval);
		if (!i->ping_timeout_set)
			fprintf(out, "\t\t# knet_ping_timeout: token / "
			    "knet_pong_count\n");
		fprintf(out, "\t\tknet_ping_timeout: %u\n"
		    "\t\tknet_ping_precision: %u\n\t\tknet_pong_count: %u\n",
		    i->knet_ping_timeout, i->knet_ping_precision,
		    i->knet_pong_count);
	}
	fprintf(out, "\t}\n");
}

static void print_totem(const struct cohort_config *cfg, FILE *out)
{
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
	if (cfg->n_nodes > PROTO_COEFFICIENT_BASE_NODES)
		fprintf(out, "\t# token: %u + (%zu - %u) * token_coefficient\n",
		    or_default(cfg->totem.token, PROTO_DEFAULT_TOKEN_MS),
		    cfg->n_nodes, PROTO_COEFFICIENT_BASE_NODES);
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
	if (cfg->transport == COHORT_TRANSPORT_KNET)
		fprintf(out, "\tlink_mode: %s\n",
		    cohort_link_mode_name(cfg->link_mode));
	for (unsigned l = 0; l < COHORT_CONFIG_MAX_LINKS; l++)
		if (l == 0 || cfg->links[l].n_addrs)
			print_link(cfg, &cfg->links[l], out);
	fprintf(out, "}\n");
}

int cohort_config_print(const struct cohort_config *cfg, FILE *out)
{
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
		for (unsigned k = 0; k < COHORT_CONFIG_MAX_LINKS; k++)
			if (node->addr[k])
				fprintf(out, "\t\tring%u_addr: %s\n", k,
				    node->addr[k]);
		fprintf(out, "\t}\n");
	}
	fprintf(out, "}\n");
	cfg_print_logging(&cfg->logging, out);
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

bool cfg_same_addr(const char *x, const char *y)
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

			if (!a || !cfg_same_addr(cfg->nodes[i].ring0_addr, a))
				continue;
			if (found >= 0)
				return -EEXIST;
			found = (int)i;
			break;
		}
	}
	return found;
}
