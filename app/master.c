/* master.c - fork, reap, respawn and stop the workers; see master.h. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "listen.h"
#include "log.h"
#include "master.h"
#include "privs.h"
#include "worker.h"

#define MAX_SLOTS		256	/* the bound on `workers` */
#define QUICK_DEATH_SEC		1.0	/* a worker dying this young crashed */
#define BACKOFF_MAX_SEC		10.0
#define FAST_STOP_GRACE_SEC	5.0	/* TERM, then KILL after this */

enum master_state {
	RUNNING,
	STOPPING_GRACEFUL,
	STOPPING_FAST
};

struct slot {
	pid_t		 pid;		/* 0 = free */
	double		 started;	/* monotonic seconds */
};

struct master {
	const struct config	*cfg;
	const struct router	*router;
	struct listener		 listener;
	struct privs		 privs;
	struct slot		 slots[MAX_SLOTS];
	int			 want;		/* workers to keep running */
	enum master_state	 state;
	double			 deadline;	/* of the current stop phase */
	int			 killed;	/* SIGKILL already sent */
	unsigned int		 crashes;	/* quick deaths in a row */
	double			 respawn_at;	/* back-off: no fork before */
	sigset_t		 handled;	/* blocked, taken by sigtimedwait */
	sigset_t		 orig_mask;	/* what workers get back */
};

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
live_workers(const struct master *m)
{
	int	 i, n = 0;

	for (i = 0; i < MAX_SLOTS; i++)
		if (m->slots[i].pid != 0)
			n++;
	return n;
}

static void
signal_workers(struct master *m, int sig)
{
	int	 i;

	for (i = 0; i < MAX_SLOTS; i++)
		if (m->slots[i].pid != 0)
			(void)kill(m->slots[i].pid, sig);
}

static void
spawn(struct master *m, struct slot *s)
{
	pid_t	 pid;

	if ((pid = fork()) == -1) {
		log_error("event=fork_failed msg=\"%s\"", strerror(errno));
		m->respawn_at = now() + 1.0;
		return;
	}
	if (pid == 0)
		worker_main(m->cfg, m->listener.fd, &m->privs, m->router,
		    &m->orig_mask);
	s->pid = pid;
	s->started = now();
	log_info("event=worker_start worker=%ld", (long)pid);
}

/* Fills free slots up to `want`, unless backing off after crashes. */
static void
spawn_missing(struct master *m)
{
	int	 i, n = live_workers(m);

	if (now() < m->respawn_at)
		return;
	for (i = 0; i < MAX_SLOTS && n < m->want; i++) {
		if (m->slots[i].pid != 0)
			continue;
		spawn(m, &m->slots[i]);
		if (m->slots[i].pid == 0)
			return;
		n++;
	}
}

/* A worker that dies young and badly is crashing: back off exponentially. */
static void
note_exit(struct master *m, const struct slot *s, int status)
{
	double	 lifetime = now() - s->started, delay;
	int	 clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;

	if (WIFSIGNALED(status))
		log_warn("event=worker_exit worker=%ld signal=%s%s "
		    "lifetime=%.3fs", (long)s->pid,
		    sigabbrev_np(WTERMSIG(status)) ?
		    sigabbrev_np(WTERMSIG(status)) : "?",
		    WCOREDUMP(status) ? " core=dumped" : "", lifetime);
	else if (clean)
		log_info("event=worker_exit worker=%ld status=0 "
		    "lifetime=%.3fs", (long)s->pid, lifetime);
	else
		log_warn("event=worker_exit worker=%ld status=%d "
		    "lifetime=%.3fs", (long)s->pid, WEXITSTATUS(status),
		    lifetime);
	if (m->state != RUNNING || clean || lifetime >= QUICK_DEATH_SEC) {
		m->crashes = 0;
		return;
	}
	m->crashes++;
	delay = 0.1 * (double)(1u << (m->crashes < 8 ? m->crashes : 8));
	if (delay > BACKOFF_MAX_SEC)
		delay = BACKOFF_MAX_SEC;
	m->respawn_at = now() + delay;
	log_warn("event=respawn_backoff crashes=%u delay=%.1fs", m->crashes,
	    delay);
}

