/* test_provision.c - the provisioning planner, one case per rule (provision.h). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "lib/conf.h"
#include "rules/pending.h"
#include "rules/provision.h"
#include "rules/snapshot.h"
#include "test.h"

/* Aliases the cases pick from (ids 1..). */
static const struct prov_alias A_ON = { 1, "ada", 1, "", 0, 0 };
static const struct prov_alias A_LEFT = { 2, "ada", 0, "left-team", 0, 0 };
static const struct prov_alias A_LEFT_OLD = { 3, "ada", 0, "left-team", 1, 0 };
static const struct prov_alias A_OWNER = { 4, "ada", 0, "by-owner", 0, 0 };
static const struct prov_alias A_ADMIN = { 5, "ada", 0, "by-admin", 1, 0 };
static const struct prov_alias A_EXTRA = { 6, "ada-x", 1, "", 0, 0 };
static const struct prov_alias A_BANNED = { 7, "ada", 0, "banned", 0, 0 };
static const struct prov_alias A_INVALID = { 8, "ada", 0, "invalid-user", 1,
	0 };
static const struct prov_alias A_SELF = { 9, "ada", 0, "matches-recipient", 0,
	0 };
/* Disabled by the sync; its local part reserved since, never assigned. */
static const struct prov_alias A_RESERVED = { 10, "ada", 0, "left-team", 0, 1 };
static const struct prov_alias A_RESERVED_OLD = { 11, "ada", 0, "left-team", 1,
	1 };

/* The plan as text: "kind[:alias][:reason][:forget]" joined by spaces. */
static const char *
plan_text(const struct prov_input *in)
{
	static const char *const kinds[] = {
		[ACT_CREATE] = "create",
		[ACT_CREATE_DISABLED] = "create-off",
		[ACT_ENABLE] = "enable",
		[ACT_DISABLE] = "disable",
		[ACT_DELETE] = "delete",
		[ACT_JOIN] = "join",
		[ACT_PRUNE] = "prune",
		[ACT_TELL_INVALID] = "tell",
		[ACT_NOT_CREATED] = "not-created",
	};
	static char        s[512];
	struct prov_action a[16];
	size_t             i, n;

	n = provision_plan(in, a);
	s[0] = '\0';
	for (i = 0; i < n; i++) {
		snprintf(s + strlen(s), sizeof(s) - strlen(s), "%s%s",
		    i ? " " : "", kinds[a[i].kind]);
		if (a[i].alias_id != 0)
			snprintf(s + strlen(s), sizeof(s) - strlen(s), ":%lld",
			    a[i].alias_id);
		if (a[i].kind == ACT_CREATE || a[i].kind == ACT_CREATE_DISABLED)
			snprintf(s + strlen(s), sizeof(s) - strlen(s), ":%s",
			    a[i].local_part);
		if (a[i].reason != NULL)
			snprintf(s + strlen(s), sizeof(s) - strlen(s), ":%s",
			    a[i].reason);
		if (a[i].forget)
			snprintf(s + strlen(s), sizeof(s) - strlen(s),
			    ":forget");
	}
	return s;
}

struct tcase {
	const char              *what;
	int                      banned;
	enum person_state        person;
	enum membership          member;
	int                      removals;
	enum role                role;
	const struct prov_alias *al[3];
	int                      local; /* TAKEN: another's, RSV: reserved */
	int                      limit, grace;
	const char              *email;
	const char              *want;
};

#define V     PERSON_VALID
#define YES   MEMBER_YES
#define NO    MEMBER_NO
#define UNK   MEMBER_UNKNOWN
#define NONE  ROLE_NONE
#define MEM   ROLE_MEMBER
#define ADM   ROLE_ADMIN
#define TAKEN 1
#define RSV   2

