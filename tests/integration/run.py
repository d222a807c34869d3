#!/usr/bin/python3
"""membermail integration tests: PostgreSQL + nginx + `membermail serve`.

    /usr/bin/python3 tests/integration/run.py --build-dir build/asan [--keep] [--only SUBSTR]

Creates a temporary directory holding a private PostgreSQL 15 cluster
(unix socket only; the database `membermail` migrated by `membermail
migrate up` as mm_owner and seeded with the Ubuntu domains; the app logs in
as mm_web), a membermail config, the FastCGI socket, a copy of views/static
and a private nginx rendered from deploy/nginx/ (the same snippets as
production; only the socket path, the static directory, ports, certificate
and log paths are rewritten), starts `membermail serve` and nginx, runs
every test (the database tests are in test_db.py), stops everything it
started (also on failure or Ctrl-C), scans the output of every membermail
process for sanitizer reports and prints, last, "integration: N passed, N
failed".

Standard library only.
"""

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import fcgi    # noqa: E402
import mailstack   # noqa: E402
import stack   # noqa: E402
from stack import http_request, wait_until   # noqa: E402

WORKERS = 3
LMTP_WORKERS = 2               # the default server's LMTP pool (mailbox_settings)
DNS_FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "dns", "fixtures.conf")
MAX_BODY = 1024                 # the app's max_body ("1k")
NGINX_MAX_BODY = 64 * 1024      # client_max_body_size in membermail-common.conf
SHUTDOWN_TIMEOUT = 10

LANDING = {
    "ubuntu": "ubuntu.com",
    "kubuntu": "kubuntu.org",
    "lubuntu": "lubuntu.me",
    "edubuntu": "edubuntu.org",
    "ubuntustudio": "ubuntustudio.com",
}
HTML = "text/html; charset=utf-8"
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z level=\w+ pid=\d+ ")
SANITIZER = ("AddressSanitizer", "LeakSanitizer", "UndefinedBehaviorSanitizer", "runtime error:")


class Fail(Exception):
    pass


class Skip(Exception):
    """Reported as a skip, never counted as a pass."""


def expect(cond, msg, *args):
    if not cond:
        raise Fail(msg % args if args else msg)


def show(r, body=300):
    """A short description of a response for failure messages."""
    if r is None:
        return "no response"
    if isinstance(r, fcgi.Response):
        return "FastCGI status=%s complete=%s headers=%s body=%r" % (
            r.status, r.complete, r.headers, r.body[:body])
    hdrs = {n: v for n, v in r.headers if n.lower() not in ("date", "content-security-policy",
                                                          "permissions-policy")}
    return "HTTP %s %s headers=%s body=%r" % (r.status, r.reason, hdrs, r.body[:body])


# ---------------------------------------------------------------- the stack

