/*
 * routes.c - THE route table: every URL membermail answers is one row here,
 * and the row is the whole contract of its requests (http/route.h): the
 * methods (GET implies HEAD), the path pattern, the handler, who may call
 * it, how the caller is authenticated, whether it changes state
 * (CSRF-checked under a session), its path parameters and its fields (all
 * validated before the handler runs) and, for /my, its session statement.
 *
 * A field table is indexed by the enum declared beside its handler
 * (handlers.h); the parameters are the router's table below, one row per
 * kind of :segment.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "handlers/handlers.h"
#include "lib/i18n.h"
#include "mail/mailbox.h"
#include "rules/domain_members.h"
#include "rules/site.h"

/* A Launchpad name as users.name is compared: any case. */
static int
valid_lp_name(const char *v, size_t len)
{
	return strlen(v) == len && sa_lp_name_ok(v, 1);
}

/* A community's landing page name (domains_slug_check). */
static int
valid_community(const char *v, size_t len)
{
	return strlen(v) == len && sa_slug_ok(v);
}

/* An attachment's number: 0..63 (mail/summary.h). */
static int
valid_part(const char *v, size_t len)
{
	return len > 0 && len <= 2 && strspn(v, "0123456789") == len &&
	    (len == 1 || v[0] != '0') &&
	    strtol(v, NULL, 10) < SUMMARY_ATTACH_MAX;
}

/* A listing's cursor: "<microseconds>.<id>" (mail/messages.c). */
static int
valid_cursor(const char *v, size_t len)
{
	size_t i, dots = 0;

	for (i = 0; i < len; i++)
		if (v[i] == '.')
			dots++;
		else if (v[i] < '0' || v[i] > '9')
			return 0;
	return dots == 1;
}

/* A link's token (lib/token.h): 32 random bytes, base64url. */
static int
valid_link_token(const char *v, size_t len)
{
	return len == 43 && strlen(v) == len && valid_token(v, len);
}

#ifdef MM_TEST_HOOKS
/* Anything at all: the log lines must quote it, not the router refuse it. */
static int
valid_label(const char *v, size_t len)
{
	(void)v;
	return len > 0;
}
#endif

/*
 * What each :segment may be.  A value its validator refuses names nothing
 * that exists: 404, after the access check (so that who may not call the
 * route learns nothing from it).
 */
static const struct param params[PARAM__N] = {
	[PARAM_ID] = { "id", valid_id, 18, N_("no such object") },
	[PARAM_DOMAIN] = { "domain", valid_domain, 253, N_("no such domain") },
	[PARAM_NAME] = { "name", valid_lp_name, 255, N_("no such member") },
	[PARAM_COMMUNITY] = { "community", valid_community, 32,
	    N_("no such community") },
	[PARAM_MESSAGE] = { "mid", valid_id, 18, N_("no such message") },
	[PARAM_PART] = { "n", valid_part, 2, N_("no such attachment") },
	[PARAM_LOCAL] = { "local", valid_local_part, 64,
	    N_("no such local part") },
	[PARAM_TOKEN] = { "token", valid_link_token, 43, N_("no such link") },
#ifdef MM_TEST_HOOKS
	[PARAM_LABEL] = { "label", valid_label, 255, N_("no such label") },
#endif
};

#ifdef MM_TEST_HOOKS
/* Up to 120 s, in milliseconds. */
static int
valid_ms(const char *v, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (v[i] < '0' || v[i] > '9')
			return 0;
	return len > 0 && len <= 6 && strtol(v, NULL, 10) <= 120000;
}

static const struct field test_sleep_fields[TEST_SLEEP__N] = {
	[TEST_SLEEP_MS] = { "ms", FIELD_QUERY, valid_ms, 6, 1 },
};
#endif

static const struct field home_fields[HOME__N] = {
	[HOME_Q] = { "q", FIELD_QUERY, valid_text, 64, 0 },
};

/* A language tag (i18n.h); the page to go back to, as sign-in's next. */
static const struct field language_fields[LANGUAGE__N] = {
	[LANGUAGE_LANG] = { "lang", FIELD_FORM, valid_text, 15, 1 },
	[LANGUAGE_NEXT] = { "next", FIELD_FORM, valid_next_path, NEXT_PATH_MAX,
	    0 },
};

/* login_states_return_path_check: 512 characters. */
static const struct field auth_start_fields[AUTH_START__N] = {
	[AUTH_START_DOMAIN] = { "domain", FIELD_FORM, valid_slug, 32, 0 },
	[AUTH_START_NEXT] = { "next", FIELD_FORM, valid_next_path, 512, 0 },
};

static const struct field auth_page_fields[AUTH_PAGE__N] = {
	[AUTH_PAGE_NEXT] = { "next", FIELD_QUERY, valid_next_path, 512, 0 },
};

static const struct field auth_finish_fields[AUTH_FINISH__N] = {
	[AUTH_FINISH_STATE] = { "state", FIELD_QUERY, valid_token, 64, 1 },
};

/* The notice a page shows after a change redirected to it. */
static const struct field done_fields[DONE__N] = {
	[DONE_CODE] = { "done", FIELD_QUERY, valid_slug, 32, 0 },
};

/*
 * Site admins (admin.c).  Form values are checked by the handler with the
 * CLI's rules (rules/site.h), so that a refusal is shown next to its field;
 * here only their size and encoding.
 */
