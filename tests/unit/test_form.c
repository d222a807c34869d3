/*
 * test_form.c - form.c: the percent decoder, the urlencoded and Cookie
 * parsers and the list lookups, table-driven.
 *
 * Inputs are always handed over in exact-size heap copies with no NUL after
 * them, so that under ASan any read past the given length is a report, not
 * a lucky hit on a string literal's terminator.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/arena.h"
#include "lib/form.h"
#include "test.h"

/* A literal and its length, so that rows may hold NUL bytes. */
#define IN(s) (s), sizeof(s) - 1

#define MIB       ((size_t)1024 * 1024)
#define ARENA_BIG (8 * MIB) /* never the limit in ordinary rows */
#define MAX_DEF   8         /* max_pairs of ordinary rows */

_Static_assert(FORM_KEY_MAX == 64, "the K64 and E64 rows assume 64");
#define K8  "kkkkkkkk"
#define K64 K8 K8 K8 K8 K8 K8 K8 K8
#define E8  "%6B%6B%6B%6B%6B%6B%6B%6B" /* "kkkkkkkk" escaped */
#define E64 E8 E8 E8 E8 E8 E8 E8 E8    /* 192 bytes */

struct pct_case {
	const char *name;
	const char *in;
	size_t      len;
	int         plus;
	ssize_t     want; /* decoded length, or -1 */
	const char *out;  /* decoded text, when want >= 0 */
};

static const struct pct_case pct_cases[] = {
	{ "plain", IN("hello"), 0, 5, "hello" },
	{ "empty", IN(""), 0, 0, "" },
	{ "%41", IN("%41"), 0, 1, "A" },
	{ "lower hex", IN("%4a"), 0, 1, "J" },
	{ "upper hex", IN("%4A"), 0, 1, "J" },
	{ "hex bounds", IN("%09%0A%0f%F0%af%90"), 0, 6,
	    "\x09\x0a\x0f\xf0\xaf\x90" },
	{ "in text", IN("a%20b%2Fc"), 0, 5, "a b/c" },
	{ "+ kept", IN("a+b"), 0, 3, "a+b" },
	{ "+ as space", IN("a+b"), 1, 3, "a b" },
	{ "only +", IN("++"), 1, 2, "  " },
	{ "%2B stays +", IN("%2B"), 1, 1, "+" },
	{ "no double decode", IN("%2541"), 0, 3, "%41" },
	{ "separators", IN("a%26b%3Dc%3B"), 1, 6, "a&b=c;" },
	{ "utf-8 escaped", IN("%C3%A9"), 0, 2, "\xc3\xa9" },
	{ "utf-8 mixed case", IN("%c3%A9t%C3%a9"), 0, 5, "\xc3\xa9t\xc3\xa9" },
	{ "utf-8 raw", IN("caf\xc3\xa9"), 0, 5, "caf\xc3\xa9" },
	{ "high bytes", IN("%ff%FF%80"), 0, 3, "\xff\xff\x80" },
	{ "lone %", IN("%"), 0, -1, NULL },
	{ "%4", IN("%4"), 0, -1, NULL },
	{ "trailing %", IN("abc%"), 0, -1, NULL },
	{ "trailing %4", IN("abc%4"), 0, -1, NULL },
	{ "%zz", IN("%zz"), 0, -1, NULL },
	{ "%4g", IN("%4g"), 0, -1, NULL },
	{ "%g4", IN("%g4"), 0, -1, NULL },
	{ "%/0", IN("%/0"), 0, -1, NULL },
	{ "%:0", IN("%:0"), 0, -1, NULL },
	{ "%@0", IN("%@0"), 0, -1, NULL },
	{ "%G0", IN("%G0"), 0, -1, NULL },
	{ "%`0", IN("%`0"), 0, -1, NULL },
	{ "%x41", IN("%x41"), 0, -1, NULL },
	{ "% 41", IN("% 41"), 0, -1, NULL },
	{ "%+1 with plus", IN("%+1"), 1, -1, NULL },
	{ "%%", IN("%%"), 0, -1, NULL },
	{ "%%41", IN("%%41"), 0, -1, NULL },
	{ "%00", IN("%00"), 0, -1, NULL },
	{ "%00 inside", IN("ab%00cd"), 1, -1, NULL },
	{ "raw NUL inside", IN("a\0b"), 0, -1, NULL },
	{ "raw NUL last", IN("ab\0"), 1, -1, NULL },
	{ "NUL in escape", IN("%4\0"), 0, -1, NULL },
};

