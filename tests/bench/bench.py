#!/usr/bin/python3
"""membermail's benchmark: a page through nginx, membermail against a bare
libfcgi responder (tests/bench/bare_responder.c) with the same worker count,
behind the same private nginx (two server blocks, same snippet, same FastCGI
settings), in the same run.  Run by tests/bench/run.

Two pages (--page):
  landing  GET /ubuntu, anonymous; the bare responder sends the page from
           memory.  Target: membermail >= 0.85 of the bare requests/s.
  my       GET /my for a signed-in member with 3 aliases (session cookie);
           the bare responder also runs one primary-key SELECT per request
           over its own connection.  Target: >= 0.6.

/ubuntu reads its domain from PostgreSQL: membermail runs on a private
PostgreSQL 15 cluster (stack.Postgres, unix socket, fsync off) migrated and
seeded as in the integration tests; the bare responder serves the page
membermail rendered, from memory.

    bench.py --build-dir build/local --bare build/bench/bare_responder
             [--workers 2] [--duration 10] [--connections 32] [--threads 2] [--rounds 2]
             [--accept-language fi]

Prints requests/s of each, their ratio, p50/p99 latency and worker RSS, and
checks the targets (ratio >= 0.85, worker RSS < 8 MiB).  Exits 1 when a
target is missed or a run had errors.  Everything it starts is stopped.
"""

import argparse
import base64
import hashlib
import os
import re
import signal
import subprocess
import sys
import tempfile
import shutil

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "integration"))
import stack   # noqa: E402

TARGET_RSS_KIB = 8 * 1024
PAGES = {"landing": ("/ubuntu", 0.85), "my": ("/my", 0.6)}

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
    """Seeds MEMBER_SQL; returns (session cookie, user id)."""
    token = base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()
    digest = hashlib.sha256(token.encode()).hexdigest()
    _, out, _ = pg.psql(MEMBER_SQL % digest, db=stack.APP_DB)
    return "mm_session=" + token, out.split()[-1]


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


