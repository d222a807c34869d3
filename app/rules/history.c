/*
 * history.c - audit rows in plain words; see history.h.  The sentences
 * are data: one row per action (and, for changes of several fields, per
 * field), each whole, with {who}, {target}, {was:KEY} and {now:KEY} (the
 * before and after values of KEY) for the words that vary.
 */
#include "config.h"

#include <ctype.h>
#include <string.h>

#include <json-c/json.h>

#include "lib/arena.h"
#include "lib/i18n.h"
#include "rules/history.h"

struct sentence {
	const char *action;
	const char *key;   /* a key of before/after that selects the row,
			      NULL: always, "*": when no other row of the
			      action does */
	const char *value; /* its value in after, NULL: any, "+": any but
			      null */
	const char *plain; /* an alias's own history */
	const char *named; /* with its target; NULL: as plain */
};

static const struct sentence sentences[] = {
	{ "alias.create", NULL, NULL,
	    N_("Created by {who}, forwarding to {now:recipients}."),
	    N_("{target} created by {who}, forwarding to {now:recipients}.") },
	{ "alias.create", "disabled_reason", "matches-recipient",
	    N_("It starts disabled: it would forward to itself."), NULL },
	{ "alias.update", "recipients", NULL,
	    N_("Forwarding changed by {who} from {was:recipients} to "
	       "{now:recipients}."),
	    N_("Forwarding of {target} changed by {who} from {was:recipients} to "
	       "{now:recipients}.") },
	{ "alias.update", "enabled", "true", N_("Enabled by {who}."),
	    N_("{target} enabled by {who}.") },
	{ "alias.update", "enabled", "false", N_("Disabled by {who}."),
	    N_("{target} disabled by {who}.") },
	{ "alias.update", "description", NULL,
	    N_("Description changed by {who} to \u201c{now:description}\u201d."),
	    N_("Description of {target} changed by {who} to "
	       "\u201c{now:description}\u201d.") },
	{ "alias.update", "reply_code", NULL,
	    N_("While it is disabled, senders now get {now:reply_code} (set by "
	       "{who})."),
	    N_("While {target} is disabled, senders now get {now:reply_code} (set "
	       "by {who}).") },
	{ "alias.update", "*", NULL, N_("Changed by {who}."),
	    N_("{target} changed by {who}.") },
	{ "alias.enable", NULL, NULL,
	    N_("Enabled again by {who}: its owner is eligible again."),
	    N_("{target} enabled again by {who}: its owner is eligible again.") },
	{ "alias.disable", "disabled_reason", "left-team",
	    N_("Disabled by {who}: its owner left the team; it will be removed on "
	       "{now:remove_at}."),
	    N_("{target} disabled by {who}: its owner left the team; it will be "
	       "removed on {now:remove_at}.") },
	{ "alias.disable", "disabled_reason", "invalid-user",
	    N_("Disabled by {who}: its owner's Launchpad account is not eligible."),
	    N_("{target} disabled by {who}: its owner's Launchpad account is not "
	       "eligible.") },
	{ "alias.disable", "disabled_reason", "banned",
	    N_("Disabled by {who}: its owner is banned."),
	    N_("{target} disabled by {who}: its owner is banned.") },
	{ "alias.disable", "*", NULL, N_("Disabled by {who}."),
	    N_("{target} disabled by {who}.") },
	{ "alias.delivery", "delivery", "forward",
	    N_("{who} made it forward its mail only."),
	    N_("{who} made {target} forward its mail only.") },
	{ "alias.delivery", "delivery", "keep",
	    N_("{who} made it keep its mail in its mailbox only."),
	    N_("{who} made {target} keep its mail in its mailbox only.") },
	{ "alias.delivery", "delivery", "both",
	    N_("{who} made it forward its mail and keep it in its mailbox."),
	    N_("{who} made {target} forward its mail and keep it in its "
	       "mailbox.") },
	{ "alias.delivery", "*", NULL,
	    N_("{who} changed what happens to its mail."),
	    N_("{who} changed what happens to the mail of {target}.") },
	{ "alias.delete", NULL, NULL, N_("Removed by {who}."),
	    N_("{target} removed by {who}.") },
	{ "alias.request", NULL, NULL,
	    N_("{who} asked to forward it to {now:pending_recipients}; waiting "
	       "for confirmation."),
	    N_("{who} asked to forward {target} to {now:pending_recipients}; "
	       "waiting for confirmation.") },
	{ "alias.cancel", NULL, NULL,
	    N_("{who} withdrew the change to {was:pending_recipients} that was "
	       "waiting for confirmation."),
	    N_("{who} withdrew the change of {target} to "
	       "{was:pending_recipients} that was waiting for confirmation.") },
	{ "alias.resend", NULL, NULL,
	    N_("{who} sent the confirmation link to {now:to} again."),
	    N_("{who} sent the confirmation link for {target} to {now:to} "
	       "again.") },
	{ "alias.apply", NULL, NULL,
	    N_("Forwarding changed from {was:recipients} to {now:recipients}, as "
	       "{now:asked_by} asked, once every new address agreed."),
	    N_("Forwarding of {target} changed from {was:recipients} to "
	       "{now:recipients}, as {now:asked_by} asked, once every new address "
	       "agreed.") },
	{ "alias.confirm", NULL, NULL,
	    N_("{now:confirmed} agreed to receive its mail."),
	    N_("{now:confirmed} agreed to receive the mail of {target}.") },
	{ "alias.undo", NULL, NULL,
	    N_("A receipt's link put the forwarding back to {now:recipients}; "
	       "changes are locked until its owner signs in."),
	    N_("A receipt's link put the forwarding of {target} back to "
	       "{now:recipients}; changes are locked until its owner signs in.") },
	{ "alias.unlock", NULL, NULL, N_("Unlocked: its owner signed in."),
	    N_("{target} unlocked: its owner signed in.") },
	{ "alias.assign_protected", "owner", NULL,
	    N_("Created by {who} at an address only a site admin may hand out, "
	       "forwarding to {now:recipients}."),
	    N_("{target} created by {who} at an address only a site admin may "
	       "hand out, forwarding to {now:recipients}.") },
	{ "alias.assign_protected", "reserved_assigned", "true",
	    N_("{who} let its owner keep this reserved address."),
	    N_("{who} let the owner of {target} keep this reserved address.") },
	{ "alias.assign_protected", "*", NULL,
	    N_("{who} handed out this protected address."),
	    N_("{who} handed out the protected address {target}.") },
	/* Events that name their object anyway: one sentence serves both. */
	{ "domain_member.add", NULL, NULL,
	    N_("{who} added {target} as a member."), NULL },
	{ "domain_member.remove", NULL, NULL, N_("{who} removed {target}."),
	    NULL },
	{ "domain_member.role", "role", "admin",
	    N_("{who} made {target} an admin."), NULL },
	{ "domain_member.role", "role", "member",
	    N_("{who} made {target} a plain member."), NULL },
	{ "domain_member.role", "*", NULL,
	    N_("{who} changed the role of {target}."), NULL },
	{ "domain.add", NULL, NULL, N_("{who} added the domain {target}."),
	    NULL },
	{ "domain.enable", NULL, NULL, N_("{who} enabled the domain {target}."),
	    NULL },
	{ "domain.disable", NULL, NULL,
	    N_("{who} disabled the domain {target}."), NULL },
	{ "domain.logo", NULL, NULL,
	    N_("{who} set the logo of {target} to {now:logo}."), NULL },
	{ "domain.alias_limit", NULL, NULL,
	    N_("{who} set the alias limit of {target} to {now:alias_limit}."),
	    NULL },
	{ "domain.txt", "txt_grace_until", "+",
	    N_("{who} found the TXT record of {target} gone: its mail is still "
	       "routed until {now:txt_grace_until}."),
	    NULL },
	{ "domain.txt", "*", NULL,
	    N_("{who} checked the TXT record of {target}: {now:txt_status}."),
	    NULL },
	{ "domain.role_recipient", "role_recipient", "+",
	    N_("{who} sent the mail of postmaster@ and abuse@ of {target} to "
	       "{now:role_recipient}."),
	    NULL },
	{ "domain.role_recipient", "*", NULL,
	    N_("{who} sent the mail of postmaster@ and abuse@ of {target} back to "
	       "its admins."),
	    NULL },
	{ "domain.default_lang", NULL, NULL,
	    N_("{who} set the language of the e-mail of {target} to "
	       "{now:default_lang}."),
	    NULL },
	{ "domain.reserved_add", NULL, NULL,
	    N_("{who} reserved the address {now:reserved} on {target}."),
	    NULL },
	{ "domain.reserved_remove", NULL, NULL,
	    N_("{who} stopped reserving the address {was:reserved} on {target}."),
	    NULL },
	{ "user.signup", NULL, NULL,
	    N_("{target} signed in for the first time."), NULL },
	{ "user.email_changed", NULL, NULL,
	    N_("The Ubuntu One address of {target} changed from {was:email} to "
	       "{now:email}."),
	    NULL },
	{ "user.ban", NULL, NULL, N_("{who} banned {target}: {now:ban_reason}"),
	    NULL },
	{ "user.unban", NULL, NULL, N_("{who} lifted the ban on {target}."),
	    NULL },
	{ "user.sessions_end", NULL, NULL,
	    N_("{who} ended every session of {target} (sessions ended: "
	       "{now:sessions})."),
	    NULL },
	{ "user.rename", NULL, NULL,
	    N_("Launchpad reported a new name for this account: {now:name} (it "
	       "was {was:name})."),
	    NULL },
	{ "user.site_admin.grant", NULL, NULL,
	    N_("{who} made {target} a site admin."), NULL },
	{ "user.site_admin.revoke", NULL, NULL,
	    N_("{who} took site admin away from {target}."), NULL },
	{ "api_token.create", NULL, NULL, N_("{who} created an API token."),
	    NULL },
	{ "api_token.revoke", NULL, NULL, N_("{who} revoked an API token."),
	    NULL },
	{ "outbox.retry", NULL, NULL,
	    N_("{who} queued a failed message again."), NULL },
	{ "outbox.delete", NULL, NULL, N_("{who} deleted a failed message."),
	    NULL },
	{ "team_snapshot.hold", NULL, NULL,
	    N_("{who} held back a new member list of {target} ({now:total} "
	       "people) for an operator to review."),
	    NULL },
	{ "team_snapshot.accept", NULL, NULL,
	    N_("{who} accepted the held member list of {target} ({now:total} "
	       "people)."),
	    NULL },
	{ "sync.accept_invalidations", NULL, NULL,
	    N_("{who} accepted the Launchpad check's pending changes ({target})."),
	    NULL },
};

