/*
 * lmtp.h - the server side of LMTP (RFC 2033) as a state machine, without
 * I/O: bytes in, replies out, and events for the caller to act on.
 *
 * The caller writes lmtp_greeting's text, then feeds what it reads from the
 * connection.  lmtp_feed consumes input until it needs the caller:
 *	LMTP_MORE	write l->out; then feed the rest of the input, or
 *			read more when it was all consumed
 *	LMTP_RCPT	a RCPT to judge: lmtp_pending_rcpt() names it, the
 *			caller answers with lmtp_rcpt_verdict()
 *	LMTP_MESSAGE	a message is complete: the caller answers every
 *			recipient in order with lmtp_deliver_reply(), which
 *			ends the transaction after the last one
 *	LMTP_CLOSE	QUIT, or too many errors: write l->out, then close
 * then feeds the rest of its input (from *used on).  Commands may be
 * pipelined (PIPELINING is announced): replies come out in order.
 *
 * Announced: PIPELINING, ENHANCEDSTATUSCODES, 8BITMIME, SIZE (the message
 * bound) and XFORWARD, through which Postfix's lmtp client passes its queue
 * id (IDENT), the key that makes a retried delivery idempotent.  A message
 * over the bound is read to its end, not kept, and refused for every
 * recipient (552 5.3.4).  DATA is dot-unstuffed; line ends are stored as
 * CRLF (a bare LF becomes CRLF).  The message handed over starts with the
 * Return-Path header a final delivery adds (the MAIL FROM path); the
 * bound counts the text after it.  Command lines over LMTP_LINE_MAX are
 * refused (500 5.5.2) and skipped.
 *
 * struct lmtp owns its buffers (the message, the replies, the recipients);
 * lmtp_free releases them.  Nothing here logs: addresses are the caller's
 * to log or not.
 */
#ifndef MM_PROTO_LMTP_H
#define MM_PROTO_LMTP_H

#include <stddef.h>

#include "lib/buf.h"

#define LMTP_LINE_MAX   1000 /* a command line, CRLF included */
#define LMTP_ADDR_MAX   320  /* a path's address, bytes */
#define LMTP_IDENT_MAX  32   /* a queue id */
#define LMTP_ERRORS_MAX 20   /* then 421 and close */

enum lmtp_event {
	LMTP_MORE,
	LMTP_RCPT,
	LMTP_MESSAGE,
	LMTP_CLOSE
};

struct lmtp_settings {
	const char *hostname;    /* in the greeting and LHLO reply */
	size_t      max_message; /* bytes of message text */
	size_t      max_rcpts;   /* per transaction */
};

enum lmtp_state {
	LMTP_S_COMMAND,   /* reading command lines */
	LMTP_S_RCPT_WAIT, /* a RCPT awaits its verdict */
	LMTP_S_DATA,      /* reading message text */
	LMTP_S_DELIVER,   /* replies per recipient awaited */
	LMTP_S_CLOSED
};

struct lmtp {
	struct lmtp_settings set;
	enum lmtp_state      state;
	int                  greeted;   /* LHLO seen */
	int                  in_mail;   /* MAIL accepted */
	unsigned long long   size_hint; /* MAIL's SIZE, or 0 */
	int                  errors;
	struct buf           out; /* replies not yet written */
	char                 line[LMTP_LINE_MAX + 1];
	size_t               linelen;
	int                  overlong; /* skipping to the next LF */
	char                 sender[LMTP_ADDR_MAX + 1];
	char                 ident[LMTP_IDENT_MAX + 1]; /* "" = none */
	char                 pending[LMTP_ADDR_MAX + 1];
	char               **rcpts; /* accepted, in order */
	size_t               nrcpt;
	size_t               replied;    /* LMTP_S_DELIVER progress */
	struct buf           msg;        /* the message text */
	size_t               text_start; /* after our Return-Path */
	int                  too_big;
	int                  data_state; /* dot-unstuffing */
};

void lmtp_init(struct lmtp *, const struct lmtp_settings *);
void lmtp_free(struct lmtp *);
/* The 220 greeting (appended to l->out). */
void lmtp_greeting(struct lmtp *);
/* Consumes input; see above.  *used: bytes of in consumed. */
enum lmtp_event lmtp_feed(struct lmtp *, const char *in, size_t len,
    size_t *used);
/* A last reply (a 421) before the caller closes the connection. */
void lmtp_say(struct lmtp *, const char *line);
/* The address of the RCPT awaiting a verdict (LMTP_RCPT). */
const char *lmtp_pending_rcpt(const struct lmtp *);
/*
 * Answers the pending RCPT with a reply line without CRLF ("250 2.1.5
 * OK", "550 5.1.1 ..."); a 2xx reply adds the recipient.
 */
void lmtp_rcpt_verdict(struct lmtp *, const char *reply);
/* LMTP_MESSAGE: recipient i's reply, in order from 0. */
void lmtp_deliver_reply(struct lmtp *, const char *reply);
/* What LMTP_MESSAGE hands over. */
const char *lmtp_sender(const struct lmtp *); /* "" = null sender */
const char *lmtp_ident(const struct lmtp *);  /* "" = unknown */
size_t      lmtp_nrcpt(const struct lmtp *);
const char *lmtp_rcpt(const struct lmtp *, size_t);
/* The recipient lmtp_deliver_reply answers next. */
size_t lmtp_next_reply(const struct lmtp *);

#endif
