/*
 * log.c - fuzzes the log API, which writes what clients send: log_quote,
 * and whole lines of log_event with fields of every kind.  A line must be
 * one line of printable ASCII, within LOG_LINE_MAX, in which every text
 * value appears quoted (unless the line says cut=1); a quoted value must
 * read back as the bytes given, or their start followed by "...".
 *
 * Input: bytes to quote and the size to quote them into (the first two
 * bytes), then, NUL-separated, the event name and the fields, each a kind
 * byte and its value.
 */
#define _GNU_SOURCE
#include "config.h"

#include <sys/mman.h>

#include <unistd.h>

#include "fuzz.h"
#include "lib/log.h"

#define FIELDS_MAX 8

static const char *const keys[] = { "path", "ua", "id", "Bad-Key", "x",
	"a_key_of_sixty_five_bytes_is_longer_than_any_key_may_be_written_ok" };
static int               fd = -1;

/* Unquotes q (as log_quote writes it) into out; its length. */
static size_t
unquote(const char *q, char *out)
{
	size_t i = 1, o = 0;
	int    hi, lo;

	while (q[i] != '\0' && q[i + 1] != '\0') {
		if (q[i] == '\\' && q[i + 1] == 'x') {
			hi = q[i + 2] <= '9' ? q[i + 2] - '0' :
					       q[i + 2] - 'a' + 10;
			lo = q[i + 3] <= '9' ? q[i + 3] - '0' :
					       q[i + 3] - 'a' + 10;
			out[o++] = (char)(hi << 4 | lo);
			i += 4;
		} else if (q[i] == '\\') {
			out[o++] = q[i + 1];
			i += 2;
		} else
			out[o++] = q[i++];
	}
	return o;
}

static void
check_quote(const char *src, size_t len, size_t dstsz)
{
	char  *dst = malloc(dstsz), *back = malloc(len + 4);
	size_t n, i;

	FUZZ_CHECK(dst != NULL && back != NULL);
	log_quote(dst, dstsz, src, len);
	n = strlen(dst);
	FUZZ_CHECK(n < dstsz && n >= 2 && dst[0] == '"' && dst[n - 1] == '"');
	for (i = 0; i < n; i++)
		FUZZ_CHECK(dst[i] >= 0x20 && dst[i] < 0x7f);
	i = unquote(dst, back);
	FUZZ_CHECK((i == len && memcmp(back, src, len) == 0) ||
	    (i >= 3 && memcmp(back + i - 3, "...", 3) == 0 &&
		memcmp(back, src, i - 3) == 0));
	free(dst);
	free(back);
}

/* One field of the line from its text: the kind byte, then the value. */
static struct log_field
field(const char *s, size_t i)
{
	const char      *key = keys[i % (sizeof(keys) / sizeof(keys[0]))];
	const char      *v = s[0] != '\0' ? s + 1 : s;
	struct log_field f = LOG_STR(key, v);

	switch ((unsigned char)s[0] % 8) {
	case 1:
		f = (struct log_field)LOG_STRN(key, v, strlen(v));
		break;
	case 2:
		f = (struct log_field)LOG_OPT(key, v[0] == '-' ? NULL : v);
		break;
	case 3:
		f = (struct log_field)LOG_WORD(key, v);
		break;
	case 4:
		f = (struct log_field)LOG_INT(key, strtoll(v, NULL, 0));
		break;
	case 5:
		f = (struct log_field)LOG_UINT(key, strtoull(v, NULL, 0));
		break;
	case 6:
		f = (struct log_field)LOG_MS(key, strtod(v, NULL));
		break;
	case 7:
		f = (struct log_field)LOG_SECS(key, strtod(v, NULL));
		break;
	}
	return f;
}

/* The line log_event wrote into the memfd, NUL-terminated. */
static char *
written(size_t *len)
{
	static char b[LOG_LINE_MAX + 2];
	ssize_t     n = pread(fd, b, sizeof(b) - 1, 0);

	FUZZ_CHECK(n > 0);
	b[n] = '\0';
	*len = (size_t)n;
	return b;
}

static void
check_line(const struct log_field *f, size_t nf)
{
	char   q[LOG_QUOTE_MAX];
	char  *line;
	size_t len, i;

	line = written(&len);
	FUZZ_CHECK(len <= LOG_LINE_MAX && line[len - 1] == '\n');
	for (i = 0; i + 1 < len; i++)
		FUZZ_CHECK(line[i] >= 0x20 && line[i] < 0x7f);
	FUZZ_CHECK(strstr(line, " event=") != NULL);
	if (strstr(line, " cut=1\n") != NULL)
		return;
	for (i = 0; i < nf; i++)
		if ((f[i].kind == LOG_K_STR || f[i].kind == LOG_K_OPT) &&
		    f[i].v.s != NULL)
			FUZZ_CHECK(strstr(line,
				       log_quote(q, sizeof(q), f[i].v.s,
					   strlen(f[i].v.s))) != NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_fields ff;
	struct log_field   f[FIELDS_MAX + 1];
	char               path[64];
	size_t             i, nf = 0;

	if (size < 2)
		return 0;
	if (fd == -1) {
		if ((fd = memfd_create("fuzz-log", 0)) == -1)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		if (log_open(path) == -1)
			abort();
		log_set_level(LOG_LEVEL_DEBUG);
	}
	check_quote((const char *)data + 2, size - 2, 8 + data[0] % 600);
	fuzz_split(data + 2, size - 2, FIELDS_MAX + 1, &ff);
	for (i = 1; i < ff.n; i++)
		f[nf++] = field(ff.f[i], i);
	f[nf].key = NULL;
	if (ftruncate(fd, 0) == -1)
		abort();
	log_event((enum log_level)(data[1] % LOG_LEVEL__MAX), ff.f[0], f);
	check_line(f, nf);
	fuzz_fields_free(&ff);
	return 0;
}
