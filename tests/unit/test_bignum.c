/*
 * test_bignum.c - bignum.c: bytes, hex and btwoc conversions, comparison,
 * modular exponentiation against vectors computed independently, random
 * ranges and Diffie-Hellman agreement, table-driven.
 *
 * The large vectors come from python3's pow(b, e, m), with operands drawn by
 * random.Random(20240724); the script is in the comment above pow_cases.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "lib/bignum.h"
#include "test.h"

/* OpenID 2.0 Appendix B: the default Diffie-Hellman modulus. */
#define DH_P                                                               \
	"DCF93A0B883972EC0E19989AC5A2CE310E1D37717E8D9571BB7623731866E61E" \
	"F75A2E27898B057F9891C2E27A639C3F29B60814581CD3B2CA3986D268370557" \
	"7D45C2E7E52DC81C7A171876E5CEA74B1448BFDFAF18828EFD2519F14E45E382" \
	"6634AF1949E5B535CC829A483B8A76223E5D490A257F05BDFF16F2FB22C583AB"

#define HEX_MAX (2 * BN_MAX_BYTES + 1)

/* Lower-case hex without leading zeroes ("0" for zero), for CHECK_STR. */
static const char *
hex(const struct bn *a, char buf[HEX_MAX])
{
	unsigned char     b[BN_MAX_BYTES];
	size_t            nb, i;
	static const char digits[] = "0123456789abcdef";
	char             *p = buf;

	nb = bn_bytes(a);
	if (nb == 0 || bn_to_bytes(a, b, nb) != APP_OK)
		return nb == 0 ? "0" : "(error)";
	for (i = 0; i < nb; i++) {
		if (i > 0 || b[i] >> 4 != 0)
			*p++ = digits[b[i] >> 4];
		*p++ = digits[b[i] & 0xf];
	}
	*p = '\0';
	return buf;
}

/* Parses a test constant; a bad one is a broken test, so abort. */
static struct bn
H(const char *s) {
	struct bn a;

	if (bn_from_hex(&a, s) != APP_OK) {
		fprintf(stderr, "bad test constant %s\n", s);
		abort();
	}
	return a;
}

/* Lower-case hex of bytes, for CHECK_STR. */
static const char *
bytes_hex(const unsigned char *b, size_t n, char *buf)
{
	static const char digits[] = "0123456789abcdef";
	size_t            i;

	for (i = 0; i < n; i++) {
		buf[2 * i] = digits[b[i] >> 4];
		buf[2 * i + 1] = digits[b[i] & 0xf];
	}
	buf[2 * n] = '\0';
	return buf;
}

/* ----------------------------------------------------------------------
 * bytes and hex
 */

struct bytes_case {
	const char  *name;
	const char  *in; /* raw bytes */
	size_t       len;
	enum app_err want;
	const char  *hex; /* value when APP_OK */
};

#define IN(s) (s), sizeof(s) - 1

static const struct bytes_case bytes_cases[] = {
	{ "empty", IN(""), APP_OK, "0" },
	{ "zero", IN("\0"), APP_OK, "0" },
	{ "zeroes", IN("\0\0\0\0\0"), APP_OK, "0" },
	{ "one", IN("\x01"), APP_OK, "1" },
	{ "leading zeroes", IN("\0\0\x01\x02"), APP_OK, "102" },
	{ "top bit", IN("\x80"), APP_OK, "80" },
	{ "four bytes", IN("\xde\xad\xbe\xef"), APP_OK, "deadbeef" },
	{ "five bytes", IN("\x01\xde\xad\xbe\xef"), APP_OK, "1deadbeef" },
};

static void
test_bytes(void)
{
	const struct bytes_case *c;
	unsigned char            big[BN_MAX_BYTES + 2], out[BN_MAX_BYTES + 2];
	char                     buf[HEX_MAX];
	struct bn                a;
	size_t                   i;

	for (i = 0; i < sizeof(bytes_cases) / sizeof(bytes_cases[0]); i++) {
		c = &bytes_cases[i];
		CHECK_INT(bn_from_bytes(&a, (const unsigned char *)c->in,
			      c->len),
		    c->want, "from_bytes %s", c->name);
		CHECK_STR(hex(&a, buf), c->hex, "from_bytes %s", c->name);
	}

	/* Exactly BN_MAX_BYTES, all ones; then one byte more. */
	memset(big, 0xff, sizeof(big));
	CHECK_INT(bn_from_bytes(&a, big, BN_MAX_BYTES), APP_OK, "max width");
	CHECK_INT(bn_bits(&a), BN_MAX_BITS, "max width bits");
	CHECK_INT(bn_from_bytes(&a, big, BN_MAX_BYTES + 1), APP_ETOOBIG,
	    "max width + 1");
	CHECK(bn_is_zero(&a), "too big leaves zero");
	big[0] = big[1] = 0;
	CHECK_INT(bn_from_bytes(&a, big, BN_MAX_BYTES + 2), APP_OK,
	    "max width after two zero bytes");

	/* to_bytes pads on the left and refuses to truncate. */
	a = H("10203");
	CHECK_INT(bn_to_bytes(&a, out, 5), APP_OK, "to_bytes 5");
	CHECK_STR(bytes_hex(out, 5, (char *)big), "0000010203",
	    "to_bytes padded");
	CHECK_INT(bn_to_bytes(&a, out, 3), APP_OK, "to_bytes exact");
	CHECK_STR(bytes_hex(out, 3, (char *)big), "010203", "to_bytes exact");
	CHECK_INT(bn_to_bytes(&a, out, 2), APP_ETOOBIG, "to_bytes short");
	CHECK_STR(bytes_hex(out, 2, (char *)big), "0000",
	    "to_bytes short zeroes");
	bn_zero(&a);
	CHECK_INT(bn_to_bytes(&a, out, 0), APP_OK, "zero in no bytes");
	CHECK_INT(bn_to_bytes(&a, out, BN_MAX_BYTES + 2), APP_OK,
	    "wider than a bn");
	CHECK_INT(out[0] | out[BN_MAX_BYTES + 1], 0, "wider than a bn");
}