static const struct field domain_add_fields[DA__N] = {
	[DA_NAME] = { "name", FIELD_FORM, valid_utf8, 1024, 1 },
	[DA_TEAM] = { "team", FIELD_FORM, valid_utf8, 1024, 1 },
	[DA_SLUG] = { "slug", FIELD_FORM, valid_utf8, 1024, 0 },
	[DA_TITLE] = { "title", FIELD_FORM, valid_utf8, 1024, 0 },
	[DA_LIMIT] = { "alias_limit", FIELD_FORM, valid_utf8, 64, 1 },
};

static const struct field domain_enabled_fields[DOMAIN_ENABLED__N] = {
	[DOMAIN_ENABLED] = { "enabled", FIELD_FORM, valid_slug, 3, 1 },
};

static const struct field domain_logo_fields[DOMAIN_LOGO__N] = {
	[DOMAIN_LOGO] = { "logo", FIELD_FORM, valid_utf8, 128, 0 },
};

static const struct field domain_limit_fields[DOMAIN_LIMIT__N] = {
	[DOMAIN_LIMIT] = { "alias_limit", FIELD_FORM, valid_utf8, 64, 1 },
};

/* Empty: back to the domain's admins; site.c explains a refused address. */
static const struct field domain_role_fields[DOMAIN_ROLE__N] = {
	[DOMAIN_ROLE_RECIPIENT] = { "role_recipient", FIELD_FORM, valid_utf8,
	    512, 0 },
};

/* Checked and explained next to the field by rules/reserved.c. */
static const struct field reserved_fields[RESERVED__N] = {
	[RESERVED_LOCAL_PART] = { "local_part", FIELD_FORM, valid_text, 256,
	    1 },
};

static const struct field users_fields[USERS__N] = {
	[USERS_Q] = { "q", FIELD_QUERY, valid_text, 255, 0 },
	[USERS_AFTER] = { "after", FIELD_QUERY, valid_id, 18, 0 },
};

static const struct field ban_fields[BAN__N] = {
	[BAN_REASON] = { "reason", FIELD_FORM, valid_utf8, 4096, 1 },
};

static const struct field site_admin_fields[SITE_ADMIN__N] = {
	[SITE_ADMIN_GRANT] = { "grant", FIELD_FORM, valid_slug, 3, 1 },
};

static const struct field domain_admin_fields[DOMAIN_ADMIN__N] = {
	[DOMAIN_ADMIN_DOMAIN] = { "domain", FIELD_FORM, valid_utf8, 1024, 1 },
};

/* Member pages (my.c); rules and their messages are alias.c's. */
static const struct field my_alias_fields[MY_ALIAS__N] = {
	[MY_SAVED] = { "saved", FIELD_QUERY, valid_bool, 1, 0 },
	[MY_RESENT] = { "resent", FIELD_QUERY, valid_bool, 1, 0 },
};

static const struct field my_resend_fields[MY_RESEND__N] = {
	[MY_RESEND_ADDRESS] = { "address", FIELD_FORM, valid_utf8, 256, 1 },
};

static const struct field my_alias_save_fields[MY_ALIAS_SAVE__N] = {
	[MY_RECIPIENTS] = { "recipients", FIELD_FORM, valid_utf8, 4096, 0 },
	[MY_ENABLED] = { "enabled", FIELD_FORM, valid_bool, 1, 0 },
	[MY_DESCRIPTION] = { "description", FIELD_FORM, valid_utf8, 1024, 0 },
	[MY_REPLY_CODE] = { "reply_code", FIELD_FORM, valid_text, 8, 0 },
	[MY_UPDATED_AT] = { "updated_at", FIELD_FORM, valid_text, 64, 0 },
};

/* Mailboxes (mailbox.c, mailbox_read.c); passwords are checked there. */
static const struct field mailbox_new_fields[MB_NEW__N] = {
	[MB_NEW_ALIAS] = { "alias", FIELD_QUERY, valid_id, 18, 1 },
};

static const struct field mailbox_create_fields[MB_CREATE__N] = {
	[MB_CREATE_ALIAS] = { "alias", FIELD_FORM, valid_id, 18, 1 },
	[MB_CREATE_PASSWORD] = { "password", FIELD_FORM, valid_utf8,
	    MBOX_PASSWORD_MAX, 1 },
	[MB_CREATE_PASSWORD2] = { "password2", FIELD_FORM, valid_utf8,
	    MBOX_PASSWORD_MAX, 1 },
};

static const struct field mailbox_list_fields[MB_LIST__N] = {
	[MB_LIST_BEFORE] = { "before", FIELD_QUERY, valid_cursor,
	    MAILBOX_CURSOR_MAX, 0 },
	[MB_LIST_DONE] = { "done", FIELD_QUERY, valid_slug, 16, 0 },
};

static const struct field mailbox_unlock_fields[MB_UNLOCK__N] = {
	[MB_UNLOCK_PASSWORD] = { "password", FIELD_FORM, valid_utf8,
	    MBOX_PASSWORD_MAX, 1 },
};

static const struct field mailbox_delivery_fields[MB_DELIVERY__N] = {
	[MB_DELIVERY] = { "delivery", FIELD_FORM, valid_slug, 16, 1 },
};

static const struct field mailbox_password_fields[MB_PASSWORD__N] = {
	[MB_OLD_PASSWORD] = { "old_password", FIELD_FORM, valid_utf8,
	    MBOX_PASSWORD_MAX, 1 },
	[MB_NEW_PASSWORD] = { "password", FIELD_FORM, valid_utf8,
	    MBOX_PASSWORD_MAX, 1 },
	[MB_NEW_PASSWORD2] = { "password2", FIELD_FORM, valid_utf8,
	    MBOX_PASSWORD_MAX, 1 },
};

