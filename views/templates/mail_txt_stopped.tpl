{{%AUTOESCAPE context="HTML"}}
{{! Mail to a domain's admins: DOMAIN is no longer verified (OUTCOME, DETAIL); its mail is refused.  RECORD to publish. }}
[membermail] {{DOMAIN}} is no longer verified: its mail is refused
The verification record of {{DOMAIN}} is {{OUTCOME}}: {{DETAIL}}.

Mail for addresses @{{DOMAIN}} is now refused, and no new address is given out there. Publish this record at the apex of {{DOMAIN}}, as the only TXT record starting the same way, then use "Check now" on the domain's page:

    {{RECORD}}

{{PUBLIC_URL}}/domains/{{DOMAIN}}
