#!/usr/bin/python3
"""The mail daemons of the integration tests, deploy/local and the mail
benchmark, each private and on loopback: a Postfix with its own config,
queue and data directories (deploy/postfix/ rendered into it), Debian's
postsrsd, and dnsmasq as the DNS server of domain verification.

Standard library only; run with Debian's /usr/bin/python3.  Processes are
started through stack.Proc (stack.cleanup_all() stops them).

    pf = Postfix(base, smtp_port=0, main={"relayhost": "[127.0.0.1]:2526"})
    pf.use_database(pg, "mm_postfix", "secret")   # deploy/postfix/pgsql/*.cf
    pf.use_srs(srs)                               # a running Postsrsd
    pf.use_lmtp(path)                             # membermail's LMTP socket
    pf.start()                                    # pf.smtp_port, pf.log(), ...

Pitfalls of a private Postfix on Debian 12 handled here: the data
directory must belong to `postfix`; there is no syslog, so maillog_file
(inside maillog_file_prefixes) and the postlog service; `postfix` itself
reports errors only on a terminal or in that log; master.cf comes from
the package's master.cf.dist (/etc/postfix/main.cf may not exist at all).
The master runs in the foreground (`master -c DIR`), so it is stopped by
its PID like every process the tests start.  Being root, we never need
the config directory in the default main.cf's alternate_config_directories
(only unprivileged and set-gid commands check that).

Command line (deploy/local, tests/bench/mail): each starts its daemon
detached, its pid in --pidfile (deploy/local stops it by that pid):
    mailstack.py postfix-up --dir DIR --pidfile F --smtp-port N --relay HOST:PORT
                 --pg-dir DIR --srs-forward N --srs-reverse N [--lmtp PATH] [--set K=V ...]
    mailstack.py srs-up --dir DIR --pidfile F --forward N --reverse N [--domain D]
    mailstack.py dns-up --dir DIR --pidfile F --port N [--zone Z ...] [--txt NAME=TEXT ...]
    mailstack.py postfix-queue --dir DIR        how many messages it queues
"""

import argparse
import json
import os
import pwd
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stack   # noqa: E402
from stack import Proc, free_port, wait_until   # noqa: E402

POSTFIX_DIR = os.path.join(stack.REPO, "deploy", "postfix")
MASTER_CF_DIST = "/usr/share/postfix/master.cf.dist"
POSTFIX_DAEMONS = "/usr/lib/postfix/sbin"
MX_HOSTNAME = "mx.membermail.test"      # the private Postfix's name and SRS domain

# The production values of deploy/postfix/ that rendered copies rewrite.
PROD_PGSQL_DIR = "/etc/postfix/pgsql/"
PROD_SRS_FORWARD = "tcp:127.0.0.1:10001"
PROD_SRS_REVERSE = "tcp:127.0.0.1:10002"
PROD_LMTP = "unix:/run/membermail/lmtp.sock"
PROD_DB_LINES = ("hosts = inet:127.0.0.1:5432", "user = postfix_lookup",
                 "password = CHANGE-ME", "dbname = membermail")


