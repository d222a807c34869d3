/* snapshot.c - Launchpad team snapshots and the shrink guard; see snapshot.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/conf.h"
#include "lib/i18n.h"
#include "lib/log.h"
#include "rules/notify.h"
#include "rules/snapshot.h"
#include "store/audit.h"
#include "store/db.h"
#include "views/view.h"

#define NAMES_MAX (64 * 1024 * 1024) /* the names of one snapshot */

/* What one storing transaction needs. */
struct store {
	const struct config *cfg;
	const char          *team;
	struct snapshot     *s;
	long                 trusted; /* total; -1: none */
	int                  alert;   /* a hold begins */
};

/* The new snapshot's id (0: none), the result released. */
static long long
first_id(PGresult *res)
{
	long long id = PQntuples(res) == 1 ? db_ll(res, 0, SNAP_INSERT_ID) : 0;

	PQclear(res);
	return id;
}

/* The members as one ' '-separated text (names have no spaces). */
static int
join_names(const struct snapshot *s, struct buf *b)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		if (i > 0)
			buf_putc(b, ' ');
		buf_puts(b, s->names[i]);
	}
	return b->failed ? -1 : 0;
}

/* The shrink mail's values (mail_fill_fn), the counts in its language. */
static enum app_err
held_fill(struct view_dict *d, const void *arg)
{
	const struct store *st = arg;
	char                n[32];

	view_set(d, "TEAM", st->team);
	view_set(d, "TOTAL",
	    i18n_number(view_lang(d), (long long)st->s->n, n, sizeof(n)));
	view_set(d, "TRUSTED",
	    i18n_number(view_lang(d), st->trusted, n, sizeof(n)));
	view_set_int(d, "THRESHOLD", st->cfg->shrink_threshold);
	return APP_OK;
}

static enum app_err
hold_begins(struct db *db, struct store *st)
{
	struct actor       a = { ACTOR_SYNC, 0, NULL, 0, NULL };
	struct audit_event ev;
	struct mail_rcpt   to = mail_operators(st->cfg);
	char               after[128], label[300];
	enum app_err       e;

	snprintf(after, sizeof(after), "{\"total\": %zu, \"trusted\": %ld}",
	    st->s->n, st->trusted);
	snprintf(label, sizeof(label), "~%s", st->team);
	memset(&ev, 0, sizeof(ev));
	ev.action = "team_snapshot.hold";
	ev.target_type = "team_snapshot";
	ev.target_id = st->s->id;
	ev.target_label = label;
	ev.after = after;
	if ((e = audit_write(db, &a, &ev)) != APP_OK ||
	    st->cfg->alerts_to[0] == '\0')
		return e;
	return mail_queue(db, st->cfg, "mail_shrink_held.tpl", &to, 1,
	    held_fill, st);
}

static enum app_err
store_tx(struct db *db, void *arg)
{
	struct store    *st = arg;
	struct snapshot *s = st->s;
	struct buf       names;
	char             total[24], id[24];
	const char      *p[5];
	PGresult        *res;
	enum app_err     e;

	snprintf(total, sizeof(total), "%zu", s->n);
	p[0] = st->team;
	p[1] = total;
	p[2] = s->complete ? "true" : "false";
	p[3] = s->complete ? NULL : s->error;
	p[4] = s->held ? "true" : "false";
	if ((res = db_exec(db, STMT_SNAP_INSERT, 5, p, &e)) == NULL)
		return e;
	if ((s->id = first_id(res)) == 0)
		return APP_EINTERNAL;
	if (s->n > 0) {
		buf_init(&names, NAMES_MAX);
		snprintf(id, sizeof(id), "%lld", s->id);
		p[0] = id;
		p[1] = join_names(s, &names) == 0 ? buf_cstr(&names) : NULL;
		res = p[1] != NULL ? db_exec(db, STMT_SNAP_MEMBERS, 2, p, &e) :
				     NULL;
		buf_free(&names);
		if (res == NULL)
			return p[1] == NULL ? APP_ENOMEM : e;
		PQclear(res);
	}
	return st->alert ? hold_begins(db, st) : APP_OK;
}

