/*
 * dns.h - the TXT records at a name, asked of the system resolver library
 * (res_nquery; the answer read with ns_parse) or, when the config names
 * one (dns_server = address[:port]), of that server only, with a bounded
 * wait: dns_timeout seconds per try, dns_attempts tries.
 *
 * The results keep apart what DNS says about the name (its records, no
 * TXT record, no such name) from a server that could not say (SERVFAIL or
 * another error code, no answer in time, an unreadable answer): only the
 * former may change what membermail believes about a domain.
 *
 * A TXT record is one or more strings; they are joined, as RFC 7208 and
 * every verification scheme read them.  Record text is bytes: it may hold
 * anything, NUL included, so it comes with its length.
 */
#ifndef MM_DNS_H
#define MM_DNS_H

#include <stddef.h>

#define DNS_TXT_MAX 32 /* records kept (more are counted in total) */
#define DNS_TXT_LEN \
	512 /* bytes kept of a record; len says how many
			   it had */

enum dns_result {
	DNS_RECORDS,  /* NOERROR with TXT records at the name */
	DNS_NODATA,   /* the name exists and has no TXT record */
	DNS_NXDOMAIN, /* the name does not exist */
	DNS_SERVFAIL, /* the server answered SERVFAIL, REFUSED, ... */
	DNS_TIMEOUT,  /* no answer within the timeout and attempts */
	DNS_ERROR     /* an answer that does not parse, a local failure */
};

struct dns_record {
	size_t len;               /* the record's whole length */
	char   text[DNS_TXT_LEN]; /* its first bytes (not terminated) */
};

struct dns_txt {
	size_t            n;     /* records in rec */
	size_t            total; /* TXT records in the answer */
	struct dns_record rec[DNS_TXT_MAX];
};

struct dns_opts {
	const char *server;   /* "address[:port]", or "" for the system's */
	int         timeout;  /* seconds per try, 1.. */
	int         attempts; /* tries, 1.. */
};

/*
 * Asks for the TXT records of name (a domain, no trailing dot) and fills
 * txt when the result is DNS_RECORDS.  detail gets one line in words of
 * what happened, e.g. "SERVFAIL from 127.0.0.1:53" or "no answer from the
 * system's resolvers within 2 x 5 s".  Blocks at most about timeout x
 * attempts (x 2 if the answer must be fetched again over TCP).
 */
enum dns_result dns_txt_lookup(const struct dns_opts *, const char *name,
    struct dns_txt *txt, char *detail, size_t detailsz);

/*
 * Reads the TXT records at name (class IN; case-insensitive owner) from an
 * answer message; other records are skipped.  DNS_RECORDS, DNS_NODATA when
 * there is none, DNS_ERROR with why when the message is malformed.  Pure:
 * the unit tests feed it.
 */
enum dns_result dns_txt_parse(const unsigned char *msg, size_t len,
    const char *name, struct dns_txt *txt, char *why, size_t whysz);

/* "records", "no TXT record", "NXDOMAIN", ... for logs. */
const char *dns_result_name(enum dns_result);

#endif
