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
#include "jobs/alerts.h"
#include "jobs/cleanup.h"
#include "jobs/people.h"
#include "jobs/sync.h"
#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/climsg.h"
#include "lib/conf.h"
#include "lib/i18n.h"
#include "lib/log.h"
#include "proto/launchpad.h"
#include "rules/notify.h"
#include "rules/pending.h"
#include "rules/provision.h"
#include "rules/snapshot.h"
#include "store/db.h"
#include "views/view.h"

#define EXIT_USAGE    2
#define EXIT_LOCKED   3
#define EXIT_TEMPFAIL 75 /* sysexits.h EX_TEMPFAIL */
#define ARENA_MAX     ((size_t)1 << 30)

struct opts {
	const char *cfgpath, *user, *accept;
	int         dry_run, accept_invalid;
};

struct run {
	struct prov       p;
	struct lp_client *lp;
	struct opts      *o;
	struct alerts    *alerts;
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
	log_info("sync_stage", LOG_WORD("done", done),
	    LOG_MS("seconds", elapsed(r)));
	return 0;
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
	got = db_bool(res, 0, SYNC_LOCK_GOT);
	PQclear(res);
	return got;
}

static void
fail_cause(void *arg, const char *cause, const char *message)
{
	if (alerts_add(arg, cause, "%s", message) == -1)
		log_error("sync_alerts_full", LOG_STR("cause", cause));
}

static const char *
team_cause(struct run *r, const struct prov_domain *d)
{
	return arena_printf(r->p.a, "team:%s", d->team);
}

/* What a team's fetch means for its domains; -1 if the database failed. */
static int
team_fetched(struct run *r, struct prov_domain *d)
{
	struct snapshot *s = &d->snap;

	d->removals = s->complete && !s->held;
	if (!s->complete) {
		if (s->outcome == LP_UNAVAILABLE)
			r->unavailable = 1;
		else if (s->outcome == LP_NOT_FOUND)
			prov_fail(&r->p, team_cause(r, d),
			    N_("Launchpad did not find the team ~%s: no "
			       "removals for it this run"),
			    d->team);
		else /* what was wrong is in the warning below */
			prov_fail(&r->p, team_cause(r, d),
			    N_("Launchpad sent bad data for the team ~%s: no "
			       "removals for it this run"),
			    d->team);
		cli_warnx("~%s: %s (%s): no removals for it this run", d->team,
		    lp_outcome_name(s->outcome), s->error);
		/* An older complete one still serves additions. */
		if (snapshot_latest(r->p.db, d->team, 0, s) != APP_OK)
			return -1;
	}
	d->usable = s->complete;
	return 0;
}

/*
 * Step 1: every team once, side by side (each team's pages in order);
 * domains of one team share its snapshot.
 */
static int
fetch_teams(struct run *r)
{
	struct prov_domain *d = r->p.domains;
	struct snapshot    *snaps;
	const char        **teams;
	size_t             *of, i, k, n = r->p.ndomains;

	teams = arena_calloc(r->p.a, n + 1, sizeof(*teams));
	snaps = arena_calloc(r->p.a, n + 1, sizeof(*snaps));
	of = arena_calloc(r->p.a, n + 1, sizeof(*of));
	if (teams == NULL || snaps == NULL || of == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		for (k = 0; k < (size_t)r->teams && strcmp(teams[k], d[i].team);
		     k++)
			continue;
		if (k == (size_t)r->teams)
			teams[r->teams++] = d[i].team;
		of[i] = k;
	}
	if (r->progress)
		fprintf(stderr, "sync: fetching %d teams\n", r->teams);
	if (snapshot_fetch_all(r->p.db, r->p.cfg, r->lp, r->p.a, teams,
		(size_t)r->teams, !r->o->dry_run, snaps) != APP_OK)
		return -1;
	for (i = 0; i < n; i++) {
		for (k = 0; k < i && of[k] != of[i]; k++)
			continue;
		d[i].snap = snaps[of[i]];
		if (k < i) { /* the same team as an earlier domain */
			d[i].snap = d[k].snap;
			d[i].usable = d[k].usable;
			d[i].removals = d[k].removals;
		} else if (team_fetched(r, &d[i]) == -1)
			return -1;
	}
	return 0;
}

