/*
 * smtp_build.c - fuzzes the message text of a notification (smtp_build):
 * addresses, subject and body come from members' and Launchpad's data.
 * A message built must be CRLF text, 7-bit but for the addresses, with
 * lines within their limits, whose subject and body decode back to what
 * was given; a message refused must say why.
 *
 * Input, NUL-separated: the date (decimal seconds), subject, body, From,
 * To, Cc and Bcc (each a comma-separated list) and the Message-ID's left
 * part.  Addresses over 254 bytes are not tried: nothing stores longer.
 */
#include "config.h"

#include <sodium.h>

#include "fuzz.h"
#include "lib/buf.h"
#include "proto/smtp.h"

#define ADDR_MAX  254 /* RFC 5321's bound on a path */
#define LIST_MAX  4
#define ID_MAX    64
#define LINE_MAX_ 998 /* RFC 5322 */

static int
too_long(const char *const *a, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strlen(a[i]) > ADDR_MAX)
			return 1;
	return 0;
}

/* The body as put_body promises it: each line LF-terminated. */
static char *
expected_body(const char *b)
{
	struct buf out;
	size_t     n;
	char      *s;

	buf_init(&out, SMTP_MESSAGE_MAX);
	while (*b != '\0') {
		n = strcspn(b, "\r\n");
		buf_append(&out, b, n);
		buf_putc(&out, '\n');
		b += n;
		b += b[0] == '\r' && b[1] == '\n' ? 2 : *b != '\0';
	}
	s = strdup(buf_cstr(&out));
	buf_free(&out);
	return s;
}

/* Quoted-printable decoded, soft breaks removed, CRLF made LF. */
static char *
qp_decode(const char *p, const char *end)
{
	char *out = malloc((size_t)(end - p) + 1), *o = out;
	int   hi, lo;
	char  hex[3] = "";

	FUZZ_CHECK(out != NULL);
	while (p < end) {
		if (p[0] == '=' && end - p >= 3 && p[1] == '\r' && p[2] == '\n')
			p += 3;
		else if (p[0] == '=') {
			FUZZ_CHECK(end - p >= 3);
			memcpy(hex, p + 1, 2);
			hi = hex[0] >= 'A' ? hex[0] - 'A' + 10 : hex[0] - '0';
			lo = hex[1] >= 'A' ? hex[1] - 'A' + 10 : hex[1] - '0';
			FUZZ_CHECK(hi >= 0 && hi < 16 && lo >= 0 && lo < 16);
			*o++ = (char)(hi << 4 | lo);
			p += 3;
		} else if (p[0] == '\r') {
			FUZZ_CHECK(end - p >= 2 && p[1] == '\n');
			*o++ = '\n';
			p += 2;
		} else
			*o++ = *p++;
	}
	*o = '\0';
	return out;
}

/*
 * Whether the header line at t may hold 8-bit bytes: only the address
 * fields, whose addresses may be UTF-8 (RFC 6532; libcurl asks the relay
 * for SMTPUTF8), and their folded lines.
 */
static int
eight_bit_ok(const char *t, int field_ok)
{
	if (t[0] == ' ')
		return field_ok;
	return strncmp(t, "From:", 5) == 0 || strncmp(t, "To:", 3) == 0 ||
	    strncmp(t, "Cc:", 3) == 0 || strncmp(t, "Message-ID:", 11) == 0;
}

/*
 * Lines end in CRLF, with no bare CR or LF and no NUL; the body and every
 * header but the address fields are 7-bit; lines keep their bounds.
 */
static void
check_lines(const char *t, size_t len, const char *body)
{
	size_t i, col = 0;
	int    eight = 0;

	for (i = 0; i < len; i++) {
		if (col == 0 && t + i < body)
			eight = eight_bit_ok(t + i, eight);
		FUZZ_CHECK(t[i] != '\0');
		FUZZ_CHECK(
		    (unsigned char)t[i] < 0x80 || (eight && t + i < body));
		if (t[i] == '\r') {
			FUZZ_CHECK(i + 1 < len && t[i + 1] == '\n');
			i++;
			col = 0;
			continue;
		}
		FUZZ_CHECK(t[i] != '\n');
		col++;
		FUZZ_CHECK(col <= (t + i >= body ? 76 : LINE_MAX_));
	}
	FUZZ_CHECK(len >= 2 && t[len - 2] == '\r' && t[len - 1] == '\n');
}

