/*
 * evs.h: a checker of extended virtual synchrony over recorded histories
 * (../shared/spec/evs-invariants.md), for the simulator and the cluster
 * tests alike.
 *
 * A history is what one process observed, in order. Text format, one
 * event per line ('#' starts a comment):
 *
 *   proc NAME                     names the history (first line)
 *   send SEQ DIGEST               this process sent message SEQ
 *   conf KIND REP.SEQ M1 M2 ...   configuration change, KIND T or R,
 *                                 ring id in hex (a transitional one
 *                                 carries the id of the regular one it
 *                                 precedes), member ids
 *   deliver SENDER SEQ DIGEST     a message of process SENDER
 *   crash                         the process crashed (end of history)
 *
 * SENDER names a process (its `proc` name); SEQ counts from 1 per sender.
 * Checked: 1 no creation or duplication, 2 total order, 3 FIFO per
 * sender without gaps inside a configuration, 4 self delivery (unless
 * the sender crashed), 5 virtual synchrony (same configuration then the
 * same next one: same messages in between), 6 configuration agreement
 * (one member set per ring id; a regular configuration after the first
 * is preceded by a transitional one contained in it).
 */
#ifndef COHORT_EVS_H
#define COHORT_EVS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum evs_kind { EVS_SEND, EVS_CONF, EVS_DELIVER, EVS_CRASH };

struct evs_event {
	enum evs_kind kind;
	char conf_kind;            /* 'T' or 'R' */
	uint32_t rep;
	uint64_t ring;
	uint32_t *members;         /* owned */
	size_t n_members;
	int sender;                /* name index of the sending process */
	uint64_t seq;
	uint64_t digest;
};

struct evs_hist {
	int id;                    /* name index of this process */
	struct evs_event *ev;      /* owned */
	size_t n, cap;
	bool crashed;
	/* Built by evs_check: deliveries by (sender, seq), sends by seq. */
	uint64_t *hkey;            /* owned; 0 = empty slot */
	size_t *hpos, hcap;        /* owned */
	uint64_t *sent_digest;     /* owned; [seq], 0 = not sent */
	bool *sent_set;            /* owned */
	size_t n_sent;
};

#define EVS_NAMES_MAX 1024
#define EVS_NAME_LEN 64

struct evs {
	struct evs_hist *h;        /* owned */
	size_t n;
	char (*names)[EVS_NAME_LEN];   /* owned; interned process names */
	size_t n_names;
	char err[512];             /* the first violation, one line */
};

void evs_init(struct evs *e);
void evs_free(struct evs *e);
/* Reads one history file; 0 or -1 with e->err set. */
int evs_read(struct evs *e, FILE *f, const char *file);
/* Checks every invariant; 0 if they hold, else -1 with e->err naming the
 * invariant and the processes that disagree. */
int evs_check(struct evs *e);

#endif /* COHORT_EVS_H */
