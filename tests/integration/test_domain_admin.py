#!/usr/bin/python3
"""membermail integration tests of the domain-admin pages:
/domains/<domain>, its aliases, its log and its member pages with their
actions, through nginx against the real PostgreSQL.

Not a runner of its own: tests/integration/run.py imports it (before
test_db.py, whose PostgreSQL outage test stays the last of the run).

People sign in through the fake Ubuntu One (test_signin.sign_in); rows are
set up with SQL as the database owner.  The tests use domains of their own
(da-*.example), with no landing page and a team no fake user is in, so that
sign-in provisioning can never touch them.  Every refused change is checked
to have written nothing: the rows and the audit log are compared before and
after.
"""

import re
import threading
import urllib.parse

import stack
from run import Fail, check_app_error_page, check_html, expect, show, test  # noqa: F401
from test_signin import Browser, new_user, sign_in, use_profile, user_row

DB = stack.APP_DB
PREFIX = "membermail-site-verification"
PAGE = 25       # MEMBER_PAGE_DEFAULT


# ---------------------------------------------------------------- database, as the owner

def own(env, query):
    return env.pg.scalar(query, db=DB, user=stack.OWNER_ROLE)


def lit(s):
    return "'" + s.replace("'", "''") + "'"


_seq = [0]


def uniq(tag):
    _seq[0] += 1
    return "%s%d" % (tag, _seq[0])


def new_domain(env, alias_limit=3):
    """A fresh domain (name, id, token), deleted with its aliases when the
    test ends (see domain_test): the other tests count the domains."""
    name = uniq("da-") + ".example"
    token = ("T%09d" % _seq[0])[-10:]
    did = int(own(env, "INSERT INTO domains (name, team, verification_token, alias_limit) "
                       "VALUES (%s, 'da-nobody-team', %s, %d) RETURNING id"
                       % (lit(name), lit(token), alias_limit)).splitlines()[0])
    env.domain_admin_created.append(did)
    return name, did, token


def domain_test(fn):
    """A test whose domains go away when it ends, whatever happens."""
    def run_it(env):
        env.domain_admin_created = []
        try:
            return fn(env)
        finally:
            ids = ",".join(str(i) for i in env.domain_admin_created)
            if ids:
                own(env, "DELETE FROM aliases WHERE domain_id IN (%s); "
                         "DELETE FROM domains WHERE id IN (%s)" % (ids, ids))
    run_it.__name__ = fn.__name__
    return test(run_it)


def new_person(env, name=None, email=None):
    """A user row (never signed in): its id and Launchpad name."""
    name = name or uniq("dm")
    email = email or "%s@example.net" % name
    uid = own(env, "INSERT INTO users (claimed_id, name, email, display_name) VALUES "
                   "(%s, %s, %s, %s) RETURNING id"
                   % (lit("https://sso.example/+id/" + re.sub(r"[^A-Za-z0-9]", "", name)),
                      lit(name), lit(email), lit(name.capitalize() + " Member"))).splitlines()[0]
    return int(uid), name


def join(env, did, uid, role="member"):
    own(env, "INSERT INTO domain_members (domain_id, user_id, role) VALUES (%d, %d, %s)"
             % (did, uid, lit(role)))


def add_alias(env, did, uid, local, recipients=None, enabled=True, reason=None):
    rc = recipients or ["dest-%s@example.org" % local]
    arr = "ARRAY[%s]::text[]" % ",".join(lit(x) for x in rc)
    return int(own(env, "INSERT INTO aliases (domain_id, local_part, user_id, recipients, enabled, "
                        "disabled_reason) VALUES (%d, %s, %d, %s, %s, %s) RETURNING id"
                        % (did, lit(local), uid, arr, "true" if enabled else "false",
                           lit(reason) if reason else "NULL")).splitlines()[0])


def role_of(env, did, uid):
    return own(env, "SELECT role FROM domain_members WHERE domain_id = %d AND user_id = %d" % (did, uid))


def audit_rows(env, did):
    """(action, target_label, before, after) of the domain's audit log, oldest first."""
    out = own(env, "SELECT action || '|' || coalesce(target_label, '') || '|' || "
                   "coalesce(before::text, '') || '|' || coalesce(after::text, '') "
                   "FROM audit_log WHERE domain_id = %d ORDER BY id" % did)
    return [ln.split("|") for ln in out.splitlines() if ln]


