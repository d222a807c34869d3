/*
 * messages.c - the messages of an opened mailbox: a page of the listing
 * (summaries only), one message, deleting, the mboxrd export.  See
 * mailbox.h.  Decrypted text is wiped before it is freed; the export
 * holds one message at a time.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "mail/mailbox.h"
#include "mail/seal.h"
#include "store/audit.h"
#include "store/db.h"

/* A listing row's summary: opened with the mailbox's keys, or unreadable. */
static void
row_summary(const PGresult *res, int i, const struct mailbox_open *o,
    struct arena *a, struct mailbox_row *row)
{
	struct msg_place at = { o->id, row->id, MSG_SUMMARY };
	unsigned char    key[MSG_KEY_BYTES], sealed[MSG_SEALED_KEY_BYTES];
	unsigned char nonce[MSG_NONCE_BYTES], ct[SUMMARY_MAX + MSG_TAG_BYTES];
	unsigned char plain[SUMMARY_MAX];
	long          n;

	row->unreadable = 1;
	if (db_hex(res, i, MBOX_MESSAGES_SEALED, sealed, sizeof(sealed)) !=
		(long)sizeof(sealed) ||
	    db_hex(res, i, MBOX_MESSAGES_NONCE, nonce, sizeof(nonce)) !=
		(long)sizeof(nonce) ||
	    (n = db_hex(res, i, MBOX_MESSAGES_SUMMARY, ct, sizeof(ct))) <
		MSG_TAG_BYTES ||
	    msg_key_open(key, sealed, o->pk, o->sk) != MBOX_OK)
		return;
	if (msg_decrypt(plain, ct, n, nonce, &at, key) == MBOX_OK &&
	    summary_decode(&row->sum, plain, n - MSG_TAG_BYTES, a) == 0)
		row->unreadable = 0;
	sodium_memzero(key, sizeof(key));
	sodium_memzero(plain, sizeof(plain));
}

/* "<received, in microseconds>.<id>": the keyset cursor; 0 if it is not. */
static int
split_cursor(const char *cursor, char us[24], char id[24])
{
	const char *dot = strchr(cursor, '.');
	size_t      n;

	if (dot == NULL || (n = (size_t)(dot - cursor)) == 0 || n >= 24 ||
	    strlen(dot + 1) == 0 || strlen(dot + 1) >= 24 ||
	    strspn(cursor, "0123456789") != n ||
	    strspn(dot + 1, "0123456789") != strlen(dot + 1))
		return 0;
	memcpy(us, cursor, n);
	us[n] = '\0';
	memcpy(id, dot + 1, strlen(dot + 1) + 1);
	return 1;
}

static enum app_err
fill_page(const PGresult *res, struct arena *a, const struct mailbox_open *o,
    struct mailbox_page *p)
{
	int n = PQntuples(res), i;

	p->n = n > MAILBOX_PAGE ? MAILBOX_PAGE : (size_t)n;
	if ((p->rows = arena_calloc(a, p->n + 1, sizeof(*p->rows))) == NULL)
		return APP_ENOMEM;
	for (i = 0; i < (int)p->n; i++) {
		p->rows[i].id = db_ll(res, i, MBOX_MESSAGES_ID);
		p->rows[i].size = db_ll(res, i, MBOX_MESSAGES_SIZE);
		p->rows[i].received = arena_strdup(a,
		    db_str(res, i, MBOX_MESSAGES_WHEN));
		row_summary(res, i, o, a, &p->rows[i]);
		if (p->rows[i].received == NULL)
			return APP_ENOMEM;
	}
	if (n > MAILBOX_PAGE &&
	    (p->next = arena_printf(a, "%s.%s",
		 db_str(res, MAILBOX_PAGE - 1, MBOX_MESSAGES_CURSOR),
		 db_str(res, MAILBOX_PAGE - 1, MBOX_MESSAGES_ID))) == NULL)
		return APP_ENOMEM;
	return APP_OK;
}

enum app_err
mailbox_list(struct db *db, struct arena *a, const struct mailbox_open *o,
    const char *cursor, struct mailbox_page *p)
{
	char         id[24], us[24], after[24], limit[16];
	const char  *params[4] = { id, NULL, NULL, limit };
	PGresult    *res;
	enum app_err e;

	memset(p, 0, sizeof(*p));
	snprintf(id, sizeof(id), "%lld", o->id);
	snprintf(limit, sizeof(limit), "%d", MAILBOX_PAGE + 1);
	if (cursor != NULL && *cursor != '\0') {
		if (!split_cursor(cursor, us, after))
			return APP_EINPUT;
		params[1] = us;
		params[2] = after;
	}
	if ((res = db_exec(db, STMT_MBOX_MESSAGES, 4, params, &e)) == NULL)
		return e;
	e = fill_page(res, a, o, p);
	PQclear(res);
	return e;
}

