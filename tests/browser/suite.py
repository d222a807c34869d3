#!/usr/bin/python3
"""membermail's browser journeys, against the integration tests' private stack.

    /usr/bin/python3 tests/browser/suite.py --build-dir build/asan [--only NAME]
                                            [--keep] [--summary FILE]

Starts the stack of tests/integration/run.py (its Env: a private
PostgreSQL, nginx rendered from deploy/nginx/, `membermail serve` of the
build, the fake Ubuntu One and the fake Launchpad, an SMTP sink that
`membermail outbox` delivers to), with the Ubuntu domains
verified, one person per journey and width in ~ubuntumembers on the fake
Launchpad, and runs each journey (journeys.js, in Debian's chromium through
playwright-core from tests/browser/node_modules, installed by tests/run) at
375 and 1280 px.  Every page a journey visits is checked by axe-core in the
light and the dark colour scheme and saved as full-page screenshots in
build/screenshots/<journey>/; build/screenshots/accessibility.txt lists
every violation found, serious or not.  After each journey the database is
checked for what it should have done.  Last line: "browser: N passed, N
failed" (one count per journey and width).

Standard library only.
"""

import argparse
import http.server
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))

import run as it      # noqa: E402  (the integration runner: its Env is the stack)
import stack          # noqa: E402

WIDTHS = (375, 1280)
SHOTS = os.path.join(REPO, "build", "screenshots")
NODE_TIMEOUT = 240          # seconds for one journey at every width
DB = stack.APP_DB


class Fail(Exception):
    pass


def expect(cond, msg, *args):
    if not cond:
        raise Fail(msg % args if args else msg)


def lit(s):
    return "NULL" if s is None else "'" + str(s).replace("'", "''") + "'"


class BrowserEnv(it.Env):
    """The integration stack as a browser needs it: a sign-in limit the
    suite does not trip over, a body limit an OpenID assertion fits in (the
    local stack's), nginx's CSP form-action naming the fake provider
    (Chromium applies it to the redirect after POST /auth/ubuntu), and an
    SMTP sink for the outbox, where the journeys find the links mailed."""
    max_body = "64k"

    def __init__(self, build_dir, base):
        super().__init__(build_dir, base)
        self.sink = stack.SmtpSink(os.path.join(base, "mail"), os.path.join(base, "sink.log"))

    def setup(self):
        self.sink.start()
        super().setup()

    def signin_settings(self):
        return [(k, "1000" if k == "login_rate_limit" else v) for k, v in super().signin_settings()]

    def provision_settings(self):
        return super().provision_settings() + [("smtp_url", self.sink.url), ("smtp_tls", "none")]

    def nginx_sso_origin(self):
        return self.sso.base


class Mailbox(http.server.BaseHTTPRequestHandler):
    """GET /link?to=ADDRESS&kind=confirm|undo: sends what the outbox holds
    (`membermail outbox`, to the SMTP sink), then answers the newest link
    of that kind mailed to ADDRESS, as {"link": "/confirm/..."}; 404 when
    none came.  What a journey's mail reader does."""
    env = None

    def do_GET(self):
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        to, kind = q.get("to", [""])[0], q.get("kind", [""])[0]
        code, out = self.env.run_cli(["outbox", "-c", self.env.conf])
        link = None
        for envelope, raw in self.env.sink.messages():
            m = re.search(r"/(%s)/([A-Za-z0-9_-]{43})" % re.escape(kind), raw.decode("utf-8", "replace"))
            if m and to in envelope.get("rcpt_to", []):
                link = m.group(0)
        body = json.dumps({"link": link, "outbox": code}).encode()
        self.send_response(200 if link else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def start_mailbox(env):
    Mailbox.env = env
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Mailbox)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


