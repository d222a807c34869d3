#!/usr/bin/env node
'use strict';
/*
 * journeys.js - one journey through membermail in a real browser, at each
 * width its plan names: Debian's chromium driven by playwright-core, every
 * page checked by axe-core in the light and the dark colour scheme and
 * saved as full-page screenshots.
 *
 *   node tests/browser/journeys.js PLAN.json RESULT.json
 *
 * suite.py writes the plan and reads the result; it sets up the stack and
 * the people, and checks the database afterwards.  The plan:
 *   { "journey": NAME, "base": "http://127.0.0.1:PORT", "sso": FAKE_SSO_BASE,
 *     "shots": DIR, "widths": [ { "width": 375, ...what the journey needs } ] }
 * The result: { "widths": [ { "width", "ok", "error", "problems": [...],
 *   "pages": [ { "name", "path", "status", "axe": { "light", "dark" },
 *   "shots" } ], "out": {...what the journey hands back} } ] }.
 *
 * A width fails when the journey cannot go on (an assertion, a timeout), and
 * also when any page has a serious or critical axe violation, a console
 * error or a failed sub-resource; those are collected as problems so that
 * one run shows all of them.  Exit status 0 when every width passed.
 */

const fs = require('fs');
const path = require('path');
const { chromium, request } = require('playwright-core');
const axeSource = require('axe-core').source;

const CHROMIUM = process.env.MM_CHROMIUM || '/usr/bin/chromium';
// No network beyond loopback here: keep Chromium from trying (c.md).
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic',
    '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa',
    'best-practice'];
const FAILING_IMPACTS = ['serious', 'critical'];
const TIMEOUT_MS = 20000;

class Failure extends Error {}

function check(cond, message) {
    if (!cond)
        throw new Failure(message);
}

/* One journey at one width: a browser context, its page, what it saw. */
class Tour {
    constructor(browser, plan, data) {
        this.browser = browser;
        this.plan = plan;
        this.data = data;
        this.width = data.width;
        this.pages = [];
        this.problems = [];
        this.out = {};
        this.seq = 0;
        this.console = [];
        this.lastDocument = null;
    }

    async open() {
        const mobile = this.width < 600;
        this.context = await this.browser.newContext({
            viewport: { width: this.width, height: mobile ? 740 : 800 },
            isMobile: mobile,
            hasTouch: mobile,
            colorScheme: 'light',
            // No transitions half way when the colour scheme changes.
            reducedMotion: 'reduce',
            locale: 'en-GB',
            timezoneId: 'UTC',
        });
        this.context.setDefaultTimeout(TIMEOUT_MS);
        this.page = await this.context.newPage();
        this.watch(this.page);
    }

    watch(page) {
        page.on('console', (msg) => {
            if (msg.type() === 'error')
                this.console.push({ text: msg.text(), url: msg.location().url || page.url() });
        });
        page.on('pageerror', (err) => {
            this.console.push({ text: 'uncaught: ' + err.message, url: page.url() });
        });
        page.on('response', (resp) => {
            const req = resp.request();
            if (req.isNavigationRequest() && resp.frame() === page.mainFrame()) {
                this.lastDocument = resp;
                return;
            }
            if (resp.status() >= 400)
                this.problem('sub-resource', `${req.method()} ${resp.url()}: HTTP ${resp.status()}`);
        });
        page.on('requestfailed', (req) => {
            if (!req.isNavigationRequest())
                this.problem('sub-resource', `${req.method()} ${req.url()}: ${req.failure().errorText}`);
        });
    }

    async close() {
        if (this.other)
            await this.other.close().catch(() => {});
        if (this.context)
            await this.context.close();
    }

    problem(kind, text) {
        this.problems.push(`${kind}: ${text}`);
    }

    url(p) {
        return this.plan.base + p;
    }

    get path() {
        const u = new URL(this.page.url());
        return u.pathname + u.search;
    }

