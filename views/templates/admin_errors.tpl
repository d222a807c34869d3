{{%AUTOESCAPE context="HTML"}}
{{! GET /admin/errors  -  ERROR (section): FINGERPRINT, TEXT, COUNT, }}
{{! FIRST_SEEN, LAST_SEEN, USER_ID, LP_NAME, CLAIMED_ID, HAS_USER (section); }}
{{! NO_ERRORS (section).  TEXT is the log's, in English (lang="en"). }}
<section class="panel">
  <p class="eyebrow">[[Site admin]]</p>
  <h1>[[Error log]]</h1>
  <p>[[One row per kind of error, most recent first, with the user of its latest occurrence.]]</p>
{{#NO_ERRORS}}
  <p class="empty" role="status">[[No error has been logged.]]</p>
{{/NO_ERRORS}}
  <table class="admin-table">
    {{! TRANSLATORS: the error log's columns: an error, how often it happened, when first and last, and the user of its latest occurrence. }}
    <thead><tr><th>[[Error]]</th><th>[[Count]]</th><th>[[First seen]]</th><th>[[Last seen]]</th><th>[[User]]</th></tr></thead>
    <tbody>
{{#ERROR}}
      <tr>
        <td><span class="mono muted">{{FINGERPRINT}}</span><br><span lang="en">{{TEXT}}</span></td>
        <td>{{COUNT}}</td>
        <td>{{FIRST_SEEN}}</td>
        <td>{{LAST_SEEN}}</td>
        <td>{{#HAS_USER}}<a href="/admin/users/{{USER_ID}}">#{{USER_ID}}</a> {{/HAS_USER}}{{LP_NAME}}<br><span class="mono">{{CLAIMED_ID}}</span></td>
      </tr>
{{/ERROR}}
    </tbody>
  </table>
</section>
