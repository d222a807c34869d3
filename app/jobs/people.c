/* people.c - the sync's users stage; see people.h. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobs/alerts.h"
#include "jobs/people.h"
#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/climsg.h"
#include "lib/conf.h"
#include "lib/i18n.h"
#include "lib/log.h"
#include "proto/launchpad.h"
#include "rules/pending.h"
#include "rules/provision.h"
#include "rules/snapshot.h"
#include "store/db.h"
#include "store/errlog.h"

#define LIST_MAX ((size_t)64 << 20)

/* What this run learnt of one user's person record. */
struct news {
	enum person_state state;   /* PERSON_UNKNOWN: nothing new */
	int               told;    /* by a team's collection */
	int               missing; /* found neither by name nor identity */
	size_t            q;       /* the look-up, SIZE_MAX: none */
};

/* PostgreSQL array literals of what the stage writes at its end. */
struct writes {
	struct buf sts;            /* their person statuses, or NULL */
	struct buf synced;         /* users the rules ran for */
	struct buf seen, seen_sts; /* answers waiting, once more */
	struct buf forget;         /* answers no longer waiting */
};

struct stage {
	struct people_run *run;
	struct prov       *p;
	PGresult          *res;
	struct prov_user  *u;
	struct news       *news;
	int                n;
	struct lp_query   *q;
	size_t             nq;
	struct lp_batch   *batch;
	struct pending    *pend;
	size_t             npend;
	size_t            *deferred; /* invalidations for the guard */
	size_t             ndeferred;
	long               checked; /* users whose record this run told */
	struct writes      w;
};

static int
is_invalid(enum person_state s)
{
	return s != PERSON_UNKNOWN && s != PERSON_VALID;
}

/* Appends x to a PostgreSQL array literal (its '{' is there). */
static void
array_add(struct buf *b, const char *x)
{
	buf_printf(b, "%s%s", b->len > 1 ? "," : "", x);
}

static void
array_add_id(struct buf *b, long long id)
{
	char s[24];

	snprintf(s, sizeof(s), "%lld", id);
	array_add(b, s);
}

static int
load(struct stage *s)
{
	char              ivl[16];
	const char       *prm[3] = { NULL, s->run->user, ivl };
	enum app_err      e;
	struct prov_user *u;
	int               i;

	snprintf(ivl, sizeof(ivl), "%d", s->p->cfg->person_check_interval);
	if ((s->res = db_exec(s->p->db, STMT_PROV_USERS, 3, prm, &e)) == NULL)
		return -1;
	s->n = PQntuples(s->res);
	if (s->run->user != NULL && s->n == 0) {
		cli_warnx("no user %s (a user exists once they have signed in)",
		    s->run->user);
		return -1;
	}
	s->u = arena_calloc(s->p->a, (size_t)s->n + 1, sizeof(*s->u));
	s->news = arena_calloc(s->p->a, (size_t)s->n + 1, sizeof(*s->news));
	s->q = arena_calloc(s->p->a, (size_t)s->n + 1, sizeof(*s->q));
	s->deferred = arena_calloc(s->p->a, (size_t)s->n + 1, sizeof(size_t));
	if (s->u == NULL || s->news == NULL || s->q == NULL ||
	    s->deferred == NULL)
		return -1;
	for (i = 0; i < s->n; i++) {
		u = &s->u[i];
		u->id = db_ll(s->res, i, PROV_USERS_ID);
		u->name = db_str(s->res, i, PROV_USERS_NAME);
		u->email = db_str(s->res, i, PROV_USERS_EMAIL);
		u->claimed_id = db_str(s->res, i, PROV_USERS_CLAIMED_ID);
		u->banned = db_bool(s->res, i, PROV_USERS_BANNED);
		u->person = person_from_status(
		    db_str(s->res, i, PROV_USERS_PERSON));
		u->first = db_bool(s->res, i, PROV_USERS_UNANNOUNCED);
		u->lang = i18n_tag(db_str(s->res, i, PROV_USERS_LANG));
	}
	return pending_load(s->p->db, s->p->a, &s->pend, &s->npend) == APP_OK ?
	    0 :
	    -1;
}

/* The state an entry of a collection gives, or PERSON_UNKNOWN. */
static enum person_state
entry_state(const struct lp_entry *e)
{
	if (e == NULL || e->coc == -1 || e->team == -1)
		return PERSON_UNKNOWN;
	return person_from_flags(e->team, e->valid, e->coc);
}

/* What the teams fetched this run say of a user (PERSON_UNKNOWN: none). */
static enum person_state
told_by_teams(const struct prov *p, const char *name)
{
	enum person_state st;
	size_t            i;

	if (name[0] == '\0')
		return PERSON_UNKNOWN;
	for (i = 0; i < p->ndomains; i++)
		if ((st = entry_state(snapshot_entry(&p->domains[i].snap,
			 name))) != PERSON_UNKNOWN)
			return st;
	return PERSON_UNKNOWN;
}

