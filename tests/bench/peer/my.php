<?php
/*
 * tests/bench/peer/my.php - the benchmark's PHP peer of GET /my: the page an
 * operator would otherwise run (PHP on Debian's php-fpm, static pool,
 * opcache, one persistent PDO connection per worker), doing what
 * membermail's /my does, the same way:
 *
 *  - the session by the SHA-256 of the mm_session cookie (a 43-character
 *    base64url token, else signed out), with the same checks (idle expiry,
 *    banned users) and the same slide of the idle expiry at most once a
 *    minute;
 *  - the same statements as app/db.c (the session and page's rows, the
 *    touch, the domain lists), with bound parameters (PDO's "?" for
 *    libpq's "$1": PDO numbers them in their order in the text);
 *  - the same words for each domain's state and, where the member has
 *    no address, the same eligibility checklist (handlers/checklist.c),
 *    the same fields escaped as ctemplate's HTML escaping does (& < > " '
 *    as entities, other whitespace as a space), into the same page, which
 *    tests/bench compares with membermail's.
 *
 * In English only: membermail's page follows the user's language, the
 * mm_lang cookie and Accept-Language; the peer has no catalogues, and
 * bench.py says so instead of comparing a page in another language.
 *
 * PHP keeps nothing between requests, so the domain list is read per
 * request (membermail's workers cache it until PostgreSQL tells them it
 * changed).  Settings come from php-fpm's pool (env[]): MM_PEER_DSN,
 * MM_PEER_SESSION_IDLE, MM_PEER_SERVER_PREPARES (1: PDO prepares every
 * statement on the server, then deallocates it; 0: one round trip per
 * statement, parameters still bound by the server).
 */

const SESSION_PAGE = "SELECT u.id, u.name, u.email, u.display_name, u.is_site_admin, "
    . "encode(s.csrf_token, 'hex') AS csrf, "
    . "s.last_seen_at < now() - interval '60 seconds' AS touch, "
    . "u.claimed_id, u.person_status, "
    . "u.sync_requested_at IS NOT NULL AS sync_due, u.email_stuck, u.mail_problem, "
    . "u.lang, u.teams, u.admin_of, u.error_domains, u.error_codes, u.error_until, "
    . "floor(extract(epoch FROM now()))::bigint, "
    . "a.domain_id, a.local_part, a.id, "
    . "array_to_string(a.recipients, ', '), a.enabled, a.disabled_reason, a.reply_code, "
    . "coalesce(to_char(a.remove_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), ''), "
    . "array_to_string(a.pending_recipients, ', '), "
    /* The domains where the user's name is reserved (the checklist). */
    . "CASE WHEN u.name IS NULL THEN NULL WHEN EXISTS (SELECT 1 FROM "
    . "reserved_local_parts rl WHERE rl.local_part = lower(u.name)) THEN "
    . "ARRAY(SELECT rd.id FROM domains rd WHERE rd.enabled ORDER BY "
    . "rd.id) ELSE ARRAY(SELECT dr.domain_id FROM "
    . "domain_reserved_local_parts dr WHERE dr.local_part = "
    . "lower(u.name) ORDER BY dr.domain_id) END "
    . "FROM sessions s JOIN users u ON u.id = s.user_id "
    . "LEFT JOIN aliases a ON a.user_id = u.id "
    . "WHERE s.token_hash = decode(?, 'hex') "
    . "AND s.idle_expires_at > now() AND NOT u.is_banned";
const SESSION_TOUCH = "UPDATE sessions SET last_seen_at = now(), "
    . "idle_expires_at = least(expires_at, now() + make_interval(secs => ?::int)) "
    . "WHERE token_hash = decode(?, 'hex') AND idle_expires_at > now() "
    . "AND last_seen_at < now() - interval '60 seconds'";
/* Every enabled domain, verified or not, with its team's last fetch. */
const DOMAIN_LIST = "SELECT id, name, team, mm_trusted_snapshot(team) IS NOT NULL, "
    . "txt_status = 'verified', coalesce((SELECT extract(epoch FROM "
    . "max(s.fetched_at))::bigint FROM team_snapshots s WHERE s.team = "
    . "d.team), 0) FROM domains d WHERE enabled "
    . "ORDER BY coalesce(title, name), name";
