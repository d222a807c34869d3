#!/usr/bin/python3
"""Fake Launchpad REST API (tests, the local demo and the sync benchmark).

Answers as api.launchpad.net's lazr.restful API does: person and team
entries under /1.0, /beta and /devel (devel adds account_status), the
plain-text 404 for unknown, private and malformed names,
team members / participants collections with lazr.restful paging,
getByOpenIDIdentifier, per-path-prefix fault scripts, an added latency knob
and a JSON control API under /_fake/ to load fixtures.

    /usr/bin/python3 tests/fakes/launchpad.py --port N [--host 127.0.0.1]
        [--base http://127.0.0.1:N] [--log FILE] [--demo] [--seed N]
        [--page-size 50] [--latency-ms 0] [--max-body BYTES] [--verbose]

--port 0 picks a free port.  When ready it prints, on stdout,
"listening on http://HOST:PORT".  SIGTERM or SIGINT stop it cleanly.
The API root is <base>/1.0/ (the RP's launchpad_api setting).
See tests/fakes/README.md for the control API and the fault steps.

Standard library only; run with Debian's /usr/bin/python3.
"""

import argparse
import hashlib
import json
import os
import random
import re
import socket
import struct
import sys
import threading
import time
import urllib.parse
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fakebase  # noqa: E402

VERSIONS = ("1.0", "beta", "devel")
NAME_RE = re.compile(r"[a-z0-9][a-z0-9+.\-]+")           # lp/app/validators/name.py
REDACTED = "tag:launchpad.net:2008:redacted"
WEB_BASE = "https://launchpad.net"
MAX_PAGE_SIZE = 300                                      # lazr max_batch_size
DEFAULT_PAGE_SIZE = 50                                   # lazr default_batch_size
MAX_LOG_ENTRIES = 20000
SERVED_COLLECTIONS = ("members", "participants")
OTHER_COLLECTIONS = (
    "admins", "members_details", "memberships_details", "super_teams", "sub_teams",
    "gpg_keys", "sshkeys", "irc_nicknames", "jabber_ids", "wiki_names", "languages", "ppas",
    "recipes", "confirmed_email_addresses", "deactivated_members", "expired_members",
    "invited_members", "proposed_members", "open_membership_invitations", "social_accounts")
PERSON_KEYS = ("name", "display_name", "is_valid", "is_ubuntu_coc_signer", "karma", "is_team",
               "private", "openid_identifier", "account_status")
TEAM_KEYS = PERSON_KEYS + ("members", "subteams", "owner")

# Demo fixtures: the fake Ubuntu One's demo users (tests/fakes/sso.py DEMO_USERS),
# same nicknames, display names and claimed-id oids.
DEMO_PEOPLE = [
    {"name": "ada", "display_name": "Ada Lovelace", "karma": 1815,
     "openid_identifier": "https://login.ubuntu.com/+id/Ad4Memb"},
    {"name": "kim", "display_name": "Kim Kubuntu", "karma": 642,
     "openid_identifier": "https://login.ubuntu.com/+id/Kd7Kmbr"},
    {"name": "nate", "display_name": "Nate Newcomer", "karma": 0,
     "openid_identifier": "https://login.ubuntu.com/+id/N8nMemb"},
    {"name": "pat", "display_name": "Pat Private", "karma": 230,
     "openid_identifier": "https://login.ubuntu.com/+id/Pr7wcy3"},
]
DEMO_TEAMS = [
    {"name": "ubuntumembers", "display_name": "Ubuntu Members", "members": ["ada", "pat"]},
    {"name": "kubuntu-members", "display_name": "Kubuntu Members", "members": ["kim"]},
    # The other mapped teams exist, without demo members: the demo's /my
    # says "not a member" rather than "not checked yet" for them.
    {"name": "lubuntu-members", "display_name": "Lubuntu Members", "members": []},
    {"name": "edubuntu-members", "display_name": "Edubuntu Members", "members": []},
    {"name": "ubuntu-smtp-test", "display_name": "Ubuntu SMTP test", "members": []},
    {"name": "ubuntustudio-core", "display_name": "Ubuntu Studio Core", "members": []},
]

