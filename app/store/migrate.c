/* migrate.c - apply and check schema migrations; see migrate.h. */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sodium.h>

#include "lib/climsg.h"
#include "lib/conf.h"
#include "lib/sqlsplit.h"
#include "store/migrate.h"

#define EXIT_DRIFT    3
#define EXIT_LOCKED   4
#define MAX_FILES     1000
#define MAX_FILE_SIZE (16 * 1024 * 1024)
#define NAME_MAX_LEN  100
#define NO_TX_MARK    "-- migrate:no-transaction"
/* "membermm": the advisory lock all migrators of a database share. */
#define LOCK_KEY     "7882826992158141805"
#define LOCK_CLASSID "1835363682" /* LOCK_KEY >> 32 */
#define LOCK_OBJID   "1701997933" /* LOCK_KEY & 0xffffffff */

enum state {
	APPLIED,
	PENDING,
	MODIFIED,
	MISSING
};
static const char *const state_names[] = { "applied", "pending", "modified",
	"missing" };

struct mfile { /* one migration, from disk and/or the table */
	int        version;
	char       name[NAME_MAX_LEN + 1];
	char      *sql; /* file contents; NULL if missing */
	size_t     len;
	char       sum[crypto_hash_sha256_BYTES * 2 + 1];
	int        no_tx;
	enum state state;
	char       applied_at[40];
};

struct opts {
	const char *cfgpath, *database, *dir;
	int         to, dry_run, exit_code;
	int         lock_timeout, ddl_lock_timeout;
};

struct plan {
	struct mfile files[MAX_FILES];
	size_t       n;
};

static double ms_since(const struct timespec *);

/* "0042_add_index.sql" -> 42, "add_index"; -1 if the name is not ours. */
static int
parse_name(const char *fn, char *name, size_t namesz)
{
	size_t len = strlen(fn), i;
	int    v = 0;

	if (len < 10 || len - 9 > namesz - 1 || fn[4] != '_' ||
	    strcmp(fn + len - 4, ".sql") != 0)
		return -1;
	for (i = 0; i < 4; i++) {
		if (fn[i] < '0' || fn[i] > '9')
			return -1;
		v = v * 10 + (fn[i] - '0');
	}
	for (i = 5; i < len - 4; i++)
		if (!((fn[i] >= 'a' && fn[i] <= 'z') ||
			(fn[i] >= '0' && fn[i] <= '9') || fn[i] == '_'))
			return -1;
	memcpy(name, fn + 5, len - 9);
	name[len - 9] = '\0';
	return v > 0 ? v : -1;
}

static int
read_file(const char *path, struct mfile *f)
{
	struct stat   st;
	unsigned char h[crypto_hash_sha256_BYTES];
	FILE         *fp;
	size_t        i;

	if ((fp = fopen(path, "rbe")) == NULL || fstat(fileno(fp), &st) == -1 ||
	    st.st_size > MAX_FILE_SIZE ||
	    (f->sql = malloc((size_t)st.st_size + 1)) == NULL) {
		cli_warnx("%s: %s", path,
		    fp == NULL ? strerror(errno) : "unreadable or too large");
		if (fp != NULL)
			fclose(fp);
		return -1;
	}
	f->len = fread(f->sql, 1, (size_t)st.st_size, fp);
	fclose(fp);
	f->sql[f->len] = '\0';
	crypto_hash_sha256(h, (unsigned char *)f->sql, f->len);
	for (i = 0; i < sizeof(h); i++)
		snprintf(f->sum + 2 * i, 3, "%02x", h[i]);
	f->no_tx = strncmp(f->sql, NO_TX_MARK, strlen(NO_TX_MARK)) == 0;
	return 0;
}

static int
cmp_version(const void *a, const void *b)
{
	const struct mfile *fa = a, *fb = b;

	return (fa->version > fb->version) - (fa->version < fb->version);
}

