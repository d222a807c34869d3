/* sync.c - membermail sync; see sync.h. */
#include "config.h"

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "cli/cli_admin.h"
#include "jobs/cleanup.h"
#include "jobs/sync.h"
#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/climsg.h"
#include "lib/conf.h"
#include "lib/log.h"
#include "proto/launchpad.h"
#include "rules/notify.h"
#include "rules/provision.h"
#include "rules/snapshot.h"
#include "store/db.h"
#include "store/rawdb.h"
#include "views/view.h"

#define EXIT_USAGE    2
#define EXIT_LOCKED   3
#define EXIT_TEMPFAIL 75 /* sysexits.h EX_TEMPFAIL */
#define ARENA_MAX     ((size_t)1 << 30)
#define LIST_MAX      ((size_t)64 << 20)

struct opts {
	const char *cfgpath, *user, *accept;
	int         dry_run;
};

struct run {
	struct prov       p;
	struct lp_client *lp;
	struct opts      *o;
	PGresult         *users;
	struct prov_user *u; /* one per row of users */
	int               teams;
	int               unavailable; /* Launchpad was, somewhere */
	int               progress;    /* stderr is a terminal */
	struct timespec   t0;
};

static double
elapsed(const struct run *r)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - r->t0.tv_sec) +
	    (double)(t.tv_nsec - r->t0.tv_nsec) / 1e9;
}

/* Logs how long the run has taken so far; 0, to chain. */
static int
stage(const struct run *r, const char *done)
{
	log_info("event=sync_stage done=%s seconds=%.2f", done, elapsed(r));
	return 0;
}

static int
is_true(const PGresult *res, int row, int col)
{
	return strcmp(PQgetvalue(res, row, col), "t") == 0;
}

/* 1 if the lock is ours, 0 if another sync holds it, -1 on error. */
static int
lock(struct db *db)
{
	PGresult    *res;
	enum app_err e;
	int          got;

	if ((res = db_exec(db, STMT_SYNC_LOCK, 0, NULL, &e)) == NULL)
		return -1;
	got = is_true(res, 0, 0);
	PQclear(res);
	return got;
}

/* Step 1: every team once; domains of one team share its snapshot. */
static int
fetch_teams(struct run *r)
{
	struct prov_domain *d;
	struct snapshot    *s;
	size_t              i, k;

	for (i = 0; i < r->p.ndomains; i++) {
		d = &r->p.domains[i];
		for (k = 0; k < i && strcmp(r->p.domains[k].team, d->team) != 0;
		     k++)
			continue;
		if (k < i) {
			d->snap = r->p.domains[k].snap;
			d->usable = r->p.domains[k].usable;
			d->removals = r->p.domains[k].removals;
			continue;
		}
		r->teams++;
		if (r->progress)
			fprintf(stderr, "sync: fetching ~%s\n", d->team);
		s = &d->snap;
		if (snapshot_fetch(r->p.db, r->p.cfg, r->lp, r->p.a, d->team,
			!r->o->dry_run, s) != APP_OK)
			return -1;
		d->removals = s->complete && !s->held;
		if (!s->complete) {
			if (s->outcome == LP_UNAVAILABLE)
				r->unavailable = 1;
			else
				r->p.st.errors++;
			cli_warnx("~%s: %s (%s): no removals for it this run",
			    d->team, lp_outcome_name(s->outcome), s->error);
			/* An older complete one still serves additions. */
			if (snapshot_latest(r->p.db, d->team, 0, s) != APP_OK)
				return -1;
		}
		d->usable = s->complete;
	}
	return 0;
}

