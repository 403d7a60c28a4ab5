/* Unit tests: IPC frame header, names, and event encoders and decoders
 * (src/common). */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/ipc.h"

static void hdr_roundtrip(void **state)
{
	uint8_t buf[64];
	struct wbuf wb;
	struct ipc_hdr h;

	wbuf_init(&wb, buf, sizeof(buf));
	ipc_hdr_put(&wb, IPC_JOIN, 77, 5);
	wbuf_u32(&wb, 0xdeadbeef);
	ipc_hdr_finish(&wb);
	assert_int_equal(ipc_hdr_get(buf, &h), 0);
	assert_int_equal(h.len, IPC_HDR_LEN + 4);
	assert_int_equal(h.type, IPC_JOIN);
	assert_int_equal(h.seq, 77);
	assert_int_equal(h.error, 5);
}

static void hdr_rejects_bad_lengths_and_flags(void **state)
{
	uint8_t buf[IPC_HDR_LEN] = { 0 };
	struct ipc_hdr h;

	put_u32(buf, IPC_HDR_LEN - 1);
	assert_int_equal(ipc_hdr_get(buf, &h), -EBADMSG);
	put_u32(buf, COHORT_FRAME_MAX + 1);
	assert_int_equal(ipc_hdr_get(buf, &h), -EBADMSG);
	put_u32(buf, 0x80000000u);   /* a 2 GiB length */
	assert_int_equal(ipc_hdr_get(buf, &h), -EBADMSG);
	put_u32(buf, IPC_HDR_LEN);
	buf[6] = 1;                  /* reserved flags */
	assert_int_equal(ipc_hdr_get(buf, &h), -EBADMSG);
	buf[6] = 0;
	assert_int_equal(ipc_hdr_get(buf, &h), 0);
}

static void name_roundtrip_and_limits(void **state)
{
	uint8_t buf[256];
	struct ipc_name a = { 3, "abc" }, b;
	struct wbuf wb;
	struct rbuf rb;

	wbuf_init(&wb, buf, sizeof(buf));
	ipc_name_put(&wb, &a);
	rbuf_init(&rb, buf, wb.len);
	ipc_name_get(&rb, &b);
	assert_false(rb.err);
	assert_int_equal(ipc_name_cmp(&a, &b), 0);
	/* A length above 128 is malformed, whatever follows. */
	put_u32(buf, IPC_NAME_MAX + 1);
	rbuf_init(&rb, buf, sizeof(buf));
	ipc_name_get(&rb, &b);
	assert_true(rb.err);
	/* Truncated. */
	put_u32(buf, 10);
	rbuf_init(&rb, buf, 8);
	ipc_name_get(&rb, &b);
	assert_true(rb.err);
}

static void name_order(void **state)
{
	struct ipc_name s = { 1, "z" }, l = { 2, "aa" }, l2 = { 2, "ab" };

	assert_true(ipc_name_cmp(&s, &l) < 0);   /* shorter first */
	assert_true(ipc_name_cmp(&l, &l2) < 0);
	assert_int_equal(ipc_name_cmp(&l2, &l2), 0);
}

static void confchg_decode(void **state)
{
	uint8_t buf[512];
	struct ipc_name g = { 1, "g" };
	struct ipc_ev_confchg ev;
	struct ipc_member m;
	struct wbuf wb;
	struct rbuf rb;

	wbuf_init(&wb, buf, sizeof(buf));
	ipc_name_put(&wb, &g);
	wbuf_u32(&wb, 1);
	wbuf_u32(&wb, 0);
	wbuf_u32(&wb, 1);
	for (int i = 0; i < 2; i++) {
		wbuf_u32(&wb, 1);
		wbuf_u32(&wb, 42);
		wbuf_u32(&wb, i);
	}
	rbuf_init(&rb, buf, wb.len);
	assert_int_equal(ipc_ev_confchg_get(&rb, &ev), 0);
	assert_int_equal(ev.n_members, 1);
	ipc_member_at(ev.entries, 1, &m);
	assert_int_equal(m.pid, 42);
	assert_int_equal(m.reason, 1);
	/* Counts that promise more entries than there are. */
	rbuf_init(&rb, buf, wb.len - 1);
	assert_int_equal(ipc_ev_confchg_get(&rb, &ev), -EBADMSG);
	put_u32(buf + 5, 0xffffffffu);
	rbuf_init(&rb, buf, wb.len);
	assert_int_equal(ipc_ev_confchg_get(&rb, &ev), -EBADMSG);
}

