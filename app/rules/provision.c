/* provision.c - the provisioning rules and their engine; see provision.h. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "lib/arena.h"
#include "lib/conf.h"
#include "lib/i18n.h"
#include "lib/log.h"
#include "rules/alias.h"
#include "rules/notify.h"
#include "rules/provision.h"
#include "rules/provision_bulk.h"
#include "rules/snapshot.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/errlog.h"
#include "views/view.h"

#define LABEL_MAX 320 /* audit_log_target_label_check */

/* ---- the planner (pure) */

static const char *const status_names[] = {
	[PERSON_UNKNOWN] = "",
	[PERSON_VALID] = "valid",
	[PERSON_NOT_FOUND] = "not-found",
	[PERSON_NOT_VALID] = "not-valid",
	[PERSON_NOT_COC] = "not-coc-signer",
	[PERSON_IS_TEAM] = "is-team",
	[PERSON_NAME_MISMATCH] = "name-mismatch",
};

const char *
person_status_name(enum person_state s)
{
	return status_names[s];
}

enum person_state
person_from_status(const char *s)
{
	size_t i;

	for (i = PERSON_VALID;
	     i < sizeof(status_names) / sizeof(status_names[0]); i++)
		if (strcmp(s, status_names[i]) == 0)
			return (enum person_state)i;
	return PERSON_UNKNOWN;
}

enum person_state
person_from_lp(enum lp_outcome o, const struct lp_person *p, const char *asked)
{
	if (o == LP_NOT_FOUND)
		return PERSON_NOT_FOUND;
	if (o != LP_OK)
		return PERSON_UNKNOWN;
	if (strcasecmp(p->name, asked) != 0)
		return PERSON_NAME_MISMATCH;
	return person_from_flags(p->is_team, p->is_valid, p->is_coc_signer);
}

enum person_state
person_from_flags(int is_team, int is_valid, int is_coc_signer)
{
	if (is_team)
		return PERSON_IS_TEAM;
	if (!is_valid)
		return PERSON_NOT_VALID;
	return is_coc_signer ? PERSON_VALID : PERSON_NOT_COC;
}

/* Reasons only the sync gives, and so the only ones it takes back. */
static int
sync_reason(const char *r)
{
	return strcmp(r, "left-team") == 0 || strcmp(r, "invalid-user") == 0 ||
	    strcmp(r, "banned") == 0;
}

static struct prov_action *
act(struct prov_action *out, size_t *n, enum prov_kind k,
    const struct prov_alias *al, const char *reason)
{
	struct prov_action *x = &out[(*n)++];

	memset(x, 0, sizeof(*x));
	x->kind = k;
	x->reason = reason;
	if (al != NULL) {
		x->alias_id = al->id;
		x->local_part = al->local_part;
	}
	return x;
}

/*
 * Takes U's aliases off D: those the rules have not taken off yet,
 * whoever disabled them before, are disabled with reason (deleted at once
 * when there is no grace); expired ones the rules took off are deleted.
 * Returns how many aliases are left.
 */
static size_t
take_off(const struct prov_input *in, const char *reason,
    struct prov_action *out, size_t *n)
{
	const struct prov_alias *al;
	size_t                   i, left = in->naliases;

	for (i = 0; i < in->naliases; i++) {
		al = &in->aliases[i];
		if (sync_reason(al->reason) && !al->expired)
			continue;
		if (!sync_reason(al->reason) && in->grace_days > 0)
			act(out, n, ACT_DISABLE, al, reason);
		else {
			act(out, n, ACT_DELETE, al, NULL);
			left--;
		}
	}
	return left;
}

static size_t
plan_invalid(const struct prov_input *in, struct prov_action *out)
{
	size_t n = 0, left;

	left = take_off(in, in->banned ? "banned" : "invalid-user", out, &n);
	if (in->role == ROLE_MEMBER || in->member == MEMBER_YES)
		act(out, &n, ACT_TELL_INVALID, NULL,
		    in->banned ? "banned" : person_status_name(in->person));
	if (in->role == ROLE_MEMBER && left == 0)
		act(out, &n, ACT_PRUNE, NULL, NULL);
	return n;
}

static size_t
plan_member(const struct prov_input *in, struct prov_action *out)
{
	const struct prov_alias *al;
	struct prov_action      *x;
	size_t                   i, n = 0;
	int                      have = 0;
	char                     addr[LABEL_MAX];

	for (i = 0; i < in->naliases; i++) {
		al = &in->aliases[i];
		if (strcmp(al->local_part, in->name) == 0)
			have = 1;
		if (!al->enabled && sync_reason(al->reason) && !al->reserved)
			act(out, &n, ACT_ENABLE, al, NULL);
	}
	if (!have) {
		snprintf(addr, sizeof(addr), "%s@%s", in->name, in->domain);
		if (in->local_reserved)
			act(out, &n, ACT_NOT_CREATED, NULL, "reserved");
		else if (in->local_taken)
			act(out, &n, ACT_NOT_CREATED, NULL, "taken");
		else if (!alias_recipient_valid(in->email))
			act(out, &n, ACT_NOT_CREATED, NULL, "recipient");
		else if (in->role != ROLE_ADMIN &&
		    in->naliases >= (size_t)in->alias_limit)
			act(out, &n, ACT_NOT_CREATED, NULL, "limit");
		else {
			x = act(out, &n,
			    strcasecmp(in->email, addr) == 0 ?
				ACT_CREATE_DISABLED :
				ACT_CREATE,
			    NULL, NULL);
			x->local_part = in->name;
			have = 1;
		}
	}
	if (in->role == ROLE_NONE && (have || in->naliases > 0))
		act(out, &n, ACT_JOIN, NULL, NULL);
	else if (in->role == ROLE_MEMBER && !have && in->naliases == 0)
		act(out, &n, ACT_PRUNE, NULL, NULL);
	return n;
}

static size_t
plan_left(const struct prov_input *in, struct prov_action *out)
{
	struct prov_action *x;
	size_t              n = 0;

	if (take_off(in, "left-team", out, &n) == 0 &&
	    in->role == ROLE_MEMBER) {
		x = act(out, &n, ACT_PRUNE, NULL, NULL);
		x->forget = 1;
	}
	return n;
}

/*
 * An admin who is not banned: their aliases are never taken off (they run
 * the domain), and what a ban took they get back, whatever Launchpad says.
 */
