/*
 * ratelog.c: log lines about one user at a bounded rate (ratelog.h).
 */
#include <stddef.h>

#include "daemon/ratelog.h"

bool ratelog_admit(struct ratelog *rl, uid_t uid, uint64_t now_ms,
    uint64_t *quiet)
{
	struct ratelog_uid *e = NULL, *stale = NULL;

	for (unsigned int i = 0; i < RATELOG_UIDS; i++) {
		struct ratelog_uid *x = &rl->u[i];

		if (x->used && x->uid == uid) {
			e = x;
			break;
		}
		/* A free entry, or else the oldest whose interval is
		 * over, may be reused. */
		if (!x->used || now_ms - x->logged_ms >= RATELOG_INTERVAL_MS)
			if (!stale || (stale->used && (!x->used ||
			    x->logged_ms < stale->logged_ms)))
				stale = x;
	}
	if (e && now_ms - e->logged_ms < RATELOG_INTERVAL_MS) {
		e->quiet++;
		return false;
	}
	if (!e) {
		if (!stale) {
			/* Every entry logged within the interval. */
			rl->others++;
			return false;
		}
		/* What the reused entry had not logged yet is told with
		 * the next line, whoever it is about. */
		e = stale;
		rl->others += e->used ? e->quiet : 0;
		*e = (struct ratelog_uid){ .uid = uid, .used = true };
	}
	*quiet = e->quiet + rl->others;
	rl->others = 0;
	e->quiet = 0;
	e->logged_ms = now_ms;
	return true;
}
