-- 0004_provisioning.sql - what provisioning (app/provision.c) needs beyond v1.
--
-- users.person_status names every outcome of a person check that makes a
-- user invalid: a team's entry ('is-team') and an entry of another person
-- ('name-mismatch') join the v1 values.  error_log.domain_id lets the admin
-- pages show a domain's errors only.  Columns of granted tables need no
-- grant of their own (0002 grants whole tables).

ALTER TABLE users DROP CONSTRAINT users_person_status_check;
ALTER TABLE users ADD CONSTRAINT users_person_status_check CHECK (person_status IN
    ('valid', 'not-found', 'not-valid', 'not-coc-signer', 'is-team', 'name-mismatch'));

-- SET NULL: the entry outlives its domain, like its user.
ALTER TABLE error_log ADD COLUMN domain_id bigint REFERENCES domains ON DELETE SET NULL;
CREATE INDEX error_log_domain_idx ON error_log (domain_id, last_seen_at DESC)
    WHERE domain_id IS NOT NULL;

-- The latest complete snapshot of a team (sign-in and sync).
CREATE INDEX team_snapshots_complete_idx ON team_snapshots (team, fetched_at DESC)
    WHERE complete;
