/*
 * layout_quorum.c: every size, offset, enum value and constant of
 * <corosync/quorum.h>. t_compat.sh compiles it against corosync's header
 * and against Cohort's and compares the outputs.
 */
#include <stddef.h>
#include <stdio.h>

#include <corosync/quorum.h>

#define S(t) printf("sizeof(%s)=%zu\n", #t, sizeof(t))
#define O(t, f) printf("offsetof(%s,%s)=%zu\n", #t, #f, offsetof(t, f))
#define V(x) printf("%s=%lld\n", #x, (long long)(x))

int main(void)
{
	S(quorum_handle_t); S(quorum_model_t);
	V(QUORUM_MODEL_V0); V(QUORUM_MODEL_V1);
	V(QUORUM_FREE); V(QUORUM_SET);
	S(struct quorum_ring_id); O(struct quorum_ring_id, nodeid);
	O(struct quorum_ring_id, seq);
	S(quorum_notification_fn_t); S(quorum_v1_quorum_notification_fn_t);
	S(quorum_v1_nodelist_notification_fn_t);
	S(quorum_callbacks_t); O(quorum_callbacks_t, quorum_notify_fn);
	S(quorum_model_data_t); O(quorum_model_data_t, model);
	S(quorum_model_v0_data_t); O(quorum_model_v0_data_t, model);
	O(quorum_model_v0_data_t, quorum_notify_fn);
	S(quorum_model_v1_data_t); O(quorum_model_v1_data_t, model);
	O(quorum_model_v1_data_t, quorum_notify_fn);
	O(quorum_model_v1_data_t, nodelist_notify_fn);
	return 0;
}
