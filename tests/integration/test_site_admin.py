#!/usr/bin/python3
"""membermail integration tests of the site admins' pages, /admin
(handlers/admin.c), and of the operator CLI whose rules they share
(app/siteadmin.c; the cases of cli_cases.txt).

Not a runner of its own: tests/integration/run.py imports it, which appends
these tests to its list.  People sign in through the fake Ubuntu One like
in test_signin.py (whose helpers these are); what only an operator or
another part of the system could set up (a site admin flag, a domain
admin, failed outbox messages, error log rows) is written with SQL as the
database owner.  Every change is checked in the database: the row, its
audit_log row (actor kind user, the admin's id), and nothing at all when
the change is refused.
"""

import os
import re
import shlex
import subprocess
import threading
import urllib.parse

import stack
import test_signin as si
from run import Fail, check_app_error_page, check_html, expect, show, test  # noqa: F401

DB = stack.APP_DB


def q(env, query):
    """One query as the database owner (setup and checks)."""
    return env.pg.scalar(query, db=DB, user=stack.OWNER_ROLE)


def audit_count(env):
    return int(q(env, "SELECT count(*) FROM audit_log"))


def user_id(env, user):
    return q(env, "SELECT id FROM users WHERE claimed_id = %s" % si.lit(si.claimed(env, user)))


def signed_in(env, tag, site_admin=False, domain_admin_of=None):
    """A browser signed in as a new user: (browser, user, users.id)."""
    si.use_profile(env)
    user = si.new_user(tag)
    b, _, _ = si.sign_in(env, user=user)
    uid = user_id(env, user)
    if site_admin:
        q(env, "UPDATE users SET is_site_admin = true WHERE id = %s" % uid)
    if domain_admin_of:
        q(env, "INSERT INTO domain_members (domain_id, user_id, role) SELECT id, %s, 'admin' "
               "FROM domains WHERE name = %s" % (uid, si.lit(domain_admin_of)))
    return b, user, uid


def post(b, path, fields, token):
    f = dict(fields)
    if token is not None:
        f["csrf_token"] = token
    return b.post(path, f)


def expect_303(r, location, what):
    expect(r.status == 303 and r.header("Location") == location,
           "%s: want 303 to %s: %s", what, location, show(r, 600))


def expect_refusal(r, status, field_id, what):
    """A form re-rendered with the reason next to the field."""
    check_app_error_page(r, status, what)
    expect(('id="%s"' % field_id).encode() in r.body, "%s: no message next to the field (%s): %s",
           what, field_id, show(r, 3000))


def last_audit(env):
    """(actor_kind, actor_user_id, action, target_type, target_label, before, after)."""
    return q(env, "SELECT actor_kind, actor_user_id, action, target_type, coalesce(target_label, ''), "
                  "coalesce(before::text, ''), coalesce(after::text, '') "
                  "FROM audit_log ORDER BY id DESC LIMIT 1").split("|")


def expect_audit(env, before_count, uid, action, target_type, what):
    n = audit_count(env)
    expect(n == before_count + 1, "%s: %d audit rows written, want 1", what, n - before_count)
    row = last_audit(env)
    expect(row[:4] == ["user", uid, action, target_type], "%s: audit row %s, want user %s %s %s",
           what, row, uid, action, target_type)
    return row


# Every route of the site admin: (method, path, form fields).
def admin_routes(env):
    uid = q(env, "SELECT min(id) FROM users")
    return [
        ("GET", "/admin", None),
        ("GET", "/admin/domains", None),
        ("POST", "/admin/domains", {"name": "refused.example", "team": "~x1", "alias_limit": "3"}),
        ("POST", "/admin/domains/ubuntu.com/enabled", {"enabled": "no"}),
        ("POST", "/admin/domains/ubuntu.com/limit", {"alias_limit": "9"}),
        ("GET", "/admin/users", None),
        ("GET", "/admin/users/%s" % uid, None),
        ("POST", "/admin/users/%s/ban" % uid, {"reason": "refused"}),
        ("POST", "/admin/users/%s/unban" % uid, {}),
        ("POST", "/admin/users/%s/site-admin" % uid, {"grant": "yes"}),
        ("POST", "/admin/users/%s/domain-admin" % uid, {"domain": "ubuntu.com"}),
        ("GET", "/admin/outbox", None),
        ("POST", "/admin/outbox/1/retry", {}),
        ("POST", "/admin/outbox/1/delete", {}),
        ("GET", "/admin/errors", None),
    ]


# ---------------------------------------------------------------- access, CSRF

