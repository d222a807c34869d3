#!/usr/bin/python3
"""membermail integration test: the authorization matrix over every HTML
route (the JSON API's is test_api.api_authorization_matrix).

Not a runner of its own: tests/integration/run.py imports it, which appends
these tests to its list.

- Every route row of handlers/routes.c (but the /_test/ hooks) must have its
  row in MATRIX below, or in test_api.API_MATRIX for /api/v1/: a new route
  cannot be added without saying who may call it.
- Six actors: anonymous; a member of domain A owning an alias there;
  another member of A owning one; an admin of domain B; an admin of A; a
  site admin.  Their sessions are rows written as the app writes them
  (sessions.token_hash = SHA-256 of the cookie's text, csrf_token 32 bytes
  whose hex the forms send), so no sign-in is needed.
- Every cell asserts the precise status.  State-changing cells send a valid
  request with the actor's CSRF token; an allowed one must change the
  database (and write audit rows where the app audits), a denied one must
  change nothing at all.  The fixture is reset with one SQL script before
  each cell that follows a change.  GET cells are sent as HEAD too.
- Every CSRF-checked route refuses the allowed actor's request without the
  token, with another session's, from another Origin or cross-site, with
  403, writing nothing.
- A few cross-domain cells: an admin naming under their own domain a member
  or an alias of another, unknown domains and ids, a banned user's session.
- A domain admin's pages list no other domain's aliases or audit rows.
"""

import base64
import hashlib
import os
import re
import urllib.parse

import stack
from run import Fail, expect, show, test  # noqa: F401
import test_api
import test_mailbox
from test_api import lit, mk_alias, mk_domain, mk_member, mk_token, mk_user, sql, uniq

DB = stack.APP_DB
ROUTES_C = os.path.join(stack.REPO, "handlers", "routes.c")

ACTORS = ["anonymous", "member", "another member", "admin of B", "admin of A", "site admin"]


# Who may call a route: the status of each actor, in ACTORS' order; `ok`
# is the allowed actors' status.
def ANYONE(ok):
    return [ok] * 6


def SIGNED_IN(ok):
    return [401, ok, ok, ok, ok, ok]


def SITE_ADMIN(ok):
    return [401, 403, 403, 403, 403, ok]


def DOMAIN_ADMIN(ok):
    return [401, 403, 403, 403, ok, ok]


def OWNER(ok):
    """The member's own object; anyone else's is not found (never 403)."""
    return [401, ok, 404, 404, 404, 404]


# What the access column of routes.c must say for each kind of row.
ACCESS = {ANYONE: "ACCESS_ANYONE", SIGNED_IN: "ACCESS_SIGNED_IN", OWNER: "ACCESS_SIGNED_IN",
          SITE_ADMIN: "ACCESS_SITE_ADMIN", DOMAIN_ADMIN: "ACCESS_DOMAIN_ADMIN"}


class Row:
    """One route: method, pattern, who, allowed status; for state changes
    the form (without csrf_token), the allowed answer's Location ('*' at
    the end: a prefix) and whether the change writes audit rows.  `params`
    names the fixture values for the pattern's :segments (default: domain
    A, the member's name, the member's alias id)."""

    def __init__(self, method, pattern, who, ok, form=None, location=None, audited=False,
                 query="", anonymous_writes=True, **params):
        self.method, self.pattern, self.who, self.ok = method, pattern, who, ok
        self.form, self.location, self.audited = form, location, audited
        self.anonymous_writes = anonymous_writes
        self.query, self.params = query, params
        self.want = who(ok)

    @property
    def changes(self):
        return self.method == "POST"


MB_PASSWORD = "authz matrix mailbox password"
MB_NEW = "another authz matrix password"

