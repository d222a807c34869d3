#!/usr/bin/python3
"""membermail integration tests of provisioning: the rules run by
`membermail sync` and at sign-in, against the fake Launchpad
(tests/fakes/launchpad.py) and the real PostgreSQL; who is denied (a
person Launchpad does not know, an invalid one, a team, a name that does
not match, no Code of Conduct), members found only on a later page, the
paging guards, retries and outages that must change nothing, the shrink
guard,
error de-duplication, the sync's lock, --dry-run and `domain admin`.

Not a runner of its own: tests/integration/run.py imports it (after the
sign-in and process-manager tests, before test_db.py) and starts env.lp,
the fake Launchpad that the test server's config and every sync here name
(launchpad_timeout 2, launchpad_retries 2, signin_sync_budget 3000,
alerts_to ops@example.org).

Each test builds a Scene: a domain of its own (verified, enabled) mapped
to a team of its own, an admin, users inserted as rows (as a sign-in
would leave them) and the fake reset with their Launchpad records.  The
domain is retired at the end (deleted with its aliases and snapshots), so
a later sync leaves it alone and the database tests find only theirs.
Assertions are on database rows (aliases, domain_members, users,
team_snapshots, error_reports, error_log), outbox rows, audit rows and
exit codes; `membermail sync` runs as the app's role (mm_web).
"""

import os
import re
import signal
import subprocess
import time

import stack
from run import Fail, expect, show, test  # noqa: F401
from stack import wait_until

DB = stack.APP_DB
SUMMARY = re.compile(r"^sync: teams (\d+), users (\d+), created (\d+), disabled (\d+), "
                     r"removed (\d+), unchanged (\d+), errors (\d+), seconds [\d.]+$", re.M)
KEYS = ("teams", "users", "created", "disabled", "removed", "unchanged", "errors")
_seq = [0]


# ---------------------------------------------------------------- database

def q(env, sql):
    """One value (or lines joined by newlines) of a query, as the superuser."""
    return env.pg.scalar(sql, db=DB)


def lit(s):
    return "NULL" if s is None else "'" + str(s).replace("'", "''") + "'"


def table_counts(env):
    """Exact row counts of every table in public, as one string."""
    return q(env, "SELECT string_agg(format('%s=%s', tablename, (xpath('/row/c/text()', "
                  "query_to_xml(format('SELECT count(*) AS c FROM %I', tablename), false, "
                  "true, '')))[1]::text), ' ' ORDER BY tablename) FROM pg_tables "
                  "WHERE schemaname = 'public'")


def digest(env, table):
    return q(env, "SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) "
                  "FROM %s t" % table)


# ---------------------------------------------------------------- sync

def sync_conf(env, extra=()):
    """The test server's settings with `extra` (key, value) replacing keys."""
    settings = dict(env.signin_settings() + env.provision_settings())
    # no shrink guard unless a test asks for it: its teams are small
    settings["shrink_threshold"] = "100"
    settings.update(dict(extra))
    _seq[0] += 1
    path = os.path.join(env.base, "sync-%d.conf" % _seq[0])
    stack.render_config(path, stack.config_settings(
        env.sock, public_url="http://127.0.0.1:%d" % env.port, database=env.pg.conninfo(),
        extra=list(settings.items())), header="test_provision sync config")
    return path


def sync(env, *args, conf=(), timeout=60):
    """Runs `membermail sync -c CONF ARGS`; (exit status, output, summary dict)."""
    code, out = env.run_cli(["sync", "-c", sync_conf(env, conf)] + list(args), timeout=timeout)
    m = list(SUMMARY.finditer(out))
    summary = dict(zip(KEYS, (int(x) for x in m[-1].groups()))) if m else None
    return code, out, summary


def expect_sync(env, want_code, *args, conf=(), **want):
    """A sync that exits want_code and whose summary has the counts in want."""
    code, out, s = sync(env, *args, conf=conf)
    expect(code == want_code, "sync %s: exit %s, want %s:\n%s", " ".join(args), code,
           want_code, out[-3000:])
    expect(s is not None, "sync %s: no summary line:\n%s", " ".join(args), out[-2000:])
    for k, v in want.items():
        expect(s[k] == v, "sync %s: %s %d, want %d:\n%s", " ".join(args), k, s[k], v,
               out[-3000:])
    return out, s


# ---------------------------------------------------------------- a scene