@test
def site_admin_access(env):
    """Anonymous 401, a member and a domain admin 403, on every route, and
    nothing written; the site admin sees every page."""
    member, _, _ = signed_in(env, "sam")
    dadmin, _, _ = signed_in(env, "sad", domain_admin_of="ubuntu.com")
    admin, _, _ = signed_in(env, "saa", site_admin=True)
    anon = si.Browser(env, "anonymous")
    anon_token = anon.csrf()
    before = audit_count(env)
    for method, path, fields in admin_routes(env):
        for b, token, status, who in ((anon, anon_token, 401, "anonymous"),
                                      (member, member.csrf("/my"), 403, "member"),
                                      (dadmin, dadmin.csrf("/my"), 403, "domain admin")):
            r = b.get(path) if method == "GET" else post(b, path, fields, token)
            check_app_error_page(r, status, "%s %s as %s" % (method, path, who))
    expect(audit_count(env) == before, "refused requests wrote audit rows")
    expect(q(env, "SELECT enabled, alias_limit FROM domains WHERE name = 'ubuntu.com'") == "t|3",
           "a refused request changed ubuntu.com")
    for method, path, _ in admin_routes(env):
        if method == "GET":
            r = admin.get(path)
            check_html(r, "GET %s as site admin" % path)
            expect(b'aria-label="Site admin"' in r.body, "GET %s: no admin menu", path)
    r = admin.get("/my")
    expect(b'href="/admin"' in r.body, "a site admin's pages do not link /admin")
    expect(b'href="/admin"' not in member.get("/my").body, "a member's pages link /admin")


@test
def site_admin_csrf(env):
    """Every POST without the token, with another session's token, or from
    another origin is refused (403) and changes nothing."""
    admin, _, _ = signed_in(env, "sac", site_admin=True)
    other, _, _ = signed_in(env, "sac", site_admin=True)
    token = admin.csrf("/my")
    foreign = other.csrf("/my")
    before = audit_count(env)
    for method, path, fields in admin_routes(env):
        if method != "POST":
            continue
        for tok, extra, what in ((None, {}, "no token"), (foreign, {}, "another session's token"),
                                 ("0" * 64, {}, "a made-up token"),
                                 (token, {"Origin": "http://evil.example"}, "a foreign Origin"),
                                 (token, {"Sec-Fetch-Site": "cross-site"}, "Sec-Fetch-Site cross-site")):
            f = dict(fields)
            if tok is not None:
                f["csrf_token"] = tok
            r = admin.post(path, f, **extra)
            check_app_error_page(r, 403, "POST %s with %s" % (path, what))
    expect(audit_count(env) == before, "refused POSTs wrote audit rows")
    expect(q(env, "SELECT count(*) FROM domains WHERE name = 'refused.example'") == "0",
           "a refused POST added a domain")


# ---------------------------------------------------------------- overview

@test
def site_admin_overview(env):
    admin, _, _ = signed_in(env, "sao", site_admin=True)
    q(env, "INSERT INTO outbox (to_addresses, subject, body) VALUES ('{a@example.org}', 'pending', 'x')")
    q(env, "INSERT INTO outbox (to_addresses, subject, body, failed_at, attempts) "
           "VALUES ('{b@example.org}', 'failed', 'x', now(), 5)")
    r = admin.get("/admin")
    check_html(r, "GET /admin")
    want = {
        "count-domains": q(env, "SELECT count(*) FROM domains"),
        "count-users": q(env, "SELECT count(*) FROM users"),
        "count-aliases": q(env, "SELECT count(*) FROM aliases"),
        "count-outbox-pending": q(env, "SELECT count(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL"),
        "count-outbox-failed": q(env, "SELECT count(*) FROM outbox WHERE failed_at IS NOT NULL"),
        "count-errors": q(env, "SELECT count(*) FROM error_log WHERE last_seen_at > now() - interval '1 day'"),
    }
    for key, n in want.items():
        m = re.search(('<dd id="%s">([0-9]+)</dd>' % key).encode(), r.body)
        expect(m and m.group(1).decode() == n, "/admin %s: shows %s, want %s", key,
               m and m.group(1), n)
    expect(int(want["count-outbox-failed"]) >= 1 and int(want["count-outbox-pending"]) >= 1,
           "the overview's outbox counts were not exercised")
    q(env, "DELETE FROM outbox WHERE subject IN ('pending', 'failed')")


# ---------------------------------------------------------------- domains

ADDED = ("example-community.org", "bare.example", "fresh.example")


@test
def site_admin_domain_add(env):
    """Later tests (test_db.py) count the seeded domains: the ones added
    here are removed again, also when the test fails."""
    try:
        _domain_add(env)
    finally:
        q(env, "DELETE FROM domains WHERE name IN (%s)" % ", ".join(si.lit(n) for n in ADDED))


