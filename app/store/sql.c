/*
 * sql.c - the statement catalogue: the text of every statement the
 * application runs; see sql.h.
 */
#include "config.h"

#include "store/sql.h"

/*
 * The columns of struct alias_view (sql.h: enum alias_view_col), over
 * ALIAS_VIEW_FROM.
 */
#define ALIAS_VIEW_COLUMNS                                                     \
	"a.id, a.domain_id, a.user_id, a.local_part || '@' || d.name, "        \
	"coalesce(u.name, ''), a.recipients, a.enabled, a.disabled_reason, "   \
	"a.reply_code, a.description, a.remove_at::text, a.created_at::text, " \
	"a.updated_at::text, a.pending_recipients, a.locked_at IS NOT NULL"
#define ALIAS_VIEW_FROM                                   \
	"aliases a JOIN domains d ON d.id = a.domain_id " \
	"JOIN users u ON u.id = a.user_id"

/*
 * alias.c: alias $1 if user $2 may see it ($3: a site admin), with $2's
 * role in its domain.  The rule of alias.h lives in the WHERE.
 */
#define ALIAS_SELECT                                                           \
	"SELECT " ALIAS_VIEW_COLUMNS ", coalesce(m.role, ''), "                \
	"NOT a.reserved_assigned AND "                                         \
	"mm_local_part_reserved(a.domain_id, a.local_part) "                   \
	"FROM " ALIAS_VIEW_FROM " "                                            \
	"LEFT JOIN domain_members m ON m.domain_id = a.domain_id "             \
	"AND m.user_id = $2::bigint WHERE a.id = $1::bigint AND ($3::boolean " \
	"OR m.role = 'admin' OR (a.user_id = $2::bigint AND m.role IS NOT NULL))"

/* rules/domain_members.c: who may administer a domain, and the rows its pages list. */
#define MEMBER_DOMAIN_ACCESS                                         \
	"SELECT d.id, d.name, d.alias_limit, EXISTS (SELECT 1 FROM " \
	"domain_members m WHERE m.domain_id = d.id AND m.user_id = " \
	"$2::bigint AND m.role = 'admin') FROM domains d WHERE d.name = $1"
#define MEMBER_COLUMNS                                                        \
	"SELECT u.id, coalesce(u.name, ''), coalesce(u.display_name, ''), "   \
	"u.email, m.role, date_trunc('second', m.created_at)::text, "         \
	"al.ids, al.locals, al.reasons FROM domain_members m "                \
	"JOIN users u ON u.id = m.user_id CROSS JOIN LATERAL (SELECT "        \
	"array_agg(a.id ORDER BY a.local_part) AS ids, array_agg("            \
	"a.local_part ORDER BY a.local_part) AS locals, array_agg("           \
	"a.disabled_reason ORDER BY a.local_part) AS reasons FROM aliases a " \
	"WHERE a.domain_id = m.domain_id AND a.user_id = m.user_id) al "      \
	"WHERE m.domain_id = $1::bigint "
#define MEMBER_ALIAS_COLUMNS                                      \
	"SELECT " ALIAS_VIEW_COLUMNS " FROM " ALIAS_VIEW_FROM " " \
	"WHERE a.domain_id = $1::bigint "

/* The operator's listings: one row per domain, typed. */
#define CLI_DOMAIN_ROWS                                                     \
	"SELECT d.name AS domain, d.slug, '~' || d.team AS team, d.title,"  \
	" d.enabled, d.txt_status, d.txt_checked_at, d.verification_token," \
	" d.alias_limit,"                                                   \
	" (SELECT count(*) FROM domain_members m WHERE m.domain_id = d.id)" \
	"   AS members,"                                                    \
	" (SELECT count(*) FROM aliases a WHERE a.domain_id = d.id)"        \
	"   AS aliases,"                                                    \
	" ARRAY(SELECT u.name FROM domain_members m"                        \
	"   JOIN users u ON u.id = m.user_id WHERE m.domain_id = d.id"      \
	"   AND m.role = 'admin' AND u.name IS NOT NULL"                    \
	"   ORDER BY lower(u.name)) AS admins"                              \
	" FROM domains d"

/* One row per user: $1 banned only, $2 site admins only, $3 text in
 * name, email or display name (strpos: no LIKE wildcards), or NULL. */
#define CLI_USER_ROWS                                               \
	"SELECT u.id, u.name, u.email, u.display_name,"             \
	" u.is_banned AS banned, u.ban_reason,"                     \
	" u.is_site_admin AS site_admin,"                           \
	" u.last_login_at AS last_login, u.created_at FROM users u" \
	" WHERE ($1::boolean IS NOT TRUE OR u.is_banned)"           \
	" AND ($2::boolean IS NOT TRUE OR u.is_site_admin)"         \
	" AND ($3::text IS NULL"                                    \
	"  OR strpos(lower(coalesce(u.name, '')), lower($3)) > 0"   \
	"  OR strpos(lower(u.email), lower($3)) > 0"                \
	"  OR strpos(lower(coalesce(u.display_name, '')), lower($3)) > 0)"

/* A timestamp as the API and the pages show it: ISO 8601 in UTC. */
#define ISO(col)                               \
	"to_char(" col " AT TIME ZONE 'UTC', " \
	"'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/*
 * The session read: the user of a live session of a user who is not
 * banned, by the hash of the cookie's token ($1).  Its columns are
 * session.c's (enum S_*); a route's session statement (route.h) starts
 * every row with them and adds its page's after.  (libpq gives "" for a
 * NULL: no coalesce needed.)
 */
#define SESSION_COLUMNS_SQL                                         \
	"u.id, u.name, u.email, u.display_name, u.is_site_admin, "  \
	"encode(s.csrf_token, 'hex') AS csrf, "                     \
	"s.last_seen_at < now() - interval '60 seconds' AS touch, " \
	"u.claimed_id, u.person_status, "                           \
	"u.sync_requested_at IS NOT NULL AS sync_due, "             \
	"u.email_stuck, u.mail_problem, u.lang"
#define SESSION_FROM " FROM sessions s JOIN users u ON u.id = s.user_id"
#define SESSION_WHERE                              \
	" WHERE s.token_hash = decode($1, 'hex') " \
	"AND s.idle_expires_at > now() AND NOT u.is_banned"

/* A time as receipts and history say it: "6 Dec 2026, 01:50", UTC. */
#define WHEN(col) \
	"to_char(" col " AT TIME ZONE 'UTC', 'FMDD Mon YYYY, HH24:MI')"

/*
 * rules/recipients.c: whether address x agreed to alias a's mail: the
 * owner's own address, a confirmed one, or the alias's own address (never
 * routed: an enabled alias cannot list it).
 */
#define RCPT_AGREED(a, x)                                                    \
	"(lower(" x                                                          \
	") = (SELECT lower(uo.email) FROM users uo WHERE uo.id = " a         \
	".user_id) OR EXISTS (SELECT 1 FROM recipient_confirmations ca "     \
	"WHERE ca.alias_id = " a ".id AND lower(ca.address) = lower(" x ") " \
	"AND ca.confirmed_at IS NOT NULL) OR lower(" x ") = (SELECT " a      \
	".local_part || '@' || dd.name FROM domains dd WHERE dd.id = " a     \
	".domain_id))"
#define RCPT_LINK_COLUMNS "a.local_part || '@' || d.name, "
#define RCPT_CONFIRM_SELECT                                                                 \
	"SELECT c.id, c.alias_id, c.address, c.confirmed_at IS NOT NULL, "                  \
	"c.expires_at <= now(), " RCPT_LINK_COLUMNS                                         \
	"coalesce(a.pending_actor, ''), coalesce(" WHEN("a.pending_at") ", ''), " WHEN(     \
	    "c.expires_at") " FROM recipient_confirmations c "                              \
			    "JOIN aliases a ON a.id = c.alias_id JOIN domains d ON d.id = " \
			    "a.domain_id WHERE c.token_hash = decode($1, 'hex')"
#define RCPT_RECEIPT_SELECT                                                                                              \
	"SELECT r.id, r.alias_id, r.before_recipients, r.used_at IS NOT NULL, r.expires_at <= now(), " RCPT_LINK_COLUMNS \
	"r.actor, " WHEN("r.created_at") ", " WHEN(                                                                      \
	    "r.expires_at") " FROM alias_receipts r JOIN aliases a ON "                                                  \
			    "a.id = r.alias_id JOIN domains d ON d.id = a.domain_id "                                    \
			    "WHERE r.token_hash = decode($1, 'hex')"

