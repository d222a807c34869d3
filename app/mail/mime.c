/* mime.c - messages read with GMime; see mime.h. */
#include "config.h"

#include <ctype.h>
#include <string.h>

#include <gmime/gmime.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "mail/htmltext.h"
#include "mail/mime.h"

#define NAME_FALLBACK_MESSAGE "message.eml"
#define TYPE_FALLBACK         "application/octet-stream"
#define NO_TARGET             ((size_t)-1)

enum kind {
	K_CONTAINER, /* a multipart: its parts are visited */
	K_PLAIN,     /* text to show */
	K_HTML,      /* text to show when there is no plain text */
	K_ATTACH
};

/* One walk over a message's parts (mime_read, mime_attachment). */
struct walk {
	struct arena              *a;
	enum mime_want             want;
	struct buf                 text; /* plain parts, joined */
	int                        have_plain;
	GMimeObject               *html;   /* the first inline HTML */
	struct summary_attachment *att;    /* SUMMARY_ATTACH_MAX + 1 */
	size_t                     natt;   /* attachments seen */
	size_t                     target; /* mime_attachment's */
	GMimeObject               *found;
	int                        failed; /* arena exhausted */
};

static const char *fallback_charsets[] = { "UTF-8", "windows-1252", NULL };

static int initialized;

void
mime_init(void)
{
	if (initialized)
		return;
	g_mime_init();
	initialized = 1;
}

void
mime_shutdown(void)
{
	if (!initialized)
		return;
	g_mime_shutdown();
	initialized = 0;
}

/* Parser warnings that mean the structure was broken, not just sloppy. */
static void
on_warning(gint64 offset, GMimeParserWarning code, const gchar *item,
    gpointer data)
{
	uint32_t *flags = data;

	(void)offset;
	(void)item;
	switch (code) {
	case GMIME_WARN_DUPLICATED_HEADER:
	case GMIME_WARN_DUPLICATED_PARAMETER:
	case GMIME_WARN_UNENCODED_8BIT_HEADER:
	case GMIME_WARN_INVALID_RFC2047_HEADER_VALUE:
	case GMIME_WARN_INVALID_PARAMETER:
	case GMIME_WARN_INVALID_ADDRESS_LIST:
		break;
	default:
		*flags |= SUMMARY_MALFORMED;
		break;
	}
}

/* The message, or NULL when GMime finds none (flags then say so). */
static GMimeMessage *
parse(const char *raw, size_t len, uint32_t *flags)
{
	GMimeStream        *st;
	GMimeParser        *p;
	GMimeParserOptions *o;
	GMimeMessage       *m;

	st = g_mime_stream_mem_new_with_buffer(raw, len);
	p = g_mime_parser_new_with_stream(st);
	g_object_unref(st);
	o = g_mime_parser_options_new();
	g_mime_parser_options_set_fallback_charsets(o, fallback_charsets);
	g_mime_parser_options_set_warning_callback(o, on_warning, flags);
	m = g_mime_parser_construct_message(p, o);
	g_mime_parser_options_free(o);
	g_object_unref(p);
	if (m == NULL)
		*flags |= SUMMARY_MALFORMED;
	return m;
}

/* The length of the valid UTF-8 character at s (n bytes left), or 0. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	gunichar c = g_utf8_get_char_validated((const gchar *)s,
	    (gssize)(n < 4 ? n : 4));

	if (c == (gunichar)-1 || c == (gunichar)-2)
		return 0;
	return (size_t)g_unichar_to_utf8(c, NULL);
}

/*
 * Valid UTF-8 with controls removed: in a line (keep_breaks 0) every
 * control becomes a space; in text, tabs and line breaks stay (CRLF
 * becomes LF) and other controls go.  Invalid bytes become U+FFFD.
 */
static void
clean_into(struct buf *out, const char *s, size_t n, int keep_breaks)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t               i = 0, k;
	gunichar             c;

	while (i < n && !out->failed) {
		if ((k = utf8_seq(p + i, n - i)) == 0) {
			buf_append(out, "\xef\xbf\xbd", 3);
			i++;
			continue;
		}
		c = g_utf8_get_char((const gchar *)p + i);
		if (c == '\r' && keep_breaks && i + 1 < n && p[i + 1] == '\n')
			; /* the LF follows */
		else if ((c == '\n' || c == '\t') && keep_breaks)
			buf_putc(out, (char)c);
		else if (c < 0x20 || (c >= 0x7f && c < 0xa0)) {
			if (!keep_breaks)
				buf_putc(out, ' ');
		} else
			buf_append(out, s + i, k);
		i += k;
	}
}

