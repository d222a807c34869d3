/* test_bearer.c - the API's list arguments and cursors (http/bearer.c). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "http/bearer.h"
#include "http/req.h"
#include "lib/arena.h"
#include "test.h"

static const struct {
	const char *limit;
	int         ok;
	int         want;
} limits[] = {
	{ NULL, 1, API_LIMIT_DEFAULT },
	{ "1", 1, 1 },
	{ "100", 1, 100 },
	{ "42", 1, 42 },
	{ "0", 0, 0 },
	{ "101", 0, 0 },
	{ "-1", 0, 0 },
	{ "+5", 0, 0 },
	{ "5x", 0, 0 },
	{ "", 0, 0 },
	{ " 5", 0, 0 },
	{ "99999999999999999999999", 0, 0 },
};

static const char *const keys[] = {
	"a",
	"1",
	"ubuntu.com",
	"12:alice",
	"kotodama",
	"x-y_z.w",
	"~!@#$%^&*()+={}[]|:;'<>,.?/ ",
};

/* Cursors the API never gave out: not base64url, empty, or not text. */
static const char *const bad_cursors[] = {
	"!!",
	"a",
	"====",
	"AA",
	"AAE",
	"_w",
};

int
main(void)
{
	struct req   r;
	const char  *after, *c;
	size_t       i;
	int          n;
	enum app_err e;

	memset(&r, 0, sizeof(r));
	if ((r.arena = arena_new(1 << 20)) == NULL)
		return 1;
	for (i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		r.err_field = r.err_code = NULL;
		e = api_page_args(&r, limits[i].limit, NULL, &n, &after);
		CHECK_INT(e, limits[i].ok ? APP_OK : APP_EINVALID, "limit %s",
		    limits[i].limit ? limits[i].limit : "(none)");
		if (limits[i].ok)
			CHECK_INT(n, limits[i].want, "limit %s",
			    limits[i].limit ? limits[i].limit : "(none)");
		else
			CHECK_STR(r.err_field, "limit", "limit %s field",
			    limits[i].limit);
		CHECK(after == NULL, "no cursor, no after");
	}
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		c = api_cursor(&r, keys[i]);
		CHECK(c != NULL &&
			c[strspn(c,
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "abcdefghijklmnopqrstuvwxyz0123456789-_")] == '\0',
		    "cursor of %s is URL-safe", keys[i]);
		e = api_page_args(&r, NULL, c, &n, &after);
		CHECK_INT(e, APP_OK, "cursor of %s", keys[i]);
		CHECK_STR(after, keys[i], "cursor of %s round trip", keys[i]);
	}
	for (i = 0; i < sizeof(bad_cursors) / sizeof(bad_cursors[0]); i++) {
		r.err_field = NULL;
		e = api_page_args(&r, NULL, bad_cursors[i], &n, &after);
		CHECK_INT(e, APP_EINVALID, "cursor %s", bad_cursors[i]);
		CHECK_STR(r.err_field, "cursor", "cursor %s field",
		    bad_cursors[i]);
	}
	arena_free(r.arena);
	return test_done("test_bearer");
}
