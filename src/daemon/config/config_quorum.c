/*
 * config_quorum.c: the quorum section (corosync_votequorum's keys and its
 * device subsection), the nodes' quorum_votes, and the checks corosync
 * 3.1.7 makes of them when votequorum starts: what it refuses to start
 * with is an error here (so `cohortd -t` finds it), what it silently
 * corrects is corrected the same way, with a warning.
 *
 * Booleans are corosync's u8 numbers (0..255, non-zero on), as its
 * parser takes them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config/config_int.h"

#define PROVIDER_VOTEQUORUM "corosync_votequorum"
#define PROVIDER_YKD "corosync_ykd"

static int get_flag(struct cfg_loader *ld, const struct cfg_event *ev,
    bool *out)
{
	uint32_t v;
	int rc = cfg_get_u32(ld, ev, 0, UINT8_MAX, &v);

	if (rc == 0)
		*out = v != 0;
	return rc;
}

static int provider(struct cfg_loader *ld, const struct cfg_event *ev)
{
	struct cohort_quorum *q = &ld->cfg->quorum;

	if (strcmp(ev->value, PROVIDER_VOTEQUORUM) == 0) {
		q->provider = COHORT_QUORUM_VOTEQUORUM;
		q->line = ev->line;
		return 0;
	}
	if (strcmp(ev->value, PROVIDER_YKD) == 0) {
		cfg_err(ld->err, ld->errlen, ev->file, ev->line,
		    "key '%s': " PROVIDER_YKD " is not available in Cohort "
		    "(only " PROVIDER_VOTEQUORUM ")", ev->path);
		return -EINVAL;
	}
	return cfg_bad_value(ld, ev, PROVIDER_VOTEQUORUM " (an invalid quorum "
	    "provider stops corosync too)");
}

int cfg_quorum_item(struct cfg_loader *ld, const struct cfg_event *ev)
{
	struct cohort_quorum *q = &ld->cfg->quorum;
	const char *n = ev->name;
	int rc;

	if (strcmp(n, "provider") == 0)
		return provider(ld, ev);
	if (strcmp(n, "expected_votes") == 0) {
		ld->qline.expected = ev->line;
		q->expected_votes_set = true;
		return cfg_get_u32(ld, ev, 1, COHORT_CONFIG_EXPECTED_MAX,
		    &q->expected_votes);
	}
	if (strcmp(n, "votes") == 0)
		return cfg_get_u32(ld, ev, 0, COHORT_CONFIG_VOTES_MAX,
		    &q->votes);
	if (strcmp(n, "two_node") == 0) {
		ld->qline.two_node = ev->line;
		return get_flag(ld, ev, &q->two_node);
	}
	if (strcmp(n, "wait_for_all") == 0) {
		q->wait_for_all_set = true;
		return get_flag(ld, ev, &q->wait_for_all);
	}
	if (strcmp(n, "last_man_standing") == 0) {
		ld->qline.lms = ev->line;
		return get_flag(ld, ev, &q->last_man_standing);
	}
	if (strcmp(n, "last_man_standing_window") == 0)
		return cfg_get_u32(ld, ev, 1, TIMEOUT_MAX_MS,
		    &q->last_man_standing_window);
	if (strcmp(n, "auto_tie_breaker") == 0) {
		ld->qline.atb = ev->line;
		return get_flag(ld, ev, &ld->atb_on);
	}
	if (strcmp(n, "auto_tie_breaker_node") == 0) {
		ld->qline.atb_node = ev->line;
		if ((rc = cfg_get_str(ld, ev, &ld->atb_node)) < 0)
			return rc;
		return 0;
	}
	if (strcmp(n, "allow_downscale") == 0)
		return get_flag(ld, ev, &q->allow_downscale);
	if (strcmp(n, "expected_votes_tracking") == 0)
		return get_flag(ld, ev, &q->expected_votes_tracking);
	if (strcmp(n, "leaving_timeout") == 0)
		return cfg_get_u32(ld, ev, 0, TIMEOUT_MAX_MS,
		    &q->leaving_timeout);
	return cfg_unknown(ld, ev, NULL);
}

int cfg_qdevice_item(struct cfg_loader *ld, const struct cfg_event *ev)
{
	struct cohort_quorum *q = &ld->cfg->quorum;

	if (strcmp(ev->name, "model") == 0)
		return cfg_get_str(ld, ev, &q->device_model);
	if (strcmp(ev->name, "votes") == 0)
		return cfg_get_u32(ld, ev, 1, COHORT_CONFIG_VOTES_MAX,
		    &q->device_votes);
	if (strcmp(ev->name, "timeout") == 0)
		return cfg_get_u32(ld, ev, 1, TIMEOUT_MAX_MS,
		    &q->device_timeout);
	if (strcmp(ev->name, "sync_timeout") == 0)
		return cfg_get_u32(ld, ev, 1, TIMEOUT_MAX_MS,
		    &q->device_sync_timeout);
	return cfg_unknown(ld, ev, NULL);
}

static int qerr(struct cfg_loader *ld, unsigned line, const char *key,
    const char *msg)
{
	cfg_err(ld->err, ld->errlen, ld->cfg->path, line, "key 'quorum.%s': %s",
	    key, msg);
	return -EINVAL;
}

static int qwarn(struct cfg_loader *ld, unsigned line, const char *key,
    const char *msg)
{
	if (cfg_warn(ld->cfg, &ld->dropped, ld->cfg->path, line,
	    "key 'quorum.%s': %s", key, msg) < 0) {
		cfg_err(ld->err, ld->errlen, ld->cfg->path, 0, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

static bool in_nodelist(const struct cohort_config *cfg, uint32_t id)
{
	for (size_t i = 0; i < cfg->n_nodes; i++)
		if (cfg->nodes[i].nodeid == id)
			return true;
	return false;
}

/* auto_tie_breaker_node: lowest, highest or node ids separated by blanks
 * (the list's order is the priority). An unparsable value disables the
 * tie breaker with a warning, as corosync does; a node id that is not in
 * the nodelist is an error (corosync would wait for it for ever). */
