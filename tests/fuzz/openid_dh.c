/*
 * openid_dh.c - fuzzes what Ubuntu One sends to make an association: the
 * server's public number and the encrypted secret of a DH-SHA256 answer,
 * and the secret of a plain one (openid_mac_key_plain).
 *
 * openid_dh_finish costs a full 1024-bit exponentiation whenever the
 * number is well-formed (constant time over the modulus' width, whatever
 * our exponent), tens of milliseconds instrumented.  So every input goes
 * through the readers it starts with (dh_server_public, b64_key32: the
 * harness includes openid.c to reach them), and one in FINISH_EVERY, by a
 * hash of the input so that a crash replays, through the whole of it.
 * The bignum target checks the arithmetic.
 *
 * Input: dh_server_public, a NUL, enc_mac_key.
 */
#include "proto/openid.c"

#include "fuzz.h"

#define FINISH_EVERY 64

static struct openid_dh started; /* copied for every input: finish wipes */
static struct bn        p, pm1;

static int
all_zero(const unsigned char *k, size_t n)
{
	unsigned char acc = 0;
	size_t        i;

	for (i = 0; i < n; i++)
		acc |= k[i];
	return acc == 0;
}

static void
start(void)
{
	static const unsigned char x[] = { 0x5a, 0x17, 0xc3, 0x09 };
	struct arena              *a;
	const char                *pub;

	if (sodium_init() == -1 || (a = arena_new(1u << 16)) == NULL ||
	    openid_dh_start(a, &started, x, sizeof(x), &pub) != OPENID_OK)
		abort();
	arena_free(a);
	dh_group(&p, &pm1);
}

/* The readers: B strictly between 1 and p - 1, a key of 32 bytes. */
static void
check_readers(const char *pub, const char *enc)
{
	unsigned char key[OPENID_MAC_KEY_LEN];
	struct bn     b, one;

	bn_set_u32(&one, 1);
	if (dh_server_public(pub, &pm1, &b) == OPENID_OK)
		FUZZ_CHECK(bn_cmp(&b, &one) > 0 && bn_cmp(&b, &pm1) < 0);
	memset(key, 0xa5, sizeof(key));
	if (b64_key32(enc, key) == -1)
		FUZZ_CHECK(all_zero(key, sizeof(key)));
	memset(key, 0xa5, sizeof(key));
	if (openid_mac_key_plain(pub, key) != OPENID_OK)
		FUZZ_CHECK(all_zero(key, sizeof(key)));
}

static void
check_finish(const char *pub, const char *enc)
{
	struct openid_dh dh = started;
	unsigned char    key[OPENID_MAC_KEY_LEN];
	enum openid_err  e;

	memset(key, 0xa5, sizeof(key));
	e = openid_dh_finish(&dh, pub, enc, key);
	FUZZ_CHECK(!dh.live && bn_is_zero(&dh.x));
	FUZZ_CHECK(
	    e == OPENID_OK || e == OPENID_EDH_PUBLIC || e == OPENID_EDH_KEY);
	if (e != OPENID_OK)
		FUZZ_CHECK(all_zero(key, sizeof(key)));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_fields ff;
	unsigned char      h[crypto_hash_sha256_BYTES];

	if (!started.live)
		start();
	fuzz_split(data, size, 2, &ff);
	check_readers(fuzz_field(&ff, 0, ""), fuzz_field(&ff, 1, ""));
	crypto_hash_sha256(h, data, size);
	if (h[0] % FINISH_EVERY == 0)
		check_finish(fuzz_field(&ff, 0, ""), fuzz_field(&ff, 1, ""));
	fuzz_fields_free(&ff);
	return 0;
}
