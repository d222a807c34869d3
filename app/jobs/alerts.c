/* alerts.c - the sync's alerts, once per cause; see alerts.h. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "jobs/alerts.h"
#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/conf.h"
#include "lib/log.h"
#include "rules/notify.h"
#include "store/db.h"
#include "views/view.h"

#define ALERTS_MAX 10000 /* causes one run keeps */
#define LIST_MAX   ((size_t)16 << 20)
#define SHOWN_MAX  20 /* causes a mail lists per section */

struct cause {
	const char *key, *message;
};

struct alerts {
	struct arena *a;
	struct cause *c;
	size_t        n, cap;
};

struct alerts *
alerts_new(struct arena *a)
{
	struct alerts *al;

	if ((al = arena_calloc(a, 1, sizeof(*al))) != NULL)
		al->a = a;
	return al;
}

size_t
alerts_count(const struct alerts *al)
{
	return al->n;
}

static int
grow(struct alerts *al)
{
	struct cause *nc;
	size_t        cap = al->cap ? al->cap * 2 : 16;

	if (cap > ALERTS_MAX ||
	    (nc = arena_calloc(al->a, cap, sizeof(*nc))) == NULL)
		return -1;
	if (al->n > 0)
		memcpy(nc, al->c, al->n * sizeof(*nc));
	al->c = nc;
	al->cap = cap;
	return 0;
}

int
alerts_add(struct alerts *al, const char *cause, const char *fmt, ...)
{
	va_list ap;
	size_t  i;
	char   *msg;

	for (i = 0; i < al->n; i++)
		if (strcmp(al->c[i].key, cause) == 0)
			return 0;
	if (al->n == al->cap && grow(al) == -1)
		return -1;
	va_start(ap, fmt);
	msg = arena_vprintf(al->a, fmt, ap);
	va_end(ap);
	if (msg == NULL ||
	    (al->c[al->n].key = arena_strdup(al->a, cause)) == NULL)
		return -1;
	al->c[al->n++].message = msg;
	return 0;
}

/* Appends s to a PostgreSQL array literal, quoted. */
static void
array_add(struct buf *b, const char *s)
{
	buf_puts(b, b->len > 1 ? ",\"" : "\"");
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			buf_putc(b, '\\');
		buf_putc(b, *s);
	}
	buf_putc(b, '"');
}

/* What one flush mails, by section. */
struct report {
	struct arena     *a; /* for first */
	struct view_dict *d;
	long              nnew, nstill, ncleared;
	const char       *first; /* the subject's message */
};

static void
report_add(struct report *rp, const char *section, long *count,
    const char *message)
{
	struct view_dict *row;

	if ((*count)++ < SHOWN_MAX &&
	    (row = view_add_section(rp->d, section)) != NULL)
		view_set(row, "MESSAGE", message);
	if (rp->first == NULL)
		rp->first = arena_strdup(rp->a, message);
}

struct flush {
	const struct config *cfg;
	struct alerts       *al;
	int                  failed, complete;
};

static enum app_err
mail(struct db *db, const struct flush *f, struct report *rp)
{
	const char *to[1] = { f->cfg->alerts_to };
	char        subject[400];
	long        more;

	more = rp->nnew + rp->nstill + rp->ncleared - 1;
	if (rp->nnew + rp->nstill == 0)
		snprintf(subject, sizeof(subject), "cleared: %s", rp->first);
	else
		snprintf(subject, sizeof(subject), "%s%s",
		    f->failed ? "failed: " : "", rp->first);
	if (more > 0)
		snprintf(subject + strlen(subject),
		    sizeof(subject) - strlen(subject), " (and %ld more)", more);
	view_set(rp->d, "SUBJECT", subject);
	view_set_int(rp->d, "NEW", rp->nnew);
	view_set_int(rp->d, "STILL", rp->nstill);
	view_set_int(rp->d, "CLEARED", rp->ncleared);
	return mail_queue(db, f->cfg, "mail_sync_alerts.tpl", to, 1, rp->d);
}

static enum app_err
seen(struct db *db, const struct flush *f, struct buf *keys, struct report *rp)
{
	struct buf   msgs;
	char         ivl[24];
	const char  *p[3];
	PGresult    *res;
	enum app_err e;
	size_t       i;
	int          row;

	buf_init(&msgs, LIST_MAX);
	buf_putc(keys, '{');
	buf_putc(&msgs, '{');
	for (i = 0; i < f->al->n; i++) {
		array_add(keys, f->al->c[i].key);
		array_add(&msgs, f->al->c[i].message);
	}
	buf_putc(keys, '}');
	buf_putc(&msgs, '}');
	snprintf(ivl, sizeof(ivl), "%d", f->cfg->alert_interval);
	p[0] = buf_cstr(keys);
	p[1] = buf_cstr(&msgs);
	p[2] = ivl;
	e = keys->failed || msgs.failed ? APP_ENOMEM : APP_OK;
	if (e == APP_OK && f->al->n > 0 &&
	    (res = db_exec(db, STMT_ALERTS_SEEN, 3, p, &e)) != NULL) {
		for (row = 0; row < PQntuples(res); row++)
			if (db_bool(res, row, ALERTS_SEEN_NEW))
				report_add(rp, "NEW_CAUSE", &rp->nnew,
				    db_str(res, row, ALERTS_SEEN_MESSAGE));
			else if (db_bool(res, row, ALERTS_SEEN_DUE))
				report_add(rp, "STILL_CAUSE", &rp->nstill,
				    db_str(res, row, ALERTS_SEEN_MESSAGE));
		PQclear(res); /* the report copied the messages */
	}
	buf_free(&msgs);
	return e;
}

static enum app_err
flush_tx(struct db *db, void *arg)
{
	struct flush *f = arg;
	struct report rp;
	struct buf    keys;
	const char   *p[1];
	PGresult     *res = NULL;
	enum app_err  e;
	int           row;

	memset(&rp, 0, sizeof(rp));
	rp.a = f->al->a;
	if ((rp.d = view_dict_new()) == NULL)
		return APP_ENOMEM;
	buf_init(&keys, LIST_MAX);
	e = seen(db, f, &keys, &rp);
	p[0] = buf_cstr(&keys);
	if (e == APP_OK && f->complete &&
	    (res = db_exec(db, STMT_ALERTS_CLEAR, 1, p, &e)) != NULL)
		for (row = 0; row < PQntuples(res); row++)
			report_add(&rp, "CLEARED_CAUSE", &rp.ncleared,
			    db_str(res, row, ALERTS_CLEAR_MESSAGE));
	if (e == APP_OK && rp.first != NULL && f->cfg->alerts_to[0] != '\0')
		e = mail(db, f, &rp);
	if (e == APP_OK && rp.first != NULL)
		log_warn("sync_alert", LOG_INT("new", rp.nnew),
		    LOG_INT("still", rp.nstill),
		    LOG_INT("cleared", rp.ncleared));
	PQclear(res);
	buf_free(&keys);
	view_dict_free(rp.d);
	return e;
}

enum app_err
alerts_flush(struct db *db, const struct config *cfg, struct alerts *al,
    int failed, int complete)
{
	struct flush f = { cfg, al, failed, complete };

	if (al->n == 0 && !complete)
		return APP_OK;
	return db_tx(db, flush_tx, &f);
}