struct kv_case {
	const char  *name;
	const char  *in;
	size_t       len;
	size_t       max;
	enum app_err want;
	const char  *pairs[2 * 6 + 1]; /* key, value, ...; NULL ends */
};

static const struct kv_case ue_cases[] = {
	{ "empty", IN(""), MAX_DEF, APP_OK, { NULL } },
	{ "one", IN("a=1"), MAX_DEF, APP_OK, { "a", "1" } },
	{ "two", IN("a=1&b=2"), MAX_DEF, APP_OK, { "a", "1", "b", "2" } },
	{ "no =", IN("a"), MAX_DEF, APP_OK, { "a", "" } },
	{ "empty value", IN("a="), MAX_DEF, APP_OK, { "a", "" } },
	{ "mixed", IN("a&b=&c=3"), MAX_DEF, APP_OK,
	    { "a", "", "b", "", "c", "3" } },
	{ "&&", IN("a=1&&b=2"), MAX_DEF, APP_OK, { "a", "1", "b", "2" } },
	{ "trailing &", IN("a=1&"), MAX_DEF, APP_OK, { "a", "1" } },
	{ "leading &", IN("&a=1"), MAX_DEF, APP_OK, { "a", "1" } },
	{ "only &", IN("&&&"), MAX_DEF, APP_OK, { NULL } },
	{ "duplicates", IN("a=1&b=2&a=3"), MAX_DEF, APP_OK,
	    { "a", "1", "b", "2", "a", "3" } },
	{ "+ in value", IN("q=hello+world"), MAX_DEF, APP_OK,
	    { "q", "hello world" } },
	{ "+ in key", IN("a+b=c+d"), MAX_DEF, APP_OK, { "a b", "c d" } },
	{ "%2B", IN("q=1%2B1"), MAX_DEF, APP_OK, { "q", "1+1" } },
	{ "escaped & =", IN("v=a%26b%3Dc&w=%3D"), MAX_DEF, APP_OK,
	    { "v", "a&b=c", "w", "=" } },
	{ "second =", IN("v=a=b"), MAX_DEF, APP_OK, { "v", "a=b" } },
	{ "escaped = in key", IN("k%3Dx=1"), MAX_DEF, APP_OK, { "k=x", "1" } },
	{ "space key", IN("%20=1"), MAX_DEF, APP_OK, { " ", "1" } },
	{ "utf-8", IN("name=Ren%C3%A9e"), MAX_DEF, APP_OK,
	    { "name",
		"Ren\xc3\xa9"
		"e" } },
	{ "raw utf-8", IN("caf\xc3\xa9=\xc3\xa9"), MAX_DEF, APP_OK,
	    { "caf\xc3\xa9", "\xc3\xa9" } },
	{ "key max", IN(K64 "=v"), MAX_DEF, APP_OK, { K64, "v" } },
	{ "key max, no =", IN(K64), MAX_DEF, APP_OK, { K64, "" } },
	{ "key max escaped", IN(E64 "=v"), MAX_DEF, APP_OK, { K64, "v" } },
	{ "key max+1", IN(K64 "k=v"), MAX_DEF, APP_EINPUT, { NULL } },
	{ "key max+1, no =", IN(K64 "k"), MAX_DEF, APP_EINPUT, { NULL } },
	{ "key max+1 escaped", IN(E64 "%6B=v"), MAX_DEF, APP_EINPUT, { NULL } },
	{ "key max+1 part escaped", IN(E64 "k=v"), MAX_DEF, APP_EINPUT,
	    { NULL } },
	{ "=a", IN("=a"), MAX_DEF, APP_EINPUT, { NULL } },
	{ "=", IN("="), MAX_DEF, APP_EINPUT, { NULL } },
	{ "empty key later", IN("a=1&=2"), MAX_DEF, APP_EINPUT, { NULL } },
	{ "%", IN("a=%"), MAX_DEF, APP_EINPUT, { NULL } },
	{ "%zz value", IN("a=%zz"), MAX_DEF, APP_EINPUT, { NULL } },
	{ "%zz key", IN("%zz=1"), MAX_DEF, APP_EINPUT, { NULL } },
	{ "bad escape later", IN("a=1&b=%4"), MAX_DEF, APP_EINPUT, { NULL } },
	{ "%00 value", IN("a=%00"), MAX_DEF, APP_EINPUT, { NULL } },
	{ "%00 key", IN("a%00=1"), MAX_DEF, APP_EINPUT, { NULL } },
	{ "NUL in value", IN("a=1\0&b=2"), MAX_DEF, APP_EINPUT, { NULL } },
	{ "NUL in key", IN("a\0=1"), MAX_DEF, APP_EINPUT, { NULL } },
	{ "NUL alone", IN("\0"), MAX_DEF, APP_EINPUT, { NULL } },
	{ "NUL field", IN("a=1&\0"), MAX_DEF, APP_EINPUT, { NULL } },
	{ "pairs at max", IN("a&b&c"), 3, APP_OK,
	    { "a", "", "b", "", "c", "" } },
	{ "pairs over max", IN("a&b&c&d"), 3, APP_ETOOBIG, { NULL } },
	{ "empties not counted", IN("&a&&b&&c&"), 3, APP_OK,
	    { "a", "", "b", "", "c", "" } },
	{ "max 0, empty", IN(""), 0, APP_OK, { NULL } },
	{ "max 0, only &", IN("&&"), 0, APP_OK, { NULL } },
	{ "max 0, one", IN("a"), 0, APP_ETOOBIG, { NULL } },
	/* Counting comes first, so a flood is refused before decoding. */
	{ "too many beats bad", IN("%&%&%"), 2, APP_ETOOBIG, { NULL } },
};

