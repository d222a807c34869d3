#!/usr/bin/python3
"""Tests still waiting for their features (mail to non-ASCII addresses,
sign-in's next path, community logos): not imported by run.py until they
are built.  Each fails on today's code.
"""

import os
import re
import urllib.parse

import stack  # noqa: F401
import test_member as tm
import test_outbox as to
import test_signin as si
from run import Fail, check_app_error_page, expect, show, test  # noqa: F401
from test_provision import lit, q


# ---------------------------------------------------------------- logos

@test
def landing_logo_set_by_site_admin(env):
    import test_site_admin as sa
    logos = os.path.join(env.static, "logos")
    os.makedirs(logos, exist_ok=True)
    os.chmod(logos, 0o755)
    env.ensure_server()
    mark = os.path.join(logos, "kubuntu-mark.svg")
    with open(mark, "w") as f:
        f.write('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>\n')
    os.chmod(mark, 0o644)
    try:
        r = env.get("/kubuntu")
        expect(r.status == 200 and b'class="community-logo" src="/static/logo.svg"' in r.body,
               "the generic mark: %s", show(r, 3000))
        admin, _, uid = sa.signed_in(env, "logo", site_admin=True)
        token = admin.csrf("/admin/domains")
        before = sa.audit_count(env)
        for bad in ("../logo.svg", "nope.svg", "x.exe", ""):
            r = sa.post(admin, "/admin/domains/kubuntu.org/logo", {"logo": bad}, token)
            check_app_error_page(r, 422, "logo %r" % bad)
        expect(sa.audit_count(env) == before, "a refused logo wrote an audit row")
        r = sa.post(admin, "/admin/domains/kubuntu.org/logo", {"logo": "kubuntu-mark.svg"},
                    token)
        sa.expect_303(r, "/admin/domains?done=logo-changed", "set the logo")
        sa.expect_audit(env, before, uid, "domain.logo", "domain", "logo")
        r = env.get("/kubuntu")
        expect(b'class="community-logo" src="/static/logos/kubuntu-mark.svg"' in r.body,
               "the community's mark: %s", show(r, 3000))
        r = env.get("/static/logos/kubuntu-mark.svg")
        expect(r.status == 200 and r.header("Content-Type").startswith("image/svg+xml"),
               "the mark is not served: %s", show(r))
        r = env.get("/ubuntu")
        expect(b'class="community-logo" src="/static/logo.svg"' in r.body, "other pages keep "
               "the generic one: %s", show(r, 3000))
        r = sa.post(admin, "/admin/domains/kubuntu.org/logo", {"logo": "none"}, token)
        sa.expect_303(r, "/admin/domains?done=logo-changed", "unset the logo")
        expect(b'src="/static/logo.svg"' in env.get("/kubuntu").body, "unset")
    finally:
        os.unlink(mark)
        try:
            q(env, "UPDATE domains SET logo = NULL WHERE name = 'kubuntu.org'")
        except Exception:       # noqa: BLE001  (no such column before the logos)
            pass
