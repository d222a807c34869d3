#!/usr/bin/python3
"""membermail integration tests of the languages: English and Finnish.

Which language a page is in (the signed-in user's stored choice, else the
mm_lang cookie of the language switch, else Accept-Language, else
English; <html lang> follows), the switch itself (POST /language: CSRF,
its fields, the cookie, the stored choice, a signed-out choice adopted at
sign-in), the API's messages (Accept-Language only), pages rendered in
Finnish with no English left in them (english_left: every word of the
page's text that only English uses), and the e-mails: each copy in its
recipient's language (their choice, else the domain's default, else
English), every mail of the sync's rules and of the domain verification
in Finnish with no English left, and the operators' mail (alerts_to) in
alerts_lang.

Not a runner of its own: tests/integration/run.py imports it.
"""

import html
import os
import re

import stack
from run import Fail, expect, show, test  # noqa: F401
import test_mailbox as tm
import test_verify
from test_community import admin_less_domain, make_due, synced_crew, uid_of
from test_member import tidy
from test_provision import expect_sync, lit, q, scene_test, sync
from test_signin import Browser, new_user, sign_in, sql, use_profile, user_row  # noqa: F401
from test_verify import GRACE_RECORD, ZONE, add, admin_user, dns_domains, drop_users, verify

FI = {"Accept-Language": "fi-FI,fi;q=0.9,en;q=0.5"}
EN = {"Accept-Language": "en-GB,en;q=0.8"}

# Words only English uses; Finnish text never has them.  Kept short and
# unambiguous ("on", "me", "no", "se" are Finnish words too).
ENGLISH_WORDS = set("""
the and of to is are you your we our not this that with for be been has
have was were will would can cannot may must there their they it its by
from at as or yes all any each which who what when where why how here
page sign log please try again back home account address addresses email
members member team domain domains admin admins error found signed
""".split())


