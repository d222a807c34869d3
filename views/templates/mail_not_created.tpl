{{%AUTOESCAPE context="HTML"}}
{{! Mail to the user, and a copy to each of the domain's admins: ADDRESS could not be created; REASON in plain words.  At most once per 30 days per reason. }}
[membermail] {{! TRANSLATORS: the subject of an e-mail }}[[{{ADDRESS}} could not be created]]
[[Hello ~{{NAME}},]]
{{! TRANSLATORS: REASON is one of the reasons, e.g. "the address already belongs to someone else" }}[[as a member of ~{{TEAM}} you may have {{ADDRESS}}, but membermail could not create it: {{REASON}}.]]
[[The admins of {{DOMAIN}} have a copy of this message.]]
[[Your addresses: {{PUBLIC_URL}}/my]]
