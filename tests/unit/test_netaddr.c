/*
 * test_netaddr.c - netaddr.c: address lists (status_allow, trusted_proxies),
 * the client behind trusted proxies, and the rate limit's key.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "lib/netaddr.h"
#include "test.h"

/* Which addresses a list allows. */
static const struct {
	const char *list;
	const char *addr;
	int         want;
} allow[] = {
	{ "127.0.0.1 ::1", "127.0.0.1", 1 },
	{ "127.0.0.1 ::1", "::1", 1 },
	{ "127.0.0.1 ::1", "127.0.0.2", 0 },
	{ "127.0.0.1 ::1", "::2", 0 },
	{ "10.1.2.3", "10.1.2.3", 1 },
	{ "10.1.2.3/32", "10.1.2.3", 1 },
	{ "10.1.2.3/32", "10.1.2.4", 0 },
	{ "10.0.0.0/8", "10.255.0.1", 1 },
	{ "10.0.0.0/8", "11.0.0.1", 0 },
	{ "10.0.0.0/8", "9.255.255.255", 0 },
	{ "192.168.1.128/25", "192.168.1.200", 1 },
	{ "192.168.1.128/25", "192.168.1.127", 0 },
	{ "0.0.0.0/0", "203.0.113.9", 1 },
	{ "0.0.0.0/0", "2001:db8::1", 0 },
	{ "2001:db8::1", "2001:db8::1", 1 },
	{ "2001:db8::1", "2001:db8:0:0:0:0:0:1", 1 },
	{ "2001:db8::1", "2001:db8::2", 0 },
	{ "2001:db8::/32", "2001:db8:ffff::1", 1 },
	{ "2001:db8::/32", "2001:db9::1", 0 },
	{ "2001:db8::/33", "2001:db8:8000::1", 0 },
	{ "fe80::/10", "febf::1", 1 },
	{ "::/0", "2001:db8::1", 1 },
	{ "::/0", "127.0.0.1", 0 }, /* IPv6 clients only */
	/* v4-mapped: the IPv4 address it maps, on either side. */
	{ "127.0.0.1", "::ffff:127.0.0.1", 1 },
	{ "127.0.0.0/8", "::ffff:127.9.9.9", 1 },
	{ "127.0.0.1", "::ffff:127.0.0.2", 0 },
	{ "::ffff:127.0.0.1", "127.0.0.1", 1 },
	{ "::ffff:10.0.0.0/104", "10.2.3.4", 1 },
	{ "::ffff:10.0.0.0/104", "11.2.3.4", 0 },
	{ "::/0", "::ffff:127.0.0.1", 0 },
	/* Several entries, spaces and tabs. */
	{ "  192.0.2.1\t10.0.0.0/8  ::1 ", "10.9.9.9", 1 },
	{ "  192.0.2.1\t10.0.0.0/8  ::1 ", "::1", 1 },
	{ "  192.0.2.1\t10.0.0.0/8  ::1 ", "192.0.2.2", 0 },
	/* Garbage addresses match nothing. */
	{ "127.0.0.1 ::1", "", 0 },
	{ "127.0.0.1 ::1", "localhost", 0 },
	{ "127.0.0.1 ::1", "127.0.0.1 ", 0 },
	{ "127.0.0.1 ::1", " 127.0.0.1", 0 },
	{ "127.0.0.1 ::1", "127.0.0.1/32", 0 },
	{ "127.0.0.1 ::1", "127.0.0.01", 0 },
	{ "127.0.0.1 ::1", "127.1", 0 },
	{ "127.0.0.1 ::1", "::1%lo", 0 },
	{ "127.0.0.1 ::1", "[::1]", 0 },
	{ "127.0.0.1 ::1", "127.0.0.1:80", 0 },
	{ "0.0.0.0/0 ::/0", "256.0.0.1", 0 },
	{ "0.0.0.0/0 ::/0", "1111:2222:3333:4444:5555:6666:7777:8888:9999", 0 },
	/* Garbage entries are skipped, the rest still count. */
	{ "bogus 10.0.0.1", "10.0.0.1", 1 },
	{ "10.0.0.0/33 10.0.0.0/", "10.0.0.1", 0 },
	{ "10.0.0.0/x 10.0.0.0/-1 10.0.0.0/0008", "10.0.0.1", 0 },
	{ "::/129", "::1", 0 },
	/* An empty list allows nobody. */
	{ "", "127.0.0.1", 0 },
	{ "   ", "::1", 0 },
};

