/* test_arena_buf.c - the per-request arena and the bounded buffer. */
#include "config.h"

#include <sys/wait.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "test.h"

static void
test_arena(void)
{
	struct arena *a;
	char         *p, *big;
	size_t        i;

	if ((a = arena_new(100000)) == NULL) {
		CHECK(0, "arena_new");
		return;
	}
	p = arena_strdup(a, "hello");
	CHECK_STR(p, "hello", "strdup");
	CHECK(((uintptr_t)arena_alloc(a, 3) & 15) == 0, "aligned");
	CHECK_STR(arena_printf(a, "%d-%s", 42, "x"), "42-x", "printf");
	CHECK_STR(arena_strndup(a, "abcdef", 3), "abc", "strndup");
	/* Larger than a chunk: gets its own. */
	big = arena_alloc(a, 40000);
	CHECK(big != NULL, "big alloc");
	if (big != NULL)
		memset(big, 'x', 40000);
	CHECK(arena_alloc(a, 70000) == NULL, "over the bound");
	CHECK(arena_alloc(a, SIZE_MAX) == NULL, "SIZE_MAX");
	CHECK(arena_calloc(a, SIZE_MAX / 2, 4) == NULL, "calloc overflow");
	arena_reset(a);
	CHECK_INT(arena_used(a), 0, "used after reset");
	/* Many small allocations across chunks, all zeroed by calloc. */
	for (i = 0; i < 1000; i++) {
		p = arena_calloc(a, 1, 50);
		if (p == NULL || p[0] != 0 || p[49] != 0)
			break;
		memset(p, 0xff, 50);
	}
	CHECK_INT(i, 1000, "small allocations");
	arena_reset(a);
	CHECK(arena_alloc(a, 90000) != NULL, "whole bound after reset");
	arena_free(a);
	arena_free(NULL);
}

static void
test_buf(void)
{
	struct buf b;
	size_t     i;

	buf_init(&b, 10);
	CHECK_STR(buf_cstr(&b), "", "empty");
	buf_puts(&b, "abc");
	buf_printf(&b, "%d", 123);
	CHECK_STR(buf_cstr(&b), "abc123", "append");
	CHECK(!b.failed, "not failed");
	buf_puts(&b, "12345"); /* 11 > 10 */
	CHECK(b.failed, "failed over max");
	CHECK_STR(buf_cstr(&b), "abc123", "unchanged after failure");
	buf_putc(&b, 'x');
	CHECK_INT(b.len, 6, "sticky failure");
	buf_reset(&b);
	CHECK(!b.failed && b.len == 0, "reset");
	for (i = 0; i < 10; i++)
		buf_putc(&b, 'a');
	CHECK(!b.failed && b.len == 10, "exactly max");
	CHECK_STR(buf_cstr(&b), "aaaaaaaaaa", "exact contents");
	buf_free(&b);
	buf_init(&b, 1 << 20);
	for (i = 0; i < 10000; i++)
		buf_printf(&b, "%zu,", i);
	CHECK(!b.failed && strncmp(b.data + b.len - 5, "9999,", 5) == 0,
	    "growth");
	buf_free(&b);
}

#if defined(__SANITIZE_ADDRESS__)
#define TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_ASAN 1
#endif
#endif

#ifdef TEST_ASAN
/* Whether writing p[at] kills a child process (ASan's report, exit 1). */
static int
write_dies(struct arena *a, size_t n, size_t at)
{
	char *p = arena_alloc(a, n);
	pid_t pid;
	int   st, fd;

	if (p == NULL || (pid = fork()) == -1)
		return 0;
	if (pid == 0) {
		if ((fd = open("/dev/null", O_WRONLY)) != -1)
			dup2(fd, STDERR_FILENO);
		p[at] = 'x';
		_exit(0);
	}
	return waitpid(pid, &st, 0) == pid &&
	    !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/*
 * Under ASan an overrun of an arena allocation is reported like one of
 * the heap, also within a chunk and after a reset.
 */
static void
test_arena_poison(void)
{
	struct arena *a = arena_new(100000);

	if (a == NULL) {
		CHECK(0, "arena_new");
		return;
	}
	CHECK(!write_dies(a, 5, 4), "the last byte of 5 is ours");
	CHECK(write_dies(a, 5, 5), "one past 5 bytes is reported");
	CHECK(write_dies(a, 16, 16), "one past 16 bytes is reported");
	CHECK(write_dies(a, 40000, 40000), "one past a chunk of its own");
	arena_reset(a);
	CHECK(write_dies(a, 1, 1), "one past 1 byte, after a reset");
	arena_free(a);
}
#endif

int
main(void)
{
	test_arena();
#ifdef TEST_ASAN
	test_arena_poison();
#endif
	test_buf();
	return test_done("test_arena_buf");
}
