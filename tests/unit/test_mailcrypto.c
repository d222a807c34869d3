/*
 * test_mailcrypto.c - mailbox keys, their wraps, sealed messages and the
 * encrypted summary: round trips, and every tampering refused.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "mail/keys.h"
#include "mail/seal.h"
#include "mail/summary.h"
#include "test.h"

/* Argon2id's least work: the tests are about the wraps, not the cost. */
static const struct pwhash_limits fast = { 1, 8192 * 1024 };

static const char pw[] = "correct horse battery staple";
static const char pw2[] = "Tr0ub4dor&3";

static void
flip(unsigned char *p, size_t i)
{
	p[i] ^= 0x01;
}

static void
test_create_open(void)
{
	struct mbox_keys k;
	unsigned char    sk[MBOX_SK_BYTES], got[MBOX_SK_BYTES];
	unsigned char    pk[MBOX_PK_BYTES], zero[MBOX_SK_BYTES] = { 0 };

	CHECK_INT(mbox_keys_create(&k, pw, strlen(pw), &fast, sk), MBOX_OK,
	    "create");
	crypto_scalarmult_base(pk, sk);
	CHECK(memcmp(pk, k.pk, sizeof(pk)) == 0, "pk is sk's");
	CHECK(k.limits.opslimit == 1 && k.limits.memlimit == 8192 * 1024,
	    "limits stored");
	CHECK_INT(mbox_keys_open(&k, pw, strlen(pw), got), MBOX_OK, "open");
	CHECK(memcmp(got, sk, sizeof(sk)) == 0, "the same secret key");
	CHECK_INT(mbox_keys_open(&k, pw2, strlen(pw2), got), MBOX_EDENIED,
	    "wrong password");
	CHECK(memcmp(got, zero, sizeof(zero)) == 0, "nothing left on failure");
	CHECK_INT(mbox_keys_open(&k, pw, strlen(pw) - 1, got), MBOX_EDENIED,
	    "a prefix of the password");
	CHECK_INT(mbox_keys_open(&k, "", 0, got), MBOX_EDENIED, "empty");
}

/* Every byte of every stored column, changed, makes the record refuse. */
static void
test_keys_tampered(void)
{
	struct mbox_keys k, t;
	unsigned char    sk[MBOX_SK_BYTES];
	size_t           i, bad = 0, n = 0;

	(void)mbox_keys_create(&k, pw, strlen(pw), &fast, NULL);
	for (i = 0; i < MBOX_WRAP_BYTES; i++, n++) {
		t = k;
		flip(t.wrapped_sk, i);
		bad += mbox_keys_open(&t, pw, strlen(pw), sk) == MBOX_EDENIED;
	}
	for (i = 0; i < MBOX_NONCE_BYTES; i++, n++) {
		t = k;
		flip(t.nonce, i);
		bad += mbox_keys_open(&t, pw, strlen(pw), sk) == MBOX_EDENIED;
	}
	for (i = 0; i < MBOX_SALT_BYTES; i++, n++) {
		t = k;
		flip(t.salt, i);
		bad += mbox_keys_open(&t, pw, strlen(pw), sk) == MBOX_EDENIED;
	}
	for (i = 0; i < MBOX_PK_BYTES; i++, n++) {
		t = k;
		flip(t.pk, i);
		bad += mbox_keys_open(&t, pw, strlen(pw), sk) == MBOX_EDENIED;
	}
	CHECK_INT(bad, n, "tampered key records refused");
	t = k;
	t.limits.opslimit = 2;
	CHECK_INT(mbox_keys_open(&t, pw, strlen(pw), sk), MBOX_EDENIED,
	    "other opslimit");
	t = k;
	t.limits.memlimit += 1024;
	CHECK_INT(mbox_keys_open(&t, pw, strlen(pw), sk), MBOX_EDENIED,
	    "other memlimit");
}

/* A wrap copied onto another mailbox's row opens with no password. */
static void
test_keys_moved(void)
{
	struct mbox_keys a, b, t;
	unsigned char    sk[MBOX_SK_BYTES];

	(void)mbox_keys_create(&a, pw, strlen(pw), &fast, NULL);
	(void)mbox_keys_create(&b, pw, strlen(pw), &fast, NULL);
	t = b;
	memcpy(t.wrapped_sk, a.wrapped_sk, sizeof(t.wrapped_sk));
	memcpy(t.nonce, a.nonce, sizeof(t.nonce));
	memcpy(t.salt, a.salt, sizeof(t.salt));
	CHECK_INT(mbox_keys_open(&t, pw, strlen(pw), sk), MBOX_EDENIED,
	    "a's wrap on b's public key");
	CHECK(memcmp(a.pk, b.pk, sizeof(a.pk)) != 0, "distinct key pairs");
	CHECK(memcmp(a.salt, b.salt, sizeof(a.salt)) != 0, "distinct salts");
}

