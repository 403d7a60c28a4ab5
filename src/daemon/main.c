/*
 * main.c: cohortd's entry point: options, configuration, signals, and
 * the assembly of the daemon as a star: the loop, the network (the
 * transport), the ordering glue (the protocol engine), the IPC server and
 * the services (CPG, status), which know each other only through the
 * tables and hooks wired here (service.h, proto_ops, network_hooks, the
 * ordering glue's credit hook).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "daemon/cfg/cfg.h"
#include "daemon/cmap/cmap.h"
#include "daemon/config/config.h"
#include "daemon/config/config_keys.h"
#include "daemon/cpg/cpg.h"
#include "daemon/icmap.h"
#include "daemon/ipcs/ipcs.h"
#include "daemon/loop.h"
#include "daemon/netconf.h"
#include "daemon/network.h"
#include "daemon/notify.h"
#include "daemon/ordering.h"
#include "daemon/quorum/quorum.h"
#include "daemon/sched.h"
#include "daemon/service.h"
#include "daemon/statedir.h"
#include "daemon/status.h"
#include "daemon/transport/transport.h"

#define DEFAULT_CONFIG "/etc/cohort/cohort.conf"
#define DEFAULT_STATE_DIR "/var/lib/cohort"
/* corosync's, where votequorum looks for the barrier corosync kept. */
#define COROSYNC_STATE_DIR "/var/lib/corosync"

/* The daemon's parts, wired together by run(). */
struct daemon {
	struct loop *loop;
	uint32_t nodeid;
	struct statedir state;
	struct network net;      /* the transport and its checks */
	struct ordering *ordering;
	struct ipcs *ipcs;
	struct cpg_svc *cpg;
	struct quorum_svc *quorum;
	struct icmap *map;       /* the configuration and runtime map */
	struct cmap_svc *cmap;
	struct cfg_svc *cfgsvc;
	int exit_status;         /* set by the cfg service's exit hook */
	bool debug;              /* -d: debug whatever the logging section */
	bool stopping;           /* waiting for votequorum's leaving */
	struct services services;
	struct status_config status;
	int ready_fd;            /* COHORT_READY_FD, -1 once used */
	bool ready_told;         /* READY written and READY=1 sent */
	struct sched_ctl sched;  /* CPU scheduling (system.sched_rr) */
	struct loop_timer trim;  /* gives the heap's free memory back */
	size_t trim_floor;       /* free heap bytes after the last trim */
	const struct cohort_config *cfg;
	/* The nodes of the configuration, for the status. */
	size_t n_nodes;
	uint32_t node_ids[PROTO_MAX_NODES];
	const char *node_addrs[PROTO_MAX_NODES];
	const char *node_names[PROTO_MAX_NODES];
};

struct options {
	bool foreground, check_only, debug, no_sched_rr;
	const char *config;
	uint32_t nodeid;
};

static void usage(FILE *out)
{
	fprintf(out,
	    "usage: cohortd [-f] [-d] [-c FILE] [-n NODEID] [-t] [-h]\n"
	    "  -f         run in the foreground, log to stderr\n"
	    "  -d         debug logging\n"
	    "  -c FILE    configuration in corosync.conf syntax\n"
	    "             (default " DEFAULT_CONFIG " if it exists, else a\n"
	    "             one-node cluster with node id 1)\n"
	    "  -n NODEID  this node's id (overrides the configuration)\n"
	    "  -p         no realtime scheduling (as system.sched_rr: no)\n"
	    "  -t         check the configuration, print it and exit\n"
	    "  -h         this help\n"
	    "environment: COHORT_SOCKET, COHORT_STATE_DIR, COHORT_READY_FD,\n"
	    "             NOTIFY_SOCKET\n");
}

