/*
 * migrate.h - `membermail migrate`, the schema migration tool for DBAs.
 *
 *	membermail migrate status [--exit-code]
 *	membermail migrate up [--to N] [--dry-run]
 *	membermail migrate verify
 *	membermail migrate new NAME
 *
 * Common options: -c FILE, --database CONNINFO (else the config's
 * `database`), --dir DIR (else `migrations_dir`), --lock-timeout SECONDS
 * (default 60), --ddl-lock-timeout SECONDS (default 5).
 *
 * Files are migrations/NNNN_name.sql, forward-only, applied in version
 * order, each in its own transaction unless its first line is
 * "-- migrate:no-transaction" (then it must hold exactly one statement, as
 * CREATE INDEX CONCURRENTLY must).  Every applied file is recorded in
 * schema_migrations with its SHA-256, when, by whom and how long it took.
 *
 * Concurrency: the tool takes a session advisory lock before it reads what
 * is applied, polling pg_try_advisory_lock (never blocking in
 * pg_advisory_lock, which deadlocks against CREATE INDEX CONCURRENTLY).
 *
 * Exit status: 0 done; 1 error (a failed migration changes nothing); 2
 * usage; 3 pending or drifted (status --exit-code, verify, up refusing
 * drift); 4 the lock was not free within --lock-timeout.
 */
#ifndef MM_MIGRATE_H
#define MM_MIGRATE_H

/* argv[0] is the subcommand ("status", "up", ...); returns the exit status. */
int migrate_main(int argc, char *argv[]);

#endif