static const struct field mailbox_reset_fields[MB_RESET__N] = {
	[MB_RESET_CONFIRM] = { "confirm", FIELD_FORM, valid_utf8, 1024, 1 },
	[MB_RESET_PASSWORD] = { "password", FIELD_FORM, valid_utf8,
	    MBOX_PASSWORD_MAX, 1 },
	[MB_RESET_PASSWORD2] = { "password2", FIELD_FORM, valid_utf8,
	    MBOX_PASSWORD_MAX, 1 },
};

/* Personal API tokens (tokens.c). */
static const struct field tokens_fields[DONE__N] = {
	[DONE_CODE] = { "done", FIELD_QUERY, valid_slug, 16, 0 },
};

static const struct field token_create_fields[TOKEN_CREATE__N] = {
	[TOKEN_NAME] = { "name", FIELD_FORM, valid_text, 256, 0 },
	[TOKEN_DAYS] = { "expires_days", FIELD_FORM, valid_text, 16, 0 },
};

/*
 * The JSON API's listings (api.c): each table a prefix of
 * enum api_list_field.  Checked for meaning by api_page_args, which names
 * the field at fault.
 */
static const struct field api_list_fields[API_Q] = {
	[API_LIMIT] = { "limit", FIELD_QUERY, valid_text, 32, 0 },
	[API_CURSOR] = { "cursor", FIELD_QUERY, valid_text, 512, 0 },
};

static const struct field api_members_fields[API_ENABLED] = {
	[API_LIMIT] = { "limit", FIELD_QUERY, valid_text, 32, 0 },
	[API_CURSOR] = { "cursor", FIELD_QUERY, valid_text, 512, 0 },
	[API_Q] = { "q", FIELD_QUERY, valid_text, MEMBER_SEARCH_MAX, 0 },
};

static const struct field api_domain_aliases_fields[API_LIST__N] = {
	[API_LIMIT] = { "limit", FIELD_QUERY, valid_text, 32, 0 },
	[API_CURSOR] = { "cursor", FIELD_QUERY, valid_text, 512, 0 },
	[API_Q] = { "q", FIELD_QUERY, valid_text, MEMBER_SEARCH_MAX, 0 },
	[API_ENABLED] = { "enabled", FIELD_QUERY, valid_text, 8, 0 },
	[API_REASON] = { "reason", FIELD_QUERY, valid_slug, 32, 0 },
};

/* The domain-admin pages (domain.c). */
static const struct field domain_fields[DOMAIN__N] = {
	[DOMAIN_Q] = { "q", FIELD_QUERY, valid_text, MEMBER_SEARCH_MAX, 0 },
	[DOMAIN_AFTER] = { "after", FIELD_QUERY, valid_text, MEMBER_CURSOR_MAX,
	    0 },
	[DOMAIN_DONE] = { "done", FIELD_QUERY, valid_slug, 32, 0 },
};

static const struct field domain_aliases_fields[ALIASES__N] = {
	[ALIASES_Q] = { "q", FIELD_QUERY, valid_text, MEMBER_SEARCH_MAX, 0 },
	/* yes, no, "" */
	[ALIASES_ENABLED] = { "enabled", FIELD_QUERY, valid_text, 3, 0 },
	[ALIASES_REASON] = { "reason", FIELD_QUERY, valid_text, 32, 0 },
	[ALIASES_AFTER] = { "after", FIELD_QUERY, valid_text, MEMBER_CURSOR_MAX,
	    0 },
};

static const struct field domain_log_fields[LOG__N] = {
	[LOG_AFTER] = { "after", FIELD_QUERY, valid_text, MEMBER_CURSOR_MAX,
	    0 },
};

static const struct field role_fields[SET_ROLE__N] = {
	[SET_ROLE] = { "role", FIELD_FORM, valid_slug, 16, 1 },
};

/* Generous bounds: domain_members.c explains a wrong value by the field. */
static const struct field member_alias_fields[NEW_ALIAS__N] = {
	[NEW_LOCAL_PART] = { "local_part", FIELD_FORM, valid_text, 256, 0 },
	[NEW_RECIPIENTS] = { "recipients", FIELD_FORM, valid_text, 4096, 0 },
	[NEW_ASSIGN] = { "assign_protected", FIELD_FORM, valid_slug, 3, 0 },
};

static const struct field alias_enabled_fields[ALIAS_ENABLED__N] = {
	[ALIAS_ENABLED] = { "enabled", FIELD_FORM, valid_slug, 3, 1 },
};

/* Any text: a tag the site does not offer is explained on the page. */
static const struct field domain_lang_fields[DOMAIN_LANG__N] = {
	[DOMAIN_LANG] = { "default_lang", FIELD_FORM, valid_text, 64, 1 },
};

