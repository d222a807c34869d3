/* bignum.c - fixed-size unsigned big integers; see bignum.h. */
#include "config.h"

#include <string.h>

#include <sodium.h>

#include "lib/bignum.h"
#include "lib/form.h"

#define WINDOW       4 /* exponent bits per step */
#define TABLE        (1 << WINDOW)
#define RANDOM_TRIES 256 /* each try succeeds with p >= 1/2 */

/*
 * Montgomery arithmetic works on the n significant limbs of the modulus,
 * so a 1024-bit exchange costs a quarter of a 2048-bit one.
 */
struct mont {
	const uint32_t *m; /* the modulus, n limbs */
	size_t          n;
	uint32_t        minv; /* -m^-1 mod 2^32 */
};

void
bn_zero(struct bn *a)
{
	memset(a, 0, sizeof(*a));
}

void
bn_set_u32(struct bn *a, uint32_t v)
{
	bn_zero(a);
	a->l[0] = v;
}

void
bn_wipe(struct bn *a)
{
	sodium_memzero(a, sizeof(*a));
}

/* Significant limbs; 0 for zero. */
static size_t
limbs(const struct bn *a)
{
	size_t n = BN_LIMBS;

	while (n > 0 && a->l[n - 1] == 0)
		n--;
	return n;
}

int
bn_is_zero(const struct bn *a)
{
	return limbs(a) == 0;
}

int
bn_cmp(const struct bn *a, const struct bn *b)
{
	size_t i;

	for (i = BN_LIMBS; i-- > 0;)
		if (a->l[i] != b->l[i])
			return a->l[i] < b->l[i] ? -1 : 1;
	return 0;
}

/* r = a - b over n limbs; returns the borrow.  r may alias a or b. */
static uint32_t
sub_n(uint32_t *r, const uint32_t *a, const uint32_t *b, size_t n)
{
	uint64_t d;
	uint32_t borrow = 0;
	size_t   i;

	for (i = 0; i < n; i++) {
		d = (uint64_t)a[i] - b[i] - borrow;
		r[i] = (uint32_t)d;
		borrow = (uint32_t)(d >> 32) & 1;
	}
	return borrow;
}

uint32_t
bn_sub(struct bn *r, const struct bn *a, const struct bn *b)
{
	return sub_n(r->l, a->l, b->l, BN_LIMBS);
}

size_t
bn_bits(const struct bn *a)
{
	size_t   n;
	uint32_t top;
	size_t   bits;

	if ((n = limbs(a)) == 0)
		return 0;
	top = a->l[n - 1];
	for (bits = 0; top != 0; top >>= 1)
		bits++;
	return (n - 1) * 32 + bits;
}

size_t
bn_bytes(const struct bn *a)
{
	return (bn_bits(a) + 7) / 8;
}

/* Byte k of a, counting from the least significant (k < BN_MAX_BYTES). */
static unsigned char
byte_at(const struct bn *a, size_t k)
{
	return (unsigned char)(a->l[k / 4] >> (8 * (k % 4)));
}

enum app_err
bn_from_bytes(struct bn *a, const unsigned char *s, size_t len)
{
	size_t k;

	bn_zero(a);
	while (len > 0 && s[0] == 0) {
		s++;
		len--;
	}
	if (len > BN_MAX_BYTES)
		return APP_ETOOBIG;
	for (k = 0; k < len; k++)
		a->l[k / 4] |= (uint32_t)s[len - 1 - k] << (8 * (k % 4));
	return APP_OK;
}

enum app_err
bn_to_bytes(const struct bn *a, unsigned char *out, size_t len)
{
	size_t k;

	memset(out, 0, len);
	if (bn_bytes(a) > len)
		return APP_ETOOBIG;
	for (k = 0; k < len && k < BN_MAX_BYTES; k++)
		out[len - 1 - k] = byte_at(a, k);
	return APP_OK;
}

enum app_err
bn_from_hex(struct bn *a, const char *s)
{
	size_t len, k;
	int    v;

	bn_zero(a);
	len = strlen(s);
	if (len == 0)
		return APP_EINPUT;
	for (k = 0; k < len; k++)
		if (form_hexval((unsigned char)s[k]) == -1)
			return APP_EINPUT;
	while (len > 1 && s[0] == '0') {
		s++;
		len--;
	}
	if (len > BN_MAX_BITS / 4)
		return APP_ETOOBIG;
	for (k = 0; k < len; k++) {
		v = form_hexval((unsigned char)s[len - 1 - k]);
		a->l[k / 8] |= (uint32_t)v << (4 * (k % 8));
	}
	return APP_OK;
}

