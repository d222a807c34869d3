#!/usr/bin/python3
"""membermail integration tests of domain verification by DNS:
`membermail verify-domains` and the "Check now" button against a real DNS
server, the run's dnsmasq serving tests/integration/dns/fixtures.conf (a
multi-string record, two records, another token, NXDOMAIN, no TXT record,
an upstream answering SERVFAIL, one never answering), the grace period of
a verified domain that loses its record, and what Postfix then routes.

Not a runner of its own: tests/integration/run.py imports it before
test_db.py.  The run's config (env.conf) names the dnsmasq, one try of
one second, and a grace of 72 hours.  Each test adds the fixture domains it
needs, named *.mm-dns.test with the fixtures' tokens, and removes them.
"""

import functools
import os
import re
import subprocess
import time

import mailstack
import stack
from run import Fail, check_html, expect, show, test  # noqa: F401
from stack import wait_until
from test_member import member, sql
from test_signin import lit

ZONE = "mm-dns.test"
TOKENS = {"verified": "VerifyOk01", "multistring": "MultiStr02", "missing": "Missing005",
          "nodata": "NoData0006", "multiple": "Multiple03", "wrong": "Wrong00007",
          "nxdomain": "NxDomain08", "servfail": "ServFail09", "timeout": "Timeout010",
          "grace": "GraceTok11"}
GRACE_RECORD = 'txt-record=grace.%s,"membermail-site-verification=GraceTok11"' % ZONE
HOLDER = "mm-test verify-domains lock holder"
_made = []


def dns_domains(fn):
    """Removes the fixture domains the test added, pass or fail."""
    @functools.wraps(fn)
    def run(env):
        try:
            return fn(env)
        finally:
            if _made:
                names = ", ".join(lit(n) for n in _made)
                sql(env, "DELETE FROM domains WHERE name IN (%s)" % names)
                del _made[:]
            if env.dns.lines:
                env.dns.restart(lines=[])
    return run


def add(env, tag, status="unverified", admin=None):
    """Fixture domain TAG.mm-dns.test with its token and status; admin
    (users.id) its admin.  Its id."""
    name = "%s.%s" % (tag, ZONE)
    checked = "NULL" if status == "unverified" else "now()"
    did = sql(env, "INSERT INTO domains (name, team, verification_token, txt_status, "
                   "txt_checked_at) VALUES (%s, %s, %s, %s, %s) RETURNING id"
              % (lit(name), lit("%s-dns-team" % tag), lit(TOKENS[tag]), lit(status),
                 checked)).splitlines()[0]
    _made.append(name)
    if admin is not None:
        sql(env, "INSERT INTO domain_members (domain_id, user_id, role) VALUES (%s, %s, 'admin')"
            % (did, admin))
    return did


def state(env, tag):
    """(txt_status, grace set?, last result, detail) of TAG.mm-dns.test."""
    row = sql(env, "SELECT txt_status, txt_grace_until IS NOT NULL, "
                   "coalesce(txt_last_attempt_result, ''), coalesce(txt_last_attempt_detail, '') "
                   "FROM domains WHERE name = %s" % lit("%s.%s" % (tag, ZONE)))
    s, g, r, d = row.split("|", 3)
    return s, g == "t", r, d


def verify(env, *args, timeout=60):
    """membermail verify-domains -c env.conf ARGS: (exit, output)."""
    return env.run_cli(["verify-domains", "-c", env.conf] + list(args), timeout=timeout)


def mails(env, tag):
    """Subjects of the outbox rows about TAG.mm-dns.test, oldest first, with
    their recipients: ["subject -> to", ...]."""
    out = sql(env, "SELECT subject || ' -> ' || array_to_string(to_addresses, ',') FROM outbox "
                   "WHERE subject LIKE %s ORDER BY id" % lit("%%%s.%s%%" % (tag, ZONE)))
    return out.splitlines() if out else []


def admin_user(env, tag):
    uid = sql(env, "INSERT INTO users (claimed_id, name, email) VALUES (%s, %s, %s) RETURNING id"
              % (lit("https://sso.example/+id/dns%s" % tag), lit("dnsadm-%s" % tag),
                 lit("dnsadm-%s@admins.example" % tag))).splitlines()[0]
    return uid


def drop_users(env, *uids):
    sql(env, "DELETE FROM users WHERE id IN (%s)" % ", ".join(uids))


# ---------------------------------------------------------------- outcomes

