/* verify.c - membermail verify-domains; see verify.h. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "jobs/verify.h"
#include "lib/climsg.h"
#include "lib/conf.h"
#include "lib/log.h"
#include "rules/domain_txt.h"
#include "store/audit.h"
#include "store/db.h"
#include "views/view.h"

#define EXIT_USAGE    2
#define EXIT_LOCKED   3
#define EXIT_TEMPFAIL 75 /* sysexits.h EX_TEMPFAIL */

struct opts {
	const char *cfgpath;
	const char *domain; /* NULL: every domain */
	int         dry_run;
};

struct tally {
	long domains, verified, unverified, tempfail, changed, errors;
};

/* What the state now means for the domain's mail, in words. */
static void
state_words(const struct txt_check *c, char *out, size_t outsz)
{
	char w[32];

	if (c->after.status != TXT_ST_VERIFIED) {
		snprintf(out, outsz, "not verified (%s)",
		    txt_status_name(c->after.status));
		return;
	}
	if (c->after.grace_until == 0) {
		snprintf(out, outsz, "verified");
		return;
	}
	txt_time_words(c->after.grace_until, w, sizeof(w));
	snprintf(out, outsz, "verified until %s (grace period)", w);
}

/* One domain's line(s) on stdout and its log line. */
static void
report(const struct opts *o, const struct txt_check *c)
{
	static const char *const events[] = { "none", "changed", "verified",
		"restored", "grace", "stopped" };
	char                     state[96];

	state_words(c, state, sizeof(state));
	printf("%s: %s: %s; %s%s\n", c->domain, txt_outcome_name(c->outcome),
	    c->detail, state, o->dry_run ? " (dry run: nothing recorded)" : "");
	if (c->after.status != TXT_ST_VERIFIED || c->after.grace_until != 0)
		printf("  publish: %s\n", c->record);
	log_info("txt_check", LOG_WORD("domain", c->domain),
	    LOG_WORD("outcome", txt_outcome_name(c->outcome)),
	    LOG_WORD("change", events[c->event]),
	    LOG_INT("dry_run", o->dry_run), LOG_STR("detail", c->detail));
}

static void
count(struct tally *t, const struct txt_check *c)
{
	t->domains++;
	if (c->outcome == TXT_TEMPFAIL)
		t->tempfail++;
	else if (c->outcome == TXT_VERIFIED)
		t->verified++;
	else
		t->unverified++;
	if (c->event != TXT_EV_NONE)
		t->changed++;
}

/* Checks one domain; -1 on an error (said), 0 otherwise. */
static int
check_one(struct db *db, const struct config *cfg, const struct opts *o,
    const char *domain, struct tally *t)
{
	struct actor     a = { ACTOR_SYSTEM, 0, "verify-domains", 0, NULL };
	struct txt_check c;
	enum app_err     e;

	if ((e = txt_check_domain(db, cfg, &a, domain, o->dry_run, &c)) !=
	    APP_OK) {
		if (e == APP_ENOTFOUND)
			cli_warnx("%s: no such domain", domain);
		else if (e == APP_EDB)
			cli_warnx("%s: database: %s", domain, db_reason(db));
		else
			cli_warnx("%s: failed (error %d; see the log)", domain,
			    (int)e);
		t->errors++;
		return -1;
	}
	report(o, &c);
	count(t, &c);
	return 0;
}

static int
check_all(struct db *db, const struct config *cfg, const struct opts *o,
    struct tally *t)
{
	PGresult    *res;
	enum app_err e;
	int          i, n;

	if (o->domain != NULL)
		return check_one(db, cfg, o, o->domain, t);
	if ((res = db_exec(db, STMT_TXT_DOMAINS, 0, NULL, &e)) == NULL) {
		cli_warnx("listing the domains: %s", db_reason(db));
		return -1;
	}
	n = PQntuples(res);
	for (i = 0; i < n; i++)
		(void)check_one(db, cfg, o, db_str(res, i, TXT_DOMAINS_NAME),
		    t);
	PQclear(res);
	return t->errors > 0 ? -1 : 0;
}

/* 1 if the run's lock is ours, 0 if another run holds it, -1 on error. */
static int
lock(struct db *db)
{
	PGresult    *res;
	enum app_err e;
	int          got;

	if ((res = db_exec(db, STMT_TXT_JOB_LOCK, 0, NULL, &e)) == NULL)
		return -1;
	got = db_bool(res, 0, TXT_JOB_LOCK_GOT);
	PQclear(res);
	return got;
}

static int
run(const struct config *cfg, const struct opts *o)
{
	struct tally    t;
	struct timespec t0, t1;
	struct db      *db;
	int             rc = 1, got;

	memset(&t, 0, sizeof(t));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((db = db_new(cfg, "membermail verify-domains")) == NULL)
		return 1;
	if (db_connect(db) != APP_OK)
		cli_warnx("database: %s", db_reason(db));
	else if ((got = lock(db)) == 0) {
		cli_warnx("another verify-domains is running");
		rc = EXIT_LOCKED;
	} else if (got == 1) {
		rc = check_all(db, cfg, o, &t) == -1 ? 1 :
		    t.tempfail > 0                   ? EXIT_TEMPFAIL :
						       0;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		printf("verify-domains: domains %ld, verified %ld, not "
		       "verified %ld, temporary failures %ld, changed %ld, "
		       "errors %ld, seconds %.1f%s\n",
		    t.domains, t.verified, t.unverified, t.tempfail, t.changed,
		    t.errors,
		    (double)(t1.tv_sec - t0.tv_sec) +
			(double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
		    o->dry_run ? " (dry run)" : "");
	}
	db_free(db); /* closing the session releases the lock */
	return rc;
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: membermail verify-domains [-c FILE] [--domain D] "
	    "[--dry-run]\n"
	    "Checks the TXT verification record of every domain (or D); "
	    "exit 0 ok,\n1 errors, 3 another run is checking, 75 some "
	    "domain got no definitive answer.\n");
}

static int
parse(int argc, char *argv[], struct opts *o)
{
	static const struct option longopts[] = { { "help", no_argument, NULL,
						      'h' },
		{ "domain", required_argument, NULL, 'd' },
		{ "dry-run", no_argument, NULL, 'n' }, { NULL, 0, NULL, 0 } };
	int                        ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1)
		switch (ch) {
		case 'c':
			o->cfgpath = optarg;
			break;
		case 'd':
			o->domain = optarg;
			break;
		case 'n':
			o->dry_run = 1;
			break;
		case 'h':
			return 1;
		default:
			return -1;
		}
	return optind == argc ? 0 : -1;
}

int
verify_main(int argc, char *argv[])
{
	struct config cfg;
	struct opts   o;
	char          err[1024];
	int           rc;

	cli_name("verify-domains");
	memset(&o, 0, sizeof(o));
	if ((rc = parse(argc, argv, &o)) != 0) {
		usage(rc == 1 ? stdout : stderr);
		return rc == 1 ? 0 : EXIT_USAGE;
	}
	if (cli_config(&cfg, o.cfgpath) == -1)
		return 1;
	log_set_level(cfg.log_level);
	log_set_pid();
	if (view_init(cfg.templates_dir, cfg.locale_dir, err, sizeof(err)) ==
	    -1) {
		cli_warnx("templates: %s", err);
		return 1;
	}
	if (conf_check_langs(&cfg, err, sizeof(err)) == -1) {
		cli_warnx("%s", err);
		return 1;
	}
	return run(&cfg, &o);
}
