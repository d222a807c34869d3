#!/usr/bin/python3
"""membermail's sync benchmark: `membermail sync` of
10,000 users over 5 teams against the fake Launchpad with 20 ms added to
every request.  Run by tests/bench/sync; on demand, not in CI.

    sync_bench.py --build-dir build/local [--users 10000] [--teams 5]
                  [--latency-ms 20] [--concurrency N] [--page-size N]

A private PostgreSQL 15 cluster (stack.Postgres, unix socket) migrated as in
the integration tests; 5 verified domains, each with an admin, mapped to 5
teams; the users as a first sign-in leaves them (never checked, never
synced); every user a member of one team, every tenth of a second one too.
Two runs: the first checks every person and creates every alias (one
transaction, audit row and outbox row each), the second is the steady
state (teams fetched, nobody due for a person check, nothing to change).
Prints, per run, the summary line, the requests the fake received and the
seconds; exits 1 when the first run misses its target (5 s and 200
Launchpad requests) or a run fails.  Everything it starts is stopped.
"""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "integration"))
import stack   # noqa: E402

TARGET_SECONDS = 5.0       # the first run
TARGET_REQUESTS = 200      # Launchpad requests of the first run


def fixtures(lp, pg, users, teams):
    """Launchpad people and teams, and the database's users and domains."""
    names = ["user%05d" % i for i in range(users)]
    admins = ["admin%d" % t for t in range(teams)]
    lp.call("POST", "/_fake/people", [{"name": n, "karma": 10} for n in names + admins],
            timeout=120)
    members = [[] for _ in range(teams)]
    for i, n in enumerate(names):
        members[i % teams].append(n)
        if i % 10 == 0:
            members[(i + 1) % teams].append(n)
    lp.call("POST", "/_fake/teams", [{"name": "team%d" % t, "members": members[t]}
                                     for t in range(teams)], timeout=120)
    pg.psql("""
        INSERT INTO users (claimed_id, name, email)
            SELECT 'https://login.ubuntu.com/+id/u' || n, n, n || '@mail.example.org'
            FROM unnest(%s::text[]) AS n;
        INSERT INTO domains (name, team, verification_token, txt_status, txt_checked_at)
            SELECT 'flavour' || t || '.example', 'team' || t,
                   substr(md5(random()::text), 1, 10), 'verified', now()
            FROM generate_series(0, %d) AS t;
        INSERT INTO domain_members (domain_id, user_id, role)
            SELECT d.id, u.id, 'admin' FROM domains d
            JOIN users u ON u.name = 'admin' || substr(d.team, 5);
        """ % ("'{%s}'" % ",".join(names + admins), teams - 1), db=stack.APP_DB)
    return sum(len(m) for m in members)