static void
reap(struct master *m)
{
	pid_t	 pid;
	int	 status, i;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (i = 0; i < MAX_SLOTS; i++) {
			if (m->slots[i].pid != pid)
				continue;
			note_exit(m, &m->slots[i], status);
			m->slots[i].pid = 0;
			break;
		}
	}
}

static void
begin_stop(struct master *m, enum master_state how)
{
	if (m->state == STOPPING_FAST ||
	    (m->state == STOPPING_GRACEFUL && how == STOPPING_GRACEFUL))
		return;
	m->state = how;
	m->killed = 0;
	if (how == STOPPING_GRACEFUL) {
		m->deadline = now() + m->cfg->shutdown_timeout;
		log_info("event=stopping mode=graceful timeout=%ds",
		    m->cfg->shutdown_timeout);
		signal_workers(m, SIGQUIT);
	} else {
		m->deadline = now() + FAST_STOP_GRACE_SEC;
		log_info("event=stopping mode=fast");
		signal_workers(m, SIGTERM);
	}
}

/* Past the stop deadline, whatever is left is killed. */
static void
enforce_deadline(struct master *m)
{
	if (m->killed || now() < m->deadline)
		return;
	log_warn("event=stop_timeout workers=%d msg=\"killing the rest\"",
	    live_workers(m));
	signal_workers(m, SIGKILL);
	m->killed = 1;
}

static void
handle_signal(struct master *m, int sig)
{
	switch (sig) {
	case SIGCHLD:
		break;	/* reaped at the top of the loop */
	case SIGQUIT:
		begin_stop(m, STOPPING_GRACEFUL);
		break;
	case SIGTERM:
	case SIGINT:
		begin_stop(m, STOPPING_FAST);
		break;
	default:
		log_info("event=signal_ignored signal=%s",
		    sigabbrev_np(sig) ? sigabbrev_np(sig) : "?");
		break;
	}
}

static void
block_signals(struct master *m)
{
	static const int	 sigs[] = { SIGCHLD, SIGQUIT, SIGTERM, SIGINT,
	    SIGHUP, SIGUSR1, SIGUSR2, SIGTTIN, SIGTTOU };
	size_t			 i;

	sigemptyset(&m->handled);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&m->handled, sigs[i]);
	sigprocmask(SIG_BLOCK, &m->handled, &m->orig_mask);
	signal(SIGPIPE, SIG_IGN);
}

static void
loop(struct master *m)
{
	struct timespec	 tick;
	siginfo_t	 si;
	int		 sig;

	for (;;) {
		reap(m);
		if (m->state == RUNNING)
			spawn_missing(m);
		else if (live_workers(m) == 0)
			return;
		else
			enforce_deadline(m);
		tick.tv_sec = 0;
		tick.tv_nsec = m->state == RUNNING &&
		    m->respawn_at <= now() ? 500000000 : 50000000;
		if ((sig = sigtimedwait(&m->handled, &si, &tick)) > 0)
			handle_signal(m, sig);
	}
}

int
master_run(const struct config *cfg, const struct router *rt)
{
	struct master	*m;
	char		 err[512], q[LOG_QUOTE_MAX];

	if ((m = calloc(1, sizeof(*m))) == NULL)
		log_fatal("event=startup_failed msg=\"out of memory\"");
	m->cfg = cfg;
	m->router = rt;
	m->want = cfg->workers;
	block_signals(m);
	if (privs_resolve(&m->privs, cfg, err, sizeof(err)) == -1 ||
	    listener_open(&m->listener, cfg, err, sizeof(err)) == -1) {
		log_error("event=startup_failed msg=%s",
		    log_quote(q, sizeof(q), err, strlen(err)));
		free(m);
		return 1;
	}
	log_info("event=listening listen=%s workers=%d backlog=%d",
	    cfg->listen, cfg->workers, cfg->backlog);
	loop(m);
	listener_close(&m->listener);
	log_info("event=stopped");
	free(m);
	return 0;
}
