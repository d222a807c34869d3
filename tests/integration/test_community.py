#!/usr/bin/python3
"""membermail integration tests of provisioning as a community lives it:
addresses whose domain part is upper case or unusable, a member who joined
minutes ago, renames and names taken over on Launchpad, a 404 that is a
glitch, the guards against mass invalidation and tiny teams' shrinking,
de-duplicated alerts, aliases of leavers that their owner disabled, mail to non-ASCII
addresses, sign-in that returns where the user was going, and each
community's own logo.

Not a runner of its own: tests/integration/run.py imports it (after
test_provision.py, whose Scene, sync and helpers these tests use; the fake
Launchpad, the fake Ubuntu One and the SMTP sink are the run's).
"""

import os
import re
import urllib.parse

import test_member as tm
import test_outbox as to
import test_signin as si
from run import Fail, check_app_error_page, expect, show, test  # noqa: F401
from test_provision import expect_sync, lit, q, scene_test, sync

OPS = "ops@example.org"


def claimed(name):
    """The claimed id test_provision.Scene gives the user `name`."""
    return "https://login.ubuntu.com/+id/" + name.replace("-", "")


def with_identity(s, name):
    """The user's Launchpad person carries their Ubuntu One identity."""
    s.people[name]["openid_identifier"] = claimed(name)
    s.push()
    return name


def renamed(s, old, new):
    """A Launchpad rename (the fake moves the person in every team)."""
    s.env.lp.rename(old, new)
    s.people[new] = dict(s.people.pop(old), name=new)
    s.members = [new if m == old else m for m in s.members]


def uid_of(env, name):
    return q(env, "SELECT id FROM users WHERE lower(name) = lower(%s)" % lit(name))


def make_due(env, *ids):
    q(env, "UPDATE users SET person_checked_at = now() - interval '7 hours' WHERE id IN (%s)"
      % ",".join(str(i) for i in ids))


def signin_user(s, tag, in_team=True, **kw):
    """A fresh Ubuntu One user who is a Launchpad person (in the scene's
    team unless in_team is false); not signed in yet."""
    si.use_profile(s.env)
    u = si.new_user(tag, **kw)
    name = u["nickname"].lower()
    s.people[name] = {"name": name}
    if in_team:
        s.members.append(name)
    s.push()
    return u, name


def ops_mails(s):
    return [m for m in s.outbox() if m[0] == OPS]


# ---------------------------------------------------------------- addresses

@scene_test
def prov_email_domain_upper_case_signin(env, make):
    """An Ubuntu One address whose domain part is upper case signs in (it is
    stored with the domain lower-cased), and the aliases follow it."""
    s = make("case")
    u, name = signin_user(s, "kim")
    si.sign_in(env, user=u)
    expect(s.alias(name) == (True, None, False, u["email"]), "alias at sign-in: %r",
           s.alias(name))
    new = dict(u, email="%s.New@Example.ORG" % name)
    for _ in range(2):      # every later sign-in too
        si.sign_in(env, user=new)
        got = q(env, "SELECT email FROM users WHERE id = %s" % uid_of(env, name))
        expect(got == "%s.New@example.org" % name, "users.email %r", got)
        expect(s.alias(name)[3] == "%s.New@example.org" % name, "the alias follows: %r",
               s.alias(name))


@scene_test
def prov_email_domain_case_insensitive_follow(env, make):
    """An alias made for Upper@GMail.COM keeps following the user's address."""
    s = make("fol")
    u, name = signin_user(s, "up")
    u["email"] = "Up.%s@GMail.COM" % name
    si.sign_in(env, user=u)
    expect(s.alias(name)[3] == "Up.%s@gmail.com" % name, "alias recipient %r", s.alias(name))
    got = q(env, "SELECT email FROM users WHERE id = %s" % uid_of(env, name))
    expect(got == "Up.%s@gmail.com" % name, "users.email keeps its local part, domain lower "
           "case: %r", got)
    si.sign_in(env, user=dict(u, email="Other.%s@GMail.com" % name))
    expect(s.alias(name)[3] == "Other.%s@gmail.com" % name, "the alias followed: %r",
           s.alias(name))