def _domain_add(env):
    admin, _, uid = signed_in(env, "sadd", site_admin=True)
    token = admin.csrf("/admin/domains")
    before = audit_count(env)
    r = post(admin, "/admin/domains", {"name": "example-community.org", "team": "~example-team",
                                       "slug": "example", "title": "Example Ä",
                                       "alias_limit": "5"}, token)
    expect_303(r, "/admin/domains?done=domain-added", "add a domain")
    row = q(env, "SELECT team, slug, title, alias_limit, enabled, txt_status, "
                 "verification_token ~ '^[A-Za-z0-9]{10}$' FROM domains WHERE name = 'example-community.org'")
    expect(row == "example-team|example|Example Ä|5|t|unverified|t", "the domain row: %r", row)
    a = expect_audit(env, before, uid, "domain.add", "domain", "add a domain")
    expect(a[4] == "example-community.org" and '"team": "example-team"' in a[6], "audit row: %s", a)
    r = admin.get(r.header("Location"))
    check_html(r, "the domains page after adding")
    expect(b"The domain was added" in r.body, "no notice after adding: %s", show(r, 3000))
    tok = q(env, "SELECT verification_token FROM domains WHERE name = 'example-community.org'")
    expect(('membermail-site-verification=%s' % tok).encode() in r.body, "the TXT record is not shown")
    expect(b'href="/domains/example-community.org"' in r.body, "no link to the domain's admin page")
    # No slug, no title: NULLs, the schema's rules.
    r = post(admin, "/admin/domains", {"name": "bare.example", "team": "~bare-team", "slug": "",
                                       "title": "", "alias_limit": "0"}, token)
    expect_303(r, "/admin/domains?done=domain-added", "add a domain without slug and title")
    expect(q(env, "SELECT slug IS NULL, title IS NULL, alias_limit FROM domains "
                  "WHERE name = 'bare.example'") == "t|t|0", "slug and title not NULL")
    # Refused: each with the reason next to its field, the input kept, nothing written.
    good = {"name": "fresh.example", "team": "~fresh-team", "slug": "", "title": "",
            "alias_limit": "3"}
    cases = [
        ({"name": "Fresh.example"}, 422, "error-name", b"upper-case letters"),
        ({"name": "fresh"}, 422, "error-name", b"a single label"),
        ({"name": "fresh.example."}, 422, "error-name", b"trailing dot"),
        ({"name": "1.2.3.4"}, 422, "error-name", b"the last label does not start with a letter"),
        ({"name": "a" * 64 + ".example"}, 422, "error-name", b"longer than 63"),
        ({"name": "fresh.example\r\nX: y"}, 422, "error-name", b"a character other than"),
        ({"team": "fresh-team"}, 422, "error-team", b"with its &#39;~&#39;"),
        ({"team": "~Fresh"}, 422, "error-team", b"Want ~TEAM"),
        ({"team": "~a"}, 422, "error-team", b"Want ~TEAM"),
        ({"team": "/root"}, 422, "error-team", b"Want ~TEAM"),
        ({"slug": "-x"}, 422, "error-slug", b"Want 1 to 32"),
        ({"slug": "x" * 33}, 422, "error-slug", b"Want 1 to 32"),
        ({"title": "two\nlines"}, 422, "error-title", b"one line"),
        ({"title": "t" * 65}, 422, "error-title", b"one line"),
        ({"alias_limit": "101"}, 422, "error-alias_limit", b"from 0 to 100"),
        ({"alias_limit": "-1"}, 422, "error-alias_limit", b"from 0 to 100"),
        ({"alias_limit": "three"}, 422, "error-alias_limit", b"from 0 to 100"),
        ({"alias_limit": ""}, 422, "error-alias_limit", b"from 0 to 100"),
        ({"name": "example-community.org"}, 409, "error-name", b"exists already"),
        ({"slug": "ubuntu"}, 409, "error-slug", b"Another domain has this landing page"),
    ]
    before = audit_count(env)
    ndomains = q(env, "SELECT count(*) FROM domains")
    for change, status, field, message in cases:
        f = dict(good, **change)
        r = post(admin, "/admin/domains", f, token)
        what = "add with %r" % change
        expect_refusal(r, status, field, what)
        expect(message in r.body, "%s: message %r missing: %s", what, message, show(r, 4000))
        key, val = next(iter(change.items()))
        if "\n" not in val and val:
            kept = ('name="%s" value="%s"' % (key, val.replace("'", "&#39;"))).encode()
            expect(kept in r.body, "%s: the input was not kept (%s)", what, kept)
    expect(audit_count(env) == before, "refused adds wrote audit rows")
    expect(q(env, "SELECT count(*) FROM domains") == ndomains, "a refused add wrote a domain")
    # A field that is missing altogether is a bad request.
    r = post(admin, "/admin/domains", {"name": "fresh.example"}, token)
    check_app_error_page(r, 400, "add without team and limit")