static int
load_users(struct run *r)
{
	char              ivl[16];
	const char       *prm[3] = { NULL, r->o->user, ivl };
	enum app_err      e;
	struct prov_user *u;
	int               i, n;

	snprintf(ivl, sizeof(ivl), "%d", r->p.cfg->person_check_interval);
	if ((r->users = db_exec(r->p.db, STMT_PROV_USERS, 3, prm, &e)) == NULL)
		return -1;
	n = PQntuples(r->users);
	if (r->o->user != NULL && n == 0) {
		cli_warnx("no user %s (a user exists once they have signed in)",
		    r->o->user);
		return -1;
	}
	if ((r->u = arena_calloc(r->p.a, (size_t)n + 1, sizeof(*r->u))) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		u = &r->u[i];
		u->id = strtoll(PQgetvalue(r->users, i, 0), NULL, 10);
		u->name = PQgetvalue(r->users, i, 1);
		u->email = PQgetvalue(r->users, i, 2);
		u->claimed_id = PQgetvalue(r->users, i, 3);
		u->banned = is_true(r->users, i, 4);
		u->person = person_from_status(PQgetvalue(r->users, i, 5));
		/* "~name signed in" is the sign-in's to send (u->first 0). */
	}
	return 0;
}

/* Appends "x" to a PostgreSQL array literal being built in b. */
static void
array_add(struct buf *b, const char *x)
{
	buf_printf(b, "%s%s", b->len > 1 ? "," : "", x);
}

/* Runs a statement taking one PostgreSQL array literal or two. */
static int
bulk(struct run *r, enum stmt st, struct buf *a, struct buf *b)
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
	if (r->o->dry_run || a->len <= 2)
		return 0;
	if ((res = db_exec(r->p.db, st, b != NULL ? 2 : 1, prm, &e)) == NULL)
		return -1;
	PQclear(res);
	return 0;
}

/* The person record of user u, once its lookup is in; 0, -1 if broken. */
static int
person_in(struct run *r, struct lp_batch *b, struct lp_query *q,
    struct prov_user *u, struct buf *ids, struct buf *sts)
{
	char id[24];
	int  st = 0;

	while (!q->done && (st = lp_batch_step(b, 200)) == 0)
		continue;
	if (st == -1 || !q->done) {
		cli_warnx("Launchpad client failure: %s", q->why);
		return -1;
	}
	u->person = person_from_lp(q->outcome, &q->person, q->name);
	if (q->outcome == LP_UNAVAILABLE)
		r->unavailable = 1;
	else if (q->outcome == LP_BAD_DATA)
		r->p.st.errors++;
	if (u->person != PERSON_UNKNOWN) {
		snprintf(id, sizeof(id), "%lld", u->id);
		array_add(ids, id);
		array_add(sts, person_status_name(u->person));
	}
	return 0;
}

/*
 * Steps 2 and 3 together: the person records due are looked up in one
 * batch, and while they are in flight the rules run, in user order, for
 * each user whose record is in (the network waits overlap the database
 * writes).  Then the outcomes, and synced_at of everyone whose person
 * state was known, are stored in bulk.
 */
static int
run_users(struct run *r)
{
	struct lp_batch *b = NULL;
	struct lp_query *q;
	struct buf       ids, sts, synced;
	size_t          *qi, nq = 0;
	char             id[24];
	int              i, n = PQntuples(r->users), rc = -1;

	if (prov_load_state(&r->p, r->o->user != NULL ? r->u[0].id : 0,
		r->o->user != NULL ? r->u[0].name : NULL) != APP_OK)
		return -1;
	q = arena_calloc(r->p.a, (size_t)n + 1, sizeof(*q));
	qi = arena_calloc(r->p.a, (size_t)n + 1, sizeof(*qi));
	if (q == NULL || qi == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		qi[i] = SIZE_MAX; /* not due */
		if (r->o->user != NULL || is_true(r->users, i, 6)) {
			qi[i] = nq;
			q[nq++].name = r->u[i].name;
		}
	}
	if (r->progress)
		fprintf(stderr, "sync: checking %zu people\n", nq);
	if (nq > 0 &&
	    (b = lp_batch_new(r->lp, q, nq, r->p.cfg->launchpad_concurrency)) ==
		NULL)
		return -1;
	buf_init(&ids, LIST_MAX);
	buf_init(&sts, LIST_MAX);
	buf_init(&synced, LIST_MAX);
	buf_putc(&ids, '{');
	buf_putc(&sts, '{');
	buf_putc(&synced, '{');
	for (i = 0; i < n; i++) {
		if (r->progress && (i % 250 == 0 || i == n - 1))
			fprintf(stderr, "\rsync: user %d of %d", i + 1, n);
		if (qi[i] != SIZE_MAX &&
		    person_in(r, b, &q[qi[i]], &r->u[i], &ids, &sts) == -1)
			goto done;
		if (b != NULL && lp_batch_step(b, 0) == -1)
			goto done;
		if (r->u[i].person == PERSON_UNKNOWN && !r->u[i].banned) {
			r->p.st.users++;
			r->p.st.unchanged++;
			continue;
		}
		prov_user(&r->p, &r->u[i]);
		snprintf(id, sizeof(id), "%lld", r->u[i].id);
		array_add(&synced, id);
	}
	if (r->progress && n > 0)
		fputc('\n', stderr);
	rc = bulk(r, STMT_PROV_PERSONS, &ids, &sts) == 0 &&
		bulk(r, STMT_PROV_SYNCED, &synced, NULL) == 0 ?
	    0 :
	    -1;
done:
	lp_batch_free(b);
	buf_free(&ids);
	buf_free(&sts);
	buf_free(&synced);
	prov_free(&r->p);
	return rc;
}

