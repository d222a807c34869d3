/* worker.c - the accept loop of one worker; see worker.h. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include <fcgiapp.h>

#include "http/req.h"
#include "http/route.h"
#include "lib/conf.h"
#include "lib/gate.h"
#include "lib/log.h"
#include "mail/mime.h"
#include "pm/child.h"
#include "pm/privs.h"
#include "pm/scoreboard.h"
#include "pm/worker.h"
#include "proto/httpc.h"
#include "rules/provision.h"
#include "store/db.h"

/*
 * How long a worker's log lines may wait in its buffer (lib/log.h): the
 * lag of `tail -f', and what SIGKILL can lose.
 */
#define WORKER_LOG_FLUSH_MS 1000

/* Copies at most n - 1 bytes of the param (up to '?') into dst. */
static void
copy_param(char *dst, size_t n, const char *v, const char *stop)
{
	size_t len = v != NULL ? strcspn(v, stop) : 0;

	if (len >= n)
		len = n - 1;
	if (len > 0)
		memcpy(dst, v, len);
	dst[len] = '\0';
}

/* The scoreboard sees the request start: state, method, path, clock. */
static void
mark_busy(struct sb_worker *w, FCGX_Request *fr, struct scoreboard *sb)
{
	copy_param(w->method, sizeof(w->method),
	    FCGX_GetParam("REQUEST_METHOD", fr->envp), "");
	copy_param(w->uri, sizeof(w->uri),
	    FCGX_GetParam("REQUEST_URI", fr->envp), "?");
	w->req_start_ms = sb_now_ms();
	w->req_start_mono = sb_mono_ms();
	w->state = SB_BUSY;
	__atomic_add_fetch(&sb->accepted, 1, __ATOMIC_RELAXED);
}

/* ... and its end; a slow one is logged and counted. */
static void
mark_done(const struct worker_env *env, struct sb_worker *w)
{
	uint64_t us = (sb_mono_ms() - w->req_start_mono) * 1000;

	w->req_duration_us = us;
	w->requests++;
	w->state = SB_IDLE;
	if (env->cfg->slow_request > 0 &&
	    us / 1000 >= (uint64_t)env->cfg->slow_request) {
		__atomic_add_fetch(&env->sb->slow_requests, 1,
		    __ATOMIC_RELAXED);
		log_warn("slow_request", LOG_STR("method", w->method),
		    LOG_STR("path", w->uri), LOG_UINT("ms", us / 1000));
	}
}

long
worker_budget(const struct config *cfg)
{
	long n = cfg->max_requests, spread = n / 10;

	if (n <= 0)
		return 0;
	if (spread > 0)
		n += (long)randombytes_uniform((uint32_t)(2 * spread + 1)) -
		    spread;
	return n > 0 ? n : 1;
}

/* The Argon2id bound of gate.h, on the scoreboard. */
struct gate_slot {
	struct scoreboard *sb;
	int                slot;
};

static int
gate_enter_sb(void *ctx, unsigned int wait_ms)
{
	struct gate_slot *g = ctx;

	return sb_pwhash_enter(g->sb, g->slot, wait_ms);
}

static void
gate_leave_sb(void *ctx)
{
	struct gate_slot *g = ctx;

	sb_pwhash_leave(g->sb, g->slot);
}

/* Serves requests; returns why it stopped, for the log. */
static const char *
serve(const struct worker_env *env, struct req *r, FCGX_Request *fr)
{
	struct sb_worker *w = &env->sb->workers[env->slot];
	long              served = 0, budget = worker_budget(env->cfg);
	int               rc;

	for (;;) {
		w->state = SB_IDLE;
		if ((rc = child_accept(fr)) != 1)
			return rc == 0 ? "stop" : "accept failed";
		mark_busy(w, fr, env->sb);
		route_dispatch(r, env->router);
		child_finish(fr);
		mark_done(env, w);
		req_log(r);
		req_end(r);
		if (budget > 0 && ++served >= budget)
			return "max_requests";
	}
}

void
worker_main(const struct worker_env *env)
{
	static struct gate_slot gate;
	FCGX_Request            fr;
	struct req              r;
	struct db              *db;
	const char             *why;

	child_setup("mm-worker", env->listen_fd, env->privs, env->unblock);
	gate.sb = env->sb;
	gate.slot = env->slot;
	gate_install(gate_enter_sb, gate_leave_sb, &gate);
	if (log_buffer_start(WORKER_LOG_FLUSH_MS) == -1)
		log_warn("log_buffer_failed", LOG_STR("msg", strerror(errno)));
	/* Connected lazily by the first request that needs it. */
	if ((db = db_new(env->cfg, "membermail")) == NULL ||
	    FCGX_InitRequest(&fr, env->listen_fd, FCGI_FAIL_ACCEPT_ON_INTR) !=
		0 ||
	    req_init(&r, &fr, env->cfg, db) != 0)
		log_fatal("worker_setup_failed",
		    LOG_STR("msg", "out of memory"));
	log_debug("worker_ready");
#ifdef MM_TEST_HOOKS
	if (getenv("MM_TEST_CRASH_AT_START") != NULL)
		abort(); /* the crash-loop test */
#endif
	why = serve(env, &r, &fr);
	env->sb->workers[env->slot].state = SB_EXITING;
	log_debug("worker_done", LOG_STR("why", why));
	req_free(&r);
	db_free(db);
	http_cleanup();
	mime_shutdown();
	provision_cleanup();
	FCGX_Free(&fr, 1);
	exit(strcmp(why, "accept failed") == 0 ? 1 : 0);
}