static const struct tcase cases[] = {
	/* join */
	{ "join: created and member", 0, V, YES, 1, NONE, { NULL }, 0, 3, 30,
	    NULL, "create:ada join" },
	{ "join, removals held: additions still happen", 0, V, YES, 0, NONE,
	    { NULL }, 0, 3, 30, NULL, "create:ada join" },
	{ "already has it", 0, V, YES, 1, MEM, { &A_ON }, 0, 3, 30, NULL, "" },
	{ "email is the alias: created disabled", 0, V, YES, 1, NONE, { NULL },
	    0, 3, 30, "Ada@ubuntu.com", "create-off:ada join" },
	{ "admin stays admin, gets the alias", 0, V, YES, 1, ADM, { NULL }, 0,
	    3, 30, NULL, "create:ada" },
	{ "limit 3: at most 3", 0, V, YES, 1, MEM,
	    { &A_EXTRA, &A_EXTRA, &A_EXTRA }, 0, 3, 30, NULL,
	    "not-created:limit" },
	{ "limit 3: 2 owned, one more", 0, V, YES, 1, MEM,
	    { &A_EXTRA, &A_EXTRA }, 0, 3, 30, NULL, "create:ada" },
	{ "limit 0 blocks", 0, V, YES, 1, NONE, { NULL }, 0, 0, 30, NULL,
	    "not-created:limit" },
	{ "admins have no limit", 0, V, YES, 1, ADM,
	    { &A_EXTRA, &A_EXTRA, &A_EXTRA }, 0, 3, 30, NULL, "create:ada" },
	{ "taken by someone else", 0, V, YES, 1, NONE, { NULL }, 1, 3, 30, NULL,
	    "not-created:taken" },
	{ "email unusable as a recipient", 0, V, YES, 1, NONE, { NULL }, 0, 3,
	    30, "a..b@example.org", "not-created:recipient" },
	{ "email domain not a DNS name", 0, V, YES, 1, NONE, { NULL }, 0, 3, 30,
	    "ada@localhost", "not-created:recipient" },
	{ "email domain upper case (the engine lowers it first)", 0, V, YES, 1,
	    NONE, { NULL }, 0, 3, 30, "Ada.X@MAIL.example",
	    "not-created:recipient" },
	{ "member without aliases, not creatable: pruned", 0, V, YES, 1, MEM,
	    { NULL }, 1, 3, 30, NULL, "not-created:taken prune" },
	/* re-join */
	{ "re-join: left-team enabled", 0, V, YES, 1, MEM, { &A_LEFT }, 0, 3,
	    30, NULL, "enable:2" },
	{ "re-join past remove_at: enabled, not deleted", 0, V, YES, 1, MEM,
	    { &A_LEFT_OLD }, 0, 3, 30, NULL, "enable:3" },
	{ "valid again: invalid-user and banned enabled", 0, V, YES, 1, MEM,
	    { &A_INVALID, &A_BANNED }, 0, 3, 30, NULL, "enable:8 enable:7" },
	{ "by-owner stays off", 0, V, YES, 1, MEM, { &A_OWNER }, 0, 3, 30, NULL,
	    "" },
	{ "by-admin stays off", 0, V, YES, 1, MEM, { &A_ADMIN }, 0, 3, 30, NULL,
	    "" },
	{ "matches-recipient stays off", 0, V, YES, 1, MEM, { &A_SELF }, 0, 3,
	    30, NULL, "" },
	/* leave */
	{ "leave: disabled left-team", 0, V, NO, 1, MEM, { &A_ON }, 0, 3, 30,
	    NULL, "disable:1:left-team" },
	{ "leave, no grace: deleted, pruned, reports forgotten", 0, V, NO, 1,
	    MEM, { &A_ON }, 0, 3, 0, NULL, "delete:1 prune:forget" },
	{ "leave, removals held: nothing", 0, V, NO, 0, MEM, { &A_ON }, 0, 3,
	    30, NULL, "" },
	{ "leave, grace over: deleted", 0, V, NO, 1, MEM, { &A_LEFT_OLD }, 0, 3,
	    30, NULL, "delete:3 prune:forget" },
	{ "leave, grace running: nothing", 0, V, NO, 1, MEM, { &A_LEFT }, 0, 3,
	    30, NULL, "" },
	{ "leave, grace over, removals held: kept", 0, V, NO, 0, MEM,
	    { &A_LEFT_OLD }, 0, 3, 30, NULL, "" },
	{ "leave: admin untouched", 0, V, NO, 1, ADM, { &A_ON }, 0, 3, 0, NULL,
	    "" },
	{ "leave: a by-owner alias is taken off too", 0, V, NO, 1, MEM,
	    { &A_OWNER }, 0, 3, 30, NULL, "disable:4:left-team" },
	{ "leave without grace: a by-owner alias goes at once", 0, V, NO, 1,
	    MEM, { &A_OWNER }, 0, 3, 0, NULL, "delete:4 prune:forget" },
	{ "never a member, not in team: nothing", 0, V, NO, 1, NONE, { NULL },
	    0, 3, 30, NULL, "" },
	{ "member row, no aliases, not in team: pruned", 0, V, NO, 1, MEM,
	    { NULL }, 0, 3, 30, NULL, "prune:forget" },
	/* unknown */
	{ "person unknown: nothing", 0, PERSON_UNKNOWN, NO, 1, MEM, { &A_ON },
	    0, 3, 30, NULL, "" },
	{ "membership unknown: nothing", 0, V, UNK, 1, MEM, { &A_ON }, 0, 3, 30,
	    NULL, "" },
	/* invalid */
	{ "banned: disabled banned, told", 1, V, YES, 1, MEM, { &A_ON }, 0, 3,
	    30, NULL, "disable:1:banned tell:banned" },
	{ "banned, person unknown: still banned", 1, PERSON_UNKNOWN, YES, 1,
	    MEM, { &A_ON }, 0, 3, 30, NULL, "disable:1:banned tell:banned" },
	{ "not found", 0, PERSON_NOT_FOUND, YES, 1, MEM, { &A_ON }, 0, 3, 30,
	    NULL, "disable:1:invalid-user tell:not-found" },
	{ "not valid", 0, PERSON_NOT_VALID, NO, 1, MEM, { &A_ON }, 0, 3, 30,
	    NULL, "disable:1:invalid-user tell:not-valid" },
	{ "not a CoC signer, in team, never a member: told, nothing made", 0,
	    PERSON_NOT_COC, YES, 1, NONE, { NULL }, 0, 3, 30, NULL,
	    "tell:not-coc-signer" },
	{ "a team", 0, PERSON_IS_TEAM, YES, 1, MEM, { &A_ON }, 0, 3, 30, NULL,
	    "disable:1:invalid-user tell:is-team" },
	{ "another person's entry", 0, PERSON_NAME_MISMATCH, YES, 1, MEM,
	    { &A_ON }, 0, 3, 30, NULL,
	    "disable:1:invalid-user tell:name-mismatch" },
	{ "invalid, no grace: deleted and pruned (reports kept)", 0,
	    PERSON_NOT_VALID, YES, 1, MEM, { &A_ON }, 0, 3, 0, NULL,
	    "delete:1 tell:not-valid prune" },
	{ "invalid, grace over: deleted", 0, PERSON_NOT_VALID, YES, 0, MEM,
	    { &A_INVALID }, 0, 3, 30, NULL, "delete:8 tell:not-valid prune" },
	{ "invalid, not a member, not in team: silent", 0, PERSON_NOT_VALID, NO,
	    1, NONE, { NULL }, 0, 3, 30, NULL, "" },
	{ "invalid admin: untouched", 0, PERSON_NOT_VALID, YES, 1, ADM,
	    { &A_ON }, 0, 3, 30, NULL, "" },
	/* A ban ends access whoever it hits; the admin role stays. */
	{ "banned admin: disabled banned, told", 1, V, YES, 1, ADM, { &A_ON },
	    0, 3, 30, NULL, "disable:1:banned tell:banned" },
	{ "banned admin not in the team: disabled, told", 1, V, NO, 1, ADM,
	    { &A_ON }, 0, 3, 30, NULL, "disable:1:banned tell:banned" },
	{ "banned admin, no grace: disabled, never deleted", 1, V, YES, 1, ADM,
	    { &A_ON, &A_BANNED }, 0, 3, 0, NULL,
	    "disable:1:banned tell:banned" },
	{ "unbanned admin not in the team: a ban's aliases back", 0, V, NO, 1,
	    ADM, { &A_BANNED, &A_LEFT }, 0, 3, 30, NULL, "enable:7" },
	{ "unbanned admin, person unknown: a ban's aliases back", 0,
	    PERSON_UNKNOWN, UNK, 1, ADM, { &A_BANNED }, 0, 3, 30, NULL,
	    "enable:7" },
	/* Reserved local parts (rules/reserved.h). */
	{ "reserved name: not created", 0, V, YES, 1, NONE, { NULL }, RSV, 3,
	    30, NULL, "not-created:reserved" },
	{ "reserved name, a member without aliases: pruned", 0, V, YES, 1, MEM,
	    { NULL }, RSV, 3, 30, NULL, "not-created:reserved prune" },
	{ "reserved name of an admin: not created either", 0, V, YES, 1, ADM,
	    { NULL }, RSV, 3, 30, NULL, "not-created:reserved" },
	{ "reserved since, sync-disabled: never enabled", 0, V, YES, 1, MEM,
	    { &A_RESERVED }, RSV, 3, 30, NULL, "" },
	{ "reserved since, sync-disabled, left: deleted at its time", 0, V, NO,
	    1, MEM, { &A_RESERVED_OLD }, RSV, 3, 30, NULL,
	    "delete:11 prune:forget" },
};