class Env:
    max_body = "1k"             # the app's max_body (MAX_BODY)

    def __init__(self, build_dir, base):
        self.build_dir = build_dir
        self.binary = os.path.join(build_dir, "membermail")
        self.base = base
        self.sock = os.path.join(base, "membermail.sock")
        self.lmtp_sock = os.path.join(base, "lmtp.sock")
        # The LMTP test hooks' files, in a directory the workers (who remove
        # them) may write: while lmtp-drop-reply exists, the service drops
        # the connection after storing a message, once (the lost 250);
        # while lmtp-stall exists, a message waits before it is stored.
        hooks = os.path.join(base, "hooks")
        os.makedirs(hooks, exist_ok=True)
        os.chmod(hooks, 0o777)
        self.lmtp_drop_reply = os.path.join(hooks, "lmtp-drop-reply")
        self.lmtp_stall = os.path.join(hooks, "lmtp-stall")
        self.static = os.path.join(base, "static")
        self.conf = os.path.join(base, "membermail.conf")
        self.nginx_prefix = os.path.join(base, "nginx")
        self.port = stack.free_port()
        self.pg = stack.Postgres(os.path.join(base, "pg"))
        self.seeded_with = None
        self.server = None
        self.serve_logs = []         # every membermail log, for the sanitizer scan
        self.start_failures = 0
        self.last_start_error = None
        self.nginx = None
        # The fake Ubuntu One the server is configured with, and the "evil"
        # provider of the pinning tests (test_signin.py).
        self.sso = stack.FakeSSO(os.path.join(base, "sso.log"))
        self.evil_sso = stack.FakeSSO(os.path.join(base, "sso-evil.log"), name="sso-evil")
        # provisioning (test_provision.py): the fake Launchpad every
        # server and `membermail sync` of the run is configured with
        self.lp = stack.FakeLaunchpad(os.path.join(base, "launchpad.log"))
        # domain verification (test_verify.py): dnsmasq serving the
        # fixtures of tests/integration/dns/, two faulty upstreams
        self.dns_faults = None
        self.dns = None
        self.mail = None        # test_mail.py's daemons, started on first use

    def signin_settings(self):
        """The sign-in settings of the test config: the fake provider,
        stateless verification, a short timeout, a small rate limit."""
        return [("sso_endpoint", self.sso.endpoint), ("sso_identity_prefix", self.sso.prefix),
                ("openid_mode", "stateless"), ("sso_timeout", "2"), ("nonce_window", "300"),
                ("login_rate_limit", "8")]

    def nginx_sso_origin(self):
        """The origin nginx's CSP form-action allows besides our own: the
        production one (what the header tests check); the browser suite
        names the fake provider, which Chromium must be allowed to reach."""
        return "https://login.ubuntu.com"

    def dns_settings(self):
        """domain verification (test_verify.py): the run's dnsmasq, one
        try of one second (a timeout costs 1 s), a grace of 72 hours."""
        return [("dns_server", self.dns.server), ("dns_timeout", "1"), ("dns_attempts", "1"),
                ("verification_grace_hours", "72"), ("verification_check_interval", "60")]

    def provision_settings(self):
        """provisioning (test_provision.py): the fake Launchpad, short
        timeouts and retries, a sign-in budget of 3 s."""
        return [("launchpad_api", self.lp.api), ("launchpad_timeout", "2"),
                ("launchpad_retries", "2"), ("signin_sync_budget", "3000"),
                ("alerts_to", "ops@example.org")]

    def mailbox_settings(self):
        """Encrypted mailboxes (test_mailbox.py): the LMTP service on its
        socket, Argon2id at its least cost (the tests are about the wraps,
        not the cost), a message bound for the 20 MB attachment."""
        s = [("lmtp_listen", "unix:" + self.lmtp_sock), ("lmtp_workers", str(LMTP_WORKERS)),
             ("pwhash_opslimit", "1"), ("pwhash_memlimit", "8m"),
             ("max_message_size", "40m"), ("mailbox_quota", "100m")]
        if stack.is_root():
            s.append(("lmtp_socket_group", "postfix"))     # its lmtp client runs as postfix
        return s

    # -- setup
    def setup(self):
        # The nginx workers (nobody when we are root) must reach the socket,
        # the static files and the temp dirs.
        os.chmod(self.base, 0o755)
        src = os.path.join(stack.REPO, "views", "static")
        if os.path.isdir(src):
            shutil.copytree(src, self.static)
        else:
            os.makedirs(self.static)
        # A community mark a site admin may choose (static_dir's logos/).
        os.makedirs(os.path.join(self.static, "logos"), exist_ok=True)
        with open(os.path.join(self.static, "logos", "test-mark.svg"), "w") as f:
            f.write('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>\n')
        for root, dirs, files in os.walk(self.static):
            os.chmod(root, 0o755)
            for f in files:
                os.chmod(os.path.join(root, f), 0o644)
        self.sso.start()
        self.evil_sso.start()
        self.lp.start()     # provisioning (test_provision.py)
        self.dns_faults = mailstack.DnsFaults()
        self.dns = mailstack.Dnsmasq(os.path.join(self.base, "dns"), conf_files=[DNS_FIXTURES],
                                     subst={"SERVFAIL": self.dns_faults.servfail,
                                            "SILENT": self.dns_faults.silent}).start()
        stack.render_config(self.conf, stack.config_settings(
            self.sock, workers=WORKERS, max_body=self.max_body, shutdown_timeout=SHUTDOWN_TIMEOUT,
            public_url="http://127.0.0.1:%d" % self.port, database=self.pg.conninfo(),
            extra=self.signin_settings() + self.provision_settings() + self.dns_settings() +
            self.mailbox_settings() + [("static_dir", self.static)]))
        # PostgreSQL: migrated as the owner, the app's login role, the domains.
        self.pg.init().start()
        stack.provision_database(self.pg, self.binary, conf=self.conf)
        self.seeded_with = stack.seed_domains(self.pg, self.binary, self.conf, record=self.keep_cli_output)
        stack.render_nginx(self.nginx_prefix, self.sock, self.static,
                           listen="127.0.0.1:%d" % self.port, sso_origin=self.nginx_sso_origin())
        self.nginx = stack.Nginx(self.nginx_prefix).start([self.port])

    def new_server(self, conf=None, sock=None, workers=WORKERS, tag="serve"):
        log = os.path.join(self.base, "%s-%d.log" % (tag, len(self.serve_logs) + 1))
        self.serve_logs.append(log)
        m = stack.Membermail(self.binary, conf or self.conf, log, sock or self.sock, workers)
        if conf is None:
            m.lmtp_wanted = LMTP_WORKERS
        return m

    def ensure_server(self):
        """A running, ready `membermail serve` on self.sock (restarted if a
        previous test stopped it)."""
        if self.server is not None and self.server.proc.running():
            return self.server
        if self.start_failures >= 2:
            raise Fail("membermail serve could not be started (gave up): %s" % self.last_start_error)
        self.server = self.new_server().start(
            extra_env={"MM_TEST_LMTP_DROP_REPLY": self.lmtp_drop_reply,
                       "MM_TEST_LMTP_STALL": self.lmtp_stall})
        try:
            self.server.wait_ready()
        except RuntimeError as e:
            self.start_failures += 1
            self.last_start_error = str(e)
            self.server.stop(signal.SIGTERM, 5)
            raise Fail(str(e))
        self.start_failures = 0
        # nginx answers /healthz through the socket
        ok = wait_until(lambda: self._healthz_status() == 200, 10, 0.1)
        if not ok:
            raise Fail("GET /healthz through nginx never answered 200 (last: %s); nginx errors:\n%s"
                       % (self._healthz_status(), self.nginx.error_log(10)))
        return self.server

    def restart_server(self):
        if self.server is not None:
            self.server.stop(signal.SIGTERM, 10)
        self.server = None
        return self.ensure_server()

    def _healthz_status(self):
        try:
            return http_request(self.port, "GET", "/healthz", timeout=5).status
        except OSError:
            return None

    # -- helpers for tests
    def get(self, path, **kw):
        return http_request(self.port, "GET", path, **kw)

    def req(self, method, path, **kw):
        return http_request(self.port, method, path, **kw)

    def server_log(self):
        return self.server.output() if self.server else ""

    def log_line_for(self, request_id, timeout=3.0):
        """The server's event=request line carrying request_id."""
        def find():
            for line in self.server_log().splitlines():
                if "event=request " in line and request_id in line:
                    return line
            return None
        return wait_until(find, timeout)

    def keep_cli_output(self, argv, code, output):
        """Keeps the output of a CLI run made elsewhere for the scan."""
        log = os.path.join(self.base, "cli-%d.log" % (len(self.serve_logs) + 1))
        with open(log, "w") as f:
            f.write("$ %s\nexit %s\n%s" % (" ".join(argv), code, output))
        self.serve_logs.append(log)

    def run_cli(self, args, timeout=30):
        """Runs the binary to completion; its output is kept for the scan."""
        log = os.path.join(self.base, "cli-%d.log" % (len(self.serve_logs) + 1))
        self.serve_logs.append(log)
        with open(log, "wb") as f:
            try:
                r = subprocess.run([self.binary] + args, stdin=subprocess.DEVNULL, stdout=f,
                                   stderr=subprocess.STDOUT, timeout=timeout,
                                   env=stack.sanitizer_env())
                code = r.returncode
            except subprocess.TimeoutExpired:
                code = None
        with open(log, "rb") as f:
            return code, f.read().decode("utf-8", "replace")


# ---------------------------------------------------------------- checks

def settled(client, path, pred, timeout=2):
    """A change reaches each worker's cached pages by NOTIFY, which
    PostgreSQL delivers just after the commit the client has already
    seen: waits (milliseconds) until every worker answers path as pred
    wants (2 * WORKERS answers in a row), then returns one more answer.
    client: the env or a Browser (its session's pages)."""
    streak = [0]

    def seen():
        streak[0] = streak[0] + 1 if pred(client.get(path)) else 0
        return streak[0] >= WORKERS * 2
    wait_until(seen, timeout, 0.01)
    return client.get(path)


def check_html(r, what):
    expect(r.status == 200, "%s: want 200, got %s", what, show(r))
    expect(r.header("Content-Type") == HTML, "%s: want Content-Type %r, got %r",
           what, HTML, r.header("Content-Type"))
    expect(b"<html" in r.body and b"</html>" in r.body, "%s: not a whole HTML page: %s", what, show(r))