/* A no-transaction file must hold exactly one statement. */
static int
check_file(const char *dir, const struct mfile *f)
{
	struct sql_stmt st;
	size_t          pos = 0;
	int             line = 1, n = 0, rc;

	while ((rc = sql_next(f->sql, f->len, &pos, &line, &st)) == 1)
		n++;
	if (rc == -1) {
		cli_warnx("%s/%04d_%s.sql:%d: unterminated quote or comment",
		    dir, f->version, f->name, line);
		return -1;
	}
	if (f->no_tx && n != 1) {
		cli_warnx(
		    "%s/%04d_%s.sql: a no-transaction migration must hold "
		    "exactly one statement, not %d",
		    dir, f->version, f->name, n);
		return -1;
	}
	return 0;
}

static int
load_dir(const char *dir, struct plan *p)
{
	DIR           *d;
	struct dirent *de;
	char           path[PATH_MAX];
	struct mfile  *f;
	size_t         i;

	if ((d = opendir(dir)) == NULL) {
		cli_warnx("%s: %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || strstr(de->d_name, ".sql") == NULL)
			continue;
		if (p->n == MAX_FILES) {
			cli_warnx("%s: more than %d migrations", dir,
			    MAX_FILES);
			break;
		}
		f = &p->files[p->n];
		if ((f->version = parse_name(de->d_name, f->name,
			 sizeof(f->name))) == -1) {
			cli_warnx("%s/%s: not a migration name (want "
				  "NNNN_lower_case_name.sql)",
			    dir, de->d_name);
			closedir(d);
			return -1;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (read_file(path, f) == -1 || check_file(dir, f) == -1) {
			closedir(d);
			return -1;
		}
		f->state = PENDING;
		p->n++;
	}
	closedir(d);
	qsort(p->files, p->n, sizeof(p->files[0]), cmp_version);
	for (i = 1; i < p->n; i++)
		if (p->files[i].version == p->files[i - 1].version) {
			cli_warnx("%s: version %04d is used twice", dir,
			    p->files[i].version);
			return -1;
		}
	return 0;
}

static void
plan_free(struct plan *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		free(p->files[i].sql);
	p->n = 0;
}

static struct mfile *
find(struct plan *p, int version)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (p->files[i].version == version)
			return &p->files[i];
	return NULL;
}

/*
 * The migrations run over a plain libpq connection of their own, the one
 * exception to db.h: their SQL is the files', and the schema may be one
 * the catalogue's statements would not prepare on.  Failures are said as
 * "migrate: message" on stderr; libpq's messages end with a newline, one
 * line is enough here.
 */
static void
warn_pq(const char *what, PGconn *c)
{
	const char *msg = c != NULL ? PQerrorMessage(c) : "out of memory";

	cli_warnx("%s%.*s", what, (int)strcspn(msg, "\n"), msg);
}

static PGconn *
connect_db(const char *conninfo)
{
	const char *const keys[] = { "dbname", "application_name",
		"connect_timeout", "options", NULL };
	const char *const vals[] = { conninfo, "membermail migrate", "10",
		"-c client_min_messages=warning", NULL };
	PGconn           *c;

	c = PQconnectdbParams(keys, vals, 1);
	if (c == NULL || PQstatus(c) != CONNECTION_OK) {
		warn_pq("cannot connect: ", c);
		PQfinish(c);
		return NULL;
	}
	return c;
}

/* One parameterised statement: its result, or NULL after saying why. */
static PGresult *
query(PGconn *c, const char *sql, int n, const char *const *params)
{
	PGresult *res = PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);

	if (PQresultStatus(res) != PGRES_TUPLES_OK &&
	    PQresultStatus(res) != PGRES_COMMAND_OK) {
		warn_pq("", c);
		PQclear(res);
		return NULL;
	}
	return res;
}

/* The same when the result does not matter: 0 or -1. */
static int
run_sql(PGconn *c, const char *sql, int n, const char *const *params)
{
	PGresult *res = query(c, sql, n, params);

	PQclear(res);
	return res != NULL ? 0 : -1;
}

