/* dns.c - TXT lookups through the resolver library; see dns.h. */
#include "config.h"

#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/valid.h"
#include "proto/dns.h"

#define HEADER_LEN 12

static const char *const rcode_names[] = { "NOERROR", "FORMERR", "SERVFAIL",
	"NXDOMAIN", "NOTIMP", "REFUSED" };

const char *
dns_result_name(enum dns_result r)
{
	switch (r) {
	case DNS_RECORDS:
		return "records";
	case DNS_NODATA:
		return "no TXT record";
	case DNS_NXDOMAIN:
		return "NXDOMAIN";
	case DNS_SERVFAIL:
		return "server failure";
	case DNS_TIMEOUT:
		return "timeout";
	case DNS_ERROR:
		break;
	}
	return "error";
}

/* Appends one TXT RDATA (length-prefixed strings) to txt; -1 if malformed. */
static int
add_record(struct dns_txt *txt, const unsigned char *rd, size_t rdlen)
{
	struct dns_record *r = NULL;
	size_t             off = 0, slen, keep;

	if (txt->n < DNS_TXT_MAX) {
		r = &txt->rec[txt->n];
		r->len = 0;
	}
	while (off < rdlen) {
		slen = rd[off++];
		if (slen > rdlen - off)
			return -1;
		if (r != NULL) {
			/* Past the bytes kept, only the length counts on. */
			keep = r->len < DNS_TXT_LEN ? DNS_TXT_LEN - r->len : 0;
			if (keep > 0)
				memcpy(r->text + r->len, rd + off,
				    slen < keep ? slen : keep);
			r->len += slen;
		}
		off += slen;
	}
	if (rdlen == 0) /* RFC 1035: at least one string */
		return -1;
	if (r != NULL)
		txt->n++;
	txt->total++;
	return 0;
}

enum dns_result
dns_txt_parse(const unsigned char *msg, size_t len, const char *name,
    struct dns_txt *txt, char *why, size_t whysz)
{
	ns_msg h;
	ns_rr  rr;
	int    i, n;

	memset(txt, 0, sizeof(*txt));
	if (len > NS_MAXMSG || ns_initparse(msg, (int)len, &h) == -1) {
		snprintf(why, whysz, "a malformed answer (%zu bytes)", len);
		return DNS_ERROR;
	}
	n = ns_msg_count(h, ns_s_an);
	for (i = 0; i < n; i++) {
		if (ns_parserr(&h, ns_s_an, i, &rr) == -1) {
			snprintf(why, whysz, "answer record %d is malformed",
			    i);
			return DNS_ERROR;
		}
		if (ns_rr_type(rr) != ns_t_txt || ns_rr_class(rr) != ns_c_in ||
		    strcasecmp(ns_rr_name(rr), name) != 0)
			continue;
		if (add_record(txt, ns_rr_rdata(rr), ns_rr_rdlen(rr)) == -1) {
			snprintf(why, whysz, "a malformed TXT record");
			return DNS_ERROR;
		}
	}
	return txt->total > 0 ? DNS_RECORDS : DNS_NODATA;
}

/* Where the question went, for details: "127.0.0.1:53" or the system's. */
static void
server_words(const struct dns_opts *o, char *out, size_t outsz)
{
	if (o->server[0] != '\0')
		snprintf(out, outsz, "%s", o->server);
	else
		snprintf(out, outsz, "the system's resolvers");
}

/*
 * A failed res_nquery in words.  The library does not say SERVFAIL apart
 * from a timeout (both TRY_AGAIN), but a server's error answer is left in
 * ans, whose header was zeroed before asking.
 */
static enum dns_result
failure(const struct dns_opts *o, const struct __res_state *st,
    const unsigned char *ans, char *detail, size_t detailsz)
{
	char     who[64];
	unsigned rcode = ans[3] & 0x0f;
	int      answered = (ans[2] & 0x80) != 0;

	server_words(o, who, sizeof(who));
	switch (st->res_h_errno) {
	case HOST_NOT_FOUND:
		snprintf(detail, detailsz, "NXDOMAIN from %s", who);
		return DNS_NXDOMAIN;
	case NO_DATA:
		snprintf(detail, detailsz, "no TXT record (NOERROR from %s)",
		    who);
		return DNS_NODATA;
	case TRY_AGAIN:
	case NO_RECOVERY:
		if (answered) {
			snprintf(detail, detailsz, "%s from %s",
			    rcode < sizeof(rcode_names) /
					sizeof(rcode_names[0]) ?
				rcode_names[rcode] :
				"an error code",
			    who);
			return DNS_SERVFAIL;
		}
		snprintf(detail, detailsz, "no answer from %s within %d x %d s",
		    who, o->attempts, o->timeout);
		return DNS_TIMEOUT;
	default:
		snprintf(detail, detailsz, "the resolver failed asking %s",
		    who);
		return DNS_ERROR;
	}
}

/* The resolver state: the system's, or the configured server only. */
static int
setup(const struct dns_opts *o, struct __res_state *st, char *detail,
    size_t detailsz)
{
	struct sockaddr_in sa;

	memset(st, 0, sizeof(*st));
	if (res_ninit(st) != 0) {
		snprintf(detail, detailsz, "the resolver could not start");
		return -1;
	}
	st->retrans = o->timeout;
	st->retry = o->attempts;
	/* One name, asked as given: no search list, no default domain. */
	st->options &= ~(unsigned long)(RES_DEFNAMES | RES_DNSRCH);
	if (o->server[0] != '\0') {
		if (parse_ipv4_port(o->server, 53, &sa) == -1) {
			res_nclose(st);
			snprintf(detail, detailsz,
			    "dns_server %s is not an "
			    "address[:port]",
			    o->server);
			return -1;
		}
		/* Set before the first query, an IPv4 entry replaces the
		 * configured servers (the way dig and host do it). */
		st->nsaddr_list[0] = sa;
		st->nscount = 1;
	}
	return 0;
}

enum dns_result
dns_txt_lookup(const struct dns_opts *o, const char *name, struct dns_txt *txt,
    char *detail, size_t detailsz)
{
	struct __res_state st;
	unsigned char     *ans;
	char               why[160], who[64];
	enum dns_result    r;
	int                n;

	memset(txt, 0, sizeof(*txt));
	if ((ans = calloc(1, NS_MAXMSG)) == NULL) {
		snprintf(detail, detailsz, "out of memory");
		return DNS_ERROR;
	}
	if (setup(o, &st, detail, detailsz) == -1) {
		free(ans);
		return DNS_ERROR;
	}
	n = res_nquery(&st, name, ns_c_in, ns_t_txt, ans, NS_MAXMSG);
	if (n < HEADER_LEN)
		r = failure(o, &st, ans, detail, detailsz);
	else if ((r = dns_txt_parse(ans,
		      (size_t)n < NS_MAXMSG ? (size_t)n : NS_MAXMSG, name, txt,
		      why, sizeof(why))) == DNS_ERROR) {
		server_words(o, who, sizeof(who));
		snprintf(detail, detailsz, "%s from %s", why, who);
	} else
		snprintf(detail, detailsz, "%zu TXT record(s)", txt->total);
	res_nclose(&st);
	free(ans);
	return r;
}