MATRIX = [
    Row("GET", "/", ANYONE, 200),
    Row("GET", "/my", SIGNED_IN, 200),
    Row("GET", "/auth/ubuntu", ANYONE, 200),
    Row("POST", "/auth/ubuntu", ANYONE, 303, {"domain": "ubuntu"}, "{sso}?*"),
    # The OP's return and the finish step: a bogus one fails (the generic
    # page, 403) for everyone; the return is not CSRF-checked (routes.c).
    Row("GET", "/auth/ubuntu/return", ANYONE, 403),
    Row("POST", "/auth/ubuntu/return", ANYONE, 403, {}),
    Row("GET", "/auth/ubuntu/finish", ANYONE, 403, query="?state=" + "A" * 43),
    Row("POST", "/auth/logout", SIGNED_IN, 303, {}, "/"),
    # Signed out, the choice is only the browser's (a cookie): nothing written.
    Row("POST", "/language", ANYONE, 303, {"lang": "fi", "next": "/my"}, "/my",
        anonymous_writes=False),
    Row("GET", "/healthz", ANYONE, 200),
    Row("GET", "/readyz", ANYONE, 200),
    Row("GET", "/admin", SITE_ADMIN, 200),
    Row("GET", "/admin/domains", SITE_ADMIN, 200),
    Row("POST", "/admin/domains", SITE_ADMIN, 303,
        {"name": "{new_domain}", "team": "~authzteam", "alias_limit": "3"},
        "/admin/domains?done=domain-added", True),
    Row("POST", "/admin/domains/:domain/enabled", SITE_ADMIN, 303, {"enabled": "no"},
        "/admin/domains?done=domain-disabled", True),
    Row("POST", "/admin/domains/:domain/limit", SITE_ADMIN, 303, {"alias_limit": "7"},
        "/admin/domains?done=limit-changed", True),
    Row("GET", "/admin/domains/:domain/reserved", SITE_ADMIN, 200),
    Row("POST", "/admin/domains/:domain/reserved", SITE_ADMIN, 303,
        {"local_part": "authzboard"}, "/admin/domains/{A}/reserved?done=reserved-added", True),
    Row("POST", "/admin/domains/:domain/reserved/:local/remove", SITE_ADMIN, 303, {},
        "/admin/domains/{A}/reserved?done=reserved-removed", True, local="reserved"),
    Row("POST", "/admin/domains/:domain/reserved/aliases/:id/assign", SITE_ADMIN, 303, {},
        "/admin/domains/{A}/reserved?done=assigned", True, id="legacy"),
    Row("POST", "/admin/domains/:domain/logo", SITE_ADMIN, 303, {"logo": "test-mark.svg"},
        "/admin/domains?done=logo-changed", True),
    Row("POST", "/admin/domains/:domain/role-recipient", SITE_ADMIN, 303,
        {"role_recipient": "desk@isp.example"}, "/admin/domains?done=role-set", True),
    Row("GET", "/admin/users", SITE_ADMIN, 200),
    Row("GET", "/admin/users/:id", SITE_ADMIN, 200, id="other_uid"),
    Row("POST", "/admin/users/:id/ban", SITE_ADMIN, 303, {"reason": "authz matrix"},
        "/admin/users/{other_uid}?done=banned", True, id="other_uid"),
    Row("POST", "/admin/users/:id/unban", SITE_ADMIN, 303, {},
        "/admin/users/{banned_uid}?done=unbanned", True, id="banned_uid"),
    Row("POST", "/admin/users/:id/site-admin", SITE_ADMIN, 303, {"grant": "yes"},
        "/admin/users/{other_uid}?done=admin-granted", True, id="other_uid"),
    Row("POST", "/admin/users/:id/domain-admin", SITE_ADMIN, 303, {"domain": "{A}"},
        "/admin/users/{other_uid}?done=domain-admin", True, id="other_uid"),
    Row("GET", "/admin/outbox", SITE_ADMIN, 200),
    Row("POST", "/admin/outbox/:id/retry", SITE_ADMIN, 303, {}, "/admin/outbox?done=retried",
        True, id="outbox"),
    Row("POST", "/admin/outbox/:id/delete", SITE_ADMIN, 303, {}, "/admin/outbox?done=deleted",
        True, id="outbox"),
    Row("GET", "/admin/errors", SITE_ADMIN, 200),
    Row("GET", "/my/aliases/:id", OWNER, 200),
    Row("POST", "/my/aliases/:id", OWNER, 303, {"description": "set by the authz matrix"},
        "/my/aliases/{alias}?saved=1", True),
    # Mailboxes: the member's second alias has one, unlocked in this
    # browser (the fixture), holding one message with one attachment; the
    # first alias has none (a domain admin may remove it).
    Row("GET", "/my/mailbox", SIGNED_IN, 200),
    Row("POST", "/my/mailbox", OWNER, 303, {"alias": "{alias}", "password": MB_NEW,
                                            "password2": MB_NEW}, "/my/mailbox?done=created", True),
    Row("GET", "/my/mailbox/new", OWNER, 200, query="?alias={alias}"),
    Row("GET", "/my/mailbox/:id", OWNER, 200, id="mailbox"),
    Row("POST", "/my/mailbox/:id/unlock", OWNER, 422, {"password": "not the password at all"},
        id="mailbox"),
    Row("POST", "/my/mailbox/:id/lock", OWNER, 303, {}, "/my/mailbox?done=locked", id="mailbox"),
    Row("POST", "/my/mailbox/:id/delete", OWNER, 303, {"message": "{message}"},
        "/my/mailbox/{mailbox}?done=deleted", True, id="mailbox"),
    Row("GET", "/my/mailbox/:id/export", OWNER, 200, id="mailbox"),
    Row("GET", "/my/mailbox/:id/messages/:mid", OWNER, 200, id="mailbox", mid="message"),
    Row("GET", "/my/mailbox/:id/messages/:mid/attachments/:n", OWNER, 200, id="mailbox",
        mid="message", n="0"),
    Row("GET", "/my/mailbox/:id/settings", OWNER, 200, id="mailbox"),
    Row("POST", "/my/mailbox/:id/delivery", OWNER, 303, {"delivery": "keep"},
        "/my/mailbox/{mailbox}/settings?done=delivery", True, id="mailbox"),
    Row("POST", "/my/mailbox/:id/password", OWNER, 303,
        {"old_password": MB_PASSWORD, "password": MB_NEW, "password2": MB_NEW},
        "/my/mailbox/{mailbox}/settings?done=password", True, id="mailbox"),
    Row("POST", "/my/mailbox/:id/reset", OWNER, 303,
        {"confirm": "{mailbox_address}", "password": MB_NEW, "password2": MB_NEW},
        "/my/mailbox/{mailbox}/settings?done=reset", True, id="mailbox"),
    # Nobody's address waits on the alias: not found, for its owner too.
    Row("POST", "/my/aliases/:id/resend", OWNER, 404, {"address": "nobody@example.org"}),
    # Links from mail: the token is the credential; an unknown one is
    # not found for everyone, and changes nothing.
    Row("GET", "/confirm/:token", ANYONE, 404, token="unknown_link"),
    Row("POST", "/confirm/:token", ANYONE, 404, {}, token="unknown_link"),
    Row("GET", "/undo/:token", ANYONE, 404, token="unknown_link"),
    Row("POST", "/undo/:token", ANYONE, 404, {}, token="unknown_link"),
    Row("GET", "/my/tokens", SIGNED_IN, 200),
    Row("POST", "/my/tokens", SIGNED_IN, 200, {"name": "authz matrix"}, None, True),
    Row("POST", "/my/tokens/:id/revoke", OWNER, 303, {}, "/my/tokens?done=revoked", True,
        id="token"),
    Row("GET", "/domains/:domain", DOMAIN_ADMIN, 200),
    Row("GET", "/domains/:domain/aliases", DOMAIN_ADMIN, 200),
    Row("GET", "/domains/:domain/log", DOMAIN_ADMIN, 200),
    Row("GET", "/domains/:domain/members/:name", DOMAIN_ADMIN, 200),
    Row("POST", "/domains/:domain/members/:name/role", DOMAIN_ADMIN, 303, {"role": "admin"},
        "/domains/{A}/members/{member_name}?done=promoted", True),
    Row("POST", "/domains/:domain/members/:name/remove", DOMAIN_ADMIN, 303, {},
        "/domains/{A}?done=removed", True),
    Row("POST", "/domains/:domain/members/:name/aliases", DOMAIN_ADMIN, 303,
        {"local_part": "authzextra"}, "/domains/{A}/members/{member_name}?done=alias-added", True),
    Row("POST", "/domains/:domain/aliases/:id/enabled", DOMAIN_ADMIN, 303, {"enabled": "no"},
        "/domains/{A}/members/{member_name}?done=alias-disabled", True),
    Row("POST", "/domains/:domain/aliases/:id/remove", DOMAIN_ADMIN, 303, {},
        "/domains/{A}/members/{member_name}?done=alias-removed", True),
    Row("POST", "/domains/:domain/members/:name/sync", DOMAIN_ADMIN, 303, {},
        "/domains/{A}*"),
    Row("POST", "/domains/:domain/verify", DOMAIN_ADMIN, 303, {}, "/domains/{A}?done=checked"),
    Row("POST", "/domains/:domain/language", DOMAIN_ADMIN, 303, {"default_lang": "fi"},
        "/domains/{A}?done=language", True),
    Row("GET", "/:community", ANYONE, 200, community="ubuntu"),
]

