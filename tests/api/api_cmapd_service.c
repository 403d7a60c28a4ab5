/* API test of the daemon's cmap service through raw IPC (rawcmap.h):
 * every request with corosync's answers (services-reference §2.2-2.6),
 * the read-only rules, iteration, tracking events in order, the
 * per-connection limits, and what no library sends (the client is
 * dropped with a log line, the daemon and other clients unaffected). */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <corosync/corotypes.h>

#include "common/ipc_cmap.h"
#include "common/limits.h"
#include "daemon/cmap/cmap.h"
#include "daemon/icmap.h"
#include "harness.h"
#include "raw.h"
#include "rawcmap.h"

/* The configuration (written into the daemon's directory, where there
 * is no uidgid.d directory for the daemon to read next to it). */
static const char conf[] = "totem {\n\tversion: 2\n\tcluster_name: cmapd\n"
    "\ttoken: 1000\n}\n"
    "nodelist {\n\tnode {\n\t\tring0_addr: 127.0.0.1\n"
    "\t\tnodeid: 1\n\t}\n}\n"
    "quorum {\n\tprovider: corosync_votequorum\n"
    "\twait_for_all: 0\n}\n";

static void values(struct cmr *c)
{
	uint8_t u8 = 7, big[IPC_CMAP_VALUE_MAX + 1] = { 0 }, out[64];
	uint32_t u32 = 5, type, len;
	uint64_t u64 = 1ull << 40;
	char s[IPC_CMAP_VALUE_MAX + 2];

	CHECK_CS(cmr_set(c, "test.u8", ICMAP_UINT8, &u8, 1), CS_OK);
	CHECK_CS(cmr_set(c, "test.u64", ICMAP_UINT64, &u64, 8), CS_OK);
	CHECK_CS(cmr_get(c, "test.u64", true, sizeof(out), &type, out, &len),
	    CS_OK);
	CHECK(type == ICMAP_UINT64 && len == 8 && memcmp(out, &u64, 8) == 0);
	/* Only type and length asked. */
	CHECK_CS(cmr_get(c, "test.u8", false, 0, &type, out, &len), CS_OK);
	CHECK(type == ICMAP_UINT8 && len == 1);
	/* A value longer than the caller's room. */
	CHECK_CS(cmr_get(c, "test.u64", true, 7, &type, out, &len),
	    CS_ERR_INVALID_PARAM);
	CHECK_CS(cmr_get(c, "test.none", false, 0, &type, out, &len),
	    CS_ERR_NOT_EXIST);
	/* A 3-byte u32, a long binary, an unknown type. */
	CHECK_CS(cmr_set(c, "test.u32", ICMAP_UINT32, &u32, 3),
	    CS_ERR_INVALID_PARAM);
	CHECK_CS(cmr_set(c, "test.bin", ICMAP_BINARY, big, sizeof(big)),
	    CS_ERR_INVALID_PARAM);
	CHECK_CS(cmr_set(c, "test.bin", ICMAP_BINARY, big, sizeof(big) - 1),
	    CS_OK);
	CHECK_CS(cmr_set(c, "test.t13", 13, &u32, 4), CS_ERR_INVALID_PARAM);
	/* Strings: stored with a NUL; a length past strlen + 1 refused;
	 * 16383 characters fit, 16385 do not. */
	CHECK_CS(cmr_set(c, "test.str", ICMAP_STRING, "abc", 3), CS_OK);
	CHECK_CS(cmr_get(c, "test.str", true, sizeof(out), &type, out, &len),
	    CS_OK);
	CHECK(type == ICMAP_STRING && len == 4 && strcmp((char *)out,
	    "abc") == 0);
	CHECK_CS(cmr_set(c, "test.str", ICMAP_STRING, "ab\0c", 4),
	    CS_ERR_INVALID_PARAM);
	memset(s, 'x', sizeof(s));
	s[IPC_CMAP_VALUE_MAX - 1] = '\0';
	CHECK_CS(cmr_set(c, "test.long", ICMAP_STRING, s,
	    IPC_CMAP_VALUE_MAX - 1), CS_OK);
	CHECK_CS(cmr_set(c, "test.long", ICMAP_STRING, s,
	    IPC_CMAP_VALUE_MAX + 1), CS_ERR_INVALID_PARAM);
	/* Key names: checked when a key is created. */
	CHECK_CS(cmr_set(c, "ab", ICMAP_UINT8, &u8, 1), CS_ERR_NAME_TOO_LONG);
	CHECK_CS(cmr_set(c, "a b c", ICMAP_UINT8, &u8, 1),
	    CS_ERR_NAME_TOO_LONG);
	CHECK_CS(cmr_set(c, "", ICMAP_UINT8, &u8, 1), CS_ERR_NAME_TOO_LONG);
	/* Delete, then again. */
	CHECK_CS(cmr_delete(c, "test.u8"), CS_OK);
	CHECK_CS(cmr_delete(c, "test.u8"), CS_ERR_NOT_EXIST);
	/* Increment and decrement wrap in the key's width. */
	u8 = 255;
	CHECK_CS(cmr_set(c, "test.u8", ICMAP_UINT8, &u8, 1), CS_OK);
	CHECK_CS(cmr_adjust(c, "test.u8", 1), CS_OK);
	CHECK_CS(cmr_get(c, "test.u8", true, 1, &type, out, &len), CS_OK);
	CHECK(out[0] == 0);
	CHECK_CS(cmr_adjust(c, "test.u8", -1), CS_OK);
	CHECK_CS(cmr_get(c, "test.u8", true, 1, &type, out, &len), CS_OK);
	CHECK(out[0] == 255);
	CHECK_CS(cmr_adjust(c, "test.str", 1), CS_ERR_INVALID_PARAM);
	CHECK_CS(cmr_adjust(c, "test.none", 1), CS_ERR_NOT_EXIST);
}

