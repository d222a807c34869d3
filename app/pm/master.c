/* master.c - fork, watch, scale, reload, upgrade and stop; see master.h. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/conf.h"
#include "lib/log.h"
#include "pm/listen.h"
#include "pm/lmtp_worker.h"
#include "pm/master.h"
#include "pm/pidfile.h"
#include "pm/privs.h"
#include "pm/scoreboard.h"
#include "pm/sdnotify.h"
#include "pm/sockdiag.h"
#include "pm/status.h"
#include "pm/worker.h"
#include "views/view.h"

#define QUICK_DEATH_SEC     1.0 /* a worker dying this young crashed */
#define BACKOFF_MAX_SEC     10.0
#define FAST_STOP_GRACE_SEC 5.0  /* TERM, then KILL after this */
#define CRASHES_KEPT        1000 /* the bound on crash_limit */
#define ENV_LISTEN_FD       "MEMBERMAIL_LISTEN_FD"
#define ENV_STATUS_FD       "MEMBERMAIL_STATUS_FD"
#define ENV_LMTP_FD         "MEMBERMAIL_LMTP_FD"
#define ENV_OLD_MASTER      "MEMBERMAIL_OLD_MASTER"

enum master_state {
	RUNNING,
	STOPPING_GRACEFUL,
	STOPPING_FAST
};

/*
 * The master's own record of a worker.  The scoreboard is shared with the
 * workers, which run unprivileged and may write anything there, so whom
 * to signal, which generation a worker is of and when it started are kept
 * here; from the scoreboard the master reads only what a worker says of
 * itself (idle or busy, its request's clock and path), which can at worst
 * mislead it about that worker.
 */
struct kid {
	pid_t         pid; /* 0: a free slot */
	enum sb_pool  pool;
	uint32_t      generation;
	uint64_t      started_ms;
	unsigned char quit_sent;
	unsigned char timed_out;
};