class Suite:
    def __init__(self, env, mailbox):
        self.env = env
        self.mailbox = mailbox  # the URL of the journeys' mail reader
        self.people = {}        # Launchpad name -> fake Ubuntu One user

    def sql(self, query):
        return self.env.pg.scalar(query, db=DB, user=stack.OWNER_ROLE)

    def person(self, tag, width, **kw):
        """A member of ~ubuntumembers (fake Ubuntu One user and Launchpad
        person), named after the journey and the width."""
        name = "%s%d" % (tag.replace("_", ""), width)
        user = {"oid": "B" + name, "nickname": name, "email": name + "@example.com",
                "fullname": "%s %s" % (tag.replace("_", " ").title(), width),
                "teams": ["ubuntumembers"]}
        user.update(kw)
        self.people[name] = user
        return user

    def claimed(self, user):
        return self.env.sso.prefix + user["oid"]

    def user_row(self, user, site_admin=False):
        """The users row of someone who has not signed in yet (as sign-in
        would make it, keyed by claimed id); its id."""
        return int(self.sql(
            "INSERT INTO users (claimed_id, name, email, display_name, is_site_admin) VALUES "
            "(%s, %s, %s, %s, %s) RETURNING id"
            % (lit(self.claimed(user)), lit(user["nickname"]), lit(user["email"]),
               lit(user["fullname"]), "true" if site_admin else "false")).splitlines()[0])

    def join(self, uid, domain="ubuntu.com", role="member"):
        self.sql("INSERT INTO domain_members (domain_id, user_id, role) "
                 "SELECT id, %d, %s FROM domains WHERE name = %s"
                 % (uid, lit(role), lit(domain)))

    def setup(self):
        """Every domain verified, with an admin who never signs in (a domain
        without one is not provisioned); Launchpad knows everyone of every
        journey before the first sign-in takes the team's snapshot."""
        self.sql("UPDATE domains SET txt_status = 'verified', txt_checked_at = now()")
        keeper = {"oid": "Bkeeper", "nickname": "keeper", "email": "keeper@example.com",
                  "fullname": "Domain Keeper"}
        kid = self.user_row(keeper)
        self.sql("INSERT INTO domain_members (domain_id, user_id, role) "
                 "SELECT id, %d, 'admin' FROM domains" % kid)
        for journey in JOURNEYS:
            journey.prepare(self)
        lp = self.env.lp
        lp.people([{"name": n, "display_name": u["fullname"], "karma": 10,
                    "is_ubuntu_coc_signer": True, "openid_identifier": self.claimed(u)}
                   for n, u in sorted(self.people.items())])
        lp.teams([{"name": "ubuntumembers", "display_name": "Ubuntu Members",
                   "members": sorted(self.people)}])

    def run_node(self, journey, widths):
        """journeys.js for one journey: its result per width."""
        work = tempfile.mkdtemp(prefix="journey-", dir=self.env.base)
        plan = {"journey": journey, "base": "http://127.0.0.1:%d" % self.env.port,
                "sso": self.env.sso.base, "mailbox": self.mailbox, "shots": SHOTS,
                "widths": widths}
        plan_file, result_file = os.path.join(work, "plan.json"), os.path.join(work, "result.json")
        with open(plan_file, "w") as f:
            json.dump(plan, f)
        log = os.path.join(work, "node.log")
        with open(log, "wb") as out:
            try:
                code = subprocess.run(["node", os.path.join(HERE, "journeys.js"), plan_file, result_file],
                                      stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                      timeout=NODE_TIMEOUT, cwd=HERE).returncode
            except subprocess.TimeoutExpired:
                code = None
        try:
            with open(result_file) as f:
                return json.load(f)["widths"]
        except (OSError, ValueError):
            with open(log, errors="replace") as f:
                raise Fail("journeys.js %s: exit %s, no result:\n%s" % (journey, code, f.read()[-3000:]))


# ---------------------------------------------------------------- journeys

JOURNEYS = []


class Journey:
    """One journey: prepare() makes its people before the stack's first
    sign-in, plan(width) is what journeys.js gets, verify(width, out)
    checks the database afterwards."""
    name = None

    def __init_subclass__(cls):
        JOURNEYS.append(cls())

    def prepare(self, s):
        self.user = {w: s.person(self.name, w) for w in WIDTHS}

    def plan(self, s, width):
        return {"width": width, "user": self.user[width]}

    def verify(self, s, width, out):
        pass


