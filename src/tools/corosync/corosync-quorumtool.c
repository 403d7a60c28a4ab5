/*
 * corosync-quorumtool: corosync 3.1.7's quorum tool on Cohort's
 * libraries, with its options, output (byte for byte: monitoring, pcs
 * and Proxmox parse -s, -l, -p and -e), messages and exit codes.
 *
 * The tool first fetches (quorum snapshot, votequorum node list, node
 * information, names) and then prints. It reproduces corosync's tool
 * where programs may rely on it, quirks included:
 *  - "votequorum in use" is true also when it cannot be told (no quorum
 *    provider, or quorum.provider unreadable): -s then fails at the
 *    votequorum snapshot, as corosync's does;
 *  - with -o i or -o n the rows are sorted but the votes and qdevice
 *    columns stay in the order the daemon listed the nodes;
 *  - a node whose information the daemon does not have is printed with
 *    what votequorum_getinfo() left (zeros with Cohort's library).
 */
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <corosync/cfg.h>
#include <corosync/cmap.h>
#include <corosync/quorum.h>
#include <corosync/votequorum.h>

/* The corosync release whose tool this one reproduces (-V). */
#define COROSYNC_COMPAT_VERSION "3.1.7"
#define EXIT_NOT_QUORATE 2
/* Addresses asked of cfg per node: corosync's INTERFACE_MAX (links). */
#define NODE_ADDRS_MAX 8
/* A node's printed name: the nodelist name, or up to NODE_ADDRS_MAX
 * numeric addresses joined with ", ". */
#define NAME_BUF_LEN ((INET6_ADDRSTRLEN + 1) * NODE_ADDRS_MAX)
/* A nodelist name is cut to fit this buffer, NUL included, as corosync
 * cuts it. */
#define NODELIST_NAME_MAX 255
#define CELL_WIDTH 10

enum command { CMD_STATUS, CMD_NODES, CMD_VOTES, CMD_EXPECTED, CMD_MONITOR,
	CMD_UNREGISTER };
enum sort_order { SORT_ADDR, SORT_NODEID, SORT_NAME };

/* One member in the quorum snapshot and its name column. */
struct row {
	uint32_t nodeid;
	char name[NAME_BUF_LEN];
};

struct qtool {
	/* Options. */
	bool hex, numeric, all_addrs, parsable;
	enum sort_order sort;
	/* Handles (0: not open). */
	cmap_handle_t cmap;
	quorum_handle_t q;
	uint32_t q_type;
	corosync_cfg_handle_t cfg;
	votequorum_handle_t vq;
	uint32_t our_nodeid;
	/* The last quorum snapshot (quorum callback). */
	bool got_quorum;
	uint32_t quorate;
	uint64_t ring_seq;
	uint32_t n_rows;
	struct row *rows;
	/* The representative of the ring (votequorum node-list callback). */
	bool got_vq;
	uint32_t ring_rep;
};

static void usage(const char *prog)
{
	printf("usage: \n%s <options>\n\n  options:\n\n", prog);
	fputs("  -s             show quorum status\n"
	    "  -m             constantly monitor quorum status\n"
	    "  -l             list nodes\n"
	    "  -a             show all names or addresses for each node\n"
	    "  -p             when used with -s or -l, generates machine "
	    "parsable output\n"
	    "  -v <votes>     change the number of votes for a node (*)\n"
	    "  -n <nodeid>    optional nodeid of node for -v\n"
	    "  -e <expected>  change expected votes for the cluster (*)\n"
	    "  -H             show nodeids in hexadecimal rather than decimal\n"
	    "  -i             show node IP addresses instead of the resolved "
	    "name\n"
	    "  -o <a|n|i>     order by [a] IP address (default), [n] name, [i] "
	    "nodeid\n"
	    "  -f             forcefully unregister a quorum device "
	    "*DANGEROUS* (*)\n"
	    "  -h             show this help text\n"
	    "  -V             show version and exit\n\n"
	    "  (*) Starred items only work if votequorum is the quorum provider "
	    "for corosync\n\n", stdout);
}

