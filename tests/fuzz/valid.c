/*
 * valid.c - fuzzes the validators of lib/valid.h, which every declared
 * field, path parameter and config value goes through.  Each gets exactly
 * len bytes (no terminating NUL to lean on) and is compared with a
 * reference written here from its contract: well-formed UTF-8 by the
 * Unicode standard's byte table, the character sets, the bounds.
 */
#include "config.h"

#include "fuzz.h"
#include "lib/valid.h"

/*
 * Length of the well-formed UTF-8 sequence at s (Unicode, table 3-7), 0
 * when there is none.
 */
static size_t
ref_seq(const unsigned char *s, size_t len)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t        n, i;

	if (s[0] <= 0x7f)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (len < n || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

static int
ref_utf8(const unsigned char *s, size_t len)
{
	size_t i = 0, n;

	while (i < len) {
		if (s[i] == 0 || (n = ref_seq(s + i, len - i)) == 0)
			return 0;
		i += n;
	}
	return 1;
}

static int
ref_set(const char *s, size_t len, const char *set)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] == '\0' || strchr(set, s[i]) == NULL)
			return 0;
	return len > 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char  *v = malloc(size > 0 ? size : 1);
	size_t i, ats = 0;
	int    utf8;

	FUZZ_CHECK(v != NULL);
	if (size > 0)
		memcpy(v, data, size);
	utf8 = ref_utf8(data, size);
	FUZZ_CHECK(valid_utf8(v, size) == utf8);
	if (valid_text(v, size))
		FUZZ_CHECK(utf8);
	if (valid_address(v, size)) {
		for (i = 0; i < size; i++)
			ats += v[i] == '@';
		FUZZ_CHECK(utf8 && size <= 254 && ats == 1 && v[0] != '@' &&
		    v[size - 1] != '@');
	}
	FUZZ_CHECK(valid_slug(v, size) ==
	    ref_set(v, size, "abcdefghijklmnopqrstuvwxyz0123456789-"));
	FUZZ_CHECK(valid_token(v, size) ==
	    ref_set(v, size,
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"));
	FUZZ_CHECK(valid_id(v, size) ==
	    (ref_set(v, size, "0123456789") && size <= 18 && v[0] != '0'));
	FUZZ_CHECK(
	    valid_bool(v, size) == (size == 1 && (v[0] == '0' || v[0] == '1')));
	if (valid_domain(v, size))
		FUZZ_CHECK(size <= 253 &&
		    ref_set(v, size,
			"abcdefghijklmnopqrstuvwxyz"
			"0123456789-.") &&
		    memchr(v, '.', size) != NULL);
	free(v);
	return 0;
}