void
mailbox_text_free(char *text, size_t len)
{
	if (text == NULL)
		return;
	sodium_memzero(text, len);
	free(text);
}

/* The body of a STMT_MBOX_MESSAGE row, decrypted (malloc'd, + NUL). */
static enum app_err
open_body(const PGresult *res, const struct mailbox_open *o,
    long long message_id, char **text, size_t *len)
{
	struct msg_place at = { o->id, message_id, MSG_BODY };
	unsigned char    key[MSG_KEY_BYTES];
	size_t           ctlen = db_len(res, 0, MBOX_MESSAGE_BODY);
	enum mbox_err    m;

	if (db_len(res, 0, MBOX_MESSAGE_NONCE) != MSG_NONCE_BYTES ||
	    db_len(res, 0, MBOX_MESSAGE_SEALED) != MSG_SEALED_KEY_BYTES ||
	    ctlen < MSG_TAG_BYTES)
		return APP_EINTERNAL;
	if ((*text = malloc(ctlen - MSG_TAG_BYTES + 1)) == NULL)
		return APP_ENOMEM;
	m = msg_key_open(key,
	    (const unsigned char *)db_str(res, 0, MBOX_MESSAGE_SEALED), o->pk,
	    o->sk);
	if (m == MBOX_OK)
		m = msg_decrypt(*text,
		    (const unsigned char *)db_str(res, 0, MBOX_MESSAGE_BODY),
		    ctlen,
		    (const unsigned char *)db_str(res, 0, MBOX_MESSAGE_NONCE),
		    &at, key);
	sodium_memzero(key, sizeof(key));
	*len = ctlen - MSG_TAG_BYTES;
	if (m != MBOX_OK) {
		mailbox_text_free(*text, *len);
		*text = NULL;
		log_error("message_unreadable", LOG_INT("mailbox", o->id),
		    LOG_INT("message", message_id),
		    LOG_STR("msg",
			"its ciphertext does not open here: changed or "
			"moved"));
		return APP_EINTERNAL;
	}
	(*text)[*len] = '\0';
	return APP_OK;
}

enum app_err
mailbox_read(struct db *db, const struct mailbox_open *o, long long message_id,
    char **text, size_t *len, long long *received)
{
	char         ids[2][24];
	const char  *params[2] = { ids[0], ids[1] };
	PGresult    *res;
	enum app_err e;

	*text = NULL;
	*len = 0;
	snprintf(ids[0], sizeof(ids[0]), "%lld", o->id);
	snprintf(ids[1], sizeof(ids[1]), "%lld", message_id);
	/* Binary: the body comes as its bytes, not as hex twice its size. */
	if ((res = db_exec_bin(db, STMT_MBOX_MESSAGE, 2, params, NULL, NULL, 1,
		 &e)) == NULL)
		return e;
	if (PQntuples(res) != 1)
		e = APP_ENOTFOUND;
	else {
		e = open_body(res, o, message_id, text, len);
		if (received != NULL)
			*received = db_ll(res, 0, MBOX_MESSAGE_RECEIVED);
	}
	PQclear(res);
	return e;
}

/* The ids as a PostgreSQL array literal, "{1,2,3}" (arena). */
static const char *
id_array(struct arena *a, const long long *ids, size_t n)
{
	struct buf  b;
	const char *s;
	size_t      i;

	buf_init(&b, 24 * n + 4);
	buf_putc(&b, '{');
	for (i = 0; i < n; i++)
		buf_printf(&b, "%s%lld", i ? "," : "", ids[i]);
	buf_putc(&b, '}');
	s = b.failed ? NULL : arena_strdup(a, buf_cstr(&b));
	buf_free(&b);
	return s;
}

struct deletion {
	const struct actor *actor;
	const char         *params[2];
	long long           mailbox_id;
	const char         *address;
	long long           n;
};

static enum app_err
delete_tx(struct db *db, void *arg)
{
	struct deletion   *d = arg;
	struct audit_event ev = { "mailbox.delete_messages", "mailbox",
		d->mailbox_id, d->address, 0, NULL, NULL };
	char               after[96];
	PGresult          *res;
	enum app_err       e;

	if ((res = db_exec(db, STMT_MBOX_DELETE, 2, d->params, &e)) == NULL)
		return e;
	d->n = PQntuples(res) == 1 ? db_ll(res, 0, MBOX_DELETE_COUNT) : 0;
	snprintf(after, sizeof(after), "{\"deleted\": %lld, \"bytes\": %s}",
	    d->n,
	    PQntuples(res) == 1 ? db_str(res, 0, MBOX_DELETE_BYTES) : "0");
	PQclear(res);
	if (d->n == 0)
		return APP_OK; /* nothing changed: no audit row */
	ev.after = after;
	return audit_write(db, d->actor, &ev);
}

