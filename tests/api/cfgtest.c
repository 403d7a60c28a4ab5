/*
 * cfgtest.c: the cfg API tests' daemon, configuration and waits
 * (cfgtest.h).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cfgtest.h"

/* The daemon's directory (harness_dir()), and the file in it. */
static char conf_dir[256], conf_path[300];
static unsigned port;

const char *cfgtest_conf_path(void)
{
	return conf_path;
}

const char *cfgtest_dir(void)
{
	return conf_dir;
}

/* Writes `text` with every "@DIR@" replaced by the file's directory. */
static void put_text(FILE *f, const char *text)
{
	const char *at;

	while ((at = strstr(text, "@DIR@"))) {
		fwrite(text, 1, (size_t)(at - text), f);
		fputs(conf_dir, f);
		text = at + strlen("@DIR@");
	}
	fputs(text, f);
}

void cfgtest_write(const char *extra, const char *raw)
{
	FILE *f = fopen(conf_path, "w");

	if (!f) {
		perror(conf_path);
		harness_fail();
	}
	if (raw)
		put_text(f, raw);
	else
		fprintf(f, "totem {\n\tcluster_name: cfgtest\n"
		    "\ttransport: knet\n"
		    "\tinterface {\n\t\tlinknumber: 0\n\t\tmcastport: %u\n\t}\n"
		    "\tinterface {\n\t\tlinknumber: 1\n\t\tmcastport: %u\n\t}\n"
		    "}\nnodelist {\n"
		    "\tnode {\n\t\tnodeid: 1\n\t\tring0_addr: 127.0.0.1\n"
		    "\t\tring1_addr: 127.0.1.1\n\t}\n"
		    "\tnode {\n\t\tnodeid: 2\n\t\tring0_addr: 127.0.0.2\n"
		    "\t\tring1_addr: 127.0.1.2\n\t}\n}\n%s",
		    port, port + 1, "");
	if (!raw && extra)
		put_text(f, extra);
	if (fclose(f) != 0) {
		perror(conf_path);
		harness_fail();
	}
}

void cfgtest_start(struct daemon_proc *d, const char *extra)
{
	const char *const args[] = { "-n", "1", "-c", conf_path, NULL };

	/* A port of this process's own: tests run in parallel. */
	port = 20000 + (unsigned)(getpid() % 20000) * 2;
	/* In the daemon's directory, which goes with the daemon (and with
	 * what a test leaves beside the file, such as a log file); the
	 * loader reads uidgid.d next to the file, and there is none there. */
	harness_dir(d);
	snprintf(conf_dir, sizeof(conf_dir), "%s", d->dir);
	snprintf(conf_path, sizeof(conf_path), "%s/corosync.conf", conf_dir);
	cfgtest_write(extra, NULL);
	harness_launch(d, args);
}

void cfgtest_stop(struct daemon_proc *d)
{
	harness_stop(d);
}

/* A bounded wait: sleeping between looks at a file is waiting for the
 * event it records, up to WAIT_MS. */
static bool expired(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000 +
	    (now.tv_nsec - start->tv_nsec) / 1000000 > WAIT_MS;
}

void cfgtest_log_wait(const struct daemon_proc *d, const char *text)
{
	struct timespec start;
	char line[1024];

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		FILE *f = fopen(d->log, "r");

		while (f && fgets(line, sizeof(line), f))
			if (strstr(line, text)) {
				fclose(f);
				return;
			}
		if (f)
			fclose(f);
		if (expired(&start)) {
			fprintf(stderr, "no log line with '%s'\n", text);
			harness_fail();
		}
		poll(NULL, 0, 20);
	}
}

int cfgtest_exit_wait(struct daemon_proc *d)
{
	struct timespec start;
	int status;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		pid_t r = waitpid(d->pid, &status, WNOHANG);

		if (r == d->pid) {
			harness_exited(d);
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		}
		if (r < 0 || expired(&start)) {
			fprintf(stderr, "cohortd did not exit\n");
			harness_fail();
		}
		poll(NULL, 0, 20);
	}
}

corosync_cfg_handle_t cfgtest_open(const corosync_cfg_callbacks_t *cb)
{
	corosync_cfg_handle_t h;

	CHECK_CS(corosync_cfg_initialize(&h, cb), CS_OK);
	return h;
}

#define TRACKERS_MAX 8
static struct tracker *trackers[TRACKERS_MAX];

static void on_shutdown(corosync_cfg_handle_t h,
    corosync_cfg_shutdown_flags_t flags)
{
	for (size_t i = 0; i < TRACKERS_MAX; i++)
		if (trackers[i] && trackers[i]->h == h) {
			trackers[i]->asked++;
			trackers[i]->flags = flags;
			return;
		}
	fprintf(stderr, "shutdown callback for an unknown handle\n");
	harness_fail();
}

void tracker_open(struct tracker *t, bool track)
{
	static const corosync_cfg_callbacks_t cb = { on_shutdown };
	size_t i = 0;

	while (i < TRACKERS_MAX && trackers[i] && trackers[i] != t)
		i++;
	CHECK(i < TRACKERS_MAX);
	t->asked = 0;
	t->h = cfgtest_open(&cb);
	trackers[i] = t;
	if (track)
		CHECK_CS(corosync_cfg_trackstart(t->h, 0), CS_OK);
}

void tracker_wait(struct tracker *t, int n)
{
	int fd;

	CHECK_CS(corosync_cfg_fd_get(t->h, &fd), CS_OK);
	while (t->asked < n) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, WAIT_MS) != 1) {
			fprintf(stderr, "tracker not asked (%d of %d)\n",
			    t->asked, n);
			harness_fail();
		}
		CHECK_CS(corosync_cfg_dispatch(t->h, CS_DISPATCH_ALL), CS_OK);
	}
}

static void *try_thread(void *arg)
{
	struct try_call *c = arg;

	c->rc = corosync_cfg_try_shutdown(c->h, c->flags);
	return NULL;
}

void try_start(struct try_call *c)
{
	pthread_t *t = malloc(sizeof(*t));

	CHECK(t && pthread_create(t, NULL, try_thread, c) == 0);
	c->thread = t;
}

cs_error_t try_result(struct try_call *c)
{
	pthread_t *t = c->thread;

	CHECK(pthread_join(*t, NULL) == 0);
	free(t);
	return c->rc;
}