    /* Opens a path of ours and looks at it. */
    async go(p, name, opts = {}) {
        const resp = await this.page.goto(this.url(p), { waitUntil: 'load' });
        check(resp, `GET ${p}: no response`);
        return this.look(name, opts);
    }

    /* Clicks something that loads a page of ours, then looks at it. */
    async follow(locator, name, opts = {}) {
        await this.count(locator, 1, `to click for "${name}"`);
        await Promise.all([
            this.page.waitForNavigation({ waitUntil: 'load' }),
            locator.click(),
        ]);
        return this.look(name, opts);
    }

    async count(locator, n, what) {
        const have = await locator.count();
        check(have === n, `${this.path}: want ${n} element(s) ${what}, found ${have}`);
    }

    /*
     * The page as it is now: its status, then axe and a full-page
     * screenshot in each colour scheme, and the console since the last look.
     */
    async look(name, opts = {}) {
        const want = opts.status || 200;
        const doc = this.lastDocument;
        check(doc, `${name}: no document was loaded`);
        const status = doc.status();
        check(status === want, `${name} (${this.path}): HTTP ${status}, want ${want}`);
        check(this.page.url().startsWith(this.plan.base + '/'),
            `${name}: left membermail for ${this.page.url()}`);
        this.seq += 1;
        const rec = { name, path: this.path, status, axe: {}, shots: [] };
        await this.page.mouse.move(0, 0);       // nothing hovered in the pictures
        for (const scheme of ['light', 'dark']) {
            await this.page.emulateMedia({ colorScheme: scheme });
            rec.axe[scheme] = await this.axe();
            rec.shots.push(await this.shoot(name, scheme));
            for (const v of rec.axe[scheme])
                if (FAILING_IMPACTS.includes(v.impact))
                    this.problem('axe', `${name} (${rec.path}, ${scheme}): ${v.impact} ${v.id}: ${v.help}: ${v.nodes.map((n) => n.target).join(' | ')}`);
        }
        await this.page.emulateMedia({ colorScheme: 'light' });
        this.drainConsole(name, status);
        this.pages.push(rec);
        return rec;
    }

    /* A document answered with an error status is logged by Chromium as a
     * failed resource: expected when the journey asked for that status. */
    drainConsole(name, status) {
        const expected = `the server responded with a status of ${status}`;
        for (const c of this.console.splice(0)) {
            if (status >= 400 && c.text.includes(expected))
                continue;
            this.problem('console', `${name}: ${c.text} (${c.url})`);
        }
    }

