/*
 * test_lmtp.c - the LMTP state machine: transcripts with exact replies,
 * every way of splitting the input giving the same result, every truncated
 * input delivering nothing partial, dot-unstuffing, bounds and refusals.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "proto/lmtp.h"
#include "test.h"

#define BIG (1 << 20)

/* What a run produced: the replies, and each message as text. */
struct result {
	struct buf out;
	struct buf msgs;
	int        nmsg;
	int        closed;
};

static const struct lmtp_settings settings = { "mx.test", 1000, 3 };

static void
verdict(struct lmtp *l)
{
	const char *a = lmtp_pending_rcpt(l);

	if (strncmp(a, "bad", 3) == 0)
		lmtp_rcpt_verdict(l, "550 5.1.1 Unknown mailbox");
	else if (strncmp(a, "full", 4) == 0)
		lmtp_rcpt_verdict(l, "452 4.2.2 Mailbox full");
	else
		lmtp_rcpt_verdict(l, "250 2.1.5 OK");
}

static void
deliver(struct lmtp *l, struct result *res)
{
	char   rp[LMTP_ADDR_MAX + 32];
	size_t i, n;

	res->nmsg++;
	buf_printf(&res->msgs, "from=<%s> ident=%s to=", lmtp_sender(l),
	    lmtp_ident(l));
	for (i = 0; i < lmtp_nrcpt(l); i++)
		buf_printf(&res->msgs, "%s%s", i ? "," : "", lmtp_rcpt(l, i));
	/* Every message starts with its Return-Path; the text follows. */
	snprintf(rp, sizeof(rp), "Return-Path: <%s>\r\n", lmtp_sender(l));
	n = strlen(rp);
	if (l->msg.len < n || memcmp(l->msg.data, rp, n) != 0)
		buf_puts(&res->msgs, " NO RETURN-PATH");
	else
		buf_puts(&res->msgs, " [");
	buf_append(&res->msgs, l->msg.data + n, l->msg.len - n);
	buf_puts(&res->msgs, "]\n");
	while (lmtp_next_reply(l) < lmtp_nrcpt(l) && l->state == LMTP_S_DELIVER)
		lmtp_deliver_reply(l,
		    strncmp(lmtp_rcpt(l, lmtp_next_reply(l)), "fail", 4) == 0 ?
			"451 4.3.0 Try again later" :
			"250 2.0.0 Stored");
}

/* Feeds in[0..len) in pieces of `chunk` bytes (0: all at once). */
static void
drive(const struct lmtp_settings *set, const char *in, size_t len, size_t chunk,
    struct result *res)
{
	struct lmtp     l;
	enum lmtp_event ev;
	size_t          off = 0, n, used;

	memset(res, 0, sizeof(*res));
	buf_init(&res->out, BIG);
	buf_init(&res->msgs, BIG);
	lmtp_init(&l, set);
	lmtp_greeting(&l);
	while (off < len && !res->closed) {
		n = chunk == 0 || len - off < chunk ? len - off : chunk;
		while (n > 0) {
			ev = lmtp_feed(&l, in + off, n, &used);
			off += used;
			n -= used;
			buf_append(&res->out, l.out.data, l.out.len);
			buf_reset(&l.out);
			if (ev == LMTP_RCPT)
				verdict(&l);
			else if (ev == LMTP_MESSAGE)
				deliver(&l, res);
			else if (ev == LMTP_CLOSE) {
				res->closed = 1;
				break;
			}
		}
	}
	buf_append(&res->out, l.out.data, l.out.len);
	lmtp_free(&l);
}

static void
result_free(struct result *r)
{
	buf_free(&r->out);
	buf_free(&r->msgs);
}

