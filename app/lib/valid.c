/* valid.c - validators of input text; see valid.h. */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "lib/i18n.h"
#include "lib/valid.h"

/*
 * Length of the UTF-8 sequence starting at s (0 if invalid); its code point
 * in *out.
 */
static size_t
utf8_seq(const unsigned char *s, size_t len, unsigned int *out)
{
	size_t       n, i;
	unsigned int cp;

	if (s[0] < 0x80) {
		*out = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n > len)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and beyond U+10FFFF are not text. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	*out = cp;
	return n;
}

/* C0 and C1 controls and DEL: what PostgreSQL's [[:cntrl:]] refuses. */
static int
is_control(unsigned int cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

/* Unicode white space beyond ASCII (PostgreSQL's \s matches it too). */
static int
is_wide_space(unsigned int cp)
{
	return cp == 0x85 || cp == 0xa0 || cp == 0x1680 ||
	    (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 || cp == 0x2029 ||
	    cp == 0x202f || cp == 0x205f || cp == 0x3000;
}

int
valid_text(const char *v, size_t len)
{
	const unsigned char *s = (const unsigned char *)v;
	unsigned int         cp;
	size_t               i = 0, n;

	while (i < len) {
		if ((n = utf8_seq(s + i, len - i, &cp)) == 0 || is_control(cp))
			return 0;
		i += n;
	}
	return 1;
}

int
valid_utf8(const char *v, size_t len)
{
	const unsigned char *s = (const unsigned char *)v;
	unsigned int         cp;
	size_t               i = 0, n;

	while (i < len) {
		if ((n = utf8_seq(s + i, len - i, &cp)) == 0 || cp == 0)
			return 0;
		i += n;
	}
	return 1;
}

int
valid_bool(const char *v, size_t len)
{
	return len == 1 && (v[0] == '0' || v[0] == '1');
}

int
valid_lang_tag(const char *v, size_t len)
{
	size_t n = 0;

	while (n < len && v[n] >= 'a' && v[n] <= 'z')
		n++;
	if (n < 2 || n > 3)
		return 0;
	return n == len ||
	    (len == n + 3 && v[n] == '-' && v[n + 1] >= 'A' &&
		v[n + 1] <= 'Z' && v[n + 2] >= 'A' && v[n + 2] <= 'Z');
}

int
valid_address(const char *v, size_t len)
{
	const unsigned char *s = (const unsigned char *)v;
	unsigned int         cp;
	size_t               i = 0, n, at = 0, ats = 0;

	if (len == 0 || len > 254)
		return 0;
	while (i < len) {
		if ((n = utf8_seq(s + i, len - i, &cp)) == 0 ||
		    is_control(cp) || is_wide_space(cp) ||
		    (cp < 0x80 && strchr(" <>,;\"()", (int)cp) != NULL))
			return 0;
		if (cp == '@') {
			at = i;
			ats++;
		}
		i += n;
	}
	return ats == 1 && at > 0 && at < len - 1;
}

static int
all_of(const char *v, size_t len, const char *set)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (v[i] == '\0' || strchr(set, v[i]) == NULL)
			return 0;
	return 1;
}

int
valid_slug(const char *v, size_t len)
{
	return len > 0 &&
	    all_of(v, len, "abcdefghijklmnopqrstuvwxyz0123456789-");
}

int
valid_token(const char *v, size_t len)
{
	return len > 0 &&
	    all_of(v, len,
		"abcdefghijklmnopqrstuvwxyz"
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_");
}

int
valid_next_path(const char *v, size_t len)
{
	size_t i;

	if (len == 0 || v[0] != '/' ||
	    (len > 1 && (v[1] == '/' || v[1] == '\\')))
		return 0;
	for (i = 0; i < len; i++)
		if (v[i] <= ' ' || v[i] > '~' || v[i] == '\\')
			return 0;
	return 1;
}

/*
 * What is wrong with one label of a domain name, or NULL; marked for the
 * catalogue, so a page can show it translated (the CLI's stays English).
 */
static const char *
label_problem(const char *l, size_t len)
{
	size_t i;

	if (len == 0)
		return N_("empty label");
	if (len > 63)
		return N_("a label is longer than 63 characters");
	if (l[0] == '-' || l[len - 1] == '-')
		return N_("a label starts or ends with '-'");
	for (i = 0; i < len; i++) {
		if (l[i] >= 'A' && l[i] <= 'Z')
			return N_("upper-case letters");
		if (strchr("abcdefghijklmnopqrstuvwxyz0123456789-", l[i]) ==
		    NULL)
			return N_(
			    "a character other than a-z, 0-9, '-' and '.'");
	}
	return NULL;
}

const char *
domain_problem(const char *d)
{
	const char *l = d, *dot, *why;
	size_t      len = strlen(d), labels = 0;

	if (len > 253)
		return N_("longer than 253 characters");
	if (len > 0 && d[len - 1] == '.')
		return N_("trailing dot");
	do {
		dot = strchr(l, '.');
		if ((why = label_problem(l,
			 dot != NULL ? (size_t)(dot - l) : strlen(l))) != NULL)
			return why;
		labels++;
		if (dot != NULL)
			l = dot + 1;
	} while (dot != NULL);
	if (labels < 2)
		return N_("a single label");
	if (l[0] < 'a' || l[0] > 'z')
		return N_("the last label does not start with a letter");
	return NULL;
}

/* Reads v[0..len) only: a value need not be NUL-terminated. */
int
parse_ipv4_port(const char *s, int defport, struct sockaddr_in *sa)
{
	char        host[INET_ADDRSTRLEN];
	const char *colon = strchr(s, ':');
	size_t      n = colon != NULL ? (size_t)(colon - s) : strlen(s);
	long        port = defport;
	char       *end;

	memset(sa, 0, sizeof(*sa));
	if (n == 0 || n >= sizeof(host))
		return -1;
	memcpy(host, s, n);
	host[n] = '\0';
	if (colon != NULL) {
		port = strtol(colon + 1, &end, 10);
		if (colon[1] < '0' || colon[1] > '9' || *end != '\0' ||
		    port < 1 || port > 65535)
			return -1;
	}
	if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
		return -1;
	sa->sin_family = AF_INET;
	sa->sin_port = htons((unsigned short)port);
	return 0;
}

int
valid_domain(const char *v, size_t len)
{
	char d[254];

	if (len >= sizeof(d) || memchr(v, '\0', len) != NULL)
		return 0;
	memcpy(d, v, len);
	d[len] = '\0';
	return domain_problem(d) == NULL;
}

int
valid_id(const char *v, size_t len)
{
	return len > 0 && len <= 18 && v[0] != '0' &&
	    all_of(v, len, "0123456789");
}

int
valid_local_part(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 64 || strlen(s) != n ||
	    !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')))
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (i + 1 == n || s[i + 1] == '.')
				return 0;
		} else if (!(s[i] >= 'a' && s[i] <= 'z') &&
		    !(s[i] >= '0' && s[i] <= '9') &&
		    strchr("_+-", s[i]) == NULL)
			return 0;
	}
	return 1;
}
