#!/usr/bin/python3
"""membermail integration tests of the mail path: a real Postfix reading
the aliases from the run's PostgreSQL (deploy/postfix/ rendered into a
private instance, tables through proxy:pgsql with a password-checked
read-only login), Debian's postsrsd for SRS, the SMTP sink standing for
the recipients' providers.

Not a runner of its own: tests/integration/run.py imports it before
test_db.py.  The mail daemons start with the first test that needs them
(mail(env)) and are stopped with everything else at the end of the run.
Clients connect from 127.0.0.2, outside the instance's mynetworks: to
Postfix they are the internet.  Each test makes its own domains
(test_member.new_domain) and finds its messages at the sink by a token
in the Subject.
"""

import os
import re
import secrets
import smtplib
import subprocess
import time

import mailstack
import stack
import test_recipients
from run import Fail, expect, test  # noqa: F401
from stack import wait_until
from test_member import (alias_form, join, lit, member, new_alias, new_domain, post_alias,  # noqa: F401
                         sql, tidy)

MX = mailstack.MX_HOSTNAME
CLIENT = "127.0.0.2"            # outside the instance's mynetworks
PF_ROLE = "mm_postfix"          # the read-only login of deploy/postfix/pgsql/*.cf
CHECK = os.path.join(mailstack.POSTFIX_DIR, "postfix-check")