enum app_err
bn_to_btwoc(const struct bn *a, unsigned char *out, size_t outsz,
    size_t *outlen)
{
	size_t nb, pad;

	*outlen = 0;
	nb = bn_bytes(a);
	/* Zero is one 0x00; a set top bit needs a 0x00 sign byte. */
	pad = nb == 0 || (byte_at(a, nb - 1) & 0x80) != 0;
	if (nb + pad > outsz)
		return APP_ETOOBIG;
	if (pad)
		out[0] = 0;
	(void)bn_to_bytes(a, out + pad, nb);
	*outlen = nb + pad;
	return APP_OK;
}

enum app_err
bn_from_btwoc(struct bn *a, const unsigned char *s, size_t len)
{
	bn_zero(a);
	if (len == 0 || (s[0] & 0x80) != 0)
		return APP_EINPUT;
	if (len > 1 && s[0] == 0 && (s[1] & 0x80) == 0)
		return APP_EINPUT;
	return bn_from_bytes(a, s, len);
}

/* a >= b over n limbs (not constant time: public values only). */
static int
ge_n(const uint32_t *a, const uint32_t *b, size_t n)
{
	while (n-- > 0)
		if (a[n] != b[n])
			return a[n] > b[n];
	return 1;
}

/*
 * r = (2r + bit) mod m, for r < m, over n limbs.  Public values only: it
 * builds R^2 mod m and reduces the base.
 */
static void
dbl_mod(uint32_t *r, uint32_t bit, const struct mont *mt)
{
	uint32_t carry, top;
	size_t   i;

	carry = bit;
	for (i = 0; i < mt->n; i++) {
		top = r[i] >> 31;
		r[i] = r[i] << 1 | carry;
		carry = top;
	}
	if (carry || ge_n(r, mt->m, mt->n))
		(void)sub_n(r, r, mt->m, mt->n);
}

/* r = a mod m, n limbs out, bit by bit. */
static void
reduce(uint32_t *r, const struct bn *a, const struct mont *mt)
{
	size_t i;

	memset(r, 0, mt->n * sizeof(*r));
	for (i = bn_bits(a); i-- > 0;)
		dbl_mod(r, (a->l[i / 32] >> (i % 32)) & 1, mt);
}

/* -m0^-1 mod 2^32 by Newton's iteration; m0 odd is its own inverse mod 8. */
static uint32_t
neg_inv32(uint32_t m0)
{
	uint32_t x = m0;
	int      i;

	for (i = 0; i < 4; i++) /* 3, 6, 12, 24, 48 bits */
		x *= 2 - m0 * x;
	return 0 - x;
}

/*
 * t[0..n] < 2m: r = t - m when that is non-negative, else t, chosen by
 * mask rather than by branch.
 */
static void
final_sub(uint32_t *r, const uint32_t *t, const struct mont *mt)
{
	uint32_t d[BN_LIMBS], borrow, mask;
	size_t   i;

	borrow = sub_n(d, t, mt->m, mt->n);
	mask = 0 - ((t[mt->n] | (borrow ^ 1)) & 1);
	for (i = 0; i < mt->n; i++)
		r[i] = (d[i] & mask) | (t[i] & ~mask);
	sodium_memzero(d, sizeof(d));
}

/*
 * r = a * b * R^-1 mod m (CIOS; a, b < m; n limbs each).  A product of two
 * limbs plus two more fits 64 bits: (2^32-1)^2 + 2(2^32-1) = 2^64-1.
 * r may alias a or b.
 */
static void
mont_mul(uint32_t *r, const uint32_t *a, const uint32_t *b,
    const struct mont *mt)
{
	uint32_t t[BN_LIMBS + 2], c, q;
	uint64_t uv;
	size_t   i, j, n = mt->n;

	memset(t, 0, sizeof(t));
	for (i = 0; i < n; i++) {
		c = 0;
		for (j = 0; j < n; j++) {
			uv = (uint64_t)a[j] * b[i] + t[j] + c;
			t[j] = (uint32_t)uv;
			c = (uint32_t)(uv >> 32);
		}
		uv = (uint64_t)t[n] + c;
		t[n] = (uint32_t)uv;
		t[n + 1] = (uint32_t)(uv >> 32);

		q = t[0] * mt->minv;
		uv = (uint64_t)q * mt->m[0] + t[0];
		c = (uint32_t)(uv >> 32);
		for (j = 1; j < n; j++) {
			uv = (uint64_t)q * mt->m[j] + t[j] + c;
			t[j - 1] = (uint32_t)uv;
			c = (uint32_t)(uv >> 32);
		}
		uv = (uint64_t)t[n] + c;
		t[n - 1] = (uint32_t)uv;
		t[n] = t[n + 1] + (uint32_t)(uv >> 32);
	}
	final_sub(r, t, mt);
	sodium_memzero(t, sizeof(t));
}

