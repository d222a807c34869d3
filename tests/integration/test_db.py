#!/usr/bin/python3
"""membermail integration tests of the database tier: `membermail migrate`,
schema v1 and its roles, `serve` against the schema, pages read
from PostgreSQL, and an outage of PostgreSQL.

Not a runner of its own: tests/integration/run.py imports it, which
appends these tests to its list (one runner, one summary).  They use the
private cluster run.py starts (env.pg, a stack.Postgres); each migration
test works in a throwaway database of its own (mt_*), owned by mm_owner,
and in a temporary copy of migrations/ when it needs extra or edited
files.  The outage test stops and restarts that cluster and is the last
test of the run.
"""

import hashlib
import os
import re
import shutil
import signal
import subprocess
import threading
import time

import fcgi
import stack
from run import (WORKERS, Fail, check_app_error_page, check_html,  # noqa: F401
                 check_security_headers, expect, settled, show, test)
from stack import wait_until

OWNER = stack.OWNER_ROLE
WEB = stack.WEB_ROLE
# The real migrations, in order, and numbers for the tests' own files that
# no real migration will reach.
FILES = sorted(tuple(f[:-4].split("_", 1)) for f in os.listdir(stack.MIGRATIONS_DIR)
               if re.fullmatch(r"\d{4}_[a-z0-9_]+\.sql", f))
N = len(FILES)
NEXT = "%04d" % (int(FILES[-1][0]) + 1)         # what `migrate new` picks
AFTER = "%04d" % (int(FILES[-1][0]) + 2)
REAL = [int(v) for v, _ in FILES]
CONSTRAINTS_SQL = os.path.join(stack.REPO, "tests", "db", "constraints.sql")
MIGRATION_LOCK_KEY = 7882826992158141805    # "membermm", app/migrate.c LOCK_KEY


# ---------------------------------------------------------------- helpers

def _log_cli(env, tag, argv, code, out, err):
    """Keeps a CLI run's output for the sanitizer scan and for a failed run."""
    log = os.path.join(env.base, "%s-%d.log" % (tag, len(env.serve_logs) + 1))
    with open(log, "w") as f:
        f.write("$ %s\nexit %s\n--- stdout\n%s--- stderr\n%s" % (" ".join(argv), code, out, err))
    env.serve_logs.append(log)


def migrate(env, args, db, user=OWNER, mdir=None, timeout=60):
    """`membermail migrate ARGS` against db; (exit status, stdout, stderr)."""
    argv, e = stack.migrate_argv(env.binary, env.pg, args, db=db, user=user, conf=env.conf,
                                 migrations_dir=mdir)
    try:
        r = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, env=e, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise Fail("migrate %s on %s: still running after %ds" % (" ".join(args), db, timeout))
    out, err = r.stdout.decode("utf-8", "replace"), r.stderr.decode("utf-8", "replace")
    _log_cli(env, "migrate", argv, r.returncode, out, err)
    return r.returncode, out, err


class Migrator:
    """A `membermail migrate` running in the background."""

    def __init__(self, env, args, db, mdir=None, user=OWNER):
        self.env = env
        self.argv, e = stack.migrate_argv(env.binary, env.pg, args, db=db, user=user,
                                          conf=env.conf, migrations_dir=mdir)
        self.t0 = time.monotonic()
        self.popen = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, env=e, start_new_session=True)
        self.took = None

    def wait(self, timeout):
        """(exit status, stdout, stderr); a migrator still running after
        timeout is killed and fails the test."""
        try:
            out, err = self.popen.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            out, err = self.popen.communicate()
            _log_cli(self.env, "migrate", self.argv, "killed", out.decode("utf-8", "replace"),
                     err.decode("utf-8", "replace"))
            raise Fail("%s still running after %ds (deadlock?); stderr: %s"
                       % (" ".join(self.argv[1:3]), timeout, err.decode("utf-8", "replace")[-500:]))
        self.took = time.monotonic() - self.t0
        out, err = out.decode("utf-8", "replace"), err.decode("utf-8", "replace")
        _log_cli(self.env, "migrate", self.argv, self.popen.returncode, out, err)
        return self.popen.returncode, out, err

    def kill(self):
        if self.popen.poll() is None:
            self.popen.kill()
            self.popen.communicate()


def fresh_db(env, tag):
    """An empty database mt_TAG owned by mm_owner."""
    return env.pg.createdb("mt_" + tag, OWNER)


def migrated_db(env, tag, to=None):
    """A database mt_TAG migrated (up to version `to`) by `membermail migrate up`."""
    db = fresh_db(env, tag)
    code, out, err = migrate(env, ["up"] + (["--to", str(to)] if to else []), db)
    expect(code == 0, "setting up %s: migrate up exit %s: %s%s", db, code, out, err)
    return db


def migrations_copy(env, tag, extra=None):
    """A copy of migrations/ in the test directory, plus extra {file: text}."""
    d = os.path.join(env.base, "migrations-" + tag)
    shutil.copytree(stack.MIGRATIONS_DIR, d)
    for name, text in (extra or {}).items():
        with open(os.path.join(d, name), "w") as f:
            f.write(text)
    return d


def sql(env, query, db, user="postgres"):
    return env.pg.scalar(query, db=db, user=user)


