-- 0007_reserved_names_and_bans.sql - local parts nobody is handed by
-- accident, and bans that end access instead of hiding it.
--
-- Reserved local parts.  The addresses a certificate authority mails to
-- prove control of a domain (CA/Browser Forum baseline requirements
-- 3.2.2.4.4), the role names of RFC 2142 and the system's own names are
-- never created by provisioning nor by a domain admin: whoever held
-- postmaster@ could get a certificate for the domain.  Only a site admin
-- hands one out, by an explicit action that sets aliases.reserved_assigned
-- (audited by the application).  The built-in names are a table changed
-- only by migrations; site admins add names per domain.  One definition
-- of "reserved": mm_local_part_reserved() (the application's check and
-- the aliases trigger below), and all_reserved_local_parts for views that
-- join (Postfix's).  Local parts are stored lower-case, so the check is a
-- plain comparison of lower(local_part).
--
-- The trigger refuses an enabled, unassigned alias whose local part is
-- reserved when it is created or enabled; an alias that existed before its
-- name became reserved keeps working until it is disabled.
--
-- Bans: the application now deletes a banned user's sessions and revokes
-- their API tokens in the ban's transaction.  Users banned before this
-- migration lose theirs here, so that unbanning them later brings nothing
-- back either; the revocations are audited like the application's.

CREATE TABLE reserved_local_parts (
	local_part	text PRIMARY KEY,
	why		text NOT NULL,
	CONSTRAINT reserved_local_parts_local_part_check
	    CHECK (mm_valid_local_part(local_part)),
	CONSTRAINT reserved_local_parts_why_check CHECK (mm_is_line(why, 200))
);

INSERT INTO reserved_local_parts (local_part, why) VALUES
	('admin', 'CA/Browser Forum domain validation'),
	('administrator', 'CA/Browser Forum domain validation'),
	('hostmaster', 'CA/Browser Forum domain validation; RFC 2142'),
	('postmaster', 'CA/Browser Forum domain validation; RFC 5321'),
	('webmaster', 'CA/Browser Forum domain validation; RFC 2142'),
	('ssladmin', 'formerly used by certificate authorities'),
	('ssladministrator', 'formerly used by certificate authorities'),
	('sslwebmaster', 'formerly used by certificate authorities'),
	('abuse', 'RFC 2142'),
	('security', 'RFC 2142'),
	('noc', 'RFC 2142'),
	('info', 'RFC 2142'),
	('marketing', 'RFC 2142'),
	('sales', 'RFC 2142'),
	('support', 'RFC 2142'),
	('usenet', 'RFC 2142'),
	('news', 'RFC 2142'),
	('www', 'RFC 2142'),
	('uucp', 'RFC 2142'),
	('ftp', 'RFC 2142'),
	('root', 'the system''s administrator'),
	('mailer-daemon', 'bounces'),
	('noreply', 'automatic senders'),
	('no-reply', 'automatic senders');

CREATE TABLE domain_reserved_local_parts (
	domain_id	bigint NOT NULL REFERENCES domains ON DELETE CASCADE,
	local_part	text NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (domain_id, local_part),
	CONSTRAINT domain_reserved_local_parts_local_part_check
	    CHECK (mm_valid_local_part(local_part))
);

CREATE FUNCTION mm_local_part_reserved(domain_id bigint, local_part text)
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE SET search_path FROM CURRENT AS $$
	SELECT EXISTS (SELECT 1 FROM reserved_local_parts r
	    WHERE r.local_part = lower(mm_local_part_reserved.local_part))
	    OR EXISTS (SELECT 1 FROM domain_reserved_local_parts d
	    WHERE d.domain_id = mm_local_part_reserved.domain_id
	      AND d.local_part = lower(mm_local_part_reserved.local_part))
$$;

-- Every domain's reserved names: the built-in ones and its own.
CREATE VIEW all_reserved_local_parts AS
	SELECT d.id AS domain_id, r.local_part, true AS builtin
	FROM domains d CROSS JOIN reserved_local_parts r
	UNION ALL
	SELECT x.domain_id, x.local_part, false
	FROM domain_reserved_local_parts x
	WHERE NOT EXISTS (SELECT 1 FROM reserved_local_parts r
	    WHERE r.local_part = x.local_part);

ALTER TABLE aliases ADD COLUMN reserved_assigned boolean NOT NULL DEFAULT false;

CREATE FUNCTION mm_aliases_reserved_check() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
	IF NEW.enabled AND NOT NEW.reserved_assigned
	   AND (TG_OP = 'INSERT' OR NOT OLD.enabled
		OR OLD.local_part <> NEW.local_part
		OR OLD.domain_id <> NEW.domain_id)
	   AND mm_local_part_reserved(NEW.domain_id, NEW.local_part) THEN
		RAISE EXCEPTION '%: a reserved local part, assigned by a site admin only',
		    NEW.local_part
		    USING ERRCODE = 'check_violation',
			CONSTRAINT = 'aliases_reserved_local_part',
			TABLE = 'aliases';
	END IF;
	RETURN NEW;
END
$$;

CREATE TRIGGER aliases_reserved_local_part
    BEFORE INSERT OR UPDATE OF enabled, local_part, domain_id, reserved_assigned
    ON aliases FOR EACH ROW EXECUTE FUNCTION mm_aliases_reserved_check();

-- Bans that happened before: what a ban ends now.
DELETE FROM sessions s USING users u WHERE u.id = s.user_id AND u.is_banned;
WITH revoked AS (
	UPDATE api_tokens t SET revoked_at = now()
	FROM users u
	WHERE u.id = t.user_id AND u.is_banned AND t.revoked_at IS NULL
	RETURNING t.id, t.name, t.revoked_at
)
INSERT INTO audit_log (actor_kind, actor_name, action, target_type, target_id,
    target_label, after)
SELECT 'system', 'migration 0007', 'api_token.revoke', 'api_token', id, name,
    jsonb_build_object('revoked_at', revoked_at, 'why', 'the user is banned')
FROM revoked;

-- Not for PUBLIC (0002's rule).  The built-in list is the migrations'.
REVOKE ALL ON FUNCTION mm_local_part_reserved(bigint, text),
    mm_aliases_reserved_check() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mm_local_part_reserved(bigint, text) TO membermail_app;
GRANT SELECT ON reserved_local_parts, all_reserved_local_parts TO membermail_app;
GRANT SELECT, INSERT, DELETE ON domain_reserved_local_parts TO membermail_app;
