/*
 * provision_bulk.c - new addresses written many to a transaction; see
 * prov_bulk_start in provision.h.
 *
 * A first sync creates an address for nearly every user: one transaction
 * each costs a dozen round trips to PostgreSQL, which is most of the
 * run.  Plans that only create addresses and join users to domains wait
 * here, their mails rendered, and go out in one statement per batch
 * (STMT_PROV_BULK_CREATE) with the same rows, audit rows and outbox rows
 * as provision.c writes one by one.  A batch that fails (someone took an
 * address meanwhile) is rolled back whole and its plans are applied one
 * at a time, as they would have been.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "rules/notify.h"
#include "rules/provision.h"
#include "rules/provision_bulk.h"
#include "store/db.h"
#include "views/view.h"

#define BULK_PLANS 500 /* plans per statement */

/* One plan waiting, kept to be applied alone should its batch fail. */
struct waiting {
	const struct prov_user   *u;
	const struct prov_domain *d;
	const struct prov_action *acts;
	size_t                    n;
	const char               *rcpt;
};

struct prov_bulk {
	struct waiting w[BULK_PLANS];
	size_t         n;
	long           creates;
	json_object   *aliases, *members, *mails;
	struct buf     announced; /* ids, an array literal without braces */
};

static void
bulk_reset(struct prov_bulk *b)
{
	json_object_put(b->aliases);
	json_object_put(b->members);
	json_object_put(b->mails);
	b->aliases = json_object_new_array();
	b->members = json_object_new_array();
	b->mails = json_object_new_array();
	buf_reset(&b->announced);
	b->n = 0;
	b->creates = 0;
}

enum app_err
prov_bulk_start(struct prov *p)
{
	if ((p->bulk = arena_calloc(p->a, 1, sizeof(*p->bulk))) == NULL)
		return APP_ENOMEM;
	buf_init(&p->bulk->announced, (size_t)1 << 20);
	bulk_reset(p->bulk);
	return p->bulk->aliases != NULL && p->bulk->members != NULL &&
		p->bulk->mails != NULL ?
	    APP_OK :
	    APP_ENOMEM;
}

/* Whether every action of the plan is one the bulk writes. */
static int
only_additions(const struct prov_action *acts, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (acts[i].kind != ACT_CREATE &&
		    acts[i].kind != ACT_CREATE_DISABLED &&
		    acts[i].kind != ACT_JOIN)
			return 0;
	return 1;
}

static int
add_field(json_object *o, const char *k, json_object *v)
{
	return v != NULL && json_object_object_add(o, k, v) == 0 ? 0 : -1;
}

/* One language's mail of a creation, into b->mails (mail_emit_fn). */
static int
add_mail_text(const struct mail_text *m, void *arg)
{
	struct prov_bulk *b = arg;
	json_object      *o;

	if ((o = json_object_new_object()) == NULL)
		return -1;
	if (add_field(o, "t", json_object_new_string(m->to.data)) == 0 &&
	    add_field(o, "s", json_object_new_string(m->subject)) == 0 &&
	    add_field(o, "b", json_object_new_string(m->body)) == 0 &&
	    json_object_array_add(b->mails, o) == 0)
		return 0;
	json_object_put(o);
	return -1;
}

/* The mail telling the admins of one creation, into b->mails. */
static int
add_mail(struct prov *p, const struct prov_user *u, const struct prov_domain *d,
    const struct prov_action *x, int *announced)
{
	struct prov_mail  m = { u, d, x->local_part, NULL, NULL };
	struct mail_rcpt *to;
	size_t            n;

	if ((to = prov_mail_to(p->a, u, d, 0, &n)) == NULL)
		return -1;
	return mail_render(p->cfg, prov_create_mail(u, x, announced), to, n,
		   prov_mail_fill, &m, add_mail_text, p->bulk) == APP_OK ?
	    0 :
	    -1;
}

