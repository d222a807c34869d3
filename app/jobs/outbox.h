/*
 * outbox.h - membermail outbox: delivers the outbox table's due rows over
 * SMTP (smtp.h), retrying with back-off and giving up after
 * outbox_max_attempts.  A site admin's retry of a failed message is the
 * queue's rule (rules/notify.h: mail_retry).
 *
 * Each message is claimed, sent and marked in a transaction of its own,
 * its row locked FOR UPDATE SKIP LOCKED, so concurrent runs never send
 * one message twice and a crash costs at most one resend.  Other modules
 * write the rows (in their change's transaction); this one only delivers.
 */
#ifndef MM_OUTBOX_H
#define MM_OUTBOX_H

#include <stdint.h>

#define OUTBOX_EXIT_UNAVAILABLE 75 /* EX_TEMPFAIL: relay down, none sent */

/* membermail outbox [-c FILE] [--once] [--limit N]: the exit status. */
int outbox_main(int argc, char *argv[]);

/*
 * Seconds to wait after the attempts-th failed attempt (1, 2, ...): one
 * minute doubling, capped at six hours, +-20% from r (any random value).
 */
long outbox_backoff(int attempts, uint32_t r);

#endif