static int parse_options(int argc, char **argv, struct options *o)
{
	int ch;

	while ((ch = getopt(argc, argv, "fdc:n:pth")) != -1) {
		switch (ch) {
		case 'f':
			o->foreground = true;
			break;
		case 'd':
			o->debug = true;
			break;
		case 'c':
			o->config = optarg;
			break;
		case 'n': {
			char *end;
			unsigned long v;

			errno = 0;
			v = strtoul(optarg, &end, 0);
			if (errno || *end || v == 0 || v > UINT32_MAX) {
				fprintf(stderr, "cohortd: -n: not a node id: %s\n",
				    optarg);
				return -1;
			}
			o->nodeid = (uint32_t)v;
			break;
		}
		case 'p':
			o->no_sched_rr = true;
			break;
		case 't':
			o->check_only = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	return optind == argc ? 0 : -1;
}

/* Tells the service manager (systemd, Type=notify) when there is one. */
static void notify(const char *state)
{
	const char *where = getenv("NOTIFY_SOCKET");
	int rc = notify_send(where, state);

	if (rc < 0)
		log_warnx("cannot tell the service manager %s through "
		    "NOTIFY_SOCKET=%.*s: %s", state, NOTIFY_SOCKET_MAX, where,
		    strerror(-rc));
}

/* A service completed its first synchronisation. Once every service
 * has (services_ready: CPG's first sync, votequorum's first decision),
 * clients may connect, and whoever started the daemon is told, once. */
static void on_synced(void *arg)
{
	struct daemon *d = arg;

	if (d->ready_told || !services_ready(&d->services))
		return;
	d->ready_told = true;
	log_info("ready: node %" PRIu32 ", IPC at %s", d->nodeid,
	    ipc_socket_path());
	if (d->ready_fd >= 0) {
		static const char msg[] = "READY\n";

		if (write(d->ready_fd, msg, sizeof(msg) - 1) < 0)
			log_warn("COHORT_READY_FD");
		close(d->ready_fd);
		d->ready_fd = -1;
	}
	notify("READY=1");
}

/* Every TRIM_PERIOD_MS: the heap keeps freed large blocks for reuse (see
 * main()), which is fast within a burst, but a burst of one shape leaves
 * free memory that the next, of another shape, cannot always reuse; peaks
 * then add up over a daemon's life. Giving back what is free when there
 * is more than TRIM_SLACK of it bounds the peak by one burst's working
 * set. At most one trim a period, a few page faults a megabyte given
 * back. */
#define TRIM_PERIOD_MS 1000u
#define TRIM_SLACK (8u << 20)

static void on_trim(void *arg)
{
	struct daemon *d = arg;
	struct mallinfo2 mi = mallinfo2();

	/* Free memory the trim cannot give back (fragments between used
	 * blocks) stays counted: trim again only when as much again has
	 * come free since, lest an unlock and relock of all memory run
	 * every period for nothing. */
	if (mi.fordblks < d->trim_floor)
		d->trim_floor = mi.fordblks;
	if (mi.fordblks > d->trim_floor + TRIM_SLACK) {
		sched_trim(&d->sched);
		d->trim_floor = mallinfo2().fordblks;
	}
	loop_timer_arm(d->loop, &d->trim, loop_now(d->loop) + TRIM_PERIOD_MS);
}

static void before_sleep(void *arg)
{
	struct daemon *d = arg;

	ipcs_poll_rings(d->ipcs);
	ordering_after_io(d->ordering);
	ipcs_before_sleep(d->ipcs);
	/* Turning back-pressure off may deliver and queue events at once. */
	if (ordering_set_congested(d->ordering, ipcs_congested(d->ipcs)))
		ipcs_before_sleep(d->ipcs);
	if (d->net.transport)
		transport_flush(d->net.transport);
}

/* The transport's datagrams go to the engine; until the engine exists
 * (its start-up) there are none, as the loop does not run yet. */
static void on_datagram(void *arg, uint32_t from, const uint8_t *buf,
    size_t len)
{
	struct daemon *d = arg;

	ordering_receive(d->ordering, from, buf, len);
}

static void on_unreachable(void *arg, uint32_t nodeid)
{
	struct daemon *d = arg;

	ordering_peer_unreachable(d->ordering, nodeid);
}

static void on_credit(void *arg, struct conn *owner, uint64_t cost)
{
	ipcs_credit(owner, cost);
}

static void on_left(void *arg)
{
	struct daemon *d = arg;

	loop_stop(d->loop);
}

/* A clean stop: the loop ends once votequorum has told the cluster this
 * node leaves (allow_downscale, bounded), at once otherwise or when asked
 * a second time. */
static void stop(struct daemon *d)
{
	if (!d->stopping && quorum_svc_leave(d->quorum, on_left, d)) {
		d->stopping = true;
		return;
	}
	loop_stop(d->loop);
}

static void on_signal(void *arg, int fd, uint32_t events)
{
	struct daemon *d = arg;
	struct signalfd_siginfo si;

	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		log_info("signal %u: shutting down", si.ssi_signo);
		stop(d);
	}
}

static int ready_fd_from_env(void)
{
	const char *s = getenv("COHORT_READY_FD");
	char *end;
	long fd;

	if (!s || !*s)
		return -1;
	fd = strtol(s, &end, 10);
	if (*end || fd < 0 || fd > 65535 || fcntl((int)fd, F_GETFD) < 0) {
		log_warnx("COHORT_READY_FD=%s is not an open descriptor", s);
		return -1;
	}
	fcntl((int)fd, F_SETFD, FD_CLOEXEC);
	return (int)fd;
}

/* Fills the engine's configuration from ours. */
static int make_proto_config(const struct cohort_config *cfg, uint32_t nodeid,
    struct proto_config *pc, struct daemon *d)
{
	memset(pc, 0, sizeof(*pc));
	pc->local_nodeid = nodeid;
	pc->cluster_id = netconf_cluster_id(cfg->cluster_name);
	pc->mtu = (cfg->netmtu ? cfg->netmtu : 1500) - 48 - TRANSPORT_OVERHEAD;
	/* A cluster of one has no network: nothing to fit into datagrams,
	 * so the engine's largest (fewer fragments of a large message). */
	if (cfg->n_nodes < 2)
		pc->mtu = PROTO_DGRAM_MAX;
	pc->send_queue_bytes = PROTO_DEFAULT_SEND_QUEUE_BYTES;
	pc->send_queue_msgs = PROTO_DEFAULT_SEND_QUEUE_MSGS;
	cohort_config_timing(cfg, &pc->timing);
	for (size_t i = 0; i < cfg->n_nodes && i < PROTO_MAX_NODES; i++) {
		pc->nodes[pc->n_nodes++] = cfg->nodes[i].nodeid;
		d->node_ids[d->n_nodes] = cfg->nodes[i].nodeid;
		d->node_addrs[d->n_nodes] = cfg->nodes[i].ring0_addr;
		d->node_names[d->n_nodes] = cfg->nodes[i].name;
		d->n_nodes++;
	}
	if (pc->n_nodes == 0) {
		pc->nodes[pc->n_nodes++] = nodeid;
		d->node_ids[0] = nodeid;
		d->node_addrs[0] = "127.0.0.1";
		d->n_nodes = 1;
	}
	return 0;
}

static int load_config(const struct options *o, struct cohort_config *cfg)
{
	const char *path = o->config;
	char err[512];

	if (!path && access(DEFAULT_CONFIG, F_OK) == 0)
		path = DEFAULT_CONFIG;
	if (!path) {
		/* No configuration: a one-node cluster, node 1 unless -n. */
		cohort_config_defaults(cfg);
		if (o->nodeid && cfg->n_nodes == 1)
			cfg->nodes[0].nodeid = o->nodeid;
		return 0;
	}
	if (cohort_config_load(path, cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "cohortd: %s\n", err);
		return -1;
	}
	return 0;
}

static void log_config_warnings(const struct cohort_config *cfg)
{
	for (size_t i = 0; i < cfg->n_warnings; i++)
		log_warnx("%s", cfg->warnings[i]);
}

/* The logging section applied, the log file opened, before the daemon
 * detaches, so that a file that cannot be opened is said on the
 * terminal. Without a configuration file, the daemon logs to stderr in
 * the foreground, and to syslog when it detaches or a service manager
 * runs it ($NOTIFY_SOCKET: systemd's unit discards stderr). -d turns
 * debug on everywhere. */
static int apply_logging(const struct options *o,
    const struct cohort_config *cfg)
{
	const char *manager = getenv("NOTIFY_SOCKET");
	bool to_stderr = o->foreground && !(manager && *manager);
	struct log_setup ls;
	char err[PATH_MAX + 128];

	cohort_config_log_setup(cfg, "cohortd", &ls);
	for (int i = 0; i < LOG_SS_COUNT; i++) {
		if (!cfg->path) {
			ls.ss[i].to_stderr = to_stderr;
			ls.ss[i].to_syslog = !to_stderr;
		}
		ls.ss[i].debug |= o->debug;
	}
	if (log_apply(&ls, err, sizeof(err)) < 0) {
		fprintf(stderr, "cohortd: %s\n", err);
		return -1;
	}
	return 0;
}

/* Three descriptors per connection (two sockets and the joined
 * process's pidfd), the sockets still in their handshake, plus the
 * daemon's own: raise the soft limit towards that, within the hard
 * limit. */
static void raise_fd_limit(void)
{
	struct rlimit rl;
	rlim_t want = 3 * (rlim_t)COHORT_CONN_MAX + COHORT_HANDSHAKE_MAX + 64;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < want) {
		rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			log_warn("cannot raise the descriptor limit");
	}
}

