"""What the fake services (sso.py, launchpad.py) and their tests share: the
threaded HTTP server, its start-up and shutdown, and starting a fake as a
process from a test.  Standard library only."""

import http.server
import json
import re
import signal
import subprocess
import sys
import threading
import time
import traceback
import urllib.parse

PYTHON = "/usr/bin/python3"


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


class RequestLog:
    """The requests a fake answered, the last `limit` of them, for its
    control API (control calls are left out), and with log_path a JSON
    line per request.  Shared by the fakes' state classes."""

    def __init__(self, log_path, limit):
        self.log_path, self.log_limit = log_path, limit
        self.log_lock = threading.Lock()
        self.requests = []

    def log_request(self, entry):
        with self.log_lock:
            if not entry["path"].startswith("/_fake/"):
                self.requests.append(entry)
                del self.requests[:-self.log_limit]

    def write_log(self, entry):
        if not self.log_path:
            return
        with self.log_lock:
            with open(self.log_path, "a") as f:
                f.write(json.dumps(entry) + "\n")


def serve(server, name, base=None):
    """Announces the port ("listening on http://HOST:PORT", which the tests
    and the stacks wait for), serves until SIGTERM or SIGINT, returns 0."""
    host, port = server.server_address[:2]

    def on_signal(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    print("listening on http://%s:%d" % (host, port), flush=True)
    if base:
        sys.stderr.write("%s: base URL %s\n" % (name, base))
    try:
        server.serve_forever(poll_interval=0.1)
    finally:
        server.server_close()
    return 0


class FakeProcess:
    """A fake started on a free port: url, port, base; stop() returns its
    exit status."""

    def __init__(self, script, *args):
        self.proc = subprocess.Popen([PYTHON, script, "--port", "0"] + list(args),
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        m = re.fullmatch(r"listening on (http://127\.0\.0\.1:(\d+))\n", line)
        if not m:
            self.proc.kill()
            raise RuntimeError("fake did not start: %r %s" % (line, self.proc.stderr.read()))
        self.url, self.port = m.group(1), int(m.group(2))
        self.base = self.url
        for i, a in enumerate(args):
            if a == "--base":
                self.base = args[i + 1]

    def stop(self):
        """SIGTERM; returns the exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.proc.stdout.close()
        self.proc.stderr.close()
        return rc


class ControlError(Exception):
    """A refused control-API request: 400 with this text."""


class BaseHandler(http.server.BaseHTTPRequestHandler):
    """HTTP/1.1 with keep-alive; GET, POST and HEAD go to
    self.dispatch(METHOD), which logs the request (self.server.fake's
    log_request/write_log), reads its body and calls the subclass's
    route(method, path, query, body).  Subclasses set server_version and
    log_name, and define respond(status, body)."""
    protocol_version = "HTTP/1.1"
    timeout = 30
    log_name = "fake"

    def version_string(self):
        return self.server_version

    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("%s %s: %s\n" % (self.log_name, self.server.fake.base, fmt % args))

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_HEAD(self):
        self.dispatch("HEAD")

    def dispatch(self, method):
        fake = self.server.fake
        split = urllib.parse.urlsplit(self.path)
        headers = {}
        for k, v in self.headers.items():
            headers[k] = headers[k] + ", " + v if k in headers else v
        self.entry = {"time": time.time(), "method": method, "path": self.path,
                      "headers": headers, "body": "", "status": None}
        body = b""
        if method in ("POST", "PUT", "PATCH"):
            body = self.read_body()
            if body is None:
                return
        fake.log_request(self.entry)
        try:
            self.route(method, split.path, split.query, body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception:
            traceback.print_exc()
            self.close_connection = True
            try:
                self.respond(500, b"internal error in the fake\n")
            except OSError:
                pass
        fake.write_log(self.entry)

    def respond_json(self, status, obj, headers=()):
        self.respond(status, (json.dumps(obj, indent=1) + "\n").encode("utf-8"),
                     "application/json", headers)

    def control(self, method, path, query, body):
        """The control API (/_fake/...): GET, or POST with a JSON body,
        answered by self.server.fake.control(method, path, query, data)."""
        data = None
        if method == "POST":
            ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if ctype != "application/json":
                return self.respond_json(415, {"ok": False,
                                               "error": "control API needs Content-Type: application/json"})
            if body.strip():
                try:
                    data = json.loads(body.decode("utf-8"))
                except ValueError as e:
                    return self.respond_json(400, {"ok": False, "error": "bad JSON: %s" % e})
        elif method != "GET":
            return self.respond_json(405, {"ok": False, "error": "GET or POST"})
        try:
            status, obj = self.server.fake.control(method, path, query, data)
        except ControlError as e:
            return self.respond_json(400, {"ok": False, "error": str(e)})
        return self.respond_json(status, obj)

    def _finish(self, status, text):
        self.server.fake.log_request(self.entry)
        self.respond(status, text)
        self.server.fake.write_log(self.entry)

    def read_body(self):
        """The request body (also kept in self.entry), or None after
        answering 411 or 413 (subclasses define _finish(status, body))."""
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            return self._finish(411, b"chunked bodies are not supported\n")
        try:
            length = int(self.headers.get("Content-Length", ""))
            if length < 0:
                raise ValueError
        except ValueError:
            self.close_connection = True
            return self._finish(411, b"Content-Length required\n")
        if length > self.server.max_body:
            self.close_connection = True
            return self._finish(413, b"request body too large\n")
        body = self.rfile.read(length)
        self.entry["body"] = body.decode("utf-8", "replace")
        return body
