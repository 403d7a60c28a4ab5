/*
 * ipc_cmap.h: the cmap service's requests and events between libcmap and
 * cohortd (framing, replies and errors as in ipc.h).
 *
 * Encoding (little-endian, common/buf.h): "str" is u32 length then that
 * many bytes, no NUL; a key is a str of 0..CMAP_KEYNAME_MAXLEN bytes.
 * The library sends whatever key the caller gave below its own limit
 * (strlen < 256), empty included, as corosync's does: the daemon answers
 * an empty or otherwise invalid key with corosync's error for the
 * request (NAME_TOO_LONG when creating, NOT_EXIST when looking up), not
 * by dropping the client. Only a key longer than CMAP_KEYNAME_MAXLEN is
 * a malformed frame.
 * Values travel as u32 type (cmap_value_types_t), u32 length, bytes.
 *
 *   CMAP_REQ_SET_MAP     u32 map (0 ICMAP, 1 STATS)          -> empty
 *   CMAP_REQ_SET         str key, value                       -> empty
 *   CMAP_REQ_DELETE      str key                              -> empty
 *   CMAP_REQ_GET         str key, u32 want (0: type and length only,
 *                        1: also the value), u32 room (the caller's
 *                        buffer; a longer value is CS_ERR_INVALID_PARAM)
 *                                                     -> value (bytes
 *                        only when asked: length says how many)
 *   CMAP_REQ_ADJUST      str key, i32 step (+1 inc, -1 dec)   -> empty
 *   CMAP_REQ_ITER_INIT   str prefix (may be empty)            -> u64 iter
 *   CMAP_REQ_ITER_NEXT   u64 iter          -> str key, u32 type, u32 len
 *   CMAP_REQ_ITER_FINALIZE u64 iter                           -> empty
 *   CMAP_REQ_TRACK_ADD   str key (may be empty), u32 track_type,
 *                        u64 cookie (the library's, echoed in events)
 *                                                          -> u64 track
 *   CMAP_REQ_TRACK_DELETE u64 track                       -> u64 cookie
 *
 *   CMAP_EV_NOTIFY       u64 track, u64 cookie, u32 event (1/2/4),
 *                        str key, new value, old value
 *
 * The daemon checks every limit (key length and characters, value
 * length and type, read-only keys) and answers with corosync's error for
 * each (services-reference §2); the library checks only what corosync's
 * library checks before sending.
 */
#ifndef COHORT_IPC_CMAP_H
#define COHORT_IPC_CMAP_H

enum ipc_cmap_type {
	CMAP_REQ_SET_MAP = 100,
	CMAP_REQ_SET = 101,
	CMAP_REQ_DELETE = 102,
	CMAP_REQ_GET = 103,
	CMAP_REQ_ADJUST = 104,
	CMAP_REQ_ITER_INIT = 105,
	CMAP_REQ_ITER_NEXT = 106,
	CMAP_REQ_ITER_FINALIZE = 107,
	CMAP_REQ_TRACK_ADD = 108,
	CMAP_REQ_TRACK_DELETE = 109,

	CMAP_EV_NOTIFY = 120,
};

#define IPC_CMAP_VALUE_MAX 16384u   /* ICMAP_MAX_VALUE_LEN */
/* The largest cmap request frame: a SET of a key of CMAP_KEYNAME_MAXLEN
 * and a value one byte over IPC_CMAP_VALUE_MAX (which the daemon answers
 * with CS_ERR_INVALID_PARAM). A larger frame is malformed and drops the
 * client, so the library answers a longer value with
 * CS_ERR_INVALID_PARAM itself, without sending it: the answer corosync's
 * daemon gives. */
#define IPC_CMAP_REQUEST_MAX (16u + 4u + 255u + 8u + IPC_CMAP_VALUE_MAX + 1u)

#endif /* COHORT_IPC_CMAP_H */
