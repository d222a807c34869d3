/*
 * conf.c - fuzzes the config loader: conf_load on any file.  A file that
 * loads must print (conf_print) as a file that loads to the same config
 * and prints the same; one that does not must say "path:line: ..." and
 * leave the caller's config alone.
 */
#define _GNU_SOURCE
#include "config.h"

#include <sys/mman.h>

#include <unistd.h>

#include "fuzz.h"
#include "lib/conf.h"

static int  fd_in = -1, fd_out = -1;
static char path_in[64], path_out[64];

static void
open_files(void)
{
	if ((fd_in = memfd_create("fuzz-conf", 0)) == -1 ||
	    (fd_out = memfd_create("fuzz-conf-printed", 0)) == -1)
		abort();
	snprintf(path_in, sizeof(path_in), "/proc/self/fd/%d", fd_in);
	snprintf(path_out, sizeof(path_out), "/proc/self/fd/%d", fd_out);
}

/* Replaces the file's contents. */
static void
put(int fd, const void *data, size_t size)
{
	if (ftruncate(fd, 0) == -1 ||
	    (size > 0 && pwrite(fd, data, size, 0) != (ssize_t)size))
		abort();
}

/* conf_print into a malloc'd buffer of *len bytes. */
static char *
printed(const struct config *cfg, size_t *len)
{
	char *s = NULL;
	FILE *fp;

	if ((fp = open_memstream(&s, len)) == NULL)
		abort();
	conf_print(cfg, fp);
	if (fclose(fp) != 0)
		abort();
	return s;
}

static void
check_round_trip(const struct config *cfg)
{
	struct config again;
	char          err[1024], *first, *second;
	size_t        n1, n2;

	first = printed(cfg, &n1);
	put(fd_out, first, n1);
	if (conf_load(&again, path_out, err, sizeof(err)) != 0) {
		fprintf(stderr, "printed config does not load: %s\n", err);
		abort();
	}
	second = printed(&again, &n2);
	FUZZ_CHECK(n1 == n2 && memcmp(first, second, n1) == 0);
	free(first);
	free(second);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config cfg, before;
	char          err[1024];

	if (fd_in == -1)
		open_files();
	put(fd_in, data, size);
	conf_defaults(&cfg);
	memcpy(&before, &cfg, sizeof(cfg));
	err[0] = '\0';
	if (conf_load(&cfg, path_in, err, sizeof(err)) == 0)
		check_round_trip(&cfg);
	else {
		FUZZ_CHECK(memcmp(&cfg, &before, sizeof(cfg)) == 0);
		FUZZ_CHECK(strncmp(err, path_in, strlen(path_in)) == 0 &&
		    err[strlen(path_in)] == ':');
		FUZZ_CHECK(strlen(err) < sizeof(err) - 1 ||
		    err[sizeof(err) - 1] == '\0');
	}
	return 0;
}