def history(env, db):
    """schema_migrations as a list of dicts, by version."""
    out = env.pg.psql("SELECT version, name, checksum, applied_by, duration_ms, no_transaction, "
                      "extract(epoch FROM applied_at) FROM schema_migrations ORDER BY version",
                      db=db)[1]
    rows = []
    for line in out.splitlines():
        if not line:
            continue
        v, name, checksum, by, ms, notx, at = line.split("|")
        rows.append({"version": int(v), "name": name, "checksum": checksum, "applied_by": by,
                     "duration_ms": int(ms), "no_transaction": notx == "t", "applied_at": float(at)})
    return rows


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def lock_holder(env, db):
    """The backend pid holding the migration lock of db ('' when free)."""
    return sql(env, "SELECT l.pid FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
                    "WHERE l.locktype = 'advisory' AND l.granted AND d.datname = '%s'" % db, "postgres")


def state_line(out, version, name, state):
    return re.search(r"(?m)^%s\s+%s\s+%s\b" % (version, re.escape(name), state), out)


def start_serve(env, tag, database, workers=1):
    """A `membermail serve` with its own socket and config on `database`."""
    sock = os.path.join(env.base, "%s.sock" % tag)
    conf = os.path.join(env.base, "%s.conf" % tag)
    stack.render_config(conf, stack.config_settings(sock, workers=workers, database=database))
    return env.new_server(conf=conf, sock=sock, workers=workers, tag=tag).start(), sock


def refuses_to_start(env, tag, database):
    """'' when serve on database refused to start as it should, else why not."""
    srv, sock = start_serve(env, tag, database)
    wait_until(lambda: not srv.proc.running() or "event=worker_start" in srv.output(), 20)
    code = srv.proc.wait(0.5)
    if code is None:
        srv.stop(signal.SIGTERM, 5)
        return "it started (%s)" % " | ".join(
            ln[ln.find("event="):] for ln in srv.output().splitlines()[:3])
    why = []
    if code == 0:
        why.append("exit 0")
    lines = [ln for ln in srv.output().splitlines() if "event=startup_failed" in ln]
    if not lines or "schema" not in lines[-1]:
        why.append("no event=startup_failed line mentioning the schema: %r" % srv.output()[-400:])
    if os.path.exists(sock):
        why.append("left its socket %s" % sock)
    if not why:
        print("    %s: exit %s: %s" % (tag, code, lines[-1][lines[-1].find("event="):][:160]))
    return "; ".join(why)


# ---------------------------------------------------------------- migrate

@test
def migrate_from_empty(env):
    db = fresh_db(env, "empty")
    code, out, err = migrate(env, ["status"], db)
    expect(code == 0, "status on an empty database: exit %s: %s%s", code, out, err)
    for v, name in FILES:
        expect(state_line(out, v, name, "pending"), "status does not list %s_%s as pending: %s", v, name, out)
    expect("0 applied, %d pending, 0 modified, 0 missing" % N in out, "status summary: %s", out)
    code, out, err = migrate(env, ["status", "--exit-code"], db)
    expect(code == 3, "status --exit-code with %d pending: exit %s, want 3", N, code)

    code, out, err = migrate(env, ["up", "--dry-run"], db)
    expect(code == 0, "up --dry-run: exit %s: %s", code, err)
    i1, i2 = out.find("0001_schema_v1.sql"), out.find("0002_roles_and_postfix_views.sql")
    expect(0 <= i1 < i2, "up --dry-run does not print 0001 then 0002: %r", out[:300])
    expect("CREATE TABLE domains" in out, "up --dry-run does not print the SQL")
    expect(sql(env, "SELECT to_regclass('domains') IS NULL AND to_regclass('schema_migrations') IS NULL",
               db) == "t", "up --dry-run changed the database")

    t0 = time.time()
    code, out, err = migrate(env, ["up"], db)
    expect(code == 0, "up on an empty database: exit %s: %s%s", code, out, err)
    applied = re.findall(r"(?m)^applied (\S+)$", out)
    expect(applied == ["%s_%s.sql" % f for f in FILES], "up applied %s, want %s in order: %s",
           applied, FILES, out)
    expect("%d migrations applied" % N in out, "up: no '%d migrations applied': %s", N, out)

    code, out, err = migrate(env, ["status", "--exit-code"], db)
    expect(code == 0, "status --exit-code after up: exit %s: %s%s", code, out, err)
    for v, name in FILES:
        expect(state_line(out, v, name, "applied"), "status does not list %s_%s as applied: %s", v, name, out)
    expect("%d applied, 0 pending" % N in out, "status summary after up: %s", out)

    rows = history(env, db)
    want_versions = [int(v) for v, _ in FILES]
    expect([r["version"] for r in rows] == want_versions, "schema_migrations versions %s, want %s",
           [r["version"] for r in rows], want_versions)
    for r, (v, name) in zip(rows, FILES):
        want = sha256(os.path.join(stack.MIGRATIONS_DIR, "%s_%s.sql" % (v, name)))
        expect(r["name"] == name, "history row %d: name %r, want %r", r["version"], r["name"], name)
        expect(re.fullmatch(r"[0-9a-f]{64}", r["checksum"]) and r["checksum"] == want,
               "history row %d: checksum %r, want the file's SHA-256 %s", r["version"], r["checksum"], want)
        expect(r["applied_by"].startswith(OWNER), "history row %d: applied_by %r, want the role %s first",
               r["version"], r["applied_by"], OWNER)
        expect(0 <= r["duration_ms"] < 60000, "history row %d: duration_ms %s", r["version"], r["duration_ms"])
        expect(t0 - 5 <= r["applied_at"] <= time.time() + 5, "history row %d: applied_at %s is not now",
               r["version"], r["applied_at"])
        expect(not r["no_transaction"], "history row %d: recorded as no-transaction", r["version"])
    expect(sql(env, "SELECT count(*) FROM pg_roles WHERE rolname IN ('membermail_app', 'membermail_postfix')",
               db) == "2", "the roles of 0002 do not exist")
    code, out, err = migrate(env, ["verify"], db)
    expect(code == 0 and "%d applied migrations match" % N in out, "verify after up: exit %s: %s%s",
           code, out, err)

    # No database there: a plain error, not a crash or a hang.
    code, out, err = migrate(env, ["status"], "mt_no_such_database")
    expect(code == 1 and "cannot connect" in err, "status on a missing database: exit %s, stderr %r",
           code, err[-300:])


