/* deliver.c - sealed messages into mailboxes; see deliver.h. */
#include "config.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "mail/deliver.h"
#include "mail/seal.h"
#include "store/db.h"

#define LOCAL_MAX         64
#define DOMAIN_MAX        253
#define RECONNECT_WAIT_NS 300000000L /* past store/db.c's first back-off */

static void
lower(char *s)
{
	for (; *s != '\0'; s++)
		*s = (char)tolower((unsigned char)*s);
}

/*
 * The alias an LMTP recipient names, as lower-case local part and domain:
 * "local=domain@membermail-mailbox.invalid" or "local@domain".
 */
static int
split_rcpt(const char *rcpt, char local[LOCAL_MAX + 1],
    char domain[DOMAIN_MAX + 1])
{
	char        addr[DELIVER_ADDR_MAX + 1];
	char       *at, *eq;
	const char *l, *d;
	size_t      n = strlen(rcpt);

	if (n > DELIVER_ADDR_MAX || strchr(rcpt, '"') != NULL)
		return -1;
	memcpy(addr, rcpt, n + 1);
	lower(addr);
	if ((at = strrchr(addr, '@')) == NULL)
		return -1;
	*at = '\0';
	l = addr;
	d = at + 1;
	if (strcmp(d, DELIVER_DOMAIN) == 0) {
		if ((eq = strrchr(addr, '=')) == NULL)
			return -1;
		*eq = '\0';
		d = eq + 1;
	}
	if (*l == '\0' || *d == '\0' || strlen(l) > LOCAL_MAX ||
	    strlen(d) > DOMAIN_MAX)
		return -1;
	memcpy(local, l, strlen(l) + 1);
	memcpy(domain, d, strlen(d) + 1);
	return 0;
}

enum deliver_outcome
deliver_find(struct db *db, const char *rcpt, unsigned long long size,
    struct deliver_box *b)
{
	char                 local[LOCAL_MAX + 1], domain[DOMAIN_MAX + 1];
	const char          *params[2] = { local, domain };
	PGresult            *res;
	enum app_err         e;
	enum deliver_outcome out = DELIVER_OK;

	memset(b, 0, sizeof(*b));
	if (split_rcpt(rcpt, local, domain) == -1)
		return DELIVER_BAD_ADDRESS;
	/*
	 * A connection the database dropped (a restart) is found dead by its
	 * first statement: one more try once the back-off allows, so that
	 * Postfix does not wait its own retry time for nothing.  In a real
	 * outage the second try fails at once.
	 */
	if ((res = db_exec(db, STMT_LMTP_MAILBOX, 2, params, &e)) == NULL &&
	    e == APP_EDB) {
		nanosleep(&(struct timespec){ 0, RECONNECT_WAIT_NS }, NULL);
		res = db_exec(db, STMT_LMTP_MAILBOX, 2, params, &e);
	}
	if (res == NULL)
		return DELIVER_TEMPFAIL;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return DELIVER_UNKNOWN;
	}
	b->mailbox_id = db_ll(res, 0, LMTP_MAILBOX_ID);
	b->quota = db_ll(res, 0, LMTP_MAILBOX_QUOTA);
	b->used = db_ll(res, 0, LMTP_MAILBOX_USED);
	b->message_id = db_ll(res, 0, LMTP_MAILBOX_MESSAGE_ID);
	if (db_hex(res, 0, LMTP_MAILBOX_PK, b->pk, sizeof(b->pk)) !=
	    (long)sizeof(b->pk))
		out = DELIVER_TEMPFAIL; /* cannot happen: the schema checks */
	else if (b->used >= b->quota ||
	    (size > 0 && size > (unsigned long long)(b->quota - b->used)))
		out = DELIVER_FULL;
	snprintf(b->address, sizeof(b->address), "%s@%s", local, domain);
	PQclear(res);
	return out;
}