static const char *const history_table =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version integer PRIMARY KEY CHECK (version > 0),"
    " name text NOT NULL,"
    " checksum text NOT NULL CHECK (checksum ~ '^[0-9a-f]{64}$'),"
    " applied_at timestamptz NOT NULL DEFAULT now(),"
    " applied_by text NOT NULL,"
    " duration_ms integer NOT NULL CHECK (duration_ms >= 0),"
    " no_transaction boolean NOT NULL DEFAULT false)";

static int
table_exists(PGconn *c)
{
	PGresult *res;
	int       yes;

	res = query(c, "SELECT to_regclass('schema_migrations') IS NOT NULL", 0,
	    NULL);
	if (res == NULL)
		return -1;
	yes = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	return yes;
}

/* One row of the history table merged into the plan. */
static int
merge_row(struct plan *p, PGresult *res, int i)
{
	struct mfile *f;
	int           v;

	v = (int)strtol(PQgetvalue(res, i, 0), NULL, 10);
	if ((f = find(p, v)) == NULL) {
		if (p->n == MAX_FILES)
			return -1;
		f = &p->files[p->n++];
		memset(f, 0, sizeof(*f));
		f->version = v;
		snprintf(f->name, sizeof(f->name), "%s", PQgetvalue(res, i, 1));
		f->state = MISSING;
	} else
		f->state = strcmp(f->sum, PQgetvalue(res, i, 2)) == 0 ?
		    APPLIED :
		    MODIFIED;
	snprintf(f->applied_at, sizeof(f->applied_at), "%s",
	    PQgetvalue(res, i, 3));
	return 0;
}

/*
 * Merges the history table into the plan: applied, modified, missing.
 * With `create`, makes the table first (under the lock, for `up`).
 */
static int
load_applied(PGconn *c, struct plan *p, int create)
{
	PGresult *res;
	int       i, exists;

	if (create && run_sql(c, history_table, 0, NULL) == -1)
		return -1;
	if ((exists = table_exists(c)) <= 0)
		return exists; /* no table yet: nothing applied */
	res = query(c,
	    "SELECT version, name, checksum, to_char(applied_at, "
	    "'YYYY-MM-DD HH24:MI:SSOF') FROM schema_migrations "
	    "ORDER BY version",
	    0, NULL);
	if (res == NULL)
		return -1;
	for (i = 0; i < PQntuples(res); i++)
		if (merge_row(p, res, i) == -1) {
			PQclear(res);
			cli_warnx("more than %d migrations", MAX_FILES);
			return -1;
		}
	PQclear(res);
	qsort(p->files, p->n, sizeof(p->files[0]), cmp_version);
	return 0;
}

/* Says who holds the lock, from pg_locks and pg_stat_activity. */
static void
describe_holder(PGconn *c, char *out, size_t outsz)
{
	static const char *const params[] = { LOCK_CLASSID, LOCK_OBJID };
	PGresult                *res;

	res = query(c,
	    "SELECT a.pid, coalesce(a.usename, '?'), "
	    "coalesce(nullif(a.application_name, ''), '?'), "
	    "coalesce(host(a.client_addr), 'local'), "
	    "to_char(a.backend_start, 'YYYY-MM-DD HH24:MI:SSOF') "
	    "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
	    "WHERE l.locktype = 'advisory' AND l.granted "
	    "AND l.classid = $1::oid AND l.objid = $2::oid "
	    "AND l.objsubid = 1",
	    2, params);
	if (res != NULL && PQntuples(res) > 0)
		snprintf(out, outsz,
		    "pid %s (user %s, application \"%s\", "
		    "from %s, connected since %s)",
		    PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1),
		    PQgetvalue(res, 0, 2), PQgetvalue(res, 0, 3),
		    PQgetvalue(res, 0, 4));
	else
		snprintf(out, outsz, "another session (gone by now?)");
	PQclear(res);
}

