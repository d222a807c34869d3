#!/usr/bin/python3
"""The private stack shared by the integration tests, deploy/local and the
benchmark: renders a membermail config and a private nginx (from the same
deploy/nginx/ files as production), starts and stops processes by PID.

Standard library only; run with Debian's /usr/bin/python3.

Command line (used by deploy/local):
    stack.py render-nginx --prefix DIR --listen 127.0.0.1:8080 --socket PATH --static DIR
    stack.py render-config --out FILE --socket PATH [--workers N] [--max-body 1k]
                           [--database CONNINFO] ...
    stack.py spawn --pidfile FILE --log FILE -- COMMAND...   (detached, default signals)
    stack.py wait-http URL [--timeout S]
    stack.py socket-masters --socket PATH           pids of the masters holding a listening
                                                    unix socket (not their workers)
    stack.py pg-up --dir DIR --binary MEMBERMAIL    a private cluster in DIR (created,
                   started, `migrate up`, login roles; idempotent); prints the app's conninfo
    stack.py pg-seed --dir DIR --binary MEMBERMAIL --conf FILE   the Ubuntu domains (idempotent)
    stack.py pg-tokens --dir DIR                    "domain token" of each domain
    stack.py pg-down --dir DIR                      pg_ctl stop -m fast
    stack.py pg-status --dir DIR                    exit 0 when it runs
"""

import argparse
import grp
import http.client as httplib
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NGINX_DIR = os.path.join(REPO, "deploy", "nginx")
MIGRATIONS_DIR = os.path.join(REPO, "migrations")
# The compiled catalogues of the build under test (use_build sets it):
# every config written here points locale_dir at them.
LOCALE_DIR = None


def use_build(build_dir):
    """Makes config_settings point locale_dir at build_dir's catalogues."""
    global LOCALE_DIR
    LOCALE_DIR = os.path.join(os.path.abspath(build_dir), "po", "locale")
PG_BIN = "/usr/lib/postgresql/15/bin"

# The well-known production values the rendered copies rewrite; nothing else
# in the shipped nginx files is changed for tests.
PROD_SOCKET = "unix:/run/membermail/membermail.sock"
PROD_STATUS_SOCKET = "unix:/run/membermail/status.sock"
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


def status_socket(socket_path):
    """The status process's socket, beside the app's: x.sock -> x-status.sock."""
    return os.path.splitext(socket_path)[0] + "-status.sock"


def render_nginx(prefix, socket_path, static_dir, listen=None, production=None,
                 extra_sites=None, sso_origin="https://login.ubuntu.com"):
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
    sso_origin: the origin of membermail's sso_endpoint (CSP form-action).
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
        if PROD_STATUS_SOCKET in text:
            text = text.replace(PROD_STATUS_SOCKET, "unix:" + status_socket(socket_path))
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
        site = site.replace("@SSO_ORIGIN@", sso_origin)
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
                    drop_privileges=True, public_url=None, database=None, migrations_dir=None,
                    extra=None):
    """The membermail config used by the tests and the local stack.
    database: the app's libpq connection string (Postgres.conninfo());
    migrations_dir defaults to the repository's migrations/; extra: more
    (key, value) pairs, e.g. the sign-in settings."""
    s = [
        ("listen", "unix:" + socket_path),
        ("status_listen", "unix:" + status_socket(socket_path)),
        ("socket_mode", "0660"),
        ("backlog", str(backlog)),
        ("workers", str(workers)),
        ("max_requests", str(max_requests)),
        ("shutdown_timeout", str(shutdown_timeout)),
        ("max_body", max_body),
        ("templates_dir", templates_dir or os.path.join(REPO, "views", "templates")),
    ]
    if LOCALE_DIR:
        s.append(("locale_dir", LOCALE_DIR))
    s += [
        ("log_level", log_level),
        ("migrations_dir", migrations_dir or MIGRATIONS_DIR),
    ]
    if database:
        s.append(("database", database))
    if public_url:
        s.append(("public_url", public_url))
    if is_root() and drop_privileges:
        # The server refuses to run workers as root; nginx's workers run as
        # the same unprivileged user/group and reach the socket via its group.
        user, group = unprivileged_user()
        s += [("user", user), ("group", group), ("socket_group", group)]
    return s + list(extra or [])


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
        st = {"pid": int(d), "state": rest[0], "ppid": int(rest[1]), "pgrp": int(rest[2]),
              "comm": raw[raw.find("(") + 1:raw.rfind(")")]}
        if st["state"] in ("Z", "X"):
            continue
        if pred(st):
            out.append(st["pid"])
    return sorted(out)


def children_of(pid):
    return pids_with(lambda st: st["ppid"] == pid)


def workers_of(pid):
    """A master's FastCGI workers: its children but the status process and
    the LMTP workers."""
    return pids_with(lambda st: st["ppid"] == pid and st["comm"] not in ("mm-status", "mm-lmtp"))


def lmtp_workers_of(pid):
    """A master's LMTP workers."""
    return pids_with(lambda st: st["ppid"] == pid and st["comm"] == "mm-lmtp")


def status_process_of(pid):
    found = pids_with(lambda st: st["ppid"] == pid and st["comm"] == "mm-status")
    return found[0] if found else None