    async axe() {
        const present = await this.page.evaluate(() => typeof window.axe === 'object');
        if (!present)
            await this.page.evaluate(axeSource);     // CDP, not subject to the page's CSP
        const raw = await this.page.evaluate((tags) => window.axe.run(document, {
            runOnly: { type: 'tag', values: tags },
            resultTypes: ['violations'],
        }).then((r) => r.violations.map((v) => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
        }))), AXE_TAGS);
        return raw;
    }

    async shoot(name, scheme) {
        const dir = path.join(this.plan.shots, this.plan.journey);
        fs.mkdirSync(dir, { recursive: true });
        const file = `${this.width}px-${String(this.seq).padStart(2, '0')}-${name}-${scheme}.png`;
        await this.page.screenshot({ path: path.join(dir, file), fullPage: true });
        return path.join(this.plan.journey, file);
    }

    /* The visible text of the page (or of a part of it), white space folded. */
    async text(selector = 'main') {
        const t = await this.page.locator(selector).first().innerText();
        return t.replace(/\s+/g, ' ').trim();
    }

    async see(fragment, selector = 'main') {
        const t = await this.text(selector);
        check(t.includes(fragment), `${this.path}: want "${fragment}" in ${selector}: "${t.slice(0, 1500)}"`);
    }

    async notSee(fragment, selector = 'main') {
        const t = await this.text(selector);
        check(!t.includes(fragment), `${this.path}: "${fragment}" should be gone from ${selector}: "${t.slice(0, 1500)}"`);
    }

    /* The fake Ubuntu One's control API: who it signs in as next. */
    async fake(pathname, body) {
        const api = await request.newContext();
        try {
            const r = await api.post(this.plan.sso + pathname, { data: body });
            check(r.ok(), `fake Ubuntu One ${pathname}: HTTP ${r.status()}`);
        } finally {
            await api.dispose();
        }
    }

    /*
     * From a landing page: "Log in with Ubuntu One" as `user`, through the
     * fake provider (a 302, or its auto-submitting form when `delivery` is
     * "post"), to /my.
     */
    async signIn(user, delivery = 'get') {
        await this.fake('/_fake/user', user);
        await this.fake('/_fake/config', { delivery });
        const button = this.page.getByRole('button', { name: 'Log in with Ubuntu One' });
        await this.count(button, 1, 'to log in');
        await Promise.all([
            this.page.waitForURL(this.url('/my'), { waitUntil: 'load' }),
            button.click(),
        ]);
        return this.look('my');
    }

    /* Fills a labelled field. */
    async fill(label, value) {
        const field = this.page.getByLabel(label, { exact: true });
        await this.count(field, 1, `labelled "${label}"`);
        await field.fill(value);
    }

    /* An error shown next to a field must be what the field's
     * aria-describedby points at, so that a screen reader reads it. */
    async fieldError(label, fragment) {
        const field = this.page.getByLabel(label, { exact: true });
        await this.count(field, 1, `labelled "${label}"`);
        const ids = ((await field.getAttribute('aria-describedby')) || '').split(/\s+/).filter(Boolean);
        const texts = [];
        for (const id of ids)
            texts.push((await this.page.locator(`[id="${id}"]`).innerText()).trim());
        check(texts.some((t) => t.includes(fragment)),
            `${this.path}: field "${label}" is not described by an error "${fragment}" (aria-describedby ${JSON.stringify(ids)}: ${JSON.stringify(texts)})`);
        check((await field.getAttribute('aria-invalid')) === 'true',
            `${this.path}: field "${label}" with an error lacks aria-invalid="true"`);
    }

    /* The newest link of kind ("confirm", "undo") mailed to address:
     * the suite's mail reader sends the outbox and reads the SMTP sink. */
    async mailLink(address, kind) {
        const api = await request.newContext();
        try {
            const u = `${this.plan.mailbox}/link?to=${encodeURIComponent(address)}&kind=${kind}`;
            const r = await api.get(u);
            check(r.ok(), `no /${kind}/ link mailed to ${address} (HTTP ${r.status()})`);
            return (await r.json()).link;
        } finally {
            await api.dispose();
        }
    }

    /* Another person's browser (the one a mail reaches), until back(). */
    async elsewhere() {
        this.home = this.page;
        const mobile = this.width < 600;
        this.other = await this.browser.newContext({
            viewport: { width: this.width, height: mobile ? 740 : 800 },
            isMobile: mobile, hasTouch: mobile, colorScheme: 'light',
            reducedMotion: 'reduce', locale: 'en-GB', timezoneId: 'UTC',
        });
        this.other.setDefaultTimeout(TIMEOUT_MS);
        this.page = await this.other.newPage();
        this.watch(this.page);
    }

    async back() {
        await this.other.close();
        this.page = this.home;
    }

    button(name) {
        return this.page.getByRole('button', { name, exact: true });
    }

    link(name) {
        return this.page.getByRole('link', { name, exact: true });
    }
}

/* ------------------------------------------------------------ journeys */

const JOURNEYS = {};

