/* log.c - key=value event log; see log.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"

#define WORD_MAX 64 /* a LOG_WORD longer than this is quoted */
/* A pipe (the journal) takes a write of up to PIPE_BUF whole. */
#define LOG_BUF_SIZE PIPE_BUF

static enum log_level log_level = LOG_LEVEL_INFO;
static int            log_fd = STDERR_FILENO;
static pid_t          log_pid;       /* cached: getpid() is a system call */
static char           log_path[256]; /* for log_reopen; "" = stderr */

static const char *const level_names[LOG_LEVEL__MAX] = { "error", "warn",
	"info", "debug" };

/*
 * The buffer of a process that called log_buffer_start: complete lines
 * only, buf[0..buf_len).  Main code changes it only while `busy' is set;
 * the timer's handler then leaves it alone (and asks for a flush), and
 * the fatal signals' handler writes what is complete.
 */
static char                  buf[LOG_BUF_SIZE];
static volatile sig_atomic_t buf_len;
static volatile sig_atomic_t busy;
static volatile sig_atomic_t flush_wanted;
static int                   buffering;
static struct sigaction      old_fatal[NSIG];
static const int fatal_signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT,
	SIGTERM };

/* The timestamp of the last second a line was written in, formatted. */
static time_t stamp_sec = -1;
static char   stamp[32];

void
log_set_level(enum log_level level)
{
	log_level = level;
}

void
log_set_pid(void)
{
	log_pid = getpid();
}

int
log_level_from_name(const char *name)
{
	int i;

	for (i = 0; i < LOG_LEVEL__MAX; i++)
		if (strcmp(name, level_names[i]) == 0)
			return i;
	return -1;
}

const char *
log_level_name(enum log_level level)
{
	return level < LOG_LEVEL__MAX ? level_names[level] : "?";
}

int
log_open(const char *path)
{
	int fd;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd == -1)
		return -1;
	if (log_fd != STDERR_FILENO)
		close(log_fd);
	log_fd = fd;
	if (path != log_path)
		snprintf(log_path, sizeof(log_path), "%s", path);
	return 0;
}

int
log_reopen(void)
{
	log_flush();
	return log_path[0] != '\0' ? log_open(log_path) : 0;
}

/* Async-signal-safe: write(2) until done or failed. */
static void
write_all(const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(log_fd, p, n)) == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

static void
write_buffer(void)
{
	write_all(buf, (size_t)buf_len);
	buf_len = 0;
}

void
log_flush(void)
{
	int saved = errno;

	busy = 1;
	atomic_signal_fence(memory_order_seq_cst);
	flush_wanted = 0;
	write_buffer();
	atomic_signal_fence(memory_order_seq_cst);
	busy = 0;
	errno = saved;
}

static void
on_timer(int sig)
{
	int saved = errno;

	(void)sig;
	if (busy)
		flush_wanted = 1; /* the main code flushes when done */
	else if (buf_len > 0)
		write_buffer();
	errno = saved;
}

/*
 * The lines so far go out before the process dies: a crash is when the
 * requests before it matter most.  Then the signal's own disposition (the
 * default, or a sanitizer's handler): a fault returns to the faulting
 * instruction, a sent signal is sent again.
 */
static void
on_fatal(int sig, siginfo_t *info, void *ctx)
{
	(void)ctx;
	write_all(buf, (size_t)buf_len);
	buf_len = 0;
	(void)sigaction(sig, &old_fatal[sig], NULL);
	if (info == NULL || info->si_code <= 0 || sig == SIGABRT ||
	    sig == SIGTERM)
		(void)raise(sig);
}

int
log_buffer_start(unsigned int flush_ms)
{
	struct sigaction sa;
	struct itimerval it;
	size_t           i;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_SIGINFO;
	sa.sa_sigaction = on_fatal;
	for (i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++)
		if (sigaction(fatal_signals[i], &sa,
			&old_fatal[fatal_signals[i]]) == -1)
			return -1;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART; /* the timer interrupts no system call */
	sa.sa_handler = on_timer;
	memset(&it, 0, sizeof(it));
	it.it_interval.tv_sec = flush_ms / 1000;
	it.it_interval.tv_usec = (suseconds_t)(flush_ms % 1000) * 1000;
	it.it_value = it.it_interval;
	if (sigaction(SIGALRM, &sa, NULL) == -1 ||
	    setitimer(ITIMER_REAL, &it, NULL) == -1 || atexit(log_flush) != 0)
		return -1;
	buffering = 1;
	return 0;
}

/* Appends a complete line; warnings and errors go out at once. */
static void
emit(enum log_level level, const char *line, size_t n)
{
	if (!buffering) {
		write_all(line, n);
		return;
	}
	busy = 1;
	atomic_signal_fence(memory_order_seq_cst);
	if ((size_t)buf_len + n > sizeof(buf))
		write_buffer();
	if (n > sizeof(buf))
		write_all(line, n);
	else {
		memcpy(buf + buf_len, line, n);
		atomic_signal_fence(memory_order_seq_cst);
		buf_len += (sig_atomic_t)n;
	}
	if (level <= LOG_LEVEL_WARN)
		write_buffer();
	atomic_signal_fence(memory_order_seq_cst);
	busy = 0;
	if (flush_wanted)
		log_flush();
}

