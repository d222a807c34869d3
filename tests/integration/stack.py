#!/usr/bin/python3
"""The private stack shared by the integration tests, deploy/local and the
benchmark: renders a membermail config and a private nginx (from the same
deploy/nginx/ files as production), starts and stops processes by PID.

Standard library only; run with Debian's /usr/bin/python3.

Command line (used by deploy/local):
    stack.py render-nginx --prefix DIR --listen 127.0.0.1:8080 --socket PATH --static DIR
    stack.py render-config --out FILE --socket PATH [--workers N] [--max-body 1k] ...
    stack.py spawn --pidfile FILE --log FILE -- COMMAND...   (detached, default signals)
    stack.py wait-http URL [--timeout S]
"""

import argparse
import grp
import http.client as httplib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NGINX_DIR = os.path.join(REPO, "deploy", "nginx")

# The well-known production values the rendered copies rewrite; nothing else
# in the shipped nginx files is changed for tests.
PROD_SOCKET = "unix:/run/membermail/membermail.sock"
PROD_STATIC = "/usr/local/share/membermail/static/"
PROD_CERT = "/etc/ssl/membermail/CHANGE-ME-fullchain.pem"
PROD_KEY = "/etc/ssl/membermail/CHANGE-ME-privkey.pem"
PROD_LOGS = "/var/log/nginx/"

# Every process started through Proc, so that cleanup_all() can stop them.
STARTED = []


def is_root():
    return os.geteuid() == 0


def unprivileged_user():
    """(user, group) that workers and nginx workers run as when we are root."""
    return "nobody", grp.getgrgid(pwd.getpwnam("nobody").pw_gid).gr_name


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _replace(text, old, new, what):
    if old not in text:
        raise RuntimeError("%s: expected to find %r to rewrite; deploy/nginx changed?" % (what, old))
    return text.replace(old, new)


def _write(path, text, mode=0o644):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


def render_nginx(prefix, socket_path, static_dir, listen=None, production=None,
                 extra_sites=None):
    """Renders a private nginx into `prefix` (created; must be reachable by
    the nginx worker user).  The layout mirrors /etc/nginx: mime.types,
    fastcgi_params, snippets/ (from deploy/nginx/snippets with the socket path
    and the static directory rewritten) and sites/*.conf.

    listen: "127.0.0.1:PORT" -> sites/local.conf, the plain-HTTP site.
    production: dict(http=PORT, https=PORT, cert=PATH, key=PATH) -> sites/
      membermail.conf, the production site with its ports, certificate and
      log paths rewritten.  Use one of listen/production per prefix (each
      includes the http-level snippet).
    extra_sites: {name: text} written as sites/NAME.conf.
    """
    for d in ("", "logs", "tmp", "snippets", "sites"):
        os.makedirs(os.path.join(prefix, d), exist_ok=True)
        os.chmod(os.path.join(prefix, d), 0o755)
    for f in ("mime.types", "fastcgi_params"):
        shutil.copy(os.path.join("/etc/nginx", f), os.path.join(prefix, f))
    static = static_dir.rstrip("/") + "/"
    for name in sorted(os.listdir(os.path.join(NGINX_DIR, "snippets"))):
        if not name.endswith(".conf"):
            continue
        with open(os.path.join(NGINX_DIR, "snippets", name)) as f:
            text = f.read()
        if PROD_SOCKET in text:
            text = text.replace(PROD_SOCKET, "unix:" + socket_path)
        if PROD_STATIC in text:
            text = text.replace(PROD_STATIC, static)
        _write(os.path.join(prefix, "snippets", name), text)
    with open(os.path.join(NGINX_DIR, "dev", "nginx.conf.in")) as f:
        conf = f.read()
    if is_root():
        user, group = unprivileged_user()
        user_line = "user %s %s;" % (user, group)
    else:
        user_line = "# not started as root: nginx workers run as the current user"
    conf = conf.replace("@USER@", user_line).replace("@PREFIX@", prefix)
    _write(os.path.join(prefix, "nginx.conf"), conf)
    for old in os.listdir(os.path.join(prefix, "sites")):
        os.unlink(os.path.join(prefix, "sites", old))
    if listen:
        with open(os.path.join(NGINX_DIR, "dev", "local-site.conf.in")) as f:
            site = f.read()
        site = site.replace("@LISTEN@", listen).replace("@PREFIX@", prefix)
        _write(os.path.join(prefix, "sites", "local.conf"), site)
    if production:
        with open(os.path.join(NGINX_DIR, "membermail.conf")) as f:
            site = f.read()
        what = "deploy/nginx/membermail.conf"
        site = _replace(site, "    listen 80;\n", "    listen 127.0.0.1:%d;\n" % production["http"], what)
        site = _replace(site, "    listen [::]:80;\n", "", what)
        site = _replace(site, "    listen 443 ssl http2;\n",
                        "    listen 127.0.0.1:%d ssl http2;\n" % production["https"], what)
        site = _replace(site, "    listen [::]:443 ssl http2;\n", "", what)
        site = _replace(site, PROD_CERT, production["cert"], what)
        site = _replace(site, PROD_KEY, production["key"], what)
        site = _replace(site, PROD_LOGS, os.path.join(prefix, "logs") + "/", what)
        _write(os.path.join(prefix, "sites", "membermail.conf"), site)
    for name, text in (extra_sites or {}).items():
        _write(os.path.join(prefix, "sites", name + ".conf"), text)
    return os.path.join(prefix, "nginx.conf")


