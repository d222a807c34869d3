#!/usr/bin/python3
"""membermail integration tests of notification delivery: `membermail
outbox` against the SMTP sink (tests/smtp_sink.py, a real SMTP server on
loopback) and the private PostgreSQL run.py starts.

Not a runner of its own: run.py imports it, which appends these tests to
its list.  Outbox rows are inserted with SQL as the owner (the rows'
writers live in other modules); each test starts from an empty outbox
and an empty sink.  One plain sink and one with STARTTLS and AUTH (a
self-signed certificate made in the run's directory) serve every test.
"""

import email
import email.policy
import json
import os
import re
import threading

import stack
from run import Fail, expect, test  # noqa: F401

OWNER = stack.OWNER_ROLE
DB = stack.APP_DB
FROM = "membermail@members.test"
SUMMARY = re.compile(r"^outbox: sent (\d+), deferred (\d+), failed (\d+), [\d.]+ seconds$", re.M)
AUTH = ("relay-user", "s3cret-Pa55")


# ---------------------------------------------------------------- helpers

def _sinks(env):
    """(plain sink, STARTTLS+AUTH sink), started once per run."""
    if getattr(env, "outbox_sinks", None) is None:
        cert = stack.self_signed_cert(env.base)
        plain = stack.SmtpSink(os.path.join(env.base, "mail"), os.path.join(env.base, "sink.log"))
        tls = stack.SmtpSink(os.path.join(env.base, "mail-tls"),
                             os.path.join(env.base, "sink-tls.log"), tls=cert, auth=AUTH,
                             name="smtp-sink-tls")
        env.outbox_sinks = (plain.start(), tls.start())
        env.outbox_cert = cert[0]
    return env.outbox_sinks


def _fresh(env):
    """Empty outbox table and sinks; the plain sink running, without knobs."""
    plain, tls = _sinks(env)
    if plain.proc is None:
        plain.start()
    plain.clear()
    tls.clear()
    sql(env, "DELETE FROM outbox")
    return plain, tls


def sql(env, text):
    return env.pg.psql(text, db=DB, user=OWNER)


def scalar(env, text):
    return env.pg.scalar(text, db=DB, user=OWNER)


def lit(s):
    return "'" + s.replace("'", "''") + "'"


def arr(xs):
    return "ARRAY[%s]::text[]" % ", ".join(lit(x) for x in xs)


def insert(env, to, subject="Your alias", body="Hello.\n", cc=(), bcc=()):
    """A due outbox row; its id."""
    out = scalar(env, "INSERT INTO outbox (to_addresses, cc_addresses, bcc_addresses, subject, body) "
                      "VALUES (%s, %s, %s, %s, %s) RETURNING id"
                 % (arr(to), arr(cc), arr(bcc), lit(subject), lit(body)))
    return int(out)


def row(env, msg_id):
    """attempts, sent, failed, last_error, seconds until next attempt."""
    out = scalar(env, "SELECT json_build_object('attempts', attempts, 'sent', sent_at IS NOT NULL, "
                      "'failed', failed_at IS NOT NULL, 'last_error', last_error, 'wait', "
                      "extract(epoch FROM next_attempt_at - now()))::text FROM outbox WHERE id = %d"
                 % msg_id)
    return json.loads(out)


def make_due(env):
    sql(env, "UPDATE outbox SET next_attempt_at = now() WHERE sent_at IS NULL AND failed_at IS NULL")


def conf(env, url, tls="none", max_attempts=3, extra=()):
    path = os.path.join(env.base, "outbox-%d.conf" % len(env.serve_logs))
    stack.render_config(path, stack.config_settings(
        env.sock, database=env.pg.conninfo(),
        extra=[("smtp_url", url), ("smtp_tls", tls), ("mail_from", FROM),
               ("smtp_timeout", "5"), ("outbox_max_attempts", str(max_attempts))] + list(extra)))
    return path


def outbox(env, cfg, *args):
    """Runs `membermail outbox`; (exit status, output, (sent, deferred, failed))."""
    code, out = env.run_cli(["outbox", "-c", cfg] + list(args), timeout=60)
    m = SUMMARY.search(out)
    counts = tuple(int(x) for x in m.groups()) if m else None
    return code, out, counts


