/* smtp.c - notification e-mail over SMTP; see smtp.h. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>
#include <idn2.h>
#include <sodium.h>

#include "lib/buf.h"
#include "lib/conf.h"
#include "proto/smtp.h"

#define LINE_MAX_QP 76 /* RFC 2045: encoded lines of at most 76 */
#define WORD_BYTES \
	39 /* bytes per encoded word: 52 base64 chars,
				   so "Subject: " + a word fits in 76 */

static const char *const wdays[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri",
	"Sat" };
static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

/* A header value: no CR, LF or other control characters. */
static int
header_safe(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

static int
ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

static int
addresses_safe(const char *const *a, size_t n, const char **bad)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (a[i] == NULL || a[i][0] == '\0' || !header_safe(a[i]) ||
		    strchr(a[i], '@') == NULL ||
		    strpbrk(a[i], "<>,;\" ") != NULL) {
			*bad = a[i] != NULL ? a[i] : "(null)";
			return 0;
		}
	return 1;
}

/*
 * The Date header; -1 for a time gmtime_r cannot break down (tm would be
 * garbage) or outside the years 1900..9999 that RFC 5322 writes.
 */
static int
put_date(struct buf *out, time_t t)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || tm.tm_year < 0 ||
	    tm.tm_year > 9999 - 1900)
		return -1;
	buf_printf(out, "Date: %s, %d %s %d %02d:%02d:%02d +0000\r\n",
	    wdays[tm.tm_wday], tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900,
	    tm.tm_hour, tm.tm_min, tm.tm_sec);
	return 0;
}

/* One address a line, folded, so no line nears the 998 limit. */
static void
put_addresses(struct buf *out, const char *name, const char *const *a, size_t n)
{
	size_t i;

	if (n == 0)
		return;
	buf_printf(out, "%s: ", name);
	for (i = 0; i < n; i++)
		buf_printf(out, "%s%s", i == 0 ? "" : ",\r\n ", a[i]);
	buf_puts(out, "\r\n");
}

/* RFC 2047 B words of whole UTF-8 characters, one per folded line. */
static void
put_subject(struct buf *out, const char *s)
{
	char   b64[sodium_base64_ENCODED_LEN(WORD_BYTES,
	      sodium_base64_VARIANT_ORIGINAL)];
	size_t len = strlen(s), at = 0, n;

	if (ascii(s) && len <= 78 - sizeof("Subject: ") + 1) {
		buf_printf(out, "Subject: %s\r\n", s);
		return;
	}
	buf_puts(out, "Subject:");
	while (at < len) {
		n = len - at < WORD_BYTES ? len - at : WORD_BYTES;
		/* Never split a character: back off continuation bytes. */
		while (n > 1 && at + n < len &&
		    ((unsigned char)s[at + n] & 0xc0) == 0x80)
			n--;
		sodium_bin2base64(b64, sizeof(b64),
		    (const unsigned char *)s + at, n,
		    sodium_base64_VARIANT_ORIGINAL);
		buf_printf(out, "%s=?UTF-8?B?%s?=", at == 0 ? " " : "\r\n ",
		    b64);
		at += n;
	}
	buf_puts(out, "\r\n");
}

/* Appends one encoded unit, with a soft break first when it would not fit. */
static void
qp_put(struct buf *out, size_t *col, const char *unit, size_t n, int last)
{
	/* Room for the unit, and for "=" unless it ends the line. */
	if (*col + n + (last ? 0 : 1) > LINE_MAX_QP) {
		buf_puts(out, "=\r\n");
		*col = 0;
	}
	buf_append(out, unit, n);
	*col += n;
}

/* One line (without its end) quoted-printable, then CRLF. */
static void
qp_line(struct buf *out, const char *p, size_t n)
{
	char          hex[4];
	size_t        i, col = 0;
	unsigned char c;
	int           last;

	for (i = 0; i < n; i++) {
		c = (unsigned char)p[i];
		last = i + 1 == n;
		if ((c >= 33 && c <= 126 && c != '=') ||
		    ((c == ' ' || c == '\t') && !last))
			qp_put(out, &col, (const char *)&p[i], 1, last);
		else {
			snprintf(hex, sizeof(hex), "=%02X", c);
			qp_put(out, &col, hex, 3, last);
		}
	}
	buf_puts(out, "\r\n");
}

