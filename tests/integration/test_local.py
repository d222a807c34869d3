#!/usr/bin/python3
"""membermail integration tests of the local stack, deploy/local: `up` run
again with other settings on the same database, and `down` after a live
upgrade of the master.

Not a runner of its own: tests/integration/run.py imports it.  The stack
runs in a directory of the test run (MM_LOCAL_DIR) with the build under test
(MM_LOCAL_BINARY: nothing is built) on free loopback ports, with its own
PostgreSQL, fakes, mail path (Postfix, postsrsd, dnsmasq) and nginx, as a
person would run it; both tests share
that directory, so the second finds the database the first made.
"""

import os
import signal
import socket
import subprocess

import stack
from run import expect, test
from stack import wait_until

SCRIPT = os.path.join(stack.REPO, "deploy", "local")
DEMO = stack.DEMO_ADMIN_OID


def free_pair():
    """A free loopback TCP port whose successor is free too."""
    for _ in range(50):
        p = stack.free_port()
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", p + 1))
                return p
            except OSError:
                continue
    raise RuntimeError("no two free ports in a row")


class Local:
    """deploy/local in env.base/local, on ports of its own."""

    def __init__(self, env):
        self.env = env
        self.dir = os.path.join(env.base, "local")
        self.ports = {k: stack.free_port() for k in
                      ("MM_LOCAL_PORT", "MM_SSO_PORT", "MM_LP_PORT", "MM_SMTP_PORT",
                       "MM_MX_PORT", "MM_DNS_PORT")}
        self.ports["MM_SRS_PORT"] = free_pair()     # postsrsd: this one and the next
        self.runs = 0
        log = os.path.join(self.dir, "membermail.log")
        if log not in env.serve_logs:
            env.serve_logs.append(log)      # scanned for sanitizer reports

    @property
    def pid_file(self):
        return os.path.join(self.dir, "membermail.pid")

    @property
    def sock(self):
        return os.path.join(self.dir, "membermail.sock")

    def sso_prefix(self):
        return "http://127.0.0.1:%d/+id/" % self.ports["MM_SSO_PORT"]

    def run(self, cmd, timeout=180, **extra):
        """deploy/local CMD with extra environment: (exit status, output)."""
        self.runs += 1
        env = stack.sanitizer_env(dict(MM_LOCAL_DIR=self.dir, MM_LOCAL_BINARY=self.env.binary,
                                       **{k: str(v) for k, v in self.ports.items()}))
        for k in ("MM_SSO_ENDPOINT", "MM_SSO_IDENTITY_PREFIX", "MM_LAUNCHPAD_API", "MM_SMTP_URL"):
            env.pop(k, None)
        env.update(extra)
        out = os.path.join(self.env.base, "local-%d-%s.out" % (self.runs, cmd))
        with open(out, "wb") as f:
            try:
                code = subprocess.run([SCRIPT, cmd], stdin=subprocess.DEVNULL, stdout=f,
                                      stderr=subprocess.STDOUT, env=env, timeout=timeout).returncode
            except subprocess.TimeoutExpired:
                code = None
        with open(out, errors="replace") as f:
            return code, f.read()

    def expect_ok(self, cmd, what, **extra):
        code, out = self.run(cmd, **extra)
        expect(code == 0, "deploy/local %s (%s): exit %s:\n%s", cmd, what, code, out[-3000:])
        return out

    def sql(self, query):
        pg = stack.Postgres(os.path.join(self.dir, "pg"))
        return pg.scalar(query, db=stack.APP_DB)

    def master(self):
        try:
            with open(self.pid_file) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None


def down(lo):
    """deploy/local down, then a TERM for any master it left serving the
    stack's socket (a failed test must not leave servers running)."""
    lo.run("down")
    for pid in stack.unix_socket_masters(lo.sock):
        os.kill(pid, signal.SIGTERM)


def local(env):
    if getattr(env, "local_stack", None) is None:
        env.local_stack = Local(env)
    return env.local_stack


@test
def local_up_again_with_another_identity_prefix(env):
    """The demo admin's row follows a new MM_SSO_IDENTITY_PREFIX instead of
    colliding with itself on the name."""
    lo = local(env)
    try:
        lo.expect_ok("up", "first run")
        other = "http://127.0.0.1:%d/+other-id/" % lo.ports["MM_SSO_PORT"]
        lo.expect_ok("up", "MM_SSO_IDENTITY_PREFIX changed", MM_SSO_IDENTITY_PREFIX=other)
        rows = lo.sql("SELECT claimed_id || ' ' || is_site_admin FROM users "
                      "WHERE claimed_id LIKE '%%/%s' OR lower(name) = 'ada'" % DEMO)
        expect(rows == other + DEMO + " true",
               "after up with a new prefix, the demo admin's rows: %r", rows)
        conf = open(os.path.join(lo.dir, "membermail.conf")).read()
        expect(("sso_identity_prefix = " + other) in conf, "the config does not name the new prefix")
        lo.expect_ok("up", "back to the fake's prefix")
        rows = lo.sql("SELECT claimed_id || ' ' || name || ' ' || is_site_admin FROM users "
                      "WHERE claimed_id LIKE '%%/%s' OR lower(name) = 'ada'" % DEMO)
        expect(rows == lo.sso_prefix() + DEMO + " ada true", "back again, the demo admin's rows: %r", rows)
        admin_of = lo.sql("SELECT count(*) FROM domain_members m JOIN users u ON u.id = m.user_id "
                          "WHERE u.name = 'ada' AND m.role = 'admin'")
        expect(admin_of == lo.sql("SELECT count(*) FROM domains"),
               "the demo admin administers %s domains", admin_of)
    finally:
        down(lo)


@test
def local_down_after_live_upgrade(env):
    """After kill -USR2, the master rewrites pid_file; `down` stops the new
    master (and nothing of the stack keeps serving its socket)."""
    lo = local(env)
    try:
        lo.expect_ok("up", "before the upgrade")
        old = lo.master()
        expect(old and stack.alive(old), "no live master in %s after up: %r", lo.pid_file, old)
        os.kill(old, signal.SIGUSR2)
        wait_until(lambda: lo.master() not in (None, old) and not stack.alive(old), 30, 0.1)
        new = lo.master()
        expect(new not in (None, old) and stack.alive(new) and not stack.alive(old),
               "after USR2: pid file %r (old master %d alive: %s)", new, old, stack.alive(old))
        expect(stack.unix_socket_masters(lo.sock) == [new],
               "after USR2 the socket is served by %r, want [%d]", stack.unix_socket_masters(lo.sock), new)
        out = lo.expect_ok("status", "after the upgrade")
        expect("pid %d" % new in out, "status after the upgrade does not name the new master %d:\n%s",
               new, out)
        lo.expect_ok("down", "after the upgrade")
        expect(wait_until(lambda: not stack.alive(new), 10), "the new master %d survived down", new)
        expect(not os.path.exists(lo.sock), "the socket is still there after down")
        code, out = lo.run("status")
        expect(code == 3 and "membermail: stopped" in out, "status after down: exit %s:\n%s", code, out)
    finally:
        down(lo)