static void
test_rules(void)
{
	const struct tcase *t;
	struct prov_alias   al[3];
	struct prov_input   in;
	size_t              i, k;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		t = &cases[i];
		memset(&in, 0, sizeof(in));
		for (k = 0; k < 3 && t->al[k] != NULL; k++)
			al[k] = *t->al[k];
		in.name = "ada";
		in.email = t->email ? t->email : "ada@example.org";
		in.domain = "ubuntu.com";
		in.banned = t->banned;
		in.person = t->person;
		in.member = t->member;
		in.removals_allowed = t->removals;
		in.role = t->role;
		in.aliases = al;
		in.naliases = k;
		in.local_taken = t->local == TAKEN;
		in.local_reserved = t->local == RSV;
		in.alias_limit = t->limit;
		in.grace_days = t->grace;
		CHECK_STR(plan_text(&in), t->want, "%s", t->what);
	}
}

static void
test_person(void)
{
	struct lp_person p;

	memset(&p, 0, sizeof(p));
	snprintf(p.name, sizeof(p.name), "ada");
	p.is_valid = p.is_coc_signer = 1;
	CHECK_INT(person_from_lp(LP_OK, &p, "ada"), PERSON_VALID, "valid");
	CHECK_INT(person_from_lp(LP_OK, &p, "bob"), PERSON_NAME_MISMATCH,
	    "another person's entry");
	p.is_coc_signer = 0;
	CHECK_INT(person_from_lp(LP_OK, &p, "ada"), PERSON_NOT_COC, "no CoC");
	p.is_valid = 0;
	CHECK_INT(person_from_lp(LP_OK, &p, "ada"), PERSON_NOT_VALID,
	    "not valid");
	p.is_team = 1;
	CHECK_INT(person_from_lp(LP_OK, &p, "ada"), PERSON_IS_TEAM, "a team");
	CHECK_INT(person_from_lp(LP_NOT_FOUND, &p, "ada"), PERSON_NOT_FOUND,
	    "404");
	CHECK_INT(person_from_lp(LP_BAD_DATA, &p, "ada"), PERSON_UNKNOWN,
	    "bad data changes nothing");
	CHECK_INT(person_from_lp(LP_UNAVAILABLE, &p, "ada"), PERSON_UNKNOWN,
	    "unavailable changes nothing");
	CHECK_INT(person_from_status("not-coc-signer"), PERSON_NOT_COC,
	    "status round trip");
	CHECK_STR(person_status_name(PERSON_NAME_MISMATCH), "name-mismatch",
	    "status name");
	CHECK_INT(person_from_status("nonsense"), PERSON_UNKNOWN,
	    "unknown status");
}

