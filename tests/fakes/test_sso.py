#!/usr/bin/python3
"""Tests for the fake Ubuntu One provider (tests/fakes/sso.py).

    /usr/bin/python3 tests/fakes/test_sso.py [-v] [NAME-SUBSTRING...]

Starts the fake (and an "evil" second instance, a --demo instance) on free
loopback ports, drives it over HTTP as a relying party would, verifies
signatures independently of sso.py (its own HMAC code, DH done here with
pow()), stops everything it started and prints "fakes: N passed, N failed"
as its last line.  Exit status 0 only when everything passed.

Standard library only; run with Debian's /usr/bin/python3.
"""

import base64
import hashlib
import hmac
import html.parser
import http.client
import json
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
SSO = os.path.join(HERE, "sso.py")
sys.path.insert(0, HERE)
import fakebase  # noqa: E402
import sso  # noqa: E402  (only for constants and the in-process self-test)

PYTHON = "/usr/bin/python3"
NS = "http://specs.openid.net/auth/2.0"
IDSEL = "http://specs.openid.net/auth/2.0/identifier_select"
RP = "http://rp.test:8080"
RETURN_TO = RP + "/auth/ubuntu/return?state=abc123"
P = 0xDCF93A0B883972EC0E19989AC5A2CE310E1D37717E8D9571BB7623731866E61EF75A2E27898B057F9891C2E27A639C3F29B60814581CD3B2CA3986D2683705577D45C2E7E52DC81C7A171876E5CEA74B1448BFDFAF18828EFD2519F14E45E3826634AF1949E5B535CC829A483B8A76223E5D490A257F05BDFF16F2FB22C583AB
HANDLE_RE = re.compile(r"^\{HMAC-SHA1\}\{[0-9a-f]+\}\{[A-Za-z0-9+/]{6}==\}$")
NONCE_RE = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)[A-Za-z0-9]{6}$")

USER = {"oid": "Ab3CdEf", "nickname": "ada", "email": "ada@example.com",
        "fullname": "Ada Lovelace", "timezone": "Europe/London", "language": "en",
        "verified": True, "teams": ["ubuntumembers", "kubuntu-members"],
        "private_teams": ["secret-team"]}


# ------------------------------------------------------------- the process --

NOTHING = object()


class Resp:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def header(self, name):
        return self.headers.get(name.lower())

    @property
    def text(self):
        return self.body.decode("utf-8")

    def json(self):
        return json.loads(self.text)

    def kv(self):
        return sso.kv_parse(self.body)