struct hex_case {
	const char  *name;
	const char  *in;
	enum app_err want;
	const char  *hex;
};

static const struct hex_case hex_cases[] = {
	{ "zero", "0", APP_OK, "0" },
	{ "zeroes", "0000", APP_OK, "0" },
	{ "upper", "DEADBEEF", APP_OK, "deadbeef" },
	{ "mixed", "dEaDbEeF1", APP_OK, "deadbeef1" },
	{ "leading zeroes", "000abc", APP_OK, "abc" },
	{ "empty", "", APP_EINPUT, "0" },
	{ "0x", "0x10", APP_EINPUT, "0" },
	{ "space", "1 0", APP_EINPUT, "0" },
	{ "minus", "-1", APP_EINPUT, "0" },
	{ "g", "abg", APP_EINPUT, "0" },
};

static void
test_hex(void)
{
	const struct hex_case *c;
	char                   buf[HEX_MAX], in[2 * BN_MAX_BYTES + 8];
	struct bn              a;
	size_t                 i;

	for (i = 0; i < sizeof(hex_cases) / sizeof(hex_cases[0]); i++) {
		c = &hex_cases[i];
		CHECK_INT(bn_from_hex(&a, c->in), c->want, "hex %s", c->name);
		CHECK_STR(hex(&a, buf), c->hex, "hex %s", c->name);
	}
	memset(in, 'f', 2 * BN_MAX_BYTES);
	in[2 * BN_MAX_BYTES] = '\0';
	CHECK_INT(bn_from_hex(&a, in), APP_OK, "hex max width");
	CHECK_INT(bn_bits(&a), BN_MAX_BITS, "hex max width bits");
	in[2 * BN_MAX_BYTES] = '1';
	in[2 * BN_MAX_BYTES + 1] = '\0';
	CHECK_INT(bn_from_hex(&a, in), APP_ETOOBIG, "hex max width + 1");
	memmove(in + 4, in, 2 * BN_MAX_BYTES + 2);
	memset(in, '0', 4);
	in[2 * BN_MAX_BYTES + 4] = '\0'; /* "0000fff...f" */
	CHECK_INT(bn_from_hex(&a, in), APP_OK, "hex max width, zeroes");
}

/* ----------------------------------------------------------------------
 * btwoc
 */

struct btwoc_case {
	const char *name;
	const char *hex; /* the value */
	const char *enc; /* its btwoc, in hex */
};

static const struct btwoc_case btwoc_cases[] = {
	{ "zero", "0", "00" },
	{ "one", "1", "01" },
	{ "127", "7f", "7f" },
	{ "128", "80", "0080" },
	{ "255", "ff", "00ff" },
	{ "256", "100", "0100" },
	{ "32767", "7fff", "7fff" },
	{ "32768", "8000", "008000" },
	{ "limb edge", "80000000", "0080000000" },
	{ "two limbs", "123456789", "0123456789" },
};

struct unbtwoc_case {
	const char  *name;
	const char  *in;
	size_t       len;
	enum app_err want;
	const char  *hex;
};

static const struct unbtwoc_case unbtwoc_cases[] = {
	{ "zero", IN("\x00"), APP_OK, "0" },
	{ "one", IN("\x01"), APP_OK, "1" },
	{ "128", IN("\x00\x80"), APP_OK, "80" },
	{ "0x7f00", IN("\x7f\x00"), APP_OK, "7f00" },
	{ "empty", IN(""), APP_EINPUT, "0" },
	{ "negative", IN("\x80"), APP_EINPUT, "0" },
	{ "negative long", IN("\xff\x01\x02"), APP_EINPUT, "0" },
	{ "redundant zero", IN("\x00\x01"), APP_EINPUT, "0" },
	{ "two zeroes", IN("\x00\x00"), APP_EINPUT, "0" },
	{ "two zeroes then 80", IN("\x00\x00\x80"), APP_EINPUT, "0" },
};