struct master {
	struct config        cfg; /* replaced by a good HUP */
	const char          *cfg_path;
	char *const         *argv;                /* re-executed on USR2 */
	char                 self[CONF_PATH_MAX]; /* our binary's path */
	const struct router *router;
	struct listener      app, status, lmtp; /* lmtp.fd -1: no pool */
	struct privs         privs;
	struct scoreboard   *sb; /* shown to ctl and the status pages */
	struct kid           kids[SB_MAX_WORKERS]; /* slot i: sb->workers[i] */
	int                  want[SB_POOLS]; /* workers of this generation */
	enum master_state    state;
	int                  exit_code;
	double               deadline;     /* of the current stop phase */
	int                  killed;       /* SIGKILL already sent */
	unsigned int         quick_deaths; /* in a row, for back-off */
	double               respawn_at;   /* back-off: no fork before */
	double               crashes[CRASHES_KEPT]; /* ring of times */
	size_t               ncrashes;
	int                  all_busy[SB_POOLS]; /* a "max children" episode */
	pid_t                status_pid;
	pid_t                new_master; /* USR2: started, not yet in charge */
	pid_t                old_master; /* we replace it once ready */
	int                  ready;      /* READY told to systemd */
	sigset_t             handled;    /* blocked, taken by sigtimedwait */
	sigset_t             orig_mask;  /* what children get back */
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *
signame(int sig)
{
	const char *s = sigabbrev_np(sig);

	return s != NULL ? s : "?";
}

static const char *const pool_names[SB_POOLS] = { "fastcgi", "lmtp" };

/* Live worker processes; gen < 0 counts every generation. */
static int
live(const struct master *m, long gen)
{
	int i, n = 0;

	for (i = 0; i < SB_MAX_WORKERS; i++)
		if (m->kids[i].pid != 0 &&
		    (gen < 0 || m->kids[i].generation == (uint32_t)gen))
			n++;
	return n;
}

/* Live workers of one pool and generation. */
static int
live_in(const struct master *m, enum sb_pool pool, uint32_t gen)
{
	int i, n = 0;

	for (i = 0; i < SB_MAX_WORKERS; i++)
		if (m->kids[i].pid != 0 && m->kids[i].pool == pool &&
		    m->kids[i].generation == gen)
			n++;
	return n;
}

/* The pools this master runs: the LMTP one only with lmtp_listen. */
static int
pool_runs(const struct master *m, enum sb_pool pool)
{
	return pool == SB_POOL_FCGI || m->lmtp.fd != -1;
}

static void
set_want(struct master *m, enum sb_pool pool, int want)
{
	m->want[pool] = want;
	if (pool == SB_POOL_FCGI)
		m->sb->want_workers = (uint32_t)want;
	else
		m->sb->lmtp.want = (uint32_t)want;
}

static void
signal_all(struct master *m, int sig)
{
	int i;

	for (i = 0; i < SB_MAX_WORKERS; i++)
		if (m->kids[i].pid != 0)
			(void)kill(m->kids[i].pid, sig);
	if (m->status_pid != 0)
		(void)kill(m->status_pid, sig);
}

/* Graceful exit for one worker: it finishes its request first. */
static void
retire(struct master *m, int slot)
{
	if (m->kids[slot].quit_sent)
		return;
	m->kids[slot].quit_sent = 1;
	(void)kill(m->kids[slot].pid, SIGQUIT);
}

/* The child side of spawn: only its own pool's socket stays open. */
static void
run_worker(struct master *m, int slot, enum sb_pool pool)
{
	struct worker_env env = { &m->cfg,
		pool == SB_POOL_LMTP ? m->lmtp.fd : m->app.fd, &m->privs,
		m->router, &m->orig_mask, m->sb, slot };

	if (m->status.fd != -1)
		close(m->status.fd);
	if (pool == SB_POOL_LMTP) {
		close(m->app.fd);
		lmtp_worker_main(&env);
	}
	if (m->lmtp.fd != -1)
		close(m->lmtp.fd);
	worker_main(&env);
}

static void
spawn(struct master *m, int slot, enum sb_pool pool)
{
	struct sb_worker *w = &m->sb->workers[slot];
	struct kid       *k = &m->kids[slot];
	pid_t             pid;

	memset(w, 0, sizeof(*w));
	memset(k, 0, sizeof(*k));
	w->pool = (int32_t)pool;
	k->pool = pool;
	w->generation = k->generation = m->sb->generation;
	w->state = SB_STARTING;
	w->started_ms = k->started_ms = sb_now_ms();
	if ((pid = fork()) == -1) {
		log_error("fork_failed", LOG_STR("msg", strerror(errno)));
		m->respawn_at = now() + 1.0;
		return;
	}
	if (pid == 0)
		run_worker(m, slot, pool);
	w->pid = k->pid = pid;
	log_info("worker_start", LOG_INT("worker", pid),
	    LOG_WORD("pool", pool_names[pool]),
	    LOG_UINT("generation", k->generation));
}

/* Fills free slots up to each pool's `want` workers of this generation. */
static void
spawn_missing(struct master *m)
{
	enum sb_pool pool;
	int          i, n;

	if (now() < m->respawn_at)
		return;
	for (pool = 0; pool < SB_POOLS; pool++) {
		if (!pool_runs(m, pool))
			continue;
		n = live_in(m, pool, m->sb->generation);
		for (i = 0; i < SB_MAX_WORKERS && n < m->want[pool]; i++) {
			if (m->kids[i].pid != 0)
				continue;
			spawn(m, i, pool);
			if (m->kids[i].pid == 0)
				return;
			n++;
		}
	}
}

/*
 * One worker more than wanted (TTOU) leaves: an idle one if there is one,
 * so that no request waits for it.
 */
static void
trim_pool(struct master *m, enum sb_pool pool)
{
	uint32_t gen = m->sb->generation;
	int      i, pick = -1, n = 0;

	for (i = 0; i < SB_MAX_WORKERS; i++) {
		if (m->kids[i].pid == 0 || m->kids[i].pool != pool ||
		    m->kids[i].generation != gen || m->kids[i].quit_sent)
			continue;
		n++;
		if (pick == -1 || m->sb->workers[i].state == SB_IDLE)
			pick = i;
	}
	if (n > m->want[pool] && pick != -1)
		retire(m, pick);
}

static void
trim_excess(struct master *m)
{
	trim_pool(m, SB_POOL_FCGI);
	trim_pool(m, SB_POOL_LMTP);
}

/* This generation's workers all accept (idle or busy): it is ready. */
static int
generation_ready(const struct master *m)
{
	int32_t state;
	int     i, n[SB_POOLS] = { 0 };

	for (i = 0; i < SB_MAX_WORKERS; i++) {
		state = m->sb->workers[i].state;
		if (m->kids[i].pid != 0 &&
		    m->kids[i].generation == m->sb->generation &&
		    (state == SB_IDLE || state == SB_BUSY))
			n[m->kids[i].pool]++;
	}
	return n[SB_POOL_FCGI] >= m->want[SB_POOL_FCGI] &&
	    (!pool_runs(m, SB_POOL_LMTP) ||
		n[SB_POOL_LMTP] >= m->want[SB_POOL_LMTP]);
}

/* A reload's old generation leaves only once the new one is ready. */
static void
retire_old_generation(struct master *m)
{
	int i;

	if (!generation_ready(m))
		return;
	for (i = 0; i < SB_MAX_WORKERS; i++)
		if (m->kids[i].pid != 0 &&
		    m->kids[i].generation != m->sb->generation)
			retire(m, i);
}

/* crash_limit crashes within crash_interval: the supervisor should act. */
static void
count_crash(struct master *m)
{
	size_t limit = (size_t)m->cfg.crash_limit, oldest;
	double t = now();
	char   interval[16];

	__atomic_add_fetch(&m->sb->crashes, 1, __ATOMIC_RELAXED);
	m->crashes[m->ncrashes % CRASHES_KEPT] = t;
	m->ncrashes++;
	if (m->ncrashes < limit || m->state != RUNNING)
		return;
	oldest = (m->ncrashes - limit) % CRASHES_KEPT;
	if (t - m->crashes[oldest] > m->cfg.crash_interval)
		return;
	snprintf(interval, sizeof(interval), "%ds", m->cfg.crash_interval);
	log_error("giving_up", LOG_UINT("crashes", limit),
	    LOG_WORD("interval", interval),
	    LOG_STR("msg",
		"workers keep crashing; stopping for the "
		"supervisor to decide"));
	m->exit_code = 1;
	m->state = STOPPING_FAST;
	m->deadline = now() + FAST_STOP_GRACE_SEC;
	m->killed = 0;
	signal_all(m, SIGTERM);
}

static void
log_exit(const struct kid *k, int status, double lifetime, int bad)
{
	if (WIFSIGNALED(status) && WCOREDUMP(status))
		log_warn("worker_exit", LOG_INT("worker", k->pid),
		    LOG_WORD("signal", signame(WTERMSIG(status))),
		    LOG_WORD("core", "dumped"), LOG_SECS("lifetime", lifetime));
	else if (WIFSIGNALED(status))
		log_warn("worker_exit", LOG_INT("worker", k->pid),
		    LOG_WORD("signal", signame(WTERMSIG(status))),
		    LOG_SECS("lifetime", lifetime));
	else
		log_event(bad ? LOG_LEVEL_WARN : LOG_LEVEL_INFO, "worker_exit",
		    LOG_FIELDS_(LOG_INT("worker", k->pid),
			LOG_INT("status", WEXITSTATUS(status)),
			LOG_SECS("lifetime", lifetime)));
}

/*
 * A worker that dies badly is a crash (unless we killed it for a timeout);
 * one that dies young and badly makes the next respawn wait, doubling.
 */
static void
note_exit(struct master *m, int slot, int status)
{
	struct kid *k = &m->kids[slot];
	double      lifetime, delay;
	int         bad;

	lifetime = (double)(sb_now_ms() - k->started_ms) / 1e3;
	bad = !(WIFEXITED(status) && WEXITSTATUS(status) == 0) &&
	    !(m->state != RUNNING && WIFSIGNALED(status));
	log_exit(k, status, lifetime, bad);
	if (!bad || k->timed_out) {
		m->quick_deaths = 0;
		return;
	}
	count_crash(m);
	if (lifetime >= QUICK_DEATH_SEC) {
		m->quick_deaths = 0;
		return;
	}
	m->quick_deaths++;
	delay = 0.1 *
	    (double)(1u << (m->quick_deaths < 8 ? m->quick_deaths : 8));
	if (delay > BACKOFF_MAX_SEC)
		delay = BACKOFF_MAX_SEC;
	m->respawn_at = now() + delay;
	log_warn("respawn_backoff", LOG_UINT("crashes", m->quick_deaths),
	    LOG_SECS("delay", delay));
}

static int
slot_of(const struct master *m, pid_t pid)
{
	int i;

	for (i = 0; i < SB_MAX_WORKERS; i++)
		if (m->kids[i].pid == pid)
			return i;
	return -1;
}

/* The new master died before it took over: we stay in charge. */
static void
upgrade_failed(struct master *m, int status)
{
	char old[CONF_PATH_MAX + 8];

	if (WIFSIGNALED(status))
		log_error("upgrade_failed",
		    LOG_INT("new_master", m->new_master),
		    LOG_WORD("signal", signame(WTERMSIG(status))),
		    LOG_STR("msg", "the old master stays in charge"));
	else
		log_error("upgrade_failed",
		    LOG_INT("new_master", m->new_master),
		    LOG_INT("status", WEXITSTATUS(status)),
		    LOG_STR("msg", "the old master stays in charge"));
	m->new_master = 0;
	if (m->cfg.pid_file[0] != '\0') {
		snprintf(old, sizeof(old), "%s" PIDFILE_OLDBIN,
		    m->cfg.pid_file);
		(void)pidfile_rename(old, m->cfg.pid_file);
	}
}

static void
reap(struct master *m)
{
	pid_t pid;
	int   status, slot;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (pid == m->new_master) {
			upgrade_failed(m, status);
		} else if (pid == m->status_pid) {
			log_event(m->state == RUNNING &&
				    !(WIFEXITED(status) &&
					WEXITSTATUS(status) == 0) ?
				LOG_LEVEL_WARN :
				LOG_LEVEL_INFO,
			    "status_exit", LOG_FIELDS_(LOG_INT("pid", pid)));
			m->status_pid = 0;
		} else if ((slot = slot_of(m, pid)) != -1) {
			note_exit(m, slot, status);
			memset(&m->kids[slot], 0, sizeof(m->kids[slot]));
			memset(&m->sb->workers[slot], 0,
			    sizeof(m->sb->workers[slot]));
		}
	}
}

