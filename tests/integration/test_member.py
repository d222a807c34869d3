#!/usr/bin/python3
"""membermail integration tests of the member's pages: /my with each state
of an address in plain words,
and /my/aliases/:id, its form, its history and the alias rules of alias.c
(validation, who may change what, optimistic concurrency, audit rows).

Not a runner of its own: tests/integration/run.py imports it.  A member
signs in at the fake Ubuntu One (test_signin.sign_in); domains, memberships,
aliases, team snapshots and error reports are set up with SQL as the
database owner, as provisioning would leave them.  Each test makes
its own domains (enabled, TXT verified, no landing page), so /my lists
every test's domains: checks look at one domain's block only.
"""

import functools
import hashlib
import html
import re
import secrets
import urllib.parse

import stack
from run import (WORKERS, Fail, check_app_error_page, check_html, expect, settled,  # noqa: F401
                 show, test)
from test_signin import Browser, lit, new_user, sign_in, use_profile, user_row  # noqa: F401

DB = stack.APP_DB
_seq = [0]
_made = []          # (id, team) of the domains the running test made


def tidy(fn):
    """Removes the test's domains (and their aliases and snapshots) when it
    ends, pass or fail: other tests count the seeded domains."""
    @functools.wraps(fn)
    def run(env):
        try:
            return fn(env)
        finally:
            if _made:
                ids = ", ".join(d for d, _ in _made)
                teams = ", ".join(lit(t) for _, t in _made)
                sql(env, "DELETE FROM aliases WHERE domain_id IN (%s); "
                         "DELETE FROM team_snapshots WHERE team IN (%s); "
                         "DELETE FROM domains WHERE id IN (%s)" % (ids, teams, ids))
                del _made[:]
    return run


def sql(env, query):
    return env.pg.scalar(query, db=DB, user=stack.OWNER_ROLE)


def text(body):
    """A page's text: tags removed, entities decoded, white space folded."""
    s = body.decode("utf-8") if isinstance(body, bytes) else body
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", s)))


# ---------------------------------------------------------------- set-up by SQL

def new_domain(env, tag="dom"):
    """A fresh enabled, verified domain with its own team: (id, name, team)."""
    _seq[0] += 1
    name = "%s%d.mm-test.org" % (tag, _seq[0])
    team = "%s%d-team" % (tag, _seq[0])
    token = secrets.token_hex(5)
    did = sql(env, "INSERT INTO domains (name, team, verification_token, txt_status, "
                   "txt_checked_at) VALUES (%s, %s, %s, 'verified', now()) RETURNING id"
              % (lit(name), lit(team), lit(token))).splitlines()[0]
    _made.append((did, team))
    return did, name, team


def join(env, did, uid, role="member"):
    sql(env, "INSERT INTO domain_members (domain_id, user_id, role) VALUES (%s, %s, %s)"
        % (did, uid, lit(role)))


def new_alias(env, did, local, uid, recipients, reason=None, reply=550, remove_days=None,
              description=""):
    """An alias row as fixture; its recipients count as agreed (as
    migration 0012 counts the recipients of aliases made before it)."""
    remove = "now() + interval '%d days'" % remove_days if remove_days is not None else "NULL"
    out = sql(env, "WITH a AS (INSERT INTO aliases (domain_id, local_part, user_id, recipients, "
                   "enabled, disabled_reason, reply_code, remove_at, description) VALUES "
                   "(%s, %s, %s, ARRAY[%s]::text[], %s, %s, %s, %s, %s) RETURNING id, recipients), "
                   "c AS (INSERT INTO recipient_confirmations (alias_id, address, how, "
                   "confirmed_at) SELECT a.id, r, 'existing', now() FROM a, unnest(a.recipients) r "
                   "ON CONFLICT DO NOTHING) SELECT id FROM a"
              % (did, lit(local), uid, ", ".join(lit(x) for x in recipients),
                 "false" if reason else "true", lit(reason) if reason else "NULL", reply,
                 remove, lit(description)))
    return out.splitlines()[0]


def snapshot(env, team, names, complete=True, age="0 s"):
    sid = sql(env, "INSERT INTO team_snapshots (team, fetched_at, total, complete) VALUES "
                   "(%s, now() - interval %s, %d, %s) RETURNING id"
              % (lit(team), lit(age), len(names), "true" if complete else "false"))
    sid = sid.splitlines()[0]
    for n in names:
        sql(env, "INSERT INTO team_snapshot_members (snapshot_id, name) VALUES (%s, %s)"
            % (sid, lit(n.lower())))
    return sid


def member(env, tag="mem"):
    """A signed-in member: (browser, user, users.id, Launchpad name)."""
    use_profile(env)
    user = new_user(tag)
    b, _, _ = sign_in(env, user=user)
    return b, user, user_row(env, user)[0], user["nickname"]


def agreed(env, aid, *addresses):
    """The addresses confirmed the alias's mail (as their links would)."""
    for a in addresses:
        sql(env, "INSERT INTO recipient_confirmations (alias_id, address, how, confirmed_at) "
                 "VALUES (%s, %s, 'link', now())" % (aid, lit(a)))


def alias_row(env, aid):
    return sql(env, "SELECT array_to_string(recipients, ','), enabled, "
                    "coalesce(disabled_reason, '-'), reply_code, description, updated_at "
                    "FROM aliases WHERE id = %s" % aid).split("|")


def audit_count(env, aid):
    return int(sql(env, "SELECT count(*) FROM audit_log WHERE target_type = 'alias' "
                        "AND target_id = %s" % aid))


# ---------------------------------------------------------------- pages

