/*
 * sqlsplit.h - split a migration file into its SQL statements.
 *
 * `membermail migrate` runs a file one statement at a time so that an
 * error names the file and line of the statement that failed, and so that
 * a no-transaction file can be checked to hold one statement.  The scanner
 * knows PostgreSQL's lexical forms that may contain a ';': '...' strings
 * (with '' and, in E'...', backslash escapes), "..." identifiers, -- and
 * nested block comments, and $tag$...$tag$ bodies.  (SQL-standard
 * BEGIN ATOMIC bodies are not recognised: write function bodies with
 * dollar quotes.)
 */
#ifndef MM_SQLSPLIT_H
#define MM_SQLSPLIT_H

#include <stddef.h>

struct sql_stmt {
	const char *text; /* points into the input; not NUL-terminated */
	size_t      len;  /* without the terminating ';' */
	int         line; /* 1-based line of the first non-blank byte */
};

/*
 * Finds the next statement at or after *pos in sql[0..len).  Statements
 * holding only white space and comments are skipped.  Returns 1 and fills
 * *st, 0 at the end, -1 for an unterminated string, identifier, comment or
 * dollar-quoted body (*line then says where it started).
 */
int sql_next(const char *sql, size_t len, size_t *pos, int *line,
    struct sql_stmt *st);

/* Line within the statement of its 1-based character position, for error
 * positions reported by PostgreSQL (characters, not bytes: UTF-8). */
int sql_line_of(const struct sql_stmt *, int charpos);

#endif