class Scene:
    """A domain of its own mapped to ~<tag>-team, with an admin; users are
    added with user(); the fake Launchpad holds exactly their records."""

    def __init__(self, env, tag, alias_limit=3):
        _seq[0] += 1
        self.env = env
        self.tag = "%s%d" % (tag, _seq[0])
        self.domain = "%s.example" % self.tag
        self.team = "%s-team" % self.tag
        self.people = {}
        self.ids = {}
        self.members = []
        self.outbox_mark = int(q(env, "SELECT coalesce(max(id), 0) FROM outbox"))
        self.audit_mark = int(q(env, "SELECT coalesce(max(id), 0) FROM audit_log"))
        env.lp.reset()
        env.lp.clear_requests()
        self.admin = self.user("adm", in_team=False)
        self.admin_email = self.email_of(self.admin)
        self.domain_id = int(q(env, (
            "INSERT INTO domains (name, team, verification_token, txt_status, txt_checked_at, "
            "alias_limit) VALUES (%s, %s, substr(md5(random()::text), 1, 10), 'verified', "
            "now(), %d) RETURNING id") % (lit(self.domain), lit(self.team), alias_limit)))
        q(env, "INSERT INTO domain_members (domain_id, user_id, role) VALUES (%d, %d, 'admin')"
          % (self.domain_id, self.ids[self.admin]))
        self.push()

    def user(self, prefix, in_team=True, email=None, **person):
        """A user row and their Launchpad person (fixture keys in person)."""
        _seq[0] += 1
        name = "%s%s-%d" % (prefix, self.tag, _seq[0])
        email = email or "%s@mail.example.org" % name
        self.ids[name] = int(q(self.env, (
            "INSERT INTO users (claimed_id, name, email) VALUES (%s, %s, %s) RETURNING id")
            % (lit("https://login.ubuntu.com/+id/" + name.replace("-", "")), lit(name),
               lit(email))))
        self.people[name] = dict({"name": name}, **person)
        if in_team:
            self.members.append(name)
        self.push()
        return name

    def email_of(self, name):
        return q(self.env, "SELECT email FROM users WHERE id = %d" % self.ids[name])

    def push(self):
        """The fake's people and the team as they are now."""
        if self.people:
            self.env.lp.people(list(self.people.values()))
        self.env.lp.teams([{"name": self.team, "members": list(self.members)}])

    def leave(self, name):
        self.members.remove(name)
        self.push()

    def join(self, name):
        self.members.append(name)
        self.push()

    def retire(self):
        """Deletes the domain, its aliases and its team's snapshots (the
        database tests count domains); users and history stay."""
        self.env.pg.psql("DELETE FROM aliases WHERE domain_id = %d; DELETE FROM domains WHERE "
                         "id = %d; DELETE FROM team_snapshots WHERE team = %s;"
                         % (self.domain_id, self.domain_id, lit(self.team)), db=DB)

    # -- what the database holds
    def alias(self, name, local=None):
        """(enabled, disabled_reason, remove_at set, recipients) of local@domain, or None."""
        row = q(self.env, ("SELECT enabled || '|' || coalesce(disabled_reason, '') || '|' || "
                           "(remove_at IS NOT NULL) || '|' || array_to_string(recipients, ',') "
                           "FROM aliases WHERE domain_id = %d AND local_part = %s")
                % (self.domain_id, lit(local or name)))
        if not row:
            return None
        on, reason, rm, rcpt = row.split("|")
        return (on == "true", reason or None, rm == "true", rcpt)

    def role(self, name):
        return q(self.env, "SELECT role FROM domain_members WHERE domain_id = %d AND user_id = %d"
                 % (self.domain_id, self.ids[name])) or None

    def outbox(self):
        """[(to, cc, subject)] queued since the scene began."""
        out = q(self.env, ("SELECT array_to_string(to_addresses, ',') || '|' || "
                           "array_to_string(cc_addresses, ',') || '|' || subject FROM outbox "
                           "WHERE id > %d ORDER BY id") % self.outbox_mark)
        return [tuple(line.split("|", 2)) for line in out.splitlines() if line]

    def audits(self):
        """[(actor_kind, action, target_label)] since the scene began."""
        out = q(self.env, ("SELECT actor_kind || '|' || action || '|' || coalesce(target_label, '') "
                           "FROM audit_log WHERE id > %d ORDER BY id") % self.audit_mark)
        return [tuple(line.split("|")) for line in out.splitlines() if line]

    def mark(self):
        self.outbox_mark = int(q(self.env, "SELECT coalesce(max(id), 0) FROM outbox"))
        self.audit_mark = int(q(self.env, "SELECT coalesce(max(id), 0) FROM audit_log"))

    def addr(self, local):
        return "%s@%s" % (local, self.domain)


def scene_test(fn):
    """A test that gets a fresh Scene factory and always retires its domains."""
    def run_it(env):
        made = []

        def make(tag, **kw):
            s = Scene(env, tag, **kw)
            made.append(s)
            return s
        try:
            fn(env, make)
        finally:
            for s in made:
                s.retire()
            env.lp.clear_faults()
    run_it.__name__ = fn.__name__
    return test(run_it)


def subjects(rows):
    return [r[2] for r in rows]


# ---------------------------------------------------------------- the rules

@scene_test
def prov_join_creates_alias(env, make):
    s = make("join")
    ada = s.user("ada")
    bea = s.user("bea")
    expect_sync(env, 0, teams=1, created=2, disabled=0, removed=0, errors=0)
    a = s.alias(ada)
    expect(a == (True, None, False, s.email_of(ada)), "%s: alias %r", s.addr(ada), a)
    expect(s.role(ada) == "member", "ada's role: %r", s.role(ada))
    expect(s.role(s.admin) == "admin", "the admin stays admin: %r", s.role(s.admin))
    # users who signed in and got no address yet: the first one is
    # announced ("~name signed in"), naming the address
    mails = [m for m in s.outbox() if ada in m[2]]
    expect(len(s.outbox()) == 2 and len(mails) == 1 and mails[0][0] == s.admin_email
           and mails[0][1] == "" and "signed in" in mails[0][2],
           "one mail per creation, to the admin: %r", s.outbox())
    body = q(env, "SELECT body FROM outbox WHERE id > %d AND subject LIKE %s"
             % (s.outbox_mark, lit("%" + ada + "%")))
    expect(s.addr(ada) in body and "http://127.0.0.1:%d/" % env.port in body and bea not in body,
           "a summary with a link, no other member named:\n%s", body)
    au = s.audits()
    expect(("sync", "alias.create", s.addr(ada)) in au, "audit alias.create: %r", au)
    expect(("sync", "domain_member.add", "%s in %s" % (ada, s.domain)) in au,
           "audit domain_member.add: %r", au)
    expect(q(env, "SELECT person_status || ' ' || (synced_at IS NOT NULL) FROM users WHERE id = %d"
             % s.ids[ada]) == "valid true", "person_status and synced_at recorded")
    s.mark()
    # a second run changes nothing and sends nothing
    expect_sync(env, 0, created=0, disabled=0, removed=0, errors=0)
    expect(s.outbox() == [] and s.audits() == [], "second run wrote: %r %r",
           s.outbox(), s.audits())