def unix_socket_masters(path):
    """PIDs of the membermail masters holding the listening unix socket
    bound to path: every holder but the workers and status processes
    (named mm-*).  During a live upgrade both the old and the new master
    hold it."""
    inodes = set()
    with open("/proc/net/unix") as f:
        next(f)
        for line in f:
            cols = line.split()
            # Num RefCount Protocol Flags Type St Inode Path; St 01: listening
            if len(cols) >= 8 and cols[7] == path and cols[5] == "01":
                inodes.add("socket:[%s]" % cols[6])

    def master(st):
        if st["comm"].startswith("mm-"):
            return False
        fd_dir = "/proc/%d/fd" % st["pid"]
        try:
            return any(os.readlink(os.path.join(fd_dir, fd)) in inodes for fd in os.listdir(fd_dir))
        except OSError:         # gone, or not ours to read
            return False
    return pids_with(master) if inodes else []


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


def cpu_seconds(pids, reaped=False):
    """utime + stime of pids in seconds (a gone process counts 0); with
    reaped, also what their children that they waited for used."""
    last = 15 if reaped else 13
    total = 0
    for pid in pids:
        try:
            with open("/proc/%d/stat" % pid) as f:
                rest = f.read().rsplit(")", 1)[1].split()
            total += sum(int(x) for x in rest[11:last])
        except (OSError, IndexError, ValueError):
            pass
    return total / os.sysconf("SC_CLK_TCK")


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


def wait_listening(proc, log_path, start, pattern, name, timeout):
    """The match of pattern in what proc logged after offset start (a
    server saying where it listens); stops proc and raises when it exits
    first or says nothing within timeout."""
    def ready():
        with open(log_path, "rb") as f:
            f.seek(start)
            text = f.read().decode("utf-8", "replace")
        m = re.search(pattern, text, re.M)
        if m is None and not proc.running():
            raise RuntimeError("%s exited with %s: %s" % (name, proc.poll(), text[-800:]))
        return m
    m = wait_until(ready, timeout)
    if not m:
        proc.stop()
        raise RuntimeError("%s did not print 'listening on' within %.0fs" % (name, timeout))
    return m


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
        self.lmtp_wanted = None     # LMTP workers to wait for (None: not counted)
        self.proc = None

    def start(self, extra_env=None):
        """extra_env: more environment variables (e.g. the test hooks')."""
        self.proc = Proc([self.binary, "serve", "-c", self.conf], self.log_path,
                         env=sanitizer_env(extra_env), name="membermail")
        return self

    @property
    def pid(self):
        return self.proc.pid

    def workers(self):
        return workers_of(self.proc.pid)

    def lmtp_workers(self):
        return lmtp_workers_of(self.proc.pid)

    def wait_ready(self, timeout=30.0):
        """Socket connectable and `workers` children running (and
        lmtp_wanted LMTP workers, when set); raises otherwise."""
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
            # A child not yet named mm-lmtp counts as a FastCGI worker, so
            # the LMTP pool must be complete too before the counts hold.
            return len(self.workers()) == self.workers_wanted and (
                self.lmtp_wanted is None or len(self.lmtp_workers()) == self.lmtp_wanted)
        if not wait_until(ready, timeout):
            raise RuntimeError("membermail serve not ready after %.0fs (socket %s, workers %s):\n%s"
                               % (timeout, os.path.exists(self.socket_path), self.workers(),
                                  self.proc.tail()))
        return self

    def stop(self, sig=signal.SIGQUIT, timeout=15.0):
        return self.proc.stop(sig, timeout) if self.proc else None

    def output(self):
        return self.proc.output() if self.proc else ""


class Load:
    """A bounded HTTP load for the process-manager tests: `clients` threads,
    each sending `GET path` to 127.0.0.1:port on a fresh connection
    (Connection: close), one request after the other, until stop(), until
    `requests` requests were sent in all (when given), and never for more
    than `max_seconds` (a bound even if the caller never stops it).  Every
    answer is kept as (monotonic time, status): the HTTP status, or
    "ExceptionName: message" for a request that got no response."""

    def __init__(self, port, path="/healthz", clients=8, max_seconds=20.0, requests=None,
                 timeout=10.0):
        import threading
        self.port = port
        self.path = path
        self.clients = clients
        self.max_seconds = max_seconds
        self.budget = requests
        self.timeout = timeout
        self.results = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._client, daemon=True) for _ in range(clients)]
        self.started = None

    def _take(self):
        with self._lock:
            if self.budget is None:
                return True
            if self.budget <= 0:
                return False
            self.budget -= 1
            return True

    def _client(self):
        deadline = self.started + self.max_seconds
        while not self._stop.is_set() and time.monotonic() < deadline and self._take():
            try:
                st = http_request(self.port, "GET", self.path, timeout=self.timeout).status
            except Exception as e:     # a failed request is a result too
                st = "%s: %s" % (type(e).__name__, e)
            with self._lock:
                self.results.append((time.monotonic(), st))

    def start(self):
        self.started = time.monotonic()
        for t in self._threads:
            t.start()
        return self

    def wait(self, timeout=None):
        """Until every client is done (its budget spent, or max_seconds)."""
        end = time.monotonic() + (self.max_seconds + self.timeout if timeout is None else timeout)
        for t in self._threads:
            t.join(max(0.0, end - time.monotonic()))
        return self

    def stop(self, timeout=None):
        self._stop.set()
        return self.wait(self.timeout + 5 if timeout is None else timeout)

    def running(self):
        return any(t.is_alive() for t in self._threads)

    def failures(self, ok=(200,)):
        with self._lock:
            return [r for r in self.results if r[1] not in ok]

    def count(self, since=None):
        with self._lock:
            return sum(1 for t, _ in self.results if since is None or t >= since)

    def summary(self):
        with self._lock:
            n = len(self.results)
            statuses = {}
            for _, st in self.results:
                k = st if isinstance(st, int) else st.split(":", 1)[0]
                statuses[k] = statuses.get(k, 0) + 1
        took = (time.monotonic() - self.started) if self.started else 0.0
        return "%d requests by %d clients in %.1fs, %s" % (n, self.clients, took, statuses)


