/* db.c - per-process PostgreSQL connection; see db.h. */
#include "config.h"

#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/climsg.h"
#include "lib/conf.h"
#include "lib/log.h"
#include "store/db.h"

#define BACKOFF_MIN     0.25 /* seconds before the first reconnect */
#define BACKOFF_MAX     5.0
#define CONNECT_TIMEOUT "3" /* seconds; libpq's own minimum is 2 */

struct db {
	const struct config *cfg;
	const char          *appname;
	PGconn              *conn;     /* NULL while disconnected */
	double               retry_at; /* monotonic; no connect before */
	double               backoff;  /* seconds, next delay */
	int                  schema_behind;
	PGresult            *cache[STMT__MAX]; /* see db_cached */
	unsigned long        cache_version;    /* times the cache was emptied */
	int                  answered;         /* a result since db_request */
	int                  in_tx;            /* inside db_tx's BEGIN */
	char                 reason[256];
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
forget_cache(struct db *db)
{
	int i;

	for (i = 0; i < STMT__MAX; i++) {
		PQclear(db->cache[i]);
		db->cache[i] = NULL;
	}
	db->cache_version++;
}

struct db *
db_new(const struct config *cfg, const char *appname)
{
	struct db *db;

	if ((db = calloc(1, sizeof(*db))) == NULL)
		return NULL;
	db->cfg = cfg;
	db->appname = appname;
	db->backoff = BACKOFF_MIN;
	return db;
}

void
db_free(struct db *db)
{
	if (db == NULL)
		return;
	forget_cache(db);
	if (db->conn != NULL)
		PQfinish(db->conn);
	free(db);
}

const struct config *
db_config(const struct db *db)
{
	return db->cfg;
}

const char *
db_reason(const struct db *db)
{
	return db->reason;
}

int
db_schema_behind(const struct db *db)
{
	return db->schema_behind;
}

/* libpq messages end in a newline; keep one line for the log. */
static void
set_reason(struct db *db, const char *what, const char *msg)
{
	snprintf(db->reason, sizeof(db->reason), "%s: %.*s", what,
	    (int)strcspn(msg, "\n"), msg);
}

/*
 * A connection that worked and broke (the server restarted, or cut an
 * idle connection) is dropped, and the next db_connect opens a new one at
 * once: only a failed connect starts the back-off, so the first request
 * after a restart is answered instead of every worker's failing once.
 */
static enum app_err
dropped(struct db *db, const char *what)
{
	set_reason(db, what, PQerrorMessage(db->conn));
	forget_cache(db);
	PQfinish(db->conn);
	db->conn = NULL;
	log_warn("db_connection_lost", LOG_STR("reason", db->reason));
	return APP_EDB;
}

/* A connect failed: schedules the next attempt. */
static enum app_err
connect_failed(struct db *db)
{
	forget_cache(db);
	if (db->conn != NULL)
		PQfinish(db->conn);
	db->conn = NULL;
	db->retry_at = now() + db->backoff;
	db->backoff = db->backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX :
						      db->backoff * 2;
	log_warn("db_unavailable", LOG_STR("reason", db->reason),
	    LOG_SECS("retry_in", db->retry_at - now()));
	return APP_EDB;
}

/*
 * An SQL error on a working connection means the schema is not what this
 * binary needs (not migrated, behind, or not granted to our role): that is
 * for the operator to fix, not a database outage.
 */
static int
unusable(struct db *db, const char *what, PGresult *res)
{
	int bad = PQresultStatus(res) != PGRES_COMMAND_OK &&
	    PQresultStatus(res) != PGRES_TUPLES_OK;

	if (bad) {
		set_reason(db, what, PQerrorMessage(db->conn));
		db->schema_behind = PQstatus(db->conn) == CONNECTION_OK;
	}
	PQclear(res);
	return bad;
}

/* The version recorded by migrate; -1 when it cannot be read. */
static int
read_version(struct db *db)
{
	PGresult *res;
	char     *end;
	long      v;

	res = PQexec(db->conn, sql_stmts[STMT_SCHEMA_VERSION].sql);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		(void)unusable(db, "schema version", res);
		return -1;
	}
	v = strtol(db_str(res, 0, SCHEMA_VERSION_VERSION), &end, 10);
	if (*end != '\0' || v < 0 || v > INT_MAX)
		v = -1;
	PQclear(res);
	return (int)v;
}