class SignIn(Journey):
    name = "signin"

    def plan(self, s, width):
        # The narrow one gets the provider's auto-submitting form (a POST
        # back to us), the wide one its redirect.
        return dict(super().plan(s, width), delivery="post" if width < 600 else "get")

    def verify(self, s, width, out):
        name = self.user[width]["nickname"]
        got = s.sql("SELECT a.enabled || ' ' || array_to_string(a.recipients, ',') FROM aliases a "
                    "JOIN users u ON u.id = a.user_id WHERE u.name = %s" % lit(name))
        expect(got == "true %s@example.com" % name, "%s: the alias made at sign-in: %r", name, got)


class SignOut(Journey):
    name = "signout"

    def verify(self, s, width, out):
        n = s.sql("SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id "
                  "WHERE u.name = %s" % lit(self.user[width]["nickname"]))
        expect(n == "0", "after signing out %s still has %s session(s)", self.user[width]["nickname"], n)


class Tokens(Journey):
    name = "tokens"

    def plan(self, s, width):
        return dict(super().plan(s, width), token_name="laptop %d" % width)

    def verify(self, s, width, out):
        name = self.user[width]["nickname"]
        me = out.get("me_with_token") or {}
        expect(me.get("status") == 200 and ('"%s"' % name) in me.get("body", ""),
               "GET /api/v1/me with the new token: %r", me)
        gone = out.get("me_after_revoke") or {}
        expect(gone.get("status") == 401, "GET /api/v1/me with the revoked token: %r", gone)
        row = s.sql("SELECT t.name || '|' || (t.revoked_at IS NOT NULL) FROM api_tokens t "
                    "JOIN users u ON u.id = t.user_id WHERE u.name = %s" % lit(name))
        expect(row == "laptop %d|true" % width, "the token's row: %r", row)


class DomainAlias(Journey):
    name = "domain_alias"

    def prepare(self, s):
        super().prepare(s)
        self.member = {}
        for w in WIDTHS:
            s.join(s.user_row(self.user[w]), role="admin")
            m = s.person("dmember", w)
            s.join(s.user_row(m))
            self.member[w] = m["nickname"]

    def plan(self, s, width):
        return dict(super().plan(s, width), member=self.member[width], local_part="extra.%d" % width)

    def verify(self, s, width, out):
        row = s.sql("SELECT count(*) FROM aliases a JOIN domains d ON d.id = a.domain_id "
                    "WHERE d.name = 'ubuntu.com' AND a.local_part = 'extra.%d'" % width)
        expect(row == "0", "the alias the admin removed is still there: %r", row)
        actions = s.sql("SELECT string_agg(action || ' ' || coalesce(after ->> 'enabled', "
                        "before ->> 'owner'), ',' ORDER BY id) FROM audit_log WHERE "
                        "target_label = 'extra.%d@ubuntu.com'" % width)
        m = self.member[width]
        expect(actions == "alias.create true,alias.update false,alias.delete %s" % m,
               "its audit rows: %r", actions)


class Language(Journey):
    name = "language"

    def verify(self, s, width, out):
        name = self.user[width]["nickname"]
        expect(out.get("lang_after_fi") == "fi", "the page after Suomi: %r", out)
        got = s.sql("SELECT coalesce(lang, 'none') FROM users WHERE name = %s" % lit(name))
        expect(got == "en", "%s switched to Suomi and back: users.lang is %r, want en", name, got)


