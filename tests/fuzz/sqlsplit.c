/*
 * sqlsplit.c - fuzzes the splitter `membermail migrate` runs a migration
 * file through: sql_next over the whole input, and sql_line_of for error
 * positions.  Statements must come in order, inside the input, each
 * starting on its stated line, with the scan always moving forward.
 */
#include "config.h"

#include <limits.h>

#include "fuzz.h"
#include "lib/sqlsplit.h"

/* 1 + the line feeds of s[0..n). */
static int
line_at(const char *s, size_t n)
{
	int    line = 1;
	size_t i;

	for (i = 0; i < n; i++)
		line += s[i] == '\n';
	return line;
}

static void
check_positions(const struct sql_stmt *st, unsigned seed)
{
	const int pos[] = { INT_MIN, -1, 0, 1, 2, (int)(seed % 4096),
		(int)st->len, (int)st->len + 1, INT_MAX };
	int       last = st->line, line, lastline;
	size_t    i;

	lastline = st->line + line_at(st->text, st->len) - 1;
	FUZZ_CHECK(sql_line_of(st, INT_MAX) == lastline);
	for (i = 0; i < sizeof(pos) / sizeof(pos[0]); i++) {
		line = sql_line_of(st, pos[i]);
		FUZZ_CHECK(line >= st->line && line <= lastline);
	}
	/* Later positions are never on earlier lines. */
	for (i = 1; i <= st->len + 1 && i < 64; i++) {
		line = sql_line_of(st, (int)i);
		FUZZ_CHECK(line >= last);
		last = line;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char     *sql = (const char *)data;
	struct sql_stmt st;
	size_t          pos = 0, prev_end = 0, start;
	int             line = 1, rc, prev_line = 1;

	while ((rc = sql_next(sql, size, &pos, &line, &st)) == 1) {
		start = (size_t)(st.text - sql);
		FUZZ_CHECK(start >= prev_end && start + st.len <= size);
		FUZZ_CHECK(st.len > 0);
		/* Lines counted from where the last statement ended. */
		FUZZ_CHECK(st.line ==
		    prev_line + line_at(sql + prev_end, start - prev_end) - 1);
		FUZZ_CHECK(pos > start && pos <= size);
		FUZZ_CHECK(line == st.line + line_at(st.text, pos - start) - 1);
		prev_end = start + st.len;
		prev_line = st.line + line_at(st.text, st.len) - 1;
		check_positions(&st, (unsigned)pos);
	}
	FUZZ_CHECK(rc == 0 || rc == -1);
	if (rc == 0)
		FUZZ_CHECK(pos == size);
	else
		FUZZ_CHECK(line >= 1 && line <= line_at(sql, size));
	return 0;
}
