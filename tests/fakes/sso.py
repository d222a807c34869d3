#!/usr/bin/python3
"""Fake Ubuntu One SSO OpenID 2.0 provider (tests and the local demo).

Speaks OpenID 2.0 as login.ubuntu.com does: XRDS discovery, the /+openid endpoint (checkid_setup, checkid_immediate,
check_authentication, associate with real Diffie-Hellman), SREG, AX and the
Launchpad teams extension, GET or auto-POST delivery, one-shot private
handles, every fault knob, a JSON control API under /_fake/ and, with
--demo, a page to pick a demo user in a browser.

    /usr/bin/python3 tests/fakes/sso.py --port N [--host 127.0.0.1]
        [--base http://127.0.0.1:N] [--log FILE] [--state-file FILE] [--demo]
        [--seed N] [--expires-in S] [--max-body BYTES]
    /usr/bin/python3 tests/fakes/sso.py --self-test

--port 0 picks a free port.  When ready it prints, on stdout,
"listening on http://HOST:PORT".  SIGTERM or SIGINT stop it cleanly.
A second ("evil") provider is the same program on another port/base.
See tests/fakes/README.md for the control API.

Standard library only; run with Debian's /usr/bin/python3.
"""

import argparse
import base64
import hashlib
import hmac
import html
import json
import os
import random
import re
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fakebase  # noqa: E402

NS_OPENID2 = "http://specs.openid.net/auth/2.0"
IDENTIFIER_SELECT = "http://specs.openid.net/auth/2.0/identifier_select"
TYPE_SERVER = "http://specs.openid.net/auth/2.0/server"
TYPE_SIGNON = "http://specs.openid.net/auth/2.0/signon"
NS_SREG11 = "http://openid.net/extensions/sreg/1.1"
NS_SREG10 = "http://openid.net/sreg/1.0"
NS_AX = "http://openid.net/srv/ax/1.0"
NS_TEAMS = "http://ns.launchpad.net/2007/openid-teams"

# OpenID 2.0 Appendix B.
DEFAULT_MODULUS = int(
    "DCF93A0B883972EC0E19989AC5A2CE310E1D37717E8D9571BB7623731866E61E"
    "F75A2E27898B057F9891C2E27A639C3F29B60814581CD3B2CA3986D2683705577D"
    "45C2E7E52DC81C7A171876E5CEA74B1448BFDFAF18828EFD2519F14E45E3826634"
    "AF1949E5B535CC829A483B8A76223E5D490A257F05BDFF16F2FB22C583AB", 16)
DEFAULT_GEN = 2

HASHES = {"HMAC-SHA1": hashlib.sha1, "HMAC-SHA256": hashlib.sha256}
SECRET_SIZE = {"HMAC-SHA1": 20, "HMAC-SHA256": 32}
SESSION_PAIRS = {
    ("no-encryption", "HMAC-SHA1"), ("no-encryption", "HMAC-SHA256"),
    ("DH-SHA1", "HMAC-SHA1"), ("DH-SHA256", "HMAC-SHA256"),
}
DH_HASH = {"DH-SHA1": hashlib.sha1, "DH-SHA256": hashlib.sha256}

SREG_SUPPORTED = ("nickname", "email", "fullname", "timezone", "language")
AX_TYPES = {
    "http://axschema.org/namePerson": "fullname",
    "http://axschema.org/namePerson/friendly": "nickname",
    "http://axschema.org/contact/email": "email",
    "http://axschema.org/timezone": "timezone",
    "http://axschema.org/language/pref": "language",
    "http://ns.login.ubuntu.com/2013/validation/account": "account_verified",
}

URL_LIMIT = 2047                 # python-openid OPENID1_URL_LIMIT
PRIVATE_LIFETIME = 14 * 86400    # python-openid's lifetime for private handles
DEFAULT_EXPIRES_IN = 1209600
NONCE_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
OID_CHARS = "34678bcdefhkmnprstwxyzABCDEFGHJKLMNPQRTWXY"   # SSO-2013 generator
MAX_LOG_ENTRIES = 10000
DEMO_FIELD = "_fake_demo"

DEMO_USERS = [
    {"oid": "Ad4Memb", "nickname": "ada", "email": "ada@example.com",
     "fullname": "Ada Lovelace", "timezone": "Europe/London", "language": "en",
     "teams": ["ubuntumembers"],
     "about": "Ubuntu Member (~ubuntumembers)"},
    {"oid": "Kd7Kmbr", "nickname": "kim", "email": "kim@example.org",
     "fullname": "Kim Kubuntu", "timezone": "Europe/Berlin", "language": "de",
     "teams": ["kubuntu-members"],
     "about": "Kubuntu Member (~kubuntu-members)"},
    {"oid": "N8nMemb", "nickname": "nate", "email": "nate@example.net",
     "fullname": "Nate Newcomer", "timezone": "America/New_York", "language": "en",
     "teams": [],
     "about": "not a member of any team"},
    {"oid": "Pr7wcy3", "nickname": "pat", "email": "pat@example.com",
     "fullname": "Pat Private", "timezone": "UTC", "language": "fr",
     "teams": ["ubuntumembers"],
     "approve": {"sreg": ["nickname", "fullname", "timezone", "language"]},
     "about": "Ubuntu Member who does not share an email address"},
]


# ---------------------------------------------------------------- protocol --

def b64(data):
    return base64.b64encode(data).decode("ascii")


def unb64(text):
    return base64.b64decode(text.encode("ascii"), validate=True)


