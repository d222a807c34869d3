/*
 * log.h - one line per event, in key=value form.
 *
 *	2026-11-28T08:30:00.123Z level=warn pid=4242 event=slow_request method="GET" path="/my" ms=5012
 *
 * A call names its event and lists its fields; the field's kind decides
 * how its value is written, here and nowhere else, so that no caller can
 * let a byte it was sent end a value or start a line:
 *
 *	log_warn("slow_request", LOG_STR("method", m), LOG_STR("path", p),
 *	    LOG_UINT("ms", ms));
 *
 *	LOG_STR(k, s)		text, always in double quotes: printable ASCII
 *				as is, '"' and '\' backslashed, every other byte
 *				as \xHH; cut at LOG_QUOTE_MAX bytes with "...".
 *				NULL is written "-".
 *	LOG_STRN(k, s, n)	the same for n bytes (which may hold NULs)
 *	LOG_OPT(k, s)		as LOG_STR, and the field is left out when s
 *				is NULL
 *	LOG_WORD(k, s)		a word the program chose (a state, a signal, a
 *				name it has checked): bare when it is 1..64
 *				bytes of [A-Za-z0-9._:/@+-], else quoted as
 *				LOG_STR, so passing it client bytes is safe
 *	LOG_INT(k, v)		a signed integer, in decimal
 *	LOG_UINT(k, v)		an unsigned one
 *	LOG_MS(k, v)		milliseconds, two decimals ("0.41")
 *	LOG_SECS(k, v)		seconds, three decimals and "s" ("11.015s")
 *
 * Event names and keys are the program's own literals of [a-z0-9_]; one
 * that is not is written "badkey", never as given.  A line is at most
 * LOG_LINE_MAX bytes: a field that would not fit is left out whole and the
 * line ends with "cut=1".  It is written with one write(2), so workers do
 * not interleave; it goes to stderr (the journal under systemd) unless a
 * log file is opened.
 *
 * A worker buffers its info and debug lines (log_buffer_start): a request
 * then costs no system call for its line.  The buffer (PIPE_BUF bytes, so
 * one write to the journal's pipe stays whole) is written when the next
 * line would not fit, with any warning or error (after what came before
 * it), every flush_ms by a timer (so an idle worker's lines are out within
 * that time), at exit, before a reopen and when a fatal signal arrives
 * (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTERM).  Only SIGKILL (the
 * OOM killer, a request timeout) can lose lines: those of the last
 * flush_ms at most.
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
#define LOG_LINE_MAX  4096

enum log_kind {
	LOG_K_END,
	LOG_K_STR,
	LOG_K_OPT,
	LOG_K_WORD,
	LOG_K_INT,
	LOG_K_UINT,
	LOG_K_MS,
	LOG_K_SECS
};

struct log_field {
	const char   *key;
	enum log_kind kind;
	union {
		const char        *s;
		long long          i;
		unsigned long long u;
		double             d;
	} v;
	size_t len; /* LOG_STRN's length; (size_t)-1: strlen */
};

/* One initialiser a line: clang-format would spread each over four. */
/* clang-format off */
#define LOG_STR(k_, s_)		{ .key = (k_), .kind = LOG_K_STR,	\
				  .v.s = (s_), .len = (size_t)-1 }
#define LOG_STRN(k_, s_, n_)	{ .key = (k_), .kind = LOG_K_STR,	\
				  .v.s = (s_), .len = (n_) }
#define LOG_OPT(k_, s_)		{ .key = (k_), .kind = LOG_K_OPT,	\
				  .v.s = (s_), .len = (size_t)-1 }
#define LOG_WORD(k_, s_)	{ .key = (k_), .kind = LOG_K_WORD,	\
				  .v.s = (s_), .len = (size_t)-1 }
#define LOG_INT(k_, x_)		{ .key = (k_), .kind = LOG_K_INT,	\
				  .v.i = (long long)(x_) }
#define LOG_UINT(k_, x_)	{ .key = (k_), .kind = LOG_K_UINT,	\
				  .v.u = (unsigned long long)(x_) }
#define LOG_MS(k_, x_)		{ .key = (k_), .kind = LOG_K_MS,	\
				  .v.d = (double)(x_) }
#define LOG_SECS(k_, x_)	{ .key = (k_), .kind = LOG_K_SECS,	\
				  .v.d = (double)(x_) }
/* The fields of one call, ended by the { .key = NULL } added here. */
#define LOG_FIELDS_(...)	((const struct log_field[]){ __VA_ARGS__ \
				    __VA_OPT__(,) { .key = NULL } })
/* clang-format on */

#define log_error(event, ...) \
	log_event(LOG_LEVEL_ERROR, (event), LOG_FIELDS_(__VA_ARGS__))
#define log_warn(event, ...) \
	log_event(LOG_LEVEL_WARN, (event), LOG_FIELDS_(__VA_ARGS__))
#define log_info(event, ...) \
	log_event(LOG_LEVEL_INFO, (event), LOG_FIELDS_(__VA_ARGS__))
#define log_debug(event, ...) \
	log_event(LOG_LEVEL_DEBUG, (event), LOG_FIELDS_(__VA_ARGS__))
/* Logs at error level and exits with status 1: start-up failures only. */
#define log_fatal(event, ...) \
	log_event_exit(LOG_LEVEL_ERROR, (event), LOG_FIELDS_(__VA_ARGS__))

void log_event(enum log_level, const char *event, const struct log_field *);
void log_event_exit(enum log_level, const char *event, const struct log_field *)
    __attribute__((noreturn));
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
/*
 * Buffers this process's info and debug lines from now on (see above).
 * Takes SIGALRM (an interval timer of flush_ms) and the fatal signals'
 * handlers (each then passes the signal on to the handler it replaced).
 * 0, or -1 and errno.  For the workers, after fork.
 */
int log_buffer_start(unsigned int flush_ms);
/* Writes the buffered lines now (nothing to do without a buffer). */
void log_flush(void);

/*
 * Writes `src` (len bytes, may hold NULs) into dst as LOG_STR writes a
 * value, cut with "..." to fit dstsz (at least 8); returns dst.  For the
 * messages other than log lines that show what someone typed.
 */
const char *log_quote(char *dst, size_t dstsz, const char *src, size_t len);

#endif