/* "2026-11-28T08:30:00", formatted once a second. */
static const char *
seconds(time_t t)
{
	struct tm tm;

	if (t != stamp_sec) {
		gmtime_r(&t, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
		stamp_sec = t;
	}
	return stamp;
}

/*
 * A line being built.  Room for " cut=1" and the newline is kept back, so
 * a field that does not fit can be left out and the line still says so.
 */
#define LINE_TAIL 8

struct line {
	char   b[LOG_LINE_MAX];
	size_t n;
	int    cut;
};

/* [a-z0-9_], 1..WORD_MAX bytes: the shape of event names and keys. */
static int
is_key(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (i == WORD_MAX ||
		    !((s[i] >= 'a' && s[i] <= 'z') ||
			(s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return i > 0;
}

static int
is_word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' && strchr("._:/@+-", c));
}

static int
is_word(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > WORD_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (!is_word_char(s[i]))
			return 0;
	return 1;
}

const char *
log_quote(char *dst, size_t dstsz, const char *src, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t            i, o = 0;
	unsigned char     c;

	dst[o++] = '"';
	for (i = 0; i < len; i++) {
		if (o + 4 + 5 > dstsz) { /* room for \xHH, ...", NUL */
			memcpy(dst + o, "...", 3);
			o += 3;
			break;
		}
		c = (unsigned char)src[i];
		if (c == '"' || c == '\\') {
			dst[o++] = '\\';
			dst[o++] = (char)c;
		} else if (c >= 0x20 && c < 0x7f)
			dst[o++] = (char)c;
		else {
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[c >> 4];
			dst[o++] = hex[c & 0xf];
		}
	}
	dst[o++] = '"';
	dst[o] = '\0';
	return dst;
}

/* " key=value" of one field into out (at least LOG_QUOTE_MAX + 80). */
static size_t
render(const struct log_field *f, char *out, size_t outsz)
{
	const char *s = f->v.s, *key = is_key(f->key) ? f->key : "badkey";
	size_t      len, n;
	int         rc = 0;

	n = (size_t)snprintf(out, outsz, " %s=", key);
	switch (f->kind) {
	case LOG_K_STR:
	case LOG_K_OPT:
	case LOG_K_WORD:
		if (s == NULL) {
			rc = snprintf(out + n, outsz - n, "-");
			break;
		}
		len = f->len != (size_t)-1 ? f->len : strlen(s);
		if (f->kind == LOG_K_WORD && is_word(s, len))
			rc = snprintf(out + n, outsz - n, "%.*s", (int)len, s);
		else
			rc = (int)strlen(
			    log_quote(out + n, LOG_QUOTE_MAX, s, len));
		break;
	case LOG_K_INT:
		rc = snprintf(out + n, outsz - n, "%lld", f->v.i);
		break;
	case LOG_K_UINT:
		rc = snprintf(out + n, outsz - n, "%llu", f->v.u);
		break;
	case LOG_K_MS:
		rc = snprintf(out + n, outsz - n, "%.2f", f->v.d);
		break;
	case LOG_K_SECS:
		rc = snprintf(out + n, outsz - n, "%.3fs", f->v.d);
		break;
	case LOG_K_END:
		break;
	}
	n += rc > 0 ? (size_t)rc : 0;
	return n < outsz ? n : outsz - 1;
}

static void
add(struct line *l, const char *s, size_t len)
{
	if (l->cut || len > sizeof(l->b) - LINE_TAIL - l->n) {
		l->cut = 1;
		return;
	}
	memcpy(l->b + l->n, s, len);
	l->n += len;
}

void
log_event(enum log_level level, const char *event, const struct log_field *f)
{
	struct line    l;
	struct timeval tv;
	char           field[LOG_QUOTE_MAX + 80];
	int            saved = errno, rc;

	if (level > log_level)
		return;
	gettimeofday(&tv, NULL);
	l.cut = 0;
	rc = snprintf(l.b, sizeof(l.b), "%s.%03ldZ level=%s pid=%ld",
	    seconds(tv.tv_sec), (long)tv.tv_usec / 1000, level_names[level],
	    (long)(log_pid != 0 ? log_pid : getpid()));
	l.n = rc > 0 ? (size_t)rc : 0;
	rc = snprintf(field, sizeof(field), " event=%s",
	    is_key(event) ? event : "badkey");
	add(&l, field, (size_t)rc);
	for (; f->key != NULL; f++)
		if (f->kind != LOG_K_OPT || f->v.s != NULL)
			add(&l, field, render(f, field, sizeof(field)));
	if (l.cut) {
		memcpy(l.b + l.n, " cut=1", 6);
		l.n += 6;
	}
	l.b[l.n++] = '\n';
	emit(level, l.b, l.n);
	errno = saved;
}

void
log_event_exit(enum log_level level, const char *event,
    const struct log_field *f)
{
	log_event(level, event, f);
	exit(1);
}
