/*
 * routes.c - THE route table: every URL membermail answers is one row here.
 *
 * Columns: methods (GET implies HEAD), path pattern (":name" segments),
 * handler, who may call it, whether it changes state (CSRF-checked before
 * the handler runs), and the fields it accepts (checked before, too).
 */
#include "config.h"

#include <stdlib.h>

#include "handlers/handlers.h"
#include "mail/mailbox.h"
#include "rules/domain_members.h"

#define NFIELDS(a) (sizeof(a) / sizeof((a)[0]))

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

static const struct field test_sleep_fields[] = {
	{ "ms", FIELD_QUERY, valid_ms, 6, 1 },
};
#endif

/* A positive row id (the outbox test hook, the site admins' pages). */
static int
valid_id(const char *v, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (v[i] < '0' || v[i] > '9')
			return 0;
	return len > 0 && len <= 18 && v[0] != '0';
}

static const struct field home_fields[] = {
	{ "q", FIELD_QUERY, valid_text, 64, 0 },
};

static const struct field auth_start_fields[] = {
	{ "domain", FIELD_FORM, valid_slug, 32, 0 },
};

static const struct field auth_finish_fields[] = {
	{ "state", FIELD_QUERY, valid_token, 64, 1 },
};

/*
 * Site admins (admin.c).  Form values are checked by the handler with the
 * CLI's rules (rules/site.h), so that a refusal is shown next to its field;
 * here only their size and encoding.
 */
static const struct field admin_done_fields[] = {
	{ "done", FIELD_QUERY, valid_slug, 32, 0 },
};

static const struct field admin_domain_add_fields[] = {
	{ "name", FIELD_FORM, valid_utf8, 1024, 1 },
	{ "team", FIELD_FORM, valid_utf8, 1024, 1 },
	{ "slug", FIELD_FORM, valid_utf8, 1024, 0 },
	{ "title", FIELD_FORM, valid_utf8, 1024, 0 },
	{ "alias_limit", FIELD_FORM, valid_utf8, 64, 1 },
};

static const struct field admin_domain_enabled_fields[] = {
	{ "enabled", FIELD_FORM, valid_slug, 3, 1 },
};

static const struct field admin_domain_limit_fields[] = {
	{ "alias_limit", FIELD_FORM, valid_utf8, 64, 1 },
};

static const struct field admin_users_fields[] = {
	{ "q", FIELD_QUERY, valid_text, 255, 0 },
	{ "after", FIELD_QUERY, valid_id, 18, 0 },
};

static const struct field admin_ban_fields[] = {
	{ "reason", FIELD_FORM, valid_utf8, 4096, 1 },
};

static const struct field admin_site_admin_fields[] = {
	{ "grant", FIELD_FORM, valid_slug, 3, 1 },
};

static const struct field admin_domain_admin_fields[] = {
	{ "domain", FIELD_FORM, valid_utf8, 1024, 1 },
};

/* Member pages (my.c); rules and their messages are alias.c's. */
static const struct field my_alias_fields[] = {
	{ "saved", FIELD_QUERY, valid_bool, 1, 0 },
};

static const struct field my_alias_save_fields[] = {
	{ "recipients", FIELD_FORM, valid_utf8, 4096, 0 },
	{ "enabled", FIELD_FORM, valid_bool, 1, 0 },
	{ "description", FIELD_FORM, valid_utf8, 1024, 0 },
	{ "reply_code", FIELD_FORM, valid_text, 8, 0 },
	{ "updated_at", FIELD_FORM, valid_text, 64, 0 },
};

/* Mailboxes (mailbox.c, mailbox_read.c); passwords are checked there. */
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

static const struct field mailboxes_fields[] = {
	{ "done", FIELD_QUERY, valid_slug, 16, 0 },
};

static const struct field mailbox_fields[] = {
	{ "before", FIELD_QUERY, valid_cursor, MAILBOX_CURSOR_MAX, 0 },
	{ "done", FIELD_QUERY, valid_slug, 16, 0 },
};

static const struct field mailbox_new_fields[] = {
	{ "alias", FIELD_QUERY, valid_id, 18, 1 },
};

static const struct field mailbox_create_fields[] = {
	{ "alias", FIELD_FORM, valid_id, 18, 1 },
	{ "password", FIELD_FORM, valid_utf8, MBOX_PASSWORD_MAX, 1 },
	{ "password2", FIELD_FORM, valid_utf8, MBOX_PASSWORD_MAX, 1 },
};

