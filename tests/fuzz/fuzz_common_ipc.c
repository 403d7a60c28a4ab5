/*
 * Fuzz target: the library's decoding of the daemon's frames (frame
 * headers, confchg, deliver and totem events), over a stream of frames as
 * the event channel would carry them.
 *
 * FUZZ_SOURCES: src/common/ipc.c
 */
#include <stddef.h>
#include <stdint.h>

#include "common/ipc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off = 0;

	while (size - off >= IPC_HDR_LEN) {
		struct ipc_hdr h;
		struct rbuf rb;

		if (ipc_hdr_get(data + off, &h) < 0 || h.len > size - off)
			break;
		rbuf_init(&rb, data + off + IPC_HDR_LEN, h.len - IPC_HDR_LEN);
		switch (h.type) {
		case IPC_EV_CONFCHG: {
			struct ipc_ev_confchg ev;
			struct ipc_member m;

			if (ipc_ev_confchg_get(&rb, &ev) == 0)
				for (size_t i = 0; i < (size_t)ev.n_members +
				    ev.n_left + ev.n_joined; i++)
					ipc_member_at(ev.entries, i, &m);
			break;
		}
		case IPC_EV_DELIVER: {
			struct ipc_ev_deliver ev;

			(void)ipc_ev_deliver_get(&rb, &ev);
			break;
		}
		case IPC_EV_TOTEM: {
			struct ipc_ev_totem ev;

			if (ipc_ev_totem_get(&rb, &ev) == 0 && ev.n)
				(void)get_u32(ev.nodes + 4 * (ev.n - 1));
			break;
		}
		default: {
			struct ipc_name n;

			ipc_name_get(&rb, &n);
			break;
		}
		}
		off += h.len;
	}
	return 0;
}