/* The body, its line ends (LF, CRLF or CR) made CRLF; ends with CRLF. */
static void
put_body(struct buf *out, const char *b)
{
	size_t n;

	while (*b != '\0') {
		n = strcspn(b, "\r\n");
		qp_line(out, b, n);
		b += n;
		if (b[0] == '\r' && b[1] == '\n')
			b += 2;
		else if (*b != '\0')
			b++;
	}
}

int
smtp_build(struct buf *out, const struct smtp_message *m, const char *from,
    char *why, size_t whysz)
{
	const char *bad = NULL, *domain;

	if (m->nto == 0) {
		snprintf(why, whysz, "no To address");
		return -1;
	}
	if (!addresses_safe(m->to, m->nto, &bad) ||
	    !addresses_safe(m->cc, m->ncc, &bad) ||
	    !addresses_safe(m->bcc, m->nbcc, &bad) ||
	    !addresses_safe(&from, 1, &bad)) {
		snprintf(why, whysz,
		    "address refused (control character, "
		    "or not a bare address)");
		return -1;
	}
	if (!header_safe(m->subject)) {
		snprintf(why, whysz,
		    "subject holds a control character "
		    "(CR, LF, ...)");
		return -1;
	}
	if (m->id[0] == '\0' ||
	    strspn(m->id,
		"abcdefghijklmnopqrstuvwxyz"
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") != strlen(m->id)) {
		snprintf(why, whysz, "message id refused");
		return -1;
	}
	domain = strrchr(from, '@') + 1;
	if (put_date(out, m->date) == -1) {
		snprintf(why, whysz, "date out of range");
		return -1;
	}
	buf_printf(out, "From: %s\r\n", from);
	put_addresses(out, "To", m->to, m->nto);
	put_addresses(out, "Cc", m->cc, m->ncc);
	put_subject(out, m->subject);
	buf_printf(out, "Message-ID: <%s@%s>\r\n", m->id, domain);
	buf_puts(out,
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n"
	    "Auto-Submitted: auto-generated\r\n"
	    "\r\n");
	put_body(out, m->body);
	if (out->failed) {
		snprintf(why, whysz, "message over %d bytes", SMTP_MESSAGE_MAX);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ sending */

/* Reads the first line of a file only we (and root) control. */
static int
read_password(const char *path, char *pw, size_t pwsz, char *why, size_t whysz)
{
	struct stat st;
	ssize_t     n;
	int         fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		snprintf(why, whysz, "smtp_password_file %s: %s", path,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode))
		snprintf(why, whysz,
		    "smtp_password_file %s: not a regular "
		    "file",
		    path);
	else if (st.st_uid != geteuid() && st.st_uid != 0)
		snprintf(why, whysz,
		    "smtp_password_file %s: owned by uid %u, "
		    "not by us or root",
		    path, (unsigned)st.st_uid);
	else if ((st.st_mode & (S_IRWXO | S_IWGRP)) != 0)
		snprintf(why, whysz,
		    "smtp_password_file %s: mode %04o; "
		    "others must have no access and the group no write "
		    "(chmod 0640)",
		    path, (unsigned)(st.st_mode & 07777));
	else if ((n = read(fd, pw, pwsz)) == -1)
		snprintf(why, whysz, "smtp_password_file %s: %s", path,
		    strerror(errno));
	else if ((size_t)n == pwsz && memchr(pw, '\n', pwsz) == NULL)
		snprintf(why, whysz,
		    "smtp_password_file %s: the password is "
		    "longer than %zu bytes",
		    path, pwsz - 1);
	else {
		pw[(size_t)n < pwsz ? (size_t)n : pwsz - 1] = '\0';
		pw[strcspn(pw, "\r\n")] = '\0';
		if (pw[0] == '\0')
			snprintf(why, whysz,
			    "smtp_password_file %s: empty "
			    "first line",
			    path);
		else
			rc = 0;
	}
	close(fd);
	return rc;
}

/* The EHLO name: this host's name when it is a plain one. */
static void
ehlo_name(char *dst, size_t dstsz)
{
	char h[256] = "";

	if (gethostname(h, sizeof(h) - 1) == -1 || h[0] == '\0' ||
	    strspn(h,
		"abcdefghijklmnopqrstuvwxyz"
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") != strlen(h))
		snprintf(h, sizeof(h), "localhost");
	snprintf(dst, dstsz, "%s", h);
}

int
smtp_open(struct smtp *s, const struct config *cfg, char *why, size_t whysz)
{
	char ehlo[256];
	int  tls = strncmp(cfg->smtp_url, "smtps://", 8) == 0 ||
	    cfg->smtp_tls == SMTP_TLS_REQUIRED;

	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
	if ((cfg->smtp_user[0] == '\0') !=
	    (cfg->smtp_password_file[0] == '\0')) {
		snprintf(why, whysz,
		    "smtp_user and smtp_password_file go "
		    "together: set both or neither");
		return -1;
	}
	/* A password never crosses the network in clear, nor on a downgrade. */
	if (cfg->smtp_user[0] != '\0' && !tls) {
		snprintf(why, whysz,
		    "SMTP authentication needs TLS: use "
		    "smtps:// or smtp_tls = required");
		return -1;
	}
	if (cfg->smtp_user[0] != '\0' &&
	    read_password(cfg->smtp_password_file, s->password,
		sizeof(s->password), why, whysz) == -1) {
		sodium_memzero(s->password, sizeof(s->password));
		return -1;
	}
	ehlo_name(ehlo, sizeof(ehlo));
	snprintf(s->url, sizeof(s->url), "%s/%s", cfg->smtp_url, ehlo);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0 ||
	    (s->curl = curl_easy_init()) == NULL) {
		snprintf(why, whysz, "libcurl initialisation failed");
		smtp_close(s);
		return -1;
	}
	return 0;
}

void
smtp_close(struct smtp *s)
{
	if (s->curl != NULL)
		curl_easy_cleanup(s->curl);
	s->curl = NULL;
	sodium_memzero(s->password, sizeof(s->password));
}

const char *
smtp_outcome_name(enum smtp_outcome o)
{
	switch (o) {
	case SMTP_SENT:
		return "sent";
	case SMTP_UNAVAILABLE:
		return "unavailable";
	case SMTP_TEMPORARY:
		return "temporary";
	case SMTP_PERMANENT:
		return "permanent";
	}
	return "?";
}

struct upload {
	const char *p;
	size_t      left;
};

static size_t
on_read(char *dst, size_t size, size_t nmemb, void *arg)
{
	struct upload *u = arg;
	size_t         n = size * nmemb < u->left ? size * nmemb : u->left;

	memcpy(dst, u->p, n);
	u->p += n;
	u->left -= n;
	return n;
}

/* Keeps the relay's last reply line (never what we send: AUTH is there). */
/* What the debug callback keeps: the relay's last line, its EHLO keywords. */
struct heard {
	struct smtp *s;
	char         last[256];
};

static int
on_debug(CURL *c, curl_infotype type, char *data, size_t n, void *arg)
{
	struct heard *h = arg;
	size_t        i, j = 0;

	(void)c;
	if (type != CURLINFO_HEADER_IN)
		return 0;
	for (i = 0; i < n && j < sizeof(h->last) - 1; i++)
		if (data[i] == '\r' || data[i] == '\n')
			break;
		else if ((unsigned char)data[i] >= 0x20 &&
		    (unsigned char)data[i] < 0x7f)
			h->last[j++] = data[i];
	h->last[j] = '\0';
	/* An EHLO answer's keyword line: "250-SMTPUTF8" or "250 SMTPUTF8". */
	if (strncmp(h->last, "250", 3) == 0 &&
	    (h->last[3] == '-' || h->last[3] == ' ') &&
	    strcasecmp(h->last + 4, "SMTPUTF8") == 0)
		h->s->utf8 = 1;
	return 0;
}

static struct curl_slist *
add_rcpts(struct curl_slist *l, const char *const *a, size_t n, int *ok)
{
	struct curl_slist *t;
	char               r[320];
	size_t             i;

	for (i = 0; i < n && *ok; i++) {
		snprintf(r, sizeof(r), "<%s>", a[i]);
		if ((t = curl_slist_append(l, r)) == NULL)
			*ok = 0;
		else
			l = t;
	}
	return l;
}

/* Relay-wide failures, or a message's 4xx or 5xx. */
static enum smtp_outcome
classify(CURLcode rc, long code)
{
	switch (rc) {
	case CURLE_OK:
		return SMTP_SENT;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_USE_SSL_FAILED:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_LOGIN_DENIED:
	case CURLE_AUTH_ERROR:
	case CURLE_GOT_NOTHING:
		return SMTP_UNAVAILABLE;
	default:
		break;
	}
	if (code == 0 || code == 421) /* no reply; "closing the channel" */
		return SMTP_UNAVAILABLE;
	return code >= 500 ? SMTP_PERMANENT : SMTP_TEMPORARY;
}

static void
set_options(struct smtp *s, CURL *c)
{
	const struct config *cfg = s->cfg;
	long ssl = cfg->smtp_tls == SMTP_TLS_REQUIRED ? (long)CURLUSESSL_ALL :
	    cfg->smtp_tls == SMTP_TLS_TRY             ? (long)CURLUSESSL_TRY :
							(long)CURLUSESSL_NONE;
	char from[320];

	snprintf(from, sizeof(from), "<%s>", cfg->mail_from);
	curl_easy_setopt(c, CURLOPT_URL, s->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(c, CURLOPT_PROXY, "");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_USE_SSL, ssl);
	if (cfg->smtp_ca_file[0] != '\0')
		curl_easy_setopt(c, CURLOPT_CAINFO, cfg->smtp_ca_file);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)cfg->smtp_timeout);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT,
	    cfg->smtp_timeout < 10 ? (long)cfg->smtp_timeout : 10L);
	if (cfg->smtp_user[0] != '\0') {
		curl_easy_setopt(c, CURLOPT_USERNAME, cfg->smtp_user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, s->password);
	}
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, on_debug);
	curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
}