class Detached:
    """A daemon that outlives this process (deploy/local): started in a
    session of its own with the default signals, its pid written to
    pidfile; enough of stack.Proc's interface for the classes below."""

    def __init__(self, argv, log_path, pidfile, name):
        self.name = name
        self.log_path = log_path
        with open(log_path, "ab") as log:
            self.popen = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log,
                                          stderr=subprocess.STDOUT, start_new_session=True,
                                          preexec_fn=stack._default_signals)
        self.pid = self.popen.pid
        with open(pidfile, "w") as f:
            f.write("%d\n" % self.pid)

    def poll(self):
        return self.popen.poll()

    def running(self):
        return self.poll() is None

    def output(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def tail(self, n=30):
        return "\n".join(self.output().splitlines()[-n:])

    def stop(self, sig=signal.SIGTERM, timeout=10.0):
        if self.running():
            os.kill(self.pid, sig)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                self.popen.wait(5)
        return self.popen.returncode


def launch(argv, log_path, name, pidfile=None):
    """A stack.Proc (stopped by stack.cleanup_all), or with a pidfile a
    Detached daemon that stays when we exit."""
    if pidfile:
        return Detached(argv, log_path, pidfile, name)
    return Proc(argv, log_path, name=name)


def stop_daemon(d, timeout=5.0):
    """Stops d.proc (a Proc or a Detached), forgets it; its exit status."""
    if d.proc is None:
        return None
    rc = d.proc.stop(signal.SIGTERM, timeout)
    if d.proc in stack.STARTED:
        stack.STARTED.remove(d.proc)
    d.proc = None
    return rc


def parse_main_cf(text):
    """[(name, value)] of a main.cf text: comments and blank lines
    dropped, continuation lines (leading white space) joined."""
    out = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line[0] in " \t":
            if not out:
                raise ValueError("main.cf: continuation line first: %r" % line)
            out[-1] = (out[-1][0], out[-1][1] + " " + line.strip())
            continue
        name, sep, value = line.partition("=")
        if not sep:
            raise ValueError("main.cf: not name = value: %r" % line)
        out.append((name.strip(), value.strip()))
    return out


def _replace(text, old, new, what):
    if old not in text:
        raise RuntimeError("%s: expected to find %r to rewrite; deploy/postfix changed?" % (what, old))
    return text.replace(old, new)


def _run(argv, timeout=30, **kw):
    r = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=timeout, **kw)
    return r.returncode, r.stdout.decode("utf-8", "replace"), r.stderr.decode("utf-8", "replace")