static void
test_rewrap(void)
{
	struct mbox_keys     k, before;
	unsigned char        sk[MBOX_SK_BYTES], got[MBOX_SK_BYTES];
	unsigned char        other[MBOX_SK_BYTES];
	struct pwhash_limits more = { 2, 16384 * 1024 };

	(void)mbox_keys_create(&k, pw, strlen(pw), &fast, sk);
	before = k;
	CHECK_INT(mbox_keys_rewrap(&k, sk, pw2, strlen(pw2), &more), MBOX_OK,
	    "rewrap");
	CHECK(memcmp(k.pk, before.pk, sizeof(k.pk)) == 0, "same public key");
	CHECK(memcmp(k.salt, before.salt, sizeof(k.salt)) != 0, "new salt");
	CHECK(k.limits.opslimit == 2 && k.limits.memlimit == 16384 * 1024,
	    "new limits");
	CHECK_INT(mbox_keys_open(&k, pw2, strlen(pw2), got), MBOX_OK,
	    "new password opens");
	CHECK(memcmp(got, sk, sizeof(sk)) == 0, "the same secret key");
	CHECK_INT(mbox_keys_open(&k, pw, strlen(pw), got), MBOX_EDENIED,
	    "old password no more");
	before = k;
	randombytes_buf(other, sizeof(other));
	CHECK_INT(mbox_keys_rewrap(&k, other, pw, strlen(pw), &fast),
	    MBOX_EDENIED, "rewrap with a foreign secret key");
	CHECK(memcmp(&k, &before, sizeof(k)) == 0, "record unchanged");
	more.opslimit = 0;
	CHECK_INT(mbox_keys_rewrap(&k, sk, pw, strlen(pw), &more), MBOX_EINVAL,
	    "rewrap with bad limits");
	CHECK(memcmp(&k, &before, sizeof(k)) == 0, "record unchanged");
}

static void
test_limits(void)
{
	static const struct {
		unsigned long long ops;
		size_t             mem;
		int                valid;
	} cases[] = {
		{ 1, 8192, 1 },
		{ 0, 8192 * 1024, 0 },
		{ 1, 8191, 0 },
		{ 3, 256UL * 1024 * 1024, 1 },
		{ 17, 8192 * 1024, 0 },
		{ 2, MBOX_MEMLIMIT_MAX, 1 },
		{ 2, MBOX_MEMLIMIT_MAX + 1, 0 },
	};
	struct pwhash_limits l;
	struct mbox_keys     k;
	unsigned char        sk[MBOX_SK_BYTES];
	char                *big;
	size_t               i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		l.opslimit = cases[i].ops;
		l.memlimit = cases[i].mem;
		CHECK_INT(mbox_limits_valid(&l), cases[i].valid, "limits %zu",
		    i);
	}
	l.opslimit = 0;
	l.memlimit = 8192;
	CHECK_INT(mbox_keys_create(&k, pw, strlen(pw), &l, NULL), MBOX_EINVAL,
	    "create with bad limits");
	(void)mbox_keys_create(&k, pw, strlen(pw), &fast, NULL);
	k.limits.memlimit = MBOX_MEMLIMIT_MAX * 4;
	CHECK_INT(mbox_keys_open(&k, pw, strlen(pw), sk), MBOX_EINVAL,
	    "a row asking for 4 GiB is refused before any work");
	big = calloc(1, MBOX_PASSWORD_MAX + 2);
	memset(big, 'x', MBOX_PASSWORD_MAX + 1);
	CHECK_INT(mbox_keys_create(&k, big, MBOX_PASSWORD_MAX + 1, &fast, NULL),
	    MBOX_EINVAL, "password too long");
	CHECK_INT(mbox_keys_create(&k, big, MBOX_PASSWORD_MAX, &fast, NULL),
	    MBOX_OK, "longest password");
	free(big);
}

static double
elapsed_ms(const struct mbox_keys *k, const char *p)
{
	struct timespec a, b;
	unsigned char   sk[MBOX_SK_BYTES];

	clock_gettime(CLOCK_MONOTONIC, &a);
	(void)mbox_keys_open(k, p, strlen(p), sk);
	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a.tv_sec) * 1e3 +
	    (double)(b.tv_nsec - a.tv_nsec) / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * A wrong password takes as long as the right one: the derivation runs in
 * full either way.  Interleaved runs, medians compared.
 */