@scene_test
def prov_matches_recipient_created_disabled(env, make):
    s = make("self")
    bob = s.user("bob")
    # the same address, in other case: it still "is" the alias
    q(env, "UPDATE users SET email = %s WHERE id = %d" % (lit(bob.upper() + "@" + s.domain),
                                                         s.ids[bob]))
    expect_sync(env, 0, created=1, errors=0)
    a = s.alias(bob)
    expect(a is not None and a[:3] == (False, "matches-recipient", False),
           "alias created disabled matches-recipient: %r", a)
    mails = s.outbox()
    expect(len(mails) == 1 and mails[0][0] == s.admin_email and "itself" in mails[0][2],
           "admins warned: %r", mails)


@scene_test
def prov_leave_disable_rejoin_and_expire(env, make):
    s = make("leave")
    cy = s.user("cy")
    other = s.user("keep")
    expect_sync(env, 0, created=2)
    # custom recipients survive leaving and re-joining
    q(env, "UPDATE aliases SET recipients = '{x@elsewhere.example,y@elsewhere.example}' "
           "WHERE domain_id = %d AND local_part = %s" % (s.domain_id, lit(cy)))
    s.leave(cy)
    s.mark()
    expect_sync(env, 0, created=0, disabled=1, removed=0)
    a = s.alias(cy)
    expect(a == (False, "left-team", True, "x@elsewhere.example,y@elsewhere.example"),
           "left: %r", a)
    days = q(env, "SELECT round(extract(epoch FROM remove_at - now()) / 86400) FROM aliases "
                  "WHERE domain_id = %d AND local_part = %s" % (s.domain_id, lit(cy)))
    expect(days == "30", "remove_at in removal_grace_days (30): %s days", days)
    expect(s.alias(other)[0], "the member who stayed keeps theirs")
    mails = s.outbox()
    expect(len(mails) == 1 and "left" in mails[0][2] and mails[0][0] == s.admin_email,
           "admins told of the disable: %r", mails)
    expect(("sync", "alias.disable", s.addr(cy)) in s.audits(), "audit: %r", s.audits())
    # re-join: the same alias, enabled again, its recipients kept
    s.join(cy)
    s.mark()
    expect_sync(env, 0, created=1, disabled=0)
    a = s.alias(cy)
    expect(a == (True, None, False, "x@elsewhere.example,y@elsewhere.example"),
           "re-joined: %r", a)
    expect(q(env, "SELECT count(*) FROM aliases WHERE domain_id = %d AND user_id = %d"
             % (s.domain_id, s.ids[cy])) == "1", "no second alias")
    expect(any("enabled again" in x for x in subjects(s.outbox())), "restored mail: %r",
           s.outbox())
    # leave again, the grace period runs out: deleted, membership pruned
    s.leave(cy)
    expect_sync(env, 0, disabled=1)
    q(env, "UPDATE aliases SET remove_at = now() - interval '1 minute' WHERE domain_id = %d "
           "AND local_part = %s" % (s.domain_id, lit(cy)))
    s.mark()
    expect_sync(env, 0, removed=1, disabled=0)
    expect(s.alias(cy) is None, "deleted after the grace period")
    expect(s.role(cy) is None, "membership pruned: %r", s.role(cy))
    au = s.audits()
    expect(("sync", "alias.delete", s.addr(cy)) in au and
           ("sync", "domain_member.remove", "%s in %s" % (cy, s.domain)) in au, "audit: %r", au)
    expect(any("removed" in x for x in subjects(s.outbox())), "removal mail: %r", s.outbox())


@scene_test
def prov_leave_without_grace_deletes(env, make):
    s = make("nograce")
    dee = s.user("dee")
    expect_sync(env, 0, created=1)
    s.leave(dee)
    s.mark()
    expect_sync(env, 0, conf=[("removal_grace_days", "0")], removed=1, disabled=0)
    expect(s.alias(dee) is None and s.role(dee) is None, "deleted at once, pruned")
    expect(any("removed" in x for x in subjects(s.outbox())), "admins told: %r", s.outbox())


@scene_test
def prov_admins_never_touched(env, make):
    s = make("admins")
    # the admin is not in the team and owns an alias (a reserved name a
    # site admin assigned): untouched
    q(env, "INSERT INTO aliases (domain_id, local_part, user_id, recipients, reserved_assigned) "
           "VALUES (%d, 'postmaster', %d, '{pm@mail.example.org}', true)"
      % (s.domain_id, s.ids[s.admin]))
    ed = s.user("ed")
    q(env, "INSERT INTO domain_members (domain_id, user_id, role) VALUES (%d, %d, 'admin')"
      % (s.domain_id, s.ids[ed]))
    expect_sync(env, 0, conf=[("removal_grace_days", "0")], created=1, removed=0, disabled=0)
    expect(s.alias(s.admin, "postmaster")[0], "an admin's alias is never disabled")
    expect(s.role(ed) == "admin" and s.alias(ed)[0], "an admin in the team gets the alias "
           "and stays admin: %r %r", s.role(ed), s.alias(ed))
    s.leave(ed)
    q(env, "UPDATE users SET is_banned = true, ban_reason = 'test' WHERE id = %d" % s.ids[ed])
    expect_sync(env, 0, conf=[("removal_grace_days", "0")], removed=0, disabled=1)
    expect(s.role(ed) == "admin" and s.alias(ed)[:2] == (False, "banned"),
           "a banned admin stays admin, their alias disabled: %r %r", s.role(ed), s.alias(ed))
    expect_sync(env, 0, conf=[("removal_grace_days", "0")], removed=0, disabled=0)
    expect(s.alias(ed) is not None, "a banned admin's alias was removed")
    q(env, "UPDATE users SET is_banned = false, ban_reason = NULL WHERE id = %d" % s.ids[ed])
    expect_sync(env, 0, conf=[("removal_grace_days", "0")], removed=0, disabled=0)
    expect(s.alias(ed)[:2] == (True, None), "unbanned, the admin has it back: %r", s.alias(ed))