# Cross-domain and unknown-domain cells: (actor, method, path, form, status).
# An admin of B passes the access check for B's URLs; what they name there
# must still be B's.
CROSS = [
    ("admin of B", "GET", "/domains/{B}/members/{member_name}", None, 404),
    ("admin of B", "POST", "/domains/{B}/members/{member_name}/role", {"role": "admin"}, 404),
    ("admin of B", "POST", "/domains/{B}/members/{member_name}/remove", {}, 404),
    ("admin of B", "POST", "/domains/{B}/members/{member_name}/aliases",
     {"local_part": "authzcross"}, 404),
    ("admin of B", "POST", "/domains/{B}/members/{member_name}/sync", {}, 404),
    ("admin of B", "POST", "/domains/{B}/aliases/{alias}/enabled", {"enabled": "no"}, 404),
    ("admin of B", "POST", "/domains/{B}/aliases/{alias}/remove", {}, 404),
    ("admin of A", "POST", "/domains/{A}/aliases/{b_alias}/remove", {}, 404),
    ("admin of A", "POST", "/domains/{A}/aliases/{b_alias}/enabled", {"enabled": "no"}, 404),
    ("admin of A", "GET", "/domains/{A}/members/{badmin_name}", None, 404),
    ("admin of A", "POST", "/domains/{A}/members/{badmin_name}/role", {"role": "admin"}, 404),
    ("admin of A", "POST", "/domains/{A}/members/{badmin_name}/remove", {}, 404),
    ("admin of A", "POST", "/domains/{A}/members/{badmin_name}/aliases",
     {"local_part": "authzcross"}, 404),
    ("admin of A", "POST", "/domains/{A}/members/{badmin_name}/sync", {}, 404),
    ("admin of A", "GET", "/domains/{unknown}", None, 403),
    ("member", "GET", "/domains/{unknown}", None, 403),
    ("site admin", "POST", "/domains/{A}/aliases/{b_alias}/enabled", {"enabled": "no"}, 404),
    ("site admin", "GET", "/domains/{unknown}", None, 404),
    ("site admin", "POST", "/domains/{unknown}/members/{member_name}/role", {"role": "admin"}, 404),
    ("site admin", "POST", "/admin/domains/{unknown}/enabled", {"enabled": "no"}, 404),
    ("site admin", "GET", "/admin/users/999999999", None, 404),
    ("site admin", "POST", "/admin/users/999999999/ban", {"reason": "nobody"}, 404),
    ("site admin", "POST", "/admin/users/999999999/domain-admin", {"domain": "{A}"}, 404),
    ("site admin", "POST", "/admin/outbox/999999999/retry", {}, 404),
    ("another member", "POST", "/my/aliases/{alias}", {"description": "not mine"}, 404),
    ("member", "POST", "/my/aliases/{other_alias}", {"description": "not mine"}, 404),
    ("member", "POST", "/my/tokens/{other_token}/revoke", {}, 404),
    ("another member", "GET", "/my/mailbox/{mailbox}/messages/{message}", None, 404),
    ("another member", "POST", "/my/mailbox/{mailbox}/delete", {"message": "{message}"}, 404),
    ("member", "POST", "/my/mailbox", {"alias": "{other_alias}", "password": MB_NEW,
                                       "password2": MB_NEW}, 404),
    ("member", "GET", "/my/mailbox/999999999", None, 404),
    # A banned user's session stops working at once.
    ("banned", "GET", "/my", None, 401),
    ("banned", "POST", "/my/tokens", {"name": "banned"}, 401),
]


# ---------------------------------------------------------------- routes.c

# One row of the table: a brace block (with the braces of .params inside)
# that has a .pattern; its members are designated.
ROUTE_ROW = re.compile(r"\{((?:[^{}]|\{[^{}]*\})*?\.pattern\s*=(?:[^{}]|\{[^{}]*\})*)\}")


def member(row, name, default=None):
    m = re.search(r"\.%s\s*=\s*([^,]+)," % name, row + ",")
    return m.group(1).strip() if m else default


def routes_c():
    """Every route row of routes.c but the test hooks: (method, pattern,
    access, changes_state, auth), one per method of the row."""
    with open(ROUTES_C) as f:
        text = f.read()
    text = text[text.index("table[] = {"):]
    rows = []
    for m in ROUTE_ROW.finditer(text):
        row = re.sub(r"/\*.*?\*/", "", m.group(1), flags=re.S)
        pattern = member(row, "pattern").strip('"')
        if pattern.startswith("/_test/"):
            continue
        access = member(row, "access", "ACCESS_ANYONE")
        changes = member(row, "changes_state", "0")
        auth = member(row, "auth", "AUTH_NONE")
        for meth in re.findall(r"METHOD_(\w+)", member(row, "methods")):
            rows.append((meth, pattern, access, changes == "1", auth))
    return rows