static size_t
plan_admin(const struct prov_input *in, struct prov_action *out)
{
	size_t i, n = 0;

	if (in->person == PERSON_VALID && in->member == MEMBER_YES)
		return plan_member(in, out);
	for (i = 0; i < in->naliases; i++)
		if (!in->aliases[i].enabled && !in->aliases[i].reserved &&
		    strcmp(in->aliases[i].reason, "banned") == 0)
			act(out, &n, ACT_ENABLE, &in->aliases[i], NULL);
	return n;
}

/*
 * A ban ends access whoever it hits: a banned admin's aliases are disabled
 * too, though never removed, and the admin role stays (the site admins
 * decide about both).
 */
static size_t
plan_banned_admin(const struct prov_input *in, struct prov_action *out)
{
	size_t i, n = 0;

	for (i = 0; i < in->naliases; i++)
		if (!sync_reason(in->aliases[i].reason))
			act(out, &n, ACT_DISABLE, &in->aliases[i], "banned");
	act(out, &n, ACT_TELL_INVALID, NULL, "banned");
	return n;
}

size_t
provision_plan(const struct prov_input *in, struct prov_action *out)
{
	if (in->role == ROLE_ADMIN)
		return in->banned ? plan_banned_admin(in, out) :
				    plan_admin(in, out);
	if (in->banned ||
	    (in->person != PERSON_UNKNOWN && in->person != PERSON_VALID))
		return plan_invalid(in, out);
	if (in->person == PERSON_UNKNOWN || in->member == MEMBER_UNKNOWN)
		return 0;
	if (in->member == MEMBER_YES)
		return plan_member(in, out);
	return in->removals_allowed ? plan_left(in, out) : 0;
}

/* ---- the engine: what the rules look at, loaded in bulk */

struct mrow {
	long long user_id, domain_id;
	int       admin;
};

struct arow {
	long long         id, domain_id, user_id;
	struct prov_alias al;
};

/* A user's name that is reserved on a domain. */
struct rsv {
	long long   domain_id;
	const char *local;
};

struct prov_state {
	PGresult     *mres, *ares, *rres;
	struct rsv   *rsv; /* by (domain, local part) */
	size_t        nrsv;
	struct mrow  *m; /* by (user, domain) */
	size_t        nm;
	struct arow  *r; /* by (user, domain, id) */
	size_t        nr;
	struct arow **bylocal; /* by (domain, local part) */
};

/* The domain's default language and its admins' (columns of row). */
static enum app_err
domain_langs(struct arena *a, PGresult *res, int row, int lang_col,
    int admins_col, struct prov_domain *d)
{
	const char **tags;
	size_t       n, i;
	enum app_err e;

	d->lang = i18n_tag(db_str(res, row, lang_col));
	if ((e = db_array(a, res, row, admins_col, &tags, &n)) != APP_OK)
		return e;
	if ((d->admin_langs = arena_calloc(a, d->nadmins + 1,
		 sizeof(*d->admin_langs))) == NULL)
		return APP_ENOMEM;
	for (i = 0; i < d->nadmins; i++)
		d->admin_langs[i] = i < n ? i18n_tag(tags[i]) : d->lang;
	return APP_OK;
}

enum app_err
prov_load_domains(struct prov *p)
{
	struct prov_domain *d;
	struct errlog_who   w;
	PGresult           *res;
	enum app_err        e;
	int                 i;

	if ((res = db_exec(p->db, STMT_PROV_DOMAINS, 0, NULL, &e)) == NULL)
		return e;
	p->ndomains = (size_t)PQntuples(res);
	if ((p->domains = arena_calloc(p->a, p->ndomains + 1,
		 sizeof(*p->domains))) == NULL) {
		PQclear(res);
		return APP_ENOMEM;
	}
	for (i = 0; i < PQntuples(res); i++) {
		d = &p->domains[i];
		d->id = db_ll(res, i, PROV_DOMAINS_ID);
		d->name = db_dup(p->a, res, i, PROV_DOMAINS_NAME);
		d->team = db_dup(p->a, res, i, PROV_DOMAINS_TEAM);
		d->alias_limit = (int)db_ll(res, i, PROV_DOMAINS_LIMIT);
		e = db_array(p->a, res, i, PROV_DOMAINS_ADMINS, &d->admins,
		    &d->nadmins);
		if (e == APP_OK)
			e = domain_langs(p->a, res, i, PROV_DOMAINS_LANG,
			    PROV_DOMAINS_ADMIN_LANGS, d);
		if (e == APP_OK && (d->name == NULL || d->team == NULL))
			e = APP_ENOMEM;
		if (e != APP_OK) {
			PQclear(res);
			return e;
		}
	}
	PQclear(res);
	for (i = 0; i < (int)p->ndomains; i++) {
		d = &p->domains[i];
		if (d->nadmins > 0)
			continue;
		/* A domain without an admin: nobody to tell, nothing changes. */
		prov_fail(p, arena_printf(p->a, "no-admin:%s", d->name),
		    N_("%s has no admin who is not banned: it is left "
		       "unchanged"),
		    d->name);
		memset(&w, 0, sizeof(w));
		w.domain_id = d->id;
		w.domain = d->name;
		if (p->dry_run)
			log_error("provision_error",
			    LOG_WORD("code", "no-admin"),
			    LOG_WORD("domain", d->name));
		else if (
		    (e = errlog_record(p->db, &w, "no-admin",
			 N_("the domain has no admin who is not banned; it is "
			    "left unchanged"))) != APP_OK)
			return e;
	}
	return APP_OK;
}

static int
cmp_m(const void *a, const void *b)
{
	const struct mrow *x = a, *y = b;

	if (x->user_id != y->user_id)
		return x->user_id < y->user_id ? -1 : 1;
	if (x->domain_id != y->domain_id)
		return x->domain_id < y->domain_id ? -1 : 1;
	return 0;
}

static int
cmp_local(const void *a, const void *b)
{
	const struct arow *x = *(const struct arow *const *)a;
	const struct arow *y = *(const struct arow *const *)b;

	if (x->domain_id != y->domain_id)
		return x->domain_id < y->domain_id ? -1 : 1;
	return strcmp(x->al.local_part, y->al.local_part);
}

static int
cmp_rsv(const void *a, const void *b)
{
	const struct rsv *x = a, *y = b;

	if (x->domain_id != y->domain_id)
		return x->domain_id < y->domain_id ? -1 : 1;
	return strcmp(x->local, y->local);
}

