/*
 * test.h - the unit tests' harness: table-driven checks that say
 * "got ..., want ..." and a closing "N passed, N failed" line.
 *
 *	CHECK(cond, "case %s", name);	   counts one check
 *	CHECK_STR(got, want, "case %s", name);
 *	CHECK_INT(got, want, "case %s", name);
 *	return test_done("test_form");	   prints the summary, exit status
 */
#ifndef MM_TEST_H
#define MM_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int test_passed, test_failed;

#define CHECK(cond, ...)                                                     \
	do {                                                                 \
		if (cond)                                                    \
			test_passed++;                                       \
		else {                                                       \
			test_failed++;                                       \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
			fprintf(stderr, __VA_ARGS__);                        \
			fprintf(stderr, ": %s\n", #cond);                    \
		}                                                            \
	} while (0)

#define CHECK_INT(got, want, ...)                                            \
	do {                                                                 \
		long long g_ = (long long)(got), w_ = (long long)(want);     \
		if (g_ == w_)                                                \
			test_passed++;                                       \
		else {                                                       \
			test_failed++;                                       \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
			fprintf(stderr, __VA_ARGS__);                        \
			fprintf(stderr, ": got %lld, want %lld\n", g_, w_);  \
		}                                                            \
	} while (0)

#define CHECK_STR(got, want, ...)                                            \
	do {                                                                 \
		const char *g_ = (got), *w_ = (want);                        \
		if (g_ != NULL && w_ != NULL && strcmp(g_, w_) == 0)         \
			test_passed++;                                       \
		else if (g_ == NULL && w_ == NULL)                           \
			test_passed++;                                       \
		else {                                                       \
			test_failed++;                                       \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
			fprintf(stderr, __VA_ARGS__);                        \
			fprintf(stderr, ": got \"%s\", want \"%s\"\n",       \
			    g_ ? g_ : "(null)", w_ ? w_ : "(null)");         \
		}                                                            \
	} while (0)

/* The compiled catalogues of the build (make check sets it). */
static inline const char *
test_localedir(void)
{
	const char *s = getenv("MM_TEST_LOCALEDIR");

	return s != NULL && *s != '\0' ? s : "po/locale";
}

/* Prints "name: N passed, N failed"; the exit status for main(). */
static inline int
test_done(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, test_passed, test_failed);
	fflush(stdout); /* LeakSanitizer may fail the exit after this */
	return test_failed == 0 && test_passed > 0 ? 0 : 1;
}

#endif