@test
def authz_every_route_has_its_row(env):
    """A route of routes.c without its row in the matrices fails: who may
    call it must be decided when it is added.  The access column must be
    what the row expects, every HTML route taking a body is
    CSRF-checked (a session route that changes state) but the OP's return,
    and every API route authenticates by bearer token."""
    rows = routes_c()
    expect(len(rows) >= 40, "parsed only %d route rows from %s: has its format changed?",
           len(rows), ROUTES_C)
    html = {(r.method, r.pattern): r for r in MATRIX}
    api = {(m, p) for m, p, _ in test_api.API_MATRIX}
    problems = []
    seen = set()
    for meth, pattern, access, changes, auth in rows:
        key = (meth, pattern)
        seen.add(key)
        if pattern.startswith("/api/"):
            if key not in api:
                problems.append("%s %s: no row in test_api.API_MATRIX" % key)
            if auth != "AUTH_BEARER":
                problems.append("%s %s: the API authenticates by bearer token, not %s"
                                % (meth, pattern, auth))
            continue
        if meth != "GET" and auth != "AUTH_SESSION":
            problems.append("%s %s: a form must be CSRF-checked under a session, not %s"
                            % (meth, pattern, auth))
        if key not in html:
            problems.append("%s %s: no row in test_authz.MATRIX" % key)
            continue
        if ACCESS[html[key].who] != access:
            problems.append("%s %s: routes.c says %s, the matrix expects %s"
                            % (meth, pattern, access, ACCESS[html[key].who]))
        if meth != "GET" and changes != (pattern != "/auth/ubuntu/return"):
            problems.append("%s %s: changes_state is %d" % (meth, pattern, changes))
    for key in sorted(set(html) | api):
        if key not in seen:
            problems.append("%s %s: in a matrix but not in routes.c" % key)
    expect(not problems, "routes.c and the authorization matrices disagree:\n  %s",
           "\n  ".join(problems))


# ---------------------------------------------------------------- the fixture

def new_token():
    """A cookie token as the app makes them: 32 random bytes, base64url."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")


def sha256_hex(s):
    return hashlib.sha256(s.encode()).hexdigest()


class Actor:
    """A browser: its mm_browser binding, and for a signed-in actor the
    session's cookie token and CSRF token (hex of the stored 32 bytes)."""

    def __init__(self, name, uid=None):
        self.name, self.uid = name, uid
        self.binding = new_token()
        self.session = new_token() if uid is not None else None
        self.csrf = os.urandom(32).hex() if uid is not None else \
            sha256_hex("csrf:" + self.binding)     # session.c: derived_csrf

    def cookie(self):
        c = "mm_browser=" + self.binding
        c += "".join("; %s=%s" % kv for kv in getattr(self, "extra", {}).items())
        return c + ("; mm_session=" + self.session if self.session else "")