static int parse_atb(struct cfg_loader *ld)
{
	struct cohort_quorum *q = &ld->cfg->quorum;
	const char *s = ld->atb_node;
	char *end;

	q->auto_tie_breaker = COHORT_ATB_LOWEST;
	if (!s || strcmp(s, "lowest") == 0)
		return 0;
	if (strcmp(s, "highest") == 0) {
		q->auto_tie_breaker = COHORT_ATB_HIGHEST;
		return 0;
	}
	q->n_atb_nodes = 0;
	while (*s) {
		unsigned long v;

		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			break;
		errno = 0;
		v = strtoul(s, &end, 10);
		if (end == s || errno || v == 0 || v > UINT32_MAX ||
		    (*end && *end != ' ' && *end != '\t') ||
		    q->n_atb_nodes == COHORT_CONFIG_MAX_NODES) {
			q->auto_tie_breaker = COHORT_ATB_NONE;
			q->n_atb_nodes = 0;
			return qwarn(ld, ld->qline.atb_node,
			    "auto_tie_breaker_node", "neither lowest, highest "
			    "nor a list of node ids: auto_tie_breaker disabled");
		}
		if (ld->cfg->n_nodes && !in_nodelist(ld->cfg, (uint32_t)v)) {
			cfg_err(ld->err, ld->errlen, ld->cfg->path,
			    ld->qline.atb_node, "key "
			    "'quorum.auto_tie_breaker_node': node %lu is not in "
			    "the nodelist", v);
			return -EINVAL;
		}
		q->atb_nodes[q->n_atb_nodes++] = (uint32_t)v;
		s = end;
	}
	if (q->n_atb_nodes == 0) {
		q->auto_tie_breaker = COHORT_ATB_NONE;
		return qwarn(ld, ld->qline.atb_node, "auto_tie_breaker_node",
		    "empty list: auto_tie_breaker disabled");
	}
	q->auto_tie_breaker = COHORT_ATB_LIST;
	return 0;
}

/* The quorum device's checks (corosync refuses to start on each). Its
 * votes when not given: one less than the nodes, when every node has
 * one vote; expected_votes then counts them. */
static int check_device(struct cfg_loader *ld, uint32_t nodelist_votes)
{
	struct cohort_quorum *q = &ld->cfg->quorum;
	unsigned l = ld->qline.device;

	if (!q->device_model)
		return 0;
	if (q->two_node)
		return qerr(ld, l, "device", "two_node and a quorum device "
		    "cannot be configured together");
	if (q->last_man_standing)
		return qerr(ld, l, "device", "a quorum device is not "
		    "compatible with last_man_standing");
	if (q->auto_tie_breaker != COHORT_ATB_NONE)
		return qerr(ld, l, "device", "a quorum device is not "
		    "compatible with auto_tie_breaker");
	if (q->allow_downscale)
		return qerr(ld, l, "device", "a quorum device is not "
		    "compatible with allow_downscale");
	if (q->expected_votes_set && !q->device_votes)
		return qerr(ld, l, "device", "quorum.device.votes must be "
		    "given when quorum.expected_votes is");
	/* The nodes must keep at least two votes of the expected ones. */
	if (q->expected_votes_set &&
	    (uint64_t)q->device_votes + 2 > q->expected_votes)
		return qerr(ld, l, "device", "quorum.device.votes is too high "
		    "or expected_votes is too low");
	if (!q->device_votes) {
		for (size_t i = 0; i < ld->cfg->n_nodes; i++)
			if (ld->cfg->nodes[i].quorum_votes != 1)
				return qerr(ld, l, "device", "quorum.device.votes "
				    "must be given when not every node has "
				    "one vote");
		q->device_votes = ld->cfg->n_nodes ?
		    (uint32_t)ld->cfg->n_nodes - 1 : 0;
	}
	if (!q->expected_votes_set)
		q->expected_votes = nodelist_votes + q->device_votes;
	return 0;
}