/* Whether user i needs a look-up of their own (people.h, step 2). */
static int
lookup_due(const struct stage *s, int i)
{
	const struct prov_user *u = &s->u[i];

	return s->run->user != NULL || u->name[0] == '\0' ||
	    db_bool(s->res, i, PROV_USERS_CHECK_DUE) ||
	    pending_find(s->pend, s->npend, u->id) != NULL ||
	    prov_would_take_off(s->p, u);
}

/* Step 1 for everyone, and the look-ups step 2 needs, started. */
static int
plan_news(struct stage *s)
{
	struct news *nw;
	int          i;

	for (i = 0; i < s->n; i++) {
		nw = &s->news[i];
		nw->q = SIZE_MAX;
		if ((nw->state = told_by_teams(s->p, s->u[i].name)) !=
		    PERSON_UNKNOWN)
			nw->told = 1;
		else if (lookup_due(s, i)) {
			nw->q = s->nq;
			s->q[s->nq].name = s->u[i].name[0] != '\0' ?
			    s->u[i].name :
			    NULL;
			s->q[s->nq++].claimed_id = s->u[i].claimed_id;
		}
	}
	if (s->run->progress)
		fprintf(stderr, "sync: %zu people to look up\n", s->nq);
	if (s->nq > 0 &&
	    (s->batch = lp_batch_new(s->run->lp, s->q, s->nq,
		 s->p->cfg->launchpad_concurrency)) == NULL)
		return -1;
	return 0;
}

/* A look-up's answer: the state, a rename, a person found nowhere. */
static int
answer(struct stage *s, int i, const struct lp_query *q)
{
	struct prov_user *u = &s->u[i];
	struct news      *nw = &s->news[i];
	const char       *name;

	if (q->outcome == LP_UNAVAILABLE)
		s->run->unavailable = 1;
	else if (q->outcome == LP_BAD_DATA) {
		/* The operators' mail says what; the log, what was wrong. */
		log_warn("person_bad_data", LOG_INT("user", u->id),
		    LOG_STR("why", q->why));
		prov_fail(s->p, arena_printf(s->p->a, "bad-person:%lld", u->id),
		    N_("Launchpad sent bad data for ~%s"),
		    u->name[0] != '\0' ? u->name : u->claimed_id);
	} else if (q->outcome == LP_NOT_FOUND) {
		nw->missing = 1;
		nw->state = PERSON_NOT_FOUND;
	} else if (q->by_identity) {
		name = q->person.name;
		nw->state = person_from_lp(q->outcome, &q->person, name);
		if (strcmp(name, u->name) != 0) {
			if (prov_rename(s->p, u, name) != APP_OK)
				return -1;
			if ((u->name = arena_strdup(s->p->a, name)) == NULL)
				return -1;
		}
	} else
		nw->state = person_from_lp(q->outcome, &q->person, u->name);
	return 0;
}

/* Waits for user i's look-up, if any. */
static int
wait_news(struct stage *s, int i)
{
	struct lp_query *q;
	int              st = 0;

	if (s->news[i].q == SIZE_MAX)
		return 0;
	q = &s->q[s->news[i].q];
	while (!q->done && (st = lp_batch_step(s->batch, 200)) == 0)
		continue;
	if (st == -1 || !q->done) {
		cli_warnx("Launchpad client failure: %s", q->why);
		return -1;
	}
	return answer(s, i, q);
}

/* The rules for user i with what they are now; what is written after. */
static void
apply(struct stage *s, int i, enum person_state st)
{
	struct prov_user *u = &s->u[i];
	struct news      *nw = &s->news[i];
	int               write = st != PERSON_UNKNOWN &&
	    (st != u->person || nw->q != SIZE_MAX ||
		db_bool(s->res, i, PROV_USERS_CHECK_DUE));

	if (st != PERSON_UNKNOWN && pending_find(s->pend, s->npend, u->id))
		array_add_id(&s->w.forget, u->id);
	if (st != PERSON_UNKNOWN)
		u->person = st;
	if (u->person == PERSON_UNKNOWN && !u->banned) {
		s->p->st.users++;
		s->p->st.unchanged++;
		return;
	}
	prov_user(s->p, u);
	/* One write per user: synced, and the status when it is news. */
	array_add_id(&s->w.synced, u->id);
	array_add(&s->w.sts, write ? person_status_name(st) : "NULL");
}

/* An answer held back: nothing changes for user i but a ban. */
static void
hold(struct stage *s, int i, enum person_state st)
{
	struct prov_user *u = &s->u[i];

	array_add_id(&s->w.seen, u->id);
	array_add(&s->w.seen_sts, person_status_name(st));
	if (u->banned) {
		u->person = PERSON_UNKNOWN;
		prov_user(s->p, u);
	} else {
		s->p->st.users++;
		s->p->st.unchanged++;
	}
}

/* Records a person found nowhere (no run error: it may be a rename). */
static void
record_missing(struct stage *s, const struct prov_user *u)
{
	struct errlog_who w = { u->id, u->name, u->claimed_id, 0, NULL };

	log_warn("person_missing", LOG_INT("user", u->id),
	    LOG_STR("name", u->name));
	if (!s->p->dry_run)
		(void)errlog_record(s->p->db, &w,
		    "person.not-found-unconfirmed",
		    "Launchpad finds this person neither under their name nor "
		    "by their Ubuntu One identity; nothing changes for them "
		    "until that is confirmed");
}

