/*
 * mime.h - what a stored message shows, read with GMime.
 *
 * A message is stored as it was received; it is read here when it is
 * delivered (for its summary) and when it is shown (for its text and
 * attachments).  GMime does the MIME work: multipart structure, quoted-
 * printable and base64, RFC 2047 headers, charsets to UTF-8 (undeclared
 * 8-bit text is taken as windows-1252).  Whatever the input, mime_read
 * fills a view: broken structure is flagged SUMMARY_MALFORMED and shown as
 * well as it can be (a message GMime cannot read at all shows its raw
 * text).  Every string is valid UTF-8 without control characters (but line
 * breaks in the text).
 *
 * The parts, in GMime's depth-first order, are sorted once by one rule (so
 * that an attachment's index is the same at delivery and at download):
 * a part marked as an attachment, a non-text part and a named HTML part are
 * attachments (an attached message too); inline text/plain parts are the
 * text; the first inline HTML part is the text when there is no plain one.
 *
 * GMime is set up on first use in each process (mime_init, which may also
 * be called early); mime_shutdown releases its globals at exit.  Strings
 * of a view are arena memory.
 */
#ifndef MM_MAIL_MIME_H
#define MM_MAIL_MIME_H

#include <stddef.h>

#include "mail/summary.h"

struct arena;
struct buf;

#define MIME_TEXT_MAX (256 * 1024) /* bytes of text shown */

struct mime_view {
	struct summary sum; /* headers, attachments, flags */
	const char    *cc;
	const char    *date_text; /* "2026-11-28 08:30 +0100", or "" */
	const char    *text;      /* MIME_WANT_TEXT only; else NULL */
	int            text_cut;  /* text was over MIME_TEXT_MAX */
};

enum mime_want {
	MIME_SUMMARY = 0,  /* headers and attachments */
	MIME_WANT_TEXT = 1 /* and the text to show */
};

void mime_init(void);
void mime_shutdown(void);
/* Reads a message; 0, or -1 when out of (arena) memory. */
int mime_read(struct mime_view *, const char *raw, size_t len, enum mime_want,
    struct arena *);
/*
 * Appends attachment i's decoded content to out and describes it in *info
 * (arena strings); 0, -1 when there is no such attachment, or when out's
 * bound refused it (out->failed).
 */
int mime_attachment(const char *raw, size_t len, size_t i, struct buf *out,
    struct summary_attachment *info, struct arena *);

#endif