/*
 * Polls pg_try_advisory_lock every 200 ms up to `timeout` seconds: a
 * session waiting in pg_advisory_lock would deadlock a running CREATE
 * INDEX CONCURRENTLY.  0 when held, EXIT_LOCKED or 1 otherwise.
 */
static int
take_lock(PGconn *c, int timeout)
{
	static const char *const params[] = { LOCK_KEY };
	const struct timespec    pause = { 0, 200000000 };
	char                     who[512];
	PGresult                *res;
	struct timespec          t0;
	int                      got, told = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if ((res = query(c, "SELECT pg_try_advisory_lock($1::bigint)",
			 1, params)) == NULL)
			return 1;
		got = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
		PQclear(res);
		if (got)
			return 0;
		describe_holder(c, who, sizeof(who));
		if (ms_since(&t0) >= timeout * 1000.0) {
			cli_warnx(
			    "gave up after %ds: the migration lock is held "
			    "by %s",
			    timeout, who);
			return EXIT_LOCKED;
		}
		if (!told++)
			cli_warnx("waiting up to %ds for the migration lock, "
				  "held by %s",
			    timeout, who);
		nanosleep(&pause, NULL);
	}
}

/* "file:line: ERROR: message" (+ detail and hint) for a failed statement. */
static void
report_failure(const struct opts *o, const struct mfile *f,
    const struct sql_stmt *st, PGresult *res)
{
	const char *pos, *detail, *hint, *msg;
	int         line = st->line;

	if ((pos = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION)) != NULL)
		line = sql_line_of(st, (int)strtol(pos, NULL, 10));
	msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
	hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
	cli_warnx("%s/%04d_%s.sql:%d: ERROR: %s%s%s%s", o->dir, f->version,
	    f->name, line, msg != NULL ? msg : PQresultErrorMessage(res),
	    detail != NULL ? " (" : "", detail != NULL ? detail : "",
	    detail != NULL ? ")" : "");
	if (hint != NULL)
		cli_warnx("hint: %s", hint);
}

/* Runs every statement of f; 0, or -1 after reporting the failure. */
static int
run_statements(PGconn *c, const struct opts *o, const struct mfile *f)
{
	struct sql_stmt st;
	size_t          pos = 0;
	int             line = 1, ok = 1;
	PGresult       *res;
	char           *one;

	while (ok && sql_next(f->sql, f->len, &pos, &line, &st) == 1) {
		if ((one = strndup(st.text, st.len)) == NULL)
			return -1;
		res = PQexec(c, one);
		free(one);
		if (PQresultStatus(res) != PGRES_COMMAND_OK &&
		    PQresultStatus(res) != PGRES_TUPLES_OK) {
			report_failure(o, f, &st, res);
			ok = 0;
		}
		PQclear(res);
	}
	return ok ? 0 : -1;
}

static int
record(PGconn *c, const struct mfile *f, double ms)
{
	char           version[16], dur[16], by[256], host[128];
	const char    *params[6];
	struct passwd *pw = getpwuid(geteuid());

	if (gethostname(host, sizeof(host)) == -1)
		snprintf(host, sizeof(host), "?");
	host[sizeof(host) - 1] = '\0';
	snprintf(version, sizeof(version), "%d", f->version);
	snprintf(dur, sizeof(dur), "%d", (int)ms);
	snprintf(by, sizeof(by), "%s (%s@%s)", PQuser(c),
	    pw != NULL ? pw->pw_name : "?", host);
	params[0] = version;
	params[1] = f->name;
	params[2] = f->sum;
	params[3] = by;
	params[4] = dur;
	params[5] = f->no_tx ? "true" : "false";
	return run_sql(c,
	    "INSERT INTO schema_migrations (version, "
	    "name, checksum, applied_by, duration_ms, no_transaction) "
	    "VALUES ($1, $2, $3, $4, $5, $6)",
	    6, params);
}