def state(env, did):
    """Everything a change of this domain could write."""
    return (own(env, "SELECT string_agg(user_id || ':' || role, ',' ORDER BY user_id) "
                     "FROM domain_members WHERE domain_id = %d" % did),
            own(env, "SELECT string_agg(local_part || ':' || enabled || ':' || "
                     "coalesce(disabled_reason, '') || ':' || array_to_string(recipients, ' '), ',' "
                     "ORDER BY local_part) FROM aliases WHERE domain_id = %d" % did),
            own(env, "SELECT count(*) FROM error_reports WHERE domain_id = %d" % did),
            own(env, "SELECT count(*) FROM audit_log WHERE domain_id = %d" % did))


# ---------------------------------------------------------------- people

def people(env):
    """Signed-in browsers, made once per run: the admin of domain X (`adm`),
    the admin of another domain Y (`other`), a plain member of X (`mem`) and
    a user of neither (`out`); X and Y are the test's own."""
    use_profile(env)
    p = getattr(env, "domain_admin_people", None)
    if p is None:
        p = {}
        for who in ("adm", "other", "mem", "out"):
            user = new_user("da" + who)
            b, _, _ = sign_in(env, user=user)
            b.name = who
            p[who] = b
            p[who + "_id"] = int(user_row(env, user)[0])
            p[who + "_name"] = user["nickname"]
        env.domain_admin_people = p
    x, xid, xtoken = new_domain(env)
    y, yid, _ = new_domain(env)
    p["x"], p["xid"], p["xtoken"], p["y"], p["yid"] = x, xid, xtoken, y, yid
    join(env, xid, p["adm_id"], "admin")
    join(env, yid, p["other_id"], "admin")
    join(env, xid, p["mem_id"], "member")
    return p


def csrf(b):
    return b.csrf("/my")


def post(b, path, fields, token=True, **headers):
    f = dict(fields)
    if token:
        f["csrf_token"] = csrf(b)
    return b.post(path, f, **headers)


def see_other(r, location, what):
    expect(r.status == 303 and r.header("Location") == location,
           "%s: want 303 to %s, got %s", what, location, show(r, 800))


def body(r):
    return r.body.decode("utf-8", "replace")


def member_names(r):
    return re.findall(r'class="member" href="/domains/[^/]+/members/([^"]+)"', body(r))


def next_url(r):
    m = re.search(r'rel="next" href="([^"]+)"', body(r))
    return m.group(1).replace("&amp;", "&") if m else None


# ---------------------------------------------------------------- access

@domain_test
def domain_admin_access(env):
    """Anonymous 401; a user of no domain, a plain member and an admin of
    another domain 403 (an unknown domain too: existence is not revealed);
    the admin and a site admin 200; the same for every POST, which then
    writes nothing."""
    p = people(env)
    x = p["x"]
    pages = ["/domains/%s" % x, "/domains/%s/aliases" % x, "/domains/%s/log" % x,
             "/domains/%s/members/%s" % (x, p["mem_name"])]
    for path in pages:
        check_app_error_page(env.get(path), 401, "anonymous GET " + path)
        for who in ("out", "mem", "other"):
            check_app_error_page(p[who].get(path), 403, "%s: GET %s" % (who, path))
        check_html(p["adm"].get(path), "admin: GET " + path)
    check_app_error_page(p["other"].get("/domains/da-none.example"), 403,
                         "an unknown domain for an admin of another")
    check_app_error_page(p["adm"].get("/domains/%s/members/nobody-here" % x), 404,
                         "an unknown member")
    # A site admin sees every domain; an unknown one is a 404 for them.
    own(env, "UPDATE users SET is_site_admin = true WHERE id = %d" % p["out_id"])
    try:
        check_html(p["out"].get("/domains/%s" % x), "site admin: GET /domains/x")
        check_app_error_page(p["out"].get("/domains/da-none.example"), 404,
                             "site admin: an unknown domain")
    finally:
        own(env, "UPDATE users SET is_site_admin = false WHERE id = %d" % p["out_id"])
    uid, name = new_person(env)
    join(env, p["xid"], uid)
    aid = add_alias(env, p["xid"], uid, name)
    posts = [("/domains/%s/members/%s/role" % (x, name), {"role": "admin"}),
             ("/domains/%s/members/%s/remove" % (x, name), {}),
             ("/domains/%s/members/%s/aliases" % (x, name), {"local_part": "extra-" + name}),
             ("/domains/%s/aliases/%d/enabled" % (x, aid), {"enabled": "no"})]
    before = state(env, p["xid"])
    for path, fields in posts:
        r = env.req("POST", path, body=urllib.parse.urlencode(fields).encode(),
                    headers={"Content-Type": "application/x-www-form-urlencoded"})
        check_app_error_page(r, 401, "anonymous POST " + path)
        for who in ("out", "mem", "other"):
            check_app_error_page(post(p[who], path, fields), 403, "%s: POST %s" % (who, path))
    expect(state(env, p["xid"]) == before, "refused POSTs changed the domain: %s -> %s",
           before, state(env, p["xid"]))


