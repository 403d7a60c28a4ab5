/*
 * loop.h: a small reactor: epoll for descriptors, a list of timers, a
 * before-sleep hook for batched flushes. One thread; callbacks run to
 * completion.
 */
#ifndef COHORT_LOOP_H
#define COHORT_LOOP_H

#include <stdbool.h>
#include <stdint.h>

struct loop;

typedef void (*loop_fd_fn)(void *arg, int fd, uint32_t events);
typedef void (*loop_fn)(void *arg);

/* A timer is plain data owned by its user; arm and disarm it freely. */
struct loop_timer {
	uint64_t when_ms;          /* monotonic deadline */
	bool armed;
	loop_fn fn;
	void *arg;
	struct loop_timer *next;   /* the loop's list; do not touch */
};

int loop_new(struct loop **out);
void loop_free(struct loop *l);

struct loop_reg;

/* Registers `fd` for epoll `events` (EPOLLIN, EPOLLOUT, ...); `arg` is
 * passed back. The returned registration names it for mod and del. */
int loop_add_fd(struct loop *l, int fd, uint32_t events, loop_fd_fn fn,
    void *arg, struct loop_reg **out);
int loop_mod_fd(struct loop *l, struct loop_reg *r, uint32_t events);
/* Unregisters; `r` is invalid afterwards. The descriptor is not closed. */
void loop_del_fd(struct loop *l, struct loop_reg *r);

void loop_timer_arm(struct loop *l, struct loop_timer *t, uint64_t when_ms);
void loop_timer_disarm(struct loop *l, struct loop_timer *t);

void loop_set_before_sleep(struct loop *l, loop_fn fn, void *arg);

/* Monotonic milliseconds, cached per wake-up (refresh with loop_update). */
uint64_t loop_now(const struct loop *l);
uint64_t loop_update(struct loop *l);

/* Runs until loop_stop(); returns 0 or a negative errno. */
int loop_run(struct loop *l);
void loop_stop(struct loop *l);
/* The coming wait for events does not sleep: called from before_sleep
 * by work that must be looked at again at once. */
void loop_no_sleep(struct loop *l);

#endif /* COHORT_LOOP_H */