/* The reserved names among the users' (uid: NULL for all), sorted. */
static enum app_err
load_reserved(struct prov *p, struct prov_state *s, const char *uid)
{
	enum app_err e;
	size_t       i;

	if ((s->rres = db_exec(p->db, STMT_PROV_RESERVED, 1, &uid, &e)) == NULL)
		return e;
	s->nrsv = (size_t)PQntuples(s->rres);
	if ((s->rsv = arena_calloc(p->a, s->nrsv + 1, sizeof(*s->rsv))) == NULL)
		return APP_ENOMEM;
	for (i = 0; i < s->nrsv; i++) {
		s->rsv[i].domain_id = db_ll(s->rres, (int)i,
		    PROV_RESERVED_DOMAIN);
		s->rsv[i].local = db_str(s->rres, (int)i, PROV_RESERVED_LOCAL);
	}
	qsort(s->rsv, s->nrsv, sizeof(*s->rsv), cmp_rsv);
	return APP_OK;
}

enum app_err
prov_load_state(struct prov *p, long long uid, const char *name)
{
	struct prov_state *s;
	char               id[24];
	const char        *prm[2] = { uid > 0 ? id : NULL, name };
	enum app_err       e;
	size_t             i;
	int                row;

	snprintf(id, sizeof(id), "%lld", uid);
	if ((s = p->state = arena_calloc(p->a, 1, sizeof(*s))) == NULL)
		return APP_ENOMEM;
	if ((s->mres = db_exec(p->db, STMT_PROV_MEMBERS, 1, prm, &e)) == NULL ||
	    (s->ares = db_exec(p->db, STMT_PROV_ALIASES, 2, prm, &e)) == NULL)
		return e;
	s->nm = (size_t)PQntuples(s->mres);
	s->nr = (size_t)PQntuples(s->ares);
	if ((s->m = arena_calloc(p->a, s->nm + 1, sizeof(*s->m))) == NULL ||
	    (s->r = arena_calloc(p->a, s->nr + 1, sizeof(*s->r))) == NULL ||
	    (s->bylocal = arena_calloc(p->a, s->nr + 1, sizeof(*s->bylocal))) ==
		NULL)
		return APP_ENOMEM;
	for (i = 0; i < s->nm; i++) {
		row = (int)i;
		s->m[i].user_id = db_ll(s->mres, row, PROV_MEMBERS_USER);
		s->m[i].domain_id = db_ll(s->mres, row, PROV_MEMBERS_DOMAIN);
		s->m[i].admin = strcmp(db_str(s->mres, row, PROV_MEMBERS_ROLE),
				    "admin") == 0;
	}
	for (i = 0; i < s->nr; i++) {
		row = (int)i;
		s->r[i].id = s->r[i].al.id = db_ll(s->ares, row,
		    PROV_ALIASES_ID);
		s->r[i].domain_id = db_ll(s->ares, row, PROV_ALIASES_DOMAIN);
		s->r[i].user_id = db_ll(s->ares, row, PROV_ALIASES_USER);
		s->r[i].al.local_part = db_str(s->ares, row,
		    PROV_ALIASES_LOCAL);
		s->r[i].al.enabled = db_bool(s->ares, row,
		    PROV_ALIASES_ENABLED);
		s->r[i].al.reason = db_str(s->ares, row, PROV_ALIASES_REASON);
		s->r[i].al.expired = db_bool(s->ares, row,
		    PROV_ALIASES_EXPIRED);
		s->r[i].al.reserved = db_bool(s->ares, row,
		    PROV_ALIASES_RESERVED);
		s->bylocal[i] = &s->r[i];
	}
	qsort(s->bylocal, s->nr, sizeof(*s->bylocal), cmp_local);
	return load_reserved(p, s, prm[0]);
}

void
prov_free(struct prov *p)
{
	prov_bulk_end(p);
	if (p->state == NULL)
		return;
	PQclear(p->state->mres);
	PQclear(p->state->ares);
	PQclear(p->state->rres);
	p->state = NULL;
}

static enum role
role_of(const struct prov_state *s, long long uid, long long did)
{
	struct mrow  key = { uid, did, 0 };
	struct mrow *m;

	m = bsearch(&key, s->m, s->nm, sizeof(*s->m), cmp_m);
	return m == NULL ? ROLE_NONE : m->admin ? ROLE_ADMIN : ROLE_MEMBER;
}

/* The first alias row of (uid, did) and how many there are. */
static const struct arow *
aliases_of(const struct prov_state *s, long long uid, long long did, size_t *n)
{
	size_t lo = 0, hi = s->nr, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (s->r[mid].user_id < uid ||
		    (s->r[mid].user_id == uid && s->r[mid].domain_id < did))
			lo = mid + 1;
		else
			hi = mid;
	}
	for (*n = 0; lo + *n < s->nr && s->r[lo + *n].user_id == uid &&
	     s->r[lo + *n].domain_id == did;
	     (*n)++)
		continue;
	return &s->r[lo];
}

static int
taken_by_other(const struct prov_state *s, long long uid, long long did,
    const char *local)
{
	struct arow k, *kp = &k, **hit;

	memset(&k, 0, sizeof(k));
	k.domain_id = did;
	k.al.local_part = local;
	hit = bsearch(&kp, s->bylocal, s->nr, sizeof(*s->bylocal), cmp_local);
	return hit != NULL && (*hit)->user_id != uid;
}

static int
reserved_here(const struct prov_state *s, long long did, const char *local)
{
	struct rsv k = { did, local };

	return bsearch(&k, s->rsv, s->nrsv, sizeof(*s->rsv), cmp_rsv) != NULL;
}

/* ---- applying a plan: one transaction per (user, domain) */

struct apply {
	struct prov              *p;
	const struct prov_user   *u;
	const struct prov_domain *d;
	const struct prov_action *acts;
	size_t                    n;
	const char               *rcpt;      /* the user's e-mail, as a
						   recipient */
	struct prov_stats         st;        /* counted if it commits */
	int                       announced; /* the signed-in mail went */
	const struct actor       *actor;     /* of the audit rows; NULL: sync */
};

const char *
provision_reason_words(const char *reason, const struct lang *l)
{
	static const struct {
		const char *reason, *words;
	} w[] = {
		{ "banned", N_("your account may not use this site") },
		{ "not-found",
		    N_("Launchpad has no public account of that name") },
		{ "not-valid", N_("your Launchpad account is not active") },
		{ "not-coc-signer",
		    N_("you have not signed the Ubuntu Code of Conduct "
		       "(https://launchpad.net/codeofconduct)") },
		{ "is-team", N_("the name is a Launchpad team, not a person") },
		{ "name-mismatch",
		    N_("Launchpad answered with another account's details") },
		{ "reserved",
		    N_("the address is reserved for the domain's operators "
		       "(like postmaster@ or abuse@); only a site admin can "
		       "assign it") },
		{ "taken", N_("the address already belongs to someone else") },
		{ "limit",
		    N_("you already have as many addresses on this domain as a "
		       "member may have") },
		{ "recipient",
		    N_("the e-mail address of your Ubuntu One account cannot "
		       "be used as a forwarding address") },
	};
	size_t i;

	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		if (strcmp(w[i].reason, reason) == 0)
			return tr(l, w[i].words);
	return reason;
}