def expect_run(env, cfg, want_code, want_counts, what):
    code, out, counts = outbox(env, cfg)
    expect(code == want_code and counts == want_counts,
           "%s: want exit %s and (sent, deferred, failed) %s, got %s %s:\n%s",
           what, want_code, want_counts, code, counts, out[-1500:])
    return out


def parse(raw):
    return email.message_from_bytes(raw, policy=email.policy.default)


def dead_url():
    """An SMTP URL where nothing listens."""
    return "smtp://127.0.0.1:%d" % stack.free_port()


# ---------------------------------------------------------------- tests

@test
def outbox_delivers_headers_and_envelope(env):
    plain, _ = _fresh(env)
    body = "Hello Alice,\n\n.\n..two dots\n.leading dot\nend = fine \n"
    mid = insert(env, ["alice@example.org"], "Your alias is ready", body,
                 cc=["admin1@example.net", "admin2@example.net"], bcc=["audit@example.com"])
    cfg = conf(env, plain.url)
    out = expect_run(env, cfg, 0, (1, 0, 0), "first run")
    msgs = plain.messages()
    expect(len(msgs) == 1, "want one message at the sink, got %d", len(msgs))
    envelope, raw = msgs[0]
    expect(envelope["mail_from"] == FROM, "MAIL FROM %r", envelope["mail_from"])
    expect(envelope["rcpt_to"] == ["alice@example.org", "admin1@example.net", "admin2@example.net",
                                   "audit@example.com"], "RCPT TO %r", envelope["rcpt_to"])
    expect(b"audit@example.com" not in raw and b"Bcc" not in raw,
           "the Bcc address leaked into the message:\n%r", raw[:800])
    expect(b"\r\n" in raw and re.search(rb"[^\r]\n", raw) is None, "not CRLF throughout: %r", raw[:300])
    m = parse(raw)
    expect(m["From"] == FROM and m["To"] == "alice@example.org",
           "From/To: %r %r", m["From"], m["To"])
    expect(m["Cc"] == "admin1@example.net, admin2@example.net", "Cc: %r", m["Cc"])
    expect(m["Subject"] == "Your alias is ready", "Subject: %r", m["Subject"])
    expect(re.fullmatch(r"<outbox\.%d\.\d+@members\.test>" % mid, m["Message-ID"] or ""),
           "Message-ID: %r", m["Message-ID"])
    expect(m["Auto-Submitted"] == "auto-generated", "Auto-Submitted: %r", m["Auto-Submitted"])
    expect(m["MIME-Version"] == "1.0" and m.get_content_type() == "text/plain"
           and m.get_content_charset() == "utf-8", "MIME headers: %r", raw[:600])
    expect(m["Date"] is not None and m["Date"].datetime is not None, "Date: %r", m["Date"])
    # Every dot line arrives as written: libcurl stuffs, the sink unstuffs.
    got = m.get_content().replace("\r\n", "\n")      # CRLF on the wire
    expect(got == body, "body changed in transit:\n%r\nwant\n%r", got, body)
    r = row(env, mid)
    expect(r["sent"] and r["attempts"] == 1 and r["last_error"] is None and not r["failed"],
           "row after delivery: %s", r)
    expect("event=outbox_sent id=%d" % mid in out, "no event=outbox_sent line:\n%s", out)
    # A second run sends nothing again.
    expect_run(env, cfg, 0, (0, 0, 0), "second run")
    expect(len(plain.messages()) == 1, "a second run delivered again")