@test
@dns_domains
def verify_each_outcome(env):
    """verify-domains --domain D against each fixture: the definitive
    outcomes are recorded (with what was found), a temporary failure
    (SERVFAIL, timeout) records only the attempt and exits 75."""
    cases = [
        # tag, exit, status after, last result, a piece of the detail
        ("verified", 0, "verified", "verified", "the record is there"),
        ("multistring", 0, "verified", "verified", "the record is there"),
        ("missing", 0, "missing", "missing", "none of the 1 TXT record(s) starts with "
                                             "membermail-site-verification="),
        ("nodata", 0, "missing", "missing", "no TXT record at all"),
        ("multiple", 0, "multiple", "multiple", "2 TXT records start with"),
        ("wrong", 0, "wrong", "wrong", '"membermail-site-verification=NotMine004"'),
        ("nxdomain", 0, "nxdomain", "nxdomain", "NXDOMAIN"),
        ("servfail", 75, "unverified", "temporary-failure",
         "SERVFAIL from %s" % env.dns.server),
        ("timeout", 75, "unverified", "temporary-failure",
         "no answer from %s within 1 x 1 s" % env.dns.server),
    ]
    bad = []
    for tag, *_ in cases:
        add(env, tag)
    for tag, code_want, st_want, res_want, detail in cases:
        t0 = time.monotonic()
        code, out = verify(env, "--domain", "%s.%s" % (tag, ZONE))
        took = time.monotonic() - t0
        st, grace, res, d = state(env, tag)
        if (code, st, res) != (code_want, st_want, res_want) or detail not in d or grace:
            bad.append("%s: exit %s, %s/%s grace %s %r; want exit %s, %s/%s, detail with %r\n%s"
                       % (tag, code, st, res, grace, d, code_want, st_want, res_want, detail, out))
        if "%s.%s: %s: " % (tag, ZONE, res_want) not in out:
            bad.append("%s: no line '%s.%s: %s: ...' in:\n%s" % (tag, tag, ZONE, res_want, out))
        if st_want != "verified" and 'publish: %s.%s. IN TXT "membermail-site-verification=%s"' \
                % (tag, ZONE, TOKENS[tag]) not in out:
            bad.append("%s: the record to publish is not printed:\n%s" % (tag, out))
        if tag == "timeout" and took > 5:
            bad.append("timeout: took %.1fs with dns_timeout 1, dns_attempts 1" % took)
    expect(not bad, "\n".join(bad))


@test
@dns_domains
def verify_tempfail_keeps_verified(env):
    """A verified domain whose DNS server fails: still verified, no grace,
    still routed; only the attempt is recorded."""
    add(env, "servfail", status="verified")
    add(env, "timeout", status="verified")
    for tag in ("servfail", "timeout"):
        code, out = verify(env, "--domain", "%s.%s" % (tag, ZONE))
        st, grace, res, d = state(env, tag)
        expect(code == 75 and (st, grace, res) == ("verified", False, "temporary-failure"),
               "%s on a verified domain: exit %s, %s grace %s %s\n%s", tag, code, st, grace, res, out)
        routed = sql(env, "SELECT count(*) FROM postfix_domains WHERE domain = %s"
                     % lit("%s.%s" % (tag, ZONE)))
        expect(routed == "1", "%s: the verified domain left postfix_domains", tag)