class FakeProc(fakebase.FakeProcess):
    def __init__(self, *args):
        super().__init__(SSO, *args)
        self.endpoint = self.base + "/+openid"

    def http(self, method, path, params=None, body=None, headers=None, timeout=5):
        headers = dict(headers or {})
        if params is not None:
            if method == "GET":
                path += "?" + urllib.parse.urlencode(params)
            else:
                body = urllib.parse.urlencode(params)
                headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        if isinstance(body, str):
            body = body.encode("utf-8")
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            c.request(method, path, body=body, headers=headers)
            r = c.getresponse()
            return Resp(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
        finally:
            c.close()

    def ctl(self, path, obj=NOTHING, expect=200):
        r = self.http("POST", path, body="" if obj is NOTHING else json.dumps(obj),
                      headers={"Content-Type": "application/json"})
        if r.status != expect:
            raise AssertionError("%s -> %d %s" % (path, r.status, r.text))
        return r.json()

    def get(self, path):
        return self.http("GET", path).json()

    def direct(self, fields, timeout=5):
        return self.http("POST", "/+openid", params=fields, timeout=timeout)


MAIN = EVIL = DEMO = None


def setUpModule():
    global MAIN, EVIL, DEMO, LOGFILE
    LOGFILE = tempfile.NamedTemporaryFile(prefix="sso-test-", suffix=".log", delete=False).name
    MAIN = FakeProc("--log", LOGFILE)
    EVIL = FakeProc("--base", "http://evil.test:%d" % free_port())
    DEMO = FakeProc("--demo")


def tearDownModule():
    rcs = [p.stop() for p in (MAIN, EVIL, DEMO) if p]
    os.unlink(LOGFILE)
    if any(rcs):
        raise RuntimeError("fakes exited with %r after SIGTERM" % rcs)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ------------------------------------------------------- RP-side helpers --
# Written independently of sso.py so that the tests check it, not themselves.

def rp_sign(assoc_type, secret, fields, signed_list):
    h = hashlib.sha1 if assoc_type == "HMAC-SHA1" else hashlib.sha256
    m = "".join("%s:%s\n" % (k, fields[k]) for k in signed_list).encode("utf-8")
    return base64.b64encode(hmac.new(secret, m, h).digest()).decode()


def btwoc(n):
    b = n.to_bytes((n.bit_length() + 7) // 8 or 1, "big")
    return b"\x00" + b if b[0] >= 0x80 else b


def checkid(return_to=RETURN_TO, sreg="nickname,email,fullname", ax=False, teams=None,
            assoc_handle=None, mode="checkid_setup", identity=IDSEL, extra=None):
    p = [("openid.ns", NS), ("openid.mode", mode), ("openid.claimed_id", identity),
         ("openid.identity", identity), ("openid.return_to", return_to),
         ("openid.realm", RP + "/")]
    if sreg is not None:
        p += [("openid.ns.sreg", "http://openid.net/extensions/sreg/1.1"),
              ("openid.sreg.required", sreg),
              ("openid.sreg.optional", "dob,gender,postcode,country,language,timezone")]
    if ax:      # what passport-ubuntu sends
        a = "http://axschema.org/"
        p += [("openid.ns.ax", "http://openid.net/srv/ax/1.0"),
              ("openid.ax.mode", "fetch_request"),
              ("openid.ax.type.fullname", a + "namePerson"),
              ("openid.ax.type.firstname", a + "namePerson/first"),
              ("openid.ax.type.lastname", a + "namePerson/last"),
              ("openid.ax.type.email", a + "contact/email"),
              ("openid.ax.type.nickname", a + "namePerson/friendly"),
              ("openid.ax.required", "fullname,firstname,lastname,email,nickname")]
    if teams is not None:
        p += [("openid.ns.lp", "http://ns.launchpad.net/2007/openid-teams"),
              ("openid.lp.query_membership", teams)]
    if assoc_handle:
        p.append(("openid.assoc_handle", assoc_handle))
    return p + list(extra or [])


class FormParser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms, self.scripts, self.buttons = [], [], []
        self._script = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action"), "method": a.get("method"), "inputs": []})
        elif tag == "input" and self.forms:
            self.forms[-1]["inputs"].append((a.get("name"), a.get("value", "")))
        elif tag == "button":
            self.buttons.append(a)
        elif tag == "script":
            self._script = {"nonce": a.get("nonce"), "text": ""}

    def handle_data(self, data):
        if self._script is not None:
            self._script["text"] += data

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.scripts.append(self._script)
            self._script = None


def parse_html(text):
    p = FormParser()
    p.feed(text)
    return p


class Answer:
    """What reached return_to: how it was delivered and the fields."""
    def __init__(self, how, url, pairs, resp):
        self.how, self.url, self.pairs, self.resp = how, url, pairs, resp
        self.f = {k[7:]: v for k, v in pairs if k.startswith("openid.")}

    def keys(self):
        return [k for k, _ in self.pairs]


def deliver(resp):
    if resp.status == 302:
        loc = resp.header("Location")
        split = urllib.parse.urlsplit(loc)
        return Answer("get", loc, urllib.parse.parse_qsl(split.query, keep_blank_values=True), resp)
    assert resp.status == 200, (resp.status, resp.text[:300])
    page = parse_html(resp.text)
    form = page.forms[0]
    return Answer("post", form["action"], form["inputs"], resp)


def login(fake, params=None, method="GET"):
    return deliver(fake.http(method, "/+openid", params=params or checkid()))


def check_auth(fake, answer, extra=None, timeout=5):
    fields = [(k, v) for k, v in answer.pairs if k.startswith("openid.")]
    fields = [(k, "check_authentication" if k == "openid.mode" else v) for k, v in fields]
    return fake.direct(fields + list(extra or []), timeout=timeout)


def associate(fake, session_type="DH-SHA256", assoc_type="HMAC-SHA256"):
    """Returns (handle, secret, response fields)."""
    req = [("openid.ns", NS), ("openid.mode", "associate"),
           ("openid.assoc_type", assoc_type), ("openid.session_type", session_type)]
    x = random.SystemRandom().randrange(2, P - 2)
    if session_type.startswith("DH-"):
        req.append(("openid.dh_consumer_public", base64.b64encode(btwoc(pow(2, x, P))).decode()))
    r = fake.direct(req)
    kv = r.kv()
    if "assoc_handle" not in kv:
        return None, None, dict(kv, _status=r.status)
    if session_type == "no-encryption":
        secret = base64.b64decode(kv["mac_key"])
    else:
        b = int.from_bytes(base64.b64decode(kv["dh_server_public"]), "big")
        h = hashlib.sha256 if session_type == "DH-SHA256" else hashlib.sha1
        digest = h(btwoc(pow(b, x, P))).digest()
        secret = bytes(a ^ c for a, c in zip(digest, base64.b64decode(kv["enc_mac_key"])))
    return kv["assoc_handle"], secret, kv


def expected_signed(answer):
    return ",".join(sorted(set(answer.f) - {"sig"}))


# ------------------------------------------------------------------ tests --

class Base(unittest.TestCase):
    fake = None

    def setUp(self):
        for p in (MAIN, EVIL, DEMO):
            p.ctl("/_fake/reset")
        MAIN.ctl("/_fake/user", USER)

    def assertValid(self, answer, fake=None, expect="true"):
        r = check_auth(fake or MAIN, answer)
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(r.header("Content-Type").split(";")[0], "text/plain")
        kv = r.kv()
        self.assertEqual(kv.get("ns"), NS)
        self.assertEqual(kv.get("is_valid"), expect, r.text)
        return kv


class TestSigner(unittest.TestCase):
    def test_vectors_independent(self):
        f = sso.VECTOR_FIELDS
        sl = f["signed"].split(",")
        self.assertEqual(len("".join("%s:%s\n" % (k, f[k]) for k in sl).encode()), 414)
        self.assertEqual(rp_sign("HMAC-SHA1", bytes(range(20)), f, sl), "z6/nhxWKBJpH/1k/3WLbfUXXjz4=")
        self.assertEqual(rp_sign("HMAC-SHA256", bytes(range(32)), f, sl),
                         "z9TUbu6gZAYOR+RbO1XX1vG2ltEVTjjdBvEA3DF1/aI=")
        self.assertEqual(sso.sign("HMAC-SHA1", bytes(range(20)), f, sl), "z6/nhxWKBJpH/1k/3WLbfUXXjz4=")
        self.assertEqual(sso.sign("HMAC-SHA256", bytes(range(32)), f, sl),
                         "z9TUbu6gZAYOR+RbO1XX1vG2ltEVTjjdBvEA3DF1/aI=")
        self.assertEqual(sso.DEFAULT_MODULUS, P)

    def test_self_test_cli(self):
        r = subprocess.run([PYTHON, SSO, "--self-test"], capture_output=True, text=True, timeout=10)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("self-test: ok", r.stdout)
        self.assertEqual(sso.self_test(), [])


class TestDiscovery(Base):
    def test_op_xrds_negotiated(self):
        for accept in ("application/xrds+xml",
                       "text/html; q=0.3, application/xhtml+xml; q=0.5, application/xrds+xml"):
            r = MAIN.http("GET", "/", headers={"Accept": accept})
            self.assertEqual(r.status, 200)
            self.assertEqual(r.header("Content-Type"), "application/xrds+xml")
            self.assertEqual(r.header("X-XRDS-Location"), MAIN.base + "/+xrds")
            for t in ("http://specs.openid.net/auth/2.0/server", "http://openid.net/srv/ax/1.0",
                      "http://openid.net/extensions/sreg/1.1",
                      "http://ns.launchpad.net/2007/openid-teams"):
                self.assertIn("<Type>%s</Type>" % t, r.text)
            self.assertIn("<URI>%s</URI>" % MAIN.endpoint, r.text)
        r = MAIN.http("GET", "/", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
        self.assertEqual(r.header("Content-Type"), "text/html; charset=utf-8")
        self.assertEqual(r.header("X-XRDS-Location"), MAIN.base + "/+xrds")
        r = MAIN.http("GET", "/+xrds", headers={"Accept": "text/html"})
        self.assertEqual(r.header("Content-Type"), "application/xrds+xml")

    def test_identity(self):
        claimed = MAIN.base + "/+id/" + USER["oid"]
        r = MAIN.http("GET", "/+id/" + USER["oid"], headers={"Accept": "application/xrds+xml"})
        self.assertEqual((r.status, r.header("Content-Type")), (200, "application/xrds+xml"))
        self.assertIn("<Type>http://specs.openid.net/auth/2.0/signon</Type>", r.text)
        self.assertIn("<LocalID>%s</LocalID>" % claimed, r.text)
        self.assertIn("<URI>%s</URI>" % MAIN.endpoint, r.text)
        self.assertIn("http://openid.net/signon/1.1", r.text)
        self.assertEqual(r.header("X-XRDS-Location"), claimed + "/+xrds")
        r = MAIN.http("GET", "/+id/%s/+xrds" % USER["oid"])
        self.assertEqual(r.header("Content-Type"), "application/xrds+xml")
        r = MAIN.http("GET", "/+id/" + USER["oid"], headers={"Accept": "text/html"})
        self.assertEqual(r.header("Content-Type"), "text/html; charset=utf-8")
        self.assertIn('<link rel="openid2.provider" href="%s">' % MAIN.endpoint, r.text)
        self.assertIn('<link rel="openid2.local_id" href="%s">' % claimed, r.text)
        self.assertEqual(r.header("X-XRDS-Location"), claimed + "/+xrds")
        self.assertEqual(MAIN.http("GET", "/+id/Zzzzzzz").status, 404)
        self.assertEqual(MAIN.http("GET", "/+id/Zzzzzzz/+xrds").status, 404)

    def test_endpoint_info_page(self):
        for method in ("GET", "POST"):
            r = MAIN.http(method, "/+openid", params=[])
            self.assertEqual(r.status, 200)
            self.assertEqual(r.header("Content-Type"), "text/html; charset=utf-8")
            self.assertIn("OpenID", r.text)


class TestStateless(Base):
    def test_get_delivery_and_one_shot(self):
        t0 = time.time()
        a = login(MAIN)
        self.assertEqual(a.how, "get")
        self.assertTrue(a.url.startswith(RETURN_TO + "&openid."), a.url)
        f = a.f
        claimed = MAIN.base + "/+id/" + USER["oid"]
        self.assertEqual((f["ns"], f["mode"]), (NS, "id_res"))
        self.assertEqual(f["op_endpoint"], MAIN.endpoint)
        self.assertEqual((f["claimed_id"], f["identity"]), (claimed, claimed))
        self.assertEqual(f["return_to"], RETURN_TO)
        self.assertEqual(dict(a.pairs)["state"], "abc123")      # return_to's own query kept
        m = NONCE_RE.match(f["response_nonce"])
        self.assertTrue(m, f["response_nonce"])
        ts = time.mktime(time.strptime(m.group(1), "%Y-%m-%dT%H:%M:%SZ")) - time.timezone
        self.assertLess(abs(ts - t0), 5)
        self.assertRegex(f["assoc_handle"], HANDLE_RE)
        self.assertNotIn("invalidate_handle", f)
        self.assertEqual(f["signed"], expected_signed(a))
        self.assertIn("sreg.nickname", f["signed"].split(","))
        self.assertEqual(len(f["sig"]), 28)
        self.assertEqual((f["sreg.nickname"], f["sreg.email"], f["sreg.fullname"]),
                         ("ada", "ada@example.com", "Ada Lovelace"))
        self.assertEqual(f["sreg.timezone"], "Europe/London")    # optional, approved
        self.assertNotIn("sreg.dob", f)
        self.assertValid(a)
        self.assertValid(a, expect="false")                     # one-shot

    def test_checkid_via_post(self):
        a = login(MAIN, method="POST")
        self.assertEqual(a.f["mode"], "id_res")
        self.assertValid(a)

    def test_post_delivery_auto(self):
        long_rt = RP + "/auth/ubuntu/return?state=" + "s" * 900
        a = login(MAIN, checkid(return_to=long_rt, ax=True, teams="ubuntumembers,kubuntu-members"))
        self.assertEqual(a.how, "post")
        r = a.resp
        self.assertEqual(r.header("Content-Type"), "text/html; charset=utf-8")
        self.assertEqual(a.url, long_rt)
        page = parse_html(r.text)
        self.assertEqual(page.forms[0]["method"], "post")
        self.assertEqual(len(page.scripts), 1)
        nonce = page.scripts[0]["nonce"]
        self.assertIn("submit()", page.scripts[0]["text"])
        self.assertIn("script-src 'nonce-%s'" % nonce, r.header("Content-Security-Policy"))
        self.assertTrue(any(b.get("type") == "submit" for b in page.buttons))
        self.assertEqual(a.f["return_to"], long_rt)
        self.assertEqual(a.f["lp.is_member"], "ubuntumembers,kubuntu-members")
        self.assertValid(a)
        # Under the limit: 302.
        self.assertEqual(login(MAIN).how, "get")

    def test_delivery_knob_and_config(self):
        MAIN.ctl("/_fake/faults", {"delivery": "post"})
        a = login(MAIN)
        self.assertEqual(a.how, "post")
        self.assertValid(a)
        self.assertEqual(login(MAIN).how, "get")                # one-shot
        MAIN.ctl("/_fake/faults", {"delivery": "get"})
        a = login(MAIN, checkid(return_to=RETURN_TO + "x" * 2100))
        self.assertEqual(a.how, "get")
        self.assertGreater(len(a.url), 2047)
        MAIN.ctl("/_fake/config", {"delivery": "post"})
        self.assertEqual(login(MAIN).how, "post")
        self.assertEqual(login(MAIN).how, "post")

    def test_one_shot_false(self):
        MAIN.ctl("/_fake/faults", {"one_shot": False})
        a = login(MAIN)
        self.assertValid(a)
        self.assertValid(a)
        b = login(MAIN)                                         # knob was one-shot
        self.assertValid(b)
        self.assertValid(b, expect="false")
        MAIN.ctl("/_fake/config", {"one_shot": False})
        c = login(MAIN)
        self.assertValid(c)
        self.assertValid(c)

    def test_tampering_detected(self):
        a = login(MAIN)
        a.pairs = [(k, "mallory" if k == "openid.sreg.nickname" else v) for k, v in a.pairs]
        self.assertValid(a, expect="false")

    def test_check_auth_errors(self):
        r = MAIN.direct([("openid.ns", NS), ("openid.mode", "check_authentication"),
                         ("openid.signed", "mode")])
        self.assertEqual(r.status, 400)
        self.assertEqual(r.kv(), {"error": r.kv()["error"], "mode": "error", "ns": NS})
        MAIN.ctl("/_fake/config", {"error_status": 200})
        r = MAIN.direct([("openid.ns", NS), ("openid.mode", "check_authentication")])
        self.assertEqual((r.status, r.kv()["mode"]), (200, "error"))
        a = login(MAIN)
        r = MAIN.http("GET", "/+openid", params=[(k, "check_authentication" if k == "openid.mode"
                                                 else v) for k, v in a.pairs])
        self.assertEqual(r.kv()["mode"], "error")               # direct requests are POSTs
        self.assertValid(a)                                     # ... and consumed nothing

    def test_negative_answers(self):
        MAIN.ctl("/_fake/faults", {"cancel": True})
        a = login(MAIN)
        self.assertEqual(a.f, {"ns": NS, "mode": "cancel"})
        MAIN.ctl("/_fake/faults", {"error": "Something broke"})
        a = login(MAIN)
        self.assertEqual(a.f, {"ns": NS, "mode": "error", "error": "Something broke"})
        a = login(MAIN, checkid(mode="checkid_immediate"))
        self.assertEqual(a.f, {"ns": NS, "mode": "setup_needed"})
        self.assertEqual(login(MAIN).f["mode"], "id_res")
        MAIN.ctl("/_fake/user", None)
        self.assertEqual(login(MAIN).f, {"ns": NS, "mode": "cancel"})
        MAIN.ctl("/_fake/user", USER)
        a = login(MAIN, checkid(identity=MAIN.base + "/+id/Other12"))
        self.assertEqual(a.f["mode"], "cancel")
        a = login(MAIN, checkid(identity=MAIN.base + "/+id/" + USER["oid"]))
        self.assertEqual(a.f["mode"], "id_res")

    def test_request_errors(self):
        a = login(MAIN, checkid(return_to="http://elsewhere.test/cb"))
        self.assertEqual(a.f["mode"], "error")
        self.assertIn("realm", a.f["error"])
        self.assertTrue(a.url.startswith("http://elsewhere.test/cb?"))
        p = [(k, "http://openid.net/signon/1.0" if k == "openid.ns" else v) for k, v in checkid()]
        self.assertEqual(login(MAIN, p).f["mode"], "error")
        r = MAIN.http("GET", "/+openid", params=[(k, v) for k, v in checkid()
                                                if k != "openid.return_to"])
        self.assertEqual(r.status, 400)
        a = login(MAIN, [("openid.ns", NS), ("openid.mode", "bogus"),
                         ("openid.return_to", RETURN_TO)])
        self.assertEqual(a.f["mode"], "error")
        r = MAIN.direct([("openid.ns", NS), ("openid.mode", "bogus")])
        self.assertEqual((r.status, r.kv()["mode"]), (400, "error"))


class TestExtensions(Base):
    def test_sreg_approval(self):
        MAIN.ctl("/_fake/user", dict(USER, approve={"sreg": ["nickname", "timezone"]}))
        a = login(MAIN)
        self.assertEqual(a.f["ns.sreg"], "http://openid.net/extensions/sreg/1.1")
        sreg = {k: v for k, v in a.f.items() if k.startswith("sreg.")}
        self.assertEqual(sreg, {"sreg.nickname": "ada", "sreg.timezone": "Europe/London"})
        a = login(MAIN, checkid(sreg="email"))     # requested & approved
        self.assertEqual({k for k in a.f if k.startswith("sreg.")}, {"sreg.timezone"})
        self.assertIn("ns.sreg", a.f)
        MAIN.ctl("/_fake/user", dict(USER, email=None))
        self.assertNotIn("sreg.email", login(MAIN).f)

    def test_ax(self):
        MAIN.ctl("/_fake/user", dict(USER, approve={"sreg": ["nickname", "fullname"]}))
        a = login(MAIN, checkid(ax=True))
        f = a.f
        self.assertEqual((f["ns.ax"], f["ax.mode"]), ("http://openid.net/srv/ax/1.0", "fetch_response"))
        self.assertEqual((f["ax.count.nickname"], f["ax.value.nickname.1"]), ("1", "ada"))
        self.assertEqual((f["ax.count.fullname"], f["ax.value.fullname.1"]), ("1", "Ada Lovelace"))
        for alias in ("firstname", "lastname", "email"):           # unavailable / not approved
            self.assertEqual(f["ax.count." + alias], "0")
            self.assertNotIn("ax.value.%s.1" % alias, f)
            self.assertEqual(f["ax.type." + alias], dict(checkid(ax=True))["openid.ax.type." + alias])
        self.assertEqual(f["signed"], expected_signed(a))
        self.assertValid(a)
        extra = [("openid.ns.x", "http://openid.net/srv/ax/1.0"), ("openid.x.mode", "fetch_request"),
                 ("openid.x.type.v", "http://ns.login.ubuntu.com/2013/validation/account"),
                 ("openid.x.if_available", "v")]
        f = login(MAIN, checkid(sreg=None, extra=extra)).f
        self.assertEqual((f["x.mode"], f["x.value.v.1"]), ("fetch_response", "token_via_email"))

    def test_teams(self):
        q = "ubuntumembers,secret-team,nosuchteam,kubuntu-members"
        self.assertEqual(login(MAIN, checkid(teams=q)).f["lp.is_member"], "ubuntumembers,kubuntu-members")
        MAIN.ctl("/_fake/config", {"can_query_any_team": True})
        a = login(MAIN, checkid(teams=q))
        self.assertEqual(a.f["lp.is_member"], "ubuntumembers,secret-team,kubuntu-members")
        self.assertIn("lp.is_member", a.f["signed"].split(","))
        MAIN.ctl("/_fake/user", dict(USER, approve={"teams": ["secret-team"]}))
        self.assertEqual(login(MAIN, checkid(teams=q)).f["lp.is_member"], "secret-team")
        MAIN.ctl("/_fake/user", dict(USER, approve={"teams": []}))
        self.assertEqual(login(MAIN, checkid(teams=q)).f["lp.is_member"], "")
        MAIN.ctl("/_fake/user", dict(USER, teams=None))          # no Launchpad person
        f = login(MAIN, checkid(teams=q)).f
        self.assertNotIn("ns.lp", f)
        self.assertNotIn("lp.is_member", f)

    def test_aliases_from_request(self):
        extra = [("openid.ns.t", "http://ns.launchpad.net/2007/openid-teams"),
                 ("openid.t.query_membership", "ubuntumembers"),
                 ("openid.ns.s", "http://openid.net/extensions/sreg/1.1"),
                 ("openid.s.required", "nickname")]
        f = login(MAIN, checkid(sreg=None, extra=extra)).f
        self.assertEqual((f["t.is_member"], f["s.nickname"]), ("ubuntumembers", "ada"))
        MAIN.ctl("/_fake/config", {"aliases": {"lp": "teamz", "sreg": "reg"}})
        f = login(MAIN, checkid(teams="ubuntumembers")).f
        self.assertEqual((f["ns.teamz"], f["teamz.is_member"], f["reg.nickname"]),
                         ("http://ns.launchpad.net/2007/openid-teams", "ubuntumembers", "ada"))
        self.assertNotIn("lp.is_member", f)


class TestAssociation(Base):
    def test_dh_sha256(self):
        MAIN.ctl("/_fake/config", {"expires_in": 3600})
        handle, secret, kv = associate(MAIN)
        self.assertEqual((kv["assoc_type"], kv["session_type"], kv["expires_in"], kv["ns"]),
                         ("HMAC-SHA256", "DH-SHA256", "3600", NS))
        self.assertNotIn("mac_key", kv)
        self.assertEqual(len(secret), 32)
        self.assertTrue(handle.startswith("{HMAC-SHA256}{"))
        a = login(MAIN, checkid(assoc_handle=handle, teams="ubuntumembers"))
        f = a.f
        self.assertEqual(f["assoc_handle"], handle)
        self.assertNotIn("invalidate_handle", f)
        self.assertEqual(len(f["sig"]), 44)
        self.assertEqual(f["signed"], expected_signed(a))
        self.assertEqual(rp_sign("HMAC-SHA256", secret, f, f["signed"].split(",")), f["sig"])
        self.assertValid(a, expect="false")           # never verifies shared associations
        MAIN.ctl("/_fake/faults", {"bad_sig": True})
        f = login(MAIN, checkid(assoc_handle=handle)).f
        self.assertEqual(len(f["sig"]), 44)
        self.assertNotEqual(rp_sign("HMAC-SHA256", secret, f, f["signed"].split(",")), f["sig"])

    def test_other_pairs(self):
        for st, at, size in (("DH-SHA1", "HMAC-SHA1", 20), ("no-encryption", "HMAC-SHA256", 32),
                             ("no-encryption", "HMAC-SHA1", 20)):
            handle, secret, kv = associate(MAIN, st, at)
            self.assertEqual((kv["assoc_type"], kv["session_type"], len(secret)), (at, st, size))
            self.assertEqual("mac_key" in kv, st == "no-encryption")
            self.assertEqual(kv["expires_in"], "1209600")
            f = login(MAIN, checkid(assoc_handle=handle)).f
            self.assertEqual(f["assoc_handle"], handle)
            self.assertEqual(rp_sign(at, secret, f, f["signed"].split(",")), f["sig"])

    def test_supplied_modulus(self):
        p, g = 0xFFFFFFFFFFFFFFC5, 5     # a (small) prime; the fake must use it
        x = 123456789
        req = [("openid.ns", NS), ("openid.mode", "associate"), ("openid.assoc_type", "HMAC-SHA1"),
               ("openid.session_type", "DH-SHA1"),
               ("openid.dh_modulus", base64.b64encode(btwoc(p)).decode()),
               ("openid.dh_gen", base64.b64encode(btwoc(g)).decode()),
               ("openid.dh_consumer_public", base64.b64encode(btwoc(pow(g, x, p))).decode())]
        kv = MAIN.direct(req).kv()
        b = int.from_bytes(base64.b64decode(kv["dh_server_public"]), "big")
        self.assertLess(b, p)
        secret = bytes(a ^ c for a, c in zip(hashlib.sha1(btwoc(pow(b, x, p))).digest(),
                                             base64.b64decode(kv["enc_mac_key"])))
        f = login(MAIN, checkid(assoc_handle=kv["assoc_handle"])).f
        self.assertEqual(rp_sign("HMAC-SHA1", secret, f, f["signed"].split(",")), f["sig"])

    def test_unsupported_type(self):
        _, _, kv = associate(MAIN, "DH-SHA1", "HMAC-SHA256")     # mismatched pair
        self.assertEqual((kv["_status"], kv["error_code"]), (200, "unsupported-type"))
        self.assertEqual((kv["session_type"], kv["assoc_type"]), ("DH-SHA256", "HMAC-SHA256"))
        MAIN.ctl("/_fake/faults", {"unsupported_type": True})
        _, _, kv = associate(MAIN)
        self.assertEqual((kv["error_code"], kv["session_type"], kv["assoc_type"]),
                         ("unsupported-type", "DH-SHA1", "HMAC-SHA1"))
        handle, secret, kv = associate(MAIN, "DH-SHA1", "HMAC-SHA1")   # the retry works
        self.assertTrue(handle)
        MAIN.ctl("/_fake/faults", {"unsupported_type": {"session_type": "no-encryption",
                                                         "assoc_type": "HMAC-SHA1", "status": 400}})
        _, _, kv = associate(MAIN)
        self.assertEqual((kv["_status"], kv["session_type"], kv["assoc_type"]),
                         (400, "no-encryption", "HMAC-SHA1"))
        self.assertTrue(associate(MAIN)[0])                             # one-shot

    def test_answer_session_type(self):
        """A provider answering another session type than asked: a DH answer
        to no-encryption (what a relying party must refuse), and back."""
        MAIN.ctl("/_fake/faults", {"answer_session_type": "DH-SHA256"})
        r = MAIN.direct([("openid.ns", NS), ("openid.mode", "associate"),
                         ("openid.assoc_type", "HMAC-SHA256"), ("openid.session_type", "no-encryption")])
        kv = r.kv()
        self.assertEqual((r.status, kv["session_type"], kv["assoc_type"]), (200, "DH-SHA256", "HMAC-SHA256"))
        self.assertNotIn("mac_key", kv)
        self.assertEqual(len(base64.b64decode(kv["enc_mac_key"])), 32)
        self.assertTrue(kv["dh_server_public"] and kv["assoc_handle"])
        MAIN.ctl("/_fake/faults", {"answer_session_type": "no-encryption"})
        kv = MAIN.direct([("openid.ns", NS), ("openid.mode", "associate"),
                          ("openid.assoc_type", "HMAC-SHA256"), ("openid.session_type", "DH-SHA256"),
                          ("openid.dh_consumer_public", base64.b64encode(btwoc(pow(2, 5, P))).decode())]).kv()
        self.assertEqual((kv["session_type"], len(base64.b64decode(kv["mac_key"]))), ("no-encryption", 32))
        self.assertNotIn("enc_mac_key", kv)
        self.assertEqual(associate(MAIN, "no-encryption")[2]["session_type"], "no-encryption")  # one-shot
        MAIN.ctl("/_fake/faults", {"answer_session_type": "DH-MD5"}, expect=400)

    def test_http_error_knob(self):
        MAIN.ctl("/_fake/faults", {"status": 503})
        r = MAIN.direct([("openid.ns", NS), ("openid.mode", "associate"),
                         ("openid.assoc_type", "HMAC-SHA256"), ("openid.session_type", "no-encryption")])
        self.assertEqual(r.status, 503)
        self.assertTrue(associate(MAIN)[0])

    def test_invalidate_handle(self):
        a = login(MAIN, checkid(assoc_handle="{HMAC-SHA256}{1}{unknown=}"))
        f = a.f
        self.assertEqual(f["invalidate_handle"], "{HMAC-SHA256}{1}{unknown=}")
        self.assertIn("invalidate_handle", f["signed"].split(","))
        self.assertRegex(f["assoc_handle"], HANDLE_RE)
        self.assertEqual(len(f["sig"]), 28)
        kv = self.assertValid(a)
        self.assertEqual(kv["invalidate_handle"], "{HMAC-SHA256}{1}{unknown=}")
        r = check_auth(MAIN, a)
        self.assertEqual(list(sso.kv_parse(r.body)), ["invalidate_handle", "is_valid", "ns"])

    def test_expired_association(self):
        MAIN.ctl("/_fake/config", {"expires_in": 60})
        handle, secret, _ = associate(MAIN)
        self.assertEqual(login(MAIN, checkid(assoc_handle=handle)).f["assoc_handle"], handle)
        MAIN.ctl("/_fake/clock", {"offset": 61})
        a = login(MAIN, checkid(assoc_handle=handle))
        self.assertEqual(a.f["invalidate_handle"], handle)
        self.assertEqual([x["kind"] for x in MAIN.get("/_fake/associations")], ["private"])
        self.assertValid(a)

    def test_associate_errors(self):
        r = MAIN.direct([("openid.ns", NS), ("openid.mode", "associate"),
                         ("openid.assoc_type", "HMAC-SHA256"), ("openid.session_type", "DH-SHA256"),
                         ("openid.dh_consumer_public", "!!notbase64")])
        self.assertEqual((r.status, r.kv()["mode"]), (400, "error"))
        r = MAIN.direct([("openid.ns", NS), ("openid.mode", "associate")])
        self.assertEqual(r.status, 400)


class TestFaults(Base):
    def test_bad_sig(self):
        MAIN.ctl("/_fake/faults", {"bad_sig": True})
        a = login(MAIN)
        self.assertEqual(len(a.f["sig"]), 28)
        self.assertValid(a, expect="false")
        self.assertValid(login(MAIN))                                   # one-shot

    def test_unsigned(self):
        MAIN.ctl("/_fake/faults", {"unsigned": ["sreg.nickname", "openid.ns.sreg"]})
        a = login(MAIN)
        signed = a.f["signed"].split(",")
        self.assertEqual(a.f["sreg.nickname"], "ada")
        self.assertNotIn("sreg.nickname", signed)
        self.assertNotIn("ns.sreg", signed)
        self.assertIn("sreg.email", signed)
        self.assertValid(a)                                             # re-signed: OP says valid

    def test_append_unsigned(self):
        MAIN.ctl("/_fake/user", dict(USER, approve={"sreg": ["email"]}))
        MAIN.ctl("/_fake/faults", {"append_unsigned": {"sreg.nickname": "victim",
                                                       "lp.is_member": "ubuntumembers"}})
        a = login(MAIN)
        self.assertEqual((a.f["sreg.nickname"], a.f["lp.is_member"]), ("victim", "ubuntumembers"))
        self.assertNotIn("sreg.nickname", a.f["signed"].split(","))
        self.assertValid(a)

    def test_nonce_knobs(self):
        MAIN.ctl("/_fake/faults", {"nonce_offset": -600})
        n = NONCE_RE.match(login(MAIN).f["response_nonce"]).group(1)
        ts = time.mktime(time.strptime(n, "%Y-%m-%dT%H:%M:%SZ")) - time.timezone
        self.assertLess(abs(ts - (time.time() - 600)), 5)
        MAIN.ctl("/_fake/faults", {"reuse_nonce": "2024-07-24T10:00:00ZAbC123"})
        a = login(MAIN)
        self.assertEqual(a.f["response_nonce"], "2024-07-24T10:00:00ZAbC123")
        self.assertValid(a)
        MAIN.ctl("/_fake/clock", {"now": 1721815200})
        self.assertEqual(login(MAIN).f["response_nonce"][:20], "2024-07-24T10:00:00Z")
        MAIN.ctl("/_fake/clock", {"now": None, "offset": 3600})
        n = NONCE_RE.match(login(MAIN).f["response_nonce"]).group(1)
        ts = time.mktime(time.strptime(n, "%Y-%m-%dT%H:%M:%SZ")) - time.timezone
        self.assertLess(abs(ts - (time.time() + 3600)), 5)

    def test_value_overrides(self):
        knobs = {"return_to": RP + "/other", "op_endpoint": EVIL.endpoint,
                 "claimed_id": EVIL.base + "/+id/X", "identity": MAIN.base + "/+id/Y"}
        for k, v in knobs.items():
            MAIN.ctl("/_fake/faults", {k: v})
            a = login(MAIN)
            self.assertTrue(a.url.startswith(RETURN_TO + "&"), a.url)  # still delivered to return_to
            self.assertEqual(a.f[k], v)
            self.assertIn(k, a.f["signed"].split(","))
            self.assertValid(a)

    def test_drop(self):
        MAIN.ctl("/_fake/faults", {"drop": ["sreg.email", "response_nonce"]})
        a = login(MAIN)
        self.assertNotIn("sreg.email", a.f)
        self.assertNotIn("response_nonce", a.f)
        self.assertEqual(a.f["signed"], expected_signed(a))
        self.assertValid(a)
        MAIN.ctl("/_fake/faults", {"drop_after_sign": ["sig", "return_to"]})
        a = login(MAIN)
        self.assertNotIn("sig", a.f)
        self.assertIn("return_to", a.f["signed"].split(","))
        self.assertNotIn("return_to", a.f)

    def test_duplicate(self):
        MAIN.ctl("/_fake/faults", {"duplicate": "openid.sreg.nickname"})
        keys = login(MAIN).keys()
        self.assertEqual(keys.count("openid.sreg.nickname"), 2)
        MAIN.ctl("/_fake/faults", {"duplicate": {"claimed_id": "http://evil.test/+id/X"},
                                   "delivery": "post"})
        a = login(MAIN)
        self.assertEqual(a.how, "post")
        values = [v for k, v in a.pairs if k == "openid.claimed_id"]
        self.assertEqual(values, [MAIN.base + "/+id/" + USER["oid"], "http://evil.test/+id/X"])

    def test_direct_knobs(self):
        a = login(MAIN)
        MAIN.ctl("/_fake/faults", {"status": 500})
        self.assertEqual(check_auth(MAIN, a).status, 500)               # not processed ...
        MAIN.ctl("/_fake/faults", {"body": "is_valid:TRUE\r\nns:%s\r\n" % NS})
        r = check_auth(MAIN, a)
        self.assertEqual((r.status, r.body), (200, ("is_valid:TRUE\r\nns:%s\r\n" % NS).encode()))
        MAIN.ctl("/_fake/faults", {"status": 400, "body": "error:x\nmode:error\nns:%s\n" % NS})
        r = check_auth(MAIN, a)
        self.assertEqual((r.status, r.kv()["error"]), (400, "x"))
        MAIN.ctl("/_fake/faults", {"delay_ms": 400})
        t0 = time.time()
        with self.assertRaises(socket.timeout):
            check_auth(MAIN, a, timeout=0.15)                          # ... processed, then slow
        self.assertLess(time.time() - t0, 0.5)
        time.sleep(0.3)
        self.assertValid(a, expect="false")                            # consumed by the slow one
        self.assertValid(login(MAIN))                                  # knobs were one-shot

    def test_threaded_while_delayed(self):
        a = login(MAIN)
        MAIN.ctl("/_fake/faults", {"delay_ms": 600})
        result = {}
        t = threading.Thread(target=lambda: result.update(r=check_auth(MAIN, a)))
        t.start()
        time.sleep(0.05)
        t0 = time.time()
        self.assertEqual(MAIN.http("GET", "/").status, 200)
        self.assertLess(time.time() - t0, 0.3)
        t.join(5)
        self.assertEqual(result["r"].kv()["is_valid"], "true")

    def test_fault_validation(self):
        MAIN.ctl("/_fake/faults", {"nosuch": 1}, expect=400)
        MAIN.ctl("/_fake/faults", {"unsigned": "sreg.nickname"}, expect=400)
        MAIN.ctl("/_fake/faults", {"delivery": "carrier-pigeon"}, expect=400)
        armed = MAIN.ctl("/_fake/faults", {"bad_sig": True, "status": 500})["armed"]
        self.assertEqual(armed, {"bad_sig": True, "status": 500})
        self.assertEqual(MAIN.get("/_fake/faults"), armed)
        MAIN.ctl("/_fake/faults/clear")
        self.assertEqual(MAIN.get("/_fake/faults"), {})


class TestEvil(Base):
    def test_evil_instance(self):
        EVIL.ctl("/_fake/user", dict(USER, oid="Ev1lGuy"))
        EVIL.ctl("/_fake/faults", {"claimed_id": MAIN.base + "/+id/" + USER["oid"],
                                   "identity": MAIN.base + "/+id/" + USER["oid"]})
        a = login(EVIL)
        self.assertEqual(a.f["op_endpoint"], EVIL.endpoint)
        self.assertTrue(EVIL.endpoint.startswith("http://evil.test:"))
        self.assertEqual(a.f["claimed_id"], MAIN.base + "/+id/" + USER["oid"])
        self.assertValid(a, fake=MAIN, expect="false")      # the real OP does not know the handle
        self.assertValid(a, fake=EVIL)                      # the evil one vouches for itself
        reqs = EVIL.get("/_fake/requests")
        self.assertEqual([(r["method"], r["path"].split("?")[0]) for r in reqs],
                         [("GET", "/+openid"), ("POST", "/+openid")])
        self.assertIn("openid.mode=check_authentication", reqs[1]["body"])
        self.assertEqual(reqs[1]["headers"]["Content-Type"], "application/x-www-form-urlencoded")
        EVIL.ctl("/_fake/requests/clear")
        self.assertEqual(EVIL.get("/_fake/requests"), [])
        login(MAIN)
        self.assertEqual(EVIL.get("/_fake/requests"), [])   # control calls are not logged


class TestDemo(Base):
    def demo_page(self, params=None):
        r = DEMO.http("GET", "/+openid", params=params or checkid(teams="ubuntumembers,kubuntu-members"))
        self.assertEqual(r.status, 200)
        return r, parse_html(r.text)

    def submit(self, page, choice):
        form = page.forms[0]
        self.assertEqual((form["method"], form["action"]), ("post", "/+openid"))
        return deliver(DEMO.http("POST", form["action"], params=form["inputs"] + [("_fake_demo", choice)]))

    def test_page(self):
        r, page = self.demo_page()
        self.assertEqual(r.header("Content-Type"), "text/html; charset=utf-8")
        self.assertIn("script-src 'none'", r.header("Content-Security-Policy"))
        self.assertEqual(page.scripts, [])
        self.assertIn('<html lang="en">', r.text)
        values = [b.get("value") for b in page.buttons]
        self.assertEqual(values, ["approve:Ad4Memb", "approve:Kd7Kmbr", "approve:N8nMemb",
                                  "approve:Pr7wcy3", "cancel"])
        self.assertIn("Approve as Ada Lovelace", r.text)
        self.assertIn("not shared with this site", r.text)
        self.assertIn(RP + "/", r.text)
        self.assertEqual(DEMO.http("GET", "/+id/Ad4Memb").status, 200)   # demo users are discoverable

    def test_approve_and_cancel(self):
        _, page = self.demo_page()
        a = self.submit(page, "approve:Ad4Memb")
        self.assertEqual(a.how, "get")
        self.assertEqual(a.f["claimed_id"], DEMO.base + "/+id/Ad4Memb")
        self.assertEqual((a.f["sreg.nickname"], a.f["sreg.email"]), ("ada", "ada@example.com"))
        self.assertEqual(a.f["lp.is_member"], "ubuntumembers")
        self.assertValid(a, fake=DEMO)
        f = self.submit(page, "approve:Kd7Kmbr").f
        self.assertEqual((f["sreg.nickname"], f["lp.is_member"]), ("kim", "kubuntu-members"))
        f = self.submit(page, "approve:N8nMemb").f
        self.assertEqual((f["sreg.nickname"], f["lp.is_member"]), ("nate", ""))
        f = self.submit(page, "approve:Pr7wcy3").f
        self.assertEqual(f["sreg.nickname"], "pat")
        self.assertNotIn("sreg.email", f)
        self.assertEqual(self.submit(page, "cancel").f, {"ns": NS, "mode": "cancel"})
        self.assertEqual(self.submit(page, "approve:Nobody1").f["mode"], "cancel")

    def test_current_user_wins(self):
        DEMO.ctl("/_fake/user", USER)
        self.assertEqual(login(DEMO).f["claimed_id"], DEMO.base + "/+id/" + USER["oid"])

    def test_no_demo_means_cancel(self):
        MAIN.ctl("/_fake/user", None)
        self.assertEqual(login(MAIN).f["mode"], "cancel")


class TestControlAndServer(Base):
    def test_control_api(self):
        r = MAIN.http("POST", "/_fake/user", body=json.dumps(USER), headers={"Content-Type": "text/plain"})
        self.assertEqual(r.status, 415)
        MAIN.ctl("/_fake/user", {"nickname": "x"}, expect=400)
        MAIN.ctl("/_fake/user", dict(USER, colour="red"), expect=400)
        got = MAIN.ctl("/_fake/user", USER)
        self.assertEqual(got["claimed_id"], MAIN.base + "/+id/" + USER["oid"])
        self.assertEqual(MAIN.get("/_fake/user")["user"]["teams"], USER["teams"])
        self.assertEqual(MAIN.http("GET", "/_fake/nope").status, 404)
        clock = MAIN.ctl("/_fake/clock", {"offset": -30})
        self.assertLess(abs(clock["now"] - (time.time() - 30)), 2)
        MAIN.ctl("/_fake/config", {"nosuch": 1}, expect=400)
        MAIN.ctl("/_fake/reset")
        self.assertIsNone(MAIN.get("/_fake/user")["user"])
        self.assertEqual(MAIN.get("/_fake/config")["config"]["expires_in"], 1209600)
        self.assertEqual(MAIN.get("/_fake/requests"), [])

    def test_request_log(self):
        MAIN.ctl("/_fake/requests/clear")
        a = login(MAIN, method="POST")
        check_auth(MAIN, a)
        reqs = MAIN.get("/_fake/requests")
        self.assertEqual([r["method"] for r in reqs], ["POST", "POST"])
        self.assertEqual(reqs[0]["path"], "/+openid")
        self.assertIn("openid.mode=checkid_setup", reqs[0]["body"])
        self.assertEqual(reqs[0]["status"], 302)
        self.assertIn("Host", reqs[0]["headers"])
        with open(LOGFILE) as f:
            lines = [json.loads(x) for x in f]
        self.assertTrue(any(x["path"] == "/_fake/reset" for x in lines))     # file: everything
        self.assertTrue(any("check_authentication" in x["body"] for x in lines))

    def test_body_limits(self):
        c = http.client.HTTPConnection("127.0.0.1", MAIN.port, timeout=5)
        c.putrequest("POST", "/+openid")
        c.putheader("Content-Type", "application/x-www-form-urlencoded")
        c.putheader("Content-Length", str(10 ** 7))
        c.endheaders()
        self.assertEqual(c.getresponse().status, 413)
        c.close()
        c = http.client.HTTPConnection("127.0.0.1", MAIN.port, timeout=5)
        c.putrequest("POST", "/+openid")
        c.endheaders()
        self.assertEqual(c.getresponse().status, 411)
        c.close()

    def test_keep_alive(self):
        c = http.client.HTTPConnection("127.0.0.1", MAIN.port, timeout=5)
        for _ in range(3):
            c.request("GET", "/+openid?" + urllib.parse.urlencode(checkid()))
            r = c.getresponse()
            r.read()
            self.assertEqual(r.status, 302)
        c.close()

    def test_state_file_and_sigterm(self):
        with tempfile.TemporaryDirectory() as d:
            state = os.path.join(d, "state.json")
            p = FakeProc("--state-file", state, "--seed", "7")
            try:
                p.ctl("/_fake/user", USER)
                handle, secret, _ = associate(p)
            finally:
                self.assertEqual(p.stop(), 0)
            p = FakeProc("--state-file", state)
            try:
                f = login(p, checkid(assoc_handle=handle)).f
                self.assertEqual(f["assoc_handle"], handle)
                self.assertEqual(rp_sign("HMAC-SHA256", secret, f, f["signed"].split(",")), f["sig"])
            finally:
                self.assertEqual(p.stop(), 0)


# ----------------------------------------------------------------- runner --

class Result(unittest.TextTestResult):
    pass


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
    runner = unittest.TextTestRunner(stream=sys.stderr, verbosity=2 if verbose else 1,
                                     resultclass=Result)
    result = runner.run(unittest.TestSuite(tests))
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    passed = result.testsRun - failed - len(result.skipped)
    print("fakes: %.1fs" % (time.time() - started))
    print("fakes: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