/* Signals that stop the daemon, cleanly: corosync's SIGTERM, SIGINT and
 * SIGQUIT, and SIGHUP and SIGUSR1, which kill corosync (it leaves them
 * at their default). None reopens the log file: corosync-cfgtool -L and
 * cohortctl reopen-log do. */
static int setup_signals(struct daemon *d, int *sfd)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGQUIT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	*sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (*sfd < 0)
		return -errno;
	return loop_add_fd(d->loop, *sfd, EPOLLIN, on_signal, d, NULL);
}

/* The status service's view of the daemon (status.h). */
static void wire_status(struct daemon *d, const struct cohort_config *cfg,
    uint64_t started_ms)
{
	d->status = (struct status_config){
		.loop = d->loop,
		.nodeid = d->nodeid,
		.cluster_name = cfg->cluster_name,
		.transport_name = cohort_transport_name(cfg->transport),
		.started_ms = started_ms,
		.n_nodes = d->n_nodes,
		.node_ids = d->node_ids,
		.node_addrs = d->node_addrs,
		.node_names = d->node_names,
		.cfgsum = d->net.cfgsum,
		.transport = d->net.transport,
		.sched = &d->sched,
		.ordering = d->ordering,
		.ipcs = d->ipcs,
		.cpg = d->cpg,
		.quorum = d->quorum,
	};
	services_add(&d->services, SERVICE_STATUS, &status_service_ops,
	    &d->status);
}