def soak(target, wrk, total):
    """Sends `total` requests in 5-second wrk runs; worker RSS is read at
    the half-way mark and at the end: under the target, and not growing
    (a leak in a long-running worker would show here)."""
    sent, half_rss, errors = 0, None, 0
    pids = sorted(stack.workers_of(target["master"]))
    while sent < total:
        res, _ = wrk("membermail", 5)
        sent += res["requests"]
        errors += res["non2xx"] + res["errors"]
        if half_rss is None and sent >= total // 2:
            half_rss = worker_rss(target["master"])
    end_rss = worker_rss(target["master"])
    same = sorted(stack.workers_of(target["master"])) == pids
    grew = [b - a for a, b in zip(half_rss, end_rss)] if same else []
    print()
    print("soak: %d requests, %d errors, same workers throughout: %s" % (sent, errors, same))
    print("soak: worker RSS at %d requests: %s KiB; at %d: %s KiB; growth %s KiB"
          % (total // 2, half_rss, sent, end_rss, grew))
    ok = errors == 0 and same and max(end_rss) < TARGET_RSS_KIB and all(g <= 64 for g in grew)
    print("soak: %s (RSS < %d MiB, growth in the second half <= 64 KiB)"
          % ("ok" if ok else "MISSED", TARGET_RSS_KIB // 1024))
    return ok


def worker_rss(master_pid):
    return [stack.rss_kib(p) or 0 for p in stack.workers_of(master_pid)]


def cpu_seconds(master_pid):
    """User + system CPU time of a master's workers, in seconds: per
    request, the cost of a page that other load on the machine does not
    change the way it changes requests/s."""
    total = 0
    for pid in stack.workers_of(master_pid):
        try:
            with open("/proc/%d/stat" % pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])     # utime, stime
        except (OSError, IndexError, ValueError):
            pass
    return total / os.sysconf("SC_CLK_TCK")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--bare", required=True, help="the compiled bare_responder")
    ap.add_argument("--page", choices=sorted(PAGES), default="landing")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--log-level", default="info",
                    help="membermail's log_level (info logs one line per request, as in production)")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--returning", action="store_true",
                    help="requests carry the mm_browser cookie of a browser that has been "
                         "here before (the first visit sets it, with a CSRF token derivation)")
    ap.add_argument("--accept-language", metavar="TAGS",
                    help="requests carry this Accept-Language (e.g. fi: the Finnish page)")
    ap.add_argument("--soak", type=int, default=100000, metavar="N",
                    help="then N more requests to membermail, checking that worker RSS "
                         "stays under the target and does not grow in the second half (0: skip)")
    args = ap.parse_args()
    binary = os.path.join(os.path.abspath(args.build_dir), "membermail")
    stack.use_build(args.build_dir)
    path, target_ratio = PAGES[args.page]

    def on_term(sig, frame):
        raise KeyboardInterrupt("signal %d" % sig)
    signal.signal(signal.SIGTERM, on_term)

    base = tempfile.mkdtemp(prefix="mm-bench-")
    os.chmod(base, 0o755)
    sock = os.path.join(base, "membermail.sock")
    bare_sock = os.path.join(base, "bare.sock")
    static = os.path.join(base, "static")
    shutil.copytree(os.path.join(stack.REPO, "views", "static"), static)
    prefix = os.path.join(base, "nginx")
    mm_port, bare_port = stack.free_port(), stack.free_port()
    ok = True
    try:
        pg = stack.Postgres(os.path.join(base, "pg"))
        conf = stack.render_config(os.path.join(base, "membermail.conf"), stack.config_settings(
            sock, workers=args.workers, max_body="64k", log_level=args.log_level,
            public_url="http://127.0.0.1:%d" % mm_port, database=pg.conninfo()))
        pg.init().start()
        stack.provision_database(pg, binary, conf=conf)
        print("bench: PostgreSQL 15 (pid %d), domains seeded with %s"
              % (pg.pid, stack.seed_domains(pg, binary, conf)))
        # The bare responder's server block uses the very same snippet, with
        # only the upstream name changed.
        stack.render_nginx(prefix, sock, static, listen="127.0.0.1:%d" % mm_port)
        with open(os.path.join(prefix, "snippets", "membermail-common.conf")) as f:
            common = f.read()
        expect = "fastcgi_pass membermail;"
        assert common.count(expect) >= 1, "membermail-common.conf changed: no %r" % expect
        with open(os.path.join(prefix, "snippets", "bare-common.conf"), "w") as f:
            f.write(common.replace(expect, "fastcgi_pass membermail_bare;"))
        # sites/*.conf load in name order: after local.conf (log_format, zones).
        with open(os.path.join(prefix, "sites", "zz-bare.conf"), "w") as f:
            f.write("upstream membermail_bare {\n    server unix:%s max_fails=3 fail_timeout=5s;\n}\n"
                    "server {\n    listen 127.0.0.1:%d;\n    server_name localhost;\n"
                    "    access_log %s/logs/access-bare.log membermail;\n"
                    "    include snippets/bare-common.conf;\n}\n" % (bare_sock, bare_port, prefix))

        mm = stack.Membermail(binary, conf, os.path.join(base, "membermail.log"), sock,
                              args.workers).start().wait_ready()
        stack.Nginx(prefix).start([mm_port, bare_port])
        cookie, bare_args = None, []
        if args.page == "my":
            cookie, uid = member_session(pg)
            bare_args = ["-d", pg.conninfo(), "-u", uid]
        headers = {"Cookie": cookie} if cookie else {}
        if args.accept_language:
            headers["Accept-Language"] = args.accept_language
        page = stack.http_request(mm_port, "GET", path, headers=headers or None)
        if page.status != 200:
            print("bench: GET %s from membermail: %s" % (path, page))
            return 1
        if args.page == "my" and page.body.count(b"kotodama@") < 3:
            print("bench: /my does not show the member's 3 aliases:\n%s"
                  % page.body.decode("utf-8", "replace")[:3000])
            return 1
        if args.returning and not cookie:
            cookie = (page.header("Set-Cookie") or "").split(";", 1)[0] or None
            print("bench: as a returning browser (%s)" % (cookie or "no cookie was set!"))
        page_file = os.path.join(base, "page.html")
        with open(page_file, "wb") as f:
            f.write(page.body)
        bare = stack.Proc([args.bare] + bare_args + [bare_sock, str(args.workers), page_file],
                          os.path.join(base, "bare.log"), name="bare_responder")
        if not stack.wait_until(lambda: len(stack.children_of(bare.pid)) == args.workers
                                and os.path.exists(bare_sock), 10):
            print("bench: bare responder did not start:\n%s" % bare.tail())
            return 1
        b = stack.http_request(bare_port, "GET", path)
        if b.status != 200 or b.body != page.body:
            print("bench: bare responder answers %s, %d bytes (want the %d-byte page)"
                  % (b.status, len(b.body), len(page.body)))
            return 1

        targets = {
            "membermail": {"port": mm_port, "master": mm.pid, "runs": [], "rss": [], "cpu": 0.0},
            "bare": {"port": bare_port, "master": bare.pid, "runs": [], "rss": [], "cpu": 0.0},
        }

        def wrk(name, duration):
            t = targets[name]
            cmd = ["wrk", "-t%d" % args.threads, "-c%d" % args.connections, "-d%ds" % duration,
                   "--timeout", "5s", "--latency", "http://127.0.0.1:%d%s" % (t["port"], path)]
            if cookie:
                cmd[1:1] = ["-H", "Cookie: " + cookie]
            if args.accept_language:
                cmd[1:1] = ["-H", "Accept-Language: " + args.accept_language]
            r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=duration + 30)
            out = r.stdout.decode("utf-8", "replace")
            if r.returncode != 0:
                print(out)
            return parse_wrk(out), out

        print("bench: membermail log_level=%s" % args.log_level)
        print("bench: %d workers each, wrk -t%d -c%d -d%ds, GET %s (%d-byte page), %d rounds"
              % (args.workers, args.threads, args.connections, args.duration, path,
                 len(page.body), args.rounds))
        for name in targets:          # warm up
            wrk(name, 2)
        for rnd in range(args.rounds):
            order = ["membermail", "bare"] if rnd % 2 == 0 else ["bare", "membermail"]
            for name in order:
                cpu0 = cpu_seconds(targets[name]["master"])
                res, out = wrk(name, args.duration)
                targets[name]["cpu"] += cpu_seconds(targets[name]["master"]) - cpu0
                targets[name]["runs"].append(res)
                targets[name]["rss"] += worker_rss(targets[name]["master"])
                print("  round %d %-10s %9.0f req/s  p50 %6.2f ms  p99 %6.2f ms  requests %d  non-2xx %d  socket errors %d"
                      % (rnd + 1, name, res["rps"] or 0, res["p50"] or 0, res["p99"] or 0,
                         res["requests"], res["non2xx"], res["errors"]))
                if res["rps"] is None or res["non2xx"] or res["errors"]:
                    ok = False
                    print(out)

        def mean(xs):
            xs = [x for x in xs if x is not None]
            return sum(xs) / len(xs) if xs else 0.0
        summary = {}
        for name, t in targets.items():
            summary[name] = {
                "rps": mean([r["rps"] for r in t["runs"]]),
                "p50": mean([r["p50"] for r in t["runs"]]),
                "p99": mean([r["p99"] for r in t["runs"]]),
                "rss": max(t["rss"] or [0]),
                "cpu_us": 1e6 * t["cpu"] / max(1, sum(r["requests"] for r in t["runs"])),
            }
        ratio = summary["membermail"]["rps"] / summary["bare"]["rps"] if summary["bare"]["rps"] else 0.0
        print()
        print("%-12s %12s %10s %10s %16s %18s" % ("", "requests/s", "p50 ms", "p99 ms",
                                                 "worker RSS max", "worker CPU/request"))
        for name in ("membermail", "bare"):
            s = summary[name]
            print("%-12s %12.0f %10.2f %10.2f %12.1f MiB %15.1f us"
                  % (name, s["rps"], s["p50"], s["p99"], s["rss"] / 1024, s["cpu_us"]))
        print()
        rss = summary["membermail"]["rss"]
        print("ratio membermail/bare: %.3f (target >= %.2f): %s"
              % (ratio, target_ratio, "ok" if ratio >= target_ratio else "MISSED"))
        print("membermail worker RSS: %.1f MiB (target < %d MiB): %s"
              % (rss / 1024, TARGET_RSS_KIB // 1024, "ok" if 0 < rss < TARGET_RSS_KIB else "MISSED"))
        ok = ok and ratio >= target_ratio and 0 < rss < TARGET_RSS_KIB
        if args.soak > 0:
            ok = soak(targets["membermail"], wrk, args.soak) and ok
        return 0 if ok else 1
    except KeyboardInterrupt:
        print("bench: interrupted; stopping everything")
        return 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stack.cleanup_all()
        if args.keep:
            print("bench: files kept in %s" % base)
        else:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
