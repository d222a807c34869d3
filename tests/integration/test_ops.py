#!/usr/bin/python3
"""membermail integration tests of the process manager: scaling (TTIN, TTOU, `ctl scale`), reload (HUP, `ctl reload`) with
requests in flight, with a broken config and with an alerts_lang the site
does not offer, the USR2 upgrade and its failure, max_requests recycling,
request_timeout, slow_request, crashes
and the crash-loop give-up, the status pages' numbers, the listen queue
of a unix socket, two `serve` instances behind one nginx upstream, and
`membermail ctl` (status, stop, reopen-logs, exit codes).

Not a runner of its own: tests/integration/run.py imports it (before
test_db.py, whose PostgreSQL outage test stays the last of the run).

These tests never touch the shared test server's pool: each starts
`membermail serve` instances of its own (Instance: own config, pid file
and log in the env's temp dir) on one of two sockets, ops-one.sock and
ops-two.sock, and stops them before it returns.  A private nginx
(ops_nginx) is in front of them on two ports: "one" (ops-one.sock, with
/status, /metrics and /ping to its status socket, from 127.0.0.1 only)
and "pair" (an upstream of both sockets, max_fails=3 fail_timeout=5s,
fastcgi_next_upstream error timeout).  Load is stack.Load: 8 client
threads, a fresh connection per request, bounded in time; every test
that runs it asserts its failed-request count (a failure is any answer
but 200, or no answer).  The test-hook routes of the ASan build
(--enable-test-hooks) make slow and crashing requests: GET
/_test/sleep?ms=N, GET /_test/crash, and MM_TEST_CRASH_AT_START=1.
"""

import grp
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time

import fcgi
import stack
from run import Fail, expect, show, test  # noqa: F401
from stack import http_request, wait_until

SHUTDOWN = 5            # shutdown_timeout of every instance
CLIENTS = 8             # load clients
NAMED = ("workers", "max_requests", "templates_dir", "log_level", "backlog",
         "shutdown_timeout", "max_body")


# ---------------------------------------------------------------- nginx in front

def sock_path(env, slot):
    return os.path.join(env.base, "ops-%s.sock" % slot)


def ops_nginx(env):
    """The private nginx of these tests (started once, stopped by run.py's
    cleanup with everything else); returns (port of "one", port of "pair")."""
    ng = getattr(env, "ops_nginx", None)
    if ng is not None and ng.proc.running():
        return env.ops_ports
    prefix = os.path.join(env.base, "nginx-ops")
    one, two = sock_path(env, "one"), sock_path(env, "two")
    ports = (stack.free_port(), stack.free_port())
    logs = os.path.join(prefix, "logs")
    sites = {
        "one": stack.fastcgi_pool_site("127.0.0.1:%d" % ports[0], "ops_one", [one],
                                       status_socket=stack.status_socket(one),
                                       log_path=os.path.join(logs, "one-access.log")),
        "pair": stack.fastcgi_pool_site("127.0.0.1:%d" % ports[1], "ops_pair", [one, two],
                                        log_path=os.path.join(logs, "pair-access.log")),
    }
    stack.render_nginx(prefix, one, env.static, extra_sites=sites)
    ng = stack.Nginx(prefix)
    code, out = ng.test_config()
    expect(code == 0, "nginx -t on the ops sites failed: %s", out)
    ng.start(list(ports))
    env.ops_nginx, env.ops_ports = ng, ports
    return ports


def port_one(env):
    return ops_nginx(env)[0]


# ---------------------------------------------------------------- instances

class Instance:
    """A `membermail serve` of a test: config ops-NAME.conf, pid file
    ops-NAME.pid, its output in the env's serve logs (for the sanitizer
    scan), on socket ops-SLOT.sock.  keys are config keys (None removes)."""

    def __init__(self, env, name, slot="one", **keys):
        self.env = env
        self.name = name
        self.sock = sock_path(env, slot)
        self.status_sock = stack.status_socket(self.sock)
        self.conf = os.path.join(env.base, "ops-%s.conf" % name)
        self.pid_file = os.path.join(env.base, "ops-%s.pid" % name)
        self.keys = {"workers": 2, "max_workers": 8, "shutdown_timeout": SHUTDOWN,
                     "pid_file": self.pid_file}
        self.srv = None
        self.write(**keys)
        if self.keys.get("log_file"):
            env.serve_logs.append(self.keys["log_file"])

    def write(self, extra_lines=(), **changes):
        """(Re)writes the config file; returns it as a list of lines."""
        self.keys.update(changes)
        keys = {k: v for k, v in self.keys.items() if v is not None}
        named = {k: v for k, v in keys.items() if k in NAMED}
        extra = [(k, str(v)) for k, v in keys.items() if k not in NAMED]
        stack.render_config(self.conf, stack.config_settings(
            self.sock, database=self.env.pg.conninfo(), extra=extra, **named),
            header="process-manager test instance %s" % self.name)
        if extra_lines:
            with open(self.conf, "a") as f:
                f.write("".join(line + "\n" for line in extra_lines))
        with open(self.conf) as f:
            return f.read().splitlines()

    def start(self, extra_env=None, ready=True):
        self.srv = self.env.new_server(conf=self.conf, sock=self.sock, workers=self.keys["workers"],
                                       tag="ops-" + self.name)
        self.srv.start(extra_env)
        if ready:
            try:
                self.srv.wait_ready(20)
            except RuntimeError as e:
                raise Fail("instance %s did not start: %s" % (self.name, e))
            self.wait_pool(self.keys["workers"])
            # The pid file is written once every worker accepts (a tick later).
            expect(wait_until(lambda: read_pid(self.pid_file) == self.srv.pid, 3),
                   "instance %s: pid file %s holds %s, want %d", self.name, self.pid_file,
                   read_pid(self.pid_file), self.srv.pid)
        return self

    @property
    def pid(self):
        return self.srv.pid

    def master(self):
        """The master in charge: the pid file's (after an upgrade), else ours."""
        pid = read_pid(self.pid_file)
        if pid and stack.alive(pid):
            return pid
        return self.srv.pid

    def workers(self):
        return stack.workers_of(self.master())

    def log(self):
        text = self.srv.output() if self.srv else ""
        lf = self.keys.get("log_file")
        if lf:
            for p in (lf + ".1", lf):
                try:
                    with open(p, errors="replace") as f:
                        text += f.read()
                except OSError:
                    pass
        return text

    def mark(self):
        return len(self.log())

    def since(self, mark):
        return self.log()[mark:]

    def wait_log(self, pattern, mark=0, timeout=5.0):
        """The first match of the regex pattern logged after mark, or Fail."""
        m = wait_until(lambda: re.search(pattern, self.since(mark)), timeout)
        expect(m, "instance %s: no log line matching %r within %.0fs; log tail:\n%s",
               self.name, pattern, timeout, "\n".join(self.since(mark).splitlines()[-15:]))
        return m

    def status(self, path="/status?json", remote="127.0.0.1", method="GET"):
        """A request to the status process, straight over FastCGI."""
        return fcgi.request(self.status_sock, fcgi.nginx_like_params(
            method, path, extra={"REMOTE_ADDR": remote}), timeout=5)

    def sjson(self, full=False):
        r = self.status("/status?json&full" if full else "/status?json")
        expect(r.complete and r.status == 200, "instance %s: /status?json: %s", self.name, show(r))
        return json.loads(r.body)

    def wait_pool(self, n, timeout=10.0):
        """n workers, every one of the current generation idle or busy, and
        n worker processes; returns their pids."""
        last = [None]

        def settled():
            j = self.sjson(full=True)
            pids = self.workers()
            last[0] = (j.get("workers wanted"), [(p["pid"], p["state"], p["generation"],
                                                   p.get("pool")) for p in j["processes"]], pids)
            # The FastCGI pool's (records say their pool when LMTP runs too).
            procs = [p for p in j["processes"] if p.get("pool", "membermail") == "membermail"]
            return (j["workers wanted"] == n and len(procs) == n and len(pids) == n
                    and all(p["state"] in ("Idle", "Running") and p["generation"] == j["generation"]
                            for p in procs)
                    and sorted(p["pid"] for p in procs) == pids) and pids
        pids = wait_until(settled, timeout, 0.05)
        expect(pids, "instance %s: pool did not settle at %d workers within %.0fs: "
               "(wanted, scoreboard, processes) = %s", self.name, n, timeout, last[0])
        return pids

    def stop(self):
        if self.srv is None:
            return
        pid = self.master()
        if pid != self.srv.pid and stack.alive(pid):     # a new master after USR2
            os.kill(pid, signal.SIGQUIT)
            wait_until(lambda: not stack.alive(pid), SHUTDOWN + 3)
        self.srv.stop(signal.SIGQUIT, SHUTDOWN + 3)     # also kills leftovers of the group


