/*
 * test_site.c - rules/site.c: the rules the operator CLI and the
 * /admin pages share, table-driven against the schema's own rules
 * (mm_valid_domain, mm_valid_lp_name, mm_is_line, the domains checks);
 * and lib/valid.c's valid_utf8, which lets such fields reach them.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "lib/valid.h"
#include "rules/site.h"
#include "test.h"

#define A63 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static const struct {
	const char *in;
	const char *why; /* NULL: a valid domain */
} domains[] = {
	{ "ubuntu.com", NULL },
	{ "xn--bcher-kva.example", NULL },
	{ "a-b.c0.org", NULL },
	{ A63 ".com", NULL },
	{ "a" A63 ".com", "a label is longer than 63 characters" },
	{ "Ubuntu.com", "upper-case letters" },
	{ "ubuntu", "a single label" },
	{ "ubuntu.com.", "trailing dot" },
	{ "ubuntu..com", "empty label" },
	{ ".ubuntu.com", "empty label" },
	{ "", "empty label" },
	{ "-a.com", "a label starts or ends with '-'" },
	{ "a-.com", "a label starts or ends with '-'" },
	{ "1.2.3.4", "the last label does not start with a letter" },
	{ "a.b_c.com", "a character other than a-z, 0-9, '-' and '.'" },
	{ "a.com\r\nX", "a character other than a-z, 0-9, '-' and '.'" },
	{ "caf\xc3\xa9.com", "a character other than a-z, 0-9, '-' and '.'" },
};

static const struct {
	const char  *in;
	enum sa_team want;
} teams[] = {
	{ "~ubuntumembers", SA_TEAM_OK },
	{ "~kubuntu-members", SA_TEAM_OK },
	{ "~a+b.c", SA_TEAM_OK },
	{ "ubuntumembers", SA_TEAM_NO_TILDE },
	{ "/root", SA_TEAM_HOME },
	{ "~", SA_TEAM_BAD },
	{ "~a", SA_TEAM_BAD },
	{ "~Ubuntu", SA_TEAM_BAD },
	{ "~-x", SA_TEAM_BAD },
	{ "~a b", SA_TEAM_BAD },
	{ "", SA_TEAM_BAD },
};

static const struct {
	const char *in;
	size_t      max;
	int         want;
} lines[] = {
	{ "Ubuntu Studio", 64, 1 },
	{ "", 64, 0 },
	{ "a\nb", 64, 0 },
	{ "a\r", 64, 0 },
	{ "a\tb", 64, 0 },
	{ "\x7f", 64, 0 },
	{ "\xc2\x85", 64, 0 },                /* U+0085, C1 */
	{ "\xc2\xa0", 64, 1 },                /* U+00A0 is not a control */
	{ "\xff", 64, 0 },                    /* not UTF-8 */
	{ "\xc3\xa4\xc3\xa4\xc3\xa4", 3, 1 }, /* characters, not bytes */
	{ "\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4", 3, 0 },
	{ "abcd", 3, 0 },
};

static const struct {
	const char *in;
	int         want;
} limits[] = {
	{ "0", 0 },
	{ "3", 3 },
	{ "100", 100 },
	{ "007", 7 },
	{ "101", -1 },
	{ "-1", -1 },
	{ "", -1 },
	{ " 3", -1 },
	{ "3 ", -1 },
	{ "+3", -1 },
	{ "1e2", -1 },
	{ "x", -1 },
	{ "99999999999999999999999", -1 },
};

static void
test_rules(void)
{
	size_t i;

	for (i = 0; i < sizeof(domains) / sizeof(domains[0]); i++)
		CHECK_STR(domain_problem(domains[i].in), domains[i].why,
		    "domain \"%s\"", domains[i].in);
	for (i = 0; i < sizeof(teams) / sizeof(teams[0]); i++)
		CHECK_INT(sa_team_check(teams[i].in), teams[i].want,
		    "team \"%s\"", teams[i].in);
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		CHECK_INT(sa_line_ok(lines[i].in, lines[i].max), lines[i].want,
		    "line case %zu", i);
	for (i = 0; i < sizeof(limits) / sizeof(limits[0]); i++)
		CHECK_INT(sa_alias_limit(limits[i].in), limits[i].want,
		    "limit \"%s\"", limits[i].in);
	CHECK(sa_slug_ok("ubuntu") && sa_slug_ok("a-1") &&
		sa_slug_ok("abcdefghijklmnopqrstuvwxyz012345"),
	    "good slugs");
	CHECK(!sa_slug_ok("") && !sa_slug_ok("-a") && !sa_slug_ok("A") &&
		!sa_slug_ok("abcdefghijklmnopqrstuvwxyz0123456"),
	    "bad slugs");
	CHECK(sa_lp_name_ok("Bob-2", 1) && !sa_lp_name_ok("Bob-2", 0),
	    "upper case only when folding");
	CHECK(!sa_lp_name_ok("a", 1) && !sa_lp_name_ok(".a", 1) &&
		!sa_lp_name_ok("a b", 1),
	    "bad Launchpad names");
}

static void
test_token(void)
{
	char   a[SA_TOKEN_LEN + 1], b[SA_TOKEN_LEN + 1];
	size_t n;

	sa_make_token(a);
	sa_make_token(b);
	n = strspn(a,
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789");
	CHECK_INT(strlen(a), SA_TOKEN_LEN, "token length");
	CHECK_INT(n, SA_TOKEN_LEN, "token alphabet");
	CHECK(strcmp(a, b) != 0, "two tokens differ");
}

static void
test_valid_utf8(void)
{
	CHECK(valid_utf8("a\r\nb\t", 5), "controls pass");
	CHECK(valid_utf8("", 0), "empty passes");
	CHECK(valid_utf8("\xc3\xa4", 2), "UTF-8 passes");
	CHECK(!valid_utf8("a\0b", 3), "NUL refused");
	CHECK(!valid_utf8("\xc3", 1), "truncated sequence refused");
	CHECK(!valid_utf8("\xff", 1), "not UTF-8 refused");
	CHECK(!valid_utf8("\xed\xa0\x80", 3), "surrogate refused");
}

int
main(void)
{
	if (sodium_init() == -1)
		return 1;
	test_rules();
	test_token();
	test_valid_utf8();
	return test_done("test_site");
}