# Fault step keys (see README): how a scripted request is answered.
STEP_KEYS = {"status", "body", "content_type", "html", "headers", "oops", "retry_after",
             "delay_ms", "reset", "truncate", "close", "entry", "drop", "redact", "page",
             "next", "total_size_delta"}


ControlError = fakebase.ControlError


# ------------------------------------------------------------- validation --

def _check(cond, text):
    if not cond:
        raise ControlError(text)


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _name(v, what="name"):
    _check(isinstance(v, str) and NAME_RE.fullmatch(v) is not None,
           "%s must be a Launchpad name ([a-z0-9][a-z0-9+.-]+), got %r" % (what, v))
    return v


def _as_list(data, what):
    if isinstance(data, dict):
        return [data]
    _check(isinstance(data, list) and all(isinstance(x, dict) for x in data),
           "%s must be an object or a list of objects" % what)
    return data


def update_person(old, obj, is_team=None):
    """Merge the fixture keys of obj into old (None: a new record with defaults)."""
    p = dict(old) if old else None
    team = obj.get("is_team", is_team if is_team is not None else (p or {}).get("is_team", False))
    _check(isinstance(team, bool), "is_team must be a boolean")
    if p is None:
        p = {"name": obj.get("name"), "display_name": None, "is_valid": True,
             "is_ubuntu_coc_signer": not team, "karma": 0 if team else 10, "is_team": team,
             "private": False, "openid_identifier": None, "account_status": "Active"}
    for k in PERSON_KEYS:
        if k not in obj:
            continue
        v = obj[k]
        if k in ("is_valid", "is_ubuntu_coc_signer", "is_team", "private"):
            _check(isinstance(v, bool), "%s must be a boolean" % k)
        elif k == "karma":
            _check(_is_int(v) and v >= 0, "karma must be an integer >= 0")
        elif k in ("display_name", "account_status"):
            _check(isinstance(v, str) and v, "%s must be a non-empty string" % k)
        elif k == "openid_identifier":
            _check(v is None or isinstance(v, str), "openid_identifier must be a string or null")
        p[k] = v
    p["is_team"] = team
    _name(p["name"])
    if not p["display_name"]:
        p["display_name"] = p["name"]
    return p


def _step(v):
    """Validate one fault step; returns its normal form (a dict)."""
    if _is_int(v):
        _check(100 <= v <= 599, "status step must be an HTTP status")
        return {"status": v}
    if v in ("reset", "truncate"):
        return {v: True}
    _check(isinstance(v, dict), "a step is a status, \"reset\", \"truncate\" or an object")
    extra = set(v) - STEP_KEYS
    _check(not extra, "unknown step keys: %s" % ", ".join(sorted(extra)))
    s = dict(v)
    if "status" in s:
        _check(_is_int(s["status"]) and 100 <= s["status"] <= 599, "status must be an HTTP status")
    for k in ("delay_ms", "retry_after", "total_size_delta"):
        if k in s:
            _check(_is_int(s[k]) and (k == "total_size_delta" or s[k] >= 0),
                   "%s must be an integer" % k)
    for k in ("body", "content_type"):
        if k in s:
            _check(isinstance(s[k], str), "%s must be a string" % k)
    for k in ("html", "reset", "close"):
        if k in s:
            _check(isinstance(s[k], bool), "%s must be a boolean" % k)
    if "truncate" in s:
        _check(isinstance(s["truncate"], bool) or (_is_int(s["truncate"]) and s["truncate"] >= 0),
               "truncate must be true or a byte count")
    if "oops" in s:
        _check(isinstance(s["oops"], (bool, str)), "oops must be true or an OOPS id")
    for k in ("headers", "entry", "page"):
        if k in s:
            _check(isinstance(s[k], dict), "%s must be an object" % k)
    if "headers" in s:
        _check(all(isinstance(x, str) and "\n" not in x and "\r" not in x
                   for kv in s["headers"].items() for x in kv), "headers must map strings to strings")
    for k in ("drop", "redact"):
        if k in s:
            _check(isinstance(s[k], list) and all(isinstance(x, str) for x in s[k]),
                   "%s must be a list of keys" % k)
    if "next" in s:
        _check(isinstance(s["next"], str) or s["next"] is None,
               "next must be \"foreign\", \"loop\", a URL or null")
    return s


