{{%AUTOESCAPE context="HTML"}}
{{! Mail to a domain's admins: ~NAME signed in for the first time and got ADDRESS. }}
[membermail] {{! TRANSLATORS: the subject of an e-mail }}[[~{{NAME}} signed in for the first time]]
[[~{{NAME}} signed in to membermail for the first time and now has {{ADDRESS}}, as a member of ~{{TEAM}}.]]
[[The members and aliases of {{DOMAIN}}: {{PUBLIC_URL}}/domains/{{DOMAIN}}]]
