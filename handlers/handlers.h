/*
 * handlers.h - the route table and every route handler.
 *
 * Each handler is `enum app_err h_name(struct req *)`: it fills the response
 * through the resp_* helpers and returns APP_OK, or returns an error with
 * req->reason set and lets the dispatcher answer with the error page.
 */
#ifndef MM_HANDLERS_H
#define MM_HANDLERS_H

#include <stddef.h>

#include "http/route.h"
#include "lib/err.h"

extern const struct router router;

/* Pages (pages.c). */
enum app_err h_home(struct req *);
enum app_err h_landing(struct req *);
enum app_err h_my(struct req *);
/* Sign-in (auth.c). */
enum app_err h_auth_start(struct req *);
enum app_err h_auth_return(struct req *);
enum app_err h_auth_finish(struct req *);
enum app_err h_logout(struct req *);
#ifdef MM_TEST_HOOKS
/* Test builds only (test_hooks.c). */
enum app_err h_test_sleep(struct req *);
enum app_err h_test_crash(struct req *) __attribute__((noreturn));
#endif
/* Site admins: /admin (admin.c). */
enum app_err h_admin(struct req *);
enum app_err h_admin_domains(struct req *);
enum app_err h_admin_domain_add(struct req *);
enum app_err h_admin_domain_enabled(struct req *);
enum app_err h_admin_domain_limit(struct req *);
enum app_err h_admin_users(struct req *);
enum app_err h_admin_user(struct req *);
enum app_err h_admin_user_ban(struct req *);
enum app_err h_admin_user_unban(struct req *);
enum app_err h_admin_user_site_admin(struct req *);
enum app_err h_admin_user_domain_admin(struct req *);
enum app_err h_admin_outbox(struct req *);
enum app_err h_admin_outbox_retry(struct req *);
enum app_err h_admin_outbox_delete(struct req *);
enum app_err h_admin_errors(struct req *);
/* Probes (health.c). */
enum app_err h_healthz(struct req *);
enum app_err h_readyz(struct req *);
/* Personal API tokens (tokens.c). */
enum app_err h_tokens(struct req *);
enum app_err h_token_create(struct req *);
enum app_err h_token_revoke(struct req *);
/* The JSON API (api.c). */
enum app_err h_api_me(struct req *);
enum app_err h_api_domains(struct req *);
enum app_err h_api_domain(struct req *);
enum app_err h_api_mailboxes(struct req *);
enum app_err h_api_aliases(struct req *);
enum app_err h_api_alias(struct req *);
enum app_err h_api_alias_update(struct req *);
enum app_err h_api_members(struct req *);
enum app_err h_api_member(struct req *);
enum app_err h_api_member_update(struct req *);
enum app_err h_api_domain_aliases(struct req *);

/* The domain-admin pages (domain.c). */
enum app_err h_domain(struct req *);
enum app_err h_domain_aliases(struct req *);
enum app_err h_domain_log(struct req *);
enum app_err h_domain_member(struct req *);
enum app_err h_domain_member_role(struct req *);
enum app_err h_domain_member_remove(struct req *);
enum app_err h_domain_member_alias(struct req *);
enum app_err h_domain_alias_enabled(struct req *);
enum app_err h_domain_member_sync(struct req *);

/*
 * Renders `page` inside the layout with req->view (created when NULL) and
 * makes it the response body.  APP_ENOMEM or APP_EINTERNAL on failure.
 */
enum app_err page_render(struct req *, int status, const char *title,
    const char *page);
/* Dictionary of the current page, created on first use; NULL on failure. */
struct view_dict *page_dict(struct req *);

/* Member pages (my.c); h_my above is there too. */
enum app_err h_my_alias(struct req *);
enum app_err h_my_alias_save(struct req *);

/*
 * Mailboxes (mailbox.c, mailbox_read.c), and what the two share: the
 * user's mailbox of the path opened with its unlock cookie (*opened 0:
 * locked), the ?done= notices, sizes in words, no caching.
 */
enum app_err h_mailboxes(struct req *);
enum app_err h_mailbox_new(struct req *);
enum app_err h_mailbox_create(struct req *);
enum app_err h_mailbox_unlock(struct req *);
enum app_err h_mailbox_lock(struct req *);
enum app_err h_mailbox_settings(struct req *);
enum app_err h_mailbox_delivery(struct req *);
enum app_err h_mailbox_password(struct req *);
enum app_err h_mailbox_reset(struct req *);
enum app_err h_mailbox(struct req *);
enum app_err h_mailbox_message(struct req *);
enum app_err h_mailbox_attachment(struct req *);
enum app_err h_mailbox_export(struct req *);
enum app_err h_mailbox_delete(struct req *);
struct mailbox_open;
struct view_dict;
enum app_err mailbox_opened(struct req *, long long id, struct mailbox_open *,
    int *opened);
void         mailbox_notice(struct req *, struct view_dict *, const char *done);
const char  *mailbox_size_words(struct arena *, long long bytes);
enum app_err mailbox_no_store(struct req *);

/* Fills the response with the error page for `err` (errors.c). */
void error_page(struct req *, enum app_err, const char *allow);

#endif
