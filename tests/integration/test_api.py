#!/usr/bin/python3
"""membermail integration tests of the JSON API /api/v1/ and personal API
tokens.

Not a runner of its own: tests/integration/run.py imports it, which appends
these tests to its list.  Everything goes through nginx to the test server
(app max_body 1k, api_rate_limit 120).

People, memberships and aliases are made with SQL as the superuser (the
provisioning that would make them is not what is tested here); tokens are
made either through /my/tokens by a signed-in browser (the lifecycle tests)
or as rows holding the SHA-256 of a token the test generates, as the app
stores them.  Every refusal is checked for its status, its JSON error
({"error", "field", "message"}), and that nothing was written.
"""

import base64
import hashlib
import json
import os
import re

import stack
from run import Fail, expect, show, test  # noqa: F401
from test_signin import Browser, new_user, sign_in

DB = stack.APP_DB
JSON = "application/json"
_seq = [0]


# ---------------------------------------------------------------- database

def sql(env, query):
    return env.pg.scalar(query, db=DB)


def lit(s):
    return "NULL" if s is None else "'" + s.replace("'", "''") + "'"


def uniq(tag):
    _seq[0] += 1
    return "%s%d" % (tag, _seq[0])


def mk_user(env, tag, site_admin=False, banned=False):
    """A user row; returns (id, name)."""
    name = uniq(tag)
    uid = sql(env, "INSERT INTO users (claimed_id, name, email, display_name, is_site_admin, "
                   "is_banned, ban_reason) VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id"
              % (lit("https://login.ubuntu.com/+id/X" + name), lit(name),
                 lit(name + "@example.com"), lit(name.capitalize()),
                 "true" if site_admin else "false", "true" if banned else "false",
                 lit("spam") if banned else "NULL"))
    return int(uid), name


def domain_id(env, domain):
    return int(sql(env, "SELECT id FROM domains WHERE name = %s" % lit(domain)))


def mk_domain(env, tag="apid"):
    name = "%s.example" % uniq(tag)
    sql(env, "INSERT INTO domains (name, team, verification_token) VALUES (%s, 'apiteam', "
             "substr(md5(random()::text), 1, 10))" % lit(name))
    return name


def drop_domains(env, names):
    """Removes the domains a test made (test_db counts the seeded ones)."""
    if names:
        ls = ", ".join(lit(n) for n in names)
        sql(env, "DELETE FROM aliases WHERE domain_id IN (SELECT id FROM domains WHERE name IN (%s)); "
                 "DELETE FROM domains WHERE name IN (%s)" % (ls, ls))


def mk_member(env, domain, uid, role="member"):
    sql(env, "INSERT INTO domain_members (domain_id, user_id, role) VALUES (%d, %d, %s)"
        % (domain_id(env, domain), uid, lit(role)))


def mk_alias(env, domain, local, uid, recipients=None):
    """An enabled alias; returns its id."""
    rc = recipients or ["%s@example.net" % local]
    arr = "ARRAY[%s]::text[]" % ", ".join(lit(x) for x in rc)
    return int(sql(env, "INSERT INTO aliases (domain_id, local_part, user_id, recipients) "
                        "VALUES (%d, %s, %d, %s) RETURNING id"
                   % (domain_id(env, domain), lit(local), uid, arr)))


def new_secret():
    return "mm_" + base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")


def mk_token(env, uid, name="t", expired=False, revoked=False):
    """A token row for uid; returns the secret."""
    secret = new_secret()
    digest = hashlib.sha256(secret.encode()).hexdigest()
    created = "now() - interval '2 days'" if expired else "now()"
    expires = "now() - interval '1 day'" if expired else "now() + interval '30 days'"
    sql(env, "INSERT INTO api_tokens (user_id, name, token_hash, created_at, expires_at, "
             "revoked_at) VALUES (%d, %s, decode('%s', 'hex'), %s, %s, %s)"
        % (uid, lit(uniq(name)), digest, created, expires, "now()" if revoked else "NULL"))
    return secret


def audit_count(env, where):
    return int(sql(env, "SELECT count(*) FROM audit_log WHERE " + where))


# ---------------------------------------------------------------- requests

def call(env, method, path, token=None, body=None, ctype=JSON, headers=None):
    h = dict(headers or {})
    if token is not None:
        h["Authorization"] = "Bearer " + token
    data = None
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        h["Content-Type"] = ctype
    return env.req(method, path, body=data, headers=h)


def js(r, what):
    ct = r.header("Content-Type") or ""
    expect(ct.startswith(JSON), "%s: Content-Type %r, want JSON: %s", what, ct, show(r))
    try:
        return json.loads(r.body)
    except ValueError:
        raise Fail("%s: body is not JSON: %s" % (what, show(r)))


def ok(r, what, status=200):
    expect(r.status == status, "%s: want %d, got %s", what, status, show(r, 600))
    return js(r, what)


def refused(r, what, status, code, field=None):
    """An API error: the status, exactly the three keys, the code and field."""
    expect(r.status == status, "%s: want %d, got %s", what, status, show(r, 600))
    o = js(r, what)
    expect(isinstance(o, dict) and sorted(o) == ["error", "field", "message"],
           "%s: error body keys %r, want error, field, message", what, sorted(o))
    expect(o["error"] == code, "%s: error code %r, want %r (%s)", what, o["error"], code, o)
    expect(o["field"] == field, "%s: field %r, want %r (%s)", what, o["field"], field, o)
    expect(isinstance(o["message"], str) and o["message"], "%s: empty message", what)
    return o


def alias_row(env, aid):
    """What an alias is in the database, for before/after comparisons."""
    return sql(env, "SELECT row(recipients, enabled, disabled_reason, reply_code, description, "
                    "updated_at)::text FROM aliases WHERE id = %d" % aid)