def read_pid(path):
    try:
        with open(path) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def ctl(env, inst, *args, timeout=30):
    """`membermail ctl -c CONF ARGS`: (exit status, stdout, stderr); the
    output is kept for the sanitizer scan."""
    argv = [env.binary, "ctl", "-c", inst.conf] + list(args)
    try:
        r = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, env=stack.sanitizer_env(), timeout=timeout)
    except subprocess.TimeoutExpired:
        raise Fail("ctl %s: still running after %ds" % (" ".join(args), timeout))
    out, err = r.stdout.decode("utf-8", "replace"), r.stderr.decode("utf-8", "replace")
    log = os.path.join(env.base, "ctl-%d.log" % (len(env.serve_logs) + 1))
    with open(log, "w") as f:
        f.write("$ %s\nexit %s\n--- stdout\n%s--- stderr\n%s" % (" ".join(argv), r.returncode, out, err))
    env.serve_logs.append(log)
    return r.returncode, out, err


class Bg(threading.Thread):
    """fn() in a thread: .result, .error, .took."""

    def __init__(self, fn):
        super().__init__(daemon=True)
        self.fn = fn
        self.result = self.error = self.took = None

    def run(self):
        t0 = time.monotonic()
        try:
            self.result = self.fn()
        except Exception as e:
            self.error = e
        self.took = time.monotonic() - t0

    def go(self):
        self.start()
        return self

    def outcome(self, timeout):
        self.join(timeout)
        if self.is_alive():
            return "still running after %.0fs" % timeout
        return self.error if self.error is not None else self.result


def sleeper(port, ms):
    """GET /_test/sleep?ms=MS through nginx, in the background."""
    return Bg(lambda: http_request(port, "GET", "/_test/sleep?ms=%d" % ms, timeout=30)).go()


def wait_running(inst, uri, n, timeout=5.0):
    """n workers serving `uri` (a path) now, per the scoreboard."""
    last = [None]

    def busy():
        procs = inst.sjson(full=True)["processes"]
        last[0] = [(p["pid"], p["state"], p["request uri"]) for p in procs]
        return len([p for p in procs if p["state"] == "Running" and p["request uri"] == uri]) >= n
    expect(wait_until(busy, timeout), "instance %s: %d workers never ran %s at once: %s",
           inst.name, n, uri, last[0])


def check_load(load, what, least=20):
    bad = load.failures()
    print("    load %s: %s" % (what, load.summary()))
    expect(not bad, "%s: %d of %d requests failed: %s", what, len(bad), len(load.results), bad[:10])
    expect(len(load.results) >= least, "%s: only %d requests under load", what, len(load.results))


def text_fields(body):
    """php-fpm style 'label:   value' lines of the pool part of /status."""
    out = {}
    for line in body.decode().split("\n\n*")[0].splitlines():
        m = re.match(r"^([a-z ]+):\s+(.*)$", line)
        if m:
            out[m.group(1)] = m.group(2)
    return out


METRIC_LINE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (-?[0-9.]+(?:[eE][+-]?[0-9]+)?)$")


def parse_metrics(text):
    """Prometheus text format 0.0.4, strictly: HELP and TYPE before each
    metric's samples, every other line a sample; {name: value}."""
    values, helped, typed = {}, set(), {}
    for line in text.splitlines():
        if line.startswith("# HELP "):
            helped.add(line.split()[2])
            continue
        if line.startswith("# TYPE "):
            parts = line.split()
            expect(len(parts) == 4 and parts[3] in ("counter", "gauge", "untyped", "summary", "histogram"),
                   "/metrics: bad TYPE line %r", line)
            typed[parts[2]] = parts[3]
            continue
        m = METRIC_LINE.match(line)
        expect(m, "/metrics: not a sample line: %r", line)
        name = m.group(1)
        expect(name in helped and name in typed, "/metrics: %s has no HELP/TYPE before it", name)
        expect(name not in values, "/metrics: %s twice", name)
        if typed[name] == "counter":
            expect(name.endswith("_total"), "/metrics: counter %s does not end in _total", name)
        values[name] = float(m.group(3))
    return values