class Postfix:
    """A private Postfix under `base`: etc/ (main.cf, master.cf, pgsql/),
    spool/ (queue_directory; the chroot of smtpd, as on Debian), data/
    (owned by postfix), log/postfix.log.  SMTP on address:smtp_port (a
    free port when 0); its SMTP client connects from `address` too.

    main.cf is the private paths, then deploy/postfix/main.cf, then the
    test settings (myhostname = mx.membermail.test, only the instance's
    own address in mynetworks, so that clients on other loopback addresses
    are the internet; no DNS), then `main` ({parameter: value}).
    master_lines: more master.cf lines (e.g. an LMTP service).
    with_membermail: False leaves deploy/postfix out (Postfix alone)."""

    def __init__(self, base, smtp_port=0, main=None, master_lines=(), with_membermail=True,
                 name="postfix", address="127.0.0.1"):
        self.base = os.path.abspath(base)
        self.address = address
        self.etc = os.path.join(self.base, "etc")
        self.spool = os.path.join(self.base, "spool")
        self.data = os.path.join(self.base, "data")
        self.log_path = os.path.join(self.base, "log", "postfix.log")
        self.smtp_port = smtp_port or free_port()
        self.main = dict(main or {})
        self.master_lines = list(master_lines)
        self.with_membermail = with_membermail
        self.name = name
        self.proc = None
        self.pidfile = None     # set: the master outlives us (launch)
        self.db = None          # (pg, user, password) for pgsql/*.cf
        self.srs = None
        self.lmtp = None        # membermail's LMTP socket (kept mail)

    # -- configuration
    def use_database(self, pg, user, password, db=stack.APP_DB):
        """pgsql/*.cf will connect to pg's unix socket as user."""
        self.db = (pg, user, password, db)
        return self

    def use_srs(self, srs):
        self.srs = srs
        return self

    def use_lmtp(self, path):
        """Kept mail goes to membermail's LMTP socket at path."""
        self.lmtp = path
        return self

    def private_settings(self):
        """Where this instance keeps its files."""
        return [
            ("compatibility_level", "3.6"),
            ("queue_directory", self.spool),
            ("data_directory", self.data),
            ("maillog_file", self.log_path),
            ("maillog_file_prefixes", os.path.dirname(self.log_path)),
        ]

    def test_settings(self):
        """Over deploy/postfix/main.cf: a loopback host of its own."""
        return [
            ("myhostname", MX_HOSTNAME),
            # Postfix accepts only an interface's own address here; another
            # loopback address is set on the listener and the client instead.
            ("inet_interfaces", "127.0.0.1"),
            ("smtp_bind_address", self.address),
            ("inet_protocols", "ipv4"),
            ("mynetworks", self.address + "/32"),
            ("alias_maps", ""),
            ("alias_database", ""),
            ("smtpd_peername_lookup", "no"),
            ("smtp_dns_support_level", "disabled"),
            ("biff", "no"),
        ]

    def main_cf(self):
        """The rendered main.cf text."""
        settings = self.private_settings()
        if self.with_membermail:
            with open(os.path.join(POSTFIX_DIR, "main.cf")) as f:
                text = f.read()
            what = "deploy/postfix/main.cf"
            text = _replace(text, PROD_PGSQL_DIR, os.path.join(self.etc, "pgsql") + "/", what)
            if self.srs:
                text = _replace(text, PROD_SRS_FORWARD, "tcp:127.0.0.1:%d" % self.srs.forward, what)
                text = _replace(text, PROD_SRS_REVERSE, "tcp:127.0.0.1:%d" % self.srs.reverse, what)
            if self.lmtp:
                text = _replace(text, PROD_LMTP, "unix:" + self.lmtp, what)
            settings += parse_main_cf(text)
        merged = {}
        for k, v in settings + self.test_settings() + list(self.main.items()):
            merged[k] = v       # a later value replaces, the first position stays
        lines = ["# private Postfix written by tests/integration/mailstack.py"]
        lines += ["%s = %s" % kv for kv in merged.items()]
        return "\n".join(lines) + "\n"

    def master_cf(self):
        with open(MASTER_CF_DIST) as f:
            text = f.read()
        text = _replace(text, "\nsmtp      inet  n       -       y       -       -       smtpd\n",
                        "\n%s:%d inet  n       -       y       -       -       smtpd\n"
                        % (self.address, self.smtp_port), MASTER_CF_DIST)
        if self.with_membermail:
            with open(os.path.join(POSTFIX_DIR, "master.cf")) as f:
                text += "\n# deploy/postfix/master.cf\n" + f.read()
        if self.master_lines:
            text += "\n# more services\n" + "\n".join(self.master_lines) + "\n"
        return text

    def render_pgsql(self):
        """deploy/postfix/pgsql/*.cf with the connection lines rewritten to
        the private PostgreSQL's unix socket (proxymap is not chrooted).
        Postfix takes the whole of "unix:..." as the socket directory and
        libpq then adds .s.PGSQL.5432: a link of that name in pgsock/
        reaches the private cluster's port."""
        d = os.path.join(self.etc, "pgsql")
        os.makedirs(d, exist_ok=True)
        pg, user, password, db = self.db
        sockdir = os.path.join(self.base, "pgsock")
        os.makedirs(sockdir, exist_ok=True)
        os.chmod(sockdir, 0o755)
        link = os.path.join(sockdir, ".s.PGSQL.5432")
        if os.path.lexists(link):
            os.unlink(link)
        os.symlink(pg.socket_path, link)
        src = os.path.join(POSTFIX_DIR, "pgsql")
        for name in sorted(os.listdir(src)):
            if not name.endswith(".cf"):
                continue
            with open(os.path.join(src, name)) as f:
                text = f.read()
            what = "deploy/postfix/pgsql/" + name
            new = ("hosts = unix:%s" % sockdir, "user = %s" % user,
                   "password = %s" % password, "dbname = %s" % db)
            for old, repl in zip(PROD_DB_LINES, new):
                text = _replace(text, old + "\n", repl + "\n", what)
            path = os.path.join(d, name)
            with open(path, "w") as f:
                f.write(text)
            # as in production: 0640 root:postfix (it holds a password)
            os.chown(path, 0, pwd.getpwnam("postfix").pw_gid)
            os.chmod(path, 0o640)

    def configure(self):
        for d in (self.etc, self.spool, self.data, os.path.dirname(self.log_path)):
            os.makedirs(d, exist_ok=True)
            os.chmod(d, 0o755)
        pf = pwd.getpwnam("postfix")
        os.chown(self.data, pf.pw_uid, pf.pw_gid)
        if self.with_membermail and self.db:
            self.render_pgsql()
        with open(os.path.join(self.etc, "main.cf"), "w") as f:
            f.write(self.main_cf())
        with open(os.path.join(self.etc, "master.cf"), "w") as f:
            f.write(self.master_cf())
        return self

    # -- running
    def postfix_cmd(self, *args, timeout=60):
        return _run(["postfix", "-c", self.etc] + list(args), timeout=timeout)

    def start(self, timeout=20.0):
        """configure(), `postfix check` (creates the queue directories and
        checks the configuration), then the master in the foreground;
        returns once SMTP answers."""
        self.configure()
        start = self.log_offset()
        code, out, err = self.postfix_cmd("check")
        problems = [ln for ln in self.log(start).splitlines() if "fatal:" in ln or "error:" in ln]
        if code != 0 and not (out + err).strip() and not problems:
            # Before its log exists, `postfix` says why only to a terminal.
            _, out, err = _run(["script", "-qec", "postfix -c '%s' check" % self.etc, "/dev/null"])
        if code != 0 or problems:
            raise RuntimeError("postfix check (%s): exit %s: %s%s\n%s" % (
                self.etc, code, out, err, "\n".join(problems)))
        self.proc = launch([os.path.join(POSTFIX_DAEMONS, "master"), "-c", self.etc],
                           os.path.join(self.base, "log", "master.out"), self.name, self.pidfile)

        def up():
            if not self.proc.running():
                raise RuntimeError("the Postfix master exited with %s:\n%s\n%s" % (
                    self.proc.poll(), self.proc.tail(), self.log_tail(20)))
            try:
                with socket.create_connection((self.address, self.smtp_port), timeout=2) as s:
                    return s.recv(512).startswith(b"220")
            except OSError:
                return False
        if not wait_until(up, timeout):
            raise RuntimeError("Postfix %s: no 220 greeting on %s:%d after %.0fs:\n%s"
                               % (self.etc, self.address, self.smtp_port, timeout, self.log_tail(20)))
        return self

    def running(self):
        return self.proc is not None and self.proc.running()

    def stop(self, timeout=10.0):
        """TERM to the master (it passes it to its children), then whatever
        is left of its process group."""
        return stop_daemon(self, timeout)

    def reload(self):
        """main.cf and master.cf rewritten, then `postfix reload`."""
        self.configure()
        start = self.log_offset()
        code, out, err = self.postfix_cmd("reload")
        if code != 0:
            raise RuntimeError("postfix reload: exit %s: %s%s\n%s" % (code, out, err, self.log(start)))
        return self

    # -- the mail log
    def log_offset(self):
        try:
            return os.path.getsize(self.log_path)
        except OSError:
            return 0

    def log(self, since=0):
        try:
            with open(self.log_path, "rb") as f:
                f.seek(since)
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def log_tail(self, n=30):
        return "\n".join(self.log().splitlines()[-n:])

    def wait_log(self, pattern, since=0, timeout=15.0):
        """The first match of the regular expression in the log after
        offset `since`, or None after timeout."""
        rx = re.compile(pattern, re.M)
        return wait_until(lambda: rx.search(self.log(since)), timeout, 0.05)

    # -- the queue and the tables
    def queue(self):
        """[dict] of `postqueue -j`: queue_name, queue_id, sender, recipients..."""
        code, out, err = _run(["postqueue", "-c", self.etc, "-j"])
        if code != 0:
            raise RuntimeError("postqueue -j: exit %s: %s" % (code, err))
        return [json.loads(line) for line in out.splitlines() if line.strip()]

    def queue_size(self):
        return len(self.queue())

    def flush(self):
        code, out, err = _run(["postqueue", "-c", self.etc, "-f"])
        if code != 0:
            raise RuntimeError("postqueue -f: exit %s: %s" % (code, err))

    def postmap(self, key, table):
        """postmap -q KEY TABLE: (exit status, stdout stripped, stderr)."""
        code, out, err = _run(["postmap", "-c", self.etc, "-q", key, table])
        return code, out.strip(), err

    def table(self, name):
        """The table of deploy/postfix/pgsql/NAME.cf as main.cf names it."""
        return "proxy:pgsql:%s" % os.path.join(self.etc, "pgsql", name + ".cf")

    def postconf(self, name):
        code, out, err = _run(["postconf", "-c", self.etc, "-hx", name])
        if code != 0:
            raise RuntimeError("postconf %s: %s" % (name, err))
        return out.strip()


