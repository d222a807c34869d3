/*
 * test_dns.c - domain verification's pure parts: TXT answers read from
 * wire-format messages (every truncated prefix too), the verdict on the
 * records, the state table of rules/domain_txt.h, and dns_server's form.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "lib/valid.h"
#include "proto/dns.h"
#include "rules/domain_txt.h"
#include "test.h"

#define PREFIX "membermail-site-verification"
#define TOKEN  "Ab3dE6gH9k"

/* A wire-format answer being built. */
struct msg {
	unsigned char b[4096];
	size_t        len;
	int           ancount;
};

static void
put(struct msg *m, const void *p, size_t n)
{
	memcpy(m->b + m->len, p, n);
	m->len += n;
}

static void
put16(struct msg *m, unsigned v)
{
	unsigned char b[2] = { (unsigned char)(v >> 8), (unsigned char)v };

	put(m, b, 2);
}

static void
put_name(struct msg *m, const char *name)
{
	const char   *dot;
	unsigned char n;

	while (*name != '\0') {
		dot = strchr(name, '.');
		n = (unsigned char)(dot != NULL ? (size_t)(dot - name) :
						  strlen(name));
		put(m, &n, 1);
		put(m, name, n);
		name += n + (dot != NULL);
	}
	put(m, "", 1);
}

/* Header (rcode 0) and the question; answers follow. */
static void
begin(struct msg *m, const char *qname)
{
	memset(m, 0, sizeof(*m));
	put16(m, 0x1234);
	put16(m, 0x8180);
	put16(m, 1);
	put16(m, 0); /* ancount, patched by rr() */
	put16(m, 0);
	put16(m, 0);
	put_name(m, qname);
	put16(m, 16);
	put16(m, 1);
}

/* An answer RR at owner (a pointer to the question when NULL). */
static void
rr(struct msg *m, const char *owner, unsigned type, const unsigned char *rd,
    size_t rdlen)
{
	if (owner == NULL)
		put16(m, 0xc00c);
	else
		put_name(m, owner);
	put16(m, type);
	put16(m, 1);
	put16(m, 0);
	put16(m, 300);
	put16(m, (unsigned)rdlen);
	put(m, rd, rdlen);
	m->ancount++;
	m->b[6] = (unsigned char)(m->ancount >> 8);
	m->b[7] = (unsigned char)m->ancount;
}

/* A TXT RR of the given strings (NULL-terminated list). */
static void
txt(struct msg *m, const char *owner, const char *const *strings)
{
	unsigned char rd[1024];
	size_t        n = 0, l;

	for (; *strings != NULL; strings++) {
		l = strlen(*strings);
		rd[n++] = (unsigned char)l;
		memcpy(rd + n, *strings, l);
		n += l;
	}
	rr(m, owner, 16, rd, n);
}

static void
test_parse(void)
{
	static const char *const   one[] = { PREFIX "=" TOKEN, NULL };
	static const char *const   split[] = { PREFIX "=", "Ab3d", "E6gH9k",
		  NULL };
	static const char *const   spf[] = { "v=spf1 -all", NULL };
	static const unsigned char a[4] = { 192, 0, 2, 1 };
	struct dns_txt             t;
	struct msg                 m;
	char                       why[128];

	begin(&m, "example.org");
	txt(&m, NULL, spf);
	txt(&m, NULL, split);
	rr(&m, NULL, 1, a, sizeof(a));     /* an A record: skipped */
	txt(&m, "other.example.org", one); /* another owner: skipped */
	CHECK_INT(dns_txt_parse(m.b, m.len, "Example.ORG", &t, why,
		      sizeof(why)),
	    DNS_RECORDS, "two TXT records among others");
	CHECK_INT(t.total, 2, "total");
	CHECK_INT(t.n, 2, "kept");
	CHECK(t.rec[0].len == 11 &&
		memcmp(t.rec[0].text, "v=spf1 -all", 11) == 0,
	    "the SPF record");
	CHECK(t.rec[1].len == strlen(PREFIX "=" TOKEN) &&
		memcmp(t.rec[1].text, PREFIX "=" TOKEN, t.rec[1].len) == 0,
	    "a split record joined");

	begin(&m, "example.org");
	rr(&m, NULL, 1, a, sizeof(a));
	CHECK_INT(dns_txt_parse(m.b, m.len, "example.org", &t, why,
		      sizeof(why)),
	    DNS_NODATA, "no TXT record in the answer");

	/* A string length running past the record. */
	begin(&m, "example.org");
	rr(&m, NULL, 16, (const unsigned char *)"\x09short", 6);
	CHECK_INT(dns_txt_parse(m.b, m.len, "example.org", &t, why,
		      sizeof(why)),
	    DNS_ERROR, "a string longer than its record");
	begin(&m, "example.org");
	rr(&m, NULL, 16, (const unsigned char *)"", 0);
	CHECK_INT(dns_txt_parse(m.b, m.len, "example.org", &t, why,
		      sizeof(why)),
	    DNS_ERROR, "an empty TXT RDATA");
}