static void
test_timing(void)
{
	enum {
		RUNS = 15
	};
	struct mbox_keys k;
	double           right[RUNS], wrong[RUNS], r, w, hi;
	int              i;

	(void)mbox_keys_create(&k, pw, strlen(pw), &fast, NULL);
	for (i = 0; i < RUNS; i++) {
		right[i] = elapsed_ms(&k, pw);
		wrong[i] = elapsed_ms(&k, pw2);
	}
	qsort(right, RUNS, sizeof(double), cmp_double);
	qsort(wrong, RUNS, sizeof(double), cmp_double);
	r = right[RUNS / 2];
	w = wrong[RUNS / 2];
	hi = r > w ? r : w;
	CHECK(r - w < 0.25 * hi + 1.0 && w - r < 0.25 * hi + 1.0,
	    "median right %.2f ms, wrong %.2f ms", r, w);
}

static void
test_unlock(void)
{
	struct mbox_keys   k, other;
	struct mbox_unlock u, t;
	unsigned char      sk[MBOX_SK_BYTES], got[MBOX_SK_BYTES];
	unsigned char      key[MBOX_UNLOCK_KEY_BYTES], key2[32];
	unsigned char      sess[32], sess2[32];
	size_t             i, bad = 0;

	(void)mbox_keys_create(&k, pw, strlen(pw), &fast, sk);
	(void)mbox_keys_create(&other, pw, strlen(pw), &fast, NULL);
	randombytes_buf(sess, sizeof(sess));
	randombytes_buf(sess2, sizeof(sess2));
	mbox_unlock_wrap(&u, key, sk, sess, 7, k.pk);
	CHECK_INT(mbox_unlock_open(&u, key, sess, 7, k.pk, got), MBOX_OK,
	    "unlock opens");
	CHECK(memcmp(got, sk, sizeof(sk)) == 0, "the secret key");
	CHECK_INT(mbox_unlock_open(&u, key, sess2, 7, k.pk, got), MBOX_EDENIED,
	    "the cookie with another session");
	CHECK_INT(mbox_unlock_open(&u, key, sess, 8, k.pk, got), MBOX_EDENIED,
	    "another mailbox id");
	CHECK_INT(mbox_unlock_open(&u, key, sess, 7, other.pk, got),
	    MBOX_EDENIED, "another public key");
	memcpy(key2, key, sizeof(key2));
	flip(key2, 31);
	CHECK_INT(mbox_unlock_open(&u, key2, sess, 7, k.pk, got), MBOX_EDENIED,
	    "another cookie");
	for (i = 0; i < MBOX_WRAP_BYTES + MBOX_NONCE_BYTES; i++) {
		t = u;
		if (i < MBOX_WRAP_BYTES)
			flip(t.wrapped_sk, i);
		else
			flip(t.nonce, i - MBOX_WRAP_BYTES);
		bad += mbox_unlock_open(&t, key, sess, 7, k.pk, got) ==
		    MBOX_EDENIED;
	}
	CHECK_INT(bad, MBOX_WRAP_BYTES + MBOX_NONCE_BYTES, "tampered unlocks");
	mbox_unlock_wrap(&t, key2, sk, sess, 7, k.pk);
	CHECK(memcmp(key2, key, sizeof(key)) != 0 &&
		memcmp(t.nonce, u.nonce, sizeof(u.nonce)) != 0,
	    "each unlock has its own key and nonce");
}

static void
test_message(void)
{
	struct mbox_keys a, b;
	unsigned char    ska[MBOX_SK_BYTES], skb[MBOX_SK_BYTES];
	unsigned char    key[MSG_KEY_BYTES], got[MSG_KEY_BYTES];
	unsigned char    sealed[MSG_SEALED_KEY_BYTES], t[MSG_SEALED_KEY_BYTES];
	size_t           i, bad = 0;

	(void)mbox_keys_create(&a, pw, strlen(pw), &fast, ska);
	(void)mbox_keys_create(&b, pw, strlen(pw), &fast, skb);
	msg_key_new(key, sealed, a.pk);
	CHECK_INT(msg_key_open(got, sealed, a.pk, ska), MBOX_OK, "key opens");
	CHECK(memcmp(got, key, sizeof(key)) == 0, "same message key");
	CHECK_INT(msg_key_open(got, sealed, b.pk, skb), MBOX_EDENIED,
	    "another mailbox cannot open it");
	for (i = 0; i < sizeof(sealed); i++) {
		memcpy(t, sealed, sizeof(t));
		flip(t, i);
		bad += msg_key_open(got, t, a.pk, ska) == MBOX_EDENIED;
	}
	CHECK_INT(bad, sizeof(sealed), "tampered sealed keys");
}

