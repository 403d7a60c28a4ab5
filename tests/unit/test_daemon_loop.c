/* Unit tests: the reactor (src/daemon/loop.c): descriptor events, timers
 * in deadline order, re-arming from a callback, removal during a wake-up,
 * the before-sleep hook. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <unistd.h>
#include <cmocka.h>

#include "daemon/loop.h"

struct ctx {
	struct loop *l;
	int order[8], n;
	int reads, sleeps;
	struct loop_timer t[3];
	struct loop_reg *reg;
	int fd;
};

static struct ctx *g;

static void timer_a(void *arg) { g->order[g->n++] = 'a'; }
static void timer_b(void *arg) { g->order[g->n++] = 'b'; }
static void timer_stop(void *arg)
{
	g->order[g->n++] = 's';
	loop_stop(g->l);
}

static void rearm_once(void *arg)
{
	static int times;

	g->order[g->n++] = 'r';
	if (++times < 3)
		loop_timer_arm(g->l, &g->t[0], loop_now(g->l));
	else
		loop_stop(g->l);
}

static void timers_in_order(void **state)
{
	struct ctx c = { 0 };

	g = &c;
	assert_int_equal(loop_new(&c.l), 0);
	c.t[0] = (struct loop_timer){ .fn = timer_b };
	c.t[1] = (struct loop_timer){ .fn = timer_a };
	c.t[2] = (struct loop_timer){ .fn = timer_stop };
	/* Deadlines in the past run at once, earliest armed order aside:
	 * the loop runs every due timer before sleeping. */
	loop_timer_arm(c.l, &c.t[1], loop_now(c.l));
	loop_timer_arm(c.l, &c.t[0], loop_now(c.l) + 20);
	loop_timer_arm(c.l, &c.t[2], loop_now(c.l) + 40);
	assert_int_equal(loop_run(c.l), 0);
	assert_int_equal(c.n, 3);
	assert_int_equal(c.order[0], 'a');
	assert_int_equal(c.order[1], 'b');
	assert_int_equal(c.order[2], 's');
	/* A disarmed timer never runs. */
	c.n = 0;
	loop_timer_arm(c.l, &c.t[1], loop_now(c.l));
	loop_timer_disarm(c.l, &c.t[1]);
	loop_timer_arm(c.l, &c.t[2], loop_now(c.l));
	loop_run(c.l);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.order[0], 's');
	loop_free(c.l);
}

static void rearm_from_callback(void **state)
{
	struct ctx c = { 0 };

	g = &c;
	assert_int_equal(loop_new(&c.l), 0);
	c.t[0] = (struct loop_timer){ .fn = rearm_once };
	loop_timer_arm(c.l, &c.t[0], loop_now(c.l));
	loop_run(c.l);
	assert_int_equal(c.n, 3);
	loop_free(c.l);
}

static void on_readable(void *arg, int fd, uint32_t events)
{
	char b[16];

	assert_true(events & EPOLLIN);
	assert_true(read(fd, b, sizeof(b)) > 0);
	g->reads++;
	/* Unregistering inside the callback is safe. */
	loop_del_fd(g->l, g->reg);
	loop_stop(g->l);
}

static void before_sleep(void *arg)
{
	g->sleeps++;
}

static void fd_events(void **state)
{
	struct ctx c = { 0 };
	int p[2];

	g = &c;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(loop_new(&c.l), 0);
	assert_int_equal(loop_add_fd(c.l, p[0], EPOLLIN, on_readable, &c,
	    &c.reg), 0);
	assert_int_equal(loop_add_fd(c.l, -1, EPOLLIN, on_readable, &c, NULL),
	    -EBADF);
	loop_set_before_sleep(c.l, before_sleep, &c);
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(loop_run(c.l), 0);
	assert_int_equal(c.reads, 1);
	assert_true(c.sleeps >= 1);
	loop_free(c.l);
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(timers_in_order),
		cmocka_unit_test(rearm_from_callback),
		cmocka_unit_test(fd_events),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