static void
test_in_list(void)
{
	size_t i;

	for (i = 0; i < sizeof(allow) / sizeof(allow[0]); i++)
		CHECK_INT(netaddr_in_list(allow[i].list, allow[i].addr),
		    allow[i].want, "allow \"%s\" from \"%s\"", allow[i].list,
		    allow[i].addr);
	CHECK_INT(netaddr_in_list("127.0.0.1", NULL), 0, "no REMOTE_ADDR");
	CHECK_INT(netaddr_in_list(NULL, "127.0.0.1"), 0, "no list");
}

#define PROXIES "127.0.0.1 ::1 10.0.0.0/8"

/* The client of (peer, X-Forwarded-For) with PROXIES trusted, or none. */
static const struct {
	const char *peer, *xff, *trusted, *want;
} clients[] = {
	/* No proxy trusted: the peer, whatever it says. */
	{ "192.0.2.7", "198.51.100.1", "", "192.0.2.7" },
	{ "192.0.2.7", "198.51.100.1", NULL, "192.0.2.7" },
	{ "127.0.0.1", "198.51.100.1", "", "127.0.0.1" },
	/* An untrusted peer's header is ignored. */
	{ "192.0.2.7", "198.51.100.1", PROXIES, "192.0.2.7" },
	/* A trusted peer: the last entry that is not trusted. */
	{ "127.0.0.1", "198.51.100.1", PROXIES, "198.51.100.1" },
	{ "127.0.0.1", "203.0.113.50, 198.51.100.1", PROXIES, "198.51.100.1" },
	{ "127.0.0.1", "203.0.113.50,198.51.100.1 , 10.1.2.3", PROXIES,
	    "198.51.100.1" },
	{ "::1", " 2001:db8::5 ,\t::1", PROXIES, "2001:db8::5" },
	{ "::ffff:127.0.0.1", "::ffff:198.51.100.9", PROXIES, "198.51.100.9" },
	/* Every entry trusted: the leftmost. */
	{ "127.0.0.1", "10.0.0.5, 10.0.0.6", PROXIES, "10.0.0.5" },
	/* No header, or an empty one: the peer. */
	{ "127.0.0.1", NULL, PROXIES, "127.0.0.1" },
	{ "127.0.0.1", "", PROXIES, "127.0.0.1" },
	{ "127.0.0.1", " , ", PROXIES, "127.0.0.1" },
	/* A malformed entry ends the walk at the last trusted address. */
	{ "127.0.0.1", "198.51.100.1, bogus", PROXIES, "127.0.0.1" },
	{ "127.0.0.1", "bogus, 10.0.0.9", PROXIES, "10.0.0.9" },
	{ "127.0.0.1", "198.51.100.0/24", PROXIES, "127.0.0.1" },
	{ "127.0.0.1", "198.51.100.1:443", PROXIES, "127.0.0.1" },
	/* A peer that is no address is passed on as it is. */
	{ "unix:", "198.51.100.1", PROXIES, "unix:" },
};

static void
test_client(void)
{
	char   out[NETADDR_TEXT_MAX], xff[4096];
	size_t i;

	for (i = 0; i < sizeof(clients) / sizeof(clients[0]); i++)
		CHECK_STR(netaddr_client(clients[i].peer, clients[i].xff,
			      clients[i].trusted, out),
		    clients[i].want, "client of %s via \"%s\"", clients[i].peer,
		    clients[i].xff ? clients[i].xff : "(none)");
	/* A long chain of trusted hops is walked only so far. */
	xff[0] = '\0';
	for (i = 0; i < 100; i++)
		snprintf(xff + strlen(xff), sizeof(xff) - strlen(xff),
		    "%s10.0.0.%zu", i > 0 ? ", " : "", i % 250);
	CHECK_STR(netaddr_client("127.0.0.1", xff, PROXIES, out), "10.0.0.68",
	    "the walk stops after 32 hops");
}

static const struct {
	const char *addr, *want;
} keys[] = {
	{ "192.0.2.7", "192.0.2.7" },
	{ "::ffff:192.0.2.7", "192.0.2.7" },
	{ "2001:db8:5:6::1", "2001:db8:5:6::/64" },
	{ "2001:db8:5:6:ffff:ffff:ffff:ffff", "2001:db8:5:6::/64" },
	{ "2001:db8:5:7::1", "2001:db8:5:7::/64" },
	{ "::1", "::/64" },
	{ "-", "-" },
	{ "unix:", "unix:" },
};

static void
test_rate_key(void)
{
	char   out[NETADDR_TEXT_MAX];
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		CHECK_STR(netaddr_rate_key(keys[i].addr, out), keys[i].want,
		    "key of %s", keys[i].addr);
}

int
main(void)
{
	test_in_list();
	test_client();
	test_rate_key();
	return test_done("test_netaddr");
}