@domain_test
def domain_admin_csrf(env):
    """Every POST without the CSRF token, with a wrong one, or cross-site is
    refused with 403 and writes nothing."""
    p = people(env)
    x, b = p["x"], p["adm"]
    uid, name = new_person(env)
    join(env, p["xid"], uid)
    aid = add_alias(env, p["xid"], uid, name)
    posts = [("/domains/%s/members/%s/role" % (x, name), {"role": "admin"}),
             ("/domains/%s/members/%s/remove" % (x, name), {}),
             ("/domains/%s/members/%s/aliases" % (x, name), {"local_part": "extra-" + name}),
             ("/domains/%s/aliases/%d/enabled" % (x, aid), {"enabled": "no"})]
    before = state(env, p["xid"])
    for path, fields in posts:
        check_app_error_page(post(b, path, fields, token=False), 403, "no token: " + path)
        f = dict(fields, csrf_token="0" * 64)
        check_app_error_page(b.post(path, f), 403, "wrong token: " + path)
        check_app_error_page(post(b, path, fields, Origin="https://evil.example"), 403,
                             "foreign Origin: " + path)
        check_app_error_page(post(b, path, fields, **{"Sec-Fetch-Site": "cross-site"}), 403,
                             "Sec-Fetch-Site cross-site: " + path)
    expect(state(env, p["xid"]) == before, "CSRF-refused POSTs changed the domain: %s -> %s",
           before, state(env, p["xid"]))


@domain_test
def domain_admin_my_links(env):
    """/my links the domains one administers, and only those."""
    p = people(env)
    r = p["adm"].get("/my")
    check_html(r, "admin: /my")
    expect(('href="/domains/%s"' % p["x"]) in body(r), "/my lacks the link to %s", p["x"])
    expect(('href="/domains/%s"' % p["y"]) not in body(r), "/my links %s, not administered", p["y"])
    r = p["mem"].get("/my")
    expect('href="/domains/' not in body(r), "a plain member's /my links a domain: %s", show(r, 3000))


# ---------------------------------------------------------------- the domain page

@domain_test
def domain_page_txt_record(env):
    """The TXT record to publish (the configured prefix and the domain's
    token) and its status and last check."""
    p = people(env)
    r = p["adm"].get("/domains/%s" % p["x"])
    check_html(r, "GET /domains/x")
    want = '%s. IN TXT "%s=%s"' % (p["x"], PREFIX, p["xtoken"])
    expect(want in body(r), "the page lacks the record %r: %s", want, show(r, 4000))
    expect(re.search(r'id="txt-status">unverified<', body(r)), "status unverified not shown")
    own(env, "UPDATE domains SET txt_status = 'verified', txt_checked_at = "
             "'2026-11-01 10:00:00+00', txt_last_attempt_at = '2026-11-02 11:00:00+00', "
             "txt_last_attempt_result = 'temporary-failure' WHERE id = %d" % p["xid"])
    r = p["adm"].get("/domains/%s" % p["x"])
    for part in ('id="txt-status">verified<', "2026-11-01 10:00:00+00",
                 "2026-11-02 11:00:00+00: temporary-failure"):
        expect(part in body(r), "the page lacks %r after a check: %s", part, show(r, 4000))