static size_t
discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

/*
 * Whether the relay offers SMTPUTF8: known once its EHLO answer was read,
 * else asked with a NOOP on the connection later messages reuse.
 */
static int
relay_utf8(struct smtp *s)
{
	struct heard h = { s, "" };
	CURL        *c = s->curl;

	if (s->ehlo_seen)
		return s->utf8;
	set_options(s, c);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 0L);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, NULL);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "NOOP");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_DEBUGDATA, &h);
	s->ehlo_seen = curl_easy_perform(c) == CURLE_OK;
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, NULL);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, NULL);
	curl_easy_setopt(c, CURLOPT_DEBUGDATA, NULL);
	return s->utf8;
}

static int
is_ascii(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)p[i] >= 0x80)
			return 0;
	return 1;
}

/* RFC 5321: a path, "<" and ">" included, is at most 256 octets. */
#define SMTP_ADDRESS_MAX 254

/*
 * The addresses of a (n of them) as they go out, into out (*nout): an
 * IDN domain as its A-label; one that needs SMTPUTF8 the relay lacks is
 * left out and named in s->refused.  Strings are malloc'd.  -1 when a
 * domain has no A-label, an address grows past what SMTP allows (an
 * A-label may be longer than its UTF-8), or memory runs out (why says so).
 */
