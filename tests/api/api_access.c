/* API test: who may connect. uid/gid not allowed: CS_ERR_ACCESS; allowed
 * by a uidgid section: CS_OK. A user who may not connect and holds more
 * sockets to the daemon than the daemon has descriptors locks nobody
 * out, and is logged once. Needs root to switch users. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "flood.h"
#include "harness.h"
#include "raw.h"

#define NOBODY 65534
#define TRIES 20

static int try_as(uid_t uid, gid_t gid)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		cpg_handle_t h;
		cs_error_t rc;

		if (setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0)
			_exit(100);
		rc = cpg_initialize(&h, NULL);
		if (rc == CS_OK)
			cpg_finalize(h);
		_exit(rc);
	}
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* While a user who may not connect holds a flood of sockets to the
 * daemon, root connects, joins and leaves again and again; the flood is
 * logged in one line (the refusal of try_as before it included). */
static void flood_disallowed(struct daemon_proc *d)
{
	int ready[2], n = flood_fd_limit(d->pid) + FLOOD_BEYOND;
	pid_t pid;
	char b;

	CHECK(pipe(ready) == 0);
	pid = fork();
	if (pid == 0)
		flood_hold_as(NOBODY, ready[1], n);
	CHECK(pid > 0 && read(ready[0], &b, 1) == 1);
	flood_clients_get_in("access", TRIES);
	kill(pid, SIGKILL);
	CHECK(waitpid(pid, NULL, 0) == pid);
	close(ready[0]);
	close(ready[1]);
	CHECK(harness_log_lines(d, "refused IPC connections of uid 65534")
	    == 1);
}

int main(void)
{
	struct daemon_proc d;
	char conf[300];

	harness_init();
	if (geteuid() != 0) {
		printf("needs root to switch users\n");
		return 77;
	}
	flood_daemon_limit();
	harness_start(&d, NULL);
	CHECK(try_as(0, NOBODY) == CS_OK);          /* uid 0 */
	CHECK(try_as(NOBODY, 0) == CS_OK);          /* gid 0 */
	CHECK(try_as(NOBODY, NOBODY) == CS_ERR_ACCESS);
	flood_disallowed(&d);
	harness_stop(&d);

	snprintf(conf, sizeof(conf), "totem {\n\tversion: 2\n\tcluster_name: "
	    "access\n}\nuidgid {\n\tuid: %d\n}\nuidgid {\n\tgid: 4242\n}\n",
	    NOBODY);
	harness_start_conf(&d, conf);
	CHECK(try_as(NOBODY, NOBODY) == CS_OK);     /* uid listed */
	CHECK(try_as(4343, 4242) == CS_OK);         /* gid listed */
	CHECK(try_as(4343, 4343) == CS_ERR_ACCESS);
	harness_stop(&d);
	return 0;
}
