/*
 * Fuzz target: the cmap service's ordered message from another node (the
 * configuration version, version.c), the whole input as the message. A
 * decoded message must be exactly CMAP_WIRE_LEN bytes with a known
 * reason.
 *
 * FUZZ_SOURCES: src/daemon/cmap/decode.c
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "daemon/cmap/cmap_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t why;
	uint64_t v;

	if (cmap_version_decode(data, size, &why, &v) < 0)
		return 0;
	if (size != CMAP_WIRE_LEN ||
	    (why != VERSION_SYNC && why != VERSION_CHANGED))
		abort();
	return 0;
}