static const struct field mailbox_unlock_fields[] = {
	{ "password", FIELD_FORM, valid_utf8, MBOX_PASSWORD_MAX, 1 },
};

static const struct field mailbox_delivery_fields[] = {
	{ "delivery", FIELD_FORM, valid_slug, 16, 1 },
};

static const struct field mailbox_password_fields[] = {
	{ "old_password", FIELD_FORM, valid_utf8, MBOX_PASSWORD_MAX, 1 },
	{ "password", FIELD_FORM, valid_utf8, MBOX_PASSWORD_MAX, 1 },
	{ "password2", FIELD_FORM, valid_utf8, MBOX_PASSWORD_MAX, 1 },
};

static const struct field mailbox_reset_fields[] = {
	{ "confirm", FIELD_FORM, valid_utf8, 1024, 1 },
	{ "password", FIELD_FORM, valid_utf8, MBOX_PASSWORD_MAX, 1 },
	{ "password2", FIELD_FORM, valid_utf8, MBOX_PASSWORD_MAX, 1 },
};

/* Personal API tokens and the JSON API (tokens.c, api.c). */
static const struct field tokens_fields[] = {
	{ "done", FIELD_QUERY, valid_slug, 16, 0 },
};

static const struct field token_create_fields[] = {
	{ "name", FIELD_FORM, valid_text, 256, 0 },
	{ "expires_days", FIELD_FORM, valid_text, 16, 0 },
};

/* Checked for meaning by api_page_args, which names the field at fault. */
static const struct field api_list_fields[] = {
	{ "limit", FIELD_QUERY, valid_text, 32, 0 },
	{ "cursor", FIELD_QUERY, valid_text, 512, 0 },
};

static const struct field api_members_fields[] = {
	{ "limit", FIELD_QUERY, valid_text, 32, 0 },
	{ "cursor", FIELD_QUERY, valid_text, 512, 0 },
	{ "q", FIELD_QUERY, valid_text, MEMBER_SEARCH_MAX, 0 },
};

static const struct field api_domain_aliases_fields[] = {
	{ "limit", FIELD_QUERY, valid_text, 32, 0 },
	{ "cursor", FIELD_QUERY, valid_text, 512, 0 },
	{ "q", FIELD_QUERY, valid_text, MEMBER_SEARCH_MAX, 0 },
	{ "enabled", FIELD_QUERY, valid_text, 8, 0 },
	{ "reason", FIELD_QUERY, valid_slug, 32, 0 },
};

/* The domain-admin pages (domain.c). */
static const struct field domain_fields[] = {
	{ "q", FIELD_QUERY, valid_text, MEMBER_SEARCH_MAX, 0 },
	{ "after", FIELD_QUERY, valid_text, MEMBER_CURSOR_MAX, 0 },
	{ "done", FIELD_QUERY, valid_slug, 32, 0 },
};

static const struct field domain_aliases_fields[] = {
	{ "q", FIELD_QUERY, valid_text, MEMBER_SEARCH_MAX, 0 },
	{ "enabled", FIELD_QUERY, valid_text, 3, 0 }, /* yes, no, "" */
	{ "reason", FIELD_QUERY, valid_text, 32, 0 },
	{ "after", FIELD_QUERY, valid_text, MEMBER_CURSOR_MAX, 0 },
};

static const struct field domain_log_fields[] = {
	{ "after", FIELD_QUERY, valid_text, MEMBER_CURSOR_MAX, 0 },
};

static const struct field domain_member_fields[] = {
	{ "done", FIELD_QUERY, valid_slug, 32, 0 },
};

static const struct field domain_role_fields[] = {
	{ "role", FIELD_FORM, valid_slug, 16, 1 },
};

/* Generous bounds: domain_members.c explains a wrong value by the field. */
static const struct field domain_alias_fields[] = {
	{ "local_part", FIELD_FORM, valid_text, 256, 0 },
	{ "recipients", FIELD_FORM, valid_text, 4096, 0 },
};

static const struct field domain_enabled_fields[] = {
	{ "enabled", FIELD_FORM, valid_slug, 3, 1 },
};

