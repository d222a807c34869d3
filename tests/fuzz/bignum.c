/*
 * bignum.c - fuzzes lib/bignum.c, the arithmetic under OpenID's
 * Diffie-Hellman: conversions must round-trip, btwoc must be strict, and
 * bn_modexp must agree with plain 128-bit arithmetic whenever the modulus
 * fits in 64 bits.
 *
 * Input: the base's length, the exponent's length, then the base, the
 * exponent and the modulus (the rest), as big-endian bytes.
 */
#include "config.h"

#include "fuzz.h"
#include "lib/bignum.h"

/*
 * An exponentiation costs as much as the modulus is wide (constant time),
 * so widths stay small enough for many executions a second; the harness
 * compares with plain arithmetic up to 64 bits anyway.
 */
#define BASE_MAX 24
#define EXP_MAX  16
#define MOD_MAX  16

/* The value as a uint64_t; -1 when it does not fit. */
static int
to_u64(const struct bn *a, uint64_t *v)
{
	unsigned char b[8];

	if (bn_bytes(a) > 8 || bn_to_bytes(a, b, sizeof(b)) != APP_OK)
		return -1;
	*v = (uint64_t)b[0] << 56 | (uint64_t)b[1] << 48 |
	    (uint64_t)b[2] << 40 | (uint64_t)b[3] << 32 | (uint64_t)b[4] << 24 |
	    (uint64_t)b[5] << 16 | (uint64_t)b[6] << 8 | b[7];
	return 0;
}

/* base^exp mod m by square-and-multiply over the exponent's bytes. */
static uint64_t
ref_modexp(const unsigned char *base, size_t blen, const unsigned char *exp,
    size_t elen, uint64_t m)
{
	unsigned __int128 r = 1 % m, b = 0;
	size_t            i;
	int               bit;

	for (i = 0; i < blen; i++)
		b = (b << 8 | base[i]) % m;
	for (i = 0; i < elen; i++)
		for (bit = 7; bit >= 0; bit--) {
			r = r * r % m;
			if (exp[i] >> bit & 1)
				r = r * b % m;
		}
	return (uint64_t)r;
}

/* bytes -> bn -> bytes, and btwoc both ways. */
static void
check_conversions(const struct bn *a, const unsigned char *raw, size_t len)
{
	unsigned char out[BN_BTWOC_MAX];
	struct bn     back;
	size_t        n;

	FUZZ_CHECK(bn_bytes(a) == (bn_bits(a) + 7) / 8);
	FUZZ_CHECK(bn_to_bytes(a, out, bn_bytes(a)) == APP_OK);
	FUZZ_CHECK(bn_from_bytes(&back, out, bn_bytes(a)) == APP_OK &&
	    bn_cmp(&back, a) == 0);
	FUZZ_CHECK(bn_to_btwoc(a, out, sizeof(out), &n) == APP_OK);
	FUZZ_CHECK(n >= 1 && (out[0] & 0x80) == 0);
	FUZZ_CHECK(
	    bn_from_btwoc(&back, out, n) == APP_OK && bn_cmp(&back, a) == 0);
	/* Strict: the input reads as btwoc only in its minimal form. */
	if (bn_from_btwoc(&back, raw, len) == APP_OK) {
		FUZZ_CHECK(bn_cmp(&back, a) == 0);
		FUZZ_CHECK(bn_to_btwoc(&back, out, sizeof(out), &n) == APP_OK &&
		    n == len && memcmp(out, raw, len) == 0);
	}
}

static void
check_modexp(const struct bn *base, const struct bn *exp, const struct bn *m,
    const unsigned char *braw, size_t blen, const unsigned char *eraw,
    size_t elen)
{
	struct bn    r, one;
	uint64_t     mv, rv;
	enum app_err e;

	bn_set_u32(&one, 1);
	e = bn_modexp(&r, base, exp, m);
	if ((m->l[0] & 1) == 0 || bn_cmp(m, &one) <= 0) {
		FUZZ_CHECK(e == APP_EINPUT && bn_is_zero(&r));
		return;
	}
	FUZZ_CHECK(e == APP_OK && bn_cmp(&r, m) < 0);
	if (to_u64(m, &mv) == 0) {
		FUZZ_CHECK(to_u64(&r, &rv) == 0);
		FUZZ_CHECK(rv == ref_modexp(braw, blen, eraw, elen, mv));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bn base, exp, m, d;
	size_t    blen, elen, mlen;
	uint32_t  borrow;

	if (size < 2)
		return 0;
	blen = data[0] % (BASE_MAX + 1);
	elen = data[1] % (EXP_MAX + 1);
	if (size - 2 < blen + elen)
		return 0;
	mlen = size - 2 - blen - elen;
	if (mlen > MOD_MAX)
		return 0;
	data += 2;
	if (bn_from_bytes(&base, data, blen) != APP_OK ||
	    bn_from_bytes(&exp, data + blen, elen) != APP_OK ||
	    bn_from_bytes(&m, data + blen + elen, mlen) != APP_OK)
		return 0;
	check_conversions(&base, data, blen);
	check_conversions(&m, data + blen + elen, mlen);
	borrow = bn_sub(&d, &base, &m);
	FUZZ_CHECK((borrow == 1) == (bn_cmp(&base, &m) < 0));
	check_modexp(&base, &exp, &m, data, blen, data + blen, elen);
	return 0;
}