static int
add_row(json_object *list, long long d, const char *l, long long u,
    const char *r, int on)
{
	json_object *o;

	if ((o = json_object_new_object()) == NULL)
		return -1;
	if (add_field(o, "d", json_object_new_int64(d)) == -1 ||
	    add_field(o, "u", json_object_new_int64(u)) == -1 ||
	    add_field(o, l != NULL ? "l" : "n",
		json_object_new_string(l != NULL ? l : r)) == -1 ||
	    (l != NULL &&
		(add_field(o, "r", json_object_new_string(r)) == -1 ||
		    add_field(o, "e", json_object_new_boolean(on)) == -1)) ||
	    json_object_array_add(list, o) != 0) {
		json_object_put(o);
		return -1;
	}
	return 0;
}

static int
add_plan(struct prov *p, const struct waiting *w)
{
	struct prov_bulk         *b = p->bulk;
	const struct prov_action *x;
	size_t                    i;
	int                       announced = 0;

	for (i = 0; i < w->n; i++) {
		x = &w->acts[i];
		if (x->kind == ACT_JOIN) {
			if (add_row(b->members, w->d->id, NULL, w->u->id,
				w->u->name, 0) == -1)
				return -1;
			continue;
		}
		if (add_row(b->aliases, w->d->id, x->local_part, w->u->id,
			w->rcpt, x->kind == ACT_CREATE) == -1 ||
		    add_mail(p, w->u, w->d, x, &announced) == -1)
			return -1;
		b->creates++;
	}
	if (announced)
		buf_printf(&b->announced, "%s%lld", b->announced.len ? "," : "",
		    w->u->id);
	return b->announced.failed ? -1 : 0;
}

/* Applies the waiting plans one at a time, and empties the batch. */
static void
one_by_one(struct prov *p)
{
	struct prov_bulk *b = p->bulk;
	size_t            i;

	if (b->n > 0)
		log_warn("provision_bulk_failed", LOG_UINT("plans", b->n),
		    LOG_STR("reason", "applied one by one"));
	for (i = 0; i < b->n; i++)
		prov_apply(p, b->w[i].u, b->w[i].d, b->w[i].acts, b->w[i].n,
		    b->w[i].rcpt);
	bulk_reset(b);
}

int
prov_bulk_add(struct prov *p, const struct prov_user *u,
    const struct prov_domain *d, const struct prov_action *acts, size_t n,
    const char *rcpt)
{
	struct prov_bulk *b = p->bulk;
	struct waiting    w = { u, d, acts, n, rcpt };

	if (!only_additions(acts, n))
		return 0;
	if (b->n == BULK_PLANS)
		prov_flush(p);
	if (add_plan(p, &w) == -1) {
		/* Half of it is in the batch: the batch goes one by one. */
		one_by_one(p);
		return -1;
	}
	b->w[b->n++] = w;
	return 1;
}

static const char *
json_text(json_object *o)
{
	return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
}

void
prov_flush(struct prov *p)
{
	struct prov_bulk *b = p->bulk;
	struct buf        ids;
	const char       *prm[4];
	PGresult         *res;
	enum app_err      e;

	if (b == NULL || b->n == 0)
		return;
	buf_init(&ids, (size_t)1 << 20);
	buf_printf(&ids, "{%s}", buf_cstr(&b->announced));
	prm[0] = json_text(b->aliases);
	prm[1] = json_text(b->members);
	prm[2] = json_text(b->mails);
	prm[3] = buf_cstr(&ids);
	res = prm[0] != NULL && prm[1] != NULL && prm[2] != NULL &&
		!ids.failed ?
	    db_exec(p->db, STMT_PROV_BULK_CREATE, 4, prm, &e) :
	    NULL;
	buf_free(&ids);
	if (res == NULL) {
		one_by_one(p);
		return;
	}
	p->st.created += (long)db_ll(res, 0, PROV_BULK_CREATE_CREATED);
	log_info("provisioned", LOG_UINT("plans", b->n),
	    LOG_INT("created", b->creates));
	PQclear(res);
	bulk_reset(b);
}

void
prov_bulk_end(struct prov *p)
{
	if (p->bulk == NULL)
		return;
	json_object_put(p->bulk->aliases);
	json_object_put(p->bulk->members);
	json_object_put(p->bulk->mails);
	buf_free(&p->bulk->announced);
	p->bulk = NULL;
}