class Fixture:
    """Domains A and B, the actors, their aliases, the member's and the
    other member's API tokens, a failed outbox message, a banned user;
    reset() puts all of it back and returns the database's fingerprint."""

    def __init__(self, env):
        self.env = env
        self.A, self.B = mk_domain(env, "authza"), mk_domain(env, "authzb")
        self.new_domain = "%s.example" % uniq("authznew")
        self.unknown = "%s.example" % uniq("authzunknown")
        self.member_uid, self.member_name = mk_user(env, "authzm")
        self.other_uid, _ = mk_user(env, "authzo")
        self.badmin_uid, self.badmin_name = mk_user(env, "authzb")
        self.admin_uid, _ = mk_user(env, "authza")
        self.site_uid, _ = mk_user(env, "authzs", site_admin=True)
        self.banned_uid, _ = mk_user(env, "authzx", banned=True)
        self.uids = [self.member_uid, self.other_uid, self.badmin_uid, self.admin_uid,
                     self.site_uid, self.banned_uid]
        self.members = [(self.A, self.member_uid, "member"), (self.A, self.other_uid, "member"),
                        (self.A, self.admin_uid, "admin"), (self.B, self.badmin_uid, "admin")]
        for dom, uid, role in self.members:
            mk_member(env, dom, uid, role)
        made = [(self.A, self.member_name, self.member_uid),
                (self.A, uniq("authzox"), self.other_uid),
                (self.B, uniq("authzbx"), self.badmin_uid),
                (self.A, uniq("authzmb"), self.member_uid)]
        # (id, domain, local part, owner): put back by reset() if removed
        self.alias_rows = [(mk_alias(env, dom, local, uid), dom, local, uid)
                           for dom, local, uid in made]
        self.alias, self.other_alias, self.b_alias, self.alias2 = (a[0] for a in self.alias_rows)
        # made before reset() reserves its name on A: a site admin may assign it
        # (no row removes it, and reset() could not put it back once reserved)
        self.legacy = mk_alias(env, self.A, "authzkept", self.other_uid)
        self.aliases = [self.alias, self.other_alias, self.b_alias, self.legacy, self.alias2]
        mk_token(env, self.member_uid, "authz")
        mk_token(env, self.other_uid, "authz")
        self.token, self.other_token = (int(sql(env, "SELECT id FROM api_tokens WHERE user_id = %d"
                                                % u)) for u in (self.member_uid, self.other_uid))
        self.outbox = int(sql(env, "INSERT INTO outbox (to_addresses, subject, body) VALUES "
                                   "('{authz-ops@example.org}', 'authz', 'authz') RETURNING id"))
        self.actors = {"anonymous": Actor("anonymous")}
        for name, uid in zip(ACTORS[1:], self.uids):
            self.actors[name] = Actor(name, uid)
        self.actors["banned"] = Actor("banned", self.banned_uid)
        self.values = {"A": self.A, "B": self.B, "member_name": self.member_name,
                       "badmin_name": self.badmin_name,
                       "alias": self.alias, "other_alias": self.other_alias,
                       "b_alias": self.b_alias, "token": self.token,
                       "other_token": self.other_token, "outbox": self.outbox,
                       "other_uid": self.other_uid, "banned_uid": self.banned_uid,
                       "new_domain": self.new_domain, "unknown": self.unknown,
                       "unknown_link": new_token(),
                       "reserved": "authzkept", "legacy": self.legacy,
                       "sso": env.sso.endpoint, "alias2": self.alias2}
        self.reset()
        self.mailbox_fixture()

    def mailbox_fixture(self):
        """The member's mailbox (the CLI), a message with an attachment
        (LMTP), unlocked in the member's browser (the page): then kept as
        it is, for reset() to put back."""
        env = self.env
        address = sql(env, "SELECT local_part || '@' || %s FROM aliases WHERE id = %d"
                      % (lit(self.A), self.alias2))
        pw = os.path.join(env.base, "authz-pw.txt")
        with open(pw, "w") as f:
            f.write(MB_PASSWORD + "\n")
        code, out = env.run_cli(["mailbox", "create", address, "-c", env.conf,
                                 "--password-file", pw])
        expect(code == 0, "authz fixture: mailbox create: %s", out)
        self.mailbox = int(sql(env, "SELECT id FROM mailboxes WHERE alias_id = %d" % self.alias2))
        msg = ("Subject: authz\r\nContent-Type: multipart/mixed; boundary=Z\r\n\r\n--Z\r\n"
               "Content-Type: text/plain\r\n\r\nhello\r\n--Z\r\nContent-Type: text/plain; "
               "name=a.txt\r\nContent-Disposition: attachment; filename=a.txt\r\n\r\nfile\r\n"
               "--Z--\r\n")
        _, data = test_mailbox.deliver(env, [test_mailbox.lmtp_address(address)], msg,
                                       ident=test_mailbox.queue_id())
        expect(data and data[0][0] == 250, "authz fixture: delivery %r", data)
        self.message = int(sql(env, "SELECT id FROM messages WHERE mailbox_id = %d" % self.mailbox))
        m = self.actors["member"]
        r = self.send("member", "POST", "/my/mailbox/%d/unlock" % self.mailbox,
                      {"password": MB_PASSWORD})
        expect(r.status == 303, "authz fixture: unlock %s", show(r))
        for sc in r.header_all("Set-Cookie"):
            if sc.startswith("mm_unlock_"):
                name, _, value = sc.split(";")[0].partition("=")
                m.extra = {name: value}
        self.values.update(mailbox=self.mailbox, message=self.message, mailbox_address=address)
        cols = ("encode(public_key, 'hex'), encode(encrypted_secret_key, 'hex'), "
                "encode(secret_key_nonce, 'hex'), encode(pwhash_salt, 'hex'), used_bytes")
        self.saved_keys = sql(env, "SELECT %s FROM mailboxes WHERE id = %d"
                              % (cols, self.mailbox)).split("|")
        self.saved_message = sql(env, "SELECT queue_id, recipient, size_bytes, encode(header_nonce, "
                                      "'hex'), encode(header_ciphertext, 'hex'), encode(body_nonce, "
                                      "'hex'), encode(body_ciphertext, 'hex'), encode(sealed_key, "
                                      "'hex') FROM messages WHERE id = %d" % self.message).split("|")
        self.saved_unlock = sql(env, "SELECT encode(session_token_hash, 'hex'), "
                                     "encode(wrapped_secret_key, 'hex'), encode(wrap_nonce, 'hex') "
                                     "FROM mailbox_unlocks WHERE mailbox_id = %d"
                                % self.mailbox).split("|")
        self.reset()

    def mailbox_reset(self):
        """reset()'s statements for the mailbox fixture (none before it exists)."""
        if getattr(self, "saved_keys", None) is None:
            return ["DELETE FROM mailboxes WHERE alias_id IN (%s);" % self.ids(self.aliases)]
        k, m, u = self.saved_keys, self.saved_message, self.saved_unlock
        return [
            "DELETE FROM mailboxes WHERE alias_id IN (%s) AND id <> %d;"
            % (self.ids(self.aliases), self.mailbox),
            "UPDATE aliases SET has_mailbox = (id = %d), forward = true WHERE id IN (%s);"
            % (self.alias2, self.ids(self.aliases)),
            "UPDATE mailboxes SET public_key = decode('%s', 'hex'), encrypted_secret_key = "
            "decode('%s', 'hex'), secret_key_nonce = decode('%s', 'hex'), pwhash_salt = "
            "decode('%s', 'hex'), used_bytes = %s WHERE id = %d;" % (k[0], k[1], k[2], k[3], k[4],
                                                                    self.mailbox),
            "INSERT INTO messages (id, mailbox_id, queue_id, recipient, size_bytes, header_nonce, "
            "header_ciphertext, body_nonce, body_ciphertext, sealed_key) VALUES (%d, %d, %s, %s, "
            "%s, decode('%s', 'hex'), decode('%s', 'hex'), decode('%s', 'hex'), decode('%s', "
            "'hex'), decode('%s', 'hex')) ON CONFLICT (id) DO NOTHING;"
            % (self.message, self.mailbox, lit(m[0]), lit(m[1]), m[2], m[3], m[4], m[5], m[6],
               m[7]),
            "INSERT INTO mailbox_unlocks (session_token_hash, mailbox_id, wrapped_secret_key, "
            "wrap_nonce, expires_at) VALUES (decode('%s', 'hex'), %d, decode('%s', 'hex'), "
            "decode('%s', 'hex'), now() + interval '1 hour') ON CONFLICT "
            "(session_token_hash, mailbox_id) DO UPDATE SET wrapped_secret_key = "
            "EXCLUDED.wrapped_secret_key, wrap_nonce = EXCLUDED.wrap_nonce, expires_at = "
            "EXCLUDED.expires_at;" % (u[0], self.mailbox, u[1], u[2]),
        ]

    def fill(self, s):
        return s.format(**self.values)

    def path(self, row):
        def seg(m):
            name = m.group(1)
            key = row.params.get(name, {"domain": "A", "name": "member_name",
                                        "id": "alias"}.get(name))
            return str(self.values.get(key, key))
        return re.sub(r":(\w+)", seg, row.pattern) + self.fill(row.query)

    def ids(self, ids):
        return ", ".join(str(i) for i in ids)

    def reset(self):
        """One script: every fixture row as it was made; the fingerprint."""
        users = self.ids(self.uids)
        doms = "(SELECT id FROM domains WHERE name IN (%s, %s))" % (lit(self.A), lit(self.B))
        emails = "(SELECT array_agg(email) FROM users WHERE id IN (%s))" % users
        s = ["DELETE FROM rate_limits;",
             "DELETE FROM domain_reserved_local_parts WHERE domain_id IN %s;" % doms,
             "UPDATE users SET is_banned = (id = %d), ban_reason = CASE WHEN id = %d THEN 'spam' "
             "END, is_site_admin = (id = %d), person_status = NULL, person_checked_at = NULL, "
             "sync_requested_at = NULL, synced_at = NULL, lang = NULL WHERE id IN (%s);"
             % (self.banned_uid, self.banned_uid, self.site_uid, users),
             "DELETE FROM aliases WHERE domain_id IN %s AND id NOT IN (%s);"
             % (doms, self.ids(self.aliases)),
             "UPDATE aliases SET enabled = true, disabled_reason = NULL, reply_code = 550, "
             "description = '', remove_at = NULL, reserved_assigned = false WHERE id IN (%s);"
             % self.ids(self.aliases),
             "DELETE FROM domain_members WHERE domain_id IN %s;" % doms,
             "INSERT INTO domain_reserved_local_parts (domain_id, local_part) SELECT id, "
             "'authzkept' FROM domains WHERE name = %s;" % lit(self.A),
             "UPDATE domains SET enabled = true, alias_limit = 3, default_lang = 'en' WHERE id "
             "IN %s;" % doms,
             "".join("INSERT INTO aliases (id, domain_id, local_part, user_id, recipients) "
                     "OVERRIDING SYSTEM VALUE SELECT %d, id, %s, %d, ARRAY[%s] FROM domains "
                     "WHERE name = %s ON CONFLICT (id) DO NOTHING;"
                     % (aid, lit(local), uid, lit("%s@example.net" % local), lit(dom))
                     for aid, dom, local, uid in self.alias_rows),
             "DELETE FROM domains WHERE name = %s;" % lit(self.new_domain),
             "DELETE FROM api_tokens WHERE user_id IN (%s) AND id NOT IN (%d, %d);"
             % (users, self.token, self.other_token),
             "UPDATE api_tokens SET revoked_at = NULL WHERE id IN (%d, %d);"
             % (self.token, self.other_token),
             "DELETE FROM outbox WHERE to_addresses && %s OR cc_addresses && %s;" % (emails, emails),
             "INSERT INTO outbox (id, to_addresses, subject, body, attempts, failed_at, last_error) "
             "OVERRIDING SYSTEM VALUE VALUES (%d, '{authz-ops@example.org}', 'authz', 'authz', 10, "
             "now(), '550 no such user') ON CONFLICT (id) DO UPDATE SET attempts = 10, "
             "failed_at = now(), sent_at = NULL, next_attempt_at = now(), "
             "last_error = '550 no such user';" % self.outbox,
             "DELETE FROM error_reports WHERE user_id IN (%s);" % users,
             "DELETE FROM error_log WHERE user_id IN (%s);" % users]
        for dom, uid, role in self.members:
            s.append("INSERT INTO domain_members (domain_id, user_id, role) SELECT id, %d, %s "
                     "FROM domains WHERE name = %s;" % (uid, lit(role), lit(dom)))
        # Sessions first: the mailbox unlock needs the member's.
        mailbox = self.mailbox_reset()
        for a in self.actors.values():
            if a.session:
                s.append("INSERT INTO sessions (token_hash, user_id, csrf_token, idle_expires_at, "
                         "expires_at) VALUES (decode('%s', 'hex'), %d, decode('%s', 'hex'), "
                         "now() + interval '1 hour', now() + interval '1 hour') "
                         "ON CONFLICT (token_hash) DO NOTHING;"
                         % (sha256_hex(a.session), a.uid, a.csrf))
        s += mailbox
        s.append(self.fingerprint_sql())
        self.dirty = False
        self.known = self.query("\n".join(s))
        return self.known

    def fingerprint_sql(self):
        """What the cells may change, as one line: the audit_log's size and
        a digest of the rows."""
        users = self.ids(self.uids)
        parts = [
            "SELECT string_agg(row(id, domain_id, local_part, user_id, recipients, enabled, "
            "disabled_reason, reply_code, description, reserved_assigned)::text, ',' "
            "ORDER BY id) FROM aliases",
            "SELECT string_agg(row(domain_id, user_id, role)::text, ',' ORDER BY domain_id, "
            "user_id) FROM domain_members",
            "SELECT string_agg(row(id, name, enabled, alias_limit, txt_status, txt_grace_until, "
            "txt_last_attempt_at, role_recipient, default_lang)::text, ',' ORDER BY id) "
            "FROM domains",
            "SELECT string_agg(row(id, is_banned, ban_reason, is_site_admin, person_status, "
            "sync_requested_at, synced_at, lang)::text, ',' ORDER BY id) FROM users "
            "WHERE id IN (%s)" % users,
            "SELECT string_agg(encode(token_hash, 'hex'), ',' ORDER BY token_hash) FROM sessions",
            "SELECT string_agg(row(id, revoked_at)::text, ',' ORDER BY id) FROM api_tokens",
            "SELECT string_agg(row(id, attempts, failed_at, sent_at)::text, ',' ORDER BY id) "
            "FROM outbox",
            "SELECT count(*)::text FROM login_states",
            "SELECT string_agg(row(id, alias_id, encode(sha256(encrypted_secret_key), 'hex'), "
            "encode(sha256(public_key), 'hex'), used_bytes)::text, ',' ORDER BY id) FROM mailboxes",
            "SELECT string_agg(row(id, mailbox_id)::text, ',' ORDER BY id) FROM messages",
            "SELECT string_agg(row(a.id, a.has_mailbox, a.forward)::text, ',' ORDER BY a.id) "
            "FROM aliases a",
            "SELECT count(*)::text FROM mailbox_unlocks",
            "SELECT count(*)::text FROM error_log",
            "SELECT string_agg(row(domain_id, local_part)::text, ',' ORDER BY domain_id, "
            "local_part) FROM domain_reserved_local_parts",
        ]
        return ("SELECT (SELECT count(*) FROM audit_log) || ' ' || md5(concat_ws('|', %s));"
                % ", ".join("(%s)" % p for p in parts))

    def before(self):
        """The fingerprint before a cell, the fixture reset if a change
        was made; known is the last one taken, if nothing came between."""
        return self.reset() if self.dirty else self.known or self.after()

    def after(self):
        self.known = self.query(self.fingerprint_sql())
        return self.known

    def query(self, text):
        return self.env.pg.psql(text, db=DB)[1].strip()

    def drop(self):
        """Everything the fixture made but the users (test_db counts domains)."""
        self.reset()
        emails = "(SELECT array_agg(email) FROM users WHERE id IN (%s))" % self.ids(self.uids)
        self.query("DELETE FROM sessions WHERE user_id IN (%s); DELETE FROM outbox WHERE id = %d "
                   "OR to_addresses && %s OR cc_addresses && %s; DELETE FROM login_states;"
                   % (self.ids(self.uids), self.outbox, emails, emails))
        test_api.drop_domains(self.env, [self.A, self.B])

    def send(self, actor, method, path, form=None, csrf=True, extra=None):
        """The request of a cell; form None: no body.  csrf: True for the
        actor's token, a string for that one, False for none; extra:
        more headers."""
        a = self.actors[actor]
        headers = dict(extra or {}, Cookie=a.cookie())
        body = None
        if form is not None:
            f = {k: self.fill(v) for k, v in form.items()}
            if csrf is True:
                f["csrf_token"] = a.csrf
            elif csrf:
                f["csrf_token"] = csrf
            body = urllib.parse.urlencode(f).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        return self.env.req(method, path, body=body, headers=headers)


