/* err.c - the HTTP status of each enum app_err. */
#include "config.h"

#include "lib/err.h"

static const int statuses[APP_ERR__MAX] = {
	[APP_OK] = 200,
	[APP_EINPUT] = 400,
	[APP_EAUTH] = 401,
	[APP_EFORBIDDEN] = 403,
	[APP_ENOTFOUND] = 404,
	[APP_EMETHOD] = 405,
	[APP_ECONFLICT] = 409,
	[APP_ETOOBIG] = 413,
	[APP_EURITOOLONG] = 414,
	[APP_EINVALID] = 422,
	[APP_ERATELIMIT] = 429,
	[APP_EINTERNAL] = 500,
	[APP_ENOMEM] = 500,
	[APP_ENOTIMPL] = 501,
	[APP_EDB] = 503,
	[APP_EUPSTREAM] = 503,
	[APP_EMEDIATYPE] = 415,
};

int
app_err_status(enum app_err e)
{
	if ((unsigned)e >= APP_ERR__MAX)
		return 500;
	return statuses[e];
}