@domain_test
def domain_members_search_and_pages(env):
    """Members by name; search by name or email prefix; keyset pages that
    neither repeat nor skip a row when members join meanwhile."""
    p = people(env)
    b = p["adm"]
    name, did, _ = new_domain(env)
    join(env, did, p["adm_id"], "admin")
    names = []
    for i in range(PAGE + 5):
        n = "pg%02d-%s" % (i, uniq("m"))
        uid, _ = new_person(env, n, email="mail%02d@seek.example" % i if i == 7 else None)
        join(env, did, uid)
        names.append(n)
    everyone = sorted(names + [p["adm_name"]], key=str.lower)
    r = b.get("/domains/%s" % name)
    check_html(r, "members, page 1")
    first = member_names(r)
    expect(first == everyone[:PAGE], "page 1: want %s, got %s", everyone[:PAGE], first)
    nxt = next_url(r)
    expect(nxt and "after=" in nxt, "page 1 has no next link: %s", show(r, 500))
    # Members joining before and after the cursor while one pages.
    late = "zz-late-" + uniq("j")
    for n in ("aa-early-" + uniq("j"), late):
        uid, _ = new_person(env, n)
        join(env, did, uid)
    r = b.get(nxt)
    check_html(r, "members, page 2")
    second = member_names(r)
    expect(second == everyone[PAGE:] + [late], "page 2: want %s, got %s",
           everyone[PAGE:] + [late], second)
    expect(next_url(r) is None, "page 2 has a next link")
    # Search: a name prefix, an email prefix, case-insensitively.
    r = b.get("/domains/%s?q=PG03" % name)
    expect(member_names(r) == [names[3]], "q=PG03: %s", member_names(r))
    r = b.get("/domains/%s?q=mail07%%40seek" % name)
    expect(member_names(r) == [names[7]], "q=mail07@seek: %s", member_names(r))
    r = b.get("/domains/%s?q=nobody-by-that-name" % name)
    expect(member_names(r) == [] and "No members to show" in body(r), "no match: %s", show(r, 3000))
    check_app_error_page(b.get("/domains/%s?after=garbage" % name), 400, "a malformed cursor")


@domain_test
def domain_aliases_filters(env):
    """The aliases of a domain: filtered by state and reason, searched by
    local part, paged by local part."""
    p = people(env)
    b = p["adm"]
    name, did, _ = new_domain(env)
    join(env, did, p["adm_id"], "admin")
    uid, owner = new_person(env)
    join(env, did, uid)
    add_alias(env, did, uid, "on-one")
    add_alias(env, did, uid, "off-owner", enabled=False, reason="by-owner")
    add_alias(env, did, uid, "off-left", enabled=False, reason="left-team")

    def listed(path):
        r = b.get(path)
        check_html(r, path)
        return re.findall(r'class="mono address">([^<]+)<', body(r))
    base = "/domains/%s/aliases" % name
    expect(listed(base) == ["off-left@" + name, "off-owner@" + name, "on-one@" + name],
           "all: %s", listed(base))
    expect(listed(base + "?enabled=yes") == ["on-one@" + name], "enabled: %s", listed(base + "?enabled=yes"))
    expect(listed(base + "?enabled=no") == ["off-left@" + name, "off-owner@" + name],
           "disabled: %s", listed(base + "?enabled=no"))
    expect(listed(base + "?enabled=no&reason=left-team") == ["off-left@" + name],
           "left-team: %s", listed(base + "?enabled=no&reason=left-team"))
    expect(listed(base + "?q=off-o") == ["off-owner@" + name], "q=off-o: %s", listed(base + "?q=off-o"))
    check_app_error_page(b.get(base + "?reason=nonsense"), 400, "an unknown reason")
    check_app_error_page(b.get(base + "?enabled=maybe"), 400, "enabled=maybe")
    # Pages by local part, stable when aliases are added meanwhile.
    for i in range(PAGE):
        add_alias(env, did, uid, "pp%02d" % i)
    r = b.get(base)
    first = re.findall(r'class="mono address">([^<]+)<', body(r))
    expect(len(first) == PAGE, "page 1 has %d aliases", len(first))
    add_alias(env, did, uid, "aaa-new")
    r = b.get(next_url(r))
    second = re.findall(r'class="mono address">([^<]+)<', body(r))
    expect(not set(first) & set(second) and len(first) + len(second) == PAGE + 3,
           "pages overlap or lose rows: %s / %s", first, second)


# ---------------------------------------------------------------- changes