/* The quorum and votequorum services: one object, two tables; they keep
 * runtime.votequorum.* in the map. */
static int wire_quorum(struct daemon *d, const struct cohort_config *cfg)
{
	const char *env_dir = getenv("COHORT_STATE_DIR");
	/* corosync's state directory under the same configuration: the one
	 * given (system.state_dir, or COHORT_STATE_DIR over it), else its
	 * default. */
	struct quorum_env env = { d->nodeid, cfg, d->ipcs, d->ordering,
	    d->loop, &d->state, d->map, { on_synced, d },
	    (env_dir && *env_dir) || cfg->state_dir ? d->state.dir :
	    COROSYNC_STATE_DIR };
	int rc;

	if ((rc = quorum_svc_new(&env, &d->quorum)) < 0) {
		log_warnx("start-up: quorum: %s", strerror(-rc));
		return rc;
	}
	services_add(&d->services, SERVICE_QUORUM, &quorum_service_ops,
	    d->quorum);
	services_add(&d->services, SERVICE_VOTEQUORUM, &votequorum_service_ops,
	    d->quorum);
	return 0;
}

/* The daemon's map, filled from the configuration, and the cmap service
 * that serves it; the other services read and write the map. */
static int wire_cmap(struct daemon *d, const struct cohort_config *cfg)
{
	struct cmap_env env;
	char err[512];
	int rc;

	if ((rc = icmap_new(&d->map)) < 0 ||
	    (rc = cohort_config_keys(cfg, d->map, err, sizeof(err))) < 0) {
		log_warnx("the configuration map: %s", rc == -ENOMEM ?
		    strerror(-rc) : err);
		return rc;
	}
	env = (struct cmap_env){ .nodeid = d->nodeid, .map = d->map,
	    .ipcs = d->ipcs, .cfg = cfg, .loop = d->loop,
	    .ordering = d->ordering, .transport = d->net.transport };
	if ((rc = cmap_svc_new(&env, &d->cmap)) < 0) {
		log_warnx("start-up: %s", strerror(-rc));
		return rc;
	}
	services_add(&d->services, SERVICE_CMAP, &cmap_service_ops, d->cmap);
	return 0;
}