class Ban(Journey):
    name = "ban"

    def prepare(self, s):
        super().prepare(s)
        self.target = {}
        for w in WIDTHS:
            s.user_row(self.user[w], site_admin=True)
            t = s.person("banned", w)
            s.user_row(t)
            self.target[w] = t["nickname"]

    def plan(self, s, width):
        return dict(super().plan(s, width), target=self.target[width],
                    reason="Spam from this account (%d px)" % width)

    def verify(self, s, width, out):
        t = self.target[width]
        row = s.sql("SELECT is_banned FROM users WHERE name = %s" % lit(t))
        expect(row == "f", "%s after the unban: is_banned %r", t, row)
        actions = s.sql("SELECT string_agg(a.action, ',' ORDER BY a.id) FROM audit_log a "
                        "JOIN users u ON u.id = a.target_id WHERE a.target_type = 'user' "
                        "AND u.name = %s" % lit(t))
        expect(actions == "user.ban,user.unban", "%s: audit rows %r", t, actions)


class Forwarding(Journey):
    """The member changes where their mail goes; the new address confirms
    through the link it was mailed."""
    name = "forwarding"

    def plan(self, s, width):
        u = self.user[width]
        return dict(super().plan(s, width), address="%s@ubuntu.com" % u["nickname"],
                    friend="friend-%s@example.org" % u["nickname"])

    def verify(self, s, width, out):
        u = self.user[width]
        row = s.sql("SELECT array_to_string(recipients, ',') || '|' || coalesce("
                    "array_to_string(pending_recipients, ','), '') FROM aliases a JOIN users u "
                    "ON u.id = a.user_id WHERE u.name = %s" % lit(u["nickname"]))
        expect(row == "friend-%s@example.org|" % u["nickname"],
               "the alias after the confirmation: %r", row)


class Undo(Journey):
    """The member changes where their mail goes to an address that agreed
    before; the receipt's link undoes it, ends the session and locks the
    address until the member signs in again."""
    name = "undo"

    def prepare(self, s):
        super().prepare(s)
        for w in WIDTHS:
            u = self.user[w]
            uid = s.user_row(u)
            s.join(uid)
            aid = s.sql("INSERT INTO aliases (domain_id, local_part, user_id, recipients) "
                        "SELECT id, %s, %d, ARRAY[%s] FROM domains WHERE name = 'ubuntu.com' "
                        "RETURNING id" % (lit(u["nickname"]), uid, lit(u["email"]))).splitlines()[0]
            s.sql("INSERT INTO recipient_confirmations (alias_id, address, how, confirmed_at) "
                  "VALUES (%s, %s, 'link', now())" % (aid, lit(self.spare(w))))

    def spare(self, width):
        return "spare-%s@example.org" % self.user[width]["nickname"]

    def plan(self, s, width):
        u = self.user[width]
        return dict(super().plan(s, width), address="%s@ubuntu.com" % u["nickname"],
                    spare=self.spare(width))

    def verify(self, s, width, out):
        u = self.user[width]
        row = s.sql("SELECT array_to_string(recipients, ',') || '|' || (locked_at IS NOT NULL) "
                    "FROM aliases a JOIN users u ON u.id = a.user_id WHERE u.name = %s"
                    % lit(u["nickname"]))
        expect(row == "%s|false" % u["email"], "the alias after the undo and the sign-in: %r", row)
        actions = s.sql("SELECT string_agg(action, ',' ORDER BY l.id) FROM audit_log l JOIN "
                        "aliases a ON a.id = l.target_id AND l.target_type = 'alias' JOIN users u "
                        "ON u.id = a.user_id WHERE u.name = %s" % lit(u["nickname"]))
        expect(actions == "alias.update,alias.undo,alias.unlock", "its audit rows: %r", actions)


# ---------------------------------------------------------------- report

def accessibility_report(results):
    """build/screenshots/accessibility.txt: every page of every journey
    and width, each scheme's violations (any impact) or "none"."""
    lines = []
    for journey, widths in results:
        for w in widths:
            for p in w.get("pages", []):
                for scheme in ("light", "dark"):
                    vs = p["axe"].get(scheme, [])
                    what = "; ".join("%s %s (%d)" % (v["impact"], v["id"], len(v["nodes"])) for v in vs)
                    lines.append("%-13s %4dpx %-24s %-5s %-40s %s"
                                 % (journey, w["width"], p["name"], scheme, p["path"][:40], what or "none"))
    with open(os.path.join(SHOTS, "accessibility.txt"), "w") as f:
        f.write("journey        width page                     scheme path                                     axe violations\n")
        f.write("\n".join(lines) + "\n")