static double
ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/*
 * One file in one transaction with its history row: a failure changes
 * nothing.  lock_timeout bounds how long DDL may queue behind the site's
 * transactions (and so stall them behind itself).
 */
static int
apply_tx(PGconn *c, const struct opts *o, const struct mfile *f)
{
	struct timespec t0;
	char            sql[96];

	clock_gettime(CLOCK_MONOTONIC, &t0);
	snprintf(sql, sizeof(sql), "SET LOCAL lock_timeout = '%ds'",
	    o->ddl_lock_timeout);
	if (run_sql(c, "BEGIN", 0, NULL) == -1)
		return -1;
	if (run_sql(c, sql, 0, NULL) == 0 &&
	    run_sql(c, "SET LOCAL statement_timeout = 0", 0, NULL) == 0 &&
	    run_statements(c, o, f) == 0 && record(c, f, ms_since(&t0)) == 0 &&
	    run_sql(c, "COMMIT", 0, NULL) == 0)
		return 0;
	(void)run_sql(c, "ROLLBACK", 0, NULL);
	return -1;
}

/*
 * A no-transaction file (one statement, e.g. CREATE INDEX CONCURRENTLY)
 * runs on its own and is recorded after it succeeds.  If it fails half
 * way (an INVALID index), the error says so and nothing is recorded.
 */
static int
apply_no_tx(PGconn *c, const struct opts *o, const struct mfile *f)
{
	struct timespec t0;
	char            sql[96];
	int             rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	snprintf(sql, sizeof(sql), "SET lock_timeout = '%ds'",
	    o->ddl_lock_timeout);
	if (run_sql(c, sql, 0, NULL) == -1)
		return -1;
	rc = run_statements(c, o, f);
	if (rc == 0)
		rc = record(c, f, ms_since(&t0));
	else
		cli_warnx(
		    "%04d_%s.sql ran outside a transaction: check for "
		    "half-done work (e.g. an INVALID index) before retrying",
		    f->version, f->name);
	(void)run_sql(c, "RESET lock_timeout", 0, NULL);
	return rc;
}

static int
count_state(const struct plan *p, enum state s)
{
	size_t i;
	int    n = 0;

	for (i = 0; i < p->n; i++)
		n += p->files[i].state == s;
	return n;
}

static int
cmd_status(PGconn *c, const struct opts *o, struct plan *p)
{
	size_t i;
	int    behind;

	if (load_applied(c, p, 0) == -1)
		return 1;
	printf("%-7s %-40s %-9s %s\n", "version", "name", "state",
	    "applied at");
	for (i = 0; i < p->n; i++)
		printf("%04d    %-40s %-9s %s\n", p->files[i].version,
		    p->files[i].name, state_names[p->files[i].state],
		    p->files[i].applied_at);
	behind = count_state(p, PENDING) + count_state(p, MODIFIED) +
	    count_state(p, MISSING);
	printf("%d applied, %d pending, %d modified, %d missing\n",
	    count_state(p, APPLIED), count_state(p, PENDING),
	    count_state(p, MODIFIED), count_state(p, MISSING));
	return o->exit_code && behind > 0 ? EXIT_DRIFT : 0;
}

/* Applied files that changed or vanished: a history no one can trust. */
static int
report_drift(const struct plan *p)
{
	size_t i;
	int    n = 0;

	for (i = 0; i < p->n; i++) {
		if (p->files[i].state == MODIFIED)
			cli_warnx(
			    "%04d_%s.sql was modified after it was applied "
			    "on %s",
			    p->files[i].version, p->files[i].name,
			    p->files[i].applied_at);
		else if (p->files[i].state == MISSING)
			cli_warnx(
			    "%04d_%s.sql was applied on %s but is missing",
			    p->files[i].version, p->files[i].name,
			    p->files[i].applied_at);
		else
			continue;
		n++;
	}
	return n;
}