const struct sql_stmt sql_stmts[STMT__MAX] = {
	[STMT_SCHEMA_VERSION] = { "schema_version",
	    "SELECT coalesce(max(version), 0) FROM schema_migrations", 0,
	    SCHEMA_VERSION__N },
	[STMT_DOMAIN_LIST] = { "domain_list",
	    "SELECT slug, name, team, coalesce(title, name), coalesce(logo, '') "
	    "FROM domains WHERE enabled AND slug IS NOT NULL "
	    "ORDER BY coalesce(title, name)",
	    0, DOMAIN_LIST__N },
	/*
	 * One round trip checks the session and says whether its idle expiry
	 * is due to slide (at most once a minute: STMT_SESSION_TOUCH), so a
	 * page view costs a plain read.  The user's columns include what /my
	 * shows, to spare it a look-up.
	 */
	[STMT_SESSION_LOAD] = { "session_load",
	    "SELECT " SESSION_COLUMNS_SQL SESSION_FROM SESSION_WHERE, 1,
	    SESSION__N },
	[STMT_SESSION_CREATE] = { "session_create",
	    "INSERT INTO sessions (token_hash, user_id, csrf_token, "
	    "idle_expires_at, expires_at) VALUES (decode($1, 'hex'), "
	    "$2::bigint, decode($3, 'hex'), now() + make_interval(secs => "
	    "least($4::int, $5::int)), now() + make_interval(secs => $5::int))",
	    5, 0 },
	[STMT_SESSION_DELETE] = { "session_delete",
	    "DELETE FROM sessions WHERE token_hash = decode($1, 'hex')", 1, 0 },
	[STMT_IS_DOMAIN_ADMIN] = { "is_domain_admin",
	    "SELECT 1 FROM domain_members m JOIN domains d ON d.id = m.domain_id "
	    "WHERE d.name = $1 AND m.user_id = $2::bigint AND m.role = 'admin'",
	    2, IS_DOMAIN_ADMIN__N },
	/* Fixed windows: one counter row per key and window, cheap to bump
	 * and to sweep; a burst at a window's edge may pass twice the rate. */
	[STMT_RATE_HIT] = { "rate_hit",
	    "WITH w AS (SELECT date_bin(make_interval(secs => $2::int), now(), "
	    "timestamptz 'epoch') AS start) "
	    "INSERT INTO rate_limits AS r (bucket, window_start, expires_at) "
	    "SELECT $1, w.start, w.start + make_interval(secs => 2 * $2::int) "
	    "FROM w ON CONFLICT (bucket, window_start) DO UPDATE SET "
	    "hits = r.hits + 1 RETURNING hits, ceil(extract(epoch FROM "
	    "r.window_start + make_interval(secs => $2::int) - now()))::int",
	    2, RATE_HIT__N },
	[STMT_DOMAIN_TEAMS] = { "domain_teams",
	    "SELECT coalesce(string_agg(DISTINCT team, ','), '') FROM domains "
	    "WHERE enabled",
	    0, DOMAIN_TEAMS__N },
	[STMT_LOGIN_STATE_CREATE] = { "login_state_create",
	    "INSERT INTO login_states (state_hash, browser_binding_hash, "
	    "return_path, expires_at) VALUES (decode($1, 'hex'), "
	    "decode($2, 'hex'), $3, now() + make_interval(secs => $4::int))",
	    4, 0 },
	[STMT_LOGIN_STATE_USE] = { "login_state_use",
	    "UPDATE login_states SET used_at = now() WHERE state_hash = "
	    "decode($1, 'hex') AND used_at IS NULL AND expires_at > now() "
	    "RETURNING 1",
	    1, LOGIN_STATE_USE__N },
	[STMT_LOGIN_STATE_USER] = { "login_state_user",
	    "UPDATE login_states SET user_id = $2::bigint WHERE state_hash = "
	    "decode($1, 'hex') AND used_at IS NOT NULL AND user_id IS NULL",
	    2, 0 },
	[STMT_LOGIN_STATE_FINISH] = { "login_state_finish",
	    "UPDATE login_states SET finished_at = now() WHERE state_hash = "
	    "decode($1, 'hex') AND browser_binding_hash = decode($2, 'hex') "
	    "AND user_id IS NOT NULL AND finished_at IS NULL "
	    "AND expires_at > now() RETURNING user_id, "
	    "coalesce(return_path, '/my')",
	    2, LOGIN_STATE_FINISH__N },
	/* The primary key makes "never seen before" one atomic INSERT. */
	[STMT_NONCE_INSERT] = { "nonce_insert",
	    "INSERT INTO openid_nonces (op_endpoint, nonce, expires_at) "
	    "VALUES ($1, $2, now() + make_interval(secs => $3::int)) "
	    "ON CONFLICT DO NOTHING RETURNING 1",
	    3, NONCE_INSERT__N },
	[STMT_USER_BY_CLAIMED_ID] = { "user_by_claimed_id",
	    "SELECT id, email, is_banned, coalesce(email_stuck, '') FROM users "
	    "WHERE claimed_id = $1 FOR UPDATE",
	    1, USER_BY_CLAIMED_ID__N },
	[STMT_USER_CLEAR_NAME] = { "user_clear_name",
	    "UPDATE users SET name = NULL WHERE lower(name) = lower($1) "
	    "AND claimed_id <> $2",
	    2, 0 },
	[STMT_USER_INSERT] = { "user_insert",
	    "INSERT INTO users (claimed_id, name, email, display_name, "
	    "last_login_at) VALUES ($1, $2, $3, $4, now()) RETURNING id",
	    4, USER_INSERT__N },
	[STMT_USER_UPDATE] = { "user_update",
	    "UPDATE users SET name = $2, email = coalesce($3, email), "
	    "display_name = coalesce($4, display_name), last_login_at = now(), "
	    "mail_problem = CASE WHEN $3 <> email THEN NULL ELSE mail_problem "
	    "END WHERE id = $1::bigint",
	    4, 0 },
	/*
	 * Aliases forwarding only to the old address (or to the one they
	 * are stuck with) follow the new one, unless it is their own.
	 */
	[STMT_ALIASES_FOLLOW_EMAIL] = { "aliases_follow_email",
	    "UPDATE aliases a SET recipients = ARRAY[$3] FROM domains d, "
	    "aliases o WHERE o.id = a.id AND d.id = a.domain_id AND "
	    "a.user_id = $1::bigint AND (a.recipients = ARRAY[$2] OR "
	    "a.recipients = ARRAY[$4::text]) AND lower(a.local_part || '@' || "
	    "d.name) <> lower($3) RETURNING a.id, o.recipients[1]",
	    4, FOLLOW_EMAIL__N },
	/* Some still forward to the old address: /my asks the user to look. */
	[STMT_USER_EMAIL_STUCK] = { "user_email_stuck",
	    "UPDATE users u SET email_stuck = CASE WHEN EXISTS (SELECT 1 FROM "
	    "aliases a WHERE a.user_id = u.id AND (a.recipients = ARRAY[$2] OR "
	    "a.recipients = ARRAY[u.email_stuck])) THEN coalesce(u.email_stuck, "
	    "$2) END WHERE u.id = $1::bigint RETURNING email_stuck IS NOT NULL",
	    2, USER_EMAIL_STUCK__N },
	[STMT_USER_BY_ID] = { "user_by_id",
	    "SELECT coalesce(name, ''), email, coalesce(display_name, ''), "
	    "claimed_id, is_banned, coalesce(lang, '') FROM users "
	    "WHERE id = $1::bigint",
	    1, USER_BY_ID__N },
	[STMT_USER_SET_LANG] = { "user_set_lang",
	    "UPDATE users SET lang = $2 WHERE id = $1::bigint", 2, 0 },
	[STMT_USER_ADOPT_LANG] = { "user_adopt_lang",
	    "UPDATE users SET lang = $2 WHERE id = $1::bigint AND lang IS NULL",
	    2, 0 },
	[STMT_AUDIT] = { "audit",
	    "INSERT INTO audit_log (actor_kind, actor_user_id, actor_name, "
	    "action, target_type, target_id, target_label, before, after, "
	    "request_id, domain_id) VALUES ($1, $2::bigint, $3, $4, $5, "
	    "$6::bigint, $7, $8::jsonb, $9::jsonb, $10, $11::bigint)",
	    11, 0 },
	[STMT_ASSOC_CURRENT] = { "assoc_current",
	    "SELECT handle, encode(secret, 'hex') FROM openid_associations "
	    "WHERE op_endpoint = $1 AND expires_at > now() + interval '5 min' "
	    "ORDER BY expires_at DESC LIMIT 1",
	    1, ASSOC_CURRENT__N },
	[STMT_ASSOC_GET] = { "assoc_get",
	    "SELECT encode(secret, 'hex') FROM openid_associations "
	    "WHERE op_endpoint = $1 AND handle = $2 AND expires_at > now()",
	    2, ASSOC_GET__N },
	[STMT_ASSOC_INSERT] = { "assoc_insert",
	    "INSERT INTO openid_associations (op_endpoint, handle, secret, "
	    "expires_at) VALUES ($1, $2, decode($3, 'hex'), now() + "
	    "make_interval(secs => $4::int)) ON CONFLICT (op_endpoint, handle) "
	    "DO UPDATE SET secret = EXCLUDED.secret, "
	    "expires_at = EXCLUDED.expires_at",
	    4, 0 },
	[STMT_ASSOC_DELETE] = { "assoc_delete",
	    "DELETE FROM openid_associations WHERE op_endpoint = $1 "
	    "AND handle = $2",
	    2, 0 },
	/* outbox (outbox.c) */
	[STMT_OUTBOX_RETRY] = { "outbox_retry",
	    "UPDATE outbox SET failed_at = NULL, attempts = 0, "
	    "next_attempt_at = now() WHERE id = $1 AND failed_at IS NOT NULL "
	    "RETURNING id",
	    1, OUTBOX_RETRY__N },
	/* provisioning: snapshot.c, provision.c, errlog.c, notify.c, sync.c */
	/*
	 * Trusted: complete and never held, or held and accepted; the latest
	 * is mm_trusted_snapshot's (migration 0006).
	 */
	[STMT_SNAP_TRUSTED] = { "snap_trusted",
	    "WITH t AS (SELECT total, fetched_at FROM team_snapshots "
	    "WHERE id = mm_trusted_snapshot($1)) "
	    "SELECT (SELECT total FROM t), EXISTS (SELECT 1 FROM "
	    "team_snapshots s WHERE s.team = $1 AND s.shrink_held AND "
	    "s.accepted_at IS NULL AND s.fetched_at > coalesce((SELECT "
	    "fetched_at FROM t), '-infinity'))",
	    1, SNAP_TRUSTED__N },
	[STMT_SNAP_INSERT] = { "snap_insert",
	    "INSERT INTO team_snapshots (team, total, complete, error, "
	    "shrink_held) VALUES ($1, $2::int, $3::boolean, $4, $5::boolean) "
	    "RETURNING id",
	    5, SNAP_INSERT__N },
	[STMT_SNAP_MEMBERS] = { "snap_members",
	    "INSERT INTO team_snapshot_members (snapshot_id, name) "
	    "SELECT $1::bigint, unnest(string_to_array($2, ' '))",
	    2, 0 },
	[STMT_SNAP_LATEST] = { "snap_latest",
	    "SELECT id, shrink_held AND accepted_at IS NULL, "
	    "extract(epoch FROM now() - fetched_at)::bigint "
	    "FROM team_snapshots WHERE team = $1 AND complete "
	    "ORDER BY fetched_at DESC LIMIT 1",
	    1, SNAP_LATEST__N },
	[STMT_SNAP_HAS] = { "snap_has",
	    "SELECT 1 FROM team_snapshot_members WHERE snapshot_id = "
	    "$1::bigint AND name = lower($2)",
	    2, SNAP_HAS__N },
	[STMT_SNAP_ACCEPT] = { "snap_accept",
	    "UPDATE team_snapshots SET accepted_at = now(), accepted_by = $2 "
	    "WHERE id = (SELECT id FROM team_snapshots WHERE team = $1 AND "
	    "complete ORDER BY fetched_at DESC LIMIT 1) AND shrink_held AND "
	    "accepted_at IS NULL RETURNING id, total",
	    2, SNAP_ACCEPT__N },
	[STMT_SNAP_SWEEP] = { "snap_sweep",
	    "DELETE FROM team_snapshots WHERE team = $1 AND id <> ALL (ARRAY("
	    "(SELECT id FROM team_snapshots WHERE team = $1 "
	    "ORDER BY fetched_at DESC LIMIT 1) UNION ALL "
	    "(SELECT id FROM team_snapshots WHERE team = $1 AND complete "
	    "ORDER BY fetched_at DESC LIMIT 1) UNION ALL "
	    "(SELECT t FROM mm_trusted_snapshot($1) t WHERE t IS NOT NULL)))",
	    1, 0 },
	/* The admins' addresses: an array, NULL when there is none. */
	[STMT_PROV_DOMAINS] = { "prov_domains",
	    "SELECT d.id, d.name, d.team, d.alias_limit, array_agg(u.email "
	    "ORDER BY u.id) FILTER (WHERE NOT u.is_banned), d.default_lang, "
	    "array_agg(coalesce(u.lang, d.default_lang) ORDER BY u.id) "
	    "FILTER (WHERE NOT u.is_banned) "
	    "FROM domains d LEFT JOIN domain_members m ON m.domain_id = d.id "
	    "AND m.role = 'admin' LEFT JOIN users u ON u.id = m.user_id "
	    "WHERE d.enabled AND d.txt_status = 'verified' AND "
	    "(d.txt_grace_until IS NULL OR d.txt_grace_until > now()) "
	    "GROUP BY d.id ORDER BY d.id",
	    0, PROV_DOMAINS__N },
	/* Users whose name another identity took are kept: by claimed id. */
	[STMT_PROV_USERS] = { "prov_users",
	    "SELECT id, coalesce(lower(name), ''), email, claimed_id, "
	    "is_banned, coalesce(person_status, ''), person_checked_at IS NULL "
	    "OR person_checked_at < now() - make_interval(secs => $3::int) OR "
	    "sync_requested_at IS NOT NULL, announced_at IS NULL, "
	    "coalesce(lang, '') FROM users "
	    "WHERE ($1::bigint IS NULL OR id = $1) AND "
	    "($2::text IS NULL OR lower(name) = lower($2)) ORDER BY id",
	    3, PROV_USERS__N },
	[STMT_PROV_MEMBERS] = { "prov_members",
	    "SELECT user_id, domain_id, role FROM domain_members "
	    "WHERE $1::bigint IS NULL OR user_id = $1 "
	    "ORDER BY user_id, domain_id",
	    1, PROV_MEMBERS__N },
	[STMT_PROV_ALIASES] = { "prov_aliases",
	    "SELECT id, domain_id, user_id, local_part, enabled, "
	    "coalesce(disabled_reason, ''), coalesce(remove_at <= now(), "
	    "false), NOT enabled AND NOT reserved_assigned AND "
	    "mm_local_part_reserved(domain_id, local_part) FROM aliases "
	    "WHERE $1::bigint IS NULL OR user_id = $1 OR local_part = $2 "
	    "ORDER BY user_id, domain_id, id",
	    2, PROV_ALIASES__N },
	/* A ban disables the user's aliases on whatever domain they are. */
	[STMT_BAN_DOMAINS] = { "ban_domains",
	    "SELECT d.id, d.name, d.team, array_agg(u.email ORDER BY u.id) "
	    "FILTER (WHERE NOT u.is_banned), d.default_lang, "
	    "array_agg(coalesce(u.lang, d.default_lang) ORDER BY u.id) "
	    "FILTER (WHERE NOT u.is_banned) FROM domains d "
	    "LEFT JOIN domain_members m ON m.domain_id = d.id "
	    "AND m.role = 'admin' LEFT JOIN users u ON u.id = m.user_id "
	    "WHERE d.id IN (SELECT domain_id FROM aliases WHERE user_id = "
	    "$1::bigint AND enabled) GROUP BY d.id ORDER BY d.id",
	    1, BAN_DOMAINS__N },
	[STMT_BAN_SESSIONS] = { "ban_sessions",
	    "WITH d AS (DELETE FROM sessions WHERE user_id = $1::bigint "
	    "RETURNING 1) SELECT count(*) FROM d",
	    1, BAN_SESSIONS__N },
	[STMT_BAN_TOKENS] = { "ban_tokens",
	    "UPDATE api_tokens SET revoked_at = now() WHERE user_id = "
	    "$1::bigint AND revoked_at IS NULL RETURNING id, name, "
	    "jsonb_build_object('revoked_at', revoked_at, 'why', "
	    "'the user is banned')::text",
	    1, BAN_TOKENS__N },
	/* Users' names that are reserved local parts, and where. */
	[STMT_PROV_RESERVED] = { "prov_reserved",
	    "SELECT r.domain_id, r.local_part FROM all_reserved_local_parts r "
	    "WHERE r.local_part IN (SELECT lower(name) FROM users WHERE name "
	    "IS NOT NULL AND ($1::bigint IS NULL OR id = $1::bigint))",
	    1, PROV_RESERVED__N },
	[STMT_PROV_ALIAS_CREATE] = { "prov_alias_create",
	    "INSERT INTO aliases (domain_id, local_part, user_id, recipients, "
	    "enabled, disabled_reason) VALUES ($1::bigint, $2, $3::bigint, "
	    "ARRAY[$4], $5::boolean, nullif($6, '')) RETURNING id",
	    6, PROV_ALIAS_CREATE__N },
	/* Back as it was before the rules took it off (prior_reason). */
	[STMT_PROV_ALIAS_ENABLE] = { "prov_alias_enable",
	    "UPDATE aliases SET enabled = prior_reason IS NULL, "
	    "disabled_reason = prior_reason, prior_reason = NULL, "
	    "remove_at = NULL WHERE id = $1::bigint AND disabled_reason IN "
	    "('left-team', 'invalid-user', 'banned') "
	    "RETURNING local_part, enabled, coalesce(disabled_reason, '')",
	    1, PROV_ALIAS_ENABLE__N },
	/* Whoever disabled it before, the rules' reason and removal apply. */
	[STMT_PROV_ALIAS_DISABLE] = { "prov_alias_disable",
	    "UPDATE aliases SET enabled = false, disabled_reason = $2, "
	    "prior_reason = CASE WHEN enabled THEN NULL ELSE disabled_reason "
	    "END, remove_at = now() + make_interval(days => $3::int) "
	    "WHERE id = $1::bigint AND (enabled OR disabled_reason NOT IN "
	    "('left-team', 'invalid-user', 'banned')) "
	    "RETURNING to_char(remove_at, 'YYYY-MM-DD')",
	    3, PROV_ALIAS_DISABLE__N },
	[STMT_PROV_ALIAS_DELETE] = { "prov_alias_delete",
	    "DELETE FROM aliases WHERE id = $1::bigint RETURNING local_part", 1,
	    PROV_ALIAS_DELETE__N },
	[STMT_PROV_MEMBER_ADD] = { "prov_member_add",
	    "INSERT INTO domain_members (domain_id, user_id) VALUES "
	    "($1::bigint, $2::bigint) ON CONFLICT DO NOTHING RETURNING 1",
	    2, PROV_MEMBER_ADD__N },
	[STMT_PROV_MEMBER_PRUNE] = { "prov_member_prune",
	    "DELETE FROM domain_members m WHERE m.domain_id = $1::bigint AND "
	    "m.user_id = $2::bigint AND m.role = 'member' AND NOT EXISTS "
	    "(SELECT 1 FROM aliases a WHERE a.domain_id = m.domain_id AND "
	    "a.user_id = m.user_id) RETURNING 1",
	    2, PROV_MEMBER_PRUNE__N },
	[STMT_PROV_PERSONS] = { "prov_persons",
	    "UPDATE users u SET person_status = v.s, person_checked_at = "
	    "now(), sync_requested_at = NULL FROM unnest($1::bigint[], "
	    "$2::text[]) AS v(id, s) WHERE u.id = v.id",
	    2, 0 },
	[STMT_PROV_SYNCED] = { "prov_synced",
	    "UPDATE users SET synced_at = now() WHERE id = ANY ($1::bigint[])",
	    1, 0 },
	/* The sync's one write per user: synced, and a status that is news. */
	[STMT_PROV_SYNC_WRITE] = { "prov_sync_write",
	    "UPDATE users u SET synced_at = now(), person_status = "
	    "coalesce(v.s, u.person_status), person_checked_at = CASE WHEN "
	    "v.s IS NULL THEN u.person_checked_at ELSE now() END, "
	    "sync_requested_at = CASE WHEN v.s IS NULL THEN u.sync_requested_at "
	    "END FROM unnest($1::bigint[], $2::text[]) AS v(id, s) "
	    "WHERE u.id = v.id",
	    2, 0 },
	[STMT_PROV_SYNC_REQUEST] = { "prov_sync_request",
	    "UPDATE users SET sync_requested_at = now() WHERE id = $1::bigint",
	    1, 0 },
	[STMT_USERS_NEED_SMTPUTF8] = { "users_need_smtputf8",
	    "UPDATE users SET mail_problem = 'needs-smtputf8' WHERE email = "
	    "ANY (string_to_array($1, ' ')) AND mail_problem IS NULL",
	    1, 0 },
	[STMT_PROV_RENAME] = { "prov_rename",
	    "UPDATE users SET name = $2 WHERE id = $1::bigint AND "
	    "name IS DISTINCT FROM $2",
	    2, 0 },
	[STMT_PROV_ANNOUNCED] = { "prov_announced",
	    "UPDATE users SET announced_at = now() WHERE id = $1::bigint AND "
	    "announced_at IS NULL",
	    1, 0 },
	/*
	 * New addresses in bulk: what a plan of only creations and joins
	 * writes (provision.c's do_create and do_member: the same rows, the
	 * same audit rows), for many users in one statement.
	 */
	[STMT_PROV_BULK_CREATE] = { "prov_bulk_create",
	    "WITH c AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS "
	    "t(d bigint, l text, u bigint, r text, e boolean)), "
	    "a AS (INSERT INTO aliases (domain_id, local_part, user_id, "
	    "recipients, enabled, disabled_reason) SELECT d, l, u, ARRAY[r], "
	    "e, CASE WHEN e THEN NULL ELSE 'matches-recipient' END FROM c "
	    "RETURNING id, domain_id, local_part, enabled, disabled_reason, "
	    "recipients), "
	    "aa AS (INSERT INTO audit_log (actor_kind, action, target_type, "
	    "target_id, target_label, domain_id, after) SELECT 'sync', "
	    "'alias.create', 'alias', a.id, a.local_part || '@' || dm.name, "
	    "a.domain_id, jsonb_build_object('enabled', a.enabled, "
	    "'disabled_reason', a.disabled_reason, 'recipients', "
	    "to_jsonb(a.recipients)) FROM a JOIN domains dm ON "
	    "dm.id = a.domain_id), "
	    "j AS (SELECT * FROM jsonb_to_recordset($2::jsonb) AS "
	    "t(d bigint, u bigint, n text)), "
	    "m AS (INSERT INTO domain_members (domain_id, user_id) SELECT d, u "
	    "FROM j ON CONFLICT DO NOTHING RETURNING domain_id, user_id), "
	    "ma AS (INSERT INTO audit_log (actor_kind, action, target_type, "
	    "target_id, target_label, domain_id, after) SELECT 'sync', "
	    "'domain_member.add', 'domain_member', m.user_id, j.n || ' in ' || "
	    "dm.name, m.domain_id, '{\"role\": \"member\"}' FROM m JOIN j ON "
	    "j.d = m.domain_id AND j.u = m.user_id JOIN domains dm ON dm.id = "
	    "m.domain_id), "
	    "o AS (INSERT INTO outbox (to_addresses, subject, body) "
	    "SELECT ARRAY[a], s, b FROM jsonb_to_recordset($3::jsonb) AS "
	    "x(t text, s text, b text), unnest(string_to_array(t, ' ')) AS a), "
	    "n AS (UPDATE users SET announced_at = now() WHERE id = ANY "
	    "($4::bigint[]) AND announced_at IS NULL) "
	    "SELECT count(*) FROM a",
	    4, PROV_BULK_CREATE__N },
	[STMT_PENDING_LOAD] = { "pending_load",
	    "SELECT user_id, status, runs, extract(epoch FROM now() - "
	    "first_seen_at)::bigint, accepted_at IS NOT NULL FROM "
	    "person_pending ORDER BY user_id",
	    0, PENDING_LOAD__N },
	/* Once per run: the same answer again, or a new one from now on. */
	[STMT_PENDING_SEEN] = { "pending_seen",
	    "INSERT INTO person_pending AS p (user_id, status) SELECT * FROM "
	    "unnest($1::bigint[], $2::text[]) ON CONFLICT (user_id) DO UPDATE "
	    "SET runs = p.runs + 1, last_seen_at = now(), status = "
	    "EXCLUDED.status",
	    2, 0 },
	[STMT_PENDING_FORGET] = { "pending_forget",
	    "DELETE FROM person_pending WHERE user_id = ANY ($1::bigint[])", 1,
	    0 },
	[STMT_PENDING_ACCEPT] = { "pending_accept",
	    "UPDATE person_pending SET accepted_at = now(), accepted_by = $1 "
	    "WHERE accepted_at IS NULL RETURNING user_id",
	    1, PENDING_ACCEPT__N },
	/*
	 * A run's causes: new ones (first seen now) and those last mailed
	 * over $3 seconds ago are mailed (mailed_at moves to now).
	 */
	[STMT_ALERTS_SEEN] = { "alerts_seen",
	    "INSERT INTO sync_alerts AS s (cause, message) SELECT * FROM "
	    "unnest($1::text[], $2::text[]) ON CONFLICT (cause) DO UPDATE SET "
	    "last_seen_at = now(), message = EXCLUDED.message, mailed_at = "
	    "CASE WHEN s.mailed_at < now() - make_interval(secs => $3::int) "
	    "THEN now() ELSE s.mailed_at END RETURNING cause, message, "
	    "first_seen_at = now(), mailed_at = now()",
	    3, ALERTS_SEEN__N },
	[STMT_ALERTS_CLEAR] = { "alerts_clear",
	    "DELETE FROM sync_alerts WHERE cause <> ALL ($1::text[]) "
	    "RETURNING cause, message",
	    1, ALERTS_CLEAR__N },
	/* One row per fingerprint: the latest occurrence's details. */
	[STMT_ERRLOG] = { "errlog",
	    "INSERT INTO error_log (fingerprint, message, user_id, "
	    "launchpad_name, claimed_id, domain_id) VALUES (sha256("
	    "convert_to($1, 'UTF8')), $2, $3::bigint, $4, $5, $6::bigint) "
	    "ON CONFLICT (fingerprint) DO UPDATE SET count = error_log.count "
	    "+ 1, last_seen_at = now(), expires_at = now() + interval "
	    "'90 days', message = EXCLUDED.message, user_id = "
	    "EXCLUDED.user_id, launchpad_name = EXCLUDED.launchpad_name, "
	    "claimed_id = EXCLUDED.claimed_id",
	    6, 0 },
	[STMT_ERROR_REPORT] = { "error_report",
	    "INSERT INTO error_reports AS r (user_id, domain_id, error_code) "
	    "VALUES ($1::bigint, $2::bigint, $3) ON CONFLICT (user_id, "
	    "domain_id, error_code) DO UPDATE SET first_seen_at = now(), "
	    "last_seen_at = now(), expires_at = now() + interval '30 days' "
	    "WHERE r.expires_at < now() RETURNING 1",
	    3, ERROR_REPORT__N },
	[STMT_ERROR_FORGET] = { "error_forget",
	    "DELETE FROM error_reports WHERE user_id = $1::bigint AND "
	    "domain_id = $2::bigint",
	    2, 0 },
	/* One row per address: each recipient gets a copy of their own. */
	[STMT_OUTBOX_INSERT] = { "outbox_insert",
	    "INSERT INTO outbox (to_addresses, subject, body) "
	    "SELECT ARRAY[a], $2, $3 FROM unnest(string_to_array($1, ' ')) "
	    "WITH ORDINALITY AS t(a, n) ORDER BY n",
	    3, 0 },
	[STMT_SYNC_LOCK] = { "sync_lock",
	    "SELECT pg_try_advisory_lock(hashtext('membermail:sync'))", 0,
	    SYNC_LOCK__N },
	[STMT_SYNC_ASYNC_COMMIT] = { "sync_async_commit",
	    "SELECT set_config('synchronous_commit', 'off', false)", 0,
	    SYNC_ASYNC_COMMIT__N },
	/* Site admins (handlers/admin.c). */
	[STMT_SA_COUNTS] = { "sa_counts",
	    "SELECT (SELECT count(*) FROM domains), (SELECT count(*) FROM users), "
	    "(SELECT count(*) FROM aliases), (SELECT count(*) FROM outbox "
	    "WHERE sent_at IS NULL AND failed_at IS NULL), (SELECT count(*) "
	    "FROM outbox WHERE failed_at IS NOT NULL), (SELECT count(*) FROM "
	    "error_log WHERE last_seen_at > now() - interval '1 day')",
	    0, SA_COUNTS__N },
	[STMT_SA_DOMAINS] = { "sa_domains",
	    "SELECT d.name, d.team, coalesce(d.slug, ''), coalesce(d.title, ''), "
	    "d.enabled, d.alias_limit, d.txt_status, (SELECT count(*) FROM "
	    "domain_members m WHERE m.domain_id = d.id), (SELECT count(*) FROM "
	    "aliases a WHERE a.domain_id = d.id), d.verification_token, "
	    "coalesce(d.logo, ''), coalesce(d.role_recipient, '') "
	    "FROM domains d ORDER BY d.name",
	    0, SA_DOMAINS__N },
	[STMT_SA_DOMAIN_LOGO_LOCK] = { "sa_domain_logo_lock",
	    "SELECT id, coalesce(logo, '') FROM domains WHERE name = $1 "
	    "FOR UPDATE",
	    1, SA_DOMAIN_LOGO_LOCK__N },
	[STMT_SA_DOMAIN_LOGO_SET] = { "sa_domain_logo_set",
	    "UPDATE domains SET logo = $2 WHERE id = $1::bigint", 2, 0 },
	/* Any unique conflict (name, slug, token) inserts nothing. */
	[STMT_SA_DOMAIN_INSERT] = { "sa_domain_insert",
	    "INSERT INTO domains (name, team, slug, title, verification_token, "
	    "alias_limit, enabled) VALUES ($1, $2, $3, $4, $5, $6::smallint, "
	    "$7::boolean) ON CONFLICT DO NOTHING RETURNING id, "
	    "jsonb_build_object('name', name, 'team', team, 'slug', slug, "
	    "'title', title, 'alias_limit', alias_limit, 'enabled', enabled, "
	    "'verification_token', verification_token)::text",
	    7, SA_DOMAIN_INSERT__N },
	/* No row: no such user. */
	[STMT_SA_DOMAIN_ADMIN_ADD] = { "sa_domain_admin_add",
	    "WITH u AS (SELECT id, name, is_banned FROM users "
	    "WHERE lower(name) = lower($2)), m AS (INSERT INTO domain_members "
	    "(domain_id, user_id, role) SELECT $1::bigint, id, 'admin' FROM u "
	    "RETURNING user_id, role) SELECT u.id, u.name, u.is_banned, "
	    "u.name || ' in ' || d.name, jsonb_build_object('user', u.name, "
	    "'role', m.role)::text FROM m JOIN u ON u.id = m.user_id "
	    "JOIN domains d ON d.id = $1::bigint",
	    2, SA_DOMAIN_ADMIN_ADD__N },
	[STMT_SA_DOMAIN_TAKEN] = { "sa_domain_taken",
	    "SELECT EXISTS (SELECT 1 FROM domains WHERE name = $1), "
	    "EXISTS (SELECT 1 FROM domains WHERE slug = $2)",
	    2, SA_DOMAIN_TAKEN__N },
	[STMT_SA_DOMAIN_LOCK] = { "sa_domain_lock",
	    "SELECT id, enabled, alias_limit, jsonb_build_object('enabled', "
	    "enabled, 'alias_limit', alias_limit)::text FROM domains "
	    "WHERE name = $1 FOR UPDATE",
	    1, SA_DOMAIN_LOCK__N },
	[STMT_SA_DOMAIN_UPDATE] = { "sa_domain_update",
	    "UPDATE domains SET enabled = $2::boolean, alias_limit = "
	    "$3::smallint WHERE id = $1::bigint RETURNING jsonb_build_object("
	    "'enabled', enabled, 'alias_limit', alias_limit)::text",
	    3, SA_DOMAIN_UPDATE__N },
	/* Keyset pagination by id: stable while users sign up. */
	[STMT_SA_USERS] = { "sa_users",
	    "SELECT id, coalesce(name, ''), email, is_banned, is_site_admin "
	    "FROM users WHERE id > $2::bigint AND ($1::text IS NULL OR "
	    "starts_with(lower(name), lower($1)) OR starts_with(lower(email), "
	    "lower($1))) ORDER BY id LIMIT $3::int",
	    3, SA_USERS__N },
	[STMT_SA_USER] = { "sa_user",
	    "SELECT coalesce(u.name, ''), u.email, "
	    "coalesce(u.display_name, ''), u.claimed_id, u.is_banned, "
	    "coalesce(u.ban_reason, ''), u.is_site_admin, "
	    "coalesce(to_char(u.last_login_at, 'YYYY-MM-DD HH24:MI:SSOF'), "
	    "'never'), to_char(u.created_at, 'YYYY-MM-DD HH24:MI:SSOF'), "
	    "(SELECT count(*) FROM aliases a WHERE a.user_id = u.id), "
	    "coalesce((SELECT string_agg(d.name || ' (' || m.role || ')', "
	    "', ' ORDER BY d.name) FROM domain_members m JOIN domains d "
	    "ON d.id = m.domain_id WHERE m.user_id = u.id), '') "
	    "FROM users u WHERE u.id = $1::bigint",
	    1, SA_USER__N },
	[STMT_SA_USER_LOCK] = { "sa_user_lock",
	    "SELECT coalesce(name, ''), is_banned, is_site_admin, "
	    "jsonb_build_object('is_banned', is_banned, 'ban_reason', "
	    "ban_reason, 'is_site_admin', is_site_admin)::text, "
	    "coalesce(ban_reason, '') FROM users WHERE id = $1::bigint "
	    "FOR UPDATE",
	    1, SA_USER_LOCK__N },
	[STMT_SA_USER_BY_NAME] = { "sa_user_by_name",
	    "SELECT id FROM users WHERE lower(name) = lower($1)", 1,
	    SA_USER_BY_NAME__N },
	[STMT_SA_USER_SET] = { "sa_user_set",
	    "UPDATE users SET is_banned = $2::boolean, ban_reason = CASE "
	    "WHEN $2::boolean THEN coalesce($3, ban_reason) END, "
	    "is_site_admin = $4::boolean WHERE id = $1::bigint RETURNING "
	    "jsonb_build_object('is_banned', is_banned, 'ban_reason', "
	    "ban_reason, 'is_site_admin', is_site_admin)::text",
	    4, SA_USER_SET__N },
	/* Locked in id order, before any one user's row (rules/site.c). */
	[STMT_SA_SITE_ADMINS] = { "sa_site_admins",
	    "SELECT count(*) FILTER (WHERE NOT is_banned AND id <> $1::bigint) "
	    "FROM (SELECT id, is_banned FROM users WHERE is_site_admin "
	    "ORDER BY id FOR UPDATE) a",
	    1, SA_SITE_ADMINS__N },
	[STMT_SA_OUTBOX_FAILED] = { "sa_outbox_failed",
	    "SELECT id, array_to_string(to_addresses, ', '), subject, "
	    "attempts, coalesce(last_error, ''), to_char(failed_at, "
	    "'YYYY-MM-DD HH24:MI:SSOF'), to_char(created_at, "
	    "'YYYY-MM-DD HH24:MI:SSOF') FROM outbox "
	    "WHERE failed_at IS NOT NULL ORDER BY failed_at DESC, id DESC "
	    "LIMIT 200",
	    0, SA_OUTBOX_FAILED__N },
	/* Before and after mail_retry (notify.c) sends it again. */
	[STMT_SA_OUTBOX_STATE] = { "sa_outbox_state",
	    "SELECT failed_at IS NOT NULL, left(subject, 320), "
	    "jsonb_build_object('attempts', attempts, 'failed_at', failed_at, "
	    "'last_error', last_error, 'next_attempt_at', next_attempt_at)::text "
	    "FROM outbox WHERE id = $1::bigint FOR UPDATE",
	    1, SA_OUTBOX_STATE__N },
	[STMT_SA_OUTBOX_DELETE] = { "sa_outbox_delete",
	    "DELETE FROM outbox WHERE id = $1::bigint "
	    "AND failed_at IS NOT NULL RETURNING left(subject, 320), "
	    "jsonb_build_object('to', to_addresses, 'subject', subject, "
	    "'attempts', attempts, 'failed_at', failed_at, 'last_error', "
	    "last_error)::text",
	    1, SA_OUTBOX_DELETE__N },
	[STMT_SA_ERRORS] = { "sa_errors",
	    "SELECT left(encode(fingerprint, 'hex'), 12), message, count, "
	    "to_char(first_seen_at, 'YYYY-MM-DD HH24:MI:SSOF'), "
	    "to_char(last_seen_at, 'YYYY-MM-DD HH24:MI:SSOF'), "
	    "coalesce(user_id::text, ''), coalesce(launchpad_name, ''), "
	    "coalesce(claimed_id, '') FROM error_log "
	    "ORDER BY last_seen_at DESC LIMIT 200",
	    0, SA_ERRORS__N },
	/* Member pages and alias rules (alias.c, handlers/my.c). */
	[STMT_ALIAS_GET] = { "alias_get", ALIAS_SELECT, 3, ALIAS_GET__N },
	[STMT_ALIAS_LOCK] = { "alias_lock", ALIAS_SELECT " FOR UPDATE OF a", 3,
	    ALIAS_GET__N },
	[STMT_ALIAS_UPDATE] = { "alias_update",
	    "UPDATE aliases SET recipients = string_to_array($2, E'\\n'), "
	    "enabled = $3::boolean, disabled_reason = $4, "
	    "reply_code = $5::smallint, description = $6, remove_at = CASE "
	    "WHEN $3::boolean THEN NULL ELSE remove_at END "
	    "WHERE id = $1::bigint RETURNING updated_at::text",
	    6, ALIAS_UPDATE__N },
	/* An alias's audit rows, for history.c's sentences. */
	[STMT_ALIAS_HISTORY] = { "alias_history",
	    "SELECT " WHEN(
		"l.at") ", l.actor_kind, coalesce(l.actor_name, ''), "
			"l.action, coalesce(l.target_label, ''), l.before::text, "
			"l.after::text FROM audit_log l WHERE l.target_type = 'alias' AND "
			"l.target_id = $1::bigint ORDER BY l.at DESC, l.id DESC LIMIT 100",
	    1, HISTORY__N },
	/* The domain-admin rules and listings (rules/domain_members.c). */
	[STMT_MEMBER_DOMAIN_ACCESS] = { "member_domain_access",
	    MEMBER_DOMAIN_ACCESS, 2, DOMAIN_ACCESS__N },
	/*
	 * Every membership change locks its domain first: changes of one
	 * domain run one at a time (the last-admin rule needs that), while
	 * NO KEY leaves inserts referencing the domain unblocked.
	 */
	[STMT_MEMBER_DOMAIN_LOCK] = { "member_domain_lock",
	    MEMBER_DOMAIN_ACCESS " FOR NO KEY UPDATE OF d", 2,
	    DOMAIN_ACCESS__N },
	[STMT_MEMBER_DOMAIN] = { "member_domain",
	    "SELECT d.id, d.name, d.alias_limit, EXISTS (SELECT 1 FROM "
	    "domain_members m WHERE m.domain_id = d.id AND m.user_id = "
	    "$2::bigint AND m.role = 'admin'), d.team, coalesce(d.title, "
	    "d.name), d.verification_token, d.txt_status, "
	    "date_trunc('second', d.txt_checked_at)::text, "
	    "date_trunc('second', d.txt_last_attempt_at)::text, "
	    "d.txt_last_attempt_result, d.enabled, "
	    "(SELECT count(*) FROM domain_members m WHERE m.domain_id = d.id), "
	    "(SELECT count(*) FROM domain_members m WHERE m.domain_id = d.id "
	    "AND m.role = 'admin'), "
	    "(SELECT count(*) FROM aliases a WHERE a.domain_id = d.id), "
	    "coalesce(extract(epoch FROM d.txt_grace_until)::bigint, 0), "
	    "coalesce(d.txt_last_attempt_detail, ''), d.default_lang "
	    "FROM domains d WHERE d.name = $1",
	    2, MEMBER_DOMAIN__N },
	[STMT_MEMBER_LOCK] = { "member_lock",
	    "SELECT u.id, coalesce(u.name, ''), u.email, m.role "
	    "FROM domain_members m JOIN users u ON u.id = m.user_id "
	    "WHERE m.domain_id = $1::bigint AND lower(u.name) = lower($2) "
	    "FOR UPDATE OF m",
	    2, MEMBER_LOCK__N },
	[STMT_MEMBER_ADMINS] = { "member_admins",
	    "SELECT count(*) FROM domain_members m JOIN users u ON u.id = "
	    "m.user_id WHERE m.domain_id = $1::bigint AND m.role = 'admin' "
	    "AND NOT u.is_banned AND u.id <> $2::bigint",
	    2, MEMBER_ADMINS__N },
	[STMT_MEMBER_SET_ROLE] = { "member_set_role",
	    "UPDATE domain_members SET role = $3 WHERE domain_id = $1::bigint "
	    "AND user_id = $2::bigint",
	    3, 0 },
	[STMT_MEMBER_ADD_ADMIN] = { "member_add_admin",
	    "WITH u AS (SELECT id, name FROM users WHERE lower(name) = "
	    "lower($2)), ins AS (INSERT INTO domain_members (domain_id, "
	    "user_id, role) SELECT $1::bigint, id, 'admin' FROM u "
	    "ON CONFLICT DO NOTHING RETURNING user_id) "
	    "SELECT u.id, u.name FROM u JOIN ins ON ins.user_id = u.id",
	    2, MEMBER_ADD_ADMIN__N },
	[STMT_MEMBER_DISABLE_ALIASES] = { "member_disable_aliases",
	    "UPDATE aliases SET enabled = false, disabled_reason = 'by-admin' "
	    "WHERE domain_id = $1::bigint AND user_id = $2::bigint AND enabled "
	    "RETURNING id, local_part",
	    2, MEMBER_DISABLE_ALIASES__N },
	[STMT_MEMBER_DELETE] = { "member_delete",
	    "DELETE FROM domain_members WHERE domain_id = $1::bigint "
	    "AND user_id = $2::bigint",
	    2, 0 },
	[STMT_MEMBER_ALIAS_COUNT] = { "member_alias_count",
	    "SELECT count(*) FROM aliases WHERE domain_id = $1::bigint "
	    "AND user_id = $2::bigint",
	    2, MEMBER_ALIAS_COUNT__N },
	/* A taken address is no row rather than an error: a 409, not a 500. */
	[STMT_MEMBER_ALIAS_INSERT] = { "member_alias_insert",
	    "INSERT INTO aliases (domain_id, local_part, user_id, recipients, "
	    "enabled, disabled_reason, reserved_assigned) VALUES ($1::bigint, "
	    "$2, $3::bigint, string_to_array($4, E'\\n'), $5::boolean, $6, "
	    "$7::boolean) ON CONFLICT (domain_id, local_part) DO NOTHING "
	    "RETURNING id",
	    7, MEMBER_ALIAS_INSERT__N },
	/* Keyset pagination: (lower(name), id) after the previous page's. */
	[STMT_MEMBER_LIST] = { "member_list",
	    MEMBER_COLUMNS
	    "AND ($2::text IS NULL "
	    "OR starts_with(lower(u.name), lower($2)) "
	    "OR starts_with(lower(u.email), lower($2))) "
	    "AND ($3::text IS NULL OR (lower(coalesce(u.name, '')), u.id) > "
	    "($3::text, $4::bigint)) "
	    "ORDER BY lower(coalesce(u.name, '')), u.id LIMIT $5::int",
	    5, MEMBER_ROW__N },
	[STMT_MEMBER_GET] = { "member_get",
	    MEMBER_COLUMNS "AND lower(u.name) = lower($2)", 2, MEMBER_ROW__N },
	[STMT_MEMBER_ALIASES] = { "member_aliases",
	    MEMBER_ALIAS_COLUMNS
	    "AND ($2::text IS NULL "
	    "OR starts_with(a.local_part, lower($2))) "
	    "AND ($3::text IS NULL OR a.local_part > $3::text) "
	    "AND ($4::boolean IS NULL OR a.enabled = $4::boolean) "
	    "AND ($5::text IS NULL OR a.disabled_reason = $5::text) "
	    "ORDER BY a.local_part LIMIT $6::int",
	    6, ALIAS_VIEW__N },
	[STMT_MEMBER_USER_ALIASES] = { "member_user_aliases",
	    MEMBER_ALIAS_COLUMNS "AND a.user_id = $2::bigint "
				 "ORDER BY a.local_part",
	    2, ALIAS_VIEW__N },
	[STMT_MEMBER_AUDIT] = { "member_audit",
	    "SELECT id, " WHEN(
		"at") ", actor_kind, "
		      "coalesce(actor_name, ''), action, target_type, "
		      "coalesce(target_label, ''), before::text, after::text "
		      "FROM audit_log WHERE domain_id = $1::bigint AND ($2::bigint IS "
		      "NULL OR id < $2::bigint) ORDER BY id DESC LIMIT $3::int",
	    3, MEMBER_AUDIT__N },
	[STMT_MEMBER_ERRORS] = { "member_errors",
	    "SELECT e.id, e.message, coalesce(e.launchpad_name, ''), e.count, "
	    "date_trunc('second', e.first_seen_at)::text, "
	    "date_trunc('second', e.last_seen_at)::text FROM error_log e "
	    "WHERE e.domain_id = $1::bigint "
	    "ORDER BY e.last_seen_at DESC, e.id DESC LIMIT $2::int",
	    2, MEMBER_ERRORS__N },
	[STMT_MEMBER_ADMIN_DOMAINS] = { "member_admin_domains",
	    "SELECT d.name FROM domains d WHERE $2::boolean OR EXISTS "
	    "(SELECT 1 FROM domain_members m WHERE m.domain_id = d.id "
	    "AND m.user_id = $1::bigint AND m.role = 'admin') "
	    "ORDER BY d.name",
	    2, MEMBER_ADMIN_DOMAINS__N },
	/* A local part nobody but a site admin may hand out. */
	[STMT_ALIAS_PROTECTED] = { "alias_protected",
	    "SELECT mm_local_part_reserved($1::bigint, $2), EXISTS (SELECT 1 "
	    "FROM users WHERE lower(name) = lower($2) AND id <> $3::bigint)",
	    3, ALIAS_PROTECTED__N },
	/* A domain's default language (rules/domain_lang.c); NO KEY leaves
	   its members and aliases insertable meanwhile. */
	[STMT_DOMAIN_LANG_LOCK] = { "domain_lang_lock",
	    "SELECT d.id, d.default_lang, EXISTS (SELECT 1 FROM "
	    "domain_members m WHERE m.domain_id = d.id AND m.user_id = "
	    "$2::bigint AND m.role = 'admin') FROM domains d WHERE d.name = $1 "
	    "FOR NO KEY UPDATE OF d",
	    2, DOMAIN_LANG_LOCK__N },
	[STMT_DOMAIN_LANG_SET] = { "domain_lang_set",
	    "UPDATE domains SET default_lang = $2 WHERE id = $1::bigint", 2,
	    0 },
	/* Reserved local parts (rules/reserved.c); the view joins the
	   built-in ones and each domain's own (migration 0007). */
	[STMT_RESERVED_CHECK] = { "reserved_check",
	    "SELECT mm_local_part_reserved($1::bigint, $2)", 2,
	    RESERVED_CHECK__N },
	[STMT_RESERVED_DOMAIN] = { "reserved_domain",
	    "SELECT id FROM domains WHERE name = $1", 1, RESERVED_DOMAIN__N },
	[STMT_RESERVED_NAMES] = { "reserved_names",
	    "SELECT r.local_part, r.builtin, coalesce(b.why, '') "
	    "FROM all_reserved_local_parts r LEFT JOIN reserved_local_parts b "
	    "ON b.local_part = r.local_part WHERE r.domain_id = $1::bigint "
	    "ORDER BY r.builtin DESC, r.local_part",
	    1, RESERVED_NAMES__N },
	[STMT_RESERVED_ALIASES] = { "reserved_aliases",
	    "SELECT a.id, a.local_part, coalesce(u.name, ''), a.enabled "
	    "FROM aliases a JOIN all_reserved_local_parts r "
	    "ON r.domain_id = a.domain_id AND r.local_part = a.local_part "
	    "JOIN users u ON u.id = a.user_id WHERE a.domain_id = $1::bigint "
	    "AND NOT a.reserved_assigned ORDER BY a.local_part",
	    1, RESERVED_ALIASES__N },
	[STMT_RESERVED_BUILTIN] = { "reserved_builtin",
	    "SELECT 1 FROM reserved_local_parts WHERE local_part = $1", 1,
	    RESERVED_BUILTIN__N },
	[STMT_RESERVED_ADD] = { "reserved_add",
	    "INSERT INTO domain_reserved_local_parts (domain_id, local_part) "
	    "VALUES ($1::bigint, $2) ON CONFLICT DO NOTHING RETURNING 1",
	    2, RESERVED_ADD__N },
	[STMT_RESERVED_ASSIGN] = { "reserved_assign",
	    "UPDATE aliases a SET reserved_assigned = true FROM domains d "
	    "WHERE d.id = a.domain_id AND a.domain_id = $1::bigint AND a.id = "
	    "$2::bigint AND NOT a.reserved_assigned AND "
	    "mm_local_part_reserved(a.domain_id, a.local_part) "
	    "RETURNING a.local_part || '@' || d.name",
	    2, RESERVED_ASSIGN__N },
	[STMT_RESERVED_REMOVE] = { "reserved_remove",
	    "DELETE FROM domain_reserved_local_parts WHERE domain_id = "
	    "$1::bigint AND local_part = $2 RETURNING 1",
	    2, RESERVED_REMOVE__N },
	/* The JSON API and its tokens (http/bearer.c, apitoken.c, handlers/api.c) */
	[STMT_API_TOKEN_AUTH] = { "api_token_auth",
	    "SELECT t.id, u.id, coalesce(u.name, ''), u.email, "
	    "coalesce(u.display_name, ''), u.is_site_admin, u.is_banned, "
	    "coalesce(t.last_used_at < now() - interval '1 minute', true) "
	    "FROM api_tokens t JOIN users u ON u.id = t.user_id "
	    "WHERE t.token_hash = decode($1, 'hex') AND t.revoked_at IS NULL "
	    "AND t.expires_at > now()",
	    1, API_TOKEN_AUTH__N },
	[STMT_API_TOKEN_TOUCH] = { "api_token_touch",
	    "UPDATE api_tokens SET last_used_at = now() WHERE id = $1::bigint "
	    "AND coalesce(last_used_at < now() - interval '1 minute', true)",
	    1, 0 },
	[STMT_API_TOKEN_LIVE] = { "api_token_live",
	    "SELECT (SELECT count(*) FROM api_tokens t WHERE t.user_id = u.id "
	    "AND t.revoked_at IS NULL AND t.expires_at > now()) FROM users u "
	    "WHERE u.id = $1::bigint FOR UPDATE OF u",
	    1, API_TOKEN_LIVE__N },
	[STMT_API_TOKEN_CREATE] = { "api_token_create",
	    "INSERT INTO api_tokens (user_id, name, token_hash, expires_at) "
	    "VALUES ($1::bigint, $2, decode($3, 'hex'), now() + "
	    "make_interval(days => $4::int)) ON CONFLICT (user_id, name) "
	    "WHERE revoked_at IS NULL DO NOTHING RETURNING id, " ISO(
		"expires_at"),
	    4, API_TOKEN_CREATE__N },
	[STMT_API_TOKEN_LIST] = { "api_token_list",
	    "SELECT id, name, " ISO(
		"created_at") ", "
			      "coalesce(" ISO("last_used_at") ", ''), " ISO(
				  "expires_at") ", "
						"coalesce(" ISO(
						    "revoked_at") ", ''), CASE WHEN revoked_at IS NOT "
								  "NULL THEN 'revoked' WHEN expires_at <= now() THEN 'expired' "
								  "ELSE 'active' END FROM api_tokens WHERE user_id = $1::bigint "
								  "ORDER BY revoked_at IS NOT NULL, created_at DESC, id DESC "
								  "LIMIT 200",
	    1, API_TOKEN_LIST__N },
	[STMT_API_TOKEN_REVOKE] = { "api_token_revoke",
	    "UPDATE api_tokens SET revoked_at = now() WHERE id = $1::bigint "
	    "AND user_id = $2::bigint AND revoked_at IS NULL RETURNING name",
	    2, API_TOKEN_REVOKE__N },
	[STMT_API_USER_ALIASES] = { "api_user_aliases",
	    "SELECT id FROM aliases WHERE user_id = $1::bigint "
	    "AND id > coalesce($2::bigint, 0) ORDER BY id LIMIT $3::int",
	    3, API_USER_ALIASES__N },
	/* Faster sessions and GET /my (session.c, handlers/my.c) */
	[STMT_SESSION_TOUCH] = { "session_touch",
	    "UPDATE sessions SET last_seen_at = now(), "
	    "idle_expires_at = least(expires_at, "
	    "now() + make_interval(secs => $2::int)) "
	    "WHERE token_hash = decode($1, 'hex') AND idle_expires_at > now() "
	    "AND last_seen_at < now() - interval '60 seconds'",
	    2, 0 },
	/*
	 * The domains /my lists, and whether each one's team has a trusted
	 * snapshot yet.  Cached by every worker: domains and team_snapshots
	 * both notify (migrations 0003, 0006).
	 */
	/*
	 * Every community: verified or not (the eligibility checklist says
	 * which), with when its team was last fetched (the next check).
	 */
	[STMT_MY_DOMAIN_LIST] = { "my_domain_list",
	    "SELECT id, name, team, mm_trusted_snapshot(team) IS NOT NULL, "
	    "txt_status = 'verified', coalesce((SELECT extract(epoch FROM "
	    "max(s.fetched_at))::bigint FROM team_snapshots s WHERE s.team = "
	    "d.team), 0) FROM domains d WHERE enabled "
	    "ORDER BY coalesce(title, name), name",
	    0, MY_DOMAIN_LIST__N },
	[STMT_MY_DOMAIN_NAMES] = { "my_domain_names",
	    "SELECT id, name FROM domains ORDER BY name", 0,
	    MY_DOMAIN_NAMES__N },
/*
	 * The domains where the user's name is reserved, for /my's checklist:
	 * every enabled one when the name is on the built-in list, else those
	 * that reserve it (an index look-up each; the domains are read only
	 * in the rare first case).
	 */
#define MY_RESERVED                                                          \
	"CASE WHEN u.name IS NULL THEN NULL WHEN EXISTS (SELECT 1 FROM "     \
	"reserved_local_parts rl WHERE rl.local_part = lower(u.name)) THEN " \
	"ARRAY(SELECT rd.id FROM domains rd WHERE rd.enabled ORDER BY "      \
	"rd.id) ELSE ARRAY(SELECT dr.domain_id FROM "                        \
	"domain_reserved_local_parts dr WHERE dr.local_part = "              \
	"lower(u.name) ORDER BY dr.domain_id) END "
	/*
	 * GET /my in one round trip: a row per alias of the user (alias
	 * columns NULL if none), each with the session's columns and what
	 * the page says about the user, kept on the user's row by triggers:
	 * their teams (users.teams, 0006), the domains they administer and
	 * their error reports with the expiry of each (0010; sql.h: enum
	 * my_page_col), and the time to weigh those against.  Three index
	 * look-ups in a flat join: looking up domain_members and
	 * error_reports here cost a third of the statement, a union of wide
	 * tagged rows twice as much.  No parameter changes the plan's shape,
	 * so PostgreSQL keeps a generic one.
	 */
	[STMT_MY_SESSION_PAGE] = { "my_session_page",
	    "SELECT " SESSION_COLUMNS_SQL ", u.teams, u.admin_of, "
	    "u.error_domains, u.error_codes, u.error_until, "
	    "floor(extract(epoch FROM now()))::bigint, "
	    "a.domain_id, a.local_part, a.id, "
	    "array_to_string(a.recipients, ', '), a.enabled, "
	    "a.disabled_reason, a.reply_code, "
	    "coalesce(to_char(a.remove_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), ''), "
	    "array_to_string(a.pending_recipients, ', '), " MY_RESERVED
		SESSION_FROM
	    " LEFT JOIN aliases a ON a.user_id = u.id " SESSION_WHERE,
	    1, MY_PAGE__N },
	/* The jobs (cleanup.c): each sweep on the table's expiry index. */
	[STMT_CLEANUP_LOCK] = { "cleanup_lock",
	    "SELECT pg_try_advisory_xact_lock(hashtext('membermail:cleanup'))",
	    0, CLEANUP_LOCK__N },
	[STMT_CLEANUP_TIMEOUTS] = { "cleanup_timeouts",
	    "SELECT set_config('lock_timeout', '10s', true), "
	    "set_config('statement_timeout', '5min', true)",
	    0, CLEANUP_TIMEOUTS__N },
	[STMT_SWEEP_SESSIONS] = { "sweep_sessions",
	    "DELETE FROM sessions WHERE idle_expires_at < now()", 0, 0 },
	[STMT_SWEEP_LOGIN_STATES] = { "sweep_login_states",
	    "DELETE FROM login_states WHERE expires_at < now()", 0, 0 },
	[STMT_SWEEP_NONCES] = { "sweep_nonces",
	    "DELETE FROM openid_nonces WHERE expires_at < now()", 0, 0 },
	[STMT_SWEEP_ASSOCIATIONS] = { "sweep_associations",
	    "DELETE FROM openid_associations WHERE expires_at < now()", 0, 0 },
	[STMT_SWEEP_RATE_LIMITS] = { "sweep_rate_limits",
	    "DELETE FROM rate_limits WHERE expires_at < now()", 0, 0 },
	[STMT_SWEEP_ERROR_REPORTS] = { "sweep_error_reports",
	    "DELETE FROM error_reports WHERE expires_at < now()", 0, 0 },
	[STMT_SWEEP_ERROR_LOG] = { "sweep_error_log",
	    "DELETE FROM error_log WHERE expires_at < now()", 0, 0 },
	[STMT_SWEEP_MAILBOX_UNLOCKS] = { "sweep_mailbox_unlocks",
	    "DELETE FROM mailbox_unlocks WHERE expires_at < now()", 0, 0 },
	/* Delivered mail is kept 30 days, failures until a site admin
	   retries or deletes them. */
	[STMT_SWEEP_SENT_MAIL] = { "sweep_sent_mail",
	    "DELETE FROM outbox WHERE sent_at < now() - interval '30 days'", 0,
	    0 },
	/* outbox.c: the oldest message due, locked. */
	[STMT_OUTBOX_CLAIM] = { "outbox_claim",
	    "SELECT id, to_addresses, cc_addresses, bcc_addresses, subject, "
	    "body, attempts, "
	    "extract(epoch FROM created_at)::bigint FROM outbox "
	    "WHERE sent_at IS NULL AND failed_at IS NULL "
	    "AND next_attempt_at <= now() ORDER BY next_attempt_at, id "
	    "LIMIT 1 FOR UPDATE SKIP LOCKED",
	    0, OUTBOX_CLAIM__N },
	[STMT_OUTBOX_SENT] = { "outbox_sent",
	    "UPDATE outbox SET sent_at = now(), attempts = attempts + 1, "
	    "last_error = NULL WHERE id = $1::bigint",
	    1, 0 },
	[STMT_OUTBOX_DEFER] = { "outbox_defer",
	    "UPDATE outbox SET attempts = attempts + 1, last_error = $2, "
	    "next_attempt_at = now() + make_interval(secs => $3::bigint) "
	    "WHERE id = $1::bigint",
	    3, 0 },
	[STMT_OUTBOX_GIVE_UP] = { "outbox_give_up",
	    "UPDATE outbox SET attempts = attempts + 1, last_error = $2, "
	    "failed_at = now() WHERE id = $1::bigint",
	    2, 0 },
	/* The operator's listings: the table and --json select from the
	   same typed rows. */
	[STMT_CLI_DOMAINS] = { "cli_domains",
	    "SELECT domain, slug, team, CASE WHEN enabled "
	    "THEN 'yes' ELSE 'no' END AS enabled, txt_status AS "
	    "\"txt status\", alias_limit AS \"alias limit\", members, "
	    "aliases, array_to_string(admins, ' ') AS admins "
	    "FROM (" CLI_DOMAIN_ROWS ") r ORDER BY domain",
	    0, CLI_DOMAINS__N },
	[STMT_CLI_DOMAINS_JSON] = { "cli_domains_json",
	    "SELECT coalesce(json_agg(r ORDER BY r.domain), '[]') "
	    "FROM (" CLI_DOMAIN_ROWS ") r",
	    0, CLI_JSON__N },
	[STMT_CLI_USERS] = { "cli_users",
	    "SELECT name, email, CASE WHEN site_admin THEN "
	    "'yes' ELSE 'no' END AS \"site admin\", to_char(last_login, "
	    "'YYYY-MM-DD HH24:MI:SSOF') AS \"last login\", CASE WHEN banned "
	    "THEN 'yes' || coalesce(': ' || ban_reason, '') ELSE 'no' END "
	    "AS banned FROM (" CLI_USER_ROWS ") r ORDER BY lower(name), id",
	    3, CLI_USERS__N },
	[STMT_CLI_USERS_JSON] = { "cli_users_json",
	    "SELECT coalesce(json_agg(r ORDER BY lower(r.name), r.id), '[]') "
	    "FROM (" CLI_USER_ROWS ") r",
	    3, CLI_JSON__N },
	/*
	 * An LMTP recipient's mailbox, whatever the alias's state: mail
	 * Postfix accepted for it is kept.  The message id is taken now so
	 * that the ciphertexts can bind it.
	 */
	[STMT_LMTP_MAILBOX] = { "lmtp_mailbox",
	    "SELECT m.id, encode(m.public_key, 'hex'), m.quota_bytes, "
	    "m.used_bytes, nextval(pg_get_serial_sequence('messages', 'id')) "
	    "FROM mailboxes m JOIN aliases a ON a.id = m.alias_id "
	    "JOIN domains d ON d.id = a.domain_id "
	    "WHERE a.local_part = $1 AND d.name = $2",
	    2, LMTP_MAILBOX__N },
	/*
	 * One delivery, all or nothing: stored unless Postfix's queue id
	 * and recipient are there already (a retry after our commit), the
	 * mailbox has no room, or its key pair changed since RCPT (a reset:
	 * the copy must be sealed to the new key).  The mailbox row is locked, and the room
	 * checked again on its latest version, so deliveries racing for the
	 * last bytes of a quota cannot both get in.
	 */
	[STMT_LMTP_STORE] = { "lmtp_store",
	    "WITH dup AS (SELECT 1 FROM messages WHERE mailbox_id = $2::bigint "
	    "AND queue_id = $3 AND recipient = $4), "
	    "room AS (SELECT id FROM mailboxes WHERE id = $2::bigint "
	    "AND used_bytes + $5::bigint <= quota_bytes "
	    "AND public_key = $11::bytea "
	    "AND NOT EXISTS (SELECT 1 FROM dup) FOR UPDATE), "
	    "ins AS (INSERT INTO messages (id, mailbox_id, queue_id, recipient, "
	    "size_bytes, header_nonce, header_ciphertext, body_nonce, "
	    "body_ciphertext, sealed_key) SELECT $1::bigint, room.id, $3, $4, "
	    "$5::bigint, $6::bytea, $7::bytea, $8::bytea, $9::bytea, "
	    "$10::bytea FROM room ON CONFLICT (mailbox_id, queue_id, "
	    "recipient) DO NOTHING RETURNING mailbox_id, size_bytes), "
	    "upd AS (UPDATE mailboxes m SET used_bytes = m.used_bytes + "
	    "ins.size_bytes FROM ins WHERE m.id = ins.mailbox_id "
	    "RETURNING m.id) "
	    "SELECT EXISTS (SELECT 1 FROM dup), (SELECT count(*) FROM room), "
	    "(SELECT count(*) FROM upd), "
	    "EXISTS (SELECT 1 FROM mailboxes WHERE id = $2::bigint), "
	    "EXISTS (SELECT 1 FROM mailboxes WHERE id = $2::bigint "
	    "AND public_key = $11::bytea)",
	    11, LMTP_STORE__N },
	/*
	 * The user's aliases with their mailboxes, for /my/mailbox: unlocked
	 * means this session holds a live unlock (its cookie is checked
	 * when the mailbox is opened).
	 */
	[STMT_MBOX_LIST] = { "mbox_list",
	    "SELECT a.id, a.local_part || '@' || d.name, a.enabled, "
	    "a.has_mailbox, a.forward, m.id, m.quota_bytes, m.used_bytes, "
	    "(SELECT count(*) FROM messages g WHERE g.mailbox_id = m.id), "
	    "EXISTS (SELECT 1 FROM mailbox_unlocks u WHERE u.mailbox_id = m.id "
	    "AND u.session_token_hash = decode($2, 'hex') "
	    "AND u.expires_at > now()) "
	    "FROM aliases a JOIN domains d ON d.id = a.domain_id "
	    "LEFT JOIN mailboxes m ON m.alias_id = a.id "
	    "WHERE a.user_id = $1::bigint ORDER BY d.name, a.local_part",
	    2, MBOX_LIST__N },
	[STMT_MBOX_GET] = { "mbox_get",
	    "SELECT m.id, a.id, a.local_part || '@' || d.name, "
	    "encode(m.public_key, 'hex'), encode(m.encrypted_secret_key, "
	    "'hex'), encode(m.secret_key_nonce, 'hex'), "
	    "encode(m.pwhash_salt, 'hex'), m.pwhash_opslimit, "
	    "m.pwhash_memlimit, m.quota_bytes, m.used_bytes, "
	    "(SELECT count(*) FROM messages g WHERE g.mailbox_id = m.id) "
	    "FROM mailboxes m JOIN aliases a ON a.id = m.alias_id "
	    "JOIN domains d ON d.id = a.domain_id "
	    "WHERE m.id = $1::bigint AND a.user_id = $2::bigint",
	    2, MBOX_GET__N },
	[STMT_MBOX_ALIAS] = { "mbox_alias",
	    "SELECT a.local_part || '@' || d.name, m.id, a.has_mailbox, "
	    "a.forward FROM aliases a JOIN domains d ON d.id = a.domain_id "
	    "LEFT JOIN mailboxes m ON m.alias_id = a.id "
	    "WHERE a.id = $1::bigint AND a.user_id = $2::bigint",
	    2, MBOX_ALIAS__N },
	/* A new mailbox keeps the alias's mail, and still forwards it. */
	[STMT_MBOX_CREATE] = { "mbox_create",
	    "WITH m AS (INSERT INTO mailboxes (alias_id, public_key, "
	    "encrypted_secret_key, secret_key_nonce, pwhash_salt, "
	    "pwhash_opslimit, pwhash_memlimit, quota_bytes) VALUES "
	    "($1::bigint, decode($2, 'hex'), decode($3, 'hex'), "
	    "decode($4, 'hex'), decode($5, 'hex'), $6::bigint, $7::bigint, "
	    "$8::bigint) ON CONFLICT (alias_id) DO NOTHING "
	    "RETURNING id, alias_id), "
	    "a AS (UPDATE aliases SET has_mailbox = true "
	    "WHERE id = (SELECT alias_id FROM m)) SELECT id FROM m",
	    8, MBOX_CREATE__N },
	/* Only over the wrap the password was checked against. */
	[STMT_MBOX_REWRAP] = { "mbox_rewrap",
	    "UPDATE mailboxes SET encrypted_secret_key = decode($2, 'hex'), "
	    "secret_key_nonce = decode($3, 'hex'), "
	    "pwhash_salt = decode($4, 'hex'), pwhash_opslimit = $5::bigint, "
	    "pwhash_memlimit = $6::bigint WHERE id = $1::bigint "
	    "AND encrypted_secret_key = decode($7, 'hex') RETURNING id",
	    7, MBOX_REWRAP__N },
	[STMT_MBOX_RESET] = { "mbox_reset",
	    "WITH g AS (DELETE FROM messages WHERE mailbox_id = $1::bigint "
	    "RETURNING 1), u AS (DELETE FROM mailbox_unlocks "
	    "WHERE mailbox_id = $1::bigint) "
	    "UPDATE mailboxes SET public_key = decode($2, 'hex'), "
	    "encrypted_secret_key = decode($3, 'hex'), "
	    "secret_key_nonce = decode($4, 'hex'), "
	    "pwhash_salt = decode($5, 'hex'), pwhash_opslimit = $6::bigint, "
	    "pwhash_memlimit = $7::bigint, used_bytes = 0 "
	    "WHERE id = $1::bigint RETURNING (SELECT count(*) FROM g)",
	    7, MBOX_RESET__N },
	/* Lives at most as long as the session: its end locks too. */
	[STMT_MBOX_UNLOCK_PUT] = { "mbox_unlock_put",
	    "INSERT INTO mailbox_unlocks (session_token_hash, mailbox_id, "
	    "wrapped_secret_key, wrap_nonce, expires_at) "
	    "SELECT s.token_hash, $2::bigint, decode($3, 'hex'), "
	    "decode($4, 'hex'), least(now() + make_interval(secs => $5::int), "
	    "s.expires_at, s.idle_expires_at) FROM sessions s "
	    "WHERE s.token_hash = decode($1, 'hex') AND s.expires_at > now() "
	    "ON CONFLICT (session_token_hash, mailbox_id) DO UPDATE SET "
	    "wrapped_secret_key = EXCLUDED.wrapped_secret_key, "
	    "wrap_nonce = EXCLUDED.wrap_nonce, created_at = now(), "
	    "expires_at = EXCLUDED.expires_at RETURNING 1",
	    5, MBOX_UNLOCK_PUT__N },
	/* Each use slides the idle expiry (not past the session's end). */
	[STMT_MBOX_UNLOCK_GET] = { "mbox_unlock_get",
	    "UPDATE mailbox_unlocks u SET expires_at = greatest(u.expires_at, "
	    "least(now() + make_interval(secs => $4::int), s.expires_at)) "
	    "FROM sessions s, mailboxes m, aliases a, domains d "
	    "WHERE u.session_token_hash = decode($1, 'hex') "
	    "AND u.mailbox_id = $2::bigint AND u.expires_at > now() "
	    "AND s.token_hash = u.session_token_hash AND m.id = u.mailbox_id "
	    "AND a.id = m.alias_id AND d.id = a.domain_id "
	    "AND a.user_id = $3::bigint RETURNING "
	    "encode(u.wrapped_secret_key, 'hex'), encode(u.wrap_nonce, 'hex'), "
	    "encode(m.public_key, 'hex'), a.local_part || '@' || d.name, "
	    "m.quota_bytes, m.used_bytes, a.id",
	    4, MBOX_UNLOCK__N },
	[STMT_MBOX_LOCK] = { "mbox_lock",
	    "DELETE FROM mailbox_unlocks WHERE session_token_hash = "
	    "decode($1, 'hex') AND mailbox_id = $2::bigint",
	    2, 0 },
	[STMT_MBOX_UNLOCKS_DROP] = { "mbox_unlocks_drop",
	    "DELETE FROM mailbox_unlocks WHERE mailbox_id = $1::bigint "
	    "AND session_token_hash <> decode($2, 'hex')",
	    2, 0 },
	/*
	 * A page, newest first; the cursor is the last row's arrival (in
	 * microseconds since the epoch, exact) and id.
	 */
	[STMT_MBOX_MESSAGES] = { "mbox_messages",
	    "SELECT id, (extract(epoch FROM received_at) * 1000000)::bigint, "
	    "to_char(received_at AT TIME ZONE 'UTC', "
	    "'YYYY-MM-DD HH24:MI\"Z\"'), size_bytes, "
	    "encode(header_nonce, 'hex'), encode(header_ciphertext, 'hex'), "
	    "encode(sealed_key, 'hex') FROM messages "
	    "WHERE mailbox_id = $1::bigint AND ($2::bigint IS NULL OR "
	    "(received_at, id) < ('epoch'::timestamptz + $2::bigint * "
	    "interval '1 microsecond', $3::bigint)) "
	    "ORDER BY received_at DESC, id DESC LIMIT $4::int",
	    4, MBOX_MESSAGES__N },
	[STMT_MBOX_MESSAGE] = { "mbox_message",
	    "SELECT body_nonce, body_ciphertext, sealed_key, "
	    "size_bytes::text, extract(epoch FROM received_at)::bigint::text "
	    "FROM messages WHERE mailbox_id = $1::bigint AND id = $2::bigint",
	    2, MBOX_MESSAGE__N },
	[STMT_MBOX_IDS] = { "mbox_ids",
	    "SELECT id FROM messages WHERE mailbox_id = $1::bigint "
	    "ORDER BY received_at, id",
	    1, MBOX_IDS__N },
	[STMT_MBOX_DELETE] = { "mbox_delete",
	    "WITH g AS (DELETE FROM messages WHERE mailbox_id = $1::bigint "
	    "AND id = ANY ($2::bigint[]) RETURNING size_bytes) "
	    "UPDATE mailboxes SET used_bytes = used_bytes - "
	    "coalesce((SELECT sum(size_bytes) FROM g), 0) "
	    "WHERE id = $1::bigint RETURNING (SELECT count(*) FROM g), "
	    "coalesce((SELECT sum(size_bytes) FROM g), 0)",
	    2, MBOX_DELETE__N },
	/* Keeping needs the mailbox (its public key). */
	[STMT_MBOX_DELIVERY] = { "mbox_delivery",
	    "UPDATE aliases a SET has_mailbox = $3::boolean, "
	    "forward = $4::boolean FROM aliases o "
	    "WHERE a.id = $1::bigint AND o.id = a.id AND a.user_id = $2::bigint "
	    "AND (NOT $3::boolean OR EXISTS (SELECT 1 FROM mailboxes m "
	    "WHERE m.alias_id = a.id)) RETURNING o.has_mailbox, o.forward",
	    4, MBOX_DELIVERY__N },
	[STMT_MBOX_ALIAS_BY_ADDRESS] = { "mbox_alias_by_address",
	    "SELECT a.id, a.user_id FROM aliases a "
	    "JOIN domains d ON d.id = a.domain_id "
	    "WHERE a.local_part = lower($1) AND d.name = lower($2)",
	    2, MBOX_BY_ADDRESS__N },
	[STMT_API_MAILBOXES] = { "api_mailboxes",
	    "SELECT m.id, a.local_part || '@' || d.name, a.has_mailbox, "
	    "a.forward, m.quota_bytes, m.used_bytes, "
	    "(SELECT count(*) FROM messages g WHERE g.mailbox_id = m.id) "
	    "FROM mailboxes m JOIN aliases a ON a.id = m.alias_id "
	    "JOIN domains d ON d.id = a.domain_id "
	    "WHERE a.user_id = $1::bigint ORDER BY m.id",
	    1, API_MAILBOXES__N },
	[STMT_RCPT_ALIAS] = { "rcpt_alias",
	    "SELECT a.domain_id, a.local_part || '@' || d.name, u.id, u.email, "
	    "coalesce(nullif(u.display_name, ''), u.name, ''), "
	    "coalesce(u.lang, ''), d.default_lang FROM aliases a "
	    "JOIN domains d ON d.id = a.domain_id JOIN users u ON u.id = "
	    "a.user_id WHERE a.id = $1::bigint",
	    1, RCPT_ALIAS__N },
	[STMT_RCPT_ALIAS_LOCK] = { "rcpt_alias_lock",
	    "SELECT 1 FROM aliases WHERE id = $1::bigint FOR UPDATE", 1,
	    RCPT_ALIAS_LOCK__N },
	[STMT_RCPT_OTHER_MEMBERS] = { "rcpt_other_members",
	    "SELECT DISTINCT lower(email) FROM users WHERE lower(email) = ANY "
	    "(SELECT lower(x) FROM unnest(string_to_array($1, E'\\n')) x) "
	    "AND id <> $2::bigint",
	    2, RCPT_OTHER_MEMBERS__N },
	[STMT_RCPT_RECEIPT_INSERT] = { "rcpt_receipt_insert",
	    "INSERT INTO alias_receipts (alias_id, token_hash, "
	    "before_recipients, after_recipients, actor, expires_at) VALUES "
	    "($1::bigint, decode($2, 'hex'), string_to_array($3, E'\\n'), "
	    "string_to_array($4, E'\\n'), $5, now() + make_interval(days => "
	    "$6::int)) RETURNING " WHEN("expires_at"),
	    6, RCPT_RECEIPT_INSERT__N },
	/*
	 * A new link for address, unless one went out less than $5 seconds
	 * ago or $6 more went out since the first of the last $4 days.
	 */
	[STMT_RCPT_REQUEST] = { "rcpt_request",
	    "INSERT INTO recipient_confirmations AS c (alias_id, address, "
	    "token_hash, expires_at, sends, last_sent_at) VALUES ($1::bigint, "
	    "$2, decode($3, 'hex'), now() + make_interval(days => $4::int), 1, "
	    "now()) ON CONFLICT (alias_id, lower(address)) DO UPDATE SET "
	    "address = EXCLUDED.address, token_hash = EXCLUDED.token_hash, "
	    "expires_at = EXCLUDED.expires_at, sends = CASE WHEN "
	    "c.last_sent_at < now() - make_interval(days => $4::int) THEN 1 "
	    "ELSE c.sends + 1 END, last_sent_at = now() WHERE c.confirmed_at "
	    "IS NULL AND c.last_sent_at < now() - make_interval(secs => "
	    "$5::int) AND (c.sends <= $6::int OR c.last_sent_at < now() - "
	    "make_interval(days => $4::int)) RETURNING " WHEN("c.expires_at"),
	    6, RCPT_REQUEST__N },
	[STMT_RCPT_UNCONFIRMED] = { "rcpt_unconfirmed",
	    "SELECT l.x FROM aliases a CROSS JOIN LATERAL unnest("
	    "string_to_array($2, E'\\n')) WITH ORDINALITY AS l(x, n) "
	    "WHERE a.id = $1::bigint AND NOT " RCPT_AGREED("a",
		"l.x") " ORDER BY l.n",
	    2, RCPT_UNCONFIRMED__N },
	[STMT_RCPT_SET_PENDING] = { "rcpt_set_pending",
	    "UPDATE aliases SET pending_recipients = string_to_array($2, "
	    "E'\\n'), pending_actor = $3, pending_at = CASE WHEN $2::text IS "
	    "NULL THEN NULL ELSE now() END WHERE id = $1::bigint",
	    3, 0 },
	[STMT_RCPT_PENDING_LIST] = { "rcpt_pending_list",
	    "SELECT p.x, " RCPT_AGREED("a", "p.x") ", coalesce(" WHEN("c.last_sent_at") ", ''), coalesce(" WHEN(
		"c.expires_at") ", ''), coalesce(c.confirmed_at IS NULL AND c.expires_at <= now(), "
				"false), coalesce(c.last_sent_at >= now() - make_interval(secs => "
				"$2::int), false), coalesce(c.sends > $3::int AND c.last_sent_at "
				">= now() - make_interval(days => $4::int), false) "
				"FROM aliases a CROSS JOIN LATERAL unnest("
				"a.pending_recipients) WITH ORDINALITY AS p(x, n) LEFT JOIN "
				"recipient_confirmations c ON c.alias_id = a.id AND "
				"lower(c.address) = lower(p.x) WHERE a.id = $1::bigint "
				"ORDER BY p.n",
	    4, RCPT_PENDING__N },
	[STMT_RCPT_CONFIRM_LINK] = { "rcpt_confirm_link", RCPT_CONFIRM_SELECT,
	    1, LINK__N },
	[STMT_RCPT_CONFIRM_LOCK] = { "rcpt_confirm_lock",
	    RCPT_CONFIRM_SELECT " FOR UPDATE OF c", 1, LINK__N },
	[STMT_RCPT_CONFIRM] = { "rcpt_confirm",
	    "UPDATE recipient_confirmations SET confirmed_at = now(), how = "
	    "'link' WHERE id = $1::bigint AND confirmed_at IS NULL",
	    1, 0 },
	/* The pending change, once every one of its addresses agreed. */
	[STMT_RCPT_APPLY_PENDING] = { "rcpt_apply_pending",
	    "WITH old AS (SELECT recipients, pending_actor FROM aliases "
	    "WHERE id = $1::bigint) UPDATE aliases a SET recipients = "
	    "a.pending_recipients, pending_recipients = NULL, pending_actor = "
	    "NULL, pending_at = NULL FROM old WHERE a.id = $1::bigint AND "
	    "a.pending_recipients IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
	    "unnest(a.pending_recipients) AS p(x) WHERE NOT " RCPT_AGREED("a",
		"p.x") ") RETURNING old.recipients, a.recipients, "
		       "old.pending_actor",
	    1, RCPT_APPLY__N },
	[STMT_RCPT_RECEIPT_LINK] = { "rcpt_receipt_link", RCPT_RECEIPT_SELECT,
	    1, LINK__N },
	[STMT_RCPT_RECEIPT_LOCK] = { "rcpt_receipt_lock",
	    RCPT_RECEIPT_SELECT " FOR UPDATE OF r", 1, LINK__N },
	[STMT_RCPT_RECEIPT_USE] = { "rcpt_receipt_use",
	    "UPDATE alias_receipts SET used_at = now() WHERE id = $1::bigint "
	    "AND used_at IS NULL AND expires_at > now() RETURNING 1",
	    1, RCPT_RECEIPT_USE__N },
	[STMT_RCPT_RESTORE] = { "rcpt_restore",
	    "UPDATE aliases SET recipients = string_to_array($2, E'\\n'), "
	    "pending_recipients = NULL, pending_actor = NULL, pending_at = "
	    "NULL, locked_at = now() WHERE id = $1::bigint",
	    2, 0 },
	[STMT_RCPT_END_SESSIONS] = { "rcpt_end_sessions",
	    "DELETE FROM sessions WHERE user_id = $1::bigint", 1, 0 },
	[STMT_RCPT_UNLOCK] = { "rcpt_unlock",
	    "UPDATE aliases a SET locked_at = NULL FROM domains d WHERE "
	    "d.id = a.domain_id AND a.user_id = $1::bigint AND a.locked_at IS "
	    "NOT NULL RETURNING a.id, a.local_part || '@' || d.name, "
	    "a.domain_id",
	    1, RCPT_UNLOCK__N },
	/* The owner's former address, where it still is a recipient. */
	[STMT_RCPT_KEEP_ADDRESS] = { "rcpt_keep_address",
	    "INSERT INTO recipient_confirmations AS c (alias_id, address, how, "
	    "confirmed_at) SELECT a.id, $2, 'owner', now() FROM aliases a "
	    "WHERE a.user_id = $1::bigint AND lower($2) IN (SELECT lower(x) "
	    "FROM unnest(a.recipients || coalesce(a.pending_recipients, "
	    "'{}')) x) ON CONFLICT (alias_id, lower(address)) DO UPDATE SET "
	    "confirmed_at = coalesce(c.confirmed_at, now()), how = "
	    "coalesce(c.how, 'owner')",
	    2, 0 },
	/*
	 * A user's history for site admins: their account, memberships and
	 * the aliases they own.
	 */
	[STMT_SA_USER_HISTORY] = { "sa_user_history",
	    "SELECT " WHEN(
		"l.at") ", l.actor_kind, coalesce(l.actor_name, ''), "
			"l.action, coalesce(l.target_label, ''), l.before::text, "
			"l.after::text FROM audit_log l WHERE (l.target_type IN ('user', "
			"'domain_member') AND l.target_id = $1::bigint) OR (l.target_type "
			"= 'alias' AND l.target_id IN (SELECT id FROM aliases WHERE "
			"user_id = $1::bigint)) ORDER BY l.at DESC, l.id DESC LIMIT 100",
	    1, HISTORY__N },
	[STMT_ALIAS_BY_ADDRESS] = { "alias_by_address",
	    "SELECT a.id FROM aliases a JOIN domains d ON d.id = a.domain_id "
	    "WHERE a.local_part = lower(split_part($1, '@', 1)) AND d.name = "
	    "lower(split_part($1, '@', 2))",
	    1, ALIAS_BY_ADDRESS__N },
	[STMT_ALIAS_DELETE] = { "alias_delete",
	    "DELETE FROM aliases WHERE id = $1::bigint AND NOT has_mailbox "
	    "RETURNING 1",
	    1, ALIAS_DELETE__N },
	[STMT_SWEEP_RECEIPTS] = { "sweep_receipts",
	    "DELETE FROM alias_receipts WHERE expires_at < now()", 0, 0 },
	/* A change nobody confirmed for 30 days lapses; the alias keeps its
	   recipients. */
	[STMT_SWEEP_LAPSED_CHANGES] = { "sweep_lapsed_changes",
	    "UPDATE aliases SET pending_recipients = NULL, pending_actor = NULL, "
	    "pending_at = NULL WHERE pending_at < now() - interval '30 days'",
	    0, 0 },
	[STMT_SWEEP_CONFIRMATION_LINKS] = { "sweep_confirmation_links",
	    "DELETE FROM recipient_confirmations WHERE confirmed_at IS NULL "
	    "AND expires_at < now() - interval '30 days'",
	    0, 0 },
	/* Grace deadlines travel as Unix seconds, 0 for none. */
	[STMT_TXT_DOMAIN] = { "txt_domain",
	    "SELECT id, name, verification_token, txt_status, "
	    "coalesce(extract(epoch FROM txt_grace_until)::bigint, 0) "
	    "FROM domains WHERE name = $1",
	    1, TXT_DOMAIN__N },
	[STMT_TXT_LOCK] = { "txt_lock",
	    "SELECT txt_status, "
	    "coalesce(extract(epoch FROM txt_grace_until)::bigint, 0) "
	    "FROM domains WHERE id = $1::bigint FOR UPDATE",
	    1, TXT_LOCK__N },
	[STMT_TXT_RECORD] = { "txt_record",
	    "UPDATE domains SET txt_status = $2, txt_checked_at = CASE WHEN "
	    "$3::boolean THEN now() ELSE txt_checked_at END, "
	    "txt_grace_until = to_timestamp($4::bigint), "
	    "txt_last_attempt_at = now(), txt_last_attempt_result = $5, "
	    "txt_last_attempt_detail = $6 WHERE id = $1::bigint",
	    6, 0 },
	[STMT_TXT_ADMINS] = { "txt_admins",
	    "SELECT coalesce(array_agg(u.email ORDER BY u.id), '{}'), "
	    "coalesce(array_agg(coalesce(u.lang, d.default_lang) ORDER BY "
	    "u.id), '{}') FROM domain_members m JOIN users u ON u.id = "
	    "m.user_id JOIN domains d ON d.id = m.domain_id "
	    "WHERE m.domain_id = $1::bigint AND m.role = 'admin' "
	    "AND NOT u.is_banned",
	    1, TXT_ADMINS__N },
	[STMT_TXT_DOMAINS] = { "txt_domains",
	    "SELECT name FROM domains ORDER BY name", 0, TXT_DOMAINS__N },
	[STMT_TXT_JOB_LOCK] = { "txt_job_lock",
	    "SELECT pg_try_advisory_lock(hashtext('membermail:verify-domains'))",
	    0, TXT_JOB_LOCK__N },
	[STMT_SA_ROLE_LOCK] = { "sa_role_lock",
	    "SELECT id, coalesce(role_recipient, ''), jsonb_build_object("
	    "'role_recipient', role_recipient)::text FROM domains "
	    "WHERE name = $1 FOR UPDATE",
	    1, SA_ROLE_LOCK__N },
	[STMT_SA_ROLE_SET] = { "sa_role_set",
	    "UPDATE domains SET role_recipient = $2 WHERE id = $1::bigint "
	    "RETURNING jsonb_build_object('role_recipient', "
	    "role_recipient)::text",
	    2, SA_ROLE_SET__N },
};

const char sql_begin[] = "BEGIN";
const char sql_commit[] = "COMMIT";
const char sql_rollback[] = "ROLLBACK";
const char sql_listen[] = "LISTEN membermail_domains";
