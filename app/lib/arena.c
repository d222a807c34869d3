/* arena.c - per-request bump allocator; see arena.h. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/arena.h"

#define ARENA_ALIGN 16
#define ARENA_CHUNK (16 * 1024)

/*
 * Under AddressSanitizer what the arena has not handed out stays poisoned,
 * and every allocation is followed by a poisoned gap: overrunning one
 * allocation is then reported like a heap overflow (by the unit tests and
 * the fuzzers) instead of landing silently in the next one.
 */
#if defined(__SANITIZE_ADDRESS__)
#define ARENA_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARENA_ASAN 1
#endif
#endif
#ifdef ARENA_ASAN
#include <sanitizer/asan_interface.h>
#define ARENA_GAP            ARENA_ALIGN
#define ARENA_POISON(p, n)   ASAN_POISON_MEMORY_REGION(p, n)
#define ARENA_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define ARENA_GAP            0
#define ARENA_POISON(p, n)   ((void)(p), (void)(n))
#define ARENA_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

struct chunk {
	struct chunk *next;
	size_t        size; /* usable bytes in data[] */
	size_t        used;
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

struct arena {
	struct chunk *head; /* current chunk; the first one is kept */
	struct chunk *first;
	size_t        limit; /* bound on bytes handed out */
	size_t        total; /* bytes handed out since reset */
};

static struct chunk *
chunk_new(size_t size)
{
	struct chunk *c;

	if ((c = malloc(sizeof(*c) + size)) == NULL)
		return NULL;
	c->next = NULL;
	c->size = size;
	c->used = 0;
	ARENA_POISON(c->data, size);
	return c;
}

struct arena *
arena_new(size_t limit)
{
	struct arena *a;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	if ((a->first = chunk_new(ARENA_CHUNK)) == NULL) {
		free(a);
		return NULL;
	}
	a->head = a->first;
	a->limit = limit;
	return a;
}

static void
free_chain(struct chunk *c)
{
	struct chunk *next;

	for (; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
}

void
arena_free(struct arena *a)
{
	if (a == NULL)
		return;
	free_chain(a->head);
	free(a);
}

/* Chunks are linked newest first, so the first chunk is the chain's tail. */
void
arena_reset(struct arena *a)
{
	struct chunk *c, *next;

	for (c = a->head; c != a->first; c = next) {
		next = c->next;
		free(c);
	}
	a->head = a->first;
	a->first->used = 0;
	a->total = 0;
	ARENA_POISON(a->first->data, a->first->size);
}

size_t
arena_used(const struct arena *a)
{
	return a->total;
}

void *
arena_alloc(struct arena *a, size_t n)
{
	struct chunk *c;
	size_t        need, size;
	void         *p;

	if (n == 0)
		n = 1;
	if (n > SIZE_MAX - ARENA_ALIGN)
		return NULL;
	need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (need > a->limit - a->total)
		return NULL;
	/* The gap is not counted against the limit: bounds stay the same. */
	c = a->head;
	if (c->size - c->used < need + ARENA_GAP) {
		size = need + ARENA_GAP > ARENA_CHUNK ? need + ARENA_GAP :
							ARENA_CHUNK;
		if ((c = chunk_new(size)) == NULL)
			return NULL;
		c->next = a->head;
		a->head = c;
	}
	p = c->data + c->used;
	c->used += need + ARENA_GAP;
	a->total += need;
	ARENA_UNPOISON(p, n);
	return p;
}

void *
arena_calloc(struct arena *a, size_t nmemb, size_t size)
{
	void *p;

	if (size != 0 && nmemb > SIZE_MAX / size)
		return NULL;
	if ((p = arena_alloc(a, nmemb * size)) != NULL)
		memset(p, 0, nmemb * size);
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t len)
{
	char *p;

	if (len == SIZE_MAX || (p = arena_alloc(a, len + 1)) == NULL)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *
arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
	va_list aq;
	char   *p;
	int     n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0 || (p = arena_alloc(a, (size_t)n + 1)) == NULL)
		return NULL;
	(void)vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	char   *p;

	va_start(ap, fmt);
	p = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}