def check_security_headers(r, what, tls=False):
    csp = r.header("Content-Security-Policy") or ""
    for part in ("default-src 'self'", "frame-ancestors 'none'", "base-uri 'self'",
                 "form-action 'self' https://login.ubuntu.com"):
        expect(part in csp, "%s (status %s): CSP lacks %r: got %r", what, r.status, part, csp)
    expect(len(r.header_all("Content-Security-Policy")) == 1,
           "%s: Content-Security-Policy sent %d times", what, len(r.header_all("Content-Security-Policy")))
    expect(r.header("X-Content-Type-Options") == "nosniff",
           "%s (status %s): X-Content-Type-Options %r", what, r.status, r.header("X-Content-Type-Options"))
    expect(r.header("Referrer-Policy") == "strict-origin-when-cross-origin",
           "%s (status %s): Referrer-Policy %r", what, r.status, r.header("Referrer-Policy"))
    expect(r.header("X-Frame-Options") == "DENY",
           "%s (status %s): X-Frame-Options %r", what, r.status, r.header("X-Frame-Options"))
    rid = r.header("X-Request-Id") or ""
    expect(re.fullmatch(r"[0-9a-f]{32}", rid), "%s (status %s): X-Request-Id %r", what, r.status, rid)
    expect(r.header("Server") == "nginx", "%s: Server header %r (server_tokens off?)",
           what, r.header("Server"))
    expect(r.header("X-Powered-By") is None, "%s: X-Powered-By leaked", what)
    hsts = r.header("Strict-Transport-Security")
    if tls:
        expect(hsts and "max-age=" in hsts, "%s over TLS: Strict-Transport-Security %r", what, hsts)
    else:
        expect(hsts is None, "%s over plain HTTP: unexpected Strict-Transport-Security %r", what, hsts)


def check_app_error_page(r, status, what):
    expect(r.status == status, "%s: want %d, got %s", what, status, show(r))
    expect(r.header("Content-Type") == HTML, "%s: error page Content-Type %r, want %r",
           what, r.header("Content-Type"), HTML)
    expect(b"<html" in r.body and b"</html>" in r.body, "%s: error page is not HTML: %s", what, show(r))
    expect(b"<center>nginx</center>" not in r.body, "%s: nginx's page, not the app's: %s", what, show(r))
    check_security_headers(r, what)


TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


# ---------------------------------------------------------------- nginx config

@test
def nginx_config_valid(env):
    code, out = stack.Nginx(env.nginx_prefix).test_config()
    expect(code == 0, "nginx -t on the rendered test config failed: %s", out)
    with open(os.path.join(stack.NGINX_DIR, "snippets", "membermail-common.conf")) as f:
        common = f.read()
    with open(os.path.join(stack.NGINX_DIR, "snippets", "membermail-http.conf")) as f:
        httpconf = f.read()
    code_lines = [ln.split("#")[0] for ln in (common + httpconf).splitlines()]
    body = "\n".join(code_lines)
    expect("fastcgi_keep_conn" not in body, "fastcgi_keep_conn must not be used: a kept-alive connection pins a worker")
    expect(not re.search(r"^\s*keepalive\s+\d", body, re.M), "no upstream keepalive for a blocking pool")
    # add_header only at server level: a location with its own add_header
    # would drop the security headers.
    depth = 0
    for ln in code_lines:
        if depth > 0 and re.match(r"\s*add_header\b", ln):
            raise Fail("add_header inside a location in membermail-common.conf: %r" % ln.strip())
        depth += ln.count("{") - ln.count("}")


@test
def production_site_over_tls(env):
    """deploy/nginx/membermail.conf itself: redirect, TLS, HSTS, headers."""
    env.ensure_server()
    d = os.path.join(env.base, "nginx-prod")
    os.makedirs(d, mode=0o755)
    cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
    r = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=localhost", "-keyout", key, "-out", cert],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    expect(r.returncode == 0, "openssl could not make a test certificate: %s", r.stdout[-500:])
    hp, sp = stack.free_port(), stack.free_port()
    stack.render_nginx(d, env.sock, env.static,
                       production={"http": hp, "https": sp, "cert": cert, "key": key})
    ng = stack.Nginx(d)
    code, out = ng.test_config()
    expect(code == 0, "nginx -t on deploy/nginx/membermail.conf failed: %s", out)
    ng.start([hp, sp])
    try:
        r = http_request(hp, "GET", "/ubuntu?x=1")
        expect(r.status == 301, "plain HTTP: want 301 redirect, got %s", show(r))
        expect(r.header("Location") == "https://membermail.example.org/ubuntu?x=1",
               "redirect Location %r", r.header("Location"))
        expect(r.header("Strict-Transport-Security") is None, "HSTS on plain HTTP")
        r = http_request(sp, "GET", "/ubuntu", tls=True)
        check_html(r, "GET /ubuntu over TLS")
        check_security_headers(r, "GET /ubuntu over TLS", tls=True)
        r = http_request(sp, "GET", "/no-such-page", tls=True)
        expect(r.status == 404, "GET /no-such-page over TLS: %s", show(r))
        check_security_headers(r, "404 over TLS", tls=True)
        r = http_request(sp, "GET", "/static/style.css", tls=True)
        expect(r.status == 200, "GET /static/style.css over TLS: %s", show(r))
        check_security_headers(r, "static over TLS", tls=True)
    finally:
        ng.stop()


# ---------------------------------------------------------------- pages

@test
def healthz(env):
    env.ensure_server()
    r = env.get("/healthz")
    expect(r.status == 200, "GET /healthz: want 200, got %s", show(r))
    ct = r.header("Content-Type") or ""
    expect(ct.startswith("text/plain"), "GET /healthz: Content-Type %r, want text/plain", ct)
    expect(r.body in (b"ok", b"ok\n"), "GET /healthz: body %r, want 'ok'", r.body)


@test
def home_page(env):
    env.ensure_server()
    r = env.get("/")
    check_html(r, "GET /")
    expect(b"An email address for your community" in r.body, "GET /: headline missing: %s", show(r))
    for slug in LANDING:
        expect(('href="/%s"' % slug).encode() in r.body, "GET /: no link to /%s", slug)
    check_security_headers(r, "GET /")


@test
def landing_pages(env):
    env.ensure_server()
    for slug, domain in LANDING.items():
        r = env.get("/" + slug)
        what = "GET /" + slug
        check_html(r, what)
        expect(("@" + domain).encode() in r.body, "%s: no @%s in the page", what, domain)
        expect(b"Log in with Ubuntu One" in r.body, "%s: no 'Log in with Ubuntu One' button", what)
        expect(re.search(rb'<form[^>]*method="post"[^>]*action="/auth/ubuntu"', r.body)
               or re.search(rb'<form[^>]*action="/auth/ubuntu"[^>]*method="post"', r.body),
               "%s: no form posting to /auth/ubuntu", what)
        check_security_headers(r, what)


@test
def home_filter(env):
    env.ensure_server()
    r = env.get("/?q=kubuntu")
    check_html(r, "GET /?q=kubuntu")
    expect(b'href="/kubuntu"' in r.body, "GET /?q=kubuntu: kubuntu not listed")
    expect(b'href="/edubuntu"' not in r.body, "GET /?q=kubuntu: edubuntu listed, list not filtered")
    r = env.get("/?q=zzzz")
    check_html(r, "GET /?q=zzzz")
    expect(b"No community matches" in r.body and b"zzzz" in r.body,
           "GET /?q=zzzz: no 'No community matches ... zzzz': %s", show(r, 2000))


