/*
 * harness.c: private daemons and event waits for the API tests.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

#define ALARM_S 240

/* The daemon of this test, from harness_dir() until its directory is
 * removed. */
static struct daemon_proc *current;

/* The daemon's directory (socket, configuration, log, state), once it
 * has stopped. */
static void remove_dir(struct daemon_proc *d)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", d->dir);
	if (system(cmd) < 0)
		perror("system");
	current = NULL;
}

/* Only the process that made the daemon's directory removes it: a
 * process the test forked that fails leaves it to the test. */
static bool owns_dir(const struct daemon_proc *d)
{
	return d && d->owner == getpid();
}

_Noreturn void harness_fail(void)
{
	if (current && current->pid > 0) {
		char cmd[400];

		kill(current->pid, SIGKILL);
		waitpid(current->pid, NULL, 0);
		snprintf(cmd, sizeof(cmd), "echo '--- daemon log:'; tail -n 30 %s",
		    current->log);
		if (system(cmd) < 0)
			perror("system");
	}
	/* A failed test leaves nothing behind either: the end of the log
	 * is above, in the test's output. */
	if (owns_dir(current))
		remove_dir(current);
	exit(1);
}

/* The end of a test stopped by a signal: the daemon is killed, and the
 * directory removed by a shell that this process becomes, which then
 * exits 1. Only async-signal-safe calls here. */
static _Noreturn void fail_in_handler(void)
{
	char *envp[] = { NULL };

	if (current && current->pid > 0) {
		kill(current->pid, SIGKILL);
		waitpid(current->pid, NULL, 0);
	}
	if (owns_dir(current)) {
		char *argv[] = { "sh", "-c", "/bin/rm -rf -- \"$1\"; exit 1",
		    "sh", current->dir, NULL };

		execve("/bin/sh", argv, envp);
	}
	_exit(1);
}

static void on_alarm(int sig)
{
	(void)sig;
	static const char msg[] = "test timed out\n";

	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(1);
	fail_in_handler();
}

/* SIGTERM (the test runner's time limit) or SIGINT: the test ends as on
 * its own time limit. A process the test forked, or a test without a
 * daemon, dies of the signal as it would have. */
static void on_stop(int sig)
{
	static const char msg[] = "test stopped by a signal\n";

	if (!owns_dir(current)) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(1);
	fail_in_handler();
}

void harness_init(void)
{
	signal(SIGALRM, on_alarm);
	signal(SIGTERM, on_stop);
	signal(SIGINT, on_stop);
	signal(SIGPIPE, SIG_IGN);
	alarm(ALARM_S);
	setvbuf(stdout, NULL, _IONBF, 0);
}

static void daemon_path(char *out, size_t len)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n < 0) {
		perror("readlink");
		exit(1);
	}
	self[n] = '\0';
	slash = strrchr(self, '/');
	*slash = '\0';
	snprintf(out, len, "%s/../../sbin/cohortd", self);
}

void harness_dir(struct daemon_proc *d)
{
	char sock[300];

	harness_init();
	snprintf(d->dir, sizeof(d->dir), "/tmp/cohort-api.XXXXXX");
	if (!mkdtemp(d->dir)) {
		perror("harness: mkdtemp");
		exit(1);
	}
	d->pid = 0;
	d->owner = getpid();
	current = d;
	/* Other users must reach the socket: the daemon checks who they are. */
	chmod(d->dir, 0755);
	snprintf(d->log, sizeof(d->log), "%s/cohortd.log", d->dir);
	snprintf(sock, sizeof(sock), "%s/cohort.sock", d->dir);
	setenv("COHORT_SOCKET", sock, 1);
}