static const struct kv_case ck_cases[] = {
	{ "empty", IN(""), MAX_DEF, APP_OK, { NULL } },
	{ "one", IN("sid=abc"), MAX_DEF, APP_OK, { "sid", "abc" } },
	{ "typical", IN("a=1; b=2; c=3"), MAX_DEF, APP_OK,
	    { "a", "1", "b", "2", "c", "3" } },
	{ "no space", IN("a=1;b=2"), MAX_DEF, APP_OK, { "a", "1", "b", "2" } },
	{ "extra blanks", IN("  a=1 ;\t b=2\t;  c = 3 "), MAX_DEF, APP_OK,
	    { "a", "1", "b", "2", "c", "3" } },
	{ "trailing ;", IN("a=1;"), MAX_DEF, APP_OK, { "a", "1" } },
	{ "only ;", IN(";; ;"), MAX_DEF, APP_OK, { NULL } },
	{ "empty value", IN("a="), MAX_DEF, APP_OK, { "a", "" } },
	{ "quoted", IN("sid=\"abc\"; b=2"), MAX_DEF, APP_OK,
	    { "sid", "abc", "b", "2" } },
	{ "quoted empty", IN("a=\"\""), MAX_DEF, APP_OK, { "a", "" } },
	{ "lone quote", IN("a=\""), MAX_DEF, APP_OK, { "a", "\"" } },
	{ "one pair of quotes", IN("a=\"\"x\"\""), MAX_DEF, APP_OK,
	    { "a", "\"x\"" } },
	{ "half quoted", IN("a=\"abc"), MAX_DEF, APP_OK, { "a", "\"abc" } },
	{ "blanks in quotes", IN("a=\" x \""), MAX_DEF, APP_OK,
	    { "a", " x " } },
	{ "= in value", IN("a=b=c"), MAX_DEF, APP_OK, { "a", "b=c" } },
	{ "not decoded", IN("a=%41+b"), MAX_DEF, APP_OK, { "a", "%41+b" } },
	{ "utf-8 value", IN("a=caf\xc3\xa9"), MAX_DEF, APP_OK,
	    { "a", "caf\xc3\xa9" } },
	{ "token specials", IN("!#$%&'*+-.^_`|~09AZaz=1"), MAX_DEF, APP_OK,
	    { "!#$%&'*+-.^_`|~09AZaz", "1" } },
	{ "junk =x", IN("=x; a=1"), MAX_DEF, APP_OK, { "a", "1" } },
	{ "junk no =", IN("noequals; a=1"), MAX_DEF, APP_OK, { "a", "1" } },
	{ "junk blank in name", IN("a b=1; c=2"), MAX_DEF, APP_OK,
	    { "c", "2" } },
	{ "junk separators", IN("a(b)=1; c@d=2; e,f=3; g/h=4; [i]=5; j=6"),
	    MAX_DEF, APP_OK, { "j", "6" } },
	{ "junk more separators", IN("a:b=1; c?d=2; e\\f=3; {g}=4; j=6"),
	    MAX_DEF, APP_OK, { "j", "6" } },
	{ "junk quoted name", IN("\"a\"=1; j=6"), MAX_DEF, APP_OK,
	    { "j", "6" } },
	{ "junk high bytes", IN("caf\xc3\xa9=1; j=6"), MAX_DEF, APP_OK,
	    { "j", "6" } },
	{ "junk control",
	    IN("a\x01"
	       "b=1; j=6\x7f"),
	    MAX_DEF, APP_OK, { "j", "6\x7f" } },
	{ "junk only", IN("=; ==; x; ;"), MAX_DEF, APP_OK, { NULL } },
	{ "duplicates", IN("a=1; a=2"), MAX_DEF, APP_OK,
	    { "a", "1", "a", "2" } },
	{ "NUL", IN("a=1\0; b=2"), MAX_DEF, APP_EINPUT, { NULL } },
	{ "NUL in junk", IN("x\0y; a=1"), MAX_DEF, APP_EINPUT, { NULL } },
	{ "NUL at end", IN("a=1; \0"), MAX_DEF, APP_EINPUT, { NULL } },
	{ "at max", IN("a=1; b=2; c=3"), 3, APP_OK,
	    { "a", "1", "b", "2", "c", "3" } },
	{ "over max", IN("a=1; b=2; c=3; d=4"), 3, APP_ETOOBIG, { NULL } },
	{ "junk not counted", IN("a=1; junk; =x; b=2"), 2, APP_OK,
	    { "a", "1", "b", "2" } },
	{ "max 0", IN("a=1"), 0, APP_ETOOBIG, { NULL } },
	{ "max 0, junk", IN("junk"), 0, APP_OK, { NULL } },
};

