/* test_dbcol.c - reading result columns by name, and array columns. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/arena.h"
#include "store/db.h"
#include "test.h"

#define MAXEL 6
#define NUL   ((const char *)1) /* an SQL NULL element */

static const struct {
	const char *text;
	int         n; /* elements, or -1: refused */
	const char *want[MAXEL];
} cases[] = {
	{ "{}", 0, { NULL } },
	{ "{a}", 1, { "a" } },
	{ "{3,14,159}", 3, { "3", "14", "159" } },
	{ "{ubuntumembers,kubuntu-members,a+b.c}", 3,
	    { "ubuntumembers", "kubuntu-members", "a+b.c" } },
	/* array_out quotes what has a separator, a quote, a backslash,
	   white space, braces, or is empty or "NULL". */
	{ "{\"a b\",\"c,d\",\"e\\\"f\",\"g\\\\h\",\"\",\"{x}\"}", 6,
	    { "a b", "c,d", "e\"f", "g\\h", "", "{x}" } },
	{ "{NULL,x,null}", 3, { NUL, "x", NUL } },
	{ "{\"NULL\"}", 1, { "NULL" } },
	{ "{left-team,NULL}", 2, { "left-team", NUL } },
	{ "{\xc3\xa9t\xc3\xa9,\"\xc3\xbc \xc3\xbc\"}", 2,
	    { "\xc3\xa9t\xc3\xa9", "\xc3\xbc \xc3\xbc" } },
	/* A lower bound other than 1 comes first. */
	{ "[0:1]={7,8}", 2, { "7", "8" } },
	{ "", -1, { NULL } },
	{ "a", -1, { NULL } },
	{ "{", -1, { NULL } },
	{ "{a", -1, { NULL } },
	{ "{a,}", -1, { NULL } },
	{ "{,a}", -1, { NULL } },
	{ "{a}x", -1, { NULL } },
	{ "{a}}", -1, { NULL } },
	{ "{\"a}", -1, { NULL } },
	{ "{\"a\\\"}", -1, { NULL } },
	{ "{\"a\"b}", -1, { NULL } },
	{ "{a\"b}", -1, { NULL } },
	{ "{{1,2},{3,4}}", -1, { NULL } },
	{ "[0:1]{1,2}", -1, { NULL } },
};

static void
test_parse(struct arena *a)
{
	const char **v;
	size_t       i, k, n;
	enum app_err e;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		e = db_array_parse(a, cases[i].text, &v, &n);
		if (cases[i].n < 0) {
			CHECK_INT(e, APP_EINTERNAL, "refuse %s", cases[i].text);
			continue;
		}
		CHECK_INT(e, APP_OK, "parse %s", cases[i].text);
		if (e != APP_OK)
			continue;
		CHECK_INT(n, cases[i].n, "elements of %s", cases[i].text);
		for (k = 0; k < n && k < MAXEL; k++)
			CHECK_STR(v[k],
			    cases[i].want[k] == NUL ? NULL : cases[i].want[k],
			    "%s [%zu]", cases[i].text, k);
	}
}

/* An arena too small for the elements: APP_ENOMEM, never a bad read. */
static void
test_full(void)
{
	struct arena *a = arena_new(512);
	const char  **v;
	size_t        n;

	CHECK(a != NULL, "arena");
	if (a == NULL)
		return;
	CHECK_INT(db_array_parse(a,
		      "{\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\","
		      "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb}",
		      &v, &n),
	    APP_ENOMEM, "a full arena");
	arena_free(a);
}

enum {
	C_TEXT,
	C_NUMBER,
	C_FLAG,
	C_LIST,
	C_HEX,
	C__N
};