def domain_block(env, b, name):
    """The text of domain name's block on /my."""
    r = b.get("/my")
    check_html(r, "GET /my")
    body = r.body.decode()
    for part in body.split('<div class="domain">')[1:]:
        if ("@%s</h3>" % name) in part:
            return text(part), part
    raise Fail("GET /my has no block for %s: %s" % (name, show(r, 4000)))


def expect_state(env, b, name, *phrases):
    t, raw = domain_block(env, b, name)
    for p in phrases:
        expect(p in t, "/my for %s: want %r in %r", name, p, t)
    return t, raw


def alias_form(b, aid):
    """GET /my/aliases/:id: (response, its form's values)."""
    r = b.get("/my/aliases/%s" % aid)
    check_html(r, "GET /my/aliases/%s" % aid)
    body = r.body.decode()
    m = re.search(r'name="updated_at" value="([^"]*)"', body)
    c = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', body)
    expect(m and c, "GET /my/aliases/%s: no form: %s", aid, show(r, 3000))
    return r, {"csrf_token": c.group(1), "updated_at": html.unescape(m.group(1))}


def post_alias(b, aid, fields, base=None, **headers):
    f = dict(base or {})
    f.update(fields)
    return b.post("/my/aliases/%s" % aid, f, **headers)


# ---------------------------------------------------------------- /my

@test
@tidy
def my_states_in_words(env):
    b, user, uid, name = member(env, "mys")
    email = user["email"]
    d_ok = new_domain(env, "ok")
    join(env, d_ok[0], uid)
    new_alias(env, d_ok[0], name, uid, [email])
    d_out = new_domain(env, "out")
    snapshot(env, d_out[2], ["someone-else"])
    d_new = new_domain(env, "new")                     # no snapshot at all
    d_inc = new_domain(env, "inc")                     # only an incomplete snapshot naming them
    snapshot(env, d_inc[2], [name], complete=False)
    d_old = new_domain(env, "old")                     # complete (not a member), newer incomplete
    snapshot(env, d_old[2], ["x-y"], age="1 hour")
    snapshot(env, d_old[2], [name], complete=False)
    d_in = new_domain(env, "in")
    snapshot(env, d_in[2], [name.upper(), "x-y"])
    d_self = new_domain(env, "self")
    join(env, d_self[0], uid)
    own = "%s@%s" % (name, d_self[1])
    new_alias(env, d_self[0], name, uid, [own], reason="matches-recipient", reply=421)
    d_left = new_domain(env, "left")
    join(env, d_left[0], uid)
    new_alias(env, d_left[0], name, uid, [email], reason="left-team", remove_days=30)
    removal = sql(env, "SELECT to_char(remove_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') FROM aliases "
                       "WHERE domain_id = %s" % d_left[0])
    d_own = new_domain(env, "byown")
    join(env, d_own[0], uid)
    new_alias(env, d_own[0], name, uid, [email], reason="by-owner", reply=250)
    d_adm = new_domain(env, "byadm")
    join(env, d_adm[0], uid)
    new_alias(env, d_adm[0], name, uid, [email], reason="by-admin")
    d_ban = new_domain(env, "ban")
    join(env, d_ban[0], uid)
    new_alias(env, d_ban[0], name, uid, [email], reason="banned", remove_days=3)
    d_lim = new_domain(env, "lim")
    snapshot(env, d_lim[2], [name])
    sql(env, "INSERT INTO error_reports (user_id, domain_id, error_code) VALUES (%s, %s, "
             "'not-created.limit')" % (uid, d_lim[0]))
    d_inv = new_domain(env, "inv")
    join(env, d_inv[0], uid)
    new_alias(env, d_inv[0], name, uid, [email], reason="invalid-user", remove_days=30)
    sql(env, "UPDATE domains SET enabled = false WHERE id = %s" % new_domain(env, "off")[0])
    sql(env, "UPDATE domains SET txt_status = 'missing' WHERE id = %s" % new_domain(env, "unv")[0])

    t, raw = expect_state(env, b, d_ok[1], "you have %s@%s \u2192 %s" % (name, d_ok[1], email))
    aid = sql(env, "SELECT id FROM aliases WHERE domain_id = %s" % d_ok[0])
    expect('href="/my/aliases/%s"' % aid in raw, "no link to the alias's page: %s", raw)
    expect_state(env, b, d_out[1], "not a member of ~%s" % d_out[2])
    expect_state(env, b, d_new[1], "membership of ~%s not checked yet" % d_new[2])
    expect_state(env, b, d_inc[1], "membership of ~%s not checked yet" % d_inc[2])
    expect_state(env, b, d_old[1], "not a member of ~%s" % d_old[2])
    expect_state(env, b, d_in[1], "member of ~%s: your address will appear" % d_in[2])
    expect_state(env, b, d_self[1], "disabled: it would forward to itself",
                 "Recipients: %s" % own, "421: senders are told to try again later")
    expect_state(env, b, d_left[1], "no longer a member of ~%s; it will be removed on %s"
                 % (d_left[2], removal), "550: mail is rejected")
    expect_state(env, b, d_own[1], "disabled by you", "250: mail is accepted and dropped")
    expect_state(env, b, d_adm[1], "disabled by an admin of %s" % d_adm[1])
    expect_state(env, b, d_ban[1], "disabled: your account is suspended")
    expect_state(env, b, d_lim[1], "we could not create your address: you already have as many "
                 "addresses on this domain as a member may have")
    r = b.get("/my")
    off = "off%d.mm-test.org" % (_seq[0] - 1)
    expect(off.encode() not in r.body, "/my lists %s (disabled)", off)
    expect_state(env, b, "unv%d.mm-test.org" % _seq[0],
                 "no addresses here yet: the domain is not verified",
                 "unv%d.mm-test.org is not verified yet" % _seq[0])

    # The person check: not a CoC signer, then not active.
    sql(env, "UPDATE users SET person_status = 'not-coc-signer', person_checked_at = now() "
             "WHERE id = %s" % uid)
    t, raw = expect_state(env, b, d_out[1], "not eligible: you have not signed the Ubuntu Code "
                          "of Conduct")
    expect('href="https://launchpad.net/codeofconduct"' in raw, "no CoC link: %s", raw)
    t, raw = expect_state(env, b, d_inv[1], "disabled: not eligible: you have not signed the "
                          "Ubuntu Code of Conduct")
    expect('href="https://launchpad.net/codeofconduct"' in raw, "no CoC link on the alias: %s", raw)
    sql(env, "UPDATE users SET person_status = 'not-valid' WHERE id = %s" % uid)
    expect_state(env, b, d_out[1], "your Launchpad account is not active")
    expect_state(env, b, d_inv[1], "disabled: your Launchpad account is not active")
    sql(env, "UPDATE users SET person_status = 'not-found' WHERE id = %s" % uid)
    expect_state(env, b, d_new[1], "your Launchpad account is not active")

    # Launchpad unreachable at sign-in: a sync of the user is queued.
    sql(env, "UPDATE users SET person_status = 'valid', sync_requested_at = now() "
            "WHERE id = %s" % uid)
    expect_state(env, b, d_new[1], "Launchpad is unreachable; we will retry")
    r = b.get("/my")
    expect(b"Launchpad is unreachable; we will retry.</p>" in r.body, "no page notice: %s",
           show(r, 3000))
    expect_state(env, b, d_ok[1], "you have %s@%s" % (name, d_ok[1]))


