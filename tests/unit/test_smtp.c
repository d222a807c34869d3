/*
 * test_smtp.c - the message text smtp_build writes (headers, encodings,
 * refusals) and the outbox's back-off.
 */
#include "config.h"

#include <sys/socket.h>

#include <netinet/in.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "jobs/outbox.h"
#include "lib/buf.h"
#include "lib/conf.h"
#include "proto/smtp.h"
#include "test.h"

static const char *const to1[] = { "alice@example.org" };
static const char *const two[] = { "bob@example.org", "carol@example.net" };
static const char *const bcc1[] = { "hidden@example.com" };

/* smtp_build into a fresh buffer: the text, or NULL with why. */
static char *
build(const struct smtp_message *m, char *why, size_t whysz)
{
	struct buf b;
	char      *s = NULL;

	buf_init(&b, SMTP_MESSAGE_MAX);
	why[0] = '\0';
	if (smtp_build(&b, m, "membermail@members.example.org", why, whysz) ==
	    0)
		s = strdup(buf_cstr(&b));
	buf_free(&b);
	return s;
}

static struct smtp_message
message(const char *subject, const char *body)
{
	struct smtp_message m;

	memset(&m, 0, sizeof(m));
	m.to = to1;
	m.nto = 1;
	m.cc = two;
	m.ncc = 2;
	m.bcc = bcc1;
	m.nbcc = 1;
	m.subject = subject;
	m.body = body;
	m.date = 1795000000; /* 2026-11-18T11:06:40Z, a Wednesday */
	m.id = "outbox.42.1795000000";
	return m;
}

static void
test_headers(void)
{
	struct smtp_message m = message("Your alias is ready", "Hi\n");
	char                why[256], *s = build(&m, why, sizeof(why));
	const char         *want =
	    "Date: Wed, 18 Nov 2026 11:06:40 +0000\r\n"
	    "From: membermail@members.example.org\r\n"
	    "To: alice@example.org\r\n"
	    "Cc: bob@example.org,\r\n carol@example.net\r\n"
	    "Subject: Your alias is ready\r\n"
	    "Message-ID: <outbox.42.1795000000@members.example.org>\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n"
	    "Auto-Submitted: auto-generated\r\n"
	    "\r\n"
	    "Hi\r\n";

	CHECK_STR(s, want, "headers: %s", why);
	CHECK(s != NULL && strstr(s, "hidden@") == NULL, "no Bcc in the text");
	free(s);
	m.ncc = 0;
	s = build(&m, why, sizeof(why));
	CHECK(s != NULL && strstr(s, "Cc:") == NULL, "no Cc header when empty");
	free(s);
}

static void
test_subject(void)
{
	struct smtp_message m;
	char                why[256], *s, *p;
	char                longsub[300];

	/* "Grüße" in UTF-8, base64 "R3LDvMOfZQ==" */
	m = message("Gr\xc3\xbc\xc3\x9f"
		    "e",
	    "x");
	s = build(&m, why, sizeof(why));
	CHECK(s != NULL &&
		strstr(s, "Subject: =?UTF-8?B?R3LDvMOfZQ==?=\r\n") != NULL,
	    "non-ASCII subject as an encoded word: %s", s);
	free(s);

	/* Long non-ASCII: several words, folded, none splitting a character
	   and none longer than 75. */
	memset(longsub, 0, sizeof(longsub));
	for (p = longsub; p + 2 < longsub + 200; p += 2)
		memcpy(p, "\xc3\xa9", 2); /* é */
	m = message(longsub, "x");
	s = build(&m, why, sizeof(why));
	CHECK(s != NULL && strstr(s, "?=\r\n =?UTF-8?B?") != NULL,
	    "long subject folded into several words");
	if (s != NULL) {
		char *line = strstr(s, "Subject:"), *eol;
		int   ok = 1;

		while (line != NULL && (eol = strstr(line, "\r\n")) != NULL) {
			if (eol - line > 78)
				ok = 0;
			if (eol[2] != ' ')
				break;
			line = eol + 2;
		}
		CHECK(ok, "every subject line within 78 characters");
	}
	free(s);
	/* 39 bytes of é pairs would end mid-character: 38 taken. */
	m = message(longsub, "x");
	s = build(&m, why, sizeof(why));
	CHECK(s != NULL &&
		strstr(s,
		    "Subject: =?UTF-8?B?w6nDqcOpw6nDqcOpw6nDqcOp"
		    "w6nDqcOpw6nDqcOpw6nDqcOpw6k=?=\r\n") != NULL,
	    "first word holds 19 whole characters");
	free(s);
}

