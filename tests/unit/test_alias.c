/*
 * test_alias.c - alias_parse_recipients (alias.c): separators, the
 * normal form, de-duplication, the 1..10 bound, RFC 5321 lengths, ASCII,
 * control characters and address syntax, table-driven.  Each row gives
 * the raw text and either the normalised list ("a|b") or the problem code.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/arena.h"
#include "rules/alias.h"
#include "test.h"

#define L64 "llllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllll"
#define D63 "ddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"

struct parse_case {
	const char *name;
	const char *raw;
	const char *want; /* "a|b" normalised, or NULL */
	const char *code; /* problem code when want is NULL */
};

static const struct parse_case cases[] = {
	{ "one", "you@example.org", "you@example.org", NULL },
	{ "commas, spaces, newlines", " a@x.org,b@y.org\r\nc@z.org\t d@w.org ",
	    "a@x.org|b@y.org|c@z.org|d@w.org", NULL },
	{ "domain lower-cased, local kept", "You.Me@Example.ORG",
	    "You.Me@example.org", NULL },
	{ "duplicates dropped", "a@x.org, A@X.org\na@x.org, b@x.org",
	    "a@x.org|b@x.org", NULL },
	{ "atext specials", "a!#$%&'*+/=?^_`{|}~-@x.org",
	    "a!#$%&'*+/=?^_`{|}~-@x.org", NULL },
	{ "ten",
	    "1@x.org 2@x.org 3@x.org 4@x.org 5@x.org 6@x.org 7@x.org "
	    "8@x.org 9@x.org 10@x.org",
	    "1@x.org|2@x.org|3@x.org|4@x.org|"
	    "5@x.org|6@x.org|7@x.org|8@x.org|9@x.org|10@x.org",
	    NULL },
	{ "eleven",
	    "1@x.org 2@x.org 3@x.org 4@x.org 5@x.org 6@x.org 7@x.org "
	    "8@x.org 9@x.org 10@x.org 11@x.org",
	    NULL, "too_many_recipients" },
	{ "eleven with a duplicate is ten",
	    "1@x.org 2@x.org 3@x.org 4@x.org "
	    "5@x.org 6@x.org 7@x.org 8@x.org 9@x.org 10@x.org 1@X.ORG",
	    "1@x.org|2@x.org|3@x.org|4@x.org|5@x.org|6@x.org|7@x.org|"
	    "8@x.org|9@x.org|10@x.org",
	    NULL },
	{ "empty", "", NULL, "no_recipients" },
	{ "only separators", " ,\r\n, ", NULL, "no_recipients" },
	{ "NULL", NULL, NULL, "no_recipients" },
	{ "local part 64", L64 "@x.org", L64 "@x.org", NULL },
	{ "local part 65", L64 "l@x.org", NULL, "recipient_too_long" },
	{ "whole 254",
	    "a@" D63 "." D63 "." D63
	    ".dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd",
	    "a@" D63 "." D63 "." D63
	    ".dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd",
	    NULL },
	{ "whole 255",
	    "ab@" D63 "." D63 "." D63
	    ".dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd",
	    NULL, "recipient_too_long" },
	{ "label 64", "a@" D63 "d.org", NULL, "recipient_invalid" },
	{ "no @", "you.example.org", NULL, "recipient_invalid" },
	{ "two @", "a@b@x.org", NULL, "recipient_invalid" },
	{ "empty local", "@x.org", NULL, "recipient_invalid" },
	{ "empty domain", "a@", NULL, "recipient_invalid" },
	{ "single-label domain", "a@localhost", NULL, "recipient_invalid" },
	{ "numeric TLD", "a@1.2.3.4", NULL, "recipient_invalid" },
	{ "address literal", "a@[127.0.0.1]", NULL, "recipient_invalid" },
	{ "leading dot", ".a@x.org", NULL, "recipient_invalid" },
	{ "double dot", "a..b@x.org", NULL, "recipient_invalid" },
	{ "trailing dot", "a.@x.org", NULL, "recipient_invalid" },
	{ "quoted local", "\"a b\"@x.org", NULL, "recipient_invalid" },
	{ "angle brackets", "<a@x.org>", NULL, "recipient_invalid" },
	{ "domain trailing dot", "a@x.org.", NULL, "recipient_invalid" },
	{ "domain hyphen edge", "a@-x.org", NULL, "recipient_invalid" },
	{ "underscore in domain", "a@x_y.org", NULL, "recipient_invalid" },
	{ "CR/LF header injection", "a@x.org\r\nBcc: evil@x.org", NULL,
	    "recipient_invalid" },
	{ "control character", "a\001b@x.org", NULL, "recipient_control" },
	{ "DEL", "ab\177@x.org", NULL, "recipient_control" },
	{ "non-ASCII local", "j\xc3\xb6rg@x.org", NULL, "recipient_not_ascii" },
	{ "non-ASCII domain",
	    "a@b\xc3\xbc"
	    "cher.de",
	    NULL, "recipient_not_ascii" },
	{ "A-label domain", "a@xn--bcher-kva.de", "a@xn--bcher-kva.de", NULL },
	{ "a bad one after good ones", "a@x.org b@x", NULL,
	    "recipient_invalid" },
};

