/* Unit tests: the decoders of the cfg, quorum and votequorum services'
 * requests and of the ordered messages of cfg, votequorum and cmap
 * (cfg/decode.c, quorum/decode.c, cmap/decode.c): each type's layout,
 * a body one byte short or long, the limits, unknown types. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "common/ipc_cfg.h"
#include "common/ipc_quorum.h"
#include "daemon/cfg/cfg_int.h"
#include "daemon/cmap/cmap_int.h"
#include "daemon/quorum/quorum_int.h"
#include "daemon/service.h"

static void cfg_requests(void **state)
{
	uint8_t b[8 + CFG_REASON_MAX + 1] = { 0 };
	struct cfg_req r;
	struct wbuf wb;

	wbuf_init(&wb, b, sizeof(b));
	wbuf_u32(&wb, 7);
	wbuf_u32(&wb, 1);
	assert_int_equal(cfg_req_decode(CFG_REQ_NODE_STATUS, b, 8, &r), 0);
	assert_int_equal(r.nodeid, 7);
	assert_int_equal(r.version, 1);
	assert_int_equal(cfg_req_decode(CFG_REQ_NODE_STATUS, b, 7, &r),
	    -EBADMSG);
	assert_int_equal(cfg_req_decode(CFG_REQ_NODE_STATUS, b, 9, &r),
	    -EBADMSG);
	assert_int_equal(cfg_req_decode(CFG_REQ_NODE_ADDRS, b, 4, &r), 0);
	assert_int_equal(r.nodeid, 7);
	assert_int_equal(cfg_req_decode(CFG_REQ_TRY_SHUTDOWN, b, 4, &r), 0);
	assert_int_equal(r.flags, 7);
	assert_int_equal(cfg_req_decode(CFG_REQ_TRACKSTART, b, 0, &r),
	    -EBADMSG);
	/* The requests without a body take none. */
	assert_int_equal(cfg_req_decode(CFG_REQ_RELOAD_CONFIG, b, 0, &r), 0);
	assert_int_equal(cfg_req_decode(CFG_REQ_LOCAL_GET, b, 1, &r),
	    -EBADMSG);
	assert_int_equal(cfg_req_decode(CFG_REQ_REOPEN_LOG_FILES + 1, b, 0,
	    &r), -EBADMSG);
	assert_int_equal(cfg_req_decode(CFG_EV_SHUTDOWN, b, 4, &r), -EBADMSG);

	/* KILL_NODE: the reason below CFG_REASON_MAX, inside the body. */
	wbuf_init(&wb, b, sizeof(b));
	wbuf_u32(&wb, 3);
	wbuf_u32(&wb, CFG_REASON_MAX - 1);
	assert_int_equal(cfg_req_decode(CFG_REQ_KILL_NODE, b,
	    8 + CFG_REASON_MAX - 1, &r), 0);
	assert_int_equal(r.nodeid, 3);
	assert_int_equal(r.reason_len, CFG_REASON_MAX - 1);
	assert_ptr_equal(r.reason, b + 8);
	assert_int_equal(cfg_req_decode(CFG_REQ_KILL_NODE, b,
	    8 + CFG_REASON_MAX - 2, &r), -EBADMSG);
	wbuf_init(&wb, b, sizeof(b));
	wbuf_u32(&wb, 3);
	wbuf_u32(&wb, CFG_REASON_MAX);
	assert_int_equal(cfg_req_decode(CFG_REQ_KILL_NODE, b,
	    8 + CFG_REASON_MAX, &r), -EBADMSG);
}

