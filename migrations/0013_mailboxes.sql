-- 0012_mailboxes.sql - encrypted mailboxes in use: what each alias does with
-- its mail (forward, keep, or both), the route Postfix reads to hand kept
-- mail to membermail's LMTP service, and the messages table as delivery
-- and the pages use it.
--
-- Delivery.  aliases.has_mailbox (from 0001) says mail is kept in the
-- alias's encrypted mailbox; aliases.forward says it also goes to the
-- alias's recipients.  forward / keep / both = (f, t) / (t, f) / (t, t);
-- an alias that does neither is refused.  Keeping needs the mailbox row
-- (its public key): until it exists, an alias marked keep-only is still
-- forwarded, so no mail is ever routed nowhere.
--
-- The LMTP route.  Postfix's lmtp client delivers to
-- "<local part>=<domain>@membermail-mailbox.invalid" (an address of the
-- reserved .invalid TLD, which deploy/postfix/main.cf's transport_maps
-- sends to membermail's LMTP socket); membermail's LMTP service maps it
-- back to the alias.  Local parts never hold '=', domains never do: the
-- last '=' splits it unambiguously.  postfix_virtual (0009), what
-- virtual_alias_maps reads, gains that address for every kept alias, next
-- to its forwarding recipients or instead of them.
--
-- Messages.  Only the mailbox, size, arrival time and Postfix's queue id
-- with the recipient (the key that stores a retried delivery once) are in
-- clear: seen_at goes (a flag in clear, and nothing sets it).  Listings
-- page by (received_at, id), newest first.  Ciphertext does not compress:
-- body_ciphertext is stored EXTERNAL, so PostgreSQL does not try.

ALTER TABLE aliases
    ADD COLUMN forward boolean NOT NULL DEFAULT true,
    ADD CONSTRAINT aliases_delivery_check CHECK (forward OR has_mailbox);
COMMENT ON COLUMN aliases.forward IS
    'Mail goes to the recipients (with has_mailbox: forward and keep).';

ALTER TABLE messages DROP COLUMN seen_at;
ALTER TABLE messages ALTER COLUMN body_ciphertext SET STORAGE EXTERNAL;
DROP INDEX messages_listing_idx;
CREATE INDEX messages_listing_idx
    ON messages (mailbox_id, received_at DESC, id DESC);

-- The recipients Postfix forwards to: as in 0012 (agreed recipients and
-- the owner's own address), but a keep-only alias whose mailbox exists
-- forwards nothing.
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
		      AND c.confirmed_at IS NOT NULL))
   AND (a.forward OR NOT a.has_mailbox
	OR NOT EXISTS (SELECT 1 FROM mailboxes m WHERE m.alias_id = a.id));
COMMENT ON VIEW postfix_aliases IS
    'One row per confirmed recipient (or the owner''s own address) of each '
    'enabled alias of a routed domain that forwards (not a keep-only alias '
    'with its mailbox); postfix_virtual, which Postfix reads, takes its '
    'recipients from here.';

-- Aliases whose mail is kept, with the address their copy is delivered
-- to over LMTP and 0007's reserved_assigned (new last columns).
CREATE OR REPLACE VIEW postfix_mailboxes WITH (security_barrier) AS
SELECT a.local_part || '@' || d.name AS address,
       a.local_part,
       d.name AS domain,
       a.local_part || '=' || d.name || '@membermail-mailbox.invalid'
	   AS recipient,
       a.reserved_assigned
  FROM aliases a
  JOIN domains d ON d.id = a.domain_id
 WHERE a.enabled AND a.has_mailbox
   AND d.enabled AND d.txt_status = 'verified'
   AND (d.txt_grace_until IS NULL OR d.txt_grace_until > now())
   AND EXISTS (SELECT 1 FROM mailboxes m WHERE m.alias_id = a.id);
COMMENT ON VIEW postfix_mailboxes IS
    'Enabled aliases of routed domains that keep their mail: recipient is '
    'the address Postfix delivers the kept copy to (LMTP).';

-- As in 0009, with the kept aliases' LMTP address; a site admin's
-- postmaster@ or abuse@ that only keeps its mail still wins over the role
-- route.
CREATE OR REPLACE VIEW postfix_virtual WITH (security_barrier) AS
SELECT address, recipient, local_part, domain
  FROM postfix_aliases
 WHERE local_part NOT IN ('postmaster', 'abuse') OR reserved_assigned
UNION ALL
SELECT address, recipient, local_part, domain
  FROM postfix_mailboxes
 WHERE local_part NOT IN ('postmaster', 'abuse') OR reserved_assigned
UNION ALL
SELECT address, 'discard@membermail-discard.invalid', local_part, domain
  FROM postfix_discard
 WHERE local_part NOT IN ('postmaster', 'abuse')
UNION ALL
SELECT r.address, r.recipient, r.local_part, r.domain
  FROM postfix_roles r
 WHERE NOT EXISTS (SELECT 1 FROM postfix_aliases a
		    WHERE a.local_part = r.local_part AND a.domain = r.domain
		      AND a.reserved_assigned)
   AND NOT EXISTS (SELECT 1 FROM postfix_mailboxes b
		    WHERE b.local_part = r.local_part AND b.domain = r.domain
		      AND b.reserved_assigned);
COMMENT ON VIEW postfix_virtual IS
    'Postfix virtual_alias_maps: every routed address -> its recipients '
    '(enabled aliases that forward; the LMTP address of those that keep '
    'their mail; postmaster@ and abuse@ unless a site admin assigned that '
    'alias; disabled 250 aliases -> the discard transport''s address). '
    'Read through postfix_lookup_recipients(local part, domain).';
