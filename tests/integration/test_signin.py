#!/usr/bin/python3
"""membermail integration tests of signing in with Ubuntu One: the OpenID
2.0 relying party against the fake provider (tests/fakes/sso.py), sessions,
logout, CSRF, access levels and the sign-in rate limit; every forgery,
replay and provider fault a relying party must refuse (a wrong endpoint,
signature, nonce, return_to or claimed id, an outage of the provider).

Not a runner of its own: tests/integration/run.py imports it (before
test_db.py, whose PostgreSQL outage test stays the last of the run), which
appends these tests to its list.  run.py starts two fake providers for the
whole run: env.sso, the one the test server's config pins (sso_endpoint,
sso_identity_prefix; stateless mode, sso_timeout 2, login_rate_limit 8),
and env.evil_sso, which no config names: the pinning tests check that it
never receives a request from membermail.

A browser is modelled by Browser: it keeps the cookies membermail sets and
sends them to membermail only (never to the provider).  A sign-in is

    GET /ubuntu                      mm_browser cookie, the form's csrf_token
    POST /auth/ubuntu                303 to the pinned endpoint (checkid_setup)
    GET <endpoint>?...               no cookies; the provider answers with
      302 Location: <return_to>...   -> GET it with our (SameSite=Lax) cookies
      200 auto-submitting form       -> POST its fields WITHOUT our cookies
                                        (cross-site POST: Lax cookies stay home)
    303 /auth/ubuntu/finish?state=   -> GET it with our cookies (same-site step)
    303 /my + Set-Cookie mm_session

all through nginx.  Most tests run on the test server itself (env.conf:
app max_body 1k, enough for the GET delivery).  Two other server profiles
replace it on the same socket for a few tests, then the next test puts the
test server back: "post" (the same settings with max_body 64k: an
auto-POSTed assertion is a body of 1-3 KiB, over the test server's 1k) and "association"
(openid_mode = association, max_body 64k).  The tests are ordered so that
each profile starts once.

A rejected assertion must leave no session: no mm_session cookie, no new
row in `sessions`; the specific reason is checked in the server's log
(`event=signin_failed id=<X-Request-Id> reason="..."`).
"""

import base64
import hashlib
import html.parser
import os
import re
import signal
import threading
import time
import urllib.parse

import fcgi
import stack
from run import WORKERS, Fail, check_app_error_page, check_html, expect, show, test  # noqa: F401
from stack import http_request, wait_until

DB = stack.APP_DB
NS = "http://specs.openid.net/auth/2.0"
FAILED = b"Sign-in failed"
CANCELLED = b"Sign-in cancelled"


# ---------------------------------------------------------------- database

def sql(env, query):
    return env.pg.scalar(query, db=DB)


def sessions_count(env):
    return int(sql(env, "SELECT count(*) FROM sessions"))


def lit(s):
    return "'" + s.replace("'", "''") + "'"


# ---------------------------------------------------------------- server profiles

def use_profile(env, name=None, extra=None):
    """The server the next requests reach: the test server (name None,
    env.conf), or a profile ("post", "association", or any name with the
    config keys of extra) started on the same socket in its place.  A no-op
    when it already runs."""
    cur = getattr(env, "signin_profile", None)
    running = env.server is not None and env.server.proc.running()
    if name is None:
        if cur is not None and running and env.server is cur[1]:
            env.signin_profile = None
            return env.restart_server()
        env.signin_profile = None
        return env.ensure_server()
    if cur is not None and cur[0] == name and running and env.server is cur[1]:
        return env.server
    # It stands in for the test server: the LMTP service too.
    settings = dict(env.signin_settings() + env.provision_settings() + env.mailbox_settings())
    if name == "association":
        settings["openid_mode"] = "association"
    settings.update(extra or {})
    conf = os.path.join(env.base, "signin-%s.conf" % name)
    stack.render_config(conf, stack.config_settings(
        env.sock, workers=WORKERS, max_body="64k", shutdown_timeout=10,
        public_url="http://127.0.0.1:%d" % env.port, database=env.pg.conninfo(),
        extra=list(settings.items())), header="sign-in test profile %s" % name)
    if env.server is not None:
        env.server.stop(signal.SIGTERM, 10)
    env.server = None
    srv = env.new_server(conf=conf, tag="signin-" + name).start()
    env.server = srv
    try:
        srv.wait_ready()
    except RuntimeError as e:
        srv.stop(signal.SIGTERM, 5)
        env.server = None
        raise Fail("the %s profile's server did not start: %s" % (name, e))
    ok = wait_until(lambda: env._healthz_status() == 200, 10, 0.1)
    expect(ok, "profile %s: GET /healthz through nginx never answered 200", name)
    env.signin_profile = (name, srv)
    return srv


# ---------------------------------------------------------------- the fake provider

_seq = [0]


def new_user(tag, **kw):
    """A fresh provider user (oid, Launchpad name, email unique in the run)."""
    _seq[0] += 1
    name = "%s%d" % (tag, _seq[0])
    u = {"oid": "T" + re.sub(r"[^A-Za-z0-9]", "", name), "nickname": name,
         "email": "%s@example.com" % name, "fullname": "%s Tester" % tag.capitalize(),
         "teams": ["ubuntumembers"]}
    u.update(kw)
    return u


def prepare(fake, user=None, faults=None, **config):
    """The provider for one sign-in: no knobs armed, an empty request log,
    the default config (plus `config`), this user, these faults.  Its
    associations are kept (association mode relies on them)."""
    fake.call("POST", "/_fake/faults/clear", {})
    fake.clear_requests()
    cfg = {"one_shot": True, "delivery": "auto", "url_limit": 2047, "error_status": 400}
    cfg.update(config)
    fake.config(**cfg)
    if user is not None:
        fake.set_user(user)
    if faults:
        fake.faults(**faults)


def op_requests(fake, mode=None):
    """The provider's log (without our own checkid GET), or only the direct
    requests of this openid.mode."""
    out = []
    for e in fake.requests():
        if mode is None:
            out.append(e)
            continue
        q = urllib.parse.parse_qs(e["body"] if e["method"] == "POST" else
                                  urllib.parse.urlsplit(e["path"]).query)
        if q.get("openid.mode") == [mode]:
            out.append(e)
    return out


def direct_modes(fake):
    """openid.mode of every POST the provider received (membermail's direct
    requests), in order."""
    return [urllib.parse.parse_qs(e["body"]).get("openid.mode", ["?"])[0]
            for e in fake.requests() if e["method"] == "POST"]


# ---------------------------------------------------------------- the browser

class Browser:
    """Cookies set by membermail, sent back to membermail only."""

    def __init__(self, env, name="browser"):
        self.env = env
        self.name = name
        self.cookies = {}
        self.set_cookies = []       # every Set-Cookie membermail sent this browser

    def cookie_header(self):
        return "; ".join("%s=%s" % kv for kv in self.cookies.items())

    def keep(self, r):
        for sc in r.header_all("Set-Cookie"):
            self.set_cookies.append(sc)
            nv = sc.split(";", 1)[0]
            name, _, value = nv.partition("=")
            attrs = sc.lower()
            if value == "" or re.search(r";\s*max-age=0(;|$)", attrs):
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value.strip()
        return r

    def headers(self, cookies=True, **extra):
        h = {}
        if cookies and self.cookies:
            h["Cookie"] = self.cookie_header()
        h.update(extra)
        return h

    def get(self, path, cookies=True, **kw):
        return self.keep(self.env.get(path, headers=self.headers(cookies), **kw))

    def post(self, path, fields, cookies=True, **headers):
        body = urllib.parse.urlencode(fields).encode()
        h = self.headers(cookies, **{"Content-Type": "application/x-www-form-urlencoded"})
        h.update(headers)
        return self.keep(self.env.req("POST", path, body=body, headers=h))

    def csrf(self, path="/ubuntu"):
        """The CSRF token of a page's forms (and the cookies it sets)."""
        r = self.get(path)
        m = re.search(rb'name="csrf_token" value="([0-9a-f]{64})"', r.body)
        expect(r.status == 200 and m, "%s: GET %s: no CSRF token: %s", self.name, path, show(r))
        return m.group(1).decode()

    def start(self):
        """GET /ubuntu, POST /auth/ubuntu: the checkid_setup URL."""
        token = self.csrf()
        expect("mm_browser" in self.cookies, "%s: GET /ubuntu set no mm_browser cookie", self.name)
        sql(self.env, "DELETE FROM rate_limits")        # the tests sign in more than 8 times a minute
        r = self.post("/auth/ubuntu", {"domain": "ubuntu", "csrf_token": token})
        loc = r.header("Location") or ""
        expect(r.status == 303 and loc.startswith(self.env.sso.endpoint + "?"),
               "%s: POST /auth/ubuntu: want 303 to %s: %s", self.name, self.env.sso.endpoint, show(r))
        return loc