class World:
    """One domain admin's domain with two members, each with an alias, an
    admin of another domain and a site admin, each with a token."""

    def __init__(self, env):
        self.member, self.member_name = mk_user(env, "apim")
        self.other, _ = mk_user(env, "apio")
        self.admin, self.admin_name = mk_user(env, "apia")
        self.kadmin, _ = mk_user(env, "apik")
        self.site, _ = mk_user(env, "apis", site_admin=True)
        mk_member(env, "ubuntu.com", self.member)
        mk_member(env, "ubuntu.com", self.other)
        mk_member(env, "ubuntu.com", self.admin, "admin")
        mk_member(env, "kubuntu.org", self.kadmin, "admin")
        self.alias = mk_alias(env, "ubuntu.com", self.member_name, self.member)
        self.other_alias = mk_alias(env, "ubuntu.com", uniq("apiox"), self.other)
        self.kalias = mk_alias(env, "kubuntu.org", uniq("apikx"), self.kadmin)
        self.t_member = mk_token(env, self.member)
        self.t_other = mk_token(env, self.other)
        self.t_admin = mk_token(env, self.admin)
        self.t_kadmin = mk_token(env, self.kadmin)
        self.t_site = mk_token(env, self.site)


# ---------------------------------------------------------------- tokens through /my/tokens

def page_csrf(r):
    m = re.search(rb'name="csrf_token" value="([0-9a-f]{64})"', r.body)
    expect(m, "no CSRF token in the page: %s", show(r))
    return m.group(1).decode()


def token_id(env, uid, name):
    return int(sql(env, "SELECT id FROM api_tokens WHERE user_id = %d AND name = %s "
                        "AND revoked_at IS NULL" % (uid, lit(name))))


@test
def api_token_lifecycle(env):
    """Create at /my/tokens (shown once, stored hashed, audited), use,
    last_used_at, list, revoke (audited), then refused."""
    env.ensure_server()
    user = new_user("tok")
    b, _, _ = sign_in(env, user=user)
    uid = int(sql(env, "SELECT id FROM users WHERE name = %s" % lit(user["nickname"])))
    r = b.get("/my/tokens")
    expect(r.status == 200 and b"API tokens" in r.body, "GET /my/tokens: %s", show(r))
    expect(b"You have no API tokens" in r.body, "a new user's token list is not empty: %s", show(r))
    csrf = page_csrf(r)

    # CSRF: refused without the token, nothing written
    r = b.post("/my/tokens", {"name": "laptop", "expires_days": "30"})
    expect(r.status == 403, "POST /my/tokens without csrf_token: want 403, got %s", show(r))
    expect(sql(env, "SELECT count(*) FROM api_tokens WHERE user_id = %d" % uid) == "0",
           "a refused POST /my/tokens wrote a token")

    r = b.post("/my/tokens", {"name": "laptop", "expires_days": "30", "csrf_token": csrf})
    expect(r.status == 200, "POST /my/tokens: %s", show(r))
    expect((r.header("Cache-Control") or "") == "no-store",
           "the page showing a token must not be cached: Cache-Control %r", r.header("Cache-Control"))
    m = re.search(rb'id="new-token">(mm_[A-Za-z0-9_-]{43})<', r.body)
    expect(m, "the new token is not shown: %s", show(r, 3000))
    secret = m.group(1).decode()
    tid = token_id(env, uid, "laptop")
    stored = sql(env, "SELECT encode(token_hash, 'hex') || ' ' || (expires_at - created_at)::text "
                      "FROM api_tokens WHERE id = %d" % tid)
    expect(stored == hashlib.sha256(secret.encode()).hexdigest() + " 30 days",
           "api_tokens row %r: want the SHA-256 of the token and a 30-day expiry", stored)
    dump = env.pg.psql("SELECT row_to_json(t)::text FROM api_tokens t", db=DB)[1]
    expect(secret not in dump and secret[3:] not in dump, "the token itself is stored")
    expect(audit_count(env, "action = 'api_token.create' AND target_type = 'api_token' AND "
                            "target_id = %d AND actor_kind = 'user' AND actor_user_id = %d"
                       % (tid, uid)) == 1, "no audit row for the token's creation")
    # shown once: the list shows the name, never the token
    r = b.get("/my/tokens")
    expect(b"laptop" in r.body and secret.encode() not in r.body,
           "GET /my/tokens: the list must show the name and not the token: %s", show(r))

    # use it
    r = call(env, "GET", "/api/v1/me", secret)
    me = ok(r, "GET /api/v1/me with the new token")
    expect(me.get("name") == user["nickname"] and me.get("id") == uid and me.get("site_admin") is False,
           "GET /api/v1/me: %s", me)
    used = sql(env, "SELECT last_used_at FROM api_tokens WHERE id = %d" % tid)
    expect(used != "", "last_used_at not set by the first use")
    ok(call(env, "GET", "/api/v1/me", secret), "second use")
    expect(sql(env, "SELECT last_used_at FROM api_tokens WHERE id = %d" % tid) == used,
           "last_used_at written again within a minute (one write a request)")
    sql(env, "UPDATE api_tokens SET last_used_at = now() - interval '2 minutes' WHERE id = %d" % tid)
    ok(call(env, "GET", "/api/v1/me", secret), "use after two minutes")
    expect(sql(env, "SELECT last_used_at > now() - interval '1 minute' FROM api_tokens "
                    "WHERE id = %d" % tid) == "t", "last_used_at not refreshed after a minute")

    # the same name again: refused next to the field, nothing written
    r = b.post("/my/tokens", {"name": "laptop", "csrf_token": csrf})
    expect(r.status == 422 and b'id="error-name"' in r.body and b'value="laptop"' in r.body,
           "a second active token named laptop: want 422 with the error and the input kept: %s",
           show(r, 3000))
    for days, what in (("0", "0 days"), ("366", "366 days"), ("x", "not a number")):
        r = b.post("/my/tokens", {"name": "other", "expires_days": days, "csrf_token": csrf})
        expect(r.status == 422 and b'id="error-days"' in r.body,
               "expiry of %s: want 422 with the error next to the field: %s", what, show(r, 2000))
    r = b.post("/my/tokens", {"name": "x" * 65, "csrf_token": csrf})
    expect(r.status == 422 and b'id="error-name"' in r.body, "a 65-character name: %s", show(r))
    r = b.post("/my/tokens", {"name": "", "csrf_token": csrf})
    expect(r.status == 422 and b'id="error-name"' in r.body, "an empty name: %s", show(r))
    expect(sql(env, "SELECT count(*) FROM api_tokens WHERE user_id = %d" % uid) == "1",
           "refused creations wrote tokens")
    # default expiry: 90 days
    r = b.post("/my/tokens", {"name": "default", "csrf_token": csrf})
    expect(r.status == 200, "POST /my/tokens without expires_days: %s", show(r))
    expect(sql(env, "SELECT (expires_at - created_at)::text FROM api_tokens WHERE id = %d"
               % token_id(env, uid, "default")) == "90 days", "the default expiry is not 90 days")

    # revoke: CSRF-checked, audited, then the token is refused
    r = b.get("/my/tokens")
    m = re.search(rb'action="/my/tokens/%d/revoke">\s*<input type="hidden" name="csrf_token" '
                  rb'value="([0-9a-f]{64})"' % tid, r.body)
    expect(m and m.group(1).decode() == csrf, "the revoke form lacks the session's CSRF token: %s",
           show(r, 4000))
    r = b.post("/my/tokens/%d/revoke" % tid, {})
    expect(r.status == 403, "revoke without csrf_token: want 403, got %s", show(r))
    r = b.post("/my/tokens/%d/revoke" % tid, {"csrf_token": csrf})
    expect(r.status == 303 and r.header("Location") == "/my/tokens?done=revoked",
           "revoke: want 303 to /my/tokens?done=revoked: %s", show(r))
    expect(audit_count(env, "action = 'api_token.revoke' AND target_id = %d AND "
                            "actor_kind = 'user'" % tid) == 1, "no audit row for the revocation")
    r = b.get("/my/tokens?done=revoked")
    expect(b"The token is revoked" in r.body and b"revoked" in r.body, "after revoking: %s", show(r))
    r = call(env, "GET", "/api/v1/me", secret)
    refused(r, "the revoked token", 401, "invalid_token")
    # another user's token cannot be revoked by its id: 404, nothing written
    other, _ = mk_user(env, "tokx")
    secret2 = mk_token(env, other)
    oid = int(sql(env, "SELECT id FROM api_tokens WHERE user_id = %d" % other))
    r = b.post("/my/tokens/%d/revoke" % oid, {"csrf_token": csrf})
    expect(r.status == 404, "revoking another user's token: want 404, got %s", show(r))
    ok(call(env, "GET", "/api/v1/me", secret2), "the other user's token after the refused revoke")
    # a revoked name may be used again
    r = b.post("/my/tokens", {"name": "laptop", "csrf_token": csrf})
    expect(r.status == 200 and b"new-token" in r.body, "reusing a revoked token's name: %s", show(r))


