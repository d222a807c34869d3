/*
 * smtp_reply.c - fuzzes what membermail keeps of the relay's replies: the
 * last reply line libcurl shows the debug callback (on_debug, which ends
 * up in the outbox's last_error) and the outcome a reply code and a curl
 * result make (classify).  libcurl parses the SMTP protocol itself; these
 * are static, so the harness includes smtp.c.
 *
 * Input: one byte choosing curl's result, then what the relay sends, cut
 * into lines as libcurl hands them over.
 */
#include "proto/smtp.c"

#include "fuzz.h"

static const CURLcode results[] = { CURLE_OK, CURLE_COULDNT_CONNECT,
	CURLE_LOGIN_DENIED, CURLE_SEND_ERROR, CURLE_RECV_ERROR,
	CURLE_OPERATION_TIMEDOUT, CURLE_USE_SSL_FAILED, CURLE_GOT_NOTHING };

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
	char              last[256] = "", canary[256];
	const char       *p, *end, *lf;
	CURLcode          rc;
	enum smtp_outcome o;
	long              code;
	size_t            i, n;

	if (size == 0)
		return 0;
	rc = results[data[0] % (sizeof(results) / sizeof(results[0]))];
	p = (const char *)data + 1;
	end = (const char *)data + size;
	/* Data that is not a header never touches the line. */
	memcpy(canary, last, sizeof(last));
	(void)on_debug(NULL, CURLINFO_DATA_OUT, (char *)(uintptr_t)p,
	    (size_t)(end - p), last);
	FUZZ_CHECK(memcmp(canary, last, sizeof(last)) == 0);
	while (p < end) {
		lf = memchr(p, '\n', (size_t)(end - p));
		n = lf != NULL ? (size_t)(lf - p) + 1 : (size_t)(end - p);
		FUZZ_CHECK(on_debug(NULL, CURLINFO_HEADER_IN,
			       (char *)(uintptr_t)p, n, last) == 0);
		n = strlen(last);
		FUZZ_CHECK(n <= 200);
		for (i = 0; i < n; i++)
			FUZZ_CHECK(last[i] >= 0x20 && last[i] < 0x7f);
		p += lf != NULL ? (size_t)(lf - p) + 1 : (size_t)(end - p);
	}
	code = reply_code(last);
	o = classify(rc, code);
	FUZZ_CHECK((o == SMTP_SENT) == (rc == CURLE_OK));
	if (rc != CURLE_OK && (code == 0 || code == 421))
		FUZZ_CHECK(o == SMTP_UNAVAILABLE);
	FUZZ_CHECK(strcmp(smtp_outcome_name(o), "?") != 0);
	return 0;
}
