#!/usr/bin/python3
"""membermail's benchmark: a page through nginx, membermail against a bare
libfcgi responder (tests/bench/bare_responder.c) and, for /my, a PHP peer
(tests/bench/peer/ on Debian's php-fpm), each with the same worker count,
behind the same private nginx (a server block each, same snippet, same
FastCGI settings), on the same database rows, in the same run.  Run by
tests/bench/run.

Two pages (--page):
  landing  GET /ubuntu, anonymous; the bare responder sends the page from
           memory.  Target: membermail >= 0.85 of the bare requests/s.
  my       GET /my for a signed-in member with 3 aliases (session cookie);
           the bare responder also runs one primary-key SELECT per request
           over its own connection; the PHP peer does what /my does (the
           session by its token's hash, the same statements, the same page).
           Targets: membermail >= 0.6 of the bare requests/s and >= 1.5x
           the PHP peer's, p99 <= 2x the bare responder's p99.

Every round measures each server in turn (the order rotates) and every
target is checked in every round.  Per request, the CPU time of each
server's workers, of its PostgreSQL backends and of nginx is read from
/proc: where the time goes, without a profiler.

    bench.py --build-dir build/local --bare build/bench/bare_responder
             [--page landing|my] [--workers 2] [--duration 10] [--connections 32]
             [--threads 2] [--rounds 3] [--soak 100000] [--no-php] [--php-server-prepares]
             [--bare-close-at-once]
             [--profile DIR [--profile-seconds 8]]

--profile runs no rounds: it profiles one worker of each server under
load instead (bench_profile.py: strace -c, perf, pg_stat_statements, EXPLAIN).
Exits 1 when a target is missed or a run had errors.  Everything it starts
is stopped.
"""

import argparse
import base64
import difflib
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))
import stack   # noqa: E402
import php_peer   # noqa: E402

TARGET_RSS_KIB = 8 * 1024
PAGES = {"landing": ("/ubuntu", 0.85), "my": ("/my", 0.6)}
TARGET_VS_PHP = 1.5         # /my: membermail's requests/s over the PHP peer's
TARGET_P99_VS_BARE = 2.0    # /my: membermail's p99 over the bare responder's

# A member with an alias on each of three domains, and a live session;
# around them, 2,000 other members with an alias and a session each, and
# each team's last two complete snapshots of 1,000 names (the member in
# three), so the tables are read as in production, through their indexes.
MEMBER_SQL = """
INSERT INTO users (claimed_id, name, email, person_status, person_checked_at)
    SELECT 'https://login.ubuntu.com/+id/BenchOther' || i, 'other' || i,
           'other' || i || '@example.org', 'valid', now()
    FROM generate_series(1, 2000) i;
INSERT INTO domain_members (domain_id, user_id)
    SELECT d.id, u.id FROM domains d, users u
    WHERE d.name = 'ubuntu.com' AND u.name LIKE 'other%%';
INSERT INTO aliases (domain_id, local_part, user_id, recipients)
    SELECT d.id, u.name, u.id, ARRAY[u.email] FROM domains d, users u
    WHERE d.name = 'ubuntu.com' AND u.name LIKE 'other%%';
INSERT INTO sessions (token_hash, user_id, csrf_token, idle_expires_at, expires_at)
    SELECT sha256(u.name::bytea), u.id, sha256(u.email::bytea),
           now() + interval '12 hours', now() + interval '12 hours'
    FROM users u WHERE u.name LIKE 'other%%';
INSERT INTO team_snapshots (team, fetched_at, total, complete)
    SELECT d.team, now() - g * interval '5 minutes', 1000, true
    FROM domains d, generate_series(0, 1) g;
INSERT INTO team_snapshot_members (snapshot_id, name)
    SELECT ts.id, 'other' || i FROM team_snapshots ts, generate_series(1, 1000) i;
INSERT INTO team_snapshot_members (snapshot_id, name)
    SELECT ts.id, 'kotodama' FROM team_snapshots ts
    WHERE ts.team IN (SELECT team FROM domains
                      WHERE name IN ('ubuntu.com', 'kubuntu.org', 'lubuntu.me'));
UPDATE domains SET txt_status = 'verified', txt_checked_at = now();
INSERT INTO users (claimed_id, name, email, display_name, person_status, person_checked_at)
    VALUES ('https://login.ubuntu.com/+id/BenchMember1', 'kotodama', 'koto@example.org',
            'Koto Dama', 'valid', now());
INSERT INTO domain_members (domain_id, user_id)
    SELECT d.id, u.id FROM domains d, users u
    WHERE u.name = 'kotodama' AND d.name IN ('ubuntu.com', 'kubuntu.org', 'lubuntu.me');
INSERT INTO aliases (domain_id, local_part, user_id, recipients, description)
    SELECT d.id, 'kotodama', u.id, ARRAY['koto@example.org', 'koto@example.net'],
           'Forwarded to my own mailboxes'
    FROM domains d, users u
    WHERE u.name = 'kotodama' AND d.name IN ('ubuntu.com', 'kubuntu.org', 'lubuntu.me');
INSERT INTO sessions (token_hash, user_id, csrf_token, idle_expires_at, expires_at)
    SELECT decode('%s', 'hex'), id, decode(repeat('ab', 32), 'hex'),
           now() + interval '12 hours', now() + interval '12 hours'
    FROM users WHERE name = 'kotodama';
VACUUM ANALYZE;
SELECT id FROM users WHERE name = 'kotodama';
"""


