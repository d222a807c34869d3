/* log.c - key=value event log; see log.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"

#define LOG_LINE_MAX 4096

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

static void log_write(enum log_level, const char *, va_list)
    __attribute__((format(printf, 2, 0)));

static void
log_write(enum log_level level, const char *fmt, va_list ap)
{
	char           line[LOG_LINE_MAX];
	struct timeval tv;
	struct tm      tm;
	size_t         n;
	int            rc, saved = errno;

	if (level > log_level)
		return;
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	n = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%S", &tm);
	rc = snprintf(line + n, sizeof(line) - n, ".%03ldZ level=%s pid=%ld ",
	    (long)tv.tv_usec / 1000, level_names[level],
	    (long)(log_pid != 0 ? log_pid : getpid()));
	if (rc > 0)
		n += (size_t)rc;
	rc = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	if (rc > 0)
		n += (size_t)rc;
	if (n > sizeof(line) - 2)
		n = sizeof(line) - 2; /* cut, but keep the newline */
	line[n++] = '\n';
	(void)!write(log_fd, line, n);
	errno = saved;
}

#define LOG_FN(name, level)                \
	void name(const char *fmt, ...)    \
	{                                  \
		va_list ap;                \
                                           \
		va_start(ap, fmt);         \
		log_write(level, fmt, ap); \
		va_end(ap);                \
	}

LOG_FN(log_error, LOG_LEVEL_ERROR)
LOG_FN(log_warn, LOG_LEVEL_WARN)
LOG_FN(log_info, LOG_LEVEL_INFO)
LOG_FN(log_debug, LOG_LEVEL_DEBUG)

void
log_fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_write(LOG_LEVEL_ERROR, fmt, ap);
	va_end(ap);
	exit(1);
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
