/*
 * Fuzz target: libcmap's decoding of the daemon's cmap replies and
 * notifications (src/lib/cmap/cmap_wire.c). The first byte picks the
 * decoder, the rest is the body; a decoded key is read to its NUL and a
 * value's bytes to its length, so that a decoder that lies about either
 * is caught by the sanitizers.
 *
 * FUZZ_SOURCES: src/lib/cmap/cmap_wire.c
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/cmap/cmap_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint8_t sink;

static void touch(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		sink ^= p[i];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char key[CMAP_KEYNAME_MAXLEN + 1];
	uint8_t value[64];
	struct cmap_wire_notify n;
	uint32_t type, len;
	uint64_t u;
	struct rbuf rb;

	if (size < 1)
		return 0;
	rbuf_init(&rb, data + 1, size - 1);
	switch (data[0] % 5) {
	case 0:
		if (cmap_wire_notify_get(&rb, &n) == 0) {
			touch((const uint8_t *)n.key, strlen(n.key));
			touch(n.new_value.bytes, n.new_value.len);
			touch(n.old_value.bytes, n.old_value.len);
		}
		break;
	case 1:
		if (cmap_wire_get_reply(&rb, value, sizeof(value), &type,
		    &len) == 0)
			touch(value, len);
		break;
	case 2:
		(void)cmap_wire_get_reply(&rb, NULL, 0, &type, &len);
		break;
	case 3:
		if (cmap_wire_next_reply(&rb, key, &type, &len) == 0)
			touch((const uint8_t *)key, strlen(key));
		break;
	default:
		(void)cmap_wire_u64(&u, &rb);
		break;
	}
	return 0;
}