class FormParser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.action = None
        self.method = None
        self.fields = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and self.action is None:
            self.action, self.method = a.get("action"), (a.get("method") or "get").upper()
        elif tag == "input" and a.get("type") == "hidden" and a.get("name"):
            self.fields.append((a["name"], a.get("value") or ""))


class Delivery:
    """The provider's answer as the browser will deliver it to membermail:
    GET <url> (302) or POST <url> with fields (auto-submitting form)."""

    def __init__(self, method, url, fields=None):
        self.method = method
        u = urllib.parse.urlsplit(url)
        self.netloc = u.netloc
        self.path = u.path
        self.query = urllib.parse.parse_qsl(u.query, keep_blank_values=True)
        self.body = list(fields) if fields is not None else None

    @property
    def params(self):
        """Where the openid.* fields are: the query (GET) or the body (POST)."""
        return self.body if self.method == "POST" else self.query

    def get(self, key):
        for k, v in self.params:
            if k == key:
                return v
        return None

    def remove(self, key, where=None):
        p = self.params if where is None else where
        p[:] = [(k, v) for k, v in p if k != key]
        return self

    def target(self):
        return self.path + ("?" + urllib.parse.urlencode(self.query) if self.query else "")

    def copy(self):
        d = Delivery.__new__(Delivery)
        d.method, d.netloc, d.path = self.method, self.netloc, self.path
        d.query = list(self.query)
        d.body = list(self.body) if self.body is not None else None
        return d


def from_op(url):
    """GET the checkid_setup URL at the provider (no cookies): its answer."""
    u = urllib.parse.urlsplit(url)
    r = http_request(u.port, "GET", u.path + "?" + u.query)
    if r.status == 302:
        return Delivery("GET", r.header("Location"))
    p = FormParser()
    p.feed(r.text)
    expect(r.status == 200 and p.action and p.method == "POST",
           "the provider answered neither a 302 nor an auto-POST form: %s", show(r, 600))
    return Delivery("POST", p.action, p.fields)


def retarget(url, base):
    """The checkid_setup URL sent to another provider instead (base)."""
    u = urllib.parse.urlsplit(url)
    b = urllib.parse.urlsplit(base)
    return urllib.parse.urlunsplit((b.scheme, b.netloc, u.path, u.query, ""))


def deliver(env, b, d, cookies=None):
    """The browser delivers the assertion: a GET navigation carries our Lax
    cookies, a cross-site POST does not (cookies overrides that)."""
    expect(d.netloc == "127.0.0.1:%d" % env.port, "the assertion goes to %r, not to us", d.netloc)
    if d.method == "GET":
        return b.keep(env.get(d.target(), headers=b.headers(True if cookies is None else cookies)))
    body = urllib.parse.urlencode(d.body).encode()
    h = b.headers(False if cookies is None else cookies,
                  **{"Content-Type": "application/x-www-form-urlencoded",
                     "Origin": "http://127.0.0.1:%d" % env.sso.port})
    return b.keep(env.req("POST", d.target(), body=body, headers=h))


def finish(env, b, r, what="sign-in"):
    """Follows our 303 to /auth/ubuntu/finish with the browser's cookies."""
    loc = r.header("Location") or ""
    expect(r.status == 303 and loc.startswith("/auth/ubuntu/finish?state="),
           "%s: the return step did not redirect to /auth/ubuntu/finish: %s%s",
           what, show(r, 400), log_hint(env, r))
    return b.get(loc)


def log_hint(env, r):
    rid = r.header("X-Request-Id") if r is not None else None
    if not rid:
        return ""
    lines = [ln for ln in env.server_log().splitlines() if rid in ln]
    return "\n    log: " + "\n    log: ".join(lines) if lines else ""


def signin_log(env, r, event="signin_failed", timeout=3.0):
    """The server's `event=<event> id=<request id>` line for response r."""
    rid = r.header("X-Request-Id")
    pat = "event=%s id=%s " % (event, rid)

    def find():
        for line in env.server_log().splitlines():
            if pat in line:
                return line
        return None
    return wait_until(find, timeout)


def line_pid(line):
    m = re.search(r" pid=(\d+) ", line or "")
    return int(m.group(1)) if m else None


def session_cookie(r):
    for sc in r.header_all("Set-Cookie"):
        if sc.startswith("mm_session="):
            return sc
    return None


def sign_in(env, b=None, user=None, faults=None, fake=None, **config):
    """A whole successful sign-in; returns (browser, delivery, finish response)."""
    b = b or Browser(env)
    fake = fake or env.sso
    if user is not None or faults or config:
        prepare(fake, user, faults, **config)
    loc = b.start()
    d = from_op(loc)
    r = deliver(env, b, d.copy())
    f = finish(env, b, r)
    expect(f.status == 303 and f.header("Location") == "/my" and session_cookie(f),
           "sign-in: finish did not answer 303 /my with an mm_session cookie: %s%s",
           show(f, 400), log_hint(env, f))
    expect(b.cookies.get("mm_session"), "no mm_session cookie kept")
    return b, d, f


def attempt(env, user, faults=None, mutate=None, b=None, **config):
    """Start, provider, delivery (mutated): our answer to the assertion."""
    b = b or Browser(env)
    prepare(env.sso, user, faults, **config)
    d = from_op(b.start())
    if mutate is not None:
        d = mutate(d) or d
    return b, d, deliver(env, b, d)


def expect_refused(env, b, r, what, reasons, before, status=403, title=FAILED):
    """A rejected assertion: our failure page, the reason in the log, no session."""
    if r.status == 303 and (r.header("Location") or "").startswith("/auth/ubuntu/finish"):
        f = finish(env, b, r, what)
        raise Fail("%s: ACCEPTED (return step 303 to finish; finish: %s)%s"
                   % (what, show(f, 200), log_hint(env, r)))
    check_app_error_page(r, status, what)
    expect(title in r.body, "%s: page lacks %r: %s", what, title, show(r, 2000))
    expect(session_cookie(r) is None, "%s: an mm_session cookie was set: %s", what, session_cookie(r))
    expect("mm_session" not in b.cookies, "%s: the browser holds an mm_session cookie", what)
    n = sessions_count(env)
    expect(n == before, "%s: sessions went from %d to %d", what, before, n)
    if reasons:
        line = signin_log(env, r)
        expect(line, "%s: no event=signin_failed line for request %s%s", what,
               r.header("X-Request-Id"), log_hint(env, r))
        expect(any(('reason="%s"' % x) in line for x in reasons),
               "%s: log reason is not one of %s: %r", what, reasons, line)
        return line
    return None


def refused(env, what, user, reasons, faults=None, mutate=None, status=403, title=FAILED, **config):
    """A sign-in whose assertion must be rejected (see expect_refused)."""
    before = sessions_count(env)
    b, d, r = attempt(env, user, faults, mutate, **config)
    line = expect_refused(env, b, r, what, reasons, before, status, title)
    return b, d, r, line


def claimed(env, user):
    return env.sso.prefix + user["oid"]


def user_row(env, user):
    """(id, name, email, display_name, is_banned) of the user with this
    claimed id, or None."""
    out = sql(env, "SELECT id, coalesce(name, ''), email, coalesce(display_name, ''), is_banned "
                   "FROM users WHERE claimed_id = %s" % lit(claimed(env, user)))
    return out.split("|") if out else None


def cookie_attrs(sc):
    parts = [p.strip() for p in sc.split(";")]
    attrs = {}
    for p in parts[1:]:
        k, _, v = p.partition("=")
        attrs[k.lower()] = v
    return parts[0], attrs


# ---------------------------------------------------------------- 1. happy paths (stateless)

@test
def signin_stateless_get(env):
    """Matrix row 1, GET delivery: logged in as the claimed id; /my; users row."""
    use_profile(env)
    user = new_user("ada", fullname="Ada Lovelace")
    before = sessions_count(env)
    b, d, f = sign_in(env, user=user)
    expect(d.method == "GET", "the provider did not deliver by 302 (%s)", d.method)
    expect(sessions_count(env) == before + 1, "sessions: %d -> %d", before, sessions_count(env))
    expect(direct_modes(env.sso) == ["check_authentication"],
           "stateless: want exactly one check_authentication, the provider saw %s", direct_modes(env.sso))
    r = b.get("/my")
    check_html(r, "GET /my after signing in")
    for part in (b"Hello, Ada Lovelace", user["email"].encode(), claimed(env, user).encode(),
                 ("~" + user["nickname"]).encode(), b'action="/auth/logout"'):
        expect(part in r.body, "GET /my lacks %r: %s", part, show(r, 3000))
    row = user_row(env, user)
    expect(row and row[1:] == [user["nickname"], user["email"], "Ada Lovelace", "f"],
           "users row for %s: %s", claimed(env, user), row)
    line = signin_log(env, f, event="signed_in")
    expect(line and ("user=%s" % row[0]) in line, "no event=signed_in line naming user %s: %r", row[0], line)
    # The finish step works once.
    again = Browser(env, "same cookies")
    again.cookies = {"mm_browser": b.cookies["mm_browser"]}
    n = sessions_count(env)
    r = again.get("/auth/ubuntu/finish?state=" + state_of(d))
    expect_refused(env, again, r, "the finish URL a second time",
                   ["state unknown, expired, finished or bound to another browser"], n)


