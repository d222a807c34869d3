/* siteadmin.c - the rules of running the service; see siteadmin.h. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "siteadmin.h"
#include "validate.h"

static int
lp_char(char ch, int fold)
{
	if (fold && ch >= 'A' && ch <= 'Z')
		return 1;
	return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
}

int
sa_lp_name_ok(const char *s, int fold)
{
	size_t	 i, len = strlen(s);

	if (len < 2 || len > 255 || !lp_char(s[0], fold))
		return 0;
	for (i = 1; i < len; i++)
		if (!lp_char(s[i], fold) && strchr("+.-", s[i]) == NULL)
			return 0;
	return 1;
}

/* What is wrong with one label of a domain name, or NULL. */
static const char *
label_problem(const char *l, size_t len)
{
	size_t	 i;

	if (len == 0)
		return "empty label";
	if (len > 63)
		return "a label is longer than 63 characters";
	if (l[0] == '-' || l[len - 1] == '-')
		return "a label starts or ends with '-'";
	for (i = 0; i < len; i++) {
		if (l[i] >= 'A' && l[i] <= 'Z')
			return "upper-case letters";
		if (!lp_char(l[i], 0) && l[i] != '-')
			return "a character other than a-z, 0-9, '-' and '.'";
	}
	return NULL;
}

const char *
sa_domain_problem(const char *d)
{
	const char	*l = d, *dot, *why;
	size_t		 len = strlen(d), labels = 0;

	if (len > 253)
		return "longer than 253 characters";
	if (len > 0 && d[len - 1] == '.')
		return "trailing dot";
	do {
		dot = strchr(l, '.');
		if ((why = label_problem(l, dot != NULL ? (size_t)(dot - l) :
		    strlen(l))) != NULL)
			return why;
		labels++;
		if (dot != NULL)
			l = dot + 1;
	} while (dot != NULL);
	if (labels < 2)
		return "a single label";
	if (l[0] < 'a' || l[0] > 'z')
		return "the last label does not start with a letter";
	return NULL;
}

enum sa_team
sa_team_check(const char *team)
{
	if (team[0] == '~' && sa_lp_name_ok(team + 1, 0))
		return SA_TEAM_OK;
	if (team[0] == '/')
		return SA_TEAM_HOME;
	if (team[0] != '~' && sa_lp_name_ok(team, 0))
		return SA_TEAM_NO_TILDE;
	return SA_TEAM_BAD;
}

int
sa_slug_ok(const char *s)
{
	size_t	 len = strlen(s);

	return len >= 1 && len <= 32 && s[0] != '-' && valid_slug(s, len);
}

int
sa_line_ok(const char *s, size_t max)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i, len = strlen(s), chars = 0;

	if (len == 0 || !valid_text(s, len))
		return 0;
	for (i = 0; i < len; i++) {
		if (u[i] == 0xc2 && u[i + 1] >= 0x80 && u[i + 1] <= 0x9f)
			return 0;
		chars += (u[i] & 0xc0) != 0x80;
	}
	return chars <= max;
}

int
sa_alias_limit(const char *arg)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (arg[0] < '0' || arg[0] > '9' || errno != 0 || *end != '\0' ||
	    v > SA_ALIAS_LIMIT_MAX)
		return -1;
	return (int)v;
}

/* randombytes_uniform, not % 62: every character equally likely. */
void
sa_make_token(char tok[SA_TOKEN_LEN + 1])
{
	static const char	 alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789";
	size_t			 i;

	for (i = 0; i < SA_TOKEN_LEN; i++)
		tok[i] = alnum[randombytes_uniform(sizeof(alnum) - 1)];
	tok[SA_TOKEN_LEN] = '\0';
}