def profiled(out):
    """perf record of the whole machine into out/perf.data while the block
    runs (the sync's PostgreSQL backend starts after it does)."""
    os.makedirs(out, exist_ok=True)
    return subprocess.Popen(["perf", "record", "-q", "-a", "-e", "cpu-clock", "-F", "2000",
                             "-o", os.path.join(out, "perf.data")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def profile_report(proc, out):
    """Stops perf; prints the top symbols of membermail and PostgreSQL."""
    proc.send_signal(signal.SIGINT)
    proc.wait(60)
    for comm in ("membermail", "postgres"):
        r = subprocess.run(["perf", "report", "-i", os.path.join(out, "perf.data"), "--stdio",
                            "--comm", comm, "--sort", "dso,sym", "--percentage", "relative",
                            "--percent-limit", "1"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=300)
        rows = [ln.rstrip()[:120] for ln in r.stdout.decode("utf-8", "replace").splitlines()
                if ln.strip() and not ln.startswith("#")]
        text = "\n".join(["profile of %s in the first run (share of its samples):" % comm]
                         + ["  " + ln for ln in rows[:25]])
        print(text)
        with open(os.path.join(out, "perf-%s.txt" % comm), "w") as f:
            f.write(text + "\n")


STATEMENTS_SQL = """
SELECT calls, round(total_exec_time::numeric) AS total_ms, rows,
       left(regexp_replace(query, '\\s+', ' ', 'g'), 100)
FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 15
"""


def statements_report(pg, out):
    """PostgreSQL's statements of the run by total time, nested ones
    (functions, triggers) included."""
    _, text, _ = pg.psql(STATEMENTS_SQL, db=stack.APP_DB)
    text = "statements of the first run by total time (calls, ms, rows, text):\n" + text
    print(text)
    with open(os.path.join(out, "statements.txt"), "w") as f:
        f.write(text + "\n")


def cpu_now(pg, lp):
    """CPU seconds so far: this process's reaped children (the sync),
    PostgreSQL with the backends it reaped, the fake Launchpad."""
    mine = os.times()
    return (mine.children_user + mine.children_system,
            stack.cpu_seconds([pg.pid], reaped=True), stack.cpu_seconds([lp.proc.pid]))


def run_sync(binary, conf, lp, pg, what, more=(), profile=None):
    lp.call("POST", "/_fake/requests/clear", {})
    perf = None
    if profile:
        pg.psql("CREATE EXTENSION IF NOT EXISTS pg_stat_statements; "
                "SELECT pg_stat_statements_reset()", db=stack.APP_DB)
        perf = profiled(profile)
    before = cpu_now(pg, lp)
    t0 = time.monotonic()
    r = subprocess.run([binary, "sync", "-c", conf] + list(more), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=600)
    took = time.monotonic() - t0
    time.sleep(0.5)     # the postmaster reaps the sync's backend, counting its CPU
    cpu = tuple(b - a for a, b in zip(before, cpu_now(pg, lp)))
    if perf:
        profile_report(perf, profile)
        statements_report(pg, profile)
    out = r.stdout.decode("utf-8", "replace")
    lines = [x for x in out.splitlines() if x.startswith("sync: teams")]
    nreq = len(lp.call("GET", "/_fake/requests", timeout=60))
    print("%s: exit %d, %d requests to Launchpad, %.1f s" % (what, r.returncode, nreq, took))
    print("  CPU seconds: membermail %.2f, PostgreSQL %.2f, fake Launchpad %.2f "
          "(load %.1f)" % (cpu + (os.getloadavg()[0],)))
    run_sync.requests = nreq
    print("  " + (lines[-1] if lines else "(no summary line)"))
    for line in r.stderr.decode("utf-8", "replace").splitlines():
        if "event=sync_stage" in line:
            print("  " + line.split(" ", 1)[1])
    if r.returncode != 0:
        print(r.stderr.decode("utf-8", "replace")[-2000:])
    return r.returncode, took


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--users", type=int, default=10000)
    ap.add_argument("--teams", type=int, default=5)
    ap.add_argument("--latency-ms", type=int, default=20)
    ap.add_argument("--concurrency", type=int, default=None,
                    help="launchpad_concurrency (default: the config's default)")
    ap.add_argument("--page-size", type=int, default=None,
                    help="launchpad_page_size (default: the config's default, 300)")
    ap.add_argument("--profile", metavar="DIR",
                    help="perf record the machine during the first run; keep it in DIR")
    ap.add_argument("--dry-run-first", action="store_true",
                    help="a --dry-run before the first run: Launchpad and planning alone")
    args = ap.parse_args()
    binary = os.path.join(os.path.abspath(args.build_dir), "membermail")
    stack.use_build(args.build_dir)
    base = tempfile.mkdtemp(prefix="mm-syncbench-")
    os.chmod(base, 0o755)
    rc = 1
    try:
        lp = stack.FakeLaunchpad(os.path.join(base, "launchpad.log")).start()
        pg = stack.Postgres(os.path.join(base, "pg"))
        conf = os.path.join(base, "membermail.conf")
        extra = [("launchpad_api", lp.api), ("removal_grace_days", "30"),
                 ("alerts_to", "ops@example.org")]
        if args.concurrency:
            extra.append(("launchpad_concurrency", str(args.concurrency)))
        if args.page_size:
            extra.append(("launchpad_page_size", str(args.page_size)))
        stack.render_config(conf, stack.config_settings(
            os.path.join(base, "membermail.sock"), database=pg.conninfo(), extra=extra),
            header="sync benchmark")
        pg.init()
        if args.profile:
            with open(os.path.join(pg.data, "postgresql.conf"), "a") as f:
                f.write("shared_preload_libraries = 'pg_stat_statements'\n"
                        "pg_stat_statements.track = all\n")
        pg.start()
        stack.provision_database(pg, binary, conf=conf)
        t0 = time.monotonic()
        memberships = fixtures(lp, pg, args.users, args.teams)
        print("sync-bench: %d users, %d teams, %d memberships, latency %d ms (fixtures %.1f s)"
              % (args.users, args.teams, memberships, args.latency_ms, time.monotonic() - t0))
        lp.call("POST", "/_fake/config", {"latency_ms": args.latency_ms})
        if args.dry_run_first:
            run_sync(binary, conf, lp, pg, "dry run", ["--dry-run"])
        code1, took1 = run_sync(binary, conf, lp, pg, "first run",
                                 profile=args.profile)
        req1 = run_sync.requests
        code2, _ = run_sync(binary, conf, lp, pg, "second run")
        aliases = pg.scalar("SELECT count(*) FROM aliases", db=stack.APP_DB)
        outbox = pg.scalar("SELECT count(*) FROM outbox", db=stack.APP_DB)
        met = took1 <= TARGET_SECONDS and req1 <= TARGET_REQUESTS
        print("sync-bench: %s aliases, %s outbox rows; target: first run <= %.0f s and <= %d "
              "requests: %s" % (aliases, outbox, TARGET_SECONDS, TARGET_REQUESTS,
                                "met" if met else "MISSED"))
        rc = 0 if code1 == 0 and code2 == 0 and met else 1
    finally:
        stack.cleanup_all()     # the fake and PostgreSQL
        shutil.rmtree(base, ignore_errors=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())