/* Home, a community's landing page, sign in, /my with the new address. */
JOURNEYS.signin = async (t, d) => {
    await t.go('/', 'home');
    await t.see('An email address for your community');
    await t.follow(t.page.locator('a[href="/ubuntu"]'), 'landing-ubuntu');
    await t.see('@ubuntu.com');
    await t.signIn(d.user, d.delivery);
    await t.see(`Hello, ${d.user.fullname}`);
    await t.see(`${d.user.nickname}@ubuntu.com`);
};

/* The header's "Sign out": back home, /my asks to sign in again. */
JOURNEYS.signout = async (t, d) => {
    await t.go('/ubuntu', 'landing-ubuntu');
    await t.signIn(d.user);
    const header = t.page.locator('header');
    await t.follow(header.getByRole('button', { name: 'Sign out' }), 'signed-out-home');
    check(t.path === '/', `sign out: landed on ${t.path}, want /`);
    await t.count(t.page.locator('header').getByRole('button', { name: 'Sign out' }), 0, 'to sign out once signed out');
    await t.go('/my', 'my-signed-out', { status: 401 });
    await t.see('Sign-in required');
};

/* /my/tokens: a token is made, works against the API, is revoked. */
JOURNEYS.tokens = async (t, d) => {
    await t.go('/ubuntu', 'landing-ubuntu');
    await t.signIn(d.user);
    await t.follow(t.link('API tokens'), 'tokens');
    await t.see('You have no API tokens.');
    await t.fill('Name', d.token_name);
    await t.fill('Expires after (days)', '400');
    await t.follow(t.button('Create token'), 'token-refused', { status: 422 });
    await t.fieldError('Expires after (days)', '1 to 365');
    await t.fill('Expires after (days)', '30');
    await t.follow(t.button('Create token'), 'token-created');
    const secret = (await t.page.locator('#new-token').innerText()).trim();
    check(/^\S{20,}$/.test(secret), `token page: no token shown: "${secret}"`);
    await t.see(`Your new token "${d.token_name}"`);
    t.out.me_with_token = await apiMe(t, secret);
    await t.follow(t.button('Revoke'), 'token-revoked');
    await t.see('revoked');
    t.out.me_after_revoke = await apiMe(t, secret);
};

async function apiMe(t, secret) {
    const api = await request.newContext();
    try {
        const r = await api.get(t.url('/api/v1/me'), { headers: { Authorization: `Bearer ${secret}` } });
        return { status: r.status(), body: await r.text() };
    } finally {
        await api.dispose();
    }
}

/* A domain admin adds an alias for a member (a refused one first), and disables it. */
JOURNEYS.domain_alias = async (t, d) => {
    await t.go('/ubuntu', 'landing-ubuntu');
    await t.signIn(d.user);
    await t.follow(t.page.locator('a[href="/domains/ubuntu.com"]'), 'domain');
    await t.fill('Launchpad name or email starts with', d.member);
    await t.follow(t.button('Search'), 'domain-search');
    await t.follow(t.link(`~${d.member}`), 'member');
    await t.fill('Address', 'Not Valid!');
    await t.follow(t.button('Add alias'), 'alias-refused', { status: 422 });
    await t.fieldError('Address', 'Letters');
    await t.fill('Address', d.local_part);
    await t.follow(t.button('Add alias'), 'alias-added');
    const row = t.page.locator('#aliases tr', { hasText: `${d.local_part}@ubuntu.com` });
    await t.count(row, 1, `row for ${d.local_part}@ubuntu.com`);
    await t.follow(row.getByRole('button', { name: 'Disable' }), 'alias-disabled');
    const after = t.page.locator('#aliases tr', { hasText: `${d.local_part}@ubuntu.com` });
    check((await after.innerText()).includes('disabled'), `alias row after Disable: "${await after.innerText()}"`);
    await t.follow(t.link('Aliases'), 'domain-aliases');
    await t.see(`${d.local_part}@ubuntu.com`);
    await t.follow(t.page.getByRole('link', { name: `~${d.member}` }).first(), 'member-again');
    await t.follow(after.getByRole('button', { name: `Remove ${d.local_part}@ubuntu.com` }), 'alias-removed');
    await t.see('The alias was removed.');
    await t.count(t.page.locator('#aliases tr', { hasText: `${d.local_part}@ubuntu.com` }), 0, 'rows for the removed alias');
    await t.follow(t.link('Log'), 'domain-log');
    await t.see(`${d.local_part}@ubuntu.com removed by ~${d.user.nickname}.`);
};