def normalize_config(obj, current):
    _check(isinstance(obj, dict), "config must be an object")
    extra = set(obj) - {"page_size", "latency_ms"}
    _check(not extra, "unknown config keys: %s" % ", ".join(sorted(extra)))
    cfg = dict(current)
    if "page_size" in obj:
        v = obj["page_size"]
        _check(_is_int(v) and 1 <= v <= MAX_PAGE_SIZE, "page_size must be 1..%d" % MAX_PAGE_SIZE)
        cfg["page_size"] = v
    if "latency_ms" in obj:
        v = obj["latency_ms"]
        _check(_is_int(v) and 0 <= v <= 600000, "latency_ms must be an integer >= 0")
        cfg["latency_ms"] = v
    return cfg


def oid_of(identifier):
    """The part after /+id/ (Launchpad matches any login.ubuntu.com/launchpad.net root)."""
    if not identifier:
        return None
    i = identifier.rfind("/+id/")
    return identifier[i + 5:] if i >= 0 else identifier


# ------------------------------------------------------------------ state --

class Fake(fakebase.RequestLog):
    def __init__(self, base, demo=False, seed=None, log_path=None, page_size=DEFAULT_PAGE_SIZE,
                 latency_ms=0):
        self.base = base.rstrip("/")
        self.demo = demo
        self.lock = threading.RLock()
        self.rng = random.Random(seed) if seed is not None else random.SystemRandom()
        # The object address in the 404 text, fixed for the process like a real one.
        self.app_addr = "0x7f%010x" % self.rng.getrandbits(40)
        self.default_config = {"page_size": page_size, "latency_ms": latency_ms}
        fakebase.RequestLog.__init__(self, log_path, MAX_LOG_ENTRIES)
        self._reset()

    def _reset(self):
        self.people = {}            # name -> person record (teams too)
        self.teams = {}             # name -> {"members": [...], "subteams": [...], "owner"}
        self.config = dict(self.default_config)
        self.faults = {}            # path prefix -> [step, ...]
        self.cache = {}
        if self.demo:
            self.load_people(DEMO_PEOPLE)
            self.load_teams(DEMO_TEAMS)

    def reset(self):
        with self.lock:
            self._reset()
        with self.log_lock:
            self.requests = []

    # -- fixtures ---------------------------------------------------------

    def load_people(self, data):
        with self.lock:
            people = dict(self.people)
            teams = dict(self.teams)
            names = []
            for obj in _as_list(data, "people"):
                extra = set(obj) - set(PERSON_KEYS)
                _check(not extra, "unknown person keys: %s" % ", ".join(sorted(extra)))
                name = _name(obj.get("name"))
                p = update_person(people.get(name), obj)
                people[name] = p
                if p["is_team"]:
                    teams.setdefault(name, {"members": [], "subteams": [], "owner": None})
                else:
                    teams.pop(name, None)
                names.append(name)
            self._commit(people, teams)
            return names

    def load_teams(self, data):
        with self.lock:
            people = dict(self.people)
            teams = dict(self.teams)
            names = []
            objs = _as_list(data, "teams")
            for obj in objs:         # first pass: every team exists, so they may refer to each other
                extra = set(obj) - set(TEAM_KEYS)
                _check(not extra, "unknown team keys: %s" % ", ".join(sorted(extra)))
                _check(obj.get("is_team", True) is True, "a team has is_team true")
                name = _name(obj.get("name"))
                old = people.get(name)
                _check(old is None or old["is_team"], "~%s is a person, not a team" % name)
                people[name] = update_person(
                    old, {k: v for k, v in obj.items() if k in PERSON_KEYS}, is_team=True)
                t = dict(teams.get(name) or {"members": [], "subteams": [], "owner": None})
                for k in ("members", "subteams"):
                    if k in obj:
                        v = obj[k]
                        _check(isinstance(v, list), "%s must be a list of names" % k)
                        t[k] = [_name(x, k[:-1]) for x in v]
                if "owner" in obj:
                    _check(obj["owner"] is None or isinstance(obj["owner"], str),
                           "owner must be a name or null")
                    t["owner"] = obj["owner"]
                teams[name] = t
                names.append(name)
            for name in names:
                t = teams[name]
                for m in t["members"] + t["subteams"] + ([t["owner"]] if t["owner"] else []):
                    _check(m in people, "~%s: unknown person or team ~%s (load people first)"
                           % (name, m))
                    _check(m != name, "~%s cannot be a member of itself" % name)
                for m in t["subteams"]:
                    _check(people[m]["is_team"], "~%s: subteam ~%s is not a team" % (name, m))
            self._commit(people, teams)
            return names

    def delete_people(self, data):
        _check(isinstance(data, list) and all(isinstance(x, str) for x in data),
               "delete takes a list of names")
        with self.lock:
            people = {k: v for k, v in self.people.items() if k not in data}
            teams = {}
            for k, t in self.teams.items():
                if k in data:
                    continue
                teams[k] = {"members": [m for m in t["members"] if m not in data],
                            "subteams": [m for m in t["subteams"] if m not in data],
                            "owner": None if t["owner"] in data else t["owner"]}
            self._commit(people, teams)

    def rename(self, data):
        """Launchpad renames: {"from": old, "to": new} (or a list).  The record,
        its openid_identifier and its place in every team go with it; the old
        name is free afterwards (404 until someone takes it)."""
        with self.lock:
            people = dict(self.people)
            teams = {k: dict(v) for k, v in self.teams.items()}
            done = []
            for obj in _as_list(data, "renames"):
                _check(set(obj) == {"from", "to"}, "a rename is {\"from\": name, \"to\": name}")
                old, new = _name(obj["from"], "from"), _name(obj["to"], "to")
                _check(old in people, "~%s: no such person or team" % old)
                _check(new not in people, "~%s is taken" % new)
                people[new] = dict(people.pop(old), name=new)
                if old in teams:
                    teams[new] = teams.pop(old)
                for t in teams.values():
                    for k in ("members", "subteams"):
                        t[k] = [new if m == old else m for m in t[k]]
                    if t["owner"] == old:
                        t["owner"] = new
                done.append(new)
            self._commit(people, teams)
            return done

    def _commit(self, people, teams):
        self.people, self.teams = people, teams
        self.cache = {}

    # -- queries ----------------------------------------------------------

    def sort_key(self, name):
        p = self.people[name]
        return (p["display_name"].casefold(), name)

    def direct(self, team):
        t = self.teams.get(team)
        if not t:
            return []
        return list(dict.fromkeys(t["members"] + t["subteams"]))

    def collection(self, team, kind):
        """Ordered names (private ones included) of team's members or participants."""
        with self.lock:
            key = (team, kind)
            if key in self.cache:
                return self.cache[key]
            if kind == "members":
                names = self.direct(team)
            elif kind == "participants":
                seen, todo = {}, list(self.direct(team))
                while todo:
                    m = todo.pop()
                    if m in seen or m == team:
                        continue
                    seen[m] = True
                    if self.people[m]["is_team"]:
                        todo.extend(self.direct(m))
                names = list(seen)
            else:
                names = []
            names.sort(key=self.sort_key)
            self.cache[key] = names
            return names

    def visible(self, name):
        with self.lock:
            p = self.people.get(name)
            return p if p and not p["private"] else None

    def by_openid(self, identifier):
        want = oid_of(identifier)
        with self.lock:
            for p in self.people.values():
                if p["openid_identifier"] and oid_of(p["openid_identifier"]) == want:
                    return p
        return None

    def entry(self, p, ver):
        """p's representation in API version ver, a copy (faults edit it).
        Built once per version of the data: a page of 300 people would
        otherwise cost the fake more CPU than the client that reads it,
        on the cores a benchmark measures."""
        key = ("entry", p["name"], ver)
        if key not in self.cache:
            self.cache[key] = self._entry(p, ver)
        return dict(self.cache[key])

    def _entry(self, p, ver):
        name = p["name"]
        root = "%s/%s/" % (self.base, ver)
        me = root + "~" + name
        team = p["is_team"]
        t = self.teams.get(name) or {}
        owner = t.get("owner") or next(
            (m for m in t.get("members", []) if not self.people[m]["is_team"]), None)
        day = zlib.crc32(name.encode()) % 5000
        created = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(1104537600 + day * 86400 + day * 7))
        e = {
            "self_link": me,
            "web_link": "%s/~%s" % (WEB_BASE, name),
            "resource_type_link": root + ("#team" if team else "#person"),
            "http_etag": None,
            "id": REDACTED,
            "name": name,
            "display_name": p["display_name"],
            "is_team": team,
            "is_valid": p["is_valid"],
            "is_ubuntu_coc_signer": p["is_ubuntu_coc_signer"],
            "is_probationary": (not team) and p["karma"] == 0,
            "karma": p["karma"],
            "private": p["private"],
            "visibility": "Private" if p["private"] else "Public",
            "date_created": "%s.%06d+00:00" % (created, day * 97 % 1000000),
            "time_zone": "UTC",
            "description": None,
            "homepage_content": None,
            "hide_email_addresses": True,
            "latitude": None,
            "longitude": None,
            "mailing_list_auto_subscribe_policy": "Ask me when I join a team",
            "archive_link": None,
            "logo_link": me + "/logo",
            "mugshot_link": me + "/mugshot",
            "team_owner_link": (root + "~" + owner) if team and owner else None,
            "preferred_email_address_link": REDACTED,
            "team_description": "The %s team." % p["display_name"] if team else None,
            "membership_policy": "Restricted Team" if team else None,
            "subscription_policy": "Restricted Team" if team else None,
            "renewal_policy": "invite them to apply for renewal" if team else None,
            "default_membership_period": 730 if team else None,
            "default_renewal_period": 365 if team else None,
        }
        for c in SERVED_COLLECTIONS + OTHER_COLLECTIONS:
            e[c + "_collection_link"] = "%s/%s" % (me, c)
        if ver == "devel":
            e["account_status"] = p["account_status"]
            e["account_status_history"] = REDACTED
        digest = hashlib.sha1(json.dumps(e, sort_keys=True).encode()).hexdigest()
        e["http_etag"] = '"%s-%s"' % (digest, hashlib.sha1((ver + name).encode()).hexdigest())
        return e

    # -- faults -----------------------------------------------------------

    def arm(self, data):
        _check(isinstance(data, dict), "faults must be an object {path_prefix: [steps]}")
        staged = {k: list(v) for k, v in self.faults.items()}
        for prefix, steps in data.items():
            _check(prefix.startswith("/") and not prefix.startswith("/_fake/"),
                   "path prefix must start with / (and not /_fake/): %r" % prefix)
            if not isinstance(steps, list):
                steps = [steps]
            staged.setdefault(prefix, []).extend(_step(s) for s in steps)
        with self.lock:
            self.faults = {k: v for k, v in staged.items() if v}
            return self.faults

    def take_step(self, target):
        """Pop the next step of the longest armed prefix of target (path + query)."""
        with self.lock:
            best = None
            for prefix, steps in self.faults.items():
                if steps and target.startswith(prefix) and (best is None or len(prefix) > len(best)):
                    best = prefix
            if best is None:
                return None
            step = self.faults[best].pop(0)
            if not self.faults[best]:
                del self.faults[best]
            return step

    def oops_id(self):
        with self.lock:
            return "OOPS-%x" % self.rng.getrandbits(40)

    # -- control API ------------------------------------------------------

    def control(self, method, path, query, data):
        """Returns (status, json-able object); the query is not used."""
        if method == "GET":
            with self.lock:
                if path == "/_fake/people":
                    return 200, sorted(self.people.values(), key=lambda p: p["name"])
                if path == "/_fake/teams":
                    return 200, {k: dict(v, participants=self.collection(k, "participants"))
                                 for k, v in sorted(self.teams.items())}
                if path == "/_fake/config":
                    return 200, {"ok": True, "config": self.config}
                if path == "/_fake/faults":
                    return 200, self.faults
            if path == "/_fake/requests":
                with self.log_lock:
                    return 200, list(self.requests)
        elif method == "POST":
            if path == "/_fake/people":
                return 200, {"ok": True, "people": self.load_people(data)}
            if path == "/_fake/people/rename":
                return 200, {"ok": True, "people": self.rename(data)}
            if path == "/_fake/people/delete":
                self.delete_people(data)
                return 200, {"ok": True}
            if path == "/_fake/teams":
                return 200, {"ok": True, "teams": self.load_teams(data)}
            if path == "/_fake/config":
                with self.lock:
                    self.config = normalize_config(data, self.config)
                    return 200, {"ok": True, "config": self.config}
            if path == "/_fake/faults":
                return 200, {"ok": True, "armed": self.arm(data)}
            if path == "/_fake/faults/clear":
                with self.lock:
                    self.faults = {}
                return 200, {"ok": True, "armed": {}}
            if path == "/_fake/reset":
                self.reset()
                return 200, {"ok": True}
            if path == "/_fake/requests/clear":
                with self.log_lock:
                    self.requests = []
                return 200, {"ok": True}
        return 404, {"ok": False, "error": "no such control endpoint: %s %s" % (method, path)}