enum app_err
mailbox_delete(struct db *db, const struct actor *a,
    const struct mailbox_open *o, const long long *ids, size_t nids,
    long long *n)
{
	struct deletion d = { a, { NULL, NULL }, o->id, o->address, 0 };
	struct arena   *arena;
	char            id[24];
	enum app_err    e;

	*n = 0;
	if (nids == 0)
		return APP_OK;
	if ((arena = arena_new(24 * nids + 64)) == NULL)
		return APP_ENOMEM;
	snprintf(id, sizeof(id), "%lld", o->id);
	d.params[0] = id;
	if ((d.params[1] = id_array(arena, ids, nids)) == NULL)
		e = APP_ENOMEM;
	else if ((e = db_tx(db, delete_tx, &d)) == APP_OK)
		*n = d.n;
	arena_free(arena);
	return e;
}

/*
 * The envelope sender from the Return-Path our LMTP service put first,
 * for the "From " line; MAILER-DAEMON for the null sender.
 */
static void
envelope_sender(const char *text, size_t len, char *out, size_t outsz)
{
	const char *p, *end;

	snprintf(out, outsz, "MAILER-DAEMON");
	if (len < 15 || strncmp(text, "Return-Path: <", 14) != 0 ||
	    (end = memchr(text + 14, '>', len - 14)) == NULL ||
	    end == text + 14 || (size_t)(end - text - 14) >= outsz)
		return;
	for (p = text + 14; p < end; p++)
		if (*p <= ' ' || *p == 0x7f)
			return;
	snprintf(out, outsz, "%.*s", (int)(end - text - 14), text + 14);
}

/*
 * One message in mboxrd form: a "From " line, the text with LF line ends
 * and every line matching ^>*From  quoted with one more '>', a blank line.
 */
static void
mboxrd(struct buf *out, const char *text, size_t len, long long received)
{
	char        sender[330], when[32];
	time_t      t = (time_t)received;
	struct tm   tm;
	const char *p = text, *end = text + len, *nl;
	size_t      n, k, q;

	envelope_sender(text, len, sender, sizeof(sender));
	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(when, sizeof(when), "%a %b %e %H:%M:%S %Y", &tm) == 0)
		snprintf(when, sizeof(when), "Thu Jan  1 00:00:00 1970");
	buf_printf(out, "From %s %s\n", sender, when);
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		k = n > 0 && p[n - 1] == '\r' ? n - 1 : n;
		for (q = 0; q < k && p[q] == '>'; q++)
			;
		if (k - q >= 5 && strncmp(p + q, "From ", 5) == 0)
			buf_putc(out, '>');
		buf_append(out, p, k);
		buf_putc(out, '\n');
		p += n + (nl != NULL);
	}
	buf_putc(out, '\n');
}

/* Each message id of the mailbox, oldest first (PQclear the result). */
static PGresult *
message_ids(struct db *db, long long mailbox_id, enum app_err *e)
{
	char        id[24];
	const char *p = id;

	snprintf(id, sizeof(id), "%lld", mailbox_id);
	return db_exec(db, STMT_MBOX_IDS, 1, &p, e);
}

enum app_err
mailbox_export(struct db *db, const struct mailbox_open *o,
    int (*write)(void *, const char *, size_t), void    *ctx)
{
	PGresult    *ids;
	struct buf   out;
	char        *text;
	size_t       len;
	long long    received;
	int          i;
	enum app_err e;

	if ((ids = message_ids(db, o->id, &e)) == NULL)
		return e;
	for (i = 0; i < PQntuples(ids) && e == APP_OK; i++) {
		e = mailbox_read(db, o, db_ll(ids, i, MBOX_IDS_ID), &text, &len,
		    &received);
		if (e == APP_ENOTFOUND) { /* deleted meanwhile */
			e = APP_OK;
			continue;
		}
		if (e != APP_OK)
			break;
		buf_init(&out, 2 * len + 512);
		mboxrd(&out, text, len, received);
		mailbox_text_free(text, len);
		if (out.failed)
			e = APP_ENOMEM;
		else if (write(ctx, out.data, out.len) == -1)
			e = APP_EINTERNAL; /* the client went away */
		sodium_memzero(out.data, out.cap);
		buf_free(&out);
	}
	PQclear(ids);
	return e;
}