static const char session[] =
    "LHLO client.test\r\n"
    "XFORWARD NAME=mx.example ADDR=192.0.2.1 IDENT=4XyzAbC1\r\n"
    "MAIL FROM:<sender@example.org> SIZE=50 BODY=8BITMIME\r\n"
    "RCPT TO:<ada@ubuntu.com>\r\n"
    "RCPT TO:<bad@ubuntu.com>\r\n"
    "RCPT TO:<fail@ubuntu.com>\r\n"
    "DATA\r\n"
    "Subject: hi\r\n"
    "\r\n"
    "..leading dot\r\n"
    ".\r\n"
    "MAIL FROM:<>\r\n"
    "RCPT TO:<kim@kubuntu.org>\r\n"
    "DATA\r\n"
    "second\r\n"
    ".\r\n"
    "QUIT\r\n";

static const char session_out[] =
    "220 mx.test LMTP membermail ready\r\n"
    "250-mx.test\r\n250-PIPELINING\r\n250-ENHANCEDSTATUSCODES\r\n"
    "250-8BITMIME\r\n250-SIZE 1000\r\n"
    "250 XFORWARD NAME ADDR PORT PROTO HELO IDENT SOURCE\r\n"
    "250 2.0.0 OK\r\n"
    "250 2.1.0 Sender OK\r\n"
    "250 2.1.5 OK\r\n"
    "550 5.1.1 Unknown mailbox\r\n"
    "250 2.1.5 OK\r\n"
    "354 Start mail input; end with <CRLF>.<CRLF>\r\n"
    "250 2.0.0 Stored\r\n"
    "451 4.3.0 Try again later\r\n"
    "250 2.1.0 Sender OK\r\n"
    "250 2.1.5 OK\r\n"
    "354 Start mail input; end with <CRLF>.<CRLF>\r\n"
    "250 2.0.0 Stored\r\n"
    "221 2.0.0 Bye\r\n";

static const char session_msgs[] =
    "from=<sender@example.org> ident=4XyzAbC1 "
    "to=ada@ubuntu.com,fail@ubuntu.com "
    "[Subject: hi\r\n\r\n.leading dot\r\n]\n"
    "from=<> ident= to=kim@kubuntu.org [second\r\n]\n";

static void
test_session(void)
{
	struct result r;

	drive(&settings, session, strlen(session), 0, &r);
	CHECK_STR(buf_cstr(&r.out), session_out, "replies");
	CHECK_STR(buf_cstr(&r.msgs), session_msgs, "messages");
	CHECK(r.closed, "closed after QUIT");
	result_free(&r);
}

/* Any way of cutting the input into reads gives the same conversation. */
static void
test_splits(void)
{
	struct result r;
	size_t        chunk, len = strlen(session), same = 0, n = 0;

	for (chunk = 1; chunk <= len; chunk++, n++) {
		drive(&settings, session, len, chunk, &r);
		same += strcmp(buf_cstr(&r.out), session_out) == 0 &&
		    strcmp(buf_cstr(&r.msgs), session_msgs) == 0;
		result_free(&r);
	}
	CHECK_INT(same, n, "every chunk size");
}

/*
 * A connection that ends anywhere: nothing is delivered before its final
 * ".\r\n" has arrived, and everything before the cut is answered as in
 * the whole conversation.
 */
static void
test_truncated(void)
{
	const char   *end1 = strstr(session, "\r\n.\r\n") + 5;
	const char   *end2 = strstr(end1, "\r\n.\r\n") + 5;
	struct result r;
	size_t        i, len = strlen(session), ok = 0;
	int           want;

	for (i = 0; i <= len; i++) {
		drive(&settings, session, i, 0, &r);
		want = session + i >= end2 ? 2 : session + i >= end1 ? 1 : 0;
		ok += r.nmsg == want &&
		    strncmp(buf_cstr(&r.out), session_out, r.out.len) == 0;
		result_free(&r);
	}
	CHECK_INT(ok, len + 1, "every truncation");
}

