/*
 * netaddr.c - fuzzes lib/netaddr.c: who the client is behind proxies we
 * trust (X-Forwarded-For comes from anyone), the address lists of the
 * config (status_allow, trusted_proxies) and the rate limits' keys.
 *
 * Input, NUL-separated: the peer (REMOTE_ADDR), X-Forwarded-For, the list
 * of trusted proxies, and an address or block to parse.
 */
#include "config.h"

#include "fuzz.h"
#include "lib/netaddr.h"

/* Whether the text is an address as netaddr_client writes one. */
static int
parses(const char *s)
{
	struct netaddr n;

	return netaddr_parse(s, strlen(s), &n) == 0 && strchr(s, '/') == NULL;
}

static void
check_client(const char *peer, const char *xff, const char *trusted)
{
	char out[NETADDR_TEXT_MAX], alone[NETADDR_TEXT_MAX];

	memset(out, 0x5a, sizeof(out));
	netaddr_client(peer, xff, trusted, out);
	FUZZ_CHECK(memchr(out, '\0', sizeof(out)) != NULL);
	netaddr_client(peer, NULL, trusted, alone);
	if (!parses(peer))
		/* nginx's REMOTE_ADDR, whatever it is, cut to fit */
		FUZZ_CHECK(strncmp(out, peer, strlen(out)) == 0);
	else if (!netaddr_in_list(trusted, peer))
		/* An untrusted peer is the client, whatever it sent. */
		FUZZ_CHECK(strcmp(out, alone) == 0);
	else
		FUZZ_CHECK(parses(out));
	/* Any address is in the list of everything, and in a list of itself. */
	if (parses(out)) {
		FUZZ_CHECK(netaddr_in_list("0.0.0.0/0 ::/0", out));
		FUZZ_CHECK(netaddr_in_list(out, out));
	}
}

static void
check_parse(const char *s)
{
	struct netaddr n;
	char           key[NETADDR_TEXT_MAX];

	if (netaddr_parse(s, strlen(s), &n) == 0)
		FUZZ_CHECK(n.v6 ? n.bits <= 128 : n.bits <= 32);
	memset(key, 0x5a, sizeof(key));
	netaddr_rate_key(s, key);
	FUZZ_CHECK(memchr(key, '\0', sizeof(key)) != NULL);
	if (parses(s) && strchr(s, ':') != NULL &&
	    !netaddr_in_list("0.0.0.0/0", s))
		FUZZ_CHECK(strlen(key) > 3 &&
		    strcmp(key + strlen(key) - 3, "/64") == 0);
	(void)netaddr_in_list(s, "127.0.0.1");
	(void)netaddr_in_list(s, "2001:db8::1");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_fields ff;

	fuzz_split(data, size, 4, &ff);
	check_client(fuzz_field(&ff, 0, ""), fuzz_field(&ff, 1, NULL),
	    fuzz_field(&ff, 2, NULL));
	check_parse(fuzz_field(&ff, 3, fuzz_field(&ff, 0, "")));
	fuzz_fields_free(&ff);
	return 0;
}
