/*
 * handlers.h - the route table and every route handler, each with the
 * names of the values its route row declares (routes.c).
 *
 * Each handler is `enum app_err h_name(struct req *)`: it fills the response
 * through the resp_* helpers and returns APP_OK, or returns an error with
 * req->reason set and lets the dispatcher answer with the error page.  It
 * reads its path parameters with req_param (PARAM_*) and its fields with
 * req_field (the enum beside it), already validated by the dispatcher;
 * each field enum indexes the route's field table in routes.c.
 */
#ifndef MM_HANDLERS_H
#define MM_HANDLERS_H

#include <stddef.h>

#include <libpq-fe.h>

#include "http/route.h"
#include "lib/err.h"

extern const struct router router;

/* The path parameters, the router's table of them (routes.c). */
enum path_param {
	PARAM_NONE, /* ends a row's list */
	PARAM_ID,   /* a row id: 1..18 digits, no leading 0 */
	PARAM_DOMAIN,
	PARAM_NAME, /* a Launchpad name, any case */
	PARAM_COMMUNITY,
	PARAM_MESSAGE, /* a message id (mailbox_read.c) */
	PARAM_PART,    /* an attachment's number, 0..63 */
	PARAM_TOKEN,   /* a link's token: 43 characters of base64url */
	PARAM_LOCAL,   /* a local part (lower case) */
#ifdef MM_TEST_HOOKS
	PARAM_LABEL, /* any bytes: a slow request's path, as a test chose it */
#endif
	PARAM__N
};

/* Pages (pages.c). */
enum home_field {
	HOME_Q,
	HOME__N
};
enum app_err h_home(struct req *);
enum app_err h_landing(struct req *);
/* The longest page a form may come back to (sign-in's, the switch's). */
#define NEXT_PATH_MAX 512
enum language_field {
	LANGUAGE_LANG,
	LANGUAGE_NEXT,
	LANGUAGE__N
};
enum app_err h_language(struct req *);
enum app_err h_my(struct req *);

/* Sign-in (auth.c). */
enum auth_start_field {
	AUTH_START_DOMAIN,
	AUTH_START_NEXT,
	AUTH_START__N
};
enum app_err h_auth_start(struct req *);
enum auth_page_field {
	AUTH_PAGE_NEXT,
	AUTH_PAGE__N
};
enum app_err h_auth_page(struct req *);
enum app_err h_auth_return(struct req *);
enum auth_finish_field {
	AUTH_FINISH_STATE,
	AUTH_FINISH__N
};
enum app_err h_auth_finish(struct req *);
enum app_err h_logout(struct req *);

#ifdef MM_TEST_HOOKS
/* Test builds only (test_hooks.c). */
enum test_sleep_field {
	TEST_SLEEP_MS,
	TEST_SLEEP__N
};
enum app_err h_test_sleep(struct req *);
enum app_err h_test_crash(struct req *) __attribute__((noreturn));
#endif

/* Site admins: /admin (admin.c). */
/* ?done= of the pages a change redirects to (admin.c, tokens.c). */
enum done_field {
	DONE_CODE,
	DONE__N
};
enum app_err h_admin(struct req *);
enum app_err h_admin_domains(struct req *);
enum domain_add_field {
	DA_NAME,
	DA_TEAM,
	DA_SLUG,
	DA_TITLE,
	DA_LIMIT,
	DA__N
};
enum app_err h_admin_domain_add(struct req *);
enum domain_enabled_field {
	DOMAIN_ENABLED,
	DOMAIN_ENABLED__N
};
enum app_err h_admin_domain_enabled(struct req *);
enum domain_limit_field {
	DOMAIN_LIMIT,
	DOMAIN_LIMIT__N
};
enum app_err h_admin_domain_limit(struct req *);
enum app_err h_admin_reserved(struct req *); /* DONE_CODE */
enum reserved_field {
	RESERVED_LOCAL_PART,
	RESERVED__N
};
enum app_err h_admin_reserved_add(struct req *);
enum app_err h_admin_reserved_remove(struct req *);
enum app_err h_admin_reserved_assign(struct req *);
enum domain_logo_field {
	DOMAIN_LOGO,
	DOMAIN_LOGO__N
};
enum app_err h_admin_domain_logo(struct req *);
enum domain_role_field {
	DOMAIN_ROLE_RECIPIENT,
	DOMAIN_ROLE__N
};
enum app_err h_admin_domain_role(struct req *);
enum users_field {
	USERS_Q,
	USERS_AFTER,
	USERS__N
};
enum app_err h_admin_users(struct req *);
enum app_err h_admin_user(struct req *);
enum ban_field {
	BAN_REASON,
	BAN__N
};
enum app_err h_admin_user_ban(struct req *);
enum app_err h_admin_user_unban(struct req *);
enum site_admin_field {
	SITE_ADMIN_GRANT,
	SITE_ADMIN__N
};
enum app_err h_admin_user_site_admin(struct req *);
enum domain_admin_field {
	DOMAIN_ADMIN_DOMAIN,
	DOMAIN_ADMIN__N
};
enum app_err h_admin_user_domain_admin(struct req *);
enum app_err h_admin_outbox(struct req *);
enum app_err h_admin_outbox_retry(struct req *);
enum app_err h_admin_outbox_delete(struct req *);
enum app_err h_admin_errors(struct req *);