@test
def query_is_escaped(env):
    env.ensure_server()
    q = "<script>alert(1)</script>\"'&"
    r = env.get("/?q=" + urllib.parse.quote(q, safe=""))
    check_html(r, "GET /?q=<script>")
    expect(b"<script>alert" not in r.body, "raw <script>alert echoed: XSS")
    expect(b"&lt;script&gt;alert(1)&lt;/script&gt;" in r.body,
           "escaped &lt;script&gt; not found in the page")
    expect(b"\"'&\"" not in r.body and b'value="<' not in r.body, "quotes/ampersand not escaped")
    check_security_headers(r, "GET /?q=<script>")


@test
def static_files_served_by_nginx(env):
    env.ensure_server()
    for name, ctype in (("style.css", "text/css"), ("logo.svg", "image/svg+xml")):
        src = os.path.join(stack.REPO, "views", "static", name)
        expect(os.path.exists(src), "views/static/%s does not exist", name)
        r = env.get("/static/" + name)
        expect(r.status == 200, "GET /static/%s: %s", name, show(r))
        expect((r.header("Content-Type") or "").startswith(ctype),
               "GET /static/%s: Content-Type %r, want %s", name, r.header("Content-Type"), ctype)
        with open(src, "rb") as f:
            expect(r.body == f.read(), "GET /static/%s: body differs from views/static/%s", name, name)
        expect("max-age=" in (r.header("Cache-Control") or ""), "GET /static/%s: no Cache-Control max-age", name)
        check_security_headers(r, "GET /static/" + name)
    time.sleep(0.2)
    expect('path="/static' not in env.server_log(), "the app saw a /static request; nginx must serve them")
    r = env.get("/static/../membermail.conf")
    expect(r.status in (400, 404), "GET /static/../membermail.conf: %s", show(r))


# ---------------------------------------------------------------- errors

@test
def not_found(env):
    env.ensure_server()
    r = env.get("/no/such/page")
    check_app_error_page(r, 404, "GET /no/such/page")
    r = env.get("/static/no-such-file.css")
    expect(r.status == 404, "GET /static/no-such-file.css: %s", show(r))
    check_security_headers(r, "nginx 404")


@test
def method_not_allowed(env):
    env.ensure_server()
    r = env.req("POST", "/", body=b"a=b",
                headers={"Content-Type": "application/x-www-form-urlencoded"})
    check_app_error_page(r, 405, "POST /")
    allow = [m.strip() for m in (r.header("Allow") or "").split(",")]
    expect("GET" in allow and "HEAD" in allow and "POST" not in allow,
           "POST /: Allow %r, want GET, HEAD", r.header("Allow"))
    r = env.get("/auth/logout")
    check_app_error_page(r, 405, "GET /auth/logout")
    allow = [m.strip() for m in (r.header("Allow") or "").split(",")]
    expect("POST" in allow and "GET" not in allow, "GET /auth/logout: Allow %r, want POST",
           r.header("Allow"))
    r = env.req("DELETE", "/ubuntu")
    check_app_error_page(r, 405, "DELETE /ubuntu")


@test
def head_is_get_without_body(env):
    env.ensure_server()
    g = env.get("/ubuntu")
    h = env.req("HEAD", "/ubuntu")
    expect(h.status == 200, "HEAD /ubuntu: %s", show(h))
    expect(h.body == b"", "HEAD /ubuntu: body of %d bytes", len(h.body))
    expect(h.header("Content-Type") == g.header("Content-Type"),
           "HEAD /ubuntu: Content-Type %r vs GET %r", h.header("Content-Type"), g.header("Content-Type"))
    check_security_headers(h, "HEAD /ubuntu")
    # nginx drops a HEAD body anyway: check the app itself, over FastCGI.
    fg = fcgi.request(env.sock, fcgi.nginx_like_params("GET", "/ubuntu"))
    fh = fcgi.request(env.sock, fcgi.nginx_like_params("HEAD", "/ubuntu"))
    expect(fg.complete and fg.status == 200 and len(fg.body) > 0, "FastCGI GET /ubuntu: %s", show(fg))
    expect(fh.complete and fh.status == 200, "FastCGI HEAD /ubuntu: %s", show(fh))
    expect(fh.body == b"", "FastCGI HEAD /ubuntu: the app sent a body of %d bytes", len(fh.body))
    # The same headers; cookie values are random, so only their names count.
    def shape(headers):
        return sorted((k, v.split("=", 1)[0] if k.lower() == "set-cookie" else v) for k, v in headers)
    expect(shape(fh.headers) == shape(fg.headers),
           "FastCGI HEAD /ubuntu headers %s differ from GET's %s", fh.headers, fg.headers)
    r = env.req("HEAD", "/no-such-page")
    expect(r.status == 404 and r.body == b"", "HEAD /no-such-page: %s", show(r))


@test
def bad_query_400(env):
    env.ensure_server()
    for path in ("/?q=%zz", "/?q=%", "/?q=%4"):
        r = env.get(path)
        check_app_error_page(r, 400, "GET " + path)


@test
def overlong_input(env):
    env.ensure_server()
    r = env.get("/?q=" + "a" * 5000)            # over the app's URI bound, under nginx's 8k
    check_app_error_page(r, 414, "GET /?q=<5000 bytes>")
    r = env.get("/?q=" + "a" * 9000)            # over large_client_header_buffers
    expect(r.status == 414 and b"nginx" in r.body, "GET /?q=<9000 bytes>: want nginx's 414, got %s", show(r))
    check_security_headers(r, "nginx 414")
    r = env.get("/?" + "&".join("k%d=v" % i for i in range(200)))
    check_app_error_page(r, 400, "GET /? with 200 query pairs")
    r = env.get("/", headers={"Cookie": "a=" + "b" * 9000})
    expect(r.status == 400, "GET / with a 9000-byte cookie: want nginx's 400, got %s", show(r))


@test
def body_too_large_app_413(env):
    env.ensure_server()
    body = b"domain=ubuntu&x=" + b"a" * 2048
    expect(MAX_BODY < len(body) < NGINX_MAX_BODY, "test body size")
    r = env.req("POST", "/auth/ubuntu", body=body,
                headers={"Content-Type": "application/x-www-form-urlencoded"})
    check_app_error_page(r, 413, "POST /auth/ubuntu with a 2 KiB body (app max_body 1k)")
    line = env.log_line_for(r.header("X-Request-Id"))
    expect(line and "status=413" in line, "no app log line with status=413 for this request: %r", line)


@test
def body_too_large_nginx_413(env):
    env.ensure_server()
    body = b"x=" + b"a" * (NGINX_MAX_BODY + 1024)
    r = env.req("POST", "/auth/ubuntu", body=body,
                headers={"Content-Type": "application/x-www-form-urlencoded"})
    expect(r.status == 413, "POST of %d bytes: want nginx's 413, got %s", len(body), show(r))
    expect(b"nginx" in r.body, "POST of %d bytes: want nginx's own 413 page, got %s", len(body), show(r))
    check_security_headers(r, "nginx 413")
    time.sleep(0.2)
    expect(r.header("X-Request-Id") not in env.server_log(), "the app saw a body nginx should refuse")


