/* test_sqlsplit.c - splitting migration files into statements. */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "lib/sqlsplit.h"
#include "test.h"

#define MAXST 4

static const struct {
	const char *sql;
	int         n;     /* statements, or -1 for an error */
	const char *first; /* text of the first statement */
	int         lines[MAXST];
} cases[] = {
	{ "CREATE TABLE a (x int); CREATE TABLE b (y int);", 2,
	    "CREATE TABLE a (x int)", { 1, 1 } },
	{ "INSERT INTO t VALUES ('a;b');", 1, "INSERT INTO t VALUES ('a;b')",
	    { 1 } },
	{ "SELECT 'it''s;'; SELECT 2", 2, "SELECT 'it''s;'", { 1, 1 } },
	{ "SELECT E'a\\';b'; SELECT 2;", 2, "SELECT E'a\\';b'", { 1, 1 } },
	{ "SELECT 'a\\'; SELECT 2;", 2, "SELECT 'a\\'", { 1, 1 } },
	{ "SELECT 1 AS \"x;y\";", 1, "SELECT 1 AS \"x;y\"", { 1 } },
	{ "-- a; b\nSELECT 1; /* c; /* nested; */ d; */ SELECT 2;", 2,
	    "SELECT 1", { 2, 2 } },
	{ "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;"
	  "\nSELECT 2;",
	    2,
	    "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql",
	    { 1, 2 } },
	{ "DO $body$ BEGIN PERFORM 1; RAISE '$$;'; END $body$;", 1,
	    "DO $body$ BEGIN PERFORM 1; RAISE '$$;'; END $body$", { 1 } },
	{ "PREPARE p AS SELECT $1; SELECT a$b;", 2, "PREPARE p AS SELECT $1",
	    { 1, 1 } },
	{ "SELECT 1", 1, "SELECT 1", { 1 } },
	{ "-- nothing\n/* x; */\n;;\n  \n", 0, NULL, { 0 } },
	{ "", 0, NULL, { 0 } },
	{ "\n\n-- c\nSELECT\n1;\n\nSELECT 2;\n", 2, "SELECT\n1", { 4, 7 } },
	{ "SELECT 'abc", -1, NULL, { 0 } },
	{ "SELECT 1; /* open", -1, NULL, { 0 } },
	{ "SELECT $$ open", -1, NULL, { 0 } },
	{ "SELECT \"open", -1, NULL, { 0 } },
	{ "SELECT $a$ x $b$ y", -1, NULL, { 0 } },
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

/* All statements of sql; the count, or -1 at the first error. */
static int
split_all(const char *sql, size_t len, struct sql_stmt *out, int max)
{
	size_t          pos = 0;
	int             line = 1, n = 0, rc;
	struct sql_stmt st;

	while ((rc = sql_next(sql, len, &pos, &line, &st)) == 1) {
		if (n < max)
			out[n] = st;
		if (++n > 1000)
			return -2; /* not advancing */
	}
	return rc == -1 ? -1 : n;
}

static void
test_cases(void)
{
	struct sql_stmt st[MAXST];
	size_t          i;
	int             n, j;

	for (i = 0; i < NCASES; i++) {
		n = split_all(cases[i].sql, strlen(cases[i].sql), st, MAXST);
		CHECK_INT(n, cases[i].n, "count of case %zu", i);
		if (n <= 0 || n != cases[i].n)
			continue;
		CHECK(st[0].len == strlen(cases[i].first) &&
			memcmp(st[0].text, cases[i].first, st[0].len) == 0,
		    "first statement of case %zu", i);
		for (j = 0; j < n && j < MAXST; j++)
			CHECK_INT(st[j].line, cases[i].lines[j],
			    "line of statement %d, case %zu", j, i);
	}
}

/* Every prefix, in an exact-size buffer so ASan catches over-reads. */
static void
test_prefixes(void)
{
	struct sql_stmt st[MAXST];
	size_t          i, k, len;
	char           *p;
	int             n, ok = 1;

	for (i = 0; i < NCASES; i++) {
		len = strlen(cases[i].sql);
		for (k = 0; k <= len; k++) {
			if ((p = malloc(k ? k : 1)) == NULL)
				return;
			memcpy(p, cases[i].sql, k);
			n = split_all(p, k, st, MAXST);
			if (n < -1 || n > (cases[i].n < 1 ? 1 : cases[i].n) + 1)
				ok = 0;
			free(p);
		}
	}
	CHECK(ok, "every prefix splits without running away");
}

static void
test_line_of(void)
{
	struct sql_stmt st = { "SELECT\n  x\nFROM \xc3\xa9t\xc3\xa9\n bad", 0,
		10 };

	st.len = strlen(st.text);
	CHECK_INT(sql_line_of(&st, 1), 10, "first char");
	CHECK_INT(sql_line_of(&st, 10), 11, "x");
	CHECK_INT(sql_line_of(&st, 12), 12, "FROM");
	/* "bad" starts at character 23: é counts once though it is 2 bytes */
	CHECK_INT(sql_line_of(&st, 23), 13, "after UTF-8");
	CHECK_INT(sql_line_of(&st, 9999), 13, "past the end");
	/* Positions come from the server: none is out of range (the fuzzer
	 * found INT_MIN overflowing "charpos - 1"). */
	CHECK_INT(sql_line_of(&st, 0), 10, "position 0");
	CHECK_INT(sql_line_of(&st, -1), 10, "negative position");
	CHECK_INT(sql_line_of(&st, INT_MIN), 10, "INT_MIN");
	CHECK_INT(sql_line_of(&st, INT_MAX), 13, "INT_MAX");
}

int
main(void)
{
	test_cases();
	test_prefixes();
	test_line_of();
	return test_done("test_sqlsplit");
}
