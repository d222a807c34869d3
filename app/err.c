/* err.c - names and HTTP statuses of enum app_err. */
#include "config.h"

#include "err.h"

static const struct {
	const char	*name;
	int		 status;
} errs[APP_ERR__MAX] = {
	[APP_OK] =		{ "ok", 200 },
	[APP_EINPUT] =		{ "bad input", 400 },
	[APP_EAUTH] =		{ "not signed in", 401 },
	[APP_EFORBIDDEN] =	{ "forbidden", 403 },
	[APP_ENOTFOUND] =	{ "not found", 404 },
	[APP_EMETHOD] =		{ "method not allowed", 405 },
	[APP_ETOOBIG] =		{ "input too large", 413 },
	[APP_EURITOOLONG] =	{ "request URI too long", 414 },
	[APP_ERATELIMIT] =	{ "rate limited", 429 },
	[APP_EINTERNAL] =	{ "internal error", 500 },
	[APP_ENOMEM] =		{ "out of memory", 500 },
	[APP_ENOTIMPL] =	{ "not implemented", 501 },
	[APP_EDB] =		{ "database unavailable", 503 },
	[APP_EUPSTREAM] =	{ "upstream unavailable", 503 },
};

const char *
app_strerror(enum app_err e)
{
	if ((unsigned)e >= APP_ERR__MAX)
		return "unknown error";
	return errs[e].name;
}

int
app_err_status(enum app_err e)
{
	if ((unsigned)e >= APP_ERR__MAX)
		return 500;
	return errs[e].status;
}
