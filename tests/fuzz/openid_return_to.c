/*
 * openid_return_to.c - fuzzes the OpenID return's URL handling on its
 * own: openid_check_return_to with any callback, return_to, request query
 * and body, so the URL parser and the parameter comparison are reached
 * without a whole message.
 *
 * Input: callback, return_to, query and optionally the POST body,
 * separated by NUL bytes.
 */
#include "config.h"

#include "fuzz.h"
#include "lib/arena.h"
#include "lib/form.h"
#include "proto/openid.h"

#define MAX_PAIRS 100

static struct arena *arena;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_fields ff;
	struct kvlist      q, b, params;
	struct kv          rt;
	struct openid_msg  m;
	const char        *callback, *query, *body, *state;
	enum openid_err    e;

	if (arena == NULL && (arena = arena_new(4u << 20)) == NULL)
		abort();
	arena_reset(arena);
	fuzz_split(data, size, 4, &ff);
	callback = fuzz_field(&ff, 0, "");
	rt.key = "openid.return_to";
	rt.val = fuzz_field(&ff, 1, "");
	rt.vlen = strlen(rt.val);
	query = fuzz_field(&ff, 2, "");
	body = fuzz_field(&ff, 3, NULL);
	params.v = &rt;
	params.n = 1;
	memset(&m, 0, sizeof(m));
	if (openid_msg_from_params(arena, &params, &m) == OPENID_OK &&
	    form_parse_urlencoded(arena, query, strlen(query), MAX_PAIRS, &q) ==
		APP_OK &&
	    (body == NULL ||
		form_parse_urlencoded(arena, body, strlen(body), MAX_PAIRS,
		    &b) == APP_OK)) {
		e = openid_check_return_to(arena, &m, callback, &q,
		    body != NULL ? &b : NULL, &state);
		FUZZ_CHECK(e < OPENID_ERR__MAX);
		if (e == OPENID_OK) {
			/* Nothing of the return outside printable ASCII. */
			FUZZ_CHECK(
			    strspn(rt.val,
				"!\"$%&'()*+,-./0123456789:;<=>?@"
				"ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`"
				"abcdefghijklmnopqrstuvwxyz{|}~") == rt.vlen);
			FUZZ_CHECK(state != NULL && state[0] != '\0' &&
			    kv_count(&q, "state") == 1);
		} else
			FUZZ_CHECK(state == NULL);
	}
	fuzz_fields_free(&ff);
	return 0;
}
