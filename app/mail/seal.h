/*
 * seal.h - one message encrypted to its mailbox.
 *
 * Each message has its own random key.  The key is sealed to the mailbox's
 * public key (crypto_box_seal: anyone can seal, only the secret key opens),
 * so delivery needs no secret.  The message's parts (the summary a listing
 * shows, and the body as received) are encrypted apart under that key with
 * XChaCha20-Poly1305, each with a random nonce; the associated data binds
 * the part, the mailbox id and the message id, so a ciphertext moved to
 * another row, another mailbox or the other part does not open.
 *
 * The caller owns every buffer: a ciphertext is MSG_TAG_BYTES longer than
 * its plaintext.  Keys are wiped by the caller (sodium_memzero).
 */
#ifndef MM_MAIL_SEAL_H
#define MM_MAIL_SEAL_H

#include <stddef.h>

#include "mail/keys.h"

#define MSG_KEY_BYTES        32
#define MSG_SEALED_KEY_BYTES 80 /* crypto_box_SEALBYTES + a key */
#define MSG_NONCE_BYTES      24
#define MSG_TAG_BYTES        16

enum msg_part {
	MSG_SUMMARY = 's',
	MSG_BODY = 'b'
};

/* Where a part belongs: checked by its associated data. */
struct msg_place {
	long long     mailbox_id;
	long long     message_id;
	enum msg_part part;
};

/* A fresh message key and its seal to the mailbox's public key. */
void msg_key_new(unsigned char key[MSG_KEY_BYTES],
    unsigned char              sealed[MSG_SEALED_KEY_BYTES],
    const unsigned char        pk[MBOX_PK_BYTES]);
/* The message key from its seal, with the mailbox's key pair. */
enum mbox_err msg_key_open(unsigned char key[MSG_KEY_BYTES],
    const unsigned char                  sealed[MSG_SEALED_KEY_BYTES],
    const unsigned char                  pk[MBOX_PK_BYTES],
    const unsigned char                  sk[MBOX_SK_BYTES]);

/* Encrypts len bytes of in into out (len + MSG_TAG_BYTES); a new nonce. */
void msg_encrypt(unsigned char *out, unsigned char nonce[MSG_NONCE_BYTES],
    const void *in, size_t len, const struct msg_place *,
    const unsigned char key[MSG_KEY_BYTES]);
/*
 * Decrypts ctlen bytes (at least MSG_TAG_BYTES) into out (ctlen -
 * MSG_TAG_BYTES); MBOX_EDENIED if anything was changed or misplaced.
 */
enum mbox_err msg_decrypt(void *out, const unsigned char *ct, size_t ctlen,
    const unsigned char nonce[MSG_NONCE_BYTES], const struct msg_place *,
    const unsigned char key[MSG_KEY_BYTES]);

#endif