static void
test_btwoc(void)
{
	const struct btwoc_case   *c;
	const struct unbtwoc_case *u;
	unsigned char              out[BN_BTWOC_MAX + 1];
	char                       buf[2 * BN_BTWOC_MAX + 3];
	struct bn                  a, b;
	size_t                     i, n;

	for (i = 0; i < sizeof(btwoc_cases) / sizeof(btwoc_cases[0]); i++) {
		c = &btwoc_cases[i];
		a = H(c->hex);
		CHECK_INT(bn_to_btwoc(&a, out, sizeof(out), &n), APP_OK,
		    "btwoc %s", c->name);
		CHECK_STR(bytes_hex(out, n, buf), c->enc, "btwoc %s", c->name);
		CHECK_INT(bn_from_btwoc(&b, out, n), APP_OK, "btwoc back %s",
		    c->name);
		CHECK_INT(bn_cmp(&a, &b), 0, "btwoc back %s", c->name);
		/* One byte short of the encoding is refused. */
		CHECK_INT(bn_to_btwoc(&a, out, n - 1, &n), APP_ETOOBIG,
		    "btwoc short %s", c->name);
		CHECK_INT(n, 0, "btwoc short length %s", c->name);
	}
	for (i = 0; i < sizeof(unbtwoc_cases) / sizeof(unbtwoc_cases[0]); i++) {
		u = &unbtwoc_cases[i];
		CHECK_INT(bn_from_btwoc(&a, (const unsigned char *)u->in,
			      u->len),
		    u->want, "unbtwoc %s", u->name);
		CHECK_STR(hex(&a, buf), u->hex, "unbtwoc %s", u->name);
	}

	/* The widest value takes BN_BTWOC_MAX bytes, and decodes back. */
	memset(out, 0xff, sizeof(out));
	(void)bn_from_bytes(&a, out, BN_MAX_BYTES);
	CHECK_INT(bn_to_btwoc(&a, out, BN_BTWOC_MAX, &n), APP_OK,
	    "btwoc widest");
	CHECK_INT(n, BN_BTWOC_MAX, "btwoc widest length");
	CHECK_INT(out[0], 0, "btwoc widest sign byte");
	CHECK_INT(bn_from_btwoc(&b, out, n), APP_OK, "unbtwoc widest");
	CHECK_INT(bn_cmp(&a, &b), 0, "unbtwoc widest");
	/* 0x01 followed by 256 bytes is one bit too wide. */
	out[0] = 1;
	CHECK_INT(bn_from_btwoc(&b, out, BN_BTWOC_MAX), APP_ETOOBIG,
	    "unbtwoc too wide");
}

/* ----------------------------------------------------------------------
 * comparison, subtraction, widths
 */

struct arith_case {
	const char *name;
	const char *a, *b;
	int         cmp;
	const char *diff; /* a - b, when a >= b */
	int         borrow;
};

static const struct arith_case arith_cases[] = {
	{ "equal", "5", "5", 0, "0", 0 },
	{ "less", "4", "5", -1, NULL, 1 },
	{ "more", "6", "5", 1, "1", 0 },
	{ "borrow across limbs", "100000000", "1", 1, "ffffffff", 0 },
	{ "high limb decides", "100000000", "ffffffff", 1, "1", 0 },
	{ "zero", "0", "0", 0, "0", 0 },
	{ "zero minus one", "0", "1", -1, NULL, 1 },
};

static void
test_arith(void)
{
	const struct arith_case *c;
	char                     buf[HEX_MAX];
	struct bn                a, b, r;
	size_t                   i;

	for (i = 0; i < sizeof(arith_cases) / sizeof(arith_cases[0]); i++) {
		c = &arith_cases[i];
		a = H(c->a);
		b = H(c->b);
		CHECK_INT(bn_cmp(&a, &b), c->cmp, "cmp %s", c->name);
		CHECK_INT(bn_cmp(&b, &a), -c->cmp, "cmp reversed %s", c->name);
		CHECK_INT(bn_sub(&r, &a, &b), c->borrow, "sub %s", c->name);
		if (c->diff != NULL)
			CHECK_STR(hex(&r, buf), c->diff, "sub %s", c->name);
	}
	/* 0 - 1 wraps to all ones. */
	a = H("0");
	b = H("1");
	(void)bn_sub(&r, &a, &b);
	CHECK_INT(bn_bits(&r), BN_MAX_BITS, "0 - 1 wraps");
	/* The result may be an operand. */
	a = H("10");
	b = H("3");
	(void)bn_sub(&a, &a, &b);
	CHECK_STR(hex(&a, buf), "d", "sub into a");

	CHECK_INT(bn_bits(&(struct bn){ .l = { 0 } }), 0, "bits of 0");
	a = H("1");
	CHECK_INT(bn_bits(&a), 1, "bits of 1");
	CHECK_INT(bn_bytes(&a), 1, "bytes of 1");
	a = H("100");
	CHECK_INT(bn_bits(&a), 9, "bits of 0x100");
	CHECK_INT(bn_bytes(&a), 2, "bytes of 0x100");
	a = H("100000000");
	CHECK_INT(bn_bits(&a), 33, "bits of 2^32");
	CHECK_INT(bn_bytes(&a), 5, "bytes of 2^32");
	a = H(DH_P);
	CHECK_INT(bn_bits(&a), 1024, "bits of DH p");
	bn_set_u32(&a, 7);
	CHECK_STR(hex(&a, buf), "7", "set_u32");
	bn_wipe(&a);
	CHECK(bn_is_zero(&a), "wipe");
}