# ---------------------------------------------------------------- scaling

@test
def ops_ttin_ttou_scale_under_load(env):
    port = port_one(env)
    inst = Instance(env, "scale", workers=2, max_workers=4).start()
    load = None
    try:
        load = stack.Load(port, clients=CLIENTS, max_seconds=30).start()
        time.sleep(0.3)

        def signal_and_wait(sig, want):
            before = inst.sjson()["workers wanted"]
            os.kill(inst.pid, sig)
            expect(wait_until(lambda: inst.sjson()["workers wanted"] == want, 3),
                   "%s with %d wanted: workers wanted %s, want %d", signal.Signals(sig).name, before,
                   inst.sjson()["workers wanted"], want)
            inst.wait_pool(want)

        def refused(sig, wanted, bad):
            m = inst.mark()
            os.kill(inst.pid, sig)
            inst.wait_log(r"event=scale_refused workers=%d bounds=1\.\.4" % bad, m, 3)
            time.sleep(0.6)         # a tick or two: nothing moves
            expect(inst.sjson()["workers wanted"] == wanted, "refused %s moved the target to %s",
                   signal.Signals(sig).name, inst.sjson()["workers wanted"])
            expect(len(inst.workers()) == wanted, "after a refused %s: %d workers, want %d",
                   signal.Signals(sig).name, len(inst.workers()), wanted)

        signal_and_wait(signal.SIGTTIN, 3)
        signal_and_wait(signal.SIGTTIN, 4)
        refused(signal.SIGTTIN, 4, 5)               # max_workers = 4
        for want in (3, 2, 1):
            signal_and_wait(signal.SIGTTOU, want)
        refused(signal.SIGTTOU, 1, 0)               # never below 1
        code, out, err = ctl(env, inst, "scale", "3")
        expect(code == 0, "ctl scale 3: exit %s: %s %s", code, out, err)
        expect("scaled to 3 workers (was 1)" in out, "ctl scale 3 said %r", out)
        expect(len(inst.workers()) == 3, "ctl scale 3 returned with %d workers", len(inst.workers()))
        j = inst.sjson()
        expect(j["workers wanted"] == 3 and j["total processes"] == 3,
               "after ctl scale 3: wanted %s, total %s", j["workers wanted"], j["total processes"])
        for n in ("5", "0", "x"):
            code, out, err = ctl(env, inst, "scale", n)
            expect(code == 2, "ctl scale %s (max_workers 4): exit %s, want 2: %s %s", n, code, out, err)
        expect(inst.sjson()["workers wanted"] == 3, "a refused ctl scale moved the target")
        code, out, err = ctl(env, inst, "scale", "2")
        expect(code == 0 and "scaled to 2 workers (was 3)" in out, "ctl scale 2: exit %s: %s %s",
               code, out, err)
        load.stop()
        check_load(load, "TTIN/TTOU/ctl scale", least=100)
    finally:
        if load:
            load.stop()
        inst.stop()


# ---------------------------------------------------------------- reload

@test
def ops_hup_reload_with_requests_in_flight(env):
    port = port_one(env)
    inst = Instance(env, "hup", workers=3, slow_request=5000).start()
    load = None
    try:
        old = inst.workers()
        expect(inst.sjson()["generation"] == 1, "generation before the reload")
        load = stack.Load(port, clients=CLIENTS, max_seconds=30).start()
        slow = [sleeper(port, 1500) for _ in range(2)]
        wait_running(inst, "/_test/sleep", 2)
        inst.write(workers=4, slow_request=1000)
        m = inst.mark()
        os.kill(inst.pid, signal.SIGHUP)
        inst.wait_log(r"event=reload generation=2 workers=4", m, 3)
        for i, s in enumerate(slow):
            r = s.outcome(10)
            expect(isinstance(r, stack.Response) and r.status == 200 and r.body == b"slept\n",
                   "slow request %d in flight across the reload: %s", i + 1,
                   show(r) if isinstance(r, stack.Response) else r)
        gone = wait_until(lambda: not [p for p in old if stack.alive(p)], 5)
        expect(gone, "old generation's workers still alive 5 s after the reload: %s",
               [p for p in old if stack.alive(p)])
        new = inst.wait_pool(4)
        expect(not set(new) & set(old), "workers of both generations: old %s new %s", old, new)
        j = inst.sjson(full=True)
        expect(j["generation"] == 2 and all(p["generation"] == 2 for p in j["processes"]),
               "after the reload: generation %s, workers' %s", j["generation"],
               [p["generation"] for p in j["processes"]])
        # The two 1.5 s requests ran in old workers under slow_request 5000.
        expect(j["slow requests"] == 0, "slow requests %s before any request over the new threshold",
               j["slow requests"])
        m = inst.mark()
        r = http_request(port, "GET", "/_test/sleep?ms=1100", timeout=10)
        expect(r.status == 200, "GET /_test/sleep?ms=1100 after the reload: %s", show(r))
        line = inst.wait_log(r"event=slow_request method=\"GET\" path=\"/_test/sleep\" ms=(\d+)", m, 3)
        expect(int(line.group(1)) >= 1100, "slow_request ms=%s", line.group(1))
        expect(wait_until(lambda: inst.sjson()["slow requests"] == 1, 2),
               "slow requests %s, want 1 (new slow_request 1000 in effect)", inst.sjson()["slow requests"])
        # ctl reload: back to 2 workers, generation 3.
        before = inst.workers()
        inst.write(workers=2)
        code, out, err = ctl(env, inst, "reload")
        expect(code == 0, "ctl reload: exit %s: %s %s", code, out, err)
        expect("reloaded: generation 3, 2 workers" in out, "ctl reload said %r", out)
        expect(not [p for p in before if stack.alive(p)], "ctl reload returned with old workers alive: %s",
               [p for p in before if stack.alive(p)])
        inst.wait_pool(2)
        expect(inst.sjson()["generation"] == 3, "generation after ctl reload: %s", inst.sjson()["generation"])
        load.stop()
        check_load(load, "HUP with requests in flight", least=100)
    finally:
        if load:
            load.stop()
        inst.stop()


