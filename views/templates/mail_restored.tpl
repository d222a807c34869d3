{{%AUTOESCAPE context="HTML"}}
{{! Mail to a domain's admins: ~NAME is a valid member of ~TEAM again, and ADDRESS, which the sync had disabled, is enabled again with its old settings. }}
[membermail] {{! TRANSLATORS: the subject of an e-mail }}[[{{ADDRESS}} enabled again for ~{{NAME}}]]
[[~{{NAME}} is a member of ~{{TEAM}} again, so membermail enabled {{ADDRESS}} again, with the recipients and settings it had.]]
[[The members and aliases of {{DOMAIN}}: {{PUBLIC_URL}}/domains/{{DOMAIN}}]]