/*
 * How long a worker may stay busy (ms; 0 = forever): request_timeout for
 * a request; for an LMTP connection, twice lmtp_timeout since its last
 * command (the worker keeps its own, shorter deadlines).
 */
static uint64_t
busy_limit(const struct master *m, const struct kid *k)
{
	if (k->pool == SB_POOL_LMTP)
		return (uint64_t)m->cfg.lmtp_timeout * 2000;
	return (uint64_t)m->cfg.request_timeout * 1000;
}

/* A worker stuck in one request past its limit is killed. */
static void
enforce_request_timeout(struct master *m)
{
	const struct sb_worker *w;
	struct kid             *k;
	uint64_t                limit, t = sb_mono_ms();
	char                    method[SB_METHOD_MAX], path[SB_URI_MAX];
	int                     i;

	for (i = 0; i < SB_MAX_WORKERS; i++) {
		w = &m->sb->workers[i];
		k = &m->kids[i];
		limit = busy_limit(m, k);
		if (k->pid == 0 || w->state != SB_BUSY || k->timed_out ||
		    limit == 0 || t - w->req_start_mono < limit)
			continue;
		/* The worker's own words, copied and bounded before use. */
		memcpy(method, w->method, sizeof(method));
		method[sizeof(method) - 1] = '\0';
		memcpy(path, w->uri, sizeof(path));
		path[sizeof(path) - 1] = '\0';
		log_warn("request_timeout", LOG_INT("worker", k->pid),
		    LOG_STR("method", method), LOG_STR("path", path),
		    LOG_SECS("elapsed", (double)(t - w->req_start_mono) / 1e3),
		    LOG_STR("msg", "execution timed out, terminating"));
		k->timed_out = 1;
		__atomic_add_fetch(&m->sb->killed_by_timeout, 1,
		    __ATOMIC_RELAXED);
		(void)kill(k->pid, SIGKILL);
	}
}

