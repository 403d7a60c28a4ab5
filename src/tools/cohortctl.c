/*
 * cohortctl: look at and talk to a running cohortd.
 *
 *   cohortctl [--json] status | groups | members GROUP | send GROUP TEXT
 *                      | listen GROUP | links [-b]
 *   cohortctl reopen-log
 *   cohortctl cpgtool [-d DELIM] [-e] [-n] [-h]
 *   cohortctl keygen [-f] [FILE]
 *
 * Each command fetches into plain data first, then prints it as text or
 * as JSON (out.c). Exit status: 0 ok, 1 error, 2 usage.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <corosync/cpg.h>

#include "common/ipc.h"
#include "lib/admin.h"
#include "tools/ctl.h"

#define SEND_TRIES 1000        /* TRY_AGAIN rounds before send gives up */
#define WAIT_MS 30000          /* bound on waiting for our own events */
#define RETRY_MS 10            /* wait for credit between TRY_AGAIN rounds */

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
	    "usage: cohortctl [--json] status\n"
	    "       cohortctl [--json] groups\n"
	    "       cohortctl [--json] members GROUP\n"
	    "       cohortctl [--json] send GROUP TEXT\n"
	    "       cohortctl [--json] listen GROUP\n"
	    "       cohortctl [--json] links [-b]\n"
	    "       cohortctl reopen-log\n"
	    "       cohortctl cpgtool [-d DELIM] [-e] [-n] [-h]\n"
	    "       cohortctl keygen [-f] [FILE]\n"
	    "environment: COHORT_SOCKET (default " IPC_DEFAULT_SOCKET ")\n");
}

int ctl_fail(const char *what, cs_error_t err)
{
	fprintf(stderr, "cohortctl: %s: %s", what, cs_strerror(err));
	if (err == CS_ERR_LIBRARY)
		fprintf(stderr, " (is cohortd running? COHORT_SOCKET=%s)",
		    ipc_socket_path());
	else if (err == CS_ERR_ACCESS)
		fprintf(stderr, " (this user is not allowed: see uidgid in "
		    "cohort.conf(5))");
	fputc('\n', stderr);
	return 1;
}

int ctl_name(const char *arg, struct cpg_name *n)
{
	size_t len = strlen(arg);

	if (len > CPG_MAX_NAME_LENGTH) {
		fprintf(stderr, "cohortctl: group name longer than %d bytes\n",
		    CPG_MAX_NAME_LENGTH);
		return -1;
	}
	memset(n, 0, sizeof(*n));
	n->length = (uint32_t)len;
	memcpy(n->value, arg, len);
	return 0;
}

/* ------------------------------------------------------------ status */

static int cmd_status(const struct out *o)
{
	char *text;
	int rc = cohort_admin_status(&text);

	if (rc < 0) {
		fprintf(stderr, "cohortctl: status: %s (socket %s)\n",
		    rc == -EACCES ? "permission denied" : rc == -EAGAIN ?
		    "cohortd is still forming its first ring" :
		    "cannot reach cohortd", ipc_socket_path());
		return 1;
	}
	o->status(text);
	free(text);
	return 0;
}

/* Nothing on stdout: like corosync-cfgtool -L, for logrotate's
 * postrotate. */
static int cmd_reopen_log(void)
{
	bool has_file = false;
	int result = 0, rc = cohort_admin_reopen_log(&result, &has_file);

	if (rc < 0) {
		fprintf(stderr, "cohortctl: reopen-log: %s (socket %s)\n",
		    rc == -EACCES ? "permission denied" : rc == -EAGAIN ?
		    "cohortd is still forming its first ring" : rc == -EPROTO ?
		    "malformed reply" : "cannot reach cohortd",
		    ipc_socket_path());
		return 1;
	}
	if (result < 0) {
		fprintf(stderr, "cohortctl: reopen-log: cohortd cannot reopen "
		    "its log file: %s (it keeps writing to the file it had)\n",
		    strerror(-result));
		return 1;
	}
	if (!has_file)
		fprintf(stderr, "cohortctl: reopen-log: cohortd has no log file "
		    "(logging.to_logfile): nothing to reopen\n");
	return 0;
}