def expire(env, d):
    """Moves the login state of delivery d 11 minutes into the past."""
    h = hashlib.sha256(state_of(d).encode()).hexdigest()
    sql(env, "UPDATE login_states SET created_at = now() - interval '11 min', "
             "expires_at = now() - interval '1 min' WHERE state_hash = decode('%s', 'hex')" % h)


@test
def login_state_expiry(env):
    """A login state lives 10 minutes: an assertion for an expired one is
    refused, and so is a finish after it expired."""
    use_profile(env)
    user = new_user("lse")
    b = Browser(env)
    prepare(env.sso, user)
    d = from_op(b.start())
    expire(env, d)
    before = sessions_count(env)
    r = deliver(env, b, d)
    expect_refused(env, b, r, "assertion for an expired state", ["state unknown, used or expired"], before)
    expect(not op_requests(env.sso, "check_authentication"), "an expired state's assertion was verified")
    # Expired between the return step and the finish.
    prepare(env.sso, user)
    d = from_op(b.start())
    r = deliver(env, b, d)
    expect(r.status == 303, "return step: %s%s", show(r), log_hint(env, r))
    expire(env, d)
    before = sessions_count(env)
    f = finish(env, b, r, "finish after expiry")
    expect_refused(env, b, f, "finish of an expired state",
                   ["state unknown, expired, finished or bound to another browser"], before)


@test
def signin_refresh_email_moves_aliases(env):
    """A second sign-in refreshes name/email; aliases forwarding only to the
    old email follow it, others do not; a later sign-in that withholds the
    email keeps the stored one."""
    use_profile(env)
    user = new_user("eve")
    other = new_user("oth")
    sign_in(env, user=other)
    sign_in(env, user=user)
    uid, oid_ = user_row(env, user)[0], user_row(env, other)[0]
    old = user["email"]
    dom = "(SELECT id FROM domains WHERE name = 'ubuntu.com')"
    lp = [user["nickname"] + "-a", user["nickname"] + "-b", user["nickname"] + "-c"]
    sql(env, "INSERT INTO aliases (domain_id, local_part, user_id, recipients) VALUES "
             "(%s, %s, %s, ARRAY[%s]), (%s, %s, %s, ARRAY[%s, 'keep@example.org']), "
             "(%s, %s, %s, ARRAY[%s])"
             % (dom, lit(lp[0]), uid, lit(old), dom, lit(lp[1]), uid, lit(old),
                dom, lit(lp[2]), oid_, lit(old)))
    new = user["nickname"] + ".new@example.net"
    renamed = dict(user, email=new, nickname=user["nickname"] + "x", fullname="Eve Renamed")
    b, _, _ = sign_in(env, user=renamed)
    row = user_row(env, user)
    expect(row[0] == uid, "a second sign-in made a new user row (%s, was %s)", row[0], uid)
    expect(row[1:4] == [renamed["nickname"], new, "Eve Renamed"],
           "users row not refreshed: %s", row)
    got = sql(env, "SELECT local_part || '=' || array_to_string(recipients, ',') FROM aliases "
                   "WHERE local_part IN (%s) ORDER BY local_part" % ", ".join(lit(x) for x in lp))
    want = "\n".join(["%s=%s" % (lp[0], new), "%s=%s,keep@example.org" % (lp[1], old),
                      "%s=%s" % (lp[2], old)])
    expect(got == want, "aliases after the email change:\n%s\nwant:\n%s", got, want)
    audit = sql(env, "SELECT count(*) FROM audit_log WHERE action = 'user.email_changed' "
                     "AND target_id = %s" % uid)
    expect(audit == "1", "user.email_changed audit rows: %s", audit)
    r = b.get("/my")
    expect(new.encode() in r.body, "GET /my does not show the new email: %s", show(r, 2000))
    no_email = dict(renamed, approve={"sreg": ["nickname", "fullname"]})
    sign_in(env, user=no_email)
    expect(user_row(env, user)[2] == new, "a sign-in without email changed the stored one: %s",
           user_row(env, user))


# ---------------------------------------------------------------- sessions

@test
def session_cookie_flags(env):
    use_profile(env)
    b, _, f = sign_in(env, user=new_user("flag"))
    nv, attrs = cookie_attrs(session_cookie(f))
    token = nv.split("=", 1)[1]
    expect(re.fullmatch(r"[A-Za-z0-9_-]{43}", token), "mm_session value %r is not 256-bit base64url", token)
    expect("httponly" in attrs, "mm_session lacks HttpOnly: %s", session_cookie(f))
    expect(attrs.get("samesite", "").lower() == "lax", "mm_session SameSite %r", attrs.get("samesite"))
    expect(attrs.get("path") == "/", "mm_session Path %r", attrs.get("path"))
    expect("secure" not in attrs, "mm_session is Secure although public_url is http: %s", session_cookie(f))
    expect(attrs.get("max-age") == "43200", "mm_session Max-Age %r, want session_max 43200",
           attrs.get("max-age"))
    expect("domain" not in attrs, "mm_session has a Domain attribute: %s", session_cookie(f))
    bc = [sc for sc in b.set_cookies if sc.startswith("mm_browser=")]
    expect(bc, "no mm_browser Set-Cookie seen")
    _, battrs = cookie_attrs(bc[0])
    expect("httponly" in battrs and battrs.get("samesite", "").lower() == "lax" and
           battrs.get("path") == "/" and "secure" not in battrs, "mm_browser flags: %s", bc[0])
    # With an https public_url the same cookies are Secure: a one-worker
    # server on its own socket, asked over FastCGI.
    sock = os.path.join(env.base, "secure.sock")
    conf = os.path.join(env.base, "secure.conf")
    stack.render_config(conf, stack.config_settings(
        sock, workers=1, public_url="https://membermail.example.org",
        database=env.pg.conninfo(), extra=env.signin_settings() + env.provision_settings()))
    srv = env.new_server(conf=conf, sock=sock, workers=1, tag="secure").start()
    try:
        srv.wait_ready()
        fr = fcgi.request(sock, fcgi.nginx_like_params("GET", "/ubuntu"))
    finally:
        srv.stop(signal.SIGTERM, 10)
    sc = [v for k, v in fr.headers if k.lower() == "set-cookie" and v.startswith("__Host-mm_browser=")]
    expect(fr.status == 200 and sc, "https public_url: GET /ubuntu set no __Host-mm_browser: %s",
           show(fr))
    _, sattrs = cookie_attrs(sc[0])
    expect("secure" in sattrs and "httponly" in sattrs, "https public_url: cookie not Secure: %s", sc[0])


@test
def session_new_token_each_signin(env):
    use_profile(env)
    user = new_user("tok")
    b, _, _ = sign_in(env, user=user)
    first = b.cookies["mm_session"]
    b, _, _ = sign_in(env, b=b, user=user)
    second = b.cookies["mm_session"]
    expect(first != second, "the second sign-in reused the session token")
    r = env.get("/my", headers={"Cookie": "mm_session=" + first})
    check_app_error_page(r, 401, "GET /my with the first session's token after signing in again")
    r = b.get("/my")
    check_html(r, "GET /my with the second token")
    n = sql(env, "SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id "
                 "WHERE u.claimed_id = %s" % lit(claimed(env, user)))
    expect(n == "1", "sessions of the user after signing in twice in one browser: %s", n)


@test
def session_only_hash_stored(env):
    use_profile(env)
    user = new_user("hash")
    b, _, _ = sign_in(env, user=user)
    token = b.cookies["mm_session"]
    want = hashlib.sha256(token.encode()).hexdigest()
    got = sql(env, "SELECT encode(s.token_hash, 'hex') FROM sessions s JOIN users u ON u.id = s.user_id "
                   "WHERE u.claimed_id = %s" % lit(claimed(env, user)))
    expect(got == want, "sessions.token_hash %r, want sha256(cookie) %r", got, want)
    raw = base64.urlsafe_b64decode(token + "=")
    dump = sql(env, "SELECT s::text FROM sessions s") + "\n" + \
        sql(env, "SELECT encode(token_hash, 'base64') || encode(csrf_token, 'base64') FROM sessions")
    for form in (token, raw.hex(), base64.b64encode(raw).decode().rstrip("=")):
        expect(form not in dump, "the raw session token (%s) is stored in sessions", form[:12])


