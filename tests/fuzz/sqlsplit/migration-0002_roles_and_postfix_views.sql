-- 0002_roles_and_postfix_views.sql - database roles, grants, Postfix views.
--
-- Run by `membermail migrate` in one transaction (no BEGIN/COMMIT here).
--
-- Roles.  Two NOLOGIN group roles; operators create LOGIN users that are
-- members of them, e.g.
--     CREATE ROLE membermail_web LOGIN PASSWORD '...' IN ROLE membermail_app;
--     CREATE ROLE postfix_lookup LOGIN PASSWORD '...' IN ROLE membermail_postfix;
--   membermail_app      DML on the application's tables, USAGE on their
--                       sequences, EXECUTE on the mm_* validation functions
--                       (a CHECK's functions run with the writer's
--                       privileges; trigger functions need no grant);
--                       only SELECT and INSERT on the audit log (append-
--                       only); SELECT on schema_migrations (/readyz).
--                       No DDL, no TRUNCATE, no TEMP.
--   membermail_postfix  SELECT on the postfix_* views, nothing else.
-- PUBLIC loses CONNECT and TEMP on this database and USAGE on schema
-- public: any other role (monitoring, a read-only DBA) is granted
-- explicitly.
-- Roles are cluster-wide: they are created only when absent, so every
-- database of a cluster can run this file.  Creating them needs CREATEROLE
-- (or a DBA creates them beforehand); the grants need ownership of the
-- objects, i.e. the role that ran 0001.  Tables added by later migrations
-- are not granted implicitly (no ALTER DEFAULT PRIVILEGES): each migration
-- grants what it adds, so nothing is exposed by accident.
--
-- Postfix views.  Stable names and columns: they are the interface of
-- deploy/postfix/ and must not change meaning across migrations (extend
-- them only by adding columns at the end).  Only enabled domains whose TXT
-- verification succeeded take part.  Every view carries the address whole
-- and split: look up by `local_part = '%u' AND domain = '%d'`, which uses
-- the unique indexes (a lookup by the concatenated `address` cannot).

--------------------------------------------------------------------------
-- Roles
--------------------------------------------------------------------------

DO $$
DECLARE
	rn	text;
	r	pg_roles%ROWTYPE;
BEGIN
	FOREACH rn IN ARRAY ARRAY['membermail_app', 'membermail_postfix'] LOOP
		SELECT * INTO r FROM pg_roles WHERE rolname = rn;
		IF NOT FOUND THEN
			BEGIN
				EXECUTE format('CREATE ROLE %I NOLOGIN', rn);
			EXCEPTION WHEN duplicate_object OR unique_violation THEN
				-- Another database of this cluster created it
				-- concurrently: fine, it is the same role.
				NULL;
			END;
		ELSIF r.rolsuper OR r.rolcreaterole OR r.rolcreatedb
		    OR r.rolreplication OR r.rolbypassrls THEN
			RAISE EXCEPTION 'role % exists with elevated attributes', rn
			    USING HINT = 'It must be a plain NOLOGIN group role: '
				'ALTER ROLE ' || rn || ' NOSUPERUSER NOCREATEROLE '
				'NOCREATEDB NOREPLICATION NOBYPASSRLS NOLOGIN.';
		ELSE
			IF r.rolcanlogin THEN
				RAISE WARNING 'role % can log in; it is meant as a '
				    'NOLOGIN group role whose members log in', rn;
			END IF;
			IF EXISTS (SELECT 1 FROM pg_auth_members m
			    WHERE m.member = r.oid) THEN
				RAISE WARNING 'role % is a member of other roles and '
				    'has their privileges too', rn;
			END IF;
		END IF;
	END LOOP;
END
$$;

--------------------------------------------------------------------------
-- Nothing for PUBLIC
--------------------------------------------------------------------------

-- Only the two roles (and the owner) may connect; nobody else gets TEMP.
DO $$
BEGIN
	EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database());
	EXECUTE format('GRANT CONNECT ON DATABASE %I TO membermail_app, membermail_postfix',
	    current_database());
END
$$;

-- PostgreSQL 15 no longer grants CREATE on public; say so for clusters
-- upgraded from older versions, and take USAGE away as well.
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO membermail_app, membermail_postfix;

-- Tables are not granted to PUBLIC by default; make it explicit.
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM PUBLIC;

-- Functions are EXECUTE-able by PUBLIC by default: not ours.  The app
-- needs the validation functions, because CHECK constraints call them with
-- the privileges of whoever writes the row.
DO $$
DECLARE
	f	regprocedure;
	trig	boolean;
BEGIN
	FOR f, trig IN SELECT p.oid::regprocedure, p.prorettype = 'trigger'::regtype
	    FROM pg_proc p
	    WHERE p.pronamespace = 'public'::regnamespace
	      AND p.proname LIKE 'mm\_%' LOOP
		EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
		IF NOT trig THEN
			EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO membermail_app', f);
		END IF;
	END LOOP;
END
$$;

--------------------------------------------------------------------------
-- membermail_app
--------------------------------------------------------------------------

GRANT SELECT, INSERT, UPDATE, DELETE ON
	users, domains, domain_members, aliases,
	team_snapshots, team_snapshot_members,
	sessions, login_states, openid_nonces, openid_associations, rate_limits,
	outbox, error_reports, error_log,
	mailboxes, messages, mailbox_unlocks,
	api_tokens
    TO membermail_app;

-- The audit trail is append-only for the application.  (users ON DELETE
-- SET NULL still works: referential actions run as the table owner.)
GRANT SELECT, INSERT ON audit_log TO membermail_app;

-- Identity sequences (nextval for messages.id; harmless elsewhere).
DO $$
DECLARE
	t	text;
	s	text;