static int
cmd_verify(PGconn *c, struct plan *p)
{
	if (load_applied(c, p, 0) == -1)
		return 1;
	if (report_drift(p) > 0)
		return EXIT_DRIFT;
	printf("ok: %d applied migrations match their files\n",
	    count_state(p, APPLIED));
	return 0;
}

/* Pending versions below an applied one would run out of order. */
static int
out_of_order(const struct plan *p)
{
	size_t i;
	int    last_applied = 0;

	for (i = 0; i < p->n; i++)
		if (p->files[i].state != PENDING)
			last_applied = p->files[i].version;
	for (i = 0; i < p->n; i++)
		if (p->files[i].state == PENDING &&
		    p->files[i].version < last_applied) {
			cli_warnx("%04d_%s.sql is pending but %04d is applied: "
				  "refusing to run out of order",
			    p->files[i].version, p->files[i].name,
			    last_applied);
			return 1;
		}
	return 0;
}

static int
apply_pending(PGconn *c, const struct opts *o, struct plan *p)
{
	size_t        i;
	int           done = 0;
	struct mfile *f;

	for (i = 0; i < p->n; i++) {
		f = &p->files[i];
		if (f->state != PENDING || (o->to > 0 && f->version > o->to))
			continue;
		if (o->dry_run) {
			printf("-- %04d_%s.sql (%s)\n%s\n", f->version, f->name,
			    f->no_tx ? "no transaction" : "one transaction",
			    f->sql);
			continue;
		}
		if ((f->no_tx ? apply_no_tx(c, o, f) : apply_tx(c, o, f)) == -1)
			return 1;
		printf("applied %04d_%s.sql\n", f->version, f->name);
		done++;
	}
	if (!o->dry_run)
		printf("%d migration%s applied\n", done, done == 1 ? "" : "s");
	return 0;
}

/* Lock first, then read what is applied: the pending list is then true. */
static int
cmd_up(PGconn *c, const struct opts *o, struct plan *p)
{
	int rc;

	if ((rc = take_lock(c, o->lock_timeout)) != 0)
		return rc;
	if (load_applied(c, p, !o->dry_run) == -1)
		return 1;
	if (report_drift(p) > 0)
		return EXIT_DRIFT;
	if (out_of_order(p))
		return 1;
	if (run_sql(c, "SET statement_timeout = 0", 0, NULL) == -1)
		return 1;
	return apply_pending(c, o, p);
}

static int
cmd_new(const struct opts *o, const struct plan *p, const char *name)
{
	char  path[PATH_MAX], n[NAME_MAX_LEN + 1];
	int   fd, next = p->n > 0 ? p->files[p->n - 1].version + 1 : 1;
	FILE *f;

	snprintf(path, sizeof(path), "%04d_%s.sql", next, name);
	if (next > 9999 || parse_name(path, n, sizeof(n)) == -1) {
		cli_warnx("\"%s\" is not a migration name: use lower-case "
			  "letters, digits and _",
		    name);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/%04d_%s.sql", o->dir, next, name);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) ==
		-1 ||
	    (f = fdopen(fd, "w")) == NULL) {
		cli_warnx("%s: %s", path, strerror(errno));
		return 1;
	}
	fprintf(f,
	    "-- %04d_%s.sql: say what this changes and why.\n"
	    "--\n-- Runs in one transaction, with lock_timeout set, and is "
	    "never edited once\n-- applied: fix mistakes with a new "
	    "migration.  For CREATE INDEX\n-- CONCURRENTLY and the like, make "
	    "the first line \"" NO_TX_MARK "\"\n-- and keep exactly one "
	    "statement in the file.\n\n",
	    next, name);
	fclose(f);
	printf("%s\n", path);
	return 0;
}

/* A whole number of seconds (or a version) within 0..max; -1 if not. */
static int
number(const char *opt, const char *arg, long max)
{
	char *end;
	long  v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || v < 0 || v > max) {
		cli_warnx("%s: \"%s\" is not a number of 0..%ld", opt, arg,
		    max);
		return -1;
	}
	return (int)v;
}

