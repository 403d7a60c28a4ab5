/* Unit tests: the CPG service's messages (src/daemon/cpg/wire.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/cpg/wire.h"

static void proc_roundtrip(void **state)
{
	uint8_t buf[256];
	struct ipc_name n = { 4, "grp1" };
	struct cpg_wire w;
	struct wbuf wb;

	wbuf_init(&wb, buf, sizeof(buf));
	cpg_wire_put_proc(&wb, CPG_MSG_PROCLEAVE, &n, 1234, 5);
	assert_int_equal(cpg_wire_get(buf, wb.len, &w), 0);
	assert_int_equal(w.type, CPG_MSG_PROCLEAVE);
	assert_int_equal(w.pid, 1234);
	assert_int_equal(w.arg, 5);
	assert_int_equal(ipc_name_cmp(&w.name, &n), 0);
	/* Trailing bytes are malformed for PROCLEAVE, payload for MCAST. */
	buf[wb.len] = 0;
	assert_int_equal(cpg_wire_get(buf, wb.len + 1, &w), -EBADMSG);
	buf[1] = CPG_MSG_MCAST;
	assert_int_equal(cpg_wire_get(buf, wb.len + 1, &w), 0);
	assert_int_equal(w.len, 1);
}

static void rejects_garbage(void **state)
{
	uint8_t buf[64] = { CPG_WIRE_VERSION, CPG_MSG_PROCJOIN, 0, 0 };
	struct cpg_wire w;

	assert_int_equal(cpg_wire_get(buf, 3, &w), -EBADMSG);
	assert_int_equal(cpg_wire_get(buf, 4, &w), -EBADMSG);  /* no name */
	buf[0] = 9;
	assert_int_equal(cpg_wire_get(buf, sizeof(buf), &w), -EBADMSG);
	buf[0] = CPG_WIRE_VERSION;
	buf[1] = 99;
	assert_int_equal(cpg_wire_get(buf, sizeof(buf), &w), -EBADMSG);
	buf[1] = CPG_MSG_PROCJOIN;
	buf[2] = 1;   /* reserved */
	assert_int_equal(cpg_wire_get(buf, sizeof(buf), &w), -EBADMSG);
}

static void joinlist_entries(void **state)
{
	uint8_t buf[512];
	struct ipc_name a = { 1, "a" }, b = { 2, "bb" }, n;
	struct cpg_wire w;
	struct wbuf wb;
	struct rbuf rb;
	uint32_t pid;

	wbuf_init(&wb, buf, sizeof(buf));
	cpg_wire_put_hdr(&wb, CPG_MSG_JOINLIST);
	wbuf_u32(&wb, 1);
	wbuf_u64(&wb, 8);
	wbuf_u32(&wb, 2);
	ipc_name_put(&wb, &a);
	wbuf_u32(&wb, 10);
	ipc_name_put(&wb, &b);
	wbuf_u32(&wb, 20);
	assert_int_equal(cpg_wire_get(buf, wb.len, &w), 0);
	assert_int_equal(w.count, 2);
	assert_int_equal(w.ring_seq, 8);
	rbuf_init(&rb, w.data, w.len);
	assert_int_equal(cpg_wire_joinlist_next(&rb, &n, &pid), 0);
	assert_int_equal(pid, 10);
	assert_int_equal(cpg_wire_joinlist_next(&rb, &n, &pid), 0);
	assert_int_equal(ipc_name_cmp(&n, &b), 0);
	assert_int_equal(cpg_wire_joinlist_next(&rb, &n, &pid), -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(proc_roundtrip),
		cmocka_unit_test(rejects_garbage),
		cmocka_unit_test(joinlist_entries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
