-- 0006_user_teams.sql - what GET /my needs, kept where it is cheap to read.
--
-- users.teams: the teams whose latest trusted snapshot lists the user (by
-- lower(name)).  /my says "not a member of ~team" from it instead of
-- probing team_snapshot_members on every view (that probe was a third of
-- the page's query).  Triggers keep it true for every writer:
--   * a snapshot that is, at commit, its team's latest trusted one sets
--     the team on its members and takes it off everyone else (a deferred
--     trigger: the members are inserted after the snapshot's row);
--   * members inserted later, in another transaction, do the same;
--   * accepting a held snapshot (an UPDATE), or deleting snapshots, makes
--     the team follow whichever snapshot is now its trusted one, if any;
--   * a new user, or a renamed one, reads the current snapshots.
-- A held, incomplete or older snapshot changes nothing.  (A sign-up
-- committing while a snapshot commits may miss it; the next sync's
-- snapshot, minutes later, sets it right.)
--
-- Workers also cache whether each listed domain's team has a trusted
-- snapshot yet ("membership not checked yet" otherwise), so snapshot
-- changes notify membermail_domains as domain changes do (0003).

CREATE FUNCTION mm_trusted_snapshot(team text) RETURNS bigint
LANGUAGE sql STABLE SET search_path FROM CURRENT AS $$
	SELECT ts.id FROM team_snapshots ts
	WHERE ts.team = mm_trusted_snapshot.team AND ts.complete
	  AND (NOT ts.shrink_held OR ts.accepted_at IS NOT NULL)
	ORDER BY ts.fetched_at DESC, ts.id DESC LIMIT 1
$$;

CREATE FUNCTION mm_user_teams(name text) RETURNS text[]
LANGUAGE sql STABLE SET search_path FROM CURRENT AS $$
	SELECT coalesce(array_agg(ts.team ORDER BY ts.team), '{}')
	FROM team_snapshots ts JOIN team_snapshot_members sm
	    ON sm.snapshot_id = ts.id AND sm.name = lower(mm_user_teams.name)
	WHERE ts.id = mm_trusted_snapshot(ts.team)
$$;

-- Makes users.teams follow team's latest trusted snapshot (or its lack).
CREATE FUNCTION mm_team_sets_teams(t text) RETURNS void
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
	s	bigint := mm_trusted_snapshot(t);
BEGIN
	UPDATE users u SET teams = array_append(u.teams, t)
	    FROM team_snapshot_members sm
	    WHERE sm.snapshot_id = s AND lower(u.name) = sm.name
	      AND NOT t = ANY (u.teams);
	UPDATE users u SET teams = array_remove(u.teams, t)
	    WHERE t = ANY (u.teams) AND NOT EXISTS (SELECT 1
	        FROM team_snapshot_members sm
	        WHERE sm.snapshot_id = s AND sm.name = lower(u.name));
END
$$;

-- A snapshot stored (at commit) or accepted: if it is now its team's
-- trusted one.  Any other update may have changed which one is.
CREATE FUNCTION mm_snapshot_row_teams() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
	IF TG_OP = 'UPDATE' OR NEW.id = mm_trusted_snapshot(NEW.team) THEN
		PERFORM mm_team_sets_teams(NEW.team);
	END IF;
	RETURN NULL;
END
$$;

-- Members inserted into a trusted snapshot after its transaction.  (One
-- this transaction stored is left to its deferred trigger, at commit: the
-- sync inserts a snapshot and its members together, and once is enough.)
CREATE FUNCTION mm_snapshot_members_teams() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
	PERFORM mm_team_sets_teams(ts.team) FROM team_snapshots ts
	    WHERE ts.id IN (SELECT snapshot_id FROM added)
	      AND ts.xmin <> pg_current_xact_id()::xid
	      AND ts.id = mm_trusted_snapshot(ts.team);
	RETURN NULL;
END
$$;

-- Snapshots deleted: their teams' trusted one may be another, or none.
CREATE FUNCTION mm_snapshots_gone_teams() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
	PERFORM mm_team_sets_teams(g.team)
	    FROM (SELECT DISTINCT team FROM gone) g;
	RETURN NULL;
END
$$;

CREATE FUNCTION mm_user_named() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
	NEW.teams := mm_user_teams(NEW.name);
	RETURN NEW;
END
$$;

ALTER TABLE users ADD COLUMN teams text[] NOT NULL DEFAULT '{}';
UPDATE users SET teams = mm_user_teams(name) WHERE name IS NOT NULL;

CREATE CONSTRAINT TRIGGER team_snapshots_set_teams
    AFTER INSERT OR UPDATE ON team_snapshots
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION mm_snapshot_row_teams();
CREATE TRIGGER team_snapshots_gone_teams
    AFTER DELETE ON team_snapshots
    REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION mm_snapshots_gone_teams();
CREATE TRIGGER team_snapshot_members_set_teams
    AFTER INSERT ON team_snapshot_members
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION mm_snapshot_members_teams();
CREATE TRIGGER users_teams
    BEFORE INSERT OR UPDATE OF name ON users
    FOR EACH ROW EXECUTE FUNCTION mm_user_named();
CREATE TRIGGER team_snapshots_changed_notify
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON team_snapshots
    FOR EACH STATEMENT EXECUTE FUNCTION mm_notify_domains_changed();

-- Not for PUBLIC (0002's rule); the app calls mm_trusted_snapshot.
REVOKE ALL ON FUNCTION mm_trusted_snapshot(text), mm_user_teams(text),
    mm_team_sets_teams(text), mm_snapshot_row_teams(),
    mm_snapshot_members_teams(), mm_snapshots_gone_teams(), mm_user_named()
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mm_trusted_snapshot(text), mm_user_teams(text),
    mm_team_sets_teams(text) TO membermail_app;
