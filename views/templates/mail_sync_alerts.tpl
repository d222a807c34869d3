{{%AUTOESCAPE context="HTML"}}
{{! Mail to alerts_to: a sync run's problems, once per cause: NEW_CAUSE (new since the last mail), STILL_CAUSE (persisting, mailed again once per alert_interval), CLEARED_CAUSE (gone since); each with MESSAGE, at most 20 listed per section; NEW, STILL, CLEARED count them. }}
[membermail] {{! TRANSLATORS: the subject of an e-mail to the operators; SUBJECT is the first problem, e.g. "failed: Launchpad is unreachable" }}[[sync {{SUBJECT}}]]
{{#NEW_CAUSE}}[[New: {{MESSAGE}}]]
{{/NEW_CAUSE}}{{#STILL_CAUSE}}[[Still so: {{MESSAGE}}]]
{{/STILL_CAUSE}}{{#CLEARED_CAUSE}}[[Cleared: {{MESSAGE}}]]
{{/CLEARED_CAUSE}}
[[{{NEW}} new, {{STILL}} persisting and {{CLEARED}} cleared since the last mail.]] [[Each problem is mailed when it appears, again once a day (alert_interval) while it persists, and once when it clears.]]
[[The details are in the sync's log (journalctl -u membermail-sync) and on the admin error page: {{PUBLIC_URL}}/admin/errors]]
[[Held invalidations: if they are real, accept them with "membermail sync --accept-invalidations"; held team shrinks: "membermail sync --accept-shrink TEAM".]]
