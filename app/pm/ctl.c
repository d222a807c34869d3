/* ctl.c - signal and inspect a running master; see ctl.h. */
#include "config.h"

#include <sys/types.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/climsg.h"
#include "lib/conf.h"
#include "pm/ctl.h"
#include "pm/master.h"
#include "pm/pidfile.h"
#include "pm/scoreboard.h"

#define POLL_MS     25
#define STEP_MS     5000 /* for the master to take TTIN or TTOU */
#define TIMEOUT_MAX 86400
#define LOAD(x)     __atomic_load_n(&(x), __ATOMIC_RELAXED)

struct ctl {
	struct config            cfg;
	const char              *cfgpath;
	const char              *pidpath;   /* --pid-file, else NULL */
	int                      timeout;   /* seconds; 0 = default */
	pid_t                    pid;       /* the master */
	pid_t                    old_pid;   /* .oldbin: upgrade's old */
	int                      upgrading; /* pid is the old master */
	const struct scoreboard *sb;
	uint64_t                 deadline; /* sb_mono_ms() */
	int                      pool;     /* scale: SB_POOL_FCGI or _LMTP */
};

/* Live workers by state, and by generation against `gen`. */
struct census {
	uint32_t n[5]; /* by enum sb_state */
	uint32_t total;
	uint32_t ready;     /* of gen, idle or busy */
	uint32_t unsettled; /* of gen, starting or exiting */
	uint32_t old;       /* of any other generation */
};

static void
pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		continue;
}

static int
expired(const struct ctl *c)
{
	return sb_mono_ms() >= c->deadline;
}

/* The live workers of one pool, or of every pool (pool -1). */
static void
census(const struct scoreboard *sb, uint32_t gen, int pool, struct census *k)
{
	const struct sb_worker *w;
	int                     i, st;

	memset(k, 0, sizeof(*k));
	for (i = 0; i < SB_MAX_WORKERS; i++) {
		w = &sb->workers[i];
		st = LOAD(w->state);
		if (LOAD(w->pid) == 0 || st <= SB_FREE || st > SB_EXITING ||
		    (pool != -1 && LOAD(w->pool) != pool))
			continue;
		k->n[st]++;
		k->total++;
		if (LOAD(w->generation) != gen)
			k->old++;
		else if (st == SB_IDLE || st == SB_BUSY)
			k->ready++;
		else
			k->unsettled++;
	}
}

/* Still there: a membermail, or a process we cannot tell about. */
static int
alive(pid_t pid)
{
	enum pid_kind kind = pidfile_check(pid, NULL, 0);

	return kind == PID_MEMBERMAIL || kind == PID_UNKNOWN;
}

/*
 * The master named by `path`: CTL_EXIT_OK with *pid, CTL_EXIT_NOT_RUNNING
 * with the reason in `why`, or CTL_EXIT_FAILED (already reported).
 */
static int
find_pid(const char *path, pid_t *pid, char *why, size_t whysz)
{
	char cmd[128];

	if (pidfile_read(path, pid) == -1) {
		if (errno == ENOENT) {
			snprintf(why, whysz, "no pid file %s", path);
			return CTL_EXIT_NOT_RUNNING;
		}
		cli_warnx("%s: %s", path,
		    errno == EINVAL ? "not a pid file "
				      "(want one decimal number)" :
				      strerror(errno));
		return CTL_EXIT_FAILED;
	}
	switch (pidfile_check(*pid, cmd, sizeof(cmd))) {
	case PID_MEMBERMAIL:
		return CTL_EXIT_OK;
	case PID_GONE:
		snprintf(why, whysz, "stale pid file %s: pid %ld is gone", path,
		    (long)*pid);
		return CTL_EXIT_NOT_RUNNING;
	case PID_OTHER:
		snprintf(why, whysz,
		    "stale pid file %s: pid %ld is now "
		    "another program (%s)",
		    path, (long)*pid, cmd);
		return CTL_EXIT_NOT_RUNNING;
	case PID_UNKNOWN:
		break;
	}
	cli_warnx("%s names pid %ld, whose command line cannot be read: cannot "
		  "tell whether it is membermail",
	    path, (long)*pid);
	return CTL_EXIT_FAILED;
}

/*
 * Finds the master.  While an upgrade is half way, pid_file is absent and
 * <pid_file>.oldbin names the old master, still in charge: status shows
 * it; the other commands fail, asking to try again once the new master is
 * ready (signalling the old one then would act on the wrong master).
 */