@test
def outbox_non_ascii_subject_and_body(env):
    plain, _ = _fresh(env)
    subject = "Grüße aus Köln — ваш адрес готов — 日本語の件名も十分に長くして折り返しを確かめる"
    body = "Zürich ✓\nligne très longue " + "é" * 120 + "\n"
    insert(env, ["bob@example.org"], subject, body)
    expect_run(env, conf(env, plain.url), 0, (1, 0, 0), "run")
    (_, raw), = plain.messages()
    expect(all(b < 0x80 for b in raw), "the message is not 7-bit clean")
    expect(max(len(line) for line in raw.split(b"\r\n")) <= 78, "a line over 78 characters")
    expect(b"=?UTF-8?B?" in raw, "subject not RFC 2047-encoded:\n%r", raw[:600])
    m = parse(raw)
    expect(m["Subject"] == subject, "Subject decoded as %r", m["Subject"])
    got = m.get_content().replace("\r\n", "\n")
    expect(got == body, "body decoded as %r", got)


@test
def outbox_refuses_header_injection(env):
    """The database refuses a subject with a line break; smtp_build's own
    refusal of CR/LF is covered by tests/unit/test_smtp.c."""
    _fresh(env)
    code, _, err = env.pg.psql("INSERT INTO outbox (to_addresses, subject, body) VALUES "
                               "(ARRAY['a@example.org'], E'hi\\r\\nBcc: x@evil.example', 'x')",
                               db=DB, user=OWNER, check=False)
    expect(code != 0 and "outbox_subject_check" in err, "a subject with CR LF was stored: %s", err)


@test
def outbox_retries_while_relay_down(env):
    plain, _ = _fresh(env)
    mid = insert(env, ["carol@example.org"], "Retry me")
    # Nothing listening: refused connection.
    out = expect_run(env, conf(env, dead_url()), 75, (0, 1, 0), "relay down")
    r = row(env, mid)
    expect(r["attempts"] == 1 and not r["sent"] and not r["failed"] and r["last_error"]
           and 45 <= r["wait"] <= 73, "after a refused connection: %s", r)
    expect("event=outbox_deferred id=%d attempt=1 outcome=unavailable" % mid in out,
           "no event=outbox_deferred line:\n%s", out)
    # Not due yet: a run now leaves it alone.
    cfg = conf(env, plain.url)
    expect_run(env, cfg, 0, (0, 0, 0), "before the back-off expired")
    # The relay answers 421.
    make_due(env)
    plain.knobs(greeting=421)
    expect_run(env, cfg, 75, (0, 1, 0), "421 greeting")
    r = row(env, mid)
    expect(r["attempts"] == 2 and "421" in (r["last_error"] or "") and 94 <= r["wait"] <= 145,
           "after a 421 (back-off should double): %s", r)
    # The relay is back.
    make_due(env)
    plain.knobs()
    expect_run(env, cfg, 0, (1, 0, 0), "relay back")
    r = row(env, mid)
    expect(r["sent"] and r["attempts"] == 3 and r["last_error"] is None, "after delivery: %s", r)
    expect(len(plain.messages()) == 1, "want exactly one delivery, got %d", len(plain.messages()))


@test
def outbox_temporary_refusals_defer(env):
    plain, _ = _fresh(env)
    cfg = conf(env, plain.url)
    mid = insert(env, ["dan@example.org"])
    for knob in ("rcpt", "data"):
        make_due(env)
        plain.knobs(**{knob: 451})
        # The relay is up, so this is no outage: exit 0, message deferred.
        expect_run(env, cfg, 0, (0, 1, 0), "451 on %s" % knob)
        r = row(env, mid)
        expect("451" in (r["last_error"] or "") and not r["sent"] and not r["failed"],
               "after 451 on %s: %s", knob, r)
    expect(plain.messages() == [], "a refused message was stored")


@test
def outbox_permanent_refusal_fails_at_once(env):
    plain, _ = _fresh(env)
    mid = insert(env, ["nobody@example.org"])
    plain.knobs(rcpt=550)
    out = expect_run(env, conf(env, plain.url), 0, (0, 0, 1), "550 on RCPT")
    r = row(env, mid)
    expect(r["failed"] and r["attempts"] == 1 and "550" in (r["last_error"] or ""),
           "after a 550: %s", r)
    expect("event=outbox_failed id=%d attempt=1 outcome=permanent" % mid in out,
           "no event=outbox_failed line:\n%s", out)


