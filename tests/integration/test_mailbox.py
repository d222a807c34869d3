#!/usr/bin/python3
"""membermail integration tests of the encrypted mailboxes: the LMTP
service (RFC 2033, per-recipient replies, quota, the queue id that stores a
retry once, the database away), the pages that read mail after an unlock,
and what the encryption promises: nothing of a message in the database, its
dumps or any log; every tampering refused; a wrong password as slow as a
right one.  Postfix in front of it is test_mail.py's.

Not a runner of its own: tests/integration/run.py imports it.  The server
is run.py's, with lmtp_listen on env.lmtp_sock and Argon2id at its least
cost.  A member signs in at the fake Ubuntu One (test_signin); domains and
aliases are made with SQL as provisioning leaves them (test_member).
"""

import functools
import json
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import time
import urllib.parse

import fcgi
import stack
import test_authz
import test_mail
import test_signin
from run import Fail, check_html, expect, show, test
from test_api import call, mk_token
from test_member import join, member, new_alias, new_domain, sql, text, tidy
from test_signin import Browser, lit, sign_in

PASSWORD = "correct horse battery staple"
OTHER_PASSWORD = "a quite different passphrase"


# ---------------------------------------------------------------- LMTP

class Lmtp:
    """A plain LMTP client on the unix socket: replies as (code, text)."""

    def __init__(self, path, timeout=60):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(timeout)
        self.s.connect(path)
        self.f = self.s.makefile("rb")
        self.greeting = self.reply()

    def reply(self):
        lines = []
        while True:
            line = self.f.readline()
            if not line:
                raise Fail("LMTP: the server closed the connection (after %r)" % lines)
            lines.append(line.decode("utf-8", "replace").rstrip("\r\n"))
            if len(line) < 4 or line[3:4] != b"-":
                return int(lines[-1][:3]), "\n".join(x[4:] for x in lines)

    def send(self, data):
        self.s.sendall(data if isinstance(data, bytes) else data.encode())

    def cmd(self, line):
        self.send(line + "\r\n")
        return self.reply()

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass


def stuffed(msg):
    """Message bytes as DATA sends them: CRLF lines, dots doubled, the end."""
    if isinstance(msg, str):
        msg = msg.encode()
    lines = msg.replace(b"\r\n", b"\n").split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    out = b"".join((b"." + ln if ln.startswith(b".") else ln) + b"\r\n" for ln in lines)
    return out + b".\r\n"


def deliver(env, rcpts, msg, sender="sender@example.org", ident=None, size=None, sock=None):
    """One transaction: (replies to each RCPT, replies after DATA)."""
    c = Lmtp(sock or env.lmtp_sock)
    try:
        code, _ = c.cmd("LHLO tests.example")
        expect(code == 250, "LMTP LHLO: %s", code)
        if ident is not None:
            code, t = c.cmd("XFORWARD IDENT=%s" % ident)
            expect(code == 250, "XFORWARD: %s %s", code, t)
        mail = "MAIL FROM:<%s>" % sender + (" SIZE=%d" % size if size else "")
        code, t = c.cmd(mail)
        if code != 250:
            return [], [(code, t)]
        rcpt = [c.cmd("RCPT TO:<%s>" % r) for r in rcpts]
        accepted = sum(1 for code, _ in rcpt if code == 250)
        if accepted == 0:
            return rcpt, []
        code, t = c.cmd("DATA")
        expect(code == 354, "DATA: %s %s", code, t)
        c.send(stuffed(msg))
        data = [c.reply() for _ in range(accepted)]
        c.cmd("QUIT")
        return rcpt, data
    finally:
        c.close()


def lmtp_address(address):
    """The address Postfix hands kept mail to (deploy/postfix)."""
    local, domain = address.split("@")
    return "%s=%s@membermail-mailbox.invalid" % (local, domain)


def marker():
    return "MMMARK" + secrets.token_hex(8)


def message(subject, body, extra="", to="someone@example.org", sender="Ada <ada@example.org>"):
    return ("From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: Sat, 28 Nov 2026 08:30:00 +0000\r\n"
            "Message-ID: <%s@example.org>\r\n%s\r\n%s\r\n"
            % (sender, to, subject, secrets.token_hex(6), extra, body))


def queue_id():
    return "4" + secrets.token_hex(7).upper()


# ---------------------------------------------------------------- set-up

def with_mailbox(fn):
    """A member with an alias and a mailbox made through the pages:
    fn(env, box) with box a dict (browser, uid, alias, address, id)."""
    @functools.wraps(fn)
    @tidy
    def run(env):
        env.ensure_server()
        box = new_box(env)
        return fn(env, box)
    return run


def new_box(env, tag="box", password=PASSWORD):
    b, user, uid, name = member(env, tag)
    did, dname, _ = new_domain(env, tag)
    join(env, did, uid)
    local = name.lower().replace("_", "-")[:40]
    aid = new_alias(env, did, local, uid, ["%s@example.net" % local])
    address = "%s@%s" % (local, dname)
    mid = create_mailbox(env, b, aid, password)
    return {"b": b, "uid": uid, "alias": aid, "address": address, "id": mid,
            "domain": did, "name": name, "user": user}


def create_mailbox(env, b, aid, password=PASSWORD):
    token = b.csrf("/my/mailbox/new?alias=%s" % aid)
    r = b.post("/my/mailbox", {"csrf_token": token, "alias": aid, "password": password,
                               "password2": password})
    expect(r.status == 303 and r.header("Location") == "/my/mailbox?done=created",
           "POST /my/mailbox: want 303 to ?done=created, got %s", show(r, 2000))
    mid = sql(env, "SELECT id FROM mailboxes WHERE alias_id = %s" % aid)
    expect(mid, "no mailbox row for alias %s", aid)
    return mid


def unlock(env, box, password=PASSWORD, status=303):
    b = box["b"]
    token = b.csrf("/my/mailbox")
    sql(env, "DELETE FROM rate_limits WHERE bucket LIKE 'unlock:%'")
    r = b.post("/my/mailbox/%s/unlock" % box["id"], {"csrf_token": token, "password": password})
    expect(r.status == status, "unlock with %r: want %d, got %s", password, status, show(r, 1500))
    return r


def stored(env, mid):
    return int(sql(env, "SELECT count(*) FROM messages WHERE mailbox_id = %s" % mid))


def listing(env, box):
    r = box["b"].get("/my/mailbox/%s" % box["id"])
    check_html(r, "GET /my/mailbox/%s" % box["id"])
    return r


def message_page(env, box, msg_id):
    return box["b"].get("/my/mailbox/%s/messages/%s" % (box["id"], msg_id))


def message_ids(env, mid):
    out = sql(env, "SELECT id FROM messages WHERE mailbox_id = %s ORDER BY id" % mid)
    return [x for x in out.splitlines() if x]


# ---------------------------------------------------------------- LMTP

@test
def lmtp_greeting_and_extensions(env):
    env.ensure_server()
    c = Lmtp(env.lmtp_sock)
    try:
        expect(c.greeting[0] == 220 and "LMTP" in c.greeting[1], "greeting %r", c.greeting)
        code, t = c.cmd("LHLO tests.example")
        expect(code == 250, "LHLO: %s %s", code, t)
        for ext in ("PIPELINING", "ENHANCEDSTATUSCODES", "8BITMIME", "SIZE 41943040", "XFORWARD"):
            expect(ext in t, "LHLO reply lacks %s: %r", ext, t)
        code, t = c.cmd("HELO x")
        expect(code == 500, "HELO on LMTP: want 500, got %s %s", code, t)
        code, t = c.cmd("MAIL FROM:<a@b> SIZE=99999999999")
        expect(code == 552 and t.startswith("5.3.4"), "SIZE over the bound: %s %s", code, t)
        code, t = c.cmd("QUIT")
        expect(code == 221, "QUIT: %s", code)
    finally:
        c.close()