# ---------------------------------------------------------------- the API --

class Answer:
    """A response before fault steps touch it: obj is JSON-able, or text is bytes."""
    def __init__(self, status, obj=None, text=None, ctype="application/json", headers=None):
        self.status, self.obj, self.text, self.ctype = status, obj, text, ctype
        self.headers = list(headers or [])
        self.is_json = text is None


def text_answer(status, text, headers=None):
    return Answer(status, text=text.encode("utf-8"), ctype="text/plain;charset=utf-8",
                  headers=headers)


def api(fake, path, query):
    """GET <path>?<query> on the API -> Answer."""
    params = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
    parts = path.split("/")       # ["", ver, rest...]
    if len(parts) < 2 or parts[1] not in VERSIONS:
        return text_answer(404, "Object: <lp.systemhomes.WebServiceApplication object at %s>, "
                                "name: %r" % (fake.app_addr, parts[1] if len(parts) > 1 else ""))
    ver, rest = parts[1], parts[2:]
    root = "%s/%s/" % (fake.base, ver)

    def not_found(name):
        return text_answer(404, "Object: <lp.systemhomes.WebServiceApplication object at %s>, "
                                "name: '%s'" % (fake.app_addr, name))
    if rest in ([], [""]):
        return Answer(200, {"people_collection_link": root + "people",
                            "resource_type_link": root + "#service-root"})
    if rest == ["people"]:
        op = params.get("ws.op")
        if op is None:
            return text_answer(400, "This fake lists no people; use ws.op=getByOpenIDIdentifier.")
        if op != "getByOpenIDIdentifier" or ver != "devel":
            return text_answer(400, "No such operation: %s" % op)
        ident = params.get("identifier")
        if not ident:
            return text_answer(400, "identifier: Required input is missing.")
        p = fake.by_openid(ident)
        if p is None or p["private"]:
            return Answer(200, None)
        with fake.lock:
            return Answer(200, fake.entry(p, ver))
    if not rest[0].startswith("~"):
        return not_found(rest[0])
    name = rest[0][1:]
    p = fake.visible(name) if NAME_RE.fullmatch(name) else None
    if p is None:
        return not_found(rest[0])
    if len(rest) == 1:
        with fake.lock:
            e = fake.entry(p, ver)
        return Answer(200, e, headers=[("ETag", e["http_etag"])])
    if len(rest) != 2 or rest[1] not in SERVED_COLLECTIONS + OTHER_COLLECTIONS:
        return text_answer(404, "Object: <lp.registry.model.person.Person object at %s>, "
                                "name: '%s'" % (fake.app_addr, "/".join(rest[1:])))
    kind = rest[1]
    with fake.lock:
        size = fake.config["page_size"]
    try:
        if "ws.size" in params:
            size = int(params["ws.size"])
        start = int(params.get("ws.start", "0"))
    except ValueError:
        return text_answer(400, "Invalid value for ws.size or ws.start: not an integer.")
    if size > MAX_PAGE_SIZE:
        return text_answer(400, 'Maximum for "ws.size" parameter is %d.' % MAX_PAGE_SIZE)
    if size < 1 or start < 0:
        return text_answer(400, "Invalid value for ws.size or ws.start: must be positive.")
    with fake.lock:
        names = fake.collection(name, kind) if kind in SERVED_COLLECTIONS else []
        # The batch is cut first, then private rows are hidden: total_size over-counts.
        entries = [fake.entry(fake.people[n], ver) for n in names[start:start + size]
                   if not fake.people[n]["private"]]
    link = "%s~%s/%s?ws.size=%d&memo=%%d&ws.start=%%d" % (root, name, kind, size)
    page = {"total_size": len(names), "start": start, "entries": entries,
            "resource_type_link": root + "#person-page-resource"}
    if start + size < len(names):
        page["next_collection_link"] = link % (start + size, start + size)
    if start > 0:
        prev = max(0, start - size)
        page["prev_collection_link"] = link % (prev, prev)
    return Answer(200, page)


