/*
 * domain_txt.h - a domain proven by DNS: what its TXT
 * records say, what that changes, and the change recorded with its audit
 * row and its e-mail to the domain's admins in one transaction.
 *
 * A domain is verified when exactly one TXT record at its apex starts
 * with "<verification_prefix>=" and reads "<prefix>=<its token>".  The
 * outcomes: verified; missing (no such record, or no TXT record at all);
 * multiple; wrong (another token); nxdomain; and a temporary failure
 * (SERVFAIL or another error answer, no answer in time), which never
 * changes anything.
 *
 * What an outcome does to the state (txt_status, txt_grace_until):
 *
 *   verified, no grace      -> verified: unchanged
 *   verified, in grace      -> verified: grace cleared ("restored"; mail
 *                              flows again if the grace had run out)
 *   not verified            -> verified ("verified": routed from now)
 *   lost, on a verified domain with no grace
 *                           -> stays verified until now + grace period
 *                              ("grace": the admins are mailed the record
 *                              to publish and the deadline); with a grace
 *                              period of 0, at once as below
 *   lost, in grace          -> unchanged until the grace has run out, then
 *                              the outcome, grace cleared ("stopped")
 *   lost, not verified      -> the outcome
 *   temporary failure       -> unchanged
 *
 * ("lost": missing, multiple, wrong or nxdomain.)  Postfix's views route a
 * verified domain only while its grace, if any, has not run out, so mail
 * stops on time even before the next check records it.
 */
#ifndef MM_DOMAIN_TXT_H
#define MM_DOMAIN_TXT_H

#include <stddef.h>

#include "lib/err.h"
#include "proto/dns.h"

struct actor;
struct config;
struct db;
struct lang;

enum txt_outcome {
	TXT_VERIFIED,
	TXT_MISSING,
	TXT_MULTIPLE,
	TXT_WRONG,
	TXT_NXDOMAIN,
	TXT_TEMPFAIL
};

/* domains.txt_status */
enum txt_status {
	TXT_ST_UNVERIFIED,
	TXT_ST_VERIFIED,
	TXT_ST_MISSING,
	TXT_ST_MULTIPLE,
	TXT_ST_WRONG,
	TXT_ST_NXDOMAIN
};

enum txt_event {
	TXT_EV_NONE,     /* nothing changed */
	TXT_EV_CHANGED,  /* one unverified outcome for another */
	TXT_EV_VERIFIED, /* verified from unverified */
	TXT_EV_RESTORED, /* the record is back during (or after) the grace */
	TXT_EV_GRACE,    /* a verified domain lost its record: grace starts */
	TXT_EV_STOPPED   /* no longer verified: its mail is refused */
};

struct txt_state {
	enum txt_status status;
	long long       grace_until; /* Unix time; 0: none */
};

#define TXT_DETAIL_MAX 400 /* under domains.txt_last_attempt_detail's 500 */

/* "verified", "missing", ..., "temporary-failure" (the columns' words). */
const char *txt_outcome_name(enum txt_outcome);
const char *txt_status_name(enum txt_status);
/* The status of a txt_status column value; -1 if unknown. */
int txt_status_parse(const char *, enum txt_status *);
/* A Unix time as "2026-12-09 03:00 UTC", the way mails and pages say it. */
void txt_time_words(long long t, char *out, size_t outsz);

/*
 * The outcome of a lookup's result and records for a domain whose token
 * is token, with one line in words in detail, in language l (NULL:
 * English; the records found, escaped).  Pure.
 */
enum txt_outcome txt_verdict(const struct lang *l, enum dns_result,
    const struct dns_txt *, const char *prefix, const char *token, char *detail,
    size_t detailsz);

/*
 * The state after outcome at time now, with a grace period of grace
 * seconds (the table above); returns what happened.  Pure.
 */
enum txt_event txt_next(const struct txt_state *cur, enum txt_outcome,
    long long now, long long grace, struct txt_state *next);

/* What txt_check_domain found and did. */
struct txt_check {
	char domain[256];
	char record[400]; /* "<domain>. IN TXT \"<prefix>=<token>\"" */
	enum dns_result  dns;
	enum txt_outcome outcome;
	enum txt_event   event;
	struct txt_state before, after;
	char             detail[TXT_DETAIL_MAX];
};

/*
 * Checks domain's TXT records (the DNS query runs outside any
 * transaction), then, unless dry_run, records the attempt and applies
 * txt_next to the row as it is then (locked), with an audit row
 * (domain.txt, actor a) when the state changes and an e-mail to the
 * domain's admins (or alerts_to when it has none) for the events
 * verified, restored, grace and stopped.  APP_ENOTFOUND for an unknown
 * domain; APP_EDB and the like.  Needs the templates (view_init).
 */
enum app_err txt_check_domain(struct db *, const struct config *,
    const struct actor *a, const char *domain, int dry_run,
    struct txt_check *out);

#endif
