{{%AUTOESCAPE context="HTML"}}
{{! Mail to a domain's admins: DOMAIN is no longer verified (DETAIL says why); its mail is refused.  RECORD to publish. }}
[membermail] {{! TRANSLATORS: the subject of an e-mail }}[[{{DOMAIN}} is no longer verified: its mail is refused]]
{{! TRANSLATORS: DETAIL is what the check found, e.g. "no TXT record at all" }}[[The verification record of {{DOMAIN}} is not in order: {{DETAIL}}.]]

[[Mail for addresses @{{DOMAIN}} is now refused, and no new address is given out there.]] [[Publish this record at the apex of {{DOMAIN}}, as the only TXT record starting the same way, then use "Check now" on the domain's page:]]

    {{RECORD}}

{{PUBLIC_URL}}/domains/{{DOMAIN}}