/* A decimal in [min, max], the whole string: 0, or -1. */
static int parse_num(const char *s, long long min, long long max,
    long long *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || *end || errno || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* ---- fetching ---- */

static void on_quorum(quorum_handle_t h, uint32_t quorate, uint64_t ring_seq,
    uint32_t n, uint32_t *list)
{
	const void *ctx = NULL;
	struct qtool *t;

	if (quorum_context_get(h, &ctx) != CS_OK || !ctx)
		return;
	t = (struct qtool *)ctx;
	free(t->rows);
	t->rows = calloc(n ? n : 1, sizeof(*t->rows));
	t->n_rows = t->rows ? n : 0;
	for (uint32_t i = 0; i < t->n_rows; i++)
		t->rows[i].nodeid = list[i];
	t->quorate = quorate;
	t->ring_seq = ring_seq;
	t->got_quorum = true;
}

static void on_vq_nodelist(votequorum_handle_t h, uint64_t context,
    votequorum_ring_id_t ring, uint32_t n, uint32_t list[])
{
	void *ctx = NULL;

	if (votequorum_context_get(h, &ctx) != CS_OK || !ctx)
		return;
	((struct qtool *)ctx)->ring_rep = ring.nodeid;
	((struct qtool *)ctx)->got_vq = true;
}

/* The configured provider's name into `out`: 0, or nonzero when none is
 * configured or it cannot be read. */
static int provider(const struct qtool *t, char *out, size_t len)
{
	char *s = NULL;

	if (t->q_type == QUORUM_FREE)
		return -1;
	if (cmap_get_string(t->cmap, "quorum.provider", &s) != CS_OK || !s)
		return -1;
	snprintf(out, len, "%s", s);
	free(s);
	return 0;
}

/* 1: votequorum is the provider, 0: another one, -1: cannot tell
 * (which corosync's tool takes for "yes" where it only tests truth). */
static int using_votequorum(const struct qtool *t)
{
	char name[256] = "";

	if (provider(t, name, sizeof(name)))
		return -1;
	return strcmp(name, "corosync_votequorum") == 0;
}

static int open_all(struct qtool *t)
{
	quorum_callbacks_t qcb = { .quorum_notify_fn = on_quorum };
	votequorum_callbacks_t vcb = {
		.votequorum_nodelist_notify_fn = on_vq_nodelist,
	};
	corosync_cfg_callbacks_t ccb = { .corosync_cfg_shutdown_callback = NULL };

	if (cmap_initialize(&t->cmap) != CS_OK) {
		fprintf(stderr, "Cannot initialize CMAP service\n");
		t->cmap = 0;
		return -1;
	}
	if (quorum_initialize(&t->q, &qcb, &t->q_type) != CS_OK) {
		fprintf(stderr, "Cannot initialize QUORUM service\n");
		t->q = 0;
		return -1;
	}
	quorum_context_set(t->q, t);
	if (corosync_cfg_initialize(&t->cfg, &ccb) != CS_OK) {
		fprintf(stderr, "Cannot initialise CFG service\n");
		t->cfg = 0;
		return -1;
	}
	if (using_votequorum(t) <= 0)
		return 0;
	if (votequorum_initialize(&t->vq, &vcb) != CS_OK) {
		fprintf(stderr, "Cannot initialise VOTEQUORUM service\n");
		t->vq = 0;
		return -1;
	}
	votequorum_context_set(t->vq, t);
	if (cmap_get_uint32(t->cmap, "runtime.votequorum.this_node_id",
	    &t->our_nodeid) != CS_OK) {
		fprintf(stderr, "Unable to retrieve this_node_id\n");
		return -1;
	}
	return 0;
}

static void close_all(struct qtool *t)
{
	if (t->cmap)
		cmap_finalize(t->cmap);
	if (t->q)
		quorum_finalize(t->q);
	if (t->cfg)
		corosync_cfg_finalize(t->cfg);
	if (t->vq)
		votequorum_finalize(t->vq);
	free(t->rows);
}

/* Dispatches the quorum handle until a quorum callback came. */
static cs_error_t wait_quorum(struct qtool *t)
{
	cs_error_t err = CS_OK;

	t->got_quorum = false;
	while (!t->got_quorum && err == CS_OK) {
		err = quorum_dispatch(t->q, CS_DISPATCH_ONE);
		if (err != CS_OK)
			fprintf(stderr, "Unable to dispatch quorum status: %s\n",
			    cs_strerror(err));
	}
	return err;
}

/* Dispatches the votequorum handle until a node-list callback came. */
static cs_error_t wait_vq(struct qtool *t)
{
	cs_error_t err = CS_OK;

	t->got_vq = false;
	while (!t->got_vq && err == CS_OK) {
		err = votequorum_dispatch(t->vq, CS_DISPATCH_ONE);
		if (err != CS_OK)
			fprintf(stderr, "Unable to dispatch votequorum status: "
			    "%s\n", cs_strerror(err));
	}
	return err;
}

/* The `name` key of the nodelist entry whose nodeid is `nodeid`, into
 * `out` ("" when there is none). */
static void nodelist_name(const struct qtool *t, uint32_t nodeid, char *out,
    size_t len)
{
	char key[CMAP_KEYNAME_MAXLEN + 1], probe[CMAP_KEYNAME_MAXLEN + 1];
	cmap_iter_handle_t iter;
	unsigned int pos;
	uint32_t id;
	char *s;

	out[0] = '\0';
	if (cmap_iter_init(t->cmap, "nodelist.node.", &iter) != CS_OK)
		return;
	while (cmap_iter_next(t->cmap, iter, key, NULL, NULL) == CS_OK) {
		if (sscanf(key, "nodelist.node.%u.%255s", &pos, probe) != 2 ||
		    strcmp(probe, "nodeid") != 0)
			continue;
		if (cmap_get_uint32(t->cmap, key, &id) != CS_OK || id != nodeid)
			continue;
		snprintf(probe, sizeof(probe), "nodelist.node.%u.name", pos);
		if (cmap_get_string(t->cmap, probe, &s) != CS_OK || !s)
			continue;
		snprintf(out, len < NODELIST_NAME_MAX ? len : NODELIST_NAME_MAX,
		    "%s", s);
		free(s);
		break;
	}
	cmap_iter_finalize(t->cmap, iter);
}

/* What the name column shows for `nodeid`: its nodelist name (unless
 * -i) and/or its addresses from cfg, resolved unless -i; only the first
 * unless -a. */
static void node_name(const struct qtool *t, uint32_t nodeid, char *buf)
{
	corosync_cfg_node_address_t addrs[NODE_ADDRS_MAX];
	size_t used = 0;
	int n = 0, first = 0;
	cs_error_t err;

	buf[0] = '\0';
	if (!t->numeric) {
		nodelist_name(t, nodeid, buf, NAME_BUF_LEN);
		if (buf[0]) {
			first = 1;
			used = strlen(buf);
		}
	}
	err = corosync_cfg_get_node_addrs(t->cfg, nodeid, NODE_ADDRS_MAX, &n,
	    addrs);
	if (err != CS_OK) {
		fprintf(stderr, "Unable to get node address for nodeid %u: %s\n",
		    nodeid, cs_strerror(err));
		buf[0] = '\0';
		return;
	}
	if (!t->all_addrs)
		n = 1;
	for (int i = first; i < n; i++) {
		const struct sockaddr *sa =
		    (const struct sockaddr *)addrs[i].address;
		sa_family_t family;
		socklen_t sl;

		/* The array is not aligned for a struct sockaddr_storage:
		 * the family is copied out, not read through a cast. */
		memcpy(&family, addrs[i].address, sizeof(family));
		if (!family)
			continue;
		sl = family == AF_INET6 ? sizeof(struct sockaddr_in6) :
		    sizeof(struct sockaddr_in);
		/* A separator, a character and the NUL must still fit. */
		if (used + 4 > NAME_BUF_LEN)
			break;
		if (i) {
			buf[used++] = ',';
			buf[used++] = ' ';
			buf[used] = '\0';
		}
		if (getnameinfo(sa, sl, buf + used,
		    NAME_BUF_LEN - used, NULL, 0,
		    t->numeric ? NI_NUMERICHOST : 0) == 0)
			used += strlen(buf + used);
	}
}

/* ---- printing ---- */

/* A cell right-aligned to the column width, then a space. */
static void cell(const char *s)
{
	printf("%*s ", CELL_WIDTH, s);
}

static void cell_u32(uint32_t v)
{
	char b[12];

	snprintf(b, sizeof(b), "%u", v);
	cell(b);
}

static void cell_nodeid(const struct qtool *t, uint32_t nodeid)
{
	if (t->hex)
		printf("0x%08x ", nodeid);
	else
		cell_u32(nodeid);
}

static int by_nodeid(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	return x->nodeid < y->nodeid ? -1 : x->nodeid > y->nodeid;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct row *)a)->name,
	    ((const struct row *)b)->name);
}

