{{%AUTOESCAPE context="HTML"}}
{{! Mail to a domain's admins: verified DOMAIN lost its TXT record (DETAIL says how); its mail is accepted until DEADLINE.  RECORD to publish. }}
[membermail] {{! TRANSLATORS: the subject of an e-mail }}[[{{DOMAIN}}: verification record gone, mail stops {{DEADLINE}}]]
{{! TRANSLATORS: DETAIL is what the check found, e.g. "no TXT record at all" }}[[The last check of {{DOMAIN}} did not find its verification record: {{DETAIL}}.]]

[[Mail for addresses @{{DOMAIN}} is still accepted until {{DEADLINE}}.]] [[After that it is refused, until this record is published again at the apex of {{DOMAIN}}, as the only TXT record starting the same way:]]

    {{RECORD}}

[[If the record is there, the DNS server that was asked may be out of date: use "Check now" on the domain's page once it is fixed.]]

{{PUBLIC_URL}}/domains/{{DOMAIN}}
