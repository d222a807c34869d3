{{%AUTOESCAPE context="HTML"}}
{{! GET /admin  -  the overview: DOMAINS, USERS, ALIASES, OUTBOX_PENDING, }}
{{! OUTBOX_FAILED, ERRORS_DAY (counts). }}
<section class="panel">
  <p class="eyebrow">[[Site admin]]</p>
  <h1>[[Overview]]</h1>
  <dl class="facts counts">
    <dt><a href="/admin/domains">[[Domains]]</a></dt>
    <dd id="count-domains">{{DOMAINS}}</dd>
    <dt><a href="/admin/users">[[Users]]</a></dt>
    <dd id="count-users">{{USERS}}</dd>
    <dt>[[Aliases]]</dt>
    <dd id="count-aliases">{{ALIASES}}</dd>
    <dt>[[Messages waiting to be sent]]</dt>
    <dd id="count-outbox-pending">{{OUTBOX_PENDING}}</dd>
    <dt><a href="/admin/outbox">[[Messages that failed]]</a></dt>
    <dd id="count-outbox-failed">{{OUTBOX_FAILED}}</dd>
    <dt><a href="/admin/errors">[[Errors in the last day]]</a></dt>
    <dd id="count-errors">{{ERRORS_DAY}}</dd>
  </dl>
</section>