/* The member forwards to a new address, which confirms from its mail. */
JOURNEYS.forwarding = async (t, d) => {
    await t.go('/ubuntu', 'landing-ubuntu');
    await t.signIn(d.user);
    await t.follow(t.link(`Manage ${d.address}`), 'alias');
    await t.fill('Forward to', d.friend);
    await t.follow(t.button('Save'), 'alias-waiting');
    await t.see(`Saved. Mail to ${d.address} still goes to ${d.user.email} until the new addresses agree`);
    await t.see('Waiting for confirmation');
    await t.go('/my', 'my-waiting');
    await t.see('waiting for confirmation');
    const link = await t.mailLink(d.friend, 'confirm');
    await t.elsewhere();
    await t.go(link, 'confirm-link');
    await t.see(`Forward mail for ${d.address} to you?`);
    await t.follow(t.button('Yes, forward it to me'), 'confirmed');
    await t.see(`mail to ${d.address} now comes to it`);
    await t.back();
    await t.go('/my', 'my-forwarding');
    await t.see(`${d.address} \u2192 ${d.friend}`);
    await t.follow(t.link(`Manage ${d.address}`), 'alias-history');
    await t.see(`${d.friend} agreed to receive its mail.`);
};

/* A receipt's link undoes a change: the session ends, the address is
 * locked until the member signs in again. */
JOURNEYS.undo = async (t, d) => {
    await t.go('/ubuntu', 'landing-ubuntu');
    await t.signIn(d.user);
    await t.follow(t.link(`Manage ${d.address}`), 'alias');
    await t.fill('Forward to', d.spare);
    await t.follow(t.button('Save'), 'alias-saved');
    await t.see(`Saved. Mail to ${d.address} now goes to ${d.spare}.`);
    const link = await t.mailLink(d.user.email, 'undo');
    await t.elsewhere();
    await t.go(link, 'undo-link');
    await t.see(`Undo this change of ${d.address}?`);
    await t.follow(t.button('Undo the change'), 'undone');
    await t.see('The change is undone');
    await t.back();
    await t.go('/my', 'my-after-undo', { status: 401 });
    await t.go('/ubuntu', 'landing-again');
    await t.signIn(d.user);
    await t.follow(t.link(`Manage ${d.address}`), 'alias-unlocked');
    await t.see(`A receipt's link put the forwarding back to ${d.user.email}`);
    await t.see('Unlocked: its owner signed in.');
};

/* A site admin finds a user, bans them (a refused reason first), unbans them. */
JOURNEYS.ban = async (t, d) => {
    await t.go('/ubuntu', 'landing-ubuntu');
    await t.signIn(d.user);
    await t.follow(t.page.locator('header').getByRole('link', { name: 'Admin' }), 'admin');
    await t.follow(t.page.locator('nav.admin-nav').getByRole('link', { name: 'Users' }), 'admin-users');
    await t.fill('Launchpad name or email address starts with', d.target);
    await t.follow(t.button('Search'), 'admin-users-search');
    await t.follow(t.link(d.target), 'admin-user');
    await t.fill('Reason', 'x'.repeat(501));
    await t.follow(t.button('Ban'), 'ban-refused', { status: 422 });
    await t.fieldError('Reason', '500');
    await t.fill('Reason', d.reason);
    await t.follow(t.button('Ban'), 'banned');
    await t.see(`yes: ${d.reason}`);
    await t.follow(t.button('Unban'), 'unbanned');
    check((await t.page.locator('#banned').innerText()).trim() === 'no', 'after Unban: the page does not say "Banned: no"');
    await t.see(`~${d.user.nickname} lifted the ban on ${d.target}.`);
    await t.see(`~${d.user.nickname} banned ${d.target}: ${d.reason}`);
};

