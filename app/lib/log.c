/* log.c - key=value event log; see log.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"

#define WORD_MAX 64 /* a LOG_WORD longer than this is quoted */

static enum log_level log_level = LOG_LEVEL_INFO;
static int            log_fd = STDERR_FILENO;
static pid_t          log_pid;       /* cached: getpid() is a system call */
static char           log_path[256]; /* for log_reopen; "" = stderr */

static const char *const level_names[LOG_LEVEL__MAX] = { "error", "warn",
	"info", "debug" };

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
	return log_path[0] != '\0' ? log_open(log_path) : 0;
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
	struct tm      tm;
	char           field[LOG_QUOTE_MAX + 80];
	int            saved = errno, rc;

	if (level > log_level)
		return;
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	l.cut = 0;
	l.n = strftime(l.b, sizeof(l.b), "%Y-%m-%dT%H:%M:%S", &tm);
	rc = snprintf(l.b + l.n, sizeof(l.b) - l.n, ".%03ldZ level=%s pid=%ld",
	    (long)tv.tv_usec / 1000, level_names[level],
	    (long)(log_pid != 0 ? log_pid : getpid()));
	l.n += rc > 0 ? (size_t)rc : 0;
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
	(void)!write(log_fd, l.b, l.n);
	errno = saved;
}

void
log_event_exit(enum log_level level, const char *event,
    const struct log_field *f)
{
	log_event(level, event, f);
	exit(1);
}