@test
def api_cookie_does_not_authenticate(env):
    """A signed-in browser's cookies alone get 401 from the API, and a
    PATCH carrying them and the session's CSRF token changes nothing."""
    env.ensure_server()
    user = new_user("cookie")
    b, _, _ = sign_in(env, user=user)
    uid = int(sql(env, "SELECT id FROM users WHERE name = %s" % lit(user["nickname"])))
    mk_member(env, "ubuntu.com", uid)
    aid = mk_alias(env, "ubuntu.com", user["nickname"], uid)
    r = b.get("/my")
    expect(r.status == 200, "the browser is signed in: %s", show(r))
    r = b.get("/api/v1/me")
    refused(r, "GET /api/v1/me with the session cookie only", 401, "unauthorized")
    www = r.header("WWW-Authenticate") or ""
    expect(www.startswith("Bearer") and "error=" not in www,
           "401 without credentials: WWW-Authenticate %r, want a bare Bearer challenge", www)
    before = alias_row(env, aid)
    r = env.req("PATCH", "/api/v1/aliases/%d" % aid, body=json.dumps({"enabled": False}).encode(),
                headers=b.headers(**{"Content-Type": JSON, "Origin": "http://127.0.0.1:%d" % env.port}))
    refused(r, "PATCH with the session cookie only", 401, "unauthorized")
    expect(alias_row(env, aid) == before, "a cookie-only PATCH changed the alias")


@test
def api_unauthorized(env):
    """401 with WWW-Authenticate for: no header, another scheme, malformed,
    unknown, expired and revoked tokens; 403 for a banned user's token."""
    env.ensure_server()
    uid, _ = mk_user(env, "unauth")
    expired = mk_token(env, uid, expired=True)
    revoked = mk_token(env, uid, revoked=True)
    good = mk_token(env, uid)
    r = call(env, "GET", "/api/v1/me")
    refused(r, "no Authorization", 401, "unauthorized")
    expect((r.header("WWW-Authenticate") or "") == 'Bearer realm="membermail"',
           "no Authorization: WWW-Authenticate %r", r.header("WWW-Authenticate"))
    cases = [
        ("Basic dXNlcjpwYXNz", "another scheme"),
        ("Bearer", "Bearer without a token"),
        ("Bearer " + good[3:], "the token without its prefix"),
        ("Bearer " + good + "x", "one character too many"),
        ("Bearer " + good[:-1] + "!", "a character outside base64url"),
        ("Bearer " + new_secret(), "an unknown token"),
        ("Bearer " + expired, "an expired token"),
        ("Bearer " + revoked, "a revoked token"),
    ]
    for value, what in cases:
        r = call(env, "GET", "/api/v1/me", headers={"Authorization": value})
        refused(r, what, 401, "invalid_token")
        expect((r.header("WWW-Authenticate") or "") ==
               'Bearer realm="membermail", error="invalid_token"',
               "%s: WWW-Authenticate %r", what, r.header("WWW-Authenticate"))
    ok(call(env, "GET", "/api/v1/me", good), "the good token")
    ok(call(env, "GET", "/api/v1/me", headers={"Authorization": "bearer  " + good}),
       "the scheme is case-insensitive")
    # a banned user's genuine token: 403, not 401
    sql(env, "UPDATE users SET is_banned = true, ban_reason = 'abuse' WHERE id = %d" % uid)
    refused(call(env, "GET", "/api/v1/me", good), "a banned user's token", 403, "account_suspended")
    # the token is never logged
    log = env.server_log()
    expect(good not in log and good[3:] not in log, "a token appears in the server's log")