def member_session(pg):
    """Seeds MEMBER_SQL; returns (session cookie, user id, token hash)."""
    token = base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()
    digest = hashlib.sha256(token.encode()).hexdigest()
    _, out, _ = pg.psql(MEMBER_SQL % digest, db=stack.APP_DB)
    return "mm_session=" + token, out.split()[-1], digest


def parse_wrk(out):
    def dur(v):
        m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", v)
        if not m:
            return None
        return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[m.group(2)]
    r = {"rps": None, "p50": None, "p99": None, "non2xx": 0, "errors": 0, "requests": 0}
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if m:
        r["rps"] = float(m.group(1))
    for pct, key in (("50", "p50"), ("99", "p99")):
        m = re.search(r"^\s+%s(?:\.000)?%%\s+(\S+)" % pct, out, re.M)
        if m:
            r[key] = dur(m.group(1))
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if m:
        r["non2xx"] = int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        r["errors"] = sum(int(x) for x in m.groups())
    m = re.search(r"(\d+) requests in", out)
    if m:
        r["requests"] = int(m.group(1))
    return r


class Target:
    """One server under test: its port, master, workers and the
    application_name of its PostgreSQL connections."""

    def __init__(self, name, port, master, workers, pg_app=None):
        self.name, self.port, self.master = name, port, master
        self._workers = workers
        self.pg_app = pg_app
        self.pg_pids = []
        self.runs, self.rss = [], []

    def workers(self):
        return self._workers(self.master)

    def worker_rss(self):
        return [stack.rss_kib(p) or 0 for p in self.workers()]