@test
def ops_hup_broken_config_refused(env):
    port = port_one(env)
    inst = Instance(env, "badhup", workers=2).start()
    load = None
    try:
        pids = inst.workers()
        load = stack.Load(port, clients=CLIENTS, max_seconds=30).start()
        lines = inst.write(extra_lines=["workers = lots"])
        lineno = len(lines)
        m = inst.mark()
        os.kill(inst.pid, signal.SIGHUP)
        line = inst.wait_log(r"event=reload_refused msg=.*", m, 3).group(0)
        expect("%s:%d" % (inst.conf, lineno) in line, "reload_refused does not name %s:%d: %r",
               inst.conf, lineno, line)
        time.sleep(0.6)
        j = inst.sjson()
        expect(inst.workers() == pids, "workers changed after a refused reload: %s -> %s", pids, inst.workers())
        expect(j["generation"] == 1 and j["workers wanted"] == 2,
               "after a refused reload: generation %s, wanted %s", j["generation"], j["workers wanted"])
        # Templates are checked too.
        inst.write(templates_dir=os.path.join(env.base, "no-such-templates"))
        m = inst.mark()
        os.kill(inst.pid, signal.SIGHUP)
        line = inst.wait_log(r"event=reload_refused msg=.*", m, 3).group(0)
        expect("no-such-templates" in line, "reload_refused for a missing templates_dir: %r", line)
        time.sleep(0.6)
        expect(inst.workers() == pids and inst.sjson()["generation"] == 1,
               "a reload with missing templates changed the pool")
        # ctl reload refuses a broken file itself and sends nothing.
        lines = inst.write(templates_dir=None, extra_lines=["max_requests = -5"])
        lineno = len(lines)
        m = inst.mark()
        code, out, err = ctl(env, inst, "reload")
        expect(code == 1, "ctl reload with a broken config: exit %s, want 1: %s %s", code, out, err)
        expect("reload refused" in err and "%s:%d" % (inst.conf, lineno) in err,
               "ctl reload's message lacks 'reload refused' and %s:%d: %r", inst.conf, lineno, err)
        time.sleep(0.7)
        expect("event=reload" not in inst.since(m), "the master heard of a reload ctl refused: %r",
               inst.since(m)[-500:])
        expect(inst.workers() == pids and inst.sjson()["generation"] == 1, "pool changed")
        r = http_request(port, "GET", "/healthz")
        expect(r.status == 200, "GET /healthz after the refused reloads: %s", show(r))
        load.stop()
        check_load(load, "refused reloads", least=100)
        # Fixed: it reloads again.
        inst.write()
        code, out, err = ctl(env, inst, "reload")
        expect(code == 0 and "generation 2" in out, "ctl reload of the fixed file: exit %s: %s %s",
               code, out, err)
    finally:
        if load:
            load.stop()
        inst.stop()


@test
def ops_hup_alerts_lang_refused(env):
    """A reload whose alerts_lang is a well-formed tag the site offers no
    catalogue for (de) is refused with that reason: the running config
    (alerts_lang = fi) keeps its generation and workers, the site answers,
    and the same file with a language the site offers reloads."""
    port = port_one(env)
    inst = Instance(env, "langhup", workers=2, alerts_lang="fi").start()
    try:
        pids = inst.workers()
        inst.write(alerts_lang="de")
        m = inst.mark()
        os.kill(inst.pid, signal.SIGHUP)
        line = inst.wait_log(r"event=reload_refused msg=.*", m, 3).group(0)
        expect("alerts_lang: de is not a language this site offers (en, fi;" in line,
               "reload_refused does not say why alerts_lang = de is refused: %r", line)
        time.sleep(0.6)
        j = inst.sjson()
        expect(inst.workers() == pids and j["generation"] == 1,
               "after a refused reload: workers %s -> %s, generation %s", pids, inst.workers(),
               j["generation"])
        r = http_request(port, "GET", "/healthz")
        expect(r.status == 200, "GET /healthz after the refused reload: %s", show(r))
        inst.write(alerts_lang="en")
        m = inst.mark()
        os.kill(inst.pid, signal.SIGHUP)
        inst.wait_log(r"event=reload generation=2 ", m, 3)
        inst.wait_pool(2)
    finally:
        inst.stop()


# ---------------------------------------------------------------- upgrade

@test
def ops_usr2_upgrade_under_load(env):
    port = port_one(env)
    inst = Instance(env, "usr2", workers=2).start()
    load = None
    try:
        old_pid, old_workers = inst.pid, inst.workers()
        old_status = stack.status_process_of(old_pid)
        expect(old_status, "the master has no status process")
        expect(read_pid(inst.pid_file) == old_pid, "pid file %s holds %s, want %d",
               inst.pid_file, read_pid(inst.pid_file), old_pid)
        st = os.stat(inst.sock)
        load = stack.Load(port, clients=CLIENTS, max_seconds=30).start()
        time.sleep(0.3)
        m = inst.mark()
        os.kill(old_pid, signal.SIGUSR2)
        code = inst.srv.proc.wait(15)
        t_gone = time.monotonic()
        expect(code is not None, "the old master still runs 15 s after USR2")
        expect(code == 0, "the old master exited %s after handing over", code)
        new_pid = read_pid(inst.pid_file)
        expect(new_pid and new_pid != old_pid and stack.alive(new_pid),
               "pid file after the upgrade holds %s (old master %d)", new_pid, old_pid)
        with open("/proc/%d/cmdline" % new_pid, "rb") as f:
            expect(b"membermail" in f.read(), "pid %d is not membermail", new_pid)
        expect(not os.path.exists(inst.pid_file + ".oldbin"), "%s.oldbin still there", inst.pid_file)
        expect(os.path.exists(inst.sock) and os.stat(inst.sock).st_ino == st.st_ino,
               "the socket file was removed or replaced by the upgrade")
        expect(not [p for p in old_workers + [old_status] if stack.alive(p)],
               "old workers or status process alive: %s", [p for p in old_workers + [old_status]
                                                            if stack.alive(p)])
        new_workers = stack.workers_of(new_pid)
        expect(len(new_workers) == 2 and not set(new_workers) & set(old_workers),
               "the new master's workers: %s (old %s)", new_workers, old_workers)
        expect(stack.status_process_of(new_pid), "the new master has no status process")
        log = inst.since(m)
        for pat in (r"pid=%d event=upgrade_started new_master=%d" % (old_pid, new_pid),
                    r"pid=%d event=sockets_inherited old_master=%d" % (new_pid, old_pid),
                    r"pid=%d event=upgrade_complete old_master=%d" % (new_pid, old_pid),
                    r"pid=%d event=stopping mode=graceful timeout=\d+s handover=yes" % old_pid):
            expect(re.search(pat, log), "no log line %r after USR2:\n%s", pat, log[-1500:])
        code, out, err = ctl(env, inst, "status")
        expect(code == 0 and re.search(r"(?m)^master pid:\s+%d$" % new_pid, out),
               "ctl status after the upgrade: exit %s: %s %s", code, out, err)
        time.sleep(0.5)
        load.stop()
        check_load(load, "USR2", least=100)
        expect(load.count(since=t_gone) > 0, "no request served after the old master left")
        r = http_request(port, "GET", "/healthz")
        expect(r.status == 200, "GET /healthz from the new master: %s", show(r))
    finally:
        if load:
            load.stop()
        inst.stop()


