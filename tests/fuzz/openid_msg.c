/*
 * openid_msg.c - fuzzes an OpenID return as the relying party checks it,
 * without the database: the request's query (and POST body) parsed, the
 * openid.* message built from them, then every check of proto/openid.h
 * in the relying party's order, run even after one fails so that each
 * sees every message: mode, required fields, the pinned endpoint,
 * return_to against the request, the claimed id, the signed list, the
 * signature under a known key, the nonce and the extensions.
 *
 * Input: the query, then optionally a NUL and the POST body.
 */
#include "config.h"

#include <time.h>

#include "fuzz.h"
#include "lib/arena.h"
#include "lib/form.h"
#include "proto/openid.h"

#define CALLBACK  "https://members.example.org/auth/ubuntu/return"
#define ENDPOINT  "https://login.ubuntu.com/+openid"
#define PREFIX    "https://login.ubuntu.com/+id/"
#define NOW       ((time_t)1721815200) /* 2024-07-24T10:00:00Z */
#define WINDOW    300
#define MAX_PAIRS 100 /* the request's bound on query or form pairs */

static struct arena *arena;
static unsigned char key[OPENID_MAC_KEY_LEN];

/* Every error a check returns has a reason for the log. */
static enum openid_err
reason(enum openid_err e)
{
	FUZZ_CHECK(e >= OPENID_OK && e < OPENID_ERR__MAX);
	FUZZ_CHECK(strcmp(openid_strerror(e), "unknown") != 0);
	return e;
}

static void
check_return_to(struct openid_msg *m, const struct kvlist *q,
    const struct kvlist *b)
{
	const char *state;

	if (reason(openid_check_return_to(arena, m, CALLBACK, q, b, &state)) ==
	    OPENID_OK) {
		FUZZ_CHECK(state != NULL && state[0] != '\0');
		FUZZ_CHECK(kv_count(q, "state") == 1 &&
		    strcmp(kv_find(q, "state")->val, state) == 0);
	} else
		FUZZ_CHECK(state == NULL);
}

static void
check_claimed_id(struct openid_msg *m)
{
	const char *claimed = NULL;

	if (reason(openid_check_claimed_id(arena, m, PREFIX, &claimed)) !=
	    OPENID_OK)
		return;
	FUZZ_CHECK(claimed != NULL && strlen(claimed) <= OPENID_CLAIMED_MAX);
	FUZZ_CHECK(strncmp(claimed, PREFIX, strlen(PREFIX)) == 0);
	FUZZ_CHECK(strchr(claimed, '#') == NULL);
}

/* The base string holds one "k:v\n" line per signed name. */
static void
check_signature(struct openid_msg *m)
{
	const char *sig, *mine;
	char       *base;
	size_t      len, i, lines = 0;

	if (reason(openid_sig_base(arena, m, &base, &len)) != OPENID_OK)
		return;
	FUZZ_CHECK(strlen(base) == len && len > 0 && base[len - 1] == '\n');
	for (i = 0; i < len; i++)
		lines += base[i] == '\n';
	FUZZ_CHECK(lines == m->nsgn);
	if (reason(openid_sig_verify256(m, key, sizeof(key))) != OPENID_OK)
		return;
	/* Only the canonical encoding of the right MAC verifies. */
	sig = openid_get(m, "sig");
	FUZZ_CHECK(openid_sig_sign256(arena, m, key, sizeof(key), &mine) ==
		OPENID_OK &&
	    strcmp(sig, mine) == 0);
}

static void
check_signed(struct openid_msg *m)
{
	size_t i;

	if (reason(openid_msg_parse_signed(arena, m)) != OPENID_OK)
		return;
	FUZZ_CHECK(m->nsgn > 0);
	for (i = 0; i < m->nsgn; i++)
		FUZZ_CHECK(openid_get(m, m->sgn[i]) != NULL &&
		    openid_is_signed(m, m->sgn[i]));
	(void)reason(openid_check_signed_required(m));
	check_signature(m);
}

static void
check_nonce(struct openid_msg *m)
{
	const char     *nonce = openid_get(m, "response_nonce");
	time_t          stamp = 0;
	enum openid_err e;

	if (nonce == NULL)
		return;
	e = reason(openid_nonce_check(nonce, NOW, WINDOW, &stamp));
	if (e == OPENID_OK)
		FUZZ_CHECK(stamp >= NOW - WINDOW && stamp <= NOW + WINDOW);
	else if (e == OPENID_ENONCE_OLD)
		FUZZ_CHECK(stamp < NOW - WINDOW);
	else if (e == OPENID_ENONCE_FUTURE)
		FUZZ_CHECK(stamp > NOW + WINDOW);
}

/* An extension's field is handed out only when the whole of it is signed. */
static void
check_extension(struct openid_msg *m, const char *ns, const char *field)
{
	const char *alias = NULL, *v;

	v = openid_ext_get(m, ns, field);
	if (reason(openid_ext_check(m, ns, &alias)) != OPENID_OK) {
		FUZZ_CHECK(v == NULL);
		return;
	}
	FUZZ_CHECK(
	    alias != NULL && alias[0] != '\0' && strchr(alias, '.') == NULL);
	if (v != NULL && strcmp(field, "nickname") == 0)
		(void)openid_valid_lp_name(v, strlen(v));
}

static void
check_message(const struct kvlist *q, const struct kvlist *b)
{
	struct openid_msg    m;
	enum openid_msg_mode mode;
	enum openid_err      e;

	memset(&m, 0, sizeof(m));
	e = reason(openid_msg_from_params(arena, b != NULL ? b : q, &m));
	if (e != OPENID_OK) {
		FUZZ_CHECK(m.errkey != NULL || e == OPENID_ENOMEM);
		return;
	}
	FUZZ_CHECK(openid_kv_dupkey(&m.f) == NULL);
	(void)reason(openid_check_mode(&m, &mode));
	(void)reason(openid_check_required(&m));
	(void)reason(openid_check_op_endpoint(&m, ENDPOINT));
	check_return_to(&m, q, b);
	check_claimed_id(&m);
	check_signed(&m);
	check_nonce(&m);
	check_extension(&m, OPENID_NS_SREG, "nickname");
	check_extension(&m, OPENID_NS_SREG, "email");
	check_extension(&m, OPENID_NS_TEAMS, "is_member");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_fields ff;
	struct kvlist      q, b;
	const char        *query, *body;
	size_t             i;

	if (arena == NULL) {
		if ((arena = arena_new(4u << 20)) == NULL)
			abort();
		for (i = 0; i < sizeof(key); i++)
			key[i] = (unsigned char)i;
	}
	arena_reset(arena);
	fuzz_split(data, size, 2, &ff);
	query = fuzz_field(&ff, 0, "");
	body = fuzz_field(&ff, 1, NULL);
	if (form_parse_urlencoded(arena, query, strlen(query), MAX_PAIRS, &q) ==
		APP_OK &&
	    (body == NULL ||
		form_parse_urlencoded(arena, body, strlen(body), MAX_PAIRS,
		    &b) == APP_OK))
		check_message(&q, body != NULL ? &b : NULL);
	fuzz_fields_free(&ff);
	return 0;
}