def btwoc(n):
    """Minimal big-endian two's complement of a non-negative integer."""
    raw = n.to_bytes(max(1, (n.bit_length() + 7) // 8), "big")
    return b"\x00" + raw if raw[0] & 0x80 else raw


def unbtwoc(data):
    if not data or data[0] & 0x80:
        raise ValueError("not a positive btwoc integer")
    return int.from_bytes(data, "big")


def kv_encode(pairs):
    out = []
    for k, v in pairs:
        if ":" in k or "\n" in k or "\n" in v:
            raise ValueError("invalid key-value pair %r" % k)
        out.append("%s:%s\n" % (k, v))
    return "".join(out).encode("utf-8")


def kv_parse(data):
    """Spec 4.1.1 key-value form -> dict (tolerates a missing final LF)."""
    result = {}
    for line in data.decode("utf-8").split("\n"):
        if not line:
            continue
        k, sep, v = line.partition(":")
        if not sep:
            raise ValueError("line without ':': %r" % line)
        result[k] = v
    return result


def signature_base(fields, signed_list):
    """fields: dict keyed without the "openid." prefix."""
    return "".join("%s:%s\n" % (k, fields[k]) for k in signed_list).encode("utf-8")


def sign(assoc_type, secret, fields, signed_list):
    mac = hmac.new(secret, signature_base(fields, signed_list), HASHES[assoc_type])
    return b64(mac.digest())


def dh_session(session_type, consumer_public, secret, rng, modulus=DEFAULT_MODULUS,
               gen=DEFAULT_GEN):
    """Server side of a DH association: (server_public, enc_mac_key)."""
    y = rng.randrange(1, modulus - 1)
    server_public = pow(gen, y, modulus)
    shared = pow(consumer_public, y, modulus)
    digest = DH_HASH[session_type](btwoc(shared)).digest()
    if len(digest) != len(secret):
        raise ValueError("secret size does not match the session hash")
    enc = bytes(a ^ b for a, b in zip(digest, secret))
    return server_public, enc


def realm_allows(realm, return_to):
    """Spec 9.2: is return_to under realm?  Returns an error text or None."""
    try:
        r = urllib.parse.urlsplit(realm)
        u = urllib.parse.urlsplit(return_to)
        rport, uport = r.port, u.port
    except ValueError as e:
        return "malformed URL: %s" % e
    if r.scheme not in ("http", "https") or not r.hostname:
        return "realm %r is not an http(s) URL" % realm
    if r.fragment:
        return "realm %r has a fragment" % realm
    if u.scheme != r.scheme:
        return "return_to scheme differs from the realm's"
    default = 443 if r.scheme == "https" else 80
    if (rport or default) != (uport or default):
        return "return_to port differs from the realm's"
    rhost, uhost = r.hostname.lower(), (u.hostname or "").lower()
    if rhost.startswith("*."):
        base = rhost[2:]
        if not (uhost == base or uhost.endswith("." + base)):
            return "return_to host is not under the realm's wildcard"
    elif rhost != uhost:
        return "return_to host %r differs from the realm's %r" % (uhost, rhost)
    rpath = (r.path or "/") + ("?" + r.query if r.query else "")
    upath = (u.path or "/") + ("?" + u.query if u.query else "")
    if upath == rpath:
        return None
    if not upath.startswith(rpath):
        return "return_to path is not under the realm's path"
    allowed = "&" if "?" in rpath else "?/"
    if rpath[-1] in allowed or upath[len(rpath)] in allowed:
        return None
    return "return_to path is not under the realm's path"


def append_args(url, pairs):
    if not pairs:
        return url
    return url + ("&" if "?" in url else "?") + urllib.parse.urlencode(pairs)


def prefers_xrds(accept):
    """Content negotiation: True when application/xrds+xml beats HTML."""
    if not accept:
        return False
    q = {}
    for part in accept.split(","):
        bits = part.strip().split(";")
        mt = bits[0].strip().lower()
        if not mt:
            continue
        qv = 1.0
        for p in bits[1:]:
            k, _, v = p.partition("=")
            if k.strip().lower() == "q":
                try:
                    qv = float(v.strip())
                except ValueError:
                    qv = 0.0
        q[mt] = max(qv, q.get(mt, 0.0))

    def qfor(mt):
        if mt in q:
            return q[mt], True
        major = mt.split("/")[0] + "/*"
        if major in q:
            return q[major], False
        return q.get("*/*", 0.0), False

    x, x_explicit = qfor("application/xrds+xml")
    h1, e1 = qfor("text/html")
    h2, e2 = qfor("application/xhtml+xml")
    h, h_explicit = max((h1, e1), (h2, e2))
    if x <= 0:
        return False
    return x > h or (x == h and x_explicit and not h_explicit)


def find_alias(openid, ns_uris):
    """Alias whose openid.ns.<alias> value is one of ns_uris (request side)."""
    for k, v in openid.items():
        if k.startswith("ns.") and v in ns_uris:
            return k[3:], v
    return None, None


def split_list(value):
    return [x.strip() for x in (value or "").split(",") if x.strip()]


# ------------------------------------------------------------------ state --

ControlError = fakebase.ControlError


def _str_or_none(v, name):
    if v is not None and not isinstance(v, str):
        raise ControlError("%s must be a string or null" % name)
    return v


def _str_list(v, name, allow_none=False):
    if v is None and allow_none:
        return None
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise ControlError("%s must be a list of strings" % name)
    return list(v)


def normalize_user(obj):
    if obj is None:
        return None
    if not isinstance(obj, dict):
        raise ControlError("user must be an object or null")
    known = {"oid", "nickname", "email", "fullname", "timezone", "language", "verified",
             "teams", "private_teams", "approve", "about"}
    extra = set(obj) - known
    if extra:
        raise ControlError("unknown user keys: %s" % ", ".join(sorted(extra)))
    oid = obj.get("oid")
    if not isinstance(oid, str) or not re.fullmatch(r"[A-Za-z0-9]{1,64}", oid):
        raise ControlError("oid must be 1-64 characters [A-Za-z0-9]")
    user = {"oid": oid}
    for f in SREG_SUPPORTED + ("about",):
        user[f] = _str_or_none(obj.get(f), f)
    verified = obj.get("verified", True)
    if not isinstance(verified, bool):
        raise ControlError("verified must be a boolean")
    user["verified"] = verified
    user["teams"] = _str_list(obj.get("teams", []), "teams", allow_none=True)
    user["private_teams"] = _str_list(obj.get("private_teams", []), "private_teams")
    approve = obj.get("approve") or {}
    if not isinstance(approve, dict) or set(approve) - {"sreg", "ax", "teams"}:
        raise ControlError("approve must be an object with keys sreg, ax, teams")
    user["approve"] = {k: _str_list(approve.get(k), "approve." + k, allow_none=True)
                       for k in ("sreg", "ax", "teams")}
    return user


def _strip_prefix(name):
    return name[7:] if name.startswith("openid.") else name


def _fault_bool(v):
    if not isinstance(v, bool):
        raise ControlError("must be a boolean")
    return v


def _fault_int(v):
    if isinstance(v, bool) or not isinstance(v, int):
        raise ControlError("must be an integer")
    return v


def _fault_str(v):
    if not isinstance(v, str):
        raise ControlError("must be a string")
    return v


def _fault_fields(v):
    return [_strip_prefix(x) for x in _str_list(v, "value")]


def _fault_map(v):
    if not isinstance(v, dict) or not all(isinstance(x, str) for x in v.values()):
        raise ControlError("must be an object of strings")
    return {_strip_prefix(k): x for k, x in v.items()}


def _fault_duplicate(v):
    if isinstance(v, str):
        return {_strip_prefix(v): None}
    return _fault_map(v)


def _fault_delivery(v):
    if v not in ("get", "post", "auto"):
        raise ControlError("must be get, post or auto")
    return v


def _fault_unsupported(v):
    if isinstance(v, bool):
        return {} if v else None
    if not isinstance(v, dict) or set(v) - {"session_type", "assoc_type", "status"}:
        raise ControlError("must be true or {session_type, assoc_type, status}")
    if "status" in v:
        _fault_int(v["status"])
    return dict(v)


def _fault_session_type(v):
    if v not in ("no-encryption", "DH-SHA1", "DH-SHA256"):
        raise ControlError("must be no-encryption, DH-SHA1 or DH-SHA256")
    return v


def _fault_status(v):
    v = _fault_int(v)
    if not 100 <= v <= 599:
        raise ControlError("must be an HTTP status")
    return v


# knob -> (group, validator).  Groups are consumed separately: "assertion" by
# the next checkid_setup answer, "direct" by the next check_authentication or
# associate request, "associate" by the next associate request.
FAULTS = {
    "bad_sig": ("assertion", _fault_bool),
    "unsigned": ("assertion", _fault_fields),
    "append_unsigned": ("assertion", _fault_map),
    "nonce_offset": ("assertion", _fault_int),
    "reuse_nonce": ("assertion", _fault_str),
    "return_to": ("assertion", _fault_str),
    "op_endpoint": ("assertion", _fault_str),
    "claimed_id": ("assertion", _fault_str),
    "identity": ("assertion", _fault_str),
    "drop": ("assertion", _fault_fields),
    "drop_after_sign": ("assertion", _fault_fields),
    "duplicate": ("assertion", _fault_duplicate),
    "cancel": ("assertion", _fault_bool),
    "error": ("assertion", _fault_str),
    "delivery": ("assertion", _fault_delivery),
    "one_shot": ("assertion", _fault_bool),
    "status": ("direct", _fault_status),
    "delay_ms": ("direct", _fault_int),
    "body": ("direct", _fault_str),
    "unsupported_type": ("associate", _fault_unsupported),
    "answer_session_type": ("associate", _fault_session_type),
}

CONFIG_DEFAULTS = {
    "expires_in": DEFAULT_EXPIRES_IN,   # associate answers
    "one_shot": True,                   # private handles consumed by check_authentication
    "delivery": "auto",                 # get | post | auto
    "url_limit": URL_LIMIT,
    "can_query_any_team": False,        # private_teams visible to this RP
    "error_status": 400,                # KV error status (SSO-2013 used 200)
    "aliases": {},                      # {"sreg"|"ax"|"lp": alias} in answers
}


def normalize_config(obj, current):
    if not isinstance(obj, dict):
        raise ControlError("config must be an object")
    extra = set(obj) - set(CONFIG_DEFAULTS)
    if extra:
        raise ControlError("unknown config keys: %s" % ", ".join(sorted(extra)))
    cfg = dict(current)
    for k, v in obj.items():
        if k in ("expires_in", "url_limit", "error_status"):
            _fault_int(v)
        elif k in ("one_shot", "can_query_any_team"):
            _fault_bool(v)
        elif k == "delivery":
            _fault_delivery(v)
        elif k == "aliases":
            if (not isinstance(v, dict) or set(v) - {"sreg", "ax", "lp"}
                    or not all(isinstance(a, str) and re.fullmatch(r"[A-Za-z0-9_]+", a)
                               and a not in ("ns", "mode") for a in v.values())):
                raise ControlError("aliases must map sreg/ax/lp to simple alias names")
        cfg[k] = v
    return cfg


class Fake(fakebase.RequestLog):
    def __init__(self, base, demo=False, seed=None, log_path=None, state_file=None,
                 expires_in=DEFAULT_EXPIRES_IN):
        self.base = base.rstrip("/")
        self.endpoint = self.base + "/+openid"
        self.demo = demo
        self.state_file = state_file
        self.lock = threading.RLock()
        self.rng = random.Random(seed) if seed is not None else random.SystemRandom()
        self.default_config = dict(CONFIG_DEFAULTS, expires_in=expires_in)
        fakebase.RequestLog.__init__(self, log_path, MAX_LOG_ENTRIES)
        self._reset()
        if state_file and os.path.exists(state_file):
            self._load()

    # -- state ------------------------------------------------------------

    def _reset(self):
        self.user = None
        self.accounts = {}              # oid -> user seen since reset (discovery)
        self.config = dict(self.default_config)
        self.faults = {"assertion": {}, "direct": {}, "associate": {}}
        self.clock_offset = 0.0
        self.clock_frozen = None
        self.shared = {}                # RP associations: handle -> assoc
        self.private = {}               # stateless handles: handle -> assoc
        if self.demo:
            for u in DEMO_USERS:
                self.accounts[u["oid"]] = normalize_user(u)

    def reset(self):
        with self.lock:
            self._reset()
            self.requests = []
            self._save()

    def now(self):
        with self.lock:
            if self.clock_frozen is not None:
                return self.clock_frozen
            return time.time() + self.clock_offset

    def claimed_id(self, oid):
        return "%s/+id/%s" % (self.base, oid)

    def random_bytes(self, n):
        with self.lock:
            return bytes(self.rng.getrandbits(8) for _ in range(n))

    def new_handle(self, assoc_type, store):
        with self.lock:
            while True:
                h = "{%s}{%x}{%s}" % (assoc_type, int(self.now()), b64(self.random_bytes(4)))
                if h not in self.shared and h not in self.private:
                    store[h] = None
                    return h

    def lookup(self, store, handle):
        """Unexpired association or None (expired ones are dropped)."""
        with self.lock:
            a = store.get(handle)
            if a is None:
                return None
            if self.now() >= a["issued"] + a["lifetime"]:
                del store[handle]
                self._save()
                return None
            return a

    def take_faults(self, group):
        with self.lock:
            f = self.faults[group]
            self.faults[group] = {}
            return f

    def _save(self):
        if not self.state_file:
            return
        def dump(store):
            return {h: dict(a, secret=b64(a["secret"])) for h, a in store.items() if a}
        state = {"user": self.user, "accounts": self.accounts, "config": self.config,
                 "clock_offset": self.clock_offset, "clock_frozen": self.clock_frozen,
                 "shared": dump(self.shared), "private": dump(self.private)}
        tmp = self.state_file + ".tmp"
        with open(tmp, "w") as f:
            json.dump(state, f)
        os.replace(tmp, self.state_file)

    def _load(self):
        with open(self.state_file) as f:
            state = json.load(f)
        def load(store):
            return {h: dict(a, secret=unb64(a["secret"])) for h, a in store.items()}
        self.user = state.get("user")
        self.accounts.update(state.get("accounts", {}))
        self.config = dict(self.default_config, **state.get("config", {}))
        self.clock_offset = state.get("clock_offset", 0.0)
        self.clock_frozen = state.get("clock_frozen")
        self.shared = load(state.get("shared", {}))
        self.private = load(state.get("private", {}))

    # -- control API ------------------------------------------------------

    def control(self, method, path, query, data):
        """Returns (status, json-able object)."""
        with self.lock:
            if method == "GET" and path == "/_fake/user":
                return 200, {"user": self.user,
                             "claimed_id": self.claimed_id(self.user["oid"]) if self.user else None}
            if method == "POST" and path == "/_fake/user":
                self.user = normalize_user(data)
                if self.user:
                    self.accounts[self.user["oid"]] = self.user
                self._save()
                return 200, {"ok": True, "user": self.user,
                             "claimed_id": self.claimed_id(self.user["oid"]) if self.user else None}
            if method == "GET" and path == "/_fake/faults":
                return 200, self._armed()
            if method == "POST" and path == "/_fake/faults":
                if not isinstance(data, dict):
                    raise ControlError("faults must be an object")
                staged = {g: dict(f) for g, f in self.faults.items()}
                for k, v in data.items():
                    if k not in FAULTS:
                        raise ControlError("unknown fault knob %r" % k)
                    group, check = FAULTS[k]
                    try:
                        value = check(v)
                    except ControlError as e:
                        raise ControlError("%s: %s" % (k, e))
                    if value is None:
                        staged[group].pop(k, None)
                    else:
                        staged[group][k] = value
                self.faults = staged
                return 200, {"ok": True, "armed": self._armed()}
            if method == "POST" and path == "/_fake/faults/clear":
                self.faults = {"assertion": {}, "direct": {}, "associate": {}}
                return 200, {"ok": True, "armed": {}}
            if method == "POST" and path == "/_fake/reset":
                self.reset()
                return 200, {"ok": True}
            if path == "/_fake/clock" and method in ("GET", "POST"):
                if method == "POST":
                    if not isinstance(data, dict) or set(data) - {"offset", "now"}:
                        raise ControlError("clock takes {offset: seconds} and/or {now: epoch|null}")
                    if "offset" in data:
                        if isinstance(data["offset"], bool) or not isinstance(data["offset"], (int, float)):
                            raise ControlError("offset must be a number")
                        self.clock_offset = float(data["offset"])
                    if "now" in data:
                        if data["now"] is not None and (isinstance(data["now"], bool) or
                                                        not isinstance(data["now"], (int, float))):
                            raise ControlError("now must be a number or null")
                        self.clock_frozen = data["now"]
                    self._save()
                return 200, {"ok": True, "now": self.now(), "offset": self.clock_offset,
                             "frozen": self.clock_frozen is not None}
            if path == "/_fake/config" and method in ("GET", "POST"):
                if method == "POST":
                    self.config = normalize_config(data, self.config)
                    self._save()
                return 200, {"ok": True, "config": self.config}
            if method == "GET" and path == "/_fake/requests":
                with self.log_lock:
                    return 200, list(self.requests)
            if method == "POST" and path == "/_fake/requests/clear":
                with self.log_lock:
                    self.requests = []
                return 200, {"ok": True}
            if method == "GET" and path == "/_fake/associations":
                def show(store, kind):
                    return [{"handle": h, "kind": kind, "assoc_type": a["assoc_type"],
                             "issued": a["issued"], "expires_at": a["issued"] + a["lifetime"],
                             "one_shot": a.get("one_shot")}
                            for h, a in store.items() if a]
                return 200, show(self.shared, "shared") + show(self.private, "private")
            if method == "POST" and path == "/_fake/associations/clear":
                handle = (data or {}).get("handle") if isinstance(data, dict) or data is None else None
                if handle is None:
                    self.shared.clear()
                    self.private.clear()
                else:
                    self.shared.pop(handle, None)
                    self.private.pop(handle, None)
                self._save()
                return 200, {"ok": True}
        return 404, {"ok": False, "error": "no such control endpoint: %s %s" % (method, path)}

    def _armed(self):
        out = {}
        for f in self.faults.values():
            out.update(f)
        return out

    # -- assertions -------------------------------------------------------

    def build_assertion(self, req, user, faults):
        """req: the request's openid.* fields (no prefix).  Returns (pairs, msg)."""
        now = self.now()
        msg = {"ns": NS_OPENID2, "mode": "id_res", "op_endpoint": self.endpoint,
               "claimed_id": self.claimed_id(user["oid"]),
               "identity": self.claimed_id(user["oid"]),
               "return_to": req["return_to"]}
        nonce_time = time.gmtime(int(now) + faults.get("nonce_offset", 0))
        with self.lock:
            salt = "".join(self.rng.choice(NONCE_CHARS) for _ in range(6))
        msg["response_nonce"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", nonce_time) + salt
        self._extensions(req, user, msg)
        for k in ("reuse_nonce", "return_to", "op_endpoint", "claimed_id", "identity"):
            if k in faults:
                msg["response_nonce" if k == "reuse_nonce" else k] = faults[k]

        # Association: the RP's (shared) handle, or a fresh private one.
        assoc_type = secret = None
        rp_handle = req.get("assoc_handle")
        if rp_handle:
            a = self.lookup(self.shared, rp_handle)
            if a:
                msg["assoc_handle"] = rp_handle
                assoc_type, secret = a["assoc_type"], a["secret"]
            else:
                msg["invalidate_handle"] = rp_handle
        if secret is None:
            assoc_type = "HMAC-SHA1"
            secret = self.random_bytes(SECRET_SIZE[assoc_type])
            with self.lock:
                handle = self.new_handle(assoc_type, self.private)
                self.private[handle] = {
                    "assoc_type": assoc_type, "secret": secret, "issued": now,
                    "lifetime": PRIVATE_LIFETIME,
                    "one_shot": faults.get("one_shot", self.config["one_shot"])}
                self._save()
            msg["assoc_handle"] = handle

        for k in faults.get("drop", []):       # dropped before signing
            msg.pop(k, None)

        # Sign every openid.* field, sorted, plus "signed" (python-openid).
        signed_list = sorted(set(msg) | {"signed"})
        unsigned = set(faults.get("unsigned", []))
        signed_list = [k for k in signed_list if k not in unsigned]
        msg["signed"] = ",".join(signed_list)
        sig = sign(assoc_type, secret, msg, signed_list)
        if faults.get("bad_sig"):
            raw = bytearray(unb64(sig))
            raw[0] ^= 0x01          # still valid base64 of the right length
            sig = b64(bytes(raw))
        msg["sig"] = sig
        for k in faults.get("drop_after_sign", []):
            msg.pop(k, None)
        msg.update(faults.get("append_unsigned", {}))

        pairs = []
        dup = faults.get("duplicate", {})
        for k in sorted(msg):
            pairs.append(("openid." + k, msg[k]))
            if k in dup:
                pairs.append(("openid." + k, msg[k] if dup[k] is None else dup[k]))
        return pairs, msg

    def _extensions(self, req, user, msg):
        approve = user.get("approve") or {}
        aliases = self.config["aliases"]
        used = {"ns", "mode"}

        def out_alias(kind, req_alias):
            a = aliases.get(kind) or req_alias
            while a in used:
                a += "x"
            used.add(a)
            return a

        # SREG: requested & approved & supported, only fields with a value.
        alias, ns = find_alias(req, (NS_SREG11, NS_SREG10))
        if alias:
            wanted = split_list(req.get(alias + ".required")) + split_list(req.get(alias + ".optional"))
            ok = approve.get("sreg")
            a = out_alias("sreg", alias)
            msg["ns." + a] = ns
            for f in SREG_SUPPORTED:
                if f in wanted and (ok is None or f in ok) and user.get(f):
                    msg["%s.%s" % (a, f)] = user[f]

        # AX fetch_response: every requested alias, count=0 when not given.
        alias, ns = find_alias(req, (NS_AX,))
        if alias and req.get(alias + ".mode") == "fetch_request":
            ok = approve.get("ax")
            if ok is None and approve.get("sreg") is not None:
                ok = list(approve["sreg"]) + ["account_verified"]
            values = dict((f, user.get(f)) for f in SREG_SUPPORTED)
            values["account_verified"] = "token_via_email" if user.get("verified") else "no"
            a = out_alias("ax", alias)
            msg["ns." + a] = NS_AX
            msg[a + ".mode"] = "fetch_response"
            requested = split_list(req.get(alias + ".required")) + \
                split_list(req.get(alias + ".if_available"))
            for attr in dict.fromkeys(requested):
                uri = req.get("%s.type.%s" % (alias, attr))
                if not uri:
                    continue
                field = AX_TYPES.get(uri)
                value = values.get(field) if field and (ok is None or field in ok) else None
                msg["%s.type.%s" % (a, attr)] = uri
                msg["%s.count.%s" % (a, attr)] = "1" if value else "0"
                if value:
                    msg["%s.value.%s.1" % (a, attr)] = value

        # Launchpad teams: requested & (teams | private if allowed) & approved.
        alias, ns = find_alias(req, (NS_TEAMS,))
        if alias and user.get("teams") is not None:
            visible = set(user["teams"])
            if self.config["can_query_any_team"]:
                visible |= set(user.get("private_teams") or [])
            ok = approve.get("teams")
            is_member = [t for t in dict.fromkeys(split_list(req.get(alias + ".query_membership")))
                         if t in visible and (ok is None or t in ok)]
            a = out_alias("lp", alias)
            msg["ns." + a] = NS_TEAMS
            msg[a + ".is_member"] = ",".join(is_member)

    def check_authentication(self, req):
        """Returns (status, kv pairs)."""
        handle, sig, signed = req.get("assoc_handle"), req.get("sig"), req.get("signed")
        if not handle or not sig or signed is None:
            return self.kv_error("check_authentication needs assoc_handle, sig and signed")
        with self.lock:
            a = self.lookup(self.private, handle)
            valid = False
            if a:
                fields = dict(req, mode="id_res")
                signed_list = signed.split(",")
                if all(k in fields for k in signed_list):
                    expected = sign(a["assoc_type"], a["secret"], fields, signed_list)
                    valid = hmac.compare_digest(expected.encode(), sig.encode())
                if a.get("one_shot", True):
                    del self.private[handle]
                    self._save()
            out = {"is_valid": "true" if valid else "false", "ns": NS_OPENID2}
            inv = req.get("invalidate_handle")
            if inv and not self.lookup(self.shared, inv):
                out["invalidate_handle"] = inv
        return 200, sorted(out.items())

    def associate(self, req):
        faults = self.take_faults("associate")
        st, at = req.get("session_type"), req.get("assoc_type")
        if not st or not at:
            return self.kv_error("associate needs session_type and assoc_type")
        unsupported = faults.get("unsupported_type")
        if unsupported is None and (st, at) not in SESSION_PAIRS:
            unsupported = {}
        if unsupported is not None:
            pref_st = unsupported.get("session_type")
            pref_at = unsupported.get("assoc_type")
            if pref_st is None and pref_at is None:
                pref_st, pref_at = ("DH-SHA1", "HMAC-SHA1") if (st, at) == ("DH-SHA256", "HMAC-SHA256") \
                    else ("DH-SHA256", "HMAC-SHA256")
            out = {"ns": NS_OPENID2, "error_code": "unsupported-type",
                   "error": "unsupported association type %s / session type %s" % (at, st)}
            if pref_st:
                out["session_type"] = pref_st
            if pref_at:
                out["assoc_type"] = pref_at
            return unsupported.get("status", 200), sorted(out.items())
        # A provider that answers another session type than the one asked
        # for (knob answer_session_type): a DH answer to a no-encryption
        # request is made against a consumer key of its own.
        forced = faults.get("answer_session_type")
        if forced is not None and forced != st:
            if forced != "no-encryption" and not req.get("dh_consumer_public"):
                with self.lock:
                    x = self.rng.randrange(1, DEFAULT_MODULUS - 1)
                req = dict(req, dh_consumer_public=b64(btwoc(pow(DEFAULT_GEN, x, DEFAULT_MODULUS))))
            st = forced
            if forced != "no-encryption" and SECRET_SIZE[at] != DH_HASH[forced]().digest_size:
                at = "HMAC-SHA256" if forced == "DH-SHA256" else "HMAC-SHA1"
        secret = self.random_bytes(SECRET_SIZE[at])
        out = {"ns": NS_OPENID2, "assoc_type": at, "session_type": st,
               "expires_in": str(self.config["expires_in"])}
        if st == "no-encryption":
            out["mac_key"] = b64(secret)
        else:
            try:
                modulus = unbtwoc(unb64(req["dh_modulus"])) if req.get("dh_modulus") else DEFAULT_MODULUS
                gen = unbtwoc(unb64(req["dh_gen"])) if req.get("dh_gen") else DEFAULT_GEN
                consumer = unbtwoc(unb64(req.get("dh_consumer_public") or ""))
            except (ValueError, TypeError):
                return self.kv_error("malformed dh_consumer_public, dh_modulus or dh_gen")
            if modulus < 3 or gen < 2 or not 1 < consumer < modulus - 1:
                return self.kv_error("DH parameters out of range")
            with self.lock:
                server_public, enc = dh_session(st, consumer, secret, self.rng, modulus, gen)
            out["dh_server_public"] = b64(btwoc(server_public))
            out["enc_mac_key"] = b64(enc)
        with self.lock:
            handle = self.new_handle(at, self.shared)
            self.shared[handle] = {"assoc_type": at, "secret": secret, "issued": self.now(),
                                   "lifetime": self.config["expires_in"], "one_shot": None}
            self._save()
        out["assoc_handle"] = handle
        return 200, sorted(out.items())

    def kv_error(self, text):
        return self.config["error_status"], [("error", text), ("mode", "error"), ("ns", NS_OPENID2)]


# ------------------------------------------------------------------- HTML --

PAGE_CSS = """
:root { color-scheme: light; }
body { font: 16px/1.5 system-ui, -apple-system, "Ubuntu", sans-serif; margin: 0;
       background: #f7f7f7; color: #111; }
main { max-width: 44rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin: 0 0 .5rem; }
h2 { font-size: 1.2rem; margin: 1.5rem 0 .5rem; }
.note { background: #fff3cd; border-left: 4px solid #8a6d00; padding: .5rem .75rem; }
ul.users { list-style: none; padding: 0; margin: 0; display: grid; gap: .75rem; }
ul.users li { background: #fff; border: 1px solid #ccc; border-radius: 6px; padding: .75rem 1rem; }
ul.users h3 { margin: 0 0 .25rem; font-size: 1.05rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .1rem .75rem; margin: .25rem 0 .75rem; }
dt { color: #444; } dd { margin: 0; }
button { font: inherit; padding: .45rem 1rem; border-radius: 4px; cursor: pointer;
         border: 1px solid #8a3b12; background: #b8420f; color: #fff; }
button.secondary { background: #fff; color: #111; border-color: #666; }
button:focus-visible { outline: 3px solid #1f5fbf; outline-offset: 2px; }
.cancel { margin-top: 1.5rem; }
"""


def page(title, body, nonce=None):
    script_src = "'nonce-%s'" % nonce if nonce else "'none'"
    csp = ("default-src 'none'; style-src 'unsafe-inline'; script-src %s; "
           "base-uri 'none'; frame-ancestors 'none'" % script_src)
    text = ('<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            '<title>%s</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n%s\n</main>\n'
            '</body>\n</html>\n') % (html.escape(title), PAGE_CSS, body)
    return text.encode("utf-8"), csp


def hidden_inputs(pairs):
    return "\n".join('<input type="hidden" name="%s" value="%s">'
                     % (html.escape(k, True), html.escape(v, True)) for k, v in pairs)


def autopost_page(action, pairs, nonce):
    host = urllib.parse.urlsplit(action).netloc
    body = ('<h1>Returning you to %s</h1>\n'
            '<form id="openid_message" method="post" action="%s" '
            'accept-charset="UTF-8" enctype="application/x-www-form-urlencoded">\n%s\n'
            '<p id="js-note">Sending you back to the site&hellip;</p>\n'
            '<noscript><p>JavaScript is off: press Continue to finish signing in.</p></noscript>\n'
            '<button type="submit">Continue</button>\n</form>\n'
            '<script nonce="%s">document.getElementById("openid_message").submit();</script>'
            ) % (html.escape(host), html.escape(action, True), hidden_inputs(pairs), nonce)
    return page("Continue signing in", body, nonce)


def demo_page(fake, params, req):
    realm = req.get("realm") or req.get("return_to", "")
    asks = []
    alias, _ = find_alias(req, (NS_SREG11, NS_SREG10))
    if alias:
        asks.extend(split_list(req.get(alias + ".required")) + split_list(req.get(alias + ".optional")))
    alias, _ = find_alias(req, (NS_TEAMS,))
    teams = split_list(req.get(alias + ".query_membership")) if alias else []
    wanted = ", ".join(f for f in dict.fromkeys(asks) if f in SREG_SUPPORTED) or "nothing"
    items = []
    for u in DEMO_USERS:
        u = normalize_user(u)
        ok = u["approve"]["sreg"]
        email = u["email"] if ok is None or "email" in ok else "not shared with this site"
        member = [t for t in teams if t in u["teams"]]
        rows = [("Launchpad name", u["nickname"]), ("Email", email),
                ("Teams", ", ".join("~" + t for t in u["teams"]) or "none")]
        if teams:
            rows.append(("Site is told", ("member of " + ", ".join("~" + t for t in member))
                         if member else "not a member of the teams it asks about"))
        dl = "".join("<dt>%s</dt><dd>%s</dd>" % (html.escape(k), html.escape(v)) for k, v in rows)
        items.append(
            '<li><h3 id="u-%(oid)s">%(name)s</h3><p>%(about)s</p><dl>%(dl)s</dl>'
            '<button type="submit" name="%(field)s" value="approve:%(oid)s">'
            'Approve as %(name)s</button></li>'
            % {"oid": u["oid"], "name": html.escape(u["fullname"]),
               "about": html.escape(u["about"] or ""), "dl": dl, "field": DEMO_FIELD})
    body = ('<h1>Fake Ubuntu One</h1>\n'
            '<p class="note">This is a local demo provider, not login.ubuntu.com. '
            'The accounts below are made up.</p>\n'
            '<p><strong>%s</strong> asks who you are. It would receive: %s%s.</p>\n'
            '<form method="post" action="/+openid">\n%s\n'
            '<h2>Sign in as</h2>\n<ul class="users">\n%s\n</ul>\n'
            '<p class="cancel"><button type="submit" class="secondary" name="%s" value="cancel">'
            'Cancel</button></p>\n</form>'
            ) % (html.escape(realm), html.escape(wanted),
                 ("; whether you are a member of " + html.escape(", ".join("~" + t for t in teams)))
                 if teams else "",
                 hidden_inputs([(k, v) for k, v in params if k.startswith("openid.")]),
                 "\n".join(items), DEMO_FIELD)
    return page("Fake Ubuntu One: choose a demo user", body)


def xrds(services):
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<xrds:XRDS xmlns:xrds="xri://$xrds" xmlns="xri://$xrd*($v*2.0)" '
            'xmlns:openid="http://openid.net/xmlns/1.0">\n<XRD>\n%s</XRD>\n</xrds:XRDS>\n'
            % services).encode("utf-8")


def server_xrds(fake):
    types = "".join("    <Type>%s</Type>\n" % t for t in (TYPE_SERVER, NS_AX, NS_SREG11, NS_TEAMS))
    return xrds('  <Service priority="0">\n%s    <URI>%s</URI>\n  </Service>\n'
                % (types, html.escape(fake.endpoint)))


def signon_xrds(fake, claimed):
    ext = "".join("    <Type>%s</Type>\n" % t for t in (NS_AX, NS_SREG11, NS_TEAMS))
    e, c = html.escape(fake.endpoint), html.escape(claimed)
    services = ('  <Service priority="0">\n    <Type>%s</Type>\n%s    <URI>%s</URI>\n'
                '    <LocalID>%s</LocalID>\n  </Service>\n' % (TYPE_SIGNON, ext, e, c))
    for prio, t in ((1, "http://openid.net/signon/1.1"), (2, "http://openid.net/signon/1.0")):
        services += ('  <Service priority="%d">\n    <Type>%s</Type>\n%s    <URI>%s</URI>\n'
                     '    <openid:Delegate>%s</openid:Delegate>\n  </Service>\n'
                     % (prio, t, ext, e, c))
    return xrds(services)


# ---------------------------------------------------------------- handler --

class Handler(fakebase.BaseHandler):
    server_version = "FakeUbuntuSSO/1.0"
    log_name = "sso"

    def respond(self, status, body=b"", ctype="text/plain; charset=utf-8", headers=()):
        self.entry["status"] = status
        self.send_response(status)
        if body or status not in (204, 304):
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for k, v in headers:
            self.send_header(k, v)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def respond_html(self, status, body_csp, headers=()):
        body, csp = body_csp
        self.respond(status, body, "text/html; charset=utf-8",
                     [("Content-Security-Policy", csp), ("Referrer-Policy", "no-referrer"),
                      ("X-Content-Type-Options", "nosniff")] + list(headers))

    def route(self, method, path, query, body):
        fake = self.server.fake
        if path.startswith("/_fake/"):
            return self.control(method, path, query, body)
        if path in ("/", "/+xrds"):
            if method not in ("GET", "HEAD"):
                return self.respond(405, b"method not allowed\n", headers=[("Allow", "GET, HEAD")])
            loc = [("X-XRDS-Location", fake.base + "/+xrds"), ("Vary", "Accept")]
            if path == "/+xrds" or prefers_xrds(self.headers.get("Accept")):
                return self.respond(200, server_xrds(fake), "application/xrds+xml", loc)
            body = ('<h1>Fake Ubuntu One</h1>\n<p>OpenID 2.0 provider for tests and the '
                    'local demo. Endpoint: <code>%s</code>.</p>'
                    % html.escape(fake.endpoint))
            return self.respond_html(200, page("Fake Ubuntu One", body), loc)
        m = re.fullmatch(r"/\+id/([A-Za-z0-9]+)(/\+xrds)?", path)
        if m:
            if method not in ("GET", "HEAD"):
                return self.respond(405, b"method not allowed\n", headers=[("Allow", "GET, HEAD")])
            oid = m.group(1)
            with fake.lock:
                known = oid in fake.accounts
            if not known:
                return self.respond(404, b"Not found\n")
            claimed = fake.claimed_id(oid)
            loc = [("X-XRDS-Location", claimed + "/+xrds"), ("Vary", "Accept")]
            if m.group(2) or prefers_xrds(self.headers.get("Accept")):
                return self.respond(200, signon_xrds(fake, claimed), "application/xrds+xml", loc)
            e, c = html.escape(fake.endpoint, True), html.escape(claimed, True)
            body = ('<h1>OpenID identity</h1>\n<p><code>%s</code></p>\n' % c)
            text, csp = page("OpenID identity", body)
            links = ('<link rel="openid2.provider" href="%s">\n<link rel="openid2.local_id" href="%s">\n'
                     '<link rel="openid.server" href="%s">\n<link rel="openid.delegate" href="%s">\n'
                     % (e, c, e, c))
            text = text.replace(b"<style>", links.encode() + b"<style>", 1)
            return self.respond_html(200, (text, csp), loc)
        if re.fullmatch(r"(/[A-Za-z_-]{2,10})?/\+openid", path):
            return self.openid(method, query, body)
        return self.respond(404, b"Not found\n")

    def openid(self, method, query, body):
        fake = self.server.fake
        if method == "HEAD":
            return self.respond(405, b"method not allowed\n", headers=[("Allow", "GET, POST")])
        try:
            if method == "POST":
                ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
                if ctype != "application/x-www-form-urlencoded":
                    return self.direct_reply(*fake.kv_error(
                        "POST body must be application/x-www-form-urlencoded"))
                text = body.decode("utf-8")
            else:
                text = query
            params = urllib.parse.parse_qsl(text, keep_blank_values=True, strict_parsing=False,
                                            errors="strict")
        except UnicodeDecodeError:
            return self.direct_reply(*fake.kv_error("request is not UTF-8"))
        req = {}
        for k, v in params:
            if k.startswith("openid."):
                req[k[7:]] = v
        if not req:
            body = ('<h1>OpenID 2.0 endpoint</h1>\n<p>This is the OpenID endpoint of a fake '
                    'Ubuntu One provider (<code>%s</code>). Relying parties send '
                    '<code>checkid_setup</code>, <code>associate</code> and '
                    '<code>check_authentication</code> requests here.</p>'
                    % html.escape(fake.endpoint))
            return self.respond_html(200, page("OpenID endpoint", body))
        mode = req.get("mode", "")
        if mode in ("checkid_setup", "checkid_immediate"):
            return self.checkid(req, params, mode == "checkid_immediate")
        if mode in ("check_authentication", "associate"):
            return self.direct(method, mode, req)
        if req.get("return_to") and mode:
            return self.indirect(req["return_to"], [("openid.ns", NS_OPENID2),
                                                    ("openid.mode", "error"),
                                                    ("openid.error", "unknown mode %r" % mode)])
        return self.direct_reply(*fake.kv_error("unknown or missing openid.mode %r" % mode))

    def direct_reply(self, status, pairs):
        self.respond(status, kv_encode(pairs))

    def direct(self, method, mode, req):
        fake = self.server.fake
        faults = fake.take_faults("direct")
        delay = faults.get("delay_ms", 0) / 1000.0
        if "status" in faults or "body" in faults:
            # Canned answer: the request is not processed (the handle survives).
            if delay:
                time.sleep(delay)
            status = faults.get("status", 200)
            text = faults.get("body")
            if text is None:
                text = "%d %s\n" % (status, self.responses.get(status, ("error",))[0])
            return self.respond(status, text.encode("utf-8"))
        if method != "POST":
            status, pairs = fake.kv_error("%s must be a POST" % mode)
        elif req.get("ns") != NS_OPENID2:
            status, pairs = fake.kv_error("openid.ns must be %s" % NS_OPENID2)
        elif mode == "check_authentication":
            status, pairs = fake.check_authentication(req)
        else:
            status, pairs = fake.associate(req)
        if delay:           # processed first: the handle is consumed before the wait
            time.sleep(delay)
        self.direct_reply(status, pairs)

    def indirect(self, return_to, pairs, delivery=None):
        fake = self.server.fake
        with fake.lock:
            delivery = delivery or fake.config["delivery"]
            limit = fake.config["url_limit"]
        url = append_args(return_to, pairs)
        if delivery == "get" or (delivery == "auto" and len(url) <= limit):
            text = ('<!doctype html><title>Redirect</title><a href="%s">Continue</a>\n'
                    % html.escape(url, True)).encode("utf-8")
            return self.respond(302, text, "text/html; charset=utf-8", [("Location", url)])
        nonce = b64(fake.random_bytes(16))
        return self.respond_html(200, autopost_page(return_to, pairs, nonce))

    def bad_request_page(self, text):
        body = "<h1>Bad OpenID request</h1>\n<p>%s</p>" % html.escape(text)
        return self.respond_html(400, page("Bad OpenID request", body))

    def checkid(self, req, params, immediate):
        fake = self.server.fake
        return_to = req.get("return_to")
        if not return_to:
            return self.bad_request_page("openid.return_to is required.")
        rt = urllib.parse.urlsplit(return_to)
        if rt.scheme not in ("http", "https") or not rt.netloc:
            return self.bad_request_page("openid.return_to must be an absolute http(s) URL.")

        def error(text):
            return self.indirect(return_to, [("openid.ns", NS_OPENID2), ("openid.mode", "error"),
                                             ("openid.error", text)])
        if req.get("ns") != NS_OPENID2:
            return error("openid.ns must be %s" % NS_OPENID2)
        problem = realm_allows(req.get("realm") or return_to, return_to)
        if problem:
            return error("return_to is not under realm: %s" % problem)
        claimed, identity = req.get("claimed_id"), req.get("identity")
        if claimed is None or identity is None:
            return error("openid.claimed_id and openid.identity are required")
        if immediate:
            return self.indirect(return_to, [("openid.ns", NS_OPENID2),
                                             ("openid.mode", "setup_needed")])
        with fake.lock:
            user = fake.user
        choice = dict(params).get(DEMO_FIELD)
        if user is None and fake.demo:
            if choice is None:
                return self.respond_html(200, demo_page(fake, params, req))
            if choice.startswith("approve:"):
                with fake.lock:
                    user = fake.accounts.get(choice[8:])
        faults = fake.take_faults("assertion")
        delivery = faults.get("delivery")
        negative = None
        if faults.get("cancel") or user is None or choice == "cancel":
            negative = [("openid.ns", NS_OPENID2), ("openid.mode", "cancel")]
        elif "error" in faults:
            negative = [("openid.ns", NS_OPENID2), ("openid.mode", "error"),
                        ("openid.error", faults["error"])]
        elif identity != IDENTIFIER_SELECT and identity != fake.claimed_id(user["oid"]):
            negative = [("openid.ns", NS_OPENID2), ("openid.mode", "cancel")]
        if negative:
            return self.indirect(return_to, negative, delivery)
        pairs, _ = fake.build_assertion(req, user, faults)
        return self.indirect(return_to, pairs, delivery)




# -------------------------------------------------------------- self-test --

VECTOR_FIELDS = {
    "assoc_handle": "{HMAC-SHA1}{66a1b2c3}{AbCdEg==}",
    "claimed_id": "https://login.ubuntu.com/+id/Ab3CdEf",
    "identity": "https://login.ubuntu.com/+id/Ab3CdEf",
    "mode": "id_res",
    "ns": NS_OPENID2,
    "op_endpoint": "https://login.ubuntu.com/+openid",
    "response_nonce": "2024-07-24T10:00:00ZAbC123",
    "return_to": "https://rp.example/auth/ubuntu/return",
    "signed": "assoc_handle,claimed_id,identity,mode,ns,op_endpoint,response_nonce,return_to,signed",
}


def self_test():
    """Signature vectors (computed with python3-openid), DH, btwoc, KV.
    Returns a list of failures."""
    failures = []

    def check(cond, what):
        if not cond:
            failures.append(what)
    sl = VECTOR_FIELDS["signed"].split(",")
    check(len(signature_base(VECTOR_FIELDS, sl)) == 414, "M is 414 bytes")
    check(sign("HMAC-SHA1", bytes(range(20)), VECTOR_FIELDS, sl) == "z6/nhxWKBJpH/1k/3WLbfUXXjz4=",
          "HMAC-SHA1 vector")
    check(sign("HMAC-SHA256", bytes(range(32)), VECTOR_FIELDS, sl)
          == "z9TUbu6gZAYOR+RbO1XX1vG2ltEVTjjdBvEA3DF1/aI=", "HMAC-SHA256 vector")
    check(btwoc(0) == b"\x00" and btwoc(127) == b"\x7f" and btwoc(128) == b"\x00\x80"
          and btwoc(255) == b"\x00\xff" and btwoc(256) == b"\x01\x00", "btwoc")
    check(DEFAULT_MODULUS.bit_length() == 1024, "modulus is 1024 bits")
    rng = random.SystemRandom()
    for st, at in (("DH-SHA1", "HMAC-SHA1"), ("DH-SHA256", "HMAC-SHA256")):
        x = rng.randrange(1, DEFAULT_MODULUS - 1)
        secret = bytes(rng.getrandbits(8) for _ in range(SECRET_SIZE[at]))
        b_pub, enc = dh_session(st, pow(DEFAULT_GEN, x, DEFAULT_MODULUS), secret, rng)
        digest = DH_HASH[st](btwoc(pow(b_pub, x, DEFAULT_MODULUS))).digest()
        check(bytes(a ^ b for a, b in zip(digest, enc)) == secret, "DH round trip " + st)
    check(kv_parse(b"a:b\nc:d:e") == {"a": "b", "c": "d:e"}, "KV parse")
    check(kv_encode([("is_valid", "true"), ("ns", NS_OPENID2)])
          == ("is_valid:true\nns:%s\n" % NS_OPENID2).encode(), "KV encode")
    check(all(c in OID_CHARS for u in DEMO_USERS for c in u["oid"]), "demo oids use the SSO alphabet")
    check(realm_allows("https://rp.example/", "https://rp.example/auth/ubuntu/return?s=1") is None
          and realm_allows("https://*.example/", "https://rp.example/x") is None
          and realm_allows("https://rp.example/auth", "https://rp.example/authx") is not None
          and realm_allows("https://rp.example/", "http://rp.example/") is not None
          and realm_allows("https://rp.example/", "https://evil.example/") is not None, "realm")
    return failures


# ------------------------------------------------------------------- main --

def main(argv=None):
    ap = argparse.ArgumentParser(description="Fake Ubuntu One SSO OpenID 2.0 provider")
    ap.add_argument("--port", type=int, help="port to listen on (0 = any free port)")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--base", help="public base URL (default http://HOST:PORT)")
    ap.add_argument("--log", help="append every request (JSON lines) to this file")
    ap.add_argument("--state-file", help="keep user, config, clock and associations here "
                    "across restarts")
    ap.add_argument("--demo", action="store_true",
                    help="with no current user, show a page to pick a demo user")
    ap.add_argument("--seed", type=int, help="seed the RNG (deterministic handles and nonces)")
    ap.add_argument("--expires-in", type=int, default=DEFAULT_EXPIRES_IN,
                    help="association lifetime in seconds (default %(default)s)")
    ap.add_argument("--max-body", type=int, default=256 * 1024,
                    help="largest accepted request body in bytes")
    ap.add_argument("--verbose", action="store_true", help="access log on stderr")
    ap.add_argument("--self-test", action="store_true",
                    help="check the signer against known signature vectors, DH and KV; exit")
    args = ap.parse_args(argv)

    if args.self_test:
        failures = self_test()
        for f in failures:
            print("self-test FAILED: " + f)
        print("self-test: %s" % ("ok" if not failures else "%d failed" % len(failures)))
        return 1 if failures else 0
    if args.port is None:
        ap.error("--port is required")
    failures = self_test()
    if failures:
        sys.stderr.write("sso.py: self-test failed: %s\n" % "; ".join(failures))
        return 1

    server = fakebase.Server((args.host, args.port), Handler)
    port = server.server_address[1]
    base = args.base or "http://%s:%d" % (args.host, port)
    server.fake = Fake(base, demo=args.demo, seed=args.seed, log_path=args.log,
                       state_file=args.state_file, expires_in=args.expires_in)
    server.max_body = args.max_body
    server.verbose = args.verbose

    return fakebase.serve(server, "sso.py", args.base and base)


if __name__ == "__main__":
    sys.exit(main())