@test
def ops_usr2_failed_upgrade_keeps_old_master(env):
    port = port_one(env)
    inst = Instance(env, "usr2fail", workers=2).start()
    load = None
    try:
        pid, workers = inst.pid, inst.workers()
        load = stack.Load(port, clients=CLIENTS, max_seconds=30).start()
        time.sleep(0.2)
        # The new master reads the config as it is on disk: it cannot start.
        inst.write(templates_dir=os.path.join(env.base, "no-such-templates"))
        m = inst.mark()
        os.kill(pid, signal.SIGUSR2)
        line = inst.wait_log(r"pid=%d event=upgrade_failed new_master=(\d+) status=1 " % pid, m, 15)
        new_pid = int(line.group(1))
        expect(new_pid != pid, "upgrade_failed names the old master")
        expect("no-such-templates" in inst.since(m), "the new master did not say why it failed")
        expect(wait_until(lambda: read_pid(inst.pid_file) == pid, 2),
               "pid file holds %s after the failed upgrade, want %d", read_pid(inst.pid_file), pid)
        expect(not os.path.exists(inst.pid_file + ".oldbin"), ".oldbin left after the failed upgrade")
        expect(inst.srv.proc.running() and inst.workers() == workers,
               "the old master or its workers changed: running %s, workers %s -> %s",
               inst.srv.proc.running(), workers, inst.workers())
        expect(not stack.alive(new_pid), "the failed new master %d still runs", new_pid)
        r = http_request(port, "GET", "/healthz")
        expect(r.status == 200, "GET /healthz after the failed upgrade: %s", show(r))
        load.stop()
        check_load(load, "failed USR2", least=50)
        inst.write(templates_dir=None)
        code, out, err = ctl(env, inst, "status")
        expect(code == 0 and "an upgrade is under way" not in out and
               re.search(r"(?m)^master pid:\s+%d$" % pid, out),
               "ctl status after the failed upgrade: exit %s: %s %s", code, out, err)
    finally:
        if load:
            load.stop()
        inst.stop()


# ---------------------------------------------------------------- worker lifecycle

@test
def ops_max_requests_recycling(env):
    port = port_one(env)
    inst = Instance(env, "recycle", workers=2, max_requests=20).start()
    try:
        first = inst.workers()
        m = inst.mark()
        load = stack.Load(port, clients=4, requests=200, max_seconds=30).start().wait()
        check_load(load, "200 requests, max_requests 20", least=200)
        expect(len(load.results) == 200, "%d requests sent, want 200", len(load.results))
        inst.wait_pool(2)
        log = inst.since(m)
        exits = re.findall(r"event=worker_exit worker=(\d+) status=0 ", log)
        served = {}
        for pid in re.findall(r"pid=(\d+) event=request ", log):
            served[pid] = served.get(pid, 0) + 1
        counts = [served.get(p, 0) for p in exits]
        print("    %d workers recycled after %s requests" % (len(exits), counts))
        expect(len(exits) >= 7, "only %d worker exits with status 0 after 200 requests at max_requests 20",
               len(exits))
        expect(all(18 <= n <= 22 for n in counts), "a recycled worker served %s requests, want 18..22 "
               "(20 +- 10 %%)", counts)
        expect(len(set(counts)) > 1, "every worker served %s: no jitter", counts)
        expect(not [p for p in first if stack.alive(p)], "first workers %s never recycled", first)
        expect(not re.search(r"event=worker_exit worker=\d+ (signal|status=[1-9])", log),
               "a worker exited badly: %s", re.findall(r".*event=worker_exit.*", log))
        j = inst.sjson(full=True)
        expect(j["crashes"] == 0, "crashes %s after recycling", j["crashes"])
        expect(all(p["requests"] <= 22 for p in j["processes"]), "a worker past its budget: %s",
               [(p["pid"], p["requests"]) for p in j["processes"]])
    finally:
        inst.stop()


@test
def ops_request_timeout_kills_worker(env):
    port = port_one(env)
    inst = Instance(env, "timeout", workers=2, request_timeout=2).start()
    load = None
    try:
        j0 = inst.sjson()
        load = stack.Load(port, clients=CLIENTS, max_seconds=30).start()
        m = inst.mark()
        t0 = time.monotonic()
        r = http_request(port, "GET", "/_test/sleep?ms=10000", timeout=15)
        took = time.monotonic() - t0
        expect(r.status == 502, "a request killed at request_timeout: want nginx's 502, got %s", show(r))
        expect(1.9 <= took <= 4.0, "the stuck request ended after %.1fs (request_timeout 2)", took)
        line = inst.wait_log(r"level=warn pid=%d event=request_timeout worker=(\d+) method=\"GET\" "
                             r"path=\"/_test/sleep\" elapsed=(\d+\.\d+)s" % inst.pid, m, 2)
        victim, elapsed = int(line.group(1)), float(line.group(2))
        expect(2.0 <= elapsed < 3.5, "request_timeout elapsed=%.3fs", elapsed)
        inst.wait_log(r"event=worker_exit worker=%d signal=KILL " % victim, m, 2)
        load.stop()
        check_load(load, "request_timeout", least=50)
        pids = inst.wait_pool(2)
        expect(victim not in pids, "killed worker %d still listed", victim)
        j = inst.sjson()
        expect(j["killed by timeout"] == j0["killed by timeout"] + 1,
               "killed by timeout %s -> %s, want +1", j0["killed by timeout"], j["killed by timeout"])
        expect(j["crashes"] == j0["crashes"], "a timeout kill counted as a crash: %s -> %s",
               j0["crashes"], j["crashes"])
        text = text_fields(inst.status("/status").body)
        expect(text.get("killed by timeout") == str(j["killed by timeout"]), "text page: %s", text)
        expect(len(re.findall(r"event=request_timeout", inst.since(m))) == 1, "more than one timeout logged")
        print("    killed after %.1fs, logged elapsed=%.3fs" % (took, elapsed))
    finally:
        if load:
            load.stop()
        inst.stop()