static int
find_master(struct ctl *c, int for_status)
{
	char old[PATH_MAX], why[PATH_MAX + 128];
	char why_old[PATH_MAX + 128];
	int  rc, rc_old;

	rc = find_pid(c->cfg.pid_file, &c->pid, why, sizeof(why));
	if (pidfile_oldbin(c->cfg.pid_file, old, sizeof(old)) == -1)
		return rc;
	rc_old = find_pid(old, &c->old_pid, why_old, sizeof(why_old));
	if (rc_old != CTL_EXIT_OK || c->old_pid == c->pid)
		c->old_pid = 0;
	if (rc == CTL_EXIT_NOT_RUNNING && c->old_pid != 0) {
		if (for_status) {
			c->pid = c->old_pid;
			c->old_pid = 0;
			c->upgrading = 1;
			return CTL_EXIT_OK;
		}
		cli_warnx(
		    "an upgrade is under way: the old master (pid %ld, %s) "
		    "is in charge until the new one is ready; try again in a "
		    "moment",
		    (long)c->old_pid, old);
		return CTL_EXIT_FAILED;
	}
	if (rc == CTL_EXIT_NOT_RUNNING) {
		if (for_status)
			printf("membermail is not running (%s)\n", why);
		else
			cli_warnx("membermail is not running (%s)", why);
	}
	return rc;
}

/* kill(2), or sigqueue(3) with value when value is not 0. */
static int
send_signal_value(const struct ctl *c, int sig, const char *name, int value)
{
	union sigval v = { .sival_int = value };
	char         cmd[128];
	int          saved;

	/* Again just before the signal: the pid must still be ours. */
	if (pidfile_check(c->pid, cmd, sizeof(cmd)) != PID_MEMBERMAIL) {
		cli_warnx("pid %ld has gone (or is no longer membermail)",
		    (long)c->pid);
		return CTL_EXIT_NOT_RUNNING;
	}
	if ((value != 0 ? sigqueue(c->pid, sig, v) : kill(c->pid, sig)) == -1) {
		saved = errno;
		if (saved == EPERM)
			cli_warnx(
			    "not allowed to send %s to pid %ld (%s): run "
			    "ctl as root, or as the user the master runs as",
			    name, (long)c->pid, cmd);
		else
			cli_warnx("kill %s %ld: %s", name, (long)c->pid,
			    strerror(saved));
		return saved == ESRCH ? CTL_EXIT_NOT_RUNNING : CTL_EXIT_FAILED;
	}
	return CTL_EXIT_OK;
}

static int
send_signal(const struct ctl *c, int sig, const char *name)
{
	return send_signal_value(c, sig, name, 0);
}

static int
open_scoreboard(struct ctl *c)
{
	if ((c->sb = sb_open(c->pid)) == NULL) {
		if (errno == ENOENT)
			cli_warnx(
			    "pid %ld has no scoreboard (/dev/shm/membermail."
			    "%ld): still starting, or not a master of this "
			    "version",
			    (long)c->pid, (long)c->pid);
		else if (errno == EACCES)
			cli_warnx(
			    "scoreboard of pid %ld: permission denied: run "
			    "ctl as root, or as the user the master runs as",
			    (long)c->pid);
		else
			cli_warnx("scoreboard of pid %ld: %s", (long)c->pid,
			    strerror(errno));
		return CTL_EXIT_FAILED;
	}
	if (LOAD(c->sb->master_pid) != c->pid) {
		cli_warnx("the scoreboard of pid %ld names master %ld",
		    (long)c->pid, (long)LOAD(c->sb->master_pid));
		return CTL_EXIT_FAILED;
	}
	return CTL_EXIT_OK;
}

static void
print_time(const char *label, uint64_t ms)
{
	char      buf[64];
	time_t    t = (time_t)(ms / 1000);
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, sizeof(buf), "?");
	printf("%-22s%s\n", label, buf);
}

static void
print_uptime(uint64_t start_ms)
{
	uint64_t now = sb_now_ms();
	uint64_t s = now > start_ms ? (now - start_ms) / 1000 : 0;

	printf("%-22s%llud %02llu:%02llu:%02llu (%llu s)\n",
	    "uptime:", (unsigned long long)(s / 86400),
	    (unsigned long long)(s / 3600 % 24),
	    (unsigned long long)(s / 60 % 60), (unsigned long long)(s % 60),
	    (unsigned long long)s);
}