@test
def api_errors_and_bodies(env):
    """404/405 as JSON; 415 for other content types; 400 for malformed
    JSON; 413 over max_body; nothing written by any of them."""
    env.ensure_server()
    w = World(env)
    path = "/api/v1/aliases/%d" % w.alias
    refused(call(env, "GET", "/api/v1/nothing-here", w.t_member), "unknown API path", 404, "not_found")
    r = call(env, "PUT", path, w.t_member, {"enabled": False})
    refused(r, "PUT on an alias", 405, "method_not_allowed")
    expect("PATCH" in (r.header("Allow") or ""), "405: Allow %r", r.header("Allow"))
    before = alias_row(env, w.alias)
    n_audit = audit_count(env, "true")
    for body, ctype, what in ((b'{"enabled": false}', "text/plain", "text/plain"),
                              (b"enabled=0", "application/x-www-form-urlencoded", "a form"),
                              (b'{"enabled": false}', "application/jsonx", "application/jsonx")):
        refused(call(env, "PATCH", path, w.t_member, body, ctype=ctype), what, 415,
                "unsupported_media_type")
    for body, what in ((b'{"enabled": fals', "truncated JSON"),
                       (b'{"enabled": false} x', "trailing garbage"),
                       (b"[false]", "an array"), (b'"x"', "a string"),
                       (b"", "an empty body"),
                       (b'{"a":' * 40 + b"1" + b"}" * 40, "nesting deeper than 16")):
        refused(call(env, "PATCH", path, w.t_member, body), what, 400, "malformed_json")
    big = json.dumps({"description": "x" * 2000}).encode()
    refused(call(env, "PATCH", path, w.t_member, big), "a body over max_body", 413, "too_large")
    ok(call(env, "PATCH", path, w.t_member, b'{"enabled": true}',
            ctype="application/json; charset=utf-8"), "JSON with a charset parameter")
    expect(alias_row(env, w.alias) == before, "refused requests changed the alias")
    expect(audit_count(env, "true") == n_audit, "refused requests wrote audit rows")


@test
def api_rate_limit(env):
    """Over api_rate_limit requests a minute: 429 with Retry-After, per
    user: every token of the user is refused, another user is not."""
    env.ensure_server()
    uid, _ = mk_user(env, "rate")
    other, _ = mk_user(env, "rateo")
    t1, t2, t3 = mk_token(env, uid), mk_token(env, uid), mk_token(env, other)
    # this minute's and the next minute's window already hold 120 hits
    sql(env, "INSERT INTO rate_limits (bucket, window_start, hits, expires_at) SELECT 'api-user:%s', "
             "w, 120, w + interval '2 min' FROM (SELECT date_bin('60 s', now(), 'epoch') + "
             "make_interval(secs => 60 * i) AS w FROM generate_series(0, 1) i) s" % uid)
    r = call(env, "GET", "/api/v1/me", t1)
    refused(r, "request 121 of the minute", 429, "rate_limited")
    ra = r.header("Retry-After") or ""
    expect(ra.isdigit() and 0 <= int(ra) <= 60, "429: Retry-After %r", ra)
    refused(call(env, "GET", "/api/v1/me", t2), "the user's other token", 429, "rate_limited")
    ok(call(env, "GET", "/api/v1/me", t3), "another user's token")


# ---------------------------------------------------------------- aliases

