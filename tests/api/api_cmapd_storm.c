/* API test through raw IPC (rawcmap.h): a tracking storm. Connections
 * with CMAP_CONN_TRACKS_MAX trackers each on one key, none of them read;
 * each change of a value of ICMAP_VALUE_MAX bytes is told to every
 * tracker. The change's key and values are built once and shared by
 * every event, and a connection above its high watermark gets no more,
 * so the daemon's peak memory grows by far less than one copy of the
 * value per tracker (which was gigabytes); a client that reads hears of
 * every change, with its value. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <corosync/corotypes.h>

#include "daemon/cmap/cmap.h"   /* CMAP_CONN_TRACKS_MAX, _UID_TRACKS_MAX */
#include "daemon/icmap.h"
#include "harness.h"
#include "rawcmap.h"

/* Connections that never read: as many as one user's tracker quota
 * allows beside the reader's tracker. */
#define FLOODED (CMAP_UID_TRACKS_MAX / CMAP_CONN_TRACKS_MAX - 1)
#define FLOODED_SAN 4           /* under ASan+UBSan (COHORT_SAN=1) */
#define SETS 3                  /* changes of the value */
/* What the peak may grow by: a few event queues' worth, where one copy
 * of the value per tracker is FLOODED * CMAP_CONN_TRACKS_MAX * 2 values
 * per change (over a gigabyte). */
#define GROWTH_MAX (64u << 20)

/* The daemon's VmHWM (peak resident set) in bytes. */
static unsigned long long peak(const struct daemon_proc *d)
{
	char path[64], line[256];
	unsigned long long kb = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)d->pid);
	f = fopen(path, "r");
	CHECK(f != NULL);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %llu kB", &kb) == 1)
			break;
	fclose(f);
	CHECK(kb > 0);
	return kb * 1024;
}

int main(void)
{
	static struct cmr flooded[FLOODED];
	static char value[ICMAP_VALUE_MAX];
	struct cmr_event *ev = malloc(sizeof(*ev));
	int n = getenv("COHORT_SAN") ? FLOODED_SAN : FLOODED;
	struct daemon_proc d;
	struct cmr writer, reader;
	unsigned long long before;
	uint64_t t, mine;

	CHECK(ev != NULL);
	harness_start(&d, NULL);
	cmr_open(&writer, false);
	cmr_open(&reader, true);
	CHECK_CS(cmr_track_add(&reader, "test.big", ICMAP_TRACK_ADD |
	    ICMAP_TRACK_MODIFY, 0x77, &mine), CS_OK);
	for (int i = 0; i < n; i++) {
		cmr_open(&flooded[i], true);
		for (uint32_t j = 0; j < CMAP_CONN_TRACKS_MAX; j++)
			CHECK_CS(cmr_track_add(&flooded[i], "test.big",
			    ICMAP_TRACK_ADD | ICMAP_TRACK_MODIFY, j, &t), CS_OK);
	}
	before = peak(&d);
	for (int s = 0; s < SETS; s++) {
		memset(value, 'a' + s, sizeof(value) - 1);
		CHECK_CS(cmr_set(&writer, "test.big", ICMAP_STRING, value,
		    sizeof(value)), CS_OK);
		cmr_event(&reader, ev);
		CHECK(ev->track == mine && ev->cookie == 0x77);
		CHECK(ev->event == (s ? ICMAP_TRACK_MODIFY : ICMAP_TRACK_ADD));
		CHECK(strcmp(ev->key, "test.big") == 0);
		CHECK(ev->new_type == ICMAP_STRING &&
		    ev->new_len == sizeof(value));
		CHECK(memcmp(ev->new_data, value, sizeof(value)) == 0);
		CHECK(!s || (ev->old_len == sizeof(value) &&
		    ev->old_data[0] == 'a' + s - 1));
	}
	if (peak(&d) - before > GROWTH_MAX) {
		fprintf(stderr, "cohortd's peak memory grew by %llu bytes\n",
		    peak(&d) - before);
		harness_fail();
	}
	CHECK(harness_log_lines(&d, "tracking events dropped") == n);
	for (int i = 0; i < n; i++)
		cmr_close(&flooded[i]);
	cmr_close(&reader);
	cmr_close(&writer);
	free(ev);
	harness_stop(&d);
	return 0;
}
