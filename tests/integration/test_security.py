#!/usr/bin/python3
"""membermail integration tests of the security rules (docs/security.md):
reserved local parts, what a ban ends, who sees whose address, the last
unbanned admin, log lines that client bytes cannot forge, a master that
signals only its own children, rate limits that cannot be spread out,
__Host- cookies over https, association without Diffie-Hellman, https for
the internet services and pages that are never cached.

Not a runner of its own: tests/integration/run.py imports it (before
test_db.py), which appends these tests to its list.  People, memberships
and aliases are rows written with SQL as the superuser; signed-in browsers
are session rows written as the app writes them (test_authz.Actor); the
provisioning tests use test_provision's Scene (a domain of its own, the
fake Launchpad holding exactly its people).  Every refusal is checked to
have written nothing.
"""

import hashlib
import json
import mmap
import os
import re
import signal
import struct
import subprocess
import time
import urllib.parse

import fcgi
import stack
import test_api
import test_authz
import test_ops
import test_provision as tp
import test_signin as si
from run import Fail, expect, show, test  # noqa: F401
from stack import wait_until

DB = stack.APP_DB
FORM = "application/x-www-form-urlencoded"


q, lit, uniq = tp.q, tp.lit, test_api.uniq


def user_row(env, name, email=None, site_admin=False):
    """A user as a sign-in leaves it (exact Launchpad name); its id."""
    return int(q(env, "INSERT INTO users (claimed_id, name, email, display_name, is_site_admin) "
                      "VALUES (%s, %s, %s, %s, %s) RETURNING id"
                 % (lit("https://login.ubuntu.com/+id/S" + re.sub(r"[^A-Za-z0-9]", "", name)),
                    lit(name), lit(email or "%s@mail.example.org" % name),
                    lit(name.capitalize()), "true" if site_admin else "false")))


class Signed(test_authz.Actor):
    """A browser signed in as uid: a sessions row as the app writes it."""

    def __init__(self, env, uid, name="signed"):
        super().__init__(name, uid)
        self.env = env
        env.pg.psql("INSERT INTO sessions (token_hash, user_id, csrf_token, idle_expires_at, "
                    "expires_at) VALUES (decode('%s', 'hex'), %d, decode('%s', 'hex'), "
                    "now() + interval '1 hour', now() + interval '1 hour')"
                    % (test_authz.sha256_hex(self.session), uid, self.csrf), db=DB)

    def get(self, path):
        return self.env.req("GET", path, headers={"Cookie": self.cookie()})

    def post(self, path, fields, csrf=True):
        f = dict(fields)
        if csrf:
            f["csrf_token"] = self.csrf
        return self.env.req("POST", path, body=urllib.parse.urlencode(f).encode(),
                            headers={"Cookie": self.cookie(), "Content-Type": FORM})


def audit_rows(env, since, where="true"):
    """(actor_kind, actor_user_id, action, target_label, after) since an id."""
    out = q(env, "SELECT actor_kind || '|' || coalesce(actor_user_id::text, '') || '|' || action "
                 "|| '|' || coalesce(target_label, '') || '|' || coalesce(after::text, '') "
                 "FROM audit_log WHERE id > %d AND (%s) ORDER BY id" % (since, where))
    return [tuple(ln.split("|", 4)) for ln in out.splitlines() if ln]


def audit_mark(env):
    return int(q(env, "SELECT coalesce(max(id), 0) FROM audit_log"))


def outbox_since(env, mark):
    """[(to, cc, bcc, subject)] of the outbox rows after id mark."""
    out = q(env, "SELECT array_to_string(to_addresses, ',') || '|' || array_to_string(cc_addresses, "
                 "',') || '|' || array_to_string(bcc_addresses, ',') || '|' || subject FROM outbox "
                 "WHERE id > %d ORDER BY id" % mark)
    return [tuple(ln.split("|", 3)) for ln in out.splitlines() if ln]


def outbox_mark(env):
    return int(q(env, "SELECT coalesce(max(id), 0) FROM outbox"))


def not_minute_end():
    """Rate-limit windows are fixed minutes: do not straddle one."""
    sec = time.time() % 60
    if sec > 50:
        time.sleep(60.5 - sec)


# ---------------------------------------------------------------- reserved local parts

def reserved_member(s, name):
    """A member of the scene's team whose Launchpad name is `name`."""
    uid = user_row(s.env, name, "%s-%s@mail.example.org" % (name, s.tag))
    s.ids[name] = uid
    s.people[name] = {"name": name}
    s.members.append(name)
    s.push()
    return uid


