/*
 * db.h - the one database layer: a PostgreSQL connection per process,
 * running the statements of the catalogue (sql.h) by name.
 *
 * The workers, the jobs (sync, outbox, cleanup) and the operator commands
 * all go through a struct db.  Each worker opens its own connection after
 * fork, lazily, on the first request that needs it.  Every statement is
 * parameterised and prepared once per connection.  A connection found
 * closed before a request's first statement is opened again at once; one
 * that breaks under a statement fails that request with APP_EDB (a 503
 * page) and the next one reconnects.  A connect that fails is retried
 * after a back-off that doubles from 250 ms to 5 s, so that a database
 * outage is not hammered by every worker.  Nothing here blocks longer than connect_timeout or the
 * statement timeout.
 *
 * The one exception is `membermail migrate` (migrate.c): it runs the
 * migration files' SQL, which no catalogue can hold, over a plain libpq
 * connection of its own, and it must work on a schema this binary's
 * statements would not even prepare on.
 */
#ifndef MM_DB_H
#define MM_DB_H

#include <libpq-fe.h>

#include <stddef.h>

#include "lib/err.h"
#include "store/sql.h"

/* The schema version (highest migration) this binary needs. */
#define DB_SCHEMA_VERSION 13

struct arena;
struct config;
struct db;

/* A handle that will connect with cfg->database; NULL if out of memory. */
struct db *db_new(const struct config *, const char *appname);
/* Closes the connection and frees the handle.  NULL is allowed. */
void db_free(struct db *);
/*
 * For the commands: a connected handle, or NULL after saying why on
 * stderr (lib/climsg.h).
 */
struct db *db_open(const struct config *, const char *appname);

/*
 * Makes sure the connection is up, its statements prepared and the schema
 * recent enough.  APP_EDB with a reason while the database is unreachable,
 * the back-off has not expired, or the schema is behind.
 */
enum app_err db_connect(struct db *);
/* Why the last call failed (static or owned by the handle). */
const char *db_reason(const struct db *);
/* The config the handle was made with. */
const struct config *db_config(const struct db *);
/* Whether the last connection found the schema behind DB_SCHEMA_VERSION. */
int db_schema_behind(const struct db *);

/*
 * Runs a prepared statement.  Returns a result the caller must PQclear,
 * or NULL with *err set (APP_EDB when the connection failed, APP_EINTERNAL
 * for an SQL error, which is logged).
 */
PGresult *db_exec(struct db *, enum stmt, int nparams,
    const char *const *params, enum app_err *err);
/*
 * db_exec with binary parameters where formats[i] is 1 (their lengths in
 * lengths[i]; text ones are NUL-terminated) and, with binary_result, the
 * result's columns in binary (bytea as its bytes).
 */
PGresult *db_exec_bin(struct db *, enum stmt, int nparams,
    const char *const *params, const int *lengths, const int *formats,
    int binary_result, enum app_err *err);
/* The same for a statement whose result does not matter. */
enum app_err db_run(struct db *, enum stmt, int nparams,
    const char *const *params);

/*
 * The result of a parameterless statement over the domains table, kept by
 * the handle (do not PQclear it) until the table changes: workers LISTEN
 * on membermail_domains, which a trigger notifies at every change, and a
 * new connection starts with an empty cache.  NULL with *err on failure.
 */
PGresult *db_cached(struct db *, enum stmt, enum app_err *err);
/*
 * Changes whenever the cache is emptied: what was made from cached
 * results is good while the version is the one it was made at.
 */
unsigned long db_cache_version(const struct db *);
/*
 * A new request begins: until one of its statements is answered,
 * db_cached polls the connection for notifications (NULL is allowed).
 */
void db_request(struct db *);

/*
 * Runs fn inside BEGIN ... COMMIT; anything but APP_OK from fn, or a
 * failed COMMIT, rolls the whole transaction back.
 */
enum app_err db_tx(struct db *, enum app_err (*fn)(struct db *, void *),
    void *arg);

/*
 * Reading a result (dbcol.c): a column is named by its statement's column
 * enum (sql.h), never by its number.  Text comes as PostgreSQL writes it;
 * libpq gives "" for SQL NULL, which db_null tells apart.
 */
const char *db_str(const PGresult *, int row, int col);  /* the result's */
long long   db_ll(const PGresult *, int row, int col);   /* 0: not a number */
int         db_bool(const PGresult *, int row, int col); /* 1 for "t" */
int         db_null(const PGresult *, int row, int col);
/* A column's length in bytes: a binary result's bytea (db_exec_bin). */
size_t db_len(const PGresult *, int row, int col);
/* A copy in the arena; NULL for SQL NULL, or when the arena is full. */
char *db_dup(struct arena *, const PGresult *, int row, int col);
/*
 * A column of hex text (encode(bytea, 'hex')) decoded into out: how many
 * bytes, or -1 when it is not hex or would not fit in max.
 */
long db_hex(const PGresult *, int row, int col, unsigned char *out, size_t max);

/*
 * A one-dimensional array column decoded into *n arena strings in
 * *items; an element that is SQL NULL is a NULL pointer, an SQL NULL
 * column no element.  APP_ENOMEM when the arena is full,
 * APP_EINTERNAL (logged) when the text is not such an array.
 */
enum app_err db_array(struct arena *, const PGresult *, int row, int col,
    const char ***items, size_t *n);
/* The decoder itself: text is "{a,\"b c\",NULL}" (array_out's form). */
enum app_err db_array_parse(struct arena *, const char *text,
    const char ***items, size_t *n);

#endif
