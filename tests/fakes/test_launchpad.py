#!/usr/bin/python3
"""Tests for the fake Launchpad API (tests/fakes/launchpad.py).

    /usr/bin/python3 tests/fakes/test_launchpad.py [-v] [NAME-SUBSTRING...]

Starts the fake (and a --demo instance) on free loopback ports, drives it
over HTTP as the membermail client would, stops everything it started and
prints "fakes-launchpad: N passed, N failed" as its last line.  Exit status
0 only when everything passed.

Standard library only; run with Debian's /usr/bin/python3.
"""

import http.client
import json
import os
import re
import socket
import sys
import tempfile
import time
import unittest
import urllib.parse

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
LP = os.path.join(HERE, "launchpad.py")
sys.path.insert(0, HERE)
import fakebase  # noqa: E402
import sso  # noqa: E402  (the fake Ubuntu One's demo users, to check the fixtures match)

PYTHON = "/usr/bin/python3"
REDACTED = "tag:launchpad.net:2008:redacted"
NOT_FOUND_RE = re.compile(
    r"Object: <lp\.systemhomes\.WebServiceApplication object at 0x7f[0-9a-f]+>, name: '(.*)'")

# Every key of a person entry with its JSON type(s); None = null allowed.
COLLECTIONS = ("members", "participants", "admins", "members_details", "memberships_details",
               "super_teams", "sub_teams", "gpg_keys", "sshkeys", "irc_nicknames", "jabber_ids",
               "wiki_names", "languages", "ppas", "recipes", "confirmed_email_addresses",
               "deactivated_members", "expired_members", "invited_members", "proposed_members",
               "open_membership_invitations", "social_accounts")
S, B, I, N = str, bool, int, type(None)
ENTRY_TYPES = {
    "name": (S,), "display_name": (S,), "self_link": (S,), "web_link": (S,),
    "resource_type_link": (S,), "http_etag": (S,), "is_team": (B,), "is_valid": (B,),
    "is_ubuntu_coc_signer": (B,), "is_probationary": (B,), "karma": (I,), "private": (B,),
    "visibility": (S,), "date_created": (S,), "time_zone": (S,), "description": (S, N),
    "homepage_content": (S, N), "hide_email_addresses": (B,), "id": (S,),
    "latitude": (float, N), "longitude": (float, N), "mailing_list_auto_subscribe_policy": (S,),
    "archive_link": (S, N), "logo_link": (S, N), "mugshot_link": (S, N),
    "team_owner_link": (S, N), "preferred_email_address_link": (S, N),
    "team_description": (S, N), "membership_policy": (S, N), "subscription_policy": (S, N),
    "renewal_policy": (S, N), "default_membership_period": (I, N),
    "default_renewal_period": (I, N),
}
ENTRY_TYPES.update({c + "_collection_link": (S,) for c in COLLECTIONS})
TEAM_ONLY = ("team_description", "membership_policy", "subscription_policy", "renewal_policy",
             "default_membership_period", "default_renewal_period", "team_owner_link")


# ------------------------------------------------------------- the process --

NOTHING = object()


class Resp:
    def __init__(self, status, headers, body, elapsed):
        self.status, self.headers, self.body, self.elapsed = status, headers, body, elapsed

    def header(self, name):
        return self.headers.get(name.lower())

    @property
    def text(self):
        return self.body.decode("utf-8")

    def json(self):
        return json.loads(self.text)


class FakeProc(fakebase.FakeProcess):
    def __init__(self, *args):
        super().__init__(LP, *args)

    def http(self, method, path, body=None, headers=None, timeout=5):
        if isinstance(body, str):
            body = body.encode("utf-8")
        if path.startswith("http"):
            split = urllib.parse.urlsplit(path)
            assert split.netloc == "127.0.0.1:%d" % self.port, path
            path = split.path + ("?" + split.query if split.query else "")
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        t0 = time.monotonic()
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            data = r.read()
            return Resp(r.status, {k.lower(): v for k, v in r.getheaders()}, data,
                        time.monotonic() - t0)
        finally:
            c.close()

    def ctl(self, path, obj=NOTHING, expect=200):
        r = self.http("POST", path, body="" if obj is NOTHING else json.dumps(obj),
                      headers={"Content-Type": "application/json"})
        if r.status != expect:
            raise AssertionError("%s -> %d %s" % (path, r.status, r.text))
        return r.json()

    def get(self, path, **kw):
        return self.http("GET", path, **kw)

    def getj(self, path):
        r = self.get(path)
        assert r.status == 200, (path, r.status, r.text)
        assert r.header("Content-Type") == "application/json", r.headers
        return r.json()


MAIN = DEMO = None
LOGFILE = None


def setUpModule():
    global MAIN, DEMO, LOGFILE
    LOGFILE = tempfile.NamedTemporaryFile(prefix="lp-test-", suffix=".log", delete=False).name
    MAIN = FakeProc("--log", LOGFILE, "--seed", "3")
    DEMO = FakeProc("--demo")