/* DATA's unstuffing and line ends: text in, message out. */
static void
test_data(void)
{
	static const struct {
		const char *text; /* after DATA, with the end */
		const char *want;
	} cases[] = {
		{ "a\r\n.\r\n", "a\r\n" },
		{ "..\r\n.\r\n", ".\r\n" },
		{ "...x\r\n.\r\n", "..x\r\n" },
		{ ".x\r\n.\r\n", "x\r\n" },
		{ "bare\nlf\n.\n", "bare\r\nlf\r\n" },
		{ "cr\ronly\r\n.\r\n", "cr\ronly\r\n" },
		{ "two\r\r\n.\r\n", "two\r\r\n" },
		{ ".\rx\r\n.\r\n", "\rx\r\n" },
		{ "x.\r\n.\r\n", "x.\r\n" },
		{ " .\r\n.\r\n", " .\r\n" },
		{ "\r\n.\r\n", "\r\n" },
		{ ".\r\n", "" },
		{ "8bit \xe4\xf6\r\n.\r\n", "8bit \xe4\xf6\r\n" },
	};
	static const char nul[] =
	    "LHLO x\r\nMAIL FROM:<a@b>\r\n"
	    "RCPT TO:<c@d>\r\nDATA\r\nnul \0 in text\r\n.\r\n";
	static const char kept[] = "[nul \0 in text\r\n]";
	struct result     r;
	struct buf        in, want;
	size_t            i;

	buf_init(&in, BIG);
	buf_init(&want, BIG);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&in);
		buf_reset(&want);
		buf_printf(&in,
		    "LHLO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\n"
		    "DATA\r\n%s",
		    cases[i].text);
		buf_printf(&want, "from=<a@b> ident= to=c@d [%s]\n",
		    cases[i].want);
		drive(&settings, in.data, in.len, 0, &r);
		CHECK_STR(buf_cstr(&r.msgs), buf_cstr(&want), "data case %zu",
		    i);
		result_free(&r);
	}
	drive(&settings, nul, sizeof(nul) - 1, 0, &r);
	CHECK(r.nmsg == 1 &&
		memmem(r.msgs.data, r.msgs.len, kept, sizeof(kept) - 1) != NULL,
	    "a NUL in the text is kept");
	result_free(&r);
	buf_free(&in);
	buf_free(&want);
}

/* The replies to a script after the greeting and the LHLO reply. */
static void
check_replies_n(const char *script, size_t len, const char *want,
    const char *what)
{
	struct result r;
	const char   *got;

	drive(&settings, script, len, 0, &r);
	got = strstr(buf_cstr(&r.out), "IDENT SOURCE\r\n");
	got = got != NULL ? got + 14 : strstr(buf_cstr(&r.out), "\r\n") + 2;
	CHECK_STR(got, want, "%s", what);
	result_free(&r);
}

static void
check_replies(const char *script, const char *want, const char *what)
{
	check_replies_n(script, strlen(script), want, what);
}

