/*
 * openid.h - the pure parts of a hardened OpenID 2.0 relying party: no
 * network, no database.  A positive assertion is trusted only when every
 * check below passes: the right protocol and mode, every required field,
 * the one endpoint we pin, a return_to that is ours and matches the
 * request, a claimed id under our prefix, a signature over every field
 * that matters, a fresh nonce, and extensions signed as a whole.  Section
 * numbers are OpenID Authentication 2.0's.
 *
 * Every check returns an enum openid_err; openid_strerror() gives a short
 * reason for the log (never for the page: the user sees one generic
 * "sign-in failed").  Checks that concern one field leave its name in
 * msg->errkey; that name may come from the client, so escape it when
 * logging.  Strings handed out come from the caller's arena and stay valid
 * until the request ends; nothing here keeps state between calls.
 */
#ifndef MM_OPENID_H
#define MM_OPENID_H

#include <stddef.h>
#include <time.h>

#include "lib/arena.h"
#include "lib/err.h"
#include "lib/form.h"

#define OPENID_NS       "http://specs.openid.net/auth/2.0"
#define OPENID_NS_SREG  "http://openid.net/extensions/sreg/1.1"
#define OPENID_NS_AX    "http://openid.net/srv/ax/1.0"
#define OPENID_NS_TEAMS "http://ns.launchpad.net/2007/openid-teams"

#define OPENID_STATE_PARAM   "state" /* our parameter inside return_to */
#define OPENID_MAC_KEY_LEN   32      /* HMAC-SHA256 association secret */
#define OPENID_NONCE_MAX     255     /* OpenID 2.0 §10.1 */
#define OPENID_CLAIMED_MAX   255     /* users.claimed_id bound */
#define OPENID_LP_NAME_MAX   255     /* mm_valid_lp_name() bound */
#define OPENID_RT_MAX_PARAMS 16      /* parameters in return_to's query */

enum openid_err {
	OPENID_OK = 0,
	OPENID_ENOMEM,            /* arena exhausted */
	OPENID_EINTERNAL,         /* misuse or a library failure: a bug */
	OPENID_EKV_LINES,         /* key-value form: too many lines */
	OPENID_EKV_LONG,          /* key-value form: a line too long */
	OPENID_EKV_COLON,         /* key-value form: a line without ':' */
	OPENID_EKV_KEY,           /* key-value form: empty or invalid key */
	OPENID_EKV_VALUE,         /* key-value form: control byte in a value */
	OPENID_EKEY,              /* a parameter named "openid." alone */
	OPENID_EDUPKEY,           /* an openid.* parameter given twice */
	OPENID_ENS,               /* openid.ns missing or not OpenID 2.0 */
	OPENID_EMODE,             /* openid.mode missing or unknown */
	OPENID_EMISSING,          /* a required field is missing */
	OPENID_EENDPOINT,         /* op_endpoint is not the pinned one */
	OPENID_ESIGNED,           /* openid.signed missing or malformed */
	OPENID_ESIGNED_DUP,       /* a name listed twice in openid.signed */
	OPENID_ESIGNED_ABSENT,    /* a signed name has no field */
	OPENID_ESIGNED_VALUE,     /* a signed value contains a line feed */
	OPENID_EUNSIGNED,         /* a required field is not signed */
	OPENID_ESIG_FORMAT,       /* openid.sig is not base64 of 32 bytes */
	OPENID_ESIG,              /* signature mismatch */
	OPENID_ENONCE_FORMAT,     /* response_nonce malformed */
	OPENID_ENONCE_OLD,        /* response_nonce older than the window */
	OPENID_ENONCE_FUTURE,     /* response_nonce too far in the future */
	OPENID_ECALLBACK,         /* our configured callback URL is unusable */
	OPENID_ERT_URL,           /* return_to not an http(s) URL */
	OPENID_ERT_SCHEME,        /* return_to scheme differs */
	OPENID_ERT_HOST,          /* return_to host differs */
	OPENID_ERT_PORT,          /* return_to port differs */
	OPENID_ERT_PATH,          /* return_to path differs */
	OPENID_ERT_QUERY,         /* return_to query malformed */
	OPENID_ERT_PARAM_MISSING, /* return_to parameter not in the request */
	OPENID_ERT_PARAM_VALUE,   /* return_to parameter differs in request */
	OPENID_ERT_PARAM_DUP,     /* request parameter given twice */
	OPENID_ERT_PARAM_EXTRA,   /* request parameter not in return_to */
	OPENID_ERT_STATE,         /* no state parameter in return_to */
	OPENID_ECLAIMED,          /* claimed_id not under our prefix */
	OPENID_EIDENTITY,         /* identity differs from claimed_id */
	OPENID_EEXT_ABSENT,       /* extension not in the message */
	OPENID_EEXT_ALIAS,        /* extension alias invalid or not unique */
	OPENID_EEXT_UNSIGNED,     /* extension not entirely signed */
	OPENID_ENAME,             /* not a valid Launchpad name */
	OPENID_EASSOC,            /* associate answer malformed */
	OPENID_EASSOC_SESSION,    /* ... of another session type than asked */
	OPENID_EMAC_KEY,          /* mac_key not base64 of 32 bytes */
	OPENID_ERR__MAX
};

