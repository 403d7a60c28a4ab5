/* API test: a member killed with SIGKILL leaves its group with PROCDOWN
 * at once; so does one in the group with the empty name (corosync keeps
 * that one as a ghost), and one whose child, forked after the join, still
 * holds the connection's descriptors. A descriptor passed with a join that
 * is not a pidfd is not taken for the member's life. */
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "raw.h"

#define RAW_PID (1u << 30)

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

/*
 * The member is the process that joined. It forks a child that never
 * calls CPG (it holds copies of the connection's descriptors) and is
 * killed: the other member sees it leave with PROCDOWN while the child
 * lives on.
 */
static void killed_with_child(const struct cpg_name *g)
{
	struct rec w = { 0 };
	cpg_handle_t h = harness_open(&w, 0);
	int ready[2], life[2], status;
	pid_t member, holder;

	/* The orphaned child comes back to this process, to be reaped. */
	CHECK(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
	CHECK(pipe(ready) == 0 && pipe(life) == 0);
	CHECK_CS(cpg_join(h, g), CS_OK);
	harness_wait(h, &w.joined);
	member = fork();
	if (member == 0) {
		struct rec c = { 0 };
		cpg_handle_t ch = harness_open(&c, 0);
		pid_t child;
		char b;

		CHECK_CS(cpg_join(ch, g), CS_OK);
		harness_wait(ch, &c.joined);
		child = fork();
		if (child == 0) {
			/* Holds the descriptors until the test kills it, or
			 * ends (the last write end of `life` closes). */
			close(life[1]);
			(void)read(life[0], &b, 1);
			_exit(0);
		}
		if (child < 0 || write(ready[1], &child, sizeof(child)) !=
		    sizeof(child))
			_exit(1);
		pause();
		_exit(0);
	}
	CHECK(read(ready[0], &holder, sizeof(holder)) == sizeof(holder));
	kill(member, SIGKILL);
	CHECK(waitpid(member, NULL, 0) == member);
	harness_wait(h, &w.other_left);
	CHECK(w.other_left_pid == (uint32_t)member);
	CHECK(w.other_left_reason == CPG_REASON_PROCDOWN);
	CHECK(waitpid(holder, &status, WNOHANG) == 0);   /* still alive */
	kill(holder, SIGKILL);
	CHECK(waitpid(holder, NULL, 0) == holder);
	CHECK_CS(cpg_finalize(h), CS_OK);
	close(ready[0]);
	close(ready[1]);
	close(life[0]);
	close(life[1]);
}

/*
 * A raw client joins passing a pipe where libcpg passes a pidfd of the
 * joining process. The daemon must not watch it: the pipe turning
 * readable does not end the membership; closing the connection does.
 */
static void not_a_pidfd(void)
{
	struct rec w = { 0 };
	struct cpg_name g = harness_name("pipes");
	cpg_handle_t h = harness_open(&w, 0);
	struct raw_conn rc;
	int p[2];

	CHECK(pipe(p) == 0);
	CHECK_CS(cpg_join(h, &g), CS_OK);
	harness_wait(h, &w.joined);
	raw_open(&rc, false);
	rc.pass = p[0];
	w.changed = false;
	raw_join(&rc, "pipes", RAW_PID);
	harness_wait(h, &w.changed);
	CHECK(w.last_members == 2);
	CHECK(write(p[1], "x", 1) == 1);
	/* The pipe was readable before these requests were sent: a daemon
	 * watching it would have closed the connection by their replies. */
	CHECK_CS(raw_request(&rc, IPC_LOCAL_GET, NULL, 0), CS_OK);
	CHECK_CS(raw_request(&rc, IPC_LOCAL_GET, NULL, 0), CS_OK);
	raw_close(&rc);
	harness_wait(h, &w.other_left);
	CHECK(w.other_left_pid == RAW_PID);
	CHECK(w.other_left_reason == CPG_REASON_PROCDOWN);
	CHECK_CS(cpg_finalize(h), CS_OK);
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	struct daemon_proc d;
	struct cpg_name g = harness_name("victims"), empty = { 0 };

	harness_start(&d, NULL);
	killed_member(&g);
	killed_member(&empty);
	killed_with_child(&g);
	not_a_pidfd();
	harness_stop(&d);
	return 0;
}