@tp.scene_test
def sec_reserved_names_not_provisioned(env, make):
    """Provisioning never creates a reserved local part, built in
    (webmaster) or the domain's own: the member gets no address there, is
    told why on /my and by mail, and the admins hear of it."""
    s = make("rsv")
    web = reserved_member(s, "webmaster")
    plain = s.user("plain")
    tp.expect_sync(env, 0, errors=0)
    expect(s.alias("webmaster") is None, "webmaster@%s was created: %r", s.domain, s.alias("webmaster"))
    expect(s.alias(plain) is not None, "the plain member got no address")
    own_name = "board-" + s.tag
    q(env, "INSERT INTO domain_reserved_local_parts (domain_id, local_part) VALUES (%d, %s)"
      % (s.domain_id, lit(own_name)))
    own = reserved_member(s, own_name)
    tp.expect_sync(env, 0, created=0, errors=0)
    for name in ("webmaster", own_name):
        expect(s.alias(name) is None, "%s@%s was created: %r", name, s.domain, s.alias(name))
        expect(q(env, "SELECT count(*) FROM aliases WHERE user_id = %d" % s.ids[name]) == "0",
               "%s holds an alias", name)
    told = q(env, "SELECT string_agg(user_id || ':' || error_code, ',' ORDER BY user_id) "
                  "FROM error_reports "
                  "WHERE domain_id = %d" % s.domain_id)
    expect(told == "%d:not-created.reserved,%d:not-created.reserved" % (web, own),
           "error reports: %r", told)
    mails = s.outbox()
    for name in ("webmaster", own_name):
        mine = [m for m in mails if m[0] == s.email_of(name)]
        expect(len(mine) == 1 and "could not be created" in mine[0][2],
               "%s not told by mail: %r", name, mails)
    env.ensure_server()
    page = Signed(env, web).get("/my")
    expect(page.status == 200 and b"reserved" in page.body,
           "/my does not say the name is reserved: %s", show(page, 3000))
    # The next run creates nothing and tells nobody again.
    s.mark()
    tp.expect_sync(env, 0, created=0, errors=0)
    expect(s.outbox() == [], "told again: %r", s.outbox())


def da_domain(env):
    """A domain of its own (no team anyone is in): name, id."""
    name = "%s.example" % uniq("sec-rsv")
    did = int(q(env, "INSERT INTO domains (name, team, verification_token, alias_limit) VALUES "
                     "(%s, 'sec-nobody-team', substr(md5(random()::text), 1, 10), 10) "
                     "RETURNING id" % lit(name)))
    return name, did


def drop_domain(env, did):
    q(env, "DELETE FROM aliases WHERE domain_id = %d; DELETE FROM domains WHERE id = %d" % (did, did))


def domain_state(env, did):
    return (q(env, "SELECT string_agg(local_part || ':' || enabled, ',' ORDER BY local_part) "
                   "FROM aliases WHERE domain_id = %d" % did),
            q(env, "SELECT count(*) FROM audit_log WHERE domain_id = %d" % did))


@test
def sec_reserved_names_admins(env):
    """A domain admin cannot create a reserved local part (built in, any
    case, or the domain's own) nor another user's Launchpad name; a site
    admin can, only with the explicit assign_protected=yes, audited as
    alias.assign_protected.  Site admins edit the domain's own list."""
    env.ensure_server()
    dom, did = da_domain(env)
    try:
        admin_uid = user_row(env, uniq("secrsva"))
        member_uid = user_row(env, uniq("secrsvm"))
        member = q(env, "SELECT name FROM users WHERE id = %d" % member_uid)
        other = q(env, "SELECT name FROM users WHERE id = %d" % user_row(env, uniq("secrsvo")))
        site = Signed(env, user_row(env, uniq("secrsvs"), site_admin=True))
        for uid, role in ((admin_uid, "admin"), (member_uid, "member")):
            q(env, "INSERT INTO domain_members (domain_id, user_id, role) VALUES (%d, %d, %s)"
              % (did, uid, lit(role)))
        admin = Signed(env, admin_uid)
        path = "/domains/%s/members/%s/aliases" % (dom, member)
        before = domain_state(env, did)
        for local in ("postmaster", "Hostmaster", "abuse", "mailer-daemon", "admin", other):
            r = admin.post(path, {"local_part": local})
            expect(r.status == 422, "a domain admin creating %s@: want 422, got %s", local, show(r, 400))
            expect(domain_state(env, did) == before, "refused %s@ wrote something", local)
            r = site.post(path, {"local_part": local})
            expect(r.status == 422, "a site admin without assign_protected, %s@: want 422, got %s",
                   local, show(r, 400))
            expect(domain_state(env, did) == before, "refused %s@ (site admin) wrote something", local)
        mark = audit_mark(env)
        for local, why in (("postmaster", "reserved"), (other, "launchpad-name")):
            r = site.post(path, {"local_part": local, "assign_protected": "yes"})
            expect(r.status == 303, "a site admin assigning %s@: want 303, got %s", local, show(r, 400))
            row = q(env, "SELECT enabled || ':' || reserved_assigned FROM aliases WHERE domain_id = %d "
                         "AND local_part = %s" % (did, lit(local)))
            expect(row == ("true:true" if why == "reserved" else "true:false"),
                   "%s@ after assignment: %r", local, row)
            au = audit_rows(env, mark, "action LIKE 'alias.%%' AND domain_id = %d" % did)
            expect(len(au) == 1 and au[0][0] == "user" and au[0][1] == str(site.uid)
                   and au[0][2] == "alias.assign_protected"
                   and json.loads(au[0][4]).get("protected") == why,
                   "audit of assigning %s@: %r", local, au)
            mark = audit_mark(env)
        # The domain's own reserved names, kept by site admins.
        lst = "/admin/domains/%s/reserved" % dom
        expect(admin.post(lst, {"local_part": "board"}).status == 403, "a domain admin edited the list")
        r = site.post(lst, {"local_part": "Board"})
        expect(r.status == 303 and r.header("Location") == lst + "?done=reserved-added",
               "adding a reserved name: %s", show(r, 400))
        expect(q(env, "SELECT local_part FROM domain_reserved_local_parts WHERE domain_id = %d" % did)
               == "board", "the domain's list after adding Board")
        au = audit_rows(env, mark)
        expect([a[2] for a in au] == ["domain.reserved_add"], "audit of adding: %r", au)
        page = site.get(lst)
        expect(page.status == 200 and b"board" in page.body and b"hostmaster" in page.body,
               "the reserved-names page: %s", show(page, 3000))
        r = admin.post(path, {"local_part": "board"})
        expect(r.status == 422, "board@ once reserved: want 422, got %s", show(r, 400))
        r = site.post(lst + "/board/remove", {})
        expect(r.status == 303 and r.header("Location") == lst + "?done=reserved-removed",
               "removing a reserved name: %s", show(r, 400))
        r = admin.post(path, {"local_part": "board"})
        expect(r.status == 303, "board@ no longer reserved: want 303, got %s", show(r, 400))
        r = admin.post(path, {"local_part": "extra-" + member})
        expect(r.status == 303, "an ordinary extra address: want 303, got %s", show(r, 400))
    finally:
        drop_domain(env, did)


