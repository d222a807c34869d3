/*
 * mime.c - fuzzes the MIME entry point: any bytes, as the LMTP service
 * stores them and the pages read them, through mime_read (summary and
 * text), every attachment, and the summary's encoding and decoding.
 * Beyond no crash, leak or out-of-bounds read: every string comes out
 * valid UTF-8, an attachment is as long as its listing says, and a summary
 * decodes to what was encoded.  The seeds (tests/fuzz/mime/) are whole
 * messages: plain, multipart with an attachment, HTML only, broken.
 */
#include "config.h"

#include <glib.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "mail/mime.h"
#include "mail/summary.h"

#include "fuzz.h"

static void
check_utf8(const char *s)
{
	FUZZ_CHECK(s != NULL && g_utf8_validate(s, -1, NULL));
}

static void
round_trip(const struct summary *s, struct arena *a)
{
	struct summary d;
	struct buf     b;

	buf_init(&b, SUMMARY_MAX);
	summary_encode(&b, s);
	FUZZ_CHECK(!b.failed &&
	    summary_decode(&d, (unsigned char *)b.data, b.len, a) == 0);
	FUZZ_CHECK(strncmp(d.subject, s->subject, strlen(d.subject)) == 0);
	FUZZ_CHECK(d.nattach ==
	    (s->nattach < SUMMARY_ATTACH_MAX ? s->nattach :
					       SUMMARY_ATTACH_MAX));
	buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct arena      *a;
	struct mime_view          v;
	struct summary_attachment info;
	struct buf                out;
	size_t                    i;

	if (a == NULL && (a = arena_new(16 << 20)) == NULL)
		abort();
	arena_reset(a);
	if (mime_read(&v, (const char *)data, size, MIME_WANT_TEXT, a) != 0)
		return 0; /* the arena's bound: a refusal, not a bug */
	check_utf8(v.sum.from);
	check_utf8(v.sum.to);
	check_utf8(v.sum.subject);
	check_utf8(v.text);
	for (i = 0; i < v.sum.nattach; i++) {
		check_utf8(v.sum.attach[i].name);
		check_utf8(v.sum.attach[i].type);
		buf_init(&out, 1 << 24);
		if (mime_attachment((const char *)data, size, i, &out, &info,
			a) == 0)
			FUZZ_CHECK(out.len == info.size);
		buf_free(&out);
	}
	round_trip(&v.sum, a);
	return 0;
}
