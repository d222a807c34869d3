/*
 * netaddr.h - client addresses: lists of addresses and CIDR blocks (the
 * config's status_allow, trusted_proxies), the client behind proxies we
 * trust, and the key under which a rate limit counts a client.
 *
 * IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are taken as the IPv4
 * address, so one client is one client whichever way the socket saw it.
 * Everything here is pure and keeps nothing between calls.
 */
#ifndef MM_NETADDR_H
#define MM_NETADDR_H

#include <stddef.h>

#define NETADDR_TEXT_MAX 48 /* an IPv6 address, "/64" and the NUL */

struct netaddr {
	int           v6;
	unsigned char a[16]; /* IPv4 in the first 4 bytes */
	unsigned int  bits;  /* the prefix; 32 or 128 for an address */
};

/* "addr" or "addr/bits" of len bytes into n (unmapped); 0 or -1. */
int netaddr_parse(const char *s, size_t len, struct netaddr *n);

/*
 * Whether addr (an IPv4 or IPv6 address as nginx passes it) matches one of
 * the space-separated addresses or CIDR blocks of list.  A v4-mapped IPv6
 * address, on either side, is the IPv4 address it maps: ::ffff:127.0.0.1
 * matches 127.0.0.1 and 127.0.0.0/8, 127.0.0.1 matches ::ffff:127.0.0.1,
 * and "::/0" matches IPv6 clients only.  An empty list, an unparsable
 * address (zone ids included) or a NULL one matches nothing; an unparsable
 * entry is skipped.
 */
int netaddr_in_list(const char *list, const char *addr);

/*
 * The client of a request that came from peer (REMOTE_ADDR) with the
 * X-Forwarded-For header xff (or NULL), as nginx's real_ip module with
 * real_ip_recursive finds it: when peer is in the list trusted, the
 * entries of xff from the right, past every trusted one; the first that
 * is not trusted is the client.  When every entry is trusted, the leftmost
 * is; a malformed entry ends the walk at the last trusted address seen.
 * A peer that is not trusted is the client, whatever it sent.  Written to
 * out (NETADDR_TEXT_MAX bytes); returns out.
 */
const char *netaddr_client(const char *peer, const char *xff,
    const char *trusted, char out[NETADDR_TEXT_MAX]);

/*
 * What a rate limit counts addr under: an IPv4 address itself, an IPv6
 * address its /64 ("2001:db8:1:2::/64": one site's, one customer's
 * network, inside which addresses are free to take).  Anything else is
 * counted as one text.  Written to out; returns out.
 */
const char *netaddr_rate_key(const char *addr, char out[NETADDR_TEXT_MAX]);

#endif
