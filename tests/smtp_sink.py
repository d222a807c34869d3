#!/usr/bin/python3
"""A real SMTP server for tests and the local stack: it accepts mail and
stores it instead of relaying it (a test tool, not a fake of anybody's
service).  Standard library only.

    smtp_sink.py --dir DIR [--port N] [--tls-cert PEM --tls-key PEM]
                 [--auth USER:PASSWORD]

Speaks ESMTP on 127.0.0.1: EHLO/HELO, STARTTLS (with --tls-cert), AUTH
PLAIN and LOGIN (with --auth; offered only under TLS, and then required
before MAIL), MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT.
Each message is stored in DIR as NNNNNN.eml (the data as received, CRLF
line ends) with NNNNNN.json beside it: the envelope (mail_from, rcpt_to),
helo, tls and auth_user.  The .json is written last, so a reader that
sees it finds the .eml complete.

Knobs, read from DIR/knobs.json at every connection (absent = none):
    {"greeting": 421}        answer the greeting with this code and close
    {"rcpt": 451}            answer every RCPT with this code
    {"rcpt_codes": {"a@b.example": 550}}   answer RCPT for these addresses
                             (compared case-insensitively) with their code
    {"data": 451}            answer the end of DATA with this code (nothing stored)
    {"delay": 2.5}           seconds to wait before the greeting
    {"smtputf8": true}       offer SMTPUTF8 (RFC 6531)

Addresses with non-ASCII characters are refused (553 5.6.7) unless
SMTPUTF8 is offered and MAIL FROM carries it, as RFC 6531 3.4 requires;
the envelope records whether it did ("smtputf8").

Prints "listening on smtp://127.0.0.1:PORT" once ready; stops on SIGTERM.
"""

import argparse
import base64
import binascii
import json
import os
import signal
import socket
import socketserver
import ssl
import sys
import threading
import time

LINE_MAX = 4096                 # a command line (RFC 5321 allows 512)
DATA_MAX = 16 * 1024 * 1024     # a message

TEXT = {
    421: "4.3.2 Service not available, closing channel",
    450: "4.2.0 Mailbox unavailable, try again",
    451: "4.3.0 Local error in processing, try again later",
    452: "4.3.1 Insufficient storage",
    550: "5.1.1 Mailbox unavailable",
    552: "5.3.4 Message too big",
    554: "5.0.0 Transaction failed",
}


class Store:
    """Numbered messages in a directory, numbered under a lock.  The next
    number is found once, at start (a directory listing per message made
    the sink the bottleneck of a load); files removed meanwhile leave
    gaps, which readers sort over."""

    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        os.makedirs(path, exist_ok=True)
        self.last = max([int(f[:6]) for f in os.listdir(path)
                         if f.endswith(".json") and f[:6].isdigit()] or [0])

    def knobs(self):
        try:
            with open(os.path.join(self.path, "knobs.json")) as f:
                return json.load(f)
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as e:
            sys.stderr.write("smtp_sink: knobs.json ignored: %s\n" % e)
            return {}

    def save(self, data, envelope):
        with self.lock:
            self.last += 1
            base = os.path.join(self.path, "%06d" % self.last)
            with open(base + ".eml", "wb") as f:
                f.write(data)
            with open(base + ".json.tmp", "w") as f:
                json.dump(envelope, f, indent=1)
            os.rename(base + ".json.tmp", base + ".json")
        return base


