-- 0001_schema_v1.sql - schema v1: every entity of DESIGN.md §4.
--
-- Run by `membermail migrate`, which wraps this file in one transaction and
-- records it in its own table (schema_migrations): no BEGIN/COMMIT here.
-- Roles, grants and the Postfix views are in 0002.
--
-- Conventions
--   * Keys are bigint identities; times are timestamptz; names of
--     constraints are explicit so application errors can be mapped by name.
--   * Every foreign key states its ON DELETE.  The rule of thumb: state that
--     lives and dies with its parent (sessions, memberships, de-dup rows)
--     CASCADEs; anything whose removal must go through the application
--     (an alias: audit row, notification, mailbox destruction) is RESTRICTed;
--     history (audit log, error log) keeps its rows and loses the link.
--   * Everything with a lifetime has an expiry column and an index for the
--     sweep that deletes it (`membermail sync` / cleanup step).
--   * Validation rules that several tables share live in IMMUTABLE SQL
--     functions named mm_*; the application should apply the same rules
--     before writing (the constraints are the last line, not the UI).

--------------------------------------------------------------------------
-- Validation helpers
--------------------------------------------------------------------------

-- One line of text: no control characters (so no CR/LF), at most maxlen
-- characters.  NULL is left to NOT NULL constraints.
CREATE FUNCTION mm_is_line(t text, maxlen integer) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path FROM CURRENT
RETURN char_length(t) <= maxlen AND t !~ '[[:cntrl:]]';

