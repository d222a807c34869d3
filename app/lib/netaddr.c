/* netaddr.c - addresses, blocks, clients and rate keys; see netaddr.h. */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "lib/netaddr.h"

#define XFF_MAX_ENTRIES 32 /* proxies in front of us: a handful at most */

/* ::ffff:a.b.c.d becomes the IPv4 address a.b.c.d. */
static void
unmap(struct netaddr *n)
{
	static const unsigned char prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0xff, 0xff };

	if (!n->v6 || memcmp(n->a, prefix, sizeof(prefix)) != 0 || n->bits < 96)
		return; /* a shorter prefix is wider than IPv4 */
	n->v6 = 0;
	memmove(n->a, n->a + 12, 4);
	memset(n->a + 4, 0, 12);
	n->bits -= 96;
}

/* An address of len bytes into n (all bits); 0 or -1. */
static int
parse_addr(const char *s, size_t len, struct netaddr *n)
{
	char tmp[INET6_ADDRSTRLEN];

	if (len == 0 || len >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	memset(n, 0, sizeof(*n));
	n->v6 = memchr(tmp, ':', len) != NULL;
	n->bits = n->v6 ? 128 : 32;
	if (inet_pton(n->v6 ? AF_INET6 : AF_INET, tmp, n->a) != 1)
		return -1;
	return 0;
}

/* An address of len bytes (never a block) into n, unmapped; 0 or -1. */
static int
parse_host(const char *s, size_t len, struct netaddr *n)
{
	if (parse_addr(s, len, n) == -1)
		return -1;
	unmap(n);
	return 0;
}

int
netaddr_parse(const char *s, size_t len, struct netaddr *n)
{
	const char  *slash = memchr(s, '/', len);
	size_t       i, alen = slash != NULL ? (size_t)(slash - s) : len;
	unsigned int bits = 0;

	if (parse_addr(s, alen, n) == -1)
		return -1;
	if (slash != NULL) {
		if (len - alen - 1 == 0 || len - alen - 1 > 3)
			return -1;
		for (i = alen + 1; i < len; i++) {
			if (s[i] < '0' || s[i] > '9')
				return -1;
			bits = bits * 10 + (unsigned int)(s[i] - '0');
		}
		if (bits > n->bits)
			return -1;
		n->bits = bits;
	}
	unmap(n);
	return 0;
}

static int
contains(const struct netaddr *net, const struct netaddr *addr)
{
	unsigned int  whole = net->bits / 8, rest = net->bits % 8;
	unsigned char mask;

	if (net->v6 != addr->v6 || memcmp(net->a, addr->a, whole) != 0)
		return 0;
	if (rest == 0)
		return 1;
	mask = (unsigned char)(0xff << (8 - rest));
	return (net->a[whole] & mask) == (addr->a[whole] & mask);
}

static int
in_list(const char *list, const struct netaddr *addr)
{
	struct netaddr net;
	const char    *p = list;
	size_t         n;

	for (;;) {
		p += strspn(p, " \t");
		if ((n = strcspn(p, " \t")) == 0)
			return 0;
		if (netaddr_parse(p, n, &net) == 0 && contains(&net, addr))
			return 1;
		p += n;
	}
}

int
netaddr_in_list(const char *list, const char *addr)
{
	struct netaddr a;

	if (list == NULL || addr == NULL ||
	    parse_host(addr, strlen(addr), &a) == -1)
		return 0;
	return in_list(list, &a);
}

/* The address n as text (never a block). */
static const char *
text(const struct netaddr *n, char out[NETADDR_TEXT_MAX])
{
	if (inet_ntop(n->v6 ? AF_INET6 : AF_INET, n->a, out,
		NETADDR_TEXT_MAX) == NULL)
		snprintf(out, NETADDR_TEXT_MAX, "-");
	return out;
}

/* The last entry of xff[0..*end), trimmed; *end moves before its comma. */
static const char *
last_entry(const char *xff, size_t *end, size_t *len)
{
	size_t e = *end, b;

	while (e > 0 && (xff[e - 1] == ' ' || xff[e - 1] == '\t'))
		e--;
	for (b = e; b > 0 && xff[b - 1] != ','; b--)
		continue;
	*end = b > 0 ? b - 1 : 0;
	while (b < e && (xff[b] == ' ' || xff[b] == '\t'))
		b++;
	*len = e - b;
	return xff + b;
}

const char *
netaddr_client(const char *peer, const char *xff, const char *trusted,
    char out[NETADDR_TEXT_MAX])
{
	struct netaddr client, hop;
	const char    *e;
	size_t         end, len, i;

	if (peer == NULL || parse_host(peer, strlen(peer), &client) == -1) {
		snprintf(out, NETADDR_TEXT_MAX, "%s",
		    peer != NULL ? peer : "-");
		return out;
	}
	if (xff == NULL || trusted == NULL || !in_list(trusted, &client))
		return text(&client, out);
	end = strlen(xff);
	for (i = 0; i < XFF_MAX_ENTRIES && end > 0; i++) {
		e = last_entry(xff, &end, &len);
		if (parse_host(e, len, &hop) == -1)
			break;
		client = hop;
		if (!in_list(trusted, &hop))
			break;
	}
	return text(&client, out);
}

const char *
netaddr_rate_key(const char *addr, char out[NETADDR_TEXT_MAX])
{
	struct netaddr n;
	size_t         len;

	if (parse_host(addr, strlen(addr), &n) == -1) {
		snprintf(out, NETADDR_TEXT_MAX, "%s", addr);
		return out;
	}
	if (!n.v6)
		return text(&n, out);
	memset(n.a + 8, 0, 8);
	text(&n, out);
	len = strlen(out);
	snprintf(out + len, NETADDR_TEXT_MAX - len, "/64");
	return out;
}
