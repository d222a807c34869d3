{{%AUTOESCAPE context="HTML"}}
{{! Mail to an address asked to receive ALIAS's mail: ACTOR asked; CONFIRM_URL agrees (one use, until UNTIL, UTC). First line: the subject. }}
[membermail] [[Please confirm: forward mail for {{ALIAS}} to you?]]
[[{{ACTOR}} asked membermail to forward the mail of {{ALIAS}} to {{ADDRESS}}.]]

[[Nothing is forwarded to you unless you agree. To agree, open this link and press the button on the page:]]

{{CONFIRM_URL}}

[[The link works once, until {{UNTIL}} (UTC).]]

[[If you did not expect this message, ignore it: nothing will be sent to you.]]