/* The IPC server's question at accept, for a peer the configuration
 * does not allow: the live uidgid keys of the map. */
static bool on_allow(void *arg, uid_t uid, gid_t gid)
{
	struct daemon *d = arg;

	return d->map && cmap_uid_allowed(d->map, uid, gid);
}

/* The cfg service ends the daemon (a shutdown, a kill): the loop stops
 * and run() returns `status`. */
static void on_cfg_exit(void *arg, int status)
{
	struct daemon *d = arg;

	d->exit_status = status;
	stop(d);
}

/* The cfg service is about to multicast this node's shutdown: with
 * allow_downscale votequorum's leaving goes first, so that the others
 * hear it before they drop the node. */
static void on_cfg_leaving(void *arg, void (*go)(void *), void *go_arg)
{
	struct daemon *d = arg;

	if (!quorum_svc_leave(d->quorum, go, go_arg))
		go(go_arg);
}

/* A reload was applied. When it changed the nodelist, the tables of the
 * status and the network become `fresh`'s (its strings stay valid until
 * the next such call: the cfg service keeps it), each node's record of
 * a logged configuration difference moving with it; quorum re-reads its
 * settings. */
static void on_cfg_reloaded(void *arg, const struct cohort_config *fresh,
    bool nodes_changed)
{
	struct daemon *d = arg;
	uint64_t logged_at[PROTO_MAX_NODES] = { 0 };
	uint32_t logged_digest[PROTO_MAX_NODES] = { 0 };
	size_t n = fresh->n_nodes < PROTO_MAX_NODES ? fresh->n_nodes :
	    PROTO_MAX_NODES;

	if (nodes_changed) {
		for (size_t i = 0; i < n; i++)
			for (size_t k = 0; k < d->n_nodes; k++)
				if (d->node_ids[k] == fresh->nodes[i].nodeid) {
					logged_at[i] = d->net.cfg_logged_at[k];
					logged_digest[i] =
					    d->net.cfg_logged_digest[k];
				}
		for (size_t i = 0; i < n; i++) {
			d->node_ids[i] = fresh->nodes[i].nodeid;
			d->node_addrs[i] = fresh->nodes[i].ring0_addr;
			d->node_names[i] = fresh->nodes[i].name;
		}
		memcpy(d->net.cfg_logged_at, logged_at, sizeof(logged_at));
		memcpy(d->net.cfg_logged_digest, logged_digest,
		    sizeof(logged_digest));
		d->n_nodes = n;
		d->status.n_nodes = n;
		d->net.n_nodes = n;
	}
	quorum_svc_reload(d->quorum, fresh);
}