/* ----------------------------------------------------------------------
 * modular exponentiation
 */

struct pow_case {
	const char *name;
	const char *base, *exp, *mod, *want;
};

static const struct pow_case small_cases[] = {
	{ "4^13 mod 497", "4", "d", "1f1", "1bd" },
	{ "2^10 mod 1001", "2", "a", "3e9", "17" },
	{ "0^0", "0", "0", "7", "1" },
	{ "0^5", "0", "5", "7", "0" },
	{ "5^0", "5", "0", "7", "1" },
	{ "base == mod", "7", "1", "7", "0" },
	{ "base > mod", "64", "1", "7", "2" },
	{ "Fermat", "3", "6", "7", "1" },
	{ "mod 3", "2", "1", "3", "2" },
	{ "(m-1)^2", "fffffffa", "2", "fffffffb", "1" },
	{ "one limb, all high", "ffffffff", "ffffffff", "fffffffd",
	    "7b8ce429" },
	{ "wide base, 2-limb mod", "10000000000000005", "3", "200000003",
	    "14800017f" },
	{ "64-bit exp", "3", "ffffffffffffffff", "1fffffffffffffff", "daf26b" },
};

/*
 * python3:
 *   R = random.Random(20240724)
 *   odd(bits) = R.getrandbits(bits) | 1 | 1 << (bits - 1)
 *   rows: (R.getrandbits(1024), R.getrandbits(1024), odd(1024)),
 *	(2, R.getrandbits(1023), P), (P - 2, R.getrandbits(1024) % P, P),
 *	(R.getrandbits(2048), R.getrandbits(2048), odd(2048)),
 *	(R.getrandbits(2048), R.getrandbits(300), 2^2048 - 1),
 *	(R.getrandbits(2048), R.getrandbits(512), odd(512)),
 *	(R.getrandbits(256), R.getrandbits(2048), odd(256)),
 *	(R.getrandbits(999), R.getrandbits(1000), odd(1000)), ...
 *   want = pow(base, exp, mod)
 */
