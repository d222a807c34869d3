{{%AUTOESCAPE context="HTML"}}
{{! GET /admin/outbox  -  MESSAGE (section): ID, TO, SUBJECT, ATTEMPTS, }}
{{! ERROR (the mail server's words, in English: lang="en"), FAILED_AT, }}
{{! CREATED_AT; NO_FAILURES (section). }}
<section class="panel">
  <p class="eyebrow">[[Site admin]]</p>
  <h1>[[Failed messages]]</h1>
  <p>[[Notification email the outbox gave up on after its last attempt.]]</p>
{{#NO_FAILURES}}
  <p class="empty" role="status">[[No message has failed.]]</p>
{{/NO_FAILURES}}
  <table class="admin-table">
    {{! TRANSLATORS: the failed messages' columns: recipients, subject, how many attempts, the mail server's last error, when the outbox gave up. }}
    <thead><tr><th>[[To]]</th><th>[[Subject]]</th><th>[[Attempts]]</th><th>[[Last error]]</th><th>[[Failed at]]</th><th></th></tr></thead>
    <tbody>
{{#MESSAGE}}
      <tr id="outbox-{{ID}}">
        <td>{{TO}}</td>
        <td>{{SUBJECT}}</td>
        <td>{{ATTEMPTS}}</td>
        <td lang="en">{{ERROR}}</td>
        <td>{{FAILED_AT}}<br><span class="muted">[[queued {{CREATED_AT}}]]</span></td>
        <td>
          <form method="post" action="/admin/outbox/{{ID}}/retry">
            <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
            <button type="submit" class="button button-secondary">[[Retry]]</button>
          </form>
          <form method="post" action="/admin/outbox/{{ID}}/delete">
            <input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
            <button type="submit" class="button button-secondary">[[Delete]]</button>
          </form>
        </td>
      </tr>
{{/MESSAGE}}
    </tbody>
  </table>
</section>
