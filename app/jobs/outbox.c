/* outbox.c - membermail outbox; see outbox.h. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>
#include <sodium.h>

#include "jobs/outbox.h"
#include "lib/climsg.h"
#include "lib/conf.h"
#include "lib/log.h"
#include "proto/smtp.h"
#include "store/db.h"
#include "store/rawdb.h"

#define EXIT_USAGE    2
#define LIMIT_DEFAULT 1000
#define LIMIT_MAX     100000
#define BACKOFF_FIRST 60L
#define BACKOFF_CAP   (6 * 3600L)
#define ERROR_MAX     2000 /* outbox.last_error's bound */
#define RCPT_MAX      100  /* per field: outbox_*_count */

/* The oldest due message, locked; addresses space-separated (they hold
 * no white space: mm_plausible_address). */
#define SQL_CLAIM                                                        \
	"SELECT id, array_to_string(to_addresses, ' '), "                \
	"array_to_string(cc_addresses, ' '), "                           \
	"array_to_string(bcc_addresses, ' '), subject, body, attempts, " \
	"extract(epoch FROM created_at)::bigint FROM outbox "            \
	"WHERE sent_at IS NULL AND failed_at IS NULL "                   \
	"AND next_attempt_at <= now() ORDER BY next_attempt_at, id "     \
	"LIMIT 1 FOR UPDATE SKIP LOCKED"
#define SQL_SENT                                                       \
	"UPDATE outbox SET sent_at = now(), attempts = attempts + 1, " \
	"last_error = NULL WHERE id = $1"
#define SQL_DEFER                                                      \
	"UPDATE outbox SET attempts = attempts + 1, last_error = $2, " \
	"next_attempt_at = now() + make_interval(secs => $3::bigint) " \
	"WHERE id = $1"
#define SQL_GIVE_UP                                                    \
	"UPDATE outbox SET attempts = attempts + 1, last_error = $2, " \
	"failed_at = now() WHERE id = $1"

struct run {
	PGconn              *c;
	struct smtp          smtp;
	const struct config *cfg;
	long                 sent, deferred, failed;
	int                  unavailable; /* the relay was down */
};

long
outbox_backoff(int attempts, uint32_t r)
{
	long d = BACKOFF_FIRST;

	while (--attempts > 0 && d < BACKOFF_CAP)
		d *= 2;
	if (d > BACKOFF_CAP)
		d = BACKOFF_CAP;
	/* Jitter spreads retries of a burst over 80%..120% of the delay. */
	d = d - d / 5 + (long)(r % (uint32_t)(2 * d / 5 + 1));
	return d > BACKOFF_CAP ? BACKOFF_CAP : d;
}

enum app_err
outbox_retry(struct db *db, long long id)
{
	char         ids[24];
	const char  *params[] = { ids };
	PGresult    *res;
	enum app_err e;

	snprintf(ids, sizeof(ids), "%lld", id);
	if ((res = db_exec(db, STMT_OUTBOX_RETRY, 1, params, &e)) == NULL)
		return e;
	e = PQntuples(res) == 1 ? APP_OK : APP_ENOTFOUND;
	PQclear(res);
	return e;
}

/* Splits "a b c" in place into at most max pointers. */
static size_t
split(char *s, const char **v, size_t max)
{
	size_t n = 0;
	char  *tok, *save = NULL;

	for (tok = strtok_r(s, " ", &save); tok != NULL && n < max;
	     tok = strtok_r(NULL, " ", &save))
		v[n++] = tok;
	return n;
}

/* Records the outcome of one attempt; -1 on a database error. */
static int
record(struct run *run, const char *id, int attempts, enum smtp_outcome o,
    const char *error)
{
	char        secs[24], q[LOG_QUOTE_MAX], e[ERROR_MAX + 1];
	const char *params[] = { id, e, secs };
	long        wait;
	int         give_up;

	snprintf(e, sizeof(e), "%s", error);
	if (o == SMTP_SENT) {
		log_info("event=outbox_sent id=%s attempt=%d", id,
		    attempts + 1);
		run->sent++;
		return rawdb_exec(run->c, SQL_SENT, 1, params);
	}
	log_quote(q, sizeof(q), error, strlen(error));
	give_up = o == SMTP_PERMANENT ||
	    attempts + 1 >= run->cfg->outbox_max_attempts;
	if (give_up) {
		log_error("event=outbox_failed id=%s attempt=%d outcome=%s "
			  "error=%s",
		    id, attempts + 1, smtp_outcome_name(o), q);
		run->failed++;
		return rawdb_exec(run->c, SQL_GIVE_UP, 2, params);
	}
	wait = outbox_backoff(attempts + 1, randombytes_random());
	snprintf(secs, sizeof(secs), "%ld", wait);
	log_warn(
	    "event=outbox_deferred id=%s attempt=%d outcome=%s retry_in=%lds "
	    "error=%s",
	    id, attempts + 1, smtp_outcome_name(o), wait, q);
	run->deferred++;
	return rawdb_exec(run->c, SQL_DEFER, 3, params);
}

