/* API test: cpg_membership_get: arguments, order, and the count on input
 * not read (corosync's testcpg leaves it uninitialised). */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

/* A member in a process of its own, as testcpg is: it joins, then asks
 * with a CPG_MEMBERS_MAX array and a count it never set (4 here), and
 * must get all `want` members. It stays until `go` is closed. */
static pid_t member(const struct cpg_name *g, const int *go, const int *done,
    int want)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct rec c = { 0 };
		struct cpg_address mine[CPG_MEMBERS_MAX];
		cpg_handle_t ch = harness_open(&c, 0);
		int count = 4;
		char b;

		close(go[1]);
		CHECK_CS(cpg_join(ch, g), CS_OK);
		harness_wait(ch, &c.joined);
		if (want) {
			CHECK_CS(cpg_membership_get(ch, (struct cpg_name *)g,
			    mine, &count), CS_OK);
			/* The next member may have joined already: at least
			 * `want`, never more than the five of this test. */
			CHECK(count >= want && count <= 5 &&
			    mine[want - 1].nodeid == 1);
			/* Checked: the test may let the members go. */
			if (write(done[1], "x", 1) != 1)
				_exit(1);
		}
		if (read(go[0], &b, 1) < 0)
			_exit(1);
		_exit(0);
	}
	CHECK(pid > 0);
	return pid;
}

static void wait_members(cpg_handle_t h, struct rec *r, int n)
{
	while (r->last_members < n) {
		r->changed = false;
		harness_wait(h, &r->changed);
	}
}

int main(void)
{
	struct daemon_proc d;
	struct rec r = { 0 };
	struct cpg_name g = harness_name("members"), none = harness_name("none");
	struct cpg_name toolong = { .length = CPG_MAX_NAME_LENGTH + 1 };
	struct cpg_address list[CPG_MEMBERS_MAX];
	cpg_handle_t h;
	pid_t kids[4];
	int n, go[2], done[2], status;
	char b[2];

	harness_start(&d, NULL);
	n = 8;
	CHECK_CS(cpg_membership_get(0, &g, list, &n), CS_ERR_BAD_HANDLE);
	h = harness_open(&r, 0);
	CHECK_CS(cpg_membership_get(h, NULL, list, &n), CS_ERR_INVALID_PARAM);
	CHECK_CS(cpg_membership_get(h, &g, NULL, &n), CS_ERR_INVALID_PARAM);
	CHECK_CS(cpg_membership_get(h, &g, list, NULL), CS_ERR_INVALID_PARAM);
	CHECK_CS(cpg_membership_get(h, &toolong, list, &n), CS_ERR_NAME_TOO_LONG);
	CHECK_CS(cpg_membership_get(h, &none, list, &n), CS_OK);
	CHECK(n == 0);
	CHECK_CS(cpg_join(h, &g), CS_OK);
	harness_wait(h, &r.joined);
	/* Two more processes join; they stay until `go` is closed. */
	CHECK(pipe(go) == 0 && pipe(done) == 0);
	for (int i = 0; i < 2; i++)
		kids[i] = member(&g, go, done, 0);
	wait_members(h, &r, 3);
	n = 8;
	CHECK_CS(cpg_membership_get(h, &g, list, &n), CS_OK);
	CHECK(n == 3);
	for (int i = 0; i < n; i++) {
		CHECK(list[i].nodeid == 1);
		CHECK(list[i].reason == CPG_REASON_UNDEFINED);
		if (i)
			CHECK(list[i - 1].pid < list[i].pid);
	}
	/* The count on input is not read: a smaller value still gets every
	 * member (the array must hold CPG_MEMBERS_MAX, as on corosync). */
	list[2].pid = 0xdeadbeef;
	n = 2;
	CHECK_CS(cpg_membership_get(h, &g, list, &n), CS_OK);
	CHECK(n == 3 && list[2].pid != 0xdeadbeef);
	n = -1;
	CHECK_CS(cpg_membership_get(h, &g, list, &n), CS_OK);
	CHECK(n == 3);

	/* testcpg as the fourth and as the fifth member of the group. */
	kids[2] = member(&g, go, done, 4);
	wait_members(h, &r, 4);
	kids[3] = member(&g, go, done, 5);
	wait_members(h, &r, 5);
	n = 0;
	CHECK_CS(cpg_membership_get(h, &g, list, &n), CS_OK);
	CHECK(n == 5);
	/* Both have looked at the list before any member leaves. */
	CHECK(read(done[0], b, 1) == 1 && read(done[0], b + 1, 1) == 1);
	close(go[1]);
	for (int i = 0; i < 4; i++)
		CHECK(waitpid(kids[i], &status, 0) == kids[i] &&
		    WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_CS(cpg_finalize(h), CS_OK);
	harness_stop(&d);
	return 0;
}
