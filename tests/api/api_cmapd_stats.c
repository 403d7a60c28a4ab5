/* API test of the STATS map through raw IPC (rawcmap.h): its keys and
 * types, the write rules (only stats.clear.* may be set, and only its
 * known names), the clear actions, prefix tracking of connections coming
 * and going, and an exact tracker told by the poll. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <corosync/corotypes.h>

#include "daemon/icmap.h"
#include "harness.h"
#include "rawcmap.h"

/* The u64 `key` of the STATS map. */
static uint64_t get_u64(struct cmr *c, const char *key)
{
	uint32_t type, len;
	uint64_t v;

	CHECK_CS(cmr_get(c, key, true, sizeof(v), &type, &v, &len), CS_OK);
	CHECK(type == ICMAP_UINT64 && len == sizeof(v));
	return v;
}

/* Whether iterating `prefix` finds `key` with this type and length. */
static bool listed(struct cmr *c, const char *prefix, const char *key,
    uint32_t want_type, uint32_t want_len)
{
	char k[256];
	uint32_t type, len;
	uint64_t it;
	bool found = false;

	CHECK_CS(cmr_iter_init(c, prefix, &it), CS_OK);
	while (cmr_iter_next(c, it, k, &type, &len) == CS_OK)
		if (strcmp(k, key) == 0)
			found = type == want_type && len == want_len;
	CHECK_CS(cmr_iter_finalize(c, it), CS_OK);
	return found;
}

static void keys(struct cmr *c, uint32_t id)
{
	char key[256], name[32];
	uint32_t type, len;

	CHECK(listed(c, "stats.srp.", "stats.srp.mcast_tx", ICMAP_UINT64, 8));
	CHECK(listed(c, "stats.srp.", "stats.srp.operational_entered",
	    ICMAP_UINT64, 8));
	CHECK(listed(c, "stats.pg.", "stats.pg.msg_queue_avail", ICMAP_UINT32,
	    4));
	CHECK(listed(c, "stats.ipcs.", "stats.ipcs.global.active",
	    ICMAP_UINT64, 8));
	CHECK(listed(c, "", "stats.knet.node1.link0.connected", ICMAP_UINT8,
	    1));
	CHECK(get_u64(c, "stats.ipcs.global.active") >= 1);
	/* This connection's own keys (service 0, cmap); a string's length
	 * is told by get only. */
	snprintf(key, sizeof(key), "stats.ipcs.service0.%d.%" PRIu32
	    ".procname", (int)getpid(), id);
	CHECK(listed(c, "stats.ipcs.service0.", key, ICMAP_STRING, 0));
	CHECK_CS(cmr_get(c, key, true, sizeof(name), &type, name, &len),
	    CS_OK);
	CHECK(type == ICMAP_STRING && strcmp(name, "api_cmapd_stats") == 0 &&
	    len == strlen(name) + 1);
	snprintf(key, sizeof(key), "stats.ipcs.service0.%d.%" PRIu32
	    ".requests", (int)getpid(), id);
	CHECK(get_u64(c, key) > 5);
}

/* A CPG client's keys are under corosync's number of CPG, 2. */
static void cpg_client(struct cmr *c)
{
	char prefix[64], k[256];
	cpg_handle_t h;
	unsigned int nodeid;
	uint32_t type, len;
	uint64_t it;

	CHECK_CS(cpg_initialize(&h, NULL), CS_OK);
	CHECK_CS(cpg_local_get(h, &nodeid), CS_OK);
	snprintf(prefix, sizeof(prefix), "stats.ipcs.service2.%d.",
	    (int)getpid());
	CHECK_CS(cmr_iter_init(c, prefix, &it), CS_OK);
	CHECK_CS(cmr_iter_next(c, it, k, &type, &len), CS_OK);
	CHECK(strstr(k, ".dispatched") != NULL);
	CHECK_CS(cmr_iter_finalize(c, it), CS_OK);
	CHECK_CS(cpg_finalize(h), CS_OK);
}

static void writes(struct cmr *c, uint32_t id)
{
	uint32_t u32 = 1;
	char key[256];

	CHECK_CS(cmr_set(c, "stats.srp.mcast_tx", ICMAP_UINT32, &u32, 4),
	    CS_ERR_ACCESS);
	CHECK_CS(cmr_delete(c, "stats.srp.mcast_tx"), CS_ERR_ACCESS);
	CHECK_CS(cmr_adjust(c, "stats.srp.mcast_tx", 1), CS_ERR_ACCESS);
	CHECK_CS(cmr_set(c, "stats.clear.foo", ICMAP_UINT32, &u32, 4),
	    CS_ERR_NOT_SUPPORTED);
	CHECK_CS(cmr_delete(c, "stats.clear.all"), CS_ERR_NOT_SUPPORTED);
	CHECK_CS(cmr_adjust(c, "stats.clear.all", 1), CS_ERR_NOT_SUPPORTED);
	/* The value is ignored; the name is the action. */
	CHECK_CS(cmr_set(c, "stats.clear.totem", ICMAP_STRING, "x", 1), CS_OK);
	CHECK(get_u64(c, "stats.srp.operational_entered") == 0);
	CHECK_CS(cmr_set(c, "stats.clear.ipc", ICMAP_UINT8, &u32, 1), CS_OK);
	snprintf(key, sizeof(key), "stats.ipcs.service0.%d.%" PRIu32
	    ".requests", (int)getpid(), id);
	/* This get is the one request counted since. */
	CHECK(get_u64(c, key) == 1);
	CHECK(get_u64(c, "stats.ipcs.global.closed") == 0);
	/* Not listed: write-only triggers. */
	CHECK(!listed(c, "stats.clear.", "stats.clear.all", ICMAP_UINT8, 1));
	CHECK_CS(cmr_set(c, "stats.clear.knet", ICMAP_UINT8, &u32, 1), CS_OK);
	CHECK_CS(cmr_set(c, "stats.clear.schedmiss", ICMAP_UINT8, &u32, 1),
	    CS_OK);
	CHECK_CS(cmr_set(c, "stats.clear.all", ICMAP_UINT8, &u32, 1), CS_OK);
}