/* The guards' arithmetic: a share and a count, both exceeded. */
static void
test_guards(void)
{
	struct config  cfg;
	struct pending p;

	conf_defaults(&cfg);
	CHECK(!snapshot_shrink_held(1, 0, 10, 5), "one of one leaves: no hold");
	CHECK(!snapshot_shrink_held(10, 5, 10, 5),
	    "5 of 10: the count holds not");
	CHECK(snapshot_shrink_held(10, 4, 10, 5), "6 of 10: held");
	CHECK(!snapshot_shrink_held(1000, 950, 10, 5), "5 %%: no hold");
	CHECK(!snapshot_shrink_held(0, 0, 10, 5), "no trusted snapshot");
	CHECK(!pending_guard_holds(&cfg, 12, 5),
	    "5 of 12: the count holds not");
	CHECK(pending_guard_holds(&cfg, 12, 6), "6 of 12: held");
	CHECK(!pending_guard_holds(&cfg, 1000, 100), "10 %%: not more");
	CHECK(pending_guard_holds(&cfg, 1000, 101), "over 10 %%");
	memset(&p, 0, sizeof(p));
	p.runs = 3;
	p.age = 86399;
	CHECK(!pending_confirmed(&cfg, &p), "3 runs within a day");
	p.age = 86400;
	CHECK(pending_confirmed(&cfg, &p), "3 runs over a day");
	p.runs = 2;
	CHECK(!pending_confirmed(&cfg, &p), "2 runs over a day");
	p.accepted = 1;
	CHECK(pending_confirmed(&cfg, &p), "accepted");
}

int
main(void)
{
	test_rules();
	test_person();
	test_guards();
	return test_done("test_provision");
}
