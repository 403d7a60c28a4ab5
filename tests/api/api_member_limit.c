/*
 * API test: the member limit of a group (COHORT_GROUP_MEMBERS_MAX, which
 * is CPG_MEMBERS_MAX). Many joins in flight at once, from as many
 * connections, never make the group larger than the limit, and the ones
 * refused get CS_ERR_NO_SPACE; a full group works with
 * cpg_membership_get (whatever the caller puts in the count), the
 * iteration calls and confchgs; a place freed by a member that goes can
 * be taken again.
 */
#include <sys/wait.h>
#include <unistd.h>

#include "common/limits.h"
#include "harness.h"
#include "raw.h"

#define GROUP "limit"
#define LIMIT COHORT_GROUP_MEMBERS_MAX
#define RAW_CONNS (LIMIT + LIMIT / 2)
#define RAW_PID_BASE 1000000u   /* pids no process here has */

struct watch {
	volatile bool changed;
	int confchgs, last_members, max_members;
	bool unsorted;
};

static void on_confchg(cpg_handle_t h, const struct cpg_name *group,
    const struct cpg_address *members, size_t n_members,
    const struct cpg_address *left, size_t n_left,
    const struct cpg_address *joined, size_t n_joined)
{
	struct watch *w;

	if (cpg_context_get(h, (void **)&w) != CS_OK)
		harness_fail();
	for (size_t i = 1; i < n_members; i++)
		if (members[i - 1].nodeid == members[i].nodeid &&
		    members[i - 1].pid >= members[i].pid)
			w->unsorted = true;
	w->confchgs++;
	w->last_members = (int)n_members;
	if (w->max_members < (int)n_members)
		w->max_members = (int)n_members;
	w->changed = true;
}

static cpg_handle_t open_watch(struct watch *w)
{
	cpg_model_v1_data_t model = {
		.model = CPG_MODEL_V1,
		.cpg_confchg_fn = on_confchg,
	};
	cpg_handle_t h;

	CHECK_CS(cpg_model_initialize(&h, CPG_MODEL_V1,
	    (cpg_model_data_t *)&model, w), CS_OK);
	return h;
}

static void wait_members(cpg_handle_t h, struct watch *w, int n)
{
	while (w->last_members != n) {
		w->changed = false;
		harness_wait(h, &w->changed);
	}
}

/* A process of its own joins through libcpg: exits 0 if cpg_join gave
 * `want`; if that is CS_OK, once the group is full it stays until `hold`
 * (a pipe) is closed. */
static pid_t join_in_child(const struct cpg_name *g, cs_error_t want,
    const int *hold)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct watch w = { 0 };
		cpg_handle_t h = open_watch(&w);
		char b;

		CHECK_CS(cpg_join(h, g), want);
		if (want == CS_OK) {
			close(hold[1]);
			wait_members(h, &w, LIMIT);
			if (read(hold[0], &b, 1) < 0)
				_exit(1);
		}
		_exit(0);
	}
	CHECK(pid > 0);
	return pid;
}

static void reap_ok(pid_t pid)
{
	int status;

	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0);
}

int main(void)
{
	static struct raw_conn rc[RAW_CONNS];
	static struct cpg_address list[CPG_MEMBERS_MAX];
	const int garbage[] = { 4, 0, -1, 0xffff };
	struct cpg_name g = harness_name(GROUP);
	struct cpg_iteration_description_t desc;
	cpg_iteration_handle_t it;
	struct daemon_proc d;
	struct watch w = { 0 };
	int ok = 0, full = 0, n, hold[2];
	cpg_handle_t h;
	pid_t kid;
	cs_error_t err;

	harness_start(&d, NULL);
	h = open_watch(&w);
	CHECK_CS(cpg_join(h, &g), CS_OK);
	wait_members(h, &w, 1);

	/* Half as many joins again as there are places, all in flight
	 * before the first answer is read. */
	for (int i = 0; i < RAW_CONNS; i++)
		raw_open(&rc[i], false);
	for (int i = 0; i < RAW_CONNS; i++)
		raw_join_send(&rc[i], GROUP, RAW_PID_BASE + (uint32_t)i);
	for (int i = 0; i < RAW_CONNS; i++) {
		err = (cs_error_t)raw_reply(&rc[i]);
		CHECK(err == CS_OK || err == CS_ERR_NO_SPACE);
		ok += err == CS_OK;
		full += err == CS_ERR_NO_SPACE;
	}
	CHECK(ok == LIMIT - 1 && full == RAW_CONNS - ok);
	wait_members(h, &w, LIMIT);
	CHECK(w.max_members == LIMIT && !w.unsorted);

	/* The count on input is not read: every value gets the whole list. */
	for (size_t k = 0; k < sizeof(garbage) / sizeof(garbage[0]); k++) {
		n = garbage[k];
		CHECK_CS(cpg_membership_get(h, &g, list, &n), CS_OK);
		CHECK(n == LIMIT);
		for (int i = 1; i < n; i++)
			CHECK(list[i - 1].pid < list[i].pid &&
			    list[i].reason == CPG_REASON_UNDEFINED);
	}
	CHECK_CS(cpg_iteration_initialize(h, CPG_ITERATION_ONE_GROUP, &g, &it),
	    CS_OK);
	n = 0;
	while ((err = cpg_iteration_next(it, &desc)) == CS_OK)
		n++;
	CHECK(err == CS_ERR_NO_SECTIONS && n == LIMIT);
	CHECK_CS(cpg_iteration_finalize(it), CS_OK);

	/* A process joining the full group through libcpg is refused. */
	reap_ok(join_in_child(&g, CS_ERR_NO_SPACE, NULL));
	CHECK(w.last_members == LIMIT);

	/* One goes (PROCDOWN); its place can be taken again. */
	raw_close(&rc[0]);
	wait_members(h, &w, LIMIT - 1);
	CHECK(pipe(hold) == 0);
	kid = join_in_child(&g, CS_OK, hold);
	wait_members(h, &w, LIMIT);
	n = 0;
	CHECK_CS(cpg_membership_get(h, &g, list, &n), CS_OK);
	CHECK(n == LIMIT);
	close(hold[1]);
	reap_ok(kid);
	CHECK(w.max_members == LIMIT);

	for (int i = 1; i < RAW_CONNS; i++)
		raw_close(&rc[i]);
	wait_members(h, &w, 1);
	CHECK_CS(cpg_finalize(h), CS_OK);
	harness_stop(&d);
	return 0;
}