# ---------------------------------------------------------------- bans

def live_tokens(env, uid):
    return int(q(env, "SELECT count(*) FROM api_tokens WHERE user_id = %d AND revoked_at IS NULL "
                      "AND expires_at > now()" % uid))


@test
def sec_ban_ends_sessions_and_tokens(env):
    """A ban (web and CLI) deletes the user's sessions and revokes their API
    tokens, audited; unbanning brings neither back."""
    env.ensure_server()
    site = Signed(env, user_row(env, uniq("secbans"), site_admin=True))
    for how in ("web", "cli"):
        uid = user_row(env, uniq("secban"))
        name = q(env, "SELECT name FROM users WHERE id = %d" % uid)
        browser = Signed(env, uid)
        tokens = [test_api.mk_token(env, uid) for _ in range(2)]
        expect(browser.get("/my").status == 200, "%s: the session does not work to begin with", how)
        mark = audit_mark(env)
        if how == "web":
            r = site.post("/admin/users/%d/ban" % uid, {"reason": "stolen account"})
            expect(r.status == 303, "ban: %s", show(r))
        else:
            code, out = env.run_cli(["user", "ban", name, "--reason", "stolen account", "-c", env.conf])
            expect(code == 0, "membermail user ban: exit %s: %s", code, out)
        expect(q(env, "SELECT count(*) FROM sessions WHERE user_id = %d" % uid) == "0",
               "%s: the banned user's sessions are still stored", how)
        expect(live_tokens(env, uid) == 0, "%s: %d API tokens still live", how, live_tokens(env, uid))
        au = [a[2] for a in audit_rows(env, mark)]
        expect(au.count("api_token.revoke") == 2 and "user.ban" in au, "%s: audit %r", how, au)
        if how == "web":
            r = site.post("/admin/users/%d/unban" % uid, {})
            expect(r.status == 303, "unban: %s", show(r))
        else:
            code, out = env.run_cli(["user", "unban", name, "-c", env.conf])
            expect(code == 0, "membermail user unban: exit %s: %s", code, out)
        r = browser.get("/my")
        expect(r.status == 401, "%s: after unbanning, the old session works again: %s", how, show(r))
        for t in tokens:
            test_api.refused(test_api.call(env, "GET", "/api/v1/me", t),
                             "%s: an old token after unbanning" % how, 401, "invalid_token")
        expect(live_tokens(env, uid) == 0, "%s: unbanning revived tokens", how)


