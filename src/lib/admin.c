/*
 * admin.c: the status query and the log reopening of cohortctl (see
 * admin.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <corosync/corotypes.h>

#include "lib/admin.h"
#include "lib/conn.h"

/* Connects to the daemon for one request: 0 or cohort_admin_status()'s
 * errors. */
static int admin_open(struct ipc_conn *c)
{
	uint32_t refused = 0;
	int rc = conn_open(c, IPC_HELLO_NO_EVENTS, &refused);

	if (rc == CONN_REFUSED)
		rc = refused == CS_ERR_ACCESS ? -EACCES :
		    refused == CS_ERR_TRY_AGAIN ? -EAGAIN : -ECONNREFUSED;
	if (rc)
		return rc == -EACCES || rc == -EAGAIN ? rc : -ECONNREFUSED;
	return 0;
}

int cohort_admin_status(char **text)
{
	struct ipc_conn c;
	struct ipc_reply r;
	int rc;

	if ((rc = admin_open(&c)) < 0)
		return rc;
	rc = conn_request(&c, IPC_STATUS, NULL, 0, &r);
	if (rc == CONN_REFUSED)
		rc = -EIO;
	if (rc == 0) {
		*text = malloc(r.len + 1);
		if (*text) {
			memcpy(*text, r.body, r.len);
			(*text)[r.len] = '\0';
		} else {
			rc = -ENOMEM;
		}
	}
	conn_close(&c);
	return rc < 0 ? rc : 0;
}

int cohort_admin_reopen_log(int *result, bool *has_file)
{
	struct ipc_conn c;
	struct ipc_reply r;
	int rc;

	if ((rc = admin_open(&c)) < 0)
		return rc;
	rc = conn_request(&c, IPC_LOG_REOPEN, NULL, 0, &r);
	if (rc == CONN_REFUSED)
		rc = -EIO;
	if (rc == 0 && r.len != 8)
		rc = -EPROTO;
	if (rc == 0) {
		*result = -(int)get_u32(r.body);
		*has_file = get_u32(r.body + 4) != 0;
	}
	conn_close(&c);
	return rc < 0 ? rc : 0;
}
