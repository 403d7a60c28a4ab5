/*
 * timing.c: what a configuration must hold before an engine is made of
 * it: the timing defaults (proto.h, PROTO_DEFAULT_*) applied to a struct
 * proto_timing, the values corosync derives from the token, and the
 * smallest mtu a nodelist needs. Without the engine itself, so that the
 * daemon's configuration code can use it alone.
 */
#include <stdint.h>

#include "proto/proto.h"
#include "proto/wire.h"

size_t proto_mtu_for_nodes(size_t n_nodes)
{
	return WIRE_HDR_LEN + COMMIT_FIXED + n_nodes * COMMIT_ENTRY;
}

/* corosync's clock tick, taken off the hold time. */
#define TICK_MS 10.0

/* A double that corosync would truncate to int, as a uint32_t (negative
 * results become 0). */
static uint32_t trunc_ms(double v)
{
	if (!(v > 0))
		return 0;
	if (v >= (double)UINT32_MAX)
		return UINT32_MAX;
	return (uint32_t)v;
}

static void or_default(uint32_t *v, uint32_t def)
{
	if (!*v)
		*v = def;
}

uint32_t proto_token_ms(uint32_t base, uint32_t coefficient, size_t n_nodes)
{
	uint64_t token = base;

	if (n_nodes > PROTO_COEFFICIENT_BASE_NODES)
		token += (uint64_t)(n_nodes - PROTO_COEFFICIENT_BASE_NODES) *
		    coefficient;
	return token > UINT32_MAX ? UINT32_MAX : (uint32_t)token;
}

void proto_timing_fill(struct proto_timing *t, size_t n_nodes)
{
	if (!t->token_ms)
		t->token_ms = proto_token_ms(PROTO_DEFAULT_TOKEN_MS,
		    t->token_coefficient_ms ? t->token_coefficient_ms :
		    PROTO_DEFAULT_TOKEN_COEFFICIENT_MS, n_nodes);
	or_default(&t->token_retransmits_before_loss_const,
	    PROTO_DEFAULT_RETRANSMITS_BEFORE_LOSS);
	if (!t->token_retransmit_ms)
		t->token_retransmit_ms = trunc_ms((double)t->token_ms /
		    (t->token_retransmits_before_loss_const + 0.2));
	if (!t->hold_ms)
		t->hold_ms = trunc_ms(t->token_retransmit_ms * 0.8 - TICK_MS);
	/* corosync computes it in single precision. */
	if (!t->consensus_ms)
		t->consensus_ms = trunc_ms((float)(1.2 * t->token_ms));
	or_default(&t->join_ms, PROTO_DEFAULT_JOIN_MS);
	if (n_nodes > PROTO_JOIN_SCALE_NODES)
		or_default(&t->send_join_ms, PROTO_DEFAULT_SEND_JOIN_MS);
	or_default(&t->merge_ms, PROTO_DEFAULT_MERGE_MS);
	or_default(&t->fail_recv_const, PROTO_DEFAULT_FAIL_RECV_CONST);
	or_default(&t->seqno_unchanged_const,
	    PROTO_DEFAULT_SEQNO_UNCHANGED_CONST);
	or_default(&t->miss_count_const, PROTO_DEFAULT_MISS_COUNT_CONST);
	or_default(&t->max_messages, PROTO_DEFAULT_MAX_MESSAGES);
	or_default(&t->window_size, PROTO_DEFAULT_WINDOW_SIZE);
}
