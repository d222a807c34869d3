-- 0010_user_words.sql - the rest of what GET /my reads about a user, kept
-- on the user's row as users.teams is (0006), so the page's statement is
-- three index look-ups (session, user, the user's aliases) and nothing
-- else: looking up domain_members and error_reports per view was a third
-- of its cost.
--
--   users.admin_of       the domains the user administers (ids, ascending);
--   users.error_domains, users.error_codes, users.error_until
--                        the user's error reports, in step, by domain and
--                        code: a report counts while its expiry (Unix
--                        seconds, rounded down) is after now, which the
--                        page weighs against the statement's now().
-- Triggers keep them true for every writer: domain_members rows with the
-- admin role (inserted, changed or deleted, cascades included), and every
-- change of error_reports (reports change when made, renewed after their
-- expiry, forgotten or purged).  A TRUNCATE of either table recomputes
-- every user who had any.

ALTER TABLE users ADD COLUMN admin_of bigint[] NOT NULL DEFAULT '{}',
    ADD COLUMN error_domains bigint[] NOT NULL DEFAULT '{}',
    ADD COLUMN error_codes text[] NOT NULL DEFAULT '{}',
    ADD COLUMN error_until bigint[] NOT NULL DEFAULT '{}';

-- Sets the four columns of user uid from the tables, if they changed.
CREATE FUNCTION mm_set_user_words(uid bigint) RETURNS void
LANGUAGE sql SET search_path FROM CURRENT AS $$
	UPDATE users u SET admin_of = n.admin_of,
	    error_domains = n.error_domains, error_codes = n.error_codes,
	    error_until = n.error_until
	FROM (SELECT
	    ARRAY(SELECT m.domain_id FROM domain_members m
	          WHERE m.user_id = uid AND m.role = 'admin'
	          ORDER BY m.domain_id) AS admin_of,
	    ARRAY(SELECT er.domain_id FROM error_reports er
	          WHERE er.user_id = uid
	          ORDER BY er.domain_id, er.error_code) AS error_domains,
	    ARRAY(SELECT er.error_code FROM error_reports er
	          WHERE er.user_id = uid
	          ORDER BY er.domain_id, er.error_code) AS error_codes,
	    ARRAY(SELECT floor(extract(epoch FROM er.expires_at))::bigint
	          FROM error_reports er WHERE er.user_id = uid
	          ORDER BY er.domain_id, er.error_code) AS error_until) n
	WHERE u.id = uid AND (u.admin_of, u.error_domains, u.error_codes,
	    u.error_until) IS DISTINCT FROM (n.admin_of, n.error_domains,
	    n.error_codes, n.error_until)
$$;

-- A row of domain_members or error_reports changed: its user's columns
-- (the old row's and the new row's user, when a row moved).
CREATE FUNCTION mm_user_words_row() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
	IF TG_OP IN ('UPDATE', 'DELETE') THEN
		PERFORM mm_set_user_words(OLD.user_id);
	END IF;
	IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND
	    NEW.user_id IS DISTINCT FROM OLD.user_id) THEN
		PERFORM mm_set_user_words(NEW.user_id);
	END IF;
	RETURN NULL;
END
$$;

CREATE FUNCTION mm_user_words_truncated() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
	PERFORM mm_set_user_words(u.id) FROM users u
	    WHERE u.admin_of <> '{}' OR u.error_domains <> '{}';
	RETURN NULL;
END
$$;

SELECT mm_set_user_words(x.user_id)
FROM (SELECT user_id FROM domain_members WHERE role = 'admin'
      UNION SELECT user_id FROM error_reports) x;

-- Plain members come and go by the thousand in a sync: only the admin
-- role changes admin_of.
CREATE TRIGGER domain_members_words_insert
    AFTER INSERT ON domain_members
    FOR EACH ROW WHEN (NEW.role = 'admin')
    EXECUTE FUNCTION mm_user_words_row();
CREATE TRIGGER domain_members_words_update
    AFTER UPDATE ON domain_members
    FOR EACH ROW WHEN (OLD.role = 'admin' OR NEW.role = 'admin')
    EXECUTE FUNCTION mm_user_words_row();
CREATE TRIGGER domain_members_words_delete
    AFTER DELETE ON domain_members
    FOR EACH ROW WHEN (OLD.role = 'admin')
    EXECUTE FUNCTION mm_user_words_row();
CREATE TRIGGER domain_members_words_truncate
    AFTER TRUNCATE ON domain_members
    FOR EACH STATEMENT EXECUTE FUNCTION mm_user_words_truncated();
CREATE TRIGGER error_reports_words
    AFTER INSERT OR UPDATE OR DELETE ON error_reports
    FOR EACH ROW EXECUTE FUNCTION mm_user_words_row();
CREATE TRIGGER error_reports_words_truncate
    AFTER TRUNCATE ON error_reports
    FOR EACH STATEMENT EXECUTE FUNCTION mm_user_words_truncated();

-- Not for PUBLIC (0002's rule); the triggers run as whoever writes, and
-- call mm_set_user_words.
REVOKE ALL ON FUNCTION mm_set_user_words(bigint), mm_user_words_row(),
    mm_user_words_truncated() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mm_set_user_words(bigint) TO membermail_app;
