/*
 * corosync_common.c: libcorosync_common.so.4, the error helpers that
 * corosync's client libraries share (cs_strerror, qb_to_cs_error,
 * hdb_error_to_cs). Values and texts as corosync 3.1.7's.
 */
#include <errno.h>

#include <corosync/corotypes.h>

const char *cs_strerror(cs_error_t err)
{
	static const char *const text[] = {
		[CS_OK] = "success",
		[CS_ERR_LIBRARY] = "CS_ERR_LIBRARY",
		[CS_ERR_VERSION] = "CS_ERR_VERSION",
		[CS_ERR_INIT] = "CS_ERR_INIT",
		[CS_ERR_TIMEOUT] = "CS_ERR_TIMEOUT",
		[CS_ERR_TRY_AGAIN] = "CS_ERR_TRY_AGAIN",
		[CS_ERR_INVALID_PARAM] = "CS_ERR_INVALID_PARAM",
		[CS_ERR_NO_MEMORY] = "CS_ERR_NO_MEMORY",
		[CS_ERR_BAD_HANDLE] = "CS_ERR_BAD_HANDLE",
		[CS_ERR_BUSY] = "CS_ERR_BUSY",
		[CS_ERR_ACCESS] = "CS_ERR_ACCESS",
		[CS_ERR_NOT_EXIST] = "CS_ERR_NOT_EXIST",
		[CS_ERR_NAME_TOO_LONG] = "CS_ERR_NAME_TOO_LONG",
		[CS_ERR_EXIST] = "CS_ERR_EXIST",
		[CS_ERR_NO_SPACE] = "CS_ERR_NO_SPACE",
		[CS_ERR_INTERRUPT] = "CS_ERR_INTERRUPT",
		[CS_ERR_NAME_NOT_FOUND] = "CS_ERR_NAME_NOT_FOUND",
		[CS_ERR_NO_RESOURCES] = "CS_ERR_NO_RESOURCES",
		[CS_ERR_NOT_SUPPORTED] = "CS_ERR_NOT_SUPPORTED",
		[CS_ERR_BAD_OPERATION] = "CS_ERR_BAD_OPERATION",
		[CS_ERR_FAILED_OPERATION] = "CS_ERR_FAILED_OPERATION",
		[CS_ERR_MESSAGE_ERROR] = "CS_ERR_MESSAGE_ERROR",
		[CS_ERR_QUEUE_FULL] = "CS_ERR_QUEUE_FULL",
		[CS_ERR_QUEUE_NOT_AVAILABLE] = "CS_ERR_QUEUE_NOT_AVAILABLE",
		[CS_ERR_BAD_FLAGS] = "CS_ERR_BAD_FLAGS",
		[CS_ERR_TOO_BIG] = "CS_ERR_TOO_BIG",
		[CS_ERR_NO_SECTIONS] = "CS_ERR_NO_SECTIONS",
		[CS_ERR_CONTEXT_NOT_FOUND] = "CS_ERR_CONTEXT_NOT_FOUND",
		[CS_ERR_TOO_MANY_GROUPS] = "CS_ERR_TOO_MANY_GROUPS",
	};

	if (err == CS_ERR_SECURITY)
		return "CS_ERR_SECURITY";
	if ((unsigned int)err < sizeof(text) / sizeof(text[0]) && text[err])
		return text[err];
	return "unknown error";
}

cs_error_t qb_to_cs_error(int result)
{
	if (result >= 0)
		return CS_OK;
	switch (-result) {
	case EBADF:
		return CS_ERR_BAD_HANDLE;
	case ENOMEM:
		return CS_ERR_NO_MEMORY;
	case ENOMSG:
	case ENOBUFS:
	case ETIMEDOUT:
	case EAGAIN:
		return CS_ERR_TRY_AGAIN;
	case EBADE:
		return CS_ERR_FAILED_OPERATION;
	case ETIME:
		return CS_ERR_TIMEOUT;
	case EINVAL:
		return CS_ERR_INVALID_PARAM;
	case EBUSY:
		return CS_ERR_BUSY;
	case EACCES:
		return CS_ERR_ACCESS;
	case EOVERFLOW:
		return CS_ERR_NAME_TOO_LONG;
	case EEXIST:
		return CS_ERR_EXIST;
	case ENOSPC:
		return CS_ERR_NO_SPACE;
	case EINTR:
		return CS_ERR_INTERRUPT;
	case ENOENT:
	case ENODEV:
		return CS_ERR_NOT_EXIST;
	case ENOSYS:
	case ENOTSUP:
		return CS_ERR_NOT_SUPPORTED;
	case EBADMSG:
		return CS_ERR_MESSAGE_ERROR;
	case EMSGSIZE:
	case E2BIG:
		return CS_ERR_TOO_BIG;
	default:
		return CS_ERR_LIBRARY;
	}
}

cs_error_t hdb_error_to_cs(int res)
{
	switch (res) {
	case 0:
		return CS_OK;
	case -EBADF:
		return CS_ERR_BAD_HANDLE;
	case -ENOMEM:
		return CS_ERR_NO_MEMORY;
	case -EMFILE:
		return CS_ERR_NO_RESOURCES;
	case -EACCES:
		return CS_ERR_ACCESS;
	default:
		return CS_ERR_LIBRARY;
	}
}