@test
def site_admin_domain_enable_limit(env):
    admin, _, uid = signed_in(env, "sael", site_admin=True)
    token = admin.csrf("/admin/domains")
    q(env, "UPDATE domains SET enabled = true, alias_limit = 3 WHERE name = 'lubuntu.me'")
    before = audit_count(env)
    r = post(admin, "/admin/domains/lubuntu.me/enabled", {"enabled": "no"}, token)
    expect_303(r, "/admin/domains?done=domain-disabled", "disable")
    expect(q(env, "SELECT enabled FROM domains WHERE name = 'lubuntu.me'") == "f", "not disabled")
    a = expect_audit(env, before, uid, "domain.disable", "domain", "disable")
    expect('"enabled": true' in a[5] and '"enabled": false' in a[6], "before/after: %s", a)
    expect(b"The domain is disabled" in admin.get(r.header("Location")).body, "no notice")
    # The public list follows at once (the domains cache is notified).
    expect(admin.get("/lubuntu").status == 404, "a disabled domain's landing page still answers")
    before = audit_count(env)
    r = post(admin, "/admin/domains/lubuntu.me/enabled", {"enabled": "no"}, token)
    expect_303(r, "/admin/domains?done=unchanged", "disable again")
    expect(audit_count(env) == before, "a change to the same state wrote an audit row")
    r = post(admin, "/admin/domains/lubuntu.me/enabled", {"enabled": "yes"}, token)
    expect_303(r, "/admin/domains?done=domain-enabled", "enable")
    expect(last_audit(env)[2] == "domain.enable", "audit: %s", last_audit(env))
    before = audit_count(env)
    r = post(admin, "/admin/domains/lubuntu.me/limit", {"alias_limit": "7"}, token)
    expect_303(r, "/admin/domains?done=limit-changed", "limit 7")
    expect(q(env, "SELECT alias_limit, enabled FROM domains WHERE name = 'lubuntu.me'") == "7|t",
           "limit not 7")
    a = expect_audit(env, before, uid, "domain.alias_limit", "domain", "limit 7")
    expect('"alias_limit": 3' in a[5] and '"alias_limit": 7' in a[6], "before/after: %s", a)
    before = audit_count(env)
    for bad in ("101", "-1", "x", "", "1e2"):
        r = post(admin, "/admin/domains/lubuntu.me/limit", {"alias_limit": bad}, token)
        check_app_error_page(r, 422, "limit %r" % bad)
        expect(b"from 0 to 100" in r.body, "limit %r: no message: %s", bad, show(r, 3000))
        expect(('id="limit-lubuntu.me" name="alias_limit" value="%s"' % bad).encode() in r.body,
               "limit %r: the input was not kept in its row", bad)
    r = post(admin, "/admin/domains/lubuntu.me/enabled", {"enabled": "maybe"}, token)
    check_app_error_page(r, 400, "enabled=maybe")
    for path in ("/admin/domains/nowhere.example/enabled", "/admin/domains/nowhere.example/limit"):
        r = post(admin, path, {"enabled": "no", "alias_limit": "2"}, token)
        check_app_error_page(r, 404, "POST %s" % path)
    expect(audit_count(env) == before, "refused changes wrote audit rows")
    expect(q(env, "SELECT alias_limit FROM domains WHERE name = 'lubuntu.me'") == "7", "limit changed")
    q(env, "UPDATE domains SET alias_limit = 3 WHERE name = 'lubuntu.me'")


# ---------------------------------------------------------------- users

def user_links(r):
    return [int(x) for x in re.findall(rb'class="user-link" href="/admin/users/(\d+)"', r.body)]


def next_after(r):
    m = re.search(rb'name="after" value="(\d+)"', r.body)
    return m.group(1).decode() if m else None


@test
def site_admin_user_search(env):
    admin, _, _ = signed_in(env, "sas", site_admin=True)
    q(env, "INSERT INTO users (claimed_id, name, email) SELECT "
           "'https://login.ubuntu.com/+id/pg' || i, 'pager' || i, 'pager' || i || '@page.example' "
           "FROM generate_series(1, 55) i")
    want = [int(x) for x in q(env, "SELECT id FROM users WHERE name LIKE 'pager%' ORDER BY id").split()]
    r = admin.get("/admin/users?q=PAGER")
    check_html(r, "search pager, page 1")
    page1 = user_links(r)
    expect(page1 == want[:50], "page 1: %s, want the first 50 by id", page1)
    after = next_after(r)
    expect(after == str(want[49]), "next page after %s, want %s", after, want[49])
    # A user signing up between two pages neither shifts nor repeats a row.
    q(env, "INSERT INTO users (claimed_id, name, email) VALUES "
           "('https://login.ubuntu.com/+id/pgnew', 'pagernew', 'pagernew@page.example')")
    newid = int(q(env, "SELECT id FROM users WHERE name = 'pagernew'"))
    r = admin.get("/admin/users?q=pager&after=%s" % after)
    page2 = user_links(r)
    expect(page2 == want[50:] + [newid], "page 2: %s, want %s", page2, want[50:] + [newid])
    expect(next_after(r) is None, "a next page after the last one")
    # By email prefix, case-insensitively; a prefix, not a substring.
    r = admin.get("/admin/users?q=" + urllib.parse.quote("Pager7@PAGE"))
    expect(user_links(r) == [want[6]], "email prefix: %s", user_links(r))
    r = admin.get("/admin/users?q=ager")
    expect(user_links(r) == [] and b"No user matches" in r.body, "a substring matched: %s", user_links(r))
    # LIKE metacharacters are plain text.
    r = admin.get("/admin/users?q=" + urllib.parse.quote("pager%"))
    expect(user_links(r) == [], "'%%' matched as a wildcard: %s", user_links(r))
    r = admin.get("/admin/users?q=" + urllib.parse.quote("<b>x"))
    check_html(r, "search with markup")
    expect(b"<b>x" not in r.body and b"&lt;b&gt;x" in r.body, "the search text is not escaped")
    for bad in ("after=abc", "after=-1", "after=" + "9" * 19, "q=%01"):
        check_app_error_page(admin.get("/admin/users?" + bad), 400, "users?" + bad)
    for bad in ("/admin/users/abc", "/admin/users/99999999999", "/admin/users/" + "1" * 19):
        check_app_error_page(admin.get(bad), 404, "GET " + bad)
    r = admin.get("/admin/users/%d" % want[0])
    check_html(r, "a user's page")
    for part in (b"pager1", b"pager1@page.example", b"https://login.ubuntu.com/+id/pg1"):
        expect(part in r.body, "the user's page lacks %r", part)
    q(env, "DELETE FROM users WHERE name LIKE 'pager%'")