enum app_err
prov_mail_fill(struct view_dict *d, const void *arg)
{
	const struct prov_mail *m = arg;
	const struct lang      *l = view_lang(d);
	char                    addr[LABEL_MAX], when[64];

	snprintf(addr, sizeof(addr), "%s@%s",
	    m->local != NULL ? m->local : m->u->name, m->d->name);
	view_set(d, "ADDRESS", addr);
	view_set(d, "NAME", m->u->name);
	view_set(d, "DOMAIN", m->d->name);
	view_set(d, "TEAM", m->d->team);
	view_set(d, "RECIPIENT", m->u->email);
	if (m->reason != NULL)
		view_set(d, "REASON", provision_reason_words(m->reason, l));
	if (m->when != NULL)
		view_set(d, "REMOVE_AT",
		    i18n_time(l, m->when, when, sizeof(when)));
	return APP_OK;
}

struct mail_rcpt *
prov_mail_to(struct arena *a, const struct prov_user *u,
    const struct prov_domain *d, int to_user, size_t *n)
{
	struct mail_rcpt *to;
	size_t            i;

	*n = 0;
	if ((to = arena_calloc(a, d->nadmins + 1, sizeof(*to))) == NULL)
		return NULL;
	if (to_user) {
		to[*n].address = u->email;
		to[(*n)++].lang = u->lang != NULL ? u->lang : d->lang;
	}
	for (i = 0; i < d->nadmins; i++) {
		to[*n].address = d->admins[i];
		to[(*n)++].lang = d->admin_langs != NULL ? d->admin_langs[i] :
							   d->lang;
	}
	return to;
}

/*
 * Queues tpl to the domain's admins, and to the user too when to_user:
 * each gets a copy of their own, in their language (notify.h).
 */
static enum app_err
tell(const struct apply *ap, const char *tpl, const char *local, int to_user,
    const char *reason, const char *when)
{
	struct prov_mail  m = { ap->u, ap->d, local, reason, when };
	struct mail_rcpt *to;
	size_t            n;

	if (ap->p->dry_run)
		return APP_OK;
	if ((to = prov_mail_to(ap->p->a, ap->u, ap->d, to_user, &n)) == NULL)
		return APP_ENOMEM;
	return mail_queue(ap->p->db, ap->p->cfg, tpl, to, n, prov_mail_fill,
	    &m);
}

static enum app_err
audit(const struct apply *ap, const char *action, const char *type,
    long long id, const char *local, const char *before, const char *after)
{
	struct actor       sync = { ACTOR_SYNC, 0, NULL, 0, NULL };
	struct audit_event ev;
	char               label[LABEL_MAX];

	if (local != NULL)
		snprintf(label, sizeof(label), "%s@%s", local, ap->d->name);
	else
		snprintf(label, sizeof(label), "%s in %s", ap->u->name,
		    ap->d->name);
	memset(&ev, 0, sizeof(ev));
	ev.action = action;
	ev.target_type = type;
	ev.target_id = id;
	ev.target_label = label;
	ev.domain_id = ap->d->id;
	ev.before = before;
	ev.after = after;
	return audit_write(ap->p->db, ap->actor != NULL ? ap->actor : &sync,
	    &ev);
}

/* Runs a statement of the plan; *res is NULL in a dry run. */
static enum app_err
run(const struct apply *ap, enum stmt st, int n, const char *const *prm,
    PGresult **res)
{
	enum app_err e = APP_OK;

	*res = NULL;
	if (!ap->p->dry_run &&
	    (*res = db_exec(ap->p->db, st, n, prm, &e)) == NULL)
		return e;
	return APP_OK;
}

/* Rows the statement touched; a dry run pretends one. */
static int
touched(const struct apply *ap, PGresult *res)
{
	return ap->p->dry_run || (res != NULL && PQntuples(res) > 0);
}

static enum app_err
do_create(struct apply *ap, const struct prov_action *x)
{
	int          on = x->kind == ACT_CREATE;
	char         did[24], uid[24], after[512];
	const char  *prm[6] = { did, x->local_part, uid, ap->rcpt,
                on ? "true" : "false", on ? "" : "matches-recipient" };
	PGresult    *res;
	long long    id = 0;
	enum app_err e;

	snprintf(did, sizeof(did), "%lld", ap->d->id);
	snprintf(uid, sizeof(uid), "%lld", ap->u->id);
	if ((e = run(ap, STMT_PROV_ALIAS_CREATE, 6, prm, &res)) != APP_OK)
		return e;
	if (res != NULL) {
		id = db_ll(res, 0, PROV_ALIAS_CREATE_ID);
		PQclear(res);
	}
	/* The address passed alias_recipient_valid: no quote, no backslash. */
	snprintf(after, sizeof(after),
	    "{\"enabled\": %s, \"disabled_reason\": "
	    "%s, \"recipients\": [\"%s\"]}",
	    on ? "true" : "false", on ? "null" : "\"matches-recipient\"",
	    ap->rcpt);
	ap->st.created++;
	if (ap->p->dry_run)
		return APP_OK;
	if ((e = audit(ap, "alias.create", "alias", id, x->local_part, NULL,
		 after)) != APP_OK)
		return e;
	return tell(ap, prov_create_mail(ap->u, x, &ap->announced),
	    x->local_part, 0, NULL, NULL);
}

const char *
prov_create_mail(const struct prov_user *u, const struct prov_action *x,
    int *announced)
{
	if (x->kind != ACT_CREATE)
		return "mail_matches_recipient.tpl";
	if (!u->first || *announced)
		return "mail_created.tpl";
	*announced = 1;
	return "mail_signed_in.tpl";
}

/*
 * Runs st with the action's alias id ($1); *done says whether it touched
 * the alias (a row came back; in a dry run, always).  A change made
 * meanwhile is left for the next run to see.
 */
static enum app_err
alias_stmt(struct apply *ap, enum stmt st, const struct prov_action *x,
    int *done)
{
	char         id[24];
	const char  *prm[1] = { id };
	PGresult    *res;
	enum app_err e;

	snprintf(id, sizeof(id), "%lld", x->alias_id);
	if ((e = run(ap, st, 1, prm, &res)) != APP_OK)
		return e;
	*done = touched(ap, res);
	PQclear(res);
	return APP_OK;
}