static int wire_cfg(struct daemon *d, const struct cohort_config *cfg)
{
	struct cfg_env env = {
		.nodeid = d->nodeid, .loop = d->loop, .ipcs = d->ipcs,
		.ordering = d->ordering, .transport = d->net.transport,
		.net = &d->net, .cfg = cfg, .map = d->map, .debug = d->debug,
		.reloaded = on_cfg_reloaded, .exit = on_cfg_exit,
		.leaving = on_cfg_leaving, .arg = d,
	};
	int rc = cfg_svc_new(&env, &d->cfgsvc);

	if (rc < 0)
		return rc;
	services_add(&d->services, SERVICE_CFG, &cfg_service_ops, d->cfgsvc);
	return 0;
}

/* The star: the ordering glue and the IPC server, which reach the
 * services through d->services, then the services, registered there. */
static int wire_parts(struct daemon *d, const struct cohort_config *cfg,
    const struct proto_config *pc, uint64_t started_ms)
{
	struct ordering_config oc = {
		.loop = d->loop, .proto = pc, .transport = d->net.transport,
		.services = &d->services, .state = &d->state,
		.credit = on_credit, .arg = d,
	};
	struct ipcs_config ic = {
		.loop = d->loop, .path = ipc_socket_path(), .nodeid = d->nodeid,
		.cfg = cfg, .services = &d->services,
		.allow = on_allow, .allow_arg = d,
	};
	struct cpg_env env;
	int rc;

	if ((rc = ordering_new(&oc, &d->ordering)) < 0) {
		log_warnx("protocol engine: %s", strerror(-rc));
		return rc;
	}
	if ((rc = ipcs_new(&ic, &d->ipcs)) < 0) {
		log_warnx("IPC socket %s: %s%s", ic.path, strerror(-rc),
		    rc == -EADDRINUSE ? " (another cohortd is running there)" :
		    "");
		return rc;
	}
	if ((rc = wire_cmap(d, cfg)) < 0)
		return rc;
	env = (struct cpg_env){ d->nodeid, d->ipcs, d->ordering,
	    { on_synced, d } };
	if ((rc = cpg_svc_new(&env, &d->cpg)) < 0) {
		log_warnx("start-up: %s", strerror(-rc));
		return rc;
	}
	services_add(&d->services, SERVICE_CPG, &cpg_service_ops, d->cpg);
	if ((rc = wire_quorum(d, cfg)) < 0)
		return rc;
	if ((rc = wire_cfg(d, cfg)) < 0) {
		log_warnx("start-up: %s", strerror(-rc));
		return rc;
	}
	wire_status(d, cfg, started_ms);
	return 0;
}