-- A Launchpad name (lp/app/validators/name.py): lower-case letters, digits,
-- '+', '.', '-'; starts with a letter or digit; at least 2 characters.
-- 255 is our sanity bound, not Launchpad's.
CREATE FUNCTION mm_valid_lp_name(n text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path FROM CURRENT
RETURN char_length(n) <= 255 AND n ~ '^[a-z0-9][a-z0-9+.-]+$';

-- A lower-case DNS domain name: at least two LDH labels of 1..63 octets
-- that neither start nor end with '-', the last one starting with a letter
-- (no all-numeric TLD, so no IPv4 literal), 253 octets at most, no
-- trailing dot.  IDNs are stored in their A-label (xn--) form.
CREATE FUNCTION mm_valid_domain(d text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path FROM CURRENT
RETURN octet_length(d) <= 253
   AND d ~ '^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$';

-- The local part of one of our aliases: a lower-case subset of the RFC 5322
-- dot-atom (letters, digits, '_', '+', '-', single dots between atoms),
-- starting with a letter or digit, 64 octets at most.
CREATE FUNCTION mm_valid_local_part(l text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path FROM CURRENT
RETURN octet_length(l) <= 64
   AND l ~ '^[a-z0-9][a-z0-9_+-]*(\.[a-z0-9_+-]+)*$';

-- A forwarding address: dot-atom local part (RFC 5322 atext, any case,
-- <= 64 octets) '@' a lower-case domain (mm_valid_domain); <= 254 octets.
-- No quoted local parts, no address literals, and so no whitespace, CR,
-- LF, ',' or '<>' that could break a Postfix result list or a mail header.
CREATE FUNCTION mm_valid_address(a text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path FROM CURRENT
RETURN octet_length(a) <= 254
   AND a ~ '^[A-Za-z0-9!#$%&''*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&''*+/=?^_`{|}~-]+)*@[^@]+$'
   AND octet_length(split_part(a, '@', 1)) <= 64
   AND mm_valid_domain(split_part(a, '@', 2));

-- Alias recipients: a one-dimensional array of valid addresses without
-- NULLs or duplicates (compared case-insensitively).  The count (1..10) is
-- a separate constraint so that its violation has its own name.
CREATE FUNCTION mm_valid_recipients(r text[]) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path FROM CURRENT
RETURN coalesce(array_ndims(r), 1) = 1
   AND NOT EXISTS (SELECT 1 FROM unnest(r) AS x
                   WHERE x IS NULL OR NOT mm_valid_address(x))
   AND (SELECT count(DISTINCT lower(x)) FROM unnest(r) AS x) = cardinality(r);

-- A plausible address for mail we *send* (a user's Ubuntu One address, the
-- outbox): looser than mm_valid_address - we cannot refuse someone's
-- sign-in over an unusual address - but safe to put in a header.
CREATE FUNCTION mm_plausible_address(a text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path FROM CURRENT
RETURN octet_length(a) <= 254
   AND a ~ '^[^@<>,;"()\s]+@[^@<>,;"()\s]+$'
   AND a !~ '[[:cntrl:]]';

CREATE FUNCTION mm_plausible_addresses(r text[]) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path FROM CURRENT
RETURN coalesce(array_ndims(r), 1) = 1
   AND NOT EXISTS (SELECT 1 FROM unnest(r) AS x
                   WHERE x IS NULL OR NOT mm_plausible_address(x));

-- Keeps updated_at honest without relying on every UPDATE to set it.
CREATE FUNCTION mm_touch_updated_at() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
	NEW.updated_at := now();
	RETURN NEW;
END
$$;

--------------------------------------------------------------------------
-- Users and domains
--------------------------------------------------------------------------

CREATE TABLE users (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	-- OpenID claimed id without fragment: the stable key of a person.
	claimed_id	text NOT NULL,
	-- Launchpad name from the signed SREG nickname, as received.  Unique
	-- case-insensitively (users_name_lower_key).  NULL only when another
	-- identity has since signed in with this name (a Launchpad rename):
	-- the application then clears the stale holder's name so that sync
	-- can never hand that name's aliases to the wrong person; it is
	-- refreshed at the holder's next sign-in.
	name		text,
	email		text NOT NULL,
	display_name	text,
	is_banned	boolean NOT NULL DEFAULT false,
	ban_reason	text,
	is_site_admin	boolean NOT NULL DEFAULT false,
	-- Outcome of the last Launchpad person check (NULL: never checked).
	person_status	text,
	person_checked_at timestamptz,
	last_login_at	timestamptz,
	synced_at	timestamptz,
	-- Set when sign-in could not reach Launchpad: sync this user soon.
	sync_requested_at timestamptz,
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT users_claimed_id_key UNIQUE (claimed_id),
	CONSTRAINT users_claimed_id_check CHECK (char_length(claimed_id) <= 255
	    AND claimed_id ~ '^https?://[!-~]+$' AND strpos(claimed_id, '#') = 0),
	CONSTRAINT users_name_check CHECK (mm_valid_lp_name(lower(name))),
	CONSTRAINT users_email_check CHECK (mm_plausible_address(email)),
	CONSTRAINT users_display_name_check CHECK (mm_is_line(display_name, 255)),
	CONSTRAINT users_ban_reason_check CHECK (mm_is_line(ban_reason, 500)),
	CONSTRAINT users_ban_reason_banned CHECK (is_banned OR ban_reason IS NULL),
	CONSTRAINT users_person_status_check CHECK (person_status IN
	    ('valid', 'not-found', 'not-valid', 'not-coc-signer')),
	CONSTRAINT users_person_checked_check CHECK
	    ((person_status IS NULL) = (person_checked_at IS NULL))
);
CREATE UNIQUE INDEX users_name_lower_key ON users (lower(name));
CREATE INDEX users_sync_requested_idx ON users (sync_requested_at)
    WHERE sync_requested_at IS NOT NULL;
CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW
    WHEN (OLD IS DISTINCT FROM NEW) EXECUTE FUNCTION mm_touch_updated_at();
COMMENT ON TABLE users IS 'One row per Ubuntu One identity (claimed id).';

CREATE TABLE domains (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	name		text NOT NULL,
	-- Launchpad team name, without the '~' (displayed as ~team).
	team		text NOT NULL,
	-- The landing page's path, e.g. 'ubuntu' for /ubuntu (NULL = none).
	slug		text,
	-- What the pages call the community, e.g. 'Ubuntu Studio' (NULL =
	-- the domain's name).
	title		text,
	-- The TXT record must read <prefix>=<verification_token>.
	verification_token text NOT NULL,
	-- Last *definitive* DNS outcome: 'unverified' (never checked),
	-- 'verified', 'missing', 'multiple' (several records), 'wrong' (the
	-- record is there with another token).  A temporary DNS failure never
	-- changes it (it is recorded in txt_last_attempt_* only), so a DNS
	-- hiccup cannot take a verified domain out of Postfix.
	txt_status	text NOT NULL DEFAULT 'unverified',
	txt_checked_at	timestamptz,
	txt_last_attempt_at timestamptz,
	txt_last_attempt_result text,
	-- Aliases a non-admin member may own on this domain.
	alias_limit	smallint NOT NULL DEFAULT 3,
	enabled		boolean NOT NULL DEFAULT true,
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT domains_name_key UNIQUE (name),
	CONSTRAINT domains_name_check CHECK (mm_valid_domain(name)),
	CONSTRAINT domains_team_check CHECK (mm_valid_lp_name(team)),
	CONSTRAINT domains_slug_key UNIQUE (slug),
	CONSTRAINT domains_slug_check CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,31}$'),
	CONSTRAINT domains_title_check CHECK
	    (length(title) BETWEEN 1 AND 64 AND title !~ '[[:cntrl:]]'),
	CONSTRAINT domains_verification_token_key UNIQUE (verification_token),
	CONSTRAINT domains_verification_token_check
	    CHECK (verification_token ~ '^[A-Za-z0-9]{10}$'),
	CONSTRAINT domains_txt_status_check CHECK (txt_status IN
	    ('unverified', 'verified', 'missing', 'multiple', 'wrong')),
	CONSTRAINT domains_txt_checked_check CHECK
	    ((txt_status = 'unverified') = (txt_checked_at IS NULL)),
	CONSTRAINT domains_txt_last_attempt_result_check CHECK
	    (txt_last_attempt_result IN ('verified', 'missing', 'multiple',
	     'wrong', 'temporary-failure')),
	CONSTRAINT domains_txt_last_attempt_check CHECK
	    ((txt_last_attempt_result IS NULL) = (txt_last_attempt_at IS NULL)),
	CONSTRAINT domains_alias_limit_check CHECK (alias_limit BETWEEN 0 AND 100)
);
-- No index on team: a handful of rows.
CREATE TRIGGER domains_touch BEFORE UPDATE ON domains FOR EACH ROW
    WHEN (OLD IS DISTINCT FROM NEW) EXECUTE FUNCTION mm_touch_updated_at();

-- A domain's name is part of every alias address on it and of its
-- verification: renaming would silently re-route mail.  Add the right
-- domain and retire the wrong one instead.
CREATE FUNCTION mm_domains_name_immutable() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
	RAISE EXCEPTION 'domain % cannot be renamed to %', OLD.name, NEW.name
	    USING ERRCODE = 'check_violation',
		  CONSTRAINT = 'domains_name_immutable';
END
$$;
CREATE TRIGGER domains_name_immutable BEFORE UPDATE OF name ON domains
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION mm_domains_name_immutable();
COMMENT ON TABLE domains IS 'Mail domains, each mapped to one Launchpad team.';

CREATE TABLE domain_members (
	-- Membership means nothing without its domain or its user.
	domain_id	bigint NOT NULL REFERENCES domains ON DELETE CASCADE,
	user_id		bigint NOT NULL REFERENCES users ON DELETE CASCADE,
	role		text NOT NULL DEFAULT 'member',
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (domain_id, user_id),
	CONSTRAINT domain_members_role_check CHECK (role IN ('admin', 'member'))
);
CREATE INDEX domain_members_user_idx ON domain_members (user_id);
CREATE TRIGGER domain_members_touch BEFORE UPDATE ON domain_members
    FOR EACH ROW WHEN (OLD IS DISTINCT FROM NEW)
    EXECUTE FUNCTION mm_touch_updated_at();

--------------------------------------------------------------------------
-- Aliases
--------------------------------------------------------------------------

CREATE TABLE aliases (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	-- RESTRICT: a domain with aliases is disabled, not deleted; deleting
	-- it would silently drop addresses and (via mailboxes) stored mail.
	domain_id	bigint NOT NULL REFERENCES domains ON DELETE RESTRICT,
	local_part	text NOT NULL,
	-- RESTRICT: an alias goes away only through the application (audit
	-- row, admin notification, mailbox destruction), never as a side
	-- effect of deleting its owner.
	user_id		bigint NOT NULL REFERENCES users ON DELETE RESTRICT,
	recipients	text[] NOT NULL,
	enabled		boolean NOT NULL DEFAULT true,
	disabled_reason	text,
	-- SMTP reply while disabled: 250 accept and drop, 421 try later,
	-- 550 reject.  How each maps to Postfix: see the views in 0002.
	reply_code	smallint NOT NULL DEFAULT 550,
	-- Mail is also delivered into the alias's encrypted mailbox.
	has_mailbox	boolean NOT NULL DEFAULT false,
	description	text NOT NULL DEFAULT '',
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	-- Grace-period removal of a disabled alias (left-team, invalid-user,
	-- banned); cleared when the alias is enabled again.
	remove_at	timestamptz,
	CONSTRAINT aliases_address_key UNIQUE (domain_id, local_part),
	CONSTRAINT aliases_local_part_check CHECK (mm_valid_local_part(local_part)),
	CONSTRAINT aliases_recipients_count
	    CHECK (cardinality(recipients) BETWEEN 1 AND 10),
	CONSTRAINT aliases_recipients_valid CHECK (mm_valid_recipients(recipients)),
	CONSTRAINT aliases_disabled_reason_check CHECK (disabled_reason IN
	    ('matches-recipient', 'left-team', 'invalid-user', 'banned',
	     'by-owner', 'by-admin')),
	CONSTRAINT aliases_disabled_reason_iff_disabled
	    CHECK (enabled = (disabled_reason IS NULL)),
	CONSTRAINT aliases_reply_code_check CHECK (reply_code IN (250, 421, 550)),
	CONSTRAINT aliases_description_check CHECK (mm_is_line(description, 150)),
	-- (NOT enabled AND ...): "NULL IN (...)" is NULL, which a CHECK accepts.
	CONSTRAINT aliases_remove_at_check CHECK (remove_at IS NULL
	    OR (NOT enabled AND disabled_reason IN ('left-team', 'invalid-user', 'banned')))
);
-- (domain_id, local_part) is served by aliases_address_key: domain
-- listings and the Postfix lookups by (domain, local part).
CREATE INDEX aliases_user_idx ON aliases (user_id, domain_id);
CREATE INDEX aliases_remove_at_idx ON aliases (remove_at)
    WHERE remove_at IS NOT NULL;
CREATE TRIGGER aliases_touch BEFORE UPDATE ON aliases FOR EACH ROW
    WHEN (OLD IS DISTINCT FROM NEW) EXECUTE FUNCTION mm_touch_updated_at();

-- An enabled alias must not list its own address (a forwarding loop): the
-- application creates such an alias disabled with 'matches-recipient'.
-- Needs the domain's name, hence a trigger rather than a CHECK.
CREATE FUNCTION mm_aliases_not_self_recipient() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
	addr text;
BEGIN
	IF NEW.enabled THEN
		SELECT NEW.local_part || '@' || d.name INTO addr
		    FROM domains d WHERE d.id = NEW.domain_id;
		IF addr IS NOT NULL AND addr = ANY (
		    SELECT lower(r) FROM unnest(NEW.recipients) AS r) THEN
			RAISE EXCEPTION 'enabled alias % must not forward to itself', addr
			    USING ERRCODE = 'check_violation',
				  CONSTRAINT = 'aliases_not_self_recipient',
				  HINT = 'Disable it with reason matches-recipient.';
		END IF;
	END IF;
	RETURN NEW;
END
$$;
CREATE TRIGGER aliases_not_self_recipient
    BEFORE INSERT OR UPDATE OF enabled, recipients, local_part, domain_id
    ON aliases FOR EACH ROW EXECUTE FUNCTION mm_aliases_not_self_recipient();
COMMENT ON TABLE aliases IS
    'local_part@domain forwarding to 1..10 recipients; Postfix reads it through the postfix_* views.';

--------------------------------------------------------------------------
-- Launchpad team snapshots
--------------------------------------------------------------------------

CREATE TABLE team_snapshots (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	team		text NOT NULL,
	fetched_at	timestamptz NOT NULL DEFAULT now(),
	-- Member names stored (equals Launchpad's total_size when complete).
	total		integer NOT NULL,
	-- Every page fetched and every guard passed.  Removals never use an
	-- incomplete snapshot.
	complete	boolean NOT NULL DEFAULT false,
	error		text,
	-- A complete snapshot that shrank past the threshold: removals for
	-- the team are held until an operator accepts it.
	shrink_held	boolean NOT NULL DEFAULT false,
	accepted_at	timestamptz,
	accepted_by	text,
	CONSTRAINT team_snapshots_team_check CHECK (mm_valid_lp_name(team)),
	CONSTRAINT team_snapshots_total_check CHECK (total >= 0),
	CONSTRAINT team_snapshots_error_check CHECK (mm_is_line(error, 2000)),
	CONSTRAINT team_snapshots_held_complete CHECK (complete OR NOT shrink_held),
	CONSTRAINT team_snapshots_accepted_check CHECK (accepted_at IS NULL
	    OR (shrink_held AND accepted_by IS NOT NULL)),
	CONSTRAINT team_snapshots_accepted_by_check CHECK (mm_is_line(accepted_by, 255))
);
-- Latest (complete) snapshot of a team; retention sweeps by age keep the
-- latest complete snapshot of each team.
CREATE INDEX team_snapshots_team_idx ON team_snapshots (team, fetched_at DESC);
CREATE INDEX team_snapshots_fetched_idx ON team_snapshots (fetched_at);

CREATE TABLE team_snapshot_members (
	snapshot_id	bigint NOT NULL REFERENCES team_snapshots ON DELETE CASCADE,
	name		text NOT NULL,
	PRIMARY KEY (snapshot_id, name),
	-- Stored lower-case: membership is compared case-insensitively.
	CONSTRAINT team_snapshot_members_name_check CHECK (mm_valid_lp_name(name))
);

--------------------------------------------------------------------------
-- Web sessions, sign-in, OpenID state, rate limits
--------------------------------------------------------------------------

CREATE TABLE sessions (
	-- SHA-256 of the 256-bit cookie token; the token itself is never stored.
	token_hash	bytea PRIMARY KEY,
	user_id		bigint NOT NULL REFERENCES users ON DELETE CASCADE,
	-- The CSRF token's value: pages must embed it, and it is no credential
	-- without the session cookie.
	csrf_token	bytea NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	last_seen_at	timestamptz NOT NULL DEFAULT now(),
	-- Sliding idle expiry, capped at the absolute expiry: it is the
	-- effective expiry and what the sweep uses.
	idle_expires_at	timestamptz NOT NULL,
	expires_at	timestamptz NOT NULL,
	CONSTRAINT sessions_token_hash_check CHECK (octet_length(token_hash) = 32),
	CONSTRAINT sessions_csrf_token_check CHECK (octet_length(csrf_token) = 32),
	CONSTRAINT sessions_expiry_check CHECK (idle_expires_at <= expires_at
	    AND expires_at > created_at)
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_idle_expires_idx ON sessions (idle_expires_at);

CREATE TABLE login_states (
	-- SHA-256 of the random state carried in return_to.
	state_hash	bytea PRIMARY KEY,
	-- SHA-256 of the browser-binding cookie set when the state was made.
	browser_binding_hash bytea NOT NULL,
	-- Same-site path to land on after signing in.
	return_path	text,
	created_at	timestamptz NOT NULL DEFAULT now(),
	expires_at	timestamptz NOT NULL,
	-- The assertion consumed the state (one use only) ...
	used_at		timestamptz,
	-- ... and, once verified, named this user; the same-site finish step
	-- checks the binding cookie, issues the session and sets finished_at.
	user_id		bigint REFERENCES users ON DELETE CASCADE,
	finished_at	timestamptz,
	CONSTRAINT login_states_state_hash_check CHECK (octet_length(state_hash) = 32),
	CONSTRAINT login_states_binding_check
	    CHECK (octet_length(browser_binding_hash) = 32),
	CONSTRAINT login_states_return_path_check CHECK (char_length(return_path) <= 512
	    AND return_path ~ '^/([^/\\][!-~]*)?$'),
	CONSTRAINT login_states_expiry_check CHECK (expires_at > created_at),
	CONSTRAINT login_states_user_used CHECK (user_id IS NULL OR used_at IS NOT NULL),
	CONSTRAINT login_states_finished_user CHECK (finished_at IS NULL OR user_id IS NOT NULL)
);
CREATE INDEX login_states_expires_idx ON login_states (expires_at);
CREATE INDEX login_states_user_idx ON login_states (user_id) WHERE user_id IS NOT NULL;

-- Accepted response_nonce values, kept until they leave the time window;
-- the primary key makes "never seen before" one atomic INSERT.
CREATE TABLE openid_nonces (
	op_endpoint	text NOT NULL,
	nonce		text NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	expires_at	timestamptz NOT NULL,
	PRIMARY KEY (op_endpoint, nonce),
	CONSTRAINT openid_nonces_endpoint_check CHECK (char_length(op_endpoint) <= 2048
	    AND op_endpoint ~ '^https?://[!-~]+$'),
	-- 20-character UTC timestamp + optional printable ASCII, <= 255.
	CONSTRAINT openid_nonces_nonce_check CHECK (nonce ~ '^[!-~]{20,255}$')
);
CREATE INDEX openid_nonces_expires_idx ON openid_nonces (expires_at);

-- Association mode: shared MAC keys per (OP endpoint, handle).  Only
-- HMAC-SHA256: the OP offers it, and without an association we fall back
-- to check_authentication, so there is nothing to gain from SHA-1.
CREATE TABLE openid_associations (
	op_endpoint	text NOT NULL,
	handle		text NOT NULL,
	assoc_type	text NOT NULL DEFAULT 'HMAC-SHA256',
	secret		bytea NOT NULL,
	issued_at	timestamptz NOT NULL DEFAULT now(),
	expires_at	timestamptz NOT NULL,
	PRIMARY KEY (op_endpoint, handle),
	CONSTRAINT openid_associations_endpoint_check
	    CHECK (char_length(op_endpoint) <= 2048 AND op_endpoint ~ '^https?://[!-~]+$'),
	CONSTRAINT openid_associations_handle_check CHECK (handle ~ '^[!-~]{1,255}$'),
	CONSTRAINT openid_associations_type_check CHECK (assoc_type = 'HMAC-SHA256'),
	CONSTRAINT openid_associations_secret_check CHECK (octet_length(secret) = 32),
	CONSTRAINT openid_associations_expiry_check CHECK (expires_at > issued_at)
);
-- The current association of an OP; the sweep.
CREATE INDEX openid_associations_current_idx
    ON openid_associations (op_endpoint, expires_at DESC);
CREATE INDEX openid_associations_expires_idx ON openid_associations (expires_at);

-- Fixed-window rate-limit counters (operations.md §7).  UNLOGGED: no WAL,
-- emptied by a crash and not replicated - acceptable for rate limits.
CREATE UNLOGGED TABLE rate_limits (
	bucket		text NOT NULL,
	window_start	timestamptz NOT NULL,
	hits		integer NOT NULL DEFAULT 1,
	expires_at	timestamptz NOT NULL,
	PRIMARY KEY (bucket, window_start),
	CONSTRAINT rate_limits_bucket_check CHECK (mm_is_line(bucket, 200)
	    AND bucket <> ''),
	CONSTRAINT rate_limits_hits_check CHECK (hits >= 0)
);
CREATE INDEX rate_limits_expires_idx ON rate_limits (expires_at);

--------------------------------------------------------------------------
-- Notifications and errors
--------------------------------------------------------------------------

CREATE TABLE outbox (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	to_addresses	text[] NOT NULL,
	cc_addresses	text[] NOT NULL DEFAULT '{}',
	bcc_addresses	text[] NOT NULL DEFAULT '{}',
	subject		text NOT NULL,
	body		text NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	attempts	integer NOT NULL DEFAULT 0,
	next_attempt_at	timestamptz NOT NULL DEFAULT now(),
	last_error	text,
	sent_at		timestamptz,
	-- Given up after the last attempt; kept for site admins to see.
	failed_at	timestamptz,
	CONSTRAINT outbox_to_count CHECK (cardinality(to_addresses) BETWEEN 1 AND 100),
	CONSTRAINT outbox_addresses_check CHECK (mm_plausible_addresses(to_addresses)
	    AND mm_plausible_addresses(cc_addresses)
	    AND mm_plausible_addresses(bcc_addresses)),
	CONSTRAINT outbox_cc_bcc_count CHECK (cardinality(cc_addresses) <= 100
	    AND cardinality(bcc_addresses) <= 100),
	CONSTRAINT outbox_subject_check CHECK (mm_is_line(subject, 998)),
	CONSTRAINT outbox_body_check CHECK (octet_length(body) <= 1048576),
	CONSTRAINT outbox_attempts_check CHECK (attempts >= 0),
	CONSTRAINT outbox_last_error_check CHECK (char_length(last_error) <= 2000),
	CONSTRAINT outbox_final_check CHECK (sent_at IS NULL OR failed_at IS NULL)
);
CREATE INDEX outbox_pending_idx ON outbox (next_attempt_at)
    WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX outbox_sent_idx ON outbox (sent_at) WHERE sent_at IS NOT NULL;
CREATE INDEX outbox_failed_idx ON outbox (failed_at) WHERE failed_at IS NOT NULL;

-- De-duplication of error e-mails per (user, domain, error) for 30 days.
-- An expired row is reclaimed by INSERT ... ON CONFLICT DO UPDATE ...
-- WHERE error_reports.expires_at < now(); the rows of a (user, domain)
-- are deleted when the user is removed from that domain.
CREATE TABLE error_reports (
	user_id		bigint NOT NULL REFERENCES users ON DELETE CASCADE,
	domain_id	bigint NOT NULL REFERENCES domains ON DELETE CASCADE,
	error_code	text NOT NULL,
	first_seen_at	timestamptz NOT NULL DEFAULT now(),
	last_seen_at	timestamptz NOT NULL DEFAULT now(),
	expires_at	timestamptz NOT NULL DEFAULT now() + interval '30 days',
	PRIMARY KEY (user_id, domain_id, error_code),
	CONSTRAINT error_reports_code_check CHECK (error_code ~ '^[a-z][a-z0-9_.-]{0,63}$'),
	CONSTRAINT error_reports_seen_check CHECK (last_seen_at >= first_seen_at)
);
CREATE INDEX error_reports_domain_idx ON error_reports (domain_id);
CREATE INDEX error_reports_expires_idx ON error_reports (expires_at);

-- Errors for the admin error page, one row per fingerprint (hash of the
-- error's class and normalised message) with the latest occurrence's user.
CREATE TABLE error_log (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	fingerprint	bytea NOT NULL,
	message		text NOT NULL,
	-- SET NULL: the entry outlives the user; name and claimed id are copies.
	user_id		bigint REFERENCES users ON DELETE SET NULL,
	launchpad_name	text,
	claimed_id	text,
	count		bigint NOT NULL DEFAULT 1,
	first_seen_at	timestamptz NOT NULL DEFAULT now(),
	last_seen_at	timestamptz NOT NULL DEFAULT now(),
	-- Pushed forward on every occurrence; swept when it passes.
	expires_at	timestamptz NOT NULL DEFAULT now() + interval '90 days',
	CONSTRAINT error_log_fingerprint_key UNIQUE (fingerprint),
	CONSTRAINT error_log_fingerprint_check CHECK (octet_length(fingerprint) = 32),
	CONSTRAINT error_log_message_check CHECK (char_length(message) BETWEEN 1 AND 20000),
	CONSTRAINT error_log_name_check CHECK (mm_is_line(launchpad_name, 255)),
	CONSTRAINT error_log_claimed_id_check CHECK (mm_is_line(claimed_id, 255)),
	CONSTRAINT error_log_count_check CHECK (count >= 1),
	CONSTRAINT error_log_seen_check CHECK (last_seen_at >= first_seen_at)
);
CREATE INDEX error_log_last_seen_idx ON error_log (last_seen_at DESC);
CREATE INDEX error_log_expires_idx ON error_log (expires_at);
CREATE INDEX error_log_user_idx ON error_log (user_id) WHERE user_id IS NOT NULL;

-- Who changed what, when: every admin or member action and every sync
-- change, written in the same transaction as the change.  Append-only for
-- the application (0002 grants it SELECT and INSERT only).
CREATE TABLE audit_log (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	at		timestamptz NOT NULL DEFAULT now(),
	-- user: a signed-in user; api: a user through an API token; sync:
	-- membermail sync; cli: an operator command; system: other jobs
	-- (verify-domains, outbox).
	actor_kind	text NOT NULL,
	-- SET NULL: history outlives the user; actor_name keeps who it was.
	actor_user_id	bigint REFERENCES users ON DELETE SET NULL,
	-- Launchpad name (user, api) or operator login (cli).
	actor_name	text,
	action		text NOT NULL,
	target_type	text NOT NULL,
	-- No foreign keys on targets: the history of an alias or a domain
	-- must survive its deletion.
	target_id	bigint,
	-- Human-readable target ("alice@ubuntu.com"), readable after deletion.
	target_label	text,
	-- The domain an event belongs to (domain, membership and alias
	-- events), for the per-domain history.
	domain_id	bigint,
	before		jsonb,
	after		jsonb,
	-- nginx's request id, to find the matching log lines.
	request_id	text,
	CONSTRAINT audit_log_actor_kind_check CHECK (actor_kind IN
	    ('user', 'api', 'sync', 'cli', 'system')),
	CONSTRAINT audit_log_actor_user_check CHECK
	    (actor_kind IN ('user', 'api') OR actor_user_id IS NULL),
	CONSTRAINT audit_log_actor_name_check CHECK (mm_is_line(actor_name, 255)
	    AND (actor_kind NOT IN ('user', 'api') OR actor_name IS NOT NULL)),
	CONSTRAINT audit_log_action_check CHECK (action ~ '^[a-z][a-z0-9_.-]{0,63}$'),
	CONSTRAINT audit_log_target_type_check CHECK (target_type IN
	    ('user', 'domain', 'domain_member', 'alias', 'mailbox', 'api_token',
	     'team_snapshot')),
	CONSTRAINT audit_log_target_label_check CHECK (mm_is_line(target_label, 320)),
	CONSTRAINT audit_log_request_id_check CHECK (mm_is_line(request_id, 128))
);
CREATE INDEX audit_log_target_idx ON audit_log (target_type, target_id, at DESC);
CREATE INDEX audit_log_domain_idx ON audit_log (domain_id, at DESC)
    WHERE domain_id IS NOT NULL;
CREATE INDEX audit_log_actor_idx ON audit_log (actor_user_id, at DESC)
    WHERE actor_user_id IS NOT NULL;
CREATE INDEX audit_log_at_idx ON audit_log (at DESC);

--------------------------------------------------------------------------
-- Encrypted mailboxes (DESIGN.md §9)
--------------------------------------------------------------------------

CREATE TABLE mailboxes (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	-- CASCADE: the mailbox is part of its alias.  Aliases themselves are
	-- only ever deleted deliberately (RESTRICT from users and domains).
	alias_id	bigint NOT NULL REFERENCES aliases ON DELETE CASCADE,
	-- X25519 public key, in clear.
	public_key	bytea NOT NULL,
	-- The 32-byte secret key under XChaCha20-Poly1305 (+16-byte tag), keyed
	-- by Argon2id(password, salt, opslimit, memlimit).
	encrypted_secret_key bytea NOT NULL,
	secret_key_nonce bytea NOT NULL,
	pwhash_salt	bytea NOT NULL,
	pwhash_opslimit	bigint NOT NULL,
	pwhash_memlimit	bigint NOT NULL,
	-- crypto_pwhash_ALG_ARGON2ID13.
	pwhash_alg	smallint NOT NULL DEFAULT 2,
	quota_bytes	bigint NOT NULL,
	-- Updated in the delivering transaction; the CHECK below makes the
	-- quota race-free (a delivery that would exceed it fails).
	used_bytes	bigint NOT NULL DEFAULT 0,
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT mailboxes_alias_key UNIQUE (alias_id),
	CONSTRAINT mailboxes_public_key_check CHECK (octet_length(public_key) = 32),
	CONSTRAINT mailboxes_secret_key_check
	    CHECK (octet_length(encrypted_secret_key) = 48),
	CONSTRAINT mailboxes_secret_key_nonce_check
	    CHECK (octet_length(secret_key_nonce) = 24),
	CONSTRAINT mailboxes_salt_check CHECK (octet_length(pwhash_salt) = 16),
	-- libsodium's Argon2id minimums.
	CONSTRAINT mailboxes_pwhash_limits_check
	    CHECK (pwhash_opslimit >= 1 AND pwhash_memlimit >= 8192),
	CONSTRAINT mailboxes_pwhash_alg_check CHECK (pwhash_alg = 2),
	CONSTRAINT mailboxes_quota_check CHECK (quota_bytes > 0),
	CONSTRAINT mailboxes_used_check CHECK (used_bytes >= 0),
	CONSTRAINT mailboxes_over_quota CHECK (used_bytes <= quota_bytes)
);
CREATE TRIGGER mailboxes_touch BEFORE UPDATE ON mailboxes FOR EACH ROW
    WHEN (OLD IS DISTINCT FROM NEW) EXECUTE FUNCTION mm_touch_updated_at();

CREATE TABLE messages (
	-- BY DEFAULT, not ALWAYS: `membermail deliver` takes nextval() first
	-- so that the id can be bound into the AEAD associated data.
	id		bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	mailbox_id	bigint NOT NULL REFERENCES mailboxes ON DELETE CASCADE,
	-- Postfix ${queue_id} and ${recipient}: a retried delivery of the
	-- same queue file to the same recipient is stored once (ON CONFLICT
	-- DO NOTHING).  Needs enable_long_queue_ids = yes: short queue ids
	-- are reused.
	queue_id	text NOT NULL,
	recipient	text NOT NULL,
	-- Only size and arrival time are in clear.
	size_bytes	bigint NOT NULL,
	received_at	timestamptz NOT NULL DEFAULT now(),
	-- From/Subject/Date, encrypted apart so listings need not open bodies.
	header_nonce	bytea NOT NULL,
	header_ciphertext bytea NOT NULL,
	body_nonce	bytea NOT NULL,
	body_ciphertext	bytea NOT NULL,
	-- The per-message key sealed to the mailbox key (crypto_box_seal).
	sealed_key	bytea NOT NULL,
	seen_at		timestamptz,
	CONSTRAINT messages_delivery_key UNIQUE (mailbox_id, queue_id, recipient),
	CONSTRAINT messages_queue_id_check CHECK (queue_id ~ '^[0-9A-Za-z]{1,32}$'),
	CONSTRAINT messages_recipient_check CHECK (mm_valid_address(recipient)),
	CONSTRAINT messages_size_check CHECK (size_bytes > 0),
	CONSTRAINT messages_nonces_check CHECK (octet_length(header_nonce) = 24
	    AND octet_length(body_nonce) = 24),
	-- Poly1305 tag included.
	CONSTRAINT messages_ciphertext_check CHECK (octet_length(header_ciphertext) >= 16
	    AND octet_length(body_ciphertext) >= 16),
	-- crypto_box_SEALBYTES (48) + a 32-byte key.
	CONSTRAINT messages_sealed_key_check CHECK (octet_length(sealed_key) = 80)
);
CREATE INDEX messages_listing_idx ON messages (mailbox_id, received_at DESC);

-- An unlocked mailbox: its secret key re-encrypted under a random key that
-- only the browser's HttpOnly cookie holds, so the database alone never
-- holds an unlocked key.  Locked on sign-out (the session goes, CASCADE)
-- or at expires_at.
CREATE TABLE mailbox_unlocks (
	session_token_hash bytea NOT NULL REFERENCES sessions ON DELETE CASCADE,
	mailbox_id	bigint NOT NULL REFERENCES mailboxes ON DELETE CASCADE,
	wrapped_secret_key bytea NOT NULL,
	wrap_nonce	bytea NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	expires_at	timestamptz NOT NULL,
	PRIMARY KEY (session_token_hash, mailbox_id),
	CONSTRAINT mailbox_unlocks_key_check CHECK (octet_length(wrapped_secret_key) = 48),
	CONSTRAINT mailbox_unlocks_nonce_check CHECK (octet_length(wrap_nonce) = 24),
	CONSTRAINT mailbox_unlocks_expiry_check CHECK (expires_at > created_at)
);
CREATE INDEX mailbox_unlocks_mailbox_idx ON mailbox_unlocks (mailbox_id);
CREATE INDEX mailbox_unlocks_expires_idx ON mailbox_unlocks (expires_at);

--------------------------------------------------------------------------
-- API tokens
--------------------------------------------------------------------------

CREATE TABLE api_tokens (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	user_id		bigint NOT NULL REFERENCES users ON DELETE CASCADE,
	name		text NOT NULL,
	-- SHA-256 of the token; the token is shown once and never stored.
	token_hash	bytea NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	last_used_at	timestamptz,
	expires_at	timestamptz NOT NULL,
	revoked_at	timestamptz,
	CONSTRAINT api_tokens_token_hash_key UNIQUE (token_hash),
	CONSTRAINT api_tokens_token_hash_check CHECK (octet_length(token_hash) = 32),
	CONSTRAINT api_tokens_name_check CHECK (mm_is_line(name, 64) AND name <> ''),
	CONSTRAINT api_tokens_expiry_check CHECK (expires_at > created_at)
);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);
CREATE UNIQUE INDEX api_tokens_active_name_key ON api_tokens (user_id, name)
    WHERE revoked_at IS NULL;
CREATE INDEX api_tokens_expires_idx ON api_tokens (expires_at);
