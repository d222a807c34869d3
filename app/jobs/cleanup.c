/* cleanup.c - sweep expired rows; see cleanup.h. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobs/cleanup.h"
#include "lib/climsg.h"
#include "lib/conf.h"
#include "store/db.h"

#define EXIT_USAGE 2

/* In this order. */
static const struct sweep {
	const char *label;
	enum stmt   stmt;
} sweeps[] = {
	{ "sessions", STMT_SWEEP_SESSIONS },
	{ "login states", STMT_SWEEP_LOGIN_STATES },
	{ "nonces", STMT_SWEEP_NONCES },
	{ "associations", STMT_SWEEP_ASSOCIATIONS },
	{ "rate limits", STMT_SWEEP_RATE_LIMITS },
	{ "error reports", STMT_SWEEP_ERROR_REPORTS },
	{ "error log", STMT_SWEEP_ERROR_LOG },
	{ "mailbox unlocks", STMT_SWEEP_MAILBOX_UNLOCKS },
	{ "sent mail", STMT_SWEEP_SENT_MAIL },
	/* Recipients (rules/recipients.c): a receipt's link past its expiry,
	   a change nobody confirmed for 30 days, expired confirmation links. */
	{ "receipts", STMT_SWEEP_RECEIPTS },
	{ "lapsed changes", STMT_SWEEP_LAPSED_CHANGES },
	{ "confirmation links", STMT_SWEEP_CONFIRMATION_LINKS },
};
#define NSWEEPS (sizeof(sweeps) / sizeof(sweeps[0]))

struct run {
	long long counts[NSWEEPS];
	int       locked; /* another sweep holds the lock */
};

/* Whether this transaction took the sweep's lock (another may hold it). */
static enum app_err
take_lock(struct db *db, int *got)
{
	PGresult    *res;
	enum app_err e;

	if ((res = db_exec(db, STMT_CLEANUP_LOCK, 0, NULL, &e)) == NULL)
		return e;
	*got = PQntuples(res) == 1 && db_bool(res, 0, CLEANUP_LOCK_GOT);
	PQclear(res);
	return APP_OK;
}

/* One sweep; *n is the rows it deleted. */
static enum app_err
delete_rows(struct db *db, enum stmt st, long long *n)
{
	PGresult    *res;
	enum app_err e;

	if ((res = db_exec(db, st, 0, NULL, &e)) == NULL)
		return e;
	*n = strtoll(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	return APP_OK;
}

/* The transaction: its timeouts, the lock, then every sweep. */
static enum app_err
delete_expired(struct db *db, void *arg)
{
	struct run  *run = arg;
	enum app_err e;
	size_t       i;
	int          got = 0;

	if ((e = db_run(db, STMT_CLEANUP_TIMEOUTS, 0, NULL)) != APP_OK ||
	    (e = take_lock(db, &got)) != APP_OK)
		return e;
	if (!got) {
		run->locked = 1;
		return APP_ECONFLICT; /* rolls back: nothing to undo */
	}
	for (i = 0; i < NSWEEPS; i++)
		if ((e = delete_rows(db, sweeps[i].stmt, &run->counts[i])) !=
		    APP_OK)
			return e;
	return APP_OK;
}

static void
report(const long long counts[NSWEEPS])
{
	size_t i;

	fputs("cleanup:", stdout);
	for (i = 0; i < NSWEEPS; i++)
		printf("%s %s %lld", i == 0 ? "" : ",", sweeps[i].label,
		    counts[i]);
	putchar('\n');
}

int
cleanup_sweep(struct db *db)
{
	struct run run;

	memset(&run, 0, sizeof(run));
	if (db_tx(db, delete_expired, &run) == APP_OK) {
		report(run.counts);
		return 0;
	}
	if (run.locked) {
		printf("cleanup: another cleanup is running\n");
		return 0;
	}
	cli_warnx("nothing was deleted: %s", db_reason(db));
	return 1;
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: membermail cleanup [-c FILE]\n"
	    "Deletes expired sessions, sign-in states, OpenID nonces and "
	    "associations,\nrate-limit counters, error reports, error log "
	    "entries, mailbox unlocks and receipts' undo links\npast their "
	    "expiry, changes of forwarding waiting for confirmation\nfor over "
	    "30 days and their expired links, and notification e-mail\nsent "
	    "over 30 days ago; run it hourly.\n");
}

int
cleanup_main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
	};
	struct config cfg;
	const char   *cfgpath = NULL;
	struct db    *db;
	int           ch, rc;

	cli_name("cleanup");
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		if (ch == 'h') {
			usage(stdout);
			return 0;
		}
		if (ch != 'c') {
			usage(stderr);
			return EXIT_USAGE;
		}
		cfgpath = optarg;
	}
	if (optind != argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (cli_config(&cfg, cfgpath) == -1)
		return 1;
	if ((db = db_open(&cfg, "membermail cleanup")) == NULL)
		return 1;
	rc = cleanup_sweep(db);
	db_free(db);
	return rc;
}
