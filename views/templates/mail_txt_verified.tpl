{{%AUTOESCAPE context="HTML"}}
{{! Mail to a domain's admins: DOMAIN's TXT record is verified (RESTORED: again, during or after its grace period).  RECORD, DETAIL. }}
[membermail] {{DOMAIN}} is verified{{#RESTORED}} again{{/RESTORED}}
{{#RESTORED}}The verification record of {{DOMAIN}} is back:
{{/RESTORED}}{{DOMAIN}} publishes its verification record:

    {{RECORD}}

Mail for addresses @{{DOMAIN}} is accepted and forwarded, and members of its team get their addresses.
Keep the record published: membermail checks it regularly, and a domain whose record goes away stops receiving mail after a grace period.

{{PUBLIC_URL}}/domains/{{DOMAIN}}