@test
def logout(env):
    use_profile(env)
    b, _, _ = sign_in(env, user=new_user("bye"))
    token = b.cookies["mm_session"]
    h = hashlib.sha256(token.encode()).hexdigest()
    csrf = b.csrf("/my")
    r = b.post("/auth/logout", {"csrf_token": csrf})
    expect(r.status == 303 and r.header("Location") == "/", "POST /auth/logout: want 303 /: %s", show(r))
    sc = session_cookie(r)
    expect(sc, "logout did not expire the mm_session cookie: %s", show(r))
    nv, attrs = cookie_attrs(sc)
    expect(nv == "mm_session=" and (attrs.get("max-age") == "0" or "expires" in attrs),
           "logout cookie does not expire it: %s", sc)
    expect("mm_session" not in b.cookies, "browser still holds mm_session")
    expect(sql(env, "SELECT count(*) FROM sessions WHERE token_hash = decode('%s', 'hex')" % h) == "0",
           "the session row is still there after logout")
    r = env.get("/my", headers={"Cookie": "mm_session=" + token})
    check_app_error_page(r, 401, "GET /my with the token after logout")


@test
def logout_needs_csrf_token(env):
    use_profile(env)
    b = Browser(env)
    anon = b.csrf()                 # the browser's anonymous token
    sign_in(env, b=b, user=new_user("csrf"))
    good = b.csrf("/my")
    expect(good != anon, "the session's CSRF token equals the anonymous one")
    for what, fields, extra in (("without a token", {}, {}),
                                ("with a wrong token", {"csrf_token": "0" * 64}, {}),
                                ("with the anonymous token", {"csrf_token": anon}, {}),
                                ("from another Origin", {"csrf_token": good},
                                 {"Origin": "https://evil.example"})):
        r = b.post("/auth/logout", fields, **extra)
        check_app_error_page(r, 403, "POST /auth/logout " + what)
        expect(session_cookie(r) is None, "POST /auth/logout %s touched the cookie: %s", what, show(r))
        r = b.get("/my")
        expect(r.status == 200, "after POST /auth/logout %s: no longer signed in: %s", what, show(r))


@test
def session_idle_expiry(env):
    use_profile(env)
    b, _, _ = sign_in(env, user=new_user("idle"))
    h = hashlib.sha256(b.cookies["mm_session"].encode()).hexdigest()
    expect(b.get("/my").status == 200, "GET /my right after signing in")
    sql(env, "UPDATE sessions SET idle_expires_at = now() - interval '1 s' "
             "WHERE token_hash = decode('%s', 'hex')" % h)
    r = b.get("/my")
    check_app_error_page(r, 401, "GET /my after the idle expiry")
    expect(b"Sign-in required" in r.body, "401 page lacks 'Sign-in required': %s", show(r, 2000))


@test
def session_absolute_expiry(env):
    """Activity slides the idle expiry but never past expires_at."""
    use_profile(env)
    b, _, _ = sign_in(env, user=new_user("abs"))
    h = hashlib.sha256(b.cookies["mm_session"].encode()).hexdigest()
    where = "WHERE token_hash = decode('%s', 'hex')" % h
    sql(env, "UPDATE sessions SET expires_at = now() + interval '1.2 s', "
             "idle_expires_at = now() + interval '1.2 s' " + where)
    t0 = time.monotonic()
    expect(b.get("/my").status == 200, "GET /my before the absolute expiry")
    same = sql(env, "SELECT idle_expires_at = expires_at FROM sessions " + where)
    expect(same == "t", "activity moved the idle expiry past expires_at (%s)", same)
    time.sleep(max(0, 1.4 - (time.monotonic() - t0)))
    r = b.get("/my")
    check_app_error_page(r, 401, "GET /my after the absolute expiry, though active")


@test
def session_slides_at_most_once_a_minute(env):
    """A page view reads the session; the idle expiry moves (a write) only
    when the last one is over a minute old."""
    use_profile(env)
    b, _, _ = sign_in(env, user=new_user("slide"))
    h = hashlib.sha256(b.cookies["mm_session"].encode()).hexdigest()
    where = "WHERE token_hash = decode('%s', 'hex')" % h
    sql(env, "UPDATE sessions SET last_seen_at = now() - interval '30 s', "
             "idle_expires_at = now() + interval '10 min' " + where)
    before = sql(env, "SELECT idle_expires_at FROM sessions " + where)
    expect(b.get("/my").status == 200, "GET /my")
    after = sql(env, "SELECT idle_expires_at FROM sessions " + where)
    expect(before == after, "a view 30 s after the last one wrote the session (%s -> %s)",
           before, after)
    sql(env, "UPDATE sessions SET last_seen_at = now() - interval '61 s' " + where)
    expect(b.get("/my").status == 200, "GET /my")
    moved = sql(env, "SELECT idle_expires_at > now() + interval '30 min' "
                     "AND last_seen_at > now() - interval '5 s' FROM sessions " + where)
    expect(moved == "t", "a view 61 s after the last one did not slide the idle expiry (%s)",
           moved)


@test
def banned_user_refused(env):
    use_profile(env)
    user = new_user("ban")
    b, _, _ = sign_in(env, user=user)
    sql(env, "UPDATE users SET is_banned = true, ban_reason = 'x' WHERE claimed_id = %s"
        % lit(claimed(env, user)))
    r = b.get("/my")
    check_app_error_page(r, 401, "GET /my with the session of a user banned since")
    before = sessions_count(env)
    b2, _, r = attempt(env, user)
    expect_refused(env, b2, r, "sign-in of a banned user", None, before, title=b"Account suspended")
    expect(signin_log(env, r, event="signin_refused"), "no event=signin_refused line%s", log_hint(env, r))


@test
def first_signin_without_email(env):
    use_profile(env)
    user = new_user("mail", approve={"sreg": ["nickname", "fullname"]})
    before = sessions_count(env)
    b, d, r = attempt(env, user)
    expect(d.get("openid.sreg.email") is None, "the provider sent an email the user did not approve")
    expect_refused(env, b, r, "first sign-in without an email", None, before,
                   title=b"Email address needed")
    expect(b"allow" in r.body and b"email" in r.body, "the page does not say to allow the email: %s",
           show(r, 2000))
    expect(user_row(env, user) is None, "a users row was created without an email: %s", user_row(env, user))


@test
def login_csrf_finish_other_browser(env):
    """The state is bound to the browser that started: an assertion pushed
    into another browser (GET link or POST) cannot finish there."""
    use_profile(env)
    attacker = new_user("att")
    a = Browser(env, "attacker")
    prepare(env.sso, attacker)
    d = from_op(a.start())
    victim = Browser(env, "victim")
    victim.csrf()                           # the victim has a binding cookie of its own
    before = sessions_count(env)
    r = deliver(env, victim, d.copy())
    f = finish(env, victim, r, "victim's finish")
    expect_refused(env, victim, f, "finish in the victim's browser", None, before)
    line = signin_log(env, f)
    expect(line and "bound to another browser" in line, "reason: %r", line)
    # The same state, finished by the starting browser, still works.
    f = a.get(r.header("Location"))
    expect(f.status == 303 and session_cookie(f), "the attacker's own finish failed: %s", show(f))
    # A browser without any binding cookie.
    prepare(env.sso, attacker)
    d = from_op(Browser(env, "a2").start())
    bare = Browser(env, "bare")
    before = sessions_count(env)
    r = deliver(env, bare, d.copy())
    f = finish(env, bare, r, "finish without cookies")
    expect_refused(env, bare, f, "finish without a binding cookie", ["no browser binding cookie at finish"],
                   before)
    expect(user_row(env, attacker) is not None, "the attacker's user row")


@test
def access_levels(env):
    use_profile(env)
    b = Browser(env)
    r = b.get("/my")
    check_app_error_page(r, 401, "GET /my anonymous")
    expect(b"Sign-in required" in r.body, "401 page: %s", show(r, 2000))
    token = b.csrf()
    for fields in ({"csrf_token": token}, {}):
        r = b.post("/auth/logout", fields)
        check_app_error_page(r, 401, "POST /auth/logout anonymous (%s)" % (fields and "with token" or "no token"))


# ---------------------------------------------------------------- 2. bad signature

@test
def m2_bad_sig_stateless(env):
    use_profile(env)
    refused(env, "bad_sig, stateless", new_user("sig"), ["check_authentication: not valid"],
            faults={"bad_sig": True})
    expect(direct_modes(env.sso) == ["check_authentication"], "provider saw %s", direct_modes(env.sso))


# ---------------------------------------------------------------- 3. replays