#define ROW(label, v) printf("%-22s%llu\n", label, (unsigned long long)(v))

/* The LMTP pool's rows, when it runs. */
static void
status_lmtp(const struct scoreboard *sb, uint32_t gen)
{
	struct census k;

	census(sb, gen, SB_POOL_LMTP, &k);
	ROW("lmtp workers wanted:", LOAD(sb->lmtp.want));
	ROW("lmtp workers total:", k.total);
	ROW("lmtp idle workers:", k.n[SB_IDLE]);
	ROW("lmtp busy workers:", k.n[SB_BUSY]);
	ROW("lmtp connections:", LOAD(sb->lmtp.accepted));
	ROW("lmtp messages:", LOAD(sb->lmtp.messages));
	ROW("lmtp max active:", LOAD(sb->lmtp.max_active));
	ROW("lmtp max children:", LOAD(sb->lmtp.max_children_reached));
}

static int
cmd_status(struct ctl *c)
{
	const struct scoreboard *sb = c->sb;
	struct census            k;
	uint32_t                 gen = LOAD(sb->generation);

	census(sb, gen, SB_POOL_FCGI, &k);
	printf("membermail is running%s\n",
	    c->upgrading ?
		" (an upgrade is "
		"under way: the new master is not ready yet; this is the old one)" :
		"");
	ROW("master pid:", c->pid);
	if (c->old_pid != 0)
		printf("%-22s%ld (leaving after an upgrade)\n",
		    "old master:", (long)c->old_pid);
	print_time("start time:", LOAD(sb->start_ms));
	print_uptime(LOAD(sb->start_ms));
	ROW("generation:", gen);
	ROW("workers wanted:", LOAD(sb->want_workers));
	ROW("workers total:", k.total);
	ROW("idle workers:", k.n[SB_IDLE]);
	ROW("busy workers:", k.n[SB_BUSY]);
	ROW("starting workers:", k.n[SB_STARTING]);
	ROW("exiting workers:", k.n[SB_EXITING]);
	ROW("older generation:", k.old);
	ROW("accepted:", LOAD(sb->accepted));
	ROW("slow requests:", LOAD(sb->slow_requests));
	ROW("killed by timeout:", LOAD(sb->killed_by_timeout));
	ROW("crashes:", LOAD(sb->crashes));
	ROW("max active:", LOAD(sb->max_active));
	ROW("max children reached:", LOAD(sb->max_children_reached));
	ROW("max listen queue:", LOAD(sb->max_listen_queue));
	ROW("listen backlog:", LOAD(sb->listen_backlog));
	if (LOAD(sb->lmtp.want) > 0)
		status_lmtp(sb, gen);
	return CTL_EXIT_OK;
}

static int
cmd_reload(struct ctl *c)
{
	struct census k;
	uint32_t      gen0 = LOAD(c->sb->generation), gen = gen0;
	int           rc;

	if ((rc = send_signal(c, SIGHUP, "HUP")) != CTL_EXIT_OK)
		return rc;
	while (!expired(c)) {
		pause_ms(POLL_MS);
		if (!alive(c->pid)) {
			cli_warnx(
			    "the master (pid %ld) exited during the reload: "
			    "see the log",
			    (long)c->pid);
			return CTL_EXIT_FAILED;
		}
		if ((gen = LOAD(c->sb->generation)) == gen0)
			continue;
		census(c->sb, gen, -1, &k);
		if (k.old == 0 && k.unsettled == 0 && k.ready > 0) {
			printf("reloaded: generation %lu, %lu workers\n",
			    (unsigned long)gen, (unsigned long)k.ready);
			return CTL_EXIT_OK;
		}
	}
	census(c->sb, gen, -1, &k);
	cli_warnx(
	    "reload refused or still in progress — see the log "
	    "(generation %lu%s, %lu workers ready, %lu of the old generation "
	    "left, after %ds)",
	    (unsigned long)gen, gen == gen0 ? ", unchanged" : "",
	    (unsigned long)k.ready, (unsigned long)k.old, c->timeout);
	return CTL_EXIT_FAILED;
}

static int
cmd_stop(struct ctl *c)
{
	int rc;

	if ((rc = send_signal(c, SIGQUIT, "QUIT")) != CTL_EXIT_OK)
		return rc;
	while (!expired(c)) {
		if (!alive(c->pid)) {
			printf("stopped (pid %ld)\n", (long)c->pid);
			return CTL_EXIT_OK;
		}
		pause_ms(POLL_MS);
	}
	cli_warnx("pid %ld is still running after %ds: requests may still be "
		  "draining (see the log); \"kill -TERM %ld\" stops it fast",
	    (long)c->pid, c->timeout, (long)c->pid);
	return CTL_EXIT_FAILED;
}