/* Read-only keys: ACCESS before anything else is checked; the quorum
 * ones because votequorum is the provider. */
static void read_only(struct cmr *c)
{
	uint32_t u32 = 1, type, len;
	uint8_t u8 = 1, out[64];

	CHECK_CS(cmr_set(c, "nodelist.local_node_pos", ICMAP_UINT32, &u32, 4),
	    CS_ERR_ACCESS);
	CHECK_CS(cmr_set(c, "runtime.config.totem.token", ICMAP_UINT32, &u32,
	    4), CS_ERR_ACCESS);
	CHECK_CS(cmr_set(c, "totem.cluster_name", ICMAP_STRING, "x", 1),
	    CS_ERR_ACCESS);
	CHECK_CS(cmr_adjust(c, "totem.cluster_name", 1), CS_ERR_ACCESS);
	CHECK_CS(cmr_delete(c, "system.none"), CS_ERR_ACCESS);
	CHECK_CS(cmr_set(c, "uidgid.config.uid.5", ICMAP_UINT8, &u8, 1),
	    CS_ERR_ACCESS);
	CHECK_CS(cmr_set(c, "quorum.wait_for_all", ICMAP_UINT8, &u8, 1),
	    CS_ERR_ACCESS);
	/* Writable: totem.token, runtime.members, uidgid.uid. */
	CHECK_CS(cmr_set(c, "totem.token", ICMAP_UINT32, &u32, 4), CS_OK);
	CHECK_CS(cmr_set(c, "uidgid.uid.4242", ICMAP_UINT8, &u8, 1), CS_OK);
	CHECK_CS(cmr_delete(c, "uidgid.uid.4242"), CS_OK);
	CHECK_CS(cmr_get(c, "runtime.members.1.status", true, sizeof(out),
	    &type, out, &len), CS_OK);
	CHECK(type == ICMAP_STRING && strcmp((char *)out, "joined") == 0);
	CHECK_CS(cmr_get(c, "runtime.members.1.join_count", true, sizeof(out),
	    &type, out, &len), CS_OK);
	CHECK(type == ICMAP_UINT32 && len == 4 && out[0] == 1);
	CHECK_CS(cmr_get(c, "runtime.members.1.ip", true, sizeof(out),
	    &type, out, &len), CS_OK);
	CHECK(strcmp((char *)out, "r(0) ip(127.0.0.1) ") == 0);
	/* This node's version, from its own message (none in the file). */
	CHECK_CS(cmr_get(c, "runtime.members.1.config_version", true,
	    sizeof(out), &type, out, &len), CS_OK);
	CHECK(type == ICMAP_UINT64 && len == 8 && out[0] == 0);
}

