/* test_route.c - route matching (404/405/HEAD/:params) and field checks. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "handlers/handlers.h"
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

enum {
	P_NONE,
	P_ID,
	P_DOMAIN,
	P_USER,
	P__N
};

static const struct param params[P__N] = {
	[P_ID] = { "id", valid_id, 18, "no such object" },
	[P_DOMAIN] = { "domain", valid_domain, 253, "no such domain" },
	[P_USER] = { "user", valid_text, 64, "no such user" },
};

static const struct route table[] = {
	{ .methods = METHOD_GET, .pattern = "/", .handler = h_none },
	{ .methods = METHOD_GET, .pattern = "/ubuntu", .handler = h_none },
	{ .methods = METHOD_POST,
	    .pattern = "/ubuntu",
	    .handler = h_none,
	    .auth = AUTH_SESSION,
	    .changes_state = 1 },
	{ .methods = METHOD_POST,
	    .pattern = "/auth/ubuntu",
	    .handler = h_none,
	    .auth = AUTH_SESSION,
	    .changes_state = 1 },
	{ .methods = METHOD_GET,
	    .pattern = "/my/aliases/:id",
	    .handler = h_none,
	    .access = ACCESS_SIGNED_IN,
	    .auth = AUTH_SESSION,
	    .params = { P_ID } },
	{ .methods = METHOD_POST | METHOD_DELETE,
	    .pattern = "/d/:domain/m/:user",
	    .handler = h_none,
	    .access = ACCESS_DOMAIN_ADMIN,
	    .auth = AUTH_SESSION,
	    .changes_state = 1,
	    .params = { P_DOMAIN, P_USER } },
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
		memset(r->params, 0, sizeof(r->params));
		r->method = cases[i].method;
		r->path = cases[i].path;
		got = route_match(r, table, NTABLE, &found, allow,
		    sizeof(allow));
		CHECK_INT(got, cases[i].want, "match %s", cases[i].path);
		if (got == ROUTE_FOUND && cases[i].want == ROUTE_FOUND) {
			CHECK(found == &table[cases[i].row], "row %s",
			    cases[i].path);
			CHECK_STR(req_param(r, P_ID) != NULL ?
				req_param(r, P_ID) :
				req_param(r, P_DOMAIN),
			    cases[i].p1, "param 1 %s", cases[i].path);
			CHECK_STR(req_param(r, P_USER), cases[i].p2,
			    "param 2 %s", cases[i].path);
		}
		if (got == ROUTE_NO_METHOD)
			CHECK_STR(allow, cases[i].allow, "allow %s",
			    cases[i].path);
		if (got != ROUTE_FOUND)
			CHECK(found == NULL, "nothing found %s", cases[i].path);
	}
}

enum {
	F_Q,
	F_SLUG,
	F__N
};

static const struct field fields[F__N] = {
	[F_Q] = { "q", FIELD_QUERY, valid_text, 8, 0 },
	[F_SLUG] = { "slug", FIELD_QUERY, valid_slug, 16, 1 },
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
		r->reason = r->reason_arg = NULL;
		e = form_parse_urlencoded(r->arena, field_cases[i].query,
		    strlen(field_cases[i].query), 16, &r->query);
		CHECK_INT(e, APP_OK, "parse %s", field_cases[i].query);
		e = fields_check(r, fields, F__N);
		CHECK_INT(e, field_cases[i].want, "fields %s",
		    field_cases[i].query);
		if (e == APP_OK) {
			CHECK_STR(req_field(r, F_Q), field_cases[i].q,
			    "q of %s", field_cases[i].query);
			CHECK_STR(req_field(r, F_SLUG), field_cases[i].slug,
			    "slug of %s", field_cases[i].query);
		} else
			CHECK(req_reason(r, NULL) != NULL &&
				strncmp(req_reason(r, NULL), "the field ",
				    10) == 0 &&
				strstr(req_reason(r, NULL), " is ") != NULL,
			    "reason of %s: %s", field_cases[i].query,
			    req_reason(r, NULL));
	}
}

static const struct field form_field[1] = {
	[0] = { "x", FIELD_FORM, valid_text, 8, 0 },
};
static const struct field holed[2] = {
	[1] = { "x", FIELD_QUERY, valid_text, 8, 0 },
};

/* Rows the dispatcher could not enforce, and what the check says. */
static const struct {
	struct route row;
	const char  *why;
} bad_rows[] = {
	{ { .methods = METHOD_GET, .pattern = "/x/:id", .handler = h_none },
	    "a :segment without its parameter" },
	{ { .methods = METHOD_GET,
	      .pattern = "/x/:id",
	      .handler = h_none,
	      .params = { P_DOMAIN } },
	    "a parameter named unlike its :segment" },
	{ { .methods = METHOD_GET,
	      .pattern = "/x",
	      .handler = h_none,
	      .params = { P_ID } },
	    "a parameter without its :segment" },
	{ { .methods = METHOD_GET,
	      .pattern = "/x/:id/:user",
	      .handler = h_none,
	      .params = { P_ID } },
	    "a :segment without its parameter" },
	{ { .methods = METHOD_GET,
	      .pattern = "/x",
	      .handler = h_none,
	      .access = ACCESS_SIGNED_IN },
	    "an access level or a state change without a credential" },
	{ { .methods = METHOD_POST,
	      .pattern = "/x",
	      .handler = h_none,
	      .changes_state = 1 },
	    "an access level or a state change without a credential" },
	{ { .methods = METHOD_GET,
	      .pattern = "/x",
	      .handler = h_none,
	      .auth = AUTH_BEARER,
	      .session_stmt = STMT_MY_SESSION_PAGE },
	    "a session statement without a session" },
	{ { .methods = METHOD_POST,
	      .pattern = "/x",
	      .handler = h_none,
	      .auth = AUTH_BEARER,
	      FIELDS(form_field) },
	    "a form field on a bearer route (JSON bodies)" },
	{ { .methods = METHOD_GET,
	      .pattern = "/x",
	      .handler = h_none,
	      .auth = AUTH_SESSION,
	      FIELDS(holed) },
	    "a field without a name or a validator" },
	{ { .methods = METHOD_GET,
	      .pattern = "/x/:id",
	      .handler = h_none,
	      .access = ACCESS_DOMAIN_ADMIN,
	      .auth = AUTH_SESSION,
	      .params = { P_ID } },
	    "a domain-admin route without :domain" },
	{ { .pattern = "/x", .handler = h_none }, "no methods or no handler" },
};
#define NBAD (sizeof(bad_rows) / sizeof(bad_rows[0]))

