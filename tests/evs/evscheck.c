/*
 * evscheck: check recorded histories against the invariants of evs.h.
 *
 *   evscheck [--final] FILE...
 *                        exit 0 if every invariant holds, 1 if not (the
 *                        violation is printed), 2 on unreadable input;
 *                        --final: the histories end after faults healed,
 *                        so invariant 12 (every live member of a group
 *                        ends in the view of exactly the live members)
 *                        is checked too
 *   evscheck --selftest [-v]
 *                        the checker checked: good sets of histories
 *                        pass and each invariant's violation is caught
 *                        (-v: each case's verdict)
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "evs.h"

#define SELF_HISTS 4

struct selfcase {
	const char *name;
	const char *want;          /* substring of the error; NULL: passes */
	bool final;                /* check invariant 12 too */
	const char *hist[SELF_HISTS];
};

/* Two processes p1 (node 1) and p2 (node 2) through one ring, then a
 * partition; variants break one invariant each. */
#define GOOD_P1 "proc p1\nconf R 1.4 1 2\nsend 1 a1\ndeliver p1 1 a1\n" \
	"deliver p2 1 b1\nconf T 1.8 1\nconf R 1.8 1\nsend 2 a2\ndeliver p1 2 a2\n"
#define GOOD_P2 "proc p2\nconf R 1.4 1 2\nsend 1 b1\ndeliver p1 1 a1\n" \
	"deliver p2 1 b1\nconf T 2.8 2\nconf R 2.8 2\n"


/* CPG group histories: n1p1 (on node 1) joins g, then n2p1 and n3p1;
 * node 2 is partitioned away (NODEDOWN) and comes back (NODEUP); n3p1 is
 * killed (PROCDOWN); n2p1 leaves, delivering a4 between its leave and
 * the confchg that takes it out. Each history in pieces, so that a
 * variant replaces one piece. */
#define GA_JOIN "proc n1p1\ngconf g M=n1p1 L=- J=n1p1:1\nring 1.4 1 2 3\n" \
	"gconf g M=n1p1,n2p1 L=- J=n2p1:1\n"
#define GA_ALL "gconf g M=n1p1,n2p1,n3p1 L=- J=n3p1:1\nsend 1 a1\n" \
	"deliver n1p1 1 a1\ndeliver n2p1 1 b1\ndeliver n3p1 1 c1\n"
#define GA_PART "ring 1.8 1 3\ngconf g M=n1p1,n3p1 L=n2p1:3 J=-\n" \
	"send 2 a2\ndeliver n1p1 2 a2\n"
#define GA_HEAL_(j) "ring 1.c 1 2 3\ngconf g M=n3p1,n2p1,n1p1 L=- J=" j "\n" \
	"send 3 a3\ndeliver n1p1 3 a3\n"
#define GA_HEAL GA_HEAL_("n2p1:4")
#define GA_KILL_(l) "gconf g M=n1p1,n2p1 L=" l " J=-\nsend 4 a4\n" \
	"deliver n1p1 4 a4\n"
#define GA_KILL GA_KILL_("n3p1:5")
#define GA_LEFT "gconf g M=n1p1 L=n2p1:2 J=-\n"
#define G_A GA_JOIN GA_ALL GA_PART GA_HEAL GA_KILL GA_LEFT

#define GB_JOIN "proc n2p1\ngconf g M=n1p1,n2p1 L=- J=n2p1:1\nring 1.4 1 2 3\n"
#define GB_ALL "gconf g M=n1p1,n2p1,n3p1 L=- J=n3p1:1\nsend 1 b1\n" \
	"deliver n1p1 1 a1\ndeliver n2p1 1 b1\ndeliver n3p1 1 c1\n"
#define GB_PART "ring 2.8 2\ngconf g M=n2p1 L=n1p1:3,n3p1:3 J=-\n" \
	"send 2 b2\ndeliver n2p1 2 b2\n"
