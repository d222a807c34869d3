#!/usr/bin/python3
"""membermail integration tests of confirmed recipients, receipts and
their undo links (rules/recipients.c, handlers/links.c), through nginx
against the real PostgreSQL.

Not a runner of its own: tests/integration/run.py imports it.  Members
sign in at the fake Ubuntu One (test_member.member); domains and aliases
are made with SQL as the database owner, as provisioning would leave
them, and removed when each test ends (test_member.tidy).  Mail is read
from the outbox table (what `membermail outbox` would send); links are
followed as a browser would: GET shows, POST (with the page's CSRF token)
does.  Postfix's view is read as a member of membermail_postfix.
"""

import json
import re
import subprocess

import stack
from run import Fail, check_html, expect, show, test  # noqa: F401
from test_member import (alias_form, domain_block, join, member, new_alias, new_domain,  # noqa: F401
                         sql, text, tidy)
from test_signin import Browser, lit, sign_in, use_profile
import test_api

LINK = r"/(confirm|undo)/([A-Za-z0-9_-]{43})"


# ---------------------------------------------------------------- mail and links

def mails(env, to, since):
    """Outbox messages to `to` with id > since: [(id, subject, body)]."""
    out = sql(env, "SELECT coalesce(json_agg(json_build_array(id, subject, body) ORDER BY id), "
                   "'[]') FROM outbox WHERE id > %d AND %s = ANY (to_addresses)" % (since, lit(to)))
    return [tuple(m) for m in json.loads(out)]


def outbox_mark(env):
    return int(sql(env, "SELECT coalesce(max(id), 0) FROM outbox"))


def one_mail(env, to, since, kind):
    """The one message to `to` since the mark, and its link of kind."""
    ms = mails(env, to, since)
    expect(len(ms) == 1, "want one mail to %s since the change, got %d: %s", to, len(ms),
           [m[1] for m in ms])
    m = re.search(LINK, ms[0][2])
    expect(m and m.group(1) == kind, "the mail to %s has no /%s/ link: %r", to, kind, ms[0][2])
    return ms[0], m.group(0)


def follow(env, path, post=True, status=200):
    """A fresh browser opens the link (GET), then presses its button."""
    b = Browser(env, "link")
    r = b.get(path)
    expect(r.status == status, "GET %s: want %d, got %s", path, status, show(r, 2000))
    if not post:
        return r
    m = re.search(rb'name="csrf_token" value="([0-9a-f]{64})"', r.body)
    expect(m, "GET %s: no form with a CSRF token: %s", path, show(r, 2000))
    r2 = b.post(path, {"csrf_token": m.group(1).decode()})
    check_html(r2, "POST " + path)
    return r2


def live(env, aid):
    return sql(env, "SELECT array_to_string(recipients, ',') || '|' || "
                    "coalesce(array_to_string(pending_recipients, ','), '') || '|' || "
                    "(locked_at IS NOT NULL) FROM aliases WHERE id = %s" % aid).split("|")


def routed(env, aid):
    """What Postfix's virtual_alias_maps would answer for the alias, read
    as Postfix's role reads it."""
    local, dom = sql(env, "SELECT a.local_part || '|' || d.name FROM aliases a JOIN domains d "
                          "ON d.id = a.domain_id WHERE a.id = %s" % aid).split("|")
    return env.pg.scalar("SET ROLE membermail_postfix; SELECT coalesce(string_agg(recipient, ',' "
                         "ORDER BY recipient), '') FROM postfix_aliases WHERE local_part = %s "
                         "AND domain = %s" % (lit(local), lit(dom)), db=stack.APP_DB).splitlines()[-1]


def save(b, aid, recipients):
    """The owner saves new recipients on the alias page: the redirect."""
    r0, f = alias_form(b, aid)
    r = b.post("/my/aliases/%s" % aid, dict(f, recipients=recipients))
    expect(r.status == 303, "POST /my/aliases/%s: want 303, got %s", aid, show(r, 2000))
    return r