static void print_qdevice_row(const struct qtool *t,
    const struct votequorum_info *first, unsigned int our_flags)
{
	bool casts = our_flags & VOTEQUORUM_INFO_QDEVICE_CAST_VOTE;

	cell_nodeid(t, VOTEQUORUM_QDEVICE_NODEID);
	cell_u32(casts ? first->qdevice_votes : 0);
	printf("           %s", first->qdevice_name);
	if (casts)
		printf("\n");
	else
		printf(" (votes %d)\n", (int)first->qdevice_votes);
}

/* The membership table of the last snapshot. */
static void print_nodes(struct qtool *t)
{
	struct votequorum_info *info = NULL;
	bool qdevice = false;
	unsigned int our_flags = 0;
	uint32_t n = t->n_rows;

	if (t->vq && n) {
		info = calloc(n, sizeof(*info));
		if (!info) {
			fprintf(stderr, "Out of memory\n");
			return;
		}
	}
	for (uint32_t i = 0; info && i < n; i++) {
		if (votequorum_getinfo(t->vq, t->rows[i].nodeid, &info[i]) !=
		    CS_OK)
			printf("Unable to get node %u info\n", t->rows[i].nodeid);
		if (info[i].flags & VOTEQUORUM_INFO_QDEVICE_REGISTERED)
			qdevice = true;
	}
	for (uint32_t i = 0; i < n; i++)
		node_name(t, t->rows[i].nodeid, t->rows[i].name);

	printf("\nMembership information\n----------------------\n");
	cell("Nodeid");
	if (t->vq) {
		cell("Votes");
		if (qdevice || t->parsable)
			cell("Qdevice");
	}
	printf("Name\n");
	/* The daemon lists members in its order (by address); the votes
	 * and qdevice columns stay in that order, as in corosync's tool. */
	if (t->sort == SORT_NODEID && n)
		qsort(t->rows, n, sizeof(*t->rows), by_nodeid);
	if (t->sort == SORT_NAME && n)
		qsort(t->rows, n, sizeof(*t->rows), by_name);
	for (uint32_t i = 0; i < n; i++) {
		cell_nodeid(t, t->rows[i].nodeid);
		if (info) {
			cell_u32(info[i].node_votes);
			if (qdevice || t->parsable) {
				unsigned int f = info[i].flags;
				char b[CELL_WIDTH];

				if (f & VOTEQUORUM_INFO_QDEVICE_REGISTERED) {
					snprintf(b, sizeof(b), "%s,%s,%s",
					    f & VOTEQUORUM_INFO_QDEVICE_ALIVE ?
					    "A" : "NA",
					    f & VOTEQUORUM_INFO_QDEVICE_CAST_VOTE ?
					    "V" : "NV",
					    f & VOTEQUORUM_INFO_QDEVICE_MASTER_WINS ?
					    "MW" : "NMW");
					cell(b);
				} else {
					cell("NR");
				}
			}
		}
		printf("%s", t->rows[i].name);
		if (t->rows[i].nodeid == t->our_nodeid) {
			printf(" (local)");
			if (info)
				our_flags = info[i].flags;
		}
		printf("\n");
	}
	if (qdevice)
		print_qdevice_row(t, &info[0], our_flags);
	free(info);
}