struct parser {
	const char *name;
	enum app_err (*parse)(struct arena *, const char *, size_t, size_t,
	    struct kvlist *);
	const struct kv_case *cases;
	size_t                ncases;
};

static const struct parser parsers[] = {
	{ "urlencoded", form_parse_urlencoded, ue_cases,
	    sizeof(ue_cases) / sizeof(ue_cases[0]) },
	{ "cookies", form_parse_cookies, ck_cases,
	    sizeof(ck_cases) / sizeof(ck_cases[0]) },
};
#define NPARSERS (sizeof(parsers) / sizeof(parsers[0]))

static void *
xmalloc(size_t n)
{
	void *p;

	if ((p = malloc(n > 0 ? n : 1)) == NULL) {
		perror("malloc");
		exit(2);
	}
	return p;
}

/* An exact-size heap copy of s[0..len), deliberately not NUL-terminated. */
static char *
exact_copy(const char *s, size_t len)
{
	char *p;

	if (len == 0)
		return malloc(0); /* NULL or a 0-byte block: both fine */
	p = xmalloc(len);
	memcpy(p, s, len);
	return p;
}

static struct arena *
xarena(size_t limit)
{
	struct arena *a;

	if ((a = arena_new(limit)) == NULL) {
		perror("arena_new");
		exit(2);
	}
	return a;
}

/* A poisoned list, so that a parser which forgets to clear it is caught. */
static void
poison(struct kvlist *l)
{
	static struct kv junk;

	l->v = &junk;
	l->n = 99;
}

static size_t
npairs(const struct kv_case *c)
{
	size_t n = 0;

	while (c->pairs[2 * n] != NULL)
		n++;
	return n;
}

