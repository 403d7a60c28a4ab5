/*
 * layout_votequorum.c: every size, offset and constant of
 * <corosync/votequorum.h>. t_compat.sh compiles it against corosync's
 * header and against Cohort's and compares the outputs.
 */
#include <stddef.h>
#include <stdio.h>

#include <corosync/votequorum.h>

#define S(t) printf("sizeof(%s)=%zu\n", #t, sizeof(t))
#define O(t, f) printf("offsetof(%s,%s)=%zu\n", #t, #f, offsetof(t, f))
#define V(x) printf("%s=%lld\n", #x, (long long)(x))

int main(void)
{
	S(votequorum_handle_t);
	V(VOTEQUORUM_INFO_TWONODE); V(VOTEQUORUM_INFO_QUORATE);
	V(VOTEQUORUM_INFO_WAIT_FOR_ALL); V(VOTEQUORUM_INFO_LAST_MAN_STANDING);
	V(VOTEQUORUM_INFO_AUTO_TIE_BREAKER); V(VOTEQUORUM_INFO_ALLOW_DOWNSCALE);
	V(VOTEQUORUM_INFO_QDEVICE_REGISTERED); V(VOTEQUORUM_INFO_QDEVICE_ALIVE);
	V(VOTEQUORUM_INFO_QDEVICE_CAST_VOTE);
	V(VOTEQUORUM_INFO_QDEVICE_MASTER_WINS);
	V(VOTEQUORUM_QDEVICE_NODEID); V(VOTEQUORUM_QDEVICE_MAX_NAME_LEN);
	V(VOTEQUORUM_QDEVICE_DEFAULT_TIMEOUT);
	V(VOTEQUORUM_QDEVICE_DEFAULT_SYNC_TIMEOUT);
	V(VOTEQUORUM_NODESTATE_MEMBER); V(VOTEQUORUM_NODESTATE_DEAD);
	V(VOTEQUORUM_NODESTATE_LEAVING);
	S(struct votequorum_info); O(struct votequorum_info, node_id);
	O(struct votequorum_info, node_state);
	O(struct votequorum_info, node_votes);
	O(struct votequorum_info, node_expected_votes);
	O(struct votequorum_info, highest_expected);
	O(struct votequorum_info, total_votes);
	O(struct votequorum_info, quorum); O(struct votequorum_info, flags);
	O(struct votequorum_info, qdevice_votes);
	O(struct votequorum_info, qdevice_name);
	S(votequorum_node_t); O(votequorum_node_t, nodeid);
	O(votequorum_node_t, state);
	S(votequorum_ring_id_t); O(votequorum_ring_id_t, nodeid);
	O(votequorum_ring_id_t, seq);
	S(votequorum_quorum_notification_fn_t);
	S(votequorum_nodelist_notification_fn_t);
	S(votequorum_expectedvotes_notification_fn_t);
	S(votequorum_callbacks_t);
	O(votequorum_callbacks_t, votequorum_quorum_notify_fn);
	O(votequorum_callbacks_t, votequorum_expectedvotes_notify_fn);
	O(votequorum_callbacks_t, votequorum_nodelist_notify_fn);
	return 0;
}
