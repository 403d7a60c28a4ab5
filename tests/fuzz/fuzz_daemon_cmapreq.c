/*
 * Fuzz target: the cmap service's request decoder (every request type of
 * ipc_cmap.h). The first input byte picks the type, the rest is the
 * body; a decoded request's key must be a NUL-terminated string of at
 * most ICMAP_KEY_MAX bytes and its value inside the body.
 *
 * FUZZ_SOURCES: src/daemon/cmap/decode.c
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/cmap/cmap_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cmap_req r;
	uint16_t type;

	if (size < 1)
		return 0;
	type = (uint16_t)(CMAP_REQ_SET_MAP + data[0] % 12);
	if (cmap_req_decode(type, data + 1, size - 1, &r) < 0)
		return 0;
	if (strnlen(r.key, sizeof(r.key)) > ICMAP_KEY_MAX)
		abort();
	if (r.value && (r.value < data + 1 ||
	    r.value + r.len > data + size))
		abort();
	return 0;
}