static void
check_pct(const struct pct_case *c, const char *how, ssize_t n, const char *dst)
{
	CHECK_INT(n, c->want, "pct %s (%s): length", c->name, how);
	if (n != c->want)
		return;
	if (n == -1) {
		CHECK_STR(dst, "", "pct %s (%s): dst after error", c->name,
		    how);
		return;
	}
	/* Check the terminator first so that strcmp stays in bounds. */
	CHECK_INT(dst[n], '\0', "pct %s (%s): terminator", c->name, how);
	if (dst[n] == '\0')
		CHECK_STR(dst, c->out, "pct %s (%s)", c->name, how);
}

static void
test_pct_table(void)
{
	const struct pct_case *c;
	size_t                 i;
	char                  *src, *dst;

	for (i = 0; i < sizeof(pct_cases) / sizeof(pct_cases[0]); i++) {
		c = &pct_cases[i];
		src = exact_copy(c->in, c->len);
		dst = xmalloc(c->len + 1);
		memset(dst, 'X', c->len + 1);
		check_pct(c, "copy", form_pct_decode(dst, src, c->len, c->plus),
		    dst);
		free(dst);
		free(src);

		/* In place: the buffer is the input plus room for a NUL. */
		dst = xmalloc(c->len + 1);
		memcpy(dst, c->in, c->len);
		dst[c->len] = 'X';
		check_pct(c, "in place",
		    form_pct_decode(dst, dst, c->len, c->plus), dst);
		free(dst);
	}
}

/* Every prefix of a valid input either decodes or fails; never worse. */
static void
test_pct_prefixes(void)
{
	const struct pct_case *c;
	size_t                 i, k;
	ssize_t                n;
	char                  *src, *dst;

	for (i = 0; i < sizeof(pct_cases) / sizeof(pct_cases[0]); i++) {
		c = &pct_cases[i];
		if (c->want == -1)
			continue;
		for (k = 0; k <= c->len; k++) {
			src = exact_copy(c->in, k);
			dst = xmalloc(k + 1);
			memset(dst, 'X', k + 1);
			n = form_pct_decode(dst, src, k, c->plus);
			CHECK(n == -1 ||
				((size_t)n <= k && dst[n] == '\0' &&
				    strlen(dst) == (size_t)n),
			    "pct %s prefix %zu: got %zd", c->name, k, n);
			free(dst);
			free(src);
		}
	}
}

static void
test_pct_long(void)
{
	size_t  i, len;
	ssize_t n;
	char   *src, *dst;

	len = 3 * MIB;
	src = xmalloc(len + 1);
	dst = xmalloc(len + 1);
	for (i = 0; i < len; i += 3)
		memcpy(src + i, "%41", 3);
	n = form_pct_decode(dst, src, len, 0);
	CHECK_INT(n, MIB, "pct 1 MiB of %%41: length");
	CHECK(n == (ssize_t)MIB && dst[0] == 'A' && dst[MIB - 1] == 'A' &&
		dst[MIB] == '\0',
	    "pct 1 MiB of %%41: contents");

	/* A bad escape at the very end still fails the whole input. */
	src[len] = '%';
	CHECK_INT(form_pct_decode(dst, src, len + 1, 0), -1,
	    "pct 1 MiB then a lone %%");
	free(dst);
	free(src);
}

static void
check_list(const struct parser *p, const struct kv_case *c, enum app_err e,
    const struct kvlist *l)
{
	size_t i, n;

	CHECK_INT(e, c->want, "%s %s: error", p->name, c->name);
	if (e != APP_OK || c->want != APP_OK) {
		CHECK(l->v == NULL && l->n == 0,
		    "%s %s: list not empty "
		    "after an error",
		    p->name, c->name);
		return;
	}
	n = npairs(c);
	CHECK_INT(l->n, n, "%s %s: pairs", p->name, c->name);
	if (n == 0)
		CHECK(l->v == NULL, "%s %s: empty list has v", p->name,
		    c->name);
	for (i = 0; i < n && i < l->n; i++) {
		CHECK_STR(l->v[i].key, c->pairs[2 * i], "%s %s: key %zu",
		    p->name, c->name, i);
		CHECK_STR(l->v[i].val, c->pairs[2 * i + 1], "%s %s: value %zu",
		    p->name, c->name, i);
		CHECK_INT(l->v[i].vlen, strlen(c->pairs[2 * i + 1]),
		    "%s %s: vlen %zu", p->name, c->name, i);
	}
}