static void cfg_messages(void **state)
{
	uint8_t b[32];
	struct cfg_delivery d;
	struct wbuf wb;

	wbuf_init(&wb, b, sizeof(b));
	wbuf_u8(&wb, WIRE_TAG_CFG);
	wbuf_u8(&wb, CFG_MSG_KILL);
	wbuf_u32(&wb, 2);
	wbuf_u32(&wb, 3);
	wbuf_copy(&wb, "why", 3);
	assert_int_equal(cfg_delivery_decode(b, wb.len, &d), 0);
	assert_int_equal(d.kind, CFG_MSG_KILL);
	assert_int_equal(d.nodeid, 2);
	assert_int_equal(d.reason_len, 3);
	assert_memory_equal(d.reason, "why", 3);
	assert_int_equal(cfg_delivery_decode(b, wb.len - 1, &d), -EBADMSG);
	/* Bytes after the fields are ignored (a later version's). */
	assert_int_equal(cfg_delivery_decode(b, wb.len + 1, &d), 0);

	b[1] = CFG_MSG_RELOAD;
	assert_int_equal(cfg_delivery_decode(b, 10, &d), 0);
	assert_int_equal(d.kind, CFG_MSG_RELOAD);
	assert_int_equal(d.token, (uint64_t)3 << 32 | 2);
	assert_int_equal(cfg_delivery_decode(b, 9, &d), -EBADMSG);

	b[1] = CFG_MSG_SHUTDOWN;
	assert_int_equal(cfg_delivery_decode(b, 2, &d), 0);
	assert_int_equal(d.kind, CFG_MSG_SHUTDOWN);
	assert_int_equal(cfg_delivery_decode(b, 1, &d), -EBADMSG);
	b[1] = 9;
	assert_int_equal(cfg_delivery_decode(b, 2, &d), -ENOENT);
	assert_int_equal(d.kind, 9);
}

static void quorum_requests(void **state)
{
	uint8_t b[16] = { 5, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0 };
	struct vq_req r;
	uint32_t v;

	assert_int_equal(quorum_req_decode(QUORUM_REQ_GETTYPE, b, 4, &v), 0);
	assert_int_equal(v, 5);
	assert_int_equal(quorum_req_decode(QUORUM_REQ_TRACKSTART, b, 5, &v),
	    -EBADMSG);
	assert_int_equal(quorum_req_decode(QUORUM_REQ_GETQUORATE, b, 0, &v),
	    0);
	assert_int_equal(quorum_req_decode(QUORUM_REQ_TRACKSTOP, b, 4, &v),
	    -EBADMSG);
	assert_int_equal(quorum_req_decode(QUORUM_REQ_TRACKSTOP + 1, b, 0,
	    &v), -EBADMSG);

	assert_int_equal(vq_req_decode(VQ_REQ_SETVOTES, b, 8, &r), 0);
	assert_int_equal(r.a, 5);
	assert_int_equal(r.b, 1);
	assert_int_equal(vq_req_decode(VQ_REQ_SETVOTES, b, 7, &r), -EBADMSG);
	assert_int_equal(vq_req_decode(VQ_REQ_TRACKSTART, b, 12, &r), 0);
	assert_int_equal(r.context, (uint64_t)1 << 32 | 5);
	assert_int_equal(r.a, 2);
	assert_int_equal(vq_req_decode(VQ_REQ_GETINFO, b, 4, &r), 0);
	assert_int_equal(vq_req_decode(VQ_REQ_OPEN, b, 1, &r), -EBADMSG);
	/* The quorum device's requests, whatever their body: refused. */
	assert_int_equal(vq_req_decode(VQ_REQ_QDEVICE_REGISTER, b, 1, &r),
	    -ENOTSUP);
	assert_int_equal(vq_req_decode(VQ_REQ_QDEVICE_MASTER_WINS, b, 0, &r),
	    -ENOTSUP);
}