def tearDownModule():
    rcs = [p.stop() for p in (MAIN, DEMO) if p]
    os.unlink(LOGFILE)
    if any(rcs):
        raise RuntimeError("fakes exited with %r after SIGTERM" % rcs)


# Fixture used by most tests: ~core has members ada, zed and subteam ~mid; ~mid has bob
# and subteam ~leaf; ~leaf has cy.  Display names make the order differ from names.
PEOPLE = [
    {"name": "ada", "display_name": "Ada Lovelace", "karma": 10,
     "openid_identifier": "https://login.ubuntu.com/+id/Ab3CdEf"},
    {"name": "bob", "display_name": "Bob Builder", "karma": 0},
    {"name": "cy", "display_name": "Ada Lovelace", "karma": 5},     # same display name as ada
    {"name": "zed", "display_name": "Aaron Zed", "is_ubuntu_coc_signer": False},
    {"name": "eve", "display_name": "Eve", "is_valid": False},
    {"name": "hidden", "display_name": "Hidden Person", "private": True},
]
TEAMS = [
    {"name": "core", "display_name": "Core Team", "members": ["ada", "zed"], "subteams": ["mid"]},
    {"name": "mid", "display_name": "Middle Team", "members": ["bob"], "subteams": ["leaf"]},
    {"name": "leaf", "display_name": "Leaf Team", "members": ["cy"]},
]


def walk(fake, first):
    """Follow next_collection_link from first; returns the pages."""
    pages, url = [], first
    while url:
        page = fake.getj(url)
        pages.append(page)
        url = page.get("next_collection_link")
        assert len(pages) < 50, "runaway paging"
    return pages


