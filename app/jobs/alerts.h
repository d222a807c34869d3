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
 */
#ifndef MM_ALERTS_H
#define MM_ALERTS_H

#include <stddef.h>

#include "lib/err.h"

struct arena;
struct config;
struct db;

struct alerts;

struct alerts *alerts_new(struct arena *);
/* Adds a cause (once per run: the first message stays); -1 when full. */
int alerts_add(struct alerts *, const char *cause, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
size_t alerts_count(const struct alerts *);

/*
 * The rule above; failed says the run ended with errors (the subject says
 * "failed"), complete whether causes absent from this run have cleared.
 */
enum app_err alerts_flush(struct db *, const struct config *, struct alerts *,
    int failed, int complete);

#endif
