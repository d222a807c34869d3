/* test_log.c - quoting of client bytes and the line format. */
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

static void
test_line(void)
{
	char  path[] = "/tmp/test_log.XXXXXX", line[512];
	FILE *f;
	int   fd;

	if ((fd = mkstemp(path)) == -1) {
		CHECK(0, "mkstemp");
		return;
	}
	close(fd);
	CHECK_INT(log_open(path), 0, "log_open");
	log_set_level(LOG_LEVEL_INFO);
	log_info("event=test n=%d", 7);
	log_debug("event=hidden");
	f = fopen(path, "r");
	CHECK(f != NULL && fgets(line, sizeof(line), f) != NULL, "read");
	CHECK(strstr(line, " level=info pid=") != NULL, "prefix: %s", line);
	CHECK(strstr(line, "event=test n=7\n") != NULL, "message: %s", line);
	CHECK(f != NULL && fgets(line, sizeof(line), f) == NULL,
	    "debug filtered");
	if (f != NULL)
		fclose(f);
	unlink(path);
	CHECK_INT(log_level_from_name("warn"), LOG_LEVEL_WARN, "level name");
	CHECK_INT(log_level_from_name("loud"), -1, "unknown level");
}

int
main(void)
{
	test_quote();
	test_line();
	return test_done("test_log");
}