@tp.scene_test
def sec_ban_disables_aliases_at_once(env, make):
    """Banning (web or CLI) disables the user's aliases in the ban's own
    transaction, a domain admin's too, with the usual notifications; the
    sync enables them again once the user is unbanned."""
    s = make("bna")
    ada = s.user("ada")
    bob = s.user("bob")
    tp.expect_sync(env, 0, created=2, errors=0)
    q(env, "INSERT INTO aliases (domain_id, local_part, user_id, recipients) VALUES (%d, %s, %d, "
           "ARRAY[%s])" % (s.domain_id, lit("adm-" + s.tag), s.ids[s.admin], lit(s.admin_email)))
    env.ensure_server()
    site = Signed(env, user_row(env, uniq("secbna"), site_admin=True))
    s.mark()
    mark = audit_mark(env)
    r = site.post("/admin/users/%d/ban" % s.ids[ada], {"reason": "stolen account"})
    expect(r.status == 303, "ban: %s", show(r))
    a = s.alias(ada)
    expect(a is not None and a[:3] == (False, "banned", True),
           "ada's alias right after the ban: %r (want disabled, banned, removal set)", a)
    au = audit_rows(env, mark, "action = 'alias.disable'")
    expect(len(au) == 1 and au[0][:2] == ("user", str(site.uid)) and au[0][3] == s.addr(ada),
           "audit of the disable: %r", au)
    mails = s.outbox()
    expect(any(m[0] == s.email_of(ada) for m in mails) and any(m[0] == s.admin_email for m in mails),
           "the user and the admin told: %r", mails)
    code, out = env.run_cli(["user", "ban", bob, "--reason", "spam", "-c", env.conf])
    expect(code == 0, "CLI ban: %s", out)
    expect(s.alias(bob)[:2] == (False, "banned"), "bob's alias after the CLI ban: %r", s.alias(bob))
    r = site.post("/admin/users/%d/ban" % s.ids[s.admin], {"reason": "stolen account"})
    expect(r.status == 303, "ban of the domain admin: %s", show(r))
    expect(s.alias(s.admin, "adm-" + s.tag)[:2] == (False, "banned"),
           "the banned admin's alias: %r", s.alias(s.admin, "adm-" + s.tag))
    expect(s.role(s.admin) == "admin", "a ban demoted the admin")
    for uid in (s.ids[ada], s.ids[s.admin]):
        r = site.post("/admin/users/%d/unban" % uid, {})
        expect(r.status == 303, "unban: %s", show(r))
    tp.expect_sync(env, 0, errors=0)
    expect(s.alias(ada)[:2] == (True, None), "ada's alias after unban and sync: %r", s.alias(ada))
    expect(s.alias(s.admin, "adm-" + s.tag)[:2] == (True, None),
           "the admin's alias after unban and sync: %r", s.alias(s.admin, "adm-" + s.tag))


# ---------------------------------------------------------------- notifications

@tp.scene_test
def sec_notifications_show_one_address(env, make):
    """Every notification shows one person's address: the user and each
    admin get their own copy, nobody is in Cc."""
    s = make("ntf")
    second = s.user("adm", in_team=False)
    q(env, "INSERT INTO domain_members (domain_id, user_id, role) VALUES (%d, %d, 'admin')"
      % (s.domain_id, s.ids[second]))
    s.user("coc", is_ubuntu_coc_signer=False)
    s.user("new")
    tp.expect_sync(env, 0, errors=0)
    rows = outbox_since(env, s.outbox_mark)
    expect(rows, "no notification queued")
    crowded = [r for r in rows if len([a for a in ",".join(r[:3]).split(",") if a]) != 1]
    expect(not crowded, "messages addressed to more than one person:\n  %s",
           "\n  ".join(map(repr, crowded)))
    admins = {s.admin_email, s.email_of(second)}
    for subject in set(r[3] for r in rows):
        got = sorted(r[0] for r in rows if r[3] == subject)
        expect(admins <= set(got), "%r: each admin gets a copy: %s", subject, got)


# ---------------------------------------------------------------- the last admin

@test
def sec_last_admin_is_unbanned(env):
    """The last-admin rules count admins who are not banned: a site admin
    who banned the only other one cannot revoke themselves; a domain's only
    unbanned admin cannot be demoted or removed (pages and API)."""
    env.ensure_server()
    others = q(env, "SELECT string_agg(id::text, ',') FROM users WHERE is_site_admin AND NOT is_banned")
    if others:
        q(env, "UPDATE users SET is_site_admin = false WHERE id IN (%s)" % others)
    dom, did = da_domain(env)
    try:
        a = Signed(env, user_row(env, uniq("seclasta"), site_admin=True))
        b_uid = user_row(env, uniq("seclastb"), site_admin=True)
        r = a.post("/admin/users/%d/ban" % b_uid, {"reason": "stolen account"})
        expect(r.status == 303, "A bans B: %s", show(r))
        r = a.post("/admin/users/%d/site-admin" % a.uid, {"grant": "no"})
        expect(r.status == 409, "A revokes themselves, B banned: want 409, got %s", show(r))
        expect(q(env, "SELECT is_site_admin FROM users WHERE id = %d" % a.uid) == "t",
               "A is no longer a site admin")
        # A domain with two admins, one of them banned.
        x_uid = user_row(env, uniq("seclastx"))
        y_uid = user_row(env, uniq("seclasty"))
        y_name = q(env, "SELECT name FROM users WHERE id = %d" % y_uid)
        for uid in (x_uid, y_uid):
            q(env, "INSERT INTO domain_members (domain_id, user_id, role) VALUES (%d, %d, 'admin')"
              % (did, uid))
        q(env, "UPDATE users SET is_banned = true, ban_reason = 'spam' WHERE id = %d" % x_uid)
        y = Signed(env, y_uid)
        before = domain_state(env, did)
        base = "/domains/%s/members/%s" % (dom, y_name)
        r = y.post(base + "/role", {"role": "member"})
        expect(r.status == 409, "the only unbanned admin demotes themselves: want 409, got %s", show(r))
        r = y.post(base + "/remove", {})
        expect(r.status == 409, "the only unbanned admin removes themselves: want 409, got %s", show(r))
        tok = test_api.mk_token(env, y_uid)
        test_api.refused(test_api.call(env, "PATCH", "/api/v1/domains/%s/members/%s" % (dom, y_name),
                                       tok, {"role": "member"}),
                         "API demotion of the only unbanned admin", 409, "last_admin")
        expect(q(env, "SELECT role FROM domain_members WHERE domain_id = %d AND user_id = %d"
                 % (did, y_uid)) == "admin", "the admin was demoted")
        expect(domain_state(env, did) == before, "refusals wrote something")
    finally:
        drop_domain(env, did)
        if others:
            q(env, "UPDATE users SET is_site_admin = true WHERE id IN (%s)" % others)


