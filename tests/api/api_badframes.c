/* API test: hostile bytes on the daemon's socket. Each bad connection is
 * dropped (the daemon closes it); a well-behaved client keeps sending and
 * receiving throughout, losing and reordering nothing. */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "harness.h"
#include "raw.h"

/* Sends `n` bytes then waits until the daemon closes the connection
 * (replies it sends first, such as a HELLO reply, are read and ignored). */
static void expect_dropped_ex(const void *bytes, size_t n, bool hello_first,
    bool half_close)
{
	int fd = raw_connect();

	if (hello_first)
		raw_hello(fd, false);
	if (n)
		(void)send(fd, bytes, n, MSG_NOSIGNAL);
	if (half_close)
		shutdown(fd, SHUT_WR);
	raw_await_close(fd);
}

static void expect_dropped(const void *bytes, size_t n, bool hello_first)
{
	expect_dropped_ex(bytes, n, hello_first, false);
}

static void good_traffic(cpg_handle_t h)
{
	harness_seq_traffic(h, 100);
}

int main(void)
{
	struct daemon_proc d;
	uint8_t buf[8192];
	cpg_handle_t h;

	harness_start(&d, NULL);
	h = harness_seq_open("survivor");
	good_traffic(h);

	srandom(42);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)random();
	expect_dropped(buf, sizeof(buf), false);          /* random bytes */
	good_traffic(h);
	raw_hdr(buf, 0x80000000u, IPC_HELLO, 0);           /* 2 GiB length */
	expect_dropped(buf, IPC_HDR_LEN, false);
	raw_hdr(buf, 8, IPC_HELLO, 0);                      /* below a header */
	expect_dropped(buf, IPC_HDR_LEN, false);
	raw_hdr(buf, IPC_HDR_LEN, IPC_HELLO, 1);            /* reserved flags */
	expect_dropped(buf, IPC_HDR_LEN, false);
	raw_hdr(buf, IPC_HDR_LEN, IPC_JOIN, 0);             /* not a HELLO */
	expect_dropped(buf, IPC_HDR_LEN, false);
	good_traffic(h);
	raw_hdr(buf, IPC_HDR_LEN, 999, 0);                  /* unknown type */
	expect_dropped(buf, IPC_HDR_LEN, true);
	raw_hdr(buf, 8000, IPC_JOIN, 0);                    /* oversized join */
	expect_dropped(buf, 8000, true);
	raw_hdr(buf, IPC_HDR_LEN + 3, IPC_JOIN, 0);         /* truncated body */
	expect_dropped(buf, IPC_HDR_LEN + 3, true);
	raw_hdr(buf, IPC_HDR_LEN + 12, IPC_ATTACH, 0);      /* unknown cookie */
	memset(buf + IPC_HDR_LEN, 0x11, 12);
	expect_dropped(buf, IPC_HDR_LEN + 12, false);
	raw_hdr(buf, IPC_HDR_LEN + 100, IPC_HELLO, 0);      /* closes mid-frame */
	expect_dropped_ex(buf, IPC_HDR_LEN + 10, false, true);
	raw_hdr(buf, IPC_HDR_LEN + 100, IPC_MCAST, 0);      /* same, after HELLO */
	expect_dropped_ex(buf, IPC_HDR_LEN + 10, true, true);
	good_traffic(h);
	/* Only a connection with events has a ring, and only it may send. */
	raw_hdr(buf, IPC_HDR_LEN, IPC_DOORBELL, 0);
	expect_dropped(buf, IPC_HDR_LEN, true);
	raw_hdr(buf, IPC_HDR_LEN + 8, IPC_MCAST, 0);
	memset(buf + IPC_HDR_LEN, 0, 8);
	expect_dropped(buf, IPC_HDR_LEN + 8, true);
	good_traffic(h);
	CHECK(harness_seq_delivered() == 500);
	CHECK_CS(cpg_finalize(h), CS_OK);
	harness_stop(&d);
	return 0;
}