def fastcgi_pool_site(listen, upstream, sockets, status_socket=None, log_path=None,
                      server_args="max_fails=3 fail_timeout=5s", next_upstream="error timeout",
                      tries=2):
    """An nginx site (for render_nginx's extra_sites) in front of one or
    more `membermail serve` sockets: upstream `upstream` of unix `sockets`
    (each with server_args), location / to it with fastcgi_next_upstream
    `next_upstream`, and, given status_socket, /status, /metrics and /ping
    to it from 127.0.0.1 only, as the production snippet does.  The access
    log (log_path) shows $upstream_status: "502, 200" is a retried request."""
    ups = "\n".join("    server unix:%s %s;" % (s, server_args) for s in sockets)
    fmt = "%s_log" % upstream
    status = ""
    if status_socket:
        for loc in ("/status", "/metrics", "/ping"):
            status += ("    location = %s {\n        allow 127.0.0.1;\n        deny all;\n"
                       "        fastcgi_pass unix:%s;\n    }\n" % (loc, status_socket))
    return """# rendered by tests/integration/stack.py fastcgi_pool_site
upstream %(up)s {
%(ups)s
}
log_format %(fmt)s '$remote_addr "$request" $status us="$upstream_status" ua="$upstream_addr" '
                   'rt=$request_time id=$request_id';
server {
    listen %(listen)s;
    server_name localhost;
    %(log)s
    include fastcgi_params;
    fastcgi_param REQUEST_ID $request_id;
    fastcgi_param HTTP_PROXY "";
    fastcgi_connect_timeout 2s;
    fastcgi_send_timeout    30s;
    fastcgi_read_timeout    30s;
    fastcgi_next_upstream %(nu)s;
    fastcgi_next_upstream_tries   %(tries)d;
    fastcgi_next_upstream_timeout 5s;
    location / {
        fastcgi_pass %(up)s;
    }
%(status)s}
""" % {"up": upstream, "ups": ups, "fmt": fmt, "listen": listen,
       "log": "access_log %s %s;" % (log_path, fmt) if log_path else "access_log off;",
       "nu": next_upstream, "tries": tries, "status": status}


class FakeSSO:
    """The fake Ubuntu One (tests/fakes/sso.py) on a loopback port, its
    output in log_path; registered in STARTED like every Proc.  base is
    http://127.0.0.1:PORT; the RP's settings are `endpoint` and `prefix`."""

    SCRIPT = os.path.join(REPO, "tests", "fakes", "sso.py")

    def __init__(self, log_path, name="sso"):
        self.log_path = log_path
        self.name = name
        self.proc = None
        self.port = 0
        self.base = None

    @property
    def endpoint(self):
        return self.base + "/+openid"

    @property
    def prefix(self):
        return self.base + "/+id/"

    def start(self, timeout=15.0):
        """Starts it (on the port it had before, if any) and waits for its
        "listening on" line."""
        with open(self.log_path, "ab") as f:
            start = f.tell()
        self.proc = Proc(["/usr/bin/python3", "-B", self.SCRIPT, "--port", str(self.port)],
                         self.log_path, name=self.name)

        m = wait_listening(self.proc, self.log_path, start,
                           r"^listening on (http://127\.0\.0\.1:(\d+))$", self.name, timeout)
        self.base, self.port = m.group(1), int(m.group(2))
        return self

    def stop(self):
        if self.proc is None:
            return None
        rc = self.proc.stop(signal.SIGTERM, 5)
        if self.proc in STARTED:        # a restart makes a new Proc
            STARTED.remove(self.proc)
        return rc

    def call(self, method, path, obj=None, timeout=10.0):
        """A control API call (/_fake/...); the decoded JSON answer."""
        import json
        body = json.dumps(obj).encode() if method == "POST" else None
        headers = {"Content-Type": "application/json"} if method == "POST" else {}
        r = http_request(self.port, method, path, body=body, headers=headers, timeout=timeout)
        if r.status != 200:
            raise RuntimeError("%s %s %s: %s %r" % (self.name, method, path, r.status, r.body[:300]))
        return json.loads(r.body)

    def reset(self):
        return self.call("POST", "/_fake/reset", {})

    def set_user(self, user):
        return self.call("POST", "/_fake/user", user)

    def faults(self, **knobs):
        return self.call("POST", "/_fake/faults", knobs)

    def config(self, **settings):
        return self.call("POST", "/_fake/config", settings)

    def requests(self):
        return self.call("GET", "/_fake/requests")

    def clear_requests(self):
        return self.call("POST", "/_fake/requests/clear", {})


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