@scene_test
def prov_alias_limit_and_taken(env, make):
    s = make("limit", alias_limit=3)
    full = s.user("full")
    two = s.user("two")
    for i in range(3):
        q(env, "INSERT INTO aliases (domain_id, local_part, user_id, recipients) VALUES "
               "(%d, 'full-x%d', %d, '{a@mail.example.org}')" % (s.domain_id, i, s.ids[full]))
    for i in range(2):
        q(env, "INSERT INTO aliases (domain_id, local_part, user_id, recipients) VALUES "
               "(%d, 'two-x%d', %d, '{a@mail.example.org}')" % (s.domain_id, i, s.ids[two]))
    q(env, "INSERT INTO domain_members (domain_id, user_id) VALUES (%d, %d), (%d, %d)"
      % (s.domain_id, s.ids[full], s.domain_id, s.ids[two]))
    taken = s.user("tkn")
    q(env, "INSERT INTO aliases (domain_id, local_part, user_id, recipients) VALUES "
           "(%d, %s, %d, '{b@mail.example.org}')" % (s.domain_id, lit(taken), s.ids[s.admin]))
    expect_sync(env, 0, created=1, errors=0)
    expect(s.alias(full) is None, "3 of limit 3 owned: no fourth")
    expect(s.alias(two) is not None, "2 of limit 3 owned: a third")
    mails = s.outbox()
    lim = [m for m in mails if m[0] == s.email_of(full)]
    tk = [m for m in mails if m[0] == s.email_of(taken)]
    expect(len(lim) == 1 and lim[0][1] == "" and "could not be created" in lim[0][2],
           "the user told of the limit, nobody in Cc: %r", mails)
    expect(len(tk) == 1 and tk[0][1] == "", "taken: the user told, nobody in Cc: %r", mails)
    expect(len([m for m in mails if m[0] == s.admin_email and "could not be created" in m[2]])
           == 2, "the admin has a copy of each: %r", mails)
    expect(q(env, "SELECT count(*) FROM error_log WHERE domain_id = %d AND message LIKE "
                  "'not-created.limit:%%'" % s.domain_id) == "1", "error_log row for the limit")
    # the same errors again within 30 days: no second mail, the count grows
    s.mark()
    expect_sync(env, 0, created=0)
    expect(s.outbox() == [], "de-duplicated: %r", s.outbox())
    expect(q(env, "SELECT count FROM error_log WHERE domain_id = %d AND message LIKE "
                  "'not-created.limit:%%'" % s.domain_id) == "2", "error_log counts it")
    expect(q(env, "SELECT count(*) FROM error_reports WHERE user_id = %d AND domain_id = %d"
             % (s.ids[taken], s.domain_id)) == "1", "a report row for taken")


@scene_test
def prov_dedup_forgotten_after_leaving(env, make):
    s = make("dedup", alias_limit=1)
    fay = s.user("fay")
    q(env, "INSERT INTO aliases (domain_id, local_part, user_id, recipients) VALUES "
           "(%d, 'fay-other', %d, '{a@mail.example.org}')" % (s.domain_id, s.ids[fay]))
    q(env, "INSERT INTO domain_members (domain_id, user_id) VALUES (%d, %d)"
      % (s.domain_id, s.ids[fay]))
    expect_sync(env, 0)
    expect(len([m for m in s.outbox() if m[0] == s.email_of(fay)]) == 1, "first report mailed")
    expect_sync(env, 0)
    expect(len([m for m in s.outbox() if m[0] == s.email_of(fay)]) == 1,
           "same error twice in 30 days: one outbox row: %r", s.outbox())
    # fay leaves: her alias goes (no grace), she is removed, her reports forgotten
    s.leave(fay)
    expect_sync(env, 0, conf=[("removal_grace_days", "0")], removed=1)
    expect(s.role(fay) is None, "removed from the domain")
    expect(q(env, "SELECT count(*) FROM error_reports WHERE user_id = %d AND domain_id = %d"
             % (s.ids[fay], s.domain_id)) == "0", "reports forgotten on removal")


# ---------------------------------------------------------------- matrix 11, 12