class Session(socketserver.StreamRequestHandler):
    timeout = 60

    def setup(self):
        super().setup()
        self.tls = False
        self.helo = None
        self.user = None
        self.reset()

    def reset(self):
        self.mail_from = None
        self.rcpt = []
        self.utf8 = False

    def reply(self, code, text=None):
        lines = (text or TEXT.get(code, "OK")).split("\n")
        out = "".join("%d%s%s\r\n" % (code, "-" if i < len(lines) - 1 else " ", l)
                      for i, l in enumerate(lines))
        self.wfile.write(out.encode())
        self.wfile.flush()

    def readline(self):
        line = self.rfile.readline(LINE_MAX + 1)
        if not line:
            raise EOFError
        if len(line) > LINE_MAX:
            self.reply(500, "5.5.2 Line too long")
            raise EOFError
        return line.rstrip(b"\r\n").decode("utf-8", "replace")

    def handle(self):
        srv = self.server
        knobs = srv.store.knobs()
        if knobs.get("delay"):
            time.sleep(float(knobs["delay"]))
        if knobs.get("greeting"):
            self.reply(int(knobs["greeting"]))
            return
        self.reply(220, "sink.test ESMTP smtp_sink")
        try:
            while self.command(knobs):
                pass
        except (EOFError, ConnectionError, ssl.SSLError, socket.timeout) as e:
            if not isinstance(e, EOFError):
                sys.stderr.write("smtp_sink: session ended: %s\n" % e)

    def command(self, knobs):
        line = self.readline()
        verb, _, arg = line.partition(" ")
        verb = verb.upper()
        srv = self.server
        if verb == "EHLO":
            self.helo = arg
            self.reset()
            ext = ["sink.test", "8BITMIME", "SIZE %d" % DATA_MAX]
            if knobs.get("smtputf8"):
                ext.append("SMTPUTF8")
            if srv.tls_context and not self.tls:
                ext.append("STARTTLS")
            if srv.auth and self.tls:
                ext.append("AUTH PLAIN LOGIN")
            self.reply(250, "\n".join(ext))
        elif verb == "HELO":
            self.helo = arg
            self.reset()
            self.reply(250, "sink.test")
        elif verb == "STARTTLS" and srv.tls_context and not self.tls:
            self.reply(220, "2.0.0 Ready to start TLS")
            conn = srv.tls_context.wrap_socket(self.connection, server_side=True)
            self.connection = conn
            self.rfile = conn.makefile("rb")
            self.wfile = conn.makefile("wb")
            self.tls = True
            self.helo = None
            self.reset()
        elif verb == "AUTH" and srv.auth and self.tls and self.user is None:
            self.auth(arg)
        elif verb == "MAIL" and arg.upper().startswith("FROM:"):
            if self.helo is None:
                self.reply(503, "5.5.1 EHLO first")
            elif srv.auth and self.user is None:
                self.reply(530, "5.7.0 Authentication required")
            else:
                self.reset()
                params = arg[5:].rpartition(">")[2].upper().split()
                utf8 = bool(knobs.get("smtputf8")) and "SMTPUTF8" in params
                if not arg.isascii() and not utf8:
                    self.reply(553, "5.6.7 Non-ASCII addresses need SMTPUTF8")
                    return True
                self.mail_from = address(arg[5:])
                self.utf8 = utf8
                self.reply(250, "2.1.0 Ok")
        elif verb == "RCPT" and arg.upper().startswith("TO:"):
            if self.mail_from is None:
                self.reply(503, "5.5.1 MAIL first")
            elif knobs.get("rcpt"):
                self.reply(int(knobs["rcpt"]))
            elif not arg.isascii() and not self.utf8:
                self.reply(553, "5.6.7 Non-ASCII addresses need SMTPUTF8")
            elif address(arg[3:]).lower() in rcpt_codes(knobs):
                self.reply(rcpt_codes(knobs)[address(arg[3:]).lower()])
            else:
                self.rcpt.append(address(arg[3:]))
                self.reply(250, "2.1.5 Ok")
        elif verb == "DATA":
            if not self.rcpt:
                self.reply(503, "5.5.1 RCPT first")
            else:
                self.data(knobs)
        elif verb == "RSET":
            self.reset()
            self.reply(250, "2.0.0 Ok")
        elif verb == "NOOP":
            self.reply(250, "2.0.0 Ok")
        elif verb == "QUIT":
            self.reply(221, "2.0.0 Bye")
            return False
        else:
            self.reply(502, "5.5.2 Command not recognised")
        return True

    def auth(self, arg):
        mech, _, initial = arg.partition(" ")
        try:
            if mech.upper() == "PLAIN":
                if not initial:
                    self.reply(334, "")
                    initial = self.readline()
                parts = base64.b64decode(initial, validate=True).split(b"\0")
                user, password = parts[1].decode(), parts[2].decode()
            elif mech.upper() == "LOGIN":
                if initial:
                    user = base64.b64decode(initial, validate=True).decode()
                else:
                    self.reply(334, "VXNlcm5hbWU6")
                    user = base64.b64decode(self.readline(), validate=True).decode()
                self.reply(334, "UGFzc3dvcmQ6")
                password = base64.b64decode(self.readline(), validate=True).decode()
            else:
                self.reply(504, "5.5.4 Mechanism not supported")
                return
        except (binascii.Error, IndexError, UnicodeDecodeError):
            self.reply(501, "5.5.2 Cannot decode")
            return
        if (user, password) == self.server.auth:
            self.user = user
            self.reply(235, "2.7.0 Authentication successful")
        else:
            self.reply(535, "5.7.8 Authentication credentials invalid")

    def data(self, knobs):
        self.reply(354, "End data with <CR><LF>.<CR><LF>")
        chunks, size = [], 0
        while True:
            line = self.rfile.readline(DATA_MAX)
            if not line:
                raise EOFError
            if line in (b".\r\n", b".\n"):
                break
            if line.startswith(b"."):
                line = line[1:]             # dot-unstuffing (RFC 5321 4.5.2)
            size += len(line)
            if size <= DATA_MAX:
                chunks.append(line)
        if size > DATA_MAX:
            self.reply(552)
        elif knobs.get("data"):
            self.reply(int(knobs["data"]))
        else:
            base = self.server.store.save(b"".join(chunks), {
                "mail_from": self.mail_from, "rcpt_to": self.rcpt, "helo": self.helo,
                "tls": self.tls, "auth_user": self.user, "smtputf8": self.utf8})
            self.reply(250, "2.0.0 Ok: stored as %s" % os.path.basename(base))
        self.reset()


def rcpt_codes(knobs):
    """The rcpt_codes knob: {lower-case address: code}."""
    return {a.lower(): int(c) for a, c in (knobs.get("rcpt_codes") or {}).items()}


def address(arg):
    """The address inside <...> of a MAIL FROM / RCPT TO argument."""
    arg = arg.strip()
    if arg.startswith("<"):
        return arg[1:arg.find(">")] if ">" in arg else arg[1:]
    return arg.split(" ")[0]


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    ap = argparse.ArgumentParser(description="SMTP sink for tests")
    ap.add_argument("--dir", required=True, help="where messages are stored")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    ap.add_argument("--auth", help="USER:PASSWORD required (under TLS) before MAIL")
    args = ap.parse_args()
    server = Server(("127.0.0.1", args.port), Session)
    server.store = Store(args.dir)
    server.tls_context = None
    if args.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        server.tls_context = ctx
    server.auth = tuple(args.auth.split(":", 1)) if args.auth else None
    if server.auth and not server.tls_context:
        ap.error("--auth needs --tls-cert: credentials only under TLS")

    def on_signal(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    print("listening on smtp://127.0.0.1:%d" % server.server_address[1], flush=True)
    sys.stderr.write("smtp_sink: storing messages in %s\n" % os.path.abspath(args.dir))
    try:
        server.serve_forever(poll_interval=0.1)
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
