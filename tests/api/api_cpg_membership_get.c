/* API test: cpg_membership_get: arguments, capacity, order. */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

int main(void)
{
	struct daemon_proc d;
	struct rec r = { 0 };
	struct cpg_name g = harness_name("members"), none = harness_name("none");
	struct cpg_name toolong = { .length = CPG_MAX_NAME_LENGTH + 1 };
	struct cpg_address list[8];
	cpg_handle_t h;
	pid_t kids[2];
	int n, go[2];

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
	/* Two more processes join; they stay until we kill them. */
	CHECK(pipe(go) == 0);
	for (int i = 0; i < 2; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			struct rec c = { 0 };
			cpg_handle_t ch = harness_open(&c, 0);
			char b;

			close(go[1]);
			CHECK_CS(cpg_join(ch, &g), CS_OK);
			harness_wait(ch, &c.joined);
			if (read(go[0], &b, 1) < 0)
				_exit(1);
			_exit(0);
		}
	}
	while (r.last_members < 3) {
		r.changed = false;
		harness_wait(h, &r.changed);
	}
	n = 8;
	CHECK_CS(cpg_membership_get(h, &g, list, &n), CS_OK);
	CHECK(n == 3);
	for (int i = 0; i < n; i++) {
		CHECK(list[i].nodeid == 1);
		CHECK(list[i].reason == CPG_REASON_UNDEFINED);
		if (i)
			CHECK(list[i - 1].pid < list[i].pid);
	}
	/* The count on input is the capacity: two entries, NO_SPACE, 3. */
	list[2].pid = 0xdeadbeef;
	n = 2;
	CHECK_CS(cpg_membership_get(h, &g, list, &n), CS_ERR_NO_SPACE);
	CHECK(n == 3);
	CHECK(list[2].pid == 0xdeadbeef);
	n = 0;   /* 0 means CPG_MEMBERS_MAX */
	CHECK_CS(cpg_membership_get(h, &g, list, &n), CS_OK);
	CHECK(n == 3);
	close(go[1]);
	for (int i = 0; i < 2; i++)
		waitpid(kids[i], NULL, 0);
	CHECK_CS(cpg_finalize(h), CS_OK);
	harness_stop(&d);
	return 0;
}
