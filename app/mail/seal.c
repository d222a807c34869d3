/* seal.c - message keys and parts; see seal.h. */
#include "config.h"

#include <string.h>

#include <sodium.h>

#include "mail/seal.h"

#define AD_MESSAGE "membermail/message/v1"
#define AD_LEN     (sizeof(AD_MESSAGE) + 1 + 8 + 8)

_Static_assert(MSG_SEALED_KEY_BYTES == crypto_box_SEALBYTES + MSG_KEY_BYTES,
    "sealed key size");
_Static_assert(MSG_TAG_BYTES == crypto_aead_xchacha20poly1305_ietf_ABYTES,
    "tag size");
_Static_assert(MSG_NONCE_BYTES == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
    "nonce size");

static void
place_ad(unsigned char ad[AD_LEN], const struct msg_place *p)
{
	memcpy(ad, AD_MESSAGE, sizeof(AD_MESSAGE));
	ad[sizeof(AD_MESSAGE)] = (unsigned char)p->part;
	mbox_put_id(ad + sizeof(AD_MESSAGE) + 1, p->mailbox_id);
	mbox_put_id(ad + sizeof(AD_MESSAGE) + 9, p->message_id);
}

void
msg_key_new(unsigned char key[MSG_KEY_BYTES],
    unsigned char         sealed[MSG_SEALED_KEY_BYTES],
    const unsigned char   pk[MBOX_PK_BYTES])
{
	crypto_aead_xchacha20poly1305_ietf_keygen(key);
	crypto_box_seal(sealed, key, MSG_KEY_BYTES, pk);
}

enum mbox_err
msg_key_open(unsigned char key[MSG_KEY_BYTES],
    const unsigned char    sealed[MSG_SEALED_KEY_BYTES],
    const unsigned char    pk[MBOX_PK_BYTES],
    const unsigned char    sk[MBOX_SK_BYTES])
{
	if (crypto_box_seal_open(key, sealed, MSG_SEALED_KEY_BYTES, pk, sk) ==
	    0)
		return MBOX_OK;
	sodium_memzero(key, MSG_KEY_BYTES);
	return MBOX_EDENIED;
}

void
msg_encrypt(unsigned char *out, unsigned char nonce[MSG_NONCE_BYTES],
    const void *in, size_t len, const struct msg_place *p,
    const unsigned char key[MSG_KEY_BYTES])
{
	unsigned char ad[AD_LEN];

	place_ad(ad, p);
	randombytes_buf(nonce, MSG_NONCE_BYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(out, NULL, in, len, ad,
	    sizeof(ad), NULL, nonce, key);
}

enum mbox_err
msg_decrypt(void *out, const unsigned char *ct, size_t ctlen,
    const unsigned char nonce[MSG_NONCE_BYTES], const struct msg_place *p,
    const unsigned char key[MSG_KEY_BYTES])
{
	unsigned char ad[AD_LEN];

	if (ctlen < MSG_TAG_BYTES)
		return MBOX_EDENIED;
	place_ad(ad, p);
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(out, NULL, NULL, ct,
		ctlen, ad, sizeof(ad), nonce, key) != 0)
		return MBOX_EDENIED;
	return MBOX_OK;
}
