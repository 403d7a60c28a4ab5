/* API test: hostile bytes on the daemon's socket. Each bad connection is
 * dropped (the daemon closes it); a well-behaved client keeps sending and
 * receiving throughout, losing and reordering nothing. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/ipc.h"
#include "harness.h"

static int raw_connect(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s",
	    getenv("COHORT_SOCKET"));
	CHECK(connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0);
	return fd;
}

static size_t frame(uint8_t *buf, uint32_t len, uint16_t type, uint16_t flags)
{
	put_u32(buf, len);
	buf[4] = (uint8_t)type;
	buf[5] = (uint8_t)(type >> 8);
	buf[6] = (uint8_t)flags;
	buf[7] = (uint8_t)(flags >> 8);
	memset(buf + 8, 0, 8);
	return IPC_HDR_LEN;
}

/* Sends `n` bytes then waits until the daemon closes the connection
 * (replies it sends first, such as a HELLO reply, are read and ignored). */
static void expect_dropped_ex(const void *bytes, size_t n, bool hello_first,
    bool half_close)
{
	int fd = raw_connect();
	uint8_t buf[4096];

	if (hello_first) {
		uint8_t h[IPC_HDR_LEN + 12];
		struct wbuf wb;

		wbuf_init(&wb, h, sizeof(h));
		ipc_hdr_put(&wb, IPC_HELLO, 1, 0);
		wbuf_u32(&wb, IPC_VERSION);
		wbuf_u32(&wb, (uint32_t)getpid());
		wbuf_u32(&wb, 0);
		ipc_hdr_finish(&wb);
		CHECK(send(fd, h, wb.len, MSG_NOSIGNAL) == (ssize_t)wb.len);
	}
	if (n)
		(void)send(fd, bytes, n, MSG_NOSIGNAL);
	if (half_close)
		shutdown(fd, SHUT_WR);
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t r;

		CHECK(poll(&p, 1, WAIT_MS) == 1);
		r = recv(fd, buf, sizeof(buf), 0);
		if (r == 0 || (r < 0 && errno == ECONNRESET))
			break;
		CHECK(r > 0);
	}
	close(fd);
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
	frame(buf, 0x80000000u, IPC_HELLO, 0);             /* 2 GiB length */
	expect_dropped(buf, IPC_HDR_LEN, false);
	frame(buf, 8, IPC_HELLO, 0);                        /* below a header */
	expect_dropped(buf, IPC_HDR_LEN, false);
	frame(buf, IPC_HDR_LEN, IPC_HELLO, 1);              /* reserved flags */
	expect_dropped(buf, IPC_HDR_LEN, false);
	frame(buf, IPC_HDR_LEN, IPC_JOIN, 0);               /* not a HELLO */
	expect_dropped(buf, IPC_HDR_LEN, false);
	good_traffic(h);
	frame(buf, IPC_HDR_LEN, 999, 0);                    /* unknown type */
	expect_dropped(buf, IPC_HDR_LEN, true);
	frame(buf, 8000, IPC_JOIN, 0);                      /* oversized join */
	expect_dropped(buf, 8000, true);
	frame(buf, IPC_HDR_LEN + 3, IPC_JOIN, 0);           /* truncated body */
	expect_dropped(buf, IPC_HDR_LEN + 3, true);
	frame(buf, IPC_HDR_LEN + 12, IPC_ATTACH, 0);        /* unknown cookie */
	memset(buf + IPC_HDR_LEN, 0x11, 12);
	expect_dropped(buf, IPC_HDR_LEN + 12, false);
	frame(buf, IPC_HDR_LEN + 100, IPC_HELLO, 0);        /* closes mid-frame */
	expect_dropped_ex(buf, IPC_HDR_LEN + 10, false, true);
	frame(buf, IPC_HDR_LEN + 100, IPC_MCAST, 0);        /* same, after HELLO */
	expect_dropped_ex(buf, IPC_HDR_LEN + 10, true, true);
	good_traffic(h);
	CHECK(harness_seq_delivered() == 400);
	CHECK_CS(cpg_finalize(h), CS_OK);
	harness_stop(&d);
	return 0;
}