static void iteration(struct cmr *c)
{
	static const char *const keys[] = { "it.b.10", "it.b.2", "it.a",
	    "it.b.1", "itx" };
	static const char *const want[] = { "it.a", "it.b.1", "it.b.10",
	    "it.b.2" };
	uint64_t iter, iters[CMAP_CONN_ITERS_MAX];
	uint32_t type, len, u32 = 1;
	char key[256];

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		CHECK_CS(cmr_set(c, keys[i], ICMAP_UINT32, &u32, 4), CS_OK);
	CHECK_CS(cmr_iter_init(c, "it.", &iter), CS_OK);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		CHECK_CS(cmr_iter_next(c, iter, key, &type, &len), CS_OK);
		CHECK(strcmp(key, want[i]) == 0 && type == ICMAP_UINT32 &&
		    len == 4);
		/* A key added behind the cursor is not seen, one ahead is. */
		if (i == 1) {
			CHECK_CS(cmr_set(c, "it.0", ICMAP_UINT32, &u32, 4),
			    CS_OK);
			CHECK_CS(cmr_delete(c, "it.b.10"), CS_OK);
			CHECK_CS(cmr_set(c, "it.b.10", ICMAP_UINT32, &u32, 4),
			    CS_OK);
		}
	}
	CHECK_CS(cmr_iter_next(c, iter, key, &type, &len), CS_ERR_NO_SECTIONS);
	CHECK_CS(cmr_iter_finalize(c, iter), CS_OK);
	CHECK_CS(cmr_iter_finalize(c, iter), CS_ERR_BAD_HANDLE);
	CHECK_CS(cmr_iter_next(c, iter, key, &type, &len), CS_ERR_BAD_HANDLE);
	/* A prefix that matches nothing: OK, then the end. */
	CHECK_CS(cmr_iter_init(c, "nothing.", &iter), CS_OK);
	CHECK_CS(cmr_iter_next(c, iter, key, &type, &len), CS_ERR_NO_SECTIONS);
	/* Map switch: refused while iterators are open, unknown map. */
	CHECK_CS(cmr_set_map(c, 1), CS_ERR_BUSY);
	CHECK_CS(cmr_iter_finalize(c, iter), CS_OK);
	CHECK_CS(cmr_set_map(c, 2), CS_ERR_NOT_EXIST);
	/* The per-connection limit. */
	for (size_t i = 0; i < CMAP_CONN_ITERS_MAX; i++)
		CHECK_CS(cmr_iter_init(c, "it.", &iters[i]), CS_OK);
	CHECK_CS(cmr_iter_init(c, "it.", &iter), CS_ERR_NO_RESOURCES);
	CHECK_CS(cmr_iter_finalize(c, iters[7]), CS_OK);
	CHECK_CS(cmr_iter_init(c, "it.", &iters[7]), CS_OK);
	CHECK(iters[7] != iter);
	for (size_t i = 0; i < CMAP_CONN_ITERS_MAX; i++)
		CHECK_CS(cmr_iter_finalize(c, iters[i]), CS_OK);
}

static void expect(struct cmr *c, uint64_t track, uint32_t event,
    const char *key, uint32_t new_type, uint32_t old_type)
{
	struct cmr_event *ev = malloc(sizeof(*ev));

	CHECK(ev != NULL);
	cmr_event(c, ev);
	if (ev->track != track || ev->cookie != 0x1234 || ev->event != event ||
	    strcmp(ev->key, key) != 0 || ev->new_type != new_type ||
	    ev->old_type != old_type) {
		fprintf(stderr, "event %u %s new %u old %u, want %u %s %u %u\n",
		    ev->event, ev->key, ev->new_type, ev->old_type, event, key,
		    new_type, old_type);
		harness_fail();
	}
	free(ev);
}

/* corosync's observed sequence: create, (identical: nothing), modify,
 * modify to another type, delete; a change by another client is told
 * as well; a deleted tracker hears nothing more. */
static void tracking(struct daemon_proc *d, struct cmr *c,
    struct cmr *other)
{
	uint32_t five = 5, six = 6;
	uint64_t t, t2, cookie, tracks[CMAP_CONN_TRACKS_MAX];

