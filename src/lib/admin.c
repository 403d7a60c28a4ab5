/*
 * admin.c: the status query of cohortctl (see admin.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <corosync/corotypes.h>

#include "lib/admin.h"
#include "lib/conn.h"

int cohort_admin_status(char **text)
{
	struct ipc_conn c;
	struct ipc_reply r;
	uint32_t refused = 0;
	int rc;

	rc = conn_open(&c, IPC_HELLO_NO_EVENTS, &refused);
	if (rc == CONN_REFUSED)
		rc = refused == CS_ERR_ACCESS ? -EACCES :
		    refused == CS_ERR_TRY_AGAIN ? -EAGAIN : -ECONNREFUSED;
	if (rc)
		return rc == -EACCES || rc == -EAGAIN ? rc : -ECONNREFUSED;
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