static void
test_table_check(void)
{
	struct router rt = { table, NTABLE, params, P__N, NULL };
	char          why[256], want[256];
	size_t        i;

	CHECK_INT(route_table_check(&router, why, sizeof(why)), 0,
	    "the route table: %s", why);
	CHECK_INT(route_table_check(&rt, why, sizeof(why)), 0,
	    "the test table: %s", why);
	for (i = 0; i < NBAD; i++) {
		rt.table = &bad_rows[i].row;
		rt.n = 1;
		why[0] = '\0';
		snprintf(want, sizeof(want), "route %s: %s",
		    bad_rows[i].row.pattern, bad_rows[i].why);
		CHECK_INT(route_table_check(&rt, why, sizeof(why)), -1,
		    "bad row %zu", i);
		CHECK_STR(why, want, "bad row %zu", i);
	}
}

/*
 * A validator reads value[0..len) and nothing past it, like every other:
 * valid_domain once ran strlen over the value (the fuzzer found it reading
 * past a buffer of exactly len bytes).
 */
static void
test_domain_unterminated(void)
{
	static const char text[] = "ubuntu.comX";
	char             *v = malloc(10);

	if (v == NULL)
		abort();
	memcpy(v, text, 10);
	CHECK(valid_domain(v, 10), "domain of exactly len bytes, no NUL");
	CHECK(valid_domain(v, 9), "its first 9 bytes, ubuntu.co");
	CHECK(!valid_domain(v, 7), "its first 7 bytes, ubuntu.");
	memcpy(v, "a.b.c.de.f", 10);
	CHECK(valid_domain(v, 10), "short labels, no NUL");
	free(v);
	CHECK(!valid_domain(text, 11), "domain with a capital X");
}

static void
test_validators(void)
{
	CHECK(valid_id("1", 1), "id 1");
	CHECK(valid_id("123456789012345678", 18), "id of 18 digits");
	CHECK(!valid_id("1234567890123456789", 19), "id of 19 digits");
	CHECK(!valid_id("007", 3), "id leading 0");
	CHECK(!valid_id("0", 1), "id 0");
	CHECK(!valid_id("", 0), "id empty");
	CHECK(!valid_id("-1", 2), "id negative");
	CHECK(!valid_id("1a", 2), "id letter");
	CHECK(valid_domain("ubuntu.com", 10), "domain");
	CHECK(!valid_domain("UBUNTU.COM", 10), "domain upper case");
	CHECK(!valid_domain("ubuntu", 6), "domain one label");
	CHECK(!valid_domain("ubu\0tu.com", 10), "domain NUL inside");
	test_domain_unterminated();
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
	test_table_check();
	test_validators();
	arena_free(r.arena);
	return test_done("test_route");
}
