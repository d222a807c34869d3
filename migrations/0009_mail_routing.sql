-- 0009_mail_routing.sql - DNS verification outcomes, the grace period of a
-- domain that lost its record, role addresses, and the table Postfix's
-- virtual_alias_maps reads (deploy/postfix/).
--
-- Verification.  txt_status keeps the last *definitive* outcome, and gains
-- 'nxdomain' (the name does not exist).  A verified domain whose record
-- disappears (missing, multiple, wrong, nxdomain) stays 'verified' with
-- txt_grace_until set: Postfix keeps routing it until then, and
-- `membermail verify-domains` records the outcome once the grace is over
-- (or clears txt_grace_until when the record comes back).  The views test
-- the deadline themselves, so mail stops on time even if no check runs at
-- that moment.  txt_last_attempt_detail says what the server answered
-- ("SERVFAIL", "no answer within 5 s", the records found), for the admins.
--
-- Role addresses.  postmaster@ (RFC 5321) and abuse@ (RFC 2142) of every
-- routed domain always reach someone, whether or not an alias row exists:
-- an enabled alias of that name a site admin assigned (0007's
-- aliases.reserved_assigned), else domains.role_recipient when a site
-- admin set one, else the domain's admins, else (a domain without a
-- usable admin) the site admins.  They override any other alias of that
-- name, and are never refused by the access table.  The other reserved
-- names (0007: hostmaster@, webmaster@, ...) are not routed to anyone by
-- default: they prove control of a domain to certificate authorities.
--
-- postfix_virtual is what virtual_alias_maps reads: the recipients of
-- postfix_aliases (the one place that decides which alias recipients are
-- routed), the disabled aliases that accept and drop (routed to the
-- discard transport through discard@membermail-discard.invalid), and the
-- role addresses.  Lookup by local_part = '%u' AND domain = '%d', as for
-- the other views; deploy/postfix asks through the postfix_lookup_*
-- functions at the end, which keep their query plans.

--------------------------------------------------------------------------
-- domains
--------------------------------------------------------------------------

ALTER TABLE domains DROP CONSTRAINT domains_txt_status_check;
ALTER TABLE domains ADD CONSTRAINT domains_txt_status_check CHECK (txt_status IN
    ('unverified', 'verified', 'missing', 'multiple', 'wrong', 'nxdomain'));
ALTER TABLE domains DROP CONSTRAINT domains_txt_last_attempt_result_check;
ALTER TABLE domains ADD CONSTRAINT domains_txt_last_attempt_result_check CHECK
    (txt_last_attempt_result IN ('verified', 'missing', 'multiple', 'wrong',
     'nxdomain', 'temporary-failure'));

ALTER TABLE domains
    ADD COLUMN txt_grace_until timestamptz,
    ADD COLUMN txt_last_attempt_detail text,
    ADD COLUMN role_recipient text,
    ADD CONSTRAINT domains_txt_grace_check
	CHECK (txt_grace_until IS NULL OR txt_status = 'verified'),
    ADD CONSTRAINT domains_txt_last_attempt_detail_check
	CHECK (txt_last_attempt_detail IS NULL
	       OR (mm_is_line(txt_last_attempt_detail, 500)
		   AND txt_last_attempt_at IS NOT NULL)),
    -- A Postfix routing target: the strict address rule of recipients.
    ADD CONSTRAINT domains_role_recipient_check
	CHECK (mm_valid_address(role_recipient));

COMMENT ON COLUMN domains.txt_grace_until IS
    'Set while a verified domain''s TXT record is gone: routed until then.';
COMMENT ON COLUMN domains.role_recipient IS
    'Where postmaster@ and abuse@ go (NULL: the domain''s admins).';

--------------------------------------------------------------------------
-- Postfix views (interface: names, columns and meaning kept; the routed
-- domains now include those in their grace period)
--------------------------------------------------------------------------

CREATE OR REPLACE VIEW postfix_domains WITH (security_barrier) AS
SELECT d.name AS domain
  FROM domains d
 WHERE d.enabled AND d.txt_status = 'verified'
   AND (d.txt_grace_until IS NULL OR d.txt_grace_until > now());

-- reserved_assigned added at the end: a site admin's assignment of a
-- reserved name (0007), which postfix_virtual lets win over the role route.
CREATE OR REPLACE VIEW postfix_aliases WITH (security_barrier) AS
SELECT a.local_part || '@' || d.name AS address,
       r.recipient,
       a.local_part,
       d.name AS domain,
       a.reserved_assigned
  FROM aliases a
  JOIN domains d ON d.id = a.domain_id
 CROSS JOIN LATERAL unnest(a.recipients) AS r(recipient)
 WHERE a.enabled AND d.enabled AND d.txt_status = 'verified'
   AND (d.txt_grace_until IS NULL OR d.txt_grace_until > now());

-- The role addresses are never refused (see postfix_virtual).
CREATE OR REPLACE VIEW postfix_access WITH (security_barrier) AS
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
   AND a.local_part NOT IN ('postmaster', 'abuse')
   AND d.enabled AND d.txt_status = 'verified'
   AND (d.txt_grace_until IS NULL OR d.txt_grace_until > now());