@scene_test
def prov_matrix_11_12_invalid_users(env, make):
    s = make("inv")
    cases = {k: s.user(k) for k in ("gone", "inval", "coc", "mism")}
    ok = s.user("ok")
    expect_sync(env, 0, created=5)         # all valid at first: 4 + ok
    # now make them invalid: the team's entries tell of inval and coc;
    # mism, out of the team, is looked up on their own and Launchpad
    # answers with another entry; gone is found neither under the name
    # nor by identity, which must hold for a day before it counts
    s.people[cases["inval"]]["is_valid"] = False
    s.people[cases["coc"]]["is_ubuntu_coc_signer"] = False
    s.members.remove(cases["mism"])
    s.push()
    env.lp.delete_people([cases["gone"]])
    s.people.pop(cases["gone"])
    s.members.remove(cases["gone"])
    env.lp.faults({"/1.0/~" + cases["mism"]: [{"entry": {"name": "somebody-else"}}] * 3})
    q(env, "UPDATE users SET person_checked_at = now() - interval '7 hours' WHERE id IN (%s)"
      % ",".join(str(s.ids[n]) for n in cases.values()))
    s.mark()
    expect_sync(env, 0, disabled=3, created=0)
    expect(s.alias(cases["gone"])[0], "gone: disabled at the first not-found")
    q(env, "UPDATE person_pending SET first_seen_at = now() - interval '2 days', runs = 3 "
           "WHERE user_id = %d" % s.ids[cases["gone"]])
    expect_sync(env, 0, disabled=1, created=0)
    want = {"gone": "not-found", "inval": "not-valid", "coc": "not-coc-signer",
            "mism": "name-mismatch"}
    for k, name in cases.items():
        a = s.alias(name)
        expect(a is not None and a[:3] == (False, "invalid-user", True),
               "%s: alias disabled invalid-user with a removal date: %r", k, a)
        st = q(env, "SELECT person_status FROM users WHERE id = %d" % s.ids[name])
        expect(st == want[k], "%s: person_status %r, want %r", k, st, want[k])
        mine = [m for m in s.outbox() if m[0] == s.email_of(name)]
        expect(len(mine) == 1 and mine[0][1] == "",
               "%s: the user told once, nobody in Cc: %r", k, mine)
    copies = [m for m in s.outbox() if m[0] == s.admin_email and "not eligible" in m[2]]
    expect(len(copies) == len(cases), "the admin has a copy of each: %r", s.outbox())
    expect(s.alias(ok)[0], "the valid member keeps theirs")
    # is_team: a user whose name is a team's
    s.retire()
    s2 = make("team")
    tm = s2.user("tm", is_team=True)
    s2.push()
    expect_sync(env, 0, created=0)
    expect(s2.alias(tm) is None, "a team never gets an alias")
    expect(q(env, "SELECT person_status FROM users WHERE id = %d" % s2.ids[tm]) == "is-team",
           "person_status is-team")


@scene_test
def prov_matrix_12_probationary_counted(env, make):
    """Karma 0 (is_probationary) is ignored: validity and the Code of
    Conduct are what count, so a member whose karma decayed keeps theirs."""
    s = make("prob")
    nov = s.user("nov", karma=0)
    old = s.user("old", karma=50)
    expect_sync(env, 0, created=2)
    expect(s.alias(nov) is not None and s.alias(old) is not None,
           "probationary participant excluded: %r %r", s.alias(nov), s.alias(old))
    s.people[old]["karma"] = 0          # decayed: still a member
    s.push()
    s.mark()
    expect_sync(env, 0, disabled=0, removed=0)
    expect(s.alias(old)[0] and not any("left" in m[2] for m in s.outbox()),
           "karma 0 took the address away: %r %r", s.alias(old), s.outbox())


# ---------------------------------------------------------------- matrix 13: paging

@scene_test
def prov_matrix_13_paging(env, make):
    s = make("page")
    names = [s.user("p%d" % i) for i in range(6)]
    last = sorted(names)[-1]
    page2 = [("launchpad_page_size", "2")]
    env.lp.clear_requests()
    expect_sync(env, 0, conf=page2, created=6)
    got = env.lp.api_requests("/1.0/~%s/participants" % s.team)
    expect(len(got) == 3 and "ws.size=2" in got[0]["path"], "3 pages of 2 asked: %r",
           [g["path"] for g in got])
    expect(s.alias(last) is not None, "the member on page 3 got theirs")
    # foreign next link: incomplete, no removals, exit 1
    s.leave(last)
    env.lp.faults({"/1.0/~%s/participants" % s.team: [{"next": "foreign"}]})
    code, out, sm = sync(env, conf=page2)
    expect(code == 1 and sm["disabled"] == 0, "foreign link: exit %s, %r\n%s", code, sm, out[-800:])
    expect(s.alias(last)[0], "no removal from an incomplete snapshot")
    expect(q(env, "SELECT complete::text || ' ' || (error LIKE '%%another host%%')::text FROM "
                  "team_snapshots WHERE team = %s ORDER BY id DESC LIMIT 1" % lit(s.team))
           == "false true", "stored incomplete with its error")
    # looping next link: stopped (repeat or page cap), no removals
    env.lp.faults({"/1.0/~%s/participants?ws.size=2&memo=2" % s.team: [{"next": "loop"}]})
    code, out, sm = sync(env, conf=page2)
    expect(code == 1 and sm["disabled"] == 0 and s.alias(last)[0], "loop: exit %s %r", code, sm)
    # total_size over-count (a private member): complete, the removal happens
    env.lp.faults({"/1.0/~%s/participants" % s.team: [{"total_size_delta": 5}]})
    expect_sync(env, 0, conf=page2, disabled=1)
    expect(s.alias(last)[:2] == (False, "left-team"), "absent member disabled: %r",
           s.alias(last))


# ---------------------------------------------------------------- matrix 14: retries

