-- tests/db/constraints.sql - the schema's constraints, cascades and roles.
--
--   psql -X -v ON_ERROR_STOP=1 -d DB -f tests/db/constraints.sql
--
-- Run against a database migrated to the latest version, as a superuser
-- (the cases switch to membermail_app and membermail_postfix with SET
-- ROLE).  Everything happens in one transaction that is rolled back, so the
-- database is left as it was.  Prints one line per case, "ok - NAME" or
-- "not ok - NAME # what happened", then "N passed, N failed"; any failure
-- ends the script with an error (psql exit status 3).
--
-- Each case runs in its own subtransaction, optionally as one of the
-- roles, and is always rolled back: cases do not see each other's effects,
-- only the fixtures below.

\set ON_ERROR_STOP on
\set QUIET on
\pset format unaligned
\pset tuples_only on
\pset footer off
SET client_min_messages = warning;

BEGIN;

CREATE TEMP TABLE results (
	n	serial,
	ok	boolean NOT NULL,
	name	text NOT NULL,
	detail	text
);

-- Runs setup then query (each optional) as role (NULL: as ourselves) and
-- rolls everything back.  Returns the SQLSTATE ('00000' when no error),
-- the violated constraint, the message and the query's first column.
CREATE FUNCTION pg_temp.run(p_role text, p_setup text, p_query text,
    OUT state text, OUT cname text, OUT msg text, OUT result text)
LANGUAGE plpgsql AS $$
BEGIN
	BEGIN
		IF p_role IS NOT NULL THEN
			EXECUTE format('SET LOCAL ROLE %I', p_role);
		END IF;
		IF p_setup IS NOT NULL THEN
			EXECUTE p_setup;
		END IF;
		IF p_query IS NOT NULL THEN
			EXECUTE p_query INTO result;
		END IF;
		RAISE EXCEPTION USING ERRCODE = 'ZZ000';	-- roll back
	EXCEPTION WHEN OTHERS THEN
		IF SQLSTATE = 'ZZ000' THEN
			state := '00000';
		ELSE
			GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE,
			    cname = CONSTRAINT_NAME, msg = MESSAGE_TEXT;
			cname := nullif(cname, '');
		END IF;
	END;
END
$$;

-- The statement must fail with this SQLSTATE (and constraint, if given).
CREATE FUNCTION pg_temp.rejects(p_name text, p_role text, p_sql text,
    p_state text, p_constraint text DEFAULT NULL) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	r record;
BEGIN
	SELECT * INTO r FROM pg_temp.run(p_role, p_sql, NULL);
	INSERT INTO results (ok, name, detail) VALUES (
	    r.state = p_state AND (p_constraint IS NULL OR r.cname = p_constraint),
	    p_name,
	    CASE WHEN r.state = '00000' THEN 'accepted'
		 ELSE r.state || coalesce(' ' || r.cname, '') || ': ' || r.msg END
	    || ' (expected ' || p_state || coalesce(' ' || p_constraint, '') || ')');
END
$$;