@test
def malformed_body_400(env):
    env.ensure_server()
    r = env.req("POST", "/auth/ubuntu", body=b"domain=%zz&csrf_token",
                headers={"Content-Type": "application/x-www-form-urlencoded"})
    check_app_error_page(r, 400, "POST /auth/ubuntu with body 'domain=%zz&csrf_token'")


@test
def short_body_400_over_fastcgi(env):
    env.ensure_server()
    params = fcgi.nginx_like_params("POST", "/auth/ubuntu", content_type="application/x-www-form-urlencoded",
                                    extra={"CONTENT_LENGTH": "100"})
    r = fcgi.request(env.sock, params, body=b"domain=ubu")
    expect(r.complete, "CONTENT_LENGTH 100 with a 10-byte body: no complete response: %s", show(r))
    expect(r.status == 400, "CONTENT_LENGTH 100 with a 10-byte body: want 400, got %s", show(r))


@test
def over_max_body_413_before_reading(env):
    env.ensure_server()
    params = fcgi.nginx_like_params("POST", "/auth/ubuntu", content_type="application/x-www-form-urlencoded",
                                    extra={"CONTENT_LENGTH": "1000000"})
    t0 = time.monotonic()
    # No STDIN at all: an app that reads before checking would hang here.
    r = fcgi.request(env.sock, params, body=b"", timeout=5, send_stdin_end=False)
    expect(r.complete and r.status == 413,
           "CONTENT_LENGTH 1000000, no body sent: want 413 without reading, got %s after %.1fs",
           show(r), time.monotonic() - t0)
    for bad in ("abc", "-1", "99999999999999999999999", "1 2"):
        params = fcgi.nginx_like_params("POST", "/auth/ubuntu", extra={"CONTENT_LENGTH": bad})
        r = fcgi.request(env.sock, params, body=b"", timeout=5)
        expect(r.complete and r.status in (400, 413),
               "CONTENT_LENGTH %r: want 400 (or 413), got %s", bad, show(r))


@test
def worker_closes_after_answer(env):
    """A request without a body ends with an empty STDIN record; the worker
    reads it, answers and closes the connection at once, instead of
    waiting for the web server to close first (libfcgi's close: up to 2 s,
    the worker held all along).  Every worker answers a client that then
    keeps its connection open; the next request must not wait.  A request
    whose STDIN end comes late is still answered whole (one whose end never
    comes: over_max_body_413_before_reading)."""
    env.ensure_server()
    raw = fcgi.encode_params(fcgi.nginx_like_params("GET", "/ubuntu"))
    held = []
    try:
        for i in range(WORKERS):
            c = fcgi.Conn(env.sock, 10)
            held.append(c)
            c.begin()
            c.params_raw(raw)
            c.params_end()
            if i == 0:
                time.sleep(0.3)
            c.stdin(b"")
            r = c.read_response(10)
            expect(r.complete and r.status == 200 and b"</html>" in r.body,
                   "GET /ubuntu (STDIN end %s): %s", "late" if i == 0 else "at once",
                   show(r, 200))
        t0 = time.monotonic()
        r = fcgi.request(env.sock, fcgi.nginx_like_params("GET", "/ubuntu"), timeout=10)
        took = time.monotonic() - t0
    finally:
        for c in held:
            c.close()
    expect(r.complete and r.status == 200 and took < 0.6,
           "with %d answered clients keeping their connections, the next request took %.2fs: "
           "%s", WORKERS, took, show(r, 200))


def browser_form(env, path="/ubuntu", source=None):
    """A page's CSRF token and the browser cookie it came with."""
    r = env.get(path, source=source)
    m = re.search(rb'name="csrf_token" value="([0-9a-f]{64})"', r.body)
    cookie = r.header("Set-Cookie") or ""
    expect(r.status == 200 and m and cookie.startswith("mm_browser="),
           "GET %s: no CSRF token or browser cookie: %s", path, show(r))
    return cookie.split(";", 1)[0], m.group(1).decode()


def form_headers(cookie, **extra):
    h = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    h.update(extra)
    return h


@test
def auth_start_redirects_to_sso(env):
    env.ensure_server()
    cookie, token = browser_form(env)
    body = ("domain=ubuntu&csrf_token=%s" % token).encode()
    r = env.req("POST", "/auth/ubuntu", body=body, headers=form_headers(cookie))
    loc = r.header("Location") or ""
    expect(r.status == 303 and loc.startswith(env.sso.endpoint + "?"),
           "POST /auth/ubuntu: want 303 to the pinned endpoint %s: %s", env.sso.endpoint, show(r))
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(loc).query)
    own = "http://127.0.0.1:%d" % env.port
    expect(q.get("openid.mode") == ["checkid_setup"] and q.get("openid.realm") == [own + "/"] and
           q.get("openid.return_to", [""])[0].startswith(own + "/auth/ubuntu/return?state=") and
           q.get("openid.sreg.required") == ["nickname,email,fullname"],
           "checkid_setup parameters: %s", q)


@test
def cross_site_post_refused(env):
    env.ensure_server()
    cookie, token = browser_form(env)
    body = ("domain=ubuntu&csrf_token=%s" % token).encode()
    own = "http://127.0.0.1:%d" % env.port      # public_url in the test config
    r = env.req("POST", "/auth/ubuntu", body=body,
                headers=form_headers(cookie, Origin=own, **{"Sec-Fetch-Site": "same-origin"}))
    expect(r.status == 303, "POST /auth/ubuntu from our own origin with the token: %s", show(r))
    r = env.req("POST", "/auth/ubuntu", body=body, headers=form_headers(cookie, Origin="https://evil.example"))
    check_app_error_page(r, 403, "POST /auth/ubuntu with Origin: https://evil.example")
    r = env.req("POST", "/auth/ubuntu", body=body,
                headers=form_headers(cookie, **{"Sec-Fetch-Site": "cross-site"}))
    check_app_error_page(r, 403, "POST /auth/ubuntu with Sec-Fetch-Site: cross-site")
    r = env.req("POST", "/auth/ubuntu", body=b"domain=ubuntu", headers=form_headers(cookie))
    check_app_error_page(r, 403, "POST /auth/ubuntu without a CSRF token")
    r = env.req("POST", "/auth/ubuntu", body=("domain=ubuntu&csrf_token=%s" % ("0" * 64)).encode(),
                headers=form_headers(cookie))
    check_app_error_page(r, 403, "POST /auth/ubuntu with a wrong CSRF token")
    r = env.req("POST", "/auth/ubuntu", body=body, headers=form_headers(""))
    check_app_error_page(r, 403, "POST /auth/ubuntu with the token but without the browser cookie")