@scene_test
def prov_matrix_14_retries(env, make):
    s = make("retry")
    gil = s.user("gil")
    part = "/1.0/~%s/participants" % s.team
    env.lp.faults({part: [503, 503]})
    expect_sync(env, 0, created=1)
    env.lp.faults({part: [502]})
    expect_sync(env, 0)
    s.leave(gil)
    for script, what in (([500, 500], "500 twice"), ([503] * 5, "5 x 503"),
                         ([{"delay_ms": 2600}] * 3, "timeouts")):
        env.lp.clear_faults()
        env.lp.faults({part: script})
        code, out, sm = sync(env)
        expect(code == 75, "%s: exit %s, want 75\n%s", what, code, out[-800:])
        expect(sm["disabled"] == 0 and sm["removed"] == 0 and s.alias(gil)[0],
               "%s: nothing removed: %r", what, sm)
        expect([m for m in s.outbox() if m[0] == "ops@example.org"] == [],
               "%s: Launchpad unavailable does not alert", what)
    # 404 and 400 are never retried
    for status in (404, 400):
        env.lp.clear_faults()
        env.lp.clear_requests()
        env.lp.faults({part: [status]})
        code, out, sm = sync(env)
        n = len(env.lp.api_requests(part))
        expect(code == 1 and n == 1 and s.alias(gil)[0], "%d: exit %s, %d requests", status,
               code, n)
    expect(any(m[0] == "ops@example.org" and "sync failed" in m[2] for m in s.outbox()),
           "a failed run (not unavailability) alerts the operators: %r", s.outbox())
    # a person lookup that is unavailable changes nothing for that user
    env.lp.clear_faults()
    q(env, "UPDATE users SET person_checked_at = NULL, person_status = NULL WHERE id = %d"
      % s.ids[gil])
    env.lp.faults({"/1.0/~" + gil: [503] * 3})
    code, out, sm = sync(env)
    expect(code == 75 and s.alias(gil)[0], "person unavailable: exit %s, alias %r", code,
           s.alias(gil))


# ---------------------------------------------------------------- shrink guard

@scene_test
def prov_shrink_guard(env, make):
    s = make("shrink")
    crew = [s.user("c%d" % i) for i in range(10)]
    guard = [("shrink_threshold", "10")]
    expect_sync(env, 0, conf=guard, created=10)
    for n in crew[:7]:          # 60 % and more than shrink_min_count (5)
        s.members.remove(n)
    newbie = s.user("new")
    s.push()
    s.mark()
    expect_sync(env, 0, conf=guard, disabled=0, created=1)
    expect(all(s.alias(n)[0] for n in crew[:7]), "removals held")
    expect(s.alias(newbie) is not None, "additions still happen")
    held = q(env, "SELECT shrink_held::text || ' ' || total FROM team_snapshots WHERE team = %s "
                  "ORDER BY id DESC LIMIT 1" % lit(s.team))
    expect(held == "true 4", "the snapshot is held: %r", held)
    alerts = [m for m in s.outbox() if m[0] == "ops@example.org"]
    expect(len(alerts) == 1 and "shrank" in alerts[0][2], "alerts_to told: %r", s.outbox())
    expect_sync(env, 0, conf=guard, disabled=0)
    expect(len([m for m in s.outbox() if m[0] == "ops@example.org"]) == 1,
           "told once per hold: %r", s.outbox())

    def in_team(name):
        return q(env, "SELECT %s = ANY (teams) FROM users WHERE id = %d"
                 % (lit(s.team), s.ids[name]))
    # The sweeps kept the trusted snapshot through the hold: users.teams
    # (what /my says) still follows it, and not the held one.
    trusted = q(env, "SELECT total FROM team_snapshots WHERE id = mm_trusted_snapshot(%s)"
                % lit(s.team))
    expect(trusted == "10", "the trusted snapshot during the hold: total %r", trusted)
    expect(in_team(crew[0]) == "t" and in_team(newbie) == "f",
           "users.teams during the hold: %s %s", in_team(crew[0]), in_team(newbie))
    code, out, _ = sync(env, "--accept-shrink", s.team)
    expect(code == 0 and "accepted" in out, "accept: exit %s: %s", code, out)
    expect(q(env, "SELECT count(*) FROM team_snapshots WHERE team = %s AND accepted_at IS NOT "
                  "NULL AND accepted_by IS NOT NULL" % lit(s.team)) == "1", "accepted_at/by set")
    expect(("cli", "team_snapshot.accept", "~" + s.team) in s.audits(), "audit: %r", s.audits())
    code, out, _ = sync(env, "--accept-shrink", s.team)
    expect(code == 1 and "nothing to accept" in out, "a second accept: exit %s %s", code, out)
    expect_sync(env, 0, conf=guard, disabled=7)
    expect(not any(s.alias(n)[0] for n in crew[:7]), "removals resume after the accept")
    expect(in_team(crew[0]) == "f" and in_team(crew[7]) == "t" and in_team(newbie) == "t",
           "users.teams after the accept: %s %s %s", in_team(crew[0]), in_team(crew[7]),
           in_team(newbie))
    # old snapshots are swept: the latest, latest complete, latest trusted stay
    expect(int(q(env, "SELECT count(*) FROM team_snapshots WHERE team = %s" % lit(s.team))) <= 3,
           "old snapshots swept")


# ---------------------------------------------------------------- domains

@scene_test
def prov_domain_without_admin_left_alone(env, make):
    s = make("noadm")
    hal = s.user("hal")
    q(env, "UPDATE users SET is_banned = true, ban_reason = 'test' WHERE id = %d"
      % s.ids[s.admin])
    code, out, sm = sync(env)
    expect(code == 1 and sm["created"] == 0 and s.alias(hal) is None,
           "no non-banned admin: exit %s, %r", code, sm)
    expect(q(env, "SELECT count(*) FROM error_log WHERE domain_id = %d AND message LIKE "
                  "'no-admin:%%'" % s.domain_id) == "1", "error_log row")
    # unverified domains do not take part
    q(env, "UPDATE users SET is_banned = false, ban_reason = NULL WHERE id = %d"
      % s.ids[s.admin])
    q(env, "UPDATE domains SET txt_status = 'missing' WHERE id = %d" % s.domain_id)
    expect_sync(env, 0, created=0)
    expect(s.alias(hal) is None, "an unverified domain takes no part")