class Bench:
    """The stack of one run: PostgreSQL, membermail, the bare responder, the
    PHP peer (page my), nginx; and the wrk runs against them."""

    def __init__(self, args):
        self.args = args
        self.path, self.target_ratio = PAGES[args.page]
        self.base = tempfile.mkdtemp(prefix="mm-bench-")
        os.chmod(self.base, 0o755)
        self.targets = {}
        self.cookie = None
        self.digest = None
        self.page = None
        self.nginx = None
        self.pg = None

    def start(self):
        """Everything up, the pages checked; False (said why) if not."""
        a, base = self.args, self.base
        binary = os.path.join(os.path.abspath(a.build_dir), "membermail")
        stack.use_build(a.build_dir)
        sock = os.path.join(base, "membermail.sock")
        static = os.path.join(base, "static")
        shutil.copytree(os.path.join(stack.REPO, "views", "static"), static)
        prefix = os.path.join(base, "nginx")
        ports = {n: stack.free_port() for n in ("membermail", "bare", "php")}
        self.pg = pg = stack.Postgres(os.path.join(base, "pg"))
        conf = stack.render_config(os.path.join(base, "membermail.conf"), stack.config_settings(
            sock, workers=a.workers, max_body="64k", log_level=a.log_level,
            public_url="http://127.0.0.1:%d" % ports["membermail"], database=pg.conninfo()))
        pg.init()
        if a.profile:
            with open(os.path.join(pg.data, "postgresql.conf"), "a") as f:
                f.write("shared_preload_libraries = 'pg_stat_statements'\n"
                        "track_activity_query_size = 8192\n")  # the /my statement whole
        pg.start()
        stack.provision_database(pg, binary, conf=conf)
        print("bench: PostgreSQL 15 (pid %d), domains seeded with %s"
              % (pg.pid, stack.seed_domains(pg, binary, conf)))
        stack.render_nginx(prefix, sock, static, listen="127.0.0.1:%d" % ports["membermail"])
        with open(os.path.join(prefix, "snippets", "membermail-common.conf")) as f:
            common = f.read()
        expect = "fastcgi_pass membermail;"
        assert common.count(expect) >= 1, "membermail-common.conf changed: no %r" % expect
        with open(os.path.join(prefix, "snippets", "bare-common.conf"), "w") as f:
            f.write(common.replace(expect, "fastcgi_pass membermail_bare;"))
        # sites/*.conf load in name order: after local.conf (log_format, zones).
        bare_sock = os.path.join(base, "bare.sock")
        with open(os.path.join(prefix, "sites", "zz-bare.conf"), "w") as f:
            f.write("upstream membermail_bare {\n    server unix:%s max_fails=3 fail_timeout=5s;\n}\n"
                    "server {\n    listen 127.0.0.1:%d;\n    server_name localhost;\n"
                    "    access_log %s/logs/access-bare.log membermail;\n"
                    "    include snippets/bare-common.conf;\n}\n"
                    % (bare_sock, ports["bare"], prefix))
        php = a.page == "my" and not a.no_php
        php_sock = os.path.join(base, "php.sock")
        if php:
            with open(os.path.join(prefix, "sites", "zz-php.conf"), "w") as f:
                f.write(php_peer.nginx_site(prefix, common, ports["php"], php_sock,
                                            os.path.join(base, "peer", "my.php")))

        mm = stack.Membermail(binary, conf, os.path.join(base, "membermail.log"), sock,
                              a.workers).start().wait_ready()
        self.nginx = stack.Nginx(prefix).start([ports[n] for n in ports if php or n != "php"])
        self.targets["membermail"] = Target("membermail", ports["membermail"], mm.pid,
                                            stack.workers_of, "membermail")
        bare_args = []
        if a.page == "my":
            self.cookie, uid, self.digest = member_session(pg)
            bare_args = ["-d", pg.conninfo() + " application_name=bench-bare", "-u", uid]
        if not self.check_membermail():
            return False
        if not self.start_bare(bare_args, bare_sock, ports["bare"]):
            return False
        if php:
            proc, _ = php_peer.start(base, php_sock, a.workers,
                                     php_peer.php_dsn(pg, "bench-php"), a.php_server_prepares)
            self.targets["php"] = Target("php", ports["php"], proc.pid, stack.children_of,
                                         "bench-php")
            if not self.check_php():
                return False
        return True

    def headers(self):
        """What every request carries: the session, a language."""
        h = {"Cookie": self.cookie} if self.cookie else {}
        if self.args.accept_language:
            h["Accept-Language"] = self.args.accept_language
        return h

    def check_membermail(self):
        page = stack.http_request(self.targets["membermail"].port, "GET", self.path,
                                  headers=self.headers() or None)
        if page.status != 200:
            print("bench: GET %s from membermail: %s" % (self.path, page))
            return False
        if self.args.page == "my" and page.body.count(b"kotodama@") < 3:
            print("bench: /my does not show the member's 3 aliases:\n%s"
                  % page.body.decode("utf-8", "replace")[:3000])
            return False
        if self.args.returning and not self.cookie:
            self.cookie = (page.header("Set-Cookie") or "").split(";", 1)[0] or None
            print("bench: as a returning browser (%s)" % (self.cookie or "no cookie was set!"))
        self.page = page.body
        return True

    def start_bare(self, bare_args, sock, port):
        page_file = os.path.join(self.base, "page.html")
        with open(page_file, "wb") as f:
            f.write(self.page)
        if self.args.bare_close_at_once:
            bare_args = ["-c"] + bare_args
        bare = stack.Proc([self.args.bare] + bare_args + [sock, str(self.args.workers), page_file],
                          os.path.join(self.base, "bare.log"), name="bare_responder")
        if not stack.wait_until(lambda: len(stack.children_of(bare.pid)) == self.args.workers
                                and os.path.exists(sock), 10):
            print("bench: bare responder did not start:\n%s" % bare.tail())
            return False
        b = stack.http_request(port, "GET", self.path)
        if b.status != 200 or b.body != self.page:
            print("bench: bare responder answers %s, %d bytes (want the %d-byte page)"
                  % (b.status, len(b.body), len(self.page)))
            return False
        self.targets["bare"] = Target("bare", port, bare.pid, stack.children_of, "bench-bare")
        return True

    def check_php(self):
        """The peer's page must be membermail's: same aliases, same size
        within 2 % (the bytes are the same today; a template changed since
        the peer was written shows as a diff, not as a failure).  The peer
        speaks English only: when membermail's page is in another language
        (--accept-language), the bench says so and compares no bytes."""
        p = stack.http_request(self.targets["php"].port, "GET", self.path,
                               headers=self.headers())
        if p.status != 200 or p.body.count(b"kotodama@") < 3:
            print("bench: the PHP peer answers %s:\n%s"
                  % (p.status, p.body.decode("utf-8", "replace")[:3000]))
            return False
        m = re.search(rb'<html lang="([^"]*)"', self.page)
        lang = m.group(1).decode() if m else "?"
        if lang != "en":
            print("bench: membermail's page is in %r (%d bytes); the PHP peer's is in English only "
                  "(%d bytes): the pages are not compared, so membermail/php compares unlike pages"
                  % (lang, len(self.page), len(p.body)))
            return True
        if p.body == self.page:
            print("bench: the PHP peer's page is byte for byte membermail's (%d bytes)"
                  % len(p.body))
            return True
        diff = difflib.unified_diff(self.page.decode().splitlines(), p.body.decode().splitlines(),
                                    "membermail", "php", lineterm="", n=1)
        print("bench: the PHP peer's page differs from membermail's (%d vs %d bytes):\n%s"
              % (len(p.body), len(self.page), "\n".join(list(diff)[:40])))
        return abs(len(p.body) - len(self.page)) <= 0.02 * len(self.page)

    def find_pg_backends(self):
        _, out, _ = self.pg.psql("SELECT application_name, pid FROM pg_stat_activity "
                                 "WHERE datname = '%s'" % stack.APP_DB)
        for line in out.splitlines():
            name, _, pid = line.partition("|")
            for t in self.targets.values():
                if t.pg_app == name:
                    t.pg_pids.append(int(pid))

    def wrk(self, name, duration):
        t = self.targets[name]
        cmd = ["wrk", "-t%d" % self.args.threads, "-c%d" % self.args.connections,
               "-d%ds" % duration, "--timeout", "5s", "--latency",
               "http://127.0.0.1:%d%s" % (t.port, self.path)]
        for k, v in self.headers().items():
            cmd[1:1] = ["-H", "%s: %s" % (k, v)]
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=duration + 30)
        out = r.stdout.decode("utf-8", "replace")
        if r.returncode != 0:
            print(out)
        return parse_wrk(out), out

    def measured(self, name, duration):
        """A wrk run with the CPU each part spent per request (us)."""
        t = self.targets[name]
        groups = {"app": t.workers(), "pg": t.pg_pids,
                  "nginx": stack.children_of(self.nginx.proc.pid)}
        before = {g: stack.cpu_seconds(p) for g, p in groups.items()}
        res, out = self.wrk(name, duration)
        for g, pids in groups.items():
            used = (stack.cpu_seconds(pids) - before[g]) * 1e6
            res["cpu_" + g] = used / res["requests"] if res["requests"] else 0.0
        return res, out

    def stop(self):
        stack.cleanup_all()
        if self.args.keep:
            print("bench: files kept in %s" % self.base)
        else:
            shutil.rmtree(self.base, ignore_errors=True)


