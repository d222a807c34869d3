/*
 * alerts.h - what the sync tells operators (alerts_to), once per cause.
 *
 * A run collects the causes of its problems: a stable key (e.g.
 * "no-admin:example.org") and one line for a person.  At its end,
 * alerts_flush compares them with the causes still open (table
 * sync_alerts) and, in one transaction, mails one message naming what is
 * new, what persists and was last mailed alert_interval seconds ago or
 * more, and what has cleared; a run with none of these mails nothing.
 * Only a run that looked at everything (not --user, Launchpad reachable)
 * may clear a cause.  The collection and its strings belong to the arena.
 *
 * The mail is in the operators' language (alerts_lang), its messages too:
 * each is composed in that language when its cause is added (tr() with
 * alerts_lang() the caller's), since the key, not the words, decides what
 * is new, persists or has cleared, and sync_alerts keeps the words of the
 * last run for the mail that says a cause cleared.
 */
#ifndef MM_ALERTS_H
#define MM_ALERTS_H

#include <stddef.h>

#include "lib/err.h"

struct arena;
struct config;
struct db;
struct lang;

struct alerts;

/* A collection whose messages are in language l (NULL: English). */
struct alerts     *alerts_new(struct arena *, const struct lang *l);
const struct lang *alerts_lang(const struct alerts *);
/*
 * Adds a cause (once per run: the first message stays); fmt is already in
 * alerts_lang (e.g. tr(alerts_lang(al), "...")); -1 when full.
 */
int alerts_add(struct alerts *, const char *cause, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
size_t alerts_count(const struct alerts *);

/*
 * The rule above; failed says the run ended with errors (the subject says
 * "failed", in the mail's language), complete whether causes absent from
 * this run have cleared.
 */
enum app_err alerts_flush(struct db *, const struct config *, struct alerts *,
    int failed, int complete);

#endif