@test
def ops_slow_requests_counted(env):
    port = port_one(env)
    inst = Instance(env, "slow", workers=3, slow_request=400).start()
    try:
        s0 = inst.sjson()["slow requests"]
        m = inst.mark()
        reqs = [sleeper(port, 600) for _ in range(3)] + [sleeper(port, 50) for _ in range(2)]
        for _ in range(5):
            r = http_request(port, "GET", "/healthz")
            expect(r.status == 200, "GET /healthz: %s", show(r))
        for s in reqs:
            r = s.outcome(10)
            expect(isinstance(r, stack.Response) and r.status == 200, "sleep request: %s", r)
        expect(wait_until(lambda: inst.sjson()["slow requests"] == s0 + 3, 2),
               "slow requests %s -> %s, want +3", s0, inst.sjson()["slow requests"])
        time.sleep(0.3)
        lines = re.findall(r"event=slow_request method=\"GET\" path=\"([^\"]*)\" ms=(\d+)", inst.since(m))
        expect(len(lines) == 3, "want 3 slow_request lines, got %s", lines)
        expect(all(p == "/_test/sleep" and int(ms) >= 600 for p, ms in lines), "slow_request lines: %s", lines)
        vals = parse_metrics(inst.status("/metrics").body.decode())
        expect(vals.get("membermail_slow_requests_total") == s0 + 3, "/metrics slow requests: %s",
               vals.get("membermail_slow_requests_total"))
    finally:
        inst.stop()


@test
def ops_crash_counted_and_replaced(env):
    port = port_one(env)
    inst = Instance(env, "crash", workers=2).start()
    try:
        c0 = inst.sjson()["crashes"]
        m = inst.mark()
        r = http_request(port, "GET", "/_test/crash", timeout=10)
        expect(r.status == 502, "GET /_test/crash through nginx: want 502, got %s", show(r))
        line = inst.wait_log(r"event=worker_exit worker=(\d+) signal=ABRT", m, 3)
        victim = int(line.group(1))
        expect(wait_until(lambda: inst.sjson()["crashes"] == c0 + 1, 2), "crashes %s -> %s, want +1",
               c0, inst.sjson()["crashes"])
        pids = inst.wait_pool(2)
        expect(victim not in pids, "crashed worker %d still listed", victim)
        r = http_request(port, "GET", "/healthz")
        expect(r.status == 200, "GET /healthz after a crash: %s", show(r))
        vals = parse_metrics(inst.status("/metrics").body.decode())
        expect(vals.get("membermail_crashes_total") == c0 + 1, "/metrics crashes: %s", vals)
    finally:
        inst.stop()


@test
def ops_crash_loop_gives_up(env):
    inst = Instance(env, "crashloop", workers=1, crash_limit=4, crash_interval=60)
    try:
        t0 = time.monotonic()
        inst.start(extra_env={"MM_TEST_CRASH_AT_START": "1"}, ready=False)
        code = inst.srv.proc.wait(15)
        took = time.monotonic() - t0
        log = inst.log()
        expect(code is not None, "the master still runs 15 s into a crash loop:\n%s", log[-1500:])
        expect(code == 1, "exit status %s after giving up, want 1:\n%s", code, log[-1500:])
        backoff = [(int(n), float(d)) for n, d in
                   re.findall(r"event=respawn_backoff crashes=(\d+) delay=(\d+\.\d+)s", log)]
        delays = [d for _, d in backoff]
        print("    gave up after %.1fs; back-off delays %s" % (took, delays))
        expect(len(backoff) >= 3, "only %d respawn_backoff lines: %s", len(backoff), backoff)
        expect([n for n, _ in backoff] == list(range(1, len(backoff) + 1)),
               "back-off crash counts %s", backoff)
        expect(all(a < b for a, b in zip(delays, delays[1:])), "back-off delays do not grow: %s", delays)
        g = re.search(r"level=error pid=%d event=giving_up crashes=4 interval=60s" % inst.pid, log)
        expect(g, "no 'event=giving_up crashes=4 interval=60s' line:\n%s", log[-1500:])
        expect(log.index("event=respawn_backoff") < g.start(), "gave up before any back-off")
        expect(len(re.findall(r"event=worker_exit worker=\d+ signal=ABRT", log)) == 4,
               "want 4 crashed workers: %s", re.findall(r".*event=worker_exit.*", log))
        expect(took < 10, "giving up took %.1fs", took)
        expect(not os.path.exists(inst.sock), "socket %s left after giving up", inst.sock)
        expect(not os.path.exists(inst.status_sock), "status socket left after giving up")
        expect(not os.path.exists(inst.pid_file), "pid file left after giving up")
        expect(not inst.srv.proc.group(), "processes left after giving up: %s", inst.srv.proc.group())
    finally:
        inst.stop()


# ---------------------------------------------------------------- status pages