def setup_alias(env, tag):
    """A signed-in member with an alias forwarding to their own address."""
    b, user, uid, name = member(env, tag)
    did, dom, team = new_domain(env, tag)
    join(env, did, uid)
    aid = new_alias(env, did, name, uid, [user["email"]])
    return b, user, uid, name, aid, "%s@%s" % (name, dom)


# ---------------------------------------------------------------- confirmation

@test
@tidy
def rcpt_new_recipient_confirms_first(env):
    """A new recipient gets a one-use link; until it is followed the alias
    forwards where it did and Postfix's view never holds the new address;
    the page says "waiting for confirmation"; the link's GET changes
    nothing; its POST makes the change, with receipts."""
    b, user, uid, name, aid, address = setup_alias(env, "rc")
    new = "friend-%s@example.org" % name
    mark = outbox_mark(env)
    save(b, aid, "%s\n%s" % (user["email"], new))
    expect(live(env, aid) == [user["email"], "%s,%s" % (user["email"], new), "false"],
           "after the change: recipients|pending|locked = %s", live(env, aid))
    expect(routed(env, aid) == user["email"], "Postfix routes %r before confirming", routed(env, aid))
    r = b.get("/my/aliases/%s?saved=1" % aid)
    t = text(r.body)
    expect("Saved. Mail to %s still goes to %s until the new addresses agree" % (address, user["email"])
           in t and "waiting for confirmation" in t, "the alias page: %s", t)
    t, _ = domain_block(env, b, address.split("@")[1])
    expect("waiting for confirmation" in t and new in t, "/my: %s", t)
    (mid, subject, body), link = one_mail(env, new, mark, "confirm")
    expect(address in subject and "~%s" % name in body and user["email"] not in body,
           "the confirmation mail: %r %r", subject, body)
    expect(mails(env, user["email"], mark) == [], "the owner got mail before anything changed")
    r = follow(env, link, post=False)
    expect(b"Forward mail for %s to you?" % address.encode() in r.body, "GET: %s", show(r, 2000))
    expect(live(env, aid)[0] == user["email"], "GET of the link changed the alias")
    r = follow(env, link)
    expect(b"now comes to it" in r.body, "POST: %s", show(r, 2000))
    expect(live(env, aid) == ["%s,%s" % (user["email"], new), "", "false"],
           "after confirming: %s", live(env, aid))
    expect(routed(env, aid) == ",".join(sorted([user["email"], new])),
           "Postfix after confirming: %r", routed(env, aid))
    receipts = mails(env, user["email"], mid)
    expect(len(receipts) == 1 and re.search(LINK, receipts[0][2]).group(1) == "undo",
           "the owner's receipt: %s", receipts)
    r = follow(env, link, post=False)
    expect(b"Thank you" in r.body, "the used link again: %s", show(r, 2000))
    hist = text(b.get("/my/aliases/%s" % aid).body)
    for p in ("~%s asked to forward it to %s, %s; waiting for confirmation." % (name, user["email"], new),
              "%s agreed to receive its mail." % new,
              "Forwarding changed from %s to %s, %s, as ~%s asked" % (user["email"], user["email"],
                                                                     new, name)):
        expect(p in hist, "history lacks %r: %s", p, hist)


@test
@tidy
def rcpt_owner_and_confirmed_addresses_need_no_link(env):
    """The owner's own Ubuntu One address, and an address confirmed before,
    take effect at once: receipts, no confirmation mail."""
    b, user, uid, name, aid, address = setup_alias(env, "ro")
    old = "old-%s@example.org" % name
    sql(env, "UPDATE aliases SET recipients = ARRAY[%s] WHERE id = %s" % (lit(old), aid))
    sql(env, "INSERT INTO recipient_confirmations (alias_id, address, how, confirmed_at) "
             "VALUES (%s, %s, 'link', now())" % (aid, lit(old)))
    mark = outbox_mark(env)
    save(b, aid, user["email"])
    expect(live(env, aid) == [user["email"], "", "false"], "to the owner's address: %s", live(env, aid))
    t = text(b.get("/my/aliases/%s?saved=1" % aid).body)
    expect("Saved. Mail to %s now goes to %s." % (address, user["email"]) in t, "notice: %s", t)
    expect(not [m for m in mails(env, user["email"], mark) if "/confirm/" in m[2]],
           "a confirmation link went to the owner's own address")
    _, link = one_mail(env, old, mark, "undo")
    mark = outbox_mark(env)
    save(b, aid, "%s %s" % (user["email"], old))
    expect(live(env, aid)[0:2] == ["%s,%s" % (user["email"], old), ""],
           "back to a confirmed address: %s", live(env, aid))
    expect(not [m for m in mails(env, old, mark) if "/confirm/" in m[2]],
           "a confirmed address was asked again")


