/* token.c - random tokens and their hashes; see token.h. */
#include "config.h"

#include <string.h>

#include <sodium.h>

#include "lib/arena.h"
#include "lib/token.h"

char *
random_token(struct arena *a)
{
	unsigned char raw[32];
	char         *out;

	if ((out = arena_alloc(a, TOKEN_B64_LEN + 1)) == NULL)
		return NULL;
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(out, TOKEN_B64_LEN + 1, raw, sizeof(raw),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
	return out;
}

char *
token_hash_hex(struct arena *a, const char *s)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	char         *out;

	if (s == NULL || (out = arena_alloc(a, sizeof(h) * 2 + 1)) == NULL)
		return NULL;
	crypto_hash_sha256(h, (const unsigned char *)s, strlen(s));
	sodium_bin2hex(out, sizeof(h) * 2 + 1, h, sizeof(h));
	return out;
}