/* Back as it was before the rules took it off: enabled, or as its owner
 * or an admin had disabled it. */
static enum app_err
do_enable(struct apply *ap, const struct prov_action *x)
{
	char         id[24], after[128];
	const char  *prm[1] = { id };
	PGresult    *res;
	enum app_err e;
	int          on;

	snprintf(id, sizeof(id), "%lld", x->alias_id);
	if ((e = run(ap, STMT_PROV_ALIAS_ENABLE, 1, prm, &res)) != APP_OK)
		return e;
	if (ap->p->dry_run) {
		ap->st.enabled++;
		return APP_OK;
	}
	if (PQntuples(res) == 0) {
		PQclear(res);
		return APP_OK;
	}
	on = db_bool(res, 0, PROV_ALIAS_ENABLE_ENABLED);
	snprintf(after, sizeof(after),
	    on ? "{\"enabled\": true}" :
		 "{\"enabled\": false, \"disabled_reason\": \"%s\"}",
	    db_str(res, 0, PROV_ALIAS_ENABLE_REASON));
	PQclear(res);
	if (on)
		ap->st.enabled++;
	if ((e = audit(ap, "alias.enable", "alias", x->alias_id, x->local_part,
		 NULL, after)) != APP_OK ||
	    !on)
		return e;
	return tell(ap, "mail_restored.tpl", x->local_part, 0, NULL, NULL);
}

static enum app_err
do_disable(struct apply *ap, const struct prov_action *x)
{
	char         id[24], grace[16], after[128], when[32] = "";
	const char  *prm[3] = { id, x->reason, grace };
	PGresult    *res;
	enum app_err e;
	int          done;

	snprintf(id, sizeof(id), "%lld", x->alias_id);
	snprintf(grace, sizeof(grace), "%d", ap->p->cfg->removal_grace_days);
	if ((e = run(ap, STMT_PROV_ALIAS_DISABLE, 3, prm, &res)) != APP_OK)
		return e;
	if ((done = touched(ap, res)) && res != NULL)
		snprintf(when, sizeof(when), "%s",
		    db_str(res, 0, PROV_ALIAS_DISABLE_REMOVE_ON));
	PQclear(res);
	if (!done)
		return APP_OK;
	ap->st.disabled++;
	if (ap->p->dry_run)
		return APP_OK;
	snprintf(after, sizeof(after),
	    "{\"enabled\": false, "
	    "\"disabled_reason\": \"%s\", \"remove_at\": \"%s\"}",
	    x->reason, when);
	if ((e = audit(ap, "alias.disable", "alias", x->alias_id, x->local_part,
		 "{\"enabled\": true}", after)) != APP_OK)
		return e;
	/* An invalid user's admins hear of it with the user (TELL). */
	if (strcmp(x->reason, "left-team") != 0)
		return APP_OK;
	return tell(ap, "mail_disabled.tpl", x->local_part, 0, NULL, when);
}

static enum app_err
do_delete(struct apply *ap, const struct prov_action *x)
{
	enum app_err e;
	int          done;

	if ((e = alias_stmt(ap, STMT_PROV_ALIAS_DELETE, x, &done)) != APP_OK ||
	    !done)
		return e;
	ap->st.removed++;
	if (ap->p->dry_run)
		return APP_OK;
	if ((e = audit(ap, "alias.delete", "alias", x->alias_id, x->local_part,
		 NULL, NULL)) != APP_OK)
		return e;
	return tell(ap, "mail_removed.tpl", x->local_part, 0, NULL, NULL);
}

static enum app_err
do_member(struct apply *ap, const struct prov_action *x)
{
	char         did[24], uid[24];
	const char  *prm[2] = { did, uid };
	int          join = x->kind == ACT_JOIN, done;
	PGresult    *res;
	enum app_err e;

	snprintf(did, sizeof(did), "%lld", ap->d->id);
	snprintf(uid, sizeof(uid), "%lld", ap->u->id);
	if ((e = run(ap, join ? STMT_PROV_MEMBER_ADD : STMT_PROV_MEMBER_PRUNE,
		 2, prm, &res)) != APP_OK)
		return e;
	done = touched(ap, res);
	PQclear(res);
	if (!done || ap->p->dry_run)
		return APP_OK;
	if ((e = audit(ap, join ? "domain_member.add" : "domain_member.remove",
		 "domain_member", ap->u->id, NULL,
		 join ? NULL : "{\"role\": \"member\"}",
		 join ? "{\"role\": \"member\"}" : NULL)) != APP_OK)
		return e;
	return !join && x->forget ?
	    errlog_forget(ap->p->db, ap->u->id, ap->d->id) :
	    APP_OK;
}

/* An outcome to log, count on the error page and tell once a month. */
static enum app_err
do_tell(struct apply *ap, const struct prov_action *x)
{
	struct errlog_who w = { ap->u->id, ap->u->name, ap->u->claimed_id,
		ap->d->id, ap->d->name };
	int               invalid = x->kind == ACT_TELL_INVALID, send;
	char              code[64];
	enum app_err      e;

	snprintf(code, sizeof(code), "%s.%s",
	    invalid ? "invalid" : "not-created", x->reason);
	if (ap->p->dry_run)
		return APP_OK;
	if ((e = errlog_record(ap->p->db, &w, code,
		 provision_reason_words(x->reason, NULL))) != APP_OK ||
	    (e = errlog_report_once(ap->p->db, ap->u->id, ap->d->id, code,
		 &send)) != APP_OK ||
	    !send)
		return e;
	return tell(ap, invalid ? "mail_invalid.tpl" : "mail_not_created.tpl",
	    NULL, 1, x->reason, NULL);
}

/* The admins were told ~name signed in: with the first address only. */
static enum app_err
announced(const struct apply *ap)
{
	char         id[24];
	const char  *prm[1] = { id };
	PGresult    *res;
	enum app_err e;

	snprintf(id, sizeof(id), "%lld", ap->u->id);
	if ((e = run(ap, STMT_PROV_ANNOUNCED, 1, prm, &res)) != APP_OK)
		return e;
	PQclear(res);
	return APP_OK;
}

