-- 0003_domains_changed_notify.sql - tell workers when domains change.
--
-- Workers keep the list of domains in memory (it is read by every public
-- page) and LISTEN on the channel membermail_domains; any change to the
-- table notifies it at commit, so a cached list is never stale for longer
-- than a notification takes to arrive.  One notification per statement,
-- whatever the number of rows.  Trigger functions run with the writer's
-- privileges and need no grant; LISTEN needs none either.

CREATE FUNCTION mm_notify_domains_changed() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
	PERFORM pg_notify('membermail_domains', '');
	RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION mm_notify_domains_changed() FROM PUBLIC;

CREATE TRIGGER domains_changed_notify
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON domains
    FOR EACH STATEMENT EXECUTE FUNCTION mm_notify_domains_changed();
