/* API test through raw IPC (rawcmap.h): votequorum's read-only keys
 * follow the quorum provider the daemon started with. A client that
 * changes the writable quorum.provider key does not lift the rule. */
#include <string.h>

#include <corosync/corotypes.h>

#include "daemon/icmap.h"
#include "quorum_help.h"
#include "rawcmap.h"

int main(void)
{
	struct daemon_proc d;
	struct cmr c;
	uint8_t zero = 0;
	const char none[] = "none";

	quorum_start(&d, CONF_VOTEQUORUM);
	cmr_open(&c, false);
	CHECK_CS(cmr_set(&c, "quorum.wait_for_all", ICMAP_UINT8, &zero, 1),
	    CS_ERR_ACCESS);
	CHECK_CS(cmr_set(&c, "quorum.provider", ICMAP_STRING, none,
	    sizeof(none)), CS_OK);
	CHECK_CS(cmr_set(&c, "quorum.wait_for_all", ICMAP_UINT8, &zero, 1),
	    CS_ERR_ACCESS);
	CHECK_CS(cmr_delete(&c, "quorum.provider"), CS_OK);
	CHECK_CS(cmr_delete(&c, "quorum.auto_tie_breaker"), CS_ERR_ACCESS);
	cmr_close(&c);
	harness_stop(&d);
	return 0;
}
