/* auth.c - signing in with Ubuntu One. */
#include "config.h"

#include "handlers.h"

/* POST /auth/ubuntu: the OpenID relying party is not in this release. */
enum app_err
h_auth_start(struct req *r)
{
	r->reason = "signing in with Ubuntu One is not available yet";
	return APP_ENOTIMPL;
}