class Base(unittest.TestCase):
    def setUp(self):
        MAIN.ctl("/_fake/reset")
        MAIN.ctl("/_fake/people", PEOPLE)
        MAIN.ctl("/_fake/teams", TEAMS)

    def assert_entry(self, e, name, ver="1.0"):
        for k, types in ENTRY_TYPES.items():
            self.assertIn(k, e, "%s: missing %s" % (name, k))
            self.assertIsInstance(e[k], types, "%s: %s is %r" % (name, k, e[k]))
        root = "%s/%s/" % (MAIN.base, ver)
        self.assertEqual(e["name"], name)
        self.assertEqual(e["self_link"], root + "~" + name)
        self.assertEqual(e["web_link"], "https://launchpad.net/~" + name)
        self.assertEqual(e["resource_type_link"], root + ("#team" if e["is_team"] else "#person"))
        self.assertEqual(e["id"], REDACTED)
        self.assertEqual(e["visibility"], "Public")
        self.assertRegex(e["date_created"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$")
        self.assertRegex(e["http_etag"], r'^"[0-9a-f]+-[0-9a-f]+"$')
        for c in COLLECTIONS:
            self.assertEqual(e[c + "_collection_link"], root + "~%s/%s" % (name, c))
        self.assertEqual("account_status" in e, ver == "devel")
        if ver == "devel":
            self.assertIsInstance(e["account_status"], str)


# ------------------------------------------------------------------ entries --

class TestEntries(Base):
    def test_person_entry(self):
        r = MAIN.get("/1.0/~ada")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("Content-Type"), "application/json")
        e = r.json()
        self.assert_entry(e, "ada")
        self.assertEqual(r.header("ETag"), e["http_etag"])
        self.assertEqual((e["display_name"], e["is_team"], e["is_valid"], e["is_ubuntu_coc_signer"],
                          e["is_probationary"], e["karma"], e["private"]),
                         ("Ada Lovelace", False, True, True, False, 10, False))
        for k in TEAM_ONLY:
            self.assertIsNone(e[k], k)
        self.assertEqual(MAIN.getj("/1.0/~bob")["is_probationary"], True)      # karma 0
        self.assertEqual(MAIN.getj("/1.0/~zed")["is_ubuntu_coc_signer"], False)
        self.assertEqual(MAIN.getj("/1.0/~eve")["is_valid"], False)

    def test_team_entry(self):
        e = MAIN.getj("/1.0/~core")
        self.assert_entry(e, "core")
        self.assertEqual((e["is_team"], e["is_valid"], e["is_probationary"]), (True, True, False))
        for k in TEAM_ONLY:
            self.assertIsNotNone(e[k], k)
        self.assertEqual(e["team_owner_link"], MAIN.base + "/1.0/~ada")

    def test_versions(self):
        for ver in ("1.0", "beta", "devel"):
            self.assert_entry(MAIN.getj("/%s/~ada" % ver), "ada", ver)
            self.assert_entry(MAIN.getj("/%s/~core" % ver), "core", ver)
        MAIN.ctl("/_fake/people", {"name": "ada", "account_status": "Suspended"})
        self.assertEqual(MAIN.getj("/devel/~ada")["account_status"], "Suspended")
        self.assertEqual(MAIN.get("/2.0/~ada").status, 404)

    def test_fixture_update_merges(self):
        etag = MAIN.getj("/1.0/~ada")["http_etag"]
        MAIN.ctl("/_fake/people", [{"name": "ada", "is_valid": False}])
        e = MAIN.getj("/1.0/~ada")
        self.assertEqual((e["is_valid"], e["display_name"], e["karma"]), (False, "Ada Lovelace", 10))
        self.assertNotEqual(e["http_etag"], etag)

    def test_not_found(self):
        for path, name in (("/1.0/~nobody", "~nobody"), ("/1.0/~hidden", "~hidden"),
                           ("/1.0/~Ada", "~Ada"), ("/1.0/~a", "~a"), ("/1.0/~-x", "~-x"),
                           ("/1.0/~ada%20x", "~ada%20x"), ("/beta/~nobody", "~nobody"),
                           ("/devel/~hidden", "~hidden")):
            r = MAIN.get(path)
            self.assertEqual(r.status, 404, path)
            self.assertTrue(r.header("Content-Type").startswith("text/plain"), path)
            m = NOT_FOUND_RE.fullmatch(r.text)
            self.assertTrue(m, r.text)
            self.assertEqual(m.group(1), name)
            self.assertRaises(ValueError, json.loads, r.text)
        MAIN.ctl("/_fake/teams", {"name": "secret", "private": True, "members": ["ada"]})
        self.assertEqual(MAIN.get("/1.0/~secret").status, 404)
        self.assertEqual(MAIN.get("/1.0/~secret/participants").status, 404)
        self.assertEqual(MAIN.get("/1.0/~core/nosuch").status, 404)
        MAIN.ctl("/_fake/people/delete", ["ada"])
        self.assertEqual(MAIN.get("/1.0/~ada").status, 404)
        names = [e["name"] for e in MAIN.getj("/1.0/~core/members")["entries"]]
        self.assertNotIn("ada", names)

    def test_method_not_allowed(self):
        r = MAIN.http("POST", "/1.0/~ada", body="x", headers={"Content-Type": "text/plain"})
        self.assertEqual(r.status, 405)


# ---------------------------------------------------------------- collections --

class TestCollections(Base):
    def names(self, path):
        return [e["name"] for p in walk(MAIN, path) for e in p["entries"]]

    def test_members_and_participants(self):
        self.assertEqual(self.names("/1.0/~core/members"), ["zed", "ada", "mid"])
        # Order: display_name (case-insensitively) then name: "Aaron Zed", "Ada Lovelace" (ada,
        # then cy), "Bob Builder", "Leaf Team", "Middle Team".
        self.assertEqual(self.names("/1.0/~core/participants"),
                         ["zed", "ada", "cy", "bob", "leaf", "mid"])
        self.assertEqual(self.names("/1.0/~mid/participants"), ["cy", "bob", "leaf"])
        self.assertEqual(self.names("/1.0/~mid/members"), ["bob", "leaf"])
        self.assertEqual(self.names("/1.0/~leaf/participants"), ["cy"])
        for p in walk(MAIN, "/devel/~core/participants"):
            for e in p["entries"]:
                self.assert_entry(e, e["name"], "devel")

    def test_non_team_and_other_collections(self):
        for path in ("/1.0/~ada/participants", "/1.0/~ada/members", "/1.0/~core/super_teams"):
            page = MAIN.getj(path)
            self.assertEqual((page["total_size"], page["start"], page["entries"]), (0, 0, []), path)
            self.assertNotIn("next_collection_link", page)
            self.assertNotIn("prev_collection_link", page)

    def test_closure_updates_and_cycles(self):
        MAIN.ctl("/_fake/teams", {"name": "leaf", "members": ["cy", "eve"]})
        self.assertIn("eve", self.names("/1.0/~core/participants"))
        MAIN.ctl("/_fake/teams", {"name": "leaf", "members": ["cy"], "subteams": ["core"]})
        self.assertEqual(sorted(self.names("/1.0/~core/participants")),
                         ["ada", "bob", "cy", "leaf", "mid", "zed"])
        self.assertIn("core", self.names("/1.0/~mid/participants"))

    def test_paging_size_2(self):
        MAIN.ctl("/_fake/config", {"page_size": 2})
        pages = walk(MAIN, "/1.0/~core/participants")
        self.assertEqual(len(pages), 3)
        root = MAIN.base + "/1.0/"
        for i, p in enumerate(pages):
            self.assertEqual(p["total_size"], 6)
            self.assertEqual(p["start"], 2 * i)
            self.assertEqual(len(p["entries"]), 2)
            self.assertEqual(p["resource_type_link"], root + "#person-page-resource")
            for key, want in (("next_collection_link", 2 * i + 2 if i < 2 else None),
                              ("prev_collection_link", 2 * i - 2 if i > 0 else None)):
                if want is None:
                    self.assertNotIn(key, p)
                    continue
                u = urllib.parse.urlsplit(p[key])
                self.assertEqual("%s://%s" % (u.scheme, u.netloc), MAIN.base)
                self.assertEqual(u.path, "/1.0/~core/participants")
                q = dict(urllib.parse.parse_qsl(u.query))
                self.assertEqual((q["ws.size"], q["ws.start"], q["memo"]),
                                 ("2", str(want), str(want)))
        self.assertEqual([e["name"] for p in pages for e in p["entries"]],
                         ["zed", "ada", "cy", "bob", "leaf", "mid"])
        # a member found only on page 3
        self.assertEqual([e["name"] for e in pages[2]["entries"]], ["leaf", "mid"])

    def test_ws_size_and_start(self):
        p = MAIN.getj("/1.0/~core/participants?ws.size=4&ws.start=1")
        self.assertEqual([e["name"] for e in p["entries"]], ["ada", "cy", "bob", "leaf"])
        self.assertEqual((p["start"], p["total_size"]), (1, 6))
        self.assertIn("ws.start=5", p["next_collection_link"])
        self.assertIn("ws.start=0", p["prev_collection_link"])
        p = MAIN.getj("/1.0/~core/participants?ws.size=300")
        self.assertEqual(len(p["entries"]), 6)
        self.assertNotIn("next_collection_link", p)
        p = MAIN.getj("/1.0/~core/participants?ws.start=10")
        self.assertEqual((p["entries"], p["total_size"]), ([], 6))
        for q in ("ws.size=301", "ws.size=1000", "ws.size=0", "ws.size=x", "ws.start=-1"):
            r = MAIN.get("/1.0/~core/participants?" + q)
            self.assertEqual(r.status, 400, q)
            self.assertTrue(r.header("Content-Type").startswith("text/plain"), q)
        self.assertIn("300", MAIN.get("/1.0/~core/participants?ws.size=301").text)

    def test_default_page_size(self):
        MAIN.ctl("/_fake/people", [{"name": "p%03d" % i} for i in range(120)])
        MAIN.ctl("/_fake/teams", {"name": "big", "members": ["p%03d" % i for i in range(120)]})
        pages = walk(MAIN, "/1.0/~big/participants")
        self.assertEqual([len(p["entries"]) for p in pages], [50, 50, 20])
        self.assertIn("ws.size=50", pages[0]["next_collection_link"])

    def test_private_members_overcount(self):
        MAIN.ctl("/_fake/teams", {"name": "leaf", "members": ["cy", "hidden"]})
        MAIN.ctl("/_fake/config", {"page_size": 2})
        pages = walk(MAIN, "/1.0/~core/participants")
        names = [e["name"] for p in pages for e in p["entries"]]
        self.assertNotIn("hidden", names)
        self.assertEqual(len(names), 6)
        self.assertTrue(all(p["total_size"] == 7 for p in pages))


# -------------------------------------------------------------------- faults --

class TestFaults(Base):
    P = "/1.0/~ada"

    def arm(self, prefix, steps):
        return MAIN.ctl("/_fake/faults", {prefix: steps})["armed"]

    def assert_normal(self, path=None):
        r = MAIN.get(path or self.P)
        self.assertEqual(r.status, 200)
        return r.json()

    def test_status_script(self):
        armed = self.arm(self.P, [503, 503, 200])
        self.assertEqual(len(armed[self.P]), 3)
        self.assertEqual([MAIN.get(self.P).status for _ in range(4)], [503, 503, 200, 200])
        self.assertEqual(MAIN.getj("/_fake/faults"), {})
        self.arm(self.P, [502, 200])
        self.assertEqual(MAIN.get("/1.0/~bob").status, 200)          # other paths untouched
        self.assertEqual([MAIN.get(self.P).status for _ in range(3)], [502, 200, 200])

    def test_502_html(self):
        self.arm(self.P, [502])
        r = MAIN.get(self.P)
        self.assertEqual(r.status, 502)
        self.assertTrue(r.header("Content-Type").startswith("text/html"))
        self.assertIn("<html>", r.text)
        self.arm(self.P, [{"status": 503, "html": True}])
        r = MAIN.get(self.P)
        self.assertEqual((r.status, r.header("Content-Type")), (503, "text/html"))
        self.assert_normal()

    def test_500_oops(self):
        self.arm(self.P, [500, {"status": 500, "oops": "OOPS-abc123"}])
        r = MAIN.get(self.P)
        self.assertEqual(r.status, 500)
        self.assertRegex(r.header("X-Lazr-OopsId"), r"^OOPS-[0-9a-f]+$")
        self.assertEqual(MAIN.get(self.P).header("X-Lazr-OopsId"), "OOPS-abc123")
        self.assertIsNone(MAIN.get(self.P).header("X-Lazr-OopsId"))

    def test_retry_after(self):
        self.arm(self.P, [{"status": 503, "retry_after": 1},
                          {"status": 503, "headers": {"Retry-After": "900"}}])
        self.assertEqual(MAIN.get(self.P).header("Retry-After"), "1")
        self.assertEqual(MAIN.get(self.P).header("Retry-After"), "900")
        r = MAIN.get(self.P)
        self.assertEqual((r.status, r.header("Retry-After")), (200, None))

    def test_delay_beyond_timeout(self):
        self.arm(self.P, [{"delay_ms": 800}])
        t0 = time.monotonic()
        with self.assertRaises(socket.timeout):
            MAIN.get(self.P, timeout=0.3)
        self.assertLess(time.monotonic() - t0, 0.7)
        r = MAIN.get(self.P)                        # served at once (threaded server)
        self.assertEqual(r.status, 200)
        self.assertLess(r.elapsed, 0.4)
        time.sleep(0.6)                             # let the delayed one finish writing
        reqs = [x for x in MAIN.getj("/_fake/requests") if x["path"] == self.P]
        self.assertEqual(reqs[0]["fault"], {"delay_ms": 800})

    def test_connection_reset(self):
        self.arm(self.P, ["reset"])
        with self.assertRaises((ConnectionResetError, http.client.RemoteDisconnected)):
            MAIN.get(self.P)
        self.assert_normal()

    def test_truncated_json(self):
        self.arm(self.P, ["truncate", {"truncate": 10}])
        r = MAIN.get(self.P)
        self.assertEqual(r.status, 200)
        self.assertRaises(ValueError, json.loads, r.text)
        self.assertEqual(len(MAIN.get(self.P).body), 10)
        self.assert_normal()
        self.arm(self.P, [{"truncate": 20, "close": True}])       # short body, then EOF
        with self.assertRaises(http.client.IncompleteRead):
            MAIN.get(self.P)
        self.assert_normal()

    def test_bad_booleans(self):
        self.arm(self.P, [{"redact": ["is_valid"]}, {"entry": {"is_ubuntu_coc_signer": "true"}},
                          {"drop": ["is_valid"]}, {"entry": {"name": "mallory"}}])
        self.assertEqual(MAIN.getj(self.P)["is_valid"], REDACTED)
        self.assertEqual(MAIN.getj(self.P)["is_ubuntu_coc_signer"], "true")
        self.assertNotIn("is_valid", MAIN.getj(self.P))
        self.assertEqual(MAIN.getj(self.P)["name"], "mallory")
        e = self.assert_normal()
        self.assertIs(e["is_valid"], True)
        self.assertIs(e["is_ubuntu_coc_signer"], True)
        # on a page: every entry
        path = "/1.0/~core/participants"
        self.arm(path, [{"redact": ["is_valid"]}])
        self.assertTrue(all(e["is_valid"] == REDACTED for e in MAIN.getj(path)["entries"]))
        self.assertTrue(all(e["is_valid"] in (True, False) for e in MAIN.getj(path)["entries"]))

    def test_raw_body(self):
        self.arm(self.P, [{"body": "null"}, {"status": 404, "body": "gone", "content_type": "text/plain"}])
        r = MAIN.get(self.P)
        self.assertEqual((r.status, r.text), (200, "null"))
        r = MAIN.get(self.P)
        self.assertEqual((r.status, r.text, r.header("Content-Type")), (404, "gone", "text/plain"))
        self.assert_normal()

    def test_total_size_overcount(self):
        MAIN.ctl("/_fake/config", {"page_size": 2})
        path = "/1.0/~core/participants"
        self.arm(path, [{"total_size_delta": 100}])
        p = MAIN.getj(path)
        self.assertEqual(p["total_size"], 106)
        self.assertEqual(MAIN.getj(path)["total_size"], 6)
        # over-count on the last page: no next link, still terminates
        self.arm(path, [200, 200, {"page": {"total_size": 50}}])
        pages = walk(MAIN, path)
        self.assertEqual([p["total_size"] for p in pages], [6, 6, 50])

    def test_total_size_drifts_between_pages(self):
        MAIN.ctl("/_fake/config", {"page_size": 2})
        path = "/1.0/~core/participants"
        self.arm(path, [200, {"total_size_delta": -1}, {"total_size_delta": 3}])
        self.assertEqual([p["total_size"] for p in walk(MAIN, path)], [6, 5, 9])
        self.assertEqual([p["total_size"] for p in walk(MAIN, path)], [6, 6, 6])

    def test_foreign_next_link(self):
        MAIN.ctl("/_fake/config", {"page_size": 2})
        path = "/1.0/~core/participants"
        self.arm(path, [{"next": "foreign"}])
        link = MAIN.getj(path)["next_collection_link"]
        u = urllib.parse.urlsplit(link)
        self.assertEqual(u.netloc, "evil.example")
        self.assertEqual(u.path, path)
        self.assertIn("ws.start=2", u.query)
        self.assertEqual(urllib.parse.urlsplit(MAIN.getj(path)["next_collection_link"]).netloc,
                         "127.0.0.1:%d" % MAIN.port)
        self.arm(path, [{"next": "https://api.launchpad.net.evil.example/1.0/~core/participants"}])
        self.assertIn("evil.example", MAIN.getj(path)["next_collection_link"])

    def test_looping_next_link(self):
        MAIN.ctl("/_fake/config", {"page_size": 2})
        path = "/1.0/~core/participants"
        # the page-2 request (prefix includes the query) links back to page 1, three times
        self.arm(path + "?ws.size=2&memo=2", [{"next": "loop"}] * 3)
        seen, url = [], path
        for _ in range(8):
            page = MAIN.getj(url)
            seen.append(page["start"])
            url = page.get("next_collection_link")
            if not url:
                break
        self.assertEqual(seen, [0, 2, 0, 2, 0, 2, 0, 2])
        self.assertEqual(MAIN.getj("/_fake/faults"), {})
        self.assertEqual(len(walk(MAIN, path)), 3)

    def test_longest_prefix_and_scope(self):
        self.arm("/1.0/", [503])
        self.arm("/1.0/~ada", [502])
        self.assertEqual(MAIN.get("/1.0/~ada").status, 502)
        self.assertEqual(MAIN.get("/1.0/~ada").status, 503)
        self.assertEqual(MAIN.get("/1.0/~ada").status, 200)
        self.arm("/devel/people", [{"entry": {"name": "other"}}])
        self.assertEqual(MAIN.get("/1.0/~ada").status, 200)
        self.assertEqual(MAIN.getj("/_fake/faults"), {"/devel/people": [{"entry": {"name": "other"}}]})
        MAIN.ctl("/_fake/faults/clear")
        self.assertEqual(MAIN.getj("/_fake/faults"), {})

    def test_fault_validation(self):
        for bad in ({"/1.0/~ada": [99]}, {"/1.0/~ada": ["explode"]}, {"/1.0/~ada": [{"colour": 1}]},
                    {"1.0/~ada": [503]}, {"/_fake/people": [503]}, {"/1.0/~ada": [{"delay_ms": -1}]},
                    {"/1.0/~ada": [{"drop": "is_valid"}]}, [503]):
            MAIN.ctl("/_fake/faults", bad, expect=400)
        self.assertEqual(MAIN.getj("/_fake/faults"), {})
        # a single step without a list is accepted
        self.assertEqual(MAIN.ctl("/_fake/faults", {"/1.0/~ada": 503})["armed"], {"/1.0/~ada": [{"status": 503}]})


class TestLatency(Base):
    def test_latency_knob(self):
        def median(path):
            ts = sorted(MAIN.get(path).elapsed for _ in range(3))
            return ts[1]
        base = median("/1.0/~ada")
        MAIN.ctl("/_fake/config", {"latency_ms": 150})
        slow = median("/1.0/~ada")
        self.assertGreaterEqual(slow, 0.15)
        self.assertGreater(slow - base, 0.12)
        self.assertLess(MAIN.http("GET", "/_fake/config").elapsed, 0.1)     # not the control API
        self.assertGreaterEqual(MAIN.get("/1.0/~core/participants").elapsed, 0.15)
        MAIN.ctl("/_fake/config", {"latency_ms": 0})
        self.assertLess(median("/1.0/~ada"), 0.1)


# ------------------------------------------------------------------- openid --

class TestOpenID(Base):
    Q = "/devel/people?ws.op=getByOpenIDIdentifier&identifier="

    def test_hit_and_null(self):
        for ident in ("https://login.ubuntu.com/+id/Ab3CdEf", "https://login.launchpad.net/+id/Ab3CdEf",
                      "http://127.0.0.1:8081/+id/Ab3CdEf"):
            e = MAIN.getj(self.Q + urllib.parse.quote(ident, safe=""))
            self.assert_entry(e, "ada", "devel")
        self.assertIsNone(MAIN.getj(self.Q + urllib.parse.quote("https://login.ubuntu.com/+id/Nope123",
                                                                 safe="")))
        r = MAIN.get(self.Q + "https%3A%2F%2Flogin.ubuntu.com%2F%2Bid%2FNope123")
        self.assertEqual((r.status, r.text.strip()), (200, "null"))

    def test_rename_keeps_identity_and_teams(self):
        ident = urllib.parse.quote("https://login.ubuntu.com/+id/Ab3CdEf", safe="")
        self.assertEqual(MAIN.ctl("/_fake/people/rename", {"from": "ada", "to": "ada2"}),
                         {"ok": True, "people": ["ada2"]})
        self.assertEqual(MAIN.get("/1.0/~ada").status, 404)
        e = MAIN.getj("/1.0/~ada2")
        self.assert_entry(e, "ada2")
        self.assertEqual((e["display_name"], e["karma"]), ("Ada Lovelace", 10))
        self.assert_entry(MAIN.getj(self.Q + ident), "ada2", "devel")
        names = [x["name"] for p in walk(MAIN, "/1.0/~core/participants") for x in p["entries"]]
        self.assertIn("ada2", names)
        self.assertNotIn("ada", names)
        self.assertEqual(MAIN.getj("/1.0/~core")["team_owner_link"], MAIN.base + "/1.0/~ada2")
        # the old name is free: someone else takes it, with another identity
        MAIN.ctl("/_fake/people", {"name": "ada", "openid_identifier":
                                   "https://login.ubuntu.com/+id/Other12"})
        self.assertEqual(MAIN.getj(self.Q + ident)["name"], "ada2")
        # a team renamed keeps its members; bad renames change nothing
        MAIN.ctl("/_fake/people/rename", [{"from": "mid", "to": "middle"}])
        self.assertEqual(self.names("/1.0/~middle/members"), ["bob", "leaf"])
        self.assertIn("middle", self.names("/1.0/~core/members"))
        for bad in ({"from": "nobody", "to": "x2"}, {"from": "bob", "to": "cy"},
                    {"from": "bob", "to": "Bad Name"}, {"from": "bob"},
                    [{"from": "bob", "to": "bob2"}, {"from": "nobody", "to": "y2"}]):
            r = MAIN.ctl("/_fake/people/rename", bad, expect=400)
            self.assertFalse(r["ok"])
        self.assertEqual(MAIN.get("/1.0/~bob").status, 200)
        self.assertEqual(MAIN.get("/1.0/~bob2").status, 404)

    def names(self, path):
        return [e["name"] for p in walk(MAIN, path) for e in p["entries"]]

    def test_errors(self):
        self.assertEqual(MAIN.get("/devel/people?ws.op=getByOpenIDIdentifier").status, 400)
        self.assertEqual(MAIN.get("/1.0/people?ws.op=getByOpenIDIdentifier&identifier=x").status, 400)
        self.assertEqual(MAIN.get("/devel/people?ws.op=nope").status, 400)


# ---------------------------------------------------------------------- demo --

class TestDemo(unittest.TestCase):
    def test_demo_fixtures(self):
        DEMO.ctl("/_fake/reset")
        want = {"ada": ["ubuntumembers"], "kim": ["kubuntu-members"], "nate": [],
                "pat": ["ubuntumembers"]}
        by_oid = {u["oid"]: u for u in sso.DEMO_USERS}
        for name, teams in want.items():
            e = DEMO.getj("/1.0/~" + name)
            self.assertTrue(e["is_valid"] and e["is_ubuntu_coc_signer"], name)
            u = [u for u in sso.DEMO_USERS if u["nickname"] == name][0]
            self.assertEqual(e["display_name"], u["fullname"])
            self.assertEqual(u["teams"], teams)
            hit = DEMO.getj("/devel/people?ws.op=getByOpenIDIdentifier&identifier=" +
                            urllib.parse.quote("http://127.0.0.1:8081/+id/" + u["oid"], safe=""))
            self.assertEqual(hit["name"], name)
            self.assertIn(u["oid"], by_oid)
        for team in ("ubuntumembers", "kubuntu-members"):
            self.assertTrue(DEMO.getj("/1.0/~" + team)["is_team"])
            got = sorted(e["name"] for e in DEMO.getj("/1.0/~%s/participants" % team)["entries"])
            self.assertEqual(got, sorted(n for n, t in want.items() if team in t))

    def test_no_demo_means_empty(self):
        MAIN.ctl("/_fake/reset")
        self.assertEqual(MAIN.get("/1.0/~ada").status, 404)
        self.assertEqual(MAIN.getj("/_fake/people"), [])


# ---------------------------------------------------- control API and server --

class TestControlAndServer(Base):
    def test_control_api(self):
        r = MAIN.http("POST", "/_fake/people", body=json.dumps(PEOPLE),
                      headers={"Content-Type": "text/plain"})
        self.assertEqual(r.status, 415)
        for path, bad in (("/_fake/people", [{"name": "Bad Name"}]),
                          ("/_fake/people", [{"name": "x1", "colour": "red"}]),
                          ("/_fake/people", [{"name": "x1", "is_valid": "yes"}]),
                          ("/_fake/people", [{"name": "x1", "karma": -1}]),
                          ("/_fake/people", "ada"),
                          ("/_fake/teams", {"name": "t1", "members": ["ghost"]}),
                          ("/_fake/teams", {"name": "t1", "subteams": ["ada"]}),
                          ("/_fake/teams", {"name": "ada", "members": []}),
                          ("/_fake/teams", {"name": "t1", "members": ["t1"]}),
                          ("/_fake/config", {"page_size": 301}),
                          ("/_fake/config", {"latency_ms": "5"}),
                          ("/_fake/config", {"nosuch": 1})):
            MAIN.ctl(path, bad, expect=400)
        # a rejected batch changes nothing
        MAIN.ctl("/_fake/people", [{"name": "new1"}, {"name": "BAD"}], expect=400)
        self.assertEqual(MAIN.get("/1.0/~new1").status, 404)
        got = MAIN.ctl("/_fake/teams", [{"name": "t2", "subteams": ["t3"]},
                                        {"name": "t3", "members": ["ada"]}])
        self.assertEqual(got, {"ok": True, "teams": ["t2", "t3"]})
        teams = MAIN.getj("/_fake/teams")
        self.assertEqual(teams["t2"]["participants"], ["ada", "t3"])
        self.assertEqual(MAIN.ctl("/_fake/config", {"page_size": 7})["config"],
                         {"page_size": 7, "latency_ms": 0})
        self.assertEqual(MAIN.http("GET", "/_fake/nope").status, 404)
        MAIN.ctl("/_fake/reset")
        self.assertEqual(MAIN.getj("/_fake/config")["config"], {"page_size": 50, "latency_ms": 0})
        self.assertEqual(MAIN.getj("/_fake/requests"), [])
        self.assertEqual(MAIN.getj("/_fake/people"), [])

    def test_request_log(self):
        MAIN.ctl("/_fake/requests/clear")
        MAIN.get("/1.0/~ada", headers={"User-Agent": "membermail/test"})
        MAIN.get("/1.0/~nobody")
        reqs = MAIN.getj("/_fake/requests")
        self.assertEqual([(r["method"], r["path"], r["status"]) for r in reqs],
                         [("GET", "/1.0/~ada", 200), ("GET", "/1.0/~nobody", 404)])
        self.assertEqual(reqs[0]["headers"]["User-Agent"], "membermail/test")
        with open(LOGFILE) as f:
            lines = [json.loads(x) for x in f]
        self.assertTrue(any(x["path"] == "/_fake/reset" for x in lines))     # file: everything
        self.assertTrue(any(x["path"] == "/1.0/~ada" and x["status"] == 200 for x in lines))

    def test_body_limits(self):
        c = http.client.HTTPConnection("127.0.0.1", MAIN.port, timeout=5)
        c.putrequest("POST", "/_fake/people")
        c.putheader("Content-Type", "application/json")
        c.putheader("Content-Length", str(10 ** 9))
        c.endheaders()
        self.assertEqual(c.getresponse().status, 413)
        c.close()
        c = http.client.HTTPConnection("127.0.0.1", MAIN.port, timeout=5)
        c.putrequest("POST", "/_fake/people")
        c.endheaders()
        self.assertEqual(c.getresponse().status, 411)
        c.close()

    def test_keep_alive(self):
        c = http.client.HTTPConnection("127.0.0.1", MAIN.port, timeout=5)
        for path in ("/1.0/~ada", "/1.0/~nobody", "/1.0/~core/participants"):
            c.request("GET", path)
            r = c.getresponse()
            r.read()
            self.assertIn(r.status, (200, 404))
        c.close()

    def test_base_and_sigterm(self):
        p = FakeProc("--base", "http://lp.test:9999", "--page-size", "1", "--latency-ms", "0",
                     "--demo")
        try:
            e = p.getj("/1.0/~ada")
            self.assertEqual(e["self_link"], "http://lp.test:9999/1.0/~ada")
            page = p.getj("/1.0/~ubuntumembers/participants")
            self.assertEqual(len(page["entries"]), 1)
            self.assertTrue(page["next_collection_link"].startswith(
                "http://lp.test:9999/1.0/~ubuntumembers/participants?ws.size=1"))
        finally:
            self.assertEqual(p.stop(), 0)


# ----------------------------------------------------------------- runner --

def main(argv):
    verbose = "-v" in argv
    patterns = [a for a in argv if not a.startswith("-")]
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])

    def flatten(s):
        for t in s:
            if isinstance(t, unittest.TestSuite):
                yield from flatten(t)
            else:
                yield t
    tests = [t for t in flatten(suite) if not patterns or any(p in t.id() for p in patterns)]
    started = time.time()
    runner = unittest.TextTestRunner(stream=sys.stderr, verbosity=2 if verbose else 1)
    result = runner.run(unittest.TestSuite(tests))
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    passed = result.testsRun - failed - len(result.skipped)
    print("fakes-launchpad: %.1fs" % (time.time() - started))
    print("fakes-launchpad: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
