{{%AUTOESCAPE context="HTML"}}
{{! Mail to a domain's admins: ADDRESS of ~NAME was removed (left ~TEAM or no longer eligible, and the grace period is over or there is none). }}
[membermail] {{! TRANSLATORS: the subject of an e-mail }}[[{{ADDRESS}} removed]]
[[membermail removed {{ADDRESS}} of ~{{NAME}}: they are no longer a member of ~{{TEAM}} or no longer eligible, and the grace period is over.]]
[[The members and aliases of {{DOMAIN}}: {{PUBLIC_URL}}/domains/{{DOMAIN}}]]