static enum app_err
apply_tx(struct db *db, void *arg)
{
	struct apply *ap = arg;
	size_t        i;
	enum app_err  e = APP_OK;

	(void)db;
	memset(&ap->st, 0, sizeof(ap->st));
	for (i = 0; e == APP_OK && i < ap->n; i++) {
		switch (ap->acts[i].kind) {
		case ACT_CREATE:
		case ACT_CREATE_DISABLED:
			e = do_create(ap, &ap->acts[i]);
			break;
		case ACT_ENABLE:
			e = do_enable(ap, &ap->acts[i]);
			break;
		case ACT_DISABLE:
			e = do_disable(ap, &ap->acts[i]);
			break;
		case ACT_DELETE:
			e = do_delete(ap, &ap->acts[i]);
			break;
		case ACT_JOIN:
		case ACT_PRUNE:
			e = do_member(ap, &ap->acts[i]);
			break;
		case ACT_TELL_INVALID:
		case ACT_NOT_CREATED:
			e = do_tell(ap, &ap->acts[i]);
			break;
		}
	}
	if (e == APP_OK && ap->announced && !ap->p->dry_run)
		e = announced(ap);
	return e;
}

static const char *const kind_names[] = {
	[ACT_CREATE] = "create",
	[ACT_CREATE_DISABLED] = "create-disabled",
	[ACT_ENABLE] = "enable",
	[ACT_DISABLE] = "disable",
	[ACT_DELETE] = "delete",
	[ACT_JOIN] = "join",
	[ACT_PRUNE] = "prune",
	[ACT_TELL_INVALID] = "tell-invalid",
	[ACT_NOT_CREATED] = "not-created",
};

static void
show_plan(const struct apply *ap)
{
	const struct prov_action *x;
	size_t                    i;

	for (i = 0; i < ap->n; i++) {
		x = &ap->acts[i];
		fprintf(ap->p->plan_out, "plan: ~%s %s: %s%s%s%s%s\n",
		    ap->u->name, ap->d->name, kind_names[x->kind],
		    x->local_part ? " " : "",
		    x->local_part ? x->local_part : "", x->reason ? " " : "",
		    x->reason ? x->reason : "");
	}
}

void
prov_apply(struct prov *p, const struct prov_user *u,
    const struct prov_domain *d, const struct prov_action *acts, size_t n,
    const char *rcpt)
{
	struct apply ap = { p, u, d, acts, n, rcpt, { 0, 0, 0, 0, 0, 0, 0 }, 0,
		NULL };
	struct errlog_who w = { u->id, u->name, u->claimed_id, d->id, d->name };
	enum app_err      e;

	if (p->dry_run) {
		show_plan(&ap);
		e = apply_tx(p->db, &ap);
	} else
		e = db_tx(p->db, apply_tx, &ap);
	if (e != APP_OK) {
		prov_fail(p,
		    arena_printf(p->a, "apply-failed:%lld:%s", u->id, d->name),
		    N_("a change for ~%1$s on %2$s could not be applied"),
		    u->name, d->name);
		if (!p->dry_run)
			(void)errlog_record(p->db, &w, "apply-failed",
			    N_("a change could not be applied; nothing of it "
			       "was written"));
		return;
	}
	p->st.created += ap.st.created;
	p->st.enabled += ap.st.enabled;
	p->st.disabled += ap.st.disabled;
	p->st.removed += ap.st.removed;
	log_info("provisioned", LOG_INT("user", u->id),
	    LOG_STR("name", u->name), LOG_WORD("domain", d->name),
	    LOG_UINT("actions", n), LOG_INT("created", ap.st.created),
	    LOG_INT("enabled", ap.st.enabled),
	    LOG_INT("disabled", ap.st.disabled),
	    LOG_INT("removed", ap.st.removed),
	    LOG_INT("dry_run", p->dry_run != 0));
}

void
prov_fail(struct prov *p, const char *cause, const char *fmt, ...)
{
	va_list ap;
	char    msg[512];

	p->st.errors++;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), tr(p->fail_lang, fmt), ap);
	va_end(ap);
	if (p->fail != NULL)
		p->fail(p->fail_arg, cause != NULL ? cause : "memory", msg);
}

int
prov_would_take_off(const struct prov *p, const struct prov_user *u)
{
	const struct prov_domain *d;
	const struct arow        *rows;
	size_t                    i, k, nal;
	int                       yes;

	for (i = 0; i < p->ndomains; i++) {
		d = &p->domains[i];
		if (!d->usable || d->snap.names == NULL ||
		    snapshot_has(p->db, &d->snap, u->name, &yes) != APP_OK ||
		    yes)
			continue;
		rows = aliases_of(p->state, u->id, d->id, &nal);
		for (k = 0; k < nal; k++)
			if (rows[k].al.enabled)
				return 1;
	}
	return 0;
}

struct rename {
	const struct prov_user *u;
	const char             *name;
};

static enum app_err
rename_tx(struct db *db, void *arg)
{
	struct rename     *rn = arg;
	struct actor       a = { ACTOR_SYNC, 0, NULL, 0, NULL };
	struct audit_event ev;
	char               id[24], before[LABEL_MAX], after[LABEL_MAX];
	const char        *prm[2] = { rn->name, rn->u->claimed_id };
	PGresult          *res;
	enum app_err       e;

	if ((res = db_exec(db, STMT_USER_CLEAR_NAME, 2, prm, &e)) == NULL)
		return e;
	PQclear(res);
	snprintf(id, sizeof(id), "%lld", rn->u->id);
	prm[0] = id;
	prm[1] = rn->name;
	if ((res = db_exec(db, STMT_PROV_RENAME, 2, prm, &e)) == NULL)
		return e;
	PQclear(res);
	snprintf(before, sizeof(before), "{\"name\": \"%s\"}", rn->u->name);
	snprintf(after, sizeof(after), "{\"name\": \"%s\"}", rn->name);
	memset(&ev, 0, sizeof(ev));
	ev.action = "user.rename";
	ev.target_type = "user";
	ev.target_id = rn->u->id;
	ev.target_label = rn->name;
	ev.before = rn->u->name[0] != '\0' ? before : NULL;
	ev.after = after;
	return audit_write(db, &a, &ev);
}

enum app_err
prov_rename(struct prov *p, const struct prov_user *u, const char *name)
{
	struct rename rn = { u, name };
	const char   *old = u->name;

	log_info("person_renamed", LOG_INT("user", u->id),
	    LOG_STR("old", old[0] != '\0' ? old : NULL), LOG_STR("name", name),
	    LOG_INT("dry_run", p->dry_run != 0));
	if (p->dry_run) {
		fprintf(p->plan_out, "plan: ~%s: rename ~%s\n",
		    old[0] != '\0' ? old : "-", name);
		return APP_OK;
	}
	return db_tx(p->db, rename_tx, &rn);
}