/*
 * One TTIN or TTOU, then until the master's target moves.  The master
 * takes a signal within half a second; one it refuses (its running
 * max_workers may be lower than the file's) must not cost the whole
 * timeout.
 */
/* The master's target for the pool being scaled. */
static uint32_t
target(const struct ctl *c)
{
	return c->pool == SB_POOL_LMTP ? LOAD(c->sb->lmtp.want) :
					 LOAD(c->sb->want_workers);
}

static int
scale_step(struct ctl *c, uint32_t want, uint32_t n)
{
	uint64_t until = sb_mono_ms() + STEP_MS;
	int      up = n > want, rc;

	if (until > c->deadline)
		until = c->deadline;
	if ((rc = send_signal_value(c, up ? SIGTTIN : SIGTTOU,
		 up ? "TTIN" : "TTOU",
		 c->pool == SB_POOL_LMTP ? MASTER_POOL_LMTP : 0)) !=
	    CTL_EXIT_OK)
		return rc;
	while (target(c) == want) {
		if (sb_mono_ms() >= until || !alive(c->pid)) {
			cli_warnx(
			    "the master did not take %s: it still wants %lu "
			    "workers (see the log: event=scale_refused?)",
			    up ? "TTIN" : "TTOU", (unsigned long)want);
			return CTL_EXIT_FAILED;
		}
		pause_ms(POLL_MS / 5);
	}
	return CTL_EXIT_OK;
}

static int
cmd_scale(struct ctl *c, uint32_t n)
{
	struct census k;
	uint32_t      want, was = target(c);
	int           rc, steps = 0;

	if (c->pool == SB_POOL_LMTP && was == 0) {
		cli_warnx("the master runs no LMTP pool (lmtp_listen)");
		return CTL_EXIT_FAILED;
	}
	/* Each step moves the target by one; someone else's may too. */
	while ((want = target(c)) != n) {
		if (++steps > 2 * SB_MAX_WORKERS) {
			cli_warnx("the master's target keeps moving (now %lu)",
			    (unsigned long)want);
			return CTL_EXIT_FAILED;
		}
		if ((rc = scale_step(c, want, n)) != CTL_EXIT_OK)
			return rc;
	}
	for (;;) {
		census(c->sb, LOAD(c->sb->generation), c->pool, &k);
		if (k.total == n && k.n[SB_STARTING] == 0 &&
		    k.n[SB_EXITING] == 0) {
			printf("scaled to %lu worker%s (was %lu)\n",
			    (unsigned long)n, n == 1 ? "" : "s",
			    (unsigned long)was);
			return CTL_EXIT_OK;
		}
		if (expired(c) || !alive(c->pid))
			break;
		pause_ms(POLL_MS);
	}
	cli_warnx("the master wants %lu workers but %lu run (%lu starting, %lu "
		  "exiting) after %ds: see the log",
	    (unsigned long)n, (unsigned long)k.total,
	    (unsigned long)k.n[SB_STARTING], (unsigned long)k.n[SB_EXITING],
	    c->timeout);
	return CTL_EXIT_FAILED;
}

static int
cmd_reopen(struct ctl *c)
{
	int rc;

	if ((rc = send_signal(c, SIGUSR1, "USR1")) != CTL_EXIT_OK)
		return rc;
	printf("sent USR1 to pid %ld: logs reopen\n", (long)c->pid);
	return CTL_EXIT_OK;
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: membermail ctl [-c FILE] [--pid-file FILE] "
	    "[--timeout S]\n"
	    "           status|reload|stop|reopen-logs|scale N|scale-lmtp N\n"
	    "exit: 0 done (status: running), 1 failed, 2 usage, 3 not "
	    "running\n");
}

/* A whole number within lo..hi; -1 if not. */
static long
number(const char *what, const char *arg, long lo, long hi)
{
	char *end;
	long  v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || v < lo || v > hi) {
		cli_warnx("%s: \"%s\" is not a number of %ld..%ld", what, arg,
		    lo, hi);
		return -1;
	}
	return v;
}