# ---------------------------------------------------------------- PostgreSQL

# The Ubuntu communities every stack (tests, deploy/local, bench) serves:
# (domain, Launchpad team with its '~', landing page slug, title).
UBUNTU_DOMAINS = [
    ("ubuntu.com", "~ubuntumembers", "ubuntu", "Ubuntu"),
    ("kubuntu.org", "~kubuntu-members", "kubuntu", "Kubuntu"),
    ("lubuntu.me", "~lubuntu-members", "lubuntu", "Lubuntu"),
    ("edubuntu.org", "~edubuntu-members", "edubuntu", "Edubuntu"),
    ("ubuntustudio.com", "~ubuntustudio-core", "ubuntustudio", "Ubuntu Studio"),
    ("ubuntu.net", "~ubuntu-smtp-test", None, None),
]

PG_SUPERUSER = "postgres"       # the bootstrap superuser initdb creates
OWNER_ROLE = "mm_owner"         # LOGIN CREATEROLE, owns the database, migrates
WEB_ROLE = "mm_web"             # LOGIN, member of membermail_app: the app's `database`
APP_DB = "membermail"


class PgError(RuntimeError):
    pass


def pg_os_user():
    """The system account PostgreSQL runs as when we are root (initdb and
    the server refuse to run as root): the Debian package's `postgres`,
    else `nobody`."""
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            pass
    raise RuntimeError("no 'postgres' or 'nobody' account to run PostgreSQL as")


def conninfo_value(v):
    """A libpq connection-string value, quoted when it needs to be."""
    v = str(v)
    if v and not any(c in v for c in " '\\\t\n="):
        return v
    return "'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'"