/* A header value as one clean line (arena), cut to max bytes; "" for NULL. */
static const char *
clean_line(struct walk *w, const char *s, size_t max)
{
	struct buf  b;
	const char *p, *out;
	size_t      n;

	if (s == NULL)
		s = "";
	buf_init(&b, 4 * max + 16);
	clean_into(&b, s, strnlen(s, 4 * max), 0);
	p = buf_cstr(&b);
	while (*p == ' ')
		p++;
	n = utf8_cut(p, max);
	while (n > 0 && p[n - 1] == ' ')
		n--;
	if ((out = arena_strndup(w->a, p, n)) == NULL)
		w->failed = 1;
	buf_free(&b);
	return out != NULL ? out : "";
}

/* An address list for showing: "Ada <ada@example.org>, ...". */
static const char *
addresses(struct walk *w, InternetAddressList *l)
{
	char       *s;
	const char *out;

	if (l == NULL || internet_address_list_length(l) == 0)
		return clean_line(w, "", 1);
	s = internet_address_list_to_string(l, NULL, FALSE);
	out = clean_line(w, s, SUMMARY_TEXT_MAX);
	g_free(s);
	return out;
}

/* "type/subtype" in lower case, or the fallback if it is not one. */
static const char *
content_type(struct walk *w, GMimeObject *o)
{
	GMimeContentType *ct = g_mime_object_get_content_type(o);
	char *t = ct != NULL ? g_mime_content_type_get_mime_type(ct) : NULL;
	const char *out;
	size_t      i, slashes = 0;

	for (i = 0; t != NULL && t[i] != '\0'; i++) {
		t[i] = (char)tolower((unsigned char)t[i]);
		if (t[i] == '/')
			slashes++;
		else if (!isalnum((unsigned char)t[i]) &&
		    strchr("!#$&^_.+-", t[i]) == NULL)
			slashes = 2;
	}
	if (t == NULL || slashes != 1 || i > SUMMARY_TYPE_MAX || t[0] == '/' ||
	    t[i - 1] == '/')
		out = clean_line(w, TYPE_FALLBACK, SUMMARY_TYPE_MAX);
	else
		out = clean_line(w, t, SUMMARY_TYPE_MAX);
	g_free(t);
	return out;
}

/* A file name without its directories, or "" (arena). */
static const char *
file_name(struct walk *w, GMimeObject *o)
{
	const char *n = GMIME_IS_PART(o) ?
	    g_mime_part_get_filename(GMIME_PART(o)) :
	    NULL;
	const char *slash;

	if (n == NULL && GMIME_IS_MESSAGE_PART(o))
		n = NAME_FALLBACK_MESSAGE;
	if (n == NULL)
		return clean_line(w, "", 1);
	if ((slash = strrchr(n, '/')) != NULL)
		n = slash + 1;
	if ((slash = strrchr(n, '\\')) != NULL)
		n = slash + 1;
	return clean_line(w, n, SUMMARY_NAME_MAX);
}

/* Decoded content of a part, or an attached message, into st. */
static void
write_content(GMimeObject *o, GMimeStream *st)
{
	GMimeDataWrapper *dw;
	GMimeMessage     *m;

	if (GMIME_IS_MESSAGE_PART(o)) {
		m = g_mime_message_part_get_message(GMIME_MESSAGE_PART(o));
		if (m != NULL)
			(void)g_mime_object_write_to_stream(GMIME_OBJECT(m),
			    NULL, st);
		return;
	}
	if (GMIME_IS_PART(o) &&
	    (dw = g_mime_part_get_content(GMIME_PART(o))) != NULL)
		(void)g_mime_data_wrapper_write_to_stream(dw, st);
}

static uint64_t
content_size(GMimeObject *o)
{
	GMimeStream *st = g_mime_stream_null_new();
	uint64_t     n;

	write_content(o, st);
	n = GMIME_STREAM_NULL(st)->written;
	g_object_unref(st);
	return n;
}