@test
def migrate_rerun_is_noop(env):
    db = migrated_db(env, "rerun")
    before = history(env, db)
    code, out, err = migrate(env, ["up"], db)
    expect(code == 0, "second up: exit %s: %s%s", code, out, err)
    expect("0 migrations applied" in out, "second up: no '0 migrations applied': %r", out)
    expect(not re.search(r"(?m)^applied ", out), "second up applied something: %r", out)
    expect(history(env, db) == before, "second up changed schema_migrations")
    code, out, err = migrate(env, ["status", "--exit-code"], db)
    expect(code == 0, "status --exit-code after a second up: exit %s: %s", code, out)


@test
def migrate_detects_modified_file(env):
    db = migrated_db(env, "drift")
    before = history(env, db)
    d = migrations_copy(env, "drift", {"0901_next.sql": "CREATE TABLE mt_next (i integer);\n"})
    with open(os.path.join(d, "0001_schema_v1.sql"), "a") as f:
        f.write("\n-- an innocent-looking edit after the file was applied\n")

    code, out, err = migrate(env, ["verify"], db, mdir=d)
    expect(code == 3, "verify with an edited applied file: exit %s, want 3: %s%s", code, out, err)
    expect("0001_schema_v1.sql" in err and "modified" in err, "verify does not name the modified file: %r", err)
    expect("0002_" not in err, "verify blames the unchanged 0002: %r", err)
    code, out, err = migrate(env, ["status", "--exit-code"], db, mdir=d)
    expect(code == 3 and state_line(out, "0001", "schema_v1", "modified"),
           "status --exit-code with an edited file: exit %s: %s", code, out)
    code, out, err = migrate(env, ["up"], db, mdir=d)
    expect(code == 3, "up with an edited applied file: exit %s, want 3 (refused): %s%s", code, out, err)
    expect("0001_schema_v1.sql" in err, "up's refusal does not name the file: %r", err)
    expect(sql(env, "SELECT to_regclass('mt_next') IS NULL", db) == "t",
           "up applied 0901 although 0001 was modified")
    expect(history(env, db) == before, "a refused up changed schema_migrations")

    # An applied file that disappeared.
    d2 = migrations_copy(env, "missing")
    os.unlink(os.path.join(d2, "0002_roles_and_postfix_views.sql"))
    code, out, err = migrate(env, ["verify"], db, mdir=d2)
    expect(code == 3 and "0002_roles_and_postfix_views.sql" in err and "missing" in err,
           "verify with an applied file missing: exit %s: %r", code, err)
    # The files as applied: clean again.
    code, out, err = migrate(env, ["verify"], db)
    expect(code == 0, "verify with the original files: exit %s: %s", code, err)


@test
def migrate_two_at_once(env):
    db = migrated_db(env, "lock")
    d = migrations_copy(env, "lock", {"0901_slow.sql": "-- takes 2 s, holding the migration lock\n"
                                                       "SELECT pg_sleep(2);\n"})
    a = Migrator(env, ["up"], db, d)
    b = None
    try:
        holder = wait_until(lambda: lock_holder(env, db), 10)
        expect(holder, "the first migrator never took the lock")
        time.sleep(0.3)
        b = Migrator(env, ["up"], db, d)
        ca, oa, ea = a.wait(30)
        cb, ob, eb = b.wait(30)
    finally:
        a.kill()
        if b:
            b.kill()
    expect(ca == 0 and "applied 0901_slow.sql" in oa and "1 migration applied" in oa,
           "first migrator: exit %s: %s%s", ca, oa, ea)
    expect(cb == 0, "second migrator: exit %s, want 0: %s%s", cb, ob, eb)
    expect("0 migrations applied" in ob and "applied 0901" not in ob,
           "second migrator applied something: %r", ob)
    expect("waiting" in eb and ("pid %s" % holder) in eb,
           "second migrator did not say it waits for pid %s: %r", holder, eb)
    expect([r["version"] for r in history(env, db)] == REAL + [901], "history after two migrators: %s",
           [r["version"] for r in history(env, db)])
    print("    waited %.1fs for the lock, then had nothing to do" % b.took)

    # --lock-timeout: the second gives up and names the holder.
    with open(os.path.join(d, "0902_slow.sql"), "w") as f:
        f.write("SELECT pg_sleep(2);\n")
    a = Migrator(env, ["up"], db, d)
    b = None
    try:
        holder = wait_until(lambda: lock_holder(env, db), 10)
        expect(holder, "the first migrator never took the lock")
        b = Migrator(env, ["up", "--lock-timeout", "1"], db, d)
        cb, ob, eb = b.wait(15)
        ca, oa, ea = a.wait(30)
    finally:
        a.kill()
        if b:
            b.kill()
    expect(cb == 4, "second migrator with --lock-timeout 1: exit %s, want 4: %s%s", cb, ob, eb)
    expect(b.took < 2.5, "--lock-timeout 1 gave up only after %.1fs", b.took)
    expect(("pid %s" % holder) in eb and 'application "membermail migrate"' in eb,
           "the lock-timeout message does not name the holder (pid %s, application "
           "\"membermail migrate\"): %r", holder, eb)
    expect(ca == 0 and "applied 0902_slow.sql" in oa, "first migrator: exit %s: %s%s", ca, oa, ea)
    expect([r["version"] for r in history(env, db)] == REAL + [901, 902], "history: %s",
           [r["version"] for r in history(env, db)])
    print("    --lock-timeout 1: exit 4 after %.1fs: %s" % (b.took, eb.strip().splitlines()[-1][:150]))


