/* API test: cpg_mcast_joined: arguments, sizes up to 16 MiB delivered
 * whole and bit-exact, zero length, SAFE, order. */
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define ATOMIC_COROSYNC 1047552u
#define MAX (16u << 20)

static unsigned char *big;
static size_t big_ok, big_seen;
static volatile bool progress;

static void on_deliver(cpg_handle_t h, const struct cpg_name *g, uint32_t n,
    uint32_t pid, void *msg, size_t len)
{
	static uint32_t next_seq;

	(void)h; (void)g; (void)n; (void)pid;
	progress = true;
	if (len == 4) {   /* order test: 4-byte sequence numbers */
		uint32_t s;

		memcpy(&s, msg, 4);
		CHECK(s == next_seq);
		next_seq++;
		return;
	}
	big_seen++;
	if (len == 0 || (len >= 16 && memcmp(msg, big, len) == 0))
		big_ok++;
}

static bool joined;

static void on_confchg(cpg_handle_t h, const struct cpg_name *g,
    const struct cpg_address *m, size_t nm, const struct cpg_address *l,
    size_t nl, const struct cpg_address *j, size_t nj)
{
	joined = true;
}

/* Sends, retrying while flow control says so (TRY_AGAIN is the API's
 * "not now": the credit of earlier messages is on its way back). */
static cs_error_t send_retry(cpg_handle_t h, cpg_guarantee_t g,
    const struct iovec *iov, unsigned int n)
{
	cs_error_t rc;

	while ((rc = cpg_mcast_joined(h, g, iov, n)) == CS_ERR_TRY_AGAIN) {
		int fd;
		struct pollfd p = { .events = POLLIN };

		CHECK_CS(cpg_fd_get(h, &fd), CS_OK);
		p.fd = fd;
		(void)poll(&p, 1, 10);   /* let deliveries and credit arrive */
		CHECK_CS(cpg_dispatch(h, CS_DISPATCH_ALL), CS_OK);
	}
	return rc;
}

static void wait_big(cpg_handle_t h, size_t n)
{
	while (big_seen < n) {
		progress = false;
		harness_wait(h, &progress);
	}
}

int main(void)
{
	struct daemon_proc d;
	cpg_callbacks_t cb = { on_deliver, on_confchg };
	struct cpg_name g = harness_name("mcast");
	struct iovec iov[3], many[1024 + 1];
	cpg_handle_t h;

	harness_start(&d, NULL);
	big = malloc(MAX + 1);
	for (size_t i = 0; i <= MAX; i++)
		big[i] = (unsigned char)(i * 2654435761u >> 13);
	iov[0] = (struct iovec){ big, 1 };
	CHECK_CS(cpg_mcast_joined(0, CPG_TYPE_AGREED, iov, 1), CS_ERR_BAD_HANDLE);
	CHECK_CS(cpg_initialize(&h, &cb), CS_OK);
	CHECK_CS(cpg_mcast_joined(h, CPG_TYPE_AGREED, iov, 1), CS_ERR_NOT_EXIST);
	CHECK_CS(cpg_join(h, &g), CS_OK);
	harness_wait(h, &joined);
	CHECK_CS(cpg_mcast_joined(h, 4, iov, 1), CS_ERR_INVALID_PARAM);
	CHECK_CS(cpg_mcast_joined(h, CPG_TYPE_AGREED, NULL, 1),
	    CS_ERR_INVALID_PARAM);
	for (int i = 0; i <= 1024; i++)
		many[i] = (struct iovec){ big, 1 };
	CHECK_CS(cpg_mcast_joined(h, CPG_TYPE_AGREED, many,
	    1024 + 1), CS_ERR_INVALID_PARAM);
	iov[0] = (struct iovec){ big, MAX + 1 };
	CHECK_CS(cpg_mcast_joined(h, CPG_TYPE_AGREED, iov, 1), CS_ERR_TOO_BIG);
	iov[0] = (struct iovec){ big, MAX };
	iov[1] = (struct iovec){ big + MAX, 1 };
	CHECK_CS(cpg_mcast_joined(h, CPG_TYPE_AGREED, iov, 2), CS_ERR_TOO_BIG);

	/* Zero length, corosync's atomic size, 16 MiB in three pieces (the
	 * pieces rejoin in order), and SAFE. */
	CHECK_CS(send_retry(h, CPG_TYPE_AGREED, NULL, 0), CS_OK);
	iov[0] = (struct iovec){ big, ATOMIC_COROSYNC };
	CHECK_CS(send_retry(h, CPG_TYPE_FIFO, iov, 1), CS_OK);
	wait_big(h, 2);
	iov[0] = (struct iovec){ big, 10 };
	iov[1] = (struct iovec){ big + 10, MAX / 2 };
	iov[2] = (struct iovec){ big + 10 + MAX / 2, MAX / 2 - 10 };
	CHECK_CS(send_retry(h, CPG_TYPE_AGREED, iov, 3), CS_OK);
	wait_big(h, 3);
	iov[0] = (struct iovec){ big, 1000 };
	CHECK_CS(send_retry(h, CPG_TYPE_SAFE, iov, 1), CS_OK);
	CHECK_CS(send_retry(h, CPG_TYPE_UNORDERED, iov, 1), CS_OK);
	wait_big(h, 5);
	CHECK(big_ok == 5);
	/* Order: 20000 small messages, retrying on flow control. */
	for (uint32_t s = 0; s < 20000;) {
		struct iovec one = { &s, 4 };
		cs_error_t rc = cpg_mcast_joined(h, CPG_TYPE_AGREED, &one, 1);

		if (rc == CS_ERR_TRY_AGAIN) {
			CHECK_CS(cpg_dispatch(h, CS_DISPATCH_ALL), CS_OK);
			continue;
		}
		CHECK_CS(rc, CS_OK);
		s++;
	}
	CHECK_CS(cpg_finalize(h), CS_OK);
	free(big);
	harness_stop(&d);
	return 0;
}