#ifdef MM_TEST_HOOKS
/*
 * Test builds hold every statement's column enum (sql.h) against the
 * columns PostgreSQL describes: a column added to the SQL and not to its
 * enum, or the reverse, then fails every test at once instead of reading
 * a neighbour.
 */
static int
check_columns(struct db *db)
{
	PGresult *res;
	int       i, n;

	for (i = 0; i < STMT__MAX; i++) {
		res = PQdescribePrepared(db->conn, sql_stmts[i].name);
		n = PQnfields(res);
		if (unusable(db, sql_stmts[i].name, res))
			return -1;
		if (n != sql_stmts[i].ncols) {
			snprintf(db->reason, sizeof(db->reason),
			    "%s: %d columns, its column enum says %d",
			    sql_stmts[i].name, n, sql_stmts[i].ncols);
			log_error("sql_columns_differ",
			    LOG_WORD("stmt", sql_stmts[i].name),
			    LOG_INT("columns", n),
			    LOG_INT("enum", sql_stmts[i].ncols));
			return -1;
		}
	}
	return 0;
}
#else
static int
check_columns(struct db *db)
{
	(void)db;
	return 0;
}
#endif

/*
 * The schema first (unprepared: a statement of a newer schema would not
 * even prepare), then every statement.
 */
static int
setup_connection(struct db *db)
{
	int v, i;

	db->schema_behind = 0;
	if ((v = read_version(db)) == -1)
		return -1;
	if (v < DB_SCHEMA_VERSION) {
		snprintf(db->reason, sizeof(db->reason),
		    "schema version %d is "
		    "behind %d: run membermail migrate up",
		    v, DB_SCHEMA_VERSION);
		db->schema_behind = 1;
		log_error("schema_behind", LOG_INT("version", v),
		    LOG_INT("need", DB_SCHEMA_VERSION));
		return -1;
	}
	for (i = 0; i < STMT__MAX; i++)
		if (unusable(db, sql_stmts[i].name,
			PQprepare(db->conn, sql_stmts[i].name, sql_stmts[i].sql,
			    sql_stmts[i].nparams, NULL)))
			return -1;
	if (check_columns(db) == -1)
		return -1;
	return unusable(db, "listen", PQexec(db->conn, sql_listen)) ? -1 : 0;
}

/*
 * Before a request's first statement: notifications empty the cache, and
 * a connection the server closed while it sat idle (a shutdown sends an
 * error, then EOF) is noticed here, before a cached page could hide an
 * outage or a statement fail on it.  Once a statement of this request has
 * been answered, libpq has already read every notification the server
 * sent before it (they come first on the connection): nothing to poll.
 */
static void
idle_check(struct db *db)
{
	struct pollfd pfd = { PQsocket(db->conn), POLLIN, 0 };
	PGnotify     *n;
	int           i, changed = 0;

	for (i = 0; !db->answered && i < 4 && poll(&pfd, 1, 0) == 1; i++)
		if (!PQconsumeInput(db->conn) ||
		    PQstatus(db->conn) != CONNECTION_OK) {
			(void)dropped(db, "connection");
			return;
		}
	while ((n = PQnotifies(db->conn)) != NULL) {
		changed = 1;
		PQfreemem(n);
	}
	if (changed)
		forget_cache(db);
}

