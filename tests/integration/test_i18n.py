#!/usr/bin/python3
"""membermail integration tests of the languages: English and Finnish.

Which language a page is in (the signed-in user's stored choice, else the
mm_lang cookie of the language switch, else Accept-Language, else
English; <html lang> follows), the switch itself (POST /language: CSRF,
its fields, the cookie, the stored choice, a signed-out choice adopted at
sign-in), the API's messages (Accept-Language only), and pages rendered in
Finnish with no English left in them (english_left: every word of the
page's text that only English uses).

Not a runner of its own: tests/integration/run.py imports it.
"""

import html
import os
import re

import stack
from run import Fail, expect, show, test  # noqa: F401
import test_mailbox as tm
from test_member import tidy
from test_signin import Browser, new_user, sign_in, sql, use_profile, user_row  # noqa: F401

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
    or shown (title, alt, placeholder, aria-label, a button's value)."""
    s = body.decode("utf-8") if isinstance(body, bytes) else body
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