def apply_step(fake, ans, step, path):
    """Data faults of a step on a JSON answer (entries, page fields, links)."""
    obj = ans.obj

    def touch(e):
        if isinstance(e, dict):
            e.update(step.get("entry", {}))
            for k in step.get("redact", []):
                e[k] = REDACTED
            for k in step.get("drop", []):
                e.pop(k, None)
    if isinstance(obj, dict) and "entries" in obj:
        for e in obj["entries"]:
            touch(e)
        if "total_size_delta" in step:
            obj["total_size"] += step["total_size_delta"]
        if "next" in step:
            nxt = step["next"]
            size = re.search(r"ws\.size=(\d+)", obj.get("next_collection_link")
                             or obj.get("prev_collection_link") or "")
            size = int(size.group(1)) if size else max(1, len(obj["entries"]))
            start = obj["start"] + size
            if nxt is None:
                obj.pop("next_collection_link", None)
            elif nxt == "loop":         # back to the first page
                obj["next_collection_link"] = "%s%s?ws.size=%d" % (fake.base, path, size)
            elif nxt == "foreign":      # the right next page, on another host
                obj["next_collection_link"] = "http://evil.example%s?ws.size=%d&memo=%d&ws.start=%d" % (
                    path, size, start, start)
            else:
                obj["next_collection_link"] = nxt
        obj.update(step.get("page", {}))
    else:
        touch(obj)