static int
parse_opts(int argc, char *argv[], struct opts *o)
{
	static const struct option longopts[] = {
		{ "database", required_argument, NULL, 'd' },
		{ "dir", required_argument, NULL, 'D' },
		{ "to", required_argument, NULL, 't' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "exit-code", no_argument, NULL, 'e' },
		{ "lock-timeout", required_argument, NULL, 'l' },
		{ "ddl-lock-timeout", required_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	o->lock_timeout = 60;
	o->ddl_lock_timeout = 5;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o->cfgpath = optarg;
			break;
		case 'd':
			o->database = optarg;
			break;
		case 'D':
			o->dir = optarg;
			break;
		case 'n':
			o->dry_run = 1;
			break;
		case 'e':
			o->exit_code = 1;
			break;
		case 't':
			if ((o->to = number("--to", optarg, 9999)) == -1)
				return -1;
			break;
		case 'l':
			if ((o->lock_timeout = number("--lock-timeout", optarg,
				 86400)) == -1)
				return -1;
			break;
		case 'L':
			if ((o->ddl_lock_timeout = number("--ddl-lock-timeout",
				 optarg, 3600)) == -1)
				return -1;
			break;
		default:
			return -1;
		}
	}
	return 0;
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: membermail migrate status [--exit-code]\n"
	    "       membermail migrate up [--to N] [--dry-run]\n"
	    "       membermail migrate verify\n"
	    "       membermail migrate new NAME\n"
	    "options: -c FILE, --database CONNINFO, --dir DIR, "
	    "--lock-timeout S (60), --ddl-lock-timeout S (5)\n");
}

/* The config supplies `database` and `migrations_dir` unless overridden. */
static int
resolve(struct opts *o, struct config *cfg)
{
	conf_defaults(cfg);
	/* A DBA naming both needs no config file. */
	if (o->cfgpath == NULL && o->database != NULL && o->dir != NULL)
		return 0;
	if (cli_config(cfg, o->cfgpath) == -1)
		return -1;
	if (o->database == NULL)
		o->database = cfg->database;
	if (o->dir == NULL)
		o->dir = cfg->migrations_dir;
	return 0;
}

static int
run(const char *sub, struct opts *o, struct plan *p, const char *name)
{
	PGconn *c;
	int     rc;

	if (load_dir(o->dir, p) == -1)
		return 1;
	if (strcmp(sub, "new") == 0)
		return cmd_new(o, p, name);
	if ((c = connect_db(o->database)) == NULL)
		return 1;
	if (strcmp(sub, "status") == 0)
		rc = cmd_status(c, o, p);
	else if (strcmp(sub, "verify") == 0)
		rc = cmd_verify(c, p);
	else
		rc = cmd_up(c, o, p);
	PQfinish(c); /* also releases the advisory lock */
	return rc;
}

int
migrate_main(int argc, char *argv[])
{
	static struct plan plan; /* large: not on the stack */
	struct config      cfg;
	struct opts        o;
	const char        *sub = argc > 0 ? argv[0] : "";
	int                rc, want_args;

	cli_name("migrate");
	memset(&o, 0, sizeof(o));
	if (strcmp(sub, "--help") == 0 || strcmp(sub, "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(sub, "status") != 0 && strcmp(sub, "up") != 0 &&
	    strcmp(sub, "verify") != 0 && strcmp(sub, "new") != 0) {
		usage(stderr);
		return 2;
	}
	want_args = strcmp(sub, "new") == 0 ? 1 : 0;
	if (parse_opts(argc, argv, &o) == -1 || argc - optind != want_args) {
		usage(stderr);
		return 2;
	}
	if (sodium_init() == -1 || resolve(&o, &cfg) == -1)
		return 1;
	rc = run(sub, &o, &plan, want_args ? argv[optind] : NULL);
	plan_free(&plan);
	return rc;
}
