/*
 * notify.h - notification e-mail, queued: a template rendered and outbox
 * rows INSERTed in the caller's transaction, so a change and its e-mail
 * commit or roll back together.  `membermail outbox` delivers what the
 * table holds; nothing here talks SMTP.
 *
 * Each recipient gets a copy of their own, addressed to them alone: no
 * message shows one person's address to another (a member never learns
 * the admins' private addresses, nor admins each other's), and one
 * recipient's refusing relay does not hold the others' copies back.
 *
 * Each copy is in its recipient's language (struct mail_rcpt: a member's
 * choice, else the domain's default language, else English; the callers
 * know which): the template is rendered once per language among the
 * recipients, each time with a dictionary the caller's fill function
 * fills for that language, so that the words and dates the caller puts
 * in (a reason, a removal date) are in it too.
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
 * membership lists, which would tell whoever reads a mail who is in a
 * team.
 */
#ifndef MM_NOTIFY_H
#define MM_NOTIFY_H

#include <stddef.h>

#include "lib/buf.h"
#include "lib/err.h"

struct actor;
struct config;
struct db;
struct lang;
struct view_dict;

#define MAIL_RCPT_MAX 100 /* copies of one notification */

/* Non-zero if addr may go into a mail header (rules above). */
int mail_address_ok(const char *addr);

/* A recipient and the language of their copy (NULL: English). */
struct mail_rcpt {
	const char        *address;
	const struct lang *lang;
};

/*
 * The operators: alerts_to (perhaps "", nobody) in alerts_lang, which
 * start-up checked the site offers (conf_check_langs).
 */
struct mail_rcpt mail_operators(const struct config *);

/*
 * Fills d, a mail's dictionary in language view_lang(d), with what the
 * template shows; APP_OK, or APP_ENOMEM and the like.
 */
typedef enum app_err mail_fill_fn(struct view_dict *d, const void *arg);

/*
 * A rendered mail in one language: its recipients ' '-joined, each to get
 * a copy of their own, how many, and the subject and body (in text).
 */
struct mail_text {
	struct buf         to, text;
	size_t             copies;
	const struct lang *lang;
	const char        *subject, *body;
};

/* What to do with each language's mail; 0, or -1 to stop. */
typedef int mail_emit_fn(const struct mail_text *, void *arg);

/*
 * Renders template tpl for the nto recipients of to, once per language
 * among them, with a dictionary fill(d, fill_arg) fills for it
 * (PUBLIC_URL is set here), and hands each language's mail to
 * emit(m, emit_arg).  An address given twice, in any case, counts once
 * (in its first language).  APP_EINVALID for a bad address, no recipient,
 * or a template that does not give a one-line subject; emit's -1 is
 * APP_EDB; fill's error as it is.
 */
enum app_err mail_render(const struct config *, const char *tpl,
    const struct mail_rcpt *to, size_t nto, mail_fill_fn *fill,
    const void *fill_arg, mail_emit_fn *emit, void *emit_arg);

/*
 * mail_render, and one outbox row per copy: each recipient gets theirs, in
 * their language.  Errors as mail_render's; APP_EDB and the like.
 */
enum app_err mail_queue(struct db *, const struct config *, const char *tpl,
    const struct mail_rcpt *to, size_t nto, mail_fill_fn *fill,
    const void *fill_arg);

/*
 * A failed message (one whose delivery gave up), as a site admin handles
 * it: sent again from the first attempt (attempts 0, failed_at cleared,
 * last_error kept until the next attempt), or deleted; one transaction
 * with the audit row outbox.retry or outbox.delete.  APP_ENOTFOUND, with
 * nothing written, when no failed message has that id.
 */
enum app_err mail_retry(struct db *, const struct actor *, long long id);
enum app_err mail_delete(struct db *, const struct actor *, long long id);

#endif