@test
def api_own_aliases(env):
    """A member lists, reads and changes their own alias through the rules
    (alias.c); other people's aliases are 404; changes are audited with
    actor api; refusals are 422 with the field and write nothing."""
    env.ensure_server()
    w = World(env)
    o = ok(call(env, "GET", "/api/v1/aliases", w.t_member), "GET /api/v1/aliases")
    expect(sorted(o) == ["items", "next_cursor"] and o["next_cursor"] is None,
           "list shape: %s", o)
    expect([a["id"] for a in o["items"]] == [w.alias], "the member's aliases: %s", o)
    a = o["items"][0]
    expect(a["address"] == "%s@ubuntu.com" % w.member_name and a["enabled"] is True and
           a["recipients"] == ["%s@example.net" % w.member_name] and a["owner"] == w.member_name,
           "alias JSON: %s", a)
    path = "/api/v1/aliases/%d" % w.alias
    got = ok(call(env, "GET", path, w.t_member), "GET own alias")
    expect(got == a, "GET /api/v1/aliases/:id differs from the list item: %s vs %s", got, a)
    # other people's aliases do not exist for a member, whatever the method
    for aid in (w.other_alias, w.kalias, 999999999):
        refused(call(env, "GET", "/api/v1/aliases/%d" % aid, w.t_member),
                "GET alias %d of someone else" % aid, 404, "not_found")
        before = sql(env, "SELECT coalesce(max(updated_at)::text, '') FROM aliases WHERE id = %d" % aid)
        refused(call(env, "PATCH", "/api/v1/aliases/%d" % aid, w.t_member, {"enabled": False}),
                "PATCH alias %d of someone else" % aid, 404, "not_found")
        expect(sql(env, "SELECT coalesce(max(updated_at)::text, '') FROM aliases WHERE id = %d"
                   % aid) == before, "a refused PATCH changed alias %d" % aid)
    refused(call(env, "GET", "/api/v1/aliases/abc", w.t_member), "a non-numeric id", 404, "not_found")

    # a change: recipients normalised by the rules, audited as api (the
    # addresses agreed before: test_recipients.py has the confirmations)
    for a in ("One@example.org", "two@example.org"):
        sql(env, "INSERT INTO recipient_confirmations (alias_id, address, how, confirmed_at) "
                 "VALUES (%d, %s, 'link', now())" % (w.alias, lit(a)))
    r = call(env, "PATCH", path, w.t_member,
             {"recipients": ["One@Example.ORG", "one@example.org", "two@example.org"],
              "description": "from the API", "reply_code": 421})
    o = ok(r, "PATCH own alias")
    expect(o["recipients"] == ["One@example.org", "two@example.org"] and
           o["description"] == "from the API" and o["reply_code"] == 421,
           "PATCH result: %s", o)
    expect(sql(env, "SELECT array_to_string(recipients, ',') FROM aliases WHERE id = %d" % w.alias)
           == "One@example.org,two@example.org", "recipients in the database")
    row = sql(env, "SELECT actor_kind || ' ' || actor_name || ' ' || action || ' ' || "
                   "(before ? 'recipients')::text || ' ' || (after ->> 'description') "
                   "FROM audit_log WHERE target_type = 'alias' AND target_id = %d "
                   "ORDER BY id DESC LIMIT 1" % w.alias)
    expect(row == "api %s alias.update true from the API" % w.member_name,
           "the change's audit row: %r", row)
    # disable, then the member may enable again (by-owner)
    o = ok(call(env, "PATCH", path, w.t_member, {"enabled": False}), "disable")
    expect(o["enabled"] is False and o["disabled_reason"] == "by-owner", "disabled: %s", o)
    o = ok(call(env, "PATCH", path, w.t_member, {"enabled": True}), "enable")
    expect(o["enabled"] is True and o["disabled_reason"] is None, "enabled: %s", o)

    # refusals: 422 with the field, nothing written
    before = alias_row(env, w.alias)
    n_audit = audit_count(env, "target_type = 'alias' AND target_id = %d" % w.alias)
    bad = [
        ({"recipients": ["r%d@example.org" % i for i in range(11)]}, "recipients",
         "too_many_recipients", "11 recipients"),
        ({"recipients": []}, "recipients", "no_recipients", "an empty list"),
        ({"recipients": ["%s@ubuntu.com" % w.member_name]}, "recipients", "self_recipient",
         "the alias itself"),
        ({"recipients": ["a@example.org\r\nBcc: x@evil.example"]}, "recipients",
         "recipient_invalid", "CR/LF injection"),
        ({"recipients": ["a@example.org, b@example.org"]}, "recipients", "recipient_invalid",
         "two addresses in one item"),
        ({"recipients": ["no-at-sign"]}, "recipients", "recipient_invalid", "no @"),
        ({"recipients": ["j\u00f6rg@example.org"]}, "recipients", "recipient_not_ascii",
         "non-ASCII"),
        ({"recipients": ["x" * 65 + "@example.org"]}, "recipients", "recipient_too_long",
         "a 65-octet local part"),
        ({"recipients": "a@example.org"}, "recipients", "invalid_type", "a string, not a list"),
        ({"recipients": [1]}, "recipients", "invalid_type", "a number in the list"),
        ({"description": "x" * 151}, "description", "description_too_long", "151 characters"),
        ({"description": "two\nlines"}, "description", "description_not_one_line",
         "a newline"),
        ({"description": "nul\u0000byte"}, "description", "control_characters", "a NUL"),
        ({"reply_code": 299}, "reply_code", "bad_reply_code", "reply code 299"),
        ({"reply_code": "550"}, "reply_code", "invalid_type", "a string reply code"),
        ({"reply_code": 2 ** 40}, "reply_code", "bad_reply_code", "a huge reply code"),
        ({"enabled": "no"}, "enabled", "invalid_type", "enabled as a string"),
        ({"address": "x@ubuntu.com"}, "address", "unknown_field", "renaming"),
        ({"user_id": w.other}, "user_id", "unknown_field", "giving it away"),
    ]
    for body, field, code, what in bad:
        refused(call(env, "PATCH", path, w.t_member, body), what, 422, code, field)
    expect(alias_row(env, w.alias) == before, "refused changes changed the alias")
    expect(audit_count(env, "target_type = 'alias' AND target_id = %d" % w.alias) == n_audit,
           "refused changes wrote audit rows")

    # optimistic concurrency
    cur = ok(call(env, "GET", path, w.t_member), "GET before if_updated_at")
    o = ok(call(env, "PATCH", path, w.t_member, {"description": "v2",
                                                   "if_updated_at": cur["updated_at"]}),
           "PATCH with the current if_updated_at")
    before = alias_row(env, w.alias)
    refused(call(env, "PATCH", path, w.t_member, {"description": "v3",
                                                  "if_updated_at": cur["updated_at"]}),
            "PATCH with a stale if_updated_at", 409, "conflict", "if_updated_at")
    expect(alias_row(env, w.alias) == before, "a conflicting PATCH changed the alias")
    ok(call(env, "PATCH", path, w.t_member, {"description": "v3",
                                              "if_updated_at": o["updated_at"]}),
       "PATCH with the new if_updated_at")


