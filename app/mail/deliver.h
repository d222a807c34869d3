/*
 * deliver.h - a message stored in its recipients' mailboxes, encrypted to
 * each (seal.h), with nothing but the public key: no secret is needed to
 * deliver, so mail arriving while the owner is away is encrypted to them.
 *
 * deliver_find maps an LMTP recipient to its mailbox when Postfix names
 * it (RCPT); deliver_store seals and stores one copy.  A copy is stored at
 * most once per Postfix queue id and recipient, so a delivery retried
 * after our commit (a lost 250) is not stored twice; never keyed on the
 * content, whose hash would let the database confirm a guessed message.
 * Nothing of a message (sender, subject, body) is logged here.
 */
#ifndef MM_MAIL_DELIVER_H
#define MM_MAIL_DELIVER_H

#include <stddef.h>

#include "mail/keys.h"

struct db;

/* The pseudo-domain of the addresses Postfix hands kept mail to. */
#define DELIVER_DOMAIN   "membermail-mailbox.invalid"
#define DELIVER_ADDR_MAX 320

enum deliver_outcome {
	DELIVER_OK,         /* stored (or found stored: a retry) */
	DELIVER_UNKNOWN,    /* no such mailbox */
	DELIVER_FULL,       /* the quota has no room for it */
	DELIVER_TEMPFAIL,   /* the database failed: try again later */
	DELIVER_BAD_ADDRESS /* not an address we deliver to */
};

/* A recipient's mailbox as found at RCPT time. */
struct deliver_box {
	long long     mailbox_id;
	long long     message_id; /* taken for this copy */
	long long     quota, used;
	unsigned char pk[MBOX_PK_BYTES];
	char          address[DELIVER_ADDR_MAX + 1]; /* local@domain */
};

/*
 * The mailbox of an LMTP recipient: "local=domain@" DELIVER_DOMAIN (as
 * deploy/postfix routes kept mail) or "local@domain".  size is the SIZE
 * the client announced (0: none): a mailbox without room for it is
 * DELIVER_FULL at once.
 */
enum deliver_outcome deliver_find(struct db *, const char *rcpt,
    unsigned long long size, struct deliver_box *);

/*
 * Stores text[0..len) (the message as received) with its summary (the
 * encoding of summary.h) in b's mailbox, under queue_id.
 */
enum deliver_outcome deliver_store(struct db *, const struct deliver_box *b,
    const char *queue_id, const char *text, size_t len,
    const unsigned char *summary, size_t summary_len);

#endif