@test
def site_admin_ban(env):
    admin, _, aid = signed_in(env, "sab", site_admin=True)
    victim, vuser, vid = signed_in(env, "sav")
    expect(victim.get("/my").status == 200, "the victim's session does not work to begin with")
    path = "/admin/users/%s" % vid
    token = admin.csrf(path)
    before = audit_count(env)
    for reason, what in (("line one\r\nline two", "CR/LF"), ("x\n", "LF"), ("a\tb", "a tab"),
                         ("r" * 501, "501 characters"), ("", "empty"), ("\u0085", "C1 control")):
        r = post(admin, path + "/ban", {"reason": reason}, token)
        expect_refusal(r, 422, "error-reason", "ban with %s" % what)
        expect(b"one line of 1 to 500 characters" in r.body, "ban with %s: message", what)
        if what == "501 characters":
            expect(('value="%s"' % reason).encode() in r.body, "the reason typed was not kept")
    check_app_error_page(post(admin, path + "/ban", {}, token), 400, "ban without a reason field")
    expect(audit_count(env) == before, "refused bans wrote audit rows")
    expect(q(env, "SELECT is_banned FROM users WHERE id = %s" % vid) == "f", "a refused ban banned")
    reason = "Spam, repeatedly — ä " + "x" * 479
    expect(len(reason) == 500, "test reason is %d characters", len(reason))
    r = post(admin, path + "/ban", {"reason": reason}, token)
    expect_303(r, path + "?done=banned", "ban")
    expect(q(env, "SELECT is_banned, ban_reason FROM users WHERE id = %s" % vid) == "t|" + reason,
           "not banned with the reason")
    # The ban's row, and the row of the one session it ended.
    rows = q(env, "SELECT actor_kind || '|' || actor_user_id || '|' || action || '|' || "
                  "target_type || '|' || coalesce(target_label, '') || '|' || "
                  "coalesce(before::text, '') || '|' || coalesce(after::text, '') FROM audit_log "
                  "ORDER BY id DESC LIMIT %d" % (audit_count(env) - before)).splitlines()[::-1]
    expect(len(rows) == 2, "ban: audit rows %r, want user.ban and user.sessions_end", rows)
    a = rows[0].split("|")
    expect(a[:4] == ["user", str(aid), "user.ban", "user"], "ban audit row: %s", a)
    expect(a[4] == vuser["nickname"] and '"is_banned": false' in a[5] and '"is_banned": true' in a[6],
           "ban audit row: %s", a)
    expect(rows[1].split("|")[2:5] == ["user.sessions_end", "user", vuser["nickname"]]
           and '"sessions": 1' in rows[1], "sessions audit row: %s", rows[1])
    # Their session ends at once.
    check_app_error_page(victim.get("/my"), 401, "the banned user's session")
    page = admin.get(r.header("Location"))
    expect(b"The user is banned" in page.body and b"Spam, repeatedly" in page.body, "user page after ban")
    before = audit_count(env)
    r = post(admin, path + "/ban", {"reason": "again"}, token)
    expect_303(r, path + "?done=unchanged", "ban again")
    expect(audit_count(env) == before, "a second ban wrote an audit row")
    expect(q(env, "SELECT ban_reason FROM users WHERE id = %s" % vid) == reason, "a second ban changed the reason")
    # Granting site admin to a banned user keeps the ban's reason.
    r = post(admin, path + "/site-admin", {"grant": "yes"}, token)
    expect_303(r, path + "?done=admin-granted", "grant a banned user")
    expect(q(env, "SELECT is_banned, ban_reason = %s, is_site_admin FROM users WHERE id = %s"
                  % (si.lit(reason), vid)) == "t|t|t", "grant changed the ban")
    r = post(admin, path + "/site-admin", {"grant": "no"}, token)
    expect_303(r, path + "?done=admin-revoked", "revoke again")
    before = audit_count(env)
    r = post(admin, path + "/unban", {}, token)
    expect_303(r, path + "?done=unbanned", "unban")
    expect(q(env, "SELECT is_banned, ban_reason IS NULL FROM users WHERE id = %s" % vid) == "f|t", "not unbanned")
    expect_audit(env, before, aid, "user.unban", "user", "unban")
    r = post(admin, path + "/unban", {}, token)
    expect_303(r, path + "?done=unchanged", "unban again")
    # Nobody bans themselves.
    before = audit_count(env)
    r = post(admin, "/admin/users/%s/ban" % aid, {"reason": "oops"}, token)
    expect_refusal(r, 409, "error-reason", "ban yourself")
    expect(b"cannot ban yourself" in r.body and b'value="oops"' in r.body, "self-ban page: %s", show(r, 3000))
    expect(audit_count(env) == before and q(env, "SELECT is_banned FROM users WHERE id = %s" % aid) == "f",
           "a self-ban changed something")
    check_app_error_page(post(admin, "/admin/users/999999999/ban", {"reason": "x"}, token), 404, "ban nobody")
    check_app_error_page(post(admin, "/admin/users/999999999/unban", {}, token), 404, "unban nobody")