@test
def api_domain_admin(env):
    """Domain endpoints: 403 for members and admins of other domains; a
    domain admin reads and disables their domain's aliases (by-admin,
    audited as api); a site admin sees every domain."""
    env.ensure_server()
    w = World(env)
    for tok, who in ((w.t_member, "a member"), (w.t_kadmin, "an admin of kubuntu.org")):
        for p in ("/api/v1/domains/ubuntu.com", "/api/v1/domains/ubuntu.com/aliases/%d" % w.alias,
                  "/api/v1/domains/no-such.example"):
            refused(call(env, "GET", p, tok), "%s: GET %s" % (who, p), 403, "forbidden")
        before = alias_row(env, w.alias)
        refused(call(env, "PATCH", "/api/v1/domains/ubuntu.com/aliases/%d" % w.alias, tok,
                     {"enabled": False}), "%s: PATCH a ubuntu.com alias" % who, 403, "forbidden")
        expect(alias_row(env, w.alias) == before, "%s changed a ubuntu.com alias" % who)
    o = ok(call(env, "GET", "/api/v1/domains", w.t_member), "a member's GET /api/v1/domains")
    expect(o["items"] == [] and o["next_cursor"] is None, "a member administers no domain: %s", o)

    o = ok(call(env, "GET", "/api/v1/domains", w.t_admin), "the admin's GET /api/v1/domains")
    expect([d["name"] for d in o["items"]] == ["ubuntu.com"], "the admin's domains: %s", o)
    d = ok(call(env, "GET", "/api/v1/domains/ubuntu.com", w.t_admin), "GET /api/v1/domains/ubuntu.com")
    expect(d["name"] == "ubuntu.com" and d["team"] == "ubuntumembers", "the domain: %s", d)
    p = "/api/v1/domains/ubuntu.com/aliases/%d" % w.alias
    a = ok(call(env, "GET", p, w.t_admin), "the admin reads a member's alias")
    expect(a["id"] == w.alias, "GET %s: %s", p, a)
    # an alias of another domain is not found under this one
    refused(call(env, "GET", "/api/v1/domains/ubuntu.com/aliases/%d" % w.kalias, w.t_admin),
            "a kubuntu.org alias under ubuntu.com", 404, "not_found")
    a = ok(call(env, "PATCH", p, w.t_admin, {"enabled": False}), "the admin disables it")
    expect(a["enabled"] is False and a["disabled_reason"] == "by-admin", "by-admin: %s", a)
    expect(audit_count(env, "target_type = 'alias' AND target_id = %d AND actor_kind = 'api' "
                            "AND actor_user_id = %d AND after ->> 'disabled_reason' = 'by-admin'"
                       % (w.alias, w.admin)) == 1, "no audit row (actor api) for the admin's change")
    # the member cannot undo an admin's disable: the rules say 403 on enabled
    refused(call(env, "PATCH", "/api/v1/aliases/%d" % w.alias, w.t_member, {"enabled": True}),
            "the member re-enables an admin-disabled alias", 403, "disabled_by_admin", "enabled")

    # a site admin: every domain, and any domain's page
    o = ok(call(env, "GET", "/api/v1/domains?limit=100", w.t_site), "the site admin's domains")
    names = [d["name"] for d in o["items"]]
    expect(names == sql(env, "SELECT string_agg(name, ',' ORDER BY name COLLATE \"C\") FROM domains")
           .split(","), "the site admin's domains: %s", names)
    refused(call(env, "GET", "/api/v1/domains/no-such.example", w.t_site),
            "the site admin asks for an unknown domain", 404, "not_found")
    ok(call(env, "GET", "/api/v1/domains/kubuntu.org/aliases/%d" % w.kalias, w.t_site),
       "the site admin reads a kubuntu.org alias")


# ---------------------------------------------------------------- pagination

def walk(env, path, token, limit, between=None):
    """Every page of a list; between(page_number) runs after each page.
    Returns the items in order."""
    items, cursor, pages = [], None, 0
    while True:
        sep = "&" if "?" in path else "?"
        p = "%s%slimit=%d" % (path, sep, limit) + ("&cursor=" + cursor if cursor else "")
        o = ok(call(env, "GET", p, token), "GET " + p)
        expect(len(o["items"]) <= limit, "GET %s: %d items over limit %d", p, len(o["items"]), limit)
        items.extend(o["items"])
        pages += 1
        expect(pages < 50, "GET %s: pagination does not end", path)
        cursor = o["next_cursor"]
        if cursor is None:
            return items
        expect(re.fullmatch(r"[A-Za-z0-9_-]+", cursor), "cursor %r is not URL-safe", cursor)
        if between:
            between(pages)


@test
def api_pagination(env):
    made = []
    try:
        pagination_cases(env, made)
    finally:
        drop_domains(env, made)


def pagination_cases(env, made):
    """Cursor pagination is stable under inserts: rows inserted between
    pages cause neither duplicates nor gaps among the rows that existed;
    bad limit and cursor values are 422 with the field."""
    env.ensure_server()
    uid, name = mk_user(env, "page")
    token = mk_token(env, uid)
    doms = ["ubuntu.com", "kubuntu.org", "lubuntu.me"]
    for d in doms:
        mk_member(env, d, uid)
    first = [mk_alias(env, doms[i % 3], uniq("pg"), uid) for i in range(7)]
    added = []

    def insert(page):
        added.append(mk_alias(env, doms[page % 3], uniq("pgnew"), uid))
    got = [a["id"] for a in walk(env, "/api/v1/aliases", token, 2, insert)]
    expect(len(got) == len(set(got)), "duplicates across pages: %s", got)
    expect([i for i in got if i in first] == first, "the aliases that existed: want %s in order, got %s",
           first, got)
    expect(set(got) <= set(first) | set(added), "unknown ids in %s", got)
    expect(got == sorted(got), "own aliases are not in id order: %s", got)

    # domains (a site admin's list, by name): insert names before and after the cursor
    site, _ = mk_user(env, "pagesite", site_admin=True)
    stoken = mk_token(env, site)
    existing = sql(env, "SELECT string_agg(name, ',' ORDER BY name COLLATE \"C\") FROM domains").split(",")

    def add_domains(page):
        for prefix in ("a", "zz"):
            made.append(mk_domain(env, prefix + "pgd"))
    names = [d["name"] for d in walk(env, "/api/v1/domains", stoken, 2, add_domains)]
    expect(len(names) == len(set(names)), "duplicate domains across pages: %s", names)
    expect([n for n in names if n in existing] == existing, "domains that existed: want %s, got %s",
           existing, names)
    expect(names == sorted(names), "domains are not in name order: %s", names)

    for q, field, code in (("limit=0", "limit", "invalid_limit"), ("limit=101", "limit", "invalid_limit"),
                           ("limit=x", "limit", "invalid_limit"), ("limit=-1", "limit", "invalid_limit"),
                           ("cursor=%21%21", "cursor", "invalid_cursor"),
                           ("cursor=" + base64.urlsafe_b64encode(b"\x00\x01").decode().rstrip("="),
                            "cursor", "invalid_cursor"),
                           ("cursor=" + base64.urlsafe_b64encode(b"abc").decode().rstrip("="),
                            "cursor", "invalid_cursor"),
                           ("cursor=" + base64.urlsafe_b64encode(b"9" * 30).decode().rstrip("="),
                            "cursor", "invalid_cursor")):
        refused(call(env, "GET", "/api/v1/aliases?" + q, token), "GET /api/v1/aliases?" + q, 422,
                code, field)


