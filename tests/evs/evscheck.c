/*
 * evscheck: check recorded histories against the invariants of evs.h.
 *
 *   evscheck FILE...     exit 0 if every invariant holds, 1 if not (the
 *                        violation is printed), 2 on unreadable input
 *   evscheck --selftest  the checker checked: a good set of histories
 *                        passes and each invariant's violation is caught
 */
#include <stdio.h>
#include <string.h>

#include "evs.h"

struct selfcase {
	const char *name;
	const char *want;          /* substring of the error; NULL: passes */
	const char *hist[3];
};

/* Two processes p1 (node 1) and p2 (node 2) through one ring, then a
 * partition; variants break one invariant each. */
#define GOOD_P1 "proc p1\nconf R 1.4 1 2\nsend 1 a1\ndeliver p1 1 a1\n" \
	"deliver p2 1 b1\nconf T 1.8 1\nconf R 1.8 1\nsend 2 a2\ndeliver p1 2 a2\n"
#define GOOD_P2 "proc p2\nconf R 1.4 1 2\nsend 1 b1\ndeliver p1 1 a1\n" \
	"deliver p2 1 b1\nconf T 2.8 2\nconf R 2.8 2\n"

static const struct selfcase cases[] = {
	{ "good", NULL, { GOOD_P1, GOOD_P2 } },
	{ "created", "invariant 1 (no creation)", { GOOD_P1,
	    "proc p2\nconf R 1.4 1 2\nsend 1 b1\ndeliver p1 1 a1\n"
	    "deliver p1 9 a9\ndeliver p2 1 b1\n" } },
	{ "duplicate", "invariant 1 (no duplication)", { GOOD_P1,
	    "proc p2\nconf R 1.4 1 2\nsend 1 b1\ndeliver p1 1 a1\n"
	    "deliver p1 1 a1\ndeliver p2 1 b1\n" } },
	{ "corrupt", "invariant 1 (no creation)", { GOOD_P1,
	    "proc p2\nconf R 1.4 1 2\nsend 1 b1\ndeliver p1 1 ff\n"
	    "deliver p2 1 b1\n" } },
	{ "order", "invariant 2", { GOOD_P1,
	    "proc p2\nconf R 1.4 1 2\nsend 1 b1\ndeliver p2 1 b1\n"
	    "deliver p1 1 a1\n" } },
	{ "fifo", "invariant 3", {
	    "proc p1\nconf R 1.4 1\nsend 1 a1\nsend 2 a2\nsend 3 a3\n"
	    "deliver p1 1 a1\ndeliver p1 3 a3\ndeliver p1 2 a2\n" } },
	{ "self", "invariant 4", {
	    "proc p1\nconf R 1.4 1\nsend 1 a1\nsend 2 a2\ndeliver p1 1 a1\n" } },
	{ "self-crash", NULL, {
	    "proc p1\nconf R 1.4 1\nsend 1 a1\nsend 2 a2\ndeliver p1 1 a1\n"
	    "crash\n" } },
	{ "synchrony", "invariant 5", {
	    "proc p1\nconf R 1.4 1 2\nsend 1 a1\ndeliver p1 1 a1\n"
	    "conf T 1.8 1 2\nconf R 1.8 1 2\n",
	    "proc p2\nconf R 1.4 1 2\nconf T 1.8 1 2\nconf R 1.8 1 2\n" } },
	{ "agreement", "invariant 6 (agreement)", { GOOD_P1,
	    "proc p2\nconf R 1.4 1 2 3\nsend 1 b1\ndeliver p1 1 a1\n"
	    "deliver p2 1 b1\n" } },
	{ "no-transitional", "without a transitional", {
	    "proc p1\nconf R 1.4 1\nconf R 1.8 1 2\n" } },
};

static int selftest(void)
{
	int bad = 0;

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct evs e;
		int rc = 0;

		evs_init(&e);
		for (int i = 0; i < 3 && cases[c].hist[i]; i++) {
			FILE *f = fmemopen((void *)cases[c].hist[i],
			    strlen(cases[c].hist[i]), "r");

			rc |= evs_read(&e, f, cases[c].name);
			fclose(f);
		}
		if (rc == 0)
			rc = evs_check(&e);
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
	int rc = 0;

	if (argc == 2 && strcmp(argv[1], "--selftest") == 0)
		return selftest();
	if (argc < 2) {
		fprintf(stderr, "usage: evscheck FILE... | --selftest\n");
		return 2;
	}
	evs_init(&e);
	for (int i = 1; i < argc && rc == 0; i++) {
		FILE *f = fopen(argv[i], "r");

		if (!f) {
			perror(argv[i]);
			return 2;
		}
		rc = evs_read(&e, f, argv[i]);
		fclose(f);
	}
	if (rc) {
		fprintf(stderr, "evscheck: %s\n", e.err);
		return 2;
	}
	rc = evs_check(&e);
	if (rc)
		printf("VIOLATION: %s\n", e.err);
	else
		printf("ok: %zu histories, invariants 1-6 hold\n", e.n);
	evs_free(&e);
	return rc ? 1 : 0;
}