/* The parts of one sealed copy, as the statement's binary parameters. */
struct sealed {
	unsigned char  key[MSG_KEY_BYTES];
	unsigned char  sealed_key[MSG_SEALED_KEY_BYTES];
	unsigned char  summary_nonce[MSG_NONCE_BYTES];
	unsigned char  body_nonce[MSG_NONCE_BYTES];
	unsigned char *summary_ct;
	unsigned char *body_ct;
};

static int
seal(struct sealed *s, const struct deliver_box *b, const char *text,
    size_t len, const unsigned char *summary, size_t summary_len)
{
	struct msg_place at = { b->mailbox_id, b->message_id, MSG_SUMMARY };

	memset(s, 0, sizeof(*s));
	s->summary_ct = malloc(summary_len + MSG_TAG_BYTES);
	s->body_ct = malloc(len + MSG_TAG_BYTES);
	if (s->summary_ct == NULL || s->body_ct == NULL)
		return -1;
	msg_key_new(s->key, s->sealed_key, b->pk);
	msg_encrypt(s->summary_ct, s->summary_nonce, summary, summary_len, &at,
	    s->key);
	at.part = MSG_BODY;
	msg_encrypt(s->body_ct, s->body_nonce, text, len, &at, s->key);
	sodium_memzero(s->key, sizeof(s->key));
	return 0;
}

static enum deliver_outcome
outcome(const PGresult *res)
{
	if (db_ll(res, 0, LMTP_STORE_STORED) > 0 ||
	    db_bool(res, 0, LMTP_STORE_DUPLICATE))
		return DELIVER_OK;
	if (!db_bool(res, 0, LMTP_STORE_EXISTS))
		return DELIVER_UNKNOWN;
	/* Reset since RCPT: sealed to a key that is gone; Postfix retries. */
	if (!db_bool(res, 0, LMTP_STORE_SAME_KEY))
		return DELIVER_TEMPFAIL;
	/* Room but nothing stored: a copy stored meanwhile, by a retry. */
	return db_ll(res, 0, LMTP_STORE_ROOM) > 0 ? DELIVER_OK : DELIVER_FULL;
}

enum deliver_outcome
deliver_store(struct db *db, const struct deliver_box *b, const char *queue_id,
    const char *text, size_t len, const unsigned char *summary,
    size_t summary_len)
{
	struct sealed        s;
	char                 id[24], mailbox[24], size[24];
	const char          *params[11];
	int                  lengths[11] = { 0 }, formats[11] = { 0 }, i;
	PGresult            *res = NULL;
	enum app_err         e;
	enum deliver_outcome out = DELIVER_TEMPFAIL;

	if (seal(&s, b, text, len, summary, summary_len) == 0) {
		snprintf(id, sizeof(id), "%lld", b->message_id);
		snprintf(mailbox, sizeof(mailbox), "%lld", b->mailbox_id);
		snprintf(size, sizeof(size), "%zu", len);
		params[0] = id;
		params[1] = mailbox;
		params[2] = queue_id;
		params[3] = b->address;
		params[4] = size;
		params[5] = (const char *)s.summary_nonce;
		lengths[5] = MSG_NONCE_BYTES;
		params[6] = (const char *)s.summary_ct;
		lengths[6] = (int)(summary_len + MSG_TAG_BYTES);
		params[7] = (const char *)s.body_nonce;
		lengths[7] = MSG_NONCE_BYTES;
		params[8] = (const char *)s.body_ct;
		lengths[8] = (int)(len + MSG_TAG_BYTES);
		params[9] = (const char *)s.sealed_key;
		lengths[9] = MSG_SEALED_KEY_BYTES;
		params[10] = (const char *)b->pk;
		lengths[10] = MBOX_PK_BYTES;
		for (i = 5; i < 11; i++)
			formats[i] = 1;
		res = db_exec_bin(db, STMT_LMTP_STORE, 11, params, lengths,
		    formats, 0, &e);
	}
	if (res != NULL && PQntuples(res) == 1)
		out = outcome(res);
	PQclear(res);
	free(s.summary_ct);
	free(s.body_ct);
	return out;
}
