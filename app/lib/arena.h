/*
 * arena.h - per-request bump allocator.
 *
 * Everything that lives as long as one request (parsed fields, strings,
 * response headers) comes from the request's arena and is never freed piece
 * by piece: the worker calls arena_reset() once, after FCGX_Finish_r().
 * The arena keeps its first chunk across resets, so a steady worker does not
 * call malloc for small requests.  The total size is bounded: past the bound
 * every allocation returns NULL, which callers report as APP_ENOMEM.
 */
#ifndef MM_ARENA_H
#define MM_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena;

/* New arena of at most `limit` bytes in all; NULL if malloc fails. */
struct arena *arena_new(size_t limit);
/* Releases the arena and everything allocated from it. NULL is allowed. */
void arena_free(struct arena *);
/* Forgets every allocation; pointers from the arena become invalid. */
void arena_reset(struct arena *);
/* Bytes handed out since the last reset. */
size_t arena_used(const struct arena *);

/*
 * All of these return memory owned by the arena (valid until the next
 * arena_reset) or NULL when the bound is reached.  Alignment suits any type.
 */
void *arena_alloc(struct arena *, size_t);
void *arena_calloc(struct arena *, size_t nmemb, size_t size);
char *arena_strndup(struct arena *, const char *, size_t);
char *arena_strdup(struct arena *, const char *);
char *arena_printf(struct arena *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *, const char *, va_list)
    __attribute__((format(printf, 2, 0)));

#endif