@domain_test
def domain_promote_demote(env):
    """An admin makes a member an admin and back: 303 with a notice, the role
    changed, one audit row each with before and after."""
    p = people(env)
    b, x, xid = p["adm"], p["x"], p["xid"]
    uid, name = new_person(env)
    join(env, xid, uid)
    n0 = len(audit_rows(env, xid))
    path = "/domains/%s/members/%s" % (x, name)
    r = post(b, path + "/role", {"role": "admin"})
    see_other(r, path + "?done=promoted", "promote")
    expect(role_of(env, xid, uid) == "admin", "role after promote: %r", role_of(env, xid, uid))
    r = b.get(r.header("Location"))
    expect("is now an admin" in body(r) and 'id="role">admin<' in body(r), "promoted page: %s", show(r, 3000))
    r = post(b, path + "/role", {"role": "member"})
    see_other(r, path + "?done=demoted", "demote")
    expect(role_of(env, xid, uid) == "member", "role after demote: %r", role_of(env, xid, uid))
    rows = audit_rows(env, xid)[n0:]
    expect([r[0] for r in rows] == ["domain_member.role"] * 2, "audit: %s", rows)
    expect(rows[0][1] == "~%s on %s" % (name, x), "audit label: %s", rows[0])
    expect('"role": "member"' in rows[0][2] and '"role": "admin"' in rows[0][3], "promote audit: %s", rows[0])
    expect('"role": "admin"' in rows[1][2] and '"role": "member"' in rows[1][3], "demote audit: %s", rows[1])
    # The same role again: nothing to write.
    r = post(b, path + "/role", {"role": "member"})
    see_other(r, path + "?done=unchanged", "same role")
    expect(len(audit_rows(env, xid)) == n0 + 2, "a no-op wrote an audit row")
    check_app_error_page(post(b, path + "/role", {"role": "owner"}), 400, "role=owner")
    check_app_error_page(post(b, "/domains/%s/members/nobody-here/role" % x, {"role": "admin"}),
                         404, "an unknown member")


@domain_test
def domain_last_admin_protected(env):
    """The only admin can neither be demoted nor removed (409, the reason on
    the page, nothing written); with a second admin both work."""
    p = people(env)
    b = p["adm"]
    name, did, _ = new_domain(env)
    join(env, did, p["adm_id"], "admin")
    me = "/domains/%s/members/%s" % (name, p["adm_name"])
    before = state(env, did)
    r = post(b, me + "/role", {"role": "member"})
    expect(r.status == 409 and "at least one admin" in body(r) and 'class="field-error"' in body(r),
           "demote the last admin: want 409 with the reason, got %s", show(r, 4000))
    r = post(b, me + "/remove", {})
    expect(r.status == 409 and "last admin" in body(r), "remove the last admin: %s", show(r, 4000))
    expect(state(env, did) == before, "refused last-admin changes wrote: %s -> %s", before, state(env, did))
    uid, second = new_person(env)
    join(env, did, uid, "admin")
    r = post(b, "/domains/%s/members/%s/role" % (name, second), {"role": "member"})
    see_other(r, "/domains/%s/members/%s?done=demoted" % (name, second), "demote one of two admins")
    own(env, "UPDATE domain_members SET role = 'admin' WHERE domain_id = %d AND user_id = %d" % (did, uid))
    r = post(b, me + "/remove", {})
    see_other(r, "/domains/%s?done=removed" % name, "an admin removes themself, another admin left")
    expect(role_of(env, did, p["adm_id"]) == "", "still a member after removing themself")
    check_app_error_page(b.get("/domains/%s" % name), 403, "no longer an admin")