@scene_test
def prov_email_unusable_keeps_signin(env, make):
    """A new address the aliases cannot forward to (the alias itself, an
    address that is not a valid recipient) never turns a sign-in into an
    error: the user is in, the aliases keep forwarding to the old address,
    and /my says what needs their attention."""
    s = make("unu")
    u, name = signin_user(s, "un")
    b, _, _ = si.sign_in(env, user=u)
    old = u["email"]
    for bad in (s.addr(name).upper(), "%s@b\u00fccher.de" % name):
        b, _, _ = si.sign_in(env, b=b, user=dict(u, email=bad))
        expect(s.alias(name)[:2] == (True, None) and s.alias(name)[3] == old,
               "%s: the alias was changed: %r", bad, s.alias(name))
        r = b.get("/my")
        t = tm.text(r.body)
        expect(r.status == 200 and "still forwards to %s" % old in t and s.addr(name) in t,
               "%s: /my does not say what needs attention: %s", bad, t[:3000])
    # a usable address again: the alias follows and the notice goes
    b, _, _ = si.sign_in(env, b=b, user=dict(u, email="fixed.%s@example.net" % name))
    expect(s.alias(name)[3] == "fixed.%s@example.net" % name, "followed: %r", s.alias(name))
    expect("still forwards to" not in tm.text(b.get("/my").body), "the notice stays")


# ---------------------------------------------------------------- sign-in

@scene_test
def prov_signin_member_joined_minutes_ago(env, make):
    """The snapshot (seconds old) says no; a live read of the team says yes."""
    s = make("fresh")
    s.user("old")
    expect_sync(env, 0, created=1)
    u, name = signin_user(s, "fre")      # joins after the snapshot
    s.mark()
    b, _, _ = si.sign_in(env, user=u)
    expect(s.alias(name) is not None and s.alias(name)[0], "no alias at sign-in: %r",
           s.alias(name))
    mails = s.outbox()
    expect(any(m[0] == s.admin_email and "signed in" in m[2] for m in mails),
           "the admins' signed-in mail: %r", mails)
    t = tm.text(b.get("/my").body)
    expect("you have %s" % s.addr(name) in t, "/my: %s", t[:3000])


@scene_test
def prov_signed_in_mail_when_the_sync_creates(env, make):
    """Sign-in could not read the team; the next sync creates the address
    and the admins get the "signed in" mail all the same."""
    s = make("late")
    u, name = signin_user(s, "lat")
    env.lp.faults({"/1.0/~%s/participants" % s.team: [503] * 6})
    si.sign_in(env, user=u)
    expect(s.alias(name) is None, "created at sign-in despite the outage")
    env.lp.clear_faults()
    s.mark()
    expect_sync(env, 0, created=1)
    mails = [m for m in s.outbox() if m[0] == s.admin_email]
    expect(any("signed in" in m[2] and name in m[2] for m in mails),
           "no signed-in mail to the admins: %r", mails)
    body = q(env, "SELECT body FROM outbox WHERE id > %d AND subject LIKE '%%signed in%%'"
             % s.outbox_mark)
    expect(s.addr(name) in body, "the mail names the address: %s", body)


# ---------------------------------------------------------------- identity

@scene_test
def prov_person_renamed_on_launchpad(env, make):
    """A 404 for the name: looked up by identity, the rename is followed."""
    s = make("ren")
    zed = with_identity(s, s.user("zed"))
    uid = uid_of(env, zed)
    expect_sync(env, 0, created=1)
    renamed(s, zed, zed + "x")
    make_due(env, uid)
    s.mark()
    expect_sync(env, 0, disabled=0, removed=0, errors=0)
    got = q(env, "SELECT name || ' ' || person_status FROM users WHERE id = %s" % uid)
    expect(got == zed + "x valid", "the rename was not followed: %r", got)
    expect(s.alias(zed)[0], "the old address was disabled: %r", s.alias(zed))
    expect(not [m for m in s.outbox() if m[0] == s.email_of(zed)],
           "the user was mailed: %r", s.outbox())
    expect(("sync", "user.rename", zed + "x") in s.audits(), "audit: %r", s.audits())