/* Probes (health.c). */
enum app_err h_healthz(struct req *);
enum app_err h_readyz(struct req *);

/* Personal API tokens (tokens.c); GET /my/tokens takes DONE_CODE. */
enum app_err h_tokens(struct req *);
enum token_create_field {
	TOKEN_NAME,
	TOKEN_DAYS,
	TOKEN_CREATE__N
};
enum app_err h_token_create(struct req *);
enum app_err h_token_revoke(struct req *);

/*
 * The JSON API (api.c).  Its listings' query fields: every listing takes
 * limit and cursor, a domain's members and aliases q too, a domain's
 * aliases also enabled and reason; each listing's table is a prefix.
 */
enum api_list_field {
	API_LIMIT,
	API_CURSOR,
	API_Q,
	API_ENABLED,
	API_REASON,
	API_LIST__N
};
enum app_err h_api_me(struct req *);
enum app_err h_api_domains(struct req *);
enum app_err h_api_domain(struct req *);
enum app_err h_api_domain_update(struct req *);
enum app_err h_api_aliases(struct req *);
enum app_err h_api_mailboxes(struct req *);
enum app_err h_api_alias(struct req *);
enum app_err h_api_alias_update(struct req *);
enum app_err h_api_members(struct req *);
enum app_err h_api_member(struct req *);
enum app_err h_api_member_update(struct req *);
enum app_err h_api_domain_aliases(struct req *);

/* The domain-admin pages (domain.c). */
enum domain_field {
	DOMAIN_Q,
	DOMAIN_AFTER,
	DOMAIN_DONE,
	DOMAIN__N
};
enum app_err h_domain(struct req *);
enum domain_aliases_field {
	ALIASES_Q,
	ALIASES_ENABLED,
	ALIASES_REASON,
	ALIASES_AFTER,
	ALIASES__N
};
enum app_err h_domain_aliases(struct req *);
enum domain_log_field {
	LOG_AFTER,
	LOG__N
};
enum app_err h_domain_log(struct req *);
enum app_err h_domain_member(struct req *); /* DONE_CODE */
enum role_field {
	SET_ROLE,
	SET_ROLE__N
};
enum app_err h_domain_member_role(struct req *);
enum app_err h_domain_member_remove(struct req *);
enum member_alias_field {
	NEW_LOCAL_PART,
	NEW_RECIPIENTS,
	NEW_ASSIGN, /* "yes": a site admin hands out a protected name */
	NEW_ALIAS__N
};
enum app_err h_domain_member_alias(struct req *);
enum alias_enabled_field {
	ALIAS_ENABLED,
	ALIAS_ENABLED__N
};
enum app_err h_domain_alias_enabled(struct req *);
enum app_err h_domain_alias_remove(struct req *);
enum app_err h_domain_member_sync(struct req *);
enum app_err h_domain_verify(struct req *);
enum domain_lang_field {
	DOMAIN_LANG, /* default_lang: a language tag */
	DOMAIN_LANG__N
};
enum app_err h_domain_language(struct req *);

/* Member pages (my.c); h_my above is there too. */
enum my_alias_field {
	MY_SAVED,
	MY_RESENT,
	MY_ALIAS__N
};
enum app_err h_my_alias(struct req *);
enum my_alias_save_field {
	MY_RECIPIENTS,
	MY_ENABLED,
	MY_DESCRIPTION,
	MY_REPLY_CODE,
	MY_UPDATED_AT,
	MY_ALIAS_SAVE__N
};
enum app_err h_my_alias_save(struct req *);
enum my_resend_field {
	MY_RESEND_ADDRESS,
	MY_RESEND__N
};
enum app_err h_my_alias_resend(struct req *);
/* The links membermail mails (links.c): PARAM_TOKEN. */
enum app_err h_confirm(struct req *);
enum app_err h_undo(struct req *);

/*
 * Mailboxes (mailbox.c, mailbox_read.c), and what the two share: the
 * user's mailbox of the path opened with its unlock cookie (*opened 0:
 * locked), the ?done= notices, sizes in words, no caching.  GET
 * /my/mailbox and its settings page take DONE_CODE; the delete form's
 * "message", given once per message, is read by its handler.
 */
