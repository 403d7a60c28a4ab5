/*
 * Fuzz target: the cfg service's decoders: a client's request (every
 * request type of ipc_cfg.h) and an ordered message from another node
 * (KILL, SHUTDOWN, RELOAD). The first input byte picks the decoder and
 * the request type, the rest is the body or the message. A decoded
 * kill's reason must lie inside the input and be shorter than
 * CFG_REASON_MAX.
 *
 * FUZZ_SOURCES: src/daemon/cfg/decode.c
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "common/ipc_cfg.h"
#include "daemon/cfg/cfg_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_reason(const uint8_t *reason, uint32_t len,
    const uint8_t *data, size_t size)
{
	if (len >= CFG_REASON_MAX || (len && !reason) ||
	    (reason && (reason < data || reason + len > data + size)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cfg_delivery d;
	struct cfg_req r;
	uint16_t type;
	int rc;

	if (size < 1)
		return 0;
	if (data[0] & 0x80) {
		rc = cfg_delivery_decode(data + 1, size - 1, &d);
		if (rc == 0 && d.kind == CFG_MSG_KILL)
			check_reason(d.reason, d.reason_len, data + 1,
			    size - 1);
		if (rc == -ENOENT && (d.kind == CFG_MSG_KILL ||
		    d.kind == CFG_MSG_SHUTDOWN || d.kind == CFG_MSG_RELOAD))
			abort();
		return 0;
	}
	/* 12 types: the 11 requests and one past them. */
	type = (uint16_t)(CFG_REQ_LOCAL_GET + data[0] % 12);
	if (cfg_req_decode(type, data + 1, size - 1, &r) < 0)
		return 0;
	if (type > CFG_REQ_REOPEN_LOG_FILES)
		abort();
	if (type == CFG_REQ_KILL_NODE)
		check_reason(r.reason, r.reason_len, data + 1, size - 1);
	return 0;
}