class Postsrsd:
    """Debian's postsrsd in the foreground on 127.0.0.1: forward
    (sender_canonical_maps) and reverse (recipient_canonical_maps) TCP
    tables for `domain`, its secret in base/postsrsd.secret (made once,
    0600), running as the postsrsd user."""

    def __init__(self, base, domain=MX_HOSTNAME, forward=0, reverse=0, exclude=()):
        self.base = os.path.abspath(base)
        self.domain = domain
        self.forward = forward or free_port()
        self.reverse = reverse or free_port()
        self.exclude = list(exclude)
        self.secret = os.path.join(self.base, "postsrsd.secret")
        self.log_path = os.path.join(self.base, "postsrsd.log")
        self.proc = None
        self.pidfile = None     # set: it outlives us (launch)

    def argv(self):
        argv = ["postsrsd", "-s" + self.secret, "-d" + self.domain, "-f%d" % self.forward,
                "-r%d" % self.reverse, "-l127.0.0.1", "-4", "-upostsrsd"]
        return argv + ["-X" + d for d in self.exclude]

    def start(self, timeout=10.0):
        os.makedirs(self.base, exist_ok=True)
        secret_file(self.secret)
        self.proc = launch(self.argv(), self.log_path, "postsrsd", self.pidfile)
        if not wait_until(lambda: self.lookup("forward", "probe@example.org") is not None, timeout):
            self.proc.stop()
            raise RuntimeError("postsrsd did not answer on 127.0.0.1:%d within %.0fs: %s"
                               % (self.forward, timeout, self.proc.tail()))
        return self

    def lookup(self, which, key):
        """Postfix's tcp_table request: the reply line, None when not up."""
        if self.proc is not None and not self.proc.running():
            raise RuntimeError("postsrsd exited with %s: %s" % (self.proc.poll(), self.proc.tail()))
        port = self.forward if which == "forward" else self.reverse
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
                s.sendall(b"get " + key.encode() + b"\n")
                return s.makefile("rb").readline().decode().strip()
        except OSError:
            return None

    def stop(self):
        return stop_daemon(self)