static void deliver_and_totem_decode(void **state)
{
	uint8_t buf[256];
	struct ipc_name g = { 2, "gg" };
	struct ipc_ev_deliver d;
	struct ipc_ev_totem t;
	struct wbuf wb;
	struct rbuf rb;

	wbuf_init(&wb, buf, sizeof(buf));
	ipc_name_put(&wb, &g);
	wbuf_u32(&wb, 3);
	wbuf_u32(&wb, 99);
	wbuf_u32(&wb, 2);
	wbuf_copy(&wb, "hello", 5);
	rbuf_init(&rb, buf, wb.len);
	assert_int_equal(ipc_ev_deliver_get(&rb, &d), 0);
	assert_int_equal(d.len, 5);
	assert_memory_equal(d.data, "hello", 5);
	assert_int_equal(d.nodeid, 3);

	wbuf_init(&wb, buf, sizeof(buf));
	wbuf_u32(&wb, 1);
	wbuf_u64(&wb, 0x11);
	wbuf_u32(&wb, 2);
	wbuf_u32(&wb, 1);
	wbuf_u32(&wb, 2);
	rbuf_init(&rb, buf, wb.len);
	assert_int_equal(ipc_ev_totem_get(&rb, &t), 0);
	assert_int_equal(t.seq, 0x11);
	assert_int_equal(t.n, 2);
	rbuf_init(&rb, buf, wb.len + 1);
	assert_int_equal(ipc_ev_totem_get(&rb, &t), -EBADMSG);
}

/* Each encoder writes a whole frame its decoder takes back, in the size
 * its IPC_EV_*_LEN gives. */
static void events_roundtrip(void **state)
{
	static const uint32_t nodes[3] = { 4, 5, 6 };
	uint8_t buf[IPC_EV_CONFCHG_LEN(3)];
	struct ipc_name g = { 3, "grp" };
	struct ipc_ev_confchg cc;
	struct ipc_ev_deliver d;
	struct ipc_ev_totem t;
	struct ipc_member m;
	struct ipc_hdr h;
	struct wbuf wb;
	struct rbuf rb;

	assert_true(sizeof(buf) >= IPC_EV_DELIVER_LEN(5) &&
	    sizeof(buf) >= IPC_EV_TOTEM_LEN(3));
	wbuf_init(&wb, buf, sizeof(buf));
	ipc_ev_confchg_put(&wb, &g, 2, 1, 0);
	ipc_member_put(&wb, 1, 10, 0);
	ipc_member_put(&wb, 2, 20, 0);
	ipc_member_put(&wb, 3, 30, 3);
	ipc_hdr_finish(&wb);
	assert_false(wb.err);
	assert_int_equal(ipc_hdr_get(buf, &h), 0);
	assert_int_equal(h.type, IPC_EV_CONFCHG);
	assert_int_equal(h.len, wb.len);
	rbuf_init(&rb, buf + IPC_HDR_LEN, h.len - IPC_HDR_LEN);
	assert_int_equal(ipc_ev_confchg_get(&rb, &cc), 0);
	assert_int_equal(ipc_name_cmp(&cc.group, &g), 0);
	assert_int_equal(cc.n_members, 2);
	assert_int_equal(cc.n_left, 1);
	ipc_member_at(cc.entries, 2, &m);
	assert_int_equal(m.nodeid, 3);
	assert_int_equal(m.pid, 30);
	assert_int_equal(m.reason, 3);

	wbuf_init(&wb, buf, IPC_EV_DELIVER_LEN(5));
	ipc_ev_deliver_put(&wb, &g, 7, 70, 2, "hello", 5);
	assert_false(wb.err);
	assert_int_equal(ipc_hdr_get(buf, &h), 0);
	assert_int_equal(h.type, IPC_EV_DELIVER);
	rbuf_init(&rb, buf + IPC_HDR_LEN, h.len - IPC_HDR_LEN);
	assert_int_equal(ipc_ev_deliver_get(&rb, &d), 0);
	assert_int_equal(d.nodeid, 7);
	assert_int_equal(d.pid, 70);
	assert_int_equal(d.guarantee, 2);
	assert_int_equal(d.len, 5);
	assert_memory_equal(d.data, "hello", 5);

	/* The head alone, its payload written after it (the daemon sends
	 * the two pieces with one writev): the same bytes. */
	{
		uint8_t two[IPC_EV_DELIVER_LEN(5)];

		wbuf_init(&wb, two, sizeof(two));
		ipc_ev_deliver_head_put(&wb, &g, 7, 70, 2, 5);
		assert_false(wb.err);
		assert_int_equal(wb.len + 5, h.len);
		memcpy(two + wb.len, "hello", 5);
		assert_memory_equal(two, buf, h.len);
	}

	wbuf_init(&wb, buf, IPC_EV_TOTEM_LEN(3));
	ipc_ev_totem_put(&wb, 4, 0x1234, nodes, 3);
	assert_false(wb.err);
	assert_int_equal(wb.len, IPC_EV_TOTEM_LEN(3));
	assert_int_equal(ipc_hdr_get(buf, &h), 0);
	assert_int_equal(h.type, IPC_EV_TOTEM);
	rbuf_init(&rb, buf + IPC_HDR_LEN, h.len - IPC_HDR_LEN);
	assert_int_equal(ipc_ev_totem_get(&rb, &t), 0);
	assert_int_equal(t.rep, 4);
	assert_int_equal(t.seq, 0x1234);
	assert_int_equal(t.n, 3);
	assert_int_equal(get_u32(t.nodes + 8), 6);
}