@test
@with_mailbox
def lmtp_per_recipient_replies(env, box):
    """Stored, unknown, and the message for the known one only."""
    m = marker()
    rcpt, data = deliver(env, [lmtp_address(box["address"]), "nobody=%s@membermail-mailbox.invalid"
                               % box["address"].split("@")[1], box["address"]],
                         message(m, "body " + m), ident=queue_id())
    expect([c for c, _ in rcpt] == [250, 550, 250], "RCPT replies: %r", rcpt)
    expect(rcpt[1][1].startswith("5.1.1"), "unknown mailbox: want 5.1.1, got %r", rcpt[1])
    expect([c for c, _ in data] == [250, 250] and all(t.startswith("2.0.0") for _, t in data),
           "DATA replies, one per accepted recipient: %r", data)
    expect(stored(env, box["id"]) == 1, "one mailbox named twice: one copy, got %d",
           stored(env, box["id"]))


@test
@with_mailbox
def marker_nowhere_but_the_page(env, box):
    """A unique marker in the subject and body: not in pg_dump, not in any
    log; after unlocking, the pages show it."""
    m = marker()
    rcpt, data = deliver(env, [lmtp_address(box["address"])], message("Subject " + m, "Body " + m),
                         sender="sender-%s@example.org" % m, ident=queue_id())
    expect(data and data[0][0] == 250, "delivery: %r %r", rcpt, data)
    dump = subprocess.run([os.path.join(stack.PG_BIN, "pg_dump"), "-h", env.pg.base, "-p",
                           str(env.pg.port), "-U", stack.PG_SUPERUSER, "-d", stack.APP_DB],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    expect(dump.returncode == 0, "pg_dump failed: %s", dump.stderr[-500:])
    expect(m.encode() not in dump.stdout, "the marker is in pg_dump of the database")
    expect(m.encode().hex().encode() not in dump.stdout, "the marker's hex is in pg_dump")
    unlock(env, box)
    r = listing(env, box)
    expect(("Subject " + m).encode() in r.body, "the listing does not show the subject: %s",
           show(r, 3000))
    mid = message_ids(env, box["id"])[-1]
    r = message_page(env, box, mid)
    check_html(r, "message page")
    expect(("Body " + m).encode() in r.body, "the message page does not show the body")
    expect(r.header("Cache-Control") == "no-store", "message page cached: %r",
           r.header("Cache-Control"))
    time.sleep(1.5)     # the workers write their buffered lines every second
    logs = [env.server_log(), env.pg.log_tail(100000), env.nginx.error_log(100000)]
    for name in os.listdir(os.path.join(env.nginx_prefix, "logs")):
        with open(os.path.join(env.nginx_prefix, "logs", name), errors="replace") as f:
            logs.append(f.read())
    for i, text_ in enumerate(logs):
        expect(m not in text_, "the marker is in log #%d", i)


@test
@with_mailbox
def lmtp_retry_is_stored_once(env, box):
    """The same queue id and recipient twice (a retry after our commit,
    the 250 lost): one message; another queue id: another message."""
    qid = queue_id()
    msg = message("retry", "the same message")
    for _ in range(2):
        _, data = deliver(env, [lmtp_address(box["address"])], msg, ident=qid)
        expect(data == [(250, data[0][1])] and data[0][1].startswith("2.0.0"), "delivery: %r", data)
    expect(stored(env, box["id"]) == 1, "stored %d times, want once", stored(env, box["id"]))
    used = int(sql(env, "SELECT used_bytes FROM mailboxes WHERE id = %s" % box["id"]))
    size = int(sql(env, "SELECT sum(size_bytes) FROM messages WHERE mailbox_id = %s" % box["id"]))
    expect(used == size, "quota counted the retry: used %d, messages %d", used, size)
    deliver(env, [lmtp_address(box["address"])], msg, ident=queue_id())
    expect(stored(env, box["id"]) == 2, "another queue id is another message")
    expect(sql(env, "SELECT count(*) FROM messages WHERE mailbox_id = %s AND queue_id = %s"
               % (box["id"], lit(qid))) == "1", "the queue id is the key")


@test
@with_mailbox
def lmtp_over_quota(env, box):
    """552 5.2.2 (or 452 4.2.2 as configured) when the message does not fit,
    at RCPT with SIZE, after DATA without; nothing stored."""
    sql(env, "UPDATE mailboxes SET quota_bytes = 2000 WHERE id = %s" % box["id"])
    big = message("big", "x" * 3000)
    rcpt, data = deliver(env, [lmtp_address(box["address"])], big, ident=queue_id())
    expect(data and data[0][0] == 552 and data[0][1].startswith("5.2.2"),
           "over quota after DATA: want 552 5.2.2, got %r %r", rcpt, data)
    rcpt, data = deliver(env, [lmtp_address(box["address"])], big, ident=queue_id(), size=3100)
    expect(rcpt[0][0] == 552 and rcpt[0][1].startswith("5.2.2"),
           "over quota at RCPT (SIZE): want 552 5.2.2, got %r", rcpt)
    expect(stored(env, box["id"]) == 0, "a message over quota was stored")
    _, data = deliver(env, [lmtp_address(box["address"])], message("small", "fits"),
                      ident=queue_id())
    expect(data and data[0][0] == 250, "a message that fits: %r", data)


@test
@with_mailbox
def lmtp_database_down(env, box):
    """PostgreSQL stopped mid-delivery: 451 4.3.0 (Postfix tries again);
    once it is back the same message is stored, once."""
    qid = queue_id()
    msg = message("while down", "kept for later")
    c = Lmtp(env.lmtp_sock)
    try:
        expect(c.cmd("LHLO t")[0] == 250, "LHLO")
        c.cmd("XFORWARD IDENT=%s" % qid)
        expect(c.cmd("MAIL FROM:<s@example.org>")[0] == 250, "MAIL")
        expect(c.cmd("RCPT TO:<%s>" % lmtp_address(box["address"]))[0] == 250, "RCPT")
        expect(c.cmd("DATA")[0] == 354, "DATA")
        env.pg.stop()
        try:
            c.send(stuffed(msg))
            code, t = c.reply()
            expect(code == 451 and t.startswith("4.3.0"), "database down: want 451 4.3.0, got %s %s",
                   code, t)
        finally:
            env.pg.start()
    finally:
        c.close()

    def again():
        _, data = deliver(env, [lmtp_address(box["address"])], msg, ident=qid)
        return data and data[0][0] == 250
    expect(stack.wait_until(again, 20, 0.5), "no 250 once the database is back")
    expect(stored(env, box["id"]) == 1, "stored %d times", stored(env, box["id"]))
    after_outage(env)


def after_outage(env):
    """Every web and LMTP worker has its connection back (each waits out
    its own back-off): several answers in a row from each service."""
    nobody = "nobody=nowhere.example@membermail-mailbox.invalid"

    def ok():
        return all(env.get("/ubuntu").status == 200 for _ in range(6)) and \
            all(deliver(env, [nobody], "x")[0][0][0] == 550 for _ in range(4))
    expect(stack.wait_until(ok, 20, 0.5), "the services did not come back after the outage")
    # Postfix's proxymap holds a dead connection: the next lookups need fresh daemons.
    if getattr(env, "mail", None) is not None:
        expect(test_mail.idle_daemons_gone(env.mail.pf), "Postfix's idle daemons did not exit")


@test
@with_mailbox
def lmtp_malformed_and_legacy_mail(env, box):
    """Broken MIME is stored as received and shown; 8-bit Latin-1 is
    shown in UTF-8; a NUL or a bare LF does not break anything."""
    m = marker()
    broken = ("From: x@example.org\r\nSubject: broken %s\r\nContent-Type: multipart/mixed\r\n\r\n"
              "--\r\nno boundary here %s\r\n" % (m, m))
    latin = (b"From: =?iso-8859-1?q?J=F6rg?= <j@example.org>\r\nSubject: K\xe4se " + m.encode() +
             b"\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
             b"Content-Transfer-Encoding: 8bit\r\n\r\nGr\xfc\xdfe aus K\xf6ln\r\n")
    for msg in (broken, latin, b"Subject: odd\nbare LF\x00and a NUL\n"):
        _, data = deliver(env, [lmtp_address(box["address"])], msg, ident=queue_id())
        expect(data and data[0][0] == 250, "delivery of %r: %r", msg[:40], data)
    unlock(env, box)
    ids = message_ids(env, box["id"])
    r = message_page(env, box, ids[0])
    check_html(r, "malformed message page")
    expect(b"not well formed" in r.body and ("no boundary here " + m).encode() in r.body,
           "malformed message not shown with its text: %s", show(r, 3000))
    r = message_page(env, box, ids[1])
    check_html(r, "latin-1 message page")
    body = r.body.decode("utf-8")
    expect("Grüße aus Köln" in body and ("Käse " + m) in body and "Jörg" in body,
           "Latin-1 not shown in UTF-8: %s", show(r, 3000))
    r = message_page(env, box, ids[2])
    check_html(r, "odd message page")


@test
@with_mailbox
def large_attachment(env, box):
    """A 20 MB attachment: delivered, listed, downloaded byte for byte with
    Content-Disposition: attachment, nosniff and a sandboxing CSP."""
    import base64
    payload = os.urandom(20 * 1024 * 1024)
    b64 = base64.encodebytes(payload).replace(b"\n", b"\r\n")
    msg = (b"From: a@example.org\r\nSubject: big attachment\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/mixed; boundary=BB\r\n\r\n--BB\r\n"
           b"Content-Type: text/plain\r\n\r\nsee attached\r\n--BB\r\n"
           b"Content-Type: application/octet-stream; name=\"data.bin\"\r\n"
           b"Content-Disposition: attachment; filename=\"d\xc3\xa4ta \\\"x\\\".bin\"\r\n"
           b"Content-Transfer-Encoding: base64\r\n\r\n" + b64 + b"--BB--\r\n")
    _, data = deliver(env, [lmtp_address(box["address"])], msg, ident=queue_id())
    expect(data and data[0][0] == 250, "20 MB delivery: %r", data)
    unlock(env, box)
    mid = message_ids(env, box["id"])[0]
    r = message_page(env, box, mid)
    expect(b"/attachments/0" in r.body and b"20.0 MB" in r.body, "attachment not listed: %s",
           show(r, 3000))
    r = box["b"].get("/my/mailbox/%s/messages/%s/attachments/0" % (box["id"], mid), timeout=120)
    expect(r.status == 200, "download: %s", show(r))
    expect(r.body == payload, "download differs (%d bytes)", len(r.body))
    disp = r.header("Content-Disposition") or ""
    expect(disp.startswith("attachment;") and "filename*=UTF-8''" in disp,
           "Content-Disposition %r", disp)
    expect('"d' in disp and "\\" not in disp.split(";")[1], "fallback filename unquoted: %r", disp)
    expect("nosniff" in (r.header_all("X-Content-Type-Options") or [""])[0],
           "X-Content-Type-Options %r", r.header_all("X-Content-Type-Options"))
    csps = r.header_all("Content-Security-Policy")
    expect(any("sandbox" in c for c in csps), "no sandboxing CSP: %r", csps)
    expect(r.header("Cache-Control") == "no-store", "download cacheable")
    r = box["b"].get("/my/mailbox/%s/messages/%s/attachments/1" % (box["id"], mid))
    expect(r.status == 404, "no attachment 1: %s", show(r))


# ---------------------------------------------------------------- Postfix

# The run's Postfix (test_mail.MailStack) routes kept aliases to the test
# server's LMTP socket: postfix_virtual gives <local>=<domain>@
# membermail-mailbox.invalid, deploy/postfix's transport_maps and
# master.cf the lmtp client with XFORWARD.

def via_postfix(env, box, data, sender="bob@sender.example"):
    """One SMTP transaction to the run's Postfix for box's address."""
    m = test_mail.mail(env)
    replies, done = test_mail.smtp(m, sender, [box["address"]], data)
    expect(replies[box["address"]][0] == 250 and done and done[0] == 250,
           "Postfix took the message: RCPT %r, DATA %r", replies, done)
    return m


def lmtp_log(m, box, status, since=0, timeout=30):
    """The mail log line of a delivery to box's LMTP address with that
    status (sent, bounced, deferred); Fail after timeout."""
    rx = r"^.*: ([0-9A-Za-z]+): to=<%s>.*status=%s.*$" % (re.escape(lmtp_address(box["address"])),
                                                         status)
    got = m.pf.wait_log(rx, since, timeout)
    expect(got, "no status=%s delivery to the mailbox in the mail log:\n%s", status,
           m.pf.log_tail(20))
    return got


def keep_only(env, box):
    sql(env, "UPDATE aliases SET forward = false WHERE id = %s" % box["alias"])


def kept(env, box, n, timeout=30):
    expect(stack.wait_until(lambda: stored(env, box["id"]) >= n, timeout, 0.1),
           "the mailbox holds %d message(s), want %d", stored(env, box["id"]), n)


@test
@with_mailbox
def postfix_forward_and_keep(env, box):
    """Both: the recipient gets the forwarded copy and the mailbox its
    sealed one, stored under Postfix's queue id (XFORWARD); keep only:
    the mailbox alone.  The page shows what arrived."""
    token = marker()
    since = test_mail.mail(env).pf.log_offset()
    m = via_postfix(env, box, test_mail.message(token, to=box["address"]))
    test_mail.arrived(m, token, 1)
    kept(env, box, 1)
    qid = lmtp_log(m, box, "sent", since).group(1)
    expect(sql(env, "SELECT queue_id FROM messages WHERE mailbox_id = %s" % box["id"]) == qid,
           "stored under queue id %r, Postfix's is %s",
           sql(env, "SELECT queue_id FROM messages WHERE mailbox_id = %s" % box["id"]), qid)
    expect("event=lmtp_no_queue_id" not in env.server_log(), "Postfix sent no XFORWARD IDENT")
    keep_only(env, box)
    token2 = marker()
    since = m.pf.log_offset()
    via_postfix(env, box, test_mail.message(token2, to=box["address"]))
    qid2 = lmtp_log(m, box, "sent", since).group(1)
    expect(m.pf.wait_log(r"%s: removed" % qid2, since), "message %s never left the queue", qid2)
    kept(env, box, 2)
    expect(not [1 for _, raw in m.sink.messages() if token2.encode() in raw],
           "keep only: a copy was forwarded")
    unlock(env, box)
    r = listing(env, box)
    expect(("test " + token).encode() in r.body and ("test " + token2).encode() in r.body,
           "the listing lacks the messages: %s", show(r, 3000))


@test
@with_mailbox
def postfix_over_quota(env, box):
    """A kept-only alias whose mailbox is full: the LMTP 552 5.2.2 makes
    Postfix bounce to the sender; nothing stored."""
    keep_only(env, box)
    sql(env, "UPDATE mailboxes SET quota_bytes = 2000 WHERE id = %s" % box["id"])
    token = marker()
    since = test_mail.mail(env).pf.log_offset()
    m = via_postfix(env, box, test_mail.message(token, to=box["address"],
                                                extra="X-Pad: %s\r\n" % ("x" * 3000)))
    line = lmtp_log(m, box, "bounced", since).group(0)
    expect("5.2.2" in line, "the bounce does not say 5.2.2: %s", line)
    dsn = test_mail.arrived(m, token, 1)
    expect(any("bob@sender.example" in e["rcpt_to"][0] for e, _ in dsn),
           "the bounce did not go to the sender: %s", [e for e, _ in dsn])
    expect(stored(env, box["id"]) == 0, "a message over quota was stored")


@test
@with_mailbox
def postfix_malformed_and_8bit(env, box):
    """Broken MIME and 8-bit Latin-1 through Postfix: both stored, shown
    as well as they can be (the Latin-1 in UTF-8)."""
    keep_only(env, box)
    m1, m2 = marker(), marker()
    broken = ("From: x@example.org\r\nTo: %s\r\nSubject: broken %s\r\n"
              "Content-Type: multipart/mixed\r\n\r\n--\r\nno boundary here %s\r\n"
              % (box["address"], m1, m1)).encode()
    latin = (b"From: =?iso-8859-1?q?J=F6rg?= <j@example.org>\r\nTo: " + box["address"].encode() +
             b"\r\nSubject: K\xe4se " + m2.encode() +
             b"\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
             b"Content-Transfer-Encoding: 8bit\r\n\r\nGr\xfc\xdfe aus K\xf6ln\r\n")
    via_postfix(env, box, broken)
    kept(env, box, 1)
    via_postfix(env, box, latin)
    kept(env, box, 2)
    unlock(env, box)
    ids = message_ids(env, box["id"])
    r = message_page(env, box, ids[0])
    check_html(r, "malformed message page")
    expect(("no boundary here " + m1).encode() in r.body, "malformed message: %s", show(r, 3000))
    r = message_page(env, box, ids[1])
    check_html(r, "latin-1 message page")
    body = r.body.decode("utf-8")
    expect("Grüße aus Köln" in body and ("Käse " + m2) in body and "Jörg" in body,
           "Latin-1 through Postfix not shown in UTF-8: %s", show(r, 3000))


@test
@with_mailbox
def postfix_large_attachment(env, box):
    """A 20 MB attachment through Postfix (about 27 MB in base64): stored
    and downloaded byte for byte."""
    import base64
    keep_only(env, box)
    payload = os.urandom(20 * 1024 * 1024)
    b64 = base64.encodebytes(payload).replace(b"\n", b"\r\n")
    msg = (b"From: a@example.org\r\nTo: " + box["address"].encode() +
           b"\r\nSubject: big via postfix\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/mixed; boundary=BB\r\n\r\n--BB\r\n"
           b"Content-Type: text/plain\r\n\r\nsee attached\r\n--BB\r\n"
           b"Content-Type: application/octet-stream; name=\"data.bin\"\r\n"
           b"Content-Disposition: attachment; filename=\"data.bin\"\r\n"
           b"Content-Transfer-Encoding: base64\r\n\r\n" + b64 + b"--BB--\r\n")
    since = test_mail.mail(env).pf.log_offset()
    m = via_postfix(env, box, msg)
    lmtp_log(m, box, "sent", since, timeout=120)
    kept(env, box, 1)
    unlock(env, box)
    mid = message_ids(env, box["id"])[0]
    r = box["b"].get("/my/mailbox/%s/messages/%s/attachments/0" % (box["id"], mid), timeout=120)
    expect(r.status == 200 and r.body == payload, "download: %s, %d bytes", r.status, len(r.body))


@test
@with_mailbox
def postfix_database_down(env, box):
    """PostgreSQL stops while Postfix hands a message to the mailbox (the
    message sent, not yet stored): 451 4.3.0 after DATA and Postfix keeps
    it; PostgreSQL back, the next attempt stores it, once."""
    test_signin.use_profile(env)            # the test server, with the hooks' variables
    keep_only(env, box)
    m = test_mail.mail(env)
    stalls = env.server_log().count("event=test_lmtp_stall")
    with open(env.lmtp_stall, "w"):
        pass
    try:
        since = m.pf.log_offset()
        via_postfix(env, box, test_mail.message(marker(), to=box["address"]))
        expect(stack.wait_until(lambda: env.server_log().count("event=test_lmtp_stall") > stalls,
                                30, 0.05), "the message never reached the LMTP service")
        expect(env.pg.stop() == 0, "pg_ctl stop failed")
        try:
            os.unlink(env.lmtp_stall)
            match = lmtp_log(m, box, "deferred", since)
            qid, line = match.group(1), match.group(0)
            expect("451 4.3.0" in line and "end of DATA" in line,
                   "PostgreSQL stopped mid-delivery: %s", line)
            expect(len(m.pf.queue()) == 1, "Postfix's queue: %s", m.pf.queue())
        finally:
            env.pg.start()
        # The next attempt resolves the address through proxymap afresh.
        expect(test_mail.idle_daemons_gone(m.pf), "Postfix's idle daemons did not exit")
        since = m.pf.log_offset()
        ok = stack.wait_until(lambda: (m.pf.flush(), stored(env, box["id"]) >= 1)[1], 30, 1)
        expect(ok, "not stored once PostgreSQL is back:\n%s", m.pf.log_tail(20))
        expect(m.pf.wait_log(r"%s: removed" % qid, since), "still queued: %s", m.pf.queue())
        expect(stored(env, box["id"]) == 1, "stored %d times", stored(env, box["id"]))
    finally:
        if os.path.exists(env.lmtp_stall):
            os.unlink(env.lmtp_stall)
        after_outage(env)


@test
@with_mailbox
def postfix_lost_reply_stored_once(env, box):
    """Our 250 is lost after the commit (the connection drops): Postfix
    tries again with the same queue id, and the message is not stored a
    second time."""
    test_signin.use_profile(env)            # the test server, with the hooks' variables
    keep_only(env, box)
    m = test_mail.mail(env)
    with open(env.lmtp_drop_reply, "w"):
        pass
    try:
        token = marker()
        since = m.pf.log_offset()
        via_postfix(env, box, test_mail.message(token, to=box["address"]))
        qid = lmtp_log(m, box, "deferred", since).group(1)
        kept(env, box, 1)
        expect(not os.path.exists(env.lmtp_drop_reply), "the hook did not fire")
        m.pf.flush()
        expect(m.pf.wait_log(r"%s: to=<%s>.*status=sent" % (qid, re.escape(lmtp_address(
            box["address"]))), since), "the retry was not answered 250:\n%s", m.pf.log_tail(20))
        expect(stored(env, box["id"]) == 1, "the retry was stored again: %d copies",
               stored(env, box["id"]))
    finally:
        if os.path.exists(env.lmtp_drop_reply):
            os.unlink(env.lmtp_drop_reply)


@test
@with_mailbox
def postfix_check_lmtp(env, box):
    """deploy/postfix/postfix-check checks the route of kept mail: the
    transport, XFORWARD, the socket; no socket is a failure."""
    m = test_mail.mail(env)
    code, out = m.check()
    expect(code == 0 and "ok   lmtp: membermail-mailbox.invalid -> membermail-lmtp" in out,
           "postfix-check: exit %s:\n%s", code, out)
    moved = env.lmtp_sock + ".moved"
    os.rename(env.lmtp_sock, moved)
    try:
        code, out = m.check()
    finally:
        os.rename(moved, env.lmtp_sock)
    expect(code == 1 and "FAIL lmtp" in out and "no socket" in out,
           "postfix-check without the socket: exit %s:\n%s", code, out)


# ---------------------------------------------------------------- reading

@test
@with_mailbox
def locked_until_unlocked(env, box):
    """/my/mailbox shows the password field of a locked mailbox; its pages
    show the unlock form, never a message; a wrong password is 422."""
    m = marker()
    deliver(env, [lmtp_address(box["address"])], message(m, m), ident=queue_id())
    r = box["b"].get("/my/mailbox")
    check_html(r, "GET /my/mailbox")
    expect(re.search(rb'action="/my/mailbox/%s/unlock"' % box["id"].encode(), r.body)
           and b'name="password"' in r.body, "no unlock form with a password field: %s",
           show(r, 3000))
    r = listing(env, box)
    expect(b"is locked" in r.body and m.encode() not in r.body, "locked listing: %s", show(r, 2000))
    r = unlock(env, box, "wrong password, long enough", status=422)
    expect(b"Wrong password." in r.body, "no 'Wrong password.': %s", show(r, 3000))
    expect(not any(k.startswith("mm_unlock_") for k in box["b"].cookies), "a cookie for a wrong password")
    r = unlock(env, box)
    expect(r.header("Location") == "/my/mailbox/%s" % box["id"], "unlock redirect %r",
           r.header("Location"))
    sc = [c for c in box["b"].set_cookies if c.startswith("mm_unlock_%s=" % box["id"])]
    expect(sc and "HttpOnly" in sc[-1], "unlock cookie not HttpOnly: %r", sc)
    expect(m.encode() in listing(env, box).body, "unlocked listing lacks the message")
    row = sql(env, "SELECT octet_length(wrapped_secret_key), encode(session_token_hash, 'hex') "
                   "FROM mailbox_unlocks WHERE mailbox_id = %s" % box["id"]).split("|")
    expect(row[0] == "48", "the unlock row holds a 48-byte wrap: %r", row)


@test
@with_mailbox
def wrong_password_timing(env, box):
    """A wrong password's answer says nothing about how near it came: one
    that differs from the right one only in its last character takes as
    long as one that shares nothing with it (the Argon2id derivation runs
    in full, and only the AEAD's tag decides; medians of interleaved
    tries).  A right password takes longer, not shorter: it does more
    after the same derivation (the re-wrap, its row, the cookie)."""
    b = box["b"]
    token = b.csrf("/my/mailbox")
    tries = (("near", PASSWORD[:-1] + "f"), ("far", "not the password at all"),
             ("right", PASSWORD))
    times = {kind: [] for kind, _ in tries}
    for i in range(9):
        for kind, pw in tries:
            sql(env, "DELETE FROM rate_limits WHERE bucket LIKE 'unlock:%'")
            t0 = time.monotonic()
            r = b.post("/my/mailbox/%s/unlock" % box["id"], {"csrf_token": token, "password": pw})
            times[kind].append(time.monotonic() - t0)
            expect(r.status == (303 if kind == "right" else 422), "%s: %s", kind, show(r))
    near, far, right = (statistics.median(times[k]) for k in ("near", "far", "right"))
    print("    medians: near %.1f ms, far %.1f ms, right %.1f ms" % (near * 1e3, far * 1e3, right * 1e3))
    expect(abs(near - far) < 0.35 * max(near, far) + 0.004,
           "median nearly right %.1f ms, far off %.1f ms", near * 1e3, far * 1e3)
    expect(min(near, far) > 0.3 * right,
           "a wrong password answers much sooner than a right one: %.1f ms against %.1f ms",
           min(near, far) * 1e3, right * 1e3)


@test
@with_mailbox
def tampering_refused(env, box):
    """Changed ciphertext, changed associated data (another message id), a
    message moved to another mailbox's row: none opens."""
    other = new_box(env, "oth")
    for target in (box, other):
        for i in range(2):
            deliver(env, [lmtp_address(target["address"])], message("t%d" % i, "body %d" % i),
                    ident=queue_id())
    unlock(env, box)
    unlock(env, other)
    a, b_ = message_ids(env, box["id"])
    sql(env, "UPDATE messages SET body_ciphertext = set_byte(body_ciphertext, 5, "
             "get_byte(body_ciphertext, 5) # 1) WHERE id = %s" % a)
    r = message_page(env, box, a)
    expect(r.status == 500, "a changed body opened: %s", show(r))
    sql(env, "UPDATE messages SET header_ciphertext = set_byte(header_ciphertext, 3, "
             "get_byte(header_ciphertext, 3) # 1) WHERE id = %s" % a)
    r = listing(env, box)
    expect(b"cannot be opened" in r.body, "a changed summary was listed: %s", show(r, 3000))
    new_id = int(sql(env, "SELECT nextval(pg_get_serial_sequence('messages', 'id'))"))
    sql(env, "UPDATE messages SET id = %d WHERE id = %s" % (new_id, b_))
    r = message_page(env, box, new_id)
    expect(r.status == 500, "a message under another id opened: %s", show(r))
    o1 = message_ids(env, other["id"])[0]
    sql(env, "UPDATE messages SET mailbox_id = %s WHERE id = %s" % (box["id"], o1))
    r = message_page(env, box, o1)
    expect(r.status == 500, "another mailbox's message opened here: %s", show(r))
    r = message_page(env, other, o1)
    expect(r.status in (404, 200) and b"body 0" not in r.body or r.status == 404,
           "the moved message still shows in its old mailbox: %s", show(r))
    log = env.server_log()
    expect("event=message_unreadable" in log, "no event=message_unreadable in the log")


@test
@with_mailbox
def unlock_cookie_bound_to_session(env, box):
    """One user's unlock cookie with another user's session opens nothing;
    nor with another session of the same user."""
    deliver(env, [lmtp_address(box["address"])], message("secret", "secret body"), ident=queue_id())
    unlock(env, box)
    cookie = box["b"].cookies["mm_unlock_%s" % box["id"]]
    other = new_box(env, "cok")
    unlock(env, other)
    ob = other["b"]
    ob.cookies["mm_unlock_%s" % other["id"]] = cookie        # A's key, B's mailbox
    r = ob.get("/my/mailbox/%s" % other["id"])
    expect(r.status == 200 and b"is locked" in r.body, "B's mailbox opened with A's cookie: %s",
           show(r, 2000))
    ob.cookies["mm_unlock_%s" % box["id"]] = cookie          # A's mailbox, B's session
    r = ob.get("/my/mailbox/%s" % box["id"])
    expect(r.status == 404 and b"secret body" not in r.body, "A's mailbox for B: %s", show(r))
    # A's cookie in a second session of A's: that session has no unlock.
    b2 = Browser(env, "second")
    sign_in(env, b2, user=box["user"])
    b2.cookies["mm_unlock_%s" % box["id"]] = cookie
    r = b2.get("/my/mailbox/%s" % box["id"])
    expect(r.status == 200 and b"is locked" in r.body and b"secret body" not in r.body,
           "A's cookie opened A's mailbox in another session: %s", show(r, 2000))


@test
@with_mailbox
def unlock_cookie_over_https(env, box):
    """With an https public_url the unlock cookie is __Host-mm_unlock_<id>
    (Secure, HttpOnly, Path=/, no Domain), the plain name opens nothing,
    and the Lock button expires the __Host- cookie."""
    deliver(env, [lmtp_address(box["address"])], message("https", "over https"), ident=queue_id())
    sock = os.path.join(env.base, "mbx-https.sock")
    conf = os.path.join(env.base, "mbx-https.conf")
    stack.render_config(conf, stack.config_settings(
        sock, workers=1, public_url="https://127.0.0.1:%d" % env.port,
        database=env.pg.conninfo(), extra=env.signin_settings()), header="mailbox https profile")
    srv = env.new_server(conf=conf, sock=sock, workers=1, tag="mbx-https").start()
    try:
        srv.wait_ready()
        a = test_authz.Actor("https", int(box["uid"]))
        sql(env, "INSERT INTO sessions (token_hash, user_id, csrf_token, idle_expires_at, "
                 "expires_at) VALUES (decode('%s', 'hex'), %s, decode('%s', 'hex'), now() + "
                 "interval '1 hour', now() + interval '1 hour')"
            % (test_authz.sha256_hex(a.session), box["uid"], a.csrf))
        session = "__Host-mm_session=" + a.session

        def call(method, path, cookie, body=None):
            data = urllib.parse.urlencode(body).encode() if body else b""
            extra = {"HTTP_COOKIE": cookie, "HTTPS": "on", "REQUEST_SCHEME": "https"}
            p = fcgi.nginx_like_params(method, path, body=data, extra=extra,
                                       content_type="application/x-www-form-urlencoded"
                                       if body else None)
            return fcgi.request(sock, p, body=data)
        sql(env, "DELETE FROM rate_limits WHERE bucket LIKE 'unlock:%'")
        r = call("POST", "/my/mailbox/%s/unlock" % box["id"], session,
                 {"csrf_token": a.csrf, "password": PASSWORD})
        sc = [v for n, v in r.headers if n.lower() == "set-cookie"]
        name = "__Host-mm_unlock_%s" % box["id"]
        expect(r.status == 303 and len(sc) == 1 and sc[0].startswith(name + "="),
               "unlock over https: %s, Set-Cookie %r", r.status, sc)
        attrs = [x.strip().lower() for x in sc[0].split(";")[1:]]
        expect("secure" in attrs and "httponly" in attrs and "path=/" in attrs
               and not any(x.startswith("domain") for x in attrs), "cookie attributes %r", attrs)
        key = sc[0].split(";")[0].split("=", 1)[1]
        r = call("GET", "/my/mailbox/%s" % box["id"], "%s; %s=%s" % (session, name, key))
        expect(r.status == 200 and b"https" in r.body and b"is locked" not in r.body,
               "the __Host- cookie does not open the mailbox: %s", r.status)
        r = call("GET", "/my/mailbox/%s" % box["id"],
                 "%s; mm_unlock_%s=%s" % (session, box["id"], key))
        expect(r.status == 200 and b"is locked" in r.body,
               "the plain cookie name opened the mailbox over https: %s", r.status)
        r = call("POST", "/my/mailbox/%s/lock" % box["id"], "%s; %s=%s" % (session, name, key),
                 {"csrf_token": a.csrf})
        sc = [v for n, v in r.headers if n.lower() == "set-cookie"]
        expect(r.status == 303 and any(c.startswith(name + "=;") and "secure" in c.lower()
                                       for c in sc),
               "Lock does not expire the __Host- cookie: %s %r", r.status, sc)
    finally:
        srv.stop(signal.SIGTERM, 10)


@test
@with_mailbox
def lock_idle_and_sign_out(env, box):
    """The Lock button, 30 minutes unused (expires_at past) and signing
    out all lock it again."""
    deliver(env, [lmtp_address(box["address"])], message("x", "y"), ident=queue_id())
    b = box["b"]
    unlock(env, box)
    token = b.csrf("/my/mailbox")
    r = b.post("/my/mailbox/%s/lock" % box["id"], {"csrf_token": token})
    expect(r.status == 303, "Lock: %s", show(r))
    expect(b"is locked" in listing(env, box).body, "still open after Lock")
    expect(sql(env, "SELECT count(*) FROM mailbox_unlocks WHERE mailbox_id = %s" % box["id"]) == "0",
           "Lock left the unlock row")
    unlock(env, box)
    left = float(sql(env, "SELECT extract(epoch FROM expires_at - now()) FROM mailbox_unlocks "
                          "WHERE mailbox_id = %s" % box["id"]))
    expect(1700 < left <= 1800, "the unlock lasts %.0f s, want mailbox_idle (1800)", left)
    sql(env, "UPDATE mailbox_unlocks SET created_at = now() - interval '31 minutes', "
             "expires_at = now() - interval '1 minute' WHERE mailbox_id = %s" % box["id"])
    expect(b"is locked" in listing(env, box).body, "still open after 30 minutes idle")
    unlock(env, box)
    token = b.csrf("/my")
    r = b.post("/auth/logout", {"csrf_token": token})
    expect(r.status in (302, 303), "sign out: %s", show(r))
    expect(sql(env, "SELECT count(*) FROM mailbox_unlocks WHERE mailbox_id = %s" % box["id"]) == "0",
           "signing out left the unlock row")


@test
@with_mailbox
def listing_pages_and_delete(env, box):
    """50 a page, newest first, the next page by cursor; delete one, then
    several at once; the quota follows."""
    for i in range(53):
        deliver(env, [lmtp_address(box["address"])], message("number %02d" % i, "n"),
                ident=queue_id())
    unlock(env, box)
    r = listing(env, box)
    rows = re.findall(rb'id="message-(\d+)"', r.body)
    expect(len(rows) == 50, "first page: %d rows", len(rows))
    subjects = re.findall(rb"number (\d\d)", r.body)
    expect(subjects[0] == b"52" and subjects[-1] == b"03", "newest first: %r", subjects[:3])
    m = re.search(rb'href="/my/mailbox/%s\?before=([0-9.]+)"' % box["id"].encode(), r.body)
    expect(m, "no link to the older page")
    r = box["b"].get("/my/mailbox/%s?before=%s" % (box["id"], m.group(1).decode()))
    older = re.findall(rb"number (\d\d)", r.body)
    expect(older == [b"02", b"01", b"00"], "second page: %r", older)
    token = box["b"].csrf("/my/mailbox/%s" % box["id"])
    ids = [x.decode() for x in rows]
    r = box["b"].post("/my/mailbox/%s/delete" % box["id"], {"csrf_token": token, "message": ids[0]})
    expect(r.status == 303, "delete one: %s", show(r))
    body = urllib.parse.urlencode([("csrf_token", token)] + [("message", x) for x in ids[1:4]])
    r = box["b"].keep(env.req("POST", "/my/mailbox/%s/delete" % box["id"], body=body.encode(),
                              headers=box["b"].headers(**{"Content-Type":
                                                          "application/x-www-form-urlencoded"})))
    expect(r.status == 303, "delete three: %s", show(r))
    expect(stored(env, box["id"]) == 49, "after deleting 4 of 53: %d", stored(env, box["id"]))
    used = sql(env, "SELECT used_bytes = (SELECT coalesce(sum(size_bytes), 0) FROM messages "
                    "WHERE mailbox_id = %s) FROM mailboxes WHERE id = %s" % (box["id"], box["id"]))
    expect(used == "t", "used_bytes does not follow the deletions")
    expect(int(sql(env, "SELECT count(*) FROM audit_log WHERE action = 'mailbox.delete_messages' "
                        "AND target_id = %s" % box["id"])) == 2, "no audit rows for the deletions")


@test
@with_mailbox
def export_mboxrd(env, box):
    """The export streams every message as mboxrd, oldest first."""
    deliver(env, [lmtp_address(box["address"])], message("first", "From the start\n>From quoted"),
            sender="s1@example.org", ident=queue_id())
    deliver(env, [lmtp_address(box["address"])], message("second", "plain"), sender="",
            ident=queue_id())
    r = box["b"].get("/my/mailbox/%s/export" % box["id"])
    expect(r.status == 200 and b"is locked" in r.body, "export of a locked mailbox: %s", show(r))
    unlock(env, box)
    r = box["b"].get("/my/mailbox/%s/export" % box["id"])
    expect(r.status == 200, "export: %s", show(r))
    expect((r.header("Content-Type") or "").startswith("application/mbox"), "type %r",
           r.header("Content-Type"))
    expect((r.header("Content-Disposition") or "").startswith("attachment;"), "disposition %r",
           r.header("Content-Disposition"))
    body = r.body.decode()
    froms = re.findall(r"^From (\S+) ", body, re.M)
    expect(froms == ["s1@example.org", "MAILER-DAEMON"], "From lines: %r", froms)
    expect("\n>From the start\n" in body and "\n>>From quoted\n" in body,
           "mboxrd quoting: %r", body[:600])
    expect("\r\n" not in body, "CRLF left in the mbox")
    expect(body.index("Subject: first") < body.index("Subject: second"), "not oldest first")


@test
@with_mailbox
def password_change_and_reset(env, box):
    """A new password opens the same messages and the old one no longer
    does; a reset destroys them all (after the address is typed)."""
    for i in range(3):
        deliver(env, [lmtp_address(box["address"])], message("keep %d" % i, "k"), ident=queue_id())
    body_before = sql(env, "SELECT string_agg(encode(sha256(body_ciphertext), 'hex'), ',' "
                           "ORDER BY id) FROM messages WHERE mailbox_id = %s" % box["id"])
    b = box["b"]
    token = b.csrf("/my/mailbox/%s/settings" % box["id"])
    r = b.post("/my/mailbox/%s/password" % box["id"],
               {"csrf_token": token, "old_password": "wrong wrong wrong", "password": OTHER_PASSWORD,
                "password2": OTHER_PASSWORD})
    expect(r.status == 422 and b"Wrong password." in r.body, "wrong old password: %s", show(r))
    r = b.post("/my/mailbox/%s/password" % box["id"],
               {"csrf_token": token, "old_password": PASSWORD, "password": OTHER_PASSWORD,
                "password2": OTHER_PASSWORD})
    expect(r.status == 303, "password change: %s", show(r, 2000))
    body_after = sql(env, "SELECT string_agg(encode(sha256(body_ciphertext), 'hex'), ',' "
                          "ORDER BY id) FROM messages WHERE mailbox_id = %s" % box["id"])
    expect(body_before == body_after, "messages were re-encrypted")
    unlock(env, box, PASSWORD, status=422)
    unlock(env, box, OTHER_PASSWORD)
    r = listing(env, box)
    expect(all(("keep %d" % i).encode() in r.body for i in range(3)), "messages unreadable: %s",
           show(r, 3000))
    token = b.csrf("/my/mailbox/%s/settings" % box["id"])
    r = b.post("/my/mailbox/%s/reset" % box["id"], {"csrf_token": token, "confirm": "nope",
                                                    "password": PASSWORD, "password2": PASSWORD})
    expect(r.status == 422 and stored(env, box["id"]) == 3, "reset without confirmation: %s", show(r))
    r = b.post("/my/mailbox/%s/reset" % box["id"], {"csrf_token": token, "confirm": box["address"],
                                                    "password": PASSWORD, "password2": PASSWORD})
    expect(r.status == 303, "reset: %s", show(r, 2000))
    expect(stored(env, box["id"]) == 0, "reset left %d messages", stored(env, box["id"]))
    expect(b"is locked" in listing(env, box).body, "reset left it unlocked")
    unlock(env, box, OTHER_PASSWORD, status=422)
    unlock(env, box, PASSWORD)
    _, data = deliver(env, [lmtp_address(box["address"])], message("after reset", "new"),
                      ident=queue_id())
    expect(data[0][0] == 250 and b"after reset" in listing(env, box).body, "no mail after reset")


@test
@with_mailbox
def delivery_modes(env, box):
    """forward / keep / both per alias: what Postfix's views route."""
    addr = box["address"]
    local, domain = addr.split("@")

    def routed():
        """What Postfix's virtual_alias_maps answers for the address."""
        return sql(env, "SELECT string_agg(r, ',' ORDER BY r) FROM "
                        "postfix_lookup_recipients(%s, %s) AS r" % (lit(local), lit(domain)))
    fwd, lmtp = "%s@example.net" % local, lmtp_address(addr)
    both = ",".join(sorted([fwd, lmtp]))
    expect(routed() == both, "a new mailbox: both, %r", routed())
    b = box["b"]
    for mode, want in (("keep", lmtp), ("forward", fwd), ("both", both)):
        token = b.csrf("/my/mailbox/%s/settings" % box["id"])
        r = b.post("/my/mailbox/%s/delivery" % box["id"], {"csrf_token": token, "delivery": mode})
        expect(r.status == 303, "delivery %s: %s", mode, show(r))
        expect(routed() == want, "delivery %s routes %r, want %r", mode, routed(), want)
    r = b.post("/my/mailbox/%s/delivery" % box["id"], {"csrf_token": token, "delivery": "nowhere"})
    expect(r.status == 422, "delivery nowhere: %s", show(r))
    expect(int(sql(env, "SELECT count(*) FROM audit_log WHERE action = 'alias.delivery' AND "
                        "target_id = %s" % box["alias"])) == 3, "alias.delivery audit rows")


@test
@with_mailbox
def api_lists_mailboxes(env, box):
    """GET /api/v1/mailboxes: quota and counts, never content."""
    m = marker()
    deliver(env, [lmtp_address(box["address"])], message(m, m), ident=queue_id())
    token = mk_token(env, int(box["uid"]))
    r = call(env, "GET", "/api/v1/mailboxes", token)
    expect(r.status == 200, "GET /api/v1/mailboxes: %s", show(r))
    items = json.loads(r.body)["items"]
    expect(len(items) == 1, "items %r", items)
    it = items[0]
    expect(it["address"] == box["address"] and it["delivery"] == "both" and it["messages"] == 1
           and it["quota_bytes"] == 100 * 1024 * 1024 and it["used_bytes"] > 0, "item %r", it)
    expect(m.encode() not in r.body, "content in the API")
    r = call(env, "GET", "/api/v1/mailboxes")
    expect(r.status == 401, "without a token: %s", show(r))


@test
@with_mailbox
def cli_creates_a_mailbox(env, box):
    """membermail mailbox create: the password from a file, keep-only."""
    did = box["domain"]
    aid = new_alias(env, did, "cli-" + box["address"].split("@")[0][:30], int(box["uid"]),
                    ["x@example.net"])
    address = sql(env, "SELECT local_part || '@' || (SELECT name FROM domains WHERE id = %s) "
                       "FROM aliases WHERE id = %s" % (did, aid))
    pw = os.path.join(env.base, "pw.txt")
    with open(pw, "w") as f:
        f.write("short\n")
    code, out = env.run_cli(["mailbox", "create", address, "-c", env.conf, "--password-file", pw])
    expect(code == 1 and "at least 12" in out, "a short password: %s %s", code, out)
    with open(pw, "w") as f:
        f.write(PASSWORD + "\n")
    code, out = env.run_cli(["mailbox", "create", address, "-c", env.conf, "--delivery", "keep",
                             "--password-file", pw])
    expect(code == 0 and "created" in out, "mailbox create: %s %s", code, out)
    expect(sql(env, "SELECT has_mailbox, forward FROM aliases WHERE id = %s" % aid) == "t|f",
           "keep-only not set")
    code, out = env.run_cli(["mailbox", "create", address, "-c", env.conf, "--password-file", pw])
    expect(code == 1 and "already" in out, "a second mailbox: %s %s", code, out)
    code, out = env.run_cli(["mailbox", "create", "nobody@nowhere.test", "-c", env.conf,
                             "--password-file", pw])
    expect(code == 1 and "no such address" in out, "unknown address: %s %s", code, out)
    expect(sql(env, "SELECT actor_kind FROM audit_log WHERE action = 'mailbox.create' "
                    "ORDER BY id DESC LIMIT 1") == "cli", "the CLI's audit row")



# ---------------------------------------------------------------- the LMTP pool

def lmtp_instance(env, name, **keys):
    import test_ops
    path = os.path.join(env.base, "ops-%s-lmtp.sock" % name)
    k = {"lmtp_listen": "unix:" + path, "lmtp_workers": 2, "pwhash_opslimit": 1,
         "pwhash_memlimit": "8m"}
    k.update(keys)
    inst = test_ops.Instance(env, name, slot=name, **k)
    inst.lmtp_sock = path
    return inst


def lmtp_pids(inst, n, timeout=10):
    """The instance's n LMTP workers, once they are n and all accept."""
    def settled():
        j = inst.sjson(full=True)
        pids = stack.lmtp_workers_of(inst.master())
        procs = [p for p in j["processes"] if p.get("pool") == "lmtp"]
        ok = (j.get("lmtp", {}).get("workers wanted") == n and len(pids) == n and len(procs) == n
              and all(p["state"] in ("Idle", "Running") and p["generation"] == j["generation"]
                      for p in procs) and sorted(p["pid"] for p in procs) == pids)
        return pids if ok else None
    pids = stack.wait_until(settled, timeout, 0.05)
    expect(pids, "%s: the LMTP pool did not settle at %d: %s", inst.name, n, inst.sjson(True))
    return pids


@test
@tidy
def lmtp_pool_managed(env):
    """The LMTP workers are the master's second pool: the status page and
    ctl show it, ctl scale-lmtp scales it, a killed worker comes back, a
    reload replaces it, a graceful stop lets an open connection go with
    421."""
    import test_ops
    box = new_box(env, "pool")
    inst = lmtp_instance(env, "pool")
    try:
        inst.start()
        first = lmtp_pids(inst, 2)
        r = inst.status("/status")
        expect(r.status == 200 and re.search(rb"\npool: +lmtp\n", r.body)
               and b"messages stored:" in r.body, "status text lacks the LMTP pool: %s", r.body)
        m = inst.status("/metrics").body.decode()
        expect('membermail_idle_processes{pool="lmtp"} 2' in m
               and "membermail_lmtp_messages_total 0" in m, "metrics lack the LMTP pool: %s", m)
        code, out, err = test_ops.ctl(env, inst, "status")
        expect(code == 0 and re.search(r"lmtp workers wanted: +2", out), "ctl status: %s %s", out, err)
        code, out, err = test_ops.ctl(env, inst, "scale-lmtp", "3")
        expect(code == 0, "ctl scale-lmtp 3: %s %s", out, err)
        pids = lmtp_pids(inst, 3)
        expect(len(inst.workers()) == 2, "scaling LMTP changed the FastCGI pool: %s", inst.workers())
        _, data = deliver(env, [lmtp_address(box["address"])], message("via pool", "x"),
                          ident=queue_id(), sock=inst.lmtp_sock)
        expect(data and data[0][0] == 250, "delivery through the instance: %r", data)
        j = inst.sjson()
        expect(j["lmtp"]["accepted conn"] >= 1, "LMTP connections not counted: %s", j["lmtp"])
        victim = pids[0]
        os.kill(victim, signal.SIGKILL)
        back = stack.wait_until(lambda: victim not in stack.lmtp_workers_of(inst.master())
                                and len(stack.lmtp_workers_of(inst.master())) == 3, 5)
        expect(back, "a killed LMTP worker was not replaced")
        inst.write(lmtp_workers=2)
        code, out, err = test_ops.ctl(env, inst, "reload")
        expect(code == 0, "ctl reload: %s %s", out, err)
        after = lmtp_pids(inst, 2)
        expect(not set(after) & set(first + pids), "a reload kept old LMTP workers: %s", after)
        c = Lmtp(inst.lmtp_sock)
        try:
            expect(c.cmd("LHLO t")[0] == 250, "LHLO")
            os.kill(inst.master(), signal.SIGQUIT)
            code, t = c.reply()
            expect(code == 421, "an idle connection at a graceful stop: want 421, got %s %s", code, t)
        finally:
            c.close()
        expect(stack.wait_until(lambda: not inst.srv.proc.running(), 10), "the master did not stop")
    finally:
        inst.stop()


@test
@tidy
def lmtp_workers_recycled(env):
    """max_requests counts the messages an LMTP worker stored: then it is
    replaced, between connections."""
    box = new_box(env, "rec")
    inst = lmtp_instance(env, "recycle", lmtp_workers=1, max_requests=2)
    try:
        inst.start()
        (first,) = lmtp_pids(inst, 1)
        for i in range(2):
            _, data = deliver(env, [lmtp_address(box["address"])], message("r%d" % i, "x"),
                              ident=queue_id(), sock=inst.lmtp_sock)
            expect(data and data[0][0] == 250, "delivery %d: %r", i, data)
        new = stack.wait_until(lambda: [p for p in stack.lmtp_workers_of(inst.master())
                                        if p != first], 5)
        expect(new and first not in stack.lmtp_workers_of(inst.master()),
               "the LMTP worker was not replaced after max_requests messages")
        inst.wait_log(r"event=worker_exit worker=%d status=0 " % first, 0, 3)
    finally:
        inst.stop()