static void
test_kv_table(const struct parser *p)
{
	const struct kv_case *c;
	struct arena         *a;
	struct kvlist         l;
	enum app_err          e;
	size_t                i;
	char                 *s;

	a = xarena(ARENA_BIG);
	for (i = 0; i < p->ncases; i++) {
		c = &p->cases[i];
		arena_reset(a);
		s = exact_copy(c->in, c->len);
		poison(&l);
		e = p->parse(a, s, c->len, c->max, &l);
		check_list(p, c, e, &l);
		free(s);
	}
	arena_free(a);
}

/*
 * A truncated input is what a short read or a cut-off request gives; it may
 * be refused as bad input but must never crash, read past its end, or come
 * back as a list that breaks the promises made in form.h.
 */
static void
check_prefix(const struct parser *p, const struct kv_case *c, size_t k,
    enum app_err e, const struct kvlist *l)
{
	size_t i;

	CHECK(e == APP_OK || e == APP_EINPUT,
	    "%s %s prefix %zu: got "
	    "error %d, want %d or %d",
	    p->name, c->name, k, (int)e, (int)APP_OK, (int)APP_EINPUT);
	if (e != APP_OK) {
		CHECK(l->v == NULL && l->n == 0,
		    "%s %s prefix %zu: list "
		    "not empty after an error",
		    p->name, c->name, k);
		return;
	}
	CHECK(l->n <= npairs(c),
	    "%s %s prefix %zu: got %zu pairs, want at "
	    "most %zu",
	    p->name, c->name, k, l->n, npairs(c));
	for (i = 0; i < l->n; i++) {
		CHECK(l->v[i].key != NULL && l->v[i].key[0] != '\0' &&
			strlen(l->v[i].key) <= k,
		    "%s %s prefix %zu: key %zu", p->name, c->name, k, i);
		CHECK(l->v[i].val != NULL &&
			strlen(l->v[i].val) == l->v[i].vlen &&
			l->v[i].vlen <= k,
		    "%s %s prefix %zu: value %zu", p->name, c->name, k, i);
	}
}

static void
test_kv_prefixes(const struct parser *p)
{
	const struct kv_case *c;
	struct arena         *a;
	struct kvlist         l;
	enum app_err          e;
	size_t                i, k;
	char                 *s;

	a = xarena(ARENA_BIG);
	for (i = 0; i < p->ncases; i++) {
		c = &p->cases[i];
		if (c->want != APP_OK)
			continue;
		for (k = 0; k <= c->len; k++) {
			arena_reset(a);
			s = exact_copy(c->in, k);
			poison(&l);
			e = p->parse(a, s, k, c->max, &l);
			check_prefix(p, c, k, e, &l);
			free(s);
		}
	}
	arena_free(a);
}

/*
 * Every arena bound below what a valid input needs must give APP_ENOMEM
 * and an empty list, whichever allocation it is that fails; the exact
 * amount must give the full list.  Arena sizes go up in steps of 16.
 */
static void
test_kv_enomem(const struct parser *p)
{
	const struct kv_case *c;
	struct arena         *a;
	struct kvlist         l;
	enum app_err          e;
	size_t                i, need, lim;
	char                 *s;

	for (i = 0; i < p->ncases; i++) {
		c = &p->cases[i];
		if (c->want != APP_OK)
			continue;
		s = exact_copy(c->in, c->len);
		a = xarena(ARENA_BIG);
		(void)p->parse(a, s, c->len, c->max, &l);
		need = arena_used(a);
		arena_free(a);
		for (lim = 0; lim < need; lim += 16) {
			a = xarena(lim);
			poison(&l);
			e = p->parse(a, s, c->len, c->max, &l);
			CHECK_INT(e, APP_ENOMEM, "%s %s: arena of %zu of %zu",
			    p->name, c->name, lim, need);
			CHECK(l.v == NULL && l.n == 0,
			    "%s %s: arena of %zu: "
			    "list not empty",
			    p->name, c->name, lim);
			arena_free(a);
		}
		a = xarena(need);
		poison(&l);
		e = p->parse(a, s, c->len, c->max, &l);
		check_list(p, c, e, &l);
		arena_free(a);
		free(s);
	}
}

