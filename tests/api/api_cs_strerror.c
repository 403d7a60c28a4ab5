/* API test: libcorosync_common: cs_strerror, qb_to_cs_error,
 * hdb_error_to_cs (no daemon needed). */
#include <errno.h>
#include <string.h>

#include "harness.h"

int main(void)
{
	static const struct { int e; cs_error_t cs; } qb[] = {
		{ 0, CS_OK }, { 5, CS_OK }, { -EBADF, CS_ERR_BAD_HANDLE },
		{ -ENOMEM, CS_ERR_NO_MEMORY }, { -ENOMSG, CS_ERR_TRY_AGAIN },
		{ -ENOBUFS, CS_ERR_TRY_AGAIN }, { -ETIMEDOUT, CS_ERR_TRY_AGAIN },
		{ -EAGAIN, CS_ERR_TRY_AGAIN }, { -EBADE, CS_ERR_FAILED_OPERATION },
		{ -ETIME, CS_ERR_TIMEOUT }, { -EINVAL, CS_ERR_INVALID_PARAM },
		{ -EBUSY, CS_ERR_BUSY }, { -EACCES, CS_ERR_ACCESS },
		{ -EOVERFLOW, CS_ERR_NAME_TOO_LONG }, { -EEXIST, CS_ERR_EXIST },
		{ -ENOSPC, CS_ERR_NO_SPACE }, { -EINTR, CS_ERR_INTERRUPT },
		{ -ENOENT, CS_ERR_NOT_EXIST }, { -ENODEV, CS_ERR_NOT_EXIST },
		{ -ENOSYS, CS_ERR_NOT_SUPPORTED }, { -ENOTSUP, CS_ERR_NOT_SUPPORTED },
		{ -EBADMSG, CS_ERR_MESSAGE_ERROR }, { -EMSGSIZE, CS_ERR_TOO_BIG },
		{ -E2BIG, CS_ERR_TOO_BIG }, { -ECONNREFUSED, CS_ERR_LIBRARY },
		{ -ENOTCONN, CS_ERR_LIBRARY }, { -EMFILE, CS_ERR_LIBRARY },
		{ -ESHUTDOWN, CS_ERR_LIBRARY }, { -EPIPE, CS_ERR_LIBRARY },
	};
	static const struct { int e; cs_error_t cs; } hdb[] = {
		{ 0, CS_OK }, { -EBADF, CS_ERR_BAD_HANDLE },
		{ -ENOMEM, CS_ERR_NO_MEMORY }, { -EMFILE, CS_ERR_NO_RESOURCES },
		{ -EACCES, CS_ERR_ACCESS }, { -EINVAL, CS_ERR_LIBRARY },
		{ 3, CS_ERR_LIBRARY },
	};

	harness_init();
	CHECK(strcmp(cs_strerror(CS_OK), "success") == 0);
	CHECK(strcmp(cs_strerror(CS_ERR_TRY_AGAIN), "CS_ERR_TRY_AGAIN") == 0);
	CHECK(strcmp(cs_strerror(CS_ERR_TOO_MANY_GROUPS),
	    "CS_ERR_TOO_MANY_GROUPS") == 0);
	CHECK(strcmp(cs_strerror(CS_ERR_SECURITY), "CS_ERR_SECURITY") == 0);
	CHECK(strcmp(cs_strerror(29), "unknown error") == 0);
	CHECK(strcmp(cs_strerror(0), "unknown error") == 0);
	CHECK(strcmp(cs_strerror(101), "unknown error") == 0);
	CHECK(strcmp(cs_strerror((cs_error_t)-1), "unknown error") == 0);
	for (int i = CS_ERR_LIBRARY; i <= CS_ERR_CONTEXT_NOT_FOUND; i++)
		CHECK(strncmp(cs_strerror(i), "CS_ERR_", 7) == 0);
	for (size_t i = 0; i < sizeof(qb) / sizeof(qb[0]); i++)
		CHECK_CS(qb_to_cs_error(qb[i].e), qb[i].cs);
	for (size_t i = 0; i < sizeof(hdb) / sizeof(hdb[0]); i++)
		CHECK_CS(hdb_error_to_cs(hdb[i].e), hdb[i].cs);
	return 0;
}