# ---------------------------------------------------------------- log lines

KV = re.compile(r'([a-z_]+)=("(?:[^"\\]|\\.)*"|[^ "]+)')
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z level=\w+ pid=\d+ ")


def parse_line(line):
    """The key=value pairs of a log line, or None when it is not one."""
    if not STAMP.match(line):
        return None
    rest = line[line.index(" ") + 1:]
    pairs, pos = [], 0
    while pos < len(rest):
        m = KV.match(rest, pos)
        if not m:
            return None
        pairs.append((m.group(1), m.group(2)))
        pos = m.end()
        if pos < len(rest):
            if rest[pos] != " ":
                return None
            pos += 1
    return pairs


def unquote(v):
    if not v.startswith('"'):
        return v
    out, i, s = bytearray(), 1, v[1:-1]
    i = 0
    while i < len(s):
        c = s[i]
        if c == "\\" and s[i + 1] == "x":
            out.append(int(s[i + 2:i + 4], 16))
            i += 4
        elif c == "\\":
            out += s[i + 1].encode()
            i += 2
        else:
            out += c.encode()
            i += 1
    return out.decode("utf-8", "replace")


def sent_raw(inst, uri, timeout=10.0):
    """A GET with this raw REQUEST_URI, straight to the instance's socket."""
    params = fcgi.nginx_like_params("GET", "/_test/sleep")
    params = [(k, uri if k == "REQUEST_URI" else v) for k, v in params]
    try:
        return fcgi.request(inst.sock, params, timeout=timeout)
    except OSError:
        return None


@test
def sec_log_lines_cannot_be_forged(env):
    """Client bytes in slow_request (worker) and request_timeout (master)
    lines are quoted by the log API: a quote, spaces and a newline in the
    request URI neither end the value nor start a line."""
    inst = test_ops.Instance(env, "seclog", workers=2, slow_request=200, request_timeout=2).start()
    try:
        forged = '" forged=1 event=forged y="\n2031-01-01T00:00:00.000Z level=error pid=1 event=forged_line'
        cases = (("slow_request", "/_test/sleep/" + forged + "?ms=400"),
                 ("request_timeout", "/_test/sleep/" + forged + "?ms=6000"))
        for event, uri in cases:
            mark = inst.mark()
            sent_raw(inst, uri, timeout=8)

            def line_of():
                for ln in inst.since(mark).splitlines():
                    if "event=%s " % event in ln:
                        return ln
                return None
            line = wait_until(line_of, 6)
            expect(line, "no %s line:\n%s", event, inst.since(mark)[-2000:])
            text = inst.since(mark)
            bad = []
            for ln in text.splitlines():
                kv = parse_line(ln) or []
                keys = [k for k, _ in kv]
                if ln.startswith("2031-") or len(set(keys)) != len(keys) or \
                        dict(kv).get("event", "").startswith("forged"):
                    bad.append(ln)
            expect(not bad, "%s: a forged line was written: %r", event, bad)
            pairs = parse_line(line)
            expect(pairs is not None, "%s: not a key=value line: %r", event, line)
            keys = [k for k, _ in pairs]
            expect(keys.count("event") == 1 and "forged" not in keys and "y" not in keys,
                   "%s: the URI added keys: %r", event, line)
            path = unquote(dict(pairs)["path"])
            expect(len(path) >= 60 and uri.startswith(path.rstrip(".")) and "?" not in path,
                   "%s: path %r is not the URI sent (%r)", event, path, uri)
    finally:
        inst.srv.stop(signal.SIGTERM, 10)


# ---------------------------------------------------------------- the master's children

SB_WORKERS, SB_STRIDE = 128, 200    # offsetof(struct scoreboard, workers), sizeof(struct sb_worker)