def checks(env, b, dom):
    """The checklist of dom's block on /my: [(state, text)]."""
    _, raw = domain_block(env, b, dom)
    return [(st, text(re.sub(r'<span class="check-mark"[^>]*>.*?</span>', "", t)).strip())
            for st, t in re.findall(r'<li class="check check-(\w+)">(.*?)</li>', raw, re.S)]


@test
@tidy
def my_eligibility_checklist(env):
    """Where the member has no address, /my lists each requirement, done
    or missing or not known, with what to do, and when the next check
    runs."""
    b, user, uid, name = member(env, "myq")
    did, dom, team = new_domain(env, "q")
    want_start = [("done", "Done: You are signed in with Ubuntu One as ~%s." % name)]
    got = checks(env, b, dom)
    expect(got[:1] == want_start and
           ("unknown", "Not known yet: Your membership of ~%s has not been checked yet." % team) in got
           and ("done", "Done: %s is verified." % dom) in got
           and ("done", "Done: Ubuntu One shares your email address, %s." % user["email"]) in got
           and ("done", "Done: The name %s is not reserved at %s." % (name, dom)) in got,
           "before any check: %s", got)
    snapshot(env, team, ["someone-else"])
    sql(env, "UPDATE users SET person_status = 'not-coc-signer', person_checked_at = now() "
             "WHERE id = %s" % uid)
    sql(env, "INSERT INTO domain_reserved_local_parts (domain_id, local_part) VALUES (%s, %s)"
        % (did, lit(name.lower())))
    sql(env, "UPDATE domains SET txt_status = 'missing' WHERE id = %s" % did)
    got = checks(env, b, dom)
    for item in (("done", "Done: Your Launchpad account is active."),
                 ("missing", "Missing: You have not signed the Ubuntu Code of Conduct. Sign it on "
                             "Launchpad"),
                 ("missing", "Missing: You are not a member of ~%s. Ask to join ~%s on Launchpad"
                  % (team, team)),
                 ("missing", "Missing: The name %s is reserved at %s: only a site admin can "
                             "assign it." % (name, dom)),
                 ("missing", "Missing: %s is not verified yet: its admins must publish its DNS "
                             "record." % dom)):
        expect(item in got, "the checklist lacks %s: %s", item, got)
    t, raw = domain_block(env, b, dom)
    expect("3 of the 7 requirements for an address at %s are met." % dom in t,
           "the checklist's summary: %s", t)
    for href in ("https://launchpad.net/codeofconduct", "https://launchpad.net/~%s" % team):
        expect(('href="%s"' % href) in raw, "no link to %s: %s", href, raw)
    t, _ = domain_block(env, b, dom)
    expect(re.search(r"membermail checks Launchpad again around \d{4}-\d\d-\d\d \d\d:\d\d "
                     r"UTC, and whenever you sign in\.", t), "no next check: %s", t)
    # In Finnish (the switch's cookie): the same list, in Finnish words and dates.
    b.cookies["mm_lang"] = "fi"
    got = checks(env, b, dom)
    t, _ = domain_block(env, b, dom)
    b.cookies.pop("mm_lang")
    expect(("missing", "Puuttuu: Et ole tiimin ~%s jäsen. Pyydä pääsyä tiimiin ~%s Launchpadissa"
            % (team, team)) in got and
           ("done", "Kunnossa: Launchpad-tilisi on aktiivinen.") in got, "in Finnish: %s", got)
    expect("Ehdoista, joilla saat osoitteen verkkotunnuksessa %s, täyttyy 3/7." % dom in t and
           re.search(r"tarkistaa Launchpadin uudelleen noin \d+\.\d+\.\d{4} klo \d+\.\d\d UTC", t),
           "the summary and the next check in Finnish: %s", t)
    sql(env, "UPDATE users SET person_status = 'not-valid' WHERE id = %s" % uid)
    got = checks(env, b, dom)
    expect(("missing", "Missing: Your Launchpad account is not active. Open your Launchpad page")
           in got and ("unknown", "Not known yet: Whether you signed the Ubuntu Code of Conduct "
                                  "is not known yet.") in got, "not active: %s", got)
    sql(env, "UPDATE users SET person_status = 'valid' WHERE id = %s" % uid)
    snapshot(env, team, [name])
    got = checks(env, b, dom)
    expect(("done", "Done: You have signed the Ubuntu Code of Conduct.") in got and
           ("done", "Done: You are a member of ~%s." % team) in got, "valid, a member: %s", got)
    # An address there: no checklist.
    sql(env, "UPDATE domains SET txt_status = 'verified' WHERE id = %s" % did)
    join(env, did, uid)
    new_alias(env, did, "qq" + name, uid, [user["email"]])
    expect(checks(env, b, dom) == [], "a checklist beside an address")


