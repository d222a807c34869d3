{{%AUTOESCAPE context="HTML"}}
{{! Mail to a domain's admins: ~NAME left ~TEAM; ADDRESS is disabled and will be removed on REMOVE_AT unless they re-join. }}
[membermail] {{! TRANSLATORS: the subject of an e-mail }}[[{{ADDRESS}} disabled: ~{{NAME}} left ~{{TEAM}}]]
[[~{{NAME}} is no longer a member of ~{{TEAM}} on Launchpad, so membermail disabled {{ADDRESS}}.]]
[[It will be removed on {{REMOVE_AT}} unless ~{{NAME}} joins ~{{TEAM}} again before then; it would then be enabled again as it was.]]
[[The members and aliases of {{DOMAIN}}: {{PUBLIC_URL}}/domains/{{DOMAIN}}]]
