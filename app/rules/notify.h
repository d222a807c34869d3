/*
 * notify.h - notification e-mail, queued: a template rendered and one
 * outbox row INSERTed in the caller's transaction, so a change and its
 * e-mail commit or roll back together.  `membermail outbox` delivers
 * what the table holds; nothing here talks SMTP.
 *
 * Templates: views/templates/mail_*.tpl, one per kind of mail, loaded and
 * parsed with every other template at start-up.  The first line of the
 * expansion is the Subject, the rest (after one blank line) the body.  The
 * bridge insists on {{%AUTOESCAPE context="HTML"}}, which serves a text
 * mail well: every value is HTML-escaped, and the escaper also turns CR,
 * LF and other control characters into spaces, so no value can add a line
 * (a header) to the subject; the five entities it writes (&amp; &lt; &gt;
 * &quot; &#39;) are then decoded, which gives the values back as they were.
 * The subject must come out as one line of 1..998 characters.
 *
 * Addresses are checked before anything is written: one '@' with text on
 * both sides, at most 254 bytes, no white space, control characters or
 * <>,;"() (the outbox's mm_plausible_address).  Links in mails use
 * public_url (PUBLIC_URL in every template).  Mails carry summaries, never
 * membership lists (reference §11.1).
 */
#ifndef MM_NOTIFY_H
#define MM_NOTIFY_H

#include <stddef.h>

#include "lib/err.h"

struct config;
struct db;
struct view_dict;

#define MAIL_RCPT_MAX 100 /* outbox_to_count, outbox_cc_bcc_count */

/* Non-zero if addr may go into a mail header (rules above). */
int mail_address_ok(const char *addr);

/*
 * Renders template tpl with d (PUBLIC_URL is set here) and queues it to
 * the nto addresses of to, cc the ncc of cc (addresses in both lists are
 * sent once, as To).  APP_EINVALID for a bad address, no recipient, or a
 * template that does not give a one-line subject; APP_EDB and the like.
 */
enum app_err mail_queue(struct db *, const struct config *, const char *tpl,
    const char *const *to, size_t nto, const char *const *cc, size_t ncc,
    struct view_dict *d);

#endif