def mean(xs):
    xs = [x for x in xs if x is not None]
    return sum(xs) / len(xs) if xs else 0.0


def round_checks(b, rnd):
    """The targets for round rnd: [(what, value, ok)]."""
    run = {n: t.runs[rnd] for n, t in b.targets.items()}
    mm, bare = run["membermail"], run["bare"]
    ratio = (mm["rps"] or 0) / bare["rps"] if bare["rps"] else 0.0
    out = [("membermail/bare", "%.3f (>= %.2f)" % (ratio, b.target_ratio), ratio >= b.target_ratio)]
    if b.args.page == "my":
        p99 = (mm["p99"] or 0) / bare["p99"] if bare["p99"] else 0.0
        out.append(("p99 membermail/bare", "%.2f (<= %.1f)" % (p99, TARGET_P99_VS_BARE),
                    0 < p99 <= TARGET_P99_VS_BARE))
        if "php" in run:
            vs = (mm["rps"] or 0) / run["php"]["rps"] if run["php"]["rps"] else 0.0
            out.append(("membermail/php", "%.2f (>= %.1f)" % (vs, TARGET_VS_PHP),
                        vs >= TARGET_VS_PHP))
    return out


def run_rounds(b):
    a, ok = b.args, True
    names = list(b.targets)
    print("bench: %d workers each, wrk -t%d -c%d -d%ds, GET %s (%d-byte page), %d rounds"
          % (a.workers, a.threads, a.connections, a.duration, b.path, len(b.page), a.rounds))
    print("bench: load before: %s" % open("/proc/loadavg").read().strip())
    for name in names:          # warm up
        b.wrk(name, 2)
    b.find_pg_backends()
    print("  %-5s %-10s %9s %8s %8s %9s  %s" % ("round", "server", "req/s", "p50 ms", "p99 ms",
                                                "requests", "CPU us/request: app + pg + nginx"))
    for rnd in range(a.rounds):
        for name in names[rnd % len(names):] + names[:rnd % len(names)]:
            res, out = b.measured(name, a.duration)
            t = b.targets[name]
            t.runs.append(res)
            t.rss += t.worker_rss()
            print("  %-5d %-10s %9.0f %8.2f %8.2f %9d  %5.0f + %4.0f + %4.0f = %5.0f%s"
                  % (rnd + 1, name, res["rps"] or 0, res["p50"] or 0, res["p99"] or 0,
                     res["requests"], res["cpu_app"], res["cpu_pg"], res["cpu_nginx"],
                     res["cpu_app"] + res["cpu_pg"] + res["cpu_nginx"],
                     "" if not (res["non2xx"] or res["errors"]) else
                     "  non-2xx %d, socket errors %d" % (res["non2xx"], res["errors"])))
            if res["rps"] is None or res["non2xx"] or res["errors"]:
                ok = False
                print(out)
        checks = round_checks(b, rnd)
        print("        round %d: %s" % (rnd + 1, "; ".join(
            "%s %s %s" % (w, v, "ok" if good else "MISSED") for w, v, good in checks)))
        ok = ok and all(good for _, _, good in checks)
    print("bench: load after: %s" % open("/proc/loadavg").read().strip())
    return ok