@test
@tidy
def my_without_domains(env):
    """No enabled domain: /my says so, and still shows the account.  (The
    seeded domains are enabled but unverified: listed, without addresses.)"""
    b, user, uid, name = member(env, "myn")
    n = sql(env, "SELECT count(*) FROM domains WHERE enabled AND txt_status = 'verified'")
    expect(n == "0", "verified domains left by an earlier test: %s", n)
    t = text(b.get("/my").body)
    expect("ubuntu.com is not verified yet" in t and "No community domain is active yet." not in t,
           "/my with the seeded, unverified domains: %s", t)
    ids = sql(env, "SELECT coalesce(string_agg(id::text, ','), '') FROM domains WHERE enabled")
    try:
        if ids:
            sql(env, "UPDATE domains SET enabled = false WHERE id IN (%s)" % ids)
        r = b.get("/my")
        check_html(r, "GET /my without domains")
        t = text(r.body)
        expect("No community domain is active yet." in t and user["email"] in t,
               "/my without domains: %s", t)
    finally:
        if ids:
            sql(env, "UPDATE domains SET enabled = true WHERE id IN (%s)" % ids)


@test
@tidy
def my_follows_domain_changes_at_once(env):
    """The workers cache the domain list; /my (whose session read comes
    first, so the cache is checked without polling) shows a domain
    disabled or enabled a moment ago, on every worker."""
    b, user, uid, name = member(env, "myc")
    did, dom, team = new_domain(env, "cache")
    join(env, did, uid)
    new_alias(env, did, name.lower(), uid, [user["email"]])
    for _ in range(WORKERS * 3):       # every worker caches the list
        expect(("@" + dom).encode() in b.get("/my").body, "/my lacks %s", dom)
    sql(env, "UPDATE domains SET enabled = false WHERE id = %s" % did)
    settled(b, "/my", lambda r: ("@" + dom).encode() not in r.body)
    for i in range(WORKERS * 3):
        r = b.get("/my")
        expect(r.status == 200 and ("@" + dom).encode() not in r.body,
               "/my (request %d) still lists %s after it was disabled", i + 1, dom)
    sql(env, "UPDATE domains SET enabled = true WHERE id = %s" % did)
    settled(b, "/my", lambda r: ("@" + dom).encode() in r.body)
    for i in range(WORKERS * 3):
        expect(("@" + dom).encode() in b.get("/my").body,
               "/my (request %d) lacks %s after it was enabled again", i + 1, dom)


@test
@tidy
def landing_pages_kept_per_browser(env):
    """Every worker keeps the landing and home pages it rendered for
    signed-out visitors, once per version of the domain list, and fills in
    each browser's own CSRF token (derived from its mm_browser cookie);
    a change to the list shows on every worker as soon as its NOTIFY
    arrives; a signed-in member gets a page of their own, with their
    session's token."""
    env.ensure_server()
    did, dom, team = new_domain(env, "land")
    slug = "land%d" % _seq[0]
    sql(env, "UPDATE domains SET slug = %s, title = 'Land One' WHERE id = %s" % (lit(slug), did))
    path = "/" + slug
    tokens = set()
    for i in range(WORKERS * 3):
        b = Browser(env, "visitor %d" % (i + 1))
        token = b.csrf(path)
        binding = b.cookies.get("mm_browser", "")
        want = hashlib.sha256(("csrf:" + binding).encode()).hexdigest()
        expect(token == want, "%s: token %s, want the one derived from its binding %s",
               b.name, token, want)
        again, sent = b.csrf(path), len(b.set_cookies)
        expect(again == token and sent == 1, "%s came back: token %s (was %s), %d cookies set",
               b.name, again, token, sent)
        tokens.add(token)
    expect(len(tokens) == WORKERS * 3, "browsers shared tokens: %s", tokens)
    sql(env, "UPDATE domains SET title = 'Land Two' WHERE id = %s" % did)
    settled(env, path, lambda r: b"Land Two" in r.body)
    for i in range(WORKERS * 3):
        for page in (path, "/"):
            r = env.get(page)
            expect(r.status == 200 and b"Land Two" in r.body and b"Land One" not in r.body,
                   "GET %s (request %d) after the title changed: %s", page, i + 1, show(r, 3000))
    b, user, uid, name = member(env, "land")
    csrf = sql(env, "SELECT encode(csrf_token, 'hex') FROM sessions WHERE user_id = %s" % uid)
    r = b.get(path)
    got = re.findall(r'name="csrf_token" value="([0-9a-f]+)"', r.body.decode())
    expect(('<a href="/my">%s</a>' % name) in r.body.decode() and got and
           set(got) == {csrf}, "GET %s signed in: want the member's page with the session's "
           "token %s, got %s: %s", path, csrf, got, show(r, 3000))
    r = env.get(path)
    expect(r.status == 200 and b'href="/my"' not in r.body and csrf.encode() not in r.body,
           "GET %s signed out after the member's visit shows the member: %s", path, show(r, 3000))


def every_worker(env, b, dom, phrase, when):
    """/my, on every worker, says phrase in dom's section."""
    for i in range(WORKERS * 3):
        t, _ = domain_block(env, b, dom)
        expect(phrase in t, "/my (request %d) %s: want %r in %r", i + 1, when, phrase, t)


