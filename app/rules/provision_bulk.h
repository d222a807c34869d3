/*
 * provision_bulk.h - between provision.c and provision_bulk.c only: the
 * pieces of one plan's application that the bulk writer shares.
 */
#ifndef MM_PROVISION_BULK_H
#define MM_PROVISION_BULK_H

#include <stddef.h>

struct prov;
struct prov_action;
struct prov_domain;
struct prov_user;
struct view_dict;

/* Applies one plan in a transaction of its own (provision.c). */
void prov_apply(struct prov *, const struct prov_user *,
    const struct prov_domain *, const struct prov_action *, size_t n,
    const char *rcpt);
/* The dictionary of a provisioning mail about local@domain. */
struct view_dict *prov_mail_dict(const struct prov_user *,
    const struct prov_domain *, const char *local);
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