/* Where a pool's peaks are kept in the scoreboard. */
struct peaks {
	uint32_t *max_active, *max_listen_queue;
	uint64_t *max_children_reached;
	int       fd;
};

static struct peaks
peaks_of(struct master *m, enum sb_pool pool)
{
	struct peaks p = { &m->sb->max_active, &m->sb->max_listen_queue,
		&m->sb->max_children_reached, m->app.fd };

	if (pool == SB_POOL_LMTP) {
		p.max_active = &m->sb->lmtp.max_active;
		p.max_listen_queue = &m->sb->lmtp.max_listen_queue;
		p.max_children_reached = &m->sb->lmtp.max_children_reached;
		p.fd = m->lmtp.fd;
	}
	return p;
}

/* Busy peaks, "all workers busy" episodes and the listen queue's peak. */
static void
watch_pool(struct master *m, enum sb_pool pool)
{
	struct peaks p = peaks_of(m, pool);
	uint32_t     idle = 0, busy = 0, queued, backlog;
	int32_t      state;
	int          i;

	for (i = 0; i < SB_MAX_WORKERS; i++) {
		if (m->kids[i].pid == 0 || m->kids[i].pool != pool)
			continue;
		state = m->sb->workers[i].state;
		idle += state == SB_IDLE;
		busy += state == SB_BUSY;
	}
	if (busy > *p.max_active)
		*p.max_active = busy;
	if (listen_queue(p.fd, &queued, &backlog) == 0 &&
	    queued > *p.max_listen_queue)
		*p.max_listen_queue = queued;
	if (idle > 0 || busy == 0) {
		m->all_busy[pool] = 0;
		return;
	}
	if (m->all_busy[pool])
		return;
	m->all_busy[pool] = 1;
	(*p.max_children_reached)++;
	log_warn("max_children_reached", LOG_WORD("pool", pool_names[pool]),
	    LOG_INT("workers", m->want[pool]),
	    LOG_STR("msg",
		pool == SB_POOL_LMTP ?
		    "every worker is busy; consider raising lmtp_workers "
		    "(ctl scale-lmtp or the config)" :
		    "every worker is busy; consider raising workers "
		    "(TTIN or the config)"));
}