/* ------------------------------------------------- groups and members */

static int cmd_groups(const struct out *o)
{
	struct ctl_groups gs = { 0 };
	cs_error_t err = ctl_fetch_groups(&gs);

	if (err != CS_OK)
		return ctl_fail("groups", err);
	o->groups(&gs);
	free(gs.v);
	return 0;
}

static int cmd_members(const struct out *o, const char *group)
{
	struct cpg_address list[CPG_MEMBERS_MAX];
	struct cpg_name name;
	cpg_handle_t h;
	cs_error_t err;
	int n = 0;   /* not read: a group has at most CPG_MEMBERS_MAX */

	if (ctl_name(group, &name) < 0)
		return 2;
	err = cpg_initialize(&h, NULL);
	if (err != CS_OK)
		return ctl_fail("connect", err);
	err = cpg_membership_get(h, &name, list, &n);
	cpg_finalize(h);
	if (err == CS_OK)
		o->members(&name, list, (size_t)n);
	return err == CS_OK ? 0 : ctl_fail("members", err);
}

/* -------------------------------------------------------- send, listen */

struct session {
	const struct out *o;
	bool print;              /* listen: print every event */
	bool joined, left, got;  /* send: our own join, leave, message */
	const char *text;
	size_t len;
};

static void ev_deliver(cpg_handle_t h, const struct cpg_name *g,
    uint32_t nodeid, uint32_t pid, void *msg, size_t len)
{
	struct session *s;

	if (cpg_context_get(h, (void **)&s) != CS_OK)
		return;
	if (s->print)
		s->o->message(g, nodeid, pid, msg, len);
	if (s->text && pid == (uint32_t)getpid() && len == s->len &&
	    memcmp(msg, s->text, len) == 0)
		s->got = true;
}

static void ev_confchg(cpg_handle_t h, const struct cpg_name *g,
    const struct cpg_address *m, size_t nm, const struct cpg_address *l,
    size_t nl, const struct cpg_address *j, size_t nj)
{
	struct session *s;

	if (cpg_context_get(h, (void **)&s) != CS_OK)
		return;
	if (s->print)
		s->o->confchg(g, m, nm, l, nl, j, nj);
	for (size_t i = 0; i < nj; i++)
		if (j[i].pid == (uint32_t)getpid())
			s->joined = true;
	for (size_t i = 0; i < nl; i++)
		if (l[i].pid == (uint32_t)getpid())
			s->left = true;
}

static void ev_totem(cpg_handle_t h, struct cpg_ring_id ring, uint32_t n,
    const uint32_t *nodes)
{
	struct session *s;

	if (cpg_context_get(h, (void **)&s) != CS_OK)
		return;
	if (s->print)
		s->o->totem(ring, n, nodes);
}

static cs_error_t open_session(struct session *s, cpg_handle_t *h,
    const struct cpg_name *name)
{
	cpg_model_v1_data_t md = {
		.model = CPG_MODEL_V1,
		.cpg_deliver_fn = ev_deliver,
		.cpg_confchg_fn = ev_confchg,
		.cpg_totem_confchg_fn = ev_totem,
		.flags = CPG_MODEL_V1_DELIVER_INITIAL_TOTEM_CONF,
	};
	cs_error_t err = cpg_model_initialize(h, CPG_MODEL_V1,
	    (cpg_model_data_t *)&md, s);

	if (err != CS_OK)
		return err;
	err = cpg_join(*h, name);
	if (err != CS_OK)
		cpg_finalize(*h);
	return err;
}

/* Dispatches until *flag is set, a signal arrives, or WAIT_MS passes with
 * nothing happening (only when `bounded`). */
static cs_error_t pump(cpg_handle_t h, const bool *flag, bool bounded)
{
	int fd;

	cpg_fd_get(h, &fd);
	while (!(flag && *flag) && !stop_flag) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int n = poll(&p, 1, bounded ? WAIT_MS : -1);
		cs_error_t err;

		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0)
			return CS_ERR_TIMEOUT;
		err = cpg_dispatch(h, CS_DISPATCH_ALL);
		if (err != CS_OK)
			return err;
	}
	return CS_OK;
}