	CHECK_CS(cmr_track_add(c, "trk.", ICMAP_TRACK_ADD |
	    ICMAP_TRACK_MODIFY | ICMAP_TRACK_DELETE | ICMAP_TRACK_PREFIX,
	    0x1234, &t), CS_OK);
	CHECK_CS(cmr_set(other, "trk.x", ICMAP_UINT32, &five, 4), CS_OK);
	CHECK_CS(cmr_set(other, "trk.x", ICMAP_UINT32, &five, 4), CS_OK);
	CHECK_CS(cmr_set(c, "trk.x", ICMAP_UINT32, &six, 4), CS_OK);
	CHECK_CS(cmr_set(c, "trk.x", ICMAP_STRING, "abc", 4), CS_OK);
	CHECK_CS(cmr_delete(other, "trk.x"), CS_OK);
	expect(c, t, ICMAP_TRACK_ADD, "trk.x", ICMAP_UINT32, 0);
	expect(c, t, ICMAP_TRACK_MODIFY, "trk.x", ICMAP_UINT32, ICMAP_UINT32);
	expect(c, t, ICMAP_TRACK_MODIFY, "trk.x", ICMAP_STRING, ICMAP_UINT32);
	expect(c, t, ICMAP_TRACK_DELETE, "trk.x", 0, ICMAP_STRING);
	/* An exact tracker of a key that does not exist yet. */
	CHECK_CS(cmr_track_add(c, "trk.y", ICMAP_TRACK_ADD, 0x1234, &t2),
	    CS_OK);
	CHECK_CS(cmr_track_delete(c, t, &cookie), CS_OK);
	CHECK(cookie == 0x1234);
	CHECK_CS(cmr_track_delete(c, t, &cookie), CS_ERR_BAD_HANDLE);
	CHECK_CS(cmr_set(other, "trk.x", ICMAP_UINT32, &five, 4), CS_OK);
	CHECK_CS(cmr_set(other, "trk.y", ICMAP_UINT32, &five, 4), CS_OK);
	expect(c, t2, ICMAP_TRACK_ADD, "trk.y", ICMAP_UINT32, 0);
	CHECK_CS(cmr_track_delete(c, t2, &cookie), CS_OK);
	/* Bad flags; the per-connection limit. */
	CHECK_CS(cmr_track_add(c, "trk.", 16 | ICMAP_TRACK_ADD, 1, &t),
	    CS_ERR_INVALID_PARAM);
	for (size_t i = 0; i < CMAP_CONN_TRACKS_MAX; i++)
		CHECK_CS(cmr_track_add(c, "lim.", ICMAP_TRACK_ADD |
		    ICMAP_TRACK_PREFIX, i, &tracks[i]), CS_OK);
	CHECK_CS(cmr_track_add(c, "lim.", ICMAP_TRACK_ADD, 1, &t),
	    CS_ERR_NO_RESOURCES);
	CHECK(harness_log_lines(d, "refused a tracker") == 1);
	for (size_t i = 0; i < CMAP_CONN_TRACKS_MAX; i++)
		CHECK_CS(cmr_track_delete(c, tracks[i], &cookie), CS_OK);
}

/* What no library sends: each drops the client with a line in the log,
 * and the daemon goes on serving the others. */