static const struct pow_case pow_cases[] = {
	{ "1024-bit random",
	    "e752ce0837ef5379a832fb556d5d45e5213acfa8600b59efa4f914b2"
	    "6511d3a07d2a2ecb0b36d968258c05eb535deca34cac93f6f4779032"
	    "6432f57afecf2a155c0014f102e99f8ff6c7891926bf1d3ef77e6ba7"
	    "52095a91b70eb55e8de1296ae70fed229f0100ae14f17c38b64f0616"
	    "4a1805d51182d45cf5077105881c0724",
	    "fc4d6ef4bfd8bfc75e97be22d22599d25c20639b679096e86d237c7e"
	    "5b7d667a26240f2cb4e1a896c61b6ad047f8b73b219867d41e5af03b"
	    "280e030b5bc4daae282203a752c4681f79dc8a284b03823a6a2f316f"
	    "6e2b8877659604b0b8732e7d62b0d09df34b279bc99dece0c94b6838"
	    "ec99b3ed7151b10c6f4df02c5d01325d",
	    "f1c671592ba1793293f38ed9e48d4dc4478efbc6240ae996b3a36177"
	    "e0c5843cb386006687246f3749e421a5a97b7a235a0f1185835776ea"
	    "9f976def009dd5e8025b369b3ce730da4e5895b3e9d15f5f7e2f6657"
	    "5580bb636ee5a3e5d8f113646d056224adbf3d52f746c9a952407926"
	    "ca7dc804844e55625acd75144362ec09",
	    "65afed06a2a0a0b3b1a6b14ac602d63adbc5c4286a71d5f3836c240e"
	    "5ae0856ed42ae5035a5c0765acf6f40c8b0f49f1a22803594dc4a899"
	    "aec001b168a9b09c2b44d49727c854940ebf343b27060d419a029815"
	    "687ad6f6ba4a8b212cdefa40e479ac7c719a18556fc8bb2af2ba659e"
	    "fee5d1b7f42e6d13a32fc377ef276b49" },
	{ "DH p, g=2", "2",
	    "6336fb97c6fd921444e49ff0bddb81d28eec18b3c594935191021099"
	    "7b924bd929183cf729f54a6b7ccf94bf887c158ac2f98df1f126d0bd"
	    "be8bede9885c8a618211621903d044a144898a229a583d873e8cc4e2"
	    "50fa963b6e0b67e774d8b2c33a98632d3399751396a094184ee1fafe"
	    "3b48ba40f13c07d6887567dd5101836a",
	    "dcf93a0b883972ec0e19989ac5a2ce310e1d37717e8d9571bb762373"
	    "1866e61ef75a2e27898b057f9891c2e27a639c3f29b60814581cd3b2"
	    "ca3986d2683705577d45c2e7e52dc81c7a171876e5cea74b1448bfdf"
	    "af18828efd2519f14e45e3826634af1949e5b535cc829a483b8a7622"
	    "3e5d490a257f05bdff16f2fb22c583ab",
	    "23715f48ec3de13898d5fa079ad98ff224750957c538c8c989d1073d"
	    "e7f0c3c4ce8b9ba1a033a8aff1f22c6922af6f81dbdb5047f7e2d871"
	    "7b2501c3f0e9e61c8ebd19cfb49b925b7565c7e27168bfc674049fb7"
	    "d2b28993e09ee87d36ef0b5c29f967821196edcb9e9d07f80eb9a868"
	    "1b6fadcb72633e4bed7d3161109121aa" },
	{ "DH p, base near p",
	    "dcf93a0b883972ec0e19989ac5a2ce310e1d37717e8d9571bb762373"
	    "1866e61ef75a2e27898b057f9891c2e27a639c3f29b60814581cd3b2"
	    "ca3986d2683705577d45c2e7e52dc81c7a171876e5cea74b1448bfdf"
	    "af18828efd2519f14e45e3826634af1949e5b535cc829a483b8a7622"
	    "3e5d490a257f05bdff16f2fb22c583a9",
	    "8de3671ddee931613b8b1b361738e75ae9e42c22dc92311e2923f60f"
	    "7672624b82c5ba4829355b3f5f605a06407da586cc0aa7a23fb503ca"
	    "45e10937b466fd26482ae701bafee7e507c1dc6c3569ffea4e5244da"
	    "1fe203e2837115ab3c62f587671abd26824313b291fc03af5f5c0618"
	    "4e394e432790a2ec0bfe5cf601d0748f",
	    "dcf93a0b883972ec0e19989ac5a2ce310e1d37717e8d9571bb762373"
	    "1866e61ef75a2e27898b057f9891c2e27a639c3f29b60814581cd3b2"
	    "ca3986d2683705577d45c2e7e52dc81c7a171876e5cea74b1448bfdf"
	    "af18828efd2519f14e45e3826634af1949e5b535cc829a483b8a7622"
	    "3e5d490a257f05bdff16f2fb22c583ab",
	    "75f5caf046d00aa0cb9bb88dd87db57f1fcce3d3ee6195fe7bced2ae"
	    "aa72630130517ebe69ded3afe24da7c593886010bd9ea11cda1765be"
	    "73c4cb3ca6e06bdac79313811865b89560161fcebffcabb8a06d91e1"
	    "9054649eca8387ffbab1c9ee936aff4aba5434493efcb7ebac2260ba"
	    "54d8e78c6b6e444da5d8ddd711e2c04a" },
	{ "2048-bit random",
	    "ad97a40df0aa79bdbcca974ee62088727fb9cc8870814aa560d11f43"
	    "adf73131a75429f8bb98f2228a12ac096c855c5f3b6d29543d1aee95"
	    "0d88aa1150367467168e1d3d8e1a26b4d4b786cdc47b083816846fbb"
	    "b282303f1d22b832f1d5276b32ccd625541876191fa4aa27afe57b49"
	    "dd7b64a46e3b98e065c9d5cf80ca03fc740d644c11066964a84c5566"
	    "ab0ffc9be19ee84c6bfbc8f2c7e5f6903725664367dd02f38857d997"
	    "4371ea8465c883ccb91bc5a465367c6ce23b928e2d04835595615a97"
	    "87e322dd873f81a7d127fabadb27a21c43ad377aff9f8a7939553471"
	    "bc32c61684d47c91bec7448a7177562cf46be603111e21ac25d95a09"
	    "34b7cc29",
	    "96225cdeaa5d73e48ff4fc3e17f3680d4ba448b493f0fb8adee3985c"
	    "b3f89b0f438a9078c0fe6b4fa6e27f3cfe77c19bdc4d9c2f14dfc631"
	    "611359e753a95de7ed43158fb0b0eb3ab93f7a2996729771ddfd1564"
	    "19d91043bd7de6dd307cb3f25deeb8284630f057d799cec665277b7e"
	    "d33a38311ba29a78f7f2de1a7275fd736724b39da9a8c2ebd0d74e63"
	    "69dfb845c8045c3c8555d8bbcd4d63cc9f7070ee690963a53f3d5582"
	    "79bd2434b28b562b6be14620a0bd4f361551682af08d35b79ab0cf04"
	    "938f6ad85f5d9c48c84bcd926eaab5b3f5e0386d936b33b4de167f34"
	    "0d2a122aa026d17cffb792bb7208e7bf1133e7ac1ce25692acbc0522"
	    "e950e3f",
	    "98dfe0464ec0bd5378d2bb9ef99dced1e83df924747ee202f3d577a7"
	    "4cb3ecdaef7be95022093b2fe633671ff238e801e7e00c761d096d00"
	    "80941bd7087413348699a8967f43812ad91f513e9c968af235364cc5"
	    "9ffdc918d6c7ede02765b55a8cc319950fb301d56b24c99bcaf899f8"
	    "f53c8770489e499294cdf82c7c49c2330c10200bda5e4384acc2a4c2"
	    "90fcff6228878f9d5673410c405259fd40b855ec7ba45c6c1a1da196"
	    "55ad84ce09b0d32d8a8ea96b8a3f28a01a032d7f4106c723eecb2eb8"
	    "34845f3480f55668562e044465c6d5d36cfd65f080d9199a59ac141a"
	    "07b42974b2d04bb07f163e077b66a2c1bcf2dd80e124768abcc0905e"
	    "95639ab9",
	    "642d7ddb3f7ff26f68618b6d9867490b7833f61637b19d08460a10cb"
	    "710740a925e4371db6d71fbc9d61bb804774db0eaa0f0fee4a387dfd"
	    "48dc5d3259b8eee6f5cc801f4c482d32710dc67a682bf85237d9f734"
	    "334e18942a3717e75809c430f46cd7dc4b72fd740d03da80c8384788"
	    "c828b0b7a73011cbc8a3b8c64365eaf0c63b9b7e476a539e2f9c05be"
	    "2957622bc0fd97b60647da1736f75ffe1b07e9230dbae2756b05f79d"
	    "2d70ded966e5250e234f4cc58d5edea834d41f16f3e04680f5faa378"
	    "99489cb88c1c60c4986d7dd792df089888dfd494ad63afa52256f682"
	    "1af305004a3aaa3497e83e09edaed6bb04845c5e92f603bc5ccb97ba"
	    "b160614d" },
	{ "2^2048-1 modulus",
	    "14b52f8e447598b592c2484ac91a18bf6e04b66a4883e4febee0c411"
	    "d899ba5a2e4a42f4fb2acc0d84a4dc7eaf041abdd677440393b2cdc6"
	    "050fe09242c53d1a50e69da5f290da91aaa2a68b7d5ddaacc75b2bde"
	    "822fd7e5d4921a917c3b670bc03107c96c367462f1d323cb2520b8f5"
	    "b906bfa92d2f1b4e1d333e44d619f3a220a901781ec546a3586cad7b"
	    "e2259f6f015cc9509e34c617515ca3ffc992da7865616d952bed9492"
	    "54fc9249290288fb7711a1a5c985fee9eecb5a88c67115dd81cdbcd2"
	    "5c29f7392971cdc75268c22805238606ab9ae10e1951eee0f0ac3254"
	    "b78b1d64651b63373e55cfee583e7b297f08f098b39512248144922e"
	    "e5a68c49",
	    "b68dea51caf2b8d57624504a0d1caa42104f98513ee3729f317de363"
	    "2bc32d6c85de2739345",
	    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
	    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
	    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
	    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
	    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
	    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
	    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
	    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
	    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
	    "ffffffff",
	    "19341b53b71efb6a97724eba263b134c66ded08ab2e5e266526f16c1"
	    "a5f73de92996b5f8dcf3491a6c70ac11f9f7d4e82d455d9b747e7f37"
	    "3526bb0823caba3ba6f9f4d4a03db8f11ff371e411fa6c918980e48c"
	    "252c32ccc17e230540c685c981e914976c4baa8452aeae9ef0c37523"
	    "8698e157ed7cb9adc29a2fac1754089c7695c199931acf74aab06920"
	    "32eaa1d14acb6ec4be7f4c7178102da23558341834d8d276c84c7310"
	    "c8ffc835fed201e8a4fd532abcf8db819114d1e308afbd7366770532"
	    "5a5054644cbf6e6c92cf24c6fc914bb65b1ed02f0ed1461311885efc"
	    "dd73e1265993d689e26e5dcf557e72d0ab244be8b589a96392a56ed5"
	    "1a0fabec" },
	{ "wide base, 512-bit mod",
	    "23f91afaa3f045ec5f7d38f59a23bed31f7bab741bc5aada0f575133"
	    "e13319ca80a4c754aff8e6a11c354c2da75ae7e868556f99a5c85632"
	    "4ac72a4df0d1ecfe085bb4dcfc5f59ff3b1aa96313be15e744ef41d0"
	    "041a2c733995fae549b98e6184d7b93c086dbdcaa23400e2acb6e7ac"
	    "c39bf1b31cceb08dc8e3a9093f45cc2357bc0a0b6d4479b4d5fa29f2"
	    "e0becbfdbb3c1c133c4704c26b8ca30593f8b674d8d5903a65af92eb"
	    "00e97b5073b951b6ba2470da1b410f17fcc7dbb5ea7d3df2eef29b3f"
	    "37f637a9b3c3f3cc73f74af23d393aa5733cd2289258b457990aa5e8"
	    "e22b0187e644d69ef08ff4dccaaa93fd1464addc59a0a0c1c8b84f60"
	    "2be2833b",
	    "e292c6134130059e8d47366e2d4be083172532de14df2b2a7e0f7f48"
	    "5e5d8ab9fe837731f1ff217f336222451a2b3dcb341b18eded4c9dab"
	    "7b4d8767ff01901b",
	    "f9d9bc1188903f8afcb3dcc89537891c2c31cd892d08db887b6e1cf4"
	    "b09ffa44c1ff5a0658c91be6fc12d45788058154111c0c69ae384ebc"
	    "e84312b102f966cb",
	    "7ca31e22775072cce54996e3ae0a74fa7b84b17ce6ba6c172129475a"
	    "6faba5f21c61fbc7c2afdcde91ba6c9d05236b8a110730e7e0d3b73c"
	    "3d27e733908037d7" },
	{ "wide exp, 256-bit mod",
	    "3bd91e128c8f2d2f0a4bd5921416307396139ea3ef19c6fb950e7bd7"
	    "1bae09e1",
	    "7f52caf357ef9cd246c62a86b96e74d5ac652c0946efedda1c589c84"
	    "2c21ee4cd94dbc8c0063b6125617acb91c9e008eeaa26177b6ae1a1e"
	    "2027db63404b458b9a07b6cd760562feb5e9cb838142d19398bfee54"
	    "7a8ceba8b02ac3618d17189696118f833f60a671bebf818e72f4d909"
	    "7551ab550d5cb6c8d97da7b4f6f5f17a54f0c6bebe76d2fa85d397da"
	    "01f27efa4d5841702d0cb06f4b8de0236cf15a231f2ddc75cb0ecb0a"
	    "fbc0cb3544106323362c722f3eaa4b7d7bc759b3fae6e1eff8701d68"
	    "9a71e23598dbbed813c7064596da4124ca57c9968df35f5770a9f6c8"
	    "95b776488159b75abb1f27a06942999aee687fef05907e7707a58c9b"
	    "c0394168",
	    "df82da50cc30dac0933cfe450f90e306743a22d2aaaf4cc648007c45"
	    "cb58f7d9",
	    "48ee8458d7b31360ad5243086ea00f405f47e3ecdb3fa7386ff763c8"
	    "a6bbc150" },
	{ "1000-bit mod, not limb-aligned",
	    "41f2335d9cfab28e596e6898347f733cc1a064344af349c5fbe1291b"
	    "f6ade4a852f625d3c12e946146a1c0e12643fe2c38a6b276b9bdd12a"
	    "6b8183d11a7c7f886e4f55cb4830acb5b7c6701ede0ae1fe5eb3a4df"
	    "873c5356596048859d73cc47bb9422b911b39c8953ffa5ab245b3cf0"
	    "e0b1f2eecbf5e95b861f3431ea",
	    "fd09c2b978b59d5bf0722ec41266aab2ad38210ccf083b58b46216d1"
	    "96002c23f0109504dfa2aabc84ce9440051e60d4d3a1a6dddac6f24c"
	    "2a2d4e99e858b05e0a4a7c2bbd040ef0feb1148a18c5a1c582f322de"
	    "64cfe2791baeee54367f22fc7ecbb3e0e4d584fccb3c20ff5b025781"
	    "d84d130ab91862046c67f6b2ee",
	    "b022b2916961f126ecff140eb7216ce743875f0aab22b5396e585cc7"
	    "f5ef15f13c691bf649166e2d04f32b8381f0959b8f7aa341062728c9"
	    "42379e2fe2cdc2136d3170c09bb45f429fabb79919aed9126bbe98a4"
	    "cb3ec5135afb431ee3fd9a95e1f73ef25143539fb564aa65f0a4ebec"
	    "c98c61fc74b73c362f726f2f55",
	    "69b133a0a97111763b97130ca3dce1e7c08c8a5b9306ff4abcd10304"
	    "f24e09968fc4e245ed1aa530fc62512f8ba8c5bbb60ba9f409ae1020"
	    "b6866423d350dbb0d8da8af6ae0624bb6b4ae9919c53ee07f5310b23"
	    "25a20bf406f076352f3472c258a3ead653edb76af45aab5c0fdd5894"
	    "7cbd03a324f2e5151c496718d0" },
	{ "one limb, top bit set", "deadbeef", "fffffff1", "fffffffb",
	    "bcaef1a" },
	{ "two limbs", "123456789abcdef", "10001", "100000001", "d7da42b1" },
};