/* Step 4: old snapshots here, expired rows through cleanup's sweep. */
static int
sweep(struct run *r)
{
	PGconn *c;
	size_t  i;
	int     rc;

	for (i = 0; i < r->p.ndomains; i++)
		if (snapshot_sweep(r->p.db, r->p.domains[i].team) != APP_OK)
			return -1;
	if ((c = rawdb_connect(r->p.cfg->database, "sync",
		 "-c client_min_messages=warning")) == NULL)
		return -1;
	rc = cleanup_sweep(c) == 0 ? 0 : -1;
	PQfinish(c);
	cli_name("sync");
	return rc;
}

/* Step 5: a failed run mails the operators. */
static void
alert(struct run *r)
{
	struct view_dict *d;
	const char       *to[1] = { r->p.cfg->alerts_to };

	if (r->o->dry_run || r->p.cfg->alerts_to[0] == '\0' ||
	    (d = view_dict_new()) == NULL)
		return;
	view_set_int(d, "ERRORS", r->p.st.errors);
	view_set_int(d, "USERS", r->p.st.users);
	view_set_int(d, "TEAMS", r->teams);
	(void)mail_queue(r->p.db, r->p.cfg, "mail_sync_failed.tpl", to, 1, NULL,
	    0, d);
	view_dict_free(d);
}

/* synchronous_commit off for this session: see sync.h. */
static int
async_commit(struct db *db)
{
	PGresult    *res;
	enum app_err e;

	if ((res = db_exec(db, STMT_SYNC_ASYNC_COMMIT, 0, NULL, &e)) == NULL)
		return -1;
	PQclear(res);
	return 0;
}

static int
accept_shrink(struct db *db, const char *team)
{
	char by[256];
	long total;
	int  found;

	admin_actor(by, sizeof(by));
	if (snapshot_accept(db, team, by, &found, &total) != APP_OK) {
		cli_warnx("database error: nothing accepted");
		return 1;
	}
	if (!found) {
		cli_warnx("~%s has no held snapshot: nothing to accept", team);
		return 1;
	}
	printf("sync: accepted the snapshot of ~%s (%ld members); removals "
	       "resume at the next sync\n",
	    team, total);
	return 0;
}

