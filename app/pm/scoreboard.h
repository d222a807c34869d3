/*
 * scoreboard.h - what the process manager and its workers know of each
 * other, in shared memory.
 *
 * The master creates it before the first fork as a named POSIX shared
 * memory object ("/membermail.<master pid>", mode 0600, unlinked at exit)
 * so that `membermail ctl` and the status process can map it too.  Each
 * worker writes only its own slot; the master writes the slot's pid,
 * generation and FREE/STARTING state; counters shared by all are updated
 * with atomic builtins.  Readers take what they see: a value may be one
 * request stale, never torn in a way that matters (all fields are words).
 *
 * Times are CLOCK_REALTIME milliseconds (for people) and CLOCK_MONOTONIC
 * milliseconds (for timeouts).
 */
#ifndef MM_SCOREBOARD_H
#define MM_SCOREBOARD_H

#include <stdint.h>
#include <sys/types.h>

#define SB_MAX_WORKERS 256
#define SB_METHOD_MAX  8
#define SB_URI_MAX     128

enum sb_state {
	SB_FREE = 0, /* no process */
	SB_STARTING, /* forked, not yet accepting */
	SB_IDLE,     /* waiting in accept */
	SB_BUSY,     /* serving a request */
	SB_EXITING   /* told to stop; finishing */
};

/* The pools of workers, each on its own socket. */
enum sb_pool {
	SB_POOL_FCGI = 0, /* FastCGI: the web pages and the API */
	SB_POOL_LMTP,     /* LMTP: Postfix delivering kept mail */
	SB_POOLS
};

struct sb_worker {
	int32_t  pid;
	uint32_t generation;            /* reloads replace a whole generation */
	int32_t  state;                 /* enum sb_state */
	int32_t  pool;                  /* enum sb_pool */
	uint64_t started_ms;            /* realtime: process start */
	uint64_t requests;              /* served by this process */
	uint64_t req_start_ms;          /* realtime: current or last request */
	uint64_t req_start_mono;        /* monotonic ms: for request_timeout */
	uint64_t req_duration_us;       /* last finished request */
	char     method[SB_METHOD_MAX]; /* current or last request */
	char     uri[SB_URI_MAX];       /* path only, cut */
	uint32_t pwhash; /* 1 while it runs an Argon2id derivation */
	uint32_t _pad;
};

/*
 * The LMTP pool's own figures (the FastCGI pool's are the scoreboard's
 * top-level ones, which came first).  accepted counts connections,
 * messages the deliveries stored (one per recipient).
 */
struct sb_lmtp {
	uint32_t want;           /* the master's target */
	uint32_t listen_backlog; /* configured */
	uint32_t max_active;
	uint32_t max_listen_queue;
	uint64_t accepted;
	uint64_t messages;
	uint64_t max_children_reached;
};

#define SB_MAGIC   0x6d6d7362u /* "mmsb" */
#define SB_VERSION 2           /* bump when the layout changes */

struct scoreboard {
	uint32_t         magic;    /* SB_MAGIC */
	uint32_t         version;  /* SB_VERSION */
	uint64_t         start_ms; /* realtime: master start */
	pid_t            master_pid;
	uint32_t         generation;     /* current generation */
	uint32_t         want_workers;   /* the master's target */
	uint32_t         listen_backlog; /* configured */
	uint64_t         accepted;       /* requests accepted, all time */
	uint64_t         slow_requests;
	uint64_t         killed_by_timeout;
	uint64_t         crashes;              /* abnormal worker exits */
	uint64_t         max_children_reached; /* episodes of all busy */
	uint32_t         max_active;           /* most busy at once */
	uint32_t         max_listen_queue;     /* most queued connections */
	struct sb_lmtp   lmtp;                 /* want 0: no LMTP pool */
	uint32_t         pwhash_limit; /* Argon2id derivations at once */
	uint32_t         _pad;
	struct sb_worker workers[SB_MAX_WORKERS];
};

/*
 * Creates and maps the scoreboard of this master (zeroed); NULL with errno
 * on failure.  sb_close unmaps; sb_destroy also removes the name.
 */
struct scoreboard *sb_create(pid_t master);
/*
 * Maps an existing master's scoreboard read-only (ctl); NULL with errno,
 * EPROTO when it was written by a binary with another layout.
 */
const struct scoreboard *sb_open(pid_t master);
void                     sb_close(const struct scoreboard *);
void                     sb_destroy(struct scoreboard *, pid_t master);

uint64_t sb_now_ms(void);  /* realtime */
uint64_t sb_mono_ms(void); /* monotonic */

/* Counts of a pool's live slots in each state (indexed by enum sb_state). */
void sb_count(const struct scoreboard *, enum sb_pool, uint32_t n[5]);

/*
 * Slot `slot` may start an Argon2id derivation once fewer than
 * pwhash_limit slots run one: 0 when it may (then sb_pwhash_leave), -1
 * when wait_ms passed first.  A slot announces itself before it counts
 * the others, and steps back (with a random pause) when too many did, so
 * the limit holds without a lock; a worker that dies inside releases its
 * place when the master clears its slot.
 */
int  sb_pwhash_enter(struct scoreboard *, int slot, unsigned int wait_ms);
void sb_pwhash_leave(struct scoreboard *, int slot);

#endif
