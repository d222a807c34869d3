/* keys.c - mailbox key pairs and their wraps; see keys.h. */
#include "config.h"

#include <string.h>

#include <sodium.h>

#include "mail/keys.h"

/* Associated data prefixes: a wrap of one kind never opens as the other. */
#define AD_PASSWORD "membermail/mailbox-key/v1"
#define AD_UNLOCK   "membermail/unlock/v1"
#define AD_MAX      (sizeof(AD_UNLOCK) + 32 + 8 + MBOX_PK_BYTES)

/* The static asserts keep the header's sizes honest. */
_Static_assert(MBOX_PK_BYTES == crypto_box_PUBLICKEYBYTES, "pk size");
_Static_assert(MBOX_SK_BYTES == crypto_box_SECRETKEYBYTES, "sk size");
_Static_assert(MBOX_WRAP_BYTES ==
	MBOX_SK_BYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES,
    "wrap size");
_Static_assert(MBOX_NONCE_BYTES == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
    "nonce size");
_Static_assert(MBOX_SALT_BYTES == crypto_pwhash_SALTBYTES, "salt size");
_Static_assert(MBOX_UNLOCK_KEY_BYTES ==
	crypto_aead_xchacha20poly1305_ietf_KEYBYTES,
    "key size");

void
mbox_put_id(unsigned char out[8], long long v)
{
	unsigned long long u = (unsigned long long)v;
	int                i;

	for (i = 7; i >= 0; i--) {
		out[i] = (unsigned char)(u & 0xff);
		u >>= 8;
	}
}

int
mbox_limits_valid(const struct pwhash_limits *l)
{
	return l->opslimit >= MBOX_OPSLIMIT_MIN &&
	    l->opslimit <= MBOX_OPSLIMIT_MAX &&
	    l->opslimit >= crypto_pwhash_OPSLIMIT_MIN &&
	    l->memlimit >= MBOX_MEMLIMIT_MIN &&
	    l->memlimit <= MBOX_MEMLIMIT_MAX &&
	    l->memlimit >= crypto_pwhash_MEMLIMIT_MIN;
}

/* The key-encryption key from the password; 0 or an error. */
static enum mbox_err
derive(unsigned char kek[32], const char *pw, size_t pwlen,
    const unsigned char salt[MBOX_SALT_BYTES], const struct pwhash_limits *l)
{
	if (!mbox_limits_valid(l) || pwlen > MBOX_PASSWORD_MAX)
		return MBOX_EINVAL;
	if (crypto_pwhash(kek, 32, pw, pwlen, salt, l->opslimit, l->memlimit,
		crypto_pwhash_ALG_ARGON2ID13) != 0)
		return MBOX_ENOMEM;
	return MBOX_OK;
}

static size_t
password_ad(unsigned char ad[AD_MAX], const unsigned char pk[MBOX_PK_BYTES])
{
	memcpy(ad, AD_PASSWORD, sizeof(AD_PASSWORD));
	memcpy(ad + sizeof(AD_PASSWORD), pk, MBOX_PK_BYTES);
	return sizeof(AD_PASSWORD) + MBOX_PK_BYTES;
}

static size_t
unlock_ad(unsigned char ad[AD_MAX], const unsigned char session_hash[32],
    long long mailbox_id, const unsigned char pk[MBOX_PK_BYTES])
{
	size_t n = sizeof(AD_UNLOCK);

	memcpy(ad, AD_UNLOCK, n);
	memcpy(ad + n, session_hash, 32);
	mbox_put_id(ad + n + 32, mailbox_id);
	memcpy(ad + n + 40, pk, MBOX_PK_BYTES);
	return n + 40 + MBOX_PK_BYTES;
}