/* The one rule that sorts parts; see mime.h. */
static enum kind
classify(GMimeObject *o)
{
	GMimeContentType *ct;
	int               named;

	if (GMIME_IS_MESSAGE_PART(o))
		return K_ATTACH;
	if (!GMIME_IS_PART(o))
		return K_CONTAINER;
	if (g_mime_part_is_attachment(GMIME_PART(o)))
		return K_ATTACH;
	ct = g_mime_object_get_content_type(o);
	named = g_mime_part_get_filename(GMIME_PART(o)) != NULL;
	if (ct == NULL || named || !GMIME_IS_TEXT_PART(o))
		return K_ATTACH;
	if (g_mime_content_type_is_type(ct, "text", "plain"))
		return K_PLAIN;
	if (g_mime_content_type_is_type(ct, "text", "html"))
		return K_HTML;
	return K_ATTACH;
}

/*
 * A text part's text in UTF-8 (g_malloc'd): as its charset says, or as
 * windows-1252 when it declares none and is not UTF-8.
 */
static char *
part_text(GMimeObject *o)
{
	GMimeTextPart *tp = GMIME_TEXT_PART(o);
	char          *s = g_mime_text_part_get_text(tp), *conv = NULL;

	if (s == NULL || g_utf8_validate(s, -1, NULL))
		return s;
	if (g_mime_text_part_get_charset(tp) == NULL)
		conv = g_convert(s, -1, "UTF-8", "WINDOWS-1252", NULL, NULL,
		    NULL);
	if (conv == NULL)
		conv = g_utf8_make_valid(s, -1);
	g_free(s);
	return conv;
}

static void
add_text(struct walk *w, GMimeObject *o)
{
	char *s = part_text(o);

	if (s == NULL)
		return;
	if (w->text.len > 0)
		buf_puts(&w->text, "\n\n");
	clean_into(&w->text, s, strlen(s), 1);
	g_free(s);
}

static void
add_attachment(struct walk *w, GMimeObject *o)
{
	struct summary_attachment *at;

	if (w->natt == w->target)
		w->found = o;
	if (w->natt <= SUMMARY_ATTACH_MAX) {
		at = &w->att[w->natt];
		at->name = file_name(w, o);
		at->type = content_type(w, o);
		at->size = w->target == NO_TARGET ? content_size(o) : 0;
	}
	w->natt++;
}

static void
visit(GMimeObject *parent, GMimeObject *o, gpointer data)
{
	struct walk *w = data;

	(void)parent;
	switch (classify(o)) {
	case K_PLAIN:
		w->have_plain = 1;
		if (w->want == MIME_WANT_TEXT)
			add_text(w, o);
		break;
	case K_HTML:
		if (w->html == NULL)
			w->html = o;
		break;
	case K_ATTACH:
		add_attachment(w, o);
		break;
	default:
		break;
	}
}

/* Walks every part of m; 0, or -1 when the arena ran out. */
static int
walk_parts(struct walk *w, GMimeMessage *m)
{
	w->att = arena_calloc(w->a, SUMMARY_ATTACH_MAX + 1, sizeof(*w->att));
	if (w->att == NULL)
		return -1;
	buf_init(&w->text, MIME_TEXT_MAX + 4);
	if (m != NULL && g_mime_message_get_mime_part(m) != NULL)
		g_mime_message_foreach(m, visit, w);
	return w->failed ? -1 : 0;
}

static void
read_headers(struct mime_view *v, struct walk *w, GMimeMessage *m)
{
	GDateTime *dt = m != NULL ? g_mime_message_get_date(m) : NULL;
	char      *t;

	v->sum.from = addresses(w,
	    m != NULL ? g_mime_message_get_from(m) : NULL);
	v->sum.to = addresses(w, m != NULL ? g_mime_message_get_to(m) : NULL);
	v->cc = addresses(w, m != NULL ? g_mime_message_get_cc(m) : NULL);
	v->sum.subject = clean_line(w,
	    m != NULL ? g_mime_message_get_subject(m) : NULL, SUMMARY_TEXT_MAX);
	v->date_text = clean_line(w, "", 1);
	if (dt == NULL)
		return;
	v->sum.date = g_date_time_to_unix(dt);
	v->sum.tz_minutes = (int)(g_date_time_get_utc_offset(dt) /
	    G_TIME_SPAN_MINUTE);
	if ((t = g_date_time_format(dt, "%Y-%m-%d %H:%M %z")) != NULL) {
		v->date_text = clean_line(w, t, 64);
		g_free(t);
	}
}