HTML_ERROR = ("<html>\r\n<head><title>{0} {1}</title></head>\r\n<body>\r\n"
              "<center><h1>{0} {1}</h1></center>\r\n<hr><center>nginx</center>\r\n"
              "</body>\r\n</html>\r\n")


# ---------------------------------------------------------------- handler --

class Handler(fakebase.BaseHandler):
    server_version = "FakeLaunchpad/1.0"
    log_name = "launchpad"
    # Headers and body go out in separate writes: with Nagle's algorithm
    # the body waits for the client's delayed ACK (40 ms on Linux), which
    # Launchpad's front ends do not add; latency_ms is the knob for delays.
    disable_nagle_algorithm = True

    # Launchpad answers every method; the API is read-only here.
    def do_PUT(self):
        self.dispatch("PUT")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def do_PATCH(self):
        self.dispatch("PATCH")

    def respond(self, status, body=b"", ctype="text/plain;charset=utf-8", headers=(),
                cut=None):
        """cut: send only this many body bytes, then close (Content-Length stays)."""
        self.entry["status"] = status
        self.send_response(status)
        if body or status not in (204, 304):
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        if cut is not None:
            self.close_connection = True
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body if cut is None else body[:cut])

    def route(self, method, path, query, body):
        if path.startswith("/_fake/"):
            self.control(method, path, query, body)
        else:
            self.api(method, path, query)

    def reset_connection(self):
        """Abort the TCP connection (RST) without answering."""
        self.entry["status"] = "reset"
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass

    def api(self, method, path, query):
        fake = self.server.fake
        with fake.lock:
            latency = fake.config["latency_ms"]
        if latency:
            time.sleep(latency / 1000.0)
        step = fake.take_step(self.path)
        if step is not None:
            self.entry["fault"] = step
            if step.get("delay_ms"):
                time.sleep(step["delay_ms"] / 1000.0)
            if step.get("reset"):
                return self.reset_connection()
        step = step or {}
        if method not in ("GET", "HEAD"):
            return self.respond(405, b"Method not allowed\n", headers=[("Allow", "GET")])
        status = step.get("status", 200)
        headers = [(k, v) for k, v in step.get("headers", {}).items()]
        if "retry_after" in step:
            headers.append(("Retry-After", str(step["retry_after"])))
        if step.get("oops") or (status == 500 and "body" not in step):
            oops = step["oops"] if isinstance(step.get("oops"), str) else fake.oops_id()
            headers.append(("X-Lazr-OopsId", oops))
        if "body" in step or status != 200:
            # A canned answer: the request is not processed.
            reason = self.responses.get(status, ("Error",))[0]
            if "body" in step:
                text = step["body"]
                ctype = step.get("content_type", "application/json")
            elif step.get("html") or status in (502, 504):
                text = HTML_ERROR.format(status, reason)
                ctype = "text/html"
            else:
                text = "%d %s\n" % (status, reason)
                ctype = "text/plain;charset=utf-8"
            return self.send_answer(Answer(status, text=text.encode("utf-8"),
                                           ctype=step.get("content_type", ctype), headers=headers),
                                    step)
        ans = api(fake, path, query)
        if ans.is_json and ans.status == 200:
            apply_step(fake, ans, step, path)
        ans.headers += headers
        return self.send_answer(ans, step)

    def send_answer(self, ans, step):
        body = ans.text if not ans.is_json else (json.dumps(ans.obj) + "\n").encode("utf-8")
        cut = None
        t = step.get("truncate")
        if t is not None and t is not False:
            n = len(body) // 2 if t is True else min(t, len(body))
            if step.get("close"):
                cut = n                 # full Content-Length, short body, connection closed
            else:
                body = body[:n]         # a complete response whose JSON is cut short
        self.respond(ans.status, body, ans.ctype, ans.headers, cut=cut)