@test
def ops_status_numbers_exact(env):
    port = port_one(env)
    inst = Instance(env, "status", workers=2).start()
    try:
        j0 = inst.sjson()
        t0 = text_fields(inst.status("/status").body)
        expect(t0.get("accepted conn") == str(j0["accepted conn"]), "text accepted %r, JSON %s",
               t0.get("accepted conn"), j0["accepted conn"])
        for key in ("pool", "process manager", "start time", "start since", "accepted conn", "listen queue",
                    "max listen queue", "listen queue len", "idle processes", "active processes",
                    "total processes", "max active processes", "max children reached", "slow requests",
                    "killed by timeout", "crashes", "generation", "workers wanted"):
            expect(key in t0 and key in j0, "/status lacks %r: text %s json %s", key, sorted(t0), sorted(j0))
        K = 25
        for i in range(K):
            r = http_request(port, "GET", "/healthz")
            expect(r.status == 200, "request %d: %s", i, show(r))
        # Status requests in between count for nothing (a socket of their own).
        for _ in range(5):
            inst.status("/status?json")
            http_request(port, "GET", "/status")

        def settled():
            j = inst.sjson(full=True)
            return j if sum(p["requests"] for p in j["processes"]) == j["accepted conn"] else None
        j1 = wait_until(settled, 2)
        expect(j1, "?full: the workers' requests never summed to accepted conn: %s", inst.sjson(full=True))
        expect(j1["accepted conn"] == j0["accepted conn"] + K, "accepted conn %s -> %s after %d requests",
               j0["accepted conn"], j1["accepted conn"], K)
        procs = j1["processes"]
        expect(sorted(p["pid"] for p in procs) == inst.workers(), "?full pids %s, workers %s",
               [p["pid"] for p in procs], inst.workers())
        for p in procs:
            expect(p["state"] == "Idle" and p["request method"] == "GET" and p["request uri"] == "/healthz"
                   and p["rss"] > 0 and p["generation"] == 1, "?full record %s", p)
        text = inst.status("/status?full").body.decode()
        expect(sorted(int(x) for x in re.findall(r"(?m)^pid:\s+(\d+)$", text)) == inst.workers(),
               "text ?full pids: %s", text)
        tf = text_fields(text.encode())
        expect(tf.get("accepted conn") == str(j1["accepted conn"]), "text accepted %s", tf.get("accepted conn"))
        r = inst.status("/metrics")
        expect(r.status == 200 and (r.header("Content-Type") or "").startswith("text/plain; version=0.0.4"),
               "/metrics: %s", show(r))
        vals = parse_metrics(r.body.decode())
        for name, want in (("membermail_accepted_connections_total", j1["accepted conn"]),
                           ("membermail_up", 1), ("membermail_workers_wanted", 2),
                           ("membermail_idle_processes", 2), ("membermail_active_processes", 0),
                           ("membermail_total_processes", 2), ("membermail_crashes_total", 0)):
            expect(vals.get(name) == want, "/metrics %s = %s, want %s", name, vals.get(name), want)
        expect(inst.sjson()["accepted conn"] == j1["accepted conn"], "accepted moved without app requests")
        # /ping, access control, methods.
        r = http_request(port, "GET", "/ping")
        expect(r.status == 200 and r.body == b"pong\n", "GET /ping through nginx: %s", show(r))
        r = inst.status("/ping", remote="10.1.2.3")
        expect(r.status == 200 and r.body == b"pong\n", "/ping from 10.1.2.3: %s", show(r))
        for path in ("/status", "/status?json", "/status?full", "/metrics"):
            r = inst.status(path, remote="10.1.2.3")
            expect(r.complete and r.status == 403, "%s from 10.1.2.3 (not in status_allow): %s", path, show(r))
        r = inst.status("/nope")
        expect(r.status == 404, "/nope on the status socket: %s", show(r))
        r = inst.status("/status", method="POST")
        expect(r.status == 405 and r.header("Allow") == "GET, HEAD", "POST /status: %s", show(r))
        # The production snippet on the shared nginx: loopback only.
        env.ensure_server()
        r = env.get("/status", source="127.0.0.2")
        expect(r.status == 403 and b"nginx" in r.body, "GET /status from 127.0.0.2: want nginx's 403, got %s",
               show(r))
        r = env.get("/metrics", source="127.0.0.2")
        expect(r.status == 403, "GET /metrics from 127.0.0.2: %s", show(r))
        r = env.get("/status")
        expect(r.status == 200 and b"accepted conn:" in r.body, "GET /status from 127.0.0.1: %s", show(r))
        r = env.get("/ping")
        expect(r.status == 200 and r.body == b"pong\n", "GET /ping from 127.0.0.1: %s", show(r))
    finally:
        inst.stop()


@test
def ops_status_while_every_worker_busy(env):
    port = port_one(env)
    inst = Instance(env, "busy", workers=2).start()
    try:
        slow = [sleeper(port, 2500) for _ in range(2)]
        wait_running(inst, "/_test/sleep", 2)
        queued = Bg(lambda: http_request(port, "GET", "/healthz", timeout=10)).go()
        t0 = time.monotonic()
        r = http_request(port, "GET", "/status", timeout=5)
        took = time.monotonic() - t0
        expect(r.status == 200, "GET /status with every worker busy: %s", show(r))
        expect(took < 1.0, "GET /status took %.2fs with every worker busy", took)
        f = text_fields(r.body)
        expect(f.get("active processes") == "2" and f.get("idle processes") == "0",
               "every worker busy, the page says active %s idle %s", f.get("active processes"),
               f.get("idle processes"))

        def queue():
            j = json.loads(http_request(port, "GET", "/status?json", timeout=5).body)
            return j if j["listen queue"] >= 1 else None
        j = wait_until(queue, 1.5)
        expect(j, "the request waiting for a worker is not in listen queue")
        expect(j["max listen queue"] >= j["listen queue"], "max listen queue %s < listen queue %s",
               j["max listen queue"], j["listen queue"])
        expect(wait_until(lambda: inst.sjson()["max children reached"] >= 1, 1.5),
               "max children reached stays 0 with every worker busy")
        print("    /status answered in %.3fs with every worker busy (queue %d)" % (took, j["listen queue"]))
        for s in slow + [queued]:
            r = s.outcome(10)
            expect(isinstance(r, stack.Response) and r.status == 200, "request: %s", r)
    finally:
        inst.stop()


@test
def ops_listen_queue_unix_socket(env):
    inst = Instance(env, "queue", workers=1, backlog=64).start()
    conns = []
    try:
        p = fcgi.nginx_like_params("GET", "/_test/sleep?ms=2500")
        slow = Bg(lambda: fcgi.request(inst.sock, p, timeout=10)).go()
        wait_running(inst, "/_test/sleep", 1)
        N = 6
        for _ in range(N):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(2)
            s.connect(inst.sock)
            conns.append(s)
        j = inst.sjson()
        expect(j["listen queue"] >= N - 1, "listen queue %s with %d connections waiting", j["listen queue"], N)
        expect(j["max listen queue"] >= j["listen queue"], "max listen queue %s < listen queue %s",
               j["max listen queue"], j["listen queue"])
        expect(j["listen queue len"] == 64, "listen queue len %s, backlog 64", j["listen queue len"])
        f = text_fields(inst.status("/status").body)
        expect(int(f["listen queue"]) >= N - 1, "text listen queue %s", f["listen queue"])
        vals = parse_metrics(inst.status("/metrics").body.decode())
        expect(vals.get("membermail_listen_queue", -1) >= N - 1, "/metrics listen queue %s",
               vals.get("membermail_listen_queue"))
        for s in conns:
            s.close()
        conns = []
        r = slow.outcome(10)
        expect(isinstance(r, fcgi.Response) and r.status == 200, "the sleeping request: %s", r)
        expect(wait_until(lambda: inst.sjson()["listen queue"] == 0, 3), "listen queue never drained: %s",
               inst.sjson()["listen queue"])
        expect(inst.sjson()["max listen queue"] >= N - 1, "max listen queue forgot the peak")
        print("    listen queue %d with %d waiting (max %d, len %d)" % (j["listen queue"], N,
                                                                       j["max listen queue"],
                                                                       j["listen queue len"]))
    finally:
        for s in conns:
            s.close()
        inst.stop()