static void expect(struct cmr *c, uint32_t event, const char *key_start,
    uint32_t type)
{
	struct cmr_event *ev = malloc(sizeof(*ev));

	CHECK(ev != NULL);
	cmr_event(c, ev);
	if (ev->event != event || strncmp(ev->key, key_start,
	    strlen(key_start)) != 0 || ev->new_type != type ||
	    ev->old_type != type || ev->new_len != ev->old_len ||
	    memcmp(ev->new_data, ev->old_data, ev->new_len) != 0) {
		fprintf(stderr, "event %u %s types %u %u, want %u %s... %u\n",
		    ev->event, ev->key, ev->new_type, ev->old_type, event,
		    key_start, type);
		harness_fail();
	}
	free(ev);
}

/* A connection's keys in key order: dispatched, flow_control,
 * flow_control_count, procname, queued, requests, responses. */
static const uint32_t conn_types[] = { ICMAP_UINT64, ICMAP_UINT32,
	ICMAP_UINT64, ICMAP_STRING, ICMAP_UINT32, ICMAP_UINT64, ICMAP_UINT64 };

/* Prefix trackers need ADD and DELETE and hear of keys coming and going;
 * an exact MODIFY tracker hears of a change from the poll. */
static void tracking(struct cmr *c)
{
	char prefix[64];
	uint64_t t, t2, it, cookie;
	uint32_t type, len;
	uint8_t v;
	struct cmr other;

	CHECK_CS(cmr_track_add(c, "stats.ipcs.", ICMAP_TRACK_ADD |
	    ICMAP_TRACK_PREFIX, 1, &t), CS_ERR_NOT_SUPPORTED);
	CHECK_CS(cmr_track_add(c, "stats.ipcs.", ICMAP_TRACK_DELETE |
	    ICMAP_TRACK_MODIFY | ICMAP_TRACK_PREFIX, 1, &t),
	    CS_ERR_NOT_SUPPORTED);
	/* Another client of cmap: its keys come, then go. */
	snprintf(prefix, sizeof(prefix), "stats.ipcs.service0.%d.",
	    (int)getpid());
	cmr_open(&other, false);
	/* MODIFY asked for, never told on a prefix. */
	CHECK_CS(cmr_track_add(c, prefix, ICMAP_TRACK_ADD |
	    ICMAP_TRACK_DELETE | ICMAP_TRACK_MODIFY | ICMAP_TRACK_PREFIX, 1,
	    &t), CS_OK);
	CHECK_CS(cmr_get(&other, "totem.none", false, 0, &type, &v, &len),
	    CS_ERR_NOT_EXIST);
	/* Iterating a prefix brings it up to date at once: the seven keys
	 * of the other connection come, in key order. */
	CHECK(get_u64(c, "stats.ipcs.global.active") >= 2);
	CHECK_CS(cmr_iter_init(c, prefix, &it), CS_OK);
	CHECK_CS(cmr_iter_finalize(c, it), CS_OK);
	for (size_t i = 0; i < sizeof(conn_types) / sizeof(conn_types[0]); i++)
		expect(c, ICMAP_TRACK_ADD, prefix, conn_types[i]);
	/* Closing it: the poll finds its keys gone, and an exact tracker
	 * of the closed count is told (new and old both the current
	 * value). */
	CHECK_CS(cmr_track_add(c, "stats.ipcs.global.closed",
	    ICMAP_TRACK_MODIFY, 2, &t2), CS_OK);
	cmr_close(&other);
	for (size_t i = 0; i < sizeof(conn_types) / sizeof(conn_types[0]); i++)
		expect(c, ICMAP_TRACK_DELETE, prefix, conn_types[i]);
	expect(c, ICMAP_TRACK_MODIFY, "stats.ipcs.global.closed",
	    ICMAP_UINT64);
	CHECK_CS(cmr_track_delete(c, t, &cookie), CS_OK);
	CHECK_CS(cmr_track_delete(c, t2, &cookie), CS_OK);
}

int main(void)
{
	struct daemon_proc d;
	struct cmr c;
	uint32_t id = 0;

	harness_init();
	harness_start(&d, NULL);
	cmr_open(&c, true);
	CHECK_CS(cmr_set_map(&c, 1), CS_OK);
	/* This connection's id: the first client is 1, but look it up. */
	for (uint32_t i = 1; i < 100 && !id; i++) {
		char key[128];
		uint32_t type, len;
		uint8_t buf[64];

		snprintf(key, sizeof(key), "stats.ipcs.service0.%d.%" PRIu32
		    ".procname", (int)getpid(), i);
		if (cmr_get(&c, key, false, 0, &type, buf, &len) == CS_OK)
			id = i;
	}
	CHECK(id != 0);
	keys(&c, id);
	cpg_client(&c);
	writes(&c, id);
	tracking(&c);
	CHECK_CS(cmr_set_map(&c, 0), CS_OK);
	cmr_close(&c);
	harness_stop(&d);
	return 0;
}