# ---------------------------------------------------------------- members

@test
def api_members(env):
    made = []
    try:
        members_cases(env, made)
    finally:
        drop_domains(env, made)


def members_cases(env, made):
    """A domain's members: list (search, pagination stable under inserts),
    one member with their aliases, role changes through member.c (audited
    as api, last admin kept), 403 for members, 404 for strangers."""
    env.ensure_server()
    dom = mk_domain(env)
    made.append(dom)
    admin, admin_name = mk_user(env, "mema")
    mk_member(env, dom, admin, "admin")
    tok = mk_token(env, admin)
    people = []
    for i in range(5):
        uid, name = mk_user(env, "memb")
        mk_member(env, dom, uid)
        people.append((uid, name))
    member_tok = mk_token(env, people[0][0])
    aid = mk_alias(env, dom, people[0][1], people[0][0])
    base = "/api/v1/domains/%s/members" % dom
    refused(call(env, "GET", base, member_tok), "a member lists the members", 403, "forbidden")
    refused(call(env, "GET", base + "/" + people[1][1], member_tok), "a member reads a member",
            403, "forbidden")
    before = sql(env, "SELECT role FROM domain_members WHERE user_id = %d" % people[0][0])
    refused(call(env, "PATCH", base + "/" + people[0][1], member_tok, {"role": "admin"}),
            "a member promotes themselves", 403, "forbidden")
    expect(sql(env, "SELECT role FROM domain_members WHERE user_id = %d" % people[0][0]) == before,
           "a refused self-promotion changed the role")

    existing = sql(env, "SELECT string_agg(u.name, ',' ORDER BY lower(u.name), u.id) FROM "
                        "domain_members m JOIN users u ON u.id = m.user_id JOIN domains d ON "
                        "d.id = m.domain_id WHERE d.name = %s" % lit(dom)).split(",")
    added = []

    def insert(page):
        uid, name = mk_user(env, "memnew")
        mk_member(env, dom, uid)
        added.append(name)
    names = [m["name"] for m in walk(env, base, tok, 2, insert)]
    expect(len(names) == len(set(names)), "duplicate members across pages: %s", names)
    expect([n for n in names if n in existing] == existing, "members that existed: want %s, got %s",
           existing, names)
    o = ok(call(env, "GET", base + "?q=" + people[0][1], tok), "search by name prefix")
    expect([m["name"] for m in o["items"]] == [people[0][1]], "search: %s", o)

    m = ok(call(env, "GET", base + "/" + people[0][1], tok), "GET one member")
    expect(m["role"] == "member" and m["email"] == people[0][1] + "@example.com" and
           [a["id"] for a in m["aliases"]] == [aid] and m["aliases"][0]["recipients"],
           "one member: %s", m)
    refused(call(env, "GET", base + "/nosuchperson", tok), "an unknown member", 404, "not_found")

    # promote, audited as api
    m = ok(call(env, "PATCH", base + "/" + people[1][1], tok, {"role": "admin"}), "promote")
    expect(m["role"] == "admin", "after promotion: %s", m)
    expect(audit_count(env, "target_type = 'domain_member' AND actor_kind = 'api' AND "
                            "actor_user_id = %d AND after ->> 'role' = 'admin'" % admin) == 1,
           "no audit row (actor api) for the promotion")
    # bad bodies: 422 with the field, nothing written
    n_audit = audit_count(env, "true")
    for body, field, code, what in (({"role": "owner"}, "role", "invalid_role", "role owner"),
                                    ({"role": 1}, "role", "invalid_role", "a number"),
                                    ({"name": "x"}, "name", "unknown_field", "renaming")):
        refused(call(env, "PATCH", base + "/" + people[2][1], tok, body), what, 422, code, field)
    refused(call(env, "PATCH", base + "/" + people[2][1], tok, b"role=admin",
                 ctype="application/x-www-form-urlencoded"), "a form body", 415,
            "unsupported_media_type")
    refused(call(env, "PATCH", base + "/nosuchperson", tok, {"role": "admin"}),
            "promoting an unknown member", 404, "not_found")
    expect(audit_count(env, "true") == n_audit, "refused role changes wrote audit rows")
    # the last admin cannot be demoted: demote the other admin, then try oneself
    ok(call(env, "PATCH", base + "/" + people[1][1], tok, {"role": "member"}), "demote")
    r = call(env, "PATCH", base + "/" + admin_name, tok, {"role": "member"})
    refused(r, "demoting the last admin", 409, "last_admin")
    expect(sql(env, "SELECT role FROM domain_members WHERE user_id = %d" % admin) == "admin",
           "the last admin was demoted")


