/*
 * layout.c: prints every size, offset, enum value and constant of the
 * public headers. t_compat.sh compiles it against corosync's headers and
 * against Cohort's and compares the outputs.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>

#include <corosync/cpg.h>

#define S(t) printf("sizeof(%s)=%zu\n", #t, sizeof(t))
#define O(t, f) printf("offsetof(%s,%s)=%zu\n", #t, #f, offsetof(t, f))
#define V(x) printf("%s=%lld\n", #x, (long long)(x))

int main(void)
{
	S(cpg_handle_t); S(cpg_iteration_handle_t); S(cs_error_t);
	S(cs_dispatch_flags_t); S(cpg_guarantee_t); S(cpg_flow_control_state_t);
	S(cpg_reason_t); S(cpg_iteration_type_t); S(cpg_model_t);
	S(struct cpg_address); O(struct cpg_address, nodeid);
	O(struct cpg_address, pid); O(struct cpg_address, reason);
	S(struct cpg_name); O(struct cpg_name, length); O(struct cpg_name, value);
	S(struct cpg_iteration_description_t);
	O(struct cpg_iteration_description_t, group);
	O(struct cpg_iteration_description_t, nodeid);
	O(struct cpg_iteration_description_t, pid);
	S(struct cpg_ring_id); O(struct cpg_ring_id, nodeid);
	O(struct cpg_ring_id, seq);
	S(cpg_callbacks_t); O(cpg_callbacks_t, cpg_deliver_fn);
	O(cpg_callbacks_t, cpg_confchg_fn);
	S(cpg_model_data_t); S(cpg_model_v1_data_t);
	O(cpg_model_v1_data_t, model); O(cpg_model_v1_data_t, cpg_deliver_fn);
	O(cpg_model_v1_data_t, cpg_confchg_fn);
	O(cpg_model_v1_data_t, cpg_totem_confchg_fn);
	O(cpg_model_v1_data_t, flags);
	S(cs_name_t); S(cs_version_t); S(cs_time_t);
	V(CPG_MAX_NAME_LENGTH); V(CPG_MEMBERS_MAX);
	V(CPG_MODEL_V1_DELIVER_INITIAL_TOTEM_CONF); V(CPG_MODEL_V1);
	V(CPG_TYPE_UNORDERED); V(CPG_TYPE_FIFO); V(CPG_TYPE_AGREED); V(CPG_TYPE_SAFE);
	V(CPG_FLOW_CONTROL_DISABLED); V(CPG_FLOW_CONTROL_ENABLED);
	V(CPG_REASON_UNDEFINED); V(CPG_REASON_JOIN); V(CPG_REASON_LEAVE);
	V(CPG_REASON_NODEDOWN); V(CPG_REASON_NODEUP); V(CPG_REASON_PROCDOWN);
	V(CPG_ITERATION_NAME_ONLY); V(CPG_ITERATION_ONE_GROUP); V(CPG_ITERATION_ALL);
	V(CS_DISPATCH_ONE); V(CS_DISPATCH_ALL); V(CS_DISPATCH_BLOCKING);
	V(CS_DISPATCH_ONE_NONBLOCKING);
	V(CS_OK); V(CS_ERR_LIBRARY); V(CS_ERR_VERSION); V(CS_ERR_INIT);
	V(CS_ERR_TIMEOUT); V(CS_ERR_TRY_AGAIN); V(CS_ERR_INVALID_PARAM);
	V(CS_ERR_NO_MEMORY); V(CS_ERR_BAD_HANDLE); V(CS_ERR_BUSY); V(CS_ERR_ACCESS);
	V(CS_ERR_NOT_EXIST); V(CS_ERR_NAME_TOO_LONG); V(CS_ERR_EXIST);
	V(CS_ERR_NO_SPACE); V(CS_ERR_INTERRUPT); V(CS_ERR_NAME_NOT_FOUND);
	V(CS_ERR_NO_RESOURCES); V(CS_ERR_NOT_SUPPORTED); V(CS_ERR_BAD_OPERATION);
	V(CS_ERR_FAILED_OPERATION); V(CS_ERR_MESSAGE_ERROR); V(CS_ERR_QUEUE_FULL);
	V(CS_ERR_QUEUE_NOT_AVAILABLE); V(CS_ERR_BAD_FLAGS); V(CS_ERR_TOO_BIG);
	V(CS_ERR_NO_SECTIONS); V(CS_ERR_CONTEXT_NOT_FOUND);
	V(CS_ERR_TOO_MANY_GROUPS); V(CS_ERR_SECURITY);
	V(CS_FALSE); V(CS_TRUE); V(CS_MAX_NAME_LENGTH); V(CS_TIME_END);
	V(CS_TRACK_CURRENT); V(CS_TRACK_CHANGES); V(CS_TRACK_CHANGES_ONLY);
	V(CS_IPC_TIMEOUT_MS); V(CS_TIME_MS_IN_SEC); V(CS_TIME_US_IN_SEC);
	V(CS_TIME_NS_IN_SEC); V(CS_TIME_US_IN_MSEC); V(CS_TIME_NS_IN_MSEC);
	V(CS_TIME_NS_IN_USEC); V(CS_MAX(3, 4));
	printf("%s %s %s %s\n", CS_PRI_NODE_ID, CS_PRI_NODE_ID_PADDED,
	    CS_PRI_RING_ID_SEQ, CS_PRI_RING_ID);
	return 0;
}
