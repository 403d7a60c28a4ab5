/* API test through raw IPC (rawcmap.h): a STATS TRACK_ADD whose refresh
 * floods the connection's own queue. The refresh that adds a STATS
 * tracker tells the connection's other STATS trackers of every new key.
 * A connection that never read its events was closed there when its
 * queue passed the hard limit and kept the tracker it was adding, which
 * the next poll (deleting the keys of connections that have gone) told:
 * a use of freed memory under the sanitizer build. Now its events stop
 * at the high watermark, the request is answered, and whatever closes
 * the connection later ends all its trackers. */
#include <stdlib.h>
#include <string.h>

#include <corosync/corotypes.h>

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
	uint8_t v;
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
	/* The last tracker: its refresh fills the queue of a, whose
	 * events are dropped from the high watermark on. */
	CHECK_CS(cmr_track_add(&a, "stats.ipcs.", ADD_DEL, 0, &t), CS_OK);
	CHECK(harness_log_lines(&d, "tracking events dropped") == 1);

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
	CHECK(harness_log_lines(&d, "queue above the hard limit") == 0);
	cmr_close(&a);
	cmr_close(&watch);
	harness_stop(&d);
	return 0;
}