@test
def outbox_gives_up_then_retry(env):
    plain, _ = _fresh(env)
    mid = insert(env, ["erin@example.org"], "Give up")
    dead = conf(env, dead_url(), max_attempts=3)
    for attempt in (1, 2):
        expect_run(env, dead, 75, (0, 1, 0), "attempt %d" % attempt)
        make_due(env)
    r = row(env, mid)
    expect(r["attempts"] == 2 and not r["failed"], "after two attempts: %s", r)
    expect_run(env, dead, 75, (0, 0, 1), "third attempt: give up")
    r = row(env, mid)
    expect(r["failed"] and r["attempts"] == 3 and r["last_error"], "after giving up: %s", r)
    make_due(env)
    expect_run(env, conf(env, plain.url), 0, (0, 0, 0), "a failed message is not retried by runs")
    expect(plain.messages() == [], "a failed message was sent")

    # The site admins' retry (/admin/outbox/:id/retry, mail_retry in a worker).
    import test_site_admin
    admin, _, _ = test_site_admin.signed_in(env, "obx", site_admin=True)
    token = admin.csrf("/my")

    def retry(msg_id):
        return admin.post("/admin/outbox/%d/retry" % msg_id, {"csrf_token": token})
    other = insert(env, ["frank@example.org"], "Not failed")
    sql(env, "UPDATE outbox SET next_attempt_at = now() + interval '1 hour' WHERE id = %d" % other)
    resp = retry(other)
    expect(resp.status == 404, "retry of a message that did not fail: want 404, got %s", resp.status)
    resp = retry(mid)
    expect(resp.status == 303, "retry: want 303, got %s %r", resp.status, resp.body[:200])
    r = row(env, mid)
    expect(not r["failed"] and r["attempts"] == 0 and r["wait"] <= 0 and r["last_error"],
           "after retry (error kept until the next attempt): %s", r)
    expect(retry(mid).status == 404, "a second retry is not 404")
    sql(env, "DELETE FROM outbox WHERE id = %d" % other)
    expect_run(env, conf(env, plain.url), 0, (1, 0, 0), "after retry")
    expect(row(env, mid)["sent"], "not sent after retry")


@test
def outbox_tls_required_without_starttls(env):
    plain, _ = _fresh(env)
    mid = insert(env, ["grace@example.org"])
    expect_run(env, conf(env, plain.url, tls="required"), 75, (0, 1, 0), "no STARTTLS offered")
    r = row(env, mid)
    err = (r["last_error"] or "").upper()
    expect(not r["sent"] and r["attempts"] == 1 and ("TLS" in err or "SSL" in err),
           "error kept: %s", r)
    expect(plain.messages() == [], "sent in clear although TLS was required")


@test
def outbox_starttls_and_auth(env):
    _, tls = _fresh(env)
    pwfile = os.path.join(env.base, "smtp-password")
    with open(pwfile, "w") as f:
        f.write(AUTH[1] + "\n")
    extra = [("smtp_user", AUTH[0]), ("smtp_password_file", pwfile),
             ("smtp_ca_file", env.outbox_cert)]
    # A password file others may read is refused before anything is sent.
    os.chmod(pwfile, 0o644)
    mid = insert(env, ["heidi@example.org"], "Over TLS")
    cfg = conf(env, tls.url, tls="required", extra=extra)
    code, out, _ = outbox(env, cfg)
    expect(code == 1 and "mode 0644" in out and AUTH[1] not in out,
           "world-readable password file: want exit 1 naming the mode, got %s:\n%s", code, out)
    os.chmod(pwfile, 0o600)
    # Without smtp_ca_file the self-signed certificate is not trusted.
    untrusted = conf(env, tls.url, tls="required", extra=extra[:2])
    expect_run(env, untrusted, 75, (0, 1, 0), "untrusted certificate")
    make_due(env)
    out = expect_run(env, cfg, 0, (1, 0, 0), "STARTTLS + AUTH")
    (envelope, raw), = tls.messages()
    expect(envelope["tls"] and envelope["auth_user"] == AUTH[0], "envelope: %s", envelope)
    expect(AUTH[1] not in out, "the password was printed")
    # Authentication without TLS is refused by configuration.
    code, out, _ = outbox(env, conf(env, tls.url, tls="try", extra=extra))
    expect(code == 1 and "needs TLS" in out, "AUTH with smtp_tls=try: want refusal, got %s:\n%s",
           code, out)
    # A wrong password: the relay refuses us, nothing sent, exit 75.
    with open(pwfile, "w") as f:
        f.write("wrong\n")
    insert(env, ["ivan@example.org"])
    expect_run(env, cfg, 75, (0, 1, 0), "wrong password")
    expect(len(tls.messages()) == 1, "sent with a wrong password")