@scene_test
def prov_person_404_unknown_until_it_holds(env, make):
    """A person Launchpad cannot find under their name nor by identity is
    unknown (nothing changes, the error is recorded) until that has held
    for several runs over a day; then they are not valid."""
    s = make("gone")
    g = s.user("gone")
    s.user("ok")
    uid = uid_of(env, g)
    expect_sync(env, 0, created=2)
    part = "/1.0/~%s/participants" % s.team

    def glitch():       # the team does not tell; the person 404s, identity null
        env.lp.faults({part: [{"drop": ["is_ubuntu_coc_signer"]}],
                       "/1.0/~" + g: [404], "/devel/people": [{"body": "null"}]})
    s.mark()
    for run in range(3):
        glitch()
        make_due(env, uid)
        expect_sync(env, 0, disabled=0)
        expect(s.alias(g)[0], "run %d: disabled after a 404: %r", run, s.alias(g))
        expect(q(env, "SELECT person_status FROM users WHERE id = %s" % uid) == "valid",
               "run %d: person_status changed", run)
    expect(not [m for m in s.outbox() if m[0] == s.email_of(g)], "the user was mailed")
    expect(q(env, "SELECT count(*) > 0 FROM error_log WHERE user_id = %s AND message LIKE "
                  "'%%not-found%%'" % uid) == "t", "no error recorded")
    q(env, "UPDATE person_pending SET first_seen_at = first_seen_at - interval '25 hours' "
           "WHERE user_id = %s" % uid)
    glitch()
    make_due(env, uid)
    expect_sync(env, 0, disabled=1)
    expect(s.alias(g)[:3] == (False, "invalid-user", True), "held for a day: %r", s.alias(g))
    expect(q(env, "SELECT person_status FROM users WHERE id = %s" % uid) == "not-found",
           "person_status")


@scene_test
def prov_name_taken_over(env, make):
    """X renames, someone else takes X's old name and signs in: X is still
    provisioned, by identity (leaving the team and a ban both disable)."""
    s = make("tko")
    x = with_identity(s, s.user("x"))
    w = with_identity(s, s.user("w"))
    xid, wid = uid_of(env, x), uid_of(env, w)
    expect_sync(env, 0, created=2)
    for old in (x, w):
        renamed(s, old, old + "r")
        u, _ = signin_user(s, "tk", in_team=False, nickname=old)
        si.sign_in(env, user=u)
    got = q(env, "SELECT count(*) FROM users WHERE id IN (%s, %s) AND name IS NULL" % (xid, wid))
    expect(got == "2", "the sign-ins did not take the names: %s", got)
    s.leave(x + "r")
    q(env, "UPDATE users SET is_banned = true, ban_reason = 'test' WHERE id = %s" % wid)
    expect_sync(env, 0, disabled=2)
    expect(s.alias(x)[:2] == (False, "left-team"), "X left the team: %r", s.alias(x))
    expect(s.alias(w)[:2] == (False, "banned"), "W is banned: %r", s.alias(w))
    got = q(env, "SELECT name FROM users WHERE id = %s" % xid)
    expect(got == x + "r", "X's new name: %r", got)


# ---------------------------------------------------------------- guards

def synced_crew(env, s, tag, n=12):
    """n members of the scene's team, with their addresses."""
    crew = [s.user("%s%d" % (tag, i)) for i in range(n)]
    expect_sync(env, 0, created=n)
    return crew


@scene_test
def prov_mass_invalidation_held(env, make):
    s = make("mass")
    crew = synced_crew(env, s, "m")
    for n in crew[:10]:
        s.people[n]["is_ubuntu_coc_signer"] = False
    s.push()
    make_due(env, *[uid_of(env, n) for n in crew])
    s.mark()
    out, _ = expect_sync(env, 0, disabled=0)
    expect(all(s.alias(n)[0] for n in crew), "aliases disabled")
    expect(not [m for m in s.outbox() if m[0] != OPS], "members mailed: %r", s.outbox())
    alerts = ops_mails(s)
    expect(len(alerts) == 1 and "held" in alerts[0][2], "one alert: %r", alerts)
    expect_sync(env, 0, disabled=0)
    expect(len(ops_mails(s)) == 1, "alerted again: %r", ops_mails(s))
    code, out, _ = sync(env, "--accept-invalidations")
    expect(code == 0 and "accepted" in out, "accept: exit %s %s", code, out)
    expect(any(a[:2] == ("cli", "sync.accept_invalidations") for a in s.audits()),
           "audit: %r", s.audits())
    expect_sync(env, 0, disabled=10)
    expect(all(s.alias(n)[:2] == (False, "invalid-user") for n in crew[:10]) and
           all(s.alias(n)[0] for n in crew[10:]), "after the accept")