static void print_flags(unsigned int flags)
{
	static const struct { unsigned int bit; const char *name; } names[] = {
		{ VOTEQUORUM_INFO_TWONODE, "2Node" },
		{ VOTEQUORUM_INFO_QUORATE, "Quorate" },
		{ VOTEQUORUM_INFO_WAIT_FOR_ALL, "WaitForAll" },
		{ VOTEQUORUM_INFO_LAST_MAN_STANDING, "LastManStanding" },
		{ VOTEQUORUM_INFO_AUTO_TIE_BREAKER, "AutoTieBreaker" },
		{ VOTEQUORUM_INFO_ALLOW_DOWNSCALE, "AllowDownscale" },
		{ VOTEQUORUM_INFO_QDEVICE_REGISTERED, "Qdevice" },
	};

	printf("Flags:            ");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (flags & names[i].bit)
			printf("%s ", names[i].name);
	printf("\n");
}

/* The status block; returns votequorum_getinfo's answer for this node
 * (CS_OK without votequorum). */
static cs_error_t print_status(struct qtool *t, bool quorate)
{
	struct votequorum_info info;
	char prov[256] = "";
	cs_error_t err;
	time_t now = time(NULL);

	printf("Quorum information\n------------------\n");
	printf("Date:             %s", ctime(&now));
	if (provider(t, prov, sizeof(prov)))
		snprintf(prov, sizeof(prov), "Not configured");
	printf("Quorum provider:  %s\n", prov);
	printf("Nodes:            %u\n", t->n_rows);
	if (t->hex)
		printf("Node ID:          0x%08x\n", t->our_nodeid);
	else
		printf("Node ID:          %u\n", t->our_nodeid);
	if (t->vq)
		printf("Ring ID:          %x.%lx\n", t->ring_rep,
		    (unsigned long)t->ring_seq);
	else
		printf("Ring ID:          %lx\n", (unsigned long)t->ring_seq);
	printf("Quorate:          %s\n", quorate ? "Yes" : "No");
	if (!t->vq)
		return CS_OK;

	err = votequorum_getinfo(t->vq, t->our_nodeid, &info);
	if (err == CS_OK || err == CS_ERR_NOT_EXIST) {
		printf("\nVotequorum information\n----------------------\n");
		printf("Expected votes:   %d\n", (int)info.node_expected_votes);
		printf("Highest expected: %d\n", (int)info.highest_expected);
		printf("Total votes:      %d\n", (int)info.total_votes);
		printf("Quorum:           %d %s\n", (int)info.quorum,
		    info.flags & VOTEQUORUM_INFO_QUORATE ? " " :
		    "Activity blocked");
		print_flags(info.flags);
	} else {
		fprintf(stderr, "Unable to get node info: %s\n",
		    cs_strerror(err));
	}
	print_nodes(t);
	return err;
}