# ---------------------------------------------------------------- the matrix

def audits(fp):
    return int(fp.split()[0])


def location_ok(fx, row, r):
    if row.location is None:
        return True
    want = fx.fill(row.location)
    got = r.header("Location") or ""
    return got.startswith(want[:-1]) if want.endswith("*") else got == want


def run_cell(fx, row, actor, want):
    """One cell: (the status got, the problems found; empty: as wanted)."""
    path = fx.path(row)
    allowed = want == row.ok
    if not row.changes:
        if fx.dirty:
            fx.reset()
        fx.known = None     # not fingerprinted: the next state change takes one
        r = fx.send(actor, row.method, path)
        problems = [] if r.status == want else ["want %d, got %s" % (want, show(r, 200))]
        h = fx.send(actor, "HEAD", path)
        if h.status != r.status or h.body:
            problems.append("HEAD: want %d and no body, got %s" % (r.status, show(h, 100)))
        return r.status, problems
    before = fx.before()
    r = fx.send(actor, row.method, path, row.form)
    after = fx.after()
    problems = []
    if r.status != want:
        problems.append("want %d, got %s" % (want, show(r, 200)))
    if allowed and want < 400:
        fx.dirty = True
        if not location_ok(fx, row, r):
            problems.append("Location %r, want %r" % (r.header("Location"), fx.fill(row.location)))
        if after == before and (row.anonymous_writes or actor != "anonymous"):
            problems.append("allowed, but nothing was written")
        if row.audited and audits(after) <= audits(before):
            problems.append("no audit row")
    elif after != before:
        fx.dirty = True
        problems.append("refused, yet the database changed (audit rows %d -> %d)"
                        % (audits(before), audits(after)))
    return r.status, problems