@test
def sec_master_signals_only_its_children(env):
    """A worker can write the shared scoreboard: a pid written into a
    worker's slot must not be signalled by the master (reload, stop)."""
    inst = test_ops.Instance(env, "secpid", workers=2).start()
    victim = subprocess.Popen(["sleep", "300"], start_new_session=True)
    workers = []
    try:
        workers = inst.workers()
        expect(len(workers) == 2, "workers: %s", workers)
        path = "/dev/shm/membermail.%d" % inst.pid
        with open(path, "r+b") as f:
            m = mmap.mmap(f.fileno(), 0)
            slot = None
            for i in range(256):
                off = SB_WORKERS + i * SB_STRIDE
                if off + 4 <= len(m) and struct.unpack_from("<i", m, off)[0] == workers[0]:
                    slot = off
                    break
            expect(slot is not None, "worker %d not found in the scoreboard (layout changed?)", workers[0])
            struct.pack_into("<i", m, slot, victim.pid)     # what a compromised worker could do
            m.close()
        os.kill(inst.pid, signal.SIGHUP)                    # the old generation is told to leave
        gone = wait_until(lambda: not [w for w in workers if stack.alive(w)], 10)
        expect(victim.poll() is None, "the master signalled a pid it read from the scoreboard "
               "(the victim died: %s)" % victim.returncode)
        expect(gone, "the reload did not retire the old workers: %s",
               [w for w in workers if stack.alive(w)])
        os.kill(inst.pid, signal.SIGTERM)
        expect(inst.srv.proc.wait(10) is not None, "the master did not stop")
        expect(victim.poll() is None, "the fast stop signalled the victim (%s)", victim.returncode)
    finally:
        for w in workers:
            if stack.alive(w):
                os.kill(w, signal.SIGKILL)
        inst.srv.stop(signal.SIGTERM, 10)
        victim.kill()
        victim.wait()


# ---------------------------------------------------------------- rate limits

@test
def sec_api_limit_per_user(env):
    """The API limit is per user: a second token does not double it, while
    another user is not affected; at most 20 live tokens per user."""
    env.ensure_server()
    uid, _ = test_api.mk_user(env, "secrate")
    other, _ = test_api.mk_user(env, "secrateo")
    t1, t2, t3 = test_api.mk_token(env, uid), test_api.mk_token(env, uid), test_api.mk_token(env, other)
    not_minute_end()
    q(env, "DELETE FROM rate_limits")
    got = [test_api.call(env, "GET", "/api/v1/me", t1 if i % 2 else t2).status for i in range(120)]
    expect(got == [200] * 120, "120 requests of the minute over two tokens: %s", sorted(set(got)))
    for t in (t1, t2):
        test_api.refused(test_api.call(env, "GET", "/api/v1/me", t), "request 121 of the user",
                         429, "rate_limited")
    test_api.ok(test_api.call(env, "GET", "/api/v1/me", t3), "another user")
    q(env, "DELETE FROM rate_limits")
    # The cap on live tokens: revoked and expired ones do not count.
    for i in range(18):
        test_api.mk_token(env, uid)
    test_api.mk_token(env, uid, expired=True)
    test_api.mk_token(env, uid, revoked=True)
    expect(live_tokens(env, uid) == 20, "setup: %d live tokens", live_tokens(env, uid))
    b = Signed(env, uid)
    r = b.post("/my/tokens", {"name": "one too many"})
    expect(r.status == 409, "a 21st live token: want 409, got %s", show(r, 600))
    expect(live_tokens(env, uid) == 20, "live tokens after the refusal: %d", live_tokens(env, uid))
    q(env, "UPDATE api_tokens SET revoked_at = now() WHERE id = (SELECT min(id) FROM api_tokens "
           "WHERE user_id = %d AND revoked_at IS NULL)" % uid)
    r = b.post("/my/tokens", {"name": "room again"})
    expect(r.status == 200, "after revoking one: want 200, got %s", show(r, 600))


def start_form(env, remote, binding=None, xff=None, sock=None):
    """POST /auth/ubuntu from REMOTE_ADDR remote, straight to the socket."""
    a = binding or test_authz.Actor("anonymous")
    body = urllib.parse.urlencode({"domain": "ubuntu", "csrf_token": a.csrf}).encode()
    extra = {"REMOTE_ADDR": remote, "HTTP_COOKIE": a.cookie(), "HTTP_X_FORWARDED_FOR": xff}
    params = fcgi.nginx_like_params("POST", "/auth/ubuntu", body=body, content_type=FORM, extra=extra)
    r = fcgi.request(sock or env.sock, params, body=body)
    return r.status


