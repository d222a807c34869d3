{{%AUTOESCAPE context="HTML"}}
{{! Mail to a domain's admins: the sync created ADDRESS for ~NAME, a member of ~TEAM; it forwards to RECIPIENT. First line: the subject. }}
[membermail] {{! TRANSLATORS: the subject of an e-mail }}[[{{ADDRESS}} created for ~{{NAME}}]]
[[membermail created {{ADDRESS}} for ~{{NAME}}, a member of ~{{TEAM}} on Launchpad.]]
[[It forwards to {{RECIPIENT}}.]]
[[The members and aliases of {{DOMAIN}}: {{PUBLIC_URL}}/domains/{{DOMAIN}}]]
