/* cleanup.c - sweep expired rows; see cleanup.h. */
#include "config.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "jobs/cleanup.h"
#include "lib/climsg.h"
#include "lib/conf.h"
#include "store/rawdb.h"

#define EXIT_USAGE 2
#define LOCK_NAME  "membermail:cleanup"

/* In this order; each on the table's expiry index. */
static const struct sweep {
	const char *label;
	const char *sql;
} sweeps[] = {
	{ "sessions", "DELETE FROM sessions WHERE idle_expires_at < now()" },
	{ "login states", "DELETE FROM login_states WHERE expires_at < now()" },
	{ "nonces", "DELETE FROM openid_nonces WHERE expires_at < now()" },
	{ "associations",
	    "DELETE FROM openid_associations WHERE expires_at < now()" },
	{ "rate limits", "DELETE FROM rate_limits WHERE expires_at < now()" },
	{ "error reports",
	    "DELETE FROM error_reports WHERE expires_at < now()" },
	{ "error log", "DELETE FROM error_log WHERE expires_at < now()" },
	{ "mailbox unlocks",
	    "DELETE FROM mailbox_unlocks WHERE expires_at < now()" },
	/* outbox (outbox.c): delivered mail is kept 30 days, failures until
	   a site admin retries or deletes them. */
	{ "sent mail",
	    "DELETE FROM outbox WHERE sent_at < now() - interval '30 days'" },
};
#define NSWEEPS (sizeof(sweeps) / sizeof(sweeps[0]))

/* 1 when this transaction holds the sweep's lock, 0 if another does. */
static int
take_lock(PGconn *c)
{
	static const char *const params[] = { LOCK_NAME };
	PGresult                *res;
	int                      got;

	res = rawdb_query(c, "SELECT pg_try_advisory_xact_lock(hashtext($1))",
	    1, params);
	if (res == NULL)
		return -1;
	got = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	return got;
}

static int
delete_expired(PGconn *c, long long counts[NSWEEPS])
{
	PGresult *res;
	size_t    i;

	for (i = 0; i < NSWEEPS; i++) {
		if ((res = rawdb_query(c, sweeps[i].sql, 0, NULL)) == NULL)
			return -1;
		counts[i] = strtoll(PQcmdTuples(res), NULL, 10);
		PQclear(res);
	}
	return 0;
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
cleanup_sweep(PGconn *c)
{
	long long counts[NSWEEPS];
	int       got;

	memset(counts, 0, sizeof(counts));
	if (rawdb_exec(c, "BEGIN", 0, NULL) == -1)
		return 1;
	if (rawdb_exec(c, "SET LOCAL lock_timeout = '10s'", 0, NULL) == -1 ||
	    rawdb_exec(c, "SET LOCAL statement_timeout = '5min'", 0, NULL) ==
		-1 ||
	    (got = take_lock(c)) == -1)
		goto fail;
	if (!got) {
		(void)rawdb_exec(c, "ROLLBACK", 0, NULL);
		printf("cleanup: another cleanup is running\n");
		return 0;
	}
	if (delete_expired(c, counts) == -1 ||
	    rawdb_exec(c, "COMMIT", 0, NULL) == -1)
		goto fail;
	report(counts);
	return 0;
fail:
	(void)rawdb_exec(c, "ROLLBACK", 0, NULL);
	cli_warnx("nothing was deleted");
	return 1;
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: membermail cleanup [-c FILE]\n"
	    "Deletes expired sessions, sign-in states, OpenID nonces and "
	    "associations,\nrate-limit counters, error reports, error log "
	    "entries and mailbox unlocks\npast their expiry, and notification "
	    "e-mail sent over 30 days ago;\nrun it hourly.\n");
}

int
cleanup_main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
	};
	struct config cfg;
	const char   *cfgpath = NULL;
	PGconn       *c;
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
	if ((c = rawdb_connect(cfg.database, "cleanup",
		 "-c client_min_messages=warning")) == NULL)
		return 1;
	rc = cleanup_sweep(c);
	PQfinish(c);
	return rc;
}
