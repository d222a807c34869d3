/*
 * keys.h - a mailbox's key pair and the two wraps of its secret key.
 *
 * Every mailbox has an X25519 key pair (crypto_box).  The public key is
 * stored in clear: delivery needs nothing else.  The secret key is stored
 * only wrapped:
 *	by the password	XChaCha20-Poly1305 under Argon2id(password, salt,
 *			opslimit, memlimit); the limits are stored with the
 *			wrap so that they can be raised for new wraps
 *	by an unlock	XChaCha20-Poly1305 under a random key that only the
 *			browser's cookie holds, bound to the session and
 *			the mailbox; the database keeps this copy while the
 *			mailbox is unlocked, never the secret key itself
 * Both wraps authenticate the public key as associated data, so a wrap
 * moved onto another mailbox's row does not open.  A wrong password, a
 * wrong cookie and a tampered record are one error (MBOX_EDENIED), which
 * takes as long to report as a success: the cost is the Argon2id
 * derivation, run in full either way.
 *
 * Nothing here allocates but Argon2id's own memory; secret keys are the
 * caller's buffers, which it wipes (sodium_memzero) when done.
 */
#ifndef MM_MAIL_KEYS_H
#define MM_MAIL_KEYS_H

#include <stddef.h>

#define MBOX_PK_BYTES         32 /* crypto_box_PUBLICKEYBYTES */
#define MBOX_SK_BYTES         32 /* crypto_box_SECRETKEYBYTES */
#define MBOX_WRAP_BYTES       48 /* a secret key + Poly1305 tag */
#define MBOX_NONCE_BYTES      24 /* XChaCha20-Poly1305 */
#define MBOX_SALT_BYTES       16 /* crypto_pwhash_SALTBYTES */
#define MBOX_UNLOCK_KEY_BYTES 32 /* the cookie's key */
/* Argon2id's own bounds, and ours on memory: a row asking for more is
   refused rather than allowed to take a worker's memory. */
#define MBOX_OPSLIMIT_MIN 1ULL
#define MBOX_OPSLIMIT_MAX 16ULL
#define MBOX_MEMLIMIT_MIN 8192UL
#define MBOX_MEMLIMIT_MAX (1024UL * 1024 * 1024)
#define MBOX_PASSWORD_MAX 1024 /* bytes */

enum mbox_err {
	MBOX_OK = 0,
	MBOX_EDENIED, /* wrong password or cookie, or a tampered record */
	MBOX_ENOMEM,  /* Argon2id could not have its memory */
	MBOX_EINVAL   /* limits out of bounds, or a password too long */
};

struct pwhash_limits {
	unsigned long long opslimit;
	size_t             memlimit; /* bytes */
};

/* A mailboxes row's key columns. */
struct mbox_keys {
	unsigned char        pk[MBOX_PK_BYTES];
	unsigned char        wrapped_sk[MBOX_WRAP_BYTES];
	unsigned char        nonce[MBOX_NONCE_BYTES];
	unsigned char        salt[MBOX_SALT_BYTES];
	struct pwhash_limits limits;
};

/* A mailbox_unlocks row's key columns. */
struct mbox_unlock {
	unsigned char wrapped_sk[MBOX_WRAP_BYTES];
	unsigned char nonce[MBOX_NONCE_BYTES];
};

/* Whether libsodium's Argon2id accepts the limits and we allow them. */
int mbox_limits_valid(const struct pwhash_limits *);

/* A new key pair, its secret key wrapped by the password; sk may be NULL. */
enum mbox_err mbox_keys_create(struct mbox_keys *, const char *pw, size_t pwlen,
    const struct pwhash_limits *, unsigned char sk[MBOX_SK_BYTES]);
/* The secret key, from the password. */
enum mbox_err mbox_keys_open(const struct mbox_keys *, const char *pw,
    size_t pwlen, unsigned char sk[MBOX_SK_BYTES]);
/*
 * A new password (new salt, new nonce, the given limits) for the same key
 * pair; k->pk must match sk.  On failure k is unchanged.
 */
enum mbox_err mbox_keys_rewrap(struct mbox_keys *k,
    const unsigned char sk[MBOX_SK_BYTES], const char *pw, size_t pwlen,
    const struct pwhash_limits *);

/*
 * Unlocking: the secret key wrapped under a fresh random key (written to
 * key, for the cookie), bound to the session (the SHA-256 of its token),
 * the mailbox id and its public key.
 */
void          mbox_unlock_wrap(struct mbox_unlock *,
	     unsigned char       key[MBOX_UNLOCK_KEY_BYTES],
	     const unsigned char sk[MBOX_SK_BYTES], const unsigned char session_hash[32],
	     long long mailbox_id, const unsigned char pk[MBOX_PK_BYTES]);
enum mbox_err mbox_unlock_open(const struct mbox_unlock *,
    const unsigned char key[MBOX_UNLOCK_KEY_BYTES],
    const unsigned char session_hash[32], long long mailbox_id,
    const unsigned char pk[MBOX_PK_BYTES], unsigned char sk[MBOX_SK_BYTES]);

/* Big-endian 8 bytes of v, for associated data. */
void mbox_put_id(unsigned char out[8], long long v);

#endif