@scene_test
def prov_mass_invalidation_released_when_it_persists(env, make):
    s = make("pers")
    crew = synced_crew(env, s, "p")
    for n in crew[:8]:
        s.people[n]["is_valid"] = False
    s.push()
    ids = [uid_of(env, n) for n in crew]
    for _ in range(3):
        make_due(env, *ids)
        expect_sync(env, 0, disabled=0)
    q(env, "UPDATE person_pending SET first_seen_at = first_seen_at - interval '25 hours' "
           "WHERE user_id IN (%s)" % ",".join(ids))
    make_due(env, *ids)
    expect_sync(env, 0, disabled=8)
    # below the count (5 people), a change is not held
    for n in crew[8:11]:
        s.people[n]["is_valid"] = False
    s.push()
    make_due(env, *ids)
    expect_sync(env, 0, disabled=3)


@scene_test
def prov_shrink_guard_needs_a_count(env, make):
    """One member leaving a one-member team is no mass removal."""
    s = make("tiny")
    solo = s.user("solo")
    guard = [("shrink_threshold", "10")]
    expect_sync(env, 0, conf=guard, created=1)
    s.leave(solo)
    expect_sync(env, 0, conf=guard, disabled=1)
    expect(s.alias(solo)[:2] == (False, "left-team"), "not removed: %r", s.alias(solo))
    s.retire()          # the next scene resets the fake Launchpad
    big = make("big")
    crew = [big.user("b%d" % i) for i in range(20)]
    expect_sync(env, 0, conf=guard, created=20)
    for n in crew[:6]:
        big.members.remove(n)
    big.push()
    expect_sync(env, 0, conf=guard, disabled=0)       # 30 % and 6 people: held


def admin_less_domain(env, s):
    """A persistent bad record: bad.<s's domain>, of s's team, verified,
    without an admin.  Its id."""
    return int(q(env, "INSERT INTO domains (name, team, verification_token, txt_status, "
                      "txt_checked_at) VALUES (%s, %s, substr(md5(random()::text), 1, 10), "
                      "'verified', now()) RETURNING id" % (lit("bad." + s.domain), lit(s.team))))


@scene_test
def prov_alerts_once_per_cause(env, make):
    s = make("alr")
    s.user("al")
    bad = admin_less_domain(env, s)
    try:
        s.mark()
        for _ in range(3):
            code, out, _ = sync(env)
            expect(code == 1, "exit %s", code)
        alerts = ops_mails(s)
        expect(len(alerts) == 1, "alerted every run: %r", alerts)
        q(env, "UPDATE sync_alerts SET mailed_at = mailed_at - interval '25 hours'")
        sync(env)
        expect(len(ops_mails(s)) == 2, "not alerted again after a day: %r", ops_mails(s))
        q(env, "INSERT INTO domain_members (domain_id, user_id, role) VALUES (%d, %d, 'admin')"
          % (bad, s.ids[s.admin]))
        check_cleared(env, s)
    finally:
        q(env, "DELETE FROM aliases WHERE domain_id = %d; DELETE FROM domains WHERE id = %d"
          % (bad, bad))


def check_cleared(env, s):
    expect_sync(env, 0, errors=0)
    alerts = ops_mails(s)
    expect(len(alerts) == 3 and "cleared" in alerts[2][2], "no cleared mail: %r", alerts)
    expect_sync(env, 0, errors=0)
    expect(len(ops_mails(s)) == 3, "mailed after it cleared: %r", ops_mails(s))


# ---------------------------------------------------------------- leavers

