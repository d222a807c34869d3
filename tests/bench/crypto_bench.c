/*
 * crypto_bench.c - what the LMTP service's cryptography costs per message
 * (tests/bench/mailbox): sealing a 20 KB message to a mailbox (a message
 * key, crypto_box_seal, the summary and the body under XChaCha20-Poly1305)
 * and opening it again with the secret key.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "mail/keys.h"
#include "mail/seal.h"

#define SIZE   (20 * 1024)
#define ROUNDS 2000

/* CPU time of this process: the figures hold on a busy machine too. */
static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One Argon2id derivation (an unlock) at these limits, CPU ms. */
static double
unlock_ms(unsigned long long ops, size_t mem)
{
	const struct pwhash_limits l = { ops, mem };
	struct mbox_keys           k;
	unsigned char              sk[MBOX_SK_BYTES];
	double                     t0;

	if (mbox_keys_create(&k, "benchmark password", 18, &l, NULL) != MBOX_OK)
		return -1;
	t0 = now();
	if (mbox_keys_open(&k, "benchmark password", 18, sk) != MBOX_OK)
		return -1;
	return (now() - t0) * 1e3;
}

int
main(void)
{
	static unsigned char body[SIZE], ct[SIZE + MSG_TAG_BYTES], out[SIZE];
	static unsigned char sum[256], sct[256 + MSG_TAG_BYTES];
	const struct pwhash_limits fast = { 1, 8192 * 1024 };
	struct mbox_keys           k;
	struct msg_place           at = { 1, 1, MSG_BODY };
	unsigned char key[MSG_KEY_BYTES], sealed[MSG_SEALED_KEY_BYTES];
	unsigned char sk[MBOX_SK_BYTES], nonce[MSG_NONCE_BYTES];
	unsigned char snonce[MSG_NONCE_BYTES];
	double        t0, seal, open;
	int           i;

	if (sodium_init() == -1 ||
	    mbox_keys_create(&k, "benchmark password", 18, &fast, sk) !=
		MBOX_OK)
		return 1;
	randombytes_buf(body, sizeof(body));
	t0 = now();
	for (i = 0; i < ROUNDS; i++) {
		at.message_id = i;
		msg_key_new(key, sealed, k.pk);
		at.part = MSG_SUMMARY;
		msg_encrypt(sct, snonce, sum, sizeof(sum), &at, key);
		at.part = MSG_BODY;
		msg_encrypt(ct, nonce, body, sizeof(body), &at, key);
	}
	seal = (now() - t0) / ROUNDS;
	t0 = now();
	for (i = 0; i < ROUNDS; i++)
		if (msg_key_open(key, sealed, k.pk, sk) != MBOX_OK ||
		    msg_decrypt(out, ct, sizeof(ct), nonce, &at, key) !=
			MBOX_OK)
			return 1;
	open = (now() - t0) / ROUNDS;
	printf("crypto: sealing a 20 KB message %.0f us, opening it %.0f us "
	       "(%d rounds, CPU time)\n",
	    seal * 1e6, open * 1e6, ROUNDS);
	printf(
	    "crypto: one Argon2id derivation (CPU time): MODERATE (3, 256 MiB) "
	    "%.0f ms, INTERACTIVE (2, 64 MiB) %.0f ms, the tests' (1, 8 MiB) "
	    "%.0f ms\n",
	    unlock_ms(3, 256UL << 20), unlock_ms(2, 64UL << 20),
	    unlock_ms(1, 8UL << 20));
	return memcmp(out, body, sizeof(body)) == 0 ? 0 : 1;
}
