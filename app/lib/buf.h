/*
 * buf.h - bounded, growable byte buffer with a sticky error.
 *
 * A buffer never grows past the `max` given to buf_init.  The first append
 * that would go over (or a failed malloc) sets `failed`; later appends do
 * nothing, so a writer may append many times and check once, before sending.
 * The data is always NUL-terminated when len > 0 or after buf_cstr().
 * The buffer owns `data`; buf_free releases it, buf_reset keeps it for reuse.
 */
#ifndef MM_BUF_H
#define MM_BUF_H

#include <stdarg.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct buf {
	char  *data;
	size_t len;
	size_t cap;
	size_t max;    /* bound on len */
	int    failed; /* sticky: an append was refused */
};

void buf_init(struct buf *, size_t max);
void buf_free(struct buf *);
void buf_reset(struct buf *);
void buf_append(struct buf *, const void *, size_t);
void buf_puts(struct buf *, const char *);
void buf_putc(struct buf *, char);
void buf_printf(struct buf *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
/* NUL-terminated contents ("" when empty); owned by the buffer. */
const char *buf_cstr(struct buf *);

#ifdef __cplusplus
}
#endif

#endif