/* A result as libpq would hand it over: two rows, the second all NULL. */
static PGresult *
result(void)
{
	/* libpq's setters take char *: writable copies. */
	static char  names[C__N][8] = { "text", "number", "flag", "list",
		 "hex" };
	static char  row0[C__N][32] = { "hello", "-42", "t",
		 "{1,\"two words\",NULL}", "00ff7Aa1" };
	PGresAttDesc attrs[C__N];
	PGresult    *res;
	int          c;

	if ((res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK)) == NULL)
		return NULL;
	memset(attrs, 0, sizeof(attrs));
	for (c = 0; c < C__N; c++)
		attrs[c].name = names[c];
	if (!PQsetResultAttrs(res, C__N, attrs))
		goto fail;
	for (c = 0; c < C__N; c++)
		if (!PQsetvalue(res, 0, c, row0[c], (int)strlen(row0[c])) ||
		    !PQsetvalue(res, 1, c, NULL, -1))
			goto fail;
	return res;
fail:
	PQclear(res);
	return NULL;
}

static void
test_columns(struct arena *a)
{
	PGresult     *res = result();
	const char  **v;
	size_t        n;
	unsigned char bytes[32];

	CHECK(res != NULL, "a result made by hand");
	if (res == NULL)
		return;
	CHECK_STR(db_str(res, 0, C_TEXT), "hello", "db_str");
	CHECK_STR(db_str(res, 1, C_TEXT), "", "db_str of NULL");
	CHECK_INT(db_ll(res, 0, C_NUMBER), -42, "db_ll");
	CHECK_INT(db_ll(res, 1, C_NUMBER), 0, "db_ll of NULL");
	CHECK_INT(db_ll(res, 0, C_TEXT), 0, "db_ll of text");
	CHECK_INT(db_bool(res, 0, C_FLAG), 1, "db_bool of t");
	CHECK_INT(db_bool(res, 0, C_TEXT), 0, "db_bool of other text");
	CHECK_INT(db_bool(res, 1, C_FLAG), 0, "db_bool of NULL");
	CHECK_INT(db_null(res, 0, C_TEXT), 0, "db_null of a value");
	CHECK_INT(db_null(res, 1, C_TEXT), 1, "db_null of NULL");
	CHECK_STR(db_dup(a, res, 0, C_TEXT), "hello", "db_dup");
	CHECK(db_dup(a, res, 0, C_TEXT) != db_str(res, 0, C_TEXT),
	    "db_dup copies");
	CHECK_STR(db_dup(a, res, 1, C_TEXT), NULL, "db_dup of NULL");
	CHECK_INT(db_array(a, res, 0, C_LIST, &v, &n), APP_OK, "db_array");
	CHECK_INT(n, 3, "db_array's elements");
	if (n == 3) {
		CHECK_STR(v[0], "1", "db_array [0]");
		CHECK_STR(v[1], "two words", "db_array [1]");
		CHECK_STR(v[2], NULL, "db_array [2]");
	}
	CHECK_INT(db_array(a, res, 1, C_LIST, &v, &n), APP_OK,
	    "db_array of NULL");
	CHECK_INT(n, 0, "db_array of NULL: no element");
	CHECK_INT(db_array(a, res, 0, C_TEXT, &v, &n), APP_EINTERNAL,
	    "db_array of text");
	CHECK_INT(db_hex(res, 0, C_HEX, bytes, sizeof(bytes)), 4, "db_hex");
	CHECK(memcmp(bytes, "\x00\xff\x7a\xa1", 4) == 0, "db_hex's bytes");
	CHECK_INT(db_hex(res, 0, C_HEX, bytes, 3), -1, "db_hex too long");
	CHECK_INT(db_hex(res, 0, C_TEXT, bytes, sizeof(bytes)), -1,
	    "db_hex of an odd length");
	CHECK_INT(db_hex(res, 0, C_LIST, bytes, sizeof(bytes)), -1,
	    "db_hex of text");
	CHECK_INT(db_hex(res, 1, C_HEX, bytes, sizeof(bytes)), 0,
	    "db_hex of NULL: nothing");
	PQclear(res);
}

int
main(void)
{
	struct arena *a = arena_new(1 << 20);

	if (a == NULL)
		return 99;
	test_parse(a);
	test_full();
	test_columns(a);
	arena_free(a);
	return test_done("test_dbcol");
}