/* ---- commands ---- */

static int show_status(struct qtool *t)
{
	int quorate;
	cs_error_t err;

	err = quorum_getquorate(t->q, &quorate);
	if (err != CS_OK) {
		fprintf(stderr, "Unable to get cluster quorate status: %s\n",
		    cs_strerror(err));
		return EXIT_FAILURE;
	}
	err = quorum_trackstart(t->q, CS_TRACK_CURRENT);
	if (err != CS_OK) {
		fprintf(stderr, "Unable to start quorum status tracking: %s\n",
		    cs_strerror(err));
		return EXIT_FAILURE;
	}
	err = wait_quorum(t);
	/* corosync's tool names the dispatch's error here, not the stop's. */
	if (quorum_trackstop(t->q) != CS_OK)
		fprintf(stderr, "Unable to stop quorum status tracking: %s\n",
		    cs_strerror(err));
	/* Taken as "votequorum in use" also when it cannot be told. */
	if (using_votequorum(t)) {
		err = votequorum_trackstart(t->vq, 0, CS_TRACK_CURRENT);
		if (err != CS_OK) {
			fprintf(stderr, "Unable to start votequorum status "
			    "tracking: %s\n", cs_strerror(err));
			return EXIT_FAILURE;
		}
		err = wait_vq(t);
	}
	if (err != CS_OK)
		return EXIT_FAILURE;
	if (print_status(t, quorate) != CS_OK)
		return EXIT_FAILURE;
	return quorate ? EXIT_SUCCESS : EXIT_NOT_QUORATE;
}