/* Step 4: old snapshots here, expired rows through cleanup's sweep. */
static int
sweep(struct run *r)
{
	size_t i;

	for (i = 0; i < r->p.ndomains; i++)
		if (snapshot_sweep(r->p.db, r->p.domains[i].team) != APP_OK)
			return -1;
	return cleanup_sweep(r->p.db) == 0 ? 0 : -1;
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

/* Steps 2 and 3 (people.h). */
static int
run_users(struct run *r)
{
	struct people_run pr;
	int               rc;

	memset(&pr, 0, sizeof(pr));
	pr.p = &r->p;
	pr.lp = r->lp;
	pr.alerts = r->alerts;
	pr.user = r->o->user;
	pr.progress = r->progress;
	rc = people_sync(&pr);
	if (pr.unavailable)
		r->unavailable = 1;
	return rc;
}

/* Step 5: the operators hear of each cause once (alerts.h). */
static void
alert(struct run *r, int failed)
{
	if (failed && alerts_count(r->alerts) == 0)
		(void)alerts_add(r->alerts, "run-failed", "%s",
		    tr(alerts_lang(r->alerts),
			"the run stopped on a database or local failure (see "
			"its log)"));
	if (!r->o->dry_run &&
	    alerts_flush(r->p.db, r->p.cfg, r->alerts, r->p.st.errors > 0,
		!failed && !r->unavailable && r->o->user == NULL) != APP_OK)
		cli_warnx("could not record or mail the run's alerts");
}

static int
accept_invalidations(struct db *db)
{
	char by[256];
	long n;

	admin_actor(by, sizeof(by));
	if (pending_accept(db, by, &n) != APP_OK) {
		cli_warnx("database error: nothing accepted");
		return 1;
	}
	printf("sync: accepted %ld held invalidation%s; the next sync applies "
	       "those Launchpad still gives\n",
	    n, n == 1 ? "" : "s");
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
	if ((r->alerts = alerts_new(p->a, mail_operators(p->cfg).lang)) ==
	    NULL) {
		lp_client_free(r->lp);
		return 1;
	}
	p->fail = fail_cause;
	p->fail_arg = r->alerts;
	p->fail_lang = alerts_lang(r->alerts);
	failed = prov_load_domains(p) != APP_OK || fetch_teams(r) == -1 ||
	    stage(r, "teams") || run_users(r) == -1 || stage(r, "users") ||
	    (!r->o->dry_run && sweep(r) == -1);
	if (failed)
		p->st.errors++;
	alert(r, failed);
	printf("sync: teams %d, users %ld, created %ld, disabled %ld, removed "
	       "%ld, unchanged %ld, errors %ld, seconds %.1f\n",
	    r->teams, p->st.users, p->st.created + p->st.enabled,
	    p->st.disabled, p->st.removed, p->st.unchanged, p->st.errors,
	    elapsed(r));
	lp_client_free(r->lp);
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
	if ((db = db_open(cfg, "membermail sync")) == NULL)
		return 1;
	if ((got = lock(db)) == 0) {
		cli_warnx("another sync is running");
		rc = EXIT_LOCKED;
	} else if (got == 1 && o->accept != NULL)
		rc = accept_shrink(db, o->accept);
	else if (got == 1 && o->accept_invalid)
		rc = accept_invalidations(db);
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
	    "       membermail sync [-c FILE] --accept-invalidations\n"
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
		{ "accept-invalidations", no_argument, NULL, 'i' },
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
		case 'i':
			o->accept_invalid = 1;
			break;
		case 'h':
			return 1;
		default:
			return -1;
		}
	if (optind != argc ||
	    ((o->accept != NULL || o->accept_invalid) &&
		(o->user != NULL || o->dry_run)) ||
	    (o->accept != NULL && o->accept_invalid) ||
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
	if (view_init(cfg.templates_dir, cfg.locale_dir, err, sizeof(err)) ==
	    -1) {
		cli_warnx("templates: %s", err);
		return 1;
	}
	if (conf_check_langs(&cfg, err, sizeof(err)) == -1) {
		cli_warnx("%s", err);
		return 1;
	}
	return run_locked(&cfg, &o);
}
