/*
 * loop.c: the reactor.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "daemon/loop.h"

#define LOOP_EVENTS_PER_WAKE 64

/* Per-descriptor registration, kept by the loop and handed to epoll. */
struct loop_reg {
	int fd;
	loop_fd_fn fn;
	void *arg;
	struct loop_reg *next, *prev;
};

struct loop {
	int epfd;
	bool stop;
	bool no_sleep;               /* the next wait only polls */
	uint64_t now;
	struct loop_timer *timers;
	struct loop_reg *regs;
	struct loop_reg *graveyard;  /* freed after the wake-up's events */
	loop_fn before_sleep;
	void *before_sleep_arg;
};

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int loop_new(struct loop **out)
{
	struct loop *l = calloc(1, sizeof(*l));

	if (!l)
		return -ENOMEM;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		int err = -errno;

		free(l);
		return err;
	}
	l->now = mono_ms();
	*out = l;
	return 0;
}

static void free_regs(struct loop_reg *r)
{
	while (r) {
		struct loop_reg *next = r->next;

		free(r);
		r = next;
	}
}

void loop_free(struct loop *l)
{
	if (!l)
		return;
	close(l->epfd);
	free_regs(l->regs);
	free_regs(l->graveyard);
	free(l);
}

int loop_add_fd(struct loop *l, int fd, uint32_t events, loop_fd_fn fn,
    void *arg, struct loop_reg **out)
{
	struct loop_reg *r = malloc(sizeof(*r));
	struct epoll_event ev = { .events = events };

	if (!r)
		return -ENOMEM;
	*r = (struct loop_reg){ fd, fn, arg, NULL, NULL };
	ev.data.ptr = r;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int err = -errno;

		free(r);
		return err;
	}
	r->next = l->regs;
	if (l->regs)
		l->regs->prev = r;
	l->regs = r;
	if (out)
		*out = r;
	return 0;
}

int loop_mod_fd(struct loop *l, struct loop_reg *r, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = r };

	return epoll_ctl(l->epfd, EPOLL_CTL_MOD, r->fd, &ev) < 0 ? -errno : 0;
}

void loop_del_fd(struct loop *l, struct loop_reg *r)
{
	if (r->prev)
		r->prev->next = r->next;
	else
		l->regs = r->next;
	if (r->next)
		r->next->prev = r->prev;
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, r->fd, NULL);
	/* Events of this wake-up may still point at it: keep it until then,
	 * marked dead. */
	r->fn = NULL;
	r->prev = NULL;
	r->next = l->graveyard;
	l->graveyard = r;
}

void loop_timer_arm(struct loop *l, struct loop_timer *t, uint64_t when_ms)
{
	if (!t->armed) {
		t->next = l->timers;
		l->timers = t;
		t->armed = true;
	}
	t->when_ms = when_ms;
}

void loop_timer_disarm(struct loop *l, struct loop_timer *t)
{
	struct loop_timer **pp;

	if (!t->armed)
		return;
	for (pp = &l->timers; *pp; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	t->armed = false;
}

void loop_set_before_sleep(struct loop *l, loop_fn fn, void *arg)
{
	l->before_sleep = fn;
	l->before_sleep_arg = arg;
}

uint64_t loop_now(const struct loop *l)
{
	return l->now;
}

uint64_t loop_update(struct loop *l)
{
	return l->now = mono_ms();
}

void loop_stop(struct loop *l)
{
	l->stop = true;
}

void loop_no_sleep(struct loop *l)
{
	l->no_sleep = true;
}

/* Runs every due timer; a timer may re-arm itself or others. */
static void run_timers(struct loop *l)
{
	bool again = true;

	while (again) {
		again = false;
		for (struct loop_timer *t = l->timers; t; t = t->next) {
			if (t->when_ms > l->now)
				continue;
			loop_timer_disarm(l, t);
			t->fn(t->arg);
			again = true;
			break;
		}
	}
}

static int next_wait(const struct loop *l)
{
	uint64_t first = UINT64_MAX;

	for (const struct loop_timer *t = l->timers; t; t = t->next)
		if (t->when_ms < first)
			first = t->when_ms;
	if (first == UINT64_MAX)
		return -1;
	if (first <= l->now)
		return 0;
	return first - l->now > 60000 ? 60000 : (int)(first - l->now);
}

int loop_run(struct loop *l)
{
	struct epoll_event evs[LOOP_EVENTS_PER_WAKE];

	l->stop = false;
	while (!l->stop) {
		int n;

		loop_update(l);
		run_timers(l);
		if (l->before_sleep)
			l->before_sleep(l->before_sleep_arg);
		if (l->stop)
			break;
		n = epoll_wait(l->epfd, evs, LOOP_EVENTS_PER_WAKE,
		    l->no_sleep ? 0 : next_wait(l));
		l->no_sleep = false;
		if (n < 0 && errno != EINTR)
			return -errno;
		loop_update(l);
		for (int i = 0; i < n; i++) {
			struct loop_reg *r = evs[i].data.ptr;

			if (r->fn)
				r->fn(r->arg, r->fd, evs[i].events);
		}
		free_regs(l->graveyard);
		l->graveyard = NULL;
	}
	return 0;
}