static void
watch_load(struct master *m)
{
	watch_pool(m, SB_POOL_FCGI);
	if (pool_runs(m, SB_POOL_LMTP))
		watch_pool(m, SB_POOL_LMTP);
}

static void
spawn_status(struct master *m)
{
	pid_t pid;

	if (m->status.fd == -1 || m->status_pid != 0 || now() < m->respawn_at)
		return;
	if ((pid = fork()) == -1) {
		log_error("fork_failed", LOG_STR("msg", strerror(errno)));
		return;
	}
	if (pid == 0)
		status_main(&m->cfg, m->status.fd, m->app.fd, m->lmtp.fd, m->sb,
		    &m->privs, &m->orig_mask);
	m->status_pid = pid;
	log_info("status_start", LOG_INT("pid", pid),
	    LOG_STR("listen", m->cfg.status_listen));
}

/*
 * Ready: every worker accepts.  A new master (USR2) now takes over: the
 * old one is told to leave, the pid file becomes ours, systemd learns our
 * pid.  Until then the old master serves and stays in charge.
 */
static void
announce_ready(struct master *m)
{
	char err[512];

	if (m->ready || !generation_ready(m))
		return;
	m->ready = 1;
	if (m->cfg.pid_file[0] != '\0' &&
	    pidfile_write(m->cfg.pid_file, getpid(), err, sizeof(err)) == -1)
		log_error("pid_file_failed", LOG_STR("msg", err));
	if (m->old_master != 0) {
		log_info("upgrade_complete",
		    LOG_INT("old_master", m->old_master));
		m->app.keep_path = 0; /* ours now */
		m->status.keep_path = 0;
		m->lmtp.keep_path = 0;
		(void)kill(m->old_master, SIGQUIT);
		sd_notifyf("MAINPID=%ld\nREADY=1", (long)getpid());
	} else
		sd_notifyf("READY=1\nMAINPID=%ld", (long)getpid());
	log_info("ready", LOG_INT("workers", m->want[SB_POOL_FCGI]),
	    LOG_INT("lmtp_workers",
		pool_runs(m, SB_POOL_LMTP) ? m->want[SB_POOL_LMTP] : 0));
}

static void
scale(struct master *m, enum sb_pool pool, int delta)
{
	int  want = m->want[pool] + delta;
	char bounds[16];

	if (!pool_runs(m, pool) || want < 1 || want > m->cfg.max_workers) {
		snprintf(bounds, sizeof(bounds), "1..%d", m->cfg.max_workers);
		log_warn("scale_refused", LOG_INT("workers", want),
		    LOG_WORD("bounds", bounds),
		    LOG_WORD("pool", pool_names[pool]));
		return;
	}
	set_want(m, pool, want);
	log_info("scale", LOG_INT("workers", want),
	    LOG_WORD("pool", pool_names[pool]));
}

/* Keys a reload cannot change: the sockets and whom workers run as. */
static void
keep_fixed_keys(const struct config *old, struct config *new)
{
	static const struct {
		const char *name;
		size_t      off, size;
	} fixed[] = {
#define FIXED(k) \
	{ #k, offsetof(struct config, k), sizeof(((struct config *)0)->k) }
		FIXED(listen), FIXED(socket_mode), FIXED(socket_group),
		FIXED(backlog), FIXED(user), FIXED(group), FIXED(status_listen),
		FIXED(pid_file), FIXED(lmtp_listen), FIXED(lmtp_socket_group),
		FIXED(locale_dir), /* gettext never reloads a catalogue */
#undef FIXED
	};
	size_t i;

	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		if (memcmp((const char *)old + fixed[i].off,
			(const char *)new + fixed[i].off, fixed[i].size) == 0)
			continue;
		log_warn("reload_ignored", LOG_WORD("key", fixed[i].name),
		    LOG_STR("msg", "needs a restart or an upgrade (USR2)"));
		memcpy((char *)new + fixed[i].off,
		    (const char *)old + fixed[i].off, fixed[i].size);
	}
}

/*
 * A new log_file takes effect in the master now and in every process it
 * forks from now on; back to stderr needs a restart.  0, or -1 (the old
 * file stays).
 */
static int
reopen_log_file(const struct config *new)
{
	if (new->log_file[0] == '\0') {
		log_warn("reload_ignored", LOG_WORD("key", "log_file"),
		    LOG_STR("msg", "going back to stderr needs a restart"));
		return -1;
	}
	if (log_open(new->log_file) == -1) {
		log_error("reload_ignored", LOG_WORD("key", "log_file"),
		    LOG_STR("msg", strerror(errno)));
		return -1;
	}
	return 0;
}

/*
 * HUP: a config (and templates) that does not load is refused and the
 * running one stays; a good one starts a new generation, and the old one
 * leaves once the new one accepts (retire_old_generation).
 */