static int
route(struct smtp *s, const char *const *a, size_t n, char **out, size_t *nout,
    char *why, size_t whysz)
{
	const char *at;
	char       *ace;
	size_t      i, len;

	for (i = 0; i < n; i++) {
		at = strrchr(a[i], '@');
		len = at != NULL ? (size_t)(at - a[i]) : 0;
		if (at != NULL && !is_ascii(a[i], len) && !relay_utf8(s)) {
			snprintf(s->refused + strlen(s->refused),
			    sizeof(s->refused) - strlen(s->refused), "%s%s",
			    s->refused[0] != '\0' ? " " : "", a[i]);
			continue;
		}
		if (at == NULL || is_ascii(at, strlen(at)))
			out[*nout] = strdup(a[i]);
		else if (idn2_to_ascii_8z(at + 1, &ace, IDN2_NONTRANSITIONAL) ==
		    IDN2_OK) {
			if ((out[*nout] = malloc(len + strlen(ace) + 2)) !=
			    NULL)
				snprintf(out[*nout], len + strlen(ace) + 2,
				    "%.*s@%s", (int)len, a[i], ace);
			idn2_free(ace);
		} else {
			snprintf(why, whysz, "%s: the domain has no A-label",
			    a[i]);
			return -1;
		}
		if (out[(*nout)++] == NULL) {
			snprintf(why, whysz, "out of memory");
			return -1;
		}
		if (strlen(out[*nout - 1]) > SMTP_ADDRESS_MAX) {
			snprintf(why, whysz,
			    "%s: longer than SMTP allows (%d bytes) as it goes "
			    "out",
			    a[i], SMTP_ADDRESS_MAX);
			return -1;
		}
	}
	return 0;
}

