"""tests/lint_i18n.py - the translation checks of tests/lint (`make lint`).

    catalogue  po/membermail.pot is what `make update-po` makes of the
               sources now (POT-Creation-Date aside), and every po/<ll>.po
               has a translation of each of its msgids, none fuzzy
               (msgfmt --check --statistics; msgcmp).
    templates  every text a person reads in views/templates/*.tpl is in a
               [[...]] marker (views/markers.h): outside markers, comments,
               {{...}} and tags, no letters are left, nor in the attributes
               read out or shown (title, alt, placeholder, aria-label, an
               input's value, unless it is a hidden, radio or checkbox
               input's or an option's: what the form sends); names may
               stand alone (NAMES).
    strings    in the C that makes pages, mails and API answers (handlers/,
               app/http/, app/rules/), a string literal that reads as prose
               (two words) is an argument of tr(), trn(), trc(), N_() or
               NC_(), or of a log call, or a log line's format or a media
               type; OPERATORS lists the functions (or whole files) whose
               words only operators read (start-up errors, the probes).

TODO_TEMPLATES and TODO_C list what is still being converted: a file there
is not checked.  The lists only shrink; a new file is checked from the
start.

Standard library only; the catalogue check needs gettext's tools.
"""

import filecmp
import os
import re
import shutil
import subprocess
import tempfile

# Not converted yet (the lists only shrink).
TODO_TEMPLATES = {
    "admin_domains.tpl", "admin_user.tpl", "alias.tpl", "domain.tpl",
    "my.tpl", "tokens.tpl",
}
TODO_C = {
    "handlers/domain.c", "handlers/my.c",
}

# Words a template may show untranslated: names.
NAMES = {"membermail", "Launchpad", "Ubuntu", "One"}

# Whose words only operators read: file -> its functions (None: all).
OPERATORS = {
    "app/http/route.c": {"params_problem", "row_problem", "route_table_check"},
    "app/rules/pending.c": {"accept_tx"},
    "handlers/health.c": None,
    "handlers/test_hooks.c": None,
}
NOT_PROSE = re.compile(r'^[\w.+-]+/[\w.+-]+(; ?charset=[\w-]+)?$|event=|\w=%|'
                       r'\w=\\"|^[A-Z][\w-]+: ')
# Functions of a file that only log what they are given, or hand it to
# the operators' alerts (the sync's).
LOG_HELPERS = {"app/rules/notify.c": {"refused"},
               "app/rules/provision.c": {"prov_fail"}}

HUMAN_ATTRS = re.compile(
    r'\s(?:title|alt|placeholder|aria-label|value)="([^"]*)"')
PROSE = re.compile(r"[A-Za-z]{2,}[,.:;!?]? [a-z]{2,}")
MARKING = {"tr", "trn", "trc", "N_", "NC_"}
LOGGING = re.compile(r"^(log_\w+|LOG_\w+|cli_v?warnx)$")
STRING_DIRS = ("handlers", "app/http", "app/rules")


# ---------------------------------------------------------------- catalogue

def _pot_body(path):
    with open(path, encoding="utf-8") as f:
        return [ln for ln in f.read().splitlines()
                if not ln.startswith('"POT-Creation-Date:')]


def check_catalogue(root, fail):
    tools = [shutil.which(t) for t in ("xgettext", "msgcat", "msgfmt",
                                        "msgcmp")]
    if None in tools:
        fail("catalogue", "po/", "gettext's tools are missing (apt-get "
             "install gettext; tests/run does)")
        return
    pot = os.path.join(root, "po", "membermail.pot")
    with tempfile.TemporaryDirectory() as tmp:
        fresh = os.path.join(tmp, "membermail.pot")
        res = subprocess.run([os.path.join(root, "po", "update-po"), "--pot",
                              fresh, root], capture_output=True, text=True)
        if res.returncode != 0:
            fail("catalogue", "po/update-po", (res.stderr or res.stdout)
                 .strip()[:2000])
            return
        if not os.path.isfile(pot) or _pot_body(pot) != _pot_body(fresh):
            fail("catalogue", "po/membermail.pot", "not what the sources "
                 "say now: run `make update-po`, translate what it marks, "
                 "and commit po/")
    for name in sorted(os.listdir(os.path.join(root, "po"))):
        if not name.endswith(".po"):
            continue
        po = os.path.join(root, "po", name)
        res = subprocess.run(["msgfmt", "--check", "--statistics", "-o",
                              os.devnull, po], capture_output=True, text=True)
        stats = (res.stderr + res.stdout).strip()
        if res.returncode != 0 or "fuzzy" in stats or "untranslated" in stats:
            fail("catalogue", "po/" + name, stats[:2000])
        res = subprocess.run(["msgcmp", po, pot], capture_output=True,
                             text=True)
        if res.returncode != 0:
            fail("catalogue", "po/" + name, "lacks msgids of the template "
                 "(run `make update-po`): " + res.stderr.strip()[:1000])


