/*
 * rp.h - the OpenID 2.0 relying party for Ubuntu One.
 *
 * rp_verify performs every check a hardened relying party must, in this
 * order, before trusting anything: mode, required fields, duplicate keys,
 * the pinned op_endpoint (no network call otherwise), return_to and our
 * state, the claimed id against sso_identity_prefix (static discovery:
 * no URL from the message is ever fetched), the signed list, the nonce
 * window, the signature (a stored association's HMAC-SHA256, or
 * check_authentication to the pinned endpoint, never retried once it may
 * have been sent), the nonce's first use (shared by all workers), and the
 * signedness of every extension field used.
 */
#ifndef MM_RP_H
#define MM_RP_H

#include "lib/err.h"

struct arena;
struct config;
struct db;
struct kvlist;

/*
 * What the relying party works with: a database connection (the nonces,
 * login states and associations all workers share), the arena its strings
 * come from, the config, and the request id for the log.  reason is set
 * when a database call fails, for the caller's log line.
 */
struct rp_ctx {
	struct db           *db;
	struct arena        *arena;
	const struct config *cfg;
	const char          *request_id;
	const char          *reason;
};

enum rp_result {
	RP_OK,         /* a verified identity */
	RP_CANCELLED,  /* the user declined at Ubuntu One */
	RP_FAILED,     /* anything wrong: the reason is in the log */
	RP_UNAVAILABLE /* Ubuntu One or the database could not be reached */
};

struct rp_identity { /* all arena strings */
	const char *claimed_id;
	const char *nickname; /* signed SREG; a valid Launchpad name */
	const char *email;    /* signed SREG, or NULL if not shared */
	const char *fullname; /* signed SREG, or NULL */
	const char *state;    /* our state from return_to */
};

/*
 * The checkid_setup URL for a new sign-in carrying `state`: SREG, the
 * teams extension when configured, and in association mode a current
 * association's handle (negotiated now if there is none).  NULL with *err.
 */
const char *rp_request_url(struct rp_ctx *, const char *state,
    enum app_err *err);

/*
 * Verifies the assertion a request carries: its query string, and for a
 * POST its urlencoded body (NULL for a GET).
 */
enum rp_result rp_verify(struct rp_ctx *, const struct kvlist *query,
    const struct kvlist *body, struct rp_identity *);

#endif