static void
free_list(char **l, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

/* The message as it goes out: routed recipients, or why none can be. */
static enum smtp_outcome
routed(struct smtp *s, const struct smtp_message *m, struct smtp_message *r,
    char **l, char *err, size_t errsz)
{
	size_t n = 0, k;

	*r = *m;
	if (route(s, m->to, m->nto, l, &n, err, errsz) == -1)
		return SMTP_PERMANENT;
	r->to = (const char *const *)l;
	r->nto = n;
	k = n;
	if (route(s, m->cc, m->ncc, l, &n, err, errsz) == -1)
		return SMTP_PERMANENT;
	r->cc = (const char *const *)l + k;
	r->ncc = n - k;
	k = n;
	if (route(s, m->bcc, m->nbcc, l, &n, err, errsz) == -1)
		return SMTP_PERMANENT;
	r->bcc = (const char *const *)l + k;
	r->nbcc = n - k;
	if (n > 0 && r->nto == 0) { /* To: must name someone */
		r->to = r->cc;
		r->nto = r->ncc;
		r->ncc = 0;
	}
	if (r->nto > 0 || r->nbcc > 0)
		return SMTP_SENT;
	snprintf(err, errsz,
	    "%s needs SMTPUTF8, which the relay does not "
	    "offer",
	    s->refused);
	return SMTP_PERMANENT;
}

/* Sends r, whose addresses are as they go out. */
static enum smtp_outcome
transfer(struct smtp *s, const struct smtp_message *r, char *err, size_t errsz)
{
	struct curl_slist *rcpt = NULL;
	struct upload      up;
	struct buf         text;
	struct heard       h = { s, "" };
	char               ebuf[CURL_ERROR_SIZE] = "";
	CURL              *c = s->curl;
	CURLcode           rc;
	long               code = 0;
	int                ok = 1;
	enum smtp_outcome  o;

	buf_init(&text, SMTP_MESSAGE_MAX);
	if (smtp_build(&text, r, s->cfg->mail_from, err, errsz) == -1) {
		buf_free(&text);
		return SMTP_PERMANENT;
	}
	rcpt = add_rcpts(rcpt, r->to, r->nto, &ok);
	rcpt = add_rcpts(rcpt, r->cc, r->ncc, &ok);
	rcpt = add_rcpts(rcpt, r->bcc, r->nbcc, &ok);
	if (!ok) {
		snprintf(err, errsz, "out of memory");
		o = SMTP_TEMPORARY;
		goto done;
	}
	up.p = text.data;
	up.left = text.len;
	set_options(s, c);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_READDATA, &up);
	curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)text.len);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(c, CURLOPT_DEBUGDATA, &h);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (rc == CURLE_OK)
		s->ehlo_seen = 1;
	o = classify(rc, code);
	if (o != SMTP_SENT)
		snprintf(err, errsz, "%s%s%s",
		    ebuf[0] != '\0' ? ebuf : curl_easy_strerror(rc),
		    h.last[0] != '\0' && code != 0 ? "; relay said: " : "",
		    code != 0 ? h.last : "");
done:
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, NULL);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
	curl_easy_setopt(c, CURLOPT_DEBUGDATA, NULL);
	curl_slist_free_all(rcpt);
	buf_free(&text);
	return o;
}

enum smtp_outcome
smtp_send(struct smtp *s, const struct smtp_message *m, char *err, size_t errsz)
{
	struct smtp_message r;
	char              **l;
	size_t              n = m->nto + m->ncc + m->nbcc;
	enum smtp_outcome   o;

	s->refused[0] = '\0';
	if ((l = calloc(n + 1, sizeof(*l))) == NULL) {
		snprintf(err, errsz, "out of memory");
		return SMTP_TEMPORARY;
	}
	if ((o = routed(s, m, &r, l, err, errsz)) == SMTP_SENT)
		o = transfer(s, &r, err, errsz);
	free_list(l, n);
	return o;
}
