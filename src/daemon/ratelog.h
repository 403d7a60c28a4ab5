/*
 * ratelog.h: log lines about one user at a bounded rate.
 *
 * A hostile or broken client can make the daemon refuse or close
 * thousands of sockets a second; one line for each would drown the log
 * (and cost more than the refusal). A ratelog lets one line through per
 * uid per RATELOG_INTERVAL_MS, for up to RATELOG_UIDS uids per interval,
 * and counts the rest; the next line of a uid says how many were not
 * logged.
 */
#ifndef COHORT_RATELOG_H
#define COHORT_RATELOG_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define RATELOG_INTERVAL_MS 60000u
#define RATELOG_UIDS 16u

struct ratelog {
	struct ratelog_uid {
		uid_t uid;
		bool used;
		uint64_t logged_ms;   /* when its last line went out */
		uint64_t quiet;       /* events since, not logged */
	} u[RATELOG_UIDS];
	uint64_t others;              /* events of uids beyond the table */
};

/*
 * One event about `uid` at `now_ms`. True when a line is to be written
 * now; *quiet is then the number of this uid's events (and, for the
 * first line after the table was full, other uids' events) that were not
 * logged since its last line.
 */
bool ratelog_admit(struct ratelog *rl, uid_t uid, uint64_t now_ms,
    uint64_t *quiet);

#endif /* COHORT_RATELOG_H */