enum openid_msg_mode {
	OPENID_MODE_ID_RES,       /* positive assertion */
	OPENID_MODE_CANCEL,       /* the user declined */
	OPENID_MODE_SETUP_NEEDED, /* answer to checkid_immediate */
	OPENID_MODE_ERROR         /* the OP reports an error */
};

/*
 * An indirect message: the openid.* fields of one request.  All members
 * point into the caller's arena or into the kvlist the message came from.
 */
struct openid_msg {
	struct kvlist f;      /* fields without "openid.", keys unique */
	const char  **sgn;    /* openid.signed names, in order */
	size_t        nsgn;   /* 0 until openid_msg_parse_signed() */
	const char   *errkey; /* field of the last failed check, or NULL */
};

/* A short static reason for the log; "unknown" for an invalid value. */
const char *openid_strerror(enum openid_err);
/* APP_ENOMEM, APP_EINTERNAL (misuse, bad config) or APP_EINPUT. */
enum app_err openid_app_err(enum openid_err);

/*
 * Key-value form (OpenID 2.0 §4.1.1), for direct responses.  Lines end at
 * LF; the last LF may be missing.  Each line splits at its first ':'; spaces, tabs and
 * CRs around keys and values are dropped and blank lines are skipped, as
 * python-openid does.  Stricter than python-openid: a line without ':' is
 * OPENID_EKV_COLON; a key must be 1..FORM_KEY_MAX bytes of printable ASCII
 * (OPENID_EKV_KEY); a value must not hold a NUL or another control byte
 * but tab (OPENID_EKV_VALUE).  max_lines counts every line, blank ones
 * too (OPENID_EKV_LINES); max_line bounds each line's bytes without its
 * LF (OPENID_EKV_LONG); both are checked before anything is allocated.
 * Duplicate keys are kept in order (see openid_kv_dupkey).  On error *out
 * is empty; s may be NULL when len is 0.
 */
enum openid_err openid_kv_parse(struct arena *, const char *s, size_t len,
    size_t max_lines, size_t max_line, struct kvlist *out);
/* The first key that occurs twice, or NULL. */
const char *openid_kv_dupkey(const struct kvlist *);

/*
 * Builds the message from the request's parameters (the query for GET,
 * the body for POST; already percent-decoded by form.c): every openid.*
 * field, prefix removed, in order.  Other parameters are ignored here (see
 * openid_check_return_to).  OPENID_EDUPKEY for an openid.* key given twice,
 * OPENID_EKEY for "openid." alone; errkey names the key.  The message
 * borrows keys and values from params.
 */
enum openid_err openid_msg_from_params(struct arena *,
    const struct kvlist *params, struct openid_msg *out);