static void
reload(struct master *m)
{
	struct config new;
	char err[1024];

	sd_notifyf("RELOADING=1");
	conf_defaults(&new);
	if (conf_load(&new, m->cfg_path, err, sizeof(err)) == -1 ||
	    view_init(new.templates_dir, m->cfg.locale_dir, err, sizeof(err)) ==
		-1 ||
	    conf_check_langs(&new, err, sizeof(err)) == -1) {
		log_error("reload_refused", LOG_STR("msg", err));
		sd_notifyf("READY=1");
		return;
	}
	keep_fixed_keys(&m->cfg, &new);
	if (strcmp(new.log_file, m->cfg.log_file) != 0 &&
	    reopen_log_file(&new) == -1)
		memcpy(new.log_file, m->cfg.log_file, sizeof(new.log_file));
	m->cfg = new;
	log_set_level(m->cfg.log_level);
	set_want(m, SB_POOL_FCGI, m->cfg.workers);
	set_want(m, SB_POOL_LMTP,
	    pool_runs(m, SB_POOL_LMTP) ? m->cfg.lmtp_workers : 0);
	m->sb->pwhash_limit = (uint32_t)m->cfg.pwhash_concurrency;
	m->sb->generation++;
	m->ready = 1; /* already announced; stays so */
	/* The status process has the old config too: a new one starts. */
	if (m->status_pid != 0)
		(void)kill(m->status_pid, SIGQUIT);
	log_info("reload", LOG_UINT("generation", m->sb->generation),
	    LOG_INT("workers", m->want[SB_POOL_FCGI]),
	    LOG_INT("lmtp_workers",
		pool_runs(m, SB_POOL_LMTP) ? m->want[SB_POOL_LMTP] : 0));
	sd_notifyf("READY=1");
}

static void
reopen_logs(struct master *m)
{
	if (log_reopen() == -1)
		log_error("reopen_logs_failed",
		    LOG_STR("msg", strerror(errno)));
	signal_all(m, SIGUSR1);
	log_info("logs_reopened");
}

/* The child side of USR2: the new master, with our sockets. */
static void
exec_new_master(struct master *m)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%d", m->app.fd);
	setenv(ENV_LISTEN_FD, buf, 1);
	snprintf(buf, sizeof(buf), "%d", m->status.fd);
	setenv(ENV_STATUS_FD, buf, 1);
	snprintf(buf, sizeof(buf), "%d", m->lmtp.fd);
	setenv(ENV_LMTP_FD, buf, 1);
	snprintf(buf, sizeof(buf), "%ld", (long)getppid());
	setenv(ENV_OLD_MASTER, buf, 1);
	sigprocmask(SIG_SETMASK, &m->orig_mask, NULL);
	/* The path, not /proc/self/exe: that is the old, maybe deleted file. */
	execv(m->self, m->argv);
	_exit(127);
}

/*
 * USR2: start the (possibly new) binary as a new master sharing our
 * sockets; we keep serving until it says it is ready (by sending us QUIT).
 * The pid file moves aside to .oldbin meanwhile, as with nginx.
 */
static void
upgrade(struct master *m)
{
	char  old[CONF_PATH_MAX + 8];
	pid_t pid;

	if (m->new_master != 0) {
		log_warn("upgrade_refused",
		    LOG_STR("msg", "an upgrade is already under way"));
		return;
	}
	if (m->cfg.pid_file[0] != '\0') {
		snprintf(old, sizeof(old), "%s" PIDFILE_OLDBIN,
		    m->cfg.pid_file);
		(void)pidfile_rename(m->cfg.pid_file, old);
	}
	if ((pid = fork()) == -1) {
		log_error("upgrade_failed", LOG_STR("msg", "fork"),
		    LOG_STR("error", strerror(errno)));
		return;
	}
	if (pid == 0)
		exec_new_master(m);
	m->new_master = pid;
	log_info("upgrade_started", LOG_INT("new_master", pid));
}

static void
begin_stop(struct master *m, enum master_state how)
{
	char secs[16];

	if (m->state == STOPPING_FAST ||
	    (m->state == STOPPING_GRACEFUL && how == STOPPING_GRACEFUL))
		return;
	m->state = how;
	m->killed = 0;
	sd_notifyf("STOPPING=1");
	if (m->new_master != 0) {
		/* A new master has taken over: its socket file stays. */
		m->app.keep_path = 1;
		m->status.keep_path = 1;
		m->lmtp.keep_path = 1;
	}
	if (how == STOPPING_GRACEFUL) {
		m->deadline = now() + m->cfg.shutdown_timeout;
		snprintf(secs, sizeof(secs), "%ds", m->cfg.shutdown_timeout);
		log_info("stopping", LOG_WORD("mode", "graceful"),
		    LOG_WORD("timeout", secs),
		    LOG_WORD("handover", m->new_master != 0 ? "yes" : "no"));
		signal_all(m, SIGQUIT);
	} else {
		m->deadline = now() + FAST_STOP_GRACE_SEC;
		log_info("stopping", LOG_WORD("mode", "fast"));
		signal_all(m, SIGTERM);
	}
}