static void
run_pow(const struct pow_case *c, const char *table)
{
	char      buf[HEX_MAX];
	struct bn b, e, m, r;

	b = H(c->base);
	e = H(c->exp);
	m = H(c->mod);
	CHECK_INT(bn_modexp(&r, &b, &e, &m), APP_OK, "%s %s", table, c->name);
	CHECK_STR(hex(&r, buf), c->want, "%s %s", table, c->name);
	/* The result may be any operand. */
	r = b;
	(void)bn_modexp(&r, &r, &e, &m);
	CHECK_STR(hex(&r, buf), c->want, "%s %s, r = base", table, c->name);
	r = e;
	(void)bn_modexp(&r, &b, &r, &m);
	CHECK_STR(hex(&r, buf), c->want, "%s %s, r = exp", table, c->name);
	r = m;
	(void)bn_modexp(&r, &b, &e, &r);
	CHECK_STR(hex(&r, buf), c->want, "%s %s, r = mod", table, c->name);
}

static void
test_modexp(void)
{
	char      buf[HEX_MAX];
	struct bn b, e, m, r;
	size_t    i;

	for (i = 0; i < sizeof(small_cases) / sizeof(small_cases[0]); i++)
		run_pow(&small_cases[i], "small");
	for (i = 0; i < sizeof(pow_cases) / sizeof(pow_cases[0]); i++)
		run_pow(&pow_cases[i], "python");

	b = H("2");
	e = H("3");
	m = H("8");
	CHECK_INT(bn_modexp(&r, &b, &e, &m), APP_EINPUT, "even modulus");
	CHECK_STR(hex(&r, buf), "0", "even modulus leaves zero");
	m = H("1");
	CHECK_INT(bn_modexp(&r, &b, &e, &m), APP_EINPUT, "modulus 1");
	m = H("0");
	CHECK_INT(bn_modexp(&r, &b, &e, &m), APP_EINPUT, "modulus 0");
}