/* 0, 1 for --help, -1 for a usage error. */
static int
parse_opts(int argc, char *argv[], struct ctl *c)
{
	static const struct option longopts[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ "pid-file", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
	};
	long v;
	int  ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			c->cfgpath = optarg;
			break;
		case 'p':
			if (strlen(optarg) >= sizeof(c->cfg.pid_file) ||
			    optarg[0] == '\0') {
				cli_warnx("--pid-file: empty or too long");
				return -1;
			}
			c->pidpath = optarg;
			break;
		case 't':
			if ((v = number("--timeout", optarg, 1, TIMEOUT_MAX)) ==
			    -1)
				return -1;
			c->timeout = (int)v;
			break;
		case 'h':
			return 1;
		default:
			return -1;
		}
	}
	return 0;
}

/*
 * The config gives pid_file, max_workers and shutdown_timeout.  One that
 * does not load stops a reload before any signal (the master would refuse
 * it too); the other commands go on with --pid-file and the defaults, so
 * that a half-edited file never keeps an operator from the server.
 */
static int
load_config(struct ctl *c, int reload)
{
	char err[1024];

	c->cfgpath = conf_path(c->cfgpath);
	conf_defaults(&c->cfg);
	if (conf_load(&c->cfg, c->cfgpath, err, sizeof(err)) == -1) {
		if (reload) {
			cli_warnx(
			    "reload refused: %s; no signal sent, the running "
			    "config stays",
			    err);
			return -1;
		}
		cli_warnx("%s", err);
		if (c->pidpath == NULL) {
			cli_warnx(
			    "the pid file is named by the config: fix it, "
			    "or give --pid-file FILE");
			return -1;
		}
		cli_warnx("going on with --pid-file and the default timeouts");
	}
	if (c->pidpath != NULL)
		snprintf(c->cfg.pid_file, sizeof(c->cfg.pid_file), "%s",
		    c->pidpath);
	if (c->cfg.pid_file[0] == '\0') {
		cli_warnx("%s: set pid_file: ctl finds the master through it",
		    c->cfgpath);
		return -1;
	}
	if (c->timeout == 0)
		c->timeout = c->cfg.shutdown_timeout + 10;
	return 0;
}

static int
run(struct ctl *c, const char *sub, long n)
{
	int rc, status = strcmp(sub, "status") == 0;

	if ((rc = find_master(c, status)) != CTL_EXIT_OK)
		return rc;
	if (strcmp(sub, "reopen-logs") == 0)
		return cmd_reopen(c);
	if (strcmp(sub, "stop") == 0) {
		c->deadline = sb_mono_ms() + (uint64_t)c->timeout * 1000;
		return cmd_stop(c);
	}
	if ((rc = open_scoreboard(c)) != CTL_EXIT_OK)
		return rc;
	c->deadline = sb_mono_ms() + (uint64_t)c->timeout * 1000;
	if (status)
		return cmd_status(c);
	if (strcmp(sub, "reload") == 0)
		return cmd_reload(c);
	return cmd_scale(c, (uint32_t)n);
}

int
ctl_main(int argc, char *argv[])
{
	static const char *const subs[] = { "status", "reload", "stop", "scale",
		"scale-lmtp", "reopen-logs" };
	struct ctl               c;
	const char              *sub;
	size_t                   i;
	long                     n = 0;
	int                      rc;

	cli_name("ctl");
	memset(&c, 0, sizeof(c));
	if ((rc = parse_opts(argc, argv, &c)) != 0) {
		usage(rc == 1 ? stdout : stderr);
		return rc == 1 ? CTL_EXIT_OK : CTL_EXIT_USAGE;
	}
	sub = optind < argc ? argv[optind] : "";
	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (strcmp(sub, subs[i]) == 0)
			break;
	if (i == sizeof(subs) / sizeof(subs[0]) ||
	    argc - optind != (strncmp(sub, "scale", 5) == 0 ? 2 : 1)) {
		usage(stderr);
		return CTL_EXIT_USAGE;
	}
	if (load_config(&c, strcmp(sub, "reload") == 0) == -1)
		return CTL_EXIT_FAILED;
	if (strncmp(sub, "scale", 5) == 0 &&
	    (n = number(sub, argv[optind + 1], 1, c.cfg.max_workers)) == -1)
		return CTL_EXIT_USAGE;
	c.pool = strcmp(sub, "scale-lmtp") == 0 ? SB_POOL_LMTP : SB_POOL_FCGI;
	rc = run(&c, sub, n);
	sb_close(c.sb);
	return rc;
}