/* The smallest arenas, spelled out, for a reader who wants an example. */
static void
test_tiny_arena(void)
{
	struct arena *a;
	struct kvlist l;

	a = xarena(16);
	poison(&l);
	CHECK_INT(form_parse_urlencoded(a, "a=1", 3, MAX_DEF, &l), APP_ENOMEM,
	    "urlencoded in a 16-byte arena");
	CHECK(l.v == NULL && l.n == 0,
	    "urlencoded in a 16-byte arena: "
	    "list not empty");
	poison(&l);
	CHECK_INT(form_parse_cookies(a, "a=1", 3, MAX_DEF, &l), APP_ENOMEM,
	    "cookies in a 16-byte arena");
	CHECK(l.v == NULL && l.n == 0,
	    "cookies in a 16-byte arena: "
	    "list not empty");
	arena_free(a);

	/* Nothing to store, nothing to allocate. */
	a = xarena(0);
	CHECK_INT(form_parse_urlencoded(a, "&&", 2, MAX_DEF, &l), APP_OK,
	    "urlencoded \"&&\" in a 0-byte arena");
	CHECK_INT(form_parse_cookies(a, "x; y", 4, MAX_DEF, &l), APP_OK,
	    "cookies junk in a 0-byte arena");
	arena_free(a);
}

static void
test_null_empty(void)
{
	struct arena *a;
	struct kvlist l;

	a = xarena(ARENA_BIG);
	poison(&l);
	CHECK_INT(form_parse_urlencoded(a, NULL, 0, MAX_DEF, &l), APP_OK,
	    "urlencoded NULL, 0");
	CHECK(l.v == NULL && l.n == 0, "urlencoded NULL, 0: list");
	poison(&l);
	CHECK_INT(form_parse_cookies(a, NULL, 0, MAX_DEF, &l), APP_OK,
	    "cookies NULL, 0");
	CHECK(l.v == NULL && l.n == 0, "cookies NULL, 0: list");
	CHECK_INT(arena_used(a), 0, "empty inputs allocate nothing");
	arena_free(a);
}

/* "<prefix><n bytes of fill><suffix>" in an exact-size heap block. */
static char *
build(const char *prefix, char fill, size_t n, const char *suffix, size_t *len)
{
	size_t pl = strlen(prefix), sl = strlen(suffix);
	char  *s;

	*len = pl + n + sl;
	s = xmalloc(*len);
	memcpy(s, prefix, pl);
	memset(s + pl, fill, n);
	memcpy(s + pl + n, suffix, sl);
	return s;
}

/* A 1 MiB value is held to the arena's bound, and fits under a larger one. */
static void
test_long_value(const struct parser *p, const char *prefix)
{
	struct arena *a;
	struct kvlist l;
	size_t        len, lim = 64 * 1024;
	char         *s;

	s = build(prefix, 'x', MIB, "", &len);
	a = xarena(lim);
	poison(&l);
	CHECK_INT(p->parse(a, s, len, MAX_DEF, &l), APP_ENOMEM,
	    "%s 1 MiB value in a 64 KiB arena", p->name);
	CHECK(l.v == NULL && l.n == 0 && arena_used(a) <= lim,
	    "%s 1 MiB value in a 64 KiB arena: list or arena", p->name);
	arena_free(a);

	a = xarena(ARENA_BIG);
	CHECK_INT(p->parse(a, s, len, MAX_DEF, &l), APP_OK,
	    "%s 1 MiB value in an 8 MiB arena", p->name);
	CHECK_INT(l.n, 1, "%s 1 MiB value: pairs", p->name);
	if (l.n == 1) {
		CHECK_INT(l.v[0].vlen, MIB, "%s 1 MiB value: vlen", p->name);
		CHECK_INT(strlen(l.v[0].val), MIB, "%s 1 MiB value: strlen",
		    p->name);
	}
	arena_free(a);
	free(s);
}