/* What follows the header (the first empty line), cleaned, into out. */
static void
raw_body(struct buf *out, const char *raw, size_t len)
{
	const char *end = raw + len, *p;

	for (p = raw; p < end; p++)
		if (*p == '\n' && (p + 1 < end) &&
		    (p[1] == '\n' ||
			(p[1] == '\r' && p + 2 < end && p[2] == '\n')))
			break;
	p = p < end ? p + (p[1] == '\n' ? 2 : 3) : raw;
	clean_into(out, p, (size_t)(end - p), 1);
}

/* The text to show: plain parts, else the HTML's text, else raw text. */
static void
choose_text(struct mime_view *v, struct walk *w, GMimeMessage *m,
    const char *raw, size_t len)
{
	struct buf html;
	char      *s;

	if (!w->have_plain && w->html != NULL) {
		v->sum.flags |= SUMMARY_HTML_ONLY;
		if (w->want == MIME_WANT_TEXT &&
		    (s = part_text(w->html)) != NULL) {
			buf_init(&html, MIME_TEXT_MAX + 4);
			html_to_text(&html, s, strlen(s));
			clean_into(&w->text, html.data, html.len, 1);
			buf_free(&html);
			g_free(s);
		}
	} else if (!w->have_plain && m == NULL) {
		if (w->want == MIME_WANT_TEXT)
			clean_into(&w->text, raw, len, 1);
	} else if (!w->have_plain && (v->sum.flags & SUMMARY_MALFORMED)) {
		/* Broken structure hid the text: show the body as it came. */
		if (w->want == MIME_WANT_TEXT)
			raw_body(&w->text, raw, len);
	} else if (!w->have_plain)
		v->sum.flags |= SUMMARY_NO_TEXT;
}

static int
finish_text(struct mime_view *v, struct walk *w)
{
	size_t n;

	if (w->want != MIME_WANT_TEXT)
		return 0;
	n = utf8_cut(buf_cstr(&w->text), MIME_TEXT_MAX);
	v->text_cut = w->text.failed || n < w->text.len;
	v->text = arena_strndup(w->a, buf_cstr(&w->text), n);
	return v->text == NULL ? -1 : 0;
}

int
mime_read(struct mime_view *v, const char *raw, size_t len, enum mime_want want,
    struct arena *a)
{
	struct walk   w;
	GMimeMessage *m;
	int           rc;

	mime_init();
	memset(v, 0, sizeof(*v));
	memset(&w, 0, sizeof(w));
	w.a = a;
	w.want = want;
	w.target = NO_TARGET;
	m = parse(raw, len, &v->sum.flags);
	read_headers(v, &w, m);
	rc = walk_parts(&w, m);
	if (rc == 0) {
		choose_text(v, &w, m, raw, len);
		rc = finish_text(v, &w);
	}
	v->sum.attach = w.att;
	v->sum.nattach = w.natt;
	if (w.natt > SUMMARY_ATTACH_MAX) {
		v->sum.nattach = SUMMARY_ATTACH_MAX;
		v->sum.flags |= SUMMARY_MORE_ATTACHMENTS;
	}
	buf_free(&w.text);
	if (m != NULL)
		g_object_unref(m);
	return rc == 0 && !w.failed ? 0 : -1;
}

int
mime_attachment(const char *raw, size_t len, size_t i, struct buf *out,
    struct summary_attachment *info, struct arena *a)
{
	struct walk   w;
	GMimeMessage *m;
	GMimeStream  *st;
	GByteArray   *bytes;
	uint32_t      flags = 0;
	int           rc = -1;

	mime_init();
	memset(&w, 0, sizeof(w));
	w.a = a;
	w.target = i;
	if (i >= SUMMARY_ATTACH_MAX || (m = parse(raw, len, &flags)) == NULL)
		return -1;
	if (walk_parts(&w, m) == 0 && w.found != NULL) {
		*info = w.att[i];
		st = g_mime_stream_mem_new();
		write_content(w.found, st);
		bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(st));
		info->size = bytes->len;
		buf_append(out, bytes->data, bytes->len);
		g_object_unref(st);
		rc = out->failed ? -1 : 0;
	}
	buf_free(&w.text);
	g_object_unref(m);
	return rc;
}