# ------------------------------------------------------------------- main --

def main(argv=None):
    ap = argparse.ArgumentParser(description="Fake Launchpad REST API")
    ap.add_argument("--port", type=int, required=True, help="port to listen on (0 = any free port)")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--base", help="public base URL (default http://HOST:PORT); the API root "
                    "is BASE/1.0/")
    ap.add_argument("--log", help="append every request (JSON lines) to this file")
    ap.add_argument("--demo", action="store_true",
                    help="load the demo fixtures (the fake Ubuntu One's demo users)")
    ap.add_argument("--seed", type=int, help="seed the RNG (404 object address, OOPS ids)")
    ap.add_argument("--page-size", type=int, default=DEFAULT_PAGE_SIZE,
                    help="default ws.size (default %(default)s)")
    ap.add_argument("--latency-ms", type=int, default=0,
                    help="added to every API request (default %(default)s)")
    ap.add_argument("--max-body", type=int, default=32 * 1024 * 1024,
                    help="largest accepted request body in bytes (fixtures)")
    ap.add_argument("--verbose", action="store_true", help="access log on stderr")
    args = ap.parse_args(argv)
    try:
        normalize_config({"page_size": args.page_size, "latency_ms": args.latency_ms}, {})
    except ControlError as e:
        ap.error(str(e))

    server = fakebase.Server((args.host, args.port), Handler)
    port = server.server_address[1]
    base = args.base or "http://%s:%d" % (args.host, port)
    server.fake = Fake(base, demo=args.demo, seed=args.seed, log_path=args.log,
                       page_size=args.page_size, latency_ms=args.latency_ms)
    server.max_body = args.max_body
    server.verbose = args.verbose

    return fakebase.serve(server, "launchpad.py", args.base and base)


if __name__ == "__main__":
    sys.exit(main())