@test
def request_log_lines(env):
    srv = env.ensure_server()
    r = env.get("/ubuntu")
    rid = r.header("X-Request-Id")
    line = env.log_line_for(rid)
    expect(line, "no event=request line with the request id %s nginx sent", rid)
    expect(re.search(r' method="?GET"? ', line), "request log line lacks method=GET: %r", line)
    for part in ('path="/ubuntu"', " status=200 ", " bytes=", " ms="):
        expect(part in line, "request log line lacks %r: %r", part.strip(), line)
    m = re.search(r" pid=(\d+) ", line)
    expect(m and int(m.group(1)) != srv.pid, "request logged by pid %s, want a worker's: %r",
           m and m.group(1), line)

    # Client bytes through nginx: a raw quote, backslash and a non-ASCII byte.
    with socket.create_connection(("127.0.0.1", env.port), timeout=10) as s:
        s.sendall(b'GET /log-test/a"b\\c\xffd%22e HTTP/1.1\r\nHost: localhost\r\n'
                  b'User-Agent: x\r\nConnection: close\r\n\r\n')
        raw = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            raw += chunk
    head = raw.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    m = re.search(r"(?im)^X-Request-Id: ([0-9a-f]{32})\r?$", head)
    expect(m, "no X-Request-Id in the response to a raw request: %r", head[:300])
    expect(" 404 " in head.split("\r\n")[0], "raw request: want 404, got %r", head.split("\r\n")[0])
    line = env.log_line_for(m.group(1))
    expect(line, "no log line for the raw request %s", m.group(1))
    expect('\\"' in line and "\\xff" in line.lower() and "\\\\" in line,
           "client bytes not escaped in the log line: %r", line)
    expect("status=404" in line, "log line: %r", line)

    # Straight to the socket, bytes nginx would refuse: newline, control bytes.
    rid2 = "fcgi-log-%d" % os.getpid()
    nasty = b'/log-test/x"\ny\r\x01\x7f\\z'
    p = fcgi.nginx_like_params("GET", "/", request_id=rid2,
                               extra={"REQUEST_URI": nasty, "DOCUMENT_URI": nasty, "SCRIPT_NAME": nasty})
    fr = fcgi.request(env.sock, p)
    expect(fr.complete and fr.status == 404, "FastCGI GET of a path with control bytes: %s", show(fr))
    line = env.log_line_for(rid2)
    expect(line, "no log line for request id %s", rid2)
    expect("status=404" in line and "ms=" in line,
           "the log line was cut by a client newline: %r", line)
    expect(all(0x20 <= ord(c) < 0x7f for c in line), "log line holds raw control/non-ASCII bytes: %r", line)
    # A malformed request id (nginx sends 32 hex digits) must not break the line either.
    fr = fcgi.request(env.sock, fcgi.nginx_like_params("GET", "/healthz",
                                                       request_id='a b"c\nlevel=error x'))
    expect(fr.complete and fr.status == 200, "GET /healthz with a malformed REQUEST_ID: %s", show(fr))
    time.sleep(0.2)
    bad = [ln for ln in srv.output().splitlines() if ln and not LOG_LINE.match(ln)]
    expect(not bad, "lines in the server log that are not well-formed log lines: %r", bad[:5])


@test
def rate_limits(env):
    env.ensure_server()
    # Loopback 127.0.0.1 is exempt (health checks, bench); other addresses are not.
    statuses = [env.req("POST", "/auth/ubuntu", body=b"domain=ubuntu", source="127.0.0.2",
                        headers={"Content-Type": "application/x-www-form-urlencoded"}).status
                for _ in range(16)]
    # The first reaches the app (403: no CSRF token); nginx then limits.
    expect(statuses[0] == 403, "first POST /auth/ubuntu from 127.0.0.2: %s", statuses[0])
    expect(429 in statuses, "16 quick POST /auth/ubuntu from 127.0.0.2: no 429: %s", statuses)
    r = env.req("POST", "/auth/ubuntu", body=b"", source="127.0.0.2")
    expect(r.status == 429, "POST /auth/ubuntu after the burst: %s", show(r))
    check_security_headers(r, "429")
    statuses = [env.req("POST", "/auth/ubuntu", body=b"domain=ubuntu",
                        headers={"Content-Type": "application/x-www-form-urlencoded"}).status
                for _ in range(16)]
    expect(429 not in statuses, "127.0.0.1 was rate limited: %s", statuses)


@test
def socket_and_privileges(env):
    srv = env.ensure_server()
    st = os.stat(env.sock)
    expect(oct(st.st_mode & 0o777) == oct(0o660), "socket mode %s, want 0660", oct(st.st_mode & 0o777))
    if stack.is_root():
        user, group = stack.unprivileged_user()
        import grp
        import pwd
        expect(st.st_gid == grp.getgrnam(group).gr_gid, "socket group %d, want %s", st.st_gid, group)
        uid = pwd.getpwnam(user).pw_uid
        for w in srv.workers():
            expect(stack.proc_uid(w) == [uid] * 4, "worker %d uids %s, want %s (%d)",
                   w, stack.proc_uid(w), user, uid)


# ---------------------------------------------------------------- config, start-up

@test
def check_config(env):
    good = os.path.join(env.base, "good.conf")
    stack.render_config(good, stack.config_settings(os.path.join(env.base, "x.sock"), workers=2))
    code, out = env.run_cli(["check-config", "-c", good])
    expect(code == 0, "check-config on a good file: exit %s: %s", code, out)
    expect(re.search(r"(?m)^\s*workers\s*=\s*2\s*$", out), "check-config does not print 'workers = 2': %s", out)
    cases = [
        ("unknown key", "# comment\nworkers = 2\nno_such_key = 1\n", 3),
        ("out of range", "max_requests = 2\n\nworkers = 100000\n", 3),
        ("workers 0", "# a\nworkers = 0\n", 2),
        ("bad number", "backlog = lots\n", 1),
        ("no equals sign", "workers 2\n", 1),
    ]
    for name, text, line in cases:
        bad = os.path.join(env.base, "bad-%s.conf" % name.replace(" ", "-"))
        with open(bad, "w") as f:
            f.write(text)
        code, out = env.run_cli(["check-config", "-c", bad])
        expect(code not in (0, None), "check-config accepted a bad file (%s): exit %s: %s", name, code, out)
        expect("%s:%d" % (bad, line) in out, "check-config (%s): message lacks %s:%d: %r",
               name, bad, line, out.strip())
    code, out = env.run_cli(["check-config", "-c", os.path.join(env.base, "missing.conf")])
    expect(code not in (0, None), "check-config on a missing file: exit %s", code)


@test
def broken_template_refused(env):
    for tpl, breakage in (("error.tpl", "no-autoescape"), ("home.tpl", "syntax")):
        d = os.path.join(env.base, "tpl-" + breakage)
        shutil.copytree(os.path.join(stack.REPO, "views", "templates"), d)
        p = os.path.join(d, tpl)
        with open(p) as f:
            text = f.read()
        if breakage == "no-autoescape":
            text = re.sub(r"\{\{%AUTOESCAPE[^}]*\}\}\n?", "", text)
        else:
            text += "\n{{#UNCLOSED_SECTION}}\n"
        with open(p, "w") as f:
            f.write(text)
        sock = os.path.join(env.base, "tpl-%s.sock" % breakage)
        conf = os.path.join(env.base, "tpl-%s.conf" % breakage)
        stack.render_config(conf, stack.config_settings(sock, workers=1, templates_dir=d))
        srv = env.new_server(conf=conf, sock=sock, workers=1, tag="tpl").start()
        code = srv.proc.wait(20)
        if code is None:
            srv.stop(signal.SIGTERM, 5)
        expect(code not in (0, None), "serve with %s (%s) did not refuse to start (exit %s)",
               tpl, breakage, code)
        expect(tpl in srv.output(), "serve with a broken %s: message does not name it: %r",
               tpl, srv.output()[-500:])
        expect(not os.path.exists(sock), "refused start left the socket file %s", sock)


