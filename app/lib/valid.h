/*
 * valid.h - validators of input text: pure functions over value[0..len),
 * used by the declared fields of the routes (http/fields.h), the config
 * loader and the rules alike.
 */
#ifndef MM_VALID_H
#define MM_VALID_H

#include <netinet/in.h>
#include <stddef.h>

/* A validator says whether value[0..len) is acceptable. */
typedef int validator_fn(const char *value, size_t len);

/* UTF-8 text without control characters, C1 included (names, search). */
int valid_text(const char *, size_t);
/*
 * A plausible mail address, as the schema's mm_plausible_address wants it:
 * at most 254 bytes of UTF-8, one '@' with something on both sides, no
 * white space, controls or <>,;"().
 */
int valid_address(const char *, size_t);
/* Lower-case letters, digits and '-' (a domain's page name). */
int valid_slug(const char *, size_t);
/* URL-safe token characters [A-Za-z0-9_-] (CSRF tokens, states). */
int valid_token(const char *, size_t);
/*
 * Any UTF-8 text but NUL, control characters included: for fields whose
 * rules live in a module that explains a refusal next to the field
 * (alias.c), rather than here as a bare 400.
 */
int valid_utf8(const char *, size_t);
/*
 * A language tag as the schema's checks want one (users.lang,
 * domains.default_lang): two or three lower-case letters, optionally '-'
 * and a region of two upper-case letters ("fi", "pt-BR").
 */
int valid_lang_tag(const char *, size_t);
/* "0" or "1" (a form's yes/no choice). */
int valid_bool(const char *, size_t);
/*
 * A same-origin path to return to after signing in: '/' then printable
 * ASCII without white space or '\\', never "//" at its start (no scheme,
 * no host, nothing a browser reads as another origin).
 */
int valid_next_path(const char *, size_t);
/* A positive row id: 1..18 digits, no leading 0 (fits a bigint). */
int valid_id(const char *, size_t);
/*
 * A local part as the schema's mm_valid_local_part wants it: 1..64 bytes,
 * a dot-atom of [a-z0-9_+-] (lower case) starting with a letter or digit.
 */
int valid_local_part(const char *, size_t);
/*
 * Why d is not what the schema's mm_valid_domain accepts (English, a
 * msgid of the catalogue: tr() it for a page), or NULL.
 */
const char *domain_problem(const char *d);
/*
 * "a.b.c.d" or "a.b.c.d:port" (port 1..65535, else defport) into sa: 0,
 * or -1 for anything else (a name, IPv6, a stray character).
 */
int parse_ipv4_port(const char *s, int defport, struct sockaddr_in *sa);
/* A value (no NUL inside) that domain_problem accepts. */
int valid_domain(const char *, size_t);

#endif