/* The language switch at the foot of every page: Suomi, then English
 * again, signed out (a cookie) and signed in (the member's choice). */
JOURNEYS.language = async (t, d) => {
    const footer = () => t.page.locator('footer form.language-switch');
    const lang = () => t.page.locator('html').getAttribute('lang');
    await t.go('/', 'home');
    check(await lang() === 'en', `home: <html lang="${await lang()}">, want en`);
    await t.follow(footer().getByRole('button', { name: 'suomi' }), 'home-fi');
    check(t.path === '/', `the switch came back to ${t.path}, want /`);
    check(await lang() === 'fi', `after Suomi: <html lang="${await lang()}">, want fi`);
    await t.see('Oma sähköpostiosoite yhteisösi nimissä');
    await t.notSee('An email address for your community');
    await t.count(footer().locator('strong[aria-current="true"]', { hasText: 'suomi' }), 1, 'marking suomi as the current language');
    await t.follow(footer().getByRole('button', { name: 'English' }), 'home-en');
    check(await lang() === 'en', `after English: <html lang="${await lang()}">, want en`);
    await t.see('An email address for your community');
    await t.go('/ubuntu', 'landing-ubuntu');
    await t.signIn(d.user);
    await t.follow(footer().getByRole('button', { name: 'suomi' }), 'my-fi');
    check(t.path === '/my' && await lang() === 'fi', `signed in, after Suomi: ${t.path} in "${await lang()}"`);
    await t.count(t.page.locator('header').getByRole('button', { name: 'Kirjaudu ulos' }), 1, 'to sign out, in Finnish');
    t.out.lang_after_fi = await lang();
    await t.follow(footer().getByRole('button', { name: 'English' }), 'my-en');
    check(await lang() === 'en', `signed in, after English: <html lang="${await lang()}">, want en`);
    await t.count(t.page.locator('header').getByRole('button', { name: 'Sign out' }), 1, 'to sign out, in English');
};

/* ------------------------------------------------------------ main */

async function runWidth(browser, plan, data) {
    const t = new Tour(browser, plan, data);
    const started = Date.now();
    let error = null;
    try {
        await t.open();
        await JOURNEYS[plan.journey](t, data);
    } catch (e) {
        error = e instanceof Failure ? e.message : (e.stack || String(e));
        if (t.page) {
            try {
                await t.shoot('failure', 'light');
            } catch (_) { /* the failure itself is what matters */ }
        }
    }
    await t.close().catch(() => {});
    return {
        width: data.width, ok: !error && t.problems.length === 0, error,
        problems: t.problems, pages: t.pages, out: t.out,
        seconds: (Date.now() - started) / 1000,
    };
}

async function main() {
    const [planFile, resultFile] = process.argv.slice(2);
    if (!planFile || !resultFile) {
        process.stderr.write('usage: journeys.js PLAN.json RESULT.json\n');
        return 2;
    }
    const plan = JSON.parse(fs.readFileSync(planFile, 'utf8'));
    if (!JOURNEYS[plan.journey]) {
        process.stderr.write(`journeys.js: no journey "${plan.journey}"\n`);
        return 2;
    }
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const widths = [];
    try {
        for (const data of plan.widths)
            widths.push(await runWidth(browser, plan, data));
    } finally {
        await browser.close();
    }
    fs.writeFileSync(resultFile, JSON.stringify({ widths }, null, 1));
    return widths.every((w) => w.ok) ? 0 : 1;
}

main().then((code) => { process.exitCode = code; }, (e) => {
    process.stderr.write(`journeys.js: ${e.stack || e}\n`);
    process.exitCode = 2;
});