static void
test_body(void)
{
	struct smtp_message m;
	char                why[256], *s, *body;
	char                longline[200];

	m = message("s", "caf\xc3\xa9 = 1 \nline two\t\r\n.\r\nlast");
	s = build(&m, why, sizeof(why));
	body = s != NULL ? strstr(s, "\r\n\r\n") : NULL;
	CHECK_STR(body,
	    "\r\n\r\ncaf=C3=A9 =3D 1=20\r\nline two=09\r\n.\r\n"
	    "last\r\n",
	    "quoted-printable body, CRLF, trailing space encoded");
	free(s);

	memset(longline, 'a', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	m = message("s", longline);
	s = build(&m, why, sizeof(why));
	body = s != NULL ? strstr(s, "\r\n\r\n") + 4 : NULL;
	CHECK(body != NULL && strncmp(body + 75, "=\r\n", 3) == 0 &&
		strlen(body) == 199 + 3 * 2 + 2,
	    "long line soft-broken at 76: %s", body ? body : "");
	free(s);

	m = message("s", "one\rtwo\n\nthree\n");
	s = build(&m, why, sizeof(why));
	body = s != NULL ? strstr(s, "\r\n\r\n") : NULL;
	CHECK_STR(body, "\r\n\r\none\r\ntwo\r\n\r\nthree\r\n",
	    "line ends normalised, no extra line at the end");
	free(s);
}

/*
 * A date gmtime_r cannot break down, or past the four digits of a Date
 * header, is refused: the header was written from an unset struct tm (the
 * fuzzer found its weekday indexing past the table).
 */
static void
test_dates(void)
{
	struct smtp_message m = message("s", "x");
	char                why[256], *s;

	m.date = (time_t)253402300799LL; /* 9999-12-31T23:59:59Z, a Friday */
	s = build(&m, why, sizeof(why));
	CHECK(s != NULL &&
		strncmp(s, "Date: Fri, 31 Dec 9999 23:59:59 +0000\r\n", 39) ==
		    0,
	    "the last date of year 9999: %s", why);
	free(s);
	m.date = (time_t)253402300800LL; /* 10000-01-01 */
	s = build(&m, why, sizeof(why));
	CHECK(s == NULL && strcmp(why, "date out of range") == 0,
	    "year 10000 refused: %s", why);
	free(s);
	m.date = (time_t)LLONG_MAX;
	s = build(&m, why, sizeof(why));
	CHECK(s == NULL && strcmp(why, "date out of range") == 0,
	    "a date gmtime_r refuses: %s", why);
	free(s);
	m.date = (time_t)-2208988801LL; /* 1899-12-31T23:59:59Z */
	s = build(&m, why, sizeof(why));
	CHECK(s == NULL, "before 1900 refused");
	free(s);
}

static void
test_refusals(void)
{
	static const char *const crlf[] = { "a@example.org\r\nBcc: x@evil" };
	static const char *const angle[] = { "a@example.org>, <x@evil" };
	static const char *const noat[] = { "alice" };
	struct smtp_message      m;
	char                     why[256], *s;

	m = message("hello\r\nBcc: x@evil.example", "x");
	s = build(&m, why, sizeof(why));
	CHECK(s == NULL && strstr(why, "subject") != NULL,
	    "CR LF in the subject refused: %s", why);
	free(s);
	m = message("hello\nX: y", "x");
	s = build(&m, why, sizeof(why));
	CHECK(s == NULL, "bare LF in the subject refused");
	free(s);
	m = message("tab\there", "x");
	s = build(&m, why, sizeof(why));
	CHECK(s == NULL, "control character in the subject refused");
	free(s);

	m = message("s", "x");
	m.to = crlf;
	s = build(&m, why, sizeof(why));
	CHECK(s == NULL && strstr(why, "address") != NULL,
	    "CR LF in an address refused: %s", why);
	free(s);
	m.to = angle;
	s = build(&m, why, sizeof(why));
	CHECK(s == NULL, "an address list in one address refused");
	free(s);
	m = message("s", "x");
	m.bcc = noat;
	s = build(&m, why, sizeof(why));
	CHECK(s == NULL, "Bcc without @ refused");
	free(s);
	m = message("s", "x");
	m.nto = 0;
	s = build(&m, why, sizeof(why));
	CHECK(s == NULL, "no To refused");
	free(s);
	m = message("s", "x");
	m.id = "a>b";
	s = build(&m, why, sizeof(why));
	CHECK(s == NULL, "bad message id refused");
	free(s);
	test_dates();
}

/* A loopback port nothing listens on (bound, not listening), or 0. */
static int
closed_port(int *fd)
{
	struct sockaddr_in sin;
	socklen_t          len = sizeof(sin);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((*fd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    bind(*fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    getsockname(*fd, (struct sockaddr *)&sin, &len) == -1)
		return 0;
	return ntohs(sin.sin_port);
}

/*
 * An address that grows past SMTP's 254 bytes as it goes out (an A-label
 * may be longer than its UTF-8) fails for good, saying so, before any
 * connection: its RCPT TO path was once cut short at 320 bytes (found by
 * the fuzzer of the routing).
 */
static void
test_route_length(void)
{
	struct config       cfg;
	struct smtp         s;
	struct smtp_message m = message("s", "x");
	const char         *to[1];
	char                why[512], addr[300], *p;
	int                 fd = -1, port, i;
	enum smtp_outcome   o;

	conf_defaults(&cfg);
	cfg.smtp_tls = SMTP_TLS_NONE;
	port = closed_port(&fd);
	snprintf(cfg.smtp_url, sizeof(cfg.smtp_url), "smtp://127.0.0.1:%d",
	    port);
	if (port == 0 || smtp_open(&s, &cfg, why, sizeof(why)) == -1) {
		CHECK(0, "smtp_open on port %d: %s", port, why);
		close(fd);
		return;
	}
	/* 199 + 1 + 17 one-letter IDN labels + "org": 254 bytes of UTF-8,
	 * 339 with its A-labels ("xn--9ca." each). */
	memset(addr, 'a', 199);
	p = addr + 199;
	*p++ = '@';
	for (i = 0; i < 17; i++, p += 3)
		memcpy(p, "\xc3\xa9.", 3);
	memcpy(p, "org", 4);
	CHECK_INT(strlen(addr), 254, "the address is 254 bytes");
	to[0] = addr;
	m.to = to;
	m.nto = 1;
	m.ncc = m.nbcc = 0;
	why[0] = '\0';
	o = smtp_send(&s, &m, why, sizeof(why));
	CHECK_STR(smtp_outcome_name(o), "permanent", "too long as it goes out");
	CHECK(strstr(why, "longer than SMTP allows") != NULL, "why: %s", why);
	smtp_close(&s);
	close(fd);
}

static void
test_backoff(void)
{
	CHECK_INT(outbox_backoff(1, 0), 48, "first retry, least jitter");
	CHECK_INT(outbox_backoff(1, 24), 72, "first retry, most jitter");
	CHECK_INT(outbox_backoff(1, 25), 48, "jitter wraps");
	CHECK_INT(outbox_backoff(2, 0), 96, "doubles");
	CHECK_INT(outbox_backoff(3, 0), 192, "doubles again");
	CHECK_INT(outbox_backoff(10, 0), 17280, "capped at 6 h, less a fifth");
	CHECK_INT(outbox_backoff(10, 4320), 21600, "never over 6 h");
	CHECK_INT(outbox_backoff(100, 0xffffffffu) <= 21600, 1,
	    "many attempts");
}

int
main(void)
{
	if (sodium_init() == -1)
		return 1;
	test_headers();
	test_subject();
	test_route_length();
	test_body();
	test_refusals();
	test_backoff();
	return test_done("test_smtp");
}