@scene_test
def prov_domain_admin_cli(env, make):
    s = make("cli")
    ivy = s.user("ivy")
    code, out = env.run_cli(["domain", "admin", s.domain, ivy, "-c", env.conf])
    expect(code == 0 and s.role(ivy) == "admin", "domain admin: exit %s %s", code, out)
    code, out = env.run_cli(["domain", "admin", s.domain, ivy, "-c", env.conf])
    expect(code == 0 and s.role(ivy) == "admin", "idempotent: %s %s", code, out)
    code, out = env.run_cli(["domain", "unadmin", s.domain, ivy, "-c", env.conf])
    expect(code == 0 and s.role(ivy) == "member", "unadmin: %s %s", code, out)
    code, out = env.run_cli(["domain", "unadmin", s.domain, s.admin, "-c", env.conf])
    expect(code == 1 and "at least one admin" in out and s.role(s.admin) == "admin",
           "the last admin stays: %s %s", code, out)
    code, out = env.run_cli(["domain", "admin", s.domain, "nosuchuser", "-c", env.conf])
    expect(code == 1, "unknown user: %s %s", code, out)
    code, out = env.run_cli(["domain", "admin", "Not A Domain", ivy, "-c", env.conf])
    expect(code == 2, "bad domain: %s %s", code, out)
    au = [a for a in s.audits() if a[1] == "domain_member.role"]
    expect(len(au) == 2 and all(a[0] == "cli" for a in au), "audit rows: %r", au)


# ---------------------------------------------------------------- the command

@scene_test
def prov_dry_run_changes_nothing(env, make):
    s = make("dry")
    jo = s.user("jo")
    kay = s.user("kay")
    expect_sync(env, 0, created=2)
    s.leave(kay)
    s.user("lee")
    s.push()
    before = (table_counts(env), digest(env, "aliases"), digest(env, "users"),
              digest(env, "domain_members"))
    out, sm = expect_sync(env, 0, "--dry-run", created=1, disabled=1)
    after = (table_counts(env), digest(env, "aliases"), digest(env, "users"),
             digest(env, "domain_members"))
    expect(before == after, "--dry-run changed the database:\n%s\n%s", before[0], after[0])
    expect(re.search(r"^plan: ~lee\S* %s: create " % re.escape(s.domain), out, re.M) and
           re.search(r"^plan: ~%s %s: disable \S+ left-team" % (re.escape(kay),
                                                               re.escape(s.domain)), out, re.M),
           "the plan is printed:\n%s", out[-2000:])
    expect(s.alias(jo)[0], "jo keeps the alias")


@scene_test
def prov_concurrent_syncs(env, make):
    s = make("lock")
    s.user("mo")
    env.lp.call("POST", "/_fake/config", {"latency_ms": 700})
    try:
        conf = sync_conf(env)
        log = os.path.join(env.base, "sync-first-%d.log" % _seq[0])
        env.serve_logs.append(log)
        with open(log, "wb") as f:
            first = subprocess.Popen([env.binary, "sync", "-c", conf], stdout=f,
                                     stderr=subprocess.STDOUT, env=stack.sanitizer_env())
        locked = wait_until(lambda: q(env, "SELECT count(*) FROM pg_locks WHERE locktype = "
                                           "'advisory' AND granted") != "0", 10)
        expect(locked, "the first sync never took its lock")
        t0 = time.monotonic()
        code, out, _ = sync(env)
        took = time.monotonic() - t0
        expect(code == 3 and "another sync is running" in out and took < 5,
               "the second sync: exit %s after %.1fs: %s", code, took, out)
        first.wait(60)
        expect(first.returncode == 0, "the first sync: exit %s", first.returncode)
    finally:
        env.lp.call("POST", "/_fake/config", {"latency_ms": 0})


@scene_test
def prov_sync_user_and_usage(env, make):
    s = make("one")
    nia = s.user("nia")
    out, sm = expect_sync(env, 0, "--user", nia.upper(), users=1, created=1)
    code, out, _ = sync(env, "--user", "no-such-user-here")
    expect(code == 1 and "no user" in out, "unknown --user: %s %s", code, out)
    for args in (["--user", "-bad"], ["--accept-shrink", "x", "--dry-run"], ["extra"]):
        code, out, _ = sync(env, *args)
        expect(code == 2 and "usage" in out, "%r: exit %s %s", args, code, out)


# ---------------------------------------------------------------- sign-in

@scene_test
def prov_signin_creates_alias(env, make):
    import test_signin
    s = make("si")
    test_signin.use_profile(env)
    u = test_signin.new_user("sia")
    name = u["nickname"].lower()
    s.people[name] = {"name": name}
    s.members.append(name)
    s.push()
    test_signin.sign_in(env, user=u)
    uid = q(env, "SELECT id FROM users WHERE lower(name) = %s" % lit(name))
    a = q(env, "SELECT enabled FROM aliases WHERE domain_id = %d AND local_part = %s"
          % (s.domain_id, lit(name)))
    expect(a == "t", "alias created at the first sign-in: %r", a)
    mails = s.outbox()
    expect(len(mails) == 1 and "signed in" in mails[0][2] and mails[0][0] == s.admin_email,
           "admins told: %r", mails)
    body = q(env, "SELECT body FROM outbox WHERE id > %d" % s.outbox_mark)
    expect(s.addr(name) in body, "the address is named: %s", body)
    expect(q(env, "SELECT sync_requested_at IS NULL AND synced_at IS NOT NULL FROM users "
                  "WHERE id = %s" % uid) == "t", "synced, nothing queued")
    # a second sign-in: nothing new
    s.mark()
    test_signin.sign_in(env, user=u)
    expect(s.outbox() == [], "no mail at a later sign-in: %r", s.outbox())