/* The user's e-mail with its domain part lower-cased, as aliases keep it. */
static const char *
recipient_of(struct arena *a, const char *email)
{
	char *r, *p;

	if ((r = arena_strdup(a, email)) == NULL)
		return NULL;
	for (p = strrchr(r, '@'); p != NULL && *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return r;
}

void
prov_user(struct prov *p, const struct prov_user *u)
{
	const struct prov_domain *d;
	const struct arow        *rows;
	struct prov_alias        *al;
	struct prov_action       *acts;
	struct prov_input         in;
	size_t                    i, k, nal, n, total = 0;
	const char               *rcpt;
	int                       yes;

	p->st.users++;
	if ((rcpt = recipient_of(p->a, u->email)) == NULL) {
		prov_fail(p, "memory", N_("out of memory"));
		return;
	}
	for (i = 0; i < p->ndomains; i++) {
		d = &p->domains[i];
		if (d->nadmins == 0)
			continue;
		rows = aliases_of(p->state, u->id, d->id, &nal);
		al = arena_calloc(p->a, nal + 1, sizeof(*al));
		acts = arena_calloc(p->a, PROV_ACTIONS(nal), sizeof(*acts));
		if (al == NULL || acts == NULL) {
			prov_fail(p, "memory", N_("out of memory"));
			log_error("provision_failed", LOG_INT("user", u->id),
			    LOG_STR("reason", "out of memory"));
			return;
		}
		for (k = 0; k < nal; k++)
			al[k] = rows[k].al;
		memset(&in, 0, sizeof(in));
		in.name = u->name;
		in.email = rcpt;
		in.domain = d->name;
		in.banned = u->banned;
		in.person = u->person;
		in.member = MEMBER_UNKNOWN;
		if (d->usable &&
		    snapshot_has(p->db, &d->snap, u->name, &yes) == APP_OK)
			in.member = yes ? MEMBER_YES : MEMBER_NO;
		in.removals_allowed = d->removals;
		in.role = role_of(p->state, u->id, d->id);
		in.aliases = al;
		in.naliases = nal;
		in.local_taken = taken_by_other(p->state, u->id, d->id,
		    u->name);
		in.local_reserved = reserved_here(p->state, d->id, u->name);
		in.alias_limit = d->alias_limit;
		in.grace_days = p->cfg->removal_grace_days;
		if ((n = provision_plan(&in, acts)) > 0 &&
		    (p->bulk == NULL || p->dry_run ||
			prov_bulk_add(p, u, d, acts, n, rcpt) != 1))
			prov_apply(p, u, d, acts, n, rcpt);
		total += n;
	}
	if (total == 0)
		p->st.unchanged++;
}

/* ---- sign-in */

static struct lp_client *signin_lp; /* the worker's, made on first use */

void
provision_cleanup(void)
{
	lp_client_free(signin_lp);
	signin_lp = NULL;
}

/* One user's row of STMT_PROV_USERS into u; 0 if they have no name. */
static enum app_err
load_user(struct prov *p, long long uid, struct prov_user *u, int *found)
{
	char         id[24], ivl[16];
	const char  *prm[3] = { id, NULL, ivl };
	PGresult    *res;
	enum app_err e;

	snprintf(id, sizeof(id), "%lld", uid);
	snprintf(ivl, sizeof(ivl), "%d", p->cfg->person_check_interval);
	if ((res = db_exec(p->db, STMT_PROV_USERS, 3, prm, &e)) == NULL)
		return e;
	memset(u, 0, sizeof(*u));
	if ((*found = PQntuples(res) == 1)) {
		u->id = uid;
		u->name = db_dup(p->a, res, 0, PROV_USERS_NAME);
		u->email = db_dup(p->a, res, 0, PROV_USERS_EMAIL);
		u->claimed_id = db_dup(p->a, res, 0, PROV_USERS_CLAIMED_ID);
		u->banned = db_bool(res, 0, PROV_USERS_BANNED);
		u->first = db_bool(res, 0, PROV_USERS_UNANNOUNCED);
		u->person = person_from_status(
		    db_str(res, 0, PROV_USERS_PERSON));
		u->lang = i18n_tag(db_str(res, 0, PROV_USERS_LANG));
	}
	PQclear(res);
	return *found &&
		(u->name == NULL || u->email == NULL || u->claimed_id == NULL) ?
	    APP_ENOMEM :
	    APP_OK;
}

/*
 * A snapshot at most snapshot_max_age old for d, fetched if need be; and
 * fetched afresh when it does not list name: someone who joined the team
 * minutes ago is a member at once (a team is a few pages to read).
 */
static enum app_err
signin_snapshot(struct prov *p, size_t i, const char *name, int *queued)
{
	struct prov_domain *d = &p->domains[i];
	size_t              k;
	enum app_err        e;
	int                 yes = 1;

	for (k = 0; k < i; k++) /* a team of an earlier domain */
		if (strcmp(p->domains[k].team, d->team) == 0) {
			d->snap = p->domains[k].snap;
			d->usable = p->domains[k].usable;
			d->removals = p->domains[k].removals;
			return APP_OK;
		}
	if ((e = snapshot_latest(p->db, d->team, p->cfg->snapshot_max_age,
		 &d->snap)) != APP_OK ||
	    (d->snap.id != 0 &&
		(e = snapshot_has(p->db, &d->snap, name, &yes)) != APP_OK))
		return e;
	if (d->snap.id == 0 || !yes) {
		if ((e = snapshot_fetch(p->db, p->cfg, signin_lp, p->a, d->team,
			 1, &d->snap)) != APP_OK)
			return e;
		if (d->snap.outcome == LP_UNAVAILABLE)
			*queued = 1;
		d->removals = d->snap.complete && !d->snap.held;
		/* Not complete: an older one may still add, never remove. */
		if (!d->snap.complete &&
		    (e = snapshot_latest(p->db, d->team, 0, &d->snap)) !=
			APP_OK)
			return e;
	} else
		d->removals = !d->snap.held;
	d->usable = d->snap.complete;
	return APP_OK;
}

static enum app_err
set_person(struct prov *p, const struct prov_user *u)
{
	char         ids[32], sts[32];
	const char  *prm[2] = { ids, sts };
	PGresult    *res;
	enum app_err e;

	snprintf(ids, sizeof(ids), "{%lld}", u->id);
	snprintf(sts, sizeof(sts), "{%s}", person_status_name(u->person));
	if ((res = db_exec(p->db, STMT_PROV_PERSONS, 2, prm, &e)) == NULL)
		return e;
	PQclear(res);
	return APP_OK;
}

static enum app_err
mark_user(struct prov *p, long long uid, int queued)
{
	char         id[32];
	const char  *prm[1] = { id };
	PGresult    *res;
	enum app_err e;

	snprintf(id, sizeof(id), queued ? "%lld" : "{%lld}", uid);
	if ((res = db_exec(p->db,
		 queued ? STMT_PROV_SYNC_REQUEST : STMT_PROV_SYNCED, 1, prm,
		 &e)) == NULL)
		return e;
	PQclear(res);
	return APP_OK;
}

static enum app_err
signin_run(struct prov *p, long long uid, int *queued)
{
	struct prov_user u;
	struct lp_person lpp;
	char             why[128];
	enum lp_outcome  o;
	enum app_err     e;
	size_t           i;
	int              found = 0, byid;

	if ((e = load_user(p, uid, &u, &found)) != APP_OK || !found ||
	    (e = prov_load_domains(p)) != APP_OK || p->ndomains == 0)
		return e;
	o = lp_person_or_identity(signin_lp, u.name, u.claimed_id, &lpp, &byid,
	    why, sizeof(why));
	/* Nobody of that name nor identity, who was valid: the sync confirms
	 * it before it takes anything away (pending.h). */
	if (o == LP_NOT_FOUND && u.person == PERSON_VALID) {
		log_warn("signin_person_missing", LOG_INT("user", uid),
		    LOG_STR("name", u.name));
		return APP_OK;
	}
	u.person = person_from_lp(o, &lpp, byid ? lpp.name : u.name);
	if (u.person == PERSON_UNKNOWN) {
		*queued = 1;
		log_warn("signin_provision_deferred", LOG_INT("user", uid),
		    LOG_STR("name", u.name), LOG_STR("reason", "person lookup"),
		    LOG_WORD("outcome", lp_outcome_name(o)));
		return APP_OK;
	}
	if ((e = set_person(p, &u)) != APP_OK)
		return e;
	for (i = 0; i < p->ndomains; i++)
		if ((e = signin_snapshot(p, i, u.name, queued)) != APP_OK)
			return e;
	if ((e = prov_load_state(p, uid, u.name)) != APP_OK)
		return e;
	prov_user(p, &u);
	return p->st.errors > 0 ? APP_EINTERNAL : APP_OK;
}

enum app_err
provision_signin(struct db *db, const struct config *cfg, struct arena *a,
    long long uid, int *queued)
{
	struct lp_options o;
	struct prov       p;
	enum app_err      e;

	*queued = 0;
	if (signin_lp == NULL) {
		memset(&o, 0, sizeof(o));
		o.base = cfg->launchpad_api;
		o.timeout_sec = cfg->launchpad_timeout;
		o.max_retries = cfg->launchpad_retries;
		o.page_size = cfg->launchpad_page_size;
		if ((signin_lp = lp_client_new(&o)) == NULL)
			return APP_ENOMEM;
	}
	memset(&p, 0, sizeof(p));
	p.db = db;
	p.cfg = cfg;
	p.a = a;
	lp_set_deadline(signin_lp, cfg->signin_sync_budget);
	e = signin_run(&p, uid, queued);
	lp_set_deadline(signin_lp, 0);
	prov_free(&p);
	if (*queued)
		log_warn("signin_sync_queued", LOG_INT("user", uid),
		    LOG_STR("reason",
			"Launchpad unavailable or the time "
			"budget spent"));
	if (e == APP_OK || e == APP_EINTERNAL)
		e = mark_user(&p, uid, *queued);
	return e;
}

/* ---- bans (rules/site.c) */

/* The domains where uid has enabled aliases, with their admins. */
static enum app_err
ban_domains(struct prov *p, const char *uid)
{
	struct prov_domain *d;
	PGresult           *res;
	enum app_err        e = APP_OK;
	int                 i;

	if ((res = db_exec(p->db, STMT_BAN_DOMAINS, 1, &uid, &e)) == NULL)
		return e;
	p->ndomains = (size_t)PQntuples(res);
	if ((p->domains = arena_calloc(p->a, p->ndomains + 1,
		 sizeof(*p->domains))) == NULL)
		e = APP_ENOMEM;
	for (i = 0; e == APP_OK && i < (int)p->ndomains; i++) {
		d = &p->domains[i];
		d->id = db_ll(res, i, BAN_DOMAINS_ID);
		d->name = db_dup(p->a, res, i, BAN_DOMAINS_NAME);
		d->team = db_dup(p->a, res, i, BAN_DOMAINS_TEAM);
		e = db_array(p->a, res, i, BAN_DOMAINS_ADMINS, &d->admins,
		    &d->nadmins);
		if (e == APP_OK)
			e = domain_langs(p->a, res, i, BAN_DOMAINS_LANG,
			    BAN_DOMAINS_ADMIN_LANGS, d);
		if (e == APP_OK && (d->name == NULL || d->team == NULL))
			e = APP_ENOMEM;
	}
	PQclear(res);
	return e;
}

/* Disables u's enabled aliases on d and tells them, as the sync would. */
static enum app_err
ban_domain(struct prov *p, const struct prov_user *u,
    const struct prov_domain *d, const struct actor *actor)
{
	const struct arow  *rows;
	struct prov_action *acts;
	struct apply        ap;
	size_t              nal, k, n = 0;

	rows = aliases_of(p->state, u->id, d->id, &nal);
	if ((acts = arena_calloc(p->a, nal + 1, sizeof(*acts))) == NULL)
		return APP_ENOMEM;
	for (k = 0; k < nal; k++)
		if (!sync_reason(rows[k].al.reason))
			act(acts, &n, ACT_DISABLE, &rows[k].al, "banned");
	act(acts, &n, ACT_TELL_INVALID, NULL, "banned");
	memset(&ap, 0, sizeof(ap));
	ap.p = p;
	ap.u = u;
	ap.d = d;
	ap.acts = acts;
	ap.n = n;
	ap.rcpt = u->email;
	ap.actor = actor;
	return apply_tx(p->db, &ap);
}

enum app_err
provision_banned(struct db *db, const struct config *cfg, struct arena *a,
    const struct actor *actor, long long uid)
{
	struct prov      p;
	struct prov_user u;
	char             id[24];
	size_t           i;
	enum app_err     e;
	int              found;

	memset(&p, 0, sizeof(p));
	p.db = db;
	p.cfg = cfg;
	p.a = a;
	snprintf(id, sizeof(id), "%lld", uid);
	if ((e = load_user(&p, uid, &u, &found)) != APP_OK || !found ||
	    (e = ban_domains(&p, id)) != APP_OK || p.ndomains == 0 ||
	    (e = prov_load_state(&p, uid, u.name)) != APP_OK) {
		prov_free(&p);
		return e;
	}
	for (i = 0; e == APP_OK && i < p.ndomains; i++)
		e = ban_domain(&p, &u, &p.domains[i], actor);
	prov_free(&p);
	return e;
}
