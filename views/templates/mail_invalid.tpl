{{%AUTOESCAPE context="HTML"}}
{{! Mail to the user, and a copy to each of the domain's admins: ~NAME cannot have (or keep) an address on DOMAIN; REASON in plain words.  Sent at most once per 30 days per reason. }}
[membermail] {{! TRANSLATORS: the subject of an e-mail }}[[Your {{DOMAIN}} address: not eligible]]
[[Hello ~{{NAME}},]]
{{! TRANSLATORS: REASON is one of the reasons, e.g. "your Launchpad account is not active" }}[[membermail cannot give you (or let you keep) {{ADDRESS}}: {{REASON}}.]]
[[An address you had there is disabled and will be removed after a grace period; it comes back as it was if this is fixed before then.]]
[[Your addresses: {{PUBLIC_URL}}/my]]