#define NSENTENCES (sizeof(sentences) / sizeof(sentences[0]))

static const char *
who_words(struct arena *a, const struct lang *l, const struct history_event *ev)
{
	const char *k = ev->actor_kind, *n = ev->actor_name;

	if (strcmp(k, "user") == 0)
		return arena_printf(a, "~%s", n);
	if (strcmp(k, "api") == 0)
		return arena_printf(a, tr(l, "~%s (API)"), n);
	if (strcmp(k, "sync") == 0)
		return tr(l, "the Launchpad check");
	if (strcmp(k, "cli") == 0)
		return *n != '\0' ?
		    arena_printf(a, tr(l, "the operator %s"), n) :
		    tr(l, "an operator");
	return "membermail";
}

static json_object *
parse(const char *text)
{
	json_object *o;

	if (text == NULL || *text == '\0')
		return NULL;
	if ((o = json_tokener_parse(text)) != NULL &&
	    !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = NULL;
	}
	return o;
}

static const char *
reply_words(const struct lang *l, int code)
{
	switch (code) {
	case 250:
		return tr(l, "250 (accepted and dropped)");
	case 421:
		return tr(l, "421 (try again later)");
	case 550:
		return tr(l, "550 (rejected)");
	default:
		return tr(l, "an unknown reply");
	}
}

