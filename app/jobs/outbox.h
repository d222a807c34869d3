/*
 * outbox.h - membermail outbox: delivers the outbox table's due rows over
 * SMTP (smtp.h), retrying with back-off and giving up after
 * outbox_max_attempts; and the site admins' "retry a failed message".
 *
 * Each message is claimed, sent and marked in a transaction of its own,
 * its row locked FOR UPDATE SKIP LOCKED, so concurrent runs never send
 * one message twice and a crash costs at most one resend.  Other modules
 * write the rows (in their change's transaction); this one only delivers.
 */
#ifndef MM_OUTBOX_H
#define MM_OUTBOX_H

#include <stdint.h>

#include "lib/err.h"

struct db;

#define OUTBOX_EXIT_UNAVAILABLE 75 /* EX_TEMPFAIL: relay down, none sent */

/* membermail outbox [-c FILE] [--once] [--limit N]: the exit status. */
int outbox_main(int argc, char *argv[]);

/*
 * Seconds to wait after the attempts-th failed attempt (1, 2, ...): one
 * minute doubling, capped at six hours, +-20% from r (any random value).
 */
long outbox_backoff(int attempts, uint32_t r);

/*
 * Makes failed message id due again (attempts 0, failed_at cleared,
 * last_error kept until the next attempt).  Call it inside the caller's
 * transaction (db_tx), next to its audit row.  APP_OK, APP_ENOTFOUND when
 * no failed message has that id, or what db_exec reported.
 */
enum app_err outbox_retry(struct db *, long long id);

#endif
