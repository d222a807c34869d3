/*
 * test_mime.c - what a message shows (GMime): headers decoded to UTF-8,
 * the text chosen among parts and charsets, attachments listed and
 * decoded, broken mail shown as well as it can be; and HTML as text.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "mail/htmltext.h"
#include "mail/mime.h"
#include "test.h"

static struct arena *a;

static int
read_msg(struct mime_view *v, const char *raw)
{
	arena_reset(a);
	return mime_read(v, raw, strlen(raw), MIME_WANT_TEXT, a);
}

static void
test_plain(void)
{
	static const char m[] =
	    "Return-Path: <bounce@example.org>\r\n"
	    "From: =?UTF-8?Q?Ad=C3=A4_Lovelace?= <ada@example.org>\r\n"
	    "To: ada@ubuntu.com, \"Kim\" <kim@kubuntu.org>\r\n"
	    "Cc: c@example.net\r\n"
	    "Subject: =?ISO-8859-1?B?SGFsbG8g5Pb8?= and\r\n more\r\n"
	    "Date: Sat, 28 Nov 2026 08:30:00 +0100\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n"
	    "\r\n"
	    "Hello =C3=A4,\r\n"
	    "a soft=\r\n break.\r\n";
	struct mime_view v;

	CHECK_INT(read_msg(&v, m), 0, "reads");
	CHECK_STR(v.sum.from, "Ad\xc3\xa4 Lovelace <ada@example.org>", "from");
	CHECK_STR(v.sum.to, "ada@ubuntu.com, Kim <kim@kubuntu.org>", "to");
	CHECK_STR(v.cc, "c@example.net", "cc");
	CHECK_STR(v.sum.subject, "Hallo \xc3\xa4\xc3\xb6\xc3\xbc and more",
	    "RFC 2047 subject, folded");
	CHECK_INT(v.sum.date, 1795851000, "date");
	CHECK_INT(v.sum.tz_minutes, 60, "zone");
	CHECK_STR(v.date_text, "2026-11-28 08:30 +0100", "date text");
	CHECK_STR(v.text, "Hello \xc3\xa4,\na soft break.\n", "QP text");
	CHECK_INT(v.sum.flags, 0, "no flags");
	CHECK_INT(v.sum.nattach, 0, "no attachments");
}

static void
test_legacy_charsets(void)
{
	static const char latin1[] =
	    "From: a@example.org\r\nSubject: Gr\xfc\xdf"
	    "e\r\n"
	    "Content-Type: text/plain; charset=iso-8859-1\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n\r\n"
	    "K\xe4se und W\xfcrste\r\n";
	static const char undeclared[] =
	    "From: a@example.org\r\nSubject: x\r\n\r\n"
	    "caf\xe9 \x80 5\r\n";
	static const char koi8[] =
	    "Subject: =?koi8-r?B?8NLJ18XU?=\r\n"
	    "Content-Type: text/plain; charset=koi8-r\r\n\r\n"
	    "\xf0\xd2\xc9\xd7\xc5\xd4\r\n";
	static const char bogus[] =
	    "Subject: x\r\nContent-Type: text/plain; charset=x-no-such\r\n\r\n"
	    "ok \xff\xfe end\r\n";
	struct mime_view v;

	CHECK_INT(read_msg(&v, latin1), 0, "latin1");
	CHECK_STR(v.sum.subject,
	    "Gr\xc3\xbc\xc3\x9f"
	    "e",
	    "raw 8-bit subject taken as windows-1252");
	CHECK_STR(v.text, "K\xc3\xa4se und W\xc3\xbcrste\n", "latin1 body");
	CHECK_INT(read_msg(&v, undeclared), 0, "undeclared");
	CHECK_STR(v.text, "caf\xc3\xa9 \xe2\x82\xac 5\n",
	    "undeclared 8-bit body as windows-1252");
	CHECK_INT(read_msg(&v, koi8), 0, "koi8-r");
	CHECK_STR(v.sum.subject,
	    "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82",
	    "koi8-r subject");
	CHECK_STR(v.text, "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82\n",
	    "koi8-r body");
	CHECK_INT(read_msg(&v, bogus), 0, "unknown charset");
	CHECK_STR(v.text, "ok \xef\xbf\xbd\xef\xbf\xbd end\n",
	    "undecodable bytes replaced");
}

static const char mixed[] =
    "From: a@example.org\r\nTo: b@example.org\r\nSubject: files\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n"
    "preamble\r\n"
    "--XX\r\n"
    "Content-Type: multipart/alternative; boundary=\"YY\"\r\n\r\n"
    "--YY\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nthe text\r\n"
    "--YY\r\nContent-Type: text/html\r\n\r\n<p>the <b>html</b></p>\r\n"
    "--YY--\r\n"
    "--XX\r\n"
    "Content-Type: application/pdf; name=\"r.pdf\"\r\n"
    "Content-Disposition: attachment; filename=\"../../etc/report.pdf\"\r\n"
    "Content-Transfer-Encoding: base64\r\n\r\n"
    "JVBERi0xLjQKJcOkw7w=\r\n"
    "--XX\r\n"
    "Content-Type: image/png\r\n"
    "Content-Transfer-Encoding: base64\r\n\r\n"
    "iVBORw0K\r\n"
    "--XX\r\n"
    "Content-Type: message/rfc822\r\n\r\n"
    "Subject: inner\r\n\r\ninner body\r\n"
    "--XX\r\n"
    "Content-Type: text/plain; name=\"=?UTF-8?Q?n=C3=A4me.txt?=\"\r\n\r\n"
    "named text\r\n"
    "--XX--\r\n";

static void
test_parts(void)
{
	struct mime_view          v;
	struct summary_attachment info;
	struct buf                b;

	CHECK_INT(read_msg(&v, mixed), 0, "reads");
	CHECK_STR(v.text, "the text", "plain chosen over HTML");
	CHECK_INT(v.sum.flags, 0, "no flags");
	CHECK_INT(v.sum.nattach, 4, "attachments");
	if (v.sum.nattach == 4) {
		CHECK_STR(v.sum.attach[0].name, "report.pdf", "no directories");
		CHECK_STR(v.sum.attach[0].type, "application/pdf", "type");
		CHECK_INT(v.sum.attach[0].size, 14, "decoded size");
		CHECK_STR(v.sum.attach[1].name, "", "unnamed image");
		CHECK_STR(v.sum.attach[1].type, "image/png", "image type");
		CHECK_INT(v.sum.attach[1].size, 6, "image size");
		CHECK_STR(v.sum.attach[2].name, "message.eml", "a message");
		CHECK_STR(v.sum.attach[2].type, "message/rfc822", "its type");
		CHECK_STR(v.sum.attach[3].name, "n\xc3\xa4me.txt",
		    "named text is an attachment");
	}
	buf_init(&b, 1 << 20);
	arena_reset(a);
	CHECK_INT(mime_attachment(mixed, strlen(mixed), 0, &b, &info, a), 0,
	    "attachment 0");
	CHECK(b.len == 14 &&
		memcmp(b.data, "%PDF-1.4\n%\xc3\xa4\xc3\xbc", 14) == 0,
	    "decoded bytes");
	CHECK_STR(info.name, "report.pdf", "its name");
	CHECK_INT(info.size, 14, "its size");
	buf_reset(&b);
	CHECK_INT(mime_attachment(mixed, strlen(mixed), 2, &b, &info, a), 0,
	    "attachment 2");
	CHECK(memmem(b.data, b.len, "inner body", 10) != NULL,
	    "the attached message");
	buf_reset(&b);
	CHECK_INT(mime_attachment(mixed, strlen(mixed), 4, &b, &info, a), -1,
	    "no attachment 4");
	CHECK_INT(b.len, 0, "nothing written");
	buf_free(&b);
	buf_init(&b, 4);
	arena_reset(a);
	CHECK_INT(mime_attachment(mixed, strlen(mixed), 0, &b, &info, a), -1,
	    "over the caller's bound");
	buf_free(&b);
}

static void
test_html_only(void)
{
	static const char m[] =
	    "Subject: h\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
	    "<html><head><title>T</title><style>p{}</style></head><body>"
	    "<p>One &amp; <img src=\"http://tracker.example/x.png\">two</p>"
	    "<script>alert(1)</script><p>three&nbsp;&#8364;</p></body></html>\r\n";
	struct mime_view v;

	CHECK_INT(read_msg(&v, m), 0, "reads");
	CHECK_STR(v.text, "One & two\n\nthree \xe2\x82\xac", "the HTML's text");
	CHECK(v.sum.flags & SUMMARY_HTML_ONLY, "flagged");
	CHECK(strstr(v.text, "tracker") == NULL, "no URL of the HTML kept");
}

static void
test_malformed(void)
{
	static const char noboundary[] =
	    "Subject: broken\r\nContent-Type: multipart/mixed\r\n\r\n"
	    "--\r\nsome text\r\n";
	static const char truncated[] =
	    "Subject: cut\r\nContent-Type: multipart/mixed; boundary=Q\r\n\r\n"
	    "--Q\r\nContent-Type: text/plain\r\n\r\nfirst part\r\n--Q\r\n"
	    "Content-Type: application/octet-stream\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\nAAAA";
	static const char controls[] = "Subject: a\x01"
				       "b\x1b[31mc\r\n\r\nx\x07y\r\n";
	static const char nothing[] = "\xff\xfe\x00";
	struct mime_view  v;

	CHECK_INT(read_msg(&v, noboundary), 0, "no boundary: still read");
	CHECK(v.sum.flags & SUMMARY_MALFORMED, "flagged malformed");
	CHECK_STR(v.sum.subject, "broken", "headers still shown");
	CHECK_STR(v.text, "--\nsome text\n", "the body as it came");
	CHECK_INT(read_msg(&v, truncated), 0, "truncated");
	CHECK(v.text != NULL && strstr(v.text, "first part") != NULL,
	    "its text is shown");
	CHECK_INT(v.sum.nattach, 1, "and its cut attachment listed");
	CHECK_INT(read_msg(&v, controls), 0, "controls");
	CHECK_STR(v.sum.subject, "a b [31mc", "controls become spaces");
	CHECK_STR(v.text, "xy\n", "controls leave the text");
	arena_reset(a);
	CHECK_INT(mime_read(&v, nothing, 3, MIME_WANT_TEXT, a), 0, "garbage");
	CHECK(v.text != NULL && v.sum.from != NULL && v.sum.subject != NULL,
	    "a view all the same");
	arena_reset(a);
	CHECK_INT(mime_read(&v, "", 0, MIME_SUMMARY, a), 0, "empty");
	CHECK(v.text == NULL, "no text asked for");
}

static void
test_many_attachments(void)
{
	struct buf       m;
	struct mime_view v;
	int              i;

	buf_init(&m, 1 << 20);
	buf_puts(&m,
	    "Subject: many\r\n"
	    "Content-Type: multipart/mixed; boundary=B\r\n\r\n");
	for (i = 0; i < SUMMARY_ATTACH_MAX + 5; i++)
		buf_printf(&m,
		    "--B\r\nContent-Type: application/x-%d\r\n\r\n"
		    "%d\r\n",
		    i, i);
	buf_puts(&m, "--B--\r\n");
	arena_reset(a);
	CHECK_INT(mime_read(&v, m.data, m.len, MIME_SUMMARY, a), 0, "reads");
	CHECK_INT(v.sum.nattach, SUMMARY_ATTACH_MAX, "bounded");
	CHECK(v.sum.flags & SUMMARY_MORE_ATTACHMENTS, "and flagged");
	CHECK(v.sum.flags & SUMMARY_NO_TEXT, "no text");
	CHECK_STR(v.sum.attach[63].type, "application/x-63", "the 64th");
	buf_free(&m);
}

static void
test_html_to_text(void)
{
	static const struct {
		const char *html, *want;
	} cases[] = {
		{ "plain", "plain" },
		{ "a  \n b", "a b" },
		{ "a<br>b<br/><br>c", "a\nb\n\nc" },
		{ "<div>x</div><div>y</div>", "x\ny" },
		{ "<p>x</p><p>y</p>", "x\n\ny" },
		{ "1 < 2 &lt; 3", "1 < 2 < 3" },
		{ "&#65;&#x42;&#0;&#xD800;&#1114112;",
		    "AB&#0;&#xD800;&#1114112;" },
		{ "&unknown; & &amp", "&unknown; & &amp" },
		{ "<a href='x>y'>link</a>", "link" },
		{ "<!-- <p>hidden</p> -->shown", "shown" },
		{ "<SCRIPT>x</SCRIPT >after", "after" },
		{ "<style>unterminated", "" },
		{ "<b", "" },
		{ "x<", "x<" },
		{ "caf\xc3\xa9", "caf\xc3\xa9" },
	};
	struct buf b;
	size_t     i;

	buf_init(&b, 4096);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&b);
		html_to_text(&b, cases[i].html, strlen(cases[i].html));
		CHECK_STR(buf_cstr(&b), cases[i].want, "html case %zu", i);
	}
	buf_free(&b);
}

int
main(void)
{
	mime_init();
	if ((a = arena_new(64 << 20)) == NULL)
		return 1;
	test_plain();
	test_legacy_charsets();
	test_parts();
	test_html_only();
	test_malformed();
	test_many_attachments();
	test_html_to_text();
	arena_free(a);
	mime_shutdown();
	return test_done("test_mime");
}
