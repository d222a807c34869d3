/*
 * summary.h - what a mailbox listing shows of a message, as bytes to
 * encrypt (seal.h) apart from the body.
 *
 * From, To, Subject (UTF-8, one line each, cut to SUMMARY_TEXT_MAX bytes on
 * a character boundary), the Date header as Unix time and its zone, the
 * attachments (name, content type, decoded size; at most
 * SUMMARY_ATTACH_MAX, SUMMARY_MORE_ATTACHMENTS beyond) and flags.  The
 * encoding is a version byte, the fixed fields, then tag-length-value
 * fields, padded (ISO/IEC 7816-4, sodium_pad) to a multiple of
 * SUMMARY_BLOCK so that the ciphertext's length tells little of the
 * subject's.
 *
 * summary_encode appends to a struct buf (bounded by the caller);
 * summary_decode reads into arena strings and refuses anything but what
 * summary_encode writes.
 */
#ifndef MM_MAIL_SUMMARY_H
#define MM_MAIL_SUMMARY_H

#include <stddef.h>
#include <stdint.h>

struct arena;
struct buf;

#define SUMMARY_TEXT_MAX   998 /* bytes of From, To, Subject */
#define SUMMARY_NAME_MAX   255 /* bytes of an attachment's name */
#define SUMMARY_TYPE_MAX   127 /* bytes of a content type */
#define SUMMARY_ATTACH_MAX 64
#define SUMMARY_BLOCK      256
#define SUMMARY_MAX                                                           \
	(4 * SUMMARY_TEXT_MAX +                                               \
	    SUMMARY_ATTACH_MAX * (SUMMARY_NAME_MAX + SUMMARY_TYPE_MAX + 16) + \
	    2 * SUMMARY_BLOCK)

enum summary_flag {
	SUMMARY_MALFORMED = 1 << 0, /* the MIME structure was broken */
	SUMMARY_HTML_ONLY = 1 << 1, /* no text/plain part: shown as text */
	SUMMARY_MORE_ATTACHMENTS = 1 << 2, /* more than SUMMARY_ATTACH_MAX */
	SUMMARY_NO_TEXT = 1 << 3           /* neither text nor HTML to show */
};

struct summary_attachment {
	const char *name; /* "" when the part has none */
	const char *type; /* "application/pdf" */
	uint64_t    size; /* decoded bytes */
};

struct summary {
	const char                      *from;
	const char                      *to;
	const char                      *subject;
	int64_t                          date;       /* Unix time; 0 = none */
	int                              tz_minutes; /* east of UTC */
	uint32_t                         flags;      /* enum summary_flag */
	size_t                           nattach;
	const struct summary_attachment *attach;
};

/* Appends the encoding of s (texts cut to their bounds) to out. */
void summary_encode(struct buf *out, const struct summary *s);
/* Reads an encoding into s (arena strings); 0, or -1 if malformed. */
int summary_decode(struct summary *s, const unsigned char *in, size_t len,
    struct arena *);
/*
 * The length of s cut to at most max bytes, on a UTF-8 character boundary
 * (for valid UTF-8: a cut never splits a character).
 */
size_t utf8_cut(const char *s, size_t max);

#endif
