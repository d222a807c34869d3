/*
 * form.c - fuzzes lib/form.c: query strings and urlencoded bodies, Cookie
 * headers, percent-decoding and -encoding, with the request's bounds and
 * with an arena too small for the input.
 */
#include "config.h"

#include "fuzz.h"
#include "lib/arena.h"
#include "lib/form.h"

#define MAX_PAIRS   100 /* the request's bound on query or form pairs */
#define MAX_COOKIES 32

static struct arena *big, *tiny;

/* What a successful parse promises of every pair; an empty list on error. */
static void
check_list(enum app_err e, const struct kvlist *l, size_t max, int urlencoded)
{
	size_t i, klen;

	if (e != APP_OK) {
		FUZZ_CHECK(l->v == NULL && l->n == 0);
		FUZZ_CHECK(
		    e == APP_EINPUT || e == APP_ETOOBIG || e == APP_ENOMEM);
		return;
	}
	FUZZ_CHECK(l->n <= max && (l->n == 0) == (l->v == NULL));
	for (i = 0; i < l->n; i++) {
		klen = strlen(l->v[i].key);
		FUZZ_CHECK(klen > 0);
		FUZZ_CHECK(strlen(l->v[i].val) == l->v[i].vlen);
		if (urlencoded)
			FUZZ_CHECK(klen <= FORM_KEY_MAX);
		else
			FUZZ_CHECK(strpbrk(l->v[i].key, " \t;=\"") == NULL);
	}
}

/* Decoding into a copy and in place agree; the result is never longer. */
static void
check_decode(const char *s, size_t len, int plus)
{
	char   *out, *in_place;
	ssize_t n, m;

	if ((out = malloc(len + 1)) == NULL ||
	    (in_place = malloc(len + 1)) == NULL)
		abort();
	memcpy(in_place, s, len);
	n = form_pct_decode(out, s, len, plus);
	m = form_pct_decode(in_place, in_place, len, plus);
	FUZZ_CHECK(n == m);
	FUZZ_CHECK(n >= -1 && n <= (ssize_t)len);
	if (n >= 0) {
		FUZZ_CHECK(memcmp(out, in_place, (size_t)n + 1) == 0);
		FUZZ_CHECK(strlen(out) == (size_t)n);
	} else
		FUZZ_CHECK(out[0] == '\0' && in_place[0] == '\0');
	free(out);
	free(in_place);
}

/* Encoding then decoding gives the text back (up to its first NUL). */
static void
check_round_trip(struct arena *a, const char *s, size_t len)
{
	char   *text, *enc, *dec;
	size_t  tlen;
	ssize_t n;

	if ((text = malloc(len + 1)) == NULL)
		abort();
	memcpy(text, s, len);
	text[len] = '\0';
	tlen = strlen(text);
	if ((enc = form_pct_encode(a, text)) != NULL) {
		FUZZ_CHECK(strspn(enc,
			       "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklm"
			       "nopqrstuvwxyz0123456789-._~%") == strlen(enc));
		if ((dec = malloc(strlen(enc) + 1)) == NULL)
			abort();
		n = form_pct_decode(dec, enc, strlen(enc), 1);
		FUZZ_CHECK(n == (ssize_t)tlen && memcmp(dec, text, tlen) == 0);
		free(dec);
	}
	free(text);
}

static void
parse_all(struct arena *a, const char *s, size_t len)
{
	struct kvlist l;
	enum app_err  e;

	arena_reset(a);
	e = form_parse_urlencoded(a, s, len, MAX_PAIRS, &l);
	check_list(e, &l, MAX_PAIRS, 1);
	if (e == APP_OK && l.n > 0)
		FUZZ_CHECK(kv_find(&l, l.v[0].key) == &l.v[0] &&
		    kv_count(&l, l.v[0].key) >= 1);
	e = form_parse_urlencoded(a, s, len, 3, &l);
	check_list(e, &l, 3, 1);
	e = form_parse_cookies(a, s, len, MAX_COOKIES, &l);
	check_list(e, &l, MAX_COOKIES, 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;

	if (big == NULL &&
	    ((big = arena_new(4u << 20)) == NULL ||
		(tiny = arena_new(256)) == NULL))
		abort();
	parse_all(big, s, size);
	parse_all(tiny, s, size);
	check_decode(s, size, 0);
	check_decode(s, size, 1);
	arena_reset(big);
	check_round_trip(big, s, size);
	return 0;
}