static void readers_are_sticky(void **state)
{
	uint8_t b[3] = { 1, 2, 3 };
	struct rbuf rb;

	rbuf_init(&rb, b, sizeof(b));
	assert_int_equal(rbuf_u16(&rb), 0x0201);
	assert_int_equal(rbuf_u32(&rb), 0);
	assert_true(rb.err);
	assert_int_equal(rbuf_u8(&rb), 0);   /* still failing */
}

/* Descriptors open in this process. */
static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* Receives one byte from `fd` with room for `room` descriptors and
 * returns the one ipc_passed_fd keeps. */
static int recv_passed(int fd, size_t room)
{
	uint8_t byte, ctl[CMSG_SPACE(sizeof(int) * 4)];
	struct iovec iov = { &byte, 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl, .msg_controllen = CMSG_SPACE(sizeof(int) * room),
	};

	assert_int_equal(recvmsg(fd, &mh, MSG_CMSG_CLOEXEC), 1);
	return ipc_passed_fd(&mh);
}

/* A descriptor passed with ipc_pass_fd arrives as the same file; of
 * several passed at once the first is kept and the others closed; none
 * passed is -1. */
static void pass_descriptors(void **state)
{
	union ipc_pass_ctl ctl;
	struct iovec iov = { "x", 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct stat a, b;
	int sv[2], p[2], got, before;
	uint8_t two[CMSG_SPACE(sizeof(int) * 2)] = { 0 };
	struct cmsghdr *cm;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(pipe(p), 0);
	ipc_pass_fd(&mh, &ctl, p[0]);
	assert_int_equal(sendmsg(sv[0], &mh, 0), 1);
	got = recv_passed(sv[1], 1);
	assert_true(got >= 0 && got != p[0]);
	assert_int_equal(fstat(got, &a), 0);
	assert_int_equal(fstat(p[0], &b), 0);
	assert_true(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	close(got);

	mh.msg_control = two;
	mh.msg_controllen = sizeof(two);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int) * 2);
	memcpy(CMSG_DATA(cm), p, sizeof(p));
	assert_int_equal(sendmsg(sv[0], &mh, 0), 1);
	before = open_fds();
	got = recv_passed(sv[1], 4);
	assert_true(got >= 0);
	assert_int_equal(open_fds(), before + 1);   /* the second is closed */
	close(got);

	mh.msg_control = NULL;
	mh.msg_controllen = 0;
	assert_int_equal(sendmsg(sv[0], &mh, 0), 1);
	assert_int_equal(recv_passed(sv[1], 1), -1);
	close(sv[0]);
	close(sv[1]);
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hdr_roundtrip),
		cmocka_unit_test(hdr_rejects_bad_lengths_and_flags),
		cmocka_unit_test(name_roundtrip_and_limits),
		cmocka_unit_test(name_order),
		cmocka_unit_test(confchg_decode),
		cmocka_unit_test(deliver_and_totem_decode),
		cmocka_unit_test(events_roundtrip),
		cmocka_unit_test(readers_are_sticky),
		cmocka_unit_test(pass_descriptors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
