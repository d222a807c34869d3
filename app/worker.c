/* worker.c - the accept loop of one worker; see worker.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sodium.h>

#include <fcgiapp.h>

#include "conf.h"
#include "db.h"
#include "http.h"
#include "log.h"
#include "privs.h"
#include "req.h"
#include "route.h"
#include "scoreboard.h"
#include "worker.h"

static volatile sig_atomic_t	 stopping;
static volatile sig_atomic_t	 reopen_logs;
static int			 listen_fd = -1;
static int			 dummy_fd = -1;

/*
 * Graceful stop.  Handlers are installed with SA_RESTART so that a request
 * in flight is not disturbed; an idle worker's accept() is restarted by the
 * kernel on the same descriptor number, which now names a socket that is
 * not listening, so the accept fails at once (php-fpm's trick).
 */
static void
on_quit(int sig)
{
	(void)sig;
	stopping = 1;
	(void)dup2(dummy_fd, listen_fd);
}

static void
on_usr1(int sig)
{
	(void)sig;
	reopen_logs = 1;
}

static void
set_handler(int sig, void (*fn)(int))
{
	struct sigaction	 sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(sig, &sa, NULL);
}

/* After FCGX_Init, which installs handlers of its own we do not want. */
static void
install_signals(void)
{
	set_handler(SIGQUIT, on_quit);
	set_handler(SIGTERM, SIG_DFL);
	set_handler(SIGPIPE, SIG_IGN);
	set_handler(SIGINT, SIG_IGN);
	set_handler(SIGHUP, SIG_IGN);
	set_handler(SIGUSR1, on_usr1);
	set_handler(SIGUSR2, SIG_IGN);
	set_handler(SIGTTIN, SIG_IGN);
	set_handler(SIGTTOU, SIG_IGN);
	set_handler(SIGCHLD, SIG_DFL);
}

/*
 * A worker must not outlive its master (killed by SIGKILL, say): it would
 * keep the socket alive and block the next start.  The kernel sends TERM
 * when the master dies; if it died before we asked, we leave now.
 */
void
orphan_guard(void)
{
	pid_t	 master = getppid();

	(void)prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != master || master == 1)
		_exit(0);
}

static void
setup(int fd, const struct privs *privs, const sigset_t *unblock)
{
	(void)prctl(PR_SET_NAME, "mm-worker");	/* what ps and top show */
	log_set_pid();
	listen_fd = fd;
	dummy_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (dummy_fd == -1)
		log_fatal("event=worker_setup_failed msg=\"socket: %s\"",
		    strerror(errno));
	if (FCGX_Init() != 0)
		log_fatal("event=worker_setup_failed msg=\"FCGX_Init failed\"");
	install_signals();
	if (privs_drop(privs) == -1)
		log_fatal("event=worker_setup_failed msg=\"dropping privileges:"
		    " %s\"", strerror(errno));
	orphan_guard();		/* after privs_drop: a uid change clears it */
	sigprocmask(SIG_SETMASK, unblock, NULL);
}

/* Copies at most n - 1 bytes of the param (up to '?') into dst. */
static void
copy_param(char *dst, size_t n, const char *v, const char *stop)
{
	size_t	 len = v != NULL ? strcspn(v, stop) : 0;

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
	uint64_t	 us = (sb_mono_ms() - w->req_start_mono) * 1000;

	w->req_duration_us = us;
	w->requests++;
	w->state = SB_IDLE;
	if (env->cfg->slow_request > 0 &&
	    us / 1000 >= (uint64_t)env->cfg->slow_request) {
		__atomic_add_fetch(&env->sb->slow_requests, 1,
		    __ATOMIC_RELAXED);
		log_warn("event=slow_request method=\"%s\" path=\"%s\" "
		    "ms=%llu", w->method, w->uri,
		    (unsigned long long)(us / 1000));
	}
}

/*
 * This worker's share of max_requests, within +-10 %, so that workers
 * started together do not all recycle together.
 */
static long
request_budget(const struct config *cfg)
{
	long	 n = cfg->max_requests, spread = n / 10;

	if (n <= 0)
		return 0;
	if (spread > 0)
		n += (long)randombytes_uniform((uint32_t)(2 * spread + 1)) -
		    spread;
	return n > 0 ? n : 1;
}

/* Serves requests; returns why it stopped, for the log. */
static const char *
serve(const struct worker_env *env, struct req *r, FCGX_Request *fr)
{
	struct sb_worker	*w = &env->sb->workers[env->slot];
	long			 served = 0, budget = request_budget(env->cfg);
	int			 rc;

	while (!stopping) {
		if (reopen_logs) {
			reopen_logs = 0;
			(void)log_reopen();
		}
		w->state = SB_IDLE;
		if ((rc = FCGX_Accept_r(fr)) < 0) {
			if (stopping)
				break;
			if (rc == -EINTR)
				continue;
			log_error("event=accept_failed rc=%d", rc);
			return "accept failed";
		}
		mark_busy(w, fr, env->sb);
		route_dispatch(r, env->router);
		FCGX_Finish_r(fr);
		mark_done(env, w);
		req_log(r);
		req_end(r);
		if (budget > 0 && ++served >= budget)
			return "max_requests";
	}
	return "stop";
}

void
worker_main(const struct worker_env *env)
{
	FCGX_Request	 fr;
	struct req	 r;
	struct db	*db;
	const char	*why;

	setup(env->listen_fd, env->privs, env->unblock);
	/* Connected lazily by the first request that needs it. */
	if ((db = db_new(env->cfg, "membermail")) == NULL ||
	    FCGX_InitRequest(&fr, env->listen_fd, FCGI_FAIL_ACCEPT_ON_INTR) !=
	    0 || req_init(&r, &fr, env->cfg, db) != 0)
		log_fatal("event=worker_setup_failed msg=\"out of memory\"");
	log_debug("event=worker_ready");
#ifdef MM_TEST_HOOKS
	if (getenv("MM_TEST_CRASH_AT_START") != NULL)
		abort();	/* the crash-loop test */
#endif
	why = serve(env, &r, &fr);
	env->sb->workers[env->slot].state = SB_EXITING;
	log_debug("event=worker_done why=\"%s\"", why);
	req_free(&r);
	db_free(db);
	http_cleanup();
	FCGX_Free(&fr, 1);
	exit(strcmp(why, "accept failed") == 0 ? 1 : 0);
}