static void malformed(struct daemon_proc *d, struct cmr *other)
{
	uint8_t b[600], out[8];
	struct wbuf wb;
	struct cmr c;
	uint32_t type, len;
	int before = harness_log_lines(d, "malformed cmap");

	/* A key longer than CMAP_KEYNAME_MAXLEN. */
	cmr_open(&c, false);
	wbuf_init(&wb, b, sizeof(b));
	wbuf_u32(&wb, 256);
	for (int i = 0; i < 256; i++)
		wbuf_u8(&wb, 'k');
	cmr_dropped(&c, CMAP_REQ_DELETE, b, wb.len);
	/* A NUL inside a key. */
	cmr_open(&c, false);
	wbuf_init(&wb, b, sizeof(b));
	wbuf_u32(&wb, 5);
	wbuf_copy(&wb, "abc\0d", 5);
	cmr_dropped(&c, CMAP_REQ_DELETE, b, wb.len);
	/* A value length that is not the bytes that follow. */
	cmr_open(&c, false);
	wbuf_init(&wb, b, sizeof(b));
	wbuf_u32(&wb, 3);
	wbuf_copy(&wb, "abc", 3);
	wbuf_u32(&wb, ICMAP_UINT32);
	wbuf_u32(&wb, 8);
	wbuf_u32(&wb, 1);
	cmr_dropped(&c, CMAP_REQ_SET, b, wb.len);
	/* A step other than +1 or -1. */
	cmr_open(&c, false);
	wbuf_init(&wb, b, sizeof(b));
	wbuf_u32(&wb, 3);
	wbuf_copy(&wb, "abc", 3);
	wbuf_u32(&wb, 2);
	cmr_dropped(&c, CMAP_REQ_ADJUST, b, wb.len);
	/* A truncated body, and trailing bytes. */
	cmr_open(&c, false);
	cmr_dropped(&c, CMAP_REQ_ITER_NEXT, b, 7);
	cmr_open(&c, false);
	cmr_dropped(&c, CMAP_REQ_SET_MAP, b, 5);
	CHECK(harness_log_lines(d, "malformed cmap") == before + 6);
	/* A request type in cmap's range that is none. */
	cmr_open(&c, false);
	cmr_dropped(&c, CMAP_REQ_TRACK_DELETE + 1, b, 8);
	/* The others go on. */
	CHECK_CS(cmr_get(other, "totem.cluster_name", false, 0, &type, out,
	    &len), CS_OK);
	CHECK(type == ICMAP_STRING && len == strlen("cmapd") + 1);
}

/* A client that never reads its events gets no more once its queue is
 * above the high watermark, and is dropped by the event-queue policy
 * when it has read nothing for a while; the one making the changes and
 * another tracker are not. */
static void slow_reader(struct daemon_proc *d, struct cmr *writer)
{
	static uint8_t blob[IPC_CMAP_VALUE_MAX];
	struct cmr slow, fast;
	uint64_t t, t2;
	int n = 0;

	cmr_open(&slow, true);
	cmr_open(&fast, true);
	CHECK_CS(cmr_track_add(&slow, "slow.", ICMAP_TRACK_MODIFY |
	    ICMAP_TRACK_PREFIX, 0x1234, &t), CS_OK);
	CHECK_CS(cmr_track_add(&fast, "slow.", ICMAP_TRACK_MODIFY |
	    ICMAP_TRACK_PREFIX, 0x1234, &t2), CS_OK);
	CHECK_CS(cmr_set(writer, "slow.x", ICMAP_BINARY, blob, sizeof(blob)),
	    CS_OK);
	/* Until the slow one's queue is well above the high watermark
	 * (events of two values each), or it is gone; the fast one reads
	 * every event. */
	while (n < 2 * (int)(COHORT_EVQ_HIGH / IPC_CMAP_VALUE_MAX)) {
		struct pollfd p = { .fd = slow.req, .events = POLLIN };

		blob[0] = (uint8_t)++n;
		blob[1] = (uint8_t)(n >> 8);
		CHECK_CS(cmr_set(writer, "slow.x", ICMAP_BINARY, blob,
		    sizeof(blob)), CS_OK);
		expect(&fast, t2, ICMAP_TRACK_MODIFY, "slow.x", ICMAP_BINARY,
		    ICMAP_BINARY);
		if (poll(&p, 1, 0) == 1)
			break;
	}
	raw_await_close(slow.req);
	slow.req = -1;
	CHECK(harness_log_lines(d, "stopped reading events") == 1);
	CHECK(harness_log_lines(d, "tracking events dropped") == 1);
	cmr_close(&slow);
	cmr_close(&fast);
}

int main(void)
{
	struct daemon_proc d;
	struct cmr c, other;

	harness_init();
	harness_start_conf(&d, conf);
	cmr_open(&c, true);
	cmr_open(&other, false);
	values(&c);
	read_only(&c);
	iteration(&c);
	tracking(&d, &c, &other);
	malformed(&d, &other);
	slow_reader(&d, &other);
	cmr_close(&c);
	cmr_close(&other);
	harness_stop(&d);
	return 0;
}