def table(results):
    """The matrix as text: a line per route, a column per actor; a wrong
    cell reads got!want."""
    lines = ["%-48s %s" % ("route", " ".join("%-10s" % a[:10] for a in ACTORS))]
    for row in MATRIX:
        cells = []
        for i, actor in enumerate(ACTORS):
            got, bad = results[(row.method, row.pattern, actor)]
            cells.append("%-10s" % ("%s!%s" % (got, row.want[i]) if bad else got))
        lines.append("%-48s %s" % ("%s %s" % (row.method, row.pattern), " ".join(cells)))
    return "\n".join(lines)


@test
def authz_matrix(env):
    """Every HTML route x the six actors: the precise status; allowed
    changes write, refused ones write nothing; HEAD answers as GET."""
    env.ensure_server()
    fx = Fixture(env)
    try:
        results, wrong = {}, []
        for row in MATRIX:
            for i, actor in enumerate(ACTORS):
                got, problems = run_cell(fx, row, actor, row.want[i])
                results[(row.method, row.pattern, actor)] = (got, problems)
                wrong += ["%s %s as %s: %s" % (row.method, fx.path(row), actor, p)
                          for p in problems]
        if wrong:
            raise Fail("authorization matrix (got!want):\n%s\n  %s"
                       % (table(results), "\n  ".join(wrong)))
        print("    %d routes x %d actors" % (len(MATRIX), len(ACTORS)))
    finally:
        fx.drop()


def run_cells(env, cells, what):
    """(actor, method, path, form, status[, csrf]) cells: each answers its
    status and writes nothing."""
    env.ensure_server()
    fx = Fixture(env)
    try:
        wrong = []
        for actor, method, path, form, want, *csrf in cells:
            before = fx.before()
            r = fx.send(actor, method, fx.fill(path), form, *csrf)
            after = fx.after()
            if r.status != want:
                wrong.append("%s %s as %s: want %d, got %s" % (method, fx.fill(path), actor, want,
                                                             show(r, 200)))
            if after != before:
                fx.dirty = True
                wrong.append("%s %s as %s: the database changed" % (method, fx.fill(path), actor))
        expect(not wrong, "%s:\n  %s", what, "\n  ".join(wrong))
    finally:
        fx.drop()


