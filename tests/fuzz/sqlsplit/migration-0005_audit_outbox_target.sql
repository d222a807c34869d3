-- 0005_audit_outbox_target.sql - site admins retry and delete failed
-- outbox messages (the /admin pages), and every change has its audit row:
-- audit_log.target_type gains 'outbox'.  (0004 is provisioning's.)

ALTER TABLE audit_log DROP CONSTRAINT audit_log_target_type_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_target_type_check
    CHECK (target_type IN ('user', 'domain', 'domain_member', 'alias',
     'mailbox', 'api_token', 'team_snapshot', 'outbox'));