/* Every truncated prefix of a good answer is refused, never read past. */
static void
test_truncated(void)
{
	static const char *const one[] = { PREFIX "=", TOKEN, NULL };
	struct dns_txt           t;
	struct msg               m;
	unsigned char           *copy;
	char                     why[128];
	size_t                   n;
	int                      bad = 0;

	begin(&m, "example.org");
	txt(&m, NULL, one);
	txt(&m, NULL, one);
	for (n = 0; n < m.len; n++) {
		/* An exact-size heap copy: ASan catches any read past it. */
		if ((copy = malloc(n ? n : 1)) == NULL)
			break;
		memcpy(copy, m.b, n);
		if (dns_txt_parse(copy, n, "example.org", &t, why,
			sizeof(why)) != DNS_ERROR)
			bad++;
		free(copy);
	}
	CHECK_INT(bad, 0, "truncated answers read as good ones");
	CHECK_INT(dns_txt_parse(m.b, m.len, "example.org", &t, why,
		      sizeof(why)),
	    DNS_RECORDS, "the whole answer");
}

/* The verdict on records given as C strings. */
static enum txt_outcome
verdict(enum dns_result r, const char *const *recs, char *detail,
    size_t detailsz)
{
	struct dns_txt t;
	size_t         l;

	memset(&t, 0, sizeof(t));
	for (; recs != NULL && *recs != NULL; recs++) {
		l = strlen(*recs);
		t.rec[t.n].len = l;
		memcpy(t.rec[t.n].text, *recs,
		    l < DNS_TXT_LEN ? l : DNS_TXT_LEN);
		t.n++;
		t.total++;
	}
	return txt_verdict(NULL, r, &t, PREFIX, TOKEN, detail, detailsz);
}

static void
test_verdict(void)
{
	static const char *const ok[] = { "v=spf1 -all", PREFIX "=" TOKEN,
		NULL };
	static const char *const two[] = { PREFIX "=" TOKEN,
		PREFIX "=Zz9yY8xX7w", NULL };
	static const char *const other[] = { PREFIX "=Zz9yY8xX7w", NULL };
	static const char *const longer[] = { PREFIX "=" TOKEN "x", NULL };
	static const char *const nametoo[] = { PREFIX "-old=" TOKEN,
		PREFIX "extra=" TOKEN, NULL };
	static const char *const bare[] = { PREFIX, "v=spf1 -all", NULL };
	static const char *const ctl[] = { PREFIX "=\"\x01\\", NULL };
	char                     d[TXT_DETAIL_MAX];

	CHECK_INT(verdict(DNS_RECORDS, ok, d, sizeof(d)), TXT_VERIFIED,
	    "one record, the token");
	CHECK_INT(verdict(DNS_RECORDS, two, d, sizeof(d)), TXT_MULTIPLE,
	    "two records");
	CHECK(strstr(d, "2 TXT records start with") != NULL, "%s", d);
	CHECK_INT(verdict(DNS_RECORDS, other, d, sizeof(d)), TXT_WRONG,
	    "another token");
	CHECK(strstr(d, "Zz9yY8xX7w") != NULL, "%s", d);
	CHECK_INT(verdict(DNS_RECORDS, longer, d, sizeof(d)), TXT_WRONG,
	    "the token and more");
	CHECK_INT(verdict(DNS_RECORDS, nametoo, d, sizeof(d)), TXT_MISSING,
	    "names that only begin like the prefix");
	CHECK_INT(verdict(DNS_RECORDS, bare, d, sizeof(d)), TXT_MISSING,
	    "the prefix without '='");
	CHECK_INT(verdict(DNS_RECORDS, ctl, d, sizeof(d)), TXT_WRONG,
	    "control characters");
	CHECK(strstr(d, "\\x01") != NULL && strstr(d, "\\x22") != NULL &&
		strstr(d, "\\x5c") != NULL,
	    "control characters, quotes and backslashes escaped: %s", d);
	CHECK_INT(verdict(DNS_NODATA, NULL, d, sizeof(d)), TXT_MISSING,
	    "no TXT record");
	CHECK_INT(verdict(DNS_NXDOMAIN, NULL, d, sizeof(d)), TXT_NXDOMAIN,
	    "NXDOMAIN");
	snprintf(d, sizeof(d), "SERVFAIL from 127.0.0.1:53");
	CHECK_INT(verdict(DNS_SERVFAIL, NULL, d, sizeof(d)), TXT_TEMPFAIL,
	    "SERVFAIL");
	CHECK_STR(d, "SERVFAIL from 127.0.0.1:53", "the lookup's detail kept");
	CHECK_INT(verdict(DNS_TIMEOUT, NULL, d, sizeof(d)), TXT_TEMPFAIL,
	    "timeout");
	CHECK_INT(verdict(DNS_ERROR, NULL, d, sizeof(d)), TXT_TEMPFAIL,
	    "unreadable answer");
}

