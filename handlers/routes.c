/*
 * routes.c - THE route table: every URL membermail answers is one row here.
 *
 * Columns: methods (GET implies HEAD), path pattern (":name" segments),
 * handler, who may call it, whether it changes state (CSRF-checked before
 * the handler runs), and the fields it accepts (checked before, too).
 */
#include "config.h"

#include "handlers.h"

#define NFIELDS(a)	(sizeof(a) / sizeof((a)[0]))

static const struct field home_fields[] = {
	{ "q", FIELD_QUERY, valid_text, 64, 0 },
};

static const struct field auth_start_fields[] = {
	{ "domain", FIELD_FORM, valid_slug, 32, 0 },
};

static const struct route table[] = {
	{ METHOD_GET, "/", h_home, ACCESS_ANYONE, 0,
	    home_fields, NFIELDS(home_fields) },
	{ METHOD_POST, "/auth/ubuntu", h_auth_start, ACCESS_ANYONE, 1,
	    auth_start_fields, NFIELDS(auth_start_fields) },
	{ METHOD_GET, "/healthz", h_healthz, ACCESS_ANYONE, 0, NULL, 0 },
	{ METHOD_GET, "/readyz", h_readyz, ACCESS_ANYONE, 0, NULL, 0 },
	/* Last: a community's landing page, /ubuntu, /kubuntu, ... */
	{ METHOD_GET, "/:community", h_landing, ACCESS_ANYONE, 0, NULL, 0 },
};

const struct router router = {
	table, NFIELDS(table), error_page
};