/* ----------------------------------------------------------------------
 * random ranges and Diffie-Hellman agreement
 */

static void
test_random(void)
{
	struct bn bound, r, p;
	int       seen[3] = { 0, 0, 0 }, bad = 0;
	size_t    i;

	bound = H("1");
	CHECK_INT(bn_random_range(&r, &bound), APP_EINPUT, "bound 1");
	bound = H("0");
	CHECK_INT(bn_random_range(&r, &bound), APP_EINPUT, "bound 0");
	bound = H("2");
	for (i = 0; i < 20; i++)
		if (bn_random_range(&r, &bound) != APP_OK ||
		    bn_cmp(&r, &(struct bn){ .l = { 1 } }) != 0)
			bad++;
	CHECK_INT(bad, 0, "bound 2 always gives 1");
	bound = H("3");
	for (i = 0; i < 200; i++) {
		if (bn_random_range(&r, &bound) != APP_OK || r.l[0] > 2 ||
		    bn_bits(&r) > 2)
			bad++;
		else
			seen[r.l[0]]++;
	}
	CHECK_INT(bad, 0, "bound 3 in range");
	CHECK(seen[0] == 0 && seen[1] > 0 && seen[2] > 0,
	    "bound 3 gives 1 and 2 (%d, %d)", seen[1], seen[2]);

	p = H(DH_P);
	for (i = 0; i < 50; i++)
		if (bn_random_range(&r, &p) != APP_OK || bn_is_zero(&r) ||
		    bn_cmp(&r, &p) >= 0)
			bad++;
	CHECK_INT(bad, 0, "below DH p");
	/* All ones: every draw of the right width but zero is in range. */
	memset(bound.l, 0xff, sizeof(bound.l));
	CHECK_INT(bn_random_range(&r, &bound), APP_OK, "widest bound");
}

static void
test_dh(void)
{
	struct bn p, g, a, b, ga, gb, k1, k2;
	int       i, bad = 0;

	p = H(DH_P);
	g = H("2");
	for (i = 0; i < 8; i++) {
		if (bn_random_range(&a, &p) != APP_OK ||
		    bn_random_range(&b, &p) != APP_OK ||
		    bn_modexp(&ga, &g, &a, &p) != APP_OK ||
		    bn_modexp(&gb, &g, &b, &p) != APP_OK ||
		    bn_modexp(&k1, &gb, &a, &p) != APP_OK ||
		    bn_modexp(&k2, &ga, &b, &p) != APP_OK)
			bad++;
		else if (bn_cmp(&k1, &k2) != 0 || bn_is_zero(&k1) ||
		    bn_cmp(&ga, &gb) == 0)
			bad++;
	}
	CHECK_INT(bad, 0, "g^a^b == g^b^a");
}

int
main(void)
{
	if (sodium_init() == -1) {
		fprintf(stderr, "sodium_init failed\n");
		return 1;
	}
	test_bytes();
	test_hex();
	test_btwoc();
	test_arith();
	test_modexp();
	test_random();
	test_dh();
	return test_done("test_bignum");
}
