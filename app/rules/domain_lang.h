/*
 * domain_lang.h - a domain's default language: the one its e-mail is
 * written in for whoever chose none (its admins and members who never
 * used the language switch; notify.h).  The site offers the languages it
 * has catalogues for (lib/i18n.h), so a tag is checked against those,
 * not only against the form the database checks.
 *
 * Who may: an admin of the domain, or a site admin (domain_members.h
 * says the same of every domain-admin rule, and answers alike).
 * Ownership: nothing here keeps state between calls.
 */
#ifndef MM_DOMAIN_LANG_H
#define MM_DOMAIN_LANG_H

#include "lib/err.h"
#include "rules/alias.h"

struct actor;
struct db;

/*
 * Sets the default language of domain to tag (a language the site
 * offers, any case: "fi", "FI"), one transaction with the domain's row
 * locked and the audit row domain.default_lang (before and after
 * {"default_lang"}).  APP_OK with *changed 0 when it already was (nothing
 * written); APP_EINVALID with *why ("default_lang", "unknown_language")
 * for a tag the site does not offer; APP_EFORBIDDEN for a caller who may
 * not administer the domain (whether or not it exists); APP_ENOTFOUND for
 * a site admin naming no domain.
 */
enum app_err domain_lang_set(struct db *, const struct actor *,
    const char *domain, const char *tag, struct alias_problem *why,
    int *changed);

#endif