@scene_test
def prov_owner_disabled_alias_of_a_leaver(env, make):
    """An alias its owner disabled is taken off like the others when they
    leave: the owner cannot enable it, and it is removed after the grace
    period; re-joining gives it back as the owner left it."""
    s = make("own")
    u, name = signin_user(s, "own")
    b, _, _ = si.sign_in(env, user=u)
    aid = q(env, "SELECT id FROM aliases WHERE domain_id = %d AND local_part = %s"
            % (s.domain_id, lit(name)))
    _, form = tm.alias_form(b, aid)
    r = tm.post_alias(b, aid, {"enabled": "0"}, form)
    expect(r.status == 303 and s.alias(name)[:2] == (False, "by-owner"), "disable: %s",
           show(r))
    s.leave(name)
    expect_sync(env, 0, disabled=1)
    expect(s.alias(name)[:3] == (False, "left-team", True), "taken off: %r", s.alias(name))
    _, form = tm.alias_form(b, aid)
    r = tm.post_alias(b, aid, {"enabled": "1"}, form)
    expect(r.status == 403 and s.alias(name)[0] is False, "the owner enabled it: %s",
           show(r))
    s.join(name)
    expect_sync(env, 0)
    expect(s.alias(name)[:3] == (False, "by-owner", False), "re-joined: %r", s.alias(name))
    s.leave(name)
    expect_sync(env, 0, disabled=1)
    q(env, "UPDATE aliases SET remove_at = now() - interval '1 minute' WHERE id = %s" % aid)
    expect_sync(env, 0, removed=1)
    expect(s.alias(name) is None, "not removed after the grace period")


# ---------------------------------------------------------------- sign-in next

@test
def signin_returns_to_next(env):
    si.use_profile(env)
    u = si.new_user("nxt")
    b = si.Browser(env)
    r = b.get("/domains/ubuntu.com")
    expect(r.status == 401 and b"/auth/ubuntu?next=%2Fdomains%2Fubuntu.com" in r.body,
           "the 401 page offers no sign-in back here: %s", show(r, 3000))
    r = b.get("/auth/ubuntu?next=%2Fdomains%2Fubuntu.com")
    m = re.search(rb'name="csrf_token" value="([0-9a-f]{64})"', r.body)
    expect(r.status == 200 and m and b'name="next" value="/domains/ubuntu.com"' in r.body,
           "GET /auth/ubuntu: %s", show(r, 3000))
    si.prepare(env.sso, u)
    si.sql(env, "DELETE FROM rate_limits")
    r = b.post("/auth/ubuntu", {"csrf_token": m.group(1).decode(), "next": "/domains/ubuntu.com"})
    loc = r.header("Location") or ""
    expect(r.status == 303 and loc.startswith(env.sso.endpoint), "start: %s", show(r))
    d = si.from_op(loc)
    f = si.finish(env, b, si.deliver(env, b, d.copy()))
    expect(f.status == 303 and f.header("Location") == "/domains/ubuntu.com",
           "finish: %s", show(f))
    for bad in ("//evil.example/x", "http://evil.example/", "/\\evil.example", "my",
                "/my\r\nX: y", "/" + "a" * 600):
        r = b.get("/auth/ubuntu?next=" + urllib.parse.quote(bad, safe=""))
        check_app_error_page(r, 400, "next %r" % bad)
        token = b.csrf()
        si.sql(env, "DELETE FROM rate_limits")
        r = b.post("/auth/ubuntu", {"csrf_token": token, "next": bad})
        check_app_error_page(r, 400, "POST next %r" % bad)


# ---------------------------------------------------------------- mail