def user_teams(env, uid):
    return sql(env, "SELECT array_to_string(teams, ' ') FROM users WHERE id = %s" % uid).split()


@test
@tidy
def my_membership_follows_snapshots(env):
    """users.teams (migration 0006) says which teams' latest trusted
    snapshot lists the user, and /my says it in words on every worker at
    once: a snapshot stored in one transaction as the sync does, members
    inserted later, a held shrink (no change) and its acceptance, an
    empty snapshot, deleted snapshots, a user who signs up or is renamed
    after the snapshot."""
    b, user, uid, name = member(env, "myt")
    did, dom, team = new_domain(env, "teams")
    not_yet, yes, no = ("membership of ~%s not checked yet" % team,
                        "member of ~%s: your address will appear" % team,
                        "not a member of ~%s" % team)
    every_worker(env, b, dom, not_yet, "before any snapshot")
    # As the sync stores one: the row, then its members, one transaction.
    sql(env, "WITH s AS (INSERT INTO team_snapshots (team, total, complete) VALUES (%s, 2, "
             "true) RETURNING id) INSERT INTO team_snapshot_members (snapshot_id, name) "
             "SELECT s.id, n FROM s, unnest(ARRAY[%s, 'x-y']) n" % (lit(team), lit(name.lower())))
    expect(user_teams(env, uid) == [team], "teams after the first snapshot: %s",
           user_teams(env, uid))
    every_worker(env, b, dom, yes, "after a snapshot naming them")
    first = sql(env, "SELECT max(id) FROM team_snapshots WHERE team = %s" % lit(team))
    # Newer ones, their members inserted in later transactions: without
    # them, with them, without them again.
    snapshot(env, team, ["x-y", "z-z"])
    every_worker(env, b, dom, no, "after a snapshot without them")
    snapshot(env, team, [name, "x-y"])
    every_worker(env, b, dom, yes, "after a snapshot whose members came later")
    snapshot(env, team, ["x-y"])
    every_worker(env, b, dom, no, "after another snapshot without them")
    # A held shrink naming them again changes nothing until it is accepted.
    held = sql(env, "INSERT INTO team_snapshots (team, total, complete, shrink_held) VALUES "
                    "(%s, 1, true, true) RETURNING id" % lit(team)).splitlines()[0]
    sql(env, "INSERT INTO team_snapshot_members (snapshot_id, name) VALUES (%s, %s)"
        % (held, lit(name.lower())))
    every_worker(env, b, dom, no, "after a held snapshot")
    sql(env, "UPDATE team_snapshots SET accepted_at = now(), accepted_by = 'test' WHERE id = %s"
        % held)
    every_worker(env, b, dom, yes, "after the held snapshot was accepted")
    # A complete snapshot of nobody (the team emptied): no member inserts.
    sql(env, "INSERT INTO team_snapshots (team, total, complete) VALUES (%s, 0, true)"
        % lit(team))
    every_worker(env, b, dom, no, "after an empty snapshot")
    # Deleting the newer ones leaves the first trusted: still a member.
    sql(env, "DELETE FROM team_snapshots WHERE team = %s AND id > %s" % (lit(team), first))
    expect(user_teams(env, uid) == [team], "teams after deleting: %s", user_teams(env, uid))
    sql(env, "DELETE FROM team_snapshot_members WHERE snapshot_id = %s AND name = 'x-y'" % first)
    sql(env, "DELETE FROM team_snapshots WHERE id = %s" % first)
    expect(user_teams(env, uid) == [], "teams with no snapshot left: %s", user_teams(env, uid))
    every_worker(env, b, dom, not_yet, "after every snapshot was deleted")

    # Someone named in the snapshot before they ever signed in; a rename.
    snapshot(env, team, ["x-y"])
    use_profile(env)
    later = new_user("myu")
    snapshot(env, team, [later["nickname"], "x-y"])
    b2, _, _ = sign_in(env, user=later)
    uid2 = user_row(env, later)[0]
    # (The fake Launchpad does not know them: the person check is not ours here.)
    sql(env, "UPDATE users SET person_status = 'valid' WHERE id = %s" % uid2)
    expect(user_teams(env, uid2) == [team], "teams of a user who signed up after the "
           "snapshot: %s", user_teams(env, uid2))
    every_worker(env, b2, dom, yes, "for a user who signed up after the snapshot")
    sql(env, "UPDATE users SET name = %s WHERE id = %s" % (lit("renamed-" + name.lower()), uid2))
    expect(user_teams(env, uid2) == [], "teams after a rename: %s", user_teams(env, uid2))


@test
@tidy
def my_shows_only_own_aliases(env):
    b, _, uid, name = member(env, "myo")
    _, other, ouid, oname = member(env, "myp")
    d = new_domain(env, "own")
    join(env, d[0], uid)
    join(env, d[0], ouid)
    new_alias(env, d[0], oname, ouid, [other["email"]])
    t, _ = domain_block(env, b, d[1])
    expect(oname not in t and other["email"] not in t, "/my shows another member's alias: %s", t)