/* A domain's TXT status (domains.txt_status), as the log says it. */
static const char *
txt_words(const struct lang *l, const char *status)
{
	static const struct {
		const char *status, *words;
	} w[] = {
		{ "verified", N_("its record is there") },
		{ "unverified", N_("not checked yet") },
		{ "missing", N_("no record") },
		{ "multiple", N_("more than one record") },
		{ "wrong", N_("a record with another token") },
		{ "nxdomain", N_("the name does not exist") },
	};
	size_t i;

	for (i = 0; status != NULL && i < sizeof(w) / sizeof(w[0]); i++)
		if (strcmp(status, w[i].status) == 0)
			return tr(l, w[i].words);
	return tr(l, "an unknown outcome");
}

/* The value of key in o, in words ("none" when missing). */
static const char *
value_words(struct arena *a, const struct lang *l, json_object *o,
    const char *key)
{
	json_object *v;
	const char  *s = "";
	size_t       i, n;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) || v == NULL)
		return tr(l, "none");
	if (strcmp(key, "reply_code") == 0)
		return reply_words(l, json_object_get_int(v));
	if (strcmp(key, "txt_status") == 0)
		return txt_words(l, json_object_get_string(v));
	if (!json_object_is_type(v, json_type_array))
		return arena_strdup(a, json_object_get_string(v));
	n = json_object_array_length(v);
	for (i = 0; s != NULL && i < n; i++)
		s = arena_printf(a, "%s%s%s", s, i ? ", " : "",
		    json_object_get_string(json_object_array_get_idx(v, i)));
	return s;
}