@test
def outbox_non_ascii_addresses(env):
    plain, _ = to._fresh(env)
    cfg = to.conf(env, plain.url)
    # only the domain is non-ASCII: its A-label, on the envelope and in To:
    mid = to.insert(env, ["idn@b\u00fccher.de"])
    to.expect_run(env, cfg, 0, (1, 0, 0), "IDN domain")
    (envl, raw), = plain.messages()
    msg = to.parse(raw)
    expect(envl["rcpt_to"] == ["idn@xn--bcher-kva.de"] and msg["To"] == "idn@xn--bcher-kva.de",
           "IDN domain: envelope %r, To %r", envl, msg["To"])
    # a non-ASCII local part needs SMTPUTF8, which this relay does not offer
    plain.clear()
    mid = to.insert(env, ["j\u00f6rg@example.org"])
    to.expect_run(env, cfg, 0, (0, 0, 1), "no SMTPUTF8")
    row = to.row(env, mid)
    expect(row["failed"] and "SMTPUTF8" in (row["last_error"] or ""), "row: %r", row)
    expect(plain.messages() == [], "sent without SMTPUTF8: %r", plain.messages())
    # a relay that offers it: MAIL FROM ... SMTPUTF8
    plain.knobs(smtputf8=True)
    try:
        mid = to.insert(env, ["j\u00f6rg@example.org"])
        to.expect_run(env, cfg, 0, (1, 0, 0), "SMTPUTF8")
        (envl, raw), = plain.messages()
        expect(envl["rcpt_to"] == ["j\u00f6rg@example.org"] and envl.get("smtputf8"),
               "SMTPUTF8 envelope: %r", envl)
    finally:
        plain.knobs()


@test
@tm.tidy
def my_says_mail_cannot_reach_you(env):
    b, user, uid, name = tm.member(env, "utf")
    plain, _ = to._fresh(env)
    cfg = to.conf(env, plain.url)
    addr = "j\u00f6rg.%s@example.org" % name
    tm.sql(env, "UPDATE users SET email = %s WHERE id = %s" % (lit(addr), uid))
    to.insert(env, [addr])
    to.expect_run(env, cfg, 0, (0, 0, 1), "no SMTPUTF8")
    t = tm.text(b.get("/my").body)
    expect("SMTPUTF8" in t and addr in t, "/my does not say mail cannot reach you: %s",
           t[:3000])


# ---------------------------------------------------------------- logos

@test
def landing_logo_set_by_site_admin(env):
    import test_site_admin as sa
    logos = os.path.join(env.static, "logos")
    os.makedirs(logos, exist_ok=True)
    os.chmod(logos, 0o755)
    env.ensure_server()
    mark = os.path.join(logos, "kubuntu-mark.svg")
    with open(mark, "w") as f:
        f.write('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>\n')
    os.chmod(mark, 0o644)
    try:
        r = env.get("/kubuntu")
        expect(r.status == 200 and b'class="community-logo" src="/static/logo.svg"' in r.body,
               "the generic mark: %s", show(r, 3000))
        admin, _, uid = sa.signed_in(env, "logo", site_admin=True)
        token = admin.csrf("/admin/domains")
        before = sa.audit_count(env)
        for bad in ("../logo.svg", "nope.svg", "x.exe", ""):
            r = sa.post(admin, "/admin/domains/kubuntu.org/logo", {"logo": bad}, token)
            check_app_error_page(r, 422, "logo %r" % bad)
        expect(sa.audit_count(env) == before, "a refused logo wrote an audit row")
        r = sa.post(admin, "/admin/domains/kubuntu.org/logo", {"logo": "kubuntu-mark.svg"},
                    token)
        sa.expect_303(r, "/admin/domains?done=logo-changed", "set the logo")
        sa.expect_audit(env, before, uid, "domain.logo", "domain", "logo")
        r = env.get("/kubuntu")
        expect(b'class="community-logo" src="/static/logos/kubuntu-mark.svg"' in r.body,
               "the community's mark: %s", show(r, 3000))
        r = env.get("/static/logos/kubuntu-mark.svg")
        expect(r.status == 200 and r.header("Content-Type").startswith("image/svg+xml"),
               "the mark is not served: %s", show(r))
        r = env.get("/ubuntu")
        expect(b'class="community-logo" src="/static/logo.svg"' in r.body, "other pages keep "
               "the generic one: %s", show(r, 3000))
        r = sa.post(admin, "/admin/domains/kubuntu.org/logo", {"logo": "none"}, token)
        sa.expect_303(r, "/admin/domains?done=logo-changed", "unset the logo")
        expect(b'src="/static/logo.svg"' in env.get("/kubuntu").body, "unset")
    finally:
        os.unlink(mark)
        q(env, "UPDATE domains SET logo = NULL WHERE name = 'kubuntu.org'")
