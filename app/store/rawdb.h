/*
 * rawdb.h - a plain libpq connection for the operator commands and the
 * jobs (migrate, cleanup, outbox, sync, domain, user): connected with
 * their own application_name, reporting its failures as "name: message"
 * on stderr (lib/climsg.h).  The workers use db.h instead.
 */
#ifndef MM_RAWDB_H
#define MM_RAWDB_H

#include <libpq-fe.h>

/*
 * Connects with application_name "membermail <appname>" and the given
 * server options (e.g. "-c client_min_messages=warning"); NULL after
 * saying why.
 */
PGconn *rawdb_connect(const char *conninfo, const char *appname,
    const char *options);
/* Runs one parameterised statement; NULL after saying why, else the
 * result, which the caller PQclears. */
PGresult *rawdb_query(PGconn *, const char *sql, int n,
    const char *const *params);
/* The same for statements whose result does not matter: 0 or -1. */
int rawdb_exec(PGconn *, const char *sql, int n, const char *const *params);

#endif
