/*
 * lmtp_worker.h - one pre-forked LMTP worker: Postfix's connections, one
 * at a time, each served to its end by mail/session.h.
 *
 * Forked by the master like a FastCGI worker (worker.h: the same
 * worker_env, signals and privileges), on the LMTP socket.  Its scoreboard
 * slot says Idle in accept and Running while a connection is open; the
 * connection's clock restarts at every command, and max_requests counts
 * the messages it stored (then the worker is replaced, between
 * connections).  QUIT lets a transaction in flight finish, then the
 * connection gets 421 and the worker exits.
 */
#ifndef MM_LMTP_WORKER_H
#define MM_LMTP_WORKER_H

struct worker_env;

void lmtp_worker_main(const struct worker_env *) __attribute__((noreturn));

#endif
