/*
 * log.h - one line per event, in key=value form.
 *
 *	2026-11-28T08:30:00.123Z level=info pid=4242 event=worker_start ...
 *
 * The message is a printf format the caller writes as key=value pairs.
 * Never pass client-supplied bytes through %s directly: quote them with
 * log_quote(), which escapes everything but printable ASCII and bounds the
 * length.  Lines go to stderr (the journal under systemd) unless a log file
 * is opened; a line is written with one write(2) so workers do not interleave.
 */
#ifndef MM_LOG_H
#define MM_LOG_H

#include <stddef.h>

enum log_level {
	LOG_LEVEL_ERROR,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
	LOG_LEVEL__MAX
};

#define LOG_QUOTE_MAX 512 /* a quoted value is cut to this many bytes */

void log_set_level(enum log_level);
/* Remembers this process's pid for the lines; call again after fork. */
void log_set_pid(void);
/* Level from its name ("error", "warn", "info", "debug"); -1 if unknown. */
int         log_level_from_name(const char *);
const char *log_level_name(enum log_level);
/* Sends lines to `path` (appending) instead of stderr; -1 and errno on error. */
int log_open(const char *path);
/* Opens the same path again (after logrotate moved it); 0 with stderr. */
int log_reopen(void);

void log_error(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
/* Logs at error level and exits with status 1: start-up failures only. */
void log_fatal(const char *, ...)
    __attribute__((format(printf, 1, 2), noreturn));

/*
 * Writes `src` (len bytes, may hold NULs) into dst as a double-quoted
 * string: printable ASCII as is, `"` and `\` backslashed, anything else as
 * \xHH; cut with "..." to fit dstsz (at least 8).  Returns dst.
 */
const char *log_quote(char *dst, size_t dstsz, const char *src, size_t len);

#endif