CREATE OR REPLACE VIEW postfix_discard WITH (security_barrier) AS
SELECT a.local_part || '@' || d.name AS address,
       a.local_part,
       d.name AS domain
  FROM aliases a
  JOIN domains d ON d.id = a.domain_id
 WHERE NOT a.enabled AND a.reply_code = 250
   AND d.enabled AND d.txt_status = 'verified'
   AND (d.txt_grace_until IS NULL OR d.txt_grace_until > now());

CREATE OR REPLACE VIEW postfix_mailboxes WITH (security_barrier) AS
SELECT a.local_part || '@' || d.name AS address,
       a.local_part,
       d.name AS domain
  FROM aliases a
  JOIN domains d ON d.id = a.domain_id
 WHERE a.enabled AND a.has_mailbox
   AND d.enabled AND d.txt_status = 'verified'
   AND (d.txt_grace_until IS NULL OR d.txt_grace_until > now())
   AND EXISTS (SELECT 1 FROM mailboxes m WHERE m.alias_id = a.id);

-- postmaster@ and abuse@ of each routed domain, one row per recipient.
-- The admins' addresses are plausible ones (users.email): no comma, white
-- space or angle bracket can reach Postfix's result list.
CREATE VIEW postfix_roles WITH (security_barrier) AS
SELECT n.local_part || '@' || d.name AS address,
       x.recipient,
       n.local_part,
       d.name AS domain
  FROM domains d
 CROSS JOIN (VALUES ('postmaster'), ('abuse')) AS n(local_part)
 CROSS JOIN LATERAL (
	SELECT d.role_recipient
	 WHERE d.role_recipient IS NOT NULL
	UNION
	SELECT u.email
	  FROM domain_members m
	  JOIN users u ON u.id = m.user_id
	 WHERE d.role_recipient IS NULL AND m.domain_id = d.id
	   AND m.role = 'admin' AND NOT u.is_banned
	UNION
	SELECT u.email
	  FROM users u
	 WHERE d.role_recipient IS NULL AND u.is_site_admin AND NOT u.is_banned
	   AND NOT EXISTS (SELECT 1 FROM domain_members m
			     JOIN users a ON a.id = m.user_id
			    WHERE m.domain_id = d.id AND m.role = 'admin'
			      AND NOT a.is_banned)
       ) AS x(recipient)
 WHERE d.enabled AND d.txt_status = 'verified'
   AND (d.txt_grace_until IS NULL OR d.txt_grace_until > now());
COMMENT ON VIEW postfix_roles IS
    'postmaster@ and abuse@ of every routed domain: its role_recipient, '
    'else its admins, else the site admins; one row per recipient.';

CREATE VIEW postfix_virtual WITH (security_barrier) AS
SELECT address, recipient, local_part, domain
  FROM postfix_aliases
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
		      AND a.reserved_assigned);
COMMENT ON VIEW postfix_virtual IS
    'Postfix virtual_alias_maps: every routed address -> its recipients '
    '(enabled aliases; postmaster@ and abuse@ unless a site admin assigned '
    'that alias; disabled 250 aliases -> the discard transport''s address). '
    'Read through postfix_lookup_recipients(local part, domain).';

GRANT SELECT ON postfix_roles, postfix_virtual TO membermail_postfix;

--------------------------------------------------------------------------
-- Lookup functions: what deploy/postfix/pgsql/*.cf call
--------------------------------------------------------------------------
-- Postfix sends each lookup as a new plain query, which PostgreSQL plans
-- every time, and planning the views (postfix_virtual above all) costs
-- several times what running them does.  A PL/pgSQL function keeps its
-- plan for the session, and proxymap keeps its connections, so a lookup
-- costs its execution only.  They read the views with the caller's
-- privileges (SECURITY INVOKER): the views stay what decides.  No SET
-- search_path (it would cost every call): the names are qualified.

CREATE FUNCTION postfix_lookup_domain(p_domain text) RETURNS SETOF text
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN QUERY SELECT v.domain FROM public.postfix_domains v
	    WHERE v.domain = p_domain;
END
$$;

CREATE FUNCTION postfix_lookup_recipients(p_local text, p_domain text)
RETURNS SETOF text
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN QUERY SELECT v.recipient FROM public.postfix_virtual v
	    WHERE v.local_part = p_local AND v.domain = p_domain;
END
$$;

CREATE FUNCTION postfix_lookup_access(p_local text, p_domain text)
RETURNS SETOF text
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN QUERY SELECT v.action FROM public.postfix_access v
	    WHERE v.local_part = p_local AND v.domain = p_domain;
END
$$;

REVOKE ALL ON FUNCTION postfix_lookup_domain(text),
    postfix_lookup_recipients(text, text), postfix_lookup_access(text, text)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION postfix_lookup_domain(text),
    postfix_lookup_recipients(text, text), postfix_lookup_access(text, text)
    TO membermail_postfix;