@test
def api_domain_aliases(env):
    made = []
    try:
        domain_aliases_cases(env, made)
    finally:
        drop_domains(env, made)


def domain_aliases_cases(env, made):
    """A domain's aliases: filters (enabled, reason), pagination stable
    under inserts, bad filters 422."""
    env.ensure_server()
    dom = mk_domain(env)
    made.append(dom)
    admin, _ = mk_user(env, "alsa")
    mk_member(env, dom, admin, "admin")
    tok = mk_token(env, admin)
    ids = []
    for i in range(6):
        uid, name = mk_user(env, "alsm")
        mk_member(env, dom, uid)
        ids.append(mk_alias(env, dom, name, uid))
    base = "/api/v1/domains/%s/aliases" % dom
    ok(call(env, "PATCH", "/api/v1/domains/%s/aliases/%d" % (dom, ids[1]), tok, {"enabled": False}),
       "the admin disables one")
    sql(env, "UPDATE aliases SET enabled = false, disabled_reason = 'left-team' WHERE id = %d" % ids[2])
    o = ok(call(env, "GET", base + "?enabled=false", tok), "enabled=false")
    expect(sorted(a["id"] for a in o["items"]) == sorted([ids[1], ids[2]]), "enabled=false: %s", o)
    o = ok(call(env, "GET", base + "?reason=by-admin", tok), "reason=by-admin")
    expect([a["id"] for a in o["items"]] == [ids[1]], "reason=by-admin: %s", o)
    o = ok(call(env, "GET", base + "?enabled=true", tok), "enabled=true")
    expect(all(a["enabled"] for a in o["items"]) and len(o["items"]) == 4, "enabled=true: %s", o)
    refused(call(env, "GET", base + "?enabled=maybe", tok), "enabled=maybe", 422, "invalid_filter",
            "enabled")
    refused(call(env, "GET", base + "?reason=on-holiday", tok), "an unknown reason", 422,
            "invalid_query")

    existing = [int(x) for x in sql(env, "SELECT string_agg(a.id::text, ',' ORDER BY a.local_part) "
                                         "FROM aliases a JOIN domains d ON d.id = a.domain_id "
                                         "WHERE d.name = %s" % lit(dom)).split(",")]

    def insert(page):
        uid, name = mk_user(env, "alsnew")
        mk_member(env, dom, uid)
        mk_alias(env, dom, ("a" if page % 2 else "z") + name, uid)
    got = [a["id"] for a in walk(env, base, tok, 2, insert)]
    expect(len(got) == len(set(got)), "duplicate aliases across pages: %s", got)
    expect([i for i in got if i in existing] == existing, "aliases that existed: want %s, got %s",
           existing, got)


# ---------------------------------------------------------------- the authorization matrix

# Every API route of handlers/routes.c, as a pattern, and who may call it
# (test_authz.py checks that no route is missing).  Columns: anonymous, the
# alias's owner, another member, an admin of another domain, the domain's
# admin, a site admin.
API_EVERYONE = [401, 200, 200, 200, 200, 200]
API_ADMINS = [401, 403, 403, 403, 200, 200]
API_OWN = [401, 200, 404, 404, 200, 200]
API_MATRIX = [
    ("GET", "/api/v1/me", API_EVERYONE),
    ("GET", "/api/v1/mailboxes", API_EVERYONE),
    ("GET", "/api/v1/aliases", API_EVERYONE),
    ("GET", "/api/v1/aliases/:id", API_OWN),
    ("PATCH", "/api/v1/aliases/:id", API_OWN),
    ("GET", "/api/v1/domains", API_EVERYONE),
    ("GET", "/api/v1/domains/:domain", API_ADMINS),
    ("PATCH", "/api/v1/domains/:domain", API_ADMINS),
    ("GET", "/api/v1/domains/:domain/members", API_ADMINS),
    ("GET", "/api/v1/domains/:domain/members/:name", API_ADMINS),
    ("PATCH", "/api/v1/domains/:domain/members/:name", API_ADMINS),
    ("GET", "/api/v1/domains/:domain/aliases", API_ADMINS),
    ("GET", "/api/v1/domains/:domain/aliases/:id", API_ADMINS),
    ("PATCH", "/api/v1/domains/:domain/aliases/:id", API_ADMINS),
]


@test
def api_authorization_matrix(env):
    """Every API endpoint x {no token, the alias's owner, another member,
    an admin of another domain, the domain's admin, a site admin}: the
    status each gets.  PATCHes send {} (allowed ones change nothing)."""
    env.ensure_server()
    w = World(env)
    who = ["anonymous", "owner", "another member", "admin of kubuntu.org", "admin of ubuntu.com",
           "site admin"]
    tokens = [None, w.t_member, w.t_other, w.t_kadmin, w.t_admin, w.t_site]
    values = {":domain": "ubuntu.com", ":name": w.member_name, ":id": str(w.alias)}
    matrix = [(method, re.sub(r":\w+", lambda m: values[m.group(0)], pattern), want)
              for method, pattern, want in API_MATRIX]
    before = alias_row(env, w.alias)
    n_audit = audit_count(env, "true")
    wrong = []
    for method, path, want in matrix:
        for i, tok in enumerate(tokens):
            r = call(env, method, path, tok, {} if method == "PATCH" else None)
            if r.status != want[i]:
                wrong.append("%s %s as %s: want %d, got %s" % (method, path, who[i], want[i],
                                                             show(r, 200)))
            elif r.status >= 400:
                refused(r, "%s %s as %s" % (method, path, who[i]), r.status,
                        js(r, path)["error"])
    expect(not wrong, "authorization matrix:\n  %s", "\n  ".join(wrong))
    expect(alias_row(env, w.alias) == before, "the matrix's PATCHes changed the alias")
    expect(audit_count(env, "true") == n_audit, "the matrix's PATCHes wrote audit rows")