@test
def outbox_concurrent_runs_send_once(env):
    plain, _ = _fresh(env)
    n = 30
    ids = [insert(env, ["user%d@example.org" % i], "Message %d" % i) for i in range(n)]
    plain.knobs(delay=0.05)     # each connection slower: the runs overlap
    cfg = conf(env, plain.url)
    results = [None, None]

    def go(i):
        results[i] = outbox(env, cfg)
    threads = [threading.Thread(target=go, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    expect(all(r is not None and r[0] == 0 and r[2] for r in results), "runs: %s",
           [(r[0], r[2], r[1][-300:]) if r else None for r in results])
    sent = [r[2][0] for r in results]
    expect(sum(sent) == n, "sent %s, want %d in all", sent, n)
    subjects = sorted(parse(raw)["Subject"] for _, raw in plain.messages())
    expect(subjects == sorted("Message %d" % i for i in range(n)),
           "each message once: got %d messages, %d distinct", len(subjects), len(set(subjects)))
    expect(scalar(env, "SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL AND attempts = 1 "
                       "AND id = ANY(ARRAY[%s])" % ",".join(map(str, ids))) == str(n),
           "rows not all sent once")


@test
def outbox_limit_and_usage(env):
    plain, _ = _fresh(env)
    for i in range(3):
        insert(env, ["lim%d@example.org" % i])
    cfg = conf(env, plain.url)
    code, out, counts = outbox(env, cfg, "--once", "--limit", "2")
    expect(code == 0 and counts == (2, 0, 0), "--limit 2: %s %s\n%s", code, counts, out)
    code, out, _ = outbox(env, cfg, "--limit", "0")
    expect(code == 2 and "--limit" in out, "--limit 0: want exit 2, got %s\n%s", code, out)
    code, out, _ = outbox(env, cfg, "extra")
    expect(code == 2 and "usage" in out, "stray argument: want exit 2, got %s\n%s", code, out)
    expect_run(env, cfg, 0, (1, 0, 0), "the rest")


@test
def outbox_database_unreachable(env):
    plain, _ = _fresh(env)
    path = os.path.join(env.base, "outbox-nodb.conf")
    stack.render_config(path, stack.config_settings(
        env.sock, database="host=/nonexistent dbname=membermail",
        extra=[("smtp_url", plain.url), ("smtp_tls", "none"), ("mail_from", FROM)]))
    code, out, counts = outbox(env, path)
    expect(code == 1 and counts is None and "cannot connect" in out,
           "no database: want exit 1, got %s\n%s", code, out)


@test
def outbox_rows_swept_by_cleanup(env):
    _fresh(env)
    old = insert(env, ["old@example.org"])
    recent = insert(env, ["recent@example.org"])
    failed = insert(env, ["failed@example.org"])
    sql(env, "UPDATE outbox SET sent_at = now() - interval '31 days' WHERE id = %d;"
             "UPDATE outbox SET sent_at = now() - interval '29 days' WHERE id = %d;"
             "UPDATE outbox SET failed_at = now() - interval '90 days' WHERE id = %d"
        % (old, recent, failed))
    code, out = env.run_cli(["cleanup", "-c", env.conf])
    expect(code == 0 and "sent mail 1" in out, "cleanup: %s\n%s", code, out)
    left = scalar(env, "SELECT string_agg(id::text, ',' ORDER BY id) FROM outbox")
    expect(left == "%d,%d" % (recent, failed), "rows left %r, want recent and failed", left)

