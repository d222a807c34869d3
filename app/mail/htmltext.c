/* htmltext.c - the text of HTML; see htmltext.h. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/buf.h"
#include "mail/htmltext.h"

#define TAG_NAME_MAX 16

struct text {
	struct buf *out;
	size_t      start;    /* out's length before us */
	int         space;    /* white space seen since the last word */
	int         newlines; /* at the end of out, 0..2 */
};

/* Elements whose contents are never text. */
static const char *const hidden[] = { "script", "style", "head", "template",
	"title", "noscript" };
/* Elements that begin or end a line. */
static const char *const blocks[] = { "p", "div", "li", "tr", "table", "ul",
	"ol", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
	"dt", "dd", "section", "article", "header", "footer", "td" };

static int
listed(const char *name, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(name, list[i]) == 0)
			return 1;
	return 0;
}

static void
line_break(struct text *t, int want)
{
	if (t->out->len == t->start)
		return;
	while (t->newlines < want && t->newlines < 2) {
		buf_putc(t->out, '\n');
		t->newlines++;
	}
	t->space = 0;
}

static void
word(struct text *t, const char *s, size_t n)
{
	if (t->space && t->newlines == 0 && t->out->len > t->start)
		buf_putc(t->out, ' ');
	buf_append(t->out, s, n);
	t->space = 0;
	t->newlines = 0;
}

static void
put_utf8(struct text *t, unsigned long cp)
{
	char   u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | cp >> 18);
		u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	word(t, u, n);
}

/* A numeric reference's code point, or 0 when it names none we show. */
static unsigned long
numeric_ref(const char *s, size_t n)
{
	unsigned long cp = 0;
	size_t        i = 1;
	int           hex = n > 1 && (s[1] == 'x' || s[1] == 'X');

	if (hex)
		i++;
	if (i >= n || n - i > 8)
		return 0;
	for (; i < n; i++) {
		if (hex ? !isxdigit((unsigned char)s[i]) :
			  !isdigit((unsigned char)s[i]))
			return 0;
		cp = cp * (hex ? 16 : 10) +
		    (unsigned long)(isdigit((unsigned char)s[i]) ?
			    s[i] - '0' :
			    tolower((unsigned char)s[i]) - 'a' + 10);
	}
	if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp < 0xe000))
		return cp == '\t' || cp == '\n' ? ' ' : 0;
	return cp;
}

/* "&...;" at s (len bytes left); returns the bytes used. */
static size_t
reference(struct text *t, const char *s, size_t len)
{
	static const struct {
		const char   *name;
		unsigned long cp;
	} named[] = {
		{ "amp", '&' },
		{ "lt", '<' },
		{ "gt", '>' },
		{ "quot", '"' },
		{ "apos", '\'' },
		{ "nbsp", ' ' },
		{ "copy", 0xa9 },
		{ "reg", 0xae },
		{ "hellip", 0x2026 },
		{ "mdash", 0x2014 },
		{ "ndash", 0x2013 },
		{ "euro", 0x20ac },
		{ "laquo", 0xab },
		{ "raquo", 0xbb },
		{ "rsquo", 0x2019 },
		{ "lsquo", 0x2018 },
		{ "ldquo", 0x201c },
		{ "rdquo", 0x201d },
	};
	const char   *semi;
	size_t        n, i;
	unsigned long cp = 0;

	semi = memchr(s, ';', len < 12 ? len : 12);
	if (semi == NULL) {
		word(t, "&", 1);
		return 1;
	}
	n = (size_t)(semi - s) - 1; /* between '&' and ';' */
	if (n > 0 && s[1] == '#')
		cp = numeric_ref(s + 1, n);
	else
		for (i = 0; i < sizeof(named) / sizeof(named[0]); i++)
			if (strlen(named[i].name) == n &&
			    memcmp(named[i].name, s + 1, n) == 0)
				cp = named[i].cp;
	if (cp == 0) {
		word(t, s, n + 2); /* unknown: kept as written */
		return n + 2;
	}
	if (cp == ' ')
		t->space = 1;
	else
		put_utf8(t, cp);
	return n + 2;
}

/* Where the tag at s ends (after '>'), quotes respected; len if never. */
static size_t
tag_end(const char *s, size_t len)
{
	size_t i;
	char   quote = 0;

	for (i = 1; i < len; i++) {
		if (quote != 0) {
			if (s[i] == quote)
				quote = 0;
		} else if (s[i] == '"' || s[i] == '\'')
			quote = s[i];
		else if (s[i] == '>')
			return i + 1;
	}
	return len;
}

/* Skips a hidden element's contents: to after "</name...>", or the end. */
static size_t
skip_hidden(const char *s, size_t len, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; i + 2 + n <= len; i++)
		if (s[i] == '<' && s[i + 1] == '/' &&
		    strncasecmp(s + i + 2, name, n) == 0 &&
		    (i + 2 + n == len || !isalnum((unsigned char)s[i + 2 + n])))
			return i + tag_end(s + i, len - i);
	return len;
}

/* The tag, comment or declaration at s; returns the bytes used. */
static size_t
tag(struct text *t, const char *s, size_t len)
{
	char   name[TAG_NAME_MAX + 1];
	size_t i, n = 0, end;
	int    closing = len > 1 && s[1] == '/';

	if (len >= 4 && memcmp(s, "<!--", 4) == 0) {
		const char *e = memmem(s + 4, len - 4, "-->", 3);

		return e != NULL ? (size_t)(e - s) + 3 : len;
	}
	for (i = closing ? 2 : 1;
	     i < len && n < TAG_NAME_MAX && isalnum((unsigned char)s[i]); i++)
		name[n++] = (char)tolower((unsigned char)s[i]);
	name[n] = '\0';
	end = tag_end(s, len);
	if (!closing &&
	    listed(name, hidden, sizeof(hidden) / sizeof(hidden[0])))
		return end + skip_hidden(s + end, len - end, name);
	if (strcmp(name, "br") == 0 && t->out->len > t->start) {
		buf_putc(t->out, '\n');
		t->newlines = t->newlines < 2 ? t->newlines + 1 : 2;
		t->space = 0;
	} else if (listed(name, blocks, sizeof(blocks) / sizeof(blocks[0])))
		line_break(t, strcmp(name, "p") == 0 && closing ? 2 : 1);
	return end;
}

void
html_to_text(struct buf *out, const char *s, size_t len)
{
	struct text t = { out, out->len, 0, 0 };
	size_t      i = 0, n;

	while (i < len && !out->failed) {
		if (s[i] == '<' && i + 1 < len &&
		    (isalpha((unsigned char)s[i + 1]) || s[i + 1] == '/' ||
			s[i + 1] == '!' || s[i + 1] == '?'))
			i += tag(&t, s + i, len - i);
		else if (s[i] == '&')
			i += reference(&t, s + i, len - i);
		else if (isspace((unsigned char)s[i]) || s[i] == '\0') {
			t.space = 1;
			i++;
		} else {
			/* The first byte may be a '<' that starts no tag. */
			for (n = 1; i + n < len && s[i + n] != '<' &&
			     s[i + n] != '&' && s[i + n] != '\0' &&
			     !isspace((unsigned char)s[i + n]);
			     n++)
				;
			word(&t, s + i, n);
			i += n;
		}
	}
	while (out->len > t.start && out->data[out->len - 1] == '\n')
		out->data[--out->len] = '\0';
}
