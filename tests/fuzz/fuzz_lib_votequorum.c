/*
 * Fuzz target: libvotequorum's decoding of the daemon's events (quorum,
 * node-list and expected-votes notifications) and of its getinfo reply,
 * over a stream of frames as the channels would carry them. The
 * library's file is included so that its static decoders are the ones
 * fuzzed.
 *
 * FUZZ_SOURCES: src/lib/svc.c src/lib/conn.c src/lib/hdb.c src/common/ipc.c src/common/ipc_ring.c
 * FUZZ_LIBS: -lpthread
 */
#include "../../src/lib/votequorum/votequorum.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t sum;

static void quorum_fn(votequorum_handle_t h, uint64_t context,
    uint32_t quorate, uint32_t n, votequorum_node_t list[])
{
	for (uint32_t i = 0; i < n; i++)
		sum += list[i].nodeid + list[i].state;
}

static void nodelist_fn(votequorum_handle_t h, uint64_t context,
    votequorum_ring_id_t ring, uint32_t n, uint32_t list[])
{
	for (uint32_t i = 0; i < n; i++)
		sum += list[i];
}

static void expected_fn(votequorum_handle_t h, uint64_t context,
    uint32_t expected)
{
	sum += expected;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct votequorum_inst inst = {
		.cb = {
			.votequorum_quorum_notify_fn = quorum_fn,
			.votequorum_expectedvotes_notify_fn = expected_fn,
			.votequorum_nodelist_notify_fn = nodelist_fn,
		},
	};
	size_t off = 0;

	while (size - off >= IPC_HDR_LEN) {
		struct votequorum_info info;
		struct ipc_hdr h;
		struct rbuf rb;

		if (ipc_hdr_get(data + off, &h) < 0 || h.len > size - off)
			break;
		rbuf_init(&rb, data + off + IPC_HDR_LEN, h.len - IPC_HDR_LEN);
		/* A frame of a request type stands for a getinfo reply. */
		if (h.type == VQ_REQ_GETINFO) {
			if (get_info(&info, &rb) == 0 &&
			    info.qdevice_name[sizeof(info.qdevice_name) - 1])
				__builtin_trap();   /* the name is terminated */
		} else if (on_event(&inst, &h, &rb) < 0) {
			break;
		}
		off += h.len;
	}
	return 0;
}