enum app_err h_mailboxes(struct req *);
enum mailbox_new_field {
	MB_NEW_ALIAS,
	MB_NEW__N
};
enum app_err h_mailbox_new(struct req *);
enum mailbox_create_field {
	MB_CREATE_ALIAS,
	MB_CREATE_PASSWORD,
	MB_CREATE_PASSWORD2,
	MB_CREATE__N
};
enum app_err h_mailbox_create(struct req *);
enum mailbox_list_field {
	MB_LIST_BEFORE,
	MB_LIST_DONE,
	MB_LIST__N
};
enum app_err h_mailbox(struct req *);
enum mailbox_unlock_field {
	MB_UNLOCK_PASSWORD,
	MB_UNLOCK__N
};
enum app_err h_mailbox_unlock(struct req *);
enum app_err h_mailbox_lock(struct req *);
enum app_err h_mailbox_settings(struct req *);
enum mailbox_delivery_field {
	MB_DELIVERY,
	MB_DELIVERY__N
};
enum app_err h_mailbox_delivery(struct req *);
enum mailbox_password_field {
	MB_OLD_PASSWORD,
	MB_NEW_PASSWORD,
	MB_NEW_PASSWORD2,
	MB_PASSWORD__N
};
enum app_err h_mailbox_password(struct req *);
enum mailbox_reset_field {
	MB_RESET_CONFIRM,
	MB_RESET_PASSWORD,
	MB_RESET_PASSWORD2,
	MB_RESET__N
};
enum app_err h_mailbox_reset(struct req *);
enum app_err h_mailbox_message(struct req *);
enum app_err h_mailbox_attachment(struct req *);
enum app_err h_mailbox_export(struct req *);
enum app_err h_mailbox_delete(struct req *);
struct mailbox_open;
struct view_dict;
enum app_err mailbox_opened(struct req *, long long id, struct mailbox_open *,
    int *opened);
void         mailbox_notice(struct view_dict *, const char *done);
const char  *mailbox_size_words(struct arena *, const struct lang *,
     long long bytes);
/* The user's mailbox id as STMT_MBOX_GET reads it; NULL with *e (APP_ENOTFOUND
 * for another user's). */
PGresult    *mailbox_row(struct req *, long long id, enum app_err *e);
enum app_err mailbox_no_store(struct req *);

/*
 * Renders `page` inside the layout with req->view (created when NULL) and
 * makes it the response body.  APP_ENOMEM or APP_EINTERNAL on failure.
 */
enum app_err page_render(struct req *, int status, const char *title,
    const char *page);
/* Dictionary of the current page, created on first use; NULL on failure. */
struct view_dict *page_dict(struct req *);
/* What /my's checklist needs about one community (checklist.c). */
struct checklist {
	const char *domain;
	const char *team;
	int         checked;    /* the team has a trusted snapshot */
	int         member;     /* and it lists the user */
	int         verified;   /* the domain's DNS record */
	int         reserved;   /* the user's name is reserved there */
	long long   last_fetch; /* the team's last fetch (epoch s), or 0 */
};
/*
 * A CHECKLIST row under dd: each requirement of an address there, done or
 * missing, with what to do, and when Launchpad is checked again.
 */
enum app_err checklist_add(struct req *, struct view_dict *dd,
    const struct checklist *);
/*
 * HISTORY rows (LINE: a sentence, history.h) of an audit statement's
 * result, whose columns are when, actor kind, actor name, action, target
 * label, before, after; named: say which object each row is about.
 */
enum app_err history_rows(struct req *, struct view_dict *, PGresult *,
    int named);
/*
 * A page that is the same for every signed-out visitor but for the CSRF
 * token, made only from the worker's cached domain lists (db_cached, read
 * by the caller before this call, so the cache's version is the data's):
 * fill() sets its values on d as for page_render, without touching the
 * database, and is called only when the page is not kept yet for key and
 * that version, or for a signed-in user (whose page is rendered as usual).
 * Status 200.
 */
typedef enum app_err page_fill_fn(struct req *, struct view_dict *d,
    const void *arg);
enum app_err         page_render_shared(struct req *, const char *key,
	    const char *title, const char *page, page_fill_fn *fill, const void *arg);

/* What a page says after a change its 303 named in ?done= (N_() text). */
struct page_notice {
	const char *done;
	const char *text;
};
/* Shows NOTICE with the text of `done' in the table of n, if there. */
void page_notice(struct view_dict *, const char *done,
    const struct page_notice *, size_t           n);

/*
 * key on d: a time PostgreSQL wrote, in the request's language's format
 * (i18n_time; "" stays ""), or a count with its digit grouping.
 */
void page_set_time(const struct req *, struct view_dict *, const char *key,
    const char *pgtime);
void page_set_count(const struct req *, struct view_dict *, const char *key,
    long long n);

/* Fills the response with the error page for `err` (errors.c). */
void error_page(struct req *, enum app_err, const char *allow);

#endif
