/*
 * corosync-cfgtool: corosync 3.1.7's tool of that name on Cohort's libcfg
 * and libcmap, with its options, output and exit statuses
 * (services-reference §7.3): monitoring, pcs and Proxmox parse -s and
 * -n, so every tab, space and word is corosync's.
 *
 * The nodelist comes from the map (nodelist.node.N.nodeid, in node id
 * order) and each node's state from corosync_cfg_node_status_get();
 * fetching is kept apart from printing.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <corosync/cfg.h>
#include <corosync/cmap.h>

#include "tools/corosync/addr_util.h"

/* The nodes a nodelist holds at most (nodelist.node.N). */
#define NODES_MAX 1024
/* Times -H retries a try_shutdown refused with CS_ERR_TRY_AGAIN, a
 * second apart (corosync's). */
#define SHUTDOWN_TRIES 30

enum action { ACT_NONE, ACT_STATUS, ACT_NODES, ACT_RELOAD, ACT_REOPEN,
    ACT_KILL, ACT_ADDRS, ACT_SHUTDOWN };

/* What -s and -n print: the local node, the transport and every node's
 * status, in node id order. */
struct view {
	unsigned int local;
	char transport[64];
	char link_transport[CFG_MAX_LINKS][64];
	size_t n;
	uint32_t ids[NODES_MAX];
	struct corosync_cfg_node_status_v1 st[NODES_MAX];
	bool have[NODES_MAX];     /* its status could be had */
};

static void usage(void)
{
	printf("corosync-cfgtool [[-i <interface ip>] [-b] -s] [-R] [-L] "
	    "[-k nodeid] [-a nodeid] [-h] [-H]\n\n"
	    "A tool for displaying and configuring active parameters within "
	    "corosync.\n"
	    "options:\n"
	    "\t-i\tFinds only information about the specified interface IP "
	    "address or link id when used with -s..\n"
	    "\t-s\tDisplays the status of the current links on this node.\n"
	    "\t-n\tDisplays the status of the connected nodes and their "
	    "links.\n"
	    "\t-b\tDisplays the brief status of the current links on this "
	    "node when used with -s.\n"
	    "\t-R\tTell all instances of corosync in this cluster to reload "
	    "corosync.conf.\n"
	    "\t-L\tTell corosync to reopen all logging files.\n"
	    "\t-k\tKill a node identified by node id.\n"
	    "\t-a\tDisplay the IP address(es) of a node\n"
	    "\t-h\tPrint basic usage.\n"
	    "\t-H\tShutdown corosync cleanly on this node.\n"
	    "\t\t--force will shut down corosync regardless of daemon vetos\n");
}