void harness_launch(struct daemon_proc *d, const char *const *args)
{
	char bin[PATH_MAX + 32], line[16] = { 0 };
	const char *argv[16] = { "cohortd", "-f" };
	int fds[2], argc = 2;
	struct pollfd p;

	if (pipe(fds) < 0) {
		perror("harness: pipe");
		harness_fail();
	}
	daemon_path(bin, sizeof(bin));
	for (; args && *args && argc < 14; args++)
		argv[argc++] = *args;
	d->pid = fork();
	if (d->pid == 0) {
		char fd[16];
		int log = open(d->log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		close(fds[0]);
		/* If the test dies (a sanitizer abort, a timeout), so does
		 * its daemon: nothing is left running. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		snprintf(fd, sizeof(fd), "%d", fds[1]);
		setenv("COHORT_READY_FD", fd, 1);
		setenv("COHORT_STATE_DIR", d->dir, 1);
		dup2(log, 1);
		dup2(log, 2);
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	p = (struct pollfd){ .fd = fds[0], .events = POLLIN };
	if (poll(&p, 1, WAIT_MS) != 1 || read(fds[0], line, sizeof(line) - 1) <= 0 ||
	    strncmp(line, "READY", 5) != 0) {
		fprintf(stderr, "cohortd did not become ready\n");
		harness_fail();
	}
	close(fds[0]);
}

void harness_start(struct daemon_proc *d, const char *const *args)
{
	harness_dir(d);
	harness_launch(d, args);
}

void harness_start_conf(struct daemon_proc *d, const char *conf)
{
	char path[300];
	const char *const args[] = { "-c", path, NULL };
	FILE *f;

	harness_dir(d);
	snprintf(path, sizeof(path), "%s/cohort.conf", d->dir);
	f = fopen(path, "w");
	if (!f || fputs(conf, f) < 0 || fclose(f) != 0) {
		perror(path);
		harness_fail();
	}
	harness_launch(d, args);
}

void harness_stop(struct daemon_proc *d)
{
	int status;
	char cmd[600];

	kill(d->pid, SIGTERM);
	if (waitpid(d->pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		fprintf(stderr, "cohortd did not exit cleanly (status 0x%x)\n",
		    status);
		d->pid = 0;
		snprintf(cmd, sizeof(cmd), "tail -n 40 %s", d->log);
		if (system(cmd) < 0)
			perror("system");
		remove_dir(d);
		exit(1);
	}
	d->pid = 0;
	remove_dir(d);
}

void harness_exited(struct daemon_proc *d)
{
	d->pid = 0;
	remove_dir(d);
}

void harness_kill(struct daemon_proc *d)
{
	kill(d->pid, SIGKILL);
	waitpid(d->pid, NULL, 0);
	d->pid = 0;
	/* Its clients keep their sockets; the files go. */
	remove_dir(d);
}

void harness_wait(cpg_handle_t h, const volatile bool *flag)
{
	int fd;

	CHECK_CS(cpg_fd_get(h, &fd), CS_OK);
	while (!*flag) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int n = poll(&p, 1, WAIT_MS);

		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0) {
			fprintf(stderr, "no event within %d ms\n", WAIT_MS);
			harness_fail();
		}
		CHECK_CS(cpg_dispatch(h, CS_DISPATCH_ALL), CS_OK);
	}
}

struct cpg_name harness_name(const char *s)
{
	struct cpg_name n = { 0 };

	n.length = (uint32_t)strlen(s);
	memcpy(n.value, s, n.length);
	return n;
}

static void note(struct rec *r, int what)
{
	if (r->n_log < (int)(sizeof(r->event_log) / sizeof(r->event_log[0])))
		r->event_log[r->n_log++] = what;
}

static void rec_deliver(cpg_handle_t h, const struct cpg_name *g,
    uint32_t nodeid, uint32_t pid, void *msg, size_t len)
{
	struct rec *r;

	/* Another thread may have finalized the handle meanwhile. */
	if (cpg_context_get(h, (void **)&r) != CS_OK)
		return;
	r->messages++;
	r->last_nodeid = nodeid;
	r->last_pid = pid;
	r->last_len = len;
	memcpy(r->last, msg, len < sizeof(r->last) ? len : sizeof(r->last));
	if (pid == (uint32_t)getpid())
		r->got_own = true;
	note(r, 'M');
	if (r->finalize_in_callback)
		r->finalize_rc = cpg_finalize(h);
}

static void rec_confchg(cpg_handle_t h, const struct cpg_name *g,
    const struct cpg_address *m, size_t nm, const struct cpg_address *l,
    size_t nl, const struct cpg_address *j, size_t nj)
{
	struct rec *r;

	/* Another thread may have finalized the handle meanwhile. */
	if (cpg_context_get(h, (void **)&r) != CS_OK)
		return;
	r->confchgs++;
	r->changed = true;
	r->last_members = (int)nm;
	for (size_t i = 0; i < nj; i++)
		if (j[i].pid == (uint32_t)getpid()) {
			r->joined = true;
			note(r, 'J');
		}
	for (size_t i = 0; i < nl; i++) {
		if (l[i].pid == (uint32_t)getpid()) {
			r->left = true;
			note(r, 'L');
		} else {
			r->other_left = true;
			r->other_left_pid = l[i].pid;
			r->other_left_reason = l[i].reason;
			note(r, 'l');
		}
	}
	/* Member lists are sorted by (nodeid, pid) with reason 0. */
	for (size_t i = 0; i < nm; i++) {
		CHECK(m[i].reason == CPG_REASON_UNDEFINED);
		if (i > 0)
			CHECK(m[i - 1].nodeid < m[i].nodeid ||
			    (m[i - 1].nodeid == m[i].nodeid &&
			    m[i - 1].pid < m[i].pid));
	}
}

