/*
 * Fuzz target: the quorum and votequorum services' decoders: a quorum
 * request, a votequorum request (the quorum device's types included,
 * which Cohort refuses) and a votequorum ordered message from another
 * node (node information, reconfigure, LMS). The first input byte picks
 * the decoder and the request type, the rest is the body or the message.
 *
 * FUZZ_SOURCES: src/daemon/quorum/decode.c
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "common/ipc_quorum.h"
#include "daemon/quorum/quorum_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vq_req r;
	struct vq_msg m;
	uint32_t v;
	int rc;

	if (size < 1)
		return 0;
	switch (data[0] >> 6) {
	case 0:   /* the quorum requests and one type on either side */
		rc = quorum_req_decode((uint16_t)(QUORUM_REQ_GETTYPE - 1 +
		    data[0] % 8), data + 1, size - 1, &v);
		if (rc != 0 && rc != -EBADMSG)
			abort();
		break;
	case 1:   /* the votequorum requests and the quorum device's */
		rc = vq_req_decode((uint16_t)(VQ_REQ_OPEN - 1 + data[0] % 32),
		    data + 1, size - 1, &r);
		if (rc != 0 && rc != -EBADMSG && rc != -ENOTSUP)
			abort();
		break;
	default:
		rc = vq_msg_decode(data + 1, size - 1, &m);
		if (rc == 0 && m.type != VQ_MSG_NODEINFO &&
		    m.type != VQ_MSG_RECONFIG && m.type != VQ_MSG_LMS)
			abort();
		if (rc == 0 && size - 1 > VQ_WIRE_MAX)
			abort();
		break;
	}
	return 0;
}