enum app_err
db_connect(struct db *db)
{
	const char *const keys[] = { "dbname", "connect_timeout",
		"application_name", "options", NULL };
	char              options[96];
	const char *const vals[] = { db->cfg->database, CONNECT_TIMEOUT,
		db->appname, options, NULL };

	if (db->conn != NULL && PQstatus(db->conn) != CONNECTION_OK)
		(void)dropped(db, "connection");
	if (db->conn != NULL && !db->answered)
		idle_check(db);
	if (db->conn != NULL)
		return APP_OK;
	/* A transaction's statements never continue on a new connection. */
	if (db->in_tx || now() < db->retry_at)
		return APP_EDB; /* reason: the last failure's */
	/* No statement waits on a lock longer than a request would. */
	snprintf(options, sizeof(options),
	    "-c statement_timeout=%d -c client_min_messages=warning",
	    db->cfg->statement_timeout);
	db->conn = PQconnectdbParams(keys, vals, 1);
	if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK) {
		set_reason(db, "connect",
		    db->conn != NULL ? PQerrorMessage(db->conn) :
				       "out of memory");
		return connect_failed(db);
	}
	if (setup_connection(db) == -1)
		return connect_failed(db);
	db->backoff = BACKOFF_MIN;
	log_info("db_connected");
	return APP_OK;
}

struct db *
db_open(const struct config *cfg, const char *appname)
{
	struct db *db;

	if ((db = db_new(cfg, appname)) == NULL) {
		cli_warnx("out of memory");
		return NULL;
	}
	if (db_connect(db) != APP_OK) {
		cli_warnx("cannot connect: %s", db_reason(db));
		db_free(db);
		return NULL;
	}
	return db;
}

PGresult *
db_exec(struct db *db, enum stmt id, int nparams, const char *const *params,
    enum app_err *err)
{
	return db_exec_bin(db, id, nparams, params, NULL, NULL, 0, err);
}

PGresult *
db_exec_bin(struct db *db, enum stmt id, int nparams, const char *const *params,
    const int *lengths, const int *formats, int binary_result,
    enum app_err *err)
{
	PGresult      *res;
	ExecStatusType st;

	if ((*err = db_connect(db)) != APP_OK)
		return NULL;
	res = PQexecPrepared(db->conn, sql_stmts[id].name, nparams, params,
	    lengths, formats, binary_result);
	st = PQresultStatus(res);
	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
		db->answered = 1;
		return res;
	}
	set_reason(db, sql_stmts[id].name, PQerrorMessage(db->conn));
	PQclear(res);
	if (PQstatus(db->conn) != CONNECTION_OK) {
		*err = dropped(db, sql_stmts[id].name);
		return NULL;
	}
	log_error("sql_failed", LOG_WORD("stmt", sql_stmts[id].name),
	    LOG_STR("reason", db->reason));
	*err = APP_EINTERNAL;
	return NULL;
}

enum app_err
db_run(struct db *db, enum stmt id, int nparams, const char *const *params)
{
	PGresult    *res;
	enum app_err e;

	if ((res = db_exec(db, id, nparams, params, &e)) == NULL)
		return e;
	PQclear(res);
	return APP_OK;
}

/* BEGIN, COMMIT and ROLLBACK take no parameters and are not prepared. */
static enum app_err
simple(struct db *db, const char *sql)
{
	PGresult *res = PQexec(db->conn, sql);
	int       ok = PQresultStatus(res) == PGRES_COMMAND_OK;

	PQclear(res);
	if (ok) {
		db->answered = 1;
		return APP_OK;
	}
	if (PQstatus(db->conn) != CONNECTION_OK)
		return dropped(db, sql);
	set_reason(db, sql, PQerrorMessage(db->conn));
	return APP_EINTERNAL;
}

enum app_err
db_tx(struct db *db, enum app_err (*fn)(struct db *, void *), void *arg)
{
	enum app_err e;

	if ((e = db_connect(db)) != APP_OK ||
	    (e = simple(db, sql_begin)) != APP_OK)
		return e;
	db->in_tx = 1;
	if ((e = fn(db, arg)) == APP_OK)
		e = simple(db, sql_commit);
	if (e != APP_OK && db->conn != NULL)
		(void)simple(db, sql_rollback);
	db->in_tx = 0;
	return e;
}

unsigned long
db_cache_version(const struct db *db)
{
	return db->cache_version;
}

void
db_request(struct db *db)
{
	if (db != NULL)
		db->answered = 0;
}

PGresult *
db_cached(struct db *db, enum stmt id, enum app_err *err)
{
	if ((*err = db_connect(db)) != APP_OK)
		return NULL;
	if (db->cache[id] == NULL)
		db->cache[id] = db_exec(db, id, 0, NULL, err);
	return db->cache[id];
}