static int monitor(struct qtool *t)
{
	cs_error_t err;

	if (t->q_type == QUORUM_FREE) {
		printf("\nQuorum is not configured - cannot monitor\n");
		return show_status(t);
	}
	err = quorum_trackstart(t->q, CS_TRACK_CHANGES);
	if (err != CS_OK) {
		fprintf(stderr, "Unable to start quorum status tracking: %s\n",
		    cs_strerror(err));
		return EXIT_FAILURE;
	}
	if (using_votequorum(t)) {
		err = votequorum_trackstart(t->vq, 0, CS_TRACK_CHANGES);
		if (err != CS_OK) {
			fprintf(stderr, "Unable to start votequorum status "
			    "tracking: %s\n", cs_strerror(err));
			return EXIT_FAILURE;
		}
	}
	for (;;) {
		err = quorum_dispatch(t->q, CS_DISPATCH_ONE);
		if (err != CS_OK) {
			fprintf(stderr, "Unable to dispatch quorum status: %s\n",
			    cs_strerror(err));
			return EXIT_FAILURE;
		}
		if (using_votequorum(t) && wait_vq(t) != CS_OK)
			return EXIT_FAILURE;
		err = print_status(t, t->quorate);
		printf("\n");
		fflush(stdout);
		if (err != CS_OK) {
			fprintf(stderr, "Unable to display quorum data: %s\n",
			    cs_strerror(err));
			return EXIT_FAILURE;
		}
	}
}

static int show_nodes(struct qtool *t)
{
	cs_error_t err = quorum_trackstart(t->q, CS_TRACK_CURRENT);

	if (err != CS_OK) {
		fprintf(stderr, "Unable to start quorum status tracking: %s\n",
		    cs_strerror(err));
		return EXIT_FAILURE;
	}
	if (wait_quorum(t) != CS_OK)
		return EXIT_FAILURE;
	print_nodes(t);
	return EXIT_SUCCESS;
}

static int set_votes(struct qtool *t, uint32_t nodeid, int votes)
{
	cs_error_t err = votequorum_setvotes(t->vq, nodeid, (unsigned)votes);

	if (err != CS_OK)
		fprintf(stderr, "Unable to set votes %d for nodeid: %u: %s\n",
		    votes, nodeid, cs_strerror(err));
	return err == CS_OK ? EXIT_SUCCESS : EXIT_FAILURE;
}

static int set_expected(struct qtool *t, int expected)
{
	cs_error_t err = votequorum_setexpected(t->vq, (unsigned)expected);

	if (err != CS_OK)
		fprintf(stderr, "Unable to set expected votes: %s\n",
		    cs_strerror(err));
	return err == CS_OK ? EXIT_SUCCESS : EXIT_FAILURE;
}