static const struct route table[] = {
	{ METHOD_GET, "/", h_home, ACCESS_ANYONE, 0, home_fields,
	    NFIELDS(home_fields) },
	{ METHOD_GET, "/my", h_my, ACCESS_SIGNED_IN, 0, NULL, 0 },
	{ METHOD_POST, "/auth/ubuntu", h_auth_start, ACCESS_ANYONE, 1,
	    auth_start_fields, NFIELDS(auth_start_fields) },
	/*
	 * Not CSRF-checked: the OP delivers here cross-site, maybe by POST.
	 * The assertion's signature and our one-use state protect it.
	 */
	{ METHOD_GET | METHOD_POST, "/auth/ubuntu/return", h_auth_return,
	    ACCESS_ANYONE, 0, NULL, 0 },
	{ METHOD_GET, "/auth/ubuntu/finish", h_auth_finish, ACCESS_ANYONE, 0,
	    auth_finish_fields, NFIELDS(auth_finish_fields) },
	{ METHOD_POST, "/auth/logout", h_logout, ACCESS_SIGNED_IN, 1, NULL, 0 },
	{ METHOD_GET, "/healthz", h_healthz, ACCESS_ANYONE, 0, NULL, 0 },
	{ METHOD_GET, "/readyz", h_readyz, ACCESS_ANYONE, 0, NULL, 0 },
#ifdef MM_TEST_HOOKS
	{ METHOD_GET, "/_test/sleep", h_test_sleep, ACCESS_ANYONE, 0,
	    test_sleep_fields, NFIELDS(test_sleep_fields) },
	{ METHOD_GET, "/_test/crash", h_test_crash, ACCESS_ANYONE, 0, NULL, 0 },
#endif
	/* Site admins (admin.c); before /:community, which /admin matches. */
	{ METHOD_GET, "/admin", h_admin, ACCESS_SITE_ADMIN, 0, NULL, 0 },
	{ METHOD_GET, "/admin/domains", h_admin_domains, ACCESS_SITE_ADMIN, 0,
	    admin_done_fields, NFIELDS(admin_done_fields) },
	{ METHOD_POST, "/admin/domains", h_admin_domain_add, ACCESS_SITE_ADMIN,
	    1, admin_domain_add_fields, NFIELDS(admin_domain_add_fields) },
	{ METHOD_POST, "/admin/domains/:domain/enabled", h_admin_domain_enabled,
	    ACCESS_SITE_ADMIN, 1, admin_domain_enabled_fields,
	    NFIELDS(admin_domain_enabled_fields) },
	{ METHOD_POST, "/admin/domains/:domain/limit", h_admin_domain_limit,
	    ACCESS_SITE_ADMIN, 1, admin_domain_limit_fields,
	    NFIELDS(admin_domain_limit_fields) },
	{ METHOD_GET, "/admin/users", h_admin_users, ACCESS_SITE_ADMIN, 0,
	    admin_users_fields, NFIELDS(admin_users_fields) },
	{ METHOD_GET, "/admin/users/:id", h_admin_user, ACCESS_SITE_ADMIN, 0,
	    admin_done_fields, NFIELDS(admin_done_fields) },
	{ METHOD_POST, "/admin/users/:id/ban", h_admin_user_ban,
	    ACCESS_SITE_ADMIN, 1, admin_ban_fields, NFIELDS(admin_ban_fields) },
	{ METHOD_POST, "/admin/users/:id/unban", h_admin_user_unban,
	    ACCESS_SITE_ADMIN, 1, NULL, 0 },
	{ METHOD_POST, "/admin/users/:id/site-admin", h_admin_user_site_admin,
	    ACCESS_SITE_ADMIN, 1, admin_site_admin_fields,
	    NFIELDS(admin_site_admin_fields) },
	{ METHOD_POST, "/admin/users/:id/domain-admin",
	    h_admin_user_domain_admin, ACCESS_SITE_ADMIN, 1,
	    admin_domain_admin_fields, NFIELDS(admin_domain_admin_fields) },
	{ METHOD_GET, "/admin/outbox", h_admin_outbox, ACCESS_SITE_ADMIN, 0,
	    admin_done_fields, NFIELDS(admin_done_fields) },
	{ METHOD_POST, "/admin/outbox/:id/retry", h_admin_outbox_retry,
	    ACCESS_SITE_ADMIN, 1, NULL, 0 },
	{ METHOD_POST, "/admin/outbox/:id/delete", h_admin_outbox_delete,
	    ACCESS_SITE_ADMIN, 1, NULL, 0 },
	{ METHOD_GET, "/admin/errors", h_admin_errors, ACCESS_SITE_ADMIN, 0,
	    NULL, 0 },
	/* Member pages (my.c). */
	{ METHOD_GET, "/my/aliases/:id", h_my_alias, ACCESS_SIGNED_IN, 0,
	    my_alias_fields, NFIELDS(my_alias_fields) },
	{ METHOD_POST, "/my/aliases/:id", h_my_alias_save, ACCESS_SIGNED_IN, 1,
	    my_alias_save_fields, NFIELDS(my_alias_save_fields) },
	/* Mailboxes (mailbox.c, mailbox_read.c); "new" before ":id". */
	{ METHOD_GET, "/my/mailbox", h_mailboxes, ACCESS_SIGNED_IN, 0,
	    mailboxes_fields, NFIELDS(mailboxes_fields) },
	{ METHOD_POST, "/my/mailbox", h_mailbox_create, ACCESS_SIGNED_IN, 1,
	    mailbox_create_fields, NFIELDS(mailbox_create_fields) },
	{ METHOD_GET, "/my/mailbox/new", h_mailbox_new, ACCESS_SIGNED_IN, 0,
	    mailbox_new_fields, NFIELDS(mailbox_new_fields) },
	{ METHOD_GET, "/my/mailbox/:id", h_mailbox, ACCESS_SIGNED_IN, 0,
	    mailbox_fields, NFIELDS(mailbox_fields) },
	{ METHOD_POST, "/my/mailbox/:id/unlock", h_mailbox_unlock,
	    ACCESS_SIGNED_IN, 1, mailbox_unlock_fields,
	    NFIELDS(mailbox_unlock_fields) },
	{ METHOD_POST, "/my/mailbox/:id/lock", h_mailbox_lock, ACCESS_SIGNED_IN,
	    1, NULL, 0 },
	{ METHOD_POST, "/my/mailbox/:id/delete", h_mailbox_delete,
	    ACCESS_SIGNED_IN, 1, NULL, 0 },
	{ METHOD_GET, "/my/mailbox/:id/export", h_mailbox_export,
	    ACCESS_SIGNED_IN, 0, NULL, 0 },
	{ METHOD_GET, "/my/mailbox/:id/messages/:mid", h_mailbox_message,
	    ACCESS_SIGNED_IN, 0, NULL, 0 },
	{ METHOD_GET, "/my/mailbox/:id/messages/:mid/attachments/:n",
	    h_mailbox_attachment, ACCESS_SIGNED_IN, 0, NULL, 0 },
	{ METHOD_GET, "/my/mailbox/:id/settings", h_mailbox_settings,
	    ACCESS_SIGNED_IN, 0, mailboxes_fields, NFIELDS(mailboxes_fields) },
	{ METHOD_POST, "/my/mailbox/:id/delivery", h_mailbox_delivery,
	    ACCESS_SIGNED_IN, 1, mailbox_delivery_fields,
	    NFIELDS(mailbox_delivery_fields) },
	{ METHOD_POST, "/my/mailbox/:id/password", h_mailbox_password,
	    ACCESS_SIGNED_IN, 1, mailbox_password_fields,
	    NFIELDS(mailbox_password_fields) },
	{ METHOD_POST, "/my/mailbox/:id/reset", h_mailbox_reset,
	    ACCESS_SIGNED_IN, 1, mailbox_reset_fields,
	    NFIELDS(mailbox_reset_fields) },
	/*
	 * Personal API tokens and the JSON API (tokens.c, api.c).  The API
	 * authenticates by bearer token only, never by cookie, so its state
	 * changes need no CSRF token (http/bearer.h); the dispatcher skips it.
	 */
	{ METHOD_GET, "/my/tokens", h_tokens, ACCESS_SIGNED_IN, 0,
	    tokens_fields, NFIELDS(tokens_fields) },
	{ METHOD_POST, "/my/tokens", h_token_create, ACCESS_SIGNED_IN, 1,
	    token_create_fields, NFIELDS(token_create_fields) },
	{ METHOD_POST, "/my/tokens/:id/revoke", h_token_revoke,
	    ACCESS_SIGNED_IN, 1, NULL, 0 },
	{ METHOD_GET, "/api/v1/me", h_api_me, ACCESS_SIGNED_IN, 0, NULL, 0 },
	{ METHOD_GET, "/api/v1/domains", h_api_domains, ACCESS_SIGNED_IN, 0,
	    api_list_fields, NFIELDS(api_list_fields) },
	{ METHOD_GET, "/api/v1/domains/:domain", h_api_domain,
	    ACCESS_DOMAIN_ADMIN, 0, NULL, 0 },
	{ METHOD_GET, "/api/v1/mailboxes", h_api_mailboxes, ACCESS_SIGNED_IN, 0,
	    NULL, 0 },
	{ METHOD_GET, "/api/v1/aliases", h_api_aliases, ACCESS_SIGNED_IN, 0,
	    api_list_fields, NFIELDS(api_list_fields) },
	{ METHOD_GET, "/api/v1/aliases/:id", h_api_alias, ACCESS_SIGNED_IN, 0,
	    NULL, 0 },
	{ METHOD_PATCH, "/api/v1/aliases/:id", h_api_alias_update,
	    ACCESS_SIGNED_IN, 1, NULL, 0 },
	{ METHOD_GET, "/api/v1/domains/:domain/members", h_api_members,
	    ACCESS_DOMAIN_ADMIN, 0, api_members_fields,
	    NFIELDS(api_members_fields) },
	{ METHOD_GET, "/api/v1/domains/:domain/members/:name", h_api_member,
	    ACCESS_DOMAIN_ADMIN, 0, NULL, 0 },
	{ METHOD_PATCH, "/api/v1/domains/:domain/members/:name",
	    h_api_member_update, ACCESS_DOMAIN_ADMIN, 1, NULL, 0 },
	{ METHOD_GET, "/api/v1/domains/:domain/aliases", h_api_domain_aliases,
	    ACCESS_DOMAIN_ADMIN, 0, api_domain_aliases_fields,
	    NFIELDS(api_domain_aliases_fields) },
	{ METHOD_GET, "/api/v1/domains/:domain/aliases/:id", h_api_alias,
	    ACCESS_DOMAIN_ADMIN, 0, NULL, 0 },
	{ METHOD_PATCH, "/api/v1/domains/:domain/aliases/:id",
	    h_api_alias_update, ACCESS_DOMAIN_ADMIN, 1, NULL, 0 },
	/* The domain-admin pages (domain.c). */
	{ METHOD_GET, "/domains/:domain", h_domain, ACCESS_DOMAIN_ADMIN, 0,
	    domain_fields, NFIELDS(domain_fields) },
	{ METHOD_GET, "/domains/:domain/aliases", h_domain_aliases,
	    ACCESS_DOMAIN_ADMIN, 0, domain_aliases_fields,
	    NFIELDS(domain_aliases_fields) },
	{ METHOD_GET, "/domains/:domain/log", h_domain_log, ACCESS_DOMAIN_ADMIN,
	    0, domain_log_fields, NFIELDS(domain_log_fields) },
	{ METHOD_GET, "/domains/:domain/members/:name", h_domain_member,
	    ACCESS_DOMAIN_ADMIN, 0, domain_member_fields,
	    NFIELDS(domain_member_fields) },
	{ METHOD_POST, "/domains/:domain/members/:name/role",
	    h_domain_member_role, ACCESS_DOMAIN_ADMIN, 1, domain_role_fields,
	    NFIELDS(domain_role_fields) },
	{ METHOD_POST, "/domains/:domain/members/:name/remove",
	    h_domain_member_remove, ACCESS_DOMAIN_ADMIN, 1, NULL, 0 },
	{ METHOD_POST, "/domains/:domain/members/:name/aliases",
	    h_domain_member_alias, ACCESS_DOMAIN_ADMIN, 1, domain_alias_fields,
	    NFIELDS(domain_alias_fields) },
	{ METHOD_POST, "/domains/:domain/aliases/:id/enabled",
	    h_domain_alias_enabled, ACCESS_DOMAIN_ADMIN, 1,
	    domain_enabled_fields, NFIELDS(domain_enabled_fields) },
	{ METHOD_POST, "/domains/:domain/members/:name/sync",
	    h_domain_member_sync, ACCESS_DOMAIN_ADMIN, 1, NULL, 0 },
	/* Last: a community's landing page, /ubuntu, /kubuntu, ... */
	{ METHOD_GET, "/:community", h_landing, ACCESS_ANYONE, 0, NULL, 0 },
};

/*
 * /my, the page members load most, reads the session and its data in one
 * round trip (route.h).
 */
static enum stmt
session_stmt(const struct route *rt)
{
	return rt->handler == h_my ? STMT_MY_SESSION_PAGE : STMT_SESSION_LOAD;
}

const struct router router = { table, NFIELDS(table), error_page,
	session_stmt };
