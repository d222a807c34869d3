/* child.c - set-up shared by workers and the status process; see child.h. */
#include "config.h"

#include <sys/prctl.h>
#include <sys/socket.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "lib/log.h"
#include "pm/child.h"
#include "pm/privs.h"

volatile sig_atomic_t child_stopping;
volatile sig_atomic_t child_reopen_logs;
static int            listen_fd = -1;
static int            dummy_fd = -1;

static void
on_quit(int sig)
{
	(void)sig;
	child_stopping = 1;
	(void)dup2(dummy_fd, listen_fd);
}

static void
on_usr1(int sig)
{
	(void)sig;
	child_reopen_logs = 1;
}

static void
set_handler(int sig, void (*fn)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(sig, &sa, NULL);
}

static void
install_signals(void)
{
	static const int ignored[] = { SIGPIPE, SIGINT, SIGHUP, SIGUSR2,
		SIGTTIN, SIGTTOU };
	size_t           i;

	set_handler(SIGQUIT, on_quit);
	set_handler(SIGUSR1, on_usr1);
	set_handler(SIGTERM, SIG_DFL);
	set_handler(SIGCHLD, SIG_DFL);
	for (i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		set_handler(ignored[i], SIG_IGN);
}

/*
 * A child must not outlive its master (killed by SIGKILL, say): it would
 * keep the socket alive and block the next start.  The kernel sends TERM
 * when the master dies; if it died before we asked, we leave now.  Called
 * after the uid change, which clears the setting.
 */
static void
orphan_guard(void)
{
	pid_t master = getppid();

	(void)prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != master || master == 1)
		_exit(0);
}

void
child_setup(const char *name, int fd, const struct privs *privs,
    const sigset_t *unblock)
{
	(void)prctl(PR_SET_NAME, name);
	log_set_pid();
	listen_fd = fd;
	if ((dummy_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		log_fatal("child_setup_failed", LOG_WORD("name", name),
		    LOG_STR("msg", "socket"),
		    LOG_STR("error", strerror(errno)));
	if (FCGX_Init() != 0)
		log_fatal("child_setup_failed", LOG_WORD("name", name),
		    LOG_STR("msg", "FCGX_Init failed"));
	install_signals();
	if (privs_drop(privs) == -1)
		log_fatal("child_setup_failed", LOG_WORD("name", name),
		    LOG_STR("msg", "dropping privileges"),
		    LOG_STR("error", strerror(errno)));
	orphan_guard();
	sigprocmask(SIG_SETMASK, unblock, NULL);
}

static void
reopen_logs_if_asked(void)
{
	if (!child_reopen_logs)
		return;
	child_reopen_logs = 0;
	if (log_reopen() == -1)
		log_warn("log_reopen_failed", LOG_STR("msg", strerror(errno)));
}

/*
 * We accept the connection ourselves and hand it to libfcgi, which then
 * only reads the request.  Its own accept path, after accepting a unix
 * connection, waits in select() for the first bytes; a signal there (a
 * graceful retire, a log reopen) makes select fail with EINTR, and libfcgi
 * then closes the connection it accepted: nginx sees a broken pipe.
 * keepConnection keeps FCGX_Accept_r's opening FCGX_Finish_r from closing
 * the descriptor; the request's own flags decide after that.
 */
int
child_accept_fd(int *fdp)
{
	int fd;

	for (;;) {
		reopen_logs_if_asked();
		if (child_stopping)
			return 0;
		if ((fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC)) != -1) {
			*fdp = fd;
			return 1;
		}
		if (child_stopping)
			return 0;
		if (errno != EINTR && errno != ECONNABORTED &&
		    errno != EPROTO) {
			log_error("accept_failed",
			    LOG_STR("msg", strerror(errno)));
			return -1;
		}
	}
}

/* Whether only the end of stdin is left: a request without a body. */
static int
no_body(FCGX_Request *fr)
{
	const char *cl = FCGX_GetParam("CONTENT_LENGTH", fr->envp);

	return cl == NULL || *cl == '\0' || strcmp(cl, "0") == 0;
}

void
child_finish(FCGX_Request *fr)
{
	char trash[512];
	int  fd, n, left = CHILD_DRAIN_MAX;

	if (fr->keepConnection || !no_body(fr)) {
		FCGX_Finish_r(fr); /* kept open, or closed libfcgi's way */
		return;
	}
	while (left > 0 && (n = FCGX_GetStr(trash, sizeof(trash), fr->in)) > 0)
		left -= n;
	if (!FCGX_HasSeenEOF(fr->in)) {
		FCGX_Finish_r(fr);
		return;
	}
	fr->keepConnection = 1; /* libfcgi leaves the descriptor to us */
	FCGX_Finish_r(fr);
	if ((fd = fr->ipcFd) == -1)
		return; /* libfcgi closed it after an error */
	(void)close(fd);
	fr->ipcFd = -1;
}

int
child_accept(FCGX_Request *fr)
{
	int rc, fd;

	for (;;) {
		if ((rc = child_accept_fd(&fd)) != 1)
			return rc;
		fr->ipcFd = fd;
		fr->keepConnection = 1;
		if ((rc = FCGX_Accept_r(fr)) >= 0) {
			/* USR1 may have come while we read the request. */
			reopen_logs_if_asked();
			return 1;
		}
		if (child_stopping)
			return 0;
		if (rc != -EINTR) {
			log_error("accept_failed", LOG_INT("rc", rc));
			return -1;
		}
	}
}
