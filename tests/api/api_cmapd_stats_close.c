/* API test through raw IPC (rawcmap.h): a connection closed inside its
 * own STATS TRACK_ADD. The refresh that adds a STATS tracker tells the
 * connection's other STATS trackers of every new key; a connection that
 * never reads its events is closed there when its queue passes the
 * limit, and must not keep the tracker it was adding: the next poll,
 * which deletes the keys of connections that have gone, would tell it.
 * Under the sanitizer build that was a use of freed memory. */
#include <stdlib.h>
#include <string.h>

#include <corosync/corotypes.h>

#include "common/buf.h"
#include "common/ipc_cmap.h"
#include "daemon/cmap/cmap.h"   /* CMAP_CONN_TRACKS_MAX */
#include "daemon/icmap.h"
#include "harness.h"
#include "rawcmap.h"

/* Connections whose STATS keys the last tracker's refresh adds: enough
 * for the events to the reader's CMAP_CONN_TRACKS_MAX - 1 trackers to
 * pass any event-queue limit. */
#define OTHERS 100

static const uint32_t ADD_DEL = ICMAP_TRACK_ADD | ICMAP_TRACK_DELETE |
    ICMAP_TRACK_PREFIX;

int main(void)
{
	static struct cmr others[OTHERS];
	struct daemon_proc d;
	struct cmr a, watch;
	struct cmr_event ev;
	uint8_t body[64], v;
	struct wbuf wb;
	uint32_t type, len;
	uint64_t t;
	int deleted = 0;

	harness_start(&d, NULL);
	cmr_open(&a, true);
	CHECK_CS(cmr_set_map(&a, 1), CS_OK);
	for (uint32_t i = 0; i + 1 < CMAP_CONN_TRACKS_MAX; i++)
		CHECK_CS(cmr_track_add(&a, "stats.ipcs.", ADD_DEL, i, &t),
		    CS_OK);
	/* Each other connection makes a request, so that it has keys. */
	for (int i = 0; i < OTHERS; i++) {
		cmr_open(&others[i], false);
		CHECK_CS(cmr_get(&others[i], "test.none", true, 1, &type, &v,
		    &len), CS_ERR_NOT_EXIST);
	}
	/* The last tracker: its refresh overflows the queue of a, which
	 * is closed without an answer. */
	wbuf_init(&wb, body, sizeof(body));
	wbuf_u32(&wb, (uint32_t)strlen("stats.ipcs."));
	wbuf_copy(&wb, "stats.ipcs.", strlen("stats.ipcs."));
	wbuf_u32(&wb, ADD_DEL);
	wbuf_u64(&wb, 0);
	cmr_dropped(&a, CMAP_REQ_TRACK_ADD, wb.p, wb.len);

	/* The others go; the poll deletes their keys, which a watcher
	 * hears of, and with them any tracker left behind would be told. */
	cmr_open(&watch, true);
	CHECK_CS(cmr_set_map(&watch, 1), CS_OK);
	CHECK_CS(cmr_track_add(&watch, "stats.ipcs.service0.", ADD_DEL, 7, &t),
	    CS_OK);
	for (int i = 0; i < OTHERS; i++)
		cmr_close(&others[i]);
	while (deleted < OTHERS) {
		cmr_event(&watch, &ev);
		if (ev.event == ICMAP_TRACK_DELETE &&
		    strstr(ev.key, ".requests"))
			deleted++;
	}
	CHECK(harness_log_lines(&d, "queue above the hard limit") == 1);
	cmr_close(&watch);
	harness_stop(&d);
	return 0;
}
