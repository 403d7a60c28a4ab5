/*
 * Fuzz target: the CPG service's messages as delivered from other nodes
 * (PROCJOIN, PROCLEAVE, MCAST, JOINLIST with its entries).
 *
 * FUZZ_SOURCES: src/common/ipc.c src/daemon/cpg/wire.c
 */
#include <stddef.h>
#include <stdint.h>

#include "daemon/cpg/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cpg_wire w;
	struct rbuf rb;

	if (cpg_wire_get(data, size, &w) < 0 || w.type != CPG_MSG_JOINLIST)
		return 0;
	rbuf_init(&rb, w.data, w.len);
	for (uint32_t i = 0; i < w.count; i++) {
		struct ipc_name n;
		uint32_t pid;

		if (cpg_wire_joinlist_next(&rb, &n, &pid) < 0)
			break;
	}
	return 0;
}
