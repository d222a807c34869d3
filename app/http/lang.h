/*
 * lang.h - the language a request is answered in (lib/i18n.h has the
 * languages).
 *
 * Pages: the signed-in user's choice (users.lang), else the mm_lang cookie
 * the language switch sets, else the browser's Accept-Language, else
 * English.  The JSON API (bearer routes and unmatched /api/ paths) reads
 * no cookie and stores no choice: Accept-Language, else English.  A tag
 * no catalogue of ours has counts as no choice.
 */
#ifndef MM_LANG_H
#define MM_LANG_H

#include "http/req.h"
#include "lib/err.h"

#define LANG_COOKIE "mm_lang"

struct lang;

/*
 * Sets req->lang from what is known of the request so far: the dispatcher
 * calls it once the request is read and again once the caller is known.
 */
void lang_choose(struct req *);

/* Remembers l in this browser: the mm_lang cookie, for a year. */
enum app_err lang_remember(struct req *, const struct lang *l);

#endif
