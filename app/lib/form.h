/*
 * form.h - bounded parsers for query strings, urlencoded bodies and cookies.
 *
 * Parsers take a pointer and a length (inputs need not be NUL-terminated and
 * may contain NUL bytes, which are rejected), allocate only from the
 * request's arena, and either fill `out` completely or fail: a parser never
 * returns half a list.  Keys and values handed out are arena strings, valid
 * until the request ends.
 */
#ifndef MM_FORM_H
#define MM_FORM_H

#include <stddef.h>
#include <sys/types.h>

#include "lib/arena.h"
#include "lib/err.h"

#define FORM_KEY_MAX 64 /* longest accepted key, after decoding */

struct kv {
	const char *key;
	const char *val; /* NUL-terminated; never contains NUL */
	size_t      vlen;
};

struct kvlist {
	struct kv *v; /* arena array of n pairs, in input order */
	size_t     n;
};

/*
 * Percent-decodes src[0..len) into dst, which must hold len + 1 bytes; with
 * `plus`, '+' decodes to a space ("%2B" stays '+').  Hex digits may be of
 * either case; every other byte, UTF-8 included, is copied as is.  dst may
 * be src itself (decoding in place) but must not otherwise overlap it.
 * Returns the decoded length, with dst NUL-terminated, or -1 for a malformed
 * escape ("%", "%4", "%zz") or a NUL byte, raw or decoded; then dst is "".
 */
ssize_t form_pct_decode(char *dst, const char *src, size_t len, int plus);

/*
 * Parses "a=1&b=2" (a query string or an application/x-www-form-urlencoded
 * body).  The first '=' of a pair ends the key; keys and values are both
 * percent-decoded with '+' as space.  A pair without '=' has the value "".
 * Empty pairs ("a=1&&b=2", a leading or trailing '&') are skipped and not
 * counted.  Duplicate keys are kept in order; callers that care use
 * kv_count().  s may be NULL when len is 0; an empty list has v == NULL.
 * Errors: APP_EINPUT for a malformed escape, a NUL, an empty key or a key
 * longer than FORM_KEY_MAX; APP_ETOOBIG for more than max_pairs pairs,
 * found before anything is decoded or allocated; APP_ENOMEM when the arena
 * is exhausted.  On error *out is empty (v == NULL, n == 0).
 */
enum app_err form_parse_urlencoded(struct arena *, const char *s, size_t len,
    size_t max_pairs, struct kvlist *out);

/*
 * Parses a Cookie header ("a=1; b=2").  Pairs are split on ';'; spaces and
 * tabs around names and values are dropped.  Values are opaque (not
 * percent-decoded, not checked beyond NUL); one pair of surrounding double
 * quotes is removed.  Pairs whose name is not an RFC 6265 token, or that
 * have no '=', are skipped: browsers send other sites' junk and that must
 * not break a page.  Duplicate names are kept in order.  s may be NULL when
 * len is 0; an empty list has v == NULL.
 * Errors: APP_EINPUT for a NUL byte anywhere, junk included; APP_ETOOBIG
 * for more than max_pairs well-formed pairs; APP_ENOMEM.  On error *out is
 * empty (v == NULL, n == 0).
 */
enum app_err form_parse_cookies(struct arena *, const char *s, size_t len,
    size_t max_pairs, struct kvlist *out);

/*
 * Percent-encodes s for a URL query (everything but A-Z a-z 0-9 - . _ ~);
 * an arena string, or NULL when out of memory.
 */
char *form_pct_encode(struct arena *, const char *s);

/* The value of a hex digit (either case), or -1. */
int form_hexval(unsigned char);

/* First pair with this key, or NULL. */
const struct kv *kv_find(const struct kvlist *, const char *key);
/* How many pairs have this key. */
size_t kv_count(const struct kvlist *, const char *key);

#endif
