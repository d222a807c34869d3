/*
 * fuzz.h - what the libFuzzer harnesses share.
 *
 * A harness is one file, tests/fuzz/NAME.c, defining
 * LLVMFuzzerTestOneInput.  Beyond "no crash, no leak, no undefined
 * behaviour", it checks what its parser promises with FUZZ_CHECK, which
 * aborts so that libFuzzer keeps the input.  Inputs holding several
 * strings (a message's fields, a query and a body) are cut at NUL bytes by
 * fuzz_split.
 */
#ifndef MM_FUZZ_H
#define MM_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(cond)                                                \
	do {                                                            \
		if (!(cond)) {                                          \
			fprintf(stderr, "%s:%d: property broken: %s\n", \
			    __FILE__, __LINE__, #cond);                 \
			abort();                                        \
		}                                                       \
	} while (0)

#define FUZZ_FIELDS_MAX 8

/* The input as NUL-terminated fields; fields past the input are NULL. */
struct fuzz_fields {
	char       *mem; /* owned: one copy of the input */
	const char *f[FUZZ_FIELDS_MAX];
	size_t      n; /* fields present */
};

/*
 * Cuts data at NUL bytes into its first n fields (n at most
 * FUZZ_FIELDS_MAX); what follows the n-th field is ignored.  Free with
 * fuzz_fields_free.  Aborts when out of memory.
 */
static inline void
fuzz_split(const uint8_t *data, size_t size, size_t n, struct fuzz_fields *ff)
{
	size_t i, at = 0;

	memset(ff, 0, sizeof(*ff));
	if ((ff->mem = malloc(size + 1)) == NULL)
		abort();
	if (size > 0)
		memcpy(ff->mem, data, size);
	ff->mem[size] = '\0';
	for (i = 0; i < n && i < FUZZ_FIELDS_MAX && at <= size; i++) {
		ff->f[ff->n++] = ff->mem + at;
		at += strlen(ff->mem + at) + 1;
	}
}

static inline void
fuzz_fields_free(struct fuzz_fields *ff)
{
	free(ff->mem);
	ff->mem = NULL;
}

/*
 * Cuts s (modified) at commas into at most max strings into out; how many.
 * s may be NULL.
 */
static inline size_t
fuzz_list(char *s, const char **out, size_t max)
{
	size_t n = 0;
	char  *comma;

	while (s != NULL && s[0] != '\0' && n < max) {
		if ((comma = strchr(s, ',')) != NULL)
			*comma = '\0';
		out[n++] = s;
		s = comma != NULL ? comma + 1 : NULL;
	}
	return n;
}

/* The field, or def when the input did not reach it. */
static inline const char *
fuzz_field(const struct fuzz_fields *ff, size_t i, const char *def)
{
	return i < ff->n ? ff->f[i] : def;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
