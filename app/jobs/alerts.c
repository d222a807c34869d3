/* alerts.c - the sync's alerts, once per cause; see alerts.h. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "jobs/alerts.h"
#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/conf.h"
#include "lib/i18n.h"
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
	struct arena      *a;
	const struct lang *lang; /* the messages' */
	struct cause      *c;
	size_t             n, cap;
};

struct alerts *
alerts_new(struct arena *a, const struct lang *l)
{
	struct alerts *al;

	if ((al = arena_calloc(a, 1, sizeof(*al))) != NULL) {
		al->a = a;
		al->lang = l;
	}
	return al;
}

const struct lang *
alerts_lang(const struct alerts *al)
{
	return al->lang;
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
enum section {
	NEW,
	STILL,
	CLEARED,
	SECTIONS
};

struct report {
	struct arena *a; /* the messages' copies */
	const char   *shown[SECTIONS][SHOWN_MAX];
	long          count[SECTIONS];
	const char   *first;  /* the subject's message */
	int           failed; /* the run ended with errors */
	int           lost;   /* a copy failed */
};

static void
report_add(struct report *rp, enum section k, const char *message)
{
	const char *m = arena_strdup(rp->a, message);

	if (m == NULL)
		rp->lost = 1;
	if (rp->count[k] < SHOWN_MAX)
		rp->shown[k][rp->count[k]] = m;
	rp->count[k]++;
	if (rp->first == NULL)
		rp->first = m;
}

/*
 * The subject after "[membermail] sync": the first message, what kind of
 * run or mail it is, how many more the mail lists; in language l.
 */
static void
subject(const struct report *rp, const struct lang *l, char *s, size_t sz)
{
	char head[400];
	long more;

	more = rp->count[NEW] + rp->count[STILL] + rp->count[CLEARED] - 1;
	if (rp->count[NEW] + rp->count[STILL] == 0)
		/* TRANSLATORS: a subject: all its problems are gone. */
		snprintf(head, sizeof(head), tr(l, "cleared: %s"), rp->first);
	else if (rp->failed)
		/* TRANSLATORS: a subject: the run failed, %s its problem. */
		snprintf(head, sizeof(head), tr(l, "failed: %s"), rp->first);
	else
		snprintf(head, sizeof(head), "%s", rp->first);
	if (more > 0)
		snprintf(s, sz, /* TRANSLATORS: a problem, and how many more */
		    trn(l, "%1$s (and %2$ld more)", "%1$s (and %2$ld more)",
			(unsigned long)more),
		    head, more);
	else
		snprintf(s, sz, "%s", head);
}

/* The alerts mail's values (mail_fill_fn), in its language (alerts_lang). */
static enum app_err
report_fill(struct view_dict *d, const void *arg)
{
	static const char *const names[SECTIONS] = { "NEW_CAUSE", "STILL_CAUSE",
		"CLEARED_CAUSE" };
	const struct report     *rp = arg;
	struct view_dict        *row;
	char                     s[400];
	long                     i;
	int                      k;

	for (k = 0; k < SECTIONS; k++)
		for (i = 0; i < rp->count[k] && i < SHOWN_MAX; i++) {
			if ((row = view_add_section(d, names[k])) == NULL)
				return APP_ENOMEM;
			view_set(row, "MESSAGE", rp->shown[k][i]);
		}
	subject(rp, view_lang(d), s, sizeof(s));
	view_set(d, "SUBJECT", s);
	view_set_int(d, "NEW", rp->count[NEW]);
	view_set_int(d, "STILL", rp->count[STILL]);
	view_set_int(d, "CLEARED", rp->count[CLEARED]);
	return APP_OK;
}

struct flush {
	const struct config *cfg;
	struct alerts       *al;
	int                  failed, complete;
};

static enum app_err
mail(struct db *db, const struct flush *f, struct report *rp)
{
	struct mail_rcpt to = mail_operators(f->cfg);

	if (rp->lost)
		return APP_ENOMEM;
	rp->failed = f->failed;
	return mail_queue(db, f->cfg, "mail_sync_alerts.tpl", &to, 1,
	    report_fill, rp);
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
				report_add(rp, NEW,
				    db_str(res, row, ALERTS_SEEN_MESSAGE));
			else if (db_bool(res, row, ALERTS_SEEN_DUE))
				report_add(rp, STILL,
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
	buf_init(&keys, LIST_MAX);
	e = seen(db, f, &keys, &rp);
	p[0] = buf_cstr(&keys);
	if (e == APP_OK && f->complete &&
	    (res = db_exec(db, STMT_ALERTS_CLEAR, 1, p, &e)) != NULL)
		for (row = 0; row < PQntuples(res); row++)
			report_add(&rp, CLEARED,
			    db_str(res, row, ALERTS_CLEAR_MESSAGE));
	if (e == APP_OK && rp.first != NULL && f->cfg->alerts_to[0] != '\0')
		e = mail(db, f, &rp);
	if (e == APP_OK && rp.first != NULL)
		log_warn("sync_alert", LOG_INT("new", rp.count[NEW]),
		    LOG_INT("still", rp.count[STILL]),
		    LOG_INT("cleared", rp.count[CLEARED]));
	PQclear(res);
	buf_free(&keys);
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