/* The value of field key (without "openid."), or NULL. */
const char *openid_get(const struct openid_msg *, const char *key);
/* Whether key is in openid.signed (after openid_msg_parse_signed). */
int openid_is_signed(const struct openid_msg *, const char *key);

/*
 * openid.ns must be OpenID 2.0 (OPENID_ENS): an OpenID 1 message has
 * other rules; openid.mode must be one of enum openid_msg_mode
 * (OPENID_EMODE), stored in *mode.
 */
enum openid_err openid_check_mode(struct openid_msg *,
    enum openid_msg_mode *mode);
/* The eight fields an id_res needs are present (OPENID_EMISSING). */
enum openid_err openid_check_required(struct openid_msg *);
/*
 * op_endpoint equals the pinned endpoint, byte for byte: with static
 * discovery, an assertion from any other OP is a forgery.
 */
enum openid_err openid_check_op_endpoint(struct openid_msg *,
    const char *endpoint);

/*
 * The return URL (OpenID 2.0 §11.1): the assertion must have been made for
 * this request to us.  callback is our configured return URL without query
 * or fragment (else OPENID_ECALLBACK).  openid.return_to must be an
 * absolute http(s) URL with the same scheme and host (both compared
 * without regard to case), the same port (an absent port being the
 * scheme's default) and a byte-identical path; no userinfo, no fragment,
 * no byte outside printable ASCII.  Its query (percent-decoded as form.c
 * does, at most OPENID_RT_MAX_PARAMS parameters) must have unique keys,
 * none of them openid.*, and each must occur exactly once in query with
 * the same decoded value; every non-openid parameter of query must be one
 * of them, and body must have no non-openid parameter at all.  query is
 * the request URL's query (NULL: empty); body is the POST body (NULL for
 * GET).  On success *state is the value of OPENID_STATE_PARAM, never
 * empty, an arena string; the caller still checks that the state is ours.
 */
enum openid_err openid_check_return_to(struct arena *, struct openid_msg *,
    const char *callback, const struct kvlist *query, const struct kvlist *body,
    const char **state);

/*
 * The claimed id, with static discovery (we never fetch what it names, so
 * the prefix decides whom the OP may vouch for): claimed_id without its
 * fragment must
 * be prefix followed by 1..64 of [A-Za-z0-9] (OPENID_ECLAIMED), at most
 * OPENID_CLAIMED_MAX bytes, and identity must equal it (OPENID_EIDENTITY).
 * *claimed is that fragment-less claimed id, an arena string: the key to
 * store.  prefix is configuration, e.g. "https://login.ubuntu.com/+id/".
 */
enum openid_err openid_check_claimed_id(struct arena *, struct openid_msg *,
    const char *prefix, const char **claimed);

/*
 * Parses openid.signed (OpenID 2.0 §6.1) into msg->sgn/nsgn.
 * OPENID_ESIGNED when it is missing or has an empty name ("a,,b", a
 * leading or trailing ','),
 * OPENID_ESIGNED_DUP for a name given twice, OPENID_ESIGNED_ABSENT for a
 * name with no field (python-openid would sign "" instead), and
 * OPENID_ESIGNED_VALUE for a signed value that contains LF (it cannot be
 * written in key-value form).  errkey names the culprit.
 */
enum openid_err openid_msg_parse_signed(struct arena *, struct openid_msg *);
/*
 * op_endpoint, return_to, response_nonce, assoc_handle, claimed_id and
 * identity are all signed (OpenID 2.0 §10.1): an unsigned one could be
 * swapped; OPENID_EUNSIGNED otherwise, also when the signed list has not
 * been parsed.
 */
enum openid_err openid_check_signed_required(struct openid_msg *);

/*
 * The signature base string (OpenID 2.0 §6.1): "k:v\n" for each signed
 * name k, in the order of openid.signed.  *m is an arena buffer of *mlen bytes, also
 * NUL-terminated.  Needs openid_msg_parse_signed() (else OPENID_ESIGNED).
 */
enum openid_err openid_sig_base(struct arena *, const struct openid_msg *,
    char **m, size_t *mlen);
