/* worker.c - the accept loop of one worker; see worker.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "conf.h"
#include "db.h"
#include "http.h"
#include "log.h"
#include "privs.h"
#include "req.h"
#include "route.h"
#include "worker.h"

static volatile sig_atomic_t	 stopping;
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
	set_handler(SIGUSR1, SIG_IGN);
	set_handler(SIGUSR2, SIG_IGN);
	set_handler(SIGTTIN, SIG_IGN);
	set_handler(SIGTTOU, SIG_IGN);
	set_handler(SIGCHLD, SIG_DFL);
}

static void
setup(int fd, const struct privs *privs, const sigset_t *unblock)
{
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
	sigprocmask(SIG_SETMASK, unblock, NULL);
}

/* Serves requests; returns why it stopped, for the log. */
static const char *
serve(const struct config *cfg, const struct router *rt, struct req *r,
    FCGX_Request *fr)
{
	long	 served = 0;
	int	 rc;

	while (!stopping) {
		if ((rc = FCGX_Accept_r(fr)) < 0) {
			if (stopping)
				break;
			if (rc == -EINTR)
				continue;
			log_error("event=accept_failed rc=%d", rc);
			return "accept failed";
		}
		route_dispatch(r, rt);
		FCGX_Finish_r(fr);
		req_log(r);
		req_end(r);
		if (cfg->max_requests > 0 && ++served >= cfg->max_requests)
			return "max_requests";
	}
	return "stop";
}

void
worker_main(const struct config *cfg, int fd, const struct privs *privs,
    const struct router *rt, const sigset_t *unblock)
{
	FCGX_Request	 fr;
	struct req	 r;
	struct db	*db;
	const char	*why;

	setup(fd, privs, unblock);
	/* Connected lazily by the first request that needs it. */
	if ((db = db_new(cfg, "membermail")) == NULL ||
	    FCGX_InitRequest(&fr, fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0 ||
	    req_init(&r, &fr, cfg, db) != 0)
		log_fatal("event=worker_setup_failed msg=\"out of memory\"");
	log_debug("event=worker_ready");
	why = serve(cfg, rt, &r, &fr);
	log_debug("event=worker_done why=\"%s\"", why);
	req_free(&r);
	db_free(db);
	http_cleanup();
	FCGX_Free(&fr, 1);
	exit(strcmp(why, "accept failed") == 0 ? 1 : 0);
}