@test
@dns_domains
def verify_dry_run_and_lock(env):
    """--dry-run asks DNS, prints and records nothing; a second run while
    one holds the lock exits 3 at once; a run over every domain sums up."""
    add(env, "wrong")
    code, out = verify(env, "--domain", "wrong." + ZONE, "--dry-run")
    expect(code == 0 and "(dry run: nothing recorded)" in out and "wrong." + ZONE in out,
           "--dry-run: exit %s:\n%s", code, out)
    expect(state(env, "wrong")[:3] == ("unverified", False, ""), "--dry-run recorded %s",
           state(env, "wrong"))
    code, out = verify(env, "--domain", "nosuch." + ZONE)
    expect(code == 1 and "no such domain" in out, "an unknown --domain: exit %s: %s", code, out)
    code, out = verify(env, "--bogus")
    expect(code == 2 and "usage" in out, "a bad option: exit %s: %s", code, out)

    pg = env.pg
    holder = subprocess.Popen(
        [stack.PG_BIN + "/psql", "-X", "-q", "-h", pg.base, "-p", str(pg.port), "-U", "postgres",
         "-d", stack.APP_DB, "-c", "SELECT pg_advisory_lock(hashtext('membermail:verify-domains'))",
         "-c", "SELECT pg_sleep(30)"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, env=dict(os.environ, PGAPPNAME=HOLDER))
    try:
        expect(wait_until(lambda: sql(env, "SELECT count(*) FROM pg_locks WHERE locktype = "
                                           "'advisory' AND granted") != "0", 10),
               "the holder never got the lock")
        t0 = time.monotonic()
        code, out = verify(env, "--domain", "wrong." + ZONE)
        expect(code == 3 and "another verify-domains is running" in out and
               time.monotonic() - t0 < 5, "a run while the lock is held: exit %s: %s", code, out)
    finally:
        holder.kill()
        holder.wait()
        pg.psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = %s" % lit(HOLDER))
    expect(wait_until(lambda: sql(env, "SELECT count(*) FROM pg_locks WHERE locktype = "
                                       "'advisory'") == "0", 10), "the lock was not released")
    code, out = verify(env, timeout=120)
    m = re.search(r"^verify-domains: domains (\d+), verified \d+, not verified \d+, "
                  r"temporary failures (\d+), changed \d+, errors 0, seconds [\d.]+$", out, re.M)
    expect(m and int(m.group(1)) >= 1 and code in (0, 75) and (code == 75) == (m.group(2) != "0"),
           "a run over every domain: exit %s:\n%s", code, out[-1500:])
    expect(state(env, "wrong")[0] == "wrong", "the full run did not check wrong.%s", ZONE)


# ---------------------------------------------------------------- the grace period

@test
@dns_domains
def verify_grace_period(env):
    """A verified domain loses its record: still routed for the grace
    period, its admins mailed the record and the deadline; the record back
    in time: verified again; gone past the deadline: Postfix's views drop
    it at once, and the next check records it and mails the admins."""
    uid = admin_user(env, "grace")
    name = "grace." + ZONE
    routed = "SELECT count(*) FROM postfix_domains WHERE domain = %s" % lit(name)
    try:
        env.dns.restart(lines=[GRACE_RECORD])
        add(env, "grace", admin=uid)
        code, out = verify(env, "--domain", name)
        expect(code == 0 and state(env, "grace")[:2] == ("verified", False),
               "first check: exit %s %s\n%s", code, state(env, "grace"), out)
        expect(mails(env, "grace") == ["[membermail] %s is verified -> dnsadm-grace@admins.example"
                                       % name], "mail after verification: %s", mails(env, "grace"))

        env.dns.restart(lines=[])                   # the record is gone
        code, out = verify(env, "--domain", name)
        st, grace, res, _ = state(env, "grace")
        expect((st, grace, res) == ("verified", True, "missing") and "grace period" in out,
               "record gone: %s %s %s\n%s", st, grace, res, out)
        hours = float(sql(env, "SELECT extract(epoch FROM txt_grace_until - now()) / 3600 "
                               "FROM domains WHERE name = %s" % lit(name)))
        expect(71.9 < hours <= 72, "the grace ends in %.2f hours, want 72", hours)
        expect(sql(env, routed) == "1", "in its grace period the domain is not routed")
        m = mails(env, "grace")
        expect(len(m) == 2 and m[1].startswith("[membermail] %s: verification record gone, mail "
                                               "stops " % name), "grace mail: %s", m)
        body = sql(env, "SELECT body FROM outbox WHERE subject LIKE %s ORDER BY id DESC LIMIT 1"
                   % lit("%%%s: verification%%" % name))
        expect('%s. IN TXT "membermail-site-verification=GraceTok11"' % name in body,
               "the grace mail does not give the record to publish:\n%s", body)
        code, out = verify(env, "--domain", name)    # still gone: nothing new
        expect(len(mails(env, "grace")) == 2 and state(env, "grace")[:2] == ("verified", True),
               "a second check during the grace: %s %s", state(env, "grace"), mails(env, "grace"))

        env.dns.restart(lines=[GRACE_RECORD])       # back in time
        code, out = verify(env, "--domain", name)
        expect(state(env, "grace")[:2] == ("verified", False), "record back: %s", state(env, "grace"))
        expect(mails(env, "grace")[-1].startswith("[membermail] %s is verified again" % name),
               "mail after the record came back: %s", mails(env, "grace"))

        env.dns.restart(lines=[])                   # gone again, past the deadline
        verify(env, "--domain", name)
        sql(env, "UPDATE domains SET txt_grace_until = now() - interval '1 second' WHERE name = %s"
            % lit(name))
        expect(sql(env, routed) == "0", "past its deadline the domain is still routed")
        expect(state(env, "grace")[0] == "verified", "the deadline alone changed the status")
        code, out = verify(env, "--domain", name)
        expect(state(env, "grace")[:2] == ("missing", False) and "not verified (missing)" in out,
               "after the grace: %s\n%s", state(env, "grace"), out)
        expect(mails(env, "grace")[-1].startswith("[membermail] %s is no longer verified: its mail "
                                                  "is refused" % name), "stop mail: %s",
               mails(env, "grace"))
        audit = sql(env, "SELECT string_agg(actor_kind || ':' || (after->>'txt_status') || ':' || "
                         "(after->>'txt_grace_until' IS NOT NULL), ' ' ORDER BY id) FROM audit_log "
                         "WHERE action = 'domain.txt' AND target_label = %s" % lit(name))
        expect(audit == "system:verified:false system:verified:true system:verified:false "
                        "system:verified:true system:missing:false",
               "audit rows: %r", audit)
    finally:
        sql(env, "DELETE FROM outbox WHERE subject LIKE %s" % lit("%%%s%%" % name))
        drop_users(env, uid)


# ---------------------------------------------------------------- Check now

def domain_page(b, name):
    r = b.get("/domains/%s" % name)
    check_html(r, "GET /domains/%s" % name)
    return r


@test
@dns_domains
def verify_check_now(env):
    """The "Check now" button of /domains/<domain>: CSRF-checked, for the
    domain's admins, once a minute per admin and domain (429 then); the page shows
    the outcome in words, what the server said and the record."""
    b, user, uid, nick = member(env, "chk")
    did = add(env, "wrong", admin=uid)
    name = "wrong." + ZONE
    r = domain_page(b, name)
    token = re.search(rb'action="/domains/%s/verify">\s*<input type="hidden" '
                      rb'name="csrf_token" value="([0-9a-f]{64})"' % re.escape(name.encode()), r.body)
    expect(token, "no Check now form on the page: %s", show(r, 4000))
    csrf = token.group(1).decode()

    r = b.post("/domains/%s/verify" % name, {})
    expect(r.status == 403, "Check now without the CSRF token: %s", show(r))
    expect(state(env, "wrong")[2] == "", "a refused POST checked the domain")

    r = b.post("/domains/%s/verify" % name, {"csrf_token": csrf})
    expect(r.status == 303 and r.header("Location") == "/domains/%s?done=checked" % name,
           "Check now: %s", show(r))
    expect(state(env, "wrong")[:3] == ("wrong", False, "wrong"), "after Check now: %s",
           state(env, "wrong"))
    r = b.get(r.header("Location"))
    body = r.body.decode()
    for want in ("The TXT record was checked just now.", 'id="txt-status">wrong<',
                 "the record carries another token",
                 "NotMine004", 'IN TXT "membermail-site-verification=Wrong00007"'):
        expect(want in body, "the page after Check now lacks %r: %s", want, show(r, 6000))
    actor = sql(env, "SELECT actor_kind || ':' || actor_name FROM audit_log WHERE action = "
                     "'domain.txt' AND domain_id = %s" % did)
    expect(actor == "user:%s" % nick, "audit actor %r, want the admin", actor)

    r = b.post("/domains/%s/verify" % name, {"csrf_token": csrf})
    expect(r.status == 429 and r.header("Retry-After"), "a second Check now at once: %s", show(r))

    other, _, _, _ = member(env, "chk2")        # not an admin of the domain
    r = other.post("/domains/%s/verify" % name, {"csrf_token": other.csrf("/my")})
    expect(r.status == 403, "Check now by a non-admin: %s", show(r))
    sql(env, "DELETE FROM rate_limits WHERE bucket LIKE 'txt-check:%s:%%'" % did)

    # A temporary failure on the page: the status stands, in words.
    add(env, "servfail", status="verified", admin=uid)
    r = b.post("/domains/servfail.%s/verify" % ZONE, {"csrf_token": csrf})
    expect(r.status == 303, "Check now (SERVFAIL): %s", show(r))
    body = b.get("/domains/servfail.%s" % ZONE).body.decode()
    for want in ('id="txt-status">verified<', "temporary-failure (SERVFAIL from",
                 "No definitive answer: the status above stands."):
        expect(want in body, "the page after a SERVFAIL lacks %r: %s", want, body[-3000:])
