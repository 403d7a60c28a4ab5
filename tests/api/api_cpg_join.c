/* API test: cpg_join: names, answered once delivered, one group per
 * handle, one membership per process, the joiner's first event. */
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

int main(void)
{
	struct daemon_proc d;
	struct rec r = { 0 }, r2 = { 0 }, r3 = { 0 };
	struct cpg_name g = harness_name("join"), other = harness_name("other");
	struct cpg_name longest = { 0 }, toolong = { 0 };
	struct cpg_address list[CPG_MEMBERS_MAX];
	cpg_handle_t h, h2, h3;
	pid_t pid;
	int status, n;

	harness_start(&d, NULL);
	CHECK_CS(cpg_join(0, &g), CS_ERR_BAD_HANDLE);
	h = harness_open(&r, 0);
	CHECK_CS(cpg_join(h, NULL), CS_ERR_INVALID_PARAM);
	toolong.length = CPG_MAX_NAME_LENGTH + 1;
	CHECK_CS(cpg_join(h, &toolong), CS_ERR_NAME_TOO_LONG);
	CHECK_CS(cpg_join(0, &toolong), CS_ERR_NAME_TOO_LONG);
	CHECK_CS(cpg_join(h, &g), CS_OK);
	/* Answered once delivered: the caller is a member already. */
	n = 0;
	CHECK_CS(cpg_membership_get(h, &g, list, &n), CS_OK);
	CHECK(n == 1 && list[0].pid == (uint32_t)getpid());
	CHECK_CS(cpg_join(h, &g), CS_ERR_EXIST);       /* same group again */
	CHECK_CS(cpg_join(h, &other), CS_ERR_EXIST);   /* one group per handle */
	/* The first event is our own JOIN, listing us in joined. */
	CHECK_CS(cpg_dispatch(h, CS_DISPATCH_ONE), CS_OK);
	CHECK(r.joined && r.event_log[0] == 'J' && r.last_members == 1);

	/* Another handle of this process: not the same group again. */
	h2 = harness_open(&r2, 0);
	CHECK_CS(cpg_join(h2, &g), CS_ERR_EXIST);
	CHECK_CS(cpg_join(h2, &other), CS_OK);
	harness_wait(h2, &r2.joined);

	/* A full 128-byte binary name is fine, and differs from its prefix. */
	memset(longest.value, 0xff, sizeof(longest.value));
	longest.length = CPG_MAX_NAME_LENGTH;
	h3 = harness_open(&r3, 0);
	CHECK_CS(cpg_join(h3, &longest), CS_OK);
	harness_wait(h3, &r3.joined);
	CHECK(r3.last_members == 1);

	/* Another process may join the same group; both see it. */
	pid = fork();
	if (pid == 0) {
		struct rec c = { 0 };
		cpg_handle_t ch = harness_open(&c, 0);

		CHECK_CS(cpg_join(ch, &g), CS_OK);
		harness_wait(ch, &c.joined);
		CHECK(c.last_members == 2);
		CHECK_CS(cpg_leave(ch, &g), CS_OK);
		harness_wait(ch, &c.left);
		_exit(0);
	}
	while (r.confchgs < 3)
		harness_wait(h, &r.other_left);
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0);
	CHECK(r.other_left_reason == CPG_REASON_LEAVE);
	CHECK_CS(cpg_finalize(h), CS_OK);
	CHECK_CS(cpg_finalize(h2), CS_OK);
	CHECK_CS(cpg_finalize(h3), CS_OK);
	harness_stop(&d);
	return 0;
}
