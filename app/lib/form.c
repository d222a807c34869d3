/* form.c - bounded parsers for queries, bodies and cookies; see form.h. */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "lib/form.h"

/* A slice of the caller's input: not NUL-terminated, may be empty. */
struct span {
	const char *p;
	size_t      len;
};

/* Not isxdigit(): that one follows the locale and wants unsigned input. */
int
form_hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Output never runs ahead of input (j <= i) and every read is at or past i,
 * so decoding in place (dst == src) is safe.
 */
ssize_t
form_pct_decode(char *dst, const char *src, size_t len, int plus)
{
	size_t        i, j;
	int           hi, lo;
	unsigned char c;

	if (len > SSIZE_MAX)
		goto bad;
	for (i = j = 0; i < len; i++, j++) {
		c = (unsigned char)src[i];
		if (c == '%') {
			if (len - i < 3 ||
			    (hi = form_hexval((unsigned char)src[i + 1])) ==
				-1 ||
			    (lo = form_hexval((unsigned char)src[i + 2])) == -1)
				goto bad;
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		} else if (c == '+' && plus)
			c = ' ';
		if (c == '\0')
			goto bad;
		dst[j] = (char)c;
	}
	dst[j] = '\0';
	return (ssize_t)j;
bad:
	dst[0] = '\0';
	return -1;
}

/*
 * Steps *pos over the next `sep`-separated piece of s[0..len) and stores it
 * in *f; 0 when the input is used up.  Pieces may be empty.
 */
static int
next_piece(const char *s, size_t len, size_t *pos, char sep, struct span *f)
{
	const char *end;

	if (*pos >= len)
		return 0;
	f->p = s + *pos;
	f->len = len - *pos;
	if ((end = memchr(f->p, sep, f->len)) != NULL)
		f->len = (size_t)(end - f->p);
	/* Past the separator, or to len when this was the last piece. */
	*pos += f->len + (end != NULL);
	return 1;
}

/* The next non-empty '&'-separated field; empty ones ("a&&b") are skipped. */
static int
next_field(const char *s, size_t len, size_t *pos, struct span *f)
{
	while (next_piece(s, len, pos, '&', f))
		if (f->len > 0)
			return 1;
	return 0;
}

/*
 * Counts fields, but stops at max + 1: that is enough to refuse the input,
 * and a flood of "&a&a&a" costs no more than the bound.
 */
static size_t
count_fields(const char *s, size_t len, size_t max)
{
	struct span f;
	size_t      n = 0, pos = 0;

	while (n <= max && next_field(s, len, &pos, &f))
		n++;
	return n;
}

static enum app_err
decode_field(struct arena *a, const struct span *f, struct kv *kv)
{
	char        kbuf[3 * FORM_KEY_MAX + 1];
	const char *eq, *vsrc;
	size_t      klen, vraw;
	ssize_t     n;
	char       *val;

	eq = memchr(f->p, '=', f->len);
	klen = eq != NULL ? (size_t)(eq - f->p) : f->len;
	/*
	 * A decoded byte takes at most three input bytes, so a longer raw
	 * key cannot decode to FORM_KEY_MAX; refuse it before it costs arena.
	 */
	if (klen == 0 || klen > 3 * FORM_KEY_MAX)
		return APP_EINPUT;
	if ((n = form_pct_decode(kbuf, f->p, klen, 1)) <= 0 || n > FORM_KEY_MAX)
		return APP_EINPUT;
	if ((kv->key = arena_strndup(a, kbuf, (size_t)n)) == NULL)
		return APP_ENOMEM;

	vsrc = eq != NULL ? eq + 1 : f->p + f->len;
	vraw = (size_t)(f->p + f->len - vsrc);
	if ((val = arena_alloc(a, vraw + 1)) == NULL)
		return APP_ENOMEM;
	if ((n = form_pct_decode(val, vsrc, vraw, 1)) == -1)
		return APP_EINPUT;
	kv->val = val;
	kv->vlen = (size_t)n;
	return APP_OK;
}

/*
 * Counting first lets a flood be refused before anything is allocated and
 * gives the array its exact size; the list is published only when complete.
 */