static void
test_parts(void)
{
	static const char body[] = "Subject: hello\r\n\r\nmarker 42\r\n";
	struct msg_place  at = { 12, 345, MSG_BODY }, p;
	unsigned char     key[MSG_KEY_BYTES], nonce[MSG_NONCE_BYTES];
	unsigned char     ct[sizeof(body) + MSG_TAG_BYTES], t[sizeof(ct)];
	unsigned char     n2[MSG_NONCE_BYTES], out[sizeof(body)];
	size_t            i, bad = 0;

	crypto_aead_xchacha20poly1305_ietf_keygen(key);
	msg_encrypt(ct, nonce, body, sizeof(body), &at, key);
	CHECK(memmem(ct, sizeof(ct), "marker", 6) == NULL, "no plaintext");
	CHECK_INT(msg_decrypt(out, ct, sizeof(ct), nonce, &at, key), MBOX_OK,
	    "decrypts");
	CHECK(memcmp(out, body, sizeof(body)) == 0, "same bytes");
	for (i = 0; i < sizeof(ct); i++) {
		memcpy(t, ct, sizeof(t));
		flip(t, i);
		bad += msg_decrypt(out, t, sizeof(t), nonce, &at, key) ==
		    MBOX_EDENIED;
	}
	for (i = 0; i < sizeof(nonce); i++) {
		memcpy(n2, nonce, sizeof(n2));
		flip(n2, i);
		bad += msg_decrypt(out, ct, sizeof(ct), n2, &at, key) ==
		    MBOX_EDENIED;
	}
	CHECK_INT(bad, sizeof(ct) + sizeof(nonce), "tampered ciphertexts");
	p = at;
	p.mailbox_id = 13;
	CHECK_INT(msg_decrypt(out, ct, sizeof(ct), nonce, &p, key),
	    MBOX_EDENIED, "moved to another mailbox's row");
	p = at;
	p.message_id = 346;
	CHECK_INT(msg_decrypt(out, ct, sizeof(ct), nonce, &p, key),
	    MBOX_EDENIED, "moved to another message's row");
	p = at;
	p.part = MSG_SUMMARY;
	CHECK_INT(msg_decrypt(out, ct, sizeof(ct), nonce, &p, key),
	    MBOX_EDENIED, "the body as a summary");
	CHECK_INT(msg_decrypt(out, ct, sizeof(ct) - 1, nonce, &at, key),
	    MBOX_EDENIED, "cut short");
	CHECK_INT(msg_decrypt(out, ct, MSG_TAG_BYTES - 1, nonce, &at, key),
	    MBOX_EDENIED, "shorter than a tag");
}