@test
def site_admin_grant_revoke(env):
    """Grant, revoke, and never the last site admin, yourself included."""
    a, _, aid = signed_in(env, "sag", site_admin=True)
    b, _, bid = signed_in(env, "sag")
    # Only a is a site admin from here on.
    q(env, "UPDATE users SET is_site_admin = (id = %s)" % aid)
    token = a.csrf("/admin/users/%s" % bid)
    before = audit_count(env)
    r = post(a, "/admin/users/%s/site-admin" % aid, {"grant": "no"}, token)
    expect_refusal(r, 409, "error-site-admin", "revoke the last site admin (yourself)")
    expect(b"last site admin" in r.body, "no reason given: %s", show(r, 3000))
    expect(audit_count(env) == before and q(env, "SELECT is_site_admin FROM users WHERE id = %s" % aid) == "t",
           "the last site admin was revoked")
    r = post(a, "/admin/users/%s/site-admin" % bid, {"grant": "yes"}, token)
    expect_303(r, "/admin/users/%s?done=admin-granted" % bid, "grant")
    row = expect_audit(env, before, aid, "user.site_admin.grant", "user", "grant")
    expect('"is_site_admin": false' in row[5] and '"is_site_admin": true' in row[6], "audit: %s", row)
    # b is a site admin at once (the session reads the flag).
    check_html(b.get("/admin"), "/admin for the newly granted")
    r = post(a, "/admin/users/%s/site-admin" % bid, {"grant": "yes"}, token)
    expect_303(r, "/admin/users/%s?done=unchanged" % bid, "grant again")
    check_app_error_page(post(a, "/admin/users/%s/site-admin" % bid, {"grant": "maybe"}, token), 400,
                         "grant=maybe")
    # b revokes a: allowed (b remains); then b is the last and cannot leave.
    btoken = b.csrf("/admin/users/%s" % aid)
    before = audit_count(env)
    r = post(b, "/admin/users/%s/site-admin" % aid, {"grant": "no"}, btoken)
    expect_303(r, "/admin/users/%s?done=admin-revoked" % aid, "revoke another")
    expect_audit(env, before, bid, "user.site_admin.revoke", "user", "revoke")
    check_app_error_page(a.get("/admin"), 403, "/admin for the revoked")
    r = post(b, "/admin/users/%s/site-admin" % bid, {"grant": "no"}, btoken)
    expect_refusal(r, 409, "error-site-admin", "revoke yourself as the last")
    # With another admin, revoking yourself is allowed and leads to /my.
    q(env, "UPDATE users SET is_site_admin = true WHERE id = %s" % aid)
    r = post(b, "/admin/users/%s/site-admin" % bid, {"grant": "no"}, btoken)
    expect_303(r, "/my", "revoke yourself")
    expect(q(env, "SELECT is_site_admin FROM users WHERE id = %s" % bid) == "f", "not revoked")
    check_app_error_page(b.get("/admin"), 403, "/admin after revoking yourself")