static int unregister_qdevice(struct qtool *t)
{
	struct votequorum_info info;
	cs_error_t err = votequorum_getinfo(t->vq, t->our_nodeid, &info);

	if (err != CS_OK) {
		fprintf(stderr, "Unable to get quorum device info: %s\n",
		    cs_strerror(err));
		return EXIT_FAILURE;
	}
	if (!(info.flags & VOTEQUORUM_INFO_QDEVICE_REGISTERED))
		return EXIT_SUCCESS;
	err = votequorum_qdevice_unregister(t->vq, info.qdevice_name);
	if (err != CS_OK) {
		fprintf(stderr, "Unable to unregister quorum device: %s\n",
		    cs_strerror(err));
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

/* Runs a command that needs votequorum, or says why it cannot. */
static int vq_command(struct qtool *t, enum command cmd, uint32_t nodeid,
    bool nodeid_set, int value)
{
	static const char *const what[] = {
		[CMD_VOTES] = "change node votes",
		[CMD_EXPECTED] = "change expected votes",
		[CMD_UNREGISTER] = "unregister quorum device",
	};

	if (using_votequorum(t) <= 0) {
		fprintf(stderr, "You cannot %s, corosync is not using "
		    "votequorum\n", what[cmd]);
		return EXIT_FAILURE;
	}
	switch (cmd) {
	case CMD_VOTES:
		return set_votes(t, nodeid_set ? nodeid : t->our_nodeid, value);
	case CMD_EXPECTED:
		return set_expected(t, value);
	default:
		return unregister_qdevice(t);
	}
}

int main(int argc, char *argv[])
{
	struct qtool t = { .sort = SORT_ADDR };
	enum command cmd = CMD_STATUS;
	bool nodeid_set = false;
	uint32_t nodeid = 0;
	long long v;
	int value = 0, opt, ret;

	while ((opt = getopt(argc, argv, "VHaslpmfe:v:hin:o:")) != -1) {
		switch (opt) {
		case 'f':
			cmd = CMD_UNREGISTER;
			break;
		case 's':
			cmd = CMD_STATUS;
			break;
		case 'a':
			t.all_addrs = true;
			break;
		case 'm':
			cmd = CMD_MONITOR;
			break;
		case 'i':
			t.numeric = true;
			break;
		case 'H':
			t.hex = true;
			break;
		case 'l':
			cmd = CMD_NODES;
			break;
		case 'p':
			t.parsable = true;
			break;
		case 'e':
			if (parse_num(optarg, 1, INT_MAX, &v)) {
				fprintf(stderr, "New expected votes value was not "
				    "valid, try a positive number\n");
				return EXIT_FAILURE;
			}
			value = (int)v;
			cmd = CMD_EXPECTED;
			break;
		case 'n':
			if (parse_num(optarg, 1, UINT_MAX, &v)) {
				fprintf(stderr, "The nodeid was not valid, try a "
				    "positive number\n");
				return EXIT_FAILURE;
			}
			nodeid = (uint32_t)v;
			nodeid_set = true;
			break;
		case 'v':
			if (parse_num(optarg, 0, INT_MAX, &v)) {
				fprintf(stderr, "New votes value was not valid, try "
				    "a positive number or zero\n");
				return EXIT_FAILURE;
			}
			value = (int)v;
			cmd = CMD_VOTES;
			break;
		case 'o':
			if (strcmp(optarg, "a") == 0) {
				t.sort = SORT_ADDR;
			} else if (strcmp(optarg, "i") == 0) {
				t.sort = SORT_NODEID;
			} else if (strcmp(optarg, "n") == 0) {
				t.sort = SORT_NAME;
			} else {
				fprintf(stderr, "Invalid ordering option. valid "
				    "orders are a(address), i(node ID) or n(name)\n");
				return EXIT_FAILURE;
			}
			break;
		case 'V':
			printf("corosync-quorumtool version: %s\n",
			    COROSYNC_COMPAT_VERSION);
			return EXIT_SUCCESS;
		case 'h':
			usage(argv[0]);
			return EXIT_SUCCESS;
		default:
			usage(argv[0]);
			return EXIT_FAILURE;
		}
	}

	if (open_all(&t)) {
		close_all(&t);
		return EXIT_FAILURE;
	}
	switch (cmd) {
	case CMD_NODES:
		ret = show_nodes(&t);
		break;
	case CMD_MONITOR:
		ret = monitor(&t);
		break;
	case CMD_VOTES:
	case CMD_EXPECTED:
	case CMD_UNREGISTER:
		ret = vq_command(&t, cmd, nodeid, nodeid_set, value);
		break;
	default:
		ret = show_status(&t);
		break;
	}
	close_all(&t);
	return ret;
}