class MailStack:
    """The sink, postsrsd and the Postfix of the run."""

    def __init__(self, env):
        self.env = env
        self.base = os.path.join(env.base, "mail")
        os.makedirs(self.base, exist_ok=True)
        self.password = secrets.token_hex(12)
        self.login_role()
        self.sink = stack.SmtpSink(os.path.join(self.base, "sink"),
                                   os.path.join(self.base, "sink.log")).start()
        self.srs = mailstack.Postsrsd(os.path.join(self.base, "srs")).start()
        # max_idle: idle daemons leave after 3 s, so that a test can wait
        # for fresh ones (see mail_database_outage).
        self.pf = mailstack.Postfix(os.path.join(self.base, "postfix"), main={
            "relayhost": "[127.0.0.1]:%d" % self.sink.port, "max_idle": "3s"})
        self.pf.use_database(env.pg, PF_ROLE, self.password).use_srs(self.srs)
        self.pf.use_lmtp(env.lmtp_sock).start()     # kept mail: test_mailbox.py's service

    def login_role(self):
        """The lookup login, as docs/mail.md says to make it, and a pg_hba
        line that makes PostgreSQL check its password (the rest of the
        private cluster trusts local connections)."""
        pg = self.env.pg
        pg.psql("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '%s') THEN "
                "CREATE ROLE %s LOGIN IN ROLE membermail_postfix; END IF; END $$; "
                "ALTER ROLE %s PASSWORD '%s'" % (PF_ROLE, PF_ROLE, PF_ROLE, self.password))
        hba = os.path.join(pg.data, "pg_hba.conf")
        with open(hba) as f:
            text = f.read()
        line = "local %s %s scram-sha-256\n" % (stack.APP_DB, PF_ROLE)
        if line not in text:
            with open(hba, "w") as f:
                f.write(line + text)
            pg.psql("SELECT pg_reload_conf()")

    def check(self, *args):
        """deploy/postfix/postfix-check on the instance: (exit, output)."""
        r = subprocess.run([CHECK, "-c", self.pf.etc] + list(args), stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
        return r.returncode, r.stdout.decode("utf-8", "replace")


def mail(env):
    if env.mail is None:
        env.mail = MailStack(env)
    return env.mail


def message(token, sender="bob@sender.example", to="someone", extra=""):
    """A small message; token in its Subject finds it at the sink."""
    return ("From: Bob <%s>\r\nTo: <%s>\r\nSubject: test %s\r\nMessage-ID: <%s@sender.example>\r\n"
            "DKIM-Signature: v=1; a=rsa-sha256; d=sender.example; s=s1; h=from:to:subject;\r\n"
            " b=c2lnbmF0dXJlIHRoYXQgbXVzdCBzdXJ2aXZlIGZvcndhcmRpbmc=\r\n%s"
            "\r\nHello, %s.\r\n" % (sender, to, token, token, extra, token)).encode()


def smtp(m, sender, rcpts, data=None, source=CLIENT):
    """One SMTP transaction to the instance from `source`: ({rcpt: (code,
    text)}, DATA's (code, text) or None when no recipient was accepted)."""
    s = smtplib.SMTP("127.0.0.1", m.pf.smtp_port, source_address=(source, 0), timeout=30)
    try:
        s.ehlo("client.sender.example")
        code, text = s.mail(sender)
        expect(code == 250, "MAIL FROM:<%s>: %s %s", sender, code, text)
        replies = {}
        for r in rcpts:
            code, text = s.rcpt(r)
            replies[r] = (code, text.decode("utf-8", "replace"))
        done = None
        if data is not None and any(c == 250 for c, _ in replies.values()):
            try:
                done = s.data(data)
            except smtplib.SMTPDataError as e:
                done = (e.smtp_code, e.smtp_error)
            done = (done[0], done[1].decode("utf-8", "replace"))
        else:
            s.rset()
        return replies, done
    finally:
        try:
            s.quit()
        except smtplib.SMTPException:
            pass


def arrived(m, token, count, timeout=20):
    """The sink's messages whose data holds token, once there are count
    of them (Fail after timeout, with the mail log's tail)."""
    def got():
        msgs = [(e, raw) for e, raw in m.sink.messages() if token.encode() in raw]
        return msgs if len(msgs) >= count else None
    msgs = wait_until(got, timeout, 0.05)
    if not msgs:
        have = [(e, raw) for e, raw in m.sink.messages() if token.encode() in raw]
        raise Fail("%d message(s) with %s at the sink, want %d; mail log:\n%s"
                   % (len(have), token, count, m.pf.log_tail(25)))
    return msgs


def routed_domain(env, tag, admin_email=None):
    """A verified domain with an admin (email admin_email): (id, name, admin id)."""
    did, name, _ = new_domain(env, tag)
    email = admin_email or "admin-%s@admins.example" % secrets.token_hex(3)
    uid = sql(env, "INSERT INTO users (claimed_id, name, email) VALUES (%s, %s, %s) RETURNING id"
              % (lit("https://sso.example/+id/%s" % secrets.token_hex(6)),
                 lit("adm-%s" % secrets.token_hex(4)), lit(email))).splitlines()[0]
    join(env, did, uid, "admin")
    return did, name, uid


def owner(env, did):
    """A member to own the test's aliases (created as provisioning would)."""
    uid = sql(env, "INSERT INTO users (claimed_id, name, email) VALUES (%s, %s, %s) RETURNING id"
              % (lit("https://sso.example/+id/%s" % secrets.token_hex(6)),
                 lit("own-%s" % secrets.token_hex(4)), lit("owner@example.org"))).splitlines()[0]
    join(env, did, uid)
    return uid


def alias_kinds(env, did, uid, on, off):
    """on@ (enabled, to the list on) and the disabled kinds, to off:
    rej@ (550), later@ (421), drop@ (250, accept and drop)."""
    new_alias(env, did, "on", uid, on)
    new_alias(env, did, "rej", uid, [off], reason="by-owner", reply=550)
    new_alias(env, did, "later", uid, [off], reason="left-team", reply=421)
    new_alias(env, did, "drop", uid, [off], reason="by-admin", reply=250)


def delete_users(env, *uids):
    if uids:
        sql(env, "DELETE FROM aliases WHERE user_id IN (%s); DELETE FROM users WHERE id IN (%s)"
            % (", ".join(uids), ", ".join(uids)))


# ---------------------------------------------------------------- the tables

@test
@tidy
def mail_postmap_tables(env):
    """postmap -q through proxy:pgsql, as smtpd asks, for every table and
    every kind of address; stderr must stay empty (a database error shows
    only there)."""
    m = mail(env)
    did, dom, admin = routed_domain(env, "pm", "boss@admins.example")
    uid = owner(env, did)
    alias_kinds(env, did, uid, ["one@example.org", "Two@example.net"], "x@example.org")
    new_alias(env, did, "abuse", uid, ["x@example.org"], reason="by-admin", reply=550)
    udid, udom, _ = new_domain(env, "pmunv")
    sql(env, "UPDATE domains SET txt_status = 'missing' WHERE id = %s" % udid)
    new_alias(env, udid, "on", uid, ["one@example.org"])
    xdid, xdom, _ = new_domain(env, "pmoff")
    sql(env, "UPDATE domains SET enabled = false WHERE id = %s" % xdid)
    new_alias(env, xdid, "on", uid, ["one@example.org"])
    gdid, gdom, _ = new_domain(env, "pmgrace")
    new_alias(env, gdid, "on", uid, ["one@example.org"])
    sql(env, "UPDATE domains SET txt_grace_until = now() + interval '1 hour' WHERE id = %s" % gdid)
    edid, edom, _ = new_domain(env, "pmgone")
    new_alias(env, edid, "on", uid, ["one@example.org"])
    sql(env, "UPDATE domains SET txt_grace_until = now() - interval '1 second' WHERE id = %s" % edid)
    rdid, rdom, radmin = routed_domain(env, "pmrole")
    sql(env, "UPDATE domains SET role_recipient = 'abuse-desk@isp.example' WHERE id = %s" % rdid)
    adid, adom, aadmin = routed_domain(env, "pmassign")   # postmaster@ assigned by a site admin
    sql(env, "WITH a AS (INSERT INTO aliases (domain_id, local_part, user_id, recipients, "
             "reserved_assigned) VALUES (%s, 'postmaster', %s, ARRAY['hostmaster@owner.example'], "
             "true) RETURNING id) INSERT INTO recipient_confirmations (alias_id, address, how, "
             "confirmed_at) SELECT id, 'hostmaster@owner.example', 'existing', now() FROM a"
        % (adid, uid))
    ndid, ndom, _ = new_domain(env, "pmnoadm")       # no admin: the site admins
    site = sql(env, "SELECT coalesce(string_agg(email, ',' ORDER BY email), '') FROM "
                    "(SELECT DISTINCT email FROM users WHERE is_site_admin AND NOT is_banned) s")
    discard = "discard@membermail-discard.invalid"
    N = None
    cases = [
        # table, key, want (None: not found)
        ("domains", dom, dom), ("domains", udom, N), ("domains", xdom, N),
        ("domains", gdom, gdom), ("domains", edom, N), ("domains", "example.org", N),
        ("domains", "on@" + dom, N),
        ("aliases", "on@" + dom, "one@example.org,Two@example.net"),
        ("aliases", "ON@" + dom.upper(), "one@example.org,Two@example.net"),
        ("aliases", "rej@" + dom, N), ("aliases", "later@" + dom, N),
        ("aliases", "drop@" + dom, discard), ("aliases", "nobody@" + dom, N),
        ("aliases", "postmaster@" + dom, "boss@admins.example"),
        ("aliases", "abuse@" + dom, "boss@admins.example"),
        ("aliases", "hostmaster@" + dom, N), ("aliases", "on", N), ("aliases", "@" + dom, N),
        ("aliases", "on@" + udom, N), ("aliases", "postmaster@" + udom, N),
        ("aliases", "on@" + xdom, N), ("aliases", "on@" + gdom, "one@example.org"),
        ("aliases", "on@" + edom, N), ("aliases", "postmaster@" + edom, N),
        ("aliases", "postmaster@" + rdom, "abuse-desk@isp.example"),
        ("aliases", "abuse@" + rdom, "abuse-desk@isp.example"),
        ("aliases", "postmaster@" + ndom, site or N),
        ("aliases", "postmaster@" + adom, "hostmaster@owner.example"),
        ("access", "rej@" + dom, "550 5.2.1 Mailbox disabled"),
        ("access", "later@" + dom, "450 4.2.1 Mailbox temporarily disabled, try again later"),
        ("access", "drop@" + dom, N), ("access", "on@" + dom, N), ("access", "nobody@" + dom, N),
        ("access", "abuse@" + dom, N), ("access", dom, N), ("access", "rej@" + udom, N),
        ("access", "rej@" + xdom, N),
    ]
    new_alias(env, udid, "rej", uid, ["x@example.org"], reason="by-owner")
    new_alias(env, xdid, "rej", uid, ["x@example.org"], reason="by-owner")
    try:
        bad = []
        for table, key, want in cases:
            code, out, err = m.pf.postmap(key, m.pf.table(table))
            got = out if code == 0 else None
            if err or code not in (0, 1) or (sorted((got or "").split(",")) !=
                                             sorted((want or "").split(","))):
                bad.append("%s %s: exit %s, %r (stderr %r), want %r" % (table, key, code, out,
                                                                       err.strip(), want))
        expect(not bad, "%d of %d postmap cases wrong:\n  %s", len(bad), len(cases), "\n  ".join(bad))
        print("    %d postmap -q cases" % len(cases))
    finally:
        delete_users(env, uid, admin, radmin, aadmin)


# ---------------------------------------------------------------- SMTP through Postfix

def srs_of(sender):
    """The SRS0 form postsrsd gives sender at the instance's domain, as a
    pattern: SRS0=HHHH=TT=domain=local@mx."""
    local, domain = sender.split("@")
    return r"SRS0=[A-Za-z0-9+/]{4}=[A-Z0-9]{2}=%s=%s@%s" % (re.escape(domain), re.escape(local),
                                                           re.escape(MX))


@test
@tidy
def mail_forwarded_with_srs(env):
    """An enabled alias: a copy for each recipient at the sink, the
    envelope sender rewritten to SRS, the message itself unchanged but
    for Postfix's Received line (the sender's DKIM signature stays valid)."""
    m = mail(env)
    did, dom, admin = routed_domain(env, "fw")
    uid = owner(env, did)
    new_alias(env, did, "kim", uid, ["kim@gmail.example", "kim@outlook.example"])
    token = secrets.token_hex(6)
    data = message(token, to="kim@" + dom)
    try:
        replies, done = smtp(m, "bob@sender.example", ["kim@" + dom], data)
        expect(replies["kim@" + dom][0] == 250, "RCPT to an enabled alias: %s", replies)
        expect(done and done[0] == 250, "DATA: %s", done)
        msgs = arrived(m, token, 1)
        env_, raw = msgs[0]
        expect(len(msgs) == 1 and sorted(env_["rcpt_to"]) == ["kim@gmail.example",
                                                              "kim@outlook.example"],
               "the sink got %s, want one message for both recipients", [e for e, _ in msgs])
        expect(re.fullmatch(srs_of("bob@sender.example"), env_["mail_from"]),
               "envelope sender %r, want SRS0=...=sender.example=bob@%s", env_["mail_from"], MX)
        head, _, body = raw.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        expect(lines[0].startswith(b"Received: from client.sender.example"),
               "first header %r, want Postfix's Received", lines[0])
        # What follows Received (a header of its own, with continuation lines)
        # is the message as sent, byte for byte.
        rest = raw[raw.index(b"\r\nFrom: ") + 2:]
        expect(rest == data, "the forwarded message differs from the one sent:\n%r\n%r", rest, data)
        # the client logs after the sink's 250: the line may come a moment later
        expect(m.pf.wait_log(r"to=<kim@gmail\.example>, orig_to=<kim@%s>.*status=sent"
                             % re.escape(dom)),
               "no status=sent line for kim@gmail.example in the mail log")
    finally:
        delete_users(env, uid, admin)


@test
@tidy
def mail_refused_at_rcpt(env):
    """Unknown addresses, disabled aliases with each code, foreign and
    unrouted domains: answered at RCPT time, in one transaction, so that
    nothing bounces to a forged sender; postmaster@ always reaches the
    admins."""
    m = mail(env)
    did, dom, admin = routed_domain(env, "rc", "chief@admins.example")
    uid = owner(env, did)
    alias_kinds(env, did, uid, ["on@recipient.example"], "dropped@recipient.example")
    udid, udom, _ = new_domain(env, "rcunv")
    sql(env, "UPDATE domains SET txt_status = 'wrong' WHERE id = %s" % udid)
    new_alias(env, udid, "on", uid, ["x@recipient.example"])
    token = secrets.token_hex(6)
    want = {
        "nobody@" + dom: (550, "5.1.1", "User unknown"),
        "rej@" + dom: (550, "5.2.1", "Mailbox disabled"),
        "later@" + dom: (450, "4.2.1", "try again later"),
        "on@" + udom: (554, "5.7.1", "Relay access denied"),
        "x@foreign.example": (554, "5.7.1", "Relay access denied"),
        "drop@" + dom: (250, "2.1.5", ""),
        "on@" + dom: (250, "2.1.5", ""),
        "postmaster@" + dom: (250, "2.1.5", ""),
    }
    try:
        replies, done = smtp(m, "bob@sender.example", list(want), message(token))
        bad = ["%s: %s, want %s" % (r, replies[r], w) for r, w in want.items()
               if replies[r][0] != w[0] or not replies[r][1].startswith(w[1]) or w[2] not in replies[r][1]]
        expect(not bad, "RCPT replies:\n  %s", "\n  ".join(bad))
        expect(done and done[0] == 250, "DATA after the accepted recipients: %s", done)
        msgs = arrived(m, token, 1)
        rcpts = sorted(r for e, _ in msgs for r in e["rcpt_to"])
        expect(rcpts == ["chief@admins.example", "on@recipient.example"],
               "delivered to %s, want the alias's recipient and the admin (postmaster)", rcpts)
        expect(m.pf.wait_log(r"discard\[\d+\]: \w+: to=<discard@membermail-discard\.invalid>, "
                             r"orig_to=<drop@%s>.*status=sent" % re.escape(dom)),
               "the 250 alias was not discarded by the discard transport:\n%s", m.pf.log_tail(20))
        time.sleep(0.5)     # a copy for the dropped alias's recipient would be there by now
        expect(not [e for e, raw in m.sink.messages() if "dropped@recipient.example" in e["rcpt_to"]],
               "mail for a 250 (accept and drop) alias reached its recipient")
    finally:
        delete_users(env, uid, admin)


@test
@tidy
def mail_bounces_through_srs(env):
    """A recipient's provider refuses a forwarded copy: Postfix's own
    bounce (null sender, not rewritten) goes to the SRS address, which
    postsrsd turns back into the original sender.  A bounce sent to the
    SRS address from outside gets there too; a forged SRS address is
    refused at RCPT; a sender at the SRS domain is left as it is."""
    m = mail(env)
    did, dom, admin = routed_domain(env, "bo")
    uid = owner(env, did)
    new_alias(env, did, "gone", uid, ["closed@recipient.example"])
    new_alias(env, did, "fine", uid, ["fine@recipient.example"])
    token = secrets.token_hex(6)
    m.sink.knobs(rcpt_codes={"closed@recipient.example": 550})
    try:
        replies, done = smtp(m, "alice@origin.example", ["gone@" + dom], message(token))
        expect(done and done[0] == 250, "DATA: %s %s", replies, done)
        msgs = arrived(m, token, 1)
        e, raw = msgs[0]
        expect(e["rcpt_to"] == ["alice@origin.example"] and e["mail_from"] == "",
               "the bounce arrived as %s, want MAIL FROM:<> to the original sender", e)
        expect(b"closed@recipient.example" in raw and b"550" in raw,
               "the bounce does not say which recipient refused: %r", raw[:1500])
        m.sink.knobs()
        # A bounce from outside to the SRS address a forwarded copy carried.
        token2 = secrets.token_hex(6)
        smtp(m, "carol@origin.example", ["fine@" + dom], message(token2, "carol@origin.example"))
        srs = arrived(m, token2, 1)[0][0]["mail_from"]
        expect(re.fullmatch(srs_of("carol@origin.example"), srs), "SRS sender %r", srs)
        token3 = secrets.token_hex(6)
        replies, done = smtp(m, "", [srs], message(token3, "mailer-daemon@recipient.example"))
        expect(replies[srs][0] == 250 and done and done[0] == 250,
               "a bounce to %s: %s %s", srs, replies, done)
        e = arrived(m, token3, 1)[0][0]
        expect(e["rcpt_to"] == ["carol@origin.example"] and e["mail_from"] == "",
               "a bounce to the SRS address arrived as %s, want <> to carol@origin.example", e)
        # A forged one: the hash does not match.
        forged = re.sub(r"^SRS0=....", "SRS0=AAAA", srs) if not srs.startswith("SRS0=AAAA") \
            else re.sub(r"^SRS0=....", "SRS0=BBBB", srs)
        replies, _ = smtp(m, "", [forged])
        expect(replies[forged][0] == 550, "RCPT to a forged SRS address %s: %s", forged, replies)
        # Mail from the SRS domain itself keeps its sender.
        token4 = secrets.token_hex(6)
        smtp(m, "noreply@" + MX, ["fine@" + dom], message(token4, "noreply@" + MX))
        e = arrived(m, token4, 1)[0][0]
        expect(e["mail_from"] == "noreply@" + MX, "a sender at %s became %r", MX, e["mail_from"])
    finally:
        m.sink.knobs()
        delete_users(env, uid, admin)


@test
@tidy
def mail_follows_web_changes(env):
    """A member changes their alias on /my/aliases/:id: the next message
    follows, with no Postfix reload (the same master, no reload in the
    log): a new recipient once it has agreed (until then mail keeps going
    where it went), then disabled with "try later", then enabled."""
    m = mail(env)
    env.ensure_server()
    b, user, uid, name, d, aid = setup_alias_for_mail(env)
    addr = "%s@%s" % (name.lower(), d[1])
    master = m.pf.proc.pid
    since = m.pf.log_offset()
    token = secrets.token_hex(6)
    smtp(m, "bob@sender.example", [addr], message(token))
    got = arrived(m, token, 1)[0][0]["rcpt_to"]
    expect(got == [user["email"]], "before the change: delivered to %s, want %s", got, user["email"])

    _, form = alias_form(b, aid)
    mark = test_recipients.outbox_mark(env)
    r = post_alias(b, aid, {"recipients": "new-home@recipient.example", "enabled": "1",
                            "reply_code": "550", "description": ""}, form)
    expect(r.status == 303, "saving the new recipient: %s %s", r.status, r.body[:300])
    token = secrets.token_hex(6)
    smtp(m, "bob@sender.example", [addr], message(token))
    got = arrived(m, token, 1)[0][0]["rcpt_to"]
    expect(got == [user["email"]], "before the new recipient agreed: delivered to %s", got)
    _, link = test_recipients.one_mail(env, "new-home@recipient.example", mark, "confirm")
    test_recipients.follow(env, link)
    token = secrets.token_hex(6)
    smtp(m, "bob@sender.example", [addr], message(token))
    got = arrived(m, token, 1)[0][0]["rcpt_to"]
    expect(got == ["new-home@recipient.example"], "after it agreed: delivered to %s", got)

    _, form = alias_form(b, aid)
    r = post_alias(b, aid, {"recipients": "new-home@recipient.example", "enabled": "0",
                            "reply_code": "421", "description": ""}, form)
    expect(r.status == 303, "disabling: %s %s", r.status, r.body[:300])
    replies, _ = smtp(m, "bob@sender.example", [addr])
    expect(replies[addr][0] == 450, "RCPT after disabling with 421: %s", replies)

    _, form = alias_form(b, aid)
    r = post_alias(b, aid, {"recipients": "new-home@recipient.example", "enabled": "1",
                            "reply_code": "421", "description": ""}, form)
    replies, _ = smtp(m, "bob@sender.example", [addr])
    expect(replies[addr][0] == 250, "RCPT after enabling again: %s", replies)
    expect(m.pf.proc.running() and m.pf.proc.pid == master, "the Postfix master changed")
    expect("reload" not in m.pf.log(since), "Postfix was reloaded:\n%s", m.pf.log(since)[-2000:])


def setup_alias_for_mail(env):
    """A signed-in member with an alias on a new routed domain."""
    b, user, uid, name = member(env, "mf")
    d = new_domain(env, "mf")
    join(env, d[0], uid)
    aid = new_alias(env, d[0], name.lower(), uid, [user["email"]])
    return b, user, uid, name, d, aid


@test
@tidy
def mail_postfix_check(env):
    """deploy/postfix/postfix-check: all good; then the lookup login's
    password no longer matches, then postsrsd is down (and mail is then
    deferred with 451, never forwarded without SRS)."""
    m = mail(env)
    did, dom, admin = routed_domain(env, "pc")
    try:
        code, out = m.check(dom)
        expect(code == 0 and "postfix-check: all tables answer" in out and out.count("ok   ") == 5,
               "postfix-check %s on a healthy instance: exit %s:\n%s", dom, code, out)
        code, out = m.check()
        expect(code == 0, "postfix-check without a domain: exit %s:\n%s", code, out)
        code, out = m.check("nowhere.example")
        expect(code == 1 and "not found" in out, "postfix-check on an unrouted domain: exit %s:\n%s",
               code, out)

        # The password changes under Postfix: its pooled connections go too.
        env.pg.psql("ALTER ROLE %s PASSWORD 'not-the-one'; SELECT pg_terminate_backend(pid) "
                    "FROM pg_stat_activity WHERE usename = '%s'" % (PF_ROLE, PF_ROLE))
        try:
            code, out = m.check(dom)
            expect(code == 1 and "FAIL domains" in out and "FAIL aliases" in out,
                   "postfix-check with a wrong password: exit %s:\n%s", code, out)
            replies, _ = smtp(m, "bob@sender.example", ["postmaster@" + dom])
            expect(replies["postmaster@" + dom][0] == 451,
                   "RCPT while the database refuses the login: %s", replies)
        finally:
            m.login_role()
            m.pf.stop()         # proxymap retries a failed server only after 60 s
            m.pf.start()

        # Postfix tries a TCP table 10 times, a second apart, before it
        # gives up: the check and the SMTP session wait together.
        m.srs.stop()
        try:
            check = subprocess.Popen([CHECK, "-c", m.pf.etc, dom], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            try:
                replies, _ = smtp(m, "bob@sender.example", ["postmaster@" + dom])
                out = check.communicate(timeout=60)[0].decode("utf-8", "replace")
            finally:
                if check.poll() is None:
                    check.kill()
                    check.wait()
            expect(check.returncode == 1 and "FAIL srs" in out,
                   "postfix-check with postsrsd down: exit %s:\n%s", check.returncode, out)
            expect(replies["postmaster@" + dom][0] == 451,
                   "RCPT with postsrsd down: %s (want 451: no forwarding without SRS)", replies)
        finally:
            m.srs.start()
        code, out = m.check(dom)
        expect(code == 0, "postfix-check after postsrsd is back: exit %s:\n%s", code, out)
    finally:
        delete_users(env, admin)


def sender_mta(m):
    """A second private Postfix (no membermail tables) on 127.0.0.3 that
    relays everything to ours: the internet's MTA that queues and retries."""
    if getattr(m, "sender", None) is None:
        m.sender = mailstack.Postfix(os.path.join(m.base, "sender"), address="127.0.0.3",
                                     with_membermail=False, name="postfix-sender", main={
                                         "myhostname": "mta.sender.example",
                                         "mynetworks": "127.0.0.0/8",
                                         "relayhost": "[127.0.0.1]:%d" % m.pf.smtp_port}).start()
    return m.sender


def idle_daemons_gone(pf, timeout=20):
    """Waits until the instance's smtpd, proxymap, trivial-rewrite and
    cleanup processes have exited (max_idle): the next ones start with
    no memory of a failed database (proxymap retries a server it saw
    fail only after 60 s; smtpd keeps its last address resolution)."""
    names = ("smtpd", "proxymap", "trivial-rewrite", "cleanup")
    return wait_until(lambda: not stack.pids_with(
        lambda st: st["ppid"] == pf.proc.pid and st["comm"] in names), timeout, 0.2)


@test
@tidy
def mail_database_outage(env):
    """PostgreSQL stops: every RCPT at our domains gets 451 4.3.0 (an
    unknown address too: never "user unknown"), postfix-check fails, and a
    sending MTA keeps the message queued.  PostgreSQL back: the queued
    message is delivered on the sender's next attempt."""
    m = mail(env)
    sender = sender_mta(m)
    did, dom, admin = routed_domain(env, "out")
    uid = owner(env, did)
    new_alias(env, did, "on", uid, ["on@recipient.example"])
    new_alias(env, did, "rej", uid, ["x@recipient.example"], reason="by-owner", reply=550)
    token = secrets.token_hex(6)
    addrs = ["on@" + dom, "nobody@" + dom, "rej@" + dom]
    try:
        expect(env.pg.stop() == 0, "pg_ctl stop failed")
        try:
            replies, _ = smtp(m, "bob@sender.example", addrs)
            bad = {a: r for a, r in replies.items() if r[0] != 451 or not r[1].startswith("4.3.0")}
            expect(not bad, "RCPT while PostgreSQL is down: %s, want 451 4.3.0 for each", bad)
            since = sender.log_offset()
            s = smtplib.SMTP(sender.address, sender.smtp_port, timeout=30)
            try:
                s.sendmail("bob@sender.example", ["on@" + dom], message(token))
            finally:
                s.quit()
            expect(sender.wait_log(r"to=<on@%s>.*status=deferred.*451 4\.3\.0" % re.escape(dom),
                                   since), "the sending MTA did not defer on a 451:\n%s",
                   sender.log_tail(15))
            expect(sender.queue_size() == 1, "the sending MTA's queue: %s", sender.queue())
            code, out = m.check(dom)
            expect(code == 1 and "query error" in out,
                   "postfix-check with PostgreSQL down: exit %s:\n%s", code, out)
        finally:
            env.pg.start()
        expect(idle_daemons_gone(m.pf), "Postfix's idle daemons did not exit within 20 s")
        sender.flush()
        e = arrived(m, token, 1, timeout=30)[0][0]
        expect(e["rcpt_to"] == ["on@recipient.example"], "delivered as %s", e)
        expect(wait_until(lambda: sender.queue_size() == 0, 10),
               "the sending MTA still queues %s", sender.queue())
    finally:
        delete_users(env, uid, admin)
        # membermail's workers reconnect on their own; wait for them.
        wait_until(lambda: env.get("/readyz").status == 200, 15, 0.2)


@test
@tidy
def mail_role_addresses(env):
    """postmaster@ and abuse@ without an alias row: to the domain's admins;
    a site admin sets another address on /admin/domains (a refused one
    keeps the old, 422); the next message goes there, no reload."""
    m = mail(env)
    env.ensure_server()
    did, dom, admin = routed_domain(env, "role", "owner-admin@admins.example")
    b, user, uid, name = member(env, "roleadm")
    sql(env, "UPDATE users SET is_site_admin = true WHERE id = %s" % uid)
    try:
        token = secrets.token_hex(6)
        replies, done = smtp(m, "bob@sender.example", ["postmaster@" + dom, "abuse@" + dom],
                             message(token))
        expect(done and done[0] == 250, "postmaster@ and abuse@: %s %s", replies, done)
        # One copy per role address (Postfix keeps each original recipient).
        got = sorted(r for e, _ in arrived(m, token, 1) for r in e["rcpt_to"])
        expect(got == ["owner-admin@admins.example"] * 2, "role mail went to %s, want the admin",
               got)

        csrf = b.csrf("/admin/domains")
        r = b.post("/admin/domains/%s/role-recipient" % dom,
                   {"csrf_token": csrf, "role_recipient": "not an address"})
        expect(r.status == 422 and b"Want one address" in r.body, "a bad address: %s", r.status)
        r = b.post("/admin/domains/%s/role-recipient" % dom,
                   {"csrf_token": csrf, "role_recipient": "Desk@ISP.Example"})
        expect(r.status == 303 and r.header("Location") == "/admin/domains?done=role-set",
               "setting the role recipient: %s %s", r.status, r.header("Location"))
        token = secrets.token_hex(6)
        smtp(m, "bob@sender.example", ["abuse@" + dom], message(token))
        got = [r for e, _ in arrived(m, token, 1) for r in e["rcpt_to"]]
        expect(got == ["Desk@isp.example"], "abuse@ went to %s after the change", got)
        r = b.post("/admin/domains/%s/role-recipient" % dom,
                   {"csrf_token": csrf, "role_recipient": ""})
        expect(r.header("Location") == "/admin/domains?done=role-admins", "back to the admins: %s",
               r.header("Location"))
        code, out, _ = m.pf.postmap("postmaster@" + dom, m.pf.table("aliases"))
        expect(out == "owner-admin@admins.example", "postmaster@ after going back: %r", out)
    finally:
        sql(env, "UPDATE users SET is_site_admin = false WHERE id = %s" % uid)
        delete_users(env, admin)