/* 0xffffffff when a == b, else 0, without a branch. */
static uint32_t
ct_eq(uint32_t a, uint32_t b)
{
	uint32_t x = a ^ b;

	return ((x | (0 - x)) >> 31) - 1;
}

/* r = tab[idx], reading every entry. */
static void
table_get(uint32_t *r, uint32_t tab[TABLE][BN_LIMBS], uint32_t idx, size_t n)
{
	uint32_t mask;
	size_t   k, j;

	memset(r, 0, n * sizeof(*r));
	for (k = 0; k < TABLE; k++) {
		mask = ct_eq((uint32_t)k, idx);
		for (j = 0; j < n; j++)
			r[j] |= tab[k][j] & mask;
	}
}

/* tab[k] = base^k in Montgomery form, for k < TABLE. */
static void
table_fill(uint32_t tab[TABLE][BN_LIMBS], const struct bn *base,
    const struct mont *mt)
{
	uint32_t r2[BN_LIMBS], one[BN_LIMBS];
	size_t   i, k;

	/* r2 = R^2 mod m: start from 1 and double 2 * 32n times. */
	memset(r2, 0, sizeof(r2));
	r2[0] = 1;
	for (i = 0; i < 64 * mt->n; i++)
		dbl_mod(r2, 0, mt);
	memset(one, 0, sizeof(one));
	one[0] = 1;
	mont_mul(tab[0], one, r2, mt); /* R mod m */
	reduce(tab[1], base, mt);
	mont_mul(tab[1], tab[1], r2, mt); /* base R mod m */
	for (k = 2; k < TABLE; k++)
		mont_mul(tab[k], tab[k - 1], tab[1], mt);
}

/*
 * Square WINDOW times, then multiply by the table entry of the next window
 * (tab[0], the Montgomery one, for a zero window): the same operations for
 * every exponent of the same width.
 */
static void
window_exp(uint32_t *acc, uint32_t tab[TABLE][BN_LIMBS], const struct bn *exp,
    size_t elimbs, const struct mont *mt)
{
	uint32_t t[BN_LIMBS], nib;
	size_t   w, k;

	memcpy(acc, tab[0], mt->n * sizeof(*acc));
	for (w = elimbs * (32 / WINDOW); w-- > 0;) {
		for (k = 0; k < WINDOW; k++)
			mont_mul(acc, acc, acc, mt);
		nib = (exp->l[w / (32 / WINDOW)] >>
			  (WINDOW * (w % (32 / WINDOW)))) &
		    (TABLE - 1);
		table_get(t, tab, nib, mt->n);
		mont_mul(acc, acc, t, mt);
	}
	sodium_memzero(t, sizeof(t));
}

enum app_err
bn_modexp(struct bn *r, const struct bn *base, const struct bn *exp,
    const struct bn *m)
{
	uint32_t    tab[TABLE][BN_LIMBS], acc[BN_LIMBS], one[BN_LIMBS];
	struct mont mt;
	struct bn   out;
	size_t      elimbs;

	mt.m = m->l;
	mt.n = limbs(m);
	if ((m->l[0] & 1) == 0 || (mt.n == 1 && m->l[0] == 1)) {
		bn_zero(r);
		return APP_EINPUT;
	}
	mt.minv = neg_inv32(m->l[0]);
	if ((elimbs = limbs(exp)) < mt.n)
		elimbs = mt.n;

	table_fill(tab, base, &mt);
	window_exp(acc, tab, exp, elimbs, &mt);
	memset(one, 0, sizeof(one));
	one[0] = 1;
	bn_zero(&out);
	mont_mul(out.l, acc, one, &mt); /* leave Montgomery form */
	*r = out;

	bn_wipe(&out);
	sodium_memzero(tab, sizeof(tab));
	sodium_memzero(acc, sizeof(acc));
	return APP_OK;
}

enum app_err
bn_random_range(struct bn *r, const struct bn *bound)
{
	struct bn x;
	size_t    bits, n, i;
	uint32_t  topmask;

	bits = bn_bits(bound);
	if (bits < 2) {
		bn_zero(r);
		return APP_EINPUT;
	}
	n = (bits + 31) / 32;
	topmask = bits % 32 == 0 ? 0xffffffffU : (1U << (bits % 32)) - 1;
	/* Draw as many bits as bound has; keep 0 < x < bound. */
	for (i = 0; i < RANDOM_TRIES; i++) {
		bn_zero(&x);
		randombytes_buf(x.l, n * sizeof(x.l[0]));
		x.l[n - 1] &= topmask;
		if (!bn_is_zero(&x) && bn_cmp(&x, bound) < 0) {
			*r = x;
			bn_wipe(&x);
			return APP_OK;
		}
	}
	bn_wipe(&x);
	bn_zero(r);
	return APP_EINTERNAL;
}