@test
@tidy
def rcpt_resend_is_rate_limited(env):
    """"Send the link again": not within minutes of the last one, at most
    three more times; a new link replaces the old; links expire (410)."""
    b, user, uid, name, aid, address = setup_alias(env, "rr")
    new = "later-%s@example.org" % name
    mark = outbox_mark(env)
    save(b, aid, new)
    _, first = one_mail(env, new, mark, "confirm")
    r0, f = alias_form(b, aid)
    r = b.post("/my/aliases/%s/resend" % aid, {"csrf_token": f["csrf_token"], "address": new})
    expect(r.status == 409 and b"only minutes ago" in r.body, "an early resend: %s", show(r, 2000))
    expect(len(mails(env, new, mark)) == 1, "an early resend sent mail")
    for i in range(3):
        sql(env, "UPDATE recipient_confirmations SET last_sent_at = now() - interval '10 minutes' "
                 "WHERE alias_id = %s" % aid)
        m2 = outbox_mark(env)
        r = b.post("/my/aliases/%s/resend" % aid, {"csrf_token": f["csrf_token"], "address": new})
        expect(r.status == 303 and r.header("Location") == "/my/aliases/%s?resent=1" % aid,
               "resend %d: %s", i + 1, show(r, 1000))
        _, link = one_mail(env, new, m2, "confirm")
    expect(follow(env, first, post=False, status=404), "the replaced link")
    sql(env, "UPDATE recipient_confirmations SET last_sent_at = now() - interval '10 minutes' "
             "WHERE alias_id = %s" % aid)
    m2 = outbox_mark(env)
    r = b.post("/my/aliases/%s/resend" % aid, {"csrf_token": f["csrf_token"], "address": new})
    expect(r.status == 409 and b"No more links" in r.body, "a fifth link: %s", show(r, 2000))
    expect(mails(env, new, m2) == [], "a fifth link was mailed")
    r = b.post("/my/aliases/%s/resend" % aid, {"csrf_token": f["csrf_token"],
                                               "address": "nobody@example.org"})
    expect(r.status == 404, "resend to an address not waiting: %s", show(r, 500))
    sql(env, "UPDATE recipient_confirmations SET expires_at = now() - interval '1 minute', "
             "created_at = now() - interval '8 days' WHERE alias_id = %s" % aid)
    r = follow(env, link, post=False, status=410)
    expect(b"expired" in r.body, "an expired link: %s", show(r, 1000))
    b2 = Browser(env, "late")
    r = b2.post(link, {"csrf_token": b2.csrf()})
    expect(r.status == 410 and live(env, aid)[0] == user["email"],
           "POST of an expired link: %s; alias %s", show(r, 500), live(env, aid))
    t = text(b.get("/my/aliases/%s" % aid).body)
    expect("the link expired on" in t, "the page after expiry: %s", t)
    expect(follow(env, "/confirm/" + "A" * 43, post=False, status=404), "a made-up link")