@scene_test
def prov_signin_launchpad_down_then_sync(env, make):
    import test_signin
    s = make("sd")
    test_signin.use_profile(env)
    u = test_signin.new_user("sdb")
    name = u["nickname"].lower()
    s.people[name] = {"name": name}
    s.members.append(name)
    s.push()
    env.lp.faults({"/1.0/~" + name: [503] * 6})
    t0 = time.monotonic()
    test_signin.sign_in(env, user=u)
    took = time.monotonic() - t0
    expect(took < 8, "sign-in took %.1fs (budget 3 s)", took)
    row = q(env, "SELECT (sync_requested_at IS NOT NULL)::text FROM users WHERE lower(name) = %s"
            % lit(name))
    expect(row == "true", "sync_requested_at set: %r", row)
    expect(s.alias(name) is None, "no alias yet")
    expect("event=signin_sync_queued" in env.server_log(), "logged")
    env.lp.clear_faults()
    expect_sync(env, 0, created=1)
    expect(s.alias(name) is not None and s.alias(name)[0], "the sync created it")
    expect(q(env, "SELECT (sync_requested_at IS NULL)::text FROM users WHERE lower(name) = %s"
             % lit(name)) == "true", "sync_requested_at cleared")


@scene_test
def prov_signin_incomplete_snapshot_removes_nothing(env, make):
    import test_signin
    s = make("sx")
    test_signin.use_profile(env)
    u = test_signin.new_user("sxo")
    name = u["nickname"].lower()
    s.people[name] = {"name": name}
    s.members.append(name)
    s.push()
    test_signin.sign_in(env, user=u)
    expect(s.alias(name) is not None and s.alias(name)[0], "created at sign-in")
    # the latest complete snapshot (an hour old, too old for sign-in) lacks
    # the user; the fetch that replaces it is incomplete: no removal
    q(env, "UPDATE team_snapshots SET fetched_at = now() - interval '2 hours' WHERE team = %s"
      % lit(s.team))
    q(env, "INSERT INTO team_snapshots (team, total, complete, fetched_at) VALUES (%s, 0, true, "
           "now() - interval '1 hour')" % lit(s.team))
    env.lp.faults({"/1.0/~%s/participants" % s.team: [{"next": "foreign"}]})
    test_signin.sign_in(env, user=u)
    expect(s.alias(name)[0], "no removal from an incomplete fetch at sign-in: %r", s.alias(name))
    expect(q(env, "SELECT count(*) FROM team_snapshots WHERE team = %s AND NOT complete "
                  "AND error LIKE '%%another host%%'" % lit(s.team)) == "1",
           "the incomplete fetch is stored with its error")


# ---------------------------------------------------------------- end to end

@scene_test
def prov_end_to_end_signin_my_page_and_mail(env, make):
    """The whole path: sign in at the fake Ubuntu One -> the alias is on
    /my -> `membermail outbox` delivers the admins' notification to a real
    SMTP server (the sink), with the address in it."""
    import test_outbox
    import test_signin
    s = make("e2e")
    test_signin.use_profile(env)
    u = test_signin.new_user("e2e")
    name = u["nickname"].lower()
    s.people[name] = {"name": name}
    s.members.append(name)
    s.push()
    b, _, _ = test_signin.sign_in(env, user=u)
    r = b.get("/my")
    want = "you have %s \u2192 %s" % (s.addr(name), u["email"])
    expect(r.status == 200 and want.encode() in r.body,
           "/my lacks %r: %s", want, show(r, 4000))
    # Its history says so in a sentence.
    aid = re.search(rb'href="/my/aliases/(\d+)"', r.body).group(1).decode()
    r = b.get("/my/aliases/" + aid)
    want = "Created by the Launchpad check, forwarding to %s." % u["email"]
    expect(want.encode() in r.body, "the alias's history lacks %r: %s", want, show(r, 4000))
    queued = [m for m in s.outbox() if m[0] == s.admin_email]
    expect(queued, "nothing queued for the admin %s: %r", s.admin_email, s.outbox())

    plain, _ = test_outbox._sinks(env)
    if plain.proc is None:
        plain.start()
    plain.clear()
    cfg = test_outbox.conf(env, plain.url)
    test_outbox.make_due(env)
    code, out, counts = test_outbox.outbox(env, cfg)
    expect(code == 0 and counts and counts[0] >= len(queued),
           "membermail outbox: exit %s, %s:\n%s", code, counts, out[-1500:])
    got = [(env_, test_outbox.parse(raw)) for env_, raw in plain.messages()
           if s.admin_email in env_.get("rcpt_to", [])]
    expect(len(got) == len(queued), "the sink got %d mails for %s, want %d: %r",
           len(got), s.admin_email, len(queued), [e for e, _ in plain.messages()])
    text = " ".join(str(m["Subject"]) + m.get_body(("plain",)).get_content() for _, m in got)
    expect(s.addr(name) in text, "the admins' mail does not name %s: %r", s.addr(name), text[:2000])