/* Past the stop deadline, whatever is left is killed. */
static void
enforce_deadline(struct master *m)
{
	if (m->killed || now() < m->deadline)
		return;
	log_warn("stop_timeout", LOG_INT("workers", live(m, -1)),
	    LOG_STR("msg", "killing the rest"));
	signal_all(m, SIGKILL);
	m->killed = 1;
}

/*
 * TTIN and TTOU scale the FastCGI pool; sent with sigqueue(3) and the
 * value MASTER_POOL_LMTP (`membermail ctl scale-lmtp`), the LMTP pool.
 */
static enum sb_pool
signal_pool(const siginfo_t *si)
{
	return si->si_code == SI_QUEUE &&
		si->si_value.sival_int == MASTER_POOL_LMTP ?
	    SB_POOL_LMTP :
	    SB_POOL_FCGI;
}

static void
handle_signal(struct master *m, int sig, const siginfo_t *si)
{
	if (m->state != RUNNING && sig != SIGTERM && sig != SIGINT &&
	    sig != SIGCHLD)
		return;
	switch (sig) {
	case SIGCHLD:
		break; /* reaped at the top of the loop */
	case SIGTTIN:
		scale(m, signal_pool(si), 1);
		break;
	case SIGTTOU:
		scale(m, signal_pool(si), -1);
		break;
	case SIGHUP:
		reload(m);
		break;
	case SIGUSR1:
		reopen_logs(m);
		break;
	case SIGUSR2:
		upgrade(m);
		break;
	case SIGQUIT:
		begin_stop(m, STOPPING_GRACEFUL);
		break;
	case SIGTERM:
	case SIGINT:
		begin_stop(m, STOPPING_FAST);
		break;
	default:
		break;
	}
}

static void
block_signals(struct master *m)
{
	static const int sigs[] = { SIGCHLD, SIGQUIT, SIGTERM, SIGINT, SIGHUP,
		SIGUSR1, SIGUSR2, SIGTTIN, SIGTTOU };
	size_t           i;

	sigemptyset(&m->handled);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&m->handled, sigs[i]);
	sigprocmask(SIG_BLOCK, &m->handled, &m->orig_mask);
	signal(SIGPIPE, SIG_IGN);
}

static void
tick(struct master *m)
{
	spawn_missing(m);
	trim_excess(m);
	retire_old_generation(m);
	spawn_status(m);
	enforce_request_timeout(m);
	watch_load(m);
	announce_ready(m);
}

static void
loop(struct master *m)
{
	struct timespec wait;
	siginfo_t       si;
	int             sig;

	for (;;) {
		reap(m);
		if (m->state == RUNNING)
			tick(m);
		else if (live(m, -1) == 0 && m->status_pid == 0)
			return;
		else
			enforce_deadline(m);
		wait.tv_sec = 0;
		wait.tv_nsec = m->state == RUNNING && m->ready &&
			m->respawn_at <= now() ?
		    500000000 :
		    100000000;
		if ((sig = sigtimedwait(&m->handled, &si, &wait)) > 0)
			handle_signal(m, sig, &si);
	}
}

/* An inherited descriptor number from the old master, or -1. */
static int
env_fd(const char *name)
{
	const char *v = getenv(name);
	char       *end;
	long        fd;

	if (v == NULL)
		return -1;
	fd = strtol(v, &end, 10);
	unsetenv(name); /* our children must not see it */
	return *end == '\0' && fd >= 0 && fd < 65536 ? (int)fd : -1;
}

/* Mode, group and queue of each socket. */
static struct listen_opts
opts_for(const struct master *m, const struct listener *l)
{
	struct listen_opts o = { m->cfg.socket_mode, m->cfg.socket_group,
		m->cfg.backlog, "socket_group" };

	if (l == &m->lmtp) {
		o.group = m->cfg.lmtp_socket_group;
		o.group_key = "lmtp_socket_group";
	}
	return o;
}

/*
 * The LMTP socket: inherited after USR2, else created when configured
 * (also by a new master whose config now asks for it).
 */