/* What user i's news means (people.h); deferred ones wait for the guard. */
static void
decide(struct stage *s, int i)
{
	struct prov_user     *u = &s->u[i];
	struct news          *nw = &s->news[i];
	const struct pending *pd = pending_find(s->pend, s->npend, u->id);
	int sure = pd != NULL && pending_confirmed(s->p->cfg, pd);

	if (nw->state != PERSON_UNKNOWN)
		s->checked++;
	if (nw->missing && !sure && u->person != PERSON_NOT_FOUND) {
		record_missing(s, u);
		hold(s, i, nw->state);
	} else if (is_invalid(nw->state) && u->person == PERSON_VALID && !sure)
		s->deferred[s->ndeferred++] = (size_t)i;
	else
		apply(s, i, nw->state);
}

/* The invalidation guard over the deferred users (pending.h). */
static void
guard(struct stage *s)
{
	size_t k;
	int    holds;

	holds = pending_guard_holds(s->p->cfg, s->checked, (long)s->ndeferred);
	if (holds) {
		log_warn("invalidations_held", LOG_UINT("users", s->ndeferred),
		    LOG_INT("checked", s->checked));
		(void)alerts_add(s->run->alerts, "invalidations-held",
		    tr(alerts_lang(s->run->alerts),
			"%1$zu of the %2$ld users checked would have become "
			"invalid in one run: held until Launchpad says so for "
			"long enough, or an operator accepts it"),
		    s->ndeferred, s->checked);
	}
	for (k = 0; k < s->ndeferred; k++)
		if (holds)
			hold(s, (int)s->deferred[k],
			    s->news[s->deferred[k]].state);
		else
			apply(s, (int)s->deferred[k],
			    s->news[s->deferred[k]].state);
}

static void
writes_init(struct writes *w)
{
	struct buf *all[] = { &w->sts, &w->synced, &w->seen, &w->seen_sts,
		&w->forget };
	size_t      i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		buf_init(all[i], LIST_MAX);
		buf_putc(all[i], '{');
	}
}

static void
writes_free(struct writes *w)
{
	struct buf *all[] = { &w->sts, &w->synced, &w->seen, &w->seen_sts,
		&w->forget };
	size_t      i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		buf_free(all[i]);
}

/* Runs a statement of one or two array literals (closed here). */
static int
write_arrays(struct stage *s, enum stmt st, struct buf *a, struct buf *b)
{
	const char  *prm[2];
	PGresult    *res;
	enum app_err e;

	buf_putc(a, '}');
	if (b != NULL)
		buf_putc(b, '}');
	if (a->failed || (b != NULL && b->failed))
		return -1;
	prm[0] = buf_cstr(a);
	prm[1] = b != NULL ? buf_cstr(b) : NULL;
	if (s->p->dry_run || a->len <= 2)
		return 0;
	if ((res = db_exec(s->p->db, st, b != NULL ? 2 : 1, prm, &e)) == NULL)
		return -1;
	PQclear(res);
	return 0;
}

static int
write_all(struct stage *s)
{
	return write_arrays(s, STMT_PROV_SYNC_WRITE, &s->w.synced, &s->w.sts) ==
		    0 &&
		write_arrays(s, STMT_PENDING_SEEN, &s->w.seen,
		    &s->w.seen_sts) == 0 &&
		write_arrays(s, STMT_PENDING_FORGET, &s->w.forget, NULL) == 0 ?
	    0 :
	    -1;
}

static int
each_user(struct stage *s)
{
	int i;

	for (i = 0; i < s->n; i++) {
		if (s->run->progress && (i % 250 == 0 || i == s->n - 1))
			fprintf(stderr, "\rsync: user %d of %d", i + 1, s->n);
		if (wait_news(s, i) == -1)
			return -1;
		if (s->batch != NULL && lp_batch_step(s->batch, 0) == -1)
			return -1;
		decide(s, i);
	}
	if (s->run->progress && s->n > 0)
		fputc('\n', stderr);
	return 0;
}

int
people_sync(struct people_run *run)
{
	struct stage s;
	int          rc = -1;

	memset(&s, 0, sizeof(s));
	s.run = run;
	s.p = run->p;
	writes_init(&s.w);
	if (load(&s) == 0 &&
	    prov_load_state(s.p, run->user != NULL ? s.u[0].id : 0,
		run->user != NULL ? s.u[0].name : NULL) == APP_OK &&
	    (s.p->dry_run || prov_bulk_start(s.p) == APP_OK) &&
	    plan_news(&s) == 0 && each_user(&s) == 0) {
		guard(&s);
		prov_flush(s.p);
		rc = write_all(&s);
	}
	lp_batch_free(s.batch);
	writes_free(&s.w);
	prov_free(s.p);
	PQclear(s.res);
	return rc;
}