int cfg_quorum_finish(struct cfg_loader *ld)
{
	struct cohort_config *cfg = ld->cfg;
	struct cohort_quorum *q = &cfg->quorum;
	uint32_t nodelist_votes = 0;
	int rc;

	if (q->provider == COHORT_QUORUM_NONE)
		return 0;
	for (size_t i = 0; i < cfg->n_nodes; i++)
		nodelist_votes += cfg->nodes[i].quorum_votes;
	if (!cfg->n_nodes && !q->expected_votes_set) {
		cfg_err(ld->err, ld->errlen, cfg->path, q->line, "key "
		    "'quorum.provider': " PROVIDER_VOTEQUORUM " needs a nodelist "
		    "or quorum.expected_votes");
		return -EINVAL;
	}
	if (!q->expected_votes_set)
		q->expected_votes = nodelist_votes;
	if (q->two_node && q->expected_votes != 2 && !q->device_model) {
		char msg[160];

		snprintf(msg, sizeof(msg), "two_node needs exactly two votes "
		    "in the cluster, the %s gives %u", q->expected_votes_set ?
		    "expected_votes" : "nodelist", q->expected_votes);
		return qerr(ld, ld->qline.two_node, "two_node", msg);
	}
	if (!q->wait_for_all_set)
		q->wait_for_all = q->two_node;
	if (ld->atb_on && (rc = parse_atb(ld)) < 0)
		return rc;
	if (!ld->atb_on && ld->atb_node &&
	    (rc = qwarn(ld, ld->qline.atb_node, "auto_tie_breaker_node",
	    "has no effect without auto_tie_breaker")) < 0)
		return rc;
	if (q->two_node && q->auto_tie_breaker != COHORT_ATB_NONE) {
		q->two_node = false;
		if ((rc = qwarn(ld, ld->qline.two_node, "two_node", "not "
		    "compatible with auto_tie_breaker: two_node disabled")) < 0)
			return rc;
	}
	if (q->auto_tie_breaker != COHORT_ATB_NONE && nodelist_votes % 2 &&
	    !q->wait_for_all) {
		if (q->last_man_standing)
			return qerr(ld, ld->qline.atb, "auto_tie_breaker",
			    "with an odd number of votes in the nodelist and "
			    "last_man_standing, wait_for_all is needed");
		q->auto_tie_breaker = COHORT_ATB_NONE;
		q->n_atb_nodes = 0;
		if ((rc = qwarn(ld, ld->qline.atb, "auto_tie_breaker", "an odd "
		    "number of votes in the nodelist needs wait_for_all: "
		    "auto_tie_breaker disabled")) < 0)
			return rc;
	}
	if (q->allow_downscale)
		q->expected_votes_tracking = true;
	return check_device(ld, nodelist_votes);
}

static const char *atb_name(const struct cohort_quorum *q)
{
	switch (q->auto_tie_breaker) {
	case COHORT_ATB_HIGHEST:
		return "highest";
	case COHORT_ATB_LIST:
		return NULL;
	default:
		return "lowest";
	}
}

void cfg_quorum_print(const struct cohort_config *cfg, FILE *out)
{
	const struct cohort_quorum *q = &cfg->quorum;

	if (q->provider == COHORT_QUORUM_NONE)
		return;
	fprintf(out, "\nquorum {\n\tprovider: " PROVIDER_VOTEQUORUM "\n");
	if (!q->expected_votes_set)
		fprintf(out, "\t# expected_votes: the nodelist's votes%s\n",
		    q->device_model ? " and the device's" : "");
	fprintf(out, "\texpected_votes: %u\n", q->expected_votes);
	if (!cfg->n_nodes)
		fprintf(out, "\tvotes: %u\n", q->votes);
	fprintf(out, "\ttwo_node: %d\n\twait_for_all: %d\n"
	    "\tlast_man_standing: %d\n\tlast_man_standing_window: %u\n"
	    "\tauto_tie_breaker: %d\n", q->two_node, q->wait_for_all,
	    q->last_man_standing, q->last_man_standing_window,
	    q->auto_tie_breaker != COHORT_ATB_NONE);
	if (q->auto_tie_breaker != COHORT_ATB_NONE) {
		const char *name = atb_name(q);

		fprintf(out, "\tauto_tie_breaker_node:");
		if (name)
			fprintf(out, " %s", name);
		for (size_t i = 0; !name && i < q->n_atb_nodes; i++)
			fprintf(out, " %u", q->atb_nodes[i]);
		fprintf(out, "\n");
	}
	fprintf(out, "\tallow_downscale: %d\n\texpected_votes_tracking: %d\n",
	    q->allow_downscale, q->expected_votes_tracking);
	if (q->leaving_timeout)
		fprintf(out, "\tleaving_timeout: %u\n", q->leaving_timeout);
	if (q->device_model)
		fprintf(out, "\tdevice {\n\t\tmodel: %s\n\t\tvotes: %u\n"
		    "\t\ttimeout: %u\n\t\tsync_timeout: %u\n\t}\n",
		    q->device_model, q->device_votes, q->device_timeout,
		    q->device_sync_timeout);
	fprintf(out, "}\n");
}
