/*
 * Fuzz target: libcfg's decoding of the daemon's replies (node addresses,
 * node status, ring status, the local node id) and of its event (the
 * shutdown query), each as the library hands it a reply or event body.
 * The first input byte picks the decoder, the rest is the body. The
 * library's file is included so that its static decoders are the ones
 * fuzzed.
 *
 * FUZZ_SOURCES: src/lib/svc.c src/lib/conn.c src/lib/hdb.c src/common/ipc.c src/common/ipc_ring.c
 * FUZZ_LIBS: -lpthread
 */
#include "../../src/lib/cfg/cfg.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t sum;

static void shutdown_fn(corosync_cfg_handle_t h,
    corosync_cfg_shutdown_flags_t flags)
{
	sum += (uint32_t)flags;
}

/* Every string the ring status decoder returns is NUL-terminated. */
static void ring_check(const struct ring_reply *r)
{
	for (unsigned int i = 0; i < r->count; i++)
		sum += (uint32_t)strlen(r->names[i]) +
		    (uint32_t)strlen(r->status[i]);
}

static void status_check(const struct corosync_cfg_node_status_v1 *st)
{
	for (size_t i = 0; i < CFG_MAX_LINKS; i++)
		sum += (uint32_t)strlen(st->link_status[i].src_ipaddr) +
		    (uint32_t)strlen(st->link_status[i].dst_ipaddr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cfg_inst inst = {
		.cb.corosync_cfg_shutdown_callback = shutdown_fn,
	};
	corosync_cfg_node_address_t addrs[4];
	struct corosync_cfg_node_status_v1 st;
	struct addrs_reply ar = { 0 };
	struct ring_reply rr = { 0 };
	struct ipc_hdr h = { 0 };
	unsigned int nodeid;
	struct rbuf rb;

	if (size < 1)
		return 0;
	rbuf_init(&rb, data + 1, size - 1);
	switch (data[0] % 5) {
	case 0:
		ar.max = data[0] / 5 % 5;   /* 0 to 4: fewer room than sent too */
		ar.addrs = addrs;
		memset(addrs, 0, sizeof(addrs));
		if (addrs_decode(&ar, &rb) == 0 &&
		    (ar.count < 0 || ar.count > CFG_MAX_LINKS))
			abort();
		break;
	case 1:
		memset(&st, 0, sizeof(st));
		if (status_decode(&st, &rb) == 0)
			status_check(&st);
		break;
	case 2:
		if (ring_decode(&rr, &rb) == 0)
			ring_check(&rr);
		ring_free(&rr);
		break;
	case 3:
		(void)local_decode(&nodeid, &rb);
		break;
	case 4:
		h.type = data[0] & 0x80 ? CFG_EV_SHUTDOWN :
		    (uint16_t)(CFG_EV_SHUTDOWN + data[0] / 5 % 3);
		(void)cfg_on_event(&inst, &h, &rb);
		break;
	}
	return 0;
}
