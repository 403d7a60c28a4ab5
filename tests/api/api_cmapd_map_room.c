/* API test through raw IPC (rawcmap.h): the room clients' keys leave in
 * the map. A client that fills the map with new keys is refused
 * (CS_ERR_NO_RESOURCES) before the room kept for the daemon's own keys
 * and for access grants: a grant (uidgid.gid.*) still fits, values
 * already there can still change and shrink, and a deleted key makes
 * room again. */
#include <stdio.h>

#include <corosync/corotypes.h>

#include "daemon/icmap.h"
#include "harness.h"
#include "rawcmap.h"

int main(void)
{
	static uint8_t big[ICMAP_VALUE_MAX];
	struct daemon_proc d;
	struct cmr c;
	char key[64];
	uint8_t one = 1, two = 2;
	uint32_t err;
	int n_big = 0, n_small = 0;

	harness_start(&d, NULL);
	cmr_open(&c, false);
	/* Large values until the bytes run out, then small keys until the
	 * rest does (both bounded by the map's limits). */
	for (;;) {
		snprintf(key, sizeof(key), "junk.big.%d", n_big);
		if ((err = cmr_set(&c, key, ICMAP_BINARY, big,
		    sizeof(big))) != CS_OK)
			break;
		CHECK(++n_big <= (int)(ICMAP_BYTES_MAX / sizeof(big)));
	}
	CHECK_CS(err, CS_ERR_NO_RESOURCES);
	for (;;) {
		snprintf(key, sizeof(key), "junk.small.%d", n_small);
		if ((err = cmr_set(&c, key, ICMAP_UINT8, &one, 1)) != CS_OK)
			break;
		CHECK(++n_small <= (int)ICMAP_KEYS_MAX);
	}
	CHECK_CS(err, CS_ERR_NO_RESOURCES);
	printf("filled: %d keys of %zu bytes, %d of one byte\n", n_big,
	    sizeof(big), n_small);
	/* A grant still fits; so do changes that do not grow the map. */
	CHECK_CS(cmr_set(&c, "uidgid.gid.4321", ICMAP_UINT8, &one, 1), CS_OK);
	CHECK_CS(cmr_set(&c, "junk.small.0", ICMAP_UINT8, &two, 1), CS_OK);
	CHECK_CS(cmr_set(&c, "junk.big.0", ICMAP_UINT8, &two, 1), CS_OK);
	/* That freed room: a new key fits again. */
	CHECK_CS(cmr_set(&c, "junk.after", ICMAP_UINT8, &one, 1), CS_OK);
	CHECK_CS(cmr_delete(&c, "junk.after"), CS_OK);
	cmr_close(&c);
	harness_stop(&d);
	return 0;
}
