/* API test: a sender's messages keep their order across the two ways they
 * reach the daemon: frames up to COHORT_IPC_RING_FRAME through the
 * shared-memory ring, larger ones on the socket (common/ipc_ring.h). A
 * pseudo-random mix of sizes on both sides of that limit, enough to wrap
 * the ring many times, is received whole and in send order by the sender
 * and by another member, the sender retrying on CS_ERR_TRY_AGAIN. */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/limits.h"
#include "harness.h"
#include "watch.h"

#define GROUP "order"
#define SENDS 3000
#define SENDS_SAN 1000         /* under ASan+UBSan (COHORT_SAN=1) */
#define WRAPS_MIN 4            /* times the ring-sized messages fill it */

/* Sizes by weight (percent): three that fit the ring's frames, two that
 * do not, mixed so that the way a message goes changes often. */
static const struct {
	size_t len;
	unsigned int weight;
} mix[] = {
	{ 64, 40 },
	{ 1 << 10, 30 },
	{ 100 << 10, 15 },
	{ 200 << 10, 10 },
	{ 1 << 20, 5 },
};

_Static_assert((100 << 10) < COHORT_IPC_RING_FRAME &&
    (200 << 10) > COHORT_IPC_RING_FRAME,
    "the mix has sizes on both sides of the ring's frame limit");

/* The length of message `seq`: a hash of the number picks from the mix,
 * the same pseudo-random pattern in every run. */
static size_t len_of(uint32_t seq)
{
	uint64_t z = seq * 0x9e3779b97f4a7c15ULL;
	unsigned int pick;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	pick = (unsigned int)((z ^ (z >> 31)) % 100);
	for (size_t i = 0; i < sizeof(mix) / sizeof(mix[0]); i++) {
		if (pick < mix[i].weight)
			return mix[i].len;
		pick -= mix[i].weight;
	}
	return mix[0].len;
}

/* The other member: receives everything, then leaves. */
static _Noreturn void receiver(uint32_t from, uint32_t n)
{
	struct watch w;
	cpg_handle_t h = watch_open(&w, GROUP, from);

	while (w.got < n)
		watch_next(h, &w);
	CHECK(w.got == n && w.bad == 0);
	CHECK_CS(cpg_finalize(h), CS_OK);
	_exit(0);
}

int main(void)
{
	uint32_t n = getenv("COHORT_SAN") ? SENDS_SAN : SENDS;
	struct watch self;
	uint64_t small_bytes = 0;    /* of messages the ring may take */
	struct daemon_proc d;
	int status, idle = 0;
	uint8_t *buf;
	cpg_handle_t h;
	pid_t other;

	harness_start(&d, NULL);
	buf = malloc(MSG_MAX);
	CHECK(buf);
	h = watch_open(&self, GROUP, (uint32_t)getpid());
	other = fork();
	CHECK(other >= 0);
	if (other == 0)
		receiver(self.pid, n);
	while (self.members < 2)
		watch_next(h, &self);
	for (uint32_t seq = 0; seq < n;) {
		size_t len = len_of(seq);

		if (!watch_send(h, &self, buf, seq, len, &idle))
			continue;
		if (len < COHORT_IPC_RING_FRAME)
			small_bytes += len;
		seq++;
	}
	/* Enough went the ring's way to go around it several times. */
	CHECK(small_bytes > WRAPS_MIN * (uint64_t)COHORT_IPC_RING);
	while (self.got < n)
		watch_next(h, &self);
	CHECK(self.got == n && self.bad == 0);
	while (self.members > 1)
		watch_next(h, &self);
	CHECK(waitpid(other, &status, 0) == other && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0);
	CHECK_CS(cpg_finalize(h), CS_OK);
	free(buf);
	harness_stop(&d);
	return 0;
}