static void rec_totem(cpg_handle_t h, struct cpg_ring_id ring, uint32_t n,
    const uint32_t *nodes)
{
	struct rec *r;

	/* Another thread may have finalized the handle meanwhile. */
	if (cpg_context_get(h, (void **)&r) != CS_OK)
		return;
	r->totems++;
	r->ring = ring;
	r->ring_nodes = n;
	note(r, 'T');
}

cpg_handle_t harness_open(struct rec *r, unsigned int flags)
{
	cpg_model_v1_data_t md = {
		.model = CPG_MODEL_V1,
		.cpg_deliver_fn = rec_deliver,
		.cpg_confchg_fn = rec_confchg,
		.cpg_totem_confchg_fn = rec_totem,
		.flags = flags,
	};
	cpg_handle_t h;

	CHECK_CS(cpg_model_initialize(&h, CPG_MODEL_V1, (cpg_model_data_t *)&md,
	    r), CS_OK);
	return h;
}

long harness_rss_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (!(f = fopen(path, "r")))
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static unsigned int seq_next, seq_sent;
static volatile bool seq_progress;

static void seq_deliver(cpg_handle_t h, const struct cpg_name *g, uint32_t n,
    uint32_t pid, void *msg, size_t len)
{
	unsigned int seq;

	CHECK(len == 4);
	memcpy(&seq, msg, 4);
	CHECK(seq == seq_next);
	seq_next++;
	seq_progress = true;
}

static void seq_confchg(cpg_handle_t h, const struct cpg_name *g,
    const struct cpg_address *m, size_t nm, const struct cpg_address *l,
    size_t nl, const struct cpg_address *j, size_t nj)
{
	seq_progress = true;
}

cpg_handle_t harness_seq_open(const char *group)
{
	cpg_callbacks_t cb = { seq_deliver, seq_confchg };
	struct cpg_name g = harness_name(group);
	cpg_handle_t h;

	CHECK_CS(cpg_initialize(&h, &cb), CS_OK);
	CHECK_CS(cpg_join(h, &g), CS_OK);
	seq_progress = false;
	harness_wait(h, &seq_progress);
	return h;
}

void harness_seq_traffic(cpg_handle_t h, int n)
{
	for (int i = 0; i < n; i++) {
		struct iovec iov = { &seq_sent, 4 };

		CHECK_CS(cpg_mcast_joined(h, CPG_TYPE_AGREED, &iov, 1), CS_OK);
		seq_sent++;
	}
	while (seq_next < seq_sent) {
		seq_progress = false;
		harness_wait(h, &seq_progress);
	}
}

unsigned int harness_seq_delivered(void)
{
	return seq_next;
}

long long harness_status_field(const char *key)
{
	char self[PATH_MAX], cmd[PATH_MAX + 64], line[512];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	size_t klen = strlen(key);
	long long v = -1;
	FILE *p;

	CHECK(n > 0);
	self[n] = '\0';
	*strrchr(self, '/') = '\0';
	snprintf(cmd, sizeof(cmd), "%s/../../bin/cohortctl status", self);
	p = popen(cmd, "r");
	CHECK(p);
	/* Text output: the key, spaces, the value. */
	while (fgets(line, sizeof(line), p))
		if (strncmp(line, key, klen) == 0 && line[klen] == ' ')
			v = strtoll(line + klen, NULL, 10);
	CHECK(pclose(p) == 0);
	return v;
}

int harness_log_lines(const struct daemon_proc *d, const char *what)
{
	char line[1024];
	int n = 0;
	FILE *f = fopen(d->log, "r");

	CHECK(f != NULL);
	while (fgets(line, sizeof(line), f))
		n += strstr(line, what) != NULL;
	fclose(f);
	return n;
}
