/*
 * watch.c: numbered messages and a member that watches one sender (see
 * watch.h).
 */
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "harness.h"
#include "watch.h"

/* Each message is a slice of one block of noise, starting at an offset
 * that moves by a prime with the number: neighbours differ everywhere. */
#define MSG_SLIDE 4099u

static uint8_t *msg_noise;   /* 2 x MSG_MAX bytes, made once */

static const uint8_t *msg_slice(uint32_t seq)
{
	if (!msg_noise) {
		uint64_t x = 0x9e3779b97f4a7c15ULL;

		msg_noise = malloc(2 * (size_t)MSG_MAX);
		CHECK(msg_noise);
		for (size_t i = 0; i < 2 * (size_t)MSG_MAX; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			msg_noise[i] = (uint8_t)(x >> 32);
		}
	}
	return msg_noise + (size_t)seq * MSG_SLIDE % MSG_MAX;
}

void msg_fill(void *buf, uint32_t seq, size_t len)
{
	uint8_t *b = buf;

	CHECK(len >= MSG_MIN && len <= MSG_MAX);
	put_u32(b, seq);
	put_u32(b + 4, (uint32_t)len);
	memcpy(b + MSG_MIN, msg_slice(seq), len - MSG_MIN);
}

bool msg_ok(const void *msg, size_t len, uint32_t seq)
{
	const uint8_t *b = msg;

	return len >= MSG_MIN && len <= MSG_MAX && get_u32(b) == seq &&
	    get_u32(b + 4) == len &&
	    memcmp(b + MSG_MIN, msg_slice(seq), len - MSG_MIN) == 0;
}

static void on_deliver(cpg_handle_t h, const struct cpg_name *g,
    uint32_t nodeid, uint32_t pid, void *msg, size_t len)
{
	struct watch *w;

	CHECK_CS(cpg_context_get(h, (void **)&w), CS_OK);
	if (pid == w->pid) {
		w->late += w->left;
		w->bad += !msg_ok(msg, len, w->got);
		w->got++;
	}
	w->changed = true;
}

static void on_confchg(cpg_handle_t h, const struct cpg_name *g,
    const struct cpg_address *m, size_t nm, const struct cpg_address *l,
    size_t nl, const struct cpg_address *j, size_t nj)
{
	struct watch *w;

	CHECK_CS(cpg_context_get(h, (void **)&w), CS_OK);
	w->members = (uint32_t)nm;
	w->in = w->self_in = false;
	for (size_t i = 0; i < nm; i++) {
		w->in |= m[i].pid == w->pid;
		w->self_in |= m[i].pid == (uint32_t)getpid();
	}
	for (size_t i = 0; i < nl; i++)
		if (l[i].pid == w->pid) {
			w->left = true;
			w->left_reason = l[i].reason;
		}
	w->changed = true;
}

cpg_handle_t watch_open(struct watch *w, const char *group, uint32_t pid)
{
	cpg_callbacks_t cb = { on_deliver, on_confchg };
	struct cpg_name g = harness_name(group);
	cpg_handle_t h;

	*w = (struct watch){ .pid = pid };
	CHECK_CS(cpg_initialize(&h, &cb), CS_OK);
	CHECK_CS(cpg_context_set(h, w), CS_OK);
	CHECK_CS(cpg_join(h, &g), CS_OK);
	while (!w->self_in)
		watch_next(h, w);
	return h;
}

void watch_reset(struct watch *w, uint32_t pid)
{
	*w = (struct watch){ .pid = pid, .members = w->members,
	    .self_in = w->self_in };
}

void watch_next(cpg_handle_t h, struct watch *w)
{
	w->changed = false;
	harness_wait(h, &w->changed);
}

void watch_let_progress(cpg_handle_t h, struct watch *w, int *idle_ms)
{
	struct pollfd p = { .events = POLLIN };
	uint32_t before = w->got;

	CHECK_CS(cpg_fd_get(h, &p.fd), CS_OK);
	(void)poll(&p, 1, WATCH_RETRY_MS);
	CHECK_CS(cpg_dispatch(h, CS_DISPATCH_ALL), CS_OK);
	*idle_ms = w->got == before ? *idle_ms + WATCH_RETRY_MS : 0;
	CHECK(*idle_ms < WAIT_MS);
}

bool watch_send(cpg_handle_t h, struct watch *w, void *buf, uint32_t seq,
    size_t len, int *idle_ms)
{
	struct iovec iov = { buf, len };
	cs_error_t rc;

	msg_fill(buf, seq, len);
	rc = cpg_mcast_joined(h, CPG_TYPE_AGREED, &iov, 1);
	if (rc == CS_ERR_TRY_AGAIN) {
		watch_let_progress(h, w, idle_ms);
		return false;
	}
	CHECK_CS(rc, CS_OK);
	return true;
}