static int by_id(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* A string of the map into `buf`, or `dflt` when it has none. */
static void map_string(cmap_handle_t m, const char *key, const char *dflt,
    char *buf, size_t len)
{
	char *s = NULL;

	if (cmap_get_string(m, key, &s) == CS_OK && s)
		snprintf(buf, len, "%s", s);
	else
		snprintf(buf, len, "%s", dflt);
	free(s);
}

/* The nodelist's node ids, sorted; the transports. 0, or an exit
 * status after the message. */
static int fetch_map(struct view *v)
{
	cmap_handle_t m;
	cmap_iter_handle_t it;
	char key[CMAP_KEYNAME_MAXLEN + 1];
	size_t len;
	cmap_value_types_t type;
	cs_error_t err = cmap_initialize(&m);

	if (err != CS_OK) {
		fprintf(stderr, "Could not initialize corosync cmap API error "
		    "%d\n", err);
		return 1;
	}
	map_string(m, "totem.transport", "knet", v->transport,
	    sizeof(v->transport));
	for (unsigned l = 0; l < CFG_MAX_LINKS; l++) {
		snprintf(key, sizeof(key), "totem.interface.%u.knet_transport",
		    l);
		map_string(m, key, "udp", v->link_transport[l],
		    sizeof(v->link_transport[l]));
	}
	err = cmap_iter_init(m, "nodelist.node.", &it);
	if (err != CS_OK) {
		fprintf(stderr, "Could not get nodelist from cmap. error %d\n",
		    err);
		cmap_finalize(m);
		return 1;
	}
	while (v->n < NODES_MAX &&
	    cmap_iter_next(m, it, key, &len, &type) == CS_OK) {
		unsigned idx;
		int end = 0;
		uint32_t id;

		if (sscanf(key, "nodelist.node.%u.nodeid%n", &idx, &end) != 1 ||
		    key[end] != '\0' || end == 0)
			continue;
		if (cmap_get_uint32(m, key, &id) == CS_OK)
			v->ids[v->n++] = id;
	}
	cmap_iter_finalize(m, it);
	cmap_finalize(m);
	if (v->n == 0) {
		fprintf(stderr, "No nodes found in nodelist\n");
		return 1;
	}
	qsort(v->ids, v->n, sizeof(v->ids[0]), by_id);
	return 0;
}

/* Everything -s and -n show. 0, or an exit status after the message. */
static int fetch_view(struct view *v)
{
	corosync_cfg_handle_t h;
	cs_error_t err = corosync_cfg_initialize(&h, NULL);
	int rc;

	if (err != CS_OK) {
		fprintf(stderr, "Could not initialize corosync configuration "
		    "API error %d\n", err);
		return 1;
	}
	if ((rc = fetch_map(v)) != 0) {
		corosync_cfg_finalize(h);
		return rc;
	}
	err = corosync_cfg_local_get(h, &v->local);
	if (err != CS_OK) {
		fprintf(stderr, "Could not get the local node id, the error "
		    "is: %d\n", err);
		corosync_cfg_finalize(h);
		return 1;
	}
	for (size_t i = 0; i < v->n; i++) {
		err = corosync_cfg_node_status_get(h, v->ids[i],
		    CFG_NODE_STATUS_V1, &v->st[i]);
		v->have[i] = err == CS_OK;
		if (err != CS_OK)
			fprintf(stderr, "Could not get the node status for "
			    "nodeid %d, the error is: %d\n", (int)v->ids[i],
			    err);
	}
	corosync_cfg_finalize(h);
	return 0;
}

static bool is_knet(const struct view *v)
{
	return strcmp(v->transport, "knet") == 0;
}

/* -s: per link that the last other node of the list has enabled, this
 * node's address on it and the state of the link to every node. */
static void print_links(const struct view *v, bool brief)
{
	const struct corosync_cfg_node_status_v1 *ref = NULL;

	for (size_t i = 0; i < v->n; i++)
		if (v->ids[i] != v->local && v->have[i])
			ref = &v->st[i];
	if (!ref)
		return;
	for (unsigned l = 0; l < CFG_MAX_LINKS; l++) {
		if (!ref->link_status[l].enabled)
			continue;
		printf("LINK ID %u %s\n", l, is_knet(v) ?
		    v->link_transport[l] : "");
		printf("\taddr\t= %s\n", ref->link_status[l].src_ipaddr);
		printf(brief ? "\tstatus\t= " : "\tstatus:\n");
		for (size_t i = 0; i < v->n; i++) {
			const struct corosync_knet_link_status_v1 *s =
			    &v->st[i].link_status[l];
			bool local = v->ids[i] == v->local;

			if (brief) {
				putchar(local ? 'n' : v->have[i] ?
				    '0' + (s->enabled | s->connected << 1) :
				    '0');
				continue;
			}
			printf("\t\tnodeid: %10u:\t%s\n", v->ids[i], local ?
			    "localhost" : v->have[i] && s->connected ?
			    "connected" : "disconnected");
		}
		if (brief)
			putchar('\n');
	}
}

/* -n: every other node that is reachable, and its enabled links. */
static void print_nodes(const struct view *v)
{
	for (size_t i = 0; i < v->n; i++) {
		const struct corosync_cfg_node_status_v1 *st = &v->st[i];

		if (v->ids[i] == v->local || !v->have[i] || !st->reachable)
			continue;
		printf("nodeid: %u reachable%s%s\n", v->ids[i],
		    st->remote ? " remote" : "",
		    st->external ? " external" : "");
		for (unsigned l = 0; l < CFG_MAX_LINKS; l++) {
			const struct corosync_knet_link_status_v1 *s =
			    &st->link_status[l];

			if (!s->enabled)
				continue;
			printf("   LINK: %u %s (%s%s%s) enabled%s%s mtu: %d\n",
			    l, is_knet(v) ? v->link_transport[l] : "",
			    s->src_ipaddr, is_knet(v) ? "->" : "",
			    is_knet(v) ? s->dst_ipaddr : "",
			    s->connected ? " connected" : "",
			    s->dynconnected ? " dynconnected" : "",
			    (int)s->mtu);
		}
		printf("\n");
	}
}

static int status_do(enum action act, bool brief)
{
	struct view *v = calloc(1, sizeof(*v));
	int rc;

	if (!v) {
		fprintf(stderr, "out of memory\n");
		return 1;
	}
	rc = fetch_view(v);
	if (rc == 0) {
		printf("Local node ID %u, transport %s\n", v->local,
		    v->transport);
		if (act == ACT_STATUS)
			print_links(v, brief);
		else
			print_nodes(v);
	}
	free(v);
	return rc;
}

/* A handle, or exit 1 with corosync's message (the error by name when
 * `by_name`, else as a number). */
static corosync_cfg_handle_t open_cfg(bool by_name)
{
	corosync_cfg_handle_t h;
	cs_error_t err = corosync_cfg_initialize(&h, NULL);

	if (err == CS_OK)
		return h;
	if (by_name)
		fprintf(stderr, "Could not initialize corosync configuration "
		    "API error %s\n", cs_strerror(err));
	else
		fprintf(stderr, "Could not initialize corosync configuration "
		    "API error %d\n", err);
	exit(1);
}

static int reload_do(void)
{
	corosync_cfg_handle_t h;
	cs_error_t err;

	printf("Reloading corosync.conf...\n");
	fflush(stdout);
	h = open_cfg(true);
	err = corosync_cfg_reload_config(h);
	corosync_cfg_finalize(h);
	if (err != CS_OK) {
		fprintf(stderr, "Could not reload configuration. Error %s\n",
		    cs_strerror(err));
		return (int)err;
	}
	printf("Done\n");
	return 0;
}

static int reopen_do(void)
{
	corosync_cfg_handle_t h = open_cfg(true);
	cs_error_t err = corosync_cfg_reopen_log_files(h);

	corosync_cfg_finalize(h);
	if (err != CS_OK) {
		fprintf(stderr, "Could not reopen corosync logging files. "
		    "Error %s\n", cs_strerror(err));
		return (int)err;
	}
	return 0;
}

static int kill_do(uint32_t nodeid)
{
	corosync_cfg_handle_t h;
	cs_error_t err;

	printf("Killing node %u\n", nodeid);
	fflush(stdout);
	h = open_cfg(false);
	err = corosync_cfg_kill_node(h, nodeid, "Killed by corosync-cfgtool");
	corosync_cfg_finalize(h);
	if (err != CS_OK) {
		fprintf(stderr, "Could not kill node (error = %s)\n",
		    cs_strerror(err));
		return 1;
	}
	return 0;
}

static int addrs_do(uint32_t nodeid)
{
	corosync_cfg_node_address_t addrs[CFG_MAX_LINKS];
	corosync_cfg_handle_t h = open_cfg(false);
	int n = 0;
	cs_error_t err;

	err = corosync_cfg_get_node_addrs(h, nodeid, CFG_MAX_LINKS, &n, addrs);
	corosync_cfg_finalize(h);
	if (err != CS_OK) {
		fprintf(stderr, "Could not get node address for nodeid %d\n",
		    (int)nodeid);
		return 1;
	}
	addr_print(addrs, n < CFG_MAX_LINKS ? n : CFG_MAX_LINKS);
	printf("\n");
	return 0;
}

/* -H: exits 0 whatever happens, as corosync's tool. */
static int shutdown_do(bool force)
{
	corosync_cfg_handle_t h = open_cfg(false);
	cs_error_t err;
	int tries = 0;

	printf("Shutting down corosync\n");
	fflush(stdout);
	while ((err = corosync_cfg_try_shutdown(h, force ?
	    COROSYNC_CFG_SHUTDOWN_FLAG_REGARDLESS :
	    COROSYNC_CFG_SHUTDOWN_FLAG_REQUEST)) == CS_ERR_TRY_AGAIN &&
	    ++tries < SHUTDOWN_TRIES)
		sleep(1);
	if (err != CS_OK)
		fprintf(stderr, "Could not shutdown (error = %d)\n", err);
	corosync_cfg_finalize(h);
	return 0;
}

/* A node id argument: a positive number that fits, else 0. */
static uint32_t parse_nodeid(const char *s)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 0);
	if (errno || end == s || v <= 0 || v > UINT32_MAX)
		return 0;
	return (uint32_t)v;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "if", required_argument, NULL, 'i' },
		{ "status", no_argument, NULL, 's' },
		{ "nodes", no_argument, NULL, 'n' },
		{ "brief", no_argument, NULL, 'b' },
		{ "reload", no_argument, NULL, 'R' },
		{ "reopen", no_argument, NULL, 'L' },
		{ "kill", required_argument, NULL, 'k' },
		{ "address", required_argument, NULL, 'a' },
		{ "shutdown", no_argument, NULL, 'H' },
		{ "force", no_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 },
	};
	enum action act = ACT_NONE;
	bool brief = false, force = false;
	uint32_t nodeid = 0;
	int ch;

	while ((ch = getopt_long(argc, argv, "i:snbrRLk:a:hH", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'i':   /* accepted and ignored, as in 3.1.7 */
		case 'r':
		case 'h':
			break;
		case 's':
			act = ACT_STATUS;
			break;
		case 'n':
			act = ACT_NODES;
			break;
		case 'b':
			brief = true;
			break;
		case 'R':
			act = ACT_RELOAD;
			break;
		case 'L':
			act = ACT_REOPEN;
			break;
		case 'k':
		case 'a':
			act = ch == 'k' ? ACT_KILL : ACT_ADDRS;
			nodeid = parse_nodeid(optarg);
			if (!nodeid) {
				fprintf(stderr, "The nodeid was not valid, try "
				    "a positive number\n");
				return 1;
			}
			break;
		case 'H':
			act = ACT_SHUTDOWN;
			break;
		case 'F':
			force = true;
			break;
		default:
			return 1;
		}
	}
	switch (act) {
	case ACT_STATUS:
	case ACT_NODES:
		return status_do(act, brief);
	case ACT_RELOAD:
		return reload_do();
	case ACT_REOPEN:
		return reopen_do();
	case ACT_KILL:
		return kill_do(nodeid);
	case ACT_ADDRS:
		return addrs_do(nodeid);
	case ACT_SHUTDOWN:
		return shutdown_do(force);
	case ACT_NONE:
		break;
	}
	usage();
	return 0;
}