def config_settings(socket_path, workers=2, max_body="1k", shutdown_timeout=10,
                    log_level="info", backlog=128, max_requests=0, templates_dir=None,
                    drop_privileges=True, public_url=None):
    """The membermail config used by the tests and the local stack."""
    s = [
        ("listen", "unix:" + socket_path),
        ("socket_mode", "0660"),
        ("backlog", str(backlog)),
        ("workers", str(workers)),
        ("max_requests", str(max_requests)),
        ("shutdown_timeout", str(shutdown_timeout)),
        ("max_body", max_body),
        ("templates_dir", templates_dir or os.path.join(REPO, "views", "templates")),
        ("log_level", log_level),
    ]
    if public_url:
        s.append(("public_url", public_url))
    if is_root() and drop_privileges:
        # The server refuses to run workers as root; nginx's workers run as
        # the same unprivileged user/group and reach the socket via its group.
        user, group = unprivileged_user()
        s += [("user", user), ("group", group), ("socket_group", group)]
    return s


def render_config(path, settings, header="membermail config written by tests/integration/stack.py"):
    lines = ["# " + header]
    lines += ["%s = %s" % (k, v) for k, v in settings]
    _write(path, "\n".join(lines) + "\n")
    return path


def pids_with(pred):
    """PIDs of processes whose /proc/PID/stat fields satisfy pred(stat)."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                raw = f.read()
        except OSError:
            continue
        # pid (comm) state ppid pgrp ...; comm may contain spaces/parens.
        rest = raw[raw.rfind(")") + 2:].split()
        st = {"pid": int(d), "state": rest[0], "ppid": int(rest[1]), "pgrp": int(rest[2])}
        if st["state"] in ("Z", "X"):
            continue
        if pred(st):
            out.append(st["pid"])
    return sorted(out)


def children_of(pid):
    return pids_with(lambda st: st["ppid"] == pid)


def alive(pid):
    return bool(pids_with(lambda st: st["pid"] == pid))


def rss_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def proc_uid(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("Uid:"):
                return [int(x) for x in line.split()[1:]]
    return None


def wait_until(pred, timeout, interval=0.05):
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() >= deadline:
            return v
        time.sleep(interval)


def _default_signals():
    # A child of a non-interactive shell's background job (tests/run) starts
    # with SIGINT and SIGQUIT ignored; what we start gets the defaults, as
    # under systemd.
    for sig in (signal.SIGINT, signal.SIGQUIT, signal.SIGTERM, signal.SIGHUP, signal.SIGPIPE):
        signal.signal(sig, signal.SIG_DFL)


class Proc:
    """A process we started, in its own session (so Ctrl-C in the terminal
    reaches only the test runner, which then stops it in order), with its
    stdout+stderr appended to log_path."""

    def __init__(self, argv, log_path, env=None, name=None):
        self.argv = argv
        self.name = name or os.path.basename(argv[0])
        self.log_path = log_path
        self._log = open(log_path, "ab")
        self.popen = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self._log,
                                      stderr=subprocess.STDOUT, env=env,
                                      start_new_session=True, preexec_fn=_default_signals)
        self.pid = self.popen.pid
        self.pgid = self.pid
        self.returncode = None
        STARTED.append(self)

    def poll(self):
        if self.returncode is None:
            self.returncode = self.popen.poll()
        return self.returncode

    def running(self):
        return self.poll() is None

    def send(self, sig):
        if self.running():
            os.kill(self.pid, sig)

    def wait(self, timeout):
        try:
            self.returncode = self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            return None
        return self.returncode

    def group(self):
        """Live processes left in our process group (e.g. orphaned workers)."""
        return pids_with(lambda st: st["pgrp"] == self.pgid)

    def stop(self, sig=signal.SIGTERM, timeout=10.0):
        """Sends sig, waits, then SIGKILLs whatever is left of the group."""
        if self.running():
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                pass
            self.wait(timeout)
        if self.running():
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.wait(5)
        for pid in self.group():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        wait_until(lambda: not self.group(), 5)
        self._log.close()
        return self.returncode

    def output(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def tail(self, n=30):
        return "\n".join(self.output().splitlines()[-n:])


def cleanup_all():
    """Stops every process started through Proc, newest first."""
    for p in reversed(STARTED):
        try:
            p.stop(signal.SIGTERM, timeout=5)
        except Exception as e:      # keep stopping the others
            print("cleanup: %s (pid %d): %s" % (p.name, p.pid, e), file=sys.stderr)
    STARTED.clear()


def sanitizer_env(extra=None):
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0:print_summary=1")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    if extra:
        env.update(extra)
    return env


class Membermail:
    """`membermail serve -c CONF`, foreground, stderr to log_path."""

    def __init__(self, binary, conf, log_path, socket_path, workers):
        self.binary = binary
        self.conf = conf
        self.log_path = log_path
        self.socket_path = socket_path
        self.workers_wanted = workers
        self.proc = None

    def start(self):
        self.proc = Proc([self.binary, "serve", "-c", self.conf], self.log_path,
                         env=sanitizer_env(), name="membermail")
        return self

    @property
    def pid(self):
        return self.proc.pid

    def workers(self):
        return children_of(self.proc.pid)

    def wait_ready(self, timeout=30.0):
        """Socket connectable and `workers` children running; raises otherwise."""
        def ready():
            if not self.proc.running():
                raise RuntimeError("membermail serve exited with %s before it was ready:\n%s"
                                   % (self.proc.poll(), self.proc.tail()))
            if not os.path.exists(self.socket_path):
                return False
            try:
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                    s.settimeout(1)
                    s.connect(self.socket_path)
            except OSError:
                return False
            return len(self.workers()) == self.workers_wanted
        if not wait_until(ready, timeout):
            raise RuntimeError("membermail serve not ready after %.0fs (socket %s, workers %s):\n%s"
                               % (timeout, os.path.exists(self.socket_path), self.workers(),
                                  self.proc.tail()))
        return self

    def stop(self, sig=signal.SIGQUIT, timeout=15.0):
        return self.proc.stop(sig, timeout) if self.proc else None

    def output(self):
        return self.proc.output() if self.proc else ""


class Nginx:
    def __init__(self, prefix):
        self.prefix = prefix
        self.conf = os.path.join(prefix, "nginx.conf")
        self.proc = None

    def test_config(self):
        r = subprocess.run(["nginx", "-t", "-q", "-p", self.prefix, "-c", self.conf,
                            "-g", "daemon off;"], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
        return r.returncode, r.stdout.decode("utf-8", "replace")

    def start(self, ports, timeout=10.0):
        self.proc = Proc(["nginx", "-p", self.prefix, "-c", self.conf, "-g", "daemon off;"],
                         os.path.join(self.prefix, "logs", "nginx.stderr"), name="nginx")

        def up():
            if not self.proc.running():
                raise RuntimeError("nginx exited with %s:\n%s\n%s" % (
                    self.proc.poll(), self.proc.tail(), self.error_log(20)))
            for port in ports:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                except OSError:
                    return False
            return True
        if not wait_until(up, timeout):
            raise RuntimeError("nginx not listening on %s after %.0fs" % (ports, timeout))
        return self

    def error_log(self, n=50):
        try:
            with open(os.path.join(self.prefix, "logs", "error.log"), errors="replace") as f:
                return "\n".join(f.read().splitlines()[-n:])
        except OSError:
            return ""

    def stop(self):
        return self.proc.stop(signal.SIGQUIT, timeout=10) if self.proc else None


class Response:
    def __init__(self, status, reason, headers, body):
        self.status = status
        self.reason = reason
        self.headers = headers            # list of (name, value)
        self.body = body

    def header(self, name):
        for n, v in self.headers:
            if n.lower() == name.lower():
                return v
        return None

    def header_all(self, name):
        return [v for n, v in self.headers if n.lower() == name.lower()]

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def __repr__(self):
        return "<HTTP %s %s, %d bytes>" % (self.status, self.reason, len(self.body))


def http_request(port, method, path, body=None, headers=None, timeout=15.0, host="127.0.0.1",
         tls=False, source=None):
    """One HTTP/1.1 request on a new connection (Connection: close)."""
    kw = {"timeout": timeout}
    if source:
        kw["source_address"] = (source, 0)
    if tls:
        import ssl
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        conn = httplib.HTTPSConnection(host, port, context=ctx, **kw)
    else:
        conn = httplib.HTTPConnection(host, port, **kw)
    try:
        h = {"Connection": "close", "User-Agent": "membermail-integration-tests"}
        h.update(headers or {})
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        data = r.read()
        return Response(r.status, r.reason, r.getheaders(), data)
    finally:
        conn.close()


def _main(argv):
    ap = argparse.ArgumentParser(prog="stack.py")
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("render-nginx")
    a.add_argument("--prefix", required=True)
    a.add_argument("--listen", required=True)
    a.add_argument("--socket", required=True)
    a.add_argument("--static", required=True)
    b = sub.add_parser("render-config")
    b.add_argument("--out", required=True)
    b.add_argument("--socket", required=True)
    b.add_argument("--workers", type=int, default=2)
    b.add_argument("--max-body", default="64k")
    b.add_argument("--shutdown-timeout", type=int, default=10)
    b.add_argument("--log-level", default="info")
    b.add_argument("--public-url")
    b.add_argument("--header", default="membermail config written by stack.py")
    d = sub.add_parser("spawn", help="start a detached process, print its pid")
    d.add_argument("--pidfile", required=True)
    d.add_argument("--log", required=True)
    d.add_argument("argv", nargs=argparse.REMAINDER)
    c = sub.add_parser("wait-http")
    c.add_argument("url")
    c.add_argument("--timeout", type=float, default=30)
    args = ap.parse_args(argv)
    if args.cmd == "render-nginx":
        print(render_nginx(os.path.abspath(args.prefix), os.path.abspath(args.socket),
                           os.path.abspath(args.static), listen=args.listen))
    elif args.cmd == "render-config":
        print(render_config(args.out, config_settings(
            os.path.abspath(args.socket), workers=args.workers, max_body=args.max_body,
            shutdown_timeout=args.shutdown_timeout, log_level=args.log_level,
            public_url=args.public_url),
            header=args.header))
    elif args.cmd == "spawn":
        argv = args.argv[1:] if args.argv[:1] == ["--"] else args.argv
        with open(args.log, "ab") as log:
            p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                 start_new_session=True, preexec_fn=_default_signals)
        with open(args.pidfile, "w") as f:
            f.write("%d\n" % p.pid)
        print(p.pid)
    elif args.cmd == "wait-http":
        u = urllib.parse.urlsplit(args.url)

        def ok():
            try:
                return http_request(u.port or 80, "GET", u.path or "/", host=u.hostname, timeout=2).status == 200
            except OSError:
                return False
        if not wait_until(ok, args.timeout, interval=0.2):
            print("no 200 from %s after %.0fs" % (args.url, args.timeout), file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