/* The Subject header's value, unfolded (CRLF before a space removed). */
static char *
subject_value(const char *t)
{
	const char *h = strstr(t, "\r\nSubject:");
	char       *v, *o;

	FUZZ_CHECK(h != NULL);
	h += 10;
	FUZZ_CHECK((v = malloc(strlen(h) + 1)) != NULL);
	for (o = v; *h != '\0' && !(h[0] == '\r' && h[2] != ' '); h++)
		if (*h != '\r' && *h != '\n')
			*o++ = *h;
	*o = '\0';
	return v;
}

/* The subject reads back: as is when short ASCII, else RFC 2047 B words. */
static void
check_subject(const char *t, const char *subject)
{
	unsigned char bin[64];
	struct buf    got;
	char         *v = subject_value(t), *w, *q;
	size_t        n, i, len = strlen(subject);
	int           plain = len <= 69;

	for (i = 0; i < len; i++)
		plain &= (unsigned char)subject[i] < 0x80;
	buf_init(&got, 4096);
	for (w = v; plain == 0 && *w == ' '; w = q + 2) {
		FUZZ_CHECK(strncmp(w, " =?UTF-8?B?", 11) == 0);
		w += 11;
		FUZZ_CHECK((q = strstr(w, "?=")) != NULL);
		FUZZ_CHECK(
		    sodium_base642bin(bin, sizeof(bin), w, (size_t)(q - w),
			NULL, &n, NULL, sodium_base64_VARIANT_ORIGINAL) == 0);
		buf_append(&got, bin, n);
	}
	if (plain)
		FUZZ_CHECK(v[0] == ' ' && strcmp(v + 1, subject) == 0);
	else
		FUZZ_CHECK(strcmp(buf_cstr(&got), subject) == 0);
	buf_free(&got);
	free(v);
}

static void
check_message(const struct buf *b, const struct smtp_message *m)
{
	const char *t = b->data, *body;
	char       *want, *got;

	FUZZ_CHECK(t != NULL && b->len == strlen(t));
	FUZZ_CHECK((body = strstr(t, "\r\n\r\n")) != NULL);
	body += 4;
	check_lines(t, b->len, body);
	/* No Bcc header (a body line may read "Bcc:"). */
	FUZZ_CHECK(
	    strstr(t, "\r\nBcc:") == NULL || strstr(t, "\r\nBcc:") >= body - 4);
	check_subject(t, m->subject);
	want = expected_body(m->body);
	got = qp_decode(body, t + b->len);
	FUZZ_CHECK(want != NULL && strcmp(want, got) == 0);
	free(want);
	free(got);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_fields  ff;
	struct smtp_message m;
	struct buf          b;
	const char         *to[LIST_MAX], *cc[LIST_MAX], *bcc[LIST_MAX];
	const char         *from;
	char                why[256] = "";

	fuzz_split(data, size, 8, &ff);
	memset(&m, 0, sizeof(m));
	m.date = (time_t)strtoll(fuzz_field(&ff, 0, "0"), NULL, 10);
	m.subject = fuzz_field(&ff, 1, "");
	m.body = fuzz_field(&ff, 2, "");
	from = fuzz_field(&ff, 3, "membermail@example.org");
	m.to = to;
	m.nto = fuzz_list((char *)(uintptr_t)fuzz_field(&ff, 4, NULL), to,
	    LIST_MAX);
	m.cc = cc;
	m.ncc = fuzz_list((char *)(uintptr_t)fuzz_field(&ff, 5, NULL), cc,
	    LIST_MAX);
	m.bcc = bcc;
	m.nbcc = fuzz_list((char *)(uintptr_t)fuzz_field(&ff, 6, NULL), bcc,
	    LIST_MAX);
	m.id = fuzz_field(&ff, 7, "outbox.1.2");
	if (strlen(from) <= ADDR_MAX && !too_long(to, m.nto) &&
	    !too_long(cc, m.ncc) && !too_long(bcc, m.nbcc) &&
	    strlen(m.id) <= ID_MAX) {
		buf_init(&b, SMTP_MESSAGE_MAX);
		if (smtp_build(&b, &m, from, why, sizeof(why)) == 0)
			check_message(&b, &m);
		else
			FUZZ_CHECK(why[0] != '\0');
		buf_free(&b);
	}
	fuzz_fields_free(&ff);
	return 0;
}