#define GB_HEAL "ring 1.c 3 2 1\ngconf g M=n1p1,n2p1,n3p1 L=- " \
	"J=n3p1:4,n1p1:4\ndeliver n1p1 3 a3\n"
#define GB_KILL "gconf g M=n1p1,n2p1 L=n3p1:5 J=-\n"
#define GB_LEAVE "leave\ndeliver n1p1 4 a4\ngconf g M=n1p1 L=n2p1:2 J=-\n"
#define G_B GB_JOIN GB_ALL GB_PART GB_HEAL GB_KILL GB_LEAVE

#define GC_JOIN "proc n3p1\nring 1.4 1 2 3\n" \
	"gconf g M=n1p1,n2p1,n3p1 L=- J=n3p1:1\nsend 1 c1\n"
#define GC_ALL "deliver n1p1 1 a1\ndeliver n2p1 1 b1\ndeliver n3p1 1 c1\n"
#define GC_PART_(l) "ring 1.8 1 3\ngconf g M=n1p1,n3p1 L=" l " J=-\n"
#define GC_PART GC_PART_("n2p1:3") "deliver n1p1 2 a2\n"
#define GC_HEAL "ring 1.c 1 2 3\ngconf g M=n1p1,n2p1,n3p1 L=- J=n2p1:4\n" \
	"deliver n1p1 3 a3\n"
#define GC_CRASH "send 2 c2\ncrash\n"
#define G_C GC_JOIN GC_ALL GC_PART GC_HEAL GC_CRASH

/* Two processes through an unhealed partition: good until the end. */
#define GS_X "proc n1p1\ngconf g M=n1p1 L=- J=n1p1:1\n" \
	"gconf g M=n1p1,n2p1 L=- J=n2p1:1\n"
#define GS_Y "proc n2p1\ngconf g M=n1p1,n2p1 L=- J=n2p1:1\n" \
	"gconf g M=n2p1 L=n1p1:3 J=-\n"

/* n1p1 and n2p1 in one view; n1p1 sends a1, leaves, delivers a1. */
#define GL_X "proc n1p1\ngconf g M=n1p1 L=- J=n1p1:1\n" \
	"gconf g M=n1p1,n2p1 L=- J=n2p1:1\ndeliver n2p1 1 b1\nsend 1 a1\n" \
	"leave\ndeliver n1p1 1 a1\ngconf g M=n2p1 L=n1p1:2 J=-\n"
#define GL_Y "proc n2p1\ngconf g M=n1p1,n2p1 L=- J=n2p1:1\nsend 1 b1\n" \
	"deliver n2p1 1 b1\n"