static void
test_refusals(void)
{
	static const char simple[] = "LHLO x\r\nNOOP\r\nVRFY a\r\n"
				     "RSET\r\nDATA x\r\nNO\0OP\r\n";

	check_replies("MAIL FROM:<a@b>\r\n", "503 5.5.1 Send LHLO first\r\n",
	    "MAIL before LHLO");
	check_replies("LHLO x\r\nRCPT TO:<a@b>\r\nDATA\r\n",
	    "503 5.5.1 Need MAIL before RCPT\r\n"
	    "503 5.5.1 Need MAIL before DATA\r\n",
	    "no MAIL");
	check_replies("LHLO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<bad@b>\r\n"
		      "DATA\r\n",
	    "250 2.1.0 Sender OK\r\n550 5.1.1 Unknown mailbox\r\n"
	    "503 5.5.1 No valid recipients\r\n",
	    "no valid recipient");
	check_replies("LHLO x\r\nMAIL FROM:<a@b>\r\nMAIL FROM:<a@b>\r\n",
	    "250 2.1.0 Sender OK\r\n503 5.5.1 Nested MAIL command\r\n",
	    "nested MAIL");
	check_replies("HELO x\r\nEHLO x\r\nFOO\r\nLHLO\r\n",
	    "500 5.5.1 This is an LMTP server: use LHLO\r\n"
	    "500 5.5.1 This is an LMTP server: use LHLO\r\n"
	    "500 5.5.2 Command unrecognized\r\n"
	    "501 5.5.4 LHLO needs a host name\r\n",
	    "HELO, EHLO, unknown");
	check_replies("LHLO x\r\nMAIL FROM:a@b\r\nMAIL FROM:<a@b\r\n"
		      "MAIL FROM:<a b@c>\r\nMAIL FROM:<a@b>SIZE=1\r\n",
	    "501 5.5.4 Syntax: MAIL FROM:<address>\r\n"
	    "501 5.5.4 Syntax: MAIL FROM:<address>\r\n"
	    "501 5.5.4 Syntax: MAIL FROM:<address>\r\n"
	    "501 5.5.4 Syntax error in parameters\r\n",
	    "bad paths");
	check_replies(
	    "LHLO x\r\nMAIL FROM:<a@b> SIZE=1001\r\n"
	    "MAIL FROM:<a@b> SIZE=x\r\nMAIL FROM:<a@b> BODY=BINARYMIME\r\n"
	    "MAIL FROM:<a@b> AUTH=<>\r\nMAIL FROM:<a@b> SIZE=1000\r\n"
	    "RCPT TO:<c@d> NOTIFY=NEVER\r\nRCPT TO:<>\r\n",
	    "552 5.3.4 Message size exceeds fixed maximum message size\r\n"
	    "501 5.5.4 Bad SIZE parameter\r\n501 5.5.4 Bad BODY parameter\r\n"
	    "555 5.5.4 Unsupported parameter\r\n250 2.1.0 Sender OK\r\n"
	    "555 5.5.4 Unsupported parameter\r\n"
	    "501 5.5.4 Syntax: RCPT TO:<address>\r\n",
	    "parameters");
	check_replies("LHLO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<1@d>\r\n"
		      "RCPT TO:<2@d>\r\nRCPT TO:<3@d>\r\nRCPT TO:<4@d>\r\n",
	    "250 2.1.0 Sender OK\r\n250 2.1.5 OK\r\n250 2.1.5 OK\r\n"
	    "250 2.1.5 OK\r\n452 4.5.3 Too many recipients\r\n",
	    "max recipients");
	check_replies_n(simple, sizeof(simple) - 1,
	    "250 2.0.0 OK\r\n252 2.5.2 Cannot VRFY; send some mail\r\n"
	    "250 2.0.0 OK\r\n501 5.5.4 DATA takes no arguments\r\n"
	    "500 5.5.2 Syntax error\r\n",
	    "simple commands, a NUL");
}

static void
test_paths(void)
{
	struct result     r;
	static const char s[] =
	    "LHLO x\r\nMAIL FROM: <@a.example,@b.example:src@c.example>\r\n"
	    "RCPT TO:<\"odd>name\"@d.example>\r\nDATA\r\nx\r\n.\r\n";

	drive(&settings, s, sizeof(s) - 1, 0, &r);
	CHECK_STR(buf_cstr(&r.msgs),
	    "from=<src@c.example> ident= "
	    "to=\"odd>name\"@d.example [x\r\n]\n",
	    "source route, quotes");
	result_free(&r);
}

static void
test_too_big(void)
{
	struct lmtp_settings small = { "mx.test", 10, 3 };
	struct result        r;
	static const char    s[] =
	    "LHLO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nRCPT TO:<e@f>\r\n"
	    "DATA\r\n0123456789\r\n.\r\n"
	    "MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n01234567\r\n.\r\n";

	drive(&small, s, sizeof(s) - 1, 0, &r);
	CHECK(strstr(buf_cstr(&r.out),
		  "552 5.3.4 Message too big for system"
		  "\r\n552 5.3.4 Message too big for system\r\n250 2.1.0") !=
		NULL,
	    "refused for each recipient, then the next transaction: %s",
	    buf_cstr(&r.out));
	CHECK_STR(buf_cstr(&r.msgs),
	    "from=<a@b> ident= to=c@d [01234567\r\n]\n",
	    "exactly the bound fits");
	result_free(&r);
}