enum app_err
form_parse_urlencoded(struct arena *a, const char *s, size_t len,
    size_t max_pairs, struct kvlist *out)
{
	struct span  f;
	struct kv   *v;
	size_t       i, n, pos;
	enum app_err e;

	out->v = NULL;
	out->n = 0;
	if (len == 0)
		return APP_OK;
	if ((n = count_fields(s, len, max_pairs)) > max_pairs)
		return APP_ETOOBIG;
	if (n == 0)
		return APP_OK;
	if ((v = arena_calloc(a, n, sizeof(*v))) == NULL)
		return APP_ENOMEM;
	/* The count above is exact, so this visits the same n fields. */
	for (i = pos = 0; i < n && next_field(s, len, &pos, &f); i++)
		if ((e = decode_field(a, &f, &v[i])) != APP_OK)
			return e;
	out->v = v;
	out->n = n;
	return APP_OK;
}

static void
trim_ows(struct span *sp)
{
	while (sp->len > 0 && (sp->p[0] == ' ' || sp->p[0] == '\t')) {
		sp->p++;
		sp->len--;
	}
	while (sp->len > 0 &&
	    (sp->p[sp->len - 1] == ' ' || sp->p[sp->len - 1] == '\t'))
		sp->len--;
}

/* RFC 7230 tchar, which RFC 6265 uses for cookie names. */
static int
is_tchar(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int
is_token(const struct span *sp)
{
	size_t i;

	if (sp->len == 0)
		return 0;
	for (i = 0; i < sp->len; i++)
		if (!is_tchar((unsigned char)sp->p[i]))
			return 0;
	return 1;
}

/*
 * The next well-formed "name=value" of a Cookie header, junk skipped.
 * Whitespace around names and values is dropped, as browsers do.
 */
static int
next_cookie(const char *s, size_t len, size_t *pos, struct span *name,
    struct span *val)
{
	struct span f;
	const char *eq;

	while (next_piece(s, len, pos, ';', &f)) {
		if ((eq = memchr(f.p, '=', f.len)) == NULL)
			continue;
		name->p = f.p;
		name->len = (size_t)(eq - f.p);
		val->p = eq + 1;
		val->len = f.len - name->len - 1;
		trim_ows(name);
		trim_ows(val);
		if (!is_token(name))
			continue;
		if (val->len >= 2 && val->p[0] == '"' &&
		    val->p[val->len - 1] == '"') {
			val->p++;
			val->len -= 2;
		}
		return 1;
	}
	return 0;
}

static size_t
count_cookies(const char *s, size_t len, size_t max)
{
	struct span name, val;
	size_t      n = 0, pos = 0;

	while (n <= max && next_cookie(s, len, &pos, &name, &val))
		n++;
	return n;
}

enum app_err
form_parse_cookies(struct arena *a, const char *s, size_t len, size_t max_pairs,
    struct kvlist *out)
{
	struct span name, val;
	struct kv  *v;
	size_t      i, n, pos;

	out->v = NULL;
	out->n = 0;
	if (len == 0)
		return APP_OK;
	/* Checked first and everywhere: a NUL would cut a later C string. */
	if (memchr(s, '\0', len) != NULL)
		return APP_EINPUT;
	if ((n = count_cookies(s, len, max_pairs)) > max_pairs)
		return APP_ETOOBIG;
	if (n == 0)
		return APP_OK;
	if ((v = arena_calloc(a, n, sizeof(*v))) == NULL)
		return APP_ENOMEM;
	for (i = pos = 0; i < n && next_cookie(s, len, &pos, &name, &val);
	     i++) {
		v[i].key = arena_strndup(a, name.p, name.len);
		v[i].val = arena_strndup(a, val.p, val.len);
		v[i].vlen = val.len;
		if (v[i].key == NULL || v[i].val == NULL)
			return APP_ENOMEM;
	}
	out->v = v;
	out->n = n;
	return APP_OK;
}

const struct kv *
kv_find(const struct kvlist *l, const char *key)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].key, key) == 0)
			return &l->v[i];
	return NULL;
}

size_t
kv_count(const struct kvlist *l, const char *key)
{
	size_t i, n = 0;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].key, key) == 0)
			n++;
	return n;
}

char *
form_pct_encode(struct arena *a, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t            len = strlen(s), i, o = 0;
	unsigned char     c;
	char             *out;

	if (len > (SIZE_MAX - 1) / 3 ||
	    (out = arena_alloc(a, len * 3 + 1)) == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~')
			out[o++] = (char)c;
		else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
	return out;
}