const DOMAIN_NAMES = "SELECT id, name FROM domains ORDER BY name";

/* The columns of SESSION_PAGE (S_LANG is read by nothing: English only). */
const S_NAME = 1, S_EMAIL = 2, S_DISPLAY = 3, S_SITE_ADMIN = 4, S_CSRF = 5,
    S_TOUCH = 6, S_CLAIMED_ID = 7, S_PERSON = 8, S_SYNC_DUE = 9, S_EMAIL_STUCK = 10,
    S_MAIL_PROBLEM = 11, S_LANG = 12, P_TEAMS = 13, P_ADMIN_OF = 14,
    P_ERROR_DOMAINS = 15, P_ERROR_CODES = 16, P_ERROR_UNTIL = 17, P_NOW = 18,
    P_DOMAIN = 19, P_LOCAL = 20, P_ALIAS = 21, P_RECIPIENTS = 22, P_ENABLED = 23,
    P_REASON = 24, P_REPLY = 25, P_REMOVE_ON = 26, P_PENDING = 27, P_RESERVED = 28;

/* The columns of DOMAIN_LIST. */
const D_ID = 0, D_NAME = 1, D_TEAM = 2, D_CHECKED = 3, D_VERIFIED = 4, D_LAST_FETCH = 5;

const COC_URL = 'https://launchpad.net/codeofconduct';
/* deploy/systemd/membermail-sync.timer: five minutes after the last run. */
const SYNC_EVERY = 300;

const REASON_WORDS = [
    'banned' => 'your account may not use this site',
    'not-found' => 'Launchpad has no public account of that name',
    'not-valid' => 'your Launchpad account is not active',
    'not-coc-signer' => 'you have not signed the Ubuntu Code of Conduct (https://launchpad.net/codeofconduct)',
    'is-team' => 'the name is a Launchpad team, not a person',
    'name-mismatch' => "Launchpad answered with another account's details",
    'reserved' => "the address is reserved for the domain's operators (like postmaster@ "
        . 'or abuse@); only a site admin can assign it',
    'taken' => 'the address already belongs to someone else',
    'limit' => 'you already have as many addresses on this domain as a member may have',
    'recipient' => 'the e-mail address of your Ubuntu One account cannot be used as a forwarding address',
];

/* ctemplate's HTML escaping, which membermail's templates use. */
const HTML_ESCAPES = ['&' => '&amp;', '<' => '&lt;', '>' => '&gt;', '"' => '&quot;',
    "'" => '&#39;', "\t" => ' ', "\n" => ' ', "\r" => ' ', "\v" => ' ', "\f" => ' '];

function e($s): string
{
    return strtr((string)$s, HTML_ESCAPES);
}

function db(): PDO
{
    return new PDO(getenv('MM_PEER_DSN'), null, null, [
        PDO::ATTR_PERSISTENT => true,
        PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION,
        PDO::ATTR_EMULATE_PREPARES => false,
        PDO::PGSQL_ATTR_DISABLE_PREPARES => getenv('MM_PEER_SERVER_PREPARES') !== '1',
    ]);
}

function rows(PDO $db, string $sql, array $params = []): array
{
    $st = $db->prepare($sql);
    $st->execute($params);
    return $st->fetchAll(PDO::FETCH_NUM);
}

function fail(int $status, string $text): void
{
    http_response_code($status);
    header('Content-Type: text/plain; charset=utf-8');
    echo $text, "\n";
}

/* Why the person check makes the user ineligible, or null. */
function person_words(array $s, bool &$coc): ?string
{
    switch ($s[S_PERSON]) {
    case 'not-coc-signer':
        $coc = true;
        return 'not eligible: you have not signed the Ubuntu Code of Conduct';
    case 'not-valid':
    case 'not-found':
        return 'your Launchpad account is not active';
    }
    return null;
}