static void
test_xforward(void)
{
	static const struct {
		const char *attrs;
		const char *want;
	} cases[] = {
		{ "IDENT=4XyzAbC1", "4XyzAbC1" },
		{ "IDENT=4Xyz+41", "4XyzA" },
		{ "NAME=x IDENT=ABC PROTO=ESMTP", "ABC" },
		{ "IDENT=has-dash", "" },
		{ "IDENT=+2D", "" },
		{ "IDENT=+4", "" },
		{ "IDENT=", "" },
		{ "IDENT=123456789012345678901234567890123", "" },
		{ "IDENT=12345678901234567890123456789012",
		    "12345678901234567890123456789012" },
	};
	struct result r;
	struct buf    in, want;
	size_t        i;

	buf_init(&in, BIG);
	buf_init(&want, BIG);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&in);
		buf_reset(&want);
		buf_printf(&in,
		    "LHLO x\r\nXFORWARD %s\r\nMAIL FROM:<a@b>\r\n"
		    "RCPT TO:<c@d>\r\nDATA\r\nx\r\n.\r\n"
		    "MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\ny\r\n.\r\n",
		    cases[i].attrs);
		buf_printf(&want,
		    "from=<a@b> ident=%s to=c@d [x\r\n]\n"
		    "from=<a@b> ident= to=c@d [y\r\n]\n",
		    cases[i].want);
		drive(&settings, in.data, in.len, 0, &r);
		CHECK_STR(buf_cstr(&r.msgs), buf_cstr(&want), "xforward %zu",
		    i);
		result_free(&r);
	}
	check_replies("LHLO x\r\nMAIL FROM:<a@b>\r\nXFORWARD IDENT=A\r\n"
		      "RSET\r\nXFORWARD\r\n",
	    "250 2.1.0 Sender OK\r\n"
	    "503 5.5.1 XFORWARD only between transactions\r\n"
	    "250 2.0.0 OK\r\n501 5.5.4 XFORWARD needs attributes\r\n",
	    "XFORWARD inside a transaction");
	buf_free(&in);
	buf_free(&want);
}

static void
test_long_lines_and_errors(void)
{
	struct result r;
	struct buf    in;
	const char   *p;
	int           i;

	buf_init(&in, BIG);
	buf_puts(&in, "LHLO x\r\nNOOP ");
	for (i = 0; i < LMTP_LINE_MAX; i++)
		buf_putc(&in, 'x');
	buf_puts(&in, "\r\nNOOP\r\n");
	drive(&settings, in.data, in.len, 7, &r);
	CHECK(strstr(buf_cstr(&r.out),
		  "IDENT SOURCE\r\n500 5.5.2 Line too "
		  "long\r\n250 2.0.0 OK\r\n") != NULL,
	    "long line skipped: %s", buf_cstr(&r.out));
	result_free(&r);
	buf_reset(&in);
	for (i = 0; i < LMTP_ERRORS_MAX + 5; i++)
		buf_puts(&in, "BOGUS\r\n");
	drive(&settings, in.data, in.len, 0, &r);
	p = strstr(buf_cstr(&r.out), "421 4.7.0 Too many errors");
	CHECK(r.closed && p != NULL &&
		p + strlen(p) == r.out.data + r.out.len &&
		strstr(p, "\r\n") + 2 == p + strlen(p),
	    "too many errors close, and nothing follows the 421");
	result_free(&r);
	buf_free(&in);
}

/* Thousands of pipelined commands in one read: every reply comes out. */
static void
test_backpressure(void)
{
	struct result r;
	struct buf    in;
	const char   *p;
	int           i, n = 0;

	buf_init(&in, BIG);
	for (i = 0; i < 3000; i++)
		buf_puts(&in, "LHLO x\r\n");
	drive(&settings, in.data, in.len, 0, &r);
	CHECK(!r.out.failed, "no reply lost");
	for (p = buf_cstr(&r.out); (p = strstr(p, "IDENT SOURCE\r\n")) != NULL;
	     p++)
		n++;
	CHECK_INT(n, 3000, "a reply for each LHLO");
	result_free(&r);
	buf_free(&in);
}

int
main(void)
{
	test_session();
	test_splits();
	test_truncated();
	test_data();
	test_refusals();
	test_paths();
	test_too_big();
	test_xforward();
	test_long_lines_and_errors();
	test_backpressure();
	return test_done("test_lmtp");
}
