/* summary.c - a message's listing fields as bytes; see summary.h. */
#include "config.h"

#include <string.h>

#include <sodium.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "mail/summary.h"

#define SUMMARY_VERSION 1
#define FIXED_LEN       (1 + 4 + 8 + 2) /* version, flags, date, zone */

enum tag {
	TAG_END = 0,
	TAG_FROM = 'f',
	TAG_TO = 't',
	TAG_SUBJECT = 's',
	TAG_ATTACH = 'a' /* size (8), type length (1), type, name */
};

size_t
utf8_cut(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return n;
	/* Back off continuation bytes (10xxxxxx) to a character's start. */
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

static void
put_be(struct buf *b, uint64_t v, int bytes)
{
	unsigned char o[8];
	int           i;

	for (i = bytes - 1; i >= 0; i--) {
		o[i] = (unsigned char)(v & 0xff);
		v >>= 8;
	}
	buf_append(b, o, (size_t)bytes);
}

static void
put_field(struct buf *b, enum tag t, const char *s, size_t max)
{
	size_t n = utf8_cut(s != NULL ? s : "", max);

	buf_putc(b, (char)t);
	put_be(b, n, 2);
	buf_append(b, s, n);
}

static void
put_attachment(struct buf *b, const struct summary_attachment *a)
{
	const char *type = a->type != NULL ? a->type : "";
	const char *name = a->name != NULL ? a->name : "";
	size_t      tn = utf8_cut(type, SUMMARY_TYPE_MAX);
	size_t      nn = utf8_cut(name, SUMMARY_NAME_MAX);

	buf_putc(b, TAG_ATTACH);
	put_be(b, 8 + 1 + tn + nn, 2);
	put_be(b, a->size, 8);
	buf_putc(b, (char)tn);
	buf_append(b, type, tn);
	buf_append(b, name, nn);
}

/* ISO/IEC 7816-4 padding of what was appended since start. */
static void
pad(struct buf *out, size_t start)
{
	size_t unpadded = out->len - start, padded, i;

	for (i = 0; i < SUMMARY_BLOCK; i++) /* room for the padding */
		buf_putc(out, 0);
	if (out->failed ||
	    sodium_pad(&padded, (unsigned char *)out->data + start, unpadded,
		SUMMARY_BLOCK, unpadded + SUMMARY_BLOCK) != 0) {
		out->failed = 1;
		return;
	}
	out->len = start + padded;
}

void
summary_encode(struct buf *out, const struct summary *s)
{
	size_t   start = out->len, i;
	uint32_t flags = s->flags;

	if (s->nattach > SUMMARY_ATTACH_MAX)
		flags |= SUMMARY_MORE_ATTACHMENTS;
	buf_putc(out, SUMMARY_VERSION);
	put_be(out, flags, 4);
	put_be(out, (uint64_t)s->date, 8);
	put_be(out, (uint16_t)(int16_t)s->tz_minutes, 2);
	put_field(out, TAG_FROM, s->from, SUMMARY_TEXT_MAX);
	put_field(out, TAG_TO, s->to, SUMMARY_TEXT_MAX);
	put_field(out, TAG_SUBJECT, s->subject, SUMMARY_TEXT_MAX);
	for (i = 0; i < s->nattach && i < SUMMARY_ATTACH_MAX; i++)
		put_attachment(out, &s->attach[i]);
	buf_putc(out, TAG_END);
	pad(out, start);
}

struct reader {
	const unsigned char *p, *end;
};

static int
get_be(struct reader *r, int bytes, uint64_t *v)
{
	int i;

	if (r->end - r->p < bytes)
		return -1;
	*v = 0;
	for (i = 0; i < bytes; i++)
		*v = *v << 8 | *r->p++;
	return 0;
}

/* n bytes as an arena string: no NUL inside, and at most max. */
static const char *
get_text(struct reader *r, size_t n, size_t max, struct arena *a)
{
	const char *s;

	if (n > max || (size_t)(r->end - r->p) < n ||
	    memchr(r->p, '\0', n) != NULL)
		return NULL;
	s = arena_strndup(a, (const char *)r->p, n);
	r->p += n;
	return s;
}

static int
get_attachment(struct reader *r, size_t n, struct summary_attachment *at,
    struct arena *a)
{
	struct reader f = { r->p, r->p + n };
	uint64_t      size, tn;

	if ((size_t)(r->end - r->p) < n || get_be(&f, 8, &size) == -1 ||
	    get_be(&f, 1, &tn) == -1 || tn > (uint64_t)(f.end - f.p))
		return -1;
	at->size = size;
	if ((at->type = get_text(&f, tn, SUMMARY_TYPE_MAX, a)) == NULL ||
	    (at->name = get_text(&f, (size_t)(f.end - f.p), SUMMARY_NAME_MAX,
		 a)) == NULL)
		return -1;
	r->p += n;
	return 0;
}

/* One tag-length-value field into s; 1 at the end, 0, or -1. */
static int
get_field(struct reader *r, struct summary *s,
    struct summary_attachment *attach, struct arena *a)
{
	uint64_t    tag, n;
	const char *t;

	if (get_be(r, 1, &tag) == -1)
		return -1;
	if (tag == TAG_END)
		return 1;
	if (get_be(r, 2, &n) == -1)
		return -1;
	if (tag == TAG_ATTACH) {
		if (s->nattach >= SUMMARY_ATTACH_MAX)
			return -1;
		return get_attachment(r, (size_t)n, &attach[s->nattach++], a);
	}
	if ((t = get_text(r, (size_t)n, SUMMARY_TEXT_MAX, a)) == NULL)
		return -1;
	if (tag == TAG_FROM && s->from == NULL)
		s->from = t;
	else if (tag == TAG_TO && s->to == NULL)
		s->to = t;
	else if (tag == TAG_SUBJECT && s->subject == NULL)
		s->subject = t;
	else
		return -1;
	return 0;
}

int
summary_decode(struct summary *s, const unsigned char *in, size_t len,
    struct arena *a)
{
	struct summary_attachment *attach;
	struct reader              r;
	uint64_t                   version, flags, date, tz;
	size_t                     unpadded;
	int                        rc;

	memset(s, 0, sizeof(*s));
	if (len == 0 || len % SUMMARY_BLOCK != 0 ||
	    sodium_unpad(&unpadded, in, len, SUMMARY_BLOCK) != 0)
		return -1;
	r.p = in;
	r.end = in + unpadded;
	if (get_be(&r, 1, &version) == -1 || version != SUMMARY_VERSION ||
	    get_be(&r, 4, &flags) == -1 || get_be(&r, 8, &date) == -1 ||
	    get_be(&r, 2, &tz) == -1)
		return -1;
	s->flags = (uint32_t)flags;
	s->date = (int64_t)date;
	s->tz_minutes = (int16_t)(uint16_t)tz;
	if ((attach = arena_calloc(a, SUMMARY_ATTACH_MAX, sizeof(*attach))) ==
	    NULL)
		return -1;
	s->attach = attach;
	while ((rc = get_field(&r, s, attach, a)) == 0)
		;
	if (rc == -1 || r.p != r.end || s->from == NULL || s->to == NULL ||
	    s->subject == NULL)
		return -1;
	return 0;
}