/* After CS_ERR_TRY_AGAIN: waits up to RETRY_MS for the daemon to say
 * something (a flow-control notice or an event), then dispatches it, so a
 * bounded number of retries spans a bounded time instead of a busy spin. */
static cs_error_t wait_credit(cpg_handle_t h)
{
	struct pollfd p = { .events = POLLIN };

	cpg_fd_get(h, &p.fd);
	if (poll(&p, 1, RETRY_MS) < 0 && errno != EINTR)
		return CS_ERR_LIBRARY;
	return cpg_dispatch(h, CS_DISPATCH_ALL);
}

static int cmd_send(const struct out *o, const char *group, const char *text)
{
	struct session s = { .o = o, .text = text, .len = strlen(text) };
	struct iovec iov = { (void *)text, strlen(text) };
	struct cpg_name name;
	cpg_handle_t h;
	cs_error_t err;
	int tries = 0;

	if (ctl_name(group, &name) < 0)
		return 2;
	err = open_session(&s, &h, &name);
	if (err != CS_OK)
		return ctl_fail("join", err);
	err = pump(h, &s.joined, true);
	while (err == CS_OK) {
		err = cpg_mcast_joined(h, CPG_TYPE_AGREED, &iov, 1);
		if (err != CS_ERR_TRY_AGAIN || ++tries == SEND_TRIES)
			break;
		err = wait_credit(h);
	}
	if (err == CS_OK)
		err = pump(h, &s.got, true);
	if (err == CS_OK)
		err = cpg_leave(h, &name);
	if (err == CS_OK)
		err = pump(h, &s.left, true);
	cpg_finalize(h);
	if (err != CS_OK)
		return ctl_fail("send", err);
	o->sent(&name, s.len);
	return 0;
}

static int cmd_listen(const struct out *o, const char *group)
{
	struct session s = { .o = o, .print = true };
	struct sigaction sa = { .sa_handler = on_signal };
	struct cpg_name name;
	cpg_handle_t h;
	cs_error_t err;

	if (ctl_name(group, &name) < 0)
		return 2;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	err = open_session(&s, &h, &name);
	if (err != CS_OK)
		return ctl_fail("join", err);
	err = pump(h, NULL, false);
	if (err == CS_OK) {
		s.print = false;
		if (cpg_leave(h, &name) == CS_OK) {
			stop_flag = 0;
			(void)pump(h, &s.left, true);
		}
	}
	cpg_finalize(h);
	return err == CS_OK ? 0 : ctl_fail("listen", err);
}

int main(int argc, char **argv)
{
	const struct out *o = &out_text;
	int i = 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (i < argc && strcmp(argv[i], "--json") == 0) {
		o = &out_json;
		i++;
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help") ||
	    !strcmp(argv[i], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[i], "status") && argc == i + 1)
		return cmd_status(o);
	if (!strcmp(argv[i], "reopen-log") && argc == i + 1)
		return cmd_reopen_log();
	if (!strcmp(argv[i], "groups") && argc == i + 1)
		return cmd_groups(o);
	if (!strcmp(argv[i], "members") && argc == i + 2)
		return cmd_members(o, argv[i + 1]);
	if (!strcmp(argv[i], "send") && argc == i + 3)
		return cmd_send(o, argv[i + 1], argv[i + 2]);
	if (!strcmp(argv[i], "listen") && argc == i + 2)
		return cmd_listen(o, argv[i + 1]);
	if (!strcmp(argv[i], "links"))
		return ctl_links(argc - i, argv + i, o == &out_json);
	if (!strcmp(argv[i], "cpgtool"))
		return ctl_cpgtool(argc - i, argv + i);
	if (!strcmp(argv[i], "keygen"))
		return ctl_keygen(argc - i, argv + i);
	usage(stderr);
	return 2;
}