class Postgres:
    """A private PostgreSQL 15 cluster under `base`: data/ (0700), the unix
    socket base/.s.PGSQL.PORT (no TCP: listen_addresses = ''), trust
    authentication, fsync off, the server log in base/postgres.log.  When
    we are root, base is chowned to pg_os_user() and initdb/pg_ctl run as
    that user.  Started with `pg_ctl start -w`, stopped with `pg_ctl stop -m
    fast`; registered in STARTED so that cleanup_all() stops it (by PID if
    pg_ctl cannot).  An existing cluster in base is reused (deploy/local)."""

    def __init__(self, base, port=None):
        self.base = os.path.abspath(base)
        self.data = os.path.join(self.base, "data")
        self.log_path = os.path.join(self.base, "postgres.log")
        self.port = port or self._configured_port() or free_port()
        self.name = "postgres"
        self.pid = None
        self.os_user = pg_os_user() if is_root() else None
        if len(self.socket_path) > 100:
            raise RuntimeError("socket path %s is too long for a unix socket; use a shorter directory"
                               % self.socket_path)

    @property
    def socket_path(self):
        return os.path.join(self.base, ".s.PGSQL.%d" % self.port)

    def _configured_port(self):
        try:
            with open(os.path.join(self.data, "postgresql.conf")) as f:
                for line in f:
                    if line.startswith("port = "):
                        return int(line.split("=", 1)[1].split("#")[0])
        except (OSError, ValueError):
            pass
        return None

    def _run(self, argv, timeout=60, as_server_user=True):
        kw = {}
        if as_server_user and self.os_user is not None:
            kw = {"user": self.os_user.pw_uid, "group": self.os_user.pw_gid, "extra_groups": []}
        env = dict(os.environ, LC_ALL="C.UTF-8", TZ="UTC")
        try:
            r = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, cwd=self.base, env=env, timeout=timeout,
                               start_new_session=True, preexec_fn=_default_signals, **kw)
        except subprocess.TimeoutExpired as e:
            raise PgError("%s: no exit within %ds" % (" ".join(argv[:2]), timeout)) from e
        return r.returncode, r.stdout.decode("utf-8", "replace")

    def initialized(self):
        return os.path.exists(os.path.join(self.data, "PG_VERSION"))

    def init(self):
        """initdb (unless base already holds a cluster) and our settings."""
        os.makedirs(self.base, exist_ok=True)
        os.chmod(self.base, 0o755)      # the socket is reached by the app's workers
        if self.os_user is not None:
            os.chown(self.base, self.os_user.pw_uid, self.os_user.pw_gid)
        if self.initialized():
            return self
        code, out = self._run([os.path.join(PG_BIN, "initdb"), "-D", self.data, "-U", PG_SUPERUSER,
                               "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"], timeout=120)
        if code != 0:
            raise PgError("initdb failed (exit %s):\n%s" % (code, out[-2000:]))
        settings = [
            ("listen_addresses", "''"),
            ("port", str(self.port)),
            ("unix_socket_directories", "'%s'" % self.base.replace("'", "''")),
            ("unix_socket_permissions", "0777"),
            ("fsync", "off"),
            ("synchronous_commit", "off"),
            ("full_page_writes", "off"),
            ("max_connections", "50"),
            ("shared_buffers", "32MB"),
            ("log_line_prefix", "'%m [%p] %q%u@%d %a: '"),
            ("log_min_messages", "warning"),
            ("timezone", "'UTC'"),
        ]
        with open(os.path.join(self.data, "postgresql.conf"), "a") as f:
            f.write("\n# private cluster written by membermail tests/integration/stack.py\n")
            for k, v in settings:
                f.write("%s = %s\n" % (k, v))
        return self

    def _postmaster_pid(self):
        try:
            with open(os.path.join(self.data, "postmaster.pid")) as f:
                pid = int(f.readline().strip())
        except (OSError, ValueError):
            return None
        return pid if self._ours(pid) else None

    def _ours(self, pid):
        """pid is a live postgres server of this data directory (so a
        recycled PID is never signalled)."""
        try:
            with open("/proc/%d/cmdline" % pid, "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            return False
        return (alive(pid) and os.path.basename(argv[0]) in (b"postgres", b"postmaster")
                and self.data.encode() in argv)

    def running(self):
        if self.pid is None or not self._ours(self.pid):
            self.pid = self._postmaster_pid()
        return self.pid is not None

    def start(self, timeout=30):
        """pg_ctl start -w (a no-op when it already runs)."""
        if not self.running():
            code, out = self._run([os.path.join(PG_BIN, "pg_ctl"), "start", "-D", self.data,
                                   "-l", self.log_path, "-w", "-t", str(timeout), "-s"],
                                  timeout=timeout + 10)
            self.pid = self._postmaster_pid()
            if code != 0 or self.pid is None:
                raise PgError("pg_ctl start failed (exit %s): %s\n%s" % (code, out.strip(), self.log_tail()))
        if self not in STARTED:
            STARTED.append(self)
        return self

    def stop(self, sig=None, timeout=10.0):
        """pg_ctl stop -m fast; if that fails, the server's PID gets SIGQUIT
        (immediate shutdown), then SIGKILL with its children.  `sig` is
        ignored (the signature of Proc.stop, for cleanup_all)."""
        if not self.running():
            self.pid = None
            return 0
        pid = self.pid
        code, out = self._run([os.path.join(PG_BIN, "pg_ctl"), "stop", "-D", self.data, "-m", "fast",
                               "-w", "-t", str(int(timeout)), "-s"], timeout=timeout + 10)
        if code != 0 or not wait_until(lambda: not self._ours(pid), 2):
            print("postgres: pg_ctl stop -m fast failed (exit %s): %s; signalling pid %d"
                  % (code, out.strip(), pid), file=sys.stderr)
            children = children_of(pid)
            for s, t in ((signal.SIGQUIT, 5), (signal.SIGKILL, 5)):
                if self._ours(pid):
                    try:
                        os.kill(pid, s)
                    except ProcessLookupError:
                        pass
                    wait_until(lambda: not self._ours(pid), t)
            for c in children:
                try:
                    os.kill(c, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            code = 1
        self.pid = None
        return code

    def log_tail(self, n=30):
        try:
            with open(self.log_path, errors="replace") as f:
                return "\n".join(f.read().splitlines()[-n:])
        except OSError:
            return ""

    # -- clients
    def conninfo(self, db=APP_DB, user=WEB_ROLE):
        return "host=%s port=%d dbname=%s user=%s" % (
            conninfo_value(self.base), self.port, conninfo_value(db), conninfo_value(user))

    def psql(self, sql, db="postgres", user=PG_SUPERUSER, check=True, timeout=60, args=()):
        """Runs sql (any number of statements, ON_ERROR_STOP) with psql -X -A -t;
        returns (exit status, stdout, stderr); raises PgError on failure when check."""
        argv = [os.path.join(PG_BIN, "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                "-h", self.base, "-p", str(self.port), "-U", user, "-d", db] + list(args)
        env = dict(os.environ, PGCONNECT_TIMEOUT="5", PGAPPNAME="membermail tests")
        env.pop("PGOPTIONS", None)
        r = subprocess.run(argv, input=sql.encode() if sql is not None else None,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=timeout,
                           stdin=None if sql is not None else subprocess.DEVNULL)
        out, err = r.stdout.decode("utf-8", "replace"), r.stderr.decode("utf-8", "replace")
        if check and r.returncode != 0:
            raise PgError("psql -U %s -d %s: exit %d: %s\n(SQL: %s)" % (
                user, db, r.returncode, err.strip()[-1500:], (sql or "")[:300]))
        return r.returncode, out, err

    def scalar(self, sql, db="postgres", user=PG_SUPERUSER):
        """The output of one query, stripped ('' for no row)."""
        return self.psql(sql, db, user)[1].strip()

    def createdb(self, name, owner=OWNER_ROLE):
        self.psql('CREATE DATABASE "%s" OWNER "%s"' % (name, owner))
        return name

    def dropdb(self, name):
        self.psql('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name)


def ensure_roles_and_db(pg, db=APP_DB):
    """The migrating role (LOGIN CREATEROLE) and db owned by it; idempotent."""
    pg.psql("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '%s') THEN "
            "CREATE ROLE %s LOGIN CREATEROLE; END IF; END $$;" % (OWNER_ROLE, OWNER_ROLE))
    if pg.scalar("SELECT 1 FROM pg_database WHERE datname = '%s'" % db) != "1":
        pg.createdb(db, OWNER_ROLE)


def migrate_argv(binary, pg, args, db=APP_DB, user=OWNER_ROLE, conf=None, migrations_dir=None,
                 env=None):
    """(argv, environment) of `membermail migrate ARGS` against db as user."""
    argv = [binary, "migrate"] + list(args)
    e = dict(env or sanitizer_env())
    if conf:
        argv += ["-c", conf]
    else:
        e["MEMBERMAIL_CONFIG"] = "/dev/null"    # every setting is on the command line
    argv += ["--database", pg.conninfo(db, user), "--dir", migrations_dir or MIGRATIONS_DIR]
    return argv, e


def migrate_cli(binary, pg, args, db=APP_DB, user=OWNER_ROLE, conf=None, migrations_dir=None,
                env=None, timeout=120):
    """Runs `membermail migrate ARGS`; returns (exit status, stdout, stderr)."""
    argv, e = migrate_argv(binary, pg, args, db, user, conf, migrations_dir, env)
    r = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=e, timeout=timeout)
    return r.returncode, r.stdout.decode("utf-8", "replace"), r.stderr.decode("utf-8", "replace")


def provision_database(pg, binary, db=APP_DB, conf=None, migrations_dir=None, verbose=False):
    """Idempotently: mm_owner and db, `membermail migrate up` as mm_owner,
    then the app's login role mm_web IN ROLE membermail_app (the group role
    0002 creates).  Returns the app's connection string."""
    ensure_roles_and_db(pg, db)
    code, out, err = migrate_cli(binary, pg, ["up"], db=db, conf=conf, migrations_dir=migrations_dir)
    if code != 0:
        raise PgError("membermail migrate up on %s: exit %s\n%s%s" % (db, code, out, err))
    if verbose:
        sys.stderr.write("".join("migrate: %s\n" % ln for ln in (out + err).splitlines()))
    pg.psql("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '%s') THEN "
            "CREATE ROLE %s LOGIN IN ROLE membermail_app; END IF; END $$;" % (WEB_ROLE, WEB_ROLE))
    return pg.conninfo(db, WEB_ROLE)


def _run_cli(binary, args, record=None):
    argv = [binary] + list(args)
    r = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, env=sanitizer_env(), timeout=60)
    out = r.stdout.decode("utf-8", "replace")
    if record:
        record(argv, r.returncode, out)
    return r.returncode, out


def seed_domains(pg, binary=None, conf=None, db=APP_DB, domains=None, record=None):
    """Adds the Ubuntu domains that are missing, idempotently.  Through the
    operator CLI (`membermail domain add ... -c conf`) when this build has
    it (`domain list` works), else with INSERTs as the app's role.  Returns
    "cli" or "sql".  record(argv, status, output) is called for each CLI run."""
    import json
    domains = UBUNTU_DOMAINS if domains is None else domains
    code, out = _run_cli(binary, ["domain", "list", "--json", "-c", conf], record) if binary and conf \
        else (None, "")
    if code == 0:
        try:
            listed = {d.get("domain") for d in json.loads(out)}
        except (ValueError, AttributeError) as e:
            raise PgError("membermail domain list --json: not a JSON list of domains (%s): %r"
                          % (e, out[:300]))
        for name, team, slug, title in domains:
            if name in listed:
                continue
            args = ["domain", "add", name, "--team", team, "-c", conf]
            if slug:
                args += ["--slug", slug]
            if title:
                args += ["--title", title]
            code, out = _run_cli(binary, args, record)
            if code != 0:
                raise PgError("membermail %s: exit %d: %s" % (" ".join(args[:5]), code, out.strip()))
        return "cli"

    def lit(v):
        return "NULL" if v is None else "'" + v.replace("'", "''") + "'"
    rows = ",\n  ".join("(%s, %s, %s, %s, substr(md5(random()::text || clock_timestamp()::text), 1, 10))"
                        % (lit(n), lit(t.lstrip("~")), lit(s), lit(ti)) for n, t, s, ti in domains)
    pg.psql("INSERT INTO domains (name, team, slug, title, verification_token) VALUES\n  %s\n"
            "ON CONFLICT (name) DO NOTHING;" % rows, db=db, user=WEB_ROLE)
    return "sql"


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


# ---------------------------------------------------------------- SMTP sink (outbox)

class SmtpSink:
    """tests/smtp_sink.py on a loopback port, storing mail in `dir`; its
    output in log_path; registered in STARTED like every Proc.  tls=(cert,
    key) offers STARTTLS; auth=(user, password) requires AUTH under TLS.
    url is smtp://127.0.0.1:PORT; a restart keeps the port."""

    SCRIPT = os.path.join(REPO, "tests", "smtp_sink.py")

    def __init__(self, dir, log_path, tls=None, auth=None, name="smtp-sink"):
        self.dir = dir
        self.log_path = log_path
        self.tls = tls
        self.auth = auth
        self.name = name
        self.proc = None
        self.port = 0
        os.makedirs(dir, exist_ok=True)

    @property
    def url(self):
        return "smtp://127.0.0.1:%d" % self.port

    def start(self, timeout=15.0):
        with open(self.log_path, "ab") as f:
            start = f.tell()
        argv = ["/usr/bin/python3", "-B", self.SCRIPT, "--dir", self.dir, "--port", str(self.port)]
        if self.tls:
            argv += ["--tls-cert", self.tls[0], "--tls-key", self.tls[1]]
        if self.auth:
            argv += ["--auth", "%s:%s" % self.auth]
        self.proc = Proc(argv, self.log_path, name=self.name)

        m = wait_listening(self.proc, self.log_path, start,
                           r"^listening on smtp://127\.0\.0\.1:(\d+)$", self.name, timeout)
        self.port = int(m.group(1))
        return self

    def stop(self):
        if self.proc is None:
            return None
        rc = self.proc.stop(signal.SIGTERM, 5)
        if self.proc in STARTED:
            STARTED.remove(self.proc)
        self.proc = None
        return rc

    def knobs(self, **knobs):
        """Faults for the next connections: greeting=421, rcpt=451,
        data=451, delay=SECONDS, smtputf8=True; none clears them."""
        _write(os.path.join(self.dir, "knobs.json"), json.dumps(knobs))

    def messages(self):
        """[(envelope dict, raw bytes)] in arrival order."""
        out = []
        for f in sorted(os.listdir(self.dir)):
            if f.endswith(".json") and f[:6].isdigit():
                with open(os.path.join(self.dir, f)) as e, \
                        open(os.path.join(self.dir, f[:6] + ".eml"), "rb") as m:
                    out.append((json.load(e), m.read()))
        return out

    def clear(self):
        for f in os.listdir(self.dir):
            if f[:6].isdigit():
                os.unlink(os.path.join(self.dir, f))
        self.knobs()


DEMO_ADMIN_OID = "Ad4Memb"      # the fake Ubuntu One's demo user ada


def demo_fixtures(pg, sso_prefix, db=APP_DB):
    """The local stack's demo state, as the owner (idempotent): the fake
    Ubuntu One's demo user ada a site admin and an admin of every domain
    (the users row is made ahead of her first sign-in, keyed by her claimed
    id).  The domains are verified by DNS (deploy/local's dnsmasq).  When
    the identity prefix changed since the last run, her row follows it;
    should someone else hold the name ada, her row waits without a name, as
    after a Launchpad rename, until she signs in."""
    claimed = sso_prefix + DEMO_ADMIN_OID
    pg.psql("""
BEGIN;
UPDATE users SET claimed_id = %(c)s
    WHERE id = (SELECT id FROM users WHERE claimed_id LIKE %(any)s
                ORDER BY lower(name) = 'ada' DESC, id LIMIT 1)
    AND NOT EXISTS (SELECT FROM users WHERE claimed_id = %(c)s);
INSERT INTO users (claimed_id, name, email, display_name, is_site_admin)
    VALUES (%(c)s, CASE WHEN EXISTS (SELECT FROM users WHERE lower(name) = 'ada')
                   THEN NULL ELSE 'ada' END,
            'ada@example.com', 'Ada Lovelace', true)
    ON CONFLICT (claimed_id) DO UPDATE SET is_site_admin = true;
INSERT INTO domain_members (domain_id, user_id, role)
    SELECT d.id, u.id, 'admin' FROM domains d, users u WHERE u.claimed_id = %(c)s
    ON CONFLICT (domain_id, user_id) DO UPDATE SET role = 'admin';
COMMIT;
""" % {"c": "'" + claimed.replace("'", "''") + "'", "any": "'%/" + DEMO_ADMIN_OID + "'"},
            db=db, user=OWNER_ROLE)
    return claimed


def self_signed_cert(dir, cn="127.0.0.1"):
    """A throw-away certificate for cn (also its IP SAN): (cert, key) paths."""
    cert, key = os.path.join(dir, "sink-cert.pem"), os.path.join(dir, "sink-key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=%s" % cn, "-addext", "subjectAltName=IP:%s" % cn,
                    "-keyout", key, "-out", cert], check=True, stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return cert, key


# ---------------------------------------------------------------- provisioning (test_provision.py)

class FakeLaunchpad(FakeSSO):
    """The fake Launchpad (tests/fakes/launchpad.py) on a loopback port, run
    like FakeSSO; `api` (base + /1.0) is membermail's launchpad_api."""

    SCRIPT = os.path.join(REPO, "tests", "fakes", "launchpad.py")

    def __init__(self, log_path, name="launchpad"):
        super().__init__(log_path, name)

    @property
    def api(self):
        return self.base + "/1.0"

    def people(self, people):
        return self.call("POST", "/_fake/people", people)

    def delete_people(self, names):
        return self.call("POST", "/_fake/people/delete", names)

    def teams(self, teams):
        return self.call("POST", "/_fake/teams", teams)

    def rename(self, old, new):
        """A Launchpad rename: the person keeps their identity and teams."""
        return self.call("POST", "/_fake/people/rename", {"from": old, "to": new})

    def faults(self, script):
        """script: {path prefix: [steps]} (tests/fakes/README.md)."""
        return self.call("POST", "/_fake/faults", script)

    def clear_faults(self):
        return self.call("POST", "/_fake/faults/clear", {})

    def api_requests(self, prefix=""):
        """The API requests (control calls excluded) whose path starts with prefix."""
        return [e for e in self.requests() if e["path"].startswith(prefix)]


def _main(argv):
    ap = argparse.ArgumentParser(prog="stack.py")
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("render-nginx")
    a.add_argument("--prefix", required=True)
    a.add_argument("--listen", required=True)
    a.add_argument("--socket", required=True)
    a.add_argument("--static", required=True)
    a.add_argument("--sso-origin", default="https://login.ubuntu.com")
    b = sub.add_parser("render-config")
    b.add_argument("--out", required=True)
    b.add_argument("--socket", required=True)
    b.add_argument("--workers", type=int, default=2)
    b.add_argument("--max-body", default="64k")
    b.add_argument("--shutdown-timeout", type=int, default=10)
    b.add_argument("--log-level", default="info")
    b.add_argument("--public-url")
    b.add_argument("--database", help="the app's libpq connection string")
    b.add_argument("--header", default="membermail config written by stack.py")
    b.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="one more config line (repeatable)")
    d = sub.add_parser("spawn", help="start a detached process, print its pid")
    d.add_argument("--pidfile", required=True)
    d.add_argument("--log", required=True)
    d.add_argument("argv", nargs=argparse.REMAINDER)
    c = sub.add_parser("wait-http")
    c.add_argument("url")
    c.add_argument("--timeout", type=float, default=30)
    g = sub.add_parser("socket-masters", help="the pids of the masters serving a unix socket")
    g.add_argument("--socket", required=True)
    f = sub.add_parser("pg-demo", help="make the demo user ada an admin of every domain")
    f.add_argument("--dir", required=True)
    f.add_argument("--sso-prefix", required=True)
    g = sub.add_parser("pg-tokens", help="each domain's name and verification token, a line each")
    g.add_argument("--dir", required=True)
    for name in ("pg-up", "pg-seed", "pg-down", "pg-status"):
        e = sub.add_parser(name)
        e.add_argument("--dir", required=True)
        if name in ("pg-up", "pg-seed"):
            e.add_argument("--binary", required=True)
        if name == "pg-seed":
            e.add_argument("--conf", required=True)
    args = ap.parse_args(argv)
    if args.cmd == "render-nginx":
        print(render_nginx(os.path.abspath(args.prefix), os.path.abspath(args.socket),
                           os.path.abspath(args.static), listen=args.listen,
                           sso_origin=args.sso_origin))
    elif args.cmd == "render-config":
        print(render_config(args.out, config_settings(
            os.path.abspath(args.socket), workers=args.workers, max_body=args.max_body,
            shutdown_timeout=args.shutdown_timeout, log_level=args.log_level,
            public_url=args.public_url, database=args.database,
            extra=[tuple(kv.split("=", 1)) for kv in args.set]),
            header=args.header))
    elif args.cmd == "spawn":
        argv = args.argv[1:] if args.argv[:1] == ["--"] else args.argv
        with open(args.log, "ab") as log:
            p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                 start_new_session=True, preexec_fn=_default_signals)
        with open(args.pidfile, "w") as f:
            f.write("%d\n" % p.pid)
        print(p.pid)
    elif args.cmd == "socket-masters":
        for pid in unix_socket_masters(os.path.abspath(args.socket)):
            print(pid)
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
    elif args.cmd.startswith("pg-"):
        pg = Postgres(args.dir)
        try:
            if args.cmd == "pg-up":
                fresh = not pg.initialized()
                if fresh:
                    print("initdb %s" % pg.data, file=sys.stderr)
                pg.init()
                if not pg.running():
                    print("starting PostgreSQL (socket %s, log %s)" % (pg.socket_path, pg.log_path),
                          file=sys.stderr)
                    pg.start()
                else:
                    print("PostgreSQL already running (pid %d)" % pg.pid, file=sys.stderr)
                print(provision_database(pg, os.path.abspath(args.binary), verbose=True))
            elif args.cmd == "pg-seed":
                how = seed_domains(pg, os.path.abspath(args.binary), os.path.abspath(args.conf))
                n = pg.scalar("SELECT count(*) FROM domains", db=APP_DB)
                print("%s domains in the database (seeded with %s)" % (n, how), file=sys.stderr)
            elif args.cmd == "pg-demo":
                print("demo admin %s: site admin, admin of every domain"
                      % demo_fixtures(pg, args.sso_prefix), file=sys.stderr)
            elif args.cmd == "pg-tokens":
                print(pg.scalar("SELECT string_agg(name || ' ' || verification_token, E'\\n' "
                                "ORDER BY name) FROM domains", db=APP_DB))
            elif args.cmd == "pg-down":
                if pg.running():
                    print("stopping PostgreSQL (pid %d)" % pg.pid)
                    return 0 if pg.stop() == 0 else 1
            elif args.cmd == "pg-status":
                if not pg.running():
                    return 3
                print("running (pid %d, socket %s)" % (pg.pid, pg.socket_path))
        except PgError as e:
            print("%s: %s" % (args.cmd, e), file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