static const struct route table[] = {
	{
	    .methods = METHOD_GET,
	    .pattern = "/",
	    .handler = h_home,
	    .access = ACCESS_ANYONE,
	    .auth = AUTH_SESSION,
	    FIELDS(home_fields),
	},
	{
	    .methods = METHOD_GET,
	    .pattern = "/my",
	    .handler = h_my,
	    .access = ACCESS_SIGNED_IN,
	    .auth = AUTH_SESSION,
	    /* The page members load most: its data comes with the session. */
	    .session_stmt = STMT_MY_SESSION_PAGE,
	},
	{
	    .methods = METHOD_GET,
	    .pattern = "/auth/ubuntu",
	    .handler = h_auth_page,
	    .access = ACCESS_ANYONE,
	    .auth = AUTH_SESSION,
	    FIELDS(auth_page_fields),
	},
	{
	    .methods = METHOD_POST,
	    .pattern = "/auth/ubuntu",
	    .handler = h_auth_start,
	    .access = ACCESS_ANYONE,
	    .auth = AUTH_SESSION,
	    .changes_state = 1,
	    FIELDS(auth_start_fields),
	},
	/*
	 * Not CSRF-checked: the OP delivers here cross-site, maybe by POST.
	 * The assertion's signature and our one-use state protect it.  The
	 * OpenID message is the whole query (or form), read by rp.c.
	 */
	{
	    .methods = METHOD_GET | METHOD_POST,
	    .pattern = "/auth/ubuntu/return",
	    .handler = h_auth_return,
	    .access = ACCESS_ANYONE,
	    .auth = AUTH_SESSION,
	},
	{
	    .methods = METHOD_GET,
	    .pattern = "/auth/ubuntu/finish",
	    .handler = h_auth_finish,
	    .access = ACCESS_ANYONE,
	    .auth = AUTH_SESSION,
	    FIELDS(auth_finish_fields),
	},
	{
	    .methods = METHOD_POST,
	    .pattern = "/auth/logout",
	    .handler = h_logout,
	    .access = ACCESS_SIGNED_IN,
	    .auth = AUTH_SESSION,
	    .changes_state = 1,
	},
	/* The language switch of every page (before /:community). */
	{
	    .methods = METHOD_POST,
	    .pattern = "/language",
	    .handler = h_language,
	    .access = ACCESS_ANYONE,
	    .auth = AUTH_SESSION,
	    .changes_state = 1,
	    FIELDS(language_fields),
	},
	/* Probes read no credential: a cookie sent costs no query. */
	{
	    .methods = METHOD_GET,
	    .pattern = "/healthz",
	    .handler = h_healthz,
	    .access = ACCESS_ANYONE,
	    .auth = AUTH_NONE,
	},
	{
	    .methods = METHOD_GET,
	    .pattern = "/readyz",
	    .handler = h_readyz,
	    .access = ACCESS_ANYONE,
	    .auth = AUTH_NONE,
	},
#ifdef MM_TEST_HOOKS
	{
	    .methods = METHOD_GET,
	    .pattern = "/_test/sleep",
	    .handler = h_test_sleep,
	    .access = ACCESS_ANYONE,
	    .auth = AUTH_NONE,
	    FIELDS(test_sleep_fields),
	},
	/* The same under any last segment: a slow request whose path the
	 * test chooses (the log lines that show it). */
	{
	    .methods = METHOD_GET,
	    .pattern = "/_test/sleep/:label",
	    .handler = h_test_sleep,
	    .access = ACCESS_ANYONE,
	    .auth = AUTH_NONE,
	    .params = { PARAM_LABEL },
	    FIELDS(test_sleep_fields),
	},
	{
	    .methods = METHOD_GET,
	    .pattern = "/_test/crash",
	    .handler = h_test_crash,
	    .access = ACCESS_ANYONE,
	    .auth = AUTH_NONE,
	},
#endif
	/* Site admins (admin.c); before /:community, which /admin matches. */
	{
	    .methods = METHOD_GET,
	    .pattern = "/admin",
	    .handler = h_admin,
	    .access = ACCESS_SITE_ADMIN,
	    .auth = AUTH_SESSION,
	},
	{
	    .methods = METHOD_GET,
	    .pattern = "/admin/domains",
	    .handler = h_admin_domains,
	    .access = ACCESS_SITE_ADMIN,
	    .auth = AUTH_SESSION,
	    FIELDS(done_fields),
	},
	{
	    .methods = METHOD_POST,
	    .pattern = "/admin/domains",
	    .handler = h_admin_domain_add,
	    .access = ACCESS_SITE_ADMIN,
	    .auth = AUTH_SESSION,
	    .changes_state = 1,
	    FIELDS(domain_add_fields),
	},
	{
	    .methods = METHOD_POST,
	    .pattern = "/admin/domains/:domain/enabled",
	    .handler = h_admin_domain_enabled,
	    .access = ACCESS_SITE_ADMIN,
	    .auth = AUTH_SESSION,
	    .changes_state = 1,
	    .params = { PARAM_DOMAIN },
	    FIELDS(domain_enabled_fields),
	},
	{
	    .methods = METHOD_POST,
	    .pattern = "/admin/domains/:domain/logo",
	    .handler = h_admin_domain_logo,
	    .access = ACCESS_SITE_ADMIN,
	    .auth = AUTH_SESSION,
	    .changes_state = 1,
	    .params = { PARAM_DOMAIN },
	    FIELDS(domain_logo_fields),
	},
	{
	    .methods = METHOD_POST,
	    .pattern = "/admin/domains/:domain/limit",
	    .handler = h_admin_domain_limit,
	    .access = ACCESS_SITE_ADMIN,
	    .auth = AUTH_SESSION,
	    .changes_state = 1,
	    .params = { PARAM_DOMAIN },
	    FIELDS(domain_limit_fields),
	},
	{
	    .methods = METHOD_POST,
	    .pattern = "/admin/domains/:domain/role-recipient",
	    .handler = h_admin_domain_role,
	    .access = ACCESS_SITE_ADMIN,
	    .auth = AUTH_SESSION,
	    .changes_state = 1,
	    .params = { PARAM_DOMAIN },
	    FIELDS(domain_role_fields),
	},
	{
	    .methods = METHOD_GET,
	    .pattern = "/admin/domains/:domain/reserved",
	    .handler = h_admin_reserved,
	    .access = ACCESS_SITE_ADMIN,
	    .auth = AUTH_SESSION,
	    .params = { PARAM_DOMAIN },
	    FIELDS(done_fields),
	},
	{
	    .methods = METHOD_POST,
	    .pattern = "/admin/domains/:domain/reserved",
	    .handler = h_admin_reserved_add,
	    .access = ACCESS_SITE_ADMIN,
	    .auth = AUTH_SESSION,
	    .changes_state = 1,
	    .params = { PARAM_DOMAIN },
	    FIELDS(reserved_fields),
	},
	{
	    .methods = METHOD_POST,
	    .pattern = "/admin/domains/:domain/reserved/:local/remove",
	    .handler = h_admin_reserved_remove,
	    .access = ACCESS_SITE_ADMIN,
	    .auth = AUTH_SESSION,
	    .changes_state = 1,
	    .params = { PARAM_DOMAIN, PARAM_LOCAL },
	},
	{
	    .methods = METHOD_POST,
	    .pattern = "/admin/domains/:domain/reserved/aliases/:id/assign",
	    .handler = h_admin_reserved_assign,
	    .access = ACCESS_SITE_ADMIN,
	    .auth = AUTH_SESSION,
	    .changes_state = 1,
	    .params = { PARAM_DOMAIN, PARAM_ID },
	},
	{
	    .methods = METHOD_GET,
	    .pattern = "/admin/users",
	    .handler = h_admin_users,
	    .access = ACCESS_SITE_ADMIN,
	    .auth = AUTH_SESSION,
	    FIELDS(users_fields),
	},
	{
	    .methods = METHOD_GET,
	    .pattern = "/admin/users/:id",
	    .handler = h_admin_user,
	    .access = ACCESS_SITE_ADMIN,
	    .auth = AUTH_SESSION,
	    .params = { PARAM_ID },
	    FIELDS(done_fields),
	},
	{
	    .methods = METHOD_POST,
	    .pattern = "/admin/users/:id/ban",
	    .handler = h_admin_user_ban,
	    .access = ACCESS_SITE_ADMIN,
	    .auth = AUTH_SESSION,
	    .changes_state = 1,
	    .params = { PARAM_ID },
	    FIELDS(ban_fields),
	},
	{
	    .methods = METHOD_POST,
	    .pattern = "/admin/users/:id/unban",
	    .handler = h_admin_user_unban,
	    .access = ACCESS_SITE_ADMIN,
	    .auth = AUTH_SESSION,
	    .changes_state = 1,
	    .params = { PARAM_ID },
	},
	{
	    .methods = METHOD_POST,
	    .pattern = "/admin/users/:id/site-admin",
	    .handler = h_admin_user_site_admin,
	    .access = ACCESS_SITE_ADMIN,
	    .auth = AUTH_SESSION,
	    .changes_state = 1,
	    .params = { PARAM_ID },
	    FIELDS(site_admin_fields),
	},
	{
	    .methods = METHOD_POST,
	    .pattern = "/admin/users/:id/domain-admin",
	    .handler = h_admin_user_domain_admin,
	    .access = ACCESS_SITE_ADMIN,
	    .auth = AUTH_SESSION,
	    .changes_state = 1,
	    .params = { PARAM_ID },
	    FIELDS(domain_admin_fields),
	},
	{
	    .methods = METHOD_GET,
	    .pattern = "/admin/outbox",
	    .handler = h_admin_outbox,
	    .access = ACCESS_SITE_ADMIN,
	    .auth = AUTH_SESSION,
	    FIELDS(done_fields),
	},
	{
	    .methods = METHOD_POST,
	    .pattern = "/admin/outbox/:id/retry",
	    .handler = h_admin_outbox_retry,
	    .access = ACCESS_SITE_ADMIN,
	    .auth = AUTH_SESSION,
	    .changes_state = 1,
	    .params = { PARAM_ID },
	},
	{
	    .methods = METHOD_POST,
	    .pattern = "/admin/outbox/:id/delete",
	    .handler = h_admin_outbox_delete,
	    .access = ACCESS_SITE_ADMIN,
	    .auth = AUTH_SESSION,
	    .changes_state = 1,
	    .params = { PARAM_ID },
	},
	{
	    .methods = METHOD_GET,
	    .pattern = "/admin/errors",
	    .handler = h_admin_errors,
	    .access = ACCESS_SITE_ADMIN,
	    .auth = AUTH_SESSION,
	},
	/* Member pages (my.c). */
	{
	    .methods = METHOD_GET,
	    .pattern = "/my/aliases/:id",
	    .handler = h_my_alias,
	    .access = ACCESS_SIGNED_IN,
	    .auth = AUTH_SESSION,
	    .params = { PARAM_ID },
	    FIELDS(my_alias_fields),
	},
	{
	    .methods = METHOD_POST,
	    .pattern = "/my/aliases/:id",
	    .handler = h_my_alias_save,
	    .access = ACCESS_SIGNED_IN,
	    .auth = AUTH_SESSION,
	    .changes_state = 1,
	    .params = { PARAM_ID },
	    FIELDS(my_alias_save_fields),
	},
	{
	    .methods = METHOD_POST,
	    .pattern = "/my/aliases/:id/resend",
	    .handler = h_my_alias_resend,
	    .access = ACCESS_SIGNED_IN,
	    .auth = AUTH_SESSION,
	    .changes_state = 1,
	    .params = { PARAM_ID },
	    FIELDS(my_resend_fields),
	},
	/*
	 * The links membermail mails (links.c): the token is the credential,
	 * nobody need be signed in; GET shows, POST (CSRF-checked like any
	 * form) does.
	 */
	{
	    .methods = METHOD_GET,
	    .pattern = "/confirm/:token",
	    .handler = h_confirm,
	    .access = ACCESS_ANYONE,
	    .auth = AUTH_SESSION,
	    .params = { PARAM_TOKEN },
	},
	{
	    .methods = METHOD_POST,
	    .pattern = "/confirm/:token",
	    .handler = h_confirm,
	    .access = ACCESS_ANYONE,
	    .auth = AUTH_SESSION,
	    .changes_state = 1,
	    .params = { PARAM_TOKEN },
	},
	{
	    .methods = METHOD_GET,
	    .pattern = "/undo/:token",
	    .handler = h_undo,
	    .access = ACCESS_ANYONE,
	    .auth = AUTH_SESSION,
	    .params = { PARAM_TOKEN },
	},
	{
	    .methods = METHOD_POST,
	    .pattern = "/undo/:token",
	    .handler = h_undo,
	    .access = ACCESS_ANYONE,
	    .auth = AUTH_SESSION,
	    .changes_state = 1,
	    .params = { PARAM_TOKEN },
	},
	/* Personal API tokens (tokens.c). */
	/*
	 * Mailboxes (mailbox.c, mailbox_read.c): "new" before ":id".  The
	 * delete form's "message" comes once per message, which a field of
	 * the table cannot say: its handler reads and checks them.
	 */
	{
	    .methods = METHOD_GET,
	    .pattern = "/my/mailbox",
	    .handler = h_mailboxes,
	    .access = ACCESS_SIGNED_IN,
	    .auth = AUTH_SESSION,
	    FIELDS(done_fields),
	},
	{
	    .methods = METHOD_POST,
	    .pattern = "/my/mailbox",
	    .handler = h_mailbox_create,
	    .access = ACCESS_SIGNED_IN,
	    .auth = AUTH_SESSION,
	    .changes_state = 1,
	    FIELDS(mailbox_create_fields),
	},
	{
	    .methods = METHOD_GET,
	    .pattern = "/my/mailbox/new",
	    .handler = h_mailbox_new,
	    .access = ACCESS_SIGNED_IN,
	    .auth = AUTH_SESSION,
	    FIELDS(mailbox_new_fields),
	},
	{
	    .methods = METHOD_GET,
	    .pattern = "/my/mailbox/:id",
	    .handler = h_mailbox,
	    .access = ACCESS_SIGNED_IN,
	    .auth = AUTH_SESSION,
	    .params = { PARAM_ID },
	    FIELDS(mailbox_list_fields),
	},
	{
	    .methods = METHOD_POST,
	    .pattern = "/my/mailbox/:id/unlock",
	    .handler = h_mailbox_unlock,
	    .access = ACCESS_SIGNED_IN,
	    .auth = AUTH_SESSION,
	    .changes_state = 1,
	    .params = { PARAM_ID },
	    FIELDS(mailbox_unlock_fields),
	},
	{
	    .methods = METHOD_POST,
	    .pattern = "/my/mailbox/:id/lock",
	    .handler = h_mailbox_lock,
	    .access = ACCESS_SIGNED_IN,
	    .auth = AUTH_SESSION,
	    .changes_state = 1,
	    .params = { PARAM_ID },
	},
	{
	    .methods = METHOD_POST,
	    .pattern = "/my/mailbox/:id/delete",
	    .handler = h_mailbox_delete,
	    .access = ACCESS_SIGNED_IN,
	    .auth = AUTH_SESSION,
	    .changes_state = 1,
	    .params = { PARAM_ID },
	},
	{
	    .methods = METHOD_GET,
	    .pattern = "/my/mailbox/:id/export",
	    .handler = h_mailbox_export,
	    .access = ACCESS_SIGNED_IN,
	    .auth = AUTH_SESSION,
	    .params = { PARAM_ID },
	},
	{
	    .methods = METHOD_GET,
	    .pattern = "/my/mailbox/:id/messages/:mid",
	    .handler = h_mailbox_message,
	    .access = ACCESS_SIGNED_IN,
	    .auth = AUTH_SESSION,
	    .params = { PARAM_ID, PARAM_MESSAGE },
	},
	{
	    .methods = METHOD_GET,
	    .pattern = "/my/mailbox/:id/messages/:mid/attachments/:n",
	    .handler = h_mailbox_attachment,
	    .access = ACCESS_SIGNED_IN,
	    .auth = AUTH_SESSION,
	    .params = { PARAM_ID, PARAM_MESSAGE, PARAM_PART },
	},
	{
	    .methods = METHOD_GET,
	    .pattern = "/my/mailbox/:id/settings",
	    .handler = h_mailbox_settings,
	    .access = ACCESS_SIGNED_IN,
	    .auth = AUTH_SESSION,
	    .params = { PARAM_ID },
	    FIELDS(done_fields),
	},
	{
	    .methods = METHOD_POST,
	    .pattern = "/my/mailbox/:id/delivery",
	    .handler = h_mailbox_delivery,
	    .access = ACCESS_SIGNED_IN,
	    .auth = AUTH_SESSION,
	    .changes_state = 1,
	    .params = { PARAM_ID },
	    FIELDS(mailbox_delivery_fields),
	},
	{
	    .methods = METHOD_POST,
	    .pattern = "/my/mailbox/:id/password",
	    .handler = h_mailbox_password,
	    .access = ACCESS_SIGNED_IN,
	    .auth = AUTH_SESSION,
	    .changes_state = 1,
	    .params = { PARAM_ID },
	    FIELDS(mailbox_password_fields),
	},
	{
	    .methods = METHOD_POST,
	    .pattern = "/my/mailbox/:id/reset",
	    .handler = h_mailbox_reset,
	    .access = ACCESS_SIGNED_IN,
	    .auth = AUTH_SESSION,
	    .changes_state = 1,
	    .params = { PARAM_ID },
	    FIELDS(mailbox_reset_fields),
	},
	{
	    .methods = METHOD_GET,
	    .pattern = "/my/tokens",
	    .handler = h_tokens,
	    .access = ACCESS_SIGNED_IN,
	    .auth = AUTH_SESSION,
	    FIELDS(tokens_fields),
	},
	{
	    .methods = METHOD_POST,
	    .pattern = "/my/tokens",
	    .handler = h_token_create,
	    .access = ACCESS_SIGNED_IN,
	    .auth = AUTH_SESSION,
	    .changes_state = 1,
	    FIELDS(token_create_fields),
	},
	{
	    .methods = METHOD_POST,
	    .pattern = "/my/tokens/:id/revoke",
	    .handler = h_token_revoke,
	    .access = ACCESS_SIGNED_IN,
	    .auth = AUTH_SESSION,
	    .changes_state = 1,
	    .params = { PARAM_ID },
	},
	/*
	 * The JSON API (api.c): bearer tokens only, never a cookie, so its
	 * state changes need no CSRF token (http/bearer.h).
	 */
	{
	    .methods = METHOD_GET,
	    .pattern = "/api/v1/me",
	    .handler = h_api_me,
	    .access = ACCESS_SIGNED_IN,
	    .auth = AUTH_BEARER,
	},
	{
	    .methods = METHOD_GET,
	    .pattern = "/api/v1/domains",
	    .handler = h_api_domains,
	    .access = ACCESS_SIGNED_IN,
	    .auth = AUTH_BEARER,
	    FIELDS(api_list_fields),
	},
	{
	    .methods = METHOD_GET,
	    .pattern = "/api/v1/domains/:domain",
	    .handler = h_api_domain,
	    .access = ACCESS_DOMAIN_ADMIN,
	    .auth = AUTH_BEARER,
	    .params = { PARAM_DOMAIN },
	},
	{
	    .methods = METHOD_PATCH,
	    .pattern = "/api/v1/domains/:domain",
	    .handler = h_api_domain_update,
	    .access = ACCESS_DOMAIN_ADMIN,
	    .auth = AUTH_BEARER,
	    .changes_state = 1,
	    .params = { PARAM_DOMAIN },
	},
	{
	    .methods = METHOD_GET,
	    .pattern = "/api/v1/mailboxes",
	    .handler = h_api_mailboxes,
	    .access = ACCESS_SIGNED_IN,
	    .auth = AUTH_BEARER,
	},
	{
	    .methods = METHOD_GET,
	    .pattern = "/api/v1/aliases",
	    .handler = h_api_aliases,
	    .access = ACCESS_SIGNED_IN,
	    .auth = AUTH_BEARER,
	    FIELDS(api_list_fields),
	},
	{
	    .methods = METHOD_GET,
	    .pattern = "/api/v1/aliases/:id",
	    .handler = h_api_alias,
	    .access = ACCESS_SIGNED_IN,
	    .auth = AUTH_BEARER,
	    .params = { PARAM_ID },
	},
	{
	    .methods = METHOD_PATCH,
	    .pattern = "/api/v1/aliases/:id",
	    .handler = h_api_alias_update,
	    .access = ACCESS_SIGNED_IN,
	    .auth = AUTH_BEARER,
	    .changes_state = 1,
	    .params = { PARAM_ID },
	},
	{
	    .methods = METHOD_GET,
	    .pattern = "/api/v1/domains/:domain/members",
	    .handler = h_api_members,
	    .access = ACCESS_DOMAIN_ADMIN,
	    .auth = AUTH_BEARER,
	    .params = { PARAM_DOMAIN },
	    FIELDS(api_members_fields),
	},
	{
	    .methods = METHOD_GET,
	    .pattern = "/api/v1/domains/:domain/members/:name",
	    .handler = h_api_member,
	    .access = ACCESS_DOMAIN_ADMIN,
	    .auth = AUTH_BEARER,
	    .params = { PARAM_DOMAIN, PARAM_NAME },
	},
	{
	    .methods = METHOD_PATCH,
	    .pattern = "/api/v1/domains/:domain/members/:name",
	    .handler = h_api_member_update,
	    .access = ACCESS_DOMAIN_ADMIN,
	    .auth = AUTH_BEARER,
	    .changes_state = 1,
	    .params = { PARAM_DOMAIN, PARAM_NAME },
	},
	{
	    .methods = METHOD_GET,
	    .pattern = "/api/v1/domains/:domain/aliases",
	    .handler = h_api_domain_aliases,
	    .access = ACCESS_DOMAIN_ADMIN,
	    .auth = AUTH_BEARER,
	    .params = { PARAM_DOMAIN },
	    FIELDS(api_domain_aliases_fields),
	},
	{
	    .methods = METHOD_GET,
	    .pattern = "/api/v1/domains/:domain/aliases/:id",
	    .handler = h_api_alias,
	    .access = ACCESS_DOMAIN_ADMIN,
	    .auth = AUTH_BEARER,
	    .params = { PARAM_DOMAIN, PARAM_ID },
	},
	{
	    .methods = METHOD_PATCH,
	    .pattern = "/api/v1/domains/:domain/aliases/:id",
	    .handler = h_api_alias_update,
	    .access = ACCESS_DOMAIN_ADMIN,
	    .auth = AUTH_BEARER,
	    .changes_state = 1,
	    .params = { PARAM_DOMAIN, PARAM_ID },
	},
	/* The domain-admin pages (domain.c). */
	{
	    .methods = METHOD_GET,
	    .pattern = "/domains/:domain",
	    .handler = h_domain,
	    .access = ACCESS_DOMAIN_ADMIN,
	    .auth = AUTH_SESSION,
	    .params = { PARAM_DOMAIN },
	    FIELDS(domain_fields),
	},
	{
	    .methods = METHOD_GET,
	    .pattern = "/domains/:domain/aliases",
	    .handler = h_domain_aliases,
	    .access = ACCESS_DOMAIN_ADMIN,
	    .auth = AUTH_SESSION,
	    .params = { PARAM_DOMAIN },
	    FIELDS(domain_aliases_fields),
	},
	{
	    .methods = METHOD_GET,
	    .pattern = "/domains/:domain/log",
	    .handler = h_domain_log,
	    .access = ACCESS_DOMAIN_ADMIN,
	    .auth = AUTH_SESSION,
	    .params = { PARAM_DOMAIN },
	    FIELDS(domain_log_fields),
	},
	{
	    .methods = METHOD_GET,
	    .pattern = "/domains/:domain/members/:name",
	    .handler = h_domain_member,
	    .access = ACCESS_DOMAIN_ADMIN,
	    .auth = AUTH_SESSION,
	    .params = { PARAM_DOMAIN, PARAM_NAME },
	    FIELDS(done_fields),
	},
	{
	    .methods = METHOD_POST,
	    .pattern = "/domains/:domain/members/:name/role",
	    .handler = h_domain_member_role,
	    .access = ACCESS_DOMAIN_ADMIN,
	    .auth = AUTH_SESSION,
	    .changes_state = 1,
	    .params = { PARAM_DOMAIN, PARAM_NAME },
	    FIELDS(role_fields),
	},
	{
	    .methods = METHOD_POST,
	    .pattern = "/domains/:domain/members/:name/remove",
	    .handler = h_domain_member_remove,
	    .access = ACCESS_DOMAIN_ADMIN,
	    .auth = AUTH_SESSION,
	    .changes_state = 1,
	    .params = { PARAM_DOMAIN, PARAM_NAME },
	},
	{
	    .methods = METHOD_POST,
	    .pattern = "/domains/:domain/members/:name/aliases",
	    .handler = h_domain_member_alias,
	    .access = ACCESS_DOMAIN_ADMIN,
	    .auth = AUTH_SESSION,
	    .changes_state = 1,
	    .params = { PARAM_DOMAIN, PARAM_NAME },
	    FIELDS(member_alias_fields),
	},
	{
	    .methods = METHOD_POST,
	    .pattern = "/domains/:domain/aliases/:id/enabled",
	    .handler = h_domain_alias_enabled,
	    .access = ACCESS_DOMAIN_ADMIN,
	    .auth = AUTH_SESSION,
	    .changes_state = 1,
	    .params = { PARAM_DOMAIN, PARAM_ID },
	    FIELDS(alias_enabled_fields),
	},
	{
	    .methods = METHOD_POST,
	    .pattern = "/domains/:domain/aliases/:id/remove",
	    .handler = h_domain_alias_remove,
	    .access = ACCESS_DOMAIN_ADMIN,
	    .auth = AUTH_SESSION,
	    .changes_state = 1,
	    .params = { PARAM_DOMAIN, PARAM_ID },
	},
	{
	    .methods = METHOD_POST,
	    .pattern = "/domains/:domain/members/:name/sync",
	    .handler = h_domain_member_sync,
	    .access = ACCESS_DOMAIN_ADMIN,
	    .auth = AUTH_SESSION,
	    .changes_state = 1,
	    .params = { PARAM_DOMAIN, PARAM_NAME },
	},
	{
	    .methods = METHOD_POST,
	    .pattern = "/domains/:domain/verify",
	    .handler = h_domain_verify,
	    .access = ACCESS_DOMAIN_ADMIN,
	    .auth = AUTH_SESSION,
	    .changes_state = 1,
	    .params = { PARAM_DOMAIN },
	},
	{
	    .methods = METHOD_POST,
	    .pattern = "/domains/:domain/language",
	    .handler = h_domain_language,
	    .access = ACCESS_DOMAIN_ADMIN,
	    .auth = AUTH_SESSION,
	    .changes_state = 1,
	    .params = { PARAM_DOMAIN },
	    FIELDS(domain_lang_fields),
	},
	/* Last: a community's landing page, /ubuntu, /kubuntu, ... */
	{
	    .methods = METHOD_GET,
	    .pattern = "/:community",
	    .handler = h_landing,
	    .access = ACCESS_ANYONE,
	    .auth = AUTH_SESSION,
	    .params = { PARAM_COMMUNITY },
	},
};

const struct router router = {
	.table = table,
	.n = sizeof(table) / sizeof(table[0]),
	.params = params,
	.nparams = PARAM__N,
	.error_page = error_page,
};