-- The statement(s) must succeed.
CREATE FUNCTION pg_temp.accepts(p_name text, p_role text, p_sql text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	r record;
BEGIN
	SELECT * INTO r FROM pg_temp.run(p_role, p_sql, NULL);
	INSERT INTO results (ok, name, detail) VALUES (r.state = '00000', p_name,
	    r.state || coalesce(' ' || r.cname, '') || ': ' || r.msg);
END
$$;

-- After setup, the query's first column must equal expected.
CREATE FUNCTION pg_temp.is(p_name text, p_role text, p_setup text,
    p_query text, p_expected text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	r record;
BEGIN
	SELECT * INTO r FROM pg_temp.run(p_role, p_setup, p_query);
	INSERT INTO results (ok, name, detail) VALUES (
	    r.state = '00000' AND r.result IS NOT DISTINCT FROM p_expected, p_name,
	    CASE WHEN r.state = '00000'
		 THEN 'got ' || coalesce(quote_literal(r.result), 'NULL')
		      || ', expected ' || coalesce(quote_literal(p_expected), 'NULL')
		 ELSE r.state || coalesce(' ' || r.cname, '') || ': ' || r.msg END);
END
$$;

-- A value quoted for a case name, CR and LF made visible.
CREATE FUNCTION pg_temp.show(v text) RETURNS text LANGUAGE sql AS $$
SELECT '''' || replace(replace(v, E'\r', '\r'), E'\n', '\n') || ''''
$$;

-- INSERT of one alias owned by alice; columns and values may be extended.
CREATE FUNCTION pg_temp.alias(p_domain text, p_local text, p_recipients text,
    p_cols text DEFAULT '', p_vals text DEFAULT '') RETURNS text
LANGUAGE sql AS $$
SELECT format('INSERT INTO aliases (domain_id, local_part, user_id, recipients%s) '
    'SELECT d.id, %L, u.id, %s%s FROM domains d, users u '
    'WHERE d.name = %L AND u.name = ''alice''',
    p_cols, p_local, p_recipients, p_vals, p_domain)
$$;

--------------------------------------------------------------------------
-- Fixtures
--------------------------------------------------------------------------

INSERT INTO users (claimed_id, name, email) VALUES
    ('https://login.ubuntu.com/+id/AAAAAAA', 'alice', 'alice@example.org'),
    ('https://login.ubuntu.com/+id/BBBBBBB', 'bob', 'bob@example.org'),
    ('https://login.ubuntu.com/+id/CCCCCCC', 'carol', 'carol@example.org');

INSERT INTO domains (name, team, verification_token, txt_status, txt_checked_at, enabled)
VALUES
    ('ok.test',         'ok-team', 'TOKEN00001', 'verified',   now(), true),
    ('unverified.test', 'ok-team', 'TOKEN00002', 'unverified', NULL,  true),
    ('off.test',        'ok-team', 'TOKEN00003', 'verified',   now(), false),
    ('wrong.test',      'ok-team', 'TOKEN00004', 'wrong',      now(), true),
    ('empty.test',      'ok-team', 'TOKEN00005', 'verified',   now(), true);

INSERT INTO domain_members (domain_id, user_id, role)
SELECT d.id, u.id, CASE u.name WHEN 'alice' THEN 'admin' ELSE 'member' END
  FROM domains d, users u;

INSERT INTO aliases (domain_id, local_part, user_id, recipients, enabled,
    disabled_reason, reply_code, has_mailbox, remove_at)
SELECT d.id, v.local_part, u.id, v.recipients, v.enabled, v.reason, v.code,
       v.mbox, v.remove_at
  FROM (VALUES
	('ok.test', 'alice', 'alice', ARRAY['alice@example.org', 'alice2@example.net'],
	    true, NULL, 550, false, NULL::timestamptz),
	('ok.test', 'bob', 'bob', ARRAY['bob@example.org'],
	    false, 'left-team', 550, false, now() + interval '30 days'),
	('ok.test', 'drop', 'bob', ARRAY['bob@example.org'],
	    false, 'by-owner', 250, false, NULL),
	('ok.test', 'later', 'bob', ARRAY['bob@example.org'],
	    false, 'by-admin', 421, false, NULL),
	('ok.test', 'box', 'alice', ARRAY['alice@example.org'],
	    true, NULL, 550, true, NULL),
	('ok.test', 'nobox', 'alice', ARRAY['alice@example.org'],
	    true, NULL, 550, true, NULL),
	('unverified.test', 'alice', 'alice', ARRAY['alice@example.org'],
	    true, NULL, 550, false, NULL),
	('unverified.test', 'gone', 'alice', ARRAY['alice@example.org'],
	    false, 'by-admin', 550, false, NULL),
	('off.test', 'alice', 'alice', ARRAY['alice@example.org'],
	    true, NULL, 550, true, NULL),
	('off.test', 'gone', 'alice', ARRAY['alice@example.org'],
	    false, 'by-admin', 550, false, NULL),
	('wrong.test', 'alice', 'alice', ARRAY['alice@example.org'],
	    true, NULL, 550, false, NULL)
       ) AS v(domain, local_part, owner, recipients, enabled, reason, code, mbox, remove_at)
  JOIN domains d ON d.name = v.domain
  JOIN users u ON u.name = v.owner;

INSERT INTO mailboxes (alias_id, public_key, encrypted_secret_key, secret_key_nonce,
    pwhash_salt, pwhash_opslimit, pwhash_memlimit, quota_bytes, used_bytes)
SELECT a.id, decode(repeat('01', 32), 'hex'), decode(repeat('02', 48), 'hex'),
       decode(repeat('03', 24), 'hex'), decode(repeat('04', 16), 'hex'),
       2, 67108864, 1000000, 100
  FROM aliases a JOIN domains d ON d.id = a.domain_id
 WHERE d.name IN ('ok.test', 'off.test') AND a.local_part IN ('box', 'alice')
   AND a.has_mailbox;

-- alice2@example.net agreed to receive alice@ok.test's mail (0007's
-- confirmations: the other recipients are their owners' own addresses).
INSERT INTO recipient_confirmations (alias_id, address, how, confirmed_at)
SELECT a.id, 'alice2@example.net', 'link', now()
  FROM aliases a JOIN domains d ON d.id = a.domain_id
 WHERE d.name = 'ok.test' AND a.local_part = 'alice';

INSERT INTO messages (mailbox_id, queue_id, recipient, size_bytes, header_nonce,
    header_ciphertext, body_nonce, body_ciphertext, sealed_key)
SELECT m.id, '4Xy7Zq1abcDEF', 'box@ok.test', 100, decode(repeat('05', 24), 'hex'),
       decode(repeat('06', 40), 'hex'), decode(repeat('07', 24), 'hex'),
       decode(repeat('08', 116), 'hex'), decode(repeat('09', 80), 'hex')
  FROM mailboxes m JOIN aliases a ON a.id = m.alias_id
 WHERE a.local_part = 'box';

INSERT INTO sessions (token_hash, user_id, csrf_token, idle_expires_at, expires_at)
SELECT sha256(convert_to(u.name || '-session', 'UTF8')), u.id,
       decode(repeat('0a', 32), 'hex'), now() + interval '30 minutes',
       now() + interval '12 hours'
  FROM users u;

INSERT INTO mailbox_unlocks (session_token_hash, mailbox_id, wrapped_secret_key,
    wrap_nonce, expires_at)
SELECT s.token_hash, m.id, decode(repeat('0b', 48), 'hex'),
       decode(repeat('0c', 24), 'hex'), now() + interval '15 minutes'
  FROM sessions s JOIN users u ON u.id = s.user_id,
       mailboxes m JOIN aliases a ON a.id = m.alias_id
 WHERE u.name = 'alice' AND a.local_part = 'box';

INSERT INTO login_states (state_hash, browser_binding_hash, return_path, expires_at,
    used_at, user_id)
SELECT sha256(convert_to('carol-state', 'UTF8')), decode(repeat('0d', 32), 'hex'),
       '/ubuntu', now() + interval '10 minutes', now(), u.id
  FROM users u WHERE u.name = 'carol';

INSERT INTO api_tokens (user_id, name, token_hash, expires_at)
SELECT u.id, u.name || '-token', sha256(convert_to(u.name || '-token', 'UTF8')),
       now() + interval '90 days'
  FROM users u;

INSERT INTO error_reports (user_id, domain_id, error_code)
SELECT u.id, d.id, 'not-coc-signer'
  FROM users u, domains d WHERE u.name = 'carol';

INSERT INTO error_log (fingerprint, message, user_id, launchpad_name, claimed_id)
SELECT sha256(convert_to('carol-error', 'UTF8')), 'Launchpad said no', u.id,
       u.name, u.claimed_id
  FROM users u WHERE u.name = 'carol';

INSERT INTO audit_log (actor_kind, actor_user_id, actor_name, action, target_type,
    target_id, target_label)
SELECT 'user', u.id, u.name, 'alias.update', 'alias', 1, 'carol-audit'
  FROM users u WHERE u.name = 'carol';

INSERT INTO team_snapshots (team, total, complete) VALUES ('ok-team', 2, true);
INSERT INTO team_snapshot_members (snapshot_id, name)
SELECT s.id, n FROM team_snapshots s, unnest(ARRAY['alice', 'bob']) AS n;

INSERT INTO openid_nonces (op_endpoint, nonce, expires_at)
VALUES ('https://login.ubuntu.com/+openid', '2024-01-01T00:00:00Zabc', now() + interval '5 minutes');
INSERT INTO openid_associations (op_endpoint, handle, secret, expires_at)
VALUES ('https://login.ubuntu.com/+openid', '{HMAC-SHA256}{1}{abc==}',
	decode(repeat('0e', 32), 'hex'), now() + interval '14 days');

\o /dev/null

--------------------------------------------------------------------------
-- Users
--------------------------------------------------------------------------

SELECT pg_temp.rejects('duplicate Launchpad name differing only in case rejected',
    'membermail_app', $$INSERT INTO users (claimed_id, name, email)
    VALUES ('https://login.ubuntu.com/+id/DDDDDDD', 'Alice', 'a@example.org')$$,
    '23505', 'users_name_lower_key');
SELECT pg_temp.rejects('duplicate claimed id rejected', 'membermail_app',
    $$INSERT INTO users (claimed_id, name, email)
    VALUES ('https://login.ubuntu.com/+id/AAAAAAA', 'dave', 'd@example.org')$$,
    '23505', 'users_claimed_id_key');
SELECT pg_temp.rejects(format('Launchpad name %s rejected', pg_temp.show(n)),
    'membermail_app', format($$INSERT INTO users (claimed_id, name, email)
    VALUES ('https://login.ubuntu.com/+id/EEEEEEE', %L, 'e@example.org')$$, n),
    '23514', 'users_name_check')
  FROM unnest(ARRAY['a', '-ab', '.ab', 'a_b', 'a b', 'ab@c', 'émile', '']) AS n;
SELECT pg_temp.accepts('Launchpad names with + . - and digits accepted',
    'membermail_app', $$INSERT INTO users (claimed_id, name, email)
    VALUES ('https://login.ubuntu.com/+id/FFFFFFF', 'a0+b.c-d', 'f@example.org')$$);
SELECT pg_temp.accepts('several users without a name (released on rename) accepted',
    'membermail_app', $$UPDATE users SET name = NULL WHERE name IN ('bob', 'carol')$$);
SELECT pg_temp.rejects('e-mail with CR/LF rejected', 'membermail_app',
    $$INSERT INTO users (claimed_id, name, email) VALUES
    ('https://login.ubuntu.com/+id/GGGGGGG', 'gina', E'g@example.org\r\nBcc: x@evil.test')$$,
    '23514', 'users_email_check');
SELECT pg_temp.rejects('claimed id with a fragment rejected', 'membermail_app',
    $$INSERT INTO users (claimed_id, name, email) VALUES
    ('https://login.ubuntu.com/+id/HHHHHHH#x', 'hank', 'h@example.org')$$,
    '23514', 'users_claimed_id_check');
SELECT pg_temp.rejects('ban reason on a user who is not banned rejected',
    'membermail_app', $$UPDATE users SET ban_reason = 'spam' WHERE name = 'bob'$$,
    '23514', 'users_ban_reason_banned');

--------------------------------------------------------------------------
-- Domains and members
--------------------------------------------------------------------------

SELECT pg_temp.rejects('duplicate domain rejected', 'membermail_app',
    $$INSERT INTO domains (name, team, verification_token)
    VALUES ('ok.test', 'ok-team', 'TOKEN00099')$$, '23505', 'domains_name_key');
SELECT pg_temp.rejects(format('domain %s rejected', pg_temp.show(n)),
    'membermail_app', format($$INSERT INTO domains (name, team, verification_token)
    VALUES (%L, 'ok-team', 'TOKEN00099')$$, n), '23514', 'domains_name_check')
  FROM unnest(ARRAY['Example.test', 'example', '-a.test', 'a-.test', 'a..test',
      'a_b.test', 'a.test.', '.a.test', 'exa mple.test', '1.2.3.4', 'é.test',
      repeat('a', 64) || '.test', E'a.test\n', '']) AS n;
SELECT pg_temp.accepts(format('domain %s accepted', pg_temp.show(n)),
    'membermail_app', format($$INSERT INTO domains (name, team, verification_token)
    VALUES (%L, 'ok-team', 'TOKEN00099')$$, n))
  FROM unnest(ARRAY['ubuntu.com', 'a.b-c.test', 'xn--bcher-kva.example',
      repeat('a', 63) || '.test']) AS n;
SELECT pg_temp.rejects(format('verification token %s rejected', pg_temp.show(t)),
    'membermail_app', format($$INSERT INTO domains (name, team, verification_token)
    VALUES ('new.test', 'ok-team', %L)$$, t), '23514',
    'domains_verification_token_check')
  FROM unnest(ARRAY['SHORT', 'TOKEN0000!', 'TOKEN000011', 'TOKEN 0001']) AS t;
SELECT pg_temp.rejects('duplicate verification token rejected', 'membermail_app',
    $$INSERT INTO domains (name, team, verification_token)
    VALUES ('new.test', 'ok-team', 'TOKEN00001')$$,
    '23505', 'domains_verification_token_key');
SELECT pg_temp.rejects('team given with its ~ rejected', 'membermail_app',
    $$INSERT INTO domains (name, team, verification_token)
    VALUES ('new.test', '~ubuntumembers', 'TOKEN00099')$$, '23514', 'domains_team_check');
SELECT pg_temp.rejects(format('alias limit %s rejected', l), 'membermail_app',
    format($$UPDATE domains SET alias_limit = %s WHERE name = 'ok.test'$$, l),
    '23514', 'domains_alias_limit_check')
  FROM unnest(ARRAY[-1, 101]) AS l;
SELECT pg_temp.is('alias limit defaults to 3', 'membermail_app',
    $$INSERT INTO domains (name, team, verification_token)
    VALUES ('new.test', 'ok-team', 'TOKEN00099')$$,
    $$SELECT alias_limit::text FROM domains WHERE name = 'new.test'$$, '3');
SELECT pg_temp.rejects('TXT status temporary-failure rejected (an attempt result only)',
    'membermail_app', $$UPDATE domains SET txt_status = 'temporary-failure'
    WHERE name = 'ok.test'$$, '23514', 'domains_txt_status_check');
SELECT pg_temp.accepts('TXT attempt temporary-failure recorded, status kept',
    'membermail_app', $$UPDATE domains SET txt_last_attempt_at = now(),
    txt_last_attempt_result = 'temporary-failure' WHERE name = 'ok.test'$$);
SELECT pg_temp.rejects('verified domain without checked_at rejected', 'membermail_app',
    $$UPDATE domains SET txt_status = 'verified', txt_checked_at = NULL
    WHERE name = 'unverified.test'$$, '23514', 'domains_txt_checked_check');
SELECT pg_temp.rejects('domain rename rejected', 'membermail_app',
    $$UPDATE domains SET name = 'renamed.test' WHERE name = 'ok.test'$$,
    '23514', 'domains_name_immutable');
SELECT pg_temp.rejects('bad member role rejected', 'membermail_app',
    $$UPDATE domain_members SET role = 'owner'
    WHERE user_id = (SELECT id FROM users WHERE name = 'bob')$$,
    '23514', 'domain_members_role_check');
SELECT pg_temp.rejects('duplicate domain member rejected', 'membermail_app',
    $$INSERT INTO domain_members (domain_id, user_id, role)
    SELECT domain_id, user_id, 'admin' FROM domain_members LIMIT 1$$,
    '23505', 'domain_members_pkey');

--------------------------------------------------------------------------
-- Aliases
--------------------------------------------------------------------------

SELECT pg_temp.rejects('duplicate alias rejected', 'membermail_app',
    pg_temp.alias('ok.test', 'alice', $$ARRAY['x@example.org']$$),
    '23505', 'aliases_address_key');
SELECT pg_temp.accepts('same local part on another domain accepted', 'membermail_app',
    pg_temp.alias('empty.test', 'alice', $$ARRAY['x@example.org']$$));
SELECT pg_temp.rejects('0 recipients rejected', 'membermail_app',
    pg_temp.alias('ok.test', 'new', $$ARRAY[]::text[]$$),
    '23514', 'aliases_recipients_count');
SELECT pg_temp.rejects('NULL recipients rejected', 'membermail_app',
    pg_temp.alias('ok.test', 'new', $$NULL$$), '23502');
SELECT pg_temp.rejects('11 recipients rejected', 'membermail_app',
    pg_temp.alias('ok.test', 'new',
	$$(SELECT array_agg('r' || i || '@example.org') FROM generate_series(1, 11) i)$$),
    '23514', 'aliases_recipients_count');
SELECT pg_temp.accepts('10 recipients accepted', 'membermail_app',
    pg_temp.alias('ok.test', 'new',
	$$(SELECT array_agg('r' || i || '@example.org') FROM generate_series(1, 10) i)$$));
SELECT pg_temp.accepts('1 recipient accepted', 'membermail_app',
    pg_temp.alias('ok.test', 'new', $$ARRAY['Mixed.Case+tag@sub.example.org']$$));
SELECT pg_temp.rejects(format('recipient %s rejected', pg_temp.show(r)),
    'membermail_app', pg_temp.alias('ok.test', 'new', format('ARRAY[%L]', r)),
    '23514', 'aliases_recipients_valid')
  FROM unnest(ARRAY[E'a@example.org\r\nBcc: x@evil.test', E'a@example.org\n',
      E'a\r@example.org', 'a@example.org,b@example.org', 'a@Example.org',
      'alice', 'a b@example.org', '<a@example.org>', 'a@@example.org',
      'a..b@example.org', '"a"@example.org', 'a@[127.0.0.1]',
      repeat('a', 65) || '@example.org', '@example.org', 'a@']) AS r;
SELECT pg_temp.rejects('NULL recipient element rejected', 'membermail_app',
    pg_temp.alias('ok.test', 'new', $$ARRAY['a@example.org', NULL]$$),
    '23514', 'aliases_recipients_valid');
SELECT pg_temp.rejects('duplicate recipients rejected', 'membermail_app',
    pg_temp.alias('ok.test', 'new', $$ARRAY['a@example.org', 'A@example.org']$$),
    '23514', 'aliases_recipients_valid');
SELECT pg_temp.rejects('two-dimensional recipients rejected', 'membermail_app',
    pg_temp.alias('ok.test', 'new', $$ARRAY[['a@example.org'], ['b@example.org']]$$),
    '23514', 'aliases_recipients_valid');
SELECT pg_temp.rejects(format('local part %s rejected', pg_temp.show(l)),
    'membermail_app', pg_temp.alias('ok.test', l, $$ARRAY['x@example.org']$$),
    '23514', 'aliases_local_part_check')
  FROM unnest(ARRAY['Alice', 'a..b', '.a', 'a.', 'a b', 'a@b', '-a', '_a',
      'é', 'a,b', E'a\n', repeat('a', 65), '', '*']) AS l;
SELECT pg_temp.accepts(format('local part %s accepted', pg_temp.show(l)),
    'membermail_app', pg_temp.alias('ok.test', l, $$ARRAY['x@example.org']$$))
  FROM unnest(ARRAY['first.last', 'a+b', 'a-b_c', '0day', 'x', repeat('a', 64)]) AS l;
SELECT pg_temp.rejects(format('reply code %s rejected', c), 'membermail_app',
    format($$UPDATE aliases SET reply_code = %s WHERE local_part = 'bob'$$, c),
    '23514', 'aliases_reply_code_check')
  FROM unnest(ARRAY[0, 251, 450, 500, 551]) AS c;
SELECT pg_temp.accepts(format('reply code %s accepted', c), 'membermail_app',
    format($$UPDATE aliases SET reply_code = %s WHERE local_part = 'bob'$$, c))
  FROM unnest(ARRAY[250, 421, 550]) AS c;
SELECT pg_temp.is('reply code defaults to 550', 'membermail_app',
    pg_temp.alias('ok.test', 'new', $$ARRAY['x@example.org']$$),
    $$SELECT reply_code::text FROM aliases WHERE local_part = 'new'$$, '550');
SELECT pg_temp.rejects('enabled alias with a disabled reason rejected', 'membermail_app',
    $$UPDATE aliases SET disabled_reason = 'by-owner' WHERE local_part = 'box'$$,
    '23514', 'aliases_disabled_reason_iff_disabled');
SELECT pg_temp.rejects('disabled alias without a reason rejected', 'membermail_app',
    $$UPDATE aliases SET enabled = false WHERE local_part = 'box'$$,
    '23514', 'aliases_disabled_reason_iff_disabled');
SELECT pg_temp.rejects('unknown disabled reason rejected', 'membermail_app',
    $$UPDATE aliases SET enabled = false, disabled_reason = 'spam'
    WHERE local_part = 'box'$$, '23514', 'aliases_disabled_reason_check');
SELECT pg_temp.accepts(format('disabled reason %s accepted', r), 'membermail_app',
    format($$UPDATE aliases SET enabled = false, disabled_reason = %L
    WHERE local_part = 'box'$$, r))
  FROM unnest(ARRAY['matches-recipient', 'left-team', 'invalid-user', 'banned',
      'by-owner', 'by-admin']) AS r;
SELECT pg_temp.accepts('re-enabling clears reason and removal', 'membermail_app',
    $$UPDATE aliases SET enabled = true, disabled_reason = NULL, remove_at = NULL
    WHERE local_part = 'bob'$$);
SELECT pg_temp.rejects('removal scheduled on an enabled alias rejected', 'membermail_app',
    $$UPDATE aliases SET remove_at = now() WHERE local_part = 'box'$$,
    '23514', 'aliases_remove_at_check');
SELECT pg_temp.rejects('removal scheduled on an alias disabled by its owner rejected',
    'membermail_app', $$UPDATE aliases SET remove_at = now() WHERE local_part = 'drop'$$,
    '23514', 'aliases_remove_at_check');
SELECT pg_temp.rejects('description over 150 characters rejected', 'membermail_app',
    $$UPDATE aliases SET description = repeat('x', 151) WHERE local_part = 'box'$$,
    '23514', 'aliases_description_check');
SELECT pg_temp.rejects('description with a newline rejected', 'membermail_app',
    $$UPDATE aliases SET description = E'a\nb' WHERE local_part = 'box'$$,
    '23514', 'aliases_description_check');
SELECT pg_temp.rejects('enabled alias forwarding to itself rejected', 'membermail_app',
    pg_temp.alias('ok.test', 'self', $$ARRAY['x@example.org', 'Self@ok.test']$$),
    '23514', 'aliases_not_self_recipient');
SELECT pg_temp.accepts('alias forwarding to itself accepted disabled (matches-recipient)',
    'membermail_app', pg_temp.alias('ok.test', 'self', $$ARRAY['self@ok.test']$$,
	', enabled, disabled_reason', $$, false, 'matches-recipient'$$));
SELECT pg_temp.rejects('enabling an alias that forwards to itself rejected',
    'membermail_app', pg_temp.alias('ok.test', 'self', $$ARRAY['self@ok.test']$$,
	', enabled, disabled_reason', $$, false, 'matches-recipient'$$)
    || $$; UPDATE aliases SET enabled = true, disabled_reason = NULL
    WHERE local_part = 'self'$$, '23514', 'aliases_not_self_recipient');
SELECT pg_temp.is('updated_at moves on update', 'membermail_app',
    $$UPDATE aliases SET updated_at = '2000-01-01', description = 'x'
    WHERE local_part = 'box'$$,
    $$SELECT (updated_at > '2001-01-01')::text FROM aliases WHERE local_part = 'box'$$,
    'true');

--------------------------------------------------------------------------
-- Sessions, sign-in, OpenID
--------------------------------------------------------------------------

SELECT pg_temp.rejects('session token hash of 31 bytes rejected', 'membermail_app',
    $$INSERT INTO sessions (token_hash, user_id, csrf_token, idle_expires_at, expires_at)
    SELECT decode(repeat('aa', 31), 'hex'), id, decode(repeat('0a', 32), 'hex'),
	   now() + interval '1 hour', now() + interval '2 hours'
      FROM users WHERE name = 'alice'$$, '23514', 'sessions_token_hash_check');
SELECT pg_temp.rejects('session idle expiry past absolute expiry rejected', 'membermail_app',
    $$INSERT INTO sessions (token_hash, user_id, csrf_token, idle_expires_at, expires_at)
    SELECT decode(repeat('aa', 32), 'hex'), id, decode(repeat('0a', 32), 'hex'),
	   now() + interval '3 hours', now() + interval '2 hours'
      FROM users WHERE name = 'alice'$$, '23514', 'sessions_expiry_check');
SELECT pg_temp.rejects(format('login return path %s rejected', pg_temp.show(p)),
    'membermail_app', format($$INSERT INTO login_states (state_hash,
    browser_binding_hash, return_path, expires_at) VALUES (decode(repeat('bb', 32),
    'hex'), decode(repeat('bc', 32), 'hex'), %L, now() + interval '10 minutes')$$, p),
    '23514', 'login_states_return_path_check')
  FROM unnest(ARRAY['//evil.test/', '/\evil.test', 'https://evil.test/', 'ubuntu',
      E'/a\r\nSet-Cookie: x']) AS p;
SELECT pg_temp.rejects('login state naming a user before it was used rejected',
    'membermail_app', $$UPDATE login_states SET used_at = NULL$$,
    '23514', 'login_states_user_used');
SELECT pg_temp.rejects('replayed OpenID nonce rejected', 'membermail_app',
    $$INSERT INTO openid_nonces (op_endpoint, nonce, expires_at)
    VALUES ('https://login.ubuntu.com/+openid', '2024-01-01T00:00:00Zabc', now())$$,
    '23505', 'openid_nonces_pkey');
SELECT pg_temp.accepts('same nonce from another OP endpoint accepted', 'membermail_app',
    $$INSERT INTO openid_nonces (op_endpoint, nonce, expires_at)
    VALUES ('https://login.staging.ubuntu.com/+openid', '2024-01-01T00:00:00Zabc',
	    now() + interval '5 minutes')$$);
SELECT pg_temp.rejects('malformed OpenID nonce rejected', 'membermail_app',
    $$INSERT INTO openid_nonces (op_endpoint, nonce, expires_at)
    VALUES ('https://login.ubuntu.com/+openid', 'short', now())$$,
    '23514', 'openid_nonces_nonce_check');
SELECT pg_temp.rejects('HMAC-SHA1 association rejected', 'membermail_app',
    $$INSERT INTO openid_associations (op_endpoint, handle, assoc_type, secret, expires_at)
    VALUES ('https://login.ubuntu.com/+openid', 'h2', 'HMAC-SHA1',
	    decode(repeat('0e', 32), 'hex'), now() + interval '1 day')$$,
    '23514', 'openid_associations_type_check');
SELECT pg_temp.rejects('association secret of 20 bytes rejected', 'membermail_app',
    $$INSERT INTO openid_associations (op_endpoint, handle, secret, expires_at)
    VALUES ('https://login.ubuntu.com/+openid', 'h2', decode(repeat('0e', 20), 'hex'),
	    now() + interval '1 day')$$, '23514', 'openid_associations_secret_check');
SELECT pg_temp.rejects('duplicate association handle rejected', 'membermail_app',
    $$INSERT INTO openid_associations (op_endpoint, handle, secret, expires_at)
    VALUES ('https://login.ubuntu.com/+openid', '{HMAC-SHA256}{1}{abc==}',
	    decode(repeat('0f', 32), 'hex'), now() + interval '1 day')$$,
    '23505', 'openid_associations_pkey');
SELECT pg_temp.is('rate limit counter upsert counts', 'membermail_app',
    $$INSERT INTO rate_limits (bucket, window_start, expires_at)
      VALUES ('login:192.0.2.1', date_bin('60 s', now(), 'epoch'), now() + interval '2 minutes');
      INSERT INTO rate_limits AS r (bucket, window_start, expires_at)
      VALUES ('login:192.0.2.1', date_bin('60 s', now(), 'epoch'), now() + interval '2 minutes')
      ON CONFLICT (bucket, window_start) DO UPDATE SET hits = r.hits + 1$$,
    $$SELECT hits::text FROM rate_limits WHERE bucket = 'login:192.0.2.1'$$, '2');

--------------------------------------------------------------------------
-- Notifications, errors, audit
--------------------------------------------------------------------------

SELECT pg_temp.rejects('outbox subject with CR/LF rejected', 'membermail_app',
    $$INSERT INTO outbox (to_addresses, subject, body)
    VALUES (ARRAY['a@example.org'], E'Hi\r\nBcc: x@evil.test', 'body')$$,
    '23514', 'outbox_subject_check');
SELECT pg_temp.rejects('outbox without recipients rejected', 'membermail_app',
    $$INSERT INTO outbox (to_addresses, subject, body) VALUES ('{}', 'Hi', 'body')$$,
    '23514', 'outbox_to_count');
SELECT pg_temp.rejects('outbox address with a newline rejected', 'membermail_app',
    $$INSERT INTO outbox (to_addresses, subject, body)
    VALUES (ARRAY[E'a@example.org\nBcc: x@evil.test'], 'Hi', 'body')$$,
    '23514', 'outbox_addresses_check');
SELECT pg_temp.rejects('outbox row both sent and failed rejected', 'membermail_app',
    $$INSERT INTO outbox (to_addresses, subject, body, sent_at, failed_at)
    VALUES (ARRAY['a@example.org'], 'Hi', 'body', now(), now())$$,
    '23514', 'outbox_final_check');
SELECT pg_temp.rejects('duplicate error report (user, domain, code) rejected',
    'membermail_app', $$INSERT INTO error_reports (user_id, domain_id, error_code)
    SELECT user_id, domain_id, error_code FROM error_reports LIMIT 1$$,
    '23505', 'error_reports_pkey');
SELECT pg_temp.is('error report expires after 30 days', 'membermail_app', NULL,
    $$SELECT bool_and(expires_at - first_seen_at = interval '30 days')::text
    FROM error_reports$$, 'true');
SELECT pg_temp.rejects('duplicate error log fingerprint rejected', 'membermail_app',
    $$INSERT INTO error_log (fingerprint, message)
    VALUES (sha256(convert_to('carol-error', 'UTF8')), 'again')$$,
    '23505', 'error_log_fingerprint_key');
SELECT pg_temp.accepts('audit log append accepted', 'membermail_app',
    $$INSERT INTO audit_log (actor_kind, action, target_type, target_id, domain_id, after)
    VALUES ('sync', 'alias.create', 'alias', 1, 1, '{"enabled": true}')$$);
SELECT pg_temp.rejects('audit log update denied to the app', 'membermail_app',
    $$UPDATE audit_log SET action = 'nothing.happened'$$, '42501');
SELECT pg_temp.rejects('audit log delete denied to the app', 'membermail_app',
    $$DELETE FROM audit_log$$, '42501');
SELECT pg_temp.rejects('sync audit entry naming a user rejected', 'membermail_app',
    $$INSERT INTO audit_log (actor_kind, actor_user_id, action, target_type)
    SELECT 'sync', id, 'alias.create', 'alias' FROM users WHERE name = 'alice'$$,
    '23514', 'audit_log_actor_user_check');
SELECT pg_temp.rejects('user audit entry without actor name rejected', 'membermail_app',
    $$INSERT INTO audit_log (actor_kind, action, target_type)
    VALUES ('user', 'alias.create', 'alias')$$, '23514', 'audit_log_actor_name_check');

--------------------------------------------------------------------------
-- Mailboxes, messages, API tokens
--------------------------------------------------------------------------

SELECT pg_temp.rejects('second mailbox for one alias rejected', 'membermail_app',
    $$INSERT INTO mailboxes (alias_id, public_key, encrypted_secret_key,
    secret_key_nonce, pwhash_salt, pwhash_opslimit, pwhash_memlimit, quota_bytes)
    SELECT alias_id, public_key, encrypted_secret_key, secret_key_nonce, pwhash_salt,
	   pwhash_opslimit, pwhash_memlimit, quota_bytes FROM mailboxes LIMIT 1$$,
    '23505', 'mailboxes_alias_key');
SELECT pg_temp.rejects('mailbox public key of 31 bytes rejected', 'membermail_app',
    $$UPDATE mailboxes SET public_key = decode(repeat('01', 31), 'hex')$$,
    '23514', 'mailboxes_public_key_check');
SELECT pg_temp.rejects('mailbox over quota rejected', 'membermail_app',
    $$UPDATE mailboxes SET used_bytes = quota_bytes + 1$$, '23514', 'mailboxes_over_quota');
SELECT pg_temp.rejects('second delivery of a queue id to a recipient rejected',
    'membermail_app', $$INSERT INTO messages (mailbox_id, queue_id, recipient,
    size_bytes, header_nonce, header_ciphertext, body_nonce, body_ciphertext, sealed_key)
    SELECT mailbox_id, queue_id, recipient, size_bytes, header_nonce, header_ciphertext,
	   body_nonce, body_ciphertext, sealed_key FROM messages LIMIT 1$$,
    '23505', 'messages_delivery_key');
SELECT pg_temp.is('idempotent delivery stores a retried message once', 'membermail_app',
    $$INSERT INTO messages (mailbox_id, queue_id, recipient,
    size_bytes, header_nonce, header_ciphertext, body_nonce, body_ciphertext, sealed_key)
    SELECT mailbox_id, queue_id, recipient, size_bytes, header_nonce, header_ciphertext,
	   body_nonce, body_ciphertext, sealed_key FROM messages
    ON CONFLICT ON CONSTRAINT messages_delivery_key DO NOTHING$$,
    $$SELECT count(*)::text FROM messages$$, '1');
SELECT pg_temp.is('app can take a message id before encrypting', 'membermail_app',
    $$INSERT INTO messages (id, mailbox_id, queue_id, recipient, size_bytes,
    header_nonce, header_ciphertext, body_nonce, body_ciphertext, sealed_key)
    SELECT nextval(pg_get_serial_sequence('messages', 'id')), mailbox_id, 'Q2',
	   recipient, size_bytes, header_nonce, header_ciphertext, body_nonce,
	   body_ciphertext, sealed_key FROM messages$$,
    $$SELECT count(*)::text FROM messages$$, '2');
SELECT pg_temp.rejects('sealed message key of the wrong size rejected', 'membermail_app',
    $$UPDATE messages SET sealed_key = decode(repeat('09', 64), 'hex')$$,
    '23514', 'messages_sealed_key_check');
SELECT pg_temp.rejects('duplicate API token hash rejected', 'membermail_app',
    $$INSERT INTO api_tokens (user_id, name, token_hash, expires_at)
    SELECT user_id, 'other', token_hash, expires_at FROM api_tokens LIMIT 1$$,
    '23505', 'api_tokens_token_hash_key');
SELECT pg_temp.rejects('two active API tokens with one name rejected', 'membermail_app',
    $$INSERT INTO api_tokens (user_id, name, token_hash, expires_at)
    SELECT user_id, name, sha256(token_hash), expires_at FROM api_tokens LIMIT 1$$,
    '23505', 'api_tokens_active_name_key');
SELECT pg_temp.accepts('a revoked API token name can be reused', 'membermail_app',
    $$UPDATE api_tokens SET revoked_at = now() WHERE name = 'alice-token';
    INSERT INTO api_tokens (user_id, name, token_hash, expires_at)
    SELECT user_id, name, sha256(token_hash), expires_at FROM api_tokens
     WHERE name = 'alice-token'$$);

--------------------------------------------------------------------------
-- Foreign keys: ON DELETE as designed
--------------------------------------------------------------------------

SELECT pg_temp.rejects('deleting a user who owns aliases rejected (RESTRICT)',
    'membermail_app', $$DELETE FROM users WHERE name = 'alice'$$,
    '23503', 'aliases_user_id_fkey');
SELECT pg_temp.rejects('deleting a domain with aliases rejected (RESTRICT)',
    'membermail_app', $$DELETE FROM domains WHERE name = 'ok.test'$$,
    '23503', 'aliases_domain_id_fkey');
SELECT pg_temp.is('deleting a user cascades to sessions, tokens, memberships, '
    'login states, error reports; keeps error log and audit log',
    'membermail_app', $$DELETE FROM users WHERE name = 'carol'$$,
    $$SELECT concat_ws(' ',
	(SELECT count(*) FROM sessions
	  WHERE token_hash = sha256(convert_to('carol-session', 'UTF8'))),
	(SELECT count(*) FROM api_tokens WHERE name = 'carol-token'),
	(SELECT count(*) FROM domain_members) - 10,
	(SELECT count(*) FROM login_states),
	(SELECT count(*) FROM error_reports),
	(SELECT count(*) FROM error_log WHERE user_id IS NULL AND launchpad_name = 'carol'),
	(SELECT count(*) FROM audit_log WHERE actor_user_id IS NULL
	    AND actor_name = 'carol' AND target_label = 'carol-audit'))$$,
    '0 0 0 0 0 1 1');
SELECT pg_temp.is('deleting a domain without aliases cascades to members and error reports',
    'membermail_app', $$DELETE FROM domains WHERE name = 'empty.test'$$,
    $$SELECT concat_ws(' ', (SELECT count(*) FROM domain_members),
	(SELECT count(*) FROM error_reports))$$, '12 4');
SELECT pg_temp.is('deleting an alias cascades to its mailbox, messages and unlocks',
    'membermail_app', $$DELETE FROM aliases WHERE local_part = 'box'$$,
    $$SELECT concat_ws(' ', (SELECT count(*) FROM mailboxes),
	(SELECT count(*) FROM messages), (SELECT count(*) FROM mailbox_unlocks))$$,
    '1 0 0');
SELECT pg_temp.is('signing out (deleting the session) locks the mailbox',
    'membermail_app', $$DELETE FROM sessions
    WHERE token_hash = sha256(convert_to('alice-session', 'UTF8'))$$,
    $$SELECT count(*)::text FROM mailbox_unlocks$$, '0');
SELECT pg_temp.is('deleting a team snapshot cascades to its members', 'membermail_app',
    $$DELETE FROM team_snapshots$$,
    $$SELECT count(*)::text FROM team_snapshot_members$$, '0');

--------------------------------------------------------------------------
-- Roles: membermail_app
--------------------------------------------------------------------------

SELECT pg_temp.is('group roles are NOLOGIN without elevated attributes', NULL, NULL,
    $$SELECT string_agg(rolname || ':' || (rolcanlogin OR rolsuper OR rolcreaterole
	OR rolcreatedb OR rolreplication OR rolbypassrls)::text, ' ' ORDER BY rolname)
    FROM pg_roles WHERE rolname IN ('membermail_app', 'membermail_postfix')$$,
    'membermail_app:false membermail_postfix:false');
SELECT pg_temp.is('PUBLIC may neither connect nor create temporary tables', NULL, NULL,
    $$SELECT (NOT EXISTS (SELECT 1 FROM pg_database d, aclexplode(d.datacl) a
	WHERE d.datname = current_database() AND a.grantee = 0))::text$$, 'true');
SELECT pg_temp.is('PUBLIC may execute none of the mm_ functions', NULL, NULL,
    $$SELECT count(*)::text FROM pg_proc p
    WHERE p.pronamespace = 'public'::regnamespace AND p.proname LIKE 'mm\_%'
      AND (p.proacl IS NULL
	   OR EXISTS (SELECT 1 FROM aclexplode(p.proacl) a WHERE a.grantee = 0))$$,
    '0');
SELECT pg_temp.accepts('app: select, insert, update, delete on aliases', 'membermail_app',
    pg_temp.alias('ok.test', 'cycle', $$ARRAY['x@example.org']$$) || $$;
    UPDATE aliases SET description = 'd' WHERE local_part = 'cycle';
    SELECT count(*) FROM aliases WHERE local_part = 'cycle';
    DELETE FROM aliases WHERE local_part = 'cycle'$$);
SELECT pg_temp.rejects(format('app cannot %s', what), 'membermail_app', stmt, '42501')
  FROM (VALUES
	('CREATE TABLE', 'CREATE TABLE evil (i int)'),
	('CREATE TEMP TABLE', 'CREATE TEMP TABLE evil (i int)'),
	('CREATE FUNCTION', 'CREATE FUNCTION evil() RETURNS int LANGUAGE sql RETURN 1'),
	('CREATE SCHEMA', 'CREATE SCHEMA evil'),
	('CREATE INDEX', 'CREATE INDEX evil ON aliases (description)'),
	('ALTER TABLE', 'ALTER TABLE aliases DROP CONSTRAINT aliases_reply_code_check'),
	('DROP TABLE', 'DROP TABLE messages'),
	('TRUNCATE', 'TRUNCATE aliases'),
	('DISABLE TRIGGER', 'ALTER TABLE aliases DISABLE TRIGGER aliases_not_self_recipient'),
	('read the Postfix views', 'SELECT * FROM postfix_aliases')
       ) AS c(what, stmt);
-- A GRANT by a non-owner only warns ("no privileges were granted").
SELECT pg_temp.is('app cannot grant itself more', 'membermail_app',
    $$SET LOCAL client_min_messages = error;
    GRANT TRUNCATE ON aliases TO membermail_app$$,
    $$SELECT has_table_privilege('membermail_app', 'aliases', 'TRUNCATE')::text$$,
    'false');
SELECT pg_temp.is('app has no TRUNCATE, REFERENCES or TRIGGER on any table', NULL, NULL,
    $$SELECT count(*)::text FROM pg_class c
    WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'v', 'p')
      AND has_table_privilege('membermail_app', c.oid, 'TRUNCATE, REFERENCES, TRIGGER')$$,
    '0');

--------------------------------------------------------------------------
-- Roles: membermail_postfix
--------------------------------------------------------------------------

SELECT pg_temp.accepts(format('postfix can read %s', v), 'membermail_postfix',
    format('SELECT * FROM %I', v))
  FROM unnest(ARRAY['postfix_domains', 'postfix_aliases', 'postfix_access',
      'postfix_discard', 'postfix_mailboxes', 'postfix_roles', 'postfix_virtual']) AS v;
SELECT pg_temp.rejects(format('postfix cannot read table %s', t), 'membermail_postfix',
    format('SELECT * FROM %I', t), '42501')
  FROM unnest(ARRAY['aliases', 'domains', 'users', 'sessions', 'mailboxes',
      'messages', 'openid_associations', 'api_tokens']) AS t;
SELECT pg_temp.rejects('postfix cannot write through a view', 'membermail_postfix',
    $$UPDATE postfix_domains SET domain = 'evil.test'$$, '42501');
SELECT pg_temp.is('postfix calls the lookup functions', 'membermail_postfix', NULL,
    $$SELECT concat_ws(' ',
	(SELECT string_agg(r, ',' ORDER BY r) FROM postfix_lookup_recipients('alice', 'ok.test') r),
	(SELECT a FROM postfix_lookup_access('bob', 'ok.test') a),
	(SELECT d FROM postfix_lookup_domain('ok.test') d))$$,
    'alice2@example.net,alice@example.org 550 5.2.1 Mailbox disabled ok.test');
SELECT pg_temp.rejects('the app cannot call the lookup functions', 'membermail_app',
    $$SELECT postfix_lookup_domain('ok.test')$$, '42501');
SELECT pg_temp.rejects('postfix cannot call the mm_ functions', 'membermail_postfix',
    $$SELECT mm_valid_domain('a.test')$$, '42501');
SELECT pg_temp.rejects('postfix cannot CREATE TABLE', 'membermail_postfix',
    'CREATE TABLE evil (i int)', '42501');
SELECT pg_temp.is('postfix has no privilege on any table', NULL, NULL,
    $$SELECT count(*)::text FROM pg_class c
    WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
      AND has_table_privilege('membermail_postfix', c.oid,
	  'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')$$, '0');

SELECT pg_temp.is('postfix_domains: enabled and verified domains only',
    'membermail_postfix', NULL,
    $$SELECT string_agg(domain, ' ' ORDER BY domain) FROM postfix_domains$$,
    'empty.test ok.test');
SELECT pg_temp.is('postfix_aliases: one row per recipient of enabled aliases of '
    'enabled, verified domains', 'membermail_postfix', NULL,
    $$SELECT string_agg(address || '>' || recipient, ' ' ORDER BY address, recipient)
    FROM postfix_aliases$$,
    'alice@ok.test>alice2@example.net alice@ok.test>alice@example.org '
    'box@ok.test>alice@example.org nobox@ok.test>alice@example.org');
SELECT pg_temp.is('postfix_aliases: lookup by local part and domain', 'membermail_postfix',
    NULL, $$SELECT string_agg(recipient, ',' ORDER BY recipient) FROM postfix_aliases
    WHERE local_part = 'alice' AND domain = 'ok.test'$$,
    'alice2@example.net,alice@example.org');
SELECT pg_temp.is('postfix_aliases: an address that has not agreed is not routed',
    NULL, $$UPDATE recipient_confirmations SET confirmed_at = NULL, how = NULL,
	token_hash = sha256('t'), expires_at = now() + interval '7 days',
	sends = 1, last_sent_at = now() WHERE address = 'alice2@example.net'$$,
    $$SELECT string_agg(recipient, ',' ORDER BY recipient) FROM postfix_aliases
    WHERE local_part = 'alice' AND domain = 'ok.test'$$,
    'alice@example.org');
SELECT pg_temp.is('postfix_lookup_recipients (what Postfix asks) routes no '
    'address that has not agreed', NULL,
    $$UPDATE recipient_confirmations SET confirmed_at = NULL, how = NULL,
	token_hash = sha256('t'), expires_at = now() + interval '7 days',
	sends = 1, last_sent_at = now() WHERE address = 'alice2@example.net'$$,
    $$SELECT string_agg(r, ',' ORDER BY r)
    FROM postfix_lookup_recipients('alice', 'ok.test') r$$,
    'alice@example.org');
SELECT pg_temp.is('postfix_aliases: once it agrees, it is', NULL,
    $$UPDATE recipient_confirmations SET confirmed_at = now(), how = 'link'
    WHERE address = 'alice2@example.net'$$,
    $$SELECT string_agg(recipient, ',' ORDER BY recipient) FROM postfix_aliases
    WHERE local_part = 'alice' AND domain = 'ok.test'$$,
    'alice2@example.net,alice@example.org');
SELECT pg_temp.rejects('a confirmation request needs its link', NULL,
    $$INSERT INTO recipient_confirmations (alias_id, address)
    SELECT id, 'nolink@example.net' FROM aliases WHERE local_part = 'box'$$,
    '23514', 'recipient_confirmations_state_check');
SELECT pg_temp.rejects('a confirmed address says how', NULL,
    $$INSERT INTO recipient_confirmations (alias_id, address, confirmed_at)
    SELECT id, 'how@example.net', now() FROM aliases WHERE local_part = 'box'$$,
    '23514', 'recipient_confirmations_state_check');
SELECT pg_temp.rejects('one confirmation per alias and address, in any case', NULL,
    $$INSERT INTO recipient_confirmations (alias_id, address, how, confirmed_at)
    SELECT a.id, 'Alice2@example.net', 'link', now() FROM aliases a JOIN domains d
    ON d.id = a.domain_id WHERE d.name = 'ok.test' AND a.local_part = 'alice'$$,
    '23505');
SELECT pg_temp.rejects('a pending change names who asked', NULL,
    $$UPDATE aliases SET pending_recipients = ARRAY['x@example.net'], pending_at = now()
    WHERE local_part = 'box'$$, '23514', 'aliases_pending_check');
SELECT pg_temp.rejects('a pending change of 11 recipients', NULL,
    $$UPDATE aliases SET pending_recipients = array_fill('x@example.net'::text, ARRAY[11]),
    pending_actor = '~alice', pending_at = now() WHERE local_part = 'box'$$,
    '23514', 'aliases_pending_check');
SELECT pg_temp.rejects('a receipt restores 1 to 10 valid recipients', NULL,
    $$INSERT INTO alias_receipts (alias_id, token_hash, before_recipients,
    after_recipients, actor, expires_at) SELECT id, sha256('r'), '{}', ARRAY['a@example.net'],
    '~alice', now() + interval '7 days' FROM aliases WHERE local_part = 'box'$$,
    '23514', 'alias_receipts_recipients_check');
SELECT pg_temp.is('postfix cannot read the confirmations or receipts', NULL, NULL,
    $$SELECT (has_table_privilege('membermail_postfix', 'recipient_confirmations', 'SELECT')
	OR has_table_privilege('membermail_postfix', 'alias_receipts', 'SELECT'))::text$$,
    'false');
SELECT pg_temp.is('postfix_aliases: a disabled alias has no rows', 'membermail_postfix',
    NULL, $$SELECT count(*)::text FROM postfix_aliases
    WHERE local_part = 'bob' AND domain = 'ok.test'$$, '0');
SELECT pg_temp.is('postfix_access: 550 rejects, 421 defers with 450 (never DISCARD)',
    'membermail_postfix', NULL,
    $$SELECT string_agg(address || '=' || action, ' | ' ORDER BY address)
    FROM postfix_access$$,
    'bob@ok.test=550 5.2.1 Mailbox disabled | '
    'later@ok.test=450 4.2.1 Mailbox temporarily disabled, try again later');
SELECT pg_temp.is('postfix_discard: disabled 250 aliases', 'membermail_postfix', NULL,
    $$SELECT string_agg(address, ' ' ORDER BY address) FROM postfix_discard$$,
    'drop@ok.test');
SELECT pg_temp.is('postfix_mailboxes: enabled aliases with a mailbox', 'membermail_postfix',
    NULL, $$SELECT string_agg(address, ' ' ORDER BY address) FROM postfix_mailboxes$$,
    'box@ok.test');
SELECT pg_temp.is('postfix views follow a domain losing its verification',
    'membermail_postfix', NULL,
    $$SELECT count(*)::text FROM postfix_aliases$$, '4');
SELECT pg_temp.is('disabling a domain empties its Postfix rows', NULL,
    $$UPDATE domains SET enabled = false WHERE name = 'ok.test'$$,
    $$SELECT concat_ws(' ', (SELECT count(*) FROM postfix_domains),
	(SELECT count(*) FROM postfix_aliases), (SELECT count(*) FROM postfix_access),
	(SELECT count(*) FROM postfix_discard), (SELECT count(*) FROM postfix_mailboxes))$$,
    '1 0 0 0 0');
SELECT pg_temp.is('a domain whose TXT check says missing leaves Postfix', NULL,
    $$UPDATE domains SET txt_status = 'missing' WHERE name = 'ok.test'$$,
    $$SELECT concat_ws(' ', (SELECT count(*) FROM postfix_domains),
	(SELECT count(*) FROM postfix_aliases))$$, '1 0');
SELECT pg_temp.is('a temporary DNS failure keeps the domain in Postfix', NULL,
    $$UPDATE domains SET txt_last_attempt_at = now(),
	txt_last_attempt_result = 'temporary-failure' WHERE name = 'ok.test'$$,
    $$SELECT count(*)::text FROM postfix_aliases$$, '4');

-- 0009: the table virtual_alias_maps reads, role addresses, the grace period.
SELECT pg_temp.is('postfix_virtual: enabled aliases, the discard route, postmaster@ '
    'and abuse@ to the admins', 'membermail_postfix', NULL,
    $$SELECT string_agg(address || '>' || recipient, ' ' ORDER BY address, recipient)
    FROM postfix_virtual WHERE domain = 'ok.test'$$,
    'abuse@ok.test>alice@example.org alice@ok.test>alice2@example.net '
    'alice@ok.test>alice@example.org box@ok.test>alice@example.org '
    'box@ok.test>box=ok.test@membermail-mailbox.invalid '
    'drop@ok.test>discard@membermail-discard.invalid '
    'nobox@ok.test>alice@example.org postmaster@ok.test>alice@example.org');
-- 0013: what an alias does with its mail (forward, keep, both).
SELECT pg_temp.is('postfix_mailboxes: the LMTP address of a kept alias', 'membermail_postfix',
    NULL, $$SELECT string_agg(address || '>' || recipient, ' ') FROM postfix_mailboxes$$,
    'box@ok.test>box=ok.test@membermail-mailbox.invalid');
SELECT pg_temp.is('keep only: the LMTP address alone', NULL,
    $$UPDATE aliases SET forward = false WHERE local_part IN ('box', 'nobox')$$,
    $$SELECT string_agg(recipient, ',' ORDER BY recipient) FROM postfix_virtual
    WHERE local_part = 'box' AND domain = 'ok.test'$$,
    'box=ok.test@membermail-mailbox.invalid');
SELECT pg_temp.is('keep only before its mailbox exists: still forwarded', NULL,
    $$UPDATE aliases SET forward = false WHERE local_part IN ('box', 'nobox')$$,
    $$SELECT string_agg(recipient, ',' ORDER BY recipient) FROM postfix_virtual
    WHERE local_part = 'nobox' AND domain = 'ok.test'$$, 'alice@example.org');
SELECT pg_temp.rejects('an alias that neither forwards nor keeps', 'membermail_app',
    $$UPDATE aliases SET forward = false WHERE local_part = 'alice'$$,
    '23514', 'aliases_delivery_check');
SELECT pg_temp.is('a postmaster@ a site admin assigned that keeps only takes the role', NULL,
    pg_temp.alias('ok.test', 'postmaster', $$ARRAY['desk@owner.example']$$,
	', reserved_assigned, has_mailbox, forward', ', true, true, false')
    || $$; INSERT INTO mailboxes (alias_id, public_key, encrypted_secret_key,
	secret_key_nonce, pwhash_salt, pwhash_opslimit, pwhash_memlimit, quota_bytes)
    SELECT a.id, decode(repeat('01', 32), 'hex'), decode(repeat('02', 48), 'hex'),
	decode(repeat('03', 24), 'hex'), decode(repeat('04', 16), 'hex'), 2, 67108864, 1000
      FROM aliases a JOIN domains d ON d.id = a.domain_id
     WHERE d.name = 'ok.test' AND a.local_part = 'postmaster'$$,
    $$SELECT string_agg(recipient, ',') FROM postfix_virtual
	WHERE local_part = 'postmaster' AND domain = 'ok.test'$$,
    'postmaster=ok.test@membermail-mailbox.invalid');
SELECT pg_temp.is('postfix_virtual: lookup by local part and domain', 'membermail_postfix',
    NULL, $$SELECT string_agg(recipient, ',' ORDER BY recipient) FROM postfix_virtual
    WHERE local_part = 'postmaster' AND domain = 'ok.test'$$, 'alice@example.org');
SELECT pg_temp.is('role addresses: role_recipient replaces the admins', NULL,
    $$UPDATE domains SET role_recipient = 'desk@isp.example' WHERE name = 'ok.test'$$,
    $$SELECT string_agg(address || '>' || recipient, ' ' ORDER BY address)
    FROM postfix_roles WHERE domain = 'ok.test'$$,
    'abuse@ok.test>desk@isp.example postmaster@ok.test>desk@isp.example');
SELECT pg_temp.is('role addresses: a banned admin gets none; no admin left: the site admins',
    NULL, $$UPDATE users SET is_banned = true, ban_reason = 'x' WHERE name = 'alice';
    UPDATE users SET is_site_admin = true WHERE name = 'carol'$$,
    $$SELECT string_agg(recipient, ' ') FROM postfix_roles
    WHERE domain = 'ok.test' AND local_part = 'abuse'$$, 'carol@example.org');
SELECT pg_temp.is('role addresses: a disabled alias of that name is never refused', NULL,
    pg_temp.alias('ok.test', 'postmaster', $$ARRAY['x@example.org']$$,
	', enabled, disabled_reason', $$, false, 'by-admin'$$),
    $$SELECT concat_ws(' ', (SELECT string_agg(recipient, ',') FROM postfix_virtual
	WHERE local_part = 'postmaster' AND domain = 'ok.test'),
	(SELECT count(*) FROM postfix_access WHERE local_part = 'postmaster'))$$,
    'alice@example.org 0');
SELECT pg_temp.is('role addresses: an alias from before the name was reserved does not '
    'take them', NULL,
    $$ALTER TABLE aliases DISABLE TRIGGER aliases_reserved_local_part;$$
    || pg_temp.alias('ok.test', 'abuse', $$ARRAY['x@example.org']$$),
    $$SELECT string_agg(recipient, ',') FROM postfix_virtual
	WHERE local_part = 'abuse' AND domain = 'ok.test'$$,
    'alice@example.org');
SELECT pg_temp.is('role addresses: an alias a site admin assigned takes them', NULL,
    'WITH a AS (' || pg_temp.alias('ok.test', 'postmaster', $$ARRAY['desk@owner.example']$$,
	', reserved_assigned', ', true') || ' RETURNING id) '
    'INSERT INTO recipient_confirmations (alias_id, address, how, confirmed_at) '
    'SELECT id, ''desk@owner.example'', ''link'', now() FROM a',
    $$SELECT string_agg(recipient, ',') FROM postfix_virtual
	WHERE local_part = 'postmaster' AND domain = 'ok.test'$$,
    'desk@owner.example');
SELECT pg_temp.is('role addresses: while its recipient has not agreed, they go to '
    'the admins', NULL,
    pg_temp.alias('ok.test', 'postmaster', $$ARRAY['desk@owner.example']$$,
	', reserved_assigned', ', true'),
    $$SELECT string_agg(recipient, ',') FROM postfix_virtual
	WHERE local_part = 'postmaster' AND domain = 'ok.test'$$,
    'alice@example.org');
SELECT pg_temp.is('no role address for an unrouted domain', 'membermail_postfix', NULL,
    $$SELECT count(*)::text FROM postfix_virtual WHERE domain <> 'ok.test'
      AND domain <> 'empty.test'$$, '0');
SELECT pg_temp.is('a verified domain in its grace period is still routed', NULL,
    $$UPDATE domains SET txt_grace_until = now() + interval '1 hour',
	txt_last_attempt_at = now(), txt_last_attempt_result = 'missing'
    WHERE name = 'ok.test'$$,
    $$SELECT concat_ws(' ', (SELECT count(*) FROM postfix_domains WHERE domain = 'ok.test'),
	(SELECT count(*) FROM postfix_virtual WHERE domain = 'ok.test'))$$, '1 8');
SELECT pg_temp.is('after its grace period nothing of it is routed', NULL,
    $$UPDATE domains SET txt_grace_until = now() - interval '1 second' WHERE name = 'ok.test'$$,
    $$SELECT concat_ws(' ', (SELECT count(*) FROM postfix_domains WHERE domain = 'ok.test'),
	(SELECT count(*) FROM postfix_virtual WHERE domain = 'ok.test'),
	(SELECT count(*) FROM postfix_access WHERE domain = 'ok.test'),
	(SELECT count(*) FROM postfix_mailboxes WHERE domain = 'ok.test'))$$, '0 0 0 0');
SELECT pg_temp.rejects('a grace period only for a verified domain', 'membermail_app',
    $$UPDATE domains SET txt_grace_until = now() WHERE name = 'wrong.test'$$,
    '23514', 'domains_txt_grace_check');
SELECT pg_temp.accepts('nxdomain is a definitive outcome', 'membermail_app',
    $$UPDATE domains SET txt_status = 'nxdomain', txt_last_attempt_at = now(),
	txt_last_attempt_result = 'nxdomain', txt_last_attempt_detail = 'NXDOMAIN'
    WHERE name = 'wrong.test'$$);
SELECT pg_temp.rejects('an attempt detail needs an attempt', 'membermail_app',
    $$UPDATE domains SET txt_last_attempt_detail = 'x' WHERE name = 'unverified.test'$$,
    '23514', 'domains_txt_last_attempt_detail_check');
SELECT pg_temp.rejects('an attempt detail is one line', 'membermail_app',
    $$UPDATE domains SET txt_last_attempt_at = now(), txt_last_attempt_result =
	'temporary-failure', txt_last_attempt_detail = E'a\nb' WHERE name = 'ok.test'$$,
    '23514', 'domains_txt_last_attempt_detail_check');
SELECT pg_temp.rejects('a role recipient is a valid address', 'membermail_app',
    $$UPDATE domains SET role_recipient = 'a@b, c@d' WHERE name = 'ok.test'$$,
    '23514', 'domains_role_recipient_check');

--------------------------------------------------------------------------
-- Reserved local parts: built in, and each domain's own
--------------------------------------------------------------------------

SELECT pg_temp.is('built-in reserved names, in any case', 'membermail_app', NULL,
    $$SELECT string_agg(l || '=' || mm_local_part_reserved(d.id, l), ' ' ORDER BY lower(l))
    FROM domains d, unnest(ARRAY['PostMaster', 'hostmaster', 'abuse', 'admin',
	'administrator', 'webmaster', 'security', 'root', 'noreply', 'mailer-daemon',
	'alice']) AS l WHERE d.name = 'ok.test'$$,
    'abuse=true admin=true administrator=true alice=false hostmaster=true '
    'mailer-daemon=true noreply=true PostMaster=true root=true security=true '
    'webmaster=true');
SELECT pg_temp.is('a domain reserves a name of its own, for itself only', 'membermail_app',
    $$INSERT INTO domain_reserved_local_parts (domain_id, local_part)
	SELECT id, 'board' FROM domains WHERE name = 'ok.test'$$,
    $$SELECT string_agg(d.name || '=' || mm_local_part_reserved(d.id, 'Board'), ' '
	ORDER BY d.name) FROM domains d WHERE d.name IN ('ok.test', 'off.test')$$,
    'off.test=false ok.test=true');
SELECT pg_temp.is('the view lists both kinds per domain', 'membermail_app',
    $$INSERT INTO domain_reserved_local_parts (domain_id, local_part)
	SELECT id, 'board' FROM domains WHERE name = 'ok.test'$$,
    $$SELECT string_agg(local_part || ':' || builtin, ' ' ORDER BY local_part)
    FROM all_reserved_local_parts r JOIN domains d ON d.id = r.domain_id
    WHERE d.name = 'ok.test' AND local_part IN ('board', 'postmaster')$$,
    'board:false postmaster:true');
SELECT pg_temp.rejects(format('a domain''s reserved name is a local part (%s)', v), NULL,
    format($$INSERT INTO domain_reserved_local_parts (domain_id, local_part)
	SELECT id, %L FROM domains WHERE name = 'ok.test'$$, v),
    '23514', 'domain_reserved_local_parts_local_part_check')
  FROM unnest(ARRAY['Board', '', 'a b', '.x', 'x@y']) AS v;
SELECT pg_temp.rejects('the app cannot change the built-in list', 'membermail_app',
    $$DELETE FROM reserved_local_parts WHERE local_part = 'postmaster'$$, '42501');
SELECT pg_temp.rejects('no enabled alias with a reserved local part', 'membermail_app',
    pg_temp.alias('ok.test', 'hostmaster', $$'{x@example.org}'$$),
    '23514', 'aliases_reserved_local_part');
SELECT pg_temp.accepts('... unless a site admin assigned it', 'membermail_app',
    pg_temp.alias('ok.test', 'hostmaster', $$'{x@example.org}'$$,
	', reserved_assigned', ', true'));
SELECT pg_temp.accepts('a reserved alias may exist disabled', 'membermail_app',
    pg_temp.alias('ok.test', 'abuse', $$'{x@example.org}'$$,
	', enabled, disabled_reason', $$, false, 'by-admin'$$));
SELECT pg_temp.rejects('... but is not enabled without an assignment', 'membermail_app',
    pg_temp.alias('ok.test', 'abuse', $$'{x@example.org}'$$,
	', enabled, disabled_reason', $$, false, 'by-admin'$$) || $$;
    UPDATE aliases SET enabled = true, disabled_reason = NULL WHERE local_part = 'abuse'$$,
    '23514', 'aliases_reserved_local_part');
SELECT pg_temp.rejects('a name reserved for the domain', 'membermail_app',
    $$INSERT INTO domain_reserved_local_parts (domain_id, local_part)
	SELECT id, 'board' FROM domains WHERE name = 'ok.test';$$
    || pg_temp.alias('ok.test', 'board', $$'{x@example.org}'$$),
    '23514', 'aliases_reserved_local_part');
SELECT pg_temp.accepts('an alias that existed before its name was reserved keeps working',
    'membermail_app',
    pg_temp.alias('ok.test', 'board', $$'{x@example.org}'$$) || $$;
    INSERT INTO domain_reserved_local_parts (domain_id, local_part)
	SELECT id, 'board' FROM domains WHERE name = 'ok.test';
    UPDATE aliases SET description = 'still here' WHERE local_part = 'board'$$);
SELECT pg_temp.is('a domain''s reserved names go with it', NULL,
    $$INSERT INTO domain_reserved_local_parts (domain_id, local_part)
	SELECT id, 'board' FROM domains WHERE name = 'empty.test';
    DELETE FROM domains WHERE name = 'empty.test'$$,
    $$SELECT count(*)::text FROM domain_reserved_local_parts$$, '0');

--------------------------------------------------------------------------
-- The validators are inlined
--------------------------------------------------------------------------

-- The lines of EXPLAIN (VERBOSE) of q.
CREATE FUNCTION pg_temp.plan(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	l	text;
	r	text := '';
BEGIN
	FOR l IN EXECUTE 'EXPLAIN (VERBOSE, COSTS OFF) ' || q LOOP
		r := r || l || E'\n';
	END LOOP;
	RETURN r;
END
$$;

SELECT pg_temp.is('no function with an SQL-standard body has a SET clause', NULL, NULL,
    $$SELECT coalesce(string_agg(p.proname, ',' ORDER BY p.proname), '')
	FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
	WHERE n.nspname = current_schema() AND p.prosqlbody IS NOT NULL
	  AND p.proconfig IS NOT NULL$$, '');
SELECT pg_temp.is('mm_valid_local_part is inlined where it is called', NULL, NULL,
    $$SELECT (pg_temp.plan('SELECT mm_valid_local_part(local_part) FROM aliases')
	~ 'mm_valid_local_part')::text$$, 'false');
SELECT pg_temp.is('mm_is_line is inlined where it is called', NULL, NULL,
    $$SELECT (pg_temp.plan('SELECT mm_is_line(description, 150) FROM aliases')
	~ 'mm_is_line')::text$$, 'false');

--------------------------------------------------------------------------
-- Report
--------------------------------------------------------------------------

\o
SELECT CASE WHEN ok THEN 'ok' ELSE 'not ok' END || ' - ' || name
       || CASE WHEN ok THEN '' ELSE ' # ' || coalesce(detail, '') END
  FROM results ORDER BY n;
SELECT format('%s passed, %s failed', count(*) FILTER (WHERE ok),
    count(*) FILTER (WHERE NOT ok))
  FROM results;

DO $$
DECLARE
	failed integer;
BEGIN
	SELECT count(*) INTO failed FROM results WHERE NOT ok;
	IF failed > 0 THEN
		RAISE EXCEPTION '% constraint case(s) failed', failed;
	END IF;
END
$$;

ROLLBACK;