@test
def workers_never_root(env):
    if not stack.is_root():
        raise Skip("not running as root")
    sock = os.path.join(env.base, "root.sock")
    conf = os.path.join(env.base, "root.conf")
    stack.render_config(conf, stack.config_settings(sock, workers=1, drop_privileges=False))
    srv = env.new_server(conf=conf, sock=sock, workers=1, tag="root").start()
    code = srv.proc.wait(20)
    if code is None:
        srv.stop(signal.SIGTERM, 5)
    expect(code not in (0, None), "serve as root without user/group did not refuse (exit %s): %s",
           code, srv.output()[-500:])
    expect("root" in srv.output().lower(), "refusal does not say why (root): %r", srv.output()[-500:])


# ---------------------------------------------------------------- process manager

@test
def kill_worker_under_load(env):
    srv = env.ensure_server()
    results = []
    lock = threading.Lock()
    deadline = time.monotonic() + 3.0

    def client():
        while time.monotonic() < deadline:
            try:
                r = http_request(env.port, "GET", "/ubuntu", timeout=10)
                res = (r.status, len(r.body))
            except Exception as e:   # a failed request is a result too
                res = ("exception", repr(e))
            with lock:
                results.append(res)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(8)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    victims = srv.workers()
    expect(len(victims) == WORKERS, "before the kill: %d workers, want %d", len(victims), WORKERS)
    victim = victims[0]
    os.kill(victim, signal.SIGKILL)
    for t in threads:
        t.join(15)
    bad = [x for x in results if x[0] != 200]
    print("    %d requests in 3 s, %d failed %s; killed worker %d" % (len(results), len(bad), bad[:5], victim))
    expect(len(results) >= 40, "only %d requests in 3 s under load", len(results))
    expect(len(bad) <= 1, "%d of %d requests failed around a worker SIGKILL (want at most 1): %s",
           len(bad), len(results), bad[:10])
    got = wait_until(lambda: len(srv.workers()) == WORKERS and victim not in srv.workers(), 5)
    expect(got, "worker count did not return to %d within 5 s: %s", WORKERS, srv.workers())
    m = wait_until(lambda: re.search(r"event=worker_exit worker=%d .*signal=(SIG)?KILL" % victim,
                                     srv.output()), 2)
    expect(m, "no 'event=worker_exit worker=%d ... signal=SIGKILL' log line", victim)
    expect(re.search(r"event=worker_exit worker=%d .*lifetime=" % victim, srv.output()),
           "worker_exit line lacks lifetime=")
    r = env.get("/ubuntu")
    expect(r.status == 200, "after the respawn: %s", show(r))