@test
@tidy
def my_order_errors_and_admin_panel(env):
    """/my orders a domain's aliases by local part and names the least of
    its error codes; the panel links the domains one administers by name,
    and every domain for a site admin.  Each answer is checked against a
    change made since the previous one (the worker caches the domain lists
    until the table changes)."""
    b, user, uid, name = member(env, "myq")
    email = user["email"]
    d = new_domain(env, "ord")
    join(env, d[0], uid, role="admin")
    for local in ("zz-" + name, name, "mm-" + name):
        new_alias(env, d[0], local, uid, [email])
    t, _ = domain_block(env, b, d[1])
    locals_ = sorted([name, "mm-" + name, "zz-" + name])    # byte order: mm-, name, zz-
    at = [t.find("Manage %s@%s" % (x, d[1])) for x in locals_]
    expect(-1 not in at and at == sorted(at), "/my: aliases not by local part: %s", t)

    e = new_domain(env, "err")
    for code in ("not-created.taken", "not-created.limit"):
        sql(env, "INSERT INTO error_reports (user_id, domain_id, error_code) VALUES (%s, %s, %s)"
            % (uid, e[0], lit(code)))
    expect_state(env, b, e[1], "we could not create your address: you already have as many")
    sql(env, "INSERT INTO error_reports (user_id, domain_id, error_code) VALUES (%s, %s, "
             "'invalid.not-found')" % (uid, e[0]))
    expect_state(env, b, e[1], "membership of ~%s not checked yet" % e[2])
    # An expired report counts no more, a forgotten one neither (the
    # words /my reads are kept on the user's row, by triggers).
    sql(env, "UPDATE error_reports SET expires_at = now() - interval '1 second' "
             "WHERE user_id = %s AND error_code = 'invalid.not-found'" % uid)
    expect_state(env, b, e[1], "we could not create your address: you already have as many")
    sql(env, "DELETE FROM error_reports WHERE user_id = %s AND error_code = "
             "'not-created.limit'" % uid)
    expect_state(env, b, e[1], "we could not create your address: the address already "
                 "belongs to someone else")

    def panel():
        r = b.get("/my")
        check_html(r, "GET /my")
        return re.findall(r'<li><a href="/domains/([^"]+)">', r.body.decode())

    expect(panel() == [d[1]], "/my panel for the admin of %s: %s", d[1], panel())
    a2 = new_domain(env, "adm")                       # "adm…" before "ord…"
    join(env, a2[0], uid, role="admin")
    sql(env, "UPDATE domains SET enabled = false WHERE id = %s" % a2[0])
    expect(panel() == [a2[1], d[1]], "/my panel after a second domain: %s", panel())
    sql(env, "UPDATE users SET is_site_admin = true WHERE id = %s" % uid)
    try:
        every = sql(env, "SELECT string_agg(name, ' ' ORDER BY name) FROM domains").split()
        expect(panel() == every, "/my panel of a site admin: %s, want %s", panel(), every)
    finally:
        sql(env, "UPDATE users SET is_site_admin = false WHERE id = %s" % uid)
    sql(env, "UPDATE domain_members SET role = 'member' WHERE user_id = %s" % uid)
    expect(panel() == [], "/my panel after the roles went: %s", panel())
    sql(env, "UPDATE domain_members SET role = 'admin' WHERE user_id = %s" % uid)
    expect(panel() == [a2[1], d[1]], "/my panel with the roles back: %s", panel())
    sql(env, "DELETE FROM domain_members WHERE user_id = %s AND domain_id = %s" % (uid, a2[0]))
    expect(panel() == [d[1]], "/my panel after leaving %s: %s", a2[1], panel())


# ---------------------------------------------------------------- /my/aliases/:id

def setup_alias(env, tag, reason=None, recipients=None, reply=550):
    b, user, uid, name = member(env, tag)
    d = new_domain(env, tag)
    join(env, d[0], uid)
    aid = new_alias(env, d[0], name, uid, recipients or [user["email"]], reason=reason,
                    reply=reply)
    return b, user, uid, name, d, aid


@test
@tidy
def alias_edit_saves_with_audit(env):
    b, user, uid, name, d, aid = setup_alias(env, "edit")
    r, form = alias_form(b, aid)
    expect(user["email"].encode() in r.body, "the form lacks the recipient: %s", show(r, 3000))
    expect(b"No changes yet." in r.body, "a new alias shows history: %s", show(r, 3000))
    before = alias_row(env, aid)
    agreed(env, aid, "One@example.org", "two@example.net")
    r = post_alias(b, aid, {"recipients": "One@Example.ORG\r\ntwo@example.net, one@example.org",
                            "enabled": "1", "description": "Work mail \u2709",
                            "reply_code": "421"}, form)
    expect(r.status == 303 and r.header("Location") == "/my/aliases/%s?saved=1" % aid,
           "POST: want 303 to the page: %s", show(r))
    row = alias_row(env, aid)
    expect(row[:5] == ["One@example.org,two@example.net", "t", "-", "421", "Work mail \u2709"],
           "alias after the change: %s", row)
    expect(row[5] != before[5], "updated_at did not move")
    got = sql(env, "SELECT actor_kind, actor_user_id, actor_name, action, target_label, "
                   "domain_id, before::text, after::text FROM audit_log "
                   "WHERE target_type = 'alias' AND target_id = %s" % aid).split("|")
    want = ["user", uid, name, "alias.update", "%s@%s" % (name, d[1]), d[0],
            '{"recipients": ["%s"], "reply_code": 550, "description": ""}' % user["email"],
            '{"recipients": ["One@example.org", "two@example.net"], "reply_code": 421, '
            '"description": "Work mail \u2709"}']
    expect(got == want, "audit row:\n got %s\nwant %s", got, want)
    r = b.get(r.header("Location"))
    check_html(r, "GET after saving")
    t = text(r.body)
    expect("Saved. Mail to %s@%s now goes to One@example.org, two@example.net." % (name, d[1])
           in t, "no 'Saved' notice after the redirect: %s", t)
    for p in ("Forwarding changed by ~%s from %s to One@example.org, two@example.net."
              % (name, user["email"]),
              "While it is disabled, senders now get 421 (try again later) (set by ~%s)." % name,
              "Description changed by ~%s to \u201cWork mail \u2709\u201d." % name):
        expect(p in t, "history does not say %r: %s", p, t)
    expect(re.search(rb'<textarea id="recipients" name="recipients"[^>]*>'
                     rb'One@example.org\ntwo@example.net</textarea>', r.body),
           "the form does not show the new recipients one per line: %s", show(r, 4000))
    r = b.get("/my/aliases/%s" % aid)
    expect(b"Saved." not in r.body, "'Saved' shown without having saved")
    # The same values again: nothing changes, no audit row.
    _, form = alias_form(b, aid)
    r = post_alias(b, aid, {"recipients": "One@example.org two@example.net", "enabled": "1",
                            "description": "Work mail \u2709", "reply_code": "421"}, form)
    expect(r.status == 303, "a no-op POST: %s", show(r))
    expect(audit_count(env, aid) == 1, "a no-op change wrote an audit row")
    # A rename attempt is ignored: members cannot rename.
    _, form = alias_form(b, aid)
    r = post_alias(b, aid, {"local_part": "other", "description": "x"}, form)
    expect(r.status == 303 and sql(env, "SELECT local_part FROM aliases WHERE id = %s" % aid) ==
           name.lower(), "a rename attempt: %s", show(r))
    # 150 characters are fine, though more bytes (the test server's max_body is 1k).
    _, form = alias_form(b, aid)
    desc = "\u00e9" * 70 + "e" * 80
    r = post_alias(b, aid, {"description": desc}, form)
    expect(r.status == 303 and alias_row(env, aid)[4] == desc,
           "150-character description refused: %s", show(r, 2000))