/* The last trusted total (-1: none) and whether a hold is already open. */
static enum app_err
trusted(struct db *db, const char *team, long *total, int *open)
{
	const char  *p[1] = { team };
	PGresult    *res;
	enum app_err e;

	if ((res = db_exec(db, STMT_SNAP_TRUSTED, 1, p, &e)) == NULL)
		return e;
	*total = db_null(res, 0, SNAP_TRUSTED_TOTAL) ?
	    -1 :
	    (long)db_ll(res, 0, SNAP_TRUSTED_TOTAL);
	*open = db_bool(res, 0, SNAP_TRUSTED_HELD);
	PQclear(res);
	return APP_OK;
}

int
snapshot_shrink_held(long trusted, size_t n, int threshold, int min_count)
{
	long long lost = (long long)trusted - (long long)n;

	/* (t - n) / t > x %, and t - n > min_count */
	return trusted > 0 && lost * 100 > (long long)trusted * threshold &&
	    lost > min_count;
}

/* The members: the names of the valid participants (entries are sorted). */
static int
members_of(struct arena *a, struct snapshot *s)
{
	size_t i;

	if ((s->names = arena_calloc(a, s->nentries + 1, sizeof(*s->names))) ==
	    NULL)
		return -1;
	for (i = 0; i < s->nentries; i++)
		if (s->entries[i].valid)
			s->names[s->n++] = s->entries[i].name;
	return 0;
}

static int
cmp_entry_name(const void *key, const void *elem)
{
	return strcmp(key, ((const struct lp_entry *)elem)->name);
}

const struct lp_entry *
snapshot_entry(const struct snapshot *s, const char *name)
{
	if (s->entries == NULL || name == NULL)
		return NULL;
	return bsearch(name, s->entries, s->nentries, sizeof(*s->entries),
	    cmp_entry_name);
}

/* The shrink guard over what out holds, then (if store) the row. */
static enum app_err
keep(struct db *db, const struct config *cfg, struct arena *a, const char *team,
    int store, struct snapshot *out)
{
	struct store st;
	enum app_err e;
	int          open = 0;

	if ((out->complete = out->outcome == LP_OK) && members_of(a, out) == -1)
		return APP_ENOMEM;
	memset(&st, 0, sizeof(st));
	st.cfg = cfg;
	st.team = team;
	st.s = out;
	st.trusted = -1;
	if (out->complete) {
		if ((e = trusted(db, team, &st.trusted, &open)) != APP_OK)
			return e;
		out->held = snapshot_shrink_held(st.trusted, out->n,
		    cfg->shrink_threshold, cfg->shrink_min_count);
		st.alert = out->held && !open;
	}
	if (out->held)
		log_warn("snapshot_held", LOG_WORD("team", team),
		    LOG_UINT("total", out->n), LOG_INT("trusted", st.trusted),
		    LOG_INT("threshold", cfg->shrink_threshold));
	if (!store)
		return APP_OK;
	return db_tx(db, store_tx, &st);
}

enum app_err
snapshot_fetch(struct db *db, const struct config *cfg, struct lp_client *lp,
    struct arena *a, const char *team, int store, struct snapshot *out)
{
	memset(out, 0, sizeof(*out));
	out->outcome = lp_participants(lp, a, team, &out->entries,
	    &out->nentries, out->error, sizeof(out->error));
	return keep(db, cfg, a, team, store, out);
}

enum app_err
snapshot_fetch_all(struct db *db, const struct config *cfg,
    struct lp_client *lp, struct arena *a, const char *const *teams, size_t n,
    int store, struct snapshot *out)
{
	struct lp_team *t;
	enum app_err    e = APP_OK;
	size_t          i;

	if ((t = arena_calloc(a, n + 1, sizeof(*t))) == NULL)
		return APP_ENOMEM;
	for (i = 0; i < n; i++)
		t[i].team = teams[i];
	(void)lp_participants_all(lp, a, t, n); /* each team says how it went */
	for (i = 0; e == APP_OK && i < n; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		out[i].outcome = t[i].outcome;
		out[i].entries = t[i].entries;
		out[i].nentries = t[i].n;
		snprintf(out[i].error, sizeof(out[i].error), "%s", t[i].why);
		e = keep(db, cfg, a, teams[i], store, &out[i]);
	}
	return e;
}