def report(b):
    print()
    print("%-12s %10s %8s %8s %10s %8s %8s %10s" % ("", "requests/s", "p50 ms", "p99 ms",
                                                    "RSS max", "app us", "pg us", "nginx us"))
    for name, t in b.targets.items():
        print("%-12s %10.0f %8.2f %8.2f %6.1f MiB %8.0f %8.0f %10.0f" % (
            name, mean([r["rps"] for r in t.runs]), mean([r["p50"] for r in t.runs]),
            mean([r["p99"] for r in t.runs]), max(t.rss or [0]) / 1024,
            mean([r["cpu_app"] for r in t.runs]), mean([r["cpu_pg"] for r in t.runs]),
            mean([r["cpu_nginx"] for r in t.runs])))
    rss = max(b.targets["membermail"].rss or [0])
    ok = 0 < rss < TARGET_RSS_KIB
    print("membermail worker RSS: %.1f MiB (target < %d MiB): %s"
          % (rss / 1024, TARGET_RSS_KIB // 1024, "ok" if ok else "MISSED"))
    return ok


def soak(b, total):
    """Sends `total` requests in 5-second wrk runs; worker RSS is read at
    the half-way mark and at the end: under the target, and not growing
    (a leak in a long-running worker would show here)."""
    t = b.targets["membermail"]
    sent, half_rss, errors = 0, None, 0
    pids = sorted(t.workers())
    while sent < total:
        res, _ = b.wrk("membermail", 5)
        sent += res["requests"]
        errors += res["non2xx"] + res["errors"]
        if half_rss is None and sent >= total // 2:
            half_rss = t.worker_rss()
    end_rss = t.worker_rss()
    same = sorted(t.workers()) == pids
    grew = [y - x for x, y in zip(half_rss, end_rss)] if same else []
    print()
    print("soak: %d requests, %d errors, same workers throughout: %s" % (sent, errors, same))
    print("soak: worker RSS at %d requests: %s KiB; at %d: %s KiB; growth %s KiB"
          % (total // 2, half_rss, sent, end_rss, grew))
    ok = errors == 0 and same and max(end_rss) < TARGET_RSS_KIB and all(g <= 64 for g in grew)
    print("soak: %s (RSS < %d MiB, growth in the second half <= 64 KiB)"
          % ("ok" if ok else "MISSED", TARGET_RSS_KIB // 1024))
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--bare", required=True, help="the compiled bare_responder")
    ap.add_argument("--page", choices=sorted(PAGES), default="landing")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--log-level", default="info",
                    help="membermail's log_level (info logs one line per request, as in production)")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--returning", action="store_true",
                    help="requests carry the mm_browser cookie of a browser that has been "
                         "here before (the first visit sets it, with a CSRF token derivation)")
    ap.add_argument("--soak", type=int, default=100000, metavar="N",
                    help="then N more requests to membermail, checking that worker RSS "
                         "stays under the target and does not grow in the second half (0: skip)")
    ap.add_argument("--no-php", action="store_true", help="page my without the PHP peer")
    ap.add_argument("--accept-language", metavar="TAGS",
                    help="requests carry this Accept-Language (e.g. fi: the Finnish page)")
    ap.add_argument("--php-server-prepares", action="store_true",
                    help="the PHP peer lets PDO prepare each statement on the server "
                         "(prepare, execute, deallocate) instead of one round trip each")
    ap.add_argument("--bare-close-at-once", action="store_true",
                    help="the bare responder ends requests as membermail does, closing at once "
                         "instead of libfcgi's close, which waits for nginx to close first")
    ap.add_argument("--profile", metavar="DIR",
                    help="no rounds: profile a worker of each server under load into DIR")
    ap.add_argument("--profile-seconds", type=int, default=8)
    args = ap.parse_args()

    def on_term(sig, frame):
        raise KeyboardInterrupt("signal %d" % sig)
    signal.signal(signal.SIGTERM, on_term)

    b = Bench(args)
    try:
        if not b.start():
            return 1
        print("bench: membermail log_level=%s" % args.log_level)
        if args.profile:
            import bench_profile as prof
            return prof.run(b, args.profile, args.profile_seconds)
        ok = run_rounds(b)
        ok = report(b) and ok
        if args.soak > 0:
            ok = soak(b, args.soak) and ok
        return 0 if ok else 1
    except KeyboardInterrupt:
        print("bench: interrupted; stopping everything")
        return 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        b.stop()


if __name__ == "__main__":
    sys.exit(main())