# ---------------------------------------------------------------- templates

def _machine_value(text, m):
    """Whether attribute match m is the value of a hidden, radio or
    checkbox input or of an option: what the form sends, not what a
    person reads (the option's text and the input's label are)."""
    if not m.group(0).lstrip().startswith("value="):
        return False
    tag = text[text.rfind("<", 0, m.start()):m.end()]
    return bool(re.match(r"<option\b", tag) or re.search(
        r"""\stype=["']?(?:hidden|radio|checkbox)\b""", tag))


def _unmarked(text):
    """What is left of a template's text once markers, comments, {{...}}
    and tags are taken out: (line, words) of each piece with letters, and
    (line, attribute value) of each human attribute not marked."""
    out = []

    def blank(m):
        return re.sub(r"[^\n]", " ", m.group(0))
    text = re.sub(r"\{\{!.*?\}\}", blank, text, flags=re.S)
    text = re.sub(r"\[\[.*?\]\]", blank, text, flags=re.S)
    for m in HUMAN_ATTRS.finditer(text):
        if _machine_value(text, m):
            continue
        value = re.sub(r"\{\{[^}]*\}\}", "", m.group(1))
        if re.search(r"[^\W\d_]", value):
            out.append((text.count("\n", 0, m.start()) + 1, m.group(0).strip()))
    text = re.sub(r"\{\{.*?\}\}", blank, text, flags=re.S)
    text = re.sub(r"<[^>]*>", blank, text, flags=re.S)
    for n, line in enumerate(text.split("\n"), 1):
        words = [w for w in re.findall(r"\S+", line)
                 if re.search(r"[^\W\d_]", w) and not re.search(r"[@/.]", w)
                 and w.strip("[]~()") not in NAMES]
        if words:
            out.append((n, " ".join(words)))
    return out


def check_templates(root, fail):
    tdir = os.path.join(root, "views", "templates")
    for name in sorted(os.listdir(tdir)):
        if not name.endswith(".tpl") or name in TODO_TEMPLATES:
            continue
        with open(os.path.join(tdir, name), encoding="utf-8") as f:
            text = f.read()
        for n, what in _unmarked(text):
            fail("templates", "views/templates/%s:%d" % (name, n),
                 "text outside [[...]]: %s" % what[:80])


# ---------------------------------------------------------------- strings

def _literals(text):
    """(offset, contents) of each string literal outside comments."""
    i, n = 0, len(text)
    while i < n:
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j == -1 else j + 2
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j == -1 else j
        elif text[i] in "\"'":
            j = i + 1
            while j < n and text[j] != text[i] and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            if text[i] == '"':
                yield i, text[i + 1:j]
            j = min(j + 1, n)
        else:
            j = i + 1
        i = j


def _enclosing_call(code, i):
    """The name of the call whose argument list holds offset i of code
    (strings blanked), or None at statement or initializer level."""
    depth = 0
    while i > 0:
        i -= 1
        c = code[i]
        if c == ")":
            depth += 1
        elif c == "(":
            if depth == 0:
                m = re.search(r"([A-Za-z_]\w*)\s*$", code[:i])
                return m.group(1) if m else None
            depth -= 1
        elif c in ";{}" and depth == 0:
            return None
    return None


def _function_at(text, off):
    """The name of the function defined around offset off (BSD style: the
    name starts its line), or None."""
    names = re.findall(r"^([A-Za-z_]\w*)\(", text[:off], re.M)
    return names[-1] if names else None


def _for_operators(rel, text, off):
    if rel not in OPERATORS:
        return False
    funcs = OPERATORS[rel]
    return funcs is None or _function_at(text, off) in funcs


def check_strings(root, fail, blank_code):
    for top in STRING_DIRS:
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
            dirnames.sort()
            for name in sorted(filenames):
                if not name.endswith(".c"):
                    continue
                rel = os.path.relpath(os.path.join(dirpath, name), root)
                if rel in TODO_C:
                    continue
                with open(os.path.join(root, rel), errors="replace") as f:
                    text = f.read()
                code = blank_code(text)
                for off, lit in _literals(text):
                    if not PROSE.search(lit) or NOT_PROSE.search(lit) or \
                            _for_operators(rel, text, off):
                        continue
                    if text.rfind("#", text.rfind("\n", 0, off) + 1, off) \
                            != -1:
                        continue        # a preprocessor line
                    call = _enclosing_call(code, off)
                    if call in MARKING or (call and LOGGING.match(call)) \
                            or call in LOG_HELPERS.get(rel, ()):
                        continue
                    fail("strings", "%s:%d" % (rel, text.count("\n", 0, off)
                                               + 1),
                         '"%s": prose a person may read, not marked: '
                         'tr(lang, "..."), or N_("...") to translate later'
                         % lit[:60])
