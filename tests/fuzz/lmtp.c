/*
 * lmtp.c - fuzzes the LMTP server's state machine (proto/lmtp.c): what
 * Postfix's lmtp client, or anything that reaches the socket, sends.  The
 * input is fed in pieces (its first byte chooses their size), RCPTs are
 * accepted or refused in turn, every message answered.  Beyond no crash,
 * leak or overrun: every reply is whole lines of "NNN" and CRLF, a
 * message never holds more than the bound, the pending recipient and
 * the queue id are bounded, and every call either consumes input or says
 * something (no stall).
 */
#include "config.h"

#include "proto/lmtp.h"

#include "fuzz.h"

#define MAX_MESSAGE 4096

/* Whole CRLF lines, each starting with three digits. */
static void
check_replies(const struct buf *out)
{
	size_t i = 0, start;

	while (i < out->len) {
		start = i;
		FUZZ_CHECK(out->len - start >= 5);
		FUZZ_CHECK(out->data[start] >= '2' && out->data[start] <= '5');
		FUZZ_CHECK(
		    out->data[start + 1] >= '0' && out->data[start + 1] <= '9');
		FUZZ_CHECK(
		    out->data[start + 2] >= '0' && out->data[start + 2] <= '9');
		FUZZ_CHECK(
		    out->data[start + 3] == ' ' || out->data[start + 3] == '-');
		while (i < out->len && out->data[i] != '\n')
			i++;
		FUZZ_CHECK(
		    i < out->len && i > start && out->data[i - 1] == '\r');
		i++;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lmtp_settings set = { "fuzz.example", MAX_MESSAGE, 4 };
	struct lmtp          l;
	enum lmtp_event      ev = LMTP_MORE;
	size_t               piece, at = 1, n, used, said, i, verdicts = 0;

	if (size == 0)
		return 0;
	piece = (size_t)data[0] % 64 + 1;
	lmtp_init(&l, &set);
	lmtp_greeting(&l);
	while (at < size || l.out.len > 0) {
		n = size - at < piece ? size - at : piece;
		ev = lmtp_feed(&l, (const char *)data + at, n, &used);
		FUZZ_CHECK(used <= n);
		at += used;
		said = l.out.len;
		check_replies(&l.out);
		buf_reset(&l.out);
		if (ev == LMTP_RCPT) {
			FUZZ_CHECK(
			    strlen(lmtp_pending_rcpt(&l)) <= LMTP_ADDR_MAX);
			lmtp_rcpt_verdict(&l,
			    verdicts++ % 3 == 2 ? "550 5.1.1 No such mailbox" :
						  "250 2.1.5 OK");
		} else if (ev == LMTP_MESSAGE) {
			FUZZ_CHECK(lmtp_nrcpt(&l) >= 1 && lmtp_nrcpt(&l) <= 4);
			FUZZ_CHECK(strlen(lmtp_ident(&l)) <= LMTP_IDENT_MAX);
			FUZZ_CHECK(l.msg.len - l.text_start <= MAX_MESSAGE);
			for (i = 0; i < lmtp_nrcpt(&l); i++)
				lmtp_deliver_reply(&l, "250 2.0.0 Stored");
		} else if (ev == LMTP_CLOSE) {
			break;
		} else if (used == 0 && said == 0) {
			FUZZ_CHECK(n == 0); /* no stall */
			break;
		}
	}
	lmtp_free(&l);
	return 0;
}