BEGIN
	FOREACH t IN ARRAY ARRAY['users', 'domains', 'aliases', 'team_snapshots',
	    'outbox', 'error_log', 'audit_log', 'mailboxes', 'messages',
	    'api_tokens'] LOOP
		s := pg_get_serial_sequence(t, 'id');
		EXECUTE format('GRANT USAGE ON SEQUENCE %s TO membermail_app', s);
	END LOOP;
	-- The migration tool's own table, when it exists: /readyz compares
	-- the applied version with the one the binary needs.  Read-only.
	IF to_regclass('schema_migrations') IS NOT NULL THEN
		GRANT SELECT ON schema_migrations TO membermail_app;
	END IF;
END
$$;

--------------------------------------------------------------------------
-- Postfix views (interface: keep names, columns and meaning stable)
--------------------------------------------------------------------------
-- security_barrier: the views' own conditions are applied before any
-- condition of the caller's query, so a crafted query (a failing cast in
-- the WHERE clause, say) cannot leak rows the view filters out.  Equality
-- on text is leakproof, so index lookups still work through them.

CREATE VIEW postfix_domains WITH (security_barrier) AS
SELECT d.name AS domain
  FROM domains d
 WHERE d.enabled AND d.txt_status = 'verified';
COMMENT ON VIEW postfix_domains IS
    'Postfix virtual_alias_domains: one row per enabled, verified domain. '
    'query = SELECT domain FROM postfix_domains WHERE domain = ''%s''';

CREATE VIEW postfix_aliases WITH (security_barrier) AS
SELECT a.local_part || '@' || d.name AS address,
       r.recipient,
       a.local_part,
       d.name AS domain
  FROM aliases a
  JOIN domains d ON d.id = a.domain_id
 CROSS JOIN LATERAL unnest(a.recipients) AS r(recipient)
 WHERE a.enabled AND d.enabled AND d.txt_status = 'verified';
COMMENT ON VIEW postfix_aliases IS
    'Postfix virtual_alias_maps: one row per recipient of each enabled alias '
    'of an enabled, verified domain (Postfix joins the rows with commas). '
    'query = SELECT recipient FROM postfix_aliases '
    'WHERE local_part = ''%u'' AND domain = ''%d''';

-- Disabled aliases that answer with an error, as check_recipient_access
-- actions.  Postfix prefixes the text with "<address>: Recipient address
-- rejected: ".
--   550 -> "550 5.2.1 Mailbox disabled"  (RFC 3463 X.2.1: mailbox
--          disabled, not accepting messages)
--   421 -> "450 4.2.1 Mailbox temporarily disabled, try again later".
--          Not 421: Postfix's smtpd hangs up after any 421 reply, which
--          would also defer every other recipient of the transaction;
--          450 is the per-recipient "try again later".
-- 250 (accept and drop) is not an access action: DISCARD would drop the
-- whole message for all its recipients.  Those aliases are listed in
-- postfix_discard instead.
CREATE VIEW postfix_access WITH (security_barrier) AS
SELECT a.local_part || '@' || d.name AS address,
       CASE a.reply_code
	   WHEN 550 THEN '550 5.2.1 Mailbox disabled'
	   WHEN 421 THEN '450 4.2.1 Mailbox temporarily disabled, try again later'
       END AS action,
       a.local_part,
       d.name AS domain
  FROM aliases a
  JOIN domains d ON d.id = a.domain_id
 WHERE NOT a.enabled AND a.reply_code IN (550, 421)
   AND d.enabled AND d.txt_status = 'verified';
COMMENT ON VIEW postfix_access IS
    'Postfix check_recipient_access: disabled aliases answering 550 (reject, '
    '"550 5.2.1") or 421 (try later, sent as "450 4.2.1" because a 421 reply '
    'makes smtpd disconnect). 250 aliases are in postfix_discard. '
    'query = SELECT action FROM postfix_access '
    'WHERE local_part = ''%u'' AND domain = ''%d''';

-- Disabled aliases that accept and drop mail (reply code 250).  deploy/
-- maps them, per recipient, to an address of a pseudo-domain whose
-- transport is discard: (e.g. in the virtual_alias_maps query, UNION ALL
-- 'drop@discard.invalid' for these rows), so other recipients of the same
-- message are unaffected.
CREATE VIEW postfix_discard WITH (security_barrier) AS
SELECT a.local_part || '@' || d.name AS address,
       a.local_part,
       d.name AS domain
  FROM aliases a
  JOIN domains d ON d.id = a.domain_id
 WHERE NOT a.enabled AND a.reply_code = 250
   AND d.enabled AND d.txt_status = 'verified';
COMMENT ON VIEW postfix_discard IS
    'Disabled aliases that accept mail and drop it (reply code 250), one row '
    'each; routed per recipient to a discard: transport by deploy/postfix.';

-- Enabled aliases with a mailbox (the flag set and the keys created):
-- their mail is also handed to `membermail deliver`.
CREATE VIEW postfix_mailboxes WITH (security_barrier) AS
SELECT a.local_part || '@' || d.name AS address,
       a.local_part,
       d.name AS domain
  FROM aliases a
  JOIN domains d ON d.id = a.domain_id
 WHERE a.enabled AND a.has_mailbox
   AND d.enabled AND d.txt_status = 'verified'
   AND EXISTS (SELECT 1 FROM mailboxes m WHERE m.alias_id = a.id);
COMMENT ON VIEW postfix_mailboxes IS
    'Enabled aliases of enabled, verified domains that have a mailbox: '
    'delivered to the membermail pipe(8) transport as well.';

GRANT SELECT ON postfix_domains, postfix_aliases, postfix_access,
    postfix_discard, postfix_mailboxes TO membermail_postfix;
