/*
 * apitoken.h - personal API tokens: what a signed-in user
 * creates at /my/tokens to call the JSON API as themselves.
 *
 * A token is API_TOKEN_PREFIX ("mm_") and 256 random bits in base64url.
 * It is shown once, at creation; the database keeps only its SHA-256, so
 * a leaked table is no credential.  Each has a name (unique among the
 * user's active tokens), an expiry (1..365 days) and may be revoked; a
 * user has at most APITOKEN_LIVE_MAX live ones (neither revoked nor
 * expired), so that tokens cannot be multiplied to hide among; a
 * revoked or expired one is refused by api_auth (http/bearer.h).  Creating
 * and revoking are one transaction each with their audit row (target
 * api_token).  Strings returned live in the caller's arena.
 */
#ifndef MM_APITOKEN_H
#define MM_APITOKEN_H

#include "lib/err.h"

struct actor;
struct arena;
struct db;

#define API_TOKEN_PREFIX      "mm_"
#define APITOKEN_NAME_MAX     64 /* characters */
#define APITOKEN_DAYS_DEFAULT 90
#define APITOKEN_DAYS_MAX     365
#define APITOKEN_LIVE_MAX     20

/*
 * Creates a token called name, valid for days, for the actor's user and
 * sets *token to the secret (to show once).  APP_EINVALID when an active
 * token already has that name, APP_ECONFLICT when the user already has
 * APITOKEN_LIVE_MAX live tokens (the user's row is locked while counting,
 * so two at once cannot pass together); APP_EDB and the like.
 */
enum app_err apitoken_create(struct db *, struct arena *, const struct actor *,
    const char *name, int days, const char **token);

/*
 * Revokes the actor's token id.  APP_ENOTFOUND when it is not theirs or
 * already revoked.
 */
enum app_err apitoken_revoke(struct db *, struct arena *, const struct actor *,
    long long id);

#endif
