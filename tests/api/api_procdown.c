/* API test: a member killed with SIGKILL leaves its group with PROCDOWN
 * at once; so does one in the group with the empty name (corosync keeps
 * that one as a ghost). */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

static void killed_member(const struct cpg_name *g)
{
	struct rec w = { 0 };
	cpg_handle_t h = harness_open(&w, 0);
	int ready[2];
	pid_t pid;
	char b;
	struct cpg_address list[4];
	int n = 4;

	CHECK(pipe(ready) == 0);
	CHECK_CS(cpg_join(h, g), CS_OK);
	harness_wait(h, &w.joined);
	pid = fork();
	if (pid == 0) {
		struct rec c = { 0 };
		cpg_handle_t ch = harness_open(&c, 0);

		CHECK_CS(cpg_join(ch, g), CS_OK);
		harness_wait(ch, &c.joined);
		if (write(ready[1], "j", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	CHECK(read(ready[0], &b, 1) == 1);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	harness_wait(h, &w.other_left);
	CHECK(w.other_left_pid == (uint32_t)pid);
	CHECK(w.other_left_reason == CPG_REASON_PROCDOWN);
	CHECK_CS(cpg_membership_get(h, (struct cpg_name *)g, list, &n), CS_OK);
	CHECK(n == 1 && list[0].pid == (uint32_t)getpid());
	CHECK_CS(cpg_finalize(h), CS_OK);
	close(ready[0]);
	close(ready[1]);
}

int main(void)
{
	struct daemon_proc d;
	struct cpg_name g = harness_name("victims"), empty = { 0 };

	harness_start(&d, NULL);
	killed_member(&g);
	killed_member(&empty);
	harness_stop(&d);
	return 0;
}