/*
 * A PostgreSQL array's text ("{a,b}"); its elements here (ids, team names,
 * error codes) never need quoting.
 */
function pg_list(?string $s): array
{
    return $s === null || $s === '{}' ? [] : explode(',', substr($s, 1, -1));
}

/* The user's error reports that have not expired: "domain id" => codes. */
function live_errors(array $s): array
{
    $out = [];
    $codes = pg_list($s[P_ERROR_CODES]);
    $until = pg_list($s[P_ERROR_UNTIL]);
    foreach (pg_list($s[P_ERROR_DOMAINS]) as $i => $d)
        if ((int)$until[$i] > $s[P_NOW])
            $out[$d][] = $codes[$i];
    return $out;
}

/* The least error code of domain $id, or "". */
function my_error(array $errors, string $id): string
{
    $codes = $errors[$id] ?? [];
    sort($codes, SORT_STRING);
    return $codes[0] ?? '';
}

function disabled_words(array $s, array $a, array $d, bool &$coc): string
{
    switch ($a[P_REASON]) {
    case 'matches-recipient':
        return 'disabled: it would forward to itself';
    case 'left-team':
        return "disabled: you are no longer a member of ~{$d[D_TEAM]}"
            . ($a[P_REMOVE_ON] !== '' ? "; it will be removed on {$a[P_REMOVE_ON]}" : '');
    case 'invalid-user':
        $w = person_words($s, $coc);
        return $w !== null ? "disabled: $w" : 'disabled: your Launchpad account is not eligible';
    case 'banned':
        return 'disabled: your account is suspended';
    case 'by-owner':
        return 'disabled by you';
    }
    return "disabled by an admin of {$d[D_NAME]}";
}

function no_alias_words(array $s, array $teams, array $errors, array $d, bool &$coc): string
{
    if (!$d[D_VERIFIED])
        return 'no addresses here yet: the domain is not verified';
    if (($w = person_words($s, $coc)) !== null)
        return $w;
    $error = my_error($errors, (string)$d[D_ID]);
    if (strncmp($error, 'not-created.', 12) === 0) {
        $why = substr($error, 12);
        return 'we could not create your address: ' . (REASON_WORDS[$why] ?? $why)
            . "; the domain's admins have been told";
    }
    if ($s[S_SYNC_DUE])
        return 'Launchpad is unreachable; we will retry';
    if (!$d[D_CHECKED])
        return "membership of ~{$d[D_TEAM]} not checked yet";
    if (!in_array($d[D_TEAM], $teams, true))
        return "not a member of ~{$d[D_TEAM]}";
    return "member of ~{$d[D_TEAM]}: your address will appear after the next check";
}

function reply_words(int $code): string
{
    return match ($code) {
        250 => '250: mail is accepted and dropped',
        421 => '421: senders are told to try again later',
        default => '550: mail is rejected',
    };
}

/* One line of a checklist: 'done', 'missing' or 'unknown'. */
function check(string $state, string $text, ?string $url = null, ?string $link = null): array
{
    static $words = [
        'done' => ["\u{2713}", 'Done'],
        'missing' => ["\u{2717}", 'Missing'],
        'unknown' => ['?', 'Not known yet'],
    ];
    return ['state' => $state, 'mark' => $words[$state][0], 'words' => $words[$state][1],
        'text' => $text, 'url' => $url, 'link' => $link];
}

/* The Launchpad account and the Code of Conduct, from the person check. */
function person_checks(array $s): array
{
    $st = (string)$s[S_PERSON];
    $valid = $st === 'valid';
    $coc_missing = $st === 'not-coc-signer';
    $out = [];
    if ($valid || $coc_missing)
        $out[] = check('done', 'Your Launchpad account is active.');
    elseif ($st === '')
        $out[] = check('unknown', 'Your Launchpad account has not been checked yet.');
    else
        $out[] = check('missing', 'Your Launchpad account is not active.',
            "https://launchpad.net/~{$s[S_NAME]}", 'Open your Launchpad page');
    if ($valid)
        $out[] = check('done', 'You have signed the Ubuntu Code of Conduct.');
    elseif ($coc_missing)
        $out[] = check('missing', 'You have not signed the Ubuntu Code of Conduct.',
            COC_URL, 'Sign it on Launchpad');
    else
        $out[] = check('unknown', 'Whether you signed the Ubuntu Code of Conduct is not known yet.');
    return $out;
}