@test
@tidy
def rcpt_postfix_view_only_confirmed(env):
    """Whatever is in aliases.recipients, Postfix's view holds only the
    owner's address and confirmed ones."""
    b, user, uid, name, aid, address = setup_alias(env, "rv")
    ok, bad = "ok-%s@example.org" % name, "sneaky-%s@example.org" % name
    sql(env, "UPDATE aliases SET recipients = ARRAY[%s, %s, %s] WHERE id = %s"
        % (lit(user["email"]), lit(ok), lit(bad), aid))
    sql(env, "INSERT INTO recipient_confirmations (alias_id, address, how, confirmed_at) "
             "VALUES (%s, %s, 'link', now())" % (aid, lit(ok.split("@")[0].upper() + "@example.org")))
    sql(env, "INSERT INTO recipient_confirmations (alias_id, address, token_hash, expires_at, "
             "sends, last_sent_at) VALUES (%s, %s, sha256('x'), now() + interval '1 day', 1, "
             "now())" % (aid, lit(bad)))
    expect(routed(env, aid) == ",".join(sorted([user["email"], ok])),
           "Postfix's view: %r", routed(env, aid))


@test
@tidy
def rcpt_api_and_cli_follow_the_rule(env):
    """PATCH with a new recipient answers 202 with pending_recipients; the
    CLI's `alias set` asks the same way; both leave the alias as it was."""
    b, user, uid, name, aid, address = setup_alias(env, "ra")
    secret = test_api.mk_token(env, int(uid))
    new = "api-%s@example.org" % name
    mark = outbox_mark(env)
    r = test_api.call(env, "PATCH", "/api/v1/aliases/%s" % aid, secret, {"recipients": [new]})
    o = test_api.js(r, "PATCH recipients")
    expect(r.status == 202 and o["recipients"] == [user["email"]] and
           o["pending_recipients"] == [new] and o["locked"] is False, "PATCH: %s %s", r.status, o)
    one_mail(env, new, mark, "confirm")
    r = test_api.call(env, "PATCH", "/api/v1/aliases/%s" % aid, secret,
                      {"recipients": [user["email"]]})
    o = test_api.js(r, "PATCH back")
    expect(r.status == 200 and o["pending_recipients"] is None, "PATCH back: %s %s", r.status, o)
    cli = "cli-%s@example.org" % name
    mark = outbox_mark(env)
    code, out = env.run_cli(["alias", "set", address, "--recipients", "%s %s" % (user["email"], cli),
                             "-c", env.conf])
    expect(code == 0 and "waiting for confirmation" in out and cli in out, "alias set: %s %s",
           code, out)
    expect(live(env, aid)[0:2] == [user["email"], "%s,%s" % (user["email"], cli)],
           "after alias set: %s", live(env, aid))
    one_mail(env, cli, mark, "confirm")
    told = mails(env, user["email"], mark)
    expect(len(told) == 1 and "changed your address" in told[0][1] and cli in told[0][2],
           "the owner is told of the operator's change: %s", told)
    code, out = env.run_cli(["alias", "set", address, "--recipients", "not an address", "-c", env.conf])
    expect(code == 2 and "--recipients" in out, "alias set with a bad list: %s %s", code, out)
    code, out = env.run_cli(["alias", "set", "nobody@nowhere.example", "--recipients",
                             user["email"], "-c", env.conf])
    expect(code == 1 and "no alias" in out, "alias set of no alias: %s %s", code, out)


@test
@tidy
def rcpt_admin_gives_alias_with_recipients(env):
    """A domain admin's new alias for a member forwards to the member's
    own address until the typed recipients agree; the member is told."""
    b, user, uid, name = member(env, "rg")
    did, dom, team = new_domain(env, "rg")
    join(env, did, uid)
    ab, auser, auid, aname = member(env, "rgadm")
    join(env, did, auid, role="admin")
    typed = "typed-%s@example.org" % name
    mark = outbox_mark(env)
    r = ab.get("/domains/%s/members/%s" % (dom, name))
    tok = re.search(rb'name="csrf_token" value="([0-9a-f]{64})"', r.body).group(1).decode()
    r = ab.post("/domains/%s/members/%s/aliases" % (dom, name),
                {"csrf_token": tok, "local_part": "extra", "recipients": typed})
    expect(r.status == 303, "add alias: %s", show(r, 2000))
    aid = sql(env, "SELECT id FROM aliases WHERE domain_id = %s AND local_part = 'extra'" % did)
    expect(live(env, aid) == [user["email"], typed, "false"], "the new alias: %s", live(env, aid))
    one_mail(env, typed, mark, "confirm")
    told = mails(env, user["email"], mark)
    expect(len(told) == 1 and "gave you the address extra@%s" % dom in told[0][1] and
           typed in told[0][2], "the member is told: %s", told)
    expect(auser["email"] not in told[0][2], "the admin's address is in the member's mail")


