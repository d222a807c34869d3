/*
 * mailbox.h - the rules of a member's encrypted mailboxes: creating one,
 * unlocking and locking it, reading, deleting and exporting its messages,
 * changing its password, resetting it, and what its alias does with mail
 * (forward, keep, or both).  The pages (handlers/mailbox.c), the API and
 * the CLI call these; they take (db, arena, actor, ...), never a request.
 *
 * A mailbox belongs to its alias's user: every function takes the user
 * (the actor's, or user_id where an operator acts for them) and answers
 * APP_ENOTFOUND for anyone else's, as for one that does not exist.  Argon2id (creating, unlocking, a new password, a reset) runs
 * only with the gate's leave (lib/gate.h), so a burst of unlocks waits
 * rather than exhausting memory; a gate still full after a few seconds is
 * APP_ERATELIMIT ("busy, try again").
 *
 * Unlocked means: this session's mailbox_unlocks row holds the secret key
 * wrapped under a key that only the browser's cookie holds (keys.h);
 * mailbox_open needs both, checks them together and slides the idle
 * expiry.  Nothing here keeps a secret key past the call that needs it:
 * struct mailbox_open holds one, and mailbox_close wipes it.
 */
#ifndef MM_MAIL_MAILBOX_H
#define MM_MAIL_MAILBOX_H

#include <stddef.h>

#include "lib/err.h"
#include "mail/keys.h"
#include "mail/summary.h"

struct actor;
struct arena;
struct buf;
struct db;

#define MAILBOX_PAGE         50 /* messages a listing shows */
#define MAILBOX_PASSWORD_MIN 12 /* characters */
#define MAILBOX_GATE_WAIT_MS 5000
#define MAILBOX_CURSOR_MAX   80

/* What an alias does with its mail. */
enum delivery {
	DELIVERY_FORWARD, /* to its recipients only */
	DELIVERY_KEEP,    /* into its mailbox only */
	DELIVERY_BOTH
};

/* An opened (unlocked) mailbox: owns its secret key until mailbox_close. */
struct mailbox_open {
	long long     id;
	long long     alias_id;
	const char   *address; /* arena */
	long long     quota, used;
	unsigned char pk[MBOX_PK_BYTES];
	unsigned char sk[MBOX_SK_BYTES];
};

/* One row of a listing, its summary decrypted. */
struct mailbox_row {
	long long      id;
	const char    *received; /* "2026-11-28 08:30Z" */
	long long      size;
	struct summary sum; /* from "(unreadable)" when it does not open */
	int            unreadable;
};

struct mailbox_page {
	struct mailbox_row *rows;
	size_t              n;
	const char         *next; /* cursor of the next page, or NULL */
};

/* Why a password is refused (too short, too long), or NULL. */
const char *mailbox_password_problem(const char *pw);
/* "forward", "keep", "both" and back; -1 if none. */
const char *delivery_name(enum delivery);
int         delivery_from_name(const char *);

/*
 * A mailbox for the user's alias, with a new key pair wrapped by pw
 * (limits as configured, quota in bytes); the alias now keeps its mail
 * (and still forwards it).  APP_ECONFLICT when it has one already.
 */
enum app_err mailbox_create(struct db *, const struct actor *,
    long long user_id, long long alias_id, const char *pw,
    const struct pwhash_limits *, long long quota, long long *mailbox_id);

/*
 * Checks pw and leaves the mailbox unlocked for this session (its token's
 * SHA-256 in hex) for idle seconds: the key for the browser's cookie is
 * written to key.  APP_EINVALID for a wrong password.
 */
enum app_err mailbox_unlock(struct db *, const struct actor *,
    long long mailbox_id, const char *pw, const char *session_hash, int idle,
    unsigned char key[MBOX_UNLOCK_KEY_BYTES]);

/*
 * Opens an unlocked mailbox with the cookie's key: APP_OK with *opened 1,
 * or *opened 0 when it is locked (no live unlock for this session, or the
 * key does not open it).
 */
enum app_err mailbox_open(struct db *, struct arena *, long long user_id,
    long long mailbox_id, const char *session_hash,
    const unsigned char key[MBOX_UNLOCK_KEY_BYTES], int idle,
    struct mailbox_open *, int                         *opened);
void         mailbox_close(struct mailbox_open *);

/* Ends this session's unlock of the user's mailbox. */
enum app_err mailbox_lock(struct db *, long long user_id,
    const char *session_hash, long long mailbox_id);

/* A page of messages, newest first, after cursor (NULL: the first). */
enum app_err mailbox_list(struct db *, struct arena *,
    const struct mailbox_open *, const char *cursor, struct mailbox_page *);

/*
 * The message as received, decrypted into text (malloc'd; the caller
 * wipes and frees it: mailbox_text_free).  APP_ENOTFOUND when there is no
 * such message in this mailbox, APP_EINTERNAL when it does not open (a
 * tampered or misplaced row).  received: Unix time of its arrival.
 */
enum app_err mailbox_read(struct db *, const struct mailbox_open *,
    long long message_id, char **text, size_t *len, long long *received);
void         mailbox_text_free(char *text, size_t len);

/* Deletes the listed messages of the mailbox; how many went in *n. */
enum app_err mailbox_delete(struct db *, const struct actor *,
    const struct mailbox_open *, const long long *ids, size_t nids,
    long long *n);

/*
 * Every message as an mboxrd file (oldest first), decrypted one at a
 * time and handed to write (which returns -1 to stop); nothing is kept.
 */
enum app_err mailbox_export(struct db *, const struct mailbox_open *,
    int (*write)(void *, const char *, size_t), void *ctx);

/*
 * A new password: old_pw opens the secret key, which is wrapped again
 * under new_pw (no message is re-encrypted); other sessions' unlocks end.
 * APP_EINVALID for a wrong old password.
 */
enum app_err mailbox_password(struct db *, const struct actor *,
    long long mailbox_id, const char *old_pw, const char *new_pw,
    const struct pwhash_limits *, const char *session_hash);

/*
 * Destroys every message and starts over with a new key pair under
 * new_pw: what a lost password leaves.  The caller has asked for an
 * explicit confirmation.
 */
enum app_err mailbox_reset(struct db *, const struct actor *,
    long long mailbox_id, const char *new_pw, const struct pwhash_limits *,
    long long *destroyed);

/* What the user's alias does with its mail; keeping needs its mailbox. */
enum app_err mailbox_set_delivery(struct db *, const struct actor *,
    long long user_id, long long alias_id, enum delivery);

/* The alias of an address ("local@domain") and its user; APP_ENOTFOUND. */
enum app_err mailbox_alias_by_address(struct db *, const char *address,
    long long *alias_id, long long *user_id);

#endif
