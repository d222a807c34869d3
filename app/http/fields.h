/*
 * fields.h - input validation declared as data.
 *
 * A route lists the fields it accepts; the dispatcher checks them before
 * the handler runs and fills req->fields[i] with the value of fields[i]
 * (NULL when absent).  A handler never sees a raw, unchecked string.  The
 * validators themselves are lib/valid.h's.
 */
#ifndef MM_FIELDS_H
#define MM_FIELDS_H

#include <stddef.h>

#include "lib/err.h"
#include "lib/valid.h"

struct req;

enum field_src {
	FIELD_QUERY, /* the query string */
	FIELD_FORM   /* the urlencoded body */
};

struct field {
	const char    *name;
	enum field_src src;
	validator_fn  *valid;
	size_t         max_len; /* bytes */
	int            required;
};

/*
 * Checks every field of the list against the request.  A field given twice,
 * over max_len, failing its validator, or required and missing is
 * APP_EINPUT with req->reason naming it.  On success req->fields is an
 * arena array of n values.
 */
enum app_err fields_check(struct req *, const struct field *, size_t n);

#endif
