/* sqlsplit.c - split SQL into statements; see sqlsplit.h. */
#include "config.h"

#include <string.h>

#include "lib/sqlsplit.h"

struct scan {
	const char *s;
	size_t      len;
	size_t      i;
	int         line;
};

static int
is_ident(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || (unsigned char)c >= 0x80;
}

/* Advances one byte, counting lines. */
static void
step(struct scan *sc)
{
	if (sc->s[sc->i] == '\n')
		sc->line++;
	sc->i++;
}

/* Skips a quoted string or identifier opened at sc->i; 0 or -1. */
static int
skip_quoted(struct scan *sc, char q, int backslash)
{
	step(sc);
	while (sc->i < sc->len) {
		if (backslash && sc->s[sc->i] == '\\' && sc->i + 1 < sc->len) {
			step(sc);
			step(sc);
			continue;
		}
		if (sc->s[sc->i] == q) {
			step(sc);
			if (sc->i < sc->len && sc->s[sc->i] == q) {
				step(sc); /* doubled quote */
				continue;
			}
			return 0;
		}
		step(sc);
	}
	return -1;
}

static int
skip_block_comment(struct scan *sc)
{
	int depth = 0;

	while (sc->i + 1 < sc->len) {
		if (sc->s[sc->i] == '/' && sc->s[sc->i + 1] == '*') {
			depth++;
			step(sc);
			step(sc);
		} else if (sc->s[sc->i] == '*' && sc->s[sc->i + 1] == '/') {
			step(sc);
			step(sc);
			if (--depth == 0)
				return 0;
		} else
			step(sc);
	}
	sc->i = sc->len;
	return -1;
}

/*
 * At a '$': a dollar quote is $$ or $tag$ (tag not starting with a digit);
 * anything else ($1, a$b) is an ordinary character.  0 or -1.
 */
static int
skip_dollar(struct scan *sc)
{
	size_t      t = sc->i + 1, taglen;
	const char *end;

	if (sc->i > 0 && is_ident(sc->s[sc->i - 1])) {
		step(sc);
		return 0;
	}
	while (t < sc->len && is_ident(sc->s[t]) &&
	    !(t == sc->i + 1 && sc->s[t] >= '0' && sc->s[t] <= '9'))
		t++;
	if (t >= sc->len || sc->s[t] != '$') {
		step(sc);
		return 0;
	}
	taglen = t - sc->i + 1; /* "$tag$" */
	while (sc->i < t + 1)
		step(sc);
	for (;;) {
		end = memchr(sc->s + sc->i, '$', sc->len - sc->i);
		if (end == NULL) {
			while (sc->i < sc->len)
				step(sc);
			return -1;
		}
		while (sc->s + sc->i < end)
			step(sc);
		if (sc->len - sc->i >= taglen &&
		    memcmp(sc->s + sc->i, sc->s + t + 1 - taglen, taglen) ==
			0) {
			while (taglen-- > 0)
				step(sc);
			return 0;
		}
		step(sc);
	}
}

/* Skips one lexical unit at sc->i; 0, or -1 if it is unterminated. */
static int
skip_token(struct scan *sc)
{
	const char *p = sc->s + sc->i;
	size_t      left = sc->len - sc->i;

	if (*p == '\'')
		return skip_quoted(sc, '\'',
		    sc->i > 0 && (p[-1] == 'E' || p[-1] == 'e') &&
			(sc->i < 2 || !is_ident(p[-2])));
	if (*p == '"')
		return skip_quoted(sc, '"', 0);
	if (*p == '$')
		return skip_dollar(sc);
	if (left >= 2 && p[0] == '-' && p[1] == '-') {
		while (sc->i < sc->len && sc->s[sc->i] != '\n')
			step(sc);
		return 0;
	}
	if (left >= 2 && p[0] == '/' && p[1] == '*')
		return skip_block_comment(sc);
	step(sc);
	return 0;
}

/* First byte of the statement that is neither blank nor comment. */
static void
trim_start(struct scan *sc, size_t end)
{
	char c;

	while (sc->i < end) {
		c = sc->s[sc->i];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
		    c == '\f' || c == '\v')
			step(sc);
		else if (sc->i + 1 < end &&
		    ((c == '-' && sc->s[sc->i + 1] == '-') ||
			(c == '/' && sc->s[sc->i + 1] == '*')))
			(void)skip_token(sc);
		else
			return;
	}
}

/* Whether s[0..len) holds only white space and comments. */
static int
is_blank(const char *s, size_t len)
{
	struct scan sc = { s, len, 0, 1 };

	trim_start(&sc, len);
	return sc.i >= len;
}

int
sql_next(const char *sql, size_t len, size_t *pos, int *line,
    struct sql_stmt *st)
{
	struct scan sc = { sql, len, *pos, *line };
	struct scan start;
	int         start_line;

	for (;;) {
		start = sc;
		start_line = sc.line;
		while (sc.i < sc.len && sc.s[sc.i] != ';')
			if (skip_token(&sc) == -1) {
				*line = start_line;
				return -1;
			}
		if (!is_blank(sql + start.i, sc.i - start.i))
			break;
		if (sc.i >= sc.len) {
			*pos = sc.i;
			*line = sc.line;
			return 0;
		}
		step(&sc); /* an empty statement: ";" alone */
	}
	trim_start(&start, sc.i);
	st->text = sql + start.i;
	st->len = sc.i - start.i;
	st->line = start.line;
	if (sc.i < sc.len)
		step(&sc); /* the ';' */
	*pos = sc.i;
	*line = sc.line;
	return 1;
}

int
sql_line_of(const struct sql_stmt *st, int charpos)
{
	size_t i;
	int    line = st->line, chars = 0;

	/* chars + 1, not charpos - 1: the server may send any number. */
	for (i = 0; i < st->len && chars + 1 < charpos; i++) {
		if (((unsigned char)st->text[i] & 0xc0) != 0x80)
			chars++;
		if (st->text[i] == '\n')
			line++;
	}
	return line;
}