# ---------------------------------------------------------------- receipts and undo

@test
@tidy
def receipt_undo_restores_and_locks(env):
    """Every change of recipients leaves receipts (previous recipients, the
    owner); the undo link puts the previous recipients back, ends the
    owner's sessions, locks the alias (pages and API refused) until the
    owner signs in again."""
    b, user, uid, name, aid, address = setup_alias(env, "ru")
    other = "other-%s@example.org" % name
    sql(env, "INSERT INTO recipient_confirmations (alias_id, address, how, confirmed_at) "
             "VALUES (%s, %s, 'link', now())" % (aid, lit(other)))
    secret = test_api.mk_token(env, int(uid))
    mark = outbox_mark(env)
    save(b, aid, other)
    expect(live(env, aid)[0] == other, "the change: %s", live(env, aid))
    (_, subject, body), link = one_mail(env, user["email"], mark, "undo")
    expect("changed" in subject and "Before: %s" % user["email"] in body and "Now: %s" % other in body,
           "the owner's receipt: %r %r", subject, body)
    r = follow(env, link, post=False)
    expect(b"Undo this change of %s?" % address.encode() in r.body and live(env, aid)[0] == other,
           "GET of the undo link: %s", show(r, 1500))
    mark = outbox_mark(env)
    r = follow(env, link)
    expect(b"The change is undone" in r.body, "POST of the undo link: %s", show(r, 1500))
    expect(live(env, aid) == [user["email"], "", "true"], "after the undo: %s", live(env, aid))
    told = mails(env, user["email"], mark)
    expect(len(told) == 1 and "put back and locked" in told[0][1], "the owner's notice: %s", told)
    r = b.get("/my")
    expect(r.status == 401, "the owner's old session after the undo: %s", show(r, 300))
    r = test_api.call(env, "PATCH", "/api/v1/aliases/%s" % aid, secret, {"recipients": [other]})
    o = test_api.js(r, "PATCH while locked")
    expect(r.status == 409 and o.get("error") == "locked" and live(env, aid)[0] == user["email"],
           "a change while locked: %s %s", r.status, o)
    r = follow(env, link, post=False)
    expect(b"undone already" in r.body, "the used undo link: %s", show(r, 1000))
    b2, _, _ = sign_in(env, user=user)
    expect(live(env, aid)[2] == "false", "signing in did not unlock: %s", live(env, aid))
    r0, f = alias_form(b2, aid)
    r = b2.post("/my/aliases/%s" % aid, dict(f, description="back in control"))
    expect(r.status == 303, "a change after signing in: %s", show(r, 1000))
    hist = text(b2.get("/my/aliases/%s" % aid).body)
    for p in ("Forwarding changed by ~%s from %s to %s." % (name, user["email"], other),
              "A receipt's link put the forwarding back to %s" % user["email"],
              "Unlocked: its owner signed in."):
        expect(p in hist, "history lacks %r: %s", p, hist)


