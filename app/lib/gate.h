/*
 * gate.h - a bound on expensive work shared by the processes of a server
 * (Argon2id derivations: each takes pwhash_memlimit of memory, so a burst
 * of unlocks must not run all at once).
 *
 * The code doing the work asks gate_enter before and calls gate_leave
 * after; whoever runs the process installs the gate (the workers: one on
 * the scoreboard, pm/worker.c).  Without one, everything may go: a command
 * line tool runs one derivation at a time anyway.
 */
#ifndef MM_GATE_H
#define MM_GATE_H

typedef int  gate_enter_fn(void *ctx, unsigned int wait_ms);
typedef void gate_leave_fn(void *ctx);

/* The process's gate (NULL functions: none). */
void gate_install(gate_enter_fn *, gate_leave_fn *, void *ctx);
/* 0: go ahead (then gate_leave); -1: still full after wait_ms. */
int  gate_enter(unsigned int wait_ms);
void gate_leave(void);

#endif