static int
sync_run(struct run *r)
{
	struct prov      *p = &r->p;
	struct lp_options lo;
	int               failed;

	memset(&lo, 0, sizeof(lo));
	lo.base = p->cfg->launchpad_api;
	lo.timeout_sec = p->cfg->launchpad_timeout;
	lo.max_retries = p->cfg->launchpad_retries;
	lo.page_size = p->cfg->launchpad_page_size;
	if ((r->lp = lp_client_new(&lo)) == NULL) {
		cli_warnx("cannot make a Launchpad client for %s",
		    p->cfg->launchpad_api);
		return 1;
	}
	failed = prov_load_domains(p) != APP_OK || fetch_teams(r) == -1 ||
	    stage(r, "teams") || load_users(r) == -1 || run_users(r) == -1 ||
	    stage(r, "users") || (!r->o->dry_run && sweep(r) == -1);
	if (failed)
		p->st.errors++;
	if (p->st.errors > 0)
		alert(r);
	printf("sync: teams %d, users %ld, created %ld, disabled %ld, removed "
	       "%ld, unchanged %ld, errors %ld, seconds %.1f\n",
	    r->teams, p->st.users, p->st.created + p->st.enabled,
	    p->st.disabled, p->st.removed, p->st.unchanged, p->st.errors,
	    elapsed(r));
	lp_client_free(r->lp);
	PQclear(r->users);
	if (r->unavailable)
		return EXIT_TEMPFAIL;
	return p->st.errors > 0 ? 1 : 0;
}

static int
run_locked(const struct config *cfg, struct opts *o)
{
	struct run r;
	struct db *db;
	int        rc = 1, got;

	memset(&r, 0, sizeof(r));
	clock_gettime(CLOCK_MONOTONIC, &r.t0);
	if ((db = db_new(cfg, "membermail sync")) == NULL)
		return 1;
	if (db_connect(db) != APP_OK)
		cli_warnx("database: %s", db_reason(db));
	else if ((got = lock(db)) == 0) {
		cli_warnx("another sync is running");
		rc = EXIT_LOCKED;
	} else if (got == 1 && o->accept != NULL)
		rc = accept_shrink(db, o->accept);
	else if (got == 1 && (o->dry_run || async_commit(db) == 0)) {
		r.p.db = db;
		r.p.cfg = cfg;
		r.p.dry_run = o->dry_run;
		r.p.plan_out = stdout;
		r.o = o;
		r.progress = isatty(STDERR_FILENO);
		if ((r.p.a = arena_new(ARENA_MAX)) != NULL)
			rc = sync_run(&r);
		arena_free(r.p.a);
	}
	db_free(db); /* closing the session releases the lock */
	return rc;
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: membermail sync [-c FILE] [--user NAME] "
	    "[--dry-run]\n"
	    "       membermail sync [-c FILE] --accept-shrink TEAM\n"
	    "Syncs aliases with Launchpad team membership; exit 0 ok, 1 "
	    "errors,\n3 another sync is running, 75 Launchpad unavailable.\n");
}

static int
parse(int argc, char *argv[], struct opts *o)
{
	static const struct option longopts[] = { { "help", no_argument, NULL,
						      'h' },
		{ "user", required_argument, NULL, 'u' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "accept-shrink", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 } };
	int                        ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1)
		switch (ch) {
		case 'c':
			o->cfgpath = optarg;
			break;
		case 'u':
			o->user = optarg;
			break;
		case 'n':
			o->dry_run = 1;
			break;
		case 'a':
			o->accept = optarg[0] == '~' ? optarg + 1 : optarg;
			break;
		case 'h':
			return 1;
		default:
			return -1;
		}
	if (optind != argc ||
	    (o->accept != NULL && (o->user != NULL || o->dry_run)) ||
	    (o->user != NULL && !lp_name_valid(o->user)) ||
	    (o->accept != NULL && !lp_name_valid(o->accept)))
		return -1;
	return 0;
}

int
sync_main(int argc, char *argv[])
{
	struct config cfg;
	struct opts   o;
	char          err[1024];
	int           rc;

	cli_name("sync");
	memset(&o, 0, sizeof(o));
	if ((rc = parse(argc, argv, &o)) != 0) {
		usage(rc == 1 ? stdout : stderr);
		return rc == 1 ? 0 : EXIT_USAGE;
	}
	if (cli_config(&cfg, o.cfgpath) == -1)
		return 1;
	log_set_level(cfg.log_level);
	if (view_init(cfg.templates_dir, err, sizeof(err)) == -1) {
		cli_warnx("templates: %s", err);
		return 1;
	}
	return run_locked(&cfg, &o);
}