@test
@tidy
def alias_validation_refused(env):
    b, user, uid, name, d, aid = setup_alias(env, "val")
    own = "%s@%s" % (name, d[1])
    cases = [
        ("bad address", {"recipients": "not-an-address"}, "recipients"),
        ("bad domain", {"recipients": "a@localhost"}, "recipients"),
        ("two @", {"recipients": "a@b@example.org"}, "recipients"),
        ("11 recipients", {"recipients": " ".join("r%d@example.org" % i for i in range(11))},
         "recipients"),
        ("self-loop while enabled", {"recipients": own.upper(), "enabled": "1"}, "recipients"),
        ("CR/LF injection in recipients",
         {"recipients": "a@example.org\r\nBcc: evil@example.org"}, "recipients"),
        ("control character", {"recipients": "a\x01b@example.org"}, "recipients"),
        ("local part of 65", {"recipients": "l" * 65 + "@example.org"}, "recipients"),
        ("address of 255", {"recipients": "ab@" + ("d" * 63 + ".") * 3 + "d" * 60}, "recipients"),
        ("non-ASCII", {"recipients": "j\u00f6rg@example.org"}, "recipients"),
        ("empty list", {"recipients": " \r\n "}, "recipients"),
        ("bad reply code", {"reply_code": "999"}, "reply_code"),
        ("reply code not a number", {"reply_code": "abc"}, "reply_code"),
        ("description of 151", {"description": "d" * 151}, "description"),
        ("CR/LF in the description", {"description": "hi\r\nBcc: evil@example.org"},
         "description"),
    ]
    _, form = alias_form(b, aid)
    before = alias_row(env, aid)
    for what, fields, field in cases:
        r = post_alias(b, aid, fields, form)
        expect(r.status == 422, "%s: want 422, got %s", what, show(r, 2000))
        body = r.body.decode()
        expect('id="%s-error"' % field in body, "%s: no error next to %s: %s", what, field,
               show(r, 4000))
        for k, v in fields.items():
            if k in ("enabled", "reply_code"):     # radio buttons and a select
                continue
            shown = re.sub(r"\s+", " ", html.escape(v, quote=True))
            expect(shown in re.sub(r"\s+", " ", body),
                   "%s: the input %r is not kept: %s", what, v, show(r, 4000))
        expect(alias_row(env, aid) == before, "%s: the alias changed: %s", what, alias_row(env, aid))
        expect(audit_count(env, aid) == 0, "%s: an audit row was written", what)
    # Own address while disabled is fine (and disabling sets by-owner).
    r = post_alias(b, aid, {"recipients": own, "enabled": "0"}, form)
    expect(r.status == 303, "own address while disabled: %s", show(r, 2000))
    row = alias_row(env, aid)
    expect(row[:3] == [own, "f", "by-owner"], "after disabling with its own address: %s", row)


@test
@tidy
def alias_csrf_refused(env):
    b, user, uid, name, d, aid = setup_alias(env, "csrf")
    _, form = alias_form(b, aid)
    before = alias_row(env, aid)
    change = {"recipients": "x@example.org"}
    for what, fields, headers in (
            ("no token", dict(change, updated_at=form["updated_at"]), {}),
            ("wrong token", dict(change, updated_at=form["updated_at"], csrf_token="0" * 64), {}),
            ("cross-site Origin", dict(form, **change), {"Origin": "https://evil.example"}),
            ("Sec-Fetch-Site cross-site", dict(form, **change), {"Sec-Fetch-Site": "cross-site"})):
        r = b.post("/my/aliases/%s" % aid, fields, **headers)
        check_app_error_page(r, 403, "POST /my/aliases with " + what)
        expect(alias_row(env, aid) == before, "%s: the alias changed", what)
    expect(audit_count(env, aid) == 0, "a refused POST wrote an audit row")
    r = b.post("/my/aliases/%s" % aid, dict(form, **change))
    expect(r.status == 303, "the same POST with the token: %s", show(r))


