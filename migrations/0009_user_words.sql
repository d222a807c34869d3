-- 0009_user_words.sql - the rest of what GET /my reads about a user, kept
-- on the user's row as users.teams is (0006), so the page's statement is
-- three index look-ups (session, user, the user's aliases) and nothing
-- else: a look-up of domain_members and error_reports per view was a
-- third of its cost.
--
-- users.words: space-separated words, in byte order:
--   d<domain id>                    the user administers the domain;
--   e<domain id>:<code>@<expiry>    an error report about the user there,
--                                   counting while <expiry> (Unix seconds,
--                                   rounded down) is after now.
-- Triggers keep it true for every writer: domain_members rows with the
-- admin role (inserted, changed or deleted, cascades included), and every
-- change of error_reports (reports change when made, renewed after their
-- expiry, forgotten or purged).  A TRUNCATE of either table recomputes
-- every user that had words.

ALTER TABLE users ADD COLUMN words text NOT NULL DEFAULT '';

CREATE FUNCTION mm_user_words(uid bigint) RETURNS text
LANGUAGE sql STABLE SET search_path FROM CURRENT AS $$
	SELECT coalesce(string_agg(w, ' ' ORDER BY w COLLATE "C"), '') FROM (
	    SELECT 'd' || m.domain_id FROM domain_members m
	    WHERE m.user_id = uid AND m.role = 'admin'
	    UNION ALL
	    SELECT 'e' || er.domain_id || ':' || er.error_code || '@' ||
	        floor(extract(epoch FROM er.expires_at))::bigint
	    FROM error_reports er WHERE er.user_id = uid) x(w)
$$;

CREATE FUNCTION mm_set_user_words(uid bigint) RETURNS void
LANGUAGE sql SET search_path FROM CURRENT AS $$
	UPDATE users SET words = mm_user_words(uid)
	WHERE id = uid AND words IS DISTINCT FROM mm_user_words(uid)
$$;

-- A row of domain_members or error_reports changed: its user's words (the
-- old row's and the new row's user, when a row moved).
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
	UPDATE users SET words = mm_user_words(id) WHERE words <> '';
	RETURN NULL;
END
$$;

UPDATE users u SET words = mm_user_words(u.id)
WHERE u.id IN (SELECT user_id FROM domain_members WHERE role = 'admin'
               UNION SELECT user_id FROM error_reports);

-- Plain members come and go by the thousand in a sync: only the admin
-- role changes words.
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
-- call these.
REVOKE ALL ON FUNCTION mm_user_words(bigint), mm_set_user_words(bigint),
    mm_user_words_row(), mm_user_words_truncated() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mm_user_words(bigint), mm_set_user_words(bigint)
    TO membermail_app;