@test
def m3a_replay_one_shot(env):
    """Default one-shot provider: the same assertion delivered again, by the
    same and by another browser, is rejected and makes no session."""
    use_profile(env)
    user = new_user("rep")
    b, d, _ = sign_in(env, user=user)
    for who in (b, Browser(env, "replayer")):
        before = sessions_count(env)
        r = deliver(env, who, d.copy())
        if who is b:    # b is signed in: it must not get a new session either
            expect(session_cookie(r) is None, "replay set a session cookie")
            who = Browser(env, "b-copy")
        expect_refused(env, who, r, "replay (one-shot OP)", ["state unknown, used or expired"], before)
    n = len(op_requests(env.sso, "check_authentication"))
    expect(n == 1, "the replays reached the provider: %d check_authentication", n)


def replay_rounds(env, d, first_pid, what, reasons, rounds=4, per=6):
    """Delivers d `per` times at once (fresh connections), up to `rounds`
    times, until a worker other than first_pid rejected one; returns the
    pids that rejected."""
    pids = set()
    for _ in range(rounds):
        before = sessions_count(env)
        results = [None] * per

        def one(i):
            bb = Browser(env, "replay-%d" % i)
            try:
                results[i] = (bb, deliver(env, bb, d.copy()))
            except Exception as e:      # reported below
                results[i] = (bb, e)
        threads = [threading.Thread(target=one, args=(i,)) for i in range(per)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        for bb, r in results:
            expect(not isinstance(r, Exception), "%s: a replay request failed: %r", what, r)
            line = expect_refused(env, bb, r, what, reasons, before)
            pids.add(line_pid(line))
        if pids - {first_pid}:
            break
    return pids


@test
def m3b_replay_other_worker(env):
    """one_shot=false: the provider would say is_valid:true again; replays
    sent concurrently reach other workers and are all rejected."""
    use_profile(env)
    user = new_user("rpw")
    b, d, f = sign_in(env, user=user, faults={"one_shot": False})
    first_pid = return_pid(env)
    pids = replay_rounds(env, d, first_pid, "replay, one_shot=false",
                         ["state unknown, used or expired", "nonce seen before: a replay"])
    print("    accepted by worker %s; replays rejected by workers %s" % (first_pid, sorted(pids)))
    expect(pids - {first_pid}, "every replay reached worker %s, the one that accepted" % first_pid)
    expect(len(op_requests(env.sso, "check_authentication")) == 1,
           "replays reached the provider: %s", direct_modes(env.sso))


def reuse_nonce_concurrently(env, user, nonce, first_pid, what, per=5, rounds=3):
    """`per` fresh sign-ins (each its own browser and state) whose
    assertions carry `nonce`, delivered at once so that they spread over
    the workers; every one must be rejected by the nonce store.  Repeated
    until a worker other than first_pid rejected one; returns the pids."""
    pids = set()
    for _ in range(rounds):
        flows = []
        for i in range(per):
            b = Browser(env, "reuse-%d" % i)
            prepare(env.sso, user, {"reuse_nonce": nonce})
            d = from_op(b.start())
            expect(d.get("openid.response_nonce") == nonce, "the provider did not reuse the nonce")
            flows.append((b, d))
        before = sessions_count(env)
        results = [None] * per

        def one(i):
            b, d = flows[i]
            try:
                results[i] = deliver(env, b, d)
            except Exception as e:      # reported below
                results[i] = e
        threads = [threading.Thread(target=one, args=(i,)) for i in range(per)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        for (b, _), r in zip(flows, results):
            expect(not isinstance(r, Exception), "%s: a request failed: %r", what, r)
            line = expect_refused(env, b, r, what, ["nonce seen before: a replay"], before)
            pids.add(line_pid(line))
        if pids - {first_pid}:
            break
    return pids


def return_pid(env):
    """The worker that answered the last successful return step."""
    pid = None
    for ln in env.server_log().splitlines():
        if 'path="/auth/ubuntu/return"' in ln and "status=303" in ln:
            pid = line_pid(ln)
    return pid


@test
def m3b_nonce_store_shared(env):
    """A fresh, validly signed assertion (new state, new handle: the
    provider says is_valid:true) carrying an already accepted nonce is
    rejected by our nonce store, in whichever worker it lands."""
    use_profile(env)
    user = new_user("non")
    b, d, f = sign_in(env, user=user, faults={"one_shot": False})
    nonce = d.get("openid.response_nonce")
    first_pid = return_pid(env)
    expect(nonce and signin_log(env, f, event="signed_in"), "no nonce or no event=signed_in")
    pids = reuse_nonce_concurrently(env, user, nonce, first_pid, "stateless: reused nonce")
    print("    nonce accepted by worker %s; reuse rejected by workers %s" % (first_pid, sorted(pids)))
    expect(pids - {first_pid}, "all reuses landed on the accepting worker %s", first_pid)
    n = len(op_requests(env.sso, "check_authentication"))
    expect(n == 5, "the provider saw %d check_authentication for 5 reused-nonce assertions", n)
    n = sql(env, "SELECT count(*) FROM openid_nonces WHERE nonce = %s" % lit(nonce))
    expect(n == "1", "openid_nonces rows for the nonce: %s", n)


# ---------------------------------------------------------------- 4. nonces

@test
def m4_nonce_expired(env):
    use_profile(env)
    refused(env, "nonce 600 s old (window 300)", new_user("old"), ["response_nonce too old"],
            faults={"nonce_offset": -600})
    expect(not op_requests(env.sso, "check_authentication"), "an expired nonce was sent to the provider")
    refused(env, "nonce 330 s old (window 300)", new_user("old"), ["response_nonce too old"],
            faults={"nonce_offset": -330})


@test
def m4_nonce_future(env):
    use_profile(env)
    refused(env, "nonce 600 s ahead", new_user("fut"), ["response_nonce in the future"],
            faults={"nonce_offset": 600})
    expect(not op_requests(env.sso, "check_authentication"), "a future nonce was sent to the provider")


@test
def m4_nonce_malformed(env):
    use_profile(env)
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    for bad in ("garbage-nonce-xxxxxxxxxxx", now[:10] + " " + now[11:] + "abc",
                now.replace("T", "t") + "abc", now[:-1] + "abc", "2024-13-45T99:00:00Zabc",
                now + "a\u00e9b", "x"):
        refused(env, "malformed nonce %r" % bad, new_user("mal"),
                ["malformed response_nonce", "response_nonce too old"], faults={"reuse_nonce": bad})


# ---------------------------------------------------------------- 5. return_to

def own(env):
    return "http://127.0.0.1:%d" % env.port


def state_of(d):
    return dict(d.query).get("state")


def _rt_case(env, what, user, make_rt, reasons):
    """The provider signs make_rt(our return_to) instead of ours; the
    answer still comes to our return_to."""
    b = Browser(env)
    prepare(env.sso, user)
    loc = b.start()
    ours = urllib.parse.parse_qs(urllib.parse.urlsplit(loc).query)["openid.return_to"][0]
    env.sso.faults(return_to=make_rt(ours))
    before = sessions_count(env)
    r = deliver(env, b, from_op(loc))
    expect_refused(env, b, r, what, reasons, before)


@test
def m5_return_to_other_path(env):
    use_profile(env)
    user = new_user("rtp")
    for path in ("/auth/ubuntu/other", "/auth/ubuntu/return/", "/my", "/auth/ubuntu/finish",
                 "/Auth/ubuntu/return"):
        _rt_case(env, "signed return_to with path %s" % path, user,
                 lambda ours: own(env) + path + ours[ours.index("?"):],
                 ["return_to path differs from callback"])


@test
def m5_return_to_other_host(env):
    use_profile(env)
    user = new_user("rth")
    for other in ("http://evil.example:%d" % env.port, "http://localhost:%d" % env.port,
                  "https://127.0.0.1:%d" % env.port, "http://127.0.0.1:%d" % (env.port + 1)):
        _rt_case(env, "signed return_to on %s" % other, user,
                 lambda ours: other + ours[len(own(env)):],
                 ["return_to host differs from callback", "return_to scheme differs from callback",
                  "return_to port differs from callback"])


@test
def m5_return_to_state(env):
    """Missing or changed state: in the signed return_to or in the request."""
    use_profile(env)
    user = new_user("rts")
    cb = own(env) + "/auth/ubuntu/return"
    # Signed return_to without our state (the request still has it).
    _rt_case(env, "signed return_to without state", user, lambda ours: cb,
             ["request parameter not in return_to", "no state in return_to"])
    # Signed return_to carrying another live state (another browser's).
    other = Browser(env, "other")
    prepare(env.sso, user)
    other_rt = urllib.parse.parse_qs(urllib.parse.urlsplit(other.start()).query)["openid.return_to"][0]
    _rt_case(env, "signed return_to with another browser's state", user, lambda ours: other_rt,
             ["return_to parameter differs in request"])
    # The request's state removed, changed, doubled.
    for what, fn, reasons in (
            ("request without state", lambda d: d.remove("state", d.query),
             ["return_to parameter missing in request"]),
            ("request with a changed state", lambda d: d.query.__setitem__(0, ("state", "A" * 43)),
             ["return_to parameter differs in request"]),
            ("request with the state twice", lambda d: d.query.append(("state", state_of(d))),
             ["request parameter given twice"])):
        refused(env, what, user, reasons, mutate=fn)


@test
def m5_return_to_extra_param(env):
    use_profile(env)
    user = new_user("rte")
    refused(env, "extra query parameter", user, ["request parameter not in return_to"],
            mutate=lambda d: d.query.append(("next", "/admin")))
    refused(env, "extra parameter with an openid-like name", user, ["request parameter not in return_to"],
            mutate=lambda d: d.query.append(("openidx", "1")))


# ---------------------------------------------------------------- 6. unsigned extensions

@test
def m6_unsigned_extension(env):
    use_profile(env)
    victim = new_user("vic")
    sign_in(env, user=victim)
    vrow = user_row(env, victim)
    # The nickname left out of openid.signed.
    u = new_user("uns")
    refused(env, "unsigned sreg.nickname", u, ["extension not entirely signed"],
            faults={"unsigned": ["sreg.nickname"]})
    # The user shared no nickname; the attacker appends the victim's name.
    u = new_user("inj", approve={"sreg": ["email", "fullname"]})
    refused(env, "appended unsigned sreg.nickname", u, ["extension not entirely signed"],
            faults={"append_unsigned": {"sreg.nickname": victim["nickname"]}})
    # ... or the victim's email as the user shared none.
    u = new_user("inm", approve={"sreg": ["nickname", "fullname"]})
    refused(env, "appended unsigned sreg.email", u, ["extension not entirely signed"],
            faults={"append_unsigned": {"sreg.email": victim["email"]}})
    # An unsigned email next to a signed nickname.
    u = new_user("une")
    refused(env, "unsigned sreg.email", u, ["extension not entirely signed"],
            faults={"unsigned": ["sreg.email"]})
    # The SREG namespace declaration itself unsigned.
    u = new_user("unn")
    refused(env, "unsigned ns.sreg", u, ["extension not entirely signed"],
            faults={"unsigned": ["ns.sreg"]})
    # No nickname at all: the nickname is mandatory.
    u = new_user("nonick", approve={"sreg": ["email", "fullname"]})
    refused(env, "no nickname shared", u, ["no valid signed nickname"])
    expect(user_row(env, victim) == vrow, "the victim's row changed: %s -> %s", vrow, user_row(env, victim))
    n = sql(env, "SELECT count(*) FROM users WHERE name = %s OR email = %s"
            % (lit(victim["nickname"]), lit(victim["email"])))
    expect(n == "1", "%s users now carry the victim's name or email", n)


# ---------------------------------------------------------------- 7. pinning

def evil_clean(env, what):
    reqs = env.evil_sso.requests()
    expect(reqs == [], "%s: membermail sent %d request(s) to the evil provider: %s",
           what, len(reqs), [(e["method"], e["path"][:80]) for e in reqs])


def evil_attempt(env, what, user, evil_faults, reasons, real_faults=None, checked=False):
    """The browser's checkid_setup goes to the evil provider; its assertion
    is delivered to us; the evil provider must hear nothing from us."""
    evil = env.evil_sso
    prepare(evil, user, evil_faults)
    prepare(env.sso, user, real_faults)
    b = Browser(env)
    loc = b.start()
    d = from_op(retarget(loc, evil.base))
    evil.clear_requests()
    before = sessions_count(env)
    r = deliver(env, b, d)
    expect_refused(env, b, r, what, reasons, before)
    evil_clean(env, what)
    n = len(op_requests(env.sso, "check_authentication"))
    expect(n == (1 if checked else 0), "%s: %d check_authentication sent to the pinned provider",
           what, n)


@test
def m7_evil_op_endpoint(env):
    use_profile(env)
    u = new_user("evl")
    # Everything from the evil provider: its endpoint, its claimed id.
    evil_attempt(env, "assertion of the evil provider", u, None,
                 ["op_endpoint is not the configured endpoint"])
    # The pinned provider signs the evil endpoint (op_endpoint knob).
    refused(env, "op_endpoint of the evil provider", u, ["op_endpoint is not the configured endpoint"],
            faults={"op_endpoint": env.evil_sso.endpoint})
    expect(not op_requests(env.sso, "check_authentication"), "check_authentication sent anyway")
    evil_clean(env, "op_endpoint knob")


@test
def m7_evil_claims_pinned_identity(env):
    """The evil provider names our endpoint and a claimed id under our
    prefix (the Steam attack): only check_authentication at the pinned
    endpoint can tell, and it says no."""
    use_profile(env)
    u = new_user("stm")
    evil_attempt(env, "evil provider naming the pinned endpoint", u,
                 {"op_endpoint": env.sso.endpoint, "claimed_id": claimed(env, u),
                  "identity": claimed(env, u)},
                 ["check_authentication: not valid"], checked=True)


@test
def m7_claimed_id_pinning(env):
    use_profile(env)
    u = new_user("cid")
    other = new_user("cid")
    evil_cid = env.evil_sso.prefix + u["oid"]
    for what, faults in (
            ("claimed_id of the evil provider", {"claimed_id": evil_cid, "identity": evil_cid}),
            ("identity differs from claimed_id", {"identity": claimed(env, other)}),
            ("claimed_id differs from identity", {"claimed_id": claimed(env, other)}),
            ("claimed_id outside the prefix", {"claimed_id": env.sso.base + "/~" + u["nickname"],
                                               "identity": env.sso.base + "/~" + u["nickname"]}),
            ("claimed_id with a path under the prefix", {"claimed_id": claimed(env, u) + "/../../x",
                                                         "identity": claimed(env, u) + "/../../x"}),
            ("claimed_id with a query", {"claimed_id": claimed(env, u) + "?x=1",
                                         "identity": claimed(env, u) + "?x=1"}),
            ("claimed_id of login.ubuntu.com", {"claimed_id": "https://login.ubuntu.com/+id/" + u["oid"],
                                               "identity": "https://login.ubuntu.com/+id/" + u["oid"]}),
            ("claimed_id is the bare prefix", {"claimed_id": env.sso.prefix, "identity": env.sso.prefix})):
        refused(env, what, u, ["claimed_id not under the identity prefix", "identity differs from claimed_id"],
                faults=faults)
        expect(not op_requests(env.sso, "check_authentication"), "%s: check_authentication sent", what)
        expect(not [e for e in env.sso.requests() if "/+id/" in e["path"]],
               "%s: membermail fetched a claimed id (discovery)", what)
        evil_clean(env, what)
    expect(user_row(env, u) is None and user_row(env, other) is None, "a user row was made")


# ---------------------------------------------------------------- 8. negative and malformed assertions

def crafted(env, b, fields):
    """A GET delivery to our return_to (from b's start) with these fields."""
    loc = b.start()
    rt = urllib.parse.parse_qs(urllib.parse.urlsplit(loc).query)["openid.return_to"][0]
    return Delivery("GET", rt + "&" + urllib.parse.urlencode(fields))


@test
def m8_cancel(env):
    use_profile(env)
    u = new_user("can")
    before = sessions_count(env)
    b, d, r = attempt(env, u, faults={"cancel": True})
    expect(d.get("openid.mode") == "cancel", "the provider did not cancel")
    expect(r.status == 200 and CANCELLED in r.body, "cancel: want 200 'Sign-in cancelled': %s", show(r, 2000))
    expect(session_cookie(r) is None and sessions_count(env) == before, "cancel made a session")
    # The user declining (no current user at the provider) is a cancel too.
    prepare(env.sso)
    env.sso.call("POST", "/_fake/user", None)
    b = Browser(env)
    r = deliver(env, b, from_op(b.start()))
    expect(r.status == 200 and CANCELLED in r.body, "cancel without a user: %s", show(r, 2000))
    expect(user_row(env, u) is None, "cancel made a user row")


@test
def m8_negative_and_malformed(env):
    use_profile(env)
    u = new_user("neg")
    refused(env, "mode=error", u, ["negative assertion from the OP"], faults={"error": "kaboom"})
    for what, fields, reasons in (
            ("mode=setup_needed", [("openid.ns", NS), ("openid.mode", "setup_needed")],
             ["negative assertion from the OP"]),
            ("unknown mode", [("openid.ns", NS), ("openid.mode", "id_res_or_not")],
             ["missing or unknown openid.mode"]),
            ("no mode", [("openid.ns", NS)], ["missing or unknown openid.mode"]),
            ("OpenID 1.x message", [("openid.ns", "http://openid.net/signon/1.1"), ("openid.mode", "id_res")],
             ["not an OpenID 2.0 message"]),
            ("no fields at all", [], ["not an OpenID 2.0 message"])):
        b = Browser(env)
        prepare(env.sso, u)
        before = sessions_count(env)
        r = deliver(env, b, crafted(env, b, fields))
        expect_refused(env, b, r, what, reasons, before)
    for field in ("response_nonce", "assoc_handle", "op_endpoint", "return_to", "claimed_id", "identity"):
        refused(env, "signed assertion without %s" % field, u,
                ["required field missing", "return_to parameter missing in request"],
                faults={"drop": [field]})
    for field in ("sig", "signed"):
        refused(env, "assertion without %s" % field, u, ["required field missing"],
                faults={"drop_after_sign": [field]})
    refused(env, "signed list names a missing field", u, ["signed field missing", "required field missing"],
            faults={"drop_after_sign": ["sreg.fullname"]})
    refused(env, "required field not signed", u, ["required field not signed"],
            faults={"unsigned": ["response_nonce"]})
    for dup in ("sreg.nickname", {"claimed_id": claimed(env, new_user("dup"))}, "sig", "mode"):
        refused(env, "duplicate key %r" % (dup,), u, ["duplicate openid parameter"],
                faults={"duplicate": dup})
    expect(user_row(env, u) is None, "a user row was made")
    expect(not op_requests(env.sso, "check_authentication"), "a malformed assertion was sent to the provider")


# ---------------------------------------------------------------- 9. check_authentication failures

def transport_failure(env, what, user, faults, reasons=("check_authentication failed",)):
    refused(env, what, user, list(reasons), faults=faults)
    n = len(op_requests(env.sso, "check_authentication"))
    expect(n == 1, "%s: the provider saw %d check_authentication requests, want 1 (no retry)", what, n)


@test
def m9_check_auth_http_errors(env):
    use_profile(env)
    u = new_user("cae")
    transport_failure(env, "check_authentication answered 500", u, {"status": 500})
    transport_failure(env, "check_authentication answered 400 with a KV error", u,
                      {"status": 400, "body": "error:bad request\nmode:error\nns:%s\n" % NS})
    transport_failure(env, "check_authentication answered 503", u, {"status": 503})
    transport_failure(env, "KV error with status 200 (SSO-2013)", u,
                      {"body": "error:bad request\nmode:error\nns:%s\n" % NS},
                      ["check_authentication: not valid"])
    expect(user_row(env, u) is None, "a user row was made")


@test
def m9_check_auth_malformed_body(env):
    use_profile(env)
    u = new_user("cam")
    bad = ("check_authentication failed", "check_authentication: not valid")
    for what, body in (("is_valid:TRUE", "is_valid:TRUE\nns:%s\n" % NS),
                       ("missing ns", "is_valid:true\n"),
                       ("wrong ns", "is_valid:true\nns:http://openid.net/signon/1.1\n"),
                       ("CRLF lines, is_valid:false", "is_valid:false\r\nns:%s\r\n" % NS),
                       ("CR-only line ends", "is_valid:true\rns:%s\r" % NS),
                       ("duplicate is_valid", "is_valid:false\nis_valid:true\nns:%s\n" % NS),
                       ("is_valid twice, true last", "ns:%s\nis_valid:true\nis_valid:true\n" % NS),
                       ("no colon", "is_valid true\nns:%s\n" % NS),
                       ("HTML", "<html><body>is_valid:true</body></html>"),
                       ("empty", ""),
                       ("is_valid:true on a longer line", "is_valid:trueish\nns:%s\n" % NS),
                       ("is_valid:yes", "is_valid:yes\nns:%s\n" % NS)):
        transport_failure(env, "check_authentication body: %s" % what, u, {"body": body}, bad)
    expect(user_row(env, u) is None, "a user row was made")


@test
def m9_check_auth_timeout_not_retried(env):
    """delay_ms beyond sso_timeout (2 s): the provider processed the request
    (and consumed the handle); we give up and never send it again."""
    use_profile(env)
    u = new_user("tmo")
    t0 = time.monotonic()
    refused(env, "check_authentication timed out", u, ["check_authentication failed"],
            faults={"delay_ms": 3000})
    took = time.monotonic() - t0
    expect(took < 2.9, "the return step took %.1fs: the 2 s sso_timeout was not applied", took)
    time.sleep(max(0, 3.2 - took))      # any retry would have arrived by now
    n = len(op_requests(env.sso, "check_authentication"))
    expect(n == 1, "the provider saw %d check_authentication requests after a timeout, want 1", n)
    print("    rejected after %.1fs" % took)


@test
def m9_check_auth_connect_refused(env):
    """Nothing listens at the pinned endpoint when we verify (the provider
    is stopped between its answer and our check): 503, no session, and the
    log says it could not connect.  The provider is restarted on its port."""
    use_profile(env)
    u = new_user("ref")
    b = Browser(env)
    prepare(env.sso, u)
    d = from_op(b.start())
    env.sso.stop()
    try:
        before = sessions_count(env)
        r = deliver(env, b, d)
    finally:
        env.sso.start()
    check_app_error_page(r, 503, "check_authentication with the provider down")
    expect(b"Temporarily unavailable" in r.body, "503 page: %s", show(r, 2000))
    expect(session_cookie(r) is None and sessions_count(env) == before, "a session was made")
    rid = r.header("X-Request-Id")
    fails = [ln for ln in env.server_log().splitlines() if "event=sso_request_failed id=%s" % rid in ln]
    expect(len(fails) == 1 and "outcome=1" in fails[0], "want one sso_request_failed outcome=1 (not sent): %s",
           fails)
    # The provider is back: the next sign-in works.
    sign_in(env, user=u)


# ---------------------------------------------------------------- 1. POST delivery (profile "post")

@test
def signin_stateless_post(env):
    """Matrix row 1, the auto-submitted cross-site POST (no cookies on it)."""
    use_profile(env, "post")
    # A long answer (non-ASCII full name of 254 bytes, a long email, every
    # mapped team): over the provider's 2047-character URL limit, so it
    # auto-POSTs, as Ubuntu One does.
    name = "\u00c5" + "\u00e4\u00f6\u00eb\u00e0\u00e9\u00fc" * 21          # 127 characters, 254 bytes
    user = new_user("pst", fullname=name, teams=["ubuntumembers", "kubuntu-members", "lubuntu-members",
                                                  "edubuntu-members", "ubuntustudio-core",
                                                  "ubuntu-smtp-test"])
    user["email"] = "%s.%s@example.com" % (user["nickname"], "x" * (240 - len(user["nickname"]) - 13))
    b, d, f = sign_in(env, user=user)
    expect(d.method == "POST", "the provider did not deliver a long answer by POST (%d characters)", len(d.target()))
    expect(len(urllib.parse.urlencode(d.body)) > 2047, "the POSTed answer is only %d bytes",
           len(urllib.parse.urlencode(d.body)))
    expect(direct_modes(env.sso) == ["check_authentication"], "provider saw %s", direct_modes(env.sso))
    r = b.get("/my")
    check_html(r, "GET /my after a POST delivery")
    expect(("Hello, " + name).encode() in r.body and user["email"].encode() in r.body,
           "GET /my: %s", show(r, 3000))
    row = user_row(env, user)
    expect(row and row[1:4] == [user["nickname"], user["email"], name], "users row: %s", row)
    # POST delivery variants: a field outside openid.*, a query parameter
    # added, the POST pushed into another browser (login CSRF).
    refused(env, "POST delivery with an extra body field", new_user("pst"),
            ["request parameter not in return_to"],
            faults={"delivery": "post"}, mutate=lambda d: d.body.append(("next", "/x")))
    a = Browser(env, "attacker")
    prepare(env.sso, new_user("pst"), {"delivery": "post"})
    d = from_op(a.start())
    victim = Browser(env, "victim")
    victim.csrf()
    before = sessions_count(env)
    r = deliver(env, victim, d)
    f = finish(env, victim, r, "victim's finish after a POST delivery")
    expect_refused(env, victim, f, "POST-delivered assertion finished in another browser",
                   ["state unknown, expired, finished or bound to another browser"], before)


# ---------------------------------------------------------------- association mode (profile "association")

def assoc_rows(env):
    out = sql(env, "SELECT handle FROM openid_associations WHERE op_endpoint = %s ORDER BY handle"
              % lit(env.sso.endpoint))
    return out.splitlines() if out else []


@test
def signin_association_get(env):
    use_profile(env, "association")
    env.sso.reset()
    sql(env, "DELETE FROM openid_associations")
    user = new_user("asg", fullname="Ann Assoc")
    b, d, _ = sign_in(env, user=user)
    expect(d.method == "GET", "delivery %s", d.method)
    expect(direct_modes(env.sso) == ["associate"],
           "association mode: want one associate and no check_authentication, got %s", direct_modes(env.sso))
    shared = [a["handle"] for a in env.sso.call("GET", "/_fake/associations") if a["kind"] == "shared"]
    expect(assoc_rows(env) == shared and len(shared) == 1, "stored %s, provider's shared %s",
           assoc_rows(env), shared)
    expect(d.get("openid.assoc_handle") == shared[0], "the assertion was not signed with our association")
    body = op_requests(env.sso, "associate")[0]["body"]
    q = urllib.parse.parse_qs(body)
    expect(q.get("openid.session_type") == ["no-encryption"] and q.get("openid.assoc_type") == ["HMAC-SHA256"]
           and "openid.dh_consumer_public" not in q, "associate request: %s", q)
    r = b.get("/my")
    expect(r.status == 200 and b"Hello, Ann Assoc" in r.body, "GET /my: %s", show(r, 2000))
    # A second sign-in reuses the stored association: no direct request.
    sign_in(env, user=new_user("asg"))
    expect(direct_modes(env.sso) == [], "second sign-in: direct requests %s", direct_modes(env.sso))


@test
def signin_association_post(env):
    """POST delivery because the answer is over the provider's URL limit."""
    use_profile(env, "association")
    user = new_user("asp", fullname="Al Post")
    b, d, _ = sign_in(env, user=user, url_limit=200)
    expect(d.method == "POST", "delivery %s", d.method)
    expect("check_authentication" not in direct_modes(env.sso), "provider saw %s", direct_modes(env.sso))
    expect(d.get("openid.assoc_handle") in assoc_rows(env), "not signed with a stored association")
    r = b.get("/my")
    expect(r.status == 200 and b"Hello, Al Post" in r.body, "GET /my: %s", show(r, 2000))


@test
def m2_bad_sig_association(env):
    use_profile(env, "association")
    u = new_user("abs")
    sign_in(env, user=u)                    # an association is stored
    refused(env, "bad_sig, association", u, ["signature mismatch"], faults={"bad_sig": True})
    expect(direct_modes(env.sso) == [], "a locally verifiable assertion went to the provider: %s",
           direct_modes(env.sso))


@test
def m3b_replay_association(env):
    """Association mode (no provider in the loop): the same assertion again,
    to other workers, and a fresh one reusing its nonce, are rejected."""
    use_profile(env, "association")
    u = new_user("arp")
    b, d, f = sign_in(env, user=u)
    first_pid = return_pid(env)
    replay_rounds(env, d, first_pid, "replay, association mode",
                  ["state unknown, used or expired", "nonce seen before: a replay"], rounds=1)
    nonce = d.get("openid.response_nonce")
    pids = reuse_nonce_concurrently(env, u, nonce, first_pid, "association: reused nonce")
    print("    nonce accepted by worker %s; reuse rejected by workers %s" % (first_pid, sorted(pids)))
    expect(pids - {first_pid}, "all reuses landed on worker %s", first_pid)
    expect(direct_modes(env.sso) == [], "direct requests %s", direct_modes(env.sso))


@test
def m10_unsupported_type_falls_back(env):
    use_profile(env, "association")
    sql(env, "DELETE FROM openid_associations")
    u = new_user("uty", fullname="Una Type")
    b, _, _ = sign_in(env, user=u, faults={"unsupported_type": True})
    expect(direct_modes(env.sso) == ["associate", "check_authentication"],
           "unsupported-type: want associate then check_authentication, got %s", direct_modes(env.sso))
    expect(assoc_rows(env) == [], "an association was stored after unsupported-type: %s", assoc_rows(env))
    expect(b"Hello, Una Type" in b.get("/my").body, "GET /my")
    # HTTP error from associate: the same fallback.
    sign_in(env, user=new_user("uty"), faults={"status": 503})
    expect(direct_modes(env.sso) == ["associate", "check_authentication"], "associate 503: %s",
           direct_modes(env.sso))


@test
def m10_invalidate_handle(env):
    """The provider forgot our association: it signs with a private handle
    and invalidate_handle; we verify with check_authentication and delete
    the handle it confirms invalid."""
    use_profile(env, "association")
    sign_in(env, user=new_user("inv"))
    rows = assoc_rows(env)
    expect(len(rows) == 1, "associations before: %s", rows)
    env.sso.call("POST", "/_fake/associations/clear", {"handle": rows[0]})
    u = new_user("inv", fullname="Ivo Invalid")
    b, d, _ = sign_in(env, user=u)
    expect(d.get("openid.invalidate_handle") == rows[0], "no invalidate_handle in the assertion")
    expect(direct_modes(env.sso) == ["check_authentication"], "want one check_authentication: %s",
           direct_modes(env.sso))
    expect(rows[0] not in assoc_rows(env), "the invalidated handle is still stored: %s", assoc_rows(env))
    sign_in(env, user=new_user("inv"))
    expect(direct_modes(env.sso) == ["associate"], "next sign-in: want a new associate, got %s",
           direct_modes(env.sso))
    # An unsigned invalidate_handle naming our live handle, appended by an
    # attacker: whatever becomes of that sign-in, the handle stays stored
    # (only the provider's check_authentication answer may drop it).
    live = assoc_rows(env)
    prepare(env.sso, new_user("inv"), {"append_unsigned": {"invalidate_handle": live[0]}})
    b = Browser(env)
    d = from_op(b.start())
    expect(d.get("openid.assoc_handle") == live[0], "not signed with the live handle")
    r = deliver(env, b, d)
    print("    assertion with an appended invalidate_handle: HTTP %s" % r.status)
    expect(assoc_rows(env) == live, "a live handle was deleted: %s -> %s", live, assoc_rows(env))


@test
def m10_expired_association(env):
    use_profile(env, "association")
    sign_in(env, user=new_user("exp"))
    old = assoc_rows(env)
    expect(len(old) == 1, "associations: %s", old)
    sql(env, "UPDATE openid_associations SET issued_at = now() - interval '2 days', "
             "expires_at = now() - interval '1 s'")
    b, d, _ = sign_in(env, user=new_user("exp"))
    expect(direct_modes(env.sso) == ["associate"], "expired association: want a new associate, got %s",
           direct_modes(env.sso))
    new = [h for h in assoc_rows(env) if h not in old]
    expect(len(new) == 1 and d.get("openid.assoc_handle") == new[0],
           "the assertion was not signed with the new association (%s, stored %s)",
           d.get("openid.assoc_handle"), assoc_rows(env))
    # Expiring within 5 minutes counts as expired for new sign-ins.
    sql(env, "UPDATE openid_associations SET expires_at = now() + interval '2 min' WHERE handle = %s"
        % lit(new[0]))
    sign_in(env, user=new_user("exp"))
    expect(direct_modes(env.sso) == ["associate"], "association expiring in 2 min: %s", direct_modes(env.sso))


# ---------------------------------------------------------------- rate limit (last)

@test
def signin_rate_limit(env):
    """More than login_rate_limit (8) sign-in starts a minute from one
    address: 429 with Retry-After, and no login state made."""
    use_profile(env)
    b = Browser(env)
    token = b.csrf()
    # The windows are fixed minutes: do not straddle one.
    sec = float(sql(env, "SELECT extract(epoch FROM now())::numeric % 60"))
    if sec > 55:
        time.sleep(60.3 - sec)
    sql(env, "DELETE FROM rate_limits")
    try:
        statuses = []
        for _ in range(8):
            statuses.append(b.post("/auth/ubuntu", {"csrf_token": token}).status)
        expect(statuses == [303] * 8, "the first 8 starts: %s", statuses)
        states = sql(env, "SELECT count(*) FROM login_states")
        r = b.post("/auth/ubuntu", {"csrf_token": token})
        check_app_error_page(r, 429, "the 9th POST /auth/ubuntu within a minute")
        ra = r.header("Retry-After") or ""
        expect(ra.isdigit() and 1 <= int(ra) <= 120, "Retry-After %r", ra)
        expect(b"Too many attempts" in r.body, "429 page: %s", show(r, 2000))
        expect(sql(env, "SELECT count(*) FROM login_states") == states, "a 429 start made a login state")
        bucket = sql(env, "SELECT bucket || ' ' || hits FROM rate_limits WHERE bucket LIKE 'login:%'")
        expect(bucket.startswith("login:127.0.0.1 "), "rate_limits rows: %r", bucket)
    finally:
        sql(env, "DELETE FROM rate_limits")
    r = b.post("/auth/ubuntu", {"csrf_token": token})
    expect(r.status == 303, "after resetting rate_limits: %s", show(r))