@domain_test
def domain_admins_demote_each_other(env):
    """Two admins demoting each other at the same moment: one wins; the
    other is refused, 409 when it waited for the domain's row lock, 403
    when it was already no admin at the access check; one admin is left."""
    p = people(env)
    for i in range(5):
        name, did, _ = new_domain(env)
        join(env, did, p["adm_id"], "admin")
        join(env, did, p["other_id"], "admin")
        jobs = [(p["adm"], p["other_name"]), (p["other"], p["adm_name"])]
        tokens = [csrf(b) for b, _ in jobs]
        out = [None, None]

        def go(k):
            b, victim = jobs[k]
            out[k] = b.post("/domains/%s/members/%s/role" % (name, victim),
                            {"role": "member", "csrf_token": tokens[k]})
        threads = [threading.Thread(target=go, args=(k,)) for k in (0, 1)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        got = sorted(r.status for r in out)
        expect(got in ([303, 403], [303, 409]), "round %d: want one 303 and one 403 or 409, got %s", i, got)
        admins = own(env, "SELECT count(*) FROM domain_members WHERE domain_id = %d AND role = 'admin'" % did)
        expect(admins == "1", "round %d: %s admins left", i, admins)
        expect(len(audit_rows(env, did)) == 1, "round %d: audit %s", i, audit_rows(env, did))


@domain_test
def domain_remove_member(env):
    """Removing a member disables their enabled aliases (by-admin), keeps the
    reason of disabled ones, deletes the role row and their error reports;
    audit rows for the membership and each alias."""
    p = people(env)
    b, x, xid = p["adm"], p["x"], p["xid"]
    uid, name = new_person(env)
    join(env, xid, uid)
    add_alias(env, xid, uid, name)
    add_alias(env, xid, uid, name + "-two")
    add_alias(env, xid, uid, name + "-off", enabled=False, reason="by-owner")
    own(env, "INSERT INTO error_reports (user_id, domain_id, error_code) VALUES (%d, %d, 'not-valid')"
        % (uid, xid))
    n0 = len(audit_rows(env, xid))
    r = post(b, "/domains/%s/members/%s/remove" % (x, name), {})
    see_other(r, "/domains/%s?done=removed" % x, "remove")
    expect(role_of(env, xid, uid) == "", "the role row is still there")
    got = own(env, "SELECT string_agg(local_part || ':' || enabled || ':' || disabled_reason, ',' "
                   "ORDER BY local_part) FROM aliases WHERE user_id = %d" % uid)
    want = "%s:false:by-admin,%s-off:false:by-owner,%s-two:false:by-admin" % (name, name, name)
    expect(got == want, "aliases after removal: %s, want %s", got, want)
    expect(own(env, "SELECT count(*) FROM error_reports WHERE user_id = %d" % uid) == "0",
           "error reports not forgotten")
    rows = audit_rows(env, xid)[n0:]
    expect(sorted(r[0] for r in rows) == ["alias.update", "alias.update", "domain_member.remove"],
           "audit: %s", rows)
    rem = [r for r in rows if r[0] == "domain_member.remove"][0]
    expect('"role": "member"' in rem[2] and ("%s@%s" % (name, x)) in rem[2] and "-off@" not in rem[2],
           "removal audit before: %s", rem)
    r = b.get("/domains/%s?done=removed" % x)
    expect("was removed" in body(r), "no notice: %s", show(r, 2000))
    check_app_error_page(b.get("/domains/%s/members/%s" % (x, name)), 404, "the removed member's page")


@domain_test
def domain_extra_alias(env):
    """An admin gives a member an extra alias (recipients default to their
    email); refused with the reason next to the field and the input kept:
    a bad address (422), a taken one (409), one over the member's limit
    (409; admins exempt), a recipient that is the alias itself (422).
    Refusals write nothing."""
    p = people(env)
    b = p["adm"]
    name, did, _ = new_domain(env, alias_limit=3)
    join(env, did, p["adm_id"], "admin")
    uid, member = new_person(env)
    join(env, did, uid)
    path = "/domains/%s/members/%s" % (name, member)
    n0 = len(audit_rows(env, did))
    r = post(b, path + "/aliases", {"local_part": "Extra." + member, "recipients": ""})
    see_other(r, path + "?done=alias-added", "add an alias")
    got = own(env, "SELECT user_id || ':' || enabled || ':' || array_to_string(recipients, ' ') "
                   "FROM aliases WHERE domain_id = %d AND local_part = %s" % (did, lit("extra." + member)))
    expect(got == "%d:true:%s@example.net" % (uid, member), "the new alias: %r", got)
    rows = audit_rows(env, did)[n0:]
    expect(len(rows) == 1 and rows[0][0] == "alias.create" and rows[0][1] == "extra.%s@%s" % (member, name)
           and ("%s@example.net" % member) in rows[0][3], "audit: %s", rows)
    r = post(b, path + "/aliases", {"local_part": "typed-" + member, "recipients": "a@x.example, B@Y.example"})
    see_other(r, path + "?done=alias-added", "typed recipients")
    # Typed addresses must agree first: the alias forwards to the
    # member's own address meanwhile (test_recipients.py follows the links).
    got = own(env, "SELECT array_to_string(recipients, ' ') || '|' || array_to_string("
                   "pending_recipients, ' ') FROM aliases WHERE domain_id = %d "
                   "AND local_part = %s" % (did, lit("typed-" + member)))
    expect(got == "%s@example.net|a@x.example B@y.example" % member,
           "typed recipients stored as %r", got)

    def refused(fields, status, field, text):
        before = state(env, did)
        r = post(b, path + "/aliases", fields)
        check_app_error_page(r, status, "refused form %s" % fields)
        expect(('id="%s-error"' % field) in body(r) and text in body(r),
               "%s: no %s error with %r: %s", fields, field, text, show(r, 6000))
        kept = fields.get("local_part", "")
        expect(('name="local_part" value="%s"' % kept) in body(r), "%s: input not kept", fields)
        expect(state(env, did) == before, "%s: refused but wrote %s -> %s", fields, before, state(env, did))
    refused({"local_part": "bad..dots"}, 422, "local_part", "single dots")
    refused({"local_part": "x" * 65}, 422, "local_part", "1 to 64")
    refused({"local_part": "extra." + member}, 409, "local_part", "taken")
    refused({"local_part": "self", "recipients": "self@" + name}, 422, "recipients", "its own address")
    refused({"local_part": "bad-rcpt", "recipients": "not an address"}, 422, "recipients", "")
    # At alias_limit (3) one more is refused; an admin is exempt.
    r = post(b, path + "/aliases", {"local_part": "third-" + member})
    see_other(r, path + "?done=alias-added", "the third alias")
    refused({"local_part": "fourth-" + member}, 409, "local_part", "limit")
    me = "/domains/%s/members/%s" % (name, p["adm_name"])
    for i in range(3):
        r = post(b, me + "/aliases", {"local_part": "admin-extra-%d" % i})
        see_other(r, me + "?done=alias-added", "admin's alias %d (no limit)" % i)
    # A default recipient that is the new address itself: created disabled.
    uid2, m2 = new_person(env, email=None)
    own(env, "UPDATE users SET email = %s WHERE id = %d" % (lit("loop@" + name), uid2))
    join(env, did, uid2)
    r = post(b, "/domains/%s/members/%s/aliases" % (name, m2), {"local_part": "loop"})
    see_other(r, "/domains/%s/members/%s?done=alias-added" % (name, m2), "an alias matching its email")
    got = own(env, "SELECT enabled || ':' || disabled_reason FROM aliases WHERE domain_id = %d "
                   "AND local_part = 'loop'" % did)
    expect(got == "false:matches-recipient", "the looping alias: %r", got)


@domain_test
def domain_alias_enable_disable(env):
    """An admin disables a member's alias (by-admin) and enables it again,
    through the alias rules; an alias of another domain is a 404."""
    p = people(env)
    b, x, xid = p["adm"], p["x"], p["xid"]
    uid, name = new_person(env)
    join(env, xid, uid)
    aid = add_alias(env, xid, uid, name)
    path = "/domains/%s/members/%s" % (x, name)
    # The page's own form carries the session's CSRF token.
    r = b.get(path)
    form = re.search(r'action="/domains/%s/aliases/%d/enabled">\s*<input type="hidden" '
                     r'name="csrf_token" value="([0-9a-f]{64})">' % (re.escape(x), aid), body(r))
    expect(form and form.group(1) == csrf(b), "no toggle form with the CSRF token: %s", show(r, 6000))
    r = post(b, "/domains/%s/aliases/%d/enabled" % (x, aid), {"enabled": "no"})
    see_other(r, path + "?done=alias-disabled", "disable")
    got = own(env, "SELECT enabled || ':' || disabled_reason FROM aliases WHERE id = %d" % aid)
    expect(got == "false:by-admin", "after disable: %r", got)
    r = post(b, "/domains/%s/aliases/%d/enabled" % (x, aid), {"enabled": "yes"})
    see_other(r, path + "?done=alias-enabled", "enable")
    got = own(env, "SELECT enabled::text || ':' || coalesce(disabled_reason, '') FROM aliases "
                   "WHERE id = %d" % aid)
    expect(got == "true:", "after enable: %r", got)
    expect(int(own(env, "SELECT count(*) FROM audit_log WHERE target_type = 'alias' AND target_id = %d"
                   % aid)) == 2, "want 2 audit rows for the alias")
    # An alias of domain Y through domain X's page: not found, unchanged.
    yuid, yname = new_person(env)
    join(env, p["yid"], yuid)
    own(env, "INSERT INTO domain_members (domain_id, user_id, role) VALUES (%d, %d, 'admin')"
        % (p["yid"], p["adm_id"]))
    try:
        yaid = add_alias(env, p["yid"], yuid, yname)
        r = post(b, "/domains/%s/aliases/%d/enabled" % (x, yaid), {"enabled": "no"})
        check_app_error_page(r, 404, "an alias of another domain")
        expect(own(env, "SELECT enabled FROM aliases WHERE id = %d" % yaid) == "t", "it changed")
    finally:
        own(env, "DELETE FROM domain_members WHERE domain_id = %d AND user_id = %d" % (p["yid"], p["adm_id"]))


@domain_test
def domain_member_sync_now(env):
    """"Sync with Launchpad now" provisions the member at once (against the
    fake Launchpad, as the sync would: their alias is created, audited as
    the sync's); with Launchpad down it is queued for the next sync."""
    import test_provision
    p = people(env)
    b = p["adm"]
    s = test_provision.Scene(env, "dsn")
    try:
        join(env, s.domain_id, p["adm_id"], "admin")
        m = s.user("mem")
        join(env, s.domain_id, s.ids[m])
        path = "/domains/%s/members/%s" % (s.domain, m)
        r = b.get(path)
        expect(('action="%s/sync"' % path) in body(r), "no sync form: %s", show(r, 4000))
        expect(s.alias(m) is None, "an alias before the sync: %r", s.alias(m))
        r = post(b, path + "/sync", {})
        see_other(r, path + "?done=synced", "sync now")
        expect(s.alias(m) == (True, None, False, s.email_of(m)), "after sync now: %r", s.alias(m))
        expect(("sync", "alias.create", s.addr(m)) in s.audits(), "audit: %r", s.audits())
        down = s.user("down")
        join(env, s.domain_id, s.ids[down])
        env.lp.faults({"/1.0/~" + down: [503] * 6})
        path = "/domains/%s/members/%s" % (s.domain, down)
        r = post(b, path + "/sync", {})
        see_other(r, path + "?done=sync-queued", "sync now, Launchpad down")
        expect(s.alias(down) is None, "an alias while Launchpad was down")
        expect(own(env, "SELECT sync_requested_at IS NOT NULL FROM users WHERE id = %d" % s.ids[down]) == "t",
               "the member's sync is not queued")
        r = b.get(path + "?done=sync-queued")
        expect("next sync will check" in body(r), "no notice: %s", show(r, 3000))
        check_app_error_page(post(p["other"], path + "/sync", {}), 403, "an admin of another domain")
    finally:
        env.lp.clear_faults()
        s.retire()


@domain_test
def domain_log_page(env):
    """The log page: the domain's audit rows, newest first, paged; the error
    log entries of the domain and not of another."""
    p = people(env)
    b = p["adm"]
    name, did, _ = new_domain(env)
    join(env, did, p["adm_id"], "admin")
    uid, member = new_person(env)
    join(env, did, uid)
    for i in range(PAGE + 2):
        own(env, "INSERT INTO audit_log (actor_kind, action, target_type, target_label, domain_id) "
                 "VALUES ('sync', 'alias.test', 'alias', %s, %d)" % (lit("row%02d@%s" % (i, name)), did))
    own(env, "INSERT INTO error_log (fingerprint, message, user_id, launchpad_name, domain_id) VALUES "
             "(sha256(%s::bytea), %s, %d, %s, %d)" % (lit(member), lit("Launchpad says no for " + member),
                                                       uid, lit(member), did))
    # The same member's error on another domain is that domain's.
    other_domain, odid, _ = new_domain(env)
    own(env, "INSERT INTO error_log (fingerprint, message, user_id, launchpad_name, domain_id) VALUES "
             "(sha256(%s::bytea), %s, %d, %s, %d)" % (lit(member + "-o"), lit("Not ours " + member),
                                                       uid, lit(member), odid))
    r = b.get("/domains/%s/log" % name)
    check_html(r, "the log page")
    # An action without a sentence of its own still reads as one.
    labels = re.findall(r"\u2014 The Launchpad check changed (row\d\d)@\S+ \(alias\.test\)\.", body(r))
    expect(labels == ["row%02d" % i for i in range(PAGE + 1, 1, -1)], "page 1 of the log: %s", labels)
    expect(("Launchpad says no for " + member) in body(r), "the member's error is missing")
    expect(("Not ours " + member) not in body(r), "another domain's error is shown")
    r = b.get(next_url(r))
    labels = re.findall(r"\u2014 The Launchpad check changed (row\d\d)@\S+ \(alias\.test\)\.", body(r))
    expect(labels == ["row01", "row00"], "page 2 of the log: %s", labels)
    check_app_error_page(b.get("/domains/%s/log?after=x1" % name), 400, "a malformed log cursor")