/* Whether the row applies: its key changed (to its value, if any). */
static int
selects(const struct sentence *s, json_object *before, json_object *after)
{
	json_object *v;

	if (s->key == NULL)
		return 1;
	if (after == NULL || !json_object_object_get_ex(after, s->key, &v))
		return s->value == NULL && before != NULL &&
		    json_object_object_get_ex(before, s->key, NULL);
	if (s->value != NULL && strcmp(s->value, "+") == 0)
		return v != NULL;
	return s->value == NULL ||
	    (v != NULL && strcmp(json_object_get_string(v), s->value) == 0);
}

/* The template (translated already) with its placeholders filled. */
static const char *
fill(struct arena *a, const struct lang *l, const char *tpl,
    const struct history_event *ev, json_object *before, json_object *after)
{
	const char *p = tpl, *end, *v, *out = "";
	char        key[64];
	size_t      n;

	while (out != NULL && *p != '\0') {
		if (*p != '{' || (end = strchr(p, '}')) == NULL ||
		    (n = (size_t)(end - p - 1)) >= sizeof(key)) {
			n = strcspn(p + 1, "{") + 1;
			out = arena_printf(a, "%s%.*s", out, (int)n, p);
			p += n;
			continue;
		}
		memcpy(key, p + 1, n);
		key[n] = '\0';
		v = strcmp(key, "who") == 0 ?
		    who_words(a, l, ev) :
		    strcmp(key, "target") == 0 ?
		    ev->target :
		    strncmp(key, "was:", 4) == 0 ?
		    value_words(a, l, before, key + 4) :
		    strncmp(key, "now:", 4) == 0 ?
		    value_words(a, l, after, key + 4) :
		    "";
		out = v == NULL ? NULL : arena_printf(a, "%s%s", out, v);
		p = end + 1;
	}
	/* "the Launchpad check ..." begins a sentence; an address does not
	   change case, nor does "membermail". */
	if (out != NULL && strncmp(tpl, "{who}", 5) == 0 &&
	    islower((unsigned char)out[0]) &&
	    strncmp(out, "membermail", 10) != 0) {
		char *c = arena_strdup(a, out);

		if (c != NULL)
			c[0] = (char)toupper((unsigned char)c[0]);
		out = c;
	}
	return out;
}

const char *
history_words(struct arena *a, const struct lang *l,
    const struct history_event *ev, int named)
{
	json_object *before = parse(ev->before), *after = parse(ev->after);
	const char  *out = "", *one;
	size_t       i;
	int          found = 0;

	/* Pass 0: the rows that apply; pass 1: the "*" row, if none did. */
	for (i = 0;
	     out != NULL && i < 2 * NSENTENCES && !(i == NSENTENCES && found);
	     i++) {
		const struct sentence *r = &sentences[i % NSENTENCES];
		int fallback = r->key != NULL && strcmp(r->key, "*") == 0;

		if (strcmp(r->action, ev->action) != 0 ||
		    fallback != (i >= NSENTENCES) ||
		    (!fallback && !selects(r, before, after)))
			continue;
		found = 1;
		one = fill(a, l,
		    tr(l, named && r->named != NULL ? r->named : r->plain), ev,
		    before, after);
		out = one == NULL ? NULL :
				    arena_printf(a, "%s%s%s", out,
					*out != '\0' ? " " : "", one);
	}
	/* An action with no sentence yet: who, what, and its code. */
	if (out != NULL && !found &&
	    (one = fill(a, l, tr(l, "{who} changed {target}"), ev, before,
		 after)) != NULL)
		out = arena_printf(a, "%s (%s).", one, ev->action);
	json_object_put(before);
	json_object_put(after);
	return out;
}

const char *
history_line(struct arena *a, const struct lang *l,
    const struct history_event *ev, int named)
{
	const char *w = history_words(a, l, ev, named);

	return w == NULL ? NULL : arena_printf(a, "%s \u2014 %s", ev->at, w);
}