# ---------------------------------------------------------------- DNS

def dns_query(port, name, qtype=16, timeout=2.0):
    """One UDP query to 127.0.0.1:port: (rcode, answer count) or None on
    no answer."""
    qid = int.from_bytes(os.urandom(2), "big")
    q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    q += b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"
    q += struct.pack(">HH", qtype, 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.sendto(q, ("127.0.0.1", port))
        try:
            d, _ = s.recvfrom(4096)
        except OSError:
            return None
    if len(d) < 12 or d[:2] != q[:2]:
        return None
    return d[3] & 15, struct.unpack(">H", d[6:8])[0]


class DnsFaults:
    """Two misbehaving upstream servers for dnsmasq's server=/zone/ lines,
    threads of this process: `servfail` answers SERVFAIL to every query,
    `silent` reads and never answers (a timeout)."""

    def __init__(self):
        self._socks = []
        self.servfail = self._bind(self._answer_servfail)
        self.silent = self._bind(None)

    def _bind(self, handler):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        self._socks.append(s)
        if handler:
            threading.Thread(target=handler, args=(s,), daemon=True).start()
        return s.getsockname()[1]

    @staticmethod
    def _answer_servfail(s):
        while True:
            try:
                q, peer = s.recvfrom(4096)
            except OSError:
                return
            if len(q) < 12:
                continue
            # the question back, QR set, RD copied, RA, rcode 2
            flags = 0x8000 | (struct.unpack(">H", q[2:4])[0] & 0x0100) | 0x0080 | 2
            s.sendto(q[:2] + struct.pack(">HHHHH", flags, 1, 0, 0, 0) + q[12:], peer)

    def close(self):
        for s in self._socks:
            s.close()


class Dnsmasq:
    """dnsmasq on 127.0.0.1:port answering from conf files (the fixtures,
    with subst's @NAME@ replaced) and extra lines; never forwards but to
    the zones' server= lines.
    restart() (same port) applies changed lines: dnsmasq re-reads TXT
    records only at start."""

    def __init__(self, base, port=0, conf_files=(), lines=(), subst=None):
        self.base = os.path.abspath(base)
        self.port = port or free_port()
        self.conf_files = list(conf_files)
        self.lines = list(lines)
        self.subst = dict(subst or {})     # "@NAME@" in conf_files -> value
        self.conf = os.path.join(self.base, "dnsmasq.conf")
        self.log_path = os.path.join(self.base, "dnsmasq.log")
        self.proc = None
        self.pidfile = None     # set: it outlives us (launch)

    def write_conf(self):
        os.makedirs(self.base, exist_ok=True)
        text = ["# written by tests/integration/mailstack.py", "port=%d" % self.port,
                "listen-address=127.0.0.1", "bind-interfaces", "no-resolv", "no-hosts",
                "no-negcache", "cache-size=0", "user=nobody", "group=nogroup",
                "log-queries", "log-facility=%s" % self.log_path]
        for path in self.conf_files:
            with open(path) as f:
                body = f.read()
            for k, v in self.subst.items():
                body = body.replace("@%s@" % k, str(v))
            text += ["", "# " + path, body]
        text += [""] + self.lines
        with open(self.conf, "w") as f:
            f.write("\n".join(text) + "\n")
        os.chmod(self.base, 0o755)

    def start(self, timeout=10.0):
        self.write_conf()
        # --pid-file with no value: none written
        self.proc = launch(["dnsmasq", "--keep-in-foreground", "--conf-file=" + self.conf,
                            "--pid-file"], os.path.join(self.base, "dnsmasq.out"), "dnsmasq",
                           self.pidfile)

        def up():
            if not self.proc.running():
                raise RuntimeError("dnsmasq exited with %s: %s" % (self.proc.poll(), self.proc.tail()))
            return dns_query(self.port, "dnsmasq-probe.invalid", timeout=0.5) is not None
        if not wait_until(up, timeout):
            raise RuntimeError("dnsmasq did not answer on 127.0.0.1:%d within %.0fs" % (self.port, timeout))
        return self

    def restart(self, lines=None):
        if lines is not None:
            self.lines = list(lines)
        self.stop()
        return self.start()

    def stop(self):
        return stop_daemon(self)

    @property
    def server(self):
        """membermail's dns_server value."""
        return "127.0.0.1:%d" % self.port


# ---------------------------------------------------------------- command line

def lookup_login(pg, user, password):
    """The Postfix lookup login (docs/mail.md: roles), made or given password
    again; idempotent."""
    pg.psql("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '%s') THEN "
            "CREATE ROLE %s LOGIN IN ROLE membermail_postfix; END IF; END $$; "
            "ALTER ROLE %s PASSWORD '%s'" % (user, user, user, password.replace("'", "''")))


def secret_file(path, nbytes=24):
    """A random secret in path, made once (0600); its text."""
    if not os.path.exists(path):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(os.urandom(nbytes).hex() + "\n")
    with open(path) as f:
        return f.read().strip()


def _cli_postfix(a):
    pf = Postfix(a.dir, smtp_port=a.smtp_port, main=dict(kv.split("=", 1) for kv in a.set),
                 name="postfix")
    host, _, port = a.relay.rpartition(":")
    pf.main.setdefault("relayhost", "[%s]:%s" % (host, port))
    pf.pidfile = a.pidfile
    pg = stack.Postgres(a.pg_dir)
    password = secret_file(os.path.join(pf.base, "pg-password"))
    lookup_login(pg, a.pg_user, password)
    pf.use_database(pg, a.pg_user, password)
    pf.use_srs(Postsrsd(a.dir, forward=a.srs_forward, reverse=a.srs_reverse))
    if a.lmtp:
        pf.use_lmtp(a.lmtp)
    pf.start()
    print(pf.proc.pid)


def _cli_srs(a):
    srs = Postsrsd(a.dir, domain=a.domain, forward=a.forward, reverse=a.reverse)
    srs.pidfile = a.pidfile
    srs.start()
    print(srs.proc.pid)


def _cli_dns(a):
    lines = []
    for zone in a.zone:
        lines.append("local=/%s/" % zone)
    for t in a.txt:
        name, _, text = t.partition("=")
        lines.append('txt-record=%s,"%s"' % (name, text.replace('"', "")))
    dns = Dnsmasq(a.dir, port=a.port, lines=lines)
    dns.pidfile = a.pidfile
    dns.start()
    print(dns.proc.pid)


def _cli_queue(a):
    pf = Postfix(a.dir)
    print(len(pf.queue()))


def _main(argv):
    ap = argparse.ArgumentParser(prog="mailstack.py")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("postfix-up", help="configure and start a private Postfix, detached")
    p.add_argument("--dir", required=True)
    p.add_argument("--pidfile", required=True)
    p.add_argument("--smtp-port", type=int, required=True)
    p.add_argument("--relay", required=True, help="HOST:PORT every forwarded copy goes to")
    p.add_argument("--pg-dir", required=True, help="the private PostgreSQL (stack.Postgres)")
    p.add_argument("--pg-user", default="mm_postfix")
    p.add_argument("--srs-forward", type=int, required=True)
    p.add_argument("--srs-reverse", type=int, required=True)
    p.add_argument("--set", action="append", default=[], metavar="PARAMETER=VALUE")
    p.add_argument("--lmtp", help="membermail's LMTP socket, where kept mail goes")
    p.set_defaults(fn=_cli_postfix)
    p = sub.add_parser("srs-up", help="start postsrsd, detached")
    p.add_argument("--dir", required=True)
    p.add_argument("--pidfile", required=True)
    p.add_argument("--forward", type=int, required=True)
    p.add_argument("--reverse", type=int, required=True)
    p.add_argument("--domain", default=MX_HOSTNAME)
    p.set_defaults(fn=_cli_srs)
    p = sub.add_parser("dns-up", help="start dnsmasq with TXT records, detached")
    p.add_argument("--dir", required=True)
    p.add_argument("--pidfile", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--zone", action="append", default=[], help="answered locally only")
    p.add_argument("--txt", action="append", default=[], metavar="NAME=TEXT")
    p.set_defaults(fn=_cli_dns)
    p = sub.add_parser("postfix-queue", help="how many messages the queue holds")
    p.add_argument("--dir", required=True)
    p.set_defaults(fn=_cli_queue)
    a = ap.parse_args(argv)
    try:
        a.fn(a)
    except (RuntimeError, stack.PgError, OSError) as e:
        print("mailstack.py %s: %s" % (a.cmd, e), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