@test
def graceful_stop_finishes_inflight(env):
    srv = env.ensure_server()
    workers = srv.workers()
    raw = fcgi.encode_params(fcgi.nginx_like_params("GET", "/ubuntu", request_id="graceful-%d" % os.getpid()))
    c = fcgi.Conn(env.sock, timeout=15)
    try:
        c.begin()
        c.params_raw(raw[:len(raw) // 2])
        time.sleep(0.3)             # a worker has accepted it and waits for the rest
        t0 = time.monotonic()
        os.kill(srv.pid, signal.SIGQUIT)
        time.sleep(1.0)
        expect(srv.proc.running(), "master exited within 1 s of SIGQUIT with a request in flight (exit %s)",
               srv.proc.poll())
        try:
            c.params_raw(raw[len(raw) // 2:])
            c.params_end()
            c.stdin(b"")
        except OSError as e:
            raise Fail("in-flight request's connection was closed during the graceful stop: %r" % e)
        r = c.read_response(timeout=10)
    finally:
        c.close()
    expect(r.complete and r.status == 200 and b"</html>" in r.body,
           "in-flight request during SIGQUIT: want a complete 200 page, got %s", show(r, 200))
    code = srv.proc.wait(max(0.1, SHUTDOWN_TIMEOUT - (time.monotonic() - t0)))
    expect(code is not None, "master still running %d s after SIGQUIT", SHUTDOWN_TIMEOUT)
    took = time.monotonic() - t0
    expect(code == 0, "master exit status after SIGQUIT: %s, want 0", code)
    expect(not os.path.exists(env.sock), "socket file %s still there after a graceful stop", env.sock)
    left = [w for w in workers if stack.alive(w)]
    expect(not left, "workers %s still alive after the master stopped", left)
    out = srv.output()
    expect("event=stopping mode=graceful" in out, "no 'event=stopping mode=graceful' line")
    expect("event=stopped" in out, "no 'event=stopped' line")
    print("    graceful stop took %.1fs" % took)


@test
def fast_stop(env):
    srv = env.ensure_server()
    workers = srv.workers()
    t0 = time.monotonic()
    os.kill(srv.pid, signal.SIGTERM)
    code = srv.proc.wait(5)
    expect(code is not None, "master still running 5 s after SIGTERM")
    expect(code >= 0, "master died of signal %d on SIGTERM instead of exiting", -code if code else 0)
    expect(not os.path.exists(env.sock), "socket file still there after SIGTERM")
    expect(wait_until(lambda: not [w for w in workers if stack.alive(w)], 2),
           "workers still alive after SIGTERM: %s", [w for w in workers if stack.alive(w)])
    expect("event=stopping mode=fast" in srv.output(), "no 'event=stopping mode=fast' line")
    print("    fast stop took %.2fs, exit %s" % (time.monotonic() - t0, code))


@test
def second_server_refused(env):
    a = env.ensure_server()
    ino = os.stat(env.sock).st_ino
    nworkers = a.workers()
    b = env.new_server(tag="second").start()
    code = b.proc.wait(15)
    try:
        expect(code is not None, "a second serve on the live socket %s kept running", env.sock)
        expect(code != 0, "a second serve on the live socket exited 0")
        expect(b.output().strip(), "a second serve on the live socket exited %s without a message", code)
        expect(os.path.exists(env.sock) and os.stat(env.sock).st_ino == ino,
               "the second serve removed or replaced the live socket")
        expect(a.proc.running() and a.workers() == nworkers, "the first server was disturbed")
        r = env.get("/healthz")
        expect(r.status == 200, "first server after the refused start: %s", show(r))
        print("    refused with: %s" % b.output().strip().splitlines()[-1][:200])
    except Fail:
        b.stop(signal.SIGTERM, 5)
        env.restart_server()
        raise


@test
def stale_socket_replaced(env):
    a = env.ensure_server()
    children = stack.children_of(a.pid)     # workers and the status process
    os.kill(a.pid, signal.SIGKILL)
    a.proc.wait(5)
    # Orphans would keep the socket alive: they must leave with the master.
    gone = wait_until(lambda: not [c for c in children if stack.alive(c)], 5)
    expect(gone, "children outlived their SIGKILLed master: %s",
           [c for c in children if stack.alive(c)])
    expect(os.path.exists(env.sock), "socket file gone after SIGKILL of the master (cannot test stale)")
    st = os.stat(env.sock)
    old = (st.st_ino, st.st_ctime_ns)   # the inode number alone may be reused
    time.sleep(0.05)
    env.server = None
    b = env.ensure_server()
    st = os.stat(env.sock)
    expect((st.st_ino, st.st_ctime_ns) != old, "the stale socket file was not replaced")
    expect(b.proc.running(), "new server not running")
    r = env.get("/ubuntu")
    expect(r.status == 200, "after replacing a stale socket: %s", show(r))


# ---------------------------------------------------------------- the database

# test_db.py holds the database tests; importing it appends them to TESTS,
# after the tests above (its PostgreSQL outage test is the last of the run);
# test_signin.py (sign-in) and test_ops.py (the process manager) come before.
# It imports its helpers from this module, under the name "run".
sys.modules.setdefault("run", sys.modules[__name__])
import test_signin   # noqa: E402,F401  (sign-in tests, before the database tests)
import test_ops   # noqa: E402,F401  (process-manager tests, before the database tests)
import test_outbox   # noqa: E402,F401  (outbox: SMTP delivery, before the database tests)
import test_provision   # noqa: E402,F401  (provisioning, before the database tests)
import test_community   # noqa: E402,F401  (provisioning as a community lives it, before the database tests)
import test_site_admin   # noqa: E402,F401  (site admin pages and the CLI, before the database tests)
import test_member   # noqa: E402,F401  (member pages and alias rules, before the database tests)
import test_api   # noqa: E402,F401  (the JSON API and API tokens, before the database tests)
import test_domain_admin   # noqa: E402,F401  (domain-admin pages, before the database tests)
import test_mailbox   # noqa: E402,F401  (encrypted mailboxes and LMTP, before the database tests)
import test_recipients   # noqa: E402,F401  (confirmed recipients, receipts, before the database tests)
import test_authz   # noqa: E402,F401  (the authorization matrix of the HTML routes, before the database tests)
import test_security   # noqa: E402,F401  (the security rules, before the database tests)
import test_mail   # noqa: E402,F401  (Postfix and postsrsd, before the database tests)
import test_verify   # noqa: E402,F401  (domain verification by DNS, before the database tests)
import test_local   # noqa: E402,F401  (deploy/local, before the database tests)
import test_i18n   # noqa: E402,F401  (English and Finnish, before the database tests)
import test_db   # noqa: E402,F401


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", required=True, help="the build directory holding membermail")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    ap.add_argument("--only", help="run tests whose name contains this (or one of these, "
                                   "comma-separated)")
    ap.add_argument("--summary", help="also write the summary line to this file")
    args = ap.parse_args()
    build_dir = os.path.abspath(args.build_dir)
    stack.use_build(build_dir)

    def on_term(sig, frame):
        raise KeyboardInterrupt("signal %d" % sig)
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGHUP, on_term)

    if not os.access(os.path.join(build_dir, "membermail"), os.X_OK):
        print("integration: no executable %s/membermail" % build_dir)
        print("integration: 0 passed, 1 failed")
        if args.summary:
            with open(args.summary, "w") as f:
                f.write("integration: 0 passed, 1 failed\n")
        return 1

    base = tempfile.mkdtemp(prefix="mm-it-")
    env = Env(build_dir, base)
    passed = failed = skipped = 0
    t_start = time.monotonic()
    interrupted = False
    try:
        try:
            env.setup()
            print("setup: PostgreSQL 15 (pid %d, %s), domains seeded with %s (%.1fs)"
                  % (env.pg.pid, env.pg.socket_path, env.seeded_with, time.monotonic() - t_start))
        except Exception as e:
            print("FAIL setup: %s" % e)
            traceback.print_exc()
            failed += 1
            raise SystemExit
        for fn in TESTS:
            if args.only and not any(o in fn.__name__ for o in args.only.split(",")):
                continue
            t0 = time.monotonic()
            try:
                fn(env)
            except Skip as e:
                skipped += 1
                print("skip %s: %s" % (fn.__name__, e))
                continue
            except Fail as e:
                failed += 1
                print("FAIL %s (%.1fs): %s" % (fn.__name__, time.monotonic() - t0, e))
                continue
            except KeyboardInterrupt:
                raise
            except Exception as e:
                failed += 1
                print("FAIL %s (%.1fs): unexpected %s: %s" % (fn.__name__, time.monotonic() - t0,
                                                              type(e).__name__, e))
                traceback.print_exc(file=sys.stdout)
                continue
            passed += 1
            print("ok   %s (%.1fs)" % (fn.__name__, time.monotonic() - t0))
    except KeyboardInterrupt as e:
        interrupted = True
        print("interrupted (%s): stopping everything" % (e or "Ctrl-C"))
        failed += 1
    except SystemExit:
        pass
    finally:
        # Stop everything we started; a second Ctrl-C must not cut this short.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        if env.server is not None:
            env.server.stop(signal.SIGQUIT, SHUTDOWN_TIMEOUT + 2)
        stack.cleanup_all()

    if not interrupted and env.serve_logs:
        # Sanitizer reports anywhere in the server's output fail the run.
        reports = []
        for log in env.serve_logs:
            try:
                with open(log, errors="replace") as f:
                    text = f.read()
            except OSError:
                continue
            for pat in SANITIZER:
                if pat in text:
                    i = text.index(pat)
                    reports.append("%s: %s\n%s" % (os.path.basename(log), pat,
                                                   text[max(0, i - 200):i + 1500]))
                    break
        if reports:
            failed += 1
            print("FAIL no_sanitizer_reports: %d log(s) with reports:\n%s" % (len(reports), "\n".join(reports)))
        else:
            passed += 1
            print("ok   no_sanitizer_reports (%d server logs scanned)" % len(env.serve_logs))

    if failed and not args.keep:
        # Keep the evidence of a failed run.
        args.keep = True
    if args.keep:
        print("integration: logs kept in %s" % base)
    else:
        shutil.rmtree(base, ignore_errors=True)
    print("integration: %.1fs" % (time.monotonic() - t_start))
    return summarise("integration", passed, failed, skipped, args.summary)


def summarise(label, passed, failed, skipped, path):
    """Prints (and writes to path, if given) the line tests/run counts;
    the exit status."""
    summary = "%s: %d passed, %d failed" % (label, passed, failed)
    if skipped:
        summary += ", %d skipped" % skipped
    print(summary)
    if path:
        with open(path, "w") as f:
            f.write(summary + "\n")
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
