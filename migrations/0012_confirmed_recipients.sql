-- 0012_confirmed_recipients.sql - mail goes only to recipients who agreed;
-- every change of forwarding leaves a receipt that can undo it.
--
-- recipient_confirmations: one row per alias and address (compared
-- case-insensitively).  Confirmed rows say how: 'link' (the address's
-- owner followed the confirmation link), 'owner' (it was the alias owner's
-- own Ubuntu One address), 'existing' (a recipient before this
-- migration).  An unconfirmed row is a request: the SHA-256 of its link's
-- token, the link's expiry, how many times it was sent and when last (the
-- resend limit).  Confirmations stay with the alias: an address confirmed
-- once may come back without asking again.
--
-- aliases.pending_*: a change of recipients waiting for its new addresses
-- to confirm.  Until every one has, the alias keeps forwarding to the
-- recipients it has; the last confirmation makes the change.
-- aliases.locked_at: set by a receipt's undo link; changes made by people
-- (pages, API, CLI) wait until the owner signs in again.
--
-- alias_receipts: one per change of an alias's recipients, with what they
-- were before and after, who made it (as the receipts name them), and the
-- undo link's token (its SHA-256), expiry and use.
--
-- postfix_aliases (0009's: the one place that decides which alias
-- recipients are routed; postfix_virtual and postfix_lookup_recipients read
-- it) keeps its columns and meaning but routes only confirmed recipients
-- and the owner's own address: what Postfix sees never holds an address
-- that did not agree.

CREATE TABLE recipient_confirmations (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	alias_id	bigint NOT NULL REFERENCES aliases ON DELETE CASCADE,
	address		text NOT NULL,
	how		text,
	confirmed_at	timestamptz,
	token_hash	bytea,
	expires_at	timestamptz,
	sends		smallint NOT NULL DEFAULT 0,
	last_sent_at	timestamptz,
	created_at	timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT recipient_confirmations_address_check
	    CHECK (mm_valid_recipients(ARRAY[address])),
	CONSTRAINT recipient_confirmations_how_check
	    CHECK (how IN ('link', 'owner', 'existing')),
	-- Confirmed (how and when; a used link's hash stays, so that the
	-- link says "already confirmed") or a request (a live link).
	CONSTRAINT recipient_confirmations_state_check CHECK (
	    (confirmed_at IS NOT NULL AND how IS NOT NULL)
	    OR (confirmed_at IS NULL AND how IS NULL AND token_hash IS NOT NULL
		AND expires_at IS NOT NULL AND last_sent_at IS NOT NULL)),
	CONSTRAINT recipient_confirmations_token_check
	    CHECK (token_hash IS NULL OR length(token_hash) = 32),
	CONSTRAINT recipient_confirmations_sends_check CHECK (sends BETWEEN 0 AND 10)
);
CREATE UNIQUE INDEX recipient_confirmations_key
    ON recipient_confirmations (alias_id, lower(address));
CREATE UNIQUE INDEX recipient_confirmations_token_key
    ON recipient_confirmations (token_hash) WHERE token_hash IS NOT NULL;
CREATE INDEX recipient_confirmations_expires_idx
    ON recipient_confirmations (expires_at) WHERE confirmed_at IS NULL;
COMMENT ON TABLE recipient_confirmations IS
    'Which addresses agreed to receive an alias''s mail, and the pending requests.';

-- Every recipient of today is one already: nothing stops being delivered.
INSERT INTO recipient_confirmations (alias_id, address, how, confirmed_at)
SELECT DISTINCT ON (a.id, lower(r)) a.id, r, 'existing', now()
  FROM aliases a CROSS JOIN LATERAL unnest(a.recipients) AS r;

ALTER TABLE aliases
    ADD COLUMN pending_recipients text[],
    ADD COLUMN pending_actor text,
    ADD COLUMN pending_at timestamptz,
    ADD COLUMN locked_at timestamptz,
    ADD CONSTRAINT aliases_pending_check CHECK (
	(pending_recipients IS NULL AND pending_actor IS NULL AND pending_at IS NULL)
	OR (cardinality(pending_recipients) BETWEEN 1 AND 10
	    AND mm_valid_recipients(pending_recipients)
	    AND pending_actor IS NOT NULL AND mm_is_line(pending_actor, 255)
	    AND pending_at IS NOT NULL));
-- membermail cleanup lets a change nobody confirmed for 30 days lapse.
CREATE INDEX aliases_pending_at_idx ON aliases (pending_at)
    WHERE pending_at IS NOT NULL;

CREATE TABLE alias_receipts (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	alias_id	bigint NOT NULL REFERENCES aliases ON DELETE CASCADE,
	token_hash	bytea NOT NULL,
	before_recipients text[] NOT NULL,
	after_recipients text[] NOT NULL,
	actor		text NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	expires_at	timestamptz NOT NULL,
	used_at		timestamptz,
	CONSTRAINT alias_receipts_token_key UNIQUE (token_hash),
	CONSTRAINT alias_receipts_token_check CHECK (length(token_hash) = 32),
	CONSTRAINT alias_receipts_recipients_check CHECK (
	    cardinality(before_recipients) BETWEEN 1 AND 10
	    AND cardinality(after_recipients) BETWEEN 1 AND 10
	    AND mm_valid_recipients(before_recipients)
	    AND mm_valid_recipients(after_recipients)),
	CONSTRAINT alias_receipts_actor_check CHECK (mm_is_line(actor, 255)),
	CONSTRAINT alias_receipts_expiry_check CHECK (expires_at > created_at)
);
CREATE INDEX alias_receipts_alias_idx ON alias_receipts (alias_id);
CREATE INDEX alias_receipts_expires_idx ON alias_receipts (expires_at);
COMMENT ON TABLE alias_receipts IS
    'Each change of an alias''s recipients, and its one-use undo link.';

GRANT SELECT, INSERT, UPDATE, DELETE ON recipient_confirmations, alias_receipts
    TO membermail_app;
DO $$
BEGIN
	EXECUTE format('GRANT USAGE ON SEQUENCE %s TO membermail_app',
	    pg_get_serial_sequence('recipient_confirmations', 'id'));
	EXECUTE format('GRANT USAGE ON SEQUENCE %s TO membermail_app',
	    pg_get_serial_sequence('alias_receipts', 'id'));
END
$$;

-- /my's checklist asks which domains reserve the user's name.
CREATE INDEX domain_reserved_local_parts_local_part_idx
    ON domain_reserved_local_parts (local_part);

-- Only recipients that agreed, or the owner's own (Ubuntu One) address.
CREATE OR REPLACE VIEW postfix_aliases WITH (security_barrier) AS
SELECT a.local_part || '@' || d.name AS address,
       r.recipient,
       a.local_part,
       d.name AS domain,
       a.reserved_assigned
  FROM aliases a
  JOIN domains d ON d.id = a.domain_id
  JOIN users u ON u.id = a.user_id
 CROSS JOIN LATERAL unnest(a.recipients) AS r(recipient)
 WHERE a.enabled AND d.enabled AND d.txt_status = 'verified'
   AND (d.txt_grace_until IS NULL OR d.txt_grace_until > now())
   AND (lower(r.recipient) = lower(u.email)
	OR EXISTS (SELECT 1 FROM recipient_confirmations c
		    WHERE c.alias_id = a.id AND lower(c.address) = lower(r.recipient)
		      AND c.confirmed_at IS NOT NULL));
COMMENT ON VIEW postfix_aliases IS
    'One row per confirmed recipient (or the owner''s own address) of each '
    'enabled alias of a routed domain; postfix_virtual, which Postfix reads, '
    'takes its recipients from here.';