@test
@tidy
def receipt_names_no_other_member(env):
    """An admin's change to a member's alias notifies the member; receipts
    to the member and to the previous recipient name no other member's
    address."""
    b, user, uid, name, aid, address = setup_alias(env, "rn")
    did = sql(env, "SELECT domain_id FROM aliases WHERE id = %s" % aid)
    dom = address.split("@")[1]
    ab, auser, auid, aname = member(env, "rnadm")
    join(env, did, auid, role="admin")
    sql(env, "INSERT INTO recipient_confirmations (alias_id, address, how, confirmed_at) "
             "VALUES (%s, %s, 'link', now())" % (aid, lit(auser["email"])))
    secret = test_api.mk_token(env, int(auid))
    mark = outbox_mark(env)
    r = test_api.call(env, "PATCH", "/api/v1/domains/%s/aliases/%s" % (dom, aid), secret,
                      {"recipients": [auser["email"]]})
    expect(r.status == 200, "the admin's PATCH: %s", show(r, 1000))
    got = mails(env, user["email"], mark)
    expect(len(got) == 1, "mail to the member: %s", [m[1] for m in got])
    body = got[0][2]
    expect("~%s (through the API) changed" % aname in body and auser["email"] not in body and
           "an address of another member" in body, "the member's receipt: %r", body)
    mark = outbox_mark(env)
    r = test_api.call(env, "PATCH", "/api/v1/domains/%s/aliases/%s" % (dom, aid), secret,
                      {"enabled": False})
    got = mails(env, user["email"], mark)
    expect(len(got) == 1 and "disabled it" in got[0][2] and auser["email"] not in got[0][2],
           "the member is told of the admin's switch: %s", got)


@test
@tidy
def receipt_in_the_readers_language(env):
    """The owner's receipt is in the owner's language; a confirmation to a
    new address, in the domain's default language."""
    b, user, uid, name, aid, address = setup_alias(env, "rl")
    did = sql(env, "SELECT domain_id FROM aliases WHERE id = %s" % aid)
    other = "other-%s@example.org" % name
    sql(env, "INSERT INTO recipient_confirmations (alias_id, address, how, confirmed_at) "
             "VALUES (%s, %s, 'link', now())" % (aid, lit(other)))
    sql(env, "UPDATE users SET lang = 'fi' WHERE id = %s" % uid)
    mark = outbox_mark(env)
    save(b, aid, other)
    (_, subject, body), _ = one_mail(env, user["email"], mark, "undo")
    expect(subject == "[membermail] Osoitteen %s ohjausta muutettiin" % address and
           "Ennen: %s" % user["email"] in body and "Nyt: %s" % other in body,
           "the owner's receipt in Finnish: %r %r", subject, body)
    fresh = "fresh-%s@example.org" % name
    sql(env, "UPDATE domains SET default_lang = 'fi' WHERE id = %s" % did)
    sql(env, "UPDATE users SET lang = 'en' WHERE id = %s" % uid)
    try:
        mark = outbox_mark(env)
        save(b, aid, fresh)
        (_, subject, body), _ = one_mail(env, fresh, mark, "confirm")
        expect(subject == "[membermail] Vahvista: ohjataanko osoitteen %s posti sinulle?" % address,
               "the confirmation in the domain's language: %r %r", subject, body)
        told = mails(env, user["email"], mark)
        expect(all("Osoitteen" not in m[1] for m in told),
               "the owner chose English, yet: %s", [m[1] for m in told])
    finally:
        sql(env, "UPDATE domains SET default_lang = 'en' WHERE id = %s" % did)


@test
@tidy
def receipt_when_the_email_changes(env):
    """Signing in with a new Ubuntu One address moves aliases that
    forwarded only to the old one, with receipts to both."""
    b, user, uid, name, aid, address = setup_alias(env, "re")
    old = user["email"]
    mark = outbox_mark(env)
    user2 = dict(user, email="moved-%s@example.org" % name)
    sign_in(env, user=user2)
    expect(live(env, aid)[0] == user2["email"], "the alias after the new address: %s", live(env, aid))
    for to in (old, user2["email"]):
        one_mail(env, to, mark, "undo")
    expect(routed(env, aid) == user2["email"], "Postfix after the new address: %r", routed(env, aid))