static void
test_utf8_cut(void)
{
	static const struct {
		const char *s;
		size_t      max, want;
	} cases[] = {
		{ "abc", 5, 3 },
		{ "abc", 3, 3 },
		{ "abc", 2, 2 },
		{ "a\xc3\xa4", 2, 1 }, /* ä split: cut before */
		{ "a\xc3\xa4", 3, 3 },
		{ "\xe2\x82\xac", 2, 0 }, /* € */
		{ "\xe2\x82\xac"
		  "x",
		    3, 3 },
		{ "\xf0\x9f\x98\x80z", 3, 0 }, /* an emoji */
		{ "", 0, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_INT(utf8_cut(cases[i].s, cases[i].max), cases[i].want,
		    "utf8_cut case %zu", i);
}

static void
encode(struct buf *b, const struct summary *s)
{
	buf_reset(b);
	summary_encode(b, s);
}

static void
test_summary_round_trip(struct arena *a)
{
	struct summary_attachment at[2] = {
		{ "report.pdf", "application/pdf", 20971520 },
		{ "", "image/png", 5 },
	};
	struct summary s = { "Ada <ada@example.org>", "ada@ubuntu.com",
		"Hello, \xc3\xa4", -86400, -300, SUMMARY_HTML_ONLY, 2, at },
		       d;
	struct buf b;

	buf_init(&b, SUMMARY_MAX);
	encode(&b, &s);
	CHECK(!b.failed && b.len % SUMMARY_BLOCK == 0 && b.len > 0,
	    "padded to a block: %zu", b.len);
	CHECK_INT(summary_decode(&d, (unsigned char *)b.data, b.len, a), 0,
	    "decodes");
	CHECK_STR(d.from, s.from, "from");
	CHECK_STR(d.to, s.to, "to");
	CHECK_STR(d.subject, s.subject, "subject");
	CHECK_INT(d.date, -86400, "date");
	CHECK_INT(d.tz_minutes, -300, "zone");
	CHECK_INT(d.flags, SUMMARY_HTML_ONLY, "flags");
	CHECK_INT(d.nattach, 2, "attachments");
	CHECK_STR(d.attach[0].name, "report.pdf", "name");
	CHECK_STR(d.attach[0].type, "application/pdf", "type");
	CHECK_INT(d.attach[0].size, 20971520, "size");
	CHECK_STR(d.attach[1].name, "", "no name");
	s.subject = "A much longer subject, which still fits in one block";
	encode(&b, &s);
	CHECK_INT(b.len, SUMMARY_BLOCK, "short and long subjects pad alike");
	buf_free(&b);
}

static void
test_summary_bounds(struct arena *a)
{
	struct summary_attachment many[SUMMARY_ATTACH_MAX + 3];
	struct summary            s, d;
	struct buf                b;
	char                      subj[SUMMARY_TEXT_MAX + 10];
	size_t                    i;

	memset(&s, 0, sizeof(s));
	for (i = 0; i < SUMMARY_ATTACH_MAX + 3; i++) {
		many[i].name = "x.txt";
		many[i].type = "text/plain";
		many[i].size = i;
	}
	/* 997 ASCII bytes then a 2-byte character across the bound. */
	memset(subj, 'a', sizeof(subj));
	subj[SUMMARY_TEXT_MAX - 1] = '\xc3';
	subj[SUMMARY_TEXT_MAX] = '\xa4';
	subj[sizeof(subj) - 1] = '\0';
	s.from = "f";
	s.to = "t";
	s.subject = subj;
	s.attach = many;
	s.nattach = SUMMARY_ATTACH_MAX + 3;
	buf_init(&b, SUMMARY_MAX);
	encode(&b, &s);
	CHECK(!b.failed, "the largest summary fits SUMMARY_MAX");
	CHECK_INT(summary_decode(&d, (unsigned char *)b.data, b.len, a), 0,
	    "decodes");
	CHECK_INT(strlen(d.subject), SUMMARY_TEXT_MAX - 1,
	    "cut before the split character");
	CHECK_INT(d.nattach, SUMMARY_ATTACH_MAX, "attachments bounded");
	CHECK(d.flags & SUMMARY_MORE_ATTACHMENTS, "and flagged");
	s.from = NULL;
	s.nattach = 0;
	encode(&b, &s);
	CHECK(summary_decode(&d, (unsigned char *)b.data, b.len, a) == 0 &&
		strcmp(d.from, "") == 0,
	    "absent from is empty");
	buf_free(&b);
}

/* Only what summary_encode writes decodes. */
static void
test_summary_refused(struct arena *a)
{
	static const struct summary s = { "f", "t", "s", 0, 0, 0, 0, NULL };
	struct summary              d;
	struct buf                  b;
	unsigned char              *t;
	size_t                      i, n, refused = 0;

	buf_init(&b, SUMMARY_MAX);
	summary_encode(&b, &s);
	n = b.len;
	t = malloc(n);
	for (i = 0; i < n; i++) /* every truncation */
		refused += summary_decode(&d, (unsigned char *)b.data, i, a) ==
		    -1;
	CHECK_INT(refused, n, "truncated encodings");
	memcpy(t, b.data, n);
	t[0] = 2;
	CHECK_INT(summary_decode(&d, t, n, a), -1, "unknown version");
	memcpy(t, b.data, n);
	t[15] = 'z';
	CHECK_INT(summary_decode(&d, t, n, a), -1, "unknown tag");
	memcpy(t, b.data, n);
	t[15 + 3] = '\0'; /* the from field's byte */
	CHECK_INT(summary_decode(&d, t, n, a), -1, "NUL in a text");
	memcpy(t, b.data, n);
	t[n - 1] = 1;
	CHECK_INT(summary_decode(&d, t, n, a), -1, "bad padding");
	memcpy(t, b.data, n);
	t[15 + 4] = 'f'; /* the to field becomes a second from */
	CHECK_INT(summary_decode(&d, t, n, a), -1, "a field twice");
	free(t);
	buf_free(&b);
}

int
main(void)
{
	struct arena *a;

	if (sodium_init() == -1 || (a = arena_new(1 << 20)) == NULL)
		return 1;
	test_create_open();
	test_keys_tampered();
	test_keys_moved();
	test_rewrap();
	test_limits();
	test_timing();
	test_unlock();
	test_message();
	test_parts();
	test_utf8_cut();
	test_summary_round_trip(a);
	test_summary_bounds(a);
	test_summary_refused(a);
	arena_free(a);
	return test_done("test_mailcrypto");
}