@test
@tidy
def alias_not_theirs_404(env):
    b, user, uid, name, d, aid = setup_alias(env, "mine")
    o, other, ouid, oname, od, oaid = setup_alias(env, "theirs")
    _, form = alias_form(b, aid)
    before = alias_row(env, oaid)
    for path in ("/my/aliases/%s" % oaid, "/my/aliases/999999999", "/my/aliases/abc",
                 "/my/aliases/0", "/my/aliases/-1", "/my/aliases/" + "9" * 30):
        check_app_error_page(b.get(path), 404, "GET " + path)
        r = b.post(path, {"csrf_token": form["csrf_token"], "recipients": "x@example.org"})
        check_app_error_page(r, 404, "POST " + path)
    expect(alias_row(env, oaid) == before, "another member's alias changed")
    # An admin of the domain still gets 404 on the member pages (admin pages are elsewhere).
    join(env, od[0], uid, role="admin")
    check_app_error_page(b.get("/my/aliases/%s" % oaid), 404, "GET another's alias as domain admin")
    # The owner who is no longer a member of the domain loses the page.
    sql(env, "DELETE FROM domain_members WHERE domain_id = %s AND user_id = %s" % (d[0], uid))
    check_app_error_page(b.get("/my/aliases/%s" % aid), 404, "GET own alias after leaving the domain")
    # Signed out: 401.
    check_app_error_page(Browser(env).get("/my/aliases/%s" % oaid), 401, "GET anonymous")
    # Members cannot create or delete.
    r = o.post("/my/aliases", {"csrf_token": form["csrf_token"]})
    expect(r.status in (404, 405), "POST /my/aliases: %s", show(r))
    r = env.req("DELETE", "/my/aliases/%s" % oaid, headers=o.headers())
    check_app_error_page(r, 405, "DELETE /my/aliases/:id")
    expect(sql(env, "SELECT count(*) FROM aliases WHERE id = %s" % oaid) == "1", "alias deleted")


@test
@tidy
def alias_enable_rules(env):
    # By an admin, by the sync: the owner cannot enable it.
    for reason in ("by-admin", "left-team", "invalid-user", "banned"):
        b, user, uid, name, d, aid = setup_alias(env, "en", reason=reason)
        _, form = alias_form(b, aid)
        before = alias_row(env, aid)
        r = post_alias(b, aid, {"enabled": "1", "recipients": "kept@example.org"}, form)
        expect(r.status == 403 and b'id="enabled-error"' in r.body,
               "%s: enabling: want 403 with the error at the field: %s", reason, show(r, 3000))
        expect(b"kept@example.org" in r.body, "%s: input not kept", reason)
        expect(alias_row(env, aid) == before, "%s: the alias changed", reason)
        expect(audit_count(env, aid) == 0, "%s: an audit row was written", reason)
        if reason == "by-admin":
            expect(b"An admin of this domain disabled this alias" in r.body,
                   "the refusal does not say why: %s", show(r, 3000))
    # matches-recipient: fixing the recipients re-enables it.
    b, user, uid, name, d, aid = setup_alias(env, "fix", reason="matches-recipient")
    sql(env, "UPDATE aliases SET recipients = ARRAY[local_part || '@' || %s] WHERE id = %s"
        % (lit(d[1]), aid))
    _, form = alias_form(b, aid)
    r = post_alias(b, aid, {"enabled": "1"}, form)
    expect(r.status == 422 and b'id="recipients-error"' in r.body,
           "enabling while it forwards to itself: %s", show(r, 3000))
    r = post_alias(b, aid, {"enabled": "1", "recipients": user["email"]}, form)
    expect(r.status == 303, "enabling with fixed recipients: %s", show(r, 3000))
    expect(alias_row(env, aid)[:3] == [user["email"], "t", "-"], "after the fix: %s",
           alias_row(env, aid))
    # Disabling: by-owner with a reply code, shown on /my; then enabled again.
    _, form = alias_form(b, aid)
    r = post_alias(b, aid, {"enabled": "0", "reply_code": "421"}, form)
    expect(r.status == 303, "disabling: %s", show(r))
    row = alias_row(env, aid)
    expect(row[1:4] == ["f", "by-owner", "421"], "after disabling: %s", row)
    after = sql(env, "SELECT after::text FROM audit_log WHERE target_id = %s AND target_type = "
                     "'alias' ORDER BY id DESC LIMIT 1" % aid)
    expect(after == '{"enabled": false, "reply_code": 421, "disabled_reason": "by-owner"}',
           "audit after of disabling: %s", after)
    expect_state(env, b, d[1], "disabled by you", "421: senders are told to try again later")
    _, form = alias_form(b, aid)
    r = post_alias(b, aid, {"enabled": "1"}, form)
    expect(r.status == 303 and alias_row(env, aid)[1:3] == ["t", "-"],
           "re-enabling a by-owner alias: %s %s", show(r), alias_row(env, aid))


@test
@tidy
def alias_conflict_409(env):
    b, user, uid, name, d, aid = setup_alias(env, "conf")
    _, form = alias_form(b, aid)
    sql(env, "UPDATE aliases SET description = 'changed elsewhere' WHERE id = %s" % aid)
    before = alias_row(env, aid)
    r = post_alias(b, aid, {"description": "mine"}, form)
    expect(r.status == 409, "a stale updated_at: want 409: %s", show(r, 2000))
    expect(b"changed meanwhile" in r.body and b'value="mine"' in r.body,
           "409 page lacks the notice or the kept input: %s", show(r, 4000))
    expect(alias_row(env, aid) == before, "a conflicting change was written")
    m = re.search(rb'name="updated_at" value="([^"]*)"', r.body)
    expect(m and html.unescape(m.group(1).decode()) == before[5],
           "the 409 page does not carry the current updated_at: %s", m and m.group(1))
    r = post_alias(b, aid, {"description": "mine", "updated_at": before[5]}, form)
    expect(r.status == 303 and alias_row(env, aid)[4] == "mine", "resubmitting: %s", show(r))