enum app_err
snapshot_latest(struct db *db, const char *team, long max_age,
    struct snapshot *out)
{
	const char  *p[1] = { team };
	PGresult    *res;
	enum app_err e;

	memset(out, 0, sizeof(*out));
	if ((res = db_exec(db, STMT_SNAP_LATEST, 1, p, &e)) == NULL)
		return e;
	if (PQntuples(res) == 1) {
		out->age = (long)db_ll(res, 0, SNAP_LATEST_AGE);
		if (max_age <= 0 || out->age <= max_age) {
			out->id = db_ll(res, 0, SNAP_LATEST_ID);
			out->held = db_bool(res, 0, SNAP_LATEST_HELD);
			out->complete = 1;
		}
	}
	PQclear(res);
	return APP_OK;
}

static int
cmp_name(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

enum app_err
snapshot_has(struct db *db, const struct snapshot *s, const char *name,
    int *yes)
{
	char         id[24], lname[LP_NAME_MAX + 1];
	const char  *p[2] = { id, name };
	PGresult    *res;
	enum app_err e;
	size_t       i;

	*yes = 0;
	if (s->names != NULL || s->id == 0) {
		for (i = 0; i < LP_NAME_MAX && name[i] != '\0'; i++)
			lname[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ?
				name[i] - 'A' + 'a' :
				name[i]);
		lname[i] = '\0';
		*yes = s->names != NULL &&
		    bsearch(lname, s->names, s->n, sizeof(*s->names),
			cmp_name) != NULL;
		return APP_OK;
	}
	snprintf(id, sizeof(id), "%lld", s->id);
	if ((res = db_exec(db, STMT_SNAP_HAS, 2, p, &e)) == NULL)
		return e;
	*yes = PQntuples(res) == 1;
	PQclear(res);
	return APP_OK;
}

struct accept {
	const char *team, *by;
	int        *found;
	long       *total;
};

static enum app_err
accept_tx(struct db *db, void *arg)
{
	struct accept     *ac = arg;
	struct actor       a = { ACTOR_CLI, 0, ac->by, 0, NULL };
	struct audit_event ev;
	const char        *p[2] = { ac->team, ac->by };
	char               label[300], after[64];
	PGresult          *res;
	enum app_err       e;

	if ((res = db_exec(db, STMT_SNAP_ACCEPT, 2, p, &e)) == NULL)
		return e;
	if ((*ac->found = PQntuples(res) == 1) == 0) {
		PQclear(res);
		return APP_OK;
	}
	*ac->total = (long)db_ll(res, 0, SNAP_ACCEPT_TOTAL);
	memset(&ev, 0, sizeof(ev));
	ev.target_id = db_ll(res, 0, SNAP_ACCEPT_ID);
	PQclear(res);
	snprintf(label, sizeof(label), "~%s", ac->team);
	snprintf(after, sizeof(after), "{\"total\": %ld}", *ac->total);
	ev.action = "team_snapshot.accept";
	ev.target_type = "team_snapshot";
	ev.target_label = label;
	ev.after = after;
	return audit_write(db, &a, &ev);
}

enum app_err
snapshot_accept(struct db *db, const char *team, const char *by, int *found,
    long *total)
{
	struct accept ac = { team, by, found, total };

	*found = 0;
	*total = 0;
	return db_tx(db, accept_tx, &ac);
}

enum app_err
snapshot_sweep(struct db *db, const char *team)
{
	const char  *p[1] = { team };
	PGresult    *res;
	enum app_err e;

	if ((res = db_exec(db, STMT_SNAP_SWEEP, 1, p, &e)) == NULL)
		return e;
	PQclear(res);
	return APP_OK;
}
