/*
 * markers.c - [[...]] markers replaced by their translation, and the
 * language sections filled in; see markers.h.  po/extract-templates reads
 * markers by the same rules.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/i18n.h"
#include "views/markers.h"

#define TOKENS_MAX 64 /* placeholders, tags and runs of text in a marker */

enum tok_kind {
	TOK_TEXT,
	TOK_VAR,
	TOK_TAG
};

struct tok {
	enum tok_kind kind;
	const char   *s;
	size_t        len;
};

struct scan {
	struct tok t[TOKENS_MAX];
	size_t     n;
};

static int why_f(char *, size_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static int
why_f(char *why, size_t whysz, const char *fmt, ...)
{
	va_list ap;

	if (why != NULL && whysz > 0) {
		va_start(ap, fmt);
		vsnprintf(why, whysz, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* The length of the inline tag at p ("<a href=...>", "</em>"), or 0. */
static size_t
tag_len(const char *p)
{
	static const char *const names[] = { "a", "abbr", "br", "code", "em",
		"kbd", "span", "strong" };
	const char              *q = p + 1, *end;
	size_t                   i, n;

	if (*q == '/')
		q++;
	n = strspn(q, "abcdefghijklmnopqrstuvwxyz");
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == n && strncmp(q, names[i], n) == 0)
			break;
	if (n == 0 || i == sizeof(names) / sizeof(names[0]))
		return 0;
	q += n;
	if (*q == '>')
		return (size_t)(q + 1 - p);
	if (*q != ' ' || p[1] == '/' || (end = strpbrk(q, "<>")) == NULL ||
	    *end != '>')
		return 0;
	return (size_t)(end + 1 - p);
}

/* The length of the {{PLACEHOLDER}} at p, or 0. */
static size_t
var_len(const char *p)
{
	size_t n = strspn(p + 2, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");

	return n > 0 && p[2] >= 'A' && p[2] <= 'Z' && p[2 + n] == '}' &&
		p[3 + n] == '}' ?
	    n + 4 :
	    0;
}

/* Whether p starts something like an entity: "&amp;", "&#39;". */
static int
entity_at(const char *p)
{
	size_t n = strspn(p + 1,
	    "#abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");

	return n > 0 && p[1 + n] == ';';
}

static int
push(struct scan *sc, enum tok_kind k, const char *s, size_t len)
{
	if (k == TOK_TEXT && sc->n > 0 && sc->t[sc->n - 1].kind == TOK_TEXT) {
		sc->t[sc->n - 1].len += len;
		return 0;
	}
	if (sc->n == TOKENS_MAX)
		return -1;
	sc->t[sc->n].kind = k;
	sc->t[sc->n].s = s;
	sc->t[sc->n].len = len;
	sc->n++;
	return 0;
}

/* Splits s into text, placeholders and tags; NULL, or what is wrong. */
static const char *
tokenize(const char *s, struct scan *sc)
{
	const char   *p;
	size_t        len;
	enum tok_kind k;

	sc->n = 0;
	for (p = s; *p != '\0'; p += len) {
		k = TOK_TEXT;
		len = 1;
		if (p[0] == '{' && p[1] == '{') {
			if ((len = var_len(p)) == 0)
				return "a {{ that is not a {{PLACEHOLDER}}";
			k = TOK_VAR;
		} else if (p[0] == '}' && p[1] == '}')
			return "a }} without its {{";
		else if (*p == '<' && (len = tag_len(p)) > 0)
			k = TOK_TAG;
		else if (*p == '&' && entity_at(p))
			return "an &entity; (write the character itself)";
		else
			len = 1;
		if (push(sc, k, p, len) == -1)
			return "more than 64 placeholders, tags and texts";
	}
	return NULL;
}

static int
cmp_tok(const void *a, const void *b)
{
	const struct tok *x = a, *y = b;
	int               c;

	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	c = memcmp(x->s, y->s, x->len);
	return c;
}

/* The placeholders and tags of sc, sorted, into out; their number. */
static size_t
fixed_parts(const struct scan *sc, struct tok *out)
{
	size_t i, n = 0;

	for (i = 0; i < sc->n; i++)
		if (sc->t[i].kind != TOK_TEXT)
			out[n++] = sc->t[i];
	qsort(out, n, sizeof(*out), cmp_tok);
	return n;
}

/* Whether the translation keeps exactly the msgid's fixed parts. */
static int
same_parts(const struct scan *a, const struct scan *b)
{
	struct tok x[TOKENS_MAX], y[TOKENS_MAX];
	size_t     i, n;

	if ((n = fixed_parts(a, x)) != fixed_parts(b, y))
		return 0;
	for (i = 0; i < n; i++)
		if (cmp_tok(&x[i], &y[i]) != 0)
			return 0;
	return 1;
}

/* s[0..len) as HTML text: & < > " escaped. */
static void
escape(struct buf *out, const char *s, size_t len)
{
	const char *p;

	for (p = s; p < s + len; p++)
		switch (*p) {
		case '&':
			buf_puts(out, "&amp;");
			break;
		case '<':
			buf_puts(out, "&lt;");
			break;
		case '>':
			buf_puts(out, "&gt;");
			break;
		case '"':
			buf_puts(out, "&quot;");
			break;
		default:
			buf_putc(out, *p);
		}
}

static void
emit(struct buf *out, const struct scan *sc)
{
	size_t i;

	for (i = 0; i < sc->n; i++)
		if (sc->t[i].kind == TOK_TEXT)
			escape(out, sc->t[i].s, sc->t[i].len);
		else
			buf_append(out, sc->t[i].s, sc->t[i].len);
}

/* raw[0..len) with its runs of white space made one space, trimmed. */
static int
normalize(const char *raw, size_t len, char *msgid)
{
	size_t i, n = 0;
	int    space = 0;

	for (i = 0; i < len; i++) {
		if (strchr(" \t\r\n", raw[i]) != NULL) {
			space = n > 0;
			continue;
		}
		if (n + 2 >= MARKER_MAX)
			return -1;
		if (space)
			msgid[n++] = ' ';
		space = 0;
		msgid[n++] = raw[i];
	}
	msgid[n] = '\0';
	return 0;
}

static int
line_of(const char *text, const char *p)
{
	int line = 1;

	for (; text < p; text++)
		line += *text == '\n';
	return line;
}

/* One marker's content raw[0..len) translated into out. */
static int
translate(const char *raw, size_t len, const struct lang *l, struct buf *out,
    const char **bad)
{
	char        msgid[MARKER_MAX];
	struct scan src, dst;
	const char *msgstr;

	if (normalize(raw, len, msgid) == -1)
		return *bad = "longer than 4096 bytes", -1;
	if (msgid[0] == '\0')
		return *bad = "an empty [[]]", -1;
	if ((*bad = tokenize(msgid, &src)) != NULL)
		return -1;
	if ((msgstr = tr(l, msgid)) == msgid) {
		emit(out, &src);
		return 0;
	}
	if (tokenize(msgstr, &dst) != NULL || !same_parts(&src, &dst))
		return *bad =
			   "its translation does not keep its {{PLACEHOLDERS}} "
			   "and tags exactly",
		       -1;
	emit(out, &dst);
	return 0;
}

int
markers_translate(const char *text, size_t len, const struct lang *l,
    struct buf *out, char *why, size_t whysz)
{
	const char *p = text, *end = text + len, *open, *close, *comment, *bad;

	while (p < end) {
		open = memmem(p, (size_t)(end - p), "[[", 2);
		comment = memmem(p, (size_t)(end - p), "{{!", 3);
		if (comment != NULL && (open == NULL || comment < open)) {
			/* a comment may mention [[ ]]: copied as it is */
			close = memmem(comment, (size_t)(end - comment), "}}",
			    2);
			close = close == NULL ? end : close + 2;
			buf_append(out, p, (size_t)(close - p));
			p = close;
			continue;
		}
		if (open == NULL) {
			buf_append(out, p, (size_t)(end - p));
			break;
		}
		buf_append(out, p, (size_t)(open - p));
		if ((close = memmem(open + 2, (size_t)(end - open - 2), "]]",
			 2)) == NULL ||
		    memmem(open + 2, (size_t)(close - open - 2), "[[", 2) !=
			NULL)
			return why_f(why, whysz, "line %d: a [[ without its ]]",
			    line_of(text, open));
		if (translate(open + 2, (size_t)(close - open - 2), l, out,
			&bad) == -1)
			return why_f(why, whysz, "line %d: [[%.*s]]: %s",
			    line_of(text, open),
			    close - open - 2 > 60 ? 60 :
						    (int)(close - open - 2),
			    open + 2, bad);
		p = close + 2;
	}
	return out->failed ? why_f(why, whysz, "too large") : 0;
}

/* ---- the language sections */

/* Appends s[0..len) to out with every "key" replaced by value. */
static void
replace(struct buf *out, const char *s, size_t len, const char *key,
    const char *value)
{
	const char *end = s + len, *hit;
	size_t      klen = strlen(key);

	while ((hit = memmem(s, (size_t)(end - s), key, klen)) != NULL) {
		buf_append(out, s, (size_t)(hit - s));
		buf_puts(out, value);
		s = hit + klen;
	}
	buf_append(out, s, (size_t)(end - s));
}

/*
 * The section {{#name}}..{{/name}} at or after s: *open and *close point
 * at its two tags, *body and *after just past them.  0 when there is
 * none, 1 when found, -1 when its end is missing.
 */
static int
find_section(const char *s, const char *end, const char *name,
    const char **open, const char **body, const char **close,
    const char **after)
{
	char   start[64], stop[64];
	size_t n;

	snprintf(start, sizeof(start), "{{#%s}}", name);
	n = (size_t)snprintf(stop, sizeof(stop), "{{/%s}}", name);
	if ((*open = memmem(s, (size_t)(end - s), start, strlen(start))) ==
	    NULL)
		return 0;
	*body = *open + strlen(start);
	if ((*close = memmem(*body, (size_t)(end - *body), stop, n)) == NULL)
		return -1;
	*after = *close + n;
	return 1;
}

/* text with every section name kept (its tags dropped) or dropped. */
static int
keep_section(struct buf *out, const char *s, size_t len, const char *name,
    int keep)
{
	const char *end = s + len, *open, *body, *close, *after;
	int         found;

	while ((found = find_section(s, end, name, &open, &body, &close,
		    &after)) == 1) {
		buf_append(out, s, (size_t)(open - s));
		if (keep)
			buf_append(out, body, (size_t)(close - body));
		s = after;
	}
	buf_append(out, s, (size_t)(end - s));
	return found;
}

/* One LANGUAGE row: body for language x of a template in language l. */
static int
language_row(struct buf *out, const char *body, size_t len,
    const struct lang *x, const struct lang *l)
{
	struct buf a, b, c, name;
	int        rc;

	buf_init(&a, out->max);
	buf_init(&b, out->max);
	buf_init(&c, out->max);
	buf_init(&name, I18N_NAME_MAX * 6);
	escape(&name, x->name, strlen(x->name)); /* text like any other */
	rc = keep_section(&a, body, len, "LANG_CURRENT", x == l) == -1 ||
		keep_section(&b, buf_cstr(&a), a.len, "LANG_OTHER", x != l) ==
		    -1 ?
	    -1 :
	    0;
	replace(&c, buf_cstr(&b), b.len, "{{LANG_CODE}}", x->code);
	replace(out, buf_cstr(&c), c.len, "{{LANG_NAME}}", buf_cstr(&name));
	if (a.failed || b.failed || c.failed || name.failed)
		out->failed = 1;
	buf_free(&a);
	buf_free(&b);
	buf_free(&c);
	buf_free(&name);
	return rc;
}

/* The LANGUAGE sections of s, repeated for each language. */
static int
language_rows(struct buf *out, const char *s, size_t len, const struct lang *l)
{
	const char *end = s + len, *open, *body, *close, *after;
	size_t      i;
	int         found;

	while ((found = find_section(s, end, "LANGUAGE", &open, &body, &close,
		    &after)) == 1) {
		buf_append(out, s, (size_t)(open - s));
		for (i = 0; i < i18n_count(); i++)
			if (language_row(out, body, (size_t)(close - body),
				i18n_lang(i), l) == -1)
				return -1;
		s = after;
	}
	buf_append(out, s, (size_t)(end - s));
	return found;
}

int
markers_languages(const char *text, size_t len, const struct lang *l,
    struct buf *out, char *why, size_t whysz)
{
	struct buf a, b;
	int        rc;

	if (l == NULL)
		l = i18n_english();
	buf_init(&a, out->max);
	buf_init(&b, out->max);
	rc = keep_section(&a, text, len, "LANGUAGES", i18n_count() > 1);
	if (rc != -1)
		rc = language_rows(&b, buf_cstr(&a), a.len, l);
	if (rc != -1)
		replace(out, buf_cstr(&b), b.len, "{{LANG}}", l->code);
	if (rc != -1 && (a.failed || b.failed))
		out->failed = 1;
	buf_free(&a);
	buf_free(&b);
	if (rc == -1)
		return why_f(why, whysz, "a language section without its end");
	return out->failed ? why_f(why, whysz, "too large") : 0;
}