static void
seal_sk(unsigned char   out[MBOX_WRAP_BYTES],
    unsigned char       nonce[MBOX_NONCE_BYTES],
    const unsigned char sk[MBOX_SK_BYTES], const unsigned char *ad,
    size_t adlen, const unsigned char key[32])
{
	randombytes_buf(nonce, MBOX_NONCE_BYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(out, NULL, sk, MBOX_SK_BYTES,
	    ad, adlen, NULL, nonce, key);
}

/* Opens a wrap and checks the key against the public key. */
static enum mbox_err
open_sk(unsigned char   sk[MBOX_SK_BYTES],
    const unsigned char wrapped[MBOX_WRAP_BYTES],
    const unsigned char nonce[MBOX_NONCE_BYTES], const unsigned char *ad,
    size_t adlen, const unsigned char key[32],
    const unsigned char pk[MBOX_PK_BYTES])
{
	unsigned char check[MBOX_PK_BYTES];
	int           bad;

	bad = crypto_aead_xchacha20poly1305_ietf_decrypt(sk, NULL, NULL,
		  wrapped, MBOX_WRAP_BYTES, ad, adlen, nonce, key) != 0;
	if (!bad)
		bad = crypto_scalarmult_base(check, sk) != 0 ||
		    sodium_memcmp(check, pk, MBOX_PK_BYTES) != 0;
	if (bad)
		sodium_memzero(sk, MBOX_SK_BYTES);
	return bad ? MBOX_EDENIED : MBOX_OK;
}

/* Wraps sk by the password into k (pk already set), fresh salt and nonce. */
static enum mbox_err
wrap_by_password(struct mbox_keys *k, const unsigned char sk[MBOX_SK_BYTES],
    const char *pw, size_t pwlen, const struct pwhash_limits *l)
{
	unsigned char kek[32], ad[AD_MAX];
	enum mbox_err e;

	randombytes_buf(k->salt, sizeof(k->salt));
	if ((e = derive(kek, pw, pwlen, k->salt, l)) != MBOX_OK)
		return e;
	seal_sk(k->wrapped_sk, k->nonce, sk, ad, password_ad(ad, k->pk), kek);
	k->limits = *l;
	sodium_memzero(kek, sizeof(kek));
	return MBOX_OK;
}

enum mbox_err
mbox_keys_create(struct mbox_keys *k, const char *pw, size_t pwlen,
    const struct pwhash_limits *l, unsigned char sk_out[MBOX_SK_BYTES])
{
	unsigned char sk[MBOX_SK_BYTES];
	enum mbox_err e;

	memset(k, 0, sizeof(*k));
	crypto_box_keypair(k->pk, sk);
	e = wrap_by_password(k, sk, pw, pwlen, l);
	if (e == MBOX_OK && sk_out != NULL)
		memcpy(sk_out, sk, MBOX_SK_BYTES);
	sodium_memzero(sk, sizeof(sk));
	if (e != MBOX_OK)
		memset(k, 0, sizeof(*k));
	return e;
}

enum mbox_err
mbox_keys_open(const struct mbox_keys *k, const char *pw, size_t pwlen,
    unsigned char sk[MBOX_SK_BYTES])
{
	unsigned char kek[32], ad[AD_MAX];
	enum mbox_err e;

	sodium_memzero(sk, MBOX_SK_BYTES);
	if ((e = derive(kek, pw, pwlen, k->salt, &k->limits)) != MBOX_OK)
		return e;
	e = open_sk(sk, k->wrapped_sk, k->nonce, ad, password_ad(ad, k->pk),
	    kek, k->pk);
	sodium_memzero(kek, sizeof(kek));
	return e;
}

enum mbox_err
mbox_keys_rewrap(struct mbox_keys *k, const unsigned char sk[MBOX_SK_BYTES],
    const char *pw, size_t pwlen, const struct pwhash_limits *l)
{
	struct mbox_keys next = *k;
	unsigned char    check[MBOX_PK_BYTES];
	enum mbox_err    e;

	if (crypto_scalarmult_base(check, sk) != 0 ||
	    sodium_memcmp(check, k->pk, MBOX_PK_BYTES) != 0)
		return MBOX_EDENIED;
	if ((e = wrap_by_password(&next, sk, pw, pwlen, l)) == MBOX_OK)
		*k = next;
	sodium_memzero(&next, sizeof(next));
	return e;
}

void
mbox_unlock_wrap(struct mbox_unlock *u,
    unsigned char                    key[MBOX_UNLOCK_KEY_BYTES],
    const unsigned char sk[MBOX_SK_BYTES], const unsigned char session_hash[32],
    long long mailbox_id, const unsigned char pk[MBOX_PK_BYTES])
{
	unsigned char ad[AD_MAX];

	crypto_aead_xchacha20poly1305_ietf_keygen(key);
	seal_sk(u->wrapped_sk, u->nonce, sk, ad,
	    unlock_ad(ad, session_hash, mailbox_id, pk), key);
}

enum mbox_err
mbox_unlock_open(const struct mbox_unlock *u,
    const unsigned char                    key[MBOX_UNLOCK_KEY_BYTES],
    const unsigned char session_hash[32], long long mailbox_id,
    const unsigned char pk[MBOX_PK_BYTES], unsigned char sk[MBOX_SK_BYTES])
{
	unsigned char ad[AD_MAX];

	return open_sk(sk, u->wrapped_sk, u->nonce, ad,
	    unlock_ad(ad, session_hash, mailbox_id, pk), key, pk);
}
