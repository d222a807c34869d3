/*
 * smtp_reply.c - fuzzes what membermail reads of the relay's replies: the
 * lines libcurl shows the debug callback (on_debug), which keeps the last
 * one for the outbox's last_error and notes an EHLO answer offering
 * SMTPUTF8, and the outcome a reply code and a curl result make
 * (classify).  libcurl parses the SMTP protocol itself; these are static,
 * so the harness includes smtp.c.
 *
 * Input: one byte choosing curl's result, then what the relay sends, cut
 * into lines as libcurl hands them over.
 */
#include "proto/smtp.c"

#include "fuzz.h"

static const CURLcode results[] = { CURLE_OK, CURLE_COULDNT_CONNECT,
	CURLE_LOGIN_DENIED, CURLE_SEND_ERROR, CURLE_RECV_ERROR,
	CURLE_OPERATION_TIMEDOUT, CURLE_USE_SSL_FAILED, CURLE_GOT_NOTHING };

/* Whether line (filtered as on_debug keeps it) offers SMTPUTF8. */
static int
offers_utf8(const char *line)
{
	return strlen(line) == 12 && strncmp(line, "250", 3) == 0 &&
	    (line[3] == '-' || line[3] == ' ') &&
	    strcasecmp(line + 4, "smtputf8") == 0;
}

/* The reply code at the start of the line, 0 when there is none. */
static long
reply_code(const char *line)
{
	if (line[0] < '2' || line[0] > '5' || line[1] < '0' || line[1] > '9' ||
	    line[2] < '0' || line[2] > '9')
		return 0;
	return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smtp       s;
	struct heard      h, canary;
	const char       *p, *end, *lf;
	CURLcode          rc;
	enum smtp_outcome o;
	long              code;
	size_t            i, n;
	int               utf8 = 0;

	if (size == 0)
		return 0;
	rc = results[data[0] % (sizeof(results) / sizeof(results[0]))];
	p = (const char *)data + 1;
	end = (const char *)data + size;
	memset(&s, 0, sizeof(s));
	memset(&h, 0, sizeof(h));
	h.s = &s;
	/* What we send (AUTH is there) never touches what is kept. */
	canary = h;
	(void)on_debug(NULL, CURLINFO_HEADER_OUT, (char *)(uintptr_t)p,
	    (size_t)(end - p), &h);
	FUZZ_CHECK(memcmp(&canary, &h, sizeof(h)) == 0 && s.utf8 == 0);
	while (p < end) {
		lf = memchr(p, '\n', (size_t)(end - p));
		n = lf != NULL ? (size_t)(lf - p) + 1 : (size_t)(end - p);
		FUZZ_CHECK(on_debug(NULL, CURLINFO_HEADER_IN,
			       (char *)(uintptr_t)p, n, &h) == 0);
		n = strlen(h.last);
		FUZZ_CHECK(n < sizeof(h.last));
		for (i = 0; i < n; i++)
			FUZZ_CHECK(h.last[i] >= 0x20 && h.last[i] < 0x7f);
		utf8 |= offers_utf8(h.last);
		FUZZ_CHECK(s.utf8 == utf8);
		p += lf != NULL ? (size_t)(lf - p) + 1 : (size_t)(end - p);
	}
	code = reply_code(h.last);
	o = classify(rc, code);
	FUZZ_CHECK((o == SMTP_SENT) == (rc == CURLE_OK));
	if (rc != CURLE_OK && (code == 0 || code == 421))
		FUZZ_CHECK(o == SMTP_UNAVAILABLE);
	FUZZ_CHECK(strcmp(smtp_outcome_name(o), "?") != 0);
	return 0;
}
