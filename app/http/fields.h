/*
 * fields.h - input validation declared as data.
 *
 * A route lists the fields it accepts, in a table indexed by an enum
 * declared beside its handler (handlers/handlers.h); the dispatcher checks
 * them before the handler runs, which reads each value by that enum with
 * req_field (NULL when absent).  A handler never sees a raw, unchecked
 * string.  The validators themselves are lib/valid.h's.
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
 * APP_EINPUT with req->reason naming it.  On success req_field(r, i) is
 * the value of fields[i].
 */
enum app_err fields_check(struct req *, const struct field *, size_t n);

#endif