static const struct selfcase cases[] = {
	{ "good", NULL, false, { GOOD_P1, GOOD_P2 } },
	{ "created", "invariant 1 (no creation)", false, { GOOD_P1,
	    "proc p2\nconf R 1.4 1 2\nsend 1 b1\ndeliver p1 1 a1\n"
	    "deliver p1 9 a9\ndeliver p2 1 b1\n" } },
	{ "duplicate", "invariant 1 (no duplication)", false, { GOOD_P1,
	    "proc p2\nconf R 1.4 1 2\nsend 1 b1\ndeliver p1 1 a1\n"
	    "deliver p1 1 a1\ndeliver p2 1 b1\n" } },
	{ "corrupt", "invariant 1 (no creation)", false, { GOOD_P1,
	    "proc p2\nconf R 1.4 1 2\nsend 1 b1\ndeliver p1 1 ff\n"
	    "deliver p2 1 b1\n" } },
	{ "order", "invariant 2", false, { GOOD_P1,
	    "proc p2\nconf R 1.4 1 2\nsend 1 b1\ndeliver p2 1 b1\n"
	    "deliver p1 1 a1\n" } },
	{ "fifo", "invariant 3", false, {
	    "proc p1\nconf R 1.4 1\nsend 1 a1\nsend 2 a2\nsend 3 a3\n"
	    "deliver p1 1 a1\ndeliver p1 3 a3\ndeliver p1 2 a2\n" } },
	{ "self", "invariant 4", false, {
	    "proc p1\nconf R 1.4 1\nsend 1 a1\nsend 2 a2\ndeliver p1 1 a1\n" } },
	{ "self-crash", NULL, false, {
	    "proc p1\nconf R 1.4 1\nsend 1 a1\nsend 2 a2\ndeliver p1 1 a1\n"
	    "crash\n" } },
	{ "synchrony", "invariant 5", false, {
	    "proc p1\nconf R 1.4 1 2\nsend 1 a1\ndeliver p1 1 a1\n"
	    "conf T 1.8 1 2\nconf R 1.8 1 2\n",
	    "proc p2\nconf R 1.4 1 2\nconf T 1.8 1 2\nconf R 1.8 1 2\n" } },
	{ "agreement", "invariant 6 (agreement)", false, { GOOD_P1,
	    "proc p2\nconf R 1.4 1 2 3\nsend 1 b1\ndeliver p1 1 a1\n"
	    "deliver p2 1 b1\n" } },
	{ "no-transitional", "without a transitional", false, {
	    "proc p1\nconf R 1.4 1\nconf R 1.8 1 2\n" } },
	/* The CPG group level. */
	{ "g-good", NULL, true, { G_A, G_B, G_C } },
	{ "g-rejoin", NULL, true, {
	    G_A "gconf g M=n1p1,n2p1 L=- J=n2p1:1\nsend 5 a5\n"
	    "deliver n1p1 5 a5\n",
	    G_B "gconf g M=n1p1,n2p1 L=- J=n2p1:1\ndeliver n1p1 5 a5\n", G_C } },
	{ "g-leave-before-join", NULL, true, {
	    "proc n1p1\nleave\ngconf g M=n1p1 L=- J=n1p1:1\n"
	    "gconf g M=- L=n1p1:2 J=-\n" } },
	{ "g-nodedown", NULL, true, { GS_X "gconf g M=n1p1 L=n2p1:3 J=-\n",
	    "proc n2p1\ngconf g M=n1p1,n2p1 L=- J=n2p1:1\ncrash node\n" } },
	{ "g-partitioned", NULL, false, { GS_X, GS_Y } },
	{ "g-first", "invariant 9 (join)", false, { G_A,
	    "proc n2p1\ngconf g M=n1p1,n2p1 L=- J=-\nring 1.4 1 2 3\n"
	    GB_ALL GB_PART GB_HEAL GB_KILL GB_LEAVE, G_C } },
	{ "g-early", "invariant 9 (join)", false, { G_A, G_B, G_C,
	    "proc n4p1\ndeliver n1p1 1 a1\ngconf g M=n4p1 L=- J=n4p1:1\n" } },
	{ "g-after-leave", "invariant 9 (join)", false, {
	    G_A "send 5 a5\ndeliver n1p1 5 a5\n", G_B "deliver n1p1 5 a5\n",
	    G_C } },
	{ "g-not-member", "invariant 9 (join)", false, { G_A,
	    G_B "gconf g M=n1p1,n3p1 L=- J=n3p1:4\n", G_C } },
	{ "g-arith", "invariant 11 (group consistency)", false, {
	    GA_JOIN GA_ALL "ring 1.8 1 3\ngconf g M=n1p1,n3p1 L=- J=-\n"
	    "send 2 a2\ndeliver n1p1 2 a2\n" GA_HEAL GA_KILL GA_LEFT, G_B, G_C } },
	{ "g-left-stranger", "invariant 11 (group consistency)", false, {
	    GA_JOIN GA_ALL GA_PART GA_HEAL GA_KILL_("n3p1:5,n4p1:3") GA_LEFT,
	    G_B, G_C } },
	{ "g-join-member", "invariant 11 (group consistency)", false, {
	    GA_JOIN GA_ALL GA_PART GA_HEAL_("n2p1:4,n3p1:4") GA_KILL GA_LEFT,
	    G_B, G_C } },
	{ "g-twice", "invariant 11 (group consistency)", false, {
	    "proc n1p1\ngconf g M=n1p1,n1p1 L=- J=n1p1:1\n" } },
	{ "g-no-leave", "invariant 11 (group consistency)", false, { G_A,
	    GB_JOIN GB_ALL GB_PART GB_HEAL GB_KILL
	    "deliver n1p1 4 a4\ngconf g M=n1p1 L=n2p1:2 J=-\n", G_C } },
	{ "g-view", "invariant 10 (group virtual synchrony)", false, { G_A, G_B,
	    GC_JOIN GC_ALL GC_PART_("n2p1:3") "ring 1.c 1 2 3\n"
	    "gconf g M=n1p1,n2p1,n3p1 L=- J=n2p1:4\ndeliver n1p1 2 a2\n"
	    "deliver n1p1 3 a3\n" GC_CRASH } },
	{ "g-same-set", "invariant 10 (group virtual synchrony)", false, {
	    G_A, G_B, GC_JOIN "deliver n1p1 1 a1\ndeliver n3p1 1 c1\n"
	    GC_PART GC_HEAL GC_CRASH } },
	{ "g-identical", "invariant 10 (group virtual synchrony)", false, {
	    G_A, G_B, GC_JOIN GC_ALL GC_PART_("n2p1:2") "deliver n1p1 2 a2\n"
	    GC_HEAL GC_CRASH } },
	/* n1p1 sends a1 and leaves; n2p1 sees its node fail instead (NODEDOWN)
	 * and never delivers a1: allowed. Seeing the LEAVE without a1 is not. */
	{ "g-leave-nodedown", NULL, false, { GL_X,
	    GL_Y "gconf g M=n2p1 L=n1p1:3 J=-\n" } },
	{ "g-leave-lost", "invariant 10 (group virtual synchrony)", false, {
	    GL_X, GL_Y "gconf g M=n2p1 L=n1p1:2 J=-\n" } },
	{ "g-procdown", "invariant 11 (reasons)", false, { G_A, G_B,
	    GC_JOIN GC_ALL GC_PART GC_HEAL } },
	{ "g-leave-reason", "invariant 11 (reasons)", false, {
	    GA_JOIN GA_ALL GA_PART GA_HEAL GA_KILL_("n3p1:2") GA_LEFT, G_B,
	    G_C } },
	{ "g-left-nodeup", "invariant 11 (reasons)", false, {
	    GA_JOIN GA_ALL GA_PART GA_HEAL GA_KILL_("n3p1:4") GA_LEFT, G_B,
	    G_C } },
	{ "g-join-twice", "invariant 11 (reasons)", false, {
	    GA_JOIN GA_ALL GA_PART GA_HEAL_("n2p1:1") GA_KILL GA_LEFT, G_B,
	    G_C } },
	{ "g-join-nodedown", "invariant 11 (reasons)", false, {
	    GA_JOIN GA_ALL GA_PART GA_HEAL_("n2p1:3") GA_KILL GA_LEFT, G_B,
	    G_C } },
	{ "g-nodeup-stranger", "invariant 11 (reasons)", false, {
	    "proc n1p1\ngconf g M=n1p1 L=- J=n1p1:1\n"
	    "gconf g M=n1p1,n4p1 L=- J=n4p1:4\n", "proc n4p1\ncrash node\n" } },
	{ "g-ring", "invariant 6 (ring agreement)", false, { G_A, G_B,
	    GC_JOIN GC_ALL "ring 1.8 1 2 3\ngconf g M=n1p1,n3p1 L=n2p1:3 J=-\n"
	    "deliver n1p1 2 a2\n" GC_HEAL GC_CRASH } },
	{ "g-final-split", "invariant 12", true, { GS_X, GS_Y } },
	{ "g-final-linger", "invariant 12", true, { GS_X,
	    "proc n2p1\ngconf g M=n1p1,n2p1 L=- J=n2p1:1\ncrash\n" } },
	{ "g-after-crash", "events after its crash", false, {
	    "proc n1p1\ngconf g M=n1p1 L=- J=n1p1:1\ncrash\nleave\n" } },
	{ "g-bad-line", "bad gconf line", false, {
	    "proc n1p1\ngconf g M=n1p1 L=n2p1 J=-\n" } },
	{ "g-bad-ring", "bad ring line", false, {
	    "proc n1p1\nring 1.4 1 1\n" } },
	{ "g-two-groups", "one group per history", false, {
	    "proc n1p1\ngconf g M=n1p1 L=- J=n1p1:1\n"
	    "gconf h M=n1p1 L=- J=n1p1:1\n" } },
};

