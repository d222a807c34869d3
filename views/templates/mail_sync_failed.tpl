{{%AUTOESCAPE context="HTML"}}
{{! Mail to alerts_to: a sync run ended with ERRORS errors (over TEAMS teams and USERS users); not sent when Launchpad was merely unavailable. }}
[membermail] sync failed with {{ERRORS}} errors
membermail sync ran over {{TEAMS}} teams and {{USERS}} users and met {{ERRORS}} errors.
The details are in its log (journalctl -u membermail-sync) and on the admin error page: {{PUBLIC_URL}}/admin/errors