@test
def site_admin_makes_domain_admin(env):
    """A site admin makes a user who is not a member an admin of a domain
    from the user's page (a new domain's first admin): the role row and
    its audit row, the domain's pages open to them; an unknown domain is
    refused next to the field; asking again changes nothing."""
    a, _, aid = signed_in(env, "sad", site_admin=True)
    b, _, bid = signed_in(env, "sad")
    dom = q(env, "SELECT name FROM domains ORDER BY name LIMIT 1")
    q(env, "DELETE FROM domain_members WHERE user_id = %s" % bid)
    page = "/admin/users/%s" % bid
    r = a.get(page)
    check_html(r, "the user's page")
    expect(("<option>%s</option>" % dom).encode() in r.body, "no %s to choose: %s", dom,
           show(r, 4000))
    token = a.csrf(page)
    before = audit_count(env)
    r = post(a, page + "/domain-admin", {"domain": "nowhere.example"}, token)
    expect_refusal(r, 422, "error-domain", "an unknown domain")
    expect(b"There is no such domain." in r.body, "no reason given: %s", show(r, 3000))
    expect(audit_count(env) == before, "a refused change wrote an audit row")
    check_app_error_page(b.get("/domains/%s" % dom), 403, "the domain's page before")
    r = post(a, page + "/domain-admin", {"domain": dom}, token)
    expect_303(r, page + "?done=domain-admin", "make admin")
    row = expect_audit(env, before, aid, "domain_member.role", "domain_member", "make admin")
    expect(row[5] == "" and row[6] == '{"role": "admin"}', "audit before/after: %s", row)
    role = q(env, "SELECT m.role FROM domain_members m JOIN domains d ON d.id = m.domain_id "
                  "WHERE m.user_id = %s AND d.name = %s" % (bid, si.lit(dom)))
    expect(role == "admin", "domain_members role: %r", role)
    check_html(b.get("/domains/%s" % dom), "the domain's page for its new admin")
    r = a.get(page + "?done=domain-admin")
    expect(("%s (admin)" % dom).encode() in r.body and b"is an admin of the domain" in r.body,
           "the user's page after: %s", show(r, 4000))
    r = post(a, page + "/domain-admin", {"domain": dom}, token)
    expect_303(r, page + "?done=domain-admin", "make admin again")
    expect(audit_count(env) == before + 1, "asking again wrote an audit row")