/* `verbose`: also prints what each case's histories were found to do. */
static int selftest(bool verbose)
{
	int bad = 0;

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct evs e;
		int rc = 0;

		evs_init(&e);
		for (int i = 0; i < SELF_HISTS && cases[c].hist[i]; i++) {
			FILE *f = fmemopen((void *)cases[c].hist[i],
			    strlen(cases[c].hist[i]), "r");

			rc |= evs_read(&e, f, cases[c].name);
			fclose(f);
		}
		if (rc == 0)
			rc = evs_check(&e);
		if (rc == 0 && cases[c].final)
			rc = evs_check_final(&e);
		if (verbose)
			printf("%-20s %s\n", cases[c].name, rc ? e.err : "passes");
		if (cases[c].want ? rc == 0 || !strstr(e.err, cases[c].want) :
		    rc != 0) {
			printf("selftest %s: wanted %s, got: %s\n", cases[c].name,
			    cases[c].want ? cases[c].want : "a pass",
			    rc ? e.err : "a pass");
			bad = 1;
		}
		evs_free(&e);
	}
	if (!bad)
		printf("evscheck selftest: %zu cases, each invariant's violation "
		    "caught\n", sizeof(cases) / sizeof(cases[0]));
	return bad;
}

int main(int argc, char **argv)
{
	struct evs e;
	bool final = false;
	size_t groups = 0;
	int rc = 0, first = 1;

	if (argc >= 2 && strcmp(argv[1], "--selftest") == 0)
		return selftest(argc == 3 && strcmp(argv[2], "-v") == 0);
	if (argc > 1 && strcmp(argv[1], "--final") == 0) {
		final = true;
		first = 2;
	}
	if (argc <= first || argv[first][0] == '-') {
		fprintf(stderr, "usage: evscheck [--final] FILE... | "
		    "--selftest [-v]\n");
		return 2;
	}
	evs_init(&e);
	for (int i = first; i < argc && rc == 0; i++) {
		FILE *f = fopen(argv[i], "r");

		if (!f) {
			perror(argv[i]);
			evs_free(&e);
			return 2;
		}
		rc = evs_read(&e, f, argv[i]);
		fclose(f);
	}
	if (rc) {
		fprintf(stderr, "evscheck: %s\n", e.err);
		evs_free(&e);
		return 2;
	}
	rc = evs_check(&e);
	if (rc == 0 && final)
		rc = evs_check_final(&e);
	for (size_t i = 0; i < e.n; i++)
		groups += e.h[i].group >= 0;
	if (rc)
		printf("VIOLATION: %s\n", e.err);
	else if (groups)
		printf("ok: %zu histories (%zu of CPG groups), invariants 1-4, 6 "
		    "and 9-%d hold\n", e.n, groups, final ? 12 : 11);
	else
		printf("ok: %zu histories, invariants 1-6 hold\n", e.n);
	evs_free(&e);
	return rc ? 1 : 0;
}