static void votequorum_messages(void **state)
{
	uint8_t b[VQ_WIRE_MAX];
	struct vq_msg m;
	struct wbuf wb;

	wbuf_init(&wb, b, sizeof(b));
	wbuf_u8(&wb, WIRE_TAG_VOTEQUORUM);
	wbuf_u8(&wb, VQ_WIRE_VERSION);
	wbuf_u8(&wb, VQ_MSG_NODEINFO);
	wbuf_u64(&wb, 9);
	wbuf_u32(&wb, 2);
	wbuf_u32(&wb, 1);
	wbuf_u32(&wb, 3);
	wbuf_u32(&wb, VQ_NF_QUORATE);
	assert_int_equal(vq_msg_decode(b, wb.len, &m), 0);
	assert_int_equal(m.type, VQ_MSG_NODEINFO);
	assert_int_equal(m.seq, 9);
	assert_int_equal(m.ni.nodeid, 2);
	assert_int_equal(m.ni.votes, 1);
	assert_int_equal(m.ni.expected, 3);
	assert_int_equal(m.ni.flags, VQ_NF_QUORATE);
	assert_int_equal(vq_msg_decode(b, wb.len - 1, &m), -EBADMSG);
	assert_int_equal(vq_msg_decode(b, wb.len + 1, &m), -EBADMSG);
	b[1] = VQ_WIRE_VERSION + 1;
	assert_int_equal(vq_msg_decode(b, wb.len, &m), -EBADMSG);

	wbuf_init(&wb, b, sizeof(b));
	wbuf_u8(&wb, WIRE_TAG_VOTEQUORUM);
	wbuf_u8(&wb, VQ_WIRE_VERSION);
	wbuf_u8(&wb, VQ_MSG_RECONFIG);
	wbuf_u8(&wb, VQ_RECONFIG_VOTES);
	wbuf_u32(&wb, 4);
	wbuf_u32(&wb, 2);
	assert_int_equal(vq_msg_decode(b, wb.len, &m), 0);
	assert_int_equal(m.param, VQ_RECONFIG_VOTES);
	assert_int_equal(m.nodeid, 4);
	assert_int_equal(m.value, 2);

	b[2] = VQ_MSG_LMS;
	assert_int_equal(vq_msg_decode(b, 11, &m), 0);
	assert_int_equal(m.type, VQ_MSG_LMS);
	assert_int_equal(vq_msg_decode(b, 12, &m), -EBADMSG);
	b[2] = VQ_MSG_LMS + 1;
	assert_int_equal(vq_msg_decode(b, 11, &m), -EBADMSG);
}

static void cmap_version_message(void **state)
{
	uint8_t b[CMAP_WIRE_LEN + 1] = { 0 };
	struct wbuf wb;
	uint8_t why;
	uint64_t v;

	wbuf_init(&wb, b, sizeof(b));
	wbuf_u8(&wb, WIRE_TAG_CMAP);
	wbuf_u8(&wb, CMAP_WIRE_VERSION);
	wbuf_u8(&wb, VERSION_CHANGED);
	wbuf_u64(&wb, 42);
	assert_int_equal(wb.len, CMAP_WIRE_LEN);
	assert_int_equal(cmap_version_decode(b, CMAP_WIRE_LEN, &why, &v), 0);
	assert_int_equal(why, VERSION_CHANGED);
	assert_int_equal(v, 42);
	assert_int_equal(cmap_version_decode(b, CMAP_WIRE_LEN - 1, &why, &v),
	    -EBADMSG);
	assert_int_equal(cmap_version_decode(b, CMAP_WIRE_LEN + 1, &why, &v),
	    -EBADMSG);
	b[2] = VERSION_CHANGED + 1;
	assert_int_equal(cmap_version_decode(b, CMAP_WIRE_LEN, &why, &v),
	    -EBADMSG);
	b[2] = VERSION_SYNC;
	b[1] = CMAP_WIRE_VERSION + 1;
	assert_int_equal(cmap_version_decode(b, CMAP_WIRE_LEN, &why, &v),
	    -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cfg_requests),
		cmocka_unit_test(cfg_messages),
		cmocka_unit_test(quorum_requests),
		cmocka_unit_test(votequorum_messages),
		cmocka_unit_test(cmap_version_message),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
