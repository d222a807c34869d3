{{%AUTOESCAPE context="HTML"}}
{{! Mail to a domain's admins: ADDRESS was created disabled (matches-recipient) because ~NAME's own e-mail is that address. }}
[membermail] {{! TRANSLATORS: the subject of an e-mail }}[[{{ADDRESS}} disabled: it would forward to itself]]
[[membermail created {{ADDRESS}} for ~{{NAME}}, a member of ~{{TEAM}}, but disabled it: the e-mail address of ~{{NAME}}'s Ubuntu One account is {{RECIPIENT}}, the alias itself, so enabled it would forward mail to itself.]]
[[It stays disabled until its recipients are changed.]]
[[The members and aliases of {{DOMAIN}}: {{PUBLIC_URL}}/domains/{{DOMAIN}}]]
