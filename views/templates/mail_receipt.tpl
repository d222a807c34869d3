{{%AUTOESCAPE context="HTML"}}
{{! Receipt of a change of ALIAS's recipients, made by ACTOR; UNDO_URL restores the previous recipients and locks the alias (one use, until UNTIL, UTC). }}
{{! OWNER (the owner's copy): BEFORE and AFTER, the recipients (other members' addresses in words).  Else to a previous recipient: STILL or NO_LONGER. }}
[membermail] [[The forwarding of {{ALIAS}} was changed]]
{{#OWNER}}[[{{ACTOR}} changed where the mail of your address {{ALIAS}} goes.]]

[[Before: {{BEFORE}}]]
[[Now: {{AFTER}}]]
{{/OWNER}}{{#STILL}}[[{{ACTOR}} changed where the mail of {{ALIAS}} goes. It still comes to you.]]
{{/STILL}}{{#NO_LONGER}}[[{{ACTOR}} changed where the mail of {{ALIAS}} goes. It no longer comes to you.]]
{{/NO_LONGER}}
[[If this change was not meant to happen, this link puts the previous forwarding back and locks the address until its owner signs in again:]]

{{UNDO_URL}}

[[The link works once, until {{UNTIL}} (UTC). If the change is right, you need not do anything.]]