/* Floods are refused by counting alone: nothing is allocated. */
static void
test_flood(const struct parser *p, const char *pair)
{
	struct arena *a;
	struct kvlist l;
	size_t        i, plen = strlen(pair), n = 100000, len = n * plen;
	char         *s;

	s = xmalloc(len);
	for (i = 0; i < n; i++)
		memcpy(s + i * plen, pair, plen);
	a = xarena(ARENA_BIG);
	poison(&l);
	CHECK_INT(p->parse(a, s, len, 1000, &l), APP_ETOOBIG,
	    "%s 100000 pairs, max 1000", p->name);
	CHECK(l.v == NULL && l.n == 0, "%s flood: list not empty", p->name);
	CHECK_INT(arena_used(a), 0, "%s flood: arena bytes used", p->name);
	CHECK_INT(p->parse(a, s, len, n, &l), APP_OK,
	    "%s 100000 pairs, max 100000", p->name);
	CHECK_INT(l.n, n, "%s 100000 pairs: pairs", p->name);
	arena_free(a);
	free(s);
}

static void
test_long_key(void)
{
	struct arena *a;
	struct kvlist l;
	size_t        len;
	char         *s;

	s = build("", 'k', MIB, "=1", &len);
	a = xarena(ARENA_BIG);
	poison(&l);
	CHECK_INT(form_parse_urlencoded(a, s, len, MAX_DEF, &l), APP_EINPUT,
	    "urlencoded 1 MiB key");
	CHECK(l.v == NULL && l.n == 0, "urlencoded 1 MiB key: list");
	/* Rejected by its length, not after copying a megabyte. */
	CHECK(arena_used(a) < 1024,
	    "urlencoded 1 MiB key: got %zu arena "
	    "bytes used, want < 1024",
	    arena_used(a));
	arena_free(a);
	free(s);
}

static void
test_lookup(void)
{
	static const char q[] = "a=1&b=2&a=3&c=&A=4";
	static const char ck[] = "sid=old; x=1; sid=new";
	struct arena     *a;
	struct kvlist     l, empty = { NULL, 0 };
	const struct kv  *kv;

	a = xarena(ARENA_BIG);
	CHECK_INT(form_parse_urlencoded(a, q, sizeof(q) - 1, MAX_DEF, &l),
	    APP_OK, "lookup: parse");
	CHECK_INT(kv_count(&l, "a"), 2, "kv_count a");
	CHECK_INT(kv_count(&l, "A"), 1, "kv_count A (case matters)");
	CHECK_INT(kv_count(&l, "b"), 1, "kv_count b");
	CHECK_INT(kv_count(&l, "c"), 1, "kv_count c (empty value)");
	CHECK_INT(kv_count(&l, "z"), 0, "kv_count z");
	CHECK_INT(kv_count(&l, ""), 0, "kv_count \"\"");
	kv = kv_find(&l, "a");
	CHECK_STR(kv != NULL ? kv->val : NULL, "1", "kv_find a: first wins");
	kv = kv_find(&l, "c");
	CHECK_STR(kv != NULL ? kv->val : NULL, "", "kv_find c");
	CHECK(kv_find(&l, "z") == NULL, "kv_find z: got a pair");
	CHECK(kv_find(&l, "a=1") == NULL, "kv_find a=1: got a pair");

	CHECK_INT(form_parse_cookies(a, ck, sizeof(ck) - 1, MAX_DEF, &l),
	    APP_OK, "lookup: cookies");
	CHECK_INT(kv_count(&l, "sid"), 2, "kv_count sid");
	kv = kv_find(&l, "sid");
	CHECK_STR(kv != NULL ? kv->val : NULL, "old", "kv_find sid");

	CHECK(kv_find(&empty, "a") == NULL, "kv_find on empty list");
	CHECK_INT(kv_count(&empty, "a"), 0, "kv_count on empty list");
	arena_free(a);
}

int
main(void)
{
	size_t i;

	test_pct_table();
	test_pct_prefixes();
	test_pct_long();
	for (i = 0; i < NPARSERS; i++) {
		test_kv_table(&parsers[i]);
		test_kv_prefixes(&parsers[i]);
		test_kv_enomem(&parsers[i]);
	}
	test_tiny_arena();
	test_null_empty();
	test_long_value(&parsers[0], "v=");
	test_long_value(&parsers[1], "sid=");
	test_long_key();
	test_flood(&parsers[0], "a&");
	test_flood(&parsers[1], "a=1;");
	test_lookup();
	return test_done("test_form");
}
