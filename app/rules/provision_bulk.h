/*
 * provision_bulk.h - between provision.c and provision_bulk.c only: the
 * pieces of one plan's application that the bulk writer shares.
 */
#ifndef MM_PROVISION_BULK_H
#define MM_PROVISION_BULK_H

#include <stddef.h>

#include "lib/err.h"

struct arena;
struct mail_rcpt;
struct prov;
struct prov_action;
struct prov_domain;
struct prov_user;
struct view_dict;

/* Applies one plan in a transaction of its own (provision.c). */
void prov_apply(struct prov *, const struct prov_user *,
    const struct prov_domain *, const struct prov_action *, size_t n,
    const char *rcpt);
/*
 * What a provisioning mail says about local@domain (local NULL: u's
 * name): a reason of the rules and a removal date (PostgreSQL's), or
 * NULL; prov_mail_fill puts it into a mail's dictionary in the mail's
 * language (rules/notify.h's mail_fill_fn).
 */
struct prov_mail {
	const struct prov_user   *u;
	const struct prov_domain *d;
	const char               *local, *reason, *when;
};
enum app_err prov_mail_fill(struct view_dict *, const void *prov_mail);
/*
 * Its recipients: the domain's admins, after u when to_user, each in
 * their language (u's choice, else the domain's); in the arena, NULL when
 * out of memory.
 */
struct mail_rcpt *prov_mail_to(struct arena *, const struct prov_user *,
    const struct prov_domain *, int to_user, size_t *n);
/*
 * The template that tells the admins of a creation: the "signed in" one
 * with the first address of a user not announced yet (*announced set).
 */
const char *prov_create_mail(const struct prov_user *,
    const struct prov_action *, int *announced);
/*
 * Takes the plan into p->bulk when it only creates addresses and joins:
 * 1 taken, 0 not such a plan (apply it now), -1 on failure (idem).
 */
int prov_bulk_add(struct prov *, const struct prov_user *,
    const struct prov_domain *, const struct prov_action *, size_t n,
    const char *rcpt);

/* Frees p->bulk (what waits in it must have been flushed). */
void prov_bulk_end(struct prov *);

#endif