@test
def sec_login_limit_ipv6_prefix(env):
    """The sign-in limit keys IPv6 clients on their /64: nine addresses of
    one /64 share its 8 starts a minute; another /64 is not affected."""
    si.use_profile(env)
    not_minute_end()
    q(env, "DELETE FROM rate_limits")
    try:
        got = [start_form(env, "2001:db8:5:6::%x" % (i + 1)) for i in range(9)]
        expect(got == [303] * 8 + [429], "nine addresses of one /64: %s", got)
        expect(start_form(env, "2001:db8:5:7::1") == 303, "another /64 was refused")
        expect(start_form(env, "192.0.2.1") == 303, "an IPv4 client was refused")
    finally:
        q(env, "DELETE FROM rate_limits")


@test
def sec_login_limit_behind_proxy(env):
    """With trusted_proxies, the client is the last untrusted address of
    X-Forwarded-For (through nginx, whose address is loopback); an
    untrusted peer's X-Forwarded-For is ignored."""
    try:
        si.use_profile(env, "proxy", {"trusted_proxies": "127.0.0.1/32 ::1"})
        b = si.Browser(env)
        token = b.csrf()
        not_minute_end()
        q(env, "DELETE FROM rate_limits")

        def start(xff):
            return b.post("/auth/ubuntu", {"csrf_token": token}, **{"X-Forwarded-For": xff}).status
        got = [start("198.51.100.1") for _ in range(8)]
        expect(got == [303] * 8, "the first 8 of one client: %s", got)
        expect(start("198.51.100.1") == 429, "the 9th of one client was not refused")
        expect(start("203.0.113.50, 198.51.100.1") == 429, "a client's own X-Forwarded-For entry "
               "moved it into another bucket")
        expect(start("198.51.100.2") == 303, "another client behind the proxy was refused")
        q(env, "DELETE FROM rate_limits")
        got = [start_form(env, "192.0.2.9", xff="198.51.100.%d" % (i + 10)) for i in range(9)]
        expect(got == [303] * 8 + [429], "an untrusted peer's X-Forwarded-For was believed: %s", got)
    finally:
        q(env, "DELETE FROM rate_limits")
        si.use_profile(env)


# ---------------------------------------------------------------- cookies over https

def set_cookies(r):
    return [v for n, v in r.headers if n.lower() == "set-cookie"]


@test
def sec_host_cookies_over_https(env):
    """With an https public_url both cookies are __Host- cookies (Secure,
    Path=/, no Domain), and the plain names are not read: a cookie planted
    by a sibling subdomain binds nothing."""
    sock = os.path.join(env.base, "sec-https.sock")
    conf = os.path.join(env.base, "sec-https.conf")
    public = "https://127.0.0.1:%d" % env.port
    stack.render_config(conf, stack.config_settings(
        sock, workers=1, public_url=public, database=env.pg.conninfo(),
        extra=env.signin_settings() + env.provision_settings()), header="sec https profile")
    srv = env.new_server(conf=conf, sock=sock, workers=1, tag="sec-https").start()
    try:
        srv.wait_ready()

        def call(method, path, cookie=None, body=b""):
            extra = {"HTTP_COOKIE": cookie, "HTTPS": "on", "REQUEST_SCHEME": "https"}
            p = fcgi.nginx_like_params(method, path, body=body, extra=extra,
                                       content_type=FORM if body else None)
            return fcgi.request(sock, p, body=body)
        r = call("GET", "/ubuntu")
        sc = set_cookies(r)
        expect(len(sc) == 1 and sc[0].startswith("__Host-mm_browser="),
               "GET /ubuntu over https: Set-Cookie %r", sc)
        attrs = [a.strip().lower() for a in sc[0].split(";")[1:]]
        expect("secure" in attrs and "path=/" in attrs and "httponly" in attrs
               and not any(a.startswith("domain") for a in attrs), "cookie attributes %r", attrs)
        binding = sc[0].split(";")[0].split("=", 1)[1]
        a = test_authz.Actor("planted")
        body = urllib.parse.urlencode({"domain": "ubuntu", "csrf_token": a.csrf}).encode()
        r = call("POST", "/auth/ubuntu", cookie="mm_browser=" + a.binding, body=body)
        expect(r.status == 403, "a planted mm_browser cookie bound a sign-in: %s", r)
        csrf = test_authz.sha256_hex("csrf:" + binding)
        body = urllib.parse.urlencode({"domain": "ubuntu", "csrf_token": csrf}).encode()
        r = call("POST", "/auth/ubuntu", cookie="__Host-mm_browser=" + binding, body=body)
        expect(r.status == 303, "the __Host- binding: want 303, got %s", r)
        uid = user_row(env, uniq("sechost"))
        s = test_authz.Actor("host", uid)
        env.pg.psql("INSERT INTO sessions (token_hash, user_id, csrf_token, idle_expires_at, "
                    "expires_at) VALUES (decode('%s', 'hex'), %d, decode('%s', 'hex'), now() + "
                    "interval '1 hour', now() + interval '1 hour')"
                    % (test_authz.sha256_hex(s.session), uid, s.csrf), db=DB)
        expect(call("GET", "/my", cookie="__Host-mm_session=" + s.session).status == 200,
               "__Host-mm_session does not sign in")
        expect(call("GET", "/my", cookie="mm_session=" + s.session).status == 401,
               "the plain mm_session name is still read over https")
        body = urllib.parse.urlencode({"csrf_token": s.csrf}).encode()
        r = call("POST", "/auth/logout", cookie="__Host-mm_session=" + s.session, body=body)
        sc = set_cookies(r)
        expect(r.status == 303 and any(c.startswith("__Host-mm_session=;") or
                                       c.startswith("__Host-mm_session=\"\"") for c in sc),
               "logout does not expire __Host-mm_session: %s %r", r, sc)
    finally:
        srv.stop(signal.SIGTERM, 10)


