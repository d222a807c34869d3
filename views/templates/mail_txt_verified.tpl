{{%AUTOESCAPE context="HTML"}}
{{! Mail to a domain's admins: DOMAIN's TXT record is verified (RESTORED: again, during or after its grace period; FIRST: not again).  RECORD. }}
[membermail] {{#RESTORED}}{{! TRANSLATORS: the subject of an e-mail }}[[{{DOMAIN}} is verified again]]{{/RESTORED}}{{#FIRST}}{{! TRANSLATORS: the subject of an e-mail }}[[{{DOMAIN}} is verified]]{{/FIRST}}
{{#RESTORED}}[[The verification record of {{DOMAIN}} is back:]]
{{/RESTORED}}[[{{DOMAIN}} publishes its verification record:]]

    {{RECORD}}

[[Mail for addresses @{{DOMAIN}} is accepted and forwarded, and members of its team get their addresses.]]
[[Keep the record published: membermail checks it regularly, and a domain whose record goes away stops receiving mail after a grace period.]]

{{PUBLIC_URL}}/domains/{{DOMAIN}}
