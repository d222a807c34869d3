/* lang.c - the language of a request; see lang.h. */
#include "config.h"

#include <string.h>

#include <fcgiapp.h>

#include "http/bearer.h"
#include "http/lang.h"
#include "http/route.h"
#include "http/session.h"
#include "lib/form.h"
#include "lib/i18n.h"

#define LANG_MAX_AGE (365L * 24 * 3600)

/* The API is answered by Accept-Language only. */
static int
is_api(const struct req *r)
{
	if (r->route != NULL)
		return r->route->auth == AUTH_BEARER;
	return r->path != NULL && api_path(r->path);
}

void
lang_choose(struct req *r)
{
	const struct lang *l = NULL;
	const struct kv   *kv;

	if (!is_api(r)) {
		if (r->user != NULL && r->user->lang != NULL)
			l = i18n_find(r->user->lang, strlen(r->user->lang));
		if (l == NULL &&
		    (kv = kv_find(&r->cookies, LANG_COOKIE)) != NULL)
			l = i18n_find(kv->val, kv->vlen);
	}
	if (l == NULL && r->fcgi != NULL)
		l = i18n_accept(
		    FCGX_GetParam("HTTP_ACCEPT_LANGUAGE", r->fcgi->envp));
	r->lang = l != NULL ? l : i18n_english();
}

enum app_err
lang_remember(struct req *r, const struct lang *l)
{
	int flags = COOKIE_HTTPONLY;

	if (strncmp(r->cfg->public_url, "https:", 6) == 0)
		flags |= COOKIE_SECURE;
	return resp_cookie(r, LANG_COOKIE, l->code, LANG_MAX_AGE, flags);
}
