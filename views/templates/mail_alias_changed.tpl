{{%AUTOESCAPE context="HTML"}}
{{! Mail to the owner of ALIAS when ACTOR, not them, changed it: PENDING (with PENDING_LIST) or CANCELLED, ENABLED or DISABLED, DESCRIPTION (NEW_DESCRIPTION), REPLY (REPLY_SENTENCE), all under CHANGED; or CREATED it (RECIPIENTS, and PENDING) or REMOVED it.  PAGE_URL: its page (/my once removed). }}
[membermail] {{#CREATED}}[[{{ACTOR}} gave you the address {{ALIAS}}]]{{/CREATED}}{{#REMOVED}}[[{{ACTOR}} removed your address {{ALIAS}}]]{{/REMOVED}}{{#CHANGED}}[[{{ACTOR}} changed your address {{ALIAS}}]]{{/CHANGED}}
{{#REMOVED}}[[{{ACTOR}} removed your address {{ALIAS}}: its mail is no longer forwarded, and senders are told it does not exist.]]
{{/REMOVED}}{{#CREATED}}[[{{ACTOR}} gave you the address {{ALIAS}}. Its mail goes to {{RECIPIENTS}}.]]
{{/CREATED}}{{#CHANGED}}[[{{ACTOR}} changed your address {{ALIAS}}:]]{{/CHANGED}}
{{#PENDING}}
- [[They asked for its mail to go to {{PENDING_LIST}}. Until every new address agrees, its mail goes where it went before.]]
{{/PENDING}}{{#CANCELLED}}
- [[They withdrew the change of forwarding that was waiting for confirmation.]]
{{/CANCELLED}}{{#ENABLED}}
- [[They enabled it: its mail is forwarded again.]]
{{/ENABLED}}{{#DISABLED}}
- [[They disabled it: its mail is no longer forwarded.]]
{{/DISABLED}}{{#DESCRIPTION}}
- [[Its description is now "{{NEW_DESCRIPTION}}".]]
{{/DESCRIPTION}}{{#REPLY}}
- {{REPLY_SENTENCE}}
{{/REPLY}}
[[Your address and its history: {{PAGE_URL}}]]