@test
@tidy
def domain_admin_removes_alias(env):
    """A domain admin removes a member's alias: gone with its audit row,
    the member told; the member cannot remove it themselves."""
    b, user, uid, name, aid, address = setup_alias(env, "rm")
    did = sql(env, "SELECT domain_id FROM aliases WHERE id = %s" % aid)
    dom = address.split("@")[1]
    r = b.get("/my/aliases/%s" % aid)
    tok = re.search(rb'name="csrf_token" value="([0-9a-f]{64})"', r.body).group(1).decode()
    r = b.post("/domains/%s/aliases/%s/remove" % (dom, aid), {"csrf_token": tok})
    expect(r.status == 403 and live(env, aid)[0] == user["email"], "the owner removing: %s",
           show(r, 500))
    ab, auser, auid, aname = member(env, "rmadm")
    join(env, did, auid, role="admin")
    r = ab.get("/domains/%s/members/%s" % (dom, name))
    tok = re.search(rb'name="csrf_token" value="([0-9a-f]{64})"', r.body).group(1).decode()
    mark = outbox_mark(env)
    r = ab.post("/domains/%s/aliases/%s/remove" % (dom, aid), {"csrf_token": tok})
    expect(r.status == 303 and r.header("Location") == "/domains/%s/members/%s?done=alias-removed"
           % (dom, name), "remove: %s", show(r, 1000))
    expect(sql(env, "SELECT count(*) FROM aliases WHERE id = %s" % aid) == "0", "still there")
    expect(sql(env, "SELECT string_agg(action, ',') FROM audit_log WHERE target_type = 'alias' "
                    "AND target_id = %s" % aid) == "alias.delete", "audit rows")
    got = mails(env, user["email"], mark)
    expect(len(got) == 1 and "removed your address" in got[0][1], "the member is told: %s", got)
    r = ab.get("/domains/%s/log" % dom)
    expect(("%s removed by ~%s." % (address, aname)).encode() in r.body,
           "the domain log in words: %s", show(r, 3000))


@test
@tidy
def rcpt_cleanup_sweeps(env):
    """`membermail cleanup` removes receipts past their link's expiry, lets
    a change nobody confirmed for 30 days lapse and drops links 30 days
    past their expiry; live ones stay, and the alias keeps its recipients."""
    b, user, uid, name, aid, address = setup_alias(env, "rs")
    for i, (exp, label) in enumerate((("now() - interval '1 minute'", "old"),
                                      ("now() + interval '1 day'", "live"))):
        sql(env, "INSERT INTO alias_receipts (alias_id, token_hash, before_recipients, "
                 "after_recipients, actor, created_at, expires_at) VALUES (%s, sha256(%s), "
                 "ARRAY[%s], ARRAY[%s], '~x', now() - interval '8 days', %s)"
            % (aid, lit("rs-%s-%s" % (label, name)), lit(user["email"]), lit(user["email"]), exp))
    sql(env, "UPDATE aliases SET pending_recipients = ARRAY['late@example.org'], pending_actor = "
             "'~x', pending_at = now() - interval '31 days' WHERE id = %s" % aid)
    for label, exp in (("gone", "now() - interval '31 days'"), ("kept", "now() - interval '1 day'")):
        sql(env, "INSERT INTO recipient_confirmations (alias_id, address, token_hash, expires_at, "
                 "sends, last_sent_at) VALUES (%s, %s, sha256(%s), %s, 1, now() - interval '40 days')"
            % (aid, lit("%s@example.org" % label), lit(label + name), exp))
    code, out = env.run_cli(["cleanup", "-c", env.conf])
    expect(code == 0 and re.search(r"receipts [1-9]\d*, lapsed changes [1-9]\d*, confirmation "
                                   r"links [1-9]\d*$", out, re.M), "cleanup: %s %s", code, out)
    left = sql(env, "SELECT (SELECT count(*) FROM alias_receipts WHERE alias_id = %(a)s) || ' ' || "
                    "(SELECT pending_recipients IS NULL FROM aliases WHERE id = %(a)s) || ' ' || "
                    "(SELECT string_agg(address, ',') FROM recipient_confirmations WHERE "
                    "alias_id = %(a)s AND confirmed_at IS NULL) || ' ' || (SELECT "
                    "array_to_string(recipients, ',') FROM aliases WHERE id = %(a)s)" % {"a": aid})
    expect(left == "1 true kept@example.org %s" % user["email"], "after cleanup: %r", left)
