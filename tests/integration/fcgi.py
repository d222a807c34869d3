"""A minimal FastCGI client (responder role) over a unix socket, standard
library only, for the integration tests that must talk to `membermail serve`
without nginx in between: short bodies, a request sent in pieces across a
graceful stop, HEAD at the FastCGI level.

    params = fcgi.nginx_like_params("GET", "/ubuntu")
    resp = fcgi.request(sock_path, params, body=b"")
    resp.status, resp.headers, resp.body, resp.app_status

For sending in pieces:

    c = fcgi.Conn(sock_path)
    raw = fcgi.encode_params(params)
    c.begin(); c.params_raw(raw[:10]); ...; c.params_raw(raw[10:]); c.params_end()
    c.stdin(b""); resp = c.read_response()
"""

import socket
import struct
import time

VERSION = 1
BEGIN_REQUEST = 1
ABORT_REQUEST = 2
END_REQUEST = 3
PARAMS = 4
STDIN = 5
STDOUT = 6
STDERR = 7
RESPONDER = 1
REQUEST_ID = 1
MAX_CONTENT = 65535


class FcgiError(Exception):
    pass


def record(rtype, content, request_id=REQUEST_ID):
    out = b""
    # One record carries at most 65535 bytes; longer content is split.
    chunks = [content[i:i + MAX_CONTENT] for i in range(0, len(content), MAX_CONTENT)] or [b""]
    for chunk in chunks:
        pad = (8 - len(chunk) % 8) % 8
        out += struct.pack("!BBHHBB", VERSION, rtype, request_id, len(chunk), pad, 0)
        out += chunk + b"\0" * pad
    return out


def _length(n):
    if n < 128:
        return struct.pack("!B", n)
    return struct.pack("!I", n | 0x80000000)


def encode_params(params):
    """params: a list of (name, value) pairs or a dict; str or bytes."""
    items = params.items() if isinstance(params, dict) else params
    out = b""
    for name, value in items:
        n = name if isinstance(name, bytes) else name.encode()
        v = value if isinstance(value, bytes) else str(value).encode()
        out += _length(len(n)) + _length(len(v)) + n + v
    return out


def nginx_like_params(method, uri, body=b"", content_type=None, request_id="0" * 32,
                      extra=None):
    """The params nginx's fastcgi_params + our snippet would send."""
    path, _, query = uri.partition("?")
    p = [
        ("QUERY_STRING", query),
        ("REQUEST_METHOD", method),
        ("CONTENT_TYPE", content_type or ""),
        ("CONTENT_LENGTH", str(len(body)) if body or method in ("POST", "PUT", "PATCH") else ""),
        ("SCRIPT_NAME", path),
        ("REQUEST_URI", uri),
        ("DOCUMENT_URI", path),
        ("DOCUMENT_ROOT", "/usr/share/nginx/html"),
        ("SERVER_PROTOCOL", "HTTP/1.1"),
        ("REQUEST_SCHEME", "http"),
        ("GATEWAY_INTERFACE", "CGI/1.1"),
        ("SERVER_SOFTWARE", "nginx"),
        ("REMOTE_ADDR", "127.0.0.1"),
        ("REMOTE_PORT", "40000"),
        ("SERVER_ADDR", "127.0.0.1"),
        ("SERVER_PORT", "80"),
        ("SERVER_NAME", "localhost"),
        ("HTTP_HOST", "localhost"),
        ("REQUEST_ID", request_id),
        ("HTTP_PROXY", ""),
        ("HTTP_USER_AGENT", "membermail-integration-tests"),
    ]
    for k, v in (extra or {}).items():
        p = [(n, x) for (n, x) in p if n != k]
        if v is not None:
            p.append((k, v))
    return p


class Response:
    def __init__(self, stdout, stderr, app_status, protocol_status, complete):
        self.raw = stdout
        self.stderr = stderr
        self.app_status = app_status
        self.protocol_status = protocol_status
        self.complete = complete          # END_REQUEST was received
        self.status = None
        self.headers = []                 # (name, value) in order
        self.body = b""
        self._parse()

    def _parse(self):
        data = self.raw
        sep = data.find(b"\r\n\r\n")
        seplen = 4
        alt = data.find(b"\n\n")
        if alt != -1 and (sep == -1 or alt < sep):
            sep, seplen = alt, 2
        if sep == -1:
            return
        head, self.body = data[:sep], data[sep + seplen:]
        for line in head.replace(b"\r\n", b"\n").split(b"\n"):
            if b":" not in line:
                continue
            name, _, value = line.partition(b":")
            self.headers.append((name.decode("latin-1").strip(), value.decode("latin-1").strip()))
        st = self.header("Status")
        if st is not None:
            try:
                self.status = int(st.split()[0])
            except (ValueError, IndexError):
                self.status = None
        elif self.headers:
            self.status = 200   # CGI: no Status header means 200

    def header(self, name):
        for n, v in self.headers:
            if n.lower() == name.lower():
                return v
        return None

    def __repr__(self):
        return "<fcgi.Response status=%r complete=%r headers=%r body=%d bytes>" % (
            self.status, self.complete, self.headers, len(self.body))


class Conn:
    def __init__(self, path, timeout=10.0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)

    def send(self, data):
        self.sock.sendall(data)

    def begin(self, keep_conn=False):
        self.send(record(BEGIN_REQUEST, struct.pack("!HB5x", RESPONDER, 1 if keep_conn else 0)))

    def params_raw(self, encoded):
        """Sends part of the encoded params as one PARAMS record."""
        if encoded:
            self.send(record(PARAMS, encoded))

    def params_end(self):
        self.send(record(PARAMS, b""))

    def stdin(self, data, end=True):
        if data:
            self.send(record(STDIN, data))
        if end:
            self.send(record(STDIN, b""))

    def read_response(self, timeout=10.0):
        """Reads records until END_REQUEST, EOF or timeout."""
        deadline = time.monotonic() + timeout
        buf = b""
        stdout, stderr = b"", b""
        app_status = protocol_status = None
        complete = False
        while not complete:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                break
            if not chunk:
                break
            buf += chunk
            while len(buf) >= 8:
                ver, rtype, rid, clen, plen, _ = struct.unpack("!BBHHBB", buf[:8])
                if ver != VERSION:
                    raise FcgiError("bad record version %d" % ver)
                if len(buf) < 8 + clen + plen:
                    break
                content = buf[8:8 + clen]
                buf = buf[8 + clen + plen:]
                if rtype == STDOUT:
                    stdout += content
                elif rtype == STDERR:
                    stderr += content
                elif rtype == END_REQUEST:
                    app_status, protocol_status = struct.unpack("!IB3x", content[:8])
                    complete = True
                    break
        return Response(stdout, stderr, app_status, protocol_status, complete)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def request(path, params, body=b"", timeout=10.0, send_stdin_end=True):
    """One complete request; returns a Response."""
    with Conn(path, timeout) as c:
        c.begin()
        c.params_raw(encode_params(params))
        c.params_end()
        c.stdin(body, end=send_stdin_end)
        return c.read_response(timeout)