def run_journey(suite, j):
    """One journey at every width: (its widths' results, passed, failed)."""
    t0 = time.monotonic()
    try:
        widths = suite.run_node(j.name, [j.plan(suite, w) for w in WIDTHS])
    except Fail as e:
        print("FAIL %s: %s" % (j.name, e))
        return [], 0, len(WIDTHS)
    passed = failed = 0
    for w in widths:
        what = "%s @%dpx" % (j.name, w["width"])
        problems = ([w["error"]] if w["error"] else []) + list(w["problems"])
        if not problems:
            try:
                j.verify(suite, w["width"], w["out"])
            except Fail as e:
                problems.append("database: %s" % e)
        if problems:
            failed += 1
            print("FAIL %s (%d pages, %.1fs):\n    %s" % (what, len(w["pages"]), w["seconds"],
                                                        "\n    ".join(problems)))
        else:
            passed += 1
            print("ok   %s (%d pages, %.1fs)" % (what, len(w["pages"]), w["seconds"]))
    print("     %s: %.1fs" % (j.name, time.monotonic() - t0))
    return widths, passed, failed


def run_all(env, only, t_start):
    """The stack, the people and every journey: (passed, failed)."""
    passed = failed = 0
    shutil.rmtree(SHOTS, ignore_errors=True)
    os.makedirs(SHOTS)
    for tool in (["node", "--version"], ["/usr/bin/chromium", "--version"]):
        v = subprocess.run(tool, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        print("%s: %s" % (tool[0], v.stdout.strip().splitlines()[-1] if v.stdout.strip() else "?"))
    env.setup()
    env.ensure_server()
    mailbox = start_mailbox(env)
    suite = Suite(env, "http://127.0.0.1:%d" % mailbox.server_address[1])
    suite.setup()
    print("setup: %.1fs" % (time.monotonic() - t_start))
    results = []
    for j in JOURNEYS:
        if only and only not in j.name:
            continue
        widths, p, f = run_journey(suite, j)
        results.append((j.name, widths))
        passed, failed = passed + p, failed + f
    accessibility_report(results)
    return passed, failed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", required=True, help="the build directory holding membermail")
    ap.add_argument("--only", help="run journeys whose name contains this")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    ap.add_argument("--summary", help="also write the summary line to this file")
    args = ap.parse_args()

    def on_term(sig, frame):
        raise KeyboardInterrupt("signal %d" % sig)
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGHUP, on_term)

    passed = failed = 0
    t_start = time.monotonic()
    base = tempfile.mkdtemp(prefix="mm-browser-")
    stack.use_build(args.build_dir)
    env = BrowserEnv(os.path.abspath(args.build_dir), base)
    try:
        passed, failed = run_all(env, args.only, t_start)
    except KeyboardInterrupt as e:
        print("interrupted (%s): stopping everything" % (e or "Ctrl-C"))
        failed += 1
    except Exception as e:
        print("FAIL setup: %s" % e)
        traceback.print_exc(file=sys.stdout)
        failed += 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if env.server is not None:
            env.server.stop(signal.SIGQUIT, it.SHUTDOWN_TIMEOUT + 2)
        stack.cleanup_all()

    reports = [log for log in env.serve_logs if any(p in open(log, errors="replace").read()
                                                   for p in it.SANITIZER)]
    if reports:
        failed += 1
        print("FAIL sanitizer reports in %s" % ", ".join(reports))
    if failed or args.keep:
        print("browser: logs kept in %s" % base)
    else:
        shutil.rmtree(base, ignore_errors=True)
    print("browser: screenshots in %s" % os.path.relpath(SHOTS, REPO))
    print("browser: %.1fs" % (time.monotonic() - t_start))
    return it.summarise("browser", passed, failed, 0, args.summary)


if __name__ == "__main__":
    sys.exit(main())
