/*
 * evs.h: a checker of extended virtual synchrony over recorded histories
 * (../shared/spec/evs-invariants.md), for the simulator and the cluster
 * tests alike.
 *
 * A history is what one process observed, in order. Text format, one
 * event per line, tokens separated by spaces or tabs ('#' starts a
 * comment line; blank lines are skipped; a file may hold several
 * histories, each starting at its 'proc' line):
 *
 *   proc NAME                     names the history (first line)
 *   send SEQ DIGEST               this process sent message SEQ
 *   conf KIND REP.SEQ M1 M2 ...   configuration change, KIND T or R,
 *                                 ring id in hex (a transitional one
 *                                 carries the id of the regular one it
 *                                 precedes), member node ids
 *   deliver SENDER SEQ DIGEST     a message of process SENDER
 *   crash                         the process crashed (end of history)
 *
 * A CPG client's history (one group per history) adds:
 *
 *   ring REP.SEQ M1 M2 ...        the totem confchg callback: ring id in
 *                                 hex, member node ids (a set)
 *   gconf GROUP M=LIST L=LIST J=LIST
 *                                 a confchg of GROUP: members, left and
 *                                 joined; LIST is "-" (empty) or NAME,...
 *                                 for M and NAME:REASON,... for L and J,
 *                                 in any order, REASON the CPG reason
 *                                 number (1 JOIN, 2 LEAVE, 3 NODEDOWN,
 *                                 4 NODEUP, 5 PROCDOWN)
 *   leave                         the process called cpg_leave
 *   crash node                    the process's node daemon was killed
 *                                 (end of history, like 'crash')
 *
 * NAME is a process's `proc` name (a CPG client's is n<nodeid>p<pid>, an
 * up to 63-byte token without ',' or ':'); GROUP is a token of up to 128
 * bytes; SEQ is decimal and counts from 1 per sender; DIGEST is hex.
 *
 * Checked for every history: 1 no creation or duplication, 2 total
 * order, 3 FIFO per sender without gaps inside a configuration (between
 * two conf lines, or two gconf lines), 4 self delivery (unless the
 * process crashed). For node-level histories (no gconf line): 5 virtual
 * synchrony (same configuration then the same next one: same messages
 * in between), 6 configuration agreement (one member set per ring id; a
 * regular configuration after the first is preceded by a transitional
 * one contained in it). For 'ring' lines of any history: one member set
 * per ring id (6). For group histories (those with gconf lines; they
 * have no conf line):
 *  9 the first confchg lists the process in M and in J with JOIN; no
 *    delivery before it, nor after a confchg that drops the process
 *    (after its 'leave') until one lists it in J with JOIN again;
 *  consistency (11): each confchg's M is the previous M minus L plus J,
 *    L within and J outside the previous M, no name twice in a list; the
 *    process stays in M until it leaves (a 'leave', then a confchg with
 *    itself in L with LEAVE);
 * 10 two processes of a group that deliver a message deliver it in views
 *    (the confchg before it) with the same M; if their next confchgs have
 *    the same M, they delivered the same messages in that view; if each
 *    next confchg still has the other as a member, the two are identical;
 * 11 reasons: in L, PROCDOWN only for a process whose history (if
 *    present) ends with a crash, LEAVE only for one that has a 'leave',
 *    NODEDOWN always, JOIN and NODEUP never; in J, JOIN for a process no
 *    more often than its own history shows it joining, NODEUP only for a
 *    process whose history (if present) has a confchg;
 * 12 (evs_check_final, after faults healed) every live group history
 *    (not ended by a crash or a leave) ends with a confchg whose M is
 *    exactly the live processes of its group.
 */
#ifndef COHORT_EVS_H
#define COHORT_EVS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum evs_kind {
	EVS_SEND, EVS_CONF, EVS_DELIVER, EVS_CRASH,
	EVS_RING, EVS_GCONF, EVS_LEAVE,
};

/* The CPG reason numbers of a gconf line's L and J entries. */
enum evs_reason {
	EVS_R_JOIN = 1, EVS_R_LEAVE = 2, EVS_R_NODEDOWN = 3, EVS_R_NODEUP = 4,
	EVS_R_PROCDOWN = 5,
};

struct evs_gmember {
	int id;                    /* name index of the process */
	uint32_t reason;           /* enum evs_reason, as recorded */
};

struct evs_event {
	enum evs_kind kind;
	char conf_kind;            /* 'T' or 'R' */
	bool node;                 /* 'crash node' */
	uint32_t rep;
	uint64_t ring;
	/* conf: node ids as recorded; ring: node ids, ascending; gconf: M,
	 * name indices ascending. Owned. */
	uint32_t *members;
	size_t n_members;
	int group;                 /* gconf: index into evs.groups */
	struct evs_gmember *left, *joined;   /* gconf; owned, by id */
	size_t n_left, n_joined;
	int sender;                /* name index of the sending process */
	uint64_t seq;
	uint64_t digest;
};

struct evs_hist {
	int id;                    /* name index of this process */
	int group;                 /* index into evs.groups; -1: node level */
	struct evs_event *ev;      /* owned */
	size_t n, cap;
	bool crashed;
	/* Built by evs_check: deliveries by (sender, seq), sends by seq. */
	uint64_t *hkey;            /* owned; 0 = empty slot */
	size_t *hpos, hcap;        /* owned */
	uint64_t *sent_digest;     /* owned; [seq], 0 = not sent */
	bool *sent_set;            /* owned */
	size_t n_sent;
	/* Built by evs_check for a group history. */
	size_t *gidx, n_g;         /* owned; event indices of the gconfs */
	long *view;                /* owned; [event] ordinal in gidx of the
	                            * gconf at or before it, -1 if none */
	size_t *ndel;              /* owned; [event] deliveries before it */
	size_t n_joins;            /* gconfs listing itself in J with JOIN */
	bool has_leave;
	bool end_crash;            /* its last event is a crash */
	bool live;                 /* a member at the end, not leaving */
};

#define EVS_NAMES_MAX 1024
#define EVS_NAME_SLOTS (2 * EVS_NAMES_MAX)   /* a power of two */
#define EVS_NAME_LEN 64
#define EVS_GROUPS_MAX 256
#define EVS_GROUP_LEN 129          /* CPG_MAX_NAME_LENGTH and a NUL */

struct evs {
	struct evs_hist *h;        /* owned */
	size_t n;
	char (*names)[EVS_NAME_LEN];   /* owned; interned process names */
	size_t n_names;
	int *name_slot;            /* owned; hash of names: index + 1, 0 empty */
	char (*groups)[EVS_GROUP_LEN]; /* owned; interned group names */
	size_t n_groups;
	int *by_id;                /* owned; [name index] history, or -1 */
	char err[512];             /* the first violation, one line */
};

void evs_init(struct evs *e);
void evs_free(struct evs *e);
/* Reads one history file; 0 or -1 with e->err set. */
int evs_read(struct evs *e, FILE *f, const char *file);
/* Checks every invariant; 0 if they hold, else -1 with e->err naming the
 * invariant and the processes that disagree. */
int evs_check(struct evs *e);
/* Invariant 12, for the end of a test after faults healed; call after
 * evs_check returned 0. 0 or -1 with e->err set. */
int evs_check_final(struct evs *e);

#endif /* COHORT_EVS_H */