# ---------------------------------------------------------------- association, https

@test
def sec_association_refuses_dh(env):
    """Association mode asks for no-encryption, and a provider answering
    with a Diffie-Hellman session is refused: nothing stored, the sign-in
    verified by check_authentication instead."""
    si.use_profile(env, "association")
    q(env, "DELETE FROM openid_associations")
    env.sso.reset()
    u = si.new_user("sdh", fullname="Dee Aitch")
    b, d, _ = si.sign_in(env, user=u, faults={"answer_session_type": "DH-SHA256"})
    body = si.op_requests(env.sso, "associate")[0]["body"]
    qs = urllib.parse.parse_qs(body)
    expect(qs.get("openid.session_type") == ["no-encryption"] and "openid.dh_consumer_public" not in qs,
           "associate request: %s", qs)
    expect(si.direct_modes(env.sso) == ["associate", "check_authentication"],
           "a DH answer: want associate then check_authentication, got %s", si.direct_modes(env.sso))
    expect(si.assoc_rows(env) == [], "an association from a DH answer was stored: %s", si.assoc_rows(env))
    expect(b"Hello, Dee Aitch" in b.get("/my").body, "not signed in")
    expect("event=sso_associate_failed" in env.server_log(), "the refusal is not logged")


@test
def sec_https_for_internet_services(env):
    """sso_endpoint, sso_identity_prefix and launchpad_api must be https
    unless the host is loopback: anything else stops with file:line: key."""
    good = os.path.join(env.base, "sec-https-good.conf")
    for key, url in (("sso_endpoint", "http://127.0.0.1:9/+openid"),
                     ("sso_identity_prefix", "http://localhost:9/+id/"),
                     ("launchpad_api", "http://[::1]:9/1.0"),
                     ("sso_endpoint", "https://login.example.org/+openid")):
        stack.render_config(good, stack.config_settings(env.sock, extra=[(key, url)]))
        code, out = env.run_cli(["check-config", "-c", good])
        expect(code == 0, "check-config refused %s = %s: %s", key, url, out)
    for key, url in (("sso_endpoint", "http://login.example.org/+openid"),
                     ("sso_identity_prefix", "http://login.example.org/+id/"),
                     ("launchpad_api", "http://api.example.org/1.0"),
                     ("launchpad_api", "http://127.0.0.1.example.org/1.0"),
                     ("sso_endpoint", "http://10.0.0.1/+openid")):
        bad = os.path.join(env.base, "sec-https-bad.conf")
        lines = stack.config_settings(env.sock, extra=[(key, url)])
        stack.render_config(bad, lines)
        code, out = env.run_cli(["check-config", "-c", bad])
        expect(code not in (0, None), "check-config accepted %s = %s", key, url)
        expect(("%s:%d: %s:" % (bad, len(lines) + 1, key)) in out and "https" in out,
               "the message for %s = %s: %r", key, url, out)
    stack.render_config(good, stack.config_settings(env.sock, extra=[
        ("openid_mode", "association"), ("sso_endpoint", "http://sso.example.org/+openid")]))
    code, out = env.run_cli(["check-config", "-c", good])
    expect(code not in (0, None), "association mode over plain http was accepted: %s", out)


# ---------------------------------------------------------------- caching

@test
def sec_pages_not_cached(env):
    """Every page that shows personal data or a form answers with
    Cache-Control: no-store: each GET route of the matrix as an allowed
    actor, and an error page."""
    env.ensure_server()
    fx = test_authz.Fixture(env)
    try:
        wrong = []
        for row in test_authz.MATRIX:
            if row.method != "GET":
                continue
            actor = test_authz.ACTORS[row.want.index(row.ok)]
            if row.who is test_authz.ANYONE:
                actor = "member"
            path = fx.path(row)
            r = fx.send(actor, "GET", path)
            cc = r.header("Cache-Control") or ""
            if "no-store" not in cc:
                wrong.append("GET %s as %s (%d): Cache-Control %r" % (path, actor, r.status, cc))
        r = fx.send("member", "GET", "/admin")
        if "no-store" not in (r.header("Cache-Control") or ""):
            wrong.append("the 403 page of /admin: Cache-Control %r" % r.header("Cache-Control"))
        expect(not wrong, "cacheable pages:\n  %s", "\n  ".join(wrong))
    finally:
        fx.drop()