static int run(struct daemon *d, const struct cohort_config *cfg,
    uint32_t nodeid, enum cohort_sched sched)
{
	struct proto_config pc;
	uint64_t started_ms;
	int rc, sfd = -1;

	d->nodeid = nodeid;
	d->ready_fd = ready_fd_from_env();
	d->state = (struct statedir){ .dir = getenv("COHORT_STATE_DIR"),
	    .nodeid = nodeid };
	if (!d->state.dir || !*d->state.dir)
		d->state.dir = cfg->state_dir ? cfg->state_dir :
		    DEFAULT_STATE_DIR;
	d->cfg = cfg;
	if (mkdir(d->state.dir, 0700) < 0 && errno != EEXIST) {
		log_warn("state directory %s", d->state.dir);
		return 1;
	}
	raise_fd_limit();
	if ((rc = loop_new(&d->loop)) < 0)
		fatalx("event loop: %s", strerror(-rc));
	started_ms = loop_now(d->loop);
	sched_start(&d->sched, sched);
	d->trim = (struct loop_timer){ .fn = on_trim, .arg = d };
	loop_timer_arm(d->loop, &d->trim, started_ms + TRIM_PERIOD_MS);
	make_proto_config(cfg, nodeid, &pc, d);
	d->net = (struct network){ .loop = d->loop, .nodeid = nodeid,
	    .state = &d->state, .hooks = { on_datagram, on_unreachable, d },
	    .n_nodes = d->n_nodes, .node_ids = d->node_ids };
	rc = -1;
	if (network_setup(&d->net, cfg, &pc) < 0)
		goto out;
	if ((rc = setup_signals(d, &sfd)) < 0) {
		log_warnx("start-up: %s", strerror(-rc));
		goto out;
	}
	if ((rc = wire_parts(d, cfg, &pc, started_ms)) < 0)
		goto out;
	loop_set_before_sleep(d->loop, before_sleep, d);
	if ((rc = ordering_start(d->ordering)) < 0) {
		log_warnx("protocol engine start: %s", strerror(-rc));
		goto out;
	}
	network_start(&d->net);
	rc = loop_run(d->loop);
	notify("STOPPING=1");
out:
	/* Also after a start that failed half way: each part frees only
	 * what it has. */
	ipcs_free(d->ipcs);
	network_stop(&d->net);
	ordering_free(d->ordering);
	cpg_svc_free(d->cpg);
	quorum_svc_free(d->quorum);   /* before the map: it tracks a key */
	cfg_svc_free(d->cfgsvc);
	cmap_svc_free(d->cmap);
	icmap_free(d->map);
	loop_free(d->loop);
	if (sfd >= 0)
		close(sfd);
	log_info("stopped");
	return rc < 0 ? 1 : d->exit_status;
}

static int daemonize(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		return -errno;
	if (pid > 0)
		_exit(0);
	if (setsid() < 0 || chdir("/") < 0)
		return -errno;
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	struct cohort_config cfg;
	struct daemon d = { .ready_fd = -1 };
	int rc;

	if (parse_options(argc, argv, &o) < 0)
		return 2;
	/* Large messages (up to PROTO_MSG_MAX) come from the heap and stay
	 * there once freed, instead of a fresh mmap, zero-filled page by page,
	 * for each one, whose page faults dominated the cost of large
	 * messages. What the heap keeps is bounded by the queues' limits. */
	mallopt(M_MMAP_THRESHOLD, (int)PROTO_MSG_MAX + 65536);
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	{
		struct log_setup ls;

		log_setup_defaults(&ls, "cohortd");
		for (int i = 0; i < LOG_SS_COUNT; i++)
			ls.ss[i].debug = o.debug;
		(void)log_apply(&ls, NULL, 0);
	}
	if (load_config(&o, &cfg) < 0)
		return 1;
	if (o.check_only) {
		log_config_warnings(&cfg);
		rc = cohort_config_print(&cfg, stdout) < 0 ? 1 : 0;
		cohort_config_free(&cfg);
		return rc;
	}
	if (apply_logging(&o, &cfg) < 0) {
		cohort_config_free(&cfg);
		return 1;
	}
	log_config_warnings(&cfg);
	if (!o.foreground && daemonize() < 0) {
		log_warn("daemonize");
		cohort_config_free(&cfg);
		return 1;
	}
	{
		char err[256];
		uint32_t nodeid = netconf_local_nodeid(&cfg, o.nodeid, err,
		    sizeof(err));

		if (!nodeid) {
			log_warnx("%s", err);
			cohort_config_free(&cfg);
			return 1;
		}
		cfg.local_nodeid = nodeid;
		d.debug = o.debug;
		rc = run(&d, &cfg, nodeid, o.no_sched_rr ?
		    COHORT_SCHED_NORMAL : cfg.sched);
	}
	cohort_config_free(&cfg);
	return rc;
}