function team_check(array $d, bool $member): array
{
    $team = $d[D_TEAM];
    if ($member)
        return check('done', "You are a member of ~$team.");
    if (!$d[D_CHECKED])
        return check('unknown', "Your membership of ~$team has not been checked yet.");
    return check('missing', "You are not a member of ~$team.",
        "https://launchpad.net/~$team", "Ask to join ~$team on Launchpad");
}

/* When the sync looks again: five minutes after the team's last fetch. */
function next_check(array $d): string
{
    $next = (int)$d[D_LAST_FETCH] + SYNC_EVERY;
    if ((int)$d[D_LAST_FETCH] === 0 || $next <= time())
        return 'membermail checks Launchpad again at the next run of its sync, '
            . 'every five minutes, and whenever you sign in.';
    return 'membermail checks Launchpad again around ' . gmdate('Y-m-d H:i', $next)
        . ' UTC, and whenever you sign in.';
}

/* What the member lacks for an address at domain $d, line by line. */
function checklist(array $s, array $teams, array $reserved, array $d): array
{
    $name = $s[S_NAME];
    $dom = $d[D_NAME];
    $checks = array_merge(
        [check('done', "You are signed in with Ubuntu One as ~$name.")],
        person_checks($s),
        [team_check($d, in_array($d[D_TEAM], $teams, true))]);
    $checks[] = (string)$s[S_EMAIL] !== ''
        ? check('done', "Ubuntu One shares your email address, {$s[S_EMAIL]}.")
        : check('missing', 'Ubuntu One does not share your email address: '
            . 'sign in again and allow it.');
    $checks[] = in_array((string)$d[D_ID], $reserved, true)
        ? check('missing', "The name $name is reserved at $dom: only a site admin can assign it.")
        : check('done', "The name $name is not reserved at $dom.");
    $checks[] = $d[D_VERIFIED] ? check('done', "$dom is verified.")
        : check('missing', "$dom is not verified yet: its admins must publish its DNS record.");
    $done = count(array_filter($checks, fn($c) => $c['state'] === 'done'));
    $all = count($checks);
    $summary = $all === 1
        ? "$done of the $all requirement for an address at $dom is met."
        : "$done of the $all requirements for an address at $dom are met.";
    return ['summary' => $summary, 'checks' => $checks, 'next' => next_check($d)];
}

/*
 * Each listed domain: its name and either its aliases or why it has none,
 * with the checklist.
 */
function domains(array $res, array $list): array
{
    $s = $res[0];
    $teams = pg_list($s[P_TEAMS]);
    $reserved = pg_list($s[P_RESERVED]);
    $errors = live_errors($s);
    $out = [];
    foreach ($list as $d) {
        $mine = array_filter($res, fn($a) => $a[P_DOMAIN] === $d[D_ID]);
        usort($mine, fn($x, $y) => strcmp($x[P_LOCAL], $y[P_LOCAL]));
        $dom = ['name' => $d[D_NAME], 'aliases' => [], 'note' => null, 'coc' => false,
            'checklist' => null];
        foreach ($mine as $a) {
            $coc = false;
            $address = "{$a[P_LOCAL]}@{$d[D_NAME]}";
            $dom['aliases'][] = [
                'id' => $a[P_ALIAS], 'address' => $address, 'to' => $a[P_RECIPIENTS],
                'state' => $a[P_ENABLED] ? "you have $address \u{2192} {$a[P_RECIPIENTS]}"
                    : disabled_words($s, $a, $d, $coc),
                'disabled' => !$a[P_ENABLED], 'reply' => reply_words((int)$a[P_REPLY]),
                'coc' => $coc, 'pending' => (string)$a[P_PENDING],
            ];
        }
        if (!$mine) {
            $dom['note'] = no_alias_words($s, $teams, $errors, $d, $dom['coc']);
            $dom['checklist'] = checklist($s, $teams, $reserved, $d);
        }
        $out[] = $dom;
    }
    return $out;
}

