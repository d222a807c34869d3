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
#include "lib/arena.h"
#include "lib/climsg.h"
#include "lib/conf.h"
#include "lib/log.h"
#include "proto/smtp.h"
#include "store/db.h"

#define EXIT_USAGE    2
#define LIMIT_DEFAULT 1000
#define LIMIT_MAX     100000
#define BACKOFF_FIRST 60L
#define BACKOFF_CAP   (6 * 3600L)
#define ERROR_MAX     2000              /* outbox.last_error's bound */
#define ARENA_MAX     ((size_t)1 << 20) /* a message's addresses */

struct run {
	struct db           *db;
	struct arena        *arena; /* one message's; reset for the next */
	struct smtp          smtp;
	const struct config *cfg;
	long                 sent, deferred, failed;
	int                  unavailable; /* the relay was down */
	int                  claimed;     /* one() found a message due */
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

/* Records the outcome of one attempt. */
static enum app_err
record(struct run *run, const char *id, int attempts, enum smtp_outcome o,
    const char *error)
{
	char        secs[24], in[32], e[ERROR_MAX + 1];
	const char *params[] = { id, e, secs };
	long        wait;
	int         give_up;

	snprintf(e, sizeof(e), "%s", error);
	if (o == SMTP_SENT) {
		log_info("outbox_sent", LOG_WORD("id", id),
		    LOG_INT("attempt", attempts + 1));
		run->sent++;
		return db_run(run->db, STMT_OUTBOX_SENT, 1, params);
	}
	give_up = o == SMTP_PERMANENT ||
	    attempts + 1 >= run->cfg->outbox_max_attempts;
	if (give_up) {
		log_error("outbox_failed", LOG_WORD("id", id),
		    LOG_INT("attempt", attempts + 1),
		    LOG_WORD("outcome", smtp_outcome_name(o)),
		    LOG_STR("error", error));
		run->failed++;
		return db_run(run->db, STMT_OUTBOX_GIVE_UP, 2, params);
	}
	wait = outbox_backoff(attempts + 1, randombytes_random());
	snprintf(secs, sizeof(secs), "%ld", wait);
	snprintf(in, sizeof(in), "%lds", wait);
	log_warn("outbox_deferred", LOG_WORD("id", id),
	    LOG_INT("attempt", attempts + 1),
	    LOG_WORD("outcome", smtp_outcome_name(o)), LOG_WORD("retry_in", in),
	    LOG_STR("error", error));
	run->deferred++;
	return db_run(run->db, STMT_OUTBOX_DEFER, 3, params);
}

/* An address array column as smtp_message wants it. */
static enum app_err
addresses(struct run *run, PGresult *res, int col, const char *const **v,
    size_t *n)
{
	const char **items;
	enum app_err e;

	e = db_array(run->arena, res, 0, col, &items, n);
	*v = items;
	return e;
}

/* Sends the row and records what happened (inside its transaction). */
static enum app_err
deliver(struct run *run, PGresult *res)
{
	struct smtp_message m;
	char                err[1024] = "", mid[64];
	const char         *id = db_str(res, 0, OUTBOX_CLAIM_ID);
	const char         *params[1];
	enum smtp_outcome   o;
	enum app_err        e;

	memset(&m, 0, sizeof(m));
	if ((e = addresses(run, res, OUTBOX_CLAIM_TO, &m.to, &m.nto)) !=
		APP_OK ||
	    (e = addresses(run, res, OUTBOX_CLAIM_CC, &m.cc, &m.ncc)) !=
		APP_OK ||
	    (e = addresses(run, res, OUTBOX_CLAIM_BCC, &m.bcc, &m.nbcc)) !=
		APP_OK)
		return e;
	m.subject = db_str(res, 0, OUTBOX_CLAIM_SUBJECT);
	m.body = db_str(res, 0, OUTBOX_CLAIM_BODY);
	m.date = (time_t)db_ll(res, 0, OUTBOX_CLAIM_CREATED);
	/* Stable across attempts: a relay may spot a resend. */
	snprintf(mid, sizeof(mid), "outbox.%s.%s", id,
	    db_str(res, 0, OUTBOX_CLAIM_CREATED));
	m.id = mid;
	o = smtp_send(&run->smtp, &m, err, sizeof(err));
	if (o == SMTP_UNAVAILABLE)
		run->unavailable = 1;
	if (run->smtp.refused[0] != '\0') {
		/* Their owners learn it on /my (users.mail_problem). */
		log_warn("outbox_refused", LOG_WORD("id", id),
		    LOG_STR("reason", "needs SMTPUTF8"));
		params[0] = run->smtp.refused;
		if ((e = db_run(run->db, STMT_USERS_NEED_SMTPUTF8, 1,
			 params)) != APP_OK)
			return e;
	}
	return record(run, id, (int)db_ll(res, 0, OUTBOX_CLAIM_ATTEMPTS), o,
	    err);
}

/* The transaction of one message: claimed, sent, recorded. */
static enum app_err
claim_one(struct db *db, void *arg)
{
	struct run  *run = arg;
	PGresult    *res;
	enum app_err e;

	arena_reset(run->arena);
	if ((res = db_exec(db, STMT_OUTBOX_CLAIM, 0, NULL, &e)) == NULL)
		return e;
	run->claimed = PQntuples(res) == 1;
	e = run->claimed ? deliver(run, res) : APP_OK;
	PQclear(res);
	return e;
}

/* One message in one transaction: 1 done, 0 nothing due, -1 error. */
static int
one(struct run *run)
{
	if (db_tx(run->db, claim_one, run) != APP_OK) {
		cli_warnx("database: %s", db_reason(run->db));
		return -1;
	}
	return run->claimed;
}

/* The relay, the database and the arena of a run; -1 after saying why. */
static int
run_open(struct run *run, const struct config *cfg)
{
	char err[1024];

	run->cfg = cfg;
	if (sodium_init() == -1) {
		cli_warnx("libsodium failed to initialise");
		return -1;
	}
	if ((run->arena = arena_new(ARENA_MAX)) == NULL) {
		cli_warnx("out of memory");
		return -1;
	}
	if (smtp_open(&run->smtp, cfg, err, sizeof(err)) == -1) {
		cli_warnx("%s", err);
		return -1;
	}
	return (run->db = db_open(cfg, "membermail outbox")) != NULL ? 0 : -1;
}

static void
run_close(struct run *run)
{
	db_free(run->db);
	smtp_close(&run->smtp);
	arena_free(run->arena);
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
	char         *end;
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
	rc = run_open(&run, &cfg) == 0 ? run_outbox(&run, limit) : 1;
	run_close(&run);
	return rc;
}