@test
def site_admin_revoke_each_other_at_once(env):
    """The only two site admins revoke each other at the same moment: one
    wins, the other is told it would leave none (409); never both, never
    a deadlock (500)."""
    a, _, aid = signed_in(env, "sar", site_admin=True)
    b, _, bid = signed_in(env, "sar", site_admin=True)
    ta, tb = a.csrf("/my"), b.csrf("/my")
    for rnd in range(5):
        q(env, "UPDATE users SET is_site_admin = id IN (%s, %s)" % (aid, bid))
        results = {}

        def go(who, br, target, token):
            results[who] = post(br, "/admin/users/%s/site-admin" % target, {"grant": "no"}, token)
        threads = [threading.Thread(target=go, args=("a", a, bid, ta)),
                   threading.Thread(target=go, args=("b", b, aid, tb))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        # The loser is refused by the rule (409), or, when the winner's
        # commit came before its request began, is no site admin (403).
        statuses = sorted(r.status for r in results.values())
        expect(statuses in ([303, 403], [303, 409]),
               "round %d: statuses %s, want one 303 and one 409 or 403: %s",
               rnd, statuses, {k: show(v, 300) for k, v in results.items()})
        left = q(env, "SELECT count(*) FROM users WHERE is_site_admin")
        expect(left == "1", "round %d: %s site admins left", rnd, left)


# ---------------------------------------------------------------- outbox, errors

@test
def site_admin_outbox(env):
    admin, _, aid = signed_in(env, "sax", site_admin=True)
    ids = q(env, "INSERT INTO outbox (to_addresses, subject, body, attempts, last_error, failed_at, "
                 "next_attempt_at) VALUES "
                 "('{one@example.org}', 'Failed <one>', 'b', 8, '550 5.1.1 no such user', now(), now() + interval '6 h'), "
                 "('{two@example.org,three@example.org}', 'Failed two', 'b', 8, '421 try later', now(), now()), "
                 "('{sent@example.org}', 'Sent one', 'b', 1, NULL, NULL, now()) RETURNING id").split()
    one, two, pending = ids
    r = admin.get("/admin/outbox")
    check_html(r, "GET /admin/outbox")
    for part in (b"one@example.org", b"Failed &lt;one&gt;", b"550 5.1.1 no such user",
                 b"two@example.org, three@example.org", b"421 try later"):
        expect(part in r.body, "the outbox page lacks %r", part)
    expect(b"Sent one" not in r.body, "a message that did not fail is listed")
    token = admin.csrf("/admin/outbox")
    before = audit_count(env)
    r = post(admin, "/admin/outbox/%s/retry" % one, {}, token)
    expect_303(r, "/admin/outbox?done=retried", "retry")
    row = q(env, "SELECT failed_at IS NULL, attempts, next_attempt_at <= now(), last_error "
                 "FROM outbox WHERE id = %s" % one)
    expect(row == "t|0|t|550 5.1.1 no such user", "after retry: %r", row)
    a = expect_audit(env, before, aid, "outbox.retry", "outbox", "retry")
    expect(a[4] == "Failed <one>" and '"attempts": 8' in a[5] and '"attempts": 0' in a[6], "audit: %s", a)
    expect(b"sent again" in admin.get(r.header("Location")).body, "no notice after retry")
    before = audit_count(env)
    for path in ("/admin/outbox/%s/retry" % one, "/admin/outbox/%s/delete" % pending,
                 "/admin/outbox/999999999/retry", "/admin/outbox/x/delete"):
        check_app_error_page(post(admin, path, {}, token), 404, "POST " + path)
    expect(audit_count(env) == before, "refused outbox changes wrote audit rows")
    r = post(admin, "/admin/outbox/%s/delete" % two, {}, token)
    expect_303(r, "/admin/outbox?done=deleted", "delete")
    expect(q(env, "SELECT count(*) FROM outbox WHERE id = %s" % two) == "0", "not deleted")
    a = expect_audit(env, before, aid, "outbox.delete", "outbox", "delete")
    expect("two@example.org" in a[5] and a[6] == "", "delete audit: %s", a)
    q(env, "DELETE FROM outbox WHERE id IN (%s, %s)" % (one, pending))


@test
def site_admin_errors(env):
    admin, user, uid = signed_in(env, "saer", site_admin=True)
    q(env, "INSERT INTO error_log (fingerprint, message, user_id, launchpad_name, claimed_id, count, "
           "first_seen_at, last_seen_at) VALUES "
           "(sha256('e1'), 'Launchpad said <404> for ~x', %s, %s, %s, 7, now() - interval '3 days', now()), "
           "(sha256('e2'), 'older error', NULL, 'gone-user', 'https://login.ubuntu.com/+id/gone', 1, "
           "now() - interval '2 days', now() - interval '2 days')"
           % (uid, si.lit(user["nickname"]), si.lit(si.claimed(env, user))))
    r = admin.get("/admin/errors")
    check_html(r, "GET /admin/errors")
    body = r.body
    for part in (b"Launchpad said &lt;404&gt; for ~x", user["nickname"].encode(),
                 si.claimed(env, user).encode(), ('href="/admin/users/%s"' % uid).encode(),
                 b"gone-user", b"https://login.ubuntu.com/+id/gone"):
        expect(part in body, "the error page lacks %r", part)
    expect(body.index(b"Launchpad said") < body.index(b"older error"), "not newest first")
    expect(re.search(rb"<td>7</td>", body), "the count 7 is not shown")
    r = admin.get("/admin")
    m = re.search(rb'<dd id="count-errors">(\d+)</dd>', r.body)
    want = q(env, "SELECT count(*) FROM error_log WHERE last_seen_at > now() - interval '1 day'")
    expect(m and m.group(1).decode() == want, "errors in the last day: %s, want %s", m and m.group(1), want)
    q(env, "DELETE FROM error_log WHERE fingerprint IN (sha256('e1'), sha256('e2'))")


# ---------------------------------------------------------------- the CLI

CLI_DB = "membermail_cli_cases"


@test
def cli_cases(env):
    """tests/integration/cli_cases.txt against a freshly migrated database:
    the operator CLI keeps its behaviour with the rules it shares."""
    env.pg.dropdb(CLI_DB)
    stack.ensure_roles_and_db(env.pg, CLI_DB)
    code, out, err = stack.migrate_cli(env.binary, env.pg, ["up"], db=CLI_DB)
    expect(code == 0, "migrate up %s: exit %s: %s%s", CLI_DB, code, out, err)
    conf = os.path.join(env.base, "cli-cases.conf")
    stack.render_config(conf, stack.config_settings(
        os.path.join(env.base, "cli-cases.sock"), database=env.pg.conninfo(CLI_DB, stack.OWNER_ROLE)))
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cli_cases.txt")
    n = 0
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            kind, _, rest = line.partition(" | ")
            where = "cli_cases.txt:%d" % lineno
            if kind == "seed":
                env.pg.psql(rest, db=CLI_DB, user=stack.OWNER_ROLE)
                continue
            arg, _, want = rest.partition(" | ")
            if kind == "query":
                got = env.pg.scalar(arg, db=CLI_DB, user=stack.OWNER_ROLE)
                expect(got == want, "%s: query gave %r, want %r", where, got, want)
            else:
                argv = [env.binary] + shlex.split(arg) + ["-c", conf]
                r = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, env=stack.sanitizer_env(), timeout=60)
                output = (r.stdout + r.stderr).decode("utf-8", "replace")
                env.keep_cli_output(argv, r.returncode, output)
                expect(r.returncode == int(kind), "%s: %s: exit %d, want %s: %s", where, arg,
                       r.returncode, kind, output)
                expect(want in output, "%s: %s: output lacks %r: %s", where, arg, want, output)
            n += 1
    expect(n > 50, "only %d cases ran", n)
    env.pg.dropdb(CLI_DB)