/* HMAC-SHA256 of the base string under key (any length). */
enum openid_err openid_sig_hmac256(const struct openid_msg *,
    const unsigned char *key, size_t keylen, unsigned char mac[32]);
/* The same, as base64 with padding: what openid.sig would hold. */
enum openid_err openid_sig_sign256(struct arena *, const struct openid_msg *,
    const unsigned char *key, size_t keylen, const char **sig);
/*
 * The signature under an association's secret (OpenID 2.0 §11.4.1):
 * openid.sig must be canonical padded base64 of
 * 32 bytes (OPENID_ESIG_FORMAT) equal, compared in constant time, to the
 * HMAC-SHA256 of the base string (OPENID_ESIG).
 */
enum openid_err openid_sig_verify256(struct openid_msg *,
    const unsigned char *key, size_t keylen);

/*
 * The response nonce, so that an assertion is used once: nonce must be
 * "YYYY-MM-DDTHH:MM:SSZ", a real UTC date and time (no Feb 30, no leap
 * second), then 0..235 bytes of '!'..'~' (OpenID 2.0 §10.1; SSO sends 6),
 * OPENID_NONCE_MAX bytes in all; else OPENID_ENONCE_FORMAT.
 * OPENID_ENONCE_OLD when its time is before now - window,
 * OPENID_ENONCE_FUTURE when after now + window (window >= 0, seconds).
 * *stamp (may be NULL) receives its time, also on OLD and FUTURE.
 * Uniqueness is the caller's: store (endpoint, nonce) past stamp + window.
 */
enum openid_err openid_nonce_check(const char *nonce, time_t now, long window,
    time_t *stamp);

/*
 * The extension with namespace URI ns (OpenID 2.0 §12), trusted only when
 * all of it is signed.  Its alias is the <a> of the
 * one field "ns.<a>" whose value is ns; *alias (may be NULL) points to it.
 * OPENID_EEXT_ABSENT when no field declares ns; OPENID_EEXT_ALIAS when two
 * do, or the alias is empty, has a '.', or is a core field name;
 * OPENID_EEXT_UNSIGNED unless "ns.<a>" and every "<a>.*" field is in
 * openid.signed (errkey names an unsigned one).
 */
enum openid_err openid_ext_check(struct openid_msg *, const char *ns,
    const char **alias);
/*
 * The value of "<a>.<field>" for the extension ns, only when
 * openid_ext_check() passes; NULL otherwise or when there is no such
 * field.  Example: openid_ext_get(msg, OPENID_NS_SREG, "nickname").
 */
const char *openid_ext_get(struct openid_msg *, const char *ns,
    const char *field);

/*
 * A Launchpad name (lp/app/validators/name.py):
 * ^[a-z0-9][a-z0-9+.-]+$, 2..OPENID_LP_NAME_MAX bytes.  1 when valid.
 * Same shape as validator_fn (lib/valid.h).
 */
int openid_valid_lp_name(const char *, size_t);

/*
 * The answer kv to our associate request (OpenID 2.0 §8.2): session type
 * no-encryption, association HMAC-SHA256.  The association secret then
 * crosses the wire as mac_key, which is why we ask for it only over https
 * (the config admits a plain-http endpoint only on loopback); without
 * Diffie-Hellman we need no big-number code of our own.  The answer must
 * name the OpenID 2.0 ns, no-encryption and HMAC-SHA256 as asked, carry an
 * assoc_handle of 1..255 printable ASCII and mac_key as padded base64 of
 * 32 bytes, which goes to key; *handle points into kv.  A Diffie-Hellman
 * answer (another session_type, dh_server_public or enc_mac_key) is
 * OPENID_EASSOC_SESSION, anything else wrong OPENID_EASSOC or
 * OPENID_EMAC_KEY; key is zero on every error.
 */
enum openid_err openid_assoc_answer(const struct kvlist *kv,
    const char **handle, unsigned char key[OPENID_MAC_KEY_LEN]);

#endif
