/*
 * smtp.h - one notification e-mail out through the configured relay
 * (libcurl SMTP), and the message text it sends.
 *
 * smtp_build is pure: it turns a struct smtp_message into RFC 5322 text
 * (CRLF line ends, quoted-printable UTF-8 body, RFC 2047 subject, no Bcc
 * header) and refuses header values holding CR, LF or other controls.
 * struct smtp owns one curl handle, reused so that a run's messages share
 * the relay connection, and the password read once from smtp_password_file;
 * smtp_close wipes it.  Nothing here logs a password or a body.
 */
#ifndef MM_SMTP_H
#define MM_SMTP_H

#include <stddef.h>
#include <time.h>

#include "lib/buf.h"

struct config;

/* Largest message text: a 1 MiB body quoted-printable, plus headers. */
#define SMTP_MESSAGE_MAX  (4 * 1024 * 1024)
#define SMTP_PASSWORD_MAX 256

struct smtp_message {
	const char *const *to; /* at least one */
	size_t             nto;
	const char *const *cc;
	size_t             ncc;
	const char *const *bcc; /* envelope only */
	size_t             nbcc;
	const char        *subject; /* UTF-8, one line */
	const char        *body;    /* UTF-8 text, LF or CRLF */
	time_t             date;
	const char        *id; /* Message-ID's left part, [A-Za-z0-9.-] */
};

/*
 * Appends the message text to out (initialised by the caller, bounded by
 * SMTP_MESSAGE_MAX); from is the From address, whose domain ends the
 * Message-ID.  0, or -1 with the reason in why.
 */
int smtp_build(struct buf *out, const struct smtp_message *, const char *from,
    char *why, size_t whysz);

enum smtp_outcome {
	SMTP_SENT,        /* the relay accepted it */
	SMTP_UNAVAILABLE, /* the relay could not be reached or
				   refused us (connect, TLS, AUTH, 421) */
	SMTP_TEMPORARY,   /* this message got a 4xx: try later */
	SMTP_PERMANENT    /* this message got a 5xx: give up */
};

struct smtp {
	const struct config *cfg;      /* borrowed */
	void                *curl;     /* CURL * */
	char                 url[640]; /* smtp_url "/" EHLO name */
	char                 password[SMTP_PASSWORD_MAX];
	int                  ehlo_seen; /* the relay's EHLO answer was read */
	int                  utf8;      /* it offers SMTPUTF8 (RFC 6531) */
	/* The last message's recipients it could not take, ' '-joined. */
	char refused[1024];
};

/*
 * Checks the SMTP settings and reads the password file (a regular file of
 * ours or root's, not accessible to others, not group-writable).  0, or
 * -1 with the reason in why.
 */
int smtp_open(struct smtp *, const struct config *, char *why, size_t whysz);
/*
 * Sends one message; err gets the relay's or libcurl's words otherwise.
 * An address whose domain alone is not ASCII goes out with its A-label
 * (IDNA 2008), envelope and headers alike; one whose local part is not
 * ASCII needs SMTPUTF8: when the relay does not offer it, that recipient
 * is left out and named in s->refused (the message fails, permanently,
 * when nobody is left).
 */
enum smtp_outcome smtp_send(struct smtp *, const struct smtp_message *,
    char *err, size_t errsz);
void              smtp_close(struct smtp *);
/* "sent", "unavailable", "temporary", "permanent". */
const char *smtp_outcome_name(enum smtp_outcome);

#endif
