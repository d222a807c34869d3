/* test_log.c - the key=value fields, their quoting and the line format. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"
#include "test.h"

static const struct {
	const char *in;
	size_t      len;
	const char *want;
} quotes[] = {
	{ "plain", 5, "\"plain\"" },
	{ "", 0, "\"\"" },
	{ "a\"b\\c", 5, "\"a\\\"b\\\\c\"" },
	{ "line\nbreak\r", 11, "\"line\\x0abreak\\x0d\"" },
	{ "nul\0x", 5, "\"nul\\x00x\"" },
	{ "\xc3\xa9\x7f", 3, "\"\\xc3\\xa9\\x7f\"" },
	{ "key=value other=1", 17, "\"key=value other=1\"" },
};

static void
test_quote(void)
{
	char   dst[64], small[16], big[4096];
	size_t i;

	for (i = 0; i < sizeof(quotes) / sizeof(quotes[0]); i++)
		CHECK_STR(log_quote(dst, sizeof(dst), quotes[i].in,
			      quotes[i].len),
		    quotes[i].want, "quote %zu", i);
	/* Cut with "..." and still closed, whatever the input. */
	log_quote(small, sizeof(small), "\n\n\n\n\n\n\n\n", 8);
	CHECK(strlen(small) < sizeof(small), "bounded");
	CHECK(strcmp(small + strlen(small) - 4, "...\"") == 0, "cut marker");
	memset(big, 'a', sizeof(big));
	log_quote(dst, sizeof(dst), big, sizeof(big));
	CHECK(strlen(dst) < sizeof(dst) && dst[strlen(dst) - 1] == '"',
	    "long input bounded");
}

/* Logs through a file; the lines written since the last call. */
static char log_file[] = "/tmp/test_log.XXXXXX";
static long log_seen;

static const char *
written(char *buf, size_t bufsz)
{
	FILE  *f = fopen(log_file, "r");
	size_t n = 0;

	buf[0] = '\0';
	if (f == NULL)
		return buf;
	if (fseek(f, log_seen, SEEK_SET) == 0)
		n = fread(buf, 1, bufsz - 1, f);
	buf[n] = '\0';
	log_seen += (long)n;
	fclose(f);
	return buf;
}

/* The part after "pid=N " of the only line written, newline included. */
static const char *
fields_of(char *buf, size_t bufsz)
{
	const char *p = strstr(written(buf, bufsz), " pid=");

	return p != NULL && (p = strchr(p + 1, ' ')) != NULL ? p + 1 : buf;
}

static void
test_kinds(void)
{
	char buf[8192];

	log_info("test", LOG_STR("s", "a \"b\"\n"), LOG_WORD("w", "ok-1.2"),
	    LOG_INT("i", -7), LOG_UINT("u", 18446744073709551615ULL),
	    LOG_MS("ms", 0.414), LOG_SECS("t", 11.0154));
	CHECK_STR(fields_of(buf, sizeof(buf)),
	    "event=test s=\"a \\\"b\\\"\\x0a\" w=ok-1.2 i=-7 "
	    "u=18446744073709551615 ms=0.41 t=11.015s\n",
	    "every kind");
	/* A word with a byte outside the word set is quoted like text. */
	log_info("test", LOG_WORD("w", "x y=1"), LOG_WORD("e", ""),
	    LOG_WORD("n", NULL), LOG_STR("z", NULL));
	CHECK_STR(fields_of(buf, sizeof(buf)),
	    "event=test w=\"x y=1\" e=\"\" n=- z=-\n", "words");
	log_info("test", LOG_OPT("a", NULL), LOG_OPT("b", "x"),
	    LOG_STRN("c", "n\0l", 3));
	CHECK_STR(fields_of(buf, sizeof(buf)),
	    "event=test b=\"x\" c=\"n\\x00l\"\n", "optional, with NULs");
	/* Keys and events are the program's: anything else is "badkey". */
	log_info("bad event", LOG_STR("k=v", "x"), LOG_INT("Up", 1));
	CHECK_STR(fields_of(buf, sizeof(buf)),
	    "event=badkey badkey=\"x\" badkey=1\n", "bad keys");
	log_info("none");
	CHECK_STR(fields_of(buf, sizeof(buf)), "event=none\n", "no fields");
}

/* However long and wherever the bytes, one line, every quote closed. */
static void
test_bounds(void)
{
	char        buf[16384], big[3000];
	const char *l;
	size_t      i, n;

	memset(big, '\n', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	log_warn("test", LOG_STR("a", big), LOG_STR("b", big),
	    LOG_STR("c", big), LOG_STR("d", big), LOG_STR("e", big),
	    LOG_STR("f", big), LOG_STR("g", big), LOG_STR("h", big),
	    LOG_STR("i", big));
	l = written(buf, sizeof(buf));
	CHECK(strlen(l) <= 4096, "bounded: %zu bytes", strlen(l));
	CHECK(strchr(l, '\n') == l + strlen(l) - 1, "one line");
	CHECK(strstr(l, "...\" cut=1\n") != NULL, "whole fields, then cut=1");
	/* Values of \x0a only: each space-separated field is whole. */
	for (i = 0; l[i] != '\0'; i += n + 1) {
		n = strcspn(l + i, " \n");
		if (n > 2 && memchr(l + i, '"', n) != NULL)
			CHECK(l[i + n - 1] == '"', "a quote left open at %zu",
			    i);
		if (l[i + n] == '\0')
			break;
	}
}

static void
test_line(void)
{
	char buf[512];
	int  fd;

	if ((fd = mkstemp(log_file)) == -1) {
		CHECK(0, "mkstemp");
		return;
	}
	close(fd);
	CHECK_INT(log_open(log_file), 0, "log_open");
	log_set_level(LOG_LEVEL_INFO);
	log_info("test", LOG_INT("n", 7));
	log_debug("hidden");
	written(buf, sizeof(buf));
	CHECK(strstr(buf, " level=info pid=") != NULL, "prefix: %s", buf);
	CHECK(strstr(buf, "event=test n=7\n") != NULL, "message: %s", buf);
	CHECK(strstr(buf, "hidden") == NULL, "debug filtered");
	CHECK_INT(log_level_from_name("warn"), LOG_LEVEL_WARN, "level name");
	CHECK_INT(log_level_from_name("loud"), -1, "unknown level");
}

int
main(void)
{
	test_quote();
	test_line();
	test_kinds();
	test_bounds();
	unlink(log_file);
	return test_done("test_log");
}