/* txt_next's table: state, outcome -> state, event. */
static void
test_next(void)
{
	static const struct {
		enum txt_status  st;
		long long        grace;
		enum txt_outcome o;
		enum txt_status  want_st;
		long long        want_grace;
		enum txt_event   want_ev;
	} cases[] = {
		{ TXT_ST_VERIFIED, 0, TXT_VERIFIED, TXT_ST_VERIFIED, 0,
		    TXT_EV_NONE },
		{ TXT_ST_UNVERIFIED, 0, TXT_VERIFIED, TXT_ST_VERIFIED, 0,
		    TXT_EV_VERIFIED },
		{ TXT_ST_WRONG, 0, TXT_VERIFIED, TXT_ST_VERIFIED, 0,
		    TXT_EV_VERIFIED },
		{ TXT_ST_VERIFIED, 1500, TXT_VERIFIED, TXT_ST_VERIFIED, 0,
		    TXT_EV_RESTORED },
		{ TXT_ST_VERIFIED, 500, TXT_VERIFIED, TXT_ST_VERIFIED, 0,
		    TXT_EV_RESTORED },
		{ TXT_ST_VERIFIED, 0, TXT_MISSING, TXT_ST_VERIFIED, 1000 + 3600,
		    TXT_EV_GRACE },
		{ TXT_ST_VERIFIED, 0, TXT_NXDOMAIN, TXT_ST_VERIFIED,
		    1000 + 3600, TXT_EV_GRACE },
		{ TXT_ST_VERIFIED, 1500, TXT_WRONG, TXT_ST_VERIFIED, 1500,
		    TXT_EV_NONE },
		{ TXT_ST_VERIFIED, 1000, TXT_MULTIPLE, TXT_ST_MULTIPLE, 0,
		    TXT_EV_STOPPED },
		{ TXT_ST_VERIFIED, 500, TXT_MISSING, TXT_ST_MISSING, 0,
		    TXT_EV_STOPPED },
		{ TXT_ST_UNVERIFIED, 0, TXT_MISSING, TXT_ST_MISSING, 0,
		    TXT_EV_CHANGED },
		{ TXT_ST_MISSING, 0, TXT_MISSING, TXT_ST_MISSING, 0,
		    TXT_EV_NONE },
		{ TXT_ST_MISSING, 0, TXT_WRONG, TXT_ST_WRONG, 0,
		    TXT_EV_CHANGED },
		{ TXT_ST_VERIFIED, 0, TXT_TEMPFAIL, TXT_ST_VERIFIED, 0,
		    TXT_EV_NONE },
		{ TXT_ST_VERIFIED, 500, TXT_TEMPFAIL, TXT_ST_VERIFIED, 500,
		    TXT_EV_NONE },
		{ TXT_ST_UNVERIFIED, 0, TXT_TEMPFAIL, TXT_ST_UNVERIFIED, 0,
		    TXT_EV_NONE },
	};
	struct txt_state cur, next;
	size_t           i;
	enum txt_event   ev;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cur.status = cases[i].st;
		cur.grace_until = cases[i].grace;
		ev = txt_next(&cur, cases[i].o, 1000, 3600, &next);
		CHECK_INT(ev, cases[i].want_ev, "case %zu: event", i);
		CHECK_INT(next.status, cases[i].want_st, "case %zu: status", i);
		CHECK_INT(next.grace_until, cases[i].want_grace,
		    "case %zu: grace", i);
	}
	/* No grace period: a lost record stops the mail at once. */
	cur.status = TXT_ST_VERIFIED;
	cur.grace_until = 0;
	CHECK_INT(txt_next(&cur, TXT_MISSING, 1000, 0, &next), TXT_EV_STOPPED,
	    "grace 0");
	CHECK_INT(next.status, TXT_ST_MISSING, "grace 0: status");
}