static int
open_lmtp(struct master *m, int fd, char *err, size_t errsz)
{
	struct listen_opts o = opts_for(m, &m->lmtp);

	m->lmtp.fd = -1;
	if (m->cfg.lmtp_listen[0] == '\0')
		return 0;
	if (fd != -1)
		return listener_adopt(&m->lmtp, fd, m->cfg.lmtp_listen, err,
		    errsz);
	return listener_open(&m->lmtp, m->cfg.lmtp_listen, &o, err, errsz);
}

/* The sockets: inherited after USR2, else created. */
static int
open_listeners(struct master *m, char *err, size_t errsz)
{
	int app_fd = env_fd(ENV_LISTEN_FD), status_fd = env_fd(ENV_STATUS_FD);
	int old = env_fd(ENV_OLD_MASTER), lmtp_fd = env_fd(ENV_LMTP_FD);
	struct listen_opts o = opts_for(m, &m->app);

	m->status.fd = -1;
	if (open_lmtp(m, lmtp_fd, err, errsz) == -1)
		return -1;
	if (app_fd != -1) {
		m->old_master = old > 0 ? old : 0;
		if (listener_adopt(&m->app, app_fd, m->cfg.listen, err,
			errsz) == -1)
			return -1;
		if (status_fd != -1 &&
		    listener_adopt(&m->status, status_fd, m->cfg.status_listen,
			err, errsz) == -1)
			return -1;
		log_info("sockets_inherited",
		    LOG_INT("old_master", m->old_master));
		return 0;
	}
	if (listener_open(&m->app, m->cfg.listen, &o, err, errsz) == -1)
		return -1;
	if (m->cfg.status_listen[0] != '\0' &&
	    listener_open(&m->status, m->cfg.status_listen, &o, err, errsz) ==
		-1)
		return -1;
	return 0;
}

static int
setup(struct master *m, char *err, size_t errsz)
{
	ssize_t n;

	n = readlink("/proc/self/exe", m->self, sizeof(m->self) - 1);
	if (n <= 0 || (size_t)n >= sizeof(m->self) - 1) {
		snprintf(err, errsz, "cannot tell our own path");
		return -1;
	}
	m->self[n] = '\0';
	if (privs_resolve(&m->privs, &m->cfg, err, errsz) == -1 ||
	    open_listeners(m, err, errsz) == -1)
		return -1;
	if ((m->sb = sb_create(getpid())) == NULL) {
		snprintf(err, errsz, "scoreboard: %s", strerror(errno));
		return -1;
	}
	set_want(m, SB_POOL_FCGI, m->cfg.workers);
	set_want(m, SB_POOL_LMTP,
	    pool_runs(m, SB_POOL_LMTP) ? m->cfg.lmtp_workers : 0);
	m->sb->listen_backlog = (uint32_t)m->cfg.backlog;
	m->sb->lmtp.listen_backlog = (uint32_t)m->cfg.backlog;
	m->sb->pwhash_limit = (uint32_t)m->cfg.pwhash_concurrency;
	m->sb->generation = 1;
	return 0;
}

static void
teardown(struct master *m)
{
	char old[CONF_PATH_MAX + 8];

	listener_close(&m->app);
	if (m->status.fd != -1 || m->status.is_unix)
		listener_close(&m->status);
	if (m->lmtp.fd != -1 || m->lmtp.is_unix)
		listener_close(&m->lmtp);
	if (m->sb != NULL)
		sb_destroy(m->sb, getpid());
	if (m->cfg.pid_file[0] != '\0') {
		pidfile_remove(m->cfg.pid_file, getpid());
		snprintf(old, sizeof(old), "%s" PIDFILE_OLDBIN,
		    m->cfg.pid_file);
		pidfile_remove(old, getpid());
	}
}

int
master_run(const struct config *cfg, const char *cfg_path, char *const argv[],
    const struct router *rt)
{
	struct master *m;
	char           err[512];
	int            rc;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		log_fatal("startup_failed", LOG_STR("msg", "out of memory"));
	m->cfg = *cfg;
	m->cfg_path = cfg_path;
	m->argv = argv;
	m->router = rt;
	m->status.fd = -1;
	m->app.fd = -1;
	m->lmtp.fd = -1;
	block_signals(m);
	if (setup(m, err, sizeof(err)) == -1) {
		log_error("startup_failed", LOG_STR("msg", err));
		teardown(m);
		free(m);
		return 1;
	}
	log_info("listening", LOG_STR("listen", m->cfg.listen),
	    LOG_INT("workers", m->cfg.workers),
	    LOG_INT("backlog", m->cfg.backlog));
	if (pool_runs(m, SB_POOL_LMTP))
		log_info("listening", LOG_STR("listen", m->cfg.lmtp_listen),
		    LOG_INT("lmtp_workers", m->cfg.lmtp_workers));
	loop(m);
	teardown(m);
	log_info("stopped");
	rc = m->exit_code;
	free(m);
	return rc;
}