@test
def authz_cross_domain(env):
    """What an admin names under their own domain must be of that domain
    (404 otherwise); unknown domains are 403, or 404 for a site admin; a
    member's URLs with another's ids are 404.  A banned user's session is refused.  Nothing is written."""
    run_cells(env, CROSS, "cross-domain cells")


# Path parameters the route table's validators refuse: 404, but only after
# the access and CSRF checks, which answer as for any other value.
MALFORMED = [
    ("anonymous", "GET", "/my/aliases/abc", None, 401),
    ("anonymous", "GET", "/domains/NOT.EXAMPLE", None, 401),
    ("member", "GET", "/domains/NOT.EXAMPLE", None, 403),
    ("member", "POST", "/admin/users/abc/ban", {"reason": "malformed"}, 403),
    ("site admin", "POST", "/admin/users/abc/ban", {"reason": "malformed"}, 403, False),
    ("site admin", "GET", "/domains/NOT.EXAMPLE", None, 404),
    ("site admin", "GET", "/domains/{A}/members/no%20such", None, 404),
    ("admin of A", "POST", "/domains/{A}/members/-x/role", {"role": "admin"}, 404),
    ("admin of A", "POST", "/domains/{A}/aliases/x/enabled", {"enabled": "no"}, 404),
    ("site admin", "GET", "/admin/users/007", None, 404),
    ("site admin", "POST", "/admin/users/0/ban", {"reason": "malformed"}, 404),
    ("site admin", "POST", "/admin/domains/{A}./enabled", {"enabled": "no"}, 404),
    ("site admin", "POST", "/admin/outbox/1e3/retry", {}, 404),
    ("member", "GET", "/my/aliases/-1", None, 404),
    ("member", "POST", "/my/aliases/1234567890123456789", {"description": "x"}, 404),
    ("member", "POST", "/my/tokens/0x1/revoke", {}, 404),
    ("anonymous", "GET", "/Ubuntu", None, 404),
]


@test
def authz_malformed_params(env):
    """A malformed :id, :domain, :name or :community is refused by the
    dispatcher (404) after who may call the route is decided; nothing is
    written."""
    run_cells(env, MALFORMED, "malformed path parameters")


@test
def authz_csrf_required(env):
    """Every CSRF-checked HTML route refuses the allowed actor's valid
    request without csrf_token, with another session's token, from another
    Origin or cross-site (Sec-Fetch-Site) with 403, writing nothing; the
    same request with its token is accepted."""
    env.ensure_server()
    fx = Fixture(env)
    try:
        wrong = []
        rows = [r for r in MATRIX if r.changes and r.pattern != "/auth/ubuntu/return"]
        for row in rows:
            actor = ACTORS[row.want.index(row.ok)]
            stranger = next(a for a in ACTORS[1:] if a != actor)
            path = fx.path(row)
            for csrf, extra, what in (
                    (False, None, "without csrf_token"),
                    (fx.actors[stranger].csrf, None, "with another session's token"),
                    (True, {"Origin": "http://evil.example"}, "from another Origin"),
                    (True, {"Sec-Fetch-Site": "cross-site"}, "sent cross-site")):
                before = fx.before()
                r = fx.send(actor, row.method, path, row.form, csrf, extra)
                after = fx.after()
                if r.status != 403:
                    wrong.append("%s %s as %s %s: want 403, got %s"
                                 % (row.method, path, actor, what, show(r, 200)))
                if after != before:
                    fx.dirty = True
                    wrong.append("%s %s as %s %s: the database changed"
                                 % (row.method, path, actor, what))
            fx.reset()
            r = fx.send(actor, row.method, path, row.form)
            fx.dirty = True
            if r.status != row.ok:
                wrong.append("%s %s as %s with its token: want %d, got %s"
                             % (row.method, path, actor, row.ok, show(r, 200)))
        expect(not wrong, "CSRF:\n  %s", "\n  ".join(wrong))
    finally:
        fx.drop()


@test
def authz_no_foreign_rows(env):
    """A domain admin's pages show their domain's rows only: the member's
    alias on another domain, that domain's aliases and audit log stay out
    (each is seen on its own domain's page, so the check can fail)."""
    env.ensure_server()
    fx = Fixture(env)
    try:
        leak = uniq("authzleak")
        mk_alias(env, fx.B, leak, fx.member_uid)
        fx.dirty = True
        r = fx.send("admin of B", "POST", fx.fill("/domains/{B}/aliases/{b_alias}/enabled"),
                    {"enabled": "no"})
        expect(r.status == 303, "admin of B disables their alias: %s", show(r))
        b_local = sql(env, "SELECT local_part FROM aliases WHERE id = %d" % fx.b_alias)
        other_local = sql(env, "SELECT local_part FROM aliases WHERE id = %d" % fx.other_alias)
        wrong = []
        for actor, path, shown, hidden in (
                ("admin of A", "/domains/{A}/members/{member_name}", [fx.member_name], [leak]),
                ("admin of A", "/domains/{A}/aliases", [fx.member_name, other_local],
                 [leak, b_local]),
                ("admin of A", "/domains/{A}/log", [], [b_local]),
                ("admin of B", "/domains/{B}/aliases", [leak, b_local], [other_local]),
                ("admin of B", "/domains/{B}/log", [b_local], [])):
            r = fx.send(actor, "GET", fx.fill(path))
            text = r.body.decode("utf-8", "replace")
            if r.status != 200:
                wrong.append("GET %s as %s: %s" % (fx.fill(path), actor, show(r, 200)))
            wrong += ["GET %s as %s: %s is missing" % (fx.fill(path), actor, s)
                      for s in shown if s not in text]
            wrong += ["GET %s as %s: shows %s" % (fx.fill(path), actor, s)
                      for s in hidden if s in text]
        expect(not wrong, "foreign rows:\n  %s", "\n  ".join(wrong))
    finally:
        fx.drop()
