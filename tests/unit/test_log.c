/* test_log.c - fields, quoting, the line format, the buffer. */
#include "config.h"

#include <sys/resource.h>
#include <sys/wait.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

/* The log file's text (at most sizeof(text) - 1 bytes). */
static const char *
slurp(const char *path)
{
	static char text[65536];
	FILE       *f = fopen(path, "r");
	size_t      n = 0;

	if (f != NULL) {
		n = fread(text, 1, sizeof(text) - 1, f);
		fclose(f);
	}
	text[n] = '\0';
	return text;
}

static int
count_lines(const char *text)
{
	int n = 0;

	for (; *text != '\0'; text++)
		n += *text == '\n';
	return n;
}

/* A child that logs into path, buffered; step() waits for the parent. */
struct child {
	pid_t pid;
	int   up[2], down[2];
};

static void
step(struct child *c)
{
	char b = 0;

	(void)!write(c->up[1], &b, 1);
	(void)!read(c->down[0], &b, 1);
}

static void
parent_wait(struct child *c)
{
	char b;

	CHECK(read(c->up[0], &b, 1) == 1, "child reached its step");
}

static void
parent_go(struct child *c)
{
	char b = 0;

	(void)!write(c->down[1], &b, 1);
}

static int
fork_logger(struct child *c, const char *path, unsigned int flush_ms)
{
	struct rlimit no_core = { 0, 0 };

	if (pipe(c->up) == -1 || pipe(c->down) == -1 || (c->pid = fork()) < 0)
		return -1;
	if (c->pid > 0)
		return 1;
	(void)setrlimit(RLIMIT_CORE, &no_core);
	if (log_open(path) == -1 || log_buffer_start(flush_ms) == -1)
		_exit(2);
	log_set_level(LOG_LEVEL_INFO);
	return 0;
}

static int
died_by(pid_t pid, int sig)
{
	int status;

	return waitpid(pid, &status, 0) == pid && WIFSIGNALED(status) &&
	    WTERMSIG(status) == sig;
}

/* Info lines wait; a warning takes them out in order; so does SIGTERM. */
static void
test_buffer_order(const char *path)
{
	struct child c;
	const char  *t;

	if (fork_logger(&c, path, 60000) == 0) {
		log_info("a");
		log_info("b");
		step(&c);
		log_warn("c");
		step(&c);
		log_info("d");
		raise(SIGTERM);
		_exit(3);
	}
	parent_wait(&c);
	CHECK_INT(count_lines(slurp(path)), 0, "info lines are buffered");
	parent_go(&c);
	parent_wait(&c);
	t = slurp(path);
	CHECK(count_lines(t) == 3 &&
		strstr(t, "event=a") < strstr(t, "event=b") &&
		strstr(t, "event=b") < strstr(t, "event=c") &&
		strstr(t, "event=a") != NULL,
	    "a warning writes the lines before it, in order: %s", t);
	parent_go(&c);
	CHECK(died_by(c.pid, SIGTERM), "the child died of its SIGTERM");
	CHECK(strstr(slurp(path), "event=d\n") != NULL,
	    "a fatal signal writes the buffer first");
}

/* A full buffer is written whole lines at a time; exit writes the rest. */
static void
test_buffer_full(const char *path)
{
	struct child c;
	const char  *t,
	    *pad = "--------------------------------------------------"
		   "------------------------------";
	int i, status;

	if (fork_logger(&c, path, 60000) == 0) {
		for (i = 0; i < 200; i++)
			log_info("fill", LOG_INT("i", i), LOG_STR("pad", pad));
		step(&c);
		exit(0);
	}
	parent_wait(&c);
	t = slurp(path);
	i = count_lines(t);
	CHECK(i > 0 && i < 200 && t[strlen(t) - 1] == '\n',
	    "whole lines out once the buffer filled (%d)", i);
	parent_go(&c);
	CHECK(waitpid(c.pid, &status, 0) == c.pid && WIFEXITED(status) &&
		WEXITSTATUS(status) == 0,
	    "the child exited");
	CHECK_INT(count_lines(slurp(path)), 200, "exit writes the rest");
}

/* An idle process's lines go out on the timer. */
static void
test_buffer_timer(const char *path)
{
	struct child    c;
	struct timespec tick = { 0, 20 * 1000 * 1000 };
	int             i;

	if (fork_logger(&c, path, 100) == 0) {
		log_info("idle");
		step(&c);
		for (;;)
			pause();
	}
	parent_wait(&c);
	for (i = 0; i < 150 && strstr(slurp(path), "event=idle") == NULL; i++)
		nanosleep(&tick, NULL);
	CHECK(strstr(slurp(path), "event=idle\n") != NULL,
	    "the timer wrote the idle process's line");
	kill(c.pid, SIGKILL);
	CHECK(died_by(c.pid, SIGKILL), "the idle child is gone");
}

static void
test_buffer(void)
{
	char  path[] = "/tmp/test_log.XXXXXX";
	int   fd;
	FILE *f;

	if ((fd = mkstemp(path)) == -1) {
		CHECK(0, "mkstemp");
		return;
	}
	close(fd);
	test_buffer_order(path);
	f = fopen(path, "w");
	if (f != NULL)
		fclose(f);
	test_buffer_full(path);
	f = fopen(path, "w");
	if (f != NULL)
		fclose(f);
	test_buffer_timer(path);
	unlink(path);
}

int
main(void)
{
	test_quote();
	test_line();
	test_kinds();
	test_bounds();
	test_buffer();
	unlink(log_file);
	return test_done("test_log");
}
