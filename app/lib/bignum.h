/*
 * bignum.h - fixed-size unsigned big integers, just enough for the
 * Diffie-Hellman exchange of OpenID associations.
 *
 * A struct bn is a plain value of BN_MAX_BITS bits (no heap, no hidden
 * length): copy it with '=', put it on the stack, and wipe it with bn_wipe()
 * when it held a secret.  Byte strings are big-endian, as the protocols
 * want.  Functions that can fail return APP_OK, or APP_EINPUT for a value
 * of the wrong shape and APP_ETOOBIG for one wider than BN_MAX_BITS; on
 * failure the output is zero.  Outputs may alias inputs everywhere.
 *
 * bn_modexp() is fixed-window exponentiation (4-bit windows) over
 * Montgomery multiplication with 32-bit limbs and 64-bit intermediates.
 * Its sequence of operations depends only on the widths of the modulus
 * and the exponent, never on the exponent's bits: every window costs four
 * squarings and one multiplication (by the Montgomery one for a zero
 * window), the table is read in constant time and the final subtraction
 * is chosen by mask.  The base reduction and the width computations are
 * not constant time: base and modulus are public in Diffie-Hellman.
 */
#ifndef MM_BIGNUM_H
#define MM_BIGNUM_H

#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

#define BN_MAX_BITS  2048
#define BN_LIMBS     (BN_MAX_BITS / 32)
#define BN_MAX_BYTES (BN_MAX_BITS / 8)
#define BN_BTWOC_MAX (BN_MAX_BYTES + 1) /* with the 0x00 sign byte */

struct bn {
	uint32_t l[BN_LIMBS]; /* limbs, least significant first */
};

void bn_zero(struct bn *);
void bn_set_u32(struct bn *, uint32_t);
/* Overwrites the value with zeroes in a way the compiler keeps. */
void bn_wipe(struct bn *);
int  bn_is_zero(const struct bn *);
/* -1, 0 or 1 as a is below, equal to or above b. */
int bn_cmp(const struct bn *a, const struct bn *b);
/* r = a - b modulo 2^BN_MAX_BITS; returns the borrow (1 when a < b). */
uint32_t bn_sub(struct bn *r, const struct bn *a, const struct bn *b);
/* Significant bits and bytes; both 0 for zero. */
size_t bn_bits(const struct bn *);
size_t bn_bytes(const struct bn *);

/*
 * Unsigned big-endian bytes, leading zeroes allowed; len may be 0 (zero).
 * APP_ETOOBIG when the value needs more than BN_MAX_BITS.
 */
enum app_err bn_from_bytes(struct bn *, const unsigned char *, size_t len);
/*
 * Writes exactly len big-endian bytes, zero-padded on the left.
 * APP_ETOOBIG (out zeroed) when the value needs more than len bytes.
 */
enum app_err bn_to_bytes(const struct bn *, unsigned char *out, size_t len);
/*
 * Hexadecimal digits of either case, most significant first, no prefix,
 * at least one.  APP_EINPUT for anything else, APP_ETOOBIG when too wide.
 */
enum app_err bn_from_hex(struct bn *, const char *);

/*
 * btwoc (OpenID 2.0 §4.2): the minimal big-endian two's complement of a
 * non-negative number: no leading zero byte except one that keeps the top
 * bit clear; zero is the single byte 0x00.  bn_to_btwoc writes at most
 * outsz bytes (BN_BTWOC_MAX always suffices) and stores the length.
 * bn_from_btwoc is strict: APP_EINPUT for an empty string, a negative
 * number (top bit set) or a redundant leading zero byte.
 */
enum app_err bn_to_btwoc(const struct bn *, unsigned char *out, size_t outsz,
    size_t *outlen);
enum app_err bn_from_btwoc(struct bn *, const unsigned char *, size_t len);

/*
 * r = base^exp mod m, for an odd modulus m > 1 (APP_EINPUT otherwise).
 * base may be m or larger.  Intermediate values are wiped.
 */
enum app_err bn_modexp(struct bn *r, const struct bn *base,
    const struct bn *exp, const struct bn *m);

/*
 * r = a number drawn uniformly from [1, bound - 1] with randombytes_buf();
 * APP_EINPUT when bound < 2.  Call sodium_init() first.
 */
enum app_err bn_random_range(struct bn *r, const struct bn *bound);

#endif
