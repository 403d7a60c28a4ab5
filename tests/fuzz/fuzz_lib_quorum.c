/*
 * Fuzz target: libquorum's decoding of the daemon's events (quorum and
 * V1 node-list notifications), over a stream of frames as the event
 * channel would carry them, for a V0 and a V1 handle. The library's file
 * is included so that its static decoder is the one fuzzed.
 *
 * FUZZ_SOURCES: src/lib/svc.c src/lib/conn.c src/lib/hdb.c src/common/ipc.c src/common/ipc_ring.c
 * FUZZ_LIBS: -lpthread
 */
#include "../../src/lib/quorum/quorum.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t sum;

static void v0_fn(quorum_handle_t h, uint32_t quorate, uint64_t seq,
    uint32_t n, uint32_t *list)
{
	for (uint32_t i = 0; i < n; i++)
		sum += list[i];
}

static void v1_fn(quorum_handle_t h, uint32_t quorate,
    struct quorum_ring_id ring, uint32_t n, const uint32_t *list)
{
	for (uint32_t i = 0; i < n; i++)
		sum += list[i];
}

static void v1_nodelist_fn(quorum_handle_t h, struct quorum_ring_id ring,
    uint32_t nm, const uint32_t *m, uint32_t nj, const uint32_t *j,
    uint32_t nl, const uint32_t *l)
{
	for (uint32_t i = 0; i < nm; i++)
		sum += m[i];
	for (uint32_t i = 0; i < nj; i++)
		sum += j[i];
	for (uint32_t i = 0; i < nl; i++)
		sum += l[i];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct quorum_inst inst = {
		.v0_quorum_fn = v0_fn,
		.v1_quorum_fn = v1_fn,
		.v1_nodelist_fn = v1_nodelist_fn,
	};
	size_t off = 1;

	if (size < 1)
		return 0;
	inst.model = data[0] & 1 ? QUORUM_MODEL_V1 : QUORUM_MODEL_V0;
	while (size - off >= IPC_HDR_LEN) {
		struct ipc_hdr h;
		struct rbuf rb;

		if (ipc_hdr_get(data + off, &h) < 0 || h.len > size - off)
			break;
		rbuf_init(&rb, data + off + IPC_HDR_LEN, h.len - IPC_HDR_LEN);
		if (on_event(&inst, &h, &rb) < 0)
			break;
		off += h.len;
	}
	return 0;
}