def _po_entries(path):
    """(msgid, msgstr) of a .po file, plural forms joined; header skipped."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    out = []
    for block in re.split(r"\n\s*\n", text):
        if block.lstrip().startswith("#~"):
            continue
        parts, key = {}, None
        for line in block.splitlines():
            m = re.match(r'(msgid|msgid_plural|msgstr(?:\[\d+\])?|msgctxt) "(.*)"$', line)
            if m:
                key = m.group(1)
                parts[key] = parts.get(key, "") + m.group(2)
            elif line.startswith('"') and key:
                parts[key] += line[1:-1]
        if parts.get("msgid"):
            ids = parts["msgid"] + " " + parts.get("msgid_plural", "")
            strs = " ".join(v for k, v in parts.items() if k.startswith("msgstr"))
            out.append((ids, strs))
    return out


def _words(s):
    s = re.sub(r"\{\{[A-Z0-9_]+\}\}|<[^>]*>|%\d*\$?[-]?[a-z]+", " ", s)
    return set(w.lower() for w in re.findall(r"[^\W\d_]+", s))


_vocab = []


def english_vocabulary():
    """ENGLISH_WORDS and every word of an msgid that no Finnish translation
    uses (names such as Launchpad are in both, so they are not here)."""
    if not _vocab:
        en, fi = set(), set()
        for msgid, msgstr in _po_entries(os.path.join(stack.REPO, "po", "fi.po")):
            en |= _words(msgid)
            fi |= _words(msgstr)
        _vocab.append(ENGLISH_WORDS | (en - fi))
    return _vocab[0]


def visible_text(body):
    """What a person reads: text outside tags, and the attributes read out
    or shown (title, alt, placeholder, aria-label, a button's value).  An
    element the page says is English (lang="en": the error log's and the
    mail servers' own words) or not language at all (translate="no": a
    DNS record) is not the page's text."""
    s = body.decode("utf-8") if isinstance(body, bytes) else body
    s = re.sub(r'<(span|td|p)\b[^>]*\s(?:lang="en"|translate="no")[^>]*>.*?</\1>', " ", s,
               flags=re.S)
    attrs = re.findall(r'\s(?:title|alt|placeholder|aria-label)="([^"]*)"', s)
    s = re.sub(r"<head>.*?</head>", " ", s, flags=re.S)
    s = re.sub(r"<[^>]+>", " ", s)
    return html.unescape(" ".join([s] + attrs))


def english_left(body, allow=()):
    """The English words of a page meant to be Finnish: each with a little
    context.  Names, addresses, commands and numbers are not words here
    (tokens with @ ~ . / : _ or digits), nor what `allow` lists."""
    vocab = english_vocabulary()
    allowed = set(w.lower() for w in allow)
    text = visible_text(body)
    left = []
    for m in re.finditer(r"\S+", text):
        tok = m.group(0).strip("()[],;:!?”“\"'«»…·—–-")
        if not tok or re.search(r"[@~./:_\d=]", tok):
            continue
        for w in re.findall(r"[^\W\d_]+", tok):
            if w.lower() in vocab and w.lower() not in allowed:
                left.append("%r in …%s…" % (w, text[max(0, m.start() - 40):m.end() + 40]
                                            .replace("\n", " ")))
    return left


def expect_finnish(r, what, allow=()):
    """r is a page in Finnish: <html lang="fi">, no English but names (the
    language switch names English in English)."""
    body = r.body.decode("utf-8", "replace")
    expect(re.search(r'<html lang="fi">', body), "%s: not <html lang=\"fi\">: %s", what, show(r, 300))
    left = english_left(r.body, ("English",) + tuple(allow))
    expect(not left, "%s: English left in the Finnish page:\n  %s", what, "\n  ".join(left[:10]))


def lang_of(r):
    m = re.search(rb'<html lang="([^"]+)">', r.body)
    return m.group(1).decode() if m else None


def switch(b, lang, next_path="/", token=None, **headers):
    """The language switch as its form posts it."""
    token = token if token is not None else b.csrf("/")
    return b.post("/language", {"csrf_token": token, "lang": lang, "next": next_path}, **headers)


# ---------------------------------------------------------------- choosing

@test
def i18n_accept_language(env):
    use_profile(env)
    for headers, want in ((FI, "fi"), (EN, "en"), ({}, "en"),
                          ({"Accept-Language": "de, fi;q=0.3"}, "fi"),
                          ({"Accept-Language": "fi;q=0, en"}, "en"),
                          ({"Accept-Language": "sv-SE"}, "en")):
        r = env.get("/", headers=headers)
        expect(r.status == 200 and lang_of(r) == want, "GET / with %r: want lang %s, got %s",
               headers, want, lang_of(r))
    r = env.get("/ubuntu", headers=FI)
    expect(b"Hallinnoi @ubuntu.com-s\xc3\xa4hk\xc3\xb6postiosoitettasi" in r.body,
           "/ubuntu in Finnish: %s", show(r, 600))


@test
def i18n_switch(env):
    use_profile(env)
    b = Browser(env, "switcher")
    token = b.csrf("/")
    r = switch(b, "fi", "/ubuntu?x=1", token)
    expect(r.status == 303 and r.header("Location") == "/ubuntu?x=1",
           "POST /language: want 303 back to the page: %s", show(r))
    sc = [c for c in r.header_all("Set-Cookie") if c.startswith("mm_lang=")]
    expect(sc and sc[0].startswith("mm_lang=fi;") and "Max-Age=31536000" in sc[0]
           and "HttpOnly" in sc[0] and "SameSite=Lax" in sc[0],
           "the switch's cookie: %r", sc)
    # The cookie beats Accept-Language; the page offers English back.
    r = env.get("/ubuntu", headers=b.headers(True, **EN))
    expect(lang_of(r) == "fi", "cookie fi, Accept-Language en: got %s", lang_of(r))
    expect(b'name="lang" value="en"' in r.body and b'aria-current="true">suomi<' in r.body,
           "the switch offers English: %s", show(r, 2000))
    expect(b'name="next" value="/ubuntu"' in r.body, "next is this page: %s", show(r, 2000))
    r = switch(b, "en", "/", token)
    expect(r.status == 303 and b.cookies.get("mm_lang") == "en", "back to English: %s", show(r))
    expect(lang_of(env.get("/", headers=b.headers(True, **FI))) == "en",
           "cookie en beats Accept-Language fi")
    # A cookie naming no language of ours counts as no choice.
    expect(lang_of(env.get("/", headers={"Cookie": "mm_lang=xx", **FI})) == "fi",
           "an unknown mm_lang falls back to Accept-Language")


@test
def i18n_switch_refusals(env):
    use_profile(env)
    b = Browser(env, "refused")
    token = b.csrf("/")
    r = switch(b, "xx", "/", token, **FI)
    expect(r.status == 400 and "mm_lang" not in b.cookies, "an unknown language: %s", show(r))
    expect(b"kieli ei ole tarjolla" in r.body, "the 400 says why, in Finnish: %s", show(r, 600))
    for bad in ("//evil.example/", "https://evil.example/", "/a b", "\\\\evil"):
        r = switch(b, "fi", bad, token)
        expect(r.status == 400 and "mm_lang" not in b.cookies, "next %r: %s", bad, show(r))
    r = switch(b, "fi", "/", "0" * 64)
    expect(r.status == 403 and "mm_lang" not in b.cookies, "a wrong CSRF token: %s", show(r))
    r = b.post("/language", {"csrf_token": token, "lang": "fi"}, Origin="https://evil.example")
    expect(r.status == 403, "another Origin: %s", show(r))
    r = b.post("/language", {"csrf_token": token})
    expect(r.status == 400, "no lang: %s", show(r))


@test
def i18n_stored_choice(env):
    use_profile(env)
    u = new_user("lang")
    b, _, _ = sign_in(env, user=u)
    uid = user_row(env, u)[0]
    expect(sql(env, "SELECT coalesce(lang, '-') FROM users WHERE id = %s" % uid) == "-",
           "no choice before the switch")
    r = env.get("/my", headers=b.headers(True, **FI))
    expect(lang_of(r) == "fi", "/my follows Accept-Language until a choice: %s", lang_of(r))
    r = switch(b, "fi", "/my", b.csrf("/my"))
    expect(r.status == 303 and r.header("Location") == "/my", "switch signed in: %s", show(r))
    expect(sql(env, "SELECT lang FROM users WHERE id = %s" % uid) == "fi", "stored with the user")
    # Another browser of the same user, saying English: the stored choice wins.
    b.cookies.pop("mm_lang", None)
    r = env.get("/my", headers=b.headers(True, **EN))
    expect(lang_of(r) == "fi", "stored fi beats Accept-Language en: %s", lang_of(r))
    # Signed out, that browser is back to Accept-Language.
    r = b.post("/auth/logout", {"csrf_token": b.csrf("/my")})
    expect(r.status == 303, "sign out: %s", show(r))
    expect(lang_of(env.get("/", headers=b.headers(True, **EN))) == "en", "signed out: English")


@test
def i18n_choice_adopted_at_signin(env):
    use_profile(env)
    # Chosen while signed out: it becomes the user's at sign-in ...
    u = new_user("adopt")
    b = Browser(env, "adopter")
    switch(b, "fi", "/", b.csrf("/"))
    sign_in(env, b=b, user=u)
    uid = user_row(env, u)[0]
    expect(sql(env, "SELECT lang FROM users WHERE id = %s" % uid) == "fi", "adopted at sign-in")
    # ... but never over one they made before.
    sql(env, "UPDATE users SET lang = 'en' WHERE id = %s" % uid)
    b2 = Browser(env, "adopter-2")
    switch(b2, "fi", "/", b2.csrf("/"))
    sign_in(env, b=b2, user=u)
    expect(sql(env, "SELECT lang FROM users WHERE id = %s" % uid) == "en", "an earlier choice stays")


@test
def i18n_api_by_accept_language(env):
    use_profile(env)
    r = env.get("/api/v1/nope", headers=FI)
    expect(r.status == 404 and b'"error":"not_found"' in r.body
           and "Tässä osoitteessa ei ole sivua".encode() in r.body,
           "an unknown API path, Accept-Language fi: %s", show(r))
    r = env.get("/api/v1/nope", headers={"Cookie": "mm_lang=fi"})
    expect(r.status == 404 and b"There is no page at this address" in r.body,
           "the API reads no cookie: %s", show(r))


# ---------------------------------------------------------------- no English left

@test
def i18n_public_pages_in_finnish(env):
    use_profile(env)
    pages = [("/", 200), ("/?q=zzzz", 200), ("/ubuntu", 200), ("/auth/ubuntu?next=/my", 200),
             ("/no/such/page", 404), ("/my", 401), ("/admin", 401)]
    for path, status in pages:
        r = env.get(path, headers=FI)
        expect(r.status == status, "GET %s: want %d: %s", path, status, show(r))
        expect_finnish(r, "GET " + path)
    r = env.req("GET", "/auth/logout", headers=FI)
    expect(r.status == 405, "GET /auth/logout: %s", show(r))
    expect_finnish(r, "405 page")
    # The checker does see English.
    r = env.get("/", headers=EN)
    expect(english_left(r.body), "english_left finds nothing on the English home page")


@test
@tidy
def i18n_mailbox_pages_in_finnish(env):
    """The mailbox pages in Finnish, locked and unlocked, with a message
    listed and shown (its count, sizes and dates Finnish too), and the
    page that creates one."""
    env.ensure_server()
    box = tm.new_box(env, "fimb")
    b, mid = box["b"], box["id"]
    m = tm.marker()
    tm.deliver(env, [tm.lmtp_address(box["address"])], tm.message(m, m), ident=tm.queue_id())

    def get_fi(path):
        r = b.keep(env.get(path, headers=b.headers(True, **FI)))
        expect(r.status == 200, "GET %s: %s", path, show(r))
        # The message's own words (its marker) are not ours to translate.
        expect_finnish(r, "GET " + path, allow=(m,))
        return r
    r = get_fi("/my/mailbox")
    expect("1 viesti,".encode() in r.body and b"Avaa lukitus" in r.body,
           "the locked mailbox is not in Finnish: %s", show(r, 3000))
    r = get_fi("/my/mailbox/%s" % mid)
    expect("on lukittu".encode() in r.body, "the locked listing: %s", show(r, 3000))
    tm.unlock(env, box)
    get_fi("/my/mailbox")
    r = get_fi("/my/mailbox/%s" % mid)
    expect(m.encode() in r.body and re.search(rb"\d+ tavua", r.body),
           "the listing lacks the message or its Finnish size: %s", show(r, 3000))
    get_fi("/my/mailbox/%s/settings" % mid)
    r = get_fi("/my/mailbox/%s/messages/%s" % (mid, tm.message_ids(env, mid)[0]))
    expect(re.search(rb"klo \d", r.body) and "Lähettäjä".encode() in r.body,
           "the message page's date and labels are not Finnish: %s", show(r, 3000))
    local = "fimb-" + tm.secrets.token_hex(3)
    aid = tm.new_alias(env, box["domain"], local, box["uid"], ["%s@example.net" % local])
    get_fi("/my/mailbox/new?alias=%s" % aid)


# ---------------------------------------------------------------- the site admin's pages

def fi_get(b, path):
    return b.keep(b.env.get(path, headers=b.headers(True, **FI)))


def user_names(env):
    """Every user's Launchpad and display name, every community's title:
    names, not English."""
    return sql(env, "SELECT string_agg(coalesce(name, '') || ' ' || coalesce(display_name, ''), ' ') "
                    "FROM users").split() + \
        sql(env, "SELECT coalesce(string_agg(title, ' '), '') FROM domains").split()


@test
def i18n_site_admin_pages_in_finnish(env):
    import test_site_admin as sa
    admin, _, uid = sa.signed_in(env, "i18nadmin", site_admin=True)
    dom = sa.q(env, "SELECT id FROM domains WHERE name = 'ubuntu.com'")
    mine = sa.q(env, "INSERT INTO outbox (to_addresses, subject, body, attempts, last_error, failed_at, created_at) "
                    "VALUES ('{jasen@example.org}', 'Osoitteesi on valmis', 'b', 8, "
                    "'550 5.1.1 no such user here', now(), '2026-12-06 01:50:00+00') RETURNING id")
    sa.q(env, "INSERT INTO error_log (fingerprint, message, user_id, count, first_seen_at, last_seen_at) "
             "VALUES (sha256('i18n-e1'), 'Launchpad said 404 for the team', %s, 12345, "
             "'2026-12-06 01:50:00+00', now())" % uid)
    alias = sa.q(env, "INSERT INTO aliases (domain_id, local_part, user_id, recipients) "
                     "VALUES (%s, 'i18nkept', %s, '{kept@example.org}') RETURNING id" % (dom, uid))
    sa.q(env, "INSERT INTO domain_reserved_local_parts (domain_id, local_part) VALUES (%s, 'i18nkept')" % dom)
    names = user_names(env)
    try:
        token = admin.csrf("/admin")
        r = fi_get(admin, "/admin/outbox")
        # Only this test's failed message: others may be in English.
        r.body = re.sub(rb'<tr id="outbox-(?!%s")\d+">.*?</tr>' % mine.encode(), b"", r.body, flags=re.S)
        expect("lisätty jonoon 6.12.2026 klo 1.50.00 UTC".encode() in r.body,
               "the queued time in Finnish: %s", show(r, 4000))
        expect_finnish(r, "GET /admin/outbox", names)
        r = fi_get(admin, "/admin/errors")
        expect("<td>12\u00a0345</td>".encode() in r.body, "a count in Finnish: %s", show(r, 4000))
        expect("6.12.2026 klo 1.50.00 UTC".encode() in r.body, "a time in Finnish: %s", show(r, 4000))
        expect_finnish(r, "GET /admin/errors", names)
        for path in ("/admin", "/admin/users", "/admin/users?q=i18nadmin",
                     "/admin/users?q=zzzz-nobody", "/admin/domains/ubuntu.com/reserved"):
            r = fi_get(admin, path)
            expect(r.status == 200, "GET %s: %s", path, show(r))
            expect_finnish(r, "GET " + path, names)
        r = fi_get(admin, "/admin/domains/ubuntu.com/reserved")
        for part in ("Verkkotunnuksen ubuntu.com varatut nimet", "CA/Browser Forumin verkkotunnusvahvistus",
                     "Myönnä käyttäjälle ~", "käytössä"):
            expect(part.encode() in r.body, "the reserved names' page lacks %r: %s", part, show(r, 6000))
        # A change's notice and a refusal, in Finnish.
        path = "/admin/domains/ubuntu.com/reserved"
        r = admin.post(path, {"csrf_token": token, "local_part": "i18nheld"}, **FI)
        expect(r.status == 303, "reserve a name: %s", show(r))
        r = fi_get(admin, r.header("Location"))
        expect("Nimi on nyt varattu tässä verkkotunnuksessa.".encode() in r.body, "the notice: %s", show(r, 3000))
        expect_finnish(r, "the reserved names' page after a change", names)
        for name, status, words in (("Not Valid", 422, "Anna osoitteen alkuosa"),
                                    ("postmaster", 409, "sisäänrakennettuja nimiä ei voi muuttaa")):
            r = admin.post(path, {"csrf_token": token, "local_part": name}, **FI)
            expect(r.status == status and words.encode() in r.body, "reserve %r: %s", name, show(r, 4000))
            expect_finnish(r, "reserve %r refused" % name, names)
        r = fi_get(admin, "/admin/users/999999999")
        expect(r.status == 404 and "käyttäjää ei löydy".encode() in r.body, "no such user: %s", show(r))
        expect_finnish(r, "GET /admin/users/999999999", names)
        # English stays English.
        r = admin.get("/admin/errors")
        expect(b"<td>12,345</td>" in r.body and b"2026-12-06 01:50:00 UTC" in r.body,
               "the error log in English: %s", show(r, 4000))
        expect(english_left(r.body), "english_left finds nothing on the English error log")
    finally:
        sa.q(env, "DELETE FROM outbox WHERE id = %s" % mine)
        sa.q(env, "DELETE FROM error_log WHERE fingerprint = sha256('i18n-e1')")
        sa.q(env, "DELETE FROM domain_reserved_local_parts WHERE domain_id = %s "
                 "AND local_part IN ('i18nkept', 'i18nheld')" % dom)
        sa.q(env, "DELETE FROM aliases WHERE id = %s" % alias)


@test
def i18n_api_messages_in_finnish(env):
    import test_api as api
    env.ensure_server()
    uid, name = api.mk_user(env, "i18napi")
    api.mk_member(env, "ubuntu.com", uid)
    aid = api.mk_alias(env, "ubuntu.com", name, uid)
    secret = api.mk_token(env, uid)
    try:
        path = "/api/v1/aliases/%d" % aid
        for body, headers, code, field, want in (
                ({"enabled": "yes"}, FI, "invalid_type", "enabled", "kentän enabled on oltava true tai false"),
                ({"enabled": "yes"}, EN, "invalid_type", "enabled", "enabled must be true or false"),
                ({"recipients": "a@example.org"}, FI, "invalid_type", "recipients",
                 "kentän recipients on oltava osoitteiden taulukko"),
                ({"nope": 1}, FI, "unknown_field", "nope", "tätä kenttää ei voi muuttaa")):
            r = api.call(env, "PATCH", path, secret, body, headers=headers)
            o = api.refused(r, "PATCH %r (%s)" % (body, headers["Accept-Language"]), 422, code, field)
            expect(o["message"] == want, "PATCH %r: message %r, want %r", body, o["message"], want)
        r = api.call(env, "GET", "/api/v1/aliases/999999999", secret, headers=FI)
        o = api.refused(r, "GET an unknown alias", 404, "not_found")
        expect(o["message"] == "aliasta ei löydy", "an unknown alias in Finnish: %r", o["message"])
        r = api.call(env, "GET", "/api/v1/aliases?cursor=x", secret, headers=FI)
        o = api.refused(r, "a cursor not given out", 422, "invalid_cursor", "cursor")
        expect(o["message"] == "cursor ei ole tämän rajapinnan antama", "the cursor in Finnish: %r", o["message"])
    finally:
        sql(env, "DELETE FROM aliases WHERE id = %d" % aid)


# ---------------------------------------------------------------- e-mail

def mails_to(env, s, address):
    """[(subject, body)] queued for address since scene s's mark."""
    out = []
    ids = q(env, "SELECT string_agg(id::text, ' ' ORDER BY id) FROM outbox WHERE id > %d AND "
                 "%s = ANY (to_addresses)" % (s.outbox_mark, lit(address)))
    for i in (ids or "").split():
        out.append((q(env, "SELECT subject FROM outbox WHERE id = %s" % i),
                    q(env, "SELECT body FROM outbox WHERE id = %s" % i)))
    return out


def expect_finnish_mail(mail, what, allow=()):
    """A mail meant for a Finnish reader: no English word in its subject
    or body (names, addresses and links are not words)."""
    subject, body = mail
    left = english_left(html.escape(subject + "\n" + body), allow)
    expect(not left, "%s: English left in the Finnish mail:\n  %s\n%s\n\n%s", what,
           "\n  ".join(left[:10]), subject, body)


def set_lang(env, uid, lang):
    q(env, "UPDATE users SET lang = %s WHERE id = %d" % (lit(lang), uid))


@scene_test
def i18n_mail_recipients_language(env, make):
    """Each copy in its recipient's language: the member's own choice,
    else the domain's default language, else English (the default of a
    domain that never set one)."""
    s = make("mlang", alias_limit=1)
    fin = s.user("fin")          # chose Finnish: told in Finnish
    eng = s.user("eng")          # chose nothing: the domain's default
    for n in (fin, eng):         # each has an alias already: the limit is reached
        q(env, "INSERT INTO aliases (domain_id, local_part, user_id, recipients) VALUES "
               "(%d, %s, %d, '{a@mail.example.org}')" % (s.domain_id, lit(n + "-x"), s.ids[n]))
        q(env, "INSERT INTO domain_members (domain_id, user_id) VALUES (%d, %d)"
          % (s.domain_id, s.ids[n]))
    set_lang(env, s.ids[fin], "fi")
    set_lang(env, s.ids[s.admin], "fi")
    expect(q(env, "SELECT default_lang FROM domains WHERE id = %d" % s.domain_id) == "en",
           "a new domain's default language is English")
    expect_sync(env, 0, created=0)
    f, e, a = (mails_to(env, s, s.email_of(n)) for n in (fin, eng, s.admin))
    expect(len(f) == 1 and "ei voitu luoda" in f[0][0], "the Finnish member's mail: %r", f)
    expect_finnish_mail(f[0], "not created, to the member who chose Finnish")
    expect(len(e) == 1 and e[0][0].endswith("could not be created") and
           "you may have" in e[0][1], "the member who chose nothing: English: %r", e)
    expect(len(a) == 2 and all("ei voitu luoda" in m[0] for m in a),
           "the admin's copies, in the admin's Finnish: %r", a)
    for m in a:
        expect_finnish_mail(m, "the admin's copy")
    # the domain's default: Finnish for those who chose nothing, not for
    # one who chose English
    q(env, "UPDATE domains SET default_lang = 'fi' WHERE id = %d" % s.domain_id)
    set_lang(env, s.ids[s.admin], None)
    set_lang(env, s.ids[fin], "en")
    q(env, "DELETE FROM error_reports WHERE domain_id = %d" % s.domain_id)
    s.mark()
    expect_sync(env, 0, created=0)
    f, e, a = (mails_to(env, s, s.email_of(n)) for n in (fin, eng, s.admin))
    expect(len(f) == 1 and f[0][0].endswith("could not be created"),
           "the member who chose English keeps English: %r", f)
    expect(len(e) == 1 and "ei voitu luoda" in e[0][0], "the domain's default: %r", e)
    expect_finnish_mail(e[0], "not created, in the domain's default language")
    expect(len(a) == 2 and all("ei voitu luoda" in m[0] for m in a),
           "the admin who chose nothing: the domain's default: %r", a)


@scene_test
def i18n_mails_in_finnish(env, make):
    """Every mail of the sync's rules, to a Finnish admin and a Finnish
    member: signed in, created, matches the recipient, disabled (with its
    removal date in Finnish), enabled again, removed, not eligible."""
    s = make("mfi")
    set_lang(env, s.ids[s.admin], "fi")
    ada = s.user("ada")
    bob = s.user("bob")
    q(env, "UPDATE users SET email = %s WHERE id = %d" % (lit(bob + "@" + s.domain), s.ids[bob]))
    cy = s.user("cy")
    set_lang(env, s.ids[cy], "fi")
    q(env, "UPDATE users SET announced_at = now() WHERE id = %d" % s.ids[ada])
    expect_sync(env, 0, created=3)
    got = mails_to(env, s, s.admin_email)
    subjects = [m[0] for m in got]
    expect(len(got) == 3 and any("kirjautui" in x for x in subjects) and
           any("ohjaisi postin itselleen" in x for x in subjects) and any("luotu" in x for x in subjects),
           "signed in, matches recipient, created: %r", subjects)
    for m in got:
        expect_finnish_mail(m, m[0])
    # cy leaves: disabled, with a removal date the Finnish way
    s.leave(cy)
    s.mark()
    expect_sync(env, 0, disabled=1)
    got = mails_to(env, s, s.admin_email)
    expect(len(got) == 1 and "poistettu käytöstä" in got[0][0] and
           re.search(r"poistetaan \d{1,2}\.\d{1,2}\.\d{4},", got[0][1]),
           "disabled, the date as Finnish writes it: %r", got)
    expect_finnish_mail(got[0], "disabled")
    s.join(cy)
    s.mark()
    expect_sync(env, 0, created=1)
    got = mails_to(env, s, s.admin_email)
    expect(len(got) == 1 and "taas käytössä" in got[0][0], "enabled again: %r", got)
    expect_finnish_mail(got[0], "enabled again")
    s.leave(cy)
    s.mark()
    expect_sync(env, 0, conf=[("removal_grace_days", "0")], removed=1)
    got = mails_to(env, s, s.admin_email)
    expect(len(got) == 1 and got[0][0].endswith("poistettu"), "removed: %r", got)
    expect_finnish_mail(got[0], "removed")
    # ada (Finnish) is no longer valid: told in Finnish, the reason too
    set_lang(env, s.ids[ada], "fi")
    s.people[ada]["is_ubuntu_coc_signer"] = False
    s.push()
    q(env, "UPDATE users SET person_checked_at = now() - interval '7 hours' WHERE id = %d"
      % s.ids[ada])
    s.mark()
    expect_sync(env, 0, disabled=1)
    for who in (s.email_of(ada), s.admin_email):
        got = mails_to(env, s, who)
        expect(len(got) == 1 and "ehdot eivät täyty" in got[0][0] and
               "käytännesääntöjä" in got[0][1], "not eligible, to %s: %r", who, got)
        expect_finnish_mail(got[0], "not eligible")


# The record to publish ("D. IN TXT ...") and the deadline's zone.
RECORD = ("IN", "UTC")


@test
@dns_domains
def i18n_txt_mails_in_finnish(env):
    """The domain verification's mails to a Finnish admin: verified, the
    record gone (grace, its deadline the Finnish way, what was found in
    Finnish), back again, and no longer verified."""
    uid = admin_user(env, "fi")
    q(env, "UPDATE users SET lang = 'fi' WHERE id = %s" % uid)
    name = "grace." + ZONE
    to = "dnsadm-fi@admins.example"
    mark = int(q(env, "SELECT coalesce(max(id), 0) FROM outbox"))

    def last():
        row = q(env, "SELECT subject || '\x01' || body FROM outbox WHERE id > %d AND %s = ANY "
                     "(to_addresses) ORDER BY id DESC LIMIT 1" % (mark, lit(to)))
        return tuple(row.split("\x01", 1)) if row else ("", "")

    def step(lines, what, ok):
        """The record as lines say, a check, and its mail: ok(subject, body)."""
        env.dns.restart(lines=lines)
        verify(env, "--domain", name)
        m = last()
        expect(ok(*m), "%s: %r", what, m)
        expect_finnish_mail(m, what, allow=RECORD)
    try:
        add(env, "grace", admin=uid)
        step([GRACE_RECORD], "verified", lambda s, b: s == "[membermail] %s on vahvistettu" % name)
        step([], "grace", lambda s, b: "vahvistustietue puuttuu" in s and
             "TXT-tietueita ei ole lainkaan" in b and
             re.search(r"\d{1,2}\.\d{1,2}\.\d{4} klo \d{1,2}\.\d\d UTC", s))
        step([GRACE_RECORD], "verified again",
             lambda s, b: s == "[membermail] %s on taas vahvistettu" % name)
        env.dns.restart(lines=[])
        verify(env, "--domain", name)
        q(env, "UPDATE domains SET txt_grace_until = now() - interval '1 second' WHERE name = %s"
          % lit(name))
        verify(env, "--domain", name)
        m = last()
        expect("ei ole enää vahvistettu" in m[0], "stopped: %r", m)
        expect_finnish_mail(m, "stopped", allow=RECORD)
        # what a check finds, in Finnish: each fixture, verified before
        for tag, words in (("wrong", "tietueessa lukee"), ("multiple", "TXT-tietuetta alkaa"),
                           ("missing", "yksikään TXT-tietue ("),
                           ("nxdomain", "nimeä ei ole olemassa")):
            add(env, tag, status="verified", admin=uid)
            verify(env, "--domain", "%s.%s" % (tag, ZONE))
            m = last()
            expect(words in m[1] and "%s.%s" % (tag, ZONE) in m[0], "%s: %r", tag, m)
            expect_finnish_mail(m, tag, allow=RECORD)
    finally:
        q(env, "DELETE FROM outbox WHERE id > %d AND %s = ANY (to_addresses)" % (mark, lit(to)))
        drop_users(env, uid)


# ---------------------------------------------------------------- the operators' mail

OPS = "ops@example.org"     # alerts_to of every config of the run


def ops_mails(env, mark):
    """[(subject, body)] queued for alerts_to since outbox id mark."""
    ids = q(env, "SELECT string_agg(id::text, ' ' ORDER BY id) FROM outbox WHERE id > %d AND "
                 "%s = ANY (to_addresses)" % (mark, lit(OPS)))
    return [(q(env, "SELECT subject FROM outbox WHERE id = %s" % i),
             q(env, "SELECT body FROM outbox WHERE id = %s" % i)) for i in (ids or "").split()]


def outbox_mark(env):
    return int(q(env, "SELECT coalesce(max(id), 0) FROM outbox"))


def verify_conf(env, lang):
    """The run's config (the DNS server, alerts_to) with alerts_lang."""
    with open(env.conf) as f:
        text = f.read()
    path = os.path.join(env.base, "verify-alerts-%s.conf" % (lang or "default"))
    with open(path, "w") as f:
        f.write(text + ("alerts_lang = %s\n" % lang if lang else ""))
    return path


def operator_mails(env, make, lang):
    """The three mails alerts_to gets, made for real with alerts_lang =
    lang (None: the default): the sync's alerts (Launchpad answering 404
    for a team, a domain of it without an admin) and the mail saying they
    cleared; a held shrink; a DNS verification event of a domain without
    an admin.  {kind: [(subject, body)]}."""
    conf = [("alerts_lang", lang)] if lang else []
    got = {}
    q(env, "DELETE FROM sync_alerts")   # causes of earlier tests, in their words
    s = make("opal")
    s.user("al")
    bad = admin_less_domain(env, s)
    try:
        env.lp.faults({"/1.0/~%s/participants" % s.team: [404]})
        mark = outbox_mark(env)
        code, out, _ = sync(env, conf=conf)
        expect(code == 1, "a sync with a team Launchpad does not find: exit %s\n%s", code, out[-2000:])
        got["alerts"] = ops_mails(env, mark)
        env.lp.clear_faults()
        q(env, "INSERT INTO domain_members (domain_id, user_id, role) VALUES (%d, %d, 'admin')"
          % (bad, s.ids[s.admin]))
        mark = outbox_mark(env)
        expect_sync(env, 0, conf=conf, errors=0)
        got["cleared"] = ops_mails(env, mark)
    finally:
        q(env, "DELETE FROM aliases WHERE domain_id = %d; DELETE FROM domains WHERE id = %d"
          % (bad, bad))
        q(env, "DELETE FROM sync_alerts")
    s.retire()
    s = make("opsh")
    crew = [s.user("c%d" % i) for i in range(10)]
    guard = conf + [("shrink_threshold", "10")]
    expect_sync(env, 0, conf=guard, created=10)
    for n in crew[:7]:
        s.members.remove(n)
    s.push()
    mark = outbox_mark(env)
    expect_sync(env, 0, conf=guard, disabled=0)
    got["shrink"] = ops_mails(env, mark)
    name = "verified." + ZONE
    add(env, "verified")            # no admin: alerts_to is told
    test_verify._made.remove(name)  # removed here, not by another test's cleanup
    try:
        mark = outbox_mark(env)
        code, out = env.run_cli(["verify-domains", "-c", verify_conf(env, lang), "--domain", name])
        expect(code == 0, "verify-domains --domain %s: exit %s: %s", name, code, out)
        got["txt"] = ops_mails(env, mark)
    finally:
        q(env, "DELETE FROM domains WHERE name = %s" % lit(name))
    for kind, mails in got.items():
        expect(len(mails) == 1, "%s: want one mail to %s, got %r", kind, OPS, mails)
    return dict((k, v[0]) for k, v in got.items())


@scene_test
def i18n_operator_mails_in_finnish(env, make):
    """With alerts_lang = fi, every mail to alerts_to is Finnish with no
    English left: the sync's alerts (the causes' messages and the subject
    too), the mail saying they cleared, a held shrink, and the DNS
    verification mail of a domain without an admin."""
    m = operator_mails(env, make, "fi")
    subject, body = m["alerts"]
    expect(subject.startswith("[membermail] synkronointi: epäonnistui – ") and
           subject.endswith("(ja 1 muu)") and "Launchpad ei löytänyt tiimiä ~" in body and
           "ei ole yhtään ylläpitäjää" in body and body.count("Uusi: ") == 2,
           "the alerts: %r", m["alerts"])
    subject, body = m["cleared"]
    expect(subject.startswith("[membermail] synkronointi: korjaantui – ") and
           body.count("Korjaantunut: ") == 2, "the cleared alerts: %r", m["cleared"])
    expect("pieneni" in m["shrink"][0], "the held shrink: %r", m["shrink"])
    expect(m["txt"][0] == "[membermail] verified.%s on vahvistettu" % ZONE, "the TXT event: %r",
           m["txt"])
    for kind in ("alerts", "cleared", "shrink", "txt"):
        expect_finnish_mail(m[kind], "the operators' %s mail" % kind, allow=RECORD)


@scene_test
def i18n_operator_mails_english_by_default(env, make):
    """Without alerts_lang, the operators' mail stays English."""
    m = operator_mails(env, make, None)
    expect(m["alerts"][0].startswith("[membermail] sync failed: ") and
           m["alerts"][0].endswith("(and 1 more)") and
           "Launchpad did not find the team ~" in m["alerts"][1], "the alerts: %r", m["alerts"])
    expect(m["cleared"][0].startswith("[membermail] sync cleared: "), "cleared: %r", m["cleared"])
    expect("shrank: removals held" in m["shrink"][0], "the held shrink: %r", m["shrink"])
    expect(m["txt"][0] == "[membermail] verified.%s is verified" % ZONE, "the TXT event: %r",
           m["txt"])
    for kind in ("alerts", "cleared", "shrink", "txt"):
        expect(english_left(html.escape(m[kind][0] + "\n" + m[kind][1])),
               "the %s mail has no English: %r", kind, m[kind])


@scene_test
def i18n_operator_people_alerts_in_finnish(env, make):
    """With alerts_lang = fi, the people check's causes are Finnish in the
    alerts mail too: invalidations the guard holds, and a person Launchpad
    sent bad data for."""
    s = make("oppl")
    crew = synced_crew(env, s, "h")
    bad = crew[-1]
    for n in crew[:10]:
        s.people[n]["is_ubuntu_coc_signer"] = False
    s.push()
    ids = [uid_of(env, n) for n in crew]
    q(env, "DELETE FROM sync_alerts")   # causes of earlier tests, in their words
    try:
        # The team's entries do not tell: each person is looked up, and
        # bad's entry lacks is_valid.
        env.lp.faults({"/1.0/~%s/participants" % s.team: [{"drop": ["is_ubuntu_coc_signer"]}],
                       "/1.0/~" + bad: [{"drop": ["is_valid"]}]})
        make_due(env, *ids)
        mark = outbox_mark(env)
        # The run checks every due user of the database, not only these:
        # the guard holds on the count alone (10 over invalidation_min_count).
        code, out, _ = sync(env, conf=[("alerts_lang", "fi"), ("invalidation_threshold", "0")])
        expect(code == 1, "a sync with bad data for ~%s: exit %s\n%s", bad, code, out[-2000:])
        mails = ops_mails(env, mark)
        expect(len(mails) == 1, "want one mail to %s, got %r", OPS, mails)
        subject, body = mails[0]
        expect(subject.startswith("[membermail] synkronointi: epäonnistui – ") and
               subject.endswith("(ja 1 muu)") and body.count("Uusi: ") == 2 and
               "tarkistetusta käyttäjästä 10 olisi menettänyt kelpoisuutensa" in body and
               "Launchpad lähetti käyttäjästä ~%s virheellisiä tietoja" % bad in body and
               "would have become invalid" not in body and "bad data" not in body,
               "the alerts: %r", mails[0])
        expect_finnish_mail(mails[0], "the operators' alerts of the people check", allow=RECORD)
    finally:
        q(env, "DELETE FROM sync_alerts; DELETE FROM person_pending WHERE user_id IN (%s)"
          % ",".join(ids))


def alerts_lang_conf(env, value):
    """A config of the run's kind (its templates and catalogues) with
    alerts_lang = value."""
    path = os.path.join(env.base, "alerts-lang-%s.conf" % value)
    stack.render_config(path, stack.config_settings(os.path.join(env.base, "al.sock"),
                                                    extra=[("alerts_lang", value)]))
    return path


@test
def i18n_alerts_lang_refused(env):
    """alerts_lang must be a language tag (read with the file) that the
    site offers (checked at start-up): check-config, sync and
    verify-domains refuse anything else, saying which key and why."""
    for value, words in (("FI", ':%d: alerts_lang: "FI" is not a language tag'),
                         ("fi_FI", ':%d: alerts_lang: "fi_FI" is not a language tag'),
                         ("suomi", ':%d: alerts_lang: "suomi" is not a language tag'),
                         ("de", "alerts_lang: de is not a language this site offers (en, fi; "
                                "another needs its catalogue in %s)" % stack.LOCALE_DIR)):
        path = alerts_lang_conf(env, value)
        if "%d" in words:   # the file, the line and the key
            with open(path) as f:
                line = f.read().splitlines().index("alerts_lang = " + value) + 1
            words = path + words % line
        for cmd in (["check-config"], ["sync"], ["verify-domains"]):
            code, out = env.run_cli(cmd + ["-c", path])
            expect(code not in (0, None) and words in out,
                   "%s with alerts_lang = %s: exit %s, want the reason %r:\n%s",
                   cmd[0], value, code, words, out)
    code, out = env.run_cli(["check-config", "-c", alerts_lang_conf(env, "fi")])
    expect(code == 0 and re.search(r"(?m)^alerts_lang = fi$", out), "alerts_lang = fi: %s", out)


# ---------------------------------------------------------------- a member's and a domain admin's pages

@test
def i18n_member_pages_in_finnish(env):
    """A member's, a domain admin's and a site admin's pages in Finnish, on
    a domain of this test's own (so that its log holds no one else's
    words): /my, an alias, the tokens, the domain's pages, a member, and
    /admin/domains and the user's page."""
    import test_site_admin as sa
    b, user, uid = sa.signed_in(env, "i18nmember", site_admin=True)
    name = user["nickname"]
    domain = "%s.example" % name
    dom = sa.q(env, "INSERT INTO domains (name, team, verification_token) VALUES (%s, 'i18nteam', "
                    "substr(md5(random()::text), 1, 10)) RETURNING id" % lit(domain))
    sa.q(env, "INSERT INTO domain_members (domain_id, user_id, role) VALUES (%s, %s, 'admin')" % (dom, uid))
    mine = sa.q(env, "INSERT INTO aliases (domain_id, local_part, user_id, recipients, enabled, "
                     "disabled_reason) VALUES (%s, %s, %s, '{kept@example.org}', false, 'by-owner') "
                     "RETURNING id" % (dom, lit(name), uid))
    names = user_names(env) + ["kannettava"]
    try:
        token = b.csrf("/my")
        r = b.post("/my/tokens", {"csrf_token": token, "name": "kannettava", "expires_days": "30"}, **FI)
        expect(r.status == 200 and re.search(rb'id="new-token">mm_', r.body), "a new token: %s", show(r, 3000))
        expect_finnish(r, "POST /my/tokens", names)
        r = b.post("/my/tokens", {"csrf_token": token, "name": "", "expires_days": "30"}, **FI)
        expect(r.status == 422 and "Anna avaimelle nimi.".encode() in r.body, "no name: %s", show(r, 3000))
        expect_finnish(r, "POST /my/tokens refused", names)
        r = b.post("/domains/%s/aliases/%s/enabled" % (domain, mine), {"csrf_token": token, "enabled": "yes"},
                   **FI)
        expect(r.status == 303, "enable the alias as its domain's admin: %s", show(r))
        r = b.post("/domains/%s/aliases/%s/enabled" % (domain, mine), {"csrf_token": token, "enabled": "no"},
                   **FI)
        r = fi_get(b, r.header("Location"))
        expect("Alias poistettiin käytöstä.".encode() in r.body, "the notice in Finnish: %s", show(r, 3000))
        for path in ("/my", "/my/tokens", "/my/aliases/%s" % mine,
                     "/domains/%s" % domain, "/domains/%s/aliases" % domain,
                     "/domains/%s/aliases?enabled=no" % domain, "/domains/%s/log" % domain,
                     "/domains/%s/members/%s" % (domain, name),
                     "/admin/domains", "/admin/users/%s" % uid):
            r = fi_get(b, path)
            expect(r.status == 200, "GET %s: %s", path, show(r))
            expect_finnish(r, "GET " + path, names)
        r = fi_get(b, "/my/aliases/%s" % mine)
        expect("ylläpitäjän päätös".encode() in r.body, "the disabled reason in Finnish: %s", show(r, 4000))
        r = fi_get(b, "/domains/%s" % domain)
        expect("1 jäsen, joista 1 ylläpitäjä; 1 alias".encode() in r.body, "the counts in Finnish: %s",
               show(r, 4000))
        # English stays English.
        r = b.get("/my/aliases/%s" % mine)
        expect(b"Disabled (by-admin)" in r.body, "the English alias page: %s", show(r, 4000))
    finally:
        sa.q(env, "DELETE FROM api_tokens WHERE user_id = %s" % uid)
        sa.q(env, "DELETE FROM aliases WHERE domain_id = %s" % dom)
        sa.q(env, "DELETE FROM domains WHERE id = %s" % dom)


# ---------------------------------------------------------------- a domain's default language

def domain_lang(env, s):
    return q(env, "SELECT default_lang FROM domains WHERE id = %d" % s.domain_id)


def lang_audits(env, s):
    return q(env, "SELECT string_agg(before::text || ' -> ' || after::text, '; ' ORDER BY id) "
                  "FROM audit_log WHERE domain_id = %d AND action = 'domain.default_lang'"
             % s.domain_id) or ""


def signed_in_on(env, s, role):
    """A signed-in browser of a user with that role on s's domain."""
    u = new_user("dl" + role)
    s.people[u["nickname"]] = {"name": u["nickname"]}
    s.push()
    b, _, _ = sign_in(env, user=u)
    uid = int(user_row(env, u)[0])
    q(env, "INSERT INTO domain_members (domain_id, user_id, role) VALUES (%d, %d, %s)"
      % (s.domain_id, uid, lit(role)))
    return b, uid


@scene_test
def i18n_domain_default_language(env, make):
    """A domain's admin sets its default language on the domain page: the
    next mail to a member who chose none is in it.  A language the site
    does not offer is a 422 with the reason by the field (in the page's
    language); a member who is no admin, a missing or foreign CSRF token
    403; none of them writes anything."""
    s = make("dlang", alias_limit=1)
    eng = s.user("eng")
    q(env, "INSERT INTO aliases (domain_id, local_part, user_id, recipients) VALUES "
           "(%d, %s, %d, '{a@mail.example.org}')" % (s.domain_id, lit(eng + "-x"), s.ids[eng]))
    q(env, "INSERT INTO domain_members (domain_id, user_id) VALUES (%d, %d)"
      % (s.domain_id, s.ids[eng]))
    use_profile(env)
    adm, _ = signed_in_on(env, s, "admin")
    mem, mem_id = signed_in_on(env, s, "member")
    page = "/domains/" + s.domain
    path = page + "/language"
    token = adm.csrf(page)
    r = adm.get(page)
    expect(re.search(rb'<option value="en" lang="en" selected>English</option>', r.body) and
           re.search(rb'<option value="fi" lang="fi">suomi</option>', r.body),
           "the domain page offers the languages, English chosen: %s", show(r, 6000))

    def unchanged(what):
        expect(domain_lang(env, s) == "en" and lang_audits(env, s) == "",
               "%s wrote: %s, %s", what, domain_lang(env, s), lang_audits(env, s))
    for bad in ("xx", "de", "fi-FI", "", "fi; DROP TABLE domains"):
        r = adm.post(path, {"csrf_token": token, "default_lang": bad}, **FI)
        expect(r.status == 422, "default_lang %r: %s", bad, show(r, 600))
        unchanged("default_lang %r" % bad)
    expect("Sivusto ei tarjoa tätä kieltä.".encode() in r.body and
           b'id="default_lang-error"' in r.body and b'aria-invalid="true"' in r.body,
           "the 422 page says why by the field, in Finnish: %s", show(r, 6000))
    expect("Sähköpostin kieli".encode() in r.body, "the form in Finnish: %s", show(r, 6000))
    r = mem.post(path, {"csrf_token": mem.csrf("/my"), "default_lang": "fi"})
    expect(r.status == 403, "a member who is no admin: %s", show(r, 600))
    r = adm.post(path, {"default_lang": "fi"})
    expect(r.status == 403, "no CSRF token: %s", show(r, 600))
    r = adm.post(path, {"csrf_token": "0" * 64, "default_lang": "fi"})
    expect(r.status == 403, "a wrong CSRF token: %s", show(r, 600))
    r = adm.post(path, {"csrf_token": token, "default_lang": "fi"}, Origin="https://evil.example")
    expect(r.status == 403, "another Origin: %s", show(r, 600))
    unchanged("the refused requests")

    r = adm.post(path, {"csrf_token": token, "default_lang": "FI"})
    expect(r.status == 303 and r.header("Location") == page + "?done=language",
           "saved: 303 back to the domain page: %s", show(r, 600))
    expect(domain_lang(env, s) == "fi", "stored: %s", domain_lang(env, s))
    expect(lang_audits(env, s) == '{"default_lang": "en"} -> {"default_lang": "fi"}',
           "the audit row: %r", lang_audits(env, s))
    r = adm.get(page + "?done=language")
    expect(b"Saved: members who have not chosen a language" in r.body and
           re.search(rb'<option value="fi" lang="fi" selected>suomi</option>', r.body),
           "the notice, Finnish chosen: %s", show(r, 6000))
    adm.post(path, {"csrf_token": token, "default_lang": "fi"})
    expect(lang_audits(env, s).count("->") == 1, "saving it again wrote a row")

    # The next mail to the member who chose nothing is Finnish.
    s.mark()
    expect_sync(env, 0, created=0)
    got = mails_to(env, s, s.email_of(eng))
    expect(len(got) == 1 and "ei voitu luoda" in got[0][0], "the member's mail: %r", got)
    expect_finnish_mail(got[0], "the domain's default language")

    # A site admin may set it too, admin of the domain or not.
    q(env, "UPDATE users SET is_site_admin = true WHERE id = %d" % mem_id)
    q(env, "DELETE FROM domain_members WHERE user_id = %d" % mem_id)
    r = mem.post(path, {"csrf_token": mem.csrf("/my"), "default_lang": "en"})
    expect(r.status == 303 and domain_lang(env, s) == "en", "a site admin: %s", show(r, 600))
    q(env, "UPDATE users SET is_site_admin = false WHERE id = %d" % mem_id)


@scene_test
def i18n_domain_default_language_api(env, make):
    """PATCH /api/v1/domains/:domain {"default_lang"}: the domain back,
    its default_lang set; a language not offered 422 (its message in the
    Accept-Language), another field 422, a member 403."""
    import test_api
    s = make("dlapi")
    tok = test_api.mk_token(env, s.ids[s.admin])
    mem = s.user("mem")
    q(env, "INSERT INTO domain_members (domain_id, user_id) VALUES (%d, %d)"
      % (s.domain_id, s.ids[mem]))
    mtok = test_api.mk_token(env, s.ids[mem])
    path = "/api/v1/domains/" + s.domain
    o = test_api.ok(test_api.call(env, "GET", path, tok), "GET the domain")
    expect(o.get("default_lang") == "en", "GET: default_lang %r", o)
    o = test_api.refused(test_api.call(env, "PATCH", path, tok, {"default_lang": "xx"},
                                       headers=FI),
                         "an unknown language", 422, "unknown_language", "default_lang")
    expect(o["message"].startswith("Sivusto ei tarjoa"), "the message in Finnish: %r", o)
    test_api.refused(test_api.call(env, "PATCH", path, tok, {"default_lang": 7}),
                     "not a string", 422, "invalid_type", "default_lang")
    test_api.refused(test_api.call(env, "PATCH", path, tok, {"alias_limit": 9}),
                     "another field", 422, "unknown_field", "alias_limit")
    test_api.refused(test_api.call(env, "PATCH", path, mtok, {"default_lang": "fi"}),
                     "a member", 403, "forbidden")
    expect(domain_lang(env, s) == "en" and lang_audits(env, s) == "",
           "the refusals wrote: %s %s", domain_lang(env, s), lang_audits(env, s))
    o = test_api.ok(test_api.call(env, "PATCH", path, tok, {"default_lang": "fi"}), "PATCH fi")
    expect(o.get("default_lang") == "fi" and o.get("name") == s.domain, "the answer: %r", o)
    expect(domain_lang(env, s) == "fi" and lang_audits(env, s).count("->") == 1,
           "stored and audited: %s %s", domain_lang(env, s), lang_audits(env, s))


# ---------------------------------------------------------------- the rules' refusals

@test
def i18n_alias_refusals_in_finnish(env):
    """A refused alias change says why in the reader's language, its error
    code unchanged: the owner's alias page (a field's reason, and a
    conflict's), a domain admin's member page, and the API's message by
    Accept-Language."""
    import test_api
    use_profile(env)
    u = new_user("refi")
    b, _, _ = sign_in(env, user=u)
    uid = int(user_row(env, u)[0])
    dom = test_api.mk_domain(env, "refi")
    try:
        test_api.mk_member(env, dom, uid, "admin")
        aid = test_api.mk_alias(env, dom, "refi" + u["nickname"].lower(), uid)
        page = "/my/aliases/%d" % aid
        too_long = {"description": "x" * 151}
        r = b.post(page, dict(too_long, csrf_token=b.csrf(page)), **FI)
        expect(r.status == 422 and "Kuvaus voi olla enintään 150 merkkiä pitkä.".encode() in r.body,
               "the owner's page, Finnish: %s", show(r, 8000))
        r = b.post(page, dict(too_long, csrf_token=b.csrf(page)), **EN)
        expect(r.status == 422 and b"at most 150 characters" in r.body,
               "the owner's page, English: %s", show(r, 8000))
        r = b.post(page, {"csrf_token": b.csrf(page), "description": "x",
                          "updated_at": "2001-01-01 00:00:00+00"}, **FI)
        expect(r.status == 409 and "Aliasta muutettiin sillä välin".encode() in r.body,
               "a conflict, Finnish: %s", show(r, 8000))
        member = "/domains/%s/members/%s" % (dom, u["nickname"])
        r = b.post(member + "/aliases", {"csrf_token": b.csrf(member), "local_part": ".bad"},
                   **FI)
        expect(r.status == 422 and "Osoitteessa on 1–64 kirjainta".encode() in r.body,
               "a domain admin's member page, Finnish: %s", show(r, 8000))
        tok = test_api.mk_token(env, uid)
        for headers, words in ((FI, "Kuvaus voi olla enintään 150"), (EN, "at most 150")):
            o = test_api.refused(test_api.call(env, "PATCH", "/api/v1/aliases/%d" % aid, tok,
                                               too_long, headers=headers),
                                 "the API", 422, "description_too_long", "description")
            expect(words in o["message"], "the API's message: %r", o)
        expect(test_api.sql(env, "SELECT description FROM aliases WHERE id = %d" % aid) == "",
               "a refusal changed the alias")
    finally:
        test_api.drop_domains(env, [dom])
