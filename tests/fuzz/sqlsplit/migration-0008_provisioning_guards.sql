-- 0008_provisioning_guards.sql - what provisioning needs to follow a
-- community as it lives: addresses whose domain part is any case, renames
-- followed by identity, answers that would take addresses away held until
-- they are confirmed, alerts sent once per cause, leavers' aliases taken
-- off whoever disabled them first, and each community's own logo.

-- The domain part of an address is case-insensitive (RFC 5321 2.4): users'
-- addresses are kept with it lower-cased, as alias recipients always were.
UPDATE users SET email = split_part(email, '@', 1) || '@' ||
    lower(split_part(email, '@', 2))
    WHERE split_part(email, '@', 2) <> lower(split_part(email, '@', 2));
ALTER TABLE users ADD CONSTRAINT users_email_domain_lower
    CHECK (split_part(email, '@', 2) = lower(split_part(email, '@', 2)));

-- announced_at: when the domain admins got the "~name signed in" mail,
-- which goes with the user's first address whoever creates it (sign-in or
-- the sync).  Users who own an address were announced already.
ALTER TABLE users ADD COLUMN announced_at timestamptz;
UPDATE users u SET announced_at = now()
    WHERE EXISTS (SELECT 1 FROM aliases a WHERE a.user_id = u.id);

-- email_stuck: the address some of the user's aliases still forward to
-- because sign-in could not make them follow the new one (the new one is
-- not a usable recipient); /my asks the user to see to it.
-- mail_problem: why notification mail to the user's address cannot be
-- sent ('needs-smtputf8': a non-ASCII local part, a relay without
-- SMTPUTF8); set by the outbox, cleared when the address changes.
ALTER TABLE users ADD COLUMN email_stuck text,
    ADD COLUMN mail_problem text,
    ADD CONSTRAINT users_email_stuck_check CHECK (mm_plausible_address(email_stuck)),
    ADD CONSTRAINT users_mail_problem_check CHECK (mail_problem IN ('needs-smtputf8'));

-- An answer from Launchpad that would make a user invalid without the
-- usual evidence waits here until it is confirmed: a person found neither
-- under their name nor by their identity, or one of many invalidations in
-- one run (the invalidation guard).  It is applied once the same answer
-- has come in enough runs over long enough (confirm_runs, confirm_period),
-- or when an operator accepts it (`membermail sync --accept-invalidations`),
-- and forgotten when Launchpad answers otherwise.
CREATE TABLE person_pending (
	user_id		bigint PRIMARY KEY REFERENCES users ON DELETE CASCADE,
	status		text NOT NULL,
	first_seen_at	timestamptz NOT NULL DEFAULT now(),
	last_seen_at	timestamptz NOT NULL DEFAULT now(),
	runs		integer NOT NULL DEFAULT 1,
	accepted_at	timestamptz,
	accepted_by	text,
	CONSTRAINT person_pending_status_check CHECK (status IN
	    ('not-found', 'not-valid', 'not-coc-signer', 'is-team', 'name-mismatch')),
	CONSTRAINT person_pending_seen_check CHECK (last_seen_at >= first_seen_at),
	CONSTRAINT person_pending_runs_check CHECK (runs >= 1),
	CONSTRAINT person_pending_accepted_check
	    CHECK ((accepted_at IS NULL) = (accepted_by IS NULL)),
	CONSTRAINT person_pending_accepted_by_check CHECK (mm_is_line(accepted_by, 255))
);

-- An operator's acceptance of held invalidations has its audit row.
ALTER TABLE audit_log DROP CONSTRAINT audit_log_target_type_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_target_type_check
    CHECK (target_type IN ('user', 'domain', 'domain_member', 'alias',
     'mailbox', 'api_token', 'team_snapshot', 'outbox', 'person_pending'));

-- Operators' alerts of the sync, one row per cause while it lasts: mailed
-- when it appears, again once a day while it persists, and once more when
-- it clears (then the row goes).
CREATE TABLE sync_alerts (
	cause		text PRIMARY KEY,
	message		text NOT NULL,
	first_seen_at	timestamptz NOT NULL DEFAULT now(),
	last_seen_at	timestamptz NOT NULL DEFAULT now(),
	mailed_at	timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT sync_alerts_cause_check CHECK (cause ~ '^[a-z][a-z0-9_.:~+-]{0,254}$'),
	CONSTRAINT sync_alerts_message_check CHECK (mm_is_line(message, 500)),
	CONSTRAINT sync_alerts_seen_check CHECK (last_seen_at >= first_seen_at)
);

-- An alias the rules take off (left the team, not valid, banned) while it
-- was disabled by its owner, an admin or matches-recipient keeps that
-- reason here: its owner cannot enable it, the grace-period removal
-- applies, and a member who comes back finds it as it was.
ALTER TABLE aliases ADD COLUMN prior_reason text,
    ADD CONSTRAINT aliases_prior_reason_check CHECK (prior_reason IS NULL OR
	(prior_reason IN ('by-owner', 'by-admin', 'matches-recipient')
	 AND disabled_reason IN ('left-team', 'invalid-user', 'banned')));

-- A community's own mark on its landing page: a file of the static
-- directory's logos/ folder (served by nginx as /static/logos/NAME); NULL:
-- the generic one.
ALTER TABLE domains ADD COLUMN logo text,
    ADD CONSTRAINT domains_logo_check
	CHECK (logo ~ '^[a-z0-9][a-z0-9_.-]{0,62}\.(svg|png|webp)$');

GRANT SELECT, INSERT, UPDATE, DELETE ON person_pending, sync_alerts TO membermail_app;