@test
def migrate_lock_timeout_waits_that_long(env):
    """--lock-timeout 1 waits a whole second for the lock, wherever in the
    wall-clock second it starts.  Here a psql session holds the lock, and
    the migrator starts at .6 of a second (so that a deadline counted in
    whole seconds of time(2) would expire within ~0.3 s)."""
    db = migrated_db(env, "locktime")
    holder = subprocess.Popen(
        [os.path.join(stack.PG_BIN, "psql"), "-X", "-q", "-h", env.pg.base, "-p", str(env.pg.port),
         "-U", OWNER, "-d", db, "-c", "SELECT pg_advisory_lock(%s)" % MIGRATION_LOCK_KEY,
         "-c", "SELECT pg_sleep(10)"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, env=dict(os.environ, PGAPPNAME="test lock holder"))
    try:
        expect(wait_until(lambda: lock_holder(env, db), 5), "psql never took the migration lock")
        took = []
        for _ in range(2):
            time.sleep((1.6 - time.time() % 1) % 1)
            b = Migrator(env, ["up", "--lock-timeout", "1"], db)
            code, out, err = b.wait(10)
            expect(code == 4 and 'application "test lock holder"' in err,
                   "--lock-timeout 1 against a held lock: exit %s: %r", code, err)
            took.append(b.took)
        expect(min(took) >= 0.95, "--lock-timeout 1 gave up after %s s, want at least 1 s "
               "(a deadline of whole seconds: time(NULL) + timeout in take_lock?)",
               ", ".join("%.2f" % t for t in took))
    finally:
        holder.kill()
        holder.wait()


@test
def migrate_failure_rolls_back(env):
    db = migrated_db(env, "fail")
    before = history(env, db)
    fail_line = 7
    d = migrations_copy(env, "fail", {"0901_x.sql": (
        "-- 0901_x.sql: creates a table, fills it, then fails on line 7\n"
        "CREATE TABLE mt_fail (i integer PRIMARY KEY);\n"
        "INSERT INTO mt_fail VALUES (1), (2);\n"
        "UPDATE domains SET alias_limit = 7;\n"
        "INSERT INTO mt_fail\n"
        "    SELECT i\n"
        "      FROM mt_no_such_table;\n"
        "CREATE TABLE mt_after (i integer);\n")})
    code, out, err = migrate(env, ["up"], db, mdir=d)
    expect(code == 1, "up with a failing migration: exit %s, want 1: %s%s", code, out, err)
    expect("0901_x.sql:%d:" % fail_line in err, "the error does not name 0901_x.sql:%d: %r", fail_line, err)
    expect("mt_no_such_table" in err, "the error lacks PostgreSQL's message: %r", err)
    expect(sql(env, "SELECT to_regclass('mt_fail') IS NULL AND to_regclass('mt_after') IS NULL", db) == "t",
           "the failed migration's tables exist")
    expect(sql(env, "SELECT count(*) FROM domains WHERE alias_limit = 7", db) == "0",
           "the failed migration's UPDATE stayed")
    expect(history(env, db) == before, "a failed migration changed schema_migrations")
    code, out, err = migrate(env, ["status", "--exit-code"], db, mdir=d)
    expect(code == 3 and state_line(out, "0901", "x", "pending"), "status after the failure: %s", out)

    # Each file is its own transaction: a good 0901 stays when 0902 fails,
    # and an error without a position names the statement's first line.
    d2 = migrations_copy(env, "fail2", {
        "0901_ok.sql": "CREATE TABLE mt_ok (i integer);\n",
        "0902_y.sql": ("-- 0902_y.sql: fails at run time on line 5\n"
                       "CREATE TABLE mt_fail2 (i integer);\n"
                       "INSERT INTO mt_fail2 VALUES (1);\n"
                       "-- divides by zero:\n"
                       "SELECT 1 / (count(*) - 1) FROM mt_fail2;\n")})
    code, out, err = migrate(env, ["up"], db, mdir=d2)
    expect(code == 1, "up with 0901 good and 0902 failing: exit %s: %s%s", code, out, err)
    expect("applied 0901_ok.sql" in out, "0901_ok.sql was not applied: %r", out)
    expect([r["version"] for r in history(env, db)] == REAL + [901], "history: %s",
           [r["version"] for r in history(env, db)])
    expect(sql(env, "SELECT to_regclass('mt_ok') IS NOT NULL AND to_regclass('mt_fail2') IS NULL", db) == "t",
           "after 0902 failed: want mt_ok and no mt_fail2")
    expect("0902_y.sql:5:" in err and "division by zero" in err,
           "the error does not name 0902_y.sql:5 (division by zero): %r", err)


@test
def migrate_concurrently_no_deadlock(env):
    db = migrated_db(env, "cic")
    d = migrations_copy(env, "cic", {
        "0901_cic_table.sql": (
            "CREATE FUNCTION mt_slow(i integer) RETURNS integer\n"
            "LANGUAGE plpgsql IMMUTABLE AS $$\n"
            "BEGIN\n\tPERFORM pg_sleep(0.05);\n\tRETURN i;\nEND\n$$;\n"
            "CREATE TABLE mt_cic (i integer NOT NULL);\n"
            "INSERT INTO mt_cic SELECT generate_series(1, 20);\n"),
        "0902_cic_index.sql": (
            "-- migrate:no-transaction\n"
            "-- about 1 s: mt_slow sleeps for each of the 20 rows\n"
            "CREATE INDEX CONCURRENTLY mt_cic_slow_idx ON mt_cic (mt_slow(i));\n")})
    a = Migrator(env, ["up"], db, d)
    b = None
    try:
        building = wait_until(lambda: sql(env, "SELECT pid FROM pg_stat_activity WHERE datname = '%s' "
                                               "AND query LIKE 'CREATE INDEX CONCURRENTLY%%' AND state = 'active'"
                                          % db, "postgres"), 15, 0.02)
        expect(building, "never saw the CREATE INDEX CONCURRENTLY running")
        b = Migrator(env, ["up"], db, d)
        ca, oa, ea = a.wait(20)
        cb, ob, eb = b.wait(20)
    finally:
        a.kill()
        if b:
            b.kill()
    expect(ca == 0 and "applied 0902_cic_index.sql" in oa, "migrator with the CONCURRENTLY file: exit %s: %s%s",
           ca, oa, ea)
    expect(cb == 0 and "0 migrations applied" in ob, "migrator polling meanwhile: exit %s: %s%s", cb, ob, eb)
    expect("waiting" in eb, "the second migrator did not wait for the lock (it should have polled "
           "during the index build): %r", eb)
    expect(sql(env, "SELECT indisvalid FROM pg_index WHERE indexrelid = 'mt_cic_slow_idx'::regclass", db) == "t",
           "mt_cic_slow_idx is not valid")
    rows = {r["version"]: r for r in history(env, db)}
    expect(902 in rows and rows[902]["no_transaction"], "0902 not recorded as a no-transaction migration: %s", rows.get(902))
    print("    index built while the other migrator polled; both done after %.1fs" % max(a.took, b.took))


@test
def migrate_no_transaction_needs_one_statement(env):
    db = migrated_db(env, "notx")
    before = history(env, db)
    d = migrations_copy(env, "notx", {"0901_two.sql": (
        "-- migrate:no-transaction\n"
        "CREATE INDEX CONCURRENTLY mt_two_a ON domains (team);\n"
        "CREATE INDEX CONCURRENTLY mt_two_b ON domains (title);\n")})
    code, out, err = migrate(env, ["up"], db, mdir=d)
    expect(code not in (0, None), "up with a two-statement no-transaction file: exit %s", code)
    expect("0901_two.sql" in err and "one statement" in err, "the refusal does not say why: %r", err)
    expect(sql(env, "SELECT to_regclass('mt_two_a') IS NULL AND to_regclass('mt_two_b') IS NULL", db) == "t",
           "an index of the refused file was built")
    expect(history(env, db) == before, "a refused file changed schema_migrations")


@test
def migrate_new(env):
    d = migrations_copy(env, "new")
    code, out, err = migrate(env, ["new", "add_widgets"], "mt_not_needed", mdir=d)
    path = os.path.join(d, NEXT + "_add_widgets.sql")
    expect(code == 0 and out.strip() == path, "new add_widgets: exit %s, printed %r, want %s: %s",
           code, out, path, err)
    with open(path) as f:
        text = f.read()
    expect(text.startswith("-- %s_add_widgets.sql" % NEXT), "the new file's header: %r", text[:100])
    code, out, err = migrate(env, ["new", "more"], "mt_not_needed", mdir=d)
    expect(code == 0 and out.strip().endswith("/%s_more.sql" % AFTER), "second new: exit %s: %r", code, out)
    before = sorted(os.listdir(d))
    for bad in ("Bad-Name", "x y", "../escape", ""):
        code, out, err = migrate(env, ["new", bad], "mt_not_needed", mdir=d)
        expect(code == 2, "new %r: exit %s, want 2: %s", bad, code, err)
    code, out, err = migrate(env, ["new"], "mt_not_needed", mdir=d)
    expect(code == 2, "new without a name: exit %s, want 2", code)
    expect(sorted(os.listdir(d)) == before, "refused names created files: %s",
           sorted(set(os.listdir(d)) - set(before)))
    empty = os.path.join(env.base, "migrations-empty")
    os.makedirs(empty)
    code, out, err = migrate(env, ["new", "first"], "mt_not_needed", mdir=empty)
    expect(code == 0 and os.path.exists(os.path.join(empty, "0001_first.sql")),
           "new in an empty directory: exit %s: %r", code, out)
    # The new files are well-formed migrations: pending on a migrated database.
    db = migrated_db(env, "new")
    code, out, err = migrate(env, ["status", "--exit-code"], db, mdir=d)
    expect(code == 3 and state_line(out, NEXT, "add_widgets", "pending"),
           "status with the new files: exit %s: %s%s", code, out, err)


# ---------------------------------------------------------------- schema and roles

@test
def constraints_sql(env):
    """tests/db/constraints.sql on a freshly migrated database: one test,
    failed by any "not ok".  Run as the superuser, as its header requires
    (its cases SET ROLE membermail_app / membermail_postfix, which the
    owner mm_owner is not a member of)."""
    db = migrated_db(env, "constraints")
    code, out, err = env.pg.psql(None, db=db, user="postgres", check=False, timeout=120,
                                 args=["-f", CONSTRAINTS_SQL])
    lines = out.splitlines()
    oks = [ln for ln in lines if ln.startswith("ok ")]
    bad = [ln for ln in lines if ln.startswith("not ok")]
    summary = [ln for ln in lines if re.fullmatch(r"\d+ passed, \d+ failed", ln)]
    print("    tests/db/constraints.sql: %d ok, %d not ok" % (len(oks), len(bad)))
    expect(not bad, "%d constraint case(s) failed:\n      %s", len(bad), "\n      ".join(bad[:20]))
    expect(code == 0, "psql -f constraints.sql: exit %s: %s", code, err.strip()[-600:])
    expect(len(oks) >= 50, "only %d ok lines from constraints.sql: %r", len(oks), out[-500:])
    expect(summary == ["%d passed, 0 failed" % len(oks)], "constraints.sql summary %s for %d ok lines",
           summary, len(oks))


@test
def db_login_roles(env):
    """What the login roles can do through a real login (constraints.sql
    checks the group roles' privileges with SET ROLE; this checks the
    logins: membership, CONNECT, TEMP)."""
    pg = env.pg
    db = stack.APP_DB

    def try_sql(query, user, dbname=db):
        code, out, err = pg.psql(query, db=dbname, user=user, check=False)
        return code, out.strip(), err.strip()

    code, out, err = try_sql("SELECT count(*) FROM domains", WEB)
    expect(code == 0 and out == str(len(stack.UBUNTU_DOMAINS)), "mm_web reads domains: %s %r %r", code, out, err)
    code, out, err = try_sql("SELECT max(version) FROM schema_migrations", WEB)
    expect(code == 0 and out == str(REAL[-1]), "mm_web reads the schema version: %s %r %r", code, out, err)
    for what, stmt, msg in (("CREATE TABLE", "CREATE TABLE mt_evil (i integer)", "permission denied"),
                            ("CREATE TEMP TABLE", "CREATE TEMP TABLE mt_evil (i integer)", "permission denied"),
                            ("write the history", "DELETE FROM schema_migrations", "permission denied")):
        code, out, err = try_sql(stmt, WEB)
        expect(code != 0 and msg in err, "mm_web can %s: exit %s %r", what, code, err)

    pg.psql("DO $$ BEGIN "
            "IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'mt_stranger') THEN "
            "CREATE ROLE mt_stranger LOGIN; END IF; "
            "IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'mt_postfix') THEN "
            "CREATE ROLE mt_postfix LOGIN IN ROLE membermail_postfix; END IF; END $$;")
    code, out, err = try_sql("SELECT 1", "mt_stranger")
    expect(code != 0 and "permission denied for database" in err,
           "a login role in neither group connects to %s: exit %s %r", db, code, err)
    code, out, err = try_sql("SELECT count(*) FROM postfix_domains", "mt_postfix")
    expect(code == 0 and out == "0", "a Postfix login reads postfix_domains (no verified domain yet): %s %r %r",
           code, out, err)
    code, out, err = try_sql("SELECT count(*) FROM domains", "mt_postfix")
    expect(code != 0 and "permission denied" in err, "a Postfix login reads the domains table: %s %r", code, out)


# ---------------------------------------------------------------- serve and the schema

@test
def serve_refuses_schema_behind(env):
    """Only 0001 applied, the schema version readable (the owner's login):
    serve must refuse to start."""
    db = migrated_db(env, "behind", to=1)
    why = refuses_to_start(env, "behind", env.pg.conninfo(db, OWNER))
    expect(not why, "serve on a database at version 1: %s", why)


@test
def serve_refuses_unmigrated_database(env):
    """The same as seen by the app's own role, and a database never
    migrated: the connection works, the schema is not there, so serve must
    refuse (the database is not unreachable)."""
    v1 = migrated_db(env, "behind_app", to=1)
    if env.pg.scalar("SELECT 1 FROM pg_roles WHERE rolname = 'mt_app_v1'") != "1":
        env.pg.psql("CREATE ROLE mt_app_v1 LOGIN IN ROLE membermail_app")
    empty = fresh_db(env, "never_migrated")
    problems = []
    for tag, ci in (("behind-app-role", env.pg.conninfo(v1, "mt_app_v1")),
                    ("never-migrated", env.pg.conninfo(empty, OWNER))):
        why = refuses_to_start(env, tag, ci)
        if why:
            problems.append("%s: %s" % (tag, why))
    expect(not problems, "serve did not refuse a schema it cannot use:\n      %s", "\n      ".join(problems))


@test
def serve_starts_without_database(env):
    """An unreachable database is not fatal: serve starts with a warning,
    its workers answer 503 (health still 200), /readyz says not ready."""
    ci = "host=%s port=1 dbname=membermail user=mm_web connect_timeout=2" % os.path.join(env.base, "no-pg-here")
    srv, sock = start_serve(env, "nodb", ci)
    try:
        try:
            srv.wait_ready(20)
        except RuntimeError as e:
            raise Fail("serve with an unreachable database did not start: %s" % e)
        out = srv.output()
        expect(re.search(r"level=warn .*event=db_unavailable_at_start", out),
               "no warning event=db_unavailable_at_start at start-up: %r", out[-600:])
        r = fcgi.request(sock, fcgi.nginx_like_params("GET", "/healthz"))
        expect(r.complete and r.status == 200, "/healthz without a database: %s", show(r))
        for path in ("/", "/ubuntu"):
            t0 = time.monotonic()
            r = fcgi.request(sock, fcgi.nginx_like_params("GET", path), timeout=10)
            expect(r.complete and r.status == 503, "GET %s without a database: %s", path, show(r))
            expect(time.monotonic() - t0 < 5, "GET %s without a database took %.1fs", path, time.monotonic() - t0)
            expect(dict(r.headers).get("Retry-After"), "GET %s 503 without Retry-After: %s", path, show(r))
        r = fcgi.request(sock, fcgi.nginx_like_params("GET", "/readyz"))
        expect(r.complete and r.status == 503 and b"not ready" in r.body, "/readyz without a database: %s", show(r))
        expect(srv.proc.running() and len(srv.workers()) == 1, "serve or its worker died")
    finally:
        srv.stop(signal.SIGTERM, 10)


# ---------------------------------------------------------------- the app reads the database

@test
def readyz(env):
    env.ensure_server()
    r = env.get("/readyz")
    expect(r.status == 200, "GET /readyz with the database up: %s", show(r))
    expect(r.body == b"ready\n", "GET /readyz body %r", r.body)
    expect((r.header("Content-Type") or "").startswith("text/plain"), "GET /readyz Content-Type %r",
           r.header("Content-Type"))
    expect("no-store" in (r.header("Cache-Control") or ""), "GET /readyz Cache-Control %r",
           r.header("Cache-Control"))
    check_security_headers(r, "GET /readyz")


CLEANUP_LINE = re.compile(r"^cleanup: sessions \d+, login states (\d+), nonces (\d+), "
                          r"associations \d+, rate limits (\d+), error reports \d+, "
                          r"error log \d+, mailbox unlocks \d+, sent mail \d+, receipts \d+, "
                          r"lapsed changes \d+, confirmation links \d+$", re.M)


@test
def cleanup_sweeps_expired_rows_one_run_at_a_time(env):
    """`membermail cleanup` on the app's connection: expired sign-in states,
    nonces and rate-limit windows go, live ones stay, the line counts them;
    while another sweep holds the lock, it says so, deletes nothing and
    exits 0."""
    db = stack.APP_DB
    tag = os.urandom(4).hex()
    old, live = "sweep-old-" + tag, "sweep-live-" + tag

    def seed():
        env.pg.psql(
            "INSERT INTO login_states (state_hash, browser_binding_hash, created_at, expires_at) "
            "VALUES (sha256('%(old)s'), sha256('b'), now() - interval '2 hours', now() - interval '1 hour'), "
            "(sha256('%(live)s'), sha256('b'), now(), now() + interval '1 hour');"
            "INSERT INTO openid_nonces (op_endpoint, nonce, created_at, expires_at) VALUES "
            "('https://sweep.test/', '2026-01-01T00:00:00Z%(old)s', now() - interval '2 hours', now() - interval '1 hour'), "
            "('https://sweep.test/', '2026-01-01T00:00:00Z%(live)s', now(), now() + interval '1 hour');"
            "INSERT INTO rate_limits (bucket, window_start, expires_at) VALUES "
            "('%(old)s', now() - interval '2 hours', now() - interval '1 hour'), "
            "('%(live)s', now(), now() + interval '1 hour')" % {"old": old, "live": live}, db=db)

    def left():
        return sql(env, "SELECT (SELECT count(*) FROM login_states WHERE state_hash IN "
                        "(sha256('%(old)s'), sha256('%(live)s'))) || ' ' || "
                        "(SELECT count(*) FROM openid_nonces WHERE op_endpoint = 'https://sweep.test/') "
                        "|| ' ' || (SELECT count(*) FROM rate_limits WHERE bucket IN ('%(old)s', '%(live)s'))"
                   % {"old": old, "live": live}, db)

    seed()
    # Another sweep's transaction holds the lock for a few seconds.
    holder = threading.Thread(target=env.pg.psql, args=(
        "BEGIN; SELECT pg_advisory_xact_lock(hashtext('membermail:cleanup')); "
        "SELECT pg_sleep(4); COMMIT",), kwargs={"db": db})
    holder.start()
    try:
        expect(wait_until(lambda: sql(env, "SELECT count(*) FROM pg_locks WHERE locktype = "
                                           "'advisory' AND granted", db) != "0", 3),
               "the holder never took the lock")
        code, out = env.run_cli(["cleanup", "-c", env.conf])
        expect(code == 0 and "another cleanup is running" in out,
               "cleanup while locked: want exit 0 and a word, got %s:\n%s", code, out)
        expect(left() == "2 2 2", "a locked-out cleanup deleted rows: %s", left())
    finally:
        holder.join()
    code, out = env.run_cli(["cleanup", "-c", env.conf])
    m = CLEANUP_LINE.search(out)
    expect(code == 0 and m is not None, "cleanup: exit %s:\n%s", code, out)
    expect(all(int(n) >= 1 for n in m.groups()), "cleanup counted %s, want each >= 1", m.groups())
    expect(left() == "1 1 1", "after cleanup (login states, nonces, rate limits): %s, want the live "
           "rows only", left())


@test
def pages_read_from_database(env):
    env.ensure_server()
    print("    domains seeded with %s" % env.seeded_with)
    r = env.get("/")
    check_html(r, "GET /")
    expect(b"ubuntu.net" not in r.body, "GET /: ubuntu.net (no landing page) is listed")
    for name, team, slug, title in stack.UBUNTU_DOMAINS:
        if not slug:
            continue
        r = env.get("/" + slug)
        check_html(r, "GET /" + slug)
        expect(team.encode() in r.body, "GET /%s: no %s (the team, shown with its ~)", slug, team)
        expect(title.encode() in r.body, "GET /%s: no title %r", slug, title)

    pg, db = env.pg, stack.APP_DB

    pg.psql("INSERT INTO domains (name, team, slug, title, verification_token) VALUES "
            "('testbuntu.org', 'testbuntu-team', 'testbuntu', 'Test <b>buntu</b> & co', 'Tb01234567')",
            db=db, user=WEB)
    try:
        r = settled(env, "/testbuntu", lambda r: r.status == 200)
        check_html(r, "GET /testbuntu (a domain added to the database)")
        expect(b"@testbuntu.org" in r.body and b"~testbuntu-team" in r.body,
               "GET /testbuntu: domain or team missing: %s", show(r, 3000))
        expect(b"Test &lt;b&gt;buntu&lt;/b&gt; &amp; co" in r.body and b"<b>buntu" not in r.body,
               "GET /testbuntu: the title is not escaped")
        r = env.get("/")
        expect(b'href="/testbuntu"' in r.body, "GET /: the added domain is not listed")
        pg.psql("UPDATE domains SET enabled = false WHERE name = 'testbuntu.org'", db=db, user=WEB)
        r = settled(env, "/testbuntu", lambda r: r.status == 404)
        check_app_error_page(r, 404, "GET /testbuntu (disabled)")
        r = env.get("/")
        expect(r.status == 200 and b'href="/testbuntu"' not in r.body, "GET /: a disabled domain is listed")
    finally:
        pg.psql("DELETE FROM domains WHERE name = 'testbuntu.org'", db=db)
    r = settled(env, "/testbuntu", lambda r: r.status == 404)
    expect(r.status == 404, "GET /testbuntu after the row is gone: %s", show(r))


# ---------------------------------------------------------------- outage (last)

@test
def postgres_restart_while_idle(env):
    """PostgreSQL restarts while no request is running: every worker's
    connection is closed under it, and the first request each worker
    serves afterwards reconnects at once (no 503, no back-off)."""
    srv = env.ensure_server()
    for _ in range(WORKERS * 3):
        r = env.get("/ubuntu")
        expect(r.status == 200, "before the restart: %s", show(r))
    expect(env.pg.stop() == 0, "pg_ctl stop failed")
    env.pg.start()
    got = [env.get(p).status for _ in range(WORKERS * 3) for p in ("/", "/ubuntu", "/readyz")]
    expect(got == [200] * len(got), "right after the restart: %s, want only 200s", got)
    expect("event=db_connection_lost" in srv.output(), "no event=db_connection_lost log line")


@test
def postgres_outage(env):
    """PostgreSQL stops while membermail runs: pages 503 through nginx,
    health stays 200; once it is back, the same workers serve again."""
    srv = env.ensure_server()
    master, workers = srv.pid, srv.workers()
    exits_before = srv.output().count("event=worker_exit")
    for _ in range(WORKERS * 3):
        r = env.get("/ubuntu")
        expect(r.status == 200, "before the outage: %s", show(r))

    code = env.pg.stop()
    expect(code == 0 and not env.pg.running(), "pg_ctl stop -m fast: exit %s", code)
    t_down = time.monotonic()
    try:
        for i in range(WORKERS * 3):
            for path in ("/", "/ubuntu"):
                t0 = time.monotonic()
                r = env.get(path, timeout=10)
                took = time.monotonic() - t0
                check_app_error_page(r, 503, "GET %s while PostgreSQL is down" % path)
                expect(r.header("Retry-After"), "GET %s 503 without Retry-After", path)
                expect(took < 5, "GET %s while PostgreSQL is down took %.1fs", path, took)
        r = env.get("/readyz")
        expect(r.status == 503 and r.header("Retry-After") and b"not ready" in r.body,
               "GET /readyz while PostgreSQL is down: %s", show(r))
        r = env.get("/healthz")
        expect(r.status == 200, "GET /healthz while PostgreSQL is down: %s", show(r))
        expect("event=db_unavailable" in srv.output(), "no event=db_unavailable log line")
    finally:
        env.pg.start()
    t_up = time.monotonic()
    print("    down for %.1fs" % (t_up - t_down))

    def status(path):
        try:
            return env.get(path, timeout=10).status
        except OSError:
            return None
    first = wait_until(lambda: status("/") == 200, 10, 0.1)
    back = time.monotonic() - t_up
    expect(first, "GET / not 200 within 10 s of PostgreSQL's restart")
    expect(back <= 6.5, "GET / 200 again only after %.1fs (want ~6 s at most)", back)
    # Every worker back (each has its own back-off, 5 s at most).
    streak, deadline = 0, t_up + 8
    while streak < WORKERS * 4 and time.monotonic() < deadline:
        streak = streak + 1 if status("/ubuntu" if streak % 2 else "/") == 200 else 0
    expect(streak >= WORKERS * 4, "no run of %d 200s within 8 s of the restart", WORKERS * 4)
    r = env.get("/readyz")
    expect(r.status == 200, "GET /readyz after the restart: %s", show(r))
    expect(srv.proc.running() and srv.pid == master, "the master changed or died")
    expect(srv.workers() == workers, "workers %s after the outage, want the same %s (no restart)",
           srv.workers(), workers)
    expect(srv.output().count("event=worker_exit") == exits_before, "a worker exited during the outage")
    print("    200 again %.1fs after PostgreSQL was back; workers %s unchanged" % (back, workers))