/* Sends the row and records what happened (inside its transaction). */
static int
deliver(struct run *run, PGresult *res)
{
	const char         *to[RCPT_MAX], *cc[RCPT_MAX], *bcc[RCPT_MAX];
	struct smtp_message m;
	char                err[1024] = "", mid[64];
	enum smtp_outcome   o;
	int attempts = (int)strtol(PQgetvalue(res, 0, 6), NULL, 10);

	memset(&m, 0, sizeof(m));
	m.to = to;
	m.nto = split(PQgetvalue(res, 0, 1), to, RCPT_MAX);
	m.cc = cc;
	m.ncc = split(PQgetvalue(res, 0, 2), cc, RCPT_MAX);
	m.bcc = bcc;
	m.nbcc = split(PQgetvalue(res, 0, 3), bcc, RCPT_MAX);
	m.subject = PQgetvalue(res, 0, 4);
	m.body = PQgetvalue(res, 0, 5);
	m.date = (time_t)strtoll(PQgetvalue(res, 0, 7), NULL, 10);
	/* Stable across attempts: a relay may spot a resend. */
	snprintf(mid, sizeof(mid), "outbox.%s.%s", PQgetvalue(res, 0, 0),
	    PQgetvalue(res, 0, 7));
	m.id = mid;
	o = smtp_send(&run->smtp, &m, err, sizeof(err));
	if (o == SMTP_UNAVAILABLE)
		run->unavailable = 1;
	return record(run, PQgetvalue(res, 0, 0), attempts, o, err);
}

/* One message in one transaction: 1 done, 0 nothing due, -1 error. */
static int
one(struct run *run)
{
	PGresult *res;
	int       rc;

	if (rawdb_exec(run->c, "BEGIN", 0, NULL) == -1)
		return -1;
	if ((res = rawdb_query(run->c, SQL_CLAIM, 0, NULL)) == NULL)
		goto fail;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return rawdb_exec(run->c, "COMMIT", 0, NULL) == -1 ? -1 : 0;
	}
	rc = deliver(run, res);
	PQclear(res);
	if (rc == -1 || rawdb_exec(run->c, "COMMIT", 0, NULL) == -1)
		goto fail;
	return 1;
fail:
	(void)rawdb_exec(run->c, "ROLLBACK", 0, NULL);
	return -1;
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: membermail outbox [-c FILE] [--once] [--limit N]\n"
	    "Sends the notification e-mail that is due (at most N messages, "
	    "default %d),\nthen exits; run it every minute.  Exit 0, 75 when "
	    "the relay is unavailable\nand nothing was sent, 1 on errors.\n",
	    LIMIT_DEFAULT);
}

static int
run_outbox(struct run *run, long limit)
{
	struct timespec t0, t1;
	long            done = 0;
	int             rc = 0, got;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (done < limit && !run->unavailable) {
		if ((got = one(run)) == -1) {
			rc = 1;
			break;
		}
		if (got == 0)
			break;
		done++;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("outbox: sent %ld, deferred %ld, failed %ld, %.1f seconds\n",
	    run->sent, run->deferred, run->failed,
	    (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	if (rc == 0 && run->unavailable && run->sent == 0)
		rc = OUTBOX_EXIT_UNAVAILABLE;
	return rc;
}

int
outbox_main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "once", no_argument, NULL, 'o' },
		{ "limit", required_argument, NULL, 'l' }, { NULL, 0, NULL, 0 }
	};
	struct config cfg;
	struct run    run;
	const char   *cfgpath = NULL;
	char          err[1024], *end;
	long          limit = LIMIT_DEFAULT;
	int           ch, rc;

	cli_name("outbox");
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			cfgpath = optarg;
			break;
		case 'o': /* the only mode: the timer repeats it */
			break;
		case 'l':
			limit = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || limit < 1 ||
			    limit > LIMIT_MAX) {
				cli_warnx("--limit: want 1..%d", LIMIT_MAX);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (cli_config(&cfg, cfgpath) == -1)
		return 1;
	log_set_level(cfg.log_level);
	log_set_pid();
	memset(&run, 0, sizeof(run));
	run.cfg = &cfg;
	if (sodium_init() == -1) {
		cli_warnx("libsodium failed to initialise");
		return 1;
	}
	if (smtp_open(&run.smtp, &cfg, err, sizeof(err)) == -1) {
		cli_warnx("%s", err);
		return 1;
	}
	if ((run.c = rawdb_connect(cfg.database, "outbox",
		 "-c client_min_messages=warning")) == NULL) {
		smtp_close(&run.smtp);
		return 1;
	}
	rc = run_outbox(&run, limit);
	PQfinish(run.c);
	smtp_close(&run.smtp);
	return rc;
}