static void
test_names(void)
{
	enum txt_status st;

	CHECK(txt_status_parse("nxdomain", &st) == 0 && st == TXT_ST_NXDOMAIN,
	    "nxdomain");
	CHECK(txt_status_parse("temporary-failure", &st) == -1, "not a status");
	CHECK_STR(txt_outcome_name(TXT_TEMPFAIL), "temporary-failure",
	    "the column's word");
}

static void
test_server(void)
{
	static const struct {
		const char *s;
		int         ok;
		unsigned    port;
	} cases[] = {
		{ "127.0.0.1", 1, 53 },
		{ "127.0.0.1:5353", 1, 5353 },
		{ "192.0.2.1:65535", 1, 65535 },
		{ "", 0, 0 },
		{ ":53", 0, 0 },
		{ "127.0.0.1:", 0, 0 },
		{ "127.0.0.1:0", 0, 0 },
		{ "127.0.0.1:65536", 0, 0 },
		{ "127.0.0.1:53x", 0, 0 },
		{ "127.0.0.1:+53", 0, 0 },
		{ "ns.example.org", 0, 0 },
		{ "::1", 0, 0 },
		{ "127.0.0.1 ", 0, 0 },
		{ "256.0.0.1", 0, 0 },
	};
	struct sockaddr_in sa;
	size_t             i;
	int                ok;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ok = parse_ipv4_port(cases[i].s, 53, &sa) == 0;
		CHECK_INT(ok, cases[i].ok, "\"%s\"", cases[i].s);
		if (ok && cases[i].ok)
			CHECK_INT(ntohs(sa.sin_port), cases[i].port,
			    "\"%s\" port", cases[i].s);
	}
}

/*
 * A record longer than DNS_TXT_LEN keeps its first bytes and its whole
 * length, however many strings follow: copying a string past the kept
 * bytes once pointed past the array (found by the fuzzer).
 */
static void
test_long_record(void)
{
	static char              s255a[256], s255b[256], s255c[256];
	static const char *const three[] = { s255a, s255b, s255c, "tail",
		NULL };
	struct dns_txt           t;
	struct msg               m;
	char                     why[128];

	memset(s255a, 'a', 255);
	memset(s255b, 'b', 255);
	memset(s255c, 'c', 255);
	begin(&m, "example.org");
	txt(&m, NULL, three);
	CHECK_INT(dns_txt_parse(m.b, m.len, "example.org", &t, why,
		      sizeof(why)),
	    DNS_RECORDS, "a record of 769 bytes (%s)", why);
	CHECK_INT(t.n, 1, "one record");
	CHECK_INT(t.rec[0].len, 3 * 255 + 4, "its whole length");
	CHECK(t.rec[0].text[0] == 'a' && t.rec[0].text[254] == 'a' &&
		t.rec[0].text[255] == 'b' && t.rec[0].text[509] == 'b' &&
		t.rec[0].text[510] == 'c' && t.rec[0].text[511] == 'c',
	    "its first 512 bytes");
}

int
main(void)
{
	test_parse();
	test_long_record();
	test_truncated();
	test_verdict();
	test_next();
	test_names();
	test_server();
	return test_done("test_dns");
}