# ---------------------------------------------------------------- two instances

@test
def ops_two_instances_one_stops_under_load(env):
    _, pair = ops_nginx(env)
    a = Instance(env, "pair-a", slot="one", workers=2).start()
    b = Instance(env, "pair-b", slot="two", workers=2).start()
    access = os.path.join(env.ops_nginx.prefix, "logs", "pair-access.log")
    load = None
    try:
        with open(access, "ab"):
            pass
        start = os.path.getsize(access)
        load = stack.Load(pair, clients=CLIENTS, max_seconds=30).start()
        time.sleep(0.8)
        os.kill(a.pid, signal.SIGQUIT)
        code = a.srv.proc.wait(SHUTDOWN + 3)
        t_gone = time.monotonic()
        expect(code == 0, "instance a exit status %s after QUIT", code)
        time.sleep(1.0)
        load.stop()
        check_load(load, "one of two instances stopped", least=100)
        expect(load.count(since=t_gone) > 0, "nothing served after instance a left")
        with open(access, errors="replace") as f:
            f.seek(start)
            lines = f.read().splitlines()
        retried = [ln for ln in lines if re.search(r'us="[^"]*, ', ln)]
        both = {s for s in (a.sock, b.sock) if any(s in ln for ln in lines)}
        print("    %d requests through nginx, %d retried on the other instance" % (len(lines), len(retried)))
        expect(both == {a.sock, b.sock}, "the upstream did not use both instances: %s", both)
        expect(not [ln for ln in lines if re.search(r'" 5\d\d ', ln)], "nginx answered 5xx: %s",
               [ln for ln in lines if re.search(r'" 5\d\d ', ln)][:5])
        r = http_request(pair, "GET", "/healthz")
        expect(r.status == 200, "GET /healthz with one instance left: %s", show(r))
    finally:
        if load:
            load.stop()
        a.stop()
        b.stop()


# ---------------------------------------------------------------- membermail ctl

@test
def ops_ctl_status_stop_reopen_logs(env):
    port = port_one(env)
    logf = os.path.join(env.base, "ops-ctl-file.log")

    def create_log():
        # As logrotate's "create 0660 root membermail": the workers reopen it.
        with open(logf, "a"):
            pass
        os.chmod(logf, 0o660)
        if stack.is_root():
            os.chown(logf, 0, grp.getgrnam(stack.unprivileged_user()[1]).gr_gid)
    create_log()
    inst = Instance(env, "ctl", workers=2, log_file=logf, log_level="debug")
    env.serve_logs.append(logf + ".1")
    inst.start()
    try:
        pid = inst.pid
        code, out, err = ctl(env, inst, "status")
        expect(code == 0, "ctl status: exit %s: %s %s", code, out, err)
        for pat in (r"^membermail is running$", r"^master pid:\s+%d$" % pid, r"^generation:\s+1$",
                    r"^workers wanted:\s+2$", r"^workers total:\s+2$", r"^idle workers:\s+2$",
                    r"^crashes:\s+0$", r"^accepted:\s+\d+$", r"^uptime:\s+"):
            expect(re.search("(?m)" + pat, out), "ctl status lacks %r:\n%s", pat, out)
        with open(logf) as f:
            expect("event=listening" in f.read(), "log_file %s has no start-up lines", logf)
        # Rotate: rename, create, reopen-logs.
        os.rename(logf, logf + ".1")
        create_log()
        code, out, err = ctl(env, inst, "reopen-logs")
        expect(code == 0 and "sent USR1 to pid %d" % pid in out, "ctl reopen-logs: exit %s: %s %s",
               code, out, err)
        workers = inst.workers()
        status_pid = stack.status_process_of(pid)

        def new_file():
            with open(logf, errors="replace") as f:
                return f.read()

        def all_reopened():
            http_request(port, "GET", "/healthz")
            inst.status("/ping")
            text = new_file()
            return ("pid=%d event=logs_reopened" % pid in text
                    and all("pid=%d event=request " % w in text for w in workers)
                    and "pid=%d event=status_request" % status_pid in text)
        ok = wait_until(all_reopened, 5, 0.05)
        expect(ok, "after reopen-logs the new %s lacks lines of the master %d, workers %s or status "
               "process %s:\n%s", logf, pid, workers, status_pid, new_file()[-1500:])
        with open(logf + ".1") as f:
            old = f.read()
        expect("event=listening" in old and "event=logs_reopened" not in old, "the rotated file: %s",
               old[-500:])
        # Stop: waits until gone.
        code, out, err = ctl(env, inst, "stop")
        expect(code == 0 and "stopped (pid %d)" % pid in out, "ctl stop: exit %s: %s %s", code, out, err)
        expect(inst.srv.proc.wait(1) == 0, "the master had not exited when ctl stop returned (status %s)",
               inst.srv.proc.poll())
        expect(not os.path.exists(inst.sock) and not os.path.exists(inst.pid_file),
               "socket or pid file left after ctl stop")
        for args in (["status"], ["stop"], ["reload"], ["scale", "2"], ["reopen-logs"]):
            code, out, err = ctl(env, inst, *args)
            expect(code == 3, "ctl %s after stop: exit %s, want 3: %s %s", " ".join(args), code, out, err)
            expect("not running" in out + err, "ctl %s after stop says %r", " ".join(args), out + err)
        code, out, err = ctl(env, inst, "bogus")
        expect(code == 2, "ctl bogus: exit %s, want 2", code)
    finally:
        inst.stop()
