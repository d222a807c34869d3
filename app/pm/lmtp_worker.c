/* lmtp_worker.c - the accept loop of one LMTP worker; see lmtp_worker.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/arena.h"
#include "lib/conf.h"
#include "lib/log.h"
#include "mail/mime.h"
#include "mail/session.h"
#include "pm/child.h"
#include "pm/lmtp_worker.h"
#include "pm/scoreboard.h"
#include "pm/worker.h"
#include "store/db.h"

#define ARENA_MAX (4 * 1024 * 1024) /* a message's summary strings */

struct slot {
	struct scoreboard *sb;
	struct sb_worker  *w;
	unsigned long      counted; /* stored, already added to sb */
};

/* A command or a message: the busy clock restarts, counters move. */
static void
progress(void *ctx, unsigned long stored)
{
	struct slot *s = ctx;

	s->w->req_start_mono = sb_mono_ms();
	if (stored > s->counted) {
		__atomic_add_fetch(&s->sb->lmtp.messages, stored - s->counted,
		    __ATOMIC_RELAXED);
		s->w->requests += stored - s->counted;
		s->counted = stored;
	}
}

static void
mark_busy(struct slot *s)
{
	memcpy(s->w->method, "LMTP", 5);
	memcpy(s->w->uri, "connection", 11);
	s->w->req_start_ms = sb_now_ms();
	s->w->req_start_mono = sb_mono_ms();
	s->w->state = SB_BUSY;
	s->counted = 0;
	__atomic_add_fetch(&s->sb->lmtp.accepted, 1, __ATOMIC_RELAXED);
}

static const char *
serve(const struct worker_env *env, struct lmtp_env *lenv, struct slot *s)
{
	unsigned long stored = 0,
		      budget = (unsigned long)worker_budget(env->cfg);
	uint64_t t0;
	int      rc, fd;

	for (;;) {
		s->w->state = SB_IDLE;
		if ((rc = child_accept_fd(&fd)) != 1)
			return rc == 0 ? "stop" : "accept failed";
		mark_busy(s);
		t0 = sb_mono_ms();
		stored += lmtp_session(fd, lenv);
		close(fd);
		s->w->req_duration_us = (sb_mono_ms() - t0) * 1000;
		if (budget > 0 && stored >= budget)
			return "max_requests";
	}
}

void
lmtp_worker_main(const struct worker_env *env)
{
	struct slot     s = { env->sb, &env->sb->workers[env->slot], 0 };
	struct lmtp_env lenv;
	struct db      *db;
	struct arena   *arena;
	char            host[256];
	const char     *why;

	child_setup("mm-lmtp", env->listen_fd, env->privs, env->unblock);
	mime_init();
	if (gethostname(host, sizeof(host)) == -1)
		memcpy(host, "localhost", 10);
	host[sizeof(host) - 1] = '\0';
	if ((db = db_new(env->cfg, "membermail lmtp")) == NULL ||
	    (arena = arena_new(ARENA_MAX)) == NULL)
		log_fatal("worker_setup_failed",
		    LOG_STR("msg", "out of memory"));
	lenv = (struct lmtp_env){ env->cfg, db, arena, host, &child_stopping,
		progress, &s };
	log_debug("worker_ready", LOG_WORD("pool", "lmtp"));
	why = serve(env, &lenv, &s);
	s.w->state = SB_EXITING;
	log_debug("worker_done", LOG_STR("why", why));
	arena_free(arena);
	db_free(db);
	mime_shutdown();
	exit(strcmp(why, "accept failed") == 0 ? 1 : 0);
}
