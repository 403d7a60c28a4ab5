/*
 * flood.c: descriptor limits and well-behaved clients for the flood
 * tests (see flood.h).
 */
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "flood.h"
#include "harness.h"
#include "raw.h"

#define USUAL_SOFT_LIMIT 1024
#define SPARE_FDS 64   /* stdio, the harness's pipes, a few handles */

void flood_daemon_limit(void)
{
	struct rlimit rl;

	CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0);
	if (rl.rlim_cur > USUAL_SOFT_LIMIT)
		rl.rlim_cur = USUAL_SOFT_LIMIT;
	CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
}

int flood_fd_limit(pid_t pid)
{
	char path[64], line[256];
	long soft = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/limits", (int)pid);
	f = fopen(path, "r");
	CHECK(f != NULL);
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "Max open files", 14) == 0)
			soft = strtol(line + 14, NULL, 10);
	fclose(f);
	CHECK(soft > 0);
	return (int)soft;
}

int flood_fd_room(int n)
{
	const rlim_t want = (rlim_t)n + SPARE_FDS;
	struct rlimit rl;

	CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0);
	if (rl.rlim_max < want) {
		/* Root may raise the hard limit too. */
		struct rlimit more = { want, want };

		if (setrlimit(RLIMIT_NOFILE, &more) == 0)
			return n;
		n = (int)(rl.rlim_max - SPARE_FDS);
	}
	rl.rlim_cur = (rlim_t)n + SPARE_FDS;
	CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
	return n;
}

void flood_clients_get_in(const char *group, int tries)
{
	struct cpg_name g = harness_name(group);

	for (int i = 0; i < tries; i++) {
		struct rec r = { 0 };
		cpg_handle_t h = harness_open(&r, 0);

		CHECK_CS(cpg_join(h, &g), CS_OK);
		harness_wait(h, &r.joined);
		CHECK_CS(cpg_finalize(h), CS_OK);
	}
}

_Noreturn void flood_hold_as(uid_t uid, int ready, int n)
{
	n = flood_fd_room(n);
	if (setresgid(uid, uid, uid) < 0 || setresuid(uid, uid, uid) < 0)
		_exit(100);
	/* Set after the change of user, which clears it: the flood ends
	 * with the test, however the test ends. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() == 1)
		_exit(101);
	for (int i = 0; i < n; i++)
		(void)raw_connect();
	if (write(ready, "f", 1) != 1)
		_exit(1);
	for (;;)
		pause();
}
