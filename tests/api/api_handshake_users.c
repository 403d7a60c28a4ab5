/*
 * API test: sockets without a first frame are capped per daemon
 * (COHORT_HANDSHAKE_MAX), and at the cap the oldest of the user who holds
 * the most goes. A root client connects and is a little late with its
 * HELLO while a user allowed by uidgid opens more sockets than the cap
 * from several processes and sends nothing on them: the root client's
 * socket stays open (before, the oldest socket of all went, which was
 * the root client's), and its HELLO is answered.
 */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/limits.h"
#include "flood.h"
#include "harness.h"
#include "raw.h"

#define NOBODY 65534
#define PROCS 8
#define PER_PROC (COHORT_HANDSHAKE_MAX / 4u)   /* twice the cap in all */
#define TRIES 3

/* One try: the late client's socket survives the flood (1), was pushed
 * out (0), or went at its deadline before the flood was over, which says
 * nothing (-1). */
static int one_try(void)
{
	pid_t pids[PROCS], probe;
	int ready[2], late, rc, status;
	struct pollfd p;
	struct rec r = { 0 };
	cpg_handle_t h;
	char b;

	CHECK(pipe(ready) == 0);
	late = raw_connect();
	for (int i = 0; i < PROCS; i++) {
		pids[i] = fork();
		CHECK(pids[i] >= 0);
		if (pids[i] == 0)
			flood_hold_as(NOBODY, ready[1], PER_PROC);
	}
	for (int i = 0; i < PROCS; i++)
		CHECK(read(ready[0], &b, 1) == 1);
	/* Every flood socket is connected; a client that gets in after them
	 * was accepted after them, so the daemon has seen them all. It is
	 * another process: at the cap a process's own oldest socket goes
	 * first, and this one's is the late client's. */
	probe = fork();
	CHECK(probe >= 0);
	if (probe == 0) {
		h = harness_open(&r, 0);
		CHECK_CS(cpg_finalize(h), CS_OK);
		_exit(0);
	}
	CHECK(waitpid(probe, &status, 0) == probe && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0);
	p = (struct pollfd){ .fd = late, .events = POLLIN };
	if (poll(&p, 1, 0) == 0) {
		raw_hello(late, true);
		p.revents = 0;
		CHECK(poll(&p, 1, WAIT_MS) == 1);
		rc = 1;
	} else {
		uint32_t err = raw_refusal(late);

		printf("the late client was told %u\n", err);
		rc = err == CS_ERR_TIMEOUT ? -1 : 0;
	}
	close(late);
	for (int i = 0; i < PROCS; i++) {
		kill(pids[i], SIGKILL);
		CHECK(waitpid(pids[i], NULL, 0) == pids[i]);
	}
	close(ready[0]);
	close(ready[1]);
	return rc;
}

int main(void)
{
	struct daemon_proc d;
	char conf[300];
	int rc = -1;

	harness_init();
	if (geteuid() != 0) {
		printf("needs root to switch users\n");
		return 77;
	}
	snprintf(conf, sizeof(conf), "totem {\n\tversion: 2\n\tcluster_name: "
	    "hsusers\n}\nuidgid {\n\tuid: %d\n}\n", NOBODY);
	harness_start_conf(&d, conf);
	for (int i = 0; i < TRIES && rc < 0; i++)
		rc = one_try();
	CHECK(rc == 1);
	harness_stop(&d);
	return 0;
}
