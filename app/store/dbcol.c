/* dbcol.c - reading a result's columns by name; see db.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/arena.h"
#include "lib/form.h"
#include "lib/log.h"
#include "store/db.h"

const char *
db_str(const PGresult *res, int row, int col)
{
	return PQgetvalue(res, row, col);
}

long long
db_ll(const PGresult *res, int row, int col)
{
	return strtoll(PQgetvalue(res, row, col), NULL, 10);
}

int
db_bool(const PGresult *res, int row, int col)
{
	return strcmp(PQgetvalue(res, row, col), "t") == 0;
}

int
db_null(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col);
}

size_t
db_len(const PGresult *res, int row, int col)
{
	return (size_t)PQgetlength(res, row, col);
}

long
db_hex(const PGresult *res, int row, int col, unsigned char *out, size_t max)
{
	const char *s = PQgetvalue(res, row, col);
	size_t      len = (size_t)PQgetlength(res, row, col), i;
	int         hi, lo;

	if (len % 2 != 0 || len / 2 > max)
		return -1;
	for (i = 0; i < len / 2; i++) {
		if ((hi = form_hexval((unsigned char)s[2 * i])) < 0 ||
		    (lo = form_hexval((unsigned char)s[2 * i + 1])) < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return (long)(len / 2);
}

char *
db_dup(struct arena *a, const PGresult *res, int row, int col)
{
	if (PQgetisnull(res, row, col))
		return NULL;
	return arena_strdup(a, PQgetvalue(res, row, col));
}

/*
 * A quoted element at s ('"' ... '"', with \" and \\ escaped) into *out;
 * where it ends, or NULL.
 */
static const char *
quoted(struct arena *a, const char *s, const char **out, int *nomem)
{
	const char *p;
	char       *d;

	for (p = s + 1; *p != '"'; p++)
		if (*p == '\0' || (*p == '\\' && *++p == '\0'))
			return NULL;
	if ((*out = d = arena_alloc(a, (size_t)(p - s))) == NULL) {
		*nomem = 1;
		return NULL;
	}
	for (s++; s < p; s++) {
		if (*s == '\\')
			s++;
		*d++ = *s;
	}
	*d = '\0';
	return p + 1;
}

/* A bare element at s, up to ',' or '}', into *out ("NULL": SQL NULL). */
static const char *
bare(struct arena *a, const char *s, const char **out, int *nomem)
{
	size_t len = strcspn(s, ",}\"\\{");

	if (len == 0 || (s[len] != ',' && s[len] != '}'))
		return NULL;
	if (len == 4 && strncasecmp(s, "NULL", 4) == 0)
		*out = NULL;
	else if ((*out = arena_strndup(a, s, len)) == NULL) {
		*nomem = 1;
		return NULL;
	}
	return s + len;
}

/*
 * array_out's form: "{" elements separated by "," "}", each quoted or
 * bare; a lower bound other than 1 comes first as "[lo:hi]=".  Arrays
 * of arrays are not ours to read: refused.
 */
enum app_err
db_array_parse(struct arena *a, const char *s, const char ***items, size_t *n)
{
	const char **v;
	size_t       k = 0;
	int          nomem = 0;

	*items = NULL;
	*n = 0;
	if (*s == '[' && (s = strchr(s, '=')) != NULL)
		s++;
	if (s == NULL || *s++ != '{')
		return APP_EINTERNAL;
	/* Each element takes a character and a separator at least. */
	if ((v = arena_calloc(a, strlen(s) / 2 + 2, sizeof(*v))) == NULL)
		return APP_ENOMEM;
	if (*s == '}')
		s++;
	else
		do {
			s = *s == '"' ? quoted(a, s, &v[k++], &nomem) :
					bare(a, s, &v[k++], &nomem);
			if (s == NULL)
				return nomem ? APP_ENOMEM : APP_EINTERNAL;
		} while (*s++ == ',');
	if (s[-1] != '}' || *s != '\0')
		return APP_EINTERNAL;
	*items = v;
	*n = k;
	return APP_OK;
}

enum app_err
db_array(struct arena *a, const PGresult *res, int row, int col,
    const char ***items, size_t *n)
{
	enum app_err e;

	*n = 0;
	if (PQgetisnull(res, row, col))
		return (*items = arena_calloc(a, 1, sizeof(**items))) != NULL ?
		    APP_OK :
		    APP_ENOMEM;
	e = db_array_parse(a, PQgetvalue(res, row, col), items, n);
	if (e == APP_EINTERNAL)
		log_error("bad_array", LOG_WORD("column", PQfname(res, col)));
	return e;
}
