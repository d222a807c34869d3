/* test_route.c - route matching (404/405/HEAD/:params) and field checks. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "http/fields.h"
#include "http/req.h"
#include "http/route.h"
#include "lib/form.h"
#include "lib/valid.h"
#include "test.h"

static enum app_err
h_none(struct req *r)
{
	(void)r;
	return APP_OK;
}

static const struct route table[] = {
	{ METHOD_GET, "/", h_none, ACCESS_ANYONE, 0, NULL, 0 },
	{ METHOD_GET, "/ubuntu", h_none, ACCESS_ANYONE, 0, NULL, 0 },
	{ METHOD_POST, "/ubuntu", h_none, ACCESS_ANYONE, 1, NULL, 0 },
	{ METHOD_POST, "/auth/ubuntu", h_none, ACCESS_ANYONE, 1, NULL, 0 },
	{ METHOD_GET, "/my/aliases/:id", h_none, ACCESS_SIGNED_IN, 0, NULL, 0 },
	{ METHOD_POST | METHOD_DELETE, "/d/:domain/m/:user", h_none,
	    ACCESS_DOMAIN_ADMIN, 1, NULL, 0 },
};
#define NTABLE (sizeof(table) / sizeof(table[0]))

static const struct {
	enum method       method;
	const char       *path;
	enum route_result want;
	int               row;     /* table row when found */
	const char       *allow;   /* when 405 */
	const char       *p1, *p2; /* path params when found */
} cases[] = {
	{ METHOD_GET, "/", ROUTE_FOUND, 0, NULL, NULL, NULL },
	{ METHOD_HEAD, "/", ROUTE_FOUND, 0, NULL, NULL, NULL },
	{ METHOD_POST, "/", ROUTE_NO_METHOD, 0, "GET, HEAD", NULL, NULL },
	{ METHOD_GET, "/ubuntu", ROUTE_FOUND, 1, NULL, NULL, NULL },
	{ METHOD_POST, "/ubuntu", ROUTE_FOUND, 2, NULL, NULL, NULL },
	{ METHOD_PUT, "/ubuntu", ROUTE_NO_METHOD, 0, "GET, HEAD, POST", NULL,
	    NULL },
	{ METHOD_GET, "/auth/ubuntu", ROUTE_NO_METHOD, 0, "POST", NULL, NULL },
	{ METHOD_HEAD, "/auth/ubuntu", ROUTE_NO_METHOD, 0, "POST", NULL, NULL },
	{ METHOD_GET, "/ubuntu/", ROUTE_NO_PATH, 0, NULL, NULL, NULL },
	{ METHOD_GET, "//", ROUTE_NO_PATH, 0, NULL, NULL, NULL },
	{ METHOD_GET, "/ubunt", ROUTE_NO_PATH, 0, NULL, NULL, NULL },
	{ METHOD_GET, "/ubuntux", ROUTE_NO_PATH, 0, NULL, NULL, NULL },
	{ METHOD_GET, "/UBUNTU", ROUTE_NO_PATH, 0, NULL, NULL, NULL },
	{ METHOD_GET, "/nope", ROUTE_NO_PATH, 0, NULL, NULL, NULL },
	{ METHOD_GET, "/my/aliases/42", ROUTE_FOUND, 4, NULL, "42", NULL },
	{ METHOD_GET, "/my/aliases/a%20b", ROUTE_FOUND, 4, NULL, "a b", NULL },
	{ METHOD_GET, "/my/aliases/", ROUTE_NO_PATH, 0, NULL, NULL, NULL },
	{ METHOD_GET, "/my/aliases", ROUTE_NO_PATH, 0, NULL, NULL, NULL },
	{ METHOD_GET, "/my/aliases/1/2", ROUTE_NO_PATH, 0, NULL, NULL, NULL },
	{ METHOD_GET, "/my/aliases/%zz", ROUTE_NO_PATH, 0, NULL, NULL, NULL },
	{ METHOD_GET, "/my/aliases/%00", ROUTE_NO_PATH, 0, NULL, NULL, NULL },
	{ METHOD_DELETE, "/d/ubuntu.com/m/bob", ROUTE_FOUND, 5, NULL,
	    "ubuntu.com", "bob" },
	{ METHOD_GET, "/d/ubuntu.com/m/bob", ROUTE_NO_METHOD, 0, "POST, DELETE",
	    NULL, NULL },
	{ METHOD_OTHER, "/", ROUTE_NO_METHOD, 0, "GET, HEAD", NULL, NULL },
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

static void
test_match(struct req *r)
{
	const struct route *found;
	char                allow[64];
	size_t              i;
	enum route_result   got;

	for (i = 0; i < NCASES; i++) {
		arena_reset(r->arena);
		r->method = cases[i].method;
		r->path = cases[i].path;
		got = route_match(r, table, NTABLE, &found, allow,
		    sizeof(allow));
		CHECK_INT(got, cases[i].want, "match %s", cases[i].path);
		if (got == ROUTE_FOUND && cases[i].want == ROUTE_FOUND) {
			CHECK(found == &table[cases[i].row], "row %s",
			    cases[i].path);
			CHECK_STR(req_path_param(r, "id") != NULL ?
				req_path_param(r, "id") :
				req_path_param(r, "domain"),
			    cases[i].p1, "param 1 %s", cases[i].path);
			CHECK_STR(req_path_param(r, "user"), cases[i].p2,
			    "param 2 %s", cases[i].path);
		}
		if (got == ROUTE_NO_METHOD)
			CHECK_STR(allow, cases[i].allow, "allow %s",
			    cases[i].path);
		if (got != ROUTE_FOUND)
			CHECK(found == NULL, "nothing found %s", cases[i].path);
	}
}

static const struct field fields[] = {
	{ "q", FIELD_QUERY, valid_text, 8, 0 },
	{ "slug", FIELD_QUERY, valid_slug, 16, 1 },
};

static const struct {
	const char  *query;
	enum app_err want;
	const char  *q, *slug;
} field_cases[] = {
	{ "slug=ubuntu", APP_OK, NULL, "ubuntu" },
	{ "q=hello&slug=a-b", APP_OK, "hello", "a-b" },
	{ "q=%C3%A9t%C3%A9&slug=x", APP_OK, "\xc3\xa9t\xc3\xa9", "x" },
	{ "q=", APP_EINPUT, NULL, NULL },                 /* slug required */
	{ "q=123456789&slug=x", APP_EINPUT, NULL, NULL }, /* too long */
	{ "q=a%0Ab&slug=x", APP_EINPUT, NULL, NULL },     /* control char */
	{ "q=%C3&slug=x", APP_EINPUT, NULL, NULL },       /* bad UTF-8 */
	{ "q=%C0%AF&slug=x", APP_EINPUT, NULL, NULL },    /* overlong */
	{ "q=%ED%A0%80&slug=x", APP_EINPUT, NULL, NULL }, /* surrogate */
	{ "slug=Ubuntu", APP_EINPUT, NULL, NULL },        /* not a slug */
	{ "slug=", APP_EINPUT, NULL, NULL },
	{ "slug=a&slug=b", APP_EINPUT, NULL, NULL },        /* given twice */
	{ "slug=x&other=%3Cscript%3E", APP_OK, NULL, "x" }, /* ignored */
};
#define NFIELD_CASES (sizeof(field_cases) / sizeof(field_cases[0]))

static void
test_fields(struct req *r)
{
	size_t       i;
	enum app_err e;

	for (i = 0; i < NFIELD_CASES; i++) {
		arena_reset(r->arena);
		r->reason = NULL;
		e = form_parse_urlencoded(r->arena, field_cases[i].query,
		    strlen(field_cases[i].query), 16, &r->query);
		CHECK_INT(e, APP_OK, "parse %s", field_cases[i].query);
		e = fields_check(r, fields, 2);
		CHECK_INT(e, field_cases[i].want, "fields %s",
		    field_cases[i].query);
		if (e == APP_OK) {
			CHECK_STR(r->fields[0], field_cases[i].q, "q of %s",
			    field_cases[i].query);
			CHECK_STR(r->fields[1], field_cases[i].slug,
			    "slug of %s", field_cases[i].query);
		} else
			CHECK(r->reason != NULL &&
				strncmp(r->reason, "field ", 6) == 0,
			    "reason of %s", field_cases[i].query);
	}
}

static void
test_validators(void)
{
	CHECK(valid_token("aZ09-_", 6), "token ok");
	CHECK(!valid_token("a b", 3), "token space");
	CHECK(!valid_token("", 0), "token empty");
	CHECK(!valid_token("a\0b", 3), "token NUL");
	CHECK(valid_slug("ubuntu-studio", 13), "slug ok");
	CHECK(!valid_slug("a.b", 3), "slug dot");
	CHECK(valid_text("", 0), "text empty");
	CHECK(valid_text("caf\xc3\xa9 \xf0\x9f\x98\x80", 10), "text utf-8");
	CHECK(!valid_text("a\x7f", 2), "text DEL");
	CHECK(!valid_text("\xf4\x90\x80\x80", 4), "text > U+10FFFF");
	CHECK(!valid_text("\xe2\x82", 2), "text truncated sequence");
	CHECK(!valid_text("Ada\xc2\x85Love", 9), "text C1 control");
	CHECK(valid_text("Ad\xc3\xa0", 4), "text U+00E0 is fine");
	CHECK(valid_address("ada@example.com", 15), "address");
	CHECK(valid_address("j\xc3\xb6rg@b\xc3\xbc"
			    "cher.de",
		  16),
	    "address UTF-8");
	CHECK(!valid_address("a b@example.com", 15), "address space");
	CHECK(!valid_address("x@y@example.com", 15), "address two @");
	CHECK(!valid_address("ada(x)@example.com", 18), "address parens");
	CHECK(!valid_address("@example.com", 12), "address no local part");
	CHECK(!valid_address("ada@", 4), "address no domain");
	CHECK(!valid_address("ada@ex\xc2\xa0"
			     "ample.com",
		  17),
	    "address NBSP");
	CHECK(!valid_address("ada@ex\x01ample.com", 16), "address control");
	CHECK(!valid_address("", 0), "address empty");
}

int
main(void)
{
	struct req r;

	memset(&r, 0, sizeof(r));
	if ((r.arena = arena_new(64 * 1024)) == NULL)
		return 1;
	test_match(&r);
	test_fields(&r);
	test_validators();
	arena_free(r.arena);
	return test_done("test_route");
}