function admin_domains(PDO $db, array $s): array
{
    $admin_of = pg_list($s[P_ADMIN_OF]);
    if (!$s[S_SITE_ADMIN] && !$admin_of)
        return [];
    $out = [];
    foreach (rows($db, DOMAIN_NAMES) as $n)
        if ($s[S_SITE_ADMIN] || in_array((string)$n[0], $admin_of, true))
            $out[] = $n[1];
    return $out;
}

function page(array $s, array $domains, array $admin): void
{
    $user = $s[S_DISPLAY] !== null && $s[S_DISPLAY] !== '' ? $s[S_DISPLAY] : $s[S_NAME];
    $coc = ' (<a href="https://launchpad.net/codeofconduct">sign the Code of Conduct</a>)';
?>
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Your account · membermail</title>
<link rel="stylesheet" href="/static/style.css">
<link rel="icon" href="/static/logo.svg" type="image/svg+xml">
</head>
<body>
<a class="skip-link" href="#main">Skip to main content</a>
<header class="site-header">
  <div class="wrap">
    <a class="brand" href="/"><img src="/static/logo.svg" alt="" width="32" height="32"><span>membermail</span></a>
    <nav class="account" aria-label="Account">
      <a href="/my"><?= e($s[S_NAME]) ?></a>
<?php if ($s[S_SITE_ADMIN]): ?>
      <a href="/admin">Admin</a>
<?php endif ?>
      <form method="post" action="/auth/logout">
        <input type="hidden" name="csrf_token" value="<?= e($s[S_CSRF]) ?>">
        <button type="submit" class="link-button">Sign out</button>
      </form>
    </nav>
  </div>
</header>
<main id="main" class="wrap" tabindex="-1">
<section class="panel">
  <p class="eyebrow">Your account</p>
  <h1>Hello, <?= e($user) ?></h1>
  <dl class="facts">
    <dt>Launchpad name</dt>
    <dd><a href="https://launchpad.net/~<?= e($s[S_NAME]) ?>">~<?= e($s[S_NAME]) ?></a></dd>
    <dt>Email address</dt>
    <dd><?= e($s[S_EMAIL]) ?></dd>
    <dt>Ubuntu One identity</dt>
    <dd class="mono"><?= e($s[S_CLAIMED_ID]) ?></dd>
  </dl>
  <?php if ($s[S_EMAIL_STUCK] !== null && $s[S_EMAIL_STUCK] !== ''): ?><p class="notice" role="alert">Your Ubuntu One address is now <?= e($s[S_EMAIL]) ?>, but your community addresses cannot forward to it (it is not an address mail can be forwarded to, or it is one of those addresses), so each of them that forwarded to your old address still forwards to <?= e($s[S_EMAIL_STUCK]) ?>. Open each address below to choose where it forwards, or change your Ubuntu One address and sign in again.</p><?php endif ?>

  <?php if ($s[S_MAIL_PROBLEM] === 'needs-smtputf8'): ?><p class="notice" role="alert">We cannot send you mail at <?= e($s[S_EMAIL]) ?>: its part before the @ is not plain ASCII, which needs SMTPUTF8, and our mail relay does not offer it. Use an address with a plain ASCII local part in your Ubuntu One account and sign in again; until then you get no notifications from us.</p><?php endif ?>

  <p><a href="/my/tokens">API tokens</a>: let a program use the membermail API as you.</p>
  <form method="post" action="/auth/logout">
    <input type="hidden" name="csrf_token" value="<?= e($s[S_CSRF]) ?>">
    <button type="submit" class="button button-secondary">Sign out</button>
  </form>
</section>
<section class="panel">
  <h2>Your community addresses</h2>
  <?php if ($domains && $s[S_SYNC_DUE]): ?><p class="notice" role="status">Launchpad is unreachable; we will retry.</p><?php endif ?>

  <?php if (!$domains): ?><p class="empty">No community domain is active yet.</p><?php endif ?>

<?php foreach ($domains as $d): ?>
  <div class="domain">
    <h3>@<?= e($d['name']) ?></h3>
    <?php if ($d['note'] !== null): ?><p class="state"><?= e($d['note']) ?><?= $d['coc'] ? $coc : '' ?></p><?php endif ?>

<?php if ($d['checklist'] !== null): ?>
    <details class="checklist-box">
      <summary><?= e($d['checklist']['summary']) ?></summary>
      <ul class="checklist">
        <?php foreach ($d['checklist']['checks'] as $c): ?><li class="check check-<?= e($c['state']) ?>"><span class="check-mark" aria-hidden="true"><?= e($c['mark']) ?></span> <span class="visually-hidden"><?= e($c['words']) ?>: </span><?= e($c['text']) ?><?php if ($c['url'] !== null): ?> <a href="<?= e($c['url']) ?>"><?= e($c['link']) ?></a><?php endif ?></li>
<?php endforeach ?>
      </ul>
      <p class="fine"><?= e($d['checklist']['next']) ?></p>
    </details>
<?php endif ?>
<?php foreach ($d['aliases'] as $a): ?>
    <div class="alias">
      <p class="state"><?= e($a['state']) ?><?= $a['coc'] ? $coc : '' ?></p>
      <?php if ($a['disabled']): ?><p class="fine">Recipients: <?= e($a['to']) ?>. While disabled, reply <?= e($a['reply']) ?>.</p><?php endif ?>

      <?php if ($a['pending'] !== ''): ?><p class="pending"><span class="badge">waiting for confirmation</span> Forwarding to <?= e($a['pending']) ?> starts once the new addresses agree.</p><?php endif ?>

      <p><a href="/my/aliases/<?= e($a['id']) ?>">Manage <?= e($a['address']) ?></a></p>
    </div>
<?php endforeach ?>
  </div>
<?php endforeach ?>
</section>
<?php if ($admin): ?>
<section class="panel">
  <h2>Domains you administer</h2>
  <ul class="admin-domains">
<?php foreach ($admin as $name): ?>
    <li><a href="/domains/<?= e($name) ?>"><?= e($name) ?></a></li>
<?php endforeach ?>
  </ul>
</section>
<?php endif ?>
</main>
<footer class="site-footer">
  <div class="wrap">
    <p>membermail gives members of Ubuntu community teams an address of their own, kept in step with Launchpad.</p>
    <form class="language-switch" method="post" action="/language" aria-label="Language">
      <input type="hidden" name="csrf_token" value="<?= e($s[S_CSRF]) ?>">
      <input type="hidden" name="next" value="/my">
      <strong lang="en" aria-current="true">English</strong>
      <button type="submit" name="lang" value="fi" lang="fi" class="link-button">suomi</button>
    </form>
  </div>
</footer>
</body>
</html>
<?php
}

function main(): void
{
    $token = $_COOKIE['mm_session'] ?? '';
    if (!is_string($token) || strlen($token) !== 43
        || strspn($token, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_') !== 43) {
        fail(401, 'Please sign in with Ubuntu One to see this page');
        return;
    }
    $hash = hash('sha256', $token);
    $db = db();
    $res = rows($db, SESSION_PAGE, [$hash]);
    if (!$res) {
        fail(401, 'Please sign in with Ubuntu One to see this page');
        return;
    }
    if ($res[0][S_TOUCH])
        $db->prepare(SESSION_TOUCH)->execute([getenv('MM_PEER_SESSION_IDLE'), $hash]);
    $domains = domains($res, rows($db, DOMAIN_LIST));
    $admin = admin_domains($db, $res[0]);
    ob_start();
    page($res[0], $domains, $admin);
    $body = ob_get_clean();
    header('Content-Type: text/html; charset=utf-8');
    header('Content-Length: ' . strlen($body));
    echo $body;
}

main();