/* The list joined by '|', in the arena. */
static const char *
joined(struct arena *a, const char **list, size_t n)
{
	const char *s = "";
	size_t      i;

	for (i = 0; s != NULL && i < n; i++)
		s = arena_printf(a, "%s%s%s", s, i ? "|" : "", list[i]);
	return s;
}

static void
run(struct arena *a, const struct parse_case *c)
{
	struct alias_problem why = { NULL, NULL, NULL };
	const char         **list = NULL;
	char                *raw = NULL;
	size_t               n = 0;
	int                  rc;

	/* An exact-size heap copy: ASan sees any read past its end. */
	if (c->raw != NULL && (raw = strdup(c->raw)) == NULL) {
		perror("strdup");
		exit(1);
	}
	rc = alias_parse_recipients(a, raw, &list, &n, &why);
	if (c->want != NULL) {
		CHECK_INT(rc, 0, "%s: rc (problem %s)", c->name,
		    why.code ? why.code : "-");
		if (rc == 0)
			CHECK_STR(joined(a, list, n), c->want, "%s", c->name);
	} else {
		CHECK_INT(rc, -1, "%s: rc", c->name);
		CHECK_STR(why.code, c->code, "%s: code", c->name);
		CHECK_STR(why.field, "recipients", "%s: field", c->name);
		CHECK(why.message != NULL && why.message[0] != '\0',
		    "%s: a message", c->name);
	}
	free(raw);
}

/* The per-address rule provisioning applies to a user's e-mail. */
static void
test_recipient_valid(void)
{
	static const struct {
		const char *addr;
		int         ok;
	} v[] = {
		{ "you@example.org", 1 },
		{ "first.last+tag@mail.example.org", 1 },
		{ "you@EXAMPLE.org", 0 }, /* not normalised */
		{ "you@example", 0 },     /* one label */
		{ "you@example.123", 0 }, /* numeric TLD */
		{ ".you@example.org", 0 }, { "a..b@example.org", 0 },
		{ "you example@example.org", 0 }, { "you@exa\r\nmple.org", 0 },
		{ "y\xc3\xb6u@example.org", 0 }, /* not ASCII */
		{ "@example.org", 0 }, { "you.example.org", 0 },
		{ "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		  "@example.org",
		    0 }, /* 65-byte local part */
	};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		CHECK_INT(alias_recipient_valid(v[i].addr), v[i].ok,
		    "alias_recipient_valid(\"%s\")", v[i].addr);
}

int
main(void)
{
	struct arena *a;
	size_t        i;

	if ((a = arena_new(1024 * 1024)) == NULL) {
		perror("arena_new");
		return 1;
	}
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		run(a, &cases[i]);
		arena_reset(a);
	}
	arena_free(a);
	test_recipient_valid();
	return test_done("test_alias");
}
